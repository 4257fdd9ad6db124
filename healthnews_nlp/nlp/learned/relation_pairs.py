"""Candidate entity pairs of one article and their features, for the relation pair classifier.

The classifier (:mod:`.relation_classifier`) decides, for each pair of an
article's entities, which relation of the ontology holds between them, if any.
Which pairs it is asked about decides what it can find, so the pairs come from
where the development set's relations are stated:

- **one sentence**: two mentions of one sentence whose types some relation joins
  (60 % of the gold relations), at most two mentions apart, described where they
  stand closest, with the number of sentences the pair shares;
- **the article**: a person or organization and the article's main event, a
  place and that event (participants and venues are stated once for the article:
  the programme, the guest list, 会上);
- **a name**: one name contains the other (深圳市第三人民医院 → 深圳, 总后政治部宣传部 →
  总后政治部, an organizer or a place named in an event's name);
- **the rules**: every pair :class:`~healthnews_nlp.nlp.relations.RelationFinder`
  related, with the type it gave (the rules are a feature, not the only source).

A pair is oriented by its types (PERSON, ORG, EVENT, LOC in that order; two
entities of one type by their first mention), so a class names the relation and
its direction at once: ``WORKS_FOR`` for a (PERSON, ORG) pair says the person
works for the organization; ``PART_OF_REVERSED`` says the second organization
is part of the first.

Features are strings (``"PERSON>ORG|tg"``), read by
:class:`~healthnews_nlp.nlp.learned.linear.HashedLinearModel`; they describe
types, order, distance, what stands between the two mentions (cue words of
``resources/relation_cues.tsv`` by the relation and reading they signal, titles,
punctuation, prepositions, clause breaks, other mentions), how the article uses
each entity and how likely each is a well-read name; never a word of a name, nor
the words between the mentions themselves (they added nothing in cross-validation
beyond the cue lexicons, and would tie the model to the development set's wording).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from healthnews_nlp.models import Relation
from healthnews_nlp.nlp.aliases import ResolvedEntity, normalized
from healthnews_nlp.nlp.relations import (
    BRANCH_HEADS,
    MEMBERSHIP_HEADS,
    SENTENCE,
    UNIT_HEADS,
    RelationFinder,
)
from healthnews_nlp.nlp.lexicons import Cue
from healthnews_nlp.nlp.view import Candidate
from healthnews_nlp.schema import relation_types

NONE = "NONE"
#: Suffix of the class of an asymmetric relation between two entities of one type, read from
#: the second entity of the pair to the first (PART_OF_REVERSED: the second is part of the first).
REVERSED = "_REVERSED"
#: Types in the order a pair is oriented by (the head types of the ontology come first).
TYPE_ORDER = {"PERSON": 0, "ORG": 1, "EVENT": 2, "LOC": 3}
#: Type pairs never proposed from co-occurrence: two people are partners in 1 of the 578 gold
#: relations, while lists of names make person pairs the most numerous of all.
SKIPPED_TYPES = frozenset({("PERSON", "PERSON")})
#: Sentence pairs further apart than this many mentions are not proposed: a list of 40 names
#: would give 780 pairs, and the rules read the lists (their pairs are candidates anyway). Nested
#: CV F1 with current / gold entities: 0.548 / 0.779 at 12, 0.544 / 0.774 at 4, 0.549 / 0.776 at 2,
#: with 21 % fewer candidates than at 12.
MAX_MENTIONS_BETWEEN = 2
#: Characters whose presence between two mentions says how they are joined.
JOINERS = "与和同跟及由在于为对向"
CLAUSE_BREAKS = "，,；;：:"
CLAUSE_BREAK = re.compile(f"[{CLAUSE_BREAKS}]")
PUNCTUATION = {
    "、": "、",
    "，": "，",
    ",": "，",
    "：": "：",
    ":": "：",
    "（": "（",
    "(": "（",
    "“": "“",
    "《": "“",
}
GAP_BUCKETS = (0, 1, 2, 4, 8, 16, 32, 64)
SENTENCE_BUCKETS = (0, 1, 2, 4, 8, 16)

Features = list[str]


@lru_cache(maxsize=1)
def relation_classes() -> tuple[str, ...]:
    """NONE, every relation type, and the reversed class of each asymmetric same-type relation."""
    kinds = relation_types()
    reversed_classes = [
        name + REVERSED
        for name, kind in kinds.items()
        if not kind.symmetric and kind.heads & kind.tails
    ]
    return (NONE, *kinds, *reversed_classes)


def class_relation(name: str) -> tuple[str, bool]:
    """``(relation type, reversed)`` of a class (``PART_OF_REVERSED`` → ``("PART_OF", True)``)."""
    if name.endswith(REVERSED):
        return name[: -len(REVERSED)], True
    return name, False


@lru_cache(maxsize=64)
def allowed_classes(first: str, second: str, classes: tuple[str, ...]) -> npt.NDArray[np.bool_]:
    """Which classes a pair of entities of types ``first`` and ``second`` may take.

    A class whose relation joins the two types in no direction is impossible
    (a PERSON is never HELD_IN anything); NONE always is possible.
    """
    kinds = relation_types()
    mask = np.zeros(len(classes), dtype=bool)
    for column, name in enumerate(classes):
        relation, reverse = class_relation(name)
        kind = kinds.get(relation)
        if name == NONE:
            mask[column] = True
        elif kind is None:
            continue
        elif first == second:
            mask[column] = kind.joins(first, second) and (not reverse or not kind.symmetric)
        else:
            mask[column] = not reverse and (kind.joins(first, second) or kind.joins(second, first))
    return mask


@lru_cache(maxsize=64)
def related_types(first: str, second: str) -> bool:
    """Whether some relation of the ontology joins the two types, in either direction."""
    return any(k.joins(first, second) or k.joins(second, first) for k in relation_types().values())


def orient(a: ResolvedEntity, b: ResolvedEntity) -> tuple[ResolvedEntity, ResolvedEntity]:
    """The pair in its canonical order: by type, then by first mention."""
    key_a = (TYPE_ORDER.get(a.label, 9), min(a.spans))
    key_b = (TYPE_ORDER.get(b.label, 9), min(b.spans))
    return (a, b) if key_a <= key_b else (b, a)


def bucket(value: int, edges: Sequence[int]) -> str:
    """The smallest edge ``value`` does not exceed (``"64+"`` above the last)."""
    for edge in edges:
        if value <= edge:
            return str(edge)
    return f"{edges[-1]}+"


@dataclass
class PairCandidate:
    """Two entities of an article, oriented, with what the classifier reads about them."""

    first: ResolvedEntity
    second: ResolvedEntity
    features: Features = field(default_factory=list)
    evidence: tuple[int, int] = (0, 0)  # the sentence that states the pair best
    sources: set[str] = field(default_factory=set)  # sentence, article, name, rule
    rule_classes: list[str] = field(default_factory=list)  # the classes the rules gave the pair


@dataclass(frozen=True)
class _Cooccurrence:
    gap: int
    features: Features
    sentence: tuple[int, int]


@lru_cache(maxsize=8)
def _cue_pattern(cues: tuple[Cue, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every cue word (longest first) and each word's ``relation/reading``."""
    reading: dict[str, str] = {}
    for cue in cues:
        reading.setdefault(cue.word, f"{cue.relation}/{cue.reading}")
    return re.compile("|".join(re.escape(c.word) for c in cues)), reading


class ArticlePairs:
    """The candidate pairs of one article, read from a :class:`RelationFinder` and the rules' output."""

    def __init__(
        self, finder: RelationFinder, rules: Iterable[Relation] = (), *, rule_features: bool = True
    ) -> None:
        self.finder = finder
        self.text = finder.text
        self.mentions: list[Candidate] = finder.mentions
        self.sentences = [m.span() for m in SENTENCE.finditer(self.text)]
        self._sentence_starts = [start for start, _ in self.sentences]
        self.title_starts = {start: end for end, start in finder.view.titles.items()}
        self.title_ends = finder.view.titles
        self._cues: dict[int, list[tuple[int, int, str]]] = {}
        self._qualities: dict[tuple[str, int], Features] = {}
        self._usages: dict[int, Features] = {}
        self._standing: dict[int, Features] = {}
        self._first = {id(e): min(e.spans) for e in finder.entities}
        self._display = {id(e): e.name for e in finder.entities}  # the name property is costly
        self._names = {key: normalized(name) for key, name in self._display.items()}
        self._conjoined: dict[tuple[str, str, int], Features] = {}
        self._title_spans = sorted((start, end) for end, start in self.title_ends.items())
        self._break_positions = [m.start() for m in CLAUSE_BREAK.finditer(self.text)]
        self._rule_evidence: dict[tuple[int, int], tuple[int, int]] = {}
        self.rules = self._rule_types(rules)
        self.rule_features = rule_features
        self._mentions_by_sentence: dict[int, list[Candidate]] = defaultdict(list)
        for mention in self.mentions:
            self._mentions_by_sentence[self.sentence_index(mention.start)].append(mention)

    # --- the article's layout ------------------------------------------------------------------

    def sentence_index(self, position: int) -> int:
        return max(0, bisect_right(self._sentence_starts, position) - 1)

    def entity(self, mention: Candidate) -> ResolvedEntity:
        return self.finder.entity_at[(mention.start, mention.end)]

    def orient(self, a: ResolvedEntity, b: ResolvedEntity) -> tuple[ResolvedEntity, ResolvedEntity]:
        """:func:`orient`, with each entity's first mention looked up once."""
        key_a = (TYPE_ORDER.get(a.label, 9), self._first[id(a)])
        key_b = (TYPE_ORDER.get(b.label, 9), self._first[id(b)])
        return (a, b) if key_a <= key_b else (b, a)

    def cues_of(self, index: int) -> list[tuple[int, int, str]]:
        """Cue words of sentence ``index``: ``(start, end, "RELATION/reading")``, outside mentions."""
        if index not in self._cues:
            pattern, reading = _cue_pattern(self.finder.view.lexicons.relation_cues)
            start, end = self.sentences[index]
            mentions = self._mentions_by_sentence.get(index, [])
            self._cues[index] = [
                (m.start(), m.end(), reading[m.group()])
                for m in pattern.finditer(self.text, start, end)
                if not any(x.start <= m.start() and m.end() <= x.end for x in mentions)
            ]
        return self._cues[index]

    def _rule_types(self, rules: Iterable[Relation]) -> dict[tuple[int, int], list[str]]:
        """The classes the rules gave each oriented pair (keyed by the entities' ids)."""
        by_name: dict[str, ResolvedEntity] = {}
        for entity in self.finder.entities:
            by_name.setdefault(self._display[id(entity)], entity)
        found: dict[tuple[int, int], list[str]] = defaultdict(list)
        for relation in rules:
            head, tail = by_name.get(relation.head), by_name.get(relation.tail)
            if head is None or tail is None or head is tail:
                continue
            first, second = self.orient(head, tail)
            reverse = (
                first is tail
                and head.label == tail.label
                and not relation_types()[relation.type].symmetric
            )
            name = relation.type + (REVERSED if reverse else "")
            found[(id(first), id(second))].append(f"{name}/{_cue_kind(relation, self.finder.view.lexicons.relation_cues)}")
            self._rule_evidence[(id(first), id(second))] = (
                relation.evidence_start,
                relation.evidence_end,
            )
        return found

    # --- all candidates ------------------------------------------------------------------------

    def candidates(self) -> list[PairCandidate]:
        """Every candidate pair with its features, in a deterministic order."""
        pairs: dict[tuple[int, int], PairCandidate] = {}

        def pair(a: ResolvedEntity, b: ResolvedEntity, source: str) -> PairCandidate:
            first, second = self.orient(a, b)
            key = (id(first), id(second))
            if key not in pairs:
                pairs[key] = PairCandidate(first, second)
            pairs[key].sources.add(source)
            return pairs[key]

        for a, b, found in self._sentence_cooccurrences():
            candidate = pair(a, b, "sentence")
            candidate.features += found[0].features
            candidate.evidence = found[0].sentence
        for a, b in self._article_pairs():
            candidate = pair(a, b, "article")
            candidate.evidence = self._sentence_span(
                self._first[id(a if a.label != "EVENT" else b)][0]
            )
        for a, b, features in self._name_pairs():
            candidate = pair(a, b, "name")
            candidate.features += features
            if candidate.evidence == (0, 0):
                candidate.evidence = self._sentence_span(self._first[id(a)][0])
        by_id = {id(e): e for e in self.finder.entities}
        for (first_id, second_id), classes in self.rules.items():
            candidate = pair(by_id[first_id], by_id[second_id], "rule")
            candidate.rule_classes = sorted({c.split("/")[0] for c in classes})
            if self.rule_features:
                candidate.features += [f"{_types(candidate)}|r={c}" for c in sorted(set(classes))]
                candidate.features += [f"{_types(candidate)}|r={c}" for c in candidate.rule_classes]
            candidate.evidence = self._rule_evidence[(first_id, second_id)]
        for candidate in pairs.values():
            types = _types(candidate)
            candidate.features += self._entity_features(candidate, types)
            candidate.features.append(
                f"{types}|src={'+'.join(sorted(candidate.sources - {'rule'}))}"
            )
        return list(pairs.values())

    def _sentence_span(self, position: int) -> tuple[int, int]:
        return (
            self.sentences[self.sentence_index(position)] if self.sentences else (0, len(self.text))
        )

    # --- pairs of one sentence -----------------------------------------------------------------

    def _sentence_cooccurrences(
        self,
    ) -> list[tuple[ResolvedEntity, ResolvedEntity, list[_Cooccurrence]]]:
        """Pairs of entities named in one sentence: the closest mentions' features, the count."""
        found: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
        entities: dict[tuple[int, int], tuple[ResolvedEntity, ResolvedEntity]] = {}
        for index, mentions in sorted(self._mentions_by_sentence.items()):
            for i, left in enumerate(mentions):
                a = self.entity(left)
                for j in range(i + 1, min(len(mentions), i + 2 + MAX_MENTIONS_BETWEEN)):
                    b = self.entity(mentions[j])
                    if (
                        a is b
                        or (a.label, b.label) in SKIPPED_TYPES
                        or not related_types(a.label, b.label)
                    ):
                        continue
                    first, second = self.orient(a, b)
                    key = (id(first), id(second))
                    entities[key] = (first, second)
                    found.setdefault(key, []).append((mentions[j].start - left.end, index, i, j))
        pairs = []
        for key, occurrences in found.items():
            gap, index, i, j = min(occurrences)
            first, second = entities[key]
            mentions = self._mentions_by_sentence[index]
            features = self._cooccurrence(index, mentions, i, j, self.entity(mentions[i]) is first)
            features.append(f"{first.label}>{second.label}|n={min(len(occurrences), 3)}")
            pairs.append((first, second, [_Cooccurrence(gap, features, self.sentences[index])]))
        return pairs

    def _cooccurrence(
        self, index: int, mentions: list[Candidate], i: int, j: int, first_left: bool
    ) -> Features:
        """What sentence ``index`` says between its mentions ``i`` (left) and ``j`` (right)."""
        text = self.text
        left, right = mentions[i], mentions[j]
        first, second = (left, right) if first_left else (right, left)
        types = f"{first.label}>{second.label}"
        order = "F" if first_left else "R"  # the pair's first entity is written first, or second
        gap = text[left.end : right.start]
        between = mentions[i + 1 : j]
        breaks = self._breaks(left.end, right.start)
        features = [
            f"g={bucket(len(gap), GAP_BUCKETS)}",
            f"nb={min(len(between), 3)}",
            f"cl={min(breaks, 2)}",
        ]
        features += sorted({f"bt={m.label}" for m in between})
        features.append(f"nL={min(sum(m.label == left.label for m in between), 2)}")
        features.append(f"nR={min(sum(m.label == right.label for m in between), 2)}")
        if between and not breaks and all(m.label == right.label for m in between):
            features.append("lstR")  # <ORG>A教授、B教授、<PERSON>: a list after the left mention
        if between and not breaks and all(m.label == left.label for m in between):
            features.append("lstL")
        for name, mention in (("L", left), ("R", right)):
            if mention.start == 0 or text[mention.start - 1] in CLAUSE_BREAKS:
                features.append(f"cs{name}")  # the mention opens its clause (a subject)
        features += sorted({f"p={PUNCTUATION[c]}" for c in gap if c in PUNCTUATION})
        if gap[:1] in JOINERS and gap:
            features.append(f"ja={gap[0]}")
        if gap[-1:] in JOINERS and gap:
            features.append(f"jb={gap[-1]}")
        features += sorted({f"j={c}" for c in gap[1:-1] if c in JOINERS})
        features += self._titles(left, right)
        features += self._cue_features(index, left, right)
        if index == 0:
            features.append("s0")
        return [f"{types}{order}|{f}" for f in features] + [
            f"{types}|{f}" for f in features if f[0] in "cgt"
        ]

    def _breaks(self, start: int, end: int) -> int:
        """How many clause breaks (，；：) stand in ``start:end``."""
        return bisect_left(self._break_positions, end) - bisect_left(self._break_positions, start)

    def _titles(self, left: Candidate, right: Candidate) -> Features:
        """Titles between or right after the mentions (<ORG><title><PERSON>, <ORG><PERSON><title>)."""
        features = []
        # titles never overlap: the first one starting in the gap ends first
        first = bisect_left(self._title_spans, (left.end, 0))
        if first < len(self._title_spans) and self._title_spans[first][1] <= right.start:
            features.append("tb")
            if right.start in self.title_ends:
                features.append("tg")  # a title right before the second mention
        for name, mention in (("L", left), ("R", right)):
            if mention.end in self.title_starts or (
                self.text[mention.end : mention.end + 1] in {" ", "·"}
                and mention.end + 1 in self.title_starts
            ):
                features.append(f"ta{name}")
        return features

    def _cue_features(self, index: int, left: Candidate, right: Candidate) -> Features:
        """Cue words of the sentence by where they stand: before, between or after the pair, and
        whether a clause break separates them from the pair (``cb1``: in the left mention's clause)."""
        features = set()
        for start, end, reading in self.cues_of(index):
            if end <= left.start:
                where = "b" + ("1" if self._same_clause(end, left.start) else "2")
            elif start >= right.end:
                where = "a" + ("1" if self._same_clause(right.end, start) else "2")
            elif left.end <= start and end <= right.start:
                where = "m"
                features.add(f"cm={reading.split('/')[0]}")
            else:
                continue
            features.add(f"c{where}={reading}")
        return sorted(features)

    def _same_clause(self, start: int, end: int) -> bool:
        return not self._breaks(start, end)

    # --- pairs of the article ------------------------------------------------------------------

    def _article_pairs(self) -> list[tuple[ResolvedEntity, ResolvedEntity]]:
        """The article's main event with every person, organization and place.

        Only the main event: pairing every event the same way found 13 more of the 171 gold
        participations with gold entities but lost more precision than it gained (CV F1 0.749 →
        0.698 for PARTICIPATES_IN).
        """
        event = self.finder.main_event
        if event is None:
            return []
        return [
            (entity, event)
            for entity in self.finder.entities
            if entity.label != "EVENT" and related_types(entity.label, "EVENT")
        ]

    def _entity_features(self, candidate: PairCandidate, types: str) -> Features:
        """How the article uses the pair's entities (for a pair with an event: the event's standing)."""
        first, second = candidate.first, candidate.second
        features = [f"{types}|bias", *self._quality("E1", first), *self._quality("E2", second)]
        event = second if second.label == "EVENT" else first if first.label == "EVENT" else None
        if event is not None:
            other = first if event is second else second
            features += self._conjoin(types, "standing", event)
            features += self._conjoin(types, "usage", other)
            if "sentence" not in candidate.sources:
                other_first, event_first = self._first[id(other)], self._first[id(event)]
                distance = abs(
                    self.sentence_index(other_first[0]) - self.sentence_index(event_first[0])
                )
                features.append(f"{types}|sd={bucket(distance, SENTENCE_BUCKETS)}")
                features.append(f"{types}|before={other_first < event_first}")
        return features

    def _conjoin(self, types: str, kind: str, entity: ResolvedEntity) -> Features:
        """An event's standing or an entity's usage, conjoined with the pair's types (remembered)."""
        key = (types, kind, id(entity))
        if key not in self._conjoined:
            found = self._event_standing(entity) if kind == "standing" else self._usage(entity)
            self._conjoined[key] = [f"{types}|{f}" for f in found]
        return self._conjoined[key]

    def _quality(self, role: str, entity: ResolvedEntity) -> Features:
        """What makes an entity likely right: the backend read the same span with the same
        type, the name has the head or surname of its type, it is named more than once."""
        key = (role, id(entity))
        if key not in self._qualities:
            self._qualities[key] = [
                f"{role}q=bk-{self._backend_agreement(entity)}",
                f"{role}q={entity.label}-{'shaped' if self._shaped(entity) else 'plain'}",
                f"{role}q=m{min(len(entity.spans), 3)}",
                f"{role}len={bucket(len(self._names[id(entity)]), (2, 3, 4, 6, 10, 16))}",
            ]
        return self._qualities[key]

    def _backend_agreement(self, entity: ResolvedEntity) -> str:
        labels = {self.finder.view.backend_labels.get(span) for span in entity.spans}
        if entity.label in labels:  # the backend's labels are the pipeline's (PERSON, ORG, LOC)
            return "same"
        return "other" if labels - {None} else "none"

    def _shaped(self, entity: ResolvedEntity) -> bool:
        """An organization with an organization head, a person with a surname, a known place."""
        name = self._names[id(entity)]
        lexicons = self.finder.view.lexicons
        if entity.label == "ORG":
            return _has_suffix(name, lexicons.org_heads)
        if entity.label == "PERSON":
            return lexicons.surname_length(name) > 0
        if entity.label == "LOC":
            return self.finder.view.is_place(name)
        return _has_suffix(name, lexicons.event_heads)

    def _event_standing(self, event: ResolvedEntity) -> Features:
        """Is this the article's main event, is it a ceremony (签约仪式: a moment of another event)."""
        if id(event) not in self._standing:
            features = [f"e_main={event is self.finder.main_event}"]
            if _has_suffix(self._names[id(event)], self.finder.view.lexicons.ceremony_heads):
                features.append("e_ceremony")
            self._standing[id(event)] = features
        return self._standing[id(event)]

    def _usage(self, entity: ResolvedEntity) -> Features:
        """Cue readings of the entity's sentences, event references, titles after its mentions."""
        if id(entity) in self._usages:
            return self._usages[id(entity)]
        features = {f"m={min(len(entity.spans), 3)}"}
        references = self.finder.view.lexicons.event_references
        for start, end in entity.spans:
            index = self.sentence_index(start)
            if index == 0:
                features.add("u_s0")
            features.update(f"u_c={reading}" for _, _, reading in self.cues_of(index))
            sentence_start, sentence_end = self.sentences[index]
            if any(r in self.text[sentence_start:sentence_end] for r in references):
                features.add("u_ref")
            if end in self.title_starts:
                features.add("u_title")
        self._usages[id(entity)] = sorted(features)
        return self._usages[id(entity)]

    # --- pairs stated by names -----------------------------------------------------------------

    def _name_pairs(self) -> list[tuple[ResolvedEntity, ResolvedEntity, Features]]:
        """Pairs where one entity's name contains a form of the other (深圳市第三人民医院 ⊃ 深圳)."""
        found = []
        entities = self.finder.entities
        forms = {id(e): self._forms(e) for e in entities}
        by_start: dict[str, list[ResolvedEntity]] = {}  # a form's first two characters → entities
        for entity in entities:
            for start in {f[:2] for f in forms[id(entity)]}:  # every form has 2+ characters
                by_start.setdefault(start, []).append(entity)
        order = {id(e): rank for rank, e in enumerate(entities)}
        for outer in (e for e in entities if e.label in {"ORG", "EVENT"}):
            name = self._names[id(outer)]
            bigrams = {name[i : i + 2] for i in range(len(name) - 1)}
            inners = {id(e): e for b in bigrams for e in by_start.get(b, ())}
            for inner in sorted(inners.values(), key=lambda e: order[id(e)]):
                if inner is outer:
                    continue
                if (outer.label, inner.label) in SKIPPED_TYPES or not related_types(
                    outer.label, inner.label
                ):
                    continue
                features = self._containment(outer, name, inner, forms[id(inner)])
                if features:
                    found.append((outer, inner, features))
        return found

    def _forms(self, entity: ResolvedEntity) -> set[str]:
        forms = {normalized(s) for s in entity.surfaces}
        if entity.label == "LOC":
            place = self.finder.view.gazetteer.lookup(entity.name)
            if place is not None:
                forms |= {place.name} | ({place.short} if place.short else set())
        return {f for f in forms if len(f) >= 2}

    def _containment(
        self, outer: ResolvedEntity, name: str, inner: ResolvedEntity, forms: set[str]
    ) -> Features:
        """Where a form of ``inner`` stands in ``outer``'s name and what the rest of the name is."""
        hits = [(name.find(f), f) for f in forms if f in name and f != name]
        if not hits:
            return []
        position, form = min(hits, key=lambda h: (h[0], -len(h[1])))
        rest = name[position + len(form) :]
        where = "prefix" if position == 0 else "inside"
        types = f"{outer.label}>{inner.label}"
        features = [f"nm={where}", f"nr={bucket(len(rest), GAP_BUCKETS)}"]
        heads = self.finder.view.lexicons.org_heads
        if rest.endswith(UNIT_HEADS):
            features.append("nh=unit")
        elif rest.endswith(BRANCH_HEADS):
            features.append("nh=branch")
        elif rest.endswith(MEMBERSHIP_HEADS):
            features.append("nh=member")
        elif _has_suffix(rest, heads):
            features.append("nh=org")
        if rest:
            features.append(f"nl={rest[-1]}")
        if inner.label == "LOC":
            place = self.finder.view.gazetteer.lookup(inner.name)
            features.append(f"lv={place.level if place else 'none'}")
        if self.finder.view.place_prefix(rest):
            features.append("np")  # another place follows (中国电信 + 宁夏 + 公司)
        return [f"{types}|{f}" for f in features]


def _has_suffix(name: str, words: Collection[str]) -> bool:
    """Whether ``name`` ends with one of ``words`` (looked up by suffix: the lists are long)."""
    return any(name[-length:] in words for length in range(1, min(len(name), _longest(words)) + 1))


def _longest(words: Collection[str]) -> int:
    """The length of the longest word of a lexicon, remembered per lexicon object."""
    key = id(words)
    if key not in _LONGEST or _LONGEST[key][0] is not words:
        _LONGEST[key] = (words, max(map(len, words), default=0))
    return _LONGEST[key][1]


_LONGEST: dict[int, tuple[Collection[str], int]] = {}


def _cue_kind(relation: Relation, cues: tuple[Cue, ...]) -> str:
    """How the rules read the relation: from a name, a title, or a cue word's reading."""
    if relation.cue == "name":
        return "name"
    if relation.title:
        return "title"
    _, reading = _cue_pattern(cues)
    return reading.get(relation.cue or "", "other").split("/")[-1]


def _types(candidate: PairCandidate) -> str:
    return f"{candidate.first.label}>{candidate.second.label}"


def candidate_pairs(
    finder: RelationFinder, rules: Iterable[Relation] = (), *, rule_features: bool = True
) -> list[PairCandidate]:
    """The candidate pairs of the finder's article, with features.

    ``rules`` are the rules' relations for the article (``finder.find()``): their pairs are
    candidates, and with ``rule_features`` the type they gave is a feature of the pair.
    """
    return ArticlePairs(finder, rules, rule_features=rule_features).candidates()
