"""The network projection (analysis/network.py): what of the store becomes which node and edge."""

from __future__ import annotations

import random
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_kg.analysis.network import (
    QUERIES,
    TIER_ORDER,
    body_of,
    build_network,
    copy_part,
    evidence,
    find_incident,
    incident_bodies,
    load_details,
    load_network,
    load_query,
    nodes_of_kind,
    read_projection,
    targets,
)
from incident_kg.graph.store import GraphStore
from incident_kg.queries.library import parse_query_text, run_local

from ..made_network import assert_same_network

IKG = "https://w3id.org/incident-kg/ontology#"


def _select(store_path: Path, sparql: str) -> set[tuple[str | None, ...]]:
    with GraphStore.open(store_path, read_only=True) as store:
        return set(run_local(store, sparql).rows)


@pytest.mark.parametrize("name", QUERIES)
def test_every_projection_query_is_a_documented_query_file(name: str) -> None:
    query = parse_query_text(load_query(name), Path(f"{name}.rq"))
    assert query.title.startswith("Projection") and query.question_en and query.question_ja
    assert query.example == f"incident-kg query --file queries/network/{name}.rq"


def test_every_incident_becomes_a_node_linked_to_its_report(
    seeds_store_path: Path, seeds_network: nx.MultiDiGraph
) -> None:
    stated = _select(
        seeds_store_path,
        f"SELECT DISTINCT ?i ?r WHERE {{ ?i a <{IKG}Incident> ; <{IKG}reportedIn> ?r }}",
    )
    projected = {
        (i, r)
        for i in nodes_of_kind(seeds_network, "incident")
        for r in targets(seeds_network, i, "reported_in")
    }
    assert projected == stated
    assert all(seeds_network.nodes[r]["kind"] == "report" for _, r in projected)


@pytest.mark.parametrize(
    ("prop", "relation"),
    [
        ("hasCause", "has_cause"),
        ("hasHarm", "has_harm"),
        ("hasCountermeasure", "has_countermeasure"),
        ("involvesSystem", "involves_system"),
        ("involvesProcedure", "involves_procedure"),
    ],
)
def test_coded_facts_become_edges_one_for_one(
    seeds_store_path: Path, seeds_network: nx.MultiDiGraph, prop: str, relation: str
) -> None:
    stated = _select(seeds_store_path, f"SELECT DISTINCT ?i ?c WHERE {{ ?i <{IKG}{prop}> ?c }}")
    projected = {(s, t) for s, t, k in seeds_network.edges(keys=True) if k == relation}
    assert projected == stated


def test_every_cause_edge_carries_the_sentences_that_state_it(
    seeds_network: nx.MultiDiGraph,
) -> None:
    edges = [
        (s, t, d) for s, t, k, d in seeds_network.edges(keys=True, data=True) if k == "has_cause"
    ]
    assert edges
    for _, _, data in edges:
        assert data["evidence"], "a cause without its sentence"
        for e in data["evidence"]:
            assert (
                e.sentence.strip() and e.start is not None and e.end is not None and e.start < e.end
            )


def test_every_cause_sits_under_one_of_the_four_tiers(seeds_network: nx.MultiDiGraph) -> None:
    tiers = {seeds_network.nodes[t]["code"] for t in nodes_of_kind(seeds_network, "tier")}
    assert tiers == set(TIER_ORDER)
    for cause in nodes_of_kind(seeds_network, "cause"):
        (tier,) = targets(seeds_network, cause, "in_tier")
        assert seeds_network.nodes[tier]["code"] in TIER_ORDER


def test_a_section_counts_as_the_body_it_belongs_to(seeds_network: nx.MultiDiGraph) -> None:
    # The card-expiry incident names a section (戸籍課) of a ward (中区): one body, the ward.
    incident = _incident_with_harm(seeds_network, "CardExpiry")
    orgs = targets(seeds_network, incident, "responsible")
    assert len(orgs) == 2
    (body,) = incident_bodies(seeds_network, incident)
    assert all(body_of(seeds_network, o) == body for o in orgs)
    assert seeds_network.nodes[body]["label_ja"] == "中区"


def test_a_responsible_organisation_is_not_also_an_involved_one(
    seeds_network: nx.MultiDiGraph,
) -> None:
    for incident in nodes_of_kind(seeds_network, "incident"):
        assert not set(targets(seeds_network, incident, "responsible")) & set(
            targets(seeds_network, incident, "involved")
        )


def test_timeline_events_keep_their_date_role_and_sentence(seeds_network: nx.MultiDiGraph) -> None:
    events = nodes_of_kind(seeds_network, "event")
    assert events
    for event in events:
        data = seeds_network.nodes[event]
        assert data["date"][:4].isdigit()
    assert any(seeds_network.nodes[e]["role"] == "discovered" for e in events)


def test_an_incident_is_found_by_the_end_of_its_iri(seeds_network: nx.MultiDiGraph) -> None:
    incident = nodes_of_kind(seeds_network, "incident")[0]
    short = "/".join(incident.split("/")[-3:])
    assert find_incident(seeds_network, short) == incident
    with pytest.raises(Exception, match="no incident"):
        find_incident(seeds_network, "no-such-report/incident/9")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_the_projection_does_not_depend_on_row_order(seed: int, rows: dict) -> None:  # type: ignore[type-arg]
    shuffled = {name: random.Random(seed).sample(list(r), len(r)) for name, r in rows.items()}
    a, b = build_network(rows), build_network(shuffled)
    assert nx.utils.graphs_equal(a, b)
    assert {n: dict(d) for n, d in a.nodes(data=True)} == {
        n: dict(d) for n, d in b.nodes(data=True)
    }
    for s, t, k, d in a.edges(keys=True, data=True):
        assert set(d["evidence"]) == set(b.edges[s, t, k]["evidence"])


@pytest.fixture(scope="module")
def rows(seeds_store_path: Path) -> dict:  # type: ignore[type-arg]
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        return read_projection(store)


def _incident_with_harm(g: nx.MultiDiGraph, code: str) -> str:
    (incident,) = [
        i
        for i in nodes_of_kind(g, "incident")
        if any(g.nodes[h]["code"] == code for h in targets(g, i, "has_harm"))
    ]
    return incident


# -- the projection as the analysis reads it: the summaries kept at build time ------------


def test_the_summaries_give_the_network_of_the_projection_queries(
    seeds_store_path: Path,
    rows: dict,  # type: ignore[type-arg]
) -> None:
    """Issue 17: the analysis reads the per-report summaries of the build (graph/summary.py),
    not the projection queries (two minutes at 10,000 reports); the graph is the same, node
    for node, edge for edge, evidence and timelines included."""
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        from_summaries = load_network(store)
    assert_same_network(from_summaries, build_network(rows))


def test_evidence_and_timelines_are_read_when_first_asked_for(
    seeds_store_path: Path,
    rows: dict,  # type: ignore[type-arg]
) -> None:
    full = build_network(rows)
    incident = nodes_of_kind(full, "incident")[0]
    cause = targets(full, incident, "has_cause")[0]
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        lazy = load_network(store, details=False)
        assert not nodes_of_kind(lazy, "event")
        assert lazy.edges[incident, cause, "has_cause"]["evidence"] == ()
        said = evidence(lazy, incident, cause, "has_cause")
        assert said and said == evidence(full, incident, cause, "has_cause")
        assert targets(lazy, incident, "has_event") == targets(full, incident, "has_event")
        load_details(lazy)
    assert_same_network(lazy, full)


def test_a_part_copied_is_the_subgraph_copied_and_renamed(
    seeds_network: nx.MultiDiGraph,
) -> None:
    """Issue 17: views copy a page's part and rename it in one pass (copy_part), the graph
    NetworkX's subgraph copy and relabel give."""
    nodes = set(nodes_of_kind(seeds_network, "incident")[:3])
    nodes |= {t for n in nodes for t in seeds_network._succ[n]}
    names = {n: f"renamed:{n}" for n in sorted(nodes)[::2]}
    part = copy_part(seeds_network, nodes, names)
    assert_same_network(part, nx.relabel_nodes(seeds_network.subgraph(nodes).copy(), names))
    whole = copy_part(seeds_network)
    assert_same_network(whole, seeds_network)
    first = next(iter(whole.edges(keys=True, data=True)))
    assert first[3] is not seeds_network.edges[first[0], first[1], first[2]]  # copied
