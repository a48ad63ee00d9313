"""Evidence in the store: kept compact (an annotation names its incident, span and reading),
given back in full Web Annotation form wherever it leaves the store (graph/evidence.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from incident_kg import __version__
from incident_kg.export import ExportOptions, export_dataset
from incident_kg.extraction.extract import Extractor
from incident_kg.graph import build as build_module
from incident_kg.graph.anchors import SourceText
from incident_kg.graph.build import _term_nt, build, prune_missing, read_and_extract
from incident_kg.graph.evidence import (
    EXTRACTED_WITH,
    READING,
    READINGS_GRAPH,
    SOURCE_TEXT,
    SPAN_PREFIX,
    SPAN_SUFFIX,
    Triple,
    compact,
    expand,
    readings_of,
)
from incident_kg.graph.store import PSEUDONYM_KEY, GraphStore
from incident_kg.graph.triples import Minter, report_triples
from incident_kg.ontology.namespaces import DEFAULT_BASE

from ..conftest import sample_files

OA = "http://www.w3.org/ns/oa#"


def _full(path: Path, extractor: Extractor) -> set[Triple]:
    report = read_and_extract(path, extractor)
    return {
        (_term_nt(s), _term_nt(p), _term_nt(o))
        for s, p, o in report_triples(report, base=DEFAULT_BASE, software_version=__version__)
    }


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.stem)
def test_expanding_the_compact_form_gives_back_every_triple(
    path: Path, extractor: Extractor
) -> None:
    full = _full(path, extractor)
    stored, readings = compact(full)
    assert set(expand(stored, readings_of(readings))) == full


def _text(path: Path, extractor: Extractor) -> dict[str, str]:
    """The report's text as published, by report IRI (as graph/build.py gives it)."""
    report = read_and_extract(path, extractor)
    iri = Minter(DEFAULT_BASE, report.report_id).report
    return {f"<{iri}>": SourceText.of(report).published}


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.stem)
def test_the_context_of_every_span_is_cut_from_the_text_kept_once(
    path: Path, extractor: Extractor
) -> None:
    full, text = _full(path, extractor), _text(path, extractor)
    stored, readings = compact(full, text)
    assert not {t for t in stored if t[1] in (SPAN_PREFIX, SPAN_SUFFIX)}
    assert [t[0] for t in stored if t[1] == SOURCE_TEXT] == list(text)
    assert len([t for t in stored if t[1] == EXTRACTED_WITH]) == 1  # six triples in full form
    assert set(expand(stored, readings_of(readings))) == full


def test_a_span_whose_context_is_not_the_texts_keeps_it(extractor: Extractor) -> None:
    """Another text (a later version of the file, another tool's offsets): nothing is cut
    from it, every span keeps its own context."""
    path = sample_files()[0]
    full, text = _full(path, extractor), _text(path, extractor)
    iri, published = next(iter(text.items()))
    stored, readings = compact(full, {iri: "〇" + published})
    assert not {t for t in stored if t[1] == SOURCE_TEXT}
    assert {t for t in stored if t[1] in (SPAN_PREFIX, SPAN_SUFFIX)}
    assert set(expand(stored, readings_of(readings))) == full


def test_an_extraction_of_another_shape_is_kept_whole(extractor: Extractor) -> None:
    path = sample_files()[0]
    full = _full(path, extractor)
    activity = next(s for s, p, o in full if s.endswith("/extraction>"))
    odd = full | {(activity, "<http://www.w3.org/ns/prov#endedAtTime>", '"2026-12-05"')}
    stored, readings = compact(odd)
    assert {t for t in stored if t[0] == activity} == {t for t in odd if t[0] == activity}
    assert not {t for t in stored if t[1] == EXTRACTED_WITH}
    assert set(expand(stored, readings_of(readings))) == odd


def test_the_compact_form_is_less_than_half_the_evidence(extractor: Extractor) -> None:
    full = set().union(*(_full(p, extractor) for p in sample_files()[:4]))
    stored, _ = compact(full)
    annotations = {s for s, p, o in full if o == f"<{OA}Annotation>"}
    assert annotations
    for note in annotations:  # three triples each (four with an organisation or event body)
        assert 3 <= sum(1 for s, _, _ in stored if s == note) <= 4
    assert not any(p.startswith(f"<{OA}has") and "Selector" in p for _, p, _ in stored)
    assert len(stored) < 0.6 * len(full)
    assert len({o for _, p, o in stored if p == READING}) < len(annotations) / 3  # shared


def test_an_annotation_of_another_shape_is_kept_whole(extractor: Extractor) -> None:
    full = _full(sample_files()[0], extractor)
    note = next(s for s, p, o in full if o == f"<{OA}Annotation>")
    odd = full | {(note, "<http://www.w3.org/2000/01/rdf-schema#comment>", '"checked by hand"')}
    stored, readings = compact(odd)
    assert {t for t in stored if t[0] == note} == {t for t in odd if t[0] == note}
    assert set(expand(stored, readings_of(readings))) == odd


def _export(store_dir: Path, fmt: str = "nquads", *, redact: bool = False) -> bytes:
    options = ExportOptions(include_inferred=True, redact=redact)
    with GraphStore.open(store_dir, read_only=True) as store:
        return export_dataset(store, fmt, options).data


@pytest.fixture(scope="module")
def compact_and_full(
    extractor: Extractor, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The same reports, once stored compact and once in full Web Annotation form (the
    compaction turned off), with the same secret for pseudonyms."""
    files = sample_files()
    root = tmp_path_factory.mktemp("evidence")
    with GraphStore.open(root / "compact", create=True) as store:
        build(files, store, base=DEFAULT_BASE, extractor=extractor)
        assert store.has_graph(READINGS_GRAPH)
        key = store.pseudonym_key()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build_module, "compact", lambda triples, texts=None: (list(triples), []))
        with GraphStore.open(root / "full", create=True) as store:
            store.set_meta_value(PSEUDONYM_KEY, str(key))
            build(files, store, base=DEFAULT_BASE, extractor=extractor)
            assert not store.has_graph(READINGS_GRAPH)
    return root / "compact", root / "full"


@pytest.mark.filterwarnings("ignore:Dataset.default_context:DeprecationWarning")
def test_an_export_of_the_compact_store_is_that_of_a_store_in_full_form(
    compact_and_full: tuple[Path, Path],
) -> None:
    """The same reports, once stored compact and once in full Web Annotation form: the
    exports are the same graphs, and even the same bytes."""
    compact_export, full_export = (_export(path) for path in compact_and_full)
    ours, theirs = Dataset(), Dataset()
    ours.parse(data=compact_export, format="nquads")
    theirs.parse(data=full_export, format="nquads")
    graphs = {str(g.identifier): g for g in theirs.graphs()}
    assert {str(g.identifier) for g in ours.graphs()} == set(graphs)
    for graph in ours.graphs():
        assert isomorphic(graph, graphs[str(graph.identifier)]), graph.identifier
    assert compact_export == full_export


def test_a_redacted_export_of_the_compact_store_is_that_of_a_store_in_full_form(
    compact_and_full: tuple[Path, Path],
) -> None:
    """Issue 17 × 16 × 19: the expanded evidence goes through the pseudonyms, the redaction of
    quotes and the Turtle writer as the full form does — the same bytes."""
    compact_export, full_export = (_export(p, "turtle", redact=True) for p in compact_and_full)
    assert b"oa:TextQuoteSelector" in compact_export or b"TextQuoteSelector" in compact_export
    assert compact_export == full_export


def test_a_reading_goes_with_the_last_report_that_reads_it(
    extractor: Extractor, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    files = sample_files()[:3]
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    with GraphStore.open(tmp_path / "s", create=True) as store:
        build([folder], store, base=DEFAULT_BASE, extractor=extractor)

        def used(graphs: list[str]) -> set[str]:
            return {str(q.object) for q in store.quads(graphs) if str(q.predicate) == READING}

        before = set(store.readings())
        assert before == used(store.report_graphs())
        gone = folder / files[0].name
        gone.unlink()
        sources = store.source_index()
        removed = prune_missing(store, DEFAULT_BASE, [folder], set(), sources)
        assert removed
        assert set(store.readings()) == used(store.report_graphs()) < before
