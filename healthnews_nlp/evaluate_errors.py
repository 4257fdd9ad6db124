"""Where a system goes wrong: per-article scores and every missed and spurious item, with its sentence.

:func:`article_reports` scores each article alone (with the reference
scorer's matching, :mod:`healthnews_nlp.evaluate`) and lists the gold
entities and relations the predictions missed and the predicted ones the
gold does not have. Each item carries the sentence it stands in when the
article's text is at hand: a predicted entity's first mention, a predicted
relation's evidence, a missed entity's first occurrence of any of its names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from healthnews_nlp.evaluate import (
    Counts,
    GoldArticle,
    GoldEntity,
    GoldRelation,
    gold_resolver,
    load_predictions,
    match_entities,
    relation_key,
)

SENTENCE_ENDS = "。！？；!?\n"


@dataclass(frozen=True)
class ErrorItem:
    """One missed or spurious entity (``ORG 腾讯``) or relation (``A -PARTNERS_WITH-> B``)."""

    kind: str  # "entity" or "relation"
    type: str
    text: str
    sentence: str = ""


@dataclass(frozen=True)
class ArticleReport:
    """One article's counts and errors."""

    article: str
    entities: Counts
    relations: Counts
    missed: tuple[ErrorItem, ...]
    spurious: tuple[ErrorItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "entities": self.entities.to_dict(),
            "relations": self.relations.to_dict(),
            "missed": [item.__dict__ for item in self.missed],
            "spurious": [item.__dict__ for item in self.spurious],
        }


def sentence_at(text: str, position: int) -> str:
    """The sentence of ``text`` around ``position`` (up to 。！？； or a line break), stripped."""
    start = max(text.rfind(mark, 0, position) for mark in SENTENCE_ENDS) + 1
    ends = [e for e in (text.find(mark, position) for mark in SENTENCE_ENDS) if e >= 0]
    return text[start : min(ends, default=len(text))].strip()


def _first_occurrence(text: str, entity: GoldEntity) -> str:
    found = [p for p in (text.find(name) for name in (entity.name, *entity.aliases) if name) if p >= 0]
    return sentence_at(text, min(found)) if found else ""


def _raw_lines(jsonl_path: str | Path) -> dict[str, dict[str, Any]]:
    """Each prediction line as read (mentions and evidence included), keyed as the scorer keys it."""
    raw: dict[str, dict[str, Any]] = {}
    with Path(jsonl_path).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                data = json.loads(line)
                raw[Path(str(data.get("article", ""))).name] = data
    return raw


def article_reports(
    gold: Mapping[str, GoldArticle], predictions_path: str | Path, texts: Mapping[str, str] | None = None
) -> list[ArticleReport]:
    """A report per gold article, in the gold's order; ``texts`` (article → clean text) gives sentences."""
    predictions = load_predictions(predictions_path)
    raw = _raw_lines(predictions_path)
    texts = texts or {}
    reports = []
    for name, gold_article in gold.items():
        predicted = predictions.get(name, GoldArticle(article=name, entities=(), relations=()))
        reports.append(_report(gold_article, predicted, raw.get(name, {}), texts.get(name, "")))
    return reports


def _report(gold: GoldArticle, predicted: GoldArticle, raw: Mapping[str, Any], text: str) -> ArticleReport:
    matches = match_entities(gold.entities, predicted.entities)
    raw_entities = [e for e in raw.get("entities") or [] if isinstance(e, dict)]
    missed = [
        ErrorItem("entity", e.type, e.name, _first_occurrence(text, e))
        for gi, e in enumerate(gold.entities)
        if gi not in set(matches.values())
    ]
    spurious = []
    for pi, entity in enumerate(predicted.entities):
        if pi not in matches:
            mentions = raw_entities[pi].get("mentions") if pi < len(raw_entities) else None
            where = sentence_at(text, int(mentions[0]["start"])) if text and mentions else ""
            spurious.append(ErrorItem("entity", entity.type, entity.name, where))
    entity_counts = Counts(tp=len(matches), fp=len(predicted.entities) - len(matches), fn=len(missed))

    resolve = gold_resolver(gold.entities)
    gold_keys = {relation_key(r, resolve): r for r in gold.relations}
    evidence = [str(r.get("evidence") or "") for r in raw.get("relations") or [] if isinstance(r, dict)]
    found: set[object] = set()  # distinct predicted keys: a repeated relation counts once
    for index, relation in enumerate(predicted.relations):
        key = relation_key(relation, resolve)
        if key is not None:
            if key in found:
                continue
            found.add(key)
            if key in gold_keys:
                continue
        where = evidence[index] if index < len(evidence) else ""
        spurious.append(ErrorItem("relation", relation.type, f"{relation.head} -{relation.type}-> {relation.tail}", where))
    relation_missed = [
        ErrorItem("relation", r.type, f"{r.head} -{r.type}-> {r.tail}", _pair_sentence(text, r.head, r.tail))
        for key, r in gold_keys.items()
        if key is not None and key not in found
    ]
    tp = sum(1 for key in found if key in gold_keys)
    relation_counts = Counts(
        tp=tp, fp=sum(1 for item in spurious if item.kind == "relation"), fn=len(relation_missed)
    )
    return ArticleReport(gold.article, entity_counts, relation_counts, tuple(missed + relation_missed), tuple(spurious))


def _pair_sentence(text: str, head: str, tail: str) -> str:
    """The first sentence naming both ends, else the first naming the head."""
    position = text.find(head)
    while position >= 0:
        sentence = sentence_at(text, position)
        if tail in sentence:
            return sentence
        position = text.find(head, position + 1)
    return sentence_at(text, text.find(head)) if head and head in text else ""


def format_reports(reports: Sequence[ArticleReport], *, errors: bool = True) -> str:
    """Per-article F1 lines and, with ``errors``, every missed (-) and spurious (+) item."""
    lines = []
    for report in reports:
        lines.append(
            f"{report.article}  entities F1={report.entities.f1:.3f} ({report.entities.tp}/"
            f"{report.entities.fp}/{report.entities.fn})  relations F1={report.relations.f1:.3f} "
            f"({report.relations.tp}/{report.relations.fp}/{report.relations.fn})"
        )
        if not errors:
            continue
        for sign, items in (("-", report.missed), ("+", report.spurious)):
            for item in items:
                sentence = f"  「{item.sentence}」" if item.sentence else ""
                lines.append(f"  {sign} {item.type:15s} {item.text}{sentence}")
    return "\n".join(lines)


#: Confidence bins of the calibration table: [0, 0.5), [0.5, 0.8), [0.8, 1.0].
CALIBRATION_BINS = (0.0, 0.5, 0.8)


def relation_calibration(
    gold: Mapping[str, GoldArticle], predictions_path: str | Path
) -> list[dict[str, float | int]]:
    """How often the predicted relations of each confidence bin are right (in the gold, as the
    scorer matches them): ``[{"from", "to", "relations", "right", "share"}, ...]``."""
    raw = _raw_lines(predictions_path)
    counts = [[0, 0] for _ in CALIBRATION_BINS]  # relations, right
    for name, gold_article in gold.items():
        resolve = gold_resolver(gold_article.entities)
        truth = {k for k in (relation_key(r, resolve) for r in gold_article.relations) if k}
        for relation in raw.get(name, {}).get("relations", []):
            confidence = float(relation.get("confidence", 1.0))
            key = relation_key(GoldRelation.model_validate(_gold_fields(relation)), resolve)
            row = counts[max(i for i, low in enumerate(CALIBRATION_BINS) if confidence >= low)]
            row[0] += 1
            row[1] += key in truth
    bounds = [*CALIBRATION_BINS[1:], 1.0]
    return [
        {"from": low, "to": high, "relations": n, "right": right, "share": round(right / n, 3) if n else 0.0}
        for low, high, (n, right) in zip(CALIBRATION_BINS, bounds, counts)
    ]


def _gold_fields(relation: Mapping[str, Any]) -> dict[str, Any]:
    return {field: relation[field] for field in GoldRelation.model_fields if field in relation}


def format_calibration(rows: Sequence[Mapping[str, float | int]]) -> str:
    lines = ["relation confidence"]
    for row in rows:
        lines.append(
            f"  {row['from']:.1f}-{row['to']:.1f}  {row['right']}/{row['relations']} right ({row['share']:.1%})"
        )
    return "\n".join(lines)
