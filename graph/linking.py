"""Linking: which incidents of different reports are one event (pure; no store).

A report tells incidents; several reports may tell the same one (the regulator's table and
the city's own report, a press release and its council report, an agency's export imported
beside the agency's own build). :func:`link_incidents` decides, from the facts of each
incident (:class:`IncidentFacts`), and writes down why:

* **same incident** — two incidents of different reports that share a body (or name none and
  share at least two dates to the day) and a harm, whose
  known dates agree, and whose other facts (dates, counts, causes, measures, systems,
  procedures) score at least ``threshold`` (weights in ``ontology/linking.yaml``). Pairs are
  merged best first into groups; a merge that would put two incidents of one report in a
  group, or two incidents whose dates disagree, or two an analyst keeps apart, is not made —
  so similar-but-different incidents (the same kind of error in the same body a year later)
  stay apart.
* **part of** — one body's incident whose body a national grouping (an incident naming at
  least ``grouping_bodies`` bodies: a regulator's table row) names, with a harm in common and
  no date before the grouping's: counted as the grouping.
* **curated** — an analyst's ``same-as`` links whatever the facts say; ``not-same-as`` never
  links (see extraction/curation.py).

Every linked incident is **counted as** one incident: the first telling of its event (the
earliest report, then the smallest IRI), or the grouping it is part of. Counting distinct
``counted_as`` keys counts events, not tellings.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from incident_kg.ontology.tables import LinkingRules

SAME, PART_OF, DISTINCT = "same-incident", "part-of", "distinct"
MATCHED, CURATED = "matched", "curated"


@dataclass(frozen=True)
class IncidentFacts:
    """What the link pass compares of one incident as one report tells it."""

    iri: str
    report: str
    published: str | None = None  # the report's date, ISO at the precision given
    bodies: frozenset[str] = frozenset()  # names of the bodies answerable (top of part-of)
    harms: frozenset[str] = frozenset()
    causes: frozenset[str] = frozenset()
    countermeasures: frozenset[str] = frozenset()
    systems: frozenset[str] = frozenset()
    procedures: frozenset[str] = frozenset()
    occurred: str | None = None
    discovered: str | None = None
    resolved: str | None = None
    affected: int | None = None
    same_as: frozenset[str] = frozenset()  # curated: incident IRIs
    not_same_as: frozenset[str] = frozenset()
    #: (measure, cause, basis) of its countermeasure links: read by graph/effectiveness.py.
    measure_links: frozenset[tuple[str, str, str]] = frozenset()


@dataclass(frozen=True)
class Link:
    """Two incidents linked (or kept apart), how, and the facts that decided it."""

    source: str
    target: str
    kind: str  # same-incident | part-of | distinct
    basis: str  # matched | curated
    facts: tuple[str, ...] = ()
    score: float = 0.0


@dataclass(frozen=True)
class Linking:
    """The outcome of the link pass."""

    links: tuple[Link, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()  # incidents told by several reports, each sorted
    part_of: Mapping[str, str] = field(default_factory=dict)  # incident → grouping's key
    counted_as: Mapping[str, str] = field(default_factory=dict)  # linked incident → its key

    def key(self, incident: str) -> str:
        """The incident ``incident`` is counted as (itself when it is linked to none)."""
        return self.counted_as.get(incident, incident)


# -- dates -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def interval(iso: str) -> tuple[dt.date, dt.date]:
    """The first and last day a date at its precision may mean (2023-03 → 1 to 31 March)."""
    if len(iso) == 4:
        return dt.date(int(iso), 1, 1), dt.date(int(iso), 12, 31)
    if len(iso) == 7:
        year, month = int(iso[:4]), int(iso[5:7])
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    day = dt.date.fromisoformat(iso[:10])
    return day, day


def dates_agree(a: str, b: str) -> bool:
    """Whether two dates can mean the same day (their intervals overlap)."""
    (a0, a1), (b0, b1) = interval(a), interval(b)
    return a0 <= b1 and b0 <= a1


# -- comparing two incidents ---------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """What two incidents agree and disagree on."""

    score: float
    facts: tuple[str, ...]
    conflict: str | None = None  # why they cannot be one event (dates that disagree)


def _bodies(f: IncidentFacts, rules: LinkingRules) -> frozenset[str]:
    """The bodies an incident names, without kinds of body (地方公共団体, 保険者)."""
    return frozenset(b for b in f.bodies if b not in rules.generic_bodies)


def _shared_bodies(a: IncidentFacts, b: IncidentFacts, rules: LinkingRules) -> list[str]:
    """The bodies two incidents have in common; a kind of body (地方公共団体) counts only
    when one of them names no body of its own (national rows about "local governments"),
    never between two incidents that each name their own bodies."""
    named = _bodies(a, rules) & _bodies(b, rules)
    if named or (_bodies(a, rules) and _bodies(b, rules)):
        return sorted(named)
    return sorted(a.bodies & b.bodies)


#: The name of a local government (or a unit of one): 堺市, 熊本市中央区, 大阪府, 甘楽町.
LOCAL_BODY = re.compile(r"[都道府県市区町村]$")

#: A date agreeing counts in full at the day, half at the month, a quarter at the year.
PRECISION = {10: 1.0, 7: 0.5, 4: 0.25}
#: Counts this many times apart (48 and 230 cases) are not one event's, told twice.
FAR_APART = 3

#: Day-precision dates that two incidents naming no body must share to be one event.
UNNAMED_DATES = 2


def _unnamed_match(a: IncidentFacts, b: IncidentFacts) -> bool:
    """Neither names a body, and at least :data:`UNNAMED_DATES` of their dates (their
    reports' included) are the same day: a report whose body was not recognised, told again
    (an agency's own copy)."""
    if a.bodies or b.bodies:
        return False
    same = [
        n
        for n in ("occurred", "discovered", "resolved", "published")
        if (x := getattr(a, n)) and len(x) == 10 and x == getattr(b, n)
    ]
    return len(same) >= UNNAMED_DATES


def _key_harms(f: IncidentFacts, rules: LinkingRules) -> frozenset[str]:
    specific = f.harms - rules.generic_harms
    return specific or f.harms


def is_grouping(f: IncidentFacts, rules: LinkingRules) -> bool:
    """Whether the incident is a national grouping: it names enough bodies, or it names a kind
    of body (地方公共団体, 保険者: many bodies) and no local government of its own (a national
    row retold, not one body's case)."""
    named = _bodies(f, rules)
    if len(named) >= rules.grouping_bodies:
        return True
    return bool(f.bodies & rules.generic_bodies) and not any(map(LOCAL_BODY.search, named))


def _share(name: str, a: frozenset[str], b: frozenset[str], weight: float) -> tuple[float, str]:
    common = sorted(a & b)
    ratio = len(common) / len(a | b)
    return weight * ratio, f"{name}: {len(common)} of {len(a | b)} in common ({', '.join(common)})"


def compare(
    a: IncidentFacts, b: IncidentFacts, rules: LinkingRules, *, part_of: bool = False
) -> Comparison:
    """Score the facts two incidents of different reports agree on. ``part_of``: ``a`` is a
    body's case and ``b`` a grouping, so a date of ``a`` may fall in or after ``b``'s."""
    facts = [f"body: {body}" for body in _shared_bodies(a, b, rules)]
    if not a.bodies and not b.bodies:
        facts.append("body: named by neither")
    facts += [f"harm: {harm}" for harm in sorted(_key_harms(a, rules) & _key_harms(b, rules))]
    score = 0.0
    counted: set[tuple[str, str]] = set()
    for name in ("occurred", "discovered", "resolved"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            continue
        if dates_agree(x, y):
            if (x, y) not in counted:  # the same pair of dates again tells nothing new
                score += rules.weight(name) * PRECISION[min(len(x), len(y))]
                counted.add((x, y))
            facts.append(f"{name}: {x} ~ {y}")
        elif part_of and name == "occurred" and interval(x)[1] >= interval(y)[0]:
            facts.append(f"{name}: {x} within or after {y}")
        elif not part_of or name == "occurred":
            return Comparison(score, tuple(facts), f"{name} differs: {x} / {y}")
    if a.affected is not None and b.affected is not None and not part_of:
        if a.affected == b.affected:
            score += rules.weight("count_equal")
            facts.append(f"count: {a.affected}")
        elif max(a.affected, b.affected) >= FAR_APART * max(1, min(a.affected, b.affected)):
            score += rules.weight("count_far_apart")
            facts.append(f"count far apart: {a.affected} / {b.affected}")
        else:
            score += rules.weight("count_differs")
            facts.append(f"count differs: {a.affected} / {b.affected}")
    for name in ("causes", "countermeasures", "systems", "procedures"):
        x, y = getattr(a, name), getattr(b, name)
        if x and y and x & y:
            points, fact = _share(name, x, y, rules.weight(name))
            score += points
            facts.append(fact)
    return Comparison(round(score, 3), tuple(facts))


def block_keys(f: IncidentFacts, rules: LinkingRules) -> set[tuple[str, str]]:
    """The (body, harm) blocks an incident is compared within: two incidents are compared only
    when they share one (an incident naming no body is blocked by its occurrence date)."""
    return {
        (body, harm)
        for body in f.bodies or {f"(no body) {f.occurred}"}
        for harm in _key_harms(f, rules)
    }


def is_candidate(a: IncidentFacts, b: IncidentFacts, rules: LinkingRules) -> bool:
    """Whether two incidents of one block are compared: different reports that share a body
    (or name none and share dates, :func:`_unnamed_match`)."""
    return a.report != b.report and bool(_shared_bodies(a, b, rules) or _unnamed_match(a, b))


def _block_pairs(
    members: Sequence[IncidentFacts], rules: LinkingRules
) -> Iterator[tuple[IncidentFacts, IncidentFacts]]:
    """The pairs of one block that could score a link: two incidents of one body's own (not
    groupings) whose occurrence dates are both known and disagree never do (:func:`compare`
    finds the conflict first), so those with a date are paired only where their intervals
    overlap (sorted and swept: a body's reports over the years are not compared all with
    all); a grouping, or an incident without an occurrence date, is paired with every other."""
    dated: list[tuple[dt.date, dt.date, IncidentFacts]] = []
    rest: list[IncidentFacts] = []
    for f in members:
        if f.occurred is not None and not is_grouping(f, rules):
            dated.append((*interval(f.occurred), f))
        else:
            rest.append(f)
    dated.sort(key=lambda d: (d[0], d[2].iri))
    for i, (_, last, a) in enumerate(dated):
        for j in range(i + 1, len(dated)):
            first, _, b = dated[j]
            if first > last:
                break
            yield a, b
    yield from itertools.combinations(rest, 2)
    for f in rest:
        for _, _, b in dated:
            yield f, b


def _candidate_pairs(
    facts: Sequence[IncidentFacts], rules: LinkingRules
) -> Iterable[tuple[IncidentFacts, IncidentFacts]]:
    """Pairs of incidents of different reports sharing a body and a harm (blocked by
    (body, harm), so the work grows with the pairs that could match, not with n²; within a
    block, by :func:`_block_pairs`). A pair in several blocks is taken in the least of them,
    so no set of the pairs seen is kept (it grew with the pairs, not the corpus)."""
    blocks: dict[tuple[str, str], list[IncidentFacts]] = defaultdict(list)
    keys: dict[str, set[tuple[str, str]]] = {}
    for f in facts:
        keys[f.iri] = block_keys(f, rules)
        for key in keys[f.iri]:
            blocks[key].append(f)
    for key, members in blocks.items():
        for a, b in _block_pairs(members, rules):
            shared = keys[a.iri] & keys[b.iri]
            if (len(shared) > 1 and min(shared) != key) or not is_candidate(a, b, rules):
                continue
            yield (a, b) if a.iri < b.iri else (b, a)


#: A pair of incidents that may be linked: (score, a, b, comparison); for part-of, ``a`` is
#: the body's case and ``b`` the grouping.
Scored = tuple[float, IncidentFacts, IncidentFacts, Comparison]


def score_pair(
    a: IncidentFacts, b: IncidentFacts, rules: LinkingRules
) -> tuple[str, Scored] | None:
    """A candidate pair's claim to be one event (:data:`SAME`) or a case of a grouping
    (:data:`PART_OF`), when its score reaches the threshold; None otherwise."""
    ga, gb = is_grouping(a, rules), is_grouping(b, rules)
    if ga == gb:
        result = compare(a, b, rules)
        if result.conflict is None and result.score >= rules.threshold:
            return SAME, (result.score, a, b, result)
        return None
    case, grouping = (b, a) if ga else (a, b)
    if not _bodies(case, rules) <= _bodies(grouping, rules):
        return None
    result = compare(case, grouping, rules, part_of=True)
    if result.conflict is None and result.score >= rules.part_of_threshold:
        return PART_OF, (result.score, case, grouping, result)
    return None


# -- grouping ----------------------------------------------------------------------------


class _Groups:
    """Union–find over incidents, refusing merges that break the constraints."""

    def __init__(self, facts: Mapping[str, IncidentFacts], apart: set[frozenset[str]]) -> None:
        self.parent = {iri: iri for iri in facts}
        self.members = {iri: {iri} for iri in facts}
        self.facts = facts
        self.apart = apart

    def find(self, iri: str) -> str:
        while self.parent[iri] != iri:
            self.parent[iri] = self.parent[self.parent[iri]]
            iri = self.parent[iri]
        return iri

    def blocked(self, a: str, b: str, rules: LinkingRules) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        for x, y in itertools.product(self.members[ra], self.members[rb]):
            fx, fy = self.facts[x], self.facts[y]
            if fx.report == fy.report or frozenset((x, y)) in self.apart:
                return True
            if compare(fx, fy, rules).conflict is not None:
                return True
        return False

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)


def _first_telling(members: Iterable[str], facts: Mapping[str, IncidentFacts]) -> str:
    """The key of a group: the incident of the earliest report (undated last), then IRI."""
    return min(members, key=lambda i: (facts[i].published or "9999", facts[i].report, i))


def link_incidents(
    incidents: Iterable[IncidentFacts],
    rules: LinkingRules,
    edges: list[tuple[str, str]] | None = None,
) -> Linking:
    """Link the incidents of different reports that tell one event (see the module doc).
    ``edges``, when given, receives every compared pair that scored a link (what
    :func:`link_edges` says of one incident; graph/link_state.py keeps them)."""
    facts = {f.iri: f for f in incidents}
    ordered = [facts[i] for i in sorted(facts)]
    apart = {
        frozenset((f.iri, other))
        for f in ordered
        for other in f.not_same_as
        if other in facts and other != f.iri
    }
    links: list[Link] = []
    for pair in sorted(apart, key=sorted):
        first, second = sorted(pair)
        links.append(Link(first, second, DISTINCT, CURATED, ("not-same-as (curation)",)))
    groups = _Groups(facts, apart)
    for f in ordered:  # curated same-as first, whatever the facts
        for other in sorted(f.same_as):
            if other in facts and frozenset((f.iri, other)) not in apart:
                groups.union(f.iri, other)
                links.append(Link(f.iri, other, SAME, CURATED, ("same-as (curation)",)))
    same: list[Scored] = []
    part: list[Scored] = []
    for a, b in _candidate_pairs(ordered, rules):
        if frozenset((a.iri, b.iri)) in apart:
            continue
        scored = score_pair(a, b, rules)
        if scored is not None:
            (same if scored[0] == SAME else part).append(scored[1])
            if edges is not None:
                edges.append((a.iri, b.iri))
    for score, a, b, result in sorted(same, key=lambda s: (-s[0], s[1].iri, s[2].iri)):
        if not groups.blocked(a.iri, b.iri, rules):
            groups.union(a.iri, b.iri)
            links.append(Link(a.iri, b.iri, SAME, MATCHED, result.facts, score))
    counted: dict[str, str] = {}
    grouped: list[tuple[str, ...]] = []
    for members in groups.members.values():
        if len(members) > 1:
            key = _first_telling(members, facts)
            grouped.append(tuple(sorted(members)))
            counted.update({m: key for m in members})
    part_of: dict[str, str] = {}
    for score, case, grouping, result in sorted(part, key=lambda s: (-s[0], s[1].iri, s[2].iri)):
        case_key = counted.get(case.iri, case.iri)
        if case_key in part_of or groups.find(case.iri) == groups.find(grouping.iri):
            continue
        target = counted.get(grouping.iri, grouping.iri)
        part_of[case_key] = target
        links.append(Link(case.iri, grouping.iri, PART_OF, MATCHED, result.facts, score))
    for case_key, target in part_of.items():
        members = groups.members[groups.find(case_key)]
        counted.update({m: target for m in members})
        counted.setdefault(target, target)
    return Linking(tuple(links), tuple(sorted(grouped)), part_of, counted)


def curated_edges(f: IncidentFacts, present: Mapping[str, IncidentFacts]) -> set[str]:
    """The incidents an analyst tied ``f`` to (same-as or not-same-as), among ``present``."""
    return {o for o in f.same_as | f.not_same_as if o in present and o != f.iri}


def link_edges(
    f: IncidentFacts,
    blocks: Mapping[tuple[str, str], Iterable[IncidentFacts]],
    rules: LinkingRules,
) -> set[str]:
    """The incidents whose pair with ``f`` scores a link (:func:`score_pair`), found in the
    blocks ``f`` belongs to (:func:`block_keys`): what :func:`link_incidents` compares ``f``
    with, looked up rather than scanned."""
    out: set[str] = set()
    for key in block_keys(f, rules):
        for other in blocks.get(key, ()):
            if other.iri == f.iri or other.iri in out or not is_candidate(f, other, rules):
                continue
            a, b = (f, other) if f.iri < other.iri else (other, f)
            if score_pair(a, b, rules) is not None:
                out.add(other.iri)
    return out


__all__ = [
    "CURATED",
    "DISTINCT",
    "MATCHED",
    "PART_OF",
    "SAME",
    "Comparison",
    "IncidentFacts",
    "Link",
    "Linking",
    "block_keys",
    "compare",
    "curated_edges",
    "dates_agree",
    "interval",
    "is_candidate",
    "is_grouping",
    "link_edges",
    "link_incidents",
    "score_pair",
]
