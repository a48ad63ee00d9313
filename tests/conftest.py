"""Shared fixtures: paths to the sample corpus and the real reports, one extractor per session."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from incident_kg.graph.extract import Extractor

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "reports"
SAMPLE_GOLD = ROOT / "samples" / "gold"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
SEED_GOLD = SHARED / "gold"


def seed_files() -> list[Path]:
    """The real reports beside the project (empty when ../shared is absent)."""
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def sample_files() -> list[Path]:
    """The project's own sample reports."""
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in (".txt", ".md", ".pdf"))


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """SudachiPy and the compiled lexicon, built once for the whole run."""
    from incident_kg.graph.build import default_extractor

    return default_extractor()


@pytest.fixture
def seeds() -> list[Path]:
    files = seed_files()
    if not files:
        pytest.skip("../shared/seeds is not beside the project")
    return files


@pytest.fixture(scope="session")
def built_seed_store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A store built once from the real reports (tests that read it must not write to it)."""
    from incident_kg.graph.build import build
    from incident_kg.graph.store import GraphStore
    from incident_kg.ontology.namespaces import DEFAULT_BASE

    files = seed_files()
    if not files:
        pytest.skip("../shared/seeds is not beside the project")
    path = tmp_path_factory.mktemp("seed-store") / "store"
    with GraphStore.open(path, create=True) as store:
        build(files, store, base=DEFAULT_BASE, extractor=extractor)
    return path
