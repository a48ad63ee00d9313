"""Who acted, inferred from the body that answers for the incident when no sentence says it.

A local government that tells its own wrong (市は…誤って送付したと発表した) did it by its
staff, unless the incident names another hand (a contractor, a vendor, the post).  The rules are
the lexicon's ``body_actors:`` list; each inferred actor carries the sentence that names the
body as its evidence, its own rule id and a lower confidence than a stated actor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from incident_kg.errors import IncidentKGError

from .model import CodedValue, OrganizationMention, evidence


@dataclass(frozen=True)
class BodyActor:
    """One rule: the actor a body of these kinds implies, unless the incident says otherwise."""

    rule_id: str
    code: str
    kinds: frozenset[str]
    #: Actors that, when coded, say someone else acted.
    unless_actors: frozenset[str]
    #: Words that, anywhere in the incident, say someone else acted.
    unless: tuple[re.Pattern[str], ...]
    confidence: float


def load_body_actors(data: Mapping[str, Any], known_actors: Sequence[str]) -> tuple[BodyActor, ...]:
    """The lexicon's ``body_actors:`` rules; every code must be a known actor."""
    out: list[BodyActor] = []
    for i, spec in enumerate(data.get("body_actors") or (), start=1):
        code = str(spec["code"])
        if code not in known_actors:
            raise IncidentKGError(f"lexicon: body_actors: unknown actor code {code!r}")
        out.append(
            BodyActor(
                rule_id=f"actors/{code}/{spec.get('id', i)}",
                code=code,
                kinds=frozenset(spec["kinds"]),
                unless_actors=frozenset(spec.get("unless_actors", ())),
                unless=tuple(re.compile(p) for p in spec.get("unless", ())),
                confidence=float(spec.get("confidence", 0.6)),
            )
        )
    return tuple(out)


def body_actors(
    rules: Sequence[BodyActor],
    organizations: Sequence[OrganizationMention],
    coded: Sequence[CodedValue],
    incident_text: str,
) -> list[CodedValue]:
    """The actors the incident's responsible body implies (pure)."""
    actors = {v.code for v in coded if v.field == "actors"}
    out: list[CodedValue] = []
    for rule in rules:
        if rule.code in actors or actors & rule.unless_actors:
            continue
        body = next((o for o in organizations if o.responsible and o.kind in rule.kinds), None)
        if body is None or any(p.search(incident_text) for p in rule.unless):
            continue
        out.append(
            CodedValue(
                "actors", rule.code, evidence(body.evidence.span, rule.rule_id, rule.confidence)
            )
        )
        actors.add(rule.code)
    return out
