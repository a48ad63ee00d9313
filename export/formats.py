"""The format writers of an export: sorted N-Triples lines (with their graph names) in, the
bytes of one RDF format out, the same bytes for the same lines.  :data:`FORMATS` is the
name → (writer, file suffix, media type) registry the exports and the CLI choose from."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable

from rdflib import Graph, Literal
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

from incident_kg.ontology.namespaces import PREFIXES

from .wadm import wadm_bytes

#: The graph name the writers use for the default graph (the header of quad formats).
DEFAULT_GRAPH = ""
#: Formats that keep named graphs; the others write the union of the graphs.
QUAD_FORMATS = frozenset({"nquads", "trig"})

Line = tuple[str, str]  # (graph name, N-Triples line)


_INTEGER = "^^<http://www.w3.org/2001/XMLSchema#integer>"
_NON_NEGATIVE = "^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>"
_OFFSETS = ("<http://www.w3.org/ns/oa#start> ", "<http://www.w3.org/ns/oa#end> ")


def typed_offsets(line: str) -> str:
    """An N-Triples line with a Web Annotation offset (``oa:start``, ``oa:end``) typed
    ``xsd:nonNegativeInteger``, as the W3C context ``anno.jsonld`` declares it (a client that
    compacts with that context then reads ``start``/``end``).  The store may keep them as
    ``xsd:integer`` (Oxigraph keeps integer subtypes so); every export writes them so."""
    if _INTEGER in line and any(p in line for p in _OFFSETS):
        return line.replace(f"{_INTEGER} .", f"{_NON_NEGATIVE} .", 1)
    return line


def _bind(graph: Graph) -> None:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def _union_graph(lines: list[tuple[str, str]]) -> Graph:
    graph = Graph()
    _bind(graph)
    text = "\n".join(sorted({typed_offsets(line) for _, line in lines}))
    graph.parse(data=text, format="nt")
    return graph


class _LexicalTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle writer, but a literal is written in its short form (``48``, ``0.9``,
    ``true``) only when that form is the literal's own lexical form: ``"7312"^^xsd:decimal``
    stays so, where rdflib writes ``7312.0`` (a decimal needs a point in Turtle's short form),
    which a parser reads as another lexical form.  So every format of an export gives the same
    N-Triples (tests/export/test_interchange.py)."""

    def label(self, node: Node, position: int) -> str:
        text = super().label(node, position)
        if isinstance(node, Literal) and not text.startswith(('"', "'")) and text != str(node):
            return node._literal_n3(
                use_plain=False, qname_callback=lambda dt: self.get_pname(dt, False)
            )
        return text


def _turtle_bytes(graph: Graph) -> bytes:
    """The graph as Turtle (:class:`_LexicalTurtleSerializer`), UTF-8."""
    out = io.BytesIO()
    _LexicalTurtleSerializer(graph).serialize(out, encoding="utf-8")
    return out.getvalue()


def _turtle(lines: list[tuple[str, str]]) -> bytes:
    return _turtle_bytes(_union_graph(lines))


def _ntriples(lines: list[tuple[str, str]]) -> bytes:
    return ("\n".join(sorted({typed_offsets(line) for _, line in lines})) + "\n").encode("utf-8")


def nquads_bytes(lines: list[tuple[str, str]]) -> bytes:
    return "".join(
        f"{line}\n" if graph == DEFAULT_GRAPH else f"{line[:-2]} <{graph}> .\n"
        for graph, line in ((g, typed_offsets(text)) for g, text in lines)
    ).encode("utf-8")


def turtle_parts(lines: Iterable[str]) -> tuple[list[str], str]:
    """A graph as Turtle, split into its prefix lines and its body."""
    graph = Graph()
    _bind(graph)
    graph.parse(data="\n".join(map(typed_offsets, lines)), format="nt")
    text = _turtle_bytes(graph).decode("utf-8")
    prefixes = [line for line in text.split("\n") if line.startswith("@prefix ")]
    body = "\n".join(line for line in text.split("\n") if not line.startswith("@prefix "))
    return prefixes, body.strip("\n")


def _trig(lines: list[tuple[str, str]]) -> bytes:
    """TriG, one block per graph in sorted order (the default graph first), each block
    the Turtle of that graph: rdflib's own TriG writer orders graphs by hash."""
    prefixes: set[str] = set()
    blocks: list[str] = []
    for name in sorted({graph for graph, _ in lines}):
        head, body = turtle_parts(line for g, line in lines if g == name)
        prefixes.update(head)
        label = "" if name == DEFAULT_GRAPH else f"<{name}> "
        # not indented: a long literal spans lines, and indenting would change it
        blocks.append(f"{label}{{\n{body}\n}}\n")
    text = "\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)
    return text.encode("utf-8")


def _canonical_json(value: object, key: str = "") -> object:
    """JSON with every array in a fixed order (arrays are sets in JSON-LD, but for
    ``@list``), so that the same triples always give the same text."""
    if isinstance(value, dict):
        return {k: _canonical_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical_json(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld(lines: list[tuple[str, str]]) -> bytes:
    graph = _union_graph(lines)
    data = json.loads(graph.serialize(format="json-ld", context=PREFIXES, sort_keys=True))
    text = json.dumps(_canonical_json(data), sort_keys=True, indent=1, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _wadm(lines: list[tuple[str, str]]) -> bytes:
    """The annotations as Web Annotation JSON (export/wadm.py), the collection named after the
    exported dataset (the subject of the header's marking)."""
    from rdflib import URIRef

    from incident_kg.ontology.namespaces import IKG

    graph = _union_graph(lines)
    datasets = sorted(
        str(s) for s in graph.subjects(IKG.sharingMarking, None) if isinstance(s, URIRef)
    )
    name = f"{datasets[0]}/annotations" if datasets else "urn:incident-kg:annotations"
    return wadm_bytes(graph, name)


#: Format name → (writer, file suffix, media type).
FORMATS: dict[str, tuple[Callable[[list[tuple[str, str]]], bytes], str, str]] = {
    "turtle": (_turtle, ".ttl", "text/turtle"),
    "ntriples": (_ntriples, ".nt", "application/n-triples"),
    "nquads": (nquads_bytes, ".nq", "application/n-quads"),
    "trig": (_trig, ".trig", "application/trig"),
    "jsonld": (_jsonld, ".jsonld", "application/ld+json"),
    # the evidence only, as the W3C Web Annotation model's JSON (not an RDF syntax to import)
    "wadm": (
        _wadm,
        ".anno.jsonld",
        'application/ld+json;profile="http://www.w3.org/ns/anno.jsonld"',
    ),
}
#: The formats an RDF file is read in (import, validate): all but the annotation profile.
RDF_SYNTAXES = tuple(name for name in FORMATS if name != "wadm")


__all__ = [
    "DEFAULT_GRAPH",
    "FORMATS",
    "QUAD_FORMATS",
    "RDF_SYNTAXES",
    "Line",
    "nquads_bytes",
    "turtle_parts",
    "typed_offsets",
]
