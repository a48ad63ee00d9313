"""Statistics: aggregate figures a report gives outside its incidents.

A council report's table of national counts (〈133自治体173件〉 as of 令和5年6月9日)
or issuance rates is not an incident; its figures are kept as statistics with
their label, unit, the date they hold as of, and the text they were read from.
Pure: normalised text and its structure in, :class:`~.model.Statistic` records out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .dates import DateMention
from .model import DateValue, Evidence, Span, Statistic
from .structure import Structure

_FIGURE = re.compile(
    r"(?<![\d.,])(?P<n>\d{1,3}(?:,\s?\d{3})+|\d+(?:\.\d+)?)\s?(?P<unit>件|名|人|団体|自治体|世帯|%)"
)
#: Words that mark a line as statistics rather than narrative.
_CONTEXT = re.compile(r"(全国|時点|現在|件数|率|合計|計|状況|内訳|比)")
#: A date holds "as of" when one of these follows it closely.
_AS_OF = re.compile(r"^\s*[)）]?\s*(時点|現在|末|末日|時点で)")
_LABEL_TRIM = re.compile(r"^[\s・•\-*※〇○●■□◆→①-⑳()（）\d.、〈〔【\[]+|[\s:：〈〔【\[(（]+$")


def _as_of_dates(text: str, mentions: Sequence[DateMention]) -> list[tuple[int, DateMention]]:
    """(position, mention) of every date followed by an as-of word (時点, 現在, 末)."""
    out: list[tuple[int, DateMention]] = []
    for m in mentions:
        if m.iso and _AS_OF.match(text[m.end : m.end + 6]):
            out.append((m.start, m))
    return out


def _clean(text: str) -> str:
    return _LABEL_TRIM.sub("", text).strip(" +()（）〈〉")


def _label(line: str, figure_start: int) -> str:
    """The words naming a figure: the row's label, and the words right before the figure
    when they add to it (申請率 / 前月比, 全国の状況 / 別人登録)."""
    row = (
        _clean(re.split(r"\t|[:：]", line, maxsplit=1)[0])
        if ("\t" in line or "：" in line or ":" in line)
        else ""
    )
    before = _FIGURE.sub(" ", line[:figure_start])
    local = (
        _clean(re.split(r"\t|[・、。:：〈(（]|\s{1,}", before.rstrip())[-1])
        if before.strip()
        else ""
    )
    parts = [p for p in (row, local) if p and not p.isdigit()]
    if len(parts) == 2 and (parts[0] in parts[1] or parts[1] in parts[0]):
        parts = [max(parts, key=len)]
    label = " / ".join(parts)
    return label[:60]


def find_statistics(
    text: str,
    structure: Structure,
    mentions: Sequence[DateMention],
    incident_lines: set[int],
) -> tuple[Statistic, ...]:
    """Figures on lines outside every incident that read as statistics."""
    as_of = _as_of_dates(text, mentions)
    out: list[Statistic] = []
    for i, line in enumerate(structure.lines):
        if i in incident_lines or line.kind == "blank":
            continue
        raw = text[line.start : line.end]
        figures = list(_FIGURE.finditer(raw))
        if not figures:
            continue
        prior = [m for pos, m in as_of if pos < line.end]
        if not (line.kind == "table" or _CONTEXT.search(raw) or prior):
            continue
        date = prior[-1] if prior else None
        span = Span(line.start, line.end, raw)
        for figure in figures:
            value = figure.group("n").replace(",", "").replace(" ", "")
            out.append(
                Statistic(
                    label=_label(raw, figure.start()),
                    value=value,
                    unit=figure.group("unit"),
                    as_of=(
                        DateValue(
                            date.iso,
                            Evidence(
                                Span(date.start, date.end, text[date.start : date.end]),
                                "statistic/as-of",
                                0.7,
                            ),
                        )
                        if date is not None and date.iso
                        else None
                    ),
                    evidence=Evidence(span, "statistic/figure", 0.7),
                )
            )
    return tuple(out)
