"""Lines: normalised text → classified lines (heading, label, item, text, blank, table row).

Japanese administrative reports number their parts in a small set of styles that
nest in a conventional order: ``1`` / ``１．`` (level 1), ``(1)`` (level 2) and
``①`` (level 3).  Markdown ``#`` marks are dropped before the style is read.
A heading whose title is a section keyword (概要, 経緯, 原因, 再発防止策…, listed
in the lexicon) gives its sentences a role; short label lines — ``(着眼点)``,
``【熊本市の状況】``, ``原因：…`` — switch the role.  Tables flattened one cell a line, or
with TAB-separated cells, are read back into rows whose cells keep their column's role.
:mod:`.structure` builds parts and incidents from these lines.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

STYLE_LEVELS = {
    "dai": 0.0,
    "kanji": 0.5,
    "roman": 0.7,
    "num": 1.0,
    "paren": 2.0,
    "circled": 3.0,
    "ordinal": 3.5,
    "kana": 4.0,
    "symbol": 1.0,  # ◆ お知らせの見出し: unnumbered items of a newsletter or web page
}
#: ア イ ウ … as list markers (the iroha order of official documents is not used here).
KANA = "アイウエオカキクケコサシスセソタチツテト"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_KANJI_DIGITS = "一二三四五六七八九十"
#: After an enumerator, these say the number is a reference ((1)と(3)は…), not an item.
_REFERENCE = "とはのや及、,をもが"

_MD = re.compile(r"^#{1,6}\s*")
_DAI = re.compile(
    rf"^第\s?(\d{{1,2}}|[{_KANJI_DIGITS}]{{1,3}})\s*(?:[.．、:：]\s*|\s+|(?=[^\d{_KANJI_DIGITS}章条節項回号]))(?=\S)(.*)$"
)
_KANJI_NUM = re.compile(rf"^([{_KANJI_DIGITS}]{{1,3}})(?:[.．、]\s*|\s+)(?=\S)(.*)$")
_NUM = re.compile(r"^(\d{1,2})(?:[.．、]\s*|\s+)(?=\S)(.*)$")
#: Ⅰ．事案の内容 (NFKC makes Ⅰ "I", Ⅳ "IV"): Roman numerals before Japanese text.
_ROMAN = re.compile(r"^([IVX]{1,4})(?:[.．、]\s*|\s+)(?=[^\x00-\x7f])(.*)$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_PAREN = re.compile(r"^[(（](\d{1,2})[)）]\s*(.+)$")
_CIRCLED = re.compile(rf"^([{CIRCLED}])\s*(.+)$")
#: A paragraph that counts itself: 一件目は… / 2つ目として…
_ORDINAL = re.compile(
    r"^([一二三四五六七八九]|\d)(?:件目|つ目|点目)(?:は|として|に)?[、,]?\s*(.+)$"
)
_KANA = re.compile(r"^([アイウエオカキクケコサシスセソタチツテト])(?:[.．、]\s*|\s+)(?=\S)(.+)$")
#: A line opening with a bracketed label: (着眼点) / 【事案1】… / ［対応］本文 / 〔原因〕本文.
_BRACKETED = re.compile(
    r"^[(（〈<\[［【〔]([^()（）〈〉<>\[\]［］【】〔〕]{1,40})[)）〉>\]］】〕]\s*(.*)$"
)
#: The number of a named case: 1 / 一 / A / ①.
_CASE_NUMBER = rf"(\d{{1,2}}|[{_KANJI_DIGITS}]{{1,3}}|[A-Z](?![A-Za-z])|[①-⑳])"
#: The name a part gives its case: 事例① / 事案2 / 指摘事項1.
CASE_NAME = re.compile(rf"(?:事案|事例|ケース|指摘事項|指摘)\s?{_CASE_NUMBER}")
#: A question of a Q&A page: Q1 何が起きたのですか。 / 問2 … / **Q3 …**.
_QUESTION = re.compile(r"^\**\s*(?:Q|問)\s?\d{0,2}[.:\s]\s*")
#: 事案1 マイナポイントの誤付与 / 事例２ …: a line that opens by naming its case.
_CASE_LINE = re.compile(
    r"^(?:[\[［【〔][^\]］】〕]{1,10}[\]］】〕]\s*)?"  # [スライド 3] before it
    rf"(?:事案|事例|ケース)\s?{_CASE_NUMBER}\s*[^。]{{2,40}}$"
)
#: 原 因 … / 対 応 …: a field name with spaces between its characters, then the value.
_SPACED_KEY = re.compile(r"^(\S(?: \S){1,4}|\S{2,6})\s+(?=\S)(.{4,})$")
#: How the name of a form's field about the facts ends (発生日時, 発生場所, 発覚の端緒…).
_FIELD_NAME = re.compile(r"(日|日時|時期|場所|経緯|端緒|判明|発覚|件数|人数|対象者)$")
#: A form's field name before its value: 原因 (1)… / 再発防止策 ・… / 対応状況 ・….
_FIELD_KEY = re.compile(r"^([^\s、。()（）]{2,10})\s+\S")
_BRACKET_NUMBER = re.compile(rf"\d{{1,2}}|[{_KANJI_DIGITS}]{{1,3}}")
_KEY = re.compile(r"^([^\s:：、。・]{1,3}(?:\s?[^\s:：、。・]){0,6})\s*[:：]\s*(.*)$")
#: 【事案2】 / 【事例1】 / 【2件目】 / 【ケース3】 / 【指摘事項1】: a part that names itself one
#: incident (an audit's numbered finding is one wrong found)
EXPLICIT_CASE = re.compile(
    rf"【?(?:(?:事案|事例|ケース|指摘事項|指摘)\s*{_CASE_NUMBER}"
    rf"|(\d{{1,2}}|[{_KANJI_DIGITS}]{{1,3}})\s*件目)】?"
)
_SYMBOL_HEADING = re.compile(r"^[◆◇■□●○▼▽▲△☆★]\s*([^。、]{1,20})$")
#: ◆ お詫び マイナンバーカード申請書を別のお宅にお届けしました: a titled item, no sentence
_SYMBOL_TITLE = re.compile(r"^[◆◇■□▼▽▲△☆★]\s*([^。]{2,45})$")
SYMBOLS = "◆◇■□●○▼▽▲△☆★"
_BULLET = re.compile(r"^[・•\-*※〇○●■□◆→]")
MAX_TITLE = 60


@dataclass(frozen=True)
class Line:
    """A line of the normalised text, classified."""

    start: int
    end: int
    text: str  # without Markdown marks
    kind: str  # heading | label | text | table | blank
    style: str | None = None  # num | paren | circled for headings
    number: int | None = None
    title: str = ""
    role: str | None = None  # section role its heading or label gives
    #: For a row of a TAB table read as a case: each cell's column name and role.
    columns: tuple[tuple[str, str | None], ...] = ()


def _kanji_number(text: str) -> int:
    digits = "一二三四五六七八九"
    if len(text) == 1 and text in CIRCLED:  # 事例① (str.isdigit is true of ① too)
        return CIRCLED.index(text) + 1
    if text.isascii() and text.isdigit():
        return int(text)
    if len(text) == 1 and "A" <= text <= "Z":  # 事案A / 事案B
        return ord(text) - ord("A") + 1
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (digits.index(tens) + 1 if tens else 1) * 10 + (
            digits.index(ones) + 1 if ones else 0
        )
    return digits.index(text) + 1


def _roman_number(text: str) -> int:
    """IV → 4, VI → 6 (subtractive pairs)."""
    values = [_ROMAN_VALUES[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def first_sentence(text: str) -> str:
    """The text up to the first 。 that is not inside brackets."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "(（「『":
            depth += 1
        elif ch in ")）」』":
            depth = max(0, depth - 1)
        elif ch == "。" and depth == 0:
            return text[: i + 1]
    return text


def section_role(title: str, section_roles: Mapping[str, Sequence[str]]) -> str | None:
    """The role a heading's title gives, from the lexicon's keyword lists (first list wins)."""
    compact = re.sub(r"\s+", "", title)
    compact = re.sub(r"^[\d.．、()（）【】]+", "", compact)
    if len(compact) > 24:
        return None
    for role, keywords in section_roles.items():
        if any(k in compact for k in keywords):
            return role
    return None


def classify_line(
    start: int, end: int, raw: str, section_roles: Mapping[str, Sequence[str]]
) -> Line:
    """Classify one line: numbered heading, label, table row, text or blank."""
    text = _MD.sub("", raw.strip())
    if not text:
        return Line(start, end, "", "blank")
    if "\t" in text or (text.startswith("|") and text.endswith("|")):
        return Line(start, end, text, "table")
    for style, pattern in (
        ("dai", _DAI),
        ("kanji", _KANJI_NUM),
        ("roman", _ROMAN),
        ("num", _NUM),
        ("paren", _PAREN),
        ("circled", _CIRCLED),
        ("kana", _KANA),
        ("ordinal", _ORDINAL),
    ):
        m = pattern.match(text)
        if not m:
            continue
        title = m.group(2).strip()
        if not title or title[0] in _REFERENCE:
            break
        if style == "circled":
            number = CIRCLED.index(m.group(1)) + 1
        elif style == "kana":
            number = KANA.index(m.group(1)) + 1
        elif style == "roman":
            number = _roman_number(m.group(1))
        else:
            number = _kanji_number(m.group(1))
        role = section_role(title, section_roles)
        key = _FIELD_KEY.match(title)
        if role is None and key:  # 10 原因 (1) 交付担当者が…: a form's field, then its value
            role = section_role(key.group(1), section_roles)
        return Line(start, end, text, "heading", style, number, title, role)
    if _QUESTION.match(text):  # Q2 原因は何ですか。: the answer below speaks in its role
        role = section_role(_QUESTION.sub("", text).strip("*"), section_roles)
        return Line(start, end, text, "label", title=text, role=role or "content")
    m = _CASE_LINE.match(text)
    if m:  # 事案1 マイナポイントの誤付与: a case named at the start of its line
        number = _kanji_number(m.group(1))
        return Line(start, end, text, "heading", "num", number, text, None)
    m = _SPACED_KEY.match(text)
    if m:  # 原 因 1台の端末で…: a form's field, its name spaced out, then its value
        field_name = m.group(1).replace(" ", "")
        role = section_role(field_name, section_roles)
        if role is None and (" " in m.group(1) or _FIELD_NAME.search(field_name)):
            role = "summary"  # 判 明 … / 発生場所 …: a field that tells the facts
        if role:
            return Line(start, end, text, "label", title=field_name, role=role)
    m = _BRACKETED.match(text)
    if m:
        inner, rest = m.group(1), m.group(2).strip()
        explicit = EXPLICIT_CASE.search(inner)
        if explicit:  # 【事案2】 opening a line is a heading of the first level
            number = _kanji_number(explicit.group(1) or explicit.group(2))
            role = section_role(rest, section_roles)
            return Line(start, end, text, "heading", "num", number, text, role)
        if _BRACKET_NUMBER.fullmatch(inner) and rest and "。" not in rest and len(rest) <= 40:
            # 【1】発生事象 / ［2］原因: a numbered heading in brackets
            role = section_role(rest, section_roles)
            number = _kanji_number(inner)
            return Line(start, end, text, "heading", "num", number, rest, role)
        role = section_role(inner, section_roles)
        if role or not rest:  # (着眼点) / ［再発防止］… / 【熊本市の状況】
            return Line(start, end, text, "label", title=inner, role=role)
    if len(text) <= 30 and not re.search("[。、]", text):
        # 中区長のコメント / お問い合わせ先: a closing part announced by its last word
        role = section_role(text, section_roles)
        if role in ("contact", "other") and any(
            text.endswith(k) for k in section_roles.get(role, ())
        ):
            return Line(start, end, text, "label", title=text, role=role)
    if raw.lstrip().startswith("#"):  # a Markdown heading without a number
        role = section_role(text, section_roles)
        if role:
            return Line(start, end, text, "label", title=text, role=role)
    m = _SYMBOL_HEADING.match(text)
    if m:
        role = section_role(m.group(1), section_roles)
        if role:  # ◆ 概要 / ■ 原因: a symbol-marked section heading
            return Line(start, end, text, "label", title=m.group(1), role=role)
    m = _SYMBOL_TITLE.match(text)
    if m:  # ◆ 休日窓口を開きます: one item of a newsletter, a heading without a number
        title = m.group(1).strip()
        return Line(start, end, text, "heading", "symbol", None, title, None)
    if not _BULLET.match(text):
        m = _KEY.match(text)
        if m:
            role = section_role(m.group(1), section_roles)
            if role:
                return Line(start, end, text, "label", title=m.group(1), role=role)
    return Line(start, end, text, "text")


#: The first column of a table that numbers its rows.
_NUMBER_COLUMN = re.compile(r"^(No\.?|NO\.?|番号|項番|整理番号|#|通番|連番)$")
#: Columns that name a row's subject (件名 / 事案名 / 誤りの内容).
_TITLE_COLUMN = re.compile(r"(件名|事案名|事故名|名称|標題|表題|タイトル|項目)")
#: Roles a column of a table can give its cells; a contact column (担当課) gives none.
_CELL_ROLES = frozenset({"summary", "cause", "countermeasure", "response", "timeline"})
_CELL_WIDTH = 12


def _title_column(header: Sequence[str]) -> int | None:
    """The column of a table that names each row's subject (件名), if it has one."""
    return next((c for c, h in enumerate(header) if _TITLE_COLUMN.search(h)), None)


def _is_cell(line: Line) -> bool:
    return (
        line.kind in ("text", "label")
        and 0 < len(line.text) <= _CELL_WIDTH
        and not (line.text.endswith("。"))
    )


def _cell_tables(lines: Sequence[Line], section_roles: Mapping[str, Sequence[str]]) -> list[Line]:
    """Read tables flattened one cell a line (No. / 判明日 / 件名 / 内容 / 原因 / 対応, then
    1 / R5.4.11 / … / 2 / …): the first cell of each row becomes a numbered heading titled
    by the row's subject, and every other cell a label of its column, with the role the
    column's name gives (原因 → cause), so that a row reads like a numbered case."""
    out = list(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _is_cell(lines[j]) and not lines[j].text.isdigit():
            j += 1
        header = [ln.text for ln in lines[i:j]]
        roles = [section_role(h, section_roles) for h in header]
        width = len(header)
        if (
            width < 3
            or not _NUMBER_COLUMN.match(header[0])
            or len({r for r in roles if r in _CELL_ROLES}) < 2
        ):
            i = max(j, i + 1)
            continue
        title_col = _title_column(header)
        row, k = 1, j
        while k + width <= len(lines) and lines[k].text.rstrip(".") == str(row):
            cells = lines[k : k + width]
            if any(c.kind == "blank" for c in cells):
                break
            first = next((c for c in cells[1:] if len(c.text) > _CELL_WIDTH), cells[1])
            title = cells[title_col].text if title_col else first.text[:MAX_TITLE]
            out[k] = replace(cells[0], kind="heading", style="num", number=row, title=title)
            for c in range(1, width):
                role = roles[c] if roles[c] in _CELL_ROLES else "summary"
                out[k + c] = replace(cells[c], kind="label", title=header[c], role=role)
            row, k = row + 1, k + width
        if row > 1:
            for h in range(i, j):
                out[h] = replace(lines[h], kind="table", role=None)
            i = k
        else:
            i = max(j, i + 1)
    return out


def _tab_tables(lines: Sequence[Line], section_roles: Mapping[str, Sequence[str]]) -> list[Line]:
    """Read TAB tables whose rows are cases (No. / 発生日 / 所属 / 内容 / 原因 / 対応…):
    each numbered row becomes a numbered heading titled by the row's subject, and keeps
    its columns' names and roles so that each cell is read in its column's role."""
    out = list(lines)
    header: list[str] | None = None
    roles: list[str | None] = []
    for i, line in enumerate(lines):
        if line.kind != "table":
            if line.kind != "blank":
                header = None
            continue
        cells = [c.strip() for c in line.text.split("\t")]
        if header is None:
            roles = [section_role(c, section_roles) for c in cells]
            if _NUMBER_COLUMN.match(cells[0]) and len({r for r in roles if r in _CELL_ROLES}) >= 2:
                header = cells
            continue
        if not cells[0].rstrip(".").isdigit() or len(cells) != len(header):
            continue
        title_col = _title_column(header)
        subject = next(
            (cells[c] for c, r in enumerate(roles) if r == "summary" and cells[c]), cells[1]
        )
        title = cells[title_col] if title_col else subject[:MAX_TITLE]
        columns = tuple(
            (name, role if role in _CELL_ROLES else None)
            for name, role in zip(header, roles, strict=True)
        )
        number = int(cells[0].rstrip("."))
        out[i] = replace(
            line, kind="heading", style="num", number=number, title=title, columns=columns
        )
    return out


def split_lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line) for every line of the text."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        out.append((pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def classify_lines(text: str, section_roles: Mapping[str, Sequence[str]]) -> tuple[Line, ...]:
    """Every line of a normalised text, classified, with tables read back into rows."""
    lines = [classify_line(s, e, raw, section_roles) for s, e, raw in split_lines(text)]
    return tuple(_tab_tables(_cell_tables(lines, section_roles), section_roles))
