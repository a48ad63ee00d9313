"""What the scale harness measures and how: the stages timed after a build, the child
processes (each with its own heap and peak memory), and the record of one size's run."""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
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
DEFAULT_GRAPH_TRIPLES = 1_000_000
DEFAULT_REPEAT = 5
#: A query whose warm-up run takes longer than this is timed once, not ``--repeat`` times.
SLOW_QUERY_S = 5.0
#: A named query still running after this many seconds is stopped (its process killed).
QUERY_TIMEOUT_S = 240
SEED = 7

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


def stage_analysis(context: Json) -> Json:
    """analysis/network.py and analysis/algorithms.py on the built store: the projection into
    NetworkX, the ranking of causes, their co-occurrence, the incidents most like one."""
    from incident_kg.analysis.algorithms import cooccurrence, rank_causes, similar_incidents
    from incident_kg.analysis.network import load_network, nodes_of_kind

    network_s, g = timed(lambda: load_network(context["store_obj"]))
    context["network"] = g
    rank_s, _ = timed(lambda: rank_causes(g))
    cooccurrence_s, _ = timed(lambda: cooccurrence(g))
    incidents = nodes_of_kind(g, "incident")
    similar_s, _ = timed(lambda: similar_incidents(g, incidents[0]) if incidents else None)
    return {
        "network_s": network_s,
        "rank_s": rank_s,
        "cooccurrence_s": cooccurrence_s,
        "similar_s": similar_s,
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
    }


def _analysis_cell(m: Json) -> str:
    if "error" in m:
        return str(m["error"])
    return (
        f"projection {fmt_seconds(m['network_s'])} s ({m['nodes']:,} nodes, {m['edges']:,} edges), "
        f"rank causes {fmt_seconds(m['rank_s'])} s, co-occurrence "
        f"{fmt_seconds(m['cooccurrence_s'])} s, similar incidents {fmt_seconds(m['similar_s'])} s"
    )


def stage_views(context: Json) -> Json:
    """The overview page (views/pages.py, default limits) written from the projection, then
    opened in Debian's headless Chromium, offline, until vis-network's first drawing (median
    of three fresh browser contexts)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.views_scale import draw_seconds, write_overview
    from incident_kg import views
    from incident_kg.analysis.network import load_network

    g = context.get("network") or load_network(context["store_obj"])
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
    Stage("analysis", "analysis", stage_analysis, _analysis_cell),
    Stage(
        "views",
        "views (overview page draw in headless Chromium)",
        stage_views,
        _views_cell,
    ),
)


def run_stages(store: Any, store_dir: Path) -> Json:
    """Every later stage on the open store; a stage that fails is reported, not fatal."""
    context: Json = {"store_obj": store, "store": str(store_dir)}
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
    return {
        "cause": "tier-supervision",
        "incident": str(first.rows[0][0]) if first.rows else "",
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
) -> Json:
    """Median latency of every named query, and a digest of its canonical answer (answers
    are compared by digest: a list-all query has thousands of rows at 10,000 reports)."""
    from incident_kg.queries.library import load_library

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
        later = run_stages(store, store_dir)
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
    out.update(_cli_timings(corpus, store_dir, args))
    return out


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
    with tempfile.TemporaryDirectory(prefix="ikg-dump-") as tmp:
        target = Path(tmp) / "store.nq"
        seconds, _ = timed(lambda: store.dump(str(target), format=ox.RdfFormat.N_QUADS))
        size = target.stat().st_size
        # the floor of any build into Oxigraph: its bulk loader alone, on these very quads
        fresh = ox.Store(str(Path(tmp) / "reloaded"))
        reload_s, _ = timed(lambda: fresh.bulk_load(path=str(target), format=ox.RdfFormat.N_QUADS))
        fresh.flush()
    return {"dump": {"seconds": seconds, "bytes": size, "reload_s": reload_s}}


def child_baseline(args: Json) -> Json:
    """The obvious pipeline: one process, one in-memory rdflib Graph, owlrl's full
    closure, rdflib's SPARQL."""
    from rdflib import Graph

    from incident_kg import __version__
    from incident_kg.graph.build import collect_files, default_extractor, read_and_extract
    from incident_kg.graph.triples import report_triples
    from incident_kg.ontology.namespaces import DEFAULT_BASE
    from incident_kg.ontology.vocabulary import ontology_graph

    extractor = default_extractor()
    files, _ = collect_files([Path(args["corpus"])])
    reports = []
    extract_s, _ = timed(lambda: reports.extend(_extract_all(files, extractor, read_and_extract)))
    graph = Graph()

    def load() -> None:
        for triple in ontology_graph():
            graph.add(triple)
        for report in reports:
            for triple in report_triples(report, base=DEFAULT_BASE, software_version=__version__):
                graph.add(triple)

    load_s, _ = timed(load)
    asserted = len(graph)
    out: Json = {
        "extract_s": extract_s,
        "load_s": load_s,
        "triples": asserted,
        "reports": len(reports),
    }

    context = mp.get_context("fork")  # the closure works on this process's graph, inherited
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(
        target=_close_and_query, args=(graph, args["params"], args["repeat"], sender)
    )
    worker.start()
    sender.close()
    # owlrl swallows exceptions (bare excepts), so a signal cannot stop it: a process can
    if not receiver.poll(args["timeout"]):
        worker.kill()
        worker.join()
        out["reason_s"] = None
        out["reason_note"] = f"did not finish in {args['timeout']} s"
        out["reason_bound_s"] = float(args["timeout"])
        return out
    out.update(receiver.recv())  # the closure's time and size
    if receiver.poll(QUERY_TIMEOUT_S * 3):  # the named queries over it, on Oxigraph
        out.update(receiver.recv())
    from incident_kg.queries.library import load_library

    out["queries"] = {}
    for _ in load_library():  # one answer per query, each stopped after its time limit
        if not receiver.poll(QUERY_TIMEOUT_S + 60):
            worker.kill()
            break
        try:
            out["queries"].update(receiver.recv())
        except EOFError:
            break
    for name in sorted(load_library()):
        out["queries"].setdefault(
            name,
            {
                "median_s": None,
                "rows": None,
                "answer": None,
                "error": f"did not finish in {QUERY_TIMEOUT_S} s",
            },
        )
    worker.join()
    return out


def _close_and_query(graph: Any, params: dict[str, str], repeat: int, sender: Any) -> None:
    """In a forked process: owlrl's full closure of ``graph``, then every named query on
    rdflib's engine, each in a process forked from this one (the closed graph inherited) and
    stopped after :data:`QUERY_TIMEOUT_S` seconds, so that one slow query does not cost the
    others their answer; each result is sent as soon as it is known."""
    import owlrl

    from incident_kg.queries.library import load_library

    seconds, _ = timed(lambda: owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph))
    sender.send({"reason_s": seconds, "closed_triples": len(graph)})
    sender.send({"closure_answers": _closure_answers(graph, params)})
    context = mp.get_context("fork")
    for name in sorted(load_library()):
        receiver, child_sender = context.Pipe(duplex=False)
        proc = context.Process(
            target=_baseline_query, args=(graph, name, params, repeat, child_sender)
        )
        proc.start()
        child_sender.close()
        result: Json = {
            name: {
                "median_s": None,
                "rows": None,
                "answer": None,
                "error": f"did not finish in {QUERY_TIMEOUT_S} s",
            }
        }
        if receiver.poll(QUERY_TIMEOUT_S):
            try:
                result = receiver.recv()
            except EOFError:
                result[name]["error"] = "the query's process died"
        else:
            proc.kill()
        proc.join()
        sender.send(result)
    sender.close()


class _ClosureStore:
    """owlrl's closed graph in an in-memory Oxigraph store (its default graph), queried as
    :func:`~incident_kg.queries.library.run_local` queries the project's store."""

    def __init__(self, graph: Any) -> None:
        import pyoxigraph as ox
        from rdflib import Literal
        from rdflib.plugins.serializers.nt import _nt_row

        self._store = ox.Store()
        rows = (_nt_row(t) for t in graph if not isinstance(t[0], Literal))  # no store holds those
        self._store.load("".join(rows).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        # the links graph is the project's link pass over the same facts, not reasoning
        from incident_kg.graph.links import relink
        from incident_kg.graph.store import GraphStore

        relink(GraphStore(self._store, Path(".")))

    def query(self, text: str, terms: dict[str, Any]) -> Any:
        import pyoxigraph as ox

        return self._store.query(text, substitutions={ox.Variable(k): v for k, v in terms.items()})


def _closure_answers(graph: Any, params: dict[str, str]) -> Json:
    """Every named query's answer over owlrl's full closure, on Oxigraph's engine — the same
    engine as the project's, so what this compares is the reasoning alone (rdflib's engine
    fails on some of the queries)."""
    from incident_kg.queries.library import bindings, known_codes, run_local

    try:
        store = _ClosureStore(graph)
    except Exception as exc:  # reported, not fatal: the rdflib comparison still runs
        return {"error": repr(exc)[:200]}
    known = known_codes()
    return _queries(
        lambda q, t: list(run_local(store, q, t).rows),  # type: ignore[arg-type]
        params,
        1,
        lambda q, v: bindings(q, v, known),
    )


def _baseline_query(
    graph: Any, name: str, params: dict[str, str], repeat: int, sender: Any
) -> None:
    """In a forked process: one named query on rdflib's engine over the closed graph, in
    plain SPARQL 1.1 (:func:`~incident_kg.queries.library.standard_sparql`)."""
    from incident_kg.queries.library import (
        bindings,
        known_codes,
        standard_sparql,
        with_values_clause,
    )

    known = known_codes()

    def run(query: Any, terms: dict[str, Any]) -> list[Any]:
        result = graph.query(with_values_clause(standard_sparql(query.text), terms))
        return [tuple(None if v is None else str(v) for v in row) for row in result]

    sender.send(_queries(run, params, repeat, lambda q, v: bindings(q, v, known), only=name))
    sender.close()


def _extract_all(files: Sequence[Path], extractor: Any, read: Callable[..., Any]) -> list[Any]:
    from incident_kg.errors import IncidentKGError

    out = []
    for path in files:
        try:
            out.append(read(path, extractor))
        except IncidentKGError:
            continue
    return out


def child_graph(args: Json) -> Json:
    """Graph mode: report graphs (no text) → reasoning → the store → queries."""
    from rdflib import Graph
    from rdflib.plugins.serializers.nt import _nt_row

    from benchmarks.corpus import graph_corpus
    from incident_kg.graph.build import ontology_rules
    from incident_kg.graph.reason import inferred_graph_for, materialise
    from incident_kg.graph.store import GraphStore, RecordInfo, ReportWrite, SharedPart
    from incident_kg.graph.triples import split_shared
    from incident_kg.ontology.namespaces import DEFAULT_BASE

    graphs = list(graph_corpus(args["triples"], SEED))
    store_dir = Path(args["store"])
    shutil.rmtree(store_dir, ignore_errors=True)
    out: Json = {"graphs": len(graphs), "triples": sum(nt.count("\n") for _, nt in graphs)}
    with GraphStore.open(store_dir, create=True) as store:
        store.check_base(DEFAULT_BASE)
        rules = ontology_rules(store)
        reason_s = 0.0
        write_s = 0.0
        batch: list[ReportWrite] = []
        for name, nt in graphs:
            triples = set(Graph().parse(data=nt, format="nt"))
            seconds, inferred = timed(lambda t=triples: materialise(t, rules))
            reason_s += seconds
            report = name.replace("/graph/", "/report/")
            info = RecordInfo(report, "-", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
            own, shared = split_shared(triples, report)  # as graph/build.py writes them
            own_inferred, shared_inferred = split_shared(inferred, report)
            batch.append(
                ReportWrite(
                    name,
                    "".join(map(_nt_row, own)),
                    info,
                    (inferred_graph_for(name), "".join(map(_nt_row, own_inferred))),
                    SharedPart(
                        "".join(map(_nt_row, shared)), "".join(map(_nt_row, shared_inferred))
                    ),
                )
            )
            if len(batch) >= 64:
                write_s += timed(lambda b=batch: store.add_reports(b))[0]
                batch = []
        write_s += timed(lambda: store.add_reports(batch))[0]
        out.update({"reason_s": reason_s, "write_s": write_s, "quads": len(store)})
        out["params"] = query_parameters(store)
    return out


CHILDREN: dict[str, Callable[[Json], Json]] = {
    "project": child_project,
    "export": child_export,
    "baseline": child_baseline,
    "graph": child_graph,
    "query": child_query,
}


@dataclass
class SizeRun:
    """Everything measured at one size."""

    size: int
    project: Json
    export: Json
    baseline: Json | None
