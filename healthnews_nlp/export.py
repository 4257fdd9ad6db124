"""Write a knowledge graph to GraphML, GEXF, node-link JSON and Gephi's CSV tables, and read it back.

Every writer exports a sanitized *copy* (:func:`to_exportable`), never the
caller's graph (networkx's GraphML writer, for one, pops ``G.graph["id"]``):

- sets become ``;``-joined sorted strings, lists and tuples ``;``-joined in
  their order (a ``;`` inside an item becomes the full-width ``；`` so that
  the list reads back as written); dates become ISO strings;
- ``None``, empty strings and empty lists are left out (GraphML cannot tell
  an empty string from a missing value);
- every attribute keeps one type across all nodes (or edges): mixed numbers
  become floats, anything else mixed becomes strings;
- characters XML 1.0 cannot carry are dropped from strings;
- every node has a ``label`` and a ``type``.

Format by format:

- **GraphML** (:func:`write_graphml`): edge ids must be unique in a GraphML
  graph, so edges are keyed ``e0``, ``e1`` … in the file; the relation is
  in the ``relation`` attribute. Attribute names are made XML name tokens.
- **GEXF 1.3** (:func:`write_gexf`): a dynamic graph for Gephi's timeline.
  Each node and edge gets one spell per day it was stated on
  (``<spell start="2022-09-22" end="2022-09-22"/>``), taken from its
  ``dates``; the ``start``/``end`` attributes are left to the spells (GEXF
  reserves them), ``first_seen``, ``last_seen`` and ``date`` stay attributes.
- **JSON** (:func:`write_json`): networkx node-link data, edges under
  ``"edges"`` with their relation as ``"key"``.
- **CSV** (:func:`write_csv`): Gephi's spreadsheet import, ``nodes.csv``
  (``Id``, ``Label``, ``Time Interval``, attributes) and ``edges.csv``
  (``Source``, ``Target``, ``Type``, ``Id``, ``Label``, ``Weight``,
  ``Time Interval``, attributes); ``PARTNERS_WITH`` edges are
  ``Undirected``, the others ``Directed``.

Writes are atomic (:func:`healthnews_nlp.atomic.atomic_open`: a temporary
file beside the target, renamed over it at the end), so a failed export
(full disk, unwritable folder) leaves the old file or nothing, and raises
:class:`ExportError` naming the path. Every writer takes a path or, for the
single-file formats, an open binary file (then the caller owns atomicity).

:func:`read_graph` reads GraphML, GEXF and JSON written here back into the
form :class:`healthnews_nlp.graph.KnowledgeGraph` works on; XML with a
document type declaration is refused before any parser sees it, so entity
expansion and external entities cannot be smuggled in.
"""

from __future__ import annotations

import contextlib
import csv
import errno as errno_codes
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal, Union

import networkx as nx

from healthnews_nlp import schema
from healthnews_nlp.atomic import atomic_open
from healthnews_nlp.errors import HealthNewsError, describe

__all__ = [
    "ExportError",
    "edge_ids",
    "read_graph",
    "to_exportable",
    "write_csv",
    "write_gexf",
    "write_graphml",
    "write_json",
]

Format = Literal["graphml", "gexf", "json", "csv"]
PathOrFile = Union[str, Path, IO[bytes]]


#: Attributes the graph keeps as sets (exported sorted) or lists (exported in order), and dates.
NODE_SETS = frozenset({"aliases", "articles", "dates"})
NODE_LISTS = frozenset({"former_labels"})
NODE_DATES = frozenset({"first_seen", "last_seen"})
EDGE_SETS = frozenset({"articles", "dates", "title", "role"})
EDGE_DATES = frozenset({"date", "start", "end"})
INTEGERS = frozenset({"weight", "mentions"})

_SEPARATOR = ";"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_NAME_TOKEN = re.compile(r"[^\w\-.:]")
_SUFFIXES: dict[str, Format] = {".graphml": "graphml", ".gexf": "gexf", ".json": "json"}


class ExportError(HealthNewsError, OSError):
    """A graph could not be written (or read back); the message starts with the file.

    It is an :class:`OSError` too, so code that already handles I/O errors
    keeps working; ``errno`` is the underlying error's when there was one.
    """

    def __init__(self, path: str | Path, reason: str, *, errno: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
        self.errno = errno  # type: ignore[misc]


# --------------------------------------------------------------------------
# Sanitizing
# --------------------------------------------------------------------------


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _item(value: Any) -> str:
    """One list item as text; ``;`` would split it on reading, so it becomes ``；``."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return _text(str(value)).replace(_SEPARATOR, "；")


def _plain(value: Any) -> Any:
    """``value`` as a scalar a file format can hold: str, int, float or bool; ``None`` to leave out."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return _text(value) or None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        items = sorted(_item(v) for v in value if v is not None and v != "")
    elif isinstance(value, (list, tuple)):
        items = [_item(v) for v in value if v is not None and v != ""]
    elif isinstance(value, Mapping):
        return _text(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    else:
        return _text(str(value)) or None
    return _SEPARATOR.join(items) or None


def _unify(records: list[dict[str, Any]]) -> None:
    """Give every attribute one type across ``records`` (in place): numbers → float, else → str."""
    types: defaultdict[str, set[type]] = defaultdict(set)
    for record in records:
        for name, value in record.items():
            types[name].add(type(value))
    for name, found in types.items():
        if len(found) < 2:
            continue
        numeric = found <= {int, float}
        for record in records:
            if name in record:
                value = record[name]
                if numeric:
                    record[name] = float(value)
                elif isinstance(value, bool):
                    record[name] = str(value).lower()
                else:
                    record[name] = str(value)


def _graph_of(graph: Any) -> nx.MultiDiGraph:
    """The networkx graph behind a :class:`KnowledgeGraph` (its ``.graph``) or a graph itself."""
    inner = getattr(graph, "graph", None)
    if isinstance(inner, nx.Graph):
        return inner  # type: ignore[return-value]
    if isinstance(graph, nx.Graph):
        return graph  # type: ignore[return-value]
    raise TypeError(f"expected a KnowledgeGraph or a networkx graph, got {type(graph).__name__}")


def edge_ids(graph: nx.MultiDiGraph) -> dict[tuple[Any, Any, Any], str]:
    """The id every edge has in the files: ``e0``, ``e1`` … in the graph's edge order.

    One numbering for all formats, so that an edge is ``e12`` in GraphML,
    GEXF and ``edges.csv`` alike.
    """
    return {(u, v, k): f"e{i}" for i, (u, v, k) in enumerate(graph.edges(keys=True))}


def _spells(days: Any) -> list[tuple[str, str]]:
    """One ``(start, end)`` per distinct day of ``days``, ISO dates; items not dates are left out.

    GEXF spells are typed (``timeformat="date"``), so a stray non-date item
    would make the file invalid; the graph's own ``dates`` are always dates.
    """
    if not isinstance(days, (set, frozenset, list, tuple)):
        return []
    parsed = {_day(d) for d in days if d}
    days_only = {d.date() if isinstance(d, datetime) else d for d in parsed if d is not None}
    return [(day.isoformat(), day.isoformat()) for day in sorted(days_only)]


def to_exportable(graph: Any, *, format: Format = "json") -> nx.MultiDiGraph:  # noqa: A002
    """The sanitized copy of ``graph`` that the writer of ``format`` writes.

    Parameters
    ----------
    graph
        A :class:`~healthnews_nlp.graph.KnowledgeGraph` or a networkx graph
        in its form. It is not modified.
    format
        ``"graphml"``, ``"gexf"``, ``"json"`` or ``"csv"``; see the module
        docstring for what each changes.

    Returns
    -------
    networkx.MultiDiGraph
        Flat attributes only (str, int, float, bool). Reading the written
        file back with networkx gives a graph equal to this one, which is
        what the round-trip tests check.
    """
    source = _graph_of(graph)
    xml = format in ("graphml", "gexf")
    out = nx.MultiDiGraph()
    out.graph.update(
        {str(k): v for k, v in ((k, _plain(v)) for k, v in source.graph.items()) if v is not None}
    )
    plain_nodes, plain_edges = _shared_flattening(source) or _flatten(source)

    if format == "gexf":
        node_records = [
            _gexf_record(r, data, _GEXF_NODE_RESERVED) for r, data in zip(plain_nodes, source.nodes.values())
        ]
    else:
        node_records = [dict(r) for r in plain_nodes]
    _unify(node_records)

    ids = edge_ids(source)
    if format == "gexf":
        edge_records = [
            {**_gexf_record(r, data, _GEXF_EDGE_RESERVED), "id": ids[u, v, key]}
            for r, (u, v, key, data) in zip(plain_edges, source.edges(keys=True, data=True))
        ]
    else:
        edge_records = [dict(r) for r in plain_edges]
    _unify(edge_records)
    if format == "gexf":
        _gexf_weights(edge_records)

    if format == "graphml":
        node_records = [{_name_token(k): v for k, v in r.items()} for r in node_records]
        edge_records = [{_name_token(k): v for k, v in r.items()} for r in edge_records]
    for node, record in zip(source.nodes, node_records):
        out.add_node(str(node), **record)
    for (u, v, key), record in zip(source.edges(keys=True), edge_records):
        out.add_edge(str(u), str(v), key=ids[u, v, key] if xml else key, **record)
    return out


def _flatten(source: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every node's and edge's attributes as plain values (what all formats share), in graph order."""
    nodes = []
    for node, data in source.nodes(data=True):
        record = {str(k): v for k, v in ((k, _plain(v)) for k, v in data.items()) if v is not None}
        record.setdefault("label", str(node))
        record.setdefault("type", "UNKNOWN")
        nodes.append(record)
    edges = [
        {str(k): v for k, v in ((k, _plain(v)) for k, v in data.items()) if v is not None}
        for _, _, data in source.edges(data=True)
    ]
    return nodes, edges


#: The flattening of the graph being written in several formats (see :func:`flattened_once`).
_FLAT: ContextVar[tuple[nx.MultiDiGraph, tuple[list[dict[str, Any]], list[dict[str, Any]]]] | None] = (
    ContextVar("healthnews_nlp_export_flat", default=None)
)


def _shared_flattening(source: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """The flattening an enclosing :func:`flattened_once` made of ``source``, if any."""
    shared = _FLAT.get()
    return shared[1] if shared is not None and shared[0] is source else None


@contextlib.contextmanager
def flattened_once(graph: Any) -> Iterator[None]:
    """Exports of ``graph`` in this block flatten its attributes once, not once per format.

    Flattening (sets joined, dates written out, strings cleaned) is about
    half the time of an export of a large graph. The graph must not change
    inside the block.
    """
    source = _graph_of(graph)
    if _shared_flattening(source) is not None:  # an enclosing block has flattened it
        yield
        return
    token = _FLAT.set((source, _flatten(source)))
    try:
        yield
    finally:
        _FLAT.reset(token)


# Names GEXF readers (networkx's, Gephi's) take for the file's own structure (id, edge type,
# parents, viz …) rather than as attributes; "key" would be read back as the edge key. label
# and weight mean the same in both places and stay.
_GEXF_NODE_RESERVED = frozenset({"id", "pid", "start", "end", "spells", "viz", "parents", "slices"})
_GEXF_EDGE_RESERVED = frozenset(
    {"id", "type", "key", "networkx_key", "start", "end", "spells", "viz", "slices"}
)


def _gexf_record(
    record: dict[str, Any], original: Mapping[str, Any], reserved: frozenset[str]
) -> dict[str, Any]:
    """``record`` for GEXF: ``dates`` become spells (instead of ``start``/``end``), reserved names a ``_``.

    Renaming rather than dropping keeps a user's own ``type`` or ``id``
    attribute in the file instead of letting it silently become GEXF
    structure.
    """
    spells = _spells(original.get("dates"))
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name == "dates" and spells:
            continue
        if name in ("start", "end") and spells:
            continue  # the spells carry the same interval, day by day
        out[f"{name}_" if name in reserved else name] = value
    if spells:
        out["spells"] = spells
    return out


def _gexf_weights(records: list[dict[str, Any]]) -> None:
    """GEXF has a number (``xs:double``) as edge ``weight``: another kind is ``weight_``."""
    for record in records:
        value = record.get("weight")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            record["weight_"] = record.pop("weight")


def _name_token(name: str) -> str:
    """``name`` as an XML name token (GraphML's ``attr.name`` is ``xs:NMTOKEN``)."""
    return _NOT_NAME_TOKEN.sub("_", name) or "_"


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def _reason(path: Path, error: OSError) -> str:
    """Why ``path`` could not be written, in words a user can act on."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"cannot write: {parent} is a file, not a folder"
            break
    if error.errno == errno_codes.ENOSPC:
        return "cannot write: no space left on the device"
    if error.errno in (errno_codes.EACCES, errno_codes.EPERM, errno_codes.EROFS):
        return f"cannot write: permission denied ({describe(error)})"
    return f"cannot write: {describe(error)}"


@contextlib.contextmanager
def _output(path: PathOrFile, mode: str = "wb") -> Iterator[IO[Any]]:
    """An open handle for ``path``: atomic for a path, the caller's own for a file object."""
    if hasattr(path, "write"):
        yield path  # type: ignore[misc]
        return
    target = Path(path)  # type: ignore[arg-type]
    try:
        with atomic_open(target, mode) as handle:
            yield handle
    except OSError as error:
        if isinstance(error, ExportError):
            raise
        raise ExportError(target, _reason(target, error), errno=error.errno) from error


def write_graphml(graph: Any, path: PathOrFile) -> None:
    """Write ``graph`` as GraphML (validates against the GraphML 1.0 schema).

    Parameters
    ----------
    graph
        A :class:`~healthnews_nlp.graph.KnowledgeGraph` or a networkx graph in its form.
    path
        A file name (written atomically) or a binary file object.

    Raises
    ------
    ExportError
        The file could not be written; nothing partial is left behind.
    """
    exportable = to_exportable(graph, format="graphml")
    with _output(path) as handle:
        nx.write_graphml_lxml(exportable, handle, encoding="utf-8", prettyprint=True)


def write_gexf(graph: Any, path: PathOrFile) -> None:
    """Write ``graph`` as GEXF 1.3, a dynamic graph whose spells drive Gephi's timeline.

    Parameters and errors as :func:`write_graphml`.
    """
    exportable = to_exportable(graph, format="gexf")
    with _output(path) as handle:
        _stream_gexf(exportable, handle)


_GEXF_NS = "http://gexf.net/1.3"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_GEXF_TYPES: dict[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}
# what a GEXF edge carries as its own XML attributes (as networkx's reader takes them back)
_GEXF_EDGE_OWN = ("id", "label", "weight")


def _stream_gexf(graph: nx.MultiDiGraph, handle: IO[bytes]) -> None:
    """Write an exportable graph as GEXF 1.3, one node or edge at a time.

    networkx's writer builds the whole document in memory before writing it,
    which on a large graph took more time and memory than the graph itself.
    The file is what it wrote (networkx's reader gives the same graph back),
    without its ``networkx_key`` column (an edge's key is its ``id``). Nodes
    and edges are serialised as subtrees inside the elements opened with the
    GEXF namespace as default, so their unprefixed names are in it.
    """
    from lxml import etree

    node_attributes = _gexf_attributes((data for _, data in graph.nodes(data=True)), ("label",), 0)
    edge_attributes = _gexf_attributes(
        (data for _, _, data in graph.edges(data=True)), _GEXF_EDGE_OWN, len(node_attributes)
    )
    dynamic = any("spells" in data for _, data in graph.nodes(data=True)) or any(
        "spells" in data for _, _, data in graph.edges(data=True)
    )
    # GEXF 1.3's <graph> has no name attribute (the schema refuses one): a name goes in <meta>
    graph_attributes = {"defaultedgetype": "directed", "mode": "dynamic" if dynamic else "static"}
    if dynamic:
        graph_attributes["timeformat"] = "date"
    with etree.xmlfile(handle, encoding="utf-8") as xml:
        xml.write_declaration()
        root = {f"{{{_XSI_NS}}}schemaLocation": f"{_GEXF_NS} {_GEXF_NS}/gexf.xsd", "version": "1.3"}
        with xml.element(f"{{{_GEXF_NS}}}gexf", root, nsmap={None: _GEXF_NS, "xsi": _XSI_NS}):
            meta = etree.Element("meta", lastmodifieddate=date.today().isoformat())
            etree.SubElement(meta, "creator").text = "healthnews-nlp"
            if graph.graph.get("name"):
                etree.SubElement(meta, "description").text = str(graph.graph["name"])
            xml.write("\n", meta, pretty_print=True)
            with xml.element(f"{{{_GEXF_NS}}}graph", graph_attributes):
                xml.write("\n")
                for kind, declared in (("node", node_attributes), ("edge", edge_attributes)):
                    if declared:
                        block = etree.Element("attributes", {"class": kind, "mode": "static"})
                        for title, (number, type_name) in declared.items():
                            etree.SubElement(block, "attribute", id=number, title=title, type=type_name)
                        xml.write(block, pretty_print=True)
                with xml.element(f"{{{_GEXF_NS}}}nodes"):
                    xml.write("\n")
                    for node, data in graph.nodes(data=True):
                        element = etree.Element("node", id=str(node), label=str(data.get("label", node)))
                        _gexf_content(element, data, node_attributes)
                        xml.write(element, pretty_print=True)
                with xml.element(f"{{{_GEXF_NS}}}edges"):
                    xml.write("\n")
                    for u, v, key, data in graph.edges(keys=True, data=True):
                        own = {"source": str(u), "target": str(v), "id": str(data.get("id", key))}
                        own.update((n, _gexf_value(data[n])) for n in _GEXF_EDGE_OWN if n in data)
                        element = etree.Element("edge", own)
                        _gexf_content(element, data, edge_attributes)
                        xml.write(element, pretty_print=True)


def _gexf_attributes(
    records: Iterable[Mapping[str, Any]], own: tuple[str, ...], first: int
) -> dict[str, tuple[str, str]]:
    """Title → (id, GEXF type) of every attribute the records hold, numbered from ``first`` in order of appearance."""
    declared: dict[str, tuple[str, str]] = {}
    for record in records:
        for name, value in record.items():
            if name not in declared and name not in own and name != "spells":
                declared[name] = (str(first + len(declared)), _GEXF_TYPES[type(value)])
    return declared


def _gexf_content(element: Any, data: Mapping[str, Any], declared: Mapping[str, tuple[str, str]]) -> None:
    """A node's or edge's spells and attribute values, as networkx's reader expects them."""
    from lxml import etree

    spells = data.get("spells")
    if spells:
        holder = etree.SubElement(element, "spells")
        for start, end in spells:
            etree.SubElement(holder, "spell", start=str(start), end=str(end))
    values = [(declared[name][0], value) for name, value in data.items() if name in declared]
    if values:
        holder = etree.SubElement(element, "attvalues")
        for number, value in values:
            etree.SubElement(holder, "attvalue", {"for": number, "value": _gexf_value(value)})


def _gexf_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"inf": "INF", "-inf": "-INF", "nan": "NaN"}.get(str(value), str(value))
    return str(value)


def write_json(graph: Any, path: PathOrFile) -> None:
    """Write ``graph`` as networkx node-link JSON (``nx.node_link_graph(data, edges="edges")`` reads it).

    Parameters and errors as :func:`write_graphml`.
    """
    data = nx.node_link_data(to_exportable(graph, format="json"), edges="edges")
    # in one piece, without indent: the C encoder's one-shot path, three times faster than
    # json.dump's stream of small writes (the text is smaller than the graph it comes from)
    encoded = (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")
    with _output(path) as handle:
        handle.write(encoded)


_NODE_COLUMNS = ("type", "aliases", "mentions", "articles", "first_seen", "last_seen")
_EDGE_COLUMNS = ("relation", "evidence", "articles", "date", "start", "end", "title", "role")


def _time_interval(days: Any) -> str | None:
    """Gephi's ``Time Interval`` cell: ``<[2021-10-14,2021-10-14];[2022-09-22,2022-09-22]>``."""
    spells = _spells(days)
    return "<" + ";".join(f"[{start},{end}]" for start, end in spells) + ">" if spells else None


def _columns(
    records: Iterable[Mapping[str, Any]], first: Iterable[str], preferred: Iterable[str]
) -> list[str]:
    present: dict[str, None] = {}
    for record in records:
        present.update(dict.fromkeys(record))
    leading = [c for c in first if c in present or c in ("Id", "Label", "Source", "Target")]
    ordered = [c for c in preferred if c in present and c not in leading]
    rest = sorted(c for c in present if c not in leading and c not in ordered)
    return [*leading, *ordered, *rest]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else value


def write_csv(graph: Any, directory: str | Path) -> tuple[Path, Path]:
    """Write ``nodes.csv`` and ``edges.csv`` for Gephi's spreadsheet import into ``directory``.

    Both files are written to temporary files first and renamed only when
    both are complete, so a failure leaves neither half-written.

    Returns
    -------
    tuple of Path
        The nodes and edges files.

    Raises
    ------
    ExportError
        A file could not be written; nothing partial is left behind.
    """
    source = _graph_of(graph)
    exportable = to_exportable(source, format="csv")
    folder = Path(directory)
    ids = edge_ids(source)

    nodes = []
    for (node, data), original in zip(exportable.nodes(data=True), source.nodes):
        record = {
            "Id": node,
            "Label": data.get("label"),
            "Time Interval": _time_interval(source.nodes[original].get("dates")),
        }
        record.update((k, v) for k, v in data.items() if k not in ("label", "dates"))
        nodes.append(record)
    edges = []
    pairs = zip(exportable.edges(keys=True, data=True), source.edges(keys=True))
    for (u, v, key, data), (su, sv, skey) in pairs:
        relation = data.get("relation", key)
        record = {
            "Source": u,
            "Target": v,
            "Type": "Undirected" if relation in schema.symmetric_relations() else "Directed",
            "Id": ids[su, sv, skey],
            "Label": data.get("label", relation),
            "Weight": data.get("weight", 1),
            "Time Interval": _time_interval(source.edges[su, sv, skey].get("dates")),
        }
        record.update((k, v) for k, v in data.items() if k not in ("label", "weight", "dates", "Type"))
        edges.append(record)

    node_columns = _columns(nodes, ("Id", "Label", "Time Interval"), _NODE_COLUMNS)
    edge_columns = _columns(
        edges, ("Source", "Target", "Type", "Id", "Label", "Weight", "Time Interval"), _EDGE_COLUMNS
    )
    nodes_path, edges_path = folder / "nodes.csv", folder / "edges.csv"
    with contextlib.ExitStack() as stack:  # both renames happen only after both files are complete
        for path, columns, records in ((nodes_path, node_columns, nodes), (edges_path, edge_columns, edges)):
            handle = stack.enter_context(_output(path))
            text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow(columns)
            writer.writerows([_cell(r.get(c)) for c in columns] for r in records)
            text.flush()
            text.detach()  # the atomic writer closes the file itself
    return nodes_path, edges_path


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------


def _safe_xml(content: bytes, where: str) -> bytes:
    """``content`` if its XML has no document type declaration, else an error.

    A DOCTYPE is how entity expansion ("billion laughs") and external
    entities get into XML; none of our files has one, so any file that does
    is refused before networkx's parser sees it. lxml reads only up to the
    root element here (a DOCTYPE must come before it), without loading DTDs,
    resolving entities or touching the network, so large graphs are not
    parsed twice.
    """
    from lxml import etree

    events = etree.iterparse(
        io.BytesIO(content),
        events=("start",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        _, root = next(events)
    except (etree.XMLSyntaxError, StopIteration) as error:
        raise ExportError(where, f"not well-formed XML ({error})") from error
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.system_url or info.public_id:
        raise ExportError(where, "refusing XML with a document type declaration (DOCTYPE/ENTITY)")
    return content


def _read_bytes(path: PathOrFile) -> tuple[bytes, str]:
    if hasattr(path, "read"):
        return path.read(), str(getattr(path, "name", "<file>"))  # type: ignore[union-attr]
    target = Path(path)  # type: ignore[arg-type]
    try:
        return target.read_bytes(), str(target)
    except OSError as error:
        raise ExportError(target, f"cannot read: {describe(error)}", errno=error.errno) from error


def _days(value: Any) -> set[date]:
    if value is None:
        return set()
    items = value if isinstance(value, (set, frozenset, list, tuple)) else str(value).split(_SEPARATOR)
    return {d for d in (_day(item) for item in items) if d is not None}


def _day(value: Any) -> date | None:
    if isinstance(value, tuple):  # a GEXF spell
        value = value[0]
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _split(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value]
    return [part for part in str(value).split(_SEPARATOR) if part]


def _internal_node(data: dict[str, Any]) -> dict[str, Any]:
    """Node attributes as read from a file → the graph's own types (sets, lists, dates)."""
    spells = data.pop("spells", None)
    for name in NODE_SETS:
        data[name] = set(_split(data[name])) if name in data else set()
    data["dates"] = _days(data["dates"]) | _days(spells)
    data["former_labels"] = _split(data["former_labels"]) if "former_labels" in data else []
    for name in NODE_DATES:
        if name in data:
            data[name] = _day(data[name])
    data["mentions"] = int(data.get("mentions", 0))
    return data


def _internal_edge(data: dict[str, Any]) -> dict[str, Any]:
    """Edge attributes as read from a file → the graph's own types; GEXF ids and spells dropped."""
    spells = data.pop("spells", None)
    data.pop("id", None)
    data.pop("networkx_key", None)
    for name in EDGE_SETS:
        if name in data:
            data[name] = set(_split(data[name]))
    data["articles"] = data.get("articles", set())
    data["dates"] = _days(data.get("dates")) | _days(spells)
    for name in EDGE_DATES:
        if name in data:
            data[name] = _day(data[name])
    if data["dates"]:
        data.setdefault("start", min(data["dates"]))
        data.setdefault("end", max(data["dates"]))
    for name in INTEGERS:
        value = data.get(name)
        if isinstance(value, float) and value.is_integer():  # GEXF weights read back as floats
            data[name] = int(value)
    return data


def _format_of(path: PathOrFile, format: str | None) -> Format:  # noqa: A002
    if format is not None:
        if format not in ("graphml", "gexf", "json"):
            raise ValueError(f"cannot read format {format!r}; use graphml, gexf or json")
        return format  # type: ignore[return-value]
    suffix = Path(str(getattr(path, "name", path))).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValueError(f"{path}: cannot tell the format from the suffix; pass format=")
    return _SUFFIXES[suffix]


def read_graph(path: PathOrFile, *, format: str | None = None) -> nx.MultiDiGraph:  # noqa: A002
    """Read a graph written by this module back into the graph's own form.

    Parameters
    ----------
    path
        A ``.graphml``, ``.gexf`` or ``.json`` file, or a binary file object
        (then give ``format``).
    format
        ``"graphml"``, ``"gexf"`` or ``"json"``; by default from the suffix.

    Returns
    -------
    networkx.MultiDiGraph
        Edges keyed by their relation again; ``;``-joined lists back as sets
        (``former_labels`` as a list), ISO dates as :class:`datetime.date`,
        GEXF spells back as ``dates`` (and ``start``/``end``).

    Raises
    ------
    ExportError
        The file cannot be read, is not well-formed, or declares a DOCTYPE.
    """
    kind = _format_of(path, format)
    content, where = _read_bytes(path)
    try:
        if kind == "graphml":
            loaded = nx.parse_graphml(_safe_xml(content, where), force_multigraph=True)
        elif kind == "gexf":
            loaded = nx.read_gexf(_WholeReads(_safe_xml(content, where)), version="1.3")
        else:
            data = json.loads(content.decode("utf-8"))
            if not isinstance(data, dict):
                raise ExportError(where, "not a graph this library wrote (not a JSON object)")
            loaded = nx.node_link_graph(data, edges="edges")
        return _internal_graph(loaded)
    except SyntaxError as error:  # xml.etree's ParseError
        raise ExportError(where, f"not well-formed XML ({error})") from error
    except RecursionError as error:  # JSON nested thousands deep
        raise ExportError(where, "not a graph this library wrote (nested too deeply)") from error
    except (ValueError, KeyError, TypeError, OverflowError, nx.NetworkXError) as error:
        reason = f"not a graph this library wrote ({type(error).__name__}: {error})"
        raise ExportError(where, reason) from error


class _WholeReads(io.BytesIO):
    """Bytes that a reader asking for 64 KB at a time gets in one piece.

    networkx reads GEXF with ElementTree, which feeds expat 64 KB at a time;
    expat scans a token that spans chunks anew with each chunk, so one large
    attribute (a 100 MB label) took time quadratic in its size. Fed whole, it
    is parsed once.
    """

    def read(self, size: int | None = -1) -> bytes:
        return super().read()


def _internal_graph(loaded: nx.Graph) -> nx.MultiDiGraph:
    """A graph as networkx read it → the graph's own form (raises on values of the wrong kind)."""
    graph = nx.MultiDiGraph()
    graph.graph.update(
        {k: v for k, v in loaded.graph.items() if k not in ("node_default", "edge_default", "mode")}
    )
    for node, data in loaded.nodes(data=True):
        graph.add_node(node, **_internal_node(dict(data)))
    edges = loaded.edges(keys=True, data=True) if loaded.is_multigraph() else (
        (u, v, None, d) for u, v, d in loaded.edges(data=True)
    )
    for u, v, key, data in edges:
        record = _internal_edge(dict(data))
        graph.add_edge(u, v, key=record.get("relation", key), **record)
    return graph
