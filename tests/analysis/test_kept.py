"""The projection kept beside the store (analysis/kept.py): the next command reads back what
the first one made — the same graph, the same details read later — and makes it again when
the store changed or the file was not written with the store's secret."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import networkx as nx
import pytest

from incident_kg.analysis import summaries
from incident_kg.analysis.kept import kept_folder
from incident_kg.analysis.network import evidence, load_network, nodes_of_kind, targets
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE

from ..conftest import SAMPLES
from ..made_network import assert_same_network

FIRST = [SAMPLES / "s02-sakai-logout.md", SAMPLES / "s03-kumamoto-council.txt"]
LATER = SAMPLES / "s06-aoba-account-tablet.txt"
RELATIONS = ("has_cause", "has_countermeasure", "reported_in")


@pytest.fixture
def store_path(tmp_path: Path, extractor: Extractor) -> Path:
    path = tmp_path / "store"
    with GraphStore.open(path, create=True) as store:
        build(FIRST, store, base=DEFAULT_BASE, extractor=extractor)
    return path


def _load(path: Path) -> nx.MultiDiGraph:
    with GraphStore.open(path, read_only=True) as store:
        return load_network(store, details=False, relations=RELATIONS)


def _made_again(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the projections made from the summaries from now on."""
    made: list[int] = []
    make = summaries.network_from_summaries

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(1)
        return make(*args, **kwargs)

    monkeypatch.setattr(summaries, "network_from_summaries", counting)
    return made


def test_the_next_command_reads_back_the_projection_the_first_made(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _load(store_path)
    assert list(kept_folder(store_path).glob("*.pickle"))
    made = _made_again(monkeypatch)
    with GraphStore.open(store_path, read_only=True) as store:
        again = load_network(store, details=False, relations=RELATIONS)
        assert not made  # read back, not made
        assert_same_network(again, first)
        incident = nodes_of_kind(again, "incident")[0]
        cause = targets(again, incident, "has_cause")[0]
        said = evidence(again, incident, cause, "has_cause")  # details: from the store, as before
    with GraphStore.open(store_path, read_only=True) as store:
        fresh = load_network(store, details=False, relations=RELATIONS)
        assert said and said == evidence(fresh, incident, cause, "has_cause")


def test_a_changed_store_makes_the_projection_again(
    store_path: Path, extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _load(store_path)
    with GraphStore.open(store_path) as store:
        build([LATER], store, base=DEFAULT_BASE, extractor=extractor)
    made = _made_again(monkeypatch)
    after = _load(store_path)
    assert made
    assert len(nodes_of_kind(after, "incident")) > len(nodes_of_kind(before, "incident"))
    assert len(list(kept_folder(store_path).glob("*.pickle"))) == 1  # the older one removed


def test_a_file_not_signed_with_the_stores_secret_is_not_read(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made_first = _load(store_path)
    (kept,) = kept_folder(store_path).glob("*.pickle")
    forged = nx.MultiDiGraph()
    forged.add_node("forged", kind="incident")
    kept.write_bytes(b"\0" * 32 + pickle.dumps((forged, {})))
    made = _made_again(monkeypatch)
    assert_same_network(_load(store_path), made_first)
    assert made


def test_a_store_nobody_may_write_beside_still_answers(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _load(store_path)
    shutil.rmtree(kept_folder(store_path))
    kept_folder(store_path).write_text("not a folder")  # the folder cannot be made
    made = _made_again(monkeypatch)
    assert_same_network(_load(store_path), first)
    assert_same_network(_load(store_path), first)
    assert len(made) == 2  # made each time, nothing kept


def _read_back_without(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, owner: object, name: str
) -> None:
    """The projection made once is read back, the same, with ``owner.name`` never called."""
    first = _load(store_path)
    made = _made_again(monkeypatch)

    def forbidden(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"{name} called")

    monkeypatch.setattr(owner, name, forbidden)
    assert_same_network(_load(store_path), first)
    assert not made


def test_the_kept_projection_is_found_without_reading_every_summary(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The projection's name comes from the digests kept beside the summaries, so a command
    that reads it back reads no summary (at 100,000 reports they are 200 MB)."""
    _read_back_without(store_path, monkeypatch, GraphStore, "summaries")


def test_summaries_kept_without_their_digest_name_the_same_projection(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store whose summaries were kept by older code (no digest beside them) still finds the
    projection kept for it: the digests are worked out from the summaries, the same ones."""
    from incident_kg.graph.summary import SUMMARY_DIGEST_KEY, SUMMARY_GRAPH

    first = _load(store_path)
    with GraphStore.open(store_path) as store:
        assert store.summary_digests()
        store.update(
            f"DELETE WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?g <{SUMMARY_DIGEST_KEY}> ?d }} }}"
        )
        assert store.summary_digests() is None
    made = _made_again(monkeypatch)
    assert_same_network(_load(store_path), first)
    assert not made


def test_the_kept_projection_is_found_without_reading_the_links_graph(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The links graph names the projection by the token its link pass wrote with it (a
    digest of its lines): its rows are read only to make the projection (at 100,000 reports
    that query took most of a command's time)."""
    _read_back_without(store_path, monkeypatch, summaries, "read_links")
