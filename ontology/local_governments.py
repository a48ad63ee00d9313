"""Japanese local governments and their 全国地方公共団体コード (local-government codes).

The table (``local-governments.tsv``, a dated plain file with its source in its header) gives
each prefecture, city, town, village and special ward of Tokyo its 6-digit code: the five
digits of JIS X 0402 and a check digit.  Organisations the extractor resolves to one of them
get an IRI minted from that code under one namespace shared by every agency
(:data:`LOCAL_GOVERNMENT_BASE`), so that two agencies' exports name 堺市 by the same node
whatever base IRI each builds under.

A name is looked up as the extractor normalises it (``堺市``, ``大阪府``, ``千代田区``; a ward
or section key such as ``熊本市中央区/区民課`` starts with its city's name).  A name that
several local governments share (府中市 in Tokyo and in Hiroshima, 伊達市, 美里町…) is known
only with its prefecture (``東京都府中市``); alone it finds nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from urllib.parse import quote

#: Where local governments are named: ``<LOCAL_GOVERNMENT_BASE><code>``, for every agency.
LOCAL_GOVERNMENT_BASE = "https://w3id.org/incident-kg/lg/"
TABLE_FILE = "local-governments.tsv"
_WEIGHTS = (6, 5, 4, 3, 2)


@dataclass(frozen=True)
class LocalGovernment:
    """One row of the table."""

    code: str  # 6 digits: JIS X 0402 (5) + check digit
    prefecture: str
    name: str  # empty for a prefecture
    kind: str  # prefecture | municipality | special-ward

    @property
    def label(self) -> str:
        """Its name as written on its own (大阪府, 堺市)."""
        return self.name or self.prefecture

    @property
    def iri(self) -> str:
        return LOCAL_GOVERNMENT_BASE + self.code


def check_digit(code5: str) -> str:
    """The check digit of a 5-digit JIS X 0402 code (総務省's rule: 11 − Σ digit × weight
    (6 5 4 3 2) mod 11, its last digit)."""
    total = sum(int(d) * w for d, w in zip(code5, _WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


@dataclass(frozen=True)
class LocalGovernmentTable:
    """The table with its look-ups: by code, and by name where the name is unique."""

    rows: tuple[LocalGovernment, ...]
    _names: dict[str, LocalGovernment] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.label] = counts.get(row.label, 0) + 1
        names = {row.label: row for row in self.rows if counts[row.label] == 1}
        names.update({row.prefecture + row.name: row for row in self.rows if row.name})
        object.__setattr__(self, "_names", names)

    @classmethod
    def parse(cls, text: str) -> LocalGovernmentTable:
        lines = [line for line in text.splitlines() if line and not line.startswith("#")]
        reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t")
        return cls(tuple(LocalGovernment(**row) for row in reader))

    @property
    def by_code(self) -> dict[str, LocalGovernment]:
        return {row.code: row for row in self.rows}

    def find(self, name: str) -> LocalGovernment | None:
        """The local government a normalised name is, if exactly one is: a name only one
        holds (堺市, 大阪府), or any municipality with its prefecture (東京都府中市)."""
        return self._names.get(name)

    def body_of(self, key: str, *, parents: Iterable[str] = ()) -> LocalGovernment | None:
        """The local government an organisation key is, or is part of: ``堺市`` itself,
        ``熊本市中央区`` (a ward of it), ``熊本市/地域政策課`` (a section).  ``parents`` are the
        keys above it as the extractor gives them, tried first."""
        for name in (key, *parents):
            found = self.find(name.split("/", 1)[0])
            if found is not None:
                return found
        head = key.split("/", 1)[0]
        for end in range(len(head) - 1, 1, -1):
            found = self.find(head[:end])
            if found is not None and found.kind != "prefecture" and head[end:].endswith("区"):
                return found  # a designated city's ward: 熊本市中央区
        return None


@cache
def local_governments() -> LocalGovernmentTable:
    """The table shipped with the package (parsed once per process: it never changes)."""
    text = files("incident_kg.ontology").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return LocalGovernmentTable.parse(text)


def shared_iri(key: str, *, table: LocalGovernmentTable | None = None) -> str | None:
    """The shared IRI of a resolved organisation that is a local government or a unit of one:
    ``<base><code>`` for the body itself (堺市 → ``…/lg/271403``), ``<base><code>/<rest>``
    for a ward or section under it (熊本市中央区/区民課 → ``…/lg/431001/中央区/区民課``); None
    when the key names no local government of the table."""
    table = table or local_governments()
    body = table.body_of(key)
    if body is None:
        return None
    head, _, unit = key.partition("/")
    for name in (body.prefecture + body.name, body.label):
        if head.startswith(name):
            head = head[len(name) :]
            break
    rest = [part for part in (head, *unit.split("/")) if part]
    return body.iri + "".join("/" + quote(part, safe="") for part in rest)


def code_of(key: str, *, table: LocalGovernmentTable | None = None) -> str | None:
    """The code of the local government a key names itself (not a unit of it)."""
    table = table or local_governments()
    found = table.find(key)
    return found.code if found is not None else None


__all__ = [
    "LOCAL_GOVERNMENT_BASE",
    "LocalGovernment",
    "LocalGovernmentTable",
    "check_digit",
    "code_of",
    "local_governments",
    "shared_iri",
]
