"""Pictures of a knowledge graph: interactive (ipysigma) in Jupyter and in a standalone page, static with matplotlib.

- :func:`show` (``kg.show()``): the graph in a notebook, drawn by ipysigma's
  sigma.js view: node colour by type, size by degree (or mentions), edge
  colour by relation, Chinese labels, a legend, search, zoom and layout
  controls. Hovering a node shows its aliases and counts, hovering an edge
  its relation and evidence sentence. By default the view is the standalone
  page of :func:`to_html` in an ``<iframe>`` (works in any notebook front
  end and when the notebook is saved); ``widget=True`` returns the live
  ``ipysigma.Sigma`` widget instead (its selection readable from Python,
  aliases and evidence in its side panel on click).
- :func:`to_html` (``kg.to_html(path)``): the same view as one HTML file
  that opens in a browser without Jupyter and **without a network**: the
  JavaScript is ipysigma's own notebook bundle (sigma.js, graphology and
  the ``SigmaView`` widget), read from the installed ipysigma package and
  inlined, with a few lines standing in for the Jupyter widget manager.
  Nothing is fetched from a CDN.
- :func:`plot` (``kg.plot(path)``): a PNG or SVG drawn with matplotlib, with
  a font found on the machine that has Chinese glyphs
  (:func:`find_cjk_font`); without one it raises :class:`FontNotFoundError`
  naming the package to install, instead of drawing boxes.
- :func:`plot_timeline` (``kg.plot_timeline()``): partnerships per month.

Node positions come from :func:`layout_positions` (a seeded spring layout
per connected component, components packed in rows), so the interactive view
and the static picture agree and repeat from run to run.

pandas, matplotlib, ipysigma and IPython are imported by the functions that
need them (``pip install 'healthnews-nlp[notebook]'``).
"""

from __future__ import annotations

import html
import inspect
import io
import json
import math
import re
import sys
from collections.abc import Collection, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from healthnews_nlp.analysis import relation_graph
from healthnews_nlp.atomic import atomic_open
from healthnews_nlp.display import RELATION_COLORS, TYPE_COLORS
from healthnews_nlp.errors import HealthNewsError, requires_extra

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from healthnews_nlp.graph import KnowledgeGraph

__all__ = [
    "CJK_FONT_PACKAGE",
    "FontNotFoundError",
    "GraphPage",
    "find_cjk_font",
    "graph_page",
    "layout_positions",
    "plot",
    "plot_timeline",
    "show",
    "sigma_graph",
    "sigma_widget",
    "to_html",
]

SizeBy = Literal["degree", "weighted_degree", "mentions"]

#: The Debian/Ubuntu package that gives matplotlib (and Chromium) Chinese glyphs.
CJK_FONT_PACKAGE = "fonts-noto-cjk"
#: Fonts with Chinese glyphs, most wanted first (matplotlib family names).
CJK_FONT_NAMES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "SimHei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Noto Serif CJK SC",
    "SimSun",
)
#: The CSS font stack of labels in the browser.
CSS_FONTS = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", "Hiragino Sans GB", sans-serif'
)
_PROBE = "中国医院合作"
_PLACEHOLDER = re.compile(r"__HN_[A-Z_]+__")
_SCRIPT_END = re.compile(r"</script", re.IGNORECASE)
_SIZE_BY = ("degree", "weighted_degree", "mentions")


class FontNotFoundError(HealthNewsError):
    """No installed font can draw Chinese; the message names the package to install."""


# --------------------------------------------------------------------------
# Layout and the display graph
# --------------------------------------------------------------------------


def layout_positions(graph: nx.Graph, *, seed: int = 7) -> dict[Any, tuple[float, float]]:
    """Node positions in the unit square: a force layout per connected component, packed in rows.

    Each component is laid out on its own (ForceAtlas2 where networkx has
    it, else a spring layout; both seeded) and scaled so that its area grows
    with its number of nodes; the components are then set in rows, largest
    first, and the nodes with no edge in a grid after them. The same graph
    and seed give the same positions.
    """
    undirected = nx.Graph()
    undirected.add_nodes_from(graph.nodes)
    undirected.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    components = sorted((sorted(map(str, c)) for c in nx.connected_components(undirected)), key=lambda c: (-len(c), c))
    by_name = {str(n): n for n in undirected}
    boxes: list[tuple[float, float, dict[Any, tuple[float, float]]]] = []  # width, height, positions from (0, 0)
    singles: list[Any] = []
    for names in components:
        nodes = [by_name[name] for name in names]
        if len(nodes) == 1:
            singles.append(nodes[0])
            continue
        boxes.append(_component_box(undirected.subgraph(nodes), seed))
    gap = 0.8
    area = sum((w + gap) * (h + gap) for w, h, _ in boxes) + len(singles) * gap**2
    width = max([math.sqrt(area) * 1.3] + [w for w, _, _ in boxes])
    placed: dict[Any, tuple[float, float]] = {}
    # rows of columns: the first box of a row sets its height, smaller ones stack in columns beside it
    row_top = row_height = 0.0
    column_left = column_width = column_used = 0.0
    first = True
    for box_width, box_height, positions in boxes:
        if first:
            row_height, column_width, column_used, first = box_height, box_width, box_height, False
            origin = (0.0, 0.0)
        elif column_used + gap + box_height <= row_height and box_width <= max(column_width, 0.0) * 1.5:
            origin = (column_left, row_top + column_used + gap)
            column_used += gap + box_height
            column_width = max(column_width, box_width)
        elif column_left + column_width + gap + box_width <= width:
            column_left += column_width + gap
            origin = (column_left, row_top)
            column_width, column_used = box_width, box_height
            row_height = max(row_height, box_height)
        else:
            row_top += row_height + gap
            column_left, column_width, column_used, row_height = 0.0, box_width, box_height, box_height
            origin = (0.0, row_top)
        placed.update({n: (origin[0] + px, origin[1] + py) for n, (px, py) in positions.items()})
    y = row_top + row_height
    if singles:
        if boxes:
            y += gap
        else:
            y = 0.0
        per_row = max(1, int(width / gap) + 1)
        for index, node in enumerate(singles):
            placed[node] = ((index % per_row) * gap, y + (index // per_row) * gap)
    if not placed:
        return {}
    xs = [p[0] for p in placed.values()]
    ys = [p[1] for p in placed.values()]
    scale = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    # rows grow downwards here, y upwards in pictures: flip so that the first row is on top
    return {n: ((px - min(xs)) / scale, (max(ys) - py) / scale) for n, (px, py) in placed.items()}


def _component_box(graph: nx.Graph, seed: int) -> tuple[float, float, dict[Any, tuple[float, float]]]:
    """A connected component laid out alone: its width, height and positions from (0, 0)."""
    import numpy as np

    raw: Mapping[Any, Any] = {}
    if hasattr(nx, "forceatlas2_layout"):  # networkx >= 3.4
        with np.errstate(all="ignore"):
            # "dissuade hubs": an event with many participants keeps room around it for labels
            raw = nx.forceatlas2_layout(graph, seed=seed, max_iter=300, distributed_action=True)
    if not raw or not all(np.isfinite(p).all() for p in raw.values()):
        options: dict[str, Any] = {"seed": seed, "iterations": 200}
        if "method" in inspect.signature(nx.spring_layout).parameters:
            options["method"] = "force"  # numpy only; "energy" needs SciPy
        raw = nx.spring_layout(graph, **options)
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    # scale so that the bounding box holds about 1.5 units of area per node
    box_area = max((max(xs) - min(xs)) * (max(ys) - min(ys)), 1e-9)
    unit = math.sqrt(box_area / (1.5 * len(graph)))
    positions = {n: ((float(p[0]) - min(xs)) / unit, (float(p[1]) - min(ys)) / unit) for n, p in raw.items()}
    return (max(xs) - min(xs)) / unit, (max(ys) - min(ys)) / unit, positions


def sigma_graph(kg: KnowledgeGraph) -> nx.MultiGraph:
    """The graph as ipysigma draws it: plain JSON attributes, edges undirected with ``head``/``tail`` kept.

    Nodes carry ``label``, ``type``, ``aliases`` (``、``-joined), ``mentions``,
    ``articles`` (a count), ``first_seen``, ``last_seen``, ``degree``,
    ``weighted_degree`` (over relations) and ``community`` when set; edges
    ``relation``, ``weight``, ``date``, ``evidence``, ``head``, ``tail``,
    ``title``, ``role``, ``start`` and ``end``.
    """
    graph = kg.graph
    simple = relation_graph(graph)
    shown = nx.MultiGraph()
    for node, data in graph.nodes(data=True):
        attributes: dict[str, Any] = {
            "label": str(data.get("label", node)),
            "type": str(data.get("type", "")),
            "aliases": "、".join(sorted(str(a) for a in data.get("aliases", ()))),
            "mentions": int(data.get("mentions", 0)),
            "articles": len(data.get("articles", ())),
            "first_seen": _iso(data.get("first_seen")),
            "last_seen": _iso(data.get("last_seen")),
            "degree": int(simple.degree(node)) if node in simple else int(graph.degree(node)),
            "weighted_degree": int(simple.degree(node, weight="weight")) if node in simple else 0,
        }
        if "community" in data:
            attributes["community"] = int(data["community"])
        shown.add_node(str(node), **{k: v for k, v in attributes.items() if v is not None})
    for head, tail, key, data in graph.edges(keys=True, data=True):
        attributes = {
            "relation": str(data.get("relation", key)),
            "weight": int(data.get("weight", 1)),
            "date": _iso(data.get("date")),
            "evidence": data.get("evidence") or None,
            "head": str(graph.nodes[head].get("label", head)),
            "tail": str(graph.nodes[tail].get("label", tail)),
            "title": _joined(data.get("title")),
            "role": _joined(data.get("role")),
            "start": _iso(data.get("start")),
            "end": _iso(data.get("end")),
        }
        shown.add_edge(str(head), str(tail), key=(key, head, tail), **{k: v for k, v in attributes.items() if v is not None})
    return shown


def _iso(value: Any) -> str | None:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return None if value is None else str(value)


def _joined(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, str):
        return value
    return "、".join(sorted(str(v) for v in value))


def _check_size_by(size_by: str) -> None:
    if size_by not in _SIZE_BY:
        raise ValueError(f"size_by must be one of {_SIZE_BY}, not {size_by!r}")


# --------------------------------------------------------------------------
# ipysigma
# --------------------------------------------------------------------------


def sigma_widget(
    kg: KnowledgeGraph,
    *,
    size_by: SizeBy = "degree",
    height: int = 600,
    title: str | None = None,
    raw_height: str | None = None,
    **sigma_options: Any,
) -> Any:
    """The ``ipysigma.Sigma`` widget of the graph (what :func:`show` and :func:`to_html` draw).

    ``sigma_options`` go to ``ipysigma.Sigma`` and override the defaults set here.
    """
    _check_size_by(size_by)
    with requires_extra("notebook", "the interactive graph (show, to_html)"):
        from ipysigma import Sigma

    shown = sigma_graph(kg)
    positions = layout_positions(shown)
    types = sorted({str(t) for _, t in shown.nodes(data="type")}, key=_type_rank)
    relations = sorted({str(r) for _, _, r in shown.edges(data="relation")}, key=_relation_rank)
    options: dict[str, Any] = {
        "name": title or _default_title(kg),
        "height": height,
        "raw_height": raw_height,
        "layout": {n: {"x": x, "y": y} for n, (x, y) in positions.items()},
        "node_color": "type",
        "node_color_palette": {t: TYPE_COLORS.get(t, "#999999") for t in types},
        "max_categorical_colors": max(10, len(types), len(relations)),
        "node_size": size_by,
        "node_size_range": (3, 16),
        "raw_node_label": "label",
        "label_font": CSS_FONTS,
        "label_density": 1,
        "label_grid_cell_size": 140,
        "edge_color": "relation",
        "edge_color_palette": {r: RELATION_COLORS.get(r, "#999999") for r in relations},
        "edge_size": "weight",
        "edge_size_range": (1, 4),
        "edge_weight": "weight",
        "clickable_edges": True,
    }
    options.update(sigma_options)
    return Sigma(shown, **options)


def _type_rank(type_: str) -> tuple[int, str]:
    order = list(TYPE_COLORS)
    return (order.index(type_) if type_ in order else len(order), type_)


def _relation_rank(relation: str) -> tuple[int, str]:
    order = list(RELATION_COLORS)
    return (order.index(relation) if relation in order else len(order), relation)


def _default_title(kg: KnowledgeGraph) -> str:
    center = kg.graph.graph.get("center")
    if center is not None and center in kg.graph:
        return f"{kg.graph.nodes[center].get('label', center)} 的关系网络"
    return "健康产业知识图谱 · knowledge graph"


@lru_cache(maxsize=1)
def _ipysigma_bundle() -> tuple[str, str]:
    """ipysigma's notebook bundle (JavaScript) and version, from the installed package."""
    with requires_extra("notebook", "the interactive graph page (to_html)"):
        import ipysigma

    version = str(getattr(ipysigma, "__version__", "")) or _distribution_version("ipysigma")
    candidates = [
        Path(ipysigma.__file__).parent / "nbextension" / "index.js",
        Path(sys.prefix) / "share" / "jupyter" / "nbextensions" / "ipysigma" / "index.js",
    ]
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8"), version
    raise FileNotFoundError(
        "ipysigma's JavaScript bundle (nbextension/index.js) is not installed; "
        "reinstall it: pip install --force-reinstall ipysigma"
    )


def _distribution_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover
        return ""


def _json_in_script(value: Any) -> str:
    """JSON that cannot end (or confuse) the ``<script>`` element it sits in: every ``<`` is ``\\u003c``."""
    return json.dumps(value, ensure_ascii=False, default=str).replace("<", "\\u003c")


def _js_in_script(code: str) -> str:
    """JavaScript that cannot end its ``<script>`` element: only ``</script`` and ``<!--`` need care."""
    code = _SCRIPT_END.sub(lambda match: "<\\/" + match.group(0)[2:], code)
    return code.replace("<!--", "<\\!--")


def graph_page(
    kg: KnowledgeGraph,
    *,
    title: str | None = None,
    size_by: SizeBy = "degree",
    height: int | None = None,
    **sigma_options: Any,
) -> str:
    """The standalone HTML page of the graph (see :func:`to_html`)."""
    from healthnews_nlp import __version__

    title = title or _default_title(kg)
    widget = sigma_widget(
        kg,
        size_by=size_by,
        title=title,
        height=height or 600,
        raw_height=None if height else "calc(100vh - 80px)",
        **sigma_options,
    )
    state = widget.get_state()
    widget.close()
    bundle, version = _ipysigma_bundle()
    graph = kg.graph
    types = sorted({str(t) for _, t in graph.nodes(data="type")}, key=_type_rank)
    subtitle = (
        f"{graph.number_of_nodes()} nodes · {graph.number_of_edges()} edges · {len(kg.articles)} articles · "
        f"colour: type ({', '.join(types)}) · size: {size_by} · "
        "hover a node for its aliases, an edge for its evidence; click to select"
    )
    colors = {"types": TYPE_COLORS, "relations": RELATION_COLORS}
    template = (Path(__file__).parent / "resources" / "graph_page.html").read_text(encoding="utf-8")
    values = {
        "__HN_VERSION__": html.escape(__version__),
        "__HN_IPYSIGMA_VERSION__": html.escape(version),
        "__HN_TITLE__": html.escape(title),
        "__HN_SUBTITLE__": html.escape(subtitle),
        "__HN_COLORS__": _json_in_script(colors),
        "__HN_STATE__": _json_in_script(state),
        "__HN_IPYSIGMA__": _js_in_script(bundle),
    }
    # one pass over the template: text put in is never searched for placeholders
    return _PLACEHOLDER.sub(lambda match: values[match.group(0)], template)


class GraphPage:
    """The interactive view of a graph as one HTML page: Jupyter shows it, :meth:`save` writes it.

    In a notebook it is drawn in an ``<iframe>`` of ``height`` pixels (plus
    the page's header); ``str(page.html)`` is the standalone page.
    """

    def __init__(self, page: str, *, height: int = 600) -> None:
        self.html = page
        self.height = height

    def __repr__(self) -> str:
        return f"<GraphPage: {len(self.html)} characters of HTML>"

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width:100%;height:{self.height + 80}px;border:1px solid #ddd" '
            'sandbox="allow-scripts allow-downloads allow-popups" loading="lazy"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (atomically) and return the path."""
        target = Path(path)
        with atomic_open(target, "w", encoding="utf-8") as handle:
            handle.write(self.html)
        return target


def show(
    kg: KnowledgeGraph,
    *,
    widget: bool = False,
    size_by: SizeBy = "degree",
    height: int = 600,
    title: str | None = None,
    types: Collection[str] | str | None = None,
    relations: Collection[str] | str | None = None,
    since: Any = None,
    until: Any = None,
    min_weight: int | None = None,
    **sigma_options: Any,
) -> Any:
    """The graph, interactive, in a notebook cell (filters as :func:`healthnews_nlp.analysis.subgraph`).

    Returns a :class:`GraphPage` (displayed as an ``<iframe>``) or, with
    ``widget=True``, the ``ipysigma.Sigma`` widget.
    """
    filters = {"types": types, "relations": relations, "since": since, "until": until, "min_weight": min_weight}
    if any(value is not None for value in filters.values()):
        from healthnews_nlp.analysis import subgraph

        kg = subgraph(kg, **filters)
    if widget:
        return sigma_widget(kg, size_by=size_by, height=height, title=title, **sigma_options)
    return GraphPage(graph_page(kg, title=title, size_by=size_by, height=height, **sigma_options), height=height)


def to_html(
    kg: KnowledgeGraph,
    path: str | Path,
    *,
    title: str | None = None,
    size_by: SizeBy = "degree",
    height: int | None = None,
    **sigma_options: Any,
) -> Path:
    """Write the interactive view as one standalone HTML page that needs neither Jupyter nor a network.

    ``height`` in pixels, or ``None`` to fill the browser window. Returns the path.
    """
    page = graph_page(kg, title=title, size_by=size_by, height=height, **sigma_options)
    return GraphPage(page, height=height or 600).save(path)


# --------------------------------------------------------------------------
# matplotlib
# --------------------------------------------------------------------------


def find_cjk_font() -> tuple[str, str]:
    """``(family name, file)`` of an installed font that draws Chinese, for matplotlib.

    Looks for the fonts of :data:`CJK_FONT_NAMES` first, then for any font
    file on the machine (including ones installed after matplotlib built its
    font cache) whose character map covers a few common Chinese characters.

    Raises
    ------
    FontNotFoundError
        No such font; the message names the package to install (``fonts-noto-cjk``).
    """
    with requires_extra("notebook", "find_cjk_font() (matplotlib's fonts)"):
        from matplotlib import font_manager

    manager = font_manager.fontManager
    by_name: dict[str, str] = {}
    for entry in manager.ttflist:
        by_name.setdefault(entry.name, entry.fname)
    for name in CJK_FONT_NAMES:
        if name in by_name:
            return name, by_name[name]
    known = {entry.fname for entry in manager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known and _draws_chinese(path):
            try:
                manager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # pragma: no cover - a broken font file
                continue
            known.add(path)
    for entry in manager.ttflist:
        if _draws_chinese(entry.fname):
            return entry.name, entry.fname
    raise FontNotFoundError(
        "no installed font can draw Chinese, so the plot's labels would be empty boxes. "
        f"Install one: `apt-get install {CJK_FONT_PACKAGE}` (Debian/Ubuntu), "
        "`dnf install google-noto-sans-cjk-fonts` (Fedora), or any font with Chinese glyphs "
        "(Noto Sans CJK, Source Han Sans, WenQuanYi); or pass font='/path/to/font.otf'."
    )


@lru_cache(maxsize=512)
def _draws_chinese(path: str) -> bool:
    with requires_extra("notebook", "find_cjk_font() (matplotlib's fonts)"):
        from matplotlib import ft2font

    try:
        charmap = ft2font.FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(c) in charmap for c in _PROBE)


def _font(font: str | None) -> tuple[str, str]:
    """The family name and file of ``font`` (a file, or a family matplotlib knows), else a found CJK font."""
    if font is None:
        return find_cjk_font()
    with requires_extra("notebook", "plots (matplotlib)"):
        from matplotlib import font_manager

    if Path(font).is_file():
        font_manager.fontManager.addfont(font)
        name = font_manager.FontProperties(fname=font).get_name()
        return name, font
    for entry in font_manager.fontManager.ttflist:
        if entry.name == font:
            return entry.name, entry.fname
    raise FontNotFoundError(f"font {font!r} is neither a font file nor an installed font family")


def plot(
    kg: KnowledgeGraph,
    path: str | Path | None = None,
    *,
    size_by: SizeBy = "degree",
    labels: Literal["auto", "all"] | int | None = "auto",
    font: str | None = None,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    dpi: int = 150,
) -> Path | Figure:
    """Draw the graph with matplotlib: PNG or SVG by ``path``'s suffix, or the Figure when no path.

    Parameters
    ----------
    size_by
        Node area from ``"degree"``, ``"weighted_degree"`` or ``"mentions"``.
    labels
        ``"auto"`` labels every node of a small graph and the best connected
        ones of a larger graph; ``"all"``; a number of nodes to label; ``None``.
    font
        A font file or family with Chinese glyphs; by default :func:`find_cjk_font`.

    Raises
    ------
    FontNotFoundError
        No font with Chinese glyphs is installed (the message says which package to install).
    """
    _check_size_by(size_by)
    with requires_extra("notebook", "plot() (matplotlib)"):
        from matplotlib import patheffects, rc_context
        from matplotlib.collections import LineCollection
        from matplotlib.lines import Line2D

    font_name, _ = _font(font)
    shown = sigma_graph(kg)
    positions = layout_positions(shown)
    values = {n: float(d.get(size_by, 0)) for n, d in shown.nodes(data=True)}
    biggest = max(values.values(), default=1.0) or 1.0

    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    aspect = (max(ys) - min(ys) + 0.1) / (max(xs) - min(xs) + 0.1)
    width = 14.0
    size = figsize or (width, min(16.0, max(6.0, width * aspect + 1.5)))

    rc = {"font.family": [font_name, "DejaVu Sans"], "axes.unicode_minus": False, "svg.fonttype": "path"}
    with rc_context(rc):
        figure = _notebook_figure()(figsize=size, dpi=dpi, layout="constrained")
        axes = figure.add_subplot()
        axes.set_axis_off()
        relations = sorted({str(r) for _, _, r in shown.edges(data="relation")}, key=_relation_rank)
        for relation in reversed(relations):  # PARTNERS_WITH drawn last, on top
            segments, widths = [], []
            for u, v, data in shown.edges(data=True):
                if data.get("relation") == relation and u in positions and v in positions:
                    segments.append([positions[u], positions[v]])
                    widths.append(0.6 + 0.7 * min(int(data.get("weight", 1)), 5))
            color = RELATION_COLORS.get(relation, "#999999")
            emphasis = relation == "PARTNERS_WITH"
            axes.add_collection(
                LineCollection(
                    segments,
                    colors=color,
                    linewidths=[w * (1.6 if emphasis else 1.0) for w in widths],
                    alpha=0.85 if emphasis else 0.55,
                    zorder=2 if emphasis else 1,
                )
            )
        types = sorted({str(t) for _, t in shown.nodes(data="type")}, key=_type_rank)
        for type_ in types:
            nodes = [n for n, t in shown.nodes(data="type") if t == type_ and n in positions]
            axes.scatter(
                [positions[n][0] for n in nodes],
                [positions[n][1] for n in nodes],
                s=[25 + 320 * (values[n] / biggest) ** 0.8 for n in nodes],
                c=TYPE_COLORS.get(type_, "#999999"),
                edgecolors="#333333",
                linewidths=0.5,
                zorder=3,
            )
        outline = [patheffects.withStroke(linewidth=2.5, foreground="white")]
        for node in _labelled(shown, values, labels):
            x, y = positions[node]
            weight = values[node] / biggest
            axes.annotate(
                shown.nodes[node]["label"],
                (x, y),
                xytext=(0, 5 + 6 * weight),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7 + 5 * weight,
                path_effects=outline,
                zorder=4,
            )
        axes.autoscale_view()
        axes.margins(x=0.1, y=0.04)  # room at the sides for a long name centred on an outer node
        type_handles = [
            Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=TYPE_COLORS.get(t, "#999999"),
                   markeredgecolor="#333333", label=t)
            for t in types
        ]
        relation_handles = [
            Line2D([], [], color=RELATION_COLORS.get(r, "#999999"), linewidth=2.5, label=r) for r in relations
        ]
        if type_handles or relation_handles:
            figure.legend(
                handles=type_handles + relation_handles,
                loc="outside lower center",
                ncols=min(6, len(type_handles) + len(relation_handles)),
                frameon=False,
                fontsize=9,
            )
        graph = kg.graph
        figure.suptitle(
            title
            or f"{_default_title(kg)} — {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
            f"{len(kg.articles)} articles (size: {size_by})",
            fontsize=13,
        )
        if path is None:
            return figure
        target = Path(path)
        suffix = target.suffix.lower().lstrip(".") or "png"
        with atomic_open(target, "wb") as handle:
            figure.savefig(handle, format=suffix, dpi=dpi, facecolor="white")
    return target


def _labelled(shown: nx.MultiGraph, values: Mapping[Any, float], labels: Literal["auto", "all"] | int | None) -> list[Any]:
    ranked = sorted(shown.nodes, key=lambda n: (-values[n], -shown.nodes[n].get("mentions", 0), str(n)))
    if labels is None:
        return []
    if labels == "all":
        return ranked
    if labels == "auto":
        count = len(ranked) if len(ranked) <= 40 else max(40, len(ranked) // 3)
    else:
        count = int(labels)
    return ranked[:count]


def plot_timeline(
    source: KnowledgeGraph | pd.DataFrame,
    path: str | Path | None = None,
    *,
    relations: Collection[str] | str | None = ("PARTNERS_WITH",),
    freq: str = "M",
    font: str | None = None,
    title: str | None = None,
    dpi: int = 150,
) -> Path | Figure:
    """Bars of partnerships reported per period (``statements``) and a line of known pairs (``total_pairs``).

    ``source`` is a graph or a DataFrame from :func:`healthnews_nlp.analysis.timeline`.
    Writes PNG/SVG to ``path``, or returns the Figure.
    """
    with requires_extra("notebook", "plot_timeline() (matplotlib)"):
        from matplotlib import rc_context

    from healthnews_nlp.analysis import timeline

    frame = timeline(source, relations=relations, freq=freq) if not _is_frame(source) else source
    font_name, _ = _font(font)
    with rc_context({"font.family": [font_name, "DejaVu Sans"], "axes.unicode_minus": False, "svg.fonttype": "path"}):
        figure = _notebook_figure()(figsize=(12, 4.5), dpi=dpi, layout="constrained")
        axes = figure.add_subplot()
        labels = [str(p) for p in frame["period"]] if len(frame) else []
        positions = list(range(len(labels)))
        axes.bar(positions, list(frame["statements"]) if len(frame) else [], color=RELATION_COLORS["PARTNERS_WITH"],
                 alpha=0.75, label="statements (reports)")
        axes.set_ylabel("statements per period")
        twin = axes.twinx()
        twin.plot(positions, list(frame["total_pairs"]) if len(frame) else [], color="#333333", marker="o",
                  markersize=3, label="partner pairs known (cumulative)")
        twin.set_ylabel("pairs known")
        twin.set_ylim(bottom=0)
        step = max(1, math.ceil(len(labels) / 24))
        axes.set_xticks(positions[::step], labels[::step], rotation=60, ha="right", fontsize=8)
        handles = axes.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        axes.legend(handles=handles, loc="upper left", frameon=False)
        axes.set_title(title or "合作关系时间线 · partnerships per period")
        if path is None:
            return figure
        target = Path(path)
        with atomic_open(target, "wb") as handle:
            figure.savefig(handle, format=target.suffix.lower().lstrip(".") or "png", dpi=dpi, facecolor="white")
    return target


@lru_cache(maxsize=1)
def _notebook_figure() -> type[Figure]:
    """A matplotlib Figure that Jupyter shows as a picture when a cell returns it.

    The plots are made without pyplot (no global figure state, nothing shown
    twice), so IPython's inline backend never registers them; ``_repr_png_``
    is what IPython's display formatter looks for instead.
    """
    with requires_extra("notebook", "plots (matplotlib)"):
        from matplotlib.figure import Figure

    class NotebookFigure(Figure):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", facecolor="white")
            return buffer.getvalue()

    return NotebookFigure


def _is_frame(value: object) -> bool:
    return type(value).__name__ == "DataFrame"
