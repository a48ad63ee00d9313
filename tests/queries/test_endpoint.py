"""SPARQL over HTTP, against real Oxigraph servers on 127.0.0.1: `serve` answers the
SPARQL 1.1 Protocol read-only within its limits, and the named queries answer over HTTP
as they do locally."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

from incident_kg.cli import main
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import META_GRAPH, GraphStore
from incident_kg.graph.summary import SUMMARY_GRAPH
from incident_kg.ontology.namespaces import DEFAULT_BASE, IKG
from incident_kg.queries.endpoint import (
    GRACE,
    EndpointError,
    RunningServer,
    free_port,
    is_loopback,
    negotiate,
    running_server,
    wait_until_ready,
)
from incident_kg.queries.library import load_library

from ..conftest import SAMPLES
from ..sparql_http import http, rows

TIMEOUT = 1  # seconds: the served store's time limit
MAX_RESULTS = 1000
INCIDENTS = """PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?incident ?label WHERE { ?incident a ikg:Incident ; rdfs:label ?label }
ORDER BY ?incident"""
PER_REPORT = """PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
SELECT ?report (COUNT(DISTINCT ?incident) AS ?n)
WHERE { ?incident a ikg:Incident ; ikg:reportedIn ?report } GROUP BY ?report"""
LABELS = """PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?incident a ikg:Incident ; rdfs:label ?label }
WHERE { ?incident a ikg:Incident ; rdfs:label ?label }"""
#: Oxigraph cancels this one itself at its --timeout-s ...
SLOW_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
#: ... but not this one (it sorts ~10^8 rows for a minute): the proxy must stop it.
SLOW_SORT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    path = tmp_path_factory.mktemp("endpoint") / "store"
    with GraphStore.open(path, create=True) as store:
        build([SAMPLES], store, base=DEFAULT_BASE, extractor=extractor)
    return path


@pytest.fixture(scope="module")
def local(store_dir: Path) -> Iterator[GraphStore]:
    store = GraphStore.open(store_dir, read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[RunningServer]:
    with running_server(
        store_dir, free_port(), timeout=TIMEOUT, max_results=MAX_RESULTS
    ) as running:
        yield running


def local_rows(store: GraphStore, sparql: str) -> list[dict[str, str]]:
    solutions = store.query(sparql)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [
        {n: s[n].value for n in names if s[n] is not None}
        for s in solutions  # type: ignore[attr-defined]
    ]


# -- serve: the protocol -------------------------------------------------------------------


def test_select_over_get_and_post_answers_as_the_local_store(
    server: RunningServer, local: GraphStore
) -> None:
    expected = local_rows(local, INCIDENTS)
    assert len(expected) >= 10  # the samples hold that many incidents
    for method in ("GET", "POST"):
        status, ctype, data = http(server.query_url, query=INCIDENTS, method=method)
        assert (status, ctype) == (200, "application/sparql-results+json"), data
        assert rows(data) == expected
    status, _, data = http(
        server.query_url,
        method="POST",
        body=PER_REPORT.encode(),
        content_type="application/sparql-query",
    )
    assert status == 200
    got = {r["report"]: int(r["n"]) for r in rows(data)}
    assert got == {r["report"]: int(r["n"]) for r in local_rows(local, PER_REPORT)}
    assert sum(got.values()) == len(expected)


def test_csv_tsv_and_xml_by_accept_header(server: RunningServer, local: GraphStore) -> None:
    expected = local_rows(local, INCIDENTS)
    status, ctype, data = http(server.query_url, query=INCIDENTS, accept="text/csv")
    assert status == 200 and ctype.startswith("text/csv")
    table = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert table[0] == ["incident", "label"]
    assert [dict(zip(table[0], r, strict=True)) for r in table[1:]] == expected

    status, ctype, data = http(
        server.query_url, query=INCIDENTS, accept="text/tab-separated-values"
    )
    assert status == 200 and ctype.startswith("text/tab-separated-values")
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == "?incident\t?label" and len(lines) == len(expected) + 1

    status, ctype, data = http(
        server.query_url,
        query=INCIDENTS,
        accept="text/csv;q=0.5, application/sparql-results+xml",
    )
    assert status == 200 and ctype.startswith("application/sparql-results+xml")
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    results = ET.fromstring(data).findall("s:results/s:result", ns)
    assert len(results) == len(expected)

    status, _, data = http(server.query_url, query="ASK { ?s ?p ?o }", accept="*/*")
    assert status == 200 and json.loads(data)["boolean"] is True


def test_construct_answers_turtle_that_rdflib_parses(
    server: RunningServer, local: GraphStore
) -> None:
    status, ctype, data = http(server.query_url, query=LABELS, accept="text/turtle")
    assert status == 200 and ctype.startswith("text/turtle")
    graph = Graph().parse(data=data.decode("utf-8"), format="turtle")
    expected = local.query(LABELS)
    assert len(graph) == len(list(expected)) > 0  # type: ignore[call-overload]
    status, ctype, _ = http(server.query_url, query=LABELS, accept="*/*")
    assert status == 200 and ctype.startswith("text/turtle")
    status, _, _ = http(server.query_url, query=LABELS, accept="application/sparql-results+json")
    assert status == 406


def test_the_default_graph_is_the_union_of_the_graphs(
    server: RunningServer, local: GraphStore
) -> None:
    status, _, data = http(server.query_url, query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert status == 200
    record_keeping = len(list(local.quads([META_GRAPH])))
    summaries = len(list(local.quads([SUMMARY_GRAPH])))  # the analysis's (graph/summary.py)
    texts = len(list(local.query(f"SELECT * WHERE {{ GRAPH ?g {{ ?r <{IKG.sourceText}> ?t }} }}")))
    assert record_keeping > 0 and summaries > 0 and texts > 0
    served = len(local) - record_keeping - summaries - texts  # all but those and the texts
    assert int(rows(data)[0]["n"]) == served


def test_updates_are_refused(server: RunningServer, local: GraphStore) -> None:
    update = "INSERT DATA { <https://example.org/a> <https://example.org/p> 1 }"
    status, _, _ = http(
        f"{server.url}/update",
        method="POST",
        body=urllib.parse.urlencode({"update": update}).encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert status == 403
    status, _, _ = http(
        f"{server.url}/sparql",
        method="POST",
        body=update.encode(),
        content_type="application/sparql-update",
    )
    assert status == 403
    status, _, _ = http(
        f"{server.url}/store?graph=https://example.org/g",
        method="PUT",
        body=b"<https://example.org/a> <https://example.org/p> 1 .\n",
        content_type="application/n-triples",
    )
    assert status == 403
    status, _, data = http(
        server.query_url, query="ASK { <https://example.org/a> ?p ?o }", accept="*/*"
    )
    assert json.loads(data)["boolean"] is False


# -- serve: the limits ---------------------------------------------------------------------


def test_a_query_oxigraph_cancels_is_refused_at_the_time_limit(server: RunningServer) -> None:
    start = time.monotonic()
    status, _, data = http(server.query_url, query=SLOW_COUNT)
    assert status == 403 and b"time limit of 1 s" in data
    assert time.monotonic() - start < TIMEOUT + GRACE + 1


def test_a_query_oxigraph_would_not_cancel_is_stopped_by_a_restart(
    server: RunningServer,
) -> None:
    old = server.upstream.pid
    assert old is not None
    start = time.monotonic()
    status, _, data = http(server.query_url, query=SLOW_SORT, accept="text/csv")
    assert status == 403 and b"time limit" in data
    assert time.monotonic() - start < TIMEOUT + GRACE + 2
    assert server.upstream.pid != old
    assert not Path(f"/proc/{old}").exists() or sys.platform != "linux"  # not computing on
    status, _, data = http(server.query_url, query="ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(data)["boolean"] is True


def test_an_answer_past_the_result_limit_is_refused(server: RunningServer) -> None:
    status, ctype, data = http(server.query_url, query="SELECT * WHERE { ?s ?p ?o }")
    assert status == 403 and ctype.startswith("text/plain")
    assert f"more than {MAX_RESULTS} results".encode() in data
    status, _, data = http(
        server.query_url, query=f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_RESULTS}"
    )
    assert status == 200 and len(rows(data)) == MAX_RESULTS
    status, _, data = http(
        server.query_url,
        query="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        accept="text/turtle",
    )
    assert status == 403 and b"more than" in data


def test_federated_queries_are_refused(server: RunningServer) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    for method in ("GET", "POST"):
        status, _, data = http(server.query_url, query=query, method=method)
        assert status == 403 and b"SERVICE" in data


def test_only_the_servers_own_paths_are_served(server: RunningServer) -> None:
    status, ctype, data = http(f"{server.url}/", accept="text/html")
    assert status == 200 and ctype.startswith("text/html") and b"yasgui" in data
    assert http(f"{server.url}/%71uery", query="ASK {}")[0] == 404


def test_accept_headers_are_negotiated() -> None:
    results = (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.CSV)
    pick = ox.QueryResultsFormat.from_media_type
    assert negotiate(None, pick, results) == ox.QueryResultsFormat.JSON
    assert negotiate("text/csv;q=0.4, */*;q=0.5", pick, results) == ox.QueryResultsFormat.JSON
    assert negotiate("text/*", pick, results) == ox.QueryResultsFormat.CSV
    assert negotiate("text/html", pick, results) is None


def test_a_host_that_is_not_loopback_needs_allow_remote(store_dir: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("kg.example.lg.jp")
    with pytest.raises(EndpointError, match="allow-remote"):
        with running_server(store_dir, 0, host="0.0.0.0"):
            pass
    result = CliRunner().invoke(main, ["serve", "--store", str(store_dir), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--allow-remote" in result.stderr


@pytest.mark.parametrize("whole_group", [False, True], ids=["sigint", "ctrl-c"])
def test_serve_runs_until_ctrl_c_and_stops_cleanly(store_dir: Path, whole_group: bool) -> None:
    port = free_port()
    command = ["serve", "--store", str(store_dir), "--port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "incident_kg.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", proc, timeout=30)
        status, _, data = http(f"http://127.0.0.1:{port}/query", query=INCIDENTS)
        assert status == 200 and rows(data)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        child = children.read_text().split() if children.exists() else []
        if whole_group:  # a terminal's Ctrl-C reaches every process of the group
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert b"stopped" in err and b"Traceback" not in err
    time.sleep(0.2)
    for pid in child:
        assert not Path(f"/proc/{pid}").exists(), "the oxigraph server outlived serve"


# -- query --endpoint: the named queries over HTTP ------------------------------------

#: One value for each parameter of the named queries.
QUERY_PARAMS = {
    "cause": "tier-supervision",
    "incident": "https://w3id.org/incident-kg/id/report/s01-chuo-staff-phone/incident/1",
    "name": "堺市",
}
HOSTILE = '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o'


def _cli_rows(
    store_dir: Path, query: str, endpoint: str | None, params: dict[str, str]
) -> list[str]:
    """The JSON rows of `incident-kg query NAME` (local store, or --endpoint), each row as
    canonical JSON with GROUP_CONCAT lists sorted (SPARQL leaves their order open)."""
    args = ["query", query, "--format", "json", "--store", str(store_dir)]
    args += [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    if endpoint is not None:
        args += ["--endpoint", endpoint]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out = []
    for row in json.loads(result.stdout):
        norm = {k: " ".join(sorted(v.split(" "))) if v else v for k, v in row.items()}
        out.append(json.dumps(norm, ensure_ascii=False, sort_keys=True))
    return sorted(out)


@pytest.mark.parametrize("name", sorted(load_library()))
def test_every_named_query_answers_the_same_from_the_cli_and_over_http(
    name: str, server: RunningServer, store_dir: Path
) -> None:
    params = {p.name: QUERY_PARAMS[p.name] for p in load_library()[name].parameters}
    local = _cli_rows(store_dir, name, None, params)
    remote = _cli_rows(store_dir, name, server.query_url, params)
    assert remote == local
    if not name.endswith("-violation"):
        assert local, f"{name} answers nothing on the sample corpus"


def test_a_hostile_parameter_is_a_plain_value_over_http(
    server: RunningServer, store_dir: Path, local: GraphStore
) -> None:
    before = len(local)
    query = "incidents-within-organization"
    assert _cli_rows(store_dir, query, None, {"name": HOSTILE}) == []
    assert _cli_rows(store_dir, query, server.query_url, {"name": HOSTILE}) == []
    assert rows(http(server.query_url, query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[2])
    assert len(local) == before
