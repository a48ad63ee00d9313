"""`incident-kg reports list|remove`: the reports a store holds, and removing some."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from incident_kg.cli import main
from incident_kg.graph.lock import store_lock
from incident_kg.graph.store import GraphStore
from incident_kg.queries.library import load_library, run_local

from ..conftest import SAMPLES, seed_files


@pytest.fixture()
def store(seeds_store_path: Path, tmp_path: Path) -> Path:
    """A copy of the seeds' store that a test may change."""
    copy = tmp_path / "store"
    shutil.copytree(seeds_store_path, copy)
    return copy


def _listed(store: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(
        main, ["reports", "list", "--store", str(store), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def _incident_reports(store: Path) -> set[str]:
    with GraphStore.open(store, read_only=True) as opened:
        rows = run_local(opened, load_library()["incidents"], {}).rows
    return {str(row[0]).rsplit("/incident/", 1)[0].rsplit("/", 1)[-1] for row in rows}


def test_list_names_every_report_with_its_incidents_and_source(store: Path) -> None:
    entries = _listed(store)
    assert len(entries) == len(seed_files())
    assert {e["id"] for e in entries} == _incident_reports(store)
    for entry in entries:
        assert isinstance(entry["incidents"], int) and entry["incidents"] >= 1
        assert str(entry["source"]).endswith(".txt")


def test_list_as_csv_has_a_header_and_one_row_per_report(store: Path) -> None:
    result = CliRunner().invoke(main, ["reports", "list", "--store", str(store), "--format", "csv"])
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "incidents", "source", "created", "modified"]
    assert len(rows) == 1 + len(seed_files())


def test_remove_drops_the_report_from_every_listing_and_query(store: Path) -> None:
    gone = sorted(e["id"] for e in _listed(store))[0]
    result = CliRunner().invoke(main, ["reports", "remove", str(gone), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert f"removed 1 report(s): {gone}" in result.stdout
    assert gone not in {e["id"] for e in _listed(store)}
    assert gone not in _incident_reports(store)
    with GraphStore.open(store, read_only=True) as opened:
        assert not [g for g in opened.graphs() if g.endswith(f"/{gone}")]


def test_remove_accepts_the_file_name(store: Path) -> None:
    name = Path(str(_listed(store)[0]["source"])).name
    result = CliRunner().invoke(main, ["reports", "remove", name, "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert len(_listed(store)) == len(seed_files()) - 1


def test_an_unknown_id_is_one_line_and_nothing_is_removed(store: Path) -> None:
    known = str(_listed(store)[0]["id"])
    result = CliRunner().invoke(
        main, ["reports", "remove", known, "no-such-report", "--store", str(store)]
    )
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1 and "no-such-report" in result.stderr
    assert len(_listed(store)) == len(seed_files())


def test_remove_while_another_command_writes_says_the_store_is_busy(store: Path) -> None:
    known = str(_listed(store)[0]["id"])
    with store_lock(store, command="incident-kg build"):  # another program's lock
        busy = subprocess.run(
            [
                sys.executable,
                "-m",
                "incident_kg.cli",
                "reports",
                "remove",
                known,
                "--store",
                str(store),
            ],
            capture_output=True,
            text=True,
        )
    assert busy.returncode == 2
    [line] = busy.stderr.strip().splitlines()
    assert f"is busy: `incident-kg build` (PID {os.getpid()}" in line
    assert len(_listed(store)) == len(seed_files())


def test_removing_a_retelling_leaves_its_original_counted_alone(
    tmp_path: Path, seeds_store_path: Path
) -> None:
    """The link pass runs again: the seed the removed report re-told is one incident of one
    report, no longer a group."""
    store = tmp_path / "both"
    shutil.copytree(seeds_store_path, store)
    retelling = SAMPLES / "s01-chuo-staff-phone.txt"
    built = CliRunner().invoke(main, ["build", str(retelling), "--store", str(store), "-q"])
    assert built.exit_code == 0, built.output
    with GraphStore.open(store, read_only=True) as opened:
        before = {
            a for a, b in opened.pairs("https://w3id.org/incident-kg/ontology#sameIncidentAs")
        }
    assert any("s01-chuo-staff-phone" in a for a in before)
    result = CliRunner().invoke(
        main, ["reports", "remove", "s01-chuo-staff-phone", "--store", str(store)]
    )
    assert result.exit_code == 0, result.output
    with GraphStore.open(store, read_only=True) as opened:
        assert not opened.pairs("https://w3id.org/incident-kg/ontology#sameIncidentAs")
