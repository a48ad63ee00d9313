"""Peak memory of building one report, by the size of the report (issue 16).

Building a report holds its text, its records, its triples, their inferences and their
N-Triples in memory at once, so what a report costs grows with its text.  Reports are
read within two bounds (extraction/read.py): 20 MB of file and ``DEFAULT_MAX_CHARS``
characters of text.  This measures, end to end with the command a user runs
(``incident-kg build FILE --workers 1`` in a process of its own), the peak resident memory
and the time for:

* the baseline: one sample report (a few thousand characters);
* text reports of 1, 5 and 20 MB (the sample reports repeated, UTF-8);
* a report just under the character limit;
* for reference, one report over the limit built without it (the library in a child
  process with ``max_chars`` raised): what the limit saves.

Peak memory is the child's ``ru_maxrss`` (``os.wait4``; Linux counts in it the pages of the
process it was forked from, this small one, which every child's peak exceeds); the ratio is
against the baseline of the same run.  Run from the project root::

    .venv/bin/python -m benchmarks.report_memory                 # about 5 minutes on 2 cores
    .venv/bin/python -m benchmarks.report_memory --sizes 1 5 --unbounded-mb 0 --out /tmp/r.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.results import write_section
from incident_kg.extraction.read import DEFAULT_MAX_BYTES, DEFAULT_MAX_CHARS, read_report

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "reports"
HEADING = "## Memory per report (issue 16)"


@dataclass(frozen=True)
class Run:
    """One build of one report in a process of its own."""

    label: str
    chars: int
    size: int  # bytes of the file
    peak_mb: float
    seconds: float
    outcome: str  # "built" or the first line of the refusal


def sample_text() -> str:
    """Every sample report's text, decoded, one after the other."""
    return "\n\n".join(read_report(p).text for p in sorted(SAMPLES.glob("*.txt")))


def write_report(path: Path, text: str, size: int) -> int:
    """``text`` repeated into a UTF-8 file of ``size`` bytes or a little less; the characters
    written."""
    data = ("\n\n".join([text] * (size // len(text.encode("utf-8")) + 1))).encode("utf-8")
    written = data[:size].decode("utf-8", "ignore")
    path.write_text(written, encoding="utf-8")
    return len(written)


def _measure(command: list[str], label: str, chars: int, size: int) -> Run:
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    refusal = next(
        (line for line in err.splitlines() if "too long" in line or "too large" in line), ""
    )
    refusal = refusal.split(": ", 2)[-1]  # the reason, without "error: <file>:"
    outcome = "built" if proc.returncode == 0 and not refusal else f"refused: {refusal}"
    if proc.returncode not in (0, 1):
        outcome = f"exit {proc.returncode}: {err.strip()[-200:]}"
    del out
    return Run(label, chars, size, usage.ru_maxrss / 1024, seconds, outcome)


def build_run(path: Path, label: str, chars: int, workdir: Path) -> Run:
    """``incident-kg build FILE --workers 1`` into a new store."""
    store = Path(tempfile.mkdtemp(dir=workdir)) / "store"
    command = [sys.executable, "-m", "incident_kg.cli", "-q", "build", str(path)]
    return _measure(
        [*command, "--store", str(store), "--workers", "1"], label, chars, path.stat().st_size
    )


_UNBOUNDED = """
import sys
from pathlib import Path
from incident_kg.graph import build as b
from incident_kg.extraction import read
path, store = Path(sys.argv[1]), Path(sys.argv[2])
original = read.read_report
b.read_report = lambda p, **kw: original(p, max_chars=10**9)
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE
with GraphStore.open(store, create=True) as opened:
    result = b.build([path], opened, base=DEFAULT_BASE, extractor=b.default_extractor())
sys.exit(1 if result.failed else 0)
"""


def unbounded_run(path: Path, label: str, chars: int, workdir: Path) -> Run:
    """The same build without the character limit (the library, in a child process)."""
    store = Path(tempfile.mkdtemp(dir=workdir)) / "store"
    command = [sys.executable, "-c", _UNBOUNDED, str(path), str(store)]
    return _measure(command, label, chars, path.stat().st_size)


def render(runs: list[Run], baseline: Run, note: str) -> str:
    lines = [
        HEADING,
        "",
        f"`python -m benchmarks.report_memory` — {time.strftime('%Y-%m-%d')}. "
        "Each row is `incident-kg build FILE --workers 1` into a new store, in a process of its "
        "own: peak resident memory (`ru_maxrss`) and wall time; the ratio is the peak over "
        f"the baseline's. Limits: {DEFAULT_MAX_BYTES:,} bytes of file, {DEFAULT_MAX_CHARS:,} "
        f"characters of text. {note}".rstrip(),
        "",
        "| report | characters | file bytes | peak memory | × baseline | seconds | outcome |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run.label} | {run.chars:,} | {run.size:,} | {run.peak_mb:,.0f} MB | "
            f"{run.peak_mb / baseline.peak_mb:.1f} | {run.seconds:.1f} | {run.outcome} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5, 20], help="MB")
    parser.add_argument(
        "--unbounded-mb",
        type=float,
        default=2,
        help="a report over the limit built without it (0: none)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    text = sample_text()
    with tempfile.TemporaryDirectory(prefix="ikg-memory-") as tmp:
        work = Path(tmp)
        one = SAMPLES / "s01-chuo-staff-phone.txt"
        baseline = build_run(one, "baseline: one sample report", len(read_report(one).text), work)
        runs = [baseline]
        for mb in args.sizes:
            path = work / f"report-{mb:g}mb.txt"
            chars = write_report(path, text, min(int(mb * 1_000_000), DEFAULT_MAX_BYTES - 1))
            runs.append(build_run(path, f"{mb:g} MB of text", chars, work))
        at_limit = work / "at-limit.txt"
        body = (text * (DEFAULT_MAX_CHARS // len(text) + 1))[: DEFAULT_MAX_CHARS - 1]
        at_limit.write_text(body, encoding="utf-8")
        runs.append(build_run(at_limit, "just under the character limit", len(body), work))
        if args.unbounded_mb > 0:
            path = work / "unbounded.txt"
            chars = write_report(path, text, int(args.unbounded_mb * 1_000_000))
            runs.append(
                unbounded_run(
                    path, f"{args.unbounded_mb:g} MB, limit lifted (reference)", chars, work
                )
            )
    for run in runs:
        print(json.dumps(run.__dict__, ensure_ascii=False), flush=True)
    write_section(args.out, HEADING, render(runs, baseline, args.note))


if __name__ == "__main__":
    main()
