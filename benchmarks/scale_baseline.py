"""The baseline of the scale harness: the obvious pipeline — one process, one in-memory
rdflib Graph, owlrl's full closure, rdflib's SPARQL — and the same named queries over that
closure on Oxigraph's engine, to compare the reasoning alone."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.scale_measure import QUERY_TIMEOUT_S, Json, _queries, timed


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
    compact_evidence: list[str] = []

    def load() -> None:
        from incident_kg.graph.build import _term_nt
        from incident_kg.graph.evidence import compact

        for triple in ontology_graph():
            graph.add(triple)
        for report in reports:
            triples = list(report_triples(report, base=DEFAULT_BASE, software_version=__version__))
            for triple in triples:
                graph.add(triple)
            # and the evidence as the store keeps it, which the named queries read
            # (graph/evidence.py), added after the closure as the project adds it to its
            # reasoned store (the inferences are those of the full form)
            stored, readings = compact([tuple(map(_term_nt, t)) for t in triples])
            compact_evidence.append("".join(f"{a} {b} {c} .\n" for a, b, c in (*stored, *readings)))

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
        target=_close_and_query,
        args=(graph, args["params"], args["repeat"], sender, "".join(compact_evidence)),
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


def _close_and_query(
    graph: Any, params: dict[str, str], repeat: int, sender: Any, evidence: str = ""
) -> None:
    """In a forked process: owlrl's full closure of ``graph``, then every named query on
    rdflib's engine, each in a process forked from this one (the closed graph inherited) and
    stopped after :data:`QUERY_TIMEOUT_S` seconds, so that one slow query does not cost the
    others their answer; each result is sent as soon as it is known."""
    import owlrl

    from incident_kg.queries.library import load_library

    seconds, _ = timed(lambda: owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph))
    sender.send({"reason_s": seconds, "closed_triples": len(graph)})
    if evidence:  # the compact evidence the queries read (see child_baseline)
        graph.parse(data=evidence, format="nt")
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

        relink(GraphStore(self._store, Path(".")), incremental=False)

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
