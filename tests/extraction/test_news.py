"""News and web pages as input (issue 15): the body from the headline and lead, measures said
in quotes, what happened elsewhere, dates without a year, cases told in turn, counts in words,
page furniture, a page cut off mid-sentence, and a PDF whose table is laid out in columns."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from incident_kg.extraction.extract import Extractor, extract_report
from incident_kg.extraction.model import Incident, Report
from incident_kg.extraction.read import read_report

from ..conftest import SEEDS

ARTICLE = """住民票を別人に交付　みどり市、同姓同名と取り違え

2024年1月10日 12:00

　みどり市は9日、市民課の窓口で、請求した男性とは別の人の住民票の写しを交付したと発表した。

　市によると、12月20日、職員が同姓同名の別の人の住民票の写しを作成し、男性に渡した。12月25日に男性からの連絡で判明した。

　全国では、同じような誤交付が相次いでいる。

　市民課は「請求書と住民票の氏名を複数の職員で照らし合わせるなどして再発を防ぎたい」としている。
"""


def extract(extractor: Extractor, text: str, source: str = "news.txt") -> Report:
    return extract_report(extractor, text, source=source)


def only(report: Report) -> Incident:
    [incident] = report.incidents
    return incident


def test_a_headline_over_its_lead_is_the_title_and_not_joined_to_it(extractor: Extractor) -> None:
    report = extract(extractor, ARTICLE)
    assert report.title == "住民票を別人に交付 みどり市、同姓同名と取り違え"
    assert "取り違えみどり市は" not in report.text


def test_the_body_is_read_from_the_lead_and_its_section_from_the_quote(
    extractor: Extractor,
) -> None:
    names = {o.name for o in only(extract(extractor, ARTICLE)).organizations if o.responsible}
    assert names == {"みどり市", "みどり市/市民課"}


def test_dates_without_a_year_are_told_from_the_dateline(extractor: Extractor) -> None:
    incident = only(extract(extractor, ARTICLE))
    assert incident.occurred is not None and incident.occurred.iso == "2023-12-20"
    assert incident.discovered is not None and incident.discovered.iso == "2023-12-25"


def test_the_dateline_is_the_publication_date_and_no_event(extractor: Extractor) -> None:
    report = extract(extractor, ARTICLE)
    assert report.published is not None and report.published.iso == "2024-01-10"
    assert "2024-01-10" not in {e.date.iso for e in only(report).timeline}


def test_a_measure_said_in_a_quote_is_coded(extractor: Extractor) -> None:
    assert "MultiPersonCheck" in only(extract(extractor, ARTICLE)).codes("countermeasures")


def test_what_happened_elsewhere_is_not_coded(extractor: Extractor) -> None:
    incident = only(extract(extractor, ARTICLE))
    elsewhere = [v for v in incident.coded if "全国では" in v.evidence.span.text]
    assert elsewhere == []


def test_a_day_alone_is_read_only_with_a_dateline(extractor: Extractor) -> None:
    undated = ARTICLE.replace("2024年1月10日 12:00\n\n", "")
    assert only(extract(extractor, undated)).discovered is None


def test_cases_told_in_turn_are_incidents_each(extractor: Extractor) -> None:
    text = """ファクスを2件誤送信　あおば市保健所

　あおば市は13日、感染者の個人情報を記した書類を誤ってファクスしたと発表した。

　市によると、1件目は12日午前、医療機関の番号を誤り、1人分の氏名と住所を記した書類を個人宅に送った。

　2件目は同じ日の午後、感染者11人分の書類を、誤って登録先の事業者に送信した。
"""
    report = extract(extractor, text)
    assert len(report.incidents) == 2
    counts = [i.affected.value if i.affected else None for i in report.incidents]
    assert counts == [1, 11]


TWO_CITIES = """カード写真の取り違え　県内2市で

　マイナンバーカードの顔写真を別の人のものと取り違えるミスが、県内の2市で起きていた。

　こうしたなか、みなと市は20日、出張申請の受付で姉妹2人の写真を逆にしてカードを作っていたと発表した。

　一方、やまべ町では窓口の職員が別の申請者の写真を付けてしまい、誤ったカードを交付していた。

　両市町は関係者に謝罪し、正しいカードを渡した。
"""


def test_the_wrongs_of_two_bodies_told_in_turn_are_incidents_each(extractor: Extractor) -> None:
    report = extract(extractor, TWO_CITIES)
    responsible = [[o.name for o in i.organizations if o.responsible] for i in report.incidents]
    assert responsible == [["みなと市"], ["やまべ町"]]


def test_a_body_said_again_as_dousi_is_no_second_incident(extractor: Extractor) -> None:
    text = ARTICLE.replace("市民課は「", "同市は「")
    text = text.replace(
        "　全国では", "　同市では、同姓同名の別人に誤って交付した例は初めてという。\n\n　全国では"
    )
    assert len(extract(extractor, text).incidents) == 1


def test_a_first_case_inside_a_paragraph_and_a_second_opening_one_are_two(
    extractor: Extractor,
) -> None:
    text = """料金を過大に徴収　あさひ市水道部で2件

　あさひ市水道部は11日、水道料金を本来より多く引き落としていたと発表した。

　発表では、1件目の契約者は市内の会社。委託先の業者が使用水量の計算を誤った。

2件目は個人の契約者で、検針員が数値を誤って入力し、余分に徴収していた。

　水道部は2件とも全額を返すという。
"""
    assert len(extract(extractor, text).incidents) == 2


def test_a_further_case_told_after_the_main_story_is_an_incident_of_its_own(
    extractor: Extractor,
) -> None:
    text = ARTICLE.replace(
        "　全国では、",
        "　同市はこのほか、公金受取口座の登録で他人の口座を誤って登録したケースも1件あったと明らかにした。\n\n　全国では、",
    )
    assert len(extract(extractor, text).incidents) == 2


def test_more_of_the_same_wrong_is_no_further_case(extractor: Extractor) -> None:
    text = ARTICLE.replace(
        "　全国では、",
        "　このほかにも、同じ窓口で住民票の写しを誤って交付する誤りが見つかったという。\n\n　全国では、",
    )
    assert len(extract(extractor, text).incidents) == 1


def test_a_page_cut_off_mid_sentence_gives_no_false_incident(extractor: Extractor) -> None:
    text = """お知らせ

マイナポイントの申込期限が近づいています。窓口は大変混み合っております。お早めに手続をお済ませく"""
    assert extract(extractor, text).incidents == ()


def test_a_notice_that_tells_a_wrong_only_as_happening_elsewhere_is_no_incident(
    extractor: Extractor,
) -> None:
    text = """マイナポイントの誤紐付けについて

申し込んだ本人のカードに他人の決済サービスがひも付くケースが、各地から報告されています。

窓口で手続きの支援を受けた方は、ご自分の申込状況を確かめてください。
"""
    assert extract(extractor, text).incidents == ()


def test_a_category_line_above_the_headline_is_no_title(extractor: Extractor) -> None:
    report = extract(extractor, "ニュース\n\n" + ARTICLE)
    assert report.title.startswith("住民票を別人に交付")


def test_a_place_of_residence_or_a_prefecture_before_its_city_is_no_party(
    extractor: Extractor,
) -> None:
    text = ARTICLE.replace("みどり市は9日", "栃木県みどり市は9日").replace(
        "男性に渡した。", "兵庫県在住の男性に渡した。"
    )
    names = {o.name for o in only(extract(extractor, text)).organizations}
    assert "栃木県" not in names and "兵庫県" not in names


def test_personal_data_sent_astray_is_a_leak(extractor: Extractor) -> None:
    text = """通知書の誤送付について

　市は、納税通知書を送る際、別の納税者の氏名と税額を記した書類を誤って同封して発送しました。
"""
    assert "PersonalDataLeak" in only(extract(extractor, text)).codes("harms")


# ------------------------------------------------------------------ a PDF table in columns

FONT = "HeiseiKakuGo-W5"


def render_with_table_columns(text: str, path: Path, size: float = 9) -> Path:
    """Write ``text`` into a PDF, each TAB-separated table row laid out in columns (its cells
    wrapped in their column), as a word processor prints a table."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    left, width, y = 40.0, 515.0, 800.0

    def down() -> None:
        nonlocal y
        y -= size * 1.6
        if y < 60:
            pdf.showPage()
            pdf.setFont(FONT, size)
            y = 800.0

    pdf.setFont(FONT, size)
    for raw in text.splitlines():
        cells = raw.split("\t")
        column = width / len(cells)
        wrapped = [textwrap.wrap(c.strip(), max(1, int(column / size) - 1)) or [""] for c in cells]
        for k in range(max(len(w) for w in wrapped)):
            for j, lines in enumerate(wrapped):
                if k < len(lines):
                    pdf.drawString(left + j * column, y, lines[k])
            down()
    pdf.save()
    return path


def test_a_pdf_table_in_columns_is_read_as_rows_with_tabs(tmp_path: Path) -> None:
    pdf = render_with_table_columns("件名\t件数\t本市\n誤交付\t25件\t5件\n", tmp_path / "t.pdf")
    assert "誤交付\t25件\t5件" in read_report(pdf).text


def test_seed_002_as_a_pdf_with_its_national_table_in_columns_has_its_two_incidents(
    extractor: Extractor, tmp_path: Path
) -> None:
    seed = SEEDS / "002_15470511b64eccac.txt"
    if not seed.is_file():
        pytest.skip("../shared/seeds is not beside the project")
    pdf = render_with_table_columns(seed.read_text(encoding="utf-8"), tmp_path / "002.pdf")
    report = extract(extractor, read_report(pdf).text, source="002.pdf")
    assert [i.codes("harms")[0] for i in report.incidents] == [
        "CertificateMisissuance",
        "PointMisgrant",
    ]
    assert all("自治体" not in o.name for i in report.incidents for o in i.organizations)


def test_counts_in_letters_and_in_ten_thousands_are_read(extractor: Extractor) -> None:
    text = """納税通知書の誤りについて

　市は、10日に発送した納税通知書1万9231通で、宛名の敬称が印字されていない誤りがあったと発表した。
"""
    incident = only(extract(extractor, text))
    assert incident.affected is not None and incident.affected.value == 19231


def test_an_ordinal_is_no_count(extractor: Extractor) -> None:
    text = """書類の誤送付について

　市によると、2件目の誤送付では、3人分の氏名が記載された書類を別の事業所に送った。
"""
    incident = only(extract(extractor, text))
    assert incident.affected is not None and incident.affected.value == 3
