"""Extraction: normalised report text → coded incidents.

The pure core of the loader.  :func:`extract_report` takes the text of one report
and an :class:`Extractor` (the morphological analyser and the compiled lexicon,
built once per process by :func:`make_extractor`) and returns a
:class:`~.model.Report` whose every value carries the sentence it came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .body_actors import BodyActor, body_actors, load_body_actors
from .coding import (
    SHARED_FIELDS,
    Analyzer,
    Lexicon,
    Token,
    code_sentences,
    has_incident_cue,
    load_lexicon,
    shared_field,
)
from .counts import affected_count
from .cues import Cues
from .dateline import Dateline, dated_mentions, find_dateline
from .dates import DateMention, find_dates
from .model import Incident, Problem, Report, Span
from .normalize import normalize
from .organizations import OrgRules, incident_organizations, own_cities
from .sentences import (
    Sentence,
    apply_references,
    context_sentences,
    is_date_line,
    part_sentences,
    refine_roles,
    shared_sentences,
)
from .similarity import SimilarityCoder, load_exemplars, make_coder
from .statistics import find_statistics
from .structure import Structure, find_structure, report_sections
from .timeline import header_date_lines, incident_timeline, published_date, resolved_date


@dataclass(frozen=True)
class Extractor:
    """Everything extraction needs that is costly to build: create once, reuse."""

    analyzer: Analyzer
    lexicon: Lexicon
    org_rules: OrgRules
    known_codes: Mapping[str, set[str]]  # field → the vocabulary's codes
    cues: Cues
    similarity: SimilarityCoder  # codes for sentences no rule codes (exemplars.yaml)
    #: Digest of the exemplar file: part of the pipeline's digest, as the lexicon is.
    exemplars_digest: str = ""
    #: Actors the responsible body implies when no sentence names who acted (body_actors:).
    body_actors: tuple[BodyActor, ...] = ()

    def tokens(self, text: str) -> tuple[Token, ...]:
        return self.analyzer.tokens(text)

    def has_cue(self, text: str) -> bool:
        return has_incident_cue(self.lexicon, text, self.tokens(text))


def make_extractor(
    *,
    known_codes: Mapping[str, Iterable[str]],
    lexicon_path: Path | None = None,
    exemplars_path: Path | None = None,
) -> Extractor:
    """Load SudachiPy, compile the lexicon and index the exemplar sentences against the
    vocabulary's codes."""
    analyzer = Analyzer()
    lexicon = load_lexicon(analyzer, lexicon_path, known_codes=known_codes)
    known = {name: set(codes) for name, codes in known_codes.items()}
    exemplars, settings = load_exemplars(exemplars_path, known_codes=known_codes)
    digest = hashlib.sha256(
        repr((sorted((e.field, e.codes, e.text) for e in exemplars), settings)).encode()
    ).hexdigest()
    return Extractor(
        analyzer,
        lexicon,
        OrgRules.from_lexicon(lexicon.data),
        known,
        Cues.from_lexicon(lexicon.data),
        make_coder(exemplars, settings),
        digest,
        load_body_actors(lexicon.data, sorted(known.get("actors", ()))),
    )


def report_id_for(source: str) -> str:
    """A stable, IRI-safe id from a report's file name (its stem)."""
    stem = Path(source).stem
    return quote(stem, safe="-_.~") or hashlib.sha256(source.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Found:
    """What :func:`extract_incidents` read: the structure, the incidents, the dates and the
    page's dateline."""

    structure: Structure
    incidents: tuple[Incident, ...]
    mentions: list[DateMention]
    dateline: Dateline | None
    #: Each incident's own sentences with their roles (what `review` goes through).
    sentences: tuple[tuple[Sentence, ...], ...] = ()


def extract_incidents(ex: Extractor, text: str) -> Found:
    """Find and code the incidents of a normalised text: structure → sentences → codes,
    timeline, count and bodies of each incident."""
    structure = find_structure(
        text,
        section_roles=ex.lexicon.section_roles,
        has_cue=ex.has_cue,
        is_date=is_date_line,
        guidance_title=ex.cues.guidance_title,
    )
    mentions = find_dates(text)
    first_heading = next(
        (i for i, ln in enumerate(structure.lines) if ln.kind == "heading"), len(structure.lines)
    )
    dateline = find_dateline(text, structure.lines, mentions, first_heading=first_heading)
    mentions = dated_mentions(text, dateline, mentions)
    cities = own_cities(text, ex.org_rules)
    per_incident = [
        refine_roles(ex.cues, part_sentences(text, structure.lines, part, ex.lexicon.section_roles))
        for part in structure.incidents
    ]
    apply_references(structure.incidents, per_incident, text)
    shared = shared_sentences(text, structure)
    header = header_date_lines(structure) | ({dateline.line} if dateline else set())
    shared_coded, shared_negative = code_sentences(ex.lexicon, ex.analyzer, shared)
    # closing parts about every incident add causes and measures, not the particulars of one
    shared_coded = [v for v in shared_coded if shared_field(v)]
    shared_negative = [v for v in shared_negative if v.field in SHARED_FIELDS]
    incidents: list[Incident] = []
    for ordinal, part in enumerate(structure.incidents, start=1):
        own = per_incident[ordinal - 1]
        coded, negative = code_sentences(ex.lexicon, ex.analyzer, own)
        known = {(v.field, v.code) for v in coded}
        coded += [v for v in shared_coded if (v.field, v.code) not in known]
        # what no rule coded in a cause or countermeasure part: the nearest exemplars
        coded += ex.similarity.code(own, [*coded, *negative])
        negative += shared_negative
        timeline, occurred, discovered = incident_timeline(
            ex.cues, [x for x in own + shared if x.line not in header], mentions
        )
        start = structure.lines[part.spans[0][0]].start
        end = structure.lines[part.spans[0][1] - 1].end
        context = context_sentences(text, structure, part)
        organizations = incident_organizations(ex.org_rules, text, own, context, cities)
        told = "\n".join(s.span.text for s in [*context, *own] if s.role != "background")
        coded += body_actors(ex.body_actors, organizations, coded, told)
        incidents.append(
            Incident(
                ordinal=ordinal,
                title=part.title,
                span=Span(start, end, text[start:end]),
                organizations=organizations,
                coded=tuple(coded),
                occurred=occurred,
                discovered=discovered,
                resolved=resolved_date(timeline),
                affected=affected_count(ex.cues, own),
                timeline=timeline,
                negative_findings=tuple(negative),
            )
        )
    return Found(
        structure, tuple(incidents), mentions, dateline, tuple(tuple(s) for s in per_incident)
    )


def extract_report(
    ex: Extractor, raw_text: str, *, source: str, report_id: str | None = None
) -> Report:
    """Read one report's text into a :class:`Report` (pure: no I/O)."""
    normalized = normalize(raw_text)
    text = normalized.text
    found = extract_incidents(ex, text)
    structure, incidents, mentions = found.structure, found.incidents, found.mentions
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
        published=found.dateline.value
        if found.dateline
        else published_date(text, structure, mentions),
        sections=report_sections(text, structure),
        incidents=incidents,
        statistics=statistics,
        problems=tuple(problems),
        original=normalized.original,
        offsets=normalized.offsets,
    )
