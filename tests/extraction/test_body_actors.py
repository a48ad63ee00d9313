"""Who acted, inferred from the body that answers for the incident (extraction/body_actors.py)."""

from __future__ import annotations

from incident_kg.extraction.extract import Extractor, extract_report

OWN_WRONG = """納税通知書を別人に送付　みなと市

　みなと市は9日、固定資産税の納税通知書1通を、本来の宛先ではない市民に送ってしまったと発表した。

　市によると、宛名の確認が十分でなかった。今後は確認を徹底するという。
"""


def _actor_rules(extractor: Extractor, text: str) -> dict[str, str]:
    report = extract_report(extractor, text, source="news.txt")
    (incident,) = report.incidents
    return {v.code: v.evidence.rule for v in incident.coded if v.field == "actors"}


def test_a_local_body_s_own_wrong_is_its_staff_s(extractor: Extractor) -> None:
    rules = _actor_rules(extractor, OWN_WRONG)
    assert rules.get("MunicipalStaff") == "actors/MunicipalStaff/the-body-s-own-wrong"


def test_the_inferred_actor_is_marked_with_a_lower_confidence(extractor: Extractor) -> None:
    report = extract_report(extractor, OWN_WRONG, source="news.txt")
    (staff,) = [v for v in report.incidents[0].coded if v.code == "MunicipalStaff"]
    assert staff.evidence.confidence < 0.75
    assert "みなと市" in staff.evidence.span.text


def test_no_staff_is_inferred_when_a_contractor_did_it(extractor: Extractor) -> None:
    text = OWN_WRONG.replace(
        "宛名の確認が十分でなかった", "封入を請け負う委託業者の宛名の確認が十分でなかった"
    )
    assert "MunicipalStaff" not in _actor_rules(extractor, text)


def test_a_stated_staff_member_keeps_the_stated_rule(extractor: Extractor) -> None:
    text = OWN_WRONG.replace("宛名の確認", "担当職員による宛名の確認")
    assert _actor_rules(extractor, text)["MunicipalStaff"] == "actors/MunicipalStaff/staff"
