"""Sentences: an incident's parts (from :mod:`.structure`) cut into sentences, each with
the role of the section it sits in (summary, cause, countermeasure, timeline…).

A sentence in a part no heading names may say its own role (今後は…徹底します is a
countermeasure); a sentence that names items of a list ((1)と(3)は…) goes to the incidents it
names; closing parts about every incident give their sentences to each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from .cues import Cues
from .dates import find_dates
from .lines import Line
from .model import Span
from .structure import IncidentPart, Structure, without_keywords


@dataclass(frozen=True)
class Sentence:
    """A sentence of an incident with the role of the section it sits in."""

    span: Span
    role: str
    line: int
    #: The label of its line (判明日, 発生日時 in a form or a table column), "" if none.
    label: str = ""


def is_date_line(text: str) -> bool:
    """Whether a line is mostly a date (a date alone, or a dated heading)."""
    mentions = find_dates(text)
    covered = sum(m.end - m.start for m in mentions)
    return bool(mentions) and covered >= 0.6 * len(text.strip())


#: Roles a sentence keeps whatever it says (a heading told us what the section is).
_SECTION_ROLES = frozenset({"cause", "countermeasure", "response", "timeline", "contact", "other"})


def refine_roles(cues: Cues, sentences: list[Sentence]) -> list[Sentence]:
    """In a part no heading names (a report of plain paragraphs), let the sentence say its
    role: 今後は…徹底します is a countermeasure, …が原因と考えられます a cause, and
    全国では…相次いでいる background (what happened elsewhere: no code is read from it)."""
    out: list[Sentence] = []
    previous: Sentence | None = None
    for sentence in sentences:
        role = sentence.role
        if role not in _SECTION_ROLES:
            for candidate in ("background", "countermeasure", "cause"):
                said = cues.sentence_roles.get(candidate)
                if said is not None and said.search(sentence.span.text):
                    role = candidate
                    break
            else:
                # また、… in the same paragraph goes on saying what the sentence before said
                if (
                    previous is not None
                    and previous.line == sentence.line
                    and previous.role in ("countermeasure", "cause")
                    and cues.continuation.match(sentence.span.text)
                ):
                    role = previous.role
        refined = replace(sentence, role=role) if role != sentence.role else sentence
        out.append(refined)
        previous = refined
    return out


def _tells_more(line: Line, section_roles: Mapping[str, Sequence[str]]) -> bool:
    """Whether a section heading holds more than its keyword: (1) 発生期間 令和5年1月24日から…."""
    return len(without_keywords(line.title, section_roles).strip(" の:・")) >= 6


def _cell_sentences(text: str, line: Line, index: int) -> list[Sentence]:
    """The sentences of a table row, each cell in the role its column's name gives."""
    out: list[Sentence] = []
    start = line.start
    for name, role in line.columns:
        tab = text.find("\t", start, line.end)
        end = line.end if tab < 0 else tab
        for span in sentence_spans(text, start, end):
            out.append(Sentence(span, role or "summary", index, name))
        start = end + 1
        if tab < 0:
            break
    return out


def part_sentences(
    text: str,
    lines: Sequence[Line],
    part: IncidentPart,
    section_roles: Mapping[str, Sequence[str]],
) -> list[Sentence]:
    out: list[Sentence] = []
    for n, (first, last) in enumerate(part.spans):
        role = "title" if n == 0 else "content"
        for i in range(first, last):
            line = lines[i]
            if line.kind == "blank":
                continue
            if line.role is not None:
                role = line.role
            elif i == first and n == 0:
                role = "title"
            elif role == "title":
                role = "summary"
            if (
                line.kind == "heading"
                and line.role is not None
                and not _tells_more(line, section_roles)
            ):
                continue  # a bare section heading (概要, 原因…) says nothing itself
            if line.columns:  # a row of a table read as a case: each cell in its column's role
                out.extend(_cell_sentences(text, line, i))
                role = "summary"
                continue
            label = line.title if line.kind == "label" else ""
            for span in sentence_spans(text, line.start, line.end):
                out.append(Sentence(span, role, i, label))
            if i == first and n == 0:
                role = "summary"
    return out


_REF_ITEM = r"(?:\(\d{1,2}\)|[①-⑳])"
#: A sentence that opens by naming items of the list: (1)と(3)は… / ②は…
_LEADING_REF = re.compile(
    rf"^[・\s]*({_REF_ITEM}(?:\s*(?:と|及び|、|,|・|及)\s*{_REF_ITEM})*)\s*(?:は|では|について|も)"
)
#: A bracketed aside that names items: (②は令和5年1月発生)
_BRACKET_REF = re.compile(
    rf"[(（]\s*({_REF_ITEM}(?:\s*(?:と|及び|、|・)\s*{_REF_ITEM})*)\s*は[^()（）]{{1,40}}[)）]"
)


def _ref_numbers(refs: str) -> set[int]:
    numbers = {int(n) for n in re.findall(r"\((\d{1,2})\)", refs)}
    numbers |= {"①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(c) + 1 for c in refs if "①" <= c <= "⑳"}
    return numbers


def apply_references(
    parts: Sequence[IncidentPart], sentences: list[list[Sentence]], text: str
) -> None:
    """Give sentences that name items of a list ((1)と(3)は…) to the incidents they name."""
    for a, part in enumerate(parts):
        siblings = {p.number: b for b, p in enumerate(parts) if p.group == part.group and p.number}
        if len(siblings) < 2:
            continue
        keep: list[Sentence] = []
        for sentence in sentences[a]:
            lead = _LEADING_REF.match(sentence.span.text)
            named = _ref_numbers(lead.group(1)) if lead else set()
            if named and named <= set(siblings):
                for number in sorted(named):
                    target = sentences[siblings[number]]
                    if sentence not in target:
                        target.append(sentence)
                if part.number in named:
                    keep.append(sentence)
                continue
            keep.append(sentence)
            for m in _BRACKET_REF.finditer(sentence.span.text):
                named = _ref_numbers(m.group(1))
                if not named or not named <= set(siblings):
                    continue
                start = sentence.span.start + m.start() + 1
                end = sentence.span.start + m.end() - 1
                aside = Sentence(Span(start, end, text[start:end]), sentence.role, sentence.line)
                for number in sorted(named):
                    sentences[siblings[number]].append(aside)
        sentences[a][:] = keep
    for group in sentences:
        group.sort(key=lambda s: (s.span.start, s.span.end))


def shared_sentences(text: str, structure: Structure) -> list[Sentence]:
    """Sentences of closing parts that speak of every incident (いずれの事案についても…)."""
    out: list[Sentence] = []
    for first, last in structure.shared:
        # a closing part speaks of what was done; a line of the preamble tells of the cases
        role = "response" if structure.lines[first].kind == "heading" else "summary"
        for i in range(first, last):
            line = structure.lines[i]
            if line.role is not None:
                role = line.role
            if line.kind == "blank" or (line.kind == "heading" and line.role is not None):
                continue
            for span in sentence_spans(text, line.start, line.end):
                out.append(Sentence(span, role, i))
    return out


#: The fields a closing part about every incident (いずれの事案も…) adds to each of them.


def context_sentences(text: str, structure: Structure, part: IncidentPart) -> list[Sentence]:
    out: list[Sentence] = []
    for i in part.context_lines:
        line = structure.lines[i]
        for span in sentence_spans(text, line.start, line.end):
            out.append(Sentence(span, "context", i))
    return out


# ------------------------------------------------------- splitting lines into sentences

_OPENERS = {
    "「": "」",
    "『": "』",
    "(": ")",
    "（": "）",
    "【": "】",
    "〈": "〉",
    "《": "》",
    "[": "]",
}
_CLOSERS = frozenset(_OPENERS.values())


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split ``text[start:end]`` into sentence spans (offsets into ``text``).

    A sentence ends after a run of 。 or at a line end.  A 。 inside brackets
    that close on the same line (``「…した。」との``, ``(以下「窓口」という。)``)
    does not end one.  Leading and trailing whitespace is left out of each span
    (a bullet or enumerator at the start stays in); empty pieces are skipped.
    """
    stop = len(text) if end is None else end
    if not 0 <= start <= stop <= len(text):
        raise ValueError(f"bad range [{start}, {end}) for text of length {len(text)}")
    spans: list[Span] = []
    pos = start
    while pos <= stop:
        newline = text.find("\n", pos, stop)
        line_end = stop if newline < 0 else newline
        for a, b in _line_sentences(text, pos, line_end):
            spans.append(Span(a, b, text[a:b]))
        if newline < 0:
            break
        pos = newline + 1
    return spans


def _line_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence pieces of one line ``text[start:end]``, whitespace trimmed."""
    protected = _bracketed(text, start, end)
    piece = start
    k = start
    while k < end:
        if text[k] == "。" and k not in protected:
            while k + 1 < end and text[k + 1] == "。":
                k += 1
            yield from _trimmed(text, piece, k + 1)
            piece = k + 1
        k += 1
    yield from _trimmed(text, piece, end)


def _bracketed(text: str, start: int, end: int) -> frozenset[int]:
    """Positions of 。 that lie inside a bracket pair closed on the same line."""
    stack: list[tuple[str, int]] = []
    depth_change: dict[int, int] = {}
    for k in range(start, end):
        ch = text[k]
        if ch in _OPENERS:
            stack.append((_OPENERS[ch], k))
        elif ch in _CLOSERS:
            # Pop to the matching opener; unmatched closers are ignored.
            for level in range(len(stack) - 1, -1, -1):
                if stack[level][0] == ch:
                    opened = stack[level][1]
                    del stack[level:]
                    depth_change[opened] = depth_change.get(opened, 0) + 1
                    depth_change[k] = depth_change.get(k, 0) - 1
                    break
    if not depth_change:
        return frozenset()
    inside: set[int] = set()
    depth = 0
    for k in range(start, end):
        depth += depth_change.get(k, 0)
        if depth > 0 and text[k] == "。":
            inside.add(k)
    return frozenset(inside)


def _trimmed(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    """``(a, b)`` without leading/trailing whitespace, if anything is left."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        yield a, b
