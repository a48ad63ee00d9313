"""Qualified facts of an incident → triples: its causes with their roles, its countermeasures
tied to the causes they address, its status and severity, and an analyst's same-as /
not-same-as (issue 18). Pure, like graph/triples.py, whose minting and evidence it reuses;
kept apart from the evidence triples (which change with the evidence model)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rdflib import Literal, URIRef
from rdflib import namespace as _rdflib_ns

from incident_kg.extraction.model import CodedValue, Evidence, Incident, Report, Span
from incident_kg.ontology import namespaces as _ns

IKG, CODE = _ns.IKG, _ns.CODE
RDF = _rdflib_ns.RDF

Triple = tuple[URIRef, URIRef, URIRef | Literal]
#: The role a cause is qualified with when its evidence gives several: the deepest first.
ROLE_ORDER = ("root-cause", "trigger", "contributing")
BASIS = {"stated": CODE["basis-stated"], "defaulted": CODE["basis-defaulted"]}


def incident_ref(base: str, ref: str) -> URIRef:
    """An incident named in a curation sidecar (``REPORT_ID/incident/N`` or an IRI)."""
    return URIRef(ref if ref.startswith(("http://", "https://")) else f"{base}report/{ref}")


def _role(values: list[CodedValue]) -> str | None:
    roles = {v.role for v in values if v.role}
    return next((r for r in ROLE_ORDER if r in roles), None)


def qualified_causes(
    node: URIRef,
    incident: Incident,
    annotation: Callable[[URIRef, str, Evidence], URIRef],
) -> Iterator[Triple]:
    """One ikg:QualifiedCause per cause (and per cause ruled out), with the role the report
    gives it and the evidence annotations (``annotation(prop, code, evidence)``) that state it."""
    coded: dict[str, list[CodedValue]] = {}
    for value in incident.coded:
        if value.field == "causes":
            coded.setdefault(value.code, []).append(value)
    ruled_out: dict[str, list[CodedValue]] = {}
    for value in incident.negative_findings:
        if value.field == "causes" and value.role == "ruled-out" and value.code not in coded:
            ruled_out.setdefault(value.code, []).append(value)
    for code, values in [*coded.items(), *ruled_out.items()]:
        stated = code in coded
        q = URIRef(f"{node}/cause/{code}")
        yield node, IKG.qualifiedCause, q
        yield q, RDF.type, IKG.QualifiedCause
        yield q, IKG.cause, CODE[code]
        role = _role(values) if stated else "ruled-out"
        if role:
            yield q, IKG.causeRole, CODE[f"role-{role}"]
        prop = IKG.hasCause if stated else IKG.statedAbsent
        for value in values:
            yield q, IKG.supportedBy, annotation(prop, code, value.evidence)


def measure_links(
    node: URIRef,
    incident: Incident,
    span: Callable[[Span], Iterator[Triple]],
    span_iri: Callable[[Span], URIRef],
) -> Iterator[Triple]:
    """One ikg:CountermeasureLink per measure and cause it addresses, stated (with the span
    that says so) or defaulted (with the line of the table)."""
    for link in incident.measure_links:
        q = URIRef(f"{node}/measure/{link.measure}/{link.cause}")
        yield node, IKG.hasCountermeasureLink, q
        yield q, RDF.type, IKG.CountermeasureLink
        yield q, IKG.measure, CODE[link.measure]
        yield q, IKG.addressesCause, CODE[link.cause]
        yield q, IKG.linkBasis, BASIS[link.basis]
        yield q, IKG.linkRule, Literal(link.rule)
        if link.evidence is not None:
            yield q, IKG.linkEvidence, span_iri(link.evidence.span)
            yield from span(link.evidence.span)


def status_and_severity(
    node: URIRef, incident: Incident, event: Callable[[int], URIRef], date: Callable[[str], Literal]
) -> Iterator[Triple]:
    """The incident's lifecycle status (with the date and event that set it) and severity."""
    if incident.status is not None:
        yield node, IKG.status, CODE[incident.status.code]
        if incident.status.date is not None:
            yield node, IKG.statusDate, date(incident.status.date.iso)
        if incident.status.event is not None:
            yield node, IKG.statusSetBy, event(incident.status.event)
    if incident.severity is not None:
        yield node, IKG.severity, CODE[incident.severity.level]
        for factor in incident.severity.factors:
            yield node, IKG.severityFactor, CODE[factor]


def curated_links(node: URIRef, incident: Incident, base: str) -> Iterator[Triple]:
    """An analyst's same-as and not-same-as, as the sidecar states them."""
    mark = incident.curation
    if mark is None:
        return
    for ref in mark.same_as:
        yield node, IKG.curatedSameAs, incident_ref(base, ref)
    for ref in mark.not_same_as:
        yield node, IKG.curatedDistinctFrom, incident_ref(base, ref)


def qualified_triples(
    report: Report,
    incident: Incident,
    *,
    base: str,
    node: URIRef,
    annotation: Callable[[URIRef, str, Evidence], URIRef],
    span: Callable[[Span], Iterator[Triple]],
    span_iri: Callable[[Span], URIRef],
    event: Callable[[int], URIRef],
    date: Callable[[str], Literal],
) -> Iterator[Triple]:
    """Every qualified triple of one incident (the callables mint as graph/triples.py does)."""
    yield from qualified_causes(node, incident, annotation)
    yield from measure_links(node, incident, span, span_iri)
    yield from status_and_severity(node, incident, event, date)
    yield from curated_links(node, incident, base)


__all__ = [
    "curated_links",
    "incident_ref",
    "measure_links",
    "qualified_causes",
    "qualified_triples",
    "status_and_severity",
]
