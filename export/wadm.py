"""The evidence as Web Annotation Data Model JSON (``export --rdf-format wadm``).

What an annotation tool reads: an ``AnnotationCollection`` with one ``AnnotationPage`` whose
items are the export's annotations in the W3C form of the model — the terms of the W3C
context ``http://www.w3.org/ns/anno.jsonld`` (``type``, ``motivation``, ``body``,
``bodyValue``, ``target``, ``source``, ``selector``, ``exact``/``prefix``/``suffix``,
``start``/``end`` as numbers), each target embedded with its selectors.  What the model does
not name (the incident an annotation is about, the property it supports, the lexicon rule,
the confidence) is kept under the project's prefix ``ikg:``, declared in a second context,
so that the file expands to the same triples as the annotations of an RDF export.  Only the
annotations and their targets are written: the incidents themselves are in the RDF formats.
The selectors point into the report as published (graph/anchors.py).
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from incident_kg.ontology.namespaces import IKG, OA

#: The W3C context (a client holds its own copy; nothing here fetches it).
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: Model terms of the W3C context, by the property they stand for.
_TERMS = {
    RDF.type: "type",
    OA.motivatedBy: "motivation",
    OA.hasBody: "body",
    OA.bodyValue: "bodyValue",
    OA.hasTarget: "target",
    OA.hasSource: "source",
    OA.hasSelector: "selector",
    OA.exact: "exact",
    OA.prefix: "prefix",
    OA.suffix: "suffix",
    OA.start: "start",
    OA.end: "end",
    DCTERMS.creator: "creator",
}
#: Classes and motivations the W3C context names.
_NAMES = {
    OA.Annotation: "Annotation",
    OA.SpecificResource: "SpecificResource",
    OA.TextQuoteSelector: "TextQuoteSelector",
    OA.TextPositionSelector: "TextPositionSelector",
    OA.classifying: "classifying",
}
_OFFSETS = (OA.start, OA.end)


def _value(term: object) -> Any:
    """A JSON-LD value of an extension property: a node by its id, a literal as written."""
    if isinstance(term, URIRef | BNode):
        return {"@id": str(term)}
    assert isinstance(term, Literal)
    if term.language:
        return {"@value": str(term), "@language": term.language}
    if term.datatype is None or term.datatype == XSD.string:
        return str(term)
    return {"@value": str(term), "@type": str(term.datatype)}


def _node(graph: Graph, node: URIRef | BNode, embed: frozenset[URIRef]) -> dict[str, Any]:
    """One node in the model's form; the targets and selectors it names embedded."""
    out: dict[str, Any] = {"id": str(node)}
    for predicate, obj in sorted(graph.predicate_objects(node)):
        term = _TERMS.get(predicate)  # type: ignore[call-overload]
        if term is None:
            key, value = f"ikg:{str(predicate).removeprefix(str(IKG))}", _value(obj)
            if not str(predicate).startswith(str(IKG)):
                key = str(predicate)
        elif predicate == RDF.type or predicate == OA.motivatedBy:
            value = _NAMES.get(obj, str(obj))  # type: ignore[call-overload]
            key = term
        elif predicate in _OFFSETS:
            key, value = term, int(str(obj))
        elif isinstance(obj, Literal):
            key, value = term, str(obj)
        elif predicate in embed and isinstance(obj, URIRef | BNode):
            key, value = term, _node(graph, obj, embed)
        else:
            key, value = term, str(obj)
        if key in out:
            out[key] = [*out[key], value] if isinstance(out[key], list) else [out[key], value]
        else:
            out[key] = value
    if isinstance(out.get("selector"), list):
        out["selector"].sort(key=lambda s: str(s.get("type", "")))
    return out


def wadm_collection(graph: Graph, collection: str) -> dict[str, Any]:
    """The annotations of ``graph`` as one WADM ``AnnotationCollection``."""
    embed = frozenset((OA.hasTarget, OA.hasSelector))
    annotations = sorted(
        (a for a in set(graph.subjects(RDF.type, OA.Annotation)) if isinstance(a, URIRef | BNode)),
        key=str,
    )
    items = [_node(graph, a, embed) for a in annotations]
    return {
        "@context": [ANNO_CONTEXT, {"ikg": str(IKG)}],
        "id": collection,
        "type": "AnnotationCollection",
        "total": len(items),
        "first": {"id": f"{collection}#page-1", "type": "AnnotationPage", "items": items},
    }


def wadm_bytes(graph: Graph, collection: str) -> bytes:
    """:func:`wadm_collection` as UTF-8 JSON (nodes and keys in a fixed order: the same graph
    gives the same bytes)."""
    text = json.dumps(wadm_collection(graph, collection), ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


__all__ = ["ANNO_CONTEXT", "wadm_bytes", "wadm_collection"]
