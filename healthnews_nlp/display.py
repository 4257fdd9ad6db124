"""Rich display in Jupyter: entity and relation tables, DataFrames, and articles with entities highlighted.

:class:`EntityTable` and :class:`RelationTable` are small read-only
collections of rows (plain dicts with the columns :data:`ENTITY_COLUMNS` and
:data:`RELATION_COLUMNS`) made from one :class:`~healthnews_nlp.models.ArticleExtraction`
(``extraction.entity_table()``) or a whole :class:`~healthnews_nlp.graph.KnowledgeGraph`
(``kg.entity_table()``). Both show themselves in Jupyter as compact HTML
tables (``_repr_html_``) and become pandas DataFrames with :meth:`to_dataframe`;
the column names are fixed, so code written against one article's table works
on a corpus graph's.

:func:`render` shows an article with its entity mentions highlighted by
displaCy (one colour per type, :data:`TYPE_COLORS`) and its relations listed
under the text.

pandas is imported only by ``to_dataframe``; nothing here needs Jupyter.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from healthnews_nlp import schema
from healthnews_nlp.errors import requires_extra

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from spacy.tokens import Doc

    from healthnews_nlp.graph import KnowledgeGraph
    from healthnews_nlp.models import Article, ArticleExtraction, Entity, Relation

__all__ = [
    "ENTITY_COLUMNS",
    "RELATION_COLORS",
    "RELATION_COLUMNS",
    "TYPE_COLORS",
    "EntityTable",
    "RelationTable",
    "RenderedHTML",
    "extraction_html",
    "graph_html",
    "render",
]

#: One colour per entity type (``resources/entity_types.tsv``), shared by displaCy, the interactive
#: graph and the static plot; articles are the graph's extra node type.
TYPE_COLORS: dict[str, str] = {
    **{name: kind.color for name, kind in schema.entity_types().items()},
    "ARTICLE": "#bdbdbd",
}
#: One colour per relation type (``resources/relation_types.tsv``), and the article links.
RELATION_COLORS: dict[str, str] = {
    **{name: kind.color for name, kind in schema.relation_types().items()},
    "MENTIONS": "#dddddd",
}
_TYPE_ORDER = {t: i for i, t in enumerate(TYPE_COLORS)}
_RELATION_ORDER = {r: i for i, r in enumerate(RELATION_COLORS)}

#: Columns of an entity table and its DataFrame, in this order.
#: ``id`` is the graph node id (``TYPE:name`` for one article); ``name`` the
#: fullest name; ``aliases`` a tuple of the other names; ``mentions`` how often
#: it is named; ``articles`` in how many articles; ``confidence`` how likely it
#: is right (the evidence of every article combined); ``first_seen``/``last_seen``
#: the earliest and latest article dates.
ENTITY_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "type",
    "aliases",
    "mentions",
    "articles",
    "confidence",
    "first_seen",
    "last_seen",
)
#: Columns of a relation table and its DataFrame, in this order.
#: ``head``/``tail`` are entity names, ``type`` the relation type, ``date``
#: the day the evidence sentence gives, ``evidence`` that sentence,
#: ``weight`` the number of articles stating it (1 for one article),
#: ``confidence`` how likely it is right (every article's evidence combined),
#: ``start``/``end`` its first and last day, ``title``/``role`` what the text
#: says (``、``-joined in a graph), ``cue`` the trigger word (one article only),
#: ``head_id``/``tail_id`` the graph node ids.
RELATION_COLUMNS: tuple[str, ...] = (
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
)
_DATE_COLUMNS = frozenset({"first_seen", "last_seen", "date", "start", "end"})

Kind = Literal["entities", "relations"]


class RenderedHTML(str):
    """An HTML string that Jupyter shows as HTML (``str(x)`` is the markup, to save or embed)."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


class _Table(Sequence[dict[str, Any]]):
    columns: tuple[str, ...] = ()

    def __init__(self, rows: Iterable[Mapping[str, Any]], *, title: str | None = None, max_rows: int = 20) -> None:
        self._rows = tuple({c: row.get(c) for c in self.columns} for row in rows)
        self.title = title
        self.max_rows = max_rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        return self._rows[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._rows)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self)} rows>"

    def to_dataframe(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame with exactly :attr:`columns`; date columns are ``datetime64``."""
        with requires_extra("notebook", "to_dataframe()"):
            import pandas as pd

        frame = pd.DataFrame(list(self._rows), columns=list(self.columns))
        for column in self.columns:
            if column in _DATE_COLUMNS:
                frame[column] = pd.to_datetime(frame[column])
        return frame


class EntityTable(_Table):
    """Entities (of one article or of a graph) as rows with :data:`ENTITY_COLUMNS`, by type then mentions.

    Shows in Jupyter grouped by type, with aliases and counts; at most
    ``max_rows`` rows per type in the HTML (the DataFrame has all).
    """

    columns = ENTITY_COLUMNS

    def __init__(self, rows: Iterable[Mapping[str, Any]], *, title: str | None = None, max_rows: int = 20) -> None:
        ordered = sorted(
            rows,
            key=lambda r: (_TYPE_ORDER.get(str(r.get("type")), 99), -int(r.get("mentions") or 0), str(r.get("name"))),
        )
        super().__init__(ordered, title=title, max_rows=max_rows)

    @classmethod
    def from_extraction(cls, extraction: ArticleExtraction, *, max_rows: int = 50) -> EntityTable:
        day = extraction.date.date() if extraction.date else None
        return cls(
            (_entity_row(entity, day) for entity in extraction.entities),
            title=f"{len(extraction.entities)} entities",
            max_rows=max_rows,
        )

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph, *, max_rows: int = 10) -> EntityTable:
        rows = []
        for node, data in kg.graph.nodes(data=True):
            if data.get("type") == "ARTICLE":
                continue
            rows.append(
                {
                    "id": node,
                    "name": data.get("label", node),
                    "type": data.get("type"),
                    "aliases": tuple(sorted(data.get("aliases", ()))),
                    "mentions": int(data.get("mentions", 0)),
                    "articles": len(data.get("articles", ())),
                    "confidence": float(data.get("confidence", 1.0)),
                    "first_seen": data.get("first_seen"),
                    "last_seen": data.get("last_seen"),
                }
            )
        return cls(rows, title=f"{len(rows)} entities", max_rows=max_rows)

    def counts(self) -> dict[str, int]:
        """Number of entities per type, in type order."""
        counts: dict[str, int] = {}
        for row in self._rows:
            counts[str(row["type"])] = counts.get(str(row["type"]), 0) + 1
        return counts

    def _repr_html_(self) -> str:
        counts = self.counts()
        summary = " · ".join(f"{_badge(t)} {n}" for t, n in counts.items()) or "no entities"
        parts = [_caption(self.title, summary), _TABLE_OPEN]
        parts.append(_header_row(["name", "aliases", "mentions", "articles", "confidence"]))
        shown: dict[str, int] = {}
        for row in self._rows:
            type_ = str(row["type"])
            if type_ not in shown:
                shown[type_] = 0
                parts.append(
                    f'<tr><th colspan="5" style="{_GROUP_STYLE}">{_badge(type_)} '
                    f"{counts[type_]}</th></tr>"
                )
            shown[type_] += 1
            if shown[type_] > self.max_rows:
                if shown[type_] == self.max_rows + 1:
                    more = counts[type_] - self.max_rows
                    parts.append(f'<tr><td colspan="5" style="{_CELL_STYLE}color:#888">… {more} more</td></tr>')
                continue
            parts.append(
                "<tr>"
                f'<td style="{_CELL_STYLE}">{_esc(row["name"])}</td>'
                f'<td style="{_CELL_STYLE}color:#555">{_esc("、".join(row["aliases"] or ()))}</td>'
                f'<td style="{_CELL_STYLE}text-align:right">{row["mentions"]}</td>'
                f'<td style="{_CELL_STYLE}text-align:right">{row["articles"]}</td>'
                f'<td style="{_CELL_STYLE}text-align:right">{row["confidence"]:.2f}</td>'
                "</tr>"
            )
        parts.append("</table></div>")
        return "".join(parts)


class RelationTable(_Table):
    """Relations (of one article or of a graph) as rows with :data:`RELATION_COLUMNS`.

    Shows in Jupyter as head, type, tail, date and evidence (and weight for a
    graph); at most ``max_rows`` rows in the HTML (the DataFrame has all).
    """

    columns = RELATION_COLUMNS

    def __init__(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        title: str | None = None,
        max_rows: int = 50,
        show_weight: bool = False,
    ) -> None:
        super().__init__(rows, title=title, max_rows=max_rows)
        self.show_weight = show_weight

    @classmethod
    def from_relations(
        cls, relations: Iterable[Relation], *, day: date | None = None, max_rows: int = 100
    ) -> RelationTable:
        rows = [_relation_row(relation, day) for relation in relations]
        return cls(rows, title=f"{len(rows)} relations", max_rows=max_rows)

    @classmethod
    def from_extraction(cls, extraction: ArticleExtraction, *, max_rows: int = 100) -> RelationTable:
        day = extraction.date.date() if extraction.date else None
        return cls.from_relations(extraction.relations, day=day, max_rows=max_rows)

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph, *, max_rows: int = 30) -> RelationTable:
        graph = kg.graph
        rows = []
        for head, tail, key, data in graph.edges(keys=True, data=True):
            if key == "MENTIONS":
                continue
            rows.append(
                {
                    "head": graph.nodes[head].get("label", head),
                    "head_type": graph.nodes[head].get("type"),
                    "type": data.get("relation", key),
                    "tail": graph.nodes[tail].get("label", tail),
                    "tail_type": graph.nodes[tail].get("type"),
                    "date": data.get("date"),
                    "evidence": data.get("evidence"),
                    "weight": int(data.get("weight", 1)),
                    "confidence": float(data.get("confidence", 1.0)),
                    "start": data.get("start"),
                    "end": data.get("end"),
                    "title": _joined(data.get("title")),
                    "role": _joined(data.get("role")),
                    "cue": None,
                    "head_id": head,
                    "tail_id": tail,
                }
            )
        rows.sort(
            key=lambda r: (
                _RELATION_ORDER.get(str(r["type"]), 99),
                -r["weight"],
                r["start"] or date.max,
                str(r["head"]),
                str(r["tail"]),
            )
        )
        return cls(rows, title=f"{len(rows)} relations", max_rows=max_rows, show_weight=True)

    def counts(self) -> dict[str, int]:
        """Number of relations per type, largest first."""
        counts: dict[str, int] = {}
        for row in self._rows:
            counts[str(row["type"])] = counts.get(str(row["type"]), 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def _repr_html_(self) -> str:
        summary = " · ".join(f"{_relation_badge(t)} {n}" for t, n in self.counts().items()) or "no relations"
        names = ["head", "type", "tail", "date", "evidence", "confidence"] + (["weight"] if self.show_weight else [])
        parts = [_caption(self.title, summary), _TABLE_OPEN, _header_row(names)]
        for row in self._rows[: self.max_rows]:
            evidence = str(row["evidence"] or "")
            short = evidence if len(evidence) <= 80 else evidence[:79] + "…"
            cells = [
                f'<td style="{_CELL_STYLE}">{_esc(row["head"])}</td>',
                f'<td style="{_CELL_STYLE}">{_relation_badge(str(row["type"]))}</td>',
                f'<td style="{_CELL_STYLE}">{_esc(row["tail"])}</td>',
                f'<td style="{_CELL_STYLE}white-space:nowrap">{_esc(_iso(row["date"]))}</td>',
                f'<td style="{_CELL_STYLE}color:#444" title="{_esc(evidence)}">{_esc(short)}</td>',
                f'<td style="{_CELL_STYLE}text-align:right">{row["confidence"]:.2f}</td>',
            ]
            if self.show_weight:
                cells.append(f'<td style="{_CELL_STYLE}text-align:right">{row["weight"]}</td>')
            parts.append("<tr>" + "".join(cells) + "</tr>")
        if len(self._rows) > self.max_rows:
            parts.append(
                f'<tr><td colspan="{len(names)}" style="{_CELL_STYLE}color:#888">'
                f"… {len(self._rows) - self.max_rows} more (to_dataframe() has all)</td></tr>"
            )
        parts.append("</table></div>")
        return "".join(parts)


def _entity_row(entity: Entity, day: date | None) -> dict[str, Any]:
    return {
        "id": f"{entity.type}:{entity.name}",
        "name": entity.name,
        "type": entity.type,
        "aliases": tuple(entity.aliases),
        "mentions": max(1, len(entity.mentions)),
        "articles": 1,
        "confidence": entity.confidence,
        "first_seen": day,
        "last_seen": day,
    }


def _relation_row(relation: Relation, day: date | None) -> dict[str, Any]:
    when = relation.date or day
    return {
        "head": relation.head,
        "head_type": relation.head_type,
        "type": relation.type,
        "tail": relation.tail,
        "tail_type": relation.tail_type,
        "date": relation.date,
        "evidence": relation.evidence or None,
        "weight": 1,
        "confidence": relation.confidence,
        "start": when,
        "end": when,
        "title": relation.title,
        "role": relation.role,
        "cue": relation.cue,
        "head_id": f"{relation.head_type}:{relation.head}",
        "tail_id": f"{relation.tail_type}:{relation.tail}",
    }


def dataframe(source: ArticleExtraction | KnowledgeGraph, kind: Kind = "entities") -> pd.DataFrame:
    """``source.to_dataframe(kind)``: the entity or relation table of an extraction or a graph."""
    if kind not in ("entities", "relations"):
        raise ValueError(f"kind must be 'entities' or 'relations', not {kind!r}")
    table: _Table
    if _is_graph(source):
        table = EntityTable.from_graph(source) if kind == "entities" else RelationTable.from_graph(source)  # type: ignore[arg-type]
    else:
        table = (
            EntityTable.from_extraction(source)  # type: ignore[arg-type]
            if kind == "entities"
            else RelationTable.from_extraction(source)  # type: ignore[arg-type]
        )
    return table.to_dataframe()


def _is_graph(value: object) -> bool:
    from healthnews_nlp.graph import KnowledgeGraph

    return isinstance(value, KnowledgeGraph)


# --------------------------------------------------------------------------
# Whole records
# --------------------------------------------------------------------------


def extraction_html(extraction: ArticleExtraction) -> str:
    """An extraction as HTML: title and date, then its entities by type and its relations."""
    when = extraction.date.date().isoformat() if extraction.date else "no date"
    head = (
        f'<div style="font-weight:bold;margin:4px 0">{_esc(extraction.title)}</div>'
        f'<div style="color:#666;font-size:90%;margin-bottom:6px">{_esc(extraction.article)} · {when} · '
        f"id {_esc(extraction.article_id)}</div>"
    )
    entities = EntityTable.from_extraction(extraction)._repr_html_()
    relations = RelationTable.from_extraction(extraction)._repr_html_()
    return f'<div class="hn-extraction">{head}{entities}{relations}</div>'


def graph_html(kg: KnowledgeGraph) -> str:
    """A graph as HTML: node, edge and article counts, top entities per type, strongest relations."""
    graph = kg.graph
    head = (
        f'<div style="font-weight:bold;margin:4px 0">KnowledgeGraph: {graph.number_of_nodes()} nodes, '
        f"{graph.number_of_edges()} edges, {len(kg.articles)} articles</div>"
    )
    entities = EntityTable.from_graph(kg)._repr_html_()
    relations = RelationTable.from_graph(kg)
    ranked = sorted(relations, key=lambda r: (-r["weight"], _RELATION_ORDER.get(str(r["type"]), 99)))
    strongest = RelationTable(
        ranked, title=f"{len(relations)} relations, strongest first", max_rows=15, show_weight=True
    )
    return f'<div class="hn-graph">{head}{entities}{strongest._repr_html_()}</div>'


# --------------------------------------------------------------------------
# displaCy
# --------------------------------------------------------------------------


def render(doc_or_extraction: Doc | ArticleExtraction, article: Article | str | None = None) -> RenderedHTML:
    """An article with its entities highlighted (displaCy, a colour per type) and its relations listed under it.

    Parameters
    ----------
    doc_or_extraction
        A spaCy ``Doc`` made by :func:`healthnews_nlp.load` (its resolved
        entities and relations, else ``doc.ents``), or an
        :class:`~healthnews_nlp.models.ArticleExtraction`.
    article
        For an extraction: the :class:`~healthnews_nlp.models.Article` (or its
        clean text) the mention offsets refer to. By default the article is
        read again from ``extraction.source``.

    Returns
    -------
    RenderedHTML
        A ``str`` of HTML that Jupyter displays as the highlighted article.

    Raises
    ------
    ValueError
        An extraction's article text is not given and cannot be read from its source.
    """
    from healthnews_nlp.models import ArticleExtraction

    if isinstance(doc_or_extraction, ArticleExtraction):
        extraction = doc_or_extraction
        text = _article_text(extraction, article)
        entities: Sequence[Entity] = extraction.entities
        relations: Sequence[Relation] = extraction.relations
        day = extraction.date.date() if extraction.date else None
    else:
        doc = doc_or_extraction
        text = doc.text
        entities, relations = _doc_records(doc)
        day = None
    spans = _spans(text, entities)
    if spans:
        from spacy import displacy

        data = {"text": text, "ents": spans, "title": None}  # an article's text starts with its title
        options = {"ents": list(TYPE_COLORS), "colors": TYPE_COLORS}
        body = displacy.render(data, style="ent", manual=True, options=options, page=False, jupyter=False)
    else:
        body = f'<div style="line-height:2;white-space:pre-wrap">{_esc(text)}</div>'
    table = RelationTable.from_relations(relations, day=day)
    return RenderedHTML(f'<div class="hn-render">{body}{table._repr_html_()}</div>')


def _doc_records(doc: Doc) -> tuple[Sequence[Entity], Sequence[Relation]]:
    from healthnews_nlp.models import Entity, Mention

    entities: Sequence[Entity]
    if doc.has_extension("entities"):
        entities = tuple(doc._.entities)
    else:
        entities = tuple(
            Entity(
                name=ent.text,
                type=ent.label_,
                mentions=(Mention(start=ent.start_char, end=ent.end_char, text=ent.text),),
            )
            for ent in doc.ents
            if ent.label_ in TYPE_COLORS
        )
    relations = tuple(doc._.relations) if doc.has_extension("relations") else ()
    return entities, relations


def _spans(text: str, entities: Iterable[Entity]) -> list[dict[str, Any]]:
    """Non-overlapping mention spans in text order (a longer mention wins an overlap)."""
    candidates = [
        (m.start, m.end, entity.type)
        for entity in entities
        for m in entity.mentions
        if 0 <= m.start < m.end <= len(text) and text[m.start : m.end] == m.text
    ]
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int, str]] = []
    for start, end, label in candidates:
        if all(end <= s or e <= start for s, e, _ in taken):
            taken.append((start, end, label))
    return [{"start": s, "end": e, "label": label} for s, e, label in sorted(taken)]


def _article_text(extraction: ArticleExtraction, article: Article | str | None) -> str:
    if isinstance(article, str):
        return article
    if article is not None:
        return article.text
    from healthnews_nlp.ingest.readers import read_articles
    from healthnews_nlp.models import Article

    source = Path(extraction.source)
    if source.exists():
        for candidate in read_articles(source):
            if isinstance(candidate, Article) and candidate.id == extraction.article_id:
                return candidate.text
    raise ValueError(
        f"{extraction.source}: cannot read the text of article {extraction.article_id}; "
        "pass it as render(extraction, article)"
    )


# --------------------------------------------------------------------------
# HTML helpers
# --------------------------------------------------------------------------

_TABLE_OPEN = '<div style="overflow-x:auto"><table style="border-collapse:collapse;font-size:90%;margin:2px 0 10px">'
_CELL_STYLE = "padding:2px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top;"
_GROUP_STYLE = "padding:6px 8px 2px;text-align:left;border-bottom:1px solid #ccc;"


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _iso(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def _joined(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, str):
        return value
    return "、".join(sorted(str(v) for v in value))


def _badge(type_: str) -> str:
    color = TYPE_COLORS.get(type_, "#ddd")
    return f'<span style="background:{color};padding:0 6px;border-radius:3px;font-weight:bold">{_esc(type_)}</span>'


def _relation_badge(relation: str) -> str:
    color = RELATION_COLORS.get(relation, "#999")
    return (
        f'<span style="color:{color};font-family:monospace;font-weight:bold;white-space:nowrap">'
        f"{_esc(relation)}</span>"
    )


def _caption(title: str | None, summary: str) -> str:
    title_html = f"<b>{_esc(title)}</b>: " if title else ""
    return f'<div style="margin:6px 0 2px">{title_html}{summary}</div>'


def _header_row(names: Sequence[str]) -> str:
    cells = "".join(f'<th style="{_CELL_STYLE}border-bottom:1px solid #999">{_esc(n)}</th>' for n in names)
    return f"<tr>{cells}</tr>"
