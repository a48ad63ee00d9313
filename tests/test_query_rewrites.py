"""The named queries rewritten for speed at scale still find what they are for: a coded fact
without evidence is reported, and the evidence of a fact comes with its position."""

from __future__ import annotations

from pathlib import Path

from incident_kg.graph.build import build
from incident_kg.graph.extract import Extractor
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import CODE, DEFAULT_BASE, IKG
from incident_kg.queries.library import bindings, known_codes, load_library, run_local

from .conftest import sample_files

LIBRARY = load_library()


def test_a_coded_fact_without_evidence_is_reported(extractor: Extractor, tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build(sample_files()[:1], store, base=DEFAULT_BASE, extractor=extractor)
        query = LIBRARY["coded-fact-without-evidence-violation"]
        assert run_local(store, query).rows == ()
        incident = f"{DEFAULT_BASE}report/{sample_files()[0].stem}/incident/1"
        said = {
            row[0]
            for row in run_local(
                store, f"SELECT ?b WHERE {{ ?a <{IKG.aboutIncident}> <{incident}> ; ?p ?b }}"
            ).rows
        }
        unsaid = next(c for c in sorted(known_codes()["causes"]) if str(CODE[c]) not in said)
        store.replace_graph(
            f"{DEFAULT_BASE}graph/planted", f"<{incident}> <{IKG.hasCause}> <{CODE[unsaid]}> ."
        )
        rows = run_local(store, query).rows
    assert rows == ((incident, str(IKG.hasCause), str(CODE[unsaid])),)


def test_the_evidence_of_a_fact_has_its_sentence_and_position(
    extractor: Extractor, tmp_path: Path
) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build(sample_files()[:1], store, base=DEFAULT_BASE, extractor=extractor)
        incident = f"{DEFAULT_BASE}report/{sample_files()[0].stem}/incident/1"
        query = LIBRARY["evidence-for-fact"]
        table = run_local(store, query, bindings(query, {"incident": incident}, known_codes()))
    start, end, sentence = (table.columns.index(c) for c in ("start", "end", "sentence"))
    assert table.rows
    for row in table.rows:
        assert row[start] is not None and row[end] is not None
        assert int(row[end]) - int(row[start]) == len(row[sentence] or "")
