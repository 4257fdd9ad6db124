"""The relation pair classifier: candidate pairs, features, the shipped model, training.

The pipeline (LAC) is loaded once for the module; sentences go through it
without the relation component, and the classifier reads what the recognizer
handed over, as the relation component will. The training tests need the
``train`` extra and the development set in ``../shared``; they are skipped
without them.
"""

from __future__ import annotations

import pickle

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language

from healthnews_nlp import load
from healthnews_nlp.evaluate import GoldArticle, GoldRelation, score
from healthnews_nlp.nlp.aliases import ResolvedEntity
from healthnews_nlp.nlp.components import register_extensions
from healthnews_nlp.nlp.relation_component import relation_finder
from healthnews_nlp.nlp.learned.linear import bucket
from healthnews_nlp.nlp.learned.relation_classifier import (
    MODEL_PATH,
    RelationClassifier,
    ScoredRelation,
    decide,
)
from healthnews_nlp.nlp.learned.relation_pairs import (
    NONE,
    PairCandidate,
    allowed_classes,
    candidate_pairs,
    orient,
    relation_classes,
)
from healthnews_nlp.nlp.relations import RelationFinder

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEVSET = SHARED / "devset"

PARTNERS = "6月28日，新疆医科大学第一附属医院与腾讯公司签署战略合作协议。"
STAFF = "北京协和医院院长张抒扬出席了会议。"


@pytest.fixture(scope="module")
def nlp() -> Language:
    register_extensions()
    return load(relations=False)


def finder_of(nlp: Language, text: str) -> RelationFinder:
    """The relation finder the relation component would build for ``text``."""
    return relation_finder(nlp(text))


def found(finder: RelationFinder) -> list[ScoredRelation]:
    return RelationClassifier.load().relations(finder, finder.find())


def entity(label: str, name: str, start: int) -> ResolvedEntity:
    return ResolvedEntity(label, Counter({name: 1}), [(start, start + len(name))])


# --- classes and orientation ----------------------------------------------------------------------


def test_classes_name_every_relation_and_the_reversed_same_type_one() -> None:
    classes = relation_classes()
    assert classes[0] == NONE
    assert {"PARTNERS_WITH", "WORKS_FOR", "PART_OF", "PART_OF_REVERSED"} <= set(classes)
    assert "PARTNERS_WITH_REVERSED" not in classes  # symmetric: one class for both directions


def test_a_pair_may_only_take_the_classes_its_types_allow() -> None:
    classes = relation_classes()
    person_event = dict(zip(classes, allowed_classes("PERSON", "EVENT", classes)))
    assert person_event["PARTICIPATES_IN"] and person_event[NONE]
    assert not person_event["WORKS_FOR"] and not person_event["HELD_IN"]
    org_event = dict(zip(classes, allowed_classes("ORG", "EVENT", classes)))
    assert org_event["ORGANIZES"] and org_event["HELD_IN"]  # HELD_IN read from the event
    org_org = dict(zip(classes, allowed_classes("ORG", "ORG", classes)))
    assert org_org["PART_OF"] and org_org["PART_OF_REVERSED"] and org_org["PARTNERS_WITH"]


def test_pairs_are_oriented_by_type_then_by_first_mention() -> None:
    hospital, doctor = entity("ORG", "医院", 5), entity("PERSON", "张三", 0)
    assert orient(hospital, doctor) == (doctor, hospital)
    first, second = entity("ORG", "甲公司", 9), entity("ORG", "乙公司", 2)
    assert orient(first, second) == (second, first)


def test_decide_keeps_the_rules_class_when_it_passes_its_threshold() -> None:
    classes = relation_classes()
    proba = np.zeros((2, len(classes)), dtype=np.float32)
    proba[:, classes.index(NONE)] = 0.7
    proba[:, classes.index("WORKS_FOR")] = 0.3
    rules = [["WORKS_FOR"], []]
    decided = decide(
        proba, classes, {"WORKS_FOR": 0.5}, rule_classes=rules, rule_thresholds={"WORKS_FOR": 0.0}
    )
    assert [(d.index, d.name, d.by_rules) for d in decided] == [(0, "WORKS_FOR", True)]
    assert (
        decide(proba, classes, {"WORKS_FOR": 0.5}, rule_classes=rules) == []
    )  # no rule thresholds: rules are features only


# --- candidate pairs of written sentences ---------------------------------------------------------


def pair_of(pairs: list[PairCandidate], first: str, second: str) -> PairCandidate:
    matches = [p for p in pairs if {p.first.name, p.second.name} == {first, second}]
    assert len(matches) == 1, [(p.first.name, p.second.name) for p in pairs]
    return matches[0]


def test_a_sentence_pair_describes_what_stands_between_the_two(nlp: Language) -> None:
    finder = finder_of(nlp, PARTNERS)
    pair = pair_of(candidate_pairs(finder, finder.find()), "新疆医科大学第一附属医院", "腾讯公司")
    assert "sentence" in pair.sources and pair.rule_classes == ["PARTNERS_WITH"]
    assert "ORG>ORGF|jb=与" in pair.features or "ORG>ORGF|w=与" in pair.features
    assert (
        "ORG>ORG|ca1=PARTNERS_WITH/agreement" in pair.features
    )  # the cue after the pair, same clause
    assert "ORG>ORG|r=PARTNERS_WITH" in pair.features
    assert not any("新疆" in f or "腾讯" in f for f in pair.features)  # no entity's own name


def test_rule_features_can_be_left_out(nlp: Language) -> None:
    finder = finder_of(nlp, PARTNERS)
    pair = pair_of(
        candidate_pairs(finder, finder.find(), rule_features=False),
        "新疆医科大学第一附属医院",
        "腾讯公司",
    )
    assert pair.rule_classes == ["PARTNERS_WITH"]  # still known, for combining with the rules
    assert not any("|r=" in f for f in pair.features)


def test_a_name_that_starts_with_a_place_gives_a_name_pair(nlp: Language) -> None:
    finder = finder_of(nlp, "深圳市第三人民医院今天开业。医院位于深圳。")
    pairs = candidate_pairs(finder, finder.find())
    pair = pair_of(pairs, "深圳市第三人民医院", "深圳")
    assert "name" in pair.sources
    assert "ORG>LOC|nm=prefix" in pair.features


# --- the shipped model ----------------------------------------------------------------------------


def test_the_shipped_model_loads_with_thresholds_and_a_confidence_map() -> None:
    classifier = RelationClassifier.load()
    assert MODEL_PATH.is_file()
    assert classifier.model.classes == relation_classes()
    assert set(classifier.thresholds) == {
        "PARTNERS_WITH",
        "ORGANIZES",
        "PARTICIPATES_IN",
        "WORKS_FOR",
        "HELD_IN",
        "LOCATED_IN",
        "PART_OF",
    }
    assert all(0.0 < t < 1.0 for t in classifier.thresholds.values())
    assert classifier.confidence.weights  # calibrated on held-out folds
    card = json.loads(MODEL_PATH.with_suffix(".card.json").read_text(encoding="utf-8"))
    assert card["thresholds"] == classifier.thresholds
    assert card["data"]["devset"]["articles"] == 48


def test_a_signed_cooperation_agreement_is_a_confident_partnership(nlp: Language) -> None:
    relations = found(finder_of(nlp, PARTNERS))
    partners = [r for r in relations if r.type == "PARTNERS_WITH"]
    assert [{r.head.name, r.tail.name} for r in partners] == [
        {"新疆医科大学第一附属医院", "腾讯公司"}
    ]
    assert partners[0].confidence >= 0.5
    start, end = partners[0].evidence
    assert PARTNERS[start:end].startswith("6月28日")


def test_an_organization_title_and_name_is_a_position(nlp: Language) -> None:
    relations = found(finder_of(nlp, STAFF))
    works = [(r.head.name, r.tail.name) for r in relations if r.type == "WORKS_FOR"]
    assert works == [("张抒扬", "北京协和医院")]


def test_a_list_of_companies_without_a_cue_is_no_partnership(nlp: Language) -> None:
    relations = found(finder_of(nlp, "参展企业包括华为、腾讯、阿里巴巴等。"))
    assert not [r for r in relations if r.type == "PARTNERS_WITH"]


def test_scores_do_not_depend_on_the_hash_seed() -> None:
    """Features are hashed with CRC-32 and pairs listed in text order: another process with another
    hash seed gives the same relations with the same confidences."""
    script = (
        "from healthnews_nlp import load\n"
        "from healthnews_nlp.nlp.relation_component import relation_finder\n"
        "from healthnews_nlp.nlp.learned.relation_classifier import RelationClassifier\n"
        "doc = load(relations=False)(" + repr(PARTNERS + STAFF) + ")\n"
        "finder = relation_finder(doc)\n"
        "for r in RelationClassifier.load().relations(finder, finder.find()):\n"
        "    print(r.head.name, r.type, r.tail.name, repr(r.confidence), r.evidence)\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1 and "PARTNERS_WITH" in outputs.pop()


# --- training (the train extra and ../shared) -----------------------------------------------------


@pytest.fixture(scope="module")
def gold() -> dict[str, GoldArticle]:
    """The development set's gold; the training tests are skipped without it or the train extra."""
    pytest.importorskip("sklearn")
    if not (DEVSET / "gold").is_dir():
        pytest.skip(f"the development set is not under {DEVSET}")
    from healthnews_nlp.evaluate import load_gold

    return load_gold(DEVSET / "gold")


def test_labels_and_counts_agree_with_the_scorer(gold: dict[str, GoldArticle]) -> None:
    """The training labels and the fast counts used to choose thresholds are score.py's."""
    from healthnews_nlp.training import relations as tr

    names = [
        "000_d17b967cb4755b6c.txt",
        "00011.txt",
        "016_sichuan-cancer-hospital-esophagectomy-training.txt",
    ]
    subset = {n: gold[n] for n in names}
    states = tr.article_states(DEVSET / "articles", subset)
    data = tr.examples(states)
    assert Counter(data.labels)[NONE] < len(data.labels)
    # every pair the rules related, decided as the rules did: the counts equal score.py's
    decisions = tr.rules_cv(data)
    counts = decisions.counts(tr.gold_keys(subset, subset))
    predictions = {
        s.name: GoldArticle(
            article=s.name,
            entities=(),
            relations=tuple(GoldRelation(head=r.head, type=r.type, tail=r.tail) for r in s.rules),
        )
        for s in states
    }
    reference = score(subset, predictions).relations.to_dict()
    for relation, (tp, fp, fn) in counts.items():
        assert (
            reference[relation]["tp"],
            reference[relation]["fp"],
            reference[relation]["fn"],
        ) == (tp, fp, fn)


def test_public_sentences_label_only_their_given_pair(gold: dict[str, GoldArticle]) -> None:
    from healthnews_nlp.training import relations as tr

    pairs = [
        tr.PublicPair(
            "finre",
            "东方航空与上航签署战略合作协议，北京首都机场出席。",
            "东方航空",
            "ORG",
            "上航",
            "ORG",
            "PARTNERS_WITH",
        ),
        tr.PublicPair(
            "duie", "马化腾是腾讯公司的创始人", "马化腾", "PERSON", "腾讯公司", "ORG", "WORKS_FOR"
        ),
    ]
    data = tr.examples(tr.public_states(pairs))
    assert data.labels == ["PARTNERS_WITH", "WORKS_FOR"]
    assert [r[-1] for r in data.rows] == ["corpus=finre", "corpus=duie"]


def test_training_on_a_few_articles_gives_a_working_model(
    gold: dict[str, GoldArticle], tmp_path: Path
) -> None:
    from healthnews_nlp.training import relations as tr

    subset = {n: gold[n] for n in sorted(gold)[:6]}
    states = tr.article_states(DEVSET / "articles", subset)
    model = tr.build_model(states, subset, tr.Hyper())
    path = tmp_path / "relations.npz"
    model.save(path)
    classifier = RelationClassifier.load(path)
    relations = classifier.relations(states[0].finder(), states[0].rules)
    assert relations and all(0.0 <= r.confidence <= 1.0 for r in relations)
    assert classifier.relations(states[0].finder(), states[0].rules) == relations  # deterministic
    again = tr.build_model(states, subset, tr.Hyper())
    assert np.array_equal(again.weights, model.weights) and again.metadata == model.metadata


def test_fit_weights_only_the_buckets_some_example_uses() -> None:
    """fit() hands lbfgs the used columns only: the other buckets keep weight 0, the model still
    separates the classes, and 2^18 buckets cost no more than a few."""
    pytest.importorskip("sklearn")
    from healthnews_nlp.training.linear import fit

    rows = [["a", "x"], ["a", "y"], ["b", "x"], ["b", "y"]] * 5
    labels = ["NONE", "NONE", "YES", "YES"] * 5
    model = fit(rows, labels, ("NONE", "YES"), buckets=1 << 18)
    used = set(np.flatnonzero(np.abs(model.weights).sum(axis=1)).tolist())
    assert used and used <= {bucket(f, 1 << 18) for f in "abxy"}
    proba = model.predict_proba([["a"], ["b"]])
    assert proba[0, 0] > 0.5 and proba[1, 1] > 0.5


def test_hashed_rows_remembered_buckets_are_the_hashed_ones() -> None:
    """The buckets remembered between calls are those bucket() computes, call after call."""
    from healthnews_nlp.nlp.learned.linear import hashed_rows

    rows = [["ORG>ORG|ja=与", "ORG>ORG|bias"], [], ["ORG>ORG|bias"]]
    for _ in range(2):
        indices, starts = hashed_rows(rows, 1 << 15)
        assert indices.tolist() == [bucket(f, 1 << 15) for row in rows for f in row]
        assert starts.tolist() == [0, 2, 2, 3]


def test_a_text_longer_than_any_article_is_related_by_the_rules_alone() -> None:
    from healthnews_nlp.nlp.relation_component import make_relation_classifier

    class Finder:  # what the scorer reads of a RelationFinder: its text and its rules' relations
        def __init__(self, text: str) -> None:
            self.text = text

        def find(self) -> list[str]:
            return ["the rules' relations"]

    scorer = make_relation_classifier(max_characters=10)
    assert scorer(Finder("x" * 11)) == ["the rules' relations"]  # type: ignore[arg-type]
    assert pickle.loads(pickle.dumps(scorer)).max_characters == 10  # nlp.pipe(n_process=N) pickles it
