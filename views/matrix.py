"""The cause × body matrix (``matrix.html``): for each body (grouped by prefecture) and each
cause, the number of distinct incidents — a heat map a regulator can put in a report.

Bodies are grouped by the prefecture the table of local governments gives them
(ontology/local-governments.tsv: a body named by its shared IRI ``…/lg/<code>``, or whose
name the table knows — but not a bare ward name such as 中央区, which designated cities'
wards share with Tokyo's); the others (national bodies, companies, names the table does not
hold) are in one group at the end. Each group has a row of its own with its totals. One
pass over the incidents.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from incident_kg.analysis.algorithms import CauseSpread
from incident_kg.analysis.linked import incident_key
from incident_kg.analysis.network import incident_bodies, label, nodes_of_kind, targets
from incident_kg.ontology.local_governments import (
    LOCAL_GOVERNMENT_BASE,
    LocalGovernment,
    LocalGovernmentTable,
    local_governments,
)

from .graphs import Text
from .model import Cell, Page, Table

#: The group of bodies the table of local governments does not place.
OTHER: Text = ("その他（国の機関・事業者など）", "Other (national bodies, companies…)")
#: Heat levels of a cell (0: none … HEAT_LEVELS: the most incidents of any cell).
HEAT_LEVELS = 9


@dataclass(frozen=True)
class Group:
    """A prefecture (or the other group) and the bodies in it."""

    order: str  # the prefecture's JIS code (2 digits), "99" for the other group
    name: Text
    bodies: tuple[str, ...]


def prefecture_of(
    g: nx.MultiDiGraph,
    body: str,
    table: LocalGovernmentTable,
    by_code: Mapping[str, LocalGovernment],
) -> tuple[str, str] | None:
    """(JIS prefecture code, prefecture name) of a body — by its shared IRI's code, else by
    its name — or None when the table does not place it."""
    found = None
    if body.startswith(LOCAL_GOVERNMENT_BASE):
        found = by_code.get(body[len(LOCAL_GOVERNMENT_BASE) :].split("/", 1)[0])
    if found is None:
        name = label(g, body, "ja")
        found = table.body_of(name)
        if found is not None and found.kind == "special-ward" and not name.startswith("東京都"):
            found = None  # 中央区, 北区…: also wards of designated cities, which are not listed
    return (found.code[:2], found.prefecture) if found is not None else None


def group_bodies(g: nx.MultiDiGraph, bodies: Sequence[str]) -> list[Group]:
    """The bodies grouped by prefecture (in JIS order), the others last; by name inside."""
    table = local_governments()
    by_code = table.by_code  # a dict of the table's rows, built once
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for body in bodies:
        groups[prefecture_of(g, body, table, by_code) or ("99", "")].append(body)
    return [
        Group(
            order=code,
            name=(name, name) if code != "99" else OTHER,
            bodies=tuple(sorted(members, key=lambda b: (label(g, b, "ja"), b))),
        )
        for (code, name), members in sorted(groups.items())
    ]


def heat(count: int, most: int) -> int:
    """The heat level of a count (0 for none; square-root scale up to :data:`HEAT_LEVELS`)."""
    if count <= 0 or most <= 0:
        return 0
    return max(1, math.ceil(HEAT_LEVELS * math.sqrt(count / most)))


def matrix_page(g: nx.MultiDiGraph, ranking: Sequence[CauseSpread]) -> Page:
    """The matrix page: bodies (rows, grouped by prefecture) × causes (columns, by score)."""
    causes = [r.concept for r in ranking if r.level == "cause"]
    column = {c: k for k, c in enumerate(causes)}
    keys: dict[tuple[str, int], set[str]] = defaultdict(set)  # (body, cause column) → incidents
    for i in nodes_of_kind(g, "incident"):
        key = incident_key(g, i)
        linked = [column[c] for c in targets(g, i, "has_cause") if c in column]
        for b in incident_bodies(g, i):
            for k in linked:
                keys[(b, k)].add(key)
    bodies = sorted({b for b, _ in keys})
    groups = group_bodies(g, bodies)
    most = max((len(v) for v in keys.values()), default=0)
    rows: list[tuple[Cell, ...]] = []
    data: list[dict[str, str]] = []
    for group in groups:
        totals = [set[str]() for _ in causes]
        for b in group.bodies:
            for k in range(len(causes)):
                totals[k] |= keys.get((b, k), set())
        rows.append(
            (
                Cell(group.name[0], text_en=group.name[1]),
                *(Cell(str(len(t)) if t else "", num=True) for t in totals),
            )
        )
        data.append({"group": group.order})
        for b in group.bodies:
            counts = [len(keys.get((b, k), ())) for k in range(len(causes))]
            rows.append(
                (
                    Cell(label(g, b, "ja"), text_en=label(g, b, "en"), title=b),
                    *(
                        Cell(
                            str(n) if n else "",
                            num=True,
                            heat=heat(n, most),
                            title=f"{label(g, b, 'ja')} × {label(g, c, 'ja')}: {n}",
                            title_en=f"{label(g, b, 'en')} × {label(g, c, 'en')}: {n}",
                        )
                        for n, c in zip(counts, causes, strict=True)
                    ),
                )
            )
            data.append({"prefecture": group.order})
    return Page(
        "matrix.html",
        ("原因 × 組織（都道府県別）", "Causes × bodies, by prefecture"),
        notes=(
            (
                "各セルは、その組織でその原因が挙げられた事案の数（同じ事案を複数の報告書が伝えても 1 件）。"
                "色が濃いほど多い。組織は都道府県ごと（全国地方公共団体コード順）、表にない組織は「その他」。",
                "Each cell: the number of distinct incidents of that body with that cause (an "
                "incident told by several reports counts once); darker is more. Bodies grouped by "
                "prefecture (JIS order); bodies not in the table of local governments under "
                "“other”.",
            ),
        ),
        tables=(
            Table(
                id="matrix",
                caption=("原因 × 組織", "Causes × bodies"),
                columns=(
                    ("組織", "body"),
                    *((label(g, c, "ja"), label(g, c, "en")) for c in causes),
                ),
                rows=tuple(rows),
                row_data=tuple(data),
                sortable=False,
            ),
        ),
    )


__all__ = ["OTHER", "Group", "group_bodies", "heat", "matrix_page", "prefecture_of"]
