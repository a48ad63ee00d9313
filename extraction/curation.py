"""Curation: an analyst's corrections of one report's extraction, kept in a sidecar file.

A report ``reports/003.txt`` may have a sidecar ``reports/003.curation.yaml``::

    curator: audit-team-07          # who (a role or staff id rather than a name)
    date: 2026-11-20                # when
    incidents:
      - incident: 2                 # as `incident-kg extract` numbers them
        confirm: true               # the extraction was checked as a whole
        add:    {causes: [ManualNonCompliance]}
        remove: {causes: [InadequateProcedure]}
        set:    {occurred: 2022-03-15, discovered: 2023-10-10, affected: 2}
        organizations: {add: [横浜市中区役所], remove: [中区]}
        evidence: {ManualNonCompliance: "担当した職員の処理が漏れていました。"}   # optional
        note: checked against the ward's own minutes
        same-as: [004_d033e62ab533392d/incident/1]      # the same event as another report's
        not-same-as: [s03-kumamoto-council/incident/2]  # looks alike, is another event

``same-as`` and ``not-same-as`` (optional) name incidents of other reports as
``REPORT_ID/incident/N`` (or by IRI): the link pass (graph/linking.py) then links them,
or never does, whatever the facts say; delete the line to undo.

The build applies it every time the report is loaded (:func:`apply_curation`, a
pure function); the graph records which facts were curated, by whom and when.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from incident_kg.errors import FileReadError, IncidentKGError, UnknownCodeError
from incident_kg.files import read_text_bounded

from .dates import iso_from_yaml
from .model import (
    CODED_FIELDS,
    CodedValue,
    CountValue,
    CurationMark,
    DateValue,
    Evidence,
    Incident,
    OrganizationMention,
    Report,
    Span,
)
from .organizations import normalize_name

SIDECAR_SUFFIX = ".curation.yaml"
#: Largest sidecar read (a few corrections take a few kilobytes).
MAX_SIDECAR_BYTES = 1 << 20
CURATION_RULE = "curation"


class CurationError(IncidentKGError):
    """A sidecar that cannot be read or applied (one line, naming the file)."""


@dataclass(frozen=True)
class IncidentCuration:
    """The corrections to one incident."""

    incident: int
    confirm: bool = False
    add: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    remove: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    set_values: Mapping[str, str] = field(default_factory=dict)
    add_organizations: tuple[str, ...] = ()
    remove_organizations: tuple[str, ...] = ()
    evidence: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    same_as: tuple[str, ...] = ()
    not_same_as: tuple[str, ...] = ()


#: How a sidecar names an incident of another report: REPORT_ID/incident/N, or an IRI.
INCIDENT_REF = re.compile(r"^(https?://\S+/incident/[0-9]+|[A-Za-z0-9._~%-]+/incident/[0-9]+)$")


def _refs(raw: object, *, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    values = raw if isinstance(raw, list) else [raw]
    for value in values:
        if not isinstance(value, str) or not INCIDENT_REF.match(value.strip()):
            raise CurationError(
                f"{where}: {value!r} is not an incident (REPORT_ID/incident/N or an IRI)"
            )
    return tuple(str(v).strip() for v in values)


@dataclass(frozen=True)
class Curation:
    """A whole sidecar: who curated, when, and what."""

    source: str
    curator: str
    date: str
    incidents: tuple[IncidentCuration, ...]


def sidecar_for(report_path: Path) -> Path:
    """Where the sidecar of a report lives: beside it, ``<stem>.curation.yaml``."""
    return report_path.with_name(report_path.stem + SIDECAR_SUFFIX)


def _date(value: object, *, where: str) -> str:
    try:
        return iso_from_yaml(value)
    except ValueError as exc:
        raise CurationError(f"{where}: {exc}") from None


def _code_map(
    raw: object, *, where: str, known: Mapping[str, set[str]]
) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CurationError(f"{where}: expected a mapping of field → codes")
    out: dict[str, tuple[str, ...]] = {}
    for name, codes in raw.items():
        if name not in CODED_FIELDS:
            raise CurationError(f"{where}: unknown field {name!r}")
        codes = codes if isinstance(codes, list) else [codes]
        for code in codes:
            if code not in known.get(name, set()):
                raise UnknownCodeError(f"{where}: unknown {name} code {code!r}")
        out[name] = tuple(str(c) for c in codes)
    return out


def parse_curation(data: object, *, source: str, known_codes: Mapping[str, set[str]]) -> Curation:
    """A sidecar's YAML data → :class:`Curation`, checked against the vocabulary."""
    if not isinstance(data, dict):
        raise CurationError(f"{source}: a curation file is a mapping with curator, date, incidents")
    for key in ("curator", "date", "incidents"):
        if key not in data:
            raise CurationError(f"{source}: missing {key!r}")
    items = data["incidents"]
    if not isinstance(items, list):
        raise CurationError(f"{source}: 'incidents' must be a list")
    incidents: list[IncidentCuration] = []
    for i, item in enumerate(items):
        where = f"{source}: incidents[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("incident"), int):
            raise CurationError(f"{where}: each entry needs 'incident: N'")
        values: dict[str, str] = {}
        for key, value in (item.get("set") or {}).items():
            if key in ("occurred", "discovered"):
                values[key] = _date(value, where=f"{where}.set.{key}")
            elif key == "affected" and isinstance(value, int) and value >= 0:
                values[key] = str(value)
            else:
                raise CurationError(f"{where}.set: cannot set {key!r} to {value!r}")
        orgs = item.get("organizations") or {}
        incidents.append(
            IncidentCuration(
                incident=item["incident"],
                confirm=bool(item.get("confirm", False)),
                add=_code_map(item.get("add"), where=f"{where}.add", known=known_codes),
                remove=_code_map(item.get("remove"), where=f"{where}.remove", known=known_codes),
                set_values=values,
                add_organizations=tuple(str(o) for o in orgs.get("add", []) or []),
                remove_organizations=tuple(str(o) for o in orgs.get("remove", []) or []),
                evidence={str(k): str(v) for k, v in (item.get("evidence") or {}).items()},
                note=str(item.get("note", "")),
                same_as=_refs(item.get("same-as"), where=f"{where}.same-as"),
                not_same_as=_refs(item.get("not-same-as"), where=f"{where}.not-same-as"),
            )
        )
    return Curation(
        source, str(data["curator"]), _date(data["date"], where=f"{source}: date"), tuple(incidents)
    )


def load_curation(path: Path, *, known_codes: Mapping[str, set[str]]) -> Curation:
    """Read a sidecar file (raises CurationError / UnknownCodeError naming it)."""
    try:
        data: Any = yaml.safe_load(read_text_bounded(path, MAX_SIDECAR_BYTES))
    except FileReadError as exc:
        raise CurationError(f"{path}: cannot read curation file: {exc.message}") from exc
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CurationError(f"{path}: cannot read curation file: {first}") from exc
    return parse_curation(data, source=path.name, known_codes=known_codes)


def _span_for(report: Report, incident: Incident, sentence: str | None) -> Span:
    """The curator's evidence sentence when it is in the text, else the incident's title line."""
    if sentence:
        start = report.text.find(sentence)
        if start >= 0:
            return Span(start, start + len(sentence), sentence)
    title_end = report.text.find("\n", incident.span.start)
    end = title_end if title_end > incident.span.start else incident.span.end
    return Span(incident.span.start, end, report.text[incident.span.start : end])


def _curated(report: Report, incident: Incident, fix: IncidentCuration, key: str) -> Evidence:
    return Evidence(
        _span_for(report, incident, fix.evidence.get(key)), CURATION_RULE, 1.0, mechanism="curation"
    )


def _apply(
    report: Report, incident: Incident, fix: IncidentCuration, curation: Curation
) -> Incident:
    removed = {(f, c) for f, codes in fix.remove.items() for c in codes}
    coded = [v for v in incident.coded if (v.field, v.code) not in removed]
    present = {(v.field, v.code) for v in coded}
    # a code only similarity inferred that the curator adds is confirmed: it gets the curator's
    # evidence beside the inferred one (and counts as curated, no longer as inferred)
    inferred = {(v.field, v.code) for v in coded if v.evidence.mechanism == "similarity"} - {
        (v.field, v.code) for v in coded if v.evidence.mechanism != "similarity"
    }
    for name, codes in fix.add.items():
        for code in codes:
            if (name, code) not in present or (name, code) in inferred:
                coded.append(CodedValue(name, code, _curated(report, incident, fix, code)))
                present.add((name, code))
                inferred.discard((name, code))
    orgs = [
        o
        for o in incident.organizations
        if normalize_name(o.label) not in {normalize_name(r) for r in fix.remove_organizations}
    ]
    for label in fix.add_organizations:
        name = normalize_name(label)
        if all(o.name != name for o in orgs):
            orgs.append(
                OrganizationMention(name, label, "other", _curated(report, incident, fix, label))
            )
    changes: dict[str, Any] = {}
    for key, value in fix.set_values.items():
        evidence = _curated(report, incident, fix, key)
        changes[key] = (
            CountValue(int(value), evidence) if key == "affected" else DateValue(value, evidence)
        )
    mark = CurationMark(
        curation.curator,
        curation.date,
        fix.confirm,
        fix.note,
        tuple(sorted(removed)),
        same_as=fix.same_as,
        not_same_as=fix.not_same_as,
    )
    return replace(
        incident, coded=tuple(coded), organizations=tuple(orgs), curation=mark, **changes
    )


def apply_curation(report: Report, curation: Curation) -> Report:
    """The report with an analyst's corrections applied (pure)."""
    by_number = {fix.incident: fix for fix in curation.incidents}
    unknown = sorted(set(by_number) - {i.ordinal for i in report.incidents})
    if unknown:
        raise CurationError(
            f"{curation.source}: no incident {unknown[0]} in {report.source} "
            f"(it has {len(report.incidents)})"
        )
    incidents = tuple(
        _apply(report, i, by_number[i.ordinal], curation) if i.ordinal in by_number else i
        for i in report.incidents
    )
    return replace(report, incidents=incidents)
