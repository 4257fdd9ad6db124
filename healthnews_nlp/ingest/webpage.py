"""A whole web page read as an article: headline, main text and metadata, every character mapped.

The project's HTML reader (:func:`~healthnews_nlp.ingest.html.html_to_text`) turns the page
into text lines with the offset of every character; readability-lxml
(:mod:`~healthnews_nlp.ingest.maintext`) says which lines are the article; the page's tags
(:mod:`~healthnews_nlp.ingest.metadata`) give the headline, date, canonical URL and site. The
text is the headline on its first line, then the article's lines, each mapped to the raw page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from healthnews_nlp.ingest.builder import TextBuilder
from healthnews_nlp.ingest.html import html_to_text
from healthnews_nlp.ingest.maintext import article_lines
from healthnews_nlp.ingest.metadata import (
    Headline,
    PageLine,
    choose_headline,
    fold,
    page_date,
    page_site,
    prefix_length,
    read_meta,
)
from healthnews_nlp.ingest.offsets import OffsetMap

_WHOLE_PAGE = re.compile(r"<(?:html|head|body|title)\b", re.IGNORECASE)
SNIFF_CHARS = 1 << 16
DATELINE_BEFORE = 5
"""Lines before the article searched for its dateline when the headline is not on the page."""


@dataclass(frozen=True)
class WebPage:
    """A page's article: ``text`` (headline line first) mapped by ``offsets``, and its metadata."""

    text: str
    offsets: OffsetMap
    title: str | None
    date: datetime | None
    url: str | None
    site: str | None
    image_urls: tuple[str, ...]

    def metadata(self) -> dict[str, Any]:
        """Title, date, URL, site and image URLs, by the names articles give them."""
        names = ("title", "date", "url", "site", "image_urls")
        return {name: getattr(self, name) for name in names}


def is_whole_page(markup: str) -> bool:
    """A page with a head or body, not a fragment (a feed's HTML field, a Hexo post's body)."""
    return _WHOLE_PAGE.search(markup, 0, SNIFF_CHARS) is not None


def read_page(markup: str) -> WebPage:
    """The article of the whole page ``markup``, its offsets pointing into ``markup``."""
    text, offsets, images = html_to_text(markup)
    spans = _line_spans(text)
    lines = [PageLine(text[s:e], offsets.char_span(s)[0]) for s, e in spans]
    meta = read_meta(markup)
    headline = choose_headline(meta, lines)
    keep = article_lines(markup, [line.text for line in lines]) or [True] * len(lines)
    builder = TextBuilder()
    first = 0
    if headline is not None:
        _add_headline(builder, headline, markup, text, offsets, spans)
        # the article starts under its headline, unless the page puts the headline last
        below = headline.line + 1 if headline.line is not None else 0
        first = below if any(keep[below:]) else 0
    for index in range(first, len(spans)):
        if keep[index]:
            start, end = spans[index]
            builder.newline(*offsets.char_span(start))
            builder.add_mapped(text[start:end], offsets.slice(start, end))
    page_text, page_offsets = builder.build()
    return WebPage(
        text=page_text,
        offsets=page_offsets,
        title=headline.text if headline else None,
        date=page_date(meta, lines, _headline_line(headline, lines, keep)),
        url=meta.url,
        site=page_site(meta, headline),
        image_urls=tuple(images),
    )


def _headline_line(
    headline: Headline | None, lines: Sequence[PageLine], keep: Sequence[bool]
) -> int | None:
    """The line the dateline is looked for after: the headline's, else a few before the article."""
    if headline is not None and headline.line is not None:
        return headline.line
    if headline is not None:
        folded = fold(headline.text)
        shown = next((i for i, line in enumerate(lines) if fold(line.text) == folded), None)
        if shown is not None:
            return shown
    first = next((i for i, kept in enumerate(keep) if kept), None)
    return None if first is None else max(-1, first - 1 - DATELINE_BEFORE)


def _line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-blank line of ``text``."""
    spans = []
    position = 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((position, position + len(line)))
        position += len(line) + 1
    return spans


def _add_headline(
    builder: TextBuilder,
    headline: Headline,
    markup: str,
    text: str,
    offsets: OffsetMap,
    spans: Sequence[tuple[int, int]],
) -> None:
    """Put the headline first: the page line it is, or the part of the title tag it was cut from."""
    if headline.line is not None:
        start, end = spans[headline.line]
        builder.add_mapped(text[start:end], offsets.slice(start, end))
        return
    assert headline.stated is not None
    stated = headline.stated
    value, value_offsets = html_to_text(markup[stated.start : stated.end], base=stated.start)[:2]
    length = prefix_length(value, fold(headline.text))
    builder.add_mapped(value[:length], value_offsets.slice(0, length))
