"""Extraction: incidents with coded values, each traceable to the exact sentence."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_kg.extraction.extract import Extractor, extract_report
from incident_kg.graph.build import read_and_extract

from ..conftest import sample_files

REGULATOR = """事案への対応方針

一 公金受取口座の誤登録とポイントの誤付与
次の三つの事案がある。
(1) 支援窓口で支援員がログアウトを忘れ、別の人のマイナンバーに口座が紐付けられた。
(2) 税務署が別の人のマイナンバーと口座情報を誤って結び付けた。
(3) 支援窓口でのログアウトの忘れから、ポイントが誤って付与された。発生期間:令和4年7月～5年5月(②は令和5年1月発生)
(1)と(3)は令和4年7月から令和5年5月までの間に起きている。

二 今後の進め方
いずれの事案についても、報告徴収を行い、権限の行使を検討する。
"""


@pytest.fixture(scope="module")
def regulator(extractor: Extractor):  # type: ignore[no-untyped-def]
    return extract_report(extractor, REGULATOR, source="regulator.txt")


def test_each_listed_case_is_an_incident(regulator) -> None:  # type: ignore[no-untyped-def]
    assert len(regulator.incidents) == 3


def test_a_sentence_naming_items_goes_to_those_items(regulator) -> None:  # type: ignore[no-untyped-def]
    first, second, third = regulator.incidents
    assert first.occurred is not None and first.occurred.iso == "2022-07"
    assert third.occurred is not None and third.occurred.iso == "2022-07"
    assert "(1)と(3)は" not in "".join(e.date.evidence.span.text for e in second.timeline)


def test_a_bracketed_aside_gives_its_item_a_date(regulator) -> None:  # type: ignore[no-untyped-def]
    second = regulator.incidents[1]
    assert second.occurred is not None and second.occurred.iso == "2023-01"
    assert second.occurred.evidence.span.text == "②は令和5年1月発生"


def test_a_closing_part_about_all_cases_applies_to_each(regulator) -> None:  # type: ignore[no-untyped-def]
    for incident in regulator.incidents:
        assert "RegulatoryInquiry" in incident.codes("countermeasures")


def test_numbered_items_of_a_countermeasure_section_are_not_incidents(extractor: Extractor) -> None:
    text = (
        "登録の誤りについて\n\n1 概要\n別の方のマイナンバーで登録していた。\n"
        "2 再発防止策\n(1) 全件を点検し、ほかに誤りがないことを確認した。\n(2) 研修を行う。\n"
    )
    report = extract_report(extractor, text, source="r.txt")
    assert len(report.incidents) == 1
    assert "Reinspection" in report.incidents[0].codes("countermeasures")


def test_a_denied_leak_is_kept_as_a_negative_finding(extractor: Extractor) -> None:
    text = "証明書の誤交付について\n\n1 概要\n別人の証明書を交付した。なお、個人情報の漏えいはありません。\n"
    incident = extract_report(extractor, text, source="r.txt").incidents[0]
    assert "PersonalDataLeak" not in incident.codes("harms")
    assert [v.code for v in incident.negative_findings] == ["PersonalDataLeak"]


def test_a_prevention_measure_is_not_a_cause(extractor: Extractor) -> None:
    text = (
        "住所の書換え漏れについて\n\n1 概要\nカードの住所を書き換えず、カードが失効した。\n"
        "2 再発防止策\n今後は複数の職員によるチェックを徹底し、引継ぎも確実に行う。\n"
    )
    incident = extract_report(extractor, text, source="r.txt").incidents[0]
    assert "MultiPersonCheck" in incident.codes("countermeasures")
    assert not {"SinglePersonCheck", "MissingHandover"} & set(incident.codes("causes"))


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name)
def test_every_value_of_a_sample_points_at_exact_text(extractor: Extractor, path) -> None:  # type: ignore[no-untyped-def]
    report = read_and_extract(path, extractor)
    for incident in report.incidents:
        spans = [v.evidence.span for v in incident.coded]
        spans += [o.evidence.span for o in incident.organizations]
        spans += [e.date.evidence.span for e in incident.timeline]
        for span in spans:
            assert report.text[span.start : span.end] == span.text


JAPANESE = st.text(
    alphabet=st.sampled_from(
        list("令和5年3月1日職員がログアウトを忘れ別人に誤付与した。原因再発防止策\n①(1)1 、")
    ),
    max_size=300,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(JAPANESE)
def test_any_text_extracts_without_error_and_with_exact_spans(
    extractor: Extractor, text: str
) -> None:
    report = extract_report(extractor, text, source="fuzz.txt")
    for incident in report.incidents:
        for value in incident.coded:
            span = value.evidence.span
            assert report.text[span.start : span.end] == span.text


def test_evidence_is_also_shown_as_written(extractor: Extractor) -> None:
    raw = "証明書の誤交付について\n\n１ 概要\n職員が別人の証明書を交\n付した。\n"
    report = extract_report(extractor, raw, source="r.txt")
    entries = report.to_json()["incidents"][0]["evidence"]["harms"]["CertificateMisissuance"]
    written = {e["sentence"]: e["as_written"] for e in entries}
    assert written["職員が別人の証明書を交付した。"] == "職員が別人の証明書を交\n付した。"


def _causes(extractor: Extractor, cause_text: str):  # type: ignore[no-untyped-def]
    text = f"証明書の誤交付について\n\n1 概要\n別人の証明書を交付した。\n2 原因\n{cause_text}\n"
    return extract_report(extractor, text, source="r.txt").incidents[0]


def test_a_cause_called_the_direct_cause_is_the_trigger(extractor: Extractor) -> None:
    incident = _causes(extractor, "直接の原因は、職員が住所の入力を誤ったことである。")
    [value] = [v for v in incident.coded if v.code == "DataEntryError"]
    assert value.role == "trigger"


def test_a_cause_called_the_background_is_a_root_cause(extractor: Extractor) -> None:
    incident = _causes(extractor, "背景には、事務の引継ぎが行われていなかったことがある。")
    [value] = [v for v in incident.coded if v.code == "MissingHandover"]
    assert value.role == "root-cause"


def test_a_cause_the_report_rules_out_is_kept_as_a_finding_not_a_code(extractor: Extractor) -> None:
    incident = _causes(extractor, "システムの不具合によるものではありません。")
    assert "SystemDefect" not in incident.codes("causes")
    assert [(v.code, v.role) for v in incident.negative_findings] == [("SystemDefect", "ruled-out")]


def test_a_cause_with_no_word_on_its_role_has_none(extractor: Extractor) -> None:
    incident = _causes(extractor, "職員が住所の入力を誤った。")
    assert [v.role for v in incident.coded if v.code == "DataEntryError"] == [None]


def test_a_body_that_acts_answers_for_the_incident_one_consulted_is_involved(
    extractor: Extractor,
) -> None:
    text = (
        "口座の誤登録について\n\n1 概要\n国税庁が、別の人のマイナンバーと口座情報を誤って結び付けた。"
        "その後、総務省へ対応について照会した。\n"
    )
    incident = extract_report(extractor, text, source="r.txt").to_json()["incidents"][0]
    assert incident["organizations"] == ["国税庁"]
    assert incident["involved_organizations"] == ["総務省"]


def test_in_a_report_without_headings_the_sentence_says_its_role(extractor: Extractor) -> None:
    text = (
        "住民票の写しの誤交付について\n\n"
        "窓口で別の方の住民票の写しを交付しました。"
        "職員が番地の入力を誤ったことが原因と考えられます。"
        "今後は、交付前に別の職員が確認することを徹底します。\n"
    )
    incident = extract_report(extractor, text, source="r.txt").incidents[0]
    assert "DataEntryError" in incident.codes("causes")
    assert "MultiPersonCheck" in incident.codes("countermeasures")


def _first_incident(extractor: Extractor, text: str):  # type: ignore[no-untyped-def]
    return extract_report(extractor, text, source="r.txt").incidents[0]


def test_an_incident_about_one_person_with_no_count_is_one_case(extractor: Extractor) -> None:
    text = (
        "ポイントの誤付与について\n\n1 概要\n"
        "窓口でA様の申込みの後、B様の分のポイントがA様の決済サービスに誤って付与された。\n"
    )
    affected = _first_incident(extractor, text).affected
    assert affected is not None and affected.value == 1


def test_a_count_of_cases_checked_that_found_nothing_more_is_not_the_affected_count(
    extractor: Extractor,
) -> None:
    text = (
        "ポイントの誤付与について\n\n1 概要\n"
        "A様の分のポイントがB様に誤って付与された。"
        "同日に支援した計38件を調べたところ、ほかに同様の事案は確認されませんでした。\n"
    )
    affected = _first_incident(extractor, text).affected
    assert affected is not None and affected.value == 1


def test_of_a_larger_number_the_affected_part_is_counted(extractor: Extractor) -> None:
    text = (
        "口座の誤登録について\n\n1 概要\n"
        "職員が支援したのは5人分であり、このうち誤登録が生じたのは1件でした。\n"
    )
    affected = _first_incident(extractor, text).affected
    assert affected is not None and affected.value == 1


def test_the_date_under_the_title_is_publication_not_discovery(extractor: Extractor) -> None:
    text = (
        "登録誤りについて\n2024年2月5日\n湖南共済組合\n\n"
        "当組合において登録に誤りがあったことが判明しました。\n"
        "■判明の経緯\n2024年1月22日、職員が点検の際に気付き、判明しました。\n"
    )
    discovered = _first_incident(extractor, text).discovered
    assert discovered is not None and discovered.iso == "2024-01-22"


def test_a_day_in_the_month_first_given_is_the_date_of_occurrence(extractor: Extractor) -> None:
    text = (
        "口座の誤登録について\n\n本村が令和5年6月に実施した出張支援で、口座が誤って登録された。\n"
        "1 概要\n令和5年6月20日、会場で職員が登録を手伝った際に誤登録が発生した。\n"
    )
    occurred = _first_incident(extractor, text).occurred
    assert occurred is not None and occurred.iso == "2023-06-20"


def test_a_vendor_answers_for_its_defect_not_the_customers_it_writes_to(
    extractor: Extractor,
) -> None:
    text = (
        "2024年1月26日\n株式会社テスト電算\n\n証明書の誤交付について(お詫び)\n\n"
        "弊社のプログラムの誤りにより、白砂市様及び青葉川町様で誤った内容の証明書が交付されました。\n"
    )
    incident = extract_report(extractor, text, source="r.txt").to_json()["incidents"][0]
    assert incident["organizations"] == ["株式会社テスト電算"]


def test_a_sentence_opening_with_also_goes_on_in_the_role_before_it(extractor: Extractor) -> None:
    text = (
        "住民票の写しの誤交付について\n\n"
        "窓口で別の方の住民票の写しを交付しました。"
        "今後は、交付前に別の職員が確認することといたしました。"
        "また、全職員を対象に研修を実施しました。\n"
    )
    assert "StaffTraining" in _first_incident(extractor, text).codes("countermeasures")


def test_a_head_count_of_visitors_or_staff_is_not_the_affected_count(
    extractor: Extractor,
) -> None:
    text = (
        "口座の誤登録について\n\n1 概要\n"
        "当日の来場者は87名で、職員2名が支援した。A氏の口座がB氏の登録に誤って使われた。\n"
    )
    affected = _first_incident(extractor, text).affected
    assert affected is not None and affected.value == 1


def test_the_scope_of_a_recheck_is_not_the_affected_count(extractor: Extractor) -> None:
    text = (
        "資格情報の誤登録について\n\n1 概要\n"
        "A様の被扶養者に別の方の個人番号が誤って登録されていた。"
        "同じ方法で登録した約1,900件について、4情報で照合を行った。\n"
    )
    affected = _first_incident(extractor, text).affected
    assert affected is not None and affected.value == 1


def test_a_date_of_the_background_is_not_the_occurrence(extractor: Extractor) -> None:
    text = (
        "カードの失効について\n\n1 事案の内容\n"
        "令和5年4月10日に転入された方のカードの書換えが行われず、カードが失効した。\n"
        "2 原因\n受付を担当したのは同年4月1日に採用された職員で、手順を理解していなかった。\n"
    )
    occurred = _first_incident(extractor, text).occurred
    assert occurred is not None and occurred.iso == "2023-04-10"


def test_a_date_when_nothing_was_noticed_is_not_the_discovery(extractor: Extractor) -> None:
    text = (
        "資格情報の誤登録について\n\n1 概要\n"
        "令和5年1月から不整合リストに載っていたが、町は気付くことができませんでした。"
        "令和5年6月26日、医療機関からの連絡で誤りが判明した。\n"
    )
    discovered = _first_incident(extractor, text).discovered
    assert discovered is not None and discovered.iso == "2023-06-26"


def test_a_date_opening_a_cause_clause_is_the_occurrence(extractor: Extractor) -> None:
    text = (
        "ポイントの誤付与について\n\n1 概要\n令和5年6月、A様から連絡があり、誤付与が判明した。\n"
        "2 原因\n原因は、令和4年10月、支援を担当した職員が前の方の画面を終了させないまま"
        "次の方の手続を進めたことにあります。\n"
    )
    occurred = _first_incident(extractor, text).occurred
    assert occurred is not None and occurred.iso == "2022-10"


def test_a_date_under_a_label_that_says_discovery_is_the_discovery(
    extractor: Extractor,
) -> None:
    text = (
        "事務処理誤りの公表について\n\nNo.\n判明日\n件名\n内容\n原因\n対策\n"
        "1\nR5.4.11\n証明書の誤交付\n別の方の証明書を交付した。\n確認が一人だった。\n二人で確認する。\n"
    )
    incident = extract_report(extractor, text, source="t.txt").incidents[0]
    assert incident.discovered is not None and incident.discovered.iso == "2023-04-11"


def test_a_total_after_counts_per_body_is_the_affected_count(extractor: Extractor) -> None:
    text = (
        "証明書の誤発行について\n\n1 概要\n別の方の証明書を誤って発行した。\n"
        "2 件数\n・あおば市 2件、みどり町 1件、合計3件。\n"
    )
    incident = extract_report(extractor, text, source="t.txt").incidents[0]
    assert incident.affected is not None and incident.affected.value == 3


def test_the_date_a_staff_member_came_is_not_the_occurrence(extractor: Extractor) -> None:
    text = (
        "カードの失効について\n\n令和5年3月2日に転入した住民のカードの住所を書き換えなかった。"
        "担当者は同年1月に他課から異動してきたばかりだった。\n"
    )
    incident = extract_report(extractor, text, source="t.txt").incidents[0]
    assert incident.occurred is not None and incident.occurred.iso == "2023-03-02"


def test_a_plain_sentence_of_what_the_body_did_is_a_measure(extractor: Extractor) -> None:
    text = (
        "証明書の誤交付について\n\n窓口で別の方の住民票の写しを誤って交付した。"
        "市は、交付前に請求書と証明書を二人で照合することを窓口職員に徹底させた。\n"
    )
    incident = extract_report(extractor, text, source="t.txt").incidents[0]
    assert ("countermeasures", "MultiPersonCheck") in {(v.field, v.code) for v in incident.coded}


def test_each_row_of_a_tab_table_of_cases_is_an_incident_read_by_column(
    extractor: Extractor,
) -> None:
    text = (
        "事務処理ミスの発生状況について\n\n"
        "No.\t発生日\t所属\t内容\t原因\t再発防止策\n"
        "1\tR5.4.3\tみどり市市民課\t住民票の写しを交付した。\t照合しないまま手渡した。\t二人で照合する。\n"
        "2\tR5.6.9\tみどり市保険課\t通知を送付した。\t封入を一人で行った。\t封入後に別の職員が確認する。\n"
    )
    incidents = extract_report(extractor, text, source="t.txt").incidents
    assert len(incidents) == 2
    codes = {(v.field, v.code) for v in incidents[0].coded}
    assert ("countermeasures", "MultiPersonCheck") in codes
    assert incidents[1].occurred is not None and incidents[1].occurred.iso == "2023-06-09"


def test_a_request_after_a_dated_line_is_not_its_discovery(extractor: Extractor) -> None:
    text = (
        "カードの誤廃止について\n\n・R5.8.21(月)16:50頃\n・K様から紛失による廃止の申出\n"
        "・別の方のカードを誤って廃止した\n・8/23(水) L様からの問合せで判明\n"
    )
    incident = extract_report(extractor, text, source="t.txt").incidents[0]
    assert incident.discovered is not None and incident.discovered.iso == "2023-08-23"
