"""The relation pair classifier: which relation, if any, holds between two entities of an article.

The candidate pairs and their features come from :mod:`.relation_pairs`; a
:class:`~healthnews_nlp.nlp.learned.linear.HashedLinearModel` gives each pair
a probability per class (NONE, the relation types, the reversed same-type
ones), classes the pair's types cannot take are ruled out, and the most
probable relation is kept when its probability reaches the type's threshold.
Thresholds and the calibration (the confidence) were chosen on held-out folds
of the development set (``healthnews_nlp.training.relations``); the model card
beside the model (``relations.card.json``) gives them with the cross-validated
scores.

The rules (:class:`~healthnews_nlp.nlp.relations.RelationFinder`) are read as
features, so the classifier needs their relations for the same article; the
shipped model also keeps every relation the rules found (``rule_thresholds`` of
0: a union), which cross-validated best, and gives each its confidence.

Use::

    finder = RelationFinder(view, mentions, entities, article_date)
    rules = finder.find()
    for found in RelationClassifier.load().relations(finder, rules):
        found.head, found.type, found.tail, found.confidence, found.evidence
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from healthnews_nlp.models import Relation
from healthnews_nlp.nlp.aliases import ResolvedEntity
from healthnews_nlp.nlp.learned.linear import FloatArray, HashedLinearModel
from healthnews_nlp.nlp.learned.relation_pairs import (
    NONE,
    PairCandidate,
    allowed_classes,
    candidate_pairs,
    class_relation,
)
from healthnews_nlp.nlp.relations import RelationFinder, resolve_day
from healthnews_nlp.nlp.rules import ORGANIZER_VERBS
from healthnews_nlp.schema import relation_types

MODEL_PATH = (
    Path(__file__).resolve().parent.parent.parent / "resources" / "models" / "relations.npz"
)


@dataclass(frozen=True)
class Decision:
    """The class kept for one candidate pair: its probability, whether the rules gave it."""

    index: int
    name: str
    probability: float
    by_rules: bool = False


@dataclass(frozen=True)
class Confidence:
    """How often a kept relation was right on held-out folds: a logistic map of its probability.

    ``weights`` holds a ``bias``, a weight on the ``logit`` of the probability and one per
    descriptor of the relation (:func:`descriptors`: its type, whether the rules found it too,
    what proposed its two entities). Fitted on out-of-fold decisions
    (``healthnews_nlp.training.relations``): most wrong relations with a high probability join
    a misread entity, so what proposed the entities says as much as the probability.
    """

    weights: Mapping[str, float] = field(default_factory=dict)

    def __call__(self, probability: float, described: Iterable[str]) -> float:
        if not self.weights:
            return probability
        p = min(max(probability, 1e-4), 1 - 1e-4)
        z = self.weights.get("bias", 0.0) + self.weights.get("logit", 1.0) * math.log(p / (1 - p))
        z += sum(self.weights.get(d, 0.0) for d in described)
        return 1.0 / (1.0 + math.exp(-z))


def descriptors(decision: Decision, pair: PairCandidate) -> list[str]:
    """What the confidence map reads besides the probability: type, rules, entity provenance."""
    found = [f"type:{class_relation(decision.name)[0]}"]
    if decision.by_rules:
        found.append("rules")
    found += sorted({f.split("=", 1)[1] for f in pair.features if f.startswith(("E1q=", "E2q="))})
    return found


@dataclass(frozen=True)
class ScoredRelation:
    """A relation the classifier found: head and tail entities, type, confidence, evidence span."""

    head: ResolvedEntity
    type: str
    tail: ResolvedEntity
    confidence: float
    evidence: tuple[int, int]


def masked_proba(model: HashedLinearModel, pairs: Sequence[PairCandidate]) -> FloatArray:
    """Raw probabilities with the classes a pair's types cannot take set to zero, renormalised."""
    raw = model.raw_proba([p.features for p in pairs])
    if len(pairs):
        raw *= np.stack(
            [allowed_classes(p.first.label, p.second.label, model.classes) for p in pairs]
        )
    masked: FloatArray = (raw / np.maximum(raw.sum(axis=1, keepdims=True), 1e-12)).astype(
        np.float32
    )
    return masked


def decide(
    proba: FloatArray,
    classes: Sequence[str],
    thresholds: Mapping[str, float],
    *,
    rule_classes: Sequence[Sequence[str]] | None = None,
    rule_thresholds: Mapping[str, float] | None = None,
) -> list[Decision]:
    """At most one relation class per candidate pair.

    A class the rules gave the pair is kept when its probability reaches the type's
    ``rule_thresholds`` (0: the rules' relations are always kept; no entry: never); otherwise
    the pair's most probable relation class is kept when it reaches the type's ``thresholds``.
    """
    if not len(proba):
        return []
    relations = proba.copy()
    relations[:, list(classes).index(NONE)] = -1.0
    best = relations.argmax(axis=1)
    limits = np.asarray([thresholds.get(class_relation(c)[0], 1.1) for c in classes])
    passing = (proba[np.arange(len(proba)), best] >= limits[best]).tolist()
    column_of = {name: column for column, name in enumerate(classes)}
    rule_limits = rule_thresholds if rule_thresholds is not None else {}
    decisions = []
    for row, column in enumerate(best.tolist()):
        ruled = rule_classes[row] if rule_classes is not None else ()
        chosen = column if passing[row] else None
        for name in ruled:
            rule_column = column_of.get(name)
            limit = rule_limits.get(class_relation(name)[0])
            if rule_column is not None and limit is not None and proba[row, rule_column] >= limit:
                chosen = rule_column
                break
        if chosen is not None:
            decisions.append(
                Decision(row, classes[chosen], float(proba[row, chosen]), classes[chosen] in ruled)
            )
    return decisions


def oriented(pair: PairCandidate, name: str) -> tuple[ResolvedEntity, str, ResolvedEntity]:
    """``(head, relation, tail)`` of class ``name`` for the pair (the types decide the direction)."""
    relation, reverse = class_relation(name)
    first, second = (pair.second, pair.first) if reverse else (pair.first, pair.second)
    kind = relation_types()[relation]
    if not kind.joins(first.label, second.label) and kind.joins(second.label, first.label):
        first, second = second, first
    return first, relation, second


class RelationClassifier:
    """The shipped model with its thresholds: ``RelationClassifier.load().relations(finder, rules)``."""

    def __init__(self, model: HashedLinearModel) -> None:
        self.model = model
        self.thresholds = _floats(model.metadata.get("thresholds"))
        self.rule_thresholds = _floats(model.metadata.get("rule_thresholds"))
        self.confidence = Confidence(_floats(model.metadata.get("confidence")))

    @classmethod
    def load(cls, path: str | Path | None = None) -> RelationClassifier:
        return _load(str(path or MODEL_PATH))

    def decisions(self, pairs: Sequence[PairCandidate]) -> list[Decision]:
        return decide(
            masked_proba(self.model, pairs),
            self.model.classes,
            self.thresholds,
            rule_classes=[p.rule_classes for p in pairs],
            rule_thresholds=self.rule_thresholds,
        )

    def relations(
        self, finder: RelationFinder, rules: Iterable[Relation] = ()
    ) -> list[ScoredRelation]:
        """The relations of the finder's article (``rules``: what ``finder.find()`` returned)."""
        pairs = candidate_pairs(
            finder, rules, rule_features=self.model.metadata.get("rule_features", True) is not False
        )
        found = []
        for decision in self.decisions(pairs):
            pair = pairs[decision.index]
            head, relation, tail = oriented(pair, decision.name)
            confidence = self.confidence(decision.probability, descriptors(decision, pair))
            found.append(ScoredRelation(head, relation, tail, confidence, pair.evidence))
        return found


    def records(self, finder: RelationFinder) -> list[Relation]:
        """The article's relations as records: the rules' (title, role, cue, date kept), each
        with its confidence, then the classifier's own (no cue: no one word triggered them), each
        with the sentence that states it."""
        rules = finder.find()
        scored = {_key(r.head.name, r.type, r.tail.name): r for r in self.relations(finder, rules)}
        records = []
        for rule in rules:
            found = scored.pop(_key(rule.head, rule.type, rule.tail), None)
            confidence = found.confidence if found is not None else self.confidence(0.5, [f"type:{rule.type}", "rules"])
            records.append(rule.model_copy(update={"confidence": round(confidence, 4)}))
        for relation in scored.values():
            start, end = relation.evidence
            sentence = finder.text[start:end]
            head, tail = relation.head, relation.tail
            if relation_types()[relation.type].symmetric and head.name > tail.name:
                head, tail = tail, head
            records.append(
                Relation(
                    head=head.name,
                    head_type=head.label,
                    type=relation.type,
                    tail=tail.name,
                    tail_type=tail.label,
                    evidence=sentence.strip(),
                    evidence_start=start,
                    evidence_end=end,
                    date=resolve_day(sentence, finder.article_date) or finder.article_date,
                    role=_role(relation.type, sentence),
                    confidence=round(relation.confidence, 4),
                )
            )
        return records


def _role(relation: str, sentence: str) -> str | None:
    """An organizer's role: the organizing verb of its sentence (主办, 承办, 协办, 指导), if it has one."""
    found = ORGANIZER_VERBS.search(sentence) if relation == "ORGANIZES" else None
    return found.group() if found else None


def _key(head: str, relation: str, tail: str) -> tuple[str, str, str]:
    """A relation's identity: symmetric ones unordered."""
    if relation_types()[relation].symmetric and head > tail:
        head, tail = tail, head
    return head, relation, tail


def _floats(value: object) -> dict[str, float]:
    """A mapping of numbers from the model's metadata (thresholds, weights; empty when absent)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): float(v) for k, v in value.items()}


@lru_cache(maxsize=4)
def _load(path: str) -> RelationClassifier:
    return RelationClassifier(HashedLinearModel.load(path))
