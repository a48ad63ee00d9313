"""The views in a real browser: Debian's headless Chromium, driven by Playwright, offline.

Each page must draw its network with the node and edge counts that were written, raise no
console or page error, make no request that is not a file beside it, show a node's tooltip
and details on hover and click, switch its labels between Japanese and English, and show a
report's markup as text without running it. Screenshots go to pytest's tmp_path.

Chromium is installed by ``make check`` (``make browser``: apt-get, never a Playwright
download). Without it these tests fail, unless INCIDENT_KG_NO_BROWSER=1 says to skip them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from incident_kg.analysis.algorithms import rank_causes
from incident_kg.analysis.network import load_network
from incident_kg.graph.store import GraphStore
from incident_kg.views import ViewsResult, write_views

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if os.environ.get("INCIDENT_KG_NO_BROWSER") == "1":
        pytest.skip("INCIDENT_KG_NO_BROWSER=1")
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make browser` (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


@dataclass
class Visit:
    """A page opened offline, with everything it asked for and everything that went wrong."""

    page: Any
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    """Open a page in a fresh browser context (its own empty profile), offline, with every
    request recorded and any that is not a local file refused."""
    contexts: list[Any] = []

    def open_page(path: Path, *, lang: str | None = None) -> Visit:
        context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        v = Visit(page)

        def route(r: Any) -> None:
            url = r.request.url
            v.requests.append(url)
            if url.startswith(("file:", "data:")):
                r.continue_()
            else:
                v.blocked.append(url)
                r.abort()

        context.route("**/*", route)
        page.on(
            "console", lambda m: v.errors.append(m.text) if m.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda e: v.errors.append(str(e)))
        page.on("dialog", lambda d: (v.dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_function("window.ikgView && window.ikgView.drawn === true", timeout=30_000)
        return v

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def seeds_views(
    seeds_network: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory
) -> ViewsResult:
    return write_views(seeds_network, tmp_path_factory.mktemp("browser") / "views")


def _counts(v: Visit) -> tuple[int, int, int]:
    nodes, edges, positions = v.page.evaluate(
        "[ikgView.nodes.length, ikgView.edges.length, Object.keys(ikgView.network.getPositions()).length]"
    )
    return nodes, edges, positions


def _node_point(v: Visit, node_id: str) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates."""
    x, y = v.page.evaluate(
        """(id) => {
            const p = ikgView.network.canvasToDOM(ikgView.network.getPositions([id])[id]);
            const box = document.querySelector('#network canvas').getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        node_id,
    )
    return x, y


def _assert_clean(v: Visit) -> None:
    assert v.errors == []
    assert v.blocked == []
    assert v.dialogs == []
    assert v.requests and all(u.startswith("file:") for u in v.requests)


def test_the_overview_draws_every_node_and_edge_offline(
    seeds_views: ViewsResult, visit: Any, tmp_path: Path
) -> None:
    written = seeds_views.page("overview.html")
    v = visit(written.path)
    assert _counts(v) == (written.nodes, written.edges, written.nodes)
    _assert_clean(v)
    shot = tmp_path / "overview.png"
    v.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_hovering_and_clicking_a_node_shows_its_tooltip_and_details(
    seeds_views: ViewsResult, seeds_network: nx.MultiDiGraph, visit: Any, tmp_path: Path
) -> None:
    top = rank_causes(seeds_network)[0]
    v = visit(seeds_views.page("overview.html").path)
    x, y = _node_point(v, top.concept)
    v.page.mouse.move(x, y)
    tooltip = v.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    assert top.label_ja in tooltip.inner_text() and f"拡がり {top.spread}" in tooltip.inner_text()
    v.page.mouse.click(x, y)
    details = v.page.inner_text("#details")
    assert top.label_ja in details and f"コード: {top.code}" in details
    assert v.page.get_attribute("#details a", "href") == f"cause/{top.code}.html"
    v.page.screenshot(path=str(tmp_path / "tooltip.png"))
    _assert_clean(v)


def test_tooltips_and_details_follow_the_page_language(
    seeds_views: ViewsResult, seeds_network: nx.MultiDiGraph, visit: Any
) -> None:
    """Issue 20: in Japanese mode the tooltips said "score · spread · incidents" in English;
    each of the page's own words now follows the language switch."""
    top = rank_causes(seeds_network)[0]
    v = visit(seeds_views.page("overview.html").path)
    title = f"ikgView.nodes.get({json.dumps(top.concept)}).title.innerText"
    assert "拡がり" in v.page.evaluate(title) and "spread" not in v.page.evaluate(title)
    v.page.click("button[data-set-lang=en]")
    shown = v.page.evaluate(title)
    assert f"spread {top.spread}" in shown and top.label_en in shown and "拡がり" not in shown
    x, y = _node_point(v, top.concept)
    v.page.mouse.click(x, y)
    details = v.page.inner_text("#details")
    assert f"code: {top.code}" in details and "Open its page" in details
    v.page.click("button[data-set-lang=ja]")  # the panel follows the switch
    details = v.page.inner_text("#details")
    assert f"コード: {top.code}" in details and "Open its page" not in details
    _assert_clean(v)


def test_labels_switch_between_japanese_and_english(
    seeds_views: ViewsResult, seeds_network: nx.MultiDiGraph, visit: Any
) -> None:
    top = rank_causes(seeds_network)[0]
    v = visit(seeds_views.page("overview.html").path)
    node = f"ikgView.nodes.get({json.dumps(top.concept)})"
    assert v.page.evaluate(node + ".label") == v.page.evaluate(node + ".label_ja")
    shown = v.page.evaluate(node + ".label")
    assert shown.endswith(f"（{top.incidents}）")  # how often it recurs, without hovering
    assert top.label_ja.startswith(shown.removesuffix(f"（{top.incidents}）").rstrip("…"))
    v.page.click("button[data-set-lang=en]")
    assert v.page.evaluate(node + ".label") == v.page.evaluate(node + ".label_en")
    shown = v.page.evaluate(node + ".label")
    assert top.label_en.startswith(shown.removesuffix(f" ({top.incidents})").rstrip("…"))
    assert v.page.is_visible("li[data-kind=cause] .t-en")
    assert not v.page.is_visible("li[data-kind=cause] .t-ja")
    v.page.click("button[data-set-lang=ja]")
    assert v.page.evaluate(node + ".label") == v.page.evaluate(node + ".label_ja")
    _assert_clean(v)


def test_a_cause_page_and_an_incident_page_draw_with_their_evidence(
    seeds_views: ViewsResult, seeds_network: nx.MultiDiGraph, visit: Any, tmp_path: Path
) -> None:
    top = rank_causes(seeds_network)[0]
    written = seeds_views.page(f"cause/{top.code}.html")
    v = visit(written.path)
    assert _counts(v) == (written.nodes, written.edges, written.nodes)
    _assert_clean(v)
    incident = next(p for p in seeds_views.pages if "/incident/" in p.path.as_posix())
    v = visit(incident.path)
    assert _counts(v) == (incident.nodes, incident.edges, incident.nodes)
    # every cause node's tooltip quotes the sentence that states it
    tips = v.page.evaluate(
        "ikgView.nodes.get().filter(n => n.kind === 'cause').map(n => n.title.innerText)"
    )
    assert tips and all("「" in t for t in tips)
    v.page.screenshot(path=str(tmp_path / "incident.png"), full_page=True)
    _assert_clean(v)


def test_a_report_with_markup_shows_it_as_text_and_runs_nothing(
    xss_store_path: Path, visit: Any, tmp_path: Path
) -> None:
    with GraphStore.open(xss_store_path, read_only=True) as store:
        g = load_network(store)
    result = write_views(g, tmp_path / "views")
    ran = "[window.__xss_title, window.__xss_img, typeof window.alert]"
    for written in result.pages:
        if written.nodes == 0:
            continue
        v = visit(written.path)
        assert v.page.evaluate(ran) == [None, None, "function"], written.path
        _assert_clean(v)
        labels = v.page.evaluate("ikgView.nodes.get().map(n => n.title.innerText).join('\\n')")
        if "/incident/" in written.path.as_posix():
            # the markup is shown, character for character, in tooltips and tables
            assert "<script>window.__xss_title=1;alert(1)</script>" in labels
            assert '<img src=x onerror="window.__xss_img=1">' in labels
            assert "<script>window.__xss_title" in v.page.inner_text("#chain")
            # hovering the incident shows the text (and still runs nothing)
            incident = v.page.evaluate("ikgView.nodes.get().find(n => n.kind === 'incident').id")
            x, y = _node_point(v, incident)
            v.page.mouse.move(x, y)
            tooltip = v.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
            assert "<script>" in tooltip.inner_text()
            assert v.page.query_selector("div.vis-tooltip img") is None
            v.page.screenshot(path=str(tmp_path / "xss.png"))
            assert v.page.evaluate(ran) == [None, None, "function"]
    assert v.dialogs == []
