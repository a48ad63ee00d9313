"""The graph-by-graph export (N-Quads, TriG) writes the same bytes and figures as the export
that holds every quad in memory, whatever the options."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from incident_kg.export.filters import Selection
from incident_kg.export.marking import Tlp
from incident_kg.export.serialize import ExportOptions, _export_in_memory, export_dataset
from incident_kg.graph.store import GraphStore

OPTIONS = {
    "plain": ExportOptions(),
    "inferred, no ontology": ExportOptions(include_ontology=False, include_inferred=True),
    "redacted and marked": ExportOptions(redact=True, marking=Tlp.AMBER, include_inferred=True),
    "one organisation": ExportOptions(
        selection=Selection(organizations=("堺市",)), include_inferred=True
    ),
}


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_graph_by_graph_export_equals_the_in_memory_one(
    seeds_store_path: Path, fmt: str, name: str
) -> None:
    options = OPTIONS[name]
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        whole = _export_in_memory(store, fmt, options)
        streamed = export_dataset(store, fmt, options)
        out = io.BytesIO()
        to_file = export_dataset(store, fmt, options, out=out)
    assert whole.data and streamed.data == whole.data
    assert out.getvalue() == whole.data and to_file.data == b""
    for result in (streamed, to_file):
        assert result.byte_size == len(whole.data) and result.sha256 == whole.sha256
        for figure in ("dataset", "graphs", "triples", "subjects", "classes", "redactions"):
            assert getattr(result, figure) == getattr(whole, figure), figure
