"""The domain layer with the real LAC model: aliases within an article, traditional
Chinese, and user additions (``add_patterns`` and extra lexicon files).

Texts are the seed articles and sentences of the shared corpus, never invented.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from healthnews_nlp import Article, read_article
from healthnews_nlp.models import Entity
from healthnews_nlp.nlp.pipeline import load

# shared/corpus/web/022_portal-hypertension-summit-302-hospital.txt
RESEARCH_SOCIETY = "会后，手术机器人应用研究会正式成立。"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load()


@pytest.fixture(scope="module")
def seed_docs(nlp: Language, seed_articles: dict[str, Article]) -> dict[str, Doc]:
    return {number: nlp(article.text) for number, article in seed_articles.items()}


def entity(doc: Doc, name: str) -> Entity:
    matches = [e for e in doc._.entities if e.name == name]
    assert len(matches) == 1, [(e.name, e.type, e.aliases) for e in doc._.entities]
    return matches[0]


def names(doc: Doc) -> set[tuple[str, str]]:
    return {(e.name, e.type) for e in doc._.entities}


def sentences_with(text: str, needle: str) -> list[str]:
    return re.findall(rf"[^。\n]*{re.escape(needle)}[^。\n]*。", text)


# --- aliases within an article --------------------------------------------------------------------


def test_abbreviation_defined_with_xiacheng(seed_docs: dict[str, Doc]) -> None:
    doc = seed_docs["002"]
    center = entity(doc, "深圳国家感染性疾病临床医学研究中心")
    assert center.type == "ORG" and "国研中心" in center.aliases
    hospital = entity(doc, "深圳市第三人民医院")
    assert "深圳三院" in hospital.aliases
    # the short forms are no entities of their own, and each mention is kept
    assert not {"国研中心", "深圳三院"} & {e.name for e in doc._.entities}
    assert sum(m.text == "国研中心" for m in center.mentions) == doc.text.count("国研中心")


def test_abbreviation_defined_with_yixia_jiancheng(seed_docs: dict[str, Doc]) -> None:
    doc = seed_docs["001"]
    assert "（以下简称“中电数据”）" in doc.text
    company = entity(doc, "中电数据服务有限公司")
    assert company.type == "ORG" and "中电数据" in company.aliases
    assert "中电数据" not in {e.name for e in doc._.entities}


def test_short_company_name_joins_the_full_one_only_when_the_article_has_it(
    nlp: Language, seed_articles: dict[str, Article], seed_docs: dict[str, Doc]
) -> None:
    text = seed_articles["000"].text
    only_short = sentences_with(text, "陆海空天")[0] + sentences_with(text, "云网融合")[0]
    assert "中国电信集团有限公司" not in only_short
    assert [(e.name, e.aliases) for e in nlp(only_short)._.entities if e.type == "ORG"] == [("中国电信", ())]

    with_full = only_short + sentences_with(text, "中国电信集团有限公司副总经理刘桂清等")[0]
    telecom = entity(nlp(with_full), "中国电信集团有限公司")
    assert telecom.aliases == ("中国电信",) and len(telecom.mentions) == 3

    # in the whole article too; its provincial branch stays an entity of its own
    doc = seed_docs["000"]
    assert entity(doc, "中国电信集团有限公司").aliases == ("中国电信",)
    assert ("中国电信宁夏公司", "ORG") in names(doc)


def test_traditional_article_gives_simplified_names(
    seed_articles: dict[str, Article], seed_docs: dict[str, Doc]
) -> None:
    import opencc

    raw = Path(seed_articles["004"].source).read_text(encoding="utf-8")
    assert "徐濤" in raw and "徐涛" not in raw
    doc = seed_docs["004"]
    t2s = opencc.OpenCC("t2s")
    for found in doc._.entities:
        for form in (found.name, *found.aliases):
            assert t2s.convert(form) == form, form
    assert {("徐涛", "PERSON"), ("徐涛院士团队", "ORG"), ("新疆维吾尔自治区人民医院", "ORG")} <= names(doc)
    assert "自治区人民医院" in entity(doc, "新疆维吾尔自治区人民医院").aliases


def test_traditional_and_simplified_spellings_are_one_entity(nlp: Language, tmp_path: Path) -> None:
    # a traditional sentence of seed 004 followed by a simplified one
    path = tmp_path / "mixed.txt"
    path.write_text(
        "6月28日,新疆維吾爾自治區人民醫院與中國科學院院士、廣州國家實驗室副主任徐濤正式簽訂了戰略合作框架協議。\n"
        "新疆维吾尔自治区人民医院党委副书记、院长杨毅宁与徐涛院士签约。\n",
        encoding="utf-8",
    )
    doc = nlp(read_article(path).text)
    assert len(entity(doc, "徐涛").mentions) == 2
    assert len(entity(doc, "新疆维吾尔自治区人民医院").mentions) == 2


# --- user additions ----------------------------------------------------------------------------------


def test_add_patterns_takes_effect() -> None:
    nlp = load()
    assert [(e.text, e.label_) for e in nlp(RESEARCH_SOCIETY).ents] == []
    ruler = nlp.get_pipe("healthnews_ner")
    ruler.add_patterns([{"label": "ORG", "pattern": "手术机器人应用研究会"}])
    doc = nlp(RESEARCH_SOCIETY)
    assert [(e.text, e.label_) for e in doc.ents] == [("手术机器人应用研究会", "ORG")]
    assert [(e.name, e.type) for e in doc._.entities] == [("手术机器人应用研究会", "ORG")]
    # patterns are part of the component's state
    restored = load()
    restored.get_pipe("healthnews_ner").from_bytes(ruler.to_bytes())
    assert [(e.text, e.label_) for e in restored(RESEARCH_SOCIETY).ents] == [("手术机器人应用研究会", "ORG")]


def test_add_patterns_rejects_unknown_labels(nlp: Language) -> None:
    with pytest.raises(ValueError, match="label must be one of ORG, PERSON, LOC, EVENT"):
        nlp.get_pipe("healthnews_ner").add_patterns([{"label": "DRUG", "pattern": "阿司匹林"}])


def test_extra_lexicon_file_takes_effect(
    nlp: Language, seed_articles: dict[str, Article], tmp_path: Path
) -> None:
    assert [(e.text, e.label_) for e in nlp(RESEARCH_SOCIETY).ents] == []
    (tmp_path / "org_heads.tsv").write_text("# a head of society names\n研究会\tname\n", encoding="utf-8")
    extended = load(lexicon_dir=str(tmp_path))
    assert extended.get_pipe_config("healthnews_ner")["lexicon_dir"] == str(tmp_path)
    assert [(e.text, e.label_) for e in extended(RESEARCH_SOCIETY).ents] == [("手术机器人应用研究会", "ORG")]
    # the packaged entries still work next to the new one
    sentence = sentences_with(seed_articles["002"].text, "军委后勤保障部")[0]
    assert [(e.text, e.label_) for e in extended(sentence).ents] == [(e.text, e.label_) for e in nlp(sentence).ents]
    assert ("国家卫生健康委", "ORG") in [(e.text, e.label_) for e in extended(sentence).ents]


def test_extra_not_entities_file_takes_effect(
    nlp: Language, seed_articles: dict[str, Article], tmp_path: Path
) -> None:
    sentence = sentences_with(seed_articles["002"].text, "腾讯智慧")[0]
    assert ("腾讯智慧医疗", "ORG") in [(e.text, e.label_) for e in nlp(sentence).ents]
    (tmp_path / "not_entities.txt").write_text("腾讯智慧医疗\n", encoding="utf-8")
    found = [(e.text, e.label_) for e in load(lexicon_dir=str(tmp_path))(sentence).ents]
    assert ("腾讯智慧医疗", "ORG") not in found
