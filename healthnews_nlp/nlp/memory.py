"""Corpus memory: names one article establishes, proposed as candidates in the others of a run.

A short company name that only a head word or a definition makes a name in
one article (深圳X科技有限公司（下称“X科技”）) is, in the next article of the
same run, just a word no rule reads. ``healthnews_memory`` proposes every
occurrence of the names established elsewhere as candidates of the rule
``memory`` in its own span group; the recognizer reads them beside the rules'
candidates and chooses as ever: a longer or stronger rule reading wins, so a
remembered name fills gaps and overrides nothing (unlike user patterns).

What is established (:func:`established_names`) is kept conservative:
organizations and events of three characters or more that the article
recognised with confidence and defined a short name for, under their full
name and that short name, never a place of the gazetteer, a title, a class
noun or a dictionary word. People and places are left to the tagger and the
gazetteer (陈明 or 长江 in one article says nothing about the same characters
in another).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc

from healthnews_nlp.gazetteer import Gazetteer
from healthnews_nlp.models import Entity
from healthnews_nlp.nlp.candidates import write_candidates
from healthnews_nlp.nlp.lexicons import Lexicons, common_words, dictionary_tags, ordinary_word
from healthnews_nlp.nlp.recognize import name_positions
from healthnews_nlp.nlp.rules import quote_stripped, short_name_definitions
from healthnews_nlp.nlp.view import HAN, PLACE_REFERENCES, Candidate

MEMORY_KEY = "healthnews_memory"
MEMORY_COMPONENT = "healthnews_memory"
#: The rule name of remembered candidates, and how strongly they hold (a backend reading's).
MEMORY_RULE = "memory"
MEMORY_PRIORITY = 1
#: Entities below this confidence establish nothing.
MIN_CONFIDENCE = 0.9
#: Types whose names are remembered, and their shortest length (two characters are too often words).
REMEMBERED_TYPES = frozenset({"ORG", "EVENT"})
MIN_LENGTH = 3
#: What a remembered name is written with: Chinese, Latin letters, digits and a few joiners.
NAME_CHARACTERS = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9·&.\-]+$")
LATIN = re.compile("[A-Za-z]")


def established_names(
    entities: Iterable[Entity], text: str, lexicons: Lexicons, gazetteer: Gazetteer
) -> dict[str, str]:
    """The names (name → type) an article's ``entities`` establish for the rest of the corpus.

    An organization or event the article names in full and then defines a short name for
    (X（下称“Y”）, X（以下简称Y）; not an English name or acronym in brackets): both names, when they are
    :func:`rememberable`. A definition is the strongest evidence an article gives that a
    word is a name; names the rules read from a head word, a list or the tagger alone are
    found again by the same means in the other articles, and one article's slip would
    otherwise spread to every other (measured on the 1,503 news articles of ``make bench``:
    every confident name remembered had 64 % of them extracted again, and a video game
    glossed in English, 星际争霸2（StarCraft II）, became an organization in 83 articles).
    """
    defined: dict[int, set[str]] = {}
    for start, alias_start, alias_end in short_name_definitions(text):
        defined.setdefault(start, set()).add(quote_stripped(text[alias_start:alias_end]))
    found: dict[str, str] = {}
    for entity in entities:
        if entity.type not in REMEMBERED_TYPES or entity.confidence < MIN_CONFIDENCE:
            continue
        names = {entity.name, *entity.aliases}
        aliases = {a for m in entity.mentions for a in defined.get(m.end, ()) if a in names}
        if not aliases:
            continue
        for name in (entity.name, *sorted(aliases)):
            if rememberable(name, lexicons, gazetteer):
                found.setdefault(name, entity.type)
    return found


def rememberable(name: str, lexicons: Lexicons, gazetteer: Gazetteer) -> bool:
    """A name specific enough to be the same entity wherever it is written.

    Not a name that points at a place by its level (自治区党委, 市妇幼保健院: the
    region of the article it is in).
    """
    return not (
        len(name) < MIN_LENGTH
        or not NAME_CHARACTERS.match(name)
        or _too_short(name)
        or name.startswith(tuple(PLACE_REFERENCES))
        or ordinary_compound(name)
        or name in gazetteer
        or lexicons.is_title(name)
        or name in lexicons.org_descriptors
        or name in lexicons.org_type_words
        or name in lexicons.stop_nouns
        or name in lexicons.not_entities
        or name in lexicons.org_heads
        or name in lexicons.event_heads
        or name in common_words()
        or ordinary_word(name)
    )


def remember_names(nlp: Language, names: Mapping[str, str]) -> None:
    """Make ``names`` what the pipeline's memory component proposes (a pipeline without one: none)."""
    if MEMORY_COMPONENT in nlp.pipe_names:
        memory = nlp.get_pipe(MEMORY_COMPONENT)
        assert isinstance(memory, MemoryCandidates)
        memory.names = {}
        memory.remember(names)
    elif names:
        raise ValueError("the pipeline has no healthnews_memory component to remember names with")


def _too_short(name: str) -> bool:
    """Fewer than two Chinese characters and five Latin letters: an acronym (SEC, CIA) stands
    for different bodies in different articles."""
    return len(HAN.findall(name)) < 2 and len(LATIN.findall(name)) < 5


def ordinary_compound(name: str) -> bool:
    """Two ordinary dictionary words (商业银行, 有关部门, 上市公司): a class of things, not a name."""
    return any(
        ordinary_word(name[:cut]) and ordinary_word(name[cut:]) for cut in range(1, len(name))
    )


def inside_longer_word(text: str, start: int, end: int) -> bool:
    """The span and a character or two beside it make a dictionary word (限公司 in 有限公司)."""
    words = dictionary_tags()
    before = (text[max(0, start - extra) : end] for extra in (1, 2) if start - extra >= 0)
    after = (text[start : end + extra] for extra in (1, 2) if end + extra <= len(text))
    return any(word in words for word in (*before, *after))


def occurrences(text: str, names: Mapping[str, str]) -> Iterator[tuple[str, int]]:
    """Where ``names`` occur in ``text`` as words of their own, not inside a longer word."""
    for name, position in name_positions(text, names):
        if not inside_longer_word(text, position, position + len(name)):
            yield name, position


class MemoryCandidates:
    """Every occurrence of the remembered names as a candidate, in the span group ``spans_key``."""

    def __init__(self, nlp: Language, name: str, spans_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.names: dict[str, str] = {}

    def remember(self, names: Mapping[str, str]) -> None:
        """Add ``names`` (name → ORG or EVENT) to what is proposed in every text."""
        for name, label in names.items():
            if label not in REMEMBERED_TYPES:
                raise ValueError(f"a remembered name is ORG or EVENT, not {label!r} ({name})")
            self.names[name] = label

    def __call__(self, doc: Doc) -> Doc:
        if not self.names:
            return doc
        candidates = [
            Candidate(
                position, position + len(name), self.names[name], MEMORY_RULE, MEMORY_PRIORITY
            )
            for name, position in occurrences(doc.text, self.names)
        ]
        return write_candidates(doc, self.spans_key, candidates) if candidates else doc

    # the remembered names are the component's state, saved with the pipeline
    def to_bytes(self, **kwargs: Any) -> bytes:
        data: bytes = srsly.msgpack_dumps(sorted(self.names.items()))
        return data

    def from_bytes(self, data: bytes, **kwargs: Any) -> MemoryCandidates:
        self.names = {name: label for name, label in srsly.msgpack_loads(data)}
        return self

    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(
            directory / "names.jsonl",
            [{"name": n, "label": l} for n, l in sorted(self.names.items())],
        )

    def from_disk(self, path: str | Path, **kwargs: Any) -> MemoryCandidates:
        file = Path(path) / "names.jsonl"
        self.names = (
            {r["name"]: r["label"] for r in srsly.read_jsonl(file)} if file.is_file() else {}
        )
        return self


@Language.factory(
    "healthnews_memory", default_config={"spans_key": MEMORY_KEY}, assigns=["doc.spans"]
)
def make_memory_candidates(nlp: Language, name: str, spans_key: str) -> MemoryCandidates:
    """Corpus memory as a candidate source: names established in other articles of a run."""
    return MemoryCandidates(nlp, name, spans_key)
