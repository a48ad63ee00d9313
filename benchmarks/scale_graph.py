"""Graph mode of the scale harness: a national corpus's store side (100,000 reports by
default) — built from a few prepared reports copied under new ids — and, on it, every
analyze subcommand and the one-page views, as the CLI runs them."""

from __future__ import annotations

import calendar
import functools
import json
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.scale_measure import (
    SEED,
    TEMPLATES,
    Json,
    _cli_timed,
    _disk_mib,
    query_parameters,
    stage_analysis,
    timed,
)

#: Copies of one template told by the same body (the rest are renamed apart).
BODY_COPIES = 10
#: Months between a body's later copies of one template: its first two copies tell one
#: incident (linked: one report in ten a second telling), each later one is a recurrence.
COPY_MONTHS = 4
_DATE = re.compile(r"(?<![0-9])(20[0-9]{2})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?(?![0-9])")


def copy_months(copy: int, variant: int = 0) -> int:
    """How many months a body's copy ``copy`` (0-based) of a template is moved later; bodies
    (``variant``) start up to 11 months apart, so that the incidents naming no body, which no
    renaming can tell apart, are not all told on the same days."""
    return max(0, copy - 1) * COPY_MONTHS + variant % 12


def shift_dates(text: str, months: int) -> str:
    """Every ISO date (year-month, or year-month-day) in ``text`` moved ``months`` later, the
    day kept where the month has it (else its last day); the length of the text kept."""
    if not months:
        return text

    def moved(m: re.Match[str]) -> str:
        index = int(m.group(1)) * 12 + int(m.group(2)) - 1 + months
        year, month = divmod(index, 12)
        if m.group(3) is None:
            return f"{year:04d}-{month + 1:02d}"
        day = min(int(m.group(3)), calendar.monthrange(year, month + 1)[1])
        return f"{year:04d}-{month + 1:02d}-{day:02d}"

    return _DATE.sub(moved, text)


@functools.lru_cache(maxsize=256)  # a template's variant serves its BODY_COPIES copies
def body_renamer(summary: tuple[str, str] | None, variant: int) -> Callable[[str], str]:
    """Renames a template's bodies (the organisations at the top of its part-of chains, as its
    summary lists them) to variant ``variant`` of each: the IRI gets ``-v{variant}`` (its
    sections' IRIs, which extend it, follow: else every variant's sections would hang under
    all of them, and the link pass would see one body) and the label ``（v{variant}）``. Variant 0 is
    the template itself."""
    if not summary or variant == 0:
        return lambda text: text
    tops = [o for o in json.loads(summary[0]).get("organizations", []) if not o[4]]
    subs: dict[str, str] = {}
    for iri, labels, *_ in tops:
        subs[iri] = f"{iri}-v{variant}"
        for label in labels:
            subs[f'"{label}"'] = f'"{label}（v{variant}）"'
    if not subs:
        return lambda text: text
    # an IRI is renamed where it ends or a section's IRI goes on from it ("/" or "%2F": a
    # local government's sections extend its code IRI with "/", another body's with "%2F")
    pattern = re.compile(
        "|".join(
            re.escape(k) + ("" if k.startswith('"') else r'(?=[>"/]|%2F)')
            for k in sorted(subs, key=len, reverse=True)
        )
    )
    return lambda text: pattern.sub(lambda m: subs[m.group(0)], text)


def child_graph(args: Json) -> Json:
    """Graph mode: ``args["reports"]`` report graphs into a new store, the store side of a
    national corpus.  ``TEMPLATES`` generated reports go through the real pipeline once
    (extraction, triples, reasoning, compact evidence, summary: graph/build.py's ``prepare``),
    then every copy is the same prepared report under a new report id — its graph, inferred
    graph, record and summary renamed, not extracted or reasoned again — written with the
    bulk loader (as a first build is), linked across reports (as a first build ends) and
    compacted.

    Every :data:`BODY_COPIES` copies of a template are told by a body of their own (the
    template's bodies renamed: :func:`body_renamer`), its later copies moved months apart
    (:func:`shift_dates`): a corpus of one body's report copied 100,000 times is no national
    corpus, and the link pass would compare every copy with every other (the run of
    2026-12-05 stopped at 21.7 GB doing that in `analyze`)."""
    from benchmarks.corpus import generate_corpus
    from incident_kg.graph.build import (
        BULK_BATCH,
        Pipeline,
        default_extractor,
        ontology_rules,
        prepare,
        rules_digest,
    )
    from incident_kg.graph.links import relink
    from incident_kg.graph.reason import inferred_graph_for
    from incident_kg.graph.store import GraphStore, RecordInfo, ReportWrite, SharedPart
    from incident_kg.graph.triples import Minter
    from incident_kg.ontology.namespaces import DEFAULT_BASE

    store_dir = Path(args["store"])
    shutil.rmtree(store_dir, ignore_errors=True)
    wanted = int(args["reports"])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ikg-templates-") as tmp:
        paths = []
        for report in generate_corpus(min(TEMPLATES, wanted), SEED):
            path = Path(tmp) / report.name
            path.write_bytes(report.text.encode(report.encoding))
            paths.append(path)
        with GraphStore.open(store_dir, create=True) as store:
            store.check_base(DEFAULT_BASE)
            rules = ontology_rules(store)
            pipeline = Pipeline(default_extractor(), rules, DEFAULT_BASE, rules_digest(rules))
            templates = [t for t in (prepare(p, pipeline) for p in paths) if not t.failed]
            template_s = time.perf_counter() - started
            written, batch, write_s = 0, [], 0.0
            stamp = "2026-01-01T00:00:00Z"
            for k in range(-(-wanted // len(templates))):
                for item in templates:
                    if written >= wanted:
                        break
                    new_id = f"{item.report_id}-c{k}"
                    pattern = re.compile(rf"(report|graph)/{re.escape(item.report_id)}(?=[>/\"])")

                    bodies = body_renamer(item.summary, k // BODY_COPIES)
                    months = copy_months(k % BODY_COPIES, k // BODY_COPIES)

                    def renamed(
                        text: str,
                        p: re.Pattern[str] = pattern,
                        n: str = new_id,
                        b: Callable[[str], str] = bodies,
                        m: int = months,
                    ) -> str:
                        return shift_dates(b(p.sub(lambda g: f"{g.group(1)}/{n}", text)), m)

                    minter = Minter(DEFAULT_BASE, new_id)
                    graph = str(minter.graph)
                    summary = item.summary or ("{}", "{}")
                    batch.append(
                        ReportWrite(
                            graph,
                            renamed(item.ntriples),
                            RecordInfo(str(minter.report), item.digest, stamp, stamp),
                            (inferred_graph_for(graph), renamed(item.inferred)),
                            SharedPart(
                                renamed(item.shared.asserted), renamed(item.shared.inferred)
                            ),
                            readings=item.readings,
                            summary=(
                                renamed(summary[0]).replace(
                                    f'"id":"{item.report_id}"', f'"id":"{new_id}"'
                                ),
                                renamed(summary[1]),
                            ),
                        )
                    )
                    written += 1
                    if len(batch) >= BULK_BATCH:
                        write_s += timed(lambda b=batch: store.bulk_add_reports(b))[0]
                        batch = []
            write_s += timed(lambda: store.bulk_add_reports(batch))[0]
            link_s, links = timed(lambda: relink(store))
            optimize_s, _ = timed(store.optimize)
            quads = len(store)
            params = query_parameters(store)
    return {
        "reports": written,
        "templates": len(templates),
        "template_s": template_s,
        "write_s": write_s,
        "link_s": link_s,
        "distinct_incidents": links.counted,
        "bodies": -(-written // BODY_COPIES),
        "optimize_s": optimize_s,
        "build_s": time.perf_counter() - started,
        "quads": quads,
        "disk_mib": _disk_mib(store_dir),
        "params": params,
    }


def child_graph_later(args: Json) -> Json:
    """On the graph-mode store: every analyze subcommand and the page of one incident and of
    one cause, as the CLI runs them (the whole ``view`` is measured on the text corpus).
    Each command runs once right after the build (``analysis``: it makes the projection the
    next commands read, analysis/kept.py), then once more (``analysis_again``)."""
    # one run each at this size (a command takes many seconds; the text sizes take three)
    store, params, repeat = args["store"], args["params"], 1
    out: Json = {"analysis": stage_analysis({"store": store, "params": params, "repeat": repeat})}
    out["analysis_again"] = stage_analysis({"store": store, "params": params, "repeat": repeat})
    pages: Json = {}
    with tempfile.TemporaryDirectory(prefix="ikg-view-") as tmp:
        for name, extra in {"incident": "{incident}", "cause": "{cause_code}"}.items():
            runs = [
                _cli_timed(["view", "--out", tmp, f"--{name}", extra], store, params)
                for _ in range(repeat)
            ]
            ok = [r for r in runs if "error" not in r]
            pages[name] = (
                {
                    "seconds": statistics.median(r["seconds"] for r in ok),
                    "cpu_s": statistics.median(r["cpu_s"] for r in ok),
                    "peak_mib": max(r["peak_mib"] for r in ok),
                }
                if ok
                else runs[0]
            )
    out["pages"] = pages
    return out
