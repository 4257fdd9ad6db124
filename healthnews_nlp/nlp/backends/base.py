"""The protocol every NER backend implements.

A backend reads plain texts and returns, for each, its word segmentation
(tokens with a part-of-speech or entity tag) and its entities with character
offsets into that text. Labels are normalised to ``PERSON``, ``ORG``, ``LOC``
and ``TIME``; everything domain-specific happens later, in the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable


class Token(NamedTuple):
    """A word of the backend's segmentation: ``text[start:end]`` tagged ``tag``.

    Named tuples, not dataclasses: a text has hundreds of them, made by the
    hundred thousand on a corpus, and a tuple is made twice as fast, keeps on
    a spaCy Doc as it is, and survives ``Doc.to_bytes`` as a plain array.
    """

    start: int
    end: int
    tag: str


class BackendEntity(NamedTuple):
    """An entity span ``text[start:end]`` with a normalised label."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a backend found in one text."""

    tokens: tuple[Token, ...]
    entities: tuple[BackendEntity, ...]


@runtime_checkable
class NerBackend(Protocol):
    """Segmentation and named entities for batches of texts."""

    name: str

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse each text; offsets are relative to that text.

        Tokens tile the text exactly (every character belongs to one token,
        whitespace included), so a spaCy ``Doc`` can be built from them.
        """
        ...
