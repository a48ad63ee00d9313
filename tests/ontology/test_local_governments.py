"""The table of local governments (ontology/local-governments.tsv) and its look-ups."""

from __future__ import annotations

from collections import Counter

from incident_kg.ontology.local_governments import (
    LOCAL_GOVERNMENT_BASE,
    check_digit,
    code_of,
    local_governments,
    shared_iri,
)


def test_the_table_holds_every_prefecture_and_municipality_of_2023() -> None:
    kinds = Counter(row.kind for row in local_governments().rows)
    assert kinds == {"prefecture": 47, "municipality": 1718, "special-ward": 23}


def test_every_code_has_six_digits_and_its_check_digit() -> None:
    rows = local_governments().rows
    assert len({row.code for row in rows}) == len(rows)
    assert all(len(r.code) == 6 and r.code.isdigit() for r in rows)
    assert all(check_digit(r.code[:5]) == r.code[5] for r in rows)
    assert check_digit("13101") == "6"  # 千代田区 131016, a published example


def test_a_name_finds_its_body_only_when_one_body_holds_it() -> None:
    table = local_governments()
    assert code_of("堺市") == "271403" and code_of("熊本市") == "431001"
    assert code_of("大阪府") == "270008" and code_of("千代田区") == "131016"
    assert table.find("府中市") is None  # in Tokyo and in Hiroshima
    assert code_of("東京都府中市") == "132063" and code_of("広島県府中市") == "342084"
    assert code_of("東雲市") is None  # an invented body of the samples


def test_units_are_named_under_their_local_government() -> None:
    assert shared_iri("堺市") == LOCAL_GOVERNMENT_BASE + "271403"
    assert shared_iri("熊本市中央区/区民課") == (
        LOCAL_GOVERNMENT_BASE + "431001/%E4%B8%AD%E5%A4%AE%E5%8C%BA/%E5%8C%BA%E6%B0%91%E8%AA%B2"
    )
    assert shared_iri("中区") is None  # a bare ward name: which city's?
