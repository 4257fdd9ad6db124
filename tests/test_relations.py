"""Relations through the real pipeline (LAC): the seed articles, single sentences, days, the gold set.

The pipeline is loaded once for the module and the five seeds are extracted
once (``healthnews_nlp.extract``), so the tests below only look at records.
Names are compared as the library writes them, except event names, which are
compared without quotes (the scorer's normalization), since which of
``2021“医生云”大会`` and ``2021医生云大会`` becomes the name is the entity
recognizer's business, not the relation extractor's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from healthnews_nlp import Article, ArticleExtraction, Relation, extract, load
from healthnews_nlp.evaluate import load_gold, load_predictions, score
from healthnews_nlp.nlp.lexicons import Lexicons
from healthnews_nlp.nlp.relations import resolve_day

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD = SHARED / "gold"

CENTER = "深圳国家感染性疾病临床医学研究中心"
HOSPITAL = "深圳市第三人民医院"
TENCENT = "腾讯"
TELECOM = "中国电信集团有限公司"
SUMMIT = "“数聚智慧 创健未来”数字健康创新峰会"
CONGRESS = "2021医生云大会"  # 2021“医生云”大会, compared without quotes


def plain(name: str) -> str:
    return name.replace("“", "").replace("”", "").replace('"', "")


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load()


@pytest.fixture(scope="module")
def seeds(nlp: Language, seed_articles: dict[str, Article]) -> dict[str, ArticleExtraction]:
    """Every seed's extraction, keyed by its number (``"000"`` … ``"004"``)."""
    numbers = list(seed_articles)
    return dict(zip(numbers, extract([seed_articles[n] for n in numbers], nlp)))


def of_type(relations: Iterable[Relation], type_: str) -> list[Relation]:
    return [r for r in relations if r.type == type_]


def find(relations: Iterable[Relation], head: str, type_: str, tail: str) -> Relation:
    """The one relation ``head -type-> tail`` (either way round for PARTNERS_WITH)."""
    ends = {(head, tail), (tail, head)} if type_ == "PARTNERS_WITH" else {(head, tail)}
    found = [r for r in relations if r.type == type_ and (r.head, r.tail) in ends]
    assert len(found) == 1, f"{head} {type_} {tail}: {found}"
    return found[0]


def pairs(relations: Iterable[Relation]) -> set[frozenset[str]]:
    return {frozenset((r.head, r.tail)) for r in of_type(relations, "PARTNERS_WITH")}


def run(nlp: Language, text: str, article_date: date | datetime | None = None) -> Doc:
    """``nlp(text)`` with ``doc._.article_date`` set first (as ``extract`` does)."""
    doc = nlp.make_doc(text)
    doc._.article_date = article_date
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


# --- seed 002: a three-party cooperation, named by abbreviations -------------------------------


def test_three_parties_partner_pairwise_under_their_full_names(seeds: dict[str, ArticleExtraction]) -> None:
    extraction = seeds["002"]
    assert pairs(extraction.relations) == {
        frozenset((CENTER, HOSPITAL)),
        frozenset((CENTER, TENCENT)),
        frozenset((HOSPITAL, TENCENT)),
    }
    center = next(e for e in extraction.entities if e.name == CENTER)
    hospital = next(e for e in extraction.entities if e.name == HOSPITAL)
    assert "国研中心" in center.aliases and "深圳三院" in hospital.aliases
    for relation in extraction.relations:  # no relation names an entity by a short form
        assert {relation.head, relation.tail}.isdisjoint({"国研中心", "深圳三院", "深圳第三人民医院"})
        assert relation.head != "国家感染性疾病临床医学研究中心" != relation.tail


def test_the_partnership_is_dated_by_the_day_the_text_gives(seeds: dict[str, ArticleExtraction]) -> None:
    """The title (腾讯牵手国研中心、深圳三院) states it first, undated; 9月22日 … 达成战略合作 gives the day."""
    extraction = seeds["002"]
    assert extraction.date is not None and extraction.date.date() == date(2022, 9, 26)
    for relation in of_type(extraction.relations, "PARTNERS_WITH"):
        assert relation.date == date(2022, 9, 22)
        assert relation.cue == "达成战略合作"
        assert relation.evidence.startswith("9月22日下午，深圳国家感染性疾病临床医学研究中心（下称“国研中心”）")
        assert relation.head_type == relation.tail_type == "ORG"


def test_partners_named_only_by_defined_abbreviations(nlp: Language) -> None:
    text = (
        "深圳国家感染性疾病临床医学研究中心（下称“国研中心”）、深圳市第三人民医院（下称“深圳三院”）是深圳的医疗机构。"
        "中国电信集团有限公司牵手国研中心、深圳三院。"
    )
    doc = nlp(text)
    partners = of_type(doc._.relations, "PARTNERS_WITH")
    assert pairs(partners) == {
        frozenset((CENTER, HOSPITAL)),
        frozenset((CENTER, TELECOM)),
        frozenset((HOSPITAL, TELECOM)),
    }
    second = text.index("中国电信集团有限公司牵手")
    assert all(r.cue == "牵手" and r.evidence_start == second for r in partners)


def test_several_organizations_with_their_own_titles_before_a_person(seeds: dict[str, ArticleExtraction]) -> None:
    """国家感染性疾病临床医学研究中心主任、深圳市第三人民医院党委书记刘磊 (the centre by a short form)."""
    relations = seeds["002"].relations
    assert find(relations, "刘磊", "WORKS_FOR", CENTER).title == "主任"
    assert find(relations, "刘磊", "WORKS_FOR", HOSPITAL).title == "党委书记"
    # two organizations sharing one title: 国家…中心、深圳第三人民医院院长、党委副书记卢洪洲
    assert find(relations, "卢洪洲", "WORKS_FOR", CENTER).title == "院长、党委副书记"
    assert find(relations, "卢洪洲", "WORKS_FOR", HOSPITAL).title == "院长、党委副书记"
    assert find(relations, "张纾翔", "WORKS_FOR", "腾讯云与智慧产业事业群").title == "副总裁"
    assert find(relations, "腾讯云与智慧产业事业群", "PART_OF", TENCENT).cue == "name"
    people = {r.head for r in of_type(relations, "WORKS_FOR")}
    assert people == {"刘磊", "卢洪洲", "卢水华", "张纾翔", "张国栋"}


# --- seeds 000 and 001: organizers, titles, subsidiaries, venues -------------------------------


def test_people_named_right_after_an_organization_with_their_titles(nlp: Language) -> None:
    """<ORG><PERSON>(、<PERSON>)<title>: each person works there; a list shares the last title."""
    text = "华山医院周明教授、瑞金医院李强、王芳主任出席了本次研讨会。"
    works_for = {(r.head, r.tail, r.title) for r in run(nlp, text)._.relations if r.type == "WORKS_FOR"}
    assert works_for >= {
        ("周明", "华山医院", "教授"),
        ("李强", "瑞金医院", "主任"),
        ("王芳", "瑞金医院", "主任"),
    }
    assert not any(r.type == "WORKS_FOR" for r in run(nlp, "腾讯与华山医院签约，周明出席。")._.relations)


def test_a_sentence_refers_to_the_last_event_named_with_its_head_word(nlp: Language) -> None:
    """本次大会 is the 动员大会 named last, not the Games the article named first."""
    text = (
        "在2024年巴黎奥运会开幕前，国家体育总局召开了巴黎奥运会医疗保障工作动员大会。"
        "本次大会上，华山医院周明教授作了发言。"
    )
    participates = {(r.head, r.tail) for r in run(nlp, text)._.relations if r.type == "PARTICIPATES_IN"}
    assert ("周明", "巴黎奥运会医疗保障工作动员大会") in participates
    assert ("周明", "2024年巴黎奥运会") not in participates


def test_an_organization_that_holds_an_event_organizes_it(nlp: Language) -> None:
    held = "8月8日，华山医院隆重举行了第二届华东微创外科高峰论坛。"
    assert {(r.head, r.role) for r in run(nlp, held)._.relations if r.type == "ORGANIZES"} == {("华山医院", "举行")}
    self_held = "第二届华东微创外科高峰论坛在上海举行。"  # the event is the subject: no host
    assert not any(r.type == "ORGANIZES" for r in run(nlp, self_held)._.relations)


def test_a_programme_line_of_organizers(nlp: Language) -> None:
    text = "我会将于5月1日在北京举办第一届智慧中医发展论坛。\n主办单位：中国中医药信息学会\n协办单位：北京中医协会、河北中医药学会"
    organizes = {(r.head, r.role) for r in run(nlp, text)._.relations if r.type == "ORGANIZES"}
    assert organizes >= {("中国中医药信息学会", "主办"), ("北京中医协会", "协办"), ("河北中医药学会", "协办")}


def test_an_event_held_at_an_organizations_premises(nlp: Language) -> None:
    """Settled cases, venues: HELD_IN may point to the ORG whose premises host the event."""
    text = "7月15日下午，“青春健康浙江行”活动在华山医院举行。"
    assert {(r.head, r.tail) for r in run(nlp, text)._.relations if r.type == "HELD_IN"} == {
        ("青春健康浙江行", "华山医院")
    }


def test_organizers_of_seed_001_with_their_roles(seeds: dict[str, ArticleExtraction]) -> None:
    """在成都市人民政府、中国电子信息产业集团有限公司指导下，由…主办，…承办."""
    organizes = of_type(seeds["001"].relations, "ORGANIZES")
    by_rules = [r for r in organizes if r.cue is not None]  # the classifier's own have no cue
    assert {(r.head, r.role) for r in by_rules if r.tail == SUMMIT} == {
        ("成都市人民政府", "指导"),
        ("中国电子信息产业集团有限公司", "指导"),
        ("成都市卫生健康委员会", "主办"),
        ("中电数据服务有限公司", "主办"),
        ("中电健康云科技有限公司", "承办"),
        ("中电四川数据服务有限公司", "承办"),
    }
    assert all(r.cue == r.role and r.date == date(2021, 10, 21) for r in by_rules)
    # what the classifier adds beside the rules is less certain than any of theirs
    added = [r for r in organizes if r.cue is None]
    assert all(a.confidence < min(r.confidence for r in by_rules) for a in added)
    assert find(seeds["001"].relations, SUMMIT, "HELD_IN", "成都").date == date(2021, 10, 21)


def test_organizers_of_seed_000_with_their_roles_and_day(seeds: dict[str, ArticleExtraction]) -> None:
    """10月14日 … 大会由宁夏回族自治区卫生健康委员、大专家．COM主办，中国电信宁夏公司、…等联合承办."""
    organizes = of_type(seeds["000"].relations, "ORGANIZES")
    assert {plain(r.tail) for r in organizes} == {CONGRESS}
    assert {(r.head, r.role) for r in organizes} == {
        ("宁夏回族自治区卫生健康委员", "主办"),
        ("大专家．COM", "主办"),
        ("中国电信宁夏公司", "联合承办"),
        ("中国整合医学发展战略研究院", "联合承办"),
        ("广东省钟南山医学基金会", "联合承办"),
        ("中国太平保险集团", "联合承办"),
    }
    for relation in organizes:
        assert relation.date == date(2021, 10, 14)  # the text's day, not the article's (10-18)
        assert relation.head_type == "ORG" and relation.tail_type == "EVENT"
        assert relation.evidence.startswith("10月14日，2021“医生云”大会在宁夏银川举行")


def test_title_between_organization_and_person(seeds: dict[str, ArticleExtraction]) -> None:
    relation = find(seeds["000"].relations, "刘桂清", "WORKS_FOR", TELECOM)
    assert relation.title == relation.cue == "副总经理"
    assert (relation.head_type, relation.tail_type) == ("PERSON", "ORG")
    assert find(seeds["000"].relations, "石岱", "WORKS_FOR", "自治区党委").title == "常委、组织部部长"


def test_subsidiary_named_after_its_parents_abbreviation(seeds: dict[str, ArticleExtraction]) -> None:
    """中国电信宁夏公司 = 中国电信 (short for 中国电信集团有限公司) + 宁夏 + 公司."""
    relations = seeds["000"].relations
    assert find(relations, "中国电信宁夏公司", "PART_OF", TELECOM).tail_type == "ORG"
    assert find(relations, "中国电信宁夏公司", "LOCATED_IN", "宁夏").tail_type == "LOC"
    telecom = next(e for e in seeds["000"].entities if e.name == TELECOM)
    assert "中国电信" in telecom.aliases
    assert find(seeds["001"].relations, "中电四川数据服务有限公司", "PART_OF", "中电数据服务有限公司")
    assert find(seeds["001"].relations, "复旦大学上海医学院", "PART_OF", "复旦大学")


def test_event_held_in_both_places_of_the_sentence(seeds: dict[str, ArticleExtraction]) -> None:
    held = of_type(seeds["000"].relations, "HELD_IN")
    assert {(plain(r.head), r.tail) for r in held} == {(CONGRESS, "宁夏"), (CONGRESS, "银川")}
    for relation in held:
        assert relation.cue == "举行" and relation.date == date(2021, 10, 14)
        assert (relation.head_type, relation.tail_type) == ("EVENT", "LOC")


def test_multi_party_launch_and_abbreviated_lead(seeds: dict[str, ArticleExtraction]) -> None:
    """中国电信与宁夏卫健委、大专家．COM、航天云网等单位共同启动 …: every pair; 中国电子牵头，联合… too."""
    launch = {TELECOM, "宁夏卫健委", "大专家．COM", "航天云网"}
    expected = {frozenset((a, b)) for a in launch for b in launch if a < b}
    assert expected <= pairs(seeds["000"].relations)
    group = {"中国电子信息产业集团有限公司", "国投集团", "国调基金", TENCENT}  # 中国电子 resolved
    assert {frozenset((a, b)) for a in group for b in group if a < b} <= pairs(seeds["001"].relations)


def test_officials_sign_for_their_organization_academics_for_themselves(
    seeds: dict[str, ArticleExtraction], nlp: Language
) -> None:
    """自治区人民医院党委副书记、院长杨毅宁与徐涛院士正式签订了战略合作协议."""
    relations = seeds["004"].relations
    partners = of_type(relations, "PARTNERS_WITH")
    assert not [r for r in partners if r.head_type == r.tail_type == "PERSON"]
    assert all("杨毅宁" not in (r.head, r.tail) for r in partners)
    assert find(relations, "徐涛", "PARTNERS_WITH", "新疆维吾尔自治区人民医院").date == date(2025, 6, 28)
    assert find(relations, "杨毅宁", "WORKS_FOR", "新疆维吾尔自治区人民医院").title == "党委副书记、院长"

    doc = nlp("深圳市第三人民医院院长卢洪洲与钟南山院士签订了合作协议。")
    assert pairs(doc._.relations) == {frozenset((HOSPITAL, "钟南山"))}
    assert find(doc._.relations, "卢洪洲", "WORKS_FOR", HOSPITAL).title == "院长"


def test_a_speech_alone_states_no_partnership(nlp: Language) -> None:
    doc = nlp("中国电信集团有限公司副总经理刘桂清在大会上致辞")
    assert [(r.head, r.type, r.tail, r.title) for r in doc._.relations] == [
        ("刘桂清", "WORKS_FOR", TELECOM, "副总经理")
    ]


def test_title_after_an_abbreviation_definition(nlp: Language) -> None:
    """中国电信集团有限公司（以下简称“中国电信”）副总经理刘桂清: the quote and bracket are not the title."""
    doc = nlp("中国电信集团有限公司（以下简称“中国电信”）副总经理刘桂清出席。中国电信宁夏公司与中国电信签署协议。")
    assert find(doc._.relations, "刘桂清", "WORKS_FOR", TELECOM).title == "副总经理"
    assert find(doc._.relations, "中国电信宁夏公司", "PART_OF", TELECOM)


# --- evidence, cues, dates ---------------------------------------------------------------------


def test_every_relation_carries_its_sentence_and_cue(
    seeds: dict[str, ArticleExtraction], seed_articles: dict[str, Article]
) -> None:
    for number, extraction in seeds.items():
        text = seed_articles[number].text
        names = {(e.type, e.name) for e in extraction.entities}
        assert extraction.relations, number
        for relation in extraction.relations:
            assert 0 <= relation.evidence_start < relation.evidence_end <= len(text)
            assert relation.evidence == text[relation.evidence_start : relation.evidence_end].strip() != ""
            # "name": stated by an entity's name (中国电信宁夏公司 → 中国电信); None: the pair classifier's
            if relation.cue not in {"name", None}:
                assert relation.cue in relation.evidence, relation
            assert (relation.head_type, relation.head) in names and (relation.tail_type, relation.tail) in names
            assert relation.date is not None
            assert relation.date <= seed_articles[number].date.date() + timedelta(days=31)  # type: ignore[union-attr]
            assert (relation.title is not None) <= (relation.type == "WORKS_FOR")
            assert (relation.role is not None) <= (relation.type == "ORGANIZES")


def test_the_cue_lexicon_holds_the_reporting_verbs() -> None:
    cues = {cue.word: cue.relation for cue in Lexicons.load().relation_cues}
    for word in ("签署", "携手", "牵手", "联合", "共建"):
        assert cues[word] == "PARTNERS_WITH"
    for word in ("主办", "承办", "联合承办", "指导"):
        assert cues[word] == "ORGANIZES"
    for word in ("致辞", "出席"):
        assert cues[word] == "PARTICIPATES_IN"
    lengths = [len(cue.word) for cue in Lexicons.load().relation_cues]
    assert lengths == sorted(lengths, reverse=True)  # longest first: 联合承办 before 联合


def test_a_users_relation_cues_are_read_from_the_lexicon_dir(tmp_path: Path) -> None:
    (tmp_path / "relation_cues.tsv").write_text("喜结良缘\tPARTNERS_WITH\tclause\n", encoding="utf-8")
    cues = {cue.word: (cue.relation, cue.reading) for cue in Lexicons.load(str(tmp_path)).relation_cues}
    assert cues["喜结良缘"] == ("PARTNERS_WITH", "clause")
    assert "签署" in cues  # the packaged cues stay


@pytest.mark.parametrize(
    ("text", "article_date", "expected"),
    [
        ("9月22日下午，双方达成战略合作", date(2022, 9, 26), date(2022, 9, 22)),
        ("10月14日，大会在银川举行", date(2021, 10, 18), date(2021, 10, 14)),
        ("6月28日,医院与徐涛院士签约", date(2025, 7, 1), date(2025, 6, 28)),
        ("12月30日，双方签约", date(2021, 1, 3), date(2020, 12, 30)),  # a December day in a January article
        ("12月30日，双方签约", date(2021, 12, 31), date(2021, 12, 30)),
        ("将于10月20日举行", date(2021, 10, 1), date(2021, 10, 20)),  # a few weeks ahead stays ahead
        ("2019年12月30日，双方签约", date(2021, 1, 3), date(2019, 12, 30)),  # a year given is kept
        ("2020年5月1日起实施", None, date(2020, 5, 1)),
        ("2月29日，双方签约", date(2020, 3, 10), date(2020, 2, 29)),
        ("2月29日，双方签约", date(2024, 1, 5), date(2024, 2, 29)),  # 2023 has no 2月29日: not rolled back
        ("先是9月1日，后是9月22日", date(2022, 9, 26), date(2022, 9, 1)),  # the first day
        ("9月22日，双方达成战略合作", None, None),  # no year to resolve it against
        ("2月30日，双方签约", date(2021, 3, 5), None),
        ("13月1日，双方签约", date(2021, 3, 5), None),
        ("0月10日，双方签约", date(2021, 3, 5), None),
        ("双方达成战略合作", date(2021, 3, 5), None),
    ],
)
def test_resolve_day(text: str, article_date: date | None, expected: date | None) -> None:
    assert resolve_day(text, article_date) == expected


# --- the component in a plain spaCy pipeline ---------------------------------------------------


DATED = "9月22日，中国电信集团有限公司与深圳市第三人民医院正式达成战略合作。"


def test_component_without_an_article_date(nlp: Language) -> None:
    assert "healthnews_relations" in nlp.pipe_names
    doc = nlp(DATED)
    [relation] = doc._.relations
    assert isinstance(relation, Relation)
    assert (relation.head, relation.type, relation.tail) == (TELECOM, "PARTNERS_WITH", HOSPITAL)
    assert relation.cue == "达成战略合作" and relation.date is None  # 9月22日 of which year?
    assert relation.evidence == DATED == doc.text[relation.evidence_start : relation.evidence_end]
    [dated] = nlp("2021年10月14日，中国电信集团有限公司与深圳市第三人民医院正式达成战略合作。")._.relations
    assert dated.date == date(2021, 10, 14)


@pytest.mark.parametrize(
    ("article_date", "expected"),
    [
        (date(2022, 9, 26), date(2022, 9, 22)),
        (datetime(2022, 9, 26, 6, 21, tzinfo=timezone.utc), date(2022, 9, 22)),
        (datetime(2023, 1, 5, 8, tzinfo=timezone(timedelta(hours=8))), date(2022, 9, 22)),  # rolled back
    ],
)
def test_component_resolves_days_against_the_article_date(
    nlp: Language, article_date: date, expected: date
) -> None:
    [relation] = run(nlp, DATED, article_date)._.relations
    assert relation.date == expected
    undated = run(nlp, "中国电信集团有限公司与深圳市第三人民医院正式达成战略合作。", article_date)
    day = article_date.date() if isinstance(article_date, datetime) else article_date
    assert [r.date for r in undated._.relations] == [day]  # no day in the text: the article's


def test_pipe_gives_what_one_call_at_a_time_gives(nlp: Language) -> None:
    texts = [
        DATED,
        "中国电信集团有限公司副总经理刘桂清在大会上致辞",
        "10月14日，2021“医生云”大会在宁夏银川举行，大会由宁夏回族自治区卫生健康委员会、大专家．COM主办，"
        "中国电信宁夏公司、中国太平保险集团等联合承办。",
        "今天天气很好。",
    ]
    piped = [doc._.relations for doc in nlp.pipe(texts, batch_size=2)]
    assert piped == [nlp(text)._.relations for text in texts]
    assert [len(relations) for relations in piped][::3] == [1, 0]
    organizes = of_type(piped[2], "ORGANIZES")
    assert {(r.head, r.role) for r in organizes} == {
        ("宁夏回族自治区卫生健康委员会", "主办"),
        ("大专家．COM", "主办"),
        ("中国电信宁夏公司", "联合承办"),
        ("中国太平保险集团", "联合承办"),
    }
    assert {r.tail for r in of_type(piped[2], "HELD_IN")} == {"宁夏", "银川"}


# --- the development set -----------------------------------------------------------------------


@pytest.mark.skipif(not GOLD.is_dir(), reason=f"no gold annotation at {GOLD}")
def test_scores_on_the_gold_set(seeds: dict[str, ArticleExtraction], tmp_path: Path) -> None:
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(e.model_dump_json() + "\n" for e in seeds.values()), encoding="utf-8")
    gold = load_gold(GOLD)
    assert set(gold) <= {e.article for e in seeds.values()}
    scores = score(gold, load_predictions(predictions))
    assert not scores.missing_articles
    summary = json.dumps(scores.to_dict(), ensure_ascii=False)
    assert scores.relations.total.f1 >= 0.70, summary
    assert scores.relations["PARTNERS_WITH"].f1 >= 0.70, summary
    assert scores.entities.total.f1 >= 0.85, summary
