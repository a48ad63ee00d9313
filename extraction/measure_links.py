"""Measure links: which cause(s) each countermeasure of an incident addresses.

Stated, where the text says so:

* **reason or purpose** — a measure's sentence that opens with the cause it answers
  (ログアウト漏れを防止するため、チェックリストを…; チェックが行われていなかったため、
  複数人によるチェックを…): the clause before the first cue of ``measures.yaml``
  (``stated.clause_cues``) is read with the cause rules of the lexicon, and every cause of
  the incident it names is tied to the measures coded from that sentence
  (rule ``measure-link/clause``);
* **numbering** — causes and measures both numbered with the same numbers ((1) (2), ①②,
  ア イ): measure (k) answers cause (k) (rule ``measure-link/numbering``).

Otherwise a measure is tied to each cause of its incident that the reviewed default table
(``measures.yaml``, ``defaults``) lists for it, marked *defaulted* (a pair the text states
is not defaulted again). Pure functions over the records: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from incident_kg.ontology.tables import MeasureDefaults

from .coding import Analyzer, Lexicon, cause_role, code_sentence
from .model import CodedValue, Evidence, Incident, MeasureLink

CLAUSE_RULE = "measure-link/clause"
NUMBERING_RULE = "measure-link/numbering"


def clause_before_measure(sentence: str, cues: Sequence[re.Pattern[str]]) -> str | None:
    """The reason or purpose clause that opens a measure's sentence: the text before the
    earliest cue (None when no cue occurs, or nothing stands before it)."""
    found = [m.start() for cue in cues for m in [cue.search(sentence)] if m is not None]
    if not found:
        return None
    head = sentence[: min(found)].strip()
    return head or None


def causes_named(lexicon: Lexicon, analyzer: Analyzer, clause: str) -> list[str]:
    """The cause codes the lexicon's cause rules find in a clause (not denied, not ruled out)."""
    tokens = analyzer.tokens(clause)
    out: list[str] = []
    for match in code_sentence(lexicon, clause, tokens, "cause"):
        if match.rule.field != "causes" or match.negated:
            continue
        if cause_role(lexicon, clause, match.end) == "ruled-out":
            continue
        if match.rule.code not in out:
            out.append(match.rule.code)
    return out


def _by_sentence(values: Sequence[CodedValue]) -> dict[tuple[int, int], list[CodedValue]]:
    out: dict[tuple[int, int], list[CodedValue]] = {}
    for value in values:
        span = value.evidence.span
        out.setdefault((span.start, span.end), []).append(value)
    return out


def clause_links(
    incident: Incident, lexicon: Lexicon, analyzer: Analyzer, defaults: MeasureDefaults
) -> list[MeasureLink]:
    """Links stated by a reason or purpose clause in a measure's own sentence."""
    causes = set(incident.codes("causes"))
    measures = [v for v in incident.coded if v.field == "countermeasures"]
    out: list[MeasureLink] = []
    for values in _by_sentence(measures).values():
        sentence = values[0].evidence.span
        clause = clause_before_measure(sentence.text, defaults.clause_cues)
        if clause is None:
            continue
        named = [c for c in causes_named(lexicon, analyzer, clause) if c in causes]
        for value in values:
            for cause in named:
                out.append(
                    MeasureLink(
                        value.code,
                        cause,
                        "stated",
                        CLAUSE_RULE,
                        Evidence(sentence, CLAUSE_RULE, value.evidence.confidence),
                    )
                )
    return out


def _number(text: str, marker: re.Pattern[str]) -> str | None:
    m = marker.match(text)
    if m is None:
        return None
    return next((g for g in m.groups() if g), None)


def numbering_links(incident: Incident, defaults: MeasureDefaults) -> list[MeasureLink]:
    """Links stated by numbering: the causes and the measures are numbered lists with the
    same numbers (at least two), and measure (k) answers cause (k)."""
    marker = defaults.number_marker
    if marker is None:
        return []
    numbered: dict[str, dict[str, list[CodedValue]]] = {"causes": {}, "countermeasures": {}}
    for value in incident.coded:
        if value.field in numbered:
            number = _number(value.evidence.span.text, marker)
            if number is not None:
                numbered[value.field].setdefault(number, []).append(value)
    causes, measures = numbered["causes"], numbered["countermeasures"]
    if len(causes) < 2 or set(causes) != set(measures):
        return []
    out: list[MeasureLink] = []
    for number, values in measures.items():
        for measure in values:
            for cause in dict.fromkeys(c.code for c in causes[number]):
                out.append(
                    MeasureLink(
                        measure.code,
                        cause,
                        "stated",
                        NUMBERING_RULE,
                        Evidence(
                            measure.evidence.span, NUMBERING_RULE, measure.evidence.confidence
                        ),
                    )
                )
    return out


def default_links(
    incident: Incident, defaults: MeasureDefaults, stated: Sequence[MeasureLink]
) -> list[MeasureLink]:
    """Defaulted links: each cause of the incident the table lists for a measure, unless the
    text already states that pair. (A text that ties a measure to one cause says nothing
    against the table's other causes for it.)"""
    tied = {(link.measure, link.cause) for link in stated}
    causes = incident.codes("causes")
    out: list[MeasureLink] = []
    for measure in incident.codes("countermeasures"):
        for cause in causes:
            line = defaults.line(measure, cause)
            if line is not None and (measure, cause) not in tied:
                out.append(MeasureLink(measure, cause, "defaulted", line.rule))
    return out


def link_measures(
    incident: Incident, lexicon: Lexicon, analyzer: Analyzer, defaults: MeasureDefaults
) -> tuple[MeasureLink, ...]:
    """Every measure of the incident tied to the causes it addresses: stated links (clause,
    then numbering; one per measure and cause), then defaulted ones."""
    stated: dict[tuple[str, str], MeasureLink] = {}
    for link in [
        *clause_links(incident, lexicon, analyzer, defaults),
        *numbering_links(incident, defaults),
    ]:
        stated.setdefault((link.measure, link.cause), link)
    found = list(stated.values())
    return (*found, *default_links(incident, defaults, found))


__all__ = [
    "CLAUSE_RULE",
    "NUMBERING_RULE",
    "causes_named",
    "clause_before_measure",
    "clause_links",
    "default_links",
    "link_measures",
    "numbering_links",
]
