"""Sharing with other agencies: ``export``, ``import``, ``imports``, ``validate``."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from incident_kg.errors import IncidentKGError

from .common import (
    F,
    format_option,
    handle_errors,
    lang_option,
    note,
    print_table,
    store_option,
    wait_option,
)

TLP_CHOICE = click.Choice(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"], case_sensitive=False)
#: The RDF syntaxes a file is read in (import, validate) and written in (export).
RDF_FORMAT_CHOICE = click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"])
#: What an export writes: the RDF syntaxes, and the evidence as Web Annotation JSON.
EXPORT_FORMAT_CHOICE = click.Choice([*RDF_FORMAT_CHOICE.choices, "wadm"])


def _issued() -> str:
    """Now, for an export's description; $SOURCE_DATE_EPOCH fixes it (reproducible builds)."""
    import datetime as dt

    from incident_kg.graph.build import utc_now

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        return moment.isoformat().replace("+00:00", "Z")
    return utc_now()


def _why(path: Path, exc: OSError) -> str:
    """Why a file could not be written, in words: a file where its folder should be says so."""
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        return f"{blocking} is a file, not a folder"
    return str(exc.strerror or exc).lower()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (a temporary file beside it, then renamed)."""
    part = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(data)
        os.replace(part, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        raise IncidentKGError(f"{path}: cannot write: {_why(path, exc)}") from None


def _relative_url(output: Path, description: Path) -> str:
    """The export file as a relative URL from its description's folder."""
    from urllib.parse import quote

    relative = os.path.relpath(output.resolve(), description.resolve().parent)
    return quote(Path(relative).as_posix())


@click.command()
@store_option
@click.option(
    "--rdf-format",
    "fmt",
    type=EXPORT_FORMAT_CHOICE,
    default="turtle",
    show_default=True,
    help="turtle, ntriples and jsonld write the union of the graphs; trig and nquads keep them; "
    "wadm writes the evidence only, as W3C Web Annotation JSON (anno.jsonld).",
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
    help="Replace personal data in texts by typed placeholders, and IRIs made from file "
    "names or names by pseudonyms. Default: on for the sharing profile, off for internal.",
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
    help="Licence of the export (an http(s) IRI). Default: CC BY 4.0 for TLP:CLEAR, else none "
    "(the TLP label says who may see it).",
)
@click.option(
    "--description",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the DCAT/VoID description. Default: OUTPUT's whole name with "
    ".description.ttl added (kg.ttl.description.ttl; none when writing to standard output).",
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
      incident-kg export --rdf-format turtle -o kg.ttl
      incident-kg export --profile sharing --tlp AMBER --publisher 堺市 -o share.ttl
      incident-kg export --organization 堺市 --since 2023-01 --until 2023-06 -o sakai.trig --rdf-format trig
      incident-kg export --cause tier-organisation --no-ontology -o roots.ttl
      incident-kg export --rdf-format wadm -o evidence.anno.jsonld
    """

    from incident_kg.export.describe import (
        Publication,
        check_license,
        describe,
        description_path,
    )
    from incident_kg.export.filters import Selection
    from incident_kg.export.marking import MarkingError, Tlp
    from incident_kg.export.serialize import ExportOptions, export_dataset
    from incident_kg.graph.store import GraphStore

    marking = Tlp.parse(tlp) if tlp else None
    if license_iri is not None:
        check_license(license_iri)
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
        description = description_path(output)
    with GraphStore.open(store_dir, read_only=True) as store:
        if output is None:
            result = export_dataset(store, fmt, options, out=sys.stdout.buffer)
        else:  # written beside, then renamed: whole or not at all; its folder made
            part = output.with_name(output.name + ".part")
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                with part.open("wb") as out:
                    result = export_dataset(store, fmt, options, out=out)
                os.replace(part, output)
            except OSError as exc:
                raise IncidentKGError(f"{output}: cannot write: {_why(output, exc)}") from None
            finally:
                with contextlib.suppress(OSError):  # none was made when its folder is not one
                    part.unlink(missing_ok=True)
    if description is not None:
        publication = Publication(
            issued=_issued(),
            publisher=publisher,
            license=license_iri,
            file_name=output.name if output is not None else None,
            byte_size=result.byte_size,
            sha256=result.sha256,
            download_url=_relative_url(output, description) if output is not None else None,
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


def _max_problems(default: int) -> Callable[[F], F]:
    """``--max-problems N`` of the commands that list problems (import, validate), and its
    hidden name before 2026-12, ``--limit`` (a page size everywhere else)."""

    def wrap(func: F) -> F:
        func = click.option("--limit", "old_limit", type=int, hidden=True)(func)
        return click.option(
            "--max-problems",
            "limit",
            default=default,
            show_default=True,
            help="List at most this many problems.",
        )(func)

    return wrap


@click.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@store_option
@lang_option
@_max_problems(50)
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: one line per problem, for people; json: for programs.",
)
@click.option(
    "--rdf-format",
    "rdf_format",
    type=RDF_FORMAT_CHOICE,
    help="Format of FILE when its name does not tell (.ttl .nt .nq .trig .jsonld).",
)
@handle_errors
def validate(
    file: Path | None,
    store_dir: Path,
    lang: str,
    limit: int,
    old_limit: int | None,
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

    limit = old_limit if old_limit is not None else limit

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


@click.command("import")
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
    "--rdf-format",
    "rdf_format",
    type=RDF_FORMAT_CHOICE,
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
@_max_problems(20)
@lang_option
@wait_option
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
    old_limit: int | None,
    lang: str,
    wait: float,
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
    limit = old_limit if old_limit is not None else limit
    from incident_kg.export.importer import (
        DEFAULT_MAX_BYTES,
        DEFAULT_MAX_TRIPLES,
        ImportReadError,
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
            wait=wait,
        )
    except ImportReadError as exc:  # the file, not the command, is at fault: exit 1
        click.echo(f"Error: {exc}; the store {store_dir} is unchanged", err=True)
        sys.exit(1)
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
    for line in result.notes:
        note(f"note: {line}")
    skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(result.skipped.items()))
    click.echo(
        f"imported {file.name} from {record.agency} as {record.id}: "
        f"{len(record.graphs)} graph(s), {record.triples} triples under {record.marking.label}"
        + (f"; not taken (the store has its own): {skipped} triples" if skipped else "")
        + (f"; {len(result.warnings)} shape warning(s)" if result.warnings else "")
    )


@click.command()
@store_option
@click.option(
    "--remove",
    "remove_id",
    metavar="ID",
    help="Remove this import: its graphs, their inferred graphs and its record.",
)
@format_option
@wait_option
@handle_errors
def imports(store_dir: Path, remove_id: str | None, fmt: str, wait: float) -> None:
    """List the files imported from other agencies, or remove one (--remove ID).

    Each import shows its ID, the agency, the file, when, its TLP marking and the
    graphs and triples it holds now (a later import of the same graphs by the same
    agency takes them over). Removing an import drops its graphs in one transaction.
    """
    from incident_kg.export.importer import remove_import
    from incident_kg.export.records import read_records
    from incident_kg.graph.store import GraphStore

    if remove_id is not None:
        with GraphStore.open(store_dir, wait=wait) as store:
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
    columns = ("id", "agency", "file", "imported", "marking", "graphs", "triples")
    rows = [
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
    ]
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print_table(columns, rows)
