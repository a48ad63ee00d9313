"""Curation: an analyst's sidecar corrects a report's extraction on every build, on the record."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from rdflib import Graph

from incident_kg.export import export_bytes
from incident_kg.extraction.curation import CurationError, sidecar_for
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build, read_and_extract
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE
from incident_kg.ontology.validate import validate_graph

from ..conftest import sample_files

SIDECAR = """\
curator: audit-team-07
date: 2026-11-20
incidents:
  - incident: 1
    confirm: true
    add: {causes: [ManualNonCompliance]}
    remove: {causes: [Congestion]}
    set: {affected: 1, occurred: 2023-01-31}
    note: checked with the section
"""


@pytest.fixture
def curated(tmp_path: Path) -> Path:
    report = tmp_path / "s01.txt"
    shutil.copy(sample_files()[0], report)
    sidecar_for(report).write_text(SIDECAR, encoding="utf-8")
    return report


def test_a_sidecar_lives_beside_its_report() -> None:
    assert sidecar_for(Path("in/003.txt")) == Path("in/003.curation.yaml")


def test_codes_are_added_and_removed_and_values_set(extractor: Extractor, curated: Path) -> None:
    incident = read_and_extract(curated, extractor).incidents[0]
    assert "ManualNonCompliance" in incident.codes("causes")
    assert "Congestion" not in incident.codes("causes")
    assert incident.affected is not None and incident.affected.value == 1
    assert incident.occurred is not None and incident.occurred.iso == "2023-01-31"
    assert incident.curation is not None and incident.curation.confirmed


def test_the_graph_records_who_curated_what_and_when(
    extractor: Extractor, curated: Path, tmp_path: Path
) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build([curated], store, base=DEFAULT_BASE, extractor=extractor)
        data = Graph().parse(data=export_bytes(store, "ntriples").decode(), format="nt")
    rows = list(
        data.query("""
        PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?who ?when ?removed WHERE {
          ?incident ikg:curatedBy ?c ; ikg:curatedAbsent ?removed .
          ?c prov:wasAssociatedWith/rdfs:label ?who ; dcterms:date ?when .
          ?a ikg:aboutIncident ?incident ; oa:hasBody ?added ; prov:wasGeneratedBy ?c ;
             dcterms:creator/rdfs:label ?who .
          FILTER(STRENDS(STR(?added), "ManualNonCompliance"))
        }""")
    )
    assert [(str(w), str(d), str(r).rsplit("/", 1)[-1]) for w, d, r in rows] == [
        ("audit-team-07", "2026-11-20", "Congestion")
    ]
    assert not [v for v in validate_graph(data) if v.severity == "Violation"]


def test_a_sidecar_with_an_unknown_code_keeps_the_stored_report(
    extractor: Extractor, curated: Path, tmp_path: Path
) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build([curated], store, base=DEFAULT_BASE, extractor=extractor)
        before = export_bytes(store, "nquads")
        sidecar_for(curated).write_text(
            SIDECAR.replace("ManualNonCompliance", "NoSuchCode"), encoding="utf-8"
        )
        result = build([curated], store, base=DEFAULT_BASE, extractor=extractor)
        assert export_bytes(store, "nquads") == before
    [problem] = result.problems
    assert "s01.curation.yaml" in str(problem) and "NoSuchCode" in str(problem)


def test_a_sidecar_naming_a_missing_incident_is_refused(
    extractor: Extractor, curated: Path
) -> None:
    sidecar_for(curated).write_text(SIDECAR.replace("incident: 1", "incident: 9"), encoding="utf-8")
    with pytest.raises(CurationError, match="no incident 9"):
        read_and_extract(curated, extractor)


# -- same-as / not-same-as (issue 18) ----------------------------------------------------

LINKING_SIDECAR = """\
curator: audit-team-07
date: 2026-11-20
incidents:
  - incident: 1
    same-as: [000_05877e5457689921/incident/1]
    not-same-as: https://w3id.org/incident-kg/id/report/s03-kumamoto-council/incident/2
"""


def test_a_sidecar_names_incidents_of_other_reports_as_the_same_event_or_not() -> None:
    from incident_kg.extraction.curation import parse_curation
    from incident_kg.ontology.vocabulary import codes

    data = yaml.safe_load(LINKING_SIDECAR)
    fix = parse_curation(data, source="x.curation.yaml", known_codes=codes()).incidents[0]
    assert fix.same_as == ("000_05877e5457689921/incident/1",)
    assert fix.not_same_as == (
        "https://w3id.org/incident-kg/id/report/s03-kumamoto-council/incident/2",
    )


def test_a_same_as_that_names_no_incident_is_refused_naming_the_file() -> None:
    from incident_kg.extraction.curation import parse_curation
    from incident_kg.ontology.vocabulary import codes

    data = yaml.safe_load(LINKING_SIDECAR.replace("000_05877e5457689921/incident/1", "熊本市の件"))
    with pytest.raises(
        CurationError, match=r"x.curation.yaml: incidents\[0\].same-as: .*熊本市の件"
    ):
        parse_curation(data, source="x.curation.yaml", known_codes=codes())
