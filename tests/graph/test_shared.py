"""The shared graph: what several reports say of the same resource (an organisation, the
software agent) is stored once, stays right when reports are added, changed and removed,
and the store answers and exports as if every report graph held it."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from incident_kg.export import export_bytes
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.reason import drop_inferred, inferred_graph_for, reason_store
from incident_kg.graph.store import (
    SHARED_GRAPH,
    SHARED_INFERRED,
    GraphStore,
    RecordInfo,
    SharedPart,
)
from incident_kg.graph.triples import is_local
from incident_kg.ontology.namespaces import DEFAULT_BASE

from ..conftest import ROOT

sys.path.insert(0, str(ROOT))

from benchmarks.corpus import write_corpus

ORG_PREFIX = f"{DEFAULT_BASE}org/"
LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve generated reports (read only: copy before changing)."""
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 12, seed=5)
    (folder / "planted.jsonl").unlink()
    return folder


def _copy(corpus: Path, to: Path, names: list[str]) -> Path:
    to.mkdir(parents=True)
    for name in names:
        shutil.copy(corpus / name, to / name)
    return to


def _build(folder: Path, store: GraphStore, extractor: Extractor) -> None:
    build([folder], store, base=DEFAULT_BASE, extractor=extractor)


def _graph(store: GraphStore, name: str) -> set[str]:
    return set(store.graph_ntriples([name]).decode().splitlines())


def _orgs_by_report(store: GraphStore) -> dict[str, set[str]]:
    """Organisation IRIs each report graph's contribution names."""
    return {
        graph: {line.split(" ", 1)[0][1:-1] for line in part.lines("asserted")} & _orgs(store)
        for graph, part in store.shared_parts().items()
    }


def _orgs(store: GraphStore) -> set[str]:
    return {
        line.split(" ", 1)[0][1:-1]
        for line in _graph(store, SHARED_GRAPH)
        if line.startswith(f"<{ORG_PREFIX}")
    }


def test_report_graphs_hold_only_their_own_subjects_and_the_shared_graph_the_rest(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    folder = _copy(corpus, tmp_path / "in", sorted(p.name for p in corpus.iterdir()))
    with GraphStore.open(tmp_path / "store", create=True) as store:
        _build(folder, store, extractor)
        assert _orgs(store), "the corpus names resolved organisations"
        for name in store.report_graphs():
            report = name.replace("/graph/", "/report/")
            for quad in store.quads([name, inferred_graph_for(name)]):
                assert is_local(quad.subject.value, report), (name, str(quad))
        # an organisation named by several reports has its label once in the union
        named = Counter(org for orgs in _orgs_by_report(store).values() for org in orgs)
        busiest, reports = named.most_common(1)[0]
        assert reports >= 2
        rows = list(store.query(f"SELECT ?l WHERE {{ <{busiest}> <{LABEL}> ?l }}"))  # type: ignore[call-overload]
        assert len(rows) == 1


def test_a_shared_resource_goes_with_the_last_report_that_names_it(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    folder = _copy(corpus, tmp_path / "in", sorted(p.name for p in corpus.iterdir()))
    with GraphStore.open(tmp_path / "store", create=True) as store:
        _build(folder, store, extractor)
        by_report = _orgs_by_report(store)
        named = Counter(org for orgs in by_report.values() for org in orgs)
        org, count = named.most_common(1)[0]
        naming = sorted(g for g, orgs in by_report.items() if org in orgs)
        files = {g: folder / f"{g.rsplit('/', 1)[-1]}.txt" for g in naming}
        assert count >= 2 and all(f.exists() for f in files.values())
        for graph in naming[:-1]:  # all but the last report that names it
            files[graph].unlink()
        _build(folder, store, extractor)
        assert org in _orgs(store)
        files[naming[-1]].unlink()
        _build(folder, store, extractor)
        assert org not in _orgs(store)
        gone = f"<{org}> "
        assert not any(line.startswith(gone) for line in _graph(store, SHARED_INFERRED))
        # what is left is exactly what a fresh build of the remaining files gives
        with GraphStore.open(tmp_path / "fresh", create=True) as fresh:
            _build(folder, fresh, extractor)
            for name in (SHARED_GRAPH, SHARED_INFERRED):
                assert _graph(store, name) == _graph(fresh, name)
            assert export_bytes(store, "nquads") == export_bytes(fresh, "nquads")


def test_replacing_a_contribution_keeps_what_another_report_still_states(
    tmp_path: Path,
) -> None:
    a, b = f"{DEFAULT_BASE}graph/a", f"{DEFAULT_BASE}graph/b"
    kept = f'<{ORG_PREFIX}x> <{LABEL}> "x"@ja .'
    only_a = f'<{ORG_PREFIX}y> <{LABEL}> "y"@ja .'
    new_a = f'<{ORG_PREFIX}z> <{LABEL}> "z"@ja .'

    def info(graph: str) -> RecordInfo:
        return RecordInfo(graph.replace("/graph/", "/report/"), "d", "t", "t")

    with GraphStore.open(tmp_path / "store", create=True) as store:
        store.replace_report(a, "", info(a), shared=SharedPart(f"{kept}\n{only_a}\n"))
        store.replace_report(b, "", info(b), shared=SharedPart(f"{kept}\n"))
        assert _graph(store, SHARED_GRAPH) == {kept, only_a}
        store.replace_report(a, "", info(a), shared=SharedPart(f"{new_a}\n"))
        assert _graph(store, SHARED_GRAPH) == {kept, new_a}
        store.remove_report(info(b).report, [b])
        assert _graph(store, SHARED_GRAPH) == {new_a}
        assert store.shared_part(a) == SharedPart(f"{new_a}\n")
        assert store.shared_part(b) == SharedPart()


def test_reasoning_the_store_again_gives_the_shared_inferences_back(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    folder = _copy(corpus, tmp_path / "in", sorted(p.name for p in corpus.iterdir())[:6])
    with GraphStore.open(tmp_path / "store", create=True) as store:
        _build(folder, store, extractor)
        before = _graph(store, SHARED_INFERRED)
        parts = store.shared_parts()
        assert before
        drop_inferred(store)
        assert not store.has_graph(SHARED_INFERRED)
        assert all(not p.inferred for p in store.shared_parts().values())
        from incident_kg.graph.build import ontology_rules

        reason_store(store, ontology_rules(store))
        assert _graph(store, SHARED_INFERRED) == before
        assert store.shared_parts() == parts
