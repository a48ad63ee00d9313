"""The synthetic corpus's recurrences (benchmarks/recurrence.py): `analyze effectiveness`
on the built store reproduces the ground truth planted in the reports, body by body."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from incident_kg.cli import main
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE

from ..conftest import ROOT

sys.path.insert(0, str(ROOT))  # the benchmarks folder is not part of the package
from benchmarks.recurrence import (
    KINDS,
    TRUTH,
    body_names,
    ground_truth,
    plant,
    write_recurrences,
)

YEAR = 365.25


def test_the_corpus_is_the_same_for_a_seed_and_its_bodies_are_not_the_main_corpus_s() -> None:
    from benchmarks.corpus import municipalities

    assert plant(10, 3) == plant(10, 3)
    assert not set(body_names(200)) & set(municipalities())


def test_the_ground_truth_counts_what_was_planted() -> None:
    _, planted = plant(30, 5)
    rows = {(r.measure, r.cause): r for r in ground_truth(planted)}
    logout = rows[("Checklist", "LogoutOmission")]
    mine = [b for b in planted if b.cause == "LogoutOmission"]
    assert logout.adopters + logout.others == len(mine)
    assert logout.recurrences + logout.other_recurrences == sum(
        1 for b in mine if b.recurrence_occurred
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> tuple[Path, dict]:  # type: ignore[type-arg]
    folder = tmp_path_factory.mktemp("recurrence")
    write_recurrences(folder / "reports", 24, 11)
    truth = json.loads((folder / "reports" / TRUTH).read_text(encoding="utf-8"))
    with GraphStore.open(folder / "store", create=True) as store:
        build([folder / "reports"], store, base=DEFAULT_BASE, extractor=extractor)
    return folder / "store", truth


def _effectiveness(store: Path, *args: str) -> dict:  # type: ignore[type-arg]
    out = CliRunner().invoke(
        main, ["analyze", "effectiveness", *args, "--format", "json", "--store", str(store)]
    )
    assert out.exit_code == 0, out.output
    return json.loads(out.output)  # type: ignore[no-any-return]


def test_the_planted_corpus_has_recurrences_on_both_sides(corpus) -> None:  # type: ignore[no-untyped-def]
    _, truth = corpus
    assert all(r["adopters"] and r["others"] for r in truth["effects"])
    assert sum(r["recurrences"] + r["other_recurrences"] for r in truth["effects"]) >= 4


def test_analyze_effectiveness_reproduces_the_planted_ground_truth(corpus) -> None:  # type: ignore[no-untyped-def]
    store, truth = corpus
    found = _effectiveness(store)
    assert found["observed_until"] == truth["observed_until"]
    effects = {(e["measure"], e["cause"]): e for e in found["effects"]}
    for row in truth["effects"]:
        e = effects[(row["measure"], row["cause"])]
        assert (e["adopters"], e["adopters_recurred"], e["recurrences"]) == (
            row["adopters"],
            row["adopters_recurred"],
            row["recurrences"],
        ), row
        assert (e["others"], e["others_recurred"], e["other_recurrences"]) == (
            row["others"],
            row["others_recurred"],
            row["other_recurrences"],
        ), row
        assert e["years_at_risk"] == round(row["days_at_risk"] / YEAR, 3)
        assert e["other_years_at_risk"] == round(row["other_days_at_risk"] / YEAR, 3)


def test_each_bodys_adoption_is_dated_by_its_report_and_followed_to_its_recurrence(corpus) -> None:  # type: ignore[no-untyped-def]
    store, truth = corpus
    found = _effectiveness(store, "--adoptions")
    adoptions = {(a["body"], a["measure"], a["cause"]): a for a in found["adoptions"]}
    for body in truth["bodies"]:
        key = (body["body"], body["measure"], body["cause"])
        if not body["adopted"]:
            assert key not in adoptions
            continue
        a = adoptions[key]
        assert a["adopted_on"] == body["first_published"]
        assert len(a["recurrences"]) == (1 if body["recurrence_occurred"] else 0)
        assert a["basis"] == "stated"


def test_the_named_query_agrees_with_the_analysis(corpus) -> None:  # type: ignore[no-untyped-def]
    from incident_kg.queries.library import load_library, run_local

    store, truth = corpus
    with GraphStore.open(store, read_only=True) as s:
        rows = run_local(s, load_library()["measure-effectiveness"]).rows
    table = {(r[0], r[1]): r for r in rows}
    for row in truth["effects"]:
        _, _, bodies, recurred, recurrences, days = table[(row["measure"], row["cause"])]
        assert (int(bodies), int(recurred), int(recurrences), int(days)) == (
            row["adopters"],
            row["adopters_recurred"],
            row["recurrences"],
            row["days_at_risk"],
        )


def test_every_kind_planted_names_a_measure_the_default_table_does_not_need() -> None:
    # the planted adoptions are stated by the text, so the truth does not rest on measures.yaml
    assert {k["measure"] for k in KINDS.values()} == {"Checklist", "MultiPersonCheck"}
