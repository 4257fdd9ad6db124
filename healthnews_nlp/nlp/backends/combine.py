"""Entities of one model laid over the words of another (HanLP and spaCy over jieba).

The domain rules read words with LAC-style tags. A backend whose NER model has
no such tagger (a HanLP NER component, a spaCy pipeline) takes jieba's words
and flags, and makes each of its entities one token tagged like a LAC entity
word (:data:`~.labels.TOKEN_TAGS`), so the rules take those entities as the
anchors they take LAC's for.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from .base import Analysis, BackendEntity, Token
from .labels import TOKEN_TAGS

#: Word tags (LAC's and jieba's) of prepositions, conjunctions, particles and punctuation:
#: never the first or last word of a name.
FUNCTION_TAGS = ("p", "c", "u", "w", "x")


def combine(tokens: Sequence[Token], entities: Sequence[BackendEntity]) -> Analysis:
    """One analysis from a segmenter's words and another model's entities.

    An entity's edges are trimmed of whole function words (a small model's
    北京大学第一医院在 is 北京大学第一医院), then every entity is made one token
    (:func:`merge_entities`).
    """
    starts = [t.start for t in tokens]
    trimmed = [e for e in (_without_function_words(tokens, starts, e) for e in entities) if e is not None]
    return Analysis(merge_entities(tokens, trimmed), tuple(trimmed))


def _without_function_words(
    tokens: Sequence[Token], starts: list[int], entity: BackendEntity
) -> BackendEntity | None:
    """``entity`` without the function words that lie wholly inside it at either edge."""
    first = bisect_left(starts, entity.start)
    last = bisect_left(starts, entity.end) - 1  # the last word starting inside the entity
    if last >= first and tokens[last].end > entity.end:
        last -= 1  # it runs past the entity's end: not wholly inside
    start, end = entity.start, entity.end
    while first <= last and tokens[first].start == start and tokens[first].tag.startswith(FUNCTION_TAGS):
        start = tokens[first].end
        first += 1
    while first <= last and tokens[last].end == end and tokens[last].tag.startswith(FUNCTION_TAGS):
        end = tokens[last].start
        last -= 1
    if start >= end:
        return None
    return entity if (start, end) == (entity.start, entity.end) else BackendEntity(start, end, entity.label)


def merge_entities(tokens: Sequence[Token], entities: Sequence[BackendEntity]) -> tuple[Token, ...]:
    """``tokens`` with each entity made one token tagged :data:`TOKEN_TAGS`.

    ``entities`` do not overlap; a token an entity boundary falls inside is cut
    there, and its pieces outside the entity keep the token's tag.
    """
    pending = sorted(entities, key=lambda e: e.start)
    merged: list[Token] = []
    index = 0
    for token in tokens:
        position = token.start
        while position < token.end:
            while index < len(pending) and pending[index].end <= position:
                index += 1
            entity = pending[index] if index < len(pending) else None
            if entity is not None and entity.start == position:
                merged.append(Token(entity.start, entity.end, TOKEN_TAGS[entity.label]))
                position = min(token.end, entity.end)
            elif entity is not None and entity.start < position:
                position = min(token.end, entity.end)  # inside the entity's token, already written
            else:
                stop = token.end if entity is None else min(token.end, entity.start)
                merged.append(Token(position, stop, token.tag))
                position = stop
    return tuple(merged)
