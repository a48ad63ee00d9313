"""The ontology, the concept schemes and the shapes, as specifications.

The controlled vocabulary (``../shared/spec/vocabulary.yaml``) is the contract:
every code in it must be a SKOS concept of ``concepts.ttl`` with the same
labels. The shapes must accept a small well-formed incident and reject each
kind of broken one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import rdflib.namespace
import yaml
from owlrl import DeductiveClosure, OWLRL_Semantics
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from incident_kg.ontology.namespaces import CODE, IKG, OA, ONTOLOGY_IRI, ONTOLOGY_VERSION, ORG, SH
from incident_kg.ontology.vocabulary import (
    codes,
    concepts_graph,
    event_roles,
    ontology_graph,
    shapes_graph,
)

from ..conftest import SHARED

VOCABULARY_YAML = SHARED / "spec" / "vocabulary.yaml"
FIELDS = ("causes", "harms", "countermeasures", "systems", "procedures", "actors")
FIELD_CLASS = {
    "causes": IKG.Cause,
    "harms": IKG.Harm,
    "countermeasures": IKG.Countermeasure,
    "systems": IKG.System,
    "procedures": IKG.Procedure,
    "actors": IKG.ActorRole,
}
TIERS = ("unsafe-act", "precondition", "supervision", "organisation")
#: Error nodes that owlrl adds to the closure when it finds an inconsistency.
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
OWLRL_MESSAGE = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")
ID = "https://w3id.org/incident-kg/id/"


def xsd(name: str) -> URIRef:
    """An XML Schema datatype IRI.

    rdflib's ``XSD`` is not kept as a module global: pytest probes every global
    for ``_mock_name``, and ``XSD`` warns on unknown attributes.
    """
    return rdflib.namespace.XSD[name]


# --- fixtures -------------------------------------------------------------


@pytest.fixture(scope="module")
def vocabulary() -> dict[str, list[dict[str, Any]]]:
    """The shared controlled vocabulary; the tests that need it skip without it."""
    if not VOCABULARY_YAML.is_file():
        pytest.skip(f"shared vocabulary not found at {VOCABULARY_YAML} (no ../shared checkout)")
    return yaml.safe_load(VOCABULARY_YAML.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def onto() -> Graph:
    """incident.ttl + concepts.ttl, parsed once for the module (tests do not mutate it)."""
    return ontology_graph()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """shapes.ttl, parsed once for the module."""
    return shapes_graph()


def vocabulary_items(vocabulary: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict]]:
    """Every ``(field, item)`` of the vocabulary, in file order."""
    return [(field, item) for field in FIELDS for item in vocabulary[field]]


def literal_in(graph: Graph, subject: URIRef, predicate: URIRef, lang: str) -> list[str]:
    """The values of ``predicate`` on ``subject`` in one language."""
    return [
        str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == lang
    ]


# --- the vocabulary as SKOS -----------------------------------------------


def test_every_vocabulary_code_is_a_concept_with_that_notation(vocabulary, onto):
    missing = []
    for _field, item in vocabulary_items(vocabulary):
        concept = CODE[item["code"]]
        if (concept, RDF.type, SKOS.Concept) not in onto:
            missing.append(item["code"])
        elif list(onto.objects(concept, SKOS.notation)) != [Literal(item["code"])]:
            missing.append(f"{item['code']} (notation)")
    assert missing == []


def test_concept_labels_are_the_vocabulary_labels_in_ja_and_en(vocabulary, onto):
    wrong = []
    for _field, item in vocabulary_items(vocabulary):
        concept = CODE[item["code"]]
        for lang in ("ja", "en"):
            if literal_in(onto, concept, SKOS.prefLabel, lang) != [item[lang]]:
                wrong.append(f"{item['code']}@{lang}")
    assert wrong == []


def test_vocabulary_definitions_are_kept_verbatim_in_english(vocabulary, onto):
    wrong = [
        item["code"]
        for _field, item in vocabulary_items(vocabulary)
        if "definition" in item
        and literal_in(onto, CODE[item["code"]], SKOS.definition, "en") != [item["definition"]]
    ]
    assert wrong == []


def test_every_project_concept_has_one_definition_in_en_and_one_in_ja(onto):
    concepts = set(onto.subjects(RDF.type, SKOS.Concept))
    wrong = [
        str(c)
        for c in concepts
        if len(literal_in(onto, c, SKOS.definition, "en")) != 1
        or len(literal_in(onto, c, SKOS.definition, "ja")) != 1
    ]
    assert len(concepts) > 60
    assert wrong == []


def test_every_code_is_in_the_scheme_of_its_field_and_typed_with_its_class(vocabulary, onto):
    wrong = []
    for field, item in vocabulary_items(vocabulary):
        concept = CODE[item["code"]]
        if (concept, SKOS.inScheme, CODE[field]) not in onto:
            wrong.append(f"{item['code']} not in code:{field}")
        if (concept, RDF.type, FIELD_CLASS[field]) not in onto:
            wrong.append(f"{item['code']} not a {FIELD_CLASS[field]}")
    assert wrong == []


def test_every_scheme_is_a_concept_scheme_with_labels(onto):
    for name in (*FIELDS, "cause-tiers", "event-roles", "cause-roles"):
        scheme = CODE[name]
        assert (scheme, RDF.type, SKOS.ConceptScheme) in onto, name
        assert literal_in(onto, scheme, SKOS.prefLabel, "ja"), name
        assert literal_in(onto, scheme, SKOS.prefLabel, "en"), name


def test_cause_tiers_are_the_top_concepts_of_causes(onto):
    for tier in TIERS:
        concept = CODE[f"tier-{tier}"]
        assert (concept, RDF.type, IKG.CauseTier) in onto
        assert (concept, SKOS.notation, Literal(tier)) in onto
        assert (concept, SKOS.topConceptOf, CODE.causes) in onto
        assert (concept, SKOS.inScheme, CODE["cause-tiers"]) in onto
        assert "HFACS" in literal_in(onto, concept, SKOS.definition, "en")[0]


def test_every_cause_is_narrower_than_its_tier(vocabulary, onto):
    wrong = [
        item["code"]
        for item in vocabulary["causes"]
        if list(onto.objects(CODE[item["code"]], SKOS.broader)) != [CODE[f"tier-{item['tier']}"]]
    ]
    assert wrong == []


def test_broader_relations_of_the_vocabulary_are_kept(vocabulary, onto):
    for _field, item in vocabulary_items(vocabulary):
        if "broader" in item:
            assert (CODE[item["code"]], SKOS.broader, CODE[item["broader"]]) in onto


def test_identity_recheck_at_completion_is_narrower_than_system_fix(onto):
    assert (CODE.IdentityRecheckAtCompletion, SKOS.broader, CODE.SystemFix) in onto


EVENT_ROLES = ("occurred", "discovered", "reported", "apologised", "remedied", "published", "other")


def test_event_roles_are_the_roles_of_the_timeline():
    assert event_roles() == {role: str(CODE[f"event-{role}"]) for role in EVENT_ROLES}


def test_cause_roles_exist_for_later_use(onto):
    for role in ("trigger", "root-cause", "contributing", "ruled-out"):
        concept = CODE[f"role-{role}"]
        assert (concept, RDF.type, IKG.CauseRole) in onto
        assert (concept, SKOS.notation, Literal(role)) in onto


# --- the loader -----------------------------------------------------------


def test_codes_maps_every_field_to_the_concept_iris_of_its_codes(vocabulary):
    expected = {
        field: {item["code"]: str(CODE[item["code"]]) for item in vocabulary[field]}
        for field in FIELDS
    }
    assert codes() == expected


def test_codes_leaves_cause_tiers_out_of_the_causes():
    assert not set(codes()["causes"]) & set(TIERS)


def test_codes_reads_the_graph_it_is_given():
    graph = concepts_graph()
    extra = CODE.ExtraHarm
    graph.add((extra, RDF.type, IKG.Harm))
    graph.add((extra, SKOS.inScheme, CODE.harms))
    graph.add((extra, SKOS.notation, Literal("ExtraHarm")))
    assert codes(graph=graph)["harms"]["ExtraHarm"] == str(extra)
    assert "ExtraHarm" not in codes()["harms"]


def test_each_call_returns_a_fresh_graph():
    first = ontology_graph()
    first.remove((None, None, None))
    assert len(ontology_graph()) > 0


# --- the ontology (incident.ttl) ------------------------------------------


def test_ontology_header_names_version_title_license_and_no_imports(onto):
    ontology = URIRef(ONTOLOGY_IRI)
    assert (ontology, RDF.type, OWL.Ontology) in onto
    assert onto.value(ontology, OWL.versionInfo) == Literal(ONTOLOGY_VERSION)
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.created):
        assert onto.value(ontology, predicate) is not None, predicate
    assert list(onto.objects(ontology, OWL.imports)) == []
    assert URIRef(str(PROV)) in set(onto.objects(ontology, DCTERMS.references))


def ikg_terms(graph: Graph, *types: URIRef) -> set[URIRef]:
    """The ikg: subjects typed with any of ``types``."""
    return {
        s
        for t in types
        for s in graph.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(str(IKG))
    }


def test_every_ikg_class_and_property_has_labels_in_ja_and_en_and_an_english_comment(onto):
    terms = ikg_terms(
        onto,
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDFS.Datatype,
    )
    wrong = [
        str(term)
        for term in terms
        if not literal_in(onto, term, RDFS.label, "ja")
        or not literal_in(onto, term, RDFS.label, "en")
        or not literal_in(onto, term, RDFS.comment, "en")
    ]
    assert len(terms) > 40
    assert wrong == []


EMITTED_CLASSES = {
    IKG.Report: PROV.Entity,
    IKG.Extraction: PROV.Activity,
    IKG.Incident: PROV.Activity,
    IKG.TimelineEvent: PROV.InstantaneousEvent,
    IKG.Cause: SKOS.Concept,
    IKG.CauseTier: SKOS.Concept,
    IKG.Harm: SKOS.Concept,
    IKG.Countermeasure: SKOS.Concept,
    IKG.System: SKOS.Concept,
    IKG.Procedure: SKOS.Concept,
    IKG.ActorRole: SKOS.Concept,
    IKG.EventRole: SKOS.Concept,
    IKG.CauseRole: SKOS.Concept,
    IKG.LocalGovernment: ORG.FormalOrganization,
    IKG.WardOffice: ORG.OrganizationalUnit,
    IKG.Section: ORG.OrganizationalUnit,
    IKG.NationalBody: ORG.FormalOrganization,
    IKG.Company: ORG.FormalOrganization,
    IKG.Insurer: ORG.FormalOrganization,
}


@pytest.mark.parametrize("cls", EMITTED_CLASSES, ids=lambda c: c.fragment)
def test_each_class_the_code_emits_is_a_subclass_of_its_standard(onto, cls):
    assert (cls, RDF.type, OWL.Class) in onto
    assert (cls, RDFS.subClassOf, EMITTED_CLASSES[cls]) in onto


CODED_PROPERTIES = {
    IKG.hasHarm: IKG.Harm,
    IKG.hasCause: IKG.Cause,
    IKG.hasCountermeasure: IKG.Countermeasure,
    IKG.involvesSystem: IKG.System,
    IKG.involvesProcedure: IKG.Procedure,
    IKG.involvesActorRole: IKG.ActorRole,
}


@pytest.mark.parametrize("prop", CODED_PROPERTIES, ids=lambda p: p.fragment)
def test_each_coded_property_is_below_has_code_with_its_concept_class_as_range(onto, prop):
    assert (prop, RDF.type, OWL.ObjectProperty) in onto
    assert (prop, RDFS.subPropertyOf, IKG.hasCode) in onto
    assert (prop, RDFS.domain, IKG.Incident) in onto
    assert (prop, RDFS.range, CODED_PROPERTIES[prop]) in onto


def test_property_hierarchy_reuses_the_standards(onto):
    expected = [
        (IKG.hasCode, DCTERMS.subject),
        (IKG.reportedIn, DCTERMS.isReferencedBy),
        (IKG.responsibleOrganization, IKG.involvedOrganization),
        (IKG.involvedOrganization, PROV.wasAssociatedWith),
        (IKG.occurredOn, IKG.eventDate),
        (IKG.discoveredOn, IKG.eventDate),
    ]
    assert [pair for pair in expected if (pair[0], RDFS.subPropertyOf, pair[1]) not in onto] == []


EMITTED_PROPERTIES = {
    IKG.reportedIn: OWL.ObjectProperty,
    IKG.responsibleOrganization: OWL.ObjectProperty,
    IKG.involvedOrganization: OWL.ObjectProperty,
    IKG.hasCode: OWL.ObjectProperty,
    IKG.statedAbsent: OWL.ObjectProperty,
    IKG.hasTimelineEvent: OWL.ObjectProperty,
    IKG.eventOf: OWL.ObjectProperty,
    IKG.eventRole: OWL.ObjectProperty,
    IKG.aboutIncident: OWL.ObjectProperty,
    IKG.assertedProperty: OWL.AnnotationProperty,
    IKG.incidentKey: OWL.DatatypeProperty,
    IKG.sourceFile: OWL.DatatypeProperty,
    IKG.contentSha256: OWL.DatatypeProperty,
    IKG.softwareVersion: OWL.DatatypeProperty,
    IKG.eventDate: OWL.DatatypeProperty,
    IKG.occurredOn: OWL.DatatypeProperty,
    IKG.discoveredOn: OWL.DatatypeProperty,
    IKG.date: OWL.DatatypeProperty,
    IKG.affectedCount: OWL.DatatypeProperty,
    IKG.unresolvedName: OWL.DatatypeProperty,
    IKG.extractionRule: OWL.DatatypeProperty,
    IKG.confidence: OWL.DatatypeProperty,
    IKG.extractionMechanism: OWL.ObjectProperty,
}


def test_every_property_the_code_emits_is_declared_with_its_kind(onto):
    wrong = [
        p.fragment for p, kind in EMITTED_PROPERTIES.items() if (p, RDF.type, kind) not in onto
    ]
    assert wrong == []


def test_a_code_stated_absent_is_not_a_code_of_the_incident(onto):
    assert (IKG.statedAbsent, RDFS.subPropertyOf, None) not in onto


def test_reported_in_is_functional_and_event_of_is_the_inverse_of_has_timeline_event(onto):
    assert (IKG.reportedIn, RDF.type, OWL.FunctionalProperty) in onto
    assert (IKG.reportedIn, RDFS.range, IKG.Report) in onto
    assert (IKG.eventOf, OWL.inverseOf, IKG.hasTimelineEvent) in onto


def test_datatype_properties_have_the_declared_ranges(onto):
    expected = {
        IKG.sourceFile: xsd("string"),
        IKG.contentSha256: xsd("string"),
        IKG.softwareVersion: xsd("string"),
        IKG.incidentKey: xsd("string"),
        IKG.affectedCount: xsd("nonNegativeInteger"),
        IKG.unresolvedName: xsd("boolean"),
        IKG.extractionRule: xsd("string"),
        IKG.confidence: xsd("decimal"),
        IKG.occurredOn: RDFS.Literal,  # ikg:PartialDate, checked by the shapes
        IKG.discoveredOn: RDFS.Literal,
        IKG.date: RDFS.Literal,
        IKG.localGovernmentCode: xsd("string"),
    }
    wrong = {
        prop.fragment
        for prop, rng in expected.items()
        if (prop, RDF.type, OWL.DatatypeProperty) not in onto or (prop, RDFS.range, rng) not in onto
    }
    assert wrong == set()


def test_partial_date_is_declared_not_defined_as_an_owl_union(onto):
    """OWL 2 DL has no union of xsd:date, xsd:gYearMonth and xsd:gYear (they are outside its
    datatype map): the partial date is a declared datatype, its literals checked by SHACL."""
    assert (IKG.PartialDate, RDF.type, RDFS.Datatype) in onto
    assert onto.value(IKG.PartialDate, OWL.equivalentClass) is None
    datatype_unions = [
        members
        for members in onto.objects(None, OWL.unionOf)
        if any(str(m).startswith(str(XSD)) for m in Collection(onto, members))
    ]
    assert not datatype_unions


def test_asserted_property_is_an_annotation_property(onto):
    assert (IKG.assertedProperty, RDF.type, OWL.AnnotationProperty) in onto


def test_every_ikg_term_the_shapes_use_is_defined_in_the_ontology(onto, shapes):
    used = {
        term
        for triple in shapes
        for term in triple
        if isinstance(term, URIRef) and term.startswith(str(IKG))
    }
    undefined = {term.fragment for term in used if (term, RDF.type, None) not in onto}
    assert undefined == set()


def test_owl_rl_closure_of_ontology_and_concepts_runs_without_inconsistency():
    graph = ontology_graph()
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    errors = [str(graph.value(e, OWLRL_MESSAGE)) for e in graph.subjects(RDF.type, OWLRL_ERROR)]
    assert errors == []
    assert (CODE.LogoutOmission, RDF.type, SKOS.Concept) in graph


def test_owl_rl_closure_of_a_well_formed_incident_infers_the_standard_terms():
    graph = well_formed_incident() + ontology_graph()
    DeductiveClosure(OWLRL_Semantics).expand(graph)
    assert list(graph.subjects(RDF.type, OWLRL_ERROR)) == []
    assert (INCIDENT, RDF.type, PROV.Activity) in graph
    assert (INCIDENT, DCTERMS.subject, CODE.MissingHandover) in graph
    assert (INCIDENT, PROV.wasAssociatedWith, URIRef(ID + "org/naka-ward/koseki")) in graph


# --- the shapes (shapes.ttl) ----------------------------------------------


WELL_FORMED = """
@base <https://w3id.org/incident-kg/id/> .
@prefix ikg: <https://w3id.org/incident-kg/ontology#> .
@prefix code: <https://w3id.org/incident-kg/code/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<report/003> a ikg:Report ;
    dcterms:identifier "003" ;
    dcterms:title "マイナンバーカード事務における不適切な事務処理について"@ja ;
    dcterms:issued "2023-10"^^xsd:gYearMonth ;
    dcterms:language <http://id.loc.gov/vocabulary/iso639-2/jpn> ;
    ikg:sourceFile "003.txt" ;
    ikg:contentSha256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" .
<extraction/003> a ikg:Extraction ;
    prov:used <report/003> ;
    prov:generated <graph/003> ;
    prov:wasAssociatedWith <agent/extractor> ;
    ikg:softwareVersion "0.1.0" .
<agent/extractor> a prov:SoftwareAgent ; rdfs:label "incident-kg extractor" .

<org/naka-ward> a ikg:WardOffice ; skos:prefLabel "中区役所"@ja ; ikg:unresolvedName true .
<org/naka-ward/koseki> a ikg:Section ;
    skos:prefLabel "戸籍課"@ja ;
    org:subOrganizationOf <org/naka-ward> .

<incident/003-1> a ikg:Incident ;
    rdfs:label "マイナンバーカードの発行手続きの滞留"@ja ;
    ikg:incidentKey "incident-1" ;
    ikg:reportedIn <report/003> ;
    ikg:responsibleOrganization <org/naka-ward/koseki> ;
    ikg:hasHarm code:CardIssuanceDelay ;
    ikg:hasCause code:MissingHandover , code:UnmonitoredNotification ;
    ikg:hasCountermeasure code:ManualAdherence ;
    ikg:involvesSystem code:CardManagementSystem ;
    ikg:involvesProcedure code:NoticeProcessing , code:CardIssuance ;
    ikg:involvesActorRole code:MunicipalStaff ;
    ikg:occurredOn "2022-03"^^xsd:gYearMonth ;
    ikg:discoveredOn "2023-10-05"^^xsd:date ;
    ikg:affectedCount "48"^^xsd:nonNegativeInteger ;
    ikg:hasTimelineEvent <incident/003-1/event/1> .
<incident/003-1/event/1> a ikg:TimelineEvent ;
    ikg:date "2023-10-05"^^xsd:date ;
    ikg:eventRole code:event-discovered ;
    ikg:eventOf <incident/003-1> .

<evidence/003-1/1> a oa:Annotation ;
    oa:motivatedBy oa:classifying ;
    oa:hasBody code:MissingHandover ;
    ikg:aboutIncident <incident/003-1> ;
    ikg:assertedProperty ikg:hasCause ;
    ikg:extractionRule "cause.missing-handover" ;
    ikg:extractionMechanism ikg:LexiconRule ;
    ikg:confidence 0.9 ;
    dcterms:creator <agent/extractor> ;
    oa:hasTarget <evidence/003-1/1/target> .
<evidence/003-1/1/target> a oa:SpecificResource ;
    oa:hasSource <report/003> ;
    oa:hasSelector <evidence/003-1/1/quote> , <evidence/003-1/1/position> .
<evidence/003-1/1/quote> a oa:TextQuoteSelector ;
    oa:exact "組織内の事務の引継ぎが行われておらず" ;
    oa:prefix "必要がありましたが、" .
<evidence/003-1/1/position> a oa:TextPositionSelector ;
    oa:start "1200"^^xsd:nonNegativeInteger ;
    oa:end "1218"^^xsd:nonNegativeInteger .

<evidence/003-1/2> a oa:Annotation ;
    oa:motivatedBy oa:classifying ;
    oa:bodyValue "48" ;
    ikg:aboutIncident <incident/003-1> ;
    ikg:assertedProperty ikg:affectedCount ;
    ikg:extractionRule "count.ken" ;
    ikg:extractionMechanism ikg:LexiconRule ;
    ikg:confidence 0.75 ;
    dcterms:creator <agent/extractor> ;
    oa:hasTarget [
        a oa:SpecificResource ;
        oa:hasSource <report/003> ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "48件" ] ,
            [ a oa:TextPositionSelector ;
              oa:start "300"^^xsd:nonNegativeInteger ; oa:end "303"^^xsd:nonNegativeInteger ]
    ] .
"""

DATE_TIME = Literal("2023-10-05T00:00:00", datatype=xsd("dateTime"))
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
INCIDENT = URIRef(ID + "incident/003-1")
QUOTE = URIRef(ID + "evidence/003-1/1/quote")
POSITION = URIRef(ID + "evidence/003-1/1/position")
EVIDENCE = URIRef(ID + "evidence/003-1/1")
REPORT = URIRef(ID + "report/003")
ORG_SECTION = URIRef(ID + "org/naka-ward/koseki")
EVENT = URIRef(ID + "incident/003-1/event/1")


def well_formed_incident() -> Graph:
    """A small incident with a report, organisations, a timeline event and evidence."""
    return Graph().parse(data=WELL_FORMED, format="turtle")


def shacl_results(data: Graph, shapes: Graph, onto: Graph) -> tuple[bool, set[Any]]:
    """Validate ``data ∪ ontology`` without inference: conforms, and the failing paths."""
    conforms, report, _text = validate(data + onto, shacl_graph=shapes, inference="none")
    paths = {
        report.value(result, SH.resultPath)
        for result in report.subjects(RDF.type, SH.ValidationResult)
    }
    return bool(conforms), paths


def test_shapes_parse_into_node_shapes_with_labels(shapes):
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) >= 6
    assert all(literal_in(shapes, s, RDFS.label, "ja") for s in node_shapes)


def test_every_property_shape_has_a_name_and_a_message_in_en_and_ja(shapes):
    property_shapes = set(shapes.objects(None, SH.property))
    wrong = [
        shapes.value(s, SH.path)
        for s in property_shapes
        if not all(
            literal_in(shapes, s, predicate, lang)
            for predicate in (SH.name, SH.message)
            for lang in ("en", "ja")
        )
    ]
    assert wrong == []


def test_a_well_formed_incident_conforms(shapes, onto):
    conforms, paths = shacl_results(well_formed_incident(), shapes, onto)
    assert conforms, paths


def test_the_concepts_conform_to_the_concept_shape(shapes, onto):
    assert shacl_results(Graph(), shapes, onto)[0]


def replace(subject: URIRef, predicate: URIRef, value: Any) -> Callable[[Graph], None]:
    """A breakage that sets ``predicate`` of ``subject`` to ``value`` (or removes it: None)."""

    def apply(graph: Graph) -> None:
        graph.remove((subject, predicate, None))
        if value is not None:
            graph.add((subject, predicate, value))

    return apply


def add(subject: URIRef, predicate: URIRef, value: Any) -> Callable[[Graph], None]:
    """A breakage that adds one more value of ``predicate`` to ``subject``."""
    return lambda graph: graph.add((subject, predicate, value))


def drop_evidence(graph: Graph) -> None:
    """Remove every link from an annotation to the incident."""
    graph.remove((None, IKG.aboutIncident, INCIDENT))


BROKEN: dict[str, tuple[Callable[[Graph], None], URIRef | None]] = {
    "no report link": (replace(INCIDENT, IKG.reportedIn, None), IKG.reportedIn),
    "report link to a non-report": (replace(INCIDENT, IKG.reportedIn, ORG_SECTION), IKG.reportedIn),
    "no label": (replace(INCIDENT, RDFS.label, None), RDFS.label),
    "no harm": (replace(INCIDENT, IKG.hasHarm, None), IKG.hasHarm),
    "harm that is not a harm concept": (
        replace(INCIDENT, IKG.hasHarm, CODE.LogoutOmission),
        IKG.hasHarm,
    ),
    "cause that is not a cause concept": (
        add(INCIDENT, IKG.hasCause, CODE.SystemFix),
        IKG.hasCause,
    ),
    "date with the wrong datatype": (
        replace(INCIDENT, IKG.occurredOn, Literal("令和4年3月")),
        IKG.occurredOn,
    ),
    "date as a date-time": (
        replace(INCIDENT, IKG.discoveredOn, DATE_TIME),
        IKG.discoveredOn,
    ),
    "two occurrence dates": (
        add(INCIDENT, IKG.occurredOn, Literal("2022", datatype=xsd("gYear"))),
        IKG.occurredOn,
    ),
    "affected count negative": (
        replace(INCIDENT, IKG.affectedCount, Literal(-1)),
        IKG.affectedCount,
    ),
    "affected count as a string": (
        replace(INCIDENT, IKG.affectedCount, Literal("48")),
        IKG.affectedCount,
    ),
    "affected count ill-typed": (
        replace(INCIDENT, IKG.affectedCount, Literal("-1", datatype=xsd("nonNegativeInteger"))),
        IKG.affectedCount,
    ),
    "responsible organisation that is not an organisation": (
        replace(INCIDENT, IKG.responsibleOrganization, CODE.MunicipalStaff),
        IKG.responsibleOrganization,
    ),
    "no evidence": (drop_evidence, None),
    "evidence without exact text": (replace(QUOTE, OA.exact, None), OA.exact),
    "evidence with empty exact text": (replace(QUOTE, OA.exact, Literal("")), OA.exact),
    "evidence without position selector": (
        lambda g: g.remove((None, OA.hasSelector, POSITION)),
        OA.hasSelector,
    ),
    "evidence offset as a decimal": (
        replace(POSITION, OA.end, Literal("1218.5", datatype=XSD_DECIMAL)),
        OA.end,
    ),
    "evidence start after end": (
        replace(POSITION, OA.start, Literal(2000, datatype=xsd("nonNegativeInteger"))),
        OA.start,
    ),
    "evidence without rule": (replace(EVIDENCE, IKG.extractionRule, None), IKG.extractionRule),
    "confidence above one": (
        replace(EVIDENCE, IKG.confidence, Literal("1.5", datatype=xsd("decimal"))),
        IKG.confidence,
    ),
    "confidence as a float": (
        replace(EVIDENCE, IKG.confidence, Literal(0.9, datatype=xsd("double"))),
        IKG.confidence,
    ),
    "evidence about no incident": (
        replace(EVIDENCE, IKG.aboutIncident, REPORT),
        IKG.aboutIncident,
    ),
    "evidence without asserted property": (
        replace(EVIDENCE, IKG.assertedProperty, None),
        IKG.assertedProperty,
    ),
    "evidence without body": (replace(EVIDENCE, OA.hasBody, None), None),
    "report hash not lower-case hex": (
        replace(REPORT, IKG.contentSha256, Literal("ABC" * 21 + "D")),
        IKG.contentSha256,
    ),
    "report without identifier": (replace(REPORT, DCTERMS.identifier, None), DCTERMS.identifier),
    "report without source file": (replace(REPORT, IKG.sourceFile, None), IKG.sourceFile),
    "organisation without name": (replace(ORG_SECTION, SKOS.prefLabel, None), SKOS.prefLabel),
    "timeline event with a role that is not an event role": (
        replace(EVENT, IKG.eventRole, CODE.CardIssuanceDelay),
        IKG.eventRole,
    ),
    "timeline event without date": (replace(EVENT, IKG.date, None), IKG.date),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_incident_does_not_conform(shapes, onto, case):
    breakage, failing_path = BROKEN[case]
    data = well_formed_incident()
    breakage(data)
    conforms, paths = shacl_results(data, shapes, onto)
    assert not conforms
    if failing_path is not None:
        assert failing_path in paths


def test_a_concept_without_english_label_does_not_conform(shapes, onto):
    data = Graph()
    concept = CODE.NewHarm
    data.add((concept, RDF.type, IKG.Harm))
    data.add((concept, SKOS.inScheme, CODE.harms))
    data.add((concept, SKOS.notation, Literal("NewHarm")))
    data.add((concept, SKOS.prefLabel, Literal("新しい被害", lang="ja")))
    conforms, paths = shacl_results(data, shapes, onto)
    assert not conforms
    assert SKOS.prefLabel in paths


def test_an_evidence_path_failure_is_reported_on_an_inverse_path(shapes, onto):
    data = well_formed_incident()
    drop_evidence(data)
    _conforms, paths = shacl_results(data, shapes, onto)
    assert any(isinstance(p, BNode) for p in paths)


def test_an_annotation_names_one_of_the_three_mechanisms(shapes, onto):
    graph = well_formed_incident()
    graph.set((EVIDENCE, IKG.extractionMechanism, IKG.GuessWork))
    conforms, paths = shacl_results(graph, shapes, onto)
    assert not conforms and IKG.extractionMechanism in paths
