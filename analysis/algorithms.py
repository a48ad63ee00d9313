"""Analysis: pure functions over the network projection (analysis/network.py), returning records.

Questions answered, each by one function:

* :func:`rank_causes` — shared root causes: per cause (or per HFACS tier) how many
  incidents, distinct bodies and reports it appears in, its *spread* and a score;
* :func:`cooccurrence` — which causes appear together, with centralities and communities;
* :func:`similar_incidents` — the incidents most like one incident, with the reason;
* :func:`recommend` — countermeasures that address the same causes (measure links: stated
  by the report or defaulted from ontology/measures.yaml), ranked by how many bodies adopted
  them, each with its source report and the link's evidence;
* :func:`causal_chain` — an incident's chain from harm through the four cause tiers.

One definition of a **shared root cause**, which the named query
``queries/shared-root-causes.rq`` computes in SPARQL with the same counts and order (tested):

* an event told by several reports, and a body's case within a national grouping, count
  as one incident — the incident they are counted as (``ikg:countedAs``);
* an incident's **bodies** are the organisations at the top of the part-of chains of its
  responsible organisations (a section of a ward office of a city counts as the city), or
  of its involved ones when none is responsible; one name under two base IRIs is one body;
* its **place** is its body when it has one, and the incident itself when it names several
  (a joint or nationwide case is one place, not nine); an incident with no known body has
  none;
* a cause's **spread** is the number of different places among its incidents: repetition
  in one body adds nothing. The **score** adds the remaining incidents at a lower weight,
  so that spread counts first and repetition breaks ties:
  ``score = spread + repeat_weight × (incidents − spread)``;
* a cause is **shared** when its spread is at least two (:data:`SHARED_SPREAD`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import networkx as nx

from .linked import incident_key, measure_links
from .network import (
    TIER_ORDER,
    evidence,
    find_concept,
    incident_bodies,
    incidents_with_cause,
    label,
    load_details,
    nodes_of_kind,
    sources,
    targets,
)
from .similarity import SIMILARITY_FIELDS, AnyIndex, CodeIndex, SimilarityIndex

#: Weight of an incident that adds no spread (a repetition in a body already counted).
REPEAT_WEIGHT = 0.5
#: The least spread of a *shared* root cause: it occurred in two different places.
SHARED_SPREAD = 2


def _tier_code(g: nx.MultiDiGraph, cause: str) -> str | None:
    tiers = targets(g, cause, "in_tier")
    return str(g.nodes[tiers[0]]["code"]) if tiers else None


def _report_id(g: nx.MultiDiGraph, incident: str) -> str:
    return _file_of(g, g.nodes[incident]["report"])


def _file_of(g: nx.MultiDiGraph, report: str) -> str:
    """A report as a person names it: its file, else its identifier."""
    data = g.nodes[report] if report in g else {}
    return str(data.get("file") or data.get("identifier") or report)


def _body_labels(g: nx.MultiDiGraph, bodies: Iterable[str]) -> tuple[str, ...]:
    """The bodies' names, each once (a ward minted per report is one name however often)."""
    return tuple(sorted({label(g, b, "ja") for b in bodies}))


# -- shared root causes ------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One counted incident as the ranking sees it: every telling of one event, and every
    body's case within a national grouping, taken together under the incident they are
    counted as (``key``)."""

    key: str
    bodies: frozenset[str]  # top-level bodies answerable for it (see :func:`occurrences`)
    reports: frozenset[str]  # the reports that tell any part of it

    @cached_property  # asked once per cause of the incident (millions at 100,000 reports)
    def place(self) -> str | None:
        """Where it happened, for spread: its body when it has one, the incident itself
        when it names several (a joint or national case is one place of its own), none when
        no body is known."""
        if len(self.bodies) == 1:
            return next(iter(self.bodies))
        return self.key if self.bodies else None


def spread(occurred: Iterable[Occurrence]) -> int:
    """The number of different places among ``occurred`` (:attr:`Occurrence.place`): a
    body counts once however often a cause recurred there, a case of several bodies at
    once counts once, and an incident with no known body does not count."""
    return len({o.place for o in occurred} - {None})


def occurrences(g: nx.MultiDiGraph) -> dict[str, Occurrence]:
    """Every counted incident of the projection, by key (:func:`~.linked.incident_key`).

    Its bodies are the top-level bodies of the *responsible* organisations of any of its
    incidents, or — when none names one — of the involved organisations; its reports are
    those of every telling.  The same definition is computed by the named query
    ``queries/shared-root-causes.rq`` (tests/analysis/test_shared_causes_agree.py)."""
    responsible: dict[str, set[str]] = defaultdict(set)
    involved: dict[str, set[str]] = defaultdict(set)
    reports: dict[str, set[str]] = defaultdict(set)
    nodes = g._node  # one pass over the nodes and their own adjacency: no sorted lists
    for incident, data in sorted(nodes.items()):
        if data.get("kind") != "incident":
            continue
        key = str(data.get("counted_as") or incident)  # incident_key
        reports[key].update(data.get("reports", (data["report"],)))
        for target, keys in g._succ[incident].items():
            if "responsible" in keys:
                responsible[key].add(nodes[target]["body"])
            if "involved" in keys:
                involved[key].add(nodes[target]["body"])
    return {
        key: Occurrence(key, frozenset(responsible[key] or involved[key]), frozenset(found))
        for key, found in reports.items()
    }


@dataclass(frozen=True)
class CauseSpread:
    """How widely one cause (or tier) recurs: one row of the shared-root-cause ranking."""

    rank: int
    level: str  # "cause" or "tier"
    code: str
    label_ja: str
    label_en: str
    tier: str | None  # the tier's code (for a cause)
    incidents: int
    organizations: int  # distinct bodies
    reports: int
    spread: int
    score: float
    concept: str  # IRI

    COLUMNS = ("rank", "level", "code", "label", "tier", "score", "spread", "incidents",
               "organizations", "reports")  # fmt: skip

    def row(self, lang: str = "en") -> tuple[str, ...]:
        """The values of :attr:`COLUMNS` as text."""
        return (
            str(self.rank),
            self.level,
            self.code,
            self.label_ja if lang == "ja" else self.label_en,
            self.tier or "",
            f"{self.score:g}",
            str(self.spread),
            str(self.incidents),
            str(self.organizations),
            str(self.reports),
        )


def cause_incidents(g: nx.MultiDiGraph, concept: str) -> list[str]:
    """The incidents with this cause, or with any cause of this tier."""
    return sorted(incidents_with_cause(g, concept))


def _cause_spread(
    g: nx.MultiDiGraph, concept: str, repeat_weight: float, occurred: Mapping[str, Occurrence]
) -> tuple[str, int, int, int, int, float]:
    keys = {str(g._node[i].get("counted_as") or i) for i in incidents_with_cause(g, concept)}
    mine = [occurred[k] for k in keys]  # each event once (incident_key)
    bodies = len(set().union(*(o.bodies for o in mine)))
    reports = len(set().union(*(o.reports for o in mine)))
    s = spread(mine)
    return concept, len(mine), bodies, reports, s, s + repeat_weight * (len(mine) - s)


def rank_causes(
    g: nx.MultiDiGraph,
    *,
    level: str = "cause",
    tier: str | None = None,
    repeat_weight: float = REPEAT_WEIGHT,
    min_spread: int = 0,
    occurred: Mapping[str, Occurrence] | None = None,
) -> list[CauseSpread]:
    """Causes (``level="cause"``) or tiers (``level="tier"``) ranked by score, then
    incidents, then bodies, then code; ``tier`` (a tier code) keeps the causes of one tier;
    ``min_spread`` keeps those that occurred in at least that many places
    (:data:`SHARED_SPREAD` for the *shared* root causes).  ``occurred`` is
    :func:`occurrences` of ``g`` when the caller has it already (ranking causes and tiers)."""
    if not 0 <= repeat_weight < 1:
        raise ValueError("repeat_weight must be in [0, 1): a repetition counts less than spread")
    concepts = [c for c in nodes_of_kind(g, level) if sources(g, c, "has_cause") or level == "tier"]
    if tier is not None:
        concepts = [c for c in concepts if _tier_code(g, c) == tier or g.nodes[c]["code"] == tier]
    occurred = occurrences(g) if occurred is None else occurred
    measured = [_cause_spread(g, c, repeat_weight, occurred) for c in concepts]
    measured = [m for m in measured if m[1] > 0 and m[4] >= min_spread]
    measured.sort(key=lambda m: (-m[5], -m[1], -m[2], str(g.nodes[m[0]]["code"])))
    return [
        CauseSpread(
            rank=n,
            level=level,
            code=str(g.nodes[c]["code"]),
            label_ja=label(g, c, "ja"),
            label_en=label(g, c, "en"),
            tier=_tier_code(g, c) if level == "cause" else None,
            incidents=incidents,
            organizations=bodies,
            reports=reports,
            spread=s,
            score=score,
            concept=c,
        )
        for n, (c, incidents, bodies, reports, s, score) in enumerate(measured, start=1)
    ]


# -- co-occurrence -----------------------------------------------------------------------


@dataclass(frozen=True)
class CauseCentrality:
    """A cause in the co-occurrence network: how central it is, and its community."""

    code: str
    label_ja: str
    label_en: str
    tier: str | None
    incidents: int
    degree: int  # causes it appears with
    strength: int  # incidents shared with other causes, summed over its edges
    betweenness: float
    pagerank: float
    community: int

    COLUMNS = ("code", "label", "tier", "incidents", "degree", "strength", "betweenness",
               "pagerank", "community")  # fmt: skip

    def row(self, lang: str = "en") -> tuple[str, ...]:
        return (
            self.code,
            self.label_ja if lang == "ja" else self.label_en,
            self.tier or "",
            str(self.incidents),
            str(self.degree),
            str(self.strength),
            f"{self.betweenness:.3f}",
            f"{self.pagerank:.3f}",
            str(self.community),
        )


@dataclass(frozen=True)
class CooccurrenceEdge:
    """Two causes stated together in ``weight`` incidents."""

    source: str  # code
    target: str  # code
    weight: int
    incidents: tuple[str, ...]

    COLUMNS = ("source", "target", "weight")

    def row(self, lang: str = "en") -> tuple[str, ...]:
        return (self.source, self.target, str(self.weight))


@dataclass(frozen=True)
class Cooccurrence:
    """The cause co-occurrence network: causes with centralities, weighted edges and
    communities (lists of codes, largest first)."""

    causes: tuple[CauseCentrality, ...]
    edges: tuple[CooccurrenceEdge, ...]
    communities: tuple[tuple[str, ...], ...]


def cooccurrence_graph(g: nx.MultiDiGraph) -> nx.Graph:
    """Causes as nodes (by IRI), an edge for every pair stated in the same incident, weighted
    by the number of such incidents (``incidents`` lists them)."""
    c = nx.Graph()
    for cause in nodes_of_kind(g, "cause"):
        incidents = sources(g, cause, "has_cause")
        if incidents:
            c.add_node(cause, incidents=len({incident_key(g, i) for i in incidents}))
    by_key: dict[str, set[str]] = defaultdict(set)  # distinct incidents: each event once
    for incident in nodes_of_kind(g, "incident"):
        by_key[incident_key(g, incident)] |= set(targets(g, incident, "has_cause"))
    for incident, found in sorted(by_key.items()):
        causes = sorted(found)
        for i, a in enumerate(causes):
            for b in causes[i + 1 :]:
                if c.has_edge(a, b):
                    c.edges[a, b]["weight"] += 1
                    c.edges[a, b]["incidents"].append(incident)
                else:
                    c.add_edge(a, b, weight=1, incidents=[incident])
    for _, _, data in c.edges(data=True):
        data["distance"] = 1.0 / data["weight"]
    return c


def cooccurrence(g: nx.MultiDiGraph, *, seed: int = 0) -> Cooccurrence:
    """Degree, strength, betweenness (distance = 1/weight), PageRank (by weight) and
    Louvain communities (by weight, fixed ``seed``) of the cause co-occurrence network."""
    c = cooccurrence_graph(g)
    if c.number_of_nodes() == 0:
        return Cooccurrence((), (), ())
    betweenness = nx.betweenness_centrality(c, weight="distance", normalized=True)
    pagerank = (
        nx.pagerank(c, weight="weight")
        if c.number_of_edges()
        else {n: 1.0 / c.number_of_nodes() for n in c}
    )
    found = nx.community.louvain_communities(c, weight="weight", seed=seed)
    code = {n: str(g.nodes[n]["code"]) for n in c}
    communities = sorted(
        (tuple(sorted(code[n] for n in group)) for group in found), key=lambda t: (-len(t), t)
    )
    community_of = {m: i for i, group in enumerate(communities, start=1) for m in group}
    causes = sorted(
        (
            CauseCentrality(
                code=code[n],
                label_ja=label(g, n, "ja"),
                label_en=label(g, n, "en"),
                tier=_tier_code(g, n),
                incidents=int(c.nodes[n]["incidents"]),
                degree=int(c.degree(n)),
                strength=int(c.degree(n, weight="weight")),
                betweenness=float(betweenness[n]),
                pagerank=float(pagerank[n]),
                community=community_of[code[n]],
            )
            for n in c
        ),
        key=lambda x: (-x.pagerank, x.code),
    )
    edges = sorted(
        (
            CooccurrenceEdge(
                source=min(code[a], code[b]),
                target=max(code[a], code[b]),
                weight=int(d["weight"]),
                incidents=tuple(d["incidents"]),
            )
            for a, b, d in c.edges(data=True)
        ),
        key=lambda e: (-e.weight, e.source, e.target),
    )
    return Cooccurrence(tuple(causes), tuple(edges), tuple(communities))


# -- similar incidents -------------------------------------------------------------------


@dataclass(frozen=True)
class SharedCode:
    """A code two incidents have in common."""

    field: str
    code: str
    label_ja: str
    label_en: str
    weight: float


@dataclass(frozen=True)
class Similarity:
    """Another incident like the one asked about, with what they share."""

    rank: int
    incident: str
    label: str
    report: str
    organizations: tuple[str, ...]
    score: float
    shared: tuple[SharedCode, ...]

    COLUMNS = ("rank", "score", "incident", "label", "report", "organizations", "reason")

    @property
    def reason(self) -> str:
        """The shared codes by field, e.g. ``causes: LogoutOmission, SharedDevice; …``."""
        by_field: dict[str, list[str]] = defaultdict(list)
        for s in self.shared:
            by_field[s.field].append(s.code)
        return "; ".join(f"{f}: {', '.join(codes)}" for f, codes in by_field.items())

    def row(self, lang: str = "en") -> tuple[str, ...]:
        return (
            str(self.rank),
            f"{self.score:.3f}",
            self.incident,
            self.label,
            self.report,
            ", ".join(self.organizations),
            self.reason,
        )


def similar_incidents(
    g: nx.MultiDiGraph, incident: str, *, top: int = 5, index: AnyIndex | None = None
) -> list[Similarity]:
    """The ``top`` incidents most similar to ``incident`` by their causes, systems, procedures
    and harms: a weighted Jaccard index, each code weighted by its rarity
    (``log(1 + N / incidents with the code)``), so that sharing a rare code counts more.
    An incident counted as the same event (a case and the grouping it is part of) is not
    offered.  ``index`` (:class:`SimilarityIndex` of ``g``) answers many such questions at
    once; without it, the incidents sharing a code with ``incident`` (:class:`CodeIndex`)."""
    index = index or CodeIndex(g)
    order = list(SIMILARITY_FIELDS)
    mine = index.features[incident]
    out = []
    for r, (score, other) in enumerate(index.most_similar(incident, top), start=1):
        shared = mine & index.features[other]
        out.append(
            Similarity(
                rank=r,
                incident=other,
                label=label(g, other, "ja"),
                report=_report_id(g, other),
                organizations=_body_labels(g, incident_bodies(g, other)),
                score=round(score, 6),
                shared=tuple(
                    SharedCode(
                        f,
                        str(g.nodes[t]["code"]),
                        label(g, t, "ja"),
                        label(g, t, "en"),
                        round(index.weight((f, t)), 6),
                    )
                    for f, t in sorted(
                        shared, key=lambda x: (order.index(x[0]), -index.weight(x), x[1])
                    )
                ),
            )
        )
    return out


# -- countermeasure recommendation -------------------------------------------------------


@dataclass(frozen=True)
class Adoption:
    """One incident that adopted a countermeasure for the asked-about causes: where, for which
    causes, and the link's evidence (the sentence that ties the measure to the cause, or that
    the tie was defaulted from the reviewed table)."""

    incident: str
    incident_label: str
    report: str
    organizations: tuple[str, ...]
    causes: tuple[str, ...]  # the asked-about causes the measure addresses in this incident
    sentence: str | None  # the evidence of the countermeasure
    relation: str  # "this incident", "same body" (as the asked-about incident) or "other body"
    links: tuple[str, ...] = ()  # per cause: "stated: <sentence>" or "defaulted (<table line>)"
    basis: str = "defaulted"  # stated (some link is stated) | defaulted

    @property
    def own(self) -> bool:
        """Adopted by the asked-about incident itself or by its own body."""
        return self.relation != "other body"


@dataclass(frozen=True)
class Recommendation:
    """A countermeasure adopted for the same causes, ranked by how many bodies adopted it."""

    rank: int
    code: str
    label_ja: str
    label_en: str
    organizations: int  # distinct bodies that adopted it for these causes
    other_organizations: int  # of which not the asked-about incident's own
    incidents: int  # distinct incidents (an event told by several reports once)
    causes: tuple[str, ...]  # the asked-about causes it was adopted for
    sources: tuple[Adoption, ...] = field(default=())
    stated: int = 0  # adoptions whose report states the tie to the cause

    COLUMNS = ("rank", "code", "label", "organizations", "others", "incidents", "causes",
               "link", "sources")  # fmt: skip

    @property
    def link(self) -> str:
        """The evidence of the tie to the cause: a stated sentence if any report states it,
        else that it was defaulted from the reviewed table."""
        for adoption in self.sources:
            for explained in adoption.links:
                if explained.startswith("stated"):
                    return explained
        return next((x for a in self.sources for x in a.links), "")

    def row(self, lang: str = "en") -> tuple[str, ...]:
        return (
            str(self.rank),
            self.code,
            self.label_ja if lang == "ja" else self.label_en,
            str(self.organizations),
            str(self.other_organizations),
            str(self.incidents),
            ", ".join(self.causes),
            f"{self.stated}/{len(self.sources)} {self.link}",
            "; ".join(
                f"{a.report} ({', '.join(a.organizations) or '?'})"
                + (f" [{a.relation}]" if a.own else "")
                + f" {{{a.basis}}}"
                for a in self.sources
            ),
        )


def recommend(
    g: nx.MultiDiGraph,
    *,
    incident: str | None = None,
    cause: str | None = None,
    others_only: bool = False,
    sentences: int | None = None,
    order: Callable[[str], str] | None = None,
) -> list[Recommendation]:
    """Countermeasures that address the causes of ``incident`` (or ``cause``, a cause or tier
    code, a tier meaning all its causes) in the incidents that adopted them, ranked by the
    number of distinct bodies that adopted them for those causes, then by how many of the
    causes they address, then by distinct incidents, then by the adoptions whose report
    states the tie. A measure counts for a cause only where a link ties them (stated by the
    report, or defaulted from ontology/measures.yaml): a staff training adopted beside a
    program fix is not offered for the program's defect.
    Each comes with its sources and the evidence of each link.

    Adoptions by the asked-about incident or by its own body are kept and marked ``own``
    (the only record of a measure may be the incident's own report); ``others_only``
    leaves them out.  ``sentences`` reads the sentence of the measure (:attr:`Adoption.sentence`)
    for the first that many adoptions of each measure only (a page shows a few), all when
    None: the evidence is read from the store per report.  Adoptions come in the order of
    their incidents' names, or ``order``'s (a view's pseudonyms, before renaming)."""
    if (incident is None) == (cause is None):
        raise ValueError("give an incident or a cause")
    if incident is not None:
        causes = set(targets(g, incident, "has_cause"))
        own_bodies = set(incident_bodies(g, incident))
    else:
        concept = find_concept(g, str(cause))
        causes = (
            set(sources(g, concept, "in_tier")) if g.nodes[concept]["kind"] == "tier" else {concept}
        )
        own_bodies = set()
    adoptions: dict[str, list[Adoption]] = defaultdict(list)
    bodies_of: dict[str, set[str]] = defaultdict(set)
    others_of: dict[str, set[str]] = defaultdict(set)
    causes_of: dict[str, set[str]] = defaultdict(set)
    events_of: dict[str, set[str]] = defaultdict(set)
    candidates = sorted({i for c in causes for i in sources(g, c, "has_cause")}, key=order)
    for other in candidates:
        bodies = set(incident_bodies(g, other))
        relation = (
            "this incident"
            if other == incident
            else "same body"
            if bodies & own_bodies
            else "other body"
        )
        own = relation != "other body"
        if own and others_only:
            continue
        for measure in targets(g, other, "has_countermeasure"):
            links = [lk for lk in measure_links(g, other, measure) if lk.cause in causes]
            if not links:
                continue  # it addresses none of the asked-about causes here
            addressed = sorted({str(g.nodes[lk.cause]["code"]) for lk in links if lk.cause in g})
            adoptions[measure].append(
                Adoption(
                    incident=other,
                    incident_label=label(g, other, "ja"),
                    report=_report_id(g, other),
                    organizations=_body_labels(g, bodies),
                    causes=tuple(addressed),
                    sentence=None,  # read below, for the adoptions that need it
                    relation=relation,
                    links=tuple(dict.fromkeys(lk.explain() for lk in links)),
                    basis="stated" if any(lk.basis == "stated" for lk in links) else "defaulted",
                )
            )
            bodies_of[measure] |= bodies
            others_of[measure] |= bodies - own_bodies
            causes_of[measure] |= set(addressed)
            events_of[measure].add(incident_key(g, other))
    wanted = {m: found[:sentences] for m, found in adoptions.items()}
    load_details(g, sorted({a.incident for found in wanted.values() for a in found}))  # at once
    for measure, found in wanted.items():
        for n, adoption in enumerate(found):
            said = evidence(g, adoption.incident, measure, "has_countermeasure")
            if said:
                adoptions[measure][n] = replace(adoption, sentence=said[0].sentence)
    ranked = sorted(
        adoptions,
        key=lambda m: (
            -len(bodies_of[m]),
            -len(causes_of[m]),
            -len(events_of[m]),
            -sum(1 for a in adoptions[m] if a.basis == "stated"),  # the text says so
            str(g.nodes[m]["code"]),
        ),
    )
    return [
        Recommendation(
            rank=r,
            code=str(g.nodes[m]["code"]),
            label_ja=label(g, m, "ja"),
            label_en=label(g, m, "en"),
            organizations=len(bodies_of[m]),
            other_organizations=len(others_of[m]),
            incidents=len(events_of[m]),
            causes=tuple(sorted(causes_of[m])),
            sources=tuple(adoptions[m]),
            stated=sum(1 for a in adoptions[m] if a.basis == "stated"),
        )
        for r, m in enumerate(ranked, start=1)
    ]


# -- causal chain ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainLink:
    """One step of a causal chain: a harm, or a cause of one tier, or a tier the report
    gives no cause for (``stated`` false)."""

    step: str  # "harm", a tier code, or "other" for a cause outside the tiers
    code: str | None
    label_ja: str
    label_en: str
    stated: bool
    sentences: tuple[str, ...]
    role: str | None  # causal role the report gives (role-trigger, role-root-cause, …)

    COLUMNS = ("step", "code", "label", "role", "evidence")

    def row(self, lang: str = "en") -> tuple[str, ...]:
        return (
            self.step,
            self.code or "-",
            self.label_ja if lang == "ja" else self.label_en,
            self.role or "",
            " / ".join(self.sentences) if self.stated else "(not stated in the report)",
        )


@dataclass(frozen=True)
class CausalChain:
    """An incident's chain from harm back through unsafe act, precondition, supervision and
    organisation, as far as its report supports it."""

    incident: str
    label: str
    report: str
    links: tuple[ChainLink, ...]
    reports: tuple[str, ...] = ()  # every report that tells it (an event told twice: both)

    @property
    def missing(self) -> tuple[str, ...]:
        """The tiers the report gives no cause for."""
        return tuple(link.step for link in self.links if not link.stated)


def _link(g: nx.MultiDiGraph, incident: str, node: str, relation: str, step: str) -> ChainLink:
    said = evidence(g, incident, node, relation)
    roles = sorted({e.role for e in said if e.role})
    return ChainLink(
        step=step,
        code=str(g.nodes[node]["code"]),
        label_ja=label(g, node, "ja"),
        label_en=label(g, node, "en"),
        stated=True,
        sentences=tuple(dict.fromkeys(e.sentence for e in said)),
        role=", ".join(roles) or None,
    )


def causal_chain(
    g: nx.MultiDiGraph, incident: str, *, tiers: Mapping[str, str] | None = None
) -> CausalChain:
    """The causal chain of an incident: its harms, then its causes tier by tier in HFACS
    order (unsafe act → precondition → supervision → organisation), each with the
    sentences that state it; a tier without a stated cause is a link with ``stated`` false."""
    links = [_link(g, incident, h, "has_harm", "harm") for h in targets(g, incident, "has_harm")]
    causes = targets(g, incident, "has_cause")
    if tiers is None:  # tier code → node (give it when asking for many incidents)
        tiers = tier_nodes(g)
    for tier_code in TIER_ORDER:
        in_tier = [c for c in causes if _tier_code(g, c) == tier_code]
        for c in in_tier:
            links.append(_link(g, incident, c, "has_cause", tier_code))
        if not in_tier:
            node = tiers.get(tier_code)
            links.append(
                ChainLink(
                    step=tier_code,
                    code=None,
                    label_ja=label(g, node, "ja") if node else tier_code,
                    label_en=label(g, node, "en") if node else tier_code,
                    stated=False,
                    sentences=(),
                    role=None,
                )
            )
    for c in causes:
        if _tier_code(g, c) not in TIER_ORDER:
            links.append(_link(g, incident, c, "has_cause", "other"))
    tellings = g.nodes[incident].get("reports", (g.nodes[incident]["report"],))
    return CausalChain(
        incident,
        label(g, incident, "ja"),
        _report_id(g, incident),
        tuple(links),
        tuple(sorted(_file_of(g, r) for r in tellings)),
    )


def tier_nodes(g: nx.MultiDiGraph) -> dict[str, str]:
    """The cause tiers' nodes by code."""
    return {str(g.nodes[t]["code"]): t for t in nodes_of_kind(g, "tier")}


__all__ = ["REPEAT_WEIGHT", "SHARED_SPREAD", "Adoption", "CausalChain", "CauseCentrality",
           "CauseSpread", "ChainLink", "Cooccurrence", "CooccurrenceEdge", "Occurrence",
           "Recommendation", "SharedCode", "Similarity", "SimilarityIndex", "causal_chain",
           "cause_incidents", "cooccurrence", "cooccurrence_graph", "occurrences",
           "rank_causes", "recommend", "similar_incidents", "spread", "tier_nodes"]  # fmt: skip
