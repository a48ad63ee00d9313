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
T = TypeVar("T")

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


def _progress(quiet: bool, label: str) -> Callable[[Iterable[T]], Iterable[T]]:
    def wrap(items: Iterable[T]) -> Iterable[T]:
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
    from incident_kg.extraction.model import CODED_FIELDS
    from incident_kg.graph.build import default_extractor, extract_files

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
    from incident_kg.extraction.evaluate import format_details, format_table, score
    from incident_kg.extraction.gold import load_gold
    from incident_kg.graph.build import default_extractor, extract_files

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

    from incident_kg.extraction.coding import check_paraphrases
    from incident_kg.graph.build import default_extractor

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


TLP_CHOICE = click.Choice(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"], case_sensitive=False)


def _issued() -> str:
    """Now, for an export's description; $SOURCE_DATE_EPOCH fixes it (reproducible builds)."""
    import datetime as dt

    from incident_kg.graph.build import utc_now

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        return moment.isoformat().replace("+00:00", "Z")
    return utc_now()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (a temporary file beside it, then renamed)."""
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    os.replace(part, path)


@main.command()
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
    default="turtle",
    show_default=True,
    help="turtle, ntriples and jsonld write the union of the graphs; trig and nquads keep them.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file (and its description beside it) instead of standard output.",
)
@click.option(
    "--profile",
    type=click.Choice(["internal", "sharing"]),
    default="internal",
    show_default=True,
    help="sharing: redact personal data, and --tlp and --publisher are required.",
)
@click.option(
    "--tlp",
    type=TLP_CHOICE,
    help="TLP 2.0 marking of the export. Default (internal): AMBER+STRICT, or the "
    "strictest marking the exported data was received under; a looser one is refused.",
)
@click.option(
    "--redact/--no-redact",
    default=None,
    help="Replace personal data in texts by typed placeholders. Default: on for the "
    "sharing profile, off for internal.",
)
@click.option(
    "--ontology/--no-ontology",
    "include_ontology",
    default=True,
    show_default=True,
    help="Include the ontology and the concept schemes.",
)
@click.option(
    "--inferred/--no-inferred",
    "include_inferred",
    default=False,
    show_default=True,
    help="Include the inferred triples (graph/reason.py).",
)
@click.option(
    "--organization",
    "organizations",
    multiple=True,
    metavar="NAME|IRI",
    help="Only incidents within this body or a body under it (repeatable).",
)
@click.option("--since", metavar="DATE", help="Only incidents on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Only incidents on or before DATE (YYYY[-MM[-DD]]).")
@click.option(
    "--cause",
    "causes",
    multiple=True,
    metavar="CODE",
    help="Only incidents with this cause or a cause in this tier (repeatable).",
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="ID|FILE",
    help="Only the incidents of this report (repeatable).",
)
@click.option(
    "--publisher",
    default=lambda: os.environ.get("INCIDENT_KG_PUBLISHER"),
    metavar="NAME|IRI",
    help="Who publishes the export, for its description. Default: $INCIDENT_KG_PUBLISHER.",
)
@click.option(
    "--license",
    "license_iri",
    metavar="IRI",
    help="Licence of the export. Default: CC BY 4.0 for TLP:CLEAR, else the TLP terms.",
)
@click.option(
    "--description",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the DCAT/VoID description. Default: OUTPUT's name with "
    ".description.ttl (none when writing to standard output).",
)
@handle_errors
def export(
    store_dir: Path,
    fmt: str,
    output: Path | None,
    profile: str,
    tlp: str | None,
    redact: bool | None,
    include_ontology: bool,
    include_inferred: bool,
    organizations: tuple[str, ...],
    since: str | None,
    until: str | None,
    causes: tuple[str, ...],
    reports: tuple[str, ...],
    publisher: str | None,
    license_iri: str | None,
    description: Path | None,
) -> None:
    """Write the store as RDF, sorted: the same store gives a byte-identical file.

    Every export carries a TLP 2.0 marking (in the file: the exported dataset's
    ikg:sharingMarking; in TriG and N-Quads every graph's too) and gets a DCAT/VoID
    description beside it: publisher, licence, date, counts, the ontology version,
    the marking and how many spans of each kind were redacted (never which).

    \b
    Examples:
      incident-kg export --format turtle -o kg.ttl
      incident-kg export --profile sharing --tlp AMBER --publisher 堺市 -o share.ttl
      incident-kg export --organization 堺市 --since 2023-01 --until 2023-06 -o sakai.trig --format trig
      incident-kg export --cause tier-organisation --no-ontology -o roots.ttl
    """

    from incident_kg.export.describe import Publication, describe
    from incident_kg.export.filters import Selection
    from incident_kg.export.marking import MarkingError, Tlp
    from incident_kg.export.serialize import ExportOptions, export_dataset
    from incident_kg.graph.store import GraphStore

    marking = Tlp.parse(tlp) if tlp else None
    if profile == "sharing":
        if marking is None:
            raise MarkingError("the sharing profile needs a marking: give --tlp")
        if not publisher:
            raise IncidentKGError(
                "the sharing profile needs --publisher (or $INCIDENT_KG_PUBLISHER)"
            )
    options = ExportOptions(
        include_ontology=include_ontology,
        include_inferred=include_inferred,
        selection=Selection(
            organizations=organizations, since=since, until=until, causes=causes, reports=reports
        ),
        redact=(profile == "sharing") if redact is None else redact,
        marking=marking,
    )
    if not options.redact and options.marking in (Tlp.CLEAR, Tlp.GREEN):
        logging.getLogger(__name__).warning(
            "exporting without redaction under %s: personal data may leave the organisation",
            options.marking.label,
        )
    if output is not None and description is None:
        description = output.with_name(output.name.rsplit(".", 1)[0] + ".description.ttl")
    with GraphStore.open(store_dir, read_only=True) as store:
        if output is None:
            result = export_dataset(store, fmt, options, out=sys.stdout.buffer)
        else:  # written beside, then renamed: whole or not at all
            part = output.with_name(output.name + ".part")
            try:
                with part.open("wb") as out:
                    result = export_dataset(store, fmt, options, out=out)
                os.replace(part, output)
            finally:
                part.unlink(missing_ok=True)
    if description is not None:
        publication = Publication(
            issued=_issued(),
            publisher=publisher,
            license=license_iri,
            file_name=output.name if output is not None else None,
            byte_size=result.byte_size,
            sha256=result.sha256,
        )
        _write_atomically(description, describe(result, publication))
    redacted = sum(result.redactions.values())
    click.echo(
        f"wrote {result.byte_size} bytes, {result.triples} triples, {result.marking.label}"
        + (f", {redacted} span(s) redacted" if result.redacted else ", not redacted")
        + (f" to {output}" if output else "")
        + (f"; description {description}" if description else ""),
        err=True,
    )


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
@click.option("--limit", default=50, show_default=True, help="Show at most this many problems.")
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per problem, for people; json: for programs.",
)
@click.option(
    "--rdf-format",
    "rdf_format",
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
    help="Format of FILE when its name does not tell.",
)
@handle_errors
def validate(
    file: Path | None,
    store_dir: Path,
    lang: str,
    limit: int,
    out_format: str,
    rdf_format: str | None,
) -> None:
    """Check the store (or an RDF FILE) against the SHACL shapes, in plain language.

    Each problem names its focus node (and its label), the property and what is
    wrong, in English or Japanese (--lang ja). A FILE gets the checks an import
    makes before anything else: the size limit, strict parsing, and no triple that
    redefines the project's ontology.

    Exit code 0 when the data conforms, 1 when it does not, 2 when it cannot be read.
    """
    from rdflib import Graph

    from incident_kg.graph.store import GraphStore
    from incident_kg.ontology.validate import summary, validate_graph

    problems: list[str] = []
    data = Graph()
    if file is not None:
        from incident_kg.export.importer import check_file

        _received, sorted_file, found, results = check_file(
            file, agency="validate", fmt=rdf_format, lang=lang
        )
        problems = [p.text(lang) for p in found if p.kind != "shape"]
        triples = sum(len(lines) for lines in sorted_file.graphs.values())
    else:
        with GraphStore.open(store_dir, read_only=True) as store:
            data.parse(
                data=store.graph_ntriples(store.asserted_graphs()).decode("utf-8"), format="nt"
            )
        results = validate_graph(data, lang=lang)
        triples = len(data)
    violations = [v for v in results if v.severity == "Violation"]
    warnings = [v for v in results if v.severity != "Violation"]
    ordered = violations + warnings
    if out_format == "json":
        click.echo(
            json.dumps(
                {
                    "conforms": not violations and not problems,
                    "problems": problems,
                    "results": [v.to_json() for v in ordered],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        lines = problems + [v.describe(lang) for v in ordered]
        for line in lines[:limit]:
            click.echo(line)
        if len(lines) > limit:
            click.echo(summary("more", lang, count=len(lines) - limit))
    source = file or store_dir
    if violations or problems:
        click.echo(
            summary(
                "fails",
                lang,
                source=source,
                violations=len(violations) + len(problems),
                warnings=len(warnings),
            ),
            err=True,
        )
        sys.exit(1)
    click.echo(
        summary("conforms", lang, source=source, triples=triples, warnings=len(warnings)),
        err=out_format == "json",
    )


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--from",
    "agency",
    required=True,
    metavar="AGENCY",
    help="The agency that sent the file: a name (堺市, city-x) or an IRI.",
)
@store_option
@click.option(
    "--tlp",
    type=TLP_CHOICE,
    help="The TLP 2.0 marking the file was sent under, when it carries none; may only "
    "make a marked file stricter.",
)
@click.option(
    "--format",
    "rdf_format",
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
    help="Format of FILE when its name does not tell (.ttl .nt .nq .trig .jsonld).",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    metavar="BYTES",
    help="Refuse a larger file before reading it. Default: 16 MiB (16777216).",
)
@click.option(
    "--max-triples",
    type=click.IntRange(min=1),
    metavar="N",
    help="Refuse a file with more triples while parsing it. Default: 250,000.",
)
@click.option("--limit", default=20, show_default=True, help="List at most this many problems.")
@click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True)
@handle_errors
def import_(
    file: Path,
    agency: str,
    store_dir: Path,
    tlp: str | None,
    rdf_format: str | None,
    max_size: int | None,
    max_triples: int | None,
    limit: int,
    lang: str,
) -> None:
    """Import an RDF FILE received from another agency into the store.

    Nothing is written unless every check passes, and then everything is written in
    one transaction: the size limit (checked before reading), strict parsing,
    no triple that redefines or extends the project's ontology, no write into the
    store's record keeping or into a graph that holds this store's own data or
    another agency's import, the SHACL shapes, and a TLP 2.0 marking (the file's,
    or --tlp). A refused file is listed with its problems (exit 1) and the store is
    left exactly as it was.

    Graphs keep their names (a file without named graphs becomes one graph per
    agency and file name); each is recorded with the agency, the file, the time
    and the marking (`incident-kg imports` lists them and removes them again).

    \b
    Examples:
      incident-kg import sakai-2023.ttl --from 堺市
      incident-kg import pref.trig --from https://www.pref.example.lg.jp/ --tlp AMBER
    """
    from incident_kg.export.importer import (
        DEFAULT_MAX_BYTES,
        DEFAULT_MAX_TRIPLES,
        ImportRefused,
        import_file,
    )
    from incident_kg.export.marking import Tlp

    try:
        result = import_file(
            file,
            store_dir,
            agency=agency,
            marking=Tlp.parse(tlp) if tlp else None,
            fmt=rdf_format,
            max_bytes=max_size or DEFAULT_MAX_BYTES,
            max_triples=max_triples or DEFAULT_MAX_TRIPLES,
            lang=lang,
        )
    except ImportRefused as refused:
        for problem in refused.problems[:limit]:
            click.echo(problem.text(lang), err=True)
        if len(refused.problems) > limit:
            click.echo(f"… and {len(refused.problems) - limit} more", err=True)
        click.echo(
            f"Error: {file}: refused ({len(refused.problems)} problem(s)); "
            f"the store {store_dir} is unchanged",
            err=True,
        )
        sys.exit(1)
    record = result.record
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(result.skipped.items()))
    click.echo(
        f"imported {file.name} from {record.agency} as {record.id}: "
        f"{len(record.graphs)} graph(s), {record.triples} triples under {record.marking.label}"
        + (f"; not taken (the store has its own): {skipped} triples" if skipped else "")
        + (f"; {len(result.warnings)} shape warning(s)" if result.warnings else "")
    )


@main.command()
@store_option
@click.option(
    "--remove",
    "remove_id",
    metavar="ID",
    help="Remove this import: its graphs, their inferred graphs and its record.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@handle_errors
def imports(store_dir: Path, remove_id: str | None, fmt: str) -> None:
    """List the files imported from other agencies, or remove one (--remove ID).

    Each import shows its ID, the agency, the file, when, its TLP marking and the
    graphs and triples it holds now (a later import of the same graphs by the same
    agency takes them over). Removing an import drops its graphs in one transaction.
    """
    from incident_kg.export.importer import remove_import
    from incident_kg.export.records import read_records
    from incident_kg.graph.store import GraphStore

    if remove_id is not None:
        with GraphStore.open(store_dir) as store:
            record = remove_import(store, remove_id)
        click.echo(
            f"removed import {record.id} ({record.file_name} from {record.agency}): "
            f"{len(record.graphs)} graph(s), {record.triples} triples"
        )
        return
    with GraphStore.open(store_dir, read_only=True) as store:
        records = read_records(store)
    if fmt == "json":
        click.echo(json.dumps([r.to_json() for r in records], ensure_ascii=False, indent=2))
        return
    _print_table(
        ("id", "agency", "file", "imported", "marking", "graphs", "triples"),
        [
            (
                r.id,
                r.agency,
                r.file_name,
                r.imported,
                r.marking.label,
                str(len(r.graphs)),
                str(r.triples),
            )
            for r in records
        ],
    )


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
    from incident_kg.export.push import graph_store_url, push_graphs
    from incident_kg.graph.store import GraphStore

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


@main.command()
@click.option(
    "--drop",
    is_flag=True,
    help="Only remove the inferred graphs (queries then see asserted triples only).",
)
@store_option
@click.pass_context
@handle_errors
def reason(ctx: click.Context, drop: bool, store_dir: Path) -> None:
    """Recompute (or drop) the inferred graphs of the store.

    `build` already reasons each report as it loads it; this command redoes it
    for the whole store from the stored report graphs: after an ontology
    change, or to restore the inferred graphs after `--drop`. What OWL RL adds
    lives only in the graphs under .../graph/inferred/, never in a report's
    own graph, so dropping them loses nothing that was read from a report.

    \b
    Examples:
      incident-kg reason            # recompute every inferred graph
      incident-kg reason --drop     # remove them all
    """
    from incident_kg.graph.build import load_ontology
    from incident_kg.graph.reason import drop_inferred, reason_store
    from incident_kg.graph.store import GraphStore

    with GraphStore.open(store_dir) as store:
        if drop:
            names = drop_inferred(store)
            click.echo(f"dropped {len(names)} inferred graph(s) from {store_dir}")
            return
        rules = load_ontology(store)
        reports = store.report_graphs()
        total = reason_store(store, rules, progress=_progress(ctx.obj["quiet"], "reason"))
    click.echo(f"reasoned {len(reports)} report graph(s): {total} inferred triples in {store_dir}")


# -- network analysis and views (analysis/network.py, analysis/algorithms.py, views/pages.py) ------


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


def lang_option(func: F) -> F:
    """``--lang ja|en`` for labels of codes."""
    return click.option(
        "--lang",
        type=click.Choice(["ja", "en"]),
        default="en",
        show_default=True,
        help="Language of the code labels.",
    )(func)


def _network(store_dir: Path) -> Any:
    """The network projection of the store (analysis/network.py)."""
    from incident_kg.analysis.network import load_network
    from incident_kg.graph.store import GraphStore

    with GraphStore.open(store_dir, read_only=True) as store:
        return load_network(store)


def _emit(records: Iterable[Any], columns: tuple[str, ...], fmt: str, lang: str) -> None:
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
        _print_table(columns, (r.row(lang) for r in records))
        click.echo(f"({len(records)} rows)", err=True)


@main.group()
def analyze() -> None:
    """Network analysis of the store: shared causes, co-occurrence, similar incidents,
    countermeasure recommendations, causal chains.

    Every analysis reads the store through one projection into a NetworkX graph
    (analysis/network.py; its SPARQL in queries/network/*.rq). Organisations are counted
    as bodies: a ward office or section counts as the body it belongs to.

    \b
    Examples:
      incident-kg analyze shared-causes
      incident-kg analyze cooccurrence --format json
      incident-kg analyze similar 003_4a1ccabbb4d700a7/incident/2
      incident-kg analyze recommend --incident 003_4a1ccabbb4d700a7/incident/2
      incident-kg analyze recommend --cause SinglePersonCheck
      incident-kg analyze chain 003_4a1ccabbb4d700a7/incident/2
    """


@analyze.command("shared-causes")
@store_option
@format_option
@lang_option
@click.option("--tier", metavar="TIER", help="Only causes of this tier (e.g. supervision).")
@click.option("--top", type=click.IntRange(min=1), help="Show only the first N causes.")
@handle_errors
def analyze_shared_causes(
    store_dir: Path, fmt: str, lang: str, tier: str | None, top: int | None
) -> None:
    """Rank causes, then cause tiers, by how widely they recur across bodies.

    For each cause: incidents, distinct bodies (organisations) and reports, its
    spread — the largest number of its incidents that happened in pairwise different
    bodies, so repetition in one body, or one incident naming many bodies, adds
    nothing — and the score spread + 0.5 × (incidents − spread). Sorted by score,
    then bodies, then reports. The tiers follow, counted the same way over all
    their causes.
    """
    from incident_kg.analysis.algorithms import CauseSpread, rank_causes

    g = _network(store_dir)
    causes = rank_causes(g, tier=tier)[:top]
    tiers = [] if tier else rank_causes(g, level="tier")
    _emit([*causes, *tiers], CauseSpread.COLUMNS, fmt, lang)


@analyze.command("cooccurrence")
@store_option
@format_option
@lang_option
@click.option(
    "--edges", is_flag=True, help="List the weighted edges (cause pairs) instead of the causes."
)
@click.option("--seed", default=0, show_default=True, help="Seed of the Louvain communities.")
@handle_errors
def analyze_cooccurrence(store_dir: Path, fmt: str, lang: str, edges: bool, seed: int) -> None:
    """The network of causes stated in the same incidents.

    Per cause: incidents, degree (causes it appears with), strength (shared incidents
    summed), betweenness (distance 1/weight), PageRank (by weight) and its Louvain
    community (by weight). With --edges: each pair with its weight (incidents in
    common).
    """
    from incident_kg.analysis.algorithms import CauseCentrality, CooccurrenceEdge, cooccurrence

    result = cooccurrence(_network(store_dir), seed=seed)
    if edges:
        _emit(result.edges, CooccurrenceEdge.COLUMNS, fmt, lang)
    else:
        _emit(result.causes, CauseCentrality.COLUMNS, fmt, lang)


@analyze.command("similar")
@click.argument("incident")
@store_option
@format_option
@lang_option
@click.option("--top", default=5, show_default=True, type=click.IntRange(min=1))
@handle_errors
def analyze_similar(incident: str, store_dir: Path, fmt: str, lang: str, top: int) -> None:
    """The incidents most similar to INCIDENT, with the codes they share.

    INCIDENT is an incident IRI or its unique ending (REPORT/incident/N). Similarity
    is a weighted Jaccard index over causes, systems, procedures and harms, a rare
    code weighing more than a common one.
    """
    from incident_kg.analysis.algorithms import Similarity, similar_incidents
    from incident_kg.analysis.network import find_incident

    g = _network(store_dir)
    _emit(similar_incidents(g, find_incident(g, incident), top=top), Similarity.COLUMNS, fmt, lang)


@analyze.command("recommend")
@click.option("--incident", metavar="INCIDENT", help="An incident IRI or REPORT/incident/N.")
@click.option("--cause", metavar="CODE", help="A cause code, or a tier code for all its causes.")
@click.option(
    "--others-only",
    is_flag=True,
    help="Leave out what the incident itself or its own body adopted.",
)
@store_option
@format_option
@lang_option
@handle_errors
def analyze_recommend(
    incident: str | None,
    cause: str | None,
    others_only: bool,
    store_dir: Path,
    fmt: str,
    lang: str,
) -> None:
    """Countermeasures adopted for the same causes, ranked by how many bodies adopted them.

    Give --incident (its causes are used) or --cause. Each countermeasure comes with
    the reports (and bodies) that adopted it; those of the incident itself or its own
    body are marked. The graph does not say which countermeasure answers which cause
    of an incident, so a countermeasure counts for every cause of the incident that
    adopted it.
    """
    from incident_kg.analysis.algorithms import Recommendation, recommend
    from incident_kg.analysis.network import find_incident

    if (incident is None) == (cause is None):
        raise IncidentKGError("give --incident INCIDENT or --cause CODE (one of them)")
    g = _network(store_dir)
    found = recommend(
        g,
        incident=find_incident(g, incident) if incident else None,
        cause=cause,
        others_only=others_only,
    )
    _emit(found, Recommendation.COLUMNS, fmt, lang)


@analyze.command("chain")
@click.argument("incident")
@store_option
@format_option
@lang_option
@handle_errors
def analyze_chain(incident: str, store_dir: Path, fmt: str, lang: str) -> None:
    """The causal chain of INCIDENT: harm, then unsafe act, precondition, supervision
    and organisation, each with the sentences of the report that state it; a tier the
    report gives no cause for is shown as not stated.
    """
    import dataclasses

    from incident_kg.analysis.algorithms import ChainLink, causal_chain
    from incident_kg.analysis.network import find_incident

    g = _network(store_dir)
    chain = causal_chain(g, find_incident(g, incident))
    if fmt == "json":
        click.echo(json.dumps(dataclasses.asdict(chain), ensure_ascii=False, indent=2))
        return
    if fmt == "table":
        click.echo(f"{chain.label} ({chain.report})")
    _emit(chain.links, ChainLink.COLUMNS, fmt, lang)


@main.command()
@store_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="views",
    show_default=True,
    help="Folder to write the pages into (created; pages there are replaced).",
)
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default="ja",
    show_default=True,
    help="Language the labels are first shown in (each page switches).",
)
@click.option(
    "--top",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="Causes drawn in the overview (by score).",
)
@click.option("--tier", metavar="TIER", help="Overview of one cause tier (e.g. supervision).")
@click.option(
    "--organization",
    metavar="NAME",
    help="Overview of one organisation's incidents (name or IRI; its units included).",
)
@click.option(
    "--max-incidents",
    default=150,
    show_default=True,
    type=click.IntRange(min=1),
    help="Above this many incidents the overview folds them into weighted edges.",
)
@click.option(
    "--redact/--no-redact",
    default=True,
    show_default=True,
    help="Replace personal data in labels and evidence sentences by typed placeholders "
    "(the rules of a redacted export). Pages get passed around: keep it on unless they "
    "stay with you.",
)
@click.pass_context
@handle_errors
def view(
    ctx: click.Context,
    store_dir: Path,
    out_dir: Path,
    lang: str,
    top: int,
    tier: str | None,
    organization: str | None,
    max_incidents: int,
    redact: bool,
) -> None:
    """Write interactive HTML views of the store into --out: they work offline.

    index.html (the shared-root-cause table and links to every page), overview.html
    (incidents, causes, bodies and countermeasures; colour by kind, size by spread, a
    legend, labels switchable ja/en), and one page per cause and per incident (its
    network, with the evidence sentences in the tooltips, its timeline, causal chain
    and similar incidents). The pages load only the files in --out/lib: open
    index.html in any browser, with no network.

    The overview draws at most --top causes; past --max-incidents incidents it folds
    them into cause–body and cause–countermeasure edges weighted by incident counts
    and draws the 60 bodies with most incidents.
    """
    from incident_kg.privacy.redact import load_rules
    from incident_kg.views import ViewOptions, redact_network, write_views

    quiet = ctx.obj["quiet"]

    def progress(pages: Iterable[Any]) -> Iterable[Any]:
        pages = list(pages)
        return tqdm(
            pages, desc="view", unit="page", disable=True if quiet else None, file=sys.stderr
        )

    g = _network(store_dir)
    redacted = ""
    if redact:
        g, counts = redact_network(g, load_rules())
        redacted = f"; redacted {sum(counts.values())} span(s) of personal data"
    options = ViewOptions(
        lang=lang, top=top, tier=tier, organization=organization, max_incidents=max_incidents
    )
    result = write_views(g, out_dir, options, progress=progress)
    overview = result.page("overview.html")
    click.echo(
        f"wrote {len(result.pages)} pages into {out_dir} (overview: {overview.nodes} nodes, "
        f"{overview.edges} edges){redacted}; open {out_dir / 'index.html'}"
    )
