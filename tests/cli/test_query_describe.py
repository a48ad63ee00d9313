"""`query NAME --describe` says what a named query asks, takes and answers; an incident
parameter takes REPORT/incident/N as `analyze` does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from incident_kg.cli import main
from incident_kg.graph.store import GraphStore
from incident_kg.queries.library import QueryError, bindings, known_codes, load_library, run_local

#: A value for each parameter name the named queries use, valid on the seeds' store.
VALUES = {
    "cause": "MissingHandover",
    "incident": "001_90eefb6dce1ffe37/incident/1",
    "name": "堺市",
}


def test_describe_gives_the_parameters_and_columns_of_the_file() -> None:
    result = CliRunner().invoke(
        main, ["query", "incidents-for-cause", "--describe", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    described = json.loads(result.stdout)
    assert [p["name"] for p in described["parameters"]] == ["cause"]
    assert described["parameters"][0]["type"] == "code:causes"
    assert "incident" in described["columns"] and described["question_ja"]


def test_describe_for_people_names_each_parameter_as_an_option() -> None:
    result = CliRunner().invoke(main, ["query", "evidence-for-fact", "--describe"])
    assert result.exit_code == 0, result.output
    assert "--param incident=…  (iri)" in result.stdout
    assert "columns: incident, property" in result.stdout


@pytest.mark.parametrize("name", sorted(load_library()))
def test_the_described_columns_are_the_columns_the_query_answers(
    name: str, seeds_store_path: Path
) -> None:
    named = load_library()[name]
    values = {p.name: VALUES[p.name] for p in named.parameters}
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        table = run_local(store, named, bindings(named, values, known_codes()))
    assert list(table.columns) == named.describe()["columns"]


@pytest.mark.parametrize("name", sorted(load_library()))
def test_no_two_rows_share_the_key_the_query_declares(name: str, seeds_store_path: Path) -> None:
    """Issue 20: `incidents-for-cause` gave 8 rows for 3 incidents (one per organisation,
    harm and sentence). Every named query says what one row is (``# key:``) and keeps it."""
    named = load_library()[name]
    assert named.key and set(named.key) <= set(named.columns)
    causes = ("MissingHandover", "SharedDevice", "tier-precondition")
    asked = [{p.name: VALUES[p.name] for p in named.parameters}]
    if any(p.name == "cause" for p in named.parameters):
        asked = [{**asked[0], "cause": cause} for cause in causes]
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        for values in asked:
            table = run_local(store, named, bindings(named, values, known_codes()))
            at = [table.columns.index(c) for c in named.key]
            keys = [tuple(str(row[i]) for i in at) for row in table.rows]
            assert len(keys) == len(set(keys)), values


def test_an_incident_parameter_takes_the_short_name(seeds_store_path: Path) -> None:
    short = CliRunner().invoke(
        main,
        [
            *("query", "incident-timeline", "--param", f"incident={VALUES['incident']}"),
            *("--store", str(seeds_store_path), "--format", "json"),
        ],
    )
    full = CliRunner().invoke(
        main,
        [
            *("query", "incident-timeline", "--param"),
            f"incident=https://w3id.org/incident-kg/id/report/{VALUES['incident']}",
            *("--store", str(seeds_store_path), "--format", "json"),
        ],
    )
    assert short.exit_code == 0, short.output
    assert json.loads(short.stdout) == json.loads(full.stdout) != []


def test_a_short_name_resolves_under_the_store_s_base() -> None:
    named = load_library()["incident-timeline"]
    terms = bindings(named, {"incident": "r1/incident/2"}, {}, "https://pref.example.lg.jp/id/")
    assert str(terms["incident"]) == "<https://pref.example.lg.jp/id/report/r1/incident/2>"


def test_anything_else_that_is_not_an_iri_is_refused() -> None:
    named = load_library()["incident-timeline"]
    with pytest.raises(QueryError, match="nor REPORT/incident/N"):
        bindings(named, {"incident": "incident 2 of r1"}, {})


def test_lang_gives_the_labels_of_a_query_in_japanese(seeds_store_path: Path) -> None:
    """Regression (newcomer walk-through): `query … --lang ja` was refused, and labels stayed
    English whatever the language asked for."""
    args = ["query", "severity-levels", "--store", str(seeds_store_path), "--format", "json"]
    english = json.loads(CliRunner().invoke(main, args).stdout)
    japanese = json.loads(CliRunner().invoke(main, [*args, "--lang", "ja"]).stdout)
    assert [r["severity"] for r in english] == [r["severity"] for r in japanese]
    assert all(r["label"].isascii() for r in english)
    assert all(not r["label"].isascii() for r in japanese)
