"""From Articles to ArticleExtractions: the NLP pipeline run over clean article text.

The backend analyses many articles per call (``BackendTokenizer.pipe``), the
dateline and byline of each article are marked so no entity is taken from
them, and every mention keeps its span in the raw source through the
article's OffsetMap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from healthnews_nlp.models import Article, ArticleExtraction, Entity, Relation
from healthnews_nlp.nlp.components import register_extensions
from healthnews_nlp.nlp.pipeline import load
from healthnews_nlp.nlp.tokenizer import BackendTokenizer


def extract(
    articles: Iterable[Article], nlp: Language | None = None, *, batch_size: int = 16
) -> Iterator[ArticleExtraction]:
    """Entities and relations of each article, in order, as they are made (a generator)."""
    nlp = nlp or load()
    register_extensions()
    articles = iter(articles)
    while True:
        batch = [article for _, article in zip(range(batch_size), articles)]
        if not batch:
            return
        docs = _docs(nlp, batch)
        for article, doc in zip(batch, nlp.pipe(docs, batch_size=batch_size)):
            yield to_extraction(article, doc)


def extract_article(article: Article, nlp: Language | None = None) -> ArticleExtraction:
    """Entities and relations of one article."""
    return next(extract([article], nlp))


def read_extractions(path: str | Path) -> Iterator[ArticleExtraction]:
    """Extractions back from a JSONL file written by ``extract`` (one record per line, streamed)."""
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield ArticleExtraction.model_validate_json(line)


def _docs(nlp: Language, articles: list[Article]) -> list[Doc]:
    texts = [a.text for a in articles]
    tokenizer = nlp.tokenizer
    docs = list(tokenizer.pipe(texts)) if isinstance(tokenizer, BackendTokenizer) else [nlp.make_doc(t) for t in texts]
    for article, doc in zip(articles, docs):
        doc._.skip_spans = (article.dateline,) if article.dateline else ()
        if Doc.has_extension("article_date"):
            # an ISO string, not a datetime: the Doc stays serialisable (Doc.to_bytes, n_process)
            doc._.article_date = article.date.isoformat() if article.date else None
    return docs


def to_extraction(article: Article, doc: Doc) -> ArticleExtraction:
    """The record of one processed article, mentions mapped back to the raw source."""
    entities = tuple(_with_source_offsets(article, e) for e in doc._.entities)
    relations: tuple[Relation, ...] = tuple(doc._.relations) if Doc.has_extension("relations") else ()
    return ArticleExtraction(
        article=Path(article.source).name if article.record is None else f"{Path(article.source).name}:{article.record}",
        article_id=article.id,
        source=article.source,
        title=article.title,
        date=article.date,
        url=article.url,
        entities=entities,
        relations=relations,
    )


def _with_source_offsets(article: Article, entity: Entity) -> Entity:
    mentions = []
    for mention in entity.mentions:
        source_start, source_end = article.offsets.source_span(mention.start, mention.end)
        mentions.append(mention.model_copy(update={"source_start": source_start, "source_end": source_end}))
    return entity.model_copy(update={"mentions": tuple(mentions)})


__all__ = ["extract", "extract_article", "read_extractions", "to_extraction"]
