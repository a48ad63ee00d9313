"""Effectiveness: did a measure work? (pure; no store)

For each body, cause and measure: when the body adopted the measure for the cause (the date
of the first report of one of its incidents with that cause that ties the measure to it) and
whether the same cause recurred in that body afterwards — a later *distinct* incident (the
link pass's counted key: a re-telling is not a recurrence), whose date (occurred, else
discovered, else its report's) falls certainly after the adoption's (after the last day the
adoption's date may mean). Time at risk runs from the adoption to the first recurrence, or to
the latest date the data knows of.

Across bodies, for each measure and cause: the bodies that adopted it, how many of them saw
the cause again, the recurrences and the body-years at risk, and the same for the bodies
that had the cause and did not adopt the measure (at risk from their first report of it).
The figures are counts, not an estimate of an effect: :data:`CAVEATS` says why, and
:func:`caveats` adds what applies to a row (few bodies, undated adoptions).

Incidents naming many bodies (national groupings) count as an incident of each body they
name, but their measures are the regulator's: they are nobody's adoption.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from incident_kg.ontology.tables import LinkingRules

from .linking import IncidentFacts, Linking, interval, is_grouping

#: Said with every effectiveness answer.
CAVEATS = (
    "small numbers: a handful of bodies cannot show that a measure works; read the counts, "
    "not the rates",
    "reporting bias: only published reports are seen; a recurrence nobody published is "
    "missed, and a body that publishes more looks worse",
    "adoption is dated by the report that announces the measure, not by when it took effect",
    "one body's adopters and non-adopters differ in more than the measure (size, system, "
    "vendor): this is a comparison, not an experiment",
)
#: Fewer bodies than this on either side earns a row its own caveat.
FEW_BODIES = 5
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Event:
    """One distinct incident (a counted key) as effectiveness sees it."""

    key: str
    bodies: frozenset[str]
    causes: frozenset[str]
    when: str | None  # ISO: occurred, else discovered, else its report's date (earliest)
    response: str | None  # ISO: its first report's date, else its latest dated fact
    #: (measure, cause, basis, body): what each body's own telling adopted (not a grouping's)
    adoptions: frozenset[tuple[str, str, str, str]]


@dataclass(frozen=True)
class Adoption:
    """One body's adoption of a measure for a cause, and what followed."""

    body: str
    cause: str
    measure: str
    basis: str  # stated | defaulted
    adopted_on: str | None
    adopted_in: str  # the counted incident whose report adopted it
    recurrences: tuple[str, ...]  # later counted incidents of the body with the cause
    days_at_risk: int | None


@dataclass(frozen=True)
class Effect:
    """One measure against one cause, across bodies."""

    measure: str
    cause: str
    adopters: int
    adopters_recurred: int
    recurrences: int
    years_at_risk: float
    others: int  # bodies with the cause that did not adopt the measure for it
    others_recurred: int
    other_recurrences: int
    other_years_at_risk: float
    undated: int  # adoptions with no date: not in time at risk
    caveats: tuple[str, ...] = ()

    @property
    def rate(self) -> float | None:
        """Recurrences per body-year at risk after adoption (None without time at risk)."""
        return self.recurrences / self.years_at_risk if self.years_at_risk else None

    @property
    def other_rate(self) -> float | None:
        """The same for the bodies that did not adopt it."""
        return (
            self.other_recurrences / self.other_years_at_risk if self.other_years_at_risk else None
        )


@dataclass(frozen=True)
class Effectiveness:
    """Every adoption, and the effect of each measure on each cause."""

    adoptions: tuple[Adoption, ...]
    effects: tuple[Effect, ...]
    observed_until: str | None
    caveats: tuple[str, ...] = CAVEATS


def to_json(found: Effectiveness) -> str:
    """The adoptions and effects as JSON (what the link pass keeps in the store beside the
    links graph, so that a command reads them instead of linking the corpus again)."""
    import json

    data = {
        "adoptions": [vars(a) for a in found.adoptions],
        "effects": [vars(e) for e in found.effects],
        "observed_until": found.observed_until,
        "caveats": found.caveats,
    }  # the fields are plain values and tuples of them: no deep copy (dataclasses.asdict)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def from_json(text: str) -> Effectiveness:
    """The :class:`Effectiveness` :func:`to_json` wrote (tuples as they were)."""
    import json

    data = json.loads(text)
    return Effectiveness(
        adoptions=tuple(
            Adoption(**{**a, "recurrences": tuple(a["recurrences"])}) for a in data["adoptions"]
        ),
        effects=tuple(Effect(**{**e, "caveats": tuple(e["caveats"])}) for e in data["effects"]),
        observed_until=data["observed_until"],
        caveats=tuple(data["caveats"]),
    )


def _earliest(values: Iterable[str | None]) -> str | None:
    found = [v for v in values if v]
    return min(found, key=lambda v: interval(v)[0]) if found else None


def _latest(values: Iterable[str | None]) -> str | None:
    found = [v for v in values if v]
    return max(found, key=lambda v: interval(v)[1]) if found else None


def events(facts: Iterable[IncidentFacts], linking: Linking, rules: LinkingRules) -> list[Event]:
    """The distinct incidents: the incidents of each counted key folded together."""
    by_key: dict[str, list[IncidentFacts]] = defaultdict(list)
    for f in facts:
        by_key[linking.key(f.iri)].append(f)
    out: list[Event] = []
    for key, accounts in sorted(by_key.items()):
        when = (
            _earliest(a.occurred for a in accounts)
            or _earliest(a.discovered for a in accounts)
            or _earliest(a.published for a in accounts)
        )
        response = _earliest(a.published for a in accounts) or _latest(
            v for a in accounts for v in (a.resolved, a.discovered, a.occurred)
        )
        adoptions = frozenset(
            (*link, body)
            for a in accounts
            if not is_grouping(a, rules)
            for link in a.measure_links
            for body in a.bodies
            if body not in rules.generic_bodies
        )
        out.append(
            Event(
                key,
                frozenset(b for a in accounts for b in a.bodies if b not in rules.generic_bodies),
                frozenset(c for a in accounts for c in a.causes),
                when,
                response,
                adoptions,
            )
        )
    return out


def _after(event: Event, since: str) -> bool:
    """Whether an event certainly happened after the last day ``since`` may mean."""
    return event.when is not None and interval(event.when)[0] > interval(since)[1]


def _days(since: str, until: dt.date) -> int:
    return max(0, (until - interval(since)[1]).days)


def _at_risk(since: str | None, later: Sequence[Event], end: dt.date | None) -> int | None:
    if since is None or end is None:
        return None
    if later:
        first = min(interval(e.when or since)[0] for e in later)
        return _days(since, first)
    return _days(since, end)


def adoptions(event_list: Sequence[Event], observed_until: str | None) -> list[Adoption]:
    """Each body's first adoption of each measure for each cause, with what followed."""
    end = interval(observed_until)[1] if observed_until else None
    first: dict[tuple[str, str, str], tuple[Event, str]] = {}
    order = sorted(
        event_list, key=lambda e: (interval(e.response)[1] if e.response else dt.date.max, e.key)
    )
    for event in order:
        for measure, cause, basis, body in sorted(event.adoptions):
            first.setdefault((body, cause, measure), (event, basis))
    by_body_cause: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for e in event_list:
        for b in e.bodies:
            for c in e.causes:
                by_body_cause[(b, c)].append(e)
    out: list[Adoption] = []
    for (body, cause, measure), (event, basis) in sorted(first.items()):
        since = event.response
        candidates = by_body_cause[(body, cause)]
        later = [e for e in candidates if e.key != event.key and _after(e, since)] if since else []
        later.sort(key=lambda e: (interval(e.when or "9999")[0], e.key))
        out.append(
            Adoption(
                body,
                cause,
                measure,
                basis,
                since,
                event.key,
                tuple(e.key for e in later),
                _at_risk(since, later, end),
            )
        )
    return out


def _years(days: Iterable[int | None]) -> float:
    return round(sum(d for d in days if d is not None) / DAYS_PER_YEAR, 3)


def caveats(effect: Effect) -> tuple[str, ...]:
    """What applies to one row beyond :data:`CAVEATS`."""
    out = []
    if effect.adopters < FEW_BODIES or effect.others < FEW_BODIES:
        out.append(
            f"few bodies ({effect.adopters} adopted, {effect.others} did not): too few to tell"
        )
    if effect.undated:
        out.append(f"{effect.undated} adoption(s) without a date left out of the time at risk")
    return tuple(out)


def effects(
    event_list: Sequence[Event], found: Sequence[Adoption], observed_until: str | None
) -> list[Effect]:
    """Each measure against each cause: adopters against bodies with the cause that did not."""
    end = interval(observed_until)[1] if observed_until else None
    by_pair: dict[tuple[str, str], list[Adoption]] = defaultdict(list)
    for adoption in found:
        by_pair[(adoption.measure, adoption.cause)].append(adoption)
    with_cause: dict[str, dict[str, list[Event]]] = defaultdict(lambda: defaultdict(list))
    for event in event_list:
        for cause in event.causes:
            for body in event.bodies:
                with_cause[cause][body].append(event)
    out: list[Effect] = []
    for (measure, cause), adopted in sorted(by_pair.items()):
        adopters = {a.body for a in adopted}
        other_days: list[int | None] = []
        others_recurred = other_recurrences = 0
        others = sorted(set(with_cause[cause]) - adopters)
        for body in others:
            history = sorted(
                with_cause[cause][body],
                key=lambda e: (interval(e.response)[1] if e.response else dt.date.max, e.key),
            )
            since = history[0].response
            later = [e for e in history[1:] if since and _after(e, since)]
            other_days.append(_at_risk(since, later, end))
            other_recurrences += len(later)
            others_recurred += bool(later)
        effect = Effect(
            measure=measure,
            cause=cause,
            adopters=len(adopters),
            adopters_recurred=sum(1 for a in adopted if a.recurrences),
            recurrences=sum(len(a.recurrences) for a in adopted),
            years_at_risk=_years(a.days_at_risk for a in adopted),
            others=len(others),
            others_recurred=others_recurred,
            other_recurrences=other_recurrences,
            other_years_at_risk=_years(other_days),
            undated=sum(1 for a in adopted if a.days_at_risk is None),
        )
        out.append(replace(effect, caveats=caveats(effect)))
    return out


def effectiveness(
    facts: Iterable[IncidentFacts],
    linking: Linking,
    rules: LinkingRules,
    *,
    cause: str | None = None,
) -> Effectiveness:
    """Adoptions and effects over all incidents (``cause``: keep those of one cause)."""
    facts = list(facts)
    event_list = events(facts, linking, rules)
    observed = _latest(
        v for f in facts for v in (f.occurred, f.discovered, f.resolved, f.published)
    )
    found = adoptions(event_list, observed)
    measured = effects(event_list, found, observed)
    if cause is not None:
        found = [a for a in found if a.cause == cause]
        measured = [e for e in measured if e.cause == cause]
    return Effectiveness(tuple(found), tuple(measured), observed)


__all__ = [
    "CAVEATS",
    "Adoption",
    "Effect",
    "Effectiveness",
    "Event",
    "adoptions",
    "caveats",
    "effectiveness",
    "effects",
    "events",
    "from_json",
    "to_json",
]
