"""Network analysis (analysis/algorithms.py): ranking by spread, co-occurrence, similarity,
recommendation and causal chains — on small made-up projections and on the real reports."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_kg.analysis.algorithms import (
    Occurrence,
    causal_chain,
    cooccurrence,
    rank_causes,
    recommend,
    similar_incidents,
    spread,
)
from incident_kg.analysis.network import TIER_ORDER, evidence, nodes_of_kind, targets
from incident_kg.cli import main

from ..made_network import ID, Made, made_network


def _by_code(ranking: list) -> dict:  # type: ignore[type-arg]
    return {r.code: r for r in ranking}


# -- spread and ranking --------------------------------------------------------------------


def _occ(bodies: dict[str, list[str]]) -> list[Occurrence]:
    return [Occurrence(k, frozenset(b), frozenset({f"r-{k}"})) for k, b in bodies.items()]


def test_repetition_in_one_body_adds_no_spread() -> None:
    assert spread(_occ({"i1": ["x"], "i2": ["x"], "i3": ["x"]})) == 1


def test_one_incident_naming_many_bodies_is_one_place() -> None:
    assert spread(_occ({"i1": ["a", "b", "c", "d"]})) == 1


def test_a_joint_case_is_a_place_of_its_own_beside_its_bodies_own_cases() -> None:
    # i1 happened in a, i3 in b; i2 in a and b at once: three different places.
    assert spread(_occ({"i1": ["a"], "i2": ["a", "b"], "i3": ["b"]})) == 3


def test_an_incident_with_no_known_body_adds_no_spread() -> None:
    assert spread(_occ({"i1": ["a"], "i2": []})) == 1


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f"i{n}" for n in range(8)]),
        st.lists(st.sampled_from("abcdef"), max_size=3, unique=True),
        max_size=8,
    )
)
def test_spread_is_bounded_by_incidents_and_places(incidents: dict[str, list[str]]) -> None:
    s = spread(_occ(incidents))
    with_body = [i for i, b in incidents.items() if b]
    single = {b[0] for b in incidents.values() if len(b) == 1}
    joint = [i for i, b in incidents.items() if len(b) > 1]
    assert s <= len(with_body)
    assert s == len(single) + len(joint)
    assert (s >= 1) == bool(with_body)
    # one more incident in a new body always adds one; one more in a known body adds none
    assert spread(_occ({**incidents, "new": ["zz"]})) == s + 1
    if single:
        assert spread(_occ({**incidents, "again": [min(single)]})) == s


def test_spread_across_bodies_outranks_repetition_in_one() -> None:
    g = made_network(
        {
            "x1": Made("r1", ["north"], causes=["A"]),
            "x2": Made("r2", ["south"], causes=["A"]),
            "x3": Made("r3", ["east"], causes=["A"]),
            "y1": Made("r4", ["west"], causes=["B"]),
            "y2": Made("r4", ["west"], causes=["B"]),
            "y3": Made("r4", ["west"], causes=["B"]),
            "y4": Made("r4", ["west"], causes=["B"]),
        }
    )
    ranking = rank_causes(g)
    assert [r.code for r in ranking] == ["A", "B"]
    a, b = _by_code(ranking)["A"], _by_code(ranking)["B"]
    assert (a.spread, a.incidents, a.organizations, a.reports) == (3, 3, 3, 3)
    assert (b.spread, b.incidents, b.organizations, b.reports) == (1, 4, 1, 1)
    assert b.score == pytest.approx(1 + 0.5 * 3)


def test_tiers_are_ranked_over_all_their_causes() -> None:
    g = made_network(
        {
            "x1": Made("r1", ["north"], causes=["A", "C"]),
            "x2": Made("r2", ["south"], causes=["C"]),
        }
    )
    tiers = _by_code(rank_causes(g, level="tier"))
    assert set(tiers) == {"unsafe-act", "supervision"}  # tiers with no incident are left out
    assert tiers["supervision"].incidents == 2 and tiers["supervision"].spread == 2
    assert [r.code for r in rank_causes(g, tier="supervision")] == ["C"]


def test_seeds_rank_shared_devices_and_logout_omission_first_and_list_every_cause(
    seeds_network: nx.MultiDiGraph,
) -> None:
    ranking = rank_causes(seeds_network)
    assert {r.code for r in ranking[:2]} == {"SharedDevice", "LogoutOmission"}
    assert ranking[0].score > ranking[2].score and ranking[1].score > ranking[2].score
    codes = [r.code for r in ranking]
    assert "MissingHandover" in codes and "SinglePersonCheck" in codes
    # every cause stated in an incident is ranked exactly once
    stated = {
        seeds_network.nodes[c]["code"]
        for _, c, k in seeds_network.edges(keys=True)
        if k == "has_cause"
    }
    assert sorted(codes) == sorted(stated)


# -- co-occurrence -------------------------------------------------------------------------


def test_cooccurrence_weights_count_the_incidents_stating_both() -> None:
    g = made_network(
        {
            "x1": Made("r1", ["n"], causes=["A", "B"]),
            "x2": Made("r2", ["s"], causes=["A", "B", "C"]),
            "x3": Made("r3", ["e"], causes=["D"]),
        }
    )
    result = cooccurrence(g)
    weights = {(e.source, e.target): e.weight for e in result.edges}
    assert weights == {("A", "B"): 2, ("A", "C"): 1, ("B", "C"): 1}
    assert {c.code for c in result.causes} == {"A", "B", "C", "D"}
    degree = {c.code: c.degree for c in result.causes}
    assert degree == {"A": 2, "B": 2, "C": 2, "D": 0}
    assert math.isclose(sum(c.pagerank for c in result.causes), 1.0, rel_tol=1e-6)
    # communities partition the causes; the isolated cause is a community of its own
    members = [code for group in result.communities for code in group]
    assert sorted(members) == ["A", "B", "C", "D"]
    assert ("D",) in result.communities


def test_on_the_seeds_shared_devices_and_logout_omission_go_together(
    seeds_network: nx.MultiDiGraph,
) -> None:
    result = cooccurrence(seeds_network)
    strongest = result.edges[0]
    assert {strongest.source, strongest.target} == {"LogoutOmission", "SharedDevice"}
    both = [
        i
        for i in nodes_of_kind(seeds_network, "incident")
        if {"LogoutOmission", "SharedDevice"}
        <= {seeds_network.nodes[c]["code"] for c in targets(seeds_network, i, "has_cause")}
    ]
    assert strongest.weight == len(both) and set(strongest.incidents) == set(both)
    community = {c.code: c.community for c in result.causes}
    assert community["LogoutOmission"] == community["SharedDevice"]


# -- similar incidents ---------------------------------------------------------------------


def test_similar_incidents_share_codes_and_say_which() -> None:
    g = made_network(
        {
            "x1": Made("r1", ["n"], causes=["A", "B"], systems=["S1"]),
            "x2": Made("r2", ["s"], causes=["A", "B"], systems=["S2"]),
            "x3": Made("r3", ["e"], causes=["A"]),
            "x4": Made("r4", ["w"], causes=["D"]),
        }
    )
    found = similar_incidents(g, f"{ID}x1")
    assert [s.incident for s in found] == [f"{ID}x2", f"{ID}x3"]  # x4 shares nothing
    assert found[0].score > found[1].score
    assert found[0].reason == "causes: B, A"  # the rarer shared code first
    assert all(0 < s.score <= 1 for s in found)


def test_on_the_seeds_an_incident_is_never_similar_to_itself(
    seeds_network: nx.MultiDiGraph,
) -> None:
    for incident in nodes_of_kind(seeds_network, "incident"):
        found = similar_incidents(seeds_network, incident, top=3)
        assert incident not in [s.incident for s in found]
        for s in found:  # every shared code is really a code of both incidents
            for shared in s.shared:
                mine = {
                    seeds_network.nodes[t]["code"]
                    for t in targets(seeds_network, incident, _rel(shared.field))
                }
                theirs = {
                    seeds_network.nodes[t]["code"]
                    for t in targets(seeds_network, s.incident, _rel(shared.field))
                }
                assert shared.code in mine & theirs


def _rel(field_name: str) -> str:
    return {
        "causes": "has_cause",
        "systems": "involves_system",
        "procedures": "involves_procedure",
        "harms": "has_harm",
    }[field_name]


# -- recommendation ------------------------------------------------------------------------


def test_recommendations_rank_by_bodies_that_adopted_them() -> None:
    g = made_network(
        {
            "me": Made("r0", ["home"], causes=["C"]),
            "x1": Made("r1", ["n"], causes=["C"], measures=["M1"]),
            "x2": Made("r2", ["s"], causes=["C"], measures=["M1", "M2"]),
            "x3": Made("r3", ["s"], causes=["C"], measures=["M2"]),
            "x4": Made("r4", ["e"], causes=["D"], measures=["M3"]),  # another cause
        }
    )
    found = recommend(g, incident=f"{ID}me")
    assert [(r.code, r.organizations, r.incidents) for r in found] == [("M1", 2, 2), ("M2", 1, 2)]
    assert {a.report for a in found[0].sources} == {"r1.txt", "r2.txt"}
    assert all(a.sentence and a.relation == "other body" for r in found for a in r.sources)


def test_what_the_incident_itself_adopted_is_marked_and_can_be_left_out() -> None:
    g = made_network(
        {
            "me": Made("r0", ["home"], causes=["C"], measures=["M3"]),
            "x1": Made("r1", ["n"], causes=["C"], measures=["M1"]),
        }
    )
    found = {r.code: r for r in recommend(g, incident=f"{ID}me")}
    assert [a.relation for a in found["M3"].sources] == ["this incident"]
    assert found["M3"].other_organizations == 0 and found["M1"].other_organizations == 1
    assert [r.code for r in recommend(g, incident=f"{ID}me", others_only=True)] == ["M1"]


def test_recommendation_for_a_tier_uses_all_its_causes() -> None:
    g = made_network(
        {
            "x1": Made("r1", ["n"], causes=["C"], measures=["M1"]),
            "x2": Made("r2", ["s"], causes=["A"], measures=["M2"]),
        }
    )
    assert [r.code for r in recommend(g, cause="supervision")] == ["M1"]
    assert [r.code for r in recommend(g, cause="C")] == ["M1"]


def test_on_the_seeds_the_card_expiry_incident_gets_multi_person_checks_with_their_source(
    seeds_network: nx.MultiDiGraph,
) -> None:
    incident = _incident_with_harm(seeds_network, "CardExpiry")
    found = recommend(seeds_network, incident=incident)
    assert found[0].code == "MultiPersonCheck"
    (source,) = found[0].sources
    report = seeds_network.nodes[seeds_network.nodes[incident]["report"]]["file"]
    assert source.report == report
    assert source.sentence and "複数人" in source.sentence
    # and for the cause alone, other bodies' incidents included
    by_cause = recommend(seeds_network, cause="SinglePersonCheck")
    assert "MultiPersonCheck" in [r.code for r in by_cause]


def _incident_with_harm(g: nx.MultiDiGraph, code: str) -> str:
    (incident,) = [
        i
        for i in nodes_of_kind(g, "incident")
        if code in {g.nodes[h]["code"] for h in targets(g, i, "has_harm")}
    ]
    return incident


# -- causal chain --------------------------------------------------------------------------


def test_a_chain_runs_from_harm_through_the_tiers_in_order(seeds_network: nx.MultiDiGraph) -> None:
    incident = _incident_with_harm(seeds_network, "CardExpiry")
    chain = causal_chain(seeds_network, incident)
    steps = [link.step for link in chain.links]
    assert steps[0] == "harm"
    tier_steps = [s for s in steps if s != "harm"]
    assert tier_steps == sorted(tier_steps, key=TIER_ORDER.index)
    assert set(TIER_ORDER) <= set(tier_steps)  # every tier shows, stated or not
    stated = {link.code: link for link in chain.links if link.stated}
    assert {"ProcessingOmission", "SinglePersonCheck", "CardExpiry"} <= set(stated)
    for link in chain.links:
        if link.stated:  # each stated link quotes the incident's own evidence
            node = next(
                t
                for t in targets(seeds_network, incident, "has_cause")
                + targets(seeds_network, incident, "has_harm")
                if seeds_network.nodes[t]["code"] == link.code
            )
            quoted = {
                e.sentence
                for rel in ("has_cause", "has_harm")
                for e in evidence(seeds_network, incident, node, rel)
            }
            assert link.sentences and set(link.sentences) <= quoted
    assert set(chain.missing) == {link.step for link in chain.links if not link.stated}


# -- the command line ----------------------------------------------------------------------


def test_analyze_commands_answer_on_the_seeds(
    seeds_store_path: Path, seeds_network: nx.MultiDiGraph
) -> None:
    import json

    runner = CliRunner()
    store = ["--store", str(seeds_store_path)]
    out = runner.invoke(main, ["analyze", "shared-causes", *store, "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert {r["code"] for r in rows[:2]} == {"SharedDevice", "LogoutOmission"}
    incident = _incident_with_harm(seeds_network, "CardExpiry")
    short = "/".join(incident.split("/")[-3:])
    out = runner.invoke(
        main, ["analyze", "recommend", "--incident", short, *store, "--format", "csv"]
    )
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[1].split(",")[1] == "MultiPersonCheck"
    for args in (
        ["cooccurrence"],
        ["cooccurrence", "--edges"],
        ["similar", short],
        ["chain", short],
    ):
        out = runner.invoke(main, ["analyze", *args, *store])
        assert out.exit_code == 0, (args, out.output)


def test_analyze_refuses_an_unknown_incident_in_one_line(seeds_store_path: Path) -> None:
    out = CliRunner().invoke(
        main, ["analyze", "chain", "nope/incident/1", "--store", str(seeds_store_path)]
    )
    assert out.exit_code == 2
    assert (
        out.output.strip().startswith("Error: no incident")
        and len(out.output.strip().splitlines()) == 1
    )


def test_every_analyze_subcommand_explains_itself() -> None:
    import click

    group = main.commands["analyze"]
    assert isinstance(group, click.Group)
    assert set(group.commands) == {
        "shared-causes",
        "cooccurrence",
        "similar",
        "recommend",
        "effectiveness",
        "chain",
    }
    for name, command in group.commands.items():
        assert command.help and len(command.help) > 40, name
        result = CliRunner().invoke(main, ["analyze", name, "--help"])
        assert result.exit_code == 0 and result.output.startswith("Usage:")


def test_the_similarity_index_finds_what_comparing_every_pair_finds(
    seeds_network: nx.MultiDiGraph,
) -> None:
    """Issue 17: the index picks the candidates by a sparse product; the answer is that of
    the definition, every incident against every other that is not the same event (issue 18:
    a case and the national grouping it is part of)."""
    from incident_kg.analysis.algorithms import SimilarityIndex
    from incident_kg.analysis.linked import incident_key

    g = seeds_network
    index = SimilarityIndex(g)
    for incident in index.incidents:
        scored = [
            (index.score(incident, other), other)
            for other in index.incidents
            if incident_key(g, other) != incident_key(g, incident)
            and index.score(incident, other) > 0
        ]
        scored.sort(key=lambda x: (-x[0], x[1]))
        assert index.most_similar(incident, 3) == scored[:3]


def test_recommend_reads_the_sentences_of_the_adoptions_a_page_shows(
    seeds_network: nx.MultiDiGraph,
) -> None:
    """Issue 17: a cause page shows the sentences of its first adoptions only; asked for
    them alone, the rest of the recommendation is the same, the first sentences too."""
    found = {r.code: recommend(seeds_network, cause=r.code) for r in rank_causes(seeds_network)}
    cause, every = next(
        (code, recs)
        for code, recs in found.items()
        if any(a.sentence for m in recs for a in m.sources[1:])  # a sentence past the first
    )
    first = recommend(seeds_network, cause=cause, sentences=1)
    for whole, shown in zip(every, first, strict=True):
        assert shown.sources[0] == whole.sources[0]
        assert all(a.sentence is None for a in shown.sources[1:])
        assert [dataclasses.replace(a, sentence=None) for a in shown.sources] == [
            dataclasses.replace(a, sentence=None) for a in whole.sources
        ]


def test_recommend_as_a_table_is_every_adoption_with_its_evidence_read(
    seeds_store_path: Path, seeds_network: nx.MultiDiGraph
) -> None:
    """Issue 17: a table or CSV of `analyze recommend` shows the links, not the measures'
    own sentences, which it no longer reads: its rows are those of the whole answer."""
    import csv
    import io

    incident = _incident_with_harm(seeds_network, "CardExpiry")
    store = ["--store", str(seeds_store_path)]
    out = CliRunner().invoke(
        main, ["analyze", "recommend", "--incident", incident, *store, "--format", "csv"]
    )
    assert out.exit_code == 0, out.output
    whole = recommend(seeds_network, incident=incident)  # every sentence read (details loaded)
    assert any(a.sentence for r in whole for a in r.sources)
    assert list(csv.reader(io.StringIO(out.output)))[1:] == [list(r.row()) for r in whole]
