"""Specification of :mod:`incident_kg.extraction.normalize`.

The test strings imitate the forms found in real reports (double-spaced PDF
text, Markdown web text, TAB tables, column-flattened tables) but are written
for these tests.
"""

from __future__ import annotations

import itertools
import re
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_kg.extraction.model import Span
from incident_kg.extraction.normalize import (
    _SAFE_CLASS,
    NormalizedText,
    is_heading,
    normalize,
)
from incident_kg.extraction.sentences import sentence_spans

from ..conftest import SEEDS


def double_spaced(*lines: str) -> str:
    """Lines as a PDF extractor writes them: each followed by one blank line."""
    return "".join(f"{line}\n\n" for line in lines)


# ---------------------------------------------------------------- characters


def test_a_byte_order_mark_is_removed() -> None:
    assert normalize("\ufeff報告書").text == "報告書"


def test_crlf_and_cr_become_lf() -> None:
    assert normalize("一行目。\r\n二行目。\r三行目。").text == "一行目。\n二行目。\n三行目。"


def test_full_width_digits_and_brackets_become_ascii() -> None:
    assert normalize("令和５年（２０２３年）").text == "令和5年(2023年)"


def test_full_width_era_abbreviation_becomes_ascii() -> None:
    assert normalize("Ｒ５．５．２６").text == "R5.5.26"


def test_an_ideographic_space_becomes_an_ascii_space() -> None:
    assert normalize("中区\u3000戸籍課").text == "中区 戸籍課"


def test_half_width_katakana_with_voicing_mark_becomes_one_full_width_character() -> None:
    normalized = normalize("ｶﾞｲﾄﾞ")
    assert normalized.text == "ガイド"
    assert normalized.original_span(0, 1) == "ｶﾞ"


def test_a_character_that_expands_maps_every_output_character_to_it() -> None:
    normalized = normalize("㈱テスト")
    assert normalized.text == "(株)テスト"
    assert normalized.offsets[:3] == (0, 0, 0)
    assert normalized.original_span(0, 3) == "㈱"


def test_a_span_ending_inside_an_expansion_covers_the_whole_raw_character() -> None:
    normalized = normalize("㈱テスト")
    assert normalized.original_span(1, 2) == "㈱"


def test_circled_numbers_are_kept() -> None:
    assert normalize("① 委託先の監督").text == "① 委託先の監督"


def test_the_safe_class_is_left_alone_by_nfkc() -> None:
    safe = re.compile(f"[{_SAFE_CLASS}]")
    for code in range(0x110000):
        ch = chr(code)
        if safe.match(ch):
            assert unicodedata.normalize("NFKC", ch) == ch, hex(code)
            assert unicodedata.combining(ch) == 0, hex(code)


# --------------------------------------------------------------------- lines


def test_trailing_whitespace_is_stripped() -> None:
    assert normalize("経緯 \t \n内容。").text == "経緯\n内容。"


def test_leading_spaces_are_dropped() -> None:
    assert normalize("   ・確認不足。").text == "・確認不足。"


def test_runs_of_spaces_become_one() -> None:
    assert normalize("発生主体   地方公共団体").text == "発生主体 地方公共団体"


def test_tabs_are_kept() -> None:
    assert normalize("\t3月\t4月\n申請率\t89.1%\t90.2%").text == "\t3月\t4月\n申請率\t89.1%\t90.2%"


def test_blank_lines_at_the_start_and_end_are_dropped() -> None:
    assert normalize("\n\n \n報告。\n\n\n").text == "報告。"


def test_several_blank_lines_become_one() -> None:
    assert normalize("第一段落。\n\n\n\n第二段落。").text == "第一段落。\n\n第二段落。"


# ------------------------------------------------------ double-spaced PDF text


def test_double_spaced_word_broken_across_lines_is_joined() -> None:
    raw = double_spaced(
        "窓口において申込の支援を行ったが、サ",
        "ポートを担当した職員の案内が誤っていた",
        "ため、ポイントが付与されなかった。",
    )
    assert normalize(raw).text == (
        "窓口において申込の支援を行ったが、サポートを担当した職員の案内が誤っていた"
        "ため、ポイントが付与されなかった。"
    )


def test_double_spaced_single_blank_line_after_a_sentence_is_a_line_break() -> None:
    raw = double_spaced("深くお詫び申し上げます。", "今後とも再発防止に努めてまい", "ります。")
    assert normalize(raw).text == "深くお詫び申し上げます。\n今後とも再発防止に努めてまいります。"


def test_double_spaced_paragraph_break_is_two_blank_lines_or_a_line_of_spaces() -> None:
    raw = double_spaced(
        "第一段落の文章がここで途切れ", "ずに続きます。", " ", "２ 事務処理ミスの内容",
        "職員が案内を誤った", "ことが判明した。", "", "３ 経緯",
    )  # fmt: skip
    assert normalize(raw).text == (
        "第一段落の文章がここで途切れずに続きます。\n\n"
        "2 事務処理ミスの内容\n職員が案内を誤ったことが判明した。\n\n3 経緯"
    )


def test_double_spaced_numbered_heading_is_not_joined_to_its_text() -> None:
    raw = double_spaced("１ 事案の概要 ", "区役所の窓口における支援業務の際に、", "誤りがあった。")
    assert normalize(raw).text == "1 事案の概要\n区役所の窓口における支援業務の際に、誤りがあった。"


def test_a_line_holding_only_a_date_is_not_joined_to_the_next() -> None:
    raw = double_spaced(
        " 令和５年（２０２３年）５月２６日 ", "窓口支援における誤付与について ", " ",
        "本文はここから始まり、途中で改", "行されています。",
    )  # fmt: skip
    text = normalize(raw).text
    assert text.splitlines()[:2] == ["令和5年(2023年)5月26日", "窓口支援における誤付与について"]


def test_double_spaced_timeline_rows_and_bullets_stay_on_their_own_lines() -> None:
    raw = double_spaced(
        "３月２日（木） ",
        "・利用者から連絡があり、担当課で確認",
        "したところ、誤りが分かった。",
        "・職員への聞き取りで分かった。",
        "同年３月８日（水） ",
        "・謝罪を行った。",
    )
    assert normalize(raw).text.splitlines() == [
        "3月2日(木)",
        "・利用者から連絡があり、担当課で確認したところ、誤りが分かった。",
        "・職員への聞き取りで分かった。",
        "同年3月8日(水)",
        "・謝罪を行った。",
    ]


def test_column_flattened_table_cells_are_joined_into_their_sentences() -> None:
    raw = double_spaced(
        "１．コンビニでの証明書の誤交付 ",
        "・ 写しを取得する",
        "「自動交付機」において、",
        "他人の証明書を誤って交付。 ",
        " ",
        "発生期間：令和５年３月～５月 ",
        "発生主体：地方公共団体（甲市、",
        "乙区、丙市） ",
        "委託先 ：ある Japan 株式",
        "会社 ",
    )
    assert normalize(raw).text.splitlines() == [
        "1.コンビニでの証明書の誤交付",
        "・ 写しを取得する「自動交付機」において、他人の証明書を誤って交付。",
        "",
        "発生期間:令和5年3月~5月",
        "発生主体:地方公共団体(甲市、乙区、丙市)",
        "委託先 :ある Japan 株式会社",
    ]


def test_an_enumerated_item_broken_mid_word_is_joined() -> None:
    raw = double_spaced(
        "① 複数の区の受付窓口におけ",
        "る入力ミスにより、情報を漏",
        "えい。 ",
        " ",
        "（着眼点） ",
        "・ 確認できていたか。",
    )
    assert normalize(raw).text.splitlines() == [
        "① 複数の区の受付窓口における入力ミスにより、情報を漏えい。",
        "",
        "(着眼点)",
        "・ 確認できていたか。",
    ]


def test_a_bracketed_label_is_not_joined_to_an_unfinished_line_before_it() -> None:
    raw = double_spaced(
        "〇 管理体制、確認の措置（委託先、所管",
        "省庁） ",
        "（着眼点） ",
        "・ 手順を守っていたか。",
    )
    assert normalize(raw).text.splitlines() == [
        "〇 管理体制、確認の措置(委託先、所管省庁)",
        "(着眼点)",
        "・ 手順を守っていたか。",
    ]


def test_ascii_words_broken_across_lines_are_joined_with_a_space() -> None:
    raw = double_spaced("The system kept the", "old address for", "two cards, as noted.")
    assert normalize(raw).text == "The system kept the old address for two cards, as noted."


# ----------------------------------------------------------- web / plain text


def test_web_text_single_blank_lines_are_paragraph_breaks() -> None:
    raw = "## 誤りについて\n\n区役所において誤りが発覚しました。\n\nお詫び申し上げます。\n"
    assert normalize(raw).text.splitlines() == [
        "## 誤りについて",
        "",
        "区役所において誤りが発覚しました。",
        "",
        "お詫び申し上げます。",
    ]


def test_markdown_bullets_stay_on_their_own_lines() -> None:
    raw = "### 3 経緯\n\n- ・令和 4 年 8 月、窓口に来庁された。\n- ・令和5年7月5日（水）、連絡。\n"
    assert normalize(raw).text.splitlines() == [
        "### 3 経緯",
        "",
        "- ・令和 4 年 8 月、窓口に来庁された。",
        "- ・令和5年7月5日(水)、連絡。",
    ]


def test_timeline_rows_with_tabs_are_not_joined() -> None:
    raw = "令和5年9月26日（火）\t問い合わせ\n令和5年9月27日（水）\t状況を確認し、連絡\n"
    assert normalize(raw).text.splitlines() == [
        "令和5年9月26日(火)\t問い合わせ",
        "令和5年9月27日(水)\t状況を確認し、連絡",
    ]


def test_key_label_lines_are_not_joined() -> None:
    raw = "内 容：窓口で誤りがあり判明\n対 応：本人へ説明し謝罪を行った\n再発防止策：点検の実施"
    assert normalize(raw).text.splitlines() == [
        "内 容:窓口で誤りがあり判明",
        "対 応:本人へ説明し謝罪を行った",
        "再発防止策:点検の実施",
    ]


def test_a_symbol_heading_is_not_joined_to_an_item_that_opens_with_a_date() -> None:
    raw = "◆対応\n１．１月18日から交付を停止しました。\n２．修正を行いました。"
    assert normalize(raw).text.splitlines() == [
        "◆対応",
        "1.1月18日から交付を停止しました。",
        "2.修正を行いました。",
    ]


def test_kana_items_under_a_dotted_heading_stay_apart() -> None:
    raw = "３．対応状況\nア　関係する方への説明\n　電話でお詫びしました。\nイ　ポイントの返還"
    assert normalize(raw).text.splitlines() == [
        "3.対応状況",
        "ア 関係する方への説明",
        "電話でお詫びしました。",
        "イ ポイントの返還",
    ]


def test_a_line_starting_with_a_count_is_not_an_item() -> None:
    assert normalize("誤付与の事案が\n1 件発生した。").text == "誤付与の事案が1 件発生した。"


def test_a_line_wrapped_without_blank_lines_is_joined() -> None:
    assert normalize("要望により、サ\nポートを行った。").text == "要望により、サポートを行った。"


# ------------------------------------------------------------------ headings


@pytest.mark.parametrize(
    ("line", "next_line", "paragraph_break_after"),
    [
        ("## 1 内容", "本文。", False),
        ("1 事案の概要", "区役所において、", False),
        ("(3) 発生原因", "処理が漏れていた。", False),
        ("(2)経過", "来庁した。", False),
        ("2 【事案2】 住所データの処理漏れについて", None, False),
        ("【熊本市の状況(概要)】", "本文。", False),
        ("お問合せ先", None, True),
        ("(着眼点)", "・ 確認していたか。", False),
        ("3.対応状況", "ア 関係者への説明", False),
        ("IV.これまでの対応", "ア 訂正しました。", False),
    ],
)
def test_headings(line: str, next_line: str | None, paragraph_break_after: bool) -> None:
    assert is_heading(line, next_line, paragraph_break_after)


@pytest.mark.parametrize(
    ("line", "next_line", "paragraph_break_after"),
    [
        ("申込者の要望により、サ", "ポートを行った。", False),
        ("会社にシステム開発をさせた", "が、漏えいを防ぐ措置はなかった。", False),
        ("誤登録が判明した。", None, True),
        ("1 件の誤りがあった", "ことが判明した", False),
    ],
)
def test_not_headings(line: str, next_line: str | None, paragraph_break_after: bool) -> None:
    assert not is_heading(line, next_line, paragraph_break_after)


# -------------------------------------------------------------- original span


def test_original_span_of_a_joined_word_includes_the_removed_line_break() -> None:
    raw = double_spaced("窓口で申込の支援を行ったが、サ", "ポートを担当した職員が", "誤った。")
    normalized = normalize(raw)
    start = normalized.text.index("サポート")
    assert normalized.original_span(start, start + 4) == "サ\n\nポート"


def test_original_span_rejects_a_bad_range() -> None:
    with pytest.raises(ValueError):
        normalize("abc").original_span(2, 1)


# ------------------------------------------------------------------ sentences


def spans_text(text: str, start: int = 0, end: int | None = None) -> list[str]:
    return [span.text for span in sentence_spans(text, start, end)]


def test_sentences_end_at_the_ideographic_full_stop() -> None:
    assert spans_text("誤りが判明した。謝罪を行った。") == ["誤りが判明した。", "謝罪を行った。"]


def test_sentences_end_at_a_line_end() -> None:
    assert spans_text("3 経緯\n職員が案内した") == ["3 経緯", "職員が案内した"]


def test_a_bullet_is_part_of_its_sentence_and_whitespace_is_not() -> None:
    assert spans_text("  ・確認不足。 \n") == ["・確認不足。"]


def test_a_run_of_full_stops_ends_one_sentence() -> None:
    assert spans_text("了承いただいた。。また、弁償。") == ["了承いただいた。。", "また、弁償。"]


def test_a_full_stop_inside_brackets_does_not_end_a_sentence() -> None:
    text = "窓口(以下「窓口」という。)で、「申込を諦めた。」との発言があった。次の文。"
    assert spans_text(text) == [
        "窓口(以下「窓口」という。)で、「申込を諦めた。」との発言があった。",
        "次の文。",
    ]


def test_an_unclosed_bracket_does_not_swallow_the_line() -> None:
    assert spans_text("括弧(が閉じない。次の文。") == ["括弧(が閉じない。", "次の文。"]


def test_sentence_spans_of_a_range_have_offsets_into_the_whole_text() -> None:
    text = "前の文。対象の文。後の文。"
    assert sentence_spans(text, 4, 9) == [Span(4, 9, "対象の文。")]


def test_empty_pieces_are_skipped() -> None:
    assert sentence_spans("\n\n  \n。") == [Span(5, 6, "。")]


# ------------------------------------------------------------ property tests

RAW_PIECES = [
    "申込", "サ", "ポート", "。", "、", "・", "※", "①", "【経緯】", "# ", "(1) ", "1 ",
    "令和５年", "３月２日（木）", "２０２３", "Ｒ５．５．２６", "（", "）", "：", "㈱", "ｶﾞ",
    "e\u0301", "\u3099", "\ufeff", "A", "b", "7", " ", "  ", "\u3000", "\t", "\n", "\n\n",
    "\r\n", "\r", "\n \n", "\u2028", "~", "～", "〜", "-",
]  # fmt: skip

raw_texts = st.lists(
    st.one_of(st.sampled_from(RAW_PIECES), st.characters(exclude_categories=("Cs",))),
    max_size=60,
).map("".join)


@given(raw_texts)
@settings(max_examples=400)
def test_normalized_text_has_no_cr_and_no_trailing_blanks(raw: str) -> None:
    text = normalize(raw).text
    assert "\r" not in text
    for line in text.split("\n"):
        assert line == line.rstrip()


@given(raw_texts)
@settings(max_examples=400)
def test_offsets_are_a_non_decreasing_map_into_the_original(raw: str) -> None:
    normalized = normalize(raw)
    offsets = normalized.offsets
    assert len(offsets) == len(normalized.text) + 1
    assert offsets[-1] == len(raw)
    assert all(0 <= a <= b for a, b in itertools.pairwise(offsets))


@given(raw_texts)
@settings(max_examples=400)
def test_the_whole_text_maps_back_to_the_whole_original(raw: str) -> None:
    normalized = normalize(raw)
    if normalized.text:
        assert normalized.original_span(0, len(normalized.text)) == raw


@given(raw_texts, st.data())
@settings(max_examples=300)
def test_spans_of_consecutive_pieces_add_up_to_the_original(raw: str, data: st.DataObject) -> None:
    normalized = normalize(raw)
    n = len(normalized.text)
    if n == 0:
        return
    # Cut only between raw characters, never inside the expansion of one.
    cuts = [k for k in range(1, n) if normalized.offsets[k] != normalized.offsets[k - 1]]
    chosen = sorted(data.draw(st.sets(st.sampled_from(cuts))) if cuts else set())
    bounds = [0, *chosen, n]
    pieces = [normalized.original_span(a, b) for a, b in itertools.pairwise(bounds)]
    assert "".join(pieces) == raw


@given(raw_texts)
@settings(max_examples=300)
def test_each_character_comes_from_the_raw_character_it_points_at(raw: str) -> None:
    normalized = normalize(raw)
    for i, ch in enumerate(normalized.text):
        source = normalized.original_span(i, i + 1)
        assert ch in source or ch in unicodedata.normalize("NFKC", source) or ch in " \n"


@given(raw_texts)
@settings(max_examples=300)
def test_no_more_than_one_blank_line_in_a_row(raw: str) -> None:
    text = normalize(raw).text
    assert "\n\n\n" not in text
    assert not text.startswith("\n")
    assert not text.endswith("\n")


@given(st.text(alphabet=st.sampled_from(list("。、「」()・ \t\nあ一A1")), max_size=80), st.data())
def test_sentence_spans_point_at_their_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    spans = sentence_spans(text, start, end)
    for span in spans:
        assert span.text == text[span.start : span.end]
        assert start <= span.start < span.end <= end
        assert span.text == span.text.strip()
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


# ---------------------------------------------------------------- speed


def test_normalising_grows_linearly_with_the_text() -> None:
    """Four times the text costs at most six times the CPU (best of three each): a quadratic
    step would cost sixteen.  CPU time of this process, a ratio within one run — not a wall
    clock bound, which a loaded machine breaks (a 0.8 s bound failed at 0.804 s under load)."""
    block = double_spaced(
        " 令和６年（２０２４年）２月１３日（火） ",
        "・来庁者から、手元のカードで申請する手順について相",
        "談があった。",
        "内 容：窓口で誤りがあり判明\t対 応：謝罪\r",
        " ",
    )
    small = block * (250_000 // len(block.encode()) + 1)

    def cost(raw: str) -> float:
        best = float("inf")
        for _ in range(3):
            began = time.process_time()
            normalize(raw)
            best = min(best, time.process_time() - began)
        return best

    assert cost(small * 4) <= 6 * cost(small)


# --------------------------------------------------------------- the seeds


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def seed(prefix: str) -> NormalizedText:
    files = [path for path in seed_files() if path.name.startswith(prefix)]
    if not files:
        pytest.skip(f"seed {prefix} not available")
    return normalize(files[0].read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", seed_files(), ids=lambda path: path.name[:3])
def test_seed_invariants(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    normalized = normalize(raw)
    text = normalized.text
    assert normalized.original_span(0, len(text)) == raw
    # Table rows stay rows: every raw line with a TAB is still a line with a TAB.
    assert text.count("\t") == sum(line.rstrip().count("\t") for line in raw.splitlines())
    # Bullets, headings and enumerated lines still start a line.
    starts = "\n" + text
    for line in raw.splitlines():
        cleaned = normalize(line).text
        if cleaned and (cleaned[0] in "・①②③④#【" or re.match(r"\(?\d\)? ", cleaned)):
            assert "\n" + cleaned[:6] in starts, line
    # No line starts inside a word that the PDF broke.
    for line in text.splitlines():
        assert not re.match(r"[ーッっャュョゃゅょァィゥェォ]", line), line
    # Normalising again changes nothing.
    assert normalize(text).text == text


def test_seed_000_broken_word_is_joined() -> None:
    normalized = seed("000")
    assert "サポートを担当" in normalized.text
    assert "\n1 事案の概要\n" in normalized.text


def test_seed_004_broken_words_are_joined() -> None:
    normalized = seed("004")
    assert "誤交付" in normalized.text
    assert "公金受取口座の誤登録" in normalized.text


def test_seed_003_timeline_rows_keep_their_tabs() -> None:
    normalized = seed("003")
    row = re.compile(r"令和\d+年\d+月\d+日\(.\)")
    rows = [line for line in normalized.text.splitlines() if row.match(line)]
    assert len(rows) >= 9
    assert all("\t" in row for row in rows)


def test_a_table_written_one_cell_a_line_keeps_its_cells_apart() -> None:
    raw = "No.\n判明日\n件名\n原因\n対応\n1\nR5.4.11\n口座の登録誤り\n入力の誤り。\n再確認する。\n"
    assert normalize(raw).text.split("\n")[:8] == [
        "No.",
        "判明日",
        "件名",
        "原因",
        "対応",
        "1",
        "R5.4.11",
        "口座の登録誤り",
    ]


def test_an_addressee_line_is_not_joined_to_the_next() -> None:
    raw = "みどり市議会議長 様\nみどり市長 様\n\n報告の本文です。\n"
    assert normalize(raw).text.startswith("みどり市議会議長 様\nみどり市長 様\n")


def test_a_senders_name_and_the_signers_title_stay_on_their_own_lines() -> None:
    raw = "株式会社ミナモ電算\n公共事業部長 K\n\nシステムの不具合について\n"
    assert normalize(raw).text.startswith("株式会社ミナモ電算\n公共事業部長 K\n")


def test_a_contact_label_keeps_its_value_on_the_next_line() -> None:
    raw = "本件に関するお問合せ先\n株式会社ミナモ電算 サポート窓口\n"
    assert normalize(raw).text == "本件に関するお問合せ先\n株式会社ミナモ電算 サポート窓口"


def test_a_line_spaced_out_one_character_at_a_time_loses_its_spaces_and_stays_apart() -> None:
    normalized = normalize("事 務 連 絡\nみ ど り 市 市 民 局\n本文です。\n")
    assert normalized.text == "事務連絡\n\nみどり市市民局\n\n本文です。"
    assert normalized.original_span(0, 4) == "事 務 連 絡"
