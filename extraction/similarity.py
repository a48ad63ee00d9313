"""Similarity: codes for sentences no lexicon rule codes, from the nearest exemplar sentences.

The lexicon's rules are precise and explainable but know only the words they list.  A sentence
of a cause or countermeasure part that no rule codes (…写真の違いに気付けなかった) still says
something; this stage compares it with *exemplar sentences* — sentences that say each code,
collected from reports and reviewed by an analyst (``ontology/exemplars.yaml``) — and, when the
nearest exemplar is close enough, codes the sentence with that exemplar's code.  Such a value
is marked as inferred: its evidence names the mechanism (``similarity``), the rule id
``similar/<field>/<code>``, the exemplar it resembles and a confidence below the rules'.

Similarity is the cosine of TF-IDF weighted character 2- and 3-grams (digits folded, spaces
and list marks dropped): Japanese has no spaces, and character n-grams match inflected and
variant spellings (照らし合わせ / 照合し, 込み合う / 混み合う share some) without a model.
The same index gives `incident-kg review` its suggestions for sentences left uncoded.

Why not word vectors: measured for issue 15 (benchmarks/RESULTS.md, "Similarity"), the chiVe
vectors of the ``ja-ginza`` wheel put most of this domain's words in rows with unrelated ones
(マイナンバー with 消費税, 保険証 with 運転免許証), need spaCy (≈400 MB per process) and pin
SudachiPy below 0.7; the exemplars stay a plain file an analyst can read and correct.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from incident_kg.errors import IncidentKGError, UnknownCodeError

from .model import CodedValue, evidence
from .sentences import Sentence

#: The rule id prefix of a value coded by similarity, and the mechanism its evidence names.
SIMILAR_PREFIX = "similar"
MECHANISM = "similarity"

_DIGITS = re.compile(r"[0-9０-９]+")
#: Spaces, list marks and brackets: they say nothing of the code.
_NOISE = re.compile(r"[\s・●○◎■□◆◇\-*#>|「」『』()（）\[\]【】〔〕、。,.:：;；]+")


def _grams(text: str) -> Counter[str]:
    """Character 2- and 3-grams of a sentence (NFKC, digits folded, noise dropped)."""
    norm = _NOISE.sub("", _DIGITS.sub("0", unicodedata.normalize("NFKC", text)))
    grams: Counter[str] = Counter()
    for n in (2, 3):
        grams.update(norm[i : i + n] for i in range(len(norm) - n + 1))
    return grams


#: A line that is only a heading mark and a section keyword (## 原因, 【再発防止策等】).
_BARE_HEADING = re.compile(r"^[#*\s【〔\[(（]*[^\s。、]{0,8}[】〕\])）:：]*$")


def is_bare_heading(text: str) -> bool:
    """Whether a sentence is a section heading alone (## 原因): it says no cause itself."""
    return bool(_BARE_HEADING.match(text.strip()))


@dataclass(frozen=True)
class Exemplar:
    """A sentence that says one or more codes of one field, and where it was taken from."""

    field: str
    codes: tuple[str, ...]
    text: str
    source: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A code proposed for a sentence: the score of its nearest exemplar, and that exemplar."""

    field: str
    code: str
    score: float
    exemplar: Exemplar


@dataclass(frozen=True)
class SimilaritySettings:
    """When a suggestion becomes a coded value: per field, the sentence roles looked at, the
    least score, and the least lead over the best other code (from ``exemplars.yaml``)."""

    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    thresholds: Mapping[str, float] = field(default_factory=dict)
    margin: float = 0.0
    #: Confidence of a coded value at the threshold and at a perfect match (rules give 0.8).
    confidence: tuple[float, float] = (0.5, 0.7)


class ExemplarIndex:
    """TF-IDF character n-gram vectors of the exemplars, searched through an inverted index."""

    def __init__(self, exemplars: Sequence[Exemplar]) -> None:
        self.exemplars = tuple(exemplars)
        counts = [_grams(e.text) for e in self.exemplars]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        n = len(counts)
        self._idf = {g: math.log((n + 1) / (d + 1)) + 1.0 for g, d in df.items()}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for i, c in enumerate(counts):
            for gram, weight in self._vector(c).items():
                self._postings.setdefault(gram, []).append((i, weight))

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        vec = {g: (1.0 + math.log(k)) * self._idf[g] for g, k in counts.items() if g in self._idf}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {g: w / norm for g, w in vec.items()}

    def nearest(self, text: str, field_name: str) -> list[tuple[float, Exemplar]]:
        """The exemplars of one field that share n-grams with ``text``, closest first."""
        scores: dict[int, float] = {}
        for gram, weight in self._vector(_grams(text)).items():
            for i, w in self._postings.get(gram, ()):
                if self.exemplars[i].field == field_name:
                    scores[i] = scores.get(i, 0.0) + weight * w
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [(round(s, 4), self.exemplars[i]) for i, s in ranked]

    def suggest(self, text: str, field_name: str, *, limit: int = 3) -> list[Suggestion]:
        """The best codes for ``text`` in one field, each with its nearest exemplar."""
        best: dict[str, Suggestion] = {}
        for score, exemplar in self.nearest(text, field_name):
            for code in exemplar.codes:
                if code not in best:
                    best[code] = Suggestion(field_name, code, score, exemplar)
            if len(best) >= limit:
                break
        return sorted(best.values(), key=lambda s: (-s.score, s.code))[:limit]


@dataclass(frozen=True)
class SimilarityCoder:
    """Codes sentences that no rule coded, from the exemplars (see the module documentation)."""

    index: ExemplarIndex
    settings: SimilaritySettings

    def code(self, sentences: Sequence[Sentence], coded: Iterable[CodedValue]) -> list[CodedValue]:
        """Values for the sentences of an incident whose field no rule coded in them: the
        best code when its score reaches the field's threshold and leads the next by the
        margin, and the incident has no value of that code yet."""
        have = {(v.field, v.code) for v in coded}
        by_sentence = {(v.field, v.evidence.span) for v in coded}
        out: list[CodedValue] = []
        for name, roles in self.settings.roles.items():
            threshold = self.settings.thresholds.get(name)
            if threshold is None:
                continue
            for sentence in sentences:
                if sentence.role not in roles or (name, sentence.span) in by_sentence:
                    continue
                if is_bare_heading(sentence.span.text):
                    continue
                ranked = self.index.suggest(sentence.span.text, name, limit=2)
                if not ranked or ranked[0].score < threshold:
                    continue
                top = ranked[0]
                runner_up = ranked[1].score if len(ranked) > 1 else 0.0
                if top.score - runner_up < self.settings.margin or (name, top.code) in have:
                    continue
                have.add((name, top.code))
                low, high = self.settings.confidence
                share = (top.score - threshold) / max(1.0 - threshold, 1e-9)
                out.append(
                    CodedValue(
                        name,
                        top.code,
                        evidence(
                            sentence.span,
                            f"{SIMILAR_PREFIX}/{name}/{top.code}",
                            low + (high - low) * min(1.0, share),
                            mechanism=MECHANISM,
                        ),
                    )
                )
        return out


def default_exemplars_path() -> Path:
    """The exemplar sentences shipped with the package."""
    return Path(str(resources.files("incident_kg.ontology").joinpath("exemplars.yaml")))


def _entries(value: Any, where: str) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        raise IncidentKGError(f"{where}: a list of sentences is expected")
    out: list[tuple[str, str]] = []
    for item in value:
        if isinstance(item, str):
            out.append((item, ""))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            out.append((item["text"], str(item.get("from", ""))))
        else:
            raise IncidentKGError(f"{where}: {item!r} is neither a sentence nor {{text, from}}")
    return out


def load_exemplars(
    path: Path | None = None, *, known_codes: Mapping[str, Iterable[str]]
) -> tuple[list[Exemplar], SimilaritySettings]:
    """Read the exemplar file: its settings and its sentences (a sentence listed under several
    codes of a field becomes one exemplar with all of them).  Unknown codes are refused."""
    source = path or default_exemplars_path()
    try:
        data = (
            yaml.load(
                source.read_text(encoding="utf-8"),
                Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader),
            )
            or {}
        )
    except (OSError, yaml.YAMLError) as exc:
        raise IncidentKGError(f"{source}: cannot read exemplars: {exc}") from exc
    merged: dict[tuple[str, str], tuple[list[str], str]] = {}
    for field_name, codes in (data.get("exemplars") or {}).items():
        allowed = set(known_codes.get(field_name, ()))
        for code, items in (codes or {}).items():
            if code not in allowed:
                raise UnknownCodeError(f"{source}: unknown {field_name} code {code!r}")
            for text, origin in _entries(items, f"{source}: {field_name}/{code}"):
                codes_of, _ = merged.setdefault((field_name, text), ([], origin))
                if code not in codes_of:
                    codes_of.append(code)
    exemplars = [
        Exemplar(f, tuple(codes), text, origin) for (f, text), (codes, origin) in merged.items()
    ]
    settings = SimilaritySettings(
        roles={k: frozenset(v) for k, v in (data.get("roles") or {}).items()},
        thresholds={k: float(v) for k, v in (data.get("thresholds") or {}).items()},
        margin=float(data.get("margin", 0.0)),
    )
    return exemplars, settings


def make_coder(
    exemplars: Sequence[Exemplar],
    settings: SimilaritySettings,
    *,
    exclude_sources: Sequence[str] = (),
) -> SimilarityCoder:
    """The coder over the exemplars, leaving out those taken from ``exclude_sources`` (path
    prefixes): a set scored against held-out material must not find its own sentences."""
    kept = [e for e in exemplars if not any(e.source.startswith(p) for p in exclude_sources)]
    return SimilarityCoder(ExemplarIndex(kept), settings)
