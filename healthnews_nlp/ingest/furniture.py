"""Page furniture: what a news page prints around an article, found line by line and removed.

The patterns are in ``resources/page_furniture.tsv``, of four kinds:

- ``mark``: a phrase that is furniture wherever it stands (an ICP licence or a
  police registration number, a copyright notice, a reprint disclaimer). It is
  cut out of its line, never more: the text around it stays.
- ``line``, ``footer``, ``site``: a whole line that is furniture (a breadcrumb,
  a share widget, an editor's line, a site name standing alone).

One rule keeps text safe from all of them: **a line that holds a sentence** (a
run of text ended by 。！？!?) **is text**. Only its marks are cut; no pattern
drops it, whatever else it holds. A line without a sentence is furniture when
a ``line``, ``footer`` or ``site`` pattern matches it whole, or when it held a
mark (what is left of it is the rest of a footer: brackets, a phone number).
A footer line (``footer``, or a line that held a mark) starts the end matter of
a page: the lines after it that hold no sentence (related links, contact lines)
are furniture too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from healthnews_nlp.resources import read_lines

__all__ = ["Furniture", "LinePlan", "holds_sentence", "load_furniture", "plan_lines"]

#: What ends a sentence.
SENTENCE_END = re.compile("[。！？!?]")
#: Brackets a mark may stand in (``[京ICP证040655号]``); they go with it.
BRACKETS = {"[": "]", "【": "】", "（": "）", "(": ")"}


def holds_sentence(line: str) -> bool:
    """Does ``line`` hold a sentence (text ended by 。！？!?)? Such a line is never dropped whole.

    The pieces before each end mark are looked at once each: a regular expression for "text,
    then an end mark" tried at every position of a long line without one is quadratic.
    """
    *ended, _ = SENTENCE_END.split(line)
    return any(not piece.isspace() and piece for piece in ended)


@dataclass(frozen=True)
class Furniture:
    """The furniture patterns, by kind (see the module's docstring)."""

    line: tuple[re.Pattern[str], ...]
    footer: tuple[re.Pattern[str], ...]
    site: tuple[re.Pattern[str], ...]
    mark: tuple[re.Pattern[str], ...]

    def whole_line(self, line: str) -> str | None:
        """``footer``, ``line`` or ``site`` when a pattern of that kind matches all of ``line``."""
        for kind in ("footer", "line", "site"):
            if any(pattern.fullmatch(line) for pattern in getattr(self, kind)):
                return kind
        return None

    def marks(self, line: str) -> list[tuple[int, int]]:
        """The spans of ``line`` to cut: each mark with its brackets and the spaces beside it, merged."""
        spans = sorted(
            _widened(line, *match.span())
            for pattern in self.mark
            for match in pattern.finditer(line)
            if match.end() > match.start()
        )
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


def _widened(line: str, start: int, end: int) -> tuple[int, int]:
    """A mark's span with the brackets around it, the spaces after it, and before it at the line's end."""
    if start > 0 and end < len(line) and BRACKETS.get(line[start - 1]) == line[end]:
        start, end = start - 1, end + 1
    while end < len(line) and line[end].isspace():
        end += 1
    if end == len(line):
        while start > 0 and line[start - 1].isspace():
            start -= 1
    return start, end


@lru_cache(maxsize=1)
def load_furniture() -> Furniture:
    """The patterns of ``resources/page_furniture.tsv``, compiled once."""
    patterns: dict[str, list[re.Pattern[str]]] = {"line": [], "footer": [], "site": [], "mark": []}
    for entry in read_lines("page_furniture.tsv"):
        kind, _, regex = entry.partition("\t")
        patterns[kind].append(re.compile(regex))
    return Furniture(*(tuple(patterns[k]) for k in ("line", "footer", "site", "mark")))


@dataclass(frozen=True)
class LinePlan:
    """What furniture removal keeps of a text, line by line.

    ``lines`` are the text's lines with their marks cut; ``ranges`` the spans of
    the text each of them is made of; ``keep`` whether the line stays;
    ``found`` whether any furniture was found.
    """

    lines: list[str]
    ranges: list[list[tuple[int, int]]]
    starts: list[int]
    keep: list[bool]
    found: bool


def plan_lines(text: str, furniture: Furniture | None = None) -> LinePlan:
    """Which lines of ``text`` (and which parts of them) are furniture; see the module's docstring."""
    furniture = furniture or load_furniture()
    lines: list[str] = []
    ranges: list[list[tuple[int, int]]] = []
    starts: list[int] = []
    keep: list[bool] = []
    found = footer_seen = False
    position = 0
    for raw in text.split("\n"):
        cuts = furniture.marks(raw)
        kept = _between(cuts, len(raw))
        line = "".join(raw[a:b] for a, b in kept)
        kind = None if holds_sentence(line) else _line_kind(furniture, line, bool(cuts), footer_seen)
        footer_seen = footer_seen or kind == "footer"
        found = found or bool(cuts) or kind is not None
        lines.append(line)
        ranges.append([(position + a, position + b) for a, b in kept])
        starts.append(position)
        keep.append(kind is None)
        position += len(raw) + 1
    return LinePlan(lines, ranges, starts, keep, found)


def _line_kind(furniture: Furniture, line: str, marked: bool, footer_seen: bool) -> str | None:
    """The furniture kind of a line that holds no sentence, or None when it is text."""
    if marked or footer_seen:
        return "footer"
    return furniture.whole_line(line)


def _between(cuts: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The spans of ``0:length`` outside ``cuts`` (sorted, not overlapping)."""
    kept: list[tuple[int, int]] = []
    position = 0
    for start, end in cuts:
        if start > position:
            kept.append((position, start))
        position = end
    if position < length:
        kept.append((position, length))
    return kept
