"""The named queries rewritten for speed at scale still find what they are for: a coded fact
without evidence is reported, and the evidence of a fact comes with its position."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import CODE, DEFAULT_BASE, IKG
from incident_kg.queries.library import (
    PAGE_MARK,
    bindings,
    known_codes,
    load_library,
    paged,
    run_local,
    standard_sparql,
)

from ..conftest import sample_files

LIBRARY = load_library()


def test_a_coded_fact_without_evidence_is_reported(extractor: Extractor, tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build(sample_files()[:1], store, base=DEFAULT_BASE, extractor=extractor)
        query = LIBRARY["coded-fact-without-evidence-violation"]
        assert run_local(store, query).rows == ()
        incident = f"{DEFAULT_BASE}report/{sample_files()[0].stem}/incident/1"
        said = {  # the codes of the incident's facts, and those its evidence reads
            row[0]
            for row in run_local(
                store,
                f"SELECT ?b WHERE {{ {{ <{incident}> ?p ?b }} UNION {{ ?a <{IKG.aboutIncident}> "
                f"<{incident}> ; <{IKG.reading}>/<{IKG.readingBody}> ?b }} }}",
            ).rows
        }
        unsaid = next(c for c in sorted(known_codes()["causes"]) if str(CODE[c]) not in said)
        store.replace_graph(
            f"{DEFAULT_BASE}graph/planted", f"<{incident}> <{IKG.hasCause}> <{CODE[unsaid]}> ."
        )
        rows = run_local(store, query).rows
    assert rows == ((incident, str(IKG.hasCause), str(CODE[unsaid])),)


def test_the_evidence_of_a_fact_has_its_sentence_and_position(
    extractor: Extractor, tmp_path: Path
) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build(sample_files()[:1], store, base=DEFAULT_BASE, extractor=extractor)
        incident = f"{DEFAULT_BASE}report/{sample_files()[0].stem}/incident/1"
        query = LIBRARY["evidence-for-fact"]
        table = run_local(store, query, bindings(query, {"incident": incident}, known_codes()))
    start, end, sentence = (table.columns.index(c) for c in ("start", "end", "sentence"))
    assert table.rows
    for row in table.rows:
        assert row[start] is not None and row[end] is not None
        assert int(row[end]) - int(row[start]) == len(row[sentence] or "")


def test_standard_sparql_unwraps_lateral_and_leaves_the_rest() -> None:
    text = "SELECT * WHERE { ?s ?p ?o LATERAL { OPTIONAL { ?o ?q ?z { ?z ?r ?w } } } . }"
    assert (
        standard_sparql(text) == "SELECT * WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?z { ?z ?r ?w } } . }"
    )
    assert standard_sparql("SELECT * WHERE { ?s ?p ?o }") == "SELECT * WHERE { ?s ?p ?o }"


def test_every_named_query_answers_the_same_in_plain_sparql(
    extractor: Extractor, tmp_path: Path
) -> None:
    """LATERAL is only a hint to Oxigraph: the plain SPARQL 1.1 form (what rdflib and remote
    endpoints get) answers the same on the sample corpus."""
    params = {"cause": "tier-supervision", "name": "堺市"}
    known = known_codes()
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build(sample_files(), store, base=DEFAULT_BASE, extractor=extractor)
        first = run_local(store, f"SELECT ?i WHERE {{ ?i a <{IKG.Incident}> }} ORDER BY ?i LIMIT 1")
        params["incident"] = str(first.rows[0][0])
        lateral = [name for name, q in LIBRARY.items() if "LATERAL" in q.text]
        assert "incidents-for-cause" in lateral
        for name in lateral:
            query = LIBRARY[name]
            terms = bindings(query, {p.name: params[p.name] for p in query.parameters}, known)
            ours = run_local(store, query, terms).rows
            plain = dataclasses.replace(query, text=standard_sparql(query.text))
            assert not re.search(r"\bLATERAL\s*\{", plain.text, re.IGNORECASE)
            assert _unordered(run_local(store, plain, terms).rows) == _unordered(ours), name
            assert ours, name


def _unordered(rows: Sequence[Sequence[str | None]]) -> list[tuple[tuple[str, ...], ...]]:
    """Rows compared whatever the order of the values a cell joins (GROUP_CONCAT's order is
    left to the engine by SPARQL)."""
    return sorted(
        tuple(tuple(sorted((cell or "").replace(" | ", " ").split(" "))) for cell in row)
        for row in rows
    )


def test_a_quote_of_another_length_than_its_span_is_reported(
    extractor: Extractor, tmp_path: Path
) -> None:
    target = f"{DEFAULT_BASE}report/planted/text/10-14"
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    planted = (  # a span as the store keeps it (graph/evidence.py): five characters in 10-14
        f'<{target}> <{IKG.spanText}> "五文字の文" .\n'
        f'<{target}> <{IKG.spanStart}> "10"^^{integer} .\n'
        f'<{target}> <{IKG.spanEnd}> "14"^^{integer} .\n'
    )
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build(sample_files()[:1], store, base=DEFAULT_BASE, extractor=extractor)
        query = LIBRARY["evidence-outside-report-violation"]
        assert run_local(store, query).rows == ()
        store.replace_graph(f"{DEFAULT_BASE}graph/planted", planted)
        rows = run_local(store, query).rows
    assert [row[0] for row in rows] == [target]


def test_a_page_goes_in_place_of_every_page_line() -> None:
    """A listing may narrow a part of its rows to the page with a copy of its driving
    sub-select (shared-devices' evidence): each `# {page}` line gets the same LIMIT and OFFSET."""
    text = "SELECT * WHERE {\n  { SELECT ?i WHERE { ?i ?p ?o }\n  # {page}\n  }\n  { SELECT ?i WHERE { ?i ?p ?o }\n    # {page}\n  }\n}"
    lines = paged(text, 50, 100).splitlines()
    assert [line.strip() for line in lines if "LIMIT" in line] == ["LIMIT 50 OFFSET 100"] * 2
    assert PAGE_MARK not in {line.strip() for line in lines}
    assert paged(text, None) == text


#: The listings paged by a sub-select (`# {page}`), with the parameters they need.
PAGED = {
    "incidents": {},
    "single-person-checks": {},
    "missing-handover": {},
    "shared-devices": {},
    "incidents-within-organization": {"name": "熊本市"},
}


@pytest.fixture(scope="module")
def samples_store(extractor: Extractor, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "store"
    with GraphStore.open(path, create=True) as store:
        build(sample_files(), store, base=DEFAULT_BASE, extractor=extractor)
    return path


@pytest.mark.parametrize("name", sorted(PAGED))
def test_the_pages_of_a_listing_are_the_listing(samples_store: Path, name: str) -> None:
    """Issue 17: `query LISTING --limit N --offset K` gives N incidents (their rows); the
    pages together give every row of the listing once."""
    query = LIBRARY[name]
    assert PAGE_MARK in {line.strip() for line in query.text.splitlines()}
    terms = bindings(query, PAGED[name], known_codes())
    with GraphStore.open(samples_store, read_only=True) as store:
        whole = run_local(store, query, terms)
        pages = [
            run_local(store, dataclasses.replace(query, text=paged(query.text, 2, k)), terms)
            for k in range(0, 40, 2)
        ]
    column = whole.columns.index("incident")
    incidents = {row[column] for row in whole.rows}
    assert len(incidents) >= 2
    assert len({row[column] for row in pages[0].rows}) == 2
    assert _unordered([row for page in pages for row in page.rows]) == _unordered(whole.rows)


def test_shared_root_causes_counts_the_responsible_body_of_an_event_told_twice(
    extractor: Extractor, tmp_path: Path
) -> None:
    """Issue 17 rewrote the body rule of shared-root-causes as hashed sub-selects: an event
    whose one telling names a responsible organisation counts that body only (not what
    either telling merely involves); an incident naming no responsible one counts its
    involved ones."""
    base = f"{DEFAULT_BASE}report/planted-"
    org = f"{DEFAULT_BASE}org/"
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build(sample_files()[:1], store, base=DEFAULT_BASE, extractor=extractor)
        stated = {
            row[0] for row in run_local(store, f"SELECT ?c WHERE {{ ?i <{IKG.hasCause}> ?c }}").rows
        }
        cause = next(c for c in sorted(known_codes()["causes"]) if str(CODE[c]) not in stated)

        def telling(name: str, responsible: Sequence[str], involved: Sequence[str]) -> str:
            incident, report = f"<{base}{name}/incident/1>", f"<{base}{name}>"
            lines = [
                f"{incident} a <{IKG.Incident}> ; <{IKG.reportedIn}> {report} ; "
                f"<{IKG.hasCause}> <{CODE[cause]}> .",
                *(f"{incident} <{IKG.responsibleOrganization}> <{org}{o}> ." for o in responsible),
                *(
                    f"{incident} <{IKG.involvedOrganization}> <{org}{o}> ."
                    for o in [*responsible, *involved]
                ),
            ]
            return "\n".join(lines)

        store.replace_graph(f"{DEFAULT_BASE}graph/planted-a", telling("a", ["甲市"], ["乙社"]))
        store.replace_graph(f"{DEFAULT_BASE}graph/planted-b", telling("b", [], ["丙市"]))
        store.replace_graph(f"{DEFAULT_BASE}graph/planted-c", telling("c", [], ["丁市"]))
        store.replace_graph(  # b is a second telling of a
            "https://w3id.org/incident-kg/graph/links",
            f"<{base}b/incident/1> <{IKG.countedAs}> <{base}a/incident/1> .",
        )
        table = run_local(store, LIBRARY["shared-root-causes"])
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    (row,) = [r for r in rows if r["code"] == cause]
    # places: 甲市 (a and b, one event) and 丁市 (c); 乙社 and 丙市 are not counted
    counts = (row["spread"], row["incidents"], row["organizations"], row["reports"])
    assert counts == ("2", "2", "2", "3")
