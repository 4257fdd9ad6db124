"""healthnews-nlp: entities, partnerships and a knowledge graph from Chinese health-industry news.

The public API is what ``__all__`` lists; everything else is private and may change.

Names are imported on first use (PEP 562), so ``import healthnews_nlp`` and
the command line's start do not load spaCy, pandas or the models until
something needs them: the parent process of a parallel run never does.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from healthnews_nlp.display import render
    from healthnews_nlp.errors import (
        EntityNotFoundError,
        HealthNewsError,
        IngestError,
        MissingExtraError,
        ModelNotAvailableError,
    )
    from healthnews_nlp.export import ExportError
    from healthnews_nlp.nlp.extraction import extract, extract_article
    from healthnews_nlp.graph import KnowledgeGraph, build_graph
    from healthnews_nlp.ingest.offsets import OffsetMap
    from healthnews_nlp.ingest.readers import read_article, read_articles
    from healthnews_nlp.models import (
        Article,
        ArticleExtraction,
        Entity,
        IngestFailure,
        Mention,
        Relation,
        read_extractions,
    )
    from healthnews_nlp.nlp.pipeline import load

__version__ = "0.1.0"

#: Where each public name lives.
_HOMES = {
    "render": "healthnews_nlp.display",
    "EntityNotFoundError": "healthnews_nlp.errors",
    "HealthNewsError": "healthnews_nlp.errors",
    "IngestError": "healthnews_nlp.errors",
    "MissingExtraError": "healthnews_nlp.errors",
    "ModelNotAvailableError": "healthnews_nlp.errors",
    "ExportError": "healthnews_nlp.export",
    "extract": "healthnews_nlp.nlp.extraction",
    "extract_article": "healthnews_nlp.nlp.extraction",
    "KnowledgeGraph": "healthnews_nlp.graph",
    "build_graph": "healthnews_nlp.graph",
    "OffsetMap": "healthnews_nlp.ingest.offsets",
    "read_article": "healthnews_nlp.ingest.readers",
    "read_articles": "healthnews_nlp.ingest.readers",
    "Article": "healthnews_nlp.models",
    "ArticleExtraction": "healthnews_nlp.models",
    "Entity": "healthnews_nlp.models",
    "IngestFailure": "healthnews_nlp.models",
    "Mention": "healthnews_nlp.models",
    "Relation": "healthnews_nlp.models",
    "read_extractions": "healthnews_nlp.models",
    "load": "healthnews_nlp.nlp.pipeline",
}

__all__ = sorted([*_HOMES, "__version__"])


def __getattr__(name: str) -> _typing.Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'healthnews_nlp' has no attribute {name!r}")
    value = getattr(_importlib.import_module(home), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
