"""Structure: normalised text → headed sections and the parts that tell incidents.

Japanese administrative reports number their parts in a small set of styles that
nest in a conventional order: ``1`` / ``１．`` (level 1), ``(1)`` (level 2) and
``①`` (level 3).  Markdown ``#`` marks are dropped before the style is read.
A heading whose title is a section keyword (概要, 経緯, 原因, 再発防止策…, listed
in the lexicon) opens a *section* and gives its sentences a role; any other
numbered heading is a *candidate* part.  Short label lines — ``(着眼点)``,
``【熊本市の状況】``, ``原因：…`` — switch the role without opening a part.

Which parts are incidents:

1. parts marked ``【事案1】`` / ``事案2`` when the report marks them;
2. otherwise the innermost candidate parts whose heading says something went
   wrong (an *incident cue* of the lexicon: 誤交付, 漏えい, 失効…) and that tell it in
   sentences (not a heading over a table of figures), outside any section; a
   candidate whose siblings are sections (ア 指摘事項… / イ 改善を求める事項) stands
   for its parent, or for the whole report at the top level;
3. otherwise the whole report, when its title or summary says so;
4. otherwise none (a statistics table, a fee notice).

A table flattened from a PDF often repeats a column's numbering (``①②③`` of the
cases, then ``①②③`` of the regulator's view of them).  A part without a cue
whose number restarts a list beside incidents is attached to the incident of the
same number.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .lines import (
    CASE_NAME,
    EXPLICIT_CASE,
    MAX_TITLE,
    STYLE_LEVELS,
    SYMBOLS,
    Line,
    classify_lines,
    first_sentence,
)
from .model import Section, Span
from .news_cases import further_cases, told_bodies, told_cases


@dataclass
class Part:
    """A numbered heading and the lines it governs."""

    line: int  # index of its heading in the lines
    level: float
    number: int | None
    title: str
    role: str | None  # a section keyword heading has a role
    cue: bool
    explicit: bool
    end_line: int = 0  # exclusive
    parent: int | None = None  # index into the parts list
    children: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class IncidentPart:
    """The text of one incident: its main stretch and any attached stretches."""

    title: str
    spans: tuple[tuple[int, int], ...]  # line index ranges [start, end)
    context_lines: tuple[int, ...]  # lines that give context (ancestor titles, preamble)
    number: int | None = None  # its number in its list: ② → 2
    group: int | None = None  # the part that holds the list it belongs to (-1: top level)


@dataclass(frozen=True)
class Structure:
    """A report's lines, title and incident parts."""

    lines: tuple[Line, ...]
    title: str
    title_line: int | None
    incidents: tuple[IncidentPart, ...]
    #: Line ranges after the incidents that speak of all of them (いずれの事案についても…).
    shared: tuple[tuple[int, int], ...] = ()


_TITLE_ABOUT = re.compile(r"(について|に関して|に関する(ご)?報告)")
_TITLE_END = re.compile(
    r"(について|に関して|に関するお知らせ|報告|お知らせ|お詫び|おわび|事案|の発生)[)）]?$"
)


#: A line this short above the headline is a page's category or site name (ニュース).
_FURNITURE_MAX = 5


def _find_title(lines: Sequence[Line], is_date: Callable[[str], bool]) -> int | None:
    """The report's title: among the lines before the first numbered heading that are not
    dates or sentences, the first that reads like a title (…について), else the first."""
    candidates: list[int] = []
    body = False
    for i, line in enumerate(lines):
        if line.kind == "heading":
            break
        if line.kind == "text" and len(line.text) > 80 and "。" in line.text:
            body = True  # a paragraph of running text: the body has begun
        if line.kind != "text" or is_date(line.text) or len(line.text) > 80:
            continue
        if body and (len(line.text) > 30 or "、" in line.text or line.text[:1] in "・•-*"):
            continue  # in the body only a short heading-like line (not a link's caption in a
            # list: ・…の紛失について) may still be the title
        if not re.search(r"[^\W\d_]", line.text):
            continue  # a rule (━━━━) or a page number: no words
        if line.text.endswith("。"):
            break  # the body has begun
        candidates.append(i)
    for pattern in (_TITLE_ABOUT, _TITLE_END):
        for i in candidates:
            if pattern.search(lines[i].text):
                return i
    # a web page's category or site name over the headline (ニュース, 鎌倉市) is no title
    named = [i for i in candidates if len(lines[i].text.strip("#* ")) > _FURNITURE_MAX]
    chosen = named or candidates
    return chosen[0] if chosen else None


def _opening_lines(lines: Sequence[Line], start: int, limit: int = 6) -> list[str]:
    """The report's opening text: the lines before its first numbered heading and those of
    its summary sections (概要), leaving out what tells of others' wrongs or of none found."""
    out: list[str] = []
    role: str | None = None
    seen_heading = False
    for line in lines[start:]:
        if line.kind in ("heading", "label"):
            role = line.role
            seen_heading = seen_heading or line.kind == "heading"
            continue
        opening = role == "summary" or (role is None and not seen_heading)
        if line.kind == "text" and not _is_prose(line.text):
            continue  # a link list's addresses and names (https://…, 毎日新聞) tell nothing
        if line.kind == "text" and opening and not _ELSEWHERE_OR_FINE.search(line.text):
            out.append(line.text)
        if len(out) >= limit:
            break
    return out


#: A web address on its own.
_ADDRESS = re.compile(r"^\S*https?://\S+$")


def _is_prose(text: str) -> bool:
    """Whether a line is running text: not a web address, and a sentence or a longer line."""
    return not _ADDRESS.match(text) and ("。" in text or len(text) >= 15)


def without_keywords(title: str, section_roles: Mapping[str, Sequence[str]]) -> str:
    """A heading's title without its section keywords: 事務処理ミスの内容 → 事務処理ミスの."""
    for keywords in section_roles.values():
        for keyword in keywords:
            title = title.replace(keyword, "")
    return title


def _build_parts(
    lines: Sequence[Line],
    has_cue: Callable[[str], bool],
    section_roles: Mapping[str, Sequence[str]],
) -> list[Part]:
    parts: list[Part] = []
    # symbols nest in the order a report first uses them: ■ 事例1 … ◆ 件数等
    symbols: dict[str, int] = {}
    for line in lines:
        if line.kind in ("heading", "label") and line.text[:1] in SYMBOLS:
            symbols.setdefault(line.text[0], len(symbols))
    for i, line in enumerate(lines):
        if line.kind != "heading" or line.style is None:
            continue
        head = first_sentence(line.title)
        level = STYLE_LEVELS[line.style]
        if line.style == "symbol":
            level += 0.1 * symbols.get(line.text[:1], 0)
        parts.append(
            Part(
                line=i,
                level=level,
                number=line.number,
                title=head[: MAX_TITLE * 3],
                role=line.role,
                # a section heading can name the incident too: 指摘事項 通知の処理の遅延について
                cue=has_cue(head if line.role is None else without_keywords(head, section_roles))
                # a row of a table with a cause column is a case, however its cells say it
                or any(role == "cause" for _, role in line.columns),
                explicit=bool(EXPLICIT_CASE.search(line.title)),
            )
        )
    stack: list[int] = []
    for k, part in enumerate(parts):
        while stack and parts[stack[-1]].level >= part.level:
            parts[stack.pop()].end_line = part.line
        if stack:
            part.parent = stack[-1]
            parts[stack[-1]].children.append(k)
        stack.append(k)
    for k in stack:
        parts[k].end_line = len(lines)
    for k, part in enumerate(parts):  # a part with its own cause section tells an incident
        if (
            not part.cue
            and part.role is None
            and not _restarts_numbering(parts, k)
            and _has_own_cause_section(lines, parts, k)
        ):
            part.cue = True
    for (
        part
    ) in parts:  # a finding's heading (第1 通知の確認について) may leave the wrong to its text
        if not part.cue and part.role is None and _FINDING_TITLE.search(part.title):
            opening = _first_text_line(lines, part)
            # a heading that says "case" (A市の事案) may tell the wrong anywhere in its
            # paragraph; one that names a topic (…について) must open with it
            told = (
                "".join(lines[i].text for i in range(part.line + 1, part.end_line))
                if _CASE_TITLE.search(part.title)
                else first_sentence(opening or "")
            )
            part.cue = (
                opening is not None
                and (has_cue(told) or _CASE_TITLE.search(part.title) is not None)
                and not _ELSEWHERE_OR_FINE.search(opening)
            )
    return parts


def _restarts_numbering(parts: Sequence[Part], k: int) -> bool:
    """Whether a part's number restarts a list of its style beside it (①②…①②): a second
    column of a flattened table, such as the regulator's view of each case."""
    part = parts[k]
    earlier = [
        parts[j]
        for j in _siblings(parts, k)
        if j < k and parts[j].level == part.level and parts[j].number is not None
    ]
    return part.number is not None and any((p.number or 0) >= part.number for p in earlier)


def _has_own_cause_section(lines: Sequence[Line], parts: Sequence[Part], k: int) -> bool:
    """Whether a part holds a cause section of its own — a child heading ``イ 原因`` or a
    label ``(原因と考えられる点)`` outside its child parts: reports give causes per incident."""
    part = parts[k]
    if any(parts[c].role == "cause" for c in part.children):
        return True
    child_lines = {i for c in part.children for i in range(parts[c].line, parts[c].end_line)}
    return any(
        lines[i].kind == "label" and lines[i].role == "cause" and i not in child_lines
        for i in range(part.line + 1, part.end_line)
    )


#: How the heading of a finding or case ends: …について / …の件 / …事案 (市民課).
_FINDING_TITLE = re.compile(r"(について|の件|事案|事故|事例)\s*([(（][^()（）]{1,20}[)）])?$")
#: …of them, a heading that names a case: Ａ市の事案（令和５年６月判明）.
_CASE_TITLE = re.compile(r"(事案|事故|事例)\s*([(（][^()（）]{1,20}[)）])?$")


#: A text that tells of others' wrongs or of finding none (他市の誤交付を受け点検…問題はありません).
_ELSEWHERE_OR_FINE = re.compile(
    r"(他の?(自治体|都市|市区町村|市町村|団体)|全国で|各地(で|から)"
    r"|(ケース|事案|事例|トラブル)が[^。]{0,15}(起きています|起きている|報告されています|相次いでいます|発生しています)"
    r"|(問題|誤り|異常|不具合)(は|が)?(ありません|なかった|ない|認められ))"
)


def _first_text_line(lines: Sequence[Line], part: Part) -> str | None:
    """The first line of running text a part opens with, before any sub-heading."""
    for i in range(part.line + 1, part.end_line):
        line = lines[i]
        if line.kind == "heading":
            return None
        if line.kind == "text":
            return line.text
    return None


def _descendants(parts: Sequence[Part], k: int) -> list[int]:
    out: list[int] = []
    for c in parts[k].children:
        out.append(c)
        out.extend(_descendants(parts, c))
    return out


#: Roles of a top-level part that tells the incident itself: a contact block before one of
#: them is the page's header (問合せ先 under the title, as some cities lay a press release
#: out), not where the report ends.
_TELLING_ROLES = frozenset({"summary", "timeline", "cause", "countermeasure", "response"})


def _doc_end(lines: Sequence[Line], parts: Sequence[Part], start: int) -> int:
    """Where a whole-report incident ends: at a top-level contact or closing section that no
    part telling the incident follows."""
    telling = [p.line for p in parts if p.level == 1 and p.role in _TELLING_ROLES]
    last_telling = max(telling, default=-1)
    for part in parts:
        if (
            part.line >= start
            and part.level == 1
            and part.role in ("contact",)
            and part.line > last_telling
        ):
            return part.line
    for i in range(max(start, last_telling + 1), len(lines)):
        if lines[i].kind == "label" and lines[i].role == "contact":
            return i
    return len(lines)


#: Stands for "the whole report" among chosen parts.
WHOLE_REPORT = -1


def _siblings(parts: Sequence[Part], k: int) -> list[int]:
    """The parts under the same parent as part ``k`` (itself included), in order."""
    parent = parts[k].parent
    if parent is not None:
        return parts[parent].children
    return [j for j, p in enumerate(parts) if p.parent is None]


def _promote_findings(parts: Sequence[Part], chosen: list[int]) -> list[int]:
    """A chosen item whose siblings are sections (ア 指摘事項… / イ 改善を求める事項) is the
    first section of its parent: the parent part is the incident (:data:`WHOLE_REPORT` when
    the siblings are the report's own top-level sections)."""
    out: list[int] = []
    for k in chosen:
        parent = parts[k].parent
        siblings = _siblings(parts, k)
        if not parts[k].explicit and any(parts[c].role is not None for c in siblings if c != k):
            k = parent if parent is not None else WHOLE_REPORT
        if k not in out:
            out.append(k)
    return out


def _has_narrative(lines: Sequence[Line], part: Part) -> bool:
    """Whether a part tells something in sentences, not only in table rows and figures."""
    title = lines[part.line].title
    if len(title) >= 40 or "。" in title:  # ① 支援窓口で…を漏えい。 — the heading tells it
        return True
    return any(
        lines[i].kind in ("text", "label", "heading")
        and (len(lines[i].text) >= 15 or lines[i].text.endswith("。"))
        for i in range(part.line + 1, part.end_line)
    )


#: A heading that tells the reader what to do or what holds in a case (…してください /
#: 紛失したときは / 再交付が必要な場合 / 速やかに報告すること): guidance, not an incident.
_GUIDANCE_HEADING = re.compile(
    r"(ください|しましょう|願います|お願いします|(とき|場合|際)(は|には|の)?|方法|手順|手続き?の流れ"
    r"|(する|しない|させる|行う|努める|徹底する)こと)[。]?$"
)


#: Roles of a section whose numbered items are never incidents (its items are causes,
#: measures, steps of a timeline…); summary and content sections may list incidents.
_NON_INCIDENT_ROLES = frozenset(
    {"cause", "countermeasure", "timeline", "response", "contact", "other"}
)


def _under_label(lines: Sequence[Line], parts: Sequence[Part], k: int) -> bool:
    """Whether a part's list follows a label line that opened a section whose items are not
    incidents (◆対応 / １．… / ２．…): the label just before the list's first item."""
    siblings = _siblings(parts, k)
    first = siblings.index(k)
    while (
        first > 0
        and parts[siblings[first]].number is not None
        and parts[siblings[first - 1]].number == (parts[siblings[first]].number or 0) - 1
    ):
        first -= 1
    between = 0  # text lines between the label and the list: a label opens what follows it
    for i in range(parts[siblings[first]].line - 1, -1, -1):
        line = lines[i]
        if line.kind == "heading":
            return False
        if line.kind == "label" and line.role is not None:
            return line.role in _NON_INCIDENT_ROLES
        if line.kind != "blank":
            between += 1
            if between > 2:
                return False
    return False


def _case_of_a_summary(parts: Sequence[Part], k: int, told_wrong: Callable[[int], bool]) -> bool:
    """Whether a part is one of several parallel cases directly under a summary section
    (2 各事案の概要 / ア 西ヶ岡市… / イ 潮凪町…): items with no role of their own, the part
    and at least one sibling telling of a wrong."""
    parent = parts[k].parent
    if parent is None or parts[parent].role != "summary" or parts[k].role is not None:
        return False
    if not told_wrong(k):
        return False
    cases = [j for j in parts[parent].children if parts[j].role is None and told_wrong(j)]
    return len(cases) >= 2


def _inside_section(parts: Sequence[Part], k: int) -> bool:
    """Whether a part sits under a heading that opened a section (概要, 原因…)."""
    parent = parts[k].parent
    while parent is not None:
        if parts[parent].role is not None:
            return True
        parent = parts[parent].parent
    return False


def _ancestor_lines(parts: Sequence[Part], k: int) -> list[int]:
    out: list[int] = []
    parent = parts[k].parent
    while parent is not None:
        out.append(parts[parent].line)
        parent = parts[parent].parent
    return out


def find_structure(
    text: str,
    *,
    section_roles: Mapping[str, Sequence[str]],
    has_cue: Callable[[str], bool],
    is_date: Callable[[str], bool],
    guidance_title: re.Pattern[str] | None = None,
) -> Structure:
    """Classify the lines of a normalised report and find the parts that tell incidents.

    A document whose title matches ``guidance_title`` (よくあるご質問, Q&A) tells no
    incident unless one of its parts names one explicitly (【事案1】)."""
    lines = classify_lines(text, section_roles)
    title_line = _find_title(lines, is_date)
    title = lines[title_line].text if title_line is not None else ""
    parts = _build_parts(lines, has_cue, section_roles)
    first_part = parts[0].line if parts else len(lines)
    preamble = tuple(i for i in range(first_part) if lines[i].kind != "blank")

    chosen = [k for k, p in enumerate(parts) if p.explicit]
    cases = told_cases(lines, title_line or 0)
    if chosen and not {parts[k].line for k in chosen} <= {first for first, _ in cases}:
        cases = []  # explicit parts of their own (【事案1】…), not only 2件目は… lines
    elif chosen:
        chosen = []  # 1件目 inside a paragraph, 2件目は… opening a line: the cases told in turn
    if not chosen and not cases and not any(ln.kind == "heading" for ln in lines):
        cases = told_bodies(lines, title_line or 0, has_cue) or further_cases(
            lines, title_line or 0, has_cue
        )
    if cases:
        # news telling its cases in turn (1件目は… / 2件目は…): one incident each, the
        # paragraphs before the first as their context
        first_case = cases[0][0]
        context = tuple(i for i in range(first_case) if lines[i].kind != "blank")
        told = tuple(
            IncidentPart(title, ((a, b),), context, n, -1) for n, (a, b) in enumerate(cases, 1)
        )
        return Structure(lines, title, title_line, told, ())
    whole = False
    # a Q&A page is guidance, unless its title names a wrong (…誤発行に関するよくあるご質問)
    guidance = (
        guidance_title is not None and bool(guidance_title.search(title)) and not has_cue(title)
    )
    if guidance and not chosen:
        return Structure(lines, title, title_line, (), ())
    if not chosen:
        # an item of a section (a numbered line under 原因, 再発防止策…) is not an incident
        # and a heading over a table of figures alone (誤登録等の状況) is statistics

        @functools.cache
        def told_wrong(j: int) -> bool:
            body = "".join(lines[i].text for i in range(parts[j].line, parts[j].end_line))
            return has_cue(body)

        # a part inside a section (概要, 原因…) is an incident only as one of several cases
        # of a summary; elsewhere its heading or opening must tell of a wrong
        candidates = {
            k
            for k, p in enumerate(parts)
            if (_case_of_a_summary(parts, k, told_wrong) if _inside_section(parts, k) else p.cue)
            and not _under_label(lines, parts, k)
            and _has_narrative(lines, p)
            and not _GUIDANCE_HEADING.search(first_sentence(p.title))
        }
        chosen = [k for k in sorted(candidates) if not candidates & set(_descendants(parts, k))]
        chosen = _promote_findings(parts, chosen)
        whole = WHOLE_REPORT in chosen  # a section among sections names it: the report is one
        if len(chosen) == 1 and _sections_outside(lines, parts[chosen[0]]):
            whole = True  # one finding, and the report's own causes and measures around it
        if whole:
            chosen = []

    incidents: list[IncidentPart] = []
    if chosen:
        attached = _parallel_items(parts, chosen)
        for k in chosen:
            part = parts[k]
            spans = [(part.line, part.end_line)]
            spans += [(parts[j].line, parts[j].end_line) for j in attached.get(k, [])]
            context = tuple(_ancestor_lines(parts, k)) + preamble + _before_in_parent(parts, k)
            group = part.parent if part.parent is not None else -1
            incidents.append(IncidentPart(part.title, tuple(spans), context, part.number, group))
    else:
        opening = _opening_lines(lines, (title_line + 1) if title_line is not None else 0)
        if (
            whole
            or (has_cue(title) and not _only_elsewhere(lines, opening, has_cue))
            or any(has_cue(s) for s in opening)
            or _has_cause_and_measures(lines)
            or _has_finding_heading(lines, parts)
        ):
            # the whole report, from its title (which names the incident) on; a file of
            # several filled-in forms (the title line again after the first) is one each
            start = title_line if title_line is not None else 0
            for first, last in _repeated_documents(lines, start, has_cue):
                end = min(max(_doc_end(lines, parts, first + 1), first + 1), last)
                named = _subject_field(lines, first, end) or title
                incidents.append(IncidentPart(named, ((first, end),), preamble))
    incidents = _merge_continued(incidents)
    shared = _shared_parts(lines, parts, chosen) if len(incidents) > 1 else ()
    return Structure(lines, title, title_line, tuple(incidents), shared)


def _only_elsewhere(
    lines: Sequence[Line], opening: Sequence[str], has_cue: Callable[[str], bool]
) -> bool:
    """Whether a page whose title names a wrong tells it only as something happening elsewhere
    (…ケースが各地から報告されています): a notice to residents, not a report of an incident."""
    if any(has_cue(s) for s in opening):
        return False
    return any(
        line.kind == "text" and _ELSEWHERE_OR_FINE.search(line.text) and has_cue(line.text)
        for line in lines
    )


def _has_finding_heading(lines: Sequence[Line], parts: Sequence[Part]) -> bool:
    """Whether a heading anywhere names a wrong of the report's own body and tells it in
    sentences — a single finding under an audit's 指摘事項 (（１）…通知の未処理について):
    then the report tells that one incident, though its title (定期監査の結果…) does not.
    A heading over a table of figures (誤登録等の状況) is statistics, not a finding."""
    return any(
        part.cue
        and not _ELSEWHERE_OR_FINE.search(lines[part.line].title)
        and not _GUIDANCE_HEADING.search(first_sentence(part.title))
        and _has_narrative(lines, part)
        for part in parts
    )


def _merge_continued(incidents: list[IncidentPart]) -> list[IncidentPart]:
    """One case told over several consecutive parts that name it alike (slides 事例① 概要 /
    事例① その後 / 事例① なぜ起きた?) is one incident."""
    out: list[IncidentPart] = []
    for part in incidents:
        last = out[-1] if out else None
        if (
            last is not None
            and part.number is not None
            and part.number == last.number
            and part.group == last.group
            and _case_name(part.title) == _case_name(last.title)
        ):
            out[-1] = replace(last, spans=last.spans + part.spans)
        else:
            out.append(part)
    return out


def _case_name(title: str) -> str | None:
    """The name a part gives its case (事例①, 事案2), or None."""
    m = CASE_NAME.search(title)
    return m.group(0).replace(" ", "") if m else None


#: A form's subject field: 件名 マイナンバーカードの誤交付について / 件名：….
_SUBJECT_FIELD = re.compile(r"^(?:\d{1,2}\s*)?(?:件\s?名|表\s?題|標\s?題)\s*[:：]?\s*(\S.{2,})$")


def _subject_field(lines: Sequence[Line], first: int, end: int) -> str | None:
    """The subject a form gives itself in a 件名 field, the incident's title."""
    for i in range(first, end):
        m = _SUBJECT_FIELD.match(lines[i].text)
        if m:
            return m.group(1)[: MAX_TITLE * 3]
    return None


def _repeated_documents(
    lines: Sequence[Line], start: int, has_cue: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """The stretches of a file that holds the same form or letter several times: each
    starts where the title line comes again.  A stretch that tells no wrong is left out,
    unless it is the only one."""
    title = lines[start].text if start < len(lines) else ""
    starts = [start] + [i for i in range(start + 1, len(lines)) if title and lines[i].text == title]
    bounds = list(zip(starts, [*starts[1:], len(lines)], strict=True))
    if len(bounds) == 1:
        return bounds
    told = [(a, b) for a, b in bounds if has_cue(" ".join(lines[i].text for i in range(a, b)))]
    return told or bounds[:1]


def _sections_outside(lines: Sequence[Line], part: Part) -> bool:
    """Whether the report has cause and measure sections outside this part."""
    outside = [ln for i, ln in enumerate(lines) if not part.line <= i < part.end_line]
    return _has_cause_and_measures(outside)


def _has_cause_and_measures(lines: Sequence[Line]) -> bool:
    """A report with a section on causes and one on measures tells an incident, whatever
    words its title uses (…の未送付について(報告))."""
    roles = {line.role for line in lines if line.kind in ("heading", "label")}
    return "cause" in roles and "countermeasure" in roles


_SHARED_CUE = re.compile(
    r"(各|いずれの|これらの|全ての|すべての|上記の|以上の|上記いずれの)(事案|事例|ケース)"
)


def _shared_parts(
    lines: Sequence[Line], parts: Sequence[Part], chosen: Sequence[int]
) -> tuple[tuple[int, int], ...]:
    """Parts after the last incident, outside every incident, that speak of all incidents."""
    if not chosen:
        return ()
    holders = set(chosen)
    for k in chosen:
        parent = parts[k].parent
        while parent is not None:
            holders.add(parent)
            parent = parts[parent].parent
    last = max(parts[k].line for k in chosen)
    out: list[tuple[int, int]] = []
    # the preamble may say what all the cases below have in common (これらの事案は、いずれも…)
    for i in range(parts[0].line if parts else 0):
        if lines[i].kind == "text" and _SHARED_CUE.search(lines[i].text):
            out.append((i, i + 1))
    for k, part in enumerate(parts):
        closing = part.parent is None and part.role in ("countermeasure", "response")
        if k in holders or _inside_section(parts, k) or (part.line <= last and not closing):
            continue
        if any(part.line <= parts[j].line < part.end_line for j in holders):
            continue
        if any(parts[j].line <= part.line < parts[j].end_line for j in chosen):
            continue  # a section of an incident's own
        body = " ".join(lines[i].text for i in range(part.line, part.end_line))
        # a closing top-level section of measures or requests (Ⅱ 国における対応 / Ⅲ 各団体
        # への依頼) after all the cases speaks of them all, as does one that says so
        if _SHARED_CUE.search(body) or (
            part.parent is None and part.role in ("countermeasure", "response")
        ):
            out.append((part.line, part.end_line))
    return tuple(out)


def _before_in_parent(parts: Sequence[Part], k: int) -> tuple[int, ...]:
    """Lines of the parent part before this one (a sub-heading such as 【熊本市の状況】)."""
    parent = parts[k].parent
    if parent is None:
        return ()
    return tuple(range(parts[parent].line + 1, parts[k].line))


def _parallel_items(parts: Sequence[Part], chosen: Sequence[int]) -> dict[int, list[int]]:
    """Attach cue-less siblings that restart the numbering to the incident of the same number."""
    out: dict[int, list[int]] = {}
    chosen_set = set(chosen)
    by_parent: dict[int | None, list[int]] = {}
    for k, part in enumerate(parts):
        by_parent.setdefault(part.parent, []).append(k)
    for siblings in by_parent.values():
        incidents = {parts[k].number: k for k in siblings if k in chosen_set}
        if len(incidents) < 2:
            continue
        last_number = 0
        restarted = False
        for k in siblings:
            number = parts[k].number or 0
            if number <= last_number:
                restarted = True
            last_number = number
            if restarted and k not in chosen_set and number in incidents and parts[k].role is None:
                out.setdefault(incidents[number], []).append(k)
    return out


def report_sections(text: str, structure: Structure) -> tuple[Section, ...]:
    """The report's named sections (概要, 原因, 再発防止策…) with their roles."""
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
