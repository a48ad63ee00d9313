"""The named queries on a standard SPARQL 1.1 store: the store's graphs pushed into a plain
``oxigraph serve`` (its default graph is not the union of its graphs, as in most stores)
answer every named query with the rows of the local store.

The queries are not rewritten: ``query --endpoint`` asks a server whose default graph does
not hold the data with a request that says which dataset to read (queries/library.py): the
server's own switch to a union default graph where it has one (Oxigraph's
``union-default-graph``), else the standard SPARQL 1.1 Protocol's ``default-graph-uri`` /
``named-graph-uri`` naming every graph.  Both ways are tested here.
Apache Jena Fuseki, the second server the issue names, installs neither from Debian (which
packages the Jena library, not the Fuseki server) nor from PyPI, so it is not tested here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from incident_kg.cli import main
from incident_kg.export.marking import Tlp
from incident_kg.export.push import graph_store_url, push_graphs
from incident_kg.graph.store import GraphStore
from incident_kg.queries.endpoint import OxigraphServer
from incident_kg.queries.library import (
    bindings,
    known_codes,
    load_library,
    remote_dataset,
    run_local,
    run_remote,
)

from ..sparql_http import http, rows

PARAMS = {
    "cause": "tier-supervision",
    "incident": "https://w3id.org/incident-kg/id/report/s01-chuo-staff-phone/incident/1",
    "name": "堺市",
}


@pytest.fixture(scope="module")
def plain_server(
    tmp_path_factory: pytest.TempPathFactory, interchange_store: Path
) -> Iterator[OxigraphServer]:
    """A plain read-write ``oxigraph serve`` (no union default graph) holding what ``push``
    sent it."""
    location = tmp_path_factory.mktemp("plain") / "remote"
    with OxigraphServer(location, read_only=False, union_default_graph=False) as server:
        with GraphStore.open(interchange_store, read_only=True) as store:
            # an internal push (a server inside the office): marked, not redacted
            push_graphs(store, graph_store_url(server.url), marking=Tlp.AMBER, redact=False)
        yield server


def cli_rows(store_dir: Path, query: str, endpoint: str | None) -> list[str]:
    """The rows of `incident-kg query NAME --format json`, each as canonical JSON with its
    GROUP_CONCAT lists sorted (SPARQL leaves their order open)."""
    params = {p.name: PARAMS[p.name] for p in load_library()[query].parameters}
    args = ["-q", "query", query, "--store", str(store_dir), "--format", "json"]
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


def test_the_plain_servers_default_graph_does_not_hold_the_pushed_data(
    plain_server: OxigraphServer,
) -> None:
    """What made the named queries answer nothing there: the data is in named graphs only."""
    status, _, data = http(f"{plain_server.url}/query", query="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert status == 200 and rows(data) == []
    assert remote_dataset(f"{plain_server.url}/query") == (("union-default-graph", ""),)
    standard = remote_dataset(f"{plain_server.url}/query", switches=False)
    graphs = {g for k, g in standard if k == "default-graph-uri"}
    assert graphs == {g for k, g in standard if k == "named-graph-uri"}
    assert len(graphs) > 10 and "https://w3id.org/incident-kg/graph/ontology" in graphs


@pytest.mark.parametrize("name", sorted(load_library()))
def test_every_named_query_answers_on_a_plain_store_as_on_the_local_one(
    name: str, plain_server: OxigraphServer, interchange_store: Path
) -> None:
    local = cli_rows(interchange_store, name, None)
    assert cli_rows(interchange_store, name, f"{plain_server.url}/query") == local
    if not name.endswith("-violation"):
        assert local, f"{name} answers nothing on the sample corpus"


def _sorted_rows(rows: tuple[tuple[str | None, ...], ...]) -> list[str]:
    return sorted(
        json.dumps([" ".join(sorted(v.split(" "))) if v else v for v in row], ensure_ascii=False)
        for row in rows
    )


@pytest.mark.parametrize("name", sorted(load_library()))
def test_every_named_query_answers_over_the_standard_protocol_dataset(
    name: str, plain_server: OxigraphServer, interchange_store: Path
) -> None:
    """The way that works on any SPARQL 1.1 store: every graph named in the request."""
    query = load_library()[name]
    terms = bindings(query, {p.name: PARAMS[p.name] for p in query.parameters}, known_codes())
    remote = run_remote(f"{plain_server.url}/query", query, terms, switches=False)
    with GraphStore.open(interchange_store, read_only=True) as store:
        local = run_local(store, query, terms)
    assert remote.columns == local.columns
    assert _sorted_rows(remote.rows) == _sorted_rows(local.rows)
