"""What the scale harness measures and how: the stages timed after a build, the child
processes (each with its own heap and peak memory), and the record of one size's run."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.store_choice import fmt_seconds

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_OUT = BENCH_DIR / "RESULTS.md"
SECTION = "## Scale (issue 7)"
DEFAULT_SIZES = (10, 100, 1000, 10000)
DEFAULT_BASELINE_SIZES = (10, 100, 1000)
DEFAULT_BASELINE_TIMEOUT = 300
DEFAULT_GRAPH_REPORTS = 100_000
#: Generated reports prepared once in graph mode, then copied under new report ids.
TEMPLATES = 40
DEFAULT_REPEAT = 5
#: A query whose warm-up run takes longer than this is timed once, not ``--repeat`` times.
SLOW_QUERY_S = 5.0
#: A named query still running after this many seconds is stopped (its process killed).
QUERY_TIMEOUT_S = 240
SEED = 7
#: Rows of the first page of a listing (``query --limit``).
PAGE = 50

Json = dict[str, Any]


# -- stages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """A stage of the pipeline the harness times after the build: a function of the child's
    context (the open store, its path; what earlier stages left) that returns what it
    measured, and how to say that in a table cell."""

    key: str
    title: str
    run: Callable[[Json], Json]
    cell: Callable[[Json], str]


#: The analyze subcommands the harness times, each as the CLI runs it (``{incident}`` and
#: ``{cause_code}`` from the store).
ANALYZE_COMMANDS: dict[str, list[str]] = {
    "shared-causes": ["analyze", "shared-causes"],
    "cooccurrence": ["analyze", "cooccurrence"],
    "similar": ["analyze", "similar", "{incident}"],
    "recommend": ["analyze", "recommend", "--incident", "{incident}"],
    "chain": ["analyze", "chain", "{incident}"],
    "effectiveness": ["analyze", "effectiveness"],  # issue 18: reads the store as the link pass
}
#: A trivial query, the yardstick of an analysis (the issue: ≤ 5× it at 1,000 reports).
TRIVIAL_COMMAND = ["query", "incident-timeline", "--param", "incident={incident}"]


#: Run by a small Python process between the harness and a timed command: Linux counts in a
#: child's peak resident set the pages of the process it was forked from (the harness, up
#: to gigabytes after a build), so the command is started from this one, which times it and
#: writes its wall time, exit code, peak and CPU time (``os.wait4``: its own, no other
#: child's) into the file named first.
_TIMER = """\
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump([seconds, os.waitstatus_to_exitcode(status), usage.ru_maxrss,
               usage.ru_utime + usage.ru_stime], out)
"""


def _cli_timed(
    args: Sequence[str], store: str, params: dict[str, str], cli: Path | None = None
) -> Json:
    """One CLI command on the store, end to end (a new process), with its own peak memory
    and CPU time (see :data:`_TIMER`; the harness's ``RUSAGE_CHILDREN`` held the largest of
    every child before, so a small command timed after a large one was given the large
    one's peak); ``cli``: another ``incident-kg`` than this interpreter's (a baseline's)."""
    cli = cli or Path(sys.executable).with_name("incident-kg")
    argv = [str(cli), "-q", *(a.format(**params) for a in args), "--store", store]
    with tempfile.TemporaryDirectory(prefix="ikg-timed-") as tmp:
        measured = Path(tmp) / "measured.json"
        proc = subprocess.run(
            [sys.executable, "-c", _TIMER, str(measured), *argv], capture_output=True, text=True
        )
        try:
            seconds, code, peak_kib, cpu_s = json.loads(measured.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"error": f"not timed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"}
    if code != 0:
        return {"error": f"exit {code}: {proc.stderr.strip()[-300:]}"}
    return {
        "seconds": seconds,
        "cpu_s": cpu_s,  # the command's CPU time: what load on the machine hides
        "peak_mib": peak_kib / 1024,
        "bytes": len(proc.stdout),
    }


def stage_analysis(context: Json) -> Json:
    """Every analyze subcommand as the user runs it (the CLI, a new process each, median of
    three), and a trivial query as the yardstick."""
    store, params = context["store"], context["params"]
    out: Json = {}
    for name, args in {"trivial query": TRIVIAL_COMMAND, **ANALYZE_COMMANDS}.items():
        runs = [_cli_timed(args, store, params) for _ in range(context.get("repeat", 3))]
        ok = [r for r in runs if "error" not in r]
        if not ok:
            out[name] = runs[0]
            continue
        out[name] = {
            "seconds": statistics.median(r["seconds"] for r in ok),
            "cpu_s": statistics.median(r["cpu_s"] for r in ok),
            "peak_mib": max(r["peak_mib"] for r in ok),
        }
    return out


def _analysis_cell(m: Json) -> str:
    if "error" in m:
        return str(m["error"])
    parts = []
    for name, r in m.items():
        if "error" in r:
            parts.append(f"{name} {r['error']}")
        else:
            parts.append(f"{name} {fmt_seconds(r['seconds'])} s")
    return "; ".join(parts)


def stage_view(context: Json) -> Json:
    """The whole ``view`` command (every page) and the page of one incident and of one cause
    (``view --incident``, ``view --cause``), end to end."""
    store, params = context["store"], context["params"]
    out: Json = {}
    with tempfile.TemporaryDirectory(prefix="ikg-view-") as tmp:
        whole = _cli_timed(["view", "--out", f"{tmp}/all"], store, params)
        pages = sum(1 for _ in Path(tmp, "all").rglob("*.html"))
        out["whole"] = {**whole, "pages": pages}
        for name, args in {
            "incident": ["view", "--out", f"{tmp}/one", "--incident", "{incident}"],
            "cause": ["view", "--out", f"{tmp}/one", "--cause", "{cause_code}"],
        }.items():
            runs = [_cli_timed(args, store, params) for _ in range(3)]
            ok = [r for r in runs if "error" not in r]
            out[name] = {"seconds": statistics.median(r["seconds"] for r in ok)} if ok else runs[0]
    return out


def _view_cell(m: Json) -> str:
    if "error" in m:
        return str(m["error"])
    whole = m.get("whole", {})
    text = (
        f"whole view {fmt_seconds(whole['seconds'])} s ({whole.get('pages', 0):,} pages)"
        if "seconds" in whole
        else f"whole view {whole.get('error')}"
    )
    for name in ("incident", "cause"):
        r = m.get(name, {})
        text += (
            f"; one {name} page {fmt_seconds(r['seconds'])} s"
            if "seconds" in r
            else f"; one {name} page {r.get('error')}"
        )
    return text


def stage_views(context: Json) -> Json:
    """The overview page (views/pages.py, default limits) written from the projection, then
    opened in Debian's headless Chromium, offline, until vis-network's first drawing (median
    of three fresh browser contexts)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.views_scale import draw_seconds, write_overview
    from incident_kg import views
    from incident_kg.analysis.network import load_network

    g = load_network(context["store_obj"])
    with tempfile.TemporaryDirectory(prefix="ikg-views-") as tmp:
        write_s, (nodes, edges) = timed(lambda: write_overview(g, Path(tmp), views.ViewOptions()))
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"],
            )
            try:
                draws = [draw_seconds(browser, Path(tmp) / "overview.html") for _ in range(3)]
            finally:
                browser.close()
    return {
        "write_s": write_s,
        "draw_s": statistics.median(draws),
        "draws": draws,
        "nodes": nodes,
        "edges": edges,
    }


def _views_cell(m: Json) -> str:
    if "error" in m:
        return str(m["error"])
    return (
        f"draw {fmt_seconds(m['draw_s'])} s (page written in {fmt_seconds(m['write_s'])} s; "
        f"{m['nodes']:,} nodes, {m['edges']:,} edges)"
    )


#: Stages after the build, in order.
LATER_STAGES: tuple[Stage, ...] = (
    Stage("analysis", "analyze (CLI, end to end, median of 3)", stage_analysis, _analysis_cell),
    Stage("view", "view (CLI, end to end)", stage_view, _view_cell),
    Stage(
        "views",
        "overview page drawn in headless Chromium",
        stage_views,
        _views_cell,
    ),
)


def run_stages(store: Any, store_dir: Path, params: dict[str, str], repeat: int = 3) -> Json:
    """Every later stage on the open store; a stage that fails is reported, not fatal."""
    context: Json = {
        "store_obj": store,
        "store": str(store_dir),
        "params": params,
        "repeat": min(repeat, 3),
    }
    out: Json = {}
    for stage in LATER_STAGES:
        try:
            out[stage.key] = stage.run(context)
        except Exception as exc:  # a broken stage must not lose the build's numbers
            out[stage.key] = {"error": f"failed: {exc!r}"[:300]}
    return out


# -- measuring helpers ----------------------------------------------------------------


def _tree_rss_kib(pid: int) -> int:
    """Memory of a process and all its descendants, in KiB (Linux /proc): the sum of their
    proportional set sizes (PSS), so that pages forked workers share are counted once."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


def run_child(kind: str, args: Json, timeout: float | None = None) -> Json:
    """Run one measurement in a child process (``--child KIND``); its JSON result with the
    peak resident memory of its process tree."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as out:
        result_path = Path(out.name)
    cmd = [sys.executable, "-m", "benchmarks.scale", "--child", kind, json.dumps(args)]
    cmd.append(str(result_path))
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        code = -9
    stop.set()
    sampler.join()
    try:
        result: Json = json.loads(result_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        result = {}
    result_path.unlink(missing_ok=True)
    if code != 0 and not result:
        result = {"error": f"child {kind} exited with {code}"}
    result["peak_mib"] = peak / 1024
    return result


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by ``action`` and what it returned."""
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def canonical(rows: Sequence[Sequence[str | None]]) -> list[list[str]]:
    """Rows as sorted lists of strings, GROUP_CONCAT lists sorted (their order is open)."""
    return sorted([" ".join(sorted((v or "").split(" "))) for v in row] for row in rows)


# -- the children ---------------------------------------------------------------------


def query_parameters(store: Any) -> dict[str, str]:
    """One value per query parameter, from the store: a cause tier, the first incident,
    the organisation with the most incidents and its name."""
    from incident_kg.queries.library import run_local

    first = run_local(
        store,
        "PREFIX ikg: <https://w3id.org/incident-kg/ontology#> "
        "SELECT ?i WHERE { ?i a ikg:Incident } ORDER BY ?i LIMIT 1",
    )
    busiest = run_local(
        store,
        "PREFIX ikg: <https://w3id.org/incident-kg/ontology#> "
        "SELECT ?o (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i ikg:responsibleOrganization ?o } "
        "GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1",
    )
    organization = str(busiest.rows[0][0]) if busiest.rows else ""
    label = run_local(
        store,
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        f"SELECT ?l WHERE {{ <{organization}> skos:prefLabel ?l }} ORDER BY ?l LIMIT 1",
    )
    incident = str(first.rows[0][0]) if first.rows else ""
    cause = run_local(
        store,
        "PREFIX ikg: <https://w3id.org/incident-kg/ontology#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        f"SELECT ?code WHERE {{ <{incident}> ikg:hasCause/skos:notation ?code }} "
        "ORDER BY ?code LIMIT 1",
    )
    return {
        "cause": "tier-supervision",
        "cause_code": str(cause.rows[0][0]) if cause.rows else "LogoutOmission",
        "incident": incident,
        "organization": organization,
        "name": str(label.rows[0][0]) if label.rows else "",
    }


#: The least a listing of the whole corpus costs: every incident with its label, no more.
FLOOR_QUERY = (
    "PREFIX ikg: <https://w3id.org/incident-kg/ontology#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?incident ?label WHERE { ?incident a ikg:Incident ; rdfs:label ?label }"
)


def listing_floor(store: Any) -> tuple[float, int]:
    """Median seconds (of 3, after a warm-up) and rows of :data:`FLOOR_QUERY`: Oxigraph's
    cost per row of a query that lists every incident, the least any such query pays."""
    from incident_kg.queries.library import run_local

    rows = len(run_local(store, FLOOR_QUERY).rows)
    times = [timed(lambda: run_local(store, FLOOR_QUERY))[0] for _ in range(3)]
    return statistics.median(times), rows


def _queries(
    run: Callable[[Any, dict[str, Any]], list[Any]],
    params: dict[str, str],
    repeat: int,
    terms_of: Callable[..., Any],
    only: str | None = None,
    page: bool = False,
) -> Json:
    """Median latency of every named query, and a digest of its canonical answer (answers
    are compared by digest: a list-all query has thousands of rows at 10,000 reports); with
    ``page``, the median of its first page of :data:`PAGE` too."""
    import dataclasses

    from incident_kg.queries.library import load_library, paged

    out: Json = {}
    for name, query in sorted(load_library().items()):
        if only is not None and name != only:
            continue
        terms = terms_of(query, {p.name: params[p.name] for p in query.parameters})
        try:
            first_s, rows = timed(lambda q=query, t=terms: run(q, t))  # the answer
        except Exception as exc:  # the baseline's engine may fail where Oxigraph does not
            out[name] = {"median_s": None, "rows": None, "answer": None, "error": repr(exc)[:200]}
            continue
        times = [first_s]  # a query of many seconds is timed once, by its first run
        if first_s < SLOW_QUERY_S:
            run(query, terms)  # warm-up
            times = [timed(lambda q=query, t=terms: run(q, t))[0] for _ in range(repeat)]
        runs = len(times)
        out[name] = {
            "runs": runs,
            "median_s": statistics.median(times),
            "rows": len(rows),
            "answer": hashlib.sha256(json.dumps(canonical(rows)).encode()).hexdigest(),
        }
        if page:  # the first page (--limit 50), median of `repeat` after a warm-up (once
            # when the whole query is slow: a slow page is timed by one run, like the query)
            first = dataclasses.replace(query, text=paged(query.text, PAGE, 0))
            if first_s < SLOW_QUERY_S:
                run(first, terms)
            page_times = [
                timed(lambda q=first, t=terms: run(q, t))[0]
                for _ in range(repeat if first_s < SLOW_QUERY_S else 1)
            ]
            out[name]["page_s"] = statistics.median(page_times)
    return out


def child_project(args: Json) -> Json:
    """Build the corpus into a fresh store; the query parameters; the later stages; then
    rebuild unchanged, add one report, remove it (the CLI)."""
    from incident_kg.graph.build import build_store, default_extractor, default_workers
    from incident_kg.graph.store import GraphStore
    from incident_kg.ontology.namespaces import DEFAULT_BASE

    corpus, store_dir = Path(args["corpus"]), Path(args["store"])
    shutil.rmtree(store_dir, ignore_errors=True)
    extractor = default_extractor()
    workers = default_workers()
    wall, result = timed(
        lambda: build_store(
            [corpus], store_dir, base=DEFAULT_BASE, extractor=extractor, workers=workers
        )
    )
    with GraphStore.open(store_dir, read_only=True) as store:
        quads = len(store)
        params = query_parameters(store)
        floor_s, floor_rows = listing_floor(store)
        later = run_stages(store, store_dir, params, args["repeat"])
    out: Json = {
        "reports": len(result.loaded),
        "problems": len(result.failed),
        "incidents": result.incidents,
        "quads": quads,
        "build_s": wall,
        "workers": result.workers,
        "stages": result.seconds,
        "params": params,
        "later": later,
        "floor_s": floor_s,
        "floor_rows": floor_rows,
    }
    out["printing"] = {
        fmt: _cli_timed(["query", "incidents", "--format", fmt], str(store_dir), params)
        for fmt in ("table", "csv")
    }
    out["disk_mib"] = _disk_mib(store_dir)
    out.update(_cli_timings(corpus, store_dir, args))
    return out


def _disk_mib(folder: Path) -> float:
    """The size of a folder's files, MiB."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def child_query(args: Json) -> Json:
    """One named query on a built store: its answer's digest and median latency."""
    from incident_kg.graph.store import GraphStore
    from incident_kg.queries.library import bindings, known_codes, run_local

    known = known_codes()
    with GraphStore.open(Path(args["store"]), read_only=True) as store:
        return _queries(
            lambda q, t: list(run_local(store, q, t).rows),
            args["params"],
            args["repeat"],
            lambda q, v: bindings(q, v, known),
            only=args["name"],
            page=True,
        )


def project_queries(store: Path, params: dict[str, str], repeat: int) -> Json:
    """Every named query on the store, each in its own process, stopped after
    :data:`QUERY_TIMEOUT_S` seconds."""
    from incident_kg.queries.library import load_library

    out: Json = {}
    for name in sorted(load_library()):
        payload = {"store": str(store), "params": params, "repeat": repeat, "name": name}
        result = run_child("query", payload, timeout=QUERY_TIMEOUT_S)
        out[name] = result.get(name) or {
            "median_s": None,
            "rows": None,
            "answer": None,
            "error": f"did not finish in {QUERY_TIMEOUT_S} s",
        }
    return out


def _cli(args: Sequence[str]) -> float:
    """Seconds of one ``incident-kg`` command, end to end (process start to exit)."""
    cli = Path(sys.executable).with_name("incident-kg")
    seconds, proc = timed(
        lambda: subprocess.run([str(cli), "-q", *args], capture_output=True, text=True)
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"incident-kg {' '.join(args)} failed: {proc.stderr[-500:]}")
    return seconds


def _cli_timings(corpus: Path, store_dir: Path, args: Json) -> Json:
    """Rebuild with nothing changed, then add one new report: the CLI, end to end."""
    from benchmarks.corpus import generate_report, load_phrases, organisations

    unchanged = _cli(["build", str(corpus), "--store", str(store_dir)])
    extra = generate_report(args["size"], SEED, load_phrases(), organisations())
    path = corpus / extra.name
    path.write_bytes(extra.text.encode(extra.encoding))
    try:
        add_one = _cli(["build", str(corpus), "--store", str(store_dir)])
    finally:
        path.unlink()
    remove_one = _cli(["build", str(corpus), "--store", str(store_dir)])
    return {"rebuild_unchanged_s": unchanged, "add_one_s": add_one, "remove_one_s": remove_one}


def child_export(args: Json) -> Json:
    """Export the built store with export/serialize.py into a file (N-Quads, written graph by
    graph; Turtle, in memory, at small sizes)."""
    from incident_kg.export import export_dataset
    from incident_kg.graph.store import GraphStore

    out: Json = {}
    if args.get("variant") == "dump":
        return _export_dump(Path(args["store"]))
    with (
        GraphStore.open(Path(args["store"]), read_only=True) as store,
        tempfile.TemporaryDirectory(prefix="ikg-export-") as tmp,
    ):
        formats = ["nquads"] + (["turtle"] if args["size"] <= 100 else [])
        for fmt in formats:
            target = Path(tmp) / f"export.{fmt}"
            with target.open("wb") as file:
                seconds, result = timed(lambda f=fmt, o=file: export_dataset(store, f, out=o))
            out[fmt] = {"seconds": seconds, "bytes": result.byte_size}
            target.unlink()
    return out


def _export_dump(store_dir: Path) -> Json:
    """Reference, not the project's export: Oxigraph's own streaming N-Quads dump of the whole
    store (every graph, in store order) into a file — what a streaming export costs."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_dir))
    # the reloaded store may still be writing files as the folder goes (its compaction threads
    # outlive the flush): that must not cost the run its figures (2026-12-05, 10,000 reports)
    with tempfile.TemporaryDirectory(prefix="ikg-dump-", ignore_cleanup_errors=True) as tmp:
        target = Path(tmp) / "store.nq"
        seconds, _ = timed(lambda: store.dump(str(target), format=ox.RdfFormat.N_QUADS))
        size = target.stat().st_size
        # the floor of any build into Oxigraph: its bulk loader alone, on these very quads
        fresh = ox.Store(str(Path(tmp) / "reloaded"))
        started = time.perf_counter()
        fresh.bulk_load(path=str(target), format=ox.RdfFormat.N_QUADS)
        fresh.flush()
        reload_s = time.perf_counter() - started
        del fresh  # closed before its folder is removed
    return {"dump": {"seconds": seconds, "bytes": size, "reload_s": reload_s}}


#: The children of the text sizes (graph mode's are in benchmarks/scale_graph.py).
CHILDREN: dict[str, Callable[[Json], Json]] = {
    "project": child_project,
    "export": child_export,
    "query": child_query,
}


@dataclass
class SizeRun:
    """Everything measured at one size."""

    size: int
    project: Json
    export: Json
    baseline: Json | None
