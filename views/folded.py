"""A cause page over the cap: the cause's incidents past ``max_incidents`` (the same limit
that folds its network) are not listed one by one.  The page lists the ``max_incidents`` most
recent of them, says how many it leaves out and where the whole list is, and its network and
its "what others did" still count every incident of the cause.

What the page counts is worked out once, here, as a :class:`CauseFold`: on the whole
projection for the whole ``view``, or — for ``view --cause`` — on the projection before the
page's part of it is cut out and redacted (views/pages.py's ``page_network``), so that only
the listed incidents are copied, pseudonymised and redacted, not the thousands a common cause
has.  :meth:`CauseFold.redacted` then passes what it holds through the same pseudonyms and
redaction as the page's part: the page is the page of the whole view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import networkx as nx

from incident_kg.analysis.algorithms import Adoption, CauseSpread, cause_incidents, rank_causes
from incident_kg.analysis.network import copy_part

from .graphs import Text, cause_counts
from .measures import MeasureRow, measure_rows

#: Where ``page_network`` keeps a cause page's fold (the projection's graph attributes).
FOLD = "cause_fold"


def _same(name: str) -> str:
    return name


@dataclass(frozen=True)
class CauseFold:
    """What a cause page over the cap shows of its incidents, counted over all of them."""

    cause: str
    code: str  # the cause's code (the named query that lists every incident asks for it)
    total: int  # every incident of the cause
    listed: tuple[str, ...]  # the most recent ``max_incidents``: listed and linked
    bodies: tuple[tuple[str, int], ...]  # incidents by body (those that may be drawn)
    linked: tuple[tuple[str, int], ...]  # incidents by countermeasure and other cause
    spread: CauseSpread | None
    measures: tuple[MeasureRow, ...]

    def nodes(self) -> set[str]:
        """The nodes the page draws or names besides its listed incidents."""
        return {self.cause, *self.listed, *(n for n, _ in self.bodies + self.linked)}

    def note(self) -> Text:
        """What the page leaves out, and where it is."""
        left = self.total - len(self.listed)
        return (
            f"事案 {self.total} 件のうち新しい {len(self.listed)} 件を一覧に表示（残り {left} 件は"
            "上の図の組織・再発防止策・他の原因ごとの件数と matrix.html・trend.html に含まれる。"
            f"すべての事案：{self._query}）。",
            f"{len(self.listed)} most recent of {self.total} incidents listed; the other "
            f"{left} are counted in the network above (by body, countermeasure and other "
            f"cause), in matrix.html and trend.html; all of them: {self._query}.",
        )

    @property
    def _query(self) -> str:
        return f"incident-kg query incidents-for-cause --param cause={self.code}"

    def redacted(self, clean: Callable[[str], str], rename: Callable[[str], str]) -> CauseFold:
        """The fold with its nodes renamed as the page's part is (``rename``) and every text
        it shows cleaned (``clean``): what it holds when made from the redacted projection."""

        def adoption(a: Adoption) -> Adoption:
            return replace(
                a,
                incident=rename(a.incident),
                incident_label=clean(a.incident_label),
                report="",  # a file name, not shown
                organizations=tuple(sorted({clean(o) for o in a.organizations})),
                sentence=clean(a.sentence) if a.sentence else a.sentence,
                links=tuple(
                    f"stated: {clean(x[len('stated: ') :])}" if x.startswith("stated: ") else x
                    for x in a.links
                ),
            )

        spread = self.spread
        if spread is not None:
            spread = replace(
                spread,
                label_ja=clean(spread.label_ja),
                label_en=clean(spread.label_en),
                concept=rename(spread.concept),
            )
        return replace(
            self,
            cause=rename(self.cause),
            listed=tuple(rename(i) for i in self.listed),
            bodies=tuple((rename(b), n) for b, n in self.bodies),
            linked=tuple((rename(c), n) for c, n in self.linked),
            spread=spread,
            measures=tuple(
                replace(
                    m,
                    label_ja=clean(m.label_ja),
                    label_en=clean(m.label_en),
                    shown=tuple(adoption(a) for a in m.shown),
                )
                for m in self.measures
            ),
        )


def cause_spread(g: nx.MultiDiGraph, cause: str) -> CauseSpread | None:
    """The row of :func:`~incident_kg.analysis.algorithms.rank_causes` for ``cause``, ranked
    on the part of ``g`` its incidents make (as a page of all its incidents was): they, what
    they point to and the incidents they are counted as."""
    mine = cause_incidents(g, cause)
    nodes = {cause, *g._succ[cause], *mine}  # the cause's tier; no other cause is ranked
    kinds = ("organization", "incident")  # what the spread counts: bodies and tellings
    for i in mine:
        nodes.update(n for n in g._succ[i] if g._node[n].get("kind") in kinds)
        nodes.update(n for n in (g.nodes[i].get("counted_as"), g.nodes[i].get("part_of")) if n)
    part = copy_part(g, nodes & set(g))
    return next((r for r in rank_causes(part) if r.concept == cause), None)


def cause_fold(
    g: nx.MultiDiGraph,
    cause: str,
    max_incidents: int,
    max_bodies: int,
    *,
    spread: CauseSpread | None = None,
    shown: Callable[[str], str] | None = None,
    measures: bool = True,
) -> CauseFold | None:
    """The fold of ``cause``'s page, or None when its incidents are within ``max_incidents``
    (the page lists them all, as before).  ``shown`` gives the names the page will show
    (the view's pseudonyms, when asked before the projection is renamed): ties between
    incidents and bodies are broken by them, as on the renamed projection.  Of the bodies,
    those that may be among the ``max_bodies`` drawn are kept (ties at the cut included)."""
    incidents = cause_incidents(g, cause)
    if len(incidents) <= max_incidents:
        return None
    name = shown or _same
    when = {i: str(g.nodes[i].get("occurred") or "") for i in incidents}
    by_date = sorted(incidents, key=when.__getitem__, reverse=True)
    last = when[by_date[max_incidents - 1]]  # the date at the cut: only its ties are named
    recent = [i for i in by_date if when[i] > last]
    recent += sorted((i for i in by_date if when[i] == last), key=name, reverse=True)
    total, bodies, linked = cause_counts(g, cause, incidents)
    counts = sorted((n for _, n in bodies), reverse=True)
    cut = counts[max_bodies - 1] if len(counts) >= max_bodies else 0
    return CauseFold(
        cause=cause,
        code=str(g.nodes[cause]["code"]),
        total=total,
        listed=tuple(recent[:max_incidents]),  # newest first, ties by the names shown
        bodies=tuple(sorted((b, n) for b, n in bodies if n >= cut)),
        linked=tuple(sorted(linked)),
        spread=spread,
        measures=measure_rows(g, cause, shown) if measures else (),
    )


__all__ = ["FOLD", "CauseFold", "cause_fold", "cause_spread"]
