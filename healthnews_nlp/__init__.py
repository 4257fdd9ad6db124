"""healthnews-nlp: entities, partnerships and a knowledge graph from Chinese health-industry news.

The public API is what ``__all__`` lists; everything else is private and may change.
"""

from __future__ import annotations

from healthnews_nlp.errors import HealthNewsError, IngestError, ModelNotAvailableError
from healthnews_nlp.graph import KnowledgeGraph, build_graph
from healthnews_nlp.ingest.offsets import OffsetMap
from healthnews_nlp.ingest.readers import read_article, read_articles
from healthnews_nlp.models import Article, IngestFailure

__version__ = "0.1.0"

__all__ = [
    "Article",
    "HealthNewsError",
    "IngestError",
    "IngestFailure",
    "KnowledgeGraph",
    "ModelNotAvailableError",
    "OffsetMap",
    "__version__",
    "build_graph",
    "read_article",
    "read_articles",
]
