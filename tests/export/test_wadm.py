"""The evidence as a Web Annotation client reads it (issue 19): the `wadm` export is the W3C
model's JSON, which pyld — an independent JSON-LD processor — expands with the W3C context
(a pinned copy, tests/data/wadm) to exactly the annotation triples of the RDF export, and
compacts back with that context to the model's terms: `start`/`end` as numbers, never
`oa:start`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from incident_kg.export import export_bytes
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import OA

from ..conftest import ROOT

ANNO = ROOT / "tests" / "data" / "wadm" / "anno.jsonld"
ANNO_URL = "http://www.w3.org/ns/anno.jsonld"


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader with the W3C context served from the pinned copy (offline)."""
    assert url == ANNO_URL, f"pyld asked for {url}: nothing else may be fetched"
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": json.loads(ANNO.read_text(encoding="utf-8"))}  # fmt: skip


@pytest.fixture(scope="module")
def exports(seeds_store_path: Path) -> tuple[dict[str, Any], Graph]:
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        wadm = json.loads(export_bytes(store, "wadm"))
        rdf = Graph().parse(data=export_bytes(store, "ntriples").decode("utf-8"), format="nt")
    return wadm, rdf


def _annotation_subgraph(rdf: Graph) -> set[tuple[str, str, str]]:
    """The annotations of the RDF export with their targets and selectors, as strings."""
    nodes = set(rdf.subjects(RDF.type, OA.Annotation))
    nodes |= {t for a in list(nodes) for t in rdf.objects(a, OA.hasTarget)}
    nodes |= {s for t in list(nodes) for s in rdf.objects(t, OA.hasSelector)}
    return {_key(s, p, o) for s, p, o in rdf if s in nodes}


def _key(s: object, p: object, o: object) -> tuple[str, str, str]:
    if isinstance(o, Literal):
        value = f"{o}@{o.language}" if o.language else f"{o}^^{o.datatype or ''}"
        value = value.replace("^^http://www.w3.org/2001/XMLSchema#string", "^^")
    else:
        value = str(o)
    return str(s), str(p), value


def test_the_collection_holds_every_annotation_in_the_model_s_terms(exports: tuple) -> None:
    wadm, rdf = exports
    items = wadm["first"]["items"]
    assert wadm["type"] == "AnnotationCollection" and wadm["total"] == len(items)
    assert len(items) == len(set(rdf.subjects(RDF.type, OA.Annotation))) > 50
    item = items[0]
    assert item["type"] == "Annotation" and item["motivation"] == "classifying"
    selectors = {s["type"]: s for s in item["target"]["selector"]}
    assert isinstance(selectors["TextPositionSelector"]["start"], int)
    assert selectors["TextQuoteSelector"]["exact"]


def test_pyld_expands_it_to_the_annotation_triples_of_the_rdf_export(exports: tuple) -> None:
    wadm, rdf = exports
    nquads = jsonld.to_rdf(wadm, {"format": "application/n-quads", "documentLoader": _loader})
    got = Graph().parse(data=nquads, format="nquads")
    got_keys = {_key(s, p, o) for s, p, o in got}
    # the collection, its page and the page's list of items are the container, not evidence
    lists = {str(RDF.first), str(RDF.rest)}
    container = {k for k in got_keys if k[0].startswith(wadm["id"]) or k[1] in lists}
    want = _annotation_subgraph(rdf)
    assert got_keys - container - want == set()
    assert want - got_keys == set()


def test_a_client_compacting_with_the_w3c_context_reads_start_and_end(exports: tuple) -> None:
    wadm, _ = exports
    expanded = jsonld.expand(wadm, {"documentLoader": _loader})
    compacted = jsonld.compact(expanded, ANNO_URL, {"documentLoader": _loader})
    text = json.dumps(compacted, ensure_ascii=False)
    assert '"oa:start"' not in text and '"oa:end"' not in text
    positions = [
        s
        for a in compacted["first"]["items"]
        for s in (a["target"]["selector"] if isinstance(a["target"], dict) else [])
        if s.get("type") == "TextPositionSelector"
    ]
    assert positions and all(isinstance(p["start"], int) for p in positions)


def test_the_rdf_export_types_the_offsets_as_the_w3c_context_does(exports: tuple) -> None:
    _, rdf = exports
    offsets = list(rdf.objects(None, OA.start)) + list(rdf.objects(None, OA.end))
    kinds = {o.datatype for o in offsets if isinstance(o, Literal)}
    assert kinds == {URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")}
