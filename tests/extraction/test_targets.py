"""The extraction targets of issue 3, measured as `incident-kg evaluate` measures them: on the
five real seed reports, and on the project's own sample sets that the rules were written on.

A lexicon or rule change that lowers a score below its target fails here, with the field and
the score in the message. The other opened sets guard against regressions with floors a little
under their present scores. (The blind set, samples/holdout7, is not scored in the tests: its
misses must not be read while tuning.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_kg.extraction.evaluate import Evaluation, score
from incident_kg.extraction.extract import Extractor
from incident_kg.extraction.gold import load_gold
from incident_kg.graph.build import extract_files

from ..conftest import ROOT, SEED_GOLD, SHARED

#: The targets of the issue: F1 per coded field, organisation recall, accuracy of the rest.
F1_TARGETS = {
    "causes": 0.90,
    "harms": 0.90,
    "countermeasures": 0.90,
    "systems": 0.85,
    "procedures": 0.85,
    "actors": 0.85,
}
ACCURACY_TARGETS = {"occurred": 0.85, "discovered": 0.85, "affected": 0.85}
ORGANIZATION_RECALL = 0.9

#: The project's own sets that must score at least as well as the targets.
OWN_SETS = {
    "samples/reports": (ROOT / "samples" / "reports", ROOT / "samples" / "gold"),
    "samples/holdout": (
        ROOT / "samples" / "holdout" / "reports",
        ROOT / "samples" / "holdout" / "gold",
    ),
    "samples/holdout5": (
        ROOT / "samples" / "holdout5" / "reports",
        ROOT / "samples" / "holdout5" / "gold",
    ),
}

#: Opened sets that do not meet every target yet: F1 floors per field (their scores on
#: 2026-11-23 less 0.03), so that a change that helps one set cannot quietly cost another.
FLOORS = {
    "samples/extra": {"causes": 0.93, "harms": 0.92, "countermeasures": 0.94, "actors": 0.91},
    "samples/holdout3": {"causes": 0.88, "harms": 0.84, "countermeasures": 0.92, "actors": 0.84},
    "samples/holdout4": {"causes": 0.87, "harms": 0.88, "countermeasures": 0.90, "actors": 0.82},
    "samples/holdout6": {"causes": 0.76, "harms": 0.82, "countermeasures": 0.87, "actors": 0.80},
    # re-told from real pages (issue 15): their scores on 2026-12-05 after issue 15's third round
    # (word families, body actors) less 0.03
    "samples/real-mynumber": {
        "causes": 0.84,
        "harms": 0.73,
        "countermeasures": 0.76,
        "actors": 0.71,
    },
    "samples/real-municipal": {
        "causes": 0.76,
        "harms": 0.83,
        "countermeasures": 0.81,
        "actors": 0.80,
    },
    # the lead's blind set of real pages, opened after its one score (2026-12-05): its scores
    # after issue 15's round 3 less 0.03
    "samples/blind-real": {
        "causes": 0.73,
        "harms": 0.54,
        "countermeasures": 0.82,
        "actors": 0.66,
    },
    # the second blind set of real pages, opened after its one score (2026-12-05, at 58d60d2:
    # causes 0.26, harms 0.87, countermeasures 0.64, actors 0.64); tuned on in round 3: its
    # scores after that round less 0.03
    "samples/blind-real2": {
        "causes": 0.89,
        "harms": 0.93,
        "countermeasures": 0.85,
        "actors": 0.73,
    },
    # the third blind set of real pages (three writers), opened after its one score (2026-12-05,
    # at 4543763: causes 0.44, harms 0.72, countermeasures 0.59, actors 0.70) and tuned on in
    # round 4: its scores after that round less 0.03
    "samples/blind-real3": {
        "causes": 0.54,
        "harms": 0.68,
        "countermeasures": 0.67,
        "actors": 0.70,
    },
    # the fourth blind set, opened after its one score (2026-12-05, at b41edd3): that score less
    # 0.03
    "samples/blind-real4": {
        "causes": 0.55,
        "harms": 0.51,
        "countermeasures": 0.56,
        "actors": 0.63,
    },
    # the fifth blind set (two writers), opened after its one score (2026-12-05, at 272e63d):
    # that score less 0.03
    "samples/blind-real5": {
        "causes": 0.36,
        "harms": 0.69,
        "countermeasures": 0.22,
        "actors": 0.66,
    },
    # the second held-out set of real pages, opened for development after its one score
    "samples/real-heldout2": {
        "causes": 0.61,
        "harms": 0.67,
        "countermeasures": 0.85,
        "actors": 0.51,
    },
}


def _evaluate(reports: Path | list[Path], gold: Path, extractor: Extractor) -> Evaluation:
    paths = reports if isinstance(reports, list) else [reports]
    found, problems = extract_files(paths, extractor)
    assert not [p for p in problems if p.severity == "error"], problems
    return score([r.to_json() for r in found], load_gold(gold))


def _shortfalls(evaluation: Evaluation) -> list[str]:
    data = evaluation.to_json()
    out = [
        f"{name} F1 {data['fields'][name]['f1']:.3f} < {target}"
        for name, target in F1_TARGETS.items()
        if data["fields"][name]["f1"] < target
    ]
    out += [
        f"{name} accuracy {data['values'][name]['accuracy']:.3f} < {target}"
        for name, target in ACCURACY_TARGETS.items()
        if data["values"][name]["accuracy"] < target
    ]
    if data["organizations"]["recall"] < ORGANIZATION_RECALL:
        out.append(f"organisation recall {data['organizations']['recall']:.3f}")
    if data["incidents"]["accuracy"] < 1.0:
        out.append(f"incident count right in {data['incidents']['correct']} reports only")
    return out


def test_the_targets_hold_on_the_seed_reports(extractor: Extractor) -> None:
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds or not SEED_GOLD.is_dir():
        pytest.skip("../shared is not beside the project")
    assert _shortfalls(_evaluate(seeds, SEED_GOLD, extractor)) == []


@pytest.mark.parametrize("name", sorted(OWN_SETS))
def test_the_targets_hold_on_the_projects_own_sets(name: str, extractor: Extractor) -> None:
    reports, gold = OWN_SETS[name]
    assert _shortfalls(_evaluate(reports, gold, extractor)) == []


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_opened_sets_keep_their_scores(name: str, extractor: Extractor) -> None:
    folder = ROOT / "samples" / name.split("/", 1)[1]
    data = _evaluate(folder / "reports", folder / "gold", extractor).to_json()
    below = [
        f"{field} F1 {data['fields'][field]['f1']:.3f} < {floor}"
        for field, floor in FLOORS[name].items()
        if data["fields"][field]["f1"] < floor
    ]
    assert below == []
