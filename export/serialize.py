"""Serialise the store deterministically: same store → byte-identical file.

Quads are read from the store, sorted as N-Quads lines, and handed to the format
writer in that order; no blank nodes are minted by the pipeline, so no random
labels can appear.  Formats live in :data:`FORMATS`, a name → writer registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import Dataset, Graph, URIRef

from incident_kg.graph.store import META_GRAPH, GraphStore
from incident_kg.ontology.namespaces import ONTOLOGY_GRAPH, PREFIXES


@dataclass(frozen=True)
class ExportOptions:
    """What to put in an export."""

    include_ontology: bool = True


def _graph_names(store: GraphStore, options: ExportOptions) -> list[str]:
    names = store.report_graphs()
    if options.include_ontology:
        names = [ONTOLOGY_GRAPH, *names]
    return [n for n in names if n != META_GRAPH]


def _sorted_lines(store: GraphStore, names: Iterable[str]) -> list[tuple[str, str]]:
    """(graph, N-Triples line) pairs, sorted: the canonical order of an export."""
    out: list[tuple[str, str]] = []
    for name in names:
        for quad in store.quads([name]):
            out.append((name, f"{quad.subject} {quad.predicate} {quad.object} ."))
    return sorted(set(out))


def _bind(graph: Graph | Dataset) -> None:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def _union_graph(lines: list[tuple[str, str]]) -> Graph:
    graph = Graph()
    _bind(graph)
    text = "\n".join(sorted({line for _, line in lines}))
    graph.parse(data=text, format="nt")
    return graph


def _turtle(lines: list[tuple[str, str]]) -> bytes:
    return _union_graph(lines).serialize(format="turtle", encoding="utf-8")


def _ntriples(lines: list[tuple[str, str]]) -> bytes:
    return ("\n".join(sorted({line for _, line in lines})) + "\n").encode("utf-8")


def _nquads(lines: list[tuple[str, str]]) -> bytes:
    return "".join(f"{line[:-2]} <{graph}> .\n" for graph, line in lines).encode("utf-8")


def _trig(lines: list[tuple[str, str]]) -> bytes:
    dataset = Dataset()
    _bind(dataset)
    for name in sorted({graph for graph, _ in lines}):
        graph = dataset.graph(URIRef(name))
        graph.parse(data="\n".join(line for g, line in lines if g == name), format="nt")
    return dataset.serialize(format="trig", encoding="utf-8")


def _jsonld(lines: list[tuple[str, str]]) -> bytes:
    graph = _union_graph(lines)
    return graph.serialize(
        format="json-ld", encoding="utf-8", context=PREFIXES, sort_keys=True, indent=1
    )


#: Format name → (writer, file suffix, media type).
FORMATS: dict[str, tuple[Callable[[list[tuple[str, str]]], bytes], str, str]] = {
    "turtle": (_turtle, ".ttl", "text/turtle"),
    "ntriples": (_ntriples, ".nt", "application/n-triples"),
    "nquads": (_nquads, ".nq", "application/n-quads"),
    "trig": (_trig, ".trig", "application/trig"),
    "jsonld": (_jsonld, ".jsonld", "application/ld+json"),
}


def export_bytes(store: GraphStore, fmt: str, options: ExportOptions | None = None) -> bytes:
    """The store serialised in one of :data:`FORMATS`."""
    options = options or ExportOptions()
    writer = FORMATS[fmt][0]
    return writer(_sorted_lines(store, _graph_names(store, options)))
