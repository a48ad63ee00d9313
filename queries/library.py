"""The library of named SPARQL queries (``queries/*.rq``) and how they are run.

Each ``.rq`` file opens with a header of ``# key: value`` comment lines::

    # title: Incidents for a cause
    # question (en): Which incidents have this cause (or a narrower one)?
    # question (ja): この原因（またはその下位の原因）を持つ事案はどれか。
    # parameter: cause | code:causes | a cause or cause-tier code, e.g. MissingHandover
    # columns: incident, organization, …
    # example: incident-kg query incidents-for-cause --param cause=MissingHandover

A parameter line gives the SPARQL variable, its type and what it means; the query must
project the variable (Oxigraph binds only projected variables).  Types:
``code:<scheme>`` (a notation of that concept scheme, e.g. ``code:causes``; bound as the
concept's IRI after checking it exists), ``iri``, ``string``, ``text@<lang>`` (a literal in
that language, e.g. ``text@ja`` for a name as the reports write it), ``integer``, ``date``.

Values are **bound as RDF terms, never pasted into the query text**: locally through
Oxigraph's ``substitutions`` (initial bindings), remotely as a trailing SPARQL
``VALUES`` clause built from the typed term — so a parameter cannot change the query.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from incident_kg.errors import FileReadError, IncidentKGError
from incident_kg.files import read_text_bounded
from incident_kg.graph.store import GraphStore, Term
from incident_kg.ontology.namespaces import CODE, DEFAULT_BASE

from .checks import MAX_QUERY_CHARS, QueryRefused, check_query

QUERY_DIR = Path(__file__).resolve().parent
_HEADER = re.compile(r"^#\s*([a-z][a-z ()]*?)\s*:\s*(.*)$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class QueryError(IncidentKGError):
    """A named query that does not exist, or a parameter that is missing or malformed."""


@dataclass(frozen=True)
class Parameter:
    """A parameter of a named query: the variable it binds, its type and its meaning."""

    name: str
    type: str  # code:<scheme> | iri | string | text@<lang> | integer | date
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """One ``.rq`` file of the library with its header."""

    name: str
    path: Path
    title: str
    question_en: str
    question_ja: str
    parameters: tuple[Parameter, ...]
    example: str
    text: str
    columns: tuple[str, ...] = ()
    #: The columns that tell its rows apart: no two rows share them (``# key:``).
    key: tuple[str, ...] = ()

    def describe(self) -> dict[str, object]:
        """What the query asks, takes and answers (``query NAME --describe``)."""
        return {
            "name": self.name,
            "title": self.title,
            "question_en": self.question_en,
            "question_ja": self.question_ja,
            "parameters": [
                {"name": p.name, "type": p.type, "description": p.description}
                for p in self.parameters
            ],
            "columns": list(self.columns),
            "key": list(self.key),
            "example": self.example,
            "file": self.path.name,
        }


def parse_query_file(path: Path) -> NamedQuery:
    """Read a ``.rq`` file of the library and its header comment."""
    return parse_query_text(path.read_text(encoding="utf-8"), path)


#: Largest query file read (bytes): four bytes for each character a query may have.
MAX_QUERY_FILE_BYTES = 4 * MAX_QUERY_CHARS


def load_query_file(path: Path) -> NamedQuery:
    """A user's own ``.rq`` file (``query --file``), read within a size bound (a FIFO or a
    device is refused by its type) and put through the checks of the endpoint
    (:func:`.checks.check_query`: a SPARQL query, no update, no ``SERVICE``, not nested too
    deep) before anything runs it; :class:`QueryError` naming the file otherwise."""
    try:
        text = read_text_bounded(path, MAX_QUERY_FILE_BYTES)
    except FileReadError as exc:
        raise QueryError(str(exc)) from None
    try:
        check_query(text)
    except QueryRefused as refused:
        raise QueryError(f"{path}: {refused.message}") from None
    return parse_query_text(text, path)


def parse_query_text(text: str, path: Path) -> NamedQuery:
    """A query and its header comment, from the text of ``path``."""
    header: dict[str, str] = {}
    params: list[Parameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "parameter":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3 or not _VAR.match(parts[0]):
                raise QueryError(f"{path}: bad parameter line: {line}")
            params.append(Parameter(parts[0], parts[1], parts[2]))
        else:
            header[key] = value
    return NamedQuery(
        name=path.stem,
        path=path,
        title=header.get("title", path.stem),
        question_en=header.get("question (en)", ""),
        question_ja=header.get("question (ja)", ""),
        parameters=tuple(params),
        example=header.get("example", ""),
        text=text,
        columns=_names(header.get("columns", "")),
        key=_names(header.get("key", "")),
    )


def _names(value: str) -> tuple[str, ...]:
    """The column names of a header line (``a, b, c``)."""
    return tuple(c.strip() for c in value.split(",") if c.strip())


#: The variable a query names the language of its labels by: ``COALESCE(?lang, "en")``.
_LANG = re.compile(r"\?lang\b")


def in_language(text: str, lang: str) -> str:
    """The query with its ``?lang`` made the literal ``lang`` (``ja`` or ``en``).  Written
    ``COALESCE(?lang, "en")`` in a file, a query run as-is by any client gives English
    labels; the CLI's ``--lang`` puts the language in its place."""
    if lang not in ("ja", "en"):
        raise QueryError(f"--lang {lang!r}: ja or en")
    return _LANG.sub(f'"{lang}"', text)


def load_library(directory: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Every named query of a folder, by name (the file stem)."""
    return {p.stem: parse_query_file(p) for p in sorted(directory.glob("*.rq"))}


#: An incident named as the CLI prints it, by its report: ``REPORT/incident/N``.
_SHORT_INCIDENT = re.compile(r"^[^\s:/<>\"]+/incident/\d+$")


def to_term(
    param: Parameter, raw: str, known_codes: Mapping[str, set[str]], base: str = DEFAULT_BASE
) -> Term:
    """The RDF term for a parameter value, checked against the parameter's type.  An IRI may
    be given as ``REPORT/incident/N`` (as `analyze` takes it): it is resolved under ``base``."""
    kind = param.type
    if kind.startswith("code:"):
        scheme = kind.split(":", 1)[1]
        codes = known_codes.get(scheme, set())
        tiers = set(known_codes.get("cause-tiers", set())) if scheme == "causes" else set()
        if raw not in codes and raw not in tiers:
            raise QueryError(
                f"--param {param.name}={raw}: not a code of {scheme} "
                f"(e.g. {', '.join(sorted(codes)[:4])})"
            )
        return ox.NamedNode(f"{CODE}{raw}")
    if kind == "iri":
        if _SHORT_INCIDENT.match(raw):
            return ox.NamedNode(f"{base}report/{raw}")
        if not re.match(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", raw):
            raise QueryError(
                f"--param {param.name}={raw}: not an absolute IRI (nor REPORT/incident/N)"
            )
        return ox.NamedNode(raw)
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise QueryError(f"--param {param.name}={raw}: not an integer")
        return ox.Literal(raw, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if kind == "date":
        try:
            dt.date.fromisoformat(raw)
        except ValueError:
            raise QueryError(f"--param {param.name}={raw}: not a date (YYYY-MM-DD)") from None
        return ox.Literal(raw, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    if kind == "string":
        return ox.Literal(raw)
    if kind.startswith("text@"):  # a language-tagged literal, e.g. text@ja for a name
        return ox.Literal(raw, language=kind.removeprefix("text@"))
    raise QueryError(f"parameter {param.name}: unknown type {kind}")


def bindings(
    query: NamedQuery,
    values: Mapping[str, str],
    known_codes: Mapping[str, set[str]],
    base: str = DEFAULT_BASE,
) -> dict[str, Term]:
    """Typed terms for the given ``name=value`` pairs (short incident names resolved under
    ``base``); every declared parameter is required, an undeclared one is an error."""
    declared = {p.name: p for p in query.parameters}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise QueryError(
            f"query {query.name} has no parameter {', '.join(unknown)}"
            f" (it takes: {', '.join(declared) or 'none'})"
        )
    missing = [p.name for p in query.parameters if p.name not in values]
    if missing:
        raise QueryError(f"query {query.name} needs --param {missing[0]}=…")
    return {name: to_term(declared[name], raw, known_codes, base) for name, raw in values.items()}


def with_values_clause(text: str, terms: Mapping[str, Term]) -> str:
    """The query with a trailing ``VALUES`` clause binding the terms (for remote endpoints,
    where initial bindings cannot be sent).  Terms are serialised by Oxigraph, so a value
    is always one RDF term."""
    if not terms:
        return text
    names = sorted(terms)
    row = " ".join(str(terms[n]) for n in names)
    return f"{text.rstrip()}\nVALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}\n"


#: Where a listing's driving sub-select takes its page (a comment line of the query).
PAGE_MARK = "# {page}"


def paged(text: str, limit: int | None, offset: int = 0) -> str:
    """The query with ``LIMIT limit OFFSET offset``: in place of its ``# {page}`` lines (the
    sub-select that chooses what a listing lists, in its order, and any copy of it that
    narrows a part of the rows to the page first), so that a page looks up the details of its
    own rows only, else at its end (the same rows, not sooner).  The numbers are integers,
    never text from outside."""
    if limit is None and not offset:
        return text
    clause = (f"LIMIT {int(limit)} " if limit is not None else "") + f"OFFSET {int(offset)}"
    lines = text.splitlines()
    marks = [n for n, line in enumerate(lines) if line.strip() == PAGE_MARK]
    if marks:
        for n in marks:
            lines[n] = clause
        return "\n".join(lines) + "\n"
    return f"{text.rstrip()}\n{clause}\n"


@dataclass(frozen=True)
class Table:
    """A SELECT result: column names and rows of plain values (None for unbound)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


def term_value(term: object) -> str | None:
    """The plain value of an Oxigraph term (an IRI's text, a literal's lexical form)."""
    if term is None:
        return None
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def run_local(
    store: GraphStore, query: NamedQuery | str, terms: Mapping[str, Term] | None = None
) -> Table:
    """Run a SELECT on the store, the parameters bound as initial bindings."""
    text = query.text if isinstance(query, NamedQuery) else query
    try:
        result = store.query(text, dict(terms or {}))
    except SyntaxError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise QueryError(f"not valid SPARQL: {first}") from exc
    except (RuntimeError, OSError) as exc:  # e.g. a parameter the query does not project
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise QueryError(f"cannot run the query: {first}") from exc
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("only SELECT queries can be shown as a table")
    columns = tuple(v.value for v in result.variables)
    # a solution iterates its values in the order of the variables (faster than by name)
    rows = tuple(tuple(term_value(value) for value in sol) for sol in result)
    return Table(columns, rows)


def known_codes() -> dict[str, set[str]]:
    """The codes a ``code:<scheme>`` parameter accepts: the vocabulary's, by field, and the
    cause tiers (``cause-tiers``), which a ``code:causes`` parameter accepts too."""
    from incident_kg.ontology.vocabulary import codes

    known = {field: set(values) for field, values in codes().items()}
    known["cause-tiers"] = cause_tiers()
    return known


def cause_tiers() -> set[str]:
    """The notations of the cause tiers (top concepts of the causes scheme)."""
    from rdflib.namespace import SKOS

    from incident_kg.ontology.vocabulary import concepts_graph

    graph = concepts_graph()
    return {
        str(tier).removeprefix(str(CODE))
        for tier in graph.subjects(SKOS.topConceptOf, CODE["causes"])
    }


_LATERAL = re.compile(r"\bLATERAL\s*\{", re.IGNORECASE)


def standard_sparql(text: str) -> str:
    """The query in plain SPARQL 1.1: each ``LATERAL { OPTIONAL { … } }`` as ``OPTIONAL { … }``.

    A few named queries wrap an OPTIONAL whose variables the rows before it bind in
    ``LATERAL`` (Oxigraph's SEP-0006 extension): Oxigraph then looks each row's optional part
    up by index instead of building a hash table of the whole store's matches (at 10,000
    reports 44 s → 9 s for incidents-for-cause).  The answers are those of the OPTIONAL alone
    (tests/test_queries.py), so engines without LATERAL (rdflib, other servers) get that."""
    out = text
    while (found := _LATERAL.search(out)) is not None:
        depth, end = 1, found.end()
        while depth:
            if end >= len(out):
                raise QueryError("LATERAL { without its closing brace")
            depth += {"{": 1, "}": -1}.get(out[end], 0)
            end += 1
        out = out[: found.start()] + out[found.end() : end - 1].strip() + out[end:]
    return out


_HOLDS_ONTOLOGY = (
    "ASK { <https://w3id.org/incident-kg/ontology> "
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2002/07/owl#Ontology> }"
)
_NAMED_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"


def _post(endpoint: str, params: Sequence[tuple[str, str]]) -> Any:
    """POST a query (the SPARQL 1.1 Protocol, form-encoded) and read its JSON results."""
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode(params).encode(),
        headers={
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise QueryError(f"endpoint {endpoint}: {exc}") from exc


#: Ways servers offer to read the union of their graphs as the default graph, tried in turn
#: when the default graph does not hold the data: Oxigraph's ``union-default-graph``
#: request parameter, Apache Jena's ``urn:x-arq:UnionGraph`` as the default graph.
UNION_SWITCHES: tuple[tuple[tuple[str, str], ...], ...] = (
    (("union-default-graph", ""),),
    (("default-graph-uri", "urn:x-arq:UnionGraph"),),
)


def remote_dataset(endpoint: str, *, switches: bool = True) -> tuple[tuple[str, str], ...]:
    """The request parameters that make a named query see the data at ``endpoint``: none
    when the server's default graph already holds it (``incident-kg serve``, a store with a
    union default graph); else a server's own switch to a union default graph, when it has
    one of :data:`UNION_SWITCHES` (``switches``); else the standard SPARQL 1.1 Protocol's
    dataset: every named graph as ``default-graph-uri`` (the default graph is then their
    merge) and as ``named-graph-uri`` — correct on any store, but a server may look each
    graph up in turn (a plain ``oxigraph serve`` of 1,000 reports took over 60 s a query)."""
    ask = [("query", _HOLDS_ONTOLOGY)]
    if _post(endpoint, ask).get("boolean") is True:
        return ()
    for switch in UNION_SWITCHES if switches else ():
        if _post(endpoint, [*ask, *switch]).get("boolean") is True:
            return switch
    data = _post(endpoint, [("query", _NAMED_GRAPHS)])
    graphs = sorted(b["g"]["value"] for b in data["results"]["bindings"] if "g" in b)
    return (
        *(("default-graph-uri", g) for g in graphs),
        *(("named-graph-uri", g) for g in graphs),
    )


def run_remote(
    endpoint: str, query: NamedQuery, terms: Mapping[str, Term], *, switches: bool = True
) -> Table:
    """Run a SELECT on a remote SPARQL 1.1 endpoint (the Protocol, POST, JSON results), in
    plain SPARQL 1.1 (:func:`standard_sparql`); the parameters go in a trailing VALUES
    clause.  Over a server whose default graph is not the union of its graphs (a plain
    ``oxigraph serve``, Fuseki, GraphDB…), the request says which dataset to read
    (:func:`remote_dataset`), so the answers are those of the local store."""
    text = with_values_clause(standard_sparql(query.text), terms)
    data = _post(endpoint, [("query", text), *remote_dataset(endpoint, switches=switches)])
    columns = tuple(data["head"]["vars"])
    rows = tuple(
        tuple(b.get(c, {}).get("value") for c in columns) for b in data["results"]["bindings"]
    )
    return Table(columns, rows)
