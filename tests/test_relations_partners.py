"""PARTNERS_WITH on single sentences with the real pipeline: who partners with whom.

General patterns of cooperation news (the guidelines' "when one party signs
with each of several others, that party partners with each of them"), each on
a sentence written for the test.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from healthnews_nlp import load


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load()


def partners(nlp: Language, text: str) -> set[frozenset[str]]:
    return {frozenset((r.head, r.tail)) for r in nlp(text)._.relations if r.type == "PARTNERS_WITH"}


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


@pytest.mark.parametrize(
    "text",
    [
        "华西医院、湘雅医院先后与腾讯签署战略合作协议。",
        "腾讯与华西医院、湘雅医院分别签约。",
    ],
)
def test_each_party_signs_with_the_other_side_separately(nlp: Language, text: str) -> None:
    assert partners(nlp, text) == {pair("华西医院", "腾讯"), pair("湘雅医院", "腾讯")}


def test_parties_acting_together_all_partner(nlp: Language) -> None:
    found = partners(nlp, "华西医院、湘雅医院与腾讯签署三方战略合作协议。")
    assert found == {pair("华西医院", "腾讯"), pair("湘雅医院", "腾讯"), pair("华西医院", "湘雅医院")}


def test_the_subject_of_the_sentence_cooperates_with_the_object_of_yu(nlp: Language) -> None:
    assert partners(nlp, "四川大学华西医院表示，将与腾讯在智慧医疗领域开展合作。") == {pair("四川大学华西医院", "腾讯")}


def test_lianhe_before_a_verb_joins_the_subjects_not_the_object(nlp: Language) -> None:
    assert partners(nlp, "华西医院、湘雅医院联合中标深圳市第三人民医院信息化项目。") == {pair("华西医院", "湘雅医院")}


def test_a_merger_is_not_a_partnership(nlp: Language) -> None:
    assert partners(nlp, "国药集团与中国生物联合重组。") == set()


def test_joint_research_is_a_partnership(nlp: Language) -> None:
    found = partners(nlp, "复旦大学附属中山医院与上海交通大学医学院共同研发新型疫苗。")
    assert found == {pair("复旦大学附属中山医院", "上海交通大学医学院")}


def test_a_pattern_wins_over_a_longer_rule_reading() -> None:
    nlp = load()
    text = "本报讯 汇丰银行与交通银行合作推出信用卡。"
    assert ("汇丰银行", "ORG") not in {(e.text, e.label_) for e in nlp(text).ents}  # the rules glue 本报讯 on
    nlp.get_pipe("healthnews_ner").add_patterns([{"label": "ORG", "pattern": "汇丰银行"}])
    doc = nlp(text)
    assert ("汇丰银行", "ORG") in {(e.text, e.label_) for e in doc.ents}
    assert pair("汇丰银行", "交通银行") in {frozenset((r.head, r.tail)) for r in doc._.relations}


def test_a_denied_cooperation_is_not_a_partnership(nlp: Language) -> None:
    assert partners(nlp, "华西医院否认与湘雅医院签约。") == set()
    assert partners(nlp, "华西医院宣布终止与湘雅医院的合作。") == {pair("华西医院", "湘雅医院")}  # they had cooperated


def test_a_strategic_alliance_is_a_partnership(nlp: Language) -> None:
    assert partners(nlp, "华西医院与湘雅医院在成都建立战略联盟。") == {pair("华西医院", "湘雅医院")}


def test_a_partner_described_after_xieshou() -> None:
    nlp = load()
    nlp.get_pipe("healthnews_ner").add_patterns([{"label": "ORG", "pattern": "湘雅医院"}])
    found = partners(nlp, "华西医院携手同样在远程医疗领域领先的湘雅医院推出互联网医院。")
    assert found == {pair("华西医院", "湘雅医院")}


def test_several_counterparts_one_after_another(nlp: Language) -> None:
    found = partners(nlp, "华西医院相继与湘雅医院和协和医院展开合作。")
    assert found == {pair("华西医院", "湘雅医院"), pair("华西医院", "协和医院")}


@pytest.mark.parametrize(
    "text",
    [
        "第三届智慧医疗论坛由复旦大学附属中山医院和上海市医学会共同主办。",
        "复旦大学附属中山医院同上海市医学会联合举办了第三届智慧医疗论坛。",
    ],
)
def test_joint_hosts_partner_and_each_organizes(nlp: Language, text: str) -> None:
    """Settled cases, organizers: hosting together (共同主办, 联合举办) is a partnership."""
    hosts = {"复旦大学附属中山医院", "上海市医学会"}
    assert partners(nlp, text) == {pair(*hosts)}
    relations = nlp(text)._.relations
    assert {r.head for r in relations if r.type == "ORGANIZES" and r.tail == "第三届智慧医疗论坛"} == hosts


def test_a_list_under_a_role_organizes_without_partnering(nlp: Language) -> None:
    text = "第五届中国医疗信息化大会由中华医学会、中国医院协会主办，浙江大学、复旦大学联合承办。"
    assert partners(nlp, text) == set()
    organizers = {r.head for r in nlp(text)._.relations if r.type == "ORGANIZES"}
    assert organizers == {"中华医学会", "中国医院协会", "浙江大学", "复旦大学"}


def test_investors_of_one_round_partner(nlp: Language) -> None:
    """Settled cases, financing rounds: co-investors partner; the company invested in does not."""
    text = "健康险科技企业镁信健康完成C轮融资，本轮投资方包括博裕资本、礼来亚洲基金、中金公司等。"
    investors = ("博裕资本", "礼来亚洲基金", "中金公司")
    assert partners(nlp, text) == {pair(a, b) for a in investors for b in investors if a < b}


def test_a_name_ending_in_touzi_is_no_round_role(nlp: Language) -> None:
    assert partners(nlp, "该公司股东包括红杉资本、腾讯投资。") == set()  # shareholders, not one round
    assert partners(nlp, "本轮融资由红杉资本和高瓴资本联合领投。") == {pair("红杉资本", "高瓴资本")}
