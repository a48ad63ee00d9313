"""Issue 17: a cause page over the cap (views/folded.py) lists its most recent incidents,
says how many it leaves out, and counts every incident in its network and in "what others
did"; under the cap it is the page it was."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
from click.testing import CliRunner

from incident_kg.analysis.linked import MeasureLink
from incident_kg.cli import main
from incident_kg.privacy.redact import load_rules
from incident_kg.views import ViewOptions, build_pages, load_legend, redact_network

from ..made_network import CODE, ID, Made, made_network


def _cause_a(incidents: int) -> nx.MultiDiGraph:
    """``incidents`` incidents of cause A in 7 bodies, every other one with cause B too."""
    return made_network(
        {
            f"x{n:02d}": Made(
                f"r{n}", [f"body{n % 7}"], causes=["A", *(["B"] if n % 2 else [])], measures=["M1"]
            )
            for n in range(incidents)
        }
    )


def _page(g: nx.MultiDiGraph, max_incidents: int):  # type: ignore[no-untyped-def]
    (page,) = build_pages(g, ViewOptions(cause="A", max_incidents=max_incidents), load_legend())
    return page


def _listed(page) -> list[str]:  # type: ignore[no-untyped-def]
    (table,) = [t for t in page.tables if t.id == "timeline"]
    return [row[1].text for row in table.rows]


def test_a_cause_page_over_the_cap_lists_the_cap_and_says_how_many_it_leaves_out() -> None:
    page = _page(_cause_a(12), max_incidents=5)
    assert len(_listed(page)) == 5
    assert any("5 most recent of 12 incidents listed; the other 7" in en for _, en in page.notes)
    assert any(
        "incident-kg query incidents-for-cause --param cause=A" in en for _, en in page.notes
    )
    # the network still counts every incident: the edges to the bodies add up to 12
    assert sum(e["value"] for e in page.graph.edges if e["to"].startswith(f"{ID}org/")) == 12
    (measures,) = [t for t in page.tables if t.id == "measures"]
    assert [row[2].text for row in measures.rows] == ["12"]  # incidents that adopted M1


def test_under_the_cap_a_cause_page_lists_every_incident_and_notes_nothing() -> None:
    g = _cause_a(12)
    page = _page(g, max_incidents=12)
    assert sorted(_listed(page)) == sorted(f"incident x{n:02d}" for n in range(12))
    assert page.notes == ()
    assert page.tables == _page(g, max_incidents=100).tables


def test_one_capped_cause_page_is_the_page_of_the_whole_view_capped_alike(
    seeds_store_path: Path, tmp_path: Path
) -> None:
    """`view --cause` past --max-incidents counts before cutting the page's part out and
    redacting it: the same page as the whole view's, with the same limit."""
    store = ["--store", str(seeds_store_path), "--max-incidents", "1"]
    whole = CliRunner().invoke(main, ["-q", "view", *store, "--output", str(tmp_path / "all")])
    assert whole.exit_code == 0, whole.output
    folded = [
        p
        for p in (tmp_path / "all" / "cause").glob("*.html")
        if "most recent of" in p.read_text("utf-8")
    ]
    assert folded  # some cause of the seeds has more than one incident
    for same in folded:
        one = CliRunner().invoke(
            main,
            ["-q", "view", *store, "--output", str(tmp_path / "one"), "--cause", same.stem],
        )
        assert one.exit_code == 0, one.output
        page = (tmp_path / "one" / "cause" / same.name).read_text("utf-8")
        assert re.search(r"1 most recent of \d+ incidents listed", page)
        assert page == same.read_text("utf-8")


def test_the_sentence_that_ties_a_measure_to_a_cause_is_redacted_in_the_views() -> None:
    """Regression: a stated tie's sentence (shown in "what others did") kept its personal
    data in the views' redacted projection."""
    g = made_network({"x1": Made("r1", ["north"], causes=["A"], measures=["M1"])})
    edge = g.edges[f"{ID}x1", f"{CODE}M1", "has_countermeasure"]
    said = "担当の山田太郎（yamada@example.jp、090-1234-5678）へ再発防止策を指示した。"
    edge["addresses"] = (MeasureLink(f"{CODE}A", "stated", "rule", said),)
    redacted, _ = redact_network(g, load_rules())
    (link,) = redacted.edges[f"{ID}x1", f"{CODE}M1", "has_countermeasure"]["addresses"]
    assert link.sentence and "yamada@example.jp" not in link.sentence
    assert "090-1234-5678" not in link.sentence
    assert g.edges[f"{ID}x1", f"{CODE}M1", "has_countermeasure"]["addresses"][0].sentence == said
