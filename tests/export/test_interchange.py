"""Exports another agency can load with its own tools: every format read by two strict
parsers (and JSON-LD by a third, pyld), the same triples and lexical forms in every format,
and descriptions that the official DCAT-AP 3 shapes accept (tests/data/dcat-ap/)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from pyshacl import validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH

from incident_kg.cli import main
from incident_kg.export.describe import CC_BY_4, VOID
from incident_kg.export.formats import RDF_SYNTAXES
from incident_kg.export.serialize import FORMATS, QUAD_FORMATS
from incident_kg.ontology.namespaces import CODE, IKG

from ..conftest import DATA

OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
}
DCAT_AP = DATA / "dcat-ap"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory, interchange_store: Path) -> dict[str, Path]:
    """One export per format of the same store, each with its description beside it."""
    out = tmp_path_factory.mktemp("interchange")
    files = {}
    for fmt in RDF_SYNTAXES:  # the RDF formats (wadm, the evidence only: tests/export/test_wadm.py)
        path = out / f"kg{FORMATS[fmt][1]}"
        run(
            "-q",
            "export",
            "--store",
            str(interchange_store),
            "--rdf-format",
            fmt,
            "--publisher",
            "堺市",
            "-o",
            str(path),
        )
        files[fmt] = path
    return files


def oxigraph_triples(path: Path, fmt: str) -> set[str]:
    """The triples of a file as N-Triples lines, read by Oxigraph's strict parser (graph
    names dropped)."""
    return {str(q.triple) for q in ox.parse(path=path, format=OX_FORMATS[fmt])}


@pytest.mark.parametrize("fmt", sorted(RDF_SYNTAXES))
def test_every_format_is_read_by_two_strict_parsers_alike(
    exports: dict[str, Path], fmt: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Oxigraph's strict parser and rdflib's read the same triples, and rdflib finds no
    literal it cannot read (it logs a warning for each)."""
    path = exports[fmt]
    ours = oxigraph_triples(path, fmt)
    with caplog.at_level(logging.WARNING):
        if fmt in QUAD_FORMATS:
            theirs = Dataset()
            theirs.parse(path, format=RDFLIB_FORMATS[fmt])
            triples = {(s, p, o) for s, p, o, _ in theirs.quads((None, None, None, None))}
        else:
            triples = set(Graph().parse(path, format=RDFLIB_FORMATS[fmt]))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    union = Graph()
    for triple in triples:
        union.add(triple)
    nt = union.serialize(format="nt", encoding="utf-8")
    assert {str(t) for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)} == ours


def test_json_ld_is_read_by_pyld_to_the_same_triples(exports: dict[str, Path]) -> None:
    from pyld import jsonld

    document = json.loads(exports["jsonld"].read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    read = {str(q.triple) for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)}
    assert read == oxigraph_triples(exports["jsonld"], "jsonld")


def test_every_format_gives_the_same_triples_in_the_same_lexical_forms(
    exports: dict[str, Path],
) -> None:
    """Compared as N-Triples: "7312"^^xsd:decimal in every format (Turtle's short form
    7312.0 is another lexical form, another term for sameTerm and for hashes).  The quad
    formats add only the marking of each graph."""
    reference = oxigraph_triples(exports["ntriples"], "ntriples")
    decimals = [t for t in reference if t.endswith("#decimal>")]
    assert decimals and any('"^^' in t and "." not in t.rsplit('"', 2)[1] for t in decimals)
    for fmt, path in exports.items():
        triples = oxigraph_triples(path, fmt)
        if fmt in QUAD_FORMATS:
            extra = triples - reference
            assert all(f"<{IKG.sharingMarking}>" in t and "/graph/" in t for t in extra), fmt
            triples -= extra
        assert triples == reference, fmt


def descriptions(exports: dict[str, Path]) -> dict[str, Graph]:
    return {
        fmt: Graph().parse(path.with_name(path.name + ".description.ttl"))
        for fmt, path in exports.items()
    }


def test_each_file_has_its_own_description_of_one_and_the_same_dataset(
    exports: dict[str, Path],
) -> None:
    """kg.ttl then kg.jsonld: two descriptions, not one overwritten; one dataset (named by its
    triples) with one distribution per file, named after the file's whole name; the same
    void:triples in every format."""
    graphs = descriptions(exports)
    datasets = {fmt: set(g.subjects(RDF.type, DCAT.Dataset)) for fmt, g in graphs.items()}
    assert all(len(d) == 1 for d in datasets.values())
    assert len(set.union(*datasets.values())) == 1
    (dataset,) = datasets["turtle"]
    assert f"<{dataset}>" in exports["ntriples"].read_text(encoding="utf-8")  # the file's header
    counts = {int(g.value(dataset, VOID.triples)) for g in graphs.values()}  # type: ignore[arg-type]
    assert len(counts) == 1
    assert counts == {len(oxigraph_triples(exports["ntriples"], "ntriples")) - 3}  # header
    for fmt, g in graphs.items():
        (dist,) = g.objects(dataset, DCAT.distribution)
        assert str(dist).endswith("/distribution/" + exports[fmt].name)
        assert g.value(dist, DCAT.downloadURL) == URIRef(exports[fmt].resolve().as_uri())
        size = g.value(dist, DCAT.byteSize)
        assert size == Literal(
            exports[fmt].stat().st_size,
            datatype=URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"),
        )


def dcat_ap_shapes() -> Graph:
    """The official DCAT-AP 3.0.1 shapes, with the five property links of its ranges.ttl that
    name no shape left out (see tests/data/dcat-ap/README.md)."""
    shapes = Graph()
    shapes.parse(DCAT_AP / "dcat-ap-SHACL.ttl")
    shapes.parse(DCAT_AP / "ranges.ttl")
    for shape, prop in list(shapes.subject_objects(SH.property)):
        if (prop, None, None) not in shapes:
            shapes.remove((shape, SH.property, prop))
    return shapes


def test_the_descriptions_conform_to_the_dcat_ap_shapes(exports: dict[str, Path]) -> None:
    """All five descriptions together: one dataset, five distributions, DCAT-AP valid."""
    merged = Graph()
    for g in descriptions(exports).values():
        merged += g
    (dataset,) = merged.subjects(RDF.type, DCAT.Dataset)
    assert len(list(merged.objects(dataset, DCAT.distribution))) == len(RDF_SYNTAXES)
    conforms, _, text = validate(merged, shacl_graph=dcat_ap_shapes(), inference="none")
    assert conforms, text


def test_the_dcat_ap_shapes_find_what_a_description_lacks(exports: dict[str, Path]) -> None:
    """The check can fail: without its dct:description, its dcat:accessURL and its
    publisher's foaf:name a description breaks mandatory DCAT-AP constraints."""
    graph = descriptions(exports)["turtle"]
    for prop in (DCTERMS.description, DCAT.accessURL, URIRef("http://xmlns.com/foaf/0.1/name")):
        graph.remove((None, prop, None))
    conforms, report, _ = validate(graph, shacl_graph=dcat_ap_shapes(), inference="none")
    assert not conforms
    paths = set(report.objects(None, SH.resultPath))
    assert {DCTERMS.description, DCAT.accessURL} <= paths


def test_the_licence_is_a_real_licence_and_the_marking_is_under_access_rights(
    interchange_store: Path, tmp_path: Path
) -> None:
    """CC BY 4.0 under TLP:CLEAR; under any other label no licence unless one is given; a
    licence given must be an IRI (refused before anything is written)."""
    store = str(interchange_store)

    def licence(*args: str) -> tuple[set[URIRef], set[URIRef]]:
        out = tmp_path / "kg.ttl"
        run("-q", "export", "--store", store, "-o", str(out), *args)
        g = Graph().parse(tmp_path / "kg.ttl.description.ttl")
        return set(g.objects(None, DCTERMS.license)), set(g.objects(None, DCTERMS.accessRights))

    assert licence("--tlp", "CLEAR") == ({URIRef(CC_BY_4)}, {CODE["tlp-clear"]})
    given = "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"
    assert licence("--tlp", "AMBER", "--license", given)[0] == {URIRef(given)}
    assert licence("--tlp", "AMBER")[0] == set()
    refused = CliRunner().invoke(
        main,
        ["-q", "export", "--store", store, "--license", "CC BY", "-o", str(tmp_path / "x.ttl")],
    )
    assert refused.exit_code == 2 and "--license" in refused.output
    assert not (tmp_path / "x.ttl").exists()
