"""Datelines: the date a page was published, and the dates it tells with no year.

News articles and web pages give their publication date once — right under the headline,
after a label (公開：2023年6月20日, 掲載日：…, 更新日：…) or alone at the end — and then
tell the incident with dates that leave out the year (``4月28日``) or even the month
(``9日``, ``23日に判明``).  :func:`find_dateline` finds that date; :func:`dated_mentions`
reads the text's dates again told from it (see :func:`.dates.find_dates`), so that 12月20日
in a page of 2024年1月10日 is 2023-12-20 and 9日 is 2024-01-09.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .dates import DateMention, find_dates
from .lines import Line
from .model import DateValue, Span, evidence
from .sentences import is_date_line

#: A line that labels the page's date: 公開：…, 掲載日：…, 配信 …, 更新日：…
_LABEL = re.compile(
    r"^[\s\[(【]*(公開|掲載|配信|発表|投稿|作成|提供|最終更新|更新)(日|日時)?\s?[:：]?\s?"
)
#: Labels of the day a page first appeared, preferred to its last update.
_FIRST = frozenset({"公開", "掲載", "配信", "発表", "投稿", "作成", "提供"})
#: How many lines from the top, and from the end, a dateline may stand in.
_HEAD_LINES = 8
_TAIL_LINES = 3


@dataclass(frozen=True)
class Dateline:
    """The date a page was published and the line that says it."""

    value: DateValue
    line: int  # index into the report's lines
    start: int  # span of the date in the text
    end: int

    @property
    def day(self) -> datetime.date | None:
        """The publication day, when the dateline gives one."""
        iso = self.value.iso
        return datetime.date.fromisoformat(iso) if len(iso) == 10 else None


def _first_mention(line: Line, mentions: Sequence[DateMention]) -> DateMention | None:
    for m in mentions:
        if line.start <= m.start < line.end and m.iso and not m.inherited_year:
            return m
    return None


#: A news lead opens with the day of the announcement: 2018年5月29日、新潟県上越市は….
_LEAD_OPENING = re.compile(r"^\s*(?:【[^】]{1,8}】)?\s*$")


def _lead_date(
    lines: Sequence[Line], head: Sequence[int], mentions: Sequence[DateMention]
) -> tuple[int, DateMention] | None:
    """The full date a news lead opens with (2018年5月29日、…は…と明らかにした), on the first
    paragraph of running text near the top: the day the article tells its dates from."""
    for i in head:
        line = lines[i]
        if line.kind != "text" or len(line.text) < 40 or "。" not in line.text:
            continue
        mention = _first_mention(line, mentions)
        if (
            mention is not None
            and len(mention.iso or "") == 10
            and _LEAD_OPENING.match(line.text[: mention.start - line.start])
            and line.text[mention.end - line.start : mention.end - line.start + 1] in ("、", ",")
        ):
            return i, mention
        return None  # only the first paragraph is the lead
    return None


def find_dateline(
    text: str, lines: Sequence[Line], mentions: Sequence[DateMention], *, first_heading: int
) -> Dateline | None:
    """The page's publication date: a labelled date line (公開 / 掲載 before 更新) near the top
    or the end, else a date alone on a line near the top (before the first numbered part) or
    among the last lines."""
    content = [i for i, ln in enumerate(lines) if ln.kind != "blank"]
    head = [i for i in content[:_HEAD_LINES] if i < first_heading]
    tail = content[-_TAIL_LINES:] if len(content) > _HEAD_LINES else []
    labelled: list[tuple[int, int, DateMention]] = []
    alone: list[tuple[int, DateMention]] = []
    for i in dict.fromkeys(head + tail):
        line = lines[i]
        mention = _first_mention(line, mentions)
        if mention is None:
            continue
        label = _LABEL.match(line.text)
        if label and mention.start - line.start <= label.end() + 1:
            labelled.append((0 if label.group(1) in _FIRST else 1, i, mention))
        elif is_date_line(line.text):
            alone.append((i, mention))
    if labelled:
        _, i, mention = min(labelled)
    elif alone:
        i, mention = alone[0]
    else:
        lead = _lead_date(lines, head, mentions)
        if lead is None:
            return None
        i, mention = lead
    line = lines[i]
    assert mention.iso is not None
    span = Span(line.start, line.end, text[line.start : line.end])
    return Dateline(
        DateValue(mention.iso, evidence(span, "date/published", 0.8)), i, mention.start, mention.end
    )


def dated_mentions(
    text: str, dateline: Dateline | None, mentions: list[DateMention]
) -> list[DateMention]:
    """The text's dates told from the page's publication day (unchanged without one)."""
    day = dateline.day if dateline is not None else None
    if day is None or dateline is None:
        return mentions
    return find_dates(text, published=day, dateline=(dateline.start, dateline.end))
