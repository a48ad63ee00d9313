"""Push: the store's graphs sent to another server with the SPARQL 1.1 Graph Store Protocol.

Writes the ontology graph, every report graph and (unless told not to) the inferred
graphs (and the links graph) to any Graph Store endpoint, one HTTP ``PUT ?graph=IRI`` of
``application/n-triples`` per graph.  PUT replaces the graph, so pushing again gives the
same remote state.  The metadata graph (record keeping) is never sent.  Remote graphs the
store no longer has are left alone.  For an Oxigraph server the Graph Store endpoint is
``<base URL>/store``.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from incident_kg.errors import IncidentKGError
from incident_kg.graph.store import LINKS_GRAPH
from incident_kg.ontology.namespaces import ONTOLOGY_GRAPH


class PushError(IncidentKGError):
    """A push could not be made: not an http(s) URL, the server unreachable or refusing."""


@dataclass(frozen=True)
class PushResult:
    """What a push sent: to which Graph Store endpoint, which graphs, how many triples."""

    endpoint: str
    graphs: list[str] = field(default_factory=list)
    triples: int = 0


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


def push_graphs(
    store: Any,
    gsp_url: str,
    *,
    inferred: bool = True,
    progress: Callable[[Iterable[str]], Iterable[str]] | None = None,
    timeout: float = 60.0,
) -> PushResult:
    """PUT the ontology graph, every report graph and (``inferred``) the inferred graphs
    of ``store`` (a :class:`GraphStore`) to the Graph Store endpoint ``gsp_url``, as
    N-Triples; never the metadata graph.  Raises :class:`PushError` naming the
    endpoint on the first failure (graphs already sent stay sent: pushing again is safe)."""
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
    sent: list[str] = []
    triples = 0
    for name in progress(names) if progress is not None else names:
        data: bytes = store.graph_ntriples([name])
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
        sent.append(name)
        triples += data.count(b"\n")
    return PushResult(gsp_url, sent, triples)
