"""The analyst's wait (issue 17): every ``analyze`` subcommand and the one-page views on a
built store, as the user runs them (the CLI, a new process each), against a trivial query in
the same run.

The scale harness (benchmarks/scale.py) times the same commands after building its corpus;
this one takes a store already built (a 10,000-report build takes 10–20 minutes here), so a
change to the analysis is measured without building again.  Per command:

* **first**: the first command after the store changed — the projection made from the
  per-report summaries and kept beside the store (analysis/kept.py); measured with the
  kept folder removed first;
* **next**: the median of ``--repeat`` runs after it (the kept projection read back), with
  the CPU time of the command (what load from other work on the machine does not add).

The project's own modules are compiled to bytecode first (``compileall``), as ``pip install``
does: a sandbox that sets ``PYTHONDONTWRITEBYTECODE`` would otherwise compile some fifty
modules again in every command (~0.3 s each time), which no installed copy does.

Run from the project root::

    .venv/bin/python -m benchmarks.analysis_wait --store /tmp/ikg/store-10000 --repeat 3
"""

from __future__ import annotations

import argparse
import compileall
import shlex
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.results import write_section
from benchmarks.scale_measure import (
    ANALYZE_COMMANDS,
    TRIVIAL_COMMAND,
    Json,
    _cli_timed,
    query_parameters,
)
from benchmarks.store_choice import environment, fmt_seconds

SECTION = "## The analyst's wait (issue 17)"
DEFAULT_OUT = Path(__file__).with_name("RESULTS.md")
#: The project's packages (compiled to bytecode before measuring, as an install does).
PACKAGES = ("incident_kg", "analysis", "views", "graph", "extraction", "export", "privacy",
            "queries", "ontology")  # fmt: skip


def commands(out: Path) -> dict[str, list[str]]:
    """Every command timed, by name (``{incident}``, ``{cause_code}`` from the store)."""
    return {
        **ANALYZE_COMMANDS,
        "view --incident": ["view", "--out", str(out), "--incident", "{incident}"],
        "view --cause": ["view", "--out", str(out), "--cause", "{cause_code}"],
    }


def measure(store: Path, repeat: int) -> Json:
    """First and next times of every command, and the trivial query's."""
    from incident_kg.analysis.kept import kept_folder
    from incident_kg.graph.store import GraphStore

    root = Path(__file__).resolve().parent.parent
    for package in PACKAGES:
        compileall.compile_dir(root / package, quiet=1)
    with GraphStore.open(store, read_only=True) as opened:
        params = query_parameters(opened)
        reports = len(opened.report_graphs())
    out: Json = {"params": params, "reports": reports, "commands": {}}
    trivial = [_cli_timed(TRIVIAL_COMMAND, str(store), params) for _ in range(repeat)]
    out["trivial"] = statistics.median(r["seconds"] for r in trivial)
    with tempfile.TemporaryDirectory(prefix="ikg-wait-") as tmp:
        for name, args in commands(Path(tmp) / "pages").items():
            shutil.rmtree(kept_folder(store), ignore_errors=True)
            first = _cli_timed(args, str(store), params)
            runs = [_cli_timed(args, str(store), params) for _ in range(repeat)]
            if "error" in first or any("error" in r for r in runs):
                out["commands"][name] = {"error": first.get("error") or runs[0].get("error")}
                continue
            out["commands"][name] = {
                "first": first["seconds"],
                "first_cpu": first["cpu_s"],
                "seconds": statistics.median(r["seconds"] for r in runs),
                "cpu_s": statistics.median(r["cpu_s"] for r in runs),
                "peak_mib": max(r["peak_mib"] for r in runs),
            }
    return out


def render(m: Json, command: str, notes: Sequence[str]) -> str:
    """The section: a table of the commands, ratios against the trivial query."""
    lines = [
        SECTION,
        "",
        *(f"- {line}" for line in environment()),
        f"- Store: {m['reports']:,} reports; incident `{m['params']['incident']}`, cause "
        f"`{m['params']['cause_code']}`",
        f"- Command: `{command}`",
        *(f"- {note}" for note in notes),
        f"- Trivial query (`query incident-timeline` of one incident, CLI end to end): "
        f"{fmt_seconds(m['trivial'])} s",
        "",
        "| command | first after a build, s (CPU) | next, median, s (CPU) | next ÷ trivial query "
        "| peak MiB |",
        "|---|--:|--:|--:|--:|",
    ]
    for name, r in m["commands"].items():
        if "error" in r:
            lines.append(f"| {name} | {r['error']} | | | |")
            continue
        lines.append(
            f"| {name} | {fmt_seconds(r['first'])} ({fmt_seconds(r['first_cpu'])}) "
            f"| {fmt_seconds(r['seconds'])} ({fmt_seconds(r['cpu_s'])}) "
            f"| {r['seconds'] / m['trivial']:.1f}× | {r['peak_mib']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the section and write it into RESULTS.md."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.analysis_wait")
    parser.add_argument("--store", type=Path, required=True, help="a built store")
    parser.add_argument("--repeat", type=int, default=3, help="runs per median (default 3)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file")
    parser.add_argument("--note", action="append", default=[], help="a note on the run")
    args = parser.parse_args(argv)
    m = measure(args.store, args.repeat)
    command = shlex.join([".venv/bin/python", "-m", "benchmarks.analysis_wait", *argv])
    section = render(m, command, args.note)
    print(section)
    write_section(args.out, SECTION, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
