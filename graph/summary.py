"""Summary: what the analysis reads of one report graph, written beside it at build time.

Every analysis and view reads the store through one projection into NetworkX
(analysis/network.py).  Asking the store for it with SPARQL grew with the corpus times the
joins of every evidence lookup (two minutes at 10,000 reports), so each report's part of
the projection is kept, as rows, in the store's summary graph (:data:`SUMMARY_GRAPH`) —
written in the same transaction as the report graph, replaced and removed with it — and the
analysis reads the rows of every report in one scan:

* the **summary** (``ikg:analysisSummary``): the report (identifier, file, title), its
  incidents (label, key, dates, affected count), their coded facts (property, code) and
  organisations (responsible or involved, as stated), and the organisations it names with
  their labels, classes and parents;
* the **details** (``ikg:analysisDetails``), read only for the incidents a command shows:
  the evidence of every fact (sentence, offsets, rule, confidence, causal role) and the
  timeline events.

Both are JSON made by :func:`summarise` from the report graph's triples as the report states
them (its shared triples included), in full form — the same facts the SPARQL projection of
``queries/network/*.rq`` reads, which the tests compare.  Pure: no store.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .evidence import Triple

#: The graph of the per-report summaries: store-internal, never exported.
SUMMARY_GRAPH = "https://w3id.org/incident-kg/graph/summary"
_IKG = "https://w3id.org/incident-kg/ontology#"
SUMMARY_KEY = f"{_IKG}analysisSummary"
DETAILS_KEY = f"{_IKG}analysisDetails"

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

_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU" and len(code) > 1:
        return chr(int(code[1:], 16))
    return _SIMPLE.get(code, code)


def value(term: str) -> str:
    """The plain value of an N-Triples term: an IRI without its brackets, a literal's
    lexical form (unescaped)."""
    if term.startswith("<"):
        return term[1:-1]
    if term.startswith('"'):
        lexical = term[1 : term.rindex('"')]
        return _ESCAPE.sub(_unescape, lexical) if "\\" in lexical else lexical
    return term


def summarise(triples: Iterable[Triple]) -> tuple[str, str]:
    """(summary JSON, details JSON) of one report graph, from its triples in full form
    (N-Triples terms; see the module doc)."""
    by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in triples:
        by_subject[s].append((p, o))
    report: dict[str, Any] = {}
    incidents: list[dict[str, Any]] = []
    organizations: dict[str, dict[str, Any]] = {}
    annotations: list[str] = []
    for subject, pairs in by_subject.items():
        types = {o for p, o in pairs if p == _RDF_TYPE}
        if _REPORT in types:
            report = {"report": value(subject)}
            for p, o in sorted(pairs):
                if p in _REPORT_FIELDS:
                    report.setdefault(_REPORT_FIELDS[p], value(o))
        if _INCIDENT in types:
            incidents.append(_incident(subject, pairs))
        if _ANNOTATION in types:
            annotations.append(subject)
        if _ORGANIZATION in types:
            org_types = sorted(value(o) for o in types if o.startswith(f"<{_IKG}"))
            organizations[value(subject)] = {
                "labels": sorted(value(o) for p, o in pairs if p == _PREF_LABEL),
                "types": org_types,
                "unresolved": any(p == _UNRESOLVED and "true" in o for p, o in pairs),
                "parents": sorted(value(o) for p, o in pairs if p == _PART_OF),
            }
    incidents.sort(key=lambda i: str(i["iri"]))
    summary = {**report, "incidents": incidents, "organizations": organizations}
    details = {
        "evidence": sorted(_evidence(by_subject, a) for a in annotations),
        "events": sorted(_events(by_subject, incidents)),
    }
    return _json(summary), _json(details)


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _incident(subject: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    found: dict[str, Any] = {"iri": value(subject)}
    facts: set[tuple[str, str]] = set()
    orgs: set[tuple[str, str]] = set()
    for p, o in sorted(pairs):
        if p in _INCIDENT_FIELDS:
            found.setdefault(_INCIDENT_FIELDS[p], value(o))
        elif p in _CODED:
            facts.add((value(p), value(o)))
        elif p in _RELATIONS:
            orgs.add((value(p), value(o)))
        elif p == _REPORTED_IN:
            found.setdefault("report", value(o))
    found["facts"] = sorted(facts)
    found["orgs"] = sorted(orgs)
    return found


def _one(pairs: list[tuple[str, str]], predicate: str) -> str | None:
    found = sorted(o for p, o in pairs if p == predicate)
    return found[0] if found else None


def _evidence(by_subject: dict[str, list[tuple[str, str]]], note: str) -> list[Any]:
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
    row = [
        _one(pairs, f"<{_IKG}aboutIncident>"),
        _one(pairs, f"<{_IKG}assertedProperty>"),
        body,
        None,
        None,
        None,
        _one(pairs, f"<{_IKG}extractionRule>"),
        _one(pairs, f"<{_IKG}confidence>"),
        _one(pairs, f"<{_IKG}causalRole>"),
    ]
    out: list[Any] = [None if v is None else value(v) for v in row]
    out[3], out[4], out[5] = sentence, start, end
    return out


def _events(
    by_subject: dict[str, list[tuple[str, str]]], incidents: list[dict[str, Any]]
) -> list[list[str | None]]:
    """[incident, event, date, role] of every timeline event."""
    out: list[list[str | None]] = []
    for incident in incidents:
        for p, event in by_subject.get(f"<{incident['iri']}>", ()):
            if p != _TIMELINE:
                continue
            pairs = by_subject.get(event, [])
            date = _one(pairs, _EVENT_DATE)
            if date is None:
                continue
            role = _one(pairs, _EVENT_ROLE)
            out.append([incident["iri"], value(event), value(date), role and value(role)])
    return out
