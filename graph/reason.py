"""Reasoning: the OWL RL consequences the named queries need, materialised per report.

A full OWL RL closure (``owlrl.DeductiveClosure(OWLRL_Semantics)``) of the whole
store is slow — seconds for ten thousand triples, minutes beyond — and most of what
it derives (``x owl:sameAs x``, ``"…"@ja a rdfs:Resource``) no question asks for.
So the work is split:

1. **The ontology is closed once** with owlrl (ontology + concept schemes: a few
   thousand triples).  From the closure :func:`compile_rules` reads the schema the
   data needs: every class's superclasses, every property's superproperties,
   inverses, transitive and symmetric properties, two-step property chains, and
   domains and ranges.  The ontology's own closure is stored in
   :data:`ONTOLOGY_INFERRED` (concept hierarchy: ``skos:broaderTransitive`` from a
   cause to its tier).
2. **Each report's data is materialised** against those compiled rules by
   :func:`materialise` — the OWL RL rules cax-sco, prp-spo1, prp-inv1/2, prp-trp,
   prp-symp, prp-spo2, prp-dom, prp-rng, prp-fp, prp-ifp and
   eq-sym/eq-trans/eq-rep-s/eq-rep-o over ``owl:sameAs`` — to a fixpoint, leaving out
   ``x a owl:Thing`` (true of everything; it was a sixth of a report's quads) and
   membership in anonymous classes (a union or restriction no question can name).  A
   report graph holds the organisations it names with their hierarchy, so its
   consequences are local: a new report is reasoned alone and never re-reasons the
   world.  Its inferred triples go to their own
   named graph (:func:`inferred_graph_for`), written in the same transaction as the
   report, and are left out of exports unless asked for.

The inferred graphs are derived data: :func:`drop_inferred` removes them and
:func:`reason_store` recomputes them from the stored report graphs
(``incident-kg reason [--drop]``).  ``tests/test_reason.py`` checks each rule
against owlrl, and ``tests/test_queries.py`` that every named query over the store
with its inferred graphs answers as it would over a full owlrl closure of the
corpus.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from incident_kg.ontology.namespaces import IKG

from .link_state import forget_state
from .store import (
    INFERRED_PREFIX,
    ONTOLOGY_INFERRED,
    SHARED_INFERRED,
    GraphStore,
    SharedPart,
    to_ntriples,
)
from .triples import is_local

log = logging.getLogger(__name__)

Triple = tuple[Node, Node, Node]


def inferred_graph_for(report_graph: str) -> str:
    """The name of the graph that holds what is inferred from one report's graph."""
    return INFERRED_PREFIX + "report/" + report_graph.rsplit("/graph/", 1)[-1].replace("/", "_")


def close_ontology(ontology: Graph) -> Graph:
    """The full OWL RL closure of the ontology, without triples no store can hold
    (a literal as subject) — the trap noted in STACK-NOTES."""
    closed = Graph()
    for triple in ontology:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    out = Graph()
    for s, p, o in closed:
        if isinstance(s, (URIRef, BNode)) and isinstance(p, URIRef):
            out.add((s, p, o))
    return out


@dataclass(frozen=True)
class Rules:
    """The schema of a closed ontology, compiled for materialising data."""

    superclasses: Mapping[Node, frozenset[Node]]
    superproperties: Mapping[Node, frozenset[Node]]
    inverses: Mapping[Node, frozenset[Node]]
    transitive: frozenset[Node]
    symmetric: frozenset[Node]
    chains: tuple[tuple[Node, Node, Node], ...]  # (p, first, second): first ∘ second ⊑ p
    domains: Mapping[Node, frozenset[Node]]
    ranges: Mapping[Node, frozenset[Node]]
    functional: frozenset[Node] = frozenset()  # object properties only (prp-fp)
    inverse_functional: frozenset[Node] = frozenset()  # prp-ifp
    schema: frozenset[Triple] = field(default_factory=frozenset)


#: Classes every resource belongs to: ``x a owl:Thing`` follows from any type, domain or
#: range and was a sixth of every report's quads, yet no question asks for it (like
#: ``x owl:sameAs x``, which is not materialised either).
_TRIVIAL_CLASSES = frozenset({OWL.Thing, RDFS.Resource})


def _group(pairs: Iterable[tuple[Node, Node]]) -> dict[Node, frozenset[Node]]:
    out: dict[Node, set[Node]] = defaultdict(set)
    for a, b in pairs:
        if a != b:
            out[a].add(b)
    return {k: frozenset(v) for k, v in out.items()}


def _group_classes(
    pairs: Iterable[tuple[Node, Node]], anonymous: frozenset[Node] = frozenset()
) -> dict[Node, frozenset[Node]]:
    """:func:`_group` of (thing, class) pairs without the trivial classes and the
    ``anonymous`` ones (:func:`_anonymous_classes`)."""
    return _group((a, c) for a, c in pairs if c not in _TRIVIAL_CLASSES and c not in anonymous)


#: What makes a class node a class expression rather than a named class.
_CLASS_EXPRESSIONS = (OWL.unionOf, OWL.intersectionOf, OWL.complementOf, OWL.oneOf, OWL.onProperty)


def _anonymous_classes(closed: Graph) -> frozenset[Node]:
    """The anonymous classes of a closed ontology: class expressions (a union, a restriction…)
    written as blank nodes — skolemised (``…/genid/…``) by :func:`~.build.stable_ontology` —
    such as the domain ``[owl:unionOf (ikg:CountermeasureLink ikg:MeasureAdoption)]`` of
    ``ikg:measure``.  Membership in one is not materialised: no question can name such a
    class, no rule here reads it, and what it entails of named classes the closed ontology
    states directly; it was three triples for every countermeasure link (issue 17)."""
    return frozenset(
        node
        for predicate in _CLASS_EXPRESSIONS
        for node in closed.subjects(predicate)
        if isinstance(node, BNode) or "/genid/" in str(node)
    )


def _rdf_list(graph: Graph, head: Node) -> list[Node]:
    items: list[Node] = []
    while head != RDF.nil and len(items) < 16:
        first = graph.value(head, RDF.first)
        if first is None:
            break
        items.append(first)
        head = graph.value(head, RDF.rest) or RDF.nil
    return items


def compile_rules(closed: Graph) -> Rules:
    """Read the compiled schema out of a closed ontology (:func:`close_ontology`)."""
    inverse_pairs = [(p, q) for p, q in closed.subject_objects(OWL.inverseOf)]
    inverse_pairs += [(q, p) for p, q in inverse_pairs]
    chains: list[tuple[Node, Node, Node]] = []
    for p, head in closed.subject_objects(OWL.propertyChainAxiom):
        steps = _rdf_list(closed, head)
        if len(steps) == 2:
            chains.append((p, steps[0], steps[1]))
        else:
            log.warning("property chain of %d steps on %s ignored", len(steps), p)
    anonymous = _anonymous_classes(closed)
    return Rules(
        superclasses=_group_classes(closed.subject_objects(RDFS.subClassOf), anonymous),
        superproperties=_group(closed.subject_objects(RDFS.subPropertyOf)),
        inverses=_group(inverse_pairs),
        transitive=frozenset(closed.subjects(RDF.type, OWL.TransitiveProperty)),
        symmetric=frozenset(closed.subjects(RDF.type, OWL.SymmetricProperty)),
        chains=tuple(sorted(chains)),
        domains=_group_classes(closed.subject_objects(RDFS.domain), anonymous),
        ranges=_group_classes(closed.subject_objects(RDFS.range), anonymous),
        functional=frozenset(closed.subjects(RDF.type, OWL.FunctionalProperty)),
        inverse_functional=frozenset(closed.subjects(RDF.type, OWL.InverseFunctionalProperty)),
        schema=frozenset(closed),
    )


#: Terms the rules test on every triple, looked up once (an rdflib namespace attribute is a
#: slow call: it was a tenth of the reasoning time).
_TYPE = RDF.type
_SAME_AS = OWL.sameAs


def _consequences(t: Triple, rules: Rules) -> Iterable[Triple]:
    """What one triple entails on its own under the compiled rules."""
    s, p, o = t
    if p == _TYPE:
        for c in rules.superclasses.get(o, ()):
            yield (s, _TYPE, c)
        return
    for q in rules.superproperties.get(p, ()):
        yield (s, q, o)
    if not isinstance(o, Literal):
        for q in rules.inverses.get(p, ()):
            yield (o, q, s)
        if p in rules.symmetric:
            yield (o, p, s)
        for c in rules.ranges.get(p, ()):
            yield (o, _TYPE, c)
    for c in rules.domains.get(p, ()):
        yield (s, _TYPE, c)
    if p == _SAME_AS and not isinstance(o, Literal):
        yield (o, _SAME_AS, s)


def _rule_predicates(rules: Rules) -> frozenset[Node]:
    """The predicates some rule reads a triple of (besides ``rdf:type`` with a class that has
    superclasses): a triple of any other predicate entails nothing on its own."""
    chains = {step for chain in rules.chains for step in chain[1:]}
    return frozenset(
        {*rules.superproperties, *rules.inverses, *rules.symmetric, *rules.ranges}
        | {*rules.domains, *rules.transitive, *rules.functional, *rules.inverse_functional}
        | chains
        | {_SAME_AS}
    )


def materialise(data: Iterable[Triple], rules: Rules) -> set[Triple]:
    """The triples the compiled rules add to ``data`` (not those already in it), to a
    fixpoint, semi-naive: each round looks only at what the round before added."""
    known: set[Triple] = set(data)
    by_predicate: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
    by_object: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))

    def index(t: Triple) -> None:
        s, p, o = t
        by_predicate[p][s].add(o)
        by_object[p][o].add(s)

    for t in known:
        index(t)
    chains_by_step: dict[Node, list[tuple[Node, Node, Node]]] = defaultdict(list)
    for chain in rules.chains:
        chains_by_step[chain[1]].append(chain)
        chains_by_step[chain[2]].append(chain)
    active = _rule_predicates(rules)
    superclasses = rules.superclasses
    same_as = by_predicate[_SAME_AS]
    added: set[Triple] = set()
    frontier = set(known)
    while frontier:
        new: set[Triple] = set()
        for t in frontier:
            s, p, o = t
            if p not in active and not (p == _TYPE and o in superclasses):
                if same_as:  # eq-rep-s may still apply to it
                    new.update((same, p, o) for same in same_as.get(s, ()) if same != s)
                continue
            new.update(_consequences(t, rules))
            if p in rules.transitive:  # prp-trp, both directions of the new edge
                new.update((s, p, z) for z in by_predicate[p].get(o, ()))
                new.update((x, p, o) for x in by_object[p].get(s, ()))
            for chain_p, first, second in chains_by_step.get(p, ()):  # prp-spo2
                if p == first:
                    new.update((s, chain_p, z) for z in by_predicate[second].get(o, ()))
                if p == second:
                    new.update((x, chain_p, o) for x in by_object[first].get(s, ()))
            if p in rules.functional and not isinstance(o, Literal):  # prp-fp
                new.update(
                    (o, _SAME_AS, y)
                    for y in by_predicate[p].get(s, ())
                    if y != o and not isinstance(y, Literal)
                )
            if p in rules.inverse_functional and not isinstance(o, Literal):  # prp-ifp
                new.update((s, _SAME_AS, x) for x in by_object[p].get(o, ()) if x != s)
            if p == _SAME_AS and s != o:  # eq-trans, eq-rep-s, eq-rep-o
                new.update((s, _SAME_AS, z) for z in same_as.get(o, ()))
                for q, objects in list(by_predicate.items()):
                    new.update((s, q, z) for z in objects.get(o, ()))
                for q, subjects in list(by_object.items()):
                    new.update((x, q, s) for x in subjects.get(o, ()))
            for same in same_as.get(s, ()):  # eq-rep-s for a new triple
                if same != s:
                    new.add((same, p, o))
        frontier = {t for t in new if t not in known and not isinstance(t[0], Literal)}
        for t in frontier:
            known.add(t)
            added.add(t)
            index(t)
    return added - set(rules.schema)


def materialise_graph(data: Graph, rules: Rules) -> Graph:
    """:func:`materialise` from one rdflib graph into a new one."""
    out = Graph()
    for t in sorted(materialise(data, rules)):
        out.add(t)
    return out


# -- the store's inferred graphs (the edge: reads and writes the store) ---------------


def reason_store(
    store: GraphStore,
    rules: Rules,
    progress: Callable[[Iterable[str]], Iterable[str]] = lambda it: it,
) -> int:
    """Recompute the inferred graph of every report graph in the store from the graph as
    stored; each is replaced on its own (derived data: a stop midway leaves the graphs
    already done and the old ones). Returns the number of inferred triples written.

    Inferred graphs whose report graph is gone are dropped. The link pass's state is
    forgotten first (graph/link_state.py): its next pass reads the store whole."""
    forget_state(store)
    reports = store.report_graphs()
    wanted = {inferred_graph_for(name) for name in reports} | {ONTOLOGY_INFERRED, SHARED_INFERRED}
    for stale in store.inferred_graphs():
        if stale not in wanted:
            store.remove_graph(stale)
    total = 0
    shared_parts = store.shared_parts()
    shared_inferred: dict[str, str] = {}
    for name in progress(reports):
        part = shared_parts.get(name, SharedPart())
        data = Graph()  # the report graph as the report states it: its shared triples too
        text = store.graph_ntriples([name]).decode("utf-8") + part.asserted
        data.parse(data=text, format="nt")
        inferred = materialise_graph(data, rules)
        report = _report_of(data)
        own = Graph()
        shared_lines: list[str] = []
        for triple in inferred:
            if report is None or is_local(triple[0], report):
                own.add(triple)
            else:
                shared_lines.append(_nt_row(triple))
        store.replace_graph(inferred_graph_for(name), to_ntriples(own))
        shared_inferred[name] = "".join(sorted(shared_lines))
        total += len(inferred)
    union = sorted({line for text in shared_inferred.values() for line in text.split("\n") if line})
    store.set_shared_inferred(shared_inferred, "\n".join(union))
    log.info("reasoned %d report graphs: %d inferred triples", len(reports), total)
    return total


def _report_of(data: Graph) -> str | None:
    """The IRI of the report a report graph tells of (its one ``ikg:Report``), if any."""
    for subject in data.subjects(RDF.type, IKG.Report):
        return str(subject)
    return None


def drop_inferred(store: GraphStore) -> list[str]:
    """Remove every inferred graph (the ontology's closure included); returns their names.
    Queries then see asserted triples only, until :func:`reason_store` or a build."""
    forget_state(store)
    names = store.inferred_graphs()
    for name in names:
        store.remove_graph(name)
    store.set_shared_inferred({}, "")  # and what each report contributed to them
    return names
