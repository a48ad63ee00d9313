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

import hashlib
import json
import logging
import math
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx
import yaml
from jinja2 import Environment, select_autoescape

from incident_kg.analysis.algorithms import (
    CauseSpread,
    causal_chain,
    cause_incidents,
    rank_causes,
    similar_incidents,
)
from incident_kg.analysis.network import (
    Evidence,
    evidence,
    incident_bodies,
    incident_organizations,
    label,
    nodes_of_kind,
    targets,
)
from incident_kg.errors import IncidentKGError
from incident_kg.privacy.redact import RedactionRules, redact

log = logging.getLogger(__name__)

TEMPLATE_PACKAGE = "incident_kg.views"
#: Causes drawn in the overview unless ``--top`` says otherwise.
DEFAULT_TOP = 20
#: Incidents drawn one by one in the overview; beyond, they are folded into weighted edges.
MAX_INCIDENTS = 150
#: Bodies drawn in a folded overview (those with the most incidents).
MAX_BODIES = 60
#: vis-network as shipped inside the pyvis package.
VIS_DIR = ("templates", "lib", "vis-9.1.2")

Text = tuple[str, str]  # (ja, en)


class ViewError(IncidentKGError):
    """A view cannot be made: unknown tier or organisation, or an unwritable folder."""


@dataclass(frozen=True)
class ViewOptions:
    """What the views show: language first shown, and the overview's filters and limits."""

    lang: str = "ja"
    top: int = DEFAULT_TOP
    tier: str | None = None
    organization: str | None = None  # a body's or unit's name or IRI
    max_incidents: int = MAX_INCIDENTS
    max_bodies: int = MAX_BODIES


@dataclass
class PageGraph:
    """The nodes and edges of one page, as vis-network reads them (before pyvis)."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set, repr=False)

    def node_ids(self) -> set[str]:
        return set(self._ids)

    def add_node(self, node_id: str, **attrs: Any) -> None:
        """Add a node once (a second call with the same id changes nothing)."""
        if node_id not in self._ids:
            self._ids.add(node_id)
            self.nodes.append({"id": node_id, **attrs})

    def add_edge(self, source: str, target: str, **attrs: Any) -> None:
        self.edges.append({"from": source, "to": target, **attrs})


@dataclass(frozen=True)
class Cell:
    """One table cell: text (escaped when rendered) and an optional link."""

    text: str
    href: str | None = None
    num: bool = False


@dataclass(frozen=True)
class Table:
    id: str
    caption: Text
    columns: tuple[Text, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Page:
    """One HTML page: where it goes, its title, its graph (if any), notes and tables."""

    path: str  # relative to the output folder
    title: Text
    graph: PageGraph | None = None
    notes: tuple[Text, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class WrittenPage:
    """A page written to disk, with the counts of what its network draws."""

    path: Path
    nodes: int
    edges: int


@dataclass(frozen=True)
class ViewsResult:
    out: Path
    pages: tuple[WrittenPage, ...]

    def page(self, relative: str) -> WrittenPage:
        return next(p for p in self.pages if p.path == self.out / relative)


# -- configuration ------------------------------------------------------------------------


def load_legend() -> dict[str, dict[str, str]]:
    """The node kinds with colour, shape and names, from ``templates/legend.yaml``."""
    text = files(TEMPLATE_PACKAGE).joinpath("templates", "legend.yaml").read_text("utf-8")
    kinds: dict[str, dict[str, str]] = yaml.safe_load(text)["kinds"]
    return kinds


# -- names and tooltips -------------------------------------------------------------------


def slug(text: str) -> str:
    """A file name for ``text``: its safe characters, plus a short hash when any was unsafe."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "x"
    if safe != text:
        safe = f"{safe[:60]}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    return safe


def cause_page(g: nx.MultiDiGraph, cause: str) -> str:
    return f"cause/{slug(str(g.nodes[cause]['code']))}.html"


def incident_page(g: nx.MultiDiGraph, incident: str) -> str:
    data = g.nodes[incident]
    report = g.nodes[data["report"]].get("identifier") or data["report"]
    key = data["key"]
    return f"incident/{slug(f'{report}-{key}')}.html"


def _quote(sentence: str, limit: int = 300) -> str:
    sentence = " ".join(sentence.split())
    return f"「{sentence[:limit]}{'…' if len(sentence) > limit else ''}」"


def _both(g: nx.MultiDiGraph, node: str) -> str:
    ja, en = label(g, node, "ja"), label(g, node, "en")
    return ja if ja == en else f"{ja} / {en}"


def incident_tip(g: nx.MultiDiGraph, incident: str, *, because: str | None = None) -> list[str]:
    """Tooltip lines of an incident; with ``because`` (a coded node), the sentences that
    link the incident to it."""
    data = g.nodes[incident]
    report = g.nodes[data["report"]]
    lines = [label(g, incident, "ja"), f"{report.get('file') or report.get('identifier')}"]
    bodies = [label(g, b, "ja") for b in incident_bodies(g, incident)]
    if bodies:
        lines.append("組織 / bodies: " + "、".join(bodies))
    dates = [f"{k}: {data[k]}" for k in ("occurred", "discovered", "resolved") if data.get(k)]
    if dates:
        lines.append(" · ".join(dates))
    if data.get("affected") is not None:
        lines.append(f"affected: {data['affected']}")
    if because is not None:
        lines.extend(edge_tip(g, incident, because))
    return lines


def _relations(g: nx.MultiDiGraph, source: str, target: str) -> list[str]:
    data = g.get_edge_data(source, target) or {}
    return sorted(data)


def edge_tip(g: nx.MultiDiGraph, source: str, target: str) -> list[str]:
    """Tooltip lines of an edge: the evidence sentences behind it."""
    lines: list[str] = []
    for relation in _relations(g, source, target):
        for e in evidence(g, source, target, relation):
            role = f" [{e.role}]" if e.role else ""
            lines.append(_quote(e.sentence) + role)
    return lines


def concept_tip(g: nx.MultiDiGraph, node: str, extra: Iterable[str] = ()) -> list[str]:
    data = g.nodes[node]
    lines = [label(g, node, "ja"), label(g, node, "en"), f"code: {data.get('code')}"]
    tiers = targets(g, node, "in_tier")
    if tiers:
        lines.append(f"tier: {_both(g, tiers[0])}")
    return [*lines, *extra]


def _size(value: float, smallest: float = 10, step: float = 8) -> float:
    """Node size growing with the square root of a count (area ∝ count)."""
    return round(smallest + step * math.sqrt(max(value, 0)), 2)


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node(
    g: nx.MultiDiGraph, node: str, legend: dict[str, dict[str, str]], **attrs: Any
) -> dict[str, Any]:
    """A page node: kind, labels (shortened; the tooltip has them in full), colour, shape."""
    kind = str(g.nodes[node]["kind"])
    style = legend.get(kind, {})
    return {
        "kind": kind,
        "label_ja": _short(label(g, node, "ja"), 20),
        "label_en": _short(label(g, node, "en"), 32),
        "color": style.get("color", "#999999"),
        "shape": style.get("shape", "dot"),
        **attrs,
    }


# -- the overview -------------------------------------------------------------------------


def _match_organization(g: nx.MultiDiGraph, name: str) -> set[str]:
    """Organisations named ``name`` (label or IRI) and every unit below them."""
    orgs = nodes_of_kind(g, "organization")
    named = {o for o in orgs if o == name or name in (label(g, o, "ja"), label(g, o, "en"))}
    if not named:
        raise ViewError(f"no organisation named {name!r} in the store")
    below = set(named)
    changed = True
    while changed:
        more = {o for o in orgs for p in targets(g, o, "part_of") if p in below} - below
        below |= more
        changed = bool(more)
    return below


def overview_graph(
    g: nx.MultiDiGraph,
    ranking: Sequence[CauseSpread],
    options: ViewOptions,
    legend: dict[str, dict[str, str]],
) -> PageGraph:
    """The overview's nodes and edges: the top causes (optionally of one tier, or of one
    organisation's incidents), their incidents, bodies and countermeasures — or, past
    ``max_incidents`` incidents, causes linked straight to bodies and countermeasures by
    edges weighted with the number of incidents."""
    page = PageGraph()
    incidents = nodes_of_kind(g, "incident")
    if options.organization:
        orgs = _match_organization(g, options.organization)
        incidents = [i for i in incidents if set(incident_organizations(g, i)) & orgs]
    allowed = set(incidents)
    shown = [
        r for r in ranking if (options.tier is None or r.tier == options.tier)
        and set(cause_incidents(g, r.concept)) & allowed
    ]  # fmt: skip
    total = len(shown)
    shown = shown[: options.top]
    causes = {r.concept: r for r in shown}
    incidents = sorted({i for c in causes for i in cause_incidents(g, c)} & allowed)
    if total > len(shown):
        page.notes.append(
            (
                f"原因は拡がりスコアの上位 {len(shown)} 件を表示（全 {total} 件）。",
                f"Showing the top {len(shown)} of {total} causes by score.",
            )
        )
    folded = len(incidents) > options.max_incidents
    for r in shown:
        page.add_node(
            r.concept,
            **_node(
                g, r.concept, legend, size=_size(r.score, 12, 9), href=cause_page(g, r.concept)
            ),
            tip=concept_tip(
                g,
                r.concept,
                [
                    f"score {r.score:g} · spread {r.spread} · incidents {r.incidents} · "
                    f"bodies {r.organizations} · reports {r.reports}"
                ],
            ),
        )
    body_incidents: Counter[str] = Counter()
    measure_bodies: dict[str, set[str]] = {}
    pairs: Counter[tuple[str, str]] = Counter()
    for i in incidents:
        bodies = incident_bodies(g, i)
        body_incidents.update(bodies)
        for m in targets(g, i, "has_countermeasure"):
            measure_bodies.setdefault(m, set()).update(bodies)
        linked = [c for c in targets(g, i, "has_cause") if c in causes]
        for c in linked:
            pairs.update((c, b) for b in bodies)
            pairs.update((c, m) for m in targets(g, i, "has_countermeasure"))
    bodies_shown = [b for b, _ in sorted(body_incidents.items(), key=lambda x: (-x[1], x[0]))]
    if folded and len(bodies_shown) > options.max_bodies:
        page.notes.append(
            (
                f"組織は事案数の上位 {options.max_bodies} 件を表示（全 {len(bodies_shown)} 件）。",
                f"Showing the {options.max_bodies} bodies with most incidents "
                f"(of {len(bodies_shown)}).",
            )
        )
        bodies_shown = bodies_shown[: options.max_bodies]
    for b in bodies_shown:
        page.add_node(
            b,
            **_node(g, b, legend, size=_size(body_incidents[b])),
            tip=[label(g, b, "ja"), f"incidents: {body_incidents[b]}"],
        )
    for m, bodies in sorted(measure_bodies.items()):
        page.add_node(
            m,
            **_node(g, m, legend, size=_size(len(bodies))),
            tip=concept_tip(g, m, [f"adopted by {len(bodies)} bodies"]),
        )
    shown_ids = page.node_ids()
    if folded:
        page.notes.append(
            (
                f"事案が {len(incidents)} 件あり上限 {options.max_incidents} 件を超えるため、"
                "事案は原因と組織・再発防止策の間の重み付きエッジ（事案数）にまとめて表示。",
                f"{len(incidents)} incidents exceed the limit of {options.max_incidents}: "
                "they are folded into cause–body and cause–countermeasure edges "
                "weighted by the number of incidents.",
            )
        )
        for (c, other), n in sorted(pairs.items()):
            if other in shown_ids:
                page.add_edge(c, other, value=n, tip=[f"{n} incident(s)"])
        return page
    for i in incidents:
        page.add_node(
            i,
            **_node(g, i, legend, size=10, href=incident_page(g, i)),
            tip=incident_tip(g, i),
        )
        for c in targets(g, i, "has_cause"):
            if c in causes:
                page.add_edge(i, c, tip=edge_tip(g, i, c))
        for b in incident_bodies(g, i):
            if b in shown_ids:
                page.add_edge(i, b)
        for m in targets(g, i, "has_countermeasure"):
            page.add_edge(i, m, tip=edge_tip(g, i, m))
    return page


# -- ego pages ----------------------------------------------------------------------------


def cause_graph(
    g: nx.MultiDiGraph, cause: str, legend: dict[str, dict[str, str]], spread: CauseSpread | None
) -> PageGraph:
    """A cause, its incidents (edges carry the evidence), their bodies and countermeasures,
    the other causes stated with it, and its tier."""
    page = PageGraph()
    extra = (
        [
            f"score {spread.score:g} · spread {spread.spread} · incidents {spread.incidents} · "
            f"bodies {spread.organizations} · reports {spread.reports}"
        ]
        if spread
        else []
    )
    page.add_node(cause, **_node(g, cause, legend, size=30), tip=concept_tip(g, cause, extra))
    for tier in targets(g, cause, "in_tier"):
        page.add_node(tier, **_node(g, tier, legend, size=16), tip=concept_tip(g, tier))
        page.add_edge(cause, tier, dashes=True)
    for i in cause_incidents(g, cause):
        page.add_node(
            i,
            **_node(g, i, legend, size=14, href=f"../{incident_page(g, i)}"),
            tip=incident_tip(g, i, because=cause),
        )
        page.add_edge(i, cause, tip=edge_tip(g, i, cause))
        for b in incident_bodies(g, i):
            page.add_node(b, **_node(g, b, legend, size=12), tip=[label(g, b, "ja")])
            page.add_edge(i, b)
        for m in targets(g, i, "has_countermeasure"):
            page.add_node(m, **_node(g, m, legend, size=12), tip=concept_tip(g, m))
            page.add_edge(i, m, tip=edge_tip(g, i, m))
        for other in targets(g, i, "has_cause"):
            if other != cause:
                page.add_node(
                    other,
                    **_node(g, other, legend, size=12, href=f"../{cause_page(g, other)}"),
                    tip=concept_tip(g, other),
                )
                page.add_edge(i, other, tip=edge_tip(g, i, other))
    return page


#: The relations an incident page draws, incident → node.
INCIDENT_RELATIONS = (
    "has_cause", "has_harm", "has_countermeasure", "involves_system", "involves_procedure",
    "involves_actor", "responsible", "involved", "reported_in",
)  # fmt: skip


def incident_graph(
    g: nx.MultiDiGraph, incident: str, legend: dict[str, dict[str, str]]
) -> PageGraph:
    """An incident with its codes, organisations (and the bodies above them), its report and
    its timeline events; every edge carries the sentences that state it."""
    page = PageGraph()
    page.add_node(incident, **_node(g, incident, legend, size=30), tip=incident_tip(g, incident))
    for relation in INCIDENT_RELATIONS:
        for node in targets(g, incident, relation):
            kind = g.nodes[node]["kind"]
            href = f"../{cause_page(g, node)}" if kind == "cause" else None
            tip: list[str]
            if kind == "organization":
                tip = [label(g, node, "ja"), relation]
            elif kind == "report":
                data = g.nodes[node]
                tip = [str(data.get("title") or ""), str(data.get("file") or "")]
            else:
                tip = concept_tip(g, node, edge_tip(g, incident, node))
            page.add_node(node, **_node(g, node, legend, size=14, href=href), tip=tip)
            page.add_edge(incident, node, label=relation, tip=edge_tip(g, incident, node))
            if kind == "organization":
                body = g.nodes[node]["body"]
                if body != node:
                    page.add_node(
                        body, **_node(g, body, legend, size=12), tip=[label(g, body, "ja")]
                    )
                    page.add_edge(node, body, dashes=True)
    previous: str | None = None
    for event in _timeline(g, incident):
        data = g.nodes[event]
        page.add_node(
            event,
            **_node(g, event, legend, size=8),
            tip=[
                label(g, event, "ja"),
                *([_quote(data["sentence"])] if data.get("sentence") else []),
            ],
        )
        page.add_edge(incident, event, dashes=True)
        if previous is not None:
            page.add_edge(previous, event, arrows="to")
        previous = event
    return page


def _timeline(g: nx.MultiDiGraph, incident: str) -> list[str]:
    return sorted(targets(g, incident, "has_event"), key=lambda e: (str(g.nodes[e]["date"]), e))


# -- layout and pyvis ---------------------------------------------------------------------


#: Up to this many nodes the layout is Kamada–Kawai (clearer, but ~9 s at 250 nodes); above,
#: spring layout (deterministic seed).
KAMADA_KAWAI_LIMIT = 80


def layout(page: PageGraph, *, seed: int = 7) -> None:
    """Fix every node's position (NetworkX, deterministic) so that the browser draws at once
    with physics off; the drawing area grows with the number of nodes."""
    u = nx.Graph()
    u.add_nodes_from(n["id"] for n in page.nodes)
    u.add_edges_from((e["from"], e["to"]) for e in page.edges)
    if u.number_of_nodes() == 0:
        return
    scale = 110.0 * math.sqrt(u.number_of_nodes())
    if u.number_of_nodes() <= KAMADA_KAWAI_LIMIT:
        positions = nx.kamada_kawai_layout(u)
    else:
        k = 2.0 / math.sqrt(u.number_of_nodes())
        positions = nx.spring_layout(u, seed=seed, k=k, iterations=50)
    for n in page.nodes:
        x, y = positions[n["id"]]
        n["x"], n["y"] = round(float(x) * scale, 1), round(float(y) * scale, 1)


OPTIONS: dict[str, Any] = {
    "physics": {"enabled": False},
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
    "nodes": {"font": {"size": 14, "face": "Noto Sans CJK JP, sans-serif"}, "borderWidth": 1},
    "edges": {
        "smooth": False,
        "color": {"color": "#b0b0b0", "highlight": "#555555", "hover": "#555555"},
        "scaling": {"min": 1, "max": 8},
        "font": {"size": 10, "align": "middle"},
    },
}


def to_pyvis(page: PageGraph) -> dict[str, Any]:
    """The page graph through :class:`pyvis.network.Network`: its node, edge and options
    data, as the page's JSON (``views.js`` draws it)."""
    from pyvis.network import Network

    net = Network(directed=False, cdn_resources="local")
    for node in page.nodes:
        attrs = {k: v for k, v in node.items() if k not in ("id", "label", "shape", "color")}
        net.add_node(
            node["id"], label=node["label_ja"], shape=node["shape"], color=node["color"], **attrs
        )
    for edge in page.edges:  # pyvis keeps one edge per pair of nodes
        attrs = {k: v for k, v in edge.items() if k not in ("from", "to")}
        net.add_edge(edge["from"], edge["to"], **attrs)
    net.options = OPTIONS
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "options": json.loads(options)}


# -- pages --------------------------------------------------------------------------------


def _table_of_causes(
    g: nx.MultiDiGraph,
    ranking: Sequence[CauseSpread],
    prefix: str,
    table_id: str = "shared-causes",
    caption: Text = ("共通する根本原因（拡がり順）", "Shared root causes, by spread"),
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
        rows=tuple(
            (
                Cell(str(r.rank), num=True),
                Cell(r.code, href=f"{prefix}{cause_page(g, r.concept)}")
                if r.level == "cause"
                else Cell(r.code),
                Cell(f"{r.label_ja} / {r.label_en}"),
                Cell(r.tier or ""),
                Cell(f"{r.score:g}", num=True),
                Cell(str(r.spread), num=True),
                Cell(str(r.incidents), num=True),
                Cell(str(r.organizations), num=True),
                Cell(str(r.reports), num=True),
            )
            for r in ranking
        ),
    )


def _table_of_incidents(
    g: nx.MultiDiGraph, incidents: Iterable[str], prefix: str, caption: Text, table_id: str
) -> Table:
    return Table(
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
                Cell("、".join(label(g, b, "ja") for b in incident_bodies(g, i))),
                Cell(str(g.nodes[g.nodes[i]["report"]].get("file") or "")),
            )
            for i in sorted(incidents, key=lambda i: (str(g.nodes[i].get("occurred") or "9999"), i))
        ),
    )


def build_pages(
    g: nx.MultiDiGraph, options: ViewOptions, legend: dict[str, dict[str, str]]
) -> list[Page]:
    """Every page of the views, in memory (pure: the graph and options in, pages out)."""
    if options.tier is not None and options.tier not in {
        str(g.nodes[t]["code"]) for t in nodes_of_kind(g, "tier")
    }:
        raise ViewError(f"no cause tier {options.tier!r} in the store's incidents")
    ranking = rank_causes(g)
    tiers = rank_causes(g, level="tier")
    spread_of = {r.concept: r for r in ranking}
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
                    f"事案 {len(nodes_of_kind(g, 'incident'))} 件、報告書 "
                    f"{len(nodes_of_kind(g, 'report'))} 件。すべてのページはネットワークに接続せずに表示できます。",
                    f"{len(nodes_of_kind(g, 'incident'))} incidents from "
                    f"{len(nodes_of_kind(g, 'report'))} reports. Every page works with no network.",
                ),
                (
                    "拡がり = 互いに異なる組織で起きた事案の最大数。スコア = 拡がり + 0.5 ×（事案数 − 拡がり）。",
                    "Spread = the largest number of incidents in pairwise different bodies. "
                    "Score = spread + 0.5 × (incidents − spread).",
                ),
            ),
            tables=(
                _table_of_causes(g, ranking, ""),
                _table_of_causes(
                    g, tiers, "", "tiers", ("原因の階層（HFACS）", "Cause tiers (HFACS)")
                ),
                _table_of_incidents(
                    g, nodes_of_kind(g, "incident"), "", ("事案", "Incidents"), "incidents"
                ),
            ),
        ),
    ]
    for cause in nodes_of_kind(g, "cause"):
        incidents = cause_incidents(g, cause)
        if not incidents:
            continue
        pages.append(
            Page(
                cause_page(g, cause),
                (f"原因：{label(g, cause, 'ja')}", f"Cause: {label(g, cause, 'en')}"),
                cause_graph(g, cause, legend, spread_of.get(cause)),
                tables=(
                    _table_of_incidents(
                        g,
                        incidents,
                        "../",
                        ("事案（発生順）", "Incidents in time order"),
                        "timeline",
                    ),
                ),
            )
        )
    for incident in nodes_of_kind(g, "incident"):
        pages.append(_incident_page(g, incident, legend))
    return pages


def _incident_page(g: nx.MultiDiGraph, incident: str, legend: dict[str, dict[str, str]]) -> Page:
    chain = causal_chain(g, incident)
    similar = similar_incidents(g, incident)
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
                        Cell(_both(g, e)),
                        Cell(str(g.nodes[e].get("sentence") or "")),
                    )
                    for e in _timeline(g, incident)
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
                        Cell(link.step),
                        Cell(link.code or "—"),
                        Cell(f"{link.label_ja} / {link.label_en}"),
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


def render_page(
    env: Environment, page: Page, lang: str, legend: dict[str, dict[str, str]]
) -> tuple[str, dict[str, Any] | None]:
    """The HTML of one page, and the network data it draws (None for a page without one)."""
    graph = None
    kinds: list[dict[str, str]] = []
    if page.graph is not None:
        layout(page.graph)
        graph = to_pyvis(page.graph)
        present = {n["kind"] for n in page.graph.nodes}
        kinds = [{"name": k, **v} for k, v in legend.items() if k in present]
    depth = page.path.count("/")
    html = env.get_template("page.html").render(
        lang=lang,
        title=page.title,
        prefix="../" * depth,
        graph=graph,
        legend=kinds,
        notes=page.notes,
        tables=page.tables,
    )
    return html, graph


def template_environment() -> Environment:
    """Jinja2 over ``templates/`` with autoescaping on for every template."""
    from jinja2 import FunctionLoader

    def load(name: str) -> str:
        return files(TEMPLATE_PACKAGE).joinpath("templates", name).read_text("utf-8")

    return Environment(
        loader=FunctionLoader(load),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )


def _copy_assets(lib: Path) -> None:
    import pyvis

    lib.mkdir(parents=True, exist_ok=True)
    vis = Path(pyvis.__file__).resolve().parent.joinpath(*VIS_DIR)
    for name in ("vis-network.min.js", "vis-network.css"):
        shutil.copyfile(vis / name, lib / name)
    for name in ("views.js", "views.css"):
        (lib / name).write_text(
            files(TEMPLATE_PACKAGE).joinpath("templates", name).read_text("utf-8"), "utf-8"
        )


def redact_network(
    g: nx.MultiDiGraph, rules: RedactionRules
) -> tuple[nx.MultiDiGraph, Counter[str]]:
    """A copy of the projection with personal data in its texts (labels, titles, evidence
    sentences) replaced by typed placeholders, and the number replaced by kind — the same
    rules as a redacted export (privacy/redaction.yaml)."""
    out = g.copy()
    counts: Counter[str] = Counter()

    def clean(text: str) -> str:
        redacted, found = redact(text, rules)
        counts.update(found)
        return redacted

    for _, attrs in out.nodes(data=True):
        for key, value in list(attrs.items()):
            if isinstance(value, str):
                attrs[key] = clean(value)
    for _, _, attrs in out.edges(data=True):
        evidence = attrs.get("evidence")
        if evidence:
            attrs["evidence"] = tuple(
                replace(e, sentence=clean(e.sentence)) if isinstance(e, Evidence) else e
                for e in evidence
            )
    return out, counts


def write_views(
    g: nx.MultiDiGraph,
    out: Path,
    options: ViewOptions | None = None,
    *,
    progress: Callable[[Iterable[Page]], Iterable[Page]] = lambda pages: pages,
) -> ViewsResult:
    """Write every page and its assets into ``out`` (created; the pages of a former run there
    are replaced, and its cause and incident pages removed first)."""
    options = options or ViewOptions()
    legend = load_legend()
    pages = build_pages(g, options, legend)
    env = template_environment()
    try:
        for folder in ("cause", "incident"):  # pages of a former run that no longer exist
            for stale in (out / folder).glob("*.html"):
                stale.unlink()
        _copy_assets(out / "lib")
        written = []
        for page in progress(pages):
            target = out / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            html, graph = render_page(env, page, options.lang, legend)
            target.write_text(html, "utf-8")
            written.append(
                WrittenPage(
                    target,
                    len(graph["nodes"]) if graph else 0,
                    len(graph["edges"]) if graph else 0,
                )
            )
    except OSError as exc:
        raise ViewError(f"{out}: cannot write the views: {exc}") from exc
    log.info("wrote %d pages into %s", len(written), out)
    return ViewsResult(out, tuple(written))
