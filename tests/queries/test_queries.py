"""The named queries: their headers, safe parameters, and the answers they give on the
sample corpus (the ontology's competency questions)."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build, stable_ontology
from incident_kg.graph.evidence import READINGS_GRAPH
from incident_kg.graph.store import LINKS_GRAPH, GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE
from incident_kg.queries.library import (
    QueryError,
    Table,
    bindings,
    known_codes,
    load_library,
    run_local,
    with_values_clause,
)

from ..conftest import SAMPLES, seed_files

LIBRARY = load_library()
KNOWN = known_codes()
S01 = "https://w3id.org/incident-kg/id/report/s01-chuo-staff-phone/incident/1"
SAKAI = "堺市"
#: One value for each parameter, to run every query in the equivalence test.
EXAMPLES = {"cause": "tier-supervision", "incident": S01, "name": SAKAI}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("queries") / "store"
    with GraphStore.open(path, create=True) as s:
        build([SAMPLES], s, base=DEFAULT_BASE, extractor=extractor)
    s = GraphStore.open(path, read_only=True)
    yield s
    s.close()


def _run(store: GraphStore, query_name: str, **params: str) -> Table:
    query = LIBRARY[query_name]
    return run_local(store, query, bindings(query, params, KNOWN))


def _column(table: Table, name: str) -> list[str | None]:
    i = table.columns.index(name)
    return [row[i] for row in table.rows]


def _joined(table: Table, name: str) -> set[str]:
    """Every value of a column whose cells join several names with " | " (one row per key)."""
    return {v for cell in _column(table, name) if cell for v in cell.split(" | ")}


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_query_has_a_title_questions_in_both_languages_and_an_example(name: str) -> None:
    query = LIBRARY[name]
    assert query.title and query.question_en and query.question_ja
    assert query.example.startswith(f"incident-kg query {name}")


def test_a_parameter_value_cannot_change_the_query() -> None:
    query = LIBRARY["incidents-for-cause"]
    with pytest.raises(QueryError):
        bindings(query, {"cause": "SharedDevice> } DROP ALL #"}, KNOWN)
    evidence = LIBRARY["evidence-for-fact"]
    with pytest.raises(QueryError):
        bindings(evidence, {"incident": "http://x/> } ; DROP ALL { <y"}, KNOWN)


def test_a_string_is_one_literal_in_the_values_clause() -> None:
    text = with_values_clause("SELECT ?x WHERE { ?s ?p ?x }", {"x": ox.Literal('a" } DROP ALL')})
    assert text.count("VALUES") == 1
    assert '"a\\" } DROP ALL"' in text


def test_missing_and_unknown_parameters_are_refused() -> None:
    with pytest.raises(QueryError, match="needs --param cause"):
        bindings(LIBRARY["incidents-for-cause"], {}, KNOWN)
    with pytest.raises(QueryError, match="no parameter"):
        bindings(LIBRARY["incidents"], {"cause": "SharedDevice"}, KNOWN)


def test_shared_root_causes_rank_shared_devices_and_list_the_tiers(store: GraphStore) -> None:
    table = _run(store, "shared-root-causes")
    codes_ = _column(table, "code")
    assert {"SharedDevice", "LogoutOmission"} <= set(codes_)
    assert {"unsafe-act", "precondition", "supervision", "organisation"} <= set(codes_)
    orgs = dict(zip(codes_, map(int, _column(table, "organizations")), strict=True))
    assert all(n >= 2 for n in orgs.values())


def test_a_tier_finds_every_narrower_cause(store: GraphStore) -> None:
    stated = set(_column(_run(store, "incidents-for-cause", cause="tier-supervision"), "stated"))
    assert "ContractorOversightGap" in stated and "LogoutOmission" not in stated


def test_the_three_ready_views_find_their_incidents(store: GraphStore) -> None:
    handover = set(_column(_run(store, "missing-handover"), "report"))
    assert {"s04-naka-backlog-pdftext.txt", "s08-hikari-minato-two-cases.txt"} <= handover
    single = set(_column(_run(store, "single-person-checks"), "report"))
    assert "s07-shiokaze-kenpo-same-name.txt" in single
    devices = set(_column(_run(store, "shared-devices"), "report"))
    assert {"s02-sakai-logout.md", "s06-aoba-account-tablet.txt"} <= devices


def test_detection_lag_counts_days_only_between_full_dates(store: GraphStore) -> None:
    table = _run(store, "detection-lag")
    rows = {r[0]: dict(zip(table.columns, r, strict=True)) for r in table.rows}
    assert rows[S01]["days"] == "30"
    partial = [r for r in rows.values() if r["precision"] != "day"]
    assert partial and all(r["days"] is None for r in partial)


def test_an_incident_in_a_ward_is_an_incident_within_its_city(store: GraphStore) -> None:
    table = _run(store, "incidents-within-organization", name=SAKAI)
    assert any("s02-sakai-logout" in (i or "") for i in _column(table, "incident"))


def test_every_coded_fact_has_its_sentence(store: GraphStore) -> None:
    table = _run(store, "evidence-for-fact", incident=S01)
    assert table.rows and all(_column(table, "sentence"))
    assert set(_column(table, "report")) == {"s01-chuo-staff-phone.txt"}


def _full_closure_store(store: GraphStore) -> ox.Store:
    """The baseline: the corpus (its evidence in full Web Annotation form) and the ontology
    closed by owlrl in memory, then queried.  The queries read evidence as the store keeps
    it (graph/evidence.py), so the store's compact evidence triples and readings are given
    to the closure too: what is compared is the reasoning, not the form of the evidence."""
    graph = Graph()
    for triple in stable_ontology():
        graph.add(triple)
    graph.parse(data=store.graph_ntriples(store.asserted_graphs()).decode(), format="nt")
    stored = [*store.asserted_graphs(), READINGS_GRAPH]
    graph.parse(data="".join(f"{q.triple} .\n" for q in store.quads(stored)), format="nt")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    out = ox.Store()
    for s, p, o in graph:
        if isinstance(s, (URIRef, BNode)) and isinstance(p, URIRef):
            out.add(ox.Quad(_ox(s), _ox(p), _ox(o), ox.DefaultGraph()))
    # the links graph is the link pass's, not OWL's: the baseline takes it as it is
    for quad in store.quads([LINKS_GRAPH]):
        out.add(quad)
    return out


def _ox(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


#: Queries whose answers still differ from the full closure — open work, see the issue note.
KNOWN_DIFFERENCES: set[str] = set()


def _canonical(rows: object) -> list[tuple[str, ...]]:
    """Rows with GROUP_CONCAT lists sorted (SPARQL leaves their order open)."""
    return sorted(
        tuple(" ".join(sorted((v or "").split(" "))) for v in row)
        for row in rows  # type: ignore[attr-defined]
    )


def test_named_queries_answer_the_same_as_a_full_owlrl_closure(store: GraphStore) -> None:
    baseline = _full_closure_store(store)
    for name, query in sorted(LIBRARY.items()):
        if name in KNOWN_DIFFERENCES:
            continue
        params = {p.name: EXAMPLES[p.name] for p in query.parameters}
        terms = bindings(query, params, KNOWN)
        ours = run_local(store, query, terms)
        result = baseline.query(
            query.text, substitutions={ox.Variable(k): v for k, v in terms.items()} or None
        )
        assert isinstance(result, ox.QuerySolutions)
        columns = [v.value for v in result.variables]
        theirs = sorted(
            tuple(None if s[c] is None else s[c].value for c in columns) for s in result
        )
        assert _canonical(ours.rows) == _canonical(theirs), name
        if not name.endswith("-violation"):  # integrity checks must find nothing
            assert ours.rows, f"{name} answers nothing on the sample corpus"


# -- the competency questions on the real seed reports ------------------------------


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor):  # type: ignore[no-untyped-def]
    seeds = seed_files()
    if not seeds:
        pytest.skip("../shared/seeds is not beside the project")
    path = tmp_path_factory.mktemp("seed-queries") / "store"
    with GraphStore.open(path, create=True) as s:
        build(seeds, s, base=DEFAULT_BASE, extractor=extractor)
    s = GraphStore.open(path, read_only=True)
    yield s
    s.close()


def test_on_the_seeds_shared_devices_and_logout_recur_across_three_bodies(
    seed_store: GraphStore,
) -> None:
    table = _run(seed_store, "shared-root-causes")
    found = [dict(zip(table.columns, r, strict=True)) for r in table.rows]
    rows = {str(d["code"]): d for d in found}
    for code in ("SharedDevice", "LogoutOmission"):
        assert int(rows[code]["organizations"]) >= 3, code
        bodies = _joined(_run(seed_store, "incidents-for-cause", cause=code), "organization")
        assert {"堺市", "熊本市"} <= bodies, code


def test_on_the_seeds_missing_handover_and_single_person_checks_have_their_incidents(
    seed_store: GraphStore,
) -> None:
    for name in ("missing-handover", "single-person-checks"):
        incidents = _column(_run(seed_store, name), "incident")
        assert incidents, name
        assert all("/incident/" in (i or "") for i in incidents)


def test_countermeasure_coverage_counts_the_incidents_with_none(
    tmp_path: Path, extractor: Extractor
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "証明書の誤交付について\n\n1 概要\n窓口で別の方の住民票の写しを誤って交付した。\n"
        "2 原因\n交付の際の確認を職員一人だけで行っていた。\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "証明書の誤交付について\n\n1 概要\n窓口で別の方の住民票の写しを誤って交付した。\n"
        "2 原因\n交付の際の確認を職員一人だけで行っていた。\n"
        "3 再発防止策\n交付の前に別の職員が確認するダブルチェックを行う。\n",
        encoding="utf-8",
    )
    path = tmp_path / "store"
    with GraphStore.open(path, create=True) as s:
        build([folder], s, base=DEFAULT_BASE, extractor=extractor)
        table = _run(s, "countermeasure-coverage")
    found = table.rows[_column(table, "code").index("SinglePersonCheck")]
    row = dict(zip(table.columns, found, strict=True))
    assert (row["incidents"], row["without_countermeasure"]) == ("2", "1")
    assert "MultiPersonCheck" in (row["countermeasures"] or "").split()


def test_on_the_seeds_a_vendor_serving_several_bodies_is_listed(seed_store: GraphStore) -> None:
    """Regression (issue 17's helper): the company branch filtered on a variable its UNION
    branch does not bind, so no company was ever listed — 富士通Japan served several bodies'
    convenience-store issuance in the regulator's table."""
    table = _run(seed_store, "vendors-and-systems")
    companies = [r for r in table.rows if r[0] == "company"]
    assert any("富士通" in (r[2] or "") for r in companies)
