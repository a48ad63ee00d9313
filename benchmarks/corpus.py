"""Synthetic corpus for the scale benchmark: reports in the style of real ones, or their graphs.

Two modes:

* **text**: ``N`` report files, deterministic for a seed (report ``i`` is the same in every
  corpus of that seed, so 100 reports are the first 100 of 1,000).  Each report has one to
  three incidents of one organisation, drawn from a skewed spread (many municipalities,
  few of them often; prefectures, health insurers, national bodies); every cause, harm and
  countermeasure of the vocabulary is planted in rotation and said with the phrases of
  ``corpus_phrases.yaml``; headings come numbered (``1``, ``1.``, ``(1)``, ``①``), in
  ``【】`` or ``■`` brackets, or not at all (prose); dates in the era (令和5年9月26日,
  R5.9.26), western or full-width digits; a third of the files have the hard line breaks
  of text copied from a PDF; some are Shift_JIS.  What was planted is written beside the
  reports in ``planted.jsonl`` (one line per report), so extraction can be scored.
* **graph**: N-Quads of report graphs, to push the store, the reasoner and the queries past
  what extraction can feed quickly: the real pipeline extracts a few dozen generated
  reports once, and their graphs are replicated under new report ids (as
  ``store_choice.py`` does) until the wanted number of triples is reached.

Run::

    .venv/bin/python -m benchmarks.corpus text --reports 1000 --seed 7 OUT_DIR
    .venv/bin/python -m benchmarks.corpus graph --triples 1000000 --seed 7 OUT.nq
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

BENCH_DIR = Path(__file__).resolve().parent
PHRASES = BENCH_DIR / "corpus_phrases.yaml"
MANIFEST = "planted.jsonl"
FIELDS = ("harms", "causes", "countermeasures")

_FULL_WIDTH = str.maketrans("0123456789.()", "０１２３４５６７８９．（）")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨"

PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 "
    "神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 "
    "大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 "
    "福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
NATIONAL = (
    "デジタル庁",
    "総務省",
    "厚生労働省",
    "個人情報保護委員会",
    "地方公共団体情報システム機構",
)
_FIRST = "青赤朝梓東天荒飯石泉稲岩上内梅大岡加川北桐久倉栗黒桑佐桜沢塩芝白杉鈴関高滝竹千土鶴寺遠徳富豊中永夏西野萩橋花浜早原春平広福藤古堀本松三水緑南宮森八柳山湯横吉若和"
_SECOND = "川山田野原沢浜島崎岡谷坂瀬津浦森里丘根見"
_COMPANIES = (
    "東和電機",
    "みなと物産",
    "北斗製作所",
    "さくら運輸",
    "青葉化学",
    "中央印刷",
    "大川商事",
)
_SECTIONS = (
    "市民課",
    "住民課",
    "戸籍住民課",
    "マイナンバーカード推進室",
    "保険年金課",
    "窓口サービス課",
)

HEADINGS = {
    "summary": ("事案の概要", "概要", "発生した事案の内容", "事象の概要"),
    "timeline": ("経緯", "発生の経緯", "経過", "時系列"),
    "cause": ("原因", "発生原因", "問題点", "発生の要因"),
    "countermeasure": ("再発防止策", "今後の対策", "再発防止に向けた取組", "改善策"),
    "contact": ("問い合わせ先", "お問い合わせ", "担当課"),
}
#: Heading styles: how the k-th heading (from 1) of a report is written.
STYLES = ("plain", "dot", "paren", "circled", "bracket", "square", "prose")


@dataclass(frozen=True)
class Organisation:
    """A body that may report an incident: its name, kind and a section that acted."""

    name: str
    kind: str  # municipality | prefecture | insurer | national
    section: str


@dataclass(frozen=True)
class PlantedIncident:
    """What the generator put into one incident: the codes said, the body, the count."""

    organization: str
    harms: tuple[str, ...]
    causes: tuple[str, ...]
    countermeasures: tuple[str, ...]
    affected: int
    occurred: str  # ISO date


@dataclass(frozen=True)
class GeneratedReport:
    """One synthetic report: its file name, its text, its encoding and what was planted."""

    name: str
    text: str
    encoding: str
    style: str
    incidents: tuple[PlantedIncident, ...]


@dataclass(frozen=True)
class Phrases:
    """The phrase templates of ``corpus_phrases.yaml``."""

    harms: dict[str, dict[str, Any]]
    causes: dict[str, list[str]]
    countermeasures: dict[str, list[str]]
    staff: tuple[str, ...]
    vendors: tuple[str, ...]


def load_phrases(path: Path = PHRASES, codes: dict[str, Sequence[str]] | None = None) -> Phrases:
    """Read the phrase file; with ``codes`` (field → vocabulary codes), refuse a code that
    has no phrase, so a vocabulary change cannot silently shrink the benchmark."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    phrases = Phrases(
        harms=data["harms"],
        causes=data["causes"],
        countermeasures=data["countermeasures"],
        staff=tuple(data["staff"]),
        vendors=tuple(data["vendors"]),
    )
    for field, wanted in (codes or {}).items():
        have = getattr(phrases, field)
        missing = sorted(set(wanted) - set(have))
        if missing:
            raise ValueError(f"{path}: no phrase for {field} {', '.join(missing)}")
    return phrases


def municipalities() -> list[str]:
    """About 1,700 invented municipality names (two kanji + 市, 町 or 村), in a fixed order."""
    names = [a + b for b in _SECOND for a in _FIRST if a != b]
    out = []
    for rank, name in enumerate(names):
        out.append(name + ("市" if rank < 800 else "町" if rank < 1500 else "村"))
    return out


def organisations() -> list[Organisation]:
    """Every body a report can come from, most frequent first within each kind."""
    out = [
        Organisation(n, "municipality", _SECTIONS[i % len(_SECTIONS)])
        for i, n in enumerate(municipalities())
    ]
    out += [Organisation(p, "prefecture", "市町村課") for p in PREFECTURES]
    out += [Organisation(f"{c}健康保険組合", "insurer", "適用課") for c in _COMPANIES]
    out += [
        Organisation(f"全国健康保険協会{p.rstrip('都道府県')}支部", "insurer", "業務課")
        for p in PREFECTURES[:20]
    ]
    out += [Organisation(n, "national", "担当課") for n in NATIONAL]
    return out


#: Share of reports by kind of body (a regulator's view: mostly municipalities).
KIND_SHARES = {"municipality": 0.70, "prefecture": 0.08, "insurer": 0.14, "national": 0.08}


def pick_organisation(rng: random.Random, pool: Sequence[Organisation]) -> Organisation:
    """A body, skewed: the kind by :data:`KIND_SHARES`, then Zipf-like within the kind
    (the first bodies of a kind report far more often than the last)."""
    kind = rng.choices(list(KIND_SHARES), weights=list(KIND_SHARES.values()))[0]
    members = [o for o in pool if o.kind == kind]
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(members))]
    return rng.choices(members, weights=weights)[0]


def era_date(day: dt.date, style: str) -> str:
    """A date as reports write it: 令和5年9月26日, R5.9.26, 2023年9月26日, full-width…"""
    reiwa = day.year - 2018
    era_year = "元" if reiwa == 1 else str(reiwa)
    if style == "era":
        return f"令和{era_year}年{day.month}月{day.day}日"
    if style == "abbrev":
        return f"R{reiwa}.{day.month}.{day.day}"
    if style == "era-western":
        return f"令和{era_year}年（{day.year}年）{day.month}月{day.day}日".translate(_FULL_WIDTH)
    if style == "full-width":
        return f"{day.year}年{day.month}月{day.day}日".translate(_FULL_WIDTH)
    return f"{day.year}年{day.month}月{day.day}日"


def heading(style: str, k: int, word: str) -> str:
    """The k-th heading (from 1) of a report in one style; '' for prose (no headings)."""
    if style == "plain":
        return f"{k} {word}".translate(_FULL_WIDTH)
    if style == "dot":
        return f"{k}. {word}"
    if style == "paren":
        return f"({k}) {word}"
    if style == "circled":
        return f"{_CIRCLED[k - 1]} {word}"
    if style == "bracket":
        return f"【{word}】"
    if style == "square":
        return f"■ {word}"
    return ""


def hard_wrap(text: str, width: int) -> str:
    """Break every paragraph into lines of ``width`` characters, a space at each line's end,
    as text copied out of a PDF comes (words cut anywhere)."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            out.append(" ")
            continue
        out += [paragraph[i : i + width] + " " for i in range(0, len(paragraph), width)]
    return "\n".join(out)


def _rotating(
    rng: random.Random, codes: Sequence[str], turn: int, per_turn: int, extra: int
) -> tuple[str, ...]:
    """The ``per_turn`` codes whose turn it is (turn t takes codes t·k … t·k+k-1, so a few
    turns cover the vocabulary), plus ``extra`` others at random."""
    first = list(dict.fromkeys(codes[(turn * per_turn + k) % len(codes)] for k in range(per_turn)))
    rest = [c for c in codes if c not in first]
    return (*first, *rng.sample(rest, k=min(extra, len(rest))))


def _fill(template: str, rng: random.Random, phrases: Phrases, n: int) -> str:
    return template.format(
        staff=rng.choice(phrases.staff), vendor=rng.choice(phrases.vendors), n=n, system=""
    )


@dataclass(frozen=True)
class _Part:
    """One incident's text blocks, by section role."""

    planted: PlantedIncident
    title: str
    summary: list[str]
    timeline: list[tuple[str, str, str]]  # (date, as a timeline entry, as a prose sentence)
    cause: list[str]
    countermeasure: list[str]


def _incident(
    rng: random.Random, phrases: Phrases, org: Organisation, turn: int, date_style: str
) -> _Part:
    harm_codes = list(phrases.harms)
    if org.kind == "insurer":
        harm_codes = ["HealthInsuranceMislink", "PersonalDataLeak"]
    harms = _rotating(rng, harm_codes, turn, 1, rng.choice((0, 0, 1)))
    causes = _rotating(rng, list(phrases.causes), turn, 2, rng.choice((0, 1, 2)))
    measures = _rotating(rng, list(phrases.countermeasures), turn, 2, rng.choice((0, 1)))
    n = rng.choice((1, 1, 1, 2, 3, 5, 12, 48, 230))
    occurred = dt.date(2022, 4, 1) + dt.timedelta(days=rng.randrange(0, 600))
    found = occurred + dt.timedelta(days=rng.randrange(1, 90))
    answered = found + dt.timedelta(days=rng.randrange(1, 20))
    harm = phrases.harms[harms[0]]
    context = harm["context"]
    summary = [
        f"{org.name}{org.section}における{context['procedure']}の際に、事務処理の誤りがありました。",
        *(_fill(rng.choice(phrases.harms[h]["say"]), rng, phrases, n) for h in harms),
    ]
    timeline = [
        (
            era_date(occurred, date_style),
            f"{context['procedure']}を実施",
            f"{context['procedure']}を行いました",
        ),
        (
            era_date(found, date_style),
            "ご本人からの問い合わせにより、誤りが判明",
            "ご本人からの問い合わせにより、誤りが判明しました",
        ),
        (
            era_date(answered, date_style),
            "対象の方に経緯を説明し、お詫び",
            "対象の方に経緯をご説明し、お詫びしました",
        ),
    ]
    cause = [_fill(rng.choice(phrases.causes[c]), rng, phrases, n) for c in causes]
    measure = [_fill(rng.choice(phrases.countermeasures[c]), rng, phrases, n) for c in measures]
    planted = PlantedIncident(org.name, harms, causes, measures, n, occurred.isoformat())
    return _Part(planted, rng.choice(harm["titles"]), summary, timeline, cause, measure)


def _sections(style: str, part: _Part, rng: random.Random, start: int) -> list[str]:
    """The sections of one incident, headed in ``style`` from number ``start``."""
    lines: list[str] = []
    bullet = "・" if style in ("bracket", "square") else ""
    blocks = (
        ("summary", ["　" + "".join(part.summary)]),
        ("timeline", [f"{bullet}{day}　{entry}" for day, entry, _ in part.timeline]),
        ("cause", ["　" + "".join(part.cause)]),
        ("countermeasure", ["　" + "".join(part.countermeasure)]),
    )
    for k, (role, block) in enumerate(blocks, start=start):
        lines.append(heading(style, k, rng.choice(HEADINGS[role])))
        lines += block
        lines.append("")
    return lines


def _prose(part: _Part, org: Organisation) -> list[str]:
    """A report of plain paragraphs: the sentences say their own roles."""
    causes = "".join(part.cause)
    return [
        "　" + "".join(part.summary),
        "",
        "　" + "".join(f"{day}、{sentence}。" for day, _, sentence in part.timeline),
        "",
        f"　原因は、次のとおりと考えられます。{causes}",
        "",
        "　再発防止のため、今後は次のとおり取り組みます。" + "".join(part.countermeasure),
        "",
    ]


def generate_report(
    index: int, seed: int, phrases: Phrases, pool: Sequence[Organisation]
) -> GeneratedReport:
    """Report number ``index`` of the corpus of ``seed`` (pure: the same every time)."""
    rng = random.Random(f"incident-kg-corpus:{seed}:{index}")
    org = pick_organisation(rng, pool)
    style = rng.choice(STYLES)
    date_style = rng.choice(("era", "era", "abbrev", "era-western", "western", "full-width"))
    count = 1 if style == "prose" else rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
    parts = [_incident(rng, phrases, org, index + 101 * j, date_style) for j in range(count)]
    published = max(dt.date.fromisoformat(p.planted.occurred) for p in parts) + dt.timedelta(
        days=rng.randrange(30, 120)
    )
    title = (
        parts[0].title
        if count == 1
        else f"{parts[0].title.removesuffix('について')}など{count}件の事務処理誤りについて"
    )
    lines = [
        era_date(published, rng.choice(("era", "era-western", "western"))),
        f"{org.name}　{org.section}",
        "",
        title,
        "",
    ]
    lines += [
        "　このたび、下記のとおり事務処理の誤りが判明しました。関係する皆様に多大なご迷惑とご心配をおかけしましたことを深くお詫び申し上げます。",
        "",
    ]
    if rng.random() < 0.3:
        lines += [
            f"　{org.name}では平成28年1月からマイナンバーカードの交付事務を行っています。",
            "",
        ]
    if style == "prose":
        lines += _prose(parts[0], org)
    elif count == 1:
        lines += _sections(style, parts[0], rng, 1)
    else:
        sub = "square" if style != "square" else "paren"
        for j, part in enumerate(parts, start=1):
            lines += [
                f"【事案{j}】{part.title}".translate(_FULL_WIDTH)
                if j % 2
                else f"【事案{j}】{part.title}",
                "",
            ]
            lines += _sections(sub, part, rng, 1)
    contact = heading(style if style != "prose" else "bracket", 5, rng.choice(HEADINGS["contact"]))
    lines += [contact, f"{org.name}　{org.section}　電話 000-000-0000", ""]
    text = "\n".join(lines)
    if rng.random() < 0.33:
        text = hard_wrap(text, rng.choice((36, 38, 40)))
    encoding = "cp932" if rng.random() < 0.1 else "utf-8"
    suffix = ".md" if rng.random() < 0.1 else ".txt"
    name = f"r{seed}-{index:05d}{suffix}"
    return GeneratedReport(name, text, encoding, style, tuple(p.planted for p in parts))


def generate_corpus(
    reports: int, seed: int, phrases: Phrases | None = None
) -> Iterator[GeneratedReport]:
    """The first ``reports`` reports of the corpus of ``seed``."""
    phrases = phrases or load_phrases()
    pool = organisations()
    for index in range(reports):
        yield generate_report(index, seed, phrases, pool)


def write_corpus(folder: Path, reports: int, seed: int) -> list[GeneratedReport]:
    """Write the reports into ``folder`` (created) and ``planted.jsonl`` beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    out = list(generate_corpus(reports, seed))
    with (folder / MANIFEST).open("w", encoding="utf-8") as manifest:
        for report in out:
            (folder / report.name).write_bytes(report.text.encode(report.encoding))
            record = {
                "file": report.name,
                "style": report.style,
                "incidents": [asdict(i) for i in report.incidents],
            }
            manifest.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def read_manifest(folder: Path) -> dict[str, list[PlantedIncident]]:
    """What was planted in each report of a written corpus, by file name."""
    out: dict[str, list[PlantedIncident]] = {}
    for line in (folder / MANIFEST).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out[record["file"]] = [
            PlantedIncident(**{k: tuple(v) if isinstance(v, list) else v for k, v in i.items()})
            for i in record["incidents"]
        ]
    return out


@dataclass(frozen=True)
class PlantedRecall:
    """How many planted codes extraction found, per field (a code counts when found in any
    incident of its report: incidents are not aligned one to one)."""

    found: dict[str, int]
    planted: dict[str, int]

    def rate(self, field: str) -> float:
        """Share of planted codes of a field that were found."""
        return self.found[field] / self.planted[field] if self.planted[field] else 0.0


def planted_recall(
    planted: dict[str, list[PlantedIncident]], extracted: dict[str, dict[str, set[str]]]
) -> PlantedRecall:
    """Score extraction (file → field → codes found in the report) against what was planted."""
    found = dict.fromkeys(FIELDS, 0)
    total = dict.fromkeys(FIELDS, 0)
    for name, incidents in planted.items():
        for field in FIELDS:
            wanted = {c for i in incidents for c in getattr(i, field)}
            total[field] += len(wanted)
            found[field] += len(wanted & extracted.get(name, {}).get(field, set()))
    return PlantedRecall(found, total)


# -- graph mode --------------------------------------------------------------------------


def graph_corpus(
    triples: int, seed: int, *, templates: int = 40, base: str | None = None
) -> Iterator[tuple[str, str]]:
    """(graph IRI, N-Triples) of report graphs, about ``triples`` in all: ``templates``
    generated reports run through the real pipeline once, then re-minted under new report
    ids (``<id>-c<k>``) until the count is reached.  Yields graph by graph (streaming)."""
    from incident_kg import __version__
    from incident_kg.extraction.extract import extract_report
    from incident_kg.graph.build import default_extractor
    from incident_kg.graph.store import to_ntriples
    from incident_kg.graph.triples import Minter, report_graph
    from incident_kg.ontology.namespaces import DEFAULT_BASE

    base = base or DEFAULT_BASE
    extractor = default_extractor()
    graphs: list[tuple[str, str, int]] = []
    for report in generate_corpus(templates, seed):
        stem = Path(report.name).stem
        extracted = extract_report(extractor, report.text, source=report.name, report_id=stem)
        graph = report_graph(extracted, base=base, software_version=__version__)
        graphs.append((stem, to_ntriples(graph), len(graph)))
    emitted, copy = 0, 0
    while emitted < triples:
        for stem, ntriples, count in graphs:
            new_id = f"{stem}-c{copy}"
            old, new = Minter(base, stem), Minter(base, new_id)
            text = ntriples.replace(f"<{old.report}", f"<{new.report}").replace(
                f"<{old.graph}>", f"<{new.graph}>"
            )
            yield str(new.graph), text
            emitted += count
            if emitted >= triples:
                return
        copy += 1


def write_graph_corpus(path: Path, triples: int, seed: int) -> int:
    """Write the graph corpus as one N-Quads file; the number of report graphs."""
    graphs = 0
    with path.open("w", encoding="utf-8") as out:
        for name, ntriples in graph_corpus(triples, seed):
            g = f" <{name}> .\n"
            out.write(
                "".join(line[:-1].rstrip() + g for line in ntriples.splitlines() if line.strip())
            )
            graphs += 1
    return graphs


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``text --reports N OUT_DIR`` or ``graph --triples N OUT.nq``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.corpus", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="mode", required=True)
    text = sub.add_parser("text", help="write N report files and planted.jsonl")
    text.add_argument("--reports", type=int, required=True)
    text.add_argument("--seed", type=int, default=7)
    text.add_argument(
        "--recurrence-bodies",
        type=int,
        default=0,
        help="also write the reports of N bodies with recurrences and their ground truth "
        "(benchmarks/recurrence.py)",
    )
    text.add_argument("out", type=Path)
    graph = sub.add_parser("graph", help="write report graphs as N-Quads")
    graph.add_argument("--triples", type=int, required=True)
    graph.add_argument("--seed", type=int, default=7)
    graph.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.mode == "text":
        written = write_corpus(args.out, args.reports, args.seed)
        print(f"wrote {len(written)} reports to {args.out}", file=sys.stderr)
        if args.recurrence_bodies:
            from .recurrence import write_recurrences

            write_recurrences(args.out, args.recurrence_bodies, args.seed)
    else:
        count = write_graph_corpus(args.out, args.triples, args.seed)
        print(f"wrote {count} report graphs to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
