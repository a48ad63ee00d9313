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


@pytest.mark.parametrize(
    "sentence",
    [
        "委託先は、名簿を外部記録媒体で運ぶことについて、県の承認を得ていなかった。",
        "区は、個人情報を私物のパソコンへ保存することも自宅へ持ち帰ることも認めておらず、経緯を調べている。",
        "外へ持ち出すときは課長の許可をとる決まりだったが、職員はこの手続きを行っていなかった。",
    ],
)
def test_a_rule_broken_in_plain_words_is_manual_non_compliance(
    extractor: Extractor, sentence: str
) -> None:
    """Issue 15, blind-real5 (opened): a permission never asked for, what the body does not
    allow, a step the rules laid down and nobody took — told without 禁止 or 無断."""
    assert "ManualNonCompliance" in _codes(extractor, sentence, "content")


def test_a_permission_to_be_asked_from_now_on_is_no_cause(extractor: Extractor) -> None:
    sentence = "今後は、持ち出す際に必ず許可を得ていなかったかを確認し、再発防止に努める。"
    assert "ManualNonCompliance" not in _codes(extractor, sentence, "content")
