"""Candidate entity pairs of one article and their features, for the relation pair classifier.

The classifier (:mod:`.relation_classifier`) decides, for each pair of an
article's entities, which relation of the ontology holds between them, if any.
Which pairs it is asked about decides what it can find, so the pairs come from
where the development set's relations are stated:

- **one sentence**: two mentions of one sentence whose types some relation joins
  (60 % of the gold relations), pooled over the sentences the pair shares;
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
punctuation, prepositions, the words themselves when few) and how the article
uses each entity, never an entity's own name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
    event_references,
    relation_cues,
)
from healthnews_nlp.nlp.view import Candidate, Spans
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
#: Sentence pairs further apart than this many mentions are not proposed (a list of 40 names
#: would give 780 pairs); relations across longer lists are rare and the rules still see them.
MAX_MENTIONS_BETWEEN = 12
#: Characters whose presence between two mentions says how they are joined.
JOINERS = "与和同跟及由在于为对向"
CLAUSE_BREAKS = "，,；;：:"
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
MAX_WORDS_BETWEEN = 4
#: Backend tags of names, numbers and times (LAC's and jieba's): such words are not features.
NAME_TAGS = frozenset(
    {"PER", "LOC", "ORG", "TIME", "nr", "ns", "nt", "nz", "nw", "m", "t", "eng", "x"}
)

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


@lru_cache(maxsize=1)
def _cue_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every cue word (longest first) and each word's ``relation/reading``."""
    cues = relation_cues()
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
        self._rule_evidence: dict[tuple[int, int], tuple[int, int]] = {}
        self.rules = self._rule_types(rules)
        self.rule_features = rule_features
        self._mentions_by_sentence: dict[int, list[Candidate]] = defaultdict(list)
        for mention in self.mentions:
            self._mentions_by_sentence[self.sentence_index(mention.start)].append(mention)
        self._cues: dict[int, list[tuple[int, int, str]]] = {}
        self._qualities: dict[int, Features] = {}
        self._mention_spans = Spans((m.start, m.end) for m in self.mentions)

    # --- the article's layout ------------------------------------------------------------------

    def sentence_index(self, position: int) -> int:
        return max(0, bisect_right(self._sentence_starts, position) - 1)

    def entity(self, mention: Candidate) -> ResolvedEntity:
        return self.finder.entity_at[(mention.start, mention.end)]

    def cues_of(self, index: int) -> list[tuple[int, int, str]]:
        """Cue words of sentence ``index``: ``(start, end, "RELATION/reading")``, outside mentions."""
        if index not in self._cues:
            pattern, reading = _cue_pattern()
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
            by_name.setdefault(entity.name, entity)
        found: dict[tuple[int, int], list[str]] = defaultdict(list)
        for relation in rules:
            head, tail = by_name.get(relation.head), by_name.get(relation.tail)
            if head is None or tail is None or head is tail:
                continue
            first, second = orient(head, tail)
            reverse = (
                first is tail
                and head.label == tail.label
                and not relation_types()[relation.type].symmetric
            )
            name = relation.type + (REVERSED if reverse else "")
            found[(id(first), id(second))].append(f"{name}/{_cue_kind(relation)}")
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
            first, second = orient(a, b)
            key = (id(first), id(second))
            if key not in pairs:
                pairs[key] = PairCandidate(first, second)
            pairs[key].sources.add(source)
            return pairs[key]

        for a, b, found in self._sentence_cooccurrences():
            candidate = pair(a, b, "sentence")
            candidate.features += self._pooled(found)
            candidate.evidence = min(found, key=lambda c: c.gap).sentence
        for a, b in self._article_pairs():
            candidate = pair(a, b, "article")
            candidate.evidence = self._sentence_span(
                min(a.spans if a.label != "EVENT" else b.spans)[0]
            )
        for a, b, features in self._name_pairs():
            candidate = pair(a, b, "name")
            candidate.features += features
            if candidate.evidence == (0, 0):
                candidate.evidence = self._sentence_span(min(a.spans)[0])
        by_id = {id(e): e for e in self.finder.entities}
        for (first_id, second_id), classes in self.rules.items():
            candidate = pair(by_id[first_id], by_id[second_id], "rule")
            candidate.rule_classes = sorted({c.split("/")[0] for c in classes})
            if self.rule_features:
                candidate.features += [f"{_types(candidate)}|r={c}" for c in sorted(set(classes))]
                candidate.features += [f"{_types(candidate)}|r={c}" for c in candidate.rule_classes]
            candidate.evidence = self._rule_evidence[(first_id, second_id)]
        for candidate in pairs.values():
            candidate.features += self._entity_features(candidate)
            candidate.features.append(
                f"{_types(candidate)}|src={'+'.join(sorted(candidate.sources - {'rule'}))}"
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
        found: dict[
            tuple[int, int], tuple[ResolvedEntity, ResolvedEntity, list[_Cooccurrence]]
        ] = {}
        for index, mentions in sorted(self._mentions_by_sentence.items()):
            for i, left in enumerate(mentions):
                for right in mentions[i + 1 : i + 2 + MAX_MENTIONS_BETWEEN]:
                    a, b = self.entity(left), self.entity(right)
                    if (
                        a is b
                        or (a.label, b.label) in SKIPPED_TYPES
                        or not related_types(a.label, b.label)
                    ):
                        continue
                    first, second = orient(a, b)
                    features = self._cooccurrence(index, left, right, first is a, mentions)
                    entry = found.setdefault((id(first), id(second)), (first, second, []))
                    entry[2].append(
                        _Cooccurrence(right.start - left.end, features, self.sentences[index])
                    )
        return list(found.values())

    def _cooccurrence(
        self,
        index: int,
        left: Candidate,
        right: Candidate,
        first_left: bool,
        mentions: list[Candidate],
    ) -> Features:
        """What one sentence says between two mentions (``left`` before ``right``)."""
        text = self.text
        first, second = (left, right) if first_left else (right, left)
        types = f"{first.label}>{second.label}"
        order = "F" if first_left else "R"  # the pair's first entity is written first, or second
        gap = text[left.end : right.start]
        between = [m for m in mentions if left.end <= m.start and m.end <= right.start]
        breaks = sum(gap.count(c) for c in CLAUSE_BREAKS)
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
        features += self._words_between(left.end, right.start)
        features += self._titles(left, right, gap)
        features += self._cue_features(index, left, right)
        if index == 0:
            features.append("s0")
        return [f"{types}{order}|{f}" for f in features] + [
            f"{types}|{f}" for f in features if f[0] in "cgt"
        ]

    def _words_between(self, start: int, end: int) -> Features:
        """The backend's words between two mentions, when there are few (与, 携手, 院长).

        Names are left out (a word the backend tags as a name, a number or a time, or one
        inside a mention): a feature never carries what only one article says.
        """
        if end - start > 12 or start == end:
            return []
        view = self.finder.view
        words = []
        index = view.token_index(start)
        while index < len(view.tokens) and view.tokens[index].start < end:
            token = view.tokens[index]
            if token.start >= start and token.end <= end:
                named = token.tag in NAME_TAGS or self._mention_spans.covers(token.start, token.end)
                words.append("w=<name>" if named else f"w={self.text[token.start : token.end]}")
            index += 1
        return words if len(words) <= MAX_WORDS_BETWEEN else []

    def _titles(self, left: Candidate, right: Candidate, gap: str) -> Features:
        """Titles between or right after the mentions (<ORG><title><PERSON>, <ORG><PERSON><title>)."""
        features = []
        if any(
            left.end <= s and e <= right.start for e, s in self._titles_near(left.end, right.start)
        ):
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

    def _titles_near(self, start: int, end: int) -> list[tuple[int, int]]:
        if end - start > 40:
            return []
        return [(e, s) for e, s in self.title_ends.items() if start <= s and e <= end]

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
        return not any(c in CLAUSE_BREAKS for c in self.text[start:end])

    def _pooled(self, found: list[_Cooccurrence]) -> Features:
        """The closest co-occurrence's features, and how often the pair shares a sentence."""
        closest = min(found, key=lambda c: c.gap)
        types = closest.features[0].split("|", 1)[0].rstrip("FR")
        return [*closest.features, f"{types}|n={min(len(found), 3)}"]

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

    def _entity_features(self, candidate: PairCandidate) -> Features:
        """How the article uses the pair's entities (for a pair with an event: the event's standing)."""
        types = _types(candidate)
        first, second = candidate.first, candidate.second
        features = [f"{types}|bias", *self._quality("E1", first), *self._quality("E2", second)]
        event = second if second.label == "EVENT" else first if first.label == "EVENT" else None
        if event is not None:
            other = first if event is second else second
            features += [f"{types}|{f}" for f in self._event_standing(event)]
            features += [f"{types}|{f}" for f in self._usage(other)]
            if "sentence" not in candidate.sources:
                distance = abs(
                    self.sentence_index(min(other.spans)[0])
                    - self.sentence_index(min(event.spans)[0])
                )
                features.append(f"{types}|sd={bucket(distance, SENTENCE_BUCKETS)}")
                features.append(f"{types}|before={min(other.spans) < min(event.spans)}")
        return features

    def _quality(self, role: str, entity: ResolvedEntity) -> Features:
        """What makes an entity likely right: the backend read the same span with the same
        type, the name has the head or surname of its type, it is named more than once."""
        if id(entity) not in self._qualities:
            self._qualities[id(entity)] = [
                f"q=bk-{self._backend_agreement(entity)}",
                f"q={entity.label}-{'shaped' if self._shaped(entity) else 'plain'}",
                f"q=m{min(len(entity.spans), 3)}",
                f"len={bucket(len(normalized(entity.name)), (2, 3, 4, 6, 10, 16))}",
            ]
        return [f"{role}{f}" for f in self._qualities[id(entity)]]

    def _backend_agreement(self, entity: ResolvedEntity) -> str:
        labels = {self.finder.view.backend_labels.get(span) for span in entity.spans}
        if entity.label in labels:  # the backend's labels are the pipeline's (PERSON, ORG, LOC)
            return "same"
        return "other" if labels - {None} else "none"

    def _shaped(self, entity: ResolvedEntity) -> bool:
        """An organization with an organization head, a person with a surname, a known place."""
        name = normalized(entity.name)
        lexicons = self.finder.view.lexicons
        if entity.label == "ORG":
            return any(name.endswith(h) for h in lexicons.org_heads)
        if entity.label == "PERSON":
            return lexicons.surname_length(name) > 0
        if entity.label == "LOC":
            return self.finder.view.is_place(name)
        return any(name.endswith(h) for h in lexicons.event_heads)

    def _event_standing(self, event: ResolvedEntity) -> Features:
        """Is this the article's main event, is it a ceremony (签约仪式: a moment of another event)."""
        features = [f"e_main={event is self.finder.main_event}"]
        if any(
            normalized(event.name).endswith(c) for c in self.finder.view.lexicons.ceremony_heads
        ):
            features.append("e_ceremony")
        return features

    def _usage(self, entity: ResolvedEntity) -> Features:
        """Cue readings of the entity's sentences, event references, titles after its mentions."""
        features = {f"m={min(len(entity.spans), 3)}"}
        references = event_references()
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
        return sorted(features)

    # --- pairs stated by names -----------------------------------------------------------------

    def _name_pairs(self) -> list[tuple[ResolvedEntity, ResolvedEntity, Features]]:
        """Pairs where one entity's name contains a form of the other (深圳市第三人民医院 ⊃ 深圳)."""
        found = []
        containers = [e for e in self.finder.entities if e.label in {"ORG", "EVENT"}]
        forms = {id(e): self._forms(e) for e in self.finder.entities}
        for outer in containers:
            name = normalized(outer.name)
            for inner in self.finder.entities:
                if (
                    inner is outer
                    or not related_types(outer.label, inner.label)
                    or (outer.label, inner.label) in SKIPPED_TYPES
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
        elif any(rest.endswith(h) for h in heads):
            features.append("nh=org")
        if rest:
            features.append(f"nl={rest[-1]}")
        if inner.label == "LOC":
            place = self.finder.view.gazetteer.lookup(inner.name)
            features.append(f"lv={place.level if place else 'none'}")
        if self.finder.view.place_prefix(rest):
            features.append("np")  # another place follows (中国电信 + 宁夏 + 公司)
        return [f"{types}|{f}" for f in features]


def _cue_kind(relation: Relation) -> str:
    """How the rules read the relation: from a name, a title, or a cue word's reading."""
    if relation.cue == "name":
        return "name"
    if relation.title:
        return "title"
    _, reading = _cue_pattern()
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
