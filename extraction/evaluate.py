"""Evaluate: predicted incidents against gold annotations, scored as spec/gold-format.md says.

Pure functions over the JSON that ``extract`` prints (a list of
:meth:`~.model.Report.to_json` dicts); only :func:`load_gold` reads files.

1. Incidents of a report are aligned one-to-one, gold to predicted, so that the
   total overlap of harms + causes + organisations is largest; ties go to the
   pairing that follows the order in the text (see :func:`assign`).  Unaligned
   predicted incidents count all their values as false positives; unaligned gold
   incidents count all theirs as false negatives (and their dates as wrong).
2. Coded fields: set comparison per aligned pair, summed over all reports into
   micro precision, recall and F1.  ``also_ok`` codes are neither rewarded nor
   punished; a field absent from a gold incident is not scored for it.
3. Organisations: a gold label is found when, after NFKC and removal of
   whitespace, it is a substring of a predicted label of the aligned incident or
   the other way round.  Recall is found / gold labels; precision is predicted
   labels that match some gold label / predicted labels.  A predicted label that matches
   only an organisation the gold lists under ``also_ok`` (a body that may be named or not) is
   left out of both — the spec's rule for ``also_ok`` codes, extended to organisations.
4. Dates and ``affected``: accuracy over the gold incidents that give the field;
   right when the predicted value equals one of the gold values.
5. Incidents: the reports whose predicted incident count equals the gold count.
6. By mechanism: each predicted code counts for the mechanism that read it (a lexicon rule
   when any of its evidence came from one, else similarity to exemplars, else curation);
   per mechanism and field, its true and false positives, its precision, and its recall —
   the share of all gold codes of the field it found.

A ratio with an empty denominator is 1.0 when nothing was got wrong (nothing to
find and nothing extra) and 0.0 otherwise.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .gold import VALUE_FIELDS, GoldIncident, GoldReport, report_name
from .model import CODED_FIELDS, MECHANISMS

log = logging.getLogger(__name__)

#: The fields whose overlap decides the alignment of incidents.
ALIGNMENT_FIELDS: tuple[str, ...] = ("harms", "causes")
#: Above this many incidents on either side, alignment is greedy instead of exact.
EXACT_LIMIT = 15


# ---------------------------------------------------------------------- alignment


def org_key(label: str) -> str:
    """The form organisation labels are compared in: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", label))


def org_matches(gold: str, predicted: str) -> bool:
    """A gold label matches a predicted one when either contains the other (after :func:`org_key`)."""
    g, p = org_key(gold), org_key(predicted)
    return bool(g) and bool(p) and (g in p or p in g)


def predicted_codes(incident: Mapping[str, Any], name: str) -> frozenset[str]:
    """The codes a predicted incident gives for one coded field."""
    return frozenset(str(code) for code in incident.get(name) or ())


def predicted_labels(incident: Mapping[str, Any]) -> tuple[str, ...]:
    """The distinct organisation labels of a predicted incident, in order."""
    return tuple(dict.fromkeys(str(label) for label in incident.get("organizations") or ()))


def overlap(gold: GoldIncident, predicted: Mapping[str, Any]) -> int:
    """Shared harms + causes + gold organisation labels found: the alignment weight."""
    codes = sum(
        len(gold.codes.get(name, frozenset()) & predicted_codes(predicted, name))
        for name in ALIGNMENT_FIELDS
    )
    labels = predicted_labels(predicted)
    orgs = sum(1 for g in gold.organizations or () if any(org_matches(g, p) for p in labels))
    return codes + orgs


def _assign_exact(weights: Sequence[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    n, m = len(weights), len(weights[0])
    spare = n - min(n, m)  # gold incidents that must stay unaligned

    @functools.cache
    def best(i: int, used: int) -> int:
        """The largest total weight for gold ``i:`` given the predicted ones ``used``."""
        if i == n:
            return 0
        options = [
            weights[i][j] + best(i + 1, used | 1 << j) for j in range(m) if not used >> j & 1
        ]
        if i - used.bit_count() < spare:
            options.append(best(i + 1, used))
        return max(options)

    pairs: list[tuple[int, int]] = []
    used = 0
    for i in range(n):
        target = best(i, used)
        for j in range(m):
            if not used >> j & 1 and weights[i][j] + best(i + 1, used | 1 << j) == target:
                pairs.append((i, j))
                used |= 1 << j
                break
        # no pair reaches the target: gold i stays unaligned (best(i + 1, used) == target)
    return tuple(pairs)


def _assign_greedy(weights: Sequence[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    n, m = len(weights), len(weights[0])
    free_gold, free_pred = set(range(n)), set(range(m))
    pairs: list[tuple[int, int]] = []
    for _w, i, j in sorted((-weights[i][j], i, j) for i in range(n) for j in range(m)):
        if i in free_gold and j in free_pred:
            pairs.append((i, j))
            free_gold.discard(i)
            free_pred.discard(j)
    return tuple(sorted(pairs))


def assign(weights: Sequence[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    """A one-to-one assignment of rows (gold) to columns (predicted) of largest total weight.

    Returns ``(row, column)`` pairs in row order; ``min(rows, columns)`` of them.
    Among assignments of equal weight the lexicographically smallest wins: row 0
    takes the lowest column it can, then row 1, and so on (a row left out ranks
    after every column), so equal candidates pair i-th with i-th as in the text.

    Exact (dynamic programming over sets of used columns) while neither side has
    more than :data:`EXACT_LIMIT` incidents; above that, greedy: the heaviest
    remaining pair first, ties in text order — not always optimal, but reports
    with that many incidents are rare.
    """
    if not weights or not weights[0]:
        return ()
    if max(len(weights), len(weights[0])) > EXACT_LIMIT:
        log.info(
            "aligning %d gold with %d predicted incidents greedily (more than %d)",
            len(weights),
            len(weights[0]),
            EXACT_LIMIT,
        )
        return _assign_greedy(weights)
    return _assign_exact(weights)


def align(
    gold: Sequence[GoldIncident], predicted: Sequence[Mapping[str, Any]]
) -> tuple[tuple[int, int], ...]:
    """Pairs (gold index, predicted index) of largest total :func:`overlap`; ties follow text order."""
    return assign([[overlap(g, p) for p in predicted] for g in gold])


# ------------------------------------------------------------------------ scores


def _ratio(hits: int, total: int, *, errors: int) -> float:
    if total:
        return hits / total
    return 1.0 if errors == 0 else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one coded field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def support(self) -> int:
        """The number of gold codes scored."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp, errors=self.fn)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn, errors=self.fp)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


@dataclass(frozen=True)
class OrgCounts:
    """Organisation labels: gold ones found, predicted ones that match some gold label."""

    found: int = 0  # gold labels matched by a predicted label of the aligned incident
    gold: int = 0
    matching: int = 0  # predicted labels matching a gold label of the aligned incident
    predicted: int = 0

    def __add__(self, other: OrgCounts) -> OrgCounts:
        return OrgCounts(
            self.found + other.found,
            self.gold + other.gold,
            self.matching + other.matching,
            self.predicted + other.predicted,
        )

    @property
    def support(self) -> int:
        return self.gold

    @property
    def precision(self) -> float:
        return _ratio(self.matching, self.predicted, errors=self.gold - self.found)

    @property
    def recall(self) -> float:
        return _ratio(self.found, self.gold, errors=self.predicted - self.matching)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


@dataclass(frozen=True)
class Accuracy:
    """Right out of scored."""

    correct: int = 0
    total: int = 0

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    @property
    def value(self) -> float:
        return _ratio(self.correct, self.total, errors=0)


@dataclass(frozen=True)
class Difference:
    """A gold value not predicted (``miss``) or a predicted value the gold lacks (``extra``).

    ``incident`` is the gold key for a miss and the predicted key (with its title)
    for an extra; ``aligned_with`` names the incident on the other side, or is
    ``None`` when the incident was not aligned.  A wrong date or count gives a
    miss (the gold values, ``|``-separated) and, when something was predicted,
    an extra.
    """

    kind: str  # miss | extra
    report: str
    incident: str
    field: str
    value: str
    aligned_with: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "report": self.report,
            "incident": self.incident,
            "field": self.field,
            "value": self.value,
            "aligned_with": self.aligned_with,
        }


@dataclass(frozen=True)
class ReportCount:
    """How many incidents a scored report has in the gold and in the prediction."""

    report: str
    gold: int
    predicted: int

    def to_json(self) -> dict[str, Any]:
        return {"report": self.report, "gold": self.gold, "predicted": self.predicted}


def _zero_counts() -> dict[str, Counts]:
    return {name: Counts() for name in CODED_FIELDS}


def _zero_accuracies() -> dict[str, Accuracy]:
    return {name: Accuracy() for name in VALUE_FIELDS}


def _zero_mechanisms() -> dict[str, dict[str, Counts]]:
    return {m: {name: Counts() for name in CODED_FIELDS} for m in MECHANISMS}


@dataclass(frozen=True)
class Evaluation:
    """Scores per field and every difference, for one run over a set of reports."""

    fields: Mapping[str, Counts] = field(default_factory=_zero_counts)
    organizations: OrgCounts = OrgCounts()
    values: Mapping[str, Accuracy] = field(default_factory=_zero_accuracies)
    #: mechanism → field → true and false positives of the codes it read (fn unused)
    mechanisms: Mapping[str, Mapping[str, Counts]] = field(default_factory=_zero_mechanisms)
    reports: tuple[ReportCount, ...] = ()  # the reports scored
    differences: tuple[Difference, ...] = ()  # in report, then alignment order
    gold_only: tuple[str, ...] = ()  # reports with gold but no prediction
    predicted_only: tuple[str, ...] = ()  # reports predicted but without gold

    def __add__(self, other: Evaluation) -> Evaluation:
        return Evaluation(
            fields={n: self.fields[n] + other.fields[n] for n in CODED_FIELDS},
            organizations=self.organizations + other.organizations,
            values={n: self.values[n] + other.values[n] for n in VALUE_FIELDS},
            mechanisms={
                m: {n: self.mechanisms[m][n] + other.mechanisms[m][n] for n in CODED_FIELDS}
                for m in MECHANISMS
            },
            reports=self.reports + other.reports,
            differences=self.differences + other.differences,
            gold_only=self.gold_only + other.gold_only,
            predicted_only=self.predicted_only + other.predicted_only,
        )

    @property
    def incidents(self) -> Accuracy:
        """Scored reports whose predicted incident count equals the gold count."""
        right = sum(1 for r in self.reports if r.gold == r.predicted)
        return Accuracy(right, len(self.reports))

    @property
    def misses(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.kind == "miss")

    @property
    def extras(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.kind == "extra")

    def mechanism_scores(self, mechanism: str, name: str) -> tuple[int, int, float, float]:
        """True and false positives of one mechanism in one field, its precision, and its
        recall of all the field's gold codes."""
        c = self.mechanisms[mechanism][name]
        support = self.fields[name].support
        precision = c.tp / (c.tp + c.fp) if c.tp + c.fp else 1.0
        return c.tp, c.fp, precision, (c.tp / support if support else 0.0)

    def to_json(self) -> dict[str, Any]:
        """Everything, for ``evaluate --format json``."""

        def scores(c: Counts | OrgCounts) -> dict[str, Any]:
            return {"precision": c.precision, "recall": c.recall, "f1": c.f1, "support": c.support}

        incidents = self.incidents
        return {
            "fields": {
                name: {"tp": c.tp, "fp": c.fp, "fn": c.fn, **scores(c)}
                for name, c in self.fields.items()
            },
            "organizations": {
                "found": self.organizations.found,
                "gold": self.organizations.gold,
                "matching": self.organizations.matching,
                "predicted": self.organizations.predicted,
                **scores(self.organizations),
            },
            "values": {
                name: {"correct": a.correct, "total": a.total, "accuracy": a.value}
                for name, a in self.values.items()
            },
            "mechanisms": {
                m: {
                    name: dict(
                        zip(
                            ("tp", "fp", "precision", "recall"),
                            self.mechanism_scores(m, name),
                            strict=True,
                        )
                    )
                    for name in CODED_FIELDS
                }
                for m in MECHANISMS
            },
            "incidents": {
                "correct": incidents.correct,
                "total": incidents.total,
                "accuracy": incidents.value,
            },
            "reports": [r.to_json() for r in self.reports],
            "gold_only": list(self.gold_only),
            "predicted_only": list(self.predicted_only),
            "misses": [d.to_json() for d in self.misses],
            "extras": [d.to_json() for d in self.extras],
        }


# ----------------------------------------------------------------------- scoring


def predicted_name(incident: Mapping[str, Any], index: int) -> str:
    """How an extra names its predicted incident: the key, and the start of the title."""
    key = str(incident.get("key") or f"predicted-{index + 1}")
    title = str(incident.get("title") or "").strip()
    if not title:
        return key
    return f"{key} ({title[:30]}…)" if len(title) > 30 else f"{key} ({title})"


def predicted_mechanism(incident: Mapping[str, Any], name: str, code: str) -> str:
    """The mechanism that read a predicted code: ``rule`` when any of its evidence came from a
    lexicon rule (or it has none), else ``curation``, else ``similarity``."""
    entries = ((incident.get("evidence") or {}).get(name) or {}).get(code) or []
    found = {str(e.get("mechanism", "rule")) for e in entries if isinstance(e, Mapping)}
    for mechanism in ("rule", "curation", "similarity"):
        if mechanism in found:
            return mechanism
    return "rule"


def _score_codes(
    report: str, gold: GoldIncident | None, pred: Mapping[str, Any] | None, names: tuple[str, str]
) -> Evaluation:
    gname, pname = names
    counts = _zero_counts()
    mechanisms = _zero_mechanisms()
    diffs: list[Difference] = []
    for name in CODED_FIELDS:
        if gold is not None and name not in gold.codes:
            continue  # not scored for this incident
        expected = gold.codes[name] if gold else frozenset()
        ok = gold.also_ok.get(name, frozenset()) if gold else frozenset()
        got = predicted_codes(pred, name) if pred is not None else frozenset()
        extra, missed = sorted(got - expected - ok), sorted(expected - got)
        counts[name] = Counts(tp=len(got & expected), fp=len(extra), fn=len(missed))
        for code in got & expected:
            mechanisms[predicted_mechanism(pred or {}, name, code)][name] += Counts(tp=1)
        for code in extra:
            mechanisms[predicted_mechanism(pred or {}, name, code)][name] += Counts(fp=1)
        diffs += [Difference("miss", report, gname, name, c, pname or None) for c in missed]
        diffs += [Difference("extra", report, pname, name, c, gname or None) for c in extra]
    return Evaluation(fields=counts, mechanisms=mechanisms, differences=tuple(diffs))


def _score_organizations(
    report: str, gold: GoldIncident | None, pred: Mapping[str, Any] | None, names: tuple[str, str]
) -> Evaluation:
    if gold is not None and gold.organizations is None:
        return Evaluation()
    gname, pname = names
    gold_labels = tuple(dict.fromkeys(gold.organizations or ())) if gold else ()
    labels = predicted_labels(pred) if pred is not None else ()
    # a body the gold names under also_ok is neither rewarded nor punished when predicted
    optional = gold.also_ok.get("organizations", frozenset()) if gold else frozenset()
    labels = tuple(
        p
        for p in labels
        if any(org_matches(g, p) for g in gold_labels)
        or not any(org_matches(o, p) for o in optional)
    )
    missed = [g for g in gold_labels if not any(org_matches(g, p) for p in labels)]
    extra = [p for p in labels if not any(org_matches(g, p) for g in gold_labels)]
    counts = OrgCounts(
        found=len(gold_labels) - len(missed),
        gold=len(gold_labels),
        matching=len(labels) - len(extra),
        predicted=len(labels),
    )
    diffs = [Difference("miss", report, gname, "organizations", g, pname or None) for g in missed]
    diffs += [Difference("extra", report, pname, "organizations", p, gname or None) for p in extra]
    return Evaluation(organizations=counts, differences=tuple(diffs))


def _predicted_value(pred: Mapping[str, Any] | None, name: str) -> str | int | None:
    value = pred.get(name) if pred is not None else None
    if value is None:
        return None
    if name == "affected" and isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)


def _score_values(
    report: str, gold: GoldIncident | None, pred: Mapping[str, Any] | None, names: tuple[str, str]
) -> Evaluation:
    gname, pname = names
    accuracies = _zero_accuracies()
    diffs: list[Difference] = []
    for name in VALUE_FIELDS:
        accepted = gold.accepted(name) if gold is not None else None
        got = _predicted_value(pred, name)
        if gold is not None and accepted is None:
            continue  # not scored for this incident
        right = accepted is not None and got is not None and got in accepted
        if accepted is not None:
            accuracies[name] = Accuracy(int(right), 1)
        if accepted is not None and not right:
            shown = " | ".join(str(v) for v in accepted)
            diffs.append(Difference("miss", report, gname, name, shown, pname or None))
        if got is not None and not right:
            diffs.append(Difference("extra", report, pname, name, str(got), gname or None))
    return Evaluation(values=accuracies, differences=tuple(diffs))


def score_pair(
    report: str,
    gold: GoldIncident | None,
    pred: Mapping[str, Any] | None,
    *,
    pred_index: int = 0,
) -> Evaluation:
    """The scores of one aligned pair, or of an unaligned incident (the other side ``None``)."""
    names = (gold.key if gold else "", predicted_name(pred, pred_index) if pred is not None else "")
    parts = (
        _score_codes(report, gold, pred, names),
        _score_organizations(report, gold, pred, names),
        _score_values(report, gold, pred, names),
    )
    return sum(parts, Evaluation())


def score_report(gold: GoldReport, predicted: Sequence[Mapping[str, Any]]) -> Evaluation:
    """Align and score the incidents of one report."""
    pairs = dict(align(gold.incidents, predicted))
    parts = [
        score_pair(
            gold.report,
            incident,
            predicted[pairs[i]] if i in pairs else None,
            pred_index=pairs.get(i, 0),
        )
        for i, incident in enumerate(gold.incidents)
    ]
    aligned = set(pairs.values())
    parts += [
        score_pair(gold.report, None, pred, pred_index=j)
        for j, pred in enumerate(predicted)
        if j not in aligned
    ]
    counted = Evaluation(reports=(ReportCount(gold.report, len(gold.incidents), len(predicted)),))
    return sum(parts, counted)


def _by_name(predicted: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for report in predicted:
        name = report_name(str(report.get("report") or ""))
        if name in out:
            log.warning("report %s predicted twice; scoring the first", name)
            continue
        out[name] = report
    return out


def score(predicted: Sequence[Mapping[str, Any]], gold: Mapping[str, GoldReport]) -> Evaluation:
    """Score predictions (the ``extract`` JSON: a list of reports) against gold, by file name.

    Only reports with both gold and a prediction are scored; the others are
    listed in ``gold_only`` and ``predicted_only``.
    """
    by_name = _by_name(predicted)
    scored = sorted(set(by_name) & set(gold))
    parts = [
        score_report(gold[name], list(by_name[name].get("incidents") or ())) for name in scored
    ]
    unmatched = Evaluation(
        gold_only=tuple(sorted(set(gold) - set(by_name))),
        predicted_only=tuple(sorted(set(by_name) - set(gold))),
    )
    return sum(parts, unmatched)


# ---------------------------------------------------------------------- printing


def format_table(ev: Evaluation) -> str:
    """Per-field precision, recall, F1 and support, then accuracies, as a plain-text table."""
    lines = [f"{'field':<16}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}"]
    rows: list[tuple[str, Counts | OrgCounts]] = [
        *ev.fields.items(),
        ("organizations", ev.organizations),
    ]
    for name, c in rows:
        lines.append(f"{name:<16}{c.precision:>10.3f}{c.recall:>8.3f}{c.f1:>8.3f}{c.support:>9}")
    for name, a in ev.values.items():
        lines.append(f"{name:<16}{'accuracy':>10}{a.value:>8.3f}{f'{a.correct}/{a.total}':>17}")
    inc = ev.incidents
    lines.append(
        f"{'incidents':<16}{'accuracy':>10}{inc.value:>8.3f}{f'{inc.correct}/{inc.total}':>17}"
        "  reports with the gold number of incidents"
    )
    lines.append("")
    lines.append(
        f"{'by mechanism':<16}{'field':<16}{'tp':>5}{'fp':>5}{'precision':>10}{'recall':>8}"
    )
    for mechanism in MECHANISMS:
        for name in CODED_FIELDS:
            tp, fp, precision, recall = ev.mechanism_scores(mechanism, name)
            if tp + fp or mechanism == "rule":
                lines.append(
                    f"{mechanism:<16}{name:<16}{tp:>5}{fp:>5}{precision:>10.3f}{recall:>8.3f}"
                )
    if ev.gold_only:
        lines.append(f"not scored, gold but no prediction: {', '.join(ev.gold_only)}")
    if ev.predicted_only:
        lines.append(f"not scored, predicted but no gold: {', '.join(ev.predicted_only)}")
    return "\n".join(lines)


def _group(d: Difference) -> tuple[str, str, str]:
    """(report, gold incident, predicted incident) of a difference; '' for a side not aligned."""
    other = d.aligned_with or ""
    return (d.report, d.incident, other) if d.kind == "miss" else (d.report, other, d.incident)


def format_details(ev: Evaluation) -> str:
    """Every miss (``-``) and extra (``+``), grouped by report and aligned pair of incidents."""
    groups: dict[tuple[str, str, str], list[Difference]] = {}
    for d in ev.differences:
        groups.setdefault(_group(d), []).append(d)
    counts = {r.report: r for r in ev.reports}
    reports = dict.fromkeys(report for report, _, _ in groups)
    out: list[str] = []
    for report in reports:
        n = counts.get(report)
        out.append(f"{report}  ({n.gold} gold, {n.predicted} predicted incidents)" if n else report)
        for (where, gold_key, pred_key), items in groups.items():
            if where != report:
                continue
            out.append(f"  {gold_key or '(no gold incident)'} ↔ {pred_key or '(not predicted)'}")
            out += [f"    {'-' if d.kind == 'miss' else '+'} {d.field:<16}{d.value}" for d in items]
    return "\n".join(out) + ("\n" if out else "")
