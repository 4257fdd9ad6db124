"""Cleaning a text into simplified Chinese while keeping every character traceable.

Each step is a function from a text to ``(new_text, OffsetMap)``; :func:`clean`
runs them in order and composes their maps, so the final map points into the
text the caller passed in (and, composed once more by the reader, into the raw
file). The steps:

1. strip inline pinyin annotations: ``醫(yī)療`` → ``醫療`` (tone-marked syllables
   only, so ``輝瑞(Pfizer)`` stays);
2. convert traditional to simplified with OpenCC ``t2s`` and fix what its
   character table misses (``resources/t2s_fixes.tsv``);
3. normalise: drop zero-width characters, full-width letters and digits to
   ASCII, collapse runs of spaces, trim lines and drop empty ones. Chinese
   punctuation is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from healthnews_nlp.ingest.offsets import OffsetMap
from healthnews_nlp.resources import read_lines

if TYPE_CHECKING:
    import opencc

Step = Callable[[str], tuple[str, OffsetMap]]

_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_SYLLABLE = rf"[a-zü]*[{_TONE_VOWELS}][a-zü{_TONE_VOWELS}]*"
PINYIN_ANNOTATION = re.compile(rf"[(（]{_PINYIN_SYLLABLE}(?:\s+{_PINYIN_SYLLABLE})*[)）]")

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]+")
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_EDGES = re.compile(r"(?m)^ +| +$")
_BLANK_LINES = re.compile(r"\n{2,}")
_LEADING_NEWLINES = re.compile(r"\A\n+|\n+\Z")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_FULLWIDTH_ALNUM = {
    code: code - 0xFEE0
    for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}

Script = Literal["simplified", "traditional"]


def substitute(text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> tuple[str, OffsetMap]:
    """``pattern.sub(replace, text)`` that also returns the map back to ``text``."""
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    position = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        if start > position:
            parts.append(text[position:start])
            pieces.append((start - position, position, start))
        replacement = replace(match)
        parts.append(replacement)
        if replacement:  # same length maps one to one, any other as a block
            pieces.append((len(replacement), start, end))
        position = end
    if position < len(text):
        parts.append(text[position:])
        pieces.append((len(text) - position, position, len(text)))
    return "".join(parts), OffsetMap.from_pieces(pieces)


def strip_pinyin(text: str) -> tuple[str, OffsetMap]:
    """Remove inline pinyin annotations such as ``(yī)`` that some pages print after characters."""
    return substitute(text, PINYIN_ANNOTATION, lambda _match: "")


@lru_cache(maxsize=1)
def _opencc() -> opencc.OpenCC:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def traditional_characters() -> frozenset[str]:
    """Characters that OpenCC's t2s table changes: a sign the text is traditional.

    A character whose targets include itself (乾 → 干 乾, 於 → 于 於) is also
    written in simplified text (乾隆, a surname) and is no such sign.
    """
    from pathlib import Path

    import opencc

    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars = set()
    for line in table.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and source not in targets.split(" "):
            chars.add(source)
    return frozenset(chars)


_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")


def detect_script(text: str, *, threshold: float = 0.03) -> Script:
    """``traditional`` when more than ``threshold`` of the Han characters are traditional-only."""
    han = _HAN.findall(text)
    if not han:
        return "simplified"
    traditional = traditional_characters()
    count = sum(1 for char in han if char in traditional)
    return "traditional" if count / len(han) > threshold else "simplified"


@lru_cache(maxsize=1)
def _t2s_fixes() -> tuple[re.Pattern[str], dict[str, str]]:
    replacements: dict[str, str] = {}
    for line in read_lines("t2s_fixes.tsv"):
        if line.startswith("!"):
            replacements[line[1:]] = line[1:]
        else:
            source, _, target = line.partition("\t")
            replacements[source] = target
    keys = sorted(replacements, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))), replacements


def to_simplified(text: str) -> tuple[str, OffsetMap]:
    """OpenCC t2s, run piece by piece so that each piece keeps its offsets exactly."""
    converter = _opencc()
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    position = 0
    for piece in converter.split_chars_re.split(text):
        if not piece:
            continue
        converted = converter.convert(piece) if _HAN.search(piece) else piece
        parts.append(converted)
        pieces.append((len(converted), position, position + len(piece)))
        position += len(piece)
    converted_text, conversion = "".join(parts), OffsetMap.from_pieces(pieces)
    pattern, replacements = _t2s_fixes()
    fixed, fixes = substitute(converted_text, pattern, lambda m: replacements[m.group()])
    return fixed, fixes.compose(conversion)


def normalize_whitespace(text: str) -> tuple[str, OffsetMap]:
    """Zero-width characters out, full-width alphanumerics to ASCII, one space at most, no blank lines."""
    steps: list[Step] = [
        lambda t: substitute(t, _LINE_BREAKS, lambda _m: "\n"),
        lambda t: substitute(t, _ZERO_WIDTH, lambda _m: ""),
        lambda t: (t.translate(_FULLWIDTH_ALNUM), OffsetMap.identity(len(t))),
        lambda t: substitute(t, _SPACES, lambda _m: " "),
        lambda t: substitute(t, _LINE_EDGES, lambda _m: ""),
        lambda t: substitute(t, _BLANK_LINES, lambda _m: "\n"),
        lambda t: substitute(t, _LEADING_NEWLINES, lambda _m: ""),
    ]
    return run_steps(text, steps)


def run_steps(text: str, steps: list[Step]) -> tuple[str, OffsetMap]:
    """Apply ``steps`` in order, composing their maps back to the original ``text``."""
    offsets = OffsetMap.identity(len(text))
    for step in steps:
        text, step_map = step(text)
        offsets = step_map.compose(offsets)
    return text, offsets


def clean(text: str) -> tuple[str, OffsetMap, Script]:
    """Clean ``text`` into simplified Chinese; returns the text, its map back and the source script."""
    without_pinyin, pinyin_map = strip_pinyin(text)
    script = detect_script(without_pinyin)
    steps: list[Step] = [strip_pinyin]
    if script == "traditional":
        steps.append(to_simplified)
    steps.append(normalize_whitespace)
    cleaned, offsets = run_steps(text, steps)
    return cleaned, offsets, script
