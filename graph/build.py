"""Build: report files → store.  The batch driver at the edge of the pipeline.

Each report is read, extracted and turned into its named graph, then written in
one transaction.  A file that cannot be read or understood becomes a
:class:`~.model.Problem` and the batch goes on; the summary lists them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from incident_kg import __version__
from incident_kg.errors import IncidentKGError, ReportReadError
from incident_kg.ontology.namespaces import ONTOLOGY_GRAPH
from incident_kg.ontology.vocabulary import codes, ontology_graph

from .curation import apply_curation, load_curation, sidecar_for
from .extract import Extractor, extract_report, make_extractor, report_id_for
from .model import Problem, Report
from .read import iter_report_files, read_report
from .reason import (
    ONTOLOGY_INFERRED,
    Rules,
    close_ontology,
    compile_rules,
    inferred_graph_for,
    materialise_graph,
)
from .store import GraphStore, RecordInfo, to_ntriples
from .triples import Minter, report_graph

log = logging.getLogger(__name__)

SKOLEM_AUTHORITY = "https://w3id.org/incident-kg"


@dataclass
class BuildResult:
    """What a build did: reports loaded, incidents found, problems met."""

    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # loaded before with the same graph
    incidents: int = 0
    problems: list[Problem] = field(default_factory=list)

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
    """Report files under the given paths; a missing path is a problem, not a crash."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            files.extend(iter_report_files([path]))
        except ReportReadError as exc:
            problems.append(Problem(exc.path, exc.kind, exc.message))
    return sorted(dict.fromkeys(files)), problems


def read_and_extract(path: Path, extractor: Extractor) -> Report:
    """One file → one extracted report, with its curation sidecar applied when there is one.

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
    return report


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
    for path in files:
        try:
            reports.append(read_and_extract(path, extractor))
        except ReportReadError as exc:
            problems.append(Problem(exc.path, exc.kind, exc.message))
        except IncidentKGError as exc:  # a bad curation sidecar
            problems.append(Problem(str(path), "curation", str(exc)))
    return reports, problems


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


def build(
    paths: Sequence[Path],
    store: GraphStore,
    *,
    base: str,
    extractor: Extractor,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = lambda it: it,
    clock: Callable[[], str] = utc_now,
) -> BuildResult:
    """Load every report under ``paths`` into the store, one transaction per report.

    A report whose graph is unchanged is not written again; otherwise its graph and
    its record (when first created, when last changed) are replaced together.
    """
    result = BuildResult()
    store.check_base(base)
    rules = load_ontology(store)
    rules_digest = hashlib.sha256(
        "".join(sorted(f"{t}\n" for t in map(str, rules.schema))).encode()
    ).hexdigest()[:16]
    files, problems = collect_files(paths)
    result.problems.extend(problems)
    seen: dict[str, Path] = {}
    imported = store.imported_graph_names()
    for path in progress(files):
        report_id = report_id_for(path.name)
        if report_id in seen:
            result.problems.append(
                Problem(str(path), "duplicate", f"same file name as {seen[report_id]}; skipped")
            )
            continue
        seen[report_id] = path
        try:
            report = read_and_extract(path, extractor)
        except ReportReadError as exc:
            result.problems.append(Problem(exc.path, exc.kind, exc.message))
            continue
        except IncidentKGError as exc:  # a bad curation sidecar: keep what the store had
            result.problems.append(Problem(str(path), "curation", f"{exc}; report not reloaded"))
            continue
        result.problems.extend(
            Problem(str(path), p.kind, p.message, p.severity) for p in report.problems
        )
        graph = report_graph(report, base=base, software_version=__version__)
        minter = Minter(base, report.report_id)
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
        ntriples = to_ntriples(graph)
        digest = hashlib.sha256("".join(sorted(ntriples.splitlines(True))).encode()).hexdigest()
        digest = f"{digest}+{rules_digest}"  # a changed ontology re-reasons every report
        record = store.record(str(minter.report))
        if record is not None and record.digest == digest:
            result.unchanged.append(str(path))  # same graph as stored: nothing to write
        else:
            now = clock()
            created = record.created if record is not None else now
            inferred = to_ntriples(materialise_graph(graph, rules))
            store.replace_report(
                str(minter.graph),
                ntriples,
                RecordInfo(str(minter.report), digest, created, now),
                inferred=(inferred_graph_for(str(minter.graph)), inferred),
            )
        result.loaded.append(str(path))
        result.incidents += len(report.incidents)
        log.info(
            "loaded %s: %d incidents, %d triples", path.name, len(report.incidents), len(graph)
        )
    return result
