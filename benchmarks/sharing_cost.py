"""Sharing cost (issue 6): what redaction, filters and a checked import cost.

An import checks a received file before it writes anything (parse, ontology guard,
SHACL shapes, marking) and then recomputes the inferences of the imported graphs.
This benchmark measures that against a baseline — Oxigraph's ``bulk_load`` of the
same file, which checks nothing — and an export with redaction or a filter against
a plain export, on the sample reports' graphs replicated to several sizes (the data
of :mod:`benchmarks.store_choice`). It also gives the bytes per triple of a Turtle
export, which turns the import's size limit (16 MiB) into triples and, by linear
extrapolation from the largest size measured, into an import time.

Each size runs in its own forked child process (peak RSS of the import is its own).
Run::

    .venv/bin/python -m benchmarks.sharing_cost [--copies N ...] [--repeat K] [--out PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from benchmarks.results import write_section
from incident_kg.export.filters import Selection
from incident_kg.export.importer import (
    DEFAULT_MAX_BYTES,
    import_update,
    inferred_ntriples,
    ontology_guard,
    read_received,
    sort_received,
    validate_sorted,
)
from incident_kg.export.marking import Tlp
from incident_kg.export.records import ImportRecord
from incident_kg.export.serialize import ExportOptions, export_dataset
from incident_kg.graph.build import load_ontology
from incident_kg.graph.store import GraphStore

from .store_choice import (
    BENCH_DIR,
    Corpus,
    environment,
    isolated,
    peak_rss_kib,
    replicate,
    sample_graphs,
    timed,
)

SECTION = "## Sharing cost (issue 6)"
DEFAULT_COPIES = (1, 4, 12)
DEFAULT_REPEAT = 3


@dataclass
class SizeRun:
    """Everything measured at one size (built in the child process)."""

    triples: int
    turtle_bytes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # operation → median
    peak_rss_mib: float = 0.0


def _median(action: Callable[[], object], repeat: int) -> float:
    return statistics.median(timed(action)[0] for _ in range(repeat))


def exports(corpus: Corpus, work: Path, repeat: int) -> SizeRun:
    """Load the corpus, time the exports and leave the plain Turtle export in ``work``."""
    with GraphStore.open(work / "store", create=True) as store:
        load_ontology(store)
        for graph in corpus.graphs:
            store.replace_graph(graph.name, graph.ntriples)
    run = SizeRun(corpus.triples)
    with GraphStore.open(work / "store", read_only=True) as store:

        def export(**options: object) -> bytes:
            return export_dataset(store, "turtle", ExportOptions(**options)).data  # type: ignore[arg-type]

        data = export()
        run.seconds["export, plain (baseline)"] = _median(export, repeat)
        run.seconds["export, redacted"] = _median(lambda: export(redact=True), repeat)
        one = Selection(organizations=("青葉市",))
        run.seconds["export, one organisation"] = _median(lambda: export(selection=one), repeat)
    (work / "received.ttl").write_bytes(data)
    run.turtle_bytes = len(data)
    return run


def imports(file: Path, work: Path, repeat: int) -> SizeRun:
    """Time Oxigraph's unchecked bulk load of the file and the steps of a checked import;
    the peak RSS growth is the import's (this runs in a child process of its own)."""
    run = SizeRun(0)

    def bulk() -> None:
        target = Path(tempfile.mkdtemp(dir=work))
        ox.Store(str(target)).bulk_load(path=str(file), format=ox.RdfFormat.TURTLE)

    run.seconds["bulk_load, no checks (baseline)"] = _median(bulk, repeat)
    ontology_guard()  # built once per process: not part of an import's cost
    rss_before = peak_rss_kib()
    steps: dict[str, list[float]] = {}
    for k in range(repeat):
        for name, seconds in import_steps(file, work / f"import-{k}").items():
            steps.setdefault(name, []).append(seconds)
    run.seconds.update({name: statistics.median(v) for name, v in steps.items()})
    run.peak_rss_mib = (peak_rss_kib() - rss_before) / 1024
    return run


def measure(corpus: Corpus, repeat: int) -> SizeRun:
    """Exports and imports of one corpus, each in its own child process."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        run = isolated(lambda: exports(corpus, work, repeat))  # type: ignore[arg-type,return-value]
        checked = isolated(lambda: imports(work / "received.ttl", work, repeat))  # type: ignore[arg-type,return-value]
    run.seconds.update(checked.seconds)  # type: ignore[attr-defined]
    run.peak_rss_mib = checked.peak_rss_mib  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


def import_steps(file: Path, target: Path) -> dict[str, float]:
    """Seconds each step of an import takes (as :func:`.importer.import_file` runs them)."""
    guard = ontology_guard()
    t_parse, received = timed(lambda: read_received(file))
    t_sort, sorted_file = timed(lambda: sort_received(received, "bench", guard))
    t_shapes, _ = timed(lambda: validate_sorted(sorted_file))
    t_infer, inferred = timed(
        lambda: {g: inferred_ntriples(v, guard.rules) for g, v in sorted_file.graphs.items()}
    )
    record = ImportRecord(
        "bench",
        "bench",
        "https://bench.example/",
        file.name,
        "0" * 64,
        "2024-01-01T00:00:00Z",
        Tlp.AMBER,
        None,
        tuple(sorted_file.graphs),
        0,
    )

    def write() -> None:
        with GraphStore.open(target, create=True) as store:
            ontology = (guard.ontology_nt, guard.closure_nt)
            store.update(import_update(record, sorted_file.graphs, inferred, ontology=ontology))

    t_write, _ = timed(write)
    steps = {
        "parse (Oxigraph)": t_parse,
        "ontology guard": t_sort,
        "SHACL shapes (with rdflib parse)": t_shapes,
        "inferences": t_infer,
        "write, one transaction": t_write,
    }
    return steps | {"import, total": sum(steps.values())}


def render(runs: Sequence[SizeRun], command: str) -> str:
    """This benchmark's section of RESULTS.md."""
    lines = [SECTION, ""] + [f"- {line}" for line in environment()]
    lines += [f"- Command: `{command}`", ""]
    sizes = " | ".join(f"{r.triples:,} triples, s" for r in runs)
    lines += [f"| operation | {sizes} | ratio to its baseline at the largest size |"]
    lines += ["|---|" + "--:|" * len(runs) + "--:|"]
    largest = runs[-1]
    for name in largest.seconds:
        base = (
            "export, plain (baseline)"
            if name.startswith("export")
            else "bulk_load, no checks (baseline)"
        )
        ratio = largest.seconds[name] / largest.seconds[base]
        cells = " | ".join(f"{r.seconds[name]:.3g}" for r in runs)
        lines.append(f"| {name} | {cells} | {ratio:.2g}× |")
    lines.append(
        "| Turtle file, MiB | " + " | ".join(f"{r.turtle_bytes / 2**20:.2f}" for r in runs) + " | |"
    )
    lines.append(
        "| import peak RSS growth, MiB | "
        + " | ".join(f"{r.peak_rss_mib:.0f}" for r in runs)
        + " | |"
    )
    per_triple = largest.turtle_bytes / largest.triples
    at_limit = DEFAULT_MAX_BYTES / per_triple
    seconds = largest.seconds["import, total"] / largest.triples * at_limit
    memory = largest.peak_rss_mib / largest.turtle_bytes * DEFAULT_MAX_BYTES / 1024
    lines += [
        "",
        f"A Turtle export takes about {per_triple:.0f} bytes per triple (ontology included), "
        f"so the import limit of {DEFAULT_MAX_BYTES // 2**20} MiB is about "
        f"{at_limit / 1e6:.2f} million triples; at the rate of the largest size an import "
        f"that large would take about {seconds / 60:.1f} minutes and {memory:.1f} GiB "
        "(linear extrapolation: SHACL validation grows faster than linearly with shared "
        "nodes, so read it as a lower bound).",
        "",
        "Times on a 2-core machine shared with other work vary by up to half from run to "
        "run; read the ratios of the import's steps, which hold from run to run: SHACL "
        "validation is most of an import, then the inferences and the one-transaction write.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Measure every size, print the table and write RESULTS.md."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sharing_cost")
    parser.add_argument("--copies", type=int, nargs="+", default=list(DEFAULT_COPIES))
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "RESULTS.md")
    args = parser.parse_args(argv)
    samples = sample_graphs()
    runs = []
    for copies in args.copies:
        corpus = replicate(samples, copies)
        print(f"measuring {corpus.describe()} …", file=sys.stderr)
        runs.append(measure(corpus, args.repeat))
    command = "python -m benchmarks.sharing_cost " + " ".join(argv or sys.argv[1:])
    section = render(runs, command.strip())
    print(section)
    write_section(args.out, SECTION, section)


if __name__ == "__main__":
    main()
