"""The standalone page of kg.to_html in headless Chromium (Debian's), with no network: nodes drawn, hover works.

The page is opened from a file with every host name unresolvable, so it can
only draw what it carries. Three looks: the page's own count of the nodes the
sigma.js renderer placed on screen (``--dump-dom``), a screenshot whose pixels
must show the node colours of every entity type, and a mouse moved over a
node and over an edge, which must show the node's aliases and the edge's
evidence sentence in the tooltip. ``make test`` installs Chromium where it is
missing (``make test-system-deps``); elsewhere the tests skip without it.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import subprocess
from pathlib import Path

import pytest
from explore_support import chromium, seed_extractions

from healthnews_nlp import KnowledgeGraph, build_graph
from healthnews_nlp.display import TYPE_COLORS

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--enable-unsafe-swiftshader",  # WebGL in software, as sigma.js needs it
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: nothing can be fetched from a CDN
    "--hide-scrollbars",
    "--window-size=1280,900",
    "--virtual-time-budget=15000",
]
_profiles = itertools.count()


@pytest.fixture(scope="module")
def seeds_graph() -> KnowledgeGraph:
    return build_graph(seed_extractions())


@pytest.fixture(scope="module")
def page(seeds_graph: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeds_graph.to_html(tmp_path_factory.mktemp("page") / "graph.html")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{next(_profiles)}"
    command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def _dump_dom(tmp_path: Path, page: Path) -> str:
    result = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _element(dom: str, ident: str) -> tuple[dict[str, str], str]:
    """Attributes and text of the element with id ``ident`` in the dumped DOM."""
    match = re.search(rf'<div id="{ident}"([^>]*)>(.*?)</div>', dom, re.S)
    assert match, f"#{ident} not in the page"
    attributes = {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', match[1])}
    return attributes, html.unescape(re.sub(r"<[^>]+>", " ", match[2]))


def test_the_page_draws_every_node_offline(page: Path, seeds_graph: KnowledgeGraph, tmp_path: Path) -> None:
    dom = _dump_dom(tmp_path, page)
    status, text = _element(dom, "hn-status")
    assert status.get("data-state") == "ready", text
    nodes = seeds_graph.graph.number_of_nodes()
    assert int(status["data-nodes"]) == nodes and int(status["data-edges"]) == seeds_graph.graph.number_of_edges()
    # every node has a place inside the drawing area of the renderer
    assert int(status["data-rendered-nodes"]) == nodes
    # ipysigma's own interface came up: its legend names the node types
    assert "ipysigma-widget" in dom and "ipysigma-legend" in dom


def test_a_screenshot_shows_the_nodes(page: Path, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "shot.png"
    result = _chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), result.stderr[-2000:]
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        graph_area = rgb.crop((0, 120, int(width * 0.78), height))  # under the header, left of the side panel
        colours = graph_area.getcolors(maxcolors=1 << 22)
    assert colours is not None
    total = sum(count for count, _ in colours)
    ink = sum(count for count, rgb in colours if rgb != (255, 255, 255))
    assert ink > 0.01 * total, "the graph area is blank"

    def near(hex_colour: str) -> int:
        target = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return sum(count for count, rgb in colours if all(abs(a - b) <= 10 for a, b in zip(rgb, target)))

    for type_ in ("ORG", "PERSON", "LOC", "EVENT"):
        assert near(TYPE_COLORS[type_]) > 40, f"no {type_} node drawn"


_HOVER = """
<script>
(function () {
  var status = document.getElementById("hn-status");
  var tooltip = document.getElementById("hn-tooltip");
  function record(id, text) {
    var out = document.createElement("div");
    out.id = id;
    out.textContent = text;
    document.body.appendChild(out);
  }
  function move(renderer, point) {
    var target = renderer.getMouseCaptor().container;
    var box = target.getBoundingClientRect();
    target.dispatchEvent(new MouseEvent("mousemove", {
      clientX: box.left + point.x, clientY: box.top + point.y, bubbles: true, cancelable: true
    }));
  }
  function when(ready, then) { if (ready()) { then(); } else { setTimeout(function () { when(ready, then); }, 20); } }
  when(function () { return status.dataset.state === "ready"; }, function () {
    var renderer = window.hnGraph.renderer, graph = window.hnGraph.graph;
    var at = function (node) { return renderer.framedGraphToViewport(renderer.getNodeDisplayData(node)); };
    // a point on an edge with evidence that the renderer itself picks as that edge, clear of
    // every node: the layout differs from run to run, so look along every such edge
    var best = null;
    graph.forEachEdge(function (edge, attributes, source, target) {
      if (best || !attributes.evidence) { return; }
      var a = at(source), b = at(target);
      for (var step = 3; step <= 7 && !best; step++) {
        // whole pixels: a mouse event's coordinates are, so a thin edge must be hit at one
        var point = { x: Math.round(a.x + (b.x - a.x) * step / 10), y: Math.round(a.y + (b.y - a.y) * step / 10) };
        var clearance = Infinity;
        graph.forEachNode(function (node) {
          var p = at(node);
          clearance = Math.min(clearance, Math.hypot(p.x - point.x, p.y - point.y));
        });
        if (clearance > 20 && renderer.getEdgeAtPoint(point.x, point.y) === edge) {
          best = { edge: edge, middle: point };
        }
      }
    });
    move(renderer, at(NODE));
    setTimeout(function () {
      record("hn-test-node", tooltip.hidden ? "" : tooltip.textContent);
      move(renderer, { x: 1, y: 1 });
      setTimeout(function () {
        record("hn-test-edge-expected", graph.getEdgeAttribute(best.edge, "evidence"));
        move(renderer, best.middle);
        setTimeout(function () { record("hn-test-edge", tooltip.hidden ? "" : tooltip.textContent); }, 200);
      }, 200);
    }, 200);
  });
})();
</script>
"""


def test_hovering_shows_aliases_and_evidence(page: Path, seeds_graph: KnowledgeGraph, tmp_path: Path) -> None:
    graph = seeds_graph.graph
    node = "ORG:深圳市第三人民医院"
    aliases = graph.nodes[node]["aliases"]
    assert "深圳三院" in aliases
    script = _HOVER.replace("NODE", json.dumps(node))
    probe = tmp_path / "hover.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    dom = _dump_dom(tmp_path, probe)

    _, node_tip = _element(dom, "hn-test-node")
    assert "深圳市第三人民医院" in node_tip and "深圳三院" in node_tip and "aliases" in node_tip
    _, expected = _element(dom, "hn-test-edge-expected")
    _, edge_tip = _element(dom, "hn-test-edge")
    assert "evidence" in edge_tip and expected.strip() and expected.strip() in edge_tip
    assert any(relation in edge_tip for relation in ("PARTNERS_WITH", "WORKS_FOR", "PARTICIPATES_IN", "ORGANIZES",
                                                     "HELD_IN", "LOCATED_IN", "PART_OF"))
