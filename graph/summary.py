"""Summary: what the analysis reads of one report graph, written beside it at build time.

Every analysis and view reads the store through one projection into NetworkX
(analysis/network.py).  Asking the store for it with SPARQL grew with the corpus times the
joins of every evidence lookup (two minutes at 10,000 reports), so each report's part of
the projection is kept, as rows, in the store's summary graph (:data:`SUMMARY_GRAPH`) —
written in the same transaction as the report graph, replaced and removed with it — and the
analysis reads the rows of every report in one scan:

* the **summary** (``ikg:analysisSummary``): the report (identifier, file, title), its
  incidents (label, key, dates, affected count), their coded facts (property, code) and
  organisations (responsible or involved, as stated), the organisations it names with
  their labels, classes and parents, and its countermeasure links (which cause each
  measure addresses, stated with its sentence or defaulted: graph/qualified.py);
* the **details** (``ikg:analysisDetails``), read only for the incidents a command shows:
  the evidence of every fact (sentence, offsets, rule, confidence, causal role) and the
  timeline events.

Both are JSON made by :func:`summarise` from the report graph's triples as the report states
them (its shared triples included), in full form — the same facts the SPARQL projection of
``queries/network/*.rq`` reads, which the tests compare.  Pure: no store.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from .evidence import Triple, value

#: The form of the summaries: part of every report's record digest, so that a build with
#: summaries of another form rewrites them (2: countermeasure links, several reports a graph).
SUMMARY_FORM = "summary-2"
#: The graph of the per-report summaries: store-internal, never exported.
SUMMARY_GRAPH = "https://w3id.org/incident-kg/graph/summary"
_IKG = "https://w3id.org/incident-kg/ontology#"
_CODE = "https://w3id.org/incident-kg/code/"
SUMMARY_KEY = f"{_IKG}analysisSummary"
DETAILS_KEY = f"{_IKG}analysisDetails"
#: A digest of the summary, kept beside it: what tells a command that the projection it kept
#: is still the store's (analysis/kept.py) without reading every summary.
SUMMARY_DIGEST_KEY = f"{_IKG}analysisDigest"
#: The link pass's follow-up of measures (graph/effectiveness.py), kept as JSON beside the
#: links graph (subject: the links graph) and replaced with it.
EFFECTIVENESS_KEY = f"{_IKG}analysisEffectiveness"

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_INCIDENT = f"<{_IKG}Incident>"
_REPORT = f"<{_IKG}Report>"
_REPORTED_IN = f"<{_IKG}reportedIn>"
_INCIDENT_FIELDS = {
    "<http://www.w3.org/2000/01/rdf-schema#label>": "label",
    f"<{_IKG}incidentKey>": "key",
    f"<{_IKG}occurredOn>": "occurred",
    f"<{_IKG}discoveredOn>": "discovered",
    f"<{_IKG}resolvedOn>": "resolved",
    f"<{_IKG}affectedCount>": "affected",
}
_REPORT_FIELDS = {
    "<http://purl.org/dc/terms/identifier>": "id",
    f"<{_IKG}sourceFile>": "file",
    "<http://purl.org/dc/terms/title>": "title",
}
#: The coded properties (the edges of the projection), as the summary names them.
CODED = tuple(
    f"{_IKG}{name}"
    for name in (
        "hasHarm",
        "hasCause",
        "hasCountermeasure",
        "involvesSystem",
        "involvesProcedure",
        "involvesActorRole",
    )
)
RELATIONS = (f"{_IKG}responsibleOrganization", f"{_IKG}involvedOrganization")
_CODED = {f"<{p}>" for p in CODED}
_RELATIONS = {f"<{p}>" for p in RELATIONS}
_PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
_ORGANIZATION = "<http://www.w3.org/ns/org#Organization>"
_PART_OF = "<http://www.w3.org/ns/org#subOrganizationOf>"
_UNRESOLVED = f"<{_IKG}unresolvedName>"
_TIMELINE = f"<{_IKG}hasTimelineEvent>"
_EVENT_DATE = f"<{_IKG}date>"
_EVENT_ROLE = f"<{_IKG}eventRole>"
_OA = "http://www.w3.org/ns/oa#"
_ANNOTATION = f"<{_OA}Annotation>"
_MEASURE_LINK = f"<{_IKG}hasCountermeasureLink>"
#: A countermeasure link's parts, as the summary's row gives them.
_LINK_PARTS = (f"<{_IKG}measure>", f"<{_IKG}addressesCause>", f"<{_IKG}linkBasis>")
_LINK_RULE = f"<{_IKG}linkRule>"
_LINK_EVIDENCE = f"<{_IKG}linkEvidence>"


def short(iri: str, report: str) -> str:
    """An IRI as the summaries write it: ``ikg:Name`` and ``code:Name`` for the ontology's
    terms and codes, ``~…`` for what is minted under the report's IRI, else whole."""
    if iri.startswith(_IKG):
        return "ikg:" + iri[len(_IKG) :]
    if iri.startswith(_CODE):
        return "code:" + iri[len(_CODE) :]
    if report and (iri == report or iri.startswith(report + "/")):
        return "~" + iri[len(report) :]
    return iri


def long(text: str, report: str) -> str:
    """The IRI of a value written by :func:`short`."""
    if text.startswith("~"):
        return report + text[1:]
    if text.startswith("ikg:"):
        return _IKG + text[4:]
    if text.startswith("code:"):
        return _CODE + text[5:]
    return text


def summarise(triples: Iterable[Triple]) -> tuple[str, str]:
    """(summary JSON, details JSON) of one report graph, from its triples in full form
    (N-Triples terms).

    The summary: ``report`` (IRI), ``id``, ``file``, ``title`` (of the graph's report: the
    least IRI when an imported graph holds several), ``other_reports`` (IRI → ``[id, file,
    title]`` of the others), ``incidents`` — rows ``[iri, report, key, label, occurred, discovered, resolved,
    affected, facts, organisations]``, facts as ``[property, code]`` and organisations as
    ``[relation as stated, organisation]`` — and ``organizations`` — rows ``[iri, labels,
    classes, unresolved, parents]`` — and ``measure_links`` — rows ``[incident, measure,
    cause, basis, rule, sentence]`` (the sentence of a stated link, else None).  The
    details: ``evidence`` — rows ``[incident, property, body, sentence, start, end, rule,
    confidence, causal role]`` — and ``events`` — rows ``[incident, event, date, role]`` —
    with the ``report`` they are relative to.  IRIs are written by :func:`short`."""
    by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in triples:
        by_subject[s].append((p, o))
    reports: dict[str, dict[str, str]] = {}  # a graph may hold several (an imported file)
    incidents: list[list[Any]] = []
    organizations: list[list[Any]] = []
    annotations: list[str] = []
    for subject, pairs in by_subject.items():
        if (_RDF_TYPE, _REPORT) in pairs:
            fields = reports[value(subject)] = {}
            for p, o in sorted(pairs):
                if p in _REPORT_FIELDS:
                    fields.setdefault(_REPORT_FIELDS[p], value(o))
    base = min(reports, default="")
    report: dict[str, Any] = {"report": base, **reports.get(base, {})} if base else {}
    others = {
        iri: [fields.get(name) for name in ("id", "file", "title")]
        for iri, fields in reports.items()
        if iri != base
    }
    for subject, pairs in by_subject.items():
        types = {o for p, o in pairs if p == _RDF_TYPE}
        if _INCIDENT in types:
            incidents.append(_incident(subject, pairs, base))
        if _ANNOTATION in types:
            annotations.append(subject)
        if _ORGANIZATION in types:
            organizations.append(
                [
                    value(subject),
                    sorted(value(o) for p, o in pairs if p == _PREF_LABEL),
                    sorted(short(value(o), base) for o in types if o.startswith(f"<{_IKG}")),
                    any(p == _UNRESOLVED and "true" in o for p, o in pairs),
                    sorted(value(o) for p, o in pairs if p == _PART_OF),
                ]
            )
    incidents.sort(key=lambda row: str(row[0]))
    organizations.sort(key=lambda row: str(row[0]))
    summary = {
        **report,
        "other_reports": others,
        "incidents": incidents,
        "organizations": organizations,
        "measure_links": sorted(_measure_links(by_subject, incidents, base), key=str),
    }
    details = {
        "report": base,
        "evidence": sorted(_evidence(by_subject, a, base) for a in annotations),
        "events": sorted(_events(by_subject, incidents, base)),
    }
    return _json(summary), _json(details)


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _incident(subject: str, pairs: list[tuple[str, str]], base: str) -> list[Any]:
    found: dict[str, Any] = {}
    facts: set[tuple[str, str]] = set()
    orgs: set[tuple[str, str]] = set()
    for p, o in sorted(pairs):
        if p in _INCIDENT_FIELDS:
            found.setdefault(_INCIDENT_FIELDS[p], value(o))
        elif p in _CODED:
            facts.add((short(value(p), base), short(value(o), base)))
        elif p in _RELATIONS:
            orgs.add((short(value(p), base), short(value(o), base)))
        elif p == _REPORTED_IN:
            found.setdefault("report", short(value(o), base))
    fields = ("report", "key", "label", "occurred", "discovered", "resolved", "affected")
    return [
        short(value(subject), base),
        *(found.get(name) for name in fields),
        [list(f) for f in sorted(facts)],
        [list(o) for o in sorted(orgs)],
    ]


def _one(pairs: list[tuple[str, str]], predicate: str) -> str | None:
    found = sorted(o for p, o in pairs if p == predicate)
    return found[0] if found else None


def _evidence(by_subject: dict[str, list[tuple[str, str]]], note: str, base: str) -> list[Any]:
    """[incident, property, body, sentence, start, end, rule, confidence, role] of an
    annotation (None for what it lacks)."""
    pairs = by_subject[note]
    body = _one(pairs, f"<{_OA}hasBody>") or _one(pairs, f"<{_OA}bodyValue>")
    target = _one(pairs, f"<{_OA}hasTarget>")
    sentence = start = end = None
    for p, selector in by_subject.get(target or "", ()):
        if p != f"<{_OA}hasSelector>":
            continue
        selected = by_subject.get(selector, [])
        exact = _one(selected, f"<{_OA}exact>")
        sentence = value(exact) if exact is not None and sentence is None else sentence
        first, last = _one(selected, f"<{_OA}start>"), _one(selected, f"<{_OA}end>")
        if first is not None and last is not None:
            start, end = int(value(first)), int(value(last))

    def iri(term: str | None) -> str | None:
        return None if term is None else short(value(term), base)

    return [
        iri(_one(pairs, f"<{_IKG}aboutIncident>")),
        iri(_one(pairs, f"<{_IKG}assertedProperty>")),
        None if body is None else (iri(body) if body.startswith("<") else value(body)),
        sentence,
        start,
        end,
        _value(_one(pairs, f"<{_IKG}extractionRule>")),
        _value(_one(pairs, f"<{_IKG}confidence>")),
        iri(_one(pairs, f"<{_IKG}causalRole>")),
    ]


def _value(term: str | None) -> str | None:
    return None if term is None else value(term)


def _events(
    by_subject: dict[str, list[tuple[str, str]]], incidents: list[list[Any]], base: str
) -> list[list[str | None]]:
    """[incident, event, date, role] of every timeline event."""
    out: list[list[str | None]] = []
    for incident in incidents:
        for p, event in by_subject.get(f"<{long(incident[0], base)}>", ()):
            if p != _TIMELINE:
                continue
            pairs = by_subject.get(event, [])
            date = _one(pairs, _EVENT_DATE)
            if date is None:
                continue
            role = _one(pairs, _EVENT_ROLE)
            out.append(
                [
                    incident[0],
                    short(value(event), base),
                    value(date),
                    role and short(value(role), base),
                ]
            )
    return out


def _quote(by_subject: dict[str, list[tuple[str, str]]], span: str | None) -> str | None:
    """The text a span quotes (its quote selector's ``oa:exact``), if any."""
    for p, selector in by_subject.get(span or "", ()):
        if p == f"<{_OA}hasSelector>":
            exact = _one(by_subject.get(selector, []), f"<{_OA}exact>")
            if exact is not None:
                return value(exact)
    return None


def _measure_links(
    by_subject: dict[str, list[tuple[str, str]]], incidents: list[list[Any]], base: str
) -> list[list[str | None]]:
    """[incident, measure, cause, basis, rule, sentence] of every countermeasure link."""
    out: list[list[str | None]] = []
    for incident in incidents:
        for p, link in by_subject.get(f"<{long(incident[0], base)}>", ()):
            if p != _MEASURE_LINK:
                continue
            pairs = by_subject.get(link, [])
            parts = [_one(pairs, part) for part in _LINK_PARTS]
            rule = _one(pairs, _LINK_RULE)
            if any(part is None for part in parts) or rule is None:
                continue  # not a whole link: the projection query does not read it either
            measure, cause, basis = (short(value(str(part)), base) for part in parts)
            sentence = _quote(by_subject, _one(pairs, _LINK_EVIDENCE))
            out.append([incident[0], measure, cause, basis, value(rule), sentence])
    return out


def summary_digest(text: str) -> str:
    """The digest of a summary's JSON (kept beside it under :data:`SUMMARY_DIGEST_KEY`)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def summary_ntriples(graph: str, summary: tuple[str, str] | None) -> str:
    """The triples that keep a report graph's summary, its details and the summary's digest
    (subject: the graph), as N-Triples."""
    if summary is None:
        return ""
    rows = (
        (SUMMARY_KEY, summary[0]),
        (DETAILS_KEY, summary[1]),
        (SUMMARY_DIGEST_KEY, summary_digest(summary[0])),
    )
    return "".join(f"<{graph}> <{key}> {ox.Literal(text)} .\n" for key, text in rows)
