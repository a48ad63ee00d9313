"""Coding: the lexicon turns sentences into codes, whatever the inflection, within scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_kg.errors import IncidentKGError, UnknownCodeError
from incident_kg.extraction.coding import (
    code_sentence,
    expand_words,
    load_lexicon,
    match_rule,
)
from incident_kg.extraction.extract import Extractor
from incident_kg.extraction.read import read_report

from ..conftest import DATA, sample_files


def _codes(extractor: Extractor, sentence: str, role: str = "content") -> set[str]:
    matches = code_sentence(extractor.lexicon, sentence, extractor.tokens(sentence), role)
    return {m.rule.code for m in matches if not m.negated}


def _negated(extractor: Extractor, sentence: str) -> set[str]:
    matches = code_sentence(extractor.lexicon, sentence, extractor.tokens(sentence), "content")
    return {m.rule.code for m in matches if m.negated}


@pytest.mark.parametrize(
    "sentence",
    [
        "支援の後にログアウトし忘れた。",
        "ログアウトしないまま次の方の手続を行った。",
        "操作員によるログアウトの失念が原因である。",
        "ﾛｸﾞｱｳﾄを忘れていた。",
    ],
)
def test_a_logout_omission_is_coded_however_it_is_said(extractor: Extractor, sentence: str) -> None:
    assert "LogoutOmission" in _codes(extractor, sentence, "cause")


def test_a_logout_omission_implies_nothing_by_itself_in_coding(extractor: Extractor) -> None:
    # implications are applied per incident by extract, not per sentence
    assert "SharedDevice" not in _codes(extractor, "ログアウトを忘れた。", "cause")


@pytest.mark.parametrize(
    "sentence", ["事務の引継ぎが行われていなかった。", "担当替えの際に引き継がれず放置された。"]
)
def test_a_missing_handover_is_coded(extractor: Extractor, sentence: str) -> None:
    assert "MissingHandover" in _codes(extractor, sentence, "cause")


def test_a_denied_leak_is_a_negative_finding_not_a_harm(extractor: Extractor) -> None:
    sentence = "なお、個人情報の漏えいはありません。"
    assert "PersonalDataLeak" not in _codes(extractor, sentence)
    assert "PersonalDataLeak" in _negated(extractor, sentence)


def test_a_leak_that_happened_is_a_harm(extractor: Extractor) -> None:
    assert "PersonalDataLeak" in _codes(
        extractor, "別人の薬剤情報が閲覧できる状態となり、個人情報が漏えいした。"
    )


def test_a_prevention_measure_is_not_read_as_a_cause(extractor: Extractor) -> None:
    sentence = "今後は複数人によるチェックを徹底し、引継ぎ漏れを防ぎます。"
    assert _codes(extractor, sentence, "countermeasure") >= {"MultiPersonCheck"}
    assert "MissingHandover" not in _codes(extractor, sentence, "countermeasure")


def test_a_missing_second_check_is_a_cause(extractor: Extractor) -> None:
    assert "SinglePersonCheck" in _codes(
        extractor, "処理状況を複数の職員で確認する体制になっていなかった。", "cause"
    )


def test_a_lexicon_with_an_unknown_code_is_refused(extractor: Extractor, tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(
        "fields:\n  causes:\n    NoSuchCause:\n      - any: [誤り]\n", encoding="utf-8"
    )
    with pytest.raises(UnknownCodeError, match="NoSuchCause"):
        load_lexicon(extractor.analyzer, lexicon, known_codes={"causes": ["LogoutOmission"]})


def test_a_rule_with_a_key_given_twice_is_refused(extractor: Extractor, tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(
        "fields:\n  causes:\n    LogoutOmission:\n      - any: [ログアウト]\n        any: [忘れる]\n",
        encoding="utf-8",
    )
    with pytest.raises(IncidentKGError, match="given twice"):
        load_lexicon(extractor.analyzer, lexicon, known_codes={"causes": ["LogoutOmission"]})


def test_a_word_family_is_expanded_into_one_group() -> None:
    assert expand_words("{check}[^。]{0,9}x", {"check": "確認|照合"}) == "(?:確認|照合)[^。]{0,9}x"


def test_a_lexicon_naming_an_unknown_word_family_is_refused(
    extractor: Extractor, tmp_path: Path
) -> None:
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(
        "words:\n  check: [確認]\n"
        "fields:\n  causes:\n    LogoutOmission:\n      - any: ['re:{chek}しなかった']\n",
        encoding="utf-8",
    )
    with pytest.raises(IncidentKGError, match="chek"):
        load_lexicon(extractor.analyzer, lexicon, known_codes={"causes": ["LogoutOmission"]})


def test_a_word_added_to_a_family_is_heard_by_every_rule_that_uses_it(
    extractor: Extractor, tmp_path: Path
) -> None:
    text = (
        "words:\n  check: [確認]\n  lacking: [不十分]\n"
        "fields:\n  causes:\n    SinglePersonCheck:\n"
        "      - any: ['re:二重の{check}が{lacking}']\n"
        "    IdentityVerificationLapse:\n      - any: ['re:本人の{check}が{lacking}']\n"
    )
    known = {"causes": ["SinglePersonCheck", "IdentityVerificationLapse"]}
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(text, encoding="utf-8")
    sentence = "二重の見比べが甘かった。本人の見比べが甘かった。"
    narrow = load_lexicon(extractor.analyzer, lexicon, known_codes=known)
    assert not code_sentence(narrow, sentence, extractor.tokens(sentence), "cause")
    lexicon.write_text(
        text.replace("[確認]", "[確認, 見比べ]").replace("[不十分]", "[不十分, 甘かった]"),
        encoding="utf-8",
    )
    wide = load_lexicon(extractor.analyzer, lexicon, known_codes=known)
    fired = code_sentence(wide, sentence, extractor.tokens(sentence), "cause")
    assert {m.rule.code for m in fired} == {"SinglePersonCheck", "IdentityVerificationLapse"}


@pytest.mark.parametrize(
    ("sentence", "code"),
    [
        # invented sentences: the families reach words no rule lists one by one
        ("受取人の名前を照らし合わせる作業がおろそかになっていた。", "IdentityVerificationLapse"),
        ("担当者同士で突き合わせることが不徹底だった。", "SinglePersonCheck"),
        ("Bccで送るべきところをCc欄に入れて送信した。", "DataEntryError"),
        ("料率の改正を計算に反映させていなかった。", "ProcessingOmission"),
        ("異動してきたばかりで業務に不慣れだった。", "ProcedureKnowledgeGap"),
    ],
)
def test_a_cause_said_in_a_family_s_words_is_coded(
    extractor: Extractor, sentence: str, code: str
) -> None:
    assert code in _codes(extractor, sentence, "cause")


def test_a_family_s_words_in_a_measure_are_no_cause(extractor: Extractor) -> None:
    sentence = "今後は受取人の名前を照らし合わせることを徹底し、漏れがないよう努めます。"
    assert not _codes(extractor, sentence, "countermeasure") & {
        "IdentityVerificationLapse",
        "ProcedureKnowledgeGap",
    }


@pytest.mark.parametrize(
    "sentence",
    [
        "申込者の個人情報が外部に漏れた。",
        "住民票と一緒に、内部の資料までまとめて同封して郵送した。",
    ],
)
def test_personal_data_that_got_out_in_plain_words_is_a_leak(
    extractor: Extractor, sentence: str
) -> None:
    sentence = sentence.replace("までまとめて", "まで一緒に")
    assert "PersonalDataLeak" in _codes(extractor, sentence)


def test_a_leak_said_not_to_be_confirmed_so_far_is_denied(extractor: Extractor) -> None:
    sentence = "外部に情報が漏れたことはこれまで確認されておらず、影響も出ていない。"
    assert "PersonalDataLeak" not in _codes(extractor, sentence)


def test_the_lexicon_catches_the_paraphrase_corpus(extractor: Extractor) -> None:
    """Ten ways to say each code, three near misses each (tests/data/paraphrases.yaml)."""
    import yaml

    from incident_kg.extraction.coding import check_paraphrases

    corpus = DATA / "paraphrases.yaml"
    data = yaml.safe_load(corpus.read_text(encoding="utf-8"))
    results = check_paraphrases(extractor.lexicon, extractor.analyzer, data)
    caught = sum(r.found for r in results) / sum(r.said for r in results)
    wrong = [s for r in results for s in r.wrongly]
    assert caught >= 0.9
    assert len(wrong) <= 1, wrong
    assert all(r.found >= 7 for r in results), [(r.code, r.found) for r in results if r.found < 7]


def _every_rule(extractor: Extractor, text: str, role: str) -> list[tuple[str, int, int]]:
    """What fires when every rule of the role is tried by scanning the sentence: the
    definition that :func:`code_sentence`'s shortcuts (form index, rule gates) must keep."""
    tokens = extractor.tokens(text)
    out, seen = [], set()
    for rule in extractor.lexicon.rules:
        if role not in rule.roles or (rule.field, rule.code) in seen:
            continue
        # with no incident given, the sentence is its own context
        if rule.context_terms and not any(t.find(text, ()) for t in rule.context_terms):
            continue
        if any(t.find(text, ()) for t in rule.context_none):
            continue
        span = match_rule(rule, text, tokens, index=None)
        if span is not None:
            out.append((rule.rule_id, *span))
            seen.add((rule.field, rule.code))
    return out


def _fast(extractor: Extractor, text: str, role: str) -> list[tuple[str, int, int]]:
    matches = code_sentence(extractor.lexicon, text, extractor.tokens(text), role)
    return [(m.rule.rule_id, m.start, m.end) for m in matches]


@pytest.mark.parametrize("role", ["content", "cause", "countermeasure"])
def test_the_shortcuts_never_change_what_fires_on_the_samples(
    extractor: Extractor, role: str
) -> None:
    sentences = [
        s
        for path in sample_files()
        for s in read_report(path).text.replace("\n", "").split("。")
        if s
    ]
    fired = 0
    for sentence in sentences:
        expected = _every_rule(extractor, sentence + "。", role)
        assert _fast(extractor, sentence + "。", role) == expected, sentence
        fired += bool(expected)
    assert fired > 20  # the samples do say things the lexicon codes


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "ログアウト",
                "を",
                "忘れ",
                "た",
                "職員",
                "が",
                "一人",
                "で",
                "確認",
                "し",
                "引継ぎ",
                "されず",
                "、",
                "自分の",
                "スマートフォン",
                "で",
                "申請",
                "別人",
                "の",
                "証明書",
                "交付",
                "漏えい",
                "は",
                "ありません",
                "ため",
                "誤って",
                "登録",
            ]
        ),
        max_size=14,
    ),
    role=st.sampled_from(["content", "cause", "countermeasure", "title"]),
)
def test_the_shortcuts_never_change_what_fires_on_any_sentence(
    extractor: Extractor, words: list[str], role: str
) -> None:
    sentence = "".join(words) + "。"
    assert _fast(extractor, sentence, role) == _every_rule(extractor, sentence, role)
