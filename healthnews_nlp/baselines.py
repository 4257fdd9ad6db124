"""Entities straight from a backend, without the domain layer: the baselines the README compares with.

Each distinct surface a backend tags PERSON, ORG or LOC becomes one entity
(the backends have no EVENT), so the scores show what the domain layer adds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from healthnews_nlp.models import Article, ArticleExtraction, Entity
from healthnews_nlp.nlp.backends.registry import get_backend


def backend_extractions(articles: Iterable[Article], backend: str) -> Iterator[ArticleExtraction]:
    """One extraction per article with the backend's own entities only."""
    analyzer = get_backend(backend)
    for article in articles:
        analysis = analyzer.analyze([article.text])[0]
        names: dict[tuple[str, str], None] = {}
        for entity in analysis.entities:
            if entity.label in {"PERSON", "ORG", "LOC"} and not _in(article.dateline, entity.start, entity.end):
                names[(entity.label, article.text[entity.start : entity.end])] = None
        yield ArticleExtraction(
            article=Path(article.source).name,
            article_id=article.id,
            source=article.source,
            title=article.title,
            date=article.date,
            entities=tuple(Entity(name=n, type=t) for t, n in names),  # type: ignore[arg-type]
        )


def _in(span: tuple[int, int] | None, start: int, end: int) -> bool:
    return span is not None and span[0] <= start and end <= span[1]
