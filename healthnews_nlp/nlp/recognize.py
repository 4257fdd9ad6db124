"""Choosing entity mentions among the candidates the rules propose.

Two passes: the rules' candidates are resolved into non-overlapping mentions
(longest first, then by rule strength), then every name accepted anywhere in
the text is looked for again everywhere (a name LAC missed in one sentence is
still that name), and the union is resolved once more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from healthnews_nlp.nlp import rules
from healthnews_nlp.nlp.view import Candidate, TextView

LABEL_RANK = {"EVENT": 4, "ORG": 3, "PERSON": 2, "LOC": 1}
# Rules whose one-character names are real: 美, 港 for places (the tagger says so), 江 before 主席.
SINGLE_CHARACTER_RULES = frozenset({"loc-backend", "person-backend", "loc-abbreviation"})


@dataclass(frozen=True)
class Recognition:
    """The chosen mentions and the aliases the text defines (alias span → defined-for span)."""

    mentions: tuple[Candidate, ...]
    definitions: tuple[tuple[Candidate, Candidate], ...]


def recognize(view: TextView, extra: Iterable[Candidate] = ()) -> Recognition:
    """Entity mentions of ``view``; ``extra`` are user patterns' matches, which win ties."""
    proposed = [
        *rules.org_candidates(view),
        *rules.event_candidates(view),
        *rules.place_candidates(view),
        *rules.person_candidates(view),
        *extra,
    ]
    proposed = [c for c in proposed if _allowed(view, c)]
    chosen = _without_departments(view, select(proposed))
    definitions = _definitions(view, chosen)
    siblings = [c for c in rules.list_siblings(view, chosen) if _allowed(view, c)]
    names = {(view.text[c.start : c.end], c.label) for c in [*chosen, *siblings]}
    names |= {(view.text[alias.start : alias.end], alias.label) for alias, _ in definitions}
    repeats = [c for c in _occurrences(view, names) if _allowed(view, c)]
    aliases = [alias for alias, _ in definitions]
    chosen = select(_without_weak_readings([*proposed, *siblings, *repeats, *aliases], view))
    return Recognition(tuple(_without_departments(view, chosen)), tuple(definitions))


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
    all_orgs = {text[c.start : c.end] for c in candidates if c.label == "ORG"}
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
            if candidate.label == "PERSON" and any(rules.brand_of(word, org) for org in all_orgs):
                candidate = Candidate(candidate.start, candidate.end, "ORG", candidate.rule, 0)
        kept.append(candidate)
    return kept


def select(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: user patterns, then longer spans, stronger rules, label rank.

    A user's pattern (``add_patterns``) is a known entity: it wins over every
    rule's reading that overlaps it, a longer one included (as spaCy's entity
    ruler with ``overwrite_ents``).
    """
    ordered = sorted(
        set(candidates),
        key=lambda c: (c.rule != "pattern", -(c.end - c.start), -c.priority, -LABEL_RANK[c.label], c.start),
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
    ):
        return False
    return not any(s <= start and end <= e for s, e in _not_entity_spans(view))


def _not_entity_spans(view: TextView) -> list[tuple[int, int]]:
    cached: list[tuple[int, int]] | None = getattr(view, "_not_entity_cache", None)
    if cached is None:
        cached = []
        for phrase in view.lexicons.not_entities:
            position = view.text.find(phrase)
            while position >= 0:
                cached.append((position, position + len(phrase)))
                position = view.text.find(phrase, position + 1)
        view._not_entity_cache = cached  # type: ignore[attr-defined]
    return cached


def _definitions(view: TextView, chosen: list[Candidate]) -> list[tuple[Candidate, Candidate]]:
    """Aliases the text defines right after a mention: X（下称“Y”）, X(English name), X，即Y."""
    by_end = {c.end: c for c in chosen}
    found = []
    for definition_start, alias_start, alias_end in rules.abbreviation_definitions(view):
        target = by_end.get(definition_start)
        if target is None:
            continue
        alias = Candidate(alias_start, alias_end, target.label, "alias-defined", 5)
        found.append((alias, target))
    for first, second in zip(chosen, chosen[1:]):
        if first.label == second.label and APPOSITION.match(view.text[first.end : second.start]):
            found.append((second, first))  # 第31届夏季奥林匹克运动会，即2016年里约热内卢奥运会
    return found


# "that is": the name after it is another name of the one before it.
APPOSITION = re.compile(r"^[，,]?\s*即\s*$")


def _occurrences(view: TextView, names: set[tuple[str, str]]) -> Iterable[Candidate]:
    text = view.text
    for name, label in names:
        if len(name) < 2:
            continue
        position = text.find(name)
        while position >= 0:
            end = position + len(name)
            if not (label == "LOC" and rules.is_slogan(view, position)):
                yield Candidate(position, end, label, "repeat", 0)
            position = text.find(name, position + 1)
