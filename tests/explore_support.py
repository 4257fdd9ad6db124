"""Shared data of the display, analysis and picture tests (tests/test_display.py, test_viz*.py).

``seed_extractions()`` runs the real pipeline over seeds/ once per session;
``small_extractions()`` is a hand-made corpus of three articles whose graph
every filter and measure can be checked against by hand.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import pytest

from healthnews_nlp import Article, ArticleExtraction, Entity, Mention, Relation, extract, load, read_articles

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
CHINA = timezone(timedelta(hours=8))


def require_system_deps() -> bool:
    """``make test`` sets this: a missing Chromium or CJK font is then a failure, not a skip."""
    return os.environ.get("HEALTHNEWS_REQUIRE_SYSTEM_DEPS") == "1"


def skip_or_fail(reason: str) -> None:
    if require_system_deps():
        pytest.fail(f"{reason} (make test installs it: make test-system-deps)")
    pytest.skip(reason)


def chromium() -> str:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    skip_or_fail("Debian chromium is not installed")
    raise AssertionError("unreachable")


@lru_cache(maxsize=1)
def seed_pipeline() -> tuple[tuple[Article, ...], tuple[ArticleExtraction, ...]]:
    articles = tuple(a for a in read_articles(SEEDS_DIR) if isinstance(a, Article))
    return articles, tuple(extract(articles, load()))


def seed_extractions() -> tuple[ArticleExtraction, ...]:
    return seed_pipeline()[1]


def _entity(name: str, type_: str, *aliases: str) -> Entity:
    return Entity(name=name, type=type_, aliases=aliases)  # type: ignore[arg-type]


def _relation(head: str, head_type: str, type_: str, tail: str, tail_type: str, day: date, evidence: str) -> Relation:
    return Relation(
        head=head,
        head_type=head_type,  # type: ignore[arg-type]
        type=type_,  # type: ignore[arg-type]
        tail=tail,
        tail_type=tail_type,  # type: ignore[arg-type]
        date=day,
        evidence=evidence,
    )


def small_extractions() -> list[ArticleExtraction]:
    """Three articles: 腾讯 and 深圳三院 partner twice, 腾讯 and 华为 once, 华为 and 协和医院 once."""
    first = ArticleExtraction(
        article="a1.txt",
        article_id="a1",
        source="a1.txt",
        title="腾讯牵手深圳三院",
        date=datetime(2021, 10, 5, 9, 0, tzinfo=CHINA),
        entities=(
            Entity(
                name="深圳市第三人民医院",
                type="ORG",
                aliases=("深圳三院",),
                mentions=(Mention(start=0, end=9, text="深圳市第三人民医院"), Mention(start=20, end=24, text="深圳三院")),
            ),
            Entity(name="腾讯", type="ORG", mentions=(Mention(start=10, end=12, text="腾讯"),)),
            _entity("张三", "PERSON"),
            _entity("数字健康峰会", "EVENT"),
        ),
        relations=(
            _relation("腾讯", "ORG", "PARTNERS_WITH", "深圳市第三人民医院", "ORG", date(2021, 10, 5), "腾讯与深圳三院签署战略合作协议。"),
            _relation("张三", "PERSON", "WORKS_FOR", "腾讯", "ORG", date(2021, 10, 5), "腾讯副总裁张三出席。"),
            _relation("腾讯", "ORG", "PARTICIPATES_IN", "数字健康峰会", "EVENT", date(2021, 10, 5), "腾讯参加数字健康峰会。"),
        ),
    )
    second = ArticleExtraction(
        article="a2.txt",
        article_id="a2",
        source="a2.txt",
        title="腾讯与华为合作",
        date=datetime(2022, 3, 10, 9, 0, tzinfo=CHINA),
        entities=(
            _entity("腾讯", "ORG"),
            _entity("深圳市第三人民医院", "ORG", "深圳三院"),
            _entity("华为", "ORG"),
            _entity("深圳", "LOC"),
        ),
        relations=(
            _relation("深圳市第三人民医院", "ORG", "PARTNERS_WITH", "腾讯", "ORG", date(2022, 3, 10), "深圳三院与腾讯续签协议。"),
            _relation("腾讯", "ORG", "PARTNERS_WITH", "华为", "ORG", date(2022, 3, 10), "腾讯与华为达成合作。"),
            _relation("深圳市第三人民医院", "ORG", "LOCATED_IN", "深圳", "LOC", date(2022, 3, 10), "位于深圳的深圳三院。"),
        ),
    )
    third = ArticleExtraction(
        article="a3.txt",
        article_id="a3",
        source="a3.txt",
        title="华为携手协和医院",
        date=datetime(2022, 5, 1, 9, 0, tzinfo=CHINA),
        entities=(_entity("华为", "ORG"), _entity("协和医院", "ORG"), _entity("某公司", "ORG")),
        relations=(
            _relation("华为", "ORG", "PARTNERS_WITH", "协和医院", "ORG", date(2022, 5, 1), "华为与协和医院签约。"),
        ),
    )
    return [first, second, third]
