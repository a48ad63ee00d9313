"""The ``incident-kg`` command line: parse options, call one library function, report.

Expected failures (bad input, missing store, unknown code) raise
:class:`~incident_kg.errors.IncidentKGError`; they become one ``Error: …`` line
on stderr and exit code 2.  A report that could not be loaded in a batch is
listed and makes the exit code 1, after the rest of the batch has loaded.
Anything else is a bug and shows its traceback.

Exit codes: 0 success · 1 the work ran but found problems (a file failed,
data does not conform) · 2 bad usage or input that stopped the command.
"""

from __future__ import annotations

import logging

import click

from incident_kg import __version__

#: The options of the whole program that may also be given after the command's name.
_ANYWHERE = frozenset({"-q", "--quiet", "-v", "-vv", "-vvv", "--verbose", "--wide"})


class _Main(click.Group):
    """The program's group: ``-q``/``-v``/``--wide`` are accepted anywhere on the line
    (``incident-kg build -q …`` as well as ``incident-kg -q build …``), up to a ``--``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        lifted = [a for a in args[:end] if a in _ANYWHERE]
        rest = [a for a in args[:end] if a not in _ANYWHERE] + args[end:]
        return super().parse_args(ctx, lifted + rest)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incident-kg")
@click.option(
    "-v", "--verbose", count=True, help="More log output (-vv for debug); anywhere on the line."
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress bars and no notes (row counts…): results and errors only; anywhere on "
    "the line.",
)
@click.option(
    "--wide",
    is_flag=True,
    help="Tables never cut a cell (long sentences too); anywhere on the line.",
)
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool, wide: bool) -> None:
    """Build and use a knowledge graph of administrative incidents and their causes.

    Reads Japanese incident reports (text, Markdown, PDF with a text layer),
    extracts incidents with their organisations, causes, harms, countermeasures,
    systems, procedures, actors, dates and counts — each with the sentence it
    came from — and stores them as RDF in an embedded store.

    \b
    Typical use:
      incident-kg build samples/reports          # reports → store
      incident-kg export --rdf-format turtle -o kg.ttl
      incident-kg validate                        # SHACL shapes
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"quiet": quiet, "wide": wide}


from .analyze import analyze, view  # noqa: E402  (the commands, each in its family's module)
from .build import build, check_lexicon, evaluate, extract, reason  # noqa: E402
from .query import push, query, serve  # noqa: E402
from .review import lexicon, review  # noqa: E402
from .share import export, import_, imports, validate  # noqa: E402
from .store import info, reports  # noqa: E402

for _command in (
    build,
    extract,
    evaluate,
    check_lexicon,
    reason,
    query,
    serve,
    push,
    export,
    import_,
    imports,
    validate,
    analyze,
    view,
    info,
    reports,
    review,
    lexicon,
):
    main.add_command(_command)
