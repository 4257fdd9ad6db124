"""JiebaBackend with the real jieba dictionary, and the backend registry."""

from __future__ import annotations

import re
from pathlib import Path

import jieba
import jieba.posseg
import pytest

from healthnews_nlp.nlp.backends.base import Analysis, NerBackend
from healthnews_nlp.nlp.backends.jieba_backend import JiebaBackend
from healthnews_nlp.nlp.backends.registry import available_backends, get_backend

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def backend() -> JiebaBackend:
    return JiebaBackend()


def entities_of(text: str, analysis: Analysis) -> list[tuple[str, str]]:
    return [(text[e.start : e.end], e.label) for e in analysis.entities]


def assert_tiles(text: str, analysis: Analysis) -> None:
    position = 0
    for token in analysis.tokens:
        assert token.start == position and token.end > token.start, (token, position)
        position = token.end
    assert position == len(text)


def test_implements_protocol(backend: JiebaBackend) -> None:
    assert isinstance(backend, NerBackend)
    assert backend.name == "jieba"


def test_finds_people_places_and_organisations(backend: JiebaBackend) -> None:
    texts = [
        "中国电信集团有限公司副总经理刘桂清在大会上致辞表示",
        "9月22日下午，深圳国家感染性疾病临床医学研究中心、深圳市第三人民医院与腾讯正式达成战略合作。",
        "钟南山、樊代明、曾溢滔等多位院士发表主旨演讲",
    ]
    first, second, third = backend.analyze(texts)
    for text, analysis in zip(texts, (first, second, third)):
        print([(text[t.start : t.end], t.tag) for t in analysis.tokens])
    assert entities_of(texts[0], first) == [("中国电信集团", "ORG"), ("刘桂清", "PERSON")]
    assert ("深圳市", "LOC") in entities_of(texts[1], second)
    # jieba reads 钟南山 as a place (the mountain) and names the other two
    assert entities_of(texts[2], third) == [
        ("钟南山", "LOC"),
        ("樊代明", "PERSON"),
        ("曾溢滔", "PERSON"),
    ]


def test_nz_is_a_tag_not_an_entity(backend: JiebaBackend) -> None:
    text = "深圳市第三人民医院与腾讯正式达成战略合作"
    (analysis,) = backend.analyze([text])
    tags = {text[t.start : t.end]: t.tag for t in analysis.tokens}
    assert tags["腾讯"] == "nz"
    assert "腾讯" not in [name for name, _ in entities_of(text, analysis)]


def test_user_words_stay_in_their_instance() -> None:
    text = "深圳市第三人民医院与腾讯正式达成战略合作"
    custom = JiebaBackend(user_words=[("深圳市第三人民医院", "nt"), ("腾讯", "nt")])
    (analysis,) = custom.analyze([text])
    assert entities_of(text, analysis) == [("深圳市第三人民医院", "ORG"), ("腾讯", "ORG")]
    (plain,) = JiebaBackend().analyze([text])
    assert ("深圳市第三人民医院", "ORG") not in entities_of(text, plain)
    # jieba's global default tokenizers are untouched
    assert "深圳市第三人民医院" not in jieba.dt.FREQ
    assert "深圳市第三人民医院" not in jieba.dt.user_word_tag_tab
    assert "深圳市第三人民医院" not in jieba.posseg.dt.word_tag_tab


def test_does_not_print_jieba_chatter(capfd: pytest.CaptureFixture[str]) -> None:
    JiebaBackend(user_words=[("樊代明", "nr")]).analyze(["樊代明院士"])
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_seed_articles_tile_with_exact_offsets(backend: JiebaBackend) -> None:
    texts = [
        re.sub(r"<[^>]+>", "\n", path.read_text(encoding="utf-8"))
        for path in sorted(SEEDS.glob("*.txt"))
    ]
    for text, analysis in zip(texts, backend.analyze(texts)):
        assert_tiles(text, analysis)
        for entity in analysis.entities:
            assert text[entity.start : entity.end].strip() == text[entity.start : entity.end]
        whitespace = [t for t in analysis.tokens if text[t.start : t.end].isspace()]
        assert all(t.tag == "w" for t in whitespace)
        # whitespace runs are single tokens
        assert all(a.end != b.start for a, b in zip(whitespace, whitespace[1:]))
        # punctuation is tagged w, as LAC tags it (jieba says x)
        tags = {text[t.start : t.end]: t.tag for t in analysis.tokens}
        assert all(tags.get(mark, "w") == "w" for mark in "，。、“”（）：")


def test_empty_and_whitespace_only_texts(backend: JiebaBackend) -> None:
    assert backend.analyze([]) == []
    empty, blank, crlf = backend.analyze(["", " \n\t\u3000 ", "北京\r\n\r\n上海"])
    assert empty == Analysis((), ())
    assert [(t.start, t.end, t.tag) for t in blank.tokens] == [(0, 5, "w")]
    assert [(t.start, t.end, t.tag) for t in crlf.tokens] == [
        (0, 2, "ns"),
        (2, 6, "w"),
        (6, 8, "ns"),
    ]


def test_registry_builds_backends_by_name() -> None:
    assert available_backends() == ("hanlp", "jieba", "lac", "spacy")
    jieba_backend = get_backend("jieba", user_words=[("腾讯", "nt")])
    assert isinstance(jieba_backend, JiebaBackend)
    lac_backend = get_backend("lac", max_sentence_len=256)
    assert lac_backend.name == "lac" and isinstance(lac_backend, NerBackend)


def test_registry_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown NER backend 'ltp'.*hanlp, jieba, lac"):
        get_backend("ltp")
