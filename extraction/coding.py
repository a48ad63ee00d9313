"""Coding: sentences → vocabulary codes, by the rules of the lexicon.

The lexicon (``ontology/lexicon.yaml``) is data that analysts edit.  Each rule
names lemmas that must all appear in a sentence (``all``), of which at least
one must appear (``any``) and which must not appear (``none``).  Sentences and
terms are both cut into morphemes by SudachiPy (mode A, the finest split), and a
term matches when its morphemes occur in a row in the sentence, each agreeing on
surface, dictionary form or normalised form — so 引継ぎ/引き継ぎ, 忘れた/忘れる and
ﾛｸﾞｱｳﾄ/ログアウト all match.  A term written ``re:…`` is a regular expression on
the sentence text instead.

A rule applies only to sentences whose role (the section they sit in: cause,
countermeasure, …) its field allows, so a prevention measure is not read as a
cause.  For fields that describe what happened (harms) a negation after the match
in the same clause (漏えいは無い) turns the match into a negative finding.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from sudachipy import Dictionary, SplitMode

from incident_kg.errors import IncidentKGError, UnknownCodeError

from .model import CodedValue, evidence
from .sentences import Sentence

#: Sentence roles a rule may be scoped to (see :mod:`.structure`).
ROLES = frozenset(
    {
        "title",
        "summary",
        "content",
        "timeline",
        "cause",
        "countermeasure",
        "response",
        "contact",
        "other",
        "background",  # what happened elsewhere (全国では…相次いでいる): no rule reads it
    }
)


#: How many morphemes after a match a negation may stand to deny it.
NEGATION_WINDOW = 7


class Token(NamedTuple):
    """One morpheme of a sentence with the forms a term may match on (a named tuple: a
    report has thousands, and a frozen dataclass is several times slower to make)."""

    surface: str
    forms: frozenset[str]
    start: int  # offset within the sentence
    end: int


#: Where each form occurs in a sentence's morphemes: form → token positions, ascending.
FormIndex = Mapping[str, Sequence[int]]


def form_index(tokens: Sequence[Token]) -> dict[str, list[int]]:
    """The positions of every form (surface, dictionary or normalised) in ``tokens``, so a
    term looks up where its first morpheme occurs instead of scanning the sentence — the
    lexicon has hundreds of rules and most never occur in a given sentence."""
    index: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        for form in token.forms:
            index.setdefault(form, []).append(i)
    return index


class Analyzer:
    """SudachiPy with the core dictionary, split mode A.  Create one per process."""

    #: SudachiPy refuses inputs over ~49 KB; sentences are far shorter, but be safe.
    _MAX_CHARS = 12_000

    def __init__(self) -> None:
        self._tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.A)
        self._words: Any = None  # a split-mode-C tokenizer, made when first needed

    def content_words(self, text: str) -> list[str]:
        """The nouns, verbs and adjectives of ``text`` as whole words (split mode C, dictionary
        forms): the words an analyst would put in a rule (込み合う, not 込み | 合う)."""
        if self._words is None:
            self._words = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
        return [
            m.dictionary_form()
            for m in self._words.tokenize(text[: self._MAX_CHARS])
            if m.part_of_speech()[0] in ("名詞", "動詞", "形容詞", "形状詞")
        ]

    def tokens(self, text: str) -> tuple[Token, ...]:
        """The morphemes of ``text`` with offsets into it."""
        out: list[Token] = []
        for base in range(0, len(text), self._MAX_CHARS):
            chunk = text[base : base + self._MAX_CHARS]
            for m in self._tokenizer.tokenize(chunk):
                surface = m.surface()
                if not surface.strip():
                    continue
                forms = frozenset({surface, m.dictionary_form(), m.normalized_form()})
                out.append(Token(surface, forms, base + m.begin(), base + m.end()))
        return tuple(out)


@dataclass(frozen=True)
class Term:
    """A lemma sequence (matched on morphemes) or a regular expression."""

    source: str
    morphemes: tuple[frozenset[str], ...] = ()
    pattern: re.Pattern[str] | None = None

    def find(
        self, text: str, tokens: Sequence[Token], index: FormIndex | None = None
    ) -> tuple[int, int] | None:
        """Character span of the first match in the sentence, or None.  With the sentence's
        :func:`form_index` only the positions of the first morpheme are tried."""
        if self.pattern is not None:
            m = self.pattern.search(text)
            return (m.start(), m.end()) if m else None
        first, rest = self.morphemes[0], self.morphemes[1:]
        n = len(self.morphemes)
        if index is not None:
            found = [i for form in first for i in index.get(form, ())]
            if not found:
                return None
            candidates: Iterable[int] = sorted(set(found)) if len(found) > 1 else found
        else:
            candidates = range(len(tokens))
        for i in candidates:
            if i + n > len(tokens):
                break
            # the first morpheme rules out almost every position: test it alone first
            if first.isdisjoint(tokens[i].forms):
                continue
            if all(not tokens[i + 1 + k].forms.isdisjoint(m) for k, m in enumerate(rest)):
                return tokens[i].start, tokens[i + n - 1].end
        return None


@dataclass(frozen=True)
class Rule:
    """One way a code is said in a report."""

    rule_id: str
    field: str
    code: str
    all_terms: tuple[Term, ...]
    any_terms: tuple[Term, ...]
    none_terms: tuple[Term, ...]
    roles: frozenset[str]
    confidence: float
    negatable: bool
    #: Inferred rather than said (別人の証明書 → a leak): an explicit denial defeats it.
    defeasible: bool = False
    #: Regular expressions of which one must match somewhere in the incident (any of its
    #: sentences, the title included), not necessarily in the evidence sentence: a fact told
    #: across two sentences (書類を取り違えて郵送した。書類には氏名と住所が…).
    context_terms: tuple[Term, ...] = ()
    #: Regular expressions none of which may match anywhere in the incident (an act inferred
    #: for the body's staff is no such act when the incident names a contractor).
    context_none: tuple[Term, ...] = ()
    #: The first-morpheme forms each ``all`` term (not a regular expression) needs: a
    #: sentence lacking one is passed over without trying a term (see :meth:`may_fire`).
    _needs: tuple[frozenset[str], ...] = dataclasses.field(init=False, repr=False, compare=False)
    #: The ``any`` terms' first morphemes and their regular expressions as one alternation.
    _any_forms: frozenset[str] = dataclasses.field(init=False, repr=False, compare=False)
    _any_pattern: re.Pattern[str] | None = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        needs = [t.morphemes[0] for t in self.all_terms if t.pattern is None]
        forms = [t.morphemes[0] for t in self.any_terms if t.pattern is None]
        patterns = [t.pattern.pattern for t in self.any_terms if t.pattern is not None]
        object.__setattr__(self, "_needs", tuple(needs))
        object.__setattr__(self, "_any_forms", frozenset().union(*forms))
        object.__setattr__(
            self,
            "_any_pattern",
            re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None,
        )

    def may_fire(self, text: str, forms: AbstractSet[str]) -> bool:
        """False when the sentence (its text, the keys of its :func:`form_index`) cannot
        match: an ``all`` term's first morpheme is absent, or no ``any`` term can match.
        True says only that :func:`match_rule` must look."""
        if any(need.isdisjoint(forms) for need in self._needs):
            return False
        if not self.any_terms or not self._any_forms.isdisjoint(forms):
            return True
        return self._any_pattern is not None and self._any_pattern.search(text) is not None


@dataclass(frozen=True)
class Match:
    """A rule that fired on a sentence: where, and whether the text denies it."""

    rule: Rule
    start: int  # within the sentence
    end: int
    negated: bool


@dataclass(frozen=True)
class Lexicon:
    """The compiled lexicon: rules per field, incident cues, negation cues, implications."""

    rules: tuple[Rule, ...]
    incident_cues: tuple[Term, ...]
    negation_cues: tuple[Term, ...]
    negation_phrases: tuple[str, ...]
    clause_breaks: frozenset[str]
    implications: Mapping[tuple[str, str], tuple[tuple[str, str], ...]]
    section_roles: Mapping[str, tuple[str, ...]]
    data: Mapping[str, Any]  # the raw YAML, for the other lists (organisations, cues…)
    by_role: Mapping[str, tuple[Rule, ...]] = dataclasses.field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_role = {role: tuple(r for r in self.rules if role in r.roles) for role in ROLES}
        object.__setattr__(self, "by_role", by_role)

    def rules_for(self, role: str) -> Iterable[Rule]:
        """The rules allowed in a sentence of this role, in the lexicon's order."""
        return self.by_role.get(role, ())


_WORD_REF = re.compile(r"\{([a-z_]+)\}")


def expand_words(pattern: str, words: Mapping[str, str]) -> str:
    """A regular expression with each ``{name}`` of the lexicon's ``words:`` replaced by that
    family's alternatives as one group.  ``{0,12}`` (a quantifier) is no name and stays.

    >>> expand_words("{check}[^。]{0,9}{lacking}", {"check": "確認|照合", "lacking": "怠"})
    '(?:確認|照合)[^。]{0,9}(?:怠)'
    """

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in words:
            raise IncidentKGError(f"lexicon: unknown word family {{{name}}} in {pattern!r}")
        return f"(?:{words[name]})"

    return _WORD_REF.sub(one, pattern)


def _word_families(data: Mapping[str, Any], source: Path) -> dict[str, str]:
    """The lexicon's ``words:`` families, each an alternation; a family may use families
    defined before it."""
    families: dict[str, str] = {}
    for name, alternatives in (data.get("words") or {}).items():
        if not re.fullmatch(r"[a-z_]+", str(name)) or not alternatives:
            raise IncidentKGError(f"{source}: words: {name!r} needs a-z_ and alternatives")
        expanded = "|".join(expand_words(str(a), families) for a in alternatives)
        try:
            re.compile(expanded)
        except re.error as exc:
            raise IncidentKGError(f"{source}: words: {name}: {exc}") from exc
        families[str(name)] = expanded
    return families


def _compile_term(source: str, analyzer: Analyzer, words: Mapping[str, str]) -> Term:
    if source.startswith("re:"):
        return Term(source, pattern=re.compile(expand_words(source[3:], words)))
    morphemes = tuple(t.forms for t in analyzer.tokens(source))
    if not morphemes:
        raise IncidentKGError(f"lexicon: empty term {source!r}")
    return Term(source, morphemes=morphemes)


def _terms(
    values: Iterable[str] | None, analyzer: Analyzer, words: Mapping[str, str]
) -> tuple[Term, ...]:
    return tuple(_compile_term(str(v), analyzer, words) for v in (values or ()))


def _context_terms(
    values: Iterable[str] | None,
    analyzer: Analyzer,
    words: Mapping[str, str],
    source: Path,
    code: str,
) -> tuple[Term, ...]:
    """A rule's ``context`` terms: regular expressions only (they are looked for in the whole
    incident's text, which is not cut into morphemes)."""
    terms = _terms(values, analyzer, words)
    for term in terms:
        if term.pattern is None:
            raise IncidentKGError(f"{source}: {code}: a context term must be re:… ({term.source})")
    return terms


#: libyaml's parser when PyYAML was built with it (the same documents, ~15× faster to read:
#: the lexicon is read at every start of a build), else PyYAML's own.
FAST_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(FAST_SAFE_LOADER):  # type: ignore[valid-type,misc]
    """Safe YAML that refuses a key given twice in one mapping (the second would win silently,
    e.g. two ``any:`` lists in one rule)."""


def _no_duplicate_keys(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key) for key, _ in node.value]
    for key in keys:
        if keys.count(key) > 1:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} given twice", node.start_mark
            )
    return dict(loader.construct_pairs(node))


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


def default_lexicon_path() -> Path:
    """The lexicon shipped with the package."""
    return Path(str(resources.files("incident_kg.ontology").joinpath("lexicon.yaml")))


def load_lexicon(
    analyzer: Analyzer, path: Path | None = None, *, known_codes: Mapping[str, Iterable[str]]
) -> Lexicon:
    """Read and compile the lexicon; every code must exist in ``known_codes[field]``."""
    source = path or default_lexicon_path()
    try:
        data = yaml.load(source.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise IncidentKGError(f"{source}: cannot read lexicon: {exc}") from exc
    defaults = data.get("defaults", {})
    words = _word_families(data, source)
    rules: list[Rule] = []
    for field_name, codes in data["fields"].items():
        field_defaults = defaults.get(field_name, {})
        allowed = set(known_codes.get(field_name, ()))
        for code, code_rules in codes.items():
            if code not in allowed:
                raise UnknownCodeError(f"{source}: unknown {field_name} code {code!r}")
            for i, spec in enumerate(code_rules, start=1):
                roles = frozenset(
                    spec.get("roles", field_defaults.get("roles", sorted(ROLES - {"background"})))
                )
                if not roles <= ROLES:
                    raise IncidentKGError(f"{source}: {code}: unknown roles {roles - ROLES}")
                rules.append(
                    Rule(
                        rule_id=f"{field_name}/{code}/{spec.get('id', i)}",
                        field=field_name,
                        code=code,
                        all_terms=_terms(spec.get("all"), analyzer, words),
                        any_terms=_terms(spec.get("any"), analyzer, words),
                        none_terms=_terms(
                            [*spec.get("none", []), *field_defaults.get("none", [])],
                            analyzer,
                            words,
                        ),
                        roles=roles,
                        confidence=float(
                            spec.get("confidence", field_defaults.get("confidence", 0.8))
                        ),
                        negatable=bool(
                            spec.get("negatable", field_defaults.get("negatable", False))
                        ),
                        defeasible=bool(spec.get("defeasible", False)),
                        context_terms=_context_terms(
                            spec.get("context"), analyzer, words, source, code
                        ),
                        context_none=_context_terms(
                            spec.get("context_none"), analyzer, words, source, code
                        ),
                    )
                )
    implications: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for item in data.get("implications", []):
        src = (item["field"], item["code"])
        implications[src] = tuple((t["field"], t["code"]) for t in item["implies"])
    return Lexicon(
        rules=tuple(rules),
        incident_cues=_terms(data.get("incident_cues"), analyzer, words),
        negation_cues=_terms(data.get("negation_cues"), analyzer, words),
        negation_phrases=tuple(data.get("negation_phrases", [])),
        clause_breaks=frozenset(data.get("clause_breaks", ["、", "。", "が"])),
        implications=implications,
        section_roles={k: tuple(v) for k, v in data.get("section_roles", {}).items()},
        data=data,
    )


def _negated(lexicon: Lexicon, text: str, tokens: Sequence[Token], end: int) -> bool:
    """Whether a negation cue follows ``end`` closely, before the clause ends.

    Only the next few morphemes count (漏えい|は|あり|ませ|ん): a negation further
    on belongs to another predicate (失効のために申し込めなかった).
    """
    tail = [t for t in tokens if t.start >= end]
    clause: list[Token] = []
    for token in tail:
        if (token.surface in lexicon.clause_breaks and clause) or len(clause) >= NEGATION_WINDOW:
            break
        clause.append(token)
    if any(re.search(phrase, text[end:]) for phrase in lexicon.negation_phrases):
        return True
    if not clause:
        return False
    clause_text = text[clause[0].start : clause[-1].end]
    return any(
        cue.find(
            clause_text,
            [
                Token(t.surface, t.forms, t.start - clause[0].start, t.end - clause[0].start)
                for t in clause
            ],
        )
        for cue in lexicon.negation_cues
    )


def match_rule(
    rule: Rule, text: str, tokens: Sequence[Token], index: FormIndex | None = None
) -> tuple[int, int] | None:
    """Span of the evidence for ``rule`` in the sentence, or None when it does not fire
    (``index``: the sentence's :func:`form_index`, made once for all rules; without it each
    term scans the sentence, which finds the same spans)."""
    spans: list[tuple[int, int]] = []
    for term in rule.all_terms:
        found = term.find(text, tokens, index)
        if found is None:
            return None
        spans.append(found)
    if rule.any_terms:
        hits = [s for s in (t.find(text, tokens, index) for t in rule.any_terms) if s is not None]
        if not hits:
            return None
        spans.append(min(hits))
    if any(t.find(text, tokens, index) is not None for t in rule.none_terms):
        return None
    if not spans:
        return None
    return min(s for s, _ in spans), max(e for _, e in spans)


def code_sentence(
    lexicon: Lexicon, text: str, tokens: Sequence[Token], role: str, context: str | None = None
) -> list[Match]:
    """Every rule that fires on one sentence of the given role (first rule per code wins).
    ``context`` is the text of the whole incident, which a rule's ``context`` terms are looked
    for in (the sentence alone when not given)."""
    out: list[Match] = []
    seen: set[tuple[str, str]] = set()
    index = form_index(tokens)
    for rule in lexicon.rules_for(role):
        key = (rule.field, rule.code)
        if key in seen or not rule.may_fire(text, index.keys()):
            continue
        whole = text if context is None else context
        if rule.context_terms and not any(
            t.find(whole, ()) is not None for t in rule.context_terms
        ):
            continue
        if any(t.find(whole, ()) is not None for t in rule.context_none):
            continue
        span = match_rule(rule, text, tokens, index)
        if span is None:
            continue
        negated = rule.negatable and _negated(lexicon, text, tokens, span[1])
        out.append(Match(rule, span[0], span[1], negated))
        seen.add(key)
    return out


#: Where a sentence turns from a cause to its effect.
_CONSEQUENCE = re.compile(r"(ため|ので|結果|により|ことから|ことで)[、,]")


def cause_role(lexicon: Lexicon, sentence: str, end: int) -> str | None:
    """The role a sentence gives a cause matched up to ``end``, from the lexicon's cue lists:
    ruled-out first (its cue must follow the cause: …不具合によるものではありません), then
    trigger, root cause, contributing."""
    cues: Mapping[str, list[str]] = lexicon.data.get("cause_roles", {})
    tail = sentence[end:]
    # …誤って入力したため、…本人のものではない口座が登録された: what follows ため、 is the
    # cause's effect, and a denial there does not rule the cause out
    consequence = _CONSEQUENCE.search(tail)
    if consequence:
        tail = tail[: consequence.start()]
    if any(re.search(cue, tail) for cue in cues.get("ruled-out", [])):
        return "ruled-out"
    for role in ("trigger", "root-cause", "contributing"):
        if any(re.search(cue, sentence) for cue in cues.get(role, [])):
            return role
    return None


def has_incident_cue(lexicon: Lexicon, text: str, tokens: Sequence[Token]) -> bool:
    """Whether a sentence or heading says that something went wrong."""
    index = form_index(tokens)
    return any(term.find(text, tokens, index) is not None for term in lexicon.incident_cues)


@dataclass(frozen=True)
class ParaphraseResult:
    """How a lexicon does on sentences that say a code (and near misses that do not)."""

    field: str
    code: str
    found: int  # `says` sentences coded with the code
    said: int  # `says` sentences
    wrongly: tuple[str, ...]  # `does_not` sentences that got the code anyway
    missed: tuple[str, ...]  # `says` sentences that did not get it


def check_paraphrases(
    lexicon: Lexicon, analyzer: Analyzer, data: Mapping[str, Any]
) -> list[ParaphraseResult]:
    """Run every sentence of a paraphrase corpus (``tests/data/paraphrases.yaml`` format)
    through the rules in its role and count what each code catches."""
    out: list[ParaphraseResult] = []
    for field_name, codes in data.items():
        for code, entry in codes.items():
            role = entry.get("role", "content")

            def coded(sentence: str, role: str = role, code: str = code) -> bool:
                matches = code_sentence(lexicon, sentence, analyzer.tokens(sentence), role)
                return any(
                    m.rule.code == code
                    and not m.negated
                    and not (
                        m.rule.field == "causes"
                        and cause_role(lexicon, sentence, m.end) == "ruled-out"
                    )
                    for m in matches
                )

            says = [str(s) for s in entry.get("says", [])]
            does_not = [str(s) for s in entry.get("does_not", [])]
            missed = tuple(s for s in says if not coded(s))
            out.append(
                ParaphraseResult(
                    field_name,
                    code,
                    len(says) - len(missed),
                    len(says),
                    tuple(s for s in does_not if coded(s)),
                    missed,
                )
            )
    return out


#: The fields a closing part about every incident (いずれの事案も…) adds to each of them.
SHARED_FIELDS = frozenset({"causes", "countermeasures"})


def shared_field(value: CodedValue) -> bool:
    """Whether a value coded in a part about every incident applies to each: causes and
    measures, and what they imply (a regulator's inquiry → a national body acts)."""
    if value.field in SHARED_FIELDS:
        return True
    rule = value.evidence.rule.split("/")
    return rule[0] == "implied-by" and len(rule) > 1 and rule[1] in SHARED_FIELDS


def code_sentences(
    lexicon: Lexicon, analyzer: Analyzer, sentences: Sequence[Sentence]
) -> tuple[list[CodedValue], list[CodedValue]]:
    """The codes a list of sentences says, and the negative findings (what it denies or
    rules out); implications of the lexicon added once each."""
    found: list[tuple[CodedValue, bool]] = []  # (value, defeasible)
    negative: list[CodedValue] = []
    context = "\n".join(s.span.text for s in sentences if s.role != "background")
    for sentence in sentences:
        tokens = analyzer.tokens(sentence.span.text)
        for match in code_sentence(lexicon, sentence.span.text, tokens, sentence.role, context):
            value = CodedValue(
                match.rule.field,
                match.rule.code,
                evidence(sentence.span, match.rule.rule_id, match.rule.confidence),
            )
            if match.rule.field == "causes":
                role = cause_role(lexicon, sentence.span.text, match.end)
                value = dataclasses.replace(value, role=role)
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
        for target in lexicon.implications.get((value.field, value.code), ()):
            if target not in present:
                present.add(target)
                implied.append(
                    CodedValue(
                        target[0],
                        target[1],
                        evidence(
                            value.evidence.span,
                            f"implied-by/{value.field}/{value.code}",
                            value.evidence.confidence * 0.9,
                        ),
                    )
                )
    return coded + implied, negative
