"""The link pass: the store's incidents compared across reports (graph/linking.py) and the
adoptions of measures followed up (graph/effectiveness.py), written into the links graph.

Run after every build and import (and after an import is removed): the links graph
(:data:`~.store.LINKS_GRAPH`) is derived data, replaced whole in one transaction — with the
follow-up of measures it found (graph/effectiveness.py, as JSON in the summary graph, which
``analyze effectiveness`` and the cause pages read instead of linking the corpus again) — never
exported (the receiving store links for itself). It holds, for the incidents linked:

    <a> ikg:sameIncidentAs <b> ;  ikg:countedAs <key> .       (told by several reports)
    <case> ikg:partOfIncident <grouping> ; ikg:countedAs <grouping> .
    <…/report/B/org/中区> owl:sameAs <…/report/A/org/中区> .   (one ward two tellings minted)
    <base>link/<digest> a ikg:IncidentLink ; ikg:linkSource <a> ; ikg:linkTarget <b> ;
        ikg:linkKind code:link-same-incident ; ikg:linkBasis code:basis-matched ;
        ikg:matchedFact "body: 熊本市" , … ; ikg:linkScore 6.5 .
    <base>adoption/<digest> a ikg:MeasureAdoption ; ikg:adoptingBody <org> ;
        ikg:measure code:Checklist ; ikg:addressesCause code:LogoutOmission ;
        ikg:adoptedOn "2023-06"^^xsd:gYearMonth ; ikg:adoptedIn <incident> ;
        ikg:recurrence <incident> ; ikg:recurrenceCount 1 ; ikg:daysAtRisk 240 .

The facts are read per predicate (:meth:`~.store.GraphStore.pairs`), each once however many
graphs hold them, so the same data imported twice costs a second read, not a blow-up.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox
from networkx.utils import UnionFind
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, SKOS, XSD

from incident_kg.ontology.namespaces import CODE, DEFAULT_BASE, IKG
from incident_kg.ontology.tables import LinkingRules, load_linking_rules

from .effectiveness import Effectiveness, effectiveness, to_json
from .linking import PART_OF, SAME, IncidentFacts, Linking, link_incidents
from .store import LINKS_GRAPH, GraphStore
from .summary import EFFECTIVENESS_KEY, SUMMARY_GRAPH

log = logging.getLogger(__name__)

CODED = {
    "harms": IKG.hasHarm,
    "causes": IKG.hasCause,
    "countermeasures": IKG.hasCountermeasure,
    "systems": IKG.involvesSystem,
    "procedures": IKG.involvesProcedure,
}
DATES = {"occurred": IKG.occurredOn, "discovered": IKG.discoveredOn, "resolved": IKG.resolvedOn}
KIND = {
    SAME: CODE["link-same-incident"],
    PART_OF: CODE["link-part-of"],
    "distinct": CODE["link-distinct"],
}
BASIS = {"matched": CODE["basis-matched"], "curated": CODE["basis-curated"]}
_DATATYPE = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


@dataclass(frozen=True)
class StoreFacts:
    """What the link pass read of a store: each incident's facts, and each body's IRI."""

    incidents: tuple[IncidentFacts, ...]
    body_iris: Mapping[str, str]  # body name → IRI of the organisation


def _code(iri: str) -> str:
    return iri.removeprefix(str(CODE))


def _bodies(store: GraphStore) -> tuple[dict[str, str], dict[str, str]]:
    """Each organisation's body (the top of its part-of chain) by name, and name → IRI."""
    parents: dict[str, set[str]] = defaultdict(set)
    for child, parent in store.pairs(str(ORG.subOrganizationOf)):
        if child != parent:
            parents[child].add(parent)
    labels: dict[str, str] = {}
    for subject, label in sorted(store.pairs(str(SKOS.prefLabel))):
        labels.setdefault(subject, label)

    def top(org: str) -> str:
        seen = {org}
        while parents.get(org):
            nxt = min(p for p in parents[org] if p not in seen) if parents[org] - seen else None
            if nxt is None:
                break
            seen.add(nxt)
            org = nxt
        return org

    orgs = set(parents) | {o for _, o in store.pairs(str(IKG.responsibleOrganization))}
    orgs |= {o for _, o in store.pairs(str(IKG.involvedOrganization))}
    body_of = {org: labels.get(top(org), top(org)) for org in orgs}
    iris: dict[str, str] = {}
    for org in sorted(orgs):
        iris.setdefault(body_of[org], top(org))
    return body_of, iris


def read_facts(store: GraphStore) -> StoreFacts:
    """The facts of every incident in the store, for linking and effectiveness."""
    reports = dict(store.pairs(str(IKG.reportedIn)))
    issued = dict(sorted(store.pairs(str(DCTERMS.issued))))
    body_of, body_iris = _bodies(store)
    sets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, prop in CODED.items():
        for incident, concept in store.pairs(str(prop)):
            sets[incident][name].add(_code(concept))
    responsible: dict[str, set[str]] = defaultdict(set)
    involved: dict[str, set[str]] = defaultdict(set)
    for incident, org in store.pairs(str(IKG.responsibleOrganization)):
        responsible[incident].add(body_of.get(org, org))
    for incident, org in store.pairs(str(IKG.involvedOrganization)):
        involved[incident].add(body_of.get(org, org))
    kinds: dict[str, set[str]] = defaultdict(set)  # 地方公共団体, 保険者: see linking.yaml
    for incident, kind in store.pairs(str(IKG.bodyKindNamed)):
        kinds[incident].add(kind)
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for name, prop in DATES.items():
        for incident, value in sorted(store.pairs(str(prop))):
            values[incident].setdefault(name, value)
    for incident, value in sorted(store.pairs(str(IKG.affectedCount))):
        values[incident].setdefault("affected", value)
    curated: dict[str, dict[str, set[str]]] = {
        "same_as": defaultdict(set),
        "not_same_as": defaultdict(set),
    }
    for name, prop in (("same_as", IKG.curatedSameAs), ("not_same_as", IKG.curatedDistinctFrom)):
        for incident, other in store.pairs(str(prop)):
            curated[name][incident].add(other)
    link_parts: dict[str, dict[str, str]] = defaultdict(dict)
    for prop, name in ((IKG.measure, "m"), (IKG.addressesCause, "c"), (IKG.linkBasis, "b")):
        for node, value in store.pairs(str(prop)):
            link_parts[node][name] = _code(value).removeprefix("basis-")
    links: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for incident, node in store.pairs(str(IKG.hasCountermeasureLink)):
        part = link_parts.get(node, {})
        if {"m", "c", "b"} <= part.keys():
            links[incident].add((part["m"], part["c"], part["b"]))
    out: list[IncidentFacts] = []
    for incident, report in sorted(reports.items()):
        known = values.get(incident, {})
        affected = known.get("affected")
        out.append(
            IncidentFacts(
                incident,
                report,
                published=issued.get(report),
                bodies=frozenset(responsible.get(incident) or involved.get(incident) or ())
                | kinds.get(incident, set()),
                **{name: frozenset(sets[incident][name]) for name in CODED},
                occurred=known.get("occurred"),
                discovered=known.get("discovered"),
                resolved=known.get("resolved"),
                affected=int(affected) if affected and affected.isdigit() else None,
                same_as=frozenset(curated["same_as"].get(incident, ())),
                not_same_as=frozenset(curated["not_same_as"].get(incident, ())),
                measure_links=frozenset(links.get(incident, ())),
            )
        )
    return StoreFacts(tuple(out), body_iris)


#: An organisation minted within one report (a name ambiguous across the country, such as a
#: ward named without its city: 中区): ``…/report/<id>/org/<name>``.
_REPORT_SCOPED = re.compile(r"/report/[^/]+/org/[^/]+$")


def same_bodies(
    groups: Iterable[Iterable[str]],
    orgs_of: Mapping[str, Iterable[str]],
    labels: Mapping[str, str],
) -> dict[str, str]:
    """Organisations minted within their reports that are one body: those of one name that
    tellings of one event name (two reports of 横浜市中区's incident each mint their own
    ``中区``).  Returns each such organisation → the one that stands for them all (the
    smallest IRI), across every event (a report's ward linked through two events is one)."""
    same = UnionFind()
    for group in groups:
        by_name: dict[str, set[str]] = defaultdict(set)
        for incident in group:
            for org in orgs_of.get(incident, ()):
                if _REPORT_SCOPED.search(org) and labels.get(org):
                    by_name[labels[org]].add(org)
        for orgs in by_name.values():
            same.union(*orgs)
    return {org: min(one) for one in same.to_sets() for org in one if org != min(one)}


def _same_bodies_of(store: GraphStore, linking: Linking) -> dict[str, str]:
    orgs_of: dict[str, set[str]] = defaultdict(set)
    for prop in (IKG.responsibleOrganization, IKG.involvedOrganization):
        for incident, org in store.pairs(str(prop)):
            orgs_of[incident].add(org)
    labels: dict[str, str] = {}
    for subject, label in sorted(store.pairs(str(SKOS.prefLabel))):
        labels.setdefault(subject, label)
    return same_bodies(linking.groups, orgs_of, labels)


# -- writing ------------------------------------------------------------------------------


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))


def _date(iso: str) -> str:
    return str(ox.Literal(iso, datatype=ox.NamedNode(str(_DATATYPE[len(iso)]))))


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:16]


def links_ntriples(
    linking: Linking,
    found: Effectiveness,
    body_iris: Mapping[str, str],
    base: str,
    same_orgs: Mapping[str, str] | None = None,
) -> str:
    """The links graph as N-Triples (sorted: the same store gives the same graph); with
    ``same_orgs`` (:func:`same_bodies`), ``<org> owl:sameAs <the one kept>``."""
    lines: set[str] = set()

    def add(s: str, p: object, o: str) -> None:
        lines.add(f"{_iri(s)} {_iri(str(p))} {o} .\n")

    for group in linking.groups:
        for a in group:
            for b in group:
                if a != b:
                    add(a, IKG.sameIncidentAs, _iri(b))
    for incident, key in linking.counted_as.items():
        add(incident, IKG.countedAs, _iri(key))
    for org, kept in (same_orgs or {}).items():
        add(org, OWL.sameAs, _iri(kept))
    for case_key, grouping in linking.part_of.items():
        for member in _members(linking, case_key):
            add(member, IKG.partOfIncident, _iri(grouping))
    for link in linking.links:
        node = f"{base}link/{_digest(link.kind, link.source, link.target)}"
        add(node, RDF.type, _iri(str(IKG.IncidentLink)))
        add(node, IKG.linkSource, _iri(link.source))
        add(node, IKG.linkTarget, _iri(link.target))
        add(node, IKG.linkKind, _iri(str(KIND[link.kind])))
        add(node, IKG.linkBasis, _iri(str(BASIS[link.basis])))
        for fact in link.facts:
            add(node, IKG.matchedFact, str(ox.Literal(fact)))
        if link.basis == "matched":
            decimal = ox.NamedNode(str(XSD.decimal))
            add(node, IKG.linkScore, str(ox.Literal(f"{link.score:.3f}", datatype=decimal)))
    integer = ox.NamedNode(str(XSD.integer))
    for adoption in found.adoptions:
        node = f"{base}adoption/{_digest(adoption.body, adoption.measure, adoption.cause)}"
        add(node, RDF.type, _iri(str(IKG.MeasureAdoption)))
        add(
            node, IKG.adoptingBody, _iri(body_iris.get(adoption.body, f"{base}org/{adoption.body}"))
        )
        add(node, IKG.measure, _iri(str(CODE[adoption.measure])))
        add(node, IKG.addressesCause, _iri(str(CODE[adoption.cause])))
        add(node, IKG.adoptedIn, _iri(adoption.adopted_in))
        if adoption.adopted_on:
            add(node, IKG.adoptedOn, _date(adoption.adopted_on))
        for recurrence in adoption.recurrences:
            add(node, IKG.recurrence, _iri(recurrence))
        add(
            node,
            IKG.recurrenceCount,
            str(ox.Literal(str(len(adoption.recurrences)), datatype=integer)),
        )
        if adoption.days_at_risk is not None:
            add(node, IKG.daysAtRisk, str(ox.Literal(str(adoption.days_at_risk), datatype=integer)))
    return "".join(sorted(lines))


def _members(linking: Linking, key: str) -> set[str]:
    """The incidents counted as ``key`` by their own group (not through a grouping)."""
    for group in linking.groups:
        if key in group:
            return set(group)
    return {key}


@dataclass(frozen=True)
class LinkSummary:
    """What one link pass found."""

    incidents: int
    counted: int  # distinct incidents
    groups: int  # incidents told by several reports
    parts: int  # cases linked as part of a grouping
    adoptions: int


def analyse(
    store: GraphStore, rules: LinkingRules | None = None
) -> tuple[StoreFacts, Linking, Effectiveness]:
    """Read the store, link its incidents and follow up the adoptions (no writing)."""
    rules = rules or load_linking_rules()
    facts = read_facts(store)
    linking = link_incidents(facts.incidents, rules)
    return facts, linking, effectiveness(facts.incidents, linking, rules)


def replace_links(store: GraphStore, ntriples: str, effectiveness: str) -> None:
    """Replace the links graph and, in the same transaction, the follow-up of measures (JSON,
    graph/effectiveness.py) kept beside it in the summary graph (store-internal)."""
    store.update(
        f"DROP SILENT GRAPH <{LINKS_GRAPH}> ;\n"
        f"INSERT DATA {{ GRAPH <{LINKS_GRAPH}> {{\n{ntriples}\n}} }} ;\n"
        f"DELETE WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{LINKS_GRAPH}> ?sp ?so }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{SUMMARY_GRAPH}> {{ <{LINKS_GRAPH}> "
        f"<{EFFECTIVENESS_KEY}> {ox.Literal(effectiveness)} }} }}"
    )


def kept_effectiveness(store: GraphStore) -> str | None:
    """The follow-up of measures the last link pass kept (JSON), if any."""
    found = store.query(
        f"SELECT ?text WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{LINKS_GRAPH}> "
        f"<{EFFECTIVENESS_KEY}> ?text }} }}"
    )
    for row in cast(ox.QuerySolutions, found):
        text = row[0]
        if isinstance(text, ox.Literal):
            return text.value
    return None


def relink(store: GraphStore, rules: LinkingRules | None = None) -> LinkSummary:
    """Recompute the links graph of the store (one transaction)."""
    facts, linking, found = analyse(store, rules)
    base = store.base_iri() or DEFAULT_BASE
    text = links_ntriples(linking, found, facts.body_iris, base, _same_bodies_of(store, linking))
    replace_links(store, text, to_json(found))
    counted = {linking.key(f.iri) for f in facts.incidents}
    summary = LinkSummary(
        len(facts.incidents),
        len(counted),
        len(linking.groups),
        len(linking.part_of),
        len(found.adoptions),
    )
    log.info(
        "linked %d incidents: %d distinct, %d told by several reports, %d part of a grouping, "
        "%d measure adoptions",
        summary.incidents,
        summary.counted,
        summary.groups,
        summary.parts,
        summary.adoptions,
    )
    return summary


__all__ = [
    "LinkSummary",
    "StoreFacts",
    "analyse",
    "kept_effectiveness",
    "links_ntriples",
    "read_facts",
    "relink",
    "replace_links",
    "same_bodies",
]
