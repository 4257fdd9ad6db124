"""Choosing entity mentions among candidate spans: what the rules propose, and how the choice is made.

:func:`propose` runs every rule over a :class:`TextView` (the candidate
sources of spaCy's span groups, see :mod:`.components`). :func:`resolve`
chooses among the candidates of every source, each with a probability per
type (from the registered scorer: today the rules' own labels): candidates are
given their most likely type, the unlikely ones dropped, and the rest
resolved into non-overlapping mentions (user patterns first, then longer
spans, stronger rules); then every name accepted anywhere in the text is
looked for again everywhere (a name the backend missed in one sentence is
still that name), and the union is resolved once more.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from healthnews_nlp.nlp import rules
from healthnews_nlp.nlp.view import Candidate, Spans, TextView

LABEL_RANK = {"EVENT": 4, "ORG": 3, "PERSON": 2, "LOC": 1}
#: The classes of an entity scorer's probabilities, in column order.
CLASSES = ("NONE", "ORG", "PERSON", "LOC", "EVENT")
# Rules whose one-character names are real: 美, 港 for places (the tagger says so), 江 before 主席.
SINGLE_CHARACTER_RULES = frozenset({"loc-backend", "person-backend", "loc-abbreviation"})

Probabilities = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Recognition:
    """The chosen mentions and the aliases the text defines (alias span → defined-for span)."""

    mentions: tuple[Candidate, ...]
    definitions: tuple[tuple[Candidate, Candidate], ...]


def propose(view: TextView) -> list[Candidate]:
    """Every rule's candidates for ``view`` (organizations, events, places, people)."""
    return [
        *rules.org_candidates(view),
        *rules.event_candidates(view),
        *rules.place_candidates(view),
        *rules.person_candidates(view),
    ]


def rule_probabilities(candidates: Sequence[Candidate]) -> Probabilities:
    """Each candidate certain of its own label: the rules' reading, without a learned scorer."""
    probabilities = np.zeros((len(candidates), len(CLASSES)), dtype=np.float32)
    for row, candidate in enumerate(candidates):
        probabilities[row, CLASSES.index(candidate.label)] = 1.0
    return probabilities


def resolve(
    view: TextView, candidates: Sequence[Candidate], probabilities: Probabilities, *, threshold: float = 0.5
) -> Recognition:
    """Entity mentions of ``view`` from scored candidates (``probabilities``: rows of :data:`CLASSES`).

    A candidate takes its most likely type, with that probability as its
    score; one whose best type is less likely than ``threshold`` is dropped.
    User patterns (``rule="pattern"``) are known entities: they keep their
    label and win every overlap.
    """
    scored = [c for c in map(_typed, candidates, probabilities) if c.rule == "pattern" or c.score >= threshold]
    proposed = [c for c in scored if _allowed(view, c)]
    chosen = _without_departments(view, select(proposed))
    defined = definitions(view, chosen)
    siblings = [c for c in rules.list_siblings(view, chosen) if _allowed(view, c)]
    names = {(view.text[c.start : c.end], c.label): c.score for c in [*chosen, *siblings]}
    for alias, _ in defined:
        names[(view.text[alias.start : alias.end], alias.label)] = alias.score
    repeats = [c for c in _occurrences(view, names) if _allowed(view, c)]
    aliases = [alias for alias, _ in defined]
    chosen = select(_without_weak_readings([*proposed, *siblings, *repeats, *aliases], view))
    return Recognition(tuple(_without_departments(view, chosen)), tuple(defined))


def _typed(candidate: Candidate, row: npt.NDArray[np.float32]) -> Candidate:
    """The candidate with its most likely type and that type's probability as its score."""
    if candidate.rule == "pattern":
        return replace(candidate, score=1.0)
    best = int(np.argmax(row[1:])) + 1
    return replace(candidate, label=CLASSES[best], score=float(row[best]))


def _without_departments(view: TextView, chosen: list[Candidate]) -> list[Candidate]:
    """Chosen organizations cut before a department that a title or a person follows.

    Cut after selection: the whole name has already kept other readings off the department.
    """
    people = frozenset(c.start for c in chosen if c.label == "PERSON")
    return [rules.department_before_person(view, c, people) for c in chosen]


BACKEND_ONLY = frozenset({"org-backend", "person-backend", "person-backend-weak", "repeat"})


def _without_weak_readings(candidates: list[Candidate], view: TextView) -> list[Candidate]:
    """Drop backend readings that stronger evidence elsewhere in the article contradicts.

    - an organization the tagger found that ends another organization's name (健委 of 宁夏卫健委);
    - an organization or place whose name the article gives to a person (金力 after 院长);
    - a person that runs past a name a title introduced (周振用 when 总经理周振 is in the text);
    - a person whose name is a company's brand in the article (沐瞳 beside 沐瞳科技): a company.
    """
    text = view.text
    strong = [c for c in candidates if c.rule not in BACKEND_ONLY]
    strong_orgs = {text[c.start : c.end] for c in strong if c.label == "ORG"}
    all_orgs = sorted({text[c.start : c.end] for c in candidates if c.label == "ORG"})
    org_endings = {org[cut:] for org in strong_orgs for cut in range(1, len(org))}
    people = {text[c.start : c.end] for c in strong if c.label == "PERSON"}
    kept = []
    for candidate in candidates:
        word = text[candidate.start : candidate.end]
        if candidate.rule in BACKEND_ONLY:
            if candidate.label == "ORG" and word in org_endings:
                continue
            if candidate.label in {"ORG", "LOC"} and word in people:
                continue
            if candidate.label == "PERSON" and any(word[:cut] in people for cut in range(1, len(word))):
                continue
            if candidate.label == "PERSON" and any(rules.brand_of(word, org) for org in _starting_with(all_orgs, word)):
                candidate = Candidate(candidate.start, candidate.end, "ORG", candidate.rule, 0)
        kept.append(candidate)
    return kept


def _starting_with(ordered: list[str], prefix: str) -> Iterator[str]:
    """The strings of the sorted list ``ordered`` that start with ``prefix`` (by bisection: a long
    text has thousands of names, and comparing each person with each would be quadratic)."""
    for index in range(bisect_left(ordered, prefix), len(ordered)):
        if not ordered[index].startswith(prefix):
            return
        yield ordered[index]


def select(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: user patterns, then longer spans, stronger rules, label rank.

    A user's pattern (``add_patterns``) is a known entity: it wins over every
    rule's reading that overlaps it, a longer one included (as spaCy's entity
    ruler with ``overwrite_ents``).
    """
    ordered = sorted(
        set(candidates),
        # the score and the rule's name break the last ties: the choice never depends on set order
        key=lambda c: (
            c.rule != "pattern", -(c.end - c.start), -c.priority, -LABEL_RANK[c.label], c.start, -c.score, c.rule
        ),
    )
    taken: list[Candidate] = []
    occupied = bytearray()
    for candidate in ordered:
        if len(occupied) < candidate.end:
            occupied.extend(b"\0" * (candidate.end - len(occupied)))
        if any(occupied[candidate.start : candidate.end]):
            continue
        occupied[candidate.start : candidate.end] = b"\1" * (candidate.end - candidate.start)
        taken.append(candidate)
    return sorted(taken, key=lambda c: c.start)


def _allowed(view: TextView, candidate: Candidate) -> bool:
    start, end = candidate.start, candidate.end
    if end - start < 2 and candidate.rule not in SINGLE_CHARACTER_RULES:
        return False
    if view.skipped(start, end, candidate.label):
        return False
    if candidate.rule != "pattern" and (
        rules.malformed(view.text[start:end])
        or view.document_titles and rules.inside_document_title(view, candidate)
        or candidate.label == "PERSON" and rules.unnamed_person(view, candidate)
        or candidate.label == "LOC" and _demonym(view, end)
    ):
        return False
    return not _not_entity_spans(view).covers(start, end)


def _demonym(view: TextView, end: int) -> bool:
    """A place followed by the word 人 names its people (中国人, 上海人), not the place."""
    if not view.text.startswith("人", end):
        return False
    return view.tokens[view.token_index(end)].end == end + 1  # the word ends there: not 人民, 人才


def _not_entity_spans(view: TextView) -> Spans:
    cached: Spans | None = getattr(view, "_not_entity_cache", None)
    if cached is None:
        found = []
        for phrase in view.lexicons.not_entities:
            position = view.text.find(phrase)
            while position >= 0:
                found.append((position, position + len(phrase)))
                position = view.text.find(phrase, position + 1)
        cached = Spans(found)
        view._not_entity_cache = cached  # type: ignore[attr-defined]
    return cached


def definitions(view: TextView, chosen: Sequence[Candidate]) -> list[tuple[Candidate, Candidate]]:
    """Aliases the text defines right after a mention: X（下称“Y”）, X(English name), X，即Y."""
    by_end = {c.end: c for c in chosen}
    found = []
    for definition_start, alias_start, alias_end in rules.abbreviation_definitions(view):
        target = by_end.get(definition_start)
        if target is None:
            continue
        alias = Candidate(alias_start, alias_end, target.label, "alias-defined", 5, target.score)
        found.append((alias, target))
    for first, second in zip(chosen, chosen[1:]):
        if first.label == second.label and APPOSITION.match(view.text[first.end : second.start]):
            found.append((second, first))  # 第31届夏季奥林匹克运动会，即2016年里约热内卢奥运会
    names = {(view.text[c.start : c.end], c.label) for c in chosen}
    for target in chosen:
        acronym = GLUED_ACRONYM.match(view.text, target.end)
        if acronym and (acronym.group(), target.label) in names:  # the acronym is a name elsewhere too
            alias = Candidate(acronym.start(), acronym.end(), target.label, "alias-defined", 5, target.score)
            found.append((alias, target))
    return found


# "that is": the name after it is another name of the one before it.
APPOSITION = re.compile(r"^[，,]?\s*即\s*$")
# An acronym written right after the name it abbreviates, both read as names of one type
# (国家药品监督管理局NMPA, 世界卫生组织WHO).
GLUED_ACRONYM = re.compile(r"[A-Z]{2,8}(?![A-Za-z0-9])")

#: Above this many characters times names, names are found in one pass over the text
#: (:func:`_positions_by_scan`) instead of a search of the whole text for each.
SEARCH_WORK = 2_000_000


def _occurrences(view: TextView, names: dict[tuple[str, str], float]) -> Iterable[Candidate]:
    """Every occurrence of the chosen names, each with the score of its name."""
    text = view.text
    labels: dict[str, list[tuple[str, float]]] = {}
    for (name, label), score in names.items():
        if len(name) >= 2:
            labels.setdefault(name, []).append((label, score))
    for name, position in name_positions(text, labels):
        end = position + len(name)
        for label, score in labels[name]:
            if not (label == "LOC" and rules.is_slogan(view, position)):
                yield Candidate(position, end, label, "repeat", 0, score)


def name_positions(text: str, names: Collection[str]) -> Iterator[tuple[str, int]]:
    """Every occurrence of each of ``names`` in ``text`` (overlapping ones too), as (name, position).

    Names of fewer than two characters are not looked for.
    """
    names = [name for name in names if len(name) >= 2]
    find = _positions_by_scan if len(text) * len(names) > SEARCH_WORK else _positions_by_search
    return find(text, names)


def _positions_by_search(text: str, names: Iterable[str]) -> Iterator[tuple[str, int]]:
    """Every occurrence of each name (overlapping ones too), one search of ``text`` per name."""
    for name in names:
        position = text.find(name)
        while position >= 0:
            yield name, position
            position = text.find(name, position + 1)


def _positions_by_scan(text: str, names: Iterable[str]) -> Iterator[tuple[str, int]]:
    """The occurrences :func:`_positions_by_search` finds, in one pass over ``text``.

    Names are indexed by their first two characters; at each position only the names that
    start with the two characters there are compared. Linear in the text, where a search
    per name is quadratic in a long text (its names grow with it).
    """
    by_start: dict[str, list[str]] = {}
    for name in names:
        by_start.setdefault(name[:2], []).append(name)
    for position in range(len(text) - 1):
        for name in by_start.get(text[position : position + 2], ()):
            if text.startswith(name, position):
                yield name, position
