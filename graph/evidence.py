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
  ``…/quote``, ``…/position``: graph/triples.py).

:func:`compact` turns a report graph's triples into that form, and only where
:func:`expand` gives back exactly the triples it replaced: an annotation or a span of any
other shape (an import of another tool's data, a later version) is kept as it came.
:func:`expand` is the one place that spells out the full form — exports, push, SHACL
validation and reasoning read report graphs through it — so an export of the compact
store has the same triples as an export of the full one.

Triples here are tuples of N-Triples terms (``<iri>``, ``"literal"^^<type>``, ``_:b``),
the form the store writes and exports sort.
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

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


def compact(triples: Iterable[Triple]) -> tuple[list[Triple], list[Triple]]:
    """One report graph's triples in the store's compact form: (the graph's triples, the
    readings they use).  Only what :func:`expand` restores exactly is compacted."""
    triples = list(dict.fromkeys(triples))  # a graph is a set: a repeated triple is one
    subjects = _by_subject(triples)
    referenced: dict[str, int] = defaultdict(int)  # how often a node is an object
    for _, _, o in triples:
        if o.startswith("<"):
            referenced[o] += 1
    out: list[Triple] = []
    readings: dict[str, list[tuple[str, str]]] = {}
    replaced: set[str] = set()  # selector nodes folded into their span
    spans: dict[str, list[tuple[str, str]]] = {}
    for subject, pairs in subjects.items():
        if (TYPE, SPECIFIC_RESOURCE) in pairs:
            folded = _compact_span(subject, pairs, subjects)
            if folded is not None and all(referenced[n] == 1 for n in folded[1]):
                spans[subject] = folded[0]
                replaced.update(folded[1])
    for subject, pairs in subjects.items():
        if subject in replaced:
            continue
        if subject in spans:
            out += [(subject, p, o) for p, o in spans[subject]]
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
    quote and position selectors.  Triples already in full form pass unchanged.

    The one place the full form is written: what an export or a push gives of the evidence
    is decided here."""
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
            elif p in (SPAN_PREFIX, SPAN_SUFFIX):
                out.append((quote, PREFIX if p == SPAN_PREFIX else SUFFIX, o))
            else:
                out.append((position, START if p == SPAN_START else END, o))
        else:
            out.append((s, p, o))
    return out
