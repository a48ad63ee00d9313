"""Organisations: names normalised into one node per body; ambiguous wards left unresolved."""

from __future__ import annotations

import pytest

from incident_kg.extraction.extract import Extractor
from incident_kg.extraction.organizations import OrgRules, find_organizations, resolve


@pytest.fixture(scope="module")
def rules(extractor: Extractor) -> OrgRules:
    return extractor.org_rules


def _names(
    text: str, rules: OrgRules, cities: list[str] | None = None
) -> list[tuple[str, str, bool]]:
    found = resolve(find_organizations(text, rules), own_cities=cities or [], rules=rules)
    return [(o.name, o.kind, o.resolved) for o in found]


def test_a_section_of_a_ward_office_belongs_to_the_ward(rules: OrgRules) -> None:
    found = find_organizations("中区役所戸籍課において", rules)
    assert [(o.name, o.kind, o.parent) for o in found] == [
        ("中区", "ward", None),
        ("中区/戸籍課", "section", "中区"),
    ]


def test_an_ambiguous_ward_without_its_city_stays_unresolved(rules: OrgRules) -> None:
    assert _names("中区役所で発生した", rules) == [("中区", "ward", False)]


def test_the_city_in_the_same_phrase_settles_a_ward(rules: OrgRules) -> None:
    assert _names("横浜市中区役所で発生した", rules) == [
        ("横浜市", "municipality", True),
        ("横浜市中区", "ward", True),
    ]


def test_a_report_naming_one_city_settles_its_wards(rules: OrgRules) -> None:
    assert _names("本庁（堺区役所）の窓口", rules, cities=["堺市"]) == [("堺市堺区", "ward", True)]


def test_a_tokyo_special_ward_is_a_municipality(rules: OrgRules) -> None:
    assert _names("足立区、川崎市", rules) == [
        ("足立区", "municipality", True),
        ("川崎市", "municipality", True),
    ]


def test_words_that_end_like_names_are_not_bodies(rules: OrgRules) -> None:
    assert _names("本市及び各区の窓口、政令指定都市1位、市区町村", rules) == []


def test_company_names_lose_their_spaces(rules: OrgRules) -> None:
    assert _names("委託先:富士通 Japan 株式会社", rules) == [
        ("富士通Japan株式会社", "company", True)
    ]


def test_national_bodies_and_generic_names_are_recognised(rules: OrgRules) -> None:
    names = [n for n, _, _ in _names("国税庁がデジタル庁に提供した。発生主体:保険者", rules)]
    assert names == ["国税庁", "デジタル庁", "保険者"]


def test_a_generic_name_inside_a_longer_word_is_no_body(rules: OrgRules) -> None:
    assert _names("被保険者の資格情報を登録した", rules) == []


def test_a_prefecture_speaking_of_itself_is_not_named(rules: OrgRules) -> None:
    assert [n for n, _, _ in _names("本県が委託した事業者", rules)] == []


def test_a_department_is_no_city(rules: OrgRules) -> None:
    assert _names("市民部市民課が担当した", rules) == []
    assert [n for n, _, _ in _names("桜川市市民部市民課が担当した", rules)] == [
        "桜川市",
        "桜川市/市民部市民課",
    ]


def test_names_in_kana_are_towns_and_ward_offices(rules: OrgRules) -> None:
    names = [n for n, _, _ in _names("こもれび町町民課から連絡した", rules)]
    assert names[0] == "こもれび町" and "町町" not in names
    assert [n for n, _, _ in _names("みなと区役所に届いた", rules)] == ["みなと区"]
    assert _names("もとの区に転入した", rules) == []


def test_a_tax_office_is_a_national_body(rules: OrgRules) -> None:
    assert _names("北みなと税務署において", rules) == [("北みなと税務署", "national", True)]
    assert _names("この場合は税務署に", rules) == []


def test_a_generic_insurer_is_not_responsible_in_a_bodys_own_report(
    extractor: Extractor,
) -> None:
    from incident_kg.extraction.extract import extract_report

    text = (
        "ひがし県職員共済組合\n\n被扶養者の紐付け誤りについて\n\n"
        "別の方が加入している保険者から、A様の情報が誤って登録されているとの連絡があった。\n"
    )
    incident = extract_report(extractor, text, source="r.txt").incidents[0]
    responsible = [o.name for o in incident.organizations if o.responsible]
    assert responsible == ["ひがし県職員共済組合"]


def test_an_anonymised_body_is_a_municipality(rules: OrgRules) -> None:
    assert _names("A市の事案とB町の事案", rules) == [
        ("A市", "municipality", True),
        ("B町", "municipality", True),
    ]


def test_a_company_name_may_hold_a_middle_dot(rules: OrgRules) -> None:
    assert _names("株式会社シオサイ・サポートに委託した", rules) == [
        ("株式会社シオサイ・サポート", "company", True)
    ]


def test_the_body_that_entrusted_a_contractor_answers_with_it(extractor: Extractor) -> None:
    from incident_kg.extraction.extract import extract_report

    text = (
        "あおぞら市監査委員\n\n定期監査の結果について\n\n"
        "1 通知の未処理について\n株式会社ミナモ・サービスが通知を処理しないまま放置していた。\n"
    )
    incident = extract_report(extractor, text, source="r.txt").incidents[0]
    responsible = sorted(o.name for o in incident.organizations if o.responsible)
    assert responsible == ["あおぞら市", "株式会社ミナモ・サービス"]


def test_a_company_name_may_open_in_hiragana(rules: OrgRules) -> None:
    assert _names("株式会社あおさぎスタッフィングに委託した", rules) == [
        ("株式会社あおさぎスタッフィング", "company", True)
    ]


LETTER = """{head}

個人情報が記録されたUSBメモリの紛失について（お詫び）

　このたび、福祉課で使っていたUSBメモリが見当たらなくなりました。
中には個人情報を含むデータが保存されていました。
　同じことを二度と起こさないよう取り組みます。
{foot}"""


def _responsible(extractor: Extractor, text: str) -> list[str]:
    from incident_kg.extraction.extract import extract_report

    (incident,) = extract_report(extractor, text, source="letter.txt").incidents
    return [o.name for o in incident.organizations if o.responsible and o.kind != "section"]


def test_a_spaced_letterhead_names_the_author(extractor: Extractor) -> None:
    text = LETTER.format(head="　　　　　　令和4年10月\n　　　　　　す ず め 市", foot="")
    assert _responsible(extractor, text) == ["すずめ市"]


def test_a_contact_block_run_together_names_the_author(extractor: Extractor) -> None:
    foot = "\nお問い合わせ\n保健福祉部子育て係あさひ市中央一丁目1番1号\n電話:000-000-0000"
    assert _responsible(extractor, LETTER.format(head="", foot=foot)) == ["あさひ市"]


def test_furniture_naming_two_bodies_names_no_author(rules: OrgRules) -> None:
    from incident_kg.extraction.organizations import _author_in_furniture

    text = "あさひ市\n\n本文です。\n\n〒000-0000 みなと市港町2丁目3番4号"
    assert _author_in_furniture(rules, text) == []
    assert [o.name for o, _ in _author_in_furniture(rules, text.split("\n\n〒")[0])] == ["あさひ市"]


@pytest.mark.parametrize(
    "text",
    [
        "高市早苗総務相は会見で述べた。",
        "副市長の執務室で見当たらなくなった。",
        "訪問先の街区や白鳥地区を探した。",
    ],
)
def test_a_person_an_office_or_a_district_is_no_body(rules: OrgRules, text: str) -> None:
    assert find_organizations(text, rules) == []


def test_a_long_name_after_its_prefecture_is_found(rules: OrgRules) -> None:
    """Issue 15, blind-real5 (opened): 青森県野辺地町 — six characters before 町 with its
    prefecture — was no body at all; the prefecture is cut off as for 栃木県小山市."""
    assert _names("和歌山県九度山町は5日、", rules) == [("九度山町", "municipality", True)]
    assert _names("神奈川県愛川町では", rules) == [("愛川町", "municipality", True)]
