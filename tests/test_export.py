"""Exports: round trips through networkx, the GraphML schema, Gephi's tables, atomic failures."""

from __future__ import annotations

import copy
import csv
import errno
import io
import json
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from schemas import GEXF_XSD, GRAPHML_XSD, schema_errors
from test_graph_seeds import CENTER, HOSPITAL, TENCENT, seeds

import healthnews_nlp.atomic
from healthnews_nlp import HealthNewsError, KnowledgeGraph, build_graph
from healthnews_nlp.models import ArticleExtraction, Entity, Relation
from healthnews_nlp.export import (
    ExportError,
    read_graph,
    to_exportable,
    write_csv,
    write_gexf,
    write_graphml,
    write_json,
)

_NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
GEXF_NS = "{http://gexf.net/1.3}"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return build_graph(seeds(), include_articles=True)


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(GRAPHML_XSD)))


def nodes_of(graph: nx.Graph) -> dict[str, dict[str, Any]]:
    return {str(n): dict(d) for n, d in graph.nodes(data=True)}


def edges_by_id(graph: nx.Graph, id_of: Callable[[Any, Any, Any, dict[str, Any]], str]) -> dict[str, tuple[Any, ...]]:
    """Edges as ``{id: (source, target, data)}``; multigraph keys or simple-graph edges alike."""
    if graph.is_multigraph():
        triples = ((u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True))
    else:
        triples = ((u, v, None, d) for u, v, d in graph.edges(data=True))
    return {id_of(u, v, k, d): (u, v, dict(d)) for u, v, k, d in triples}


def assert_equal_graphs(read: nx.Graph, expected: nx.MultiDiGraph, *, id_of: Callable[..., str]) -> None:
    assert nodes_of(read) == nodes_of(expected)
    read_edges, expected_edges = edges_by_id(read, id_of), edges_by_id(expected, id_of)
    assert len(read_edges) == read.number_of_edges() == expected.number_of_edges()
    assert read_edges == expected_edges


# --- round trips -------------------------------------------------------------------------------------


def test_graphml_reads_back_to_an_equal_graph(kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "kg.graphml"
    write_graphml(kg, path)
    read = nx.read_graphml(path, force_multigraph=True)
    expected = to_exportable(kg, format="graphml")
    assert_equal_graphs(read, expected, id_of=lambda u, v, k, d: k)
    assert set(read.edges(keys=True)) == set(expected.edges(keys=True))
    partners = [d for _, _, d in read.edges(data=True) if d["relation"] == "PARTNERS_WITH"]
    assert len(partners) == 3 and all(d["weight"] == 2 for d in partners)
    assert read.nodes[f"ORG:{CENTER}"]["aliases"] == f"{CENTER};国研中心"  # sorted, ;-joined


def test_gexf_reads_back_to_an_equal_dynamic_graph(kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "kg.gexf"
    write_gexf(kg, path)
    read = nx.read_gexf(path)
    expected = to_exportable(kg, format="gexf")
    assert_equal_graphs(read, expected, id_of=lambda u, v, k, d: d["id"])
    assert read.graph["mode"] == "dynamic"
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{GEXF_NS}gexf" and root.get("version") == "1.3"
    assert root.nsmap["xsi"] == "http://www.w3.org/2001/XMLSchema-instance"
    graph = root.find(f"{GEXF_NS}graph")
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    hospital = graph.find(f"{GEXF_NS}nodes/{GEXF_NS}node[@id='ORG:{HOSPITAL}']")
    spells = [(s.get("start"), s.get("end")) for s in hospital.iter(f"{GEXF_NS}spell")]
    assert spells == [("2021-07-20", "2021-07-20"), ("2022-09-26", "2022-09-26")]
    assert hospital.get("label") == HOSPITAL


def test_json_reads_back_to_an_equal_graph(kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "kg.json"
    write_json(kg, path)
    read = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    expected = to_exportable(kg, format="json")
    assert_equal_graphs(read, expected, id_of=lambda u, v, k, d: (u, v, k))
    assert read.has_edge(f"ORG:{HOSPITAL}", f"ORG:{TENCENT}", "PARTNERS_WITH")


def test_graphml_validates_against_the_graphml_schema(
    kg: KnowledgeGraph, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    path = tmp_path / "kg.graphml"
    write_graphml(kg, path)
    schema.assertValid(etree.parse(str(path)))
    # the schema has teeth: networkx's plain writer keys edges by relation, and edge ids must be unique
    plain = tmp_path / "plain.graphml"
    nx.write_graphml(to_exportable(kg, format="json"), plain)
    assert not schema.validate(etree.parse(str(plain)))
    assert "edge_id_unique" in str(schema.error_log)


def test_gexf_validates_against_the_gexf_1_3_schema(kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "kg.gexf"
    write_gexf(kg, path)
    assert schema_errors(GEXF_XSD, path) == []
    # the schema has teeth: networkx's own writer puts a name on <graph>, which GEXF 1.3 refuses
    plain = tmp_path / "networkx.gexf"
    nx.write_gexf(to_exportable(kg, format="gexf"), plain, version="1.2draft")
    as_1_3 = plain.read_bytes().replace(b"http://www.gexf.net/1.2draft", b"http://gexf.net/1.3")
    as_1_3 = as_1_3.replace(b'version="1.2"', b'version="1.3"')
    assert any("'name' is not allowed" in error for error in schema_errors(GEXF_XSD, as_1_3))


def every_kind_of_attribute() -> nx.MultiDiGraph:
    """A graph whose nodes and edges carry every kind of value an attribute can hold."""
    graph = nx.MultiDiGraph(name='图 <&> "名"', center="ORG:甲", created=date(2024, 1, 2))
    days = {date(2021, 7, 20), datetime(2022, 9, 26, 15, 30), "2023-01-05", "not a day", ""}
    graph.add_node(
        "ORG:甲",
        label="  甲 <b>&amp;</b>\t",
        type="ORG",
        aliases={"乙", "甲;方"},
        dates=days,
        mentions=3,
        score=0.5,
        big=2**62,
        ratio=float("inf"),
        unknown=float("nan"),
        flag=True,
        first_seen=date(2021, 7, 20),
        former_labels=["甲一", "甲二"],
        extra={"k": [1, 2]},
        note="x\x00y\ud800z",
        id="user id",
        start="user start",
        viz="mine",
        empty="",
        nothing=None,
    )
    graph.add_node("PERSON:乙", label="乙", type="PERSON", flag="yes", score=2, dates=set())
    graph.add_node(42, label="", mentions=0)  # a node id that is not a string, an empty label
    graph.add_node("ORG:空")  # no attribute at all
    graph.add_edge(
        "PERSON:乙",
        "ORG:甲",
        key="WORKS_FOR",
        relation="WORKS_FOR",
        weight=2,
        dates=days,
        title={"院长"},
        role=["主持"],
        date=date(2022, 9, 26),
        start=date(2021, 7, 20),
        evidence="乙是甲的院长。",
        type="user type",
        key_="k",
        id="user edge id",
        kind="mine",
    )
    graph.add_edge("ORG:甲", "ORG:空", key="PARTNERS_WITH", relation="PARTNERS_WITH", weight=0.25)
    graph.add_edge("ORG:甲", 42, key="PART_OF", relation="PART_OF", weight="heavy", flag=False)
    graph.add_edge(42, "ORG:甲", key="PART_OF", relation="PART_OF", weight=True)
    graph.add_edge("ORG:空", "ORG:空", key="LOCATED_IN")  # a loop without attributes
    return graph


@pytest.mark.parametrize("dynamic", [True, False], ids=["with-spells", "static"])
def test_exports_of_every_kind_of_attribute_validate(tmp_path: Path, dynamic: bool) -> None:
    graph = every_kind_of_attribute()
    if not dynamic:
        for _, data in [*graph.nodes(data=True), *((None, d) for *_, d in graph.edges(data=True))]:
            data.pop("dates", None)
    write_gexf(graph, tmp_path / "all.gexf")
    write_graphml(graph, tmp_path / "all.graphml")
    assert schema_errors(GEXF_XSD, tmp_path / "all.gexf") == []
    assert schema_errors(GRAPHML_XSD, tmp_path / "all.graphml") == []
    root = etree.parse(str(tmp_path / "all.gexf")).getroot()
    gexf_graph = root.find(f"{GEXF_NS}graph")
    assert gexf_graph.get("mode") == ("dynamic" if dynamic else "static")
    assert root.findtext(f"{GEXF_NS}meta/{GEXF_NS}description") == '图 <&> "名"'  # the name, kept
    node_block = gexf_graph.find(f"{GEXF_NS}attributes[@class='node']")
    types = {a.get("title"): a.get("type") for a in node_block.iter(f"{GEXF_NS}attribute")}
    assert (types["mentions"], types["score"], types["flag"], types["big"]) == (
        "long",
        "double",
        "string",
        "long",
    )
    if dynamic:
        spells = [
            (s.get("start"), s.get("end"))
            for s in root.find(f"{GEXF_NS}graph/{GEXF_NS}nodes").iter(f"{GEXF_NS}spell")
        ]
        assert spells == [(d, d) for d in ("2021-07-20", "2022-09-26", "2023-01-05")]  # days only
    for path in (tmp_path / "all.gexf", tmp_path / "all.graphml"):
        read = read_graph(path)
        assert set(read.nodes) == {"ORG:甲", "PERSON:乙", "42", "ORG:空"}
        assert read.number_of_edges() == graph.number_of_edges()


@given(names=st.lists(_NAMES, min_size=1, max_size=5, unique=True))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_graphml_and_gexf_of_any_names_validate(
    tmp_path: Path, schema: etree.XMLSchema, names: list[str]
) -> None:
    record = ArticleExtraction(
        article="a.txt",
        article_id="a",
        source="a.txt",
        title="t",
        entities=tuple(Entity(name=name, type="ORG", aliases=(name + "；别名",)) for name in names),
        relations=tuple(
            Relation(head=a, head_type="ORG", type="PARTNERS_WITH", tail=b, tail_type="ORG", evidence=a + b)
            for a, b in zip(names, names[1:])
        ),
    )
    buffer = io.BytesIO()
    write_graphml(build_graph([record]), buffer)
    schema.assertValid(etree.fromstring(buffer.getvalue()).getroottree())
    buffer = io.BytesIO()
    write_gexf(build_graph([record]), buffer)
    assert schema_errors(GEXF_XSD, buffer.getvalue()) == []


def test_gephi_tables(kg: KnowledgeGraph, tmp_path: Path) -> None:
    nodes_path, edges_path = write_csv(kg, tmp_path / "csv")
    with nodes_path.open(encoding="utf-8", newline="") as handle:
        nodes = list(csv.DictReader(handle))
    with edges_path.open(encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert list(nodes[0])[:3] == ["Id", "Label", "Time Interval"] and "type" in nodes[0]
    assert list(edges[0])[:7] == ["Source", "Target", "Type", "Id", "Label", "Weight", "Time Interval"]
    assert len(nodes) == len(kg) and len(edges) == kg.graph.number_of_edges()
    hospital = next(n for n in nodes if n["Id"] == f"ORG:{HOSPITAL}")
    assert hospital["Label"] == HOSPITAL and hospital["aliases"] == "深圳三院;深圳第三人民医院"
    assert hospital["Time Interval"] == "<[2021-07-20,2021-07-20];[2022-09-26,2022-09-26]>"
    partner_rows = [e for e in edges if e["Label"] == "PARTNERS_WITH"]
    assert len(partner_rows) == 3 and {e["Type"] for e in partner_rows} == {"Undirected"}
    assert {e["Weight"] for e in partner_rows} == {"2"}
    assert {e["Type"] for e in edges if e["Label"] != "PARTNERS_WITH"} == {"Directed"}
    assert len({e["Id"] for e in edges}) == len(edges)
    assert all(e["Source"] in {n["Id"] for n in nodes} for e in edges)


def test_write_to_a_folder_writes_every_format(kg: KnowledgeGraph, tmp_path: Path) -> None:
    written = kg.write(tmp_path / "out")
    assert sorted(p.name for p in written) == ["edges.csv", "graph.gexf", "graph.graphml", "graph.json", "nodes.csv"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)  # no temp files
    assert kg.write(tmp_path / "one", formats=["gexf"], name="seeds") == [tmp_path / "one" / "seeds.gexf"]
    with pytest.raises(ValueError, match="unknown export formats"):
        kg.write(tmp_path / "bad", formats=["pdf"])


def test_writers_take_file_objects(kg: KnowledgeGraph) -> None:
    for write in (write_graphml, write_gexf, write_json):
        buffer = io.BytesIO()
        write(kg, buffer)
        assert buffer.getvalue().lstrip().startswith((b"<?xml", b"{"))


# --- sanitizing ----------------------------------------------------------------------------------------


def test_lists_are_joined_none_dropped_and_each_attribute_keeps_one_type() -> None:
    graph = nx.MultiDiGraph(name="测试")
    graph.add_node("ORG:甲", label="甲", type="ORG", aliases={"乙", "甲方;总部"}, score=1, note=None, tags=["b", "a"])
    graph.add_node("ORG:丙", label="丙", type="ORG", aliases=set(), score=2.5, note="x\x00y", flag=True)
    graph.add_node("丁", score="high", flag=3)
    graph.add_edge("ORG:甲", "ORG:丙", key="PARTNERS_WITH", relation="PARTNERS_WITH", weight=1, extra={"k": 1})
    out = to_exportable(graph, format="graphml")
    first, second, third = (out.nodes[n] for n in ("ORG:甲", "ORG:丙", "丁"))
    assert first["aliases"] == "乙;甲方；总部"  # sorted; an inner ; cannot split the item on reading
    assert first["tags"] == "b;a"  # lists keep their order
    assert "note" not in first and "aliases" not in second  # None and empty collections are left out
    assert second["note"] == "xy"  # a character XML cannot carry is dropped
    assert [first["score"], second["score"], third["score"]] == ["1", "2.5", "high"]  # mixed → str
    assert [second["flag"], third["flag"]] == ["true", "3"]
    assert (third["label"], third["type"]) == ("丁", "UNKNOWN")  # every node has a label and a type
    assert out.edges["ORG:甲", "ORG:丙", "e0"]["extra"] == '{"k": 1}'
    numbers = nx.MultiDiGraph()
    numbers.add_node("a", weight=1)
    numbers.add_node("b", weight=0.5)
    assert [d["weight"] for _, d in to_exportable(numbers).nodes(data=True)] == [1.0, 0.5]


def test_export_never_modifies_the_callers_graph(kg: KnowledgeGraph, tmp_path: Path) -> None:
    kg.graph.graph["id"] = "seeds"  # networkx's GraphML writer pops G.graph["id"]
    try:
        before = copy.deepcopy(kg.graph)
        kg.write(tmp_path)
        for fmt in ("graphml", "gexf", "json", "csv"):
            to_exportable(kg, format=fmt)  # type: ignore[arg-type]
        assert kg.graph.graph == before.graph
        assert nodes_of(kg.graph) == nodes_of(before)
        assert list(kg.graph.edges(keys=True, data=True)) == list(before.edges(keys=True, data=True))
    finally:
        del kg.graph.graph["id"]


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@given(evidence=_TEXT, alias=_TEXT, title=_TEXT)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_round_trips_through_every_format(tmp_path: Path, evidence: str, alias: str, title: str) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("ORG:甲", label="甲", type="ORG", aliases={alias, "甲方"})
    graph.add_node("PERSON:乙", label="乙", type="PERSON")
    graph.add_edge("PERSON:乙", "ORG:甲", key="WORKS_FOR", relation="WORKS_FOR", weight=1, evidence=evidence, title={title})
    for fmt, write in (("graphml", write_graphml), ("gexf", write_gexf), ("json", write_json)):
        path = tmp_path / f"any.{fmt}"
        write(graph, path)
        expected = to_exportable(graph, format=fmt)  # type: ignore[arg-type]
        if fmt == "graphml":
            read = nx.read_graphml(path, force_multigraph=True)
        elif fmt == "gexf":
            read = nx.read_gexf(path)
        else:
            read = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
        assert nodes_of(read) == nodes_of(expected), fmt
        assert [d for *_, d in read.edges(data=True)] == [d for *_, d in expected.edges(data=True)], fmt


# --- reading back safely ---------------------------------------------------------------------------------


_DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE graphml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="d0" for="node" attr.name="label" attr.type="string"/>
<graph edgedefault="directed"><node id="n0"><data key="d0">&lol2;&secret;</data></node></graph>
</graphml>
"""


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_reading_refuses_xml_with_a_doctype(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"evil{suffix}"
    path.write_bytes(_DOCTYPE)
    with pytest.raises(ExportError, match="DOCTYPE") as caught:
        KnowledgeGraph.read(path)
    assert str(caught.value).startswith(str(path))


def test_reading_rejects_what_is_not_our_graph(tmp_path: Path) -> None:
    broken = tmp_path / "broken.graphml"
    broken.write_bytes(b"<graphml><graph")
    with pytest.raises(ExportError, match="not well-formed"):
        read_graph(broken)
    with pytest.raises(ExportError, match="cannot read"):
        read_graph(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="suffix"):
        read_graph(tmp_path / "graph.txt")


# --- failures leave nothing behind ---------------------------------------------------------------------

FORMATS = ["graphml", "gexf", "json", "csv"]


def export(kg: KnowledgeGraph, fmt: str, folder: Path) -> list[Path]:
    """Write ``fmt`` into ``folder``; the files it writes."""
    if fmt == "csv":
        return list(write_csv(kg, folder))
    writer = {"graphml": write_graphml, "gexf": write_gexf, "json": write_json}[fmt]
    writer(kg, folder / f"graph.{fmt}")
    return [folder / f"graph.{fmt}"]


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_disk_fails_cleanly_and_keeps_the_old_file(
    kg: KnowledgeGraph, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    for path in export(build_graph(seeds()[:1]), fmt, folder):  # an older export is already there
        assert path.exists()
    before = listing(folder)

    real_fdopen = os.fdopen

    class FullDisk(io.RawIOBase):
        """A file that takes 100 bytes, writes them, then runs out of space."""

        def __init__(self, handle: Any) -> None:
            self.handle, self.left = handle, 100

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            chunk = bytes(data) if not isinstance(data, str) else data.encode("utf-8")
            if len(chunk) > self.left:
                self.handle.write(chunk[: self.left])
                self.handle.flush()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.left -= len(chunk)
            return int(self.handle.write(chunk))

        def fileno(self) -> int:
            return int(self.handle.fileno())

        def flush(self) -> None:
            self.handle.flush()

        def close(self) -> None:
            if not self.closed:
                try:
                    super().close()  # flushes first
                finally:
                    self.handle.close()

    def full_fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, mode.replace("b", "") + "b")
        return FullDisk(handle) if "b" in mode else io.TextIOWrapper(FullDisk(handle), encoding="utf-8")  # type: ignore[arg-type]

    monkeypatch.setattr(healthnews_nlp.atomic.os, "fdopen", full_fdopen)
    with pytest.raises(ExportError, match="no space left") as caught:
        export(kg, fmt, folder)
    monkeypatch.undo()
    assert isinstance(caught.value, HealthNewsError) and isinstance(caught.value, OSError)
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.path.startswith(str(folder))
    assert listing(folder) == before  # old files intact, no partial or temporary file


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_path_under_a_regular_file_fails_cleanly(kg: KnowledgeGraph, tmp_path: Path, fmt: str) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file", encoding="utf-8")
    with pytest.raises(ExportError, match="is a file, not a folder") as caught:
        export(kg, fmt, blocker / "out")
    assert str(blocker / "out") in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]
    assert blocker.read_text(encoding="utf-8") == "a file"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_read_only_folder_fails_cleanly(kg: KnowledgeGraph, tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="permission denied") as caught:
            export(kg, fmt, folder)
        assert str(folder) in str(caught.value)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_folder_refusing_new_files_fails_cleanly(
    kg: KnowledgeGraph, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only folder does to a non-root user, simulated so that it runs as root too."""

    def refuse(*args: Any, dir: str | None = None, **kwargs: Any) -> Any:  # noqa: A002
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), dir)

    monkeypatch.setattr(healthnews_nlp.atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(ExportError, match="permission denied") as caught:
        export(kg, fmt, tmp_path)
    monkeypatch.undo()
    assert caught.value.errno == errno.EACCES and str(caught.value).startswith(str(tmp_path))
    assert list(tmp_path.iterdir()) == []
