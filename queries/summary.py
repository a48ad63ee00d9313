"""What a store holds, at a glance: reports, incidents, imports, graphs, size and the last build.

Read from the store's record keeping (one scan of the metadata graph), not from the report
graphs, so it answers in about the same time at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from incident_kg.graph.store import LINKS_GRAPH, META_GRAPH, GraphStore
from incident_kg.ontology.namespaces import IKG


@dataclass(frozen=True)
class StoreSummary:
    """The figures ``incident-kg info`` prints."""

    store: str
    reports: int
    incidents: int  # as recorded by the builds
    imports: int  # files imported from other agencies
    imported_incidents: int  # incidents held in the imported graphs
    distinct_incidents: int  # events: an incident told by several reports counts once
    imported_graphs: int
    graphs: int
    quads: int
    disk_bytes: int
    base_iri: str | None
    first_build: str | None  # xsd:dateTime of the first report loaded
    last_change: str | None  # xsd:dateTime of the last report that changed

    def rows(self) -> list[tuple[str, str]]:
        """(what, value) pairs for a table."""
        return [
            ("store", self.store),
            ("reports", str(self.reports)),
            (
                "incidents",
                f"{self.incidents} built, {self.imported_incidents} imported: "
                f"{self.distinct_incidents} distinct",
            ),
            ("imports", f"{self.imports} file(s), {self.imported_graphs} graph(s)"),
            ("graphs", str(self.graphs)),
            ("quads", str(self.quads)),
            ("size on disk", f"{self.disk_bytes / 1_048_576:.1f} MiB"),
            ("base IRI", self.base_iri or "—"),
            ("first report loaded", self.first_build or "—"),
            ("last report changed", self.last_change or "—"),
        ]


def _disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _count(store: GraphStore, pattern: str) -> int:
    """``COUNT(DISTINCT ?i)`` over a graph pattern: the figures of the summary, each one query."""
    rows = store.query(f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ {pattern} }}")
    for row in cast(ox.QuerySolutions, rows):
        value = row[0]
        return int(value.value) if isinstance(value, ox.Literal) else 0
    return 0


def _imports(store: GraphStore) -> int:
    """Files imported from other agencies (the record keeping)."""
    return _count(store, f"GRAPH <{META_GRAPH}> {{ ?i a <{IKG.Import}> }}")


def _imported_incidents(store: GraphStore, graphs: list[str]) -> int:
    """Incidents in the imported graphs (one query over those graphs only)."""
    if not graphs:
        return 0
    values = " ".join(f"<{g}>" for g in graphs)
    return _count(store, f"VALUES ?g {{ {values} }} GRAPH ?g {{ ?i a <{IKG.Incident}> }}")


def _counted_as_another(store: GraphStore) -> int:
    """Incidents counted as another (the links graph: a second telling, a body's case within
    a national grouping) — one query over the links graph only."""
    return _count(store, f"GRAPH <{LINKS_GRAPH}> {{ ?i <{IKG.countedAs}> ?k FILTER(?i != ?k) }}")


def summarize(store: GraphStore) -> StoreSummary:
    """The summary of an open store."""
    records = store.records()
    created = sorted(r.created for r in records)
    modified = sorted(r.modified for r in records)
    imported = sorted(str(g) for g in store.imported_graph_names())
    return StoreSummary(
        store=str(store.path),
        reports=len(records),
        incidents=sum(r.incidents or 0 for r in records),
        imports=_imports(store),
        imported_incidents=(from_imports := _imported_incidents(store, imported)),
        distinct_incidents=sum(r.incidents or 0 for r in records)
        + from_imports
        - _counted_as_another(store),
        imported_graphs=len(imported),
        graphs=len(store.graphs()),
        quads=len(store),
        disk_bytes=_disk_bytes(store.path),
        base_iri=store.base_iri(),
        first_build=created[0] if created else None,
        last_change=modified[-1] if modified else None,
    )
