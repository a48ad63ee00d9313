"""Page graphs: what each page's network draws, from the projection — the overview
(causes, incidents, bodies, countermeasures; folded into weighted edges beyond a size), a
cause's and an incident's neighbourhood — with their tooltips, positions (computed once
here; physics is off in the browser) and the data pyvis gives vis-network.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import networkx as nx
import yaml

from incident_kg.analysis.algorithms import (
    CauseSpread,
    cause_incidents,
)
from incident_kg.analysis.network import (
    evidence,
    incident_bodies,
    incident_organizations,
    label,
    nodes_of_kind,
    targets,
)
from incident_kg.errors import IncidentKGError

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
#: One line of a tooltip: a text from a report (shown as written) or the page's own words in
#: both languages, (ja, en), shown in the page's language (views.js).
TipLine = str | Text


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
    #: write only this incident's page (IRI or REPORT/incident/N) or this cause's (code)
    incident: str | None = None
    cause: str | None = None


@dataclass
class PageGraph:
    """The nodes and edges of one page, as vis-network reads them (before pyvis)."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    #: the node an ego page is about: its neighbours are laid out around it (see layout)
    center: str | None = None
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


def both_labels(g: nx.MultiDiGraph, node: str) -> str:
    ja, en = label(g, node, "ja"), label(g, node, "en")
    return ja if ja == en else f"{ja} / {en}"


def incident_tip(g: nx.MultiDiGraph, incident: str, *, because: str | None = None) -> list[TipLine]:
    """Tooltip lines of an incident; with ``because`` (a coded node), the sentences that
    link the incident to it."""
    data = g.nodes[incident]
    report = g.nodes[data["report"]]
    lines: list[TipLine] = [
        label(g, incident, "ja"),
        f"{report.get('file') or report.get('identifier')}",
    ]
    bodies = "、".join(sorted({label(g, b, "ja") for b in incident_bodies(g, incident)}))
    if bodies:
        lines.append((f"組織: {bodies}", f"bodies: {bodies}"))
    dates = [(k, data[k]) for k in _DATE_WORDS if data.get(k)]
    if dates:
        lines.append(
            (
                " · ".join(f"{_DATE_WORDS[k]}: {v}" for k, v in dates),
                " · ".join(f"{k}: {v}" for k, v in dates),
            )
        )
    if data.get("affected") is not None:
        lines.append((f"影響: {data['affected']}", f"affected: {data['affected']}"))
    if because is not None:
        lines.extend(edge_tip(g, incident, because))
    return lines


#: The dates of an incident a tooltip shows, with their Japanese names.
_DATE_WORDS = {"occurred": "発生", "discovered": "発覚", "resolved": "解決"}


def _incident_count(n: int) -> Text:
    return (f"事案 {n} 件", f"{n} incident(s)")


def _relations(g: nx.MultiDiGraph, source: str, target: str) -> list[str]:
    data = g.get_edge_data(source, target) or {}
    return sorted(data)


def edge_tip(g: nx.MultiDiGraph, source: str, target: str) -> list[TipLine]:
    """Tooltip lines of an edge: the evidence sentences behind it."""
    lines: list[TipLine] = []
    for relation in _relations(g, source, target):
        for e in evidence(g, source, target, relation):
            role = f" [{e.role}]" if e.role else ""
            lines.append(_quote(e.sentence) + role)
    return lines


def concept_tip(g: nx.MultiDiGraph, node: str, extra: Iterable[TipLine] = ()) -> list[TipLine]:
    """Tooltip lines of a code: its label, code and tier, in the page's language."""
    data = g.nodes[node]
    lines: list[TipLine] = [
        (label(g, node, "ja"), label(g, node, "en")),
        (f"コード: {data.get('code')}", f"code: {data.get('code')}"),
    ]
    tiers = targets(g, node, "in_tier")
    if tiers:
        lines.append((f"階層: {label(g, tiers[0], 'ja')}", f"tier: {label(g, tiers[0], 'en')}"))
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
            count=r.incidents,  # written into the label (views/readable.py)
            recurred=r.incidents > r.spread,  # some body had it more than once
            tip=concept_tip(
                g,
                r.concept,
                _spread_line(r),
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
            count=body_incidents[b],
            tip=[label(g, b, "ja"), _incident_count(body_incidents[b])],
        )
    for m, bodies in sorted(measure_bodies.items()):
        page.add_node(
            m,
            **_node(g, m, legend, size=_size(len(bodies))),
            count=len(bodies),
            tip=concept_tip(
                g, m, [(f"{len(bodies)} 組織が採用", f"adopted by {len(bodies)} bodies")]
            ),
        )
    shown_ids = page.node_ids()
    if folded:
        page.notes.append(
            (
                f"事案が {len(incidents)} 件あり上限 {options.max_incidents} 件を超えるため、"
                "事案は原因と組織・再発防止策の間の重み付きエッジ（事案数）にまとめて表示。",
                f"{total} incidents exceed the limit of {options.max_incidents}: "
                "they are folded into cause–body and cause–countermeasure edges "
                "weighted by the number of incidents.",
            )
        )
        for (c, other), n in sorted(pairs.items()):
            if other in shown_ids:
                page.add_edge(c, other, value=n, tip=[_incident_count(n)])
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
    g: nx.MultiDiGraph,
    cause: str,
    legend: dict[str, dict[str, str]],
    spread: CauseSpread | None,
    options: ViewOptions | None = None,
    counted: tuple[int, Iterable[tuple[str, int]], Iterable[tuple[str, int]]] | None = None,
) -> PageGraph:
    """A cause, its incidents (edges carry the evidence), their bodies and countermeasures,
    the other causes stated with it, and its tier — past ``max_incidents`` incidents folded
    like the overview: the cause linked straight to its bodies (the ``max_bodies`` with most
    incidents), countermeasures and other causes by edges weighted with incident counts
    (``counted``: the number of incidents and those counts, when worked out before:
    views/folded.py)."""
    options = options or ViewOptions()
    if counted is not None:
        return _folded_cause_graph(g, cause, counted, legend, spread, options)
    incidents = cause_incidents(g, cause)
    if len(incidents) > options.max_incidents:
        return _folded_cause_graph(
            g, cause, cause_counts(g, cause, incidents), legend, spread, options
        )
    page = PageGraph(center=cause)
    extra = _spread_line(spread)
    page.add_node(cause, **_node(g, cause, legend, size=30), tip=concept_tip(g, cause, extra))
    for tier in targets(g, cause, "in_tier"):
        page.add_node(tier, **_node(g, tier, legend, size=16), tip=concept_tip(g, tier))
        page.add_edge(cause, tier, dashes=True)
    for i in incidents:
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


def _spread_line(spread: CauseSpread | None) -> list[TipLine]:
    if spread is None:
        return []
    return [
        (
            f"スコア {spread.score:g} · 拡がり {spread.spread} · 事案 {spread.incidents} · "
            f"組織 {spread.organizations} · 報告書 {spread.reports}",
            f"score {spread.score:g} · spread {spread.spread} · incidents {spread.incidents} · "
            f"bodies {spread.organizations} · reports {spread.reports}",
        )
    ]


def cause_counts(
    g: nx.MultiDiGraph, cause: str, incidents: Sequence[str]
) -> tuple[int, tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]:
    """The incidents, and their number by body and by countermeasure or other cause."""
    bodies: Counter[str] = Counter()
    linked: Counter[str] = Counter()
    for i in incidents:
        bodies.update(incident_bodies(g, i))
        linked.update(targets(g, i, "has_countermeasure"))
        linked.update(c for c in targets(g, i, "has_cause") if c != cause)
    return len(incidents), tuple(bodies.items()), tuple(linked.items())


def _folded_cause_graph(
    g: nx.MultiDiGraph,
    cause: str,
    counted: tuple[int, Iterable[tuple[str, int]], Iterable[tuple[str, int]]],
    legend: dict[str, dict[str, str]],
    spread: CauseSpread | None,
    options: ViewOptions,
) -> PageGraph:
    """A cause with more incidents than a page can draw one by one: its bodies, measures and
    the causes stated with it, each linked to the cause by the number of incidents."""
    total, bodies, linked = counted
    page = PageGraph()
    page.add_node(
        cause, **_node(g, cause, legend, size=30), tip=concept_tip(g, cause, _spread_line(spread))
    )
    for tier in targets(g, cause, "in_tier"):
        page.add_node(tier, **_node(g, tier, legend, size=16), tip=concept_tip(g, tier))
        page.add_edge(cause, tier, dashes=True)
    shown = sorted(dict(bodies).items(), key=lambda x: (-x[1], x[0]))[: options.max_bodies]
    page.notes.append(
        (
            f"事案が {total} 件あり上限 {options.max_incidents} 件を超えるため、事案は原因と"
            f"組織・再発防止策・他の原因の間の重み付きエッジ（事案数）にまとめて表示"
            f"（組織は事案数の上位 {len(shown)} 件）。",
            f"{total} incidents exceed the limit of {options.max_incidents}: they are "
            "folded into edges from the cause to bodies, countermeasures and other causes, "
            f"weighted by the number of incidents (the {len(shown)} bodies with most incidents).",
        )
    )
    for b, n in shown:
        page.add_node(
            b, **_node(g, b, legend, size=_size(n)), tip=[label(g, b, "ja"), _incident_count(n)]
        )
        page.add_edge(cause, b, value=n, tip=[_incident_count(n)])
    for node, n in sorted(dict(linked).items()):
        kind = g.nodes[node]["kind"]
        href = f"../{cause_page(g, node)}" if kind == "cause" else None
        page.add_node(
            node,
            **_node(g, node, legend, size=_size(n), href=href),
            tip=concept_tip(g, node, [f"with this cause in {n} incident(s)"]),
        )
        page.add_edge(cause, node, value=n, tip=[f"{n} incident(s)"])
    return page


#: An organisation's part in an incident, as its tooltip says it.
_ROLE_WORDS: dict[str, Text] = {
    "responsible": ("責任組織", "responsible body"),
    "involved": ("関係組織", "involved body"),
}
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
    page = PageGraph(center=incident)
    page.add_node(incident, **_node(g, incident, legend, size=30), tip=incident_tip(g, incident))
    for relation in INCIDENT_RELATIONS:
        for node in targets(g, incident, relation):
            kind = g.nodes[node]["kind"]
            href = f"../{cause_page(g, node)}" if kind == "cause" else None
            tip: list[TipLine]
            if kind == "organization":
                tip = [label(g, node, "ja"), _ROLE_WORDS.get(relation, (relation, relation))]
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
    for event in timeline_events(g, incident):
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


def timeline_events(g: nx.MultiDiGraph, incident: str) -> list[str]:
    return sorted(targets(g, incident, "has_event"), key=lambda e: (str(g.nodes[e]["date"]), e))


# -- layout and pyvis ---------------------------------------------------------------------


#: Up to this many nodes the layout is Kamada–Kawai (clearer, but ~9 s at 250 nodes); above,
#: spring layout (deterministic seed).
KAMADA_KAWAI_LIMIT = 80


def layout(page: PageGraph, *, seed: int = 7) -> None:
    """Fix every node's position so that the browser draws at once with physics off; the
    drawing area grows with the number of nodes.  An ego page (a cause's or an incident's
    with its ``center``) is laid out around its centre in rings, in linear time; other pages
    by NetworkX (deterministic)."""
    u = nx.Graph()
    u.add_nodes_from(n["id"] for n in page.nodes)
    u.add_edges_from((e["from"], e["to"]) for e in page.edges)
    if u.number_of_nodes() == 0:
        return
    scale = 110.0 * math.sqrt(u.number_of_nodes())
    if page.center is not None and page.center in u:
        positions = _rings(u, page.center, [n["id"] for n in page.nodes])
    elif u.number_of_nodes() <= KAMADA_KAWAI_LIMIT:
        positions = nx.kamada_kawai_layout(u)
    else:
        k = 2.0 / math.sqrt(u.number_of_nodes())
        positions = nx.spring_layout(u, seed=seed, k=k, iterations=50)
    for n in page.nodes:
        x, y = positions[n["id"]]
        n["x"], n["y"] = round(float(x) * scale, 1), round(float(y) * scale, 1)


def _rings(u: nx.Graph, center: str, order: Sequence[str]) -> dict[str, tuple[float, float]]:
    """The centre at the origin, its neighbours evenly on a circle (in page order), each
    further node on an outer circle beside the first neighbour it hangs from."""
    positions: dict[str, tuple[float, float]] = {center: (0.0, 0.0)}
    first = [n for n in order if n != center and u.has_edge(center, n)]
    for k, n in enumerate(first):
        angle = 2 * math.pi * k / max(len(first), 1)
        positions[n] = (0.5 * math.cos(angle), 0.5 * math.sin(angle))
    rest = [n for n in order if n not in positions]
    for k, n in enumerate(rest):
        anchor = next((m for m in u.neighbors(n) if m in positions and m != center), None)
        if anchor is not None:
            ax, ay = positions[anchor]
            angle = math.atan2(ay, ax) + 0.25 * ((k % 3) - 1)
        else:
            angle = 2 * math.pi * k / max(len(rest), 1)
        positions[n] = (math.cos(angle), math.sin(angle))
    return positions


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
