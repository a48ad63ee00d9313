"""Push, against real Oxigraph servers on 127.0.0.1: the store's graphs copied to a Graph
Store Protocol endpoint, idempotently, never the record keeping."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from incident_kg.cli import main
from incident_kg.export.marking import Tlp
from incident_kg.export.push import graph_store_url, push_graphs
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import LINKS_GRAPH, META_GRAPH, GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE, IKG, ONTOLOGY_GRAPH
from incident_kg.queries.endpoint import OxigraphServer, RunningServer, free_port, running_server

from ..conftest import SAMPLES
from ..sparql_http import http, rows


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    path = tmp_path_factory.mktemp("push") / "store"
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
    with running_server(store_dir, free_port()) as running:
        yield running


AMBER = ox.NamedNode(Tlp.AMBER.iri)
AMBER_OPTION = ("--tlp", "AMBER")


def remote_graph(base: str, graph: str) -> set[ox.Triple]:
    url = f"{base}/store?graph={urllib.parse.quote(graph, safe='')}"
    status, _, data = http(url, accept="application/n-triples")
    assert status == 200, (graph, data)
    return {q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}


def remote_dump(base: str) -> list[bytes]:
    status, _, data = http(f"{base}/store", accept="application/n-quads")
    assert status == 200
    return sorted(data.splitlines())


def test_push_copies_every_graph_but_the_metadata_and_again_changes_nothing(
    local: GraphStore, tmp_path: Path
) -> None:
    with OxigraphServer(tmp_path / "remote", read_only=False, union_default_graph=False) as remote:
        result = push_graphs(local, graph_store_url(remote.url), marking=Tlp.AMBER, redact=False)
        expected = [
            ONTOLOGY_GRAPH,
            *local.asserted_graphs(),
            *local.inferred_graphs(),
            LINKS_GRAPH,  # derived, like the inferences: counts of distinct incidents
        ]
        assert result.graphs == expected and META_GRAPH not in result.graphs
        # the graphs as they say it, the evidence in full form (the store keeps it compact)
        said = {
            name: {
                q.triple
                for q in ox.parse(local.graph_ntriples([name]), format=ox.RdfFormat.N_TRIPLES)
            }
            for name in expected
        }
        marks = len(expected)  # each graph carries its marking
        assert result.triples == sum(len(triples) for triples in said.values()) + marks
        status, _, data = http(
            f"{remote.url}/query", query="SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        )
        assert status == 200
        assert sorted(r["g"] for r in rows(data)) == sorted(expected)
        for name in expected:
            mark = ox.Triple(ox.NamedNode(name), ox.NamedNode(str(IKG.sharingMarking)), AMBER)
            assert remote_graph(remote.url, name) == said[name] | {mark}
        first = remote_dump(remote.url)

        runner = CliRunner()
        pushed = runner.invoke(
            main,
            [
                "-q",
                "push",
                "--endpoint",
                remote.url + "/",
                "--store",
                str(local.path),
                *AMBER_OPTION,
                "--no-redact",
            ],
        )
        assert pushed.exit_code == 0, pushed.output
        assert f"pushed {len(expected)} graph(s)" in pushed.stdout
        assert remote_dump(remote.url) == first


def test_push_to_a_bad_endpoint_is_one_line_naming_it(
    local: GraphStore, server: RunningServer
) -> None:
    runner = CliRunner()
    closed = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(
        main, ["-q", "push", "--endpoint", closed, "--store", str(local.path), "--tlp", "AMBER"]
    )
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert f"{closed}/store" in result.stderr

    result = runner.invoke(  # the served store is read-only: the server says no
        main, ["-q", "push", "--endpoint", server.url, "--store", str(local.path), "--tlp", "RED"]
    )
    assert result.exit_code != 0 and result.stderr.count("\n") == 1
    assert f"{server.url}/store" in result.stderr and "403" in result.stderr

    result = runner.invoke(
        main, ["push", "--graph-store", "ftp://x/", "--store", str(local.path), *AMBER_OPTION]
    )
    assert result.exit_code != 0 and "ftp://x/" in result.stderr
