"""What the index's search, sorting and filters work on: for each row of its tables the
tiers, bodies and periods it belongs to (written as ``data-*`` attributes, read by
``views.js``), and the choices the filters offer. One pass over the incidents.

A period is an incident's month (``YYYY-MM``, from the date it occurred, else the date it
was discovered) or its year when the report gives only the year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from incident_kg.analysis.algorithms import CauseSpread, cause_incidents
from incident_kg.analysis.network import incident_bodies, label, nodes_of_kind, targets

from .graphs import Text

#: Row attributes: name → value (names become ``data-<name>``; lists are joined by newlines).
RowData = dict[str, str]


@dataclass(frozen=True)
class Filters:
    """The choices of the index's filters: tiers (code and names), bodies, periods."""

    tiers: tuple[tuple[str, Text], ...]
    bodies: tuple[str, ...]
    first: str  # earliest month (YYYY-MM) of a dated incident, or ""
    last: str


def period(g: nx.MultiDiGraph, incident: str) -> str | None:
    """The incident's month (``YYYY-MM``) or year (``YYYY``): occurred, else discovered."""
    data = g.nodes[incident]
    for key in ("occurred", "discovered"):
        value = str(data.get(key) or "")
        if len(value) >= 7 and value[4] == "-":
            return value[:7]
        if len(value) == 4 and value.isdigit():
            return value
    return None


def cause_tier(g: nx.MultiDiGraph, cause: str) -> str | None:
    """The code of a cause's tier (None outside the tiers)."""
    tiers = targets(g, cause, "in_tier")
    return str(g.nodes[tiers[0]]["code"]) if tiers else None


def _data(tiers: Iterable[str], bodies: Iterable[str], periods: Iterable[str | None]) -> RowData:
    return {
        "tiers": "\n".join(sorted(set(tiers))),
        "bodies": "\n".join(sorted(set(bodies))),
        "periods": "\n".join(sorted({p for p in periods if p})),
    }


def concept_row_data(g: nx.MultiDiGraph, ranking: Sequence[CauseSpread]) -> tuple[RowData, ...]:
    """Per row of a ranking (causes or tiers): its tier, its incidents' bodies and periods."""
    out = []
    for r in ranking:
        incidents = cause_incidents(g, r.concept)
        tier = r.tier if r.level == "cause" else r.code
        out.append(
            _data(
                [tier] if tier else [],
                (label(g, b, "ja") for i in incidents for b in incident_bodies(g, i)),
                (period(g, i) for i in incidents),
            )
        )
    return tuple(out)


def incident_row_data(g: nx.MultiDiGraph, incidents: Iterable[str]) -> tuple[RowData, ...]:
    """Per incident (in the order given): its causes' tiers, its bodies, its period."""
    return tuple(
        _data(
            (t for c in targets(g, i, "has_cause") if (t := cause_tier(g, c))),
            (label(g, b, "ja") for b in incident_bodies(g, i)),
            [period(g, i)],
        )
        for i in incidents
    )


def index_filters(g: nx.MultiDiGraph) -> Filters:
    """The tiers, bodies and range of months the index's filters offer."""
    tiers = tuple(
        (str(g.nodes[t]["code"]), (label(g, t, "ja"), label(g, t, "en")))
        for t in nodes_of_kind(g, "tier")
    )
    bodies: set[str] = set()
    months: list[str] = []
    for i in nodes_of_kind(g, "incident"):
        bodies.update(label(g, b, "ja") for b in incident_bodies(g, i))
        p = period(g, i)
        if p:
            months.append(p if len(p) == 7 else f"{p}-01")
    return Filters(
        tiers=tiers,
        bodies=tuple(sorted(bodies)),
        first=min(months, default=""),
        last=max(months, default=""),
    )


__all__ = [
    "Filters",
    "RowData",
    "cause_tier",
    "concept_row_data",
    "incident_row_data",
    "index_filters",
    "period",
]
