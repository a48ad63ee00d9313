"""Evaluation: scoring exactly as spec/gold-format.md says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from incident_kg.errors import GoldFormatError
from incident_kg.graph.evaluate import align, load_gold, org_matches, parse_gold, score

from .conftest import SEED_GOLD


def gold(*incidents: dict[str, Any], report: str = "r.txt") -> dict[str, Any]:
    return {report: parse_gold({"report": report, "incidents": list(incidents)}, source="g.yaml")}


def predicted(*incidents: dict[str, Any], report: str = "r.txt") -> list[dict[str, Any]]:
    return [
        {
            "report": report,
            "incidents": [{"key": f"incident-{i}", **inc} for i, inc in enumerate(incidents, 1)],
        }
    ]


def test_alignment_pairs_by_overlap_not_by_order() -> None:
    g = gold({"key": "a", "harms": ["CardExpiry"]}, {"key": "b", "harms": ["PointMisgrant"]})
    p = predicted({"harms": ["PointMisgrant"]}, {"harms": ["CardExpiry"]})
    ev = score(p, g)
    assert ev.fields["harms"].tp == 2 and ev.fields["harms"].fp == 0


def test_ties_follow_the_order_in_the_text() -> None:
    g = gold({"key": "a", "harms": ["CardExpiry"]}, {"key": "b", "harms": ["CardExpiry"]})
    assert align(
        g["r.txt"].incidents,
        predicted({"harms": ["CardExpiry"]}, {"harms": ["CardExpiry"]})[0]["incidents"],
    ) == [(0, 0), (1, 1)]


def test_also_ok_codes_are_neither_rewarded_nor_punished() -> None:
    g = gold({"key": "a", "causes": ["LogoutOmission"], "also_ok": {"causes": ["SharedDevice"]}})
    ev = score(predicted({"causes": ["LogoutOmission", "SharedDevice"]}), g)
    c = ev.fields["causes"]
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)


def test_a_field_absent_from_the_gold_is_not_scored() -> None:
    ev = score(
        predicted({"harms": ["CardExpiry"], "systems": ["CardICChip"]}),
        gold({"key": "a", "harms": ["CardExpiry"]}),
    )
    assert ev.fields["systems"].fp == 0


def test_an_unaligned_predicted_incident_counts_as_false_positives() -> None:
    ev = score(
        predicted({"harms": ["CardExpiry"]}, {"harms": ["PointMisgrant"]}),
        gold({"key": "a", "harms": ["CardExpiry"]}),
    )
    assert ev.fields["harms"].fp == 1
    assert ev.incidents.correct == 0


def test_an_unaligned_gold_incident_counts_as_misses_and_wrong_dates() -> None:
    ev = score(predicted(), gold({"key": "a", "harms": ["CardExpiry"], "occurred": "2022-03"}))
    assert ev.fields["harms"].fn == 1
    assert (ev.values["occurred"].correct, ev.values["occurred"].total) == (0, 1)


@pytest.mark.parametrize(
    ("gold_label", "predicted_label"),
    [
        ("中区役所", "横浜市中区役所"),
        ("富士通", "富士通Japan株式会社"),
        ("中区役所", "中区 役所"),
        ("ＡＢＣ市", "ABC市"),
    ],
)
def test_organisations_match_by_substring_after_nfkc_and_spaces(
    gold_label: str, predicted_label: str
) -> None:
    assert org_matches(gold_label, predicted_label)


def test_a_date_is_right_when_it_equals_one_of_the_gold_values() -> None:
    g = gold(
        {
            "key": "a",
            "harms": ["CardExpiry"],
            "discovered": ["2023-10-05", "2023-09-26"],
            "affected": [5, 3],
        }
    )
    ev = score(predicted({"harms": ["CardExpiry"], "discovered": "2023-09-26", "affected": 3}), g)
    assert ev.values["discovered"].correct == 1 and ev.values["affected"].correct == 1


def test_yaml_dates_are_read_at_their_written_precision(tmp_path: Path) -> None:
    (tmp_path / "g.yaml").write_text(
        "report: r.txt\nincidents:\n  - key: a\n    occurred: [2022-03-15, 2022-03, 2022]\n",
        encoding="utf-8",
    )
    assert load_gold(tmp_path)["r.txt"].incidents[0].values["occurred"] == (
        "2022-03-15",
        "2022-03",
        "2022",
    )


@pytest.mark.parametrize(
    "body",
    [
        "report: r.txt\n",
        "report: r.txt\nincidents: 3\n",
        "report: r.txt\nincidents:\n  - causes: LogoutOmission\n",
    ],
)
def test_a_malformed_gold_file_is_refused_with_its_name(tmp_path: Path, body: str) -> None:
    (tmp_path / "bad.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"bad\.yaml"):
        load_gold(tmp_path)


def _perfect_prediction(report: Any) -> dict[str, Any]:
    incidents = []
    for inc in report.incidents:
        out: dict[str, Any] = {name: sorted(codes) for name, codes in inc.codes.items()}
        out["organizations"] = list(inc.organizations or [])
        for name, values in inc.values.items():
            out[name] = int(values[0]) if name == "affected" else values[0]
        incidents.append(out)
    return {"report": report.report, "incidents": incidents}


def test_the_gold_itself_scores_perfectly() -> None:
    if not SEED_GOLD.is_dir():
        pytest.skip("../shared/gold is not beside the project")
    g = load_gold(SEED_GOLD)
    ev = score([_perfect_prediction(r) for r in g.values()], g)
    assert all(c.f1 == 1.0 for c in ev.fields.values())
    assert ev.organizations.recall == 1.0
    assert all(a.value == 1.0 for a in ev.values.values())
    assert ev.incidents.correct == ev.incidents.total == len(g)


CODES = st.sampled_from(["LogoutOmission", "SharedDevice", "MissingHandover", "SystemDefect"])
INCIDENT = st.fixed_dictionaries({"causes": st.lists(CODES, unique=True, max_size=4)})


@given(st.lists(INCIDENT, max_size=4), st.lists(INCIDENT, max_size=4))
def test_scores_stay_between_zero_and_one(
    golds: list[dict[str, Any]], preds: list[dict[str, Any]]
) -> None:
    ev = score(predicted(*preds), gold(*[{"key": f"g{i}", **g} for i, g in enumerate(golds)]))
    c = ev.fields["causes"]
    assert 0.0 <= c.precision <= 1.0 and 0.0 <= c.recall <= 1.0 and 0.0 <= c.f1 <= 1.0


@given(st.lists(INCIDENT, min_size=1, max_size=4))
def test_a_prediction_equal_to_the_gold_scores_one(golds: list[dict[str, Any]]) -> None:
    ev = score(predicted(*golds), gold(*[{"key": f"g{i}", **g} for i, g in enumerate(golds)]))
    c = ev.fields["causes"]
    assert c.fp == 0 and c.fn == 0


def test_gold_files_of_the_samples_parse() -> None:
    root = Path(__file__).resolve().parents[1] / "samples" / "gold"
    for path in root.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert parse_gold(data, source=str(path)).report == data["report"]
