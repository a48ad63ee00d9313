"""Adding one report to a built store, end to end (issue 17): `incident-kg -q build CORPUS
--store STORE` as a new process after one new report file appeared in CORPUS, then after it
is gone again, with the incremental link pass (graph/link_state.py) and — the baseline, in the
same run — with the link pass's state removed first, so the pass reads and links the whole
store as it did before. A rebuild with nothing new is the floor (process start, the plan over
every recorded file). The same report is also added as a user adds one report: named alone
(`incident-kg build FILE`, from outside the corpus folder: the plan looks up its record only),
then removed with `incident-kg reports remove FILE`.

    .venv/bin/python -m benchmarks.add_one --corpus DIR --store DIR [--repeat 3] [--out FILE]

CORPUS must be writable (the report is added to it and removed again); a missing STORE is
built from it first (timed, reported). Writes the "Adding one report" section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.corpus import generate_report, load_phrases, organisations
from benchmarks.results import write_section
from incident_kg.graph.link_state import STATE_FILE

HEADING = "## Adding one report (issue 17)"
SEED = 7


#: CPU seconds of each command measured (user + system, its worker processes included).
CPU: list[float] = []


def _cli(args: Sequence[str]) -> float:
    """Seconds of one ``incident-kg -q`` command, process start to exit (its CPU seconds are
    appended to :data:`CPU`: on a shared machine they vary less than the wall time)."""
    cli = Path(sys.executable).with_name("incident-kg")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([str(cli), "-q", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"incident-kg {' '.join(args)} failed: {proc.stderr[-500:]}")
    return seconds


def measure(corpus: Path, store: Path, repeat: int) -> dict[str, list[float]]:
    """Each operation ``repeat`` times, interleaved (incremental, then whole, each round)."""
    build = ["build", str(corpus), "--store", str(store)]
    extra = generate_report(len(list(corpus.glob("r*-*.*"))), SEED, load_phrases(), organisations())
    path = corpus / extra.name

    def add() -> float:
        path.write_bytes(extra.text.encode(extra.encoding))
        return _cli(build)

    def remove() -> float:
        path.unlink()
        return _cli(build)

    alone = Path(tempfile.mkdtemp(prefix="add-one-")) / extra.name  # outside the corpus

    def add_file() -> float:
        alone.write_bytes(extra.text.encode(extra.encoding))
        return _cli(["build", str(alone), "--store", str(store)])

    def remove_file() -> float:
        seconds = _cli(["reports", "remove", str(alone), "--store", str(store)])
        alone.unlink()
        return seconds

    def whole(step: Callable[[], float]) -> float:
        (store / STATE_FILE).unlink(missing_ok=True)
        return step()

    add(), remove()  # the state of the code measured (a first pass after a change is whole)
    cpu: dict[str, list[float]] = {}

    def timed(name: str, step: Callable[[], float]) -> None:
        out[name].append(step())
        cpu.setdefault(name, []).append(CPU[-1])

    steps = ("unchanged", "add", "remove", "add_file", "remove_file", "add_whole", "remove_whole")
    out: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(repeat):
        timed("unchanged", lambda: _cli(build))
        timed("add", add)
        timed("remove", remove)
        timed("add_file", add_file)
        timed("remove_file", remove_file)
        timed("add_whole", lambda: whole(add))
        timed("remove_whole", lambda: whole(remove))
    add(), remove()  # leave a state behind
    out.update({f"{k}_cpu": v for k, v in cpu.items()})
    return out


def render(runs: dict[str, list[float]], command: str, reports: int, note: str) -> str:
    """The section of RESULTS.md."""
    med = {k: statistics.median(v) for k, v in runs.items()}
    rows = [
        ("rebuild, nothing new (the floor)", "unchanged", None),
        ("add one report — incremental link pass", "add", "add_whole"),
        ("remove it again — incremental link pass", "remove", "remove_whole"),
        ("add one report named alone (`build FILE`) — incremental", "add_file", "add_whole"),
        ("remove it (`reports remove FILE`) — incremental", "remove_file", "remove_whole"),
        ("add one report — whole-store link pass (baseline)", "add_whole", None),
        ("remove it again — whole-store link pass (baseline)", "remove_whole", None),
    ]
    lines = [
        HEADING,
        "",
        f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs; load average "
        f"{os.getloadavg()[0]:.1f} at the end",
        f"- Date: {dt.datetime.now(dt.UTC).isoformat(timespec='minutes')}",
        f"- Command: `{command}`",
        f"- Store: {reports:,} reports; each figure the median of {len(runs['add'])} runs of "
        "`incident-kg -q build CORPUS --store STORE` as a new process",
    ]
    if note:
        lines.append(f"- Note: {note}")
    lines += [
        "",
        "| operation | median s | runs (s) | CPU s (median) | baseline ÷ this |",
        "|---|---|---|---|---|",
    ]
    for label, key, baseline in rows:
        ratio = f"{med[baseline] / med[key]:.1f}×" if baseline else ""
        runs_text = ", ".join(f"{v:.2f}" for v in runs[key])
        cpu = med[f"{key}_cpu"]
        lines.append(f"| {label} | {med[key]:.2f} | {runs_text} | {cpu:.2f} | {ratio} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    if not args.store.exists():
        seconds = _cli(["build", str(args.corpus), "--store", str(args.store)])
        print(f"built {args.store} in {seconds:.0f} s", file=sys.stderr)
    runs = measure(args.corpus, args.store, args.repeat)
    command = "python -m benchmarks.add_one " + " ".join(argv or sys.argv[1:])
    reports = len([p for p in args.corpus.iterdir() if p.suffix in (".txt", ".md")])
    section = render(runs, command, reports, args.note)
    print(section)
    write_section(args.out, HEADING, section)


if __name__ == "__main__":
    main()
