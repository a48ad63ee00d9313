"""The projection's part for incidents told by several reports and for measures tied to
causes (issue 18): applied by :func:`.network.build_network` after its other rows.

* **One node per event.** The incidents the link pass found to be one event
  (``ikg:sameIncidentAs``, queries/network/incident-links.rq) become one incident node — the
  first telling (``ikg:countedAs``) — with every report (``reports``), every account
  (``accounts``, the IRIs folded into it) and all their edges and evidence. A body's case that
  is part of a national grouping keeps its node, with ``part_of`` and ``counted_as`` the
  grouping: counts of incidents count :func:`incident_key`.
* **Organisations by name.** An organisation minted by this store and by an imported file
  of another agency (another base IRI) — ``…/org/堺市`` under both — is one node.
* **Measure links.** Each ``has_countermeasure`` edge carries ``addresses``: the causes the
  measure addresses in that incident, each a :class:`MeasureLink` (stated with its sentence,
  or defaulted with its table line), from queries/network/measure-links.rq.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
from networkx.utils import UnionFind
from rdflib.namespace import OWL

from incident_kg.ontology.namespaces import IKG

from .network import _evidence_order

Row = Mapping[str, str | None]


@dataclass(frozen=True)
class MeasureLink:
    """That a countermeasure of an incident addresses one of its causes, and on what basis."""

    cause: str  # IRI of the cause concept
    basis: str  # stated | defaulted
    rule: str  # the text rule, or the line of ontology/measures.yaml
    sentence: str | None = None  # the report's sentence (stated links)

    def explain(self) -> str:
        """The link's evidence in words: the sentence, or that it was defaulted."""
        if self.basis == "stated" and self.sentence:
            return f"stated: {self.sentence}"
        return f"defaulted ({self.rule})"


def incident_key(g: nx.MultiDiGraph, incident: str) -> str:
    """The incident ``incident`` is counted as: itself, or the grouping it is part of."""
    return str(g.nodes[incident].get("counted_as") or incident)


def _groups(rows: Iterable[Row]) -> tuple[list[set[str]], dict[str, str], dict[str, str]]:
    """Same-event groups (union of sameIncidentAs), countedAs and partOfIncident by incident."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    counted: dict[str, str] = {}
    part_of: dict[str, str] = {}
    for row in rows:
        incident, relation, other = row.get("incident"), row.get("relation"), row.get("other")
        if not incident or not other:
            continue
        if relation == str(IKG.sameIncidentAs):
            parent[find(incident)] = find(other)
        elif relation == str(IKG.countedAs):
            counted[incident] = other
        elif relation == str(IKG.partOfIncident):
            part_of[incident] = other
    members: dict[str, set[str]] = defaultdict(set)
    for x in list(parent):
        members[find(x)].add(x)
    return [m for m in members.values() if len(m) > 1], counted, part_of


def _merge_evidence(mine: dict[str, object], data: Mapping[str, object]) -> None:
    """The evidence of an edge merged into another's (each piece once, by position)."""
    merged = {*mine.get("evidence", ()), *data.get("evidence", ())}  # type: ignore[misc]
    mine["evidence"] = tuple(sorted(merged, key=_evidence_order))


def _merge_into(g: nx.MultiDiGraph, key: str, other: str) -> None:
    """Move ``other``'s edges (with their evidence) onto ``key`` and drop ``other``."""
    node, gone = g.nodes[key], g.nodes[other]
    for name in ("occurred", "discovered", "resolved", "affected"):
        if node.get(name) is None and gone.get(name) is not None:
            node[name] = gone[name]
    told = {
        (g.nodes[e].get("date"), g.nodes[e].get("role"))
        for _, e, rel in g.out_edges(key, keys=True)
        if rel == "has_event"
    }
    for _, target, relation, data in list(g.out_edges(other, keys=True, data=True)):
        if (
            relation == "has_event"
            and (g.nodes[target].get("date"), g.nodes[target].get("role")) in told
        ):
            if g.in_degree(target) == 1:
                g.remove_node(target)  # the same dated event, told again
            continue
        if g.has_edge(key, target, key=relation):
            mine = g.edges[key, target, relation]
            _merge_evidence(mine, data)
            if "addresses" in data:
                mine["addresses"] = tuple(
                    sorted({*mine.get("addresses", ()), *data["addresses"]}, key=repr)
                )
        else:
            g.add_edge(key, target, key=relation, **data)
    for source, _, relation, data in list(g.in_edges(other, keys=True, data=True)):
        if not g.has_edge(source, key, key=relation):
            g.add_edge(source, key, key=relation, **data)
    g.remove_node(other)


def fold_linked_incidents(g: nx.MultiDiGraph, rows: Iterable[Row]) -> dict[str, str]:
    """Fold each same-event group into its counted incident; mark parts of groupings.
    Returns every folded account → the node that now stands for it."""
    groups, counted, part_of = _groups(rows)
    alias: dict[str, str] = {}
    for members in groups:
        present = sorted(m for m in members if m in g)
        if not present:
            continue
        keys = {counted[m] for m in present if m in counted} & set(present)
        key = min(keys) if keys else present[0]
        node = g.nodes[key]
        node["accounts"] = tuple(present)
        node["reports"] = tuple(sorted({g.nodes[m]["report"] for m in present}))
        for other in present:
            if other != key:
                _merge_into(g, key, other)
                alias[other] = key
    for incident, grouping in part_of.items():
        node_id = alias.get(incident, incident)
        target = alias.get(grouping, grouping)
        if node_id in g and target in g and node_id != target:
            g.nodes[node_id]["part_of"] = target
            g.nodes[node_id]["counted_as"] = target
    for node_id, data in g.nodes(data=True):
        if data.get("kind") == "incident":
            data.setdefault("accounts", (node_id,))
            data.setdefault("reports", (data["report"],))
    return alias


def add_measure_links(g: nx.MultiDiGraph, rows: Iterable[Row], alias: Mapping[str, str]) -> None:
    """Put each measure link on its incident's ``has_countermeasure`` edge (``addresses``)."""
    found: dict[tuple[str, str], set[MeasureLink]] = defaultdict(set)
    for row in rows:
        incident, measure, cause = row.get("incident"), row.get("measure"), row.get("cause")
        if not incident or not measure or not cause:
            continue
        link = MeasureLink(
            cause, row.get("basis") or "defaulted", row.get("rule") or "", row.get("sentence")
        )
        found[(alias.get(incident, incident), measure)].add(link)
    for (incident, measure), links in found.items():
        if g.has_edge(incident, measure, key="has_countermeasure"):
            data = g.edges[incident, measure, "has_countermeasure"]
            merged = {*data.get("addresses", ()), *links}
            data["addresses"] = tuple(
                sorted(
                    merged,
                    key=lambda lk: (lk.cause, lk.basis != "stated", lk.rule, lk.sentence or ""),
                )
            )


_ORG_TAIL = re.compile(r"((?:report/[^/]+/)?org/[^/]+)$")


def merge_organizations_by_name(
    g: nx.MultiDiGraph, same: Mapping[str, str] | None = None
) -> dict[str, str]:
    """One node per organisation however many base IRIs name it: ``…/org/堺市`` minted by
    this store and by an imported file of another agency (its own base IRI) are one body;
    so are the organisations ``same`` pairs (the link pass's ``owl:sameAs``: one ward two
    tellings of an event each minted).  The node kept is the smallest IRI; edges move onto
    it (the evidence of two edges that become one, merged).  Returns each merged
    organisation → the node kept."""
    orgs = [node for node, data in g.nodes(data=True) if data.get("kind") == "organization"]
    one = UnionFind(orgs)
    by_tail: dict[str, list[str]] = defaultdict(list)
    for node in orgs:
        found = _ORG_TAIL.search(str(node))
        if found:
            by_tail[found.group(1)].append(node)
    for nodes in by_tail.values():
        one.union(*nodes)
    known = set(orgs)
    for org, kept in (same or {}).items():
        if org in known and kept in known:
            one.union(org, kept)
    canonical: dict[str, str] = {}
    for nodes in sorted(sorted(group) for group in one.to_sets()):  # the same order each run
        keep = nodes[0]
        for other in nodes:
            if other != keep:
                canonical[other] = keep
                for source, _, relation, data in list(g.in_edges(other, keys=True, data=True)):
                    if g.has_edge(source, keep, key=relation):
                        _merge_evidence(g.edges[source, keep, relation], data)
                    else:
                        g.add_edge(source, keep, key=relation, **data)
                for _, target, relation, data in list(g.out_edges(other, keys=True, data=True)):
                    target = canonical.get(target, target)
                    if target != keep and not g.has_edge(keep, target, key=relation):
                        g.add_edge(keep, target, key=relation, **data)
                g.remove_node(other)
    for _, data in g.nodes(data=True):
        if data.get("kind") == "organization" and data.get("body") in canonical:
            data["body"] = canonical[data["body"]]
    return canonical


def link_projection(g: nx.MultiDiGraph, tables: Mapping[str, Iterable[Row]]) -> dict[str, str]:
    """Apply this module's part of the projection (see the module doc).  Returns every
    incident folded into another and every organisation merged into another → the node
    that now stands for it (where details read later go: analysis/summaries.py)."""
    # in the order of their incident, relation and other (codepoints, as SPARQL orders IRIs):
    # the folds do not depend on the order in which the store gave the rows
    rows = sorted(
        tables.get("incident-links", ()),
        key=lambda r: (
            str(r.get("incident") or ""),
            str(r.get("relation") or ""),
            str(r.get("other") or ""),
        ),
    )
    alias = fold_linked_incidents(g, rows)
    add_measure_links(g, tables.get("measure-links", ()), alias)
    same = {
        str(r["incident"]): str(r["other"])
        for r in rows
        if r.get("relation") == str(OWL.sameAs) and r.get("incident") and r.get("other")
    }
    return {**alias, **merge_organizations_by_name(g, same)}


def measure_links(g: nx.MultiDiGraph, incident: str, measure: str) -> tuple[MeasureLink, ...]:
    """The causes ``measure`` addresses in ``incident`` (empty: it addresses none)."""
    if not g.has_edge(incident, measure, key="has_countermeasure"):
        return ()
    return tuple(g.edges[incident, measure, "has_countermeasure"].get("addresses", ()))


__all__ = [
    "MeasureLink",
    "add_measure_links",
    "fold_linked_incidents",
    "incident_key",
    "link_projection",
    "measure_links",
    "merge_organizations_by_name",
]
