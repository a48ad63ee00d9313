"""Statistics: aggregate figures are kept with their date and source, never as incidents."""

from __future__ import annotations

from incident_kg.extraction.extract import Extractor, extract_report

COUNCIL = """マイナンバー関連の報告

1 誤登録等の状況(令和5年6月9日時点)
内 容\t全国の状況\t本市の状況
マイナポイントの誤紐付け\t〈133自治体173件〉\t2件
公金受取口座の誤登録\t〈誤紐付け748件〉\t-

2 カードの交付率
交付率は75.95%(R5.5末現在)です。
"""


def test_a_national_count_is_a_statistic_with_its_as_of_date(extractor: Extractor) -> None:
    report = extract_report(extractor, COUNCIL, source="council.txt")
    assert report.incidents == ()
    figures = {
        (s.label, s.value, s.unit, s.as_of.iso if s.as_of else None) for s in report.statistics
    }
    assert ("マイナポイントの誤紐付け", "173", "件", "2023-06-09") in figures
    assert ("マイナポイントの誤紐付け", "133", "自治体", "2023-06-09") in figures
    assert any(v == "75.95" and u == "%" and d == "2023-05" for _, v, u, d in figures)


def test_every_statistic_quotes_exact_text(extractor: Extractor) -> None:
    report = extract_report(extractor, COUNCIL, source="council.txt")
    for statistic in report.statistics:
        span = statistic.evidence.span
        assert report.text[span.start : span.end] == span.text


def test_counts_inside_an_incident_are_not_statistics(extractor: Extractor) -> None:
    text = "証明書の誤交付について\n\n1 概要\n別人の証明書を計5件交付した(令和5年6月9日時点)。\n"
    report = extract_report(extractor, text, source="r.txt")
    assert len(report.incidents) == 1
    assert report.statistics == ()
