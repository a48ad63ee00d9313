"""Gold annotations: the YAML files of ``spec/gold-format.md`` read into records.

A gold file says, for one report, what a careful analyst reads out of it; a malformed file
is refused with one line naming it and the problem (:class:`GoldFormatError`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from incident_kg.errors import FileReadError, GoldFormatError
from incident_kg.files import read_text_bounded

from .dates import iso_from_yaml
from .model import CODED_FIELDS

log = logging.getLogger(__name__)

DATE_FIELDS: tuple[str, ...] = ("occurred", "discovered")
VALUE_FIELDS: tuple[str, ...] = (*DATE_FIELDS, "affected")

#: Largest gold file read (a report's annotations take a few kilobytes).
MAX_GOLD_BYTES = 1 << 20
_REPORT_KEYS = frozenset({"report", "published", "incidents"})
_INCIDENT_KEYS = frozenset({"key", "organizations", *CODED_FIELDS, *VALUE_FIELDS, "also_ok"})


@dataclass(frozen=True)
class GoldIncident:
    """One incident of a gold file; a field the file does not give is ``None`` / absent."""

    key: str
    codes: Mapping[str, frozenset[str]]  # coded field → codes, only the fields given
    also_ok: Mapping[str, frozenset[str]] = field(default_factory=dict)
    organizations: tuple[str, ...] | None = None
    occurred: tuple[str, ...] | None = None  # acceptable ISO dates
    discovered: tuple[str, ...] | None = None
    affected: tuple[int, ...] | None = None  # acceptable counts

    def accepted(self, name: str) -> tuple[str, ...] | tuple[int, ...] | None:
        """The acceptable values of ``occurred``, ``discovered`` or ``affected``."""
        if name not in VALUE_FIELDS:
            raise ValueError(f"not a value field: {name}")
        value: tuple[str, ...] | tuple[int, ...] | None = getattr(self, name)
        return value


@dataclass(frozen=True)
class GoldReport:
    """The gold annotation of one report, keyed by the report's file name."""

    report: str  # file name (basename) of the report
    incidents: tuple[GoldIncident, ...]
    published: str | None = None
    source: str = ""  # the gold file it was read from


def report_name(path: str) -> str:
    """The file name a report is matched by: the last part of a POSIX or Windows path."""
    return re.split(r"[\\/]", path.strip())[-1]


def iso_date(value: object, *, where: str) -> str:
    """A YAML date (``datetime.date``, the int ``2022`` or a string) as ISO text at its precision."""
    try:
        return iso_from_yaml(value)
    except ValueError as exc:
        raise GoldFormatError(f"{where}: {exc}") from None


def _as_list(value: object, *, where: str) -> list[object]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise GoldFormatError(f"{where}: an empty list accepts nothing; leave the field out")
    return items


def _dates(value: object, *, where: str) -> tuple[str, ...]:
    return tuple(iso_date(v, where=where) for v in _as_list(value, where=where))


def _counts(value: object, *, where: str) -> tuple[int, ...]:
    counts: list[int] = []
    for item in _as_list(value, where=where):
        if isinstance(item, bool) or not isinstance(item, int) or item < 0:
            raise GoldFormatError(
                f"{where}: expected a count (an integer or a list of integers), not {item!r}"
            )
        counts.append(item)
    return tuple(counts)


def _strings(value: object, *, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise GoldFormatError(f"{where}: expected a list of {what}, not {type(value).__name__}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise GoldFormatError(f"{where}: expected a list of {what}, found {item!r}")
    return tuple(value)


def _also_ok(value: object, *, where: str) -> dict[str, frozenset[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise GoldFormatError(f"{where}: expected a mapping of field → codes")
    # organisations too: a body that may be named or not (scored neither way, as codes are)
    unknown = sorted(str(k) for k in value if k not in (*CODED_FIELDS, "organizations"))
    if unknown:
        raise GoldFormatError(f"{where}: not a coded field: {', '.join(unknown)}")
    return {
        name: frozenset(_strings(codes, where=f"{where}.{name}", what="codes"))
        for name, codes in value.items()
    }


def parse_incident(data: object, *, where: str) -> GoldIncident:
    """One entry of a gold file's ``incidents`` list (raises GoldFormatError)."""
    if not isinstance(data, dict):
        raise GoldFormatError(f"{where}: an incident must be a mapping, not {data!r}")
    key = data.get("key")
    if not isinstance(key, str) or not key.strip():
        raise GoldFormatError(f"{where}: every incident needs a 'key' (free text)")
    where = f"{where} ({key})"
    unknown = sorted(str(k) for k in data if k not in _INCIDENT_KEYS)
    if unknown:
        raise GoldFormatError(f"{where}: unknown field: {', '.join(unknown)}")
    given = {name: value for name, value in data.items() if value is not None}  # null: absent
    orgs = given.get("organizations")
    dates = {
        name: _dates(given[name], where=f"{where}.{name}") if name in given else None
        for name in DATE_FIELDS
    }
    return GoldIncident(
        key=key,
        codes={
            name: frozenset(_strings(given[name], where=f"{where}.{name}", what="codes"))
            for name in CODED_FIELDS
            if name in given
        },
        also_ok=_also_ok(given.get("also_ok"), where=f"{where}.also_ok"),
        organizations=None
        if orgs is None
        else _strings(orgs, where=f"{where}.organizations", what="labels"),
        occurred=dates["occurred"],
        discovered=dates["discovered"],
        affected=_counts(given["affected"], where=f"{where}.affected")
        if "affected" in given
        else None,
    )


def parse_gold(data: object, *, source: str) -> GoldReport:
    """One gold file's YAML data → :class:`GoldReport` (raises GoldFormatError naming ``source``)."""
    if data is None:
        raise GoldFormatError(f"{source}: the gold file is empty")
    if not isinstance(data, dict):
        raise GoldFormatError(
            f"{source}: a gold file must be a mapping with 'report' and 'incidents'"
        )
    unknown = sorted(str(k) for k in data if k not in _REPORT_KEYS)
    if unknown:
        raise GoldFormatError(f"{source}: unknown field: {', '.join(unknown)}")
    report = data.get("report")
    if not isinstance(report, str) or not report.strip():
        raise GoldFormatError(f"{source}: 'report' must name the report file")
    incidents = data.get("incidents")
    if not isinstance(incidents, list):
        raise GoldFormatError(f"{source}: 'incidents' must be a list (incidents: [] for none)")
    parsed = tuple(
        parse_incident(item, where=f"{source}: incident {n}") for n, item in enumerate(incidents, 1)
    )
    keys = [inc.key for inc in parsed]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise GoldFormatError(f"{source}: incident key used twice: {', '.join(repeated)}")
    published = data.get("published")
    return GoldReport(
        report=report_name(report),
        incidents=parsed,
        published=None if published is None else iso_date(published, where=f"{source}: published"),
        source=source,
    )


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        return f"line {exc.problem_mark.line + 1}: {exc.problem}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def load_gold(directory: Path) -> dict[str, GoldReport]:
    """Every ``*.yaml`` / ``*.yml`` gold file of a folder, keyed by report file name."""
    if not directory.is_dir():
        raise GoldFormatError(f"{directory}: no such gold folder")
    out: dict[str, GoldReport] = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml")):
        try:
            data = yaml.safe_load(read_text_bounded(path, MAX_GOLD_BYTES))
        except FileReadError as exc:
            raise GoldFormatError(f"{path}: cannot read the gold file: {exc.message}") from exc
        except yaml.YAMLError as exc:
            raise GoldFormatError(f"{path}: not valid YAML, {_yaml_problem(exc)}") from exc
        gold = parse_gold(data, source=str(path))
        if gold.report in out:
            raise GoldFormatError(
                f"{path}: report {gold.report} is annotated twice (also in {out[gold.report].source})"
            )
        out[gold.report] = gold
    return out
