"""The reviewed tables analysts edit, read and checked: which measure addresses which cause
(``measures.yaml``), when incidents of different reports are one event (``linking.yaml``),
and how status and severity are read (``assessment.yaml``).

Each loader parses afresh (callers that need a table often keep it) and raises
:class:`TableError`, one line naming the file, for a table that cannot be used.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from incident_kg.errors import IncidentKGError

from .vocabulary import PACKAGE, codes

MEASURES_FILE = "measures.yaml"
LINKING_FILE = "linking.yaml"
ASSESSMENT_FILE = "assessment.yaml"


class TableError(IncidentKGError):
    """A table of ``ontology/`` that cannot be read or names an unknown code."""


def _read(name: str, path: Path | None) -> tuple[str, Any]:
    where = str(path) if path is not None else f"ontology/{name}"
    try:
        text = (
            path.read_text(encoding="utf-8")
            if path is not None
            else files(PACKAGE).joinpath(name).read_text(encoding="utf-8")
        )
        return where, yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TableError(f"{where}: cannot read the table: {first}") from exc


def table_bytes() -> bytes:
    """The three tables as shipped, for the digest of the pipeline (a change re-extracts)."""
    package = files(PACKAGE)
    return b"\0".join(
        package.joinpath(n).read_bytes() for n in (MEASURES_FILE, LINKING_FILE, ASSESSMENT_FILE)
    )


# -- measures.yaml ---------------------------------------------------------------------


@dataclass(frozen=True)
class DefaultLink:
    """One line of the default table: ``measure`` addresses ``cause``, and why."""

    measure: str
    cause: str
    why: str

    @property
    def rule(self) -> str:
        """How a defaulted link names its source (``ikg:linkRule``)."""
        return f"{MEASURES_FILE}: {self.measure} → {self.cause}"


@dataclass(frozen=True)
class MeasureDefaults:
    """The reviewed default table: for each measure, the causes it addresses; and how a
    text states the cause a measure answers (``clause_cues``, ``number_marker``)."""

    links: tuple[DefaultLink, ...] = ()
    clause_cues: tuple[re.Pattern[str], ...] = ()
    number_marker: re.Pattern[str] | None = None

    def causes_for(self, measure: str) -> tuple[str, ...]:
        """The causes the table says ``measure`` addresses, in table order."""
        return tuple(link.cause for link in self.links if link.measure == measure)

    def line(self, measure: str, cause: str) -> DefaultLink | None:
        """The line linking ``measure`` to ``cause``, if the table has one."""
        for link in self.links:
            if link.measure == measure and link.cause == cause:
                return link
        return None


def load_measure_defaults(
    path: Path | None = None, *, known: Mapping[str, Collection[str]] | None = None
) -> MeasureDefaults:
    """``measures.yaml`` (or ``path``), its codes checked against the vocabulary (``known``:
    field → codes, read from the concept schemes when not given)."""
    where, data = _read(MEASURES_FILE, path)
    known = known if known is not None else codes()
    measures, causes = set(known["countermeasures"]), set(known["causes"])
    if not isinstance(data, dict) or not isinstance(data.get("defaults"), dict):
        raise TableError(f"{where}: expected 'defaults', a mapping of countermeasure → causes")
    stated = data.get("stated") or {}
    try:
        cues = tuple(re.compile(str(c)) for c in stated.get("clause_cues") or ())
        marker = stated.get("number_marker")
        number_marker = re.compile(str(marker)) if marker else None
    except re.error as exc:
        raise TableError(f"{where}: stated: not a regular expression: {exc}") from exc
    links: list[DefaultLink] = []
    for measure, entries in data["defaults"].items():
        if measure not in measures:
            raise TableError(f"{where}: unknown countermeasure {measure!r}")
        if not isinstance(entries, list):
            raise TableError(f"{where}: {measure}: expected a list of {{cause, why}}")
        for entry in entries:
            if not isinstance(entry, dict) or not entry.get("cause") or not entry.get("why"):
                raise TableError(f"{where}: {measure}: each line needs a cause and a why")
            if entry["cause"] not in causes:
                raise TableError(f"{where}: {measure}: unknown cause {entry['cause']!r}")
            links.append(DefaultLink(str(measure), str(entry["cause"]), str(entry["why"])))
    return MeasureDefaults(tuple(links), cues, number_marker)


# -- linking.yaml ----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkingRules:
    """When incidents of different reports are linked (see ``linking.yaml``)."""

    threshold: float = 2.0
    part_of_threshold: float = 1.0
    weights: Mapping[str, float] = field(default_factory=dict)
    generic_harms: frozenset[str] = frozenset()
    grouping_bodies: int = 3
    generic_bodies: frozenset[str] = frozenset()

    def weight(self, name: str) -> float:
        """The weight of one kind of fact (0 when the table gives none)."""
        return float(self.weights.get(name, 0.0))


WEIGHTS = (
    "occurred",
    "discovered",
    "resolved",
    "count_equal",
    "count_differs",
    "count_far_apart",
    "causes",
    "countermeasures",
    "systems",
    "procedures",
)


def load_linking_rules(path: Path | None = None) -> LinkingRules:
    """``linking.yaml`` (or ``path``)."""
    where, data = _read(LINKING_FILE, path)
    if not isinstance(data, dict):
        raise TableError(f"{where}: expected a mapping")
    weights = data.get("weights") or {}
    unknown = sorted(set(weights) - set(WEIGHTS))
    if unknown:
        raise TableError(f"{where}: unknown weight {unknown[0]!r} (known: {', '.join(WEIGHTS)})")
    try:
        return LinkingRules(
            threshold=float(data.get("threshold", 2.0)),
            part_of_threshold=float(data.get("part_of_threshold", 1.0)),
            weights={str(k): float(v) for k, v in weights.items()},
            generic_harms=frozenset(map(str, data.get("generic_harms") or ())),
            grouping_bodies=int(data.get("grouping_bodies", 3)),
            generic_bodies=frozenset(map(str, data.get("generic_bodies") or ())),
        )
    except (TypeError, ValueError) as exc:
        raise TableError(f"{where}: {exc}") from exc


# -- assessment.yaml -------------------------------------------------------------------


@dataclass(frozen=True)
class LevelRule:
    """One rule of the severity level: all its conditions (those given) must hold."""

    level: str  # a concept of code:severity-levels, e.g. severity-high
    leaked: bool | None = None
    service_stopped: bool | None = None
    affected_at_least: int | None = None


@dataclass(frozen=True)
class AssessmentRules:
    """How status and severity are read from an incident (see ``assessment.yaml``)."""

    containment_measures: frozenset[str] = frozenset()
    containment_words: tuple[str, ...] = ()
    closing_needs_countermeasures: bool = True
    leak_harm: str = "PersonalDataLeak"
    service_stop_measures: frozenset[str] = frozenset()
    affected_bands: tuple[tuple[int, str], ...] = ()  # (at least, factor), ascending
    levels: tuple[LevelRule, ...] = ()


def load_assessment_rules(path: Path | None = None) -> AssessmentRules:
    """``assessment.yaml`` (or ``path``)."""
    where, data = _read(ASSESSMENT_FILE, path)
    try:
        status, severity = data["status"], data["severity"]
        bands = sorted((int(b["from"]), str(b["factor"])) for b in severity["affected_bands"])
        levels = tuple(
            LevelRule(
                level=str(rule["level"]),
                leaked=rule.get("leaked"),
                service_stopped=rule.get("service_stopped"),
                affected_at_least=rule.get("affected_at_least"),
            )
            for rule in severity["levels"]
        )
        return AssessmentRules(
            containment_measures=frozenset(map(str, status.get("containment_measures") or ())),
            containment_words=tuple(map(str, status.get("containment_words") or ())),
            closing_needs_countermeasures=bool(status.get("closing_needs_countermeasures", True)),
            leak_harm=str(severity.get("leak_harm", "PersonalDataLeak")),
            service_stop_measures=frozenset(map(str, severity.get("service_stop_measures") or ())),
            affected_bands=tuple(bands),
            levels=levels,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TableError(f"{where}: malformed table: {exc!r}") from exc


@dataclass(frozen=True)
class Tables:
    """The three reviewed tables, loaded once for a pipeline."""

    measures: MeasureDefaults
    linking: LinkingRules
    assessment: AssessmentRules


def load_tables(known: Mapping[str, Collection[str]] | None = None) -> Tables:
    """The tables as shipped in the package, checked against ``known`` codes (field → codes;
    read from the concept schemes when not given)."""
    return Tables(load_measure_defaults(known=known), load_linking_rules(), load_assessment_rules())


__all__ = [
    "AssessmentRules",
    "DefaultLink",
    "LevelRule",
    "LinkingRules",
    "MeasureDefaults",
    "TableError",
    "Tables",
    "load_assessment_rules",
    "load_linking_rules",
    "load_measure_defaults",
    "load_tables",
    "table_bytes",
]
