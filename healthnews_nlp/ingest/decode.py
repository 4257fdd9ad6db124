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
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise IngestError(path, "binary content, not text (no character encoding fits)", stage="decode")
    return str(best.encoding)


def decode(data: bytes, path: str) -> str:
    """Decode a whole file; raises IngestError naming the file and the reason."""
    if not data.strip():
        raise IngestError(path, "empty file", stage="decode")
    encoding = detect_encoding(data[: 1 << 16], path)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise IngestError(path, f"cannot decode as {encoding}: {error}", stage="decode") from error
    check_text(text, path)
    return text.removeprefix("\ufeff")


def check_text(text: str, path: str) -> None:
    """Refuse decoded text that is mostly control characters (a binary file)."""
    if not text.strip():
        raise IngestError(path, "empty file", stage="decode")
    sample = text[: 1 << 16]
    if len(_CONTROL.findall(sample)) > MAX_CONTROL_SHARE * len(sample):
        raise IngestError(path, "binary content, not text (control characters)", stage="decode")
