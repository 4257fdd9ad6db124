"""From Articles to ArticleExtractions: the NLP pipeline run over clean article text.

The backend analyses many articles per call (``BackendTokenizer.pipe``), the
dateline and byline of each article are marked so no entity is taken from
them, and every mention keeps its span in the raw source through the
article's OffsetMap.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from itertools import chain, islice

from spacy.language import Language
from spacy.tokens import Doc

from healthnews_nlp.models import Article, ArticleExtraction, Entity, Relation, read_extractions
from healthnews_nlp.nlp.components import register_extensions
from healthnews_nlp.nlp.pipeline import load
from healthnews_nlp.nlp.tokenizer import BackendTokenizer


#: Articles per spaCy memory zone: the words first seen in a zone leave the vocabulary with it.
ARTICLES_PER_ZONE = 256


def extract(
    articles: Iterable[Article], nlp: Language | None = None, *, batch_size: int = 16
) -> Iterator[ArticleExtraction]:
    """Entities and relations of each article, in order, as they are made (a generator).

    The articles stream through: the backend analyses ``batch_size`` of them
    per call, one batch ahead of the pipeline components (see
    ``BackendTokenizer.pipe``), so only a couple of batches are held at once.
    Every ``ARTICLES_PER_ZONE`` articles run in a spaCy memory zone, so the
    vocabulary does not grow with every new word of a long run (unless the
    caller has a zone open: zones do not nest); the records yielded hold
    plain strings, never the Docs.
    """
    nlp = nlp or load()
    register_extensions()
    stream = iter(articles)
    zone = getattr(nlp, "memory_zone", None)  # spaCy 3.8+
    if zone is not None and getattr(nlp.vocab, "in_memory_zone", False):
        zone = None
    while (first := next(stream, None)) is not None:
        chunk = chain((first,), islice(stream, ARTICLES_PER_ZONE - 1))
        with zone() if zone is not None else nullcontext():
            yield from _extract_stream(nlp, chunk, batch_size)


def _extract_stream(nlp: Language, articles: Iterable[Article], batch_size: int) -> Iterator[ArticleExtraction]:
    waiting: deque[Article] = deque()  # read, not yet through the pipeline, in order

    def texts() -> Iterator[str]:
        for article in articles:
            waiting.append(article)
            yield article.text

    def docs() -> Iterator[tuple[Doc, Article]]:
        for doc in _make_docs(nlp, texts(), batch_size):
            article = waiting.popleft()
            doc._.skip_spans = (article.dateline,) if article.dateline else ()
            if Doc.has_extension("article_date"):
                # an ISO string, not a datetime: the Doc stays serialisable (Doc.to_bytes, n_process)
                doc._.article_date = article.date.isoformat() if article.date else None
            yield doc, article

    for doc, article in nlp.pipe(docs(), as_tuples=True, batch_size=batch_size):
        yield to_extraction(article, doc)


def extract_article(article: Article, nlp: Language | None = None) -> ArticleExtraction:
    """Entities and relations of one article."""
    return next(extract([article], nlp))


def _make_docs(nlp: Language, texts: Iterable[str], batch_size: int) -> Iterator[Doc]:
    tokenizer = nlp.tokenizer
    if isinstance(tokenizer, BackendTokenizer):
        return tokenizer.pipe(texts, batch_size=batch_size)
    return (nlp.make_doc(text) for text in texts)


def to_extraction(article: Article, doc: Doc) -> ArticleExtraction:
    """The record of one processed article, mentions mapped back to the raw source."""
    entities = tuple(_with_source_offsets(article, e) for e in doc._.entities)
    relations: tuple[Relation, ...] = tuple(doc._.relations) if Doc.has_extension("relations") else ()
    return ArticleExtraction(
        article=article.name,
        article_id=article.id,
        source=article.source,
        title=article.title,
        date=article.date,
        url=article.url,
        site=article.site,
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
