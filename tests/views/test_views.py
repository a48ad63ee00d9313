"""The HTML views (views/pages.py) as files: what the pages hold, their limits, their escaping,
and that nothing in them points off the machine. Drawing them is tested in
test_views_browser.py."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_kg.analysis.algorithms import rank_causes
from incident_kg.analysis.network import (
    incident_bodies,
    load_network,
    nodes_of_kind,
    sources,
    targets,
)
from incident_kg.cli import main
from incident_kg.graph.store import GraphStore
from incident_kg.views import (
    ViewError,
    ViewOptions,
    build_pages,
    load_legend,
    overview_graph,
    write_views,
)

from ..made_network import CAUSE_TIERS, ID, Made, made_network


class _Links(HTMLParser):
    """Every URL a page loads or links to (src, href, and url() in inline styles)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action", "data") and value is not None:
                self.urls.append(value)
            if name == "style" and value and "url(" in value:
                self.urls.append(value)


def _large(incidents: int, bodies: int) -> nx.MultiDiGraph:
    codes = list(CAUSE_TIERS)
    return made_network(
        {
            f"x{n}": Made(
                f"r{n % 50}",
                [f"body{n % bodies}"],
                causes=[codes[n % 4], codes[(n // 4) % 4]],
                measures=[f"M{1 + n % 3}"],
            )
            for n in range(incidents)
        }
    )


@pytest.fixture(scope="module")
def seeds_views(seeds_network: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return write_views(seeds_network, tmp_path_factory.mktemp("views") / "out")


def test_every_cause_and_incident_gets_a_page_and_the_index_links_them(
    seeds_network: nx.MultiDiGraph, seeds_views
) -> None:  # type: ignore[no-untyped-def]
    out = seeds_views.out
    causes = {
        c for c in nodes_of_kind(seeds_network, "cause") if targets(seeds_network, c, "in_tier")
    }
    assert len(list((out / "cause").glob("*.html"))) == len(
        [c for c in causes if any(True for _ in seeds_network.predecessors(c))]
    )
    assert len(list((out / "incident").glob("*.html"))) == len(
        nodes_of_kind(seeds_network, "incident")
    )
    parser = _Links()
    parser.feed((out / "index.html").read_text("utf-8"))
    linked = {u for u in parser.urls if u.startswith(("cause/", "incident/"))}
    pages = {p.relative_to(out).as_posix() for p in out.glob("*/*.html")}
    assert linked == pages


def test_no_page_loads_or_links_anything_off_the_machine(seeds_views) -> None:  # type: ignore[no-untyped-def]
    out = seeds_views.out
    for page in out.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text("utf-8"))
        for url in parser.urls:
            assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", url, re.I), (page, url)
            if not url.startswith("#"):  # every link resolves to a file that was written
                assert (page.parent / url.split("#")[0]).resolve().is_file(), (page, url)
    # the scripts beside the pages do not fetch anything either
    for script in (out / "lib").glob("*.js"):
        text = script.read_text("utf-8")
        assert "fetch(" not in text and "XMLHttpRequest" not in text.replace("XMLHttpRequest=", "")


def test_the_overview_of_the_seeds_holds_incidents_causes_bodies_and_countermeasures(
    seeds_network: nx.MultiDiGraph, seeds_views
) -> None:  # type: ignore[no-untyped-def]
    html = (seeds_views.out / "overview.html").read_text("utf-8")
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    kinds = {n["kind"] for n in data["nodes"]}
    assert kinds == {"incident", "cause", "organization", "countermeasure"}
    incidents = [
        i
        for i in nodes_of_kind(seeds_network, "incident")
        if targets(seeds_network, i, "has_cause")
    ]
    bodies = {b for i in incidents for b in incident_bodies(seeds_network, i)}
    measures = {m for i in incidents for m in targets(seeds_network, i, "has_countermeasure")}
    causes = {c for i in incidents for c in targets(seeds_network, i, "has_cause")}
    assert len(data["nodes"]) == len(incidents) + len(bodies) + len(measures) + len(causes)
    assert seeds_views.page("overview.html").nodes == len(data["nodes"])
    # sizes grow with spread: the top-ranked cause is drawn largest of the causes
    top = rank_causes(seeds_network)[0].concept
    cause_sizes = {n["id"]: n["size"] for n in data["nodes"] if n["kind"] == "cause"}
    assert cause_sizes[top] == max(cause_sizes.values())
    # the legend names exactly the kinds drawn, in both languages
    legend = re.findall(r'<li data-kind="([a-z]+)"', html)
    assert set(legend) == kinds
    assert all(n["label_ja"] and n["label_en"] for n in data["nodes"])


@settings(max_examples=8, deadline=None)
@given(incidents=st.integers(min_value=1, max_value=400), top=st.integers(min_value=1, max_value=4))
def test_the_overview_stays_within_its_limits(incidents: int, top: int) -> None:
    g = _large(incidents, bodies=90)
    options = ViewOptions(top=top, max_incidents=100, max_bodies=30)
    ranking = rank_causes(g)
    page = overview_graph(g, ranking, options, load_legend())
    kinds = [n["kind"] for n in page.nodes]
    # the top causes, or every cause when there are fewer (one incident may have one cause)
    assert kinds.count("cause") == min(top, len(ranking))
    causes = [n["id"] for n in page.nodes if n["kind"] == "cause"]
    behind = {i for c in causes for i in sources(g, c, "has_cause")}
    if len(behind) > 100:  # folded: no incident is drawn, edges carry the counts
        assert "incident" not in kinds
        assert kinds.count("organization") <= 30
        assert any("folded" in en for _, en in page.notes)
        assert all(e["value"] >= 1 for e in page.edges)
    else:
        assert kinds.count("incident") == len(behind)
    ids = {n["id"] for n in page.nodes}
    assert all(e["from"] in ids and e["to"] in ids for e in page.edges)


def test_the_overview_can_show_one_tier_or_one_organisation() -> None:
    g = made_network(
        {
            "x1": Made("r1", ["north"], causes=["A", "C"], measures=["M1"]),
            "x2": Made("r2", ["south"], causes=["C"]),
            "x3": Made("r3", ["south"], causes=["B"]),
        }
    )
    legend = load_legend()
    ranking = rank_causes(g)
    by_tier = overview_graph(g, ranking, ViewOptions(tier="supervision"), legend)
    assert {n["label_en"] for n in by_tier.nodes if n["kind"] == "cause"} == {"cause C"}
    south = overview_graph(g, ranking, ViewOptions(organization="south"), legend)
    assert {n["id"] for n in south.nodes if n["kind"] == "incident"} == {f"{ID}x2", f"{ID}x3"}
    with pytest.raises(ViewError, match="no organisation"):
        overview_graph(g, ranking, ViewOptions(organization="nowhere"), legend)
    with pytest.raises(ViewError, match="no cause tier"):
        build_pages(g, ViewOptions(tier="no-such-tier"), legend)


def test_report_markup_is_data_in_the_pages_never_markup(
    xss_store_path: Path, tmp_path: Path
) -> None:
    with GraphStore.open(xss_store_path, read_only=True) as store:
        g = load_network(store)
    result = write_views(g, tmp_path / "out")
    for page in result.pages:
        html = page.path.read_text("utf-8")
        assert "<script>window.__xss" not in html and "<img src=x" not in html, page.path
        # the only <script> elements are the page's own
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all(
            s in ('<script type="application/json" id="graph-data">',) or "src=" in s
            for s in scripts
        )
        assert not re.search(r"<img\b", html)
    incident_page = next(p for p in result.pages if "/incident/" in str(p.path))
    html = incident_page.path.read_text("utf-8")
    assert "&lt;script&gt;window.__xss_title=1;alert(1)&lt;/script&gt;" in html  # a table cell
    assert "\\u003cscript\\u003ewindow.__xss_title" in html  # the graph data


def test_view_command_writes_the_pages_and_says_where(
    seeds_store_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "views"
    result = CliRunner().invoke(
        main, ["-q", "view", "--store", str(seeds_store_path), "--output", str(out), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "overview:" in result.output and str(out / "index.html") in result.output
    assert 'data-lang="en"' in (out / "overview.html").read_text("utf-8")
    bad = CliRunner().invoke(
        main, ["view", "--store", str(seeds_store_path), "--output", str(out), "--tier", "nope"]
    )
    assert bad.exit_code == 2 and bad.output.startswith("Error: no cause tier")


def test_writing_again_leaves_no_page_of_a_former_run(
    seeds_views, seeds_network: nx.MultiDiGraph
) -> None:  # type: ignore[no-untyped-def]
    stale = seeds_views.out / "cause" / "NoLongerStated.html"
    stale.write_text("old", "utf-8")
    again = write_views(seeds_network, seeds_views.out)
    assert not stale.exists()
    assert {p.path for p in again.pages} == {p.path for p in seeds_views.pages}


@pytest.mark.parametrize(
    "option", [("--incident", "003_4a1ccabbb4d700a7/incident/2"), ("--cause", "SharedDevice")]
)
def test_one_page_is_the_page_of_the_whole_view_redacted_alike(
    seeds_store_path: Path, tmp_path: Path, option: tuple[str, str]
) -> None:
    """Issue 17 × 16: `view --incident/--cause` reads the details of what it draws only, and
    they go through the same pseudonyms and redaction as the whole view's: the same page."""
    store = ["--store", str(seeds_store_path)]
    whole = CliRunner().invoke(main, ["-q", "view", *store, "--output", str(tmp_path / "all")])
    assert whole.exit_code == 0, whole.output
    one = CliRunner().invoke(
        main, ["-q", "view", *store, "--output", str(tmp_path / "one"), *option]
    )
    assert one.exit_code == 0, one.output
    (page,) = [p for p in (tmp_path / "one").rglob("*.html")]
    assert "003_4a1ccabbb4d700a7" not in page.name  # a pseudonym, not the file's name
    same = tmp_path / "all" / page.relative_to(tmp_path / "one")
    assert page.read_text("utf-8") == same.read_text("utf-8")
