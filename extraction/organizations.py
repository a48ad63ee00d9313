"""Organisations named in a report: municipalities, ward offices, sections, national
bodies, companies and the generic names regulators use (地方公共団体, 保険者).

Names are normalised (NFKC, no spaces, office suffix dropped) so that the same
body in two reports becomes the same node.  A ward name that exists in several
cities (中区, 中央区…) stays *unresolved* — a node local to the report — unless
the text names the city in the same phrase (横浜市中区) or the report names
exactly one city as its own, which settles it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .model import OrganizationMention, Span, evidence
from .sentences import Sentence

_KANJI = "一-龥々〆ヵヶァ-ヴー"
_PLACE = re.compile(
    rf"(?P<name>(?:(?<![{_KANJI}ぁ-ん])|(?<=及び)|(?<=並びに))[ぁ-ん]{{3,5}}(?:[市町村]|区(?=役所))"
    # a name ends where the word ends: not 個人市 of 個人市民税, 控除区 of 控除区分, 市場, 区域
    rf"|(?<![{_KANJI}])[{_KANJI}]{{1,5}}?(?:市(?![民場況街販])|区(?![分画域間])|[町村](?!民))"
    # a prefecture's name before a long one (青森県野辺地町, 神奈川県愛川町): taken whole, the
    # prefecture cut off after (_PREFECTURE_PREFIX)
    rf"|(?<![{_KANJI}])(?:北海道|[{_KANJI}]{{2,3}}県)[{_KANJI}]{{2,5}}?(?:市(?![民場況街販])|[町村](?!民))"
    # an anonymised body in a regulator's summary: A市, Ｂ町 (NFKC: B町)
    r"|(?<![A-Za-z])[A-Z][市区町村](?![民長議])"
    ")"
)
#: Not a place: a department's name (市民部 + 市…) or the residents of one (市民課, 町民課)
_NOT_PLACE = re.compile(
    r"[部課係室局]|役所|役場|^(?:市民|区民|町民|村民|住民)|(?:地|街|学|管)区$"
    r"|^(?:この|その|あの|どの|すべて|それぞれ|におけ|におい|および|または|ならび|なお|また|ただし|さらに)"
    # a particle or a connective before 市 in running text (ところが市は, すぐに市役所へ,
    # をもって市役所): no name opens with these
    r"|^(?:[をがでへ]|という|といった|による|として|ところ|すぐ|しかし|そこで|ただち|まず|すでに|とくに|ともに|のちに|いずれ|これ|それ|あわせ|もって)"
)
#: After a body's name, the number of a document it issued (東雲市第1204号 / 水市発第3号).
_DOCUMENT_NUMBER = re.compile(r"\s?(発|収)?第\s?\d")
#: Local offices of national bodies: 北みなと税務署, 東和国税局, 港年金事務所
_NATIONAL_OFFICE = re.compile(
    rf"(?<![{_KANJI}ぁ-ん])[{_KANJI}][{_KANJI}ぁ-ん]{{0,5}}?(?:税務署|国税局|年金事務所|法務局)"
)
_WARD_AFTER_CITY = re.compile(rf"(?P<name>[{_KANJI}ぁ-ん]{{1,5}}?区)")
_OFFICE = re.compile(r"(?:区役所|市役所|町役場|村役場|役所|役場)")
_UNIT = re.compile(rf"[{_KANJI}]{{1,8}}?(?:課|室|係|センター)")
_INSURER = re.compile(
    rf"(?<![ぁ-ん{_KANJI}])[{_KANJI}ぁ-んA-Za-z]{{1,15}}?(?:健康保険組合|共済組合)"
)
#: Bodies that local governments form together: 一部事務組合 and 広域連合 (伊勢広域環境組合,
#: 後期高齢者医療広域連合).
_UNION_NAME = rf"[{_KANJI}]{{2,12}}?(?:広域連合|事務組合|環境組合|衛生組合|広域組合|行政組合)"
_UNION = re.compile(rf"(?<![{_KANJI}]){_UNION_NAME}")
#: Not an insurer's name but a phrase about insurers (地方公務員が入るすべての共済組合, 各共済組合).
_NOT_INSURER = re.compile(r"各|すべて|全て|が入る|が加入|に加入|の(?:ある|いる)")
#: After a body's name, a person's place of living or origin (兵庫県在住の女性): not a party.
_RESIDENCE = re.compile(r"(?:内)?(?:在住|に住む|出身|在勤|内に住む)")
#: A prefecture's name written before one of its municipalities (栃木県小山市): the prefecture
#: only says where the municipality is.
_PLACE_AFTER_PREFECTURE = re.compile(
    rf"の?(?:[{_KANJI}ぁ-ん]{{1,6}}?[市町村](?![民長議])|{_UNION_NAME})"
)
#: A prefecture's name that opens a municipality's (茨城県神栖市).
_PREFECTURE_PREFIX = re.compile(
    rf"^(?:東京都|北海道|京都府|大阪府|[{_KANJI}]{{2,3}}県)(?=[{_KANJI}ぁ-ん]{{2}})"
)
_PREFECTURE = re.compile(rf"(?<![{_KANJI}])(?:東京都|北海道|京都府|大阪府|[{_KANJI}]{{1,3}}県)")
_COMPANY = re.compile(
    rf"(?:[{_KANJI}A-Za-z]{{1,12}}(?:\s?[A-Za-z]+)?\s?株式会社"
    # a name may open in hiragana (株式会社あおさぎスタッフィング), never hold it further on
    rf"|株式会社\s?(?:[ぁ-ん]{{1,8}}(?=[{_KANJI}A-Za-z]))?[{_KANJI}A-Za-z](?:[{_KANJI}A-Za-z・]{{0,18}}[{_KANJI}A-Za-z])?)"
)

TOKYO_SPECIAL_WARDS = frozenset(
    "千代田区 中央区 港区 新宿区 文京区 台東区 墨田区 江東区 品川区 目黒区 大田区 世田谷区 渋谷区 "
    "中野区 杉並区 豊島区 北区 荒川区 板橋区 練馬区 足立区 葛飾区 江戸川区".split()
)


@dataclass(frozen=True)
class OrgFound:
    """An organisation named at [start, end) of a sentence."""

    name: str  # normalised node key
    label: str  # as written (spaces removed)
    kind: str  # municipality | ward | section | prefecture | national | company | insurer | local
    start: int
    end: int
    parent: str | None = None
    resolved: bool = True


def normalize_name(text: str) -> str:
    """NFKC and no spaces: the form names are compared in."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class OrgRules:
    """The organisation lists of the lexicon."""

    national: Mapping[str, str]
    generic: Mapping[str, str]
    ambiguous_wards: frozenset[str]
    not_names: frozenset[str]

    @classmethod
    def from_lexicon(cls, data: Mapping[str, Any]) -> OrgRules:
        orgs = data.get("organizations", {})
        return cls(
            national=dict(orgs.get("national", {})),
            generic=dict(orgs.get("generic", {})),
            ambiguous_wards=frozenset(orgs.get("ambiguous_wards", [])),
            not_names=frozenset(orgs.get("not_names", [])),
        )


def _places(text: str, rules: OrgRules) -> list[OrgFound]:
    out: list[OrgFound] = []
    pos = 0
    while True:
        m = _PLACE.search(text, pos)
        if not m:
            break
        name = m.group("name")
        end = m.end()
        pos = end
        if name in rules.not_names or len(name) < 2 or _NOT_PLACE.search(name):
            continue
        if _DOCUMENT_NUMBER.match(text, end):
            continue  # 東雲市第1204号: a document number, not the body
        if _RESIDENCE.match(text, end):
            continue  # 市内在住の男性 / 船橋市在住: where someone lives, not a party
        # 茨城県神栖市 is 神栖市 (the prefecture only says where it is)
        name = _PREFECTURE_PREFIX.sub("", name)
        kind = "municipality" if name.endswith(("市", "町", "村")) else "ward"
        if kind == "ward" and name in TOKYO_SPECIAL_WARDS and name not in rules.ambiguous_wards:
            kind = "municipality"
        parent: str | None = None
        label_start = m.start()
        if kind == "municipality" and name.endswith("市"):
            ward = _WARD_AFTER_CITY.match(text, end)
            if ward and ward.group("name") not in rules.not_names:
                out.append(OrgFound(name, name, "municipality", m.start(), end))
                parent, name, label_start, end = name, ward.group("name"), ward.start(), ward.end()
                kind = "ward"
        office = _OFFICE.match(text, end)
        if office:
            end = office.end()
        label = text[label_start:end]
        out.append(OrgFound(name, label, kind, label_start, end, parent=parent))
        unit = _UNIT.match(text, end)
        if unit and unit.group(0) not in rules.not_names:
            out.append(
                OrgFound(
                    f"{name}/{unit.group(0)}",
                    text[label_start : unit.end()],
                    "section",
                    label_start,
                    unit.end(),
                    parent=name,
                )
            )
            pos = unit.end()
    return out


def find_organizations(text: str, rules: OrgRules) -> list[OrgFound]:
    """Every organisation named in one sentence, in order of appearance."""
    found: list[OrgFound] = []
    for name, kind in {**rules.national, **rules.generic}.items():
        # a name inside a longer word is not that body (保険者 in 被保険者), nor one after a
        # count (7自治体: a number of bodies)
        for m in re.finditer(rf"(?<![{_KANJI}0-9]){re.escape(name)}", text):
            found.append(OrgFound(normalize_name(name), name, kind, m.start(), m.end()))
    for m in _COMPANY.finditer(text):
        found.append(
            OrgFound(
                normalize_name(m.group(0)),
                normalize_name(m.group(0)),
                "company",
                m.start(),
                m.end(),
            )
        )
    for m in _NATIONAL_OFFICE.finditer(text):
        name = normalize_name(m.group(0))
        found.append(OrgFound(name, name, "national", m.start(), m.end()))
    for m in _INSURER.finditer(text):
        name = normalize_name(m.group(0)).lstrip("をがにはのとで")
        if _NOT_INSURER.search(name.removesuffix("健康保険組合").removesuffix("共済組合")):
            continue
        found.append(OrgFound(name, name, "insurer", m.start(), m.end()))
    for m in _UNION.finditer(text):
        name = normalize_name(m.group(0))
        found.append(OrgFound(name, name, "local", m.start(), m.end()))
    for m in _PREFECTURE.finditer(text):
        if m.group(0) in rules.not_names:  # 本県 / 当県: the author, named elsewhere
            continue
        if _RESIDENCE.match(text, m.end()) or _PLACE_AFTER_PREFECTURE.match(text, m.end()):
            continue  # 兵庫県在住 / 兵庫県西宮市: where, not who
        found.append(OrgFound(m.group(0), m.group(0), "prefecture", m.start(), m.end()))
    found = [
        f
        for f in found
        if not any(
            g.start <= f.start and f.end <= g.end and (g.start, g.end) != (f.start, f.end)
            for g in found
        )
    ]
    taken = [(f.start, f.end) for f in found]
    for place in _places(text, rules):
        if not any(s <= place.start < e for s, e in taken):
            found.append(place)
    return sorted(found, key=lambda f: (f.start, f.end))


def resolve(
    found: Sequence[OrgFound], *, own_cities: Sequence[str], rules: OrgRules
) -> list[OrgFound]:
    """Settle wards: a ward belongs to its city when the report names exactly one city.

    Wards in the ambiguous list with no city stay unresolved.  Sections follow
    their ward's resolution.
    """
    city = own_cities[0] if len(set(own_cities)) == 1 else None
    renamed: dict[str, tuple[str, bool, str | None]] = {}
    out: list[OrgFound] = []
    for org in found:
        if org.kind == "ward" and org.parent is None:
            if city is not None and org.name not in TOKYO_SPECIAL_WARDS:
                key = f"{city}{org.name}"
                renamed[org.name] = (key, True, city)
                out.append(OrgFound(key, org.label, "ward", org.start, org.end, city, True))
                continue
            resolved = org.name not in rules.ambiguous_wards
            renamed[org.name] = (org.name, resolved, None)
            out.append(OrgFound(org.name, org.label, "ward", org.start, org.end, None, resolved))
            continue
        if org.kind == "ward" and org.parent is not None:
            key = f"{org.parent}{org.name}"
            renamed[org.name] = (key, True, org.parent)
            out.append(OrgFound(key, org.label, "ward", org.start, org.end, org.parent, True))
            continue
        if org.kind == "section" and org.parent in renamed:
            parent_key, resolved, _ = renamed[org.parent]
            unit = org.name.split("/", 1)[1]
            out.append(
                OrgFound(
                    f"{parent_key}/{unit}",
                    org.label,
                    "section",
                    org.start,
                    org.end,
                    parent_key,
                    resolved,
                )
            )
            continue
        out.append(org)
    return out


#: Kinds of body that can be responsible for an incident at the front line.
LOCAL_KINDS = frozenset({"municipality", "ward", "section", "local", "insurer", "prefecture"})
#: The kinds of a local government itself (not one of its sections).
BODY_KINDS = frozenset({"municipality", "ward", "prefecture"})


def _orgs_in(rules: OrgRules, sentences: Iterable[Sentence]) -> list[tuple[OrgFound, Span]]:
    out: list[tuple[OrgFound, Span]] = []
    for sentence in sentences:
        if sentence.role == "contact":
            continue
        for org in find_organizations(sentence.span.text, rules):
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


def incident_organizations(
    rules: OrgRules,
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
    found = _orgs_in(rules, own)
    generic = rules.generic
    # 保険者 / 地方公共団体 name the responsible body only in a report that names no body of
    # its own (a regulator's summary); in a body's own report they are someone else
    named = any(
        o.name not in generic and (o.kind in LOCAL_KINDS or o.kind == "company")
        for o, _ in [*found, *_orgs_in(rules, context)]
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
        found += [(o, s) for o, s in _orgs_in(rules, context) if o.kind in kinds]
    elif all(o.kind == "company" for o, s in found if responsible(o, s)):
        # only a contractor named at fault: the body that entrusted it the work is the
        # author named in the heading or preamble (市監査委員, 市長 様)
        found += [
            (o, s)
            for o, s in _orgs_in(rules, context)
            if o.kind in LOCAL_KINDS and not _ADDRESSED.match(s.text[o.end :])
        ]
    if not any(responsible(o, s) for o, s in found):
        # a page that names its author only in its furniture: a letterhead (む つ 市) or the
        # contact block's address (中間市中間一丁目1番1号)
        found += _author_in_furniture(rules, text)
    resolved = resolve([o for o, _ in found], own_cities=own_cities, rules=rules)
    resolved, found = _with_own_sections(resolved, found, own)
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
            evidence=evidence(span, f"organization/{org.kind}", 0.9 if org.resolved else 0.6),
            parent=org.parent,
            resolved=org.resolved,
            responsible=responsible(raw, span),
            generic=org.name in generic,
        )
    return tuple(seen.values())


#: A section named alone as the actor of a sentence (市民課は「…」としている, 住民課によると):
#: news and web pages name the body once and its section apart.
_LONE_SECTION = re.compile(
    # after a body's one-character short name too (市福祉政策課によると, 組合業務課の課長は)
    # or after its department (土木部下水道維持管理課, 福祉部高齢福祉課)
    rf"(?:(?<![{_KANJI}])|(?<=[市区町村県]の)|(?<=[市区町村県])|(?<=組合)|(?<=[{_KANJI}]部))"
    rf"(?P<unit>[市区町村県]教委|[市区町村県]?教育委員会|[{_KANJI}]{{2,9}}?(?:課|室|係))"
    r"(?=(?:は|が|では|によると|によれば|によりますと|の(?:職員|担当者|課長|室長|説明|話|執務室|窓口|担当|金庫|事務)"
    r"|を訪れ|で|長は"
    # the section named as the one in charge (担当は国保年金課。) or with its body in brackets
    r"|。|[(（][^()（）]{1,8}[市区町村][)）]))"
)
#: The body's one-character short name before its section (市福祉総務課 → 福祉総務課; 市民課
#: stays).
_SHORT_BODY = re.compile(rf"^[市区町村県](?![民教])(?=[{_KANJI}]{{3}})")
_NOT_SECTION = re.compile(r"^(?:同|当|本|各|担当|所管|関係|主管|他|全)")


#: No lexicon lists: only the places a text names (for the body before a section).
_NO_LISTS = OrgRules(national={}, generic={}, ambiguous_wards=frozenset(), not_names=frozenset())


def _with_own_sections(
    resolved: list[OrgFound], found: list[tuple[OrgFound, Span]], own: Sequence[Sentence]
) -> tuple[list[OrgFound], list[tuple[OrgFound, Span]]]:
    """Add the sections an incident's sentences name alone (市民課は…), each under the one local
    body the incident names — none when it names no body or several."""
    bodies = {o.name for o in resolved if o.kind in BODY_KINDS or _UNION.fullmatch(o.name)}
    known = {o.name for o in resolved}
    for sentence in own:
        if sentence.role == "contact":
            continue
        for m in _LONE_SECTION.finditer(sentence.span.text):
            # the body the sentence names before the section (鯖江市の担当は国保年金課), else the
            # incident's one local body
            before = {
                o.name
                for o in find_organizations(sentence.span.text[: m.start()], _NO_LISTS)
                if o.kind in BODY_KINDS and o.name in bodies
            }
            named = before if len(before) == 1 else bodies
            if len(named) != 1:
                continue
            body = next(iter(named))
            unit = _SHORT_BODY.sub("", m.group("unit"))
            name = f"{body}/{unit}"
            if _NOT_SECTION.match(unit) or name in known:
                continue
            known.add(name)
            org = OrgFound(name, unit, "section", m.start(), m.end(), parent=body)
            resolved.append(org)
            found.append((org, sentence.span))
    return resolved, found


#: A letterhead line: a body's name alone, its characters perhaps spaced out (む つ 市).
_LETTERHEAD = re.compile(r"^[ \u3000]*(?:\S[ \u3000]*){2,10}$")
#: A letterhead that is a body's name and nothing else (むつ市, 山口県).
_BODY_ALONE = re.compile(r"^[ぁ-ん一-龥々ヶ]{1,6}[市町村県]$")
#: A contact block's address or telephone line (〒…, …一丁目1番1号, 電話：…).
_CONTACT_LINE = re.compile(r"〒|[0-9０-９一二三四五六七八九十]+丁目|[0-9]+番[0-9]+号|電話|TEL|Tel")


def _author_in_furniture(rules: OrgRules, text: str) -> list[tuple[OrgFound, Span]]:
    """The first local body a page names on a letterhead line or in its contact block — its
    author, when no sentence names one; none when those lines name several."""
    found: list[tuple[OrgFound, Span]] = []
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        letterhead = _LETTERHEAD.match(line) is not None
        if not (letterhead or _CONTACT_LINE.search(line)):
            continue
        span = Span(start, start + len(line), line)
        if letterhead:
            compact = re.sub(r"[ \u3000]", "", line)
            alone = _BODY_ALONE.match(compact)
            if alone and compact not in rules.not_names:
                kind = "prefecture" if compact.endswith("県") else "municipality"
                found.append((OrgFound(compact, compact, kind, 0, 0), span))
                continue
            pieces = [compact]
        else:
            # a contact block run together: 子育て係中間市中間一丁目 → the address after the unit
            pieces = re.split(r"(?<=[課係室部])", line)
        for org in (o for piece in pieces for o in find_organizations(piece, rules)):
            if org.kind in BODY_KINDS and org.name not in rules.generic:
                found.append((replace(org, start=0, end=0), span))
    bodies = {o.name for o, _ in found}
    return found[:1] if len(bodies) == 1 else []


def own_cities(text: str, rules: OrgRules) -> list[str]:
    """The cities a report names (a ward name is resolved against them when they are one)."""
    return sorted(
        {
            org.name
            for org in find_organizations(text, rules)
            if org.kind == "municipality" and org.name.endswith("市")
        }
    )
