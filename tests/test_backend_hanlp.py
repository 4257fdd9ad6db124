"""The HanLP backend.

HanLP is an optional extra, so most of these tests run without it: a fake
``hanlp`` module stands in for the library, with components that answer in
HanLP 2.1's documented formats (a single-task NER component takes tokenized
sentences and returns ``(entity, label, first_word, end_word)`` tuples; a
multi-task model takes raw sentences and returns a document with ``tok/fine``
and ``ner/...``). That exercises everything the backend does itself: word
alignment, label mapping, entity tokens, errors and messages. The real library
runs in ``test_backends_trained.py`` (``make test-backends``), on a NER model
trained there.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from healthnews_nlp import HealthNewsError, ModelNotAvailableError
from healthnews_nlp.nlp.backends.base import Analysis, BackendEntity, NerBackend, Token
from healthnews_nlp.nlp.backends.hanlp_backend import (
    DEFAULT_MODEL,
    HanlpBackend,
    align_words,
    entity_spans,
    map_label,
    model_directory,
)
from healthnews_nlp.nlp.backends.combine import combine, merge_entities
from healthnews_nlp.nlp.backends.registry import available_backends, get_backend
from healthnews_nlp.nlp.pipeline import load

# seed 002, first sentence of the article
SENTENCE = (
    "9月22日下午，深圳国家感染性疾病临床医学研究中心（下称“国研中心”）、"
    "深圳市第三人民医院（下称“深圳三院”）与腾讯正式达成战略合作。"
)
MSRA_URL = "https://file.hankcs.com/hanlp/ner/msra_ner_electra_small_20210807_154832.zip"


# --- a fake hanlp module -------------------------------------------------------------------------


class DictionaryNer:
    """A single-task NER component: finds runs of words that spell a dictionary entry."""

    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = entries
        self.calls: list[list[list[str]]] = []

    def __call__(self, batch: list[list[str]]) -> list[list[tuple[str, str, int, int]]]:
        assert isinstance(batch, list) and all(isinstance(words, list) for words in batch)
        self.calls.append(batch)
        return [self._find(words) for words in batch]

    def _find(self, words: list[str]) -> list[tuple[str, str, int, int]]:
        found = []
        first = 0
        while first < len(words):
            for stop in range(len(words), first, -1):
                name = "".join(words[first:stop])
                if name in self.entries:
                    found.append((name, self.entries[name], first, stop))
                    first = stop
                    break
            else:
                first += 1
        return found


class MultiTaskLearning:
    """A multi-task model (HanLP's class name): tokenizes into characters, NER by dictionary."""

    def __init__(self, entries: dict[str, dict[str, str]]) -> None:
        self.entries = entries
        self.tasks_asked: list[Any] = []

    def __call__(self, sentences: list[str], tasks: Any = None) -> dict[str, Any]:
        self.tasks_asked.append(tasks)
        words = [[c for c in sentence if not c.isspace()] for sentence in sentences]
        document: dict[str, Any] = {"tok/fine": words}
        for task, entries in self.entries.items():
            document[task] = [DictionaryNer(entries)._find(w) for w in words]
        return document


def fake_hanlp(components: dict[str, Any]) -> types.ModuleType:
    """A module with ``load`` and ``pretrained.ALL``; unknown identifiers fail like an offline download."""
    module = types.ModuleType("hanlp")
    module.pretrained = types.SimpleNamespace(ALL={DEFAULT_MODEL: MSRA_URL})  # type: ignore[attr-defined]
    module.loaded = []  # type: ignore[attr-defined]

    def load(identifier: str, **options: Any) -> Any:
        module.loaded.append((identifier, options))  # type: ignore[attr-defined]
        if identifier in components:
            return components[identifier]
        raise ConnectionError(f"Download failed: {MSRA_URL}")

    module.load = load  # type: ignore[attr-defined]
    return module


@pytest.fixture
def use_hanlp(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, Any]], types.ModuleType]:
    def install(components: dict[str, Any]) -> types.ModuleType:
        module = fake_hanlp(components)
        monkeypatch.setitem(sys.modules, "hanlp", module)
        return module

    return install


def entities_of(text: str, analysis: Analysis) -> list[tuple[str, str]]:
    return [(text[e.start : e.end], e.label) for e in analysis.entities]


def assert_tiles(text: str, tokens: Sequence[Token]) -> None:
    position = 0
    for token in tokens:
        assert token.start == position < token.end, (token, position)
        position = token.end
    assert position == len(text)


# --- without HanLP -------------------------------------------------------------------------------


def test_hanlp_is_a_registered_backend() -> None:
    assert available_backends() == ("hanlp", "jieba", "lac", "spacy")


def test_missing_hanlp_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hanlp", None)  # import hanlp fails, installed or not
    with pytest.raises(ModelNotAvailableError) as raised:
        get_backend("hanlp")
    message = str(raised.value)
    assert "pip install 'healthnews-nlp[hanlp]'" in message
    assert "torch==2.13.0" in message and "cpu" in message
    assert "backend='lac'" in message
    assert isinstance(raised.value, HealthNewsError)

    with pytest.raises(ModelNotAvailableError, match=r"healthnews-nlp\[hanlp\]"):
        load(backend="hanlp")


def test_model_missing_offline_names_model_home_and_path(
    use_hanlp: Callable[[dict[str, Any]], types.ModuleType],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("HANLP_HOME", str(tmp_path))
    use_hanlp({})
    backend = get_backend("hanlp")  # HanLP imports; the model loads on first use
    assert isinstance(backend, NerBackend) and backend.name == "hanlp"
    with pytest.raises(ModelNotAvailableError) as raised:
        backend.analyze([SENTENCE])
    message = str(raised.value)
    assert repr(DEFAULT_MODEL) in message and "ConnectionError" in message
    assert "HANLP_HOME" in message and "~/.hanlp" in message
    assert str(tmp_path / "ner" / "msra_ner_electra_small_20210807_154832") in message
    assert MSRA_URL in message
    assert f"hanlp.load('{DEFAULT_MODEL}')" in message
    assert "backend_options={'model': '/path/to/model_dir'}" in message
    assert isinstance(raised.value.__cause__, ConnectionError)


def test_bad_local_path_and_unknown_identifier_messages(
    use_hanlp: Callable[[dict[str, Any]], types.ModuleType], tmp_path: Path
) -> None:
    use_hanlp({})
    with pytest.raises(ModelNotAvailableError, match="is not a HanLP model directory"):
        HanlpBackend(str(tmp_path / "my_ner_model")).analyze(["腾讯"])
    with pytest.raises(ModelNotAvailableError, match="neither a HanLP identifier"):
        HanlpBackend("NO_SUCH_MODEL").analyze(["腾讯"])
    use_hanlp({"ner": DictionaryNer({})})
    with pytest.raises(ModelNotAvailableError, match=r"tokenizer model 'FINE_TOK'.*'tokenizer_model'"):
        HanlpBackend("ner", tokenizer_model="FINE_TOK").analyze(["腾讯"])


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        # MSRA (HanLP 2.1) and its older NR/NS/NT form
        ("PERSON", "PERSON"),
        ("LOCATION", "LOC"),
        ("ORGANIZATION", "ORG"),
        ("DATE", "TIME"),
        ("TIME", "TIME"),
        ("INTEGER", None),
        ("WWW", None),
        ("NR", "PERSON"),
        ("NS", "LOC"),
        ("NT", "ORG"),
        # PKU
        ("nr", "PERSON"),
        ("ns", "LOC"),
        ("nt", "ORG"),
        # OntoNotes
        ("ORG", "ORG"),
        ("GPE", "LOC"),
        ("LOC", "LOC"),
        ("FAC", None),
        ("EVENT", None),
        ("NORP", None),
        ("PRODUCT", None),
        ("CARDINAL", None),
    ],
)
def test_label_mapping(label: str, expected: str | None) -> None:
    assert map_label(label) == expected


def test_model_directory_follows_hanlps_layout(tmp_path: Path) -> None:
    assert model_directory(MSRA_URL, tmp_path) == tmp_path / "ner" / "msra_ner_electra_small_20210807_154832"
    assert model_directory("https://example.org/models/x/my_ner.tar.gz#sub", tmp_path) == (
        tmp_path / "thirdparty" / "example.org" / "models" / "x" / "my_ner"
    )


def test_single_task_ner_reads_jieba_words_and_gives_char_offsets(
    use_hanlp: Callable[[dict[str, Any]], types.ModuleType],
) -> None:
    ner = DictionaryNer(
        {
            "深圳市第三人民医院": "ORGANIZATION",
            "深圳国家感染性疾病临床医学研究中心": "ORGANIZATION",
            "腾讯": "ORGANIZATION",
            "9月22日下午": "DATE",
            "三院": "INTEGER",
        }
    )
    module = use_hanlp({DEFAULT_MODEL: ner})
    backend = HanlpBackend(devices=-1)
    text = "  " + SENTENCE + "\n腾讯牵手国研中心。\n"
    analysis = backend.analyze([text])[0]
    assert module.loaded == [(DEFAULT_MODEL, {"devices": -1})]  # type: ignore[attr-defined]
    # one batched call for both sentences; jieba's words, whitespace left out
    assert len(ner.calls) == 1 and len(ner.calls[0]) == 2
    assert ner.calls[0][1] == ["腾讯", "牵手", "国研", "中心", "。"]
    assert entities_of(text, analysis) == [
        ("9月22日下午", "TIME"),
        ("深圳国家感染性疾病临床医学研究中心", "ORG"),
        ("深圳市第三人民医院", "ORG"),
        ("腾讯", "ORG"),
        ("腾讯", "ORG"),
    ]
    assert_tiles(text, analysis.tokens)
    tokens = {(text[t.start : t.end], t.tag) for t in analysis.tokens}
    # each entity is one token tagged as LAC tags entity words; other words keep jieba's flags
    assert {("深圳市第三人民医院", "ORG"), ("9月22日下午", "TIME"), ("腾讯", "ORG")} <= tokens
    assert {("下称", "v"), ("国研", "nt"), ("  ", "w"), ("“", "w"), ("、", "w")} <= tokens


def test_multitask_model_gives_words_and_ner_task(
    use_hanlp: Callable[[dict[str, Any]], types.ModuleType],
) -> None:
    mtl = MultiTaskLearning(
        {
            "ner/msra": {"深圳三院": "ORGANIZATION"},
            "ner/ontonotes": {"深圳三院": "FAC", "腾讯": "ORG", "深圳": "GPE", "下午": "TIME", "医学": "ORG"},
        }
    )
    use_hanlp({"CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH": mtl})
    backend = HanlpBackend(
        "CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH", tokenizer_model="IGNORED", ner_task="ner/ontonotes"
    )
    text = "9月22日下午，深圳三院与 腾讯 在深圳开展临床医学合作。"
    analysis = backend.analyze([text])[0]
    assert mtl.tasks_asked == ["ner/ontonotes"]
    # character words from the model, mapped back over the spaces; the FAC is dropped
    assert entities_of(text, analysis) == [("下午", "TIME"), ("腾讯", "ORG"), ("深圳", "LOC"), ("医学", "ORG")]
    assert_tiles(text, analysis.tokens)
    pieces = [(text[t.start : t.end], t.tag) for t in analysis.tokens]
    # an entity inside a jieba word cuts it: 临床 keeps jieba's tag
    assert pieces[-5:] == [("开展", "v"), ("临床", "l"), ("医学", "ORG"), ("合作", "vn"), ("。", "w")]
    assert ("深圳", "ns") in pieces and ("深圳", "LOC") in pieces


def test_hanlp_tokenizer_words_are_aligned_to_the_text(
    use_hanlp: Callable[[dict[str, Any]], types.ModuleType],
) -> None:
    tokenized: list[list[str]] = []

    def tokenizer(sentences: list[str]) -> list[list[str]]:
        out = [sentence.split() for sentence in sentences]
        tokenized.extend(out)
        return out

    ner = DictionaryNer({"DigitalHealthcareWorkingGroup400": "ORGANIZATION", "ＤＨ400": "ORGANIZATION"})
    use_hanlp({"ner": ner, "FINE_TOK": tokenizer})
    text = "所谓 DH400 即 Digital  Healthcare Working Group 400 。"
    analysis = HanlpBackend("ner", tokenizer_model="FINE_TOK").analyze([text])[0]
    assert tokenized == [["所谓", "DH400", "即", "Digital", "Healthcare", "Working", "Group", "400", "。"]]
    # an entity may span words with spaces between them
    assert entities_of(text, analysis) == [("Digital  Healthcare Working Group 400", "ORG")]
    assert_tiles(text, analysis.tokens)


def test_align_words() -> None:
    text = "x 宁夏　银川Ａ1 。"
    assert align_words(text, 2, len(text), ["宁夏", "银川", "A1", "。"]) == [(2, 4), (5, 7), (7, 9), (10, 11)]
    # a blank word keeps its index, with an empty span
    assert align_words("宁夏 银川", 0, 5, ["宁夏", " ", "银川"]) == [(0, 2), (3, 3), (3, 5)]
    with pytest.raises(ValueError, match="does not match the text"):
        align_words(text, 2, len(text), ["宁夏", "西安"])
    with pytest.raises(ValueError, match="does not match the text"):
        align_words("宁夏", 0, 2, ["宁夏银川"])


def test_entity_spans_drop_bad_and_overlapping_tuples() -> None:
    words = [(0, 2), (2, 4), (5, 7)]
    found = [
        ["宁夏银川", "LOCATION", 0, 2],  # lists, as HanLP's JSON output has them
        ("银川", "LOCATION", 1, 2),  # inside the previous one
        ("x", "PERSON", 2, 2),  # empty
        ("x", "PERSON", 2, 9),  # past the words
        ("x", "MONEY", 2, 3),  # a type the backend does not keep
        ("x", "PERSON", 2, 3),
    ]
    assert entity_spans(words, found) == [BackendEntity(0, 4, "LOC"), BackendEntity(5, 7, "PERSON")]
    assert entity_spans([(0, 2), (3, 3)], [("", "PERSON", 1, 2)]) == []  # a blank word alone


def test_merge_entities_cuts_and_joins_tokens() -> None:
    tokens = [Token(0, 3, "n"), Token(3, 4, "w"), Token(4, 8, "v"), Token(8, 10, "n")]
    entities = [BackendEntity(1, 5, "ORG"), BackendEntity(6, 7, "PERSON"), BackendEntity(8, 10, "LOC")]
    assert merge_entities(tokens, entities) == (
        Token(0, 1, "n"),
        Token(1, 5, "ORG"),
        Token(5, 6, "v"),
        Token(6, 7, "PER"),
        Token(7, 8, "v"),
        Token(8, 10, "LOC"),
    )
    assert merge_entities(tokens, []) == tuple(tokens)


def test_combine_trims_function_words_off_entity_edges() -> None:
    # 与|北京大学第一医院|在|北京: a small model's ORG took the prepositions on both sides
    tokens = [Token(0, 1, "p"), Token(1, 9, "nt"), Token(9, 10, "p"), Token(10, 12, "ns")]
    analysis = combine(tokens, [BackendEntity(0, 10, "ORG"), BackendEntity(10, 12, "LOC")])
    assert analysis.entities == (BackendEntity(1, 9, "ORG"), BackendEntity(10, 12, "LOC"))
    assert analysis.tokens == (Token(0, 1, "p"), Token(1, 9, "ORG"), Token(9, 10, "p"), Token(10, 12, "LOC"))
    # only whole words go: an entity edge inside a word, or a function word alone, stays as it was
    assert combine(tokens, [BackendEntity(0, 5, "ORG")]).entities == (BackendEntity(1, 5, "ORG"),)
    assert combine(tokens, [BackendEntity(9, 10, "PERSON")]).entities == ()


def test_empty_and_blank_texts(use_hanlp: Callable[[dict[str, Any]], types.ModuleType]) -> None:
    ner = DictionaryNer({})
    use_hanlp({DEFAULT_MODEL: ner})
    backend = HanlpBackend()
    assert backend.analyze([]) == []
    empty, blank = backend.analyze(["", " \n "])
    assert empty == Analysis((), ()) and blank.entities == ()
    assert ner.calls == []  # no sentence, no model call


def test_hanlp_backend_through_the_pipeline(use_hanlp: Callable[[dict[str, Any]], types.ModuleType]) -> None:
    """The spaCy pipeline runs on the HanLP backend's words and entities."""
    use_hanlp({DEFAULT_MODEL: DictionaryNer({"腾讯": "ORGANIZATION", "深圳市第三人民医院": "ORGANIZATION"})})
    nlp = load(backend="hanlp")
    text = SENTENCE + "腾讯作为中国最大的互联网综合服务提供商之一，致力于整合内部及生态各方的数字化能力。"
    doc = nlp(text)
    assert doc.text == text
    ents = {(e.text, e.label_) for e in doc.ents}
    assert {("深圳市第三人民医院", "ORG"), ("深圳三院", "ORG"), ("腾讯", "ORG"), ("国研中心", "ORG")} <= ents
    assert next(e for e in doc._.entities if e.name == "深圳市第三人民医院").aliases == ("深圳三院",)
