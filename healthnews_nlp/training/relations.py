"""Training and cross-validating the relation pair classifier on the development set.

Each article of ``../shared/devset`` goes through the pipeline as shipped (the
recognizer's mentions and entities, the rules' relations), its candidate pairs
are generated (:mod:`healthnews_nlp.nlp.learned.relation_pairs`) and each pair
is labelled with the gold relation between the two entities, matched as
``shared/tools/score.py`` matches a predicted relation: by the entities' names
against the gold entities' forms. A pair the scorer would not credit is NONE,
so the classifier also learns which pairs the entity errors spoil.

Cross-validation uses :func:`healthnews_nlp.training.folds.assign_folds`; the
figures are the scorer's, computed on the held-out articles only. Decision
thresholds and calibration are chosen on out-of-fold probabilities of the
*training* folds (nested), so no held-out article decides its own threshold.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
from spacy.language import Language

from healthnews_nlp.errors import requires_extra
from healthnews_nlp.evaluate import (
    GoldArticle,
    GoldEntity,
    GoldRelation,
    entity_forms,
    load_gold,
    normalize,
)
from healthnews_nlp.ingest.readers import read_article
from healthnews_nlp.models import Relation
from healthnews_nlp.nlp.aliases import ResolvedEntity
from healthnews_nlp.nlp.components import register_extensions
from healthnews_nlp.nlp.relation_component import relation_finder
from healthnews_nlp.nlp.learned.linear import FloatArray, HashedLinearModel
from healthnews_nlp.nlp.learned.relation_classifier import (
    Confidence,
    Decision,
    decide,
    descriptors,
    masked_proba,
    oriented,
)
from healthnews_nlp.nlp.learned.relation_pairs import (
    NONE,
    PairCandidate,
    allowed_classes,
    candidate_pairs,
    class_relation,
    relation_classes,
)
from healthnews_nlp.nlp.relations import RelationFinder
from healthnews_nlp.nlp.view import Candidate, TextView
from healthnews_nlp.schema import symmetric_relations
from healthnews_nlp.training.folds import assign_folds, source_of
from healthnews_nlp.training.linear import fit

with requires_extra("train", "training the relation classifier (make train)"):
    from sklearn.linear_model import LogisticRegression

#: A relation as the scorer keys it: (head's gold entity, type, tail's gold entity).
Key = tuple[int, str, int]


@dataclass
class ArticleState:
    """What the relation component of one article sees, and the article's gold."""

    name: str
    view: TextView
    mentions: list[Candidate]
    entities: list[ResolvedEntity]
    date: date | None
    gold: GoldArticle
    rules: list[Relation] = field(default_factory=list)
    #: Public data: only the pair of these entities is labelled (the others are context).
    given: list[ResolvedEntity] | None = None

    def finder(self) -> RelationFinder:
        return RelationFinder(self.view, self.mentions, self.entities, self.date)


def _pipeline() -> Language:
    from healthnews_nlp.nlp.pipeline import load

    register_extensions()
    return load(relations=False)


def _recognised(
    nlp: Language, text: str, skip: tuple[tuple[int, int], ...] = ()
) -> tuple[TextView, list[Candidate], list[ResolvedEntity]]:
    """What the recognizer hands the relation component for ``text``."""
    doc = nlp.make_doc(text)
    doc._.skip_spans = skip
    for _, component in nlp.pipeline:
        doc = component(doc)
    finder = relation_finder(doc)
    return finder.view, list(finder.mentions), list(finder.entities)


def article_states(article_dir: Path, gold: Mapping[str, GoldArticle]) -> list[ArticleState]:
    """Every gold article of ``article_dir`` through the pipeline (without the relation component)."""
    nlp = _pipeline()
    states = []
    for path in sorted(article_dir.iterdir()):
        if path.name not in gold:
            continue
        article = read_article(path)
        view, mentions, entities = _recognised(
            nlp, article.text, (article.dateline,) if article.dateline else ()
        )
        day = article.date.date() if article.date is not None else None
        state = ArticleState(path.name, view, mentions, entities, day, gold[path.name])
        state.rules = state.finder().find()
        states.append(state)
    return states


# --- public data: sentences with one labelled pair ---------------------------------------------

#: FinRE labels read as PARTNERS_WITH, and those read as no relation of the ontology. Ownership
#: labels (拥有, 持股, 收购, 成立 …) are left out: PART_OF holds only for completed majority
#: holdings, which FinRE does not tell apart; 自己 (an alias) is no relation between two entities.
FINRE_PARTNERS = frozenset({"合作", "合资", "签约"})
FINRE_NONE = frozenset(
    {
        "unknown",
        "商讨",
        "订单",
        "交易",
        "竞争",
        "纠纷",
        "分析",
        "欠款",
        "被欠款",
        "帮助",
        "被帮助",
        "转让",
        "被转让",
    }
)
#: DuIE predicates (subject type, predicate) read as relations of the ontology, with the
#: direction: ``(relation, head is the object)``; None is a labelled non-relation.
DUIE_RELATIONS: dict[tuple[str, str], tuple[str | None, bool]] = {
    ("企业", "董事长"): ("WORKS_FOR", True),
    ("学校", "校长"): ("WORKS_FOR", True),
    ("企业", "创始人"): ("WORKS_FOR", True),
    ("人物", "毕业院校"): (None, False),  # studied there: not a position
    ("企业/品牌", "代言人"): (None, True),  # advertises it: not a position
    ("企业", "总部地点"): ("LOCATED_IN", False),
}
DUIE_TYPES = {"企业": "ORG", "学校": "ORG", "企业/品牌": "ORG", "人物": "PERSON", "地点": "LOC"}


@dataclass(frozen=True)
class PublicPair:
    """One labelled pair of a public data set's sentence (``relation`` None: no relation)."""

    corpus: str
    sentence: str
    head: str
    head_type: str
    tail: str
    tail_type: str
    relation: str | None


def finre_pairs(path: Path) -> list[PublicPair]:
    """FinRE (head, tail, label, sentence) lines: partnerships and labelled non-relations, once
    per pair and sentence (symmetric labels are listed in both directions)."""
    pairs: dict[tuple[str, frozenset[str]], PublicPair] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or parts[0] == parts[1]:
            continue
        head, tail, label, sentence = parts
        if label in FINRE_PARTNERS or label in FINRE_NONE:
            relation = "PARTNERS_WITH" if label in FINRE_PARTNERS else None
            pairs.setdefault(
                (sentence, frozenset((head, tail))),
                PublicPair("finre", sentence, head, "ORG", tail, "ORG", relation),
            )
    return list(pairs.values())


def duie_pairs(path: Path) -> list[PublicPair]:
    """DuIE triples whose predicate maps to a relation of the ontology (or to a labelled none)."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for triple in record["spo_list"]:
            mapped = DUIE_RELATIONS.get((triple["subject_type"], triple["predicate"]))
            if mapped is None:
                continue
            relation, object_first = mapped
            subject = (triple["subject"], DUIE_TYPES[triple["subject_type"]])
            target = (
                triple["object"]["@value"],
                DUIE_TYPES.get(triple["object_type"]["@value"], "ORG"),
            )
            (head, head_type), (tail, tail_type) = (
                (target, subject) if object_first else (subject, target)
            )
            pairs.append(
                PublicPair("duie", record["text"], head, head_type, tail, tail_type, relation)
            )
    return pairs


def public_states(pairs: Sequence[PublicPair]) -> list[ArticleState]:
    """Each labelled pair's sentence through the pipeline, the pair's two names as its mentions
    (the recognizer's other mentions stay as context)."""
    nlp = _pipeline()
    states = []
    for number, pair in enumerate(pairs):
        view, mentions, entities = _recognised(nlp, pair.sentence)
        given = []
        forced: list[Candidate] = []
        for name, label in ((pair.head, pair.head_type), (pair.tail, pair.tail_type)):
            entity = ResolvedEntity(label, Counter(), [])
            for start in _occurrences(pair.sentence, name):
                if not any(m.start < start + len(name) and start < m.end for m in forced):
                    forced.append(Candidate(start, start + len(name), label, "given", 10))
                    entity.surfaces[name] += 1
                    entity.spans.append((start, start + len(name)))
            given.append(entity)
        if not all(e.spans for e in given):
            continue
        kept = [m for m in mentions if not any(m.start < f.end and f.start < m.end for f in forced)]
        spans = {(m.start, m.end) for m in kept}
        context = [e for e in entities if e.spans and all(s in spans for s in e.spans)]
        relations = (
            ()
            if pair.relation is None
            else (GoldRelation(head=pair.head, type=pair.relation, tail=pair.tail),)
        )
        gold = GoldArticle(
            article=f"{pair.corpus}:{number}",
            entities=(
                GoldEntity(name=pair.head, type=pair.head_type),
                GoldEntity(name=pair.tail, type=pair.tail_type),
            ),
            relations=relations,
        )
        state = ArticleState(
            gold.article,
            view,
            sorted(kept + forced, key=lambda m: m.start),
            context + given,
            None,
            gold,
            given=given,
        )
        state.rules = state.finder().find()
        states.append(state)
    return states


def _occurrences(text: str, name: str) -> list[int]:
    found, position = [], text.find(name)
    while position >= 0 and name:
        found.append(position)
        position = text.find(name, position + len(name))
    return found


# --- gold entities located in the text (the ceiling with perfect entities) -------------------------


def _normalized_text(text: str) -> tuple[str, list[int]]:
    """The text normalised as names are (NFKC, simplified, no quotes or spaces), mapped back."""
    out: list[str] = []
    where: list[int] = []
    for position, char in enumerate(text):
        for normal in normalize(unicodedata.normalize("NFKC", char)):
            out.append(normal)
            where.append(position)
    return "".join(out), where


def gold_entity_state(state: ArticleState) -> ArticleState:
    """The same article with the gold entities as mentions: every occurrence of a gold form,
    longest first, never overlapping (成都 inside 成都市卫健委 is not one)."""
    text = state.view.text
    normal, where = _normalized_text(text)
    found = []
    for index, entity in enumerate(state.gold.entities):
        for form in entity_forms(entity):
            position = normal.find(form)
            while position >= 0:
                found.append((index, position, position + len(form)))
                position = normal.find(form, position + 1)
    found.sort(key=lambda item: (item[1] - item[2], item[1]))
    taken: list[tuple[int, int]] = []
    mentions: list[Candidate] = []
    resolved: dict[int, ResolvedEntity] = {}
    for index, start, end in found:
        if any(a < end and start < b for a, b in taken):
            continue
        taken.append((start, end))
        span = (where[start], where[end - 1] + 1)
        label = state.gold.entities[index].type
        mentions.append(Candidate(*span, label, "gold", 10))
        located = resolved.setdefault(index, ResolvedEntity(label, Counter(), []))
        located.surfaces[text[span[0] : span[1]]] += 1
        located.spans.append(span)
    mentions.sort(key=lambda m: m.start)
    gold_state = replace(state, mentions=mentions, entities=[resolved[i] for i in sorted(resolved)])
    gold_state.rules = gold_state.finder().find()
    return gold_state


# --- labels -------------------------------------------------------------------------------------


class GoldIndex:
    """The gold relations of one article keyed as the scorer keys them (entity indices)."""

    def __init__(self, gold: GoldArticle) -> None:
        self.forms = [entity_forms(e) for e in gold.entities]
        self.keys = {k for k in (self.key(r.head, r.type, r.tail) for r in gold.relations) if k}

    def index(self, name: str) -> int | None:
        form = normalize(name)
        return next((i for i, forms in enumerate(self.forms) if form in forms), None)

    def key(self, head: str, relation: str, tail: str) -> Key | None:
        h, t = self.index(head), self.index(tail)
        if h is None or t is None:
            return None
        if relation in symmetric_relations():
            h, t = sorted((h, t))
        return h, relation, t

    def label(self, pair: PairCandidate) -> str:
        """The class the scorer would credit for ``pair`` (NONE if none)."""
        for name in relation_classes()[1:]:
            head, relation, tail = oriented(pair, name)
            key = self.key(head.name, relation, tail.name)
            if key is not None and key[0] != key[2] and key in self.keys:
                return name
        return NONE


# --- examples ------------------------------------------------------------------------------------


@dataclass
class Examples:
    """Candidate pairs of many articles with their features, labels and scorer keys."""

    rows: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    pairs: list[PairCandidate] = field(default_factory=list)
    keys: list[dict[str, Key | None]] = field(default_factory=list)  # class → gold key

    def split(self, folds: Mapping[str, int], fold: int) -> tuple[Examples, Examples]:
        """The examples of the articles outside fold ``fold``, and those of the articles inside."""
        inside = [folds[a] == fold for a in self.articles]
        return self._subset([i for i, x in enumerate(inside) if not x]), self._subset(
            [i for i, x in enumerate(inside) if x]
        )

    def _subset(self, chosen: Sequence[int]) -> Examples:
        return Examples(
            [self.rows[i] for i in chosen],
            [self.labels[i] for i in chosen],
            [self.articles[i] for i in chosen],
            [self.pairs[i] for i in chosen],
            [self.keys[i] for i in chosen],
        )

    def __add__(self, other: Examples) -> Examples:
        return Examples(
            self.rows + other.rows,
            self.labels + other.labels,
            self.articles + other.articles,
            self.pairs + other.pairs,
            self.keys + other.keys,
        )


def examples(states: Iterable[ArticleState], *, rule_features: bool = True) -> Examples:
    """Every candidate pair of the articles, labelled with the class the scorer would credit."""
    data = Examples()
    for state in states:
        index = GoldIndex(state.gold)
        for pair in candidate_pairs(state.finder(), state.rules, rule_features=rule_features):
            if state.given is not None:
                if not all(any(e is g for g in state.given) for e in (pair.first, pair.second)):
                    continue  # a public sentence: only its labelled pair is known
                # its one sentence is no article's title: the position features would mislead
                pair.features = [f for f in pair.features if not f.endswith("|s0")]
                pair.features.append(f"corpus={state.name.split(':')[0]}")
            keys = {}
            for name in relation_classes()[1:]:
                if allowed_classes(pair.first.label, pair.second.label, relation_classes())[
                    relation_classes().index(name)
                ]:
                    head, relation, tail = oriented(pair, name)
                    keys[name] = index.key(head.name, relation, tail.name)
            data.rows.append(pair.features)
            data.labels.append(index.label(pair))
            data.articles.append(state.name)
            data.pairs.append(pair)
            data.keys.append(keys)
    return data


# --- training and cross-validation --------------------------------------------------------------


@dataclass(frozen=True)
class Hyper:
    """Hyper-parameters: L2 strength (scikit-learn's C), hashing buckets, positive-class weight."""

    c: float = 0.3
    buckets: int = 1 << 15
    class_weight: float = 1.0


def train(
    data: Examples, hyper: Hyper, metadata: dict[str, object] | None = None
) -> HashedLinearModel:
    classes = relation_classes()
    weights = {name: hyper.class_weight for name in classes[1:]} | {NONE: 1.0}
    return fit(
        data.rows,
        data.labels,
        classes,
        buckets=hyper.buckets,
        c=hyper.c,
        class_weight=weights,
        metadata=metadata,
    )


def out_of_fold(
    data: Examples, folds: Mapping[str, int], hyper: Hyper, extra: Examples | None = None
) -> FloatArray:
    """Each example's probabilities from the model trained on the other folds (plus ``extra``)."""
    proba = np.zeros((len(data.rows), len(relation_classes())), dtype=np.float32)
    for fold in sorted({folds[a] for a in data.articles}):
        train_part, _ = data.split(folds, fold)
        test_index = [i for i, a in enumerate(data.articles) if folds[a] == fold]
        model = train(train_part + extra if extra is not None else train_part, hyper)
        proba[test_index] = masked_proba(model, [data.pairs[i] for i in test_index])
    return proba


# --- decisions and scores -----------------------------------------------------------------------

#: Classifier thresholds tried per type: 0.1 … 0.9, and last (so only when strictly better) one
#: above every probability: the type's relations then come from the rules alone.
THRESHOLDS = (*(round(0.1 + 0.05 * i, 2) for i in range(17)), 1.01)
RULE_THRESHOLDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
#: L2 strength of the confidence map (scikit-learn C), of 1, 0.1 and 0.03: with current entities,
#: of the relations given 0.8 or more 75 %, 81 % and 81 % were right (nested CV), most at 0.1.
CONFIDENCE_C = 0.1
#: How the rules' relations are combined with the classifier's (see ``decide``): never kept as
#: such, always kept (a union), or kept unless the classifier gives them less than a threshold.
COMBINATIONS = {"classifier": None, "union": (0.0,), "veto": RULE_THRESHOLDS}
Counts = dict[str, list[int]]  # type → [tp, fp, fn]


@dataclass(frozen=True)
class Policy:
    """Decision thresholds by relation type (and for the rules' relations, when they are kept)."""

    thresholds: dict[str, float]
    rule_thresholds: dict[str, float] | None = None

    def decisions(self, data: Examples, proba: FloatArray) -> list[Decision]:
        return decide(
            proba,
            relation_classes(),
            self.thresholds,
            rule_classes=[p.rule_classes for p in data.pairs],
            rule_thresholds=self.rule_thresholds,
        )


def gold_keys(gold: Mapping[str, GoldArticle], articles: Iterable[str]) -> dict[str, set[Key]]:
    return {a: GoldIndex(gold[a]).keys for a in sorted(set(articles))}


def count(data: Examples, decisions: Iterable[Decision], truth: Mapping[str, set[Key]]) -> Counts:
    """score.py's relation counts for the decisions over the articles of ``truth``."""
    kept = (
        (data.articles[d.index], class_relation(d.name)[0], data.keys[d.index].get(d.name))
        for d in decisions
    )
    return tally(kept, truth)


def tally(kept: Iterable[tuple[str, str, Key | None]], truth: Mapping[str, set[Key]]) -> Counts:
    """Counts of relations ``(article, type, gold key or None)`` over the articles of ``truth``,
    as the scorer counts: a relation whose names resolve to no gold entity is a false positive
    every time, the others count once per gold key."""
    counts: Counts = {}
    predicted: dict[str, set[Key]] = {a: set() for a in truth}
    for article, relation, key in kept:
        if article not in truth:
            continue
        if key is None:
            counts.setdefault(relation, [0, 0, 0])[1] += 1
        else:
            predicted[article].add(key)
    for article, keys in truth.items():
        for key in predicted[article]:
            counts.setdefault(key[1], [0, 0, 0])[0 if key in keys else 1] += 1
        for key in keys - predicted[article]:
            counts.setdefault(key[1], [0, 0, 0])[2] += 1
    return counts


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def choose_policy(
    data: Examples, proba: FloatArray, gold: Mapping[str, GoldArticle], combination: str
) -> Policy:
    """Per type, the thresholds with the best F1 on ``proba`` (out-of-fold probabilities)."""
    truth = gold_keys(gold, data.articles)
    types = sorted({class_relation(c)[0] for c in relation_classes()[1:]})
    best: dict[str, tuple[float, float, float | None]] = {}
    for rule_threshold in COMBINATIONS[combination] or (None,):
        for threshold in THRESHOLDS:
            policy = Policy(
                {t: threshold for t in types},
                None if rule_threshold is None else {t: rule_threshold for t in types},
            )
            counts = count(data, policy.decisions(data, proba), truth)
            for relation in types:
                score = f1(*counts.get(relation, [0, 0, 0]))
                if relation not in best or score > best[relation][0] + 1e-9:
                    best[relation] = (score, threshold, rule_threshold)
    thresholds = {t: best[t][1] for t in types}
    rules = {t: limit for t in types if (limit := best[t][2]) is not None}
    return Policy(thresholds, rules if combination != "classifier" else None)


def fit_confidence(
    data: Examples, decisions: Sequence[Decision], truth: Mapping[str, set[Key]]
) -> Confidence:
    """A logistic map from a kept relation's probability and descriptors (type, rules, what
    proposed its entities) to how often such relations were right, fitted on out-of-fold
    decisions (see :class:`Confidence`)."""
    described = [descriptors(d, data.pairs[d.index]) for d in decisions]
    names = sorted({name for found in described for name in found})
    column = {name: i + 1 for i, name in enumerate(names)}
    rows = np.zeros((len(decisions), len(names) + 1))
    right = []
    for row, (decision, found) in enumerate(zip(decisions, described)):
        p = min(max(decision.probability, 1e-4), 1 - 1e-4)
        rows[row, 0] = np.log(p / (1 - p))
        rows[row, [column[name] for name in found]] = 1.0
        key = data.keys[decision.index].get(decision.name)
        right.append(int(key in truth[data.articles[decision.index]]))
    if len(set(right)) < 2:
        return Confidence()
    model = LogisticRegression(C=CONFIDENCE_C, max_iter=1000).fit(rows, np.asarray(right))
    weights = {"bias": float(model.intercept_[0]), "logit": float(model.coef_[0][0])}
    weights |= {name: float(model.coef_[0][column[name]]) for name in names}
    return Confidence({k: round(v, 4) for k, v in weights.items() if v})


@dataclass
class Scored:
    """One relation a cross-validated model kept: its article, gold key (None: unresolved), confidence."""

    article: str
    relation: str
    key: Key | None
    confidence: float


@dataclass
class CrossValidation:
    """Held-out relations of a nested cross-validation and the policy each fold chose."""

    kept: list[Scored]
    policies: dict[int, Policy]

    def counts(self, truth: Mapping[str, set[Key]]) -> Counts:
        return tally(((item.article, item.relation, item.key) for item in self.kept), truth)


def nested_cv(
    data: Examples,
    folds: Mapping[str, int],
    gold: Mapping[str, GoldArticle],
    hyper: Hyper,
    combination: str,
    extra: Examples | None = None,
) -> CrossValidation:
    """Each fold scored by a model, thresholds and calibration that never saw it.

    For each held-out fold, the other seven folds are cross-validated among themselves: their
    out-of-fold probabilities choose the thresholds and fit the calibration; the model trained
    on all seven then scores the held-out fold.
    """
    kept: list[Scored] = []
    policies = {}
    for fold in sorted({folds[a] for a in data.articles}):
        inner, held_out = data.split(folds, fold)
        inner_proba = out_of_fold(inner, folds, hyper, extra)
        policy = choose_policy(inner, inner_proba, gold, combination)
        confidence = fit_confidence(
            inner, policy.decisions(inner, inner_proba), gold_keys(gold, inner.articles)
        )
        model = train(inner + extra if extra is not None else inner, hyper)
        proba = masked_proba(model, held_out.pairs)
        for decision in policy.decisions(held_out, proba):
            kept.append(
                Scored(
                    held_out.articles[decision.index],
                    class_relation(decision.name)[0],
                    held_out.keys[decision.index].get(decision.name),
                    confidence(
                        decision.probability, descriptors(decision, held_out.pairs[decision.index])
                    ),
                )
            )
        policies[fold] = policy
    return CrossValidation(kept, policies)


def rules_cv(data: Examples) -> CrossValidation:
    """The rules alone, as a cross-validation result (nothing is learned; confidence 1)."""
    kept = [
        Scored(data.articles[i], class_relation(name)[0], data.keys[i].get(name), 1.0)
        for i, pair in enumerate(data.pairs)
        for name in pair.rule_classes
    ]
    return CrossValidation(kept, {})


def score_table(counts: Counts) -> dict[str, dict[str, float | int]]:
    """``{type: {p, r, f, tp, fp, fn}, ..., "ALL": ...}`` as score.py prints it."""
    table: dict[str, dict[str, float | int]] = {}
    total = [0, 0, 0]
    for relation, (tp, fp, fn) in sorted(counts.items()):
        table[relation] = _row(tp, fp, fn)
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
    table["ALL"] = _row(*total)
    return table


def _row(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "p": round(p, 4),
        "r": round(r, 4),
        "f": round(f1(tp, fp, fn), 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def scores_by_source(
    result: CrossValidation, gold: Mapping[str, GoldArticle]
) -> dict[str, dict[str, dict[str, float | int]]]:
    """The score table over all articles and over each source's articles."""
    tables = {"all": score_table(result.counts(gold_keys(gold, gold)))}
    for source in ("seeds", "web", "general"):
        tables[source] = score_table(
            result.counts(gold_keys(gold, [a for a in gold if source_of(a) == source]))
        )
    return tables


def reliability(
    result: CrossValidation, truth: Mapping[str, set[Key]], bins: int = 10
) -> list[dict[str, float | int]]:
    """Held-out relations by confidence decile: how many, and the fraction right.

    A relation is right when its key is a gold relation of its article; two relations with one
    key count once, with the higher confidence (the scorer collapses them).
    """
    best: dict[tuple[str, object], tuple[float, bool]] = {}
    for number, item in enumerate(result.kept):
        ident: tuple[str, object] = (item.article, item.key if item.key is not None else number)
        right = item.key is not None and item.key in truth.get(item.article, set())
        if ident not in best or item.confidence > best[ident][0]:
            best[ident] = (item.confidence, right)
    rows = []
    for low in range(bins):
        lower, upper = low / bins, (low + 1) / bins
        members = [
            r for c, r in best.values() if lower <= c < upper or (low == bins - 1 and c == 1.0)
        ]
        rows.append(
            {
                "from": lower,
                "to": upper,
                "n": len(members),
                "right": round(sum(members) / len(members), 3) if members else 0.0,
            }
        )
    high = [r for c, r in best.values() if c >= 0.8]
    rows.append(
        {
            "from": 0.8,
            "to": 1.0,
            "n": len(high),
            "right": round(sum(high) / len(high), 3) if high else 0.0,
        }
    )
    return rows


# --- the shipped model --------------------------------------------------------------------------

#: The variants the card reports: the rules alone, and the classifier without or with the rules'
#: relations as features, each combined with the rules' relations in the three ways of ``decide``.
VARIANTS = {
    "rules": None,
    "classifier": (False, "classifier"),
    "classifier+rule-features": (True, "classifier"),
    "classifier+rule-features, union with rules": (True, "union"),
    "classifier+rule-features, rules vetoed below a threshold": (True, "veto"),
    "classifier, union with rules": (False, "union"),
}
SHIPPED = "classifier+rule-features, union with rules"


def cross_validate(
    states: Sequence[ArticleState], gold: Mapping[str, GoldArticle], hyper: Hyper
) -> dict[str, object]:
    """Every variant's nested cross-validation: scores by type and source, and reliability."""
    folds = assign_folds([s.name for s in states])
    truth = gold_keys(gold, gold)
    data = {flag: examples(states, rule_features=flag) for flag in (False, True)}
    report: dict[str, object] = {}
    for name, variant in VARIANTS.items():
        if variant is None:
            result = rules_cv(data[True])
        else:
            result = nested_cv(data[variant[0]], folds, gold, hyper, variant[1])
        report[name] = {
            "scores": scores_by_source(result, gold),
            "reliability": reliability(result, truth),
        }
    return report


def public_trial(
    states: Sequence[ArticleState], gold: Mapping[str, GoldArticle], hyper: Hyper, benchmarks: Path
) -> dict[str, object]:
    """The shipped variant cross-validated with public sentences added to every training fold:
    FinRE train (never its test: ``bench-partners`` scores on it) and the DuIE sample."""
    public = {
        "finre train": examples(public_states(finre_pairs(benchmarks / "finre" / "train.txt"))),
        "duie sample": examples(
            public_states(duie_pairs(benchmarks / "duie2.0" / "train_data_5000.json"))
        ),
    }
    public["both"] = public["finre train"] + public["duie sample"]
    folds = assign_folds([s.name for s in states])
    trial: dict[str, object] = {"sizes": {name: len(data.rows) for name, data in public.items()}}
    for entities, chosen in (
        ("current entities", states),
        ("gold entities", [gold_entity_state(s) for s in states]),
    ):
        data = examples(chosen)
        combination = VARIANTS[SHIPPED][1]  # type: ignore[index]
        trial[entities] = {
            name: scores_by_source(nested_cv(data, folds, gold, hyper, combination, extra), gold)[
                "all"
            ]["ALL"]
            for name, extra in public.items()
        }
    return trial


def build_model(
    states: Sequence[ArticleState],
    gold: Mapping[str, GoldArticle],
    hyper: Hyper,
    combination: str = "union",
) -> HashedLinearModel:
    """The model trained on every article, with the thresholds and confidence map chosen on the
    out-of-fold probabilities of an 8-fold cross-validation over the same articles."""
    folds = assign_folds([s.name for s in states])
    data = examples(states, rule_features=True)
    proba = out_of_fold(data, folds, hyper)
    policy = choose_policy(data, proba, gold, combination)
    confidence = fit_confidence(data, policy.decisions(data, proba), gold_keys(gold, data.articles))
    metadata: dict[str, object] = {
        "rule_features": True,
        "thresholds": policy.thresholds,
        "rule_thresholds": policy.rule_thresholds or {},
        "confidence": dict(confidence.weights),
    }
    return train(data, hyper, metadata)


def sha256_of(paths: Iterable[Path]) -> str:
    """One digest over the files' names and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def card(
    devset: Path,
    states: Sequence[ArticleState],
    model: HashedLinearModel,
    hyper: Hyper,
    report: Mapping[str, object],
) -> dict[str, object]:
    """The model card: data and its digests, sizes, hyper-parameters, thresholds, CV scores."""
    data = examples(states, rule_features=True)
    return {
        "model": "relation pair classifier (healthnews_nlp.nlp.learned.relation_classifier)",
        "variant": SHIPPED,
        "data": {
            "devset": {
                "articles": len(states),
                "articles_sha256": sha256_of((devset / "articles").iterdir()),
                "gold_sha256": sha256_of((devset / "gold").glob("*.json")),
                "by_source": dict(Counter(source_of(s.name) for s in states)),
            },
            "public": "none: FinRE train (合作/合资/签约 and labelled non-relations) and the DuIE sample "
            "(董事长/校长/创始人, 总部地点; 毕业院校/代言人 as non-relations) were tried as extra training "
            "sentences and did not raise the cross-validated F1 (public_trial below)",
            "examples": len(data.rows),
            "labels": dict(sorted(Counter(data.labels).items())),
        },
        "hyper": {
            "c": hyper.c,
            "buckets": hyper.buckets,
            "class_weight": hyper.class_weight,
            "solver": "lbfgs, L2",
        },
        "thresholds": model.metadata.get("thresholds"),
        "rule_thresholds": model.metadata.get("rule_thresholds"),
        "confidence": model.metadata.get("confidence"),
        "cross_validation": {
            "folds": "healthnews_nlp.training.folds.assign_folds(k=8); nested: thresholds and confidence "
            "chosen on the inner out-of-fold predictions of the seven training folds",
            **report,
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m healthnews_nlp.training.relations``: cross-validate, train, write model and card."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--devset", type=Path, default=Path("../shared/devset"))
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "resources" / "models" / "relations.npz",
    )
    parser.add_argument(
        "--no-cv", action="store_true", help="skip the cross-validation (the card keeps no scores)"
    )
    parser.add_argument(
        "--public-trial",
        type=Path,
        metavar="BENCHMARKS",
        help="also cross-validate with FinRE train and the DuIE sample of this folder added (slow)",
    )
    args = parser.parse_args(argv)
    gold = load_gold(args.devset / "gold")
    states = article_states(args.devset / "articles", gold)
    hyper = Hyper()
    report: dict[str, object] = {}
    if not args.no_cv:
        report["current entities"] = cross_validate(states, gold, hyper)
        report["gold entities"] = cross_validate(
            [gold_entity_state(s) for s in states], gold, hyper
        )
    if args.public_trial is not None:
        report["public_trial"] = public_trial(states, gold, hyper, args.public_trial)
    model = build_model(states, gold, hyper)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    card_path = args.out.with_suffix(".card.json")
    card_path.write_text(
        json.dumps(card(args.devset, states, model, hyper, report), ensure_ascii=False, indent=1)
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out} and {card_path}")


if __name__ == "__main__":
    main()
