"""The scale harness runs end to end on a tiny corpus and says plainly what it measured."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from incident_kg.queries.library import load_library

from ..conftest import ROOT


def test_the_harness_measures_both_pipelines_and_writes_only_its_section(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\n## Other (issue 2)\n\nkept\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "benchmarks.scale", "--sizes", "3", "--baseline-sizes", "3"]
    cmd += ["--graph-reports", "45", "--repeat", "1", "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "## Other (issue 2)\n\nkept" in text  # another benchmark's section is left alone
    section = text.split("## Scale (issue 7)", 1)[1]
    assert "Command: `.venv/bin/python -m benchmarks.scale --sizes 3" in section
    # every analyze subcommand and the whole view, as the CLI runs them
    for name in ("shared-causes", "cooccurrence", "similar", "recommend", "chain"):
        assert re.search(rf"; {name} [\d.]+ s", section), name
    assert re.search(r"\| whole view [\d.]+ s \(\d+ pages\); one incident page [\d.]+ s", section)
    assert re.search(r"\| draw [\d.]+ s \(page written", section)  # views drawn in Chromium
    # answers compared: with owlrl's closure on the same engine (the reasoning alone), where
    # every one must agree, and on rdflib's engine, which cannot answer them all
    total = len(load_library())
    assert f"| the closure on Oxigraph's engine {total}/{total}; rdflib's engine " in section
    for query in ("incidents-for-cause", "evidence-for-fact", "shared-root-causes"):
        assert f"| {query} |" in section
    assert "### Graph mode: 45 reports" in section
    assert "| analyze shared-causes |" in section and "| view --incident |" in section
    assert "| 3 | 3 (0) |" in section  # three reports built, none failed


def _city_with_section(city: str, city_label: str, section: str, section_label: str) -> str:
    """A template's summary (graph/summary.py) naming a city and one section of it."""
    import json

    organizations = [
        [city, [city_label], [], False, []],
        [section, [section_label], [], False, [city]],
    ]
    return json.dumps({"organizations": organizations})


def test_graph_mode_tells_each_run_of_copies_by_a_body_of_its_own() -> None:
    """Copies of one template renamed apart (not one body's report 100,000 times): the body's
    IRI, its sections' IRIs that extend it and its label change; other text does not."""

    from benchmarks.scale_graph import body_renamer

    city = "https://example.org/id/org/%E4%B8%89%E5%B2%A1%E5%B8%82"
    section = f"{city}%2F%E7%AA%93%E5%8F%A3"
    summary = _city_with_section(city, "三岡市", section, "窓口")
    text = (
        f'<{city}> <http://www.w3.org/2004/02/skos/core#prefLabel> "三岡市"@ja .\n'
        f"<{section}> <http://www.w3.org/ns/org#subOrganizationOf> <{city}> .\n"
        f'<{city}9> <x:p> "三岡市は" .\n'
    )
    assert body_renamer((summary, "{}"), 0)(text) == text
    renamed = body_renamer((summary, "{}"), 7)(text)
    assert (
        f'<{city}-v7> <http://www.w3.org/2004/02/skos/core#prefLabel> "三岡市（v7）"@ja' in renamed
    )
    assert (
        f"<{city}-v7%2F%E7%AA%93%E5%8F%A3> <http://www.w3.org/ns/org#subOrganizationOf> <{city}-v7>"
        in renamed
    )
    assert f'<{city}9> <x:p> "三岡市は" .' in renamed  # another IRI, a longer text: left


def test_graph_mode_renames_a_local_governments_sections_that_extend_its_code_iri() -> None:
    """A local government's IRI is its code, its sections' IRIs go on from it with "/": they
    are renamed with it (regression: every copy's section hung under all variants of the
    city, which the link pass took for one body: blocks of 5,000 copies, 18 GB at 100,000)."""

    from benchmarks.scale_graph import body_renamer

    city = "https://w3id.org/incident-kg/lg/202134"
    section = f"{city}/%E6%88%B8%E7%B1%8D"
    summary = _city_with_section(city, "飯山市", section, "戸籍")
    text = f"<{section}> <http://www.w3.org/ns/org#subOrganizationOf> <{city}> .\n<{city}4> <x:p> <x:o> .\n"
    renamed = body_renamer((summary, "{}"), 3)(text)
    assert renamed == (
        f"<{city}-v3/%E6%88%B8%E7%B1%8D> <http://www.w3.org/ns/org#subOrganizationOf> <{city}-v3> .\n"
        f"<{city}4> <x:p> <x:o> .\n"
    )


def test_graph_mode_moves_a_bodys_later_copies_months_apart_keeping_the_text_length() -> None:
    from benchmarks.scale_graph import copy_months, shift_dates

    assert [copy_months(j) for j in range(4)] == [0, 0, 4, 8]  # the first two: one incident
    assert [copy_months(j, 13) for j in range(3)] == [1, 1, 5]  # another body starts later
    text = '"2022-09-16"^^<d> "2022-11"^^<m> 2024-01-31 r7-2022-x 12022-01'
    moved = shift_dates(text, 13)
    assert moved == '"2023-10-16"^^<d> "2023-12"^^<m> 2025-02-28 r7-2022-x 12022-01'
    assert len(moved) == len(text)


def test_a_command_timed_after_a_larger_one_is_given_its_own_peak_memory(tmp_path: Path) -> None:
    # regressions: the harness read RUSAGE_CHILDREN, the largest of every child before, so at
    # 100,000 reports each analyze command was given the peak of the largest before it; and
    # Linux counts in a child's peak the pages of the large process it was forked from
    from benchmarks.scale_measure import _cli_timed

    cli = tmp_path / "incident-kg"  # a command that holds as many MiB as its first argument
    cli.write_text(
        f"#!{sys.executable}\nimport sys\nheld = b'x' * (int(sys.argv[2]) << 20)\n",
        encoding="utf-8",
    )
    cli.chmod(0o755)
    held_here = b"x" * (300 << 20)  # the harness after a build is a large process too
    large = _cli_timed(["300"], "store", {}, cli)
    small = _cli_timed(["1"], "store", {}, cli)
    assert len(held_here) == 300 << 20
    assert large["peak_mib"] > 300
    assert small["peak_mib"] < 100
