"""Visible text of an HTML fragment or page, with the offset of every character.

Built on the standard library's tokenizer (``html.parser``), which never
builds a tree, never fetches anything and never expands external entities, so
deep nesting, unclosed tags and hostile markup cost linear time. Block
elements and ``<br>`` become line breaks; inline elements such as ``<a>`` keep
their text in place; images, scripts, styles and other non-text elements are
dropped.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

from healthnews_nlp.ingest.builder import TextBuilder
from healthnews_nlp.ingest.offsets import OffsetMap

BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption center dd details dialog div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol "
    "p pre section summary table tbody td tfoot th thead tr ul".split()
)
# ``head`` is not skipped as a whole: HTML lets a page omit ``</head>``, and skipping until a
# closing tag that never comes would drop the whole body. Its text-bearing children
# (``title``, ``script``, ``style``) are skipped on their own.
SKIPPED_TAGS = frozenset("script style noscript template title svg math iframe object".split())
# The end of a DOCTYPE's internal subset, looked for within a bounded window so that many
# unclosed subsets cost linear time.
_SUBSET_END = re.compile(r"\]\s*>")
_SUBSET_LIMIT = 1 << 14


class _VisibleText(HTMLParser):
    def __init__(self, source: str, base: int) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._base = base
        self._line_starts = [0]
        for index, char in enumerate(source):
            if char == "\n":
                self._line_starts.append(index + 1)
        self._skip_depth = 0
        self.builder = TextBuilder()
        self.image_urls: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _tag_span(self) -> tuple[int, int]:
        start = self._offset()
        text = self.get_starttag_text()
        length = len(text) if text and self._source.startswith(text, start) else 1
        return self._base + start, self._base + start + length

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag == "img":
            self.image_urls.extend(v for k, v in attrs if k == "src" and v)
        if tag in BLOCK_TAGS and not self._skip_depth:
            self.builder.newline(*self._tag_span())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            return
        if tag == "img":
            self.image_urls.extend(v for k, v in attrs if k == "src" and v)
        if tag in BLOCK_TAGS and not self._skip_depth:
            self.builder.newline(*self._tag_span())

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in BLOCK_TAGS and not self._skip_depth:
            start = self._offset()
            end = self._source.find(">", start) + 1 or len(self._source)
            self.builder.newline(self._base + start, self._base + end)

    def handle_data(self, data: str) -> None:
        if self._skip_depth or not data:
            return
        start = self._base + self._offset()
        self.builder.add(data, start, start + len(data))

    def _reference(self, decoded: str, raw_length: int) -> None:
        if self._skip_depth:
            return
        start = self._base + self._offset()
        end = start + raw_length
        if self._source.startswith(";", end - self._base):
            end += 1
        self.builder.add(decoded, start, end)

    def parse_html_declaration(self, i: int) -> int:
        """Skip a DOCTYPE whole, internal subset included.

        The standard tokenizer ends ``<!DOCTYPE x [<!ENTITY a "b">]>`` at the
        first ``>``, so the rest of the subset would show as text. Its entity
        declarations are never used either way: references to them stay as
        written (``&a;``), as they would in a browser.
        """
        raw = self.rawdata
        close = raw.find(">", i + 9)
        bracket = raw.find("[", i + 9, close if close >= 0 else len(raw))
        if raw[i : i + 9].lower() == "<!doctype" and bracket >= 0:
            end = _SUBSET_END.search(raw, bracket + 1, bracket + 1 + _SUBSET_LIMIT)
            if end is not None:
                return end.end()
        return int(super().parse_html_declaration(i))

    def close(self) -> None:
        """End the document; a comment never closed runs to its end, as in a browser.

        The standard tokenizer flushes what it still holds as text, so an
        unterminated ``<!--`` made the rest of the page (megabytes of it) article text.
        """
        if self.rawdata.startswith("<!--"):
            self.rawdata = ""
        super().close()

    def handle_entityref(self, name: str) -> None:
        reference = f"&{name};"
        decoded = html_lib.unescape(reference)
        closed = self._source.startswith(";", self._offset() + len(name) + 1)
        if decoded == reference and not closed:
            decoded = f"&{name}"  # no such entity, no ';': the text as written (AT&T), as browsers
        self._reference(decoded, len(name) + 1)

    def handle_charref(self, name: str) -> None:
        self._reference(html_lib.unescape(f"&#{name};"), len(name) + 2)


def html_to_text(source: str, *, base: int = 0) -> tuple[str, OffsetMap, list[str]]:
    """Visible text of ``source``, its map to ``base + offset`` in the file, and image URLs."""
    parser = _VisibleText(source, base)
    parser.feed(source)
    parser.close()
    text, offsets = parser.builder.build()
    return text, offsets, parser.image_urls
