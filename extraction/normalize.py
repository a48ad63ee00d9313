"""Raw report text → normalised text, with an exact map back to the raw text.

Reports arrive as text pulled out of PDFs or web pages.  :func:`normalize`
turns that into one canonical form that every later stage reads, and keeps, for
every character of the result, the index of the raw character it came from, so
that an evidence span can always be shown as written.

What :func:`normalize` does, in order:

1. Characters.  Byte-order marks (U+FEFF, anywhere) are dropped; CRLF, CR and
   the other Unicode line breaks (VT, FF, NEL, U+2028, U+2029) become LF.  Every
   other character goes through Unicode NFKC *one grapheme run at a time* (a
   character and the combining marks / half-width voicing marks that follow
   it), so full-width digits, letters, spaces and brackets become ASCII and
   half-width katakana become full-width, while the map stays exact: each
   output character points at the start of the run it came from (㈱ → ``(株)``
   gives three characters that all point at ㈱).  Circled numbers (① … ㊿) are
   kept as they are: NFKC would make ① a plain ``1``, and they mark items.
2. Lines.  Leading spaces are dropped (leading TABs are kept: they are empty
   table cells), trailing whitespace is stripped, and runs of spaces become one
   space.  TABs are kept: they separate table cells.
3. Blank lines.  PDF text is often *double-spaced*: every text line is followed
   by one blank line and a real paragraph break shows as two or more blank
   lines or as a line holding only spaces.  When a text looks like that (see
   :func:`_is_double_spaced`), single empty lines are plain line breaks.
   Otherwise any blank line is a paragraph break.  A paragraph break is written
   as exactly one blank line; blank lines at the start and end are dropped and
   the text does not end with a newline.
4. Broken sentences.  A line break inside a paragraph is deleted (joining the
   two lines; a space is put in only between two ASCII letters/digits) when the
   line before does not end a sentence (``。.!?」』】:``), is not a heading or a
   line holding only a date, and the next line is not a heading and does not
   start an item (a bullet, an enumerator, ``【``, ``#``, a dated timeline row,
   ``同年``, a ``key:`` label), and neither line holds a TAB (a table row).

Characters that are dropped (a BOM, spaces, newlines) belong, in
:meth:`NormalizedText.original_span`, to the normalised character before them;
dropped characters at the very start belong to the first one.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

log = logging.getLogger(__name__)

# ------------------------------------------------------------ character tables

#: Characters that NFKC leaves alone and that never combine with a following
#: mark: ASCII, TAB, LF, CJK punctuation, kana and ideographs.  Runs of them are
#: copied as they are, which keeps :func:`normalize` fast.  (A test checks the
#: claim for every character of the class.)
_SAFE_CLASS = (
    r"\t\n\x20-\x7e\u3001-\u3003\u3005-\u301f\u3041-\u3096"
    r"\u30a1-\u30fa\u30fc\u30fb\u4e00-\u9fff"
)
_UNSAFE_RUN = re.compile(f"[^{_SAFE_CLASS}]+")

#: Characters that become LF.  CR is handled on its own (CRLF is one break).
_LINE_BREAKS = frozenset("\r\x0b\x0c\x85\u2028\u2029")

#: Characters that are dropped: the byte-order mark / zero-width no-break space.
_DROPPED = frozenset("\ufeff")

#: Circled numbers kept out of NFKC (① would become "1"): ①-⑳, ㉑-㉟, ㊱-㊿, ⓪.
_KEEP = frozenset(
    [chr(c) for c in range(0x2460, 0x2474)]
    + [chr(c) for c in range(0x3251, 0x3260)]
    + [chr(c) for c in range(0x32B1, 0x32C0)]
    + ["\u24ea"]
)

#: Half-width voicing marks, which NFKC turns into combining marks.
_HALFWIDTH_MARKS = frozenset("\uff9e\uff9f")

# ----------------------------------------------------------------- line tables

#: A line holding something other than whitespace (with its leading blanks).
_CONTENT_LINE = re.compile(r"^[^\S\n]*\S[^\n]*", re.MULTILINE)

_SPACE_RUN = re.compile(r" {2,}")

#: Characters that end a sentence (or a label) at the end of a line.
_LINE_ENDERS = frozenset("。.!?」』】:")

#: How a title line ends (…について, …のお知らせ, …のご報告).
_TITLE_ENDING = re.compile(r"(について|に関して|のお知らせ|(ご|の)報告|お詫び)[)）]?$")

#: Headings recognised from the line alone.
_STRONG_HEADING = re.compile(
    r"""^(?:
        \#{1,6}(?:\s|$)                      # Markdown heading
      | 【[^】]*】$                          # a line wholly in 【】
      | [【\[［〔](?:\d{1,2}|[一二三四五六七八九十]{1,3})[】\]］〕]\ ?[^、。]{1,38}$  # 【1】発生事象
      | [◆◇■□●▼▽▲△☆★]\ ?[^、。\s]{1,20}$    # ◆対応 / ■ 原因
      | 第\d{1,2}[章節]                      # 第2章
      | 第[\d一二三四五六七八九十]{1,3}\ (?=\S)[^、。]{1,38}$   # 第1 事案の概要
      | [一二三四五六七八九十]{1,3}[\ 、.．](?=\S)[^、。]{1,38}$  # 一 コンビニ交付での誤交付
      | [IVX]{1,4}[.．、\ ]\ ?(?=[^\x00-\x7f])[^、。]{1,38}$    # Ⅳ. 原因 (NFKC: IV.)
      | (?:\(\d{1,2}\)\ ?|\d{1,2}\ |\d{1,2}\.(?!\d)\ ?)  # 1 事案の概要 / (3) 発生原因 / 3.対応状況
        (?![件人名回個日月年円万%])(?=\S)[^、。]{1,38}$
    )""",
    re.VERBOSE,
)

#: The start of a line that opens a new item: bullets, enumerators, 【, #,
#: a dated timeline row, 同年/同月/同日, a short "key:" label.
_ITEM_START = re.compile(
    r"""^(?:
        [・•\-*※〇○●◎■□◆◇▼▽▲△▶►→⇒➢✓✔]
      | [\u2460-\u2473\u24ea\u2776-\u277f\u3251-\u325f\u32b1-\u32bf]
      | \(\ ?(?:\d{1,2}|[a-zA-Zア-ン※])\ ?\)
      | \d{1,2}(?:[ 、)]|\.(?!\d)|\.(?=\d{1,2}\ ?月))\ ?(?=\S)(?![件人名回個日月年円万%])
      | [a-zA-Z][.)]\ (?=\S)
      | [アイウエオカキクケコサシスセソタチツテト]\ (?=\S)     # ア 関係者への説明 (kana enumerator)
      | 【 | \#
      | 同[年月日]
      | (?:(?:令和|平成|昭和)\ ?(?:\d{1,2}|元)\ ?年(?:\ ?\(\d{4}年\))?\ ?
          | (?:19|20)\d\d\ ?年\ ?)?
        \d{1,2}\ ?月\ ?\d{1,2}\ ?日
      | [RHS]?\d{1,4}[./]\d{1,2}[./]\d{1,2}(?!\d)
      | [^、。:\d\s][^、。:\d]{0,11}:
    )""",
    re.VERBOSE,
)

#: A short line wholly in brackets, such as (着眼点): a label when a break or
#: an item follows it.
_BRACKET_LABEL = re.compile(
    r"^(?:\([^()、。]{1,20}\)|〈[^〈〉、。]{1,20}〉|\[[^\[\]、。]{1,20}\])$"
)

#: A line made only of dates: 令和5年(2023年)1月31日(火), 同年3月2日(木)~3月8日(水).
_DATE_LINE = re.compile(
    r"^(?:令和|平成|昭和|同|元|から|まで|時点|現在|曜日?"
    r"|[0-9年月日度()~〜\-/. ・火水木金土祝末頃])+$"
)

#: Longest line that can be a heading only because of what follows it.
_SHORT_HEADING_MAX = 30

_ASCII_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True)
class NormalizedText:
    """Normalised text, the raw text it came from, and the map between them.

    ``offsets`` has ``len(text) + 1`` entries: ``offsets[i]`` is the index in
    ``original`` of the raw character that normalised character ``i`` came
    from, and the last entry is ``len(original)``.  It never decreases.
    """

    text: str
    original: str
    offsets: tuple[int, ...]

    def original_start(self, index: int) -> int:
        """Index in ``original`` where normalised position ``index`` begins."""
        return 0 if index == 0 else self.offsets[index]

    def original_end(self, index: int) -> int:
        """Index in ``original`` where the normalised text before ``index`` ends.

        When ``index`` falls inside the expansion of one raw character (㈱ →
        ``(株)``), the whole raw character counts as before it.
        """
        if index == 0:
            return 0
        offsets = self.offsets
        last = len(offsets) - 1
        j = index
        while j < last and offsets[j] == offsets[index - 1]:
            j += 1
        return offsets[j]

    def original_span(self, start: int, end: int) -> str:
        """The raw text that normalised ``text[start:end]`` came from.

        Dropped raw characters (spaces, newlines, a BOM) are part of the span of
        the normalised character before them, so the spans of consecutive
        pieces of ``text`` add up to the whole of ``original``.
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"bad span [{start}, {end}) for text of length {len(self.text)}")
        if start == end:
            return ""
        return self.original[self.original_start(start) : self.original_end(end)]


def normalize(raw: str) -> NormalizedText:
    """Normalise a raw report text (see the module documentation for the rules)."""
    chars, char_offsets = _normalize_chars(raw)
    lines = _content_lines(chars)
    double = _is_double_spaced(lines)
    log.debug("normalize: %d text lines, double-spaced=%s", len(lines), double)
    text, idx = _assemble(chars, lines, double, _wrap_width(lines), _cell_lines(lines, double))
    offsets = [char_offsets[j] for j in idx]
    offsets.append(len(raw))
    return NormalizedText(text=text, original=raw, offsets=tuple(offsets))


# ---------------------------------------------------------------- characters


def _is_extender(ch: str) -> bool:
    """True for a character that belongs to the grapheme run before it."""
    return ch in _HALFWIDTH_MARKS or unicodedata.combining(ch) != 0


def _nfkc(ch: str) -> str:
    """NFKC of one character, except the circled numbers kept as they are."""
    return ch if ch in _KEEP else unicodedata.normalize("NFKC", ch)


def _normalize_chars(raw: str) -> tuple[str, list[int]]:
    """Line breaks, BOM and NFKC per grapheme run; the index in ``raw`` of each output char."""
    parts: list[str] = []
    offsets: list[int] = []
    simple: dict[str, str] = {}  # char → its one-character NFKC, or "" when it needs more care
    pos = 0
    for m in _UNSAFE_RUN.finditer(raw):
        a, b = m.span()
        if a > pos:
            parts.append(raw[pos:a])
            offsets.extend(range(pos, a))
        mapped = []
        for c in m.group():
            out = simple.get(c)
            if out is None:
                out = simple[c] = _simple_nfkc(c)
            if not out:
                break
            mapped.append(out)
        else:
            # Every character maps to exactly one: the map is the identity.
            parts.append("".join(mapped))
            offsets.extend(range(a, b))
            pos = b
            continue
        if _is_extender(raw[a]) and a > pos:
            # The base of the first mark was copied with the safe run: take it back.
            parts[-1] = parts[-1][:-1]
            offsets.pop()
            a -= 1
        pos = _normalize_slow(raw, a, b, parts, offsets)
    if pos < len(raw):
        parts.append(raw[pos:])
        offsets.extend(range(pos, len(raw)))
    offsets.append(len(raw))
    return "".join(parts), offsets


def _simple_nfkc(ch: str) -> str:
    """NFKC of ``ch`` when it is one character and ``ch`` needs no other care, else ""."""
    if ch in _LINE_BREAKS or ch in _DROPPED or _is_extender(ch):
        return ""
    out = _nfkc(ch)
    return out if len(out) == 1 else ""


def _normalize_slow(raw: str, start: int, stop: int, parts: list[str], offsets: list[int]) -> int:
    """Normalise ``raw[start:stop]`` one grapheme run at a time; return where it stopped.

    That is ``stop``, or one more when the run ends with the CR of a CRLF (the
    LF, a safe character, is not part of the run but belongs to the break).
    """
    pos = start
    while pos < stop:
        ch = raw[pos]
        end = pos + 1
        if ch in _LINE_BREAKS:
            if ch == "\r" and end < len(raw) and raw[end] == "\n":
                end += 1
            _emit("\n", pos, parts, offsets)
        elif ch in _DROPPED:
            pass
        else:
            while end < stop and _is_extender(raw[end]):
                end += 1
            run = raw[pos:end]
            _emit(run if ch in _KEEP else unicodedata.normalize("NFKC", run), pos, parts, offsets)
        pos = end
    return pos


def _emit(out: str, origin: int, parts: list[str], offsets: list[int]) -> None:
    """Append ``out``, every character of it mapped to ``origin``."""
    parts.append(out)
    offsets.extend([origin] * len(out))


# --------------------------------------------------------------------- lines


#: A row of a Markdown table: | 日時 | 事象 |.
_MARKDOWN_ROW = re.compile(r"^\s*\|.*\|\s*$")


class _TextLine(NamedTuple):
    """A non-blank line of the character-normalised text, cleaned."""

    text: str
    idx: Sequence[int]  # index in the character-normalised text of each character
    end: int  # index of the LF that ends the line (or the length of the text)
    has_tab: bool  # a TAB anywhere in the raw line, or a Markdown table row: a table row
    blanks_before: int  # blank lines between the previous text line and this one
    spaces_before: bool  # one of those blank lines held spaces or TABs
    indented: bool  # the raw line starts with a space (a full-width indent opens a paragraph)
    spaced: bool = False  # written one character at a time (事 務 連 絡): a line of its own


def _content_lines(chars: str) -> list[_TextLine]:
    """The non-blank lines, cleaned, with what separates each from the one before."""
    lines: list[_TextLine] = []
    previous_end = -1
    for m in _CONTENT_LINE.finditer(chars):
        raw_line = m.group()
        start = m.start()
        if previous_end < 0:
            blanks, spaces = 0, False
        else:
            gap = chars[previous_end:start]  # LF, then the blank lines each with its LF
            newlines = gap.count("\n")
            blanks, spaces = newlines - 1, len(gap) > newlines
        text, idx = _unspace(*_clean_line(raw_line, start))
        indented = raw_line[:1] in (" ", "\u3000")
        row = "\t" in raw_line or bool(_MARKDOWN_ROW.match(raw_line))
        spaced = bool(_LETTER_SPACED.match(raw_line.strip()))
        lines.append(_TextLine(text, idx, m.end(), row, blanks, spaces, indented, spaced))
        previous_end = m.end()
    return lines


#: A line drawn across the page: ━━━━ / ──── / ＝＝＝＝ / ----.
_RULE_LINE = re.compile(r"^[━─―‐－\-=＝_＿~〜*＊・]{3,}$")
#: A line spaced out one character at a time (事 務 連 絡 / 宮 浜 市 市 民 局).
_LETTER_SPACED = re.compile(r"^[^\x00-\x7f](?: [^\x00-\x7f]){2,}$")


#: Four or more characters spaced out one at a time inside a line (a scan's マ イ ナ ポ イ ン ト).
_SPACED_RUN = re.compile(r"[^\x00-\x7f　](?: [^\x00-\x7f　]){3,}")


def _unspace(text: str, idx: Sequence[int]) -> tuple[str, Sequence[int]]:
    """Drop the spaces inside runs of characters spaced out one at a time."""
    if " " not in text or not _SPACED_RUN.search(text):
        return text, idx
    keep = [True] * len(text)
    for m in _SPACED_RUN.finditer(text):
        for k in range(m.start() + 1, m.end(), 2):
            keep[k] = False
    return (
        "".join(ch for ch, k in zip(text, keep, strict=True) if k),
        [i for i, k in zip(idx, keep, strict=True) if k],
    )


def _clean_line(line: str, base: int) -> tuple[str, Sequence[int]]:
    """Drop leading spaces and trailing whitespace, collapse runs of spaces; a line spaced
    out one character at a time loses its spaces."""
    stripped = line.lstrip(" ")
    start = base + len(line) - len(stripped)
    core = stripped.rstrip()
    if _LETTER_SPACED.match(core):
        return core[::2], range(start, start + len(core), 2)
    if "  " not in core:
        return core, range(start, start + len(core))
    parts: list[str] = []
    idx: list[int] = []
    pos = 0
    for m in _SPACE_RUN.finditer(core):
        keep_to = m.start() + 1  # keep the first space of the run
        parts.append(core[pos:keep_to])
        idx.extend(range(start + pos, start + keep_to))
        pos = m.end()
    parts.append(core[pos:])
    idx.extend(range(start + pos, start + len(core)))
    return "".join(parts), idx


def _ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence (。 . ! ? 」…), Markdown emphasis (…。**) aside."""
    text = text.rstrip("*_")
    return bool(text) and text[-1] in _LINE_ENDERS


#: The share of lines before a single blank that must stop mid-sentence in PDF output with a
#: blank line after every line (measured: 0.48–0.73 there; web pages with a headline, a
#: subtitle or a page-furniture line between paragraphs: 0.05–0.25).
_OPEN_SHARE = 0.3
#: A line that goes on with the sentence of the line before: it opens with a kana ending or a
#: particle (ずに続きます, したところ) or with punctuation that closes a clause.
_CONTINUES = re.compile(r"^[ぁ-ゖ、。)）」』]")
#: A line that labels the page's date (公開日:…): a headline above it is no broken sentence.
_DATE_LABEL = re.compile(
    r"^[\[(【]?(公開|掲載|配信|更新|最終更新|発表|投稿|作成)(日|日時)?\s?[:：]"
)
#: A line that ends with a date (公開日:2024年1月10日): what follows may open with a kana name.
_ENDS_WITH_DATE = re.compile(r"[0-9０-９][年月日]$|[0-9]$")


#: A news headline separates its phrases with spaces, and has no 、 cut at a line's end
#: (児童の成績入り 教諭がUSBなくす 市立小), unlike an item's marker (〇 管理体制、…).
_SPACED_HEADLINE = re.compile(r"^[^\s、。〇○・●■◆\d(]\S+ \S+[^、,]$")
#: A picture's caption on a web page: (写真)… / [画像]….
_CAPTION = re.compile(r"^[(\[](写真|画像|図|表|動画|資料)[)\]]")


def _is_double_spaced(lines: Sequence[_TextLine]) -> bool:
    """True when the text is PDF output with a blank line after every text line.

    Signs: of the breaks between text lines, most (≥ 60 %) are exactly one
    empty line, hardly any (≤ 10 %) are none at all, and a line before a single
    empty line is cut in mid-clause (it ends with 、, or the next opens with kana),
    or many lines (≥ 30 % of those before a single empty line) stop in mid-sentence
    (web text with blank lines between paragraphs ends its paragraphs with 。 or is a
    heading; its first line may be a headline, which ends with no 。 over a longer lead).
    """
    pairs = direct = single = open_lines = broken = 0
    for n, (before, line) in enumerate(itertools.pairwise(lines)):
        pairs += 1
        if line.blanks_before == 0:
            direct += 1
        elif line.blanks_before == 1 and not line.spaces_before:
            single += 1
            text = before.text
            if len(text) < 10 or _ends_sentence(text) or _is_heading_text(text):
                continue
            # the first line may be a news headline (no 。) over a paragraph far longer than
            # itself, and a line indented after the blank opens a paragraph: neither is a sign
            if (n == 0 and (len(line.text) > 2 * len(text) or _SPACED_HEADLINE.match(text))) or (
                line.indented
            ):
                continue
            if _CAPTION.match(text):
                continue  # a photo's caption under a headline: (写真)市役所の庁舎
            if _is_date_line(line.text) or _DATE_LABEL.match(line.text):
                continue  # a headline over the page's date (公開日:2024年1月10日)
            if text[-1] in "、，," or (
                _CONTINUES.match(line.text) and not _ENDS_WITH_DATE.search(text)
            ):
                broken += 1  # …際に、 / …途切れ + ずに続きます: a clause cut by the break
            open_lines += 1
    return (
        pairs >= 2
        and single >= 0.6 * pairs
        and direct <= 0.1 * pairs
        and (broken > 0 or open_lines >= max(1.0, _OPEN_SHARE * single))
    )


def _is_paragraph_break(line: _TextLine, double: bool) -> bool:
    """Whether the blank lines before ``line`` make a paragraph break."""
    if line.blanks_before == 0:
        return False
    return not double or line.blanks_before >= 2 or line.spaces_before


# ------------------------------------------------------------------- headings


def _is_heading_text(text: str) -> bool:
    """A heading recognisable from the line alone (Markdown, numbered, 【…】)."""
    return bool(_STRONG_HEADING.match(text))


def _starts_item(text: str) -> bool:
    """True when the line opens a new item (bullet, enumerator, date row, label …)."""
    return bool(_ITEM_START.match(text))


def _is_bracket_label(text: str) -> bool:
    """A short line wholly in brackets, such as ``(着眼点)`` or ``〈概要〉``."""
    return bool(_BRACKET_LABEL.match(text))


def _is_date_line(text: str) -> bool:
    """A line that holds only a date or a date range (a timeline row label)."""
    return bool(_DATE_LINE.match(text)) and any(c.isdigit() for c in text)


def is_heading(line: str, next_line: str | None, paragraph_break_after: bool) -> bool:
    """Whether a normalised line is a heading, given what follows it.

    A heading is a Markdown ``#`` line, a numbered title (``1 事案の概要``,
    ``(3) 発生原因``, ``2 【事案2】 …``), a line wholly in 【】, or a short line
    (≤ 30 characters, no 、 or 。, not ending a sentence) followed by a
    paragraph break, the end of the text, or a line that starts an item.

    :func:`normalize` never joins a line onto a heading.  It keeps a heading
    apart from an unfinished line before it only when the heading shows on its
    own (the first three kinds, or a short line wholly in brackets such as
    ``(着眼点)``): a short line after an unfinished one is more often its end
    (``…さいたま`` / ``市)``).
    """
    if _is_heading_text(line):
        return True
    if len(line) > _SHORT_HEADING_MAX or "、" in line or "。" in line or _ends_sentence(line):
        return False
    return paragraph_break_after or next_line is None or _starts_item(next_line)


# -------------------------------------------------------------------- joining


def _closes_line(text: str) -> bool:
    """Nothing is joined onto a line that is a heading or holds only a date."""
    return _is_heading_text(text) or _is_date_line(text)


def _is_standalone_heading(lines: Sequence[_TextLine], n: int, double: bool) -> bool:
    """Whether text line ``n`` is a heading that shows on its own (see :func:`is_heading`)."""
    text = lines[n].text
    if _is_heading_text(text):
        return True
    if not _is_bracket_label(text):
        return False
    if n + 1 >= len(lines) or _is_paragraph_break(lines[n + 1], double):
        return True
    return _starts_item(lines[n + 1].text)


#: A line this short, with no sentence end, may be one cell of a table written a cell a line.
_CELL_WIDTH = 12
#: An addressee's line ends with an honorific (○○市長 様 / ○○御中): nothing goes on after it.
_ADDRESSEE_END = re.compile(r"(様|御中|殿)$")


#: A line that announces what the lines below hold.
_LABEL_END = re.compile(r"(問い?合わ?せ先|問合せ先|連絡先|お問い合わせ|担当窓口)[:：]?$")


#: A web address alone on its line (a link list, a source line under a news article).
_URL_LINE = re.compile(r"^(?:<)?https?://\S+$")
#: A news byline: the paper and the time it was sent (毎日新聞 12月28日(金)11時15分配信).
_BYLINE = re.compile(
    r"(\d{1,2}月\d{1,2}日|\d{1,2}:\d{2}|\d{1,2}時\d{1,2}分)[^。、]{0,6}(配信|更新|掲載|公開)$"
)
#: A headline opens with a marker of a news item or a category (◎ / <窃盗> / 【市政】).
_HEADLINE_START = re.compile(r"^(?:[◎◇◆■□●○▼▽★☆]|<[^<>]{1,8}>|【[^【】]{1,8}】)")


def _is_headline(lines: Sequence[_TextLine], n: int, wrap: int | None) -> bool:
    """Whether the first line of a web page or news article is its headline, over a lead
    told without a blank line between them: not hard-wrapped text, no clause cut at its end,
    and the line after it far longer (a paragraph) or the headline opening with a news
    marker (◎ / <窃盗> / 【市政】)."""
    if n != 1 or wrap is not None:
        return False
    headline, lead = lines[0].text, lines[1].text
    if headline[-1] in "、，," or _CONTINUES.match(lead) or len(headline) > 60:
        return False
    return len(lead) > 2 * len(headline) or bool(_HEADLINE_START.match(headline))


#: A signer's line: 公共ソリューション事業部長 Ｊ / 市民課長 山田.
_SIGNATURE = re.compile(
    r"(部長|課長|室長|所長|局長|理事長|社長|取締役|委員|市長|町長|村長|区長)\s?[^\s、。]{0,8}$"
)
_COMPANY_WORD = re.compile(r"(株式会社|有限会社|合同会社|機構|組合|協会)")


def _is_sender_line(text: str) -> bool:
    """Whether a line is a body's name alone (株式会社シノノメ電算), as in a letterhead."""
    return len(text) <= 30 and not re.search("[、。]", text) and bool(_COMPANY_WORD.search(text))


def _cell_lines(lines: Sequence[_TextLine], double: bool) -> frozenset[int]:
    """Lines of a table flattened one cell a line (PDF text of a table): runs of at least
    five lines with no paragraph break where most lines are short and end no sentence.
    Prose never runs like that, so these lines are kept apart."""
    out: set[int] = set()
    start = 0
    for n in range(1, len(lines) + 1):
        if n < len(lines) and not _is_paragraph_break(lines[n], double):
            continue
        run = range(start, n)
        short = sum(
            1
            for k in run
            if len(lines[k].text) <= _CELL_WIDTH and not _ends_sentence(lines[k].text)
        )
        if len(run) >= 5 and short >= 0.6 * len(run):
            out.update(run)
        start = n
    return frozenset(out)


def _hangs_under_item(lines: Sequence[_TextLine], n: int) -> bool:
    """Whether indented line ``n`` continues a numbered item above it (a hanging indent:
    ``(1) 当該職員は、…先輩職員`` then ``  に尋ねるために…``), not a new paragraph."""
    k = n - 1
    while k >= 0 and lines[k].indented and not _starts_item(lines[k].text):
        if lines[k].text[-1] in _LINE_ENDERS or lines[k].blanks_before:
            return False
        k -= 1
    return (
        k >= 0
        and _starts_item(lines[k].text)
        and "、" in lines[k].text  # the item is prose, not a label (（１）発生日時)
        and len(lines[n - 1].text) >= 20  # the line before was full, wrapped at the width
        and len(lines[n].text) <= 1.2 * len(lines[n - 1].text) + 2  # this line fits
        and lines[n - 1].text[-1] not in ")）"
        and not lines[k + 1].blanks_before
    )


def _should_join(
    lines: Sequence[_TextLine],
    n: int,
    closed: bool,
    tab: bool,
    double: bool,
    wrap: int | None = None,
    cells: frozenset[int] = frozenset(),
) -> bool:
    """Whether the line break before text line ``n`` falls inside a sentence.

    ``closed`` and ``tab`` describe the output line built so far: whether it
    is a heading / date line, and whether it holds a TAB; ``cells`` are the
    lines of tables written one cell a line (:func:`_cell_lines`).
    """
    line = lines[n]
    if closed or tab or line.has_tab or _ends_sentence(lines[n - 1].text):
        return False
    if line.spaced or lines[n - 1].spaced:
        return False
    if _RULE_LINE.match(line.text) or _RULE_LINE.match(lines[n - 1].text):
        return False  # ━━━━ a rule between slides or pages
    if n in cells or _ADDRESSEE_END.search(lines[n - 1].text):
        return False
    previous = lines[n - 1].text
    if _URL_LINE.match(previous) or _URL_LINE.match(line.text):
        return False  # a web address stands on its own line
    if _BYLINE.search(previous) or _BYLINE.search(line.text) or _is_headline(lines, n, wrap):
        return False  # a news headline and byline stand apart from the lead
    if _LABEL_END.search(previous):
        return False  # お問合せ先 / 連絡先: a label, its value on the lines below
    if _is_sender_line(previous) or _SIGNATURE.search(line.text):
        return False  # a letterhead: the sender's name, then the signer's title and name
    if line.indented and not double and not _hangs_under_item(lines, n):
        return False  # an indented line opens a paragraph (web and word-processor text)
    if wrap is not None and len(previous) < 0.6 * wrap:
        return False  # in hard-wrapped text a short line ends its paragraph
    if _TITLE_ENDING.search(previous):
        return False  # …について / …のお知らせ: a title
    return not (_starts_item(line.text) or _is_standalone_heading(lines, n, double))


def _wrap_width(lines: Sequence[_TextLine]) -> int | None:
    """The width at which a PDF hard-wrapped its lines, when it did.

    Hard-wrapped text has many lines of nearly the same, longest length; text
    with one paragraph a line (web pages) has lengths all over the place.
    """
    lengths = sorted(len(line.text) for line in lines if not line.has_tab)
    if len(lengths) < 8:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    near = sum(1 for n in lengths if 0.85 * width <= n <= width * 1.1)
    return width if width >= 20 and near >= 0.3 * len(lengths) else None


def _assemble(
    chars: str,
    lines: Sequence[_TextLine],
    double: bool,
    wrap: int | None = None,
    cells: frozenset[int] = frozenset(),
) -> tuple[str, list[int]]:
    """Put the cleaned lines together: paragraph breaks, line breaks and joins."""
    parts: list[str] = []
    idx: list[int] = []
    closed = tab = False  # of the output line being built
    for n, line in enumerate(lines):
        if n > 0:
            newline = lines[n - 1].end
            if _is_paragraph_break(line, double):
                parts.append("\n\n")
                idx.extend((newline, chars.index("\n", newline + 1)))
                closed, tab = _closes_line(line.text), False
            elif _should_join(lines, n, closed, tab, double, wrap, cells):
                if lines[n - 1].text[-1] in _ASCII_ALNUM and line.text[0] in _ASCII_ALNUM:
                    parts.append(" ")
                    idx.append(newline)
            elif line.spaced or lines[n - 1].spaced:
                # a line spaced out (事 務 連 絡) stands apart as a paragraph of its own, so
                # that normalising again, with its spaces gone, still keeps it apart
                parts.append("\n\n")
                idx.extend((newline, newline))
                closed, tab = _closes_line(line.text), False
            else:
                parts.append("\n")
                idx.append(newline)
                closed, tab = _closes_line(line.text), False
        else:
            closed = _closes_line(line.text)
        tab = tab or line.has_tab
        parts.append(line.text)
        idx.extend(line.idx)
    return "".join(parts), idx
