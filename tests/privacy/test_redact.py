"""Redaction: personal data in texts becomes typed placeholders; nothing else changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident_kg.privacy.redact import (
    check_digit,
    fold,
    is_individual_number,
    load_rules,
    redact,
    redact_quote,
)

RULES = load_rules()
P = RULES.placeholders

eleven_digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
SEPARATORS = ["", " ", "-", "　", "－", "‐", "ー"]

# Text around a number: kana, kanji and punctuation, no digits, no Latin letters, no '@'
# and no honorific or 氏名 (which would make a neighbouring kanji run a name).
CONTEXT = st.text(
    alphabet="あいうえおかきくけこたちつてとなにぬねの市区町村窓口交付申請確認。、「」（）",
    max_size=12,
)


def valid_number(payload: str) -> str:
    return payload + str(check_digit(payload))


def written(number: str, sep: str, full_width: bool) -> str:
    text = sep.join((number[:4], number[4:8], number[8:]))
    return text.translate(FULL) if full_width else text


def test_the_check_digit_of_a_published_example_is_valid() -> None:
    # 983205673214: the worked example of a public explanation of 番号法施行規則 第5条
    assert is_individual_number("983205673214")
    assert not is_individual_number("983205673210")
    assert check_digit("12345678901") == 8  # 123456789018, the tutorials' sample number


@given(eleven_digits)
def test_exactly_one_check_digit_makes_eleven_digits_an_individual_number(payload: str) -> None:
    assert sum(is_individual_number(payload + str(d)) for d in range(10)) == 1


@given(eleven_digits, st.sampled_from(SEPARATORS), st.booleans(), CONTEXT, CONTEXT)
def test_a_valid_individual_number_is_replaced_in_any_form(
    payload: str, sep: str, full_width: bool, before: str, after: str
) -> None:
    number = written(valid_number(payload), sep, full_width)
    text, counts = redact(f"{before}個人番号{number}{after}", RULES)
    assert text == f"{before}個人番号{P['individual-number']}{after}"
    assert counts == {"individual-number": 1}


@given(eleven_digits, st.integers(1, 9), st.sampled_from(SEPARATORS), st.booleans(), CONTEXT)
def test_twelve_digits_with_a_wrong_check_digit_stay(
    payload: str, shift: int, sep: str, full_width: bool, before: str
) -> None:
    wrong = payload + str((check_digit(payload) + shift) % 10)
    text = f"{before}番号{written(wrong, sep, full_width)}を照会"
    assert redact(text, RULES) == (text, {})


@given(CONTEXT)
def test_text_without_numbers_or_names_is_unchanged(text: str) -> None:
    assert redact(text, RULES)[0] == text


@given(eleven_digits, CONTEXT, st.sampled_from(["03-1234-5678", "090 1234 5678"]))
def test_redacting_twice_changes_nothing_more(payload: str, before: str, phone: str) -> None:
    once, _ = redact(f"{before}{valid_number(payload)}、電話 {phone}、山田太郎様", RULES)
    assert redact(once, RULES) == (once, {})


def test_folding_keeps_every_offset() -> None:
    text = "０３－１２３４－５６７８　ＡＢ＠ｃｄ．ｊｐ"
    assert len(fold(text)) == len(text)
    assert fold(text) == "03-1234-5678 AB@cd.jp"


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("電話 03-1234-5678 まで", f"電話 {P['phone']} まで", "phone"),
        ("携帯 090-8765-4321", f"携帯 {P['phone']}", "phone"),
        ("(06)6123-4567 へ", f"{P['phone']} へ", "phone"),
        ("TEL:0312345678", f"TEL:{P['phone']}", "phone"),
        ("+81-3-1234-5678", P["phone"], "phone"),
        ("ＦＡＸ ０３－１２３４－５６７０", f"ＦＡＸ {P['fax']}", "fax"),
        ("メール taro.yamada@example.lg.jp", f"メール {P['email']}", "email"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ に", f"{P['email']} に", "email"),
        ("口座番号 1234567 に", f"口座番号 {P['bank-account']} に", "bank-account"),
        ("△△支店 普通 7654321", f"△△支店 普通 {P['bank-account']}", "bank-account"),
        ("記号番号 12345-12345678", f"記号番号 {P['bank-account']}", "bank-account"),
        ("決済サービスID：pay12345678 を", f"決済サービスID：{P['payment-id']} を", "payment-id"),
        ("山田太郎様の申請", f"{P['person-name']}様の申請", "person-name"),
        ("鈴木 花子 さんから", f"{P['person-name']} さんから", "person-name"),
        ("氏名：佐藤 一郎", f"氏名：{P['person-name']}", "person-name"),
        ("窓口担当者田中様が", f"窓口担当者{P['person-name']}様が", "person-name"),
    ],
)
def test_each_kind_is_replaced_by_its_placeholder(text: str, expected: str, kind: str) -> None:
    assert redact(text, RULES) == (expected, {kind: 1})


@pytest.mark.parametrize(
    "text",
    [
        "A氏がB様の申請を受け付けた",  # pseudonyms the reports use
        "Ａさんと甲氏",
        "〇〇様あての通知",
        "担当者様へ、市民の皆様へ",  # roles
        "同氏は前回同様に仕様を確認した",  # words ending like an honorific
        "株式会社山田様、青葉市総務課様",  # bodies
        "法人番号1234567890123の事業者",  # 13 digits
        "〒590-0078、2023-05-10、令和5年5月10日、48件",
        "氏名欄に記載、氏名は不明",
        "決済サービスの選択を誤った",
    ],
)
def test_pseudonyms_roles_bodies_and_other_numbers_stay(text: str) -> None:
    assert redact(text, RULES) == (text, {})


def test_a_body_the_data_names_is_never_a_person() -> None:
    assert redact("堺市様から連絡", RULES)[1] == {"person-name": 1}
    assert redact("堺市様から連絡", RULES.with_bodies(["堺市"])) == ("堺市様から連絡", {})


def test_a_number_split_between_context_and_quote_is_found_and_kept_in_the_quote() -> None:
    (prefix, exact, suffix), counts = redact_quote("電話 03-12", "34-5678 に連絡", "した。", RULES)
    assert (prefix, exact, suffix) == ("電話 ", f"{P['phone']} に連絡", "した。")
    assert counts == {"phone": 1}


def test_a_quote_never_becomes_empty() -> None:
    (_, exact, _), _ = redact_quote("個人番号 1234 5678 ", "9018", "。", RULES)
    assert exact == P["individual-number"]


def test_digits_cut_off_at_the_edge_of_the_context_are_replaced() -> None:
    (prefix, exact, suffix), counts = redact_quote(
        "3-1234-5678。", "窓口で交付", "。番号は 9832 05", RULES
    )
    assert prefix == f"{P['truncated']}。" and exact == "窓口で交付"
    assert suffix == f"。番号は{P['truncated']}"
    assert counts == {"truncated": 2}


def test_a_short_number_at_the_edge_of_the_context_stays() -> None:
    assert redact_quote("2023年", "に交付した", "2件", RULES) == (
        ("2023年", "に交付した", "2件"),
        {},
    )


def test_a_rule_with_an_unknown_check_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown check"):
        load_rules(
            "placeholders: {x: '[X]'}\nrules: [{kind: x, pattern: a, check: luhn}]\n"
            "truncated: {prefix_property: p, exact_property: e, suffix_property: s, "
            "min_digits: 5, run: '[0-9]'}\n"
        )


# -- issue 16: however the digits are cut, and in kanji ---------------------------------

CUTS = ["\n", "\r\n", " ", "　", "-", "－", "ー", " \n", "\t"]
KANJI = str.maketrans("0123456789", "〇一二三四五六七八九")


@given(
    eleven_digits,
    st.sets(st.integers(1, 11), max_size=4),
    st.lists(st.sampled_from(CUTS), min_size=4, max_size=4),
    st.sampled_from(["ascii", "full", "kanji"]),
    st.booleans(),
)
def test_an_individual_number_cut_anywhere_in_any_digits_is_replaced(
    payload: str, cuts: set[int], seps: list[str], style: str, valid: bool
) -> None:
    """Failures 1 and 3: a number split by a line break (PDF text), or in kanji numerals."""
    number = valid_number(payload)
    if not valid:  # the one wrong check digit nearest the right one stays
        number = number[:11] + str((int(number[11]) + 1) % 10)
    written = "".join(
        (seps[sorted(cuts).index(i)] if i in cuts else "") + d for i, d in enumerate(number)
    )
    written = written.translate(FULL if style == "full" else KANJI if style == "kanji" else {})
    text = f"申請者の個人番号は{written}です"
    out, counts = redact(text, RULES)
    if valid:
        assert (out, counts) == (
            f"申請者の個人番号は{P['individual-number']}です",
            {"individual-number": 1},
        )
    else:
        assert counts.get("individual-number", 0) == 0
