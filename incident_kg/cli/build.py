"""Reports into the store and extraction you can check: ``build``, ``extract``, ``evaluate``,
``check-lexicon``, ``reason``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from incident_kg.errors import IncidentKGError
from incident_kg.ontology.namespaces import DEFAULT_BASE

from .common import handle_errors, progress, store_option, wait_option


@click.command()
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
@wait_option
@handle_errors
def build(
    reports: tuple[Path, ...],
    store_dir: Path,
    base: str,
    workers: int | None,
    prune: bool,
    wait: float,
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
        progress=progress("build"),
        workers=workers or default_workers(),
        prune=prune,
        wait=wait,
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
    if result.links is not None and result.links.counted < result.links.incidents:
        click.echo(
            f"the store's {result.links.incidents} incident(s) are {result.links.counted} "
            f"distinct: {result.links.groups} told by several reports, {result.links.parts} "
            "part of a national grouping (`incident-kg query incident-links` says why)"
        )
    if result.failed:
        sys.exit(1)


@click.command()
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
    from incident_kg.extraction.extract import report_id_for
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
                # named as query, analyze and view name it: REPORT/incident/N
                ordinal = str(inc["key"]).removeprefix("incident-")
                click.echo(
                    f"  {report_id_for(report['report'])}/incident/{ordinal}: {inc['title']}"
                )
                for name in ("organizations", *CODED_FIELDS):
                    click.echo(f"    {name:<16}{', '.join(inc[name])}")
                for name in ("occurred", "discovered", "affected"):
                    click.echo(f"    {name:<16}{inc[name] if inc[name] is not None else '-'}")
    if failed:
        sys.exit(1)


@click.command()
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


@click.command("check-lexicon")
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

    from incident_kg.errors import FileReadError
    from incident_kg.extraction.coding import check_paraphrases
    from incident_kg.files import read_text_bounded
    from incident_kg.graph.build import default_extractor

    try:
        data = yaml.safe_load(read_text_bounded(paraphrases, 16 << 20))
    except FileReadError as exc:
        raise IncidentKGError(str(exc)) from exc
    except yaml.YAMLError as exc:
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


@click.command()
@click.option(
    "--drop",
    is_flag=True,
    help="Only remove the inferred graphs (queries then see asserted triples only).",
)
@store_option
@wait_option
@handle_errors
def reason(drop: bool, store_dir: Path, wait: float) -> None:
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
    from incident_kg.graph.overlap import reconcile_imports
    from incident_kg.graph.reason import drop_inferred, reason_store
    from incident_kg.graph.store import GraphStore

    with GraphStore.open(store_dir, wait=wait) as store:
        if drop:
            names = drop_inferred(store)
            click.echo(f"dropped {len(names)} inferred graph(s) from {store_dir}")
            return
        rules = load_ontology(store)
        reports = store.report_graphs()
        total = reason_store(store, rules, progress=progress("reason"))
        reconcile_imports(store)  # an imported copy's inferences held once (graph/overlap.py)
    click.echo(f"reasoned {len(reports)} report graph(s): {total} inferred triples in {store_dir}")
