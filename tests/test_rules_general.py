"""General patterns of Chinese news writing that the domain rules follow (issue 15).

Each test is a sentence written for the test in the style of the news the
library reads (no line copied from the development set), with the real LAC
model. The rules are patterns of the writing and of the annotation guidelines
(``shared/annotation/GUIDELINES.md``, "Settled cases"), not lists of answers.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from healthnews_nlp.models import Entity
from healthnews_nlp.nlp.pipeline import load


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load()


def entities(nlp: Language, text: str) -> list[Entity]:
    return list(nlp(text)._.entities)


def names(nlp: Language, text: str) -> set[tuple[str, str]]:
    return {(e.name, e.type) for e in entities(nlp, text)}


def forms(nlp: Language, text: str, label: str) -> set[str]:
    """Every name and alias of the entities of type ``label``."""
    return {form for e in entities(nlp, text) if e.type == label for form in (e.name, *e.aliases)}


# --- K1 events ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("昨天，王建国同志先进事迹报告会在市委礼堂举行。", "王建国同志先进事迹报告会"),
        ("全国基层医院超声诊断培训班近日在杭州开班。", "全国基层医院超声诊断培训班"),
        ("2019年协和医院糖尿病规范化诊疗学习班顺利结业。", "2019年协和医院糖尿病规范化诊疗学习班"),
        ("中国医院协会信息专业委员会筹备会在京召开。", "中国医院协会信息专业委员会筹备会"),
        ("第十四届全国冬季运动会医疗保障工作正式启动。", "第十四届全国冬季运动会"),
        ("双方在第五轮中欧高层战略对话上交换了意见。", "中欧高层战略对话"),
    ],
)
def test_event_heads_of_meetings_courses_and_games(nlp: Language, text: str, event: str) -> None:
    assert (event, "EVENT") in names(nlp, text)


def test_event_keeps_its_year_before_and_after(nlp: Language) -> None:
    before = "2018年腾讯全球合作伙伴大会在昆明举行。"
    assert ("2018年腾讯全球合作伙伴大会", "EVENT") in names(nlp, before)
    after = "阿里云开发者大会2022将于下月在杭州召开。"
    assert ("阿里云开发者大会2022", "EVENT") in names(nlp, after)
    # a date after the head is not part of the name
    assert ("阿里云开发者大会", "EVENT") in names(nlp, "阿里云开发者大会2022年5月在杭州召开。")


def test_event_keeps_its_ordinal(nlp: Language) -> None:
    text = "医院举行了第三届成都国际心血管病高峰论坛。"
    assert ("第三届成都国际心血管病高峰论坛", "EVENT") in names(nlp, text)


def test_ceremony_joined_by_ji_is_one_event(nlp: Language) -> None:
    # 聘任 is a verb here: the walk from 论坛 stops inside 聘任仪式
    text = "上午，医院举行了客座教授聘任仪式暨第二届秦岭胸外科高峰论坛。"
    assert ("客座教授聘任仪式暨第二届秦岭胸外科高峰论坛", "EVENT") in names(nlp, text)


def test_spaces_around_quotes_stay_inside_the_event(nlp: Language) -> None:
    text = "协会将于明年春天举办浙江 “ 智慧医疗 ” 产业峰会。"
    assert ("浙江“智慧医疗”产业峰会", "EVENT") in names(nlp, text)


def test_a_title_before_a_person_keeps_the_organization_out_of_the_event(nlp: Language) -> None:
    text = "会议由北京协和医院心内科主任张明同志先进事迹报告会组委会筹办。"
    events = forms(nlp, text, "EVENT")
    assert "张明同志先进事迹报告会" in events
    assert not any(e.startswith("北京协和医院") for e in events)


def test_quoted_campaign_names(nlp: Language) -> None:
    text = (
        "市妇幼保健院近日开展了“呵护女性健康——宫颈癌免费筛查公益活动”。"
        "5月12日，“健康同行--金华站”活动在市体育馆启动。"
        "医院还将继续开展“慈善活动”。"
    )
    events = forms(nlp, text, "EVENT")
    assert "呵护女性健康——宫颈癌免费筛查公益活动" in events
    assert "健康同行--金华站" in events
    assert "慈善活动" not in events  # a quoted word for a campaign is no name


def test_campaign_and_its_stage_are_one_event(nlp: Language) -> None:
    text = "“光明公益活动”惠及全市患者。“光明公益活动—临沂行”活动日前圆满结束。"
    events = [e for e in entities(nlp, text) if e.type == "EVENT"]
    assert len(events) == 1 and events[0].name == "光明公益活动—临沂行"
    assert "光明公益活动" in events[0].aliases


# --- K8, K12, K16 page furniture inside the text ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "furniture"),
    [
        ("市第一人民医院与华为公司签署合作协议。\n来源：北京日报\n", "北京日报"),
        (
            "作者：王建华 刘晓东 发布时间：2020/5/6 来源：宣传科\n"
            "市第一人民医院与华为公司签署合作协议。",
            "刘晓东",
        ),
        ("文|李明辉\n市第一人民医院与华为公司签署合作协议。", "李明辉"),
        ("市第一人民医院与华为公司签署合作协议（通讯员 刘晓东）。", "刘晓东"),
        ("经济日报讯（记者 刘建华）市第一人民医院与华为公司签署合作协议。", "刘建华"),
        ("中新网杭州5月6日电 (王建华)市第一人民医院与华为公司签署合作协议。", "王建华"),
        ("（山西晋中传媒网5月6日电）市第一人民医院与华为公司签署合作协议。", "传媒网"),
        ("经济日报讯，市第一人民医院与华为公司签署合作协议。", "经济日报"),
        ("据《中国基金报》报道，市第一人民医院与华为公司签署合作协议。", "中国基金报"),
        ("市第一人民医院与华为公司签署合作协议。（新华社）", "新华社"),
        (
            "市第一人民医院与华为公司签署合作协议。\n链接：http://news.fudan.edu.cn/2013/0510/33327.html",
            "news",
        ),
        (
            "市第一人民医院与华为公司签署合作协议。\n热门排行\n1、北大肿瘤医院专家孙红专访：重视疲乏",
            "孙红",
        ),
        ("市第一人民医院与华为公司签署合作协议。\n地址：北京市顺义区国泰宏城5层", "国泰宏城"),
    ],
)
def test_page_furniture_inside_the_text_gives_no_entity(
    nlp: Language, text: str, furniture: str
) -> None:
    found = names(nlp, text)
    assert ("华为公司", "ORG") in found  # the story itself is read
    assert not any(furniture in name for name, _ in found), found


def test_furniture_spans_leave_the_text_and_the_story_alone(nlp: Language) -> None:
    text = "记者从杭州市卫健委获悉，市第一人民医院与华为公司签署合作协议。\n来源：杭州市卫健委\n"
    doc = nlp(text)
    assert doc.text == text
    found = names(nlp, text)
    assert ("杭州市卫健委", "ORG") in found  # named in the story, not only as the source


def test_the_place_of_a_dateline_stays_a_place(nlp: Language) -> None:
    found = names(nlp, "中新网杭州5月6日电 (王建华)市第一人民医院与华为公司签署合作协议。")
    assert ("杭州", "LOC") in found
    assert not {"中新网", "王建华"} & {name for name, _ in found}


def test_a_bad_furniture_pattern_is_a_clear_error() -> None:
    from healthnews_nlp.nlp.furniture import FurniturePattern

    with pytest.raises(ValueError, match="furniture_spans.tsv"):
        FurniturePattern.parse("line\t^来源")
    with pytest.raises(ValueError, match="bad pattern"):
        FurniturePattern.parse("span\t([")


# --- K2 sub-units, media, quoted names; K5 names running into a title ---------------------------


@pytest.mark.parametrize(
    ("text", "org"),
    [
        (
            "本次培训由中华医学会心血管病学分会高血压学组组长李军教授主持。",
            "中华医学会心血管病学分会高血压学组",
        ),
        ("活动由临汾市人民医院骨科三病区具体承办。", "临汾市人民医院骨科三病区"),
        ("项目由市人民医院、北医三院骨科、北京爱康宜诚医疗器械有限公司共同发起。", "北医三院骨科"),
        ("会议期间，中国医药导报副社长李文明介绍了情况。", "中国医药导报"),
        ("中国中医药报新媒体部主任王立新到会。", "中国中医药报"),
        ("善款将捐入“爱 • 光明”基金。", "“爱•光明”基金"),  # the dot unspaced in the name
        ("和睦家医院、仁济医院等单位捐赠了设备。", "和睦家医院"),
    ],
)
def test_organizations_with_their_units_heads_and_quotes(
    nlp: Language, text: str, org: str
) -> None:
    assert (org, "ORG") in names(nlp, text)


@pytest.mark.parametrize(
    ("text", "org", "not_org"),
    [
        ("会议由北京市卫健委信息中心主任张明主持。", "北京市卫健委", "北京市卫健委信息中心"),
        ("开幕式由北京航天总医院科技委主任王平主持。", "北京航天总医院", "北京航天总医院科技委"),
        ("天健软件集团技术总监陈光作了报告。", "天健软件集团", "天健软件集团技术"),
        ("北京协和医院神经内科李延峰教授作了报告。", "北京协和医院", "北京协和医院神经内科"),
        ("原卫生部副部长王明出席。", "卫生部", "原卫生部"),
        (
            "公司原股东恒信电力设计股份有限公司持股降至40%。",
            "恒信电力设计股份有限公司",
            "公司原股东恒信电力设计股份有限公司",
        ),
        (
            "大股东海南航空控股股份有限公司表示反对。",
            "海南航空控股股份有限公司",
            "股东海南航空控股股份有限公司",
        ),
        ("公司拟向全资子公司湖北安井食品有限公司增资。", "湖北安井食品有限公司", "全资子公司"),
        ("此次并购后，沐瞳科技会保持独立运营。", "沐瞳科技", "沐瞳科技会"),
    ],
)
def test_organizations_stop_before_a_title_a_department_or_a_role(
    nlp: Language, text: str, org: str, not_org: str
) -> None:
    found = names(nlp, text)
    assert (org, "ORG") in found
    assert (not_org, "ORG") not in found


def test_a_department_that_acts_stays_an_organization(nlp: Language) -> None:
    text = "北京协和医院神经内科举办了培训班。北京协和医院神经内科主任张明致辞。"
    assert ("北京协和医院神经内科", "ORG") in names(nlp, text)


def test_a_company_or_a_business_unit_before_a_title_is_whole(nlp: Language) -> None:
    text = "中国电信集团有限公司副总经理刘桂清、中国移动政企事业部总经理王强出席。"
    found = names(nlp, text)
    assert ("中国电信集团有限公司", "ORG") in found
    assert ("中国移动政企事业部", "ORG") in found


# --- K18, K19 not entities (guidelines, Settled cases) -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "家住城东的王女士今年35岁。",
        "患者家属李先生表示感谢。",
        "首席科学家刘博士介绍了产品。",
        "犯罪嫌疑人张某某被抓获。",
    ],
)
def test_surname_and_honorific_or_anonymised_name_is_no_person(nlp: Language, text: str) -> None:
    assert not forms(nlp, text, "PERSON")


def test_a_full_name_with_an_honorific_is_a_person(nlp: Language) -> None:
    assert ("王建国", "PERSON") in names(nlp, "王建国先生出席了会议。")


def test_names_inside_a_document_title_are_no_entities(nlp: Language) -> None:
    text = "公司与湖州市吴兴经济开发区管委会签署了《湖州市吴兴经济开发区投资项目协议书》。"
    found = names(nlp, text)
    assert ("湖州市吴兴经济开发区管委会", "ORG") in found
    assert not any(label == "LOC" for _, label in found), found


def test_a_committee_before_its_chairman_is_an_organization(nlp: Language) -> None:
    # 委员 (a title) begins the head 委员会 without being the title that follows
    found = names(nlp, "日本共产党中央委员会主席志位和夫出席了会议。")
    assert ("日本共产党中央委员会", "ORG") in found


@pytest.mark.parametrize(
    ("text", "not_event"),
    [
        ("国务委员李铁映与会议代表进行了座谈。", "李铁映与会议"),  # 与 beside a person: two parties
        ("根据全国人民代表大会确定的名额选举代表。", "全国人民代表大会"),  # the body, not a meeting
    ],
)
def test_no_event_from_parties_or_standing_bodies(nlp: Language, text: str, not_event: str) -> None:
    assert not_event not in forms(nlp, text, "EVENT")


# --- K13 venues are places (Settled: venues) ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "venue"),
    [
        ("年会在杭州国际博览中心隆重召开。", "杭州国际博览中心"),
        ("会议地点：上海浦东香格里拉大酒店", "上海浦东香格里拉大酒店"),
        ("培训班在湘雅医院学术厅成功举办。", "湘雅医院学术厅"),
        ("讲座在协和医院门诊楼5层东厅举行。", "协和医院门诊楼5层东厅"),
        ("开幕式（上海浦东香格里拉大酒店宴会厅）", "上海浦东香格里拉大酒店"),  # a hall of a hotel
    ],
)
def test_venues_are_places(nlp: Language, text: str, venue: str) -> None:
    found = names(nlp, text)
    assert (venue, "LOC") in found
    assert (venue, "ORG") not in found


def test_a_government_department_ending_in_ting_stays_an_organization(nlp: Language) -> None:
    assert ("江苏省卫生厅", "ORG") in names(nlp, "江苏省卫生厅副厅长出席了会议。")


# --- K11 aliases within an article --------------------------------------------------------------


def entity_with(nlp: Language, text: str, name: str) -> Entity:
    matches = [e for e in entities(nlp, text) if name in (e.name, *e.aliases)]
    assert len(matches) == 1, [(e.name, e.type, e.aliases) for e in entities(nlp, text)]
    return matches[0]


@pytest.mark.parametrize(
    ("text", "full", "short"),
    [
        ("美国通用电气公司（GE）宣布在上海设立工厂。", "美国通用电气公司", "GE"),
        ("美国食品药品监督管理局（FDA）批准了该药。", "美国食品药品监督管理局", "FDA"),
        ("北京大学第一医院与华为签约。北大第一医院院长出席。", "北京大学第一医院", "北大第一医院"),
        ("温州市妇幼保健院举行义诊。温州市妇保院专家到场。", "温州市妇幼保健院", "温州市妇保院"),
        (
            "中国医学科学院北京协和医院、北京协和医院内分泌科专家到场。协和医院王教授说。",
            "中国医学科学院北京协和医院",
            "协和医院",
        ),
        (
            "会议恰逢第29届夏季奥林匹克运动会，即2008年北京奥运会开幕之际。",
            "第29届夏季奥林匹克运动会",
            "2008年北京奥运会",
        ),
        (
            "宁德时代新能源科技股份有限公司发布公告。宁德时代表示……",
            "宁德时代新能源科技股份有限公司",
            "宁德时代",
        ),
    ],
)
def test_short_forms_are_aliases_of_the_full_name(
    nlp: Language, text: str, full: str, short: str
) -> None:
    found = entity_with(nlp, text, short)
    assert full in (found.name, *found.aliases)


def test_a_short_form_that_drops_a_level_of_the_organization_is_another_organization(
    nlp: Language,
) -> None:
    text = "总后政治部宣传部和总政宣传部的领导出席。"
    assert entity_with(nlp, text, "总政宣传部").name == "总政宣传部"


# --- K3, K4, K6 brands, list siblings, Latin names ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "orgs"),
    [
        ("华为公司、Google、Amazon和Netflix都参加了会议。", {"Google", "Amazon", "Netflix"}),
        ("本轮融资由高瓴资本领投，红杉资本、源码资本跟投。", {"红杉资本", "源码资本"}),
        ("3月，深圳碳云健康旗下产品获批。", {"深圳碳云健康"}),
        ("此外，医渡科技和微脉健康也在筹备上市。", {"医渡科技", "微脉健康"}),
        ("AT&T 最近终止了零费率套餐。", {"AT&T"}),
    ],
)
def test_brands_and_list_siblings_are_organizations(
    nlp: Language, text: str, orgs: set[str]
) -> None:
    assert orgs <= forms(nlp, text, "ORG")


@pytest.mark.parametrize(
    "text",
    [
        "推动中国资本市场健康发展。",  # trade words before a noun modify it
        "助力中国医疗卫生事业健康发展。",  # no brand before the trade word
        "一楼集理疗、康复中心、婴儿SPA、孕妇学校于一身。",  # a list of facilities
    ],
)
def test_no_organization_from_ordinary_words_or_facilities(nlp: Language, text: str) -> None:
    assert not forms(nlp, text, "ORG") - {"康复中心"}  # 康复 is a name in jieba's dictionary


def test_a_brand_the_tagger_calls_a_person_is_the_company(nlp: Language) -> None:
    text = "网易收购雷火科技，雷火将保持独立运营。"
    assert not forms(nlp, text, "PERSON")
    assert "雷火" in entity_with(nlp, text, "雷火科技").aliases


def test_latin_names_beside_a_title_are_people(nlp: Language) -> None:
    text = "英国David Smith教授、美国William E.Reichman教授作了报告。"
    assert {"David Smith", "William E.Reichman"} <= forms(nlp, text, "PERSON")


def test_an_ampersand_of_a_name_in_html_stays_as_written() -> None:
    from healthnews_nlp.ingest.html import html_to_text

    source = "<p>AT&T 最近终止了套餐，P&amp;G 与 &copy 2021 &foo; 照旧。</p>"
    text, offsets, _ = html_to_text(source)
    assert text.startswith("AT&T 最近")  # no ';' added after an unknown name
    assert "P&G" in text and "© 2021" in text and "&foo;" in text
    assert offsets.source_span(0, 4) == (3, 7)


# --- K15 place boundaries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place", "not_place"),
    [
        ("县城位于准噶尔盆地南缘，人口30万。", "准噶尔盆地", "准噶尔盆地南缘"),
        ("医疗队长期帮助大凉山贫困地区的患儿。", "大凉山", "大凉山贫困地区"),
        ("记者日前来到新疆莎车。", "莎车", "新疆莎车"),
    ],
)
def test_a_place_without_its_side_or_description(
    nlp: Language, text: str, place: str, not_place: str
) -> None:
    found = forms(nlp, text, "LOC")
    assert place in found and not_place not in found


def test_a_described_area_with_no_place_is_none(nlp: Language) -> None:
    text = "这将促进中小城市、西部落后地区的医疗水平提升。"
    assert not forms(nlp, text, "LOC")


# --- K7, K9 descriptions and fragments are no names ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "随着二孩政策实行，各地医院的产科都面临挑战，很多家庭选择省城医院。",
        "该计划将与多家知名三甲医院合作，发挥双方优势。",
        "本次活动得到了公益组织的大力支持。",
        "他是心脏中心负责人，主要负责手术。",
        "中心一楼设有儿童摄影中心和孕妇学校。",
        "经过医院组织的理论课学习，她顺利结业。",
        "公司(300194)晚间发布公告，拟实施分红。",
    ],
)
def test_descriptions_and_fragments_are_no_organizations(nlp: Language, text: str) -> None:
    assert not forms(nlp, text, "ORG")


def test_a_name_defined_with_its_acronym_is_an_organization(nlp: Language) -> None:
    assert ("世界胃肠组织", "ORG") in names(nlp, "世界胃肠组织（WGO）发布了新版指南。")


# --- K10 people -----------------------------------------------------------------------------------


def test_a_name_set_apart_after_its_title_in_a_programme(nlp: Language) -> None:
    text = (
        "10：00-10：20 医院管理新思路 健康报社执行总编 高新军\n"
        "10：20-10：40 互联网医疗 共享中医CEO 国洪兴\n"
    )
    people = forms(nlp, text, "PERSON")
    assert {"高新军", "国洪兴"} <= people
    assert all(not p.startswith(" ") for p in people)


def test_a_foreign_name_with_a_spaced_dot_is_one_person(nlp: Language) -> None:
    text = "美国联邦贸易委员会主席莉娜 · 汗（Lina Khan）表示支持。随后，汗发表了声明。"
    person = entity_with(nlp, text, "Lina Khan")
    assert person.name == "莉娜·汗" and person.type == "PERSON"


def test_the_meeting_of_a_forum_is_the_forum(nlp: Language) -> None:
    text = "第二届长三角智慧医疗发展论坛会议议程（初定）"
    events = forms(nlp, text, "EVENT")
    assert "第二届长三角智慧医疗发展论坛" in events and not any(e.endswith("会议") for e in events)


def test_a_campaign_named_after_its_season_is_no_event(nlp: Language) -> None:
    text = "医院开展“质量安全月”活动，并举办“健康同行--金华站”活动。"
    events = forms(nlp, text, "EVENT")
    assert "健康同行--金华站" in events and "质量安全月" not in events


# --- legal forms and homographs of places ------------------------------------------------------


def test_a_partnership_keeps_its_legal_form(nlp: Language) -> None:
    text = "工商信息显示，杭州明德创业投资合伙企业（有限合伙）新增为该公司股东。"
    assert ("杭州明德创业投资合伙企业（有限合伙）", "ORG") in names(nlp, text)


def test_a_refused_short_form_is_no_place_even_when_the_tagger_says_so(nlp: Language) -> None:
    # 来宾 ("guests") is a city only as 来宾市 (resources/place_shortform_stoplist.txt)
    text = "院长向到场的各位来宾介绍了医院近年来的发展情况。"
    assert not any(label == "LOC" for _, label in names(nlp, text))
    assert ("来宾市", "LOC") in names(nlp, "来宾市人民医院与南宁市第一人民医院签署合作协议。") | names(
        nlp, "来宾市卫健委在来宾市召开会议。"
    )


def test_an_acronym_glued_to_a_name_is_its_alias(nlp: Language) -> None:
    text = "该试剂获得国家药品监督管理局NMPA批准，这是NMPA批准的首个自测产品。"
    assert [(e.name, e.type, e.aliases) for e in entities(nlp, text)] == [
        ("国家药品监督管理局", "ORG", ("NMPA",))
    ]


def test_a_demonym_and_a_disease_are_no_places(nlp: Language) -> None:
    assert names(nlp, "让中国人看病首选中医，他是地道的上海人。") == set()
    assert ("中国人民解放军总医院", "ORG") in names(nlp, "中国人民解放军总医院派出专家。")
    assert not any(label == "LOC" for _, label in names(nlp, "在新冠疫情期间，医院承担了救治任务。"))
