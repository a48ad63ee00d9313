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

With ``--baseline-cli`` (the ``incident-kg`` of another checkout: the code before a change)
every command runs with it too, in the same run, on a copy of the store (each version keeps
its own projection beside its store: sharing one store, each would remove the other's), and
the table gives the ratio baseline ÷ this code of the next commands.

Run from the project root::

    .venv/bin/python -m benchmarks.analysis_wait --store /tmp/ikg/store-10000 --repeat 3
    .venv/bin/python -m benchmarks.analysis_wait --store /tmp/ikg/store-10000 \
        --baseline-cli /tmp/base/bin/incident-kg     # before/after in one run
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


def _command(
    args: Sequence[str], store: Path, params: dict[str, str], repeat: int, cli: Path | None
) -> Json:
    """The first run after the kept projection is removed, then the median of ``repeat``."""
    from incident_kg.analysis.kept import kept_folder

    shutil.rmtree(kept_folder(store), ignore_errors=True)
    first = _cli_timed(args, str(store), params, cli)
    runs = [_cli_timed(args, str(store), params, cli) for _ in range(repeat)]
    if "error" in first or any("error" in r for r in runs):
        return {"error": first.get("error") or runs[0].get("error")}
    return {
        "first": first["seconds"],
        "first_cpu": first["cpu_s"],
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "peak_mib": max(r["peak_mib"] for r in runs),
    }


def measure(store: Path, repeat: int, baseline: Path | None = None) -> Json:
    """First and next times of every command, and the trivial query's — with ``baseline``
    (another ``incident-kg``), the same for it, each command by both in turn."""
    from incident_kg.graph.store import GraphStore

    root = Path(__file__).resolve().parent.parent
    for package in PACKAGES:
        compileall.compile_dir(root / package, quiet=1)
    with GraphStore.open(store, read_only=True) as opened:
        params = query_parameters(opened)
        reports = len(opened.report_graphs())
    out: Json = {"params": params, "reports": reports, "commands": {}, "baseline": {}}
    with tempfile.TemporaryDirectory(prefix="ikg-wait-") as tmp:
        copy = Path(tmp) / "store-baseline"
        if baseline is not None:
            shutil.copytree(store, copy)
        trivial = [_cli_timed(TRIVIAL_COMMAND, str(store), params) for _ in range(repeat)]
        out["trivial"] = statistics.median(r["seconds"] for r in trivial)
        for name, args in commands(Path(tmp) / "pages").items():
            out["commands"][name] = _command(args, store, params, repeat, None)
            if baseline is not None:
                out["baseline"][name] = _command(args, copy, params, repeat, baseline)
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
    before = m.get("baseline") or {}
    if before:
        lines[-2] += " baseline next, s (CPU) | baseline ÷ this, next (CPU) |"
        lines[-1] += "--:|--:|"
    for name, r in m["commands"].items():
        if "error" in r:
            lines.append(f"| {name} | {r['error']} | | | |" + (" | |" if before else ""))
            continue
        line = (
            f"| {name} | {fmt_seconds(r['first'])} ({fmt_seconds(r['first_cpu'])}) "
            f"| {fmt_seconds(r['seconds'])} ({fmt_seconds(r['cpu_s'])}) "
            f"| {r['seconds'] / m['trivial']:.1f}× | {r['peak_mib']:,.0f} |"
        )
        b = before.get(name)
        if b is not None and "error" not in b:
            line += (
                f" {fmt_seconds(b['seconds'])} ({fmt_seconds(b['cpu_s'])}) "
                f"| {b['seconds'] / r['seconds']:.2f}× ({b['cpu_s'] / r['cpu_s']:.2f}×) |"
            )
        elif before:
            line += f" {(b or {}).get('error', '—')} | |"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the section and write it into RESULTS.md."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.analysis_wait")
    parser.add_argument("--store", type=Path, required=True, help="a built store")
    parser.add_argument("--repeat", type=int, default=3, help="runs per median (default 3)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file")
    parser.add_argument("--note", action="append", default=[], help="a note on the run")
    parser.add_argument(
        "--baseline-cli", type=Path, help="the incident-kg of the code before, run in turn"
    )
    args = parser.parse_args(argv)
    m = measure(args.store, args.repeat, args.baseline_cli)
    command = shlex.join([".venv/bin/python", "-m", "benchmarks.analysis_wait", *argv])
    section = render(m, command, args.note)
    print(section)
    write_section(args.out, SECTION, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
