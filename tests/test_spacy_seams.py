"""The pipeline opens at spaCy's seams: candidate span groups, registered scorers and resolvers, saving.

A user's own component can propose entities by writing a span group the
recognizer reads; the scorer and the resolver are registered functions a
config swaps; user patterns survive ``nlp.to_disk`` and ``spacy.load``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import registry

import healthnews_nlp as hn
from healthnews_nlp.nlp.candidates import align_tokens, read_candidates, write_candidates
from healthnews_nlp.nlp.recognize import CLASSES
from healthnews_nlp.nlp.view import Candidate

SENTENCE = "9月22日，深圳市第三人民医院与腾讯签署战略合作协议，院长张三出席。"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return hn.load()


def test_the_rules_write_their_candidates_to_a_span_group_with_rule_and_priority(nlp: Language) -> None:
    doc = nlp(SENTENCE)
    group = doc.spans["healthnews_rules"]
    assert len(group) == len(group.attrs["rules"]) == len(group.attrs["priorities"]) == len(group.attrs["scores"])
    assert ("深圳市第三人民医院", "ORG") in {(span.text, span.label_) for span in group}
    assert all(isinstance(rule, str) and rule for rule in group.attrs["rules"])


def test_a_users_component_is_one_more_candidate_source(nlp: Language) -> None:
    @Language.component("test_brand_spotter")
    def brand_spotter(doc: Doc) -> Doc:
        start = doc.text.find("腾讯")
        return write_candidates(doc, "my_brands", [Candidate(start, start + 2, "ORG", "my-brand", 9)])

    custom = hn.load()
    custom.add_pipe("test_brand_spotter", before="healthnews_ner")
    config = custom.get_pipe_config("healthnews_ner")
    custom.remove_pipe("healthnews_ner")
    custom.add_pipe(
        "healthnews_ner",
        after="test_brand_spotter",
        config={"candidate_keys": ["my_brands"], "scorer": config["scorer"], "resolver": config["resolver"]},
    )
    doc = custom(SENTENCE)
    assert [(e.text, e.label_) for e in doc.ents] == [("腾讯", "ORG")]


def test_the_scorer_and_resolver_are_registered_functions_a_config_swaps(nlp: Language) -> None:
    @registry.misc("test_people_only.v1")
    def people_only() -> object:
        def score(view: object, candidates: list[Candidate]) -> np.ndarray:
            probabilities = np.zeros((len(candidates), len(CLASSES)), dtype=np.float32)
            for row, candidate in enumerate(candidates):
                probabilities[row, CLASSES.index("PERSON" if candidate.label == "PERSON" else "NONE")] = 1.0
            return probabilities

        return score

    custom = hn.load(relations=False)
    custom.remove_pipe("healthnews_ner")
    custom.add_pipe("healthnews_ner", config={"scorer": {"@misc": "test_people_only.v1"}})
    doc = custom(SENTENCE)
    assert {e.label_ for e in doc.ents} == {"PERSON"}
    assert [e.name for e in doc._.entities] == ["张三"]


def test_entities_carry_the_scorers_confidence(nlp: Language) -> None:
    doc = nlp(SENTENCE)
    assert all(0.0 <= e.confidence <= 1.0 for e in doc._.entities)
    assert all(0.0 <= r.confidence <= 1.0 for r in doc._.relations)


def test_user_patterns_and_the_pipeline_survive_to_disk_and_spacy_load(tmp_path: Path) -> None:
    saved = hn.load()
    saved.get_pipe("healthnews_ner").add_patterns([{"label": "ORG", "pattern": "航天云网"}])
    saved.to_disk(tmp_path / "pipeline")
    # a fresh interpreter that never imports healthnews_nlp: spaCy finds it by its entry points
    code = (
        "import spacy\n"
        f"nlp = spacy.load({str(tmp_path / 'pipeline')!r})\n"
        "doc = nlp('航天云网与深圳市第三人民医院签署战略合作协议。')\n"
        "print(nlp.get_pipe('healthnews_ner').patterns)\n"
        "print(sorted((e.text, e.label_) for e in doc.ents))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    patterns, ents = result.stdout.splitlines()
    assert patterns == "[('ORG', '航天云网')]"
    assert ents == "[('深圳市第三人民医院', 'ORG'), ('航天云网', 'ORG')]"


@pytest.mark.parametrize("repeat", [1, 40])  # a few splits in place; many: the Doc is built anew
def test_splitting_tokens_keeps_every_span_group_on_its_characters(repeat: int) -> None:
    text = "深圳市第三人民医院与腾讯签约。" * repeat
    doc = Doc(spacy.blank("zh").vocab, words=["深圳市第三人民医院", "与腾讯", "签约", "。"] * repeat, spaces=[False] * 4 * repeat)
    doc.spans["before"] = SpanGroup(doc, name="before", spans=[Span(doc, len(doc) - 2, len(doc) - 1, label="X")])
    text_before = [(s.text, s.start_char) for s in doc.spans["before"]]
    boundaries = [b + 15 * i for i in range(repeat) for b in (1, 5, 9, 10)]
    split = align_tokens(doc, boundaries)
    assert split.text == text
    assert [(s.text, s.start_char) for s in split.spans["before"]] == text_before
    assert {t.idx for t in split} >= set(boundaries)


def test_a_span_group_without_attributes_reads_as_candidates_of_its_name() -> None:
    doc = spacy.blank("zh").make_doc("腾讯签约")
    doc.spans["theirs"] = [doc.char_span(0, 2, label="ORG", alignment_mode="expand")]
    candidates = read_candidates(doc, ["theirs", "missing"])
    assert [(c.start, c.end, c.label, c.rule, c.priority, c.score) for c in candidates] == [
        (0, 2, "ORG", "theirs", 0, 1.0)
    ]


def test_a_users_relation_cues_reach_the_relation_extractor(tmp_path: Path) -> None:
    sentence = "深圳市第三人民医院与腾讯公司喜结连理。"
    assert not [r for r in hn.load()(sentence)._.relations if r.type == "PARTNERS_WITH"]
    (tmp_path / "relation_cues.tsv").write_text("喜结连理\tPARTNERS_WITH\tclause\n", encoding="utf-8")
    relations = hn.load(lexicon_dir=str(tmp_path))(sentence)._.relations
    assert [(r.head, r.type, r.tail) for r in relations] == [("深圳市第三人民医院", "PARTNERS_WITH", "腾讯公司")]
