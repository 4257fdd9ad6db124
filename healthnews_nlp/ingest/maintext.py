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

    Of all such choices of the longer lines, the one covering most characters:
    a line that also occurs elsewhere (a summary repeating the first paragraph)
    cannot push the lines around it out. A short line (``分享``, a ``9`` that is
    also a digit of ``9月9日``) counts only where it fills the place between the
    lines kept around it (:data:`SHORT_LINE`, :data:`GAP`).
    """
    texts = [fold(line) for line in lines]
    chain = _best_chain([i for i, t in enumerate(texts) if len(t) > SHORT_LINE], texts, kept)
    chosen = [False] * len(lines)
    for index, _, _ in chain:
        chosen[index] = True
    _fill_short_lines(texts, kept, chain, chosen)
    return chosen


def _fill_short_lines(
    texts: Sequence[str], kept: str, chain: Sequence[tuple[int, int, int]], chosen: list[bool]
) -> None:
    """Keep each short line found right after the line kept before it, before the next one."""
    ends = {index: end for index, _, end in chain}
    starts = [(index, start) for index, start, _ in chain]
    following = 0  # the next line of the chain, by position in ``starts``
    previous_end: int | None = None
    for index, text in enumerate(texts):
        while following < len(starts) and starts[following][0] <= index:
            following += 1
        if chosen[index]:
            previous_end = ends[index]
            continue
        if not text or len(text) > SHORT_LINE:
            continue
        next_start = starts[following][1] if following < len(starts) else len(kept)
        after = 0 if previous_end is None else previous_end
        found = kept.find(text, after, min(after + GAP + len(text), next_start))
        before_any = previous_end is None and next_start - (found + len(text)) > GAP
        if found >= 0 and not before_any:
            chosen[index] = True
            previous_end = found + len(text)


def _best_chain(
    candidates: Sequence[int], texts: Sequence[str], kept: str
) -> list[tuple[int, int, int]]:
    """``(line, start, end)`` in ``kept``: lines and places increasing, the most characters.

    A weighted longest increasing chain: each occurrence extends the best chain
    ending at or before its start (a prefix maximum over end positions, kept in
    a Fenwick tree), so the cost is the number of occurrences times log(len(kept)).
    """
    places = _occurrences(kept, [texts[i] for i in candidates])
    tree = _PrefixMax(len(kept) + 1)
    items: list[tuple[int, int, int, int, int]] = []  # line, start, end, score, previous item
    for index in candidates:
        text = texts[index]
        found = []
        for start in places.get(text, []):
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


def _occurrences(kept: str, texts: Sequence[str]) -> dict[str, list[int]]:
    """Where each of ``texts`` (all longer than :data:`SHORT_LINE`) starts in ``kept``.

    One pass over ``kept`` finds where their beginnings occur; each place is
    then checked whole. At most :data:`MAX_OCCURRENCES` places a text.
    """
    width = SHORT_LINE + 1
    wanted = {text[:width] for text in texts}
    heads: dict[str, list[int]] = {}
    for position in range(len(kept) - width + 1):
        head = kept[position : position + width]
        if head in wanted:
            heads.setdefault(head, []).append(position)
    places: dict[str, list[int]] = {}
    for text in set(texts):
        found = [p for p in heads.get(text[:width], []) if kept.startswith(text, p)]
        places[text] = found[:MAX_OCCURRENCES]
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
