"""Serialise the store deterministically: same store → byte-identical file.

Quads are read from the store, sorted as N-Quads lines, and handed to the format
writer in that order; no blank nodes are minted by the pipeline (and an import
names the blank nodes of a received file), so no random labels can appear.
Formats live in :data:`.formats.FORMATS`, a name → writer registry.

An export is built in steps, each a function of the one before:

1. **choose** the graphs: the report graphs (and imported ones), with or without
   the ontology, with or without the inferred graphs;
2. **filter** them down to the selected incidents (:mod:`.filters`);
3. **mark** them: the TLP 2.0 label chosen, never looser than a label the data
   was received under (:mod:`.marking`);
4. **redact** personal data in their texts when asked (:mod:`.redact`);
5. **write** them with a small header that carries the marking: the exported
   dataset (named by a digest of its content) ``ikg:sharingMarking`` the label and
   ``dcterms:conformsTo`` the ontology version; in TriG and N-Quads every named
   graph carries the marking too (in the default graph).

The header is all an export says about itself; who published it, when, under
which licence and how much was redacted goes into the description written
beside it (:mod:`.describe`), so that the data file of the same content is the
same bytes whoever exports it and whenever.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import BinaryIO

import pyoxigraph as ox
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS

from incident_kg.graph.evidence import expand
from incident_kg.graph.overlap import held_elsewhere
from incident_kg.graph.reason import ONTOLOGY_INFERRED, inferred_graph_for
from incident_kg.graph.store import (
    SHARED_INFERRED,
    GraphStore,
    SharedPart,
    imported_inferred_graph,
)
from incident_kg.ontology.namespaces import (
    IKG,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    ONTOLOGY_VERSION,
    ORG,
)
from incident_kg.privacy.pseudonyms import FILE_NAME, Pseudonymiser, store_pseudonymiser
from incident_kg.privacy.redact import RedactionRules, load_rules, redact, redact_quote

from .filters import Selection, check_selection, selected_incidents, subset
from .formats import DEFAULT_GRAPH, FORMATS, QUAD_FORMATS, Line, nquads_bytes, turtle_parts
from .marking import Tlp, resolve_marking
from .records import imported_graphs, read_records

log = logging.getLogger(__name__)

#: Where exported datasets are named (by a digest of their content).
EXPORT_BASE = "https://w3id.org/incident-kg/export/"
#: The label of an export that does not choose one (internal use, the organisation only).
DEFAULT_MARKING = Tlp.AMBER_STRICT


@dataclass(frozen=True)
class ExportOptions:
    """What to put in an export."""

    include_ontology: bool = True
    include_inferred: bool = False
    selection: Selection = field(default_factory=Selection)
    redact: bool = False
    #: None: :data:`DEFAULT_MARKING`, or the strictest label the data was received under.
    marking: Tlp | None = None


@dataclass(frozen=True)
class ExportResult:
    """An export and what its description says about it."""

    data: bytes
    fmt: str
    dataset: str  # the IRI the header gives the exported dataset
    marking: Tlp
    conforms_to: str  # the ontology version IRI
    redacted: bool
    redactions: Mapping[str, int]  # spans replaced, by kind (all kinds when redacted)
    graphs: tuple[str, ...]  # the graphs exported (before the union of triple formats)
    triples: int  # distinct data triples (the header not counted; the same in every format)
    subjects: int  # distinct subjects of those
    classes: Mapping[str, int]  # instances of the main classes, by class IRI
    sources: tuple[str, ...]  # datasets (or agencies) the exported imported data came from
    byte_size: int = 0  # of the file written
    sha256: str = ""  # of the file written (hex)


# -- 1. and 2. choose and filter -------------------------------------------------------

Quad = tuple[
    str, ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal
]


def _read(store: GraphStore, name: str, shared: str = "") -> list[Quad]:
    """The quads of one graph, with ``shared`` (N-Triples: what the graph's report says of
    resources other reports share, kept once in the store's shared graph) put back in it:
    a report graph is exported whole, as the report states it."""
    quads: list[Quad] = [
        (name, t.subject, t.predicate, t.object)  # type: ignore[misc]
        for t in ox.parse(store.graph_ntriples([name]), format=ox.RdfFormat.N_TRIPLES)
    ]  # the evidence in full form (graph/evidence.py)
    if shared:  # what another graph holds may be compact evidence too (graph/overlap.py)
        held = [
            (str(t.subject), str(t.predicate), str(t.object))
            for t in ox.parse(shared, format=ox.RdfFormat.N_TRIPLES)
        ]
        text = "".join(f"{s} {p} {o} .\n" for s, p, o in expand(held, store.readings()))
        quads += [
            (name, t.subject, t.predicate, t.object)  # type: ignore[misc]
            for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
        ]
    return quads


def _triple(q: Quad) -> tuple[str, str, str]:
    return (str(q[1]), str(q[2]), str(q[3]))


def _inferred_of(graph: str, imported: Collection[str]) -> str:
    return imported_inferred_graph(graph) if graph in imported else inferred_graph_for(graph)


Reader = Callable[[], list[Quad]]


def _plan(
    store: GraphStore, options: ExportOptions, imported: Collection[str]
) -> tuple[dict[str, Reader], list[str]]:
    """What to export, graph by graph: each graph's name → a function that reads its quads
    (before marking and redaction), and the data graphs among them; ``imported`` names the
    graphs an import wrote.  Nothing is read until a reader is called, so an export can
    hold one graph at a time."""
    data_graphs = store.report_graphs()
    parts: dict[str, Reader] = {ONTOLOGY_GRAPH: lambda: _read(store, ONTOLOGY_GRAPH)}
    if not options.include_ontology:
        parts = {}
    elif options.include_inferred:
        parts[ONTOLOGY_INFERRED] = lambda: _read(store, ONTOLOGY_INFERRED)
    shared = store.shared_parts()
    inferred_shared = {
        inferred_graph_for(g): part.inferred for g, part in shared.items() if g not in imported
    }
    # an imported graph's triples that another graph holds are stored once (graph/overlap.py)
    for name, text in held_elsewhere(store).items():
        if name in imported:
            old = shared.get(name, SharedPart())
            shared[name] = SharedPart(old.asserted + text, old.inferred)
        else:
            inferred_shared[name] = inferred_shared.get(name, "") + text

    def reader(name: str, extra: str) -> Reader:
        return lambda: _read(store, name, extra)

    if not options.selection.active:
        for name in data_graphs:
            parts[name] = reader(name, shared.get(name, SharedPart()).asserted)
        if options.include_inferred:
            names = set(store.inferred_graphs()) - {ONTOLOGY_INFERRED, SHARED_INFERRED}
            for name in sorted(names):
                parts[name] = reader(name, inferred_shared.get(name, ""))
        return parts, data_graphs
    from incident_kg.queries.library import known_codes

    codes = known_codes()
    check_selection(options.selection, codes["causes"] | codes["cause-tiers"])
    chosen = selected_incidents(store, options.selection, data_graphs)
    kept_graphs = sorted(chosen)

    def kept(name: str) -> list[Quad]:
        graph_quads = _read(store, name, shared.get(name, SharedPart()).asserted)
        keep = subset({_triple(q) for q in graph_quads}, chosen[name])
        return [q for q in graph_quads if _triple(q) in keep]

    def kept_inferred(name: str) -> list[Quad]:
        nodes = {t for q in kept(name) for t in (str(q[1]), str(q[3]))}
        inferred = _inferred_of(name, imported)
        return [
            q
            for q in _read(store, inferred, inferred_shared.get(inferred, ""))
            if str(q[1]) in nodes
        ]

    for name in kept_graphs:
        parts[name] = lambda n=name: kept(n)  # type: ignore[misc]
        if options.include_inferred:
            parts[_inferred_of(name, imported)] = lambda n=name: kept_inferred(n)  # type: ignore[misc]
    return parts, kept_graphs


def _choose(
    store: GraphStore, options: ExportOptions, imported: Collection[str]
) -> tuple[list[Quad], list[str]]:
    """The quads to export (before marking and redaction), all in memory, and the data
    graphs among them (:func:`_plan`)."""
    parts, data_graphs = _plan(store, options, imported)
    return [q for read in parts.values() for q in read()], data_graphs


# -- 4. redact -------------------------------------------------------------------------

_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _is_text(term: object) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in (_STRING, _LANG_STRING)


def _with_value(literal: ox.Literal, value: str) -> ox.Literal:
    if literal.language:
        return ox.Literal(value, language=literal.language)
    return ox.Literal(value)


def _bodies(quads: Sequence[Quad]) -> set[str]:
    """The names of the organisations the data holds: never a person's name."""
    orgs = {
        str(q[1])
        for q in quads
        if q[2].value == str(RDF.type) and q[3] == ox.NamedNode(str(ORG.Organization))
    }
    return {q[3].value for q in quads if str(q[1]) in orgs and _is_text(q[3])}  # type: ignore[union-attr]


def redact_quads(
    quads: Sequence[Quad],
    rules: RedactionRules,
    bodies: set[str] | None = None,
    pseudonyms: Pseudonymiser | None = None,
) -> tuple[list[Quad], Counter[str]]:
    """Every text of the quads redacted (the ontology's are left alone by the caller), and
    with ``pseudonyms`` every IRI and report identifier too (:func:`pseudonymise_quads`).

    ``bodies`` are the organisations' names never taken for a person's (by default those
    the quads hold).  A quote and its context (``oa:prefix``, ``oa:exact``, ``oa:suffix``
    of one selector) are redacted together (:func:`.redact.redact_quote`)."""
    if pseudonyms is not None:
        redacted, found = redact_quads(quads, rules, bodies)
        renamed, more = pseudonymise_quads(redacted, pseudonyms)
        return renamed, found + more
    rules = rules.with_bodies(_bodies(quads) if bodies is None else bodies)
    cut = rules.truncation
    quote_parts = {cut.prefix_property: 0, cut.exact_property: 1, cut.suffix_property: 2}
    quotes: dict[tuple[str, str], list[str]] = {}
    for graph, s, p, o in quads:
        if p.value in quote_parts and _is_text(o):
            parts = quotes.setdefault((graph, str(s)), ["", "", ""])
            parts[quote_parts[p.value]] = o.value  # type: ignore[union-attr]
    counts: Counter[str] = Counter()
    redacted_quotes: dict[tuple[str, str], tuple[str, str, str]] = {}
    for key, (prefix, exact, suffix) in quotes.items():
        redacted_quotes[key], found = redact_quote(prefix, exact, suffix, rules)
        counts += found
    out: list[Quad] = []
    for graph, s, p, o in quads:
        if not _is_text(o) or p.value in rules.keep_properties:
            out.append((graph, s, p, o))
            continue
        assert isinstance(o, ox.Literal)
        if p.value in quote_parts:
            value = redacted_quotes[(graph, str(s))][quote_parts[p.value]]
        else:
            value, found = redact(o.value, rules)
            counts += found
        out.append((graph, s, p, o if value == o.value else _with_value(o, value)))
    return out, counts


_SOURCE_FILE = str(IKG.sourceFile)
_IDENTIFIER = str(DCTERMS.identifier)
_LABEL = str(RDFS.label)


def pseudonymise_quads(
    quads: Sequence[Quad], pseudonyms: Pseudonymiser
) -> tuple[list[Quad], Counter[str]]:
    """The quads with every IRI (graph names too) through ``pseudonyms``, each report's
    identifier replaced by its pseudonym, its file name and each curator's name by their
    placeholders (counted as ``file-name`` and ``person-name``)."""
    placeholders = pseudonyms.rules.placeholders
    counts: Counter[str] = Counter()
    renamed: dict[str, ox.NamedNode] = {}

    def node(term: ox.NamedNode) -> ox.NamedNode:
        found = renamed.get(term.value)
        if found is None:
            new = pseudonyms.iri(term.value)
            found = renamed[term.value] = term if new == term.value else ox.NamedNode(new)
        return found

    out: list[Quad] = []
    for graph, s, p, o in quads:
        obj: ox.NamedNode | ox.BlankNode | ox.Literal = o
        if isinstance(o, ox.NamedNode):
            obj = node(o)
        elif isinstance(o, ox.Literal) and _is_text(o):
            if p.value == _SOURCE_FILE:
                obj = ox.Literal(placeholders[FILE_NAME])
                counts[FILE_NAME] += 1
            elif p.value == _IDENTIFIER and o.value in pseudonyms.report_ids:
                obj = ox.Literal(pseudonyms.identifier(o.value))
            elif p.value == _LABEL and pseudonyms.is_curator(str(s.value)):
                obj = _with_value(o, placeholders["person-name"])
                counts["person-name"] += o.value != placeholders["person-name"]
        subject = node(s) if isinstance(s, ox.NamedNode) else s
        out.append((pseudonyms.iri(graph) if graph else graph, subject, p, obj))
    return out, counts


# -- 5. write --------------------------------------------------------------------------


def _conforms_to(store: GraphStore) -> str:
    """The version IRI of the ontology in the store (the data was built against it)."""
    for quad in store.quads([ONTOLOGY_GRAPH]):
        if quad.subject == ox.NamedNode(ONTOLOGY_IRI) and quad.predicate == ox.NamedNode(
            str(OWL.versionIRI)
        ):
            return str(quad.object.value)
    return f"{ONTOLOGY_IRI}/{ONTOLOGY_VERSION}"


class DistinctTriples:
    """The distinct triples of an export, counted and digested whatever graphs hold them:
    every format of the same data gets the same dataset IRI and the same ``void:triples``
    (a triple several graphs hold is one triple of the dataset).  Keeps a 16-byte digest
    per triple, not the triple."""

    def __init__(self) -> None:
        self._seen: set[bytes] = set()

    def add(self, line: str) -> None:
        self._seen.add(hashlib.blake2b(line.encode("utf-8"), digest_size=16).digest())

    def __len__(self) -> int:
        return len(self._seen)

    @property
    def dataset(self) -> str:
        """The exported dataset's IRI: a digest of its triples, so the same content always
        gets the same name (whatever the store, the graphs or the format)."""
        digest = hashlib.sha256(b"".join(sorted(self._seen))).hexdigest()[:32]
        return EXPORT_BASE + digest


def dataset_iri(lines: Iterable[Line]) -> str:
    """The exported dataset's IRI (:class:`DistinctTriples`)."""
    triples = DistinctTriples()
    for _, line in lines:
        triples.add(line)
    return triples.dataset


def header_lines(
    dataset: str, marking: Tlp, conforms_to: str, graphs: Iterable[str], fmt: str
) -> list[Line]:
    """The triples an export says about itself: its marking and the ontology version,
    and in the formats with named graphs the marking of every graph."""
    d = f"<{dataset}>"
    m = f"<{marking.iri}>"
    where = DEFAULT_GRAPH
    lines = [
        (where, f"{d} <{RDF.type}> <{DCAT.Dataset}> ."),
        (where, f"{d} <{IKG.sharingMarking}> {m} ."),
        (where, f"{d} <{DCTERMS.conformsTo}> <{conforms_to}> ."),
    ]
    if fmt in QUAD_FORMATS:
        lines += [(where, f"<{g}> <{IKG.sharingMarking}> {m} .") for g in sorted(set(graphs))]
    return lines


_CLASSES = (IKG.Incident, IKG.Report, ORG.Organization, IKG.Statistic)


def export_dataset(
    store: GraphStore,
    fmt: str,
    options: ExportOptions | None = None,
    *,
    rules: RedactionRules | None = None,
    out: BinaryIO | None = None,
) -> ExportResult:
    """The store (or the part the options select) serialised in one of :data:`FORMATS`,
    marked, redacted when asked, with the figures its description needs.

    With ``out`` the file is written there and the result's ``data`` is empty.  The formats
    that keep named graphs (N-Quads, TriG) are written graph by graph (:func:`_export_by_graph`:
    memory holds one graph, not the store); the others hold the whole export in memory."""
    options = options or ExportOptions()
    if fmt in QUAD_FORMATS:
        target = out if out is not None else io.BytesIO()
        result = _export_by_graph(store, fmt, options, rules, target)
        if out is None:
            assert isinstance(target, io.BytesIO)
            result = replace(result, data=target.getvalue())
        return result
    result = _export_in_memory(store, fmt, options, rules=rules)
    if out is not None:
        out.write(result.data)
        result = replace(result, data=b"")
    return result


class _HashingWriter:
    """Writes to a binary file, counting the bytes and hashing them on the way."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.size = 0
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.size += len(data)
        self.digest.update(data)


def _organisation_names(parts: Mapping[str, Reader], schema: Collection[str]) -> set[str]:
    """The names of the organisations the data graphs hold (:func:`_bodies` over all of them),
    read graph by graph: the organisations first, then their texts."""
    org_type = ox.NamedNode(str(ORG.Organization))
    rdf_type = str(RDF.type)
    orgs: set[str] = set()
    for name, read in parts.items():
        if name not in schema:
            orgs.update(str(q[1]) for q in read() if q[2].value == rdf_type and q[3] == org_type)
    names: set[str] = set()
    for name, read in parts.items():
        if name not in schema:
            names.update(q[3].value for q in read() if str(q[1]) in orgs and _is_text(q[3]))  # type: ignore[union-attr]
    return names


def _export_by_graph(
    store: GraphStore,
    fmt: str,
    options: ExportOptions,
    rules: RedactionRules | None,
    out: BinaryIO,
) -> ExportResult:
    """N-Quads or TriG, one graph at a time, in the bytes :func:`_export_in_memory` writes.

    The graphs are visited in name order, each sorted on its own (a graph's lines never mix
    with another's in these formats); the body goes to a temporary file while the digest that
    names the dataset is computed, then the header (which carries that name) and the body are
    written to ``out``.  Distinct subjects are counted by a 64-bit digest of each."""
    imported = imported_graphs(store)
    parts, data_graphs = _plan(store, options, imported)
    received = {g: imported[g].marking for g in data_graphs if g in imported}
    marking = resolve_marking(options.marking, received, DEFAULT_MARKING)
    schema = {ONTOLOGY_GRAPH, ONTOLOGY_INFERRED}
    bodies: set[str] | None = None
    pseudonyms: Pseudonymiser | None = None
    if options.redact:
        rules = rules or load_rules()
        bodies = _organisation_names(parts, schema)
        pseudonyms = store_pseudonymiser(store, rules)

    def shown(name: str) -> str:  # the name a graph leaves under
        return pseudonyms.iri(name) if pseudonyms is not None else name

    counts: Counter[str] = Counter()
    distinct = DistinctTriples()
    graphs: list[str] = []
    subjects: set[int] = set()
    class_lines: set[str] = set()
    class_suffixes = tuple(f" <{RDF.type}> <{c}> ." for c in _CLASSES)
    prefixes: set[str] = set()
    with tempfile.TemporaryFile() as body:
        for stored in sorted(parts, key=shown):
            quads = parts[stored]()
            name = shown(stored)
            if options.redact and stored not in schema:
                assert rules is not None
                quads, found = redact_quads(quads, rules, bodies, pseudonyms)
                counts += found
            lines = sorted({f"{s} {p} {o} ." for _, s, p, o in quads})
            if not lines:
                continue
            graphs.append(name)
            for line in lines:
                distinct.add(line)
                subject = line.split(" ", 1)[0]
                subjects.add(
                    int.from_bytes(hashlib.blake2b(subject.encode(), digest_size=8).digest())
                )
                if line.endswith(class_suffixes):
                    class_lines.add(line)
            if fmt == "nquads":
                body.write(nquads_bytes([(name, line) for line in lines]))
            else:
                head, text = turtle_parts(lines)
                prefixes.update(head)
                body.write(f"\n<{name}> {{\n{text}\n}}\n".encode())
        dataset = distinct.dataset
        conforms_to = _conforms_to(store)
        header = sorted(header_lines(dataset, marking, conforms_to, graphs, fmt))
        writer = _HashingWriter(out)
        if fmt == "nquads":
            writer.write(nquads_bytes(header))
        else:
            head, text = turtle_parts(line for _, line in header)
            prefixes.update(head)
            writer.write(("\n".join(sorted(prefixes)) + "\n\n" + f"{{\n{text}\n}}\n").encode())
        body.seek(0)
        while chunk := body.read(1 << 20):
            writer.write(chunk)
    sources = _sources(store, graphs)
    kinds = rules.kinds if options.redact and rules is not None else ()
    return ExportResult(
        data=b"",
        fmt=fmt,
        dataset=dataset,
        marking=marking,
        conforms_to=conforms_to,
        redacted=options.redact,
        redactions={k: counts.get(k, 0) for k in kinds},
        graphs=tuple(graphs),
        triples=len(distinct),
        subjects=len(subjects),
        classes=_class_counts(class_lines),
        sources=sources,
        byte_size=writer.size,
        sha256=writer.digest.hexdigest(),
    )


def _sources(store: GraphStore, graphs: Iterable[str]) -> tuple[str, ...]:
    """The datasets or agencies the exported graphs were imported from, sorted."""
    chosen = set(graphs)
    return tuple(
        sorted({r.dataset or r.agency_iri for r in read_records(store) if set(r.graphs) & chosen})
    )


def _class_counts(lines: Iterable[str]) -> dict[str, int]:
    """How many N-Triples lines type a subject with each of the counted classes."""
    lines = list(lines)
    return {
        str(c): sum(1 for line in lines if line.endswith(f" <{RDF.type}> <{c}> ."))
        for c in _CLASSES
    }


def _export_in_memory(
    store: GraphStore,
    fmt: str,
    options: ExportOptions | None = None,
    *,
    rules: RedactionRules | None = None,
) -> ExportResult:
    """:func:`export_dataset` with every quad in memory at once: the formats that write the
    union of the graphs (each triple once, sorted) need the whole of it."""
    options = options or ExportOptions()
    writer = FORMATS[fmt][0]
    imported = imported_graphs(store)
    quads, data_graphs = _choose(store, options, imported)
    received = {g: imported[g].marking for g in data_graphs if g in imported}
    marking = resolve_marking(options.marking, received, DEFAULT_MARKING)
    counts: Counter[str] = Counter()
    if options.redact:
        rules = rules or load_rules()
        schema = {ONTOLOGY_GRAPH, ONTOLOGY_INFERRED}
        data = [q for q in quads if q[0] not in schema]
        redacted, counts = redact_quads(data, rules, None, store_pseudonymiser(store, rules))
        quads = [q for q in quads if q[0] in schema] + redacted
    lines = sorted({(g, f"{s} {p} {o} .") for g, s, p, o in quads})
    dataset = dataset_iri(lines)
    conforms_to = _conforms_to(store)
    graphs = tuple(sorted({g for g, _ in lines}))
    header = header_lines(dataset, marking, conforms_to, graphs, fmt)
    triples = {line for _, line in lines}
    subjects = {line.split(" ", 1)[0] for line in triples}
    classes = _class_counts(triples)
    sources = _sources(store, graphs)
    kinds = rules.kinds if options.redact and rules is not None else ()
    payload = writer(sorted(set(header) | set(lines)))
    return ExportResult(
        data=payload,
        fmt=fmt,
        dataset=dataset,
        marking=marking,
        conforms_to=conforms_to,
        redacted=options.redact,
        redactions={k: counts.get(k, 0) for k in kinds},
        graphs=graphs,
        triples=len(triples),
        subjects=len(subjects),
        classes=classes,
        sources=sources,
        byte_size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
    )


def export_bytes(store: GraphStore, fmt: str, options: ExportOptions | None = None) -> bytes:
    """The store serialised in one of :data:`FORMATS`."""
    return export_dataset(store, fmt, options).data


__all__ = [
    "DEFAULT_MARKING",
    "FORMATS",
    "QUAD_FORMATS",
    "ExportOptions",
    "ExportResult",
    "export_bytes",
    "export_dataset",
    "redact_quads",
]
