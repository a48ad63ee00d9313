"""Questions and SPARQL over HTTP: ``query``, ``serve``, ``push``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import click.shell_completion

from incident_kg.errors import IncidentKGError

from .common import (
    format_option,
    handle_errors,
    lang_option,
    note,
    print_table,
    progress,
    store_option,
    top_option,
)


def _complete_name(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Shell completion of NAME: the named queries that start with what was typed."""
    from incident_kg.queries.library import load_library

    return [
        click.shell_completion.CompletionItem(name, help=query.title)
        for name, query in sorted(load_library().items())
        if name.startswith(incomplete)
    ]


@click.command()
@click.argument("name", required=False, shell_complete=_complete_name)
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
    "--describe",
    is_flag=True,
    help="Say what the query NAME asks, its parameters and columns, and exit.",
)
@format_option
@click.option(
    "--endpoint",
    metavar="URL",
    help="Run against a remote SPARQL endpoint instead of the local store.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    help="Show one page: at most N of what the query lists (a listing pages its incidents).",
)
@click.option(
    "--offset", default=0, show_default=True, type=click.IntRange(min=0), help="Skip the first K."
)
@top_option
@store_option
@lang_option
@handle_errors
def query(
    name: str | None,
    params: tuple[str, ...],
    query_file: Path | None,
    list_queries: bool,
    describe: bool,
    fmt: str,
    endpoint: str | None,
    limit: int | None,
    offset: int,
    top: int | None,
    store_dir: Path,
    lang: str,
) -> None:
    """Answer one of the named questions of queries/*.rq (or your own --file).

    A query that names codes by label gives them in --lang (its ?lang, where it has
    one: queries/README.md).

    \b
    Examples:
      incident-kg query --list
      incident-kg query incidents-for-cause --describe
      incident-kg query shared-root-causes
      incident-kg query incidents-for-cause --param cause=MissingHandover --format csv
      incident-kg query incidents --limit 50 --offset 100
      incident-kg query --file my.rq
    """
    import csv
    import dataclasses

    from incident_kg.graph.store import GraphStore
    from incident_kg.ontology.namespaces import DEFAULT_BASE
    from incident_kg.queries.library import (
        QueryError,
        bindings,
        in_language,
        known_codes,
        load_library,
        load_query_file,
        paged,
        run_local,
        run_remote,
    )

    library = load_library()
    if list_queries:
        rows = [(q.name, q.title, " ".join(p.name for p in q.parameters)) for q in library.values()]
        header = ("name", "title", "parameters")
        if fmt == "json":
            click.echo(
                json.dumps(
                    [dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False, indent=2
                )
            )
        elif fmt == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        else:
            print_table(header, rows)
        return
    if query_file is not None:
        named = load_query_file(query_file)
    elif name is None:
        raise QueryError("give a query NAME, --file FILE or --list")
    elif name not in library:
        raise QueryError(f"no query named {name!r}; `incident-kg query --list` shows them")
    else:
        named = library[name]
    if describe:
        _describe(named.describe(), fmt)
        return
    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise QueryError(f"--param {item}: expected KEY=VALUE")
        values[key.strip()] = value
    if top is not None and limit is None and not offset:  # the first N rows: a first page
        limit = top
    if limit is not None or offset:
        named = dataclasses.replace(named, text=paged(named.text, limit, offset))
    named = dataclasses.replace(named, text=in_language(named.text, lang))
    if endpoint is not None:
        table = run_remote(endpoint, named, bindings(named, values, known_codes()))
    else:
        with GraphStore.open(store_dir, read_only=True) as store:
            terms = bindings(named, values, known_codes(), store.base_iri() or DEFAULT_BASE)
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
        print_table(table.columns, table.rows)
        note(f"({len(table.rows)} rows)")


def _describe(described: dict[str, object], fmt: str) -> None:
    """A named query's description: JSON for programs, lines for people."""
    if fmt == "json":
        click.echo(json.dumps(described, ensure_ascii=False, indent=2))
        return
    params = described["parameters"]
    assert isinstance(params, list)
    click.echo(f"{described['name']}: {described['title']}")
    click.echo(f"  question (en): {described['question_en']}")
    click.echo(f"  question (ja): {described['question_ja']}")
    for p in params:
        click.echo(f"  --param {p['name']}=…  ({p['type']}) {p['description']}")
    if not params:
        click.echo("  no parameters")
    columns = described["columns"]
    assert isinstance(columns, list)
    click.echo(f"  columns: {', '.join(columns)}")
    key = described["key"]
    assert isinstance(key, list)
    click.echo(f"  one row per: {', '.join(key)}")
    click.echo(f"  example: {described['example']}")


@click.command()
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
    page at http://HOST:PORT/ is a query editor that works offline. The server is
    Oxigraph's (`oxigraph serve-read-only`) on a copy of the store without its record
    keeping, taken again after each build, behind a small proxy that parses every
    query first (updates, SERVICE and over-deep nesting refused, 4xx), enforces the
    time and result limits, and restarts the server if it dies.

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
    # Ctrl-C stops the server even when started from a shell that ignores SIGINT (cmd &)
    signal.signal(signal.SIGINT, _stop)
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


@click.command()
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
    "--tlp",
    type=click.Choice(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"], case_sensitive=False),
    help="TLP 2.0 marking every graph sent carries (required: the data leaves the store).",
)
@click.option(
    "--redact/--no-redact",
    default=True,
    show_default=True,
    help="Redact personal data as a sharing export does (texts, and IRIs made from file "
    "names); --no-redact only for a server inside the office.",
)
@click.option(
    "--inferred/--no-inferred",
    default=True,
    show_default=True,
    help="Also send the inferred graphs (the named queries need them).",
)
@store_option
@handle_errors
def push(
    endpoint: str | None,
    graph_store: str | None,
    tlp: str | None,
    redact: bool,
    inferred: bool,
    store_dir: Path,
) -> None:
    """Copy the store's graphs to a SPARQL 1.1 Graph Store Protocol endpoint.

    Each report graph, the shared graph, the ontology graph and the inferred graphs are
    sent with HTTP PUT ?graph=IRI as N-Triples, replacing what the server had under that
    name: pushing again gives the same remote state. The data leaves the store, so it is
    treated as a sharing export: every graph carries the --tlp marking (never looser than
    the data was received under), and personal data is redacted — in texts, and in IRIs
    (no IRI made from a file name is sent). The store's own record keeping (its metadata
    graph) is never sent.

    \b
    Examples:
      incident-kg push --endpoint http://kg.example.lg.jp:7878 --tlp AMBER
      incident-kg push --graph-store http://triplestore.example/dataset/data --tlp GREEN
    """
    import logging

    from incident_kg.export.marking import MarkingError, Tlp
    from incident_kg.export.push import graph_store_url, push_graphs
    from incident_kg.graph.store import GraphStore

    if graph_store is None:
        if endpoint is None:
            raise IncidentKGError("give --endpoint URL (or --graph-store URL)")
        graph_store = graph_store_url(endpoint)
    if tlp is None:
        raise MarkingError("a push needs a marking for what it sends: give --tlp")
    marking = Tlp.parse(tlp)
    if not redact and marking in (Tlp.CLEAR, Tlp.GREEN):
        logging.getLogger(__name__).warning(
            "pushing without redaction under %s: personal data may leave the organisation",
            marking.label,
        )
    with GraphStore.open(store_dir, read_only=True) as store:
        result = push_graphs(
            store,
            graph_store,
            marking=marking,
            redact=redact,
            inferred=inferred,
            progress=progress("push", "graph"),
        )
    redacted = sum(result.redactions.values())
    click.echo(
        f"pushed {len(result.graphs)} graph(s), {result.triples} triples to {result.endpoint} "
        f"under {marking.label}"
        + (f", {redacted} span(s) redacted" if redact else ", not redacted")
    )
