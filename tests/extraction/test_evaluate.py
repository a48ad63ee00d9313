"""Evaluation: gold files read and predictions scored exactly as spec/gold-format.md says."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from incident_kg.errors import GoldFormatError
from incident_kg.extraction.evaluate import (
    EXACT_LIMIT,
    Accuracy,
    Counts,
    Evaluation,
    align,
    assign,
    format_details,
    format_table,
    org_matches,
    score,
)
from incident_kg.extraction.gold import GoldReport, load_gold, parse_gold
from incident_kg.extraction.model import CODED_FIELDS

from ..conftest import SAMPLE_GOLD, SEED_GOLD

SHARED_GOLD = SEED_GOLD


def gold(*incidents: dict[str, Any], report: str = "r.txt") -> dict[str, GoldReport]:
    """Gold for one report from inline incident dicts (keys g1, g2… unless given)."""
    entries = [{"key": f"g{n}", **inc} for n, inc in enumerate(incidents, 1)]
    return {report: parse_gold({"report": report, "incidents": entries}, source="g.yaml")}


def predicted(*incidents: dict[str, Any], report: str = "r.txt") -> list[dict[str, Any]]:
    """The extract JSON for one report from inline incident dicts (keys incident-1…)."""
    return [
        {
            "report": report,
            "incidents": [{"key": f"incident-{n}", **inc} for n, inc in enumerate(incidents, 1)],
        }
    ]


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def perfect_prediction(report: GoldReport) -> dict[str, Any]:
    """What an extractor that reads exactly the gold would print for a report."""
    incidents = []
    for n, inc in enumerate(report.incidents, 1):
        out: dict[str, Any] = {"key": f"incident-{n}"}
        out.update({name: sorted(codes) for name, codes in inc.codes.items()})
        out["organizations"] = list(inc.organizations or ())
        for name in ("occurred", "discovered", "affected"):
            accepted = inc.accepted(name)
            out[name] = accepted[0] if accepted else None
        incidents.append(out)
    return {"report": report.report, "incidents": incidents}


def assert_perfect(ev: Evaluation) -> None:
    for counts in ev.fields.values():
        assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0)
    orgs = ev.organizations
    assert (orgs.precision, orgs.recall, orgs.f1) == (1.0, 1.0, 1.0)
    assert all(a.value == 1.0 for a in ev.values.values())
    assert ev.incidents.correct == ev.incidents.total
    assert ev.differences == ()


# --------------------------------------------------------------------- alignment


def test_alignment_pairs_by_overlap_not_by_order() -> None:
    g = gold({"harms": ["CardExpiry"], "systems": ["CardICChip"]}, {"harms": ["PointMisgrant"]})
    p = predicted(
        {"harms": ["PointMisgrant"]}, {"harms": ["CardExpiry"], "systems": ["CardICChip"]}
    )
    ev = score(p, g)
    assert (ev.fields["harms"].tp, ev.fields["systems"].tp) == (2, 1)
    assert ev.differences == ()


def test_alignment_counts_organisations_found() -> None:
    g = gold({"organizations": ["熊本市"]}, {"organizations": ["堺市"]})
    assert align(
        g["r.txt"].incidents, [{"organizations": ["堺市"]}, {"organizations": ["熊本市役所"]}]
    ) == ((0, 1), (1, 0))


def test_alignment_maximises_the_total_not_the_heaviest_pair() -> None:
    assert assign([[3, 2], [2, 0]]) == ((0, 1), (1, 0))


def test_equal_overlaps_pair_incidents_in_text_order() -> None:
    g = gold({"harms": ["CardExpiry"]}, {"harms": ["CardExpiry"]})
    p = predicted({"harms": ["CardExpiry"]}, {"harms": ["CardExpiry"]})
    assert align(g["r.txt"].incidents, p[0]["incidents"]) == ((0, 0), (1, 1))


def test_with_fewer_predictions_the_earlier_gold_incident_is_aligned_on_a_tie() -> None:
    assert assign([[1], [1]]) == ((0, 0),)


def test_an_incident_without_overlap_is_still_aligned_one_to_one() -> None:
    assert assign([[0, 0], [0, 0], [0, 0]]) == ((0, 0), (1, 1))


def test_above_the_exact_limit_alignment_is_greedy_and_one_to_one() -> None:
    size = EXACT_LIMIT + 1
    weights = [[1 if i == size - 1 - j else 0 for j in range(size)] for i in range(size)]
    assert assign(weights) == tuple((i, size - 1 - i) for i in range(size))


def test_at_the_exact_limit_alignment_is_exact() -> None:
    size = EXACT_LIMIT
    weights = [[0] * size for _ in range(size)]
    weights[0][0], weights[0][1], weights[1][0] = 3, 2, 2  # greedy would take (0, 0)
    assert assign(weights)[:2] == ((0, 1), (1, 0))


# ------------------------------------------------------------------ coded fields


def test_also_ok_codes_are_not_rewarded_when_predicted() -> None:
    g = gold({"causes": ["LogoutOmission"], "also_ok": {"causes": ["SharedDevice"]}})
    counts = score(predicted({"causes": ["LogoutOmission", "SharedDevice"]}), g).fields["causes"]
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 0)


def test_also_ok_codes_are_not_missed_when_absent() -> None:
    g = gold({"causes": ["LogoutOmission"], "also_ok": {"causes": ["SharedDevice"]}})
    assert score(predicted({"causes": ["LogoutOmission"]}), g).fields["causes"].fn == 0


def test_an_also_ok_organisation_is_neither_rewarded_nor_punished() -> None:
    g = gold({"organizations": ["みなと市"], "also_ok": {"organizations": ["あさひ県"]}})
    p = predicted({"organizations": ["みなと市", "あさひ県"]})
    orgs = score(p, g).organizations
    assert (orgs.found, orgs.gold, orgs.matching, orgs.predicted) == (1, 1, 1, 1)


def test_a_field_absent_from_the_gold_incident_is_not_scored() -> None:
    ev = score(
        predicted({"harms": ["CardExpiry"], "systems": ["CardICChip"], "occurred": "2022"}),
        gold({"harms": ["CardExpiry"]}),
    )
    assert (ev.fields["systems"], ev.values["occurred"]) == (Counts(), Accuracy())
    assert ev.differences == ()


def test_an_empty_gold_field_makes_every_predicted_code_a_false_positive() -> None:
    ev = score(predicted({"systems": ["CardICChip"]}), gold({"systems": []}))
    assert ev.fields["systems"].fp == 1


def test_predicted_codes_are_compared_as_a_set() -> None:
    ev = score(predicted({"harms": ["CardExpiry", "CardExpiry"]}), gold({"harms": ["CardExpiry"]}))
    assert (ev.fields["harms"].tp, ev.fields["harms"].fp) == (1, 0)


def test_micro_scores_sum_over_pairs_and_reports() -> None:
    g = {**gold({"harms": ["A", "B"]}, report="a.txt"), **gold({"harms": ["C"]}, report="b.txt")}
    p = predicted({"harms": ["A", "X"]}, report="a.txt") + predicted(
        {"harms": ["C"]}, report="b.txt"
    )
    counts = score(p, g).fields["harms"]
    assert (counts.tp, counts.fp, counts.fn) == (2, 1, 1)
    assert (counts.precision, counts.recall) == (2 / 3, 2 / 3)


def test_an_unaligned_predicted_incident_counts_all_its_values_as_false_positives() -> None:
    ev = score(
        predicted(
            {"harms": ["CardExpiry"]}, {"harms": ["PointMisgrant"], "systems": ["CardICChip"]}
        ),
        gold({"harms": ["CardExpiry"]}),
    )
    assert (ev.fields["harms"].fp, ev.fields["systems"].fp) == (1, 1)
    assert {(d.incident, d.field, d.value, d.aligned_with) for d in ev.extras} == {
        ("incident-2", "harms", "PointMisgrant", None),
        ("incident-2", "systems", "CardICChip", None),
    }


def test_an_unaligned_gold_incident_counts_all_its_values_as_false_negatives() -> None:
    ev = score(predicted(), gold({"key": "lost", "harms": ["CardExpiry"], "actors": ["Vendor"]}))
    assert (ev.fields["harms"].fn, ev.fields["actors"].fn) == (1, 1)
    assert {(d.incident, d.field) for d in ev.misses} == {("lost", "harms"), ("lost", "actors")}


def test_an_unaligned_gold_incident_has_its_dates_and_count_wrong() -> None:
    ev = score(predicted(), gold({"occurred": "2022-03", "affected": 4}))
    assert ev.values["occurred"] == ev.values["affected"]
    assert (ev.values["occurred"].correct, ev.values["occurred"].total) == (0, 1)


def test_misses_and_extras_name_both_sides_of_an_aligned_pair() -> None:
    ev = score(
        predicted({"title": "誤交付", "causes": ["SystemDefect"]}),
        gold({"key": "k", "causes": ["LogoutOmission"]}),
    )
    (miss,) = ev.misses
    (extra,) = ev.extras
    assert (miss.incident, miss.value, miss.aligned_with) == ("k", "LogoutOmission", extra.incident)
    assert (extra.incident, extra.value, extra.aligned_with) == (
        "incident-1 (誤交付)",
        "SystemDefect",
        "k",
    )


def test_nothing_to_find_and_nothing_predicted_scores_one() -> None:
    counts = score(predicted({}), gold({"harms": []})).fields["harms"]
    assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0)


def test_nothing_predicted_for_a_gold_code_scores_zero_f1() -> None:
    counts = score(predicted({}), gold({"harms": ["CardExpiry"]})).fields["harms"]
    assert (counts.recall, counts.f1) == (0.0, 0.0)


# ----------------------------------------------------------------- organisations


@pytest.mark.parametrize(
    ("gold_label", "predicted_label"),
    [
        ("中区役所", "横浜市中区役所"),
        ("横浜市中区役所", "中区役所"),
        ("富士通", "富士通Japan株式会社"),
        ("富士通Ｊａｐａｎ", "富士通Japan"),
        ("ＡＢＣ市", "ABC市"),
        ("中区役所", "中区 役所"),
        ("中区役所", "中区\u3000役所"),
    ],
)
def test_organisations_match_by_substring_either_way_after_nfkc_and_spaces(
    gold_label: str, predicted_label: str
) -> None:
    assert org_matches(gold_label, predicted_label)


def test_different_organisations_do_not_match() -> None:
    assert not org_matches("中区役所", "西区役所")


def test_organisation_recall_counts_gold_labels_found() -> None:
    ev = score(
        predicted({"organizations": ["横浜市"]}), gold({"organizations": ["横浜市", "川崎市"]})
    )
    assert (ev.organizations.recall, ev.organizations.precision) == (0.5, 1.0)


def test_organisation_precision_counts_predicted_labels_that_match_a_gold_label() -> None:
    ev = score(
        predicted({"organizations": ["富士通", "富士通Japan株式会社", "横浜市"]}),
        gold({"organizations": ["富士通"]}),
    )
    assert (ev.organizations.recall, ev.organizations.precision) == (1.0, 2 / 3)
    assert [(d.kind, d.value) for d in ev.differences] == [("extra", "横浜市")]


def test_organisations_absent_from_the_gold_are_not_scored() -> None:
    ev = score(predicted({"organizations": ["横浜市"]}), gold({"harms": []}))
    assert (ev.organizations.predicted, ev.organizations.gold) == (0, 0)


# --------------------------------------------------------------- dates and counts


def test_a_date_is_right_when_it_equals_one_of_the_gold_values() -> None:
    g = gold({"discovered": ["2023-10-05", "2023-09-26"]})
    assert score(predicted({"discovered": "2023-09-26"}), g).values["discovered"].correct == 1


def test_a_date_at_another_precision_is_wrong() -> None:
    ev = score(predicted({"occurred": "2022"}), gold({"occurred": "2022-03"}))
    assert ev.values["occurred"].correct == 0
    assert [(d.kind, d.value) for d in ev.differences] == [("miss", "2022-03"), ("extra", "2022")]


def test_a_count_is_right_when_it_equals_one_of_the_gold_counts() -> None:
    ev = score(predicted({"affected": 3}), gold({"affected": [5, 3]}))
    assert (ev.values["affected"].correct, ev.values["affected"].total) == (1, 1)


def test_a_missing_count_is_wrong() -> None:
    ev = score(predicted({"affected": None}), gold({"affected": 48}))
    assert (ev.values["affected"].correct, ev.values["affected"].total) == (0, 1)


# ---------------------------------------------------------------------- reports


def test_the_number_of_incidents_is_right_per_report() -> None:
    g = {**gold({}, report="a.txt"), **gold({}, {}, report="b.txt")}
    ev = score(predicted({}, report="a.txt") + predicted({}, report="b.txt"), g)
    assert (ev.incidents.correct, ev.incidents.total) == (1, 2)


def test_reports_are_matched_by_file_name() -> None:
    ev = score(predicted({"harms": ["CardExpiry"]}, report="/tmp/in/r.txt"), gold({"harms": []}))
    assert [r.report for r in ev.reports] == ["r.txt"]


def test_reports_on_one_side_only_are_listed_and_not_scored() -> None:
    g = {**gold({"harms": ["X"]}, report="a.txt"), **gold({"harms": ["Y"]}, report="b.txt")}
    ev = score(predicted({"harms": ["Z"]}, report="b.txt") + predicted(report="c.txt"), g)
    assert (ev.gold_only, ev.predicted_only) == (("a.txt",), ("c.txt",))
    assert ev.fields["harms"].fn == 1 and ev.incidents.total == 1


# ---------------------------------------------------------------------- loading


def test_gold_files_are_keyed_by_the_report_file_name(tmp_path: Path) -> None:
    write(tmp_path, "x.yaml", "report: reports/r.txt\nincidents: []\n")
    assert list(load_gold(tmp_path)) == ["r.txt"]


def test_yaml_dates_are_read_at_their_written_precision(tmp_path: Path) -> None:
    write(
        tmp_path,
        "g.yaml",
        "report: r.txt\npublished: 2023-05\nincidents:\n"
        "  - key: a\n    occurred: [2022-03-15, 2022-03, 2022]\n    discovered: 2023\n",
    )
    report = load_gold(tmp_path)["r.txt"]
    assert report.incidents[0].occurred == ("2022-03-15", "2022-03", "2022")
    assert (report.incidents[0].discovered, report.published) == (("2023",), "2023-05")


def test_dates_already_parsed_by_yaml_become_iso_text() -> None:
    report = parse_gold(
        {"report": "r.txt", "incidents": [{"key": "a", "occurred": [dt.date(2022, 3, 15), 2022]}]},
        source="g.yaml",
    )
    assert report.incidents[0].occurred == ("2022-03-15", "2022")


def test_affected_may_be_a_count_or_a_list_of_counts() -> None:
    (one, many) = gold({"affected": 48}, {"affected": [5, 3]})["r.txt"].incidents
    assert (one.affected, many.affected) == ((48,), (5, 3))


def test_a_null_field_is_absent() -> None:
    (incident,) = gold({"occurred": None, "causes": None})["r.txt"].incidents
    assert incident.occurred is None and "causes" not in incident.codes


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("report: r.txt\n", "'incidents' must be a list"),
        ("report: r.txt\nincidents: 3\n", "'incidents' must be a list"),
        ("incidents: []\n", "'report'"),
        ("", "empty"),
        ("report: r.txt\nincidents:\n  - causes: [X]\n", "needs a 'key'"),
        ("report: r.txt\nincidents:\n  - key: a\n    causes: LogoutOmission\n", "causes"),
        ("report: r.txt\nincidents:\n  - key: a\n    organizations: 堺市\n", "organizations"),
        ("report: r.txt\nincidents:\n  - key: a\n    affected: many\n", "affected"),
        ("report: r.txt\nincidents:\n  - key: a\n    affected: [3, '5']\n", "affected"),
        ("report: r.txt\nincidents:\n  - key: a\n    occurred: 2022-13\n", "occurred"),
        ("report: r.txt\nincidents:\n  - key: a\n    occurred: []\n", "occurred"),
        ("report: r.txt\nincidents:\n  - key: a\n    cause: [X]\n", "unknown field: cause"),
        ("report: r.txt\nincidents:\n  - key: a\n    also_ok: [X]\n", "also_ok"),
        ("report: r.txt\nincidents:\n  - key: a\n    also_ok: {dates: [X]}\n", "dates"),
        ("report: r.txt\nincidents:\n  - key: a\n  - key: a\n", "key used twice"),
        ("report: r.txt\nincidents: [\n", "not valid YAML"),
    ],
)
def test_a_malformed_gold_file_is_refused_in_one_line_naming_the_file(
    tmp_path: Path, body: str, problem: str
) -> None:
    write(tmp_path, "bad.yaml", body)
    with pytest.raises(GoldFormatError, match=r"bad\.yaml") as raised:
        load_gold(tmp_path)
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def test_a_report_annotated_twice_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "report: r.txt\nincidents: []\n")
    write(tmp_path, "b.yaml", "report: r.txt\nincidents: []\n")
    with pytest.raises(GoldFormatError, match="annotated twice"):
        load_gold(tmp_path)


def test_a_missing_gold_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GoldFormatError, match="no such gold folder"):
        load_gold(tmp_path / "absent")


def test_the_gold_files_of_the_samples_parse() -> None:
    paths = sorted(SAMPLE_GOLD.glob("*.yaml"))
    gold_reports = load_gold(SAMPLE_GOLD)
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert gold_reports[data["report"]].source == str(path)


def test_the_shared_gold_predicted_perfectly_scores_one_everywhere() -> None:
    if not SHARED_GOLD.is_dir():
        pytest.skip("../shared/gold is not beside the project")
    g = load_gold(SHARED_GOLD)
    ev = score([perfect_prediction(r) for r in g.values()], g)
    assert_perfect(ev)
    assert ev.incidents.total == len(g) > 0


def test_the_sample_gold_predicted_perfectly_scores_one_everywhere() -> None:
    g = load_gold(SAMPLE_GOLD)
    assert_perfect(score([perfect_prediction(r) for r in g.values()], g))


# --------------------------------------------------------------------- printing


def test_the_table_has_one_line_per_field_then_the_incident_count() -> None:
    ev = score(predicted({"harms": ["CardExpiry"]}), gold({"harms": ["CardExpiry"]}))
    scores = format_table(ev).split("\n\n")[0]
    firsts = [line.split()[0] for line in scores.splitlines()[1:]]
    assert firsts == [
        *CODED_FIELDS,
        "organizations",
        "occurred",
        "discovered",
        "affected",
        "incidents",
    ]


def test_the_table_lists_reports_that_were_not_scored() -> None:
    ev = score(predicted(report="c.txt"), gold(report="a.txt"))
    assert "a.txt" in format_table(ev) and "c.txt" in format_table(ev)


def test_details_list_misses_and_extras_under_their_report_and_pair() -> None:
    ev = score(
        predicted({"causes": ["SystemDefect"]}, report="r.txt"),
        gold({"key": "k", "causes": ["LogoutOmission"]}, report="r.txt"),
    )
    assert format_details(ev).splitlines() == [
        "r.txt  (1 gold, 1 predicted incidents)",
        "  k ↔ incident-1",
        "    - causes          LogoutOmission",
        "    + causes          SystemDefect",
    ]


def test_details_of_a_perfect_prediction_are_empty() -> None:
    assert format_details(score(predicted({"harms": ["A"]}), gold({"harms": ["A"]}))) == ""


def test_the_json_form_holds_scores_misses_and_extras() -> None:
    ev = score(predicted({"harms": ["B"]}), gold({"harms": ["A"], "occurred": "2022"}))
    data = json.loads(json.dumps(ev.to_json()))
    assert data["fields"]["harms"]["fn"] == 1 and data["values"]["occurred"]["total"] == 1
    assert {d["value"] for d in data["misses"]} == {"A", "2022"}
    assert [d["value"] for d in data["extras"]] == ["B"]


# --------------------------------------------------------------------- properties

CODES = st.sampled_from(["LogoutOmission", "SharedDevice", "SystemDefect", "CardExpiry"])
LABELS = st.sampled_from(["横浜市", "横浜市中区役所", "中区 役所", "富士通", "ＡＢＣ市", "熊本市"])
DATES = st.sampled_from(["2022", "2022-03", "2022-03-15", "2023-10"])
COUNTS = st.integers(min_value=0, max_value=50)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


GOLD_INCIDENT = st.fixed_dictionaries(
    {},
    optional={
        **{name: st.lists(CODES, unique=True, max_size=3) for name in CODED_FIELDS},
        "organizations": st.lists(LABELS, unique=True, max_size=3),
        "occurred": st.one_of(DATES, st.lists(DATES, unique=True, min_size=1, max_size=2)),
        "discovered": DATES,
        "affected": st.one_of(COUNTS, st.lists(COUNTS, unique=True, min_size=1, max_size=2)),
        "also_ok": st.fixed_dictionaries({"causes": st.lists(CODES, unique=True, max_size=2)}),
    },
)
PREDICTED_INCIDENT = st.fixed_dictionaries(
    {
        **{name: st.lists(CODES, unique=True, max_size=3) for name in CODED_FIELDS},
        "organizations": st.lists(LABELS, unique=True, max_size=3),
        "occurred": _optional(DATES),
        "discovered": _optional(DATES),
        "affected": _optional(COUNTS),
    }
)


@given(st.lists(GOLD_INCIDENT, max_size=4), st.lists(PREDICTED_INCIDENT, max_size=4))
def test_scores_stay_between_zero_and_one(
    golds: list[dict[str, Any]], preds: list[dict[str, Any]]
) -> None:
    ev = score(predicted(*preds), gold(*golds))
    rates = [
        value
        for counts in [*ev.fields.values(), ev.organizations]
        for value in (counts.precision, counts.recall, counts.f1)
    ]
    rates += [a.value for a in (*ev.values.values(), ev.incidents)]
    assert all(0.0 <= rate <= 1.0 for rate in rates)


@given(st.lists(GOLD_INCIDENT, max_size=5))
def test_a_prediction_equal_to_the_gold_always_scores_one(golds: list[dict[str, Any]]) -> None:
    g = gold(*golds)
    assert_perfect(score([perfect_prediction(g["r.txt"])], g))


def _first_best_assignment(weights: list[list[int]]) -> tuple[tuple[int, int], ...]:
    """By brute force: the lexicographically first assignment of largest total weight."""
    n, m = len(weights), len(weights[0])
    unaligned = m  # ranks after every column
    candidates = [
        a
        for a in itertools.product(range(m + 1), repeat=n)
        if len([j for j in a if j != unaligned])
        == len({j for j in a if j != unaligned})
        == min(n, m)
    ]
    best = max(
        candidates,
        key=lambda a: (sum(weights[i][j] for i, j in enumerate(a) if j < m), [-j for j in a]),
    )
    return tuple((i, j) for i, j in enumerate(best) if j != unaligned)


@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda n: st.integers(min_value=1, max_value=4).flatmap(
            lambda m: st.lists(
                st.lists(st.integers(min_value=0, max_value=2), min_size=m, max_size=m),
                min_size=n,
                max_size=n,
            )
        )
    )
)
def test_alignment_is_the_first_best_assignment_in_text_order(weights: list[list[int]]) -> None:
    assert assign(weights) == _first_best_assignment(weights)


# -- by mechanism (issue 15) -------------------------------------------------------------


def _with_evidence(codes: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A predicted incident whose codes carry evidence read by the given mechanisms."""
    incident: dict[str, Any] = {name: sorted(by) for name, by in codes.items()}
    incident["evidence"] = {
        name: {code: [{"sentence": "…", "mechanism": m}] for code, m in by.items()}
        for name, by in codes.items()
    }
    return incident


def test_each_code_counts_for_the_mechanism_that_read_it() -> None:
    pred = _with_evidence(
        {
            "causes": {
                "LogoutOmission": "rule",
                "SharedDevice": "similarity",
                "Congestion": "similarity",
            }
        }
    )
    ev = score(
        predicted(pred), gold({"causes": ["LogoutOmission", "SharedDevice", "ManualNonCompliance"]})
    )
    assert ev.mechanism_scores("rule", "causes") == (1, 0, 1.0, pytest.approx(1 / 3))
    assert ev.mechanism_scores("similarity", "causes") == (1, 1, 0.5, pytest.approx(1 / 3))


def test_a_code_a_rule_also_read_counts_for_the_rule() -> None:
    pred = {
        "causes": ["LogoutOmission"],
        "evidence": {
            "causes": {
                "LogoutOmission": [
                    {"sentence": "a", "mechanism": "similarity"},
                    {"sentence": "b", "mechanism": "rule"},
                ]
            }
        },
    }
    ev = score(predicted(pred), gold({"causes": ["LogoutOmission"]}))
    assert ev.mechanism_scores("rule", "causes")[0] == 1
    assert ev.mechanism_scores("similarity", "causes")[0] == 0


def test_the_table_ends_with_precision_and_recall_by_mechanism() -> None:
    pred = _with_evidence({"causes": {"LogoutOmission": "similarity"}})
    table = format_table(score(predicted(pred), gold({"causes": ["LogoutOmission"]})))
    mechanisms = table.split("\n\n")[1].splitlines()
    assert mechanisms[0].split()[:2] == ["by", "mechanism"]
    assert ["similarity", "causes", "1", "0", "1.000", "1.000"] in [m.split() for m in mechanisms]
