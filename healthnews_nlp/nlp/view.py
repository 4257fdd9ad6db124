"""A text with its backend analysis, indexed for the domain rules, and the candidates they propose."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate

from healthnews_nlp.gazetteer import Gazetteer
from healthnews_nlp.nlp.backends.base import Analysis, Token
from healthnews_nlp.nlp.lexicons import Lexicons, longest_suffix

# Tags of words that may stand inside a name (nouns, proper nouns, entity words).
NAME_TAGS = frozenset({"n", "nz", "nw", "vn", "an", "j", "LOC", "ORG", "PER", "nr", "ns", "nt", "eng", "x"})
# Tags allowed inside a name but never at its left edge (大 in 健康医疗大数据研究院, numbers).
INNER_TAGS = frozenset({"a", "s", "xc", "TIME"})
# Numbers that belong in names (第三人民医院, 2021“医生云”大会, DH400, 骨科二病区, 教学楼3层西厅);
# 一家, 多位 do not.
NAME_NUMBER = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[次届]?|\d+|\d+[层楼]|[一二三四五六七八九十])$"
)
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_OR_DIGIT = re.compile(r"^[A-Za-z0-9．.·\-+]+$")
OPEN_QUOTES = "“\"「『‘"
CLOSE_QUOTES = "”\"」』’"
CONNECTORS = frozenset({"·", "．", "暨"})
SENTENCE_END = re.compile("[。！？；!?\n]")
BOOK_TITLE = re.compile(r"《([^《》\n]{1,80})》")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A proposed entity span: ``rule`` says which rule (or source) proposed it, ``priority`` how
    strongly the rule holds, ``score`` how likely a scorer found it (1.0 until scored)."""

    start: int
    end: int
    label: str
    rule: str
    priority: int = 0
    score: float = 1.0

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end

    def inside(self, start: int, end: int) -> bool:
        return start <= self.start and self.end <= end


@dataclass
class TextView:
    """Text, tokens and backend entities, with the lookups every rule needs."""

    text: str
    analysis: Analysis
    lexicons: Lexicons
    gazetteer: Gazetteer
    skip: tuple[tuple[int, int], ...] = ()
    datelines: tuple[tuple[int, int], ...] = ()  # furniture but for the place a report came from
    # what the rules computed for this text and ask for again (head matches)
    memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        return self.analysis.tokens

    @cached_property
    def _token_starts(self) -> list[int]:
        return [token.start for token in self.tokens]

    @cached_property
    def starts(self) -> frozenset[int]:
        return frozenset(self._token_starts)

    @cached_property
    def ends(self) -> frozenset[int]:
        return frozenset(token.end for token in self.tokens)

    def token_index(self, position: int) -> int:
        """Index of the token that holds character ``position``."""
        return max(0, bisect_right(self._token_starts, position) - 1)

    def word(self, index: int) -> str:
        token = self.tokens[index]
        return self.text[token.start : token.end]

    def tag(self, index: int) -> str:
        return self.tokens[index].tag

    @cached_property
    def backend_labels(self) -> dict[tuple[int, int], str]:
        return {(e.start, e.end): e.label for e in self.analysis.entities}

    @cached_property
    def _skip_spans(self) -> Spans:
        return Spans(self.skip)

    @cached_property
    def _dateline_spans(self) -> Spans:
        return Spans(self.datelines)

    def skipped(self, start: int, end: int, label: str = "") -> bool:
        """Inside a byline or other page furniture (:mod:`.furniture`), or inside a dateline
        unless a place of the gazetteer (上海 in 中新网上海11月8日电: where the report came
        from)."""
        if not self.skip and not self.datelines:
            return False
        if self._skip_spans.touches(start, end):
            return True  # no name runs into furniture either
        place = label == "LOC" and self.text[start:end] in self.gazetteer
        return not place and self._dateline_spans.touches(start, end)

    @cached_property
    def titles(self) -> dict[int, int]:
        """Titles (副总经理, 常务副校长, 执行院长) at token boundaries, as end → start; nested ones skipped."""
        found: dict[int, int] = {}
        covered = -1
        first_chars = self.lexicons.title_first_chars
        for start in sorted(self.starts):
            if start < covered or self.text[start] not in first_chars:
                continue
            for length in range(7, 1, -1):
                end = start + length
                if end in self.ends and self.lexicons.is_title(self.text[start:end]):
                    found[end] = start
                    covered = end
                    break
        return found

    @cached_property
    def document_titles(self) -> tuple[tuple[int, int], ...]:
        """The insides of the titles of documents in 《》 (…协议书, …公告; not books or papers)."""
        words = self.lexicons.document_words
        return tuple(
            (m.start(1), m.end(1))
            for m in BOOK_TITLE.finditer(self.text)
            if longest_suffix(m.group(1).rstrip("）)"), words) is not None
        )

    @cached_property
    def title_starts(self) -> frozenset[int]:
        return frozenset(self.titles.values())

    def is_place(self, word: str) -> bool:
        return word in self.gazetteer

    def place_prefix(self, word: str) -> int:
        """Length of the longest gazetteer place ``word`` starts with (0 if none)."""
        if not self.gazetteer.may_start(word[:2]):
            return 0
        for length in range(min(len(word), 12), 1, -1):
            if word[:length] in self.gazetteer:
                return length
        return 0

    @cached_property
    def _sentence_ends(self) -> list[int]:
        """Where each sentence end mark stands, in order (found once; rules ask for many sentences)."""
        return [match.start() for match in SENTENCE_END.finditer(self.text)]

    def sentence_bounds(self, position: int) -> tuple[int, int]:
        """The sentence (ended by 。！？；or a line break) around ``position``."""
        ends = self._sentence_ends
        index = bisect_left(ends, position)  # the first mark at or after ``position``
        start = ends[index - 1] + 1 if index else 0
        end = ends[index] + 1 if index < len(ends) else len(self.text)
        return start, end


def has_anchor(view: TextView, start: int, end: int) -> bool:
    """Does ``text[start:end]`` carry something that makes a phrase a name, not a description?

    Anchors: a quotation, Latin letters or digits, a place, or a token the
    backend tagged as a place, organization or person.
    """
    segment = view.text[start:end]
    if any(q in segment for q in OPEN_QUOTES + "《") or re.search(r"[A-Za-z0-9]", segment):
        return True
    for index in range(view.token_index(start), len(view.tokens)):
        token = view.tokens[index]
        if token.start >= end:
            break
        if token.start < start or token.end > end:
            continue  # a token reaching outside (the head's own token) proves nothing
        word = view.text[token.start : token.end]
        if token.tag in {"LOC", "ORG", "PER"} or view.place_prefix(word) or word in PLACE_REFERENCES:
            return True
    return False


# Words that refer to a place by its level in context (自治区党委, 市卫健委).
PLACE_REFERENCES = frozenset({"自治区", "省", "市", "区", "县", "州"})


def positions_after(text: str, word: str) -> list[int]:
    """The end of every occurrence of ``word`` in ``text``, overlapping ones included.

    Rules look for a word followed by something (``positions_after`` then a
    compiled pattern's ``match(text, position)``) rather than building a
    pattern around each word: a regular expression per entity name is
    compiled anew for most names, which cost more than all the rest of the
    relation rules.
    """
    ends = []
    index = text.find(word) if word else -1
    while index >= 0:
        ends.append(index + len(word))
        index = text.find(word, index + 1)
    return ends


class Spans:
    """Spans of a text, answering "is ``start:end`` inside one of them?" by bisection.

    Rules ask it for every cue of a text; scanning every mention each time
    made long texts quadratic.
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._reach = list(accumulate((end for _, end in ordered), max))  # furthest end so far

    def covers(self, start: int, end: int) -> bool:
        before = bisect_right(self._starts, start)
        return before > 0 and self._reach[before - 1] >= end

    def touches(self, start: int, end: int) -> bool:
        """Does ``start:end`` overlap one of the spans (inside it or across its edge)?"""
        before = bisect_left(self._starts, end)
        return before > 0 and self._reach[before - 1] > start
