"""Review: what the extractor was unsure of, an analyst's decisions, and lexicon suggestions.

:func:`review_report` lists, for one report, the items an analyst should look at:

* ``uncoded`` — a sentence of a cause or countermeasure part that no rule coded in that field,
  with the codes of its nearest exemplar sentences as suggestions (:mod:`.similarity`);
* ``inferred`` — a code only the similarity stage gave, with its sentence and confidence;
* ``low-confidence`` — a code a rule gave with a confidence below ``below``.

:func:`decide` turns decisions on those items (accept, correct to another code, reject) into
the report's curation sidecar, in the existing format (:mod:`.curation`), so that every later
build applies them.  :func:`lexicon_suggestions` reads the sidecars back and proposes, for a
person to review, exemplar sentences for ``ontology/exemplars.yaml`` and words for the lexicon.
Reading and writing the sidecar are the only file operations here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from incident_kg.errors import IncidentKGError

from .curation import CURATION_RULE, Curation, load_curation, sidecar_for
from .extract import Extractor, extract_incidents
from .model import CodedValue, Incident, Span
from .normalize import normalize
from .similarity import Suggestion, is_bare_heading

#: The sentence roles whose uncoded sentences are listed, per field.
REVIEW_ROLES: Mapping[str, frozenset[str]] = {
    "causes": frozenset({"cause"}),
    "countermeasures": frozenset({"countermeasure"}),
}
#: A rule's value below this confidence is listed (the rules' own confidences are 0.75–0.9).
LOW_CONFIDENCE = 0.7
#: An incident with no code in a field and no part for it: its plain sentences (of these roles)
#: whose nearest exemplar scores at least this are listed, the closest few.
_PLAIN_ROLES = frozenset({"title", "summary", "content", "timeline", "other"})
SUGGESTION_FLOOR = 0.2
_PLAIN_LIMIT = 3
KINDS = ("uncoded", "inferred", "low-confidence")


class ReviewError(IncidentKGError):
    """A decision that cannot be applied: an unknown item, or a code the item cannot take."""


@dataclass(frozen=True)
class ReviewItem:
    """One thing for an analyst to decide, in one incident of one report."""

    report: str  # the report's file name
    item: str  # stem#N, numbered through the report
    incident: int
    kind: str  # uncoded | inferred | low-confidence
    field: str
    sentence: Span
    code: str | None = None  # the code given (inferred, low-confidence)
    confidence: float | None = None
    suggestions: tuple[Suggestion, ...] = ()

    def row(self, lang: str = "en") -> tuple[str, ...]:
        """A table row: item, incident, kind, field, code, suggestions, sentence."""
        suggested = ", ".join(f"{s.code} {s.score:.2f}" for s in self.suggestions)
        given = f"{self.code} ({self.confidence:.2f})" if self.code else "-"
        return (
            self.item,
            str(self.incident),
            self.kind,
            self.field,
            given,
            suggested or "-",
            self.sentence.text,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "item": self.item,
            "incident": self.incident,
            "kind": self.kind,
            "field": self.field,
            "code": self.code,
            "confidence": self.confidence,
            "sentence": self.sentence.text,
            "start": self.sentence.start,
            "end": self.sentence.end,
            "suggestions": [
                {"code": s.code, "score": s.score, "exemplar": s.exemplar.text}
                for s in self.suggestions
            ],
        }


COLUMNS = ("item", "incident", "kind", "field", "code", "suggestions", "sentence")


def _decided(curation: Curation | None) -> tuple[set[tuple[int, str, str]], set[tuple[int, str]]]:
    """(incident, field, code) an existing sidecar adds or removes, and (incident, sentence)
    it gives as evidence: those items are decided."""
    codes: set[tuple[int, str, str]] = set()
    sentences: set[tuple[int, str]] = set()
    for fix in curation.incidents if curation else ():
        for change in (fix.add, fix.remove):
            codes |= {(fix.incident, f, c) for f, cs in change.items() for c in cs}
        sentences |= {(fix.incident, s) for s in fix.evidence.values()}
    return codes, sentences


def _incident_items(
    extractor: Extractor,
    incident: Incident,
    sentences: Sequence[Any],
    below: float,
) -> list[tuple[str, str, Span, CodedValue | None, tuple[Suggestion, ...]]]:
    """(kind, field, sentence, value, suggestions) of one incident, in text order."""
    out: list[tuple[str, str, Span, CodedValue | None, tuple[Suggestion, ...]]] = []
    index = extractor.similarity.index
    negative = [*incident.coded, *incident.negative_findings]
    for name, roles in REVIEW_ROLES.items():
        told = {v.evidence.span for v in negative if v.field == name}
        for sentence in sentences:
            if is_bare_heading(sentence.span.text):
                continue
            if sentence.role in roles and sentence.span not in told:
                hints = tuple(index.suggest(sentence.span.text, name))
                out.append(("uncoded", name, sentence.span, None, hints))
        if told or any(s.role in roles for s in sentences):
            continue
        # an incident with nothing in the field and no part for it (news, a short notice): the
        # sentences closest to the field's exemplars may say it in plain words
        candidates = [
            (hints[0].score, sentence.span, hints)
            for sentence in sentences
            if sentence.role in _PLAIN_ROLES
            and (hints := tuple(index.suggest(sentence.span.text, name)))
            and hints[0].score >= SUGGESTION_FLOOR
        ]
        for _score, span, hints in sorted(candidates, key=lambda c: -c[0])[:_PLAIN_LIMIT]:
            out.append(("uncoded", name, span, None, hints))
    by_code: dict[tuple[str, str], list[CodedValue]] = {}
    for value in incident.coded:
        by_code.setdefault((value.field, value.code), []).append(value)
    for (name, _code), values in by_code.items():
        mechanisms = {v.evidence.mechanism for v in values}
        if CURATION_RULE in mechanisms or "curation" in mechanisms:
            continue
        value = values[0]
        if mechanisms == {"similarity"}:
            hints = tuple(index.suggest(value.evidence.span.text, name))
            out.append(("inferred", name, value.evidence.span, value, hints))
        elif max(v.evidence.confidence for v in values) < below:
            out.append(("low-confidence", name, value.evidence.span, value, ()))
    return sorted(out, key=lambda item: (item[2].start, KINDS.index(item[0]), item[1]))


def review_report(
    extractor: Extractor,
    raw_text: str,
    *,
    source: str,
    curation: Curation | None = None,
    below: float = LOW_CONFIDENCE,
) -> list[ReviewItem]:
    """The items of one report still to decide (those its sidecar decided are left out)."""
    found = extract_incidents(extractor, normalize(raw_text).text)
    decided_codes, decided_sentences = _decided(curation)
    stem = Path(source).stem
    items: list[ReviewItem] = []
    for incident, sentences in zip(found.incidents, found.sentences, strict=True):
        for kind, name, span, value, hints in _incident_items(
            extractor, incident, sentences, below
        ):
            if (incident.ordinal, span.text) in decided_sentences:
                continue
            if value is not None and (incident.ordinal, name, value.code) in decided_codes:
                continue
            items.append(
                ReviewItem(
                    report=source,
                    item=f"{stem}#{len(items) + 1}",
                    incident=incident.ordinal,
                    kind=kind,
                    field=name,
                    sentence=span,
                    code=value.code if value else None,
                    confidence=value.evidence.confidence if value else None,
                    suggestions=hints,
                )
            )
    return items


@dataclass(frozen=True)
class Decision:
    """An analyst's decision on one item: accept it, take ``code`` instead, or reject it."""

    item: str
    action: str  # accept | correct | reject
    code: str | None = None


def _entry(sidecar: dict[str, Any], incident: int) -> dict[str, Any]:
    for entry in sidecar["incidents"]:
        if entry.get("incident") == incident:
            return entry
    entry = {"incident": incident}
    sidecar["incidents"].append(entry)
    return entry


def _add(entry: dict[str, Any], key: str, name: str, code: str) -> None:
    codes = entry.setdefault(key, {}).setdefault(name, [])
    if code not in codes:
        codes.append(code)


def decide(
    report_path: Path,
    items: Iterable[ReviewItem],
    decisions: Iterable[Decision],
    *,
    curator: str,
    known_codes: Mapping[str, set[str]],
    today: dt.date | None = None,
) -> Path:
    """Write the decisions into the report's curation sidecar (created, or added to) and return
    its path.  accept: the item's code (an uncoded sentence: its first suggestion) becomes a
    curated fact with the sentence as evidence; correct: ``code`` instead (an item's own code
    is removed); reject: the item's code is removed."""
    by_id = {item.item: item for item in items}
    path = sidecar_for(report_path)
    if path.is_file():
        load_curation(path, known_codes=known_codes)  # refuse to add to a sidecar that is wrong
        sidecar: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    else:
        sidecar = {"incidents": []}
    sidecar["curator"] = curator
    sidecar["date"] = (today or dt.date.today()).isoformat()
    sidecar.setdefault("incidents", [])
    for d in decisions:
        item = by_id.get(d.item)
        if item is None:
            raise ReviewError(f"{report_path}: no review item {d.item!r} (list them first)")
        entry = _entry(sidecar, item.incident)
        if d.action == "reject":
            if item.code is None:
                raise ReviewError(f"{d.item}: an uncoded sentence has no code to reject")
            _add(entry, "remove", item.field, item.code)
            continue
        code = d.code if d.action == "correct" else item.code
        if code is None:
            if not item.suggestions:
                raise ReviewError(f"{d.item}: nothing suggested; correct it to a code instead")
            code = item.suggestions[0].code
        if code not in known_codes.get(item.field, set()):
            raise ReviewError(f"{d.item}: unknown {item.field} code {code!r}")
        _add(entry, "add", item.field, code)
        entry.setdefault("evidence", {})[code] = item.sentence.text
        if d.action == "correct" and item.code and item.code != code:
            _add(entry, "remove", item.field, item.code)
    path.write_text(
        "# curation sidecar (extraction/curation.py), written by `incident-kg review`\n"
        + yaml.safe_dump(sidecar, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


# ------------------------------------------------------------------ lexicon suggestions


@dataclass(frozen=True)
class LexiconSuggestion:
    """A curated fact turned into a proposal: an exemplar sentence and candidate words."""

    field: str
    code: str
    sentence: str
    source: str  # the report file
    curator: str
    words: tuple[str, ...]  # content words of the sentence the code's rules do not use
    known_exemplar: bool  # the sentence is an exemplar already

    def row(self, lang: str = "en") -> tuple[str, ...]:
        return (
            self.field,
            self.code,
            ", ".join(self.words) or "-",
            "yes" if self.known_exemplar else "no",
            self.sentence,
        )


SUGGESTION_COLUMNS = ("field", "code", "words", "exemplar", "sentence")
#: Words too common to say anything of a code.
_STOP = frozenset(
    "為る 居る 有る 成る 言う 思う 行う 事 物 為 方 時 等 度 中 上 後 前 今回 今後 以下".split()
)
_WORD = re.compile(r"[一-龥々ァ-ヴー]{2,}|[ぁ-ん]{3,}")


def _rule_words(extractor: Extractor, name: str, code: str) -> set[str]:
    """The words the code's rules name (terms and the words inside their patterns)."""
    words: set[str] = set()
    for rule in extractor.lexicon.rules:
        if rule.field == name and rule.code == code:
            for term in (*rule.all_terms, *rule.any_terms):
                words.update(_WORD.findall(term.source))
    return words


def lexicon_suggestions(
    extractor: Extractor, curations: Iterable[tuple[Path, Curation]]
) -> list[LexiconSuggestion]:
    """For each code a curator added with a sentence as evidence, the proposal for a person to
    review: the sentence as an exemplar, and its content words the code's rules lack."""
    exemplars = {(e.field, e.text) for e in extractor.similarity.index.exemplars}
    out: list[LexiconSuggestion] = []
    for path, curation in curations:
        for fix in curation.incidents:
            for name, codes in fix.add.items():
                for code in codes:
                    sentence = fix.evidence.get(code)
                    if not sentence:
                        continue
                    known = _rule_words(extractor, name, code)
                    words = [
                        w
                        for w in extractor.analyzer.content_words(sentence)
                        if w not in _STOP and w not in known
                    ]
                    out.append(
                        LexiconSuggestion(
                            name,
                            code,
                            sentence,
                            str(path),
                            curation.curator,
                            tuple(dict.fromkeys(words)),
                            (name, sentence) in exemplars,
                        )
                    )
    return out


def suggestions_yaml(suggestions: Sequence[LexiconSuggestion]) -> str:
    """The proposals as YAML to review and paste: exemplars, then candidate words per code."""
    exemplars: dict[str, dict[str, list[dict[str, str]]]] = {}
    words: dict[str, dict[str, list[str]]] = {}
    for s in suggestions:
        if not s.known_exemplar:
            entry = {"text": s.sentence, "from": s.source}
            exemplars.setdefault(s.field, {}).setdefault(s.code, []).append(entry)
        bucket = words.setdefault(s.field, {}).setdefault(s.code, [])
        bucket.extend(w for w in s.words if w not in bucket)
    body = yaml.safe_dump(
        {"exemplars": exemplars, "lexicon_words": words},
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )
    return (
        "# Proposals from curated decisions (incident-kg lexicon suggest), for a person to review.\n"
        "# exemplars: sentences to add under ontology/exemplars.yaml's exemplars;\n"
        "# lexicon_words: words of those sentences the code's lexicon rules do not use yet,\n"
        "#   candidates for terms of a rule in ontology/lexicon.yaml (never added unread).\n" + body
    )


__all__ = [
    "COLUMNS",
    "SUGGESTION_COLUMNS",
    "Decision",
    "LexiconSuggestion",
    "ReviewError",
    "ReviewItem",
    "decide",
    "lexicon_suggestions",
    "review_report",
    "suggestions_yaml",
]
