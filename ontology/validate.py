"""Validate: data → SHACL violations in plain language (ja/en), by pySHACL.

Data is validated together with the ontology and the concept schemes (so that
``sh:class`` checks see the types of the concepts), without inference.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from .vocabulary import ontology_graph, shapes_graph


@dataclass(frozen=True)
class Violation:
    """One failed constraint: which node, which property, what is wrong."""

    focus: str
    path: str | None
    message: str
    severity: str  # Violation | Warning | Info
    value: str | None = None

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message}{value}"


def _message(results: Graph, node: URIRef, lang: str) -> str:
    messages = [m for m in results.objects(node, SH.resultMessage) if isinstance(m, Literal)]
    for m in messages:
        if m.language == lang:
            return str(m)
    for m in messages:
        if m.language in (None, "en"):
            return str(m)
    return str(messages[0]) if messages else "constraint not met"


def validate_graph(data: Graph, *, lang: str = "en") -> list[Violation]:
    """Every SHACL result for ``data`` ∪ ontology, sorted by focus node and path."""
    union = Graph()
    for triple in ontology_graph():
        union.add(triple)
    for triple in data:
        union.add(triple)
    _conforms, results, _text = validate(
        union, shacl_graph=shapes_graph(), inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(results, Graph)
    out: list[Violation] = []
    for node in results.subjects(SH.resultSeverity, None):
        assert isinstance(node, URIRef) or node is not None
        severity = str(results.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = results.value(node, SH.resultPath)
        value = results.value(node, SH.value)
        out.append(
            Violation(
                focus=str(results.value(node, SH.focusNode)),
                path=str(path) if isinstance(path, URIRef) else None,
                message=_message(results, node, lang),  # type: ignore[arg-type]
                severity=severity,
                value=str(value) if value is not None else None,
            )
        )
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))
