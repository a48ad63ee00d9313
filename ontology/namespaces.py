"""The IRIs of the project's own terms and of the standard vocabularies it reuses.

The ontology itself lives in ``incident.ttl`` (classes and properties) and
``concepts.ttl`` (the coded vocabularies as SKOS); this module only names the
namespaces so that Python code does not spell IRIs by hand.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

#: Ontology IRI and version (also ``owl:versionInfo`` in incident.ttl).
ONTOLOGY_IRI = "https://w3id.org/incident-kg/ontology"
ONTOLOGY_VERSION = "0.1.0"

#: Classes and properties of the project (``ikg:``).
IKG = Namespace("https://w3id.org/incident-kg/ontology#")
#: The coded vocabularies: one SKOS concept per code (``code:LogoutOmission``).
CODE = Namespace("https://w3id.org/incident-kg/code/")
#: Default base for the data minted by a build; configurable per agency.
DEFAULT_BASE = "https://w3id.org/incident-kg/id/"

ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

#: Named graph that holds the ontology and the concept schemes inside a store.
ONTOLOGY_GRAPH = "https://w3id.org/incident-kg/graph/ontology"

PREFIXES: dict[str, str] = {
    "ikg": str(IKG),
    "code": str(CODE),
    "org": str(ORG),
    "oa": str(OA),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}

__all__ = [
    "CODE",
    "DCAT",
    "DCTERMS",
    "DEFAULT_BASE",
    "IKG",
    "OA",
    "ONTOLOGY_GRAPH",
    "ONTOLOGY_IRI",
    "ONTOLOGY_VERSION",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SH",
    "SKOS",
    "XSD",
]
