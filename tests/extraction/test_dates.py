"""Specification of :mod:`incident_kg.extraction.dates`."""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_kg.extraction.dates import DateMention, era_to_western, find_dates, parse_number
from incident_kg.extraction.normalize import normalize

from ..conftest import SEEDS

ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def read(text: str, **kwargs: int) -> list[tuple[str, str | None, str | None]]:
    """Each mention as (the text it covers, iso, end_iso)."""
    return [(text[m.start : m.end], m.iso, m.end_iso) for m in find_dates(text, **kwargs)]


def only(text: str, **kwargs: int) -> DateMention:
    """The one mention in ``text``."""
    mentions = find_dates(text, **kwargs)
    assert len(mentions) == 1, mentions
    return mentions[0]


# ----------------------------------------------------------- forms, one by one


@pytest.mark.parametrize(
    ("text", "covered", "iso"),
    [
        # era dates
        ("令和5年5月26日に", "令和5年5月26日", "2023-05-26"),
        ("令和 4 年 8 月、", "令和 4 年 8 月", "2022-08"),
        ("令和5年5月 31 日時点", "令和5年5月 31 日", "2023-05-31"),
        ("令和4年3月以降", "令和4年3月", "2022-03"),
        ("令和5年中に", "令和5年", "2023"),
        ("令和元年5月1日", "令和元年5月1日", "2019-05-01"),
        ("平成31年4月1日", "平成31年4月1日", "2019-04-01"),
        ("昭和64年1月7日", "昭和64年1月7日", "1989-01-07"),
        # kanji numerals
        ("令和七年一月十日", "令和七年一月十日", "2025-01-10"),
        ("令和五年十二月二十六日", "令和五年十二月二十六日", "2023-12-26"),
        ("二〇二三年", "二〇二三年", "2023"),
        # abbreviations
        ("R5.9.26", "R5.9.26", "2023-09-26"),
        ("R5.5.26付", "R5.5.26", "2023-05-26"),
        ("H31.4.1", "H31.4.1", "2019-04-01"),
        ("S64.1.7", "S64.1.7", "1989-01-07"),
        ("R5/9/26", "R5/9/26", "2023-09-26"),
        ("R5年", "R5年", "2023"),
        ("※ R5. 5月末時点の率", "R5. 5月末", "2023-05"),
        ("Ｒ５．５．２６", "Ｒ５．５．２６", "2023-05-26"),
        # western dates
        ("2023年5月26日", "2023年5月26日", "2023-05-26"),
        ("2023/5/26", "2023/5/26", "2023-05-26"),
        ("2023-05-26", "2023-05-26", "2023-05-26"),
        ("2023.5.26", "2023.5.26", "2023-05-26"),
        ("2023/5", "2023/5", "2023-05"),
        ("2023-05", "2023-05", "2023-05"),
        ("2023年", "2023年", "2023"),
        # a bracketed year after the first
        ("令和5年(2023年)5月26日", "令和5年(2023年)5月26日", "2023-05-26"),
        ("令和５年（２０２３年）５月２６日", "令和５年（２０２３年）５月２６日", "2023-05-26"),
        ("2023年(令和5年)5月", "2023年(令和5年)5月", "2023-05"),
        # weekdays are part of the span
        ("令和5年1月31日(火)", "令和5年1月31日(火)", "2023-01-31"),
        ("令和5年3月8日（水）", "令和5年3月8日（水）", "2023-03-08"),
        ("2023年3月4日 (土曜日)", "2023年3月4日 (土曜日)", "2023-03-04"),
        ("令和5年5月3日(水・祝)", "令和5年5月3日(水・祝)", "2023-05-03"),
        # month endings stay at month precision
        ("令和5年6月末", "令和5年6月末", "2023-06"),
        ("令和5年5月上旬", "令和5年5月上旬", "2023-05"),
    ],
)
def test_a_single_date(text: str, covered: str, iso: str) -> None:
    assert read(text) == [(covered, iso, None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和3年11月～5年5月", [("令和3年11月～5年5月", "2021-11", "2023-05")]),
        ("令和3年 11 月~5年5月", [("令和3年 11 月~5年5月", "2021-11", "2023-05")]),
        ("令和5年3月～5月", [("令和5年3月～5月", "2023-03", "2023-05")]),
        ("令和5年3月〜5月", [("令和5年3月〜5月", "2023-03", "2023-05")]),
        ("令和5年3月-4月", [("令和5年3月-4月", "2023-03", "2023-04")]),
        (
            "令和5年3月2日(木)～3月8日(水)",
            [("令和5年3月2日(木)～3月8日(水)", "2023-03-02", "2023-03-08")],
        ),
        (
            "令和5年5月28日(日)～令和5年5月29日(月)",
            [("令和5年5月28日(日)～令和5年5月29日(月)", "2023-05-28", "2023-05-29")],
        ),
        (
            "令和5年5月28日から6月5日まで",
            [("令和5年5月28日から6月5日まで", "2023-05-28", "2023-06-05")],
        ),
        ("令和5年5月28日～29日", [("令和5年5月28日～29日", "2023-05-28", "2023-05-29")]),
        ("令和5年11月～2月", [("令和5年11月～2月", "2023-11", "2024-02")]),
        ("2023/5/28～2023/6/5", [("2023/5/28～2023/6/5", "2023-05-28", "2023-06-05")]),
    ],
)
def test_a_range(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert read(text) == expected


def test_from_without_a_date_after_it_is_not_a_range() -> None:
    assert read("令和4年(2022年)12月1日から実施") == [
        ("令和4年(2022年)12月1日", "2022-12-01", None)
    ]


# --------------------------------------------------------------------- flags


def test_an_unknown_day_is_part_of_the_span_and_flagged() -> None:
    mention = only("令和4年8月(日付は不明)、来庁された。")
    assert (mention.iso, mention.unknown_day, mention.precision) == ("2022-08", True, "month")
    assert mention.end == len("令和4年8月(日付は不明)")


def test_a_fiscal_year_is_a_year_and_flagged() -> None:
    mention = only("令和5年度の事業")
    assert (mention.iso, mention.fiscal_year, mention.precision) == ("2023", True, "year")


def test_a_western_fiscal_year() -> None:
    assert only("2023年度").fiscal_year


def test_a_bracketed_western_year_that_disagrees_is_flagged_and_the_era_kept() -> None:
    mention = only("令和5年(2022年)5月26日")
    assert (mention.iso, mention.era_mismatch) == ("2023-05-26", True)


def test_a_bracketed_western_year_that_agrees_is_not_flagged() -> None:
    assert not only("令和5年(2023年)5月26日").era_mismatch


def test_an_explicit_date_is_not_inherited() -> None:
    assert not only("令和5年5月26日").inherited_year


@pytest.mark.parametrize(
    ("iso", "precision"),
    [("2023", "year"), ("2023-05", "month"), ("2023-05-26", "day"), (None, "unknown")],
)
def test_precision(iso: str | None, precision: str) -> None:
    assert DateMention(0, 1, iso).precision == precision


# ------------------------------------------------------------------- context


def test_same_year_takes_the_year_of_the_previous_mention() -> None:
    text = "令和5年1月31日(火) 相談。同年3月17日(金) 謝罪。"
    mentions = find_dates(text)
    assert [m.iso for m in mentions] == ["2023-01-31", "2023-03-17"]
    assert mentions[1].inherited_year


def test_same_year_range() -> None:
    text = "令和5年1月31日。同年3月2日(木)～3月8日(水)"
    assert read(text)[1] == ("同年3月2日(木)～3月8日(水)", "2023-03-02", "2023-03-08")


def test_same_month_takes_the_year_and_month() -> None:
    assert read("令和5年3月2日、同月10日")[1] == ("同月10日", "2023-03-10", None)


def test_same_day_takes_the_whole_date() -> None:
    assert read("令和5年3月2日に受付、同日(木)に回答")[1] == ("同日(木)", "2023-03-02", None)


def test_same_fiscal_year() -> None:
    mention = find_dates("令和5年度、同年度")[1]
    assert (mention.iso, mention.fiscal_year, mention.inherited_year) == ("2023", True, True)


def test_a_bare_month_day_after_a_dated_line_takes_its_year() -> None:
    text = "令和5年1月31日(火)\n・相談あり。\n3月2日(木)\n・問い合わせ。"
    mention = find_dates(text)[1]
    assert (mention.iso, mention.inherited_year) == ("2023-03-02", True)


def test_a_bare_month_takes_the_year_when_one_is_known() -> None:
    assert read("令和5年3月17日に謝罪。3月末に弁償。")[1] == ("3月末", "2023-03", None)


def test_a_bare_month_far_before_the_previous_one_is_in_the_next_year() -> None:
    text = "令和4年(2022年)12月1日に開始し、6月末に見直し、12月末に終了。"
    assert [m.iso for m in find_dates(text)] == ["2022-12-01", "2023-06", "2023-12"]


def test_a_bare_month_shortly_before_the_previous_one_is_in_the_same_year() -> None:
    assert [m.iso for m in find_dates("R5. 5月末時点\n\t3月\t4月\t5月")] == [
        "2023-05",
        "2023-03",
        "2023-04",
        "2023-05",
    ]


def test_after_a_fiscal_year_january_to_march_are_in_the_next_calendar_year() -> None:
    assert [m.iso for m in find_dates("令和5年度の実績: 2月10日")] == ["2023", "2024-02-10"]


def test_a_weekday_picks_the_year_of_a_bare_date() -> None:
    # 5 January fell on a Friday in 2024 and on a Thursday in 2023.
    assert find_dates("令和5年12月1日。1月5日(金)")[1].iso == "2024-01-05"
    assert find_dates("令和5年12月1日。1月5日(木)")[1].iso == "2023-01-05"


def test_a_bare_date_uses_the_default_year_when_nothing_came_before() -> None:
    mention = only("3月2日に回答", default_year=2023)
    assert (mention.iso, mention.inherited_year) == ("2023-03-02", True)


def test_a_bare_date_with_no_year_to_be_had_is_unknown() -> None:
    mention = only("3月2日に回答")
    assert (mention.iso, mention.precision, mention.inherited_year) == (None, "unknown", False)


def test_same_year_with_no_year_to_be_had_is_unknown() -> None:
    assert only("同年3月2日").precision == "unknown"


def test_a_bare_month_with_no_year_to_be_had_is_not_a_date() -> None:
    assert find_dates("3月分の保険料") == []


def test_a_bare_month_with_a_default_year_is_a_month() -> None:
    assert read("3月分の保険料", default_year=2023) == [("3月", "2023-03", None)]


def test_the_context_is_the_end_of_the_previous_range() -> None:
    assert find_dates("令和3年11月～5年5月。6月")[1].iso == "2023-06"


# ---------------------------------------------------------------- not dates


@pytest.mark.parametrize(
    "text",
    [
        "届出から90日が過ぎ",
        "48件の処理漏れ",
        "誤登録7,312件",
        "誤登録7, 312件",
        "2人分のカード",
        "第3条の規定",
        "電話:072-600-0000",
        "Tel 03-1234-5678",
        "45.10%(前月比+1.20%)",
        "3月分",
        "2023.5万件",
        "10年間",
        "13月",
        "2023/13/1",
        "平成0年",
        "同年代の職員",
        "30日以内",
    ],
)
def test_not_a_date(text: str) -> None:
    assert find_dates(text) == []


# ------------------------------------------------------------- validation


def test_an_invalid_month_leaves_only_the_year() -> None:
    assert read("令和5年13月") == [("令和5年", "2023", None)]


def test_an_invalid_day_leaves_the_year_and_month() -> None:
    assert read("令和5年2月29日") == [("令和5年2月", "2023-02", None)]


def test_29_february_of_a_leap_year_is_a_day() -> None:
    assert read("令和6年2月29日") == [("令和6年2月29日", "2024-02-29", None)]


# -------------------------------------------------------------- era table


@pytest.mark.parametrize(
    ("era", "year", "western"),
    [
        ("令和", 1, 2019),
        ("R", 5, 2023),
        ("r", 5, 2023),
        ("Ｒ", 5, 2023),
        ("平成", 31, 2019),
        ("H", 1, 1989),
        ("昭和", 64, 1989),
        ("S", 1, 1926),
    ],
)
def test_era_to_western(era: str, year: int, western: int) -> None:
    assert era_to_western(era, year) == western


@pytest.mark.parametrize(("era", "year"), [("西暦", 5), ("令和", 0)])
def test_era_to_western_rejects(era: str, year: int) -> None:
    with pytest.raises(ValueError):
        era_to_western(era, year)


@pytest.mark.parametrize(
    ("digits", "value"),
    [("26", 26), ("元", 1), ("十", 10), ("十二", 12), ("二十六", 26), ("三十一", 31),
     ("二〇二三", 2023), ("二千二十三", 2023)],
)  # fmt: skip
def test_parse_number(digits: str, value: int) -> None:
    assert parse_number(digits) == value


# ----------------------------------------------------------- property tests

ERAS = {"令和": (2019, 30), "平成": (1989, 31), "昭和": (1926, 64)}
ABBREVIATIONS = {"令和": "R", "平成": "H", "昭和": "S"}


def kanji(number: int) -> str:
    """1-99 in kanji numerals: 5 → 五, 10 → 十, 26 → 二十六."""
    digits = "〇一二三四五六七八九"
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


@st.composite
def era_dates(draw: st.DrawFn) -> tuple[str, int, datetime.date]:
    era = draw(st.sampled_from(sorted(ERAS)))
    first, last = ERAS[era]
    year = draw(st.integers(1, last))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28 if month == 2 else 30))
    return era, year, datetime.date(first + year - 1, month, day)


@given(era_dates(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
@settings(max_examples=300)
def test_an_era_date_reads_back_as_its_western_date(
    era_date: tuple[str, int, datetime.date],
    kanji_numerals: bool,
    spaces: bool,
    weekday: bool,
    gannen: bool,
) -> None:
    era, year, date = era_date
    number = kanji if kanji_numerals else str
    space = " " if spaces else ""
    written_year = "元" if year == 1 and gannen else number(year)
    text = f"{era}{space}{written_year}{space}年{space}{number(date.month)}{space}月"
    text += f"{space}{number(date.day)}{space}日"
    if weekday:
        text += f"({'月火水木金土日'[date.weekday()]})"
    mention = only(f"、{text}に")
    assert (mention.iso, mention.start, mention.end) == (date.isoformat(), 1, 1 + len(text))


@given(era_dates(), st.sampled_from([".", "/"]))
def test_an_abbreviated_era_date_reads_back_as_its_western_date(
    era_date: tuple[str, int, datetime.date], sep: str
) -> None:
    era, year, date = era_date
    text = sep.join([f"{ABBREVIATIONS[era]}{year}", str(date.month), str(date.day)])
    assert only(text).iso == date.isoformat()


@given(st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)))
def test_western_dates_read_back(date: datetime.date) -> None:
    for text in (
        f"{date.year}年{date.month}月{date.day}日",
        f"{date.year}/{date.month}/{date.day}",
        date.isoformat(),
    ):
        assert only(text).iso == date.isoformat(), text


NOT_DATE_ALPHABET = [*"0123456789 ,%件人円第条号名回()+×万個時分一二三十、。", "\t", "\n"]


@given(st.text(alphabet=st.sampled_from(NOT_DATE_ALPHABET), max_size=60))
@settings(max_examples=300)
def test_numbers_without_date_markers_are_not_dates(text: str) -> None:
    assert find_dates(text) == []


@given(st.from_regex(r"\A0[0-9]{1,3}-[0-9]{2,4}-[0-9]{4}\Z"))
def test_phone_numbers_are_not_dates(text: str) -> None:
    assert find_dates(text) == []


DATE_PIECES = [
    "令和", "平成", "R", "H", "同", "元", "年", "月", "日", "度", "(", ")", "（", "）", "火", "末",
    "～", "~", "-", "/", ".", "から", "まで", "日付は不明", "十", "二", " ", "\n", "、", "件",
    "5", "12", "31", "2023", "0", "9",
]  # fmt: skip


@given(st.lists(st.sampled_from(DATE_PIECES), max_size=40).map("".join), st.none() | st.just(2023))
@settings(max_examples=500)
def test_mentions_are_ordered_well_formed_spans(text: str, default_year: int | None) -> None:
    mentions = find_dates(text, default_year=default_year)
    for mention in mentions:
        assert 0 <= mention.start < mention.end <= len(text)
        assert mention.iso is None or ISO.match(mention.iso)
        assert mention.end_iso is None or ISO.match(mention.end_iso)
        if mention.iso is not None:
            datetime.date.fromisoformat((mention.iso + "-01-01")[:10])
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))


# ---------------------------------------------------------------- the seeds


@pytest.mark.parametrize(
    "path",
    sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else [],
    ids=lambda path: path.name[:3],
)
def test_every_date_in_a_seed_is_resolved_and_plausible(path: Path) -> None:
    text = normalize(path.read_text(encoding="utf-8")).text
    mentions = find_dates(text)
    assert mentions
    for mention in mentions:
        assert mention.iso is not None, text[mention.start : mention.end]
        assert "2019" <= mention.iso <= "2024", text[mention.start : mention.end]
        assert not re.search(r"[件人%]", text[mention.start : mention.end])


@pytest.mark.parametrize(
    ("text", "isos"),
    [
        ("令和6年3月4日に来庁。翌日、判明。", ["2024-03-04", "2024-03-05"]),
        ("2023年12月31日に受付。翌日に判明。", ["2023-12-31", "2024-01-01"]),
        ("令和5年3月1日に判明。前日に発生。", ["2023-03-01", "2023-02-28"]),
        ("令和5年3月16日に受付、翌17日に交付。", ["2023-03-16", "2023-03-17"]),
        ("令和5年3月20日に受付、翌5日に交付。", ["2023-03-20", "2023-04-05"]),
        ("令和5年12月20日に受付、翌月10日に交付。", ["2023-12-20", "2024-01-10"]),
    ],
)
def test_a_day_told_from_the_day_before(text: str, isos: list[str]) -> None:
    assert [m.iso for m in find_dates(text)] == isos


def test_a_next_day_without_a_day_before_is_unknown() -> None:
    assert only("翌日に判明した。").iso is None


def test_the_year_an_account_is_for_is_not_a_date() -> None:
    assert find_dates("令和5年分の確定申告") == []


def test_this_year_is_the_year_the_document_was_written_in() -> None:
    text = "令和5年7月10日\n令和4年11月に照会を行った。本年6月2日に連絡があった。"
    assert [m.iso for m in find_dates(text)] == ["2023-07-10", "2022-11", "2023-06-02"]


def test_a_western_year_with_its_era_in_brackets() -> None:
    assert [m.iso for m in find_dates("広報 2023(令和5)年10月号\n8月下旬に発送した。")] == [
        "2023-10",
        "2023-08",
    ]


def test_a_month_and_day_with_a_slash_takes_the_year_from_context() -> None:
    mentions = find_dates("令和5年8月21日に受け付けた。8/23(水)に判明した。")
    assert [m.iso for m in mentions] == ["2023-08-21", "2023-08-23"]


def test_a_fraction_is_no_date() -> None:
    assert find_dates("約1/2の方が") == []


@pytest.mark.parametrize(
    ("text", "iso"),
    [("今月21日、窓口で気付いた。", "2023-01-21"), ("先月9日に判明した。", "2022-12-09")],
)
def test_this_month_and_last_month_are_told_from_the_publication(text: str, iso: str) -> None:
    found = find_dates(text, published=datetime.date(2023, 1, 23), dateline=(0, 0))
    assert [m.iso for m in found] == [iso]


def test_a_day_after_a_month_number_is_no_day_alone() -> None:
    found = find_dates("3月21日に", published=datetime.date(2023, 6, 23), dateline=(0, 0))
    assert [m.iso for m in found] == ["2023-03-21"]
