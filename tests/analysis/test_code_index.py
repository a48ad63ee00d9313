"""Issue 17: similar incidents of one incident through the codes it shares (CodeIndex: a code
node's predecessors), with the answers of the matrix of the whole corpus (SimilarityIndex)."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_kg.analysis.algorithms import SimilarityIndex, similar_incidents
from incident_kg.analysis.network import nodes_of_kind
from incident_kg.analysis.similarity import CodeIndex

from ..made_network import CAUSE_TIERS, Made, made_network

_CAUSES = sorted(CAUSE_TIERS)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sets(st.sampled_from(_CAUSES), max_size=3),
            st.sets(st.sampled_from(["M1", "M2", "M3"]), max_size=2),
            st.sets(st.sampled_from(["S1", "S2"]), max_size=2),
        ),
        min_size=2,
        max_size=25,
    ),
    st.integers(min_value=1, max_value=4),
)
def test_the_code_index_answers_as_the_matrix_of_the_corpus(
    coded: list[tuple[set[str], set[str], set[str]]], top: int
) -> None:
    g = made_network(
        {
            f"x{n}": Made(f"r{n % 4}", [f"body{n % 3}"], sorted(c), sorted(m), sorted(s))
            for n, (c, m, s) in enumerate(coded)
        }
    )
    matrix, codes = SimilarityIndex(g), CodeIndex(g)
    for incident in nodes_of_kind(g, "incident"):
        assert codes.most_similar(incident, top) == matrix.most_similar(incident, top)
        assert set(matrix.most_similar(incident, top)) <= {
            (codes.score(incident, o), o) for o in codes.candidates(incident, top)
        }


def test_similar_incidents_without_an_index_are_those_of_the_corpus_index(
    seeds_network: nx.MultiDiGraph,
) -> None:
    index = SimilarityIndex(seeds_network)
    for incident in nodes_of_kind(seeds_network, "incident"):
        assert similar_incidents(seeds_network, incident, top=3) == similar_incidents(
            seeds_network, incident, top=3, index=index
        )
