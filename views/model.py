"""The page model of the views: pages, their tables and cells, and their figures — what
views/pages.py and the modules of the other pages (matrix, trend, measures) build and
views/write.py renders through ``templates/page.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .graphs import PageGraph, Text
from .index import Filters, RowData


@dataclass(frozen=True)
class Figure:
    """A chart drawn as SVG markup built element by element (views/trend.py: every text
    escaped by the XML writer), with a caption and a text summary for who cannot see it."""

    id: str
    caption: Text
    svg: str
    summary: Text = ("", "")


@dataclass(frozen=True)
class Cell:
    """One table cell: text (escaped when rendered; ``text_en`` its English when it has
    one), an optional link, the key it sorts by (else its text), a heat level (0–9: the
    matrix) and a hover title (``title_en`` its English)."""

    text: str
    href: str | None = None
    num: bool = False
    text_en: str | None = None
    sort: str | None = None
    heat: int | None = None
    title: str | None = None
    title_en: str | None = None  # the title in English, when the page's own words make it


@dataclass(frozen=True)
class Table:
    """A table; ``row_data`` (one per row, or none) becomes the rows' ``data-*`` attributes
    the index's filters read (views/index.py); ``filterable`` puts it under the search box
    and filters; every table sorts by a click on a column's header."""

    id: str
    caption: Text
    columns: tuple[Text, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_data: tuple[RowData, ...] = ()
    filterable: bool = False
    sortable: bool = True


@dataclass(frozen=True)
class Page:
    """One HTML page: where it goes, its title, its graph (if any), notes and tables, the
    filters over its tables (the index) and its figures (SVG charts: views/trend.py)."""

    path: str  # relative to the output folder
    title: Text
    graph: PageGraph | None = None
    notes: tuple[Text, ...] = ()
    tables: tuple[Table, ...] = ()
    filters: Filters | None = None
    figures: tuple[Figure, ...] = ()


__all__ = ["Cell", "Figure", "Page", "Table"]
