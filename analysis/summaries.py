"""The projection read from the per-report summaries the build keeps (graph/summary.py).

:func:`network_from_summaries` gives the graph :func:`~.network.build_network` gives from the
rows of the projection queries (``queries/network/*.rq``) — the tests compare them on the
seeds — without asking the store to join anything: one scan of the summaries, a JSON parse
per report.  The evidence of the edges and the timeline events (the *details*) are read
only for the reports a command shows (:func:`load_details`), or for every report when a
command shows them all (``view``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from incident_kg.graph.store import GraphStore
from incident_kg.graph.summary import RELATIONS, long, short, summarise

from .network import (
    CODED_RELATIONS,
    Evidence,
    ProjectionError,
    Row,
    _add_concepts,
    _add_edge,
    _add_evidence,
    _ensure_concept,
    _local,
    body_of,
)

log = logging.getLogger(__name__)

#: Where a network read from summaries keeps what it needs to read details later.
SOURCE = "summary_source"
_RESPONSIBLE, _INVOLVED = RELATIONS


@dataclass
class DetailSource:
    """The store a network was read from, and which of its reports' details are in it."""

    store: GraphStore
    graph_of: dict[str, str]  # report IRI → report graph IRI
    notation: dict[str, str]  # concept IRI → notation (causal and event roles)
    labels: dict[str, tuple[str | None, str | None]]  # concept IRI → (ja, en)
    events: bool = True  # whether timeline events are drawn
    loaded: set[str] = field(default_factory=set)  # report IRIs whose details are in
    complete: bool = False  # every report's details are in
    #: applied to every text of the details read from now on (views redact personal data)
    clean: Callable[[str], str] | None = None


def concept_tables(rows: Iterable[Row]) -> tuple[dict[str, str], dict[str, tuple[Any, Any]]]:
    """Notation and (ja, en) labels of every concept of the concepts query's rows."""
    notation: dict[str, str] = {}
    labels: dict[str, tuple[Any, Any]] = {}
    for row in rows:
        iri = row.get("concept")
        if iri is None:
            continue
        if row.get("code"):
            notation.setdefault(iri, str(row["code"]))
        labels.setdefault(iri, (row.get("label_ja"), row.get("label_en")))
    return notation, labels


def read_summaries(store: GraphStore) -> list[tuple[str, dict[str, Any]]]:
    """(report graph, summary) of every report graph.  A store whose report graphs were
    written before summaries were kept has none: they are then made from its graphs (slow
    on a large store; ``incident-kg build`` again writes them)."""
    found = [(graph, json.loads(text)) for graph, text in store.summaries()]
    if found:
        return found
    graphs = store.report_graphs()
    if graphs:
        log.warning("the store keeps no summaries: reading %d report graphs", len(graphs))
    shared = store.shared_parts()
    out = []
    for graph in graphs:
        triples = store.graph_triples([graph])
        extra = shared[graph].asserted if graph in shared else ""
        if extra:
            import pyoxigraph as ox

            triples += [
                (str(t.subject), str(t.predicate), str(t.object))
                for t in ox.parse(extra, format=ox.RdfFormat.N_TRIPLES)
            ]
        out.append((graph, json.loads(summarise(triples)[0])))
    return out


def _organization_attrs(iri: str, info: Mapping[str, Any] | None, linked: bool) -> dict[str, Any]:
    """An organisation node's attributes, as :func:`~.network._ensure_organization` makes
    them from the query rows: its label (the least when several), its ikg: class (the least)
    and whether its name is unresolved (said only where it is a unit or linked to an
    incident: the parent columns of the queries carry no such flag)."""
    name = _local(iri) or iri
    labels = info["labels"] if info else ()
    label = min(labels) if labels else name
    types = sorted(t for t in (_local(x) for x in (info["types"] if info else ())) if t)
    return {
        "kind": "organization",
        "label_ja": label,
        "label_en": label,
        "org_type": types[0] if types else None,
        "unresolved": bool(linked and info and info["unresolved"]),
    }


def _merged_organizations(
    summaries: Iterable[tuple[str, Mapping[str, Any]]],
) -> dict[str, dict[str, Any]]:
    """What every report says of each organisation, merged (labels, classes, parents)."""
    merged: dict[str, dict[str, Any]] = {}
    for _, summary in summaries:
        report = summary.get("report", "")
        for iri, labels, types, unresolved, parents in summary.get("organizations", ()):
            into = merged.get(iri)
            if into is None:
                into = merged[iri] = {
                    "labels": set(),
                    "types": set(),
                    "unresolved": False,
                    "parents": set(),
                }
            into["labels"].update(labels)
            into["types"].update(long(t, report) for t in types)
            into["unresolved"] = into["unresolved"] or unresolved
            into["parents"].update(parents)
    return merged


#: Every relation from an incident to a code, its report or its timeline events (the
#: projection's, besides those to organisations).
ALL_RELATIONS = frozenset(
    (*(relation for relation, _ in CODED_RELATIONS.values()), "reported_in", "has_event")
)


def network_from_summaries(
    summaries: Iterable[tuple[str, Mapping[str, Any]]],
    concept_rows: Iterable[Row],
    relations: Collection[str] = ALL_RELATIONS,
) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """The projection (without details) from the summaries, and each report's graph.
    ``relations`` names the relations of an incident to draw besides those to its
    organisations (all by default): a command that needs only the causes draws a third of
    the edges."""
    summaries = list(summaries)
    g = nx.MultiDiGraph()
    concepts = _add_concepts(g, concept_rows)
    for iri, attrs in concepts.items():  # the tiers always, for chains that lack one
        if attrs["kind"] == "tier":
            _ensure_concept(g, concepts, iri, "tier")
    # a coded property as the summaries write it (ikg:hasCause) → (relation, kind)
    coded_by_prop = {short(p, ""): rk for p, rk in CODED_RELATIONS.items() if rk[0] in relations}
    graph_of: dict[str, str] = {}
    links: list[tuple[str, str, str]] = []  # (incident, relation as stated, organisation)
    concept_of: dict[str, str] = {}  # a code as written → its IRI (a few hundred, many times)
    reported_in = "reported_in" in relations
    for graph, summary in summaries:
        report = summary.get("report", "")
        for row in summary.get("incidents", ()):
            iri, reported = long(row[0], report), row[1] and long(row[1], report)
            if not reported:
                continue
            key, label, occurred, discovered, resolved, affected, facts, orgs = row[2:]
            graph_of.setdefault(reported, graph)
            if reported_in and reported not in g:  # report nodes only when they are drawn
                own = reported == report
                rid = (summary.get("id") if own else None) or _local(reported) or reported
                file = summary.get("file") if own else None
                title = summary.get("title") if own else None
                g.add_node(
                    reported,
                    kind="report",
                    identifier=rid,
                    file=file,
                    title=title,
                    label_ja=title or rid,
                    label_en=file or rid,
                )
            rid = (
                (summary.get("id") if reported == report else None) or _local(reported) or reported
            )
            key = key or _local(iri) or iri
            g.add_node(
                iri,
                kind="incident",
                report=reported,
                key=key,
                label_ja=label or f"{rid} {key}",
                label_en=f"{rid} {key}",
                occurred=occurred,
                discovered=discovered,
                resolved=resolved,
                affected=_int(affected),
            )
            if reported_in:
                g.add_edge(iri, reported, key="reported_in", relation="reported_in", evidence=())
            for prop, code in facts:
                found = coded_by_prop.get(prop)
                if found is None:
                    continue
                concept = concept_of.get(code)
                if concept is None:
                    concept = concept_of[code] = long(code, report)
                if concept not in g:
                    _ensure_concept(g, concepts, concept, found[1])
                g.add_edge(iri, concept, key=found[0], relation=found[0], evidence=())
            links += [(iri, long(r, report), long(o, report)) for r, o in orgs]
    organizations = _merged_organizations(summaries)
    linked: dict[str, bool] = {}  # organisations drawn → whether as a unit or linked
    parts: list[tuple[str, str]] = []
    for iri, info in sorted(organizations.items()):
        for parent in sorted(info["parents"] - {iri}):
            linked[iri] = True
            linked.setdefault(parent, False)
            parts.append((iri, parent))
    links = [(i, r, o) for i, r, o in links if i in g]
    for _, _, org in links:
        linked[org] = True
    g.add_nodes_from(
        (org, _organization_attrs(org, organizations.get(org), flag))
        for org, flag in linked.items()
    )
    for iri, parent in parts:
        g.add_edge(iri, parent, key="part_of", relation="part_of", evidence=())
    responsible = {(i, o) for i, r, o in links if r == _RESPONSIBLE}
    for incident, _relation, org in links:
        relation = "responsible" if (incident, org) in responsible else "involved"
        g.add_edge(incident, org, key=relation, relation=relation, evidence=())
    for node in linked:
        g.nodes[node]["body"] = body_of(g, node)
    return g, graph_of


def _int(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def _float(value: object) -> float | None:
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def redact_details_as_read(g: nx.MultiDiGraph, clean: Callable[[str], str]) -> None:
    """Let ``g`` (a copy of a network read from summaries, its texts cleaned) clean the texts
    of the details it reads from now on: a copy of its source, so the original is unchanged."""
    source: DetailSource | None = g.graph.get(SOURCE)
    if source is not None:
        g.graph[SOURCE] = replace(source, loaded=set(source.loaded), clean=clean)


def attach_details(g: nx.MultiDiGraph, details: Mapping[str, Any], source: DetailSource) -> None:
    """Put one report's details into the network: evidence on the edges it supports, its
    timeline events as nodes (as the projection queries give them), their texts through
    ``source.clean`` when the network is a redacted copy."""
    report = str(details.get("report", ""))
    if source.clean is not None:
        clean = source.clean
        details = {
            **details,
            "evidence": [
                [*row[:3], None if row[3] is None else clean(row[3]), *row[4:]]
                for row in details.get("evidence", ())
            ],
        }
    sentences: dict[str, list[str]] = {}
    for row in details.get("evidence", ()):
        incident, prop, body, sentence, start, end, rule, confidence, role = row
        if body is None or sentence is None:
            continue
        incident, body = long(incident or "", report), long(body, report)
        sentences.setdefault(body, []).append(sentence)
        if incident not in g:
            continue
        coded = CODED_RELATIONS.get(long(prop or "", report))
        if coded is not None and g.has_edge(incident, body, key=coded[0]):
            evidence = Evidence(
                sentence=sentence,
                start=_int(start),
                end=_int(end),
                rule=rule,
                confidence=_float(confidence),
                role=source.notation.get(long(role, report)) if role else None,
            )
            _add_evidence(g.edges[incident, body, coded[0]], evidence)
        for relation in ("responsible", "involved"):  # any annotation naming the body
            if g.has_edge(incident, body, key=relation):
                _add_evidence(g.edges[incident, body, relation], Evidence(sentence=sentence))
    for incident, event, date, role_short in details.get("events", ()):
        incident, event = long(incident, report), long(event, report)
        if incident not in g or not source.events:
            continue
        role_iri = long(role_short, report) if role_short else None
        role = source.notation.get(role_iri) if role_iri else None
        ja, en = source.labels.get(role_iri, (None, None)) if role_iri else (None, None)
        if event not in g:
            g.add_node(
                event,
                kind="event",
                date=date,
                role=role,
                sentence=min(sentences.get(event, []), default=None),
                label_ja=f"{date} {ja or role or ''}".strip(),
                label_en=f"{date} {en or role or ''}".strip(),
            )
        _add_edge(g, incident, event, "has_event")


def load_details(g: nx.MultiDiGraph, incidents: Collection[str] | None = None) -> None:
    """Read the details (evidence, timeline) of the reports of ``incidents`` — of every
    report when None — into a network read from summaries; a no-op for any other network
    and for reports already read.  The store the network was read from must still be open."""
    source: DetailSource | None = g.graph.get(SOURCE)
    if source is None:
        return
    if incidents is None:
        wanted = set(source.graph_of) - source.loaded
        if not wanted:
            return
        graphs = {graph: report for report, graph in source.graph_of.items()}
        for graph, text in source.store.all_summary_details():
            if graphs.get(graph) in wanted:
                attach_details(g, json.loads(text), source)
        source.loaded |= wanted
        source.complete = True
        return
    reports = {g.nodes[i].get("report") for i in incidents if i in g} - source.loaded - {None}
    for report in sorted(reports):
        graph = source.graph_of.get(report)
        text = source.store.summary_details(graph) if graph is not None else None
        if text is None:
            raise ProjectionError(f"no details kept for report {report}")
        attach_details(g, json.loads(text), source)
        source.loaded.add(report)
