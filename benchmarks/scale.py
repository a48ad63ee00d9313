"""Scale (issue 7): the project's pipeline against plain rdflib + owlrl, size by size.

For each corpus size (synthetic reports of ``benchmarks/corpus.py``) the harness runs, each
in its own child process so that each has a fresh heap and its own peak memory:

* **project**: ``incident-kg build`` (the library's ``build``: extraction in parallel
  workers, per-report OWL RL materialisation, transactional batched writes into the
  on-disk Oxigraph store) → every named query of ``queries/*.rq`` (median of K runs) →
  the pipeline stages still to come (analysis, views: placeholders until they exist) →
  adding one report and rebuilding with nothing changed (the CLI, end to end);
* **export**: ``export/serialize.py`` on the built store (its own child: its memory is
  reported apart from the build's);
* **baseline**: the obvious way — the same extractor in one process, every report's
  triples into one in-memory rdflib ``Graph`` with the ontology,
  ``owlrl.DeductiveClosure(OWLRL_Semantics).expand`` (stopped after ``--baseline-timeout``
  seconds and reported as not finished), then rdflib's SPARQL for every named query,
  whose answers are compared with the project's.

A graph-mode size (``--graph-reports``, 100,000 by default) pushes the store, the analysis and the queries past
what text extraction feeds quickly: report graphs replicated to a million triples and more.

Peak memory is the largest total memory (proportional set size, so that pages shared by
forked workers count once) of the child and its workers, sampled every 0.2 s from ``/proc``.  Results replace this benchmark's section of RESULTS.md.

Run from the project root::

    .venv/bin/python -m benchmarks.scale                       # 10 100 1000 10000 + 1M triples
    .venv/bin/python -m benchmarks.scale --sizes 10 100 --baseline-sizes 10 --graph-reports 0
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.results import write_section
from benchmarks.scale_baseline import child_baseline
from benchmarks.scale_graph import child_graph, child_graph_later
from benchmarks.scale_measure import (
    CHILDREN,
    DEFAULT_BASELINE_SIZES,
    DEFAULT_BASELINE_TIMEOUT,
    DEFAULT_GRAPH_REPORTS,
    DEFAULT_OUT,
    DEFAULT_REPEAT,
    DEFAULT_SIZES,
    SECTION,
    SEED,
    Json,
    SizeRun,
    project_queries,
    run_child,
)
from benchmarks.scale_report import render_section, say
from benchmarks.store_choice import environment

# -- the run ---------------------------------------------------------------------------


def measure(args: argparse.Namespace, workdir: Path) -> tuple[list[SizeRun], Json | None]:
    """Generate each corpus and run the children, smallest size first."""
    from benchmarks.corpus import write_corpus

    runs: list[SizeRun] = []
    for size in sorted(set(args.sizes)):
        corpus = workdir / f"corpus-{size}"
        if not (corpus / "planted.jsonl").exists():
            shutil.rmtree(corpus, ignore_errors=True)
            write_corpus(corpus, size, SEED)
        store = workdir / f"store-{size}"
        common = {"corpus": str(corpus), "store": str(store), "size": size, "repeat": args.repeat}
        say(f"size {size}: project")
        project = run_child("project", common)
        if "params" in project:
            say(f"size {size}: queries")
            project["queries"] = project_queries(store, project["params"], args.repeat)
        say(f"size {size}: export")
        export = run_child("export", common)
        dump = run_child("export", {**common, "variant": "dump"})
        export["dump"] = {**dump.get("dump", {}), "peak_mib": dump["peak_mib"]}
        baseline = None
        if size in args.baseline_sizes and "params" in project:
            say(f"size {size}: baseline (closure stopped after {args.baseline_timeout} s)")
            baseline = run_child(
                "baseline",
                {**common, "timeout": args.baseline_timeout, "params": project["params"]},
            )
        shutil.rmtree(store, ignore_errors=True)
        runs.append(SizeRun(size, project, export, baseline))
        save_raw(workdir / "scale-results.json", runs, None, "(partial)", args)
    graph = None
    if args.graph_reports:
        say(f"graph mode: {args.graph_reports:,} reports")
        graph_store = workdir / "store-graph"
        graph = run_child("graph", {"reports": args.graph_reports, "store": str(graph_store)})
        save_raw(workdir / "scale-results.json", runs, graph, "(partial)", args)
        if "params" in graph:
            say("graph mode: queries")
            graph["queries"] = project_queries(graph_store, graph["params"], args.repeat)
            save_raw(workdir / "scale-results.json", runs, graph, "(partial)", args)
            say("graph mode: analysis and pages")
            graph["later"] = run_child(
                "graph-later",
                {"store": str(graph_store), "params": graph["params"], "repeat": args.repeat},
            )
        shutil.rmtree(graph_store, ignore_errors=True)
    return runs, graph


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scale",
        description="Time the project's pipeline and the rdflib + owlrl baseline, size by size.",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(DEFAULT_SIZES),
        metavar="N",
        help="corpus sizes in reports (default: %(default)s)",
    )
    parser.add_argument(
        "--baseline-sizes",
        type=int,
        nargs="*",
        default=list(DEFAULT_BASELINE_SIZES),
        metavar="N",
        help="sizes at which the baseline runs too (default: %(default)s)",
    )
    parser.add_argument(
        "--baseline-timeout",
        type=int,
        default=DEFAULT_BASELINE_TIMEOUT,
        metavar="S",
        help="stop owlrl's closure after S seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--graph-reports",
        type=int,
        default=DEFAULT_GRAPH_REPORTS,
        metavar="N",
        help="graph-mode size in reports, 0 for none (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        metavar="K",
        help="runs per query median (default: %(default)s)",
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep corpora here (default: a temporary folder)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="results file (default: %(default)s)"
    )
    parser.add_argument(
        "--note",
        action="append",
        metavar="TEXT",
        help="a note on the run to add to the section (repeatable), e.g. what else ran",
    )
    parser.add_argument(
        "--render",
        type=Path,
        default=None,
        metavar="JSON",
        help="measure nothing: write the section again from a run's WORKDIR/scale-results.json",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.sizes) < 1:
        parser.error("--sizes and --repeat must be positive")
    return args


def save_raw(
    path: Path, runs: Sequence[SizeRun], graph: Json | None, command: str, args: Any
) -> None:
    """Every number measured, as JSON (to render the section again without measuring)."""
    data = {
        "command": command,
        "repeat": args.repeat,
        "baseline_timeout": args.baseline_timeout,
        "environment": environment(),
        "runs": [dataclasses.asdict(r) for r in runs],
        "graph": graph,
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run every size, print the section and write it into RESULTS.md."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        kind, payload, result_path = argv[1], json.loads(argv[2]), Path(argv[3])
        children = {
            **CHILDREN,
            "baseline": child_baseline,
            "graph": child_graph,
            "graph-later": child_graph_later,
        }
        result_path.write_text(json.dumps(children[kind](payload)), encoding="utf-8")
        return 0
    args = parse_args(argv)
    if args.render is not None:  # the section again, from a run's raw numbers
        data = json.loads(args.render.read_text(encoding="utf-8"))
        runs = [SizeRun(**r) for r in data["runs"]]
        args.repeat, args.baseline_timeout = data["repeat"], data["baseline_timeout"]
        section = render_section(runs, data["graph"], data["command"], args, data["environment"])
        print(section)
        write_section(args.out, SECTION, section)
        return 0
    command = shlex.join([".venv/bin/python", "-m", "benchmarks.scale", *argv])
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        runs, graph = measure(args, args.workdir)
        save_raw(args.workdir / "scale-results.json", runs, graph, command, args)
    else:
        with tempfile.TemporaryDirectory(prefix="ikg-scale-") as tmp:
            runs, graph = measure(args, Path(tmp))
    section = render_section(runs, graph, command, args)
    print(section)
    write_section(args.out, SECTION, section)
    say(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
