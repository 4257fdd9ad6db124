"""Build a derived text piece by piece while recording where each piece came from."""

from __future__ import annotations

from healthnews_nlp.ingest.offsets import OffsetMap


class TextBuilder:
    """Accumulates text pieces with their source spans; yields the text and its OffsetMap.

    A piece whose length equals its source span's length maps character by
    character; any other piece (a decoded entity, a newline standing for a
    ``<p>`` tag) maps as a block to its whole source span.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pieces: list[tuple[int, int, int]] = []
        self._last_char = ""

    def add(self, text: str, src_start: int, src_end: int) -> None:
        """Append ``text``, which came from ``source[src_start:src_end]``."""
        if text:
            self._parts.append(text)
            self._pieces.append((len(text), src_start, src_end))
            self._last_char = text[-1]

    def add_copy(self, source: str, start: int, end: int) -> None:
        """Append ``source[start:end]`` unchanged."""
        self.add(source[start:end], start, end)

    def add_mapped(self, text: str, offsets: OffsetMap) -> None:
        """Append ``text`` whose characters ``offsets`` already maps to the source."""
        for start, end, src_start, src_end in offsets.segments:
            self.add(text[start:end], src_start, src_end)

    def extend(self, other: TextBuilder) -> TextBuilder:
        """Append everything ``other`` holds; returns self for chaining."""
        for part, piece in zip(other._parts, other._pieces):
            self.add(part, piece[1], piece[2])
        return self

    def newline(self, src_start: int, src_end: int) -> None:
        """End the current line (once: repeated breaks collapse into one)."""
        if self._parts and self._last_char != "\n":
            self.add("\n", src_start, src_end)

    def build(self) -> tuple[str, OffsetMap]:
        """The text built so far and the map back to the source."""
        return "".join(self._parts), OffsetMap.from_pieces(self._pieces)
