"""`incident-kg info`: what a store holds, read from its record keeping."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from incident_kg.cli import main
from incident_kg.graph.store import GraphStore
from incident_kg.queries.library import load_library, run_local

from ..conftest import seed_files


def test_info_counts_the_reports_and_incidents_the_store_holds(seeds_store_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["info", "--store", str(seeds_store_path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["reports"] == len(seed_files())
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        listed = run_local(store, load_library()["incidents"], {})
    assert summary["incidents"] == len({row[0] for row in listed.rows})
    assert summary["imports"] == 0 and summary["imported_graphs"] == 0
    assert summary["quads"] > 0 and summary["disk_bytes"] > 0
    assert summary["first_build"] <= summary["last_change"]


def test_info_prints_a_table_for_people(seeds_store_path: Path) -> None:
    result = CliRunner().invoke(main, ["info", "--store", str(seeds_store_path)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["what", "value"]
    assert any(line.split()[:2] == ["reports", str(len(seed_files()))] for line in lines)


def test_info_on_a_missing_store_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["info", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no store at" in result.stderr


def _completion(cwd: Path, **env: str) -> str:
    """What the program says to the shell's completion protocol (click's), in a process of
    its own with ``env`` set."""
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", "from incident_kg.cli import main; main(prog_name='incident-kg')"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=cwd,
    ).stdout


def test_shell_completion_is_offered_by_click(tmp_path: Path) -> None:
    script = _completion(tmp_path, _INCIDENT_KG_COMPLETE="bash_source")
    assert "_incident_kg_completion" in script and "complete " in script


def test_shell_completion_offers_the_named_queries(tmp_path: Path) -> None:
    """Regression (newcomer walk-through): `query shared<TAB>` offered nothing."""
    out = _completion(
        tmp_path,
        _INCIDENT_KG_COMPLETE="bash_complete",
        COMP_WORDS="incident-kg query shared",
        COMP_CWORD="2",
    )
    assert "plain,shared-root-causes" in out.splitlines()
    assert "plain,shared-devices" in out.splitlines()


def test_info_counts_the_incidents_an_import_brought(
    seeds_store_path: Path, tmp_path: Path
) -> None:
    """Regression (newcomer walk-through): after an import `info` said 0 incidents."""
    sent = tmp_path / "sent.ttl"
    runner = CliRunner()
    exported = runner.invoke(main, ["export", "--store", str(seeds_store_path), "-o", str(sent)])
    assert exported.exit_code == 0, exported.output
    store = str(tmp_path / "theirs")
    imported = runner.invoke(main, ["import", str(sent), "--from", "隣市", "--store", store])
    assert imported.exit_code == 0, imported.output
    summary = json.loads(runner.invoke(main, ["info", "--store", store, "--format", "json"]).stdout)
    with GraphStore.open(seeds_store_path, read_only=True) as ours:
        incidents = len(run_local(ours, load_library()["incidents"], {}).rows)
    assert summary["reports"] == 0 and summary["imported_incidents"] == incidents


def test_info_counts_distinct_incidents_as_the_link_pass_does(seeds_store_path: Path) -> None:
    """Regression (second walk-through): `info` said "28 built" but not the 16 distinct."""
    from incident_kg.graph.links import read_facts
    from incident_kg.ontology.namespaces import IKG

    result = CliRunner().invoke(
        main, ["info", "--store", str(seeds_store_path), "--format", "json"]
    )
    summary = json.loads(result.stdout)
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        counted = dict(store.pairs(str(IKG.countedAs)))
        keys = {counted.get(f.iri, f.iri) for f in read_facts(store).incidents}
    assert summary["distinct_incidents"] == len(keys) < summary["incidents"]
