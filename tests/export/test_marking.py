"""Sharing markings: the five TLP 2.0 labels, their order, and the rule never to loosen one."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from incident_kg.export.marking import MarkingError, Tlp, check_not_looser, resolve_marking
from incident_kg.ontology.namespaces import CODE, IKG
from incident_kg.ontology.vocabulary import concepts_graph


def test_the_labels_run_from_the_loosest_to_the_strictest() -> None:
    assert [m.label for m in sorted(Tlp)] == [
        "TLP:CLEAR",
        "TLP:GREEN",
        "TLP:AMBER",
        "TLP:AMBER+STRICT",
        "TLP:RED",
    ]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("amber+strict", Tlp.AMBER_STRICT),
        ("TLP:AMBER-STRICT", Tlp.AMBER_STRICT),
        (" red ", Tlp.RED),
        ("tlp:white", Tlp.CLEAR),  # TLP 1.0's name of CLEAR
    ],
)
def test_labels_are_read_as_people_write_them(text: str, label: Tlp) -> None:
    assert Tlp.parse(text) is label


def test_an_unknown_label_is_refused_with_the_known_ones() -> None:
    with pytest.raises(MarkingError, match="TLP:AMBER\\+STRICT"):
        Tlp.parse("ORANGE")


def test_every_label_is_a_concept_of_the_tlp_scheme_with_its_label_as_notation() -> None:
    concepts = concepts_graph()
    for marking in Tlp:
        concept = URIRef(marking.iri)
        assert (concept, RDF.type, IKG.SharingMarking) in concepts
        assert (concept, SKOS.inScheme, CODE.tlp) in concepts
        assert (concept, SKOS.notation, Literal(marking.label)) in concepts
        assert Tlp.from_iri(marking.iri) is marking


def test_data_received_under_a_stricter_label_cannot_be_shared_under_a_looser_one() -> None:
    received = {"https://a.example/g1": Tlp.GREEN, "https://a.example/g2": Tlp.RED}
    with pytest.raises(MarkingError, match="TLP:RED"):
        check_not_looser(Tlp.AMBER, received)
    check_not_looser(Tlp.RED, received)


def test_an_export_that_chooses_no_label_takes_the_strictest_it_must() -> None:
    assert resolve_marking(None, {}, Tlp.AMBER_STRICT) is Tlp.AMBER_STRICT
    assert resolve_marking(None, {"g": Tlp.RED}, Tlp.AMBER_STRICT) is Tlp.RED
    assert resolve_marking(None, {"g": Tlp.GREEN}, Tlp.AMBER_STRICT) is Tlp.AMBER_STRICT
    assert resolve_marking(Tlp.CLEAR, {}, Tlp.AMBER_STRICT) is Tlp.CLEAR
