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
   labels that match some gold label / predicted labels.
4. Dates and ``affected``: accuracy over the gold incidents that give the field;
   right when the predicted value equals one of the gold values.
5. Incidents: the reports whose predicted incident count equals the gold count.

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
from pathlib import Path
from typing import Any

import yaml

from incident_kg.errors import GoldFormatError

from .dates import iso_from_yaml
from .model import CODED_FIELDS

log = logging.getLogger(__name__)

DATE_FIELDS: tuple[str, ...] = ("occurred", "discovered")
VALUE_FIELDS: tuple[str, ...] = (*DATE_FIELDS, "affected")
#: The fields whose overlap decides the alignment of incidents.
ALIGNMENT_FIELDS: tuple[str, ...] = ("harms", "causes")
#: Above this many incidents on either side, alignment is greedy instead of exact.
EXACT_LIMIT = 15

_REPORT_KEYS = frozenset({"report", "published", "incidents"})
_INCIDENT_KEYS = frozenset({"key", "organizations", *CODED_FIELDS, *VALUE_FIELDS, "also_ok"})


# --------------------------------------------------------------------------- gold


@dataclass(frozen=True)
class GoldIncident:
    """One incident of a gold file; a field the file does not give is ``None`` / absent."""

    key: str
    codes: Mapping[str, frozenset[str]]  # coded field → codes, only the fields given
    also_ok: Mapping[str, frozenset[str]] = field(default_factory=dict)
    organizations: tuple[str, ...] | None = None
    occurred: tuple[str, ...] | None = None  # acceptable ISO dates
    discovered: tuple[str, ...] | None = None
    affected: tuple[int, ...] | None = None  # acceptable counts

    def accepted(self, name: str) -> tuple[str, ...] | tuple[int, ...] | None:
        """The acceptable values of ``occurred``, ``discovered`` or ``affected``."""
        if name not in VALUE_FIELDS:
            raise ValueError(f"not a value field: {name}")
        value: tuple[str, ...] | tuple[int, ...] | None = getattr(self, name)
        return value


@dataclass(frozen=True)
class GoldReport:
    """The gold annotation of one report, keyed by the report's file name."""

    report: str  # file name (basename) of the report
    incidents: tuple[GoldIncident, ...]
    published: str | None = None
    source: str = ""  # the gold file it was read from


def report_name(path: str) -> str:
    """The file name a report is matched by: the last part of a POSIX or Windows path."""
    return re.split(r"[\\/]", path.strip())[-1]


def iso_date(value: object, *, where: str) -> str:
    """A YAML date (``datetime.date``, the int ``2022`` or a string) as ISO text at its precision."""
    try:
        return iso_from_yaml(value)
    except ValueError as exc:
        raise GoldFormatError(f"{where}: {exc}") from None


def _as_list(value: object, *, where: str) -> list[object]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise GoldFormatError(f"{where}: an empty list accepts nothing; leave the field out")
    return items


def _dates(value: object, *, where: str) -> tuple[str, ...]:
    return tuple(iso_date(v, where=where) for v in _as_list(value, where=where))


def _counts(value: object, *, where: str) -> tuple[int, ...]:
    counts: list[int] = []
    for item in _as_list(value, where=where):
        if isinstance(item, bool) or not isinstance(item, int) or item < 0:
            raise GoldFormatError(
                f"{where}: expected a count (an integer or a list of integers), not {item!r}"
            )
        counts.append(item)
    return tuple(counts)


def _strings(value: object, *, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise GoldFormatError(f"{where}: expected a list of {what}, not {type(value).__name__}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise GoldFormatError(f"{where}: expected a list of {what}, found {item!r}")
    return tuple(value)


def _also_ok(value: object, *, where: str) -> dict[str, frozenset[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise GoldFormatError(f"{where}: expected a mapping of field → codes")
    unknown = sorted(str(k) for k in value if k not in CODED_FIELDS)
    if unknown:
        raise GoldFormatError(f"{where}: not a coded field: {', '.join(unknown)}")
    return {
        name: frozenset(_strings(codes, where=f"{where}.{name}", what="codes"))
        for name, codes in value.items()
    }


def parse_incident(data: object, *, where: str) -> GoldIncident:
    """One entry of a gold file's ``incidents`` list (raises GoldFormatError)."""
    if not isinstance(data, dict):
        raise GoldFormatError(f"{where}: an incident must be a mapping, not {data!r}")
    key = data.get("key")
    if not isinstance(key, str) or not key.strip():
        raise GoldFormatError(f"{where}: every incident needs a 'key' (free text)")
    where = f"{where} ({key})"
    unknown = sorted(str(k) for k in data if k not in _INCIDENT_KEYS)
    if unknown:
        raise GoldFormatError(f"{where}: unknown field: {', '.join(unknown)}")
    given = {name: value for name, value in data.items() if value is not None}  # null: absent
    orgs = given.get("organizations")
    dates = {
        name: _dates(given[name], where=f"{where}.{name}") if name in given else None
        for name in DATE_FIELDS
    }
    return GoldIncident(
        key=key,
        codes={
            name: frozenset(_strings(given[name], where=f"{where}.{name}", what="codes"))
            for name in CODED_FIELDS
            if name in given
        },
        also_ok=_also_ok(given.get("also_ok"), where=f"{where}.also_ok"),
        organizations=None
        if orgs is None
        else _strings(orgs, where=f"{where}.organizations", what="labels"),
        occurred=dates["occurred"],
        discovered=dates["discovered"],
        affected=_counts(given["affected"], where=f"{where}.affected")
        if "affected" in given
        else None,
    )


def parse_gold(data: object, *, source: str) -> GoldReport:
    """One gold file's YAML data → :class:`GoldReport` (raises GoldFormatError naming ``source``)."""
    if data is None:
        raise GoldFormatError(f"{source}: the gold file is empty")
    if not isinstance(data, dict):
        raise GoldFormatError(
            f"{source}: a gold file must be a mapping with 'report' and 'incidents'"
        )
    unknown = sorted(str(k) for k in data if k not in _REPORT_KEYS)
    if unknown:
        raise GoldFormatError(f"{source}: unknown field: {', '.join(unknown)}")
    report = data.get("report")
    if not isinstance(report, str) or not report.strip():
        raise GoldFormatError(f"{source}: 'report' must name the report file")
    incidents = data.get("incidents")
    if not isinstance(incidents, list):
        raise GoldFormatError(f"{source}: 'incidents' must be a list (incidents: [] for none)")
    parsed = tuple(
        parse_incident(item, where=f"{source}: incident {n}") for n, item in enumerate(incidents, 1)
    )
    keys = [inc.key for inc in parsed]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise GoldFormatError(f"{source}: incident key used twice: {', '.join(repeated)}")
    published = data.get("published")
    return GoldReport(
        report=report_name(report),
        incidents=parsed,
        published=None if published is None else iso_date(published, where=f"{source}: published"),
        source=source,
    )


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        return f"line {exc.problem_mark.line + 1}: {exc.problem}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def load_gold(directory: Path) -> dict[str, GoldReport]:
    """Every ``*.yaml`` / ``*.yml`` gold file of a folder, keyed by report file name."""
    if not directory.is_dir():
        raise GoldFormatError(f"{directory}: no such gold folder")
    out: dict[str, GoldReport] = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise GoldFormatError(f"{path}: cannot read the gold file: {exc}") from exc
        except yaml.YAMLError as exc:
            raise GoldFormatError(f"{path}: not valid YAML, {_yaml_problem(exc)}") from exc
        gold = parse_gold(data, source=str(path))
        if gold.report in out:
            raise GoldFormatError(
                f"{path}: report {gold.report} is annotated twice (also in {out[gold.report].source})"
            )
        out[gold.report] = gold
    return out


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


@dataclass(frozen=True)
class Evaluation:
    """Scores per field and every difference, for one run over a set of reports."""

    fields: Mapping[str, Counts] = field(default_factory=_zero_counts)
    organizations: OrgCounts = OrgCounts()
    values: Mapping[str, Accuracy] = field(default_factory=_zero_accuracies)
    reports: tuple[ReportCount, ...] = ()  # the reports scored
    differences: tuple[Difference, ...] = ()  # in report, then alignment order
    gold_only: tuple[str, ...] = ()  # reports with gold but no prediction
    predicted_only: tuple[str, ...] = ()  # reports predicted but without gold

    def __add__(self, other: Evaluation) -> Evaluation:
        return Evaluation(
            fields={n: self.fields[n] + other.fields[n] for n in CODED_FIELDS},
            organizations=self.organizations + other.organizations,
            values={n: self.values[n] + other.values[n] for n in VALUE_FIELDS},
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


def _score_codes(
    report: str, gold: GoldIncident | None, pred: Mapping[str, Any] | None, names: tuple[str, str]
) -> Evaluation:
    gname, pname = names
    counts = _zero_counts()
    diffs: list[Difference] = []
    for name in CODED_FIELDS:
        if gold is not None and name not in gold.codes:
            continue  # not scored for this incident
        expected = gold.codes[name] if gold else frozenset()
        ok = gold.also_ok.get(name, frozenset()) if gold else frozenset()
        got = predicted_codes(pred, name) if pred is not None else frozenset()
        extra, missed = sorted(got - expected - ok), sorted(expected - got)
        counts[name] = Counts(tp=len(got & expected), fp=len(extra), fn=len(missed))
        diffs += [Difference("miss", report, gname, name, c, pname or None) for c in missed]
        diffs += [Difference("extra", report, pname, name, c, gname or None) for c in extra]
    return Evaluation(fields=counts, differences=tuple(diffs))


def _score_organizations(
    report: str, gold: GoldIncident | None, pred: Mapping[str, Any] | None, names: tuple[str, str]
) -> Evaluation:
    if gold is not None and gold.organizations is None:
        return Evaluation()
    gname, pname = names
    gold_labels = tuple(dict.fromkeys(gold.organizations or ())) if gold else ()
    labels = predicted_labels(pred) if pred is not None else ()
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
