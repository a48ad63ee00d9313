"""The cases a news article or a page of plain paragraphs tells in turn, each an incident:
numbered (1件目は… 2件目は…), by body (臼杵市は… 一方、佐伯市では…), or a further case added
after the main story (このほか…ケースも1件あった).  Each function gives the stretches of lines
(first line, end) of the cases, or none when the page does not tell several.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .lines import Line

#: A paragraph that opens one of the cases a news article tells in turn: 1件目は / 2件目は /
#: もう1件は.
_CASE_PARAGRAPH = re.compile(
    r"(?:^|[。、])[^。、]{0,12}?(?:(?P<n>[1-9１-９一二三])件目|もう(?:1|一)件)(?:は|の|、|で)"
)


def told_cases(lines: Sequence[Line], start: int) -> list[tuple[int, int]]:
    """The stretches (first line, end) of the cases a page of plain paragraphs tells in turn,
    each from its 1件目 / 2件目 paragraph to the next; none unless at least two, numbered in
    order from the first."""
    found: list[int] = []
    for i in range(start + 1, len(lines)):
        m = _CASE_PARAGRAPH.search(lines[i].text) if lines[i].kind != "blank" else None
        if m and (m["n"] is None or "１一1".find(m["n"]) >= 0 or found):
            found.append(i)
    if len(found) < 2:
        return []
    return list(zip(found, [*found[1:], len(lines)], strict=True))


#: A paragraph whose topic is a named municipality (臼杵市は… / 一方、佐伯市では… / こうしたなか
#: 臼杵市は…): not 同市, 本市, 当町 or a bare 市 (the article's own body, said again).
_BODY_PARAGRAPH = re.compile(
    r"^[^。、「」]{0,8}?[、,]?\s*(?:[一-龥]{2,3}[都道府県])?"
    r"(?P<body>(?<![同本当各])(?![同本当各])[一-龥ぁ-んァ-ヶ]{1,6}[市町村区])(?:役所|役場)?(?:は|では|でも)[、,]?"
)


def told_bodies(
    lines: Sequence[Line], start: int, has_cue: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """The stretches of a page of plain paragraphs that tells the wrongs of two or more
    municipalities in turn (臼杵市は… 一方、佐伯市では…): each from the first paragraph whose
    topic is a body and which tells a wrong to the next such paragraph of another body; none
    unless two bodies tell one each."""
    found: list[tuple[int, str]] = []
    for i in range(start + 1, len(lines)):
        if lines[i].kind != "text":
            continue
        m = _BODY_PARAGRAPH.match(lines[i].text)
        if m and has_cue(lines[i].text):
            body = m["body"]
            if not found or found[-1][1] != body:
                found.append((i, body))
    if len({body for _, body in found}) < 2:
        return []
    firsts = [i for i, _ in found]
    return list(zip(firsts, [*firsts[1:], len(lines)], strict=True))


#: A paragraph that tells a further wrong after the article's main one (このほか、…ケースも1件
#: あった / 同市はこのほか…): not one about measures (再発防止, 今後…).
_FURTHER_CASE = re.compile(r"^[^。、]{0,8}(?:このほか|ほかにも|他にも|さらに別の|別の件で)")
_ABOUT_MEASURES = re.compile(r"防止|防ぐ|再発|今後|対策")
#: …a case of its own: ケースも1件, 事案が2件 (not more of the same wrong: 誤りが見つかり…).
_A_CASE = re.compile(r"(?:ケース|事案|事例|件)(?:も|が)")


def further_cases(
    lines: Sequence[Line], start: int, has_cue: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """The main story and the further wrongs a news article adds in paragraphs of their own
    (このほか、他人の口座を誤って登録したケースも1件あった): the main story from the title on,
    each further wrong from its paragraph to the next; none when there is no further wrong."""
    further = [
        i
        for i in range(start + 1, len(lines))
        if lines[i].kind == "text"
        and _FURTHER_CASE.match(lines[i].text)
        and _A_CASE.search(lines[i].text)
        and has_cue(lines[i].text)
        and not _ABOUT_MEASURES.search(lines[i].text)
    ]
    if not further:
        return []
    firsts = [start, *further]
    return list(zip(firsts, [*further, len(lines)], strict=True))
