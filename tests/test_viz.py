"""Filtered views, neighbourhoods, analyses, the interactive view's page and widget, and the static plot."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from explore_support import require_system_deps, seed_extractions, small_extractions
from lxml import etree

from healthnews_nlp import EntityNotFoundError, KnowledgeGraph, build_graph
from healthnews_nlp import viz
from healthnews_nlp.display import TYPE_COLORS


@pytest.fixture()
def kg() -> KnowledgeGraph:
    return build_graph(small_extractions())


def _labels(graph: KnowledgeGraph) -> set[str]:
    return {str(label) for _, label in graph.graph.nodes(data="label")}


# --- subgraph and ego -------------------------------------------------------------------------


def test_subgraph_by_type_keeps_isolated_nodes(kg: KnowledgeGraph) -> None:
    orgs = kg.subgraph(types="ORG")
    assert _labels(orgs) == {"腾讯", "深圳市第三人民医院", "华为", "协和医院", "某公司"}
    assert {k for _, _, k in orgs.graph.edges(keys=True)} == {"PARTNERS_WITH"}
    assert isinstance(orgs, KnowledgeGraph) and len(orgs) == 5


def test_subgraph_by_relation_drops_nodes_left_alone(kg: KnowledgeGraph) -> None:
    partners = kg.subgraph(relations=["PARTNERS_WITH"])
    assert _labels(partners) == {"腾讯", "深圳市第三人民医院", "华为", "协和医院"}
    assert partners.graph.number_of_edges() == 3
    kept = kg.subgraph(relations="PARTNERS_WITH", keep_isolated=True)
    assert len(kept) == len(kg)


def test_subgraph_by_min_weight(kg: KnowledgeGraph) -> None:
    strong = kg.subgraph(min_weight=2)
    assert _labels(strong) == {"腾讯", "深圳市第三人民医院"}
    [(_, _, data)] = strong.graph.edges(data=True)
    assert data["weight"] == 2


def test_subgraph_by_date_range(kg: KnowledgeGraph) -> None:
    recent = kg.subgraph(since="2022-01-01")
    assert {k for _, _, k in recent.graph.edges(keys=True)} == {"PARTNERS_WITH", "LOCATED_IN"}
    assert "张三" not in _labels(recent) and "数字健康峰会" not in _labels(recent)
    assert recent.graph.number_of_edges() == 4  # 腾讯–深圳三院 (again in 2022), 腾讯–华为, 华为–协和, LOCATED_IN
    early = kg.subgraph(until="2021")
    assert _labels(early) == {"腾讯", "深圳市第三人民医院", "张三", "数字健康峰会"}
    march = kg.subgraph(since="2022-03", until="2022-03")
    assert _labels(march) == {"腾讯", "深圳市第三人民医院", "华为", "深圳"}
    assert kg.subgraph(since=date(2022, 5, 1), relations="PARTNERS_WITH").graph.number_of_edges() == 1
    with pytest.raises(ValueError, match="not a date"):
        kg.subgraph(since="last spring")


def test_filters_combine_and_leave_the_graph_alone(kg: KnowledgeGraph) -> None:
    view = kg.subgraph(types="ORG", relations="PARTNERS_WITH", since="2022", min_weight=1)
    assert _labels(view) == {"腾讯", "深圳市第三人民医院", "华为", "协和医院"}
    view.graph.nodes["ORG:腾讯"]["aliases"].add("鹅厂")
    view.graph.remove_node("ORG:华为")
    assert "鹅厂" not in kg.graph.nodes["ORG:腾讯"]["aliases"] and "ORG:华为" in kg.graph


def test_ego_by_alias_and_radius(kg: KnowledgeGraph) -> None:
    near = kg.ego("深圳三院")
    assert near.graph.graph["center"] == "ORG:深圳市第三人民医院"
    assert _labels(near) == {"深圳市第三人民医院", "腾讯", "深圳"}
    wider = kg.ego("深圳三院", radius=2)
    assert _labels(wider) == {"深圳市第三人民医院", "腾讯", "深圳", "张三", "数字健康峰会", "华为"}
    assert _labels(kg.ego("ORG:华为", radius=1)) == {"华为", "腾讯", "协和医院"}
    with pytest.raises(KeyError, match="华为"):
        kg.ego("华卫")


def test_an_unknown_name_is_named_in_a_sentence_with_close_names(kg: KnowledgeGraph) -> None:
    with pytest.raises(EntityNotFoundError) as raised:
        kg.ego("华卫")
    assert str(raised.value) == "no entity named '华卫' in the graph; did you mean 华为?"
    assert raised.value.suggestions == ("华为",) and isinstance(raised.value, KeyError)
    with pytest.raises(
        EntityNotFoundError,
        match="^no entity named 'unknown' in the graph; no entity has a similar",
    ):
        kg.ego("unknown")
    with pytest.raises(
        EntityNotFoundError, match=r"^no entity of type PERSON named '腾讯'.*mean 腾讯 \(ORG\)"
    ):
        kg.ego("腾讯", type="PERSON")


# --- analyses ---------------------------------------------------------------------------------


def test_top_partners(kg: KnowledgeGraph) -> None:
    top = kg.top_partners()
    assert list(top.columns) == ["id", "name", "type", "degree", "weighted_degree"]
    assert list(top["name"]) == ["腾讯", "华为", "深圳市第三人民医院", "协和医院"]
    assert list(top["degree"]) == [2, 2, 1, 1]
    assert list(top["weighted_degree"]) == [3, 2, 2, 1]
    by_weight = kg.top_partners(2, by="weighted_degree")
    assert list(by_weight["name"]) == ["腾讯", "华为"]
    everything = kg.top_partners(None, relations=None)
    assert everything.iloc[0]["name"] == "腾讯" and everything.iloc[0]["degree"] == 4


def test_top_partners_on_the_seeds_agree_with_the_summary() -> None:
    seeds = build_graph(seed_extractions())
    top = seeds.top_partners(5)
    summary = seeds.summary(top=5)["top_partners"]
    assert top.iloc[0]["name"] == "腾讯"
    assert list(top["degree"]) == [p["partners"] for p in summary]


def test_communities_are_a_scalar_node_attribute_in_graphml_and_gexf(kg: KnowledgeGraph, tmp_path: Path) -> None:
    table = kg.communities()
    assert list(table.columns) == ["community", "size", "members"]
    assert table["size"].sum() == len(kg)
    assert list(table["size"]) == sorted(table["size"], reverse=True)
    numbers = {n: d["community"] for n, d in kg.graph.nodes(data=True)}
    assert all(isinstance(v, int) for v in numbers.values())
    # a node linked to one other node only is in that node's community; an isolated one is alone
    assert numbers["PERSON:张三"] == numbers["ORG:腾讯"]
    assert numbers["ORG:协和医院"] == numbers["ORG:华为"]
    assert numbers["LOC:深圳"] == numbers["ORG:深圳市第三人民医院"]
    assert list(numbers.values()).count(numbers["ORG:某公司"]) == 1
    assert kg.communities()["members"].tolist() == table["members"].tolist()  # seeded: repeatable

    graphml, gexf = kg.write(tmp_path, formats=["graphml", "gexf"])
    tree = etree.parse(str(graphml))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    [key] = tree.xpath("//g:key[@for='node'][@attr.name='community']", namespaces=ns)
    assert key.get("attr.type") in {"int", "long"}
    values = tree.xpath(f"//g:node/g:data[@key='{key.get('id')}']/text()", namespaces=ns)
    assert len(values) == len(kg) and all(re.fullmatch(r"\d+", v) for v in values)

    tree = etree.parse(str(gexf))
    [attribute] = tree.xpath("//*[local-name()='attributes'][@class='node']/*[local-name()='attribute'][@title='community']")
    assert attribute.get("type") in {"integer", "long"}
    ident = attribute.get("id")
    values = tree.xpath(f"//*[local-name()='node']//*[local-name()='attvalue'][@for='{ident}']/@value")
    assert len(values) == len(kg)

    again = KnowledgeGraph.read(graphml)
    assert again.graph.nodes["ORG:腾讯"]["community"] == numbers["ORG:腾讯"]


def test_timeline_by_month(kg: KnowledgeGraph) -> None:
    frame = kg.timeline()
    assert list(frame.columns) == ["period", "statements", "pairs", "new_pairs", "total_pairs"]
    assert [str(p) for p in frame["period"]] == [
        "2021-10", "2021-11", "2021-12", "2022-01", "2022-02", "2022-03", "2022-04", "2022-05",
    ]  # fmt: skip
    by_month = frame.set_index(frame["period"].astype(str))
    assert by_month.loc["2021-10", "statements"] == 1 and by_month.loc["2021-11", "statements"] == 0
    assert by_month.loc["2022-03", "statements"] == 2 and by_month.loc["2022-03", "new_pairs"] == 1
    assert list(frame["total_pairs"])[-1] == 3
    yearly = kg.timeline(freq="Y", relations=None)
    assert [str(p) for p in yearly["period"]] == ["2021", "2022"]
    assert list(yearly["statements"]) == [3, 4]
    assert KnowledgeGraph().timeline().empty


# --- the interactive view ---------------------------------------------------------------------


def test_sigma_graph_carries_what_hover_shows(kg: KnowledgeGraph) -> None:
    shown = viz.sigma_graph(kg)
    hospital = shown.nodes["ORG:深圳市第三人民医院"]
    assert hospital["label"] == "深圳市第三人民医院" and hospital["aliases"] == "深圳三院"
    assert hospital["degree"] == 2 and hospital["mentions"] == 3
    edges = [d for _, _, d in shown.edges(data=True) if d["relation"] == "PARTNERS_WITH" and d["weight"] == 2]
    [edge] = edges
    assert edge["evidence"] == "腾讯与深圳三院签署战略合作协议。" and edge["date"] == "2021-10-05"
    json.dumps(dict(shown.nodes(data=True)), ensure_ascii=False)  # plain JSON values only


def test_layout_is_deterministic_and_in_the_unit_square() -> None:
    seeds = build_graph(seed_extractions())
    first = viz.layout_positions(seeds.graph)
    assert first == viz.layout_positions(seeds.graph)
    assert set(first) == set(seeds.graph)
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())
    assert len({(round(x, 4), round(y, 4)) for x, y in first.values()}) == len(first)


def test_standalone_page_is_offline_and_holds_the_graph(kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = kg.to_html(tmp_path / "graph.html", title="测试图谱")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>测试图谱</title>" in page
    assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)=", page), "nothing may be loaded from elsewhere"
    for cdn in ("unpkg.com", "cdn.jsdelivr.net", "cdnjs", "require.js"):
        assert cdn not in page
    assert "SigmaView" in page and "graphology" in page  # ipysigma's bundle is inlined
    state = json.loads(re.search(r'<script id="hn-state" type="application/json">(.*?)</script>', page, re.S)[1])
    nodes = {n["key"]: n["attributes"] for n in state["data"]["nodes"]}
    assert len(nodes) == len(kg) and len(state["data"]["edges"]) == kg.graph.number_of_edges()
    assert nodes["ORG:深圳市第三人民医院"]["aliases"] == "深圳三院"
    assert state["visual_variables"]["nodeColor"]["attribute"] == "type"
    assert state["visual_variables"]["edgeColor"]["attribute"] == "relation"
    assert state["layout"] and set(state["layout"]) == set(nodes)


def test_script_content_cannot_close_the_script_element(tmp_path: Path) -> None:
    from healthnews_nlp import ArticleExtraction, Entity

    record = ArticleExtraction(
        article="x.txt", article_id="x", source="x.txt", title="t",
        entities=(Entity(name="</script><script>alert(1)</script>", type="ORG"),),
    )  # fmt: skip
    page = build_graph([record]).to_html(tmp_path / "x.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "alert(1)" in page
    assert page.count("</script>") == page.count("<script") == 5
    state = json.loads(re.search(r'<script id="hn-state" type="application/json">(.*?)</script>', page, re.S)[1])
    assert state["data"]["nodes"][0]["attributes"]["label"] == "</script><script>alert(1)</script>"


def test_show_returns_an_iframe_page_or_the_ipysigma_widget(kg: KnowledgeGraph) -> None:
    page = kg.show(relations="PARTNERS_WITH", height=400)
    assert isinstance(page, viz.GraphPage)
    markup = page._repr_html_()
    assert markup.startswith("<iframe srcdoc=") and "height:480px" in markup
    assert "&lt;!DOCTYPE html&gt;" in markup and "<script" not in markup.split('srcdoc="', 1)[1].split('"', 1)[0]

    from ipysigma import Sigma

    widget = kg.show(widget=True, size_by="mentions")
    try:
        assert isinstance(widget, Sigma)
        assert len(widget.data["nodes"]) == len(kg)
        assert widget.visual_variables["nodeSize"]["attribute"] == "mentions"
        assert widget.clickable_edges is True
    finally:
        widget.close()
    with pytest.raises(ValueError, match="size_by"):
        kg.show(size_by="articles")


# --- the static plot --------------------------------------------------------------------------


def _cjk_font_or_skip() -> None:
    try:
        viz.find_cjk_font()
    except viz.FontNotFoundError:
        if require_system_deps():
            raise
        pytest.skip("no font with Chinese glyphs (apt-get install fonts-noto-cjk)")


def test_plot_writes_a_png_with_the_graph_drawn(tmp_path: Path) -> None:
    from PIL import Image

    _cjk_font_or_skip()
    seeds = build_graph(seed_extractions())
    path = seeds.plot(tmp_path / "graph.png", dpi=60)
    assert path == tmp_path / "graph.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 20)
    assert colours is not None
    total = sum(count for count, _ in colours)
    ink = sum(count for count, rgb in colours if rgb != (255, 255, 255))
    assert ink > 0.02 * total, "the picture is (nearly) blank"

    def near(hex_colour: str) -> int:
        target = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return sum(count for count, rgb in colours if all(abs(a - b) <= 12 for a, b in zip(rgb, target)))

    for type_ in ("ORG", "PERSON", "LOC", "EVENT"):
        assert near(TYPE_COLORS[type_]) > 30, f"no {type_} nodes drawn"


def test_plot_svg_and_figure(kg: KnowledgeGraph, tmp_path: Path) -> None:
    _cjk_font_or_skip()
    svg = kg.plot(tmp_path / "graph.svg", labels="all")
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "<path" in text  # glyphs drawn as paths: no font needed to view it
    from matplotlib.figure import Figure

    figure = kg.plot(labels=None)
    assert isinstance(figure, Figure)
    timeline = kg.plot_timeline(tmp_path / "timeline.png")
    assert timeline.stat().st_size > 5000
    assert isinstance(kg.plot_timeline(), Figure)
    # a cell that ends in kg.plot() shows the picture: IPython asks the figure for a PNG
    for shown in (figure, kg.plot_timeline()):
        assert shown._repr_png_().startswith(b"\x89PNG\r\n\x1a\n")


def test_plot_labels_use_a_font_with_chinese_glyphs(kg: KnowledgeGraph) -> None:
    _cjk_font_or_skip()
    name, path = viz.find_cjk_font()
    assert viz._draws_chinese(path)
    figure = kg.plot(labels="all")
    texts = [t for t in figure.axes[0].texts if t.get_text() == "深圳市第三人民医院"]
    assert texts and texts[0].get_fontname() == name


def test_without_a_cjk_font_the_error_names_the_package(monkeypatch: pytest.MonkeyPatch, kg: KnowledgeGraph) -> None:
    from matplotlib import font_manager

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *args, **kwargs: [])
    with pytest.raises(viz.FontNotFoundError, match="apt-get install fonts-noto-cjk"):
        kg.plot()
    with pytest.raises(viz.FontNotFoundError, match="fonts-noto-cjk"):
        kg.plot_timeline()


def test_a_frame_from_timeline_can_be_plotted(kg: KnowledgeGraph) -> None:
    _cjk_font_or_skip()
    frame = kg.timeline()
    assert isinstance(frame, pd.DataFrame)
    figure = viz.plot_timeline(frame)
    assert figure.axes[0].get_title().startswith("合作关系时间线")
