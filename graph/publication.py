"""Who published a report, and where: its publisher and URL.

A report file may have a sidecar beside it, ``<stem>.source.yaml``::

    publisher: 堺市                                  # the body that published the report
    url: https://www.city.sakai.lg.jp/…/index.html   # where it was published

Both keys are optional; a build reads the sidecar with the report (its bytes are part of the
report's source digest, so editing it rebuilds the report).  Without a ``publisher`` the
publisher is taken from the extraction when the report makes it plain: every incident's
responsible organisations belong to one and the same body (a city's report about its own
ward offices and sections names the city; a ministry acting in it is not its author).  A report about several bodies' incidents (a
regulator's summary) has no publisher unless its sidecar names one.  The URL is known only
from the sidecar.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from incident_kg.errors import FileReadError, IncidentKGError
from incident_kg.extraction.curation import MAX_SIDECAR_BYTES
from incident_kg.extraction.model import Evidence, OrganizationMention, Report, Span
from incident_kg.extraction.organizations import normalize_name
from incident_kg.files import read_text_bounded
from incident_kg.ontology.local_governments import local_governments

SOURCE_SUFFIX = ".source.yaml"
_KEYS = frozenset({"publisher", "url"})


class SourceSidecarError(IncidentKGError):
    """A ``.source.yaml`` sidecar that cannot be read (one line, naming the file)."""


@dataclass(frozen=True)
class ReportSource:
    """What a source sidecar says."""

    publisher: str | None = None
    url: str | None = None


def source_sidecar_for(report_path: Path) -> Path:
    """Where the source sidecar of a report lives: beside it, ``<stem>.source.yaml``."""
    return report_path.with_name(report_path.stem + SOURCE_SUFFIX)


def parse_source(data: object, *, where: str) -> ReportSource:
    """A sidecar's YAML data → :class:`ReportSource`, checked."""
    if data is None:
        return ReportSource()
    if not isinstance(data, dict) or not set(data) <= _KEYS:
        raise SourceSidecarError(f"{where}: a source sidecar is a mapping of publisher and url")
    publisher = data.get("publisher")
    url = data.get("url")
    if publisher is not None and (not isinstance(publisher, str) or not publisher.strip()):
        raise SourceSidecarError(f"{where}: publisher must be a name")
    if url is not None:
        parts = urllib.parse.urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in str(url):
            raise SourceSidecarError(f"{where}: url must be an http(s) URL, not {url!r}")
    return ReportSource(normalize_name(publisher) if publisher else None, str(url) if url else None)


def load_source(report_path: Path) -> ReportSource:
    """The source sidecar of a report, or an empty :class:`ReportSource` when it has none."""
    sidecar = source_sidecar_for(report_path)
    if not sidecar.is_file():
        return ReportSource()
    try:
        data = yaml.safe_load(read_text_bounded(sidecar, MAX_SIDECAR_BYTES))
    except FileReadError as exc:
        raise SourceSidecarError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise SourceSidecarError(f"{sidecar}: cannot be read ({exc.__class__.__name__})") from None
    return parse_source(data, where=str(sidecar))


def with_source(report: Report, source: ReportSource) -> Report:
    """The report with what its sidecar says of its publication."""
    if source == ReportSource():
        return report
    return replace(report, publisher=source.publisher, url=source.url)


_NO_EVIDENCE = Evidence(Span(0, 0, ""), "source", 1.0)


def _body(name: str) -> OrganizationMention:
    """An organisation named by a publisher's name: a local government of the table, or a
    body known by its name only."""
    found = local_governments().find(name)
    kind = "other" if found is None else found.kind.replace("special-ward", "municipality")
    return OrganizationMention(name, name, kind, _NO_EVIDENCE)


def _top(org: OrganizationMention) -> str | None:
    """The body an organisation belongs to: the local government of a ward or section, the
    parent of another unit, the organisation itself otherwise; None when unresolved."""
    if not org.resolved:
        return None
    body = local_governments().body_of(org.name)
    if body is not None:
        return body.label
    if org.kind in ("section", "ward") and org.parent:
        return org.parent
    return org.name.split("/", 1)[0] if org.kind == "section" else org.name


def publisher_of(report: Report) -> OrganizationMention | None:
    """The report's publisher: its sidecar's, else the one body every incident's responsible
    organisations belong to (:func:`_top`), else None."""
    if report.publisher:
        return _body(report.publisher)
    named = {o.name: o for i in report.incidents for o in i.organizations}
    responsible = [o for o in named.values() if o.responsible and not o.generic]
    # a national body acting in a local body's report (総務省 asked it to report) is not its
    # author; a national body is the publisher only of a report no other body answers for
    local = [o for o in responsible if o.kind != "national"]
    tops = {_top(o) for o in (local or responsible)}
    if len(tops) != 1 or None in tops:
        return None
    name = tops.pop()
    assert name is not None
    return named.get(name) or _body(name)


__all__ = [
    "SOURCE_SUFFIX",
    "ReportSource",
    "SourceSidecarError",
    "load_source",
    "parse_source",
    "publisher_of",
    "source_sidecar_for",
    "with_source",
]
