"""The spaCy pipeline with the real LAC model on the real seed articles.

``load()`` runs once per module. Sentences are taken from the seed articles as
the ingest reads them (``seed_articles`` in conftest), never retyped, and the
expected entities are the ones the annotation guidelines ask for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from spacy import displacy
from spacy.language import Language
from spacy.tokens import Doc

import healthnews_nlp
from healthnews_nlp import Article
from healthnews_nlp.baselines import backend_extractions
from healthnews_nlp.evaluate import load_gold, load_predictions, score
from healthnews_nlp.nlp.extraction import extract
from healthnews_nlp.models import ArticleExtraction, Entity
from healthnews_nlp.nlp.pipeline import load
from healthnews_nlp.nlp.tokenizer import BackendTokenizer, jieba_user_words, stored_analysis

GOLD_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "gold"
LABELS = {"ORG", "PERSON", "LOC", "EVENT"}


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load()


@pytest.fixture(scope="module")
def seed_docs(nlp: Language, seed_articles: dict[str, Article]) -> dict[str, Doc]:
    """Each seed article's clean text through the pipeline, by seed number."""
    return {number: nlp(article.text) for number, article in seed_articles.items()}


def sentence_with(text: str, needle: str) -> tuple[int, int]:
    """The span of the sentence (up to 。 or a line break) of ``text`` that contains ``needle``."""
    at = text.index(needle)
    start = max(text.rfind(mark, 0, at) for mark in "。\n") + 1
    end = min(e for e in (text.find(mark, at) for mark in "。\n") if e >= 0) + 1
    return start, end


def ents_of(doc: Doc, span: tuple[int, int] | None = None) -> list[tuple[str, str]]:
    start, end = span or (0, len(doc.text))
    return [(e.text, e.label_) for e in doc.ents if start <= e.start_char and e.end_char <= end]


# --- the Language ---------------------------------------------------------------------------------


def test_load_gives_a_chinese_spacy_pipeline_with_the_registered_component(nlp: Language) -> None:
    assert healthnews_nlp.load is load
    assert isinstance(nlp, Language) and nlp.lang == "zh"
    assert nlp.pipe_names == ["healthnews_rules", "healthnews_ner", "healthnews_relations"]
    assert Language.has_factory("healthnews_ner")
    meta = Language.get_factory_meta("healthnews_ner")
    assert set(meta.default_config) == {"lexicon_dir", "candidate_keys", "scorer", "resolver"}
    assert meta.default_config["resolver"]["@misc"] == "healthnews_nlp.entity_resolver.v1"
    assert "doc.ents" in meta.assigns
    assert "doc.spans" in Language.get_factory_meta("healthnews_rules").assigns
    assert nlp.get_pipe_config("healthnews_ner")["factory"] == "healthnews_ner"
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == "healthnews_nlp.backend_tokenizer.v1"
    assert isinstance(nlp.tokenizer, BackendTokenizer) and nlp.tokenizer.backend.name == "lac"


def test_component_config_is_typed(nlp: Language) -> None:
    with pytest.raises(Exception, match="lexicon_dir"):
        nlp.add_pipe("healthnews_ner", name="typed", config={"lexicon_dir": ["not", "a", "path"]})
    assert "typed" not in nlp.pipe_names


def test_unknown_backend_fails_when_loading() -> None:
    with pytest.raises(ValueError, match="unknown NER backend 'nope'"):
        load(backend="nope")


# --- entities on real sentences -------------------------------------------------------------------


def test_seed_002_first_sentence(seed_docs: dict[str, Doc], seed_articles: dict[str, Article]) -> None:
    text = seed_articles["002"].text
    span = sentence_with(text, "9月22日下午")
    assert ents_of(seed_docs["002"], span) == [
        ("深圳国家感染性疾病临床医学研究中心", "ORG"),
        ("国研中心", "ORG"),
        ("深圳市第三人民医院", "ORG"),
        ("深圳三院", "ORG"),
        ("腾讯", "ORG"),
    ]


def test_list_of_academicians_gives_every_person(nlp: Language, seed_articles: dict[str, Article]) -> None:
    text = seed_articles["000"].text
    sentence = text[slice(*sentence_with(text, "曾溢滔"))]
    lac_alone = nlp.tokenizer.backend.analyze([sentence])[0]
    lac_people = {sentence[e.start : e.end] for e in lac_alone.entities if e.label == "PERSON"}
    assert "曾溢滔" not in lac_people  # LAC misses the third name; the list rule finds it
    doc = nlp(sentence)
    people = [t for t, label in ents_of(doc) if label == "PERSON"]
    assert people == ["石岱", "刘桂清", "钟南山", "樊代明", "曾溢滔"]
    assert ("中国电信集团有限公司", "ORG") in ents_of(doc)


def test_named_event_and_places(nlp: Language, seed_articles: dict[str, Article]) -> None:
    text = seed_articles["000"].text
    doc = nlp(text[slice(*sentence_with(text, "医生云”大会"))])
    found = ents_of(doc)
    assert found[:3] == [("2021“医生云”大会", "EVENT"), ("宁夏", "LOC"), ("银川", "LOC")]
    assert {
        ("大专家．COM", "ORG"),
        ("中国电信宁夏公司", "ORG"),
        ("广东省钟南山医学基金会", "ORG"),
    } <= set(found)
    # 钟南山 inside the foundation's name is not a person there
    assert ("钟南山", "PERSON") not in found


def test_place_words_inside_a_phrase_are_no_person(nlp: Language, seed_articles: dict[str, Article]) -> None:
    text = seed_articles["000"].text
    sentence = text[slice(*sentence_with(text, "是国内唯一一家陆海空天一体化的电信运营商"))]
    lac_alone = nlp.tokenizer.backend.analyze([sentence])[0]
    assert ("陆海", "PERSON") in [(sentence[e.start : e.end], e.label) for e in lac_alone.entities]
    doc = nlp(sentence)
    assert not any(label == "PERSON" for _, label in ents_of(doc))
    assert all("陆海" not in t for t, _ in ents_of(doc))


def test_fragments_are_never_entities(seed_docs: dict[str, Doc]) -> None:
    fragments = {"健委", "国研", "电信"}
    for doc in seed_docs.values():
        assert not fragments & {e.text for e in doc.ents}
        assert not fragments & {form for e in doc._.entities for form in (e.name, *e.aliases)}


def test_labels_and_resolved_entities(seed_docs: dict[str, Doc]) -> None:
    for doc in seed_docs.values():
        assert {e.label_ for e in doc.ents} <= LABELS
        entities = doc._.entities
        assert entities and all(isinstance(e, Entity) for e in entities)
        mention_spans = set()
        for entity in entities:
            assert entity.type in LABELS
            for mention in entity.mentions:
                assert doc.text[mention.start : mention.end] == mention.text
                mention_spans.add((mention.start, mention.end, entity.type))
        ents = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        assert mention_spans <= ents
        # the only mentions without an entity: one-character place abbreviations (港 of 深、港、澳)
        # whose place the article never names in full
        assert all(end - start == 1 and label == "LOC" for start, end, label in ents - mention_spans)


def test_tokens_keep_every_entity_boundary(seed_docs: dict[str, Doc], seed_articles: dict[str, Article]) -> None:
    for number, doc in seed_docs.items():
        text = seed_articles[number].text
        assert doc.text == text
        assert "".join(t.text_with_ws for t in doc) == text
        boundaries = {t.idx for t in doc} | {len(text)}
        for ent in doc.ents:
            assert ent.start_char in boundaries and ent.end_char in boundaries
            assert doc.char_span(ent.start_char, ent.end_char, label=ent.label_) == ent
        # the component only ever splits the backend's words
        analysis = stored_analysis(doc)
        assert analysis is not None
        assert {t.start for t in analysis.tokens} <= boundaries


def test_displacy_renders_the_entities(seed_docs: dict[str, Doc]) -> None:
    doc = seed_docs["000"]
    assert {e.label_ for e in doc.ents} == LABELS
    html = displacy.render(doc, style="ent", jupyter=False)
    assert html.count('<mark class="entity"') == len(doc.ents)
    assert "2021“医生云”大会" in html and "中国电信集团有限公司" in html
    for label in LABELS:
        assert f">{label}</span>" in html


def test_pipe_in_batches_equals_one_by_one(
    nlp: Language, seed_docs: dict[str, Doc], seed_articles: dict[str, Article]
) -> None:
    numbers = sorted(seed_articles)
    piped = list(nlp.pipe((seed_articles[n].text for n in numbers), batch_size=2))
    assert len(piped) == len(numbers)
    for number, doc in zip(numbers, piped):
        single = seed_docs[number]
        assert doc.text == single.text
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
            (e.start_char, e.end_char, e.label_) for e in single.ents
        ]
        assert doc._.entities == single._.entities


def test_one_thread_gives_the_same_docs_from_the_calling_thread_alone(
    seed_docs: dict[str, Doc], seed_articles: dict[str, Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``load(threads=1)``: one LAC encoder run at a time and no batch analysed ahead in a thread."""
    import threading

    serial = load(threads=1)
    tokenizer = serial.tokenizer
    assert isinstance(tokenizer, BackendTokenizer) and tokenizer.backend._workers == 1  # type: ignore[attr-defined]
    started: list[str] = []
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        started.append(thread.name)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    numbers = sorted(seed_articles)
    piped = list(serial.pipe((seed_articles[n].text for n in numbers), batch_size=2))
    assert started == []
    for number, doc in zip(numbers, piped):
        assert doc._.entities == seed_docs[number]._.entities
        assert doc._.relations == seed_docs[number]._.relations


# --- the jieba backend through load() --------------------------------------------------------------


def test_jieba_backend_through_load(seed_articles: dict[str, Article]) -> None:
    nlp = load(backend="jieba")
    assert nlp.tokenizer.backend.name == "jieba"
    text = seed_articles["000"].text
    doc = nlp(text[slice(*sentence_with(text, "医生云”大会"))])
    found = ents_of(doc)
    assert {("宁夏", "LOC"), ("银川", "LOC"), ("中国电信宁夏公司", "ORG"), ("中国太平保险集团", "ORG")} <= set(found)

    text = seed_articles["002"].text
    doc = nlp(text[slice(*sentence_with(text, "9月22日下午"))])
    assert {("深圳市第三人民医院", "ORG"), ("国研中心", "ORG"), ("深圳三院", "ORG")} <= set(ents_of(doc))
    # jieba tags punctuation x; the backend tags it w, so no name takes in a quote or a comma
    assert all(t[0] not in "“”（）、，" and t[-1] not in "“”（）、，" for t, _ in ents_of(doc))


def test_jieba_user_dictionary_from_the_lexicons(seed_articles: dict[str, Article]) -> None:
    text = seed_articles["001"].text
    sentence = text[slice(*sentence_with(text, "首席医学官杨页多"))]
    with_words = load(backend="jieba")(sentence)
    without = load(backend="jieba", backend_options={"user_words": ()})(sentence)

    def words(doc: Doc) -> list[str]:
        analysis = stored_analysis(doc)
        assert analysis is not None
        return [doc.text[t.start : t.end] for t in analysis.tokens]

    # the title is one word only with the user dictionary, and then the name after it is found
    assert "首席医学官" in words(with_words) and "首席医学官" not in words(without)
    assert ("杨页多", "PERSON") in ents_of(with_words)
    assert ("杨页多", "PERSON") not in ents_of(without)


def test_jieba_user_words() -> None:
    words = dict(jieba_user_words())
    assert words["宁夏回族自治区"] == words["宁夏"] == words["银川市"] == words["银川"] == "ns"
    assert words["中国"] == "ns" and words["总经理"] == "n"
    assert "云和" not in words and words["云和县"] == "ns"  # county short forms stay out
    assert "医院" not in words and "张" not in words


# --- the dev set -------------------------------------------------------------------------------------


def _scores(extractions: Iterable[ArticleExtraction], path: Path) -> dict[str, dict[str, float]]:
    with path.open("w", encoding="utf-8") as out:
        for extraction in extractions:
            out.write(json.dumps(json.loads(extraction.model_dump_json()), ensure_ascii=False) + "\n")
    table = score(load_gold(GOLD_DIR), load_predictions(path)).to_dict()["entities"]
    return {label: {"p": row["p"], "r": row["r"], "f": row["f"]} for label, row in table.items()}


@pytest.mark.skipif(not GOLD_DIR.is_dir(), reason="shared/gold is not beside the repository")
def test_dev_set_scores(nlp: Language, seed_articles: dict[str, Article], tmp_path: Path) -> None:
    articles = [seed_articles[n] for n in sorted(seed_articles)]
    full = _scores(extract(articles, nlp), tmp_path / "full.jsonl")
    lac = _scores(backend_extractions(articles, "lac"), tmp_path / "lac.jsonl")
    print("full pipeline:", full)
    print("LAC alone:", lac)
    assert full["ALL"]["f"] >= 0.85
    for label in sorted(LABELS):
        assert full[label]["f"] >= 0.80, label
    assert full["ALL"]["f"] >= lac["ALL"]["f"] + 0.15
