"""The fast paths give the answers of the plain ones they replaced.

Lexicon tests by lookup (``has_infix``, ``longest_suffix``, ``abbreviated_ending``)
against scans of the lexicon, the gazetteer's prefix filter against lookups,
span and occurrence lookups (``Spans``, ``positions_after``) against scans,
and the streaming of articles through the backend (one batch analysed ahead,
in a background thread) against the order and content of the input.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.vocab import Vocab

from healthnews_nlp import Article
from healthnews_nlp.nlp.extraction import extract
from healthnews_nlp.gazetteer import load_gazetteer
from healthnews_nlp.nlp.backends.base import Analysis, Token
from healthnews_nlp.nlp.lexicons import Lexicons, has_infix, longest_suffix
from healthnews_nlp.nlp.pipeline import load
from healthnews_nlp.nlp.tokenizer import BackendTokenizer
from healthnews_nlp.nlp.view import Spans, positions_after

LEXICONS = Lexicons.load()
# characters of the lexicons and a few others, so that generated words often hold a lexicon word
_ALPHABET = sorted({c for word in LEXICONS.titles | set(LEXICONS.org_heads) | LEXICONS.place_heads for c in word})
_WORDS = st.text(alphabet=[*_ALPHABET, "张", "三", " "], max_size=12)


@settings(max_examples=300, deadline=None)
@given(word=_WORDS, shortest=st.integers(1, 3))
def test_has_infix_equals_a_scan(word: str, shortest: int) -> None:
    for words in (LEXICONS.titles, LEXICONS.org_heads, LEXICONS.long_name_heads):
        expected = any(w in word for w in words if len(w) >= shortest)
        assert has_infix(word, words, shortest=shortest) == expected


@settings(max_examples=300, deadline=None)
@given(word=_WORDS, keep=st.integers(0, 3), shortest=st.integers(1, 2))
def test_longest_suffix_equals_a_scan(word: str, keep: int, shortest: int) -> None:
    for words in (LEXICONS.titles, LEXICONS.org_heads, LEXICONS.slogan_prefixes):
        matches = [w for w in words if word.endswith(w) and len(word) - len(w) >= keep and len(w) >= shortest]
        expected = max(matches, key=len) if matches else None
        assert longest_suffix(word, words, keep=keep, shortest=shortest) == expected


_SPANS = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 12)).map(lambda s: (s[0], s[0] + s[1])), max_size=12)


@settings(max_examples=300, deadline=None)
@given(spans=_SPANS, start=st.integers(0, 50), length=st.integers(0, 6))
def test_spans_cover_as_a_scan_says(spans: list[tuple[int, int]], start: int, length: int) -> None:
    end = start + length
    assert Spans(spans).covers(start, end) == any(s <= start and end <= e for s, e in spans)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="医院合作院", max_size=30), word=st.text(alphabet="医院合作", min_size=1, max_size=3))
def test_positions_after_are_the_ends_of_every_occurrence(text: str, word: str) -> None:
    expected = [i + len(word) for i in range(len(text)) if text.startswith(word, i)]
    assert positions_after(text, word) == expected


def _abbreviated_ending_by_scan(name: str) -> tuple[str, str] | None:
    """The loop canonical_key ran before: entries in file order, each entry's longest spelling first."""
    for short, longs in LEXICONS.abbreviations.items():
        for variant in sorted((short, *longs), key=len, reverse=True):
            if name.endswith(variant):
                return variant, short
    return None


def test_abbreviated_ending_ranks_spellings_as_the_file_does() -> None:
    spellings = {v for short, longs in LEXICONS.abbreviations.items() for v in (short, *longs)}
    names = [prefix + spelling for spelling in spellings for prefix in ("", "宁夏", "深圳市", "中")]
    names += [a + b for a in spellings for b in spellings]  # endings that are themselves two spellings
    assert len(names) > 100
    for name in names:
        assert LEXICONS.abbreviated_ending(name) == _abbreviated_ending_by_scan(name), name


def test_gazetteer_prefix_filter_never_rejects_a_place_name() -> None:
    gazetteer = load_gazetteer()
    for name in gazetteer.names():
        stripped = name.strip()
        if len(stripped) >= 2:
            assert gazetteer.may_start(stripped[:2]), name
    # whitespace proves nothing (lookups strip it), nor does a single character
    assert gazetteer.may_start(" 北") and gazetteer.may_start("北 ") and gazetteer.may_start("北")
    assert not gazetteer.may_start("的了")


_PLACE_CHARS = sorted({c for name in list(load_gazetteer().names())[:3000] for c in name})


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=[*_PLACE_CHARS[:200], " ", "\u3000"], min_size=2, max_size=10))
def test_gazetteer_prefix_filter_is_exact_for_lookups(text: str) -> None:
    gazetteer = load_gazetteer()
    if not gazetteer.may_start(text[:2]):
        assert not any(text[:size] in gazetteer for size in range(2, len(text) + 1))


# --- streaming through the backend ------------------------------------------------------------------


class _RecordingBackend:
    """One token per text; records which thread analysed what, and can fail on a marked text."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str]] = []

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        self.calls.append((list(texts), threading.current_thread().name))
        if "boom" in texts:
            raise RuntimeError("backend failed on boom")
        return [Analysis((Token(0, len(text), "n"),), ()) for text in texts]


def _tokenizer() -> tuple[BackendTokenizer, _RecordingBackend]:
    tokenizer = BackendTokenizer(Vocab(), "lac")  # the LAC model loads on first use only
    backend = _RecordingBackend()
    tokenizer._backend = backend
    return tokenizer, backend


def test_pipe_keeps_order_and_reads_one_batch_ahead() -> None:
    tokenizer, backend = _tokenizer()
    pulled: list[str] = []

    def texts() -> Iterator[str]:
        for number in range(10):
            pulled.append(f"t{number}")
            yield f"t{number}"

    docs = tokenizer.pipe(texts(), batch_size=3)
    first = next(docs)
    assert first.text == "t0"
    assert len(pulled) == 6  # the first batch and the one being analysed ahead
    rest = [doc.text for doc in docs]
    assert [first.text, *rest] == [f"t{n}" for n in range(10)]
    assert [batch for batch, _ in backend.calls] == [["t0", "t1", "t2"], ["t3", "t4", "t5"], ["t6", "t7", "t8"], ["t9"]]
    assert all(thread != threading.current_thread().name for _, thread in backend.calls)


def test_pipe_raises_the_backend_error_and_stops() -> None:
    tokenizer, _ = _tokenizer()
    docs = tokenizer.pipe(["a", "b", "boom", "c"], batch_size=2)
    assert [next(docs).text, next(docs).text] == ["a", "b"]
    with pytest.raises(RuntimeError, match="boom"):
        next(docs)


def test_pipe_closed_early_leaves_no_thread_behind() -> None:
    tokenizer, _ = _tokenizer()
    before = threading.active_count()
    docs = tokenizer.pipe((f"t{n}" for n in range(100)), batch_size=4)
    assert isinstance(docs, Generator)
    next(docs)
    docs.close()
    assert threading.active_count() == before


def test_extract_streams_articles_in_order_whatever_the_batch_size(seed_articles: dict[str, Article]) -> None:
    nlp = load()
    articles = [seed_articles[number] for number in sorted(seed_articles)] * 2
    one_batch = list(extract(articles, nlp, batch_size=16))
    assert [e.article_id for e in one_batch] == [a.id for a in articles]
    for batch_size in (1, 3):
        assert list(extract(articles, nlp, batch_size=batch_size)) == one_batch

    pulled = 0

    def counted() -> Iterator[Article]:
        nonlocal pulled
        for article in articles:
            pulled += 1
            yield article

    stream = extract(counted(), nlp, batch_size=2)
    assert next(stream) == one_batch[0]
    assert pulled <= 4  # two batches: the one in the pipeline and the one analysed ahead


def test_extract_leaves_no_new_words_in_the_vocabulary(seed_articles: dict[str, Article]) -> None:
    """Each run of articles is a spaCy memory zone: a long run does not grow the vocabulary."""
    nlp = load()
    if not hasattr(nlp, "memory_zone"):
        pytest.skip("spaCy before 3.8 has no memory zones")
    articles = [seed_articles[number] for number in sorted(seed_articles)]
    assert any("腾讯" in a.text for a in articles) and "腾讯" not in nlp.vocab.strings
    extractions = list(extract(articles, nlp))
    assert any(e.name == "腾讯" for x in extractions for e in x.entities)
    assert "腾讯" not in nlp.vocab.strings
