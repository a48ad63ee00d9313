"""Review for analysts: ``review`` (what the extractor was unsure of, and decisions on it) and
``lexicon suggest`` (curated decisions turned into proposals for the exemplars and the lexicon)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from incident_kg.errors import IncidentKGError

from .common import emit, format_option, handle_errors, note, print_table


def _decisions(accept: tuple[str, ...], correct: tuple[str, ...], reject: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from incident_kg.extraction.review import Decision

    out = [Decision(item, "accept") for item in accept]
    for value in correct:
        item, sep, code = value.partition("=")
        if not sep or not item or not code:
            raise IncidentKGError(f"--correct {value!r}: write ITEM=CODE (s01#3=Congestion)")
        out.append(Decision(item, "correct", code))
    out += [Decision(item, "reject") for item in reject]
    return out


@click.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option
@click.option(
    "--below",
    type=click.FloatRange(0, 1),
    default=0.7,
    show_default=True,
    help="List a rule's code whose confidence is below this.",
)
@click.option(
    "--accept",
    multiple=True,
    metavar="ITEM",
    help="Accept an item (its code, or the first suggestion).",
)
@click.option(
    "--correct", multiple=True, metavar="ITEM=CODE", help="Give an item this code instead."
)
@click.option("--reject", multiple=True, metavar="ITEM", help="Remove an item's code.")
@click.option(
    "--curator",
    default=None,
    help="Who decides (a role or staff id, not a name); needed with --accept/--correct/--reject.",
)
@handle_errors
def review(
    reports: tuple[Path, ...],
    fmt: str,
    below: float,
    accept: tuple[str, ...],
    correct: tuple[str, ...],
    reject: tuple[str, ...],
    curator: str | None,
) -> None:
    """List what the extractor was unsure of in REPORTS, or decide on it.

    \b
    Items, per report and incident (ITEM is report-stem#N):
      uncoded         a sentence of a cause or countermeasure part no rule coded,
                      with the codes of the nearest exemplar sentences as suggestions
      inferred        a code only similarity to exemplar sentences gave
      low-confidence  a rule's code below --below

    With --accept, --correct ITEM=CODE or --reject the decisions are written into each
    report's curation sidecar (<stem>.curation.yaml, the format `build` applies), so the
    report is right on every later build; decided items are not listed again.
    """
    from incident_kg.errors import ReportReadError
    from incident_kg.extraction.curation import load_curation, sidecar_for
    from incident_kg.extraction.read import iter_report_files, read_report
    from incident_kg.extraction.review import COLUMNS, decide, review_report
    from incident_kg.graph.build import default_extractor

    decisions = _decisions(accept, correct, reject)
    if decisions and not curator:
        raise IncidentKGError("--curator is needed to write decisions")
    extractor = default_extractor()
    listed = []
    failed = 0
    for path in iter_report_files(list(reports)):
        try:
            raw = read_report(path)
        except ReportReadError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        sidecar = sidecar_for(path)
        curation = (
            load_curation(sidecar, known_codes=extractor.known_codes) if sidecar.is_file() else None
        )
        items = review_report(extractor, raw.text, source=path.name, curation=curation, below=below)
        mine = [d for d in decisions if d.item.split("#", 1)[0] == path.stem]
        if mine:
            assert curator is not None
            written = decide(path, items, mine, curator=curator, known_codes=extractor.known_codes)
            click.echo(f"{written}: {len(mine)} decision(s) written")
            decisions = [d for d in decisions if d not in mine]
        else:
            listed.extend(items)
    if decisions:
        raise IncidentKGError(f"no report for item {decisions[0].item!r} among REPORTS")
    if not accept and not correct and not reject:
        if fmt == "json":
            click.echo(json.dumps([i.to_json() for i in listed], ensure_ascii=False, indent=2))
        else:
            emit(listed, COLUMNS, fmt, "en")
    if failed:
        sys.exit(1)


@click.group()
def lexicon() -> None:
    """The lexicon and the exemplar sentences: proposals from curated decisions."""


@lexicon.command("suggest")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "yaml"]),
    default="table",
    show_default=True,
    help="table: for people; csv and json: for programs; yaml: to review and paste.",
)
@handle_errors
def suggest(reports: tuple[Path, ...], fmt: str) -> None:
    """Proposals from the curation sidecars of REPORTS (files or folders), for a person to
    review before anything is added: each code a curator added with a sentence as evidence
    gives an exemplar sentence (ontology/exemplars.yaml) and the words of the sentence the
    code's lexicon rules do not use yet (candidates for ontology/lexicon.yaml)."""
    from incident_kg.extraction.curation import load_curation, sidecar_for
    from incident_kg.extraction.read import iter_report_files
    from incident_kg.extraction.review import (
        SUGGESTION_COLUMNS,
        lexicon_suggestions,
        suggestions_yaml,
    )
    from incident_kg.graph.build import default_extractor

    extractor = default_extractor()
    curations = [
        (path, load_curation(sidecar_for(path), known_codes=extractor.known_codes))
        for path in iter_report_files(list(reports))
        if sidecar_for(path).is_file()
    ]
    found = lexicon_suggestions(extractor, curations)
    if fmt == "yaml":
        click.echo(suggestions_yaml(found), nl=False)
    elif fmt == "table":
        print_table(SUGGESTION_COLUMNS, (s.row() for s in found))
        note(f"({len(found)} proposals from {len(curations)} sidecar(s))")
    else:
        emit(found, SUGGESTION_COLUMNS, fmt, "en")
