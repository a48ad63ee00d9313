"""What every query must pass before it reaches Oxigraph (``serve`` and ``query --file``).

A query is refused unless a real SPARQL parser reads it as a query — rdflib's, whose parse
tree is then searched — and it holds no ``SERVICE`` (federated query: the server would send
requests to any address the query names); an update is refused (the endpoint is read-only,
``query`` only reads).  Text matching cannot do this: a prefixed name with an escape
(``ex:a\\#``) makes a comment-stripping regex read the rest of the line as a comment.

Before the parser sees it, a query is bounded in two ways that do not depend on parsing:

* **length**: at most :data:`MAX_QUERY_CHARS` characters (rdflib's parser takes about
  four seconds for 64 KiB of VALUES);
* **nesting**: at most :data:`MAX_NESTING` levels of ``{``, ``(`` and ``[`` counted by a
  small lexical scan that skips strings, IRIs and comments and honours ``\\`` escapes.
  Oxigraph's server aborts (exit -6, for good) on a query nested some two to five thousand
  braces deep; rdflib's recursive parser stops with a RecursionError near 24 levels of
  parentheses and 36 of braces.  Twenty levels are far more than a real question needs,
  and a RecursionError the scan missed is a refusal too.

``LATERAL`` (Oxigraph's SEP-0006 extension, used by some named queries) is not SPARQL 1.1:
the scan blanks the keyword (its group stays) before rdflib parses the query, so the
group is checked like any other; Oxigraph receives the query as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from incident_kg.errors import IncidentKGError

#: Longest query accepted, in characters.
MAX_QUERY_CHARS = 64 * 1024
#: Deepest nesting of ``{``, ``(`` and ``[`` accepted.
MAX_NESTING = 20

_OPEN = {"{": "}", "(": ")", "[": "]"}
_CLOSE = frozenset(_OPEN.values())
_NAME_CHARS = frozenset("_-.:?$")


class QueryRefused(IncidentKGError):
    """A query that may not run here; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Scanned:
    """What the lexical scan found: the deepest nesting, and the query with each
    ``LATERAL`` keyword blanked for a SPARQL 1.1 parser."""

    depth: int
    standard: str


def _string_end(text: str, start: int) -> int:
    """The index after the string literal that starts at ``start`` (short or long form)."""
    quote = text[start]
    long = text.startswith(quote * 3, start)
    i = start + (3 if long else 1)
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if long and text.startswith(quote * 3, i):
            return i + 3
        if not long and c == quote:
            return i + 1
        if not long and c in "\r\n":
            return i  # an unterminated string: the parser says so
        i += 1
    return len(text)


def _iri_end(text: str, start: int) -> int | None:
    """The index after an IRI reference at ``start`` (``<…>``), or None when the ``<`` is an
    operator (an IRI holds no spaces, quotes or braces)."""
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == ">":
            return i + 1
        if c in ' \t\r\n<"{}|^`' or ord(c) < 0x20:
            return None
        i += 1
    return None


def scan(text: str) -> Scanned:
    """Nesting depth and the LATERAL-blanked text of a query, in one pass."""
    out = list(text)
    depth = deepest = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            i = _string_end(text, i)
        elif c == "<":
            i = _iri_end(text, i) or i + 1
        elif c == "#":
            while i < n and text[i] not in "\r\n":
                i += 1
        elif c == "\\":
            i += 2  # an escape in a prefixed name (ex:a\#b): never a comment
        elif c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
            i += 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
            i += 1
        elif c.isalpha():
            j = i
            while j < n and (text[j].isalnum() or text[j] in _NAME_CHARS or text[j] == "\\"):
                j += 2 if text[j] == "\\" else 1
            before = text[i - 1] if i else " "
            if text[i:j].upper() == "LATERAL" and not (before.isalnum() or before in _NAME_CHARS):
                out[i:j] = " " * (j - i)
            i = j
        else:
            i += 1
    return Scanned(deepest, "".join(out))


def _names(node: Any, seen: set[int] | None = None) -> set[str]:
    """The names of every part of an rdflib parse tree (``ServiceGraphPattern``, …)."""
    seen = set() if seen is None else seen
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        name = getattr(item, "name", None)
        if isinstance(name, str):
            found.add(name)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif hasattr(item, "asList") and hasattr(item, "__iter__"):  # pyparsing ParseResults
            stack.extend(list(item))
    return found


def check_query(text: str) -> str:
    """Refuse (:class:`QueryRefused`) a query that is too long, nested too deep, not SPARQL,
    an update, or federated; return its form (``SelectQuery``, ``ConstructQuery``,
    ``AskQuery``, ``DescribeQuery``)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(
            413, f"query refused: longer than {MAX_QUERY_CHARS} characters, this limit"
        )
    scanned = scan(text)
    if scanned.depth > MAX_NESTING:
        raise QueryRefused(
            400, f"query refused: nested {scanned.depth} levels deep, more than {MAX_NESTING}"
        )
    try:
        tree = parseQuery(scanned.standard)
    except RecursionError:
        raise QueryRefused(400, "query refused: nested too deeply to read") from None
    except ParseBaseException as exc:
        try:
            parseUpdate(scanned.standard)
        except (ParseBaseException, RecursionError):
            where = f"line {exc.lineno}, column {exc.col}"
            raise QueryRefused(400, f"not a SPARQL query ({where}): {exc.msg}") from None
        raise QueryRefused(
            403,
            "update refused: only queries are answered (SELECT, ASK, CONSTRUCT, DESCRIBE), never updates",
        ) from None
    names = _names(tree)
    if "ServiceGraphPattern" in names:
        raise QueryRefused(403, "query refused: SERVICE (federated query) is disabled here")
    form = next((n for n in names if n.endswith("Query")), "")
    return form
