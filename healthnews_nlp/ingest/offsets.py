"""OffsetMap: where every character of a derived text came from.

A map is a sorted list of segments ``(start, end, src_start, src_end)`` that
tile the derived text. When a segment and its source span have the same length
the characters correspond one to one (copied or converted character by
character); otherwise the whole segment stands for the whole source span (an
HTML entity, a line break made from ``<br>``, a phrase OpenCC rewrote with a
different length). Piecewise segments keep the map small for large files and
make composition exact: the map of the last cleaning step composed with the
maps of the steps before it gives, for each clean character, its span in the
raw file.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, field_validator

Segment = tuple[int, int, int, int]


class OffsetMap(BaseModel):
    """Piecewise map from a derived text back to the text it was made from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    segments: tuple[Segment, ...] = ()

    @field_validator("segments")
    @classmethod
    def _tiles_the_text(cls, segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
        position = 0
        for start, end, src_start, src_end in segments:
            if start != position or end <= start or src_end < src_start:
                raise ValueError(f"segments must tile the text without gaps: {segments[:3]}...")
            position = end
        return segments

    @property
    def length(self) -> int:
        """Length of the derived text the map covers."""
        return self.segments[-1][1] if self.segments else 0

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        """The map of a text to itself."""
        return cls(segments=((0, length, 0, length),) if length else ())

    @classmethod
    def from_pieces(cls, pieces: Iterable[tuple[int, int, int]]) -> OffsetMap:
        """Build a map from ``(derived_length, src_start, src_end)`` pieces laid end to end.

        Adjacent one-to-one pieces that continue each other are merged, so a
        builder may append character by character without bloating the map.
        """
        segments: list[Segment] = []
        position = 0
        for length, src_start, src_end in pieces:
            if length <= 0:
                continue
            if segments:
                start, end, prev_src_start, prev_src_end = segments[-1]
                linear = end - start == prev_src_end - prev_src_start
                if linear and length == src_end - src_start and src_start == prev_src_end:
                    segments[-1] = (start, end + length, prev_src_start, src_end)
                    position += length
                    continue
            segments.append((position, position + length, src_start, src_end))
            position += length
        return cls(segments=tuple(segments))

    def _segment_index(self, position: int) -> int:
        index = bisect_right(self._starts, position) - 1
        if index < 0 or position >= self.segments[index][1]:
            raise IndexError(f"offset {position} outside the mapped text of length {self.length}")
        return index

    @property
    def _starts(self) -> list[int]:
        cached: list[int] | None = self.__dict__.get("_starts_cache")
        if cached is None:
            cached = [segment[0] for segment in self.segments]
            # frozen model: cache through __dict__, not attribute assignment
            self.__dict__["_starts_cache"] = cached
        return cached

    def char_span(self, position: int) -> tuple[int, int]:
        """Source span of the single derived character at ``position``."""
        start, end, src_start, src_end = self.segments[self._segment_index(position)]
        if end - start == src_end - src_start:
            offset = src_start + position - start
            return offset, offset + 1
        return src_start, src_end

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source span covering the derived characters ``start:end``.

        The smallest span holding the source of every character in the range,
        not just the first character's start and the last one's end: after
        composition a character inserted inside a block (a source span of
        length zero) can sit before the end of the character ahead of it.
        """
        if not 0 <= start <= end <= self.length:
            raise IndexError(f"span {start}:{end} outside the mapped text of length {self.length}")
        if start == end:
            if start == self.length:
                last = self.segments[-1][3] if self.segments else 0
                return last, last
            src = self.char_span(start)[0]
            return src, src
        low, high = self.char_span(start)
        for index in range(self._segment_index(start), self._segment_index(end - 1) + 1):
            seg_start, seg_end, src_start, src_end = self.segments[index]
            if seg_end - seg_start == src_end - src_start:
                shift = src_start - seg_start
                src_start, src_end = max(start, seg_start) + shift, min(end, seg_end) + shift
            low, high = min(low, src_start), max(high, src_end)
        return low, high

    def slice(self, start: int, end: int) -> OffsetMap:
        """The map of the derived characters ``start:end`` alone, counted from 0.

        A block segment cut by the range keeps its whole source span.
        """
        if start >= end:
            return OffsetMap()
        pieces: list[tuple[int, int, int]] = []
        for index in range(self._segment_index(start), self._segment_index(end - 1) + 1):
            seg_start, seg_end, src_start, src_end = self.segments[index]
            low, high = max(start, seg_start), min(end, seg_end)
            if seg_end - seg_start == src_end - src_start:
                shift = src_start - seg_start
                src_start, src_end = low + shift, high + shift
            pieces.append((high - low, src_start, src_end))
        return OffsetMap.from_pieces(pieces)

    def compose(self, earlier: OffsetMap) -> OffsetMap:
        """Map this text back through ``earlier`` (which maps this map's source further back)."""
        pieces: list[tuple[int, int, int]] = []
        for start, end, src_start, src_end in self.segments:
            if end - start != src_end - src_start:
                pieces.append((end - start, *earlier.source_span(src_start, src_end)))
                continue
            # one-to-one segment: split it where the earlier map's segments split
            position = src_start
            while position < src_end:
                index = earlier._segment_index(position)
                e_start, e_end, e_src_start, e_src_end = earlier.segments[index]
                stop = min(src_end, e_end)
                if e_end - e_start == e_src_end - e_src_start:
                    shift = e_src_start - e_start
                    pieces.append((stop - position, position + shift, stop + shift))
                else:
                    pieces.extend((1, e_src_start, e_src_end) for _ in range(stop - position))
                position = stop
        return OffsetMap.from_pieces(pieces)
