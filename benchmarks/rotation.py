"""Leave-one-set-out scores of the re-told real sets (issue 15): each set scored with the
exemplar sentences taken from it left out of the similarity stage, so a report never finds its
own sentences.  Printed per set: precision, recall and F1 of causes, countermeasures and harms,
and what each mechanism (rule, similarity, incident-level inference) added.

    .venv/bin/python -m benchmarks.rotation                      # the four real sets
    .venv/bin/python -m benchmarks.rotation --set blind-real --json out.json

A score is held out only for a set whose misses were not read while the change measured was
made; the rotation each change was measured under is written in extraction/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

from incident_kg.extraction.evaluate import score
from incident_kg.extraction.extract import Extractor
from incident_kg.extraction.gold import load_gold
from incident_kg.extraction.model import MECHANISMS
from incident_kg.extraction.similarity import load_exemplars, make_coder
from incident_kg.graph.build import default_extractor, extract_files
from incident_kg.ontology.vocabulary import codes

ROOT = Path(__file__).resolve().parents[1]
SETS = ("real-mynumber", "real-municipal", "real-heldout2", "blind-real")
FIELDS = ("causes", "countermeasures", "harms")


def run(
    extractor: Extractor, name: str, threshold: float | None = None
) -> dict[str, dict[str, float | int]]:
    """Scores of one set with its own exemplars left out: field → P, R, F1, and per mechanism
    the true and false positives."""
    base = ROOT / "samples" / name
    exemplars, settings = load_exemplars(known_codes=codes())
    if threshold is not None:
        given = dict.fromkeys(settings.thresholds, threshold)
        settings = dataclasses.replace(settings, thresholds=given)
    coder = make_coder(exemplars, settings, exclude_sources=[f"samples/{name}/"])
    found, _ = extract_files([base / "reports"], dataclasses.replace(extractor, similarity=coder))
    ev = score([r.to_json() for r in found], load_gold(base / "gold"))
    out: dict[str, dict[str, float | int]] = {}
    for f in FIELDS:
        c = ev.fields[f]
        row: dict[str, float | int] = {"P": c.precision, "R": c.recall, "F1": c.f1}
        for m in MECHANISMS:
            tp, fp, _, _ = ev.mechanism_scores(m, f)
            if tp or fp:
                row[f"{m}+"], row[f"{m}-"] = tp, fp
        out[f] = row
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=SETS, dest="sets")
    parser.add_argument("--json", type=Path, help="also write the scores here")
    parser.add_argument("--threshold", type=float, help="similarity threshold of every field")
    args = parser.parse_args(argv)
    extractor = default_extractor()
    results = {name: run(extractor, name, args.threshold) for name in args.sets or SETS}
    for name, fields in results.items():
        for f, row in fields.items():
            extra = " ".join(f"{k}{v}" for k, v in row.items() if k not in ("P", "R", "F1"))
            print(f"{name:15} {f:16} P {row['P']:.2f} R {row['R']:.2f} F1 {row['F1']:.2f}  {extra}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
