"""Fuzz and fault suite, NLP level: the pipeline takes whatever the readers let through.

Generated articles (news words mixed with emoji, CJK extension characters,
zero-width and bidi controls, full-width forms, every kind of line break…)
go through ``read_articles`` and ``extract``; raw, uncleaned text goes
straight into ``nlp``. Every mention must sit where it says in the clean
text and in the raw source, every relation must join entities of its
article, and every extraction must round-trip through JSON. The fixed cases
are the issue's list: a 1 MB line without punctuation, only punctuation,
only ASCII, emoji and rare CJK, zero-width characters inside names,
full-width and half-width forms of one name.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzz_support import (
    any_document,
    bounded,
    check_results,
    count,
    damaged,
    fuzz,
    nasty_text,
    random_cjk,
    text_document,
)
from hypothesis import given
from spacy.language import Language

import healthnews_nlp
from healthnews_nlp import Article, ArticleExtraction, IngestError, extract, read_article, read_articles
from healthnews_nlp.ingest.readers import MAX_ARTICLE_BYTES

pytestmark = pytest.mark.fuzz

_names = itertools.count()


@pytest.fixture(scope="module")
def nlp() -> Language:
    return healthnews_nlp.load()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-pipeline")


@pytest.fixture(autouse=True, scope="module")
def _quiet_reports() -> Iterator[None]:
    logger = logging.getLogger("healthnews_nlp")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def check_extraction(article: Article, extraction: ArticleExtraction) -> None:
    """Mentions where they say they are, relations between the article's entities, JSON that round-trips."""
    text, raw = article.text, article.raw
    assert (extraction.article_id, extraction.source, extraction.title) == (article.id, article.source, article.title)
    keys = set()
    for entity in extraction.entities:
        assert entity.name and entity.name == entity.name.strip()
        keys.add(entity.key)
        for mention in entity.mentions:
            assert 0 <= mention.start < mention.end <= len(text)
            assert text[mention.start : mention.end] == mention.text
            assert mention.source_start is not None and mention.source_end is not None
            assert 0 <= mention.source_start <= mention.source_end <= len(raw)
            assert (mention.source_start, mention.source_end) == article.offsets.source_span(mention.start, mention.end)
    for relation in extraction.relations:
        assert (relation.head_type, relation.head) in keys, relation
        assert (relation.tail_type, relation.tail) in keys, relation
        assert 0 <= relation.evidence_start <= relation.evidence_end <= len(text)
    data = extraction.model_dump_json()
    data.encode("utf-8")
    assert ArticleExtraction.model_validate_json(data) == extraction


def run(nlp: Language, folder: Path, data: bytes, suffix: str = ".txt") -> list[Article]:
    """Read ``data`` as a file and extract every article in it; returns the articles."""
    path = folder / f"case-{next(_names)}{suffix}"
    path.write_bytes(data)
    try:
        with bounded(what=f"extracting from {len(data)} bytes"):
            articles, _ = check_results(list(read_articles(path)))
            extractions = list(extract(articles, nlp))
        assert len(extractions) == len(articles)
        for article, extraction in zip(articles, extractions):
            check_extraction(article, extraction)
        return articles
    finally:
        path.unlink()


# --- generated -------------------------------------------------------------------------------


@fuzz(250)
@given(document=text_document)
def test_news_like_text(nlp: Language, folder: Path, document: str) -> None:
    count()
    run(nlp, folder, document.encode("utf-8"))


@fuzz(100)
@given(data=damaged(any_document))
def test_a_sample_of_the_generated_documents(nlp: Language, folder: Path, data: bytes) -> None:
    """Pages, Hexo posts, JSONL and CSV collections, damaged or not, all the way through."""
    count()
    run(nlp, folder, data)


@fuzz(200)
@given(text=nasty_text)
def test_raw_text_straight_into_nlp(nlp: Language, text: str) -> None:
    """nlp() on text that was never cleaned: CRs, control characters, zero-width joiners, BOMs."""
    count()
    with bounded():
        doc = nlp(text)
    assert doc.text == text
    for span in doc.ents:
        assert span.text and 0 <= span.start_char < span.end_char <= len(text)
    for entity in doc._.entities:
        for mention in entity.mentions:
            assert text[mention.start : mention.end] == mention.text
    for relation in doc._.relations:
        assert relation.head and relation.tail


# --- the list, fixed -----------------------------------------------------------------


def _write(folder: Path, text: str, suffix: str = ".txt") -> Path:
    path = folder / f"fixed-{next(_names)}{suffix}"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_1_mb_line_without_punctuation(nlp: Language, tmp_path: Path) -> None:
    """1 MiB of UTF-8 Chinese on one line (349,525 characters), no sentence end anywhere."""
    count("fixed")
    words = "医院公司集团研究中心合作北京上海腾讯院长张三主办论坛大会健康医疗数字化"
    line = (words * (2**20 // 3 // len(words) + 1))[: 2**20 // 3]
    path = _write(tmp_path, line)
    assert path.stat().st_size == 3 * (2**20 // 3)
    started = time.perf_counter()
    with bounded(240, "a 1 MB line through the pipeline"):
        article = read_article(path)
        [extraction] = list(extract([article], nlp))
    check_extraction(article, extraction)
    assert len(article.text) == len(line)
    elapsed = time.perf_counter() - started
    assert elapsed < 240, elapsed


def _cpu_seconds(nlp: Language, text: str) -> float:
    started = time.process_time()
    doc = nlp(text)
    assert doc.text == text
    return time.process_time() - started


def test_time_is_linear_in_the_length_of_a_text(nlp: Language) -> None:
    """Random Chinese without punctuation (``benchmarks/scaling.py``), 20,000 and 80,000 characters.

    Four times the text must take less than six times the CPU time: linear is four (measured
    3.9), and the rules that compared every mention, name or sentence with every other took
    11.8 (2.5 / 6.3 / 20.9 / 80.7 s at 50k / 100k / 200k / 400k characters). CPU time, not
    wall time: other load on the machine does not change it much. ``make bench-scaling``
    measures whole runs up to 2 MB.
    """
    count("fixed")
    short, long = random_cjk(60_000, seed=1), random_cjk(240_000, seed=2)
    _cpu_seconds(nlp, random_cjk(6000, seed=3))  # warm: the first call loads what the rules look up
    with bounded(300, "80,000 characters through nlp"):
        ratio = _cpu_seconds(nlp, long) / _cpu_seconds(nlp, short)
    assert ratio < 6, f"4x the text took {ratio:.1f}x the time"


def test_texts_over_spacys_default_limit_go_through(nlp: Language) -> None:
    """spaCy refuses texts over 1,000,000 characters by default; the readers accept up to 10 MB."""
    count("fixed")
    assert nlp.max_length >= MAX_ARTICLE_BYTES


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("only Chinese punctuation", "，。！？、；：“”《》【】（）……——" * 30),
        ("only ASCII punctuation", "!?.,;:'\"()[]{}<>-_/\\|@#$%^&*+=~`" * 30),
        ("only ASCII", "Hospital signs partnership with Tencent.\nBeijing, 2021-10-14. WHO and CDC attend."),
        ("only digits", "2021 10 14\n" * 50),
        ("one character", "医"),
        ("emoji", "😀🏥💊🩺👨\u200d⚕️🇨🇳1️⃣👍🏽\n" * 20),
        (
            "emoji and rare CJK in a sentence",
            "😀合作\n\U00020000\U0002a6a5医院与\U0002b740\U00031350公司😀签署战略合作协议，𠀀𠀁主任出席。",
        ),
        ("bidi and variation selectors", "标题\u202e\n北京\ufe0f协和医院与\U000e0100腾讯合作\u2066。\u2069"),
        ("combining marks", "e\u0301\u0301\u0301医院" * 50),
        ("private use and replacement characters", "\ue000\uf8ff医院\U000f0000合作\ufffd" * 20),
        ("traditional with pinyin", "醫(yī)療合作\n臺北榮民總醫院與長庚醫院簽署合作協議。"),
        ("many short lines", "\n".join(["医院"] * 5000)),
        ("long words", "中华人民共和国国家卫生健康委员会医政医管局" * 200),
    ],
)
def test_nasty_text_through_the_pipeline(name: str, text: str, nlp: Language, tmp_path: Path) -> None:
    count("fixed")
    articles = run(nlp, tmp_path, text.encode("utf-8"))
    assert len(articles) == 1, name


def test_a_batch_of_every_nasty_text_at_once(nlp: Language, tmp_path: Path) -> None:
    """One backend batch of texts of very different lengths and contents."""
    count("fixed")
    texts = ["，。", "医", "😀" * 100, "深圳市第三人民医院与腾讯正式达成战略合作。" * 20, "a" * 5000, "\U00020000" * 50]
    lines = "\n".join(f'{{"title": "t{i}", "text": "{t}"}}' for i, t in enumerate(texts * 3))
    articles = run(nlp, tmp_path, lines.encode("utf-8"), ".jsonl")
    assert len(articles) == len(texts) * 3


def test_nothing_left_after_cleaning_is_an_ingest_error_and_nlp_takes_empty_text(nlp: Language, tmp_path: Path) -> None:
    count("fixed")
    for text in ("\u200b\u200c\u200d\ufeff \u3000\n\t", "<html><body><script>x</script></body></html>"):
        with pytest.raises(IngestError):
            read_article(_write(tmp_path, text))
    for text in ("", " ", "\n\n", "\u200b"):
        doc = nlp(text)
        assert list(doc.ents) == [] and doc._.entities == [] or not doc._.entities


def _entities(nlp: Language, folder: Path, text: str) -> dict[str, str]:
    article = read_article(_write(folder, text))
    [extraction] = list(extract([article], nlp))
    check_extraction(article, extraction)
    return {entity.name: entity.type for entity in extraction.entities}


def test_a_zero_width_character_inside_a_name_gives_the_same_name(nlp: Language, tmp_path: Path) -> None:
    count("fixed")
    plain = _entities(nlp, tmp_path, "合作新闻\n深圳市第三人民医院与腾讯正式达成战略合作。")
    assert plain.get("腾讯") == "ORG"
    for mark in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"):
        assert _entities(nlp, tmp_path, f"合作新闻\n深圳市第三人民医院与腾{mark}讯正式达成战略合作。") == plain, repr(mark)


def test_full_width_and_half_width_forms_give_the_same_name(nlp: Language, tmp_path: Path) -> None:
    count("fixed")
    half = _entities(nlp, tmp_path, "新闻\nDH400工作组在北京成立。")
    assert half.get("DH400工作组") == "ORG"
    assert _entities(nlp, tmp_path, "新闻\nＤＨ４００工作组在北京成立。") == half
    both = _entities(nlp, tmp_path, "新闻\nＤＨ４００工作组在北京成立。DH400工作组发布报告。")
    assert both == half
