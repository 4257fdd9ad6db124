"""Which names an article establishes for the rest of its corpus, and where they occur.

Text-level, without spaCy: the corpus runner's parent process decides with it
which articles to extract again (:mod:`healthnews_nlp.corpus_memory`); the
``healthnews_memory`` component (:mod:`healthnews_nlp.nlp.memory`) proposes
the occurrences it finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from healthnews_nlp.gazetteer import Gazetteer
from healthnews_nlp.models import Entity
from healthnews_nlp.nlp.lexicons import Lexicons, common_words, dictionary_tags, ordinary_word
from healthnews_nlp.nlp.recognize import name_positions
from healthnews_nlp.nlp.rules import quote_stripped, short_name_definitions
from healthnews_nlp.nlp.view import HAN, PLACE_REFERENCES

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
