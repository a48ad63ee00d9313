"""Reasoning (graph/reason.py): the ontology closed once, each report's data materialised
against the compiled rules — and the same triples as owlrl's full OWL RL closure."""

from __future__ import annotations

import os
from pathlib import Path

import owlrl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from incident_kg.cli import main
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build, stable_ontology
from incident_kg.graph.reason import (
    ONTOLOGY_INFERRED,
    Rules,
    close_ontology,
    compile_rules,
    drop_inferred,
    inferred_graph_for,
    materialise,
    reason_store,
)
from incident_kg.graph.store import SHARED_INFERRED, GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE, IKG

from ..conftest import SAMPLES

EX = Namespace("https://example.org/data/")
ORG = Namespace("http://www.w3.org/ns/org#")
Triple = tuple[URIRef, URIRef, URIRef]


@pytest.fixture(scope="module")
def closed() -> Graph:
    return close_ontology(stable_ontology())


@pytest.fixture(scope="module")
def rules(closed: Graph) -> Rules:
    return compile_rules(closed)


def _inferred(rules: Rules, *triples: tuple[object, object, object]) -> set[tuple]:
    return set(materialise(triples, rules))  # type: ignore[arg-type]


def test_an_incident_in_a_section_is_within_its_ward_and_its_city(rules: Rules) -> None:
    out = _inferred(
        rules,
        (EX.incident, IKG.responsibleOrganization, EX.section),
        (EX.section, ORG.subOrganizationOf, EX.ward),
        (EX.ward, ORG.subOrganizationOf, EX.city),
    )
    assert {(EX.incident, IKG.withinOrganization, o) for o in (EX.section, EX.ward, EX.city)} <= out
    assert (EX.section, ORG.transitiveSubOrganizationOf, EX.city) in out


def test_a_sub_organization_gives_its_inverse(rules: Rules) -> None:
    out = _inferred(rules, (EX.ward, ORG.subOrganizationOf, EX.city))
    assert (EX.city, ORG.hasSubOrganization, EX.ward) in out


def test_broader_concepts_are_transitive_both_ways(rules: Rules) -> None:
    out = _inferred(rules, (EX.narrow, SKOS.broader, EX.middle), (EX.middle, SKOS.broader, EX.tier))
    assert (EX.narrow, SKOS.broaderTransitive, EX.tier) in out
    assert (EX.tier, SKOS.narrowerTransitive, EX.narrow) in out
    assert (EX.middle, SKOS.narrower, EX.narrow) in out


def test_domains_and_ranges_type_the_nodes(rules: Rules) -> None:
    out = _inferred(rules, (EX.incident, IKG.responsibleOrganization, EX.body))
    assert (EX.incident, RDF.type, IKG.Incident) in out
    assert (EX.body, RDF.type, ORG.Organization) in out


def test_the_same_body_named_twice_shares_its_incidents(rules: Rules) -> None:
    out = _inferred(
        rules,
        (EX.incident, IKG.responsibleOrganization, EX.city_a),
        (EX.city_a, OWL.sameAs, EX.city_b),
    )
    assert (EX.incident, IKG.responsibleOrganization, EX.city_b) in out
    assert (EX.city_b, OWL.sameAs, EX.city_a) in out


def test_a_functional_property_with_two_values_makes_them_the_same(rules: Rules) -> None:
    out = _inferred(
        rules,
        (EX.incident, IKG.reportedIn, EX.report_a),
        (EX.incident, IKG.reportedIn, EX.report_b),
    )
    assert (EX.report_a, OWL.sameAs, EX.report_b) in out


def test_nothing_is_typed_owl_thing(rules: Rules) -> None:
    """True of every resource and asked by no query: not materialised (it was a sixth of
    a report's quads)."""
    out = _inferred(
        rules,
        (EX.incident, RDF.type, IKG.Incident),
        (EX.incident, IKG.responsibleOrganization, EX.body),
    )
    assert (EX.incident, RDF.type, IKG.Incident) not in out  # asserted, not inferred again
    assert (EX.body, RDF.type, ORG.Organization) in out
    assert not {t for t in out if t[1] == RDF.type and t[2] == OWL.Thing}


def test_nothing_is_typed_with_an_anonymous_class(rules: Rules) -> None:
    """ikg:measure's domain is a union (a blank node no question can name): a countermeasure
    link gets the named classes the closed ontology gives it, not the union (issue 17: three
    triples a link)."""
    link = EX["incident/1/measure/MultiPersonCheck/SinglePersonCheck"]
    out = _inferred(
        rules,
        (link, RDF.type, IKG.CountermeasureLink),
        (link, IKG.measure, EX.code),
        (link, IKG.addressesCause, EX.cause),
    )
    types = {o for _, p, o in out if p == RDF.type}
    assert types
    assert not {c for c in types if isinstance(c, BNode) or "/genid/" in str(c)}


def test_what_is_asserted_is_not_inferred_again(rules: Rules) -> None:
    data = (EX.ward, ORG.subOrganizationOf, EX.city)
    assert data not in _inferred(rules, data)


def test_literals_never_become_subjects(rules: Rules) -> None:
    out = _inferred(rules, (EX.incident, IKG.incidentKey, Literal("incident-1")))
    assert all(not isinstance(s, Literal) for s, _, _ in out)


# -- the same triples as owlrl --------------------------------------------------------

ORGS = [EX[f"org{i}"] for i in range(4)]
INCIDENTS = [EX[f"incident{i}"] for i in range(3)]
CONCEPTS = [EX[f"concept{i}"] for i in range(4)]
REPORTS = [EX[f"report{i}"] for i in range(2)]


def _edges(subjects: list[URIRef], predicate: URIRef, objects: list[URIRef]) -> st.SearchStrategy:
    return st.lists(
        st.tuples(st.sampled_from(subjects), st.just(predicate), st.sampled_from(objects)),
        max_size=4,
    )


data_graphs = st.tuples(
    _edges(ORGS, ORG.subOrganizationOf, ORGS),
    _edges(INCIDENTS, IKG.responsibleOrganization, ORGS),
    _edges(ORGS, OWL.sameAs, ORGS),
    _edges(CONCEPTS, SKOS.broader, CONCEPTS),
    _edges(INCIDENTS, IKG.reportedIn, REPORTS),
    _edges(INCIDENTS, IKG.hasCause, CONCEPTS),
).map(lambda parts: {t for part in parts for t in part})


def _about_data(triples: set[tuple]) -> set[tuple]:
    """The triples that say something about a data node, less owlrl's trivia
    (x owl:sameAs x, x a owl:Thing, x a <an anonymous class>), which no question asks for."""
    return {
        (s, p, o)
        for s, p, o in triples
        if (str(s).startswith(str(EX)) or str(o).startswith(str(EX)))
        and not (p == OWL.sameAs and s == o)
        and not (p == RDF.type and (o == OWL.Thing or "/genid/" in str(o)))
    }


@settings(
    max_examples=int(os.environ.get("REASON_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=data_graphs)
def test_materialising_gives_the_triples_of_a_full_owlrl_closure(
    closed: Graph, rules: Rules, data: set[Triple]
) -> None:
    full = Graph()
    for t in closed:
        full.add(t)
    for t in data:
        full.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(full)
    ours = set(data) | materialise(data, rules)
    assert _about_data(ours) == _about_data(set(full))


# -- the store's inferred graphs -----------------------------------------------------


@pytest.fixture()
def built(tmp_path: Path, extractor: Extractor) -> Path:
    path = tmp_path / "store"
    with GraphStore.open(path, create=True) as store:
        build([SAMPLES], store, base=DEFAULT_BASE, extractor=extractor)
    return path


def _inferred_dump(store: GraphStore) -> dict[str, list[str]]:
    return {
        name: sorted(store.graph_ntriples([name]).decode().splitlines())
        for name in store.inferred_graphs()
    }


def test_reasoning_the_store_again_gives_what_build_wrote(built: Path, rules: Rules) -> None:
    with GraphStore.open(built) as store:
        before = _inferred_dump(store)
        assert drop_inferred(store)
        assert store.inferred_graphs() == []
        assert store.report_graphs()  # the asserted data is untouched
        reason_store(store, rules)
        after = _inferred_dump(store)
    before.pop(ONTOLOGY_INFERRED)  # written by load_ontology, not by reason_store
    assert after == before


def test_an_inferred_graph_without_its_report_is_removed(built: Path, rules: Rules) -> None:
    with GraphStore.open(built) as store:
        gone = store.report_graphs()[0]
        store.remove_graph(gone)
        reason_store(store, rules)
        assert inferred_graph_for(gone) not in store.inferred_graphs()


def test_reason_command_drops_and_recomputes(built: Path) -> None:
    runner = CliRunner()
    dropped = runner.invoke(main, ["reason", "--drop", "--store", str(built)])
    assert dropped.exit_code == 0, dropped.output
    with GraphStore.open(built, read_only=True) as store:
        assert store.inferred_graphs() == []
    again = runner.invoke(main, ["-q", "reason", "--store", str(built)])
    assert again.exit_code == 0, again.output
    with GraphStore.open(built, read_only=True) as store:
        assert ONTOLOGY_INFERRED in store.inferred_graphs()
        assert SHARED_INFERRED in store.inferred_graphs()
        assert len(store.inferred_graphs()) == len(store.report_graphs()) + 2
