"""Effectiveness: per body, cause and measure, when it was adopted and whether the cause came
back; across bodies, adopters against bodies that did not adopt (graph/effectiveness.py)."""

from __future__ import annotations

from incident_kg.graph.effectiveness import CAVEATS, effectiveness
from incident_kg.graph.linking import IncidentFacts, Linking, link_incidents
from incident_kg.ontology.tables import load_linking_rules

RULES = load_linking_rules()


def incident(
    iri: str, body: str, when: str, *, measures=(), published=None, cause="LogoutOmission"
):
    return IncidentFacts(
        iri,
        iri.split("/")[0],
        published=published or when,
        bodies=frozenset({body}),
        harms=frozenset({"PointMisgrant"}),
        causes=frozenset({cause}),
        occurred=when,
        measure_links=frozenset((m, cause, "stated") for m in measures),
    )


def run(facts, cause=None):
    facts = list(facts)
    return effectiveness(facts, link_incidents(facts, RULES), RULES, cause=cause)


def test_a_body_that_adopted_a_measure_and_saw_the_cause_again_has_a_recurrence():
    found = run(
        [
            incident(
                "a1/incident/1", "A市", "2022-01-10", measures=["Checklist"], published="2022-02-01"
            ),
            incident("a2/incident/1", "A市", "2022-06-01"),
        ]
    )
    (adoption,) = found.adoptions
    assert (adoption.body, adoption.measure, adoption.cause) == (
        "A市",
        "Checklist",
        "LogoutOmission",
    )
    assert adoption.adopted_on == "2022-02-01"
    assert adoption.recurrences == ("a2/incident/1",)
    assert adoption.days_at_risk == 120  # 1 February to 1 June


def test_without_a_recurrence_the_time_at_risk_runs_to_the_last_date_known():
    found = run(
        [
            incident(
                "a1/incident/1", "A市", "2022-01-10", measures=["Checklist"], published="2022-02-01"
            ),
            incident("b1/incident/1", "B市", "2022-12-31", cause="SystemDefect"),
        ]
    )
    (adoption,) = found.adoptions
    assert adoption.recurrences == ()
    assert adoption.days_at_risk == 333
    assert found.observed_until == "2022-12-31"


def test_an_incident_before_the_adoption_is_no_recurrence():
    found = run(
        [
            incident("a1/incident/1", "A市", "2022-01-10"),
            incident("a2/incident/1", "A市", "2022-03-10", measures=["Checklist"]),
        ]
    )
    (adoption,) = found.adoptions
    assert adoption.recurrences == ()


def test_a_retelling_of_the_adopting_incident_is_no_recurrence():
    first = incident(
        "a1/incident/1", "A市", "2022-01-10", measures=["Checklist"], published="2022-02-01"
    )
    retold = incident("a9/incident/1", "A市", "2022-01-10", published="2022-09-01")
    facts = [first, retold]
    linking = link_incidents(facts, RULES)
    assert linking.key(retold.iri) == first.iri
    (adoption,) = effectiveness(facts, linking, RULES).adoptions
    assert adoption.recurrences == ()
    unlinked = effectiveness(facts, Linking(), RULES).adoptions[0]
    assert unlinked.recurrences == (), "dated the same: never certainly after the adoption"


def test_adopters_are_compared_with_bodies_that_had_the_cause_and_did_not_adopt():
    found = run(
        [
            incident(
                "a1/incident/1", "A市", "2022-01-10", measures=["Checklist"], published="2022-02-01"
            ),
            incident("b1/incident/1", "B市", "2022-01-20", published="2022-02-01"),
            incident("b2/incident/1", "B市", "2022-05-01"),
            incident("b3/incident/1", "B市", "2022-08-01"),
        ]
    )
    (effect,) = found.effects
    assert (effect.adopters, effect.adopters_recurred, effect.recurrences) == (1, 0, 0)
    assert (effect.others, effect.others_recurred, effect.other_recurrences) == (1, 1, 2)
    assert effect.other_years_at_risk == round(89 / 365.25, 3)  # to the first recurrence
    assert effect.rate == 0.0 and effect.other_rate is not None and effect.other_rate > 0


def test_every_answer_carries_the_caveats_and_small_rows_say_they_are_small():
    found = run([incident("a1/incident/1", "A市", "2022-01-10", measures=["Checklist"])])
    assert found.caveats == CAVEATS
    assert any("few bodies" in c for c in found.effects[0].caveats)


def test_a_national_groupings_measures_are_no_bodys_adoption():
    grouping = IncidentFacts(
        "ppc/incident/1",
        "ppc",
        bodies=frozenset({"A市", "B市", "C市"}),
        harms=frozenset({"PointMisgrant"}),
        causes=frozenset({"LogoutOmission"}),
        occurred="2022-07",
        measure_links=frozenset({("RegulatoryInquiry", "LogoutOmission", "stated")}),
    )
    assert run([grouping]).adoptions == ()


def test_asking_for_one_cause_keeps_only_its_rows():
    found = run(
        [
            incident("a1/incident/1", "A市", "2022-01-10", measures=["Checklist"]),
            incident(
                "b1/incident/1", "B市", "2022-01-10", measures=["SystemFix"], cause="SystemDefect"
            ),
        ],
        cause="SystemDefect",
    )
    assert [(e.measure, e.cause) for e in found.effects] == [("SystemFix", "SystemDefect")]


def test_a_case_inside_a_national_grouping_is_adopted_by_its_own_body_only():
    case = incident(
        "city/incident/1", "熊本市", "2023-03-10", measures=["SystemFix"], cause="SystemDefect"
    )
    grouping = IncidentFacts(
        "ppc/incident/1",
        "ppc",
        bodies=frozenset({"熊本市", "横浜市", "川崎市"}),
        harms=frozenset({"PointMisgrant"}),
        causes=frozenset({"SystemDefect"}),
        occurred="2023-03",
    )
    found = run([case, grouping])
    assert [(a.body, a.measure) for a in found.adoptions] == [("熊本市", "SystemFix")]
    (effect,) = found.effects
    assert (effect.adopters, effect.others) == (1, 2)
