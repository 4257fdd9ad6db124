"""Which text lines of a whole web page are its article: readability-lxml decides.

readability-lxml (a port of Mozilla's Readability, maintained on PyPI) scores the page's
blocks and keeps the article's; measured on the Chinese fixture pages of ``tests/data/pages``
it kept every first and last body sentence and one furniture line in all 25 pages, where
trafilatura kept 13 and jusText 6 (README, "Web pages and crawls"). It rebuilds its own
markup, so its output cannot say where a character came from; the project's reader does
that. Its text is only used to choose: each line of the reader's text is kept when it is
found, in order, in the text readability kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from healthnews_nlp.ingest.metadata import fold

logger = logging.getLogger("healthnews_nlp")

SHORT_LINE = 8
"""A line this short (``分享``, ``首页``) is kept only where readability's text goes on from
the previous kept line, not wherever it happens to occur."""
GAP = 40
"""Characters of readability's text that may lie between two kept lines (a caption it kept,
a line the reader split differently) before a short line no longer counts as following."""
MAX_OCCURRENCES = 50
"""Places one line is looked for in readability's text (a short line may occur everywhere)."""
MIN_ARTICLE = 20
"""Fewer characters than this kept: readability found no article; the whole page is read."""


def article_lines(markup: str, lines: Sequence[str]) -> list[bool] | None:
    """For each of the page's text ``lines``, whether it belongs to the article.

    None when readability finds no article or fails on the page: the
    caller then keeps the whole text, as for a page fragment.
    """
    kept = _readability_text(markup)
    if kept is None or len(kept) < MIN_ARTICLE:
        return None
    chosen = align(lines, kept)
    if sum(len(fold(line)) for line, keep in zip(lines, chosen, strict=True) if keep) < MIN_ARTICLE:
        return None
    return chosen


def align(lines: Sequence[str], kept: str) -> list[bool]:
    """Mark the ``lines`` that occur in ``kept`` in order and without overlap (whitespace ignored).

    Of all such choices, the one covering most characters: a line that also
    occurs elsewhere (a summary repeating the first paragraph, a ``9`` that
    is also a digit of ``9月9日``) cannot push the lines around it out. A short
    line counts only right after the line before it (:data:`SHORT_LINE`, :data:`GAP`).
    """
    matches = _best_chain([fold(line) for line in lines], kept)
    chosen = [False] * len(lines)
    previous_end = 0
    for index, start, end in matches:
        if end - start > SHORT_LINE or start - previous_end <= GAP:
            chosen[index] = True
            previous_end = end
    return chosen


def _best_chain(texts: Sequence[str], kept: str) -> list[tuple[int, int, int]]:
    """``(line, start, end)`` in ``kept``: lines and places increasing, the most characters.

    A weighted longest increasing chain: each occurrence extends the best chain
    ending at or before its start (a prefix maximum over end positions, kept in
    a Fenwick tree), so the cost is the number of occurrences times log(len(kept)).
    """
    tree = _PrefixMax(len(kept) + 1)
    items: list[tuple[int, int, int, int, int]] = []  # line, start, end, score, previous item
    for index, text in enumerate(texts):
        found = []
        for start in _occurrences(kept, text):
            score, previous = tree.best(start)
            found.append((index, start, start + len(text), score + len(text), previous))
        for item in found:  # after the whole line: a line does not follow itself
            items.append(item)
            tree.offer(item[2], item[3], len(items) - 1)
    chain = []
    position = max(range(len(items)), key=lambda i: items[i][3], default=-1)
    while position >= 0:
        index, start, end, _, position = items[position]
        chain.append((index, start, end))
    return chain[::-1]


def _occurrences(kept: str, text: str) -> list[int]:
    """Where ``text`` starts in ``kept``, at most :data:`MAX_OCCURRENCES` places."""
    places: list[int] = []
    found = kept.find(text) if text else -1
    while found >= 0 and len(places) < MAX_OCCURRENCES:
        places.append(found)
        found = kept.find(text, found + 1)
    return places


class _PrefixMax:
    """Fenwick tree of (score, item) by end position: the best chain ending at or before a place."""

    def __init__(self, size: int) -> None:
        self._tree = [(0, -1)] * (size + 1)

    def offer(self, end: int, score: int, item: int) -> None:
        position = end + 1
        while position < len(self._tree):
            if score > self._tree[position][0]:
                self._tree[position] = (score, item)
            position += position & -position

    def best(self, end: int) -> tuple[int, int]:
        position = end + 1
        best = (0, -1)
        while position > 0:
            if self._tree[position][0] > best[0]:
                best = self._tree[position]
            position -= position & -position
        return best


def _readability_text(markup: str) -> str | None:
    """The text readability keeps for the article, without whitespace; None when it fails."""
    import lxml.html
    from readability import Document

    try:
        summary = Document(markup).summary(html_partial=True)
        return fold(lxml.html.fromstring(summary).text_content())
    except Exception as error:  # noqa: BLE001  any parser failure means "no article found"
        logger.debug("readability found no article: %s: %s", type(error).__name__, error)
        return None
