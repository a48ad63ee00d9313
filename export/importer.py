"""Import: a file from another agency → the store, or nothing at all.

Every check runs before anything is written, and the write is one transaction,
so a refused file leaves the store as it was — byte for byte when the file
itself is at fault, since the store is not even opened then:

1. **size**: a file over ``max_bytes`` is refused before it is read, one with
   more than ``max_triples`` triples while it is parsed;
2. **syntax**: Oxigraph's strict parsers (Turtle, N-Triples, N-Quads, TriG,
   JSON-LD — no RDF/XML, and JSON-LD never loads a remote context); blank nodes
   are named by the file's digest and their order, so the same file gives the
   same IRIs;
3. **header**: the marking the export carries (``ikg:sharingMarking`` of the
   exported dataset, or of each named graph) is taken out of the data;
4. **ontology**: the file may repeat the project's ontology (an export with the
   ontology does) but not change it: a triple about an ontology term that the
   ontology does not hold, an axiom (``rdfs:subClassOf``, ``owl:sameAs``,
   ``skos:broader``…) that ties another term to an ontology term, or an ``ikg:``
   or ``code:`` IRI the ontology does not define is refused;
5. **graphs**: the store's record keeping cannot be written; the file's ontology
   and inferred graphs are not taken (the store has its own; inferences are
   recomputed); a graph that holds the store's own data or another agency's import
   cannot be overwritten;
6. **shapes**: the data is validated with ``ontology/shapes.ttl``;
7. **marking**: the file must carry a TLP 2.0 label or be given one (``--tlp``),
   and cannot be imported under a looser one than it carries.

Then the graphs, their inferred graphs and the import's record (who, which file,
when, which marking: :mod:`.records`) are written in one SPARQL update.

Graphs keep the names the file gives them, so an export imported into an empty
store exports again to the same bytes; the triples of a file without named
graphs go to one graph per agency and file name (:func:`.records.default_graph_name`).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox
import yaml
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from incident_kg.errors import FileReadError, IncidentKGError, StoreError
from incident_kg.files import read_bounded
from incident_kg.graph.build import stable_ontology, utc_now
from incident_kg.graph.evidence import READINGS_GRAPH, compact
from incident_kg.graph.links import relink
from incident_kg.graph.overlap import reconcile_imports
from incident_kg.graph.reason import (
    ONTOLOGY_INFERRED,
    Rules,
    close_ontology,
    compile_rules,
    materialise_graph,
)
from incident_kg.graph.store import (
    INFERRED_PREFIX,
    LINKS_GRAPH,
    META_GRAPH,
    READINGS_GC,
    GraphStore,
    imported_inferred_graph,
    to_ntriples,
)
from incident_kg.graph.summary import SUMMARY_GRAPH, summarise, summary_ntriples
from incident_kg.ontology.namespaces import (
    CODE,
    IKG,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    ONTOLOGY_VERSION,
)
from incident_kg.ontology.validate import Violation, validate_graph
from incident_kg.ontology.vocabulary import ontology_graph

from .marking import MarkingError, Tlp
from .records import (
    ImportRecord,
    agency_iri,
    default_graph_name,
    find_record,
    import_id,
    import_iri,
    imported_graphs,
    read_records,
    record_ntriples,
)

log = logging.getLogger(__name__)

#: Files larger than this are refused before they are read (bytes; ``--max-size``).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
#: Files with more triples than this are refused while they are parsed (``--max-triples``).
DEFAULT_MAX_TRIPLES = 250_000
#: Where the blank nodes of a received file are named.
GENID_BASE = "https://w3id.org/incident-kg/.well-known/genid/"

#: File suffix → (format name, Oxigraph format). No RDF/XML (XML entities), no N3.
READERS: dict[str, tuple[str, ox.RdfFormat]] = {
    ".ttl": ("turtle", ox.RdfFormat.TURTLE),
    ".nt": ("ntriples", ox.RdfFormat.N_TRIPLES),
    ".nq": ("nquads", ox.RdfFormat.N_QUADS),
    ".trig": ("trig", ox.RdfFormat.TRIG),
    ".jsonld": ("jsonld", ox.RdfFormat.JSON_LD),
    ".json": ("jsonld", ox.RdfFormat.JSON_LD),
}
FORMAT_NAMES = dict(READERS.values())

#: Properties that state how terms relate, not facts about things: such a triple with an
#: ontology term as its object extends or redefines the ontology.
SCHEMA_PREDICATES = frozenset(
    f"<{p}>"
    for p in (
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.sameAs,
        OWL.propertyChainAxiom,
        OWL.disjointWith,
        OWL.complementOf,
        SKOS.broader,
        SKOS.narrower,
        SKOS.broaderTransitive,
        SKOS.narrowerTransitive,
        SKOS.exactMatch,
        SKOS.closeMatch,
        SKOS.inScheme,
        SKOS.topConceptOf,
    )
)
_PROJECT = ("<https://w3id.org/incident-kg/ontology", "<https://w3id.org/incident-kg/shapes#")
_DEFINED = (f"<{IKG}", f"<{CODE}")
_TYPE = f"<{RDF.type}>"
_MARKING = f"<{IKG.sharingMarking}>"
_DATASET = f"<{DCAT.Dataset}>"
_CONFORMS = f"<{DCTERMS.conformsTo}>"
_DEFAULT = ""  # the default graph


class ImportReadError(IncidentKGError):
    """A file that cannot be imported at all: too large, unreadable, not RDF."""


class ImportRefused(IncidentKGError):
    """A file whose content breaks the rules; nothing was written."""

    def __init__(self, path: str, problems: Sequence[ImportProblem], lang: str = "en") -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(
            f"{path}: refused, {len(self.problems)} problem(s); the store is unchanged: "
            + self.problems[0].text(lang)
        )


@cache
def _messages() -> dict[str, dict[str, str]]:
    text = files("incident_kg.export").joinpath("messages.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def message(kind: str, lang: str = "en", **values: object) -> str:
    """A message of ``messages.yaml`` in a language, filled in."""
    entry = _messages()[kind]
    return entry.get(lang, entry["en"]).format(**values)


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with a received file: its kind and what it is about."""

    kind: str  # a key of messages.yaml
    values: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str = "en") -> str:
        """The problem in plain language."""
        return message(self.kind, lang, **dict(self.values))

    @classmethod
    def of(cls, kind: str, **values: object) -> ImportProblem:
        return cls(kind, tuple(sorted((k, str(v)) for k, v in values.items())))


# -- the project's ontology, as the checks need it -------------------------------------


@dataclass(frozen=True)
class OntologyGuard:
    """The shipped ontology in the forms the checks and the writer need."""

    allowed: frozenset[str]  # N-Triples lines of the ontology and of its OWL RL closure
    terms: frozenset[str]  # subjects of those lines: the terms the ontology defines
    known: frozenset[str]  # every ikg: and code: IRI the ontology names
    ontology_nt: str  # the ontology graph, as the store holds it
    closure_nt: str  # what the closure adds, as the store holds it
    rules: Rules


def _lines(ntriples: str) -> list[tuple[str, str, str]]:
    """Triples of N-Triples text as Oxigraph writes terms (the form every check compares)."""
    return [
        (str(q.subject), str(q.predicate), str(q.object))
        for q in ox.parse(input=ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    ]


@cache
def ontology_guard() -> OntologyGuard:
    """The guard for the shipped ontology (built once per process: about a second)."""
    ontology = stable_ontology()
    closed = close_ontology(ontology)
    closure_only = Graph()
    for triple in closed:
        if triple not in ontology:
            closure_only.add(triple)
    ontology_nt, closure_nt = to_ntriples(ontology), to_ntriples(closure_only)
    triples = _lines(ontology_nt) + _lines(closure_nt)
    known = {t for triple in triples for t in triple if t.startswith(_DEFINED)}
    return OntologyGuard(
        allowed=frozenset(f"{s} {p} {o} ." for s, p, o in triples),
        terms=frozenset(s for s, _, _ in triples),
        known=frozenset(known),
        ontology_nt=ontology_nt,
        closure_nt=closure_nt,
        rules=compile_rules(closed),
    )


def _is_term(node: str, guard: OntologyGuard) -> bool:
    return node in guard.terms or node.startswith(_PROJECT) or node.startswith(_DEFINED)


def check_triple(s: str, p: str, o: str, guard: OntologyGuard) -> ImportProblem | None:
    """Why one received triple would change the ontology, if it would."""
    if f"{s} {p} {o} ." in guard.allowed:
        return None
    for node in (s, p, o):
        if node.startswith(_DEFINED) and node not in guard.known:
            return ImportProblem.of("unknown-term", term=node)
    if _is_term(s, guard):
        return ImportProblem.of("redefinition", term=s)
    if p in SCHEMA_PREDICATES and _is_term(o, guard):
        return ImportProblem.of("axiom", term=o)
    return None


# -- reading a file --------------------------------------------------------------------

Quad = tuple[str, str, str, str]  # graph ("" = default), subject, predicate, object


@dataclass(frozen=True)
class ReceivedFile:
    """A file parsed into quads (N-Triples terms), its blank nodes named."""

    name: str
    fmt: str
    size: int
    sha256: str
    quads: tuple[Quad, ...]


def format_of(path: Path, fmt: str | None = None) -> tuple[str, ox.RdfFormat]:
    """The format to read a file in: given, else from its suffix."""
    if fmt is not None:
        if fmt not in FORMAT_NAMES:
            raise ImportReadError(message("unknown-format", file=path.name))
        return fmt, FORMAT_NAMES[fmt]
    try:
        return READERS[path.suffix.lower()]
    except KeyError:
        raise ImportReadError(message("unknown-format", file=path.name)) from None


def read_received(
    path: Path,
    *,
    fmt: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
) -> ReceivedFile:
    """Parse a received file within the limits; one clear line when it cannot be."""
    name, rdf_format = format_of(path, fmt)
    try:
        data = read_bounded(path, max_bytes)  # a FIFO or a device is refused by its type
    except FileReadError as exc:
        if exc.kind == "too-large":
            try:
                size: object = path.stat().st_size
            except OSError:
                size = f"more than {max_bytes}"
            raise ImportReadError(
                message("too-large", file=path, size=size, limit=max_bytes)
            ) from None
        if exc.kind == "not-a-file":
            detail = exc.message.split(", not a file")[0]
            raise ImportReadError(message("not-a-file", file=path, detail=detail)) from None
        raise ImportReadError(message("unreadable", file=path, detail=exc.message)) from None
    size = len(data)
    digest = hashlib.sha256(data).hexdigest()
    genid = f"{GENID_BASE}{digest[:16]}/"
    blanks: dict[str, str] = {}

    def term(node: object) -> str:
        if isinstance(node, ox.BlankNode):
            return blanks.setdefault(node.value, f"<{genid}{len(blanks)}>")
        if isinstance(node, ox.Triple):
            raise ImportReadError(message("triple-term", file=path))
        return str(node)

    quads: list[Quad] = []
    try:
        for n, quad in enumerate(ox.parse(input=data, format=rdf_format, base_iri=None)):
            if n >= max_triples:
                raise ImportReadError(message("too-many-triples", file=path, limit=max_triples))
            graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else term(quad.graph_name)
            quads.append(
                (graph.strip("<>"), term(quad.subject), term(quad.predicate), term(quad.object))
            )
    except SyntaxError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise ImportReadError(message("syntax", file=path, format=name, detail=detail)) from None
    if not quads:
        raise ImportReadError(message("empty", file=path))
    return ReceivedFile(path.name, name, size, digest, tuple(dict.fromkeys(quads)))


# -- sorting a file's quads into graphs ------------------------------------------------


@dataclass(frozen=True)
class Header:
    """What the file says about itself: its dataset IRI, markings, ontology version."""

    dataset: str | None = None
    marking: Tlp | None = None  # the dataset's
    graph_markings: Mapping[str, Tlp] = field(default_factory=dict)
    conforms_to: str | None = None
    quads: tuple[Quad, ...] = ()  # the header's own triples (validated, not stored)


@dataclass(frozen=True)
class Sorted:
    """A received file sorted into what is stored and what is not."""

    header: Header
    graphs: Mapping[str, tuple[str, ...]]  # graph → N-Triples lines to store
    skipped: Mapping[str, int]  # ontology | inferred → triples not taken
    problems: tuple[ImportProblem, ...]

    def marking_of(self, graph: str) -> Tlp | None:
        """The label a graph was received under (its own, else the dataset's)."""
        return self.header.graph_markings.get(graph, self.header.marking)


def _header(received: ReceivedFile) -> tuple[Header, list[Quad], list[ImportProblem]]:
    """Take the marking header out of the file's quads."""
    problems: list[ImportProblem] = []
    named = {g for g, *_ in received.quads if g != _DEFAULT}
    datasets = {
        s
        for g, s, p, o in received.quads
        if g == _DEFAULT
        and p == _TYPE
        and o == _DATASET
        and any(q[1] == s and q[2] == _MARKING for q in received.quads if q[0] == g)
    }
    markings: dict[str, list[Tlp]] = defaultdict(list)
    head: list[Quad] = []
    rest: list[Quad] = []
    conforms: str | None = None
    for quad in received.quads:
        g, s, p, o = quad
        is_graph_marking = g == _DEFAULT and p == _MARKING and s.strip("<>") in named
        if g == _DEFAULT and (s in datasets or is_graph_marking):
            head.append(quad)
            if p == _MARKING:
                try:
                    markings[s].append(Tlp.from_iri(o.strip("<>")))
                except MarkingError:
                    problems.append(ImportProblem.of("bad-marking", term=o))
            elif p == _CONFORMS:
                conforms = o.strip("<>")
        else:
            rest.append(quad)
    dataset_marks = [m for d in datasets for m in markings.get(d, ())]
    header = Header(
        dataset=min(datasets).strip("<>") if datasets else None,
        marking=max(dataset_marks) if dataset_marks else None,
        graph_markings={
            s.strip("<>"): max(m) for s, m in markings.items() if s not in datasets and m
        },
        conforms_to=conforms,
        quads=tuple(head),
    )
    return header, rest, problems


def sort_received(received: ReceivedFile, agency: str, guard: OntologyGuard) -> Sorted:
    """Sort a file's quads into the graphs to store, checking each against the ontology.

    Pure: the store is not needed."""
    header, quads, problems = _header(received)
    by_graph: dict[str, list[str]] = defaultdict(list)
    skipped: Counter[str] = Counter()
    differs: Counter[str] = Counter()
    default_name = default_graph_name(agency, received.name)
    for g, s, p, o in quads:
        line = f"{s} {p} {o} ."
        if g == ONTOLOGY_GRAPH:
            if line in guard.allowed:
                skipped["ontology"] += 1
            else:
                differs[g] += 1
            continue
        if g.startswith(INFERRED_PREFIX):
            skipped["inferred"] += 1
            continue
        if g == LINKS_GRAPH:  # derived across reports: this store links for itself
            skipped["links"] += 1
            continue
        if g == META_GRAPH:
            problems.append(ImportProblem.of("reserved-graph", graph=g))
            continue
        if line in guard.allowed:  # the ontology repeated in a graph of data
            skipped["ontology"] += 1
            continue
        problem = check_triple(s, p, o, guard)
        if problem is not None:
            problems.append(problem)
            continue
        by_graph[g or default_name].append(line)
    for g, count in differs.items():
        problems.append(ImportProblem.of("ontology-differs", graph=g, count=count))
    unique = list(dict.fromkeys(problems))
    return Sorted(
        header,
        {g: tuple(sorted(set(lines))) for g, lines in sorted(by_graph.items())},
        dict(skipped),
        tuple(unique),
    )


def validate_sorted(sorted_file: Sorted, *, lang: str = "en") -> list[Violation]:
    """SHACL results for the data a file would store (with its header), validated
    together with the ontology in one graph (the only copy of the data in memory)."""
    union = ontology_graph()
    lines = [line for graph in sorted_file.graphs.values() for line in graph]
    lines += [f"{s} {p} {o} ." for _, s, p, o in sorted_file.header.quads]
    union.parse(data="\n".join(lines), format="nt")
    return validate_graph(union, lang=lang, has_ontology=True)


def inferred_ntriples(lines: Sequence[str], rules: Rules) -> str:
    """What the compiled OWL RL rules infer from one graph's triples, as N-Triples."""
    graph = Graph()
    graph.parse(data="\n".join(lines), format="nt")
    return to_ntriples(materialise_graph(graph, rules))


def check_marking(
    received: ReceivedFile, sorted_file: Sorted, chosen: Tlp | None
) -> tuple[dict[str, Tlp], list[ImportProblem]]:
    """The label each graph is imported under, or why the file cannot be imported."""
    out: dict[str, Tlp] = {}
    problems: list[ImportProblem] = []
    for graph in sorted_file.graphs:
        carried = sorted_file.marking_of(graph)
        if carried is None and chosen is None:
            return {}, [ImportProblem.of("no-marking", file=received.name)]
        if carried is not None and chosen is not None and chosen < carried:
            problems.append(
                ImportProblem.of(
                    "looser-marking", file=received.name, marking=carried.label, chosen=chosen.label
                )
            )
            return {}, problems
        out[graph] = max(m for m in (carried, chosen) if m is not None)
    return out, problems


# -- the store -------------------------------------------------------------------------


def check_owners(graphs: Iterable[str], store: GraphStore, agency: str) -> list[ImportProblem]:
    """Graphs of the file that another source already holds in the store."""
    existing = set(store.graphs())
    owners = imported_graphs(store)
    agencies = {r.id: (r.agency_iri, r.agency) for r in read_records(store)}
    me = agency_iri(agency)
    problems = []
    for graph in graphs:
        if graph in owners:
            owner_iri, owner = agencies.get(owners[graph].import_id, ("", "?"))
            if owner_iri != me:
                problems.append(
                    ImportProblem.of("owner-other", graph=graph, owner=owner, agency=agency)
                )
        elif graph in existing:
            problems.append(ImportProblem.of("owner-local", graph=graph))
    return problems


def _insert(graph: str, ntriples: str) -> str:
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}"


def import_update(
    record: ImportRecord,
    graphs: Mapping[str, Sequence[str]],
    inferred: Mapping[str, str],
    *,
    ontology: tuple[str, str] | None,
) -> str:
    """The one SPARQL update that writes an import: its graphs, their inferred graphs
    (``inferred``: graph → N-Triples), its record (replacing what an earlier import of
    the same graphs recorded) and, for a store that has none yet, the ontology."""
    ops: list[str] = []
    if ontology is not None:
        for name, text in zip((ONTOLOGY_GRAPH, ONTOLOGY_INFERRED), ontology, strict=True):
            ops += [f"DROP SILENT GRAPH <{name}>", _insert(name, text)]
    for graph, lines in graphs.items():
        derived = imported_inferred_graph(graph)
        stored, readings, summary = store_form(lines)
        ops += [
            f"DROP SILENT GRAPH <{graph}>",
            _insert(graph, stored),
            _insert(READINGS_GRAPH, readings),
            f"DROP SILENT GRAPH <{derived}>",
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}",
            f"DELETE WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{graph}> ?p ?o }} }}",
            _insert(SUMMARY_GRAPH, summary_ntriples(graph, summary)),
        ]
        if inferred.get(graph, "").strip():
            ops.append(_insert(derived, inferred[graph]))
    if graphs:
        ops.append(READINGS_GC)  # readings only the replaced graphs read
    imp = import_iri(record.id)
    ops += [
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{imp}> ?p ?o }} }}",
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{imp}/file> ?p ?o }} }}",
        _insert(META_GRAPH, record_ntriples(record, {g: len(v) for g, v in graphs.items()})),
    ]
    return " ;\n".join(ops)


def store_form(lines: Sequence[str]) -> tuple[str, str, tuple[str, str]]:
    """One received graph (N-Triples lines) as the store keeps it: its triples with the
    evidence compact, the readings they use (graph/evidence.py), and its summary for the
    analysis (graph/summary.py)."""
    triples = [
        (str(t.subject), str(t.predicate), str(t.object))
        for t in ox.parse("\n".join(lines), format=ox.RdfFormat.N_TRIPLES)
    ]
    stored, readings = compact(triples)
    return (
        "".join(f"{s} {p} {o} .\n" for s, p, o in stored),
        "".join(f"{s} {p} {o} .\n" for s, p, o in readings),
        summarise(triples),
    )


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    record: ImportRecord
    skipped: Mapping[str, int]
    warnings: tuple[Violation, ...]
    notes: tuple[str, ...]  # e.g. another ontology version


def check_file(
    path: Path,
    *,
    agency: str,
    fmt: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
    lang: str = "en",
) -> tuple[ReceivedFile, Sorted, list[ImportProblem], list[Violation]]:
    """Every check that needs only the file: read, sort, ontology, shapes.

    Returns the file, how it sorts, its problems and its SHACL results (warnings too)."""
    received = read_received(path, fmt=fmt, max_bytes=max_bytes, max_triples=max_triples)
    guard = ontology_guard()
    sorted_file = sort_received(received, agency, guard)
    problems = list(sorted_file.problems)
    results = validate_sorted(sorted_file, lang=lang)
    problems += [
        ImportProblem.of("shape", detail=v.describe(lang))
        for v in results
        if v.severity == "Violation"
    ]
    return received, sorted_file, problems, results


def import_file(
    path: Path,
    store_dir: Path,
    *,
    agency: str,
    marking: Tlp | None = None,
    fmt: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_triples: int = DEFAULT_MAX_TRIPLES,
    lang: str = "en",
    clock: Callable[[], str] = utc_now,
    wait: float = 0.0,
) -> ImportResult:
    """Import one file received from ``agency`` into the store at ``store_dir``.

    Raises :class:`ImportReadError` (too large, unreadable, not RDF) or
    :class:`ImportRefused` (with every problem found); in both cases nothing was
    written. The file is checked before the store is opened, and the store is
    opened for writing only once every check has passed."""
    agency_iri(agency)  # a bad agency name is refused first
    received, sorted_file, problems, results = check_file(
        path, agency=agency, fmt=fmt, max_bytes=max_bytes, max_triples=max_triples, lang=lang
    )
    markings, marking_problems = check_marking(received, sorted_file, marking)
    problems += marking_problems
    if problems:
        raise ImportRefused(str(path), problems, lang)
    if (store_dir / "CURRENT").exists():
        # a first look without the lock, to refuse early; a store another import is creating
        # cannot be read yet (Oxigraph: "column family not found"): the check under the lock
        # below decides then
        try:
            with GraphStore.open(store_dir, read_only=True) as reader:
                problems = check_owners(sorted_file.graphs, reader, agency)
        except StoreError:
            problems = []
        if problems:
            raise ImportRefused(str(path), problems, lang)
    guard = ontology_guard()
    inferred = {g: inferred_ntriples(v, guard.rules) for g, v in sorted_file.graphs.items()}
    record = ImportRecord(
        id=import_id(agency, received.sha256),
        agency=agency.strip(),
        agency_iri=agency_iri(agency),
        file_name=received.name,
        file_sha256=received.sha256,
        imported=clock(),
        marking=max(markings.values(), default=marking or Tlp.RED),
        dataset=sorted_file.header.dataset,
        graphs=tuple(sorted_file.graphs),
        triples=sum(len(v) for v in sorted_file.graphs.values()),
    )
    with GraphStore.open(store_dir, create=True, wait=wait) as store:
        # checked again under the write lock: the store may have changed meanwhile
        problems = check_owners(sorted_file.graphs, store, agency)
        if problems:
            raise ImportRefused(str(path), problems, lang)
        store.ensure_pseudonym_key()
        has_ontology = ONTOLOGY_GRAPH in store.graphs()
        ontology = None if has_ontology else (guard.ontology_nt, guard.closure_nt)
        store.update(import_update(record, sorted_file.graphs, inferred, ontology=ontology))
        reconcile_imports(store)  # what the store already holds is kept once (graph/overlap.py)
        relink(store)  # incidents the import tells again are counted once (graph/links.py)
    log.info(
        "imported %s from %s: %d graph(s), %d triple(s)",
        received.name,
        agency,
        len(record.graphs),
        record.triples,
    )
    notes = []
    shipped = f"{ONTOLOGY_IRI}/{ONTOLOGY_VERSION}"
    version = sorted_file.header.conforms_to
    if version is not None and version != shipped:
        notes.append(f"the file conforms to {version}; this installation has {shipped}")
    return ImportResult(
        record,
        sorted_file.skipped,
        tuple(v for v in results if v.severity != "Violation"),
        tuple(notes),
    )


def remove_import(store: GraphStore, record_id: str) -> ImportRecord:
    """Drop an import: the graphs it holds, their inferred graphs and its record, in one
    transaction."""
    record = find_record(store, record_id)
    imp = import_iri(record.id)
    ops = []
    for graph in record.graphs:
        ops += [
            f"DROP SILENT GRAPH <{graph}>",
            f"DROP SILENT GRAPH <{imported_inferred_graph(graph)}>",
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}",
            f"DELETE WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{graph}> ?p ?o }} }}",
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{imported_inferred_graph(graph)}> ?p ?o }} }}",
        ]
    ops += [
        READINGS_GC,
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{imp}> ?p ?o }} }}",
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{imp}/file> ?p ?o }} }}",
        # the agency too, once nothing in the store is attributed to it any more
        f"DELETE {{ GRAPH <{META_GRAPH}> {{ <{record.agency_iri}> ?p ?o }} }} "
        f"WHERE {{ GRAPH <{META_GRAPH}> {{ <{record.agency_iri}> ?p ?o "
        f"FILTER NOT EXISTS {{ ?x <{PROV.wasAttributedTo}> <{record.agency_iri}> }} }} }}",
    ]
    store.update(" ;\n".join(ops))
    reconcile_imports(store)  # what another import deferred to this one comes back
    relink(store)
    return record
