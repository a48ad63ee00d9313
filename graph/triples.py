"""Triples: a :class:`~.model.Report` → an RDF graph (one named graph per report).

Pure: no store, no files.  Every IRI is minted from the base IRI, the report id
and the content of the fact, never from a counter shared between runs or a
random blank node, so the same report gives the same IRIs on every run.

Each coded fact is stated twice: as a plain triple on the incident
(``<incident> ikg:hasCause code:LogoutOmission``) for easy querying, and as a Web
Annotation whose target is the exact span of the report's normalised text it
was read from (``oa:TextQuoteSelector`` + ``oa:TextPositionSelector``), with the
lexicon rule that fired, a confidence and the mechanism (``ikg:extractionMechanism``:
a lexicon rule, similarity to exemplar sentences, or an analyst's curation).  The target is minted from the span
(``…/text/<start>-<end>``), so the facts read from one sentence share it: a third
fewer triples than a target per annotation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib import namespace as _rdflib_ns
from rdflib.term import Node

from incident_kg.extraction.model import (
    CurationMark,
    DateValue,
    Evidence,
    Incident,
    OrganizationMention,
    Report,
    Span,
    Statistic,
)
from incident_kg.ontology import namespaces as _ns
from incident_kg.ontology.local_governments import code_of, shared_iri

from .anchors import SourceText
from .publication import publisher_of


class _Terms:
    """A namespace whose terms are made once: ``IKG.hasCause`` on an rdflib namespace builds
    and checks a new IRI on every access (a fifth of the time spent making a report's
    triples); here the first access keeps the term as an attribute."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace
        self._items: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term  # type: ignore[no-any-return]

    def __getitem__(self, name: str) -> URIRef:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = self._namespace[name]
        return term


DCTERMS, PROV, RDF, RDFS, SKOS, XSD = (
    _Terms(n)
    for n in (
        _rdflib_ns.DCTERMS,
        _rdflib_ns.PROV,
        _rdflib_ns.RDF,
        _rdflib_ns.RDFS,
        _rdflib_ns.SKOS,
        _rdflib_ns.XSD,
    )
)
CODE, IKG, OA, ORG = (_Terms(n) for n in (_ns.CODE, _ns.IKG, _ns.OA, _ns.ORG))


#: Incident property for each coded field.
FIELD_PROPERTY = {
    "harms": IKG.hasHarm,
    "causes": IKG.hasCause,
    "countermeasures": IKG.hasCountermeasure,
    "systems": IKG.involvesSystem,
    "procedures": IKG.involvesProcedure,
    "actors": IKG.involvesActorRole,
}
ORG_CLASS = {
    "municipality": IKG.LocalGovernment,
    "prefecture": IKG.LocalGovernment,
    "local": IKG.LocalGovernment,
    "ward": IKG.WardOffice,
    "section": IKG.Section,
    "national": IKG.NationalBody,
    "company": IKG.Company,
    "insurer": IKG.Insurer,
}
EVENT_ROLE = {
    role: CODE[f"event-{role}"]
    for role in (
        "occurred",
        "discovered",
        "reported",
        "apologised",
        "remedied",
        "published",
        "other",
    )
}
#: The individual naming each mechanism of :data:`~.model.MECHANISMS` (issue 15).
MECHANISM_IRI = {
    "rule": IKG.LexiconRule,
    "similarity": IKG.ExemplarSimilarity,
    "curation": IKG.AnalystCuration,
}
#: dcterms:language of every report: Japanese, by its ISO 639-2 IRI (as DCMI recommends).
JAPANESE = URIRef("http://id.loc.gov/vocabulary/iso639-2/jpn")


@dataclass(frozen=True)
class Minter:
    """Mints the IRIs of one report's graph under a base IRI."""

    base: str
    report_id: str

    @property
    def report(self) -> URIRef:
        return URIRef(f"{self.base}report/{self.report_id}")

    @property
    def graph(self) -> URIRef:
        return URIRef(f"{self.base}graph/{self.report_id}")

    @property
    def extraction(self) -> URIRef:
        return URIRef(f"{self.base}report/{self.report_id}/extraction")

    def incident(self, ordinal: int) -> URIRef:
        return URIRef(f"{self.base}report/{self.report_id}/incident/{ordinal}")

    def event(self, ordinal: int, k: int) -> URIRef:
        return URIRef(f"{self.base}report/{self.report_id}/incident/{ordinal}/event/{k}")

    def span(self, start: int, end: int) -> URIRef:
        """The target for a span of the report's text: one per span, shared by every fact
        read from it (a sentence often gives several)."""
        return URIRef(f"{self.base}report/{self.report_id}/text/{start}-{end}")

    def annotation(self, *key: object) -> URIRef:
        digest = hashlib.sha256("|".join(map(str, key)).encode("utf-8")).hexdigest()[:16]
        return URIRef(f"{self.base}report/{self.report_id}/evidence/{digest}")

    def organization(self, org: OrganizationMention) -> URIRef:
        """A resolved local government (or a unit of one) is named from its code under the
        namespace every agency shares (ontology/local_governments.py); another resolved body
        under the base; an unresolved one under the report."""
        local = quote(org.name, safe="")
        if org.resolved:
            return URIRef(shared_iri(org.name) or f"{self.base}org/{local}")
        return URIRef(f"{self.base}report/{self.report_id}/org/{local}")

    def agent(self) -> URIRef:
        return URIRef(f"{self.base}agent/incident-kg")

    def curator(self, name: str) -> URIRef:
        return URIRef(f"{self.base}agent/curator/{quote(name, safe='')}")


def date_literal(iso: str) -> Literal:
    """A typed literal at the precision of the ISO string (year, month or day)."""
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(iso)]
    return Literal(iso, datatype=datatype)


def _curation(m: Minter, incident: Incident) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """Who curated an incident and when; what they removed."""
    mark = incident.curation
    if mark is None:
        return
    node = m.incident(incident.ordinal)
    activity = URIRef(f"{node}/curation")
    yield node, IKG.curatedBy, activity
    yield activity, RDF.type, IKG.Curation
    yield activity, PROV.wasAssociatedWith, m.curator(mark.curator)
    yield m.curator(mark.curator), RDF.type, PROV.Agent
    yield m.curator(mark.curator), RDFS.label, Literal(mark.curator)
    yield activity, DCTERMS.date, date_literal(mark.date)
    yield activity, IKG.confirmed, Literal(mark.confirmed)
    if mark.note:
        yield activity, RDFS.comment, Literal(mark.note)
    for field_name, code in mark.removed:
        yield node, IKG.curatedAbsent, CODE[code]
        change = URIRef(f"{activity}/removed/{field_name}/{code}")
        yield change, RDF.type, IKG.CurationChange
        yield change, IKG.changeOf, node
        yield change, IKG.assertedProperty, FIELD_PROPERTY[field_name]
        yield change, IKG.changedCode, CODE[code]
        yield change, IKG.curationAction, Literal("removed")
        yield change, PROV.wasGeneratedBy, activity


def _annotation_iri(
    m: Minter, incident: URIRef, prop: URIRef, body: object, evidence: Evidence
) -> URIRef:
    """The IRI of the annotation for one fact and one span (stable: made from its content)."""
    return m.annotation(incident, prop, body, evidence.span.start, evidence.span.end)


def _annotation(
    m: Minter,
    text: SourceText,
    incident: URIRef,
    prop: URIRef,
    evidence: Evidence,
    *,
    body: URIRef | None = None,
    value: str | None = None,
    curation: CurationMark | None = None,
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    ann = _annotation_iri(m, incident, prop, body or value, evidence)
    yield ann, RDF.type, OA.Annotation
    yield ann, OA.motivatedBy, OA.classifying
    if body is not None:
        yield ann, OA.hasBody, body
    if value is not None:
        yield ann, OA.bodyValue, Literal(value)
    yield ann, IKG.aboutIncident, incident
    yield ann, IKG.assertedProperty, prop
    yield ann, IKG.extractionRule, Literal(evidence.rule)
    yield ann, IKG.extractionMechanism, MECHANISM_IRI[evidence.mechanism]
    yield ann, IKG.confidence, Literal(Decimal(str(evidence.confidence)), datatype=XSD.decimal)
    if evidence.rule == "curation" and curation is not None:
        yield ann, DCTERMS.creator, m.curator(curation.curator)
        yield ann, PROV.wasGeneratedBy, URIRef(f"{incident}/curation")
    else:
        yield ann, DCTERMS.creator, m.agent()
    yield ann, OA.hasTarget, m.span(evidence.span.start, evidence.span.end)
    yield from _selectors(m, text, evidence.span)


def _organization(
    m: Minter, org: OrganizationMention
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    node = m.organization(org)
    yield node, RDF.type, ORG.Organization
    yield node, RDF.type, ORG_CLASS.get(org.kind, ORG.Organization)
    yield node, SKOS.prefLabel, Literal(org.name.split("/")[-1], lang="ja")
    yield from _identifier(node, org.name if org.resolved else None)
    if not org.resolved:
        yield node, IKG.unresolvedName, Literal(True)
    if org.parent:
        parent_kind = "ward" if org.kind == "section" else "municipality"
        parent = OrganizationMention(
            org.parent,
            org.parent,
            parent_kind,
            org.evidence,
            resolved=org.resolved or parent_kind == "municipality",
        )
        parent_node = m.organization(parent)
        yield node, ORG.subOrganizationOf, parent_node
        yield parent_node, RDF.type, ORG.Organization
        yield parent_node, RDF.type, ORG_CLASS[parent_kind]
        yield parent_node, SKOS.prefLabel, Literal(org.parent.split("/")[-1], lang="ja")
        yield from _identifier(parent_node, org.parent if parent.resolved else None)


def _identifier(node: URIRef, name: str | None) -> Iterator[tuple[URIRef, URIRef, Literal]]:
    """A local government's code (全国地方公共団体コード): ikg:localGovernmentCode ⊑
    org:identifier."""
    code = code_of(name) if name else None
    if code is not None:
        yield node, IKG.localGovernmentCode, Literal(code)


def _date(
    m: Minter,
    text: SourceText,
    incident: URIRef,
    prop: URIRef,
    date: DateValue,
    curation: CurationMark | None,
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    yield incident, prop, date_literal(date.iso)
    yield from _annotation(
        m, text, incident, prop, date.evidence, value=date.iso, curation=curation
    )


def _incident(
    m: Minter, report: Report, incident: Incident
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    node = m.incident(incident.ordinal)
    text = SourceText.of(report)
    cur = incident.curation
    yield node, RDF.type, IKG.Incident
    yield node, RDFS.label, Literal(incident.title or f"incident {incident.ordinal}", lang="ja")
    yield node, IKG.incidentKey, Literal(f"incident-{incident.ordinal}")
    yield node, IKG.reportedIn, m.report
    for org in incident.organizations:
        if org.generic:  # 保険者, 地方公共団体: a kind of body, not an organisation
            yield node, IKG.bodyKindNamed, Literal(org.name, lang="ja")
            continue
        prop = IKG.responsibleOrganization if org.responsible else IKG.involvedOrganization
        org_node = m.organization(org)
        yield node, prop, org_node
        yield from _organization(m, org)
        yield from _annotation(m, text, node, prop, org.evidence, body=org_node, curation=cur)
    for value in incident.coded:
        prop = FIELD_PROPERTY[value.field]
        concept = CODE[value.code]
        yield node, prop, concept
        yield from _annotation(m, text, node, prop, value.evidence, body=concept, curation=cur)
        if value.role:
            yield (
                _annotation_iri(m, node, prop, concept, value.evidence),
                IKG.causalRole,
                CODE[f"role-{value.role}"],
            )
    for value in incident.negative_findings:
        prop = FIELD_PROPERTY[value.field]
        concept = CODE[value.code]
        yield node, IKG.statedAbsent, concept
        yield from _annotation(m, text, node, IKG.statedAbsent, value.evidence, body=concept)
        if value.role:
            yield (
                _annotation_iri(m, node, IKG.statedAbsent, concept, value.evidence),
                IKG.causalRole,
                CODE[f"role-{value.role}"],
            )
    if incident.occurred:
        yield from _date(m, text, node, IKG.occurredOn, incident.occurred, cur)
    if incident.discovered:
        yield from _date(m, text, node, IKG.discoveredOn, incident.discovered, cur)
    if incident.resolved:
        yield from _date(m, text, node, IKG.resolvedOn, incident.resolved, cur)
    if incident.affected:
        count = incident.affected
        yield node, IKG.affectedCount, Literal(count.value, datatype=XSD.integer)
        yield from _annotation(
            m, text, node, IKG.affectedCount, count.evidence, value=str(count.value), curation=cur
        )
    for k, event in enumerate(incident.timeline, start=1):
        ev = m.event(incident.ordinal, k)
        yield node, IKG.hasTimelineEvent, ev
        yield ev, RDF.type, IKG.TimelineEvent
        yield ev, IKG.eventRole, EVENT_ROLE.get(event.role, EVENT_ROLE["other"])
        yield ev, IKG.date, date_literal(event.date.iso)
        yield from _annotation(m, text, node, IKG.hasTimelineEvent, event.date.evidence, body=ev)
    yield from _curation(m, incident)


def _selectors(
    m: Minter, text: SourceText, span: Span
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """A text span of the report as an oa:SpecificResource with quote and position selectors
    (the same triples for every fact read from the span: the graph holds them once).  The
    selectors anchor the span in the report *as published* (:class:`SourceText`), so that a
    Web Annotation client finds the quote in the file; the span's IRI keeps the offsets of
    the normalised text the extractor read."""
    target = m.span(span.start, span.end)
    quote_sel = URIRef(f"{target}/quote")
    position = URIRef(f"{target}/position")
    anchor = text.anchor(span)
    yield target, RDF.type, OA.SpecificResource
    yield target, OA.hasSource, m.report
    yield target, OA.hasSelector, quote_sel
    yield target, OA.hasSelector, position
    yield quote_sel, RDF.type, OA.TextQuoteSelector
    yield quote_sel, OA.exact, Literal(anchor.exact)
    if anchor.prefix:
        yield quote_sel, OA.prefix, Literal(anchor.prefix)
    if anchor.suffix:
        yield quote_sel, OA.suffix, Literal(anchor.suffix)
    yield position, RDF.type, OA.TextPositionSelector
    yield position, OA.start, Literal(anchor.start, datatype=XSD.integer)
    yield position, OA.end, Literal(anchor.end, datatype=XSD.integer)


def _statistic(
    m: Minter, report: Report, k: int, statistic: Statistic
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    node = URIRef(f"{m.report}/statistic/{k}")
    yield node, RDF.type, IKG.Statistic
    yield node, RDFS.label, Literal(statistic.label or statistic.unit, lang="ja")
    yield node, IKG.figure, Literal(Decimal(statistic.value), datatype=XSD.decimal)
    yield node, IKG.unit, Literal(statistic.unit)
    if statistic.as_of is not None:
        yield node, IKG.asOf, date_literal(statistic.as_of.iso)
    yield node, PROV.wasDerivedFrom, m.report
    yield node, IKG.quotes, m.span(statistic.evidence.span.start, statistic.evidence.span.end)
    yield from _selectors(m, SourceText.of(report), statistic.evidence.span)


def _publication(m: Minter, report: Report) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """Who published the report (an organisation) and at which URL, where known
    (graph/publication.py says how)."""
    if report.url:
        yield m.report, DCTERMS.source, URIRef(report.url)
    publisher = publisher_of(report)
    if publisher is not None:
        yield m.report, DCTERMS.publisher, m.organization(publisher)
        yield from _organization(m, publisher)


def _qualified(
    m: Minter, report: Report, incident: Incident
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """Qualified causes, countermeasure links, status, severity, curated links (issue 18:
    graph/qualified.py), minted with this module's evidence IRIs and selectors."""
    from .qualified import qualified_triples

    node = m.incident(incident.ordinal)
    text = SourceText.of(report)
    yield from qualified_triples(
        report,
        incident,
        base=m.base,
        node=node,
        annotation=lambda prop, code, ev: _annotation_iri(m, node, prop, CODE[code], ev),
        span=lambda span: _selectors(m, text, span),
        span_iri=lambda span: m.span(span.start, span.end),
        event=lambda k: m.event(incident.ordinal, k),
        date=date_literal,
    )


def report_triples(
    report: Report, *, base: str, software_version: str
) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """Every triple of one report's named graph."""
    m = Minter(base, report.report_id)
    r = m.report
    yield r, RDF.type, IKG.Report
    yield r, DCTERMS.identifier, Literal(report.report_id)
    yield r, IKG.sourceFile, Literal(report.source)
    yield r, IKG.contentSha256, Literal(report.sha256)
    yield r, DCTERMS.language, JAPANESE
    if report.title:
        yield r, DCTERMS.title, Literal(report.title, lang="ja")
    if report.published:
        yield r, DCTERMS.issued, date_literal(report.published.iso)
    yield from _publication(m, report)
    yield m.extraction, RDF.type, IKG.Extraction
    yield m.extraction, PROV.used, r
    yield m.extraction, PROV.generated, m.graph
    yield m.extraction, PROV.wasAssociatedWith, m.agent()
    yield m.extraction, IKG.softwareVersion, Literal(software_version)
    yield m.agent(), RDF.type, PROV.SoftwareAgent
    yield m.agent(), RDFS.label, Literal("incident-kg")
    for incident in report.incidents:
        yield from _incident(m, report, incident)
        yield from _qualified(m, report, incident)
    for k, statistic in enumerate(report.statistics, start=1):
        yield from _statistic(m, report, k, statistic)


def is_local(subject: object, report_iri: str) -> bool:
    """Whether a triple with this subject belongs to one report alone: its subject is the
    report's IRI or minted under it (incidents, annotations, selectors, events…).

    Every other subject (an organisation resolved across reports, the software agent, a
    curator, a concept) is *shared*: its triples go to the store's shared graph, once,
    rather than into every report graph that names it (see graph/store.py)."""
    text = str(subject)
    return text == report_iri or text.startswith(report_iri + "/")


def split_shared(
    triples: Iterable[tuple[Node, Node, Node]], report_iri: str
) -> tuple[set[tuple[Node, Node, Node]], set[tuple[Node, Node, Node]]]:
    """A report's triples as (its own, those about shared resources): :func:`is_local`."""
    own: set[tuple[Node, Node, Node]] = set()
    shared: set[tuple[Node, Node, Node]] = set()
    for triple in triples:
        (own if is_local(triple[0], report_iri) else shared).add(triple)
    return own, shared


def report_graph(report: Report, *, base: str, software_version: str) -> Graph:
    """The named graph of one report, as an rdflib graph."""
    graph = Graph(identifier=Minter(base, report.report_id).graph)
    for triple in report_triples(report, base=base, software_version=software_version):
        graph.add(triple)
    return graph
