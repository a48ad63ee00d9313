"""The store itself: ``info`` (what it holds)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from .common import handle_errors, print_table, store_option


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
