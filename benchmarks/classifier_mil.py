"""A learned fallback for causes, countermeasures and harms, measured leave one real set out
(issue 15, item 2's third option) — the numbers behind extraction/README.md's "multi-instance
classifier" section.

Multi-instance: an incident's gold codes label the incident (its *bag* of sentences), not a
sentence.  For each code a logistic regression over TF-IDF character 1–3-grams of a sentence
(digits folded) and the role of the part it sits in (cause / countermeasure / summary …) is
trained with every sentence of an incident labelled by the incident's gold codes; with
``--mi-rounds 1`` (the default) it is retrained once with only the best-scoring sentence of each
positive incident kept as that code's positive (MI-SVM's step), the others left out for it.
An incident's probability of a code is the largest over its sentences, and that sentence is the
evidence.  The fallback adds a code no rule coded for the incident when the probability reaches
the threshold (at most ``--max-add`` codes per incident and field).

Folds: each re-told real set is held out in turn; the classifier trains on the other real sets,
the synthetic sets (``--synthetic``) and the exemplar and paraphrase sentences not taken from
the held-out set (``--exemplars``).  The threshold of a field is chosen on the training sets
only: an inner leave-one-set-out over the other real sets, taking the threshold that gives the
best inner F1 of the field while the codes it adds there keep precision ≥ 0.85 (none: nothing is
added).  Each held-out set is extracted with its own exemplar sentences left out of the
similarity stage (as benchmarks/rotation.py does), and scored with the project's scorer
(extraction/evaluate.py: incidents aligned to gold, micro counts).

Caveat printed with the numbers: the rules were written while reading the misses of most of
these sets (extraction/README.md), so (a) is not a blind score of the rules; (b) − (a) is what
the classifier adds to rules that already know each set, i.e. on its residual misses.

    .venv/bin/pip install scikit-learn
    .venv/bin/python -m benchmarks.classifier_mil                  # every field, every fold
    .venv/bin/python -m benchmarks.classifier_mil --field causes --no-synthetic --json out.json
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import json
import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incident_kg.extraction.evaluate import Counts, align, score
from incident_kg.extraction.extract import Extractor, extract_incidents
from incident_kg.extraction.gold import GoldReport, load_gold, report_name
from incident_kg.extraction.normalize import normalize
from incident_kg.extraction.read import read_report
from incident_kg.extraction.similarity import is_bare_heading, load_exemplars, make_coder
from incident_kg.graph.build import default_extractor, read_and_extract
from incident_kg.ontology.vocabulary import codes

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
REAL = (
    "real-mynumber",
    "real-municipal",
    "real-heldout2",
    "blind-real",
    "blind-real2",
    "blind-real3",
    "blind-real4",
)
SYNTHETIC = ("reports", "extra", "holdout", "holdout3", "holdout4", "holdout5", "holdout6")
FIELDS = ("causes", "countermeasures", "harms")
#: The section role an exemplar sentence of a field is taken to sit in.
EXEMPLAR_ROLE = {"causes": "cause", "countermeasures": "countermeasure", "harms": "summary"}
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))  # 0.05 … 0.95
MIN_PRECISION = 0.85
#: Fixed thresholds of the after-the-fact table (not an estimate: read, not chosen).
CURVE = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


@dataclass
class Bag:
    """One predicted incident: its sentences (text, role), the codes today's extractor gave it,
    and the gold codes of the gold incident aligned to it (``None``: unaligned)."""

    set_name: str
    report: str
    index: int
    sentences: list[tuple[str, str]]
    predicted: dict[str, set[str]]
    gold: dict[str, frozenset[str]] | None
    also_ok: dict[str, frozenset[str]]


@dataclass
class SetData:
    """A set's bags, its reports as the scorer reads them, and its gold."""

    name: str
    bags: list[Bag]
    reports: list[dict[str, Any]]
    gold: dict[str, GoldReport]


def _folders(name: str) -> tuple[Path, Path]:
    if name == "reports":
        return SAMPLES / "reports", SAMPLES / "gold"
    return SAMPLES / name / "reports", SAMPLES / name / "gold"


def collect(extractor: Extractor, name: str) -> SetData:
    """Extract a set with its own exemplars left out of the similarity stage."""
    exemplars, settings = load_exemplars(known_codes=codes())
    coder = make_coder(exemplars, settings, exclude_sources=[f"samples/{name}/"])
    ex = dataclasses.replace(extractor, similarity=coder)
    reports_dir, gold_dir = _folders(name)
    gold = load_gold(gold_dir)
    bags: list[Bag] = []
    out: list[dict[str, Any]] = []
    for path in sorted(p for p in reports_dir.iterdir() if p.name in gold):
        report = read_and_extract(path, ex)
        found = extract_incidents(ex, normalize(read_report(path).text).text)
        data = report.to_json()
        out.append(data)
        incidents = data["incidents"]
        if len(incidents) != len(found.sentences):
            raise RuntimeError(f"{path}: incidents differ between the two extractions")
        pairs = {p: g for g, p in align(gold[path.name].incidents, incidents)}
        for i, (incident, sentences) in enumerate(zip(incidents, found.sentences, strict=True)):
            g = gold[path.name].incidents[pairs[i]] if i in pairs else None
            bags.append(
                Bag(
                    name,
                    path.name,
                    i,
                    [(s.span.text, s.role) for s in sentences if s.role != "background"],
                    {f: set(incident[f]) for f in FIELDS},
                    None if g is None else {f: g.codes[f] for f in FIELDS if f in g.codes},
                    {} if g is None else {f: g.also_ok.get(f, frozenset()) for f in FIELDS},
                )
            )
    return SetData(name, bags, out, gold)


# ------------------------------------------------------------------------ the model


def _norm(text: str) -> str:
    return re.sub(r"[0-9]+", "0", unicodedata.normalize("NFKC", text))


@dataclass
class Instance:
    text: str
    role: str
    bag: int  # index of its bag among the training bags (-1: an exemplar, labelled itself)
    labels: frozenset[str]


@dataclass
class Options:
    synthetic: bool = True
    exemplars: bool = True
    mi_rounds: int = 1
    max_add: int = 1
    c: float = 4.0
    min_bags: int = 2
    features: str = "char"  # char | words | both
    only_uncoded: bool = False  # add codes only to incidents with none of the field from rules


@functools.cache
def _morphemes(text: str) -> tuple[str, ...]:
    """Normalised forms of a sentence's morphemes (SudachiPy, split mode A), digits folded."""
    tokenizer = _tokenizer()
    return tuple(
        _norm(m.normalized_form()) for m in tokenizer.tokenize(text[:12_000]) if m.surface().strip()
    )


@functools.cache
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.A)


def _word_grams(text: str) -> list[str]:
    """Morpheme unigrams and bigrams."""
    m = _morphemes(text)
    return [*m, *(f"{a} {b}" for a, b in itertools.pairwise(m))]


def instances(
    field: str, sets: Sequence[SetData], held: Sequence[str], opt: Options
) -> list[Instance]:
    """Training instances of a field from the sets not held out: every candidate sentence of an
    aligned incident, labelled with the incident's gold codes; plus exemplar sentences."""
    out: list[Instance] = []
    bag_no = 0
    for s in sets:
        if s.name in held:
            continue
        for bag in s.bags:
            if bag.gold is None or field not in bag.gold:
                continue
            for text, role in bag.sentences:
                if not is_bare_heading(text):
                    out.append(Instance(text, role, bag_no, bag.gold[field]))
            bag_no += 1
    if opt.exemplars:
        exemplars, _ = load_exemplars(known_codes=codes())
        for e in exemplars:
            if e.field == field and not any(e.source.startswith(f"samples/{h}/") for h in held):
                out.append(Instance(e.text, EXEMPLAR_ROLE[field], -1, frozenset(e.codes)))
    return out


class BagModel:
    """One logistic regression per code over character n-grams and the sentence's role."""

    def __init__(self, field: str, train: Sequence[Instance], opt: Options) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import OneHotEncoder

        self.field = field
        self.vec = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), preprocessor=_norm, sublinear_tf=True, min_df=2
        )
        self.words = TfidfVectorizer(analyzer=_word_grams, sublinear_tf=True, min_df=2)
        self.use = opt.features
        self.roles = OneHotEncoder(handle_unknown="ignore")
        x = self._fit_features(train)
        bags_of: dict[str, set[int]] = {}
        for inst in train:
            for code in inst.labels:
                bags_of.setdefault(code, set()).add(inst.bag)
        self.models: dict[str, Any] = {}
        for code in sorted(bags_of):
            if len(bags_of[code]) < opt.min_bags:
                continue
            y = [code in inst.labels for inst in train]
            weights = [1.0] * len(train)
            model = self._fit(x, y, weights, opt)
            for _ in range(opt.mi_rounds):
                p = model.predict_proba(x)[:, 1]
                best: dict[int, int] = {}
                for i, inst in enumerate(train):
                    if (
                        y[i]
                        and inst.bag >= 0
                        and (inst.bag not in best or p[i] > p[best[inst.bag]])
                    ):
                        best[inst.bag] = i
                weights = [
                    0.0 if y[i] and inst.bag >= 0 and best[inst.bag] != i else 1.0
                    for i, inst in enumerate(train)
                ]
                model = self._fit(x, y, weights, opt)
            self.models[code] = model

    def _features(self, texts: Sequence[str], roles: Sequence[str], *, fit: bool) -> Any:
        from scipy.sparse import hstack

        r = [[role] for role in roles]
        parts = [self.roles.fit_transform(r) if fit else self.roles.transform(r)]
        for name, vec in (("char", self.vec), ("words", self.words)):
            if self.use in (name, "both"):
                parts.append(vec.fit_transform(texts) if fit else vec.transform(texts))
        return hstack(parts).tocsr()

    def _fit_features(self, train: Sequence[Instance]) -> Any:
        return self._features([i.text for i in train], [i.role for i in train], fit=True)

    @staticmethod
    def _fit(x: Any, y: Sequence[bool], weights: Sequence[float], opt: Options) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=opt.c, solver="liblinear", dual=True).fit(
            x, y, sample_weight=weights
        )

    def bag_scores(self, bag: Bag) -> dict[str, tuple[float, int]]:
        """Per code: the largest probability over the bag's sentences and that sentence."""
        kept = [(i, t, r) for i, (t, r) in enumerate(bag.sentences) if not is_bare_heading(t)]
        if not kept or not self.models:
            return {}
        x = self._features([t for _, t, _ in kept], [r for _, _, r in kept], fit=False)
        out: dict[str, tuple[float, int]] = {}
        for code, model in self.models.items():
            p = model.predict_proba(x)[:, 1]
            j = int(p.argmax())
            out[code] = (float(p[j]), kept[j][0])
        return out


@dataclass
class Candidate:
    """A code the fallback would add to a bag, its probability and its outcome against gold."""

    bag: Bag
    code: str
    p: float
    sentence: int
    outcome: str  # tp | fp | ignored


def candidates(field: str, model: BagModel, bags: Sequence[Bag], opt: Options) -> list[Candidate]:
    """The best codes no rule gave each bag (at most ``max_add``), with their outcome."""
    out: list[Candidate] = []
    for bag in bags:
        if opt.only_uncoded and bag.predicted[field]:
            continue
        ranked = sorted(
            (
                (p, code, j)
                for code, (p, j) in model.bag_scores(bag).items()
                if code not in bag.predicted[field]
            ),
            reverse=True,
        )[: opt.max_add]
        for p, code, j in ranked:
            if bag.gold is not None and field not in bag.gold:
                outcome = "ignored"
            elif bag.gold is not None and code in bag.gold[field]:
                outcome = "tp"
            elif code in bag.also_ok.get(field, frozenset()):
                outcome = "ignored"
            else:
                outcome = "fp"
            out.append(Candidate(bag, code, p, j, outcome))
    return out


def base_counts(field: str, bags: Sequence[Bag]) -> Counts:
    """The rules' counts of a field over aligned bags (unaligned gold incidents not counted:
    enough to compare thresholds)."""
    tp = fp = fn = 0
    for bag in bags:
        if bag.gold is not None and field not in bag.gold:
            continue
        gold = bag.gold[field] if bag.gold is not None else frozenset()
        ok = bag.also_ok.get(field, frozenset())
        got = bag.predicted[field]
        tp += len(got & gold)
        fp += len(got - gold - ok)
        fn += len(gold - got)
    return Counts(tp, fp, fn)


def choose_threshold(field: str, sets: Sequence[SetData], held: str, opt: Options) -> float:
    """The threshold of the best inner F1 whose added codes keep precision ≥ 0.85 (inner
    leave-one-set-out over the real training sets); 2.0 (nothing added) when none does."""
    pool: list[Candidate] = []
    base = Counts()
    for inner in (s for s in sets if s.name in REAL and s.name != held):
        model = BagModel(field, instances(field, sets, (held, inner.name), opt), opt)
        pool += candidates(field, model, inner.bags, opt)
        base += base_counts(field, inner.bags)
    best, best_f1 = 2.0, base.f1
    for t in THRESHOLDS:
        tp = sum(1 for c in pool if c.p >= t and c.outcome == "tp")
        fp = sum(1 for c in pool if c.p >= t and c.outcome == "fp")
        if tp == 0 or tp / (tp + fp) < MIN_PRECISION:
            continue
        f1 = Counts(base.tp + tp, base.fp + fp, base.fn - tp).f1
        if f1 > best_f1:
            best, best_f1 = t, f1
    return best


def with_added(data: SetData, field: str, added: Sequence[Candidate]) -> list[dict[str, Any]]:
    """The set's reports as the scorer reads them, with the fallback's codes added."""
    reports = json.loads(json.dumps(data.reports))
    by_name = {report_name(str(r["report"])): r for r in reports}
    for c in added:
        incident = by_name[c.bag.report]["incidents"][c.bag.index]
        incident[field] = [*incident[field], c.code]
    return reports


def fold(field: str, sets: Sequence[SetData], held: SetData, opt: Options) -> dict[str, Any]:
    """(a) and (b) on one held-out set."""
    t0 = time.perf_counter()
    threshold = choose_threshold(field, sets, held.name, opt)
    model = BagModel(field, instances(field, sets, (held.name,), opt), opt)
    pool = candidates(field, model, held.bags, opt)
    added = [c for c in pool if c.p >= threshold]
    misses = []  # each gold code the rules missed: the classifier's probability and rank
    for bag in held.bags:
        if bag.gold is None or field not in bag.gold:
            continue
        scores = model.bag_scores(bag)
        ranked = sorted(
            (c for c in scores if c not in bag.predicted[field]), key=lambda c: -scores[c][0]
        )
        for code in sorted(bag.gold[field] - bag.predicted[field]):
            known = code in scores
            misses.append(
                {
                    "code": code,
                    "p": round(scores[code][0], 3) if known else None,
                    "rank": ranked.index(code) + 1 if known else None,
                }
            )
    a = score(held.reports, held.gold).fields[field]
    b = score(with_added(held, field, added), held.gold).fields[field]
    return {
        "set": held.name,
        "threshold": threshold,
        "a": dataclasses.asdict(a),
        "b": dataclasses.asdict(b),
        "added_tp": sum(c.outcome == "tp" for c in added),
        "added_fp": sum(c.outcome == "fp" for c in added),
        "added": [
            {
                "report": c.bag.report,
                "incident": c.bag.index + 1,
                "code": c.code,
                "p": round(c.p, 3),
                "outcome": c.outcome,
                "sentence": c.bag.sentences[c.sentence][0],
            }
            for c in added
        ],
        "pool": [(round(c.p, 3), c.outcome) for c in pool],
        "misses": misses,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def _load(extractor: Extractor, names: Sequence[str], cache: Path | None) -> list[SetData]:
    """The sets extracted, or read back from ``cache`` (a pickle of this harness's own making:
    ``--cache`` is for repeated runs while trying options)."""
    import pickle

    if cache is not None and cache.is_file():
        stored: dict[str, SetData] = pickle.loads(cache.read_bytes())
        if all(n in stored for n in names):
            return [stored[n] for n in names]
    sets = [collect(extractor, n) for n in names]
    if cache is not None:
        cache.write_bytes(pickle.dumps({s.name: s for s in sets}))
    return sets


def _prf(c: dict[str, int]) -> str:
    x = Counts(c["tp"], c["fp"], c["fn"])
    return f"P {x.precision:.2f} R {x.recall:.2f} F1 {x.f1:.2f} ({x.tp}/{x.fp}/{x.fn})"


def _cell(c: dict[str, int]) -> str:
    x = Counts(c["tp"], c["fp"], c["fn"])
    return f"{x.precision:.2f} / {x.recall:.2f} / {x.f1:.2f}"


def markdown(results: dict[str, list[dict[str, Any]]]) -> str:
    """Per field and fold: the threshold chosen on the training sets, (a), (b) and what the
    classifier added; the sum over folds; and, for reading only, what fixed thresholds would
    have added over all folds (chosen after the fact: not an estimate)."""
    lines = [
        "| field | held out | threshold | (a) rules P / R / F1 | (b) + classifier | added +true/−false |",
        "|---|---|--:|---|---|---|",
    ]
    for field, rows in results.items():
        total = {"a": Counts(), "b": Counts()}
        for row in rows:
            t = "none" if row["threshold"] > 1 else f"{row['threshold']:.2f}"
            lines.append(
                f"| {field} | {row['set']} | {t} | {_cell(row['a'])} | {_cell(row['b'])} "
                f"| +{row['added_tp']}/−{row['added_fp']} |"
            )
            for key in total:
                total[key] += Counts(**row[key])
        added = (sum(r["added_tp"] for r in rows), sum(r["added_fp"] for r in rows))
        a, b = (dataclasses.asdict(total[k]) for k in ("a", "b"))
        lines.append(
            f"| {field} | **sum** | | **{_cell(a)}** | **{_cell(b)}** | +{added[0]}/−{added[1]} |"
        )
    lines += ["", "| field | " + " | ".join(f"≥{t:.2f}" for t in CURVE) + " |"]
    lines.append("|---|" + "--:|" * len(CURVE))
    for field, rows in results.items():
        pool = [p for row in rows for p in row["pool"]]
        cells = [
            f"+{sum(1 for p, o in pool if p >= t and o == 'tp')}"
            f"/−{sum(1 for p, o in pool if p >= t and o == 'fp')}"
            for t in CURVE
        ]
        lines.append(f"| {field} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--field", action="append", choices=FIELDS, dest="fields")
    parser.add_argument("--set", action="append", choices=REAL, dest="sets", help="held-out sets")
    parser.add_argument("--no-synthetic", action="store_true", help="train on real sets only")
    parser.add_argument("--no-exemplars", action="store_true", help="no exemplar sentences")
    parser.add_argument("--mi-rounds", type=int, default=1)
    parser.add_argument("--max-add", type=int, default=1)
    parser.add_argument("--C", type=float, default=4.0)
    parser.add_argument(
        "--only-uncoded", action="store_true", help="only incidents no rule coded the field for"
    )
    parser.add_argument("--features", choices=("char", "words", "both"), default="char")
    parser.add_argument("--json", type=Path, help="also write every fold's numbers here")
    parser.add_argument("--cache", type=Path, help="extracted sets kept here between runs")
    args = parser.parse_args(argv)
    opt = Options(
        synthetic=not args.no_synthetic,
        exemplars=not args.no_exemplars,
        mi_rounds=args.mi_rounds,
        max_add=args.max_add,
        c=args.C,
        features=args.features,
        only_uncoded=args.only_uncoded,
    )
    extractor = default_extractor()
    names = [*REAL, *(SYNTHETIC if opt.synthetic else ())]
    sets = _load(extractor, names, args.cache)
    results: dict[str, list[dict[str, Any]]] = {}
    print(f"options: {opt}")
    print("(a) is not a blind score of the rules: they were written reading most of these sets.")
    for field in args.fields or FIELDS:
        rows = []
        for held in (s for s in sets if s.name in (args.sets or REAL)):
            row = fold(field, sets, held, opt)
            rows.append(row)
            print(
                f"{field:15} {held.name:14} t={row['threshold']:.2f}  (a) {_prf(row['a'])}  "
                f"(b) {_prf(row['b'])}  +{row['added_tp']}/-{row['added_fp']}  {row['seconds']}s",
                flush=True,
            )
        for key in ("a", "b"):
            total = Counts()
            for row in rows:
                total += Counts(**row[key])
            print(f"{field:15} {'SUM':14} ({key}) {_prf(dataclasses.asdict(total))}")
        results[field] = rows
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
