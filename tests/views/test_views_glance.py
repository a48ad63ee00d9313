"""Views that answer at a glance (issue 20), as data and files: the index's filter data and
tier column, the cause × body matrix, the trend by month, what others did on a cause page,
every label in both languages, and labels that do not overlap. Drawn in a browser in
test_views_glance_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

from incident_kg.analysis.algorithms import rank_causes
from incident_kg.analysis.network import TIER_ORDER, nodes_of_kind
from incident_kg.graph.effectiveness import Effect
from incident_kg.views import ViewOptions, build_pages, load_legend, write_views
from incident_kg.views.graphs import INCIDENT_RELATIONS, layout, overview_graph
from incident_kg.views.labels import load_names
from incident_kg.views.matrix import OTHER, group_bodies, heat, matrix_page
from incident_kg.views.measures import effect_text, what_others_did
from incident_kg.views.readable import label_box, make_readable
from incident_kg.views.trend import monthly_counts, months_between, trend_page

from ..made_network import ID, Made, made_network


def _dated(g: nx.MultiDiGraph, dates: dict[str, str]) -> nx.MultiDiGraph:
    for name, date in dates.items():
        g.nodes[f"{ID}{name}"]["occurred"] = date
    return g


@pytest.fixture
def corpus() -> nx.MultiDiGraph:
    """Five incidents in four bodies: two in Osaka prefecture, one in Kumamoto, one a company
    the table of local governments does not hold, one a bare ward name."""
    return _dated(
        made_network(
            {
                "a": Made("r1", ["堺市"], causes=["A"], measures=["M1"]),
                "b": Made("r2", ["堺市"], causes=["A", "B"], measures=["M1"]),
                "c": Made("r3", ["大阪府"], causes=["A"]),
                "d": Made("r4", ["熊本市", "ACME株式会社"], causes=["C"], measures=["M2"]),
                "e": Made("r5", ["中央区"], causes=["B"]),
            }
        ),
        {"a": "2023-01-10", "b": "2023-03", "c": "2023-03-31", "d": "2022", "e": ""},
    )


def _page(pages: list, path: str):  # type: ignore[no-untyped-def]
    return next(p for p in pages if p.path == path)


# -- the index ------------------------------------------------------------------------------


def test_the_tier_table_fills_its_tier_column_in_both_languages(corpus: nx.MultiDiGraph) -> None:
    index = _page(build_pages(corpus, ViewOptions(), load_legend()), "index.html")
    tiers = next(t for t in index.tables if t.id == "tiers")
    column = [c for c, _ in tiers.columns].index("階層")
    cells = [row[column] for row in tiers.rows]
    assert cells and all(c.text.startswith("第") and c.text_en for c in cells)
    causes = next(t for t in index.tables if t.id == "shared-causes")
    assert all(row[column].text_en for row in causes.rows)  # no code left in Japanese mode


def test_each_index_row_carries_the_tiers_bodies_and_periods_its_filters_read(
    corpus: nx.MultiDiGraph,
) -> None:
    index = _page(build_pages(corpus, ViewOptions(), load_legend()), "index.html")
    causes = next(t for t in index.tables if t.id == "shared-causes")
    by_code = {row[1].text: data for row, data in zip(causes.rows, causes.row_data, strict=True)}
    assert by_code["A"] == {
        "tiers": "unsafe-act",
        "bodies": "堺市\n大阪府",
        "periods": "2023-01\n2023-03",
    }
    assert by_code["C"]["periods"] == "2022"  # a report that gives only the year
    assert index.filters is not None
    assert set(index.filters.bodies) == {"堺市", "大阪府", "熊本市", "ACME株式会社", "中央区"}
    assert (index.filters.first, index.filters.last) == ("2022-01", "2023-03")


# -- the matrix -----------------------------------------------------------------------------


def test_bodies_are_grouped_by_prefecture_and_the_unplaced_go_last(
    corpus: nx.MultiDiGraph,
) -> None:
    bodies = [n for n in nodes_of_kind(corpus, "organization")]
    groups = group_bodies(corpus, bodies)
    named = [(g.name, sorted(corpus.nodes[b]["label_ja"] for b in g.bodies)) for g in groups]
    assert named == [
        (("大阪府", "大阪府"), ["堺市", "大阪府"]),  # JIS 27
        (("熊本県", "熊本県"), ["熊本市"]),  # JIS 43
        (OTHER, ["ACME株式会社", "中央区"]),  # a company; a ward name several cities share
    ]


def test_a_matrix_cell_counts_the_distinct_incidents_of_a_body_with_a_cause(
    corpus: nx.MultiDiGraph,
) -> None:
    page = matrix_page(corpus, rank_causes(corpus))
    table = page.tables[0]
    causes = [en for _, en in table.columns[1:]]
    rows = {row[0].text: [c.text for c in row[1:]] for row in table.rows}
    a = causes.index("cause A")
    assert rows["堺市"][a] == "2" and rows["大阪府"][a] == "1"
    groups = [
        row[0].text for row, d in zip(table.rows, table.row_data, strict=True) if "group" in d
    ]
    assert groups == ["大阪府", "熊本県", OTHER[0]]
    # the prefecture's row totals its bodies' distinct incidents
    osaka = next(
        row for row, d in zip(table.rows, table.row_data, strict=True) if d.get("group") == "27"
    )
    assert osaka[1 + a].text == "3"


def test_heat_grows_with_the_count_and_is_zero_for_none() -> None:
    assert heat(0, 10) == 0
    assert 1 <= heat(1, 10) < heat(5, 10) < heat(10, 10) == 9


# -- the trend ------------------------------------------------------------------------------


def test_incidents_are_counted_per_month_once_each_and_the_undated_are_said(
    corpus: nx.MultiDiGraph,
) -> None:
    causes = [r.concept for r in rank_causes(corpus)]
    per_cause, total, year_only, undated = monthly_counts(corpus, causes)
    assert dict(total) == {"2023-01": 1, "2023-03": 2}
    a = next(c for c in causes if c.endswith("/A"))
    assert dict(per_cause[a]) == {"2023-01": 1, "2023-03": 2}
    assert (year_only, undated) == (1, 1)
    assert months_between("2022-11", "2023-02") == ["2022-11", "2022-12", "2023-01", "2023-02"]


def test_the_trend_chart_is_svg_with_its_text_escaped(corpus: nx.MultiDiGraph) -> None:
    corpus.nodes[next(c for c in nodes_of_kind(corpus, "cause") if c.endswith("/A"))][
        "label_ja"
    ] = "<script>x</script>"
    page = trend_page(corpus, rank_causes(corpus))
    svg = page.figures[0].svg
    assert svg.startswith("<svg") and "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('class="trend-row"') == 1 + 2  # all incidents, then each dated cause


# -- what others did ------------------------------------------------------------------------


def test_a_cause_page_lists_the_measures_that_address_it_by_bodies_with_whether_they_worked(
    corpus: nx.MultiDiGraph,
) -> None:
    a = next(c for c in nodes_of_kind(corpus, "cause") if c.endswith("/A"))
    worked = Effect("M1", "A", 1, 0, 0, 1.5, 1, 1, 2, 1.0, 0)
    table = what_others_did(corpus, a, {("M1", "A"): worked})
    assert [(row[0].text_en, row[1].text, row[2].text) for row in table.rows] == [
        ("M1", "1", "2")  # adopted by one body (堺市) in two incidents
    ]
    assert "a says A" in table.rows[0][4].text or "says M1" in table.rows[0][4].text
    assert table.rows[0][5].text_en == effect_text(worked)[1]
    assert (
        "0 of 1 adopting" in table.rows[0][5].text_en
        and "1 of 1 others" in table.rows[0][5].text_en
    )
    c = next(c for c in nodes_of_kind(corpus, "cause") if c.endswith("/C"))
    assert what_others_did(corpus, c, {}).rows[0][5].text_en == "not followed up"


# -- labels in the chosen language ----------------------------------------------------------


def test_every_relation_drawn_and_every_chain_step_has_a_japanese_name() -> None:
    names = load_names()
    for relation in INCIDENT_RELATIONS:
        ja, _en = names.relation(relation)
        assert ja != relation and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja), relation
    for step in ("harm", *TIER_ORDER, "other"):
        assert names.step(step)[0] != step


def test_an_incident_page_names_its_edges_and_chain_steps_in_japanese(
    seeds_network: nx.MultiDiGraph, tmp_path: Path
) -> None:
    result = write_views(seeds_network, tmp_path / "views")
    incident = next(p for p in result.pages if "/incident/" in p.path.as_posix())
    html = incident.path.read_text("utf-8")
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    labelled = [e for e in data["edges"] if "label" in e]
    assert labelled and all(e["label"] == e["label_ja"] != e["label_en"] for e in labelled)
    assert {"原因", "責任組織"} & {e["label"] for e in labelled}
    chain = html[html.index('id="chain"') :]
    assert '<span class="t-ja" lang="ja">不安全行為</span>' in chain


def test_no_table_cell_shows_both_languages_at_once(
    seeds_network: nx.MultiDiGraph, tmp_path: Path
) -> None:
    """Regression (newcomer walk-through): in Japanese mode the index's cause column read
    `共用端末での手続 / Shared terminal …` and the timeline `2023-03 発生 / 2023-03 Occurred`:
    every name of the project's own vocabulary is a ja/en pair the page language switches."""
    result = write_views(seeds_network, tmp_path / "views")
    top = rank_causes(seeds_network)[0]
    pages = [p for p in result.pages if p.path.name == "index.html" or "/incident/" in str(p.path)]
    for page in pages:
        html = page.path.read_text("utf-8")
        assert f"{top.label_ja} / {top.label_en}" not in html
        assert not re.search(r"発生 / \S+ Occurred", html)
    index = next(p for p in pages if p.path.name == "index.html").path.read_text("utf-8")
    assert f'<span class="t-en" lang="en">{top.label_en}</span>' in index


# -- readable without hovering --------------------------------------------------------------


def test_the_labels_of_the_biggest_nodes_of_the_overview_do_not_overlap(
    seeds_network: nx.MultiDiGraph,
) -> None:
    page = overview_graph(seeds_network, rank_causes(seeds_network), ViewOptions(), load_legend())
    layout(page)
    make_readable(page)
    sizes = sorted((float(n["size"]) for n in page.nodes), reverse=True)
    big = [n for n in page.nodes if n["kind"] != "incident"]
    big = sorted(big, key=lambda n: -float(n["size"]))[:20]
    boxes = [label_box(n) for n in big]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            dx, dy = a.overlap(b, 0.0)
            assert dx <= 0 or dy <= 0
    fonts = {n["id"]: n["font"]["size"] for n in page.nodes}
    top = max(page.nodes, key=lambda n: float(n["size"]))
    assert fonts[top["id"]] == max(fonts.values()) and sizes[0] == float(top["size"])
