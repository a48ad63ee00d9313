"""Records: the store's bookkeeping of each report (graph digest, dates, source), kept in
its metadata graph (graph/store.py), never exported."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from incident_kg.ontology.namespaces import IKG


@dataclass(frozen=True)
class RecordInfo:
    """Bookkeeping of one report in the store: which graph digest, created and changed when.

    Kept in the metadata graph, never exported, so exports stay byte-identical."""

    report: str  # report IRI
    digest: str  # sha256 of the report graph's sorted N-Triples
    created: str  # xsd:dateTime, first load
    modified: str  # xsd:dateTime, last load that changed the graph
    source_path: str | None = None  # absolute path of the file last built from
    source_digest: str | None = None  # sha256 of file + sidecar + pipeline (no change: skip)
    incidents: int | None = None  # incidents in the report's graph
    #: pipeline digest, size and modification time of the file (and sidecar) the source digest
    #: was computed from: the same again, the file is not read to be hashed again
    source_stat: str | None = None

    def ntriples(self) -> str:
        """The record as N-Triples (subject: the report IRI), literals escaped by Oxigraph."""
        r = f"<{self.report}>"
        dt_type = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
        values: list[tuple[str, ox.Literal]] = [
            (str(IKG.graphDigest), ox.Literal(self.digest)),
            (str(IKG.recordCreated), ox.Literal(self.created, datatype=dt_type)),
            (str(IKG.recordModified), ox.Literal(self.modified, datatype=dt_type)),
        ]
        if self.source_path is not None:
            values.append((str(IKG.sourcePath), ox.Literal(self.source_path)))
        if self.source_digest is not None:
            values.append((str(IKG.sourceDigest), ox.Literal(self.source_digest)))
        if self.source_stat is not None:
            values.append((str(IKG.sourceStat), ox.Literal(self.source_stat)))
        if self.incidents is not None:
            integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            values.append(
                (str(IKG.recordedIncidents), ox.Literal(str(self.incidents), datatype=integer))
            )
        return "".join(f"{r} <{p}> {v} .\n" for p, v in values)


@dataclass(frozen=True)
class SourceEntry:
    """What a report's record says of its source (see :meth:`GraphStore.source_index`)."""

    digest: str | None
    path: str | None
    incidents: int
    stat: str | None = None  # see RecordInfo.source_stat


def record_from(report_iri: str, values: dict[str, str]) -> RecordInfo | None:
    """A record from its predicate → value pairs; None when it is not a report's record."""
    try:
        incidents = values.get(str(IKG.recordedIncidents))
        return RecordInfo(
            report_iri,
            values[str(IKG.graphDigest)],
            values[str(IKG.recordCreated)],
            values[str(IKG.recordModified)],
            source_path=values.get(str(IKG.sourcePath)),
            source_digest=values.get(str(IKG.sourceDigest)),
            incidents=None if incidents is None else int(incidents),
            source_stat=values.get(str(IKG.sourceStat)),
        )
    except KeyError:
        return None
