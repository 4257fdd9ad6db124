"""The knowledge graph: every article's entities and relations merged into one networkx graph.

:func:`build_graph` turns :class:`~healthnews_nlp.models.ArticleExtraction`
records into a :class:`KnowledgeGraph`, which wraps a
:class:`networkx.MultiDiGraph` (``kg.graph``) that users can analyse with
networkx directly.

Nodes are entities, one per real-world entity across articles (see
:mod:`healthnews_nlp.resolve` for how names and aliases are matched and how
ids are made). Node attributes:

``label``
    The fullest name seen (the longest canonical form).
``type``
    ``ORG``, ``PERSON``, ``LOC`` or ``EVENT`` (``ARTICLE`` for article nodes).
``aliases`` (set)
    Every other surface form seen, including former labels.
``former_labels`` (list)
    Labels the node had before a fuller name arrived, oldest first: the
    record of label changes (the id stays the first one).
``mentions`` (int)
    Mentions over all articles (an entity listed without mention spans counts once).
``articles`` (set)
    Ids of the articles that name it.
``dates`` (set of date), ``first_seen``, ``last_seen`` (date)
    The days of those articles (their publication dates), earliest and latest.
``confidence`` (float)
    How likely the entity is real, the weight of evidence across articles:
    each article's confidence in it combined as independent evidence
    (``1 - (1 - c1)(1 - c2)…``), so an entity seen often is trusted more.

Edges are keyed by their relation type, so ``kg.graph.edges[u, v, "WORKS_FOR"]``
is stable; ``PARTNERS_WITH`` is symmetric and stored once per pair, from the
smaller node id to the larger. Edge attributes:

``label``, ``relation``
    The relation type.
``weight`` (int)
    The number of distinct articles stating it.
``confidence`` (float)
    How likely the relation is right, combined across the articles stating
    it as for nodes.
``articles`` (set)
    Those articles.
``evidence``, ``date``
    One sentence stating it and the day that statement gives: the earliest
    dated statement with a sentence wins, so a growing graph keeps the
    first report.
``dates`` (set of date), ``start``, ``end`` (date)
    Every day it was stated on (the relation's date, else its article's),
    earliest and latest: Gephi's timeline.
``title`` (set, ``WORKS_FOR``), ``role`` (set, ``ORGANIZES``)
    Every title or role stated (副总经理, 主办).

With ``include_articles=True`` each article is a node too (``ARTICLE:<id>``,
labelled with its title, with ``url`` and ``source``) with a ``MENTIONS``
edge to every entity it names (``mentions`` on the edge counts them).

Internal attributes are Python sets, lists and dates; the writers in
:mod:`healthnews_nlp.export` flatten them, and :meth:`KnowledgeGraph.read`
restores them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from healthnews_nlp import export, schema
from healthnews_nlp.models import ArticleExtraction, Entity
from healthnews_nlp.resolve import EntityResolver, is_fuller, match_key

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from healthnews_nlp import display

__all__ = ["ARTICLE", "MENTIONS", "KnowledgeGraph", "build_graph"]

#: Node type of article nodes and relation of their edges (``include_articles=True``).
ARTICLE = "ARTICLE"
MENTIONS = "MENTIONS"

_FORMATS: tuple[export.Format, ...] = ("graphml", "gexf", "json", "csv")
_FILE_NAMES = {"graphml": "{name}.graphml", "gexf": "{name}.gexf", "json": "{name}.json"}


def build_graph(
    extractions: Iterable[ArticleExtraction], *, include_articles: bool = False
) -> KnowledgeGraph:
    """Merge article extractions into one knowledge graph.

    Parameters
    ----------
    extractions
        One record per article, in any order; a lazy iterable is consumed once.
    include_articles
        Also make a node per article with ``MENTIONS`` edges to its entities.

    Returns
    -------
    KnowledgeGraph
        Grow it later with :meth:`KnowledgeGraph.add`.

    Examples
    --------
    >>> from healthnews_nlp.models import ArticleExtraction, Entity, Relation
    >>> record = ArticleExtraction(
    ...     article="a.txt", article_id="a", source="a.txt", title="腾讯牵手深圳三院",
    ...     entities=(Entity(name="腾讯", type="ORG"),
    ...               Entity(name="深圳市第三人民医院", type="ORG", aliases=("深圳三院",))),
    ...     relations=(Relation(head="腾讯", head_type="ORG", type="PARTNERS_WITH",
    ...                         tail="深圳市第三人民医院", tail_type="ORG"),))
    >>> kg = build_graph([record])
    >>> sorted(kg.graph.edges(keys=True))
    [('ORG:深圳市第三人民医院', 'ORG:腾讯', 'PARTNERS_WITH')]
    """
    kg = KnowledgeGraph(include_articles=include_articles)
    kg.add(extractions)
    return kg


class KnowledgeGraph:
    """Entities and relations of many articles as one graph; ``.graph`` is the networkx graph.

    Parameters
    ----------
    graph
        A graph in this class's form to continue from (what :meth:`read`
        passes); by default an empty one.
    include_articles
        Whether :meth:`add` makes article nodes and ``MENTIONS`` edges.

    Notes
    -----
    Adding an article that is already in the graph (same ``article_id``)
    does nothing, so re-running over a folder does not count its articles
    twice; :meth:`add` returns how many articles were new.
    """

    def __init__(self, graph: nx.MultiDiGraph | None = None, *, include_articles: bool = False) -> None:
        self.graph: nx.MultiDiGraph = graph if graph is not None else nx.MultiDiGraph()
        self.include_articles = include_articles
        self._resolver = EntityResolver()
        self._articles: set[str] = set()
        self._article_nodes: dict[str, str] = {}
        for node, data in self.graph.nodes(data=True):
            self._index(node, data)

    def _index(self, node: str, data: dict[str, Any]) -> None:
        """Learn an existing node: its names for resolution, its articles for de-duplication."""
        self._articles.update(data.get("articles", ()))
        if data.get("type") == ARTICLE:
            for article in data.get("articles", ()):
                self._article_nodes[article] = node
            return
        self._resolver.add(
            node,
            str(data.get("type")),
            names=[str(data.get("label", node)), *data.get("former_labels", ())],
            aliases=data.get("aliases", ()),
        )

    # ----------------------------------------------------------------------
    # Growing
    # ----------------------------------------------------------------------

    def add(self, extractions: Iterable[ArticleExtraction] | ArticleExtraction) -> int:
        """Merge more articles into the graph.

        Parameters
        ----------
        extractions
            Records to add (one record is accepted too).

        Returns
        -------
        int
            How many articles were new; records of articles already in the
            graph are skipped.
        """
        if isinstance(extractions, ArticleExtraction):
            extractions = [extractions]
        added = 0
        for extraction in extractions:
            if extraction.article_id in self._articles:
                continue
            self._add_article(extraction)
            added += 1
        return added

    def _add_article(self, extraction: ArticleExtraction) -> None:
        article = extraction.article_id
        day = extraction.date.date() if extraction.date else None
        self._articles.add(article)
        article_node = self._add_article_node(extraction, day) if self.include_articles else None

        by_name: dict[tuple[str, str], str] = {}  # (type, name) -> node, for relation endpoints
        by_form: dict[tuple[str, str], str] = {}  # (type, match key of a name or alias) -> node
        claimed: set[str] = set()
        mentions: Counter[str] = Counter()
        confidence: dict[str, float] = {}  # node -> the article's confidence in it

        def place(entity: Entity) -> str:
            node = by_name.get(entity.key)
            if node is None:
                node = self._resolve(entity, claimed)
                claimed.add(node)
                by_name[entity.key] = node
            self._merge_names(node, entity)
            for form in (entity.name, *entity.aliases):
                by_form.setdefault((entity.type, match_key(form)), node)
            return node

        for entity in extraction.entities:
            node = place(entity)
            mentions[node] += max(1, len(entity.mentions))
            confidence[node] = max(confidence.get(node, 0.0), entity.confidence)

        for relation in extraction.relations:
            ends = []
            for name, type_ in ((relation.head, relation.head_type), (relation.tail, relation.tail_type)):
                node = by_name.get((type_, name)) or by_form.get((type_, match_key(name)))
                if node is None:  # named by the relation only: an entity all the same
                    node = place(Entity(name=name, type=type_, confidence=relation.confidence))
                    mentions[node] += 1
                    confidence[node] = max(confidence.get(node, 0.0), relation.confidence)
                ends.append(node)
            head, tail = ends
            self._state(
                head,
                tail,
                relation.type,
                article=article,
                day=relation.date or day,
                evidence=relation.evidence,
                title=relation.title,
                role=relation.role,
                confidence=relation.confidence,
            )

        for node, count in mentions.items():
            data = self.graph.nodes[node]
            data["mentions"] += count
            data["confidence"] = combined_confidence(data.get("confidence", 0.0), confidence[node])
            data["articles"].add(article)
            if day is not None:
                self._add_day(data, day, "first_seen", "last_seen")
            if article_node is not None:
                self._state(article_node, node, MENTIONS, article=article, day=day, evidence="")
                self.graph.edges[article_node, node, MENTIONS]["mentions"] = count

    def _resolve(self, entity: Entity, claimed: set[str]) -> str:
        node = self._resolver.resolve(entity.type, entity.name, entity.aliases, exclude=claimed)
        if node is None:
            node = self._resolver.new_id(entity.type, entity.name, self.graph)
            self.graph.add_node(
                node,
                label=entity.name,
                type=entity.type,
                aliases=set(),
                former_labels=[],
                mentions=0,
                articles=set(),
                dates=set(),
            )
            self._resolver.add(node, entity.type, names=[entity.name])
        return node

    def _merge_names(self, node: str, entity: Entity) -> None:
        """Grow ``node``'s names by ``entity``'s: the fullest name becomes the label, the rest aliases."""
        data = self.graph.nodes[node]
        if is_fuller(entity.name, data["label"]):
            data["former_labels"].append(data["label"])
            data["aliases"].add(data["label"])
            data["label"] = entity.name
        data["aliases"].update(form for form in (entity.name, *entity.aliases) if form)
        data["aliases"].discard(data["label"])
        forms = (entity.name, *entity.aliases)
        self._resolver.add(node, entity.type, names=[data["label"]], aliases=forms)

    def _add_article_node(self, extraction: ArticleExtraction, day: date | None) -> str:
        node = self._article_nodes.get(extraction.article_id)
        if node is None:
            node = self._resolver.new_id(ARTICLE, extraction.article_id, self.graph)
            self._article_nodes[extraction.article_id] = node
        self.graph.add_node(
            node,
            label=extraction.title or extraction.article,
            type=ARTICLE,
            aliases=set(),
            former_labels=[],
            mentions=0,
            articles={extraction.article_id},
            dates=set(),
            **{k: v for k, v in _page_attributes(extraction) if v},
        )
        if day is not None:
            self._add_day(self.graph.nodes[node], day, "first_seen", "last_seen")
        return node

    @staticmethod
    def _add_day(data: dict[str, Any], day: date, first: str, last: str) -> None:
        data["dates"].add(day)
        data[first] = min(data.get(first) or day, day)
        data[last] = max(data.get(last) or day, day)

    def _state(
        self,
        head: str,
        tail: str,
        relation: str,
        *,
        article: str,
        day: date | None,
        evidence: str,
        title: str | None = None,
        role: str | None = None,
        confidence: float = 1.0,
    ) -> None:
        """Record that ``article`` states ``head -relation-> tail`` (with that ``confidence``)."""
        if relation in schema.symmetric_relations() and tail < head:
            head, tail = tail, head
        if not self.graph.has_edge(head, tail, key=relation):
            self.graph.add_edge(
                head,
                tail,
                key=relation,
                label=relation,
                relation=relation,
                weight=0,
                articles=set(),
                dates=set(),
            )
        data = self.graph.edges[head, tail, relation]
        if article not in data["articles"]:  # an article states a relation once
            data["confidence"] = combined_confidence(data.get("confidence", 0.0), confidence)
        data["articles"].add(article)
        data["weight"] = len(data["articles"])
        if day is not None:
            self._add_day(data, day, "start", "end")
        if _better_evidence(evidence, day, data.get("evidence"), data.get("date")):
            for attribute, value in (("evidence", evidence), ("date", day)):
                if value:
                    data[attribute] = value
                else:
                    data.pop(attribute, None)
        if title:
            data.setdefault("title", set()).add(title)
        if role:
            data.setdefault("role", set()).add(role)

    # ----------------------------------------------------------------------
    # Looking
    # ----------------------------------------------------------------------

    def __len__(self) -> int:
        """The number of nodes (entities, and articles when included)."""
        return int(self.graph.number_of_nodes())

    def __repr__(self) -> str:
        return (
            f"<KnowledgeGraph: {self.graph.number_of_nodes()} nodes, "
            f"{self.graph.number_of_edges()} edges, {len(self._articles)} articles>"
        )

    @property
    def articles(self) -> frozenset[str]:
        """Ids of the articles merged so far."""
        return frozenset(self._articles)

    def nodes_by_type(self) -> dict[str, list[str]]:
        """Node ids grouped by node type (types sorted, nodes in the order they were added)."""
        groups: dict[str, list[str]] = {}
        for node, type_ in self.graph.nodes(data="type"):
            groups.setdefault(str(type_), []).append(node)
        return dict(sorted(groups.items()))

    def summary(self, *, top: int = 10) -> dict[str, Any]:
        """Counts by node type and relation type, and the organizations with the most partners.

        Returns
        -------
        dict
            ``nodes``, ``edges``, ``articles`` (counts); ``node_types`` and
            ``relations`` (count per type, largest first); ``top_partners``:
            up to ``top`` ``{"id", "label", "partners"}`` by the number of
            distinct ``PARTNERS_WITH`` neighbours.
        """
        partners: Counter[str] = Counter()
        for u, v, key in self.graph.edges(keys=True):
            if key == "PARTNERS_WITH" and u != v:
                partners[u] += 1
                partners[v] += 1
        node_types = Counter(str(t) for _, t in self.graph.nodes(data="type"))
        relations = Counter(str(k) for _, _, k in self.graph.edges(keys=True))
        ranked = sorted(partners.items(), key=lambda item: (-item[1], item[0]))[:top]
        return {
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
            "articles": len(self._articles),
            "node_types": dict(node_types.most_common()),
            "relations": dict(relations.most_common()),
            "top_partners": [
                {"id": node, "label": self.graph.nodes[node].get("label", node), "partners": count}
                for node, count in ranked
            ],
        }

    # ----------------------------------------------------------------------
    # Files
    # ----------------------------------------------------------------------

    @classmethod
    def read(
        cls, path: str | Path, *, format: str | None = None, include_articles: bool | None = None  # noqa: A002
    ) -> KnowledgeGraph:
        """Load a graph written by :meth:`write` (GraphML, GEXF or JSON) to grow it further.

        Parameters
        ----------
        path
            The file; the format comes from its suffix unless ``format`` is given.
        include_articles
            Whether later :meth:`add` calls make article nodes; by default,
            whether the file has any.

        Raises
        ------
        healthnews_nlp.export.ExportError
            The file cannot be read or is not a graph this library wrote;
            XML declaring a DOCTYPE is refused.
        """
        graph = export.read_graph(path, format=format)
        if include_articles is None:
            include_articles = any(t == ARTICLE for _, t in graph.nodes(data="type"))
        return cls(graph, include_articles=include_articles)

    def write(
        self, target: str | Path, *, formats: Sequence[str] | None = None, name: str = "graph"
    ) -> list[Path]:
        """Write the graph: one file named ``*.graphml``/``*.gexf``/``*.json``, or several into a folder.

        Parameters
        ----------
        target
            A file whose suffix names the format, or a folder.
        formats
            For a folder: any of ``"graphml"``, ``"gexf"``, ``"json"``,
            ``"csv"`` (default all), written as ``{name}.graphml`` … and
            ``nodes.csv``/``edges.csv``.
        name
            The file name stem in a folder.

        Returns
        -------
        list of Path
            The files written.
        """
        path = Path(target)
        writers = {"graphml": export.write_graphml, "gexf": export.write_gexf, "json": export.write_json}
        suffix_format = {f".{k}": k for k in writers}.get(path.suffix.lower())
        if suffix_format is not None:
            if formats is not None and list(formats) != [suffix_format]:
                raise ValueError(f"{path} is a {suffix_format} file name; formats= is for a folder")
            writers[suffix_format](self, path)
            return [path]
        chosen = list(formats) if formats is not None else list(_FORMATS)
        unknown = [f for f in chosen if f not in _FORMATS]
        if unknown:
            raise ValueError(f"unknown export formats {unknown}; choose from {list(_FORMATS)}")
        written: list[Path] = []
        with export.flattened_once(self):
            for fmt in chosen:
                if fmt == "csv":
                    written.extend(export.write_csv(self, path))
                else:
                    file = path / _FILE_NAMES[fmt].format(name=name)
                    writers[fmt](self, file)
                    written.append(file)
        return written

    # ----------------------------------------------------------------------
    # Exploring (thin wrappers: healthnews_nlp.display, .analysis and .viz do the work)
    # ----------------------------------------------------------------------

    def entity_table(self) -> display.EntityTable:
        """The entities as a table: by type with aliases and counts in Jupyter, ``.to_dataframe()``."""
        from healthnews_nlp import display

        return display.EntityTable.from_graph(self)

    def relation_table(self) -> display.RelationTable:
        """The relations as a table: head, type, tail, date, evidence, weight; ``.to_dataframe()``."""
        from healthnews_nlp import display

        return display.RelationTable.from_graph(self)

    def to_dataframe(self, kind: Literal["entities", "relations"] = "entities") -> pd.DataFrame:
        """Nodes (``display.ENTITY_COLUMNS``) or edges (``display.RELATION_COLUMNS``) as a DataFrame."""
        from healthnews_nlp import display

        return display.dataframe(self, kind)

    def _repr_html_(self) -> str:
        from healthnews_nlp import display

        return display.graph_html(self)

    def subgraph(
        self,
        *,
        types: Collection[str] | str | None = None,
        relations: Collection[str] | str | None = None,
        since: date | datetime | str | None = None,
        until: date | datetime | str | None = None,
        min_weight: int | None = None,
        min_confidence: float | None = None,
        keep_isolated: bool | None = None,
    ) -> KnowledgeGraph:
        """The part of the graph that passes every filter given (see :func:`analysis.subgraph`).

        ``kg.subgraph(types="ORG", relations="PARTNERS_WITH", min_confidence=0.8)``: the
        partnerships between organizations that the evidence makes likely.
        """
        from healthnews_nlp import analysis

        return analysis.subgraph(
            self,
            types=types,
            relations=relations,
            since=since,
            until=until,
            min_weight=min_weight,
            min_confidence=min_confidence,
            keep_isolated=keep_isolated,
        )

    def ego(self, name: str, radius: int = 1, **options: Any) -> KnowledgeGraph:
        """One entity (id, label or alias) and its neighbourhood within ``radius`` relations.

        An unknown name raises :class:`~healthnews_nlp.errors.EntityNotFoundError`
        (a ``KeyError``) that names it and suggests close names.
        """
        from healthnews_nlp import analysis

        return analysis.ego(self, name, radius, **options)

    def top_partners(self, n: int | None = 10, **options: Any) -> pd.DataFrame:
        """Entities by number of partners (``degree``) and articles over them (``weighted_degree``)."""
        from healthnews_nlp import analysis

        return analysis.top_partners(self, n, **options)

    def communities(self, **options: Any) -> pd.DataFrame:
        """Louvain communities, also written as the ``community`` node attribute (for Gephi)."""
        from healthnews_nlp import analysis

        return analysis.communities(self, **options)

    def timeline(self, **options: Any) -> pd.DataFrame:
        """Partnerships reported per month (see ``analysis.timeline``)."""
        from healthnews_nlp import analysis

        return analysis.timeline(self, **options)

    def show(self, **options: Any) -> Any:
        """The interactive ipysigma view in a notebook; filters as :meth:`subgraph` (see ``viz.show``)."""
        from healthnews_nlp import viz

        return viz.show(self, **options)

    def to_html(self, path: str | Path, **options: Any) -> Path:
        """Write the interactive view as a standalone HTML page that works offline (see ``viz.to_html``)."""
        from healthnews_nlp import viz

        return viz.to_html(self, path, **options)

    def plot(self, path: str | Path | None = None, **options: Any) -> Any:
        """Draw the graph with matplotlib and a Chinese font to PNG/SVG, or return the Figure (``viz.plot``)."""
        from healthnews_nlp import viz

        return viz.plot(self, path, **options)

    def plot_timeline(self, path: str | Path | None = None, **options: Any) -> Any:
        """Plot :meth:`timeline` to PNG/SVG, or return the Figure (``viz.plot_timeline``)."""
        from healthnews_nlp import viz

        return viz.plot_timeline(self, path, **options)


def combined_confidence(earlier: float, new: float) -> float:
    """Independent evidence combined: the chance that not every statement is wrong (4 decimals)."""
    return round(1.0 - (1.0 - earlier) * (1.0 - new), 4)


def _better_evidence(
    evidence: str, day: date | None, current: str | None, current_day: date | None
) -> bool:
    """Whether a new statement should replace the edge's evidence: with a sentence, dated, earlier.

    On a tie the statement already there stays, so the first report of a
    relation keeps its place as the graph grows.
    """

    def rank(text: str | None, when: date | None) -> tuple[bool, bool, date]:
        return (not text, when is None, when or date.max)

    return rank(evidence, day) < rank(current, current_day)


def _page_attributes(extraction: ArticleExtraction) -> tuple[tuple[str, str | None], ...]:
    """An article node's source file, URL and site (those it has)."""
    return (("source", extraction.source), ("url", extraction.url), ("site", extraction.site))
