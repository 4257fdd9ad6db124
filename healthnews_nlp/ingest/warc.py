"""Crawls in: every HTML response of a WARC or ARC file, read as an article (warcio).

A crawl holds more than pages: requests, images, scripts, metadata. Each HTML response
(``Content-Type`` ``text/html`` or ``application/xhtml+xml``) becomes an article with the
URL it was fetched from and its capture date; every other response or resource is skipped
and counted; requests, metadata, ``warcinfo`` and revisit records hold no document and are
passed over. A damaged record (headers that do not parse, a payload that does not
decompress) is reported as a failure of that record, and reading goes on at the next record
found after it: the next gzip member of a ``.warc.gz``, the next ``WARC/`` line of a plain
file.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from healthnews_nlp.dates import parse_date
from healthnews_nlp.errors import IngestError
from healthnews_nlp.ingest.decode import decode
from healthnews_nlp.models import Article, IngestFailure

HTML_TYPES = ("text/html", "application/xhtml+xml")
DOCUMENT_RECORDS = ("response", "resource")
_GZIP_MEMBER = b"\x1f\x8b\x08"
_PLAIN_RECORD = b"\nWARC/"
_STARTS = (b"WARC/", b"filedesc://")
_SCAN_BLOCK = 1 << 20
REASON_CHARS = 100


@dataclass(frozen=True)
class WarcPage:
    """An HTML response: its number in the file (from 1), URL, capture date and payload."""

    number: int
    url: str | None
    captured: datetime | None
    payload: bytes


@dataclass(frozen=True)
class WarcSkip:
    """A response or resource that is not HTML, skipped: its number and content type."""

    number: int
    content_type: str


@dataclass(frozen=True)
class WarcDamage:
    """A record that could not be read: its number, why, and (for a fault of the stream) its offset.

    ``offset`` is the byte where the damaged record starts when the file could not be read
    past it: reading resumes at the next record found after that byte.
    """

    number: int
    reason: str
    offset: int | None = None


WarcItem = WarcPage | WarcSkip | WarcDamage


def is_warc(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a WARC or ARC file (gzipped or not)."""
    if head.startswith(_GZIP_MEMBER[:2]):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.lstrip().startswith(_STARTS)


def warc_items(path: Path, *, max_bytes: int) -> Iterator[WarcItem]:
    """Every HTML response, skipped record and damaged record of the crawl at ``path``, in order.

    A payload larger than ``max_bytes`` is reported as damaged (not read into memory whole).
    """
    with path.open("rb") as handle:
        gzipped = handle.read(2) == _GZIP_MEMBER[:2]
        number = 0
        offset: int | None = 0
        while offset is not None:
            handle.seek(offset)
            offset = None
            for item in _read_from(handle, number, max_bytes):
                number = item.number
                yield item
                if isinstance(item, WarcDamage) and item.offset is not None:
                    offset = _next_record(handle, item.offset + 1, gzipped)


def _read_from(handle: IO[bytes], number: int, max_bytes: int) -> Iterator[WarcItem]:
    """The items from the handle's position on, until the end or the first fault of the stream."""
    from warcio.archiveiterator import ArchiveIterator

    records = ArchiveIterator(handle, arc2warc=True)
    while True:
        try:
            record = next(records, None)
        except Exception as error:  # noqa: BLE001  warcio and zlib raise many kinds on bad bytes
            yield _damage(number + 1, records.offset, error)  # its headers did not parse
            return
        if record is None:
            if _unread(handle, records.offset):  # warcio stopped early on bytes it could not read
                unread = ValueError("does not decompress or parse")
                yield _damage(number + 1, records.offset, unread)
            return
        number += 1
        try:
            item = _item(record, number, max_bytes)
        except Exception as error:  # noqa: BLE001  a payload that does not decompress
            yield _damage(number, records.offset, error)
            return
        if item is not None:
            yield item


def _unread(handle: IO[bytes], offset: int) -> bool:
    """Whether anything but blank lines follows ``offset`` in the file."""
    handle.seek(offset)
    while block := handle.read(_SCAN_BLOCK):
        if block.strip():
            return True
    return False


def _damage(number: int, offset: int, error: BaseException) -> WarcDamage:
    return WarcDamage(number, f"damaged record at byte {offset}: {_reason(error)}", offset)


def _item(record: Any, number: int, max_bytes: int) -> WarcItem | None:
    """What the record is to the readers; raises when its bytes are cut short or undecodable."""
    content_type = _content_type(record)
    if record.rec_type not in DOCUMENT_RECORDS:
        item: WarcItem | None = None
    elif not content_type.startswith(HTML_TYPES):
        item = WarcSkip(number, content_type or "no content type")
    else:
        payload = record.content_stream().read(max_bytes + 1)
        headers = record.rec_headers
        url = headers.get_header("WARC-Target-URI") or None
        item = WarcPage(number, url, parse_date(headers.get_header("WARC-Date")), payload)
        if len(payload) > max_bytes:
            limit = f"{max_bytes / 2**20:.1f} MB"
            item = WarcDamage(number, f"HTML payload larger than the {limit} limit for one article")
    _read_whole(record)
    return item


def _read_whole(record: Any) -> None:
    """Read the rest of the record; raise when fewer bytes come than its header announces.

    warcio reports a gzip member that stops decompressing on stderr and goes
    on as if the record had ended there: a short record is how it shows.
    """
    stream = record.raw_stream
    if not hasattr(stream, "limit"):  # warcio limits every record by its length, when it has one
        raise ValueError("the record has no valid Content-Length")
    while stream.read(_SCAN_BLOCK):
        pass
    if stream.limit > 0:
        raise ValueError(f"{stream.limit} bytes of the record are missing or do not decompress")


def _content_type(record: Any) -> str:
    """The payload's media type, lower-cased: the HTTP header of a response, else the record's."""
    http = record.http_headers
    value = http.get_header("Content-Type") if http is not None else None
    value = value or record.content_type or ""
    return str(value).split(";")[0].strip().lower()


def _reason(error: BaseException) -> str:
    """The error's first line, printable and short (warcio quotes the bytes it could not parse)."""
    lines = str(error).strip().splitlines()
    if not lines:
        return type(error).__name__
    text = "".join(char if char.isprintable() else "?" for char in lines[0])
    cut = "…" if len(text) > REASON_CHARS else ""
    return f"{type(error).__name__}: {text[:REASON_CHARS]}{cut}"


def _next_record(handle: IO[bytes], start: int, gzipped: bool) -> int | None:
    """Where the next record starts after byte ``start``: a gzip member or a ``WARC/`` line."""
    marker = _GZIP_MEMBER if gzipped else _PLAIN_RECORD
    position = start
    while True:
        handle.seek(position)
        block = handle.read(_SCAN_BLOCK + len(marker))
        if len(block) < len(marker):
            return None
        found = block.find(marker)
        while found >= 0:
            candidate = position + found + (0 if gzipped else 1)
            if not gzipped or _opens_record(handle, candidate):
                return candidate
            found = block.find(marker, found + 1)
        position += _SCAN_BLOCK


def _opens_record(handle: IO[bytes], offset: int) -> bool:
    """Whether the gzip member at ``offset`` decompresses to a record's first line."""
    handle.seek(offset)
    return is_warc(handle.read(512))


# --- articles ------------------------------------------------------------------------------------

ReadDocument = Callable[[str, str, str, int], Article]
"""``(raw, source, digest, record number) -> Article``: how the readers read one page."""


def read_crawl(
    path: Path,
    source: str,
    read_document: ReadDocument,
    *,
    max_bytes: int,
    on_skip: Callable[[str, str], None] | None = None,
) -> Iterator[Article | IngestFailure]:
    """The articles of a crawl's HTML responses and the failures of its damaged records.

    Each article is record ``number`` of ``source``; its URL is the page's canonical
    URL, else the URL it was fetched from; its date the page's, else the capture
    date. ``on_skip(where, content_type)`` hears of each record skipped.
    """
    for item in warc_items(path, max_bytes=max_bytes):
        where = f"{source}:{item.number}"
        if isinstance(item, WarcSkip):
            if on_skip is not None:
                on_skip(where, item.content_type)
            continue
        try:
            if isinstance(item, WarcDamage):
                raise IngestError(where, item.reason, stage="parse")
            yield _article(item, source, where, read_document)
        except IngestError as error:
            yield IngestFailure(
                source=error.path, stage=error.stage, error_type="IngestError", message=error.reason
            )


def _article(page: WarcPage, source: str, where: str, read_document: ReadDocument) -> Article:
    raw = decode(page.payload, where)
    article = read_document(raw, source, hashlib.sha256(page.payload).hexdigest()[:16], page.number)
    fallback = {"url": article.url or page.url, "date": article.date or page.captured}
    return article.model_copy(update=fallback)
