"""Entities of one model laid over the words of another (HanLP and spaCy over jieba).

The domain rules read words with LAC-style tags. A backend whose NER model has
no such tagger (a HanLP NER component, a spaCy pipeline) takes jieba's words
and flags, and makes each of its entities one token tagged like a LAC entity
word (:data:`~.labels.TOKEN_TAGS`), so the rules take those entities as the
anchors they take LAC's for.
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import BackendEntity, Token
from .labels import TOKEN_TAGS


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
