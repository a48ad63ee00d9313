"""The reports a store holds, and removing some: ``incident-kg reports list|remove``.

A report is known by its id (the file name's stem, or its pseudonym when the name carries
personal data: privacy/pseudonyms.py), as in its IRI ``<base>report/<id>``.  Removing
reports drops each one's graphs, record and share of the shared graphs in one transaction
(:meth:`~.store.GraphStore.remove_report`), then recomputes the links between the incidents
that remain (graph/links.py) so that no count still includes a removed report.  Ids that the
store does not hold are refused before anything is removed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from incident_kg.errors import IncidentKGError
from incident_kg.ontology.namespaces import DEFAULT_BASE
from incident_kg.ontology.tables import LinkingRules

from .links import LinkSummary, relink
from .reason import inferred_graph_for
from .store import GraphStore
from .triples import Minter

log = logging.getLogger(__name__)


class UnknownReportError(IncidentKGError):
    """A report id the store does not hold."""


@dataclass(frozen=True)
class ReportEntry:
    """One report of the store, as its record keeps it."""

    id: str
    incidents: int | None
    source: str | None  # the file it was last built from (a path on the building machine)
    created: str
    modified: str

    COLUMNS = ("id", "incidents", "source", "created", "modified")

    def row(self, lang: str = "en") -> tuple[str, str, str, str, str]:
        """The values of :attr:`COLUMNS` as text (``lang`` unused: nothing to translate)."""
        incidents = "" if self.incidents is None else str(self.incidents)
        return (self.id, incidents, self.source or "", self.created, self.modified)


def list_reports(store: GraphStore) -> list[ReportEntry]:
    """Every report the store's records name, sorted by id (imported graphs are not
    reports of this store: ``incident-kg imports`` lists them)."""
    prefix = f"{store.base_iri() or DEFAULT_BASE}report/"
    return [
        ReportEntry(
            record.report.removeprefix(prefix),
            record.incidents,
            record.source_path,
            record.created,
            record.modified,
        )
        for record in store.records()
        if record.report.startswith(prefix)
    ]


def _id_of(name: str) -> str:
    """A report id as the user may give it: the id, the report IRI's tail or a file name."""
    name = name.rstrip("/").rsplit("/report/", 1)[-1]
    return Path(name).stem if Path(name).suffix in {".txt", ".md", ".pdf", ".html"} else name


def remove_reports(
    store: GraphStore, names: Iterable[str], rules: LinkingRules | None = None
) -> tuple[list[str], LinkSummary]:
    """Remove the named reports (ids, report IRIs or file names) and relink what remains;
    the ids removed.  Raises :class:`UnknownReportError` naming every id the store does not
    hold, before removing any."""
    held = {entry.id for entry in list_reports(store)}
    wanted = list(dict.fromkeys(_id_of(n) for n in names))
    unknown = [n for n in wanted if n not in held]
    if unknown:
        raise UnknownReportError(
            f"no such report in {store.path}: {', '.join(unknown)} "
            "(`incident-kg reports list` shows the ids)"
        )
    base = store.base_iri() or DEFAULT_BASE
    for report_id in wanted:  # each report in a transaction of its own
        minted = Minter(base, report_id)
        graph = str(minted.graph)
        store.remove_report(str(minted.report), [graph, inferred_graph_for(graph)])
        log.info("removed report %s", report_id)
    return wanted, relink(store, rules)


__all__ = ["ReportEntry", "UnknownReportError", "list_reports", "remove_reports"]
