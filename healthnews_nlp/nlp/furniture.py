"""Page furniture inside an article's text: where the recognizer takes no entity.

Ingest drops whole lines of navigation and copyright and marks the dateline of
the first paragraph; the rest of a page's furniture sits among the story's
lines: a source line (来源：北京大学新闻网), a byline in brackets (（通讯员 韩冬野）),
a dateline in any paragraph, a media name before 讯, a link, the list of other
articles at the end of a page. The names in them are not entities of the story
(the guidelines' page furniture and "media named only as the source of a report").

The text is not changed: these are spans that the recognizer skips, found by
the patterns of ``resources/furniture_spans.tsv`` (see its header for the format).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = ("span", "footer", "dateline")


@dataclass(frozen=True)
class Furniture:
    """Where the recognizer takes no entity (``skip``), or only places (``datelines``)."""

    skip: tuple[tuple[int, int], ...] = ()
    datelines: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class FurniturePattern:
    """One line of ``furniture_spans.tsv``: a kind and its compiled pattern."""

    kind: str
    pattern: re.Pattern[str]

    @classmethod
    def parse(cls, line: str) -> FurniturePattern:
        """``KIND<TAB>REGEX``; a clear error names a bad kind or a bad pattern."""
        kind, _, regex = line.partition("\t")
        if kind not in KINDS or not regex:
            raise ValueError(
                f"furniture_spans.tsv: expected KIND<TAB>REGEX with KIND in {KINDS}: {line!r}"
            )
        try:
            return cls(kind, re.compile(regex, re.MULTILINE))
        except re.error as error:
            raise ValueError(f"furniture_spans.tsv: bad pattern {regex!r}: {error}") from error


def furniture_spans(text: str, patterns: Iterable[FurniturePattern]) -> Furniture:
    """The page furniture of ``text``, spans in order (they may overlap)."""
    skip, datelines = [], []
    for furniture in patterns:
        for match in furniture.pattern.finditer(text):
            start, end = match.span(1) if furniture.pattern.groups else match.span()
            if furniture.kind == "footer":
                end = len(text)
            if end > start:
                (datelines if furniture.kind == "dateline" else skip).append((start, end))
    return Furniture(tuple(sorted(skip)), tuple(sorted(datelines)))
