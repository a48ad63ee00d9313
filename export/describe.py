"""The description written beside an export: DCAT (valid DCAT-AP 3) and VoID, in Turtle.

One dcat:Dataset — the exported data, named by a digest of its triples, so every format of
the same data is the same dataset — and one dcat:Distribution per file, named after the
file's whole name: ``kg.ttl`` and ``kg.jsonld`` are described in ``kg.ttl.description.ttl``
and ``kg.jsonld.description.ttl``, two distributions of one dataset (a catalogue that reads
both gets both).  It says who published the data (a foaf:Agent with its foaf:name; a local
government by its shared code IRI), which ontology version it conforms to, its TLP 2.0
marking (under dct:accessRights, and ikg:sharingMarking), how big it is (void:triples — the
distinct triples, the same for every format — distinct subjects, incidents, reports,
organisations), the datasets it was derived from and how many spans of each kind of
personal data were redacted (counted, never listed); and of the file: when it was issued,
where it is (dcat:accessURL / downloadURL, relative to the description), its media type,
licence, size (xsd:nonNegativeInteger) and SHA-256.

Pure and deterministic: the same export and the same ``issued`` time give the same bytes
(there are no blank nodes; every node is named under the dataset IRI).

Licence (dct:license, on the distribution): the one given (``--license IRI``), else CC BY
4.0 for ``TLP:CLEAR`` (compatible with the Japanese government's standard terms of use,
政府標準利用規約 第2.0版); under any other label none is assumed — who may see the data is
what its TLP label, under dct:accessRights, says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from incident_kg.errors import IncidentKGError
from incident_kg.ontology.local_governments import shared_iri
from incident_kg.ontology.namespaces import IKG, PREFIXES

from .marking import Tlp
from .records import agency_iri
from .serialize import FORMATS, ExportResult

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
TLP_TERMS = "https://www.first.org/tlp/"
_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
DESCRIPTION_SUFFIX = ".description.ttl"
#: Stands for "where the description is" while the graph is made; written as relative IRIs.
_HERE = "file:///incident-kg/description-base/"


@dataclass(frozen=True)
class Publication:
    """What the publisher says about an export, and the file it went to."""

    issued: str  # xsd:dateTime, from the caller's clock
    publisher: str | None = None  # a name, or an IRI
    license: str | None = None  # an IRI; None: :func:`default_license`
    file_name: str | None = None
    byte_size: int | None = None
    sha256: str | None = None
    #: Where the file is, relative to the description (``kg.ttl`` beside it) or absolute.
    download_url: str | None = None


class DescriptionError(IncidentKGError):
    """A description that cannot be written as asked (a licence that is not an IRI)."""


def check_license(iri: str) -> None:
    """Refuse a licence that is not an http(s) IRI (a name, a file path)."""
    if not iri.startswith(("http://", "https://")) or any(c in iri for c in ' <>"{}|\\^`'):
        raise DescriptionError(f"--license {iri!r}: give the licence's http(s) IRI")


def default_license(marking: Tlp) -> str | None:
    """CC BY 4.0 for data anyone may see; for data under any other label no licence is
    assumed (the TLP label, under ``dct:accessRights``, says who may see it): give one."""
    return CC_BY_4 if marking is Tlp.CLEAR else None


def description_path(output: Path) -> Path:
    """Where the description of ``output`` goes: beside it, named after the whole file name
    (``kg.ttl`` → ``kg.ttl.description.ttl``), so each format keeps its own."""
    return output.with_name(output.name + DESCRIPTION_SUFFIX)


def distribution_iri(dataset: str, publication: Publication, fmt: str) -> URIRef:
    """A distribution is named after its file's whole name (or its format, for a file with
    no name): ``kg.ttl`` and ``kg.jsonld`` are two distributions of one dataset."""
    return URIRef(f"{dataset}/distribution/{quote(publication.file_name or fmt, safe='')}")


def publisher_iri(publisher: str) -> str:
    """The IRI of a publisher: a local government by its shared code IRI, another body under
    the agencies' namespace, an IRI as given."""
    if publisher.startswith(("http://", "https://")):
        return publisher
    return shared_iri(publisher.strip()) or agency_iri(publisher)


def _texts(result: ExportResult) -> tuple[str, str]:
    count = {str(c).rsplit("#", 1)[-1]: n for c, n in result.classes.items()}
    incidents, reports = count.get("Incident", 0), count.get("Report", 0)
    en = (
        f"{incidents} administrative incidents of Japan's My Number card system read from "
        f"{reports} published reports, with their harms, causes and countermeasures and the "
        f"sentence each fact was read from; marked {result.marking.label}"
        + (", personal data redacted." if result.redacted else ".")
    )
    ja = (
        f"マイナンバーカード関連の事務処理誤り {incidents} 件（公表資料 {reports} 件から抽出）。"
        f"被害・原因・再発防止策と、その根拠となった文。共有区分 {result.marking.label}"
        + ("、個人情報は秘匿済み。" if result.redacted else "。")
    )
    return en, ja


def description_graph(result: ExportResult, publication: Publication) -> Graph:
    """The DCAT/VoID description of an export as an rdflib graph (DCAT-AP 3 valid: the
    tests check it with the official shapes)."""
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
    en, ja = _texts(result)
    g.add((d, DCTERMS.description, Literal(en, lang="en")))
    g.add((d, DCTERMS.description, Literal(ja, lang="ja")))
    g.add((d, DCTERMS.conformsTo, URIRef(result.conforms_to)))
    g.add((URIRef(result.conforms_to), RDF.type, DCTERMS.Standard))
    marking = URIRef(result.marking.iri)
    g.add((d, IKG.sharingMarking, marking))
    g.add((d, DCTERMS.accessRights, marking))
    g.add((marking, RDF.type, DCTERMS.RightsStatement))
    g.add((marking, RDFS.label, Literal(result.marking.label)))
    g.add((marking, RDFS.seeAlso, URIRef(TLP_TERMS)))
    if publication.publisher:
        agent = URIRef(publisher_iri(publication.publisher))
        g.add((d, DCTERMS.publisher, agent))
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, RDF.type, PROV.Agent))
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
    _distribution(g, d, result, publication)
    return g


def _distribution(g: Graph, d: URIRef, result: ExportResult, publication: Publication) -> None:
    """The file: one dcat:Distribution of the dataset, with its own issue time, licence,
    media type, size and checksum."""
    dist = distribution_iri(str(d), publication, result.fmt)
    g.add((d, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.issued, Literal(publication.issued, datatype=XSD.dateTime)))
    media = URIRef(_MEDIA_TYPES + FORMATS[result.fmt][2])
    g.add((dist, DCAT.mediaType, media))
    g.add((media, RDF.type, DCTERMS.MediaType))
    licence = publication.license or default_license(result.marking)
    if licence is not None:
        check_license(licence)
        g.add((dist, DCTERMS.license, URIRef(licence)))
        g.add((URIRef(licence), RDF.type, DCTERMS.LicenseDocument))
    g.add((dist, DCTERMS.accessRights, URIRef(result.marking.iri)))
    url = publication.download_url or (
        quote(publication.file_name) if publication.file_name else None
    )
    if url is not None:
        where = URIRef(url if "://" in url else _HERE + url)
        g.add((dist, DCAT.accessURL, where))
        g.add((dist, DCAT.downloadURL, where))
    if publication.file_name:
        g.add((dist, DCTERMS.title, Literal(publication.file_name)))
    if publication.byte_size is not None:
        size = Literal(publication.byte_size, datatype=XSD.nonNegativeInteger)
        g.add((dist, DCAT.byteSize, size))
    if publication.sha256:
        checksum = URIRef(f"{dist}/checksum")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        g.add((checksum, SPDX.checksumValue, Literal(publication.sha256, datatype=XSD.hexBinary)))


def describe(result: ExportResult, publication: Publication) -> bytes:
    """The description as Turtle bytes.  The file it describes is named by a relative IRI
    (``<kg.ttl>``), which a reader resolves against where the description is: beside it."""
    text = description_graph(result, publication).serialize(
        format="turtle", base=_HERE, encoding="utf-8"
    )
    return b"".join(
        line for line in text.splitlines(keepends=True) if not line.startswith(b"@base")
    )
