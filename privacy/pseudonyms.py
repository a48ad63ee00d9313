"""IRIs that leave the office without the names they were minted from.

A report's IRIs are minted from its file name (``…/report/<file stem>/incident/1``,
``…/graph/<file stem>``), and a file name may hold a person's name or an individual
number (``山田太郎様_123456789018.txt``); an organisation's IRI is minted from its name and
a curator's from the curator's name.  Whatever leaves the office redacted (a sharing
export, a push, a view) goes through a :class:`Pseudonymiser` first:

* the identifier of every report (its file stem) is replaced, in every IRI and in its
  ``dcterms:identifier``, by a **pseudonym**: ``x`` and twenty letters, a keyed digest
  (HMAC-SHA-256) of the identifier under a secret kept in the store's record keeping
  (never exported, served or pushed) — stable for one store, so the same store still
  gives the same bytes, and not to be reversed by hashing guesses of file names;
* a curator's IRI always, and any other IRI path segment in which redaction
  (:mod:`.redact`) finds personal data, get a pseudonym the same way;
* a report's file name (``ikg:sourceFile``) becomes the placeholder ［ファイル名］ and a
  curator's name ［氏名］.

A pseudonym is left as it is (``x`` + twenty lowercase letters holds no personal data), so
data received redacted and shared again keeps its names.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from .redact import RedactionRules, find

#: What a pseudonym looks like.
PSEUDONYM = re.compile(r"x[a-z]{20}")
#: Placeholder kind and text for a file name.
FILE_NAME = "file-name"
#: What a path segment must hold for the redaction rules to find anything in it: a character
#: that is not ASCII (a name, a full-width digit, the words before an account number), an
#: ``@`` (an e-mail address) or ten digits (an individual or a phone number).
_MAYBE_PERSONAL = re.compile(r"[^\x00-\x7f]|@|(?:[^0-9]*[0-9]){10}")
#: Path segments after which comes a report's identifier (its graph, its IRI).
_ID_FOLLOWS = ("report", "graph")


#: Each byte → the letter of its value modulo 26 (a pseudonym's letters).
_LETTERS = bytes(ord("a") + b % 26 for b in range(256))


def new_key() -> str:
    """A fresh secret for a store's pseudonyms (64 hexadecimal digits)."""
    return secrets.token_hex(32)


def pseudonym(value: str, key: str) -> str:
    """The pseudonym of an identifier or a name under a key (itself when it is one).

    >>> pseudonym("山田太郎様_123456789018", "k") == pseudonym("山田太郎様_123456789018", "k")
    True
    >>> PSEUDONYM.fullmatch(pseudonym("003", "k")) is not None
    True
    """
    if PSEUDONYM.fullmatch(value):
        return value
    digest = hmac.new(key.encode(), value.encode(), hashlib.sha256).digest()
    return "x" + digest[:20].translate(_LETTERS).decode("ascii")


@dataclass
class Pseudonymiser:
    """Rewrites the IRIs and identifiers of data that leaves the office (see the module)."""

    key: str
    rules: RedactionRules
    #: The identifiers (file stems) of the reports the data holds.
    report_ids: frozenset[str]
    _seen: dict[str, str] = field(default_factory=dict)
    _segments: dict[str, bool] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)

    def identifier(self, report_id: str) -> str:
        """A report's identifier as it may leave: its pseudonym."""
        return self._name(report_id)

    def _name(self, value: str) -> str:
        found = self._names.get(value)
        if found is None:
            found = self._names[value] = pseudonym(value, self.key)
        return found

    def iri(self, iri: str) -> str:
        """The IRI with every path segment that could name someone replaced by a pseudonym:
        a report's identifier, a curator, personal data the redaction rules find."""
        found = self._seen.get(iri)
        if found is None:
            found = self._seen[iri] = self._rewrite(iri)
        return found

    def _personal(self, segment: str) -> bool:
        """Whether the redaction rules find personal data in an IRI path segment (only
        looked for where some could be: a non-ASCII character, an ``@``, ten digits)."""
        found = self._segments.get(segment)
        if found is None:
            found = bool(_MAYBE_PERSONAL.search(segment)) and bool(find(segment, self.rules))
            self._segments[segment] = found
        return found

    def is_curator(self, iri: str) -> bool:
        """Whether an IRI names a curator (``…/agent/curator/<name>``)."""
        return "/agent/curator/" in iri

    def _rewrite(self, iri: str) -> str:
        parts = urlsplit(iri)
        if parts.scheme not in ("http", "https") or not parts.path:
            return iri
        segments = parts.path.split("/")
        changed = False
        for i, segment in enumerate(segments):
            if not segment or PSEUDONYM.fullmatch(segment):
                continue
            plain = unquote(segment)
            before = segments[i - 1] if i else ""
            if before in _ID_FOLLOWS and segment in self.report_ids:
                segments[i] = self.identifier(segment)  # as its dcterms:identifier
            elif (before == "curator" and i >= 2 and segments[i - 2] == "agent") or self._personal(
                plain
            ):
                segments[i] = self._name(plain)
            else:
                continue
            changed = True
        if not changed:
            return iri
        path = "/".join(segments)
        rebuilt = f"{parts.scheme}://{parts.netloc}{path}"
        if parts.query:
            rebuilt += f"?{parts.query}"
        if parts.fragment:
            rebuilt += f"#{parts.fragment}"
        return rebuilt


log = logging.getLogger(__name__)

_REPORT_IDS = """
PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?id WHERE { ?report a ikg:Report ; dcterms:identifier ?id }"""


class KeyedStore(Protocol):
    """What :func:`store_pseudonymiser` reads of a store (graph/store.py's ``GraphStore``)."""

    @property
    def path(self) -> Path: ...

    def pseudonym_key(self) -> str | None: ...

    def query(self, sparql: str) -> Any: ...


def store_pseudonymiser(store: KeyedStore, rules: RedactionRules) -> Pseudonymiser:
    """The pseudonymiser of what leaves this store: its secret key, the identifiers of the
    reports it holds (its own and imported ones).  Here, not with the export, so that a view
    of one page does not import the export's machinery (rdflib, the reasoner) to get it."""
    key = store.pseudonym_key()
    if key is None:  # a store no build of this version has written yet
        log.warning("store %s has no key for pseudonyms yet: build into it to make one", store.path)
        key = hashlib.sha256(f"{store.path.resolve()}".encode()).hexdigest()
    rows: Iterable[Mapping[str, Any]] = store.query(_REPORT_IDS)
    ids = frozenset(str(getattr(row["id"], "value", row["id"])) for row in rows)
    return Pseudonymiser(key, rules, ids)
