"""Analyses of a knowledge graph: filtered views, neighbourhoods, top partners, communities, timeline.

Every function takes a :class:`~healthnews_nlp.graph.KnowledgeGraph`; the
graph methods of the same names (``kg.subgraph(...)``, ``kg.ego(...)``,
``kg.top_partners()``, ``kg.communities()``, ``kg.timeline()``) call them.
Views (:func:`subgraph`, :func:`ego`) are new KnowledgeGraphs holding copies
of the attributes, so they can be shown, plotted, analysed and written like
the whole graph without touching it. Tables are pandas DataFrames (pandas is
imported when one is made).
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from healthnews_nlp.errors import EntityNotFoundError, requires_extra
from healthnews_nlp.resolve import match_key

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from healthnews_nlp.graph import KnowledgeGraph

__all__ = [
    "COMMUNITY_ATTRIBUTE",
    "DateLike",
    "communities",
    "ego",
    "find_node",
    "mark_communities",
    "relation_graph",
    "subgraph",
    "timeline",
    "top_partners",
]

DateLike = date | datetime | str

#: The node attribute :func:`communities` writes (an ``int``; Gephi colours by it as a partition).
COMMUNITY_ATTRIBUTE = "community"

_ARTICLE = "ARTICLE"
_MENTIONS = "MENTIONS"
_TYPE_PREFERENCE = {"ORG": 0, "EVENT": 1, "PERSON": 2, "LOC": 3}
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


def subgraph(
    kg: KnowledgeGraph,
    *,
    types: Collection[str] | str | None = None,
    relations: Collection[str] | str | None = None,
    since: DateLike | None = None,
    until: DateLike | None = None,
    min_weight: int | None = None,
    min_confidence: float | None = None,
    keep_isolated: bool | None = None,
) -> KnowledgeGraph:
    """The part of the graph that passes every filter given, as a new KnowledgeGraph.

    Parameters
    ----------
    types
        Node types to keep (``"ORG"``, ``["ORG", "EVENT"]`` …); edges need both ends kept.
    relations
        Relation types (edge keys) to keep.
    since, until
        Keep the edges stated on a day in this range (both ends included;
        a ``date``, ``datetime`` or ISO string, ``"2021"`` and ``"2021-10"``
        meaning the whole year or month). Nodes stay when an edge they are on
        stays or when they were seen in the range.
    min_weight
        Keep the edges stated by at least this many articles.
    min_confidence
        Keep the nodes and edges whose ``confidence`` (the evidence of every
        article combined) is at least this.
    keep_isolated
        Keep the nodes left without an edge. By default they are dropped when
        edges were filtered (``relations``, ``since``/``until``,
        ``min_weight``, ``min_confidence``) and kept otherwise.
    """
    graph = kg.graph
    wanted_types = _as_set(types)
    wanted_relations = _as_set(relations)
    first = _day(since, end=False) if since is not None else None
    last = _day(until, end=True) if until is not None else None
    dated = first is not None or last is not None
    if keep_isolated is None:
        keep_isolated = wanted_relations is None and not dated and min_weight is None and min_confidence is None

    def confident(data: dict[str, Any]) -> bool:
        return min_confidence is None or float(data.get("confidence", 1.0)) >= min_confidence

    def in_range(days: Iterable[date]) -> bool:
        return any((first is None or day >= first) and (last is None or day <= last) for day in days)

    nodes = {
        n for n, data in graph.nodes(data=True) if (wanted_types is None or data.get("type") in wanted_types) and confident(data)
    }
    edges = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        if u not in nodes or v not in nodes:
            continue
        if wanted_relations is not None and key not in wanted_relations:
            continue
        if min_weight is not None and int(data.get("weight", 0)) < min_weight:
            continue
        if not confident(data):
            continue
        if dated and not in_range(data.get("dates", ())):
            continue
        edges.append((u, v, key))
    on_edges = {n for u, v, _ in edges for n in (u, v)}
    if dated:
        nodes = {n for n in nodes if n in on_edges or in_range(graph.nodes[n].get("dates", ()))}
    if not keep_isolated:
        nodes &= on_edges
    return _view(kg, nodes, edges)


def ego(kg: KnowledgeGraph, name: str, radius: int = 1, *, type: str | None = None) -> KnowledgeGraph:  # noqa: A002
    """An entity and everything within ``radius`` relations of it (either direction), as a new KnowledgeGraph.

    ``name`` is a node id, a label or an alias (``"深圳三院"``); when several
    nodes answer to it, an organization is preferred, then the most mentioned.

    Raises
    ------
    EntityNotFoundError
        No node has that name (a :class:`KeyError`); the message names it and
        suggests close names, also in its ``suggestions``.
    """
    center = find_node(kg, name, type=type)
    undirected = nx.Graph(relation_graph(kg.graph))
    if center not in undirected:  # an article node: its entities are its neighbours
        undirected.add_edges_from((center, v) for v in kg.graph.successors(center))
    nodes = set(nx.single_source_shortest_path_length(undirected, center, cutoff=radius))
    edges = [(u, v, k) for u, v, k in kg.graph.edges(keys=True) if u in nodes and v in nodes]
    view = _view(kg, nodes, edges)
    view.graph.graph["center"] = center
    return view


def find_node(kg: KnowledgeGraph, name: str, *, type: str | None = None) -> str:  # noqa: A002
    """The node id of the entity named ``name`` (an id, a label or an alias; spelling as :func:`match_key`)."""
    graph = kg.graph
    if name in graph and (type is None or graph.nodes[name].get("type") == type):
        return str(name)
    key = match_key(name)
    by_label: list[str] = []
    by_alias: list[str] = []
    for node, data in graph.nodes(data=True):
        if type is not None and data.get("type") != type:
            continue
        labels = [str(data.get("label", node)), *data.get("former_labels", ())]
        if any(match_key(label) == key for label in labels):
            by_label.append(node)
        elif any(match_key(alias) == key for alias in data.get("aliases", ())):
            by_alias.append(node)
    found = by_label or by_alias
    if not found:
        raise EntityNotFoundError(name, _close_names(kg, name, type=type), type=type)
    return min(
        found,
        key=lambda n: (
            _TYPE_PREFERENCE.get(str(graph.nodes[n].get("type")), 9),
            -int(graph.nodes[n].get("mentions", 0)),
            n,
        ),
    )


def _close_names(
    kg: KnowledgeGraph, name: str, *, type: str | None = None, n: int = 5
) -> tuple[str, ...]:  # noqa: A002
    """Up to ``n`` labels like ``name``: those containing it, those in it, then similar spellings.

    With a ``type``, labels of that type; when none is close, labels of any
    type, each followed by its type (``腾讯 (ORG)``), as the type may be what was wrong.
    """
    types = {str(d.get("label", node)): str(d.get("type")) for node, d in kg.graph.nodes(data=True)}
    close = _close_labels(
        sorted(label for label, t in types.items() if type is None or t == type), name, n
    )
    if close or type is None:
        return close
    return tuple(f"{label} ({types[label]})" for label in _close_labels(sorted(types), name, n))


def _close_labels(labels: list[str], name: str, n: int) -> tuple[str, ...]:
    key = match_key(name)
    containing = sorted((label for label in labels if key and key in match_key(label)), key=len)
    contained = sorted(
        (label for label in labels if key and match_key(label) in key), key=len, reverse=True
    )
    similar = difflib.get_close_matches(name, labels, n=n, cutoff=0.3)
    return tuple(dict.fromkeys([*containing, *contained, *similar]))[:n]


def _view(kg: KnowledgeGraph, nodes: Collection[str], edges: Iterable[tuple[str, str, str]]) -> KnowledgeGraph:
    from healthnews_nlp.graph import KnowledgeGraph

    graph = kg.graph
    view = nx.MultiDiGraph()
    view.graph.update(copy.deepcopy(graph.graph))
    view.add_nodes_from((n, copy.deepcopy(d)) for n, d in graph.nodes(data=True) if n in nodes)
    view.add_edges_from((u, v, k, copy.deepcopy(graph.edges[u, v, k])) for u, v, k in edges)
    return KnowledgeGraph(view, include_articles=kg.include_articles)


def _as_set(value: Collection[str] | str | None) -> set[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {value}
    return set(value)


def _day(value: DateLike, *, end: bool) -> date:
    """A day from a date, datetime or ISO string; a year or month means its first (or last) day."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    partial = _YEAR_MONTH.match(text)
    if partial:
        year, month = int(partial.group(1)), partial.group(2)
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        first = date(year, int(month), 1)
        if not end:
            return first
        following = date(year + (first.month == 12), first.month % 12 + 1, 1)
        return following - timedelta(days=1)
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None


# --------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------


def relation_graph(graph: nx.MultiDiGraph, relations: Collection[str] | None = None) -> nx.Graph:
    """The entities as a simple undirected graph, ``weight`` summed over the relations kept.

    Article nodes and ``MENTIONS`` edges are left out; ``relations`` (edge
    keys) restricts the edges counted, ``None`` counting every relation.
    """
    simple = nx.Graph()
    simple.add_nodes_from(n for n, t in graph.nodes(data="type") if t != _ARTICLE)
    for u, v, key, weight in graph.edges(keys=True, data="weight", default=1):
        if key == _MENTIONS or (relations is not None and key not in relations) or u == v:
            continue
        if u not in simple or v not in simple:
            continue
        if simple.has_edge(u, v):
            simple.edges[u, v]["weight"] += weight
        else:
            simple.add_edge(u, v, weight=weight)
    return simple


def top_partners(
    kg: KnowledgeGraph,
    n: int | None = 10,
    *,
    by: Literal["degree", "weighted_degree"] = "degree",
    relations: Collection[str] | str | None = ("PARTNERS_WITH",),
    types: Collection[str] | str | None = None,
) -> pd.DataFrame:
    """The entities with the most partners: columns ``id``, ``name``, ``type``, ``degree``, ``weighted_degree``.

    ``degree`` is the number of distinct entities linked by ``relations``
    (default ``PARTNERS_WITH``; ``None`` for every relation),
    ``weighted_degree`` the sum of those links' weights (articles stating
    them). Sorted by ``by``, then the other measure, then name; entities with
    no such link are left out; ``n=None`` keeps all.
    """
    with requires_extra("notebook", "top_partners() (a pandas table)"):
        import pandas as pd

    if by not in ("degree", "weighted_degree"):
        raise ValueError(f"by must be 'degree' or 'weighted_degree', not {by!r}")
    wanted_types = _as_set(types)
    simple = relation_graph(kg.graph, _as_set(relations))
    rows = []
    for node in simple:
        degree = simple.degree(node)
        data = kg.graph.nodes[node]
        if degree == 0 or (wanted_types is not None and data.get("type") not in wanted_types):
            continue
        rows.append(
            {
                "id": node,
                "name": data.get("label", node),
                "type": data.get("type"),
                "degree": int(degree),
                "weighted_degree": int(simple.degree(node, weight="weight")),
            }
        )
    other = "weighted_degree" if by == "degree" else "degree"
    rows.sort(key=lambda r: (-r[by], -r[other], r["name"], r["id"]))
    frame = pd.DataFrame(rows[:n] if n is not None else rows, columns=["id", "name", "type", "degree", "weighted_degree"])
    return frame


def communities(
    kg: KnowledgeGraph,
    *,
    resolution: float = 1.0,
    seed: int = 42,
    relations: Collection[str] | str | None = None,
    attribute: str = COMMUNITY_ATTRIBUTE,
) -> pd.DataFrame:
    """Louvain communities (NetworkX) of the entities, written to each entity node as ``attribute``.

    The communities are found on the undirected graph of the relations
    (``relations`` to restrict them), edges weighted by the number of
    articles, with a fixed ``seed`` so the result repeats. They are numbered
    from 0 by size, largest first; every entity node gets its number as an
    ``int`` attribute (``community``), which the GraphML and GEXF exports
    carry, so Gephi can colour by it (Appearance ▸ Partition ▸ community).

    Returns
    -------
    pandas.DataFrame
        One row per community: ``community``, ``size``, ``members`` (labels,
        most connected first).
    """
    with requires_extra("notebook", "communities() (a pandas table)"):
        import pandas as pd

    simple = relation_graph(kg.graph, _as_set(relations))
    ordered = _number_communities(kg, simple, resolution=resolution, seed=seed, attribute=attribute)
    labels = {node: str(data.get("label", node)) for node, data in kg.graph.nodes(data=True)}
    degrees = dict(simple.degree())
    rows = []
    for number, members in enumerate(ordered):
        ranked = sorted(members, key=lambda m: (-degrees[m], labels[m])) if len(members) > 1 else members
        rows.append({"community": number, "size": len(members), "members": [labels[m] for m in ranked]})
    return pd.DataFrame(rows, columns=["community", "size", "members"])


def mark_communities(kg: KnowledgeGraph, *, attribute: str = COMMUNITY_ATTRIBUTE) -> None:
    """Write the Louvain communities of :func:`communities` (default options) to the nodes, without the table."""
    _number_communities(kg, relation_graph(kg.graph, None), resolution=1.0, seed=42, attribute=attribute)


def _number_communities(
    kg: KnowledgeGraph, simple: nx.Graph, *, resolution: float, seed: int, attribute: str
) -> list[list[Any]]:
    """The communities of ``simple``, largest first, each written to its nodes as ``attribute``."""
    # an entity without relations is a community of its own; Louvain need not visit
    # the many of them a large corpus has (most names appear without a relation)
    # (a copy, not a subgraph view: a view may iterate its nodes in set order, which
    # changes with Python's hash seed, and Louvain's result with it)
    linked = simple.copy()
    linked.remove_nodes_from([n for n in simple if not simple.degree(n)])
    found = nx.community.louvain_communities(linked, weight="weight", resolution=resolution, seed=seed)
    alone = ([n] for n in simple if not simple.degree(n))
    ordered = sorted([*(sorted(c) for c in found), *alone], key=lambda c: (-len(c), c[0]))
    for number, members in enumerate(ordered):
        for node in members:
            kg.graph.nodes[node][attribute] = number
    return ordered


def timeline(
    kg: KnowledgeGraph,
    *,
    relations: Collection[str] | str | None = ("PARTNERS_WITH",),
    freq: str = "M",
) -> pd.DataFrame:
    """How many partnerships were reported per month (or ``freq="Y"``/``"Q"``), gaps included.

    Columns: ``period`` (a pandas Period), ``statements`` (days on which an
    edge was stated, summed over edges: roughly reports), ``pairs`` (distinct
    linked pairs stated in the period), ``new_pairs`` (pairs first stated in
    the period) and ``total_pairs`` (pairs known by the end of the period).
    ``relations`` chooses the edges (default ``PARTNERS_WITH``; ``None`` for
    every relation). Rows run from the first period with a statement to the
    last; an empty graph gives no rows.
    """
    with requires_extra("notebook", "timeline() (a pandas table)"):
        import pandas as pd

    wanted = _as_set(relations)
    statements: dict[Any, int] = {}
    pairs: dict[Any, set[tuple[str, str]]] = {}
    first_day: dict[tuple[str, str], date] = {}
    for u, v, key, data in kg.graph.edges(keys=True, data=True):
        if key == _MENTIONS or (wanted is not None and key not in wanted):
            continue
        pair = (min(u, v), max(u, v))
        for day in data.get("dates", ()):
            period = pd.Period(day, freq=freq)
            statements[period] = statements.get(period, 0) + 1
            pairs.setdefault(period, set()).add(pair)
            first_day[pair] = min(first_day.get(pair, day), day)
    new: dict[Any, int] = {}
    for day in first_day.values():
        period = pd.Period(day, freq=freq)
        new[period] = new.get(period, 0) + 1
    columns = ["period", "statements", "pairs", "new_pairs", "total_pairs"]
    if not statements:
        return pd.DataFrame(columns=columns)
    periods = pd.period_range(min(statements), max(statements), freq=freq)
    frame = pd.DataFrame(
        {
            "period": periods,
            "statements": [statements.get(p, 0) for p in periods],
            "pairs": [len(pairs.get(p, ())) for p in periods],
            "new_pairs": [new.get(p, 0) for p in periods],
        }
    )
    frame["total_pairs"] = frame["new_pairs"].cumsum()
    return frame[columns]
