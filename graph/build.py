"""Build: report files → store.  The batch driver at the edge of the pipeline.

Each report is read, extracted, turned into its named graph and reasoned over
(:func:`prepare`: pure work, no store), then written with its inferred graph and
its record.  A file that cannot be read or understood becomes a
:class:`~.model.Problem` and the batch goes on; the summary lists them.

**Incremental.**  A report's record keeps the digest of its source (the file, its
curation sidecar and the pipeline that read them: software, lexicon, ontology,
base IRI).  A build re-extracts only new or changed files; a build of a folder
removes the reports whose recorded file under that folder is gone (logged, listed
in the result).  A report is known by its file name, so a file moved to another
folder is the same report: building the new folder moves its record there, and a
build of the old folder no longer touches it.

**Parallel.**  With more than one worker, :func:`prepare` runs in worker processes
(forked, so the extractor and the compiled rules are shared, not rebuilt), in
chunks, and results come back in file order: the store is written in the same
order whatever the number of workers.

**Never half-written.**  New reports are written in batches, each batch one
transaction (Oxigraph's transactional ``load``); a report already in the store is
replaced in its own transaction (``DROP GRAPH`` + ``INSERT DATA``).  A build killed
at any moment leaves every report either as it was or fully written.  A store that does
not exist yet is built beside it with the (faster, non-atomic) bulk loader and renamed into
place when complete (:func:`build_store`): a killed first build leaves no store at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import multiprocessing as mp
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import XSD
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node

from incident_kg import __version__
from incident_kg.errors import FileReadError, IncidentKGError, ReportReadError
from incident_kg.extraction.assessment import assess_report
from incident_kg.extraction.curation import (
    apply_curation,
    load_curation,
    sidecar_for,
)
from incident_kg.extraction.extract import Extractor, extract_report, make_extractor, report_id_for
from incident_kg.extraction.model import Problem, Report
from incident_kg.extraction.read import (
    SKIP_WARNINGS,
    find_report_files,
    read_report,
)
from incident_kg.ontology.namespaces import ONTOLOGY_GRAPH
from incident_kg.ontology.tables import Tables, load_tables
from incident_kg.ontology.vocabulary import (
    CONCEPTS_FILE,
    ONTOLOGY_FILE,
    PACKAGE,
    codes,
    ontology_graph,
)

from .anchors import SourceText
from .digests import pipeline_digest, rules_digest, source_digest, source_stat
from .evidence import compact
from .lifetime import die_with_parent
from .links import LinkSummary, relink
from .lock import store_lock
from .overlap import reconcile_imports
from .publication import load_source, with_source
from .reason import (
    ONTOLOGY_INFERRED,
    Rules,
    close_ontology,
    compile_rules,
    inferred_graph_for,
    materialise,
)
from .store import (
    LINKS_GRAPH,
    META_GRAPH,
    GraphStore,
    RecordInfo,
    ReportWrite,
    SharedPart,
    SourceEntry,
    to_ntriples,
)
from .summary import SUMMARY_FORM, summarise
from .triples import Minter, report_triples, split_shared

log = logging.getLogger(__name__)

SKOLEM_AUTHORITY = "https://w3id.org/incident-kg"
#: Key, in the store's metadata graph, of the digest of the ontology files last loaded.
ONTOLOGY_DIGEST_KEY = META_GRAPH + "#ontologyDigest"
#: New reports written per transaction (one Oxigraph ``load``).
WRITE_BATCH = 64
#: New reports per call of the bulk loader (a first build in a staging directory).
BULK_BATCH = 256
#: Reports per task sent to a worker process; fewer than two chunks run in-process.
CHUNK = 8


@dataclass
class BuildResult:
    """What a build did: reports loaded, incidents found, problems met."""

    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # loaded before with the same graph
    skipped: list[str] = field(default_factory=list)  # same source as stored: not re-extracted
    removed: list[str] = field(default_factory=list)  # recorded files gone from a built folder
    incidents: int = 0
    written: int = 0  # triples written (report and inferred graphs)
    problems: list[Problem] = field(default_factory=list)
    #: Seconds per stage: extract, graph, reason, serialise (summed over reports, in the
    #: workers), write and ontology (in the building process).
    seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1
    links: LinkSummary | None = None  # the link pass, when something changed

    def add_seconds(self, stage: str, seconds: float) -> None:
        """Add time spent in one stage."""
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @property
    def failed(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def utc_now() -> str:
    """The current time, ISO 8601 in UTC to the second (when a record was written)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def default_extractor() -> Extractor:
    """The extractor with the shipped lexicon, checked against the ontology's codes."""
    return make_extractor(known_codes=codes())


def collect_files(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """Report files under the given paths, and a problem for every path skipped, with its
    reason (a missing path, a FIFO, a symlink to nothing…: errors; a hidden file, a
    symlinked folder not followed: warnings) — never silently, never a crash."""
    files, skipped = find_report_files(paths)
    problems = [
        Problem(e.path, e.kind, e.message, "warning" if e.kind in SKIP_WARNINGS else "error")
        for e in skipped
    ]
    return files, problems


def read_and_extract(path: Path, extractor: Extractor, tables: Tables | None = None) -> Report:
    """One file → one extracted report, with its curation sidecar applied when there is one,
    then assessed (measure links, status, severity: extraction/assessment.py) with the
    reviewed tables (loaded when not given).

    Raises ReportReadError for unreadable files and CurationError / UnknownCodeError
    for a bad sidecar.
    """
    raw = read_report(path)
    report = extract_report(
        extractor, raw.text, source=path.name, report_id=report_id_for(path.name)
    )
    sidecar = sidecar_for(path)
    if sidecar.is_file():
        curation = load_curation(sidecar, known_codes=extractor.known_codes)
        report = apply_curation(report, curation)
    tables = tables if tables is not None else load_tables()
    report = assess_report(report, extractor.lexicon, extractor.analyzer, tables)
    return with_source(report, load_source(path))


def stable_ontology() -> Graph:
    """The ontology with its blank nodes (OWL lists) turned into stable IRIs.

    Blank nodes get fresh labels on every load; skolemising the canonical form
    (:func:`rdflib.compare.to_canonical_graph`) names them by content instead, so
    exports stay byte-identical from build to build.
    """
    canonical = to_canonical_graph(ontology_graph())
    return canonical.skolemize(authority=SKOLEM_AUTHORITY, basepath="/ontology/genid/")


def extract_files(
    paths: Sequence[Path], extractor: Extractor
) -> tuple[list[Report], list[Problem]]:
    """Extract every report under ``paths`` without a store; a file that fails is a problem."""
    files, problems = collect_files(paths)
    reports: list[Report] = []
    tables = load_tables(extractor.known_codes)
    for path in files:
        try:
            reports.append(read_and_extract(path, extractor, tables))
        except ReportReadError as exc:
            problems.append(Problem(exc.path, exc.kind, exc.message))
        except IncidentKGError as exc:  # a bad curation sidecar
            problems.append(Problem(str(path), "curation", str(exc)))
    return reports, problems


def _ontology_source_digest() -> str:
    """Digest of what the ontology graph and its closure are made from: the shipped
    ontology files and the reasoner's version."""
    from importlib.resources import files

    h = hashlib.sha256()
    package = files(PACKAGE)
    for name in (ONTOLOGY_FILE, CONCEPTS_FILE):
        h.update(package.joinpath(name).read_bytes())
    h.update(metadata.version("owlrl").encode())
    return h.hexdigest()


def load_ontology(store: GraphStore) -> Rules:
    """(Re)write the ontology and concept schemes into their named graph, and the
    ontology's own OWL RL closure into its inferred graph; return the compiled rules
    the reports are reasoned with."""
    ontology = stable_ontology()
    closed = close_ontology(ontology)
    store.replace_graph(ONTOLOGY_GRAPH, to_ntriples(ontology))
    closure_only = Graph()
    for triple in closed:
        if triple not in ontology:
            closure_only.add(triple)
    store.replace_graph(ONTOLOGY_INFERRED, to_ntriples(closure_only))
    return compile_rules(closed)


def ontology_rules(store: GraphStore) -> Rules:
    """The compiled rules, closing the ontology with owlrl only when its files changed
    since the store last loaded them; otherwise the stored ontology graph and its stored
    closure are read back (a fraction of a second instead of about two)."""
    digest = _ontology_source_digest()
    if (
        store.meta_value(ONTOLOGY_DIGEST_KEY) == digest
        and store.has_graph(ONTOLOGY_GRAPH)
        and store.has_graph(ONTOLOGY_INFERRED)
    ):
        closed = Graph()
        for quad in store.quads([ONTOLOGY_GRAPH, ONTOLOGY_INFERRED]):
            closed.add((_rdflib(quad.subject), _rdflib(quad.predicate), _rdflib(quad.object)))
        return compile_rules(closed)
    rules = load_ontology(store)
    store.set_meta_value(ONTOLOGY_DIGEST_KEY, digest)
    return rules


def _rdflib(term: object) -> Node:
    """The rdflib term of an Oxigraph term (IRIs, blank nodes, literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term of a triple: {term!r}")


@dataclass(frozen=True)
class Pipeline:
    """What preparing a report needs: the extractor, the compiled rules, the base IRI."""

    extractor: Extractor
    rules: Rules
    base: str
    rules_digest: str
    tables: Tables = field(default_factory=load_tables)


@dataclass(frozen=True)
class Prepared:
    """One report made ready to write, off the store: its graphs and their digest, or the
    problem that stopped it."""

    path: Path
    report_id: str
    ntriples: str = ""
    inferred: str = ""
    shared: SharedPart = field(default_factory=SharedPart)  # on resources others share too
    digest: str = ""  # of the report graph (+ rules): unchanged digest, nothing to write
    readings: str = ""  # the readings of its compact evidence (graph/evidence.py)
    summary: tuple[str, str] | None = None  # what the analysis reads (graph/summary.py)
    incidents: int = 0
    triples: int = 0
    problems: tuple[Problem, ...] = ()
    failed: bool = False  # unreadable file or bad sidecar: nothing to write
    seconds: tuple[tuple[str, float], ...] = ()


#: Characters that end a line for ``str.splitlines`` and that rdflib writes unescaped (a PDF's
#: page break \f in a quote): written as \uXXXX, so that one triple stays one line.
_ESCAPE_BREAKS = str.maketrans(
    {c: f"\\u{ord(c):04X}" for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}
)


@functools.lru_cache(maxsize=1 << 16)
def _term_nt(term: Node) -> str:
    """A term as N-Triples, as rdflib's N-Triples writer gives it (kept: predicates, classes
    and a report's own IRIs recur on many lines), line-breaking characters escaped."""
    if isinstance(term, Literal):
        return _quoteLiteral(term).translate(_ESCAPE_BREAKS)
    return term.n3()


def _nt_row(triple: tuple[Node, Node, Node]) -> str:
    """One N-Triples line, the same as rdflib's writer's."""
    return f"{_term_nt(triple[0])} {_term_nt(triple[1])} {_term_nt(triple[2])} .\n"


def prepare(path: Path, pipeline: Pipeline) -> Prepared:
    """Read, extract, build the graph, reason: one report, no store."""
    report_id = report_id_for(path.name)
    clock = time.perf_counter
    t0 = clock()
    try:
        report = read_and_extract(path, pipeline.extractor, pipeline.tables)
    except ReportReadError as exc:
        return Prepared(
            path, report_id, problems=(Problem(exc.path, exc.kind, exc.message),), failed=True
        )
    except IncidentKGError as exc:  # a bad curation sidecar: keep what the store had
        problem = Problem(str(path), "curation", f"{exc}; report not reloaded")
        return Prepared(path, report_id, problems=(problem,), failed=True)
    t1 = clock()
    # The triples as a set, not an rdflib Graph: the same triples, a fraction of the cost.
    triples = set(report_triples(report, base=pipeline.base, software_version=__version__))
    t2 = clock()
    inferred = materialise(triples, pipeline.rules)
    t3 = clock()
    report_iri = str(Minter(pipeline.base, report_id).report)
    own, shared = split_shared(triples, report_iri)
    own_inferred, shared_inferred = split_shared(inferred, report_iri)
    terms: dict[tuple[Node, Node, Node], tuple[str, str, str]] = {
        t: (_term_nt(t[0]), _term_nt(t[1]), _term_nt(t[2])) for t in triples
    }
    rows = {t: f"{a} {b} {c} .\n" for t, (a, b, c) in terms.items()}  # as rdflib writes them
    # the digest is of the whole graph as the report states it, in full form, shared included
    digest = hashlib.sha256("".join(sorted(rows.values())).encode()).hexdigest()
    # the store keeps evidence compact, the spans' context cut from the text as published
    text = {f"<{report_iri}>": SourceText.of(report).published}
    stored, readings = compact((terms[t] for t in own), text)
    summary = summarise(terms.values())
    t4 = clock()
    return Prepared(
        path,
        report_id,
        ntriples="".join(sorted(f"{a} {b} {c} .\n" for a, b, c in stored)),
        inferred="".join(sorted(map(_nt_row, own_inferred))),
        shared=SharedPart(
            "".join(sorted(rows[t] for t in shared)),
            "".join(sorted(map(_nt_row, shared_inferred))),
        ),
        # a changed ontology re-reasons every report; summaries of another form are rewritten
        digest=f"{digest}+{pipeline.rules_digest}+{SUMMARY_FORM}",
        readings="".join(sorted(f"{a} {b} {c} .\n" for a, b, c in readings)),
        summary=summary,
        incidents=len(report.incidents),
        triples=len(triples),
        problems=tuple(Problem(str(path), p.kind, p.message, p.severity) for p in report.problems),
        seconds=(
            ("extract", t1 - t0),
            ("graph", t2 - t1),
            ("reason", t3 - t2),
            ("serialise", t4 - t3),
        ),
    )


#: The pipeline of a worker process, set once by :func:`_init_worker` when the pool forks
#: (process-local: each worker has its own; the building process never sets it).
_worker_pipeline: Pipeline | None = None


def _init_worker(pipeline: Pipeline, parent: int) -> None:
    global _worker_pipeline
    _worker_pipeline = pipeline
    die_with_parent(parent)


def _prepare_chunk(paths: Sequence[Path]) -> list[Prepared]:
    assert _worker_pipeline is not None, "worker started without a pipeline"
    return [prepare(path, _worker_pipeline) for path in paths]


def default_workers() -> int:
    """Worker processes for extraction: one per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def prepare_all(paths: Sequence[Path], pipeline: Pipeline, workers: int) -> Iterator[Prepared]:
    """:func:`prepare` for every path, results in the order of ``paths``.

    With ``workers`` > 1 (and at least two chunks of work, and ``fork`` available) the
    work runs in a pool of forked processes, a bounded number of chunks in flight, so
    memory stays flat however large the batch; otherwise in this process."""
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    if workers <= 1 or len(chunks) < 2 or "fork" not in mp.get_all_start_methods():
        for path in paths:
            yield prepare(path, pipeline)
        return
    context = mp.get_context("fork")  # the extractor (SudachiPy) cannot be pickled: inherit it
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(pipeline, os.getpid()),
    ) as pool:
        queue = iter(chunks)
        pending: deque[Future[list[Prepared]]] = deque()
        for chunk in queue:
            pending.append(pool.submit(_prepare_chunk, chunk))
            if len(pending) >= 3 * workers:
                break
        while pending:
            done = pending.popleft().result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(_prepare_chunk, following))
            yield from done


#: Up to this many files named one by one (no folder), a build looks up their records alone.
FEW_FILES = 200


def _report_iris(files: Sequence[Path], base: str) -> list[str]:
    """The report IRIs the ``files`` are built into."""
    return [str(Minter(base, report_id_for(path.name)).report) for path in files]


def _under(path: str, folders: Sequence[Path]) -> bool:
    return any(Path(path).is_relative_to(folder) for folder in folders)


def build(
    paths: Sequence[Path],
    store: GraphStore,
    *,
    base: str,
    extractor: Extractor,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = lambda it: it,
    clock: Callable[[], str] = utc_now,
    workers: int = 1,
    prune: bool = True,
    bulk: bool = False,
) -> BuildResult:
    """Load every report under ``paths`` into the store; re-extract only what changed.

    A file whose source digest (file + sidecar + pipeline) matches its record is skipped;
    a report whose new graph is unchanged is not written again; otherwise its graph, its
    inferred graph and its record (when first created, when last changed, where from) are
    written together.  With ``prune``, each folder in ``paths`` is taken as the whole of
    what it holds: a recorded report whose file under it is gone is removed from the store.
    ``workers`` > 1 extracts in that many processes.  ``bulk`` writes new reports with
    Oxigraph's bulk loader, which is not atomic: only for a store no one sees before the
    build ends (:func:`build_store` uses it for a first build in a staging directory).
    """
    result = BuildResult(workers=max(1, workers))
    store.check_base(base)
    started = time.perf_counter()
    rules = ontology_rules(store)
    pipeline = Pipeline(
        extractor, rules, base, rules_digest(rules), load_tables(extractor.known_codes)
    )
    pipeline_id = pipeline_digest(extractor, rules, base)
    result.add_seconds("ontology", time.perf_counter() - started)
    files, problems = collect_files(paths)
    result.problems.extend(problems)

    # Decide, file by file, what needs extracting (before any worker starts).
    folders = [Path(os.path.abspath(p)) for p in paths if p.is_dir()]
    named = None if folders or len(files) > FEW_FILES else _report_iris(files, base)
    sources = store.source_index(named)  # a few named files: theirs alone
    seen: dict[str, Path] = {}
    imported = store.imported_graph_names()
    todo: list[Path] = []
    plan: list[tuple[Path, str, SourceEntry | None, str | None]] = []
    stats: dict[Path, str | None] = {}
    for path in files:
        report_id = report_id_for(path.name)
        if report_id in seen:
            result.problems.append(
                Problem(str(path), "duplicate", f"same file name as {seen[report_id]}; skipped")
            )
            continue
        seen[report_id] = path
        entry = sources.get(str(Minter(base, report_id).report))
        stat = source_stat(path, pipeline_id)
        if entry is not None and stat is not None and entry.stat == stat and entry.digest:
            digest: str | None = entry.digest  # as it was when hashed: not read again
        else:
            try:
                digest = source_digest(path, pipeline_id)
            except (OSError, FileReadError):
                digest = None  # let prepare() name the problem
        stats[path] = stat
        plan.append((path, report_id, entry, digest))
        if entry is None or digest is None or entry.digest != digest:
            todo.append(path)

    prepared = prepare_all(todo, pipeline, result.workers)
    batch: list[ReportWrite] = []

    def flush() -> None:
        if batch:
            (store.bulk_add_reports if bulk else store.add_reports)(batch)
            batch.clear()

    by_path = {p: (r, entry, d) for p, r, entry, d in plan}
    todo_set = set(todo)
    for path in progress([p for p, *_ in plan]):
        report_id, entry, digest = by_path[path]
        source = os.path.abspath(path)
        report_iri = str(Minter(base, report_id).report)
        if path not in todo_set:
            assert entry is not None
            result.skipped.append(str(path))
            result.unchanged.append(str(path))
            result.loaded.append(str(path))
            result.incidents += entry.incidents
            moved = store.record(report_iri) if entry.path != source else None
            if moved is not None:  # the same file, moved: the record follows it
                store.update_record(replace(moved, source_path=source))
            continue
        record = store.record(report_iri)
        item = next(prepared)
        assert item.path == path
        for stage, seconds in item.seconds:
            result.add_seconds(stage, seconds)
        result.problems.extend(item.problems)
        if item.failed:
            continue
        minter = Minter(base, report_id)
        if str(minter.graph) in imported:  # another agency's data, taken in by an import
            result.problems.append(
                Problem(
                    str(path),
                    "imported",
                    f"graph {minter.graph} holds data imported from another agency; not "
                    "overwritten (remove the import, or build with another --base)",
                )
            )
            continue
        t = time.perf_counter()
        if record is not None and record.digest == item.digest:
            result.unchanged.append(str(path))  # same graph as stored: nothing to write
            store.update_record(
                RecordInfo(
                    record.report,
                    record.digest,
                    record.created,
                    record.modified,
                    source_path=source,
                    source_digest=digest,
                    incidents=item.incidents,
                    source_stat=stats[path],
                )
            )
        else:
            now = clock()
            info = RecordInfo(
                str(minter.report),
                item.digest,
                record.created if record is not None else now,
                now,
                source_path=source,
                source_digest=digest,
                incidents=item.incidents,
                source_stat=stats[path],
            )
            write = ReportWrite(
                str(minter.graph),
                item.ntriples,
                info,
                inferred=(inferred_graph_for(str(minter.graph)), item.inferred),
                shared=item.shared,
                readings=item.readings,
                summary=item.summary,
            )
            if record is None and not store.has_graph(write.graph):
                batch.append(write)  # new: written with others in one transaction
                if len(batch) >= (BULK_BATCH if bulk else WRITE_BATCH):
                    flush()
            else:
                store.replace_report(
                    write.graph,
                    write.ntriples,
                    info,
                    inferred=write.inferred,
                    shared=write.shared,
                    readings=write.readings,
                    summary=write.summary,
                )
        result.add_seconds("write", time.perf_counter() - t)
        if record is None or record.digest != item.digest:
            result.written += sum(
                text.count("\n")
                for text in (
                    item.ntriples,
                    item.inferred,
                    item.shared.asserted,
                    item.shared.inferred,
                )
            )
        result.loaded.append(str(path))
        result.incidents += item.incidents
        log.info("loaded %s: %d incidents, %d triples", path.name, item.incidents, item.triples)
    t = time.perf_counter()
    flush()
    result.add_seconds("write", time.perf_counter() - t)
    if prune:
        result.removed = prune_missing(store, base, folders, set(seen), sources)
    if result.written or result.removed or not store.has_graph(LINKS_GRAPH):
        t = time.perf_counter()
        if imported:  # what this build now holds itself, an import keeps no second copy of
            reconcile_imports(store)
        result.links = relink(store, pipeline.tables.linking)  # incidents across reports
        result.add_seconds("link", time.perf_counter() - t)
    return result


def prune_missing(
    store: GraphStore,
    base: str,
    folders: Sequence[Path],
    present: set[str],
    sources: Mapping[str, SourceEntry],
) -> list[str]:
    """Remove the reports recorded as built from a file under ``folders`` when that file is
    gone and no file of the same name (report id) was just built; the removed paths.
    ``sources`` is the store's :meth:`~.store.GraphStore.source_index` (reports not built
    just now are as it says).

    Reports recorded from elsewhere, or with no recorded source (older stores), are kept."""
    if not folders:
        return []
    removed: list[str] = []
    prefix = f"{base}report/"
    for report, entry in sources.items():
        source = entry.path
        if source is None or not report.startswith(prefix):
            continue
        report_id = report.removeprefix(prefix)
        # a path still there (a symlink to nothing, a file that cannot be read) is not gone:
        # the build named it as a problem, and its report stays
        if report_id in present or not _under(source, folders) or os.path.lexists(source):
            continue
        graph = str(Minter(base, report_id).graph)
        store.remove_report(report, [graph, inferred_graph_for(graph)])
        log.info("removed %s: its file %s is gone", report_id, Path(source).name)
        removed.append(source)
    return removed


def is_new_store(store_dir: Path) -> bool:
    """Whether ``store_dir`` holds no store yet (absent, or an empty folder)."""
    return not store_dir.exists() or (store_dir.is_dir() and not any(store_dir.iterdir()))


def build_store(
    paths: Sequence[Path],
    store_dir: Path,
    *,
    base: str,
    extractor: Extractor,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = lambda it: it,
    clock: Callable[[], str] = utc_now,
    workers: int = 1,
    prune: bool = True,
    wait: float = 0.0,
) -> BuildResult:
    """:func:`build` into the store at ``store_dir``, creating it when needed, holding the
    store's lock throughout (another writer: wait up to ``wait`` s, then
    :class:`~.lock.StoreBusyError`).

    A store that does not exist yet is built in a staging directory beside it
    (``.<name>.building-<pid>``) with Oxigraph's bulk loader, several times faster than
    transactions, compacted (queries then join two to three times faster) and renamed into
    place once complete: a first build killed midway leaves
    no store (and a staging directory the next build removes), never a half-written one.
    Nothing is created when no report file was found for a new store (a mistyped path).
    An existing store is updated in place, one transaction per report or batch of reports.
    """
    store_dir = Path(store_dir)
    kwargs: dict[str, Any] = {
        "base": base,
        "extractor": extractor,
        "progress": progress,
        "clock": clock,
        "workers": workers,
        "prune": prune,
    }
    if is_new_store(store_dir) and not collect_files(paths)[0]:
        return BuildResult(problems=collect_files(paths)[1])  # no store for nothing
    with store_lock(store_dir, wait=wait):
        if not is_new_store(store_dir):  # also when another build made it while this waited
            with GraphStore.open(store_dir, create=True) as store:
                return build(paths, store, **kwargs)
        for stale in sorted(store_dir.parent.glob(f".{store_dir.name}.building-*")):
            log.info("removing %s, left by a first build that did not finish", stale.name)
            shutil.rmtree(stale, ignore_errors=True)  # the lock is ours: its build is dead
        staging = store_dir.parent / f".{store_dir.name}.building-{os.getpid()}"
        try:
            with GraphStore.open(staging, create=True, lock=False) as store:
                result = build(paths, store, bulk=True, **kwargs)
                started = time.perf_counter()
                store.optimize()  # the bulk loader leaves overlapping files: compact them once
                result.add_seconds("optimize", time.perf_counter() - started)
            if store_dir.exists():
                store_dir.rmdir()  # empty (is_new_store): make way for the rename
            staging.rename(store_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return result
