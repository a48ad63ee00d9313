"""What every command shares: the store option, the output options, errors mapped to one line
and an exit code, progress bars, and the printing of tables for people."""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from unicodedata import east_asian_width

import click
from tqdm import tqdm

from incident_kg.errors import IncidentKGError

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

DEFAULT_STORE = "incident-kg-store"
STORE_HELP = (
    "Store directory (an embedded Oxigraph store). "
    f"Default: $INCIDENT_KG_STORE, else ./{DEFAULT_STORE}."
)


def program_flag(name: str) -> bool:
    """A flag of the whole program (``-q``, ``--wide``: given anywhere on the line) as the
    command running now sees it; False outside a command."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and (ctx.find_root().obj or {}).get(name))


def note(message: str) -> None:
    """A note for people on stderr (a row count, what was skipped): left out with -q."""
    if not program_flag("quiet"):
        click.echo(message, err=True)


def fail(message: str, code: int = 2) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn the project's own exceptions into one line and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except IncidentKGError as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


def store_option(func: F) -> F:
    """The ``--store DIR`` option shared by every command that uses a store."""
    return click.option(
        "--store",
        "store_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=lambda: os.environ.get("INCIDENT_KG_STORE", DEFAULT_STORE),
        show_default=f"$INCIDENT_KG_STORE or ./{DEFAULT_STORE}",
        help=STORE_HELP,
    )(func)


def wait_option(func: F) -> F:
    """``--wait SECONDS`` for the commands that write a store: how long to wait for another
    writer (graph/lock.py) before saying the store is busy."""
    return click.option(
        "--wait",
        type=click.FloatRange(min=0),
        default=0,
        show_default=True,
        metavar="SECONDS",
        help="If another command is writing the store, wait this long for it to finish "
        "(0: say at once that the store is busy).",
    )(func)


def bar_size() -> dict[str, int]:
    """The terminal's size for a progress bar: a terminal that reports none (a pseudo-
    terminal of size 0 × 0, as `script` makes) counts as 80 × 24 — tqdm would draw nothing."""
    size = shutil.get_terminal_size((80, 24))
    return {"ncols": size.columns or 80, "nrows": size.lines or 24}


def progress(
    label: str, unit: str = "report", *, counted: bool = True
) -> Callable[[Iterable[T]], Iterable[T]]:
    """A progress bar on stderr over the items a long command works through: ``counted``
    items are listed first, so the bar shows how many are left; otherwise (the reports'
    summaries an analysis reads as they come) it counts what it has seen. None with -q; tqdm
    goes quiet by itself when stderr is not a terminal (disable=None)."""
    quiet = program_flag("quiet")

    def wrap(items: Iterable[T]) -> Iterable[T]:
        return tqdm(
            list(items) if counted else items,
            desc=label,
            unit=unit,
            disable=True if quiet else None,
            file=sys.stderr,
            **bar_size(),
        )

    return wrap


def _char_widths(text: str) -> list[int]:
    """The display width of each character: 2 for wide (Japanese) characters, else 1."""
    return [2 if east_asian_width(c) in "WF" else 1 for c in text]


def fit_cell(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns (``…`` marks a cut) and padded with spaces;
    one pass over the text (each character's width is looked up once)."""
    used = 0
    for i, w in enumerate(_char_widths(text[: width + 1])):  # never more than width + 1
        if used + w > width:
            return text[: i - 1] + "…" if i else "…"
        used += w
    return text + " " * (width - used)


#: Columns that name things (an incident, a report, a code, an IRI): never cut, so that what a
#: table shows can be given back to another command (`--param incident=…`, `--incident …`).
ID_COLUMNS = frozenset(
    {"id", "incident", "report", "code", "cause", "measure", "iri", "target", "file", "source",
     "other", "organization", "stated", "name", "graph", "sources", "adopted in", "counted_as",
     "recurrences", "tier"}
)  # fmt: skip
#: A cell that holds an IRI is never cut either, whatever its column is called (`query --file`).
_IRI = ("http://", "https://", "urn:")
#: Widest a text column is drawn (display columns); longer texts end in "…".
TEXT_WIDTH = 60


def print_table(columns: tuple[str, ...], rows: Iterable[tuple[str | None, ...]]) -> None:
    """A plain text table for people; wide (Japanese) characters count double.  Linear in
    the text printed: every cell is measured once, then cut or padded in one pass.  Columns
    of :data:`ID_COLUMNS`, and columns holding an IRI, are never cut; a text column is cut at :data:`TEXT_WIDTH`, unless
    the program was given ``--wide`` (then no cell is cut)."""
    wide = program_flag("wide")
    cells = [[("" if v is None else v.replace("\n", " ")) for v in row] for row in rows]
    widths = []
    for i, c in enumerate(columns):
        whole = wide or c.lower() in ID_COLUMNS or any(r[i].startswith(_IRI) for r in cells)
        cap = None if whole else TEXT_WIDTH
        longest = max([sum(_char_widths(c))] + [sum(_char_widths(r[i][:cap])) for r in cells])
        widths.append(longest if whole else min(TEXT_WIDTH, longest))
    out = ["  ".join(fit_cell(c, w) for c, w in zip(columns, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(fit_cell(v, w) for v, w in zip(row, widths, strict=True)) for row in cells]
    click.echo("\n".join(out))


def format_option(func: F) -> F:
    """``--format table|csv|json`` for the analysis commands."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help="table: for people; csv and json: for programs.",
    )(func)


def top_option(func: F) -> F:
    """``--top N`` for every ranked listing: only its first N rows (default: all)."""
    return click.option(
        "--top", type=click.IntRange(min=1), help="Show only the first N rows (default: all)."
    )(func)


def lang_option(func: F) -> F:
    """``--lang ja|en``, the same for every command: labels of codes, messages, the language a
    view first shows; ``$INCIDENT_KG_LANG`` sets it for a session."""
    return click.option(
        "--lang",
        type=click.Choice(["ja", "en"]),
        default=lambda: os.environ.get("INCIDENT_KG_LANG", "en"),
        show_default="$INCIDENT_KG_LANG or en",
        help="Language of the labels of codes, of a view's pages (they also switch) and of "
        "validation problems.",
    )(func)


def emit(records: Iterable[Any], columns: tuple[str, ...], fmt: str, lang: str) -> None:
    """Print analysis records (dataclasses with a ``row(lang)`` method) as a table, CSV or
    JSON (all their fields)."""
    import csv
    import dataclasses

    records = list(records)
    if fmt == "json":
        click.echo(
            json.dumps([dataclasses.asdict(r) for r in records], ensure_ascii=False, indent=2)
        )
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(r.row(lang) for r in records)
    else:
        print_table(columns, (r.row(lang) for r in records))
        note(f"({len(records)} rows)")
