"""Small made-up network projections for tests, built from rows shaped as the projection
queries (queries/network/*.rq) return them, through the real build_network."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from incident_kg.analysis.network import TIER_ORDER, build_network

IKG = "https://w3id.org/incident-kg/ontology#"
CODE = "https://w3id.org/incident-kg/code/"
ID = "https://example.org/id/"


@dataclass
class Made:
    """One made-up incident: its report, bodies and codes."""

    report: str
    bodies: list[str]
    causes: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)
    #: measure → the causes it addresses; None: each measure addresses each cause (defaulted)
    addresses: dict[str, list[str]] | None = None


CAUSE_TIERS = {"A": "unsafe-act", "B": "precondition", "C": "supervision", "D": "organisation"}


def made_network(incidents: dict[str, Made]) -> nx.MultiDiGraph:
    """A projection built from rows as the projection queries give them."""
    concepts = [
        {"concept": f"{CODE}tier-{t}", "code": t, "scheme": f"{CODE}causes", "is_tier": "true"}
        for t in TIER_ORDER
    ]
    for code, tier in CAUSE_TIERS.items():
        concepts.append(
            {
                "concept": f"{CODE}{code}",
                "code": code,
                "scheme": f"{CODE}causes",
                "label_en": f"cause {code}",
                "tier": f"{CODE}tier-{tier}",
                "is_tier": "false",
            }
        )
    for code in ("M1", "M2", "M3"):
        concepts.append(
            {"concept": f"{CODE}{code}", "code": code, "scheme": f"{CODE}countermeasures"}
        )
    for code in ("S1", "S2"):
        concepts.append({"concept": f"{CODE}{code}", "code": code, "scheme": f"{CODE}systems"})
    rows: dict[str, list[dict[str, str | None]]] = {
        "concepts": concepts,  # type: ignore[dict-item]
        "incidents": [],
        "coded-facts": [],
        "organizations": [],
        "measure-links": [],
    }
    for name, m in incidents.items():
        rows["incidents"].append(
            {
                "incident": f"{ID}{name}",
                "report": f"{ID}report/{m.report}",
                "report_id": m.report,
                "report_file": f"{m.report}.txt",
                "label": f"incident {name}",
                "key": name,
            }
        )
        for prop, codes in (
            ("hasCause", m.causes),
            ("hasCountermeasure", m.measures),
            ("involvesSystem", m.systems),
        ):
            for code in codes:
                rows["coded-facts"].append(
                    {
                        "incident": f"{ID}{name}",
                        "property": f"{IKG}{prop}",
                        "concept": f"{CODE}{code}",
                        "sentence": f"{name} says {code}",
                        "start": "0",
                        "end": "5",
                    }
                )
        addresses = m.addresses if m.addresses is not None else dict.fromkeys(m.measures, m.causes)
        for measure, causes in addresses.items():
            for cause in causes:
                rows["measure-links"].append(
                    {
                        "incident": f"{ID}{name}",
                        "measure": f"{CODE}{measure}",
                        "cause": f"{CODE}{cause}",
                        "basis": "defaulted",
                        "rule": f"measures.yaml: {measure} → {cause}",
                    }
                )
        for body in m.bodies:
            rows["organizations"].append(
                {
                    "incident": f"{ID}{name}",
                    "relation": f"{IKG}responsibleOrganization",
                    "organization": f"{ID}org/{body}",
                    "label": body,
                }
            )
    return build_network(rows)


def assert_same_network(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    """Two projections are the same graph: node for node, edge for edge, attributes (evidence
    and measure links included) equal."""
    assert {n: dict(d) for n, d in a.nodes(data=True)} == {
        n: dict(d) for n, d in b.nodes(data=True)
    }
    assert {(s, t, k): d for s, t, k, d in a.edges(keys=True, data=True)} == {
        (s, t, k): d for s, t, k, d in b.edges(keys=True, data=True)
    }
