"""Rich display: entity and relation tables, DataFrames with stable columns, HTML, and render()."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from explore_support import seed_extractions, seed_pipeline, small_extractions

import healthnews_nlp as hn
from healthnews_nlp import ArticleExtraction, build_graph
from healthnews_nlp.display import (
    ENTITY_COLUMNS,
    RELATION_COLUMNS,
    TYPE_COLORS,
    EntityTable,
    RelationTable,
    RenderedHTML,
)

EXPECTED_ENTITY_COLUMNS = [
    "id", "name", "type", "aliases", "mentions", "articles", "confidence", "first_seen", "last_seen"
]
EXPECTED_RELATION_COLUMNS = [
    "head",
    "head_type",
    "type",
    "tail",
    "tail_type",
    "date",
    "evidence",
    "weight",
    "confidence",
    "start",
    "end",
    "title",
    "role",
    "cue",
    "head_id",
    "tail_id",
]


def _text(markup: str) -> str:
    """The visible text of some HTML (tags removed, entities of the escaped characters decoded)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", markup))


# --- column contracts -------------------------------------------------------------------------


def test_column_names_are_the_documented_stable_ones() -> None:
    assert list(ENTITY_COLUMNS) == EXPECTED_ENTITY_COLUMNS
    assert list(RELATION_COLUMNS) == EXPECTED_RELATION_COLUMNS


def test_extraction_dataframes() -> None:
    extraction = small_extractions()[0]
    entities = extraction.to_dataframe()
    assert list(entities.columns) == EXPECTED_ENTITY_COLUMNS
    assert len(entities) == 4
    hospital = entities.set_index("name").loc["深圳市第三人民医院"]
    assert hospital["type"] == "ORG"
    assert hospital["aliases"] == ("深圳三院",)
    assert hospital["mentions"] == 2 and hospital["articles"] == 1
    assert hospital["first_seen"] == pd.Timestamp("2021-10-05")
    assert pd.api.types.is_datetime64_any_dtype(entities["first_seen"])
    # by type (ORG, PERSON, LOC, EVENT), then most mentioned
    assert list(entities["type"]) == ["ORG", "ORG", "PERSON", "EVENT"]
    assert entities["name"].iloc[0] == "深圳市第三人民医院"

    relations = extraction.to_dataframe("relations")
    assert list(relations.columns) == EXPECTED_RELATION_COLUMNS
    assert list(relations["type"]) == ["PARTNERS_WITH", "WORKS_FOR", "PARTICIPATES_IN"]
    first = relations.iloc[0]
    assert (first["head"], first["tail"], first["weight"]) == ("腾讯", "深圳市第三人民医院", 1)
    assert first["evidence"] == "腾讯与深圳三院签署战略合作协议。"
    assert first["date"] == pd.Timestamp("2021-10-05")
    assert pd.api.types.is_datetime64_any_dtype(relations["date"])

    with pytest.raises(ValueError, match="kind"):
        extraction.to_dataframe("nodes")  # type: ignore[arg-type]


def test_an_empty_extraction_gives_empty_frames_with_the_columns() -> None:
    empty = ArticleExtraction(article="e.txt", article_id="e", source="e.txt", title="空")
    assert list(empty.to_dataframe().columns) == EXPECTED_ENTITY_COLUMNS
    assert list(empty.to_dataframe("relations").columns) == EXPECTED_RELATION_COLUMNS
    assert empty.to_dataframe().empty and empty.to_dataframe("relations").empty
    assert "no entities" in empty._repr_html_() and "no relations" in empty._repr_html_()


def test_graph_dataframes() -> None:
    kg = build_graph(small_extractions())
    nodes = kg.to_dataframe()
    assert list(nodes.columns) == EXPECTED_ENTITY_COLUMNS
    assert len(nodes) == kg.graph.number_of_nodes()
    tencent = nodes.set_index("name").loc["腾讯"]
    assert tencent["id"] == "ORG:腾讯" and tencent["articles"] == 2
    assert tencent["first_seen"] == pd.Timestamp("2021-10-05") and tencent["last_seen"] == pd.Timestamp("2022-03-10")

    edges = kg.to_dataframe("relations")
    assert list(edges.columns) == EXPECTED_RELATION_COLUMNS
    assert len(edges) == kg.graph.number_of_edges()
    strongest = edges.sort_values("weight", ascending=False).iloc[0]
    assert {strongest["head"], strongest["tail"]} == {"腾讯", "深圳市第三人民医院"}
    assert strongest["weight"] == 2
    assert strongest["start"] == pd.Timestamp("2021-10-05") and strongest["end"] == pd.Timestamp("2022-03-10")
    assert strongest["evidence"] == "腾讯与深圳三院签署战略合作协议。"  # the first report is kept


def test_tables_are_read_only_sequences_of_rows() -> None:
    extraction = small_extractions()[0]
    table = extraction.entity_table()
    assert isinstance(table, EntityTable) and len(table) == 4
    assert table[0]["name"] == "深圳市第三人民医院" and list(table[0]) == EXPECTED_ENTITY_COLUMNS
    assert table.counts() == {"ORG": 2, "PERSON": 1, "EVENT": 1}
    relations = extraction.relation_table()
    assert isinstance(relations, RelationTable) and [r["type"] for r in relations][0] == "PARTNERS_WITH"
    # the records themselves stay tuples of frozen pydantic models
    assert isinstance(extraction.entities, tuple) and isinstance(extraction.relations, tuple)


# --- HTML -------------------------------------------------------------------------------------


def test_extraction_html_shows_entities_by_type_and_relations() -> None:
    extraction = small_extractions()[0]
    markup = extraction._repr_html_()
    text = _text(markup)
    assert extraction.title in text
    for name in ("深圳市第三人民医院", "腾讯", "张三", "数字健康峰会"):
        assert name in text
    assert "深圳三院" in text  # the alias column
    for type_ in ("ORG", "PERSON", "EVENT"):
        assert type_ in text and TYPE_COLORS[type_] in markup
    for column in ("head", "type", "tail", "date", "evidence"):
        assert f">{column}</th>" in markup
    assert "PARTNERS_WITH" in text and "2021-10-05" in text
    assert "腾讯与深圳三院签署战略合作协议。" in text
    # ORG rows come before the PERSON group
    assert text.index("深圳市第三人民医院") < text.index("张三")


def test_html_escapes_names() -> None:
    extraction = ArticleExtraction(
        article="x.txt",
        article_id="x",
        source="x.txt",
        title="<script>alert(1)</script>",
        entities=(hn.Entity(name="A&B<公司>", type="ORG"),),
    )
    markup = extraction._repr_html_()
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "A&amp;B&lt;公司&gt;" in markup


def test_graph_html_summarises_and_truncates() -> None:
    kg = build_graph(seed_extractions())
    markup = kg._repr_html_()
    text = _text(markup)
    assert f"KnowledgeGraph: {kg.graph.number_of_nodes()} nodes, {kg.graph.number_of_edges()} edges, 5 articles" in text
    assert "腾讯" in text and "PARTNERS_WITH" in text
    assert "more" in text  # long groups are cut in the HTML ...
    assert len(kg.entity_table().to_dataframe()) == kg.graph.number_of_nodes()  # ... not in the DataFrame
    table_html = kg.relation_table()._repr_html_()
    assert ">weight</th>" in table_html


# --- render -----------------------------------------------------------------------------------


def _marked(markup: str) -> list[str]:
    """The texts displaCy highlighted (the text of each <mark>, without its label span)."""
    marks = re.findall(r"<mark\b[^>]*>(.*?)</mark>", markup, flags=re.S)
    return [_text(re.sub(r"<span\b[^>]*>.*?</span>", "", m, flags=re.S)).strip() for m in marks]


def test_render_an_extraction_highlights_every_mention_and_lists_relations() -> None:
    articles, extractions = seed_pipeline()
    article, extraction = articles[2], extractions[2]
    rendered = hn.render(extraction, article)
    assert isinstance(rendered, RenderedHTML) and isinstance(rendered, str)
    assert rendered._repr_html_() == str(rendered)
    marked = _marked(rendered)
    mentions = [m.text for e in extraction.entities for m in e.mentions]
    assert marked and set(marked) <= set(mentions)
    for name in ("腾讯", "深圳市第三人民医院"):
        assert name in marked
    assert 'class="entities"' in rendered  # displaCy's markup
    assert TYPE_COLORS["ORG"] in rendered and TYPE_COLORS["PERSON"] in rendered
    # the article text (title first) with marks around names, then the relations under it
    text = _text(rendered)
    assert "探索数字医疗新模式" in text
    assert rendered.index("<table") > rendered.rindex("</mark>")
    assert "PARTNERS_WITH" in text
    assert extraction.relations[0].evidence[:20] in text


def test_render_reads_the_article_again_when_not_given() -> None:
    articles, extractions = seed_pipeline()
    assert hn.render(extractions[0]) == hn.render(extractions[0], articles[0])


def test_render_without_the_text_says_how_to_pass_it() -> None:
    extraction = small_extractions()[0]  # its source a1.txt does not exist
    with pytest.raises(ValueError, match=r"render\(extraction, article\)"):
        hn.render(extraction)
    rendered = hn.render(extraction, "深圳市第三人民医院与腾讯合作，张三出席。深圳三院")
    assert "深圳市第三人民医院" in _marked(rendered) and "深圳三院" in _marked(rendered)


def test_render_a_doc() -> None:
    nlp = hn.load()
    doc = nlp(
        "9月22日下午，深圳国家感染性疾病临床医学研究中心（下称“国研中心”）、"
        "深圳市第三人民医院（下称“深圳三院”）与腾讯正式达成战略合作。"
    )
    rendered = hn.render(doc)
    marked = _marked(rendered)
    assert {"深圳国家感染性疾病临床医学研究中心", "深圳市第三人民医院", "腾讯"} <= set(marked)
    assert "PARTNERS_WITH" in _text(rendered)


def test_render_a_text_without_entities_needs_no_displacy(tmp_path: Path) -> None:
    nlp = hn.load()
    rendered = hn.render(nlp("今天天气很好。"))
    assert "今天天气很好。" in rendered and "<mark" not in rendered
