"""The long reliability suite (issue 16): ``kill -9`` at many points of a first build, an
incremental build and an import, and every time the clean graph after running again, with
no process left behind.

For each scenario the command a user runs (``incident-kg build`` / ``import``, with its
default worker processes) is first run to completion to time it and to get the clean
result; then, for each of ``--kills`` points spread evenly over that time (start-up
included), a fresh copy of the starting store gets the same command, killed with SIGKILL —
the command's own process only, not its process group, as an out-of-memory kill or a
crashed terminal would — at that point.  After each kill:

* **orphans**: every worker the command had forked must be gone within 5 s (they are
  killed by the kernel with their parent: graph/lifetime.py); any still alive is counted,
  then killed;
* **never half**: the store, opened read-only, holds every report whole or not at all (a
  report graph and its record together; for an import, all of its graphs or none);
* **the lock**: the store's lock is free (the kernel released it with the process);
* **clean after a re-run**: the same command run again to completion gives the same export
  (N-Quads, byte for byte) as the clean run, and no staging folder is left.

Run from the project root (about 30 minutes on 2 cores with the defaults)::

    .venv/bin/python -m benchmarks.reliability
    .venv/bin/python -m benchmarks.reliability --kills 3 --copies 2 --out /tmp/r.md   # a quick look
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.results import write_section
from incident_kg.export import export_bytes
from incident_kg.graph.lock import StoreBusyError, store_lock
from incident_kg.graph.store import GraphStore, StoreError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "reports"
HEADING = "## Reliability: kill -9 (issue 16)"
CLI = [sys.executable, "-m", "incident_kg.cli", "--quiet"]


@dataclass
class Scenario:
    """One command killed at many points."""

    name: str
    clean_seconds: float = 0.0
    points: list[float] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)  # store state after a kill → count
    orphans: int = 0
    workers_seen: int = 0
    half_written: int = 0
    lock_held: int = 0
    clean_after_rerun: int = 0
    staging_left: int = 0


def children(pid: int) -> set[int]:
    """A process's children and their children (Linux /proc)."""
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                kids = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            frontier += list(kids - found)
            found |= kids
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def export_of(store_dir: Path) -> bytes:
    with GraphStore.open(store_dir, read_only=True) as store:
        return export_bytes(store, "nquads")


def whole(store_dir: Path) -> tuple[str, bool]:
    """The store's state after a kill, and whether every report in it is whole (its graph
    and its record together)."""
    if not (store_dir / "CURRENT").exists():
        return "no store", True
    try:
        with GraphStore.open(store_dir, read_only=True) as store:
            graphs = set(store.report_graphs())
            records = {r.report.replace("/report/", "/graph/", 1) for r in store.records()}
            imported = store.imported_graph_names()
    except StoreError as exc:
        return f"unreadable: {exc}", False
    state = f"{len(graphs)} report graph(s)" if graphs else "empty"
    own = graphs - imported
    return state, own == records or (not records and not own)


def lock_free(store_dir: Path) -> bool:
    try:
        with store_lock(store_dir, wait=0):
            return True
    except StoreBusyError:
        return False


def kill_at(command: list[str], delay: float) -> tuple[set[int], int]:
    """Run ``command``, SIGKILL it (its own process) after ``delay`` s; the workers it had
    forked, and how many are still alive 5 s later (then killed)."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + delay
    seen: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        seen |= children(proc.pid)
        time.sleep(0.02)
    seen |= children(proc.pid)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    end = time.monotonic() + 5
    while any(alive(p) for p in seen) and time.monotonic() < end:
        time.sleep(0.05)
    left = [p for p in seen if alive(p)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return seen, len(left)


def run_scenario(
    scenario: Scenario,
    prepare: Callable[[Path], None],
    command: Callable[[Path], list[str]],
    kills: int,
    work: Path,
    check: Callable[[Path], bytes] = export_of,
) -> None:
    """Time the command on a prepared store, then kill it at ``kills`` points and run it
    again after each (see the module)."""
    clean_dir = work / f"{scenario.name}-clean" / "store"
    clean_dir.parent.mkdir(parents=True)
    prepare(clean_dir)
    started = time.perf_counter()
    subprocess.run(command(clean_dir), check=True, capture_output=True)
    scenario.clean_seconds = time.perf_counter() - started
    want = check(clean_dir)
    for k in range(kills):
        trial = work / f"{scenario.name}-{k}" / "store"
        trial.parent.mkdir(parents=True)
        prepare(trial)
        delay = scenario.clean_seconds * (k + 0.5) / kills
        scenario.points.append(round(delay, 2))
        seen, left = kill_at(command(trial), delay)
        scenario.workers_seen += len(seen)
        scenario.orphans += left
        state, ok = whole(trial)
        scenario.states[state if ok else "half"] = scenario.states.get(state, 0) + 1
        scenario.half_written += not ok
        scenario.lock_held += not lock_free(trial)
        subprocess.run(command(trial), check=True, capture_output=True)
        scenario.clean_after_rerun += check(trial) == want
        scenario.staging_left += len(list(trial.parent.glob(".store.building-*")))
        shutil.rmtree(trial.parent, ignore_errors=True)
        print(f"{scenario.name} kill {k + 1}/{kills} at {delay:.2f} s: {state}", flush=True)


def render(scenarios: list[Scenario], kills: int, reports: int, note: str) -> str:
    lines = [
        HEADING,
        "",
        f"`python -m benchmarks.reliability --kills {kills}` — {time.strftime('%Y-%m-%d')}, "
        f"{reports} reports (the samples copied), default workers. Each kill is SIGKILL of the "
        "command's own process at a point spread evenly over the clean run's time; then the "
        "workers must be gone within 5 s, the store must hold every report whole or not at "
        "all, its lock must be free, and the command run again must give the clean export "
        f"byte for byte. {note}".rstrip(),
        "",
        "| scenario | clean run | kills | kill points (s) | store after the kill | workers seen → orphaned | half-written | lock held | clean after re-run | staging left |",
        "|---|--:|--:|---|---|--:|--:|--:|--:|--:|",
    ]
    for s in scenarios:
        states = ", ".join(f"{n}× {state}" for state, n in sorted(s.states.items()))
        points = " ".join(f"{p:g}" for p in s.points)
        lines.append(
            f"| {s.name} | {s.clean_seconds:.1f} s | {len(s.points)} | {points} | {states} | "
            f"{s.workers_seen} → {s.orphans} | {s.half_written} | {s.lock_held} | "
            f"{s.clean_after_rerun}/{len(s.points)} | {s.staging_left} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=15, help="kill points per scenario")
    parser.add_argument("--copies", type=int, default=4, help="copies of the sample reports")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ikg-reliability-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        for copy in range(args.copies):
            for path in sorted(SAMPLES.iterdir()):
                if path.suffix in (".txt", ".md", ".pdf"):
                    shutil.copy(path, corpus / f"c{copy}-{path.name}")
        names = sorted(p.name for p in corpus.iterdir())
        half = work / "half"  # half the reports, in an earlier version: the incremental
        half.mkdir()  # build replaces those one transaction each, and adds the rest
        for name in names[: len(names) // 2]:
            shutil.copy(corpus / name, half / name)
            if name.endswith(".txt"):  # an ASCII line: the same in every encoding
                (corpus / name).write_bytes((corpus / name).read_bytes() + b"\nrev. 2\n")
        half_store = work / "half-store" / "store"
        subprocess.run([*CLI, "build", str(half), "--store", str(half_store)], check=True)
        sent = work / "sent.trig"
        full = work / "full-store" / "store"
        subprocess.run([*CLI, "build", str(corpus), "--store", str(full)], check=True)
        subprocess.run(
            [*CLI, "export", "--store", str(full), "--rdf-format", "trig", "-o", str(sent)],
            check=True,
            capture_output=True,
        )

        def build(store: Path) -> list[str]:
            return [*CLI, "build", str(corpus), "--store", str(store)]

        def from_half(store: Path) -> None:
            shutil.copytree(half_store, store)

        def import_(store: Path) -> list[str]:
            return [*CLI, "import", str(sent), "--from", "city-a", "--store", str(store)]

        scenarios = [Scenario("first build"), Scenario("incremental build"), Scenario("import")]
        run_scenario(scenarios[0], lambda store: None, build, args.kills, work)
        run_scenario(scenarios[1], from_half, build, args.kills, work)
        run_scenario(scenarios[2], lambda store: None, import_, args.kills, work)
    write_section(args.out, HEADING, render(scenarios, args.kills, len(names), args.note))
    for s in scenarios:
        print(s, flush=True)


if __name__ == "__main__":
    main()
