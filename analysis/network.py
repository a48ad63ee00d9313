"""Network: the one projection of the store into a NetworkX graph, for analysis and views.

Every analysis (analysis/algorithms.py) and every view (views/pages.py) reads the
knowledge graph through this projection and nothing else. It is built from the
rows of the SPARQL queries in ``queries/network/*.rq`` (plain files an analyst
can read and run with ``incident-kg query --file``), in two steps:

* :func:`read_projection` (the edge: runs the queries on the store), then
* :func:`build_network` (pure: rows → :class:`networkx.MultiDiGraph`).

The queries read asserted triples and the concept schemes over the union of
the store's graphs; no inferred property is needed (the one that OWL RL adds
and the queries can also see, ``ikg:involvedOrganization`` for every
responsible organisation, is folded: a responsible organisation is never also
an "involved" one).

Nodes (id = IRI; attribute ``kind`` names the kind)

============== ================================================================
kind           attributes (besides ``kind``, ``label_ja``, ``label_en``)
============== ================================================================
incident       ``report`` (report IRI), ``key``, ``occurred``, ``discovered``,
               ``resolved`` (ISO strings at the precision given, or None),
               ``affected`` (int or None)
report         ``identifier``, ``file``, ``title``
organization   ``org_type`` (LocalGovernment, WardOffice, Section, NationalBody,
               Company, Insurer or None), ``unresolved`` (bool), ``body`` (the
               IRI of the organisation it belongs to at the top: itself when it
               has no parent)
cause, harm, countermeasure, system, procedure, actor, tier
               ``code`` (the skos:notation); a cause also ``tier`` (IRI of its
               HFACS tier node, or None)
event          ``date``, ``role`` (event-role code or None), ``sentence``
============== ================================================================

Edges (keyed by ``relation``; at most one edge per relation between two nodes)

==================== ==================== =========================================
relation             from → to            attributes
==================== ==================== =========================================
reported_in          incident → report
responsible          incident → org       ``evidence``
involved             incident → org       ``evidence`` (only when not responsible)
part_of              org → org            (org:subOrganizationOf)
has_cause            incident → cause     ``evidence``
has_harm             incident → harm      ``evidence``
has_countermeasure   incident → measure   ``evidence``
involves_system      incident → system    ``evidence``
involves_procedure   incident → procedure ``evidence``
involves_actor       incident → actor     ``evidence``
in_tier              cause → tier         (skos:broader, transitively)
has_event            incident → event
==================== ==================== =========================================

``evidence`` is a tuple of :class:`Evidence` (the sentence of the report, its
offsets in the normalised text, the lexicon rule, the confidence and, for a
cause, the causal role when the report gives one). Report text lives only in
attributes (labels, titles, sentences): whoever shows them must escape them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import networkx as nx

from incident_kg.errors import IncidentKGError
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import IKG

log = logging.getLogger(__name__)

#: The package and folder of the projection's queries (``queries/network/`` in the source).
QUERY_PACKAGE, QUERY_FOLDER = "incident_kg.queries", "network"
#: The projection's queries, by name (file stem).
QUERIES = (
    "incidents",
    "coded-facts",
    "concepts",
    "organizations",
    "organization-parts",
    "timeline",
    "incident-links",  # issue 18: analysis/linked.py
    "measure-links",
)

#: Coded-fact property → (relation of the edge, kind of the concept node).
CODED_RELATIONS: dict[str, tuple[str, str]] = {
    str(IKG.hasHarm): ("has_harm", "harm"),
    str(IKG.hasCause): ("has_cause", "cause"),
    str(IKG.hasCountermeasure): ("has_countermeasure", "countermeasure"),
    str(IKG.involvesSystem): ("involves_system", "system"),
    str(IKG.involvesProcedure): ("involves_procedure", "procedure"),
    str(IKG.involvesActorRole): ("involves_actor", "actor"),
}
#: Concept scheme (last path segment of its IRI) → node kind.
SCHEME_KINDS = {
    "harms": "harm",
    "causes": "cause",
    "countermeasures": "countermeasure",
    "systems": "system",
    "procedures": "procedure",
    "actors": "actor",
}
#: The HFACS tiers from the harm backwards (the notations of the cause-tier concepts).
TIER_ORDER = ("unsafe-act", "precondition", "supervision", "organisation")

#: One row of a query: column name → plain value (None when unbound).
Row = Mapping[str, str | None]


class ProjectionError(IncidentKGError):
    """A projection query is missing or the store cannot answer it."""


@dataclass(frozen=True)
class Evidence:
    """The sentence of a report behind one edge, as the evidence annotation gives it."""

    sentence: str
    start: int | None = None
    end: int | None = None
    rule: str | None = None
    confidence: float | None = None
    role: str | None = None  # causal role code (role-trigger, role-root-cause, …)


def load_query(name: str) -> str:
    """The text of one projection query (``queries/network/NAME.rq``)."""
    path = files(QUERY_PACKAGE).joinpath(QUERY_FOLDER, f"{name}.rq")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProjectionError(f"{path}: cannot read the projection query: {exc}") from exc


def read_projection(store: GraphStore) -> dict[str, list[dict[str, str | None]]]:
    """Run every projection query on the store (union of its graphs); rows by query name."""
    from incident_kg.queries.library import run_local

    tables: dict[str, list[dict[str, str | None]]] = {}
    for name in QUERIES:
        table = run_local(store, load_query(name))
        tables[name] = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
        log.debug("projection %s: %d rows", name, len(table.rows))
    return tables


def read_concepts(store: GraphStore) -> list[dict[str, str | None]]:
    """The rows of the concepts query (``queries/network/concepts.rq``) over the ontology's
    graphs: the concept schemes are there, whatever the size of the corpus."""
    from incident_kg.graph.store import ONTOLOGY_INFERRED
    from incident_kg.ontology.namespaces import ONTOLOGY_GRAPH
    from incident_kg.queries.library import term_value

    result = store.query(load_query("concepts"), graphs=[ONTOLOGY_GRAPH, ONTOLOGY_INFERRED])
    rows = list(result)  # type: ignore[call-overload]
    if not rows:
        return []
    columns = [v.value for v in result.variables]  # type: ignore[attr-defined]
    return [{c: term_value(row[c]) for c in columns} for row in rows]


def load_network(
    store: GraphStore,
    *,
    details: bool = True,
    relations: Collection[str] | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda it: it,
) -> nx.MultiDiGraph:
    """The projection of a store, read from the per-report summaries its build kept
    (graph/summary.py; analysis/summaries.py) and the links graph: the graph
    :func:`build_network` makes of the rows of the projection queries
    (:func:`read_projection`), without asking the store to join anything.  With ``details``
    false the evidence of the edges and the timeline events are left out until
    :func:`load_details` reads them, for the incidents a command shows; the store must then
    stay open until it does.  ``relations`` names the relations of an incident to draw
    besides those to its organisations (``has_cause``, ``reported_in``, ``has_event``…; all
    by default): a command draws what it reads.  ``progress`` wraps the reading of the
    reports' summaries (a progress bar)."""
    from .summaries import network_of_store

    return network_of_store(store, details=details, relations=relations, progress=progress)


def load_details(g: nx.MultiDiGraph, incidents: Iterable[str] | None = None) -> None:
    """Read the evidence and timeline of ``incidents`` (all when None) into a network that
    :func:`load_network` read without them; nothing to do for any other network."""
    from .summaries import SOURCE
    from .summaries import load_details as load

    source = g.graph.get(SOURCE)
    if source is None or source.complete:
        return
    load(g, None if incidents is None else list(incidents))


def read_summaries(store: GraphStore) -> list[tuple[str, dict[str, object]]]:
    """(report graph, summary) of every report graph (analysis/summaries.py)."""
    from .summaries import read_summaries as read

    return read(store)


# -- pure part -----------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _local(iri: str | None) -> str | None:
    """The last segment of an IRI (after ``#`` or ``/``)."""
    if iri is None:
        return None
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _evidence(row: Row) -> Evidence | None:
    sentence = row.get("sentence")
    if not sentence:
        return None
    return Evidence(
        sentence=sentence,
        start=_int(row.get("start")),
        end=_int(row.get("end")),
        rule=row.get("rule"),
        confidence=_float(row.get("confidence")),
        role=row.get("role"),
    )


def _add_edge(
    g: nx.MultiDiGraph, source: str | None, target: str | None, relation: str
) -> dict[str, object]:
    """The attribute dict of the (source, target, relation) edge, created when absent."""
    if not g.has_edge(source, target, key=relation):
        g.add_edge(source, target, key=relation, relation=relation, evidence=())
    data: dict[str, object] = g.edges[source, target, relation]
    return data


def add_plain_edge(g: nx.MultiDiGraph, source: str, target: str, relation: str) -> None:
    """``g.add_edge(source, target, key=relation, relation=relation, evidence=())`` for two
    nodes already in ``g``: the same adjacency (one key dict shared by both directions, as
    NetworkX keeps it), without NetworkX's checks and cache clearing per call — the
    projection adds some 100,000 edges at 10,000 reports.  Call ``g``'s
    ``__networkx_cache__.clear()`` when done."""
    keydict = g._succ[source].get(target)
    if keydict is None:
        keydict = g._succ[source][target] = g._pred[target][source] = {}
    data = keydict.get(relation)
    if data is None:
        keydict[relation] = {"relation": relation, "evidence": ()}
    else:
        data.update(relation=relation, evidence=())


def copy_part(
    g: nx.MultiDiGraph,
    nodes: Collection[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> nx.MultiDiGraph:
    """A copy of ``g`` (its part on ``nodes``: the subgraph they induce), each node renamed
    by ``names`` (the others keep theirs): what ``g.subgraph(nodes).copy()`` and
    ``nx.relabel_nodes(g, names)`` give — node and edge attribute dicts copied one level,
    the graph's attributes shared — in one pass over the adjacency, where NetworkX's views
    and per-edge checks took seconds for a cause page of 10,000 nodes.  Two nodes renamed to
    one name are merged as :func:`networkx.relabel_nodes` merges them."""
    names = names or {}
    keep = g._node if nodes is None else {n: d for n, d in g._node.items() if n in nodes}
    new = {n: names.get(n, n) for n in keep}
    if len(set(new.values())) < len(new):  # a merge: NetworkX's own rules
        part = g if nodes is None else g.subgraph(keep).copy()
        return nx.relabel_nodes(part, dict(names), copy=True)
    out = nx.MultiDiGraph()
    out.graph.update(g.graph)
    succ, pred = out._succ, out._pred
    for n, data in keep.items():
        out._node[new[n]] = data.copy()
        succ[new[n]] = {}
        pred[new[n]] = {}
    for u in keep:
        mine = succ[new[u]]
        for v, keydict in g._succ[u].items():
            if v not in keep:
                continue
            copied = {key: data.copy() for key, data in keydict.items()}
            mine[new[v]] = copied
            pred[new[v]][new[u]] = copied
    return out


def _evidence_order(e: Evidence) -> tuple[int, int, str, str]:
    return (e.start if e.start is not None else -1, e.end or -1, e.sentence, e.rule or "")


def _add_evidence(data: dict[str, object], evidence: Evidence | None) -> None:
    """Add one piece of evidence to an edge; kept sorted by position so that the
    projection does not depend on the order of the rows."""
    current = data.get("evidence", ())
    assert isinstance(current, tuple)
    if evidence is not None and evidence not in current:
        data["evidence"] = tuple(sorted((*current, evidence), key=_evidence_order))


def _add_concepts(g: nx.MultiDiGraph, rows: Iterable[Row]) -> dict[str, dict[str, object]]:
    """Concept attributes by IRI (all concepts of the schemes; only used ones become nodes)."""
    concepts: dict[str, dict[str, object]] = {}
    for row in rows:
        iri = row["concept"]
        scheme = _local(row.get("scheme"))
        if iri is None or scheme not in SCHEME_KINDS:
            continue
        kind = SCHEME_KINDS[scheme]
        code = row.get("code") or _local(iri) or iri
        if iri in concepts and concepts[iri]["kind"] == "tier":
            continue
        tier = row.get("tier")
        concepts[iri] = {
            "kind": "tier" if row.get("is_tier") == "true" else kind,
            "code": code,
            "label_ja": row.get("label_ja") or row.get("label_en") or code,
            "label_en": row.get("label_en") or row.get("label_ja") or code,
            "tier": tier if kind == "cause" and tier != iri else None,
        }
    return concepts


def _ensure_concept(
    g: nx.MultiDiGraph, concepts: Mapping[str, dict[str, object]], iri: str, kind: str
) -> None:
    if iri in g:
        return
    attrs = dict(concepts.get(iri) or {"kind": kind, "code": _local(iri) or iri})
    attrs.setdefault("label_ja", attrs["code"])
    attrs.setdefault("label_en", attrs["code"])
    g.add_node(iri, **attrs)
    tier = attrs.get("tier")
    if attrs["kind"] == "cause" and isinstance(tier, str):
        _ensure_concept(g, concepts, tier, "tier")
        _add_edge(g, iri, tier, "in_tier")


def _ensure_organization(
    g: nx.MultiDiGraph, iri: str, label: str | None, org_type: str | None, unresolved: bool
) -> None:
    if iri not in g:
        name = label or _local(iri) or iri
        g.add_node(
            iri, kind="organization", label_ja=name, label_en=name, org_type=None, unresolved=False
        )
    node = g.nodes[iri]
    if label and node["label_ja"] == (_local(iri) or iri):
        node["label_ja"] = node["label_en"] = label
    if org_type:
        known = node.get("org_type")
        node["org_type"] = min(filter(None, (known, _local(org_type))))
    node["unresolved"] = bool(node.get("unresolved")) or unresolved


def body_of(g: nx.MultiDiGraph, organization: str) -> str:
    """The organisation at the top of ``organization``'s part-of chain (itself if none).

    A chain with a cycle (bad data) stops at the first organisation seen twice."""
    seen = {organization}
    current = organization
    while True:
        parents = sorted(
            t for _, t, k in g.out_edges(current, keys=True) if k == "part_of" and t not in seen
        )
        if not parents:
            return current
        current = parents[0]
        seen.add(current)


def build_network(tables: Mapping[str, Iterable[Row]]) -> nx.MultiDiGraph:
    """The projection graph from the rows of the projection queries (see the module doc)."""
    g = nx.MultiDiGraph()
    concepts = _add_concepts(g, tables.get("concepts", ()))
    for iri, attrs in concepts.items():  # the tiers always, for chains that lack one
        if attrs["kind"] == "tier":
            _ensure_concept(g, concepts, iri, "tier")

    for row in tables.get("incidents", ()):
        incident, report = row["incident"], row["report"]
        if incident is None or report is None:
            continue
        rid = row.get("report_id") or _local(report) or report
        if report not in g:
            g.add_node(
                report,
                kind="report",
                identifier=rid,
                file=row.get("report_file"),
                title=row.get("report_title"),
                label_ja=row.get("report_title") or rid,
                label_en=row.get("report_file") or rid,
            )
        key = row.get("key") or _local(incident) or incident
        g.add_node(
            incident,
            kind="incident",
            report=report,
            key=key,
            label_ja=row.get("label") or f"{rid} {key}",
            label_en=f"{rid} {key}",
            occurred=row.get("occurred"),
            discovered=row.get("discovered"),
            resolved=row.get("resolved"),
            affected=_int(row.get("affected")),
        )
        _add_edge(g, incident, report, "reported_in")

    for row in tables.get("coded-facts", ()):
        incident, prop, concept = row["incident"], row["property"], row["concept"]
        if incident not in g or prop not in CODED_RELATIONS or concept is None:
            continue
        relation, kind = CODED_RELATIONS[prop]
        _ensure_concept(g, concepts, concept, kind)
        _add_evidence(_add_edge(g, incident, concept, relation), _evidence(row))

    for row in tables.get("organization-parts", ()):
        org, parent = row["organization"], row["parent"]
        if org is None or parent is None or org == parent:
            continue
        _ensure_organization(
            g, org, row.get("label"), row.get("type"), row.get("unresolved") == "true"
        )
        _ensure_organization(g, parent, row.get("parent_label"), row.get("parent_type"), False)
        _add_edge(g, org, parent, "part_of")

    org_rows = list(tables.get("organizations", ()))
    responsible = {
        (r["incident"], r["organization"])
        for r in org_rows
        if r.get("relation") == str(IKG.responsibleOrganization)
    }
    for row in org_rows:
        incident, org = row["incident"], row["organization"]
        if incident not in g or org is None:
            continue
        _ensure_organization(
            g, org, row.get("label"), row.get("type"), row.get("unresolved") == "true"
        )
        relation = "responsible" if (incident, org) in responsible else "involved"
        _add_evidence(_add_edge(g, incident, org, relation), _evidence(row))

    for row in tables.get("timeline", ()):
        incident, event = row["incident"], row["event"]
        if incident not in g or event is None:
            continue
        date = row.get("date") or ""
        role = row.get("role")
        if event not in g:
            g.add_node(
                event,
                kind="event",
                date=date,
                role=role,
                sentence=row.get("sentence"),
                label_ja=f"{date} {row.get('label_ja') or role or ''}".strip(),
                label_en=f"{date} {row.get('label_en') or role or ''}".strip(),
            )
        else:  # several annotations: keep one sentence, whatever the row order
            found = [g.nodes[event].get("sentence"), row.get("sentence")]
            g.nodes[event]["sentence"] = min((s for s in found if s), default=None)
        _add_edge(g, incident, event, "has_event")

    for node, data in g.nodes(data=True):
        if data["kind"] == "organization":
            data["body"] = body_of(g, node)
    from .linked import link_projection  # one node per event, measures tied to causes

    link_projection(g, tables)
    return g


# -- reading the projection ------------------------------------------------------------------


def nodes_of_kind(g: nx.MultiDiGraph, kind: str) -> list[str]:
    """The nodes of one kind, sorted by id."""
    return sorted(n for n, k in g.nodes(data="kind") if k == kind)


def targets(g: nx.MultiDiGraph, node: str, relation: str) -> list[str]:
    """The nodes ``node`` points to by ``relation``, sorted (an incident's timeline events
    read from the store first when the network was loaded without them)."""
    if relation == "has_event":
        load_details(g, [node])
    # the MultiDiGraph's own adjacency (target → key → data): through g.succ's views this
    # was most of the time of writing the views
    return sorted(t for t, keys in g._succ[node].items() if relation in keys)


def sources(g: nx.MultiDiGraph, node: str, relation: str) -> list[str]:
    """The nodes that point to ``node`` by ``relation``, sorted."""
    return sorted(s for s, keys in g._pred[node].items() if relation in keys)


def incidents_with_cause(g: nx.MultiDiGraph, concept: str) -> set[str]:
    """The incidents with this cause, or with any cause of this tier (not sorted: at 100,000
    reports the ranking asks for every cause's)."""
    pred = g._pred  # the MultiDiGraph's own adjacency, as :func:`sources`
    tier = g._node[concept]["kind"] == "tier"
    causes = [c for c, keys in pred[concept].items() if "in_tier" in keys] if tier else [concept]
    return {i for c in causes for i, keys in pred[c].items() if "has_cause" in keys}


def evidence(g: nx.MultiDiGraph, source: str, target: str, relation: str) -> tuple[Evidence, ...]:
    """The evidence of one edge (empty when the edge has none or does not exist), read from
    the store first when the network was loaded without it (:func:`load_network`)."""
    if not g.has_edge(source, target, key=relation):
        return ()
    load_details(g, [source])
    found = g.edges[source, target, relation].get("evidence", ())
    return tuple(found)


def incident_organizations(g: nx.MultiDiGraph, incident: str) -> list[str]:
    """The organisations answerable for an incident: the responsible ones, else the involved."""
    return targets(g, incident, "responsible") or targets(g, incident, "involved")


def incident_bodies(g: nx.MultiDiGraph, incident: str) -> list[str]:
    """The bodies (top organisations) answerable for an incident, sorted."""
    return sorted({g.nodes[o]["body"] for o in incident_organizations(g, incident)})


def label(g: nx.MultiDiGraph, node: str, lang: str = "en") -> str:
    """A node's label in ``lang`` (ja or en)."""
    data = g.nodes[node]
    return str(data.get(f"label_{lang}") or data.get("label_ja") or node)


def find_incident(g: nx.MultiDiGraph, text: str) -> str:
    """The incident named by ``text``: its IRI, or a unique ending of it such as
    ``003_4a1ccabbb4d700a7/incident/2`` — or of any report's telling folded into it."""
    incidents = nodes_of_kind(g, "incident")
    if text in incidents:
        return text
    accounts = {a: i for i in incidents for a in g.nodes[i].get("accounts", (i,))}
    if text in accounts:
        return accounts[text]
    ending = "/" + text.strip("/")
    matches = sorted({i for a, i in accounts.items() if a.endswith(ending)})
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise IncidentKGError(
            f"no incident {text!r} in the store (`incident-kg query incidents` lists them)"
        )
    raise IncidentKGError(f"{text!r} names {len(matches)} incidents: give more of the IRI")


def find_concept(g: nx.MultiDiGraph, code: str, kinds: tuple[str, ...] = ("cause", "tier")) -> str:
    """The concept node with this code (or IRI) among the given kinds."""
    for node, data in g.nodes(data=True):
        if data["kind"] in kinds and (data.get("code") == code or node == code):
            return str(node)
    raise IncidentKGError(f"no {'/'.join(kinds)} {code!r} in the store's incidents")
