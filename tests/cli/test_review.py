"""`incident-kg review` and `incident-kg lexicon suggest`, end to end in real subprocesses:
listing what the extractor was unsure of, accepting and correcting it into the curation
sidecar, and a rebuild that shows the curated facts (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from incident_kg.ontology.namespaces import CODE, IKG, OA

from .test_cli import run

#: A report whose cause part says its causes in words no lexicon rule lists.
REPORT = """住民票の写しの誤交付について

1 概要
令和6年4月3日、みどり市市民課の窓口で、請求者とは別の方の住民票の写しを交付しました。

2 原因
窓口の担当者が名札の色を見分けられなかった。
交付の前に帳票の並び順を一度も見直さなかった。

3 再発防止策
交付の前に、別の職員が請求書と住民票の氏名を照合します。
"""
FIRST = "窓口の担当者が名札の色を見分けられなかった。"
SECOND = "交付の前に帳票の並び順を一度も見直さなかった。"


@pytest.fixture
def report(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    path = folder / "midori.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def items(report: Path) -> list[dict[str, object]]:
    return json.loads(run("review", str(report), "--format", "json").stdout)  # type: ignore[no-any-return]


def item_for(listed: list[dict[str, object]], sentence: str) -> dict[str, object]:
    [found] = [i for i in listed if i["sentence"] == sentence and i["field"] == "causes"]
    return found


def test_review_lists_cause_sentences_no_rule_coded_with_suggestions(report: Path) -> None:
    listed = items(report)
    first = item_for(listed, FIRST)
    assert first["kind"] == "uncoded" and first["code"] is None
    assert first["item"] == "midori#" + str(first["item"]).split("#")[1]
    assert first["suggestions"], "the nearest exemplars give suggested codes"
    assert item_for(listed, SECOND)["kind"] == "uncoded"


def test_the_table_shows_each_item_with_its_sentence(report: Path) -> None:
    table = run("review", str(report)).stdout
    assert "uncoded" in table and FIRST in table


def test_decisions_need_a_curator(report: Path) -> None:
    first = item_for(items(report), FIRST)
    proc = run("review", str(report), "--accept", str(first["item"]), check=False)
    assert proc.returncode == 2 and "--curator" in proc.stderr


def test_an_unknown_item_is_refused_in_one_line(report: Path) -> None:
    proc = run("review", str(report), "--accept", "midori#99", "--curator", "qa", check=False)
    assert proc.returncode == 2 and "midori#99" in proc.stderr.strip().splitlines()[-1]
    assert not report.with_name("midori.curation.yaml").exists()


def test_accepting_and_correcting_write_the_sidecar_and_a_rebuild_shows_the_curated_facts(
    report: Path, tmp_path: Path
) -> None:
    listed = items(report)
    first, second = item_for(listed, FIRST), item_for(listed, SECOND)
    suggested = first["suggestions"][0]["code"]  # type: ignore[index]
    run(
        "review",
        str(report),
        "--accept",
        str(first["item"]),
        "--correct",
        f"{second['item']}=ManualNonCompliance",
        "--curator",
        "qa-team-2",
    )
    sidecar = yaml.safe_load(report.with_name("midori.curation.yaml").read_text(encoding="utf-8"))
    assert sidecar["curator"] == "qa-team-2"
    [entry] = sidecar["incidents"]
    assert set(entry["add"]["causes"]) == {suggested, "ManualNonCompliance"}
    assert entry["evidence"]["ManualNonCompliance"] == SECOND
    assert entry["evidence"][suggested] == FIRST

    # decided items are not listed again
    remaining = {i["sentence"] for i in items(report) if i["field"] == "causes"}
    assert FIRST not in remaining and SECOND not in remaining

    store = tmp_path / "store"
    run("build", str(report.parent), "--store", str(store))
    graph = Graph().parse(
        data=run("export", "--store", str(store), "--rdf-format", "turtle").stdout, format="turtle"
    )
    [incident] = graph.subjects(RDF.type, IKG.Incident)
    causes = set(graph.objects(incident, IKG.hasCause))
    assert {CODE[str(suggested)], CODE.ManualNonCompliance} <= causes
    curated = {
        graph.value(a, OA.hasBody)
        for a in graph.subjects(IKG.extractionMechanism, IKG.AnalystCuration)
    }
    assert {CODE[str(suggested)], CODE.ManualNonCompliance} <= curated
    assert all(isinstance(body, URIRef) for body in curated)


def test_rejecting_a_code_writes_its_removal(report: Path, tmp_path: Path) -> None:
    listed = json.loads(run("review", str(report), "--below", "0.95", "--format", "json").stdout)
    [doubtful] = [
        i for i in listed if i["kind"] == "low-confidence" and i["field"] == "countermeasures"
    ][:1]
    run(
        "review",
        str(report),
        "--below",
        "0.95",
        "--reject",
        str(doubtful["item"]),
        "--curator",
        "qa",
    )
    sidecar = yaml.safe_load(report.with_name("midori.curation.yaml").read_text(encoding="utf-8"))
    assert sidecar["incidents"][0]["remove"]["countermeasures"] == [doubtful["code"]]
    store = tmp_path / "store"
    run("build", str(report.parent), "--store", str(store))
    graph = Graph().parse(
        data=run("export", "--store", str(store), "--rdf-format", "turtle").stdout, format="turtle"
    )
    [incident] = graph.subjects(RDF.type, IKG.Incident)
    assert CODE[str(doubtful["code"])] not in set(graph.objects(incident, IKG.hasCountermeasure))


def test_lexicon_suggest_proposes_the_curated_sentences_and_their_new_words(report: Path) -> None:
    second = item_for(items(report), SECOND)
    run(
        "review",
        str(report),
        "--correct",
        f"{second['item']}=ManualNonCompliance",
        "--curator",
        "qa",
    )
    proposals = yaml.safe_load(
        run("lexicon", "suggest", str(report.parent), "--format", "yaml").stdout
    )
    [exemplar] = proposals["exemplars"]["causes"]["ManualNonCompliance"]
    assert exemplar["text"] == SECOND and exemplar["from"].endswith("midori.txt")
    assert "帳票" in proposals["lexicon_words"]["causes"]["ManualNonCompliance"]
    rows = json.loads(run("lexicon", "suggest", str(report), "--format", "json").stdout)
    assert [(r["field"], r["code"], r["sentence"]) for r in rows] == [
        ("causes", "ManualNonCompliance", SECOND)
    ]
