"""Shared fixtures: paths to the sample corpus and the real reports, one extractor per session."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from incident_kg.extraction.extract import Extractor

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


# -- network analysis and views (issue 5) ------------------------------------------------

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def seeds_store_path(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A store built once from the real reports (skips when ../shared is absent)."""
    from incident_kg.graph.build import build
    from incident_kg.graph.store import GraphStore
    from incident_kg.ontology.namespaces import DEFAULT_BASE

    files = seed_files()
    if not files:
        pytest.skip("../shared/seeds is not beside the project")
    path = tmp_path_factory.mktemp("seeds") / "store"
    with GraphStore.open(path, create=True) as store:
        build(files, store, base=DEFAULT_BASE, extractor=extractor)
    return path


@pytest.fixture(scope="session")
def seeds_network(seeds_store_path: Path):  # type: ignore[no-untyped-def]
    """The network projection (analysis/network.py) of the seeds store, read once."""
    from incident_kg.analysis.network import load_network
    from incident_kg.graph.store import GraphStore

    with GraphStore.open(seeds_store_path, read_only=True) as store:
        return load_network(store)


@pytest.fixture(scope="session")
def xss_store_path(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A store built from a planted report whose title and sentences hold markup
    (``<script>``, ``<img onerror>``) that must show as text and never run."""
    from incident_kg.graph.build import build
    from incident_kg.graph.store import GraphStore
    from incident_kg.ontology.namespaces import DEFAULT_BASE

    path = tmp_path_factory.mktemp("xss") / "store"
    with GraphStore.open(path, create=True) as store:
        build([DATA / "xss-report.txt"], store, base=DEFAULT_BASE, extractor=extractor)
    return path


@pytest.fixture(scope="session")
def built_seed_store(seeds_store_path: Path) -> Path:
    """The seeds store under the name the sharing tests use (read it, never write to it)."""
    return seeds_store_path


# -- interchange (issue 19) ------------------------------------------------------------


@pytest.fixture(scope="session")
def interchange_store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A store built from the sample reports, one of them with curation and source sidecars
    (tests/interchange.py): what the interchange tests export and check with other tools."""
    from incident_kg.graph.build import build
    from incident_kg.graph.store import GraphStore
    from incident_kg.ontology.namespaces import DEFAULT_BASE

    from .interchange import interchange_corpus

    base = tmp_path_factory.mktemp("interchange")
    corpus = interchange_corpus(base / "reports")
    path = base / "store"
    with GraphStore.open(path, create=True) as store:
        build([corpus], store, base=DEFAULT_BASE, extractor=extractor)
    return path
