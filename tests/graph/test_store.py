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


FIRST_BUILD = """
import os, sys, time
from pathlib import Path
from incident_kg.graph.lock import store_lock
from incident_kg.graph.store import GraphStore
path = Path(sys.argv[1])
staging = path.parent / f".{path.name}.building-{os.getpid()}"
with store_lock(path):
    with GraphStore.open(staging, create=True, lock=False) as store:
        store.replace_graph(sys.argv[2], sys.argv[3])
    print("building", flush=True)
    time.sleep(1.5)
    os.rename(staging, path)
"""


def test_a_writer_told_to_wait_waits_for_a_first_build_under_way(tmp_path: Path) -> None:
    """Regression (newcomer walk-through): `reason --wait 60` during a first build said
    "no store" at once; a reader is told the first build is under way."""
    import subprocess
    import sys

    path = tmp_path / "store"
    builder = subprocess.Popen(
        [sys.executable, "-c", FIRST_BUILD, str(path), G, T1], stdout=subprocess.PIPE, text=True
    )
    try:
        assert builder.stdout is not None and builder.stdout.readline().strip() == "building"
        with pytest.raises(StoreError, match="first build is under way"):
            GraphStore.open(path, read_only=True)
        with GraphStore.open(path, wait=30) as store:
            assert store.graphs() == [G]
    finally:
        builder.wait(timeout=60)


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
