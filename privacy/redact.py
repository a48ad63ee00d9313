"""Redaction for sharing: personal data in texts → typed placeholders, counted by kind.

Pure: text in, text and counts out. What is recognised is data, in
``redaction.yaml`` beside this module (patterns, placeholders, role and
organisation words); this module only compiles it and applies it:

- **individual numbers** (個人番号): twelve digits whose last is the check digit of
  番号法施行規則 第5条 (:func:`check_digit`), however grouped — together, 4-4-4, or split
  anywhere by spaces, hyphens or a line break — in half-width, full-width or kanji
  digits; twelve digits with a wrong check digit stay;
- **phone and fax numbers**, **e-mail addresses**, **bank account numbers** and
  **payment-service IDs** (in the context that says what they are);
- **names of private persons** before an honorific (様, 氏, さん, 殿) or after
  氏名 — not the pseudonyms reports already use (A氏, B様), not roles
  (担当者様), not bodies (〇〇市様, or any organisation the data names).

Matching runs on a copy of the text with full-width ASCII, the ideographic space
and dash-like characters folded to ASCII one character for one, so every match
maps back to the same offsets of the text as written.

>>> rules = load_rules()
>>> redact("個人番号 9832 0567 3214 を誤って記載", rules)
('個人番号 ［個人番号］ を誤って記載', Counter({'individual-number': 1}))
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import yaml

#: The rules shipped with the package.
RULES_FILE = "redaction.yaml"

#: Full-width ASCII → ASCII, the ideographic space → space, dash-like → hyphen.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {
    0x3000: 0x20,
    **{c: 0x2D for c in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63)},
}

#: My Number check digit weights, from the leftmost of the eleven digits (第5条: Qn = n+1
#: for 1 ≤ n ≤ 6 and n−5 for 7 ≤ n ≤ 11, n counted from the right).
_WEIGHTS = tuple(n + 1 if n <= 6 else n - 5 for n in range(11, 0, -1))


#: Kanji numerals written digit by digit (六七八九〇一…) → ASCII digits, one for one.
_KANJI_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def fold_kanji_digits(text: str) -> str:
    """The text with kanji digits as ASCII digits (same length): for the rules that read
    numbers written in kanji, never for names (一郎 is a name).

    >>> fold_kanji_digits("六七八九〇一")
    '678901'
    """
    return text.translate(_KANJI_DIGITS)


def _digit_windows(text: str, start: int, end: int, digits: int) -> Iterator[tuple[int, int]]:
    """Spans of ``text[start:end]`` (a run of digit groups) made of whole groups that hold
    exactly ``digits`` digits: ``567890 123457`` gives one, ``1234 5678 9012 3456`` two."""
    groups = [m.span() for m in re.finditer(r"[0-9]+", text[start:end])]
    for i in range(len(groups)):
        total = 0
        for j in range(i, len(groups)):
            total += groups[j][1] - groups[j][0]
            if total == digits:
                yield start + groups[i][0], start + groups[j][1]
            if total >= digits:
                break


def fold(text: str) -> str:
    """The text with full-width ASCII, U+3000 and dashes folded to ASCII (same length).

    >>> fold("０３－１２３４　ＡＢ")
    '03-1234 AB'
    """
    return text.translate(_FOLD)


def check_digit(first_eleven: str) -> int:
    """The check digit of an individual number from its first eleven digits.

    11 − (Σ Pn·Qn mod 11), or 0 when the remainder is 0 or 1 (番号法施行規則 第5条).

    >>> check_digit("98320567321")
    4
    """
    if len(first_eleven) != 11 or not first_eleven.isascii() or not first_eleven.isdigit():
        raise ValueError("eleven ASCII digits expected")
    remainder = sum(int(d) * w for d, w in zip(first_eleven, _WEIGHTS, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_individual_number(digits: str) -> bool:
    """Twelve ASCII digits whose last is the check digit of the first eleven."""
    return (
        len(digits) == 12
        and digits.isascii()
        and digits.isdigit()
        and check_digit(digits[:11]) == int(digits[11])
    )


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isascii() and c.isdigit())


#: Tests a value's digits must pass, by the name the rules file uses.
CHECKS: dict[str, Callable[[str], bool]] = {
    "individual-number": lambda v: is_individual_number(_digits(v)),
    "phone": lambda v: _digits(v).startswith("0") and len(_digits(v)) in (10, 11),
    "phone-international": lambda v: _digits(v).startswith("81") and len(_digits(v)) in (11, 12),
}


@dataclass(frozen=True)
class Rule:
    """One compiled pattern of the rules file."""

    kind: str
    pattern: re.Pattern[str]
    check: str | None = None
    relabel: tuple[tuple[str, re.Pattern[str]], ...] = ()
    person: bool = False
    #: The match is a run of digit groups; every run of whole groups holding this many
    #: digits is a candidate (:func:`_digit_windows`).
    digits: int | None = None
    #: Kanji numerals written digit by digit count as digits for this rule.
    kanji_digits: bool = False


@dataclass(frozen=True)
class PersonWords:
    """The words that tell a role or a body from a person's name."""

    roles: tuple[str, ...] = ()
    org_suffixes: tuple[str, ...] = ()
    org_suffix_chars: frozenset[str] = frozenset()
    org_prefixes: tuple[str, ...] = ()
    not_names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Truncation:
    """Where a quote's context is cut, and how many digits make a cut-off fragment."""

    prefix_property: str
    exact_property: str
    suffix_property: str
    min_digits: int
    run: str  # a character class


@dataclass(frozen=True)
class RedactionRules:
    """Everything :func:`redact` needs, read from ``redaction.yaml``."""

    rules: tuple[Rule, ...]
    placeholders: Mapping[str, str]
    person: PersonWords
    keep_properties: frozenset[str]
    truncation: Truncation
    #: Names of bodies the data itself holds (organisation labels): never a person.
    known_bodies: frozenset[str] = field(default_factory=frozenset)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind a count can have, in the order of the placeholders."""
        return tuple(self.placeholders)

    def with_bodies(self, names: Iterable[str]) -> RedactionRules:
        """The same rules, knowing these names to be bodies."""
        return RedactionRules(
            self.rules,
            self.placeholders,
            self.person,
            self.keep_properties,
            self.truncation,
            frozenset(n.replace(" ", "") for n in names if n),
        )


def _compile(pattern: str, macros: Mapping[str, str]) -> re.Pattern[str]:
    for name, body in macros.items():
        pattern = pattern.replace("{" + name + "}", body)
    return re.compile(pattern)


def parse_rules(data: Mapping[str, Any]) -> RedactionRules:
    """Compile the rules of a parsed ``redaction.yaml``."""
    macros = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}
    placeholders = {str(k): str(v) for k, v in data["placeholders"].items()}
    rules: list[Rule] = []
    for item in data["rules"]:
        kind = str(item["kind"])
        if kind not in placeholders:
            raise ValueError(f"redaction rule of kind {kind!r} has no placeholder")
        check = item.get("check")
        if check is not None and check not in CHECKS:
            raise ValueError(f"unknown check {check!r} (known: {', '.join(CHECKS)})")
        relabel = tuple(
            (str(k), _compile(str(v), macros)) for k, v in (item.get("relabel") or {}).items()
        )
        digits = item.get("digits")
        rules.append(
            Rule(
                kind,
                _compile(str(item["pattern"]), macros),
                check,
                relabel,
                bool(item.get("person")),
                int(digits) if digits is not None else None,
                bool(item.get("kanji_digits")),
            )
        )
    person = data.get("person") or {}
    words = PersonWords(
        roles=tuple(person.get("roles", ())),
        org_suffixes=tuple(person.get("org_suffixes", ())),
        org_suffix_chars=frozenset(person.get("org_suffix_chars", ())),
        org_prefixes=tuple(person.get("org_prefixes", ())),
        not_names=frozenset(person.get("not_names", ())),
    )
    cut = data["truncated"]
    truncation = Truncation(
        prefix_property=str(cut["prefix_property"]),
        exact_property=str(cut["exact_property"]),
        suffix_property=str(cut["suffix_property"]),
        min_digits=int(cut["min_digits"]),
        run=str(cut["run"]),
    )
    return RedactionRules(
        tuple(rules), placeholders, words, frozenset(data.get("keep_properties", ())), truncation
    )


def load_rules(text: str | None = None) -> RedactionRules:
    """The shipped rules (or those of a ``redaction.yaml`` given as text)."""
    if text is None:
        text = files("incident_kg.privacy").joinpath(RULES_FILE).read_text(encoding="utf-8")
    return parse_rules(yaml.safe_load(text))


@dataclass(frozen=True)
class Found:
    """A span [start, end) of the text to replace, and its kind."""

    start: int
    end: int
    kind: str


def _person_span(text: str, start: int, end: int, rules: RedactionRules) -> tuple[int, int] | None:
    """The part of a candidate name that is a person's name, or None when it is a role,
    a body or a known non-name."""
    words = rules.person
    candidate = text[start:end]
    if any(candidate.startswith(p) for p in words.org_prefixes):
        return None
    # cut after the last role or organisation word inside: 窓口担当者山田 → 山田
    cut = 0
    for word in (*words.roles, *words.org_suffixes):
        at = candidate.rfind(word)
        if at >= 0 and at + len(word) < len(candidate.rstrip()):
            cut = max(cut, at + len(word))
    start += cut + (len(candidate[cut:]) - len(candidate[cut:].lstrip()))
    name = text[start:end].strip()
    compact = name.replace(" ", "")
    katakana = all("ァ" <= c <= "ヴ" or c == "ー" for c in compact)
    if not 2 <= len(compact) <= (16 if katakana else 6):
        return None
    if (
        compact in words.not_names
        or any(compact.endswith(r) for r in words.roles)
        or any(compact.endswith(s) for s in words.org_suffixes)
        or (len(compact) >= 3 and compact[-1] in words.org_suffix_chars)
        or compact in rules.known_bodies
        or any(compact.endswith(b) for b in rules.known_bodies if len(b) >= 2)
    ):
        return None
    return start, start + len(name)


def find(text: str, rules: RedactionRules) -> list[Found]:
    """Every span of ``text`` to replace, sorted, none overlapping another."""
    folded = fold(text)
    with_kanji = fold_kanji_digits(folded)
    candidates: list[tuple[int, int, int, str]] = []  # start, -length, rule order, kind
    for order, rule in enumerate(rules.rules):
        read = with_kanji if rule.kanji_digits else folded
        for match in rule.pattern.finditer(read):
            group = "value" if "value" in rule.pattern.groupindex else 0
            spans: Iterable[tuple[int, int]] = [match.span(group)]
            if rule.digits is not None:
                spans = _digit_windows(read, *match.span(group), rule.digits)
            for start, end in spans:
                if start == end:
                    continue
                if rule.check is not None and not CHECKS[rule.check](read[start:end]):
                    continue
                if rule.person:
                    span = _person_span(folded, start, end, rules)
                    if span is None:
                        continue
                    start, end = span
                kind = rule.kind
                for other, before in rule.relabel:
                    if before.search(folded[max(0, start - 16) : start]):
                        kind = other
                candidates.append((start, start - end, order, kind))
    found: list[Found] = []
    last_end = 0
    for start, negative_length, _order, kind in sorted(candidates):
        if start >= last_end:
            found.append(Found(start, start - negative_length, kind))
            last_end = start - negative_length
    return found


def _apply(text: str, found: Sequence[Found], placeholders: Mapping[str, str]) -> str:
    out: list[str] = []
    at = 0
    for item in found:
        out.append(text[at : item.start])
        out.append(placeholders[item.kind])
        at = item.end
    out.append(text[at:])
    return "".join(out)


def redact(text: str, rules: RedactionRules) -> tuple[str, Counter[str]]:
    """The text with every recognised span replaced by its placeholder, and the
    number of spans replaced by kind."""
    found = find(text, rules)
    return _apply(text, found, rules.placeholders), Counter(f.kind for f in found)


def _edge_runs(text: str, first: str, last: str, rules: RedactionRules) -> list[Found]:
    """Cut-off fragments at the outer edges of a quote's context: a run of number-like
    characters at the start of the prefix or the end of the suffix with enough digits
    (or an @) to be part of something longer that was not recognised."""
    cut = rules.truncation
    found: list[Found] = []
    folded = fold(text)

    def fragment(run: str) -> bool:
        return "@" in run or sum(c.isascii() and c.isdigit() for c in run) >= cut.min_digits

    if first:
        match = re.match(f"{cut.run}+", folded[: len(first)])
        if match and fragment(match.group()):
            found.append(Found(0, match.end(), "truncated"))
    if last:
        tail_start = len(folded) - len(last)
        match = re.search(f"{cut.run}+$", folded[tail_start:])
        if match and fragment(match.group()):
            found.append(Found(tail_start + match.start(), len(folded), "truncated"))
    return found


def redact_quote(
    prefix: str, exact: str, suffix: str, rules: RedactionRules
) -> tuple[tuple[str, str, str], Counter[str]]:
    """Redact a quote with its context (``oa:prefix``, ``oa:exact``, ``oa:suffix``) as the
    one text they are, so that a number split between them is still recognised.

    A span is replaced where it starts — in the quote itself when it reaches into the
    quote, so that a quote never becomes empty — and the rest of it is dropped.  A
    fragment cut off at the outer edge of the context is replaced as ``truncated``.
    """
    text = prefix + exact + suffix
    found = find(text, rules)
    taken = [(f.start, f.end) for f in found]
    for edge in _edge_runs(text, prefix, suffix, rules):
        if not any(s < edge.end and edge.start < e for s, e in taken):
            found.append(edge)
    found.sort(key=lambda f: f.start)
    bounds = (0, len(prefix), len(prefix) + len(exact), len(text))
    pieces: list[list[str]] = [[], [], []]
    positions = [bounds[0], bounds[1], bounds[2]]

    def piece_of(offset: int) -> int:
        return 0 if offset < bounds[1] else 1 if offset < bounds[2] else 2

    for item in found:
        home = piece_of(item.start)
        if home == 0 and item.end > bounds[1] and bounds[2] > bounds[1]:
            home = 1  # reaches into the quote: the placeholder goes there
        for k in range(3):
            lo, hi = max(bounds[k], positions[k]), min(bounds[k + 1], item.start)
            if hi > lo:
                pieces[k].append(text[lo:hi])
            positions[k] = max(positions[k], min(bounds[k + 1], item.end))
        pieces[home].append(rules.placeholders[item.kind])
    for k in range(3):
        if positions[k] < bounds[k + 1]:
            pieces[k].append(text[positions[k] : bounds[k + 1]])
    out = ("".join(pieces[0]), "".join(pieces[1]), "".join(pieces[2]))
    return out, Counter(f.kind for f in found)
