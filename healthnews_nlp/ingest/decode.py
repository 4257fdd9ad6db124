"""Bytes to text: BOMs, UTF-8, and a real detector (charset-normalizer) for GBK, Big5, UTF-16…

Binary content is refused rather than guessed at: a file whose decoded text
is full of control characters is not an article.
"""

from __future__ import annotations

import codecs
import re

from healthnews_nlp.errors import IngestError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
MAX_CONTROL_SHARE = 0.01
# How the codecs report bytes that end in the middle of a character.
_CUT_REASONS = frozenset({"unexpected end of data", "incomplete multibyte sequence", "truncated data"})
_BELOW_0X30 = re.compile(rb"[\x01-\x2f]")
# The double-byte encodings of Chinese, as charset-normalizer names them.
DOUBLE_BYTE = frozenset({"gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950"})


def detect_encoding(sample: bytes, path: str) -> str:
    """The encoding of ``sample`` (the start of a file), or IngestError when it is not text."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    if b"\x00" not in sample:
        try:
            sample.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as error:
            if error.start >= len(sample) - 3:  # a character cut by the sample's end
                return "utf-8"
    sample = _whole_characters(sample)
    best = _detect(sample)
    if best not in DOUBLE_BYTE and sample[-1:] >= b"\x80" and b"\x00" not in sample:
        # perhaps cut after the first byte of a GBK or Big5 character, which rules those out
        shorter = _detect(sample[:-1])
        if shorter in DOUBLE_BYTE:
            best = shorter
    if best is None:
        raise IngestError(path, "binary content, not text (no character encoding fits)", stage="decode")
    return best


def _detect(sample: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return None if best is None else str(best.encoding)


def _whole_characters(sample: bytes) -> bytes:
    """``sample`` up to its last byte below 0x30 (line break, space, ASCII punctuation) in its second half.

    A sample is the start of a file cut at a fixed size, or a file cut short,
    and the cut can fall inside a double-byte character; shown half a GBK
    character, the detector guesses a wrong single-byte encoding (mojibake).
    No byte below 0x30 is part of a multibyte character in UTF-8, GBK,
    GB18030 or Big5. Samples with NUL bytes (UTF-16 without a byte order
    mark) are cut to an even length instead.
    """
    if b"\x00" in sample:
        return sample[: len(sample) - len(sample) % 2]
    last = _BELOW_0X30.search(sample[::-1])
    if last is None or last.start() >= len(sample) // 2:
        return sample
    return sample[: len(sample) - last.start()]


def decode(data: bytes, path: str) -> str:
    """Decode a whole file; raises IngestError naming the file and the reason."""
    if not data.strip():
        raise IngestError(path, "empty file", stage="decode")
    encoding = detect_encoding(data[: 1 << 16], path)
    try:
        text = _decode_cut(data, encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise IngestError(path, f"cannot decode as {encoding}: {error}", stage="decode") from error
    check_text(text, path)
    return text.removeprefix("\ufeff")


def _decode_cut(data: bytes, encoding: str) -> str:
    """``data`` decoded; a file cut inside its last character (a truncated download) loses only that character."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if error.reason not in _CUT_REASONS or error.end != len(data):
            raise
        return data[: error.start].decode(encoding)


def check_text(text: str, path: str) -> None:
    """Refuse decoded text that is mostly control characters (a binary file)."""
    if not text.strip():
        raise IngestError(path, "empty file", stage="decode")
    sample = text[: 1 << 16]
    if len(_CONTROL.findall(sample)) > MAX_CONTROL_SHARE * len(sample):
        raise IngestError(path, "binary content, not text (control characters)", stage="decode")
