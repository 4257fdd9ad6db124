"""Typed, immutable records that flow through the library.

Every record is a frozen pydantic model with ``extra="forbid"`` and tuples
instead of lists, so a record can be hashed, shared between threads and
written to JSON and read back without loss (``model_dump_json`` /
``model_validate_json``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date as date_type
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from healthnews_nlp import schema
from healthnews_nlp.ingest.offsets import OffsetMap

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from healthnews_nlp.display import EntityTable, RelationTable


def _entity_type(value: str) -> str:
    if value not in schema.entity_types():
        raise ValueError(f"unknown entity type {value!r} (the ontology has {', '.join(schema.entity_types())})")
    return value


def _relation_type(value: str) -> str:
    if value not in schema.relation_types():
        raise ValueError(f"unknown relation type {value!r} (the ontology has {', '.join(schema.relation_types())})")
    return value


#: An entity type of the ontology (``resources/entity_types.tsv``: ORG, PERSON, LOC, EVENT).
EntityType = Annotated[str, AfterValidator(_entity_type)]
#: A relation type of the ontology (``resources/relation_types.tsv``).
RelationType = Annotated[str, AfterValidator(_relation_type)]
ArticleFormat = Literal["hexo", "html", "newspage", "text", "jsonl", "csv"]
Script = Literal["simplified", "traditional"]


class Record(BaseModel):
    """Base of all records: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Article(Record):
    """One news article: its metadata, the raw source and the clean text.

    ``text`` is simplified Chinese with page furniture, markup and pinyin
    annotations removed; its first paragraph is the title. ``offsets`` maps
    each of its characters to the span of ``raw`` it came from, so
    :meth:`source_span` can always show the original words behind an
    extraction. ``url`` and ``site`` are the page's canonical URL and source site (a
    web page's tags, a record's field). ``dateline`` is the span of the dateline and byline
    (``中新网北京12月21日电 (记者 杜燕)``): kept in the text, but not a place
    to look for entities. For records of a JSONL or CSV collection, ``raw``
    is the record's title and text joined by a line break.
    """

    id: str
    source: str
    record: int | None = None
    format: ArticleFormat
    title: str
    date: datetime | None = None
    url: str | None = None
    site: str | None = None
    author: str | None = None
    categories: tuple[str, ...] = ()
    image_urls: tuple[str, ...] = ()
    script: Script
    raw: str
    text: str
    paragraphs: tuple[tuple[int, int], ...]
    dateline: tuple[int, int] | None = None
    offsets: OffsetMap

    @field_validator("date")
    @classmethod
    def _timezone_aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("date must be timezone-aware")
        return value

    @property
    def name(self) -> str:
        """The file's name, with ``:record`` for a record of a collection: how extractions and
        gold files name the article."""
        file = Path(self.source).name
        return file if self.record is None else f"{file}:{self.record}"

    def source_span(self, start: int, end: int) -> str:
        """The raw source text behind the clean characters ``start:end``."""
        raw_start, raw_end = self.offsets.source_span(start, end)
        return self.raw[raw_start:raw_end]

    def summary(self) -> dict[str, object]:
        """A one-line overview: id, source, title, date, size."""
        return {
            "id": self.id,
            "source": self.source,
            "record": self.record,
            "format": self.format,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "script": self.script,
            "chars": len(self.text),
            "paragraphs": len(self.paragraphs),
        }


class IngestFailure(Record):
    """A file or record that could not be read, kept so that nothing is lost silently."""

    source: str
    stage: str
    error_type: str
    message: str


class Mention(Record):
    """One occurrence of an entity: its span in the clean text and in the raw source."""

    start: int
    end: int
    text: str
    source_start: int | None = None
    source_end: int | None = None


class Entity(Record):
    """A distinct entity of one article under its fullest name, with every other name used for it."""

    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    #: How likely the entity is right (name and type), calibrated on held-out articles.
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)

    @property
    def key(self) -> tuple[str, str]:
        """``(type, name)``: how relations and graphs refer to the entity."""
        return self.type, self.name


class Relation(Record):
    """A relation the article states, with the sentence that states it.

    ``head`` and ``tail`` are entity names of the same article (types in
    ``head_type``/``tail_type``); ``cue`` is the word that triggered a rule
    (签署, 主办, 出席 …; ``"name"`` when a name states it, None when the pair
    classifier found it); ``date`` is the day the text gives, resolved against
    the article's date, else the article's date.
    """

    head: str
    head_type: EntityType
    type: RelationType
    tail: str
    tail_type: EntityType
    cue: str | None = None
    evidence: str = ""
    evidence_start: int = 0
    evidence_end: int = 0
    date: date_type | None = None
    title: str | None = None
    role: str | None = None
    #: How likely the relation is right (type, head and tail), calibrated on held-out articles:
    #: of relations given 0.8 or more, at least 80% were right on the development set's folds.
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)


class ArticleExtraction(Record):
    """Everything extracted from one article: the unit written to JSONL and merged into graphs.

    Its JSON (``model_dump_json``) is the gold annotation format of
    ``shared/annotation`` (``article``, ``entities`` with name/type/aliases,
    ``relations`` with head/type/tail) plus offsets and metadata, which
    scoring ignores.
    """

    article: str
    article_id: str
    source: str
    title: str
    date: datetime | None = None
    url: str | None = None
    site: str | None = None
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()

    # Display in Jupyter (healthnews_nlp.display does the work; pandas only for to_dataframe).

    def entity_table(self) -> EntityTable:
        """The entities as a table: shows by type in Jupyter, ``.to_dataframe()`` for pandas."""
        from healthnews_nlp.display import EntityTable

        return EntityTable.from_extraction(self)

    def relation_table(self) -> RelationTable:
        """The relations as a table (head, type, tail, date, evidence), ``.to_dataframe()`` for pandas."""
        from healthnews_nlp.display import RelationTable

        return RelationTable.from_extraction(self)

    def to_dataframe(self, kind: Literal["entities", "relations"] = "entities") -> pd.DataFrame:
        """The entities (columns ``display.ENTITY_COLUMNS``) or relations (``display.RELATION_COLUMNS``)."""
        from healthnews_nlp.display import dataframe

        return dataframe(self, kind)

    def _repr_html_(self) -> str:
        from healthnews_nlp.display import extraction_html

        return extraction_html(self)


def read_extractions(path: str | Path) -> Iterator[ArticleExtraction]:
    """Extractions back from a JSONL file written by ``extract`` (one record per line, streamed)."""
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield ArticleExtraction.model_validate_json(line)
