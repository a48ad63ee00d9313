"""Similarity of incidents (analysis/algorithms.py's ``similar_incidents`` reads it), two ways
to the same answers:

* :class:`SimilarityIndex`: every incident's codes as a sparse matrix, the incidents most like
  one a sparse product away — for many questions at once (the whole ``view``: a page per
  incident);
* :class:`CodeIndex`: the projection's own adjacency as the code → incidents index (a code
  node's predecessors): only the incidents sharing a code with the one asked about are looked
  at and nothing is built for the corpus — for one question (``analyze similar``, ``view
  --incident``), whose cost then follows the incident's codes, not the corpus."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Protocol

import networkx as nx

from .linked import incident_key
from .network import nodes_of_kind

#: The coded fields compared by ``similar_incidents``: field → relation.
SIMILARITY_FIELDS = {
    "causes": "has_cause",
    "systems": "involves_system",
    "procedures": "involves_procedure",
    "harms": "has_harm",
}


_FIELD_OF = {relation: name for name, relation in SIMILARITY_FIELDS.items()}


def _features(g: nx.MultiDiGraph, incident: str) -> set[tuple[str, str]]:
    """(field, code) of every code of ``incident`` compared (one pass over its edges)."""
    return {
        (_FIELD_OF[relation], target)
        for target, keys in g._succ[incident].items()
        for relation in keys
        if relation in _FIELD_OF
    }


class _CodesOf(Protocol):
    """An incident's (field, code) pairs: a dict, or looked up as asked (:class:`_Features`)."""

    def __getitem__(self, incident: str, /) -> set[tuple[str, str]]: ...


class _Ranked:
    """What the three indexes share: the ``top`` most similar incidents are the
    candidates an index picks, scored exactly and ordered."""

    def candidates(self, incident: str, top: int) -> list[str]:
        raise NotImplementedError

    def score(self, incident: str, other: str) -> float:
        raise NotImplementedError

    def most_similar(self, incident: str, top: int) -> list[tuple[float, str]]:
        """(score, incident) of the ``top`` incidents most like ``incident``, best first
        (ties by name: the IRI, or the new name of a renamed index); none counted as the
        same event as ``incident``."""
        found = self.candidates(incident, top)
        exact = [(self.score(incident, other), other) for other in found]
        exact.sort(key=lambda x: (-x[0], x[1]))
        return exact[:top]


class _WeightedJaccard(_Ranked):
    """The score of :func:`similar_incidents`' definition over an index's ``features`` and
    code ``weight``s."""

    features: _CodesOf

    def weight(self, feature: tuple[str, str]) -> float:
        raise NotImplementedError

    def score(self, incident: str, other: str) -> float:
        """The weighted Jaccard index of two incidents' codes (0 when none is shared)."""
        mine, theirs = self.features[incident], self.features[other]
        shared = mine & theirs
        if not shared:
            return 0.0
        return sum(map(self.weight, shared)) / sum(map(self.weight, mine | theirs))


class SimilarityIndex(_WeightedJaccard):
    """Every incident's codes as a sparse incident × code matrix, built once: the incidents
    most like one are then one sparse product away (a fraction of a millisecond), where
    comparing it with every other incident in Python cost a view page a second at 10,000
    reports.  Scores are those of :func:`similar_incidents`' definition (the candidates are
    chosen on the matrix, their scores worked out exactly as defined)."""

    def __init__(self, g: nx.MultiDiGraph) -> None:
        import numpy as np
        from scipy.sparse import csr_matrix

        self.g = g
        self.incidents = nodes_of_kind(g, "incident")
        self.position = {i: n for n, i in enumerate(self.incidents)}
        self.features = {i: _features(g, i) for i in self.incidents}
        #: the incidents counted as each one (a case and the grouping it is part of): one event
        self.key = {i: incident_key(g, i) for i in self.incidents}
        self._same: dict[str, list[int]] = defaultdict(list)
        for i, key in self.key.items():
            self._same[key].append(self.position[i])
        frequency: dict[tuple[str, str], int] = defaultdict(int)
        for fs in self.features.values():
            for f in fs:
                frequency[f] += 1
        n = len(self.incidents)
        self.weights = {f: math.log(1 + n / count) for f, count in frequency.items()}
        columns = {f: k for k, f in enumerate(sorted(frequency))}
        rows, cols = [], []
        for i, fs in self.features.items():
            rows += [self.position[i]] * len(fs)
            cols += [columns[f] for f in fs]
        w = np.array([self.weights[f] for f in sorted(frequency)], dtype=np.float64)
        ones = np.ones(len(rows), dtype=np.float64)
        self._matrix = csr_matrix((ones, (rows, cols)), shape=(n, len(columns)))
        self._weighted_t = csr_matrix(self._matrix.multiply(w)).T.tocsr()
        self._totals = np.asarray(self._matrix @ w).ravel()  # each incident's weight

    def renamed(
        self, rename: Callable[[str], str], known: Mapping[str, str] | None = None
    ) -> RenamedIndex:
        """The same index answering with every incident named by ``rename`` (a view's
        pseudonyms): built on a whole projection, it answers for a page drawn from a renamed
        part of it, ties ordered by the new names as an index of the renamed projection
        orders them.  ``known`` maps new names back (the page's nodes); names are renamed
        as they pass, not the whole corpus at once."""
        return RenamedIndex(self, rename, known or {})

    def weight(self, feature: tuple[str, str]) -> float:
        return self.weights[feature]

    def candidates(self, incident: str, top: int) -> list[str]:
        """The incidents :meth:`most_similar` chooses its ``top`` from: every one near the
        top, ties included (whatever the names, the top is among them)."""
        import numpy as np

        k = self.position[incident]
        shared = np.asarray((self._matrix[k] @ self._weighted_t).todense()).ravel()
        shared[k] = 0.0
        shared[self._same[self.key[incident]]] = 0.0  # the same event told as another incident
        union = self._totals[k] + self._totals - shared
        scores = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
        found = np.flatnonzero(shared > 0)
        if len(found) > top:  # every candidate near the top: ties and rounding decided exactly
            cut = np.partition(scores[found], len(found) - top)[len(found) - top]
            found = found[scores[found] >= cut - 1e-9]
        return [self.incidents[j] for j in found]


class _Features:
    """``features`` of a :class:`CodeIndex`: an incident's codes, read when first asked."""

    def __init__(self, g: nx.MultiDiGraph) -> None:
        self._g = g
        self._found: dict[str, set[tuple[str, str]]] = {}

    def __getitem__(self, incident: str) -> set[tuple[str, str]]:
        found = self._found.get(incident)
        if found is None:
            found = self._found[incident] = _features(self._g, incident)
        return found


class CodeIndex(_WeightedJaccard):
    """The answers of :class:`SimilarityIndex` for one incident at a time, read from the
    projection as it is: the incidents that share a code with it are the code nodes'
    predecessors, each code's weight counts them (``log(1 + N / incidents with the code)``),
    and only those incidents' codes are read.  No matrix of the corpus, no scipy: asking
    about one incident costs what its codes reach."""

    def __init__(self, g: nx.MultiDiGraph) -> None:
        self.g = g
        self.n = sum(1 for _, kind in g.nodes(data="kind") if kind == "incident")
        self.features = _Features(g)
        self._having_found: dict[tuple[str, str], list[str]] = {}
        self._weights: dict[tuple[str, str], float] = {}

    def renamed(
        self, rename: Callable[[str], str], known: Mapping[str, str] | None = None
    ) -> RenamedIndex:
        """As :meth:`SimilarityIndex.renamed`."""
        return RenamedIndex(self, rename, known or {})

    def _having(self, feature: tuple[str, str]) -> list[str]:
        """The incidents with ``feature`` (field, code): the code's predecessors by its
        relation."""
        found = self._having_found.get(feature)
        if found is None:
            relation = SIMILARITY_FIELDS[feature[0]]
            nodes = self.g._node
            found = self._having_found[feature] = [
                i
                for i, keys in self.g._pred[feature[1]].items()
                if relation in keys and nodes[i].get("kind") == "incident"
            ]
        return found

    def weight(self, feature: tuple[str, str]) -> float:
        found = self._weights.get(feature)
        if found is None:
            found = self._weights[feature] = math.log(1 + self.n / len(self._having(feature)))
        return found

    def _total(self, incident: str) -> float:
        return sum(map(self.weight, self.features[incident]))

    def candidates(self, incident: str, top: int) -> list[str]:
        """As :meth:`SimilarityIndex.candidates`: every incident near the top, ties included
        (in name order)."""
        mine = self.features[incident]
        shared: dict[str, float] = defaultdict(float)
        for feature in sorted(mine):
            w = self.weight(feature)
            for other in self._having(feature):
                shared[other] += w
        key = incident_key(self.g, incident)
        total = self._total(incident)
        # score = s / (total + theirs - s) <= s / total (theirs >= s): best bound first, and
        # none read past the bound below the top's (ties and rounding kept, as the matrix's)
        bounded = sorted(
            (
                (s, other)
                for other, s in shared.items()
                if s > 0 and other != incident and incident_key(self.g, other) != key
            ),
            key=lambda x: (-x[0], x[1]),
        )
        scores: list[tuple[float, str]] = []
        best: list[float] = []  # the top scores so far, highest first
        for s, other in bounded:
            if len(best) >= top and s / total < best[top - 1] - 1e-9:
                break
            score = s / (total + self._total(other) - s)
            scores.append((score, other))
            best = sorted([*best, score], reverse=True)[:top]
        if len(scores) > top:
            return sorted(other for score, other in scores if score >= best[top - 1] - 1e-9)
        return sorted(other for _, other in scores)


class _RenamedFeatures:
    """``features`` of a :class:`RenamedIndex`: an incident's codes under the new names."""

    def __init__(self, index: RenamedIndex) -> None:
        self._index = index

    def __getitem__(self, incident: str) -> set[tuple[str, str]]:
        index = self._index
        found = index.base.features[index.original(incident)]
        return {(f, index.shown(t)) for f, t in found}


class RenamedIndex(_Ranked):
    """A :class:`SimilarityIndex` under other names (:meth:`SimilarityIndex.renamed`): the
    same answers, each name mapped as it passes."""

    def __init__(
        self,
        base: SimilarityIndex | CodeIndex,
        rename: Callable[[str], str],
        known: Mapping[str, str],
    ) -> None:
        self.base = base
        self._rename = rename
        self._back: dict[str, str] = dict(known)  # new name → name in the base index
        self.features = _RenamedFeatures(self)

    def original(self, name: str) -> str:
        """The name in the base index of a name shown."""
        return self._back.get(name, name)

    def shown(self, name: str) -> str:
        """The name shown for a name of the base index."""
        new = self._rename(name)
        self._back[new] = name
        return new

    def weight(self, feature: tuple[str, str]) -> float:
        return self.base.weight((feature[0], self.original(feature[1])))

    def score(self, incident: str, other: str) -> float:
        return self.base.score(self.original(incident), self.original(other))

    def candidates(self, incident: str, top: int) -> list[str]:
        """As :meth:`SimilarityIndex.candidates`, under the new names."""
        return [self.shown(i) for i in self.base.candidates(self.original(incident), top)]


#: An index of similarity, under the projection's names or a view's.
AnyIndex = SimilarityIndex | CodeIndex | RenamedIndex
