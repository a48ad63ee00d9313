"""Shared identity and provenance: local governments named by their code under one namespace
(two agencies' exports join on the same body), generic words never organisations, reports
with their publisher and URL, PROV and Web Annotation used as their specifications say."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from incident_kg.cli import main
from incident_kg.graph.publication import SourceSidecarError, parse_source
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.local_governments import LOCAL_GOVERNMENT_BASE
from incident_kg.ontology.namespaces import IKG, OA, ORG

from ..conftest import seed_files
from ..interchange import CURATED, URL

SAKAI = URIRef(LOCAL_GOVERNMENT_BASE + "271403")
KUMAMOTO = URIRef(LOCAL_GOVERNMENT_BASE + "431001")


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def two_agencies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, Graph]:
    """The seeds built and exported by two agencies, each under its own base IRI."""
    if not seed_files():
        pytest.skip("../shared/seeds is not beside the project")
    out = tmp_path_factory.mktemp("agencies")
    graphs = []
    for agency in ("pref-a", "city-b"):
        store = out / agency
        base = f"https://data.{agency}.example.lg.jp/kg/"
        run("-q", "build", "--store", str(store), "--base", base, *map(str, seed_files()))
        data = run(
            "-q", "export", "--store", str(store), "--no-ontology", "--rdf-format", "ntriples"
        )
        graphs.append(Graph().parse(data=data, format="nt"))
    return graphs[0], graphs[1]


def test_two_agencies_exports_join_on_the_same_sakai_and_kumamoto(
    two_agencies: tuple[Graph, Graph],
) -> None:
    a, b = two_agencies
    for body, code, name in ((SAKAI, "271403", "堺市"), (KUMAMOTO, "431001", "熊本市")):
        for g in (a, b):
            assert (body, IKG.localGovernmentCode, Literal(code)) in g
            assert (body, SKOS.prefLabel, Literal(name, lang="ja")) in g
            assert (None, IKG.responsibleOrganization, body) in g
    # and the incidents of both agencies meet there: one body, two agencies' incidents
    union = a + b
    incidents = set(union.subjects(IKG.responsibleOrganization, SAKAI))
    assert {i for i in incidents if "pref-a" in str(i)} and {
        i for i in incidents if "city-b" in str(i)
    }
    # their own reports stay under their own base
    assert not set(a.subjects(RDF.type, IKG.Report)) & set(b.subjects(RDF.type, IKG.Report))


def test_a_ward_office_is_named_under_its_city(two_agencies: tuple[Graph, Graph]) -> None:
    a, b = two_agencies
    wards = {s for s, o in a.subject_objects(ORG.subOrganizationOf) if o == SAKAI}
    assert wards and all(str(w).startswith(str(SAKAI) + "/") for w in wards)
    assert wards <= {s for s, o in b.subject_objects(ORG.subOrganizationOf) if o == SAKAI}


def test_generic_words_are_never_organisations(two_agencies: tuple[Graph, Graph]) -> None:
    """地方公共団体 and 保険者 stand for bodies a text does not name."""
    a, _ = two_agencies
    names = {
        str(o) for s in a.subjects(RDF.type, ORG.Organization) for o in a.objects(s, SKOS.prefLabel)
    }
    assert names and not names & {"地方公共団体", "保険者", "健康保険組合"}


@pytest.fixture(scope="module")
def data(interchange_store: Path) -> Graph:
    with GraphStore.open(interchange_store, read_only=True) as store:
        return Graph().parse(data=store.graph_ntriples(store.report_graphs()), format="nt")


def test_a_report_has_its_publisher_and_url_from_its_source_sidecar(data: Graph) -> None:
    report = URIRef(f"https://w3id.org/incident-kg/id/report/{CURATED}")
    assert data.value(report, DCTERMS.source) == URIRef(URL)
    assert data.value(report, DCTERMS.publisher) == SAKAI


def test_a_report_of_one_body_has_it_as_publisher_without_a_sidecar(data: Graph) -> None:
    report = URIRef("https://w3id.org/incident-kg/id/report/s03-kumamoto-council")
    assert data.value(report, DCTERMS.publisher) == KUMAMOTO
    assert data.value(report, DCTERMS.source) is None
    # a regulator's summary of several bodies' incidents: unknown, not guessed
    summary = URIRef("https://w3id.org/incident-kg/id/report/s05-ppc-policy-prose")
    assert data.value(summary, DCTERMS.publisher) is None


def test_the_language_is_an_iso_639_iri() -> None:
    from incident_kg.graph.triples import JAPANESE

    assert JAPANESE == URIRef("http://id.loc.gov/vocabulary/iso639-2/jpn")


def test_the_extraction_generated_the_graph_not_the_report(data: Graph) -> None:
    report = URIRef(f"https://w3id.org/incident-kg/id/report/{CURATED}")
    extraction = URIRef(f"{report}/extraction")
    assert data.value(report, PROV.wasGeneratedBy) is None
    assert data.value(report, DCTERMS.language) == URIRef(
        "http://id.loc.gov/vocabulary/iso639-2/jpn"
    )
    assert (extraction, PROV.used, report) in data
    assert data.value(extraction, PROV.generated) == URIRef(
        f"https://w3id.org/incident-kg/id/graph/{CURATED}"
    )


def test_a_curation_change_is_no_annotation(data: Graph) -> None:
    """oa:hasBody makes its subject an oa:Annotation (its domain), which needs a target: a
    removed code has none, so the change names it with ikg:changedCode."""
    (change,) = data.subjects(RDF.type, IKG.CurationChange)
    assert data.value(change, IKG.changedCode) == URIRef(
        "https://w3id.org/incident-kg/code/SharedDevice"
    )
    assert data.value(change, OA.hasBody) is None
    assert set(data.subjects(OA.hasBody, None)) <= set(data.subjects(OA.hasTarget, None))


def test_a_source_sidecar_is_checked() -> None:
    assert parse_source({"publisher": "堺市"}, where="x").publisher == "堺市"
    for bad in ({"url": "javascript:alert(1)"}, {"publisher": ""}, {"author": "x"}, ["x"]):
        with pytest.raises(SourceSidecarError, match=r"^x: "):
            parse_source(bad, where="x")


def test_a_bad_source_sidecar_names_its_file_and_the_rest_still_loads(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    sample = Path(__file__).resolve().parents[2] / "samples" / "reports"
    for name in ("s02-sakai-logout.md", "s03-kumamoto-council.txt"):
        (folder / name).write_bytes((sample / name).read_bytes())
    (folder / "s02-sakai-logout.source.yaml").write_text("url: not a url\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-q", "build", "--store", str(tmp_path / "s"), str(folder)])
    assert result.exit_code == 1
    assert "s02-sakai-logout.source.yaml" in result.output
    with GraphStore.open(tmp_path / "s", read_only=True) as store:
        assert len(store.report_graphs()) == 1
        assert ox.NamedNode(str(KUMAMOTO)) in {q.object for q in store.quads(store.report_graphs())}
