"""``healthnews-nlp graph seeds -o DIR``: the whole flow on the real seeds with the real LAC model.

The command runs once for the module (in-process, through ``cli.main``);
the tests read what it wrote: the extractions JSONL, the graph in GraphML and
GEXF, and the summary. The reference for the exported files is
``export.to_exportable`` of the graph built from the written extractions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from schemas import GEXF_XSD, GRAPHML_XSD, schema_errors

from healthnews_nlp import (
    Article,
    ArticleExtraction,
    KnowledgeGraph,
    build_graph,
    extract,
    load,
    read_articles,
    read_extractions,
)
from healthnews_nlp.cli import main
from healthnews_nlp.export import to_exportable

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

TENCENT = "腾讯"
CENTER = "国家感染性疾病临床医学研究中心"
HOSPITAL = "深圳市第三人民医院"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("graph")
    assert main(["graph", str(SEEDS), "-o", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def extractions(out: Path) -> list[ArticleExtraction]:
    return list(read_extractions(out / "extractions.jsonl"))


@pytest.fixture(scope="module")
def kg(extractions: list[ArticleExtraction]) -> KnowledgeGraph:
    """The graph the command exported, rebuilt from its own extractions."""
    kg = build_graph(extractions)
    kg.communities()  # as the command does, so Gephi can colour by community
    return kg


def names(data: dict[str, Any]) -> set[str]:
    """A node's label and aliases as read from a file (aliases ``;``-joined)."""
    return {data["label"], *(a for a in str(data.get("aliases", "")).split(";") if a)}


def node_named(graph: nx.Graph, name: str) -> str:
    """The one node that has ``name`` as its label or an alias."""
    found = [n for n, d in graph.nodes(data=True) if name in names(d)]
    assert len(found) == 1, f"{name}: {found}"
    return str(found[0])


def nodes_of(graph: nx.Graph) -> dict[str, dict[str, Any]]:
    return {str(n): dict(d) for n, d in graph.nodes(data=True)}


def edges_by_id(graph: nx.Graph, id_of: Callable[[Any, Any, Any, dict[str, Any]], str]) -> dict[str, tuple[Any, ...]]:
    """Edges as ``{id: (source, target, data)}``; networkx reads GEXF without parallel edges as a DiGraph."""
    if graph.is_multigraph():
        quads = graph.edges(keys=True, data=True)
    else:
        quads = ((u, v, None, d) for u, v, d in graph.edges(data=True))
    return {id_of(u, v, k, d): (u, v, dict(d)) for u, v, k, d in quads}


def assert_equal_graphs(read: nx.Graph, expected: nx.MultiDiGraph, id_of: Callable[..., str]) -> None:
    assert read.is_directed()
    assert nodes_of(read) == nodes_of(expected)
    assert read.number_of_edges() == expected.number_of_edges()
    assert edges_by_id(read, id_of) == edges_by_id(expected, id_of)


# --- what was written --------------------------------------------------------------------------


def test_the_command_writes_every_file(out: Path) -> None:
    for name in ("extractions.jsonl", "graph.graphml", "graph.gexf", "graph.json", "nodes.csv", "edges.csv", "summary.json"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert not [p for p in out.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]  # no temporary leftovers


def test_extractions_read_back_to_equal_records(out: Path, extractions: list[ArticleExtraction]) -> None:
    lines = (out / "extractions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(extractions) == 5
    assert [e.model_dump_json() for e in extractions] == lines  # lossless, line by line
    articles = [a for a in read_articles([SEEDS]) if isinstance(a, Article)]
    assert list(extract(articles, load())) == extractions  # what the library API gives
    assert sorted(e.article for e in extractions) == sorted(p.name for p in SEEDS.glob("*.txt"))


def test_summary_counts(out: Path, kg: KnowledgeGraph) -> None:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads(json.dumps(kg.summary(), ensure_ascii=False))
    assert summary["articles"] == 5
    assert summary["nodes"] == sum(summary["node_types"].values()) > 0
    assert summary["edges"] == sum(summary["relations"].values()) > 0
    assert set(summary["node_types"]) == {"ORG", "PERSON", "LOC", "EVENT"}
    assert set(summary["relations"]) == {
        "PARTNERS_WITH", "ORGANIZES", "PARTICIPATES_IN", "WORKS_FOR", "HELD_IN", "LOCATED_IN", "PART_OF"
    }
    assert summary["top_partners"][0]["label"] == TENCENT


# --- the graph ---------------------------------------------------------------------------------


def test_the_three_partners_are_one_node_each_and_pairwise_partners(out: Path) -> None:
    graph = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    tencent, center, hospital = (node_named(graph, name) for name in (TENCENT, CENTER, HOSPITAL))
    assert graph.nodes[tencent]["label"] == TENCENT
    assert graph.nodes[center]["label"] == "深圳国家感染性疾病临床医学研究中心"  # the fullest name
    assert graph.nodes[hospital]["label"] == HOSPITAL
    assert "国研中心" in names(graph.nodes[center]) and "深圳三院" in names(graph.nodes[hospital])
    for short in ("国研中心", "深圳三院", "深圳第三人民医院"):  # no node of its own
        node_named(graph, short)
    assert len({tencent, center, hospital}) == 3
    assert len(graph.nodes[tencent]["articles"].split(";")) == 2  # seeds 001 and 002 name 腾讯
    partners = {
        frozenset((u, v)): d for u, v, d in graph.edges(data=True) if d["relation"] == "PARTNERS_WITH"
    }
    for pair in ((tencent, center), (tencent, hospital), (center, hospital)):
        edge = partners[frozenset(pair)]
        assert edge["date"] == "2022-09-22" and "达成战略合作" in edge["evidence"]


def test_every_node_has_a_label_and_a_type(out: Path, kg: KnowledgeGraph) -> None:
    for graph in (kg.graph, nx.read_graphml(out / "graph.graphml"), nx.read_gexf(out / "graph.gexf")):
        for node, data in graph.nodes(data=True):
            assert isinstance(data.get("label"), str) and data["label"].strip(), node
            assert data.get("type") in {"ORG", "PERSON", "LOC", "EVENT"}, node


def test_graphml_reads_back_to_the_exported_graph(out: Path, kg: KnowledgeGraph) -> None:
    read = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    expected = to_exportable(kg, format="graphml")
    assert_equal_graphs(read, expected, id_of=lambda u, v, k, d: k)
    assert set(read.edges(keys=True)) == set(expected.edges(keys=True))
    assert {d["relation"] for _, _, d in read.edges(data=True)} == set(kg.summary()["relations"])


def test_gexf_reads_back_to_the_exported_graph(out: Path, kg: KnowledgeGraph) -> None:
    read = nx.read_gexf(out / "graph.gexf")
    expected = to_exportable(kg, format="gexf")
    assert_equal_graphs(read, expected, id_of=lambda u, v, k, d: d["id"])
    assert read.graph["mode"] == "dynamic"


def test_graphml_and_gexf_validate_against_their_schemas(out: Path) -> None:
    assert schema_errors(GRAPHML_XSD, out / "graph.graphml") == []
    assert schema_errors(GEXF_XSD, out / "graph.gexf") == []


def test_the_written_graph_grows_without_counting_articles_twice(
    out: Path, kg: KnowledgeGraph, extractions: list[ArticleExtraction]
) -> None:
    grown = KnowledgeGraph.read(out / "graph.graphml")
    assert grown.articles == kg.articles and len(grown.articles) == 5
    before = (grown.graph.number_of_nodes(), grown.graph.number_of_edges())
    assert grown.add(extractions) == 0
    assert (grown.graph.number_of_nodes(), grown.graph.number_of_edges()) == before
    assert set(grown.graph.nodes) == set(kg.graph.nodes)
    assert set(grown.graph.edges(keys=True)) == set(kg.graph.edges(keys=True))


def test_gephi_can_colour_by_community_from_the_start(out: Path) -> None:
    for graph in (nx.read_graphml(out / "graph.graphml"), nx.read_gexf(out / "graph.gexf")):
        communities = {data.get("community") for _, data in graph.nodes(data=True)}
        assert None not in communities and len(communities) > 1
        assert all(isinstance(c, int) for c in communities)
