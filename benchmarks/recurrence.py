"""Recurrences with a known ground truth: did a measure work? (issue 18)

Synthetic bodies, each with a first incident of one cause, a report that does or does not
adopt the measure for that cause (said as the reports say it: ログアウト漏れを防止するため、
チェックリストを…), and, with a probability that depends on the adoption, a later incident of
the same cause in the same body. What was planted is the ground truth of
``incident-kg analyze effectiveness``: per measure and cause, the bodies that adopted it and
those that did not, how many of each saw the cause again, the recurrences and the days at
risk — computed here from the planted dates alone (:func:`ground_truth`), never by the
project's code.

Run::

    .venv/bin/python -m benchmarks.recurrence --bodies 40 --seed 7 OUT_DIR

or add ``--recurrence-bodies N`` to ``python -m benchmarks.corpus text``: the reports and
``recurrence-truth.json`` are written beside the corpus (their bodies are named so that no
body of the main corpus is one of them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

TRUTH = "recurrence-truth.json"
_FIRST = "青赤朝東荒飯石泉稲岩梅大岡加川北桐久倉栗黒桑桜沢塩芝白杉関高滝竹土鶴寺徳富豊中永夏西野萩橋花浜早原春平広福藤古堀本松水緑南宮森柳山湯横吉若"
_SECOND = "川山田野原沢浜島崎岡谷坂瀬津浦森里丘根見"

#: cause → what its reports say: the harm, the cause, the measure adopted for it (with the
#: cause it prevents named before the cue), and a measure that does not address it.
KINDS: dict[str, dict[str, str]] = {
    "LogoutOmission": {
        "measure": "Checklist",
        "title": "マイナポイントの誤付与について",
        "summary": "{body}市民課のマイナポイント申込支援窓口において、申込者とは別の方の決済サービスにマイナポイントが付与されました（1件）。",
        "first": "窓口で申込支援を実施",
        "found": "申込者からの問い合わせにより判明",
        "cause": "支援員が前の方の手続の後にログアウトをせず、次の方の申込を続けてしまったことが原因です。",
        "adopt": "ログアウト漏れを防止するため、手続ごとに確認するチェックリストを作成し、活用します。",
        "other": "職員に対し、申込支援の手順に関する研修を実施します。",
    },
    "SinglePersonCheck": {
        "measure": "MultiPersonCheck",
        "title": "住民票の写しの誤交付について",
        "summary": "{body}市民課の窓口において、請求者とは別の方の住民票の写しを誤って交付しました（1件）。",
        "first": "窓口で住民票の写しを交付",
        "found": "請求者からの連絡により判明",
        "cause": "交付の際の確認を担当職員が一人で行い、他の職員による確認が行われていなかったことが原因です。",
        "adopt": "一人での確認による誤りを防止するため、交付前に複数の職員によるダブルチェックを行います。",
        "other": "職員に対し、証明書の交付に関する研修を実施します。",
    },
}
START = dt.date(2022, 4, 1)


@dataclass(frozen=True)
class PlantedBody:
    """One body's history: its first incident and report, the adoption, a recurrence."""

    body: str
    cause: str
    measure: str
    adopted: bool
    first_occurred: str  # ISO dates, as written into the reports
    first_published: str
    recurrence_occurred: str | None = None
    recurrence_published: str | None = None


@dataclass(frozen=True)
class TruthRow:
    """What ``analyze effectiveness`` must find for one measure and cause."""

    measure: str
    cause: str
    adopters: int
    adopters_recurred: int
    recurrences: int
    days_at_risk: int
    others: int
    others_recurred: int
    other_recurrences: int
    other_days_at_risk: int


def body_names(count: int) -> list[str]:
    """``count`` invented city names, none of them a name the main corpus uses (…台市)."""
    names = [f"{a}{b}台市" for b in _SECOND for a in _FIRST if a != b]
    if count > len(names):
        raise ValueError(f"at most {len(names)} bodies")
    return names[:count]


def _era(day: dt.date) -> str:
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def report_text(
    body: str, kind: dict[str, str], occurred: dt.date, published: dt.date, measure: str | None
) -> str:
    """One report of one incident, in the layout of a municipal press release."""
    found = occurred + dt.timedelta(days=20)
    lines = [
        _era(published),
        f"{body}　市民課",
        "",
        kind["title"],
        "",
        "１　事案の概要",
        "　" + kind["summary"].format(body=body),
        "",
        "２　経過",
        f"　{_era(occurred)}　{kind['first']}",
        f"　{_era(found)}　{kind['found']}",
        "",
        "３　原因",
        "　" + kind["cause"],
        "",
    ]
    if measure is not None:
        lines += ["４　再発防止策", "　" + measure, ""]
    return "\n".join(lines)


def plant(
    bodies: int, seed: int, *, p_recur_adopted: float = 0.2, p_recur_other: float = 0.6
) -> tuple[list[tuple[str, str]], list[PlantedBody]]:
    """The reports (file name, text) and the planted history of each body (deterministic
    for a seed)."""
    rng = random.Random(f"incident-kg-recurrence:{seed}")
    causes = sorted(KINDS)
    reports: list[tuple[str, str]] = []
    planted: list[PlantedBody] = []
    for k, body in enumerate(body_names(bodies)):
        cause = causes[k % len(causes)]
        kind = KINDS[cause]
        adopted = rng.random() < 0.5
        occurred = START + dt.timedelta(days=rng.randrange(0, 300))
        published = occurred + dt.timedelta(days=rng.randrange(40, 90))
        text = report_text(body, kind, occurred, published, kind["adopt" if adopted else "other"])
        reports.append((f"rec{seed}-{k:04d}a.txt", text))
        recurred = rng.random() < (p_recur_adopted if adopted else p_recur_other)
        again = again_published = None
        if recurred:
            again = published + dt.timedelta(days=rng.randrange(30, 300))
            again_published = again + dt.timedelta(days=rng.randrange(40, 90))
            reports.append(
                (f"rec{seed}-{k:04d}b.txt", report_text(body, kind, again, again_published, None))
            )
        planted.append(
            PlantedBody(
                body,
                cause,
                kind["measure"],
                adopted,
                occurred.isoformat(),
                published.isoformat(),
                again.isoformat() if again else None,
                again_published.isoformat() if again_published else None,
            )
        )
    return reports, planted


def observed_until(planted: Sequence[PlantedBody]) -> str:
    """The latest date the planted reports give (a report's publication)."""
    return max(d for b in planted for d in (b.first_published, b.recurrence_published) if d)


def ground_truth(planted: Sequence[PlantedBody]) -> list[TruthRow]:
    """Per measure and cause, from the planted dates: adopters are at risk from their
    report's date, the others from their first report's date, until their recurrence (its
    occurrence) or the latest date of the corpus."""
    end = dt.date.fromisoformat(observed_until(planted))

    def days(b: PlantedBody) -> int:
        since = dt.date.fromisoformat(b.first_published)
        until = dt.date.fromisoformat(b.recurrence_occurred) if b.recurrence_occurred else end
        return (until - since).days

    rows = []
    for cause in sorted(KINDS):
        mine = [b for b in planted if b.cause == cause]
        yes = [b for b in mine if b.adopted]
        no = [b for b in mine if not b.adopted]
        rows.append(
            TruthRow(
                KINDS[cause]["measure"],
                cause,
                len(yes),
                sum(1 for b in yes if b.recurrence_occurred),
                sum(1 for b in yes if b.recurrence_occurred),
                sum(map(days, yes)),
                len(no),
                sum(1 for b in no if b.recurrence_occurred),
                sum(1 for b in no if b.recurrence_occurred),
                sum(map(days, no)),
            )
        )
    return rows


def write_recurrences(folder: Path, bodies: int, seed: int) -> list[PlantedBody]:
    """Write the reports and ``recurrence-truth.json`` (planted bodies and truth rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    reports, planted = plant(bodies, seed)
    for name, text in reports:
        (folder / name).write_text(text, encoding="utf-8")
    truth = {
        "observed_until": observed_until(planted),
        "bodies": [asdict(b) for b in planted],
        "effects": [asdict(r) for r in ground_truth(planted)],
    }
    (folder / TRUTH).write_text(json.dumps(truth, ensure_ascii=False, indent=2), encoding="utf-8")
    return planted


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--bodies N --seed S OUT_DIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.recurrence", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--bodies", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    planted = write_recurrences(args.out, args.bodies, args.seed)
    print(f"wrote the reports of {len(planted)} bodies and {TRUTH} to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
