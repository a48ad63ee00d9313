"""Japanese and western dates in normalised report text.

:func:`find_dates` reads every date mention out of a text, left to right, and
gives each one as an ISO string at the precision the text gives (``2023``,
``2023-05``, ``2023-05-26``) with its offsets into the text.

Forms read (the text is normally NFKC-normalised, see
:mod:`.normalize`; full-width ASCII is read too, and up to two stray spaces
may stand between the parts):

* era dates: ``令和5年5月26日``, ``令和 4 年 8 月``, ``令和七年一月十日``,
  ``令和元年``, ``平成31年4月1日``, ``昭和``/``大正``/``明治``;
* era abbreviations: ``R5.9.26``, ``H31.4.1``, ``R5/9/26``, ``R5年``,
  ``R5. 5月末``;
* western dates: ``2023年5月26日``, ``二〇二三年``, ``2023/5/26``, ``2023/5``,
  ``2023-05-26``, ``2023-05``, ``2023.5.26``;
* a western year in brackets after an era year, ``令和5年(2023年)5月26日``
  (one mention; when they disagree ``era_mismatch`` is set and the era's year
  is kept), and the reverse, ``2023年(令和5年)`` (the year written first,
  outside the bracket, is kept);
* fiscal years: ``令和5年度``, ``2023年度``, ``同年度`` (``fiscal_year``);
* a weekday in brackets after a day, ``(火)``, ``(水曜日)``, ``(月・祝)``, and
  ``(日付は不明)`` after a month (``unknown_day``) — both inside the span;
* ``末``, ``頃``, ``上旬``/``中旬``/``下旬`` after a month (inside the span; the
  precision stays the month);
* ranges joined by ``～ 〜 ~ -`` or ``から`` (with an optional ``まで``),
  where the second part may leave out the era (``令和3年11月～5年5月``), the
  year (``令和5年3月～5月``, ``3月2日(木)～3月8日(水)``) or the month
  (``5月28日～29日``); ``iso`` is the start and ``end_iso`` the end;
* ``同年``, ``同月``, ``同日`` and bare ``3月2日`` / ``3月``, which take what
  they leave out from context (``inherited_year``);
* days told from the one before: ``翌日`` and ``前日`` (the context's date ±1),
  ``翌17日`` (the next 17th after the context's day), ``翌月`` / ``翌月5日``.

Context rules (where the forms above leave something out):

* The context is the last mention before, that has a known year (the end of a
  range); failing that, ``default_year``.
* ``同年`` takes the context's year; ``同月`` its year and month; ``同日`` its
  whole date.  Without the context they need, their ``iso`` is ``None``
  (precision ``unknown``).
* A bare month-day (``3月2日``) takes the context's year; so does a bare month
  (``3月``, ``12月末``).  Reports run forwards in time, so when the bare month
  falls six or more months before the context's month (``12月1日`` … then
  ``6月末``), it is taken to be in the next year; after a fiscal year
  (``令和5年度``) the months 1–3 belong to the next calendar year.  A weekday
  written after the day picks, among that year and the years either side, the
  first one in which the date falls on that weekday.
* With no year to be had, a bare month-day is still reported, with ``iso``
  ``None``; a bare month is not reported at all (``3月分`` is a month only when
  a year is known).
* News and web pages give a publication date (a dateline) and then dates with no
  year (``4月28日``) or only a day (``9日``): given ``published`` (and the span of
  the dateline, which then sets no context), such a date before any dated context
  takes the publication's year (and month), a year (or a month) earlier when it
  would fall after the publication; a day alone is read only then, and only when a
  particle or 、 follows it (``9日、``, ``23日に``), never ``90日間``.
* The end of a range takes what it leaves out from the start; when it leaves
  out the year and its month comes before the start's month, it is in the next
  year (``令和5年11月～2月`` ends in 2024-02).

Not dates: durations and counts (``90日``, ``48件``, ``7,312件``, ``2人分``,
``第3条``), phone numbers (``072-600-0178``), percentages, a bare day without a
month.  Months must be 1–12 and days valid for the month (29 February only in
a leap year, when the year is known).  In a date written with 年/月/日 an
invalid month leaves only the year (``令和5年13月`` → 2023) and an invalid day
only the year and month; a numeric date (``2023/2/30``) or a bare month-day
with an invalid part is not read at all.
"""

from __future__ import annotations

import calendar
import datetime
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from types import MappingProxyType

log = logging.getLogger(__name__)

#: First western year of each era (its 元年), by name and by abbreviation.
ERA_START = MappingProxyType(
    {
        "令和": 2019,
        "R": 2019,
        "平成": 1989,
        "H": 1989,
        "昭和": 1926,
        "S": 1926,
        "大正": 1912,
        "T": 1912,
        "明治": 1868,
        "M": 1868,
    }
)

_MAX_ERA_YEAR = 99
_WESTERN_YEARS = range(1900, 2100)

_KANJI_DIGITS = MappingProxyType({ch: n for n, ch in enumerate("〇一二三四五六七八九")} | {"零": 0})
_KANJI_UNITS = MappingProxyType({"十": 10, "百": 100, "千": 1000})

_WEEKDAYS = "月火水木金土日"  # index = datetime.date.weekday()

#: Full-width ASCII and the ideographic space → ASCII (same length: offsets hold).
_TO_ASCII = MappingProxyType(
    {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
)

# ------------------------------------------------------------------ patterns

_SP = r"[ ]{0,2}"
_KNUM = r"[〇一二三四五六七八九十]"
_NUM = rf"(?:[0-9]{{1,2}}|{_KNUM}{{1,3}})"
_ERA_NAME = r"(?:令和|平成|昭和|大正|明治)"

#: 令和5年 / 令和 元 年 / 令和七年
_ERA_YEAR = re.compile(rf"(?P<era>{_ERA_NAME}){_SP}(?P<year>元|{_NUM}){_SP}年")
#: R5年, and R5. when a month follows (R5. 5月末)
_ABBR_YEAR = re.compile(
    rf"(?<![A-Za-z0-9])(?P<era>[RHS]){_SP}(?P<year>元|[0-9]{{1,2}})"
    rf"(?:{_SP}年|\.(?={_SP}{_NUM}{_SP}月))"
)
#: 2023年 / 二〇二三年
_WESTERN_YEAR = re.compile(
    rf"(?<![0-9,.])(?P<year>(?:19|20)[0-9]{{2}}|[〇一二三四五六七八九]{{4}})(?![0-9])"
    rf"(?:{_SP}\({_SP}(?:{_ERA_NAME}|[RHS]){_SP}(?:元|{_NUM}){_SP}\))?{_SP}年"  # 2023(令和5)年
)
#: (2023年) after an era year, (令和5年) after a western one, either maybe 年度
_BRACKET_YEAR = re.compile(
    rf"{_SP}\({_SP}(?:(?P<western>(?:19|20)[0-9]{{2}})|(?P<era>{_ERA_NAME}|[RHS]){_SP}"
    rf"(?P<year>元|{_NUM})){_SP}年(?P<fiscal>度)?{_SP}\)"
)
_MONTH = re.compile(rf"{_SP}(?P<month>{_NUM}){_SP}月")
_DAY = re.compile(rf"{_SP}(?P<day>{_NUM}){_SP}日")
#: R5.9.26 / 令和5.9.26 / R5/9/26 / R5.9
_NUMERIC_ERA = re.compile(
    rf"(?<![A-Za-z0-9])(?P<era>[RHS]|{_ERA_NAME}){_SP}(?P<year>元|[0-9]{{1,2}})(?P<sep>[./])"
    r"(?P<month>[0-9]{1,2})(?:(?P=sep)(?P<day>[0-9]{1,2}))?(?![0-9]|[./][0-9])"
)
#: 2023/5/26, 2023-05-26, 2023.5.26, 2023/5, 2023-05
_NUMERIC_WESTERN = re.compile(
    r"(?<![0-9.,/\-])(?P<year>(?:19|20)[0-9]{2})(?P<sep>[/.\-])(?P<month>[0-9]{1,2})"
    r"(?:(?P=sep)(?P<day>[0-9]{1,2}))?(?![0-9]|[/.\-][0-9])"
)
#: 同年度 / 同年 / 同月 / 同日 (not 同年代, 同年齢, 同日本…)
_SAME = re.compile(
    r"同(?:(?P<fiscal>年度)|(?P<year>年)(?![代齢輩配級])|(?P<month>月)|(?P<day>日)(?!本))"
)
#: A month with no year: 3月 (not after a digit or a separator), 十二月 (not inside a word)
_BARE_MONTH = re.compile(
    rf"(?:(?<![0-9.,/\-])(?P<digits>[0-9]{{1,2}})"
    rf"|(?<![〇一二三四五六七八九十\u3005\u4e00-\u9fff])(?P<kanji>{_KNUM}{{1,3}})){_SP}月"
)
#: 8/23(水) / 5/17に / 6/19～: a month and day with no year, told apart from a fraction
#: or a number by what follows it.
_SLASH_MONTH_DAY = re.compile(
    r"(?<![0-9.,/\-])(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})"
    r"(?=\s?\(\s?[月火水木金土日]|に|から|まで|、|頃|ごろ|~|〜|\s|$)(?![0-9/])"
)
#: The era-less year of a range's second part: ～5年5月
_ERA_LESS_YEAR = re.compile(rf"(?P<year>元|{_NUM}){_SP}年")
_WEEKDAY = re.compile(
    rf"{_SP}\({_SP}(?:(?P<weekday>[月火水木金土日])(?:曜日?)?(?:[・,、](?:祝|休)日?)?"
    rf"|祝日?|休日?){_SP}\)"
)
_UNKNOWN_DAY = re.compile(rf"{_SP}\({_SP}(?:日付|日にち|日)[はが]?(?:不明|不詳){_SP}\)")
_MONTH_TAIL = re.compile(r"末|頃|ごろ|上旬|中旬|下旬|初旬")
_RANGE_SEP = re.compile(rf"{_SP}(?P<sep>[~〜\-−–]|から){_SP}")
_UNTIL = re.compile(rf"{_SP}まで")
_FISCAL = re.compile(r"度")

#: Where a date can begin; the parsers decide whether one does.
_CANDIDATE = re.compile(
    rf"{_ERA_NAME}|同[年月日]|翌|前日|(?<![A-Za-z0-9])[RHS](?=[ ]?[0-9元])|[0-9]+|{_KNUM}+"
)


@dataclass(frozen=True)
class DateMention:
    """A date read out of a text, at the precision the text gives it."""

    start: int  # offsets into the text given to find_dates
    end: int
    iso: str | None  # '2023', '2023-05', '2023-05-26'; None when the date is unknown
    end_iso: str | None = None  # end of a range: 令和5年3月～5月 → iso 2023-03, end 2023-05
    unknown_day: bool = False  # 令和4年8月(日付は不明)
    fiscal_year: bool = False  # 令和5年度 → iso 2023
    inherited_year: bool = False  # the year came from context (同年3月2日, a bare 3月2日)
    era_mismatch: bool = False  # 令和5年(2022年): the era's year is kept

    @property
    def precision(self) -> str:
        """``year``, ``month``, ``day``, or ``unknown`` when ``iso`` is None."""
        if self.iso is None:
            return "unknown"
        return {4: "year", 7: "month", 10: "day"}[len(self.iso)]


def era_to_western(era: str, year: int) -> int:
    """The western year of year ``year`` of ``era`` (``令和``/``R`` 5 → 2023; 元年 is 1).

    Raises ValueError for an unknown era or a year below 1.
    """
    key = unicodedata.normalize("NFKC", era).strip()
    key = key.upper() if len(key) == 1 else key
    if key not in ERA_START:
        raise ValueError(f"unknown era: {era!r}")
    if year < 1:
        raise ValueError(f"era year must be 1 or more, not {year}")
    return ERA_START[key] + year - 1


def parse_number(digits: str) -> int:
    """ASCII digits, 元 (1) or kanji numerals (十二, 二十六, 二〇二三, 二千二十三) as an int."""
    if digits.isascii() and digits.isdigit():
        return int(digits)
    if digits == "元":
        return 1
    total = current = 0
    for ch in digits:
        if ch in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[ch]
        elif ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a number: {digits!r}")
    return total + current


# ------------------------------------------------------------------ parsing


@dataclass(frozen=True)
class _Parsed:
    """One date as written, before context fills what it leaves out."""

    start: int
    end: int
    kind: str  # explicit | same_year | same_month | same_day | bare | next_day | previous_day
    #            | next_day_of_month | next_month | day_only | day_last_month (先月9日)
    year: int | None = None
    month: int | None = None
    day: int | None = None
    era: str | None = None  # the era written, so a range's end may leave it out
    fiscal: bool = False
    unknown_day: bool = False
    era_mismatch: bool = False
    weekday: int | None = None


@dataclass(frozen=True)
class _Point:
    """A resolved date; ``year`` None when it could not be found."""

    year: int | None
    month: int | None = None
    day: int | None = None
    fiscal: bool = False

    @property
    def iso(self) -> str | None:
        if self.year is None:
            return None
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def _valid_day(year: int | None, month: int, day: int) -> bool:
    """Whether ``day`` exists in ``month`` (of ``year``, or of some leap year)."""
    last = calendar.monthrange(year if year is not None else 2000, month)[1]
    return 1 <= day <= last


def _month_day(view: str, pos: int, year: int | None) -> tuple[int | None, int | None, int]:
    """A month (and day) at ``pos``: (month, day, end); (None, None, pos) if none."""
    m = _MONTH.match(view, pos)
    if not m:
        return None, None, pos
    month = parse_number(m["month"])
    if not 1 <= month <= 12:
        return None, None, pos
    d = _DAY.match(view, m.end())
    if d:
        day = parse_number(d["day"])
        if _valid_day(year, month, day):
            return month, day, d.end()
    return month, None, m.end()


def _era_year(era: str, digits: str) -> int | None:
    """The western year of an era year as written, or None when out of range."""
    number = parse_number(digits)
    if not 1 <= number <= _MAX_ERA_YEAR:
        return None
    return era_to_western(era, number)


def _parse_year_form(view: str, pos: int) -> _Parsed | None:
    """令和5年…, R5年…, R5. 5月…, 2023年… with bracket, 度, month and day."""
    era: str | None = None
    m = _ERA_YEAR.match(view, pos) or _ABBR_YEAR.match(view, pos)
    if m:
        era = m["era"]
        year = _era_year(era, m["year"])
    else:
        m = _WESTERN_YEAR.match(view, pos)
        if not m:
            return None
        year = parse_number(m["year"])
        if year not in _WESTERN_YEARS:
            return None
    if year is None:
        return None
    end = m.end()
    if view.startswith("分", end):
        return None  # 令和5年分の確定申告: the year an account is for, not a date
    fiscal = mismatch = False
    if _FISCAL.match(view, end):
        fiscal, end = True, end + 1
    bracket = _BRACKET_YEAR.match(view, end)
    if bracket:
        other = _bracket_year(bracket)
        if other is not None:
            mismatch = other != year
            fiscal = fiscal or bool(bracket["fiscal"])
            end = bracket.end()
    if not fiscal and _FISCAL.match(view, end):
        fiscal, end = True, end + 1
    parsed = _Parsed(pos, end, "explicit", year=year, era=era, fiscal=fiscal, era_mismatch=mismatch)
    if fiscal:
        return parsed
    month, day, end = _month_day(view, end, year)
    return replace(parsed, end=end, month=month, day=day)


def _bracket_year(bracket: re.Match[str]) -> int | None:
    """The year written in a bracket after a year."""
    if bracket["western"]:
        return int(bracket["western"])
    return _era_year(bracket["era"], bracket["year"])


def _parse_numeric(view: str, pos: int) -> _Parsed | None:
    """R5.9.26, 令和5.9.26, 2023/5/26, 2023-05-26, 2023.5.26, 2023/5, 2023-05."""
    era: str | None = None
    m = _NUMERIC_ERA.match(view, pos)
    if m:
        era = m["era"]
        year = _era_year(era, m["year"])
    else:
        m = _NUMERIC_WESTERN.match(view, pos)
        if not m:
            return None
        year = int(m["year"])
        if m["day"] is None and not (m["sep"] == "/" or (m["sep"] == "-" and len(m["month"]) == 2)):
            return None  # 2023.5 is a number; 2023-5 is too loose
    month = int(m["month"])
    if year is None or not 1 <= month <= 12:
        return None
    day = int(m["day"]) if m["day"] else None
    if day is not None and not _valid_day(year, month, day):
        return None
    return _Parsed(pos, m.end(), "explicit", year=year, month=month, day=day, era=era)


def _parse_same(view: str, pos: int) -> _Parsed | None:
    """同年度, 同年(3月(2日)), 同月(2日), 同日."""
    m = _SAME.match(view, pos)
    if not m:
        return None
    if m["fiscal"]:
        return _Parsed(pos, m.end(), "same_year", fiscal=True)
    if m["year"]:
        month, day, end = _month_day(view, m.end(), None)
        return _Parsed(pos, end, "same_year", month=month, day=day)
    if m["month"]:
        d = _DAY.match(view, m.end())
        if d and 1 <= parse_number(d["day"]) <= 31:
            return _Parsed(pos, d.end(), "same_month", day=parse_number(d["day"]))
        return _Parsed(pos, m.end(), "same_month")
    return _Parsed(pos, m.end(), "same_day")


#: 翌日 / 前日 / 翌17日 / 翌月(5日): a day told from the one before it
_RELATIVE = re.compile(
    r"(?:(?P<next>翌日)|(?P<prev>前日)(?!比)|翌(?P<day>[0-9]{1,2})日|翌月(?:(?P<mday>[0-9]{1,2})日)?)"
)


def _parse_relative(view: str, pos: int) -> _Parsed | None:
    """翌日, 前日, 翌17日 (the next 17th), 翌月 / 翌月5日."""
    m = _RELATIVE.match(view, pos)
    if not m:
        return None
    if m["next"]:
        return _Parsed(pos, m.end(), "next_day")
    if m["prev"]:
        return _Parsed(pos, m.end(), "previous_day")
    if m["day"]:
        return _Parsed(pos, m.end(), "next_day_of_month", day=int(m["day"]))
    return _Parsed(pos, m.end(), "next_month", day=int(m["mday"]) if m["mday"] else None)


def _resolve_relative(parsed: _Parsed, context: _Point | None) -> _Point:
    """翌日 / 前日 need the context's whole date; 翌17日 and 翌月 its year and month."""
    if context is None or context.year is None or context.month is None:
        return _Point(None)
    if parsed.kind in ("next_day", "previous_day"):
        if context.day is None:
            return _Point(None)
        step = 1 if parsed.kind == "next_day" else -1
        day = datetime.date(context.year, context.month, context.day)
        day += datetime.timedelta(days=step)
        return _Point(day.year, day.month, day.day)
    year, month = context.year, context.month
    if parsed.kind == "next_month" or (
        parsed.day is not None and context.day is not None and parsed.day <= context.day
    ):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _checked(_Point(year, month, parsed.day))


def _parse_bare(view: str, pos: int) -> _Parsed | None:
    """3月, 3月2日, 十二月二十六日: a month (and day) with no year; 8/23 with a weekday or a
    particle after it (8/23(水), 5/17に)."""
    slash = _SLASH_MONTH_DAY.match(view, pos)
    if slash:
        month, day = int(slash["month"]), int(slash["day"])
        if 1 <= month <= 12 and _valid_day(None, month, day):
            return _Parsed(pos, slash.end("day"), "bare", month=month, day=day)
    m = _BARE_MONTH.match(view, pos)
    if not m:
        return None
    month = parse_number(m["digits"] or m["kanji"])
    if not 1 <= month <= 12:
        return None
    d = _DAY.match(view, m.end())
    if d:
        day = parse_number(d["day"])
        if _valid_day(None, month, day):
            return _Parsed(pos, d.end(), "bare", month=month, day=day)
    return _Parsed(pos, m.end(), "bare", month=month)


#: A day alone, as news tells it (9日、 / 23日に / 24日明らかにした, 今月21日, 先月9日), read only
#: in a page with a publication date: a particle, 、 or a time of day must follow, and no digit
#: or month (3月) may stand before it.
_DAY_ONLY = re.compile(
    r"(?<![0-9/.])(?<![0-9一二三四五六七八九十]月)(?P<day>[0-9]{1,2})日(?:\s?\([月火水木金土日](?:曜日?)?\))?"
    r"(?=[、,にはのまでからよ]|(?:午前|午後|夜|朝|夕方)|明らか|発表|公表)"
)


def _parse_at(view: str, pos: int, *, days: bool = False) -> _Parsed | None:
    """The date that begins at ``pos``, with its trailing weekday / 末 / (日付は不明); with
    ``days`` also a day alone (:data:`_DAY_ONLY`)."""
    for parser in (_parse_year_form, _parse_numeric, _parse_same, _parse_relative, _parse_bare):
        parsed = parser(view, pos)
        if parsed is not None:
            return _with_tail(view, parsed)
    day = _DAY_ONLY.match(view, pos) if days else None
    if day and 1 <= int(day["day"]) <= 31:
        kind = "day_last_month" if view[max(0, pos - 2) : pos] == "先月" else "day_only"
        return _Parsed(pos, day.end(), kind, day=int(day["day"]))
    return None


def _with_tail(view: str, parsed: _Parsed) -> _Parsed:
    """Take in a weekday after a day, or 末 / 上旬 / (日付は不明) after a month."""
    if parsed.day is not None or parsed.kind == "same_day":
        m = _WEEKDAY.match(view, parsed.end)
        if m:
            weekday = _WEEKDAYS.index(m["weekday"]) if m["weekday"] else None
            return replace(parsed, end=m.end(), weekday=weekday)
        return parsed
    if parsed.month is not None or parsed.kind == "same_month":
        m = _UNKNOWN_DAY.match(view, parsed.end)
        if m:
            return replace(parsed, end=m.end(), unknown_day=True)
        m = _MONTH_TAIL.match(view, parsed.end)
        if m:
            return replace(parsed, end=m.end())
    return parsed


def _parse_range_end(view: str, first: _Parsed) -> _Parsed | None:
    """The second part of a range that starts with ``first``, if one follows."""
    sep = _RANGE_SEP.match(view, first.end)
    if not sep:
        return None
    pos = sep.end()
    second = _parse_year_form(view, pos) or _parse_numeric(view, pos)
    if second is None and first.era is not None:
        m = _ERA_LESS_YEAR.match(view, pos)
        year = _era_year(first.era, m["year"]) if m else None
        if m and year is not None:
            month, day, end = _month_day(view, m.end(), year)
            second = _Parsed(pos, end, "explicit", year=year, month=month, day=day, era=first.era)
    if second is None and (first.month is not None or first.kind == "same_month"):
        second = _parse_range_month_day(view, pos, first)
    if second is None:
        return None
    second = _with_tail(view, second)
    if sep["sep"] == "から":
        until = _UNTIL.match(view, second.end)
        if until:
            second = replace(second, end=until.end())
    return second


def _parse_range_month_day(view: str, pos: int, first: _Parsed) -> _Parsed | None:
    """～5月, ～3月8日, or ～29日 when the start has a day."""
    month, day, end = _month_day(view, pos, None)
    if month is not None:
        return _Parsed(pos, end, "bare", month=month, day=day)
    if first.day is None:
        return None
    d = _DAY.match(view, pos)
    if d and 1 <= parse_number(d["day"]) <= 31:
        return _Parsed(pos, d.end(), "bare", day=parse_number(d["day"]))
    return None


# --------------------------------------------------------------- resolution


def _with_weekday(year: int, month: int, day: int, weekday: int | None) -> int:
    """The year among ``year``, ``year + 1``, ``year - 1`` whose date falls on ``weekday``."""
    if weekday is None:
        return year
    for candidate in (year, year + 1, year - 1):
        if (
            _valid_day(candidate, month, day)
            and datetime.date(candidate, month, day).weekday() == weekday
        ):
            return candidate
    return year


def _before_publication(parsed: _Parsed, published: datetime.date) -> _Point:
    """A date with no year (or only a day) told in a page published on ``published``: the
    latest such date on or before the publication."""
    year, month = published.year, parsed.month
    if month is None:  # a day alone: this month, or the month before
        month = published.month
        if parsed.day is not None and parsed.day > published.day:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    elif (month, parsed.day or 1) > (published.month, published.day):
        year -= 1
    return _checked(_Point(year, month, parsed.day))


def _resolve(
    parsed: _Parsed,
    context: _Point | None,
    default_year: int | None,
    published: datetime.date | None = None,
) -> _Point:
    """Fill in what ``parsed`` leaves out from the context (see the module rules); with
    ``published`` (no date with a year written before it) a date with no year is told
    from the publication."""
    if parsed.kind == "explicit":
        return _Point(parsed.year, parsed.month, parsed.day, parsed.fiscal)
    if published is not None and parsed.kind in ("bare", "day_only"):
        return _before_publication(parsed, published)
    if published is not None and parsed.kind == "day_last_month":
        last = published.replace(day=1) - datetime.timedelta(days=1)
        return _checked(_Point(last.year, last.month, parsed.day))
    if parsed.kind in ("day_only", "day_last_month"):
        return _resolve(replace(parsed, kind="same_month"), context, default_year)
    if parsed.kind in ("next_day", "previous_day", "next_day_of_month", "next_month"):
        return _resolve_relative(parsed, context)
    base = context.year if context is not None else default_year
    if parsed.kind == "same_year":
        return _checked(_Point(base, parsed.month, parsed.day, parsed.fiscal))
    if parsed.kind == "same_month":
        if context is None or context.month is None:
            return _Point(None)
        return _checked(_Point(context.year, context.month, parsed.day))
    if parsed.kind == "same_day":
        if context is None or context.day is None:
            return _Point(None)
        return context
    month = parsed.month
    assert month is not None  # a bare date always has a month
    year = base
    if context is not None and year is not None:
        if context.fiscal and month <= 3:
            year += 1
        elif context.month is not None and context.month - month >= 6:
            year += 1
    if year is not None and parsed.day is not None:
        year = _with_weekday(year, month, parsed.day, parsed.weekday)
    return _checked(_Point(year, month, parsed.day))


def _checked(point: _Point) -> _Point:
    """Drop a day that does not exist in the resolved year (29 February)."""
    if point.year is None or point.month is None or point.day is None:
        return point
    if _valid_day(point.year, point.month, point.day):
        return point
    return replace(point, day=None)


def _resolve_end(second: _Parsed, start: _Point) -> _Point:
    """The end of a range: what it leaves out comes from its start."""
    if second.kind == "explicit":
        return _Point(second.year, second.month, second.day, second.fiscal)
    if start.year is None:
        return _Point(None)
    month = second.month if second.month is not None else start.month
    year = start.year
    if month is not None and start.month is not None and month < start.month:
        year += 1
    return _checked(_Point(year, month, second.day))


#: 本年6月2日 / 今年3月: the year the document was written in, not the one told before
_THIS_YEAR = re.compile(r"(?:本年|今年|本年度中の)$")


def _document_year(view: str) -> int | None:
    """The year a document was written in: that of its first full date when the date stands
    in its head (the first 300 characters), else the latest year of a full date."""
    years: list[tuple[int, int]] = []
    for candidate in _CANDIDATE.finditer(view):
        parsed = _parse_at(view, candidate.start())
        if parsed is not None and parsed.kind == "explicit" and parsed.day is not None:
            assert parsed.year is not None
            years.append((parsed.start, parsed.year))
    if not years:
        return None
    if years[0][0] < 300:
        return years[0][1]
    return max(year for _, year in years)


def find_dates(
    text: str,
    *,
    default_year: int | None = None,
    published: datetime.date | None = None,
    dateline: tuple[int, int] | None = None,
) -> list[DateMention]:
    """Every date mention in ``text``, in order (see the module documentation).

    A bare date after 本年/今年 takes the year the document was written in
    (:func:`_document_year`), not the year of the date before it.  With ``published`` (a
    page's publication date, written at ``dateline``) a date with no year, or a day alone,
    is told from the publication."""
    view = text.translate(_TO_ASCII)
    mentions: list[DateMention] = []
    context: _Point | None = None
    anchored = False  # whether a date with its year has been written (outside the dateline)
    this_year = _document_year(view) if "本年" in view or "今年" in view else None
    pos = 0
    while True:
        candidate = _CANDIDATE.search(view, pos)
        if candidate is None:
            break
        first = _parse_at(view, candidate.start(), days=published is not None)
        if first is None:
            pos = candidate.end()
            continue
        second = _parse_range_end(view, first)
        if (
            first.kind == "bare"
            and this_year
            and _THIS_YEAR.search(view[max(0, first.start - 6) : first.start])
        ):
            start = _resolve(first, None, this_year)
        else:
            start = _resolve(first, context, default_year, None if anchored else published)
        pos = (second or first).end
        if first.kind == "bare" and first.day is None and start.year is None:
            continue  # a bare month is a date only when a year is known
        end = _resolve_end(second, start) if second is not None else None
        mentions.append(
            DateMention(
                start=first.start,
                end=pos,
                iso=start.iso,
                end_iso=end.iso if end is not None else None,
                unknown_day=first.unknown_day,
                fiscal_year=start.fiscal,
                inherited_year=first.kind != "explicit" and start.year is not None,
                era_mismatch=first.era_mismatch,
            )
        )
        latest = end if end is not None and end.year is not None else start
        in_dateline = dateline is not None and dateline[0] <= first.start < dateline[1]
        # in a dated page a year alone (2015年の法施行) tells no day: 21日 is still told from
        # the publication
        year_only = published is not None and latest.month is None
        if latest.year is not None and not in_dateline and not year_only:
            context = latest
            anchored = anchored or first.kind == "explicit"  # a year written in the text
    log.debug("find_dates: %d mentions", len(mentions))
    return mentions


def iso_from_yaml(value: object) -> str:
    """A date as YAML gives it (a date, a bare year, or an ISO string at any precision) as an
    ISO string at its written precision (``2022``, ``2022-03``, ``2022-03-15``).

    Raises ValueError, with a message for a person, when it is not such a date.
    """
    if isinstance(value, datetime.datetime):
        raise ValueError(f"a date has no time of day: {value.isoformat()}")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    match = _YAML_DATE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
    year, month, day = match.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"no such date: {value!r}") from None
    return match.group(0)


_YAML_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
