"""Views: interactive HTML pages of the network projection, drawn with pyvis/vis-network, offline.

``incident-kg view --out DIR`` writes:

* ``index.html`` — the shared-root-cause table (analysis/algorithms.py), the tiers, and every
  cause and incident with a link to its page;
* ``overview.html`` — incidents, causes, organisations (bodies) and countermeasures;
  colour by kind, size by spread, a legend, labels switchable ja/en;
* ``cause/<code>.html`` — one page per cause: its incidents, their bodies and
  countermeasures and the causes stated with it, with the incidents in time order;
* ``incident/<report>-<key>.html`` — one page per incident: its codes, organisations,
  report and timeline, with its causal chain and similar incidents;
* ``lib/`` — vis-network (the copy pyvis ships), ``views.js`` and ``views.css``: every page
  loads only these files beside it, and its Content-Security-Policy forbids any other
  source, so no request leaves the machine.

Report text (titles, organisation names, evidence sentences) is put into the pages as
data (JSON with ``<``, ``>`` and ``&`` escaped) and shown by ``views.js`` as text
(``textContent``; vis-network draws labels on a canvas): a report that contains markup
shows the markup and runs nothing. The tables are rendered by Jinja2 with autoescaping.

Size limit of the overview: at most ``top`` causes (by score, default
:data:`DEFAULT_TOP`), and incidents drawn one by one only up to ``max_incidents``
(default :data:`MAX_INCIDENTS`); beyond that the incidents are folded into weighted
cause–body and cause–countermeasure edges and at most :data:`MAX_BODIES` bodies are
drawn. Positions are computed once here (NetworkX spring layout) and physics is off,
so a page draws in about a second in a browser.

The graph part of each page goes through :class:`pyvis.network.Network` (nodes, edges,
options); the page itself is the plain Jinja2 template ``templates/page.html``, because
pyvis's own template links Bootstrap from a CDN, switches to an HTML popup when a tooltip
contains ``href`` and inserts its heading unescaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import networkx as nx

from incident_kg.analysis.algorithms import (
    CauseSpread,
    SimilarityIndex,
    causal_chain,
    cause_incidents,
    rank_causes,
    similar_incidents,
    tier_nodes,
)
from incident_kg.analysis.linked import incident_key
from incident_kg.analysis.network import (
    TIER_ORDER,
    copy_part,
    find_concept,
    find_incident,
    incident_bodies,
    label,
    nodes_of_kind,
)
from incident_kg.analysis.similarity import AnyIndex, CodeIndex
from incident_kg.errors import IncidentKGError
from incident_kg.graph.effectiveness import Effect

from .folded import FOLD, CauseFold, cause_fold, cause_spread
from .graphs import (
    Text,
    ViewError,
    ViewOptions,
    cause_graph,
    cause_page,
    incident_graph,
    incident_page,
    overview_graph,
    timeline_events,
)
from .index import concept_row_data, incident_row_data, index_filters
from .labels import Names, load_names
from .matrix import matrix_page
from .measures import effects_by_pair, what_others_did
from .model import Cell, Page, Table
from .trend import trend_page

#: Similar incidents shown on an incident page.
SIMILAR_SHOWN = 5
#: Where :func:`page_network` keeps the similarity index of the whole projection.
SIMILARITY = "similarity_index"


#: The relations of incidents a cause page reads (besides those to organisations).
CAUSE_PAGE_RELATIONS = ("has_cause", "has_countermeasure", "reported_in")


def page_relations(options: ViewOptions) -> tuple[str, ...] | None:
    """The relations of incidents the projection must draw for the one page ``options`` asks
    for (``analysis.network.load_network``'s ``relations``): a cause page's, or every
    relation (None) for an incident page or the whole view."""
    return CAUSE_PAGE_RELATIONS if options.cause is not None and options.incident is None else None


def page_network(
    g: nx.MultiDiGraph, options: ViewOptions, shown: Callable[[str], str] | None = None
) -> nx.MultiDiGraph:
    """The part of the projection the one page of ``options.incident`` or ``options.cause``
    reads — the page's incidents (the cause's, or its most recent ``max_incidents`` past that
    many with the counts of the others in ``graph[FOLD]``: views/folded.py; the incident and
    its similar incidents, found on the whole projection through the codes they share), every
    node they point to, the bodies above their organisations, the groupings they are counted
    as and the tiers — with the similarity index (``graph[SIMILARITY]``): the page written
    from it is the page written from ``g``, and redacting it (views/write.py) costs the page,
    not the corpus.  ``shown`` gives the names the page will show (the view's pseudonyms),
    by which ties are broken.  ``g`` itself when neither is asked for."""
    index: CodeIndex | None = None
    fold: CauseFold | None = None
    if options.incident is not None:
        try:
            incident = find_incident(g, options.incident)
        except IncidentKGError as exc:
            raise ViewError(str(exc)) from exc
        index = CodeIndex(g)
        seeds = {incident, *index.candidates(incident, SIMILAR_SHOWN)}  # ties: any order
    elif options.cause is not None:
        try:
            cause = find_concept(g, options.cause, ("cause",))
        except IncidentKGError as exc:
            raise ViewError(str(exc)) from exc
        fold = cause_fold(
            g,
            cause,
            options.max_incidents,
            options.max_bodies,
            spread=cause_spread(g, cause),
            shown=shown,
        )
        seeds = {cause, *(fold.listed if fold else cause_incidents(g, cause))}
    else:
        return g
    nodes = set(seeds) | set(nodes_of_kind(g, "tier")) | (fold.nodes() if fold else set())
    for node in seeds:
        data = g.nodes[node]
        nodes.update(g._succ[node])
        nodes.update(n for n in (data.get("counted_as"), data.get("part_of")) if n in g)
    for node in list(nodes):  # bodies above organisations, tiers above causes
        data = g.nodes[node]
        if data.get("body") in g:
            nodes.add(data["body"])
        if data.get("kind") in ("organization", "cause"):
            nodes.update(g._succ[node])
    part = copy_part(g, nodes)  # g.subgraph(nodes).copy()
    if index is not None:
        part.graph[SIMILARITY] = index
    if fold is not None:  # counted over the whole projection, not the part
        part.graph[FOLD] = fold
    return part


# -- pages --------------------------------------------------------------------------------


def _table_of_causes(
    g: nx.MultiDiGraph,
    ranking: Sequence[CauseSpread],
    prefix: str,
    table_id: str = "shared-causes",
    caption: Text = (
        "根本原因（拡がり順、拡がり2以上が共通）",
        "Root causes by spread (shared: spread ≥ 2)",
    ),
) -> Table:
    return Table(
        id=table_id,
        caption=caption,
        columns=(
            ("順位", "rank"),
            ("コード", "code"),
            ("原因", "cause"),
            ("階層", "tier"),
            ("スコア", "score"),
            ("拡がり", "spread"),
            ("事案", "incidents"),
            ("組織", "bodies"),
            ("報告書", "reports"),
        ),
        row_data=concept_row_data(g, ranking),
        filterable=True,
        rows=tuple(
            (
                Cell(str(r.rank), num=True),
                Cell(r.code, href=f"{prefix}{cause_page(g, r.concept)}")
                if r.level == "cause"
                else Cell(r.code),
                Cell(r.label_ja, text_en=r.label_en),
                _tier_cell(g, r),
                Cell(f"{r.score:g}", num=True),
                Cell(str(r.spread), num=True),
                Cell(str(r.incidents), num=True),
                Cell(str(r.organizations), num=True),
                Cell(str(r.reports), num=True),
            )
            for r in ranking
        ),
    )


def _tier_cell(g: nx.MultiDiGraph, r: CauseSpread) -> Cell:
    """A ranking row's tier, named in both languages: a cause's tier, or a tier's level in
    the chain (1 = nearest the harm)."""
    code = r.tier if r.level == "cause" else r.code
    if code is None:
        return Cell("—")
    names = {str(g.nodes[t]["code"]): t for t in nodes_of_kind(g, "tier")}
    ja, en = (
        (label(g, names[code], "ja"), label(g, names[code], "en"))
        if code in names
        else (code, code)
    )
    level = TIER_ORDER.index(code) + 1 if code in TIER_ORDER else None
    if r.level == "tier" and level is not None:
        return Cell(f"第{level}層：{ja}", text_en=f"level {level}: {en}", sort=str(level))
    return Cell(ja, text_en=en, sort=str(level or 9))


def _table_of_incidents(
    g: nx.MultiDiGraph,
    incidents: Iterable[str],
    prefix: str,
    caption: Text,
    table_id: str,
    *,
    filterable: bool = False,
) -> Table:
    ordered = sorted(incidents, key=lambda i: (str(g.nodes[i].get("occurred") or "9999"), i))
    return Table(
        row_data=incident_row_data(g, ordered) if filterable else (),
        filterable=filterable,
        id=table_id,
        caption=caption,
        columns=(
            ("発生", "occurred"),
            ("事案", "incident"),
            ("組織", "bodies"),
            ("報告書", "report"),
        ),
        rows=tuple(
            (
                Cell(str(g.nodes[i].get("occurred") or "")),
                Cell(label(g, i, "ja"), href=f"{prefix}{incident_page(g, i)}"),
                Cell("、".join(sorted({label(g, b, "ja") for b in incident_bodies(g, i)}))),
                Cell(str(g.nodes[g.nodes[i]["report"]].get("file") or "")),
            )
            for i in ordered
        ),
    )


def build_pages(
    g: nx.MultiDiGraph,
    options: ViewOptions,
    legend: dict[str, dict[str, str]],
    *,
    effects: Iterable[Effect] = (),
) -> list[Page]:
    """Every page of the views, in memory (pure: the graph and options in, pages out) — or
    only the page of ``options.incident`` or ``options.cause`` when one is asked for;
    ``effects`` (issue 18's follow-up of measures) say on the cause pages whether a measure
    worked.

    The work grows with the corpus: the similar incidents of every page come from one
    :class:`SimilarityIndex`, big cause pages are folded, ego pages laid out in rings."""
    names = load_names()
    followed = effects_by_pair(effects)
    if options.tier is not None and options.tier not in {
        str(g.nodes[t]["code"]) for t in nodes_of_kind(g, "tier")
    }:
        raise ViewError(f"no cause tier {options.tier!r} in the store's incidents")
    tier_of = tier_nodes(g)
    if options.incident is not None:
        try:
            incident = find_incident(g, options.incident)
        except IncidentKGError as exc:
            raise ViewError(str(exc)) from exc
        index = g.graph.get(SIMILARITY) or SimilarityIndex(g)
        return [_incident_page(g, incident, legend, index, tier_of, names)]
    if options.cause is not None:
        try:
            cause = find_concept(g, options.cause, ("cause",))
        except IncidentKGError as exc:
            raise ViewError(str(exc)) from exc
        fold = g.graph.get(FOLD)  # counted before g was cut to the page (page_network)
        if fold is not None and fold.cause == cause:
            return [_cause_page(g, cause, legend, fold.spread, options, followed, fold)]
        spread = {r.concept: r for r in rank_causes(g)}.get(cause)
        fold = cause_fold(g, cause, options.max_incidents, options.max_bodies, spread=spread)
        return [_cause_page(g, cause, legend, spread, options, followed, fold)]
    ranking = rank_causes(g)
    tiers = rank_causes(g, level="tier")
    spread_of = {r.concept: r for r in ranking}
    # as `build` counts them: a body's case within a national grouping counts as the grouping
    incident_nodes = nodes_of_kind(g, "incident")
    distinct = len({incident_key(g, i) for i in incident_nodes})
    pages_of_incidents = len(incident_nodes)
    overview = overview_graph(g, ranking, options, legend)
    pages = [
        Page(
            "overview.html",
            (
                "全体図：事案・原因・組織・再発防止策",
                "Overview: incidents, causes, bodies, countermeasures",
            ),
            overview,
            notes=tuple(overview.notes),
        ),
        Page(
            "index.html",
            ("インシデント知識グラフ：索引", "Incident knowledge graph: index"),
            notes=(
                (
                    f"事案 {distinct} 件（事案ページ {pages_of_incidents} 件）、報告書 "
                    f"{len(nodes_of_kind(g, 'report'))} 件。すべてのページはネットワークに接続せずに表示できます。",
                    f"{distinct} distinct incidents ({pages_of_incidents} incident pages) from "
                    f"{len(nodes_of_kind(g, 'report'))} reports. Every page works with no network.",
                ),
                (
                    "拡がり = 原因が起きた異なる場所の数（同じ組織での繰り返しは1、複数組織にまたがる事案は1件で1）。"
                    "スコア = 拡がり + 0.5 ×（事案数 − 拡がり）。拡がり2以上が共通の根本原因。",
                    "Spread = the number of different places a cause occurred in (a body once however "
                    "often; a case of several bodies at once as one place). "
                    "Score = spread + 0.5 × (incidents − spread). Shared root causes: spread ≥ 2.",
                ),
            ),
            filters=index_filters(g),
            tables=(
                _table_of_causes(g, ranking, ""),
                _table_of_causes(
                    g, tiers, "", "tiers", ("原因の階層（HFACS）", "Cause tiers (HFACS)")
                ),
                _table_of_incidents(
                    g,
                    nodes_of_kind(g, "incident"),
                    "",
                    ("事案", "Incidents"),
                    "incidents",
                    filterable=True,
                ),
            ),
        ),
        matrix_page(g, ranking),  # views/matrix.py
        trend_page(g, ranking),  # views/trend.py
    ]
    for cause in nodes_of_kind(g, "cause"):
        if cause_incidents(g, cause):
            spread = spread_of.get(cause)
            fold = cause_fold(g, cause, options.max_incidents, options.max_bodies, spread=spread)
            pages.append(_cause_page(g, cause, legend, spread, options, followed, fold))
    index = SimilarityIndex(g)
    for incident in nodes_of_kind(g, "incident"):
        pages.append(_incident_page(g, incident, legend, index, tier_of, names))
    return pages


def _cause_page(
    g: nx.MultiDiGraph,
    cause: str,
    legend: dict[str, dict[str, str]],
    spread: CauseSpread | None,
    options: ViewOptions,
    followed: Mapping[tuple[str, str], Effect],
    fold: CauseFold | None = None,
) -> Page:
    """A cause's page; past ``options.max_incidents`` incidents (``fold``: views/folded.py)
    its network folded, the most recent incidents listed and the others counted."""
    graph = cause_graph(
        g, cause, legend, spread, options, (fold.total, fold.bodies, fold.linked) if fold else None
    )
    return Page(
        cause_page(g, cause),
        (f"原因：{label(g, cause, 'ja')}", f"Cause: {label(g, cause, 'en')}"),
        graph,
        notes=(*graph.notes, fold.note()) if fold else (),
        tables=(
            what_others_did(g, cause, followed, fold.measures if fold else None),
            _table_of_incidents(
                g,
                fold.listed if fold else cause_incidents(g, cause),
                "../",
                ("事案（発生順）", "Incidents in time order"),
                "timeline",
            ),
        ),
    )


def _incident_page(
    g: nx.MultiDiGraph,
    incident: str,
    legend: dict[str, dict[str, str]],
    index: AnyIndex,
    tier_of: dict[str, str],
    names: Names,
) -> Page:
    chain = causal_chain(g, incident, tiers=tier_of)
    similar = similar_incidents(g, incident, top=SIMILAR_SHOWN, index=index)
    return Page(
        incident_page(g, incident),
        (f"事案：{label(g, incident, 'ja')}", f"Incident: {label(g, incident, 'ja')}"),
        incident_graph(g, incident, legend),
        tables=(
            Table(
                id="timeline",
                caption=("経過", "Timeline"),
                columns=(("日付", "date"), ("出来事", "event"), ("根拠の文", "sentence")),
                rows=tuple(
                    (
                        Cell(str(g.nodes[e]["date"])),
                        Cell(label(g, e, "ja"), text_en=label(g, e, "en")),
                        Cell(str(g.nodes[e].get("sentence") or "")),
                    )
                    for e in timeline_events(g, incident)
                ),
            ),
            Table(
                id="chain",
                caption=(
                    "原因の連鎖（被害 → 不安全行為 → 前提条件 → 監督 → 組織）",
                    "Causal chain (harm → unsafe act → precondition → supervision → organisation)",
                ),
                columns=(
                    ("段階", "step"),
                    ("コード", "code"),
                    ("名称", "label"),
                    ("根拠の文", "evidence"),
                ),
                rows=tuple(
                    (
                        Cell(*names.step(link.step)[:1], text_en=names.step(link.step)[1]),
                        Cell(link.code or "—"),
                        Cell(link.label_ja, text_en=link.label_en),
                        Cell(
                            " / ".join(link.sentences)
                            if link.stated
                            else "（報告書に記載なし / not stated）"
                        ),
                    )
                    for link in chain.links
                ),
            ),
            Table(
                id="similar",
                caption=("類似の事案", "Similar incidents"),
                columns=(
                    ("類似度", "score"),
                    ("事案", "incident"),
                    ("組織", "bodies"),
                    ("共通点", "shared"),
                ),
                rows=tuple(
                    (
                        Cell(f"{s.score:.3f}", num=True),
                        Cell(s.label, href=f"../{incident_page(g, s.incident)}"),
                        Cell("、".join(s.organizations)),
                        Cell(s.reason),
                    )
                    for s in similar
                ),
            ),
        ),
    )
