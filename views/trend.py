"""Incidents per month by cause (``trend.html``): one small bar chart per cause on a shared
time axis, the incidents of all causes on top — plain SVG built element by element with
the standard library's XML writer (every text escaped), drawn by the browser with no script
and no library. One pass over the incidents.

An incident is dated by the month it occurred, else the month it was discovered
(views/index.py ``period``); incidents dated only to the year, or not at all, are counted
in the notes, not in the bars. An incident told by several reports counts once.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from xml.etree import ElementTree as ET

import networkx as nx

from incident_kg.analysis.algorithms import CauseSpread
from incident_kg.analysis.linked import incident_key
from incident_kg.analysis.network import label, nodes_of_kind, targets

from .graphs import Text
from .index import period
from .model import Cell, Figure, Page, Table

#: Drawing sizes (pixels): label column, a row's height, the plot's width, the axis.
ROW_HEIGHT, PLOT_WIDTH, AXIS = 34, 820, 28
#: The least room for the row names (px); it grows to fit the longest name in either language.
LABEL_WIDTH = 300


def _text_px(text: str) -> float:
    """About how wide ``text`` is drawn at the charts' 13 px: wide (Japanese) characters are
    a full em, others a little over half."""
    return sum(13.0 if unicodedata.east_asian_width(c) in "WF" else 7.2 for c in text)


BAR_COLOR, TOTAL_COLOR = "#e15759", "#4e79a7"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def monthly_counts(
    g: nx.MultiDiGraph, causes: Sequence[str]
) -> tuple[dict[str, Counter[str]], Counter[str], int, int]:
    """Distinct incidents per cause and month, of all causes per month, and how many
    incidents are dated only to the year and how many not at all."""
    wanted = set(causes)
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    seen: dict[str, str | None] = {}
    for i in nodes_of_kind(g, "incident"):
        key, month = incident_key(g, i), period(g, i)
        if key not in seen or (month and not seen[key]):
            seen[key] = month
        if month and len(month) == 7:
            keys[("", month)].add(key)
            for c in targets(g, i, "has_cause"):
                if c in wanted:
                    keys[(c, month)].add(key)
    per_cause: dict[str, Counter[str]] = {c: Counter() for c in causes}
    total: Counter[str] = Counter()
    for (c, month), found in keys.items():
        (total if c == "" else per_cause[c])[month] = len(found)
    year_only = sum(1 for m in seen.values() if m and len(m) == 4)
    undated = sum(1 for m in seen.values() if not m)
    return per_cause, total, year_only, undated


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, "text", {"x": f"{x:g}", "y": f"{y:g}", **attrs})
    el.text = text
    return el


def _bilingual(parent: ET.Element, x: float, y: float, pair: Text, **attrs: str) -> None:
    _text(parent, x, y, pair[0], **{"class": "t-ja", **attrs})
    _text(parent, x, y, pair[1], **{"class": "t-en", **attrs})


def trend_svg(rows: Sequence[tuple[Text, Counter[str], str]], months: Sequence[str]) -> str:
    """Small multiples: one row per (name, counts by month, colour), bars on a shared axis;
    each bar's title says its month and count."""
    height = AXIS + ROW_HEIGHT * len(rows) + AXIS
    label_width = max(
        [LABEL_WIDTH] + [round(_text_px(text)) + 16 for name, _, _ in rows for text in name]
    )
    width = label_width + PLOT_WIDTH + 40
    svg = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=str(width),
        height=str(height),
        viewBox=f"0 0 {width} {height}",
        role="img",
    )
    step = PLOT_WIDTH / max(len(months), 1)
    col = {m: k for k, m in enumerate(months)}
    for r, (name, counts, color) in enumerate(rows):
        top = AXIS + r * ROW_HEIGHT
        most = max(counts.values(), default=0)
        row = ET.SubElement(svg, "g", {"class": "trend-row"})
        ET.SubElement(
            row, "line", x1=str(label_width), x2=str(label_width + PLOT_WIDTH),
            y1=f"{top + ROW_HEIGHT - 4}", y2=f"{top + ROW_HEIGHT - 4}", stroke="#cccccc",
        )  # fmt: skip
        _bilingual(row, label_width - 8, top + ROW_HEIGHT - 10, name, **{"text-anchor": "end"})
        _text(
            row, label_width + PLOT_WIDTH + 6, top + ROW_HEIGHT - 10,
            str(sum(counts.values())), fill="#555555",
        )  # fmt: skip
        for month, n in sorted(counts.items()):
            h = (ROW_HEIGHT - 8) * n / most if most else 0
            bar = ET.SubElement(
                row, "rect",
                x=f"{label_width + col[month] * step + 0.5:.1f}",
                y=f"{top + ROW_HEIGHT - 4 - h:.1f}",
                width=f"{max(step - 1, 1):.1f}", height=f"{h:.1f}", fill=color,
            )  # fmt: skip
            ET.SubElement(bar, "title").text = f"{month}: {n}"
    axis_y = AXIS + ROW_HEIGHT * len(rows) + 16
    for k, month in enumerate(months):
        if month.endswith("-01") or k == 0:
            x = label_width + k * step
            ET.SubElement(
                svg, "line", x1=f"{x:.1f}", x2=f"{x:.1f}", y1=str(AXIS - 4),
                y2=f"{axis_y - 12}", stroke="#eeeeee",
            )  # fmt: skip
            _text(svg, x, axis_y, month[:4] if month.endswith("-01") else month, fill="#555555")
    return ET.tostring(svg, encoding="unicode")


def trend_page(g: nx.MultiDiGraph, ranking: Sequence[CauseSpread]) -> Page:
    """The trend page: incidents per month, of all causes and of each (by score)."""
    causes = [r.concept for r in ranking if r.level == "cause"]
    per_cause, total, year_only, undated = monthly_counts(g, causes)
    months = months_between(min(total), max(total)) if total else []
    rows: list[tuple[Text, Counter[str], str]] = [
        (("すべての事案", "All incidents"), total, TOTAL_COLOR)
    ]
    rows.extend(
        ((label(g, c, "ja"), label(g, c, "en")), per_cause[c], BAR_COLOR)
        for c in causes
        if per_cause[c]
    )
    return Page(
        "trend.html",
        ("原因別の月ごとの事案数", "Incidents per month, by cause"),
        notes=(
            (
                "発生月（なければ発覚月）ごとの事案数。同じ事案を複数の報告書が伝えても 1 件。"
                "各行の高さはその行の最大値に合わせている（行の右の数は合計）。"
                f"年しか分からない事案 {year_only} 件、日付のない事案 {undated} 件は含まない。",
                "Incidents per month they occurred (else were discovered); an incident told by "
                "several reports counts once. Each row is scaled to its own maximum (the number "
                f"at its right is its total). Not drawn: {year_only} incident(s) dated only to "
                f"the year, {undated} without a date.",
            ),
        ),
        figures=(
            Figure(
                "trend",
                ("原因別の月ごとの事案数", "Incidents per month, by cause"),
                trend_svg(rows, months),
            ),
        )
        if months
        else (),
        tables=(
            Table(
                id="trend-table",
                caption=("月ごとの事案数（表）", "Incidents per month (table)"),
                columns=(("月", "month"), ("事案", "incidents")),
                rows=tuple((Cell(m), Cell(str(total[m]), num=True)) for m in months if total[m]),
            ),
        ),
    )


__all__ = ["monthly_counts", "months_between", "trend_page", "trend_svg"]
