"""Store: a directory on disk, one named graph per report, atomic replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_kg.errors import StoreError
from incident_kg.graph.store import GraphStore

G = "https://example.org/graph/r1"
T1 = '<https://example.org/a> <https://example.org/p> "one" .'
T2 = '<https://example.org/a> <https://example.org/p> "two" .'


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        GraphStore.open(tmp_path / "nothing")


def test_data_survives_closing_and_reopening(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "s", create=True) as store:
        store.replace_graph(G, T1)
    with GraphStore.open(tmp_path / "s") as store:
        assert store.graphs() == [G]
        assert len(store) == 1


def test_replacing_a_graph_drops_its_old_triples(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "s", create=True) as store:
        store.replace_graph(G, T1)
        store.replace_graph(G, T2)
        assert [str(q.object.value) for q in store.quads([G])] == ["two"]


def test_a_failed_replacement_leaves_the_old_graph(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "s", create=True) as store:
        store.replace_graph(G, T1)
        with pytest.raises(SyntaxError):
            store.replace_graph(G, T2 + "\n<broken")
        assert [str(q.object.value) for q in store.quads([G])] == ["one"]


def test_a_store_refuses_a_second_base_iri(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "s", create=True) as store:
        store.check_base("https://a.example/id/")
        store.check_base("https://a.example/id/")
        with pytest.raises(StoreError, match="base IRI"):
            store.check_base("https://b.example/id/")


def test_a_store_held_by_another_writer_is_a_clear_error(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "s", create=True):
        with pytest.raises(StoreError, match="in use"):
            GraphStore.open(tmp_path / "s")


def test_a_store_opens_read_only_and_closes_cleanly_even_twice(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "s", create=True) as writer:
        writer.replace_graph(G, T1)
        writer.close()
    with GraphStore.open(tmp_path / "s", read_only=True) as reader:
        assert reader.graphs() == [G]
