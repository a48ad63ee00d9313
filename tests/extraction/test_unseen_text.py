"""How real news and web pages say an incident when no lexicon word does (issue 15, second
round): the headline over a lead with no blank line, a byline and web addresses on their own
lines, wrongs said as mix-ups, losses and regretted acts, measures said as 今後は…, bodies
named by a short form (市福祉政策課によると) or as unions, and a lead that dates the page.

Every text here is invented (bodies and people included)."""

from __future__ import annotations

from incident_kg.extraction.extract import Extractor, extract_report
from incident_kg.extraction.model import CodedValue, Incident, Report
from incident_kg.extraction.normalize import normalize
from incident_kg.extraction.organizations import OrgRules, find_organizations


def extract(extractor: Extractor, text: str) -> Report:
    return extract_report(extractor, text, source="page.txt")


def only(report: Report) -> Incident:
    [incident] = report.incidents
    return incident


MIX_UP = """通知書、2世帯に取り違えて郵送 青浜市 宛名シールの貼り間違い

 青浜市は4日、給付金の振込先を知らせる通知書を2世帯の間で入れ替えて送ってしまったと発表した。

 市福祉総務課によると、戻ってきた通知書を新しい住所に送り直した際、宛名シールを貼り間違えたという。市は両方の世帯に謝罪し、今後は複数の職員で確かめることで再発を防ぐとしている。
"""


def test_a_mix_up_told_without_the_lexicons_words_is_an_incident(extractor: Extractor) -> None:
    assert len(extract(extractor, MIX_UP).incidents) == 1


def test_a_measure_said_as_what_will_be_done_from_now_on_is_coded(extractor: Extractor) -> None:
    assert "MultiPersonCheck" in only(extract(extractor, MIX_UP)).codes("countermeasures")


def test_a_section_named_after_the_bodys_short_name_is_the_bodys(extractor: Extractor) -> None:
    names = {o.name for o in only(extract(extractor, MIX_UP)).organizations}
    assert "青浜市/福祉総務課" in names


def test_a_policy_against_rising_prices_is_no_countermeasure(extractor: Extractor) -> None:
    text = (
        "給付金の通知書を別人に郵送 青浜市\n\n"
        "青浜市は、国の物価高騰対策として支給する給付金の通知書を、別の世帯に誤って送付した。"
        "通知書には氏名と住所が記載されていた。\n"
    )
    assert only(extract(extractor, text)).codes("countermeasures") == []


def test_a_headline_over_a_lead_with_no_blank_line_stays_apart() -> None:
    text = "◎青浜市が個人情報の漏えい事故2件を公表(誤封入2件)\n青浜市は1月16日、事故が2件あったと公表した。"
    assert normalize(text).text.split("\n")[0].endswith("(誤封入2件)")


def test_a_byline_and_web_addresses_stand_on_their_own_lines() -> None:
    text = (
        "<窃盗>届書の写し、駅に 青浜市が被害届\n"
        "青浜新聞 12月28日(金)11時15分配信\n"
        "青浜市が受理した届書の写しが駅で見つかった。\n"
        "https://news.example.jp/a/1\n"
        "ゆうなぎ新聞\n"
    )
    lines = normalize(text).text.split("\n")
    assert "青浜新聞 12月28日(金)11時15分配信" in lines
    assert "https://news.example.jp/a/1" in lines


def test_a_links_caption_under_the_article_is_not_its_title(extractor: Extractor) -> None:
    text = (
        "青浜区役所、区民3名の個人情報入りメモをなくす\n\n"
        "4月7日、青浜区は、生活福祉課の職員が、区民3名の個人情報を書いたメモを紛失したと"
        "公表した。職員は訪問先を回ったあと、ポケットにメモがないことに気づいた。"
        "区は個人情報の管理を徹底していく方針だ。\n"
        "・個人情報記載メモの紛失について(青浜区)\n"
    )
    assert extract(extractor, text).title.startswith("青浜区役所")


def test_a_word_that_opens_with_a_bodys_suffix_is_no_body(extractor: Extractor) -> None:
    rules = OrgRules.from_lexicon(extractor.lexicon.data)
    names = {o.name for o in find_organizations("個人市民税の住宅借入金等特別控除区分", rules)}
    assert names == set()


def test_a_union_of_local_governments_is_a_body(extractor: Extractor) -> None:
    rules = OrgRules.from_lexicon(extractor.lexicon.data)
    found = find_organizations("青浜県の湊広域環境組合は17日、", rules)
    assert [o.name for o in found] == ["湊広域環境組合"]


def test_a_prefecture_before_a_municipality_names_the_municipality(extractor: Extractor) -> None:
    rules = OrgRules.from_lexicon(extractor.lexicon.data)
    found = find_organizations("25日、茨城県潮見市は", rules)
    assert [o.name for o in found] == ["潮見市"]


LEAD_DATED = """青浜市、26人分の通知を誤送信 2015年の制度開始以降で初めて

2018年5月29日、青浜市は、26人分の個人情報を市内の法人1社に誤って送っていたと明らかにした。

市は21日、市内の法人へ通知のデータを送った。誤って受け取った法人から23日に連絡があって分かった。
"""


def test_a_lead_that_opens_with_its_date_dates_the_days_told_after_it(
    extractor: Extractor,
) -> None:
    incident = only(extract(extractor, LEAD_DATED))
    assert incident.occurred is not None and incident.occurred.iso == "2018-05-21"
    assert incident.discovered is not None and incident.discovered.iso == "2018-05-23"


SENT_ASTRAY = """保険証を2人の間で取り違えて郵送 青浜市

 青浜市は25日、後期高齢者医療の被保険者証を市民2人の間で取り違えて郵送していたと発表した。
 24日、届いた保険証を見た男性から連絡があった。
"""


def _leak_told_across_sentences(extractor: Extractor) -> list[CodedValue]:
    """The leak codes of SENT_ASTRAY once a second sentence says the document held personal
    data."""
    text = SENT_ASTRAY.replace(
        "連絡があった。", "連絡があった。保険証には氏名と住所が記されていた。"
    )
    return [v for v in only(extract(extractor, text)).coded if v.code == "PersonalDataLeak"]


def test_a_document_sent_astray_is_a_leak_when_another_sentence_says_it_held_personal_data(
    extractor: Extractor,
) -> None:
    leak = _leak_told_across_sentences(extractor)
    assert {v.evidence.rule for v in leak} == {
        "harms/PersonalDataLeak/document-astray-with-personal-data"
    }


def test_a_leak_inferred_across_sentences_has_a_lower_confidence_than_a_stated_one(
    extractor: Extractor,
) -> None:
    leak = _leak_told_across_sentences(extractor)
    assert leak and all(v.evidence.confidence < 0.8 for v in leak)


def test_a_document_sent_astray_is_no_leak_when_nothing_says_what_it_held(
    extractor: Extractor,
) -> None:
    text = SENT_ASTRAY.replace("被保険者証", "案内文").replace("保険証", "案内文")
    assert "PersonalDataLeak" not in only(extract(extractor, text)).codes("harms")


def test_a_stated_no_leak_defeats_a_leak_inferred_across_sentences(extractor: Extractor) -> None:
    text = SENT_ASTRAY.replace(
        "連絡があった。", "連絡があった。保険証の個人情報が外部に漏えいした事実はありません。"
    )
    assert "PersonalDataLeak" not in only(extract(extractor, text)).codes("harms")
