"""Status and severity, read from what an incident's report states (ontology/assessment.yaml)."""

from __future__ import annotations

from incident_kg.extraction.assessment import assess_severity, assess_status
from incident_kg.extraction.model import (
    CodedValue,
    CountValue,
    DateValue,
    Evidence,
    Incident,
    Span,
    TimelineEvent,
)
from incident_kg.ontology.tables import load_assessment_rules

RULES = load_assessment_rules()
SPAN = Span(0, 4, "テスト")
EV = Evidence(SPAN, "test", 0.9)


def _date(iso: str, sentence: str = "テスト") -> DateValue:
    return DateValue(iso, Evidence(Span(0, len(sentence), sentence), "date", 0.9))


def _incident(
    harms=(), measures=(), affected=None, timeline=(), negative=(), discovered=None
) -> Incident:
    coded = [CodedValue("harms", h, EV) for h in harms]
    coded += [CodedValue("countermeasures", m, EV) for m in measures]
    return Incident(
        1,
        "t",
        SPAN,
        coded=tuple(coded),
        affected=CountValue(affected, EV) if affected is not None else None,
        timeline=tuple(timeline),
        negative_findings=tuple(CodedValue("harms", h, EV) for h in negative),
        discovered=discovered,
    )


def test_an_incident_with_nothing_done_yet_is_open_since_its_discovery():
    status = assess_status(_incident(discovered=_date("2023-10-05")), None, RULES)
    assert (status.code, status.date.iso) == ("status-open", "2023-10-05")


def test_a_stopped_service_contains_an_incident_on_the_day_the_timeline_says():
    event = TimelineEvent(_date("2023-05-02", "コンビニ交付サービスを停止した。"), "other")
    status = assess_status(_incident(timeline=[event]), None, RULES)
    assert (status.code, status.date.iso, status.event) == ("status-contained", "2023-05-02", 1)


def test_a_dated_remedy_without_measures_leaves_an_incident_remedied():
    event = TimelineEvent(_date("2023-10-20", "滞留を解消した。"), "remedied")
    status = assess_status(_incident(timeline=[event]), None, RULES)
    assert (status.code, status.date.iso) == ("status-remedied", "2023-10-20")


def test_a_remedy_with_measures_closes_the_incident_as_of_its_report():
    event = TimelineEvent(_date("2023-10-20", "滞留を解消した。"), "remedied")
    incident = _incident(measures=["Checklist"], timeline=[event])
    status = assess_status(incident, _date("2023-11"), RULES)
    assert (status.code, status.date.iso) == ("status-closed", "2023-11")


def test_a_leak_of_personal_data_makes_an_incident_high():
    severity = assess_severity(_incident(harms=["PointMisgrant", "PersonalDataLeak"]), RULES)
    assert severity.level == "severity-high"
    assert "factor-data-leaked" in severity.factors


def test_a_leak_affecting_a_hundred_people_is_critical():
    severity = assess_severity(_incident(harms=["PersonalDataLeak"], affected=230), RULES)
    assert (severity.level, severity.factors) == (
        "severity-critical",
        ("factor-data-leaked", "factor-affected-mass"),
    )


def test_a_stated_absence_of_leak_is_a_factor_and_keeps_a_small_incident_low():
    severity = assess_severity(_incident(affected=3, negative=["PersonalDataLeak"]), RULES)
    assert severity.level == "severity-low"
    assert severity.factors == ("factor-no-leak-stated", "factor-affected-few")


def test_a_stopped_service_makes_an_incident_at_least_moderate():
    severity = assess_severity(_incident(measures=["ServiceSuspension"], affected=1), RULES)
    assert severity.level == "severity-moderate"
    assert "factor-service-stopped" in severity.factors
