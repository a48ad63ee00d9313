"""Validate: data → SHACL violations in plain language (ja/en), by pySHACL.

Data is validated together with the ontology and the concept schemes (so that
``sh:class`` checks see the types of the concepts), without inference.  Each
result names its focus node (with the node's label when the data gives one),
the property by the shape's ``sh:name`` and the shape's message, in English or
Japanese; the wording around them is data, in ``messages.yaml`` beside this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SH, SKOS
from rdflib.term import Node

from .vocabulary import PACKAGE, ontology_graph, shapes_graph

MESSAGES_FILE = "messages.yaml"


@cache
def messages() -> dict[str, Any]:
    """The wording of validation reports (``messages.yaml``), read once."""
    text = files(PACKAGE).joinpath(MESSAGES_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _say(entry: dict[str, str], lang: str, **values: object) -> str:
    return entry.get(lang, entry["en"]).format(**values)


def summary(key: str, lang: str = "en", **values: object) -> str:
    """A summary line of a validation (``conforms``, ``fails``, ``more``) in a language."""
    return _say(messages()["summary"][key], lang, **values)


@dataclass(frozen=True)
class Violation:
    """One failed constraint: which node, which property, what is wrong."""

    focus: str
    path: str | None
    message: str
    severity: str  # Violation | Warning | Info
    value: str | None = None
    path_name: str | None = None  # the property shape's sh:name, in the language asked
    focus_label: str | None = None  # the focus node's label in the data, if it has one

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message}{value}"

    def describe(self, lang: str = "en") -> str:
        """The result in plain language, on one line: what is wrong, where."""
        words = messages()
        label = _say(words["label"], lang, label=self.focus_label) if self.focus_label else ""
        value = _say(words["value"], lang, value=self.value) if self.value else ""
        return _say(
            words["line"],
            lang,
            severity=_say(words["severity"].get(self.severity, {"en": self.severity}), lang),
            focus=self.focus,
            label=label,
            path=self.path_name or self.path or _say(words["node"], lang),
            message=self.message.replace("\n", " "),
            value=value,
        )

    def to_json(self) -> dict[str, str | None]:
        """The result for programs."""
        return {
            "severity": self.severity,
            "focus": self.focus,
            "focus_label": self.focus_label,
            "path": self.path,
            "path_name": self.path_name,
            "message": self.message,
            "value": self.value,
        }


def _in_lang(values: list[Literal], lang: str) -> str | None:
    for m in values:
        if m.language == lang:
            return str(m)
    for m in values:
        if m.language in (None, "en"):
            return str(m)
    return str(values[0]) if values else None


def _literals(graph: Graph, node: Node | None, *predicates: URIRef) -> list[Literal]:
    return [
        o
        for p in predicates
        for o in graph.objects(node, p)  # type: ignore[arg-type]
        if isinstance(o, Literal)
    ]


def _message(results: Graph, shapes: Graph, node: Node, lang: str) -> str:
    """The shape's own message; for a constraint it gives none (pySHACL's wording is
    technical), the plain wording of its constraint component."""
    source = results.value(node, SH.sourceShape)  # type: ignore[arg-type]
    if source is not None and _literals(shapes, source, SH.message):
        found = _in_lang(_literals(results, node, SH.resultMessage), lang)
        if found:
            return found
    component = str(results.value(node, SH.sourceConstraintComponent) or "")  # type: ignore[arg-type]
    constraints = messages()["constraints"]
    entry = constraints.get(component.rsplit("#", 1)[-1], constraints["other"])
    return _say(entry, lang)


def validate_graph(
    data: Graph, *, lang: str = "en", has_ontology: bool = False, shapes: Graph | None = None
) -> list[Violation]:
    """Every SHACL result for ``data`` ∪ ontology, sorted by focus node and path.

    ``has_ontology``: ``data`` already holds the ontology, and is validated as it is
    rather than copied (for large data, one copy fewer in memory). ``shapes``: other
    shapes than ``shapes.ttl``."""
    if has_ontology:
        union = data
    else:
        union = Graph()
        for triple in ontology_graph():
            union.add(triple)
        for triple in data:
            union.add(triple)
    shapes = shapes if shapes is not None else shapes_graph()
    _conforms, results, _text = validate(
        union, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(results, Graph)
    out: list[Violation] = []
    for node in results.subjects(SH.resultSeverity, None):
        assert isinstance(node, URIRef) or node is not None
        severity = str(results.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = results.value(node, SH.resultPath)
        value = results.value(node, SH.value)
        focus = results.value(node, SH.focusNode)
        source = results.value(node, SH.sourceShape)
        out.append(
            Violation(
                focus=str(focus),
                path=str(path) if isinstance(path, URIRef) else None,
                message=_message(results, shapes, node, lang),
                severity=severity,
                value=str(value) if value is not None else None,
                path_name=_in_lang(_literals(shapes, source, SH.name), lang),
                focus_label=_in_lang(
                    _literals(data, focus, RDFS.label, SKOS.prefLabel, DCTERMS.title), lang
                ),
            )
        )
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))
