"""Store: the persistent, embedded quad store (Oxigraph on disk, no server).

One named graph per report.  Replacing a report's graph is one SPARQL Update
(``DROP GRAPH`` + ``INSERT DATA``), which Oxigraph applies as one transaction:
a build killed at any moment leaves every report either as it was or fully
replaced, never half-written.  The ontology and concept schemes live in their
own named graph; the base IRI the store was built with is recorded in a small
metadata graph so that a build with another base is refused rather than mixed.

Why Oxigraph (measured in benchmarks/store_choice.py, results in
benchmarks/RESULTS.md): against rdflib's in-memory store at ~300k triples a
GROUP BY over all reports is ~20× faster and an evidence lookup ~6×, with half
the memory; loading report by report as ``build`` does is only ~1.2× faster, and
replacing one report is ~2× slower (0.1 s) — the price of a durable, atomic
write. It is embedded (a RocksDB directory) and needs no server.

Over the union of graphs Oxigraph returns a triple once per graph that holds it
(rdflib once in all).  So what several reports say of the same resource (a resolved
organisation: its types, label and hierarchy; the software agent; a curator) is kept
once, in the **shared graph** (:data:`SHARED_GRAPH`; what is inferred about those
resources in :data:`SHARED_INFERRED`), never in every report graph that names it: a join
through an organisation then grows with the corpus, not with reports × reports per
organisation.  Each report's *contribution* to the shared graphs (the N-Triples it would
have held) is kept in the metadata graph, so that replacing or removing a report takes
out exactly the shared triples no other report still states, reasoning over a stored
report sees its organisations as before, and exports put the contribution back into the
report's graph (the exported bytes do not change).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import PROV

from incident_kg.errors import StoreError
from incident_kg.ontology.namespaces import IKG, ONTOLOGY_GRAPH
from incident_kg.privacy.pseudonyms import new_key

from .evidence import READING, READINGS_GRAPH, Triple, expand, readings_of
from .lock import held_here, store_lock
from .records import RecordInfo, SourceEntry, record_from
from .summary import DETAILS_KEY, SUMMARY_DIGEST_KEY, SUMMARY_GRAPH, SUMMARY_KEY, summary_ntriples

log = logging.getLogger(__name__)

#: An RDF term Oxigraph can bind to a variable.
Term = ox.NamedNode | ox.BlankNode | ox.Literal

META_GRAPH = "https://w3id.org/incident-kg/graph/meta"
#: Seconds a writer holding the store lock waits for Oxigraph's own directory lock (the
#: previous writer closing the store).
ROCKSDB_LOCK_GRACE = 3.0
#: Prefix of the graphs of inferred triples (graph/reason.py), dropped and recomputed at will.
INFERRED_PREFIX = "https://w3id.org/incident-kg/graph/inferred/"
#: Named graph of the ontology's own closure (what owlrl derives from the ontology alone).
ONTOLOGY_INFERRED = INFERRED_PREFIX + "ontology"
_STORE_NODE = "https://w3id.org/incident-kg/graph/meta#store"
#: Key, in the metadata graph, of the store's secret for pseudonyms (never leaves the store).
PSEUDONYM_KEY = META_GRAPH + "#pseudonymKey"
#: The graph of triples about resources several reports share (organisations, agents),
#: each triple once whatever the number of reports that state it.
SHARED_GRAPH = "https://w3id.org/incident-kg/graph/shared"
#: What is inferred about shared resources (an inferred graph: dropped and recomputed
#: with the others).
SHARED_INFERRED = INFERRED_PREFIX + "shared"
#: What the link pass derives across reports (graph/links.py): incidents told by several
#: reports, parts of national groupings, measure adoptions. Recomputed, never exported.
LINKS_GRAPH = "https://w3id.org/incident-kg/graph/links"
#: Metadata predicates of a report graph's contribution to the shared graphs (N-Triples).
SHARED_ASSERTED_KEY = str(IKG.sharedAsserted)
SHARED_INFERRED_KEY = str(IKG.sharedInferred)


def imported_inferred_graph(graph: str) -> str:
    """The name of the graph that holds what is inferred from an imported graph."""
    return INFERRED_PREFIX + "import/" + hashlib.sha256(graph.encode()).hexdigest()[:24]


def to_ntriples(graph: Graph) -> str:
    """N-Triples text of an rdflib graph (UTF-8, one triple per line)."""
    return graph.serialize(format="nt", encoding="utf-8").decode("utf-8")


@dataclass(frozen=True)
class SharedPart:
    """What one report graph states (``asserted``) and entails (``inferred``) about shared
    resources, as N-Triples lines: its contribution to :data:`SHARED_GRAPH` and
    :data:`SHARED_INFERRED`."""

    asserted: str = ""
    inferred: str = ""

    def lines(self, which: str) -> set[str]:
        """The non-empty lines of ``asserted`` or ``inferred``."""
        text = self.asserted if which == "asserted" else self.inferred
        return {line for line in text.split("\n") if line.strip()}


@dataclass(frozen=True)
class ReportWrite:
    """Everything written for one report: its graph, its inferred graph, its record and
    its contribution to the shared graphs."""

    graph: str  # the report's named graph
    ntriples: str
    info: RecordInfo
    inferred: tuple[str, str] | None = None  # (graph name, N-Triples)
    shared: SharedPart = field(default_factory=SharedPart)
    #: the readings its compact evidence refers to (N-Triples; graph/evidence.py)
    readings: str = ""
    #: (summary JSON, details JSON) the analysis reads (graph/summary.py); None: none kept
    summary: tuple[str, str] | None = None


def _nquads(graph: str, ntriples: str) -> str:
    """N-Triples lines put into a named graph (N-Quads)."""
    g = f" <{graph}> .\n"
    return "".join(line[:-1].rstrip() + g for line in ntriples.split("\n") if line.strip())


#: (which part, shared graph, metadata predicate) of a contribution.
_PARTS = (
    ("asserted", SHARED_GRAPH, SHARED_ASSERTED_KEY),
    ("inferred", SHARED_INFERRED, SHARED_INFERRED_KEY),
)


def _contribution_nquads(graph: str, shared: SharedPart) -> str:
    """The metadata quads that keep a report graph's contribution to the shared graphs."""
    out = []
    for which, _, key in _PARTS:
        text = "".join(f"{line}\n" for line in sorted(shared.lines(which)))
        if text:
            out.append(f"<{graph}> <{key}> {ox.Literal(text)} <{META_GRAPH}> .\n")
    return "".join(out)


def _shared_nquads(writes: Sequence[ReportWrite]) -> str:
    """The shared triples of some reports, each once, as quads of the shared graphs."""
    out = []
    for which, shared_graph, _ in _PARTS:
        lines: set[str] = set()
        for w in writes:
            lines |= w.shared.lines(which)
        out.append(_nquads(shared_graph, "\n".join(sorted(lines))))
    return "".join(out)


#: Removes every reading no annotation refers to any more (after a report graph is dropped
#: or replaced): readings are shared, so one goes only with the last annotation that reads it
#: — counting the annotations of an imported graph that another graph held when it was
#: imported, recorded in the metadata graph (graph/overlap.py) and put back into it later.
READINGS_GC = (
    f"DELETE {{ GRAPH <{READINGS_GRAPH}> {{ ?r ?p ?o }} }} WHERE {{ GRAPH <{READINGS_GRAPH}> "
    f"{{ ?r ?p ?o }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?a {READING} ?r }} }} "
    f"FILTER NOT EXISTS {{ GRAPH <{META_GRAPH}> {{ ?x <{IKG.heldElsewhere}> ?held }} "
    f"FILTER(CONTAINS(?held, STR(?r))) }} }}"
)


def _new_reports_nquads(writes: Sequence[ReportWrite]) -> str:
    """One N-Quads document of new reports: their graphs, inferred graphs, records and
    contributions, and their shared triples (each once)."""
    parts: list[str] = []
    for w in writes:
        parts.append(_nquads(w.graph, w.ntriples))
        if w.inferred is not None:
            parts.append(_nquads(*w.inferred))
        parts.append(_nquads(META_GRAPH, w.info.ntriples()))
        parts.append(_contribution_nquads(w.graph, w.shared))
        parts.append(_nquads(SUMMARY_GRAPH, summary_ntriples(w.graph, w.summary)))
    parts.append(_shared_nquads(writes))
    readings = {line for w in writes for line in w.readings.splitlines() if line.strip()}
    parts.append(_nquads(READINGS_GRAPH, "\n".join(sorted(readings))))
    return "".join(parts)


#: The graphs that are not report graphs (besides the inferred ones).
_NOT_REPORT_GRAPHS = frozenset(
    (ONTOLOGY_GRAPH, META_GRAPH, SHARED_GRAPH, LINKS_GRAPH, READINGS_GRAPH, SUMMARY_GRAPH)
)

#: Seconds a read-only open retries when a concurrent build's compaction removed a file it
#: was about to read (see :meth:`GraphStore.open`).
READ_ONLY_RETRY = 5.0


class GraphStore:
    """A directory holding an Oxigraph store, opened for reading or writing."""

    def __init__(self, store: ox.Store, path: Path) -> None:
        self._store = store
        self.path = path
        self._readings: dict[str, list[tuple[str, str]]] | None = None  # read once, see readings()
        self._held = ExitStack()  # the write lock, when opened for writing

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = False,
        read_only: bool = False,
        wait: float = 0.0,
        command: str | None = None,
        lock: bool = True,
    ) -> GraphStore:
        """Open the store at ``path``; create it when asked, else it must exist.

        Opened for writing, the store's lock (graph/lock.py) is held until :meth:`close`:
        another writer waits up to ``wait`` seconds for it, then is told the store is busy
        and by whom (``lock=False``: a folder nobody else knows of, a first build's
        staging folder).  Opened read-only, the store is seen as it was at that moment."""
        path = Path(path)
        if not create and not (path / "CURRENT").exists():
            # a first build writes beside it and renames its folder into place when done
            building = any(path.parent.glob(f".{path.name}.building-*"))
            if building and not read_only and lock and wait > 0:
                with store_lock(path, command=command, wait=wait):
                    pass  # the first build holds the lock until its store is in place
            if not (path / "CURRENT").exists():
                under_way = (
                    " (its first build is under way: try again when it ends, or give --wait)"
                    if building
                    else f": run `incident-kg build REPORTS --store {path}` first"
                )
                raise StoreError(f"no store at {path}{under_way}")
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path} is a file, not a store directory")
        held = ExitStack()
        # Oxigraph's own lock outlives the store lock for a moment while a writer closes (its
        # directory is released when the last reference goes, after the process's last work
        # under load): a writer told to --wait waits as long for that too.
        grace = 0.0 if held_here(path) else max(ROCKSDB_LOCK_GRACE, wait)
        if not read_only and lock:
            held.enter_context(store_lock(path, command=command, wait=wait))
        deadline = time.monotonic() + grace
        reread = time.monotonic() + READ_ONLY_RETRY
        while True:
            try:
                store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
                break
            except RuntimeError as exc:
                # Read-only while a build writes: RocksDB read the file list, then the writer's
                # compaction removed a file before it was opened.  The next look sees the new
                # list (Oxigraph calls a concurrent writer undefined behaviour; this is the
                # one failure seen, in tests/graph/test_concurrency.py).
                if read_only and "No such file" in str(exc) and time.monotonic() < reread:
                    time.sleep(0.05)
                    continue
                held.close()
                raise StoreError(f"cannot open store {path}: {exc}") from exc
            except OSError as exc:
                # With the store lock held, Oxigraph's own lock can only be a writer that has
                # released the store lock and is closing the store, or a program that does
                # not take the store lock: give the first a moment.
                if "lock" in str(exc).lower() and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                held.close()
                if "lock" in str(exc).lower():
                    raise StoreError(
                        f"store {path} is in use: already open for writing, in this process or "
                        "in a program that does not take incident-kg's store lock (an "
                        "`oxigraph serve` on it?)"
                    ) from exc
                raise StoreError(f"cannot open store {path}: {exc}") from exc
        opened = cls(store, path)
        opened._held = held
        return opened

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Flush and release the directory lock (closing twice is harmless)."""
        if not hasattr(self, "_store"):
            return
        try:
            self._store.flush()
        except (OSError, RuntimeError):  # a read-only store cannot flush
            pass
        del self._store  # Oxigraph closes the directory once the last reference is gone
        self._held.close()

    def optimize(self) -> None:
        """Compact the store's files (RocksDB compaction).  After a bulk load the data sits
        in many overlapping files and every index lookup visits several: compacting once
        made the joins of the named queries two to three times faster at 10,000 reports."""
        self._store.optimize()

    # -- writing -------------------------------------------------------------------------

    def replace_graph(self, graph_iri: str, ntriples: str) -> None:
        """Atomically replace a named graph with the given N-Triples."""
        update = (
            f"DROP SILENT GRAPH <{graph_iri}> ;\n"
            f"INSERT DATA {{ GRAPH <{graph_iri}> {{\n{ntriples}\n}} }}"
        )
        self._readings = None
        self._store.update(update)

    def replace_report(
        self,
        graph_iri: str,
        ntriples: str,
        info: RecordInfo,
        inferred: tuple[str, str] | None = None,
        shared: SharedPart | None = None,
        *,
        readings: str = "",
        summary: tuple[str, str] | None = None,
    ) -> None:
        """Replace a report's graph, its inferred graph (name, N-Triples), its record in
        the metadata graph, its contribution to the shared graphs, its summary and the
        readings of its evidence, in one transaction."""
        r = f"<{info.report}>"
        shared_update = self._shared_update(graph_iri, shared or SharedPart())
        inferred_update = ""
        if inferred is not None:
            name, triples = inferred
            inferred_update = (
                f"DROP SILENT GRAPH <{name}> ;\n"
                f"INSERT DATA {{ GRAPH <{name}> {{\n{triples}\n}} }} ;\n"
            )
        self._readings = None
        self._store.update(
            f"DROP SILENT GRAPH <{graph_iri}> ;\n"
            f"INSERT DATA {{ GRAPH <{graph_iri}> {{\n{ntriples}\n}} }} ;\n"
            f"{inferred_update}{shared_update}"
            f"INSERT DATA {{ GRAPH <{READINGS_GRAPH}> {{\n{readings}\n}} }} ;\n"
            f"{READINGS_GC} ;\n"
            f"DELETE WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{graph_iri}> ?sp ?so }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{SUMMARY_GRAPH}> {{\n{summary_ntriples(graph_iri, summary)}}} }} ;\n"
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ {r} ?p ?o }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n{info.ntriples()}}} }}"
        )

    def add_reports(self, writes: Sequence[ReportWrite]) -> None:
        """Write reports that are not in the store yet (graphs, inferred graphs, records) in
        one transaction: Oxigraph's transactional ``load`` of one N-Quads document, several
        times faster than SPARQL ``INSERT DATA``.  A report already in the store must go
        through :meth:`replace_report`, which drops its old graphs first."""
        if writes:
            self._readings = None
            self._store.load(_new_reports_nquads(writes), format=ox.RdfFormat.N_QUADS)

    def bulk_add_reports(self, writes: Sequence[ReportWrite]) -> None:
        """Like :meth:`add_reports`, with Oxigraph's bulk loader: several times faster, but
        NOT atomic — only for a store that nobody sees until it is complete (a first build
        in a staging directory, see ``graph/build.py``)."""
        if writes:
            self._readings = None
            data = _new_reports_nquads(writes).encode("utf-8")
            self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)

    def update_record(self, info: RecordInfo) -> None:
        """Rewrite one report's record only (its graphs stay as they are)."""
        r = f"<{info.report}>"
        self._store.update(
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ {r} ?p ?o }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n{info.ntriples()}}} }}"
        )

    def remove_report(self, report_iri: str, graphs: Iterable[str]) -> None:
        """Drop a report's graphs, its record, its summary, its contribution to the shared
        graphs (the shared triples no other report states) and the readings no other
        report's evidence refers to, in one transaction."""
        names = list(graphs)
        drops = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in names)
        shared = "".join(self._shared_update(g, SharedPart()) for g in names)
        summaries = "".join(
            f"DELETE WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{g}> ?sp ?so }} }} ;\n" for g in names
        )
        self._readings = None
        self._store.update(
            f"{drops}{shared}{summaries}{READINGS_GC} ;\n"
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{report_iri}> ?p ?o }} }}"
        )

    # -- the shared graphs -----------------------------------------------------------------

    def shared_part(self, graph_iri: str) -> SharedPart:
        """A report graph's contribution to the shared graphs, as last written."""
        found = {key: "" for _, _, key in _PARTS}
        for key in found:
            for quad in self._store.quads_for_pattern(
                ox.NamedNode(graph_iri), ox.NamedNode(key), None, ox.NamedNode(META_GRAPH)
            ):
                found[key] = str(getattr(quad.object, "value", ""))
        return SharedPart(found[SHARED_ASSERTED_KEY], found[SHARED_INFERRED_KEY])

    def shared_parts(self) -> dict[str, SharedPart]:
        """Every report graph's contribution to the shared graphs, by graph name."""
        found: dict[str, dict[str, str]] = {}
        for _, _, key in _PARTS:
            for quad in self._store.quads_for_pattern(
                None, ox.NamedNode(key), None, ox.NamedNode(META_GRAPH)
            ):
                subject, text = quad.subject, quad.object
                if isinstance(subject, ox.NamedNode) and isinstance(text, ox.Literal):
                    found.setdefault(subject.value, {})[key] = text.value
        return {
            g: SharedPart(v.get(SHARED_ASSERTED_KEY, ""), v.get(SHARED_INFERRED_KEY, ""))
            for g, v in found.items()
        }

    def _stated_elsewhere(self, line: str, key: str, graph_iri: str) -> bool:
        """Whether a report graph other than ``graph_iri`` contributes this shared line."""
        needle = ox.Literal(f"\n{line}\n")
        return bool(
            self._store.query(
                f"ASK {{ GRAPH <{META_GRAPH}> {{ ?g <{key}> ?text "
                f'FILTER(?g != <{graph_iri}> && CONTAINS(CONCAT("\\n", ?text), {needle})) }} }}'
            )
        )

    def _shared_update(self, graph_iri: str, new: SharedPart) -> str:
        """SPARQL Update operations (each ending ``;``) that replace a report graph's
        contribution to the shared graphs with ``new``: its lines are added (the shared
        graphs are sets), and the lines only its old contribution stated are taken out."""
        old = self.shared_part(graph_iri)
        ops: list[str] = []
        for which, shared_graph, key in _PARTS:
            gone = sorted(
                line
                for line in old.lines(which) - new.lines(which)
                if not self._stated_elsewhere(line, key, graph_iri)
            )
            if gone:
                body = "\n".join(gone)
                ops.append(f"DELETE DATA {{ GRAPH <{shared_graph}> {{\n{body}\n}} }} ;\n")
            added = "\n".join(sorted(new.lines(which)))
            if added:
                ops.append(f"INSERT DATA {{ GRAPH <{shared_graph}> {{\n{added}\n}} }} ;\n")
            ops.append(
                f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph_iri}> <{key}> ?x }} }} ;\n"
            )
        meta = _contribution_nquads(graph_iri, new).replace(f" <{META_GRAPH}> .", " .")
        if meta:
            ops.append(f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n{meta}}} }} ;\n")
        return "".join(ops)

    def set_shared_inferred(self, parts: Mapping[str, str], union: str) -> None:
        """Replace every report graph's inferred contribution (graph name → N-Triples) and
        the shared inferred graph (``union``, their union) in one transaction."""
        ops = [f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{SHARED_INFERRED_KEY}> ?x }} }} ;\n"]
        meta = "".join(
            _contribution_nquads(g, SharedPart(inferred=text)) for g, text in sorted(parts.items())
        ).replace(f" <{META_GRAPH}> .", " .")
        if meta:
            ops.append(f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n{meta}}} }} ;\n")
        ops.append(f"DROP SILENT GRAPH <{SHARED_INFERRED}>")
        if union.strip():
            ops.append(f" ;\nINSERT DATA {{ GRAPH <{SHARED_INFERRED}> {{\n{union}\n}} }}")
        self._store.update("".join(ops))

    def has_graph(self, graph_iri: str) -> bool:
        """Whether the store holds a named graph of that name."""
        return bool(self._store.contains_named_graph(ox.NamedNode(graph_iri)))

    def records(self) -> list[RecordInfo]:
        """The record of every report in the store, sorted by report IRI."""
        values: dict[str, dict[str, str]] = {}
        # one SPARQL scan of the metadata graph: about twice as fast as quads_for_pattern
        rows = self._store.query(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o FILTER(ISLITERAL(?o) "
            f"&& ?p NOT IN (<{SHARED_ASSERTED_KEY}>, <{SHARED_INFERRED_KEY}>)) }} }}"
        )
        for row in cast(ox.QuerySolutions, rows):
            subject, predicate, value = row[0], row[1], row[2]
            if isinstance(subject, ox.NamedNode) and isinstance(value, ox.Literal):
                values.setdefault(subject.value, {})[predicate.value] = value.value
        out = [record_from(report, v) for report, v in sorted(values.items())]
        return [r for r in out if r is not None]

    def source_index(self, reports: Collection[str] | None = None) -> dict[str, SourceEntry]:
        """Per report IRI (of every report, or of ``reports`` only), the source recorded by
        the last build: digest, path, incidents, file signature.  Four scans of one predicate
        each: what an incremental build needs to decide which files changed (~1 s at 10,000
        reports; a few named ``reports``: milliseconds)."""
        found: dict[str, dict[str, str]] = {}
        predicates = (IKG.sourceDigest, IKG.sourcePath, IKG.recordedIncidents, IKG.sourceStat)
        named = " ".join(str(ox.NamedNode(r)) for r in sorted(reports or ()))
        only = "" if reports is None else f"VALUES ?s {{ {named} }} "
        for predicate in predicates:  # SPARQL: faster than quads_for_pattern here
            rows = self._store.query(
                f"SELECT ?s ?o WHERE {{ {only}GRAPH <{META_GRAPH}> {{ ?s <{predicate}> ?o }} }}"
            )
            for row in cast(ox.QuerySolutions, rows):
                subject, value = row[0], row[1]
                if isinstance(subject, ox.NamedNode) and isinstance(value, ox.Literal):
                    found.setdefault(subject.value, {})[str(predicate)] = value.value
        out: dict[str, SourceEntry] = {}
        for report, values in found.items():
            incidents = values.get(str(IKG.recordedIncidents))
            out[report] = SourceEntry(
                values.get(str(IKG.sourceDigest)),
                values.get(str(IKG.sourcePath)),
                int(incidents) if incidents is not None else 0,
                values.get(str(IKG.sourceStat)),
            )
        return out

    def meta_value(self, key: str) -> str | None:
        """A value the store keeps about itself in the metadata graph (e.g. a digest)."""
        for quad in self._store.quads_for_pattern(
            ox.NamedNode(_STORE_NODE), ox.NamedNode(key), None, ox.NamedNode(META_GRAPH)
        ):
            if isinstance(quad.object, ox.Literal):
                return quad.object.value
        return None

    def set_meta_value(self, key: str, value: str) -> None:
        """Set a value the store keeps about itself (replacing the old one)."""
        node, pred = f"<{_STORE_NODE}>", f"<{key}>"
        self._store.update(
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ {node} {pred} ?o }} }} ;\n"
            f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ {node} {pred} {ox.Literal(value)} . }} }}"
        )

    def record(self, report_iri: str) -> RecordInfo | None:
        """The bookkeeping of one report, if it was ever loaded."""
        values: dict[str, str] = {}
        for quad in self._store.quads_for_pattern(
            ox.NamedNode(report_iri), None, None, ox.NamedNode(META_GRAPH)
        ):
            if isinstance(quad.object, ox.Literal):
                values[quad.predicate.value] = quad.object.value
        return record_from(report_iri, values)

    def update(self, sparql: str) -> None:
        """Run one SPARQL update: all its operations in one transaction, or none."""
        self._readings = None
        self._store.update(sparql)

    def imported_graph_names(self) -> set[str]:
        """Names of the graphs an import wrote (export/importer.py records them in the
        metadata graph); a build must not overwrite them."""
        found = self._store.query(
            f"SELECT ?g WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{PROV.wasGeneratedBy}> ?i . "
            f"?i a <{IKG.Import}> }} }}"
        )
        return {str(row["g"].value) for row in found}  # type: ignore[union-attr]

    def remove_graph(self, graph_iri: str) -> None:
        """Drop a named graph (no error when it is absent)."""
        self._readings = None
        self._store.update(f"DROP SILENT GRAPH <{graph_iri}>")

    def pseudonym_key(self) -> str | None:
        """The store's secret for pseudonyms of what leaves it (privacy/pseudonyms.py)."""
        return self.meta_value(PSEUDONYM_KEY)

    def ensure_pseudonym_key(self) -> None:
        """Give the store its secret for pseudonyms when it has none yet."""
        if self.pseudonym_key() is None:
            self.set_meta_value(PSEUDONYM_KEY, new_key())

    def check_base(self, base: str) -> None:
        """Record the base IRI on first use; refuse a different one later.  (A build calls
        it first: the store also gets its secret for pseudonyms here.)"""
        self.ensure_pseudonym_key()
        found = self.base_iri()
        if found is None:  # added to the metadata graph, which may hold import records
            self._store.update(
                f'INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{_STORE_NODE}> <{IKG.baseIri}> "{base}" }} }}'
            )
        elif found != base:
            raise StoreError(
                f"store {self.path} was built with base IRI {found}, not {base}; "
                "use another --store or the same --base"
            )

    def base_iri(self) -> str | None:
        """The base IRI the store was built with, if any."""
        for quad in self._store.quads_for_pattern(
            ox.NamedNode(_STORE_NODE),
            ox.NamedNode(str(IKG.baseIri)),
            None,
            ox.NamedNode(META_GRAPH),
        ):
            if isinstance(quad.object, ox.Literal):
                return quad.object.value
        return None

    # -- reading -------------------------------------------------------------------------

    def graphs(self) -> list[str]:
        """Names of every named graph, sorted."""
        return sorted(
            str(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
        )

    def report_graphs(self) -> list[str]:
        """Names of the report graphs (not the ontology, metadata, shared, links or inferred
        graphs)."""
        return [
            g
            for g in self.graphs()
            if g not in _NOT_REPORT_GRAPHS and not g.startswith(INFERRED_PREFIX)
        ]

    def asserted_graphs(self) -> list[str]:
        """The report graphs and the shared graph: every asserted triple of the data."""
        shared = [SHARED_GRAPH] if self.has_graph(SHARED_GRAPH) else []
        return shared + self.report_graphs()

    def inferred_graphs(self) -> list[str]:
        """Names of the graphs that hold inferred triples (see graph/reason.py)."""
        return [g for g in self.graphs() if g.startswith(INFERRED_PREFIX)]

    def quads(self, graphs: Iterable[str] | None = None) -> Iterator[ox.Quad]:
        """Every quad, or those of the given graphs."""
        if graphs is None:
            yield from self._store.quads_for_pattern(None, None, None, None)
            return
        for name in graphs:
            yield from self._store.quads_for_pattern(None, None, None, ox.NamedNode(name))

    def graphs_with(self, triple: ox.Triple) -> set[str]:
        """The names of the named graphs that hold ``triple``."""
        return {
            str(getattr(q.graph_name, "value", ""))
            for q in self._store.quads_for_pattern(
                triple.subject, triple.predicate, triple.object, None
            )
        }

    def pairs(self, predicate: str) -> set[tuple[str, str]]:
        """Every (subject, object) that some graph states with ``predicate``, each once
        however many graphs hold it; IRIs and literals by their value."""
        return {
            (str(getattr(q.subject, "value", q.subject)), str(getattr(q.object, "value", q.object)))
            for q in self._store.quads_for_pattern(None, ox.NamedNode(predicate), None, None)
        }

    def match(self, *pattern: ox.NamedNode | ox.Literal | None) -> Iterator[ox.Quad]:
        """The quads of a (subject, predicate, object[, graph]) pattern, None for any."""
        return self._store.quads_for_pattern(*pattern)  # type: ignore[arg-type]

    def graph_ntriples(self, graphs: Iterable[str]) -> bytes:
        """The triples of some graphs as N-Triples bytes, the evidence in full Web Annotation
        form (:func:`~.evidence.expand`): what the graphs say, whatever form the store keeps."""
        lines = [f"{s} {p} {o} .\n" for s, p, o in self.graph_triples(graphs)]
        return "".join(lines).encode("utf-8")

    def graph_triples(self, graphs: Iterable[str]) -> list[Triple]:
        """The triples of some graphs (N-Triples terms), graph by graph, the evidence in full
        Web Annotation form."""
        out: list[Triple] = []
        for name in graphs:
            stored = [(str(q.subject), str(q.predicate), str(q.object)) for q in self.quads([name])]
            out += expand(stored, self.readings())
        return out

    def readings(self) -> dict[str, list[tuple[str, str]]]:
        """Every reading of the store's compact evidence, by IRI (read once per open store
        and after each write)."""
        if self._readings is None:
            self._readings = readings_of(
                (str(q.subject), str(q.predicate), str(q.object))
                for q in self.quads([READINGS_GRAPH])
            )
        return self._readings

    # -- the summaries (graph/summary.py) -----------------------------------------------

    def summaries(self) -> Iterator[tuple[str, str]]:
        """(report graph, summary JSON) of every report graph that has one (a SPARQL scan:
        several times faster here than iterating over quads)."""
        yield from self._scan_summaries(SUMMARY_KEY)

    def summary_digests(self) -> list[tuple[str, str]] | None:
        """(report graph, digest of its summary) of every report graph that has a summary; None
        when a summary has no digest beside it (kept by older code): read the summaries."""
        found = list(self._scan_summaries(SUMMARY_DIGEST_KEY))
        rows = self._store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?g <{SUMMARY_KEY}> ?t }} }}"
        )
        count = next(iter(cast(ox.QuerySolutions, rows)))[0]
        return found if isinstance(count, ox.Literal) and int(count.value) == len(found) else None

    def all_summary_details(self) -> Iterator[tuple[str, str]]:
        """(report graph, details JSON) of every report graph that has them."""
        yield from self._scan_summaries(DETAILS_KEY)

    def _scan_summaries(self, key: str) -> Iterator[tuple[str, str]]:
        rows = self._store.query(
            f"SELECT ?g ?text WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?g <{key}> ?text }} }}"
        )
        for row in cast(ox.QuerySolutions, rows):
            graph, text = row[0], row[1]
            if isinstance(graph, ox.NamedNode) and isinstance(text, ox.Literal):
                yield graph.value, text.value

    def summary_details(self, graph_iri: str) -> str | None:
        """The details JSON (evidence, timeline) of one report graph's summary, if any."""
        for quad in self._store.quads_for_pattern(
            ox.NamedNode(graph_iri), ox.NamedNode(DETAILS_KEY), None, ox.NamedNode(SUMMARY_GRAPH)
        ):
            if isinstance(quad.object, ox.Literal):
                return quad.object.value
        return None

    def query(
        self,
        sparql: str,
        bindings: dict[str, Term] | None = None,
        *,
        graphs: Sequence[str] | None = None,
    ) -> object:
        """Run a SPARQL query over the union of all graphs (Oxigraph's engine), or over the
        union of ``graphs`` only, with ``bindings`` as initial bindings of variables (RDF
        terms, never query text)."""
        substitutions: dict[ox.Variable, Any] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        if graphs is not None:
            return self._store.query(
                sparql,
                default_graph=[ox.NamedNode(g) for g in graphs],
                substitutions=substitutions or None,
            )
        return self._store.query(
            sparql, use_default_graph_as_union=True, substitutions=substitutions or None
        )

    def __len__(self) -> int:
        return len(self._store)
