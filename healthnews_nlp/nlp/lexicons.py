"""The domain lexicons, loaded once from ``healthnews_nlp/resources`` (and extra user files).

Everything the rules know about the domain lives in those data files; this
module only reads them into sets and maps. ``Lexicons.load(extra_dir)`` lets a
user add entries: a file of the same name in ``extra_dir`` is read after the
packaged one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from healthnews_nlp.nlp.furniture import FurniturePattern
from healthnews_nlp.resources import read_lines


def _lines(name: str, extra_dir: str | None) -> Iterator[str]:
    yield from read_lines(name)
    if extra_dir:
        path = Path(extra_dir) / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                stripped = line.strip()
                if stripped and not stripped.startswith("#"):
                    yield stripped


def _words(name: str, extra_dir: str | None) -> frozenset[str]:
    return frozenset(word for line in _lines(name, extra_dir) for word in line.split())


def _by_length(words: frozenset[str] | set[str]) -> tuple[str, ...]:
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def has_infix(word: str, words: Collection[str], *, shortest: int = 1) -> bool:
    """Whether one of ``words`` (``shortest`` characters or more) occurs inside ``word``.

    Looks up ``word``'s substrings, up to the longest of ``words``, instead of
    scanning ``words``: names are short and lexicons long.
    """
    longest = min(_longest(words), len(word))
    for size in range(shortest, longest + 1):
        for start in range(len(word) - size + 1):
            if word[start : start + size] in words:
                return True
    return False


def longest_suffix(word: str, words: Collection[str], *, keep: int = 0, shortest: int = 1) -> str | None:
    """The longest of ``words`` (``shortest`` characters or more) that ``word`` ends with,
    leaving ``keep`` characters before it; looked up by ``word``'s suffixes."""
    for size in range(min(_longest(words), len(word) - keep), shortest - 1, -1):
        if word[-size:] in words:
            return word[-size:]
    return None


def _longest(words: Collection[str]) -> int:
    """Length of the longest of ``words``, remembered per collection (lexicons do not change)."""
    key = id(words)
    cached = _LONGEST.get(key)
    if cached is None or cached[0] is not words:
        cached = _LONGEST[key] = (words, max(map(len, words), default=0))
    return cached[1]


_LONGEST: dict[int, tuple[Collection[str], int]] = {}


@dataclass(frozen=True)
class Cue:
    """A word that states a relation (``resources/relation_cues.tsv``) and how it reads."""

    word: str
    relation: str
    reading: str


@dataclass(frozen=True)
class Lexicons:
    """Word lists and maps the rules consult."""

    org_heads: dict[str, str]
    org_non_heads: frozenset[str]
    org_descriptors: frozenset[str]
    org_type_words: frozenset[str]
    titles: frozenset[str]
    title_modifiers: frozenset[str]
    event_heads: frozenset[str]
    ceremony_heads: frozenset[str]
    event_ordinals: re.Pattern[str]
    place_heads: frozenset[str]
    product_heads: frozenset[str]
    surnames: frozenset[str]
    abbreviations: dict[str, tuple[str, ...]]
    not_entities: frozenset[str]
    slogan_prefixes: frozenset[str]
    person_followers: frozenset[str]
    place_abbreviations: dict[str, tuple[str, ...]]
    relation_cues: tuple[Cue, ...]  # longest first
    event_references: tuple[str, ...]
    furniture: tuple[FurniturePattern, ...] = ()
    stop_nouns: frozenset[str] = frozenset()
    department_heads: frozenset[str] = frozenset()
    honorifics: frozenset[str] = frozenset()
    event_bodies: frozenset[str] = frozenset()
    document_words: frozenset[str] = frozenset()
    venue_heads: frozenset[str] = frozenset()
    place_modifiers: frozenset[str] = frozenset()
    place_suffixes: frozenset[str] = frozenset()
    # is_title answers, memoised: the rules ask about the same few thousand strings over and over
    _title_memo: dict[str, bool] = field(default_factory=dict, init=False, compare=False, repr=False)

    @cached_property
    def org_heads_by_length(self) -> tuple[str, ...]:
        return _by_length(set(self.org_heads))

    @cached_property
    def event_heads_by_length(self) -> tuple[str, ...]:
        return _by_length(self.event_heads)

    @cached_property
    def place_heads_by_length(self) -> tuple[str, ...]:
        return _by_length(self.place_heads)

    @cached_property
    def naming_heads(self) -> frozenset[str]:
        """Organization heads but the trade words that end brands only (健康, 资本)."""
        return frozenset(h for h, kind in self.org_heads.items() if kind != "brand")

    @cached_property
    def long_name_heads(self) -> frozenset[str]:
        """Event and organization heads of two characters or more (no person name holds one)."""
        return frozenset(h for h in self.event_heads | self.org_heads.keys() if len(h) > 1)

    @cached_property
    def _title_edges(self) -> tuple[frozenset[str], frozenset[str]]:
        """Characters a title can start with (a title's or a modifier's first) and end with."""
        return (
            frozenset(word[0] for word in self.titles | self.title_modifiers if word),
            frozenset(word[-1] for word in self.titles if word),
        )

    @cached_property
    def _abbreviation_variants(self) -> dict[str, tuple[int, str]]:
        """Each spelling of an abbreviated head (the short form and its long forms) → (rank, short).

        The rank orders the spellings as the abbreviations file does, each
        entry's longest first; a spelling listed twice keeps its first rank.
        """
        variants: dict[str, tuple[int, str]] = {}
        for short, longs in self.abbreviations.items():
            for variant in sorted((short, *longs), key=len, reverse=True):
                variants.setdefault(variant, (len(variants), short))
        return variants

    def abbreviated_ending(self, name: str) -> tuple[str, str] | None:
        """``(spelling, short form)`` of the first-ranked abbreviation spelling ``name`` ends with."""
        variants = self._abbreviation_variants
        best: tuple[int, str, str] | None = None
        for size in range(1, min(_longest(variants), len(name)) + 1):
            found = variants.get(name[-size:])
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], name[-size:], found[1])
        return None if best is None else (best[1], best[2])

    @property
    def title_first_chars(self) -> frozenset[str]:
        """Characters a title (or its first modifier) can start with."""
        return self._title_edges[0]

    def is_title(self, word: str) -> bool:
        """A title, possibly with modifiers (常务副校长, 执行院长, 党委副书记)."""
        first, last = self._title_edges
        if not word or word[-1] not in last or word[0] not in first:
            return False  # most strings asked about: no need to look further
        known = self._title_memo.get(word)
        if known is None:
            if len(self._title_memo) > 200_000:
                self._title_memo.clear()
            known = self._title_memo[word] = self._is_title(word)
        return known

    def _is_title(self, word: str) -> bool:
        if word in self.titles:
            return True
        for modifier in self.title_modifiers:
            if word.startswith(modifier) and len(word) > len(modifier) and self._is_title(word[len(modifier):]):
                return True
        return False

    def surname_length(self, name: str) -> int:
        """Length of the family name ``name`` starts with (2 for 欧阳), or 0."""
        if name[:2] in self.surnames:
            return 2
        return 1 if name[:1] in self.surnames else 0

    @classmethod
    def load(cls, extra_dir: str | None = None) -> Lexicons:
        return _load(extra_dir)


@lru_cache(maxsize=1)
def dictionary_tags() -> dict[str, tuple[int, str]]:
    """``word -> (frequency, tag)`` from jieba's dictionary, read once (without importing jieba)."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "dict.txt"
        if path.is_file():
            entries = {}
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    parts = line.split()
                    if len(parts) == 3 and parts[1].isdigit():
                        entries[parts[0]] = (int(parts[1]), parts[2])
            return entries
    return {}


@lru_cache(maxsize=1)
def common_words(min_frequency: int = 500) -> frozenset[str]:
    """Frequent ordinary words of jieba's dictionary (not names: tags other than nr/ns/nt/nz/j).

    A backend entity that is one of these (幸福, 海量) is a tagging slip, not a name.
    """
    return frozenset(
        word
        for word, (frequency, tag) in dictionary_tags().items()
        if frequency >= min_frequency and tag[:2] not in {"nr", "ns", "nt", "nz", "j"}
    )


def ordinary_word(word: str) -> bool:
    """A word jieba's dictionary knows as something other than an organization or proper noun."""
    entry = dictionary_tags().get(word)
    return entry is not None and entry[1][:2] not in {"nt", "nz", "j", "nr"}


@lru_cache(maxsize=8)
def _load(extra_dir: str | None) -> Lexicons:
    heads = {}
    for line in _lines("org_heads.tsv", extra_dir):
        head, _, kind = line.partition("\t")
        heads[head] = kind or "name"
    abbreviations: dict[str, tuple[str, ...]] = {}
    for line in _lines("abbreviations.tsv", extra_dir):
        short, _, long = line.partition("\t")
        abbreviations[short] = (*abbreviations.get(short, ()), long)
    ordinals = "|".join(_lines("event_ordinals.txt", extra_dir))
    cues = [Cue(*line.split("\t")) for line in _lines("relation_cues.tsv", extra_dir)]
    return Lexicons(
        org_heads=heads,
        org_non_heads=_words("org_non_heads.txt", extra_dir),
        org_descriptors=_words("org_descriptors.txt", extra_dir),
        org_type_words=_words("org_type_words.txt", extra_dir),
        titles=_words("titles.txt", extra_dir),
        title_modifiers=_words("title_modifiers.txt", extra_dir),
        event_heads=_words("event_heads.txt", extra_dir),
        ceremony_heads=_words("ceremony_heads.txt", extra_dir),
        event_ordinals=re.compile(f"(?:{ordinals})"),
        place_heads=_words("place_heads.txt", extra_dir),
        product_heads=_words("product_heads.txt", extra_dir),
        surnames=_words("surnames.txt", extra_dir),
        abbreviations=abbreviations,
        not_entities=_words("not_entities.txt", extra_dir),
        slogan_prefixes=_words("slogan_prefixes.txt", extra_dir),
        person_followers=_words("person_followers.txt", extra_dir),
        place_abbreviations={
            char: tuple(places.split(","))
            for char, _, places in (line.partition("\t") for line in _lines("place_abbreviations.tsv", extra_dir))
        },
        relation_cues=tuple(sorted(cues, key=lambda c: -len(c.word))),
        event_references=tuple(_lines("event_references.txt", extra_dir)),
        furniture=tuple(
            FurniturePattern.parse(line) for line in _lines("furniture_spans.tsv", extra_dir)
        ),
        stop_nouns=_words("name_stop_nouns.txt", extra_dir),
        department_heads=_words("department_heads.txt", extra_dir),
        honorifics=_words("honorifics.txt", extra_dir),
        event_bodies=_words("event_bodies.txt", extra_dir),
        document_words=_words("document_words.txt", extra_dir),
        venue_heads=_words("venue_heads.txt", extra_dir),
        place_modifiers=_words("place_modifiers.txt", extra_dir),
        place_suffixes=_words("place_suffixes.txt", extra_dir),
    )
