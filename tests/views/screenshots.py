"""Screenshots of the views for views/README.md: the index (filtered to one tier), the cause
× body matrix, a cause page and the overview, taken in Debian's headless Chromium from the
views of the sample corpus (samples/reports, redacted as ``incident-kg view`` writes them).

Regenerate (after a change to the views)::

    make screenshots     # .venv/bin/python -m tests.views.screenshots views/screenshots

The browser tests take the same screenshots into a temporary folder
(test_views_glance_browser.py).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The browser window of every screenshot (the tests' too).
VIEWPORT = {"width": 1400, "height": 900}
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@dataclass(frozen=True)
class Shot:
    """One screenshot: the page, what to do on it first (JavaScript), and the file name."""

    page: str
    name: str
    script: str = ""


def shots(cause_page: str) -> list[Shot]:
    """The four screenshots of the README, ``cause_page`` the cause shown."""
    return [
        Shot(
            "index.html",
            "index.png",
            "const t = document.getElementById('filter-tier'); t.value = 'unsafe-act';"
            "t.dispatchEvent(new Event('change', {bubbles: true}));"
            "document.querySelector('#shared-causes th:nth-child(7)').click();"
            "document.querySelector('#shared-causes th:nth-child(7)').click();",
        ),
        Shot("matrix.html", "matrix.png"),
        Shot(cause_page, "cause.png"),
        Shot("overview.html", "overview.png"),
    ]


def take(browser: Any, views: Path, out: Path, cause_page: str) -> list[Path]:
    """Take the screenshots of the views in ``views`` into ``out`` (offline: no request
    leaves the file system); the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for shot in shots(cause_page):
        context = browser.new_context(offline=True, viewport=VIEWPORT)
        page = context.new_page()
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto((views / shot.page).as_uri())
        page.wait_for_function("document.body.getAttribute('data-ready') === 'true'")
        if (views / shot.page).read_text("utf-8").find('id="graph-data"') >= 0:
            page.wait_for_function("window.ikgView && window.ikgView.drawn === true")
        if shot.script:
            page.evaluate(shot.script)
        target = out / shot.name
        page.screenshot(path=str(target))
        written.append(target)
        context.close()
    return written


def main(out: str) -> None:  # pragma: no cover (a maintainer's command)
    """Build the sample corpus's store and views in a temporary folder, then screenshot."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from incident_kg.analysis.algorithms import rank_causes
    from incident_kg.analysis.network import load_network
    from incident_kg.export.serialize import store_pseudonymiser
    from incident_kg.graph.build import build, default_extractor
    from incident_kg.graph.store import GraphStore
    from incident_kg.ontology.namespaces import DEFAULT_BASE
    from incident_kg.privacy.redact import load_rules
    from incident_kg.views import redact_network, write_views
    from incident_kg.views.graphs import cause_page

    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as tmp:
        store_dir, views = Path(tmp) / "store", Path(tmp) / "views"
        rules = load_rules()
        with GraphStore.open(store_dir, create=True) as store:
            build(
                [root / "samples" / "reports"],
                store,
                base=DEFAULT_BASE,
                extractor=default_extractor(),
            )
            g = load_network(store)
            g, _ = redact_network(g, rules, store_pseudonymiser(store, rules))
        write_views(g, views)
        cause = cause_page(g, rank_causes(g)[0].concept)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            for path in take(browser, views, Path(out), cause):
                print(path)
            browser.close()


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1] if len(sys.argv) > 1 else "views/screenshots")
