"""Push: the store's graphs sent to another server with the SPARQL 1.1 Graph Store Protocol.

Writes the ontology graph, the shared graph, every report graph and (unless told not to)
the inferred graphs (and the links graph) to any Graph Store endpoint, one HTTP ``PUT ?graph=IRI`` of
``application/n-triples`` per graph.  PUT replaces the graph, so pushing again gives the
same remote state.  The metadata graph (record keeping) is never sent.  Remote graphs the
store no longer has are left alone.  For an Oxigraph server the Graph Store endpoint is
``<base URL>/store``.

A push is data leaving the office, so it is held to what a sharing export is held to:

* it carries a **TLP 2.0 marking**: every graph sent states its own
  ``<graph> ikg:sharingMarking <label>`` (inside itself: a PUT replaces it with the
  graph), and a marking looser than one the data was received under is refused;
* it is **redacted** unless told not to (``redact=False``: a server inside the office):
  the texts of the data graphs as a redacted export's (:func:`.serialize.redact_quads`),
  and no IRI minted from a file name or naming a person (privacy/pseudonyms.py) — graph
  names included.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from incident_kg.errors import IncidentKGError
from incident_kg.graph.reason import ONTOLOGY_INFERRED
from incident_kg.graph.store import LINKS_GRAPH
from incident_kg.ontology.namespaces import IKG, ONTOLOGY_GRAPH, ORG
from incident_kg.privacy.redact import RedactionRules, load_rules

from .marking import Tlp, resolve_marking
from .records import imported_graphs
from .serialize import Quad, redact_quads, store_pseudonymiser


class PushError(IncidentKGError):
    """A push could not be made: not an http(s) URL, the server unreachable or refusing."""


@dataclass(frozen=True)
class PushResult:
    """What a push sent: to which Graph Store endpoint, which graphs (by the names they were
    sent under), how many triples, under which marking, and what was redacted by kind."""

    endpoint: str
    graphs: list[str] = field(default_factory=list)
    triples: int = 0
    marking: Tlp | None = None
    redactions: Mapping[str, int] = field(default_factory=dict)


def graph_store_url(endpoint: str) -> str:
    """The Graph Store Protocol endpoint of a server given by its base URL (Oxigraph's
    layout: ``<base>/store``)."""
    return endpoint.rstrip("/") + "/store"


def _graph_url(gsp_url: str, graph: str) -> str:
    sep = "&" if urllib.parse.urlsplit(gsp_url).query else "?"
    return f"{gsp_url}{sep}graph={urllib.parse.quote(graph, safe='')}"


def _http_error_line(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(2000).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    first = text.splitlines()[0] if text else ""
    return f"HTTP {exc.code} {exc.reason}" + (f": {first}" if first else "")


def _organisation_names(store: Any) -> set[str]:
    """The names of the organisations the store holds: never taken for a person's."""
    rows = store.query(
        f"SELECT DISTINCT ?name WHERE {{ ?o a <{ORG.Organization}> ; ?p ?name "
        "FILTER(ISLITERAL(?name)) }"
    )
    return {str(row["name"].value) for row in rows}


def _put(gsp_url: str, name: str, data: bytes, timeout: float) -> None:
    request = urllib.request.Request(
        _graph_url(gsp_url, name),
        data=data,
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise PushError(
            f"push to {gsp_url} failed on graph <{name}>: {_http_error_line(exc)}"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PushError(f"cannot push to {gsp_url}: {reason}") from exc


def push_graphs(
    store: Any,
    gsp_url: str,
    *,
    marking: Tlp,
    redact: bool = True,
    inferred: bool = True,
    rules: RedactionRules | None = None,
    progress: Callable[[Iterable[str]], Iterable[str]] | None = None,
    timeout: float = 60.0,
) -> PushResult:
    """PUT the ontology graph, the shared graph, every report graph and (``inferred``) the
    inferred graphs of ``store`` (a :class:`GraphStore`) to the Graph Store endpoint
    ``gsp_url``, as N-Triples, each marked ``marking`` and (``redact``) redacted; never the
    metadata graph.  Raises :class:`~.marking.MarkingError` before sending anything when
    the marking is looser than the data was received under, and :class:`PushError` naming
    the endpoint on the first failure (graphs already sent stay sent: pushing again is
    safe)."""
    parts = urllib.parse.urlsplit(gsp_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushError(f"{gsp_url}: not an http(s) URL of a Graph Store endpoint")
    present = set(store.graphs())
    names = [ONTOLOGY_GRAPH] if ONTOLOGY_GRAPH in present else []
    names += [g for g in store.asserted_graphs() if g in present]
    if inferred:
        names += store.inferred_graphs()
        if LINKS_GRAPH in present:  # derived like inferences: counts of distinct incidents
            names.append(LINKS_GRAPH)
    imported = imported_graphs(store)
    resolve_marking(marking, {g: imported[g].marking for g in names if g in imported}, marking)
    schema = {ONTOLOGY_GRAPH, ONTOLOGY_INFERRED}
    pseudonyms = None
    bodies: set[str] = set()
    if redact:
        rules = rules or load_rules()
        pseudonyms = store_pseudonymiser(store, rules)
        bodies = _organisation_names(store)
    label = ox.NamedNode(marking.iri)
    sent: list[str] = []
    triples = 0
    counts: Counter[str] = Counter()
    for name in progress(names) if progress is not None else names:
        # the graph as it says it: the evidence in full Web Annotation form (graph/evidence.py)
        quads: list[Quad] = [
            (name, t.subject, t.predicate, t.object)  # type: ignore[misc]
            for t in ox.parse(store.graph_ntriples([name]), format=ox.RdfFormat.N_TRIPLES)
        ]
        if redact and name not in schema:
            assert rules is not None
            quads, found = redact_quads(quads, rules, bodies, pseudonyms)
            counts += found
        target = pseudonyms.iri(name) if pseudonyms is not None else name
        lines = sorted({f"{s} {p} {o} ." for _, s, p, o in quads})
        lines.append(f"<{target}> <{IKG.sharingMarking}> {label} .")
        _put(gsp_url, target, ("\n".join(lines) + "\n").encode("utf-8"), timeout)
        sent.append(target)
        triples += len(lines)
    kinds = rules.kinds if redact and rules is not None else ()
    return PushResult(gsp_url, sent, triples, marking, {k: counts.get(k, 0) for k in kinds})
