"""Overlap: data present twice is stored once, so that it is read once.

Over the union of graphs Oxigraph returns a triple once per graph that holds it. An agency
that imports its neighbour's export of the reports it has built itself (or the same file
from two agencies) would otherwise hold every triple two or three times, and every join of
every query would multiply: a projection query measured at 0.08 s took minutes.

So each imported graph keeps only the triples no other graph holds. What it states that the
agency's own graphs (or an earlier import, or the shared graph) already hold is recorded in
the metadata graph (``ikg:heldElsewhere``, N-Triples) and left where it is. The imported
graph is still whole wherever it matters: :func:`held_elsewhere` gives the recorded triples
back to exports, and :func:`reconcile_imports`, run after every build and import, puts a
recorded triple back into its imported graph once no other graph holds it (the agency
removed its own report). The same holds for each imported graph's inferred graph.

Who keeps a triple: the agency's own graphs first, then imports in the order they were made
(then by graph name).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib.namespace import PROV

from incident_kg.ontology.namespaces import IKG, ONTOLOGY_GRAPH

from .reason import ONTOLOGY_INFERRED, inferred_graph_for
from .store import (
    META_GRAPH,
    SHARED_GRAPH,
    SHARED_INFERRED,
    GraphStore,
    imported_inferred_graph,
)

log = logging.getLogger(__name__)

HELD_KEY = str(IKG.heldElsewhere)


def import_order(store: GraphStore) -> list[str]:
    """The imported graphs, oldest import first (then by name)."""
    found = store.query(
        f"SELECT ?g ?t WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{PROV.wasGeneratedBy}> ?i . "
        f"?i a <{IKG.Import}> ; <{PROV.startedAtTime}> ?t }} }}"
    )
    rows = {(str(row["t"].value), str(row["g"].value)) for row in found}  # type: ignore[union-attr, attr-defined]
    return list(dict.fromkeys(g for _, g in sorted(rows)))


def held_elsewhere(store: GraphStore) -> dict[str, str]:
    """Each imported (or inferred) graph's recorded triples held by another graph (N-Triples)."""
    out: dict[str, str] = {}
    for quad in store.quads([META_GRAPH]):
        if quad.predicate.value == HELD_KEY and isinstance(quad.object, ox.Literal):
            out[str(getattr(quad.subject, "value", ""))] = quad.object.value
    return out


def _parse(text: str) -> set[ox.Triple]:
    if not text.strip():
        return set()
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    }


def _line(t: ox.Triple) -> str:
    return f"{t.subject} {t.predicate} {t.object} ."


def _block(op: str, graph: str, triples: Iterable[ox.Triple]) -> str:
    lines = "\n".join(sorted(map(_line, triples)))
    return f"{op} DATA {{ GRAPH <{graph}> {{\n{lines}\n}} }}" if lines else ""


def _reconcile(store: GraphStore, graph: str, keepers: set[str], recorded: str) -> tuple[str, int]:
    """The update for one imported graph: its triples that a keeper holds move to the record,
    its recorded triples no keeper holds come back. Returns (update, triples held elsewhere)."""
    current = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads([graph])}
    full = current | _parse(recorded)
    held = {t for t in full if store.graphs_with(t) & keepers}
    keep = full - held
    ops = [_block("DELETE", graph, current - keep), _block("INSERT", graph, keep - current)]
    ops.append(f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{HELD_KEY}> ?x }} }}")
    if held:
        text = "".join(f"{line}\n" for line in sorted(map(_line, held)))
        ops.append(
            f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{HELD_KEY}> {ox.Literal(text)} }} }}"
        )
    return " ;\n".join(op for op in ops if op), len(held)


def reconcile_imports(store: GraphStore) -> int:
    """Store each triple of the imported graphs once (see the module doc); returns how many
    of their triples are held by other graphs."""
    imported = import_order(store)
    if not imported:
        return 0
    recorded = held_elsewhere(store)
    local = [g for g in store.report_graphs() if g not in set(imported)]
    asserted: set[str] = {SHARED_GRAPH, ONTOLOGY_GRAPH, *local}
    inferred: set[str] = {SHARED_INFERRED, ONTOLOGY_INFERRED, *map(inferred_graph_for, local)}
    total = 0
    for graph in imported:
        for name, keepers in ((graph, asserted), (imported_inferred_graph(graph), inferred)):
            update, held = _reconcile(store, name, keepers, recorded.get(name, ""))
            if update:
                store.update(update)
            total += held
            keepers.add(name)  # a later import's copy defers to this one
    log.info("imports: %d triple(s) held by other graphs, stored once", total)
    return total


__all__ = ["HELD_KEY", "held_elsewhere", "import_order", "reconcile_imports"]
