"""Export filters: by organisation (with its hierarchy), date range, cause and report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident_kg.export.filters import (
    IncidentFacts,
    Selection,
    SelectionError,
    check_selection,
    incident_facts,
    overlaps,
    period,
    select,
    subset,
)
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import IKG

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
PRECISIONS = (4, 7, 10)  # YYYY, YYYY-MM, YYYY-MM-DD


def at(day: dt.date, precision: int) -> str:
    return day.isoformat()[:precision]


@given(dates, st.sampled_from(PRECISIONS))
def test_a_date_lies_in_its_own_period(day: dt.date, precision: int) -> None:
    first, last = period(at(day, precision))
    assert first <= day <= last


@given(dates, st.sampled_from(PRECISIONS), dates, dates)
def test_overlap_is_the_overlap_of_the_periods(
    day: dt.date, precision: int, a: dt.date, b: dt.date
) -> None:
    since, until = min(a, b).isoformat(), max(a, b).isoformat()
    first, last = period(at(day, precision))
    expected = first <= max(a, b) and last >= min(a, b)
    assert overlaps(at(day, precision), since, until) == expected


def test_an_incident_without_a_date_is_left_out_of_a_range_only() -> None:
    assert overlaps(None, None, None)
    assert not overlaps(None, "2023", None)


@pytest.mark.parametrize("bad", ["2023-13", "令和5年", "2023/05/01", "2023-02-30"])
def test_a_malformed_date_is_refused(bad: str) -> None:
    with pytest.raises(SelectionError, match="not a date"):
        check_selection(Selection(since=bad), set())


def test_an_unknown_cause_and_an_empty_range_are_refused() -> None:
    with pytest.raises(SelectionError, match="NoSuchCause"):
        check_selection(Selection(causes=("NoSuchCause",)), {"LogoutOmission"})
    with pytest.raises(SelectionError, match="empty"):
        check_selection(Selection(since="2024", until="2023-12-31"), set())


FACTS = [
    IncidentFacts(
        "i1", "g1", "2023-05", frozenset({"堺市"}), frozenset({"LogoutOmission"}), frozenset({"r1"})
    ),
    IncidentFacts(
        "i2", "g1", None, frozenset({"熊本市"}), frozenset({"SystemDefect"}), frozenset({"r1"})
    ),
    IncidentFacts(
        "i3", "g2", "2022", frozenset({"堺市"}), frozenset({"SystemDefect"}), frozenset({"r2"})
    ),
]


def test_filters_of_different_kinds_all_apply_and_values_of_one_kind_are_alternatives() -> None:
    assert select(FACTS, Selection()) == {"g1": {"i1", "i2"}, "g2": {"i3"}}
    assert select(FACTS, Selection(organizations=("堺市",), causes=("SystemDefect",))) == {
        "g2": {"i3"}
    }
    assert select(FACTS, Selection(causes=("SystemDefect", "LogoutOmission"), since="2023")) == {
        "g1": {"i1"}
    }
    assert select(FACTS, Selection(reports=("r1",), organizations=("熊本市",))) == {"g1": {"i2"}}


def test_a_report_or_organisation_no_incident_has_is_refused_not_exported_empty() -> None:
    """Regression (second walk-through): `export --report nosuch` and `--organization
    存在しない市` wrote an ontology-only file and exited 0."""
    with pytest.raises(SelectionError, match="no report 'nosuch'"):
        select(FACTS, Selection(reports=("nosuch",)))
    with pytest.raises(SelectionError, match="存在しない市"):
        select(FACTS, Selection(organizations=("存在しない市",)))
    # a known body and report with nothing in the period is an empty selection, not an error
    assert select(FACTS, Selection(organizations=("熊本市",), since="2030")) == {}


def _graph_triples(store: GraphStore, graph: str) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads([graph])}


def test_keeping_every_incident_keeps_the_whole_report_graph(built_seed_store: Path) -> None:
    with GraphStore.open(built_seed_store, read_only=True) as store:
        facts = incident_facts(store)
        for graph in store.report_graphs():
            triples = _graph_triples(store, graph)
            keep = {f.iri for f in facts if f.graph == graph}
            assert subset(triples, keep) == triples, graph


def test_keeping_one_incident_leaves_out_everything_only_the_others_tell(
    built_seed_store: Path,
) -> None:
    about, incident_type = f"<{IKG.aboutIncident}>", f"<{IKG.Incident}>"
    with GraphStore.open(built_seed_store, read_only=True) as store:
        facts = incident_facts(store)
        graphs = {f.graph for f in facts if sum(g.graph == f.graph for g in facts) > 1}
        assert graphs, "the seeds have reports with more than one incident"
        for graph in sorted(graphs):
            triples = _graph_triples(store, graph)
            kept_incident, *others = sorted(f.iri for f in facts if f.graph == graph)
            kept = subset(triples, {kept_incident})
            subjects = {s for s, _, _ in kept}
            incidents = {s for s, p, o in kept if o == incident_type}
            assert incidents == {f"<{kept_incident}>"}
            assert not {f"<{o}>" for o in others} & subjects
            assert {o for _, p, o in kept if p == about} == {f"<{kept_incident}>"}
            assert any(o == f"<{IKG.Report}>" for _, _, o in kept)  # the report stays


def test_an_organisation_selects_the_incidents_of_the_bodies_under_it(tmp_path: Path) -> None:
    ex, org, label = "https://a.example/", "http://www.w3.org/ns/org#", SKOS_PREF
    triples = f"""
    <{ex}i1> a <{IKG.Incident}> ; <{IKG.reportedIn}> <{ex}r> ;
        <{IKG.responsibleOrganization}> <{ex}section> .
    <{ex}i2> a <{IKG.Incident}> ; <{IKG.reportedIn}> <{ex}r> ;
        <{IKG.responsibleOrganization}> <{ex}other> .
    <{ex}section> <{org}subOrganizationOf> <{ex}ward> ; <{label}> "戸籍課"@ja .
    <{ex}ward> <{org}subOrganizationOf> <{ex}city> ; <{label}> "中区"@ja .
    <{ex}city> <{label}> "ひかり市"@ja .
    <{ex}other> <{label}> "みなと町"@ja .
    """
    with GraphStore.open(tmp_path / "store", create=True) as store:
        store.update(f"INSERT DATA {{ GRAPH <{ex}g> {{ {triples} }} }}")
        facts = incident_facts(store)
    for name in ("ひかり市", "中区", "戸籍課", f"{ex}city"):
        assert select(facts, Selection(organizations=(name,))) == {f"{ex}g": {f"{ex}i1"}}, name
    assert select(facts, Selection(organizations=("みなと町",))) == {f"{ex}g": {f"{ex}i2"}}


def test_a_cause_tier_selects_the_incidents_of_every_cause_below_it(
    built_seed_store: Path,
) -> None:
    with GraphStore.open(built_seed_store, read_only=True) as store:
        facts = incident_facts(store)
    with_handover = select(facts, Selection(causes=("MissingHandover",)))
    organisational = select(facts, Selection(causes=("tier-organisation",)))
    assert with_handover
    for graph, incidents in with_handover.items():
        assert incidents <= organisational[graph]
