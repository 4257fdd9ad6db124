"""healthnews-nlp: entities, partnerships and a knowledge graph from Chinese health-industry news.

The public API is what ``__all__`` lists; everything else is private and may change.
"""

from __future__ import annotations

from healthnews_nlp.display import render
from healthnews_nlp.errors import HealthNewsError, IngestError, ModelNotAvailableError
from healthnews_nlp.export import ExportError
from healthnews_nlp.extract import extract, extract_article, read_extractions
from healthnews_nlp.graph import KnowledgeGraph, build_graph
from healthnews_nlp.ingest.offsets import OffsetMap
from healthnews_nlp.ingest.readers import read_article, read_articles
from healthnews_nlp.models import Article, ArticleExtraction, Entity, IngestFailure, Mention, Relation
from healthnews_nlp.nlp.pipeline import load

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ArticleExtraction",
    "Entity",
    "ExportError",
    "HealthNewsError",
    "IngestError",
    "IngestFailure",
    "KnowledgeGraph",
    "Mention",
    "ModelNotAvailableError",
    "OffsetMap",
    "Relation",
    "__version__",
    "build_graph",
    "extract",
    "extract_article",
    "load",
    "read_article",
    "read_articles",
    "read_extractions",
    "render",
]
