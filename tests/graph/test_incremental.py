"""Incremental builds: only new or changed reports are extracted again, reports whose file
is gone from a built folder are removed, moved files are not lost, and workers change
nothing but the time taken."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incident_kg.export import export_bytes
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import (
    build,
    ontology_rules,
    pipeline_digest,
    rules_digest,
    source_digest,
)
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE

from ..conftest import ROOT

sys.path.insert(0, str(ROOT))

from benchmarks.corpus import write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty generated reports (read only: copy before changing)."""
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 20, seed=11)
    (folder / "planted.jsonl").unlink()
    return folder


def _copy(corpus: Path, to: Path, names: list[str] | None = None) -> Path:
    to.mkdir(parents=True)
    for path in sorted(corpus.iterdir()):
        if names is None or path.name in names:
            shutil.copy(path, to / path.name)
    return to


def _build(folder: Path | list[Path], store: GraphStore, extractor: Extractor, **kw: object):  # type: ignore[no-untyped-def]
    paths = folder if isinstance(folder, list) else [folder]
    return build(paths, store, base=DEFAULT_BASE, extractor=extractor, **kw)  # type: ignore[arg-type]


def test_a_rebuild_with_nothing_changed_extracts_nothing_and_changes_nothing(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    folder = _copy(corpus, tmp_path / "in", sorted(p.name for p in corpus.iterdir())[:5])
    with GraphStore.open(tmp_path / "store", create=True) as store:
        first = _build(folder, store, extractor)
        before = export_bytes(store, "nquads")
        again = _build(folder, store, extractor)
        assert export_bytes(store, "nquads") == before
    assert first.skipped == [] and len(first.loaded) == 5
    assert sorted(again.skipped) == sorted(first.loaded)
    assert "extract" not in again.seconds  # nothing was read through the extractor
    assert again.incidents == first.incidents


def test_only_a_changed_file_is_extracted_again(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    folder = _copy(corpus, tmp_path / "in", sorted(p.name for p in corpus.iterdir())[:4])
    changed = sorted(folder.iterdir())[1]
    with GraphStore.open(tmp_path / "store", create=True) as store:
        _build(folder, store, extractor)
        raw = changed.read_bytes()
        changed.write_bytes(raw.replace("お詫び".encode(), "おわび".encode(), 1) + b"\n")
        result = _build(folder, store, extractor)
    assert set(result.loaded) - set(result.skipped) == {str(changed)}
    assert len(result.skipped) == 3


def test_a_changed_sidecar_or_pipeline_changes_the_source_digest(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    report = _copy(corpus, tmp_path / "in", [sorted(p.name for p in corpus.iterdir())[0]])
    path = next(report.iterdir())
    with GraphStore.open(tmp_path / "store", create=True) as store:
        rules = ontology_rules(store)
    pipeline = pipeline_digest(extractor, rules, DEFAULT_BASE)
    plain = source_digest(path, pipeline)
    path.with_name(path.stem + ".curation.yaml").write_text("curator: A\n", encoding="utf-8")
    with_sidecar = source_digest(path, pipeline)
    lexicon = dataclasses.replace(extractor.lexicon, data={**extractor.lexicon.data, "x": 1})
    other = pipeline_digest(dataclasses.replace(extractor, lexicon=lexicon), rules, DEFAULT_BASE)
    assert len({plain, with_sidecar, source_digest(path, other)}) == 3
    assert pipeline_digest(extractor, rules, "https://pref.example/kg/") != pipeline


def test_the_stored_ontology_gives_the_same_rules_as_closing_it_again(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        fresh = ontology_rules(store)  # closes the ontology with owlrl and stores it
        reread = ontology_rules(store)  # reads the stored closure back
    assert rules_digest(fresh) == rules_digest(reread)
    assert fresh == reread


def test_a_file_gone_from_a_built_folder_is_removed_and_other_folders_are_kept(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    names = sorted(p.name for p in corpus.iterdir())
    a = _copy(corpus, tmp_path / "a", names[:3])
    b = _copy(corpus, tmp_path / "b", names[3:5])
    with GraphStore.open(tmp_path / "store", create=True) as store:
        _build([a, b], store, extractor)
        gone = sorted(a.iterdir())[0]
        gone.unlink()
        only_b = _build(b, store, extractor)  # a's files are not this build's business
        assert only_b.removed == []
        assert len(store.records()) == 5
        result = _build(a, store, extractor)
        ids = {r.report.rsplit("/", 1)[1] for r in store.records()}
        graphs = store.graphs()
    assert result.removed == [str(gone.resolve())]
    assert gone.stem not in ids and len(ids) == 4
    assert not any(gone.stem in g for g in graphs)  # its graph and inferred graph are gone


def test_no_prune_keeps_reports_whose_file_is_gone(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    a = _copy(corpus, tmp_path / "a", sorted(p.name for p in corpus.iterdir())[:2])
    with GraphStore.open(tmp_path / "store", create=True) as store:
        _build(a, store, extractor)
        sorted(a.iterdir())[0].unlink()
        result = _build(a, store, extractor, prune=False)
        assert result.removed == [] and len(store.records()) == 2


def test_a_report_moved_to_another_folder_is_not_lost(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    names = sorted(p.name for p in corpus.iterdir())
    a = _copy(corpus, tmp_path / "a", names[:2])
    b = _copy(corpus, tmp_path / "b", names[2:3])
    moved = sorted(a.iterdir())[0]
    with GraphStore.open(tmp_path / "store", create=True) as store:
        _build([a, b], store, extractor)
        before = export_bytes(store, "nquads")
        shutil.move(moved, b / moved.name)
        into_b = _build(b, store, extractor)  # the record follows the file, nothing re-extracted
        from_a = _build(a, store, extractor)  # the old folder no longer owns it
        after = export_bytes(store, "nquads")
        record = next(r for r in store.records() if r.report.endswith("/" + moved.stem))
    assert str(b / moved.name) in into_b.skipped
    assert into_b.removed == [] and from_a.removed == []
    assert record.source_path == str((b / moved.name).resolve())
    assert after == before


def test_two_workers_write_the_same_store_as_one(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    exports = []
    for workers in (1, 2):
        with GraphStore.open(tmp_path / f"store{workers}", create=True) as store:
            result = _build(corpus, store, extractor, workers=workers)
            exports.append(export_bytes(store, "nquads"))
        assert result.workers == workers and len(result.loaded) == 20
    assert exports[0] == exports[1]


def test_the_cli_reports_what_a_rebuild_removed(corpus: Path, tmp_path: Path) -> None:
    folder = _copy(corpus, tmp_path / "in", sorted(p.name for p in corpus.iterdir())[:2])
    cmd = [sys.executable, "-m", "incident_kg.cli", "-q", "build", str(folder)]
    cmd += ["--store", str(tmp_path / "store")]
    subprocess.run(cmd, check=True, capture_output=True)
    sorted(folder.iterdir())[0].unlink()
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    assert "loaded 1 report(s) (1 unchanged), removed 1" in proc.stdout


def test_a_first_build_is_staged_beside_the_store_and_moved_into_place(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    from incident_kg.graph.build import build_store

    target = tmp_path / "kg"
    stale = tmp_path / ".kg.building-999999999"  # left by a first build that was killed
    stale.mkdir()
    result = build_store([corpus], target, base=DEFAULT_BASE, extractor=extractor)
    # no staging left, stale gone; beside the store only its lock file (graph/lock.py)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kg.lock", "kg"]
    with GraphStore.open(target) as store:
        assert len(store.records()) == 20 == len(result.loaded)
        assert len(store.graph_ntriples(store.graphs()).splitlines()) >= result.written > 0
        staged = export_bytes(store, "nquads")
    with GraphStore.open(tmp_path / "in-place", create=True) as store:  # transactions, in place
        _build(corpus, store, extractor)
        assert export_bytes(store, "nquads") == staged


def test_a_file_with_its_recorded_size_and_time_is_not_read_again(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    """As make does: size and modification time as recorded, the file is taken as unchanged
    without being hashed; a new modification time makes it hashed (and, same bytes, skipped)."""
    import os

    folder = _copy(corpus, tmp_path / "in", sorted(p.name for p in corpus.iterdir())[:2])
    target = sorted(folder.iterdir())[0]
    with GraphStore.open(tmp_path / "store", create=True) as store:
        _build(folder, store, extractor)
        record = store.record(f"{DEFAULT_BASE}report/{target.stem}")
        assert record is not None and record.source_stat
        st = target.stat()
        raw = target.read_bytes()
        target.write_bytes(raw[:-1] + (b"X" if raw[-1:] != b"X" else b"Y"))  # same size
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # same time
        assert "extract" not in _build(folder, store, extractor).seconds
        target.write_bytes(raw)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched
        again = _build(folder, store, extractor)
    assert "extract" not in again.seconds and str(target) in again.skipped


def test_files_named_alone_are_planned_from_their_own_records(
    corpus: Path, extractor: Extractor, tmp_path: Path
) -> None:
    """A build of a few named files looks up only their records: an unchanged one is skipped,
    a changed one extracted again, and the reports of the folder built before are untouched."""
    folder = _copy(corpus, tmp_path / "in", sorted(p.name for p in corpus.iterdir())[:4])
    kept, changed = sorted(folder.iterdir())[:2]
    with GraphStore.open(tmp_path / "store", create=True) as store:
        _build(folder, store, extractor)
        everything = store.source_index()
        named = [f"{DEFAULT_BASE}report/{p.stem}" for p in (kept, changed)]
        assert store.source_index(named) == {r: everything[r] for r in named}
        changed.write_bytes(changed.read_bytes() + b"\n")
        result = _build([kept, changed], store, extractor)
        assert len(store.source_index()) == 4
    assert result.skipped == [str(kept)]
    assert sorted(result.loaded) == sorted([str(kept), str(changed)])
    assert "extract" in result.seconds
