"""Packaging: one import namespace, data files inside the wheel, a console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT


def test_no_generic_module_name_is_importable_from_outside_the_tree(tmp_path: Path) -> None:
    code = (
        "import importlib.util, sys\n"
        "print([n for n in ('graph', 'export', 'ontology', 'queries', 'extraction', 'analysis', 'views', 'privacy')"
        " if importlib.util.find_spec(n)])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_wheel_ships_the_ontology_lexicon_and_queries(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("incident_kg-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "incident_kg/cli/__init__.py",
        "incident_kg/extraction/extract.py",
        "incident_kg/ontology/incident.ttl",
        "incident_kg/ontology/concepts.ttl",
        "incident_kg/ontology/shapes.ttl",
        "incident_kg/ontology/lexicon.yaml",
        "incident_kg/queries/incidents.rq",
        "incident_kg/queries/network/coded-facts.rq",
        "incident_kg/views/templates/page.html",
        "incident_kg/views/templates/views.js",
        "incident_kg/views/templates/legend.yaml",
        "incident_kg/export/serialize.py",
        "incident_kg/privacy/redaction.yaml",
        "incident_kg/export/messages.yaml",
        "incident_kg/ontology/messages.yaml",
    ):
        assert expected in names
    assert not any(n.startswith(("graph/", "export/", "extraction/", "views/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "incident-kg = incident_kg.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    )
