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

import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from tqdm import tqdm

from incident_kg import __version__
from incident_kg.errors import IncidentKGError
from incident_kg.ontology.namespaces import DEFAULT_BASE

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_STORE = "incident-kg-store"
STORE_HELP = (
    "Store directory (an embedded Oxigraph store). "
    f"Default: $INCIDENT_KG_STORE, else ./{DEFAULT_STORE}."
)


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn the project's own exceptions into one line and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except IncidentKGError as exc:
            _fail(str(exc))

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


def _progress(quiet: bool, label: str) -> Callable[[Iterable[Path]], Iterable[Path]]:
    def wrap(items: Iterable[Path]) -> Iterable[Path]:
        items = list(items)
        # tqdm goes quiet by itself when stderr is not a terminal (disable=None).
        return tqdm(
            items, desc=label, unit="report", disable=True if quiet else None, file=sys.stderr
        )

    return wrap


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incident-kg")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars, only errors.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Build and use a knowledge graph of administrative incidents and their causes.

    Reads Japanese incident reports (text, Markdown, PDF with a text layer),
    extracts incidents with their organisations, causes, harms, countermeasures,
    systems, procedures, actors, dates and counts — each with the sentence it
    came from — and stores them as RDF in an embedded store.

    \b
    Typical use:
      incident-kg build samples/reports          # reports → store
      incident-kg export --format turtle -o kg.ttl
      incident-kg validate                        # SHACL shapes
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"quiet": quiet}


@main.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option(
    "--base",
    default=DEFAULT_BASE,
    show_default=True,
    help="Base IRI for the data this build mints (one per agency).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that extract reports in parallel.  [default: one per CPU]",
)
@click.option(
    "--prune/--no-prune",
    default=True,
    show_default=True,
    help="Remove from the store the reports whose file under a given folder is gone.",
)
@click.pass_context
@handle_errors
def build(
    ctx: click.Context,
    reports: tuple[Path, ...],
    store_dir: Path,
    base: str,
    workers: int | None,
    prune: bool,
) -> None:
    """Extract REPORTS (files or folders) and load them into the store.

    Each report becomes one named graph, written in one transaction: loading a
    report again replaces it, and a build killed midway leaves no half-written
    report. Files that cannot be read are listed at the end; the rest still load.

    Building again re-extracts only new or changed files (by content, with their
    curation sidecars and the pipeline's version). A FOLDER given is taken as the
    whole of what it holds: reports built from a file under it that is now gone
    are removed (--no-prune keeps them); reports from other folders are untouched.
    """
    from incident_kg.graph.build import build_store, default_extractor, default_workers

    extractor = default_extractor()
    result = build_store(
        list(reports),
        store_dir,
        base=base,
        extractor=extractor,
        progress=_progress(ctx.obj["quiet"], "build"),
        workers=workers or default_workers(),
        prune=prune,
    )
    for problem in result.problems:
        click.echo(f"{problem.severity}: {problem}", err=True)
    click.echo(
        f"loaded {len(result.loaded)} report(s)"
        + (f" ({len(result.unchanged)} unchanged)" if result.unchanged else "")
        + (f", removed {len(result.removed)}" if result.removed else "")
        + f", {result.incidents} incident(s), "
        f"{result.written} triples written into {store_dir}"
        + (f"; {len(result.failed)} file(s) failed" if result.failed else "")
    )
    if result.failed:
        sys.exit(1)


@main.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "table"]),
    default="json",
    show_default=True,
    help="json: the contract of spec/gold-format.md; table: for people.",
)
@handle_errors
def extract(reports: tuple[Path, ...], fmt: str) -> None:
    """Extract incidents from REPORTS without a store and print them.

    The JSON has, per report, its incidents with organizations, harms, causes,
    countermeasures, systems, procedures, actors, occurred, discovered and
    affected, and for every value its evidence: the sentence, its offsets in the
    normalised text, the lexicon rule that fired and a confidence.
    """
    from incident_kg.graph.build import default_extractor, extract_files
    from incident_kg.graph.model import CODED_FIELDS

    reports_found, problems = extract_files(list(reports), default_extractor())
    out = [report.to_json() for report in reports_found]
    failed = [str(p) for p in problems]
    for line in failed:
        click.echo(f"error: {line}", err=True)
    if fmt == "json":
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for report in out:
            click.echo(f"{report['report']}: {len(report['incidents'])} incident(s)")
            for inc in report["incidents"]:
                click.echo(f"  {inc['key']}: {inc['title']}")
                for name in ("organizations", *CODED_FIELDS):
                    click.echo(f"    {name:<16}{', '.join(inc[name])}")
                for name in ("occurred", "discovered", "affected"):
                    click.echo(f"    {name:<16}{inc[name] if inc[name] is not None else '-'}")
    if failed:
        sys.exit(1)


@main.command()
@click.option(
    "--gold",
    "gold_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of gold YAML files (spec/gold-format.md).",
)
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--details/--no-details",
    default=True,
    show_default=True,
    help="List every miss and extra by report and incident.",
)
@handle_errors
def evaluate(gold_dir: Path, reports: tuple[Path, ...], fmt: str, details: bool) -> None:
    """Score extraction of REPORTS against gold annotations.

    Prints micro precision, recall and F1 per coded field, organisation recall,
    accuracy of dates and affected counts, and how many reports got their
    incident count right — scored exactly as spec/gold-format.md says.
    """
    from incident_kg.graph.build import default_extractor, extract_files
    from incident_kg.graph.evaluate import format_details, format_table, load_gold, score

    gold = load_gold(gold_dir)
    reports_found, problems = extract_files(list(reports), default_extractor())
    predicted = [report.to_json() for report in reports_found]
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    evaluation = score(predicted, gold)
    if fmt == "json":
        click.echo(json.dumps(evaluation.to_json(), ensure_ascii=False, indent=2))
    else:
        if details:
            click.echo(format_details(evaluation))
        click.echo(format_table(evaluation))


@main.command("check-lexicon")
@click.argument("paraphrases", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--show-misses/--no-show-misses",
    default=False,
    show_default=True,
    help="List the sentences each code missed.",
)
@handle_errors
def check_lexicon(paraphrases: Path, show_misses: bool) -> None:
    """Test the lexicon on a paraphrase corpus: sentences that say each code, and near misses.

    PARAPHRASES is a YAML file (see tests/data/paraphrases.yaml): per field and code, a
    section role, sentences that say the code and sentences that must not get it. Prints,
    per code, how many it catches and any near miss it wrongly codes; exit 1 on a wrong code.
    """
    import yaml

    from incident_kg.graph.build import default_extractor
    from incident_kg.graph.coding import check_paraphrases

    try:
        data = yaml.safe_load(paraphrases.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IncidentKGError(f"{paraphrases}: cannot read: {str(exc).splitlines()[0]}") from exc
    extractor = default_extractor()
    results = check_paraphrases(extractor.lexicon, extractor.analyzer, data)
    found = sum(r.found for r in results)
    said = sum(r.said for r in results)
    click.echo(f"{'field':<16}{'code':<28}{'caught':>8}  wrong")
    for r in results:
        click.echo(f"{r.field:<16}{r.code:<28}{f'{r.found}/{r.said}':>8}  {len(r.wrongly)}")
        for sentence in r.wrongly:
            click.echo(f"    wrongly coded: {sentence}")
        if show_misses:
            for sentence in r.missed:
                click.echo(f"    missed: {sentence}")
    wrong = sum(len(r.wrongly) for r in results)
    share = f"{found / said:.0%}" if said else "-"
    click.echo(f"caught {found}/{said} ({share}); {wrong} near miss(es) wrongly coded")
    if wrong:
        sys.exit(1)


def _cell_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _print_table(columns: tuple[str, ...], rows: Iterable[tuple[str | None, ...]]) -> None:
    """A plain text table for people; wide (Japanese) characters count double."""
    cells = [[("" if v is None else v.replace("\n", " ")) for v in row] for row in rows]
    widths = [
        min(60, max([_cell_width(c)] + [_cell_width(r[i]) for r in cells]))
        for i, c in enumerate(columns)
    ]

    def fit(text: str, width: int) -> str:
        out = ""
        for ch in text:
            if _cell_width(out + ch) > width:
                return out[:-1] + "…" if out else "…"
            out += ch
        return out + " " * (width - _cell_width(out))

    click.echo("  ".join(fit(c, w) for c, w in zip(columns, widths, strict=True)))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(fit(v, w) for v, w in zip(row, widths, strict=True)))


@main.command()
@click.argument("name", required=False)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="Bind a parameter of the query (repeatable); values are bound as RDF terms.",
)
@click.option(
    "--file",
    "query_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Run your own .rq file instead of a named query.",
)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Run against a remote SPARQL endpoint instead of the local store.",
)
@store_option
@handle_errors
def query(
    name: str | None,
    params: tuple[str, ...],
    query_file: Path | None,
    list_queries: bool,
    fmt: str,
    endpoint: str | None,
    store_dir: Path,
) -> None:
    """Answer one of the named questions of queries/*.rq (or your own --file).

    \b
    Examples:
      incident-kg query --list
      incident-kg query shared-root-causes
      incident-kg query incidents-for-cause --param cause=MissingHandover --format csv
      incident-kg query --file my.rq
    """
    import csv

    from incident_kg.graph.store import GraphStore
    from incident_kg.queries.library import (
        QueryError,
        bindings,
        known_codes,
        load_library,
        parse_query_file,
        run_local,
        run_remote,
    )

    library = load_library()
    if list_queries:
        rows = [(q.name, q.title, " ".join(p.name for p in q.parameters)) for q in library.values()]
        if fmt == "json":
            click.echo(
                json.dumps(
                    [dict(zip(("name", "title", "parameters"), r, strict=True)) for r in rows],
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            _print_table(("name", "title", "parameters"), rows)
        return
    if query_file is not None:
        named = parse_query_file(query_file)
    elif name is None:
        raise QueryError("give a query NAME, --file FILE or --list")
    elif name not in library:
        raise QueryError(f"no query named {name!r}; `incident-kg query --list` shows them")
    else:
        named = library[name]
    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise QueryError(f"--param {item}: expected KEY=VALUE")
        values[key.strip()] = value
    terms = bindings(named, values, known_codes())
    if endpoint is not None:
        table = run_remote(endpoint, named, terms)
    else:
        with GraphStore.open(store_dir, read_only=True) as store:
            table = run_local(store, named, terms)
    if fmt == "json":
        click.echo(
            json.dumps(
                [dict(zip(table.columns, r, strict=True)) for r in table.rows],
                ensure_ascii=False,
                indent=2,
            )
        )
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    else:
        _print_table(table.columns, table.rows)
        click.echo(f"({len(table.rows)} rows)", err=True)


@main.command()
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
    default="turtle",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--ontology/--no-ontology",
    "include_ontology",
    default=True,
    show_default=True,
    help="Include the ontology and the concept schemes.",
)
@handle_errors
def export(store_dir: Path, fmt: str, output: Path | None, include_ontology: bool) -> None:
    """Write the store as RDF, sorted: the same store gives a byte-identical file."""
    from incident_kg.export import ExportOptions, export_bytes
    from incident_kg.graph.store import GraphStore

    with GraphStore.open(store_dir) as store:
        data = export_bytes(store, fmt, ExportOptions(include_ontology=include_ontology))
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@store_option
@click.option(
    "--lang",
    type=click.Choice(["en", "ja"]),
    default="en",
    show_default=True,
    help="Language of the messages.",
)
@click.option("--limit", default=50, show_default=True, help="Show at most this many violations.")
@handle_errors
def validate(file: Path | None, store_dir: Path, lang: str, limit: int) -> None:
    """Check the store (or an RDF FILE) against the SHACL shapes.

    Exit code 0 when the data conforms, 1 when it does not, 2 when it cannot be read.
    """
    from rdflib import Graph

    from incident_kg.graph.store import GraphStore
    from incident_kg.ontology.validate import validate_graph

    data = Graph()
    if file is not None:
        try:
            data.parse(str(file))
        except Exception as exc:  # rdflib raises many parser-specific types
            raise IncidentKGError(
                f"{file}: cannot parse as RDF: {str(exc).splitlines()[0]}"
            ) from exc
    else:
        with GraphStore.open(store_dir) as store:
            data.parse(
                data=store.graph_ntriples(store.report_graphs()).decode("utf-8"), format="nt"
            )
    results = validate_graph(data, lang=lang)
    violations = [v for v in results if v.severity == "Violation"]
    warnings = [v for v in results if v.severity != "Violation"]
    for result in (violations + warnings)[:limit]:
        click.echo(str(result))
    if len(results) > limit:
        click.echo(f"… and {len(results) - limit} more")
    source = file or store_dir
    summary = f"{len(violations)} violation(s), {len(warnings)} warning(s)"
    if violations:
        click.echo(f"{source}: does not conform: {summary}", err=True)
        sys.exit(1)
    click.echo(f"{source}: conforms ({len(data)} triples checked; {len(warnings)} warning(s))")


@main.command()
@store_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; one that is not loopback needs --allow-remote.",
)
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--timeout",
    default=30,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="Stop a query that runs longer than this.",
)
@click.option(
    "--max-results",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    metavar="N",
    help="Refuse an answer with more rows (SELECT) or triples (CONSTRUCT) than this.",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a --host other machines can reach (no authentication: they read everything).",
)
@handle_errors
def serve(
    store_dir: Path, host: str, port: int, timeout: int, max_results: int, allow_remote: bool
) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint until Ctrl-C.

    Queries go to http://HOST:PORT/query (GET or POST); answers come as SPARQL
    JSON, XML, CSV or TSV, and CONSTRUCT/DESCRIBE as Turtle (or N-Triples,
    RDF/XML, JSON-LD), as the Accept header asks. The default graph is the union
    of the store's graphs, so the queries of queries/*.rq run unchanged; the
    page at http://HOST:PORT/ is a query editor that works offline. Updates are
    refused. The server is Oxigraph's (`oxigraph serve-read-only`) behind a small
    proxy that enforces the time and result limits and refuses SERVICE.

    \b
    Examples:
      incident-kg serve
      incident-kg query --endpoint http://127.0.0.1:7878/query incidents
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * {?s ?p ?o} LIMIT 5' \\
           http://127.0.0.1:7878/query
    """
    import signal

    from incident_kg.queries.endpoint import running_server

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        with running_server(
            store_dir,
            port,
            host=host,
            timeout=timeout,
            max_results=max_results,
            allow_remote=allow_remote,
        ) as server:
            click.echo(
                f"SPARQL endpoint (read-only) of {store_dir} at {server.query_url}; "
                f"query page {server.url}/; limits {timeout} s and {max_results} results. "
                "Ctrl-C stops.",
                err=True,
            )
            server.wait()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command()
@click.option(
    "--endpoint",
    metavar="URL",
    help="Base URL of the SPARQL server (for Oxigraph its Graph Store endpoint is URL/store).",
)
@click.option(
    "--graph-store",
    metavar="URL",
    help="The Graph Store Protocol endpoint itself, for servers that keep it elsewhere.",
)
@click.option(
    "--inferred/--no-inferred",
    default=True,
    show_default=True,
    help="Also send the inferred graphs (the named queries need them).",
)
@store_option
@click.pass_context
@handle_errors
def push(
    ctx: click.Context,
    endpoint: str | None,
    graph_store: str | None,
    inferred: bool,
    store_dir: Path,
) -> None:
    """Copy the store's graphs to a SPARQL 1.1 Graph Store Protocol endpoint.

    Each report graph, the ontology graph and the inferred graphs are sent with
    HTTP PUT ?graph=IRI as N-Triples, replacing what the server had under that
    name: pushing again gives the same remote state. The store's own record
    keeping (its metadata graph) is not sent.

    \b
    Examples:
      incident-kg push --endpoint http://kg.example.lg.jp:7878
      incident-kg push --graph-store http://triplestore.example/dataset/data
    """
    from incident_kg.graph.store import GraphStore
    from incident_kg.queries.endpoint import graph_store_url, push_graphs

    if graph_store is None:
        if endpoint is None:
            raise IncidentKGError("give --endpoint URL (or --graph-store URL)")
        graph_store = graph_store_url(endpoint)
    quiet = ctx.obj["quiet"]

    def progress(names: Iterable[str]) -> Iterable[str]:
        names = list(names)
        return tqdm(
            names, desc="push", unit="graph", disable=True if quiet else None, file=sys.stderr
        )

    with GraphStore.open(store_dir, read_only=True) as store:
        result = push_graphs(store, graph_store, inferred=inferred, progress=progress)
    click.echo(
        f"pushed {len(result.graphs)} graph(s), {result.triples} triples to {result.endpoint}"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
