"""Filters: which incidents (and so which parts of which graphs) an export holds.

A :class:`Selection` names organisations, a date range, causes and reports; an
incident is selected when it matches every kind of filter given (and any value
within one kind). The facts each filter needs are read from the store once
(:func:`incident_facts`, the edge); choosing is pure (:func:`select`), and so is
cutting a report graph down to the selected incidents (:func:`subset`).

- **organisation** (IRI or name as written, e.g. ``堺市``): the incident is
  within it — it is the responsible body, or a body above the responsible one
  through ``org:subOrganizationOf`` (an incident of a 課 belongs to its ward and
  its city; ``ikg:withinOrganization`` in the inferred graphs says the same).
- **date range** (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` at either end): the
  incident's date — when it occurred, else when it was discovered, else when its
  report was issued — at the precision given overlaps the range. An incident with
  no date at all is left out when a range is given.
- **cause** (a code, or a tier such as ``tier-organisation``): the incident has
  that cause or a cause below that tier.
- **report** (its identifier, file name, report IRI or graph IRI).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from incident_kg.errors import IncidentKGError
from incident_kg.extraction.organizations import normalize_name
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import CODE, IKG

#: A triple as N-Triples terms (subject, predicate, object), the form exports sort.
Triple = tuple[str, str, str]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class SelectionError(IncidentKGError):
    """A filter value that cannot be understood (a bad date, an unknown code)."""


@dataclass(frozen=True)
class Selection:
    """What to export; empty means everything."""

    organizations: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    causes: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """Whether any filter is given."""
        return bool(self.organizations or self.since or self.until or self.causes or self.reports)


@dataclass(frozen=True)
class IncidentFacts:
    """What the filters look at for one incident."""

    iri: str
    graph: str
    date: str | None  # ISO, at the precision the text gives
    within: frozenset[str]  # IRIs and normalised names of the bodies it is within
    causes: frozenset[str]  # codes, with the tiers above them
    report_keys: frozenset[str]  # identifier, file name, report IRI, graph IRI


def period(iso: str) -> tuple[dt.date, dt.date]:
    """First and last day of a date at its precision.

    >>> period("2023-02")
    (datetime.date(2023, 2, 1), datetime.date(2023, 2, 28))
    """
    match = _PARTIAL_DATE.match(iso.strip())
    if not match:
        raise SelectionError(f"{iso!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            return dt.date(year, month, 1), dt.date(
                year, month, calendar.monthrange(year, month)[1]
            )
        return dt.date(year, month, day), dt.date(year, month, day)
    except ValueError as exc:
        raise SelectionError(f"{iso!r} is not a date: {exc}") from None


def overlaps(iso: str | None, since: str | None, until: str | None) -> bool:
    """Whether a date at its precision overlaps [since, until] (either end open).

    >>> overlaps("2023-05", "2023-05-20", None)
    True
    >>> overlaps("2023", None, "2022-12")
    False
    """
    if since is None and until is None:
        return True
    if iso is None:
        return False
    first, last = period(iso)
    return (since is None or last >= period(since)[0]) and (
        until is None or first <= period(until)[1]
    )


def matches(facts: IncidentFacts, selection: Selection) -> bool:
    """Whether one incident passes every filter of the selection."""
    if selection.organizations and not any(
        o in facts.within or normalize_name(o) in facts.within for o in selection.organizations
    ):
        return False
    if selection.causes and not set(selection.causes) & facts.causes:
        return False
    if selection.reports and not set(selection.reports) & facts.report_keys:
        return False
    return overlaps(facts.date, selection.since, selection.until)


def check_selection(selection: Selection, known_causes: Collection[str]) -> None:
    """Refuse filter values that can match nothing because they are malformed."""
    for end in (selection.since, selection.until):
        if end is not None:
            period(end)
    if selection.since and selection.until:
        if period(selection.since)[0] > period(selection.until)[1]:
            raise SelectionError(f"the range {selection.since} … {selection.until} is empty")
    unknown = sorted(set(selection.causes) - set(known_causes))
    if unknown:
        raise SelectionError(
            f"unknown cause code(s): {', '.join(unknown)} "
            "(ontology/concepts.ttl lists the codes; `incident-kg query --describe "
            "incidents-for-cause` says how to name one)"
        )


def select(facts: Iterable[IncidentFacts], selection: Selection) -> dict[str, set[str]]:
    """The selected incidents, by the graph that holds them.  A report or an organisation
    named by the selection that no incident has is refused (a mistyped name would otherwise
    export nothing but the ontology, and say nothing)."""
    facts = list(facts)
    for name in selection.reports:
        if not any(name in f.report_keys for f in facts):
            raise SelectionError(
                f"no report {name!r} in the store (`incident-kg reports list` lists them)"
            )
    for name in selection.organizations:
        if not any(name in f.within or normalize_name(name) in f.within for f in facts):
            raise SelectionError(f"no incident within an organisation named {name!r}")
    chosen: dict[str, set[str]] = defaultdict(set)
    for item in facts:
        if matches(item, selection):
            chosen[item.graph].add(item.iri)
    return dict(chosen)


# -- cutting a graph down to some of its incidents ------------------------------------

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_INCIDENT = f"<{IKG.Incident}>"
_REPORT = f"<{IKG.Report}>"
_STATISTIC = f"<{IKG.Statistic}>"
_EXTRACTION = f"<{IKG.Extraction}>"


def subset(triples: Collection[Triple], keep: Collection[str]) -> set[Triple]:
    """The part of one report graph that tells only the incidents in ``keep`` (IRIs).

    Kept: the report, its statistics and its extraction run, the kept incidents, whatever points at a kept
    incident (its evidence annotations, curation changes), and everything reachable
    from those by following objects — but never another incident of the report, nor
    what only that other incident reaches (its organisations, its evidence).
    """
    keep_terms = {f"<{iri}>" for iri in keep}
    by_subject: dict[str, list[Triple]] = defaultdict(list)
    incidents: set[str] = set()
    seeds: set[str] = set(keep_terms)
    for t in triples:
        by_subject[t[0]].append(t)
        if t[1] == _RDF_TYPE:
            if t[2] == _INCIDENT:
                incidents.add(t[0])
            elif t[2] in (_REPORT, _STATISTIC, _EXTRACTION):
                seeds.add(t[0])
    for s, _p, o in triples:
        if o in keep_terms and s not in incidents:
            seeds.add(s)
    others = incidents - keep_terms
    reached: set[str] = set()
    frontier = [s for s in seeds if s not in others]
    while frontier:
        node = frontier.pop()
        if node in reached:
            continue
        reached.add(node)
        for _s, _p, o in by_subject.get(node, ()):
            if o.startswith(("<", "_:")) and o not in reached and o not in others:
                frontier.append(o)
    return {t for t in triples if t[0] in reached}


# -- the facts, from the store (edge) ------------------------------------------------

_INCIDENTS = """
PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?g ?i ?occurred ?discovered ?issued ?report ?id ?file WHERE {
  GRAPH ?g { ?i a ikg:Incident ; ikg:reportedIn ?report }
  OPTIONAL { GRAPH ?g { ?i ikg:occurredOn ?occurred } }
  OPTIONAL { GRAPH ?g { ?i ikg:discoveredOn ?discovered } }
  OPTIONAL { GRAPH ?g { ?report dcterms:issued ?issued } }
  OPTIONAL { GRAPH ?g { ?report dcterms:identifier ?id } }
  OPTIONAL { GRAPH ?g { ?report ikg:sourceFile ?file } }
}"""

_WITHIN = """
PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?i ?org ?label WHERE {
  { ?i ikg:responsibleOrganization/org:subOrganizationOf* ?org }
  UNION { ?i ikg:withinOrganization ?org }
  OPTIONAL { ?org skos:prefLabel ?label }
}"""

_CAUSES = """
PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?i ?code WHERE { ?i ikg:hasCause/skos:broader* ?code }"""


def _value(term: object) -> str | None:
    return None if term is None else str(getattr(term, "value", term))


def incident_facts(store: GraphStore, graphs: Collection[str] | None = None) -> list[IncidentFacts]:
    """The facts of every incident in the store (or in some of its graphs)."""
    within: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_WITHIN):  # type: ignore[attr-defined]
        iri, org, label = (_value(row[k]) for k in ("i", "org", "label"))
        assert iri is not None and org is not None
        within[iri].add(org)
        if label:
            within[iri].add(normalize_name(label))
    causes: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_CAUSES):  # type: ignore[attr-defined]
        iri, code = _value(row["i"]), _value(row["code"])
        assert iri is not None and code is not None
        if code.startswith(str(CODE)):
            causes[iri].add(code.removeprefix(str(CODE)))
    facts: dict[tuple[str, str], IncidentFacts] = {}
    for row in store.query(_INCIDENTS):  # type: ignore[attr-defined]
        graph, iri = _value(row["g"]), _value(row["i"])
        assert graph is not None and iri is not None
        if graphs is not None and graph not in graphs:
            continue
        date = _value(row["occurred"]) or _value(row["discovered"]) or _value(row["issued"])
        file = _value(row["file"])
        keys = {graph, _value(row["report"]), _value(row["id"]), file}
        if file:
            keys.add(file.rsplit(".", 1)[0])
        facts[(graph, iri)] = IncidentFacts(
            iri=iri,
            graph=graph,
            date=date,
            within=frozenset(within.get(iri, ())),
            causes=frozenset(causes.get(iri, ())),
            report_keys=frozenset(k for k in keys if k),
        )
    return [facts[k] for k in sorted(facts)]


def selected_incidents(
    store: GraphStore, selection: Selection, graphs: Collection[str]
) -> Mapping[str, set[str]]:
    """The incidents the selection keeps, by graph, among ``graphs``."""
    return select(incident_facts(store, graphs), selection)
