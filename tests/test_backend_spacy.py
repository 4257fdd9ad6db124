"""The spaCy backend and the label mapping files, without any model to download.

A real spaCy pipeline is built here: blank ``zh`` with an entity ruler as its
``ner`` component, saved to disk and loaded back by path, as a user's trained
pipeline would be. (Trained statistical models run in
``test_backends_trained.py``, under ``make test-backends``.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from healthnews_nlp import ModelNotAvailableError, load
from healthnews_nlp.nlp.backends.labels import default_labels_path, load_label_map, read_label_file
from healthnews_nlp.nlp.backends.lac import LacBackend
from healthnews_nlp.nlp.backends.registry import available_backends, get_backend
from healthnews_nlp.nlp.backends.spacy_backend import SpacyBackend

TEXT = "国务院总理李鹏今天在北京会见了美国客人。 他参观了故宫。"


@pytest.fixture(scope="module")
def ruler_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spaCy pipeline whose ``ner`` is an entity ruler with OntoNotes labels, saved to disk."""
    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([
        {"label": "ORG", "pattern": "国务院"},
        {"label": "PERSON", "pattern": "李鹏"},
        {"label": "GPE", "pattern": "北京"},
        {"label": "GPE", "pattern": "美国"},
        {"label": "FAC", "pattern": "故宫"},
        {"label": "DATE", "pattern": "今天"},
    ])
    path = tmp_path_factory.mktemp("spacy") / "ruler_ner"
    nlp.to_disk(path)
    return path


def test_spacy_is_a_registered_backend() -> None:
    assert "spacy" in available_backends()


def test_entities_offsets_labels_and_tokens(ruler_pipeline: Path) -> None:
    analysis = SpacyBackend(ruler_pipeline).analyze([TEXT, "", "北京"])
    entities = [(TEXT[e.start : e.end], e.label) for e in analysis[0].entities]
    # GPE is LOC and DATE is TIME by labels_spacy.tsv; FAC is not listed, so 故宫 is no entity
    assert entities == [("国务院", "ORG"), ("李鹏", "PERSON"), ("今天", "TIME"), ("北京", "LOC"), ("美国", "LOC")]
    tokens = analysis[0].tokens
    assert "".join(TEXT[t.start : t.end] for t in tokens) == TEXT
    assert {(TEXT[t.start : t.end], t.tag) for t in tokens} >= {("李鹏", "PER"), ("北京", "LOC"), ("国务院", "ORG")}
    assert analysis[1].tokens == () and analysis[1].entities == ()
    assert [(e.start, e.end, e.label) for e in analysis[2].entities] == [(0, 2, "LOC")]


def test_a_label_file_changes_what_is_an_entity(ruler_pipeline: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels.tsv"
    labels.write_text("# places only\nGPE\tLOC\nFAC\tLOC\n", encoding="utf-8")
    analysis = get_backend("spacy", model=str(ruler_pipeline), labels=labels).analyze([TEXT])[0]
    assert [TEXT[e.start : e.end] for e in analysis.entities] == ["北京", "美国", "故宫"]


def test_the_pipeline_on_a_spacy_backend(ruler_pipeline: Path) -> None:
    nlp = load(backend="spacy", backend_options={"model": str(ruler_pipeline)})
    doc = nlp("深圳市第三人民医院与北京大学第一医院在北京签署战略合作协议。李鹏出席。")
    assert {("深圳市第三人民医院", "ORG"), ("北京大学第一医院", "ORG"), ("北京", "LOC"), ("李鹏", "PERSON")} <= {
        (e.text, e.label_) for e in doc.ents
    }
    assert any(r.type == "PARTNERS_WITH" for r in doc._.relations)


def test_missing_pipeline_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError, match=r"'zh_core_web_trf'.*spacy download zh_core_web_sm"):
        load(backend="spacy", backend_options={"model": "zh_core_web_trf"})("北京")
    with pytest.raises(ModelNotAvailableError, match=r"needs a pipeline.*--model"):
        get_backend("spacy")
    blank = tmp_path / "blank"
    spacy.blank("zh").to_disk(blank)
    with pytest.raises(ModelNotAvailableError, match=r"has no 'ner' component"):
        SpacyBackend(blank).analyze(["北京"])


def test_packaged_label_files_read_and_map() -> None:
    for backend in ("lac", "jieba", "hanlp", "spacy"):
        assert read_label_file(default_labels_path(backend))
    hanlp = load_label_map("hanlp")
    assert (hanlp.get("nr"), hanlp.get("NR"), hanlp.get("GPE"), hanlp.get("FAC")) == ("PERSON", "PERSON", "LOC", None)


def test_bad_label_files_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("PER\tPERSON\nGPE\tPLACE\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.tsv:2: expected BACKEND_LABEL<TAB>TARGET"):
        load_label_map("lac", path)
    with pytest.raises(ValueError, match=r"missing.tsv: cannot read"):
        load_label_map("lac", tmp_path / "missing.tsv")
    with pytest.raises(ValueError, match=r"'PER' maps to 'PEOPLE'"):
        load_label_map("lac", {"PER": "PEOPLE"})


def test_lac_and_jieba_take_a_label_mapping() -> None:
    text = "国务院总理李鹏今天在北京会见了美国客人。"
    people = LacBackend(labels={"PER": "PERSON"}).analyze([text])[0].entities
    assert [(text[e.start : e.end], e.label) for e in people] == [("李鹏", "PERSON")]
    places = get_backend("jieba", labels={"ns": "LOC"}).analyze([text])[0].entities
    assert {e.label for e in places} == {"LOC"} and ("北京", "LOC") in {(text[e.start : e.end], e.label) for e in places}
