"""Packaging and layout: one import namespace, the pipeline's stages in rooms of their own that
import only from earlier stages, small files, data files inside the wheel, a console script."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIRS: dict[str, str] = PYPROJECT["tool"]["setuptools"]["package-dir"]

#: The pipeline in order: a module may import from its own stage and from earlier ones only.
#: ``base`` is what every stage may use (errors, the ontology and its vocabulary, privacy rules).
STAGES: dict[str, int] = {
    "incident_kg": 0,  # the package itself: errors, version
    "incident_kg.ontology": 0,
    "incident_kg.privacy": 0,
    "incident_kg.extraction": 1,
    "incident_kg.graph": 2,
    "incident_kg.queries": 3,
    "incident_kg.analysis": 4,
    "incident_kg.export": 4,
    "incident_kg.views": 5,
    "incident_kg.cli": 6,
}
#: Stages of the same rank that must not import each other (siblings, not a chain).
SIBLINGS = {
    ("incident_kg.analysis", "incident_kg.export"),
    ("incident_kg.export", "incident_kg.analysis"),
}

#: Longest a module may be ("about 700 lines"); longer ones are named, with the reason, in the
#: README's section "Files over 750 lines".
MAX_LINES = 750

PIP_WHEEL = (sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w")


def stage_of(module: str) -> str:
    """The stage a module belongs to: the longest entry of :data:`STAGES` it falls under."""
    return max((s for s in STAGES if module == s or module.startswith(s + ".")), key=len)


def source_modules() -> dict[str, Path]:
    """Every module of the installed package, by its import name, from the mapped folders."""
    out: dict[str, Path] = {}
    for package, folder in PACKAGE_DIRS.items():
        for path in sorted((ROOT / folder).glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            out[name] = path
    for path in sorted((ROOT / "incident_kg" / "cli").glob("*.py")):
        name = "incident_kg.cli" if path.stem == "__init__" else f"incident_kg.cli.{path.stem}"
        out[name] = path
    return out


def imported_modules(module: str, path: Path) -> set[str]:
    """The project modules ``path`` imports, at the top or inside functions, relative imports
    resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.stem == "__init__" else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("incident_kg")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("incident_kg"):
                out.add(target)
    return out


def test_every_package_folder_is_a_stage_of_the_pipeline() -> None:
    assert set(PACKAGE_DIRS) | {"incident_kg.cli"} <= set(STAGES) | {"incident_kg.cli"}
    assert set(PYPROJECT["tool"]["setuptools"]["packages"]) == set(PACKAGE_DIRS) | {
        "incident_kg.cli"
    }
    assert set(PYPROJECT["tool"]["mypy"]["files"]) == set(PACKAGE_DIRS.values())


def test_no_stage_imports_from_a_later_stage() -> None:
    wrong = []
    for module, path in source_modules().items():
        mine = stage_of(module)
        for target in imported_modules(module, path):
            theirs = stage_of(target)
            if STAGES[theirs] > STAGES[mine] or (mine, theirs) in SIBLINGS:
                wrong.append(f"{path.relative_to(ROOT)} ({mine}) imports {target} ({theirs})")
    assert wrong == []


def test_the_import_check_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from .network import x\n"
        "def f():\n    from incident_kg.views import write_views\n"
        "from ..graph import store\n",
        encoding="utf-8",
    )
    found = imported_modules("incident_kg.analysis.m", module)
    assert found == {"incident_kg.analysis.network", "incident_kg.views", "incident_kg.graph"}
    assert STAGES[stage_of("incident_kg.views")] > STAGES[stage_of("incident_kg.analysis.m")]


def _readme_exceptions() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Files over 750 lines", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"`([\w/.]+\.py)`", section))


def test_no_file_is_over_about_700_lines_unless_the_readme_says_why() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    long = {
        name
        for name in tracked
        if len((ROOT / name).read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert long <= _readme_exceptions(), "long files the README does not explain"


def test_no_generic_module_name_is_importable_from_outside_the_tree(tmp_path: Path) -> None:
    names = [folder for folder in PACKAGE_DIRS.values() if folder != "incident_kg"]
    code = (
        f"import importlib.util, sys\nprint([n for n in {names!r} if importlib.util.find_spec(n)])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [*PIP_WHEEL, str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(out.glob("incident_kg-*.whl"))
    archive = zipfile.ZipFile(wheel)
    entry_points = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
    return set(archive.namelist()), archive.read(entry_points).decode()


def test_the_wheel_ships_every_data_file_of_every_stage(wheel_names: tuple[set[str], str]) -> None:
    names, _ = wheel_names
    missing = []
    for package, folder in PACKAGE_DIRS.items():
        root = ROOT / folder
        for path in root.rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            if path.suffix == ".py" and path.parent != root and path.parent.name != "cli":
                continue  # no Python outside a package's own folder
            inside = package.replace(".", "/") + "/" + path.relative_to(root).as_posix()
            if inside not in names:
                missing.append(inside)
    assert missing == []


def test_the_wheel_ships_the_ontology_lexicon_queries_and_templates(
    wheel_names: tuple[set[str], str],
) -> None:
    names, entry_points = wheel_names
    for expected in (
        "incident_kg/cli/__init__.py",
        "incident_kg/extraction/extract.py",
        "incident_kg/ontology/incident.ttl",
        "incident_kg/ontology/lexicon.yaml",
        "incident_kg/queries/incidents.rq",
        "incident_kg/queries/network/coded-facts.rq",
        "incident_kg/views/templates/page.html",
        "incident_kg/views/templates/legend.yaml",
        "incident_kg/export/messages.yaml",
        "incident_kg/privacy/redaction.yaml",
    ):
        assert expected in names
    folders = tuple(f"{d}/" for d in PACKAGE_DIRS.values() if d != "incident_kg")
    assert not any(n.startswith(folders) for n in names)
    assert "incident-kg = incident_kg.cli:main" in entry_points
