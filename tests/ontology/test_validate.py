"""Validation in plain language, and the sharing commands end to end (export, import,
imports, validate) as a user runs them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from incident_kg.ontology.namespaces import IKG
from incident_kg.ontology.validate import validate_graph

from ..conftest import DATA

BROKEN = """@prefix ikg: <https://w3id.org/incident-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/i/1> a ikg:Incident ; rdfs:label "窓口での誤交付"@ja ; ikg:affectedCount -3 .
"""


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "incident_kg.cli", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_a_violation_names_the_node_its_label_the_property_and_the_rule_in_japanese() -> None:
    data = Graph().parse(data=BROKEN, format="turtle")
    lines = [v.describe("ja") for v in validate_graph(data, lang="ja")]
    count = next(line for line in lines if "影響件数" in line)
    assert count.startswith("違反: <https://example.org/i/1>「窓口での誤交付」")
    assert "0 以上" in count and "（値: -3）" in count


def test_the_same_violation_in_english() -> None:
    data = Graph().parse(data=BROKEN, format="turtle")
    lines = [v.describe("en") for v in validate_graph(data, lang="en")]
    assert any(
        line.startswith('violation: <https://example.org/i/1> "窓口での誤交付" — affected count:')
        and "(value: -3)" in line
        for line in lines
    )


def test_a_constraint_without_a_message_of_its_own_is_worded_plainly() -> None:
    """Shapes from elsewhere may give no sh:message: the constraint is worded from
    messages.yaml, not with pySHACL's technical text."""
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ikg: <https://w3id.org/incident-kg/ontology#> .
        <https://example.org/shape> a sh:NodeShape ; sh:targetClass ikg:Incident ;
            sh:property [ sh:path ikg:incidentKey ; sh:minCount 1 ] .""",
        format="turtle",
    )
    data = Graph().parse(data=BROKEN, format="turtle")
    (result,) = validate_graph(data, lang="ja", shapes=shapes)
    assert result.describe("ja").endswith(
        "— https://w3id.org/incident-kg/ontology#incidentKey: 必要な値がない"
    )
    (result,) = validate_graph(data, lang="en", shapes=shapes)
    assert result.message == "a required value is missing"


def test_validate_a_file_in_japanese_exits_1_and_says_so(tmp_path: Path) -> None:
    file = tmp_path / "broken.ttl"
    file.write_text(BROKEN, encoding="utf-8")
    proc = run("validate", str(file), "--lang", "ja", check=False)
    assert proc.returncode == 1
    assert "違反: <https://example.org/i/1>「窓口での誤交付」" in proc.stdout
    assert "適合していない" in proc.stderr


def test_validate_a_file_for_programs_gives_json(tmp_path: Path) -> None:
    file = tmp_path / "broken.ttl"
    file.write_text(BROKEN, encoding="utf-8")
    found = json.loads(run("validate", str(file), "--format", "json", check=False).stdout)
    assert found["conforms"] is False
    assert {r["focus"] for r in found["results"]} == {"https://example.org/i/1"}
    assert {"affected count", "evidence", "reported in"} <= {
        r["path_name"] for r in found["results"]
    }


def test_validate_a_file_reports_a_redefined_ontology_term(tmp_path: Path) -> None:
    file = tmp_path / "hostile.ttl"
    file.write_text(
        "@prefix ikg: <https://w3id.org/incident-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ikg:Incident rdfs:subClassOf ikg:Report .\n",
        encoding="utf-8",
    )
    proc = run("validate", str(file), check=False)
    assert proc.returncode == 1
    assert "https://w3id.org/incident-kg/ontology#Incident" in proc.stdout
    assert "redefine" in proc.stdout


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    run("build", str(DATA / "sharing"), "--store", str(store))
    return store


def test_the_sharing_profile_needs_a_marking_and_a_publisher(
    sample_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "share.ttl"
    proc = run(
        "export", "--store", str(sample_store), "--profile", "sharing", "-o", str(out), check=False
    )
    assert proc.returncode == 2 and "--tlp" in proc.stderr and not out.exists()
    proc = run(
        "export",
        "--store",
        str(sample_store),
        "--profile",
        "sharing",
        "--tlp",
        "amber",
        "-o",
        str(out),
        check=False,
    )
    assert proc.returncode == 2 and "--publisher" in proc.stderr and not out.exists()


def test_a_sharing_export_writes_a_redacted_file_and_its_description(
    sample_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "share.ttl"
    run(
        "export",
        "--store",
        str(sample_store),
        "--profile",
        "sharing",
        "--tlp",
        "AMBER",
        "--publisher",
        "さくら野市",
        "-o",
        str(out),
    )
    data = out.read_bytes()
    assert "山田太郎".encode() not in data and "［氏名］".encode() in data
    description = Graph().parse(tmp_path / "share.ttl.description.ttl", format="turtle")
    (dataset,) = description.subjects(IKG.redactionApplied, Literal(True))
    assert (
        dataset,
        IKG.sharingMarking,
        URIRef("https://w3id.org/incident-kg/code/tlp-amber"),
    ) in description
    (distribution,) = description.objects(dataset, URIRef("http://www.w3.org/ns/dcat#distribution"))
    assert description.value(distribution, DCTERMS.issued) is not None
    checksum = str(
        next(description.objects(None, URIRef("http://spdx.org/rdf/terms#checksumValue")))
    )
    assert checksum == hashlib.sha256(data).hexdigest()
    data_graph = Graph().parse(data=data, format="turtle")
    assert (dataset, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")) in data_graph


def test_import_then_list_then_remove(sample_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "sakura.trig"
    run(
        "export",
        "--store",
        str(sample_store),
        "--rdf-format",
        "trig",
        "--tlp",
        "green",
        "-o",
        str(out),
    )
    store = str(tmp_path / "store")
    said = run("import", str(out), "--from", "さくら野市", "--store", store).stdout
    assert "TLP:GREEN" in said and "2 graph(s)" in said
    (record,) = json.loads(run("imports", "--store", store, "--format", "json").stdout)
    assert record["agency"] == "さくら野市" and record["file"] == "sakura.trig"
    assert record["marking"] == "TLP:GREEN" and len(record["graphs"]) == 2
    table = run("imports", "--store", store).stdout
    assert record["id"] in table and "さくら野市" in table
    run("imports", "--store", store, "--remove", record["id"])
    assert json.loads(run("imports", "--store", store, "--format", "json").stdout) == []
    remaining = run("export", "--store", store, "--rdf-format", "nquads", "--no-ontology").stdout
    assert "planted" not in remaining


def test_the_store_validates_with_its_imports(sample_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "sakura.ttl"
    run("export", "--store", str(sample_store), "-o", str(out))
    store = str(tmp_path / "store")
    run("import", str(out), "--from", "city-x", "--store", store)
    proc = run("validate", "--store", store, "--lang", "ja")
    assert "適合している" in proc.stderr + proc.stdout
