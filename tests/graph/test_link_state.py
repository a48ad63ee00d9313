"""The incremental link pass (graph/link_state.py) gives what the whole-store pass gives: on
made-up incidents changed at random (property-based), and on a store that real reports are
added to and removed from one build at a time, compared as graphs with a whole relink."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.link_state import (
    STATE_FILE,
    adjacency_of,
    components,
    store_token,
    update_linking,
)
from incident_kg.graph.linking import IncidentFacts, Linking
from incident_kg.graph.links import (
    effectiveness,
    kept_effectiveness,
    link_incidents,
    links_ntriples,
    read_all,
    relink,
    same_bodies_of,
    to_json,
)
from incident_kg.graph.store import LINKS_GRAPH, GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE
from incident_kg.ontology.tables import load_linking_rules

from ..conftest import SAMPLES, seed_files

RULES = load_linking_rules()

# -- made-up incidents: few bodies, harms and dates, so that many pairs score a link ------

_DATES = st.sampled_from([None, "2023", "2023-03", "2023-03-01", "2023-03-02", "2024-01-05"])
_BODIES = st.frozensets(
    st.sampled_from(["甲市", "乙市", "丙町", "丁県", "地方公共団体"]), max_size=3
)


@st.composite
def _incident(draw: st.DrawFn, iri: str) -> IncidentFacts:
    others = [f"i{k}" for k in range(12)]
    return IncidentFacts(
        iri,
        report=f"r{draw(st.integers(0, 5))}",
        published=draw(_DATES),
        bodies=draw(_BODIES),
        harms=draw(
            st.frozensets(st.sampled_from(["Leak", "Loss", "PersonalDataLeak"]), min_size=1)
        ),
        causes=draw(st.frozensets(st.sampled_from(["A", "B", "C"]))),
        countermeasures=draw(st.frozensets(st.sampled_from(["M", "N"]))),
        occurred=draw(_DATES),
        discovered=draw(_DATES),
        affected=draw(st.sampled_from([None, 3, 5, 48])),
        same_as=draw(st.frozensets(st.sampled_from(others), max_size=1)),
        not_same_as=draw(st.frozensets(st.sampled_from(others), max_size=1)),
    )


@st.composite
def _corpus(draw: st.DrawFn) -> dict[str, IncidentFacts]:
    names = draw(st.frozensets(st.sampled_from([f"i{k}" for k in range(12)]), max_size=12))
    return {iri: draw(_incident(iri)) for iri in sorted(names)}


def _normal(linking: Linking) -> tuple[object, ...]:
    """A linking as sets (the order of its links is no part of its meaning)."""
    return (
        set(linking.links),
        set(linking.groups),
        dict(linking.part_of),
        dict(linking.counted_as),
    )


def _full(facts: Mapping[str, IncidentFacts]) -> tuple[Linking, dict[str, frozenset[str]]]:
    edges: list[tuple[str, str]] = []
    linking = link_incidents([facts[i] for i in sorted(facts)], RULES, edges)
    return linking, adjacency_of(facts, edges)


@st.composite
def _changes(draw: st.DrawFn) -> list[tuple[str, IncidentFacts | None]]:
    """A few changes of one incident each: added or replaced (its facts), or removed (None)."""
    out: list[tuple[str, IncidentFacts | None]] = []
    for _ in range(draw(st.integers(1, 6))):
        iri = draw(st.sampled_from([f"i{k}" for k in range(12)]))
        out.append((iri, draw(st.one_of(st.none(), _incident(iri)))))
    return out


@settings(max_examples=200, deadline=None)
@given(_corpus(), st.lists(_changes(), min_size=1, max_size=4))
def test_linking_again_only_the_changed_components_gives_the_whole_linking(
    start: dict[str, IncidentFacts], builds: list[list[tuple[str, IncidentFacts | None]]]
) -> None:
    """Each build changes a few incidents (added, removed, facts changed): the linking
    updated from the build before is the linking of the whole new corpus."""
    old = start
    linking, adjacency = _full(old)
    for changes in builds:
        new = dict(old)
        for iri, facts in changes:
            if facts is None:
                new.pop(iri, None)
            else:
                new[iri] = facts
        changed = {i for i in old.keys() | new.keys() if old.get(i) != new.get(i)}
        update = update_linking(old, new, adjacency, linking, changed, RULES)
        whole, whole_adjacency = _full(new)
        assert _normal(update.linking) == _normal(whole)
        assert update.adjacency == whole_adjacency
        old, linking, adjacency = new, update.linking, update.adjacency


def test_the_components_of_an_incident_are_what_its_links_reach() -> None:
    adjacency = {"a": frozenset({"b"}), "b": frozenset({"a", "c"}), "c": frozenset({"b"})}
    assert components(["a"], adjacency) == {"a", "b", "c"}
    assert components(["d"], adjacency) == {"d"}


# -- a real store, reports added and removed one build at a time ---------------------------


def _links_graph(store: GraphStore) -> set[str]:
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in store.quads([LINKS_GRAPH])}


def _whole_relink(store: GraphStore) -> tuple[set[str], str]:
    """The links graph and follow-up a whole-store pass would write (not written)."""
    read = read_all(store)
    linking = link_incidents(read.facts.incidents, RULES)
    found = effectiveness(read.facts.incidents, linking, RULES)
    text = links_ntriples(
        linking, found, read.facts.body_iris, DEFAULT_BASE, same_bodies_of(linking, read)
    )
    graph = ox.Store()
    graph.load(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)  # literals as the store keeps them
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in graph}, to_json(found)


def test_adding_and_removing_reports_one_at_a_time_links_as_a_whole_relink(
    tmp_path: Path, extractor: Extractor, caplog: pytest.LogCaptureFixture
) -> None:
    """Seeds and the samples that re-tell them (same incidents, a regulator's grouping, a
    curated sidecar), added and removed one build at a time: after each build the links graph
    and the follow-up of measures are those of a whole relink, and the pass was incremental."""
    if not seed_files():
        pytest.skip("../shared/seeds is not beside the project")
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in [*seed_files(), *sorted(SAMPLES.glob("s0[6-9]*"))]:
        shutil.copy(path, folder / path.name)
    store_dir = tmp_path / "store"
    with GraphStore.open(store_dir, create=True) as store:
        build([folder], store, base=DEFAULT_BASE, extractor=extractor)
    assert (store_dir / STATE_FILE).is_file()
    samples = {p.name: p for p in SAMPLES.iterdir() if p.name.startswith(("s01", "s03", "s05"))}
    steps: list[tuple[str, str]] = [("add", n) for n in sorted(samples)]
    steps += [("remove", "002_15470511b64eccac.txt"), ("remove", sorted(samples)[0])]
    for action, name in steps:
        if action == "add":
            shutil.copy(samples[name], folder / name)
            for sidecar in SAMPLES.glob(f"{Path(name).stem}.*.yaml"):
                shutil.copy(sidecar, folder / sidecar.name)
        else:
            (folder / name).unlink()
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="incident_kg.graph.link_state"):
            with GraphStore.open(store_dir) as store:
                build([folder], store, base=DEFAULT_BASE, extractor=extractor)
        assert "linked again" in caplog.text, (action, name)
        with GraphStore.open(store_dir, read_only=True) as store:
            links, follow_up = _whole_relink(store)
            assert _links_graph(store) == links, (action, name)
            assert kept_effectiveness(store) == follow_up, (action, name)
    assert any("sameIncidentAs" in line for line in links)


def test_a_state_that_is_not_the_stores_last_pass_is_not_used(
    tmp_path: Path, extractor: Extractor, caplog: pytest.LogCaptureFixture
) -> None:
    """A state left by an earlier pass (a pass killed between its transaction and writing the
    state's file) is ignored: the whole store is read and linked, as a whole relink would."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in sorted(SAMPLES.glob("s0[1-4]*.*")):
        shutil.copy(path, folder / path.name)
    store_dir = tmp_path / "store"
    with GraphStore.open(store_dir, create=True) as store:
        build([folder], store, base=DEFAULT_BASE, extractor=extractor)
    earlier = (store_dir / STATE_FILE).read_bytes()
    shutil.copy(SAMPLES / "s05-ppc-policy-prose.txt", folder)
    with GraphStore.open(store_dir) as store:
        build([folder], store, base=DEFAULT_BASE, extractor=extractor)
        token = store_token(store)
    (store_dir / STATE_FILE).write_bytes(earlier)
    with caplog.at_level(logging.INFO, logger="incident_kg.graph.link_state"):
        with GraphStore.open(store_dir) as store:
            relink(store)
            assert store_token(store) == token  # the same store linked again: the same token
            links, follow_up = _whole_relink(store)
            assert _links_graph(store) == links
            assert kept_effectiveness(store) == follow_up
    assert "not the store's last link pass" in caplog.text
    assert "linked again" not in caplog.text
