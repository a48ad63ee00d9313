"""A learned sentence classifier as a fallback for causes and countermeasures, measured leave
one set out (issue 15) — the numbers behind not shipping one (extraction/README.md).

For each of the re-told real sets, a logistic regression over character 1–3-grams (TF-IDF) is
trained on every *other* gold set: the exemplar sentences not taken from the held-out set, the
paraphrase corpus (``says`` as the code, ``does_not`` as no code), and the sentences of those
sets' incidents — labelled with a rule's code where the gold confirms it, as "no code" where the
incident has nothing left to find (``--weak`` also labels an uncoded sentence of a cause or
measure section with the gold codes the rules missed).  It then codes the held-out set's
sentences that no rule coded (cause rules' roles for causes, measure and summary roles for
measures) with the best code when its probability reaches the threshold.  Printed: per threshold
and held-out set, the true and false codes it adds.  samples/holdout7 (blind) is never used.

    .venv/bin/pip install scikit-learn      # not a dependency of the project
    .venv/bin/python -m benchmarks.classifier_loso --field causes
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from incident_kg.extraction.evaluate import align
from incident_kg.extraction.extract import Extractor, extract_incidents
from incident_kg.extraction.gold import load_gold
from incident_kg.extraction.normalize import normalize
from incident_kg.extraction.read import read_report
from incident_kg.extraction.similarity import SimilaritySettings, load_exemplars, make_coder
from incident_kg.graph.build import default_extractor
from incident_kg.ontology.vocabulary import codes

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
HELD_OUT = ("real-mynumber", "real-municipal", "real-heldout2", "blind-real")
TRAIN_ONLY = ("reports", "extra", "holdout", "holdout3", "holdout4", "holdout5", "holdout6")
#: The sentence roles a field's fallback reads.
ROLES = {
    "causes": {"cause", "summary", "content", "timeline", "title", "other"},
    "countermeasures": {"countermeasure", "response", "summary", "content", "other"},
}
SECTION_ROLES = {"causes": {"cause"}, "countermeasures": {"countermeasure"}}
Row = dict[str, Any]


def _folders(name: str) -> tuple[Path, Path]:
    if name == "reports":
        return SAMPLES / "reports", SAMPLES / "gold"
    return SAMPLES / name / "reports", SAMPLES / name / "gold"


def collect(extractor: Extractor, name: str, field: str) -> list[Row]:
    """Every sentence of the set's incidents: its role, the codes rules gave it, the gold codes
    of the aligned gold incident (None when not aligned or not scored)."""
    reports, gold_dir = _folders(name)
    gold = load_gold(gold_dir)
    rows: list[Row] = []
    for path in sorted(reports.iterdir()):
        g = gold.get(path.name)
        if g is None:
            continue
        found = extract_incidents(extractor, normalize(read_report(path).text).text)
        preds = [
            {f: sorted({v.code for v in i.coded if v.field == f}) for f in ("harms", "causes")}
            for i in found.incidents
        ]
        pairs = {p: gi for gi, p in align(g.incidents, preds)}
        for pi, (incident, sentences) in enumerate(
            zip(found.incidents, found.sentences, strict=True)
        ):
            gi = pairs.get(pi)
            scored = g.incidents[gi].codes.get(field) if gi is not None else None
            also = set(g.incidents[gi].also_ok.get(field, ())) if gi is not None else set()
            by_rules = {v.code for v in incident.coded if v.field == field}
            for s in sentences:
                rules = {
                    v.code for v in incident.coded if v.field == field and v.evidence.span == s.span
                }
                rows.append(
                    {
                        "key": (path.name, pi),
                        "role": s.role,
                        "text": s.span.text,
                        "rules": rules,
                        "incident_rules": by_rules,
                        "gold": None if scored is None else set(scored),
                        "also_ok": also,
                    }
                )
    return rows


def _norm(text: str) -> str:
    return re.sub(r"[0-9]+", "0", unicodedata.normalize("NFKC", text))


def training(
    field: str, held_out: str, data: dict[str, list[Row]], *, weak: bool
) -> tuple[list[str], list[str]]:
    exemplars, _ = load_exemplars(known_codes=codes())
    texts = [
        e.text
        for e in exemplars
        if e.field == field and not e.source.startswith(f"samples/{held_out}/")
    ]
    labels = [
        e.codes[0]
        for e in exemplars
        if e.field == field and not e.source.startswith(f"samples/{held_out}/")
    ]
    corpus = yaml.safe_load((ROOT / "tests" / "data" / "paraphrases.yaml").read_text("utf-8"))
    for code, entry in (corpus.get(field) or {}).items():
        for s in entry.get("says", []):
            texts.append(s)
            labels.append(code)
        for s in entry.get("does_not", []):
            texts.append(s)
            labels.append("none")
    for name, rows in data.items():
        if name == held_out:
            continue
        for r in rows:
            if r["role"] not in ROLES[field] or r["gold"] is None:
                continue
            missed = r["gold"] - r["incident_rules"]
            label = r["rules"] & r["gold"]
            if not r["rules"] and weak and r["role"] in SECTION_ROLES[field]:
                label = missed
            for code in sorted(label):
                texts.append(r["text"])
                labels.append(code)
            if not label and not missed and not (r["rules"] & r["also_ok"]):
                texts.append(r["text"])
                labels.append("none")
    return texts, labels


def added(
    field: str, held_out: str, data: dict[str, list[Row]], thresholds: Sequence[float], weak: bool
) -> list[tuple[int, int]]:
    """(true, false) codes the classifier adds to the held-out set, per threshold."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels = training(field, held_out, data, weak=weak)
    vec = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), preprocessor=_norm, sublinear_tf=True, min_df=2
    )
    model = LogisticRegression(C=4.0, max_iter=2000).fit(vec.fit_transform(texts), labels)
    classes = list(model.classes_)
    rows = [r for r in data[held_out] if r["role"] in ROLES[field] and not r["rules"]]
    proba = model.predict_proba(vec.transform([r["text"] for r in rows])) if rows else []
    out: list[tuple[int, int]] = []
    for threshold in thresholds:
        given: dict[Any, set[str]] = {}
        tp = fp = 0
        for r, p in zip(rows, proba, strict=True):
            best = max((i for i, c in enumerate(classes) if c != "none"), key=lambda i: p[i])
            code = classes[best]
            if p[best] < threshold or code in r["incident_rules"]:
                continue
            if code in given.setdefault(r["key"], set()):
                continue
            given[r["key"]].add(code)
            if r["gold"] is not None and code in r["gold"]:
                tp += 1
            elif r["gold"] is not None and code not in r["also_ok"]:
                fp += 1
        out.append((tp, fp))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--field", choices=sorted(ROLES), default="causes")
    parser.add_argument("--weak", action="store_true", help="weak labels from gold (see above)")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.1, 0.15, 0.2, 0.3])
    args = parser.parse_args(argv)
    extractor = default_extractor()
    exemplars, _ = load_exemplars(known_codes=codes())
    rules_only = dataclasses.replace(
        extractor, similarity=make_coder(exemplars, SimilaritySettings())
    )
    data = {n: collect(rules_only, n, args.field) for n in (*TRAIN_ONLY, *HELD_OUT)}
    print("| held out | " + " | ".join(f"{t:.2f}: +true/-false" for t in args.thresholds) + " |")
    for name in HELD_OUT:
        cells = added(args.field, name, data, args.thresholds, args.weak)
        print(f"| {name} | " + " | ".join(f"+{a}/-{b}" for a, b in cells) + " |")


if __name__ == "__main__":
    main()
