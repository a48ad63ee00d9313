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
