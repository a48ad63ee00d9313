"""The description written beside an export: DCAT and VoID, in Turtle.

It says what the export is (the dataset IRI the export's own header uses),
who published it and under which licence, when, which ontology version it
conforms to, its TLP 2.0 marking, how big it is (triples, distinct subjects,
incidents, reports, organisations), the file (media type, size, SHA-256, so a
receiver can check it), the datasets it was derived from, and how many spans of
each kind of personal data were redacted — counted, never listed.

Pure and deterministic: the same export and the same ``issued`` time give the
same bytes (there are no blank nodes; every node is named under the dataset IRI).

Licence, unless one is given: CC BY 4.0 (compatible with the Japanese
government's standard terms of use, 政府標準利用規約 第2.0版) for ``TLP:CLEAR``; for any
other label the TLP definition itself is the term of use, since a restricted
export cannot carry an open licence.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, XSD

from incident_kg.ontology.namespaces import IKG, PREFIXES

from .marking import Tlp
from .records import agency_iri
from .serialize import FORMATS, ExportResult

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
TLP_TERMS = "https://www.first.org/tlp/"
_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Publication:
    """What the publisher says about an export, and the file it went to."""

    issued: str  # xsd:dateTime, from the caller's clock
    publisher: str | None = None  # a name, or an IRI
    license: str | None = None  # an IRI; None: :func:`default_license`
    file_name: str | None = None
    byte_size: int | None = None
    sha256: str | None = None


def default_license(marking: Tlp) -> str:
    """CC BY 4.0 for data anyone may see; the TLP terms for everything else."""
    return CC_BY_4 if marking is Tlp.CLEAR else TLP_TERMS


def description_graph(result: ExportResult, publication: Publication) -> Graph:
    """The DCAT/VoID description of an export as an rdflib graph."""
    g = Graph()
    for prefix, iri in {
        **PREFIXES,
        "void": str(VOID),
        "spdx": str(SPDX),
        "foaf": str(FOAF),
    }.items():
        g.bind(prefix, iri, override=True, replace=True)
    d = URIRef(result.dataset)
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, DCTERMS.title, Literal("incident-kg export", lang="en")))
    g.add((d, DCTERMS.title, Literal("事案ナレッジグラフの出力", lang="ja")))
    g.add((d, DCTERMS.issued, Literal(publication.issued, datatype=XSD.dateTime)))
    g.add((d, DCTERMS.conformsTo, URIRef(result.conforms_to)))
    g.add((d, IKG.sharingMarking, URIRef(result.marking.iri)))
    g.add((d, DCTERMS.license, URIRef(publication.license or default_license(result.marking))))
    if publication.publisher:
        agent = URIRef(agency_iri(publication.publisher))
        g.add((d, DCTERMS.publisher, agent))
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, RDF.type, PROV.Agent))
        if not publication.publisher.startswith(("http://", "https://")):
            g.add((agent, FOAF.name, Literal(publication.publisher)))
    g.add((d, VOID.triples, Literal(result.triples, datatype=XSD.integer)))
    g.add((d, VOID.distinctSubjects, Literal(result.subjects, datatype=XSD.integer)))
    for cls, count in sorted(result.classes.items()):
        part = URIRef(f"{d}/class/{cls.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}")
        g.add((d, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    for source in result.sources:
        g.add((d, PROV.wasDerivedFrom, URIRef(source)))
    g.add((d, IKG.redactionApplied, Literal(result.redacted)))
    for kind, count in sorted(result.redactions.items()):
        node = URIRef(f"{d}/redacted/{kind}")
        g.add((d, IKG.redactions, node))
        g.add((node, RDF.type, IKG.RedactionCount))
        g.add((node, IKG.redactedKind, Literal(kind)))
        g.add((node, IKG.redactedCount, Literal(count, datatype=XSD.integer)))
    dist = URIRef(f"{d}/distribution/{result.fmt}")
    g.add((d, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.mediaType, URIRef(_MEDIA_TYPES + FORMATS[result.fmt][2])))
    if publication.file_name:
        g.add((dist, DCTERMS.title, Literal(publication.file_name)))
    if publication.byte_size is not None:
        g.add((dist, DCAT.byteSize, Literal(publication.byte_size, datatype=XSD.integer)))
    if publication.sha256:
        checksum = URIRef(f"{dist}/checksum")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(publication.sha256, datatype=XSD.hexBinary)))
    return g


def describe(result: ExportResult, publication: Publication) -> bytes:
    """The description as Turtle bytes."""
    return description_graph(result, publication).serialize(format="turtle", encoding="utf-8")
