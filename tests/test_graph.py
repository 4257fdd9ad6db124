"""The knowledge graph: cross-article resolution, node and edge attributes, growing, reading back."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_graph_seeds import CENTER, CENTER_FULL, FORUM, HOSPITAL, TENCENT, earlier_report, seed_002, seeds

from healthnews_nlp import KnowledgeGraph, build_graph
from healthnews_nlp.models import ArticleExtraction, Entity, Relation
from healthnews_nlp.resolve import EntityResolver, is_fuller, match_key, node_id, normalize_name

EARLIER, SEED = "web-2021-0720", "32b2bc4a6aa9eb09"


def article(article_id: str, entities: Sequence[Entity], relations: Sequence[Relation] = (), day: int = 1) -> ArticleExtraction:
    return ArticleExtraction(
        article=f"{article_id}.txt",
        article_id=article_id,
        source=f"corpus/{article_id}.txt",
        title=f"标题 {article_id}",
        date=datetime(2023, 1, day, 8, 0, tzinfo=timezone.utc),
        entities=tuple(entities),
        relations=tuple(relations),
    )


def org(name: str, *aliases: str) -> Entity:
    return Entity(name=name, type="ORG", aliases=aliases)


def partners(a: str, b: str, evidence: str = "") -> Relation:
    return Relation(head=a, head_type="ORG", type="PARTNERS_WITH", tail=b, tail_type="ORG", evidence=evidence)


def nodes_named(kg: KnowledgeGraph, name: str, type_: str = "ORG") -> list[str]:
    """Nodes of ``type_`` that have ``name`` as their label or an alias."""
    return [
        n
        for n, d in kg.graph.nodes(data=True)
        if d["type"] == type_ and (d["label"] == name or name in d["aliases"])
    ]


def graph_state(graph: nx.MultiDiGraph) -> tuple[Any, ...]:
    """Everything about a graph, comparable with ==."""
    return (
        dict(graph.graph),
        dict(graph.nodes(data=True)),
        {(u, v, k): d for u, v, k, d in graph.edges(keys=True, data=True)},
    )


@pytest.fixture
def kg() -> KnowledgeGraph:
    return build_graph(seeds())


# --- the seeds ------------------------------------------------------------------------------------


def test_the_three_seed_partners_are_one_node_each(kg: KnowledgeGraph) -> None:
    for name in (TENCENT, CENTER, CENTER_FULL, HOSPITAL, "国研中心", "深圳三院"):
        assert len(nodes_named(kg, name)) == 1, name
    assert nodes_named(kg, CENTER) == nodes_named(kg, CENTER_FULL) == nodes_named(kg, "国研中心")
    assert nodes_named(kg, HOSPITAL) == nodes_named(kg, "深圳三院") == nodes_named(kg, "深圳第三人民医院")
    assert len(kg.nodes_by_type()["ORG"]) == 4  # the three and 腾讯云与智慧产业事业群


def test_the_seed_partners_are_pairwise_partners_stored_once_per_pair(kg: KnowledgeGraph) -> None:
    three = [nodes_named(kg, name)[0] for name in (TENCENT, CENTER, HOSPITAL)]
    partner_edges = [(u, v) for u, v, k in kg.graph.edges(keys=True) if k == "PARTNERS_WITH"]
    assert sorted(partner_edges) == sorted(tuple(sorted(pair)) for pair in [three[:2], three[1:], three[::2]])
    assert all(u < v for u, v in partner_edges)
    for u, v in partner_edges:
        data = kg.graph.edges[u, v, "PARTNERS_WITH"]
        assert data["relation"] == data["label"] == "PARTNERS_WITH"
        assert data["weight"] == 2 and data["articles"] == {EARLIER, SEED}  # stated in both, in either order
        assert (data["start"], data["end"]) == (date(2021, 7, 20), date(2022, 9, 22))
        assert data["dates"] == {date(2021, 7, 20), date(2022, 9, 22)}
        assert data["evidence"].startswith("7月20日，腾讯公司与深圳市第三人民医院")  # the first report
        assert data["date"] == date(2021, 7, 20)


def test_every_node_has_label_type_and_provenance(kg: KnowledgeGraph) -> None:
    for node, data in kg.graph.nodes(data=True):
        assert data["label"] and data["type"] in ("ORG", "PERSON", "LOC", "EVENT"), node
        assert node.startswith(data["type"] + ":")
        assert data["articles"] and data["mentions"] >= len(data["articles"])
        assert data["first_seen"] == min(data["dates"]) and data["last_seen"] == max(data["dates"])


def test_ids_stay_while_the_fullest_name_becomes_the_label(kg: KnowledgeGraph) -> None:
    center = kg.graph.nodes[f"ORG:{CENTER}"]  # first seen (2021) without 深圳
    assert center["label"] == CENTER_FULL
    assert center["former_labels"] == [CENTER]
    assert center["aliases"] == {CENTER, "国研中心"}
    assert kg.graph.nodes[f"ORG:{TENCENT}"]["aliases"] == {"腾讯公司"}  # a longer alias does not become the label
    hospital = kg.graph.nodes[f"ORG:{HOSPITAL}"]
    assert hospital["aliases"] == {"深圳三院", "深圳第三人民医院"}  # aliases accumulate over articles
    assert hospital["mentions"] == 1 + 4 and hospital["articles"] == {EARLIER, SEED}
    assert (hospital["first_seen"], hospital["last_seen"]) == (date(2021, 7, 20), date(2022, 9, 26))


def test_the_other_order_gives_the_same_graph_under_the_first_name_seen() -> None:
    forward, backward = build_graph(seeds()), build_graph(reversed(seeds()))
    assert f"ORG:{CENTER_FULL}" in backward.graph and f"ORG:{CENTER}" not in backward.graph
    mapping = {f"ORG:{CENTER}": f"ORG:{CENTER_FULL}"}
    relabelled = nx.relabel_nodes(forward.graph, mapping)
    assert set(relabelled.nodes) == set(backward.graph.nodes)

    def edges(graph: nx.MultiDiGraph) -> set[tuple[str, str, str]]:
        return {(*(sorted((u, v)) if k == "PARTNERS_WITH" else (u, v)), k) for u, v, k in graph.edges(keys=True)}

    assert edges(relabelled) == edges(backward.graph)
    assert backward.graph.nodes[f"ORG:{CENTER_FULL}"]["former_labels"] == []
    assert backward.graph.nodes[f"ORG:{CENTER_FULL}"]["label"] == CENTER_FULL


def test_edge_attributes_keep_titles_roles_and_weights(kg: KnowledgeGraph) -> None:
    works = kg.graph.edges["PERSON:卢洪洲", f"ORG:{HOSPITAL}", "WORKS_FOR"]
    assert works["title"] == {"院长", "院长、党委副书记"} and works["weight"] == 2
    organizes = kg.graph.edges[f"ORG:{HOSPITAL}", f"EVENT:{FORUM}", "ORGANIZES"]
    assert organizes["role"] == {"主办"} and organizes["weight"] == 1
    located = kg.graph.edges[f"ORG:{HOSPITAL}", "LOC:深圳", "LOCATED_IN"]
    assert "evidence" not in located  # no sentence given: none invented
    assert located["date"] == date(2022, 9, 26)  # the article's date when the relation has none


# --- resolution -----------------------------------------------------------------------------------


def test_two_different_orgs_sharing_a_short_form_are_not_merged() -> None:
    cec = org("中国电子信息产业集团有限公司", "中国电子信息产业集团", "中国电子")
    cetc = org("中国电子科技集团有限公司", "中国电科", "中国电子")
    kg = build_graph([article("a1", [cec]), article("a2", [cetc], day=2)])
    assert sorted(kg.graph.nodes) == ["ORG:中国电子信息产业集团有限公司", "ORG:中国电子科技集团有限公司"]
    # the short form alone is now ambiguous: its own node, not either of the two
    kg.add([article("a3", [org("中国电子")], day=3)])
    assert "ORG:中国电子" in kg.graph
    assert kg.graph.nodes["ORG:中国电子信息产业集团有限公司"]["articles"] == {"a1"}
    # a form only one of them uses still finds it, and so does the full name
    kg.add([article("a4", [org("中国电子信息产业集团")], day=4), article("a5", [org("中国电子科技集团有限公司")], day=5)])
    assert kg.graph.nodes["ORG:中国电子信息产业集团有限公司"]["articles"] == {"a1", "a4"}
    assert kg.graph.nodes["ORG:中国电子科技集团有限公司"]["articles"] == {"a2", "a5"}
    assert len(kg) == 3


def test_an_unambiguous_short_form_merges_by_itself() -> None:
    kg = build_graph([article("a1", [org("中国电子信息产业集团有限公司", "中国电子")]), article("a2", [org("中国电子")])])
    assert list(kg.graph.nodes) == ["ORG:中国电子信息产业集团有限公司"]
    assert kg.graph.nodes["ORG:中国电子信息产业集团有限公司"]["articles"] == {"a1", "a2"}


def test_a_variant_full_name_merges_through_a_shared_short_form() -> None:
    kg = build_graph([article("a1", [org(HOSPITAL, "深圳三院")]), article("a2", [org("深圳第三人民医院", "深圳三院")])])
    assert list(kg.graph.nodes) == [f"ORG:{HOSPITAL}"]
    assert kg.graph.nodes[f"ORG:{HOSPITAL}"]["aliases"] == {"深圳三院", "深圳第三人民医院"}


def test_a_part_sharing_its_parents_short_form_is_not_merged() -> None:
    kg = build_graph([article("a1", [org("复旦大学", "复旦")]), article("a2", [org("复旦大学上海医学院", "复旦")])])
    assert sorted(kg.graph.nodes) == ["ORG:复旦大学", "ORG:复旦大学上海医学院"]


def test_two_entities_of_one_article_are_never_one_node() -> None:
    kg = build_graph([article("a1", [org("中国电子信息产业集团有限公司", "中国电子")])])
    kg.add([article("a2", [org("中国电子信息产业集团有限公司"), org("中国电子")], day=2)])
    assert sorted(kg.graph.nodes) == ["ORG:中国电子", "ORG:中国电子信息产业集团有限公司"]


def test_types_keep_same_names_apart() -> None:
    kg = build_graph([article("a1", [org("中国"), Entity(name="中国", type="LOC")])])
    assert sorted(kg.graph.nodes) == ["LOC:中国", "ORG:中国"]


def test_names_compare_without_quotes_spaces_or_width() -> None:
    event = Entity(name="2021“医生云”大会", type="EVENT")
    kg = build_graph([article("a1", [event]), article("a2", [Entity(name="2021医生云大会", type="EVENT")], day=2)])
    assert list(kg.graph.nodes) == ["EVENT:2021医生云大会"]
    assert kg.graph.nodes["EVENT:2021医生云大会"]["label"] == "2021“医生云”大会"
    assert normalize_name(" 大专家．ＣＯＭ ") == "大专家.COM" and match_key("DH400工作组") == match_key("dh400工作组")


def test_relations_find_their_ends_by_alias_or_create_them() -> None:
    relations = [
        partners("深圳三院", TENCENT, "深圳三院与腾讯签约。"),  # head by alias
        Relation(head="张三", head_type="PERSON", type="WORKS_FOR", tail=TENCENT, tail_type="ORG", title="副总裁"),
    ]
    kg = build_graph([article("a1", [org(HOSPITAL, "深圳三院"), org(TENCENT)], relations)])
    assert kg.graph.has_edge(f"ORG:{HOSPITAL}", f"ORG:{TENCENT}", "PARTNERS_WITH")
    assert kg.graph.nodes["PERSON:张三"]["articles"] == {"a1"}  # named by the relation only, kept all the same
    assert kg.graph.edges["PERSON:张三", f"ORG:{TENCENT}", "WORKS_FOR"]["title"] == {"副总裁"}


def test_node_ids_are_xml_name_tokens() -> None:
    assert node_id("ORG", "中国（深圳）综合开发研究院") == "ORG:中国_深圳_综合开发研究院"
    assert node_id("EVENT", "智慧医疗2020·中国智慧医院联盟年度论坛") == "EVENT:智慧医疗2020_中国智慧医院联盟年度论坛"
    resolver = EntityResolver()
    resolver.add("ORG:A_B", "ORG", names=["A B"])
    assert resolver.new_id("ORG", "A/B", taken={"ORG:A_B-2"}) == "ORG:A_B-3"


@given(st.text(min_size=1, max_size=30), st.sampled_from(["ORG", "PERSON", "LOC", "EVENT"]))
@settings(max_examples=200, deadline=None)
def test_every_name_gives_a_name_token_id(name: str, type_: str) -> None:
    assert re.fullmatch(r"[A-Z]+:[A-Za-z0-9\-._:\u4e00-\u9fa5\u3007\u3021-\u3029]+", node_id(type_, name))


def test_the_fullest_name_wins_ties_keep_the_label() -> None:
    assert is_fuller("深圳国家感染性疾病临床医学研究中心", CENTER)
    assert not is_fuller("深圳二院", "深圳三院") and not is_fuller("“腾讯”", "腾讯")


# --- growing ---------------------------------------------------------------------------------------


def test_add_grows_the_graph_like_building_it_at_once() -> None:
    grown = build_graph([earlier_report()])
    assert grown.add([seed_002()]) == 1
    assert graph_state(grown.graph) == graph_state(build_graph(seeds()).graph)
    assert grown.articles == {EARLIER, SEED}


def test_adding_an_article_again_changes_nothing(kg: KnowledgeGraph) -> None:
    before = graph_state(kg.graph)
    assert kg.add(seed_002()) == 0
    assert graph_state(kg.graph) == before


def test_article_nodes_mention_their_entities() -> None:
    kg = build_graph(seeds(), include_articles=True)
    article_node = f"ARTICLE:{SEED}"
    data = kg.graph.nodes[article_node]
    assert data["type"] == "ARTICLE" and data["label"].startswith("从服务到传染病防治")
    assert data["source"] == "seeds/002_e6ba134a9c8dccee.txt" and "url" not in data
    mentioned = {v: d for _, v, k, d in kg.graph.out_edges(article_node, keys=True, data=True) if k == "MENTIONS"}
    assert len(mentioned) == 8
    assert mentioned[f"ORG:{HOSPITAL}"]["mentions"] == 4 and mentioned[f"ORG:{HOSPITAL}"]["weight"] == 1
    assert kg.summary()["node_types"]["ARTICLE"] == 2


def test_summary_and_lookups(kg: KnowledgeGraph) -> None:
    summary = kg.summary()
    assert (summary["nodes"], summary["articles"]) == (len(kg), 2)
    assert summary["node_types"] == {"ORG": 4, "PERSON": 3, "EVENT": 1, "LOC": 1}
    assert summary["relations"]["PARTNERS_WITH"] == 3 and summary["relations"]["WORKS_FOR"] == 4
    assert [p["partners"] for p in summary["top_partners"]] == [2, 2, 2]
    assert {p["label"] for p in summary["top_partners"]} == {TENCENT, CENTER_FULL, HOSPITAL}
    assert list(kg.nodes_by_type()) == ["EVENT", "LOC", "ORG", "PERSON"]
    assert "9 nodes" in repr(kg)


# --- reading back ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
@pytest.mark.parametrize("include_articles", [False, True])
def test_read_gives_back_the_graph_and_it_grows_on(tmp_path: Path, suffix: str, include_articles: bool) -> None:
    first = build_graph([earlier_report()], include_articles=include_articles)
    [path] = first.write(tmp_path / f"kg{suffix}")
    again = KnowledgeGraph.read(path)
    assert graph_state(again.graph) == graph_state(first.graph)
    assert again.include_articles is include_articles and again.articles == {EARLIER}
    assert again.add([earlier_report(), seed_002()]) == 1
    assert graph_state(again.graph) == graph_state(build_graph(seeds(), include_articles=include_articles).graph)


# --- confidence: evidence combined across articles, a filter for the analyst -----------------------


def test_confidence_grows_with_every_article_that_states_it() -> None:
    unsure = Relation(
        head="甲医院", head_type="ORG", type="PARTNERS_WITH", tail="乙公司", tail_type="ORG", confidence=0.6
    )
    first = article("a1", [Entity(name="甲医院", type="ORG", confidence=0.5), org("乙公司")], [unsure])
    second = article("a2", [Entity(name="甲医院", type="ORG", confidence=0.5), org("乙公司")], [unsure], day=2)
    once, twice = build_graph([first]), build_graph([first, second])
    (node,) = nodes_named(once, "甲医院")
    assert once.graph.nodes[node]["confidence"] == 0.5
    assert twice.graph.nodes[node]["confidence"] == 0.75  # 1 - 0.5 * 0.5
    ((_, _, edge),) = twice.graph.edges(data=True)
    assert edge["confidence"] == 0.84  # 1 - 0.4 * 0.4
    assert build_graph([first, first]).graph.nodes[node]["confidence"] == 0.5  # the same article once


def test_subgraph_keeps_what_the_evidence_makes_likely() -> None:
    weak = Relation(head="丙", head_type="ORG", type="PARTNERS_WITH", tail="丁", tail_type="ORG", confidence=0.3)
    strong = partners("甲医院", "乙公司")
    kg = build_graph([article("a1", [org("甲医院"), org("乙公司"), org("丙"), org("丁")], [strong, weak])])
    kept = kg.subgraph(min_confidence=0.8)
    assert sorted(d["label"] for _, d in kept.graph.nodes(data=True)) == ["乙公司", "甲医院"]
    assert kept.graph.number_of_edges() == 1
    exported = kept.to_dataframe("relations")
    assert list(exported["confidence"]) == [1.0]
