"""RESULTS.md, shared by the benchmarks: each one replaces its own section and leaves the
others as they are."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS_HEADER = (
    "# Benchmark results\n\n"
    "Written by the benchmarks in this folder (see README.md). Each benchmark replaces\n"
    "its own section with its latest run and leaves the others as they are.\n"
)


def write_section(path: Path, heading: str, section: str) -> None:
    """Write or replace the section under ``heading`` (a ``## …`` line) of the results file
    at ``path`` with ``section`` (which starts with that heading), keeping the others."""
    text = path.read_text(encoding="utf-8") if path.exists() else RESULTS_HEADER
    pattern = re.compile(rf"^{re.escape(heading)}[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
