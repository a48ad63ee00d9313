"""The command line, end to end, in real subprocesses against a real store on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from incident_kg.cli import main
from incident_kg.extraction.read import read_report
from incident_kg.ontology.namespaces import IKG, OA

from ..conftest import SAMPLES, SEED_GOLD, SHARED, sample_files


def run(
    *args: str, cwd: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``incident-kg ARGS`` as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "incident_kg.cli", "--quiet", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the real reports by the CLI."""
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds is not beside the project")
    store = tmp_path_factory.mktemp("seeds") / "store"
    run("build", str(seeds), "--store", str(store))
    return store


@pytest.fixture(scope="module")
def seed_turtle(seed_store: Path) -> bytes:
    return run_bytes("export", "--store", str(seed_store), "--rdf-format", "turtle")


def run_bytes(*args: str) -> bytes:
    proc = subprocess.run(
        [sys.executable, "-m", "incident_kg.cli", "--quiet", *args],
        capture_output=True,
        timeout=600,
        check=True,
    )
    return proc.stdout


def test_every_command_explains_itself() -> None:
    assert main.help
    for name, command in main.commands.items():
        assert isinstance(command, click.Command)
        assert command.help and len(command.help) > 40, name
        assert run(name, "--help").stdout.startswith("Usage:")


def test_the_export_of_the_seeds_parses_and_holds_every_vocabulary_code(seed_turtle: bytes) -> None:
    graph = Graph().parse(data=seed_turtle, format="turtle")
    vocabulary = yaml.safe_load((SHARED / "spec" / "vocabulary.yaml").read_text(encoding="utf-8"))
    for section in ("causes", "harms", "countermeasures", "systems", "procedures", "actors"):
        for entry in vocabulary[section]:
            concepts = set(graph.subjects(SKOS.notation, Literal(entry["code"])))
            assert any((c, RDF.type, SKOS.Concept) in graph for c in concepts), entry["code"]


def test_every_seed_report_has_an_incident_in_the_export(seed_turtle: bytes) -> None:
    graph = Graph().parse(data=seed_turtle, format="turtle")
    reports = {str(graph.value(r, IKG.sourceFile)) for r in graph.subjects(RDF.type, IKG.Report)}
    with_incidents = {
        str(graph.value(graph.value(i, IKG.reportedIn), IKG.sourceFile))
        for i in graph.subjects(RDF.type, IKG.Incident)
    }
    assert reports == with_incidents == {p.name for p in (SHARED / "seeds").glob("*.txt")}


def test_every_evidence_span_is_exact_text_of_its_report_as_read(seed_turtle: bytes) -> None:
    """Selectors are anchored in the report's text as read from its file (graph/anchors.py)."""
    graph = Graph().parse(data=seed_turtle, format="turtle")
    texts = {p.name: read_report(p).text for p in (SHARED / "seeds").glob("*.txt")}
    checked = 0
    for target in graph.subjects(RDF.type, OA.SpecificResource):
        source = str(graph.value(graph.value(target, OA.hasSource), IKG.sourceFile))
        selectors = list(graph.objects(target, OA.hasSelector))
        exact = next(
            str(graph.value(s, OA.exact)) for s in selectors if graph.value(s, OA.exact) is not None
        )
        start = next(
            int(graph.value(s, OA.start)) for s in selectors if graph.value(s, OA.start) is not None
        )
        end = next(
            int(graph.value(s, OA.end)) for s in selectors if graph.value(s, OA.end) is not None
        )
        assert texts[source][start:end] == exact
        checked += 1
    assert checked > 50


def test_the_seed_store_conforms_to_the_shapes(seed_store: Path) -> None:
    proc = run("validate", "--store", str(seed_store))
    assert "conforms" in proc.stdout


def test_building_twice_gives_a_byte_identical_export(
    seed_store: Path, seed_turtle: bytes, tmp_path: Path
) -> None:
    run("build", str(SHARED / "seeds"), "--store", str(seed_store))
    assert run_bytes("export", "--store", str(seed_store), "--rdf-format", "turtle") == seed_turtle
    fresh = tmp_path / "fresh"
    run("build", str(SHARED / "seeds"), "--store", str(fresh))
    assert run_bytes("export", "--store", str(fresh), "--rdf-format", "turtle") == seed_turtle


def test_evaluate_prints_a_table_per_field() -> None:
    if not SEED_GOLD.is_dir():
        pytest.skip("../shared/gold is not beside the project")
    seeds = sorted(str(p) for p in (SHARED / "seeds").glob("*.txt"))
    out = run("evaluate", "--gold", str(SEED_GOLD), *seeds).stdout
    for field in (
        "harms",
        "causes",
        "countermeasures",
        "systems",
        "procedures",
        "actors",
        "organizations",
        "occurred",
        "discovered",
        "affected",
        "incidents",
    ):
        assert field in out


def test_extract_prints_the_json_contract_with_evidence() -> None:
    path = sample_files()[0]
    reports = json.loads(run("extract", "--format", "json", str(path)).stdout)
    incident = reports[0]["incidents"][0]
    for key in (
        "organizations",
        "harms",
        "causes",
        "countermeasures",
        "systems",
        "procedures",
        "actors",
        "occurred",
        "discovered",
        "affected",
        "evidence",
    ):
        assert key in incident
    for code in incident["causes"]:
        assert incident["evidence"]["causes"][code][0]["sentence"]


def test_a_missing_store_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = run("export", "--store", str(tmp_path / "none"), check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("Error: no store at")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_an_unparseable_file_to_validate_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    proc = run("validate", str(bad), check=False)
    assert proc.returncode == 2
    assert "bad.ttl" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_the_sample_corpus_builds_and_conforms(tmp_path: Path) -> None:
    """What the README's first command does: build the samples, export, validate."""
    store = tmp_path / "store"
    samples = SAMPLES
    proc = run("build", str(samples), "--store", str(store))
    assert "loaded 11 report(s)" in proc.stdout
    assert "conforms" in run("validate", "--store", str(store)).stdout
    turtle = run_bytes("export", "--store", str(store), "--rdf-format", "turtle")
    assert len(Graph().parse(data=turtle, format="turtle")) > 1000


def test_a_file_that_breaks_the_shapes_is_reported_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix ikg: <https://w3id.org/incident-kg/ontology#> .\n"
        "<https://example.org/i/1> a ikg:Incident ; ikg:affectedCount -3 .\n",
        encoding="utf-8",
    )
    proc = run("validate", str(bad), check=False)
    assert proc.returncode == 1
    assert "https://example.org/i/1" in proc.stdout
    assert "does not conform" in proc.stderr


def test_the_integrity_queries_find_nothing_in_the_seed_store(seed_store: Path) -> None:
    from importlib import resources

    from incident_kg.graph.store import GraphStore

    checks = [
        p
        for p in resources.files("incident_kg.queries").iterdir()
        if p.name.endswith("-violation.rq")
    ]
    assert len(checks) >= 2
    with GraphStore.open(seed_store, read_only=True) as store:
        for check in checks:
            rows = list(store.query(check.read_text(encoding="utf-8")))  # type: ignore[call-overload]
            assert rows == [], check.name


def test_every_coded_fact_is_traceable_to_its_sentence_by_sparql(seed_store: Path) -> None:
    from incident_kg.graph.store import GraphStore

    query = """
        PREFIX ikg: <https://w3id.org/incident-kg/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT (COUNT(DISTINCT ?fact) AS ?n) WHERE {
          ?i ikg:hasCause ?c .
          ?i ikg:reportedIn/ikg:sourceFile ?file .
          ?a ikg:aboutIncident ?i ;
             ikg:reading [ ikg:assertedProperty ikg:hasCause ; ikg:readingBody ?c ] ;
             oa:hasTarget/ikg:spanText ?s .
          BIND(CONCAT(STR(?i), STR(?c)) AS ?fact)
        }"""
    with GraphStore.open(seed_store, read_only=True) as store:
        [row] = list(store.query(query))  # type: ignore[call-overload]
        traced = int(row["n"].value)
        [row] = list(
            store.query(  # type: ignore[call-overload]
                "PREFIX ikg: <https://w3id.org/incident-kg/ontology#> "
                "SELECT (COUNT(DISTINCT CONCAT(STR(?i), STR(?c))) AS ?n) "
                "WHERE { ?i ikg:hasCause ?c }"
            )
        )
        assert traced == int(row["n"].value) > 10


def test_check_lexicon_counts_what_each_code_catches(tmp_path: Path) -> None:
    corpus = tmp_path / "p.yaml"
    corpus.write_text(
        "causes:\n  MissingHandover:\n    role: cause\n"
        "    says: [担当替えの際に事務が引き継がれていなかった。]\n"
        "    does_not: [今後は引継ぎを徹底します。]\n",
        encoding="utf-8",
    )
    proc = run("check-lexicon", str(corpus))
    assert "MissingHandover" in proc.stdout and "1/1" in proc.stdout
    assert "caught 1/1 (100%); 0 near miss(es) wrongly coded" in proc.stdout


def test_export_makes_the_folder_it_writes_into(seed_store: Path, tmp_path: Path) -> None:
    """Regression (newcomer walk-through): `export -o nodir/x.ttl` ended in a traceback."""
    out = tmp_path / "new" / "folder" / "kg.ttl"
    run("export", "--store", str(seed_store), "-o", str(out))
    assert out.stat().st_size > 0 and (out.parent / "kg.ttl.description.ttl").is_file()
    assert not list(out.parent.glob("*.part"))


def test_an_export_that_cannot_be_written_is_one_line_and_exit_2(
    seed_store: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = run("export", "--store", str(seed_store), "-o", str(blocker / "kg.ttl"), check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and str(blocker / "kg.ttl") in proc.stderr


def test_extract_names_incidents_as_the_other_commands_take_them() -> None:
    """Regression (second walk-through): `extract` said `incident-1` where query, analyze and
    view take `REPORT/incident/N`."""
    out = run("extract", "--format", "table", str(SAMPLES / "s01-chuo-staff-phone.txt")).stdout
    assert "  s01-chuo-staff-phone/incident/1: " in out
