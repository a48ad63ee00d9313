"""One definition of a shared root cause: the named query (queries/shared-root-causes.rq, SPARQL
on the store) and the analysis (rank_causes on the network projection) give the same rows in
the same order — on real data: the seeds, their re-tellings and the municipal reports re-told
from real pages in one store (events told twice, a national grouping, bodies named at two
levels), and in a second agency's store with its own base IRI that imported the first's export
(one body under two IRIs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_kg.analysis.algorithms import SHARED_SPREAD, CauseSpread, rank_causes
from incident_kg.analysis.network import load_network
from incident_kg.export import export_bytes
from incident_kg.export.importer import import_file
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE
from incident_kg.queries.library import bindings, known_codes, load_library, run_local

from ..conftest import ROOT, SAMPLES, SEEDS, seed_files

MUNICIPAL = ROOT / "samples" / "real-municipal" / "reports"
Row = tuple[str, str, float, int, int, int, int]


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    if not seed_files():
        pytest.skip("../shared/seeds is not beside the project")
    path = tmp_path_factory.mktemp("agree") / "store"
    with GraphStore.open(path, create=True) as store:
        build([SEEDS, SAMPLES, MUNICIPAL], store, base=DEFAULT_BASE, extractor=extractor)
    return path


@pytest.fixture(scope="module")
def theirs(ours: Path, tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A prefecture that built the seeds under its own base IRI, then imported our export:
    the same bodies (堺市, 熊本市 …) are minted under two base IRIs."""
    base = tmp_path_factory.mktemp("agree-pref")
    exported = base / "ours.ttl"
    with GraphStore.open(ours, read_only=True) as store:
        exported.write_bytes(export_bytes(store, "turtle"))
    path = base / "store"
    with GraphStore.open(path, create=True) as store:
        build([SEEDS], store, base="https://pref.example.lg.jp/id/", extractor=extractor)
    import_file(exported, path, agency="隣市")
    return path


def _query_rows(store: GraphStore) -> list[Row]:
    table = run_local(store, load_library()["shared-root-causes"])
    col = {name: n for n, name in enumerate(table.columns)}
    return [
        (
            str(row[col["level"]]),
            str(row[col["code"]]),
            float(str(row[col["score"]])),
            *(int(str(row[col[c]])) for c in ("spread", "incidents", "organizations", "reports")),
        )
        for row in table.rows
    ]  # type: ignore[misc]


def _analysis_rows(store: GraphStore) -> list[Row]:
    g = load_network(store)
    ranked: list[CauseSpread] = [
        *rank_causes(g, min_spread=SHARED_SPREAD),
        *rank_causes(g, level="tier", min_spread=SHARED_SPREAD),
    ]
    return [
        (r.level, r.code, r.score, r.spread, r.incidents, r.organizations, r.reports)
        for r in ranked
    ]


def test_the_query_and_the_analysis_rank_the_same_shared_causes_with_the_same_counts(
    ours: Path,
) -> None:
    with GraphStore.open(ours, read_only=True) as store:
        query, analysis = _query_rows(store), _analysis_rows(store)
    assert len(analysis) >= 10  # a real ranking, not two empty lists
    assert query == analysis


def test_they_agree_when_one_body_is_minted_under_two_base_iris(theirs: Path) -> None:
    with GraphStore.open(theirs, read_only=True) as store:
        query, analysis = _query_rows(store), _analysis_rows(store)
    assert len(analysis) >= 3
    assert query == analysis


def test_every_shared_cause_occurred_in_at_least_two_places(ours: Path) -> None:
    with GraphStore.open(ours, read_only=True) as store:
        rows = _query_rows(store)
    assert all(spread >= SHARED_SPREAD for _, _, _, spread, *_ in rows)
    assert all(spread <= incidents for _, _, _, spread, incidents, *_ in rows)


def test_a_cause_listing_counts_the_same_incidents_as_the_ranking(ours: Path) -> None:
    """Regression (newcomer walk-through): `incidents-for-cause` gave 3 rows for
    MissingHandover where the ranking counts 2 incidents (one event told by two reports), and
    nothing in the rows said so. Each row names the incident it is counted as."""
    library = load_library()
    with GraphStore.open(ours, read_only=True) as store:
        for level, code, _, _, incidents, *_ in _query_rows(store):
            cause = "tier-" + code if level == "tier" else code
            terms = bindings(library["incidents-for-cause"], {"cause": cause}, known_codes())
            listed = run_local(store, library["incidents-for-cause"], terms)
            counted = {row[listed.columns.index("counted_as")] for row in listed.rows}
            assert len(counted) == incidents, code
