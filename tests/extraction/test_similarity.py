"""Similarity: a sentence of a cause or countermeasure part that no rule codes gets the code of
the nearest exemplar sentences, marked as inferred (issue 15)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from incident_kg.errors import UnknownCodeError
from incident_kg.extraction.extract import Extractor, extract_report
from incident_kg.extraction.similarity import (
    Exemplar,
    ExemplarIndex,
    SimilaritySettings,
    load_exemplars,
    make_coder,
)
from incident_kg.ontology.vocabulary import codes

REPORT = (
    "住民票の誤交付について\n\n1 概要\nみどり市で別人の住民票の写しを交付した。\n"
    "2 原因\n窓口の担当者が名札の色を見分けられなかった。\n"
)
#: No rule of the lexicon reads a cause in it; an analyst filed it under ProcedureKnowledgeGap.
CAUSE = "窓口の担当者が名札の色を見分けられなかったため、別の方に交付した。"
SETTINGS = SimilaritySettings(
    roles={"causes": frozenset({"cause"})}, thresholds={"causes": 0.4}, margin=0.0
)


def with_exemplars(extractor: Extractor, *exemplars: Exemplar, **settings: object) -> Extractor:
    coder = make_coder(list(exemplars), dataclasses.replace(SETTINGS, **settings))
    return dataclasses.replace(extractor, similarity=coder)


def causes_of(extractor: Extractor, text: str = REPORT) -> dict[str, dict[str, object]]:
    incident = extract_report(extractor, text, source="r.txt").incidents[0]
    return {
        v.code: {
            "rule": v.evidence.rule,
            "mechanism": v.evidence.mechanism,
            "conf": v.evidence.confidence,
        }
        for v in incident.coded
        if v.field == "causes"
    }


def test_the_nearest_exemplar_codes_a_sentence_no_rule_codes(extractor: Extractor) -> None:
    bare = with_exemplars(extractor)
    assert "ProcedureKnowledgeGap" not in causes_of(bare)
    coded = causes_of(
        with_exemplars(extractor, Exemplar("causes", ("ProcedureKnowledgeGap",), CAUSE))
    )
    assert coded["ProcedureKnowledgeGap"]["mechanism"] == "similarity"
    assert coded["ProcedureKnowledgeGap"]["rule"] == "similar/causes/ProcedureKnowledgeGap"


def test_an_inferred_code_is_less_sure_than_a_rule(extractor: Extractor) -> None:
    coded = causes_of(
        with_exemplars(extractor, Exemplar("causes", ("ProcedureKnowledgeGap",), CAUSE))
    )
    assert float(str(coded["ProcedureKnowledgeGap"]["conf"])) < 0.8


def test_an_exemplar_below_the_threshold_codes_nothing(extractor: Extractor) -> None:
    far = Exemplar("causes", ("ProcedureKnowledgeGap",), "システムの改修後に試験を行わなかった。")
    assert "ProcedureKnowledgeGap" not in causes_of(with_exemplars(extractor, far))


def test_a_field_without_a_threshold_is_never_coded_by_similarity(extractor: Extractor) -> None:
    near = Exemplar("causes", ("ProcedureKnowledgeGap",), CAUSE)
    assert "ProcedureKnowledgeGap" not in causes_of(with_exemplars(extractor, near, thresholds={}))


def test_a_summary_sentence_is_not_read_by_similarity(extractor: Extractor) -> None:
    near = Exemplar(
        "causes", ("ProcedureKnowledgeGap",), "みどり市で別人の住民票の写しを交付した。"
    )
    assert "ProcedureKnowledgeGap" not in causes_of(with_exemplars(extractor, near))


def test_suggestions_rank_codes_by_their_nearest_exemplar() -> None:
    index = ExemplarIndex(
        [
            Exemplar("causes", ("Congestion",), "窓口が大変混み合っていたため、確認を急いだ。"),
            Exemplar("causes", ("LogoutOmission",), "窓口の端末でログアウトを確認しなかった。"),
        ]
    )
    [first, second] = index.suggest("窓口が混み合っていて、確認を急いでいた。", "causes")
    assert (first.code, second.code) == ("Congestion", "LogoutOmission")
    assert first.score > second.score


def test_the_shipped_exemplars_load_against_the_vocabulary() -> None:
    exemplars, settings = load_exemplars(known_codes=codes())
    assert len(exemplars) > 100
    assert {"causes", "countermeasures"} <= set(settings.thresholds)


def test_an_exemplar_under_an_unknown_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "exemplars.yaml"
    path.write_text("exemplars:\n  causes:\n    NoSuchCause: [何かの文。]\n", encoding="utf-8")
    with pytest.raises(UnknownCodeError, match="NoSuchCause"):
        load_exemplars(path, known_codes=codes())


def test_a_held_out_set_does_not_find_its_own_sentences() -> None:
    own = Exemplar("causes", ("Congestion",), "混み合っていた。", "samples/real-municipal/ra01.txt")
    other = Exemplar("causes", ("Congestion",), "混雑していた。", "tests/data/paraphrases.yaml")
    coder = make_coder([own, other], SETTINGS, exclude_sources=["samples/real-municipal/"])
    assert coder.index.exemplars == (other,)
