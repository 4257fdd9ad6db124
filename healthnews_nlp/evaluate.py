"""Score predicted entities and relations against the shared gold annotation.

The numbers must be the same as ``shared/tools/score.py`` (the reference scorer
everyone reports with), so this module re-implements its rules exactly, quirks
included, and the tests compare the two on perturbed predictions:

* Entities are matched greedily, one to one, in prediction order: each
  predicted entity takes the *first* still unmatched gold entity of the same
  type that shares a normalized form (name or alias).  This is not a maximum
  matching; reordering predictions can change the score.
* Relations never look at the predicted entities.  A relation's head and tail
  names are resolved against the *gold* entities of the article (first gold
  entity, of any type, having that form), so a relation is keyed by gold entity
  indices.  ``PARTNERS_WITH`` keys are unordered.  Duplicate relations collapse.
* A predicted relation whose head or tail resolves to no gold entity is a false
  positive of its type, once per occurrence (these do not collapse); a gold
  relation whose endpoints do not resolve is ignored (``load_gold`` rejects
  such gold instead).
* Counts are micro-averaged; a type shows up in a table only when it has a
  non-zero count, and ``ALL`` sums the rows.  An article of the gold without a
  prediction is scored as an empty prediction and listed in
  ``missing_articles``; predictions for articles not in the gold are ignored.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from healthnews_nlp import schema
from healthnews_nlp.errors import HealthNewsError, describe

if TYPE_CHECKING:
    from opencc import OpenCC

__all__ = [
    "Counts",
    "EvaluationInputError",
    "GoldArticle",
    "GoldEntity",
    "GoldRelation",
    "ScoreTable",
    "Scores",
    "entity_forms",
    "load_gold",
    "load_predictions",
    "match_entities",
    "normalize",
    "score",
]

ALL = "ALL"

# Same character class as score.py's ``_STRIP``: whitespace and the quote and
# title marks that surround names but are not part of what is being named.
_STRIP = re.compile(r"[\s\"'“”‘’「」『』《》〈〉]")


class EvaluationInputError(HealthNewsError, ValueError):
    """A gold file or prediction line could not be read; the message names it."""

    def __init__(self, where: str | Path, reason: str) -> None:
        self.where = str(where)
        self.reason = reason
        super().__init__(f"{self.where}: {reason}")


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


class _Record(BaseModel):
    """Frozen and strict, like every record of the library."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class GoldEntity(_Record):
    """One distinct entity of an article: its fullest name and other forms.

    ``type`` is a plain string rather than the ontology literal because
    predictions are scored whatever type they carry (an off-ontology type is a
    false positive of that type, as in the reference); ``load_gold`` checks the
    ontology for gold.
    """

    name: str
    type: str
    aliases: tuple[str, ...] = ()


class GoldRelation(_Record):
    """A relation between two entities of the article, named by their names.

    Only ``head``, ``type`` and ``tail`` are scored; the rest is informative.
    """

    head: str
    type: str
    tail: str
    title: str | None = None
    role: str | None = None
    date: str | None = None


class GoldArticle(_Record):
    """The annotation (or prediction) of one article."""

    article: str
    entities: tuple[GoldEntity, ...]
    relations: tuple[GoldRelation, ...]


class Counts(_Record):
    """True/false positives and false negatives of one type (or all types)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp), 0.0 when nothing was predicted (as score.py)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn), 0.0 when there is nothing to find (as score.py)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall, computed as score.py does."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)

    def to_dict(self) -> dict[str, float | int]:
        """One row of score.py's ``--json`` output: ``p, r, f, tp, fp, fn``."""
        return {
            "p": self.precision,
            "r": self.recall,
            "f": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


class ScoreTable(_Record):
    """Per-type counts of one task (entities or relations), sorted by type.

    A type appears only when one of its counts is non-zero, mirroring the
    reference, so tables of different runs may have different rows.
    """

    rows: tuple[tuple[str, Counts], ...] = ()

    @property
    def total(self) -> Counts:
        """The micro-averaged ``ALL`` row: the sum of every type's counts."""
        return sum((counts for _, counts in self.rows), Counts())

    @property
    def types(self) -> tuple[str, ...]:
        """The types that have a row, in table order."""
        return tuple(t for t, _ in self.rows)

    def __getitem__(self, type_: str) -> Counts:
        """Counts of ``type_`` (``"ALL"`` for the total; zeros for an absent type)."""
        if type_ == ALL:
            return self.total
        return dict(self.rows).get(type_, Counts())

    def to_dict(self) -> dict[str, dict[str, float | int]]:
        """``{TYPE: row, ..., "ALL": row}`` exactly as score.py builds it."""
        out = {t: counts.to_dict() for t, counts in self.rows}
        out[ALL] = self.total.to_dict()
        return out


class Scores(_Record):
    """The result of :func:`score`: entity and relation tables, missing articles."""

    entities: ScoreTable
    relations: ScoreTable
    missing_articles: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The same structure and keys as ``score.py --json``."""
        return {
            "entities": self.entities.to_dict(),
            "relations": self.relations.to_dict(),
            "missing_articles": list(self.missing_articles),
        }

    def format_table(self) -> str:
        """The report score.py prints without ``--json``, line for line."""
        lines: list[str] = []
        for part, table in (("entities", self.entities), ("relations", self.relations)):
            lines.append(part)
            for t, row in table.to_dict().items():
                lines.append(
                    f"  {t:16s} P={row['p']:.3f} R={row['r']:.3f} F1={row['f']:.3f}"
                    f"  (tp={row['tp']} fp={row['fp']} fn={row['fn']})"
                )
        if self.missing_articles:
            lines.append("missing predictions for: " + ", ".join(self.missing_articles))
        lines.append(
            f"entity_F1={self.entities.total.f1:.3f} relation_F1={self.relations.total.f1:.3f}"
        )
        return "\n".join(lines)


# --------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    """The traditional-to-simplified converter, built on first use only.

    Building it reads dictionaries; importing this module must stay cheap.
    """
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalize(s: str) -> str:
    """The form two names are compared in: NFKC, simplified, no quotes or spaces.

    Cached because the same names are normalized for every pairing and the
    pure-Python converter is slow.
    """
    return _STRIP.sub("", _t2s().convert(unicodedata.normalize("NFKC", s or "")))


def entity_forms(entity: GoldEntity) -> frozenset[str]:
    """Every non-empty normalized surface form (name and aliases) of ``entity``."""
    return frozenset(f for f in map(normalize, (entity.name, *entity.aliases)) if f)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def load_gold(directory: str | Path) -> dict[str, GoldArticle]:
    """Read every ``*.json`` of ``directory``, keyed by the article's file name.

    Files are read in sorted order (the order ``missing_articles`` follows).
    Gold is strict: a folder that does not exist or holds no ``*.json``,
    unknown keys, off-ontology types, a relation naming no entity of the
    article or two files for one article raise :class:`EvaluationInputError`,
    because each would silently skew scores (a missing folder scored zero).
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise EvaluationInputError(folder, "no such folder of gold files")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise EvaluationInputError(folder, "no gold files (*.json) in this folder")
    gold: dict[str, GoldArticle] = {}
    for path in files:
        article = _read_gold_file(path)
        name = Path(article.article).name
        if name in gold:
            raise EvaluationInputError(path, f"second gold file for article {name!r}")
        gold[name] = article
    return gold


def _read_gold_file(path: Path) -> GoldArticle:
    """Parse and check one gold file."""
    try:
        article = GoldArticle.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise EvaluationInputError(path, f"not a gold article: {exc}") from exc
    except OSError as exc:
        raise EvaluationInputError(path, f"cannot read: {describe(exc)}") from exc
    problems = _gold_problems(article)
    if problems:
        raise EvaluationInputError(path, "; ".join(problems))
    return article


def _gold_problems(article: GoldArticle) -> list[str]:
    """What makes an otherwise well-formed gold article unusable for scoring."""
    problems = [
        f"entity {e.name!r} has unknown type {e.type!r}"
        for e in article.entities
        if e.type not in schema.entity_types()
    ]
    resolve = gold_resolver(article.entities)
    for r in article.relations:
        if r.type not in schema.relation_types():
            problems.append(f"relation {r.head!r}->{r.tail!r} has unknown type {r.type!r}")
        for end in (r.head, r.tail):
            if resolve(end) is None:
                problems.append(f"{r.type} relation names {end!r}, which is no entity")
    return problems


def load_predictions(jsonl_path: str | Path) -> dict[str, GoldArticle]:
    """Read predictions (one article a line), keyed by ``Path(article).name``.

    Lines may carry extra keys (offsets, scores, metadata): only the fields of
    the gold format are read.  Blank lines are skipped, entities that are not
    objects are dropped and a later line for the same article replaces an
    earlier one -- all as score.py does.
    """
    predictions: dict[str, GoldArticle] = {}
    path = Path(jsonl_path)
    try:
        with path.open(encoding="utf-8") as lines:
            for lineno, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                article = _parse_prediction(line, f"{path}:{lineno}")
                predictions[Path(article.article).name] = article
    except UnicodeDecodeError as error:
        raise EvaluationInputError(
            path, f"not UTF-8 text, so not predictions in JSONL ({error.reason})"
        ) from error
    except OSError as error:
        raise EvaluationInputError(
            path, f"cannot read the predictions: {describe(error)}"
        ) from error
    return predictions


def _parse_prediction(line: str, where: str) -> GoldArticle:
    """Validate the gold-format projection of one prediction line."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise EvaluationInputError(where, f"not a prediction: not a line of JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise EvaluationInputError(
            where, f"not a prediction: a JSON {type(data).__name__}, not an object"
        )
    if "article" not in data:
        raise EvaluationInputError(where, "not a prediction: no 'article' key")
    try:
        return GoldArticle.model_validate(_project_article(data))
    except (ValueError, TypeError) as exc:  # ValidationError is a ValueError
        raise EvaluationInputError(where, f"not a prediction: {exc}") from exc


def _project_article(data: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the keys of the gold format, so extra keys are ignored."""
    return {
        "article": data["article"],
        "entities": [
            _project(e, GoldEntity) for e in data.get("entities") or [] if isinstance(e, dict)
        ],
        "relations": [_project(r, GoldRelation) for r in data.get("relations") or []],
    }


def _project(item: Any, model: type[BaseModel]) -> Any:
    """The keys of ``item`` that ``model`` knows; a non-mapping is passed on to fail."""
    if not isinstance(item, Mapping):
        return item
    projected = {k: v for k, v in item.items() if k in model.model_fields}
    if model is GoldEntity and projected.get("aliases", ()) is None:
        projected["aliases"] = ()  # score.py reads a null alias list as empty
    return projected


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------

_TP, _FP, _FN = 0, 1, 2


def _new_tally() -> defaultdict[str, list[int]]:
    """Mutable per-type [tp, fp, fn] counters used while scoring."""
    return defaultdict(lambda: [0, 0, 0])


def _freeze(tally: Mapping[str, list[int]]) -> ScoreTable:
    """The immutable, type-sorted table of a tally."""
    return ScoreTable(
        rows=tuple(
            (t, Counts(tp=tp, fp=fp, fn=fn)) for t, (tp, fp, fn) in sorted(tally.items())
        )
    )


def score(gold: Mapping[str, GoldArticle], predictions: Mapping[str, GoldArticle]) -> Scores:
    """Micro-averaged entity and relation scores of ``predictions`` against ``gold``.

    Both mappings are keyed by article file name (as :func:`load_gold` and
    :func:`load_predictions` key them); articles are visited in ``gold``'s
    order, and predictions for articles not in ``gold`` are ignored.
    """
    entities, relations = _new_tally(), _new_tally()
    missing: list[str] = []
    for name, gold_article in gold.items():
        predicted = predictions.get(name)
        if predicted is None:
            missing.append(name)
            predicted = GoldArticle(article=name, entities=(), relations=())
        _count_entities(gold_article.entities, predicted.entities, entities)
        _count_relations(gold_article, predicted.relations, relations)
    return Scores(
        entities=_freeze(entities),
        relations=_freeze(relations),
        missing_articles=tuple(missing),
    )


def match_entities(
    gold: Iterable[GoldEntity], predicted: Iterable[GoldEntity]
) -> dict[int, int]:
    """Greedy one-to-one match, ``{predicted index: gold index}``.

    Each predicted entity, in order, takes the first unmatched gold entity of
    the same type sharing a normalized form.  Greedy on purpose: it is the
    reference's rule, and scores must agree with it.
    """
    gold_forms = [(g.type, entity_forms(g)) for g in gold]
    used: set[int] = set()
    matches: dict[int, int] = {}
    for pi, p in enumerate(predicted):
        forms = entity_forms(p)
        for gi, (gtype, gforms) in enumerate(gold_forms):
            if gi not in used and gtype == p.type and forms & gforms:
                used.add(gi)
                matches[pi] = gi
                break
    return matches


def _count_entities(
    gold: tuple[GoldEntity, ...],
    predicted: tuple[GoldEntity, ...],
    tally: defaultdict[str, list[int]],
) -> None:
    """Add one article's entity tp/fp (by predicted type) and fn (by gold type)."""
    matches = match_entities(gold, predicted)
    for pi, entity in enumerate(predicted):
        tally[entity.type][_TP if pi in matches else _FP] += 1
    matched_gold = set(matches.values())
    for gi, entity in enumerate(gold):
        if gi not in matched_gold:
            tally[entity.type][_FN] += 1


def gold_resolver(entities: tuple[GoldEntity, ...]) -> Callable[[str], int | None]:
    """Name -> index of the first gold entity having that form (any type)."""
    forms = [entity_forms(e) for e in entities]

    def resolve(name: str) -> int | None:
        n = normalize(name)
        return next((i for i, f in enumerate(forms) if n in f), None)

    return resolve


_RelationKey = tuple[int, str, int]


def relation_key(
    relation: GoldRelation, resolve: Callable[[str], int | None]
) -> _RelationKey | None:
    """(head index, type, tail index), unordered for symmetric types; None if unresolved."""
    head, tail = resolve(relation.head), resolve(relation.tail)
    if head is None or tail is None:
        return None
    if relation.type in schema.symmetric_relations():
        head, tail = sorted((head, tail))
    return head, relation.type, tail


def _count_relations(
    gold: GoldArticle,
    predicted: tuple[GoldRelation, ...],
    tally: defaultdict[str, list[int]],
) -> None:
    """Add one article's relation counts, keyed by gold entity indices."""
    resolve = gold_resolver(gold.entities)
    gold_keys = {k for k in (relation_key(r, resolve) for r in gold.relations) if k}
    predicted_keys: set[_RelationKey] = set()
    for relation in predicted:
        key = relation_key(relation, resolve)
        if key is None:
            tally[relation.type][_FP] += 1  # names no gold entity: every copy counts
        else:
            predicted_keys.add(key)
    for key in predicted_keys:
        tally[key[1]][_TP if key in gold_keys else _FP] += 1
    for key in gold_keys - predicted_keys:
        tally[key[1]][_FN] += 1
