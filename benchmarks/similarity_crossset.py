"""The similarity stage measured on material it has not seen (issue 15).

For each scored set the exemplar sentences taken from that set are left out (so a report never
finds its own sentences), and the set is extracted with the rules alone and with the rules and
the similarity stage at several thresholds.  Printed: per field, what the rules find, what
similarity adds (true and false positives) and the precision and recall of both together —
the numbers behind the thresholds in ``ontology/exemplars.yaml``.

    .venv/bin/python -m benchmarks.similarity_crossset                     # every set
    .venv/bin/python -m benchmarks.similarity_crossset --set real-municipal --thresholds 0.4 0.5

Run from the project root; ``../shared`` must hold the seeds for the ``seeds`` set.  Never
name the blind set here: its misses must not be read.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from incident_kg.extraction.evaluate import Evaluation, score
from incident_kg.extraction.extract import Extractor
from incident_kg.extraction.gold import load_gold
from incident_kg.extraction.similarity import load_exemplars, make_coder
from incident_kg.graph.build import default_extractor, extract_files
from incident_kg.ontology.vocabulary import codes

ROOT = Path(__file__).resolve().parents[1]
#: Scored sets: name → (reports, gold, the exemplar sources taken from it).
SETS: dict[str, tuple[Path, Path, str]] = {
    "seeds": (ROOT.parent / "shared" / "seeds", ROOT.parent / "shared" / "gold", "seeds/"),
    "reports": (ROOT / "samples" / "reports", ROOT / "samples" / "gold", "samples/reports/"),
    **{
        name: (
            ROOT / "samples" / name / "reports",
            ROOT / "samples" / name / "gold",
            f"samples/{name}/",
        )
        for name in (
            "extra",
            "holdout",
            "holdout3",
            "holdout4",
            "holdout5",
            "holdout6",
            "real-mynumber",
            "real-municipal",
        )
    },
}
FIELDS = ("causes", "countermeasures")


def run(extractor: Extractor, name: str, thresholds: Sequence[float | None]) -> list[str]:
    """One line per threshold (None: the rules alone) for the set ``name``."""
    reports, gold_dir, own = SETS[name]
    exemplars, settings = load_exemplars(known_codes=codes())
    gold = load_gold(gold_dir)
    lines: list[str] = []
    for threshold in thresholds:
        given = {f: threshold for f in FIELDS} if threshold is not None else {}
        coder = make_coder(
            exemplars,
            dataclasses.replace(settings, thresholds=given),
            exclude_sources=[own],
        )
        found, _ = extract_files([reports], dataclasses.replace(extractor, similarity=coder))
        ev: Evaluation = score([r.to_json() for r in found], gold)
        cells: list[str] = []
        for f in FIELDS:
            c = ev.fields[f]
            sim_tp, sim_fp, _, _ = ev.mechanism_scores("similarity", f)
            cells.append(f"{c.precision:.2f} {c.recall:.2f} {c.f1:.2f} +{sim_tp}/-{sim_fp}")
        label = "rules" if threshold is None else f"{threshold:.2f}"
        lines.append(f"| {name} | {label} | " + " | ".join(cells) + " |")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=sorted(SETS), dest="sets")
    parser.add_argument(
        "--thresholds", type=float, nargs="+", default=[0.3, 0.35, 0.4, 0.45, 0.5, 0.6]
    )
    args = parser.parse_args(argv)
    extractor = default_extractor()
    print("| set | threshold | causes P R F1 +tp/-fp | countermeasures P R F1 +tp/-fp |")
    print("|---|---|---|---|")
    for name in args.sets or sorted(SETS):
        if not SETS[name][0].is_dir():
            continue
        for line in run(extractor, name, [None, *args.thresholds]):
            print(line)


if __name__ == "__main__":
    main()
