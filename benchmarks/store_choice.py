"""Store choice (issue 2): is the embedded Oxigraph store faster than rdflib for our graphs?

The project keeps its graph in Oxigraph on disk "for speed".  This benchmark measures
that claim against a baseline, rdflib's in-memory ``Dataset``, on realistic data: the
report graphs the real pipeline makes from ``samples/reports``, replicated under
distinct report ids to about 10k, 100k and 300k triples.

For each size and each store it times, as the median of K runs, each run in a fresh
temporary directory:

* **load**: every report graph, one graph at a time (for Oxigraph: one
  ``GraphStore.replace_graph`` per report, which is what ``build`` does), and for
  reference Oxigraph's ``Store.bulk_load`` of the whole corpus as N-Quads;
* **GROUP BY causes**: incidents per cause concept over the union of the graphs;
* **evidence lookup**: for one cause, the exact sentences it was read from
  (incident → ``oa:Annotation`` → target → selector → ``oa:exact``);
* **replace one report**: re-load one report's graph in a loaded store.

Each store runs in its own forked child process (where ``fork`` exists), so that one
store's garbage does not slow the next and the peak resident memory of each can be read
with :func:`resource.getrusage`.  Run::

    .venv/bin/python -m benchmarks.store_choice [--copies N ...] [--repeat K] [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing as mp
import os
import platform
import resource
import shlex
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from importlib import metadata
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol, TypeVar, cast

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from benchmarks.results import write_section
from incident_kg.graph.build import collect_files, default_extractor, read_and_extract
from incident_kg.graph.store import GraphStore, to_ntriples
from incident_kg.graph.triples import Minter, report_graph
from incident_kg.ontology.namespaces import DEFAULT_BASE, IKG

T = TypeVar("T")

BENCH_DIR = Path(__file__).resolve().parent
SAMPLES = BENCH_DIR.parent / "samples" / "reports"
DEFAULT_OUT = BENCH_DIR / "RESULTS.md"
SECTION = "## Store choice (issue 2)"
DEFAULT_COPIES = (1, 8, 24)  # about 12k, 100k and 300k triples from the 11 samples
DEFAULT_REPEAT = 3
REPLACE_ROUNDS = 3  # replacements timed per loaded store (one replacement is a few ms)

# Operations, in table order.
LOAD = "load, one graph per report"
BULK = "load, bulk (reference)"
GROUP_BY = "GROUP BY causes"
EVIDENCE = "evidence lookup"
REPLACE = "replace one report"

GROUP_BY_QUERY = (
    f"SELECT ?c (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?i <{IKG.hasCause}> ?c }} "
    "GROUP BY ?c ORDER BY DESC(?n)"
)
EVIDENCE_QUERY = """\
PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?i ?a ?exact WHERE {{
  ?i ikg:hasCause <{cause}> .
  ?a ikg:aboutIncident ?i ;
     oa:hasBody <{cause}> ;
     oa:hasTarget ?t .
  ?t oa:hasSelector ?s .
  ?s oa:exact ?exact .
}}"""
# Untimed: how many rows a triple that every report graph repeats gives over the union.
UNION_PROBE_QUERY = "SELECT ?a WHERE { ?a a <http://www.w3.org/ns/prov#SoftwareAgent> }"


# -- data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportGraph:
    """One report's named graph: the report id, the graph IRI and its N-Triples."""

    report_id: str
    name: str
    ntriples: str
    triples: int

    def copy(self, k: int, base: str = DEFAULT_BASE) -> ReportGraph:
        """The same graph re-minted for report ``<id>-c<k>`` (copy 0 is the original)."""
        if k == 0:
            return self
        new_id = f"{self.report_id}-c{k}"
        old, new = Minter(base, self.report_id), Minter(base, new_id)
        text = self.ntriples.replace(f"<{old.report}", f"<{new.report}")
        return ReportGraph(new_id, str(new.graph), text, self.triples)


@dataclass(frozen=True)
class Corpus:
    """The graphs of one benchmark size: the sample reports' graphs, replicated."""

    copies: int
    graphs: tuple[ReportGraph, ...]

    @property
    def triples(self) -> int:
        """Number of triples over all graphs."""
        return sum(g.triples for g in self.graphs)

    @cached_property
    def nquads(self) -> bytes:
        """Every graph as one N-Quads document (for Oxigraph's bulk loader)."""
        lines = (
            f"{line[:-1]}<{g.name}> .\n"  # "<s> <p> <o> ." → "<s> <p> <o> <g> ."
            for g in self.graphs
            for line in g.ntriples.splitlines()
            if line
        )
        return "".join(lines).encode("utf-8")

    def describe(self) -> str:
        """'12,380 triples in 11 report graphs (1 copy of the samples)'."""
        plural = "copy" if self.copies == 1 else "copies"
        return (
            f"{self.triples:,} triples in {len(self.graphs)} report graphs "
            f"({self.copies} {plural} of the samples)"
        )


@dataclass(frozen=True)
class Workload:
    """What every store is asked to do besides loading: two queries and one replacement."""

    evidence_query: str
    replaced: ReportGraph


@dataclass(frozen=True)
class Measurement:
    """One operation on one store at one size: the median of its timed runs."""

    triples: int
    store: str
    operation: str
    median_s: float
    runs: int
    rows: int | None = None  # result rows of a query: every store must give the same


@dataclass
class StoreRun:
    """Everything measured for one store at one size (built in the child process)."""

    store: str
    measurements: list[Measurement] = field(default_factory=list)
    peak_rss_mib: float | None = None  # growth of the peak RSS over the run's start
    disk_mib: float | None = None  # size of the store directory after closing
    union_probe_rows: int | None = None


def sample_graphs(reports: Path = SAMPLES) -> list[ReportGraph]:
    """Run the real pipeline once over the sample reports: one graph per report."""
    files, problems = collect_files([reports])
    if problems or not files:
        raise SystemExit(f"cannot read the sample reports in {reports}: {problems}")
    extractor = default_extractor()
    graphs: list[ReportGraph] = []
    for path in files:
        report = read_and_extract(path, extractor)
        graph = report_graph(report, base=DEFAULT_BASE, software_version="bench")
        graphs.append(
            ReportGraph(report.report_id, str(graph.identifier), to_ntriples(graph), len(graph))
        )
    return graphs


def replicate(samples: Sequence[ReportGraph], copies: int) -> Corpus:
    """``copies`` copies of every sample graph, each under its own report id."""
    return Corpus(copies, tuple(g.copy(k) for k in range(copies) for g in samples))


def top_cause(samples: Iterable[ReportGraph]) -> str:
    """The cause concept with the most incidents in the samples (ties: smallest IRI)."""
    counts: Counter[str] = Counter()
    for sample in samples:
        graph = Graph().parse(data=sample.ntriples, format="nt")
        counts.update(str(o) for o in set(graph.objects(None, IKG.hasCause)))
    if not counts:
        raise SystemExit("the samples have no ikg:hasCause: nothing to look up")
    return min(counts, key=lambda c: (-counts[c], c))


def make_workload(samples: Sequence[ReportGraph]) -> Workload:
    """The evidence query for the commonest cause; the largest report is the one replaced."""
    return Workload(
        evidence_query=EVIDENCE_QUERY.format(cause=top_cause(samples)),
        replaced=max(samples, key=lambda g: (g.triples, g.name)),
    )


# -- stores under test ----------------------------------------------------------------


class Backend(Protocol):
    """A store under test, opened (untimed) on a fresh directory."""

    def load(self, corpus: Corpus) -> None:
        """Put every graph of the corpus into the (empty) store."""

    def select(self, sparql: str) -> int:
        """Run a SELECT over the union of the graphs; the number of result rows."""

    def replace(self, graph: ReportGraph) -> None:
        """Replace one named graph with the given graph's triples."""

    def close(self) -> None:
        """Release the store (flushing it when on disk)."""


class OxigraphGraphStore:
    """The project's GraphStore: Oxigraph on disk, one SPARQL Update per report graph."""

    def __init__(self, workdir: Path, corpus: Corpus) -> None:
        self._store = GraphStore.open(workdir / "store", create=True)

    def load(self, corpus: Corpus) -> None:
        for graph in corpus.graphs:
            self._store.replace_graph(graph.name, graph.ntriples)

    def select(self, sparql: str) -> int:
        return sum(1 for _ in cast(ox.QuerySolutions, self._store.query(sparql)))

    def replace(self, graph: ReportGraph) -> None:
        self._store.replace_graph(graph.name, graph.ntriples)

    def close(self) -> None:
        self._store.close()


class OxigraphBulk:
    """Oxigraph's bulk loader over the whole corpus as N-Quads (load only, for reference)."""

    def __init__(self, workdir: Path, corpus: Corpus) -> None:
        corpus.nquads  # noqa: B018  (serialise before the clock starts)
        self._store = ox.Store(str(workdir / "bulk"))

    def load(self, corpus: Corpus) -> None:
        self._store.bulk_load(corpus.nquads, format=ox.RdfFormat.N_QUADS)

    def select(self, sparql: str) -> int:
        return sum(1 for _ in cast(ox.QuerySolutions, self._store.query(sparql)))

    def replace(self, graph: ReportGraph) -> None:
        raise NotImplementedError("bulk loading is measured for loading only")

    def close(self) -> None:
        self._store.flush()
        del self._store


class RdflibMemory:
    """The baseline: rdflib's in-memory Dataset, one Graph per named graph, union default."""

    def __init__(self, workdir: Path, corpus: Corpus) -> None:
        self._dataset = Dataset(default_union=True)

    def load(self, corpus: Corpus) -> None:
        for graph in corpus.graphs:
            self._dataset.graph(URIRef(graph.name)).parse(data=graph.ntriples, format="nt")

    def select(self, sparql: str) -> int:
        return sum(1 for _ in self._dataset.query(sparql))

    def replace(self, graph: ReportGraph) -> None:
        self._dataset.remove_graph(URIRef(graph.name))
        self._dataset.graph(URIRef(graph.name)).parse(data=graph.ntriples, format="nt")

    def close(self) -> None:
        self._dataset.close()


class RdflibOxigraph(RdflibMemory):
    """rdflib's Dataset over the oxrdflib store (Oxigraph on disk; Oxigraph's own N-Triples
    parser, ``format="ox-nt"``; queries run on Oxigraph's engine)."""

    def __init__(self, workdir: Path, corpus: Corpus) -> None:
        self._dataset = Dataset(store="Oxigraph", default_union=True)
        self._dataset.open(str(workdir / "oxrdflib"))

    def load(self, corpus: Corpus) -> None:
        for graph in corpus.graphs:
            self._dataset.graph(URIRef(graph.name)).parse(data=graph.ntriples, format="ox-nt")

    def replace(self, graph: ReportGraph) -> None:
        self._dataset.remove_graph(URIRef(graph.name))
        self._dataset.graph(URIRef(graph.name)).parse(data=graph.ntriples, format="ox-nt")


@dataclass(frozen=True)
class StoreSpec:
    """A store under test: its key, its column title and what it is asked to do."""

    key: str
    title: str
    factory: Callable[[Path, Corpus], Backend]
    full: bool = True  # False: load only
    on_disk: bool = True


BASELINE = StoreSpec("rdflib", "rdflib memory (baseline)", RdflibMemory, on_disk=False)
OXIGRAPH = StoreSpec("oxigraph", "Oxigraph GraphStore", OxigraphGraphStore)
BULK_SPEC = StoreSpec("bulk", "Oxigraph bulk_load", OxigraphBulk, full=False)
OXRDFLIB = StoreSpec("oxrdflib", "rdflib + oxrdflib", RdflibOxigraph)


def oxrdflib_missing() -> str | None:
    """Why the oxrdflib store cannot be measured, or None when it can."""
    try:
        import oxrdflib  # noqa: F401
    except ImportError as exc:
        return f"oxrdflib is not installed ({exc}); its column is skipped"
    return None


# -- measuring ------------------------------------------------------------------------


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by ``action`` (perf_counter) and what it returned."""
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def peak_rss_kib() -> int:
    """The process's peak resident set size so far, in KiB (Linux units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def directory_mib(path: Path) -> float:
    """Total size of the files under ``path``, in MiB."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


@dataclass
class Timings:
    """Seconds and result rows collected for one store at one size, operation by operation."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    rows: dict[str, int | None] = field(default_factory=dict)
    probe_rows: int | None = None

    def add(self, operation: str, seconds: float, rows: int | None = None) -> None:
        """Record one timed run of an operation (and its result rows, for queries)."""
        self.seconds.setdefault(operation, []).append(seconds)
        self.rows[operation] = rows

    def measurements(self, triples: int, store: str) -> list[Measurement]:
        """One row per operation: the median of its runs."""
        return [
            Measurement(triples, store, op, statistics.median(s), len(s), self.rows[op])
            for op, s in self.seconds.items()
        ]


def one_run(
    spec: StoreSpec, corpus: Corpus, workload: Workload, workdir: Path, timings: Timings
) -> None:
    """Open the store in ``workdir`` (untimed), load the corpus, time each operation."""
    backend = spec.factory(workdir, corpus)
    try:
        seconds, _ = timed(lambda: backend.load(corpus))
        timings.add(LOAD if spec.full else BULK, seconds)
        if not spec.full:
            return
        for operation, query in ((GROUP_BY, GROUP_BY_QUERY), (EVIDENCE, workload.evidence_query)):
            seconds, rows = timed(partial(backend.select, query))
            timings.add(operation, seconds, rows)
        for _ in range(REPLACE_ROUNDS):
            seconds, _ = timed(lambda: backend.replace(workload.replaced))
            timings.add(REPLACE, seconds)
        timings.probe_rows = backend.select(UNION_PROBE_QUERY)
    finally:
        backend.close()


def run_store(spec: StoreSpec, corpus: Corpus, workload: Workload, repeat: int) -> StoreRun:
    """``repeat`` runs of one store at one size, each in a fresh temporary directory."""
    start_kib = peak_rss_kib()
    timings = Timings()
    disk_mib: float | None = None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="ikg-bench-") as tmp:
            one_run(spec, corpus, workload, Path(tmp), timings)
            disk_mib = directory_mib(Path(tmp)) if spec.on_disk else None
    return StoreRun(
        spec.key,
        timings.measurements(corpus.triples, spec.key),
        peak_rss_mib=(peak_rss_kib() - start_kib) / 1024,
        disk_mib=disk_mib,
        union_probe_rows=timings.probe_rows,
    )


def _child(job: Callable[[], StoreRun], sender: Connection) -> None:
    """Body of a child process: run the job, send back its result or its traceback."""
    try:
        sender.send(job())
    except BaseException:  # report anything, even KeyboardInterrupt, to the parent
        sender.send(traceback.format_exc())
    finally:
        sender.close()


def isolated(job: Callable[[], StoreRun]) -> StoreRun:
    """Run ``job`` in a forked child (fresh heap, its own peak RSS); in-process without fork.

    Without ``fork`` (Windows) the peak RSS would mix stores, so it is not reported."""
    if "fork" not in mp.get_all_start_methods():
        run = job()
        run.peak_rss_mib = None
        return run
    context = mp.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(job, sender))
    process.start()
    sender.close()
    try:
        outcome = receiver.recv()
    except EOFError:  # the child died before sending anything (a crash, a kill)
        outcome = None
    process.join()
    if outcome is None:
        outcome = f"the child process died with exit code {process.exitcode}"
    if isinstance(outcome, str):
        raise RuntimeError(f"benchmark child failed:\n{outcome}")
    return cast(StoreRun, outcome)


# -- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeResult:
    """The runs of every store at one size."""

    corpus_description: str
    triples: int
    runs: tuple[StoreRun, ...]

    def run(self, store: str) -> StoreRun | None:
        """The run of one store, if it was measured."""
        return next((r for r in self.runs if r.store == store), None)

    def measurement(self, store: str, operation: str) -> Measurement | None:
        """One store's row for one operation, if measured."""
        run = self.run(store)
        if run is None:
            return None
        return next((m for m in run.measurements if m.operation == operation), None)

    def seconds(self, store: str, operation: str) -> float | None:
        """Median seconds of one operation on one store, if measured."""
        found = self.measurement(store, operation)
        return None if found is None else found.median_s

    def ratio(self, store: str, operation: str) -> float | None:
        """Baseline seconds / this store's seconds (> 1: faster than the baseline).

        The bulk loader is compared with the baseline's ordinary load."""
        baseline = self.seconds(BASELINE.key, LOAD if operation == BULK else operation)
        other = self.seconds(store, operation)
        if baseline is None or other is None or other <= 0:
            return None
        return baseline / other


def fmt_seconds(seconds: float | None) -> str:
    """Seconds to three significant figures (at least two decimals); '–' when absent."""
    if seconds is None:
        return "–"
    if seconds <= 0:
        return "0"
    decimals = max(2, 2 - math.floor(math.log10(seconds)))
    return f"{seconds:.{decimals}f}"


def ratio_text(ratio: float | None) -> str:
    """A ratio in running text: '9.8×', '0.46×', or '–'."""
    if ratio is None:
        return "–"
    return f"{ratio:.1f}×" if ratio >= 1 else f"{ratio:.2f}×"


def fmt_ratio(ratio: float | None) -> str:
    """A table cell for a ratio, in bold when the store is slower than the baseline."""
    text = ratio_text(ratio)
    return f"**{text}**" if ratio is not None and ratio < 1 else text


def fmt_mib(value: float | None) -> str:
    """Mebibytes, rounded; '–' when absent."""
    return "–" if value is None else f"{value:.0f}"


def rows_cell(result: SizeResult, operation: str) -> str:
    """The query's result rows, which every store must agree on (flagged when not)."""
    counts = {
        run.store: m.rows
        for run in result.runs
        if (m := result.measurement(run.store, operation)) is not None and m.rows is not None
    }
    if not counts:
        return ""
    if len(set(counts.values())) == 1:
        return str(next(iter(counts.values())))
    return "DISAGREE: " + ", ".join(f"{k} {v}" for k, v in counts.items())


def size_table(result: SizeResult) -> str:
    """One Markdown table: seconds per operation per store, and ratios to the baseline."""
    head = (
        f"| operation | {BASELINE.title}, s | {OXIGRAPH.title}, s | baseline/Oxigraph "
        f"| {OXRDFLIB.title}, s | baseline/oxrdflib | rows |\n"
        "|---|--:|--:|--:|--:|--:|--:|\n"
    )
    lines = []
    for operation in (LOAD, GROUP_BY, EVIDENCE, REPLACE):
        lines.append(
            f"| {operation} | {fmt_seconds(result.seconds(BASELINE.key, operation))} "
            f"| {fmt_seconds(result.seconds(OXIGRAPH.key, operation))} "
            f"| {fmt_ratio(result.ratio(OXIGRAPH.key, operation))} "
            f"| {fmt_seconds(result.seconds(OXRDFLIB.key, operation))} "
            f"| {fmt_ratio(result.ratio(OXRDFLIB.key, operation))} "
            f"| {rows_cell(result, operation)} |"
        )
    if result.run(BULK_SPEC.key) is not None:
        lines.insert(
            1,
            f"| {BULK}: Oxigraph `bulk_load` of N-Quads | "
            f"{fmt_seconds(result.seconds(BASELINE.key, LOAD))} "
            f"| {fmt_seconds(result.seconds(BULK_SPEC.key, BULK))} "
            f"| {fmt_ratio(result.ratio(BULK_SPEC.key, BULK))} | – | – | |",
        )
    runs = {key: result.run(key) for key in (BASELINE.key, OXIGRAPH.key, OXRDFLIB.key)}
    rss = {k: None if r is None else r.peak_rss_mib for k, r in runs.items()}
    disk = {k: None if r is None else r.disk_mib for k, r in runs.items()}
    lines.append(
        f"| peak RSS growth, MiB | {fmt_mib(rss[BASELINE.key])} | {fmt_mib(rss[OXIGRAPH.key])} "
        f"| | {fmt_mib(rss[OXRDFLIB.key])} | | |"
    )
    lines.append(
        f"| store directory after close, MiB | – | {fmt_mib(disk[OXIGRAPH.key])} "
        f"| | {fmt_mib(disk[OXRDFLIB.key])} | | |"
    )
    return head + "\n".join(lines) + "\n"


def ratio_span(results: Sequence[SizeResult], store: str, operation: str) -> str:
    """The ratio at the smallest and at the largest size: '1.8× at 12,360 → 1.1× at 309,000'."""
    small = min(results, key=lambda r: r.triples)
    big = max(results, key=lambda r: r.triples)
    if small is big:
        return f"{ratio_text(big.ratio(store, operation))} at {big.triples:,} triples"
    return (
        f"{ratio_text(small.ratio(store, operation))} at {small.triples:,} → "
        f"{ratio_text(big.ratio(store, operation))} at {big.triples:,} triples"
    )


def slower_than_baseline(results: Sequence[SizeResult]) -> list[str]:
    """Each (store, operation) where an Oxigraph variant is slower than rdflib at some size,
    with its ratio at every size."""
    found = []
    for spec in (OXIGRAPH, BULK_SPEC, OXRDFLIB):
        for operation in (LOAD, BULK, GROUP_BY, EVIDENCE, REPLACE):
            ratios = [(r.triples, r.ratio(spec.key, operation)) for r in results]
            if any(ratio is not None and ratio < 1 for _, ratio in ratios):
                sizes = ", ".join(f"{ratio_text(ratio)} at {n:,}" for n, ratio in ratios)
                found.append(f"{operation} with {spec.title} ({sizes} triples)")
    return found


def _rss(result: SizeResult, store: str) -> float | None:
    """A store's peak RSS growth at one size, if measured."""
    run = result.run(store)
    return None if run is None else run.peak_rss_mib


def interpretation(results: Sequence[SizeResult]) -> list[str]:
    """Plain sentences on what the numbers mean for the choice, made from the numbers."""
    big = max(results, key=lambda r: r.triples)
    ox_key, base = OXIGRAPH.key, BASELINE.key

    def s(store: str, operation: str) -> str:
        return fmt_seconds(big.seconds(store, operation))

    sentences = [
        "Over the union of graphs the GraphStore's speed-up on rdflib's in-memory Dataset is "
        f"{ratio_span(results, ox_key, GROUP_BY)} for the GROUP BY and "
        f"{ratio_span(results, ox_key, EVIDENCE)} for the evidence lookup "
        f"({s(ox_key, EVIDENCE)} s against {s(base, EVIDENCE)} s at the largest size).",
        "Loading report by report as `build` does (one `DROP GRAPH` + `INSERT DATA` update "
        f"per report) gives {ratio_span(results, ox_key, LOAD)} "
        f"({s(ox_key, LOAD)} s against {s(base, LOAD)} s); Oxigraph's bulk loader, which "
        f"`build` does not use, gives {ratio_span(results, BULK_SPEC.key, BULK)}.",
    ]
    slower = slower_than_baseline(results)
    if slower:
        sentences.append("Oxigraph is NOT faster than the baseline for: " + "; ".join(slower) + ".")
    else:
        sentences.append(
            "Every Oxigraph variant was faster than the baseline for every operation at every "
            "size measured."
        )
    if big.run(OXRDFLIB.key) is not None:
        sentences.append(
            f"Through rdflib's API with the oxrdflib store the ratios at {big.triples:,} triples "
            f"are load {ratio_text(big.ratio(OXRDFLIB.key, LOAD))}, GROUP BY "
            f"{ratio_text(big.ratio(OXRDFLIB.key, GROUP_BY))}, evidence lookup "
            f"{ratio_text(big.ratio(OXRDFLIB.key, EVIDENCE))} and replace "
            f"{ratio_text(big.ratio(OXRDFLIB.key, REPLACE))} (its queries run on Oxigraph's "
            "engine, but every result is converted to rdflib terms)."
        )
    sentences.append(
        f"{speed_verdict(results)}; besides speed, the graph stays on disk, so a command "
        "opens it instead of re-parsing everything as an in-memory rdflib store must (the "
        f"load row: {s(base, LOAD)} s at the largest size); its process's peak RSS grew by "
        f"{fmt_mib(_rss(big, ox_key))} MiB against {fmt_mib(_rss(big, base))} MiB for rdflib."
    )
    return sentences


def speed_verdict(results: Sequence[SizeResult]) -> str:
    """Whether the "for speed" claim holds for the GraphStore, for reading and for writing."""

    def faster(operations: Iterable[str], margin: float) -> bool:
        return all(
            (ratio := r.ratio(OXIGRAPH.key, op)) is not None and ratio > margin
            for r in results
            for op in operations
        )

    reads = faster((GROUP_BY, EVIDENCE), 1.0)
    writes = faster((LOAD, REPLACE), 1.5)  # a write gain under 1.5× is no reason to choose
    if reads and writes:
        return "So the speed claim holds for reading and for writing"
    if reads:
        return "So the speed claim holds for reading, not for writing"
    return "So the speed claim does not even hold for every query"


def notes(results: Sequence[SizeResult], repeat: int, skipped: str | None) -> list[str]:
    """Caveats: method, memory, semantics."""
    big = max(results, key=lambda r: r.triples)
    probe = {run.store: run.union_probe_rows for run in big.runs if run.union_probe_rows}
    out = [
        f"Each time is the median of {repeat} run{'s' * (repeat != 1)}, each on a store opened (untimed) in a "
        f"fresh temporary directory; a replacement is timed {REPLACE_ROUNDS} times per run. "
        "Each store runs in its own forked process; peak RSS growth is that process's "
        "`ru_maxrss` at the end minus at the start. Times under about 10 ms are noisy.",
        "Data: the real pipeline's graphs of `samples/reports` (software version `bench`), "
        "replicated under new report ids (`/report/<id>-c<k>`, `/graph/<id>-c<k>`); shared "
        "IRIs (resolved organisations, the software agent, code concepts) stay shared. The "
        "ontology graph is not loaded.",
    ]
    if len(set(probe.values())) > 1:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(probe.items()))
        out.append(
            "Semantics differ over the union of graphs: a triple that every report graph "
            "repeats (the software agent's `rdf:type`) comes back once per graph from Oxigraph "
            f"but once in all from rdflib's memory Dataset (rows at {big.triples:,} triples: "
            f"{counts}). The benchmark's queries use DISTINCT, so the stores agree on them; "
            "queries over `GraphStore.query` need DISTINCT (or COUNT DISTINCT) wherever a "
            "triple can sit in several report graphs."
        )
    if skipped:
        out.append(skipped)
    return out


def environment() -> list[str]:
    """The machine and the library versions."""
    versions = []
    for package in ("rdflib", "pyoxigraph", "oxrdflib"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} absent")
    return [
        f"Machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
        f"Python {platform.python_version()} ({platform.python_implementation()}); "
        + ", ".join(versions),
        f"Date: {dt.datetime.now().astimezone().isoformat(timespec='minutes')}",
    ]


def render_section(
    results: Sequence[SizeResult], command: str, repeat: int, skipped: str | None
) -> str:
    """The whole Markdown section for RESULTS.md."""
    parts = [SECTION, ""]
    parts += [f"- {line}" for line in environment()]
    parts += [f"- Command: `{command}`", ""]
    for result in results:
        parts += [f"### {result.corpus_description}", "", size_table(result)]
    parts += ["### What it means", "", " ".join(interpretation(results)), ""]
    parts += ["Notes:", ""] + [f"- {note}" for note in notes(results, repeat, skipped)]
    return "\n".join(parts) + "\n"


# -- command --------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line: --copies N ..., --repeat K, --out PATH."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.store_choice",
        description="Time the Oxigraph GraphStore against rdflib's in-memory Dataset.",
    )
    parser.add_argument(
        "--copies",
        type=int,
        nargs="+",
        default=list(DEFAULT_COPIES),
        metavar="N",
        help="copies of the sample graphs per size (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEAT, metavar="K", help="runs per median"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="results file (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.copies) < 1:
        parser.error("--copies and --repeat must be positive")
    return args


def measure_size(
    corpus: Corpus, workload: Workload, specs: Sequence[StoreSpec], repeat: int
) -> SizeResult:
    """Every store at one size, each in its own child process."""
    runs = []
    for spec in specs:
        print(f"  {spec.title} ...", file=sys.stderr, flush=True)
        runs.append(isolated(partial(run_store, spec, corpus, workload, repeat)))
    return SizeResult(corpus.describe(), corpus.triples, tuple(runs))


def main(argv: Sequence[str] | None = None) -> int:
    """Build the corpus, measure every size, print the tables and write RESULTS.md."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    command = shlex.join([".venv/bin/python", "-m", "benchmarks.store_choice", *argv])
    skipped = oxrdflib_missing()
    specs = [BASELINE, OXIGRAPH, BULK_SPEC] + ([] if skipped else [OXRDFLIB])
    samples = sample_graphs()
    workload = make_workload(samples)
    results = []
    for copies in sorted(set(args.copies)):
        corpus = replicate(samples, copies)
        print(f"size: {corpus.describe()}", file=sys.stderr, flush=True)
        results.append(measure_size(corpus, workload, specs, args.repeat))
    section = render_section(results, command, args.repeat, skipped)
    print(section)
    write_section(args.out, SECTION, section)
    print(f"written: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
