"""What the link pass keeps between runs, so that a build that changed a few reports links
only the incidents whose links can change (graph/links.py ``relink``).

The outcome of :func:`~.linking.link_incidents` is the union of its outcomes on each
*component* of the graph whose edges are the pairs of incidents that score a link
(:func:`~.linking.score_pair`) or that an analyst tied (same-as, not-same-as): grouping,
counting and part-of decisions only ever look at incidents joined by such edges. So after a
change the pass keeps every component that holds no changed incident, and links again only
the components the changed incidents were in or now join — found by looking their blocks up
(:func:`~.linking.block_keys`: body and harm), not by comparing the corpus.

The state (each incident's facts, the edges, the last outcome) is a file in the store's
folder, written after the link pass's transaction commits; the transaction also writes a new
token into the store, and the state names the token it belongs to. A state whose token is not
the store's (a pass killed between the two, a store written by older code), whose rules or
base differ, or that is missing, is ignored: the pass then reads and links the whole store,
as on a first build. A writer that changes report graphs without changing their recorded
digests (graph/reason.py) forgets the state first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, cast

import pyoxigraph as ox

from incident_kg.collector import paused_collector
from incident_kg.ontology.namespaces import IKG
from incident_kg.ontology.tables import LinkingRules

from .effectiveness import Adoption
from .linking import (
    IncidentFacts,
    Link,
    Linking,
    block_keys,
    curated_edges,
    link_edges,
    link_incidents,
)
from .store import LINKS_GRAPH, META_GRAPH, GraphStore
from .summary import SUMMARY_GRAPH

log = logging.getLogger(__name__)

#: The file, in the store's folder, that holds the state.
STATE_FILE = "incident-kg-links.state"
#: Bumped when the state's form changes: an older file is then ignored.
STATE_FORMAT = 3
#: Key, in the summary graph (on the links graph's name), of the token of the last link pass.
TOKEN_KEY = LINKS_GRAPH + "#token"

#: An incident's organisations as stated: (responsible, involved).
OrgsOf = tuple[frozenset[str], frozenset[str]]


@dataclass
class LinkState:
    """What the last link pass read, decided and wrote."""

    key: str  # rules, base and format the state was computed with
    token: str  # the token the same pass wrote into the store
    digests: dict[str, str]  # report IRI → digest of its graph, as recorded
    facts: dict[str, IncidentFacts]
    orgs_of: dict[str, OrgsOf]
    body_of: dict[str, str]  # organisation → name of its body, for the organisations named
    adjacency: dict[str, frozenset[str]]  # incident → incidents it scores a link with
    linking: Linking
    same_orgs: dict[str, str]
    adoptions: frozenset[tuple[Adoption, str]]  # with the adopting body's IRI
    body_iris: dict[str, str]
    lines_sum: int  # :func:`lines_sum` of the links graph written

    def __getstate__(self) -> dict[str, object]:
        """Plain tuples on file: unpickling a frozenset or a dataclass is one call each, and
        there are ~15 of them per incident (a tenth of the time to read, measured at 10,000
        reports)."""
        state = dict(self.__dict__)
        state["facts"] = [_row(f) for f in self.facts.values()]
        state["orgs_of"] = [(i, tuple(r), tuple(v)) for i, (r, v) in self.orgs_of.items()]
        state["adoptions"] = [(tuple(vars(a).values()), iri) for a, iri in self.adoptions]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["facts"] = {row[0]: _facts_of(row) for row in state["facts"]}
        state["orgs_of"] = {i: (frozenset(r), frozenset(v)) for i, r, v in state["orgs_of"]}
        state["adoptions"] = frozenset((Adoption(*a), iri) for a, iri in state["adoptions"])
        self.__dict__.update(state)


_FIELDS = tuple(f.name for f in fields(IncidentFacts))


def _row(facts: IncidentFacts) -> tuple[Any, ...]:
    return tuple(
        tuple(v) if isinstance(v, frozenset) else v for v in (getattr(facts, n) for n in _FIELDS)
    )


def _facts_of(row: tuple[Any, ...]) -> IncidentFacts:
    values: list[Any] = [frozenset(v) if isinstance(v, tuple) else v for v in row]
    return IncidentFacts(*values)


def state_key(rules: LinkingRules, base: str) -> str:
    """What a state must have been computed with to be reused."""
    stable = json.dumps(
        {
            "format": STATE_FORMAT,
            "base": base,
            "threshold": rules.threshold,
            "part_of_threshold": rules.part_of_threshold,
            "weights": dict(rules.weights),
            "generic_harms": sorted(rules.generic_harms),
            "grouping_bodies": rules.grouping_bodies,
            "generic_bodies": sorted(rules.generic_bodies),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(stable.encode("utf-8")).hexdigest()


def store_token(store: GraphStore) -> str | None:
    """The token the last link pass wrote into the store, if any."""
    found = store.match(
        ox.NamedNode(LINKS_GRAPH), ox.NamedNode(TOKEN_KEY), None, ox.NamedNode(SUMMARY_GRAPH)
    )
    for quad in found:
        if isinstance(quad.object, ox.Literal):
            return quad.object.value
    return None


def graph_digests(store: GraphStore) -> dict[str, str]:
    """Report IRI → the digest of its graph, as its record says (one scan of one predicate of
    the metadata graph: through SPARQL, ~40× faster than the quad pattern here)."""
    rows = store.query(
        f"SELECT ?s ?o WHERE {{ GRAPH <{META_GRAPH}> {{ ?s <{IKG.graphDigest}> ?o }} }}"
    )
    out: dict[str, str] = {}
    for row in cast(ox.QuerySolutions, rows):
        subject, value = row[0], row[1]
        if isinstance(subject, ox.NamedNode) and isinstance(value, ox.Literal):
            out[subject.value] = value.value
    return out


def lines_sum(lines: Iterable[str]) -> int:
    """A digest of a set of N-Triples lines that a change of a few lines updates: the sum of
    their hashes (what was taken out subtracted, what was put in added)."""
    return sum(
        int.from_bytes(hashlib.blake2b(line.encode("utf-8"), digest_size=16).digest(), "big")
        for line in lines
    ) % (1 << 128)


def pass_token(lines: int, effectiveness: str, digests: Mapping[str, str]) -> str:
    """The token of a link pass: a digest of what it wrote (the links graph's lines, the
    follow-up of measures) and of the records it read, so that the same store linked again
    gets the same token (a store is as it was after an import is removed) and a state whose
    token is the store's describes what the store holds."""
    h = hashlib.sha256(f"{lines}|".encode())
    h.update(effectiveness.encode("utf-8"))
    for report, digest in sorted(digests.items()):
        h.update(f"|{report} {digest}".encode())
    return h.hexdigest()[:32]


def _state_path(store: GraphStore) -> str:
    return os.path.join(store.path, STATE_FILE)


def load_state(store: GraphStore, key: str) -> LinkState | None:
    """The state of the store's last link pass, when it can be trusted (see the module doc)."""
    try:
        # half a million objects, none in a cycle: collecting while loading doubles it
        with paused_collector(), open(_state_path(store), "rb") as file:
            state = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception as err:  # a cache of any content never stops a build: it is ignored
        log.info("link state unreadable (%s): linking the whole store", err)
        return None
    if not isinstance(state, LinkState) or state.key != key:
        log.info("link state from other rules or code: linking the whole store")
        return None
    if state.token != store_token(store):
        log.info("link state not the store's last link pass: linking the whole store")
        return None
    return state


def save_state(store: GraphStore, state: LinkState) -> None:
    """Write the state beside the store's files (a new file renamed over the old one; one
    writer at a time holds the store, so a file left by a killed pass is written over)."""
    path = _state_path(store)
    partial = f"{path}.partial"
    with open(partial, "wb") as file:
        pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)


def forget_state(store: GraphStore) -> None:
    """Remove the state (the next link pass reads and links the whole store)."""
    try:
        os.remove(_state_path(store))
    except FileNotFoundError:
        pass


def adjacency_of(
    facts: Mapping[str, IncidentFacts], edges: Iterable[tuple[str, str]]
) -> dict[str, frozenset[str]]:
    """Incident → the incidents it is joined to: the scored pairs ``edges`` and the pairs an
    analyst tied."""
    out: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        out[a].add(b)
        out[b].add(a)
    for f in facts.values():
        for other in curated_edges(f, facts):
            out[f.iri].add(other)
            out[other].add(f.iri)
    return {k: frozenset(v) for k, v in out.items()}


def components(starts: Iterable[str], adjacency: Mapping[str, frozenset[str]]) -> set[str]:
    """Every incident joined to one of ``starts`` (the starts included)."""
    seen: set[str] = set()
    for start in starts:
        if start in seen:
            continue
        seen.add(start)
        todo = deque([start])
        while todo:
            for other in adjacency.get(todo.popleft(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
    return seen


def restrict(linking: Linking, incidents: set[str]) -> Linking:
    """The part of ``linking`` about ``incidents`` (whole components)."""
    return Linking(
        tuple(link for link in linking.links if link.source in incidents),
        tuple(group for group in linking.groups if group[0] in incidents),
        {k: v for k, v in linking.part_of.items() if k in incidents},
        {k: v for k, v in linking.counted_as.items() if k in incidents},
    )


def merge(kept: Linking, fresh: Linking) -> Linking:
    """Two linkings of disjoint components as one."""
    links: tuple[Link, ...] = kept.links + fresh.links
    return Linking(
        links,
        tuple(sorted(kept.groups + fresh.groups)),
        {**kept.part_of, **fresh.part_of},
        {**kept.counted_as, **fresh.counted_as},
    )


@dataclass(frozen=True)
class LinkUpdate:
    """What changed in the linking after some incidents changed."""

    adjacency: dict[str, frozenset[str]]
    linking: Linking  # of every incident
    before: Linking  # the part of the old linking that was dropped
    after: Linking  # what replaced it


def update_linking(
    old: Mapping[str, IncidentFacts],
    new: Mapping[str, IncidentFacts],
    adjacency: Mapping[str, frozenset[str]],
    linking: Linking,
    changed: set[str],
    rules: LinkingRules,
) -> LinkUpdate:
    """The linking of ``new`` from that of ``old`` (``linking``, with its ``adjacency``),
    where ``changed`` holds every incident added, removed or whose facts differ. Equal to
    ``link_incidents(new.values())``: only the components of changed incidents are linked
    again."""
    was = components(changed & old.keys(), adjacency)
    adj = dict(adjacency)
    for gone in changed & old.keys():
        for other in adj.pop(gone, ()):
            left = adj.get(other, frozenset()) - {gone}
            if left:
                adj[other] = left
            else:
                adj.pop(other, None)
    present = changed & new.keys()
    if present:
        blocks: dict[tuple[str, str], list[IncidentFacts]] = defaultdict(list)
        named_by: dict[str, set[str]] = defaultdict(set)
        for f in new.values():
            for key in block_keys(f, rules):
                blocks[key].append(f)
            for other in f.same_as | f.not_same_as:
                named_by[other].add(f.iri)
        for iri in sorted(present):
            f = new[iri]
            joined = link_edges(f, blocks, rules) | curated_edges(f, new)
            joined |= named_by.get(iri, set()) - {iri}
            if joined:
                adj[iri] = adj.get(iri, frozenset()) | joined
            for other in joined:
                adj[other] = adj.get(other, frozenset()) | {iri}
    now = components((was & new.keys()) | present, adj)
    fresh = link_incidents([new[i] for i in sorted(now)], rules)
    dropped = was | now
    before = restrict(linking, dropped)
    kept = Linking(
        tuple(link for link in linking.links if link.source not in dropped),
        tuple(group for group in linking.groups if group[0] not in dropped),
        {k: v for k, v in linking.part_of.items() if k not in dropped},
        {k: v for k, v in linking.counted_as.items() if k not in dropped},
    )
    log.info(
        "link pass: %d incidents changed, %d linked again (of %d)",
        len(changed),
        len(now),
        len(new),
    )
    return LinkUpdate(adj, merge(kept, fresh), before, fresh)


__all__ = [
    "STATE_FILE",
    "LinkState",
    "LinkUpdate",
    "adjacency_of",
    "components",
    "forget_state",
    "graph_digests",
    "lines_sum",
    "load_state",
    "merge",
    "pass_token",
    "restrict",
    "save_state",
    "state_key",
    "store_token",
    "update_linking",
]
