"""Regressions of the lexicon: sentences a rule once coded wrongly, one test per bug."""

from __future__ import annotations

import pytest

from incident_kg.extraction.coding import code_sentence
from incident_kg.extraction.extract import Extractor


def _codes(extractor: Extractor, sentence: str, role: str) -> set[str]:
    matches = code_sentence(extractor.lexicon, sentence, extractor.tokens(sentence), role)
    return {m.rule.code for m in matches if not m.negated}


@pytest.mark.parametrize("role", ["content", "cause"])
@pytest.mark.parametrize(
    "sentence",
    [
        "市民課における証明書の交付の際に、事務処理の誤りがありました。",
        "担当課において事務処理ミスがあり、通知書の処理に誤りが生じました。",
    ],
)
def test_an_error_in_clerical_work_is_not_a_system_defect(
    extractor: Extractor, role: str, sentence: str
) -> None:
    """Issue 17: 事務処理の誤り (the usual opening of any report) matched the system-defect
    rule on 処理…の誤り, so the synthetic corpus had SystemDefect on every incident; 事務処理ミス
    is an administrative error too."""
    assert "SystemDefect" not in _codes(extractor, sentence, role)


def test_an_error_in_the_linkage_processing_is_still_a_system_defect(
    extractor: Extractor,
) -> None:
    sentence = "システム間の連携処理に誤りがあり、十分な試験が行われないまま稼働していました。"
    assert "SystemDefect" in _codes(extractor, sentence, "cause")
