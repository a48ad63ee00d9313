"""The reviewed tables of ontology/: the default measure → cause table, the linking weights,
the status and severity rules — as analysts edit them, checked against the vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.namespace import RDF, SKOS

from incident_kg.ontology.namespaces import CODE, IKG
from incident_kg.ontology.tables import (
    TableError,
    load_assessment_rules,
    load_linking_rules,
    load_measure_defaults,
)
from incident_kg.ontology.vocabulary import codes, concepts_graph


def test_the_default_table_ties_a_second_check_to_single_person_checks_and_entry_errors():
    defaults = load_measure_defaults()
    assert {"SinglePersonCheck", "DataEntryError"} <= set(defaults.causes_for("MultiPersonCheck"))


def test_the_default_table_ties_a_checklist_to_logout_omissions():
    assert "LogoutOmission" in load_measure_defaults().causes_for("Checklist")


def test_staff_training_addresses_no_system_defect_by_default():
    assert "SystemDefect" not in load_measure_defaults().causes_for("StaffTraining")


def test_every_line_of_the_default_table_says_why_and_uses_known_codes():
    defaults = load_measure_defaults()
    known = codes()
    assert len(defaults.links) > 30
    for link in defaults.links:
        assert link.measure in known["countermeasures"]
        assert link.cause in known["causes"]
        assert len(link.why) > 20, link


def test_a_defaulted_link_names_its_table_line():
    line = load_measure_defaults().line("Checklist", "LogoutOmission")
    assert line is not None
    assert line.rule == "measures.yaml: Checklist → LogoutOmission"


def test_a_table_naming_an_unknown_cause_is_refused_naming_the_file(tmp_path: Path):
    bad = tmp_path / "measures.yaml"
    bad.write_text(
        "defaults:\n  Checklist:\n    - cause: NoSuchCause\n      why: because\n", encoding="utf-8"
    )
    with pytest.raises(TableError, match=r"measures.yaml: Checklist: unknown cause 'NoSuchCause'"):
        load_measure_defaults(bad)


def test_a_line_without_a_why_is_refused(tmp_path: Path):
    bad = tmp_path / "measures.yaml"
    bad.write_text("defaults:\n  Checklist:\n    - cause: LogoutOmission\n", encoding="utf-8")
    with pytest.raises(TableError, match="needs a cause and a why"):
        load_measure_defaults(bad)


def test_linking_rules_require_a_positive_threshold_and_know_their_weights():
    rules = load_linking_rules()
    assert rules.threshold > 0
    assert rules.weight("count_differs") < 0 < rules.weight("occurred")
    assert "PersonalDataLeak" in rules.generic_harms


def test_an_unknown_linking_weight_is_refused(tmp_path: Path):
    bad = tmp_path / "linking.yaml"
    bad.write_text("weights: {colour: 1}\n", encoding="utf-8")
    with pytest.raises(TableError, match="unknown weight 'colour'"):
        load_linking_rules(bad)


def test_every_concept_the_assessment_rules_name_is_in_the_concept_schemes():
    rules = load_assessment_rules()
    graph = concepts_graph()
    levels = {rule.level for rule in rules.levels}
    factors = {factor for _, factor in rules.affected_bands}
    for name in levels:
        assert (CODE[name], RDF.type, IKG.SeverityLevel) in graph, name
    for name in factors:
        assert (CODE[name], RDF.type, IKG.SeverityFactor) in graph, name
    assert rules.levels[-1].leaked is None and rules.levels[-1].affected_at_least is None


@pytest.mark.parametrize(
    ("scheme", "cls", "count"),
    [
        ("incident-statuses", IKG.IncidentStatus, 4),
        ("severity-levels", IKG.SeverityLevel, 4),
        ("severity-factors", IKG.SeverityFactor, 7),
        ("link-kinds", IKG.LinkKind, 3),
        ("link-bases", IKG.LinkBasis, 4),
    ],
)
def test_the_new_schemes_hold_their_concepts_with_labels_in_ja_and_en(scheme, cls, count):
    graph = concepts_graph()
    members = [c for c in graph.subjects(SKOS.inScheme, CODE[scheme])]
    assert len(members) == count
    for concept in members:
        assert (concept, RDF.type, cls) in graph
        langs = {label.language for label in graph.objects(concept, SKOS.prefLabel)}
        assert langs == {"ja", "en"}, concept
