"""Views that answer at a glance, in Debian's headless Chromium, offline: the index's search,
filters and sorting, the matrix and trend pages, the overview's labels as vis-network
draws them (the biggest never overlap), Japanese edge labels, and the README's screenshots.

Screenshots are not compared pixel for pixel (fonts, anti-aliasing and Chromium versions
move pixels); they are checked for their size and for holding a drawing (ink on the page).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from incident_kg.analysis.algorithms import rank_causes
from incident_kg.views import ViewsResult, write_views
from incident_kg.views.graphs import cause_page

from .screenshots import VIEWPORT, take
from .test_views_browser import _assert_clean, browser, visit  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def views(seeds_network: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> ViewsResult:
    return write_views(seeds_network, tmp_path_factory.mktemp("glance") / "views")


def _open(browser: Any, path: Path) -> Any:  # noqa: F811
    context = browser.new_context(offline=True, viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    page.wait_for_function("document.body.getAttribute('data-ready') === 'true'")
    page.errors = errors
    return page


def _visible_codes(page: Any) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#shared-causes tbody tr'))"
        ".filter(r => !r.hidden).map(r => r.cells[1].innerText.trim())"
    )


def test_the_index_searches_filters_by_tier_body_and_period_and_sorts(
    views: ViewsResult,
    seeds_network: nx.MultiDiGraph,
    browser: Any,  # noqa: F811
) -> None:
    ranking = rank_causes(seeds_network)
    page = _open(browser, views.out / "index.html")
    assert _visible_codes(page) == [r.code for r in ranking]
    page.fill("#filter-text", ranking[1].label_ja)
    assert _visible_codes(page) == [ranking[1].code]
    page.fill("#filter-text", "")
    page.select_option("#filter-tier", "supervision")
    assert _visible_codes(page) == [r.code for r in ranking if r.tier == "supervision"]
    assert page.inner_text("[data-shown-of=shared-causes]").startswith(
        f"({sum(r.tier == 'supervision' for r in ranking)} /"
    )
    page.click("#filter-reset")
    page.wait_for_function("document.getElementById('filter-tier').value === ''")
    page.wait_for_timeout(50)
    assert len(_visible_codes(page)) == len(ranking)
    # a period with no incident leaves no cause; the whole range leaves every one
    page.fill("#filter-from", "1990-01")
    page.fill("#filter-to", "1990-02")
    page.dispatch_event("#filter-to", "change")
    assert _visible_codes(page) == []
    page.click("#filter-reset")
    page.wait_for_timeout(50)
    body = page.evaluate("document.querySelector('#filter-bodies option').value")
    page.fill("#filter-body", body)
    shown = _visible_codes(page)
    assert 0 < len(shown) <= len(ranking)
    page.fill("#filter-body", "")
    # sorting: a click on "incidents" sorts ascending, a second descending
    page.click("#shared-causes th:nth-child(7)")
    counts = page.evaluate(
        "Array.from(document.querySelectorAll('#shared-causes tbody tr')).map(r => +r.cells[6].innerText)"
    )
    assert counts == sorted(counts)
    page.click("#shared-causes th:nth-child(7)")
    counts = page.evaluate(
        "Array.from(document.querySelectorAll('#shared-causes tbody tr')).map(r => +r.cells[6].innerText)"
    )
    assert counts == sorted(counts, reverse=True)
    assert page.errors == []
    page.context.close()


def test_the_matrix_and_the_trend_show_offline_in_both_languages(
    views: ViewsResult,
    browser: Any,  # noqa: F811
) -> None:
    page = _open(browser, views.out / "matrix.html")
    assert page.evaluate("document.querySelectorAll('#matrix td[class*=heat-]').length") > 0
    assert page.is_visible("#matrix tr[data-group] .t-ja")
    page.click("button[data-set-lang=en]")
    assert page.is_visible("#matrix thead .t-en") and not page.is_visible("#matrix thead .t-ja")
    assert page.errors == []
    page.context.close()
    page = _open(browser, views.out / "trend.html")
    rows = page.evaluate("document.querySelectorAll('#trend svg g.trend-row').length")
    assert rows >= 2
    box = page.query_selector("#trend svg").bounding_box()
    assert box["width"] > 800 and box["height"] > 60
    assert page.errors == []
    page.context.close()


def test_the_biggest_labels_of_the_overview_do_not_overlap_as_drawn(
    views: ViewsResult,
    visit: Any,  # noqa: F811
) -> None:
    v = visit(views.page("overview.html").path)
    boxes = v.page.evaluate(
        """() => {
            const nodes = ikgView.nodes.get().filter(n => n.kind !== 'incident')
                .sort((a, b) => b.size - a.size).slice(0, 20);
            return nodes.map(n => [n.id, ikgView.network.getBoundingBox(n.id)]);
        }"""
    )
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            apart = (
                box_a["right"] <= box_b["left"]
                or box_b["right"] <= box_a["left"]
                or box_a["bottom"] <= box_b["top"]
                or box_b["bottom"] <= box_a["top"]
            )
            assert apart, (a, b)
    # the biggest label reads at 12 pixels or more at the zoom the page opens with
    scale = v.page.evaluate("ikgView.network.getScale()")
    biggest = v.page.evaluate("ikgView.nodes.get().sort((a, b) => b.size - a.size)[0].font.size")
    assert biggest * scale >= 12
    _assert_clean(v)


def test_edge_labels_follow_the_language(views: ViewsResult, visit: Any) -> None:  # noqa: F811
    incident = next(p for p in views.pages if "/incident/" in p.path.as_posix())
    v = visit(incident.path)
    labels = v.page.evaluate("ikgView.edges.get().filter(e => e.label).map(e => e.label)")
    assert labels and "原因" in labels and "has_cause" not in labels
    v.page.click("button[data-set-lang=en]")
    labels = v.page.evaluate("ikgView.edges.get().filter(e => e.label).map(e => e.label)")
    assert "cause" in labels and "原因" not in labels
    _assert_clean(v)


def test_the_readme_screenshots_can_be_taken_and_hold_a_drawing(
    views: ViewsResult,
    seeds_network: nx.MultiDiGraph,
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    from PIL import Image

    cause = cause_page(seeds_network, rank_causes(seeds_network)[0].concept)
    for path in take(browser, views.out, tmp_path, cause):
        image = Image.open(path).convert("L")
        assert image.size == (VIEWPORT["width"], VIEWPORT["height"])
        ink = sum(image.histogram()[:200]) / (image.size[0] * image.size[1])
        assert ink > 0.01, path.name  # not a blank page
    committed = Path(__file__).resolve().parents[2] / "views" / "screenshots"
    assert sorted(p.name for p in committed.glob("*.png")) == sorted(
        p.name for p in tmp_path.glob("*.png")
    )


def test_the_index_search_box_sort_hints_and_matrix_titles_follow_the_page_language(
    views: ViewsResult,
    browser: Any,  # noqa: F811
) -> None:
    """Regression (second walk-through): the search box and the sort hint carried both
    languages, and the matrix's cell titles stayed Japanese in English mode."""
    page = _open(browser, views.out / "index.html")
    placeholder = 'document.getElementById("filter-text").placeholder'
    hint = 'document.querySelector("th[tabindex]").title'
    assert page.evaluate(placeholder).startswith("コード") and "/" not in page.evaluate(hint)
    page.click("button[data-set-lang=en]")
    assert page.evaluate(placeholder).startswith("code") and page.evaluate(hint) == "click to sort"
    matrix = _open(browser, views.out / "matrix.html")
    title = 'document.querySelector("#matrix td.num[title]").title'
    japanese = matrix.evaluate(title)
    matrix.click("button[data-set-lang=en]")
    english = matrix.evaluate(title)
    cause = english.split(" × ")[1].rsplit(":", 1)[0]  # a body keeps its one (Japanese) name
    assert japanese != english and cause.isascii() and not japanese.split(" × ")[1].isascii()
    assert page.errors == [] and matrix.errors == []
