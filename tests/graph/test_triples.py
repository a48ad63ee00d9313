"""Triples: stable IRIs, no blank nodes, one node per body across reports."""

from __future__ import annotations

from collections import Counter

from rdflib import BNode, URIRef
from rdflib.namespace import RDF

from incident_kg.extraction.extract import Extractor, extract_report
from incident_kg.graph.triples import report_graph
from incident_kg.ontology.local_governments import LOCAL_GOVERNMENT_BASE
from incident_kg.ontology.namespaces import DEFAULT_BASE, IKG, OA

from ..conftest import sample_files

REPORT = "証明書の誤交付について\n\n1 概要\n熊本市で別人の証明書を交付した。\n2 原因\nシステムの不具合による。\n"
WARD = "証明書の誤交付について\n\n1 概要\n中区役所で別人の証明書を交付した。\n"


def _graph(extractor: Extractor, text: str, source: str, base: str = DEFAULT_BASE):  # type: ignore[no-untyped-def]
    return report_graph(
        extract_report(extractor, text, source=source), base=base, software_version="test"
    )


def test_the_same_report_gives_the_same_triples(extractor: Extractor) -> None:
    assert set(_graph(extractor, REPORT, "a.txt")) == set(_graph(extractor, REPORT, "a.txt"))


def test_no_blank_node_is_minted(extractor: Extractor) -> None:
    for triple in _graph(extractor, REPORT, "a.txt"):
        assert not any(isinstance(term, BNode) for term in triple)


KUMAMOTO = URIRef(LOCAL_GOVERNMENT_BASE + "431001")


def test_every_iri_is_minted_under_the_base_but_local_governments(
    extractor: Extractor,
) -> None:
    """A local government is named from its code under the namespace every agency shares
    (so agencies' graphs join on it); everything else under the agency's base."""
    base = "https://pref.example/kg/"
    graph = _graph(extractor, REPORT, "a.txt", base=base)
    minted = {s for s in graph.subjects() if isinstance(s, URIRef)}
    assert minted and all(str(s).startswith((base, LOCAL_GOVERNMENT_BASE)) for s in minted)
    assert {s for s in minted if str(s).startswith(LOCAL_GOVERNMENT_BASE)} == {KUMAMOTO}


def test_the_same_body_in_two_reports_is_one_node(extractor: Extractor) -> None:
    first = _graph(extractor, REPORT, "a.txt")
    second = _graph(
        extractor, REPORT.replace("交付した", "交付していた"), "b.txt", base="https://b.example/"
    )
    orgs = [set(g.objects(None, IKG.responsibleOrganization)) for g in (first, second)]
    assert orgs[0] == orgs[1] == {KUMAMOTO}


def test_a_body_not_in_the_table_is_named_under_the_base(extractor: Extractor) -> None:
    graph = _graph(extractor, REPORT.replace("熊本市", "東雲市"), "a.txt")
    orgs = set(graph.objects(None, IKG.responsibleOrganization))
    assert orgs == {URIRef(f"{DEFAULT_BASE}org/%E6%9D%B1%E9%9B%B2%E5%B8%82")}


def test_an_ambiguous_ward_stays_local_to_its_report(extractor: Extractor) -> None:
    a = set(_graph(extractor, WARD, "a.txt").objects(None, IKG.responsibleOrganization))
    b = set(_graph(extractor, WARD, "b.txt").objects(None, IKG.responsibleOrganization))
    assert a and b and not (a & b)
    graph = _graph(extractor, WARD, "a.txt")
    [ward] = a
    assert (ward, IKG.unresolvedName, None) in graph


def test_each_incident_points_at_its_report(extractor: Extractor) -> None:
    graph = _graph(extractor, REPORT, "a.txt")
    incidents = set(graph.subjects(RDF.type, IKG.Incident))
    assert incidents
    for incident in incidents:
        assert (incident, IKG.reportedIn, URIRef(f"{DEFAULT_BASE}report/a")) in graph


def test_facts_read_from_one_span_share_its_target(extractor: Extractor) -> None:
    """Each span of a report's text is one oa:SpecificResource with one quote and one
    position selector, however many facts were read from it."""
    shared = 0
    for path in sample_files()[:4]:
        text = path.read_text(encoding="utf-8")
        graph = _graph(extractor, text, source=path.name)
        targets = Counter(graph.objects(None, OA.hasTarget))
        spans = set()
        for target in targets:
            selectors = list(graph.objects(target, OA.hasSelector))
            assert sorted(str(t) for s in selectors for t in graph.objects(s, RDF.type)) == [
                str(OA.TextPositionSelector),
                str(OA.TextQuoteSelector),
            ]
            (position,) = (s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in graph)
            span = (graph.value(position, OA.start), graph.value(position, OA.end))
            assert span not in spans, f"{path.name}: two targets for the span {span}"
            spans.add(span)
        shared += sum(1 for n in targets.values() if n > 1)
    assert shared > 0  # the samples read several facts from one sentence


def test_each_annotation_names_the_mechanism_that_read_its_fact(extractor: Extractor) -> None:
    import dataclasses

    from incident_kg.extraction.similarity import Exemplar, SimilaritySettings, make_coder

    report = (
        "住民票の誤交付について\n\n1 概要\nみどり市で別人の住民票の写しを交付した。\n"
        "2 原因\n窓口の担当者が名札の色を見分けられなかった。\n"
    )
    exemplar = Exemplar(
        "causes",
        ("ProcedureKnowledgeGap",),
        "窓口の担当者が名札の色を見分けられなかったため、交付した。",
    )
    settings = SimilaritySettings(
        roles={"causes": frozenset({"cause"})}, thresholds={"causes": 0.4}
    )
    similar = dataclasses.replace(extractor, similarity=make_coder([exemplar], settings))
    graph = _graph(similar, report, "a.txt")
    by_body = {
        graph.value(a, OA.hasBody): graph.value(a, IKG.extractionMechanism)
        for a in graph.subjects(RDF.type, OA.Annotation)
        if graph.value(a, OA.hasBody) is not None
    }
    inferred = URIRef("https://w3id.org/incident-kg/code/ProcedureKnowledgeGap")
    assert by_body[inferred] == IKG.ExemplarSimilarity
    assert {m for b, m in by_body.items() if b != inferred} == {IKG.LexiconRule}
