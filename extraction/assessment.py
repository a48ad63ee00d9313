"""Assessment: an incident's lifecycle status and severity, read from what its report states,
and its measures tied to causes — after curation, as the last step before the graph.

Rules are data (``ontology/assessment.yaml``):

* **status** — closed (remedied, and the report states measures against recurrence; dated
  by the report), remedied (a dated remedy in the timeline; the last one), contained (a
  service suspended, or a timeline sentence with a containment word; the first), else open
  (dated by the discovery, else the occurrence);
* **severity** — factors (personal data leaked, no leak stated, service stopped, the band of
  the affected count) and the level of the first rule whose conditions all hold.

Pure functions over the records.
"""

from __future__ import annotations

from dataclasses import replace

from incident_kg.ontology.tables import AssessmentRules, LevelRule, Tables

from .coding import Analyzer, Lexicon
from .measure_links import link_measures
from .model import DateValue, Incident, Report, SeverityValue, StatusValue


def _last(events: list[tuple[int, DateValue]]) -> tuple[int, DateValue] | None:
    return max(events, key=lambda e: (e[1].iso, e[0])) if events else None


def assess_status(
    incident: Incident, published: DateValue | None, rules: AssessmentRules
) -> StatusValue:
    """Where the incident stands as its report tells it, with the date (and timeline event)
    that set it."""
    remedies = [(k, e.date) for k, e in enumerate(incident.timeline, 1) if e.role == "remedied"]
    remedy = _last(remedies)
    measures = set(incident.codes("countermeasures"))
    if remedy is not None or incident.resolved is not None:
        remedy_date = remedy[1] if remedy else incident.resolved
        if measures or not rules.closing_needs_countermeasures:
            return StatusValue("status-closed", published or remedy_date)
        return StatusValue("status-remedied", remedy_date, remedy[0] if remedy else None)
    contained = [
        (k, e.date)
        for k, e in enumerate(incident.timeline, 1)
        if any(word in e.date.evidence.span.text for word in rules.containment_words)
    ]
    if contained:
        k, date = min(contained, key=lambda e: (e[1].iso, e[0]))
        return StatusValue("status-contained", date, k)
    if measures & rules.containment_measures:
        return StatusValue("status-contained", None)
    return StatusValue("status-open", incident.discovered or incident.occurred)


def _holds(rule: LevelRule, leaked: bool, stopped: bool, affected: int | None) -> bool:
    if rule.leaked is not None and rule.leaked != leaked:
        return False
    if rule.service_stopped is not None and rule.service_stopped != stopped:
        return False
    return rule.affected_at_least is None or (
        affected is not None and affected >= rule.affected_at_least
    )


def assess_severity(incident: Incident, rules: AssessmentRules) -> SeverityValue:
    """The severity level and the facts it was read from."""
    leaked = rules.leak_harm in incident.codes("harms")
    denied = any(
        v.field == "harms" and v.code == rules.leak_harm for v in incident.negative_findings
    )
    stopped = bool(set(incident.codes("countermeasures")) & rules.service_stop_measures)
    affected = incident.affected.value if incident.affected else None
    factors: list[str] = []
    if leaked:
        factors.append("factor-data-leaked")
    elif denied:
        factors.append("factor-no-leak-stated")
    if stopped:
        factors.append("factor-service-stopped")
    if affected is not None:
        band = [factor for start, factor in rules.affected_bands if affected >= start]
        if band:
            factors.append(band[-1])
    level = next(
        (r.level for r in rules.levels if _holds(r, leaked, stopped, affected)), "severity-low"
    )
    return SeverityValue(level, tuple(factors))


def assess_incident(
    incident: Incident,
    published: DateValue | None,
    lexicon: Lexicon,
    analyzer: Analyzer,
    tables: Tables,
) -> Incident:
    """The incident with its measure links, status and severity."""
    return replace(
        incident,
        measure_links=link_measures(incident, lexicon, analyzer, tables.measures),
        status=assess_status(incident, published, tables.assessment),
        severity=assess_severity(incident, tables.assessment),
    )


def assess_report(report: Report, lexicon: Lexicon, analyzer: Analyzer, tables: Tables) -> Report:
    """Every incident of the report assessed (run after curation: it reads the final codes)."""
    return replace(
        report,
        incidents=tuple(
            assess_incident(i, report.published, lexicon, analyzer, tables)
            for i in report.incidents
        ),
    )


__all__ = ["assess_incident", "assess_report", "assess_severity", "assess_status"]
