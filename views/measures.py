"""What others did about a cause: the countermeasures that address it (analysis/algorithms.py
``recommend``: only where a link ties the measure to the cause), by how many bodies adopted
them, with the sentences that say so and — where issue 18's follow-up measured it
(graph/effectiveness.py, ``incident-kg analyze effectiveness``) — whether the cause came
back in the bodies that adopted them.

The work for one cause is over its own incidents: over every cause page, linear in the
incident–cause links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from incident_kg.analysis.algorithms import Adoption, recommend
from incident_kg.graph.effectiveness import Effect

from .graphs import Text
from .model import Cell, Table

#: Evidence sentences shown per measure (the table links to the incidents for the rest).
EVIDENCE_SHOWN = 3
#: Length an evidence sentence is cut to in the table.
SENTENCE_LIMIT = 160

Effects = Mapping[tuple[str, str], Effect]  # (measure code, cause code) → effect


def effects_by_pair(effects: Iterable[Effect]) -> dict[tuple[str, str], Effect]:
    """The effects keyed by (measure code, cause code)."""
    return {(e.measure, e.cause): e for e in effects}


@dataclass(frozen=True)
class MeasureRow:
    """One row of "what others did": a countermeasure's counts over every incident of the
    cause, and the adoptions whose sentences the page shows."""

    code: str
    label_ja: str
    label_en: str
    organizations: int
    incidents: int
    stated: int
    adoptions: int
    shown: tuple[Adoption, ...]


def measure_rows(
    g: nx.MultiDiGraph, cause: str, order: Callable[[str], str] | None = None
) -> tuple[MeasureRow, ...]:
    """The measures that address ``cause`` (analysis/algorithms.py ``recommend``), most bodies
    first, each with the sentences of its first :data:`EVIDENCE_SHOWN` adoptions."""
    code = str(g.nodes[cause]["code"])
    return tuple(
        MeasureRow(
            code=rec.code,
            label_ja=rec.label_ja,
            label_en=rec.label_en,
            organizations=rec.organizations,
            incidents=rec.incidents,
            stated=rec.stated,
            adoptions=len(rec.sources),
            shown=rec.sources[:EVIDENCE_SHOWN],
        )
        for rec in recommend(g, cause=code, sentences=EVIDENCE_SHOWN, order=order)
    )


def _sentence(adoption: Adoption) -> str:
    """The sentence that ties the measure to the cause if the report states it, else the
    sentence that announces the measure."""
    stated = next((x[len("stated: ") :] for x in adoption.links if x.startswith("stated: ")), None)
    text = " ".join((stated or adoption.sentence or "").split())
    if len(text) > SENTENCE_LIMIT:
        text = text[: SENTENCE_LIMIT - 1] + "…"
    bodies = "、".join(adoption.organizations) or "?"
    return f"{bodies}「{text}」" if text else bodies


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def effect_text(effect: Effect | None) -> Text:
    """Whether it worked, in words: recurrences after adoption against the bodies that did
    not adopt it; or that no follow-up measured it."""
    if effect is None:
        return ("追跡データなし", "not followed up")
    few = " ※組織が少なく判断できない" if any("few bodies" in c for c in effect.caveats) else ""
    few_en = " (too few bodies to tell)" if few else ""
    return (
        f"採用 {effect.adopters} 組織中 {effect.adopters_recurred} 組織で再発"
        f"（{effect.recurrences} 件、{_rate(effect.rate)} 件/組織年）；未採用 {effect.others} 組織中 "
        f"{effect.others_recurred} 組織で再発（{_rate(effect.other_rate)} 件/組織年）{few}",
        f"recurred in {effect.adopters_recurred} of {effect.adopters} adopting bodies "
        f"({effect.recurrences}, {_rate(effect.rate)} per body-year); in "
        f"{effect.others_recurred} of {effect.others} others "
        f"({_rate(effect.other_rate)} per body-year){few_en}",
    )


def _row(rec: MeasureRow, cause_code: str, effects: Effects) -> tuple[Cell, ...]:
    ja, en = effect_text(effects.get((rec.code, cause_code)))
    sentences = " / ".join(_sentence(a) for a in rec.shown)
    more = rec.adoptions - len(rec.shown)
    return (
        Cell(rec.label_ja, text_en=rec.label_en),
        Cell(str(rec.organizations), num=True),
        Cell(str(rec.incidents), num=True),
        Cell(
            f"{rec.stated}/{rec.adoptions}",
            num=True,
            title="報告書が原因との関係を述べた採用 / adoptions whose report states the tie",
        ),
        Cell(sentences + (f"（ほか {more} 件）" if more > 0 else ""), text_en=None),
        Cell(ja, text_en=en),
    )


def what_others_did(
    g: nx.MultiDiGraph,
    cause: str,
    effects: Effects,
    rows: Iterable[MeasureRow] | None = None,
) -> Table:
    """The table of a cause page: the measures that address ``cause``, most bodies first —
    ``rows`` when they were worked out before (views/folded.py), else from ``g``."""
    code = str(g.nodes[cause]["code"])
    ranked = measure_rows(g, cause) if rows is None else rows
    return Table(
        id="measures",
        caption=(
            "他の組織が講じた対策（この原因に対する再発防止策、採用した組織の多い順）",
            "What others did: countermeasures for this cause, by bodies adopting them",
        ),
        columns=(
            ("再発防止策", "countermeasure"),
            ("組織", "bodies"),
            ("事案", "incidents"),
            ("明記", "stated"),
            ("根拠の文", "evidence"),
            ("効果（採用後の再発）", "did it work (recurrence after adoption)"),
        ),
        rows=tuple(_row(r, code, effects) for r in ranked),
    )


__all__ = ["MeasureRow", "effect_text", "effects_by_pair", "measure_rows", "what_others_did"]
