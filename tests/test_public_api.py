"""The public API: a curated ``__all__``, the readers' contracts, and the records' guarantees."""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

import healthnews_nlp
from healthnews_nlp import Article, HealthNewsError, IngestError, IngestFailure, read_article, read_articles

# THE list of public names. When you add to the public API (load, build_graph, …), add the
# name here and to healthnews_nlp.__all__ in the same change; keep both sorted.
EXPECTED_PUBLIC_API = [
    "Article",
    "ArticleExtraction",
    "Entity",
    "EntityNotFoundError",
    "ExportError",
    "HealthNewsError",
    "IngestError",
    "IngestFailure",
    "KnowledgeGraph",
    "Mention",
    "MissingExtraError",
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


def test_all_is_the_expected_sorted_list() -> None:
    assert EXPECTED_PUBLIC_API == sorted(EXPECTED_PUBLIC_API), "keep the expected list sorted"
    assert list(healthnews_nlp.__all__) == EXPECTED_PUBLIC_API


def test_every_exported_name_exists_and_star_import_gives_exactly_them() -> None:
    for name in healthnews_nlp.__all__:
        assert hasattr(healthnews_nlp, name), name
    namespace: dict[str, object] = {}
    exec("from healthnews_nlp import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(EXPECTED_PUBLIC_API)


def test_no_public_name_outside_all() -> None:
    """A public function or class imported into the package must be declared in ``__all__``."""
    undeclared = [
        name
        for name, value in vars(healthnews_nlp).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"  # from __future__ import annotations
        and name not in healthnews_nlp.__all__
    ]
    assert undeclared == []


def test_version_is_a_string() -> None:
    assert isinstance(healthnews_nlp.__version__, str) and healthnews_nlp.__version__


# --- readers ------------------------------------------------------------------------------------


def test_read_articles_is_a_lazy_generator(seed_path: Callable[[str], Path], tmp_path: Path) -> None:
    assert inspect.isgeneratorfunction(read_articles)
    later = tmp_path / "later.md"
    results = read_articles([seed_path("000"), later])
    assert isinstance(results, types.GeneratorType)
    first = next(results)
    assert isinstance(first, Article)
    later.write_bytes(seed_path("001").read_bytes())  # created only after the first result
    second = next(results)
    assert isinstance(second, Article) and second.title == "数字健康创新峰会 洞见智慧健康医疗未来"
    assert next(results, None) is None


def test_read_articles_accepts_a_path_a_string_or_a_list(seed_path: Callable[[str], Path]) -> None:
    directory = seed_path("000").parent
    by_path = [a.id for a in read_articles(directory)]
    by_string = [a.id for a in read_articles(str(directory))]
    by_list = [a.id for a in read_articles([seed_path(n) for n in ("000", "001", "002", "003", "004")])]
    assert by_path == by_string == by_list
    assert len(by_path) == 5


def test_a_bad_file_yields_a_failure_and_the_rest_go_on(seed_path: Callable[[str], Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    results = list(read_articles([seed_path("000"), bad, tmp_path / "missing.txt", seed_path("004")]))
    assert [type(r).__name__ for r in results] == ["Article", "IngestFailure", "IngestFailure", "Article"]
    assert results[1] == IngestFailure(source=str(bad), stage="decode", error_type="IngestError", message="empty file")
    assert isinstance(results[2], IngestFailure) and results[2].message == "no such file"


def test_read_article_raises_ingest_error_naming_file_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    with pytest.raises(HealthNewsError) as caught:
        read_article(path)
    assert isinstance(caught.value, IngestError)
    assert str(caught.value) == f"{path}: empty file"


# --- records ------------------------------------------------------------------------------------


def test_articles_round_trip_through_json_losslessly(seed_articles: dict[str, Article]) -> None:
    for article in seed_articles.values():
        article.source_span(0, 3)  # use the offsets first: caches must not leak into JSON
        encoded = article.model_dump_json()
        again = Article.model_validate_json(encoded)
        assert again == article
        assert again.model_dump() == article.model_dump()
        assert again.model_dump_json() == encoded
        assert again.date is not None and article.date is not None
        assert again.date.utcoffset() == article.date.utcoffset()
        assert again.source_span(5, 25) == article.source_span(5, 25)
        assert isinstance(again.paragraphs, tuple) and isinstance(again.offsets.segments[0], tuple)


def test_collection_records_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "r1", "title": "标题", "text": "正文。", "url": "http://x.example"}\n', encoding="utf-8")
    [article] = read_articles(path)
    assert isinstance(article, Article)
    assert Article.model_validate_json(article.model_dump_json()) == article


def test_article_is_frozen_and_forbids_extra_fields(seed_articles: dict[str, Article]) -> None:
    article = seed_articles["000"]
    with pytest.raises(ValidationError):
        article.title = "改过的标题"  # type: ignore[misc]
    fields = article.model_dump()
    with pytest.raises(ValidationError, match="extra"):
        Article.model_validate({**fields, "unexpected": 1})
    assert Article.model_validate(fields) == article


def test_article_date_must_be_timezone_aware(seed_articles: dict[str, Article]) -> None:
    fields = seed_articles["000"].model_dump()
    with pytest.raises(ValidationError, match="timezone-aware"):
        Article.model_validate({**fields, "date": datetime(2021, 10, 18, 1, 53)})
    assert Article.model_validate({**fields, "date": None}).date is None


def test_article_summary(seed_articles: dict[str, Article]) -> None:
    article = seed_articles["004"]
    summary = article.summary()
    assert summary["id"] == article.id and summary["title"] == article.title
    assert summary["date"] == "2025-07-01T13:00:14+08:00"
    assert summary["chars"] == len(article.text) and summary["paragraphs"] == len(article.paragraphs)


def test_ingest_failure_is_a_frozen_record() -> None:
    failure = IngestFailure(source="a.txt", stage="decode", error_type="IngestError", message="empty file")
    assert IngestFailure.model_validate_json(failure.model_dump_json()) == failure
    with pytest.raises(ValidationError):
        failure.message = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        IngestFailure(source="a", stage="s", error_type="e", message="m", extra=1)  # type: ignore[call-arg]


def test_public_names_stay_themselves_whatever_was_imported_before() -> None:
    """No module of the package is named like a public function: importing every module first
    (as a run or a test does) never turns ``healthnews_nlp.extract`` into a module."""
    import importlib
    import pkgutil
    import types

    import healthnews_nlp

    for module in pkgutil.walk_packages(healthnews_nlp.__path__, "healthnews_nlp."):
        if not module.name.startswith(("healthnews_nlp.training", "healthnews_nlp.distributed")):
            try:
                importlib.import_module(module.name)
            except ImportError:  # an optional backend's or extra's module
                continue
    for name in healthnews_nlp.__all__:
        assert not isinstance(getattr(healthnews_nlp, name), types.ModuleType), name
