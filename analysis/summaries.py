"""The projection read from the per-report summaries the build keeps (graph/summary.py).

:func:`network_from_summaries` gives the graph :func:`~.network.build_network` gives from the
rows of the projection queries (``queries/network/*.rq``) — the tests compare them on the
seeds — without asking the store to join anything: one scan of the summaries, a JSON parse
per report.  The evidence of the edges and the timeline events (the *details*) are read
only for the reports a command shows (:func:`load_details`), or for every report when a
command shows them all (``view``).

The link pass's part (analysis/linked.py) is applied as :func:`~.network.build_network`
applies it: the incidents one event (from the links graph the link pass rewrites after every
build, read whole at load — a few milliseconds) folded into one node, organisations merged
by name, and each measure tied to the causes it addresses (from the summaries).  Details
read later go to the node that now stands for their incident or organisation, a re-told
timeline event dropped as the fold drops it, so a network read lazily ends as the eager
one (the tests compare both with the projection queries' on a store with linked incidents).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from incident_kg.collector import paused_collector
from incident_kg.graph.store import GraphStore
from incident_kg.graph.summary import RELATIONS, long, short, summarise, summary_digest

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
    add_plain_edge,
    body_of,
    load_query,
    read_concepts,
)

log = logging.getLogger(__name__)

#: Where a network read from summaries keeps what it needs to read details later.
SOURCE = "summary_source"
_RESPONSIBLE, _INVOLVED = RELATIONS


@dataclass
class DetailSource:
    """The store a network was read from, which of its reports' details are in it, and where
    the details of each incident and organisation go now that the network is folded."""

    store: GraphStore
    graph_of: dict[str, str]  # report IRI → report graph IRI
    notation: dict[str, str]  # concept IRI → notation (causal and event roles)
    labels: dict[str, tuple[str | None, str | None]]  # concept IRI → (ja, en)
    events: bool = True  # whether timeline events are drawn
    loaded: set[str] = field(default_factory=set)  # report graphs whose details are in
    complete: bool = False  # every report's details are in
    #: applied to every text of the details read from now on (views redact personal data)
    clean: Callable[[str], str] | None = None
    #: an incident folded into another, an organisation merged into another → the node that
    #: stands for it (analysis/linked.py)
    alias: dict[str, str] = field(default_factory=dict)
    #: (incident, organisation) → ``responsible`` or ``involved``, as the incident's report
    #: states it (the edge its evidence goes to)
    org_relation: dict[tuple[str, str], str] = field(default_factory=dict)
    #: incident node → its accounts, the one it is counted as first (the fold's order)
    accounts_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: incident node → the report graphs that tell it; report graph → the nodes it tells
    graphs_of: dict[str, set[str]] = field(default_factory=dict)
    nodes_of_graph: dict[str, set[str]] = field(default_factory=dict)
    #: node names as shown (a view's pseudonyms, privacy/pseudonyms.py), and back
    rename: Callable[[str], str] | None = None
    shown: dict[str, str] = field(default_factory=dict)

    def node(self, iri: str) -> str:
        """The node that stands for ``iri`` (an incident, organisation, event or concept)."""
        found = self.alias.get(iri, iri)
        return self.rename(found) if self.rename is not None else found

    def index(self, g: nx.MultiDiGraph) -> None:
        """Record each incident node's accounts and report graphs (as the fold left them)."""
        for node, data in g.nodes(data=True):
            if data.get("kind") != "incident":
                continue
            accounts = tuple(data.get("accounts", (node,)))
            self.accounts_of[node] = (node, *(a for a in accounts if a != node))
            reports = data.get("reports", (data.get("report"),))
            graphs = {self.graph_of[r] for r in reports if r in self.graph_of}
            self.graphs_of[node] = graphs
            for graph in graphs:
                self.nodes_of_graph.setdefault(graph, set()).add(node)

    def graphs_for(self, nodes: Iterable[str]) -> set[str]:
        """The report graphs whose details the incident nodes ``nodes`` (as shown) need:
        theirs, and those of every node one of these graphs also tells (a fold's timeline is
        settled with all its accounts at once)."""
        todo = [self.shown.get(n, n) for n in nodes]
        graphs: set[str] = set()
        seen: set[str] = set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for graph in self.graphs_of.get(node, ()):
                if graph not in graphs:
                    graphs.add(graph)
                    todo += self.nodes_of_graph.get(graph, ())
        return graphs


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


def read_summaries(
    store: GraphStore, progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda it: it
) -> list[tuple[str, dict[str, Any]]]:
    """(report graph, summary) of every report graph, each passed through ``progress`` as it
    is read (a progress bar).  A store whose report graphs were written before summaries
    were kept has none: they are then made from its graphs (slow on a large store;
    ``incident-kg build`` again writes them)."""
    found = [(graph, json.loads(text)) for graph, text in progress(store.summaries())]
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


def _merge_organizations(merged: dict[str, dict[str, Any]], summary: Mapping[str, Any]) -> None:
    """Merge what one report says of each organisation (labels, classes, parents) into
    ``merged``."""
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


#: Every relation from an incident to a code, its report or its timeline events (the
#: projection's, besides those to organisations).
ALL_RELATIONS = frozenset(
    (*(relation for relation, _ in CODED_RELATIONS.values()), "reported_in", "has_event")
)


@dataclass(frozen=True)
class Summarised:
    """What :func:`network_from_summaries` read besides the network."""

    graph_of: dict[str, str]  # report IRI → report graph IRI
    org_relation: dict[tuple[str, str], str]  # (incident, organisation) → relation
    measure_links: list[Row]  # the rows queries/network/measure-links.rq gives


def network_from_summaries(
    summaries: Iterable[tuple[str, Mapping[str, Any]]],
    concept_rows: Iterable[Row],
    relations: Collection[str] = ALL_RELATIONS,
) -> tuple[nx.MultiDiGraph, Summarised]:
    """The projection (without details, before the link pass's part) from the summaries,
    and what else was read of them.  ``relations`` names the relations of an incident to
    draw besides those to its organisations (all by default): a command that needs only
    the causes draws a third of the edges.  Each summary is read once, as it comes (a
    generator of parsed summaries is never held whole: ~0.8 GB at 100,000 reports)."""
    concept_rows = list(concept_rows)
    notation, _ = concept_tables(concept_rows)
    organizations: dict[str, dict[str, Any]] = {}
    measures: list[Row] = []  # the measure links go on has_countermeasure edges: none without
    with_measures = "has_countermeasure" in relations
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
    relation_of = {short(r, ""): r for r in RELATIONS}  # as the summaries write them
    for graph, summary in summaries:
        report = summary.get("report", "")
        _merge_organizations(organizations, summary)
        if with_measures:
            measures += _measure_rows(summary, notation)
        told = {report: [summary.get(n) for n in ("id", "file", "title")]}  # id, file, title
        told.update(summary.get("other_reports", {}))
        for row in summary.get("incidents", ()):
            iri, reported = long(row[0], report), row[1] and long(row[1], report)
            if not reported:
                continue
            key, label, occurred, discovered, resolved, affected, facts, orgs = row[2:]
            graph_of.setdefault(reported, graph)
            said, file, title = told.get(reported, (None, None, None))
            rid = said or _local(reported) or reported
            if reported_in and reported not in g:  # report nodes only when they are drawn
                g.add_node(
                    reported,
                    kind="report",
                    identifier=rid,
                    file=file,
                    title=title,
                    label_ja=title or rid,
                    label_en=file or rid,
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
                add_plain_edge(g, iri, reported, "reported_in")
            for prop, code in facts:
                found = coded_by_prop.get(prop)
                if found is None:
                    continue
                concept = concept_of.get(code)
                if concept is None:
                    concept = concept_of[code] = long(code, report)
                if concept not in g:
                    _ensure_concept(g, concepts, concept, found[1])
                add_plain_edge(g, iri, concept, found[0])
            links += [
                (iri, relation_of.get(r) or long(r, report), long(o, report)) for r, o in orgs
            ]
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
        add_plain_edge(g, iri, parent, "part_of")
    responsible = {(i, o) for i, r, o in links if r == _RESPONSIBLE}
    org_relation: dict[tuple[str, str], str] = {}
    for incident, _relation, org in links:
        relation = "responsible" if (incident, org) in responsible else "involved"
        org_relation[(incident, org)] = relation
        add_plain_edge(g, incident, org, relation)
    g.__networkx_cache__.clear()
    for node in linked:
        g.nodes[node]["body"] = body_of(g, node)
    return g, Summarised(graph_of, org_relation, measures)


def _measure_rows(summary: Mapping[str, Any], notation: Mapping[str, str]) -> list[Row]:
    """The countermeasure links of one summary, as queries/network/measure-links.rq gives
    them (a link whose basis has no notation is left out, as the query leaves it)."""
    rows: list[Row] = []
    report = summary.get("report", "")
    for incident, measure, cause, basis, rule, sentence in summary.get("measure_links", ()):
        code = notation.get(long(basis, report))
        if code is None:
            continue
        rows.append(
            {
                "incident": long(incident, report),
                "measure": long(measure, report),
                "cause": long(cause, report),
                "basis": code,
                "rule": rule,
                "sentence": sentence,
            }
        )
    return rows


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


def redact_details_as_read(
    g: nx.MultiDiGraph,
    clean: Callable[[str], str],
    rename: Callable[[str], str] | None = None,
    known: Mapping[str, str] | None = None,
) -> None:
    """Let ``g`` (a copy of a network read from summaries, its texts cleaned and, with
    ``rename``, its nodes renamed by it) clean the texts of the details it reads from now on
    and put them on the renamed nodes: a copy of its source, so the original is unchanged.
    ``known`` maps the new names of ``g``'s nodes back (a page's: the corpus's other
    incidents are then not renamed, as no detail of theirs is read into ``g``)."""
    source: DetailSource | None = g.graph.get(SOURCE)
    if source is None:
        return
    shown = source.shown
    if rename is not None and known is not None:
        shown = {new: old for new, old in known.items() if old in source.graphs_of}
    elif rename is not None:
        shown = {rename(node): node for node in source.graphs_of}
    g.graph[SOURCE] = replace(
        source,
        loaded=set(source.loaded),
        clean=clean,
        rename=rename or source.rename,
        shown=shown,
    )


def _evidence_of(row: Sequence[Any], report: str, source: DetailSource) -> Evidence:
    _, _, _, sentence, start, end, rule, confidence, role = row
    return Evidence(
        sentence=sentence,
        start=_int(start),
        end=_int(end),
        rule=rule,
        confidence=_float(confidence),
        role=source.notation.get(long(role, report)) if role else None,
    )


def _attach_evidence(
    g: nx.MultiDiGraph, details: Mapping[str, Any], source: DetailSource
) -> dict[str, list[str]]:
    """Put one report's evidence on the edges it supports (the edges of the nodes that now
    stand for its incidents and organisations); the sentences that tell each event."""
    report = str(details.get("report", ""))
    sentences: dict[str, list[str]] = {}
    iris: dict[str, str] = {}  # an IRI as the details write it → in full (each once)
    succ = g._succ
    for row in details.get("evidence", ()):
        incident, prop, body, sentence = row[0], row[1], row[2], row[3]
        if body is None or sentence is None:
            continue
        if source.clean is not None:
            sentence = source.clean(sentence)
            row = [*row[:3], sentence, *row[4:]]
        incident = iris.get(incident) or iris.setdefault(incident, long(incident or "", report))
        body = iris.get(body) or iris.setdefault(body, long(body, report))
        sentences.setdefault(body, []).append(sentence)
        node = source.node(incident)
        if node not in succ:
            continue
        edges = succ[node].get(source.node(body))
        if not edges:
            continue
        prop = iris.get(prop) or iris.setdefault(prop, long(prop or "", report))
        coded = CODED_RELATIONS.get(prop)
        if coded is not None and coded[0] in edges:
            _add_evidence(edges[coded[0]], _evidence_of(row, report, source))
        relation = source.org_relation.get((incident, body))  # an annotation naming the body
        if relation is not None and relation in edges:
            _add_evidence(edges[relation], Evidence(sentence=sentence))
    return sentences


def attach_details(
    g: nx.MultiDiGraph, reports: Iterable[Mapping[str, Any]], source: DetailSource
) -> None:
    """Put the details of some reports into the network: evidence on the edges it supports,
    timeline events as nodes (as the projection queries give them), their texts through
    ``source.clean`` when the network is a redacted copy.  An incident folded into another
    (analysis/linked.py) gives its events to that node in the fold's order — the counted
    account first — and an event of a date and role the node already tells is dropped, as
    the fold drops it: ``reports`` must hold the details of every report graph of the
    folded nodes they touch (:meth:`DetailSource.graphs_for`)."""
    sentences: dict[str, list[str]] = {}
    events: dict[str, dict[str, list[tuple[str, str, str | None]]]] = {}
    for details in reports:
        for event, said in _attach_evidence(g, details, source).items():
            sentences.setdefault(event, []).extend(said)
        report = str(details.get("report", ""))
        for incident, event, date, role in details.get("events", ()) if source.events else ():
            incident = long(incident, report)
            node = source.node(incident)
            if node in g:
                by_account = events.setdefault(source.alias.get(incident, incident), {})
                by_account.setdefault(incident, []).append(
                    (long(event, report), date, long(role, report) if role else None)
                )
    for key, by_account in events.items():
        node = source.node(key)
        order = source.accounts_of.get(key, (key,))
        for account in [*order, *sorted(set(by_account) - set(order))]:
            told = {
                (g.nodes[e].get("date"), g.nodes[e].get("role"))
                for e, keys in g._succ[node].items()
                if "has_event" in keys
            }
            for event, date, role_iri in by_account.get(account, ()):
                role = source.notation.get(role_iri) if role_iri else None
                if (date, role) in told:
                    continue  # the same dated event, told again (analysis/linked.py)
                shown = source.node(event)
                if shown not in g:
                    ja, en = source.labels.get(role_iri, (None, None)) if role_iri else (None, None)
                    g.add_node(
                        shown,
                        kind="event",
                        date=date,
                        role=role,
                        sentence=min(sentences.get(event, []), default=None),
                        label_ja=f"{date} {ja or role or ''}".strip(),
                        label_en=f"{date} {en or role or ''}".strip(),
                    )
                _add_edge(g, node, shown, "has_event")


def load_details(g: nx.MultiDiGraph, incidents: Collection[str] | None = None) -> None:
    """Read the details (evidence, timeline) of the reports of ``incidents`` — of every
    report when None — into a network read from summaries; a no-op for any other network
    and for reports already read.  The store the network was read from must still be open."""
    source: DetailSource | None = g.graph.get(SOURCE)
    if source is None:
        return
    if incidents is None:
        wanted = set(source.graph_of.values()) - source.loaded
        if wanted:
            found = [
                json.loads(text)
                for graph, text in source.store.all_summary_details()
                if graph in wanted
            ]
            attach_details(g, found, source)
            source.loaded |= wanted
        source.complete = True
        return
    graphs = source.graphs_for(incidents) - source.loaded
    read = []
    for graph in sorted(graphs):
        text = source.store.summary_details(graph)
        if text is None:
            raise ProjectionError(f"no details kept for report graph {graph}")
        read.append(json.loads(text))
    attach_details(g, read, source)
    source.loaded |= graphs


def read_links(store: GraphStore) -> list[Row]:
    """The rows of queries/network/incident-links.rq: the links graph, which the link pass
    rewrites after every build and import (graph/links.py), read whole."""
    from incident_kg.queries.library import run_local

    table = run_local(store, load_query("incident-links"))
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


#: The fields of a :class:`DetailSource` kept with the projection (analysis/kept.py): what
#: the projection made, not what a command sets.
_KEPT_FIELDS = (
    "graph_of",
    "notation",
    "labels",
    "events",
    "alias",
    "org_relation",
    "accounts_of",
    "graphs_of",
    "nodes_of_graph",
)


def _made(
    store: GraphStore,
    texts: Iterable[tuple[str, str]] | None,
    concepts: Sequence[Row],
    links: list[Row] | None,
    wanted: Collection[str],
) -> tuple[nx.MultiDiGraph, DetailSource]:
    """The projection made from the summaries' ``texts`` (None: the store keeps none, they
    are made from its report graphs), with the link pass's part, and its detail source."""
    from .linked import link_projection

    if links is None:
        links = read_links(store)
    # parsed as read and dropped once drawn: neither the texts nor the parsed summaries are
    # held whole (at 100,000 reports ~1.2 GB between them)
    summaries: Iterable[tuple[str, Mapping[str, Any]]] = (
        ((graph, json.loads(text)) for graph, text in texts)
        if texts is not None
        else read_summaries(store)
    )
    g, read = network_from_summaries(summaries, concepts, wanted)
    alias = link_projection(g, {"incident-links": links, "measure-links": read.measure_links})
    notation, labels = concept_tables(concepts)
    source = DetailSource(
        store,
        read.graph_of,
        notation,
        labels,
        "has_event" in wanted,
        alias=alias,
        org_relation=read.org_relation,
    )
    source.index(g)
    return g, source


def network_of_store(
    store: GraphStore,
    *,
    details: bool = True,
    relations: Collection[str] | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda it: it,
) -> nx.MultiDiGraph:
    """The projection of a store from its summaries (see :func:`~.network.load_network`):
    the summaries' network, then the link pass's part (analysis/linked.py), then — with
    ``details`` — every report's evidence and timeline.  The projection without details
    is kept beside the store for the next command that reads the same (analysis/kept.py)."""
    from incident_kg.graph.link_state import store_token

    from .kept import digest, keep, read_kept

    wanted = ALL_RELATIONS if relations is None else frozenset(relations)
    texts: list[tuple[str, str]] | None = None
    digests = store.summary_digests()  # what names the kept projection: not every summary
    if digests is None:  # summaries kept by older code, without their digests
        texts = list(progress(store.summaries()))
        digests = [(graph, summary_digest(text)) for graph, text in texts]
    else:  # the reports counted as they are named (the summaries, if read, are not counted)
        digests = list(progress(digests))
    concepts = read_concepts(store)
    # the links graph is named by the token its pass wrote with it (a digest of its lines:
    # graph/link_state.py), read only to make the projection; a store without one: its rows
    token = store_token(store)
    links = None if token else read_links(store)
    secret = store.pseudonym_key() if digests else None  # a store without summaries: as read
    named = [{"links token": token}] if links is None else links
    key = digest(digests, concepts, named, wanted) if secret else ""
    kept = read_kept(store.path, wanted, key, secret) if secret else None
    if kept is not None:
        g, fields = kept
        source = DetailSource(store, **fields)
    else:
        # summaries kept by older code were read to name it; the others are scanned now
        read = texts or (store.summaries() if digests else None)  # None: the store keeps none
        with paused_collector():  # made at once, none in a cycle (incident_kg/collector.py)
            g, source = _made(store, read, concepts, links, wanted)
            if secret:
                kept_fields = {f: getattr(source, f) for f in _KEPT_FIELDS}
                keep(store.path, wanted, key, secret, g, kept_fields)
    g.graph[SOURCE] = source
    if details:
        load_details(g)
    return g
