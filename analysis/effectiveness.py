"""Did a measure work? The store's incidents linked and followed up (graph/effectiveness.py),
as rows for people and programs: ``incident-kg analyze effectiveness``.

The computation reads the store as the link pass does (graph/links.py: each fact once per
predicate, linked incidents counted once), so the answer agrees with the measure adoptions
the links graph holds and with the named query ``measure-effectiveness``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rdflib.namespace import SKOS

from incident_kg.graph.effectiveness import Adoption, Effect, Effectiveness, from_json
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import CODE
from incident_kg.ontology.vocabulary import concepts_graph


def _labels() -> dict[str, dict[str, str]]:
    """Code → {lang: label} for the vocabulary's concepts."""
    out: dict[str, dict[str, str]] = {}
    for concept, _, label in concepts_graph().triples((None, SKOS.prefLabel, None)):
        code = str(concept).removeprefix(str(CODE))
        out.setdefault(code, {})[getattr(label, "language", None) or "en"] = str(label)
    return out


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class EffectRow:
    """One measure against one cause, across bodies (see graph/effectiveness.py)."""

    measure: str
    measure_ja: str
    measure_en: str
    cause: str
    cause_ja: str
    cause_en: str
    adopters: int
    adopters_recurred: int
    recurrences: int
    years_at_risk: float
    rate: float | None  # recurrences per body-year after adoption
    others: int
    others_recurred: int
    other_recurrences: int
    other_years_at_risk: float
    other_rate: float | None
    undated: int
    caveats: tuple[str, ...]

    COLUMNS = ("measure", "cause", "adopted", "recurred", "recurrences", "years", "rate",
               "others", "others recurred", "other recurrences", "other years", "other rate",
               "caveats")  # fmt: skip

    def row(self, lang: str = "en") -> tuple[str, ...]:
        return (
            self.measure_ja if lang == "ja" else self.measure,
            self.cause_ja if lang == "ja" else self.cause,
            str(self.adopters),
            str(self.adopters_recurred),
            str(self.recurrences),
            f"{self.years_at_risk:.2f}",
            _rate(self.rate),
            str(self.others),
            str(self.others_recurred),
            str(self.other_recurrences),
            f"{self.other_years_at_risk:.2f}",
            _rate(self.other_rate),
            "; ".join(self.caveats),
        )


@dataclass(frozen=True)
class AdoptionRow:
    """One body's adoption of a measure for a cause, and the recurrences that followed."""

    body: str
    measure: str
    cause: str
    basis: str
    adopted_on: str | None
    adopted_in: str
    recurrences: tuple[str, ...]
    days_at_risk: int | None

    COLUMNS = ("body", "measure", "cause", "basis", "adopted", "recurrences", "days at risk",
               "adopted in")  # fmt: skip

    def row(self, lang: str = "en") -> tuple[str, ...]:
        return (
            self.body,
            self.measure,
            self.cause,
            self.basis,
            self.adopted_on or "?",
            str(len(self.recurrences)),
            "" if self.days_at_risk is None else str(self.days_at_risk),
            self.adopted_in,
        )


def effect_rows(found: Effectiveness) -> list[EffectRow]:
    """The effects with the labels of their codes, most adopted first."""
    labels = _labels()

    def row(e: Effect) -> EffectRow:
        m, c = labels.get(e.measure, {}), labels.get(e.cause, {})
        return EffectRow(
            e.measure,
            m.get("ja", e.measure),
            m.get("en", e.measure),
            e.cause,
            c.get("ja", e.cause),
            c.get("en", e.cause),
            e.adopters,
            e.adopters_recurred,
            e.recurrences,
            e.years_at_risk,
            e.rate,
            e.others,
            e.others_recurred,
            e.other_recurrences,
            e.other_years_at_risk,
            e.other_rate,
            e.undated,
            e.caveats,
        )

    return sorted(map(row, found.effects), key=lambda r: (-r.adopters, r.cause, r.measure))


def adoption_rows(found: Effectiveness) -> list[AdoptionRow]:
    """Every adoption, by body."""
    return [
        AdoptionRow(
            a.body,
            a.measure,
            a.cause,
            a.basis,
            a.adopted_on,
            a.adopted_in,
            a.recurrences,
            a.days_at_risk,
        )
        for a in sorted(found.adoptions, key=_adoption_order)
    ]


def _adoption_order(a: Adoption) -> tuple[str, str, str]:
    return (a.body, a.cause, a.measure)


def store_effectiveness(store: GraphStore, cause: str | None = None) -> Effectiveness:
    """Adoptions and effects over the store's incidents (``cause``: one cause's rows): those
    the last link pass kept beside the links graph (graph/links.py: every build and import
    ends with it), else — a store written before they were kept — worked out again (the
    whole corpus linked: seconds at 10,000 reports)."""
    from incident_kg.graph.links import analyse, kept_effectiveness  # the linker: when read

    kept = kept_effectiveness(store)
    if kept is not None:
        found = from_json(kept)
    else:
        _, _, found = analyse(store)
    if cause is None:
        return found
    return replace(
        found,
        adoptions=tuple(a for a in found.adoptions if a.cause == cause),
        effects=tuple(e for e in found.effects if e.cause == cause),
    )


__all__ = ["AdoptionRow", "EffectRow", "adoption_rows", "effect_rows", "store_effectiveness"]
