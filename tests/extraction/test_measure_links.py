"""Measure links: each countermeasure tied to the cause(s) it addresses — stated where the
text says so, otherwise defaulted from the reviewed table (ontology/measures.yaml)."""

from __future__ import annotations

from incident_kg.extraction.extract import extract_report
from incident_kg.extraction.measure_links import (
    CLAUSE_RULE,
    NUMBERING_RULE,
    clause_before_measure,
    default_links,
    link_measures,
)
from incident_kg.extraction.model import CodedValue, Evidence, Incident, Span
from incident_kg.ontology.tables import load_measure_defaults

DEFAULTS = load_measure_defaults()


def _incident(causes: list[str], measures: list[str]) -> Incident:
    span = Span(0, 4, "テスト")
    ev = Evidence(span, "test", 0.9)
    coded = [CodedValue("causes", c, ev) for c in causes]
    coded += [CodedValue("countermeasures", m, ev) for m in measures]
    return Incident(1, "t", span, coded=tuple(coded))


def _links(extractor, text: str) -> set[tuple[str, str, str, str]]:
    report = extract_report(extractor, text, source="t.txt")
    (incident,) = report.incidents
    found = link_measures(incident, extractor.lexicon, extractor.analyzer, DEFAULTS)
    return {(link.measure, link.cause, link.basis, link.rule) for link in found}


def test_the_clause_before_a_purpose_cue_is_what_the_measure_is_for():
    cues = DEFAULTS.clause_cues
    sentence = "ログアウト漏れを防止するため、チェックリストを作成しました。"
    assert clause_before_measure(sentence, cues) == "ログアウト漏れ"


def test_a_sentence_without_reason_or_purpose_has_no_clause():
    assert clause_before_measure("チェックリストを作成しました。", DEFAULTS.clause_cues) is None


def test_a_measure_is_defaulted_to_the_causes_the_table_lists_among_its_incidents():
    incident = _incident(["SinglePersonCheck", "LogoutOmission"], ["MultiPersonCheck"])
    links = default_links(incident, DEFAULTS, [])
    assert [(lk.measure, lk.cause, lk.basis) for lk in links] == [
        ("MultiPersonCheck", "SinglePersonCheck", "defaulted")
    ]
    assert links[0].rule == "measures.yaml: MultiPersonCheck → SinglePersonCheck"
    assert links[0].evidence is None


def test_staff_training_is_tied_to_no_system_defect():
    incident = _incident(["SystemDefect"], ["StaffTraining", "SystemFix"])
    links = default_links(incident, DEFAULTS, [])
    assert {(lk.measure, lk.cause) for lk in links} == {("SystemFix", "SystemDefect")}


REASON_REPORT = """\
住民票の写しの誤交付について

１　概要
　市民課の窓口において、別の方の住民票の写しを誤って交付しました（1件）。

２　原因
　担当職員が一人で交付処理を行い、複数の職員による確認が行われていなかった。
　また、担当職員がマニュアルに定められた手順を守らず、照合を省略した。

３　再発防止策
　一人で交付処理を行うことによる確認漏れを防止するため、複数の職員によるダブルチェックを徹底します。
　また、職員研修を実施します。
"""


def test_a_purpose_clause_ties_its_measure_to_the_cause_it_names(extractor):
    links = _links(extractor, REASON_REPORT)
    stated = {(m, c) for m, c, basis, rule in links if basis == "stated"}
    assert ("MultiPersonCheck", "SinglePersonCheck") in stated
    assert all(rule == CLAUSE_RULE for _, _, basis, rule in links if basis == "stated")


def test_a_pair_the_text_states_is_not_also_defaulted(extractor):
    links = _links(extractor, REASON_REPORT)
    pairs = [(m, c) for m, c, _, _ in links]
    assert len(pairs) == len(set(pairs))
    assert ("MultiPersonCheck", "SinglePersonCheck", "defaulted") not in {
        (m, c, basis) for m, c, basis, _ in links
    }


def test_the_table_still_ties_a_stated_measure_to_the_other_causes_it_lists():
    stated = default_links(_incident(["SinglePersonCheck"], ["MultiPersonCheck"]), DEFAULTS, [])
    incident = _incident(["SinglePersonCheck", "DataEntryError"], ["MultiPersonCheck"])
    links = default_links(incident, DEFAULTS, [stated[0]])
    assert [(lk.measure, lk.cause) for lk in links] == [("MultiPersonCheck", "DataEntryError")]


def test_a_measure_with_no_stated_cause_falls_back_to_the_table(extractor):
    links = _links(extractor, REASON_REPORT)
    training = {(c, basis) for m, c, basis, _ in links if m == "StaffTraining"}
    assert training == {("ManualNonCompliance", "defaulted")}


NUMBERED_REPORT = """\
公金受取口座の誤登録について

１．概要
　市民課の窓口で、共用のタブレットを使って公金受取口座の登録を支援した際、別の方の口座が登録されました（1件）。

２．原因
（１）前の方の手続の後にログアウトせず、次の方の手続を続けてしまったこと。
（２）一台のタブレットを複数の来庁者に順番に使っていただく運用だったこと。

３．再発防止策
（１）手続の完了前に、ご本人のマイナンバーカードを読み取り直すこととしました。
（２）職員に研修を行いました。
"""


def test_numbered_measures_answer_the_causes_with_the_same_numbers(extractor):
    links = _links(extractor, NUMBERED_REPORT)
    stated = {(m, c) for m, c, basis, rule in links if rule == NUMBERING_RULE}
    assert ("IdentityRecheckAtCompletion", "LogoutOmission") in stated
    assert ("IdentityRecheckAtCompletion", "SharedDevice") not in stated
    assert all(basis == "stated" for _, _, basis, rule in links if rule == NUMBERING_RULE)
