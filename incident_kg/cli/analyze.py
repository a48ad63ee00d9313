"""Analysis and views for people who will never write SPARQL: ``analyze …``, ``view``."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from incident_kg.errors import IncidentKGError

from .common import (
    emit,
    format_option,
    handle_errors,
    lang_option,
    progress,
    store_option,
    top_option,
)


@contextmanager
def _network(store_dir: Path, *relations: str, details: bool = False) -> Iterator[Any]:
    """The network projection of the store (analysis/network.py), the store open while it is
    used: the evidence and timelines of the incidents a command shows are read when asked
    for, not for the whole corpus (``details`` reads them all at once); ``relations`` are
    the relations of incidents the command reads besides those to organisations (all when
    none is named)."""
    from incident_kg.analysis.network import load_network
    from incident_kg.graph.store import GraphStore

    with GraphStore.open(store_dir, read_only=True) as store:
        g = load_network(
            store,
            details=details,
            relations=relations or None,
            progress=progress("analyze", " reports", counted=False),
        )
        # the projection (a million objects at 100,000 reports) lives until the command
        # ends: the collector's passes need not walk it while the analysis runs (as view)
        gc.freeze()
        yield g


@click.group()
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
      incident-kg analyze effectiveness --cause LogoutOmission
      incident-kg analyze chain 003_4a1ccabbb4d700a7/incident/2
    """


@analyze.command("shared-causes")
@store_option
@format_option
@lang_option
@click.option("--tier", metavar="TIER", help="Only causes of this tier (e.g. supervision).")
@top_option
@handle_errors
def analyze_shared_causes(
    store_dir: Path, fmt: str, lang: str, tier: str | None, top: int | None
) -> None:
    """Rank the shared root causes, then cause tiers, by how widely they recur.

    For each cause: incidents (an event told by several reports, or a body's case
    within a national grouping, counts once), distinct bodies and reports, its
    spread — the number of different places it occurred in: each body once, however
    often, and a case of several bodies at once as one place — and the score
    spread + 0.5 × (incidents − spread). A cause is shared when its spread is at
    least 2; sorted by score, then incidents, bodies and code. The tiers follow,
    counted the same way over all their causes. `query shared-root-causes` answers
    the same question in SPARQL, with the same rows.
    """
    from incident_kg.analysis.algorithms import (
        SHARED_SPREAD,
        CauseSpread,
        occurrences,
        rank_causes,
    )

    with _network(store_dir, "has_cause") as g:
        occurred = occurrences(g)  # the same counted incidents for the causes and the tiers
        causes = rank_causes(g, tier=tier, min_spread=SHARED_SPREAD, occurred=occurred)[:top]
        tiers = (
            []
            if tier
            else rank_causes(g, level="tier", min_spread=SHARED_SPREAD, occurred=occurred)[:top]
        )
    emit([*causes, *tiers], CauseSpread.COLUMNS, fmt, lang)


@analyze.command("cooccurrence")
@store_option
@format_option
@lang_option
@click.option(
    "--edges", is_flag=True, help="List the weighted edges (cause pairs) instead of the causes."
)
@click.option("--seed", default=0, show_default=True, help="Seed of the Louvain communities.")
@top_option
@handle_errors
def analyze_cooccurrence(
    store_dir: Path, fmt: str, lang: str, edges: bool, seed: int, top: int | None
) -> None:
    """The network of causes stated in the same incidents.

    Per cause: incidents, degree (causes it appears with), strength (shared incidents
    summed), betweenness (distance 1/weight), PageRank (by weight) and its Louvain
    community (by weight). With --edges: each pair with its weight (incidents in
    common).
    """
    from incident_kg.analysis.algorithms import CauseCentrality, CooccurrenceEdge, cooccurrence

    with _network(store_dir, "has_cause") as g:
        result = cooccurrence(g, seed=seed)
    if edges:
        emit(result.edges[:top], CooccurrenceEdge.COLUMNS, fmt, lang)
    else:
        emit(result.causes[:top], CauseCentrality.COLUMNS, fmt, lang)


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
    from incident_kg.analysis.algorithms import SIMILARITY_FIELDS, Similarity, similar_incidents
    from incident_kg.analysis.network import find_incident

    with _network(store_dir, *SIMILARITY_FIELDS.values(), "reported_in") as g:
        found = similar_incidents(g, find_incident(g, incident), top=top)
    emit(found, Similarity.COLUMNS, fmt, lang)


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
@top_option
@handle_errors
def analyze_recommend(
    incident: str | None,
    cause: str | None,
    others_only: bool,
    store_dir: Path,
    fmt: str,
    lang: str,
    top: int | None,
) -> None:
    """Countermeasures that address the same causes, ranked by how many bodies adopted them.

    Give --incident (its causes are used) or --cause. A measure counts for a cause only
    where the graph ties them: the report states it (…を防止するため, numbered measures
    answering numbered causes) or the reviewed table ontology/measures.yaml defaults it.
    Each countermeasure comes with the reports (and bodies) that adopted it, those of the
    incident itself or its own body marked, and the link's evidence: the sentence that
    states it, or "defaulted" with the table line. An event told by several reports is
    one incident.
    """
    from incident_kg.analysis.algorithms import Recommendation, recommend
    from incident_kg.analysis.network import find_incident

    if (incident is None) == (cause is None):
        raise IncidentKGError("give --incident INCIDENT or --cause CODE (one of them)")
    with _network(store_dir, "has_cause", "has_countermeasure", "reported_in") as g:
        found = recommend(
            g,
            incident=find_incident(g, incident) if incident else None,
            cause=cause,
            others_only=others_only,
            sentences=None if fmt == "json" else 0,  # a table shows the links, not these
        )
    emit(found[:top], Recommendation.COLUMNS, fmt, lang)


@analyze.command("effectiveness")
@click.option("--cause", metavar="CODE", help="Only this cause (e.g. LogoutOmission).")
@click.option(
    "--adoptions", is_flag=True, help="List each body's adoptions instead of the comparison."
)
@store_option
@format_option
@lang_option
@top_option
@handle_errors
def analyze_effectiveness(
    cause: str | None, adoptions: bool, store_dir: Path, fmt: str, lang: str, top: int | None
) -> None:
    """Did a measure work? For each measure and the cause it addresses: the bodies that
    adopted it, how many saw the cause again afterwards, the recurrences and the
    body-years at risk — against the bodies that had the cause and did not adopt it.

    A body adopts a measure for a cause on the date of the first report of one of its
    incidents that ties the measure to that cause (stated, or defaulted from
    ontology/measures.yaml); a recurrence is a later distinct incident of the same body
    with the same cause (a re-telling is not one). The caveats are printed with the
    answer: these are counts from published reports, not a measured effect.
    """
    from incident_kg.analysis.effectiveness import (
        AdoptionRow,
        EffectRow,
        adoption_rows,
        effect_rows,
        store_effectiveness,
    )
    from incident_kg.graph.store import GraphStore

    if cause is not None:
        from incident_kg.ontology.vocabulary import codes

        if cause not in codes()["causes"]:
            raise IncidentKGError(f"no cause {cause!r} in the vocabulary")
    with GraphStore.open(store_dir, read_only=True) as store:
        found = store_effectiveness(store, cause)
    records: list[Any] = (adoption_rows(found) if adoptions else effect_rows(found))[:top]
    columns = AdoptionRow.COLUMNS if adoptions else EffectRow.COLUMNS
    if fmt == "json":
        import dataclasses

        key = "adoptions" if adoptions else "effects"
        out = {
            "observed_until": found.observed_until,
            "caveats": list(found.caveats),
            key: [dataclasses.asdict(r) for r in records],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    emit(records, columns, fmt, lang)
    caveats = [f"data up to {found.observed_until or '?'}", *found.caveats]
    stream = fmt == "csv"  # csv stays machine-readable: the caveats go to stderr
    click.echo("Caveats:", err=stream)
    for caveat in caveats:
        click.echo(f"  - {caveat}", err=stream)


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

    with _network(store_dir, "has_cause", "has_harm", "reported_in") as g:
        chain = causal_chain(g, find_incident(g, incident))
    if fmt == "json":
        click.echo(json.dumps(dataclasses.asdict(chain), ensure_ascii=False, indent=2))
        return
    if fmt == "table":
        click.echo(chain.incident)
        click.echo(f"{chain.label} (told by {', '.join(chain.reports or (chain.report,))})")
    emit(chain.links, ChainLink.COLUMNS, fmt, lang)


@click.command()
@store_option
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="out/views",
    show_default=True,
    help="Folder to write the pages into (created; pages there are replaced).",
)
@click.option(  # the name before 2026-12
    "--out", "old_out", type=click.Path(path_type=Path, file_okay=False), hidden=True
)
@lang_option
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
    "--incident",
    metavar="INCIDENT",
    help="Write only this incident's page (its IRI or REPORT/incident/N), and its assets.",
)
@click.option("--cause", metavar="CODE", help="Write only this cause's page, and its assets.")
@click.option(
    "--redact/--no-redact",
    default=True,
    show_default=True,
    help="Replace personal data in labels and evidence sentences by typed placeholders, "
    "and names made from file names by pseudonyms (the rules of a redacted export). Pages "
    "get passed around: keep it on unless they stay with you.",
)
@handle_errors
def view(
    store_dir: Path,
    out_dir: Path,
    old_out: Path | None,
    lang: str,
    top: int,
    tier: str | None,
    organization: str | None,
    max_incidents: int,
    incident: str | None,
    cause: str | None,
    redact: bool,
) -> None:
    """Write interactive HTML views of the store into -o/--output: they work offline.

    index.html (causes ranked by spread, with search, filters and sorting; links to
    every page), overview.html (incidents, causes, bodies and countermeasures; colour by
    kind, size by spread, a legend, labels switchable ja/en), matrix.html (cause × body
    heat map), trend.html (incidents per month by cause), and one page per cause (with
    what other bodies did about it) and per incident (its network, with the evidence
    sentences in the tooltips, its timeline, causal chain and similar incidents). The pages load only the files in OUTPUT/lib: open
    index.html in any browser, with no network.

    The overview draws at most --top causes; past --max-incidents incidents it folds
    them into cause–body and cause–countermeasure edges weighted by incident counts
    and draws the 60 bodies with most incidents; a cause page folds its incidents the
    same way. --incident or --cause writes that one page only (with lib/): to refresh
    it in a folder the whole views were written to (its links to the index and other
    pages lead there).
    """
    import gc

    from incident_kg.analysis.effectiveness import store_effectiveness
    from incident_kg.analysis.network import load_network
    from incident_kg.graph.store import GraphStore
    from incident_kg.privacy.pseudonyms import store_pseudonymiser
    from incident_kg.privacy.redact import load_rules
    from incident_kg.views import (
        ViewOptions,
        page_network,
        page_relations,
        redact_network,
        write_views,
    )

    rules = load_rules()
    out_dir = old_out or out_dir
    one_page = incident is not None or cause is not None  # its details read when drawn
    with GraphStore.open(store_dir, read_only=True) as store:
        # only what one page reads (a cause's incidents past --max-incidents: counted)
        page = ViewOptions(incident=incident, cause=cause, max_incidents=max_incidents)
        pseudonyms = store_pseudonymiser(store, rules) if redact else None
        g = load_network(
            store,
            details=not one_page,
            relations=page_relations(page),
            progress=progress("view: reading", " reports", counted=False),
        )
        # the projection (a million objects at 10,000 reports) lives until the pages are
        # written: the collector's full passes need not walk it meanwhile (~0.2 s a page)
        gc.freeze()
        try:
            if one_page:  # and only that is redacted and drawn (views/pages.py)
                g = page_network(g, page, pseudonyms.iri if pseudonyms else None)
            # counts by code (nothing personal), shown on cause pages only
            effects = store_effectiveness(store).effects if incident is None else ()
            redacted = ""
            if redact:
                g, counts = redact_network(g, rules, pseudonyms)
                redacted = f"; redacted {sum(counts.values())} span(s) of personal data"
            options = ViewOptions(
                lang=lang,
                top=top,
                tier=tier,
                organization=organization,
                max_incidents=max_incidents,
                incident=incident,
                cause=cause,
            )
            result = write_views(
                g, out_dir, options, progress=progress("view", "page"), effects=effects
            )
        finally:
            gc.unfreeze()
    if one_page:
        (page,) = result.pages
        click.echo(f"wrote {page.path} ({page.nodes} nodes, {page.edges} edges){redacted}; open it")
        return
    overview = result.page("overview.html")
    click.echo(
        f"wrote {len(result.pages)} pages into {out_dir} (overview: {overview.nodes} nodes, "
        f"{overview.edges} edges){redacted}; open {out_dir / 'index.html'}"
    )
