"""Linking: incidents of different reports that tell one event become one counted incident,
explainably; a body's case is part of a national grouping; look-alikes stay apart; curation
overrides (graph/linking.py, weights in ontology/linking.yaml)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from incident_kg.graph.linking import (
    DISTINCT,
    PART_OF,
    SAME,
    IncidentFacts,
    _candidate_pairs,
    block_keys,
    dates_agree,
    is_candidate,
    link_incidents,
    score_pair,
)
from incident_kg.ontology.tables import load_linking_rules

RULES = load_linking_rules()


def facts(iri: str, report: str, **kw) -> IncidentFacts:
    values = {
        "bodies": frozenset({"熊本市"}),
        "harms": frozenset({"PointMisgrant"}),
        "causes": frozenset({"LogoutOmission", "SharedDevice"}),
        "countermeasures": frozenset({"Checklist"}),
    }
    values.update({k: frozenset(v) if isinstance(v, set) else v for k, v in kw.items()})
    return IncidentFacts(iri, report, **values)


def test_dates_agree_at_the_coarser_precision():
    assert dates_agree("2023-03", "2023-03-15")
    assert dates_agree("2023", "2023-11-30")
    assert not dates_agree("2023-03", "2023-04-01")


def test_two_tellings_of_one_event_are_counted_as_one_incident():
    a = facts("r1/incident/1", "r1", occurred="2022-08", affected=2, published="2023-06")
    b = facts("r2/incident/1", "r2", occurred="2022-08-10", affected=2, published="2023-09")
    found = link_incidents([a, b], RULES)
    assert found.groups == (("r1/incident/1", "r2/incident/1"),)
    assert found.key("r2/incident/1") == found.key("r1/incident/1") == "r1/incident/1"


def test_a_link_says_which_facts_matched():
    a = facts("r1/incident/1", "r1", occurred="2022-08", affected=2)
    b = facts("r2/incident/1", "r2", occurred="2022-08", affected=2)
    (link,) = link_incidents([a, b], RULES).links
    assert (link.kind, link.basis) == (SAME, "matched")
    assert {
        "body: 熊本市",
        "harm: PointMisgrant",
        "occurred: 2022-08 ~ 2022-08",
        "count: 2",
    } <= set(link.facts)
    assert link.score >= RULES.threshold


def test_the_same_kind_of_error_in_the_same_body_a_year_later_is_another_incident():
    a = facts("r1/incident/1", "r1", occurred="2022-08")
    b = facts("r2/incident/1", "r2", occurred="2023-09")
    found = link_incidents([a, b], RULES)
    assert found.links == () and found.key("r2/incident/1") == "r2/incident/1"


def test_the_same_error_in_another_body_is_another_incident():
    a = facts("r1/incident/1", "r1", occurred="2022-08")
    b = facts("r2/incident/1", "r2", occurred="2022-08", bodies={"堺市"})
    assert link_incidents([a, b], RULES).links == ()


def test_incidents_of_one_report_are_never_one_incident():
    a = facts("r1/incident/1", "r1", occurred="2022-08")
    b = facts("r1/incident/2", "r1", occurred="2022-08")
    assert link_incidents([a, b], RULES).links == ()


def test_a_shared_generic_harm_alone_does_not_make_one_event():
    a = facts("r1/incident/1", "r1", harms={"PersonalDataLeak", "PointMisgrant"})
    b = facts("r2/incident/1", "r2", harms={"PersonalDataLeak", "CertificateMisissuance"})
    assert link_incidents([a, b], RULES).links == ()


def test_a_chain_through_a_look_alike_does_not_merge_incidents_whose_dates_differ():
    early = facts("r1/incident/1", "r1", occurred="2022-08", affected=2)
    undated = facts("r2/incident/1", "r2", affected=2)
    late = facts("r3/incident/1", "r3", occurred="2023-09", affected=2)
    found = link_incidents([early, undated, late], RULES)
    assert found.key("r1/incident/1") != found.key("r3/incident/1")


def test_a_bodys_case_named_by_a_national_grouping_is_part_of_it_and_counted_as_it():
    case = facts(
        "city/incident/1", "city", harms={"CertificateMisissuance"}, causes={"SystemDefect"}
    )
    grouping = facts(
        "ppc/incident/1",
        "ppc",
        bodies={"横浜市", "川崎市", "熊本市", "徳島市"},
        harms={"CertificateMisissuance", "PersonalDataLeak"},
        causes={"SystemDefect", "ContractorOversightGap"},
        occurred="2023-03",
    )
    found = link_incidents([case, grouping], RULES)
    (link,) = found.links
    assert (link.kind, link.source, link.target) == (PART_OF, case.iri, grouping.iri)
    assert found.key(case.iri) == found.key(grouping.iri) == grouping.iri


def test_a_case_from_before_the_grouping_began_is_not_part_of_it():
    case = facts("city/incident/1", "city", harms={"CertificateMisissuance"}, occurred="2021-05")
    grouping = facts(
        "ppc/incident/1",
        "ppc",
        bodies={"横浜市", "川崎市", "熊本市"},
        harms={"CertificateMisissuance"},
        occurred="2023-03",
    )
    assert link_incidents([case, grouping], RULES).links == ()


def test_a_curated_same_as_links_whatever_the_facts_say():
    a = facts("r1/incident/1", "r1", same_as={"r2/incident/1"}, occurred="2022-08")
    b = facts("r2/incident/1", "r2", bodies={"堺市"}, occurred="2023-09")
    found = link_incidents([a, b], RULES)
    assert found.key("r2/incident/1") == found.key("r1/incident/1")
    assert [(lk.kind, lk.basis) for lk in found.links] == [(SAME, "curated")]


def test_a_curated_not_same_as_keeps_two_matching_incidents_apart():
    a = facts("r1/incident/1", "r1", occurred="2022-08", affected=2, not_same_as={"r2/incident/1"})
    b = facts("r2/incident/1", "r2", occurred="2022-08", affected=2)
    found = link_incidents([a, b], RULES)
    assert found.key("r1/incident/1") != found.key("r2/incident/1")
    assert [(lk.kind, lk.basis) for lk in found.links] == [(DISTINCT, "curated")]


def test_the_first_telling_is_the_incident_counted():
    later = facts("a-council/incident/1", "a-council", published="2023-09", occurred="2022-08")
    first = facts("z-press/incident/1", "z-press", published="2023-06", occurred="2022-08")
    found = link_incidents([later, first], RULES)
    assert found.key(later.iri) == first.iri


def test_two_national_rows_about_local_governments_in_general_can_be_one_event():
    a = facts(
        "ppc/incident/3",
        "ppc",
        bodies={"デジタル庁", "地方公共団体"},
        harms={"AccountMisregistration"},
    )
    b = facts("ppc2/incident/3", "ppc2", bodies={"地方公共団体"}, harms={"AccountMisregistration"})
    assert link_incidents([a, b], RULES).key(b.iri) == link_incidents([a, b], RULES).key(a.iri)


def test_two_cities_are_not_one_body_because_both_also_name_local_governments():
    a = facts("r1/incident/1", "r1", bodies={"熊本市", "地方公共団体"})
    b = facts("r2/incident/1", "r2", bodies={"堺市", "地方公共団体"})
    assert link_incidents([a, b], RULES).links == ()


def test_two_tellings_naming_no_body_are_one_event_when_their_days_agree():
    a = facts(
        "r1/incident/1",
        "r1",
        bodies=set(),
        occurred="2022-10-25",
        discovered="2022-12-09",
        affected=1,
    )
    b = facts(
        "r2/incident/1",
        "r2",
        bodies=set(),
        occurred="2022-10-25",
        discovered="2022-12-09",
        affected=1,
    )
    assert link_incidents([a, b], RULES).key(b.iri) == a.iri


def test_incidents_naming_no_body_with_only_a_month_in_common_stay_apart():
    a = facts("r1/incident/1", "r1", bodies=set(), occurred="2022-10", affected=1)
    b = facts("r2/incident/1", "r2", bodies=set(), occurred="2022-10", affected=1)
    assert link_incidents([a, b], RULES).links == ()


def test_counts_far_apart_and_a_month_in_common_do_not_make_one_event():
    # two reports that both mis-read "since January 2016" as the date, 48 and 230 cases
    a = facts("r1/incident/1", "r1", occurred="2016-01", discovered="2016-01", affected=48)
    b = facts(
        "r2/incident/1",
        "r2",
        occurred="2016-01",
        discovered="2016-01",
        affected=230,
        causes={"LogoutOmission", "SystemDefect", "Congestion"},
        countermeasures=set(),
    )
    assert link_incidents([a, b], RULES).links == ()


_DATES = st.one_of(
    st.none(),
    st.sampled_from(["2022", "2023", "2022-08", "2022-09", "2023-01", "2022-08-10"]),
    st.sampled_from(["2022-08-31", "2022-09-01", "2023-01-15", "2023-12-31"]),
)


@st.composite
def _incidents(draw) -> list[IncidentFacts]:
    n = draw(st.integers(2, 14))
    body_sets = [{"熊本市"}, {"堺市"}, {"熊本市", "堺市", "中央区"}, set()]
    out = []
    for i in range(n):
        out.append(
            facts(
                f"r{draw(st.integers(0, 5))}/incident/{i}",
                "",
                bodies=draw(st.sampled_from(body_sets)),
                harms=draw(st.sampled_from([{"PointMisgrant"}, {"PersonalDataLeak"}, {"X"}])),
                occurred=draw(_DATES),
                discovered=draw(_DATES),
                affected=draw(st.sampled_from([None, 2, 3])),
            )
        )
    return [IncidentFacts(**{**vars(f), "report": f.iri.split("/")[0]}) for f in out]


@settings(max_examples=300, deadline=None)
@given(_incidents())
def test_the_pairs_compared_are_every_pair_that_could_score_a_link_each_once(incidents):
    """Pruning a block (dates that disagree, the pair taken in one block) loses no link: every
    pair of the whole corpus that scores is compared, and no pair twice."""
    compared = list(_candidate_pairs(incidents, RULES))
    assert len(compared) == len({(a.iri, b.iri) for a, b in compared})
    taken = {(a.iri, b.iri) for a, b in compared}
    for a, b in itertools.combinations(sorted(incidents, key=lambda f: f.iri), 2):
        shares_block = block_keys(a, RULES) & block_keys(b, RULES)
        if shares_block and is_candidate(a, b, RULES) and score_pair(a, b, RULES) is not None:
            assert (a.iri, b.iri) in taken, (a, b)


def test_a_bodys_incidents_years_apart_are_not_compared():
    """A body's incidents of one kind over the years: only those whose dates can agree are
    compared (the work grows with the corpus, not with its square)."""
    many = [
        facts(f"r{i}/incident/1", f"r{i}", occurred=f"{2000 + i // 12}-{i % 12 + 1:02d}-01")
        for i in range(240)
    ]
    assert list(_candidate_pairs(many, RULES)) == []
