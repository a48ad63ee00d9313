"""The endpoint against hostile requests (issue 16, failures 4 to 7), over real HTTP to a
real Oxigraph server: queries checked by a parser before they reach the server, refusals
as 4xx, oversized requests as 413/414, a dead server started again, the record keeping
never served, and `query --file` under the same checks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import META_GRAPH, GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE
from incident_kg.queries.checks import MAX_NESTING, QueryRefused, check_query, scan
from incident_kg.queries.endpoint import RunningServer, free_port, running_server
from incident_kg.queries.proxy import MAX_REQUEST_BYTES, MAX_URL_CHARS

from ..conftest import SAMPLES
from ..sparql_http import http, rows

ASK = "ASK { ?s ?p ?o }"
CLI = [sys.executable, "-m", "incident_kg.cli"]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "store"
    with GraphStore.open(path, create=True) as store:
        build(sorted(SAMPLES.iterdir())[:3], store, base=DEFAULT_BASE, extractor=extractor)
    return path


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[RunningServer]:
    with running_server(store_dir, free_port(), timeout=5) as running:
        yield running


class Listener:
    """A TCP port that counts the connections made to it (a "remote" SERVICE target)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def _alive(server: RunningServer) -> bool:
    status, _, data = http(server.query_url, query=ASK)
    return status == 200 and json.loads(data)["boolean"] is True


def test_a_query_nested_thousands_deep_is_refused_and_the_server_lives(
    server: RunningServer,
) -> None:
    """Failure 5: 2,000 to 5,000 levels of `{` made Oxigraph abort (exit -6) for good."""
    pid = server.upstream.pid
    for depth in (2000, 5000, 20000):
        deep = "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth
        status, ctype, data = http(server.query_url, query=deep, method="POST")
        assert status == 400 and ctype.startswith("text/plain"), data
        assert b"nested" in data
    assert _alive(server) and server.upstream.pid == pid


def test_nesting_is_bounded_before_the_parser_and_counted_past_escapes() -> None:
    assert scan("SELECT * { " + "{" * 30 + "}" * 30 + " }").depth == 31
    hidden = "PREFIX ex: <http://e/> SELECT * { ex:a\\# " + "{" * 100 + "}" * 100 + " }"
    assert scan(hidden).depth == 101  # `\#` is an escape, not a comment
    assert scan('SELECT * { ?s ?p "{{{{" } # {{{{').depth == 1
    with pytest.raises(QueryRefused, match="nested"):
        check_query("SELECT * WHERE " + "(" * (MAX_NESTING + 1) + ")" * (MAX_NESTING + 1))


def test_service_is_found_in_the_parse_tree_not_by_matching_text(listener: Listener) -> None:
    """Failure 6: the text filter read `ex:a\\#` as the start of a comment."""
    target = f"<http://127.0.0.1:{listener.port}/sparql>"
    for query in (
        f"PREFIX ex: <http://e/>\nSELECT * WHERE {{ ?s ex:p ex:a\\#b . SERVICE {target} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE {target} {{ ?s ?p ?o }} }}",
        f"select * where {{ ?x ?y ?z lateral {{ service {target} {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT {target} {{ ?s ?p ?o }} }}",
    ):
        with pytest.raises(QueryRefused) as refused:
            check_query(query)
        assert 400 <= refused.value.status < 500
    assert check_query('SELECT ?service WHERE { ?service <x:p> "SERVICE" } # SERVICE')


def test_service_over_http_is_refused_with_a_4xx_and_no_connection(
    server: RunningServer, listener: Listener
) -> None:
    query = (
        "PREFIX ex: <http://example.org/>\n"
        f"SELECT * WHERE {{ ?s ex:p ex:a\\#b . SERVICE <http://127.0.0.1:{listener.port}/> "
        "{ ?s ?p ?o } }"
    )
    for method in ("GET", "POST"):
        status, _, data = http(server.query_url, query=query, method=method)
        assert 400 <= status < 500, data
    status, _, _ = http(
        server.query_url,
        method="POST",
        body=query.encode(),
        content_type="application/sparql-query",
    )
    assert 400 <= status < 500
    time.sleep(0.3)
    assert listener.connections == 0
    assert _alive(server)


def test_one_query_per_request_and_updates_by_any_way_are_refused(server: RunningServer) -> None:
    url = server.query_url + "?" + urllib.parse.urlencode({"query": ASK})
    status, _, data = http(url, query="ASK { ?s ?p 1 }", method="POST")
    assert status == 400 and b"more than one query" in data
    update = "DELETE WHERE { ?s ?p ?o }"
    for body, ctype in (
        (update.encode(), "application/sparql-update"),
        (urllib.parse.urlencode({"update": update}).encode(), "application/x-www-form-urlencoded"),
        (update.encode(), "application/sparql-query"),
    ):
        status, _, _ = http(server.query_url, method="POST", body=body, content_type=ctype)
        assert status == 403
    assert _alive(server)


def test_an_oversized_request_is_answered_414_or_413_not_a_traceback(
    server: RunningServer,
) -> None:
    """Failure 7: a GET with a 100 KB query string gave a traceback in the proxy and no reply."""
    for size in (MAX_URL_CHARS, 100_000):  # this proxy's limit, then http.server's own
        filler = "SELECT * WHERE { ?s ?p ?o } # " + "x" * size
        status, ctype, data = http(server.query_url, query=filler)
        assert status == 414 and ctype.startswith("text/plain"), data
        assert len(data.splitlines()) == 1
    status, _, data = http(
        server.query_url,
        method="POST",
        body=b"x" * (MAX_REQUEST_BYTES + 1),
        content_type="application/sparql-query",
    )
    assert status == 413
    long_query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 70_000
    status, _, data = http(server.query_url, query=long_query, method="POST")
    assert status == 413 and b"longer than" in data
    assert _alive(server)


def test_the_record_keeping_is_never_served(server: RunningServer) -> None:
    """Failure 4: `serve` exposed the metadata graph (absolute paths of the report files)."""
    status, _, data = http(
        server.query_url, query=f"SELECT * WHERE {{ GRAPH <{META_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    assert status == 200 and rows(data) == []
    status, _, data = http(
        server.query_url,
        query="SELECT ?o WHERE { ?s <https://w3id.org/incident-kg/ontology#sourcePath> ?o }",
    )
    assert status == 200 and rows(data) == []
    status, _, data = http(
        server.query_url, query="SELECT ?o WHERE { ?s ?p ?o }", accept="text/csv"
    )
    assert str(SAMPLES).encode() not in data
    status, _, _ = http(
        f"{server.url}/store?graph={urllib.parse.quote(META_GRAPH, safe='')}",
        accept="application/n-triples",
    )
    assert status == 404


def test_a_server_that_dies_is_started_again(server: RunningServer) -> None:
    pid = server.upstream.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while not (server.upstream.pid not in (None, pid) and _alive(server)):
        assert time.monotonic() < deadline, "the server was not started again"
        time.sleep(0.1)


# -- query --file: the same checks, one line, no traceback, no connection --------------


@pytest.mark.parametrize(
    "query, says",
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:PORT/> { ?s ?p ?o } }", "SERVICE"),
        (
            "PREFIX ex: <http://e/>\nSELECT * WHERE { ?s ex:p ex:a\\#b . "
            "SERVICE <http://127.0.0.1:PORT/> { ?s ?p ?o } }",
            "not a SPARQL query",
        ),
        ("DELETE WHERE { ?s ?p ?o }", "update"),
        ("SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000, "nested"),
        ("SELEKT nothing", "not a SPARQL query"),
    ],
    ids=["service", "escaped-hash", "update", "deep", "garbage"],
)
def test_query_file_is_checked_the_same_way(
    query: str, says: str, store_dir: Path, tmp_path: Path, listener: Listener
) -> None:
    """Failure 6: `query --file` with SERVICE made an outbound connection and ended in a
    traceback."""
    rq = tmp_path / "mine.rq"
    rq.write_text(query.replace("PORT", str(listener.port)), encoding="utf-8")
    before = GraphStore.open(store_dir, read_only=True)
    size = len(before)
    before.close()
    proc = subprocess.run(
        [*CLI, "query", "--file", str(rq), "--store", str(store_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("Error: ") and says in line and str(rq) in line
    time.sleep(0.2)
    assert listener.connections == 0
    with GraphStore.open(store_dir, read_only=True) as after:
        assert len(after) == size


def test_query_file_refuses_a_fifo_and_a_huge_file(store_dir: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.rq"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.rq"
    huge.write_text("SELECT * WHERE { ?s ?p ?o } #" + "x" * 2_000_000, encoding="utf-8")
    for path, says in ((fifo, "FIFO"), (huge, "too large")):
        proc = subprocess.run(
            [*CLI, "query", "--file", str(path), "--store", str(store_dir)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert says in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_the_reports_whole_texts_are_not_served(server: RunningServer, store_dir: Path) -> None:
    """The store keeps each report's text to cut its spans' context from (graph/evidence.py);
    a client of the endpoint reads the spans, never the whole text."""
    text = "SELECT ?o WHERE { ?s <https://w3id.org/incident-kg/ontology#sourceText> ?o }"
    with GraphStore.open(store_dir, read_only=True) as store:
        assert list(store.query(text))  # kept in the store …
    status, _, data = http(server.query_url, query=text)
    assert status == 200 and rows(data) == []  # … and not served
