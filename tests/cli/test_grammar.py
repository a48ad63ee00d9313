"""One CLI grammar: the program's options anywhere on the line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from incident_kg.cli import main

from ..conftest import SAMPLES

CLI = [sys.executable, "-m", "incident_kg.cli"]


def test_quiet_and_verbose_may_follow_the_command(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    loud = subprocess.run(  # a process of its own: logging is configured once per process
        [*CLI, "build", str(SAMPLES / "s01-chuo-staff-phone.txt"), "--store", store, "-v"],
        capture_output=True,
        text=True,
    )
    assert loud.returncode == 0, loud.stderr
    assert "INFO incident_kg.graph.build: loaded s01-chuo-staff-phone.txt" in loud.stderr
    quiet = CliRunner().invoke(main, ["info", "-q", "--store", store])
    assert quiet.exit_code == 0 and "reports" in quiet.stdout


def test_nothing_after_a_double_dash_is_taken_for_an_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", "--", "-q"])
    assert result.exit_code != 0
    assert "-q" in result.stderr  # read as the name of a report, not as --quiet
