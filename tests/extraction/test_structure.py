"""Structure: which parts of a report tell incidents, and the role of each line."""

from __future__ import annotations

import re

import pytest

from incident_kg.extraction.extract import Extractor
from incident_kg.extraction.lines import classify_line
from incident_kg.extraction.structure import Structure, find_structure

ROLES = {
    "contact": ["問い合わせ", "問合せ"],
    "countermeasure": ["再発防止", "対策"],
    "cause": ["原因", "着眼点"],
    "timeline": ["経緯", "経過"],
    "response": ["対応"],
    "summary": ["概要", "内容"],
}


def _structure(text: str, extractor: Extractor) -> Structure:
    return find_structure(
        text,
        section_roles=ROLES,
        has_cue=extractor.has_cue,
        is_date=lambda line: bool(re.fullmatch(r"[0-9年月日()令和 ]+", line)),
    )


def test_a_heading_with_a_section_keyword_gives_its_role() -> None:
    line = classify_line(0, 8, "(3) 発生原因", ROLES)
    assert (line.kind, line.style, line.number, line.role) == ("heading", "paren", 3, "cause")


def test_markdown_marks_are_dropped_before_the_numbering_is_read() -> None:
    line = classify_line(0, 10, "### 2 経緯", ROLES)
    assert (line.style, line.number, line.role) == ("num", 2, "timeline")


def test_a_key_label_line_switches_the_role() -> None:
    line = classify_line(0, 20, "再発防止策:点検を行う。", ROLES)
    assert (line.kind, line.role) == ("label", "countermeasure")


def test_a_table_row_is_not_a_heading() -> None:
    line = classify_line(0, 20, "① 誤交付\t5件\t3名", ROLES)
    assert line.kind == "table"


def test_a_report_whose_title_tells_an_incident_is_one_incident(extractor: Extractor) -> None:
    text = "証明書の誤交付について\n\n1 概要\n窓口で別人の証明書を交付した。\n2 原因\n確認不足。\n"
    structure = _structure(text, extractor)
    assert structure.title == "証明書の誤交付について"
    assert len(structure.incidents) == 1


def test_marked_cases_are_one_incident_each(extractor: Extractor) -> None:
    text = (
        "事務処理について\n\n1 【事案1】通知の処理について\n(1) 概要\n処理していなかった。\n"
        "2 【事案2】住所の書換えについて\n(1) 概要\n書き換えていなかった。\n"
    )
    assert len(_structure(text, extractor).incidents) == 2


def test_numbered_parts_without_a_cue_are_no_incident(extractor: Extractor) -> None:
    text = "手数料のお知らせ\n\n1 交付手数料の変更\n10円にします。\n2 交付件数\n増えました。\n"
    assert _structure(text, extractor).incidents == ()


def test_the_innermost_parts_with_a_cue_are_the_incidents(extractor: Extractor) -> None:
    text = (
        "報告\n\n1 カードの状況\n交付率は上がった。\n3 誤交付・誤登録の状況\n"
        "① 証明書の誤交付\n内容:別人に交付した。\n② 口座の誤登録\n内容:別人の口座を登録した。\n"
    )
    structure = _structure(text, extractor)
    assert [i.title for i in structure.incidents] == ["証明書の誤交付", "口座の誤登録"]


def test_a_restarted_list_beside_incidents_is_attached_by_number(extractor: Extractor) -> None:
    text = (
        "対応方針\n\n1 誤登録等\n① 窓口で口座を誤登録した。\n② 国で口座を誤って紐付けた。\n"
        "① 安全管理措置\n(着眼点)\n手順は周知されていたか。\n"
        "② 安全管理措置\n(着眼点)\n確認手順はあったか。\n"
    )
    structure = _structure(text, extractor)
    assert len(structure.incidents) == 2
    first = structure.incidents[0]
    attached = [structure.lines[start].text for start, _ in first.spans[1:]]
    assert attached == ["① 安全管理措置"]


def test_paragraphs_that_count_themselves_are_incidents(extractor: Extractor) -> None:
    text = (
        "事務処理の誤りについて\n\n本市で次の二件の誤りがありました。\n"
        "一件目は、窓口で別の方の住民票の写しを交付したものです。\n"
        "二件目は、カードの住所の書換えを行わず、カードが失効したものです。\n"
        "今後は確認を徹底します。\n"
    )
    assert len(_structure(text, extractor).incidents) == 2


def test_findings_whose_text_tells_the_wrong_are_incidents(extractor: Extractor) -> None:
    text = (
        "監査の結果について\n\n監査の結果、次の事項について改善を求める。\n"
        "第1 申請不備通知の確認について(市民課)\n"
        "機構から届く通知が確認されず、申請が未処理のまま滞留していた。\n"
        "第2 個人番号の登録について(保険年金課)\n"
        "委託事業者が入力した個人番号を点検せず、別人の個人番号が登録されていた。\n"
    )
    assert len(_structure(text, extractor).incidents) == 2


def test_a_section_about_checks_after_others_wrongs_is_no_incident(extractor: Extractor) -> None:
    text = (
        "手数料のお知らせ\n\n1 手数料について\nコンビニ交付の手数料は10円です。\n"
        "2 システムの点検について\n他の自治体で誤交付があったことを受けて点検を行い、問題はありませんでした。\n"
    )
    assert _structure(text, extractor).incidents == ()


def test_numbered_items_under_a_symbol_label_for_measures_are_no_incident(
    extractor: Extractor,
) -> None:
    text = (
        "証明書の交付について(お詫び)\n\n"
        "◆概要\n弊社のプログラムの誤りにより、誤った内容の証明書が交付されました。\n\n"
        "◆対応\n1.交付を停止しました。\n2.誤った証明書を受け取られた方に連絡しています。\n\n"
        "◆再発防止策\n1.試験項目を見直します。\n"
    )
    structure = _structure(text, extractor)
    assert len(structure.incidents) == 1
    assert structure.incidents[0].title.startswith("証明書の交付について")


def test_parts_with_a_cause_section_of_their_own_are_incidents(extractor: Extractor) -> None:
    text = (
        "区民課の事務について(報告)\n\n"
        "① 転入時の処理が行われなかった件\nア 経過\n処理をしないまま手続を終えた。\n"
        "イ 原因\n一人で確認していた。\n"
        "② 案内の封入の件\nア 経過\n案内を重ねて封入した。\nイ 原因\n手順を守らなかった。\n"
    )
    structure = _structure(text, extractor)
    assert [i.number for i in structure.incidents] == [1, 2]


def test_findings_with_a_cause_label_are_incidents(extractor: Extractor) -> None:
    text = (
        "定期監査結果報告書\n\n1 監査の対象\n市民課\n"
        "第1 カードの交付に係る事務について(市民課)\n(事実)\n連絡が確認されないまま蓄積していた。\n"
        "(原因と考えられる点)\n後任者に伝えられていなかった。\n"
        "第2 登録事務について(保険年金課)\n(事実)\n別の番号が入力されていた。\n"
        "(原因と考えられる点)\n一覧表の行を読み違えた。\n"
    )
    structure = _structure(text, extractor)
    assert [i.title for i in structure.incidents] == [
        "カードの交付に係る事務について(市民課)",
        "登録事務について(保険年金課)",
    ]


def test_roman_numeral_headings_are_sections() -> None:
    line = classify_line(0, 6, "IV.原因", ROLES)
    assert (line.kind, line.style, line.number, line.role) == ("heading", "roman", 4, "cause")
    assert classify_line(0, 6, "VI.加入者の皆様へ", ROLES).number == 6
    assert classify_line(0, 9, "IV. Check", ROLES).kind == "text"  # not before English


def test_a_faq_page_tells_no_incident(extractor: Extractor) -> None:
    text = (
        "マイナンバーカードに関するよくあるご質問\n\n"
        "Q1.支援窓口で別の方にポイントが付与されたのはなぜですか。\n"
        "A1.前の方がログアウトしないまま次の方が操作したため、誤って付与されました。\n"
    )
    structure = find_structure(
        text,
        section_roles=ROLES,
        has_cue=extractor.has_cue,
        is_date=lambda line: False,
        guidance_title=re.compile("よくある(ご)?質問"),
    )
    assert structure.incidents == ()


def test_a_report_with_cause_and_measure_sections_is_one_incident(extractor: Extractor) -> None:
    text = (
        "交付通知書の発送状況について(報告)\n\n1 概要\n通知書の作成が行われていなかった。\n"
        "2 原因\n担当者が一人で作業していた。\n3 再発防止策\n点検表を作る。\n"
    )
    assert len(_structure(text, extractor).incidents) == 1


def test_parallel_cases_under_a_summary_section_are_incidents(extractor: Extractor) -> None:
    text = (
        "県内市町村の事故報告について\n\n1 報告一覧\n別表のとおり。\n2 各事案の概要\n"
        "ア 甲市(番号1)\n窓口で別の方の証明書を誤って交付した。\n"
        "イ 乙町(番号2)\n転入者のカードの住所の書換えが漏れ、カードが失効した。\n"
    )
    titles = [i.title for i in _structure(text, extractor).incidents]
    assert titles == ["甲市(番号1)", "乙町(番号2)"]


def test_a_contact_label_far_above_a_list_does_not_govern_it(extractor: Extractor) -> None:
    text = (
        "事故事例について(情報提供)\n\n(市区町村担当課扱い)\n\n総務省\n\n"
        "最近報告のあった事例をお知らせします。\n当課で事実関係を確認しました。\n"
        "管内市町村に周知願います。\n\n記\n\n"
        "一 事例1 カードの誤交付\n同じ氏名の別の住民にカードを誤って交付した。\n"
        "二 事例2 通知書の誤封入\n二人分の通知書を誤って一つの封筒に入れた。\n"
    )
    assert len(_structure(text, extractor).incidents) == 2


def test_a_newsletter_item_telling_a_wrong_is_the_incident(extractor: Extractor) -> None:
    text = (
        "広報むらだより 10月号\n\n◆ 休日窓口を開きます\n10月22日に窓口を開けます。\n\n"
        "◆ お詫び 申請書を別のお宅にお届けしました\n担当者が番地を誤って入力したためです。\n\n"
        "◆ 秋の交通安全運動\n9月21日から始まります。\n"
    )
    titles = [i.title for i in _structure(text, extractor).incidents]
    assert titles == ["お詫び 申請書を別のお宅にお届けしました"]


def test_one_finding_with_the_reports_causes_around_it_is_the_whole_report(
    extractor: Extractor,
) -> None:
    text = (
        "内部監査結果について\n\n1 確認された事実\n"
        "◆ 口座の誤登録(3件)\n別の方の口座が誤って登録された。\n"
        "2 原因\n確認の手順がなかった。\n3 再発防止策\n二人で確認する。\n"
    )
    incidents = _structure(text, extractor).incidents
    assert len(incidents) == 1 and incidents[0].spans[0][0] == 0


@pytest.mark.parametrize("label", ["【2件目】", "【事例2】", "【ケース2】", "【事案2】"])
def test_a_bracketed_case_number_names_an_incident(label: str) -> None:
    line = classify_line(0, 20, f"{label}住民票の写しの誤交付", ROLES)
    assert (line.kind, line.number) == ("heading", 2)


def test_an_audit_with_one_finding_under_its_findings_is_one_incident(
    extractor: Extractor,
) -> None:
    text = (
        "令和5年度定期監査の結果について\n\n第1 監査の対象\n市民課\n第2 監査の結果\n"
        "1 指摘の概要\n(1) 転入届に伴う通知の未処理について\n"
        "届いた通知が処理されないまま残っていた。\n"
    )
    incidents = _structure(text, extractor).incidents
    assert len(incidents) == 1 and incidents[0].spans[0][0] == 0


def test_headings_that_name_cases_are_incidents_though_their_text_opens_plainly(
    extractor: Extractor,
) -> None:
    text = (
        "申込支援における事案について(周知)\n\n記\n\nI 報告のあった事案\n"
        "1 甲市の事案(令和5年6月判明)\n職員が申込を支援していた。その間に次の方の手続に移った。\n"
        "2 乙町の事案(発生日は不明)\n職員が来庁者のスマートフォンを預かって操作した。\n"
        "II 国における対応\n1 手順を見直した。\n"
    )
    titles = [i.title for i in _structure(text, extractor).incidents]
    assert titles == ["甲市の事案(令和5年6月判明)", "乙町の事案(発生日は不明)"]


def test_a_closing_top_level_section_of_measures_is_shared_by_the_cases(
    extractor: Extractor,
) -> None:
    text = (
        "事案について\n\nI 事案\n1 甲市の事案\n別の方に誤って交付した。\n"
        "2 乙町の事案\n通知を誤って送付した。\nII 対応\n1 全件を点検した。\n"
    )
    structure = _structure(text, extractor)
    closing = next(i for i, ln in enumerate(structure.lines) if ln.text.startswith("II"))
    assert [first for first, _ in structure.shared] == [closing]


def test_a_preamble_line_about_all_the_cases_is_shared(extractor: Extractor) -> None:
    text = (
        "事案について\n\nこれらの事案は、いずれも手順を守っていれば防げた。\n\n"
        "1 甲市の事案\n別の方に誤って交付した。\n2 乙町の事案\n通知を誤って送付した。\n"
    )
    structure = _structure(text, extractor)
    assert (2, 3) in structure.shared


def test_rows_of_a_table_written_one_cell_a_line_are_cases_with_column_roles(
    extractor: Extractor,
) -> None:
    text = (
        "事務処理誤りの公表について\n\nNo.\n判明日\n件名\n内容\n原因\n対策\n"
        "1\nR5.4.11\n証明書の誤交付\n別の方の証明書を交付した。\n確認が一人だった。\n二人で確認する。\n"
        "2\nR5.6.5\n通知書の誤送付\n通知書を別の方に送った。\n封入の誤り。\n封入を照合する。\n"
    )
    structure = _structure(text, extractor)
    assert [i.title for i in structure.incidents] == ["証明書の誤交付", "通知書の誤送付"]
    roles = {ln.text: ln.role for ln in structure.lines}
    assert (roles["確認が一人だった。"], roles["二人で確認する。"]) == ("cause", "countermeasure")


def test_a_number_in_brackets_opens_a_heading() -> None:
    line = classify_line(0, 20, "【3】原因", ROLES)
    assert (line.kind, line.number, line.role) == ("heading", 3, "cause")


def test_a_section_inside_the_last_case_is_not_shared_by_the_others(
    extractor: Extractor,
) -> None:
    text = (
        "事故事例について\n\n■事例1 甲市\n別の方に証明書を誤って交付した。\n"
        "■事例2 乙町\n通知書を誤って送付した。\n◆原因\n照合しなかった。\n"
        "◆参考\n上記の事例を踏まえ研修を行う。\n"
    )
    assert _structure(text, extractor).shared == ()


def test_a_case_named_at_the_start_of_a_line_with_spaced_field_names(
    extractor: Extractor,
) -> None:
    text = (
        "誤りの判明について\n\n(別紙)\n\n事案1 ポイントの誤付与\n"
        "内 容 支援員が別の方の手続を続けた。\n原 因 前の方の手続を終えなかった。\n"
        "事案2 口座の誤登録\n内 容 口座番号を誤って入力した。\n原 因 確認しなかった。\n"
    )
    structure = _structure(text, extractor)
    assert [i.title for i in structure.incidents] == [
        "事案1 ポイントの誤付与",
        "事案2 口座の誤登録",
    ]
    assert {ln.role for ln in structure.lines if ln.text.startswith("原 因")} == {"cause"}


def test_a_file_of_two_filled_in_forms_is_two_incidents(extractor: Extractor) -> None:
    form = (
        "様式第3号\n\n事故報告書\n\n1 件名 証明書の誤交付について\n"
        "2 事故の内容 別の方の証明書を誤って交付した。\n3 原因 照合を怠った。\n\n"
    )
    incidents = _structure(form + form, extractor).incidents
    assert [i.title for i in incidents] == ["証明書の誤交付について"] * 2


def test_a_case_told_over_several_slides_is_one_incident(extractor: Extractor) -> None:
    text = (
        "窓口職員研修\n\n[スライド 3]\n事例① カードを誤って廃止\n別の方のカードを廃止した。\n\n"
        "[スライド 4]\n事例① なぜ起きた?\n氏名だけで選んだ。\n\n"
        "[スライド 5]\n事例② 通知を誤って送付\n別の方に送った。\n"
    )
    incidents = _structure(text, extractor).incidents
    assert [len(i.spans) for i in incidents] == [2, 1]


def test_a_question_naming_the_cause_puts_its_answer_in_the_cause_role() -> None:
    line = classify_line(0, 20, "Q2 原因は何ですか。", ROLES)
    assert (line.kind, line.role) == ("label", "cause")


def test_a_contact_block_under_the_title_does_not_end_the_report(extractor: Extractor) -> None:
    """Issue 15, blind-real5 (opened): a press release laid out with 問合せ先 under its title,
    as some cities do, lost every part after it — its cause, measures and dates."""
    text = (
        "給付金の誤振込について\n\n問合せ先:福祉課(000-000-0000)\n\n"
        "1 概要\n手当を別の口座に振り込んだ。\n2 原因\n口座番号を誤って入力した。\n"
        "3 再発防止\n二人で確認する。\n\n問い合わせ\n福祉課\n"
    )
    structure = _structure(text, extractor)
    assert len(structure.incidents) == 1
    (start, end), *_ = structure.incidents[0].spans
    told = [line.text for line in structure.lines[start:end]]
    assert "口座番号を誤って入力した。" in told and "二人で確認する。" in told
    assert "福祉課" not in told[told.index("二人で確認する。") :]  # the closing block still ends it
