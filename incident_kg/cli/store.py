"""The store itself: ``info`` (what it holds), ``reports list|remove``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from .common import emit, format_option, handle_errors, print_table, store_option, wait_option


@click.command()
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: for people; json: for programs.",
)
@handle_errors
def info(store_dir: Path, fmt: str) -> None:
    """What the store holds: reports, incidents, imports, graphs, size, the last build.

    \b
    Examples:
      incident-kg info
      incident-kg info --store ../prefecture-store --format json
    """
    from incident_kg.graph.store import GraphStore
    from incident_kg.queries.summary import summarize

    with GraphStore.open(store_dir, read_only=True) as store:
        summary = summarize(store)
    if fmt == "json":
        click.echo(json.dumps(dataclasses.asdict(summary), ensure_ascii=False, indent=2))
    else:
        print_table(("what", "value"), summary.rows())


@click.group()
def reports() -> None:
    """The reports the store holds: list them, remove some."""


@reports.command("list")
@store_option
@format_option
@handle_errors
def list_(store_dir: Path, fmt: str) -> None:
    """List the reports: id, incidents, the file each was built from, when.

    \b
    Examples:
      incident-kg reports list
      incident-kg reports list --format csv > reports.csv
    """
    from incident_kg.graph.reports import ReportEntry, list_reports
    from incident_kg.graph.store import GraphStore

    with GraphStore.open(store_dir, read_only=True) as store:
        entries = list_reports(store)
    emit(entries, ReportEntry.COLUMNS, fmt, "en")


@reports.command()
@click.argument("names", nargs=-1, required=True, metavar="REPORT...")
@store_option
@wait_option
@handle_errors
def remove(names: tuple[str, ...], store_dir: Path, wait: float) -> None:
    """Remove reports (by id, as `reports list` shows them, or by file name) and relink the
    incidents that remain. A later build of a folder that still holds the file adds it again.

    \b
    Examples:
      incident-kg reports remove 2023-05-kita-notice
      incident-kg reports remove old/2023-05-kita-notice.txt --wait 60
    """
    from incident_kg.graph.reports import remove_reports
    from incident_kg.graph.store import GraphStore

    with GraphStore.open(store_dir, wait=wait, command="reports remove") as store:
        removed, links = remove_reports(store, names)
    click.echo(
        f"removed {len(removed)} report(s): {', '.join(removed)}; the store's incidents are "
        f"{links.counted} distinct"
    )
