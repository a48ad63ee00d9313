"""Import records: who sent which graph, in which file, when, under which marking.

Kept in the store's metadata graph (``META_GRAPH``: never exported, never pushed),
in PROV-O::

    <import/ID> a ikg:Import ;                       # a prov:Activity
        prov:used <import/ID/file> ;
        prov:startedAtTime "…"^^xsd:dateTime ;
        ikg:sharingMarking code:tlp-amber .
    <import/ID/file> a prov:Entity ;
        ikg:fileName "kg.ttl" ; ikg:fileSha256 "…" ;
        prov:wasAttributedTo <agency/NAME> ;
        dcterms:identifier "…" .                     # the file's own dataset IRI, if it has one
    <agency/NAME> a prov:Agent ; rdfs:label "NAME" .
    <GRAPH> prov:wasGeneratedBy <import/ID> ;        # every graph the import wrote
        prov:wasAttributedTo <agency/NAME> ;
        ikg:sharingMarking code:tlp-amber ; void:triples 1234 .

An import's ID is made from the agency and the file's bytes, so importing the
same file again from the same agency replaces its record rather than adding one.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import quote

from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from incident_kg.errors import IncidentKGError
from incident_kg.graph.store import META_GRAPH, GraphStore
from incident_kg.ontology.namespaces import IKG

from .marking import Tlp

IMPORT_BASE = "https://w3id.org/incident-kg/import/"
AGENCY_BASE = "https://w3id.org/incident-kg/agency/"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


class ImportRecordError(IncidentKGError):
    """An agency name that cannot be used, or an import that is not in the store."""


@dataclass(frozen=True)
class ImportRecord:
    """One import, as the store remembers it."""

    id: str
    agency: str  # the name given with --from
    agency_iri: str
    file_name: str
    file_sha256: str
    imported: str  # xsd:dateTime
    marking: Tlp
    dataset: str | None  # the IRI the file's own description gave it
    graphs: tuple[str, ...]  # the graphs it holds now
    triples: int

    def to_json(self) -> dict[str, object]:
        """The record for programs (``incident-kg imports --format json``)."""
        return {
            "id": self.id,
            "agency": self.agency,
            "file": self.file_name,
            "sha256": self.file_sha256,
            "imported": self.imported,
            "marking": self.marking.label,
            "dataset": self.dataset,
            "graphs": list(self.graphs),
            "triples": self.triples,
        }


def agency_iri(agency: str) -> str:
    """The IRI of an agency named with ``--from``: itself when it is an http(s) IRI."""
    name = agency.strip()
    if not name or len(name) > 200 or any(ord(c) < 32 for c in name):
        raise ImportRecordError(f"--from {agency!r}: give the sending agency's name or IRI")
    if _IRI.match(name):
        return name
    if "://" in name:
        raise ImportRecordError(f"--from {agency!r}: not a usable IRI")
    return AGENCY_BASE + quote(name, safe="")


def import_id(agency: str, file_sha256: str) -> str:
    """The ID of importing these bytes from this agency (12 hexadecimal digits)."""
    return hashlib.sha256(f"{agency_iri(agency)}\n{file_sha256}".encode()).hexdigest()[:12]


def import_iri(record_id: str) -> str:
    """The IRI of an import activity."""
    return IMPORT_BASE + record_id


def default_graph_name(agency: str, file_name: str) -> str:
    """Where the triples of a file without named graphs (Turtle, N-Triples, JSON-LD) go:
    one graph per agency and file name, so a newer file of the same name replaces it."""
    return (
        "https://w3id.org/incident-kg/graph/import/"
        f"{quote(agency.strip(), safe='')}/{quote(file_name, safe='')}"
    )


def _lit(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def record_ntriples(record: ImportRecord, triples_by_graph: dict[str, int]) -> str:
    """The N-Triples of one record, to write into the metadata graph."""
    imp = f"<{import_iri(record.id)}>"
    file = f"<{import_iri(record.id)}/file>"
    agency = f"<{record.agency_iri}>"
    marking = f"<{record.marking.iri}>"
    lines = [
        f"{imp} <{RDF.type}> <{IKG.Import}> .",
        f"{imp} <{PROV.used}> {file} .",
        f"{imp} <{PROV.startedAtTime}> {_lit(record.imported)}^^<{XSD.dateTime}> .",
        f"{imp} <{IKG.sharingMarking}> {marking} .",
        f"{file} <{RDF.type}> <{PROV.Entity}> .",
        f"{file} <{IKG.fileName}> {_lit(record.file_name)} .",
        f"{file} <{IKG.fileSha256}> {_lit(record.file_sha256)} .",
        f"{file} <{PROV.wasAttributedTo}> {agency} .",
        f"{agency} <{RDF.type}> <{PROV.Agent}> .",
        f"{agency} <{RDFS.label}> {_lit(record.agency)} .",
    ]
    if record.dataset:
        lines.append(f"{file} <{DCTERMS.identifier}> {_lit(record.dataset)} .")
    for graph, count in sorted(triples_by_graph.items()):
        g = f"<{graph}>"
        lines += [
            f"{g} <{PROV.wasGeneratedBy}> {imp} .",
            f"{g} <{PROV.wasAttributedTo}> {agency} .",
            f"{g} <{IKG.sharingMarking}> {marking} .",
            f'{g} <{VOID_TRIPLES}> "{count}"^^<{XSD.integer}> .',
        ]
    return "\n".join(lines)


_RECORDS = f"""
PREFIX prov: <{PROV}>
PREFIX ikg: <{IKG}>
PREFIX rdfs: <{RDFS}>
PREFIX dcterms: <{DCTERMS}>
SELECT ?imp ?time ?marking ?name ?sha ?agency ?label ?dataset WHERE {{
  GRAPH <{META_GRAPH}> {{
    ?imp a ikg:Import ; prov:used ?file ; prov:startedAtTime ?time ; ikg:sharingMarking ?marking .
    ?file ikg:fileName ?name ; ikg:fileSha256 ?sha ; prov:wasAttributedTo ?agency .
    ?agency rdfs:label ?label .
    OPTIONAL {{ ?file dcterms:identifier ?dataset }}
  }}
}}"""

_GRAPHS = f"""
PREFIX prov: <{PROV}>
PREFIX ikg: <{IKG}>
SELECT ?g ?imp ?marking ?triples WHERE {{
  GRAPH <{META_GRAPH}> {{
    ?g prov:wasGeneratedBy ?imp ; ikg:sharingMarking ?marking .
    ?imp a ikg:Import .
    OPTIONAL {{ ?g <{VOID_TRIPLES}> ?triples }}
  }}
}}"""


def _v(term: object) -> str:
    return str(getattr(term, "value", term))


@dataclass(frozen=True)
class ImportedGraph:
    """A graph an import wrote: which import, which marking, how many triples."""

    name: str
    import_id: str
    marking: Tlp
    triples: int


def imported_graphs(store: GraphStore) -> dict[str, ImportedGraph]:
    """Every graph that came from an import, by name."""
    out: dict[str, ImportedGraph] = {}
    for row in store.query(_GRAPHS):  # type: ignore[attr-defined]
        name = _v(row["g"])
        triples = row["triples"]
        out[name] = ImportedGraph(
            name,
            _v(row["imp"]).removeprefix(IMPORT_BASE),
            Tlp.from_iri(_v(row["marking"])),
            int(_v(triples)) if triples is not None else 0,
        )
    return dict(sorted(out.items()))


def read_records(store: GraphStore) -> list[ImportRecord]:
    """Every import the store remembers, oldest first."""
    graphs: dict[str, list[ImportedGraph]] = defaultdict(list)
    for graph in imported_graphs(store).values():
        graphs[graph.import_id].append(graph)
    records = []
    for row in store.query(_RECORDS):  # type: ignore[attr-defined]
        record_id = _v(row["imp"]).removeprefix(IMPORT_BASE)
        owned = graphs.get(record_id, [])
        dataset = row["dataset"]
        records.append(
            ImportRecord(
                id=record_id,
                agency=_v(row["label"]),
                agency_iri=_v(row["agency"]),
                file_name=_v(row["name"]),
                file_sha256=_v(row["sha"]),
                imported=_v(row["time"]),
                marking=Tlp.from_iri(_v(row["marking"])),
                dataset=_v(dataset) if dataset is not None else None,
                graphs=tuple(sorted(g.name for g in owned)),
                triples=sum(g.triples for g in owned),
            )
        )
    return sorted(records, key=lambda r: (r.imported, r.id))


def find_record(store: GraphStore, record_id: str) -> ImportRecord:
    """The import with this ID (or an unambiguous start of it)."""
    found = [r for r in read_records(store) if r.id.startswith(record_id.strip())]
    if len(found) != 1 or not record_id.strip():
        known = ", ".join(r.id for r in read_records(store)) or "none"
        raise ImportRecordError(
            f"no single import with ID {record_id!r} in {store.path} (imports: {known})"
        )
    return found[0]
