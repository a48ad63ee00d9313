"""Evaluate: predicted incidents against gold annotations, scored as spec/gold-format.md says.

Pure functions over the JSON that ``extract`` prints (see
:meth:`~.model.Report.to_json`); only :func:`load_gold` reads files.

1. Incidents of a report are aligned one-to-one, gold to predicted, maximising the
   total overlap of harms + causes + organisations; ties go to the pairing that
   follows the order in the text.
2. Coded fields: set comparison per aligned pair, summed into micro P/R/F1;
   ``also_ok`` codes are ignored; a field absent from a gold incident is not scored.
3. Organisations: a gold label is found when, after NFKC and removal of spaces, it
   is a substring of a predicted label or the other way round.
4. Dates and ``affected``: correct when equal to one of the gold values.
5. Incidents: reports whose incident count equals the gold.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from incident_kg.errors import GoldFormatError

from .dates import iso_from_yaml
from .model import CODED_FIELDS

VALUE_FIELDS: tuple[str, ...] = ("occurred", "discovered", "affected")
#: Above this many incidents on either side, alignment is greedy instead of exact.
EXACT_LIMIT = 8


@dataclass(frozen=True)
class GoldIncident:
    """One incident of a gold file."""

    key: str
    codes: Mapping[str, frozenset[str]]  # field → codes (only the fields the gold gives)
    also_ok: Mapping[str, frozenset[str]]
    organizations: tuple[str, ...] | None
    values: Mapping[str, tuple[str, ...]]  # occurred/discovered/affected → acceptable values


@dataclass(frozen=True)
class GoldReport:
    """The gold annotation of one report."""

    report: str
    incidents: tuple[GoldIncident, ...]
    published: str | None = None


def _iso(value: object, *, where: str) -> str:
    iso = iso_from_yaml(value)
    if iso is None:
        raise GoldFormatError(f"{where}: not a date: {value!r}")
    return iso


def _values(raw: object, *, date: bool, where: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if date:
        return tuple(_iso(v, where=where) for v in items)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise GoldFormatError(f"{where}: affected must be an integer or a list of integers")
    return tuple(str(v) for v in items)


def _codes(raw: object, *, where: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise GoldFormatError(f"{where}: expected a list of codes")
    return frozenset(raw)


def _gold_incident(raw: object, *, where: str) -> GoldIncident:
    if not isinstance(raw, dict):
        raise GoldFormatError(f"{where}: an incident must be a mapping")
    codes = {f: _codes(raw[f], where=f"{where}.{f}") for f in CODED_FIELDS if f in raw}
    also = raw.get("also_ok") or {}
    if not isinstance(also, dict):
        raise GoldFormatError(f"{where}.also_ok: expected a mapping of field → codes")
    orgs = raw.get("organizations")
    if orgs is not None and not (isinstance(orgs, list) and all(isinstance(o, str) for o in orgs)):
        raise GoldFormatError(f"{where}.organizations: expected a list of labels")
    values = {
        f: _values(raw[f], date=f != "affected", where=f"{where}.{f}")
        for f in VALUE_FIELDS
        if raw.get(f) is not None
    }
    return GoldIncident(
        key=str(raw.get("key", "")),
        codes=codes,
        also_ok={f: _codes(v, where=f"{where}.also_ok.{f}") for f, v in also.items()},
        organizations=tuple(orgs) if orgs is not None else None,
        values=values,
    )


def parse_gold(data: object, *, source: str) -> GoldReport:
    """One gold file's YAML data → :class:`GoldReport` (raises GoldFormatError)."""
    if not isinstance(data, dict) or "report" not in data:
        raise GoldFormatError(f"{source}: a gold file needs a 'report' field")
    incidents = data.get("incidents")
    if not isinstance(incidents, list):
        raise GoldFormatError(f"{source}: 'incidents' must be a list (empty for none)")
    published = data.get("published")
    return GoldReport(
        report=Path(str(data["report"])).name,
        incidents=tuple(
            _gold_incident(inc, where=f"{source}: incidents[{i}]")
            for i, inc in enumerate(incidents)
        ),
        published=_iso(published, where=f"{source}: published") if published else None,
    )


def load_gold(directory: Path) -> dict[str, GoldReport]:
    """Every ``*.yaml`` gold file of a folder, by report file name."""
    if not directory.is_dir():
        raise GoldFormatError(f"{directory}: no such gold folder")
    out: dict[str, GoldReport] = {}
    for path in sorted(directory.glob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise GoldFormatError(f"{path}: cannot read gold file: {first}") from exc
        gold = parse_gold(data, source=str(path))
        out[gold.report] = gold
    return out


# ------------------------------------------------------------------------ scoring


def org_key(label: str) -> str:
    """The form organisation labels are compared in: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", label))


def org_matches(gold: str, predicted: str) -> bool:
    """A gold label is found when one label contains the other (after :func:`org_key`)."""
    g, p = org_key(gold), org_key(predicted)
    return bool(g) and bool(p) and (g in p or p in g)


def _overlap(gold: GoldIncident, pred: Mapping[str, Any]) -> int:
    total = 0
    for name in ("harms", "causes"):
        total += len(gold.codes.get(name, frozenset()) & set(pred.get(name) or ()))
    labels = pred.get("organizations") or ()
    total += sum(1 for g in gold.organizations or () if any(org_matches(g, p) for p in labels))
    return total


def align(
    gold: Sequence[GoldIncident], predicted: Sequence[Mapping[str, Any]]
) -> list[tuple[int, int]]:
    """Pairs (gold index, predicted index) maximising total overlap; ties follow text order."""
    n, m = len(gold), len(predicted)
    if n == 0 or m == 0:
        return []
    weight = [[_overlap(g, p) for p in predicted] for g in gold]
    if max(n, m) > EXACT_LIMIT:  # greedy: best remaining pair first, text order on ties
        pairs: list[tuple[int, int]] = []
        free_g, free_p = set(range(n)), set(range(m))
        for _w, i, j in sorted(
            ((-weight[i][j], i, j) for i in range(n) for j in range(m)), key=lambda t: t
        ):
            if i in free_g and j in free_p:
                pairs.append((i, j))
                free_g.discard(i)
                free_p.discard(j)
        return sorted(pairs)
    k = min(n, m)
    best: tuple[int, tuple[int, ...], tuple[int, ...]] | None = None
    # Lexicographic enumeration makes the first maximum the one closest to text order.
    for gs in itertools.combinations(range(n), k):
        for ps in itertools.permutations(range(m), k):
            total = sum(weight[i][j] for i, j in zip(gs, ps, strict=True))
            if best is None or total > best[0]:
                best = (total, gs, ps)
    assert best is not None
    return list(zip(best[1], best[2], strict=True))


@dataclass
class Counts:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Accuracy:
    """Correct out of scored gold values."""

    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass(frozen=True)
class Difference:
    """A miss (gold value not predicted) or an extra (predicted value not in gold)."""

    report: str
    incident: str
    field: str
    value: str
    kind: str  # miss | extra | wrong


@dataclass
class Evaluation:
    """Scores per field and every difference, for one run over a set of reports."""

    fields: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in CODED_FIELDS})
    organizations: Counts = field(default_factory=Counts)
    values: dict[str, Accuracy] = field(
        default_factory=lambda: {f: Accuracy() for f in VALUE_FIELDS}
    )
    incidents: Accuracy = field(default_factory=Accuracy)
    differences: list[Difference] = field(default_factory=list)
    unscored: list[str] = field(default_factory=list)  # reports with prediction or gold only

    def to_json(self) -> dict[str, Any]:
        def counts(c: Counts) -> dict[str, Any]:
            return {
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
                "precision": round(c.precision, 4),
                "recall": round(c.recall, 4),
                "f1": round(c.f1, 4),
            }

        return {
            "fields": {f: counts(c) for f, c in self.fields.items()},
            "organizations": counts(self.organizations),
            "values": {
                f: {"correct": a.correct, "total": a.total, "accuracy": round(a.value, 4)}
                for f, a in self.values.items()
            },
            "incidents": {"correct": self.incidents.correct, "total": self.incidents.total},
            "differences": [d.__dict__ for d in self.differences],
            "unscored": self.unscored,
        }


def _incident_name(pred: Mapping[str, Any]) -> str:
    title = str(pred.get("title") or "")
    return f"{pred.get('key', '?')} ({title[:30]})" if title else str(pred.get("key", "?"))


def _score_pair(
    ev: Evaluation, report: str, gold: GoldIncident | None, pred: Mapping[str, Any] | None
) -> None:
    gname = gold.key if gold else "(none)"
    pname = _incident_name(pred) if pred else gname
    for name in CODED_FIELDS:
        predicted = set(pred.get(name) or ()) if pred else set()
        if gold is not None and name not in gold.codes:
            continue  # the gold does not score this field for this incident
        expected = gold.codes[name] if gold else frozenset()
        ok = gold.also_ok.get(name, frozenset()) if gold else frozenset()
        counts = ev.fields[name]
        counts.tp += len(predicted & expected)
        for code in sorted(predicted - expected - ok):
            counts.fp += 1
            ev.differences.append(Difference(report, pname, name, code, "extra"))
        for code in sorted(expected - predicted):
            counts.fn += 1
            ev.differences.append(Difference(report, gname, name, code, "miss"))
    labels = list(pred.get("organizations") or ()) if pred else []
    gold_orgs = gold.organizations if gold else ()
    if gold_orgs is not None:
        for label in gold_orgs:
            if any(org_matches(label, p) for p in labels):
                ev.organizations.tp += 1
            else:
                ev.organizations.fn += 1
                ev.differences.append(Difference(report, gname, "organizations", label, "miss"))
        for p in labels:
            if not any(org_matches(g, p) for g in gold_orgs):
                ev.organizations.fp += 1
                ev.differences.append(Difference(report, pname, "organizations", p, "extra"))
    if gold is None:
        return
    for name, accepted in gold.values.items():
        got = pred.get(name) if pred else None
        acc = ev.values[name]
        acc.total += 1
        if got is not None and str(got) in accepted:
            acc.correct += 1
        else:
            shown = "none" if got is None else str(got)
            ev.differences.append(
                Difference(report, gname, name, f"{shown} (gold {' | '.join(accepted)})", "wrong")
            )


def score(predicted: Sequence[Mapping[str, Any]], gold: Mapping[str, GoldReport]) -> Evaluation:
    """Score predictions (the ``extract`` JSON: a list of reports) against gold."""
    ev = Evaluation()
    by_name = {Path(str(r["report"])).name: r for r in predicted}
    ev.unscored = sorted(set(by_name) ^ set(gold))
    for name in sorted(set(by_name) & set(gold)):
        preds = list(by_name[name].get("incidents") or [])
        golds = gold[name].incidents
        ev.incidents.total += 1
        if len(preds) == len(golds):
            ev.incidents.correct += 1
        pairs = align(golds, preds)
        for i, j in pairs:
            _score_pair(ev, name, golds[i], preds[j])
        for i in sorted(set(range(len(golds))) - {i for i, _ in pairs}):
            _score_pair(ev, name, golds[i], None)
        for j in sorted(set(range(len(preds))) - {j for _, j in pairs}):
            _score_pair(ev, name, None, preds[j])
    return ev


# --------------------------------------------------------------------- printing


def format_table(ev: Evaluation) -> str:
    """Per-field precision, recall, F1 and accuracies as a plain-text table."""
    lines = [f"{'field':<16}{'precision':>10}{'recall':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for name, c in [*ev.fields.items(), ("organizations", ev.organizations)]:
        lines.append(
            f"{name:<16}{c.precision:>10.3f}{c.recall:>8.3f}{c.f1:>8.3f}{c.tp:>6}{c.fp:>6}{c.fn:>6}"
        )
    lines.append("")
    lines.append(f"{'field':<16}{'accuracy':>10}{'correct':>10}")
    for name, a in ev.values.items():
        lines.append(f"{name:<16}{a.value:>10.3f}{f'{a.correct}/{a.total}':>10}")
    lines.append(
        f"{'incidents':<16}{ev.incidents.value:>10.3f}"
        f"{f'{ev.incidents.correct}/{ev.incidents.total}':>10}  reports with the right count"
    )
    if ev.unscored:
        lines.append(f"not scored (prediction or gold missing): {', '.join(ev.unscored)}")
    return "\n".join(lines)


def format_details(ev: Evaluation) -> str:
    """Every miss, extra and wrong value, grouped by report and incident."""
    out: list[str] = []
    ordered = sorted(ev.differences, key=lambda d: (d.report, d.incident))
    for report, group in itertools.groupby(ordered, key=lambda d: d.report):
        out.append(report)
        for incident, items in itertools.groupby(group, key=lambda d: d.incident):
            out.append(f"  {incident}")
            for d in items:
                out.append(f"    {d.kind:<6}{d.field:<16}{d.value}")
    return "\n".join(out) + ("\n" if out else "")
