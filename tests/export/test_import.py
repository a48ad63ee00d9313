"""Imports that cannot hurt: a bad or hostile file is refused with its problems and the
store stays byte for byte as it was; what is imported keeps its origin and can be removed."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incident_kg.export.filters import Selection
from incident_kg.export.importer import (
    ImportReadError,
    ImportRefused,
    import_file,
    remove_import,
)
from incident_kg.export.marking import Tlp
from incident_kg.export.records import read_records
from incident_kg.export.serialize import ExportOptions, export_dataset
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import META_GRAPH, GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE, IKG

from ..conftest import DATA

PLANTED = DATA / "sharing"
OTHER_BASE = "https://city-b.example/id/"
PREFIXES = """@prefix ikg: <https://w3id.org/incident-kg/ontology#> .
@prefix code: <https://w3id.org/incident-kg/code/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix ex: <https://a.example/> .
"""
HEADER = "ex:export a dcat:Dataset ; ikg:sharingMarking code:tlp-amber .\n"


def tree(path: Path) -> dict[str, str]:
    """Every file of a store directory with the SHA-256 of its bytes."""
    return {
        str(f.relative_to(path)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(path.rglob("*"))
        if f.is_file()
    }


def dump(path: Path) -> list[str]:
    """The store's quads as sorted N-Quads lines."""
    with GraphStore.open(path, read_only=True) as store:
        return sorted(str(q) for q in store.quads())


def export(store_dir: Path, fmt: str, **options: object) -> bytes:
    with GraphStore.open(store_dir, read_only=True) as store:
        return export_dataset(store, fmt, ExportOptions(**options)).data  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def other_city(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A store of another agency (its own base IRI) that sends files."""
    path = tmp_path_factory.mktemp("city-b") / "store"
    with GraphStore.open(path, create=True) as store:
        build([PLANTED], store, base=OTHER_BASE, extractor=extractor)
    return path


@pytest.fixture(scope="module")
def sent(other_city: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One report of the other agency, exported as TriG under TLP:AMBER."""
    file = tmp_path_factory.mktemp("sent") / "city-b.trig"
    options = {"selection": Selection(reports=("p02-planted-point",)), "marking": Tlp.AMBER}
    file.write_bytes(export(other_city, "trig", include_ontology=False, **options))
    return file


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor, sent: Path) -> Path:
    """A store with data of its own and one import (from city-b); tests only try to write."""
    path = tmp_path_factory.mktemp("receiver") / "store"
    with GraphStore.open(path, create=True) as store:
        build([PLANTED], store, base=DEFAULT_BASE, extractor=extractor)
    import_file(sent, path, agency="city-b")
    return path


def refused(
    receiver: Path, tmp_path: Path, name: str, text: str, **kwargs: object
) -> ImportRefused:
    """Import a file that must be refused; the store must not change by a byte."""
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    before = tree(receiver)
    with pytest.raises((ImportRefused, ImportReadError)) as caught:
        import_file(file, receiver, agency=str(kwargs.pop("agency", "city-x")), **kwargs)  # type: ignore[arg-type]
    assert tree(receiver) == before
    return caught.value  # type: ignore[return-value]


def kinds(error: ImportRefused) -> set[str]:
    return {p.kind for p in error.problems}


# -- refused, and the store unchanged --------------------------------------------------


def test_a_syntax_error_is_one_line_naming_the_file(receiver: Path, tmp_path: Path) -> None:
    error = refused(receiver, tmp_path, "broken.ttl", PREFIXES + "ex:a ex:p .\n")
    assert isinstance(error, ImportReadError)
    assert "broken.ttl" in str(error) and "line 8" in str(error) and "\n" not in str(error)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    receiver: Path, tmp_path: Path
) -> None:
    error = refused(receiver, tmp_path, "big.ttl", PREFIXES + HEADER, max_bytes=100)
    assert isinstance(error, ImportReadError) and "over the import limit of 100 bytes" in str(error)


def test_a_file_with_too_many_triples_is_refused_while_parsed(
    receiver: Path, tmp_path: Path
) -> None:
    text = PREFIXES + "".join(f'ex:s{i} ex:p "{i}" .\n' for i in range(50))
    error = refused(receiver, tmp_path, "many.ttl", text, max_triples=10)
    assert isinstance(error, ImportReadError) and "more than 10 triples" in str(error)


def test_a_file_that_breaks_the_shapes_is_refused_with_its_violations(
    receiver: Path, tmp_path: Path
) -> None:
    text = (
        PREFIXES
        + HEADER
        + 'ex:i1 a ikg:Incident ; rdfs:label "誤交付"@ja ; ikg:affectedCount -3 .\n'
    )
    error = refused(receiver, tmp_path, "shapes.ttl", text)
    assert isinstance(error, ImportRefused) and kinds(error) == {"shape"}
    assert any(
        "https://a.example/i1" in p.text() and "affected count" in p.text() for p in error.problems
    )


@pytest.mark.parametrize(
    ("triple", "kind"),
    [
        ("ikg:Incident rdfs:subClassOf prov:Agent .", "redefinition"),
        ('code:LogoutOmission rdfs:label "not a cause"@en .', "redefinition"),
        ("ex:MyCause rdfs:subClassOf ikg:Cause .", "axiom"),
        ("ex:thing owl:sameAs code:LogoutOmission .", "axiom"),
        ("ex:i1 ikg:hasCouse code:LogoutOmission .", "unknown-term"),
        ("ex:i1 ikg:hasCause code:NoSuchCode .", "unknown-term"),
    ],
)
def test_a_triple_that_redefines_the_ontology_is_refused(
    receiver: Path, tmp_path: Path, triple: str, kind: str
) -> None:
    error = refused(receiver, tmp_path, "hostile.ttl", PREFIXES + HEADER + triple + "\n")
    assert isinstance(error, ImportRefused) and kind in kinds(error)


def test_a_file_cannot_write_into_the_record_keeping(receiver: Path, tmp_path: Path) -> None:
    text = PREFIXES + HEADER + f"<{META_GRAPH}> {{ ex:i1 ex:p ex:o . }}\n"
    error = refused(receiver, tmp_path, "meta.trig", text)
    assert isinstance(error, ImportRefused) and kinds(error) == {"reserved-graph"}


def test_a_file_cannot_overwrite_the_stores_own_graphs(receiver: Path, tmp_path: Path) -> None:
    own = export(receiver, "trig", selection=Selection(reports=("p01-planted-window",)))
    error = refused(receiver, tmp_path, "own.trig", own.decode("utf-8"))
    assert isinstance(error, ImportRefused) and kinds(error) == {"owner-local"}


def test_a_file_cannot_overwrite_another_agencys_import(
    receiver: Path, tmp_path: Path, sent: Path
) -> None:
    error = refused(
        receiver, tmp_path, "again.trig", sent.read_text(encoding="utf-8"), agency="city-c"
    )
    assert isinstance(error, ImportRefused) and kinds(error) == {"owner-other"}
    assert "city-b" in error.problems[0].text()


def test_a_file_without_a_marking_needs_one(receiver: Path, tmp_path: Path) -> None:
    error = refused(receiver, tmp_path, "unmarked.ttl", PREFIXES + "ex:a ex:p ex:o .\n")
    assert isinstance(error, ImportRefused) and kinds(error) == {"no-marking"}


def test_a_marked_file_cannot_be_imported_under_a_looser_marking(
    receiver: Path, tmp_path: Path
) -> None:
    text = PREFIXES + HEADER.replace("tlp-amber", "tlp-red") + "ex:a ex:p ex:o .\n"
    error = refused(receiver, tmp_path, "red.ttl", text, marking=Tlp.GREEN)
    assert isinstance(error, ImportRefused) and kinds(error) == {"looser-marking"}


def test_a_json_ld_file_never_fetches_a_remote_context(receiver: Path, tmp_path: Path) -> None:
    text = (
        '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "https://a.example/x", "p": "v"}'
    )
    error = refused(receiver, tmp_path, "remote.jsonld", text)
    assert isinstance(error, ImportReadError) and "remote.jsonld" in str(error)


def test_relative_iris_and_triple_terms_are_refused(receiver: Path, tmp_path: Path) -> None:
    assert isinstance(refused(receiver, tmp_path, "rel.ttl", "<x> <p> <o> .\n"), ImportReadError)
    star = PREFIXES + HEADER + "ex:a ex:says <<( ex:b ex:p ex:c )>> .\n"
    error = refused(receiver, tmp_path, "star.ttl", star)
    assert isinstance(error, ImportReadError) and "triple terms" in str(error)


def test_the_cli_lists_the_first_problems_then_a_count(receiver: Path, tmp_path: Path) -> None:
    file = tmp_path / "many.ttl"
    file.write_text(PREFIXES + HEADER + "".join(f"ex:a ikg:bogus{i} ex:o .\n" for i in range(12)))
    before = tree(receiver)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "incident_kg.cli",
            "-q",
            "import",
            str(file),
            "--from",
            "city-x",
            "--store",
            str(receiver),
            "--max-problems",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 7
    assert all("ontology#bogus" in line for line in lines[:5])
    assert lines[5] == "… and 7 more" and "unchanged" in lines[6]
    assert tree(receiver) == before


# -- what an import keeps, and taking it out again -------------------------------------


def test_an_import_records_its_agency_file_time_and_marking(receiver: Path, sent: Path) -> None:
    with GraphStore.open(receiver, read_only=True) as store:
        (record,) = read_records(store)
        assert record.agency == "city-b" and record.file_name == sent.name
        assert record.file_sha256 == hashlib.sha256(sent.read_bytes()).hexdigest()
        assert record.marking is Tlp.AMBER and record.imported.startswith("20")
        assert record.graphs == (f"{OTHER_BASE}graph/p02-planted-point",)
        assert record.triples == len(store.graph_triples(record.graphs))  # as received
        assert record.dataset and record.dataset.startswith("https://w3id.org/incident-kg/export/")
        within = [q for q in store.quads() if q.predicate.value == str(IKG.withinOrganization)]
        assert any(q.subject.value.startswith(OTHER_BASE) for q in within)  # inferred locally


def test_an_import_can_be_removed_and_the_store_is_as_before(
    other_city: Path, receiver: Path, tmp_path: Path
) -> None:
    store_dir = tmp_path / "store"
    shutil.copytree(receiver, store_dir)
    before = dump(store_dir)
    file = tmp_path / "p01.nq"
    file.write_bytes(
        export(other_city, "nquads", selection=Selection(reports=("p01-planted-window",)))
    )
    result = import_file(file, store_dir, agency="city-z", clock=lambda: "2024-05-01T00:00:00Z")
    assert dump(store_dir) != before
    with GraphStore.open(store_dir) as store:
        assert result.record.id in {r.id for r in read_records(store)}
        remove_import(store, result.record.id)
    assert dump(store_dir) == before


def test_importing_the_same_file_again_changes_nothing_but_the_time(
    sent: Path, tmp_path: Path
) -> None:
    store_dir = tmp_path / "store"
    first = import_file(sent, store_dir, agency="city-b", clock=lambda: "2024-05-01T00:00:00Z")
    once = dump(store_dir)
    again = import_file(sent, store_dir, agency="city-b", clock=lambda: "2024-05-01T00:00:00Z")
    assert again.record.id == first.record.id and dump(store_dir) == once


def test_blank_nodes_are_named_by_the_file_so_every_import_names_them_alike(
    tmp_path: Path,
) -> None:
    file = tmp_path / "blank.ttl"
    file.write_text(PREFIXES + HEADER + 'ex:a ex:p [ ex:q "v" ] , [ ex:q "w" ] .\n')
    dumps = []
    for name in ("one", "two"):
        import_file(file, tmp_path / name, agency="city-x")
        dumps.append([line for line in dump(tmp_path / name) if "a.example" in line])
    assert dumps[0] == dumps[1] and not any("_:" in line for line in dumps[0])


def test_a_build_does_not_overwrite_an_imported_graph(extractor: Extractor, tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "sender", create=True) as store:
        build([PLANTED / "p02-planted-point.txt"], store, base=DEFAULT_BASE, extractor=extractor)
    file = tmp_path / "p02.trig"
    file.write_bytes(export(tmp_path / "sender", "trig"))
    import_file(file, tmp_path / "store", agency="city-x")
    before = dump(tmp_path / "store")
    with GraphStore.open(tmp_path / "store") as store:
        result = build(
            [PLANTED / "p02-planted-point.txt"], store, base=DEFAULT_BASE, extractor=extractor
        )
        assert [r.agency for r in read_records(store)] == ["city-x"]  # its record is kept
    assert [p.kind for p in result.problems] == ["imported"]
    assert [line for line in dump(tmp_path / "store") if "graph/meta>" not in line] == [
        line for line in before if "graph/meta>" not in line
    ]


def test_the_import_help_states_the_limits_the_code_applies() -> None:
    from incident_kg.export.importer import DEFAULT_MAX_BYTES, DEFAULT_MAX_TRIPLES

    text = subprocess.run(
        [sys.executable, "-m", "incident_kg.cli", "import", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert f"({DEFAULT_MAX_BYTES})" in " ".join(text.split())
    assert f"{DEFAULT_MAX_TRIPLES:,}" in text
