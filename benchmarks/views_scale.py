"""Views at scale (issue 5): does the overview's limit keep it usable as the corpus grows?

The overview draws at most ``--top`` causes and, past ``max_incidents`` incidents, folds
the incidents into weighted cause–body and cause–countermeasure edges (views/pages.py).
This benchmark measures what that buys against a baseline, the same overview with no
limit (every cause, every incident, every body), on made-up projections of N incidents
(40 causes, 300 bodies, 20 countermeasures; each incident has 2–3 causes, 1–2 bodies and
1–2 countermeasures, drawn with a fixed seed), built through the real ``build_network``.

For each size and each variant it measures, as the median of K runs:

* **write**: building, laying out and writing the page (``write_views`` of the overview
  alone: ``build_pages`` is cut down to it);
* **draw**: opening the page in headless Chromium (Debian's, offline) until vis-network's
  first ``afterDrawing``;
* the nodes and edges drawn.

Run::

    .venv/bin/python -m benchmarks.views_scale [--incidents N ...] [--repeat K] [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx

from benchmarks.results import write_section
from incident_kg import views
from incident_kg.analysis.algorithms import rank_causes
from incident_kg.analysis.network import TIER_ORDER, build_network

IKG = "https://w3id.org/incident-kg/ontology#"
CODE = "https://w3id.org/incident-kg/code/"
ID = "https://example.org/id/"
SECTION = "## Views at scale (issue 5)"


def corpus(incidents: int, *, seed: int = 5) -> nx.MultiDiGraph:
    """A made-up projection of ``incidents`` incidents (see the module doc)."""
    rnd = random.Random(seed)
    concepts: list[dict[str, str | None]] = [
        {"concept": f"{CODE}tier-{t}", "code": t, "scheme": f"{CODE}causes", "is_tier": "true"}
        for t in TIER_ORDER
    ]
    causes = [f"C{n}" for n in range(40)]
    measures = [f"M{n}" for n in range(20)]
    for n, c in enumerate(causes):
        tier = TIER_ORDER[n % 4]
        concepts.append(
            {
                "concept": f"{CODE}{c}",
                "code": c,
                "scheme": f"{CODE}causes",
                "tier": f"{CODE}tier-{tier}",
                "is_tier": "false",
            }
        )
    concepts += [
        {"concept": f"{CODE}{m}", "code": m, "scheme": f"{CODE}countermeasures"} for m in measures
    ]
    rows: dict[str, list[dict[str, str | None]]] = {
        "concepts": concepts,
        "incidents": [],
        "coded-facts": [],
        "organizations": [],
    }
    weights = [1 / (1 + n) for n in range(len(causes))]  # a few causes are common
    for i in range(incidents):
        inc = f"{ID}i{i}"
        rows["incidents"].append(
            {
                "incident": inc,
                "report": f"{ID}r{i // 2}",
                "report_id": f"r{i // 2}",
                "label": f"事案 {i}",
                "key": f"incident-{i % 2 + 1}",
            }
        )
        picked = {*rnd.choices(causes, weights, k=rnd.randint(2, 3))}
        for prop, codes in (
            ("hasCause", picked),
            ("hasCountermeasure", rnd.sample(measures, rnd.randint(1, 2))),
        ):
            for code in codes:
                rows["coded-facts"].append(
                    {
                        "incident": inc,
                        "property": f"{IKG}{prop}",
                        "concept": f"{CODE}{code}",
                        "sentence": f"{i} {code}",
                        "start": "0",
                        "end": "4",
                    }
                )
        for b in rnd.sample(range(300), rnd.randint(1, 2)):
            rows["organizations"].append(
                {
                    "incident": inc,
                    "relation": f"{IKG}responsibleOrganization",
                    "organization": f"{ID}org/{b}",
                    "label": f"団体{b}",
                }
            )
    return build_network(rows)


def write_overview(g: nx.MultiDiGraph, out: Path, options: views.ViewOptions) -> tuple[int, int]:
    """Write the overview page alone (and its lib/); its node and edge counts."""
    legend = views.load_legend()
    page = views.Page(
        "overview.html",
        ("全体図", "Overview"),
        views.overview_graph(g, rank_causes(g), options, legend),
    )
    views.copy_assets(out / "lib")
    html, graph = views.render_page(views.template_environment(), page, options.lang, legend)
    (out / "overview.html").write_text(html, "utf-8")
    assert graph is not None
    return len(graph["nodes"]), len(graph["edges"])


def draw_seconds(browser: object, page_path: Path) -> float:
    context = browser.new_context(offline=True)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(page_path.as_uri())
        page.wait_for_function("window.ikgView && window.ikgView.drawn === true", timeout=900_000)
        return time.perf_counter() - start
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[100, 500, 1500])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    variants = {
        "no limit (baseline)": views.ViewOptions(top=10**6, max_incidents=10**9, max_bodies=10**9),
        "limited (defaults)": views.ViewOptions(),
    }
    lines = [
        SECTION,
        "",
        f"- Machine: {platform.platform()}, {platform.machine()}",
        f"- Date: {dt.datetime.now(dt.UTC).isoformat(timespec='minutes')}",
        f"- Command: `.venv/bin/python -m benchmarks.views_scale --incidents "
        f"{' '.join(map(str, args.incidents))} --repeat {args.repeat}`",
        "",
        "| incidents | variant | nodes | edges | write, s | draw in Chromium, s | "
        "baseline/limited (write + draw) |",
        "|--:|---|--:|--:|--:|--:|--:|",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"],
        )
        for n in args.incidents:
            g = corpus(n)
            totals = {}
            for name, options in variants.items():
                writes, draws = [], []
                for _ in range(args.repeat):
                    with tempfile.TemporaryDirectory() as tmp:
                        start = time.perf_counter()
                        nodes, edges = write_overview(g, Path(tmp), options)
                        writes.append(time.perf_counter() - start)
                        draws.append(draw_seconds(browser, Path(tmp) / "overview.html"))
                w, d = statistics.median(writes), statistics.median(draws)
                totals[name] = w + d
                ratio = totals["no limit (baseline)"] / totals[name]
                lines.append(
                    f"| {n} | {name} | {nodes} | {edges} | {w:.2f} | {d:.2f} | {ratio:.1f}× |"
                )
                print(lines[-1], flush=True)
        browser.close()
    lines.append("")
    write_section(args.out, SECTION, "\n".join(lines))


if __name__ == "__main__":
    main()
