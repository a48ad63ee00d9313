"""The ontology and the exports are OWL 2 DL, by real OWL tools on a Java runtime: the OWL
API's OWL 2 DL profile checker and the HermiT reasoner (tests/ontology/owl_tools.py).

Skipped, with the reason, only when no Java runtime is installed (Debian: default-jre)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from incident_kg.export.serialize import ExportOptions, export_dataset
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.vocabulary import ontology_graph

from .owl_tools import dl_profile, hermit, java

pytestmark = pytest.mark.skipif(
    java() is None, reason="no Java runtime (java) on PATH: the OWL tools run on a JRE"
)


@pytest.fixture(scope="module")
def ontology_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("owl") / "ontology.ttl"
    ontology_graph().serialize(path, format="turtle")
    return path


@pytest.fixture(scope="module")
def export_file(tmp_path_factory: pytest.TempPathFactory, interchange_store: Path) -> Path:
    """A whole export (ontology, concepts and the data of the sample reports, with a curated
    report, its publisher and URL), as another agency receives it."""
    path = tmp_path_factory.mktemp("owl") / "export.ttl"
    with GraphStore.open(interchange_store, read_only=True) as store:
        path.write_bytes(export_dataset(store, "turtle", ExportOptions()).data)
    return path


def test_the_ontology_is_in_the_owl2_dl_profile(ontology_file: Path) -> None:
    profile = dl_profile(ontology_file)
    assert profile.axioms > 1000
    assert profile.violations == []


def test_a_whole_export_is_in_the_owl2_dl_profile(export_file: Path) -> None:
    """Every term the data uses is declared as what its vocabulary makes it (skos:inScheme
    and prov:wasDerivedFrom object properties, skos:prefLabel an annotation property…)."""
    profile = dl_profile(export_file)
    assert profile.axioms > 10000
    assert profile.violations == []


def test_the_profile_check_finds_an_undeclared_term(ontology_file: Path, tmp_path: Path) -> None:
    """The check can fail: without its declaration, skos:inScheme is read as an annotation
    property nobody declared."""
    graph = Graph().parse(ontology_file)
    declaration = next(
        t for t in graph if str(t[0]).endswith("core#inScheme") and str(t[1]).endswith("#type")
    )
    graph.remove(declaration)
    broken = tmp_path / "broken.ttl"
    graph.serialize(broken, format="turtle")
    violations = dl_profile(broken).violations
    assert any("undeclared" in v and "inScheme" in v for v in violations), violations


def test_hermit_loads_the_ontology_without_flags_and_finds_it_consistent(
    ontology_file: Path,
) -> None:
    """No OWL union of datatypes outside OWL 2's datatype map any more (partial dates are
    checked by the shapes): HermiT loads the ontology as it is."""
    proc = hermit(ontology_file)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "satisfiable" in proc.stdout and "not satisfiable" not in proc.stdout


def test_hermit_finds_a_whole_export_consistent(export_file: Path) -> None:
    """The data's partial dates are typed xsd:date, xsd:gYearMonth or xsd:gYear — what SPARQL,
    SHACL and every RDF tool read — which OWL 2's datatype map does not hold, so HermiT reads
    the data with --ignoreUnsupportedDatatypes (see ontology/README.md)."""
    proc = hermit(export_file, ignore_unsupported_datatypes=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "satisfiable" in proc.stdout and "not satisfiable" not in proc.stdout
