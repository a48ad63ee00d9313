"""Extraction: normalised report text → coded incidents.

The pure core of the loader.  :func:`extract_report` takes the text of one report
and an :class:`Extractor` (the morphological analyser and the compiled lexicon,
built once per process by :func:`make_extractor`) and returns a
:class:`~.model.Report` whose every value carries the sentence it came from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .coding import (
    Analyzer,
    Lexicon,
    Token,
    cause_role,
    code_sentence,
    has_incident_cue,
    load_lexicon,
)
from .dates import DateMention, find_dates
from .model import (
    CodedValue,
    CountValue,
    DateValue,
    Evidence,
    Incident,
    OrganizationMention,
    Problem,
    Report,
    Section,
    Span,
    TimelineEvent,
)
from .normalize import normalize, sentence_spans
from .organizations import OrgFound, OrgRules, find_organizations, resolve
from .statistics import find_statistics
from .structure import IncidentPart, Line, Structure, find_structure, without_keywords

#: Kinds of body that can be responsible for an incident at the front line.
LOCAL_KINDS = frozenset({"municipality", "ward", "section", "local", "insurer", "prefecture"})
_COUNT = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\s?\d{3})+|\d+)\s?(件|名|人分|人|世帯|枚)")


_NEVER = re.compile(r"(?!)")


def _alternation(patterns: Iterable[str], template: str = "(?:{})") -> re.Pattern[str]:
    """One compiled pattern matching any of ``patterns`` (never matching when empty)."""
    parts = [template.format(p) for p in patterns]
    return re.compile("|".join(parts)) if parts else _NEVER


@dataclass(frozen=True)
class Cues:
    """The lexicon's cue lists for structure, roles, dates and counts, compiled once
    (ontology/lexicon.yaml documents each list)."""

    sentence_roles: Mapping[str, re.Pattern[str]]  # role → a sentence that says it
    continuation: re.Pattern[str]  # また、… goes on in the role before
    timeline_roles: Mapping[str, tuple[str, ...]]  # event role → words of its entry
    discovered: tuple[str, ...]
    discovered_strong: tuple[str, ...]  # cues that say discovery even in the lines after a date
    discovered_negated: re.Pattern[str]
    occurred: tuple[str, ...]
    count_preferred: tuple[str, ...]
    count_excluded: tuple[str, ...]
    count_excluded_patterns: re.Pattern[str]
    count_subset: re.Pattern[str]
    count_total: re.Pattern[str]  # 合計3件: the total of counts given per body or per day
    count_not_after: re.Pattern[str]  # a head-count: 来場者は87名
    count_not_before: re.Pattern[str]  # the scope of a check: 約1,900件について照合
    single_case: re.Pattern[str]
    guidance_title: re.Pattern[str] | None  # FAQ / guidance pages tell no incident

    @classmethod
    def from_lexicon(cls, data: Mapping[str, Any]) -> Cues:
        def words(key: str) -> tuple[str, ...]:
            return tuple(str(w) for w in data.get(key, []) or [])

        guidance = words("guidance_titles")
        return cls(
            sentence_roles={
                role: _alternation(patterns)
                for role, patterns in (data.get("sentence_roles") or {}).items()
            },
            continuation=_alternation(words("continuation_cues")),
            timeline_roles={
                role: tuple(ws) for role, ws in (data.get("timeline_roles") or {}).items()
            },
            discovered=words("discovered_cues"),
            discovered_strong=words("discovered_strong_cues"),
            discovered_negated=_alternation(words("discovered_negated")),
            occurred=words("occurred_cues"),
            count_preferred=words("count_preferred_cues"),
            count_excluded=words("count_excluded_cues"),
            count_excluded_patterns=_alternation(words("count_excluded_patterns")),
            count_subset=_alternation(words("count_subset_cues")),
            count_total=_alternation(words("count_total_cues")),
            count_not_after=_alternation(words("count_not_after"), "(?:{})$"),
            count_not_before=_alternation(words("count_not_before"), "^(?:{})"),
            single_case=_alternation(words("single_case_cues")),
            guidance_title=_alternation(guidance) if guidance else None,
        )


@dataclass(frozen=True)
class Extractor:
    """Everything extraction needs that is costly to build: create once, reuse."""

    analyzer: Analyzer
    lexicon: Lexicon
    org_rules: OrgRules
    known_codes: Mapping[str, set[str]]  # field → the vocabulary's codes
    cues: Cues

    def tokens(self, text: str) -> tuple[Token, ...]:
        return self.analyzer.tokens(text)

    def has_cue(self, text: str) -> bool:
        return has_incident_cue(self.lexicon, text, self.tokens(text))


def make_extractor(
    *, known_codes: Mapping[str, Iterable[str]], lexicon_path: Path | None = None
) -> Extractor:
    """Load SudachiPy and compile the lexicon against the vocabulary's codes."""
    analyzer = Analyzer()
    lexicon = load_lexicon(analyzer, lexicon_path, known_codes=known_codes)
    known = {name: set(codes) for name, codes in known_codes.items()}
    return Extractor(
        analyzer,
        lexicon,
        OrgRules.from_lexicon(lexicon.data),
        known,
        Cues.from_lexicon(lexicon.data),
    )


def report_id_for(source: str) -> str:
    """A stable, IRI-safe id from a report's file name (its stem)."""
    stem = Path(source).stem
    return quote(stem, safe="-_.~") or hashlib.sha256(source.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Sentence:
    """A sentence of an incident with the role of the section it sits in."""

    span: Span
    role: str
    line: int
    #: The label of its line (判明日, 発生日時 in a form or a table column), "" if none.
    label: str = ""


def _is_date_line(text: str) -> bool:
    mentions = find_dates(text)
    covered = sum(m.end - m.start for m in mentions)
    return bool(mentions) and covered >= 0.6 * len(text.strip())


#: Roles a sentence keeps whatever it says (a heading told us what the section is).
_SECTION_ROLES = frozenset({"cause", "countermeasure", "response", "timeline", "contact", "other"})


def _refine_roles(ex: Extractor, sentences: list[Sentence]) -> list[Sentence]:
    """In a part no heading names (a report of plain paragraphs), let the sentence say its
    role: 今後は…徹底します is a countermeasure, …が原因と考えられます a cause."""
    cues = ex.cues
    out: list[Sentence] = []
    previous: Sentence | None = None
    for sentence in sentences:
        role = sentence.role
        if role not in _SECTION_ROLES:
            for candidate in ("countermeasure", "cause"):
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


def _sentences(
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


def _apply_references(
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


def _shared_sentences(text: str, structure: Structure) -> list[Sentence]:
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
_SHARED_FIELDS = frozenset({"causes", "countermeasures"})


def _shared_field(value: CodedValue) -> bool:
    """Whether a value coded in a part about every incident applies to each: causes and
    measures, and what they imply (a regulator's inquiry → a national body acts)."""
    if value.field in _SHARED_FIELDS:
        return True
    rule = value.evidence.rule.split("/")
    return rule[0] == "implied-by" and len(rule) > 1 and rule[1] in _SHARED_FIELDS


def _evidence(span: Span, rule: str, confidence: float) -> Evidence:
    return Evidence(span=span, rule=rule, confidence=round(confidence, 2))


def _code(
    ex: Extractor, sentences: Sequence[Sentence]
) -> tuple[list[CodedValue], list[CodedValue]]:
    found: list[tuple[CodedValue, bool]] = []  # (value, defeasible)
    negative: list[CodedValue] = []
    for sentence in sentences:
        tokens = ex.tokens(sentence.span.text)
        for match in code_sentence(ex.lexicon, sentence.span.text, tokens, sentence.role):
            value = CodedValue(
                match.rule.field,
                match.rule.code,
                _evidence(sentence.span, match.rule.rule_id, match.rule.confidence),
            )
            if match.rule.field == "causes":
                role = cause_role(ex.lexicon, sentence.span.text, match.end)
                value = replace(value, role=role)
                if role == "ruled-out":
                    negative.append(value)
                    continue
            if match.negated:
                negative.append(value)
            else:
                found.append((value, match.rule.defeasible))
    # An explicit denial (個人情報の漏えいはありません) defeats what was only inferred.
    denied = {(v.field, v.code) for v in negative}
    coded = [v for v, defeasible in found if not (defeasible and (v.field, v.code) in denied)]
    present = {(v.field, v.code) for v in coded}
    implied: list[CodedValue] = []
    for value in coded:
        for target in ex.lexicon.implications.get((value.field, value.code), ()):
            if target not in present:
                present.add(target)
                implied.append(
                    CodedValue(
                        target[0],
                        target[1],
                        _evidence(
                            value.evidence.span,
                            f"implied-by/{value.field}/{value.code}",
                            value.evidence.confidence * 0.9,
                        ),
                    )
                )
    return coded + implied, negative


def _orgs_in(
    ex: Extractor, text: str, sentences: Iterable[Sentence]
) -> list[tuple[OrgFound, Span]]:
    out: list[tuple[OrgFound, Span]] = []
    for sentence in sentences:
        if sentence.role == "contact":
            continue
        for org in find_organizations(sentence.span.text, ex.org_rules):
            out.append((org, sentence.span))
    return out


_ACTING = re.compile(r"^(が|は|では|において|として)")
#: An honorific after a body's name: it is addressed (a vendor's customer), not acting.
_ADDRESSED = re.compile(r"^(様|御中|殿)")
#: A company writing about itself.
_COMPANY_VOICE = re.compile(r"(弊社|当社)")


def _acting(org: OrgFound, span: Span) -> bool:
    """Whether a body is the subject of its sentence (国税庁が…), not its object (総務省へ照会)."""
    return bool(_ACTING.match(span.text[org.end :]))


def _organizations(
    ex: Extractor,
    text: str,
    own: Sequence[Sentence],
    context: Sequence[Sentence],
    own_cities: Sequence[str],
) -> tuple[OrganizationMention, ...]:
    """The bodies of an incident: responsible (local bodies, insurers, companies, and a national
    body that acts in the text) and merely involved (a ministry that was consulted).

    When the incident's own text names no responsible body, the local bodies of its context
    (the heading above it, the report's preamble) are taken.
    """
    found = _orgs_in(ex, text, own)
    generic = ex.org_rules.generic
    # 保険者 / 地方公共団体 name the responsible body only in a report that names no body of
    # its own (a regulator's summary); in a body's own report they are someone else
    named = any(
        o.name not in generic and (o.kind in LOCAL_KINDS or o.kind == "company")
        for o, _ in [*found, *_orgs_in(ex, text, context)]
    )

    def responsible(org: OrgFound, span: Span) -> bool:
        if _ADDRESSED.match(span.text[org.end :]):
            return False  # 白砂市様: a customer a vendor writes to, not the one responsible
        if named and org.name in generic:
            return False
        return org.kind in LOCAL_KINDS or org.kind == "company" or _acting(org, span)

    if not any(responsible(o, s) for o, s in found):
        # the author, named in the heading or preamble: a local body, or a company that
        # speaks of itself as 弊社 / 当社
        kinds = LOCAL_KINDS | ({"company"} if _COMPANY_VOICE.search(text) else set())
        found += [(o, s) for o, s in _orgs_in(ex, text, context) if o.kind in kinds]
    elif all(o.kind == "company" for o, s in found if responsible(o, s)):
        # only a contractor named at fault: the body that entrusted it the work is the
        # author named in the heading or preamble (市監査委員, 市長 様)
        found += [
            (o, s)
            for o, s in _orgs_in(ex, text, context)
            if o.kind in LOCAL_KINDS and not _ADDRESSED.match(s.text[o.end :])
        ]
    resolved = resolve([o for o, _ in found], own_cities=own_cities, rules=ex.org_rules)
    seen: dict[str, OrganizationMention] = {}
    for org, (raw, span) in zip(resolved, found, strict=True):
        if org.name in seen:
            if responsible(raw, span) and not seen[org.name].responsible:
                seen[org.name] = replace(seen[org.name], responsible=True)
            continue
        seen[org.name] = OrganizationMention(
            name=org.name,
            label=org.label,
            kind=org.kind,
            evidence=_evidence(span, f"organization/{org.kind}", 0.9 if org.resolved else 0.6),
            parent=org.parent,
            resolved=org.resolved,
            responsible=responsible(raw, span),
        )
    return tuple(seen.values())


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
    if sentence.role not in _BACKGROUND_ROLES:
        return False
    if sentence.role == "cause":
        after = sentence.span.text[mention.end - sentence.span.start :]
        return not re.match(r"(頃|ごろ|ころ)?[、,]", after)
    return True


def _timeline(
    ex: Extractor, sentences: Sequence[Sentence], mentions: Sequence[DateMention]
) -> tuple[tuple[TimelineEvent, ...], DateValue | None, DateValue | None]:
    cues = ex.cues
    dated = [
        (s, m)
        for s, m in _dates_by_sentence(sentences, mentions)
        if s.role not in ("countermeasure", "contact")
    ]
    events: list[TimelineEvent] = []
    occurred: DateValue | None = None
    discovered: DateValue | None = None
    cue_occurred: DateValue | None = None
    background: DateValue | None = None  # the earliest date of a cause or reference section
    for k, (sentence, mention) in enumerate(dated):
        assert mention.iso is not None
        entry = _entry_text(dated, sentences, k)
        denied = cues.discovered_negated.search(entry) is not None  # 後日判明 / 気付かなかった
        role = next(
            (
                r
                for r, words in cues.timeline_roles.items()
                if _has_any(entry, words) and not (r == "discovered" and denied)
            ),
            "other",
        )
        value = DateValue(mention.iso, _evidence(sentence.span, f"date/{role}", 0.8))
        events.append(TimelineEvent(value, role))
        # a date alone on its line (同年3月2日(木)) is told by the sentence under it
        own = sentence.span.text
        if _is_date_line(own):
            own = _entry_text(dated, sentences, k, limit=2)
        if (
            discovered is None
            and (_has_any(own, cues.discovered) or _has_any(entry, cues.discovered_strong))
            and not cues.discovered_negated.search(entry)
        ):
            discovered = DateValue(mention.iso, _evidence(sentence.span, "date/discovered", 0.8))
        local = sentence.span.text
        found_here = _has_any(local, cues.discovered) and not cues.discovered_negated.search(local)
        if cue_occurred is None and _has_any(local, cues.occurred) and not found_here:
            cue_occurred = DateValue(
                mention.iso, _evidence(sentence.span, "date/occurred-cue", 0.85)
            )
        if _is_background(sentence, mention):
            if background is None or _earlier_or_finer(mention.iso, background.iso):
                background = DateValue(mention.iso, _evidence(sentence.span, "date/earliest", 0.6))
        elif occurred is None or _earlier_or_finer(mention.iso, occurred.iso):
            occurred = DateValue(mention.iso, _evidence(sentence.span, "date/earliest", 0.7))
    return tuple(events), cue_occurred or occurred or background, discovered


def _header_date_lines(structure: Structure) -> frozenset[int]:
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
        if _is_date_line(line.text):
            out.add(i)
    return frozenset(out)


def _affected(ex: Extractor, sentences: Sequence[Sentence]) -> CountValue | None:
    """The number of cases or people affected: the first count in a sentence that speaks of
    the wrong (誤, 判明…), else the first count at all; of ``38件のうち1件`` the part after
    このうち; none from a check that found nothing more.  With no count written, an incident
    told about one person (A様, 当該申込者) counts one case."""
    cues = ex.cues

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
        if sentence.role in ("countermeasure", "contact"):
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
        value = int(re.sub(r"[,\s]", "", m.group(1)))
        candidate = CountValue(value, _evidence(sentence.span, f"count/{m.group(2)}", 0.7))
        if best is None or (rank, order) < best[:2]:
            best = (rank, order, candidate)
    if best is not None:
        return best[2]
    for sentence in sentences:
        if sentence.role not in ("countermeasure", "contact") and cues.single_case.search(
            sentence.span.text
        ):
            return CountValue(1, _evidence(sentence.span, "count/single-case", 0.5))
    return None


def _published(
    text: str, structure: Structure, mentions: Sequence[DateMention]
) -> DateValue | None:
    """A date standing alone near the top of the report, before the first numbered part."""
    limit_line = next(
        (i for i, ln in enumerate(structure.lines) if ln.kind == "heading"), len(structure.lines)
    )
    limit_line = min(limit_line, 8)
    for line in structure.lines[:limit_line]:
        if line.kind == "blank" or not _is_date_line(line.text):
            continue
        for m in mentions:
            if line.start <= m.start < line.end and m.iso:
                return DateValue(
                    m.iso,
                    _evidence(
                        Span(line.start, line.end, text[line.start : line.end]),
                        "date/published",
                        0.8,
                    ),
                )
    return None


def _sections(text: str, structure: Structure) -> tuple[Section, ...]:
    out: list[Section] = []
    for line in structure.lines:
        if line.role is not None and line.kind in ("heading", "label"):
            out.append(
                Section(
                    line.title or line.text,
                    line.role,
                    Span(line.start, line.end, text[line.start : line.end]),
                )
            )
    return tuple(out)


def _context_sentences(text: str, structure: Structure, part: IncidentPart) -> list[Sentence]:
    out: list[Sentence] = []
    for i in part.context_lines:
        line = structure.lines[i]
        for span in sentence_spans(text, line.start, line.end):
            out.append(Sentence(span, "context", i))
    return out


def extract_incidents(
    ex: Extractor, text: str
) -> tuple[Structure, tuple[Incident, ...], list[DateMention]]:
    """Find and code the incidents of a normalised text."""
    structure = find_structure(
        text,
        section_roles=ex.lexicon.section_roles,
        has_cue=ex.has_cue,
        is_date=_is_date_line,
        guidance_title=ex.cues.guidance_title,
    )
    mentions = find_dates(text)
    cities = sorted(
        {
            org.name
            for org in find_organizations(text, ex.org_rules)
            if org.kind == "municipality" and org.name.endswith("市")
        }
    )
    per_incident = [
        _refine_roles(ex, _sentences(text, structure.lines, part, ex.lexicon.section_roles))
        for part in structure.incidents
    ]
    _apply_references(structure.incidents, per_incident, text)
    shared = _shared_sentences(text, structure)
    header = _header_date_lines(structure)
    incidents: list[Incident] = []
    shared_coded, shared_negative = _code(ex, shared)
    # closing parts about every incident add causes and measures, not the particulars of one
    shared_coded = [v for v in shared_coded if _shared_field(v)]
    shared_negative = [v for v in shared_negative if v.field in _SHARED_FIELDS]
    for ordinal, part in enumerate(structure.incidents, start=1):
        own = per_incident[ordinal - 1]
        sentences = own + shared
        coded, negative = _code(ex, own)
        known = {(v.field, v.code) for v in coded}
        coded += [v for v in shared_coded if (v.field, v.code) not in known]
        negative += shared_negative
        timeline, occurred, discovered = _timeline(
            ex, [x for x in sentences if x.line not in header], mentions
        )
        remedies = [e.date for e in timeline if e.role == "remedied"]
        start = structure.lines[part.spans[0][0]].start
        end = structure.lines[part.spans[0][1] - 1].end
        incidents.append(
            Incident(
                ordinal=ordinal,
                title=part.title,
                span=Span(start, end, text[start:end]),
                organizations=_organizations(
                    ex, text, own, _context_sentences(text, structure, part), cities
                ),
                coded=tuple(coded),
                occurred=occurred,
                discovered=discovered,
                resolved=(
                    DateValue(
                        remedies[-1].iso, replace(remedies[-1].evidence, rule="date/resolved")
                    )
                    if remedies
                    else None
                ),
                affected=_affected(ex, own),
                timeline=timeline,
                negative_findings=tuple(negative),
            )
        )
    return structure, tuple(incidents), mentions


def extract_report(
    ex: Extractor, raw_text: str, *, source: str, report_id: str | None = None
) -> Report:
    """Read one report's text into a :class:`Report` (pure: no I/O)."""
    normalized = normalize(raw_text)
    text = normalized.text
    structure, incidents, mentions = extract_incidents(ex, text)
    incident_lines = {
        i for part in structure.incidents for first, last in part.spans for i in range(first, last)
    }
    statistics = find_statistics(text, structure, mentions, incident_lines)
    problems: list[Problem] = []
    if not incidents:
        problems.append(
            Problem(
                source,
                "no-incident",
                "no incident recognised (statistics or notice only?)",
                "warning",
            )
        )
    return Report(
        report_id=report_id or report_id_for(source),
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        title=structure.title,
        published=_published(text, structure, mentions),
        sections=_sections(text, structure),
        incidents=incidents,
        statistics=statistics,
        problems=tuple(problems),
        original=normalized.original,
        offsets=normalized.offsets,
    )
