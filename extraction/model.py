"""Records that flow through the pipeline: report text → incidents → triples.

Every stage between reading a file and writing triples passes these frozen
dataclasses around; none of them touches the disk or the store.  Offsets are
always into the *normalised* text of the report (see :mod:`.normalize`), so an
evidence span can be checked with ``text[start:end] == span.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The coded fields of an incident, in output order, and the vocabulary
#: section (``spec/vocabulary.yaml``) each one draws its codes from.
CODED_FIELDS: tuple[str, ...] = (
    "harms",
    "causes",
    "countermeasures",
    "systems",
    "procedures",
    "actors",
)


@dataclass(frozen=True, order=True)
class Span:
    """A stretch of the normalised report text: ``text == normalised[start:end]``."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "sentence": self.text}


#: How a value was read: a lexicon rule, similarity to exemplar sentences, or an analyst.
MECHANISMS: tuple[str, ...] = ("rule", "similarity", "curation")


@dataclass(frozen=True)
class Evidence:
    """Why a value was extracted: the sentence, the rule that fired, how sure we are, and the
    mechanism (``rule``: the lexicon; ``similarity``: the nearest exemplar sentences, see
    :mod:`.similarity`; ``curation``: an analyst)."""

    span: Span
    rule: str
    confidence: float
    mechanism: str = "rule"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.span.to_json(),
            "rule": self.rule,
            "mechanism": self.mechanism,
            "confidence": self.confidence,
        }


def evidence(span: Span, rule: str, confidence: float, *, mechanism: str = "rule") -> Evidence:
    """The evidence of a value read from ``span`` by ``rule`` (confidence to two places)."""
    return Evidence(span=span, rule=rule, confidence=round(confidence, 2), mechanism=mechanism)


@dataclass(frozen=True)
class CodedValue:
    """One vocabulary code read out of the text for one field of an incident."""

    field: str  # one of CODED_FIELDS
    code: str
    evidence: Evidence
    #: For causes, the role the text gives: trigger | root-cause | contributing | ruled-out.
    role: str | None = None


@dataclass(frozen=True)
class DateValue:
    """A date at the precision the text gives: ``2022``, ``2022-03`` or ``2022-03-15``."""

    iso: str
    evidence: Evidence

    @property
    def precision(self) -> str:
        """``year``, ``month`` or ``day``."""
        return {4: "year", 7: "month", 10: "day"}[len(self.iso)]


@dataclass(frozen=True)
class TimelineEvent:
    """A dated line of the report's timeline, with its role when the text says it."""

    date: DateValue
    role: str  # occurred | discovered | reported | apologised | remedied | other


@dataclass(frozen=True)
class OrganizationMention:
    """A body named in the report, with the body it belongs to when the text says so.

    ``name`` is the normalised name (the node key); ``label`` is as written.
    ``resolved`` is false when the name is ambiguous across the country (a bare
    ward name such as 中区) and nothing in the text settles which one is meant.
    """

    name: str
    label: str
    kind: str  # municipality | ward | section | national | company | insurer | other
    evidence: Evidence
    parent: str | None = None
    resolved: bool = True
    #: Answers for the incident (a local body, insurer, company, or a national body acting in
    #: the text) rather than merely involved (a ministry that was consulted).
    responsible: bool = True
    #: A generic word standing for bodies the text does not name (保険者, 地方公共団体): kept in
    #: the record (it says who was responsible), never made an organisation in the graph.
    generic: bool = False


@dataclass(frozen=True)
class CountValue:
    """How many cases or people were affected."""

    value: int
    evidence: Evidence


@dataclass(frozen=True)
class MeasureLink:
    """One countermeasure of an incident tied to one of its causes: stated by the text (with
    the sentence that says so) or defaulted from the reviewed table ``measures.yaml``."""

    measure: str
    cause: str
    basis: str  # stated | defaulted
    rule: str  # measure-link/purpose, measure-link/numbering, or "measures.yaml: M → C"
    evidence: Evidence | None = None  # the sentence that states it (stated links only)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "measure": self.measure,
            "cause": self.cause,
            "basis": self.basis,
            "rule": self.rule,
        }
        if self.evidence is not None:
            out.update(self.evidence.span.to_json())
        return out


@dataclass(frozen=True)
class StatusValue:
    """Where an incident stands as its report tells it, and what set it."""

    code: str  # a concept of code:incident-statuses: status-open, status-contained, …
    date: DateValue | None = None
    event: int | None = None  # 1-based position in the incident's timeline that set it

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "date": self.date.iso if self.date else None}


@dataclass(frozen=True)
class SeverityValue:
    """How serious an incident is by what its report states, and the facts read."""

    level: str  # a concept of code:severity-levels
    factors: tuple[str, ...] = ()  # concepts of code:severity-factors

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "factors": list(self.factors)}


@dataclass(frozen=True)
class CurationMark:
    """That an analyst curated an incident: who, when, whether confirmed, what was removed."""

    curator: str
    date: str  # ISO date
    confirmed: bool
    note: str = ""
    removed: tuple[tuple[str, str], ...] = ()  # (field, code) the curator took out
    #: Incidents of other reports the curator says are the same event, or are not
    #: (``REPORT_ID/incident/N`` or an IRI): the link pass follows them (graph/linking.py).
    same_as: tuple[str, ...] = ()
    not_same_as: tuple[str, ...] = ()


@dataclass(frozen=True)
class Incident:
    """One incident as read out of one report."""

    ordinal: int  # 1-based position in the report
    title: str
    span: Span  # the part of the report that tells this incident
    organizations: tuple[OrganizationMention, ...] = ()
    coded: tuple[CodedValue, ...] = ()
    occurred: DateValue | None = None
    discovered: DateValue | None = None
    resolved: DateValue | None = None  # the last remedy the timeline dates (解消, 返還, 再交付…)
    affected: CountValue | None = None
    timeline: tuple[TimelineEvent, ...] = ()
    #: Codes the report explicitly denies (個人情報の漏えいは無い): kept as facts, not coded.
    negative_findings: tuple[CodedValue, ...] = ()
    curation: CurationMark | None = None
    #: Each countermeasure tied to the cause(s) it addresses, stated or defaulted
    #: (extraction/measure_links.py); status and severity (extraction/assessment.py).
    measure_links: tuple[MeasureLink, ...] = ()
    status: StatusValue | None = None
    severity: SeverityValue | None = None

    def codes(self, field_name: str) -> list[str]:
        """The distinct codes of one field, in order of first evidence."""
        seen: dict[str, None] = {}
        for value in self.coded:
            if value.field == field_name:
                seen.setdefault(value.code, None)
        return list(seen)

    def to_json(self) -> dict[str, Any]:
        """The per-incident contract of ``spec/gold-format.md``, plus evidence."""
        out: dict[str, Any] = {
            "key": f"incident-{self.ordinal}",
            "title": self.title,
            "organizations": [org.label for org in self.organizations if org.responsible],
            "involved_organizations": [
                org.label for org in self.organizations if not org.responsible
            ],
        }
        for name in CODED_FIELDS:
            out[name] = self.codes(name)
        out["occurred"] = self.occurred.iso if self.occurred else None
        out["discovered"] = self.discovered.iso if self.discovered else None
        out["resolved"] = self.resolved.iso if self.resolved else None
        out["affected"] = self.affected.value if self.affected else None
        evidence: dict[str, Any] = {}
        for name in CODED_FIELDS:
            per_code: dict[str, list[dict[str, Any]]] = {}
            for value in self.coded:
                if value.field == name:
                    entry = value.evidence.to_json()
                    if value.role:
                        entry["role"] = value.role
                    per_code.setdefault(value.code, []).append(entry)
            if per_code:
                evidence[name] = per_code
        if self.organizations:
            evidence["organizations"] = {
                org.label: [org.evidence.to_json()] for org in self.organizations
            }
        for name in ("occurred", "discovered", "resolved", "affected"):
            value = getattr(self, name)
            if value is not None:
                evidence[name] = [value.evidence.to_json()]
        out["evidence"] = evidence
        out["negative_findings"] = [
            {"field": v.field, "code": v.code, "role": v.role, **v.evidence.to_json()}
            for v in self.negative_findings
        ]
        if self.curation is not None:
            out["curation"] = {
                "curator": self.curation.curator,
                "date": self.curation.date,
                "confirmed": self.curation.confirmed,
                "removed": [{"field": f, "code": c} for f, c in self.curation.removed],
                "note": self.curation.note,
                "same_as": list(self.curation.same_as),
                "not_same_as": list(self.curation.not_same_as),
            }
        out["timeline"] = [
            {"date": event.date.iso, "role": event.role, **event.date.evidence.span.to_json()}
            for event in self.timeline
        ]
        out.update(self._assessment_json())
        return out

    def _assessment_json(self) -> dict[str, Any]:
        """Measure links, status and severity (issue 18), apart from the gold contract."""
        return {
            "measure_links": [link.to_json() for link in self.measure_links],
            "status": self.status.to_json() if self.status else None,
            "severity": self.severity.to_json() if self.severity else None,
        }


@dataclass(frozen=True)
class Statistic:
    """An aggregate figure (a count or rate), not an incident: 173件 as of 2023-06-09."""

    label: str
    value: str  # decimal digits as written, without separators
    unit: str  # 件 | 名 | 人 | 団体 | 自治体 | 世帯 | %
    as_of: DateValue | None
    evidence: Evidence

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "as_of": self.as_of.iso if self.as_of else None,
            "evidence": self.evidence.to_json(),
        }


@dataclass(frozen=True)
class Section:
    """A headed part of a report, with the role its heading gives it."""

    heading: str
    role: str  # summary | content | timeline | cause | countermeasure | response | contact | other
    span: Span


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input, kept as data so the batch can go on."""

    source: str  # file name
    kind: str  # empty | binary | encoding | no-incident | unreadable | ...
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass(frozen=True)
class Report:
    """A report read and analysed: its normalised text and the incidents in it."""

    report_id: str  # stable, from the file name
    source: str  # file name as given
    sha256: str  # of the normalised text
    text: str  # normalised text; every Span points into it
    title: str
    published: DateValue | None = None
    sections: tuple[Section, ...] = ()
    incidents: tuple[Incident, ...] = ()
    statistics: tuple[Statistic, ...] = ()
    problems: tuple[Problem, ...] = field(default=())
    #: The text as read, and for each normalised character where it came from
    #: (``len(text) + 1`` entries), so evidence can be shown as written.
    original: str = ""
    offsets: tuple[int, ...] = ()
    #: Who published the report and where, when known (a ``<stem>.source.yaml`` sidecar;
    #: see graph/publication.py).
    publisher: str | None = None
    url: str | None = None

    def as_written(self, span: Span) -> str:
        """The raw text a span of the normalised text came from (PDF line breaks and all)."""
        if len(self.offsets) != len(self.text) + 1:
            return span.text
        return self.original[self.offsets[span.start] : self.offsets[span.end]].strip()

    def _with_as_written(self, value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: self._with_as_written(v) for k, v in value.items()}
            if "sentence" in out and "start" in out and "end" in out:
                span = Span(out["start"], out["end"], out["sentence"])
                out["as_written"] = self.as_written(span)
            return out
        if isinstance(value, list):
            return [self._with_as_written(v) for v in value]
        return value

    def to_json(self) -> dict[str, Any]:
        """The per-report contract of ``spec/gold-format.md``; evidence also as written."""
        return {
            "report": self.source,
            "report_id": self.report_id,
            "title": self.title,
            "published": self.published.iso if self.published else None,
            "incidents": [self._with_as_written(i.to_json()) for i in self.incidents],
            "statistics": [self._with_as_written(st.to_json()) for st in self.statistics],
            "problems": [
                {"kind": p.kind, "severity": p.severity, "message": p.message}
                for p in self.problems
            ],
        }
