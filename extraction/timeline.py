"""Timeline: the dated sentences of an incident read as its events (occurred, discovered,
reported, remedied…), and the report's own date of publication.

Dates come from :mod:`.dates`; which event a date marks comes from the words of its entry
(the lexicon's timeline roles and discovery/occurrence cues).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from .cues import Cues
from .dates import DateMention
from .model import DateValue, Span, TimelineEvent, evidence
from .sentences import Sentence, is_date_line
from .structure import Structure


def _dates_by_sentence(
    sentences: Sequence[Sentence], mentions: Sequence[DateMention]
) -> list[tuple[Sentence, DateMention]]:
    out: list[tuple[Sentence, DateMention]] = []
    for sentence in sentences:
        for m in mentions:
            if sentence.span.start <= m.start < sentence.span.end and m.iso:
                out.append((sentence, m))
    return out


def _has_any(text: str, words: Iterable[str]) -> bool:
    return any(w in text for w in words)


def _entry_text(
    dated: Sequence[tuple[Sentence, DateMention]],
    sentences: Sequence[Sentence],
    index: int,
    limit: int = 6,
) -> str:
    """A dated sentence and the undated ones that follow it (a timeline row with bullets)."""
    sentence = dated[index][0]
    following = [s for s in sentences if s.span.start >= sentence.span.start]
    next_dated = dated[index + 1][0].span.start if index + 1 < len(dated) else None
    parts: list[str] = [sentence.label]  # 判明日: R5.4.11 — the label says what the date is
    for s in following:
        if next_dated is not None and s.span.start >= next_dated and s is not sentence:
            break
        if s is not sentence and s.role != sentence.role:
            break
        parts.append(s.span.text)
        if len(parts) > limit:
            break
    return "".join(parts)


def _shares_sentence(dated: Sequence[tuple[Sentence, DateMention]], k: int) -> bool:
    """Whether the sentence of the ``k``-th dated mention holds another date."""
    sentence = dated[k][0]
    return sum(1 for s, _ in dated if s is sentence) > 1


def _clause_after(dated: Sequence[tuple[Sentence, DateMention]], k: int) -> str:
    """What a sentence with several dates says of its ``k``-th: from the date to the next one
    (4月28日に交付し、5月2日に…判明した: the discovery is 5月2日's)."""
    sentence, mention = dated[k]
    nxt = dated[k + 1] if k + 1 < len(dated) else None
    end = nxt[1].start if nxt is not None and nxt[0] is sentence else sentence.span.end
    return sentence.span.text[mention.start - sentence.span.start : end - sentence.span.start]


def _earlier_or_finer(iso: str, than: str) -> bool:
    """Whether ``iso`` is an earlier date than ``than``, or the same one told more precisely
    (令和5年6月 … then 6月20日: the day is the date)."""
    if iso.startswith(than):
        return len(iso) > len(than)
    return iso < than and not than.startswith(iso)


#: Sections whose dates are background (when a staff member was hired, since when a list
#: was sent), not the incident's own events: their earliest date is the occurrence only
#: when no other section dates it.
_BACKGROUND_ROLES = frozenset({"cause", "other"})


#: After a date, words that tell a staff member's history (…に他課から異動してきた).
_STAFF_HISTORY = re.compile(
    r"^[^。、]{0,12}(異動して|異動となり|採用され|着任し|配属され|赴任し|入庁し|就任し)"
)


def _is_background(sentence: Sentence, mention: DateMention) -> bool:
    """A date in a reference section, or in a cause section unless it opens the clause
    (原因は、令和4年10月、職員が… tells when it happened; 4月1日に採用された and 11月に、
    改修した際 tell the background)."""
    after = sentence.span.text[mention.end - sentence.span.start :]
    if _STAFF_HISTORY.match(after):
        return True  # 同年1月に異動してきた: when a staff member came, not when it happened
    if sentence.role == "title" and len(mention.iso or "") == 4:
        return True  # a headline's year (2015年の法施行以降で初めて) is background
    if sentence.role not in _BACKGROUND_ROLES:
        return False
    if sentence.role == "cause":
        after = sentence.span.text[mention.end - sentence.span.start :]
        return not re.match(r"(頃|ごろ|ころ)?[、,]", after)
    return True


def incident_timeline(
    cues: Cues, sentences: Sequence[Sentence], mentions: Sequence[DateMention]
) -> tuple[tuple[TimelineEvent, ...], DateValue | None, DateValue | None]:
    """The events of an incident, its date of occurrence and of discovery."""
    dated = [
        (s, m)
        for s, m in _dates_by_sentence(sentences, mentions)
        if s.role not in ("countermeasure", "contact", "background")
    ]
    events: list[TimelineEvent] = []
    occurred: DateValue | None = None
    discovered: DateValue | None = None
    cue_occurred: DateValue | None = None
    background: DateValue | None = None  # the earliest date of a cause or reference section
    for k, (sentence, mention) in enumerate(dated):
        assert mention.iso is not None
        # a sentence with several dates tells of each in the clause after it
        entry = _clause_after(dated, k) if _shares_sentence(dated, k) else ""
        entry = entry or _entry_text(dated, sentences, k)
        denied = cues.discovered_negated.search(entry) is not None  # 後日判明 / 気付かなかった
        role = next(
            (
                r
                for r, words in cues.timeline_roles.items()
                if _has_any(entry, words) and not (r == "discovered" and denied)
            ),
            "other",
        )
        value = DateValue(mention.iso, evidence(sentence.span, f"date/{role}", 0.8))
        events.append(TimelineEvent(value, role))
        # a date alone on its line (同年3月2日(木)) is told by the sentence under it
        own = sentence.span.text
        if is_date_line(own):
            own = _entry_text(dated, sentences, k, limit=2)
        elif _shares_sentence(dated, k):
            own = _clause_after(dated, k)
        if (
            discovered is None
            and (_has_any(own, cues.discovered) or _has_any(entry, cues.discovered_strong))
            and not cues.discovered_negated.search(entry)
        ):
            discovered = DateValue(mention.iso, evidence(sentence.span, "date/discovered", 0.8))
        local = sentence.span.text
        found_here = _has_any(local, cues.discovered) and not cues.discovered_negated.search(local)
        if cue_occurred is None and _has_any(local, cues.occurred) and not found_here:
            cue_occurred = DateValue(
                mention.iso, evidence(sentence.span, "date/occurred-cue", 0.85)
            )
        if _is_background(sentence, mention):
            if background is None or _earlier_or_finer(mention.iso, background.iso):
                background = DateValue(mention.iso, evidence(sentence.span, "date/earliest", 0.6))
        elif occurred is None or _earlier_or_finer(mention.iso, occurred.iso):
            occurred = DateValue(mention.iso, evidence(sentence.span, "date/earliest", 0.7))
    return tuple(events), cue_occurred or occurred or background, discovered


def header_date_lines(structure: Structure) -> frozenset[int]:
    """Lines that only date the document in its header, right after the title (the day of
    publication, not an event of the incident)."""
    if structure.title_line is None:
        return frozenset()
    out: set[int] = set()
    for i in range(structure.title_line + 1, min(structure.title_line + 4, len(structure.lines))):
        line = structure.lines[i]
        if line.kind == "blank":
            continue
        if line.kind != "text" or line.text.endswith("。"):
            break
        if is_date_line(line.text):
            out.add(i)
    return frozenset(out)


def published_date(
    text: str, structure: Structure, mentions: Sequence[DateMention]
) -> DateValue | None:
    """A date standing alone near the top of the report, before the first numbered part."""
    limit_line = next(
        (i for i, ln in enumerate(structure.lines) if ln.kind == "heading"), len(structure.lines)
    )
    limit_line = min(limit_line, 8)
    for line in structure.lines[:limit_line]:
        if line.kind == "blank" or not is_date_line(line.text):
            continue
        for m in mentions:
            if line.start <= m.start < line.end and m.iso:
                return DateValue(
                    m.iso,
                    evidence(
                        Span(line.start, line.end, text[line.start : line.end]),
                        "date/published",
                        0.8,
                    ),
                )
    return None


def resolved_date(timeline: Sequence[TimelineEvent]) -> DateValue | None:
    """The date an incident was remedied: its last remedy in the timeline."""
    remedies = [e.date for e in timeline if e.role == "remedied"]
    if not remedies:
        return None
    return DateValue(remedies[-1].iso, replace(remedies[-1].evidence, rule="date/resolved"))
