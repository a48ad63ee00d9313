"""Recommendations by the measures tied to the cause asked about, each with the link's
evidence; `analyze effectiveness` with its caveats (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from incident_kg.analysis.algorithms import recommend
from incident_kg.cli import main
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE

from ..conftest import DATA, SEEDS, seed_files
from ..made_network import ID, Made, made_network

#: A made-up city whose vendor's program defect was fixed and whose staff were trained too.
TRAINED = DATA / "issue18" / "t01-vendor-defect-training.txt"


def test_a_measure_is_offered_only_for_the_causes_it_addresses() -> None:
    g = made_network(
        {
            "a": Made(
                "r1",
                ["x"],
                causes=["A", "D"],
                measures=["M1", "M2"],
                addresses={"M1": ["A"], "M2": ["D"]},
            ),
            "b": Made("r2", ["y"], causes=["D"], measures=["M2"]),
        }
    )
    assert [r.code for r in recommend(g, cause="A")] == ["M1"]
    assert [r.code for r in recommend(g, cause="D")] == ["M2"]


def test_a_measure_the_report_ties_to_the_cause_ranks_above_a_defaulted_one() -> None:
    rows = {
        "a": Made("r1", ["x"], causes=["A"], measures=["M1", "M2"]),
    }
    g = made_network(rows)
    # restate M2's link as stated by the text
    data = g.edges[f"{ID}a", "https://w3id.org/incident-kg/code/M2", "has_countermeasure"]
    (link,) = data["addresses"]
    data["addresses"] = (type(link)(link.cause, "stated", "measure-link/clause", "M2 について"),)
    assert [r.code for r in recommend(g, cause="A")] == ["M2", "M1"]


@pytest.fixture(scope="module")
def trained_store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    if not seed_files():
        pytest.skip("../shared/seeds is not beside the project")
    path = tmp_path_factory.mktemp("trained") / "store"
    with GraphStore.open(path, create=True) as store:
        build([SEEDS, TRAINED], store, base=DEFAULT_BASE, extractor=extractor)
    return path


def _recommend(store: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    out = CliRunner().invoke(
        main, ["analyze", "recommend", *args, "--store", str(store), "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    return json.loads(out.output)  # type: ignore[no-any-return]


def test_recommend_for_a_system_defect_offers_no_staff_training(trained_store: Path) -> None:
    found = _recommend(trained_store, "--cause", "SystemDefect")
    codes = [r["code"] for r in found]
    assert "SystemFix" in codes
    assert "StaffTraining" not in codes


def test_every_recommendation_shows_the_links_evidence_or_says_it_was_defaulted(
    trained_store: Path,
) -> None:
    for cause in ("SystemDefect", "SinglePersonCheck", "LogoutOmission", "MissingHandover"):
        for rec in _recommend(trained_store, "--cause", cause):
            for source in rec["sources"]:
                assert source["links"], (cause, rec["code"])
                assert all(
                    x.startswith(("stated: ", "defaulted (measures.yaml: "))
                    for x in source["links"]
                )


def test_the_table_of_recommendations_has_a_link_column(trained_store: Path) -> None:
    out = CliRunner().invoke(
        main, ["analyze", "recommend", "--cause", "SystemDefect", "--store", str(trained_store)]
    )
    assert out.exit_code == 0
    header, _, *rows = out.output.splitlines()
    assert "link" in header.split()
    rows = [row for row in rows if not row.startswith("(")]  # the count, on stderr
    assert rows and all("defaulted (" in row or "stated: " in row for row in rows)


def test_effectiveness_runs_on_the_seeds_with_its_caveats(trained_store: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["analyze", "effectiveness", "--store", str(trained_store)])
    assert out.exit_code == 0, out.output
    assert "Caveats:" in out.output and "reporting bias" in out.output
    data = json.loads(
        runner.invoke(
            main,
            [
                "analyze",
                "effectiveness",
                "--cause",
                "SystemDefect",
                "--format",
                "json",
                "--store",
                str(trained_store),
            ],
        ).output
    )
    assert data["caveats"] and data["observed_until"]
    assert {(e["measure"], e["cause"]) for e in data["effects"]} >= {("SystemFix", "SystemDefect")}
    assert all(e["cause"] == "SystemDefect" for e in data["effects"])


def test_effectiveness_refuses_an_unknown_cause_in_one_line(trained_store: Path) -> None:
    out = CliRunner().invoke(
        main, ["analyze", "effectiveness", "--cause", "Nope", "--store", str(trained_store)]
    )
    assert out.exit_code == 2 and "no cause 'Nope'" in out.output
