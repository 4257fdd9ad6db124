"""jieba's POS segmentation as a lightweight, dictionary-driven NER backend.

jieba is fast and easy to extend with lexicon words, but its "entities" are
only its POS flags: ``nr`` (person), ``ns`` (place) and ``nt`` (organisation).
Each backend owns its ``jieba.Tokenizer`` so user words added here never leak
into jieba's global default tokenizer or into other backends.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import jieba
import jieba.posseg

from .base import Analysis, BackendEntity, Token
from .labels import LabelSource, load_label_map

WHITESPACE_TAG = "w"
#: jieba tags punctuation ``x`` ("non-morpheme"), as it tags some letters and
#: symbols; punctuation gets ``w`` instead, LAC's tag for it, so that the
#: domain rules never take a comma or a quotation mark into a name.
PUNCTUATION_TAG = "w"


def _is_punctuation(word: str) -> bool:
    return all(unicodedata.category(char).startswith("P") for char in word)

_JIEBA_LOGGER = "jieba"


@contextmanager
def _quiet_jieba() -> Iterator[None]:
    """Hide jieba's "Building prefix dict..." chatter for the duration of a load.

    jieba logs to stderr through its own handler at DEBUG level; raising that
    one logger's level temporarily avoids touching logging configuration.
    """
    logger = logging.getLogger(_JIEBA_LOGGER)
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


class JiebaBackend:
    """Segmentation, POS flags and nr/ns/nt entities from ``jieba.posseg``.

    ``user_words`` are ``(word, pos_flag)`` pairs added to this instance's
    dictionary, so e.g. ``("深圳市第三人民医院", "nt")`` becomes one ORG.
    The dictionary is loaded on first use. The flags that are entities, and
    their labels, come from ``resources/labels_jieba.tsv`` (``nr``, ``ns``,
    ``nt``; why not ``nz`` is said there) or the mapping file given as ``labels``.
    """

    name = "jieba"

    def __init__(self, user_words: Iterable[tuple[str, str]] = (), *, labels: LabelSource = None) -> None:
        self._user_words = tuple(user_words)
        self._labels = load_label_map("jieba", labels)
        self._lock = threading.Lock()
        self._tokenizer: jieba.posseg.POSTokenizer | None = None

    @property
    def _pos_tokenizer(self) -> jieba.posseg.POSTokenizer:
        with self._lock:
            if self._tokenizer is None:
                self._tokenizer = self._load()
            return self._tokenizer

    def _load(self) -> jieba.posseg.POSTokenizer:
        """A fresh tokenizer with the default dictionary plus the user words."""
        with _quiet_jieba():
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word, flag in self._user_words:
                if word:
                    tokenizer.add_word(word, tag=flag)
            return jieba.posseg.POSTokenizer(tokenizer)

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Segment each text; whitespace runs become single ``'w'`` tokens."""
        pos_tokenizer = self._pos_tokenizer
        return [self._analyze_one(pos_tokenizer, text) for text in texts]

    def _analyze_one(self, pos_tokenizer: jieba.posseg.POSTokenizer, text: str) -> Analysis:
        tokens: list[Token] = []
        entities: list[BackendEntity] = []
        position = 0
        for pair in pos_tokenizer.cut(text):
            word: str = pair.word
            end = position + len(word)
            if text[position:end] != word:
                raise RuntimeError(f"jieba changed the text at {position}: {word!r}")
            if word.isspace():
                previous = tokens[-1] if tokens else None
                if previous and previous.end == position and text[previous.start : previous.end].isspace():
                    tokens[-1] = Token(tokens[-1].start, end, WHITESPACE_TAG)
                else:
                    tokens.append(Token(position, end, WHITESPACE_TAG))
            else:
                flag = PUNCTUATION_TAG if pair.flag == "x" and _is_punctuation(word) else pair.flag
                tokens.append(Token(position, end, flag))
                label = self._labels.get(pair.flag)
                if label is not None:
                    entities.append(BackendEntity(position, end, label))
            position = end
        if position != len(text):
            raise RuntimeError(f"jieba's words cover {position} of {len(text)} characters")
        return Analysis(tuple(tokens), tuple(entities))
