"""Counts: the number of cases or people an incident affected, read from its sentences."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .cues import Cues
from .model import CountValue, evidence
from .sentences import Sentence

#: A count and its unit: 48件, 1,234名, 2人分, 1万9231通 (letters count too); not 2件目.
_COUNT = re.compile(
    r"(?<![\d,.])(?:(?P<man>\d+)万(?P<rest>\d{1,4})?|(?P<n>\d{1,3}(?:,\s?\d{3})+|\d+))"
    r"\s?(?P<unit>件|名|人分|人|世帯|枚|通)(?!目)"
)


def _value(m: re.Match[str]) -> int:
    """The number a count match says (1万9231 → 19231)."""
    if m["man"] is not None:
        return int(m["man"]) * 10_000 + int(m["rest"] or 0)
    return int(re.sub(r"[,\s]", "", m["n"]))


#: Sentences whose counts are not the incident's: measures, contacts, what happened elsewhere.
_NOT_COUNTED = frozenset({"countermeasure", "contact", "background"})


def _has_any(text: str, words: Iterable[str]) -> bool:
    return any(w in text for w in words)


def affected_count(cues: Cues, sentences: Sequence[Sentence]) -> CountValue | None:
    """The number of cases or people affected: the first count in a sentence that speaks of
    the wrong (誤, 判明…), else the first count at all; of ``38件のうち1件`` the part after
    このうち; none from a check that found nothing more.  With no count written, an incident
    told about one person (A様, 当該申込者) counts one case."""

    def first_count(text: str, pos: int) -> re.Match[str] | None:
        """The first count from ``pos`` that is not a head-count of visitors or staff, nor
        the scope of a check (全234件について再点検)."""
        for m in _COUNT.finditer(text, pos):
            if not cues.count_not_after.search(
                text[max(0, m.start() - 12) : m.start()]
            ) and not cues.count_not_before.search(text[m.end() : m.end() + 60]):
                return m
        return None

    best: tuple[int, int, CountValue] | None = None
    for order, sentence in enumerate(sentences):
        if sentence.role in _NOT_COUNTED:
            continue
        text = sentence.span.text
        if _has_any(text, cues.count_excluded) or cues.count_excluded_patterns.search(text):
            continue
        marker = cues.count_subset.search(text)
        total = None if marker else cues.count_total.search(text)
        m = (first_count(text, marker.end()) if marker else None) or (
            first_count(text, total.end()) if total else None
        )
        rank = -1 if m and total else 0 if _has_any(text, cues.count_preferred) else 1
        m = m or first_count(text, 0)
        if not m:
            continue
        candidate = CountValue(_value(m), evidence(sentence.span, f"count/{m['unit']}", 0.7))
        if best is None or (rank, order) < best[:2]:
            best = (rank, order, candidate)
    if best is not None:
        return best[2]
    for sentence in sentences:
        if sentence.role not in _NOT_COUNTED and cues.single_case.search(sentence.span.text):
            return CountValue(1, evidence(sentence.span, "count/single-case", 0.5))
    return None
