"""Every named query on a built store, before and after a change to ``queries/*.rq`` (issue 17).

The scale harness (benchmarks/scale.py) times the named queries on the store it has just
built (10–20 minutes at 10,000 reports); this one takes a store already built and times the
queries of this checkout (*after*) and, with ``--before REF``, the same files as they are at a
git revision (*before*) in the same process, one after the other query by query, so that a
rewrite of a query is measured on the same store under the same load.  Per query, each side:

* the median of ``--repeat`` runs after a warm-up (a run of over 5 s is timed once, as the
  scale harness does) and its first page (``--limit 50``, :func:`queries.library.paged`),
  the two sides timed in turn (before, after, before, …) so that a change of load falls on
  both;
* the answer as a set of rows (GROUP_CONCAT cells sorted, as the harness compares them):
  before and after must give the same rows, else the run says which query differs.

The yardsticks, in the same run: a trivial query (``incident-timeline`` of the first
incident) and the *floor* (every incident with its label).  The store is opened read-only and
never changed.  Run from the project root::

    .venv/bin/python -m benchmarks.query_times --store /tmp/ikg/store-10000 --before main
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.results import write_section
from benchmarks.scale_measure import (
    FLOOR_QUERY,
    PAGE,
    SLOW_QUERY_S,
    Json,
    canonical,
    query_parameters,
    timed,
)
from benchmarks.store_choice import environment

SECTION = "## Named queries on a built store (issue 17)"
DEFAULT_OUT = Path(__file__).with_name("RESULTS.md")
ROOT = Path(__file__).resolve().parent.parent
#: Targets of issue 17 at 10,000 reports, seconds.
AGGREGATE_TARGET_S = 0.5
PAGE_TARGET_S = 0.1
ONE_THING_TARGET_S = 0.1


def queries_at(revision: str, folder: Path) -> Path:
    """The ``queries/*.rq`` files as they are at a git ``revision``, written into ``folder``."""
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", revision, "queries/"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    for name in names:
        if name.endswith(".rq"):
            text = subprocess.run(
                ["git", "show", f"{revision}:{name}"],
                cwd=ROOT, check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            (folder / Path(name).name).write_text(text, encoding="utf-8")
    return folder


def kind_of(query: Any) -> str:
    """``one`` (about one incident, cause or body: it takes an IRI or code), ``listing`` (it
    pages before its rows are looked up, or lists incidents in an order of its own), else
    ``aggregate``."""
    from incident_kg.queries.library import PAGE_MARK

    if PAGE_MARK in query.text or query.name == "detection-lag":
        return "listing"
    if any(p.type == "iri" for p in query.parameters) or query.name == "statistics":
        return "one"
    return "aggregate"


def _runs(store: Any, sides: Sequence[tuple[Any, dict[str, Any]]], repeat: int) -> list[Json]:
    """Each side's median seconds, timed in turn (side 1, side 2, side 1, …) so that a change
    of load falls on both, after one warm-up run each that also gives the rows (one run only
    when the first is slow, as the scale harness does)."""
    from incident_kg.queries.library import run_local

    firsts = [_timed_cpu(partial(run_local, store, q, t)) for q, t in sides]
    times: list[list[tuple[float, float]]] = [[] for _ in sides]
    slow = any(first_s >= SLOW_QUERY_S for first_s, _, _ in firsts)
    for _ in range(0 if slow else repeat):
        for n, (q, t) in enumerate(sides):
            wall, cpu, _ = _timed_cpu(partial(run_local, store, q, t))
            times[n].append((wall, cpu))
    return [
        {
            "seconds": statistics.median(w for w, _ in times[n]) if times[n] else first_s,
            "cpu": statistics.median(c for _, c in times[n]) if times[n] else first_cpu,
            "rows": table.rows,
        }
        for n, (first_s, first_cpu, table) in enumerate(firsts)
    ]


def _timed_cpu(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall seconds and CPU seconds of this process taken by ``action``, and what it returned:
    the CPU time is the query's own work (Oxigraph evaluates it in the calling thread), which
    the load of a shared machine changes far less than the wall time."""
    cpu = time.process_time()
    wall, value = timed(action)
    return wall, time.process_time() - cpu, value


def _digest(rows: Sequence[Sequence[str | None]]) -> str:
    return hashlib.sha256(json.dumps(canonical(rows)).encode()).hexdigest()


def time_sides(store: Any, sides: Sequence[tuple[Any, dict[str, Any]]], repeat: int) -> list[Json]:
    """Each side's median, its first page's median, its rows and their digest."""
    from incident_kg.queries.library import paged

    whole = _runs(store, sides, repeat)
    pages = _runs(
        store,
        [(dataclasses.replace(q, text=paged(q.text, PAGE, 0)), t) for q, t in sides],
        repeat,
    )
    return [
        {
            "median_s": w["seconds"],
            "page_s": p["seconds"],
            "median_cpu_s": w["cpu"],
            "page_cpu_s": p["cpu"],
            "rows": len(w["rows"]),
            "answer": _digest(w["rows"]),
        }
        for w, p in zip(whole, pages, strict=True)
    ]


def measure(store_dir: Path, before: str | None, repeat: int, only: Sequence[str]) -> Json:
    """Both sides of every named query (or of ``only``) and the yardsticks."""
    from incident_kg.graph.store import GraphStore
    from incident_kg.queries.library import bindings, known_codes, load_library, run_local

    known = known_codes()
    after = load_library()
    out: Json = {"queries": {}}
    with tempfile.TemporaryDirectory(prefix="ikg-queries-") as tmp:
        old = load_library(queries_at(before, Path(tmp))) if before else {}
        with GraphStore.open(store_dir, read_only=True) as store:
            params = query_parameters(store)
            out["params"] = params
            out["reports"] = len(store.report_graphs())
            trivial = after["incident-timeline"]
            terms = bindings(trivial, {"incident": params["incident"]}, known)
            out["trivial_s"] = _runs(store, [(trivial, terms)], repeat)[0]["seconds"]
            out["floor_s"] = statistics.median(
                timed(lambda: run_local(store, FLOOR_QUERY))[0] for _ in range(repeat)
            )
            for name, query in sorted(after.items()):
                if only and name not in only:
                    continue
                values = {p.name: params[p.name] for p in query.parameters}
                row: Json = {"kind": kind_of(query)}
                sides = [(query, bindings(query, values, known))]
                if name in old:
                    sides.insert(0, (old[name], bindings(old[name], values, known)))
                *earlier, row["after"] = time_sides(store, sides, repeat)
                if earlier:
                    row["before"] = earlier[0]
                out["queries"][name] = row
                print(f"{name}: {_cell(row)}", file=sys.stderr, flush=True)
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def _cell(row: Json) -> str:
    after = row["after"]
    text = f"{_ms(after['median_s'])} ms (page {_ms(after['page_s'])} ms)"
    if "before" in row:
        text += (
            f", before {_ms(row['before']['median_s'])} ms (page {_ms(row['before']['page_s'])} ms)"
        )
    return text


def _met(row: Json) -> str:
    """``met`` when the wall time is within the target; when only the CPU time is (the wall
    time over it is waiting for a core of the loaded machine), says so; else NOT met."""
    after = row["after"]
    if row["kind"] == "listing":
        wall, cpu, limit = after["page_s"], after["page_cpu_s"], PAGE_TARGET_S
    else:
        wall, cpu = after["median_s"], after["median_cpu_s"]
        limit = AGGREGATE_TARGET_S if row["kind"] == "aggregate" else ONE_THING_TARGET_S
    if wall <= limit:
        return "met"
    return "met in CPU time (wall over: load)" if cpu <= limit else "**NOT met**"


def render(result: Json, command: str, note: str | None) -> str:
    """The section of RESULTS.md."""
    trivial, floor = result["trivial_s"], result["floor_s"]
    lines = [
        SECTION,
        "",
        *(f"- {line}" for line in environment()),
        f"- Store: {result['reports']:,} reports",
        f"- Command: `{command}`",
        f"- Yardsticks in the same run: a trivial query (incident-timeline of one incident) "
        f"{trivial * 1000:.1f} ms; the floor (every incident and its label) {_ms(floor)} ms",
    ]
    if note:
        lines.append(f"- {note}")
    lines += [
        "",
        "Median of the runs after a warm-up, ms of wall time (one run when a run takes over "
        "5 s); *page* is the first page (`--limit 50`); *after/before* the ratio of the two in "
        "this run; *CPU* the median CPU time of the measured one (the whole query, or the page "
        "of a listing) before → after, ms, which the machine's load changes less; *× floor* the "
        "query over the floor. Same answer: the rows of both sides as sets.",
        "",
        "| query | kind | before, ms | before page, ms | after, ms | after page, ms "
        "| after/before | CPU before → after, ms | × floor | rows | same answer | target met? |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for name, row in sorted(result["queries"].items()):
        after, before = row["after"], row.get("before")
        measured = after["page_s"] if row["kind"] == "listing" else after["median_s"]
        cpu_key = "page_cpu_s" if row["kind"] == "listing" else "median_cpu_s"
        ratio, same, cpu = "", "", _ms(after[cpu_key])
        if before:
            base = before["page_s"] if row["kind"] == "listing" else before["median_s"]
            ratio = f"{measured / base:.2f}" if base else ""
            same = "yes" if before["answer"] == after["answer"] else "**NO**"
            cpu = f"{_ms(before[cpu_key])} → {cpu}"
        lines.append(
            f"| {name} | {row['kind']} | {_ms(before['median_s']) if before else ''} "
            f"| {_ms(before['page_s']) if before else ''} | {_ms(after['median_s'])} "
            f"| {_ms(after['page_s'])} | {ratio} | {cpu} | {after['median_s'] / floor:.1f} "
            f"| {after['rows']:,} | {same} | {_met(row)} |"
        )
    lines += [
        "",
        "Targets (issue 17, at 10,000 reports): one incident, cause or body ≤ 100 ms; "
        "aggregates over the corpus ≤ 500 ms; listings' first page ≤ 100 ms (the ratio is "
        "then of the pages).",
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a built store (read only)")
    parser.add_argument("--before", help="a git revision whose queries/*.rq to time as well")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=[], help="these named queries only")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-write", action="store_true", help="print, do not write --out")
    parser.add_argument("--json", type=Path, help="also keep the raw numbers here")
    parser.add_argument("--note", help="a line about the run (load, what else ran)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    result = measure(args.store, args.before, args.repeat, args.only)
    command = "python -m benchmarks.query_times " + shlex.join(
        sys.argv[1:] if argv is None else list(argv)
    )
    section = render(result, command, args.note)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    if args.no_write:
        print(section)
    else:
        write_section(args.out, SECTION, section)
        print(f"wrote {args.out}: {SECTION}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
