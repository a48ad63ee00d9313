"""Evidence: the compact form the store keeps of the Web Annotation evidence, and its
expansion back into full Web Annotation form.

Every coded fact has an ``oa:Annotation`` whose target is the span of the report's
normalised text it was read from (graph/triples.py).  In full form an annotation is nine or
ten triples and its target eleven more (an ``oa:SpecificResource`` with a quote and a
position selector): 80% of a report's quads, which every write, export and evidence join
paid for.  The store keeps instead:

* an **annotation** as three triples — ``ikg:aboutIncident`` (the incident),
  ``oa:hasTarget`` (the span) and ``ikg:reading`` (what was read) — plus ``oa:hasBody``
  when the body is an organisation or an event, ``oa:bodyValue`` for a date or a count,
  and ``prov:wasGeneratedBy`` for a curated fact;
* a **reading** (``ikg:Reading``, in the store's readings graph :data:`READINGS_GRAPH`,
  shared by every annotation that reads the same): the asserted property, the code read
  (``ikg:readingBody``), the lexicon rule, the mechanism (``ikg:extractionMechanism``: a
  rule, similarity to exemplars, a curation), its confidence, the causal role and the
  annotation's creator.  A few hundred readings serve a whole corpus; their IRIs are
  made from their content, so the same reading is one node whatever the report;
* a **span** as its text and offsets — ``ikg:spanText``, ``ikg:spanPrefix``,
  ``ikg:spanSuffix``, ``ikg:spanStart``, ``ikg:spanEnd`` — its source (the report) and its
  selectors being those its IRI is minted from and with (``<report>/text/<start>-<end>``,
  ``…/quote``, ``…/position``: graph/triples.py);
* a span's **context** (``oa:prefix``, ``oa:suffix``: the :data:`~.anchors.CONTEXT`
  characters before and after its quote in the report as published) as nothing at all when
  the graph keeps the report's text once (``ikg:sourceText`` on the report): the context
  of every span is then cut from it, as graph/anchors.py cut it — two triples a span for
  one a report;
* the report's **extraction** (a ``prov:Activity`` that used the report, generated its
  graph and was associated with the software agent, with its version) and the report's
  language, which the pipeline states of every report it reads (graph/triples.py), as one
  triple: ``ikg:extractedWith`` (the version) on the report.

:func:`compact` turns a report graph's triples into that form, and only where
:func:`expand` gives back exactly the triples it replaced: an annotation or a span of any
other shape (an import of another tool's data, a later version) is kept as it came.
:func:`expand` is the one place that spells out the full form — exports, push, SHACL
validation and reasoning read report graphs through it — so an export of the compact
store has the same triples as an export of the full one.

Triples here are tuples of N-Triples terms (``<iri>``, ``"literal"^^<type>``, ``_:b``),
the form the store writes and exports sort.  The compact form is the store's: a change to it
changes the pipeline's digest (graph/digests.py), so a build rewrites every report in it.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import pyoxigraph as ox

from .anchors import CONTEXT

#: A triple as N-Triples terms (subject, predicate, object).
Triple = tuple[str, str, str]

#: The graph of the readings: store-internal (never exported as such; exports expand).
READINGS_GRAPH = "https://w3id.org/incident-kg/graph/readings"
#: Where readings are minted (from their content).
READING_PREFIX = "https://w3id.org/incident-kg/reading/"

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_OA = "http://www.w3.org/ns/oa#"
_IKG = "https://w3id.org/incident-kg/ontology#"
_CODE = "https://w3id.org/incident-kg/code/"

TYPE = f"<{_RDF}type>"
ANNOTATION = f"<{_OA}Annotation>"
MOTIVATED_BY = f"<{_OA}motivatedBy>"
CLASSIFYING = f"<{_OA}classifying>"
HAS_BODY = f"<{_OA}hasBody>"
BODY_VALUE = f"<{_OA}bodyValue>"
HAS_TARGET = f"<{_OA}hasTarget>"
SPECIFIC_RESOURCE = f"<{_OA}SpecificResource>"
HAS_SOURCE = f"<{_OA}hasSource>"
HAS_SELECTOR = f"<{_OA}hasSelector>"
QUOTE_SELECTOR = f"<{_OA}TextQuoteSelector>"
POSITION_SELECTOR = f"<{_OA}TextPositionSelector>"
EXACT, PREFIX, SUFFIX = f"<{_OA}exact>", f"<{_OA}prefix>", f"<{_OA}suffix>"
START, END = f"<{_OA}start>", f"<{_OA}end>"
ABOUT_INCIDENT = f"<{_IKG}aboutIncident>"
ASSERTED_PROPERTY = f"<{_IKG}assertedProperty>"
EXTRACTION_RULE = f"<{_IKG}extractionRule>"
EXTRACTION_MECHANISM = f"<{_IKG}extractionMechanism>"
CONFIDENCE = f"<{_IKG}confidence>"
CAUSAL_ROLE = f"<{_IKG}causalRole>"
CREATOR = "<http://purl.org/dc/terms/creator>"
GENERATED_BY = "<http://www.w3.org/ns/prov#wasGeneratedBy>"

# the compact vocabulary (declared in ontology/incident.ttl)
READING = f"<{_IKG}reading>"
READING_CLASS = f"<{_IKG}Reading>"
READING_BODY = f"<{_IKG}readingBody>"
SPAN_TEXT, SPAN_PREFIX, SPAN_SUFFIX = (f"<{_IKG}spanText>", f"<{_IKG}spanPrefix>",
                                       f"<{_IKG}spanSuffix>")  # fmt: skip
SPAN_START, SPAN_END = f"<{_IKG}spanStart>", f"<{_IKG}spanEnd>"
SOURCE_TEXT = f"<{_IKG}sourceText>"
EXTRACTED_WITH = f"<{_IKG}extractedWith>"

# the extraction activity and the language every report read by the pipeline has
_PROV = "http://www.w3.org/ns/prov#"
EXTRACTION = f"<{_IKG}Extraction>"
USED, GENERATED = f"<{_PROV}used>", f"<{_PROV}generated>"
ASSOCIATED_WITH = f"<{_PROV}wasAssociatedWith>"
SOFTWARE_VERSION = f"<{_IKG}softwareVersion>"
LANGUAGE = "<http://purl.org/dc/terms/language>"
JAPANESE = "<http://id.loc.gov/vocabulary/iso639-2/jpn>"

#: Annotation predicates that move to its reading (``oa:hasBody`` too, for a code).
_TO_READING = (ASSERTED_PROPERTY, EXTRACTION_RULE, EXTRACTION_MECHANISM, CONFIDENCE,
               CAUSAL_ROLE, CREATOR)  # fmt: skip
#: Predicates an annotation keeps in compact form.
_KEPT = (ABOUT_INCIDENT, HAS_TARGET, BODY_VALUE, GENERATED_BY)
#: Full quote-selector predicate → compact span predicate.
_QUOTE = {EXACT: SPAN_TEXT, PREFIX: SPAN_PREFIX, SUFFIX: SPAN_SUFFIX}
_POSITION = {START: SPAN_START, END: SPAN_END}
_SPAN_PREDICATES = {SPAN_TEXT, SPAN_PREFIX, SPAN_SUFFIX, SPAN_START, SPAN_END}
_CODE_START = f"<{_CODE}"
_INTEGER = "^^<http://www.w3.org/2001/XMLSchema#integer>"

_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU" and len(code) > 1:
        return chr(int(code[1:], 16))
    return _SIMPLE.get(code, code)


def value(term: str) -> str:
    """The plain value of an N-Triples term: an IRI without its brackets, a literal's
    lexical form (unescaped)."""
    if term.startswith("<"):
        return term[1:-1]
    if term.startswith('"'):
        lexical = term[1 : term.rindex('"')]
        return _ESCAPE.sub(_unescape, lexical) if "\\" in lexical else lexical
    return term


def literal(text: str) -> str:
    """A plain string literal as an N-Triples term (escaped as Oxigraph writes it)."""
    return str(ox.Literal(text))


def _by_subject(triples: Iterable[Triple]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in triples:
        found[s].append((p, o))
    return found


def reading_iri(pairs: Iterable[tuple[str, str]]) -> str:
    """The IRI of the reading with these (predicate, object) pairs: made from its content,
    so the same reading is the same node in every report."""
    return _reading_iri(tuple(sorted(pairs)))


@functools.lru_cache(maxsize=4096)
def _reading_iri(pairs: tuple[tuple[str, str], ...]) -> str:
    text = "\n".join(f"{p} {o}" for p, o in pairs)
    return f"<{READING_PREFIX}{hashlib.sha256(text.encode('utf-8')).hexdigest()[:24]}>"


_REQUIRED = frozenset((ABOUT_INCIDENT, HAS_TARGET, ASSERTED_PROPERTY, EXTRACTION_RULE,
                       CONFIDENCE, CREATOR))  # fmt: skip
_ALLOWED = frozenset((TYPE, MOTIVATED_BY, HAS_BODY, *_TO_READING, *_KEPT))


def _compact_annotation(
    pairs: Sequence[tuple[str, str]],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]] | None:
    """(the annotation's compact pairs, its reading's pairs), or None when the annotation is
    not of the shape graph/triples.py writes (it is then kept whole)."""
    by: dict[str, str] = {}
    for p, o in pairs:
        if p in by:  # every predicate at most once
            return None
        by[p] = o
    if by.get(TYPE) != ANNOTATION or by.get(MOTIVATED_BY) != CLASSIFYING:
        return None
    keys = by.keys()
    if not _REQUIRED <= keys or not keys <= _ALLOWED or (HAS_BODY in by) == (BODY_VALUE in by):
        return None
    kept: list[tuple[str, str]] = []
    reading: list[tuple[str, str]] = []
    for p, o in pairs:
        if p in _TO_READING:
            reading.append((p, o))
        elif p == HAS_BODY:
            if o.startswith(_CODE_START):  # a code: what was read
                reading.append((READING_BODY, o))
            else:  # an organisation or an event of this report: kept on the annotation
                kept.append((p, o))
        elif p in _KEPT:
            kept.append((p, o))
    return kept, reading


def _compact_span(
    span: str, pairs: Sequence[tuple[str, str]], subjects: Mapping[str, Sequence[tuple[str, str]]]
) -> tuple[list[tuple[str, str]], tuple[str, str]] | None:
    """(the span's compact pairs, the two selector nodes it replaces), or None when the span
    is not of the shape graph/triples.py writes."""
    quote, position = _selector_iris(span)
    report = _source_of(span)
    if report is None or len(pairs) != 4 or set(pairs) != {
        (TYPE, SPECIFIC_RESOURCE), (HAS_SOURCE, report), (HAS_SELECTOR, quote),
        (HAS_SELECTOR, position),
    }:  # fmt: skip
        return None
    compact: list[tuple[str, str]] = []
    seen: set[str] = set()
    for node, kind, names in ((quote, QUOTE_SELECTOR, _QUOTE), (position, POSITION_SELECTOR,
                                                                 _POSITION)):  # fmt: skip
        typed = False
        for p, o in subjects.get(node, ()):
            if p == TYPE and o == kind and not typed:
                typed = True
            elif p in names and p not in seen:
                seen.add(p)
                compact.append((names[p], o))
            else:
                return None
        if not typed:
            return None
    if EXACT not in seen or START not in seen or END not in seen:
        return None
    return compact, (quote, position)


def _selector_iris(span: str) -> tuple[str, str]:
    """The quote and position selectors of a span, as graph/triples.py mints them."""
    return f"{span[:-1]}/quote>", f"{span[:-1]}/position>"


def _source_of(span: str) -> str | None:
    """The report a span is of, as graph/triples.py mints a span: ``<report>/text/<s>-<e>``."""
    cut = span.rfind("/text/")
    return f"{span[:cut]}>" if span.startswith("<") and cut > 0 else None


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """The context of the quote ``text[start:end]``, as graph/anchors.py cuts it."""
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


def _offset(term: str | None) -> int | None:
    """An ``xsd:integer`` literal's value, None for anything else."""
    if term is None or not term.endswith(_INTEGER) or not term.startswith('"'):
        return None
    lexical = term[1 : -len(_INTEGER) - 1]
    return int(lexical) if lexical.isdigit() else None


def _cut_from(text: str, pairs: Sequence[tuple[str, str]]) -> bool:
    """Whether a compact span's quote and context are those :func:`_context` cuts from the
    report's text at its offsets (then its context need not be kept)."""
    by = dict(pairs)
    start, end = _offset(by.get(SPAN_START)), _offset(by.get(SPAN_END))
    if start is None or end is None or not start <= end <= len(text):
        return False
    prefix, suffix = _context(text, start, end)
    return (
        value(by[SPAN_TEXT]) == text[start:end]
        and value(by.get(SPAN_PREFIX, '""')) == prefix
        and value(by.get(SPAN_SUFFIX, '""')) == suffix
    )


def _without_context(
    spans: dict[str, list[tuple[str, str]]], texts: Mapping[str, str]
) -> list[Triple]:
    """Drop the context of the spans of every report whose text is given and from which each
    of its spans' context is cut (:func:`_cut_from`); the reports' text triples to keep."""
    of_report: dict[str, list[str]] = defaultdict(list)
    for span in spans:
        report = _source_of(span)
        if report is not None and report in texts:
            of_report[report].append(span)
    kept: list[Triple] = []
    for report, members in of_report.items():
        text = texts[report]
        if not all(_cut_from(text, spans[span]) for span in members):
            continue  # kept as it is: each span with its own context
        for span in members:
            spans[span] = [(p, o) for p, o in spans[span] if p not in (SPAN_PREFIX, SPAN_SUFFIX)]
        kept.append((report, SOURCE_TEXT, literal(text)))
    return kept


def _extraction_version(
    report: str, subjects: Mapping[str, Sequence[tuple[str, str]]]
) -> str | None:
    """The software version of a report's extraction when the report's extraction and
    language are the triples graph/triples.py writes of every report (then
    ``ikg:extractedWith`` stands for them), else None."""
    cut = report.rfind("report/")
    if cut < 1 or (LANGUAGE, JAPANESE) not in subjects.get(report, ()):
        return None
    activity = _extraction_of(report)
    pairs = subjects.get(activity, ())
    versions = [o for p, o in pairs if p == SOFTWARE_VERSION]
    if len(pairs) != 5 or len(versions) != 1:
        return None
    return versions[0] if set(pairs) == set(_extraction(report, versions[0])) else None


def _extraction_of(report: str) -> str:
    return f"{report[:-1]}/extraction>"


def _extraction(report: str, version: str) -> list[tuple[str, str]]:
    """The (predicate, object) pairs of a report's extraction activity, as graph/triples.py
    mints them from the report's IRI (``<base>report/<id>``)."""
    cut = report.rfind("report/")
    base, report_id = report[1:cut], report[cut + len("report/") : -1]
    return [
        (TYPE, EXTRACTION),
        (USED, report),
        (GENERATED, f"<{base}graph/{report_id}>"),
        (ASSOCIATED_WITH, f"<{base}agent/incident-kg>"),
        (SOFTWARE_VERSION, version),
    ]


def compact(
    triples: Iterable[Triple], texts: Mapping[str, str] | None = None
) -> tuple[list[Triple], list[Triple]]:
    """One report graph's triples in the store's compact form: (the graph's triples, the
    readings they use).  ``texts``: the text as published of the graph's report (report IRI
    as an N-Triples term → text), from which its spans' context is cut when it matches.
    Only what :func:`expand` restores exactly is compacted."""
    triples = list(dict.fromkeys(triples))  # a graph is a set: a repeated triple is one
    subjects = _by_subject(triples)
    referenced: dict[str, int] = defaultdict(int)  # how often a node is an object
    for _, _, o in triples:
        if o.startswith("<"):
            referenced[o] += 1
    out: list[Triple] = []
    readings: dict[str, list[tuple[str, str]]] = {}
    replaced: set[str] = set()  # selector nodes folded into their span, folded activities
    spans: dict[str, list[tuple[str, str]]] = {}
    for subject, pairs in subjects.items():
        if (TYPE, SPECIFIC_RESOURCE) in pairs:
            folded = _compact_span(subject, pairs, subjects)
            if folded is not None and all(referenced[n] == 1 for n in folded[1]):
                spans[subject] = folded[0]
                replaced.update(folded[1])
    out += _without_context(spans, texts or {})
    extracted: dict[str, str] = {}  # report → version, for reports whose extraction folds
    for subject, pairs in subjects.items():
        if (TYPE, EXTRACTION) in pairs and subject.endswith("/extraction>"):
            report = subject[: -len("/extraction>")] + ">"
            version = _extraction_version(report, subjects)
            if version is not None:
                extracted[report] = version
                replaced.add(subject)
    for subject, pairs in subjects.items():
        if subject in replaced:
            continue
        if subject in spans:
            out += [(subject, p, o) for p, o in spans[subject]]
            continue
        if subject in extracted:
            out += [(subject, p, o) for p, o in pairs if (p, o) != (LANGUAGE, JAPANESE)]
            out.append((subject, EXTRACTED_WITH, extracted[subject]))
            continue
        annotation = _compact_annotation(pairs) if (TYPE, ANNOTATION) in pairs else None
        if annotation is None:
            out += [(subject, p, o) for p, o in pairs]
            continue
        kept, reading = annotation
        iri = reading_iri(reading)
        readings[iri] = reading
        out += [(subject, p, o) for p, o in kept]
        out.append((subject, READING, iri))
    reading_triples = [(iri, TYPE, READING_CLASS) for iri in readings]
    reading_triples += [(iri, p, o) for iri, pairs in readings.items() for p, o in pairs]
    return out, reading_triples


def readings_of(triples: Iterable[Triple]) -> dict[str, list[tuple[str, str]]]:
    """Readings by IRI, from the triples of the readings graph."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in triples:
        if p != TYPE:
            found[s].append((p, o))
    return dict(found)


def expand(
    triples: Iterable[Triple], readings: Mapping[str, Sequence[tuple[str, str]]]
) -> list[Triple]:
    """A report graph's triples in full Web Annotation form: every compact annotation with
    its type, motivation and reading spelled out, every compact span with its source and its
    quote and position selectors (its context cut from the report's text where the graph
    keeps it), a report's compact extraction as its activity and language.  Triples already
    in full form pass unchanged.

    The one place the full form is written: what an export or a push gives of the evidence
    is decided here."""
    triples = list(triples)
    texts = {s: value(o) for s, p, o in triples if p == SOURCE_TEXT}
    offsets: dict[str, dict[str, int]] = defaultdict(dict)  # span → start/end, where cut
    if texts:
        for s, p, o in triples:
            if p in (SPAN_START, SPAN_END) and _source_of(s) in texts:
                offsets[s][p] = int(value(o))
    out: list[Triple] = []
    for s, p, o in triples:
        if p == READING:
            out.append((s, TYPE, ANNOTATION))
            out.append((s, MOTIVATED_BY, CLASSIFYING))
            for rp, ro in readings.get(o, ()):
                out.append((s, HAS_BODY if rp == READING_BODY else rp, ro))
        elif p in _SPAN_PREDICATES:
            quote, position = _selector_iris(s)
            if p == SPAN_TEXT:
                out.append((s, TYPE, SPECIFIC_RESOURCE))
                out.append((s, HAS_SOURCE, _source_of(s) or ""))
                out.append((s, HAS_SELECTOR, quote))
                out.append((s, HAS_SELECTOR, position))
                out.append((quote, TYPE, QUOTE_SELECTOR))
                out.append((position, TYPE, POSITION_SELECTOR))
                out.append((quote, EXACT, o))
                if s in offsets:  # the context, cut from the report's text
                    text = texts[_source_of(s) or ""]
                    cut = _context(text, offsets[s][SPAN_START], offsets[s][SPAN_END])
                    out += [
                        (quote, q, literal(c))
                        for q, c in zip((PREFIX, SUFFIX), cut, strict=True)
                        if c
                    ]
            elif p in (SPAN_PREFIX, SPAN_SUFFIX):
                out.append((quote, PREFIX if p == SPAN_PREFIX else SUFFIX, o))
            else:
                out.append((position, START if p == SPAN_START else END, o))
        elif p == EXTRACTED_WITH:
            out.append((s, LANGUAGE, JAPANESE))
            out += [(_extraction_of(s), ep, eo) for ep, eo in _extraction(s, o)]
        elif p != SOURCE_TEXT:
            out.append((s, p, o))
    return out
