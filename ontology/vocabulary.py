"""Load the ontology, the concept schemes and the SHACL shapes shipped with the package.

The Turtle files live beside this module and are found through
:mod:`importlib.resources`, so they work from a source checkout, an editable
install and a wheel alike. Every function parses afresh and returns a new
graph or mapping: nothing is cached here (a caller that needs the result
often may cache it), so a caller is free to add triples to what it gets.
"""

from __future__ import annotations

from importlib.resources import files

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from .namespaces import CODE, IKG, PREFIXES

#: The package that holds the ``.ttl`` files.
PACKAGE = "incident_kg.ontology"
ONTOLOGY_FILE = "incident.ttl"
CONCEPTS_FILE = "concepts.ttl"
SHAPES_FILE = "shapes.ttl"

#: Each coded field of an incident → the ikg: class of its concepts and their scheme.
FIELD_CLASSES: dict[str, tuple[URIRef, URIRef]] = {
    "harms": (IKG.Harm, CODE.harms),
    "causes": (IKG.Cause, CODE.causes),
    "countermeasures": (IKG.Countermeasure, CODE.countermeasures),
    "systems": (IKG.System, CODE.systems),
    "procedures": (IKG.Procedure, CODE.procedures),
    "actors": (IKG.ActorRole, CODE.actors),
}


def _parse(*names: str) -> Graph:
    """Parse the named Turtle files of the package into one new graph."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    package = files(PACKAGE)
    for name in names:
        graph.parse(data=package.joinpath(name).read_text(encoding="utf-8"), format="turtle")
    return graph


def ontology_graph() -> Graph:
    """The ontology (``incident.ttl``) and the concept schemes (``concepts.ttl``) in one graph."""
    return _parse(ONTOLOGY_FILE, CONCEPTS_FILE)


def concepts_graph() -> Graph:
    """The concept schemes alone (``concepts.ttl``)."""
    return _parse(CONCEPTS_FILE)


def shapes_graph() -> Graph:
    """The SHACL shapes of well-formed data (``shapes.ttl``).

    Validate ``data ∪ ontology_graph()`` against it, without inference.
    """
    return _parse(SHAPES_FILE)


def _members(graph: Graph, cls: URIRef, scheme: URIRef) -> dict[str, str]:
    """``{notation: concept IRI}`` of the concepts typed ``cls`` in ``scheme``, by notation."""
    found: dict[str, str] = {}
    for concept in graph.subjects(RDF.type, cls):
        if (concept, SKOS.inScheme, scheme) not in graph:
            continue
        notation = graph.value(concept, SKOS.notation)
        if notation is not None:
            found[str(notation)] = str(concept)
    return dict(sorted(found.items()))


def codes(*, graph: Graph | None = None) -> dict[str, dict[str, str]]:
    """Map each coded field to ``{code: concept IRI}``, read from ``concepts.ttl``.

    The fields are those of :data:`FIELD_CLASSES` (harms, causes,
    countermeasures, systems, procedures, actors); cause tiers are not causes
    and are left out. ``graph`` defaults to a fresh parse of ``concepts.ttl``.

    >>> codes()["causes"]["LogoutOmission"]
    'https://w3id.org/incident-kg/code/LogoutOmission'
    """
    source = concepts_graph() if graph is None else graph
    return {field: _members(source, cls, scheme) for field, (cls, scheme) in FIELD_CLASSES.items()}


def event_roles(*, graph: Graph | None = None) -> dict[str, str]:
    """Map each timeline role (``occurred``, ``discovered``, …) to its concept IRI.

    >>> event_roles()["discovered"]
    'https://w3id.org/incident-kg/code/event-discovered'
    """
    source = concepts_graph() if graph is None else graph
    return _members(source, IKG.EventRole, CODE["event-roles"])


__all__ = [
    "FIELD_CLASSES",
    "codes",
    "concepts_graph",
    "event_roles",
    "ontology_graph",
    "shapes_graph",
]
