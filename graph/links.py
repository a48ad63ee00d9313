"""The link pass: the store's incidents compared across reports (graph/linking.py) and the
adoptions of measures followed up (graph/effectiveness.py), written into the links graph.

Run after every build and import (and after an import is removed): the links graph
(:data:`~.store.LINKS_GRAPH`) is derived data, replaced whole in one transaction — with the
follow-up of measures it found (graph/effectiveness.py, as JSON in the summary graph, which
``analyze effectiveness`` and the cause pages read instead of linking the corpus again) — never
exported (the receiving store links for itself). It holds, for the incidents linked:

    <a> ikg:sameIncidentAs <b> ;  ikg:countedAs <key> .       (told by several reports)
    <case> ikg:partOfIncident <grouping> ; ikg:countedAs <grouping> .
    <…/report/B/org/中区> owl:sameAs <…/report/A/org/中区> .   (one ward two tellings minted)
    <base>link/<digest> a ikg:IncidentLink ; ikg:linkSource <a> ; ikg:linkTarget <b> ;
        ikg:linkKind code:link-same-incident ; ikg:linkBasis code:basis-matched ;
        ikg:matchedFact "body: 熊本市" , … ; ikg:linkScore 6.5 .
    <base>adoption/<digest> a ikg:MeasureAdoption ; ikg:adoptingBody <org> ;
        ikg:measure code:Checklist ; ikg:addressesCause code:LogoutOmission ;
        ikg:adoptedOn "2023-06"^^xsd:gYearMonth ; ikg:adoptedIn <incident> ;
        ikg:recurrence <incident> ; ikg:recurrenceCount 1 ; ikg:daysAtRisk 240 .

The facts are read per predicate (:meth:`~.store.GraphStore.pairs`), each once however many
graphs hold them, so the same data imported twice costs a second read, not a blow-up.

**Incremental.** After a build that added, replaced or removed a few reports, the pass reads
again only the incidents of those reports (looked up by subject) and of organisations whose
body changed, links again only the components their links can reach (graph/link_state.py),
recomputes the follow-up of measures from the kept facts, and writes the lines of the links
graph that differ — in one transaction, as the whole pass does. The whole store is read and
linked on a first build, when the kept state is missing or not the store's last pass, and
when the store holds imported graphs (their records do not say when they change).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox
from networkx.utils import UnionFind
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, SKOS, XSD

from incident_kg.collector import paused_collector
from incident_kg.ontology.namespaces import CODE, DEFAULT_BASE, IKG
from incident_kg.ontology.tables import LinkingRules, load_linking_rules

from .effectiveness import Adoption, Effectiveness, effectiveness, to_json
from .link_state import (
    TOKEN_KEY,
    LinkState,
    adjacency_of,
    graph_digests,
    lines_sum,
    load_state,
    pass_token,
    save_state,
    state_key,
    update_linking,
)
from .linking import PART_OF, SAME, IncidentFacts, Linking, link_incidents
from .store import LINKS_GRAPH, GraphStore
from .summary import EFFECTIVENESS_KEY, SUMMARY_GRAPH

log = logging.getLogger(__name__)

CODED = {
    "harms": IKG.hasHarm,
    "causes": IKG.hasCause,
    "countermeasures": IKG.hasCountermeasure,
    "systems": IKG.involvesSystem,
    "procedures": IKG.involvesProcedure,
}
DATES = {"occurred": IKG.occurredOn, "discovered": IKG.discoveredOn, "resolved": IKG.resolvedOn}
KIND = {
    SAME: CODE["link-same-incident"],
    PART_OF: CODE["link-part-of"],
    "distinct": CODE["link-distinct"],
}
BASIS = {"matched": CODE["basis-matched"], "curated": CODE["basis-curated"]}
_DATATYPE = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


@dataclass(frozen=True)
class StoreFacts:
    """What the link pass read of a store: each incident's facts, and each body's IRI."""

    incidents: tuple[IncidentFacts, ...]
    body_iris: Mapping[str, str]  # body name → IRI of the organisation


def _code(iri: str) -> str:
    return iri.removeprefix(str(CODE))


@dataclass(frozen=True)
class Orgs:
    """The store's organisations as the link pass sees them: each one's parents (part-of)
    and each resource's label (the smallest, when several)."""

    parents: Mapping[str, frozenset[str]]
    labels: Mapping[str, str]

    def top(self, org: str) -> str:
        """The top of ``org``'s part-of chain (the smallest parent not yet seen, each step)."""
        seen = {org}
        while self.parents.get(org):
            left = self.parents[org] - seen
            if not left:
                break
            org = min(left)
            seen.add(org)
        return org

    def body(self, org: str) -> str:
        """The name of the body ``org`` belongs to (the label of its top)."""
        top = self.top(org)
        return self.labels.get(top, top)

    def body_iris(self, orgs: Iterable[str]) -> dict[str, str]:
        """Body name → IRI of its organisation (the top of the smallest of ``orgs``)."""
        iris: dict[str, str] = {}
        for org in sorted(orgs):
            iris.setdefault(self.body(org), self.top(org))
        return iris


def read_orgs(store: GraphStore) -> Orgs:
    """Every part-of link and label of the store (a few per organisation: cheap)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for child, parent in store.pairs(str(ORG.subOrganizationOf)):
        if child != parent:
            parents[child].add(parent)
    labels: dict[str, str] = {}
    for subject, label in sorted(store.pairs(str(SKOS.prefLabel))):
        labels.setdefault(subject, label)
    return Orgs({k: frozenset(v) for k, v in parents.items()}, labels)


#: An incident's organisations as stated: (responsible, involved), before folding to bodies.
OrgsOf = tuple[frozenset[str], frozenset[str]]


def _facts(
    incident: str,
    report: str,
    published: str | None,
    orgs: Orgs,
    named: OrgsOf,
    kinds: Iterable[str],
    sets: Mapping[str, Iterable[str]],
    values: Mapping[str, str],
    curated: Mapping[str, Iterable[str]],
    links: Iterable[tuple[str, str, str]],
) -> IncidentFacts:
    responsible, involved = named
    affected = values.get("affected")
    return IncidentFacts(
        incident,
        report,
        published=published,
        bodies=frozenset(orgs.body(o) for o in (responsible or involved)) | frozenset(kinds),
        **{name: frozenset(sets.get(name, ())) for name in CODED},
        occurred=values.get("occurred"),
        discovered=values.get("discovered"),
        resolved=values.get("resolved"),
        affected=int(affected) if affected and affected.isdigit() else None,
        same_as=frozenset(curated.get("same_as", ())),
        not_same_as=frozenset(curated.get("not_same_as", ())),
        measure_links=frozenset(links),
    )


_SINGLE = {**{name: prop for name, prop in DATES.items()}, "affected": IKG.affectedCount}
_CURATED = {"same_as": IKG.curatedSameAs, "not_same_as": IKG.curatedDistinctFrom}
_LINK_PARTS = ((IKG.measure, "m"), (IKG.addressesCause, "c"), (IKG.linkBasis, "b"))


@dataclass(frozen=True)
class ReadFacts:
    """What the link pass read: the facts, each body's IRI, and each incident's organisations
    as stated (what graph/link_state.py keeps to follow a change of an organisation)."""

    facts: StoreFacts
    orgs: Orgs
    orgs_of: Mapping[str, OrgsOf]


def read_all(store: GraphStore) -> ReadFacts:
    """The facts of every incident in the store, reading each predicate once."""
    orgs = read_orgs(store)
    reports = dict(sorted(store.pairs(str(IKG.reportedIn))))
    issued = dict(sorted(store.pairs(str(DCTERMS.issued))))
    sets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, prop in CODED.items():
        for incident, concept in store.pairs(str(prop)):
            sets[incident][name].add(_code(concept))
    named: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for k, prop in enumerate((IKG.responsibleOrganization, IKG.involvedOrganization)):
        for incident, org in store.pairs(str(prop)):
            named[incident][k].add(org)
    kinds: dict[str, set[str]] = defaultdict(set)  # 地方公共団体, 保険者: see linking.yaml
    for incident, kind in store.pairs(str(IKG.bodyKindNamed)):
        kinds[incident].add(kind)
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for name, prop in _SINGLE.items():
        for incident, value in sorted(store.pairs(str(prop))):
            values[incident].setdefault(name, value)
    curated: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, prop in _CURATED.items():
        for incident, other in store.pairs(str(prop)):
            curated[incident][name].add(other)
    link_parts: dict[str, dict[str, str]] = defaultdict(dict)
    for prop, name in _LINK_PARTS:
        for node, value in sorted(store.pairs(str(prop))):
            link_parts[node][name] = _code(value).removeprefix("basis-")
    links: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for incident, node in store.pairs(str(IKG.hasCountermeasureLink)):
        part = link_parts.get(node, {})
        if {"m", "c", "b"} <= part.keys():
            links[incident].add((part["m"], part["c"], part["b"]))
    out: list[IncidentFacts] = []
    orgs_of: dict[str, OrgsOf] = {}
    for incident, report in sorted(reports.items()):
        responsible, involved = named.get(incident, (set(), set()))
        orgs_of[incident] = (frozenset(responsible), frozenset(involved))
        out.append(
            _facts(
                incident,
                report,
                issued.get(report),
                orgs,
                orgs_of[incident],
                kinds.get(incident, ()),
                sets.get(incident, {}),
                values.get(incident, {}),
                curated.get(incident, {}),
                links.get(incident, ()),
            )
        )
    every_org = set(orgs.parents) | {o for pair in orgs_of.values() for part in pair for o in part}
    return ReadFacts(StoreFacts(tuple(out), orgs.body_iris(every_org)), orgs, orgs_of)


def read_facts(store: GraphStore) -> StoreFacts:
    """The facts of every incident in the store, for linking and effectiveness."""
    return read_all(store).facts


def _objects(store: GraphStore, subject: str, prop: object) -> list[str]:
    return sorted(
        str(getattr(q.object, "value", q.object))
        for q in store.match(ox.NamedNode(subject), ox.NamedNode(str(prop)), None)
    )


def read_incidents(
    store: GraphStore, incidents: Iterable[str], orgs: Orgs
) -> dict[str, tuple[IncidentFacts, OrgsOf]]:
    """The facts of some incidents, looked up by subject (what :func:`read_all` reads of
    them, without reading the others); an incident no report tells any more is left out."""
    out: dict[str, tuple[IncidentFacts, OrgsOf]] = {}
    for incident in sorted(set(incidents)):
        reports = _objects(store, incident, IKG.reportedIn)
        if not reports:
            continue
        report = reports[-1]
        issued = _objects(store, report, DCTERMS.issued)
        named = (
            frozenset(_objects(store, incident, IKG.responsibleOrganization)),
            frozenset(_objects(store, incident, IKG.involvedOrganization)),
        )
        links: set[tuple[str, str, str]] = set()
        for node in _objects(store, incident, IKG.hasCountermeasureLink):
            part = {}
            for prop, name in _LINK_PARTS:
                found = _objects(store, node, prop)
                if found:
                    part[name] = _code(found[-1]).removeprefix("basis-")
            if {"m", "c", "b"} <= part.keys():
                links.add((part["m"], part["c"], part["b"]))
        values = {
            name: found[0]
            for name, prop in _SINGLE.items()
            if (found := _objects(store, incident, prop))
        }
        facts = _facts(
            incident,
            report,
            issued[-1] if issued else None,
            orgs,
            named,
            _objects(store, incident, IKG.bodyKindNamed),
            {
                name: {_code(c) for c in _objects(store, incident, prop)}
                for name, prop in CODED.items()
            },
            values,
            {name: _objects(store, incident, prop) for name, prop in _CURATED.items()},
            links,
        )
        out[incident] = (facts, named)
    return out


#: An organisation minted within one report (a name ambiguous across the country, such as a
#: ward named without its city: 中区): ``…/report/<id>/org/<name>``.
_REPORT_SCOPED = re.compile(r"/report/[^/]+/org/[^/]+$")


def same_bodies(
    groups: Iterable[Iterable[str]],
    orgs_of: Mapping[str, Iterable[str]],
    labels: Mapping[str, str],
) -> dict[str, str]:
    """Organisations minted within their reports that are one body: those of one name that
    tellings of one event name (two reports of 横浜市中区's incident each mint their own
    ``中区``).  Returns each such organisation → the one that stands for them all (the
    smallest IRI), across every event (a report's ward linked through two events is one)."""
    same = UnionFind()
    for group in groups:
        by_name: dict[str, set[str]] = defaultdict(set)
        for incident in group:
            for org in orgs_of.get(incident, ()):
                if _REPORT_SCOPED.search(org) and labels.get(org):
                    by_name[labels[org]].add(org)
        for orgs in by_name.values():
            same.union(*orgs)
    return {org: min(one) for one in same.to_sets() for org in one if org != min(one)}


def same_bodies_of(linking: Linking, read: ReadFacts) -> dict[str, str]:
    """:func:`same_bodies` of the groups of ``linking``, with the organisations read."""
    orgs_of = {
        i: read.orgs_of[i][0] | read.orgs_of[i][1]
        for group in linking.groups
        for i in group
        if i in read.orgs_of
    }
    return same_bodies(linking.groups, orgs_of, read.orgs.labels)


# -- writing ------------------------------------------------------------------------------


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))


def _date(iso: str) -> str:
    return str(ox.Literal(iso, datatype=ox.NamedNode(str(_DATATYPE[len(iso)]))))


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:16]


class _Lines:
    """N-Triples lines of the links graph, collected in a set."""

    def __init__(self) -> None:
        self.lines: set[str] = set()

    def add(self, s: str, p: object, o: str) -> None:
        self.lines.add(f"{_iri(s)} {_iri(str(p))} {o} .\n")


def linking_lines(linking: Linking, base: str) -> set[str]:
    """The lines of the links graph that say which incidents are one event, or part of one,
    and why (every incident they name is in ``linking``'s groups or links)."""
    out = _Lines()
    for group in linking.groups:
        for a in group:
            for b in group:
                if a != b:
                    out.add(a, IKG.sameIncidentAs, _iri(b))
    for incident, key in linking.counted_as.items():
        out.add(incident, IKG.countedAs, _iri(key))
    for case_key, grouping in linking.part_of.items():
        for member in _members(linking, case_key):
            out.add(member, IKG.partOfIncident, _iri(grouping))
    for link in linking.links:
        node = f"{base}link/{_digest(link.kind, link.source, link.target)}"
        out.add(node, RDF.type, _iri(str(IKG.IncidentLink)))
        out.add(node, IKG.linkSource, _iri(link.source))
        out.add(node, IKG.linkTarget, _iri(link.target))
        out.add(node, IKG.linkKind, _iri(str(KIND[link.kind])))
        out.add(node, IKG.linkBasis, _iri(str(BASIS[link.basis])))
        for fact in link.facts:
            out.add(node, IKG.matchedFact, str(ox.Literal(fact)))
        if link.basis == "matched":
            decimal = ox.NamedNode(str(XSD.decimal))
            out.add(node, IKG.linkScore, str(ox.Literal(f"{link.score:.3f}", datatype=decimal)))
    return out.lines


def same_org_lines(same_orgs: Mapping[str, str]) -> set[str]:
    """``<org> owl:sameAs <the one kept>`` for each organisation of :func:`same_bodies`."""
    out = _Lines()
    for org, kept in same_orgs.items():
        out.add(org, OWL.sameAs, _iri(kept))
    return out.lines


def adoption_lines(adoption: Adoption, body_iri: str, base: str) -> set[str]:
    """The lines of one measure adoption (``body_iri``: the adopting body's organisation)."""
    out = _Lines()
    integer = ox.NamedNode(str(XSD.integer))
    node = f"{base}adoption/{_digest(adoption.body, adoption.measure, adoption.cause)}"
    out.add(node, RDF.type, _iri(str(IKG.MeasureAdoption)))
    out.add(node, IKG.adoptingBody, _iri(body_iri))
    out.add(node, IKG.measure, _iri(str(CODE[adoption.measure])))
    out.add(node, IKG.addressesCause, _iri(str(CODE[adoption.cause])))
    out.add(node, IKG.adoptedIn, _iri(adoption.adopted_in))
    if adoption.adopted_on:
        out.add(node, IKG.adoptedOn, _date(adoption.adopted_on))
    for recurrence in adoption.recurrences:
        out.add(node, IKG.recurrence, _iri(recurrence))
    count = str(len(adoption.recurrences))
    out.add(node, IKG.recurrenceCount, str(ox.Literal(count, datatype=integer)))
    if adoption.days_at_risk is not None:
        days = str(adoption.days_at_risk)
        out.add(node, IKG.daysAtRisk, str(ox.Literal(days, datatype=integer)))
    return out.lines


def adopting_iri(adoption: Adoption, body_iris: Mapping[str, str], base: str) -> str:
    """The organisation of the body that adopted a measure (minted when none is known)."""
    return body_iris.get(adoption.body, f"{base}org/{adoption.body}")


def links_ntriples(
    linking: Linking,
    found: Effectiveness,
    body_iris: Mapping[str, str],
    base: str,
    same_orgs: Mapping[str, str] | None = None,
) -> str:
    """The links graph as N-Triples (sorted: the same store gives the same graph); with
    ``same_orgs`` (:func:`same_bodies`), ``<org> owl:sameAs <the one kept>``."""
    lines = linking_lines(linking, base) | same_org_lines(same_orgs or {})
    for adoption in found.adoptions:
        lines |= adoption_lines(adoption, adopting_iri(adoption, body_iris, base), base)
    return "".join(sorted(lines))


def _members(linking: Linking, key: str) -> set[str]:
    """The incidents counted as ``key`` by their own group (not through a grouping)."""
    for group in linking.groups:
        if key in group:
            return set(group)
    return {key}


@dataclass(frozen=True)
class LinkSummary:
    """What one link pass found."""

    incidents: int
    counted: int  # distinct incidents
    groups: int  # incidents told by several reports
    parts: int  # cases linked as part of a grouping
    adoptions: int


def analyse(
    store: GraphStore, rules: LinkingRules | None = None
) -> tuple[StoreFacts, Linking, Effectiveness]:
    """Read the store, link its incidents and follow up the adoptions (no writing)."""
    rules = rules or load_linking_rules()
    facts = read_facts(store)
    linking = link_incidents(facts.incidents, rules)
    return facts, linking, effectiveness(facts.incidents, linking, rules)


def _keep_effectiveness(effectiveness: str, token: str) -> str:
    """The update that replaces what the link pass keeps in the summary graph: the follow-up
    of measures (JSON, graph/effectiveness.py) and the pass's token (graph/link_state.py)."""
    return (
        f"DELETE WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{LINKS_GRAPH}> ?sp ?so }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{SUMMARY_GRAPH}> {{ <{LINKS_GRAPH}> "
        f"<{EFFECTIVENESS_KEY}> {ox.Literal(effectiveness)} . "
        f"<{LINKS_GRAPH}> <{TOKEN_KEY}> {ox.Literal(token)} }} }}"
    )


def replace_links(store: GraphStore, ntriples: str, effectiveness: str, token: str) -> None:
    """Replace the links graph and, in the same transaction, the follow-up of measures (JSON,
    graph/effectiveness.py) kept beside it in the summary graph (store-internal)."""
    store.update(
        f"DROP SILENT GRAPH <{LINKS_GRAPH}> ;\n"
        f"INSERT DATA {{ GRAPH <{LINKS_GRAPH}> {{\n{ntriples}\n}} }} ;\n"
        + _keep_effectiveness(effectiveness, token)
    )


def change_links(
    store: GraphStore, gone: Iterable[str], added: Iterable[str], effectiveness: str, token: str
) -> None:
    """Take some lines out of the links graph and put others in, with the follow-up of
    measures and the token, in one transaction."""
    ops = []
    if gone:
        ops.append(f"DELETE DATA {{ GRAPH <{LINKS_GRAPH}> {{\n{''.join(sorted(gone))}}} }} ;\n")
    if added:
        ops.append(f"INSERT DATA {{ GRAPH <{LINKS_GRAPH}> {{\n{''.join(sorted(added))}}} }} ;\n")
    store.update("".join(ops) + _keep_effectiveness(effectiveness, token))


def kept_effectiveness(store: GraphStore) -> str | None:
    """The follow-up of measures the last link pass kept (JSON), if any."""
    found = store.query(
        f"SELECT ?text WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{LINKS_GRAPH}> "
        f"<{EFFECTIVENESS_KEY}> ?text }} }}"
    )
    for row in cast(ox.QuerySolutions, found):
        text = row[0]
        if isinstance(text, ox.Literal):
            return text.value
    return None


def _every_org(orgs: Orgs, orgs_of: Mapping[str, OrgsOf]) -> set[str]:
    return set(orgs.parents) | {o for named in orgs_of.values() for part in named for o in part}


def _adoptions(
    found: Effectiveness, body_iris: Mapping[str, str], base: str
) -> frozenset[tuple[Adoption, str]]:
    return frozenset((a, adopting_iri(a, body_iris, base)) for a in found.adoptions)


def _relink_all(
    store: GraphStore, rules: LinkingRules, base: str, key: str
) -> tuple[Linking, Effectiveness, LinkState]:
    """Read and link the whole store, and write the links graph whole."""
    read = read_all(store)
    edges: list[tuple[str, str]] = []
    linking = link_incidents(read.facts.incidents, rules, edges)
    found = effectiveness(read.facts.incidents, linking, rules)
    same_orgs = same_bodies_of(linking, read)
    text = links_ntriples(linking, found, read.facts.body_iris, base, same_orgs)
    digests = graph_digests(store)
    kept = to_json(found)
    written = lines_sum(text.splitlines(keepends=True))
    token = pass_token(written, kept, digests)
    replace_links(store, text, kept, token)
    facts = {f.iri: f for f in read.facts.incidents}
    named = {org for pair in read.orgs_of.values() for part in pair for org in part}
    state = LinkState(
        key,
        token,
        digests,
        facts,
        dict(read.orgs_of),
        {org: read.orgs.body(org) for org in named},
        adjacency_of(facts, edges),
        linking,
        same_orgs,
        _adoptions(found, read.facts.body_iris, base),
        dict(read.facts.body_iris),
        written,
    )
    return linking, found, state


def _relink_changed(
    store: GraphStore, rules: LinkingRules, base: str, state: LinkState
) -> tuple[Linking, Effectiveness, LinkState]:
    """Read again the incidents of the reports whose graph changed since ``state`` (and those
    naming an organisation whose body changed), link again their components, and write what
    changed in the links graph."""
    digests = graph_digests(store)
    changed_reports = {
        r for r in digests.keys() | state.digests.keys() if digests.get(r) != state.digests.get(r)
    }
    orgs = read_orgs(store)
    todo = {i for i, f in state.facts.items() if f.report in changed_reports}
    for report in changed_reports:
        todo |= {
            str(getattr(q.subject, "value", q.subject))
            for q in store.match(None, ox.NamedNode(str(IKG.reportedIn)), ox.NamedNode(report))
        }
    body_of = {org: orgs.body(org) for org in state.body_of}
    moved = {org for org, body in body_of.items() if state.body_of[org] != body}
    if moved:
        todo |= {i for i, named in state.orgs_of.items() if moved & (named[0] | named[1])}
    fresh = read_incidents(store, todo, orgs)
    facts, orgs_of = dict(state.facts), dict(state.orgs_of)
    for incident in todo:
        facts.pop(incident, None)
        orgs_of.pop(incident, None)
    for incident, (f, named) in fresh.items():
        facts[incident], orgs_of[incident] = f, named
        for org in named[0] | named[1]:
            body_of.setdefault(org, orgs.body(org))
    changed = {i for i in todo if state.facts.get(i) != facts.get(i)}
    update = update_linking(state.facts, facts, state.adjacency, state.linking, changed, rules)
    linking = update.linking
    ordered = [facts[i] for i in sorted(facts)]
    found = effectiveness(ordered, linking, rules)
    in_groups = {i for group in linking.groups for i in group}
    same_orgs = same_bodies(
        linking.groups, {i: orgs_of[i][0] | orgs_of[i][1] for i in in_groups}, orgs.labels
    )
    body_iris = orgs.body_iris(_every_org(orgs, orgs_of))
    adoptions = _adoptions(found, body_iris, base)
    before = linking_lines(update.before, base) | same_org_lines(
        {k: v for k, v in state.same_orgs.items() if same_orgs.get(k) != v}
    )
    after = linking_lines(update.after, base) | same_org_lines(
        {k: v for k, v in same_orgs.items() if state.same_orgs.get(k) != v}
    )
    for adoption, iri in state.adoptions - adoptions:
        before |= adoption_lines(adoption, iri, base)
    for adoption, iri in adoptions - state.adoptions:
        after |= adoption_lines(adoption, iri, base)
    gone, added = before - after, after - before
    written = (state.lines_sum - lines_sum(gone) + lines_sum(added)) % (1 << 128)
    kept = to_json(found)
    token = pass_token(written, kept, digests)
    change_links(store, gone, added, kept, token)
    every = {org for pair in orgs_of.values() for part in pair for org in part}
    new_state = LinkState(
        state.key,
        token,
        digests,
        facts,
        orgs_of,
        {org: body_of[org] for org in every},
        update.adjacency,
        linking,
        same_orgs,
        adoptions,
        body_iris,
        written,
    )
    return linking, found, new_state


def relink(
    store: GraphStore, rules: LinkingRules | None = None, *, incremental: bool = True
) -> LinkSummary:
    """Recompute the links graph of the store (one transaction). ``incremental``: link again
    only what the reports changed since the last pass could change (graph/link_state.py),
    when its state can be trusted and the store holds no imported graphs; else, and for a
    store not on disk, read and link the whole store."""
    rules = rules or load_linking_rules()
    base = store.base_iri() or DEFAULT_BASE
    key = state_key(rules, base)
    incremental = incremental and not store.imported_graph_names()
    with paused_collector():  # hundreds of thousands of facts, none in a cycle
        state = load_state(store, key) if incremental else None
        if state is None:
            linking, found, state = _relink_all(store, rules, base, key)
        else:
            linking, found, state = _relink_changed(store, rules, base, state)
        if incremental:
            save_state(store, state)
    counted = {linking.key(i) for i in state.facts}
    summary = LinkSummary(
        len(state.facts),
        len(counted),
        len(linking.groups),
        len(linking.part_of),
        len(found.adoptions),
    )
    log.info(
        "linked %d incidents: %d distinct, %d told by several reports, %d part of a grouping, "
        "%d measure adoptions",
        summary.incidents,
        summary.counted,
        summary.groups,
        summary.parts,
        summary.adoptions,
    )
    return summary


__all__ = [
    "LinkSummary",
    "StoreFacts",
    "analyse",
    "kept_effectiveness",
    "links_ntriples",
    "read_facts",
    "relink",
    "replace_links",
    "same_bodies",
]
