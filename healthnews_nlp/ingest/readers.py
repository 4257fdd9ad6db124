"""One reader per article format, picked by sniffing the content, not the file name.

Formats:

- ``hexo``: Hexo markdown, YAML front matter (title, RFC 2822 date,
  categories, author, images) and an HTML body;
- ``html``: an HTML page or fragment; of a whole page, its article alone, under the
  headline, with the date, URL and site its tags give (:mod:`.webpage`);
- ``newspage``: a plain-text copy of a news page (chinanews and the like),
  with navigation, sharing widgets and footers to remove;
- ``text``: plain text, title on the first line, perhaps a date line;
- ``jsonl`` / ``csv``: collections, one article per record (``title``,
  ``text`` or ``html``, optional ``date``, ``url``, ``id``);
- crawls: WARC and ARC files, one ``html`` article per HTML response (:mod:`.warc`).

Every reader produces a first-stage text (title line, then body) with a map
into the raw text; :func:`_finish` cleans it, removes furniture and composes
the maps, so every clean character points into the raw file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import yaml

from healthnews_nlp.dates import latest_year, month_day, parse_date
from healthnews_nlp.errors import IngestError, describe
from healthnews_nlp.ingest.builder import TextBuilder
from healthnews_nlp.ingest.clean import clean
from healthnews_nlp.ingest.decode import DOUBLE_BYTE, check_text, decode, detect_encoding
from healthnews_nlp.ingest.furniture import LinePlan, plan_lines
from healthnews_nlp.ingest.html import html_to_text
from healthnews_nlp.ingest.offsets import OffsetMap
from healthnews_nlp.ingest.warc import is_warc, read_crawl
from healthnews_nlp.ingest.webpage import is_whole_page, read_page
from healthnews_nlp.models import Article, ArticleFormat, IngestFailure

logger = logging.getLogger("healthnews_nlp")

MAX_ARTICLE_BYTES = 10 * 1024 * 1024
"""Largest single article accepted: a bigger file, or a bigger record of a JSONL or CSV
collection, is refused with an IngestError (a record alone, read past, not held in memory)."""

SNIFF_BYTES = 1 << 16

#: What a line of a collection that is not in its file's encoding may be decoded as.
LINE_ENCODINGS = DOUBLE_BYTE | {"utf-8", "utf_8"}

_FRONT_MATTER_START = re.compile(r"\A\s*^---[ \t]*$", re.MULTILINE)
_FRONT_MATTER_END = re.compile(r"^---[ \t]*$", re.MULTILINE)
_JSON_RECORD_KEY = re.compile(r'"(?:title|text|html)"\s*:')
_HTML_MARKERS = re.compile(r"<(?:!doctype html|html|body|p|div|br|article|section|table)[\s/>]", re.I)
# A dateline: perhaps labelled (发布时间：, or 时间： before 来源…: a bare 日期： may be an
# event's), then source, author, editor… as up to four tokens.
_FULL_DATELINE = re.compile(
    r"^(?:(?:发布|发表|更新|建立|发稿)(?:时间|日期)[:：]\s*|(?:时间|日期)[:：]\s*(?=.*(?:来源|作者|编辑|浏览)))?"
    r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
    r"(?:\s*\S{0,30}(?:\s+\S{1,30}){0,3})?$"
)
_INLINE_DATELINE = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,8}?)?\d{1,2}月\d{1,2}日(?:电|讯)"
    r"(?:\s*[(（](?:记者|通讯员|实习生|作者)[^)）]{0,30}[)）])?"
)
SkipHandler = Callable[[str, str], None]
"""Hears of a crawl's record skipped as not HTML: ``(file:record, content type)``."""
IMAGE_KEYS = ("headimg", "thumbnail", "cover", "image", "images", "banner")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader (plain data only, never Python objects) with lenient dates.

    An impossible date (``date: 2021-02-30``) stays a string, which
    :func:`~healthnews_nlp.dates.parse_date` turns into no date, instead of
    failing the whole article.
    """


def _lenient_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except (ValueError, AttributeError):
        return loader.construct_scalar(node)  # type: ignore[arg-type]


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


@dataclass
class _Draft:
    """What a reader extracted before cleaning: the first-stage text and metadata."""

    format: ArticleFormat
    builder: TextBuilder = field(default_factory=TextBuilder)
    title: str | None = None
    date: datetime | None = None
    url: str | None = None
    site: str | None = None
    author: str | None = None
    categories: tuple[str, ...] = ()
    image_urls: tuple[str, ...] = ()


# --- public API ------------------------------------------------------------------------------


def read_article(path: str | Path, *, max_bytes: int = MAX_ARTICLE_BYTES) -> Article:
    """Read one article file of any supported format.

    Raises
    ------
    IngestError
        naming the file and the reason when it cannot be read, or when it is a
        collection that does not hold exactly one article.
    """
    results = list(_read_path(Path(path), max_bytes=max_bytes))
    articles = [r for r in results if isinstance(r, Article)]
    failures = [r for r in results if isinstance(r, IngestFailure)]
    if failures:
        raise IngestError(failures[0].source, failures[0].message, stage=failures[0].stage)
    if len(articles) != 1:
        raise IngestError(path, f"holds {len(articles)} articles; use read_articles()")
    return articles[0]


def read_articles(
    paths: str | Path | Iterable[str | Path],
    *,
    max_bytes: int = MAX_ARTICLE_BYTES,
    on_skip: SkipHandler | None = None,
) -> Iterator[Article | IngestFailure]:
    """Read every article under ``paths`` (files or directories, searched recursively).

    A generator: it yields each Article as it is read and an
    :class:`IngestFailure` for each file or record that cannot be, then goes
    on; at the end it logs a report of every failure. Hidden files and
    directories are skipped; files are visited in sorted order. ``on_skip``
    hears of each record of a crawl skipped as not HTML (else they are logged).
    """
    failures: list[IngestFailure] = []
    skipped: list[str] = []
    for path in _expand(paths):
        for result in _read_path(path, max_bytes=max_bytes, on_skip=on_skip or _note(skipped)):
            if isinstance(result, IngestFailure):
                failures.append(result)
            yield result
    if failures:
        report = "\n".join(f"  {f.source}: {f.message}" for f in failures)
        logger.warning("%d file(s) or record(s) could not be read:\n%s", len(failures), report)
    if skipped:
        shown = ", ".join(skipped[:10])
        logger.info("%d crawl record(s) skipped, not HTML: %s", len(skipped), shown)


def _note(skipped: list[str]) -> SkipHandler:
    return lambda where, content_type: skipped.append(f"{where} ({content_type})")


def iter_files(
    paths: str | Path | Iterable[str | Path], *, exclude: Iterable[str | Path] = ()
) -> Iterator[Path]:
    """The files :func:`read_articles` reads under ``paths``, in its order (hidden ones skipped).

    ``exclude`` are files never to yield (a run's own output files, which may
    sit inside an input folder).
    """
    return _expand(paths, exclude=exclude)


def read_file(
    path: Path, *, max_bytes: int = MAX_ARTICLE_BYTES, on_skip: SkipHandler | None = None
) -> Iterator[Article | IngestFailure]:
    """The articles of one file (one, or one per record of a collection) and its failures.

    :func:`read_articles` for one file, without the end-of-batch log report:
    for callers that keep their own (the corpus runner's ``errors.jsonl``).
    """
    return _read_path(path, max_bytes=max_bytes, on_skip=on_skip)


def source_name(path: Path) -> str:
    """The ``Article.source`` (and ``IngestFailure.source``) of the file at ``path``."""
    return _display_path(path)


def _expand(
    paths: str | Path | Iterable[str | Path], *, exclude: Iterable[str | Path] = ()
) -> Iterator[Path]:
    """Every input under ``paths``, once: files, and whatever else is not a folder (a FIFO, a
    broken link), which the reader then reports rather than skip silently.

    A file reached twice (the same folder under two spellings, a link to a file
    or a folder) is yielded once, under the spelling that sorts first. Links to
    folders are followed, each folder entered once (a link loop ends there).
    """
    roots = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    excluded = {_identity(Path(p)) for p in exclude if os.path.lexists(p)}
    found: list[Path] = []
    entered: set[tuple[Any, ...]] = set()
    for root in roots:
        found.extend(_walk(root, entered) if root.is_dir() else [root])
    spelling: dict[tuple[Any, ...], Path] = {}
    for path in found:
        key = _identity(path)
        if key not in spelling or _display_path(path) < _display_path(spelling[key]):
            spelling[key] = path
    kept = {path for key, path in spelling.items() if key not in excluded}
    for path in found:
        if path in kept:
            kept.discard(path)
            yield path


def _walk(root: Path, entered: set[tuple[Any, ...]]) -> list[Path]:
    """What is under the folder ``root`` (hidden names skipped), in sorted order; folders entered once."""
    found: list[Path] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        key = _identity(folder)
        if key in entered:
            continue
        entered.add(key)
        try:
            entries = list(os.scandir(folder))
        except OSError:
            found.append(folder)  # a folder that cannot be listed: the reader says why
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if _is_folder(entry):
                folders.append(Path(entry.path))
            else:
                found.append(Path(entry.path))
    return sorted(found)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows a link
    except OSError:
        return False


def _identity(path: Path) -> tuple[Any, ...]:
    """What tells files apart: device and inode (of the target of a link), else the path itself."""
    for look in (os.stat, os.lstat):
        try:
            status = look(path)
        except (OSError, ValueError):
            continue
        return (status.st_dev, status.st_ino)
    return ("path", os.path.abspath(path))


def _display_path(path: Path) -> str:
    """``path`` as text that can be written anywhere.

    A file name that is not UTF-8 (a GBK name on a UTF-8 system) reaches
    Python with lone surrogates, which no JSON or UTF-8 writer accepts; its
    undecodable bytes are shown as ``\\xd6`` instead.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _read_path(
    path: Path, *, max_bytes: int, on_skip: SkipHandler | None = None
) -> Iterator[Article | IngestFailure]:
    source = _display_path(path)
    try:
        _check_regular_file(path, source)
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
        if not head.strip():
            raise IngestError(source, "empty file", stage="decode")
        if is_warc(head):
            yield from read_crawl(path, source, _read_document, max_bytes=max_bytes, on_skip=on_skip)
            return
        encoding = _collection_or_file_encoding(head, source)
        head_text = head.decode(encoding, errors="ignore")
        check_text(head_text, source)
        kind = _sniff_collection(head_text)
        if kind == "jsonl":
            yield from _read_jsonl(path, source, encoding, max_bytes)
            return
        if kind == "csv":
            yield from _read_csv(path, source, encoding, max_bytes)
            return
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(source, _too_large(size, max_bytes, "one article"))
        data = path.read_bytes()
        yield _read_document(decode(data, source), source, hashlib.sha256(data).hexdigest()[:16])
    except IngestError as error:
        yield _failure(error)
    except OSError as error:
        yield _failure(IngestError(source, f"cannot read: {describe(error)}"))


def _too_large(size: int, max_bytes: int, what: str) -> str:
    return (
        f"{size / 2**20:.1f} MB is larger than the {max_bytes / 2**20:.1f} MB limit for {what}; "
        "split it, or pass a larger max_bytes"
    )


def _collection_or_file_encoding(head: bytes, source: str) -> str:
    """The encoding of a file from its first bytes; for a JSONL file in several, UTF-8.

    A JSONL file put together from several sources may hold GBK lines and UTF-8 ones, which
    no one encoding of the whole sample fits. When its first line alone is a JSON record,
    it is read as a collection whose lines are decoded each on its own (:func:`_line_text`).
    """
    try:
        return detect_encoding(head, source)
    except IngestError as error:
        first = next((line for line in head.split(b"\n") if line.strip()), b"")
        try:
            first_record = _sniff_collection(_line_text(first, "utf-8")) == "jsonl"
        except UnicodeDecodeError:
            first_record = False
        if not first_record:
            raise error from None
        return "utf-8"


def _check_regular_file(path: Path, source: str) -> None:
    """An IngestError saying what ``path`` is when it is not a file that can be read."""
    try:
        status = path.stat()
    except OSError as error:
        if path.is_symlink():
            loop = error.errno == errno.ELOOP
            raise IngestError(source, "a link loop" if loop else "a link to nothing (its target is gone)") from None
        raise IngestError(source, "no such file" if error.errno == errno.ENOENT else
                          f"cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(status.st_mode):
        try:
            os.listdir(path)
        except OSError as error:  # reached by read_articles, which lists what it can
            raise IngestError(source, f"a folder that cannot be listed: {error.strerror or error}") from None
        raise IngestError(source, "not a regular file: a folder (read_articles reads folders)")
    if not stat.S_ISREG(status.st_mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(status.st_mode) else "a device or socket"
        raise IngestError(source, f"not a regular file: {kind}")


def _failure(error: IngestError) -> IngestFailure:
    return IngestFailure(source=error.path, stage=error.stage, error_type="IngestError", message=error.reason)


# --- sniffing --------------------------------------------------------------------------------


def _sniff_collection(head: str) -> str | None:
    """``jsonl`` or ``csv`` when ``head`` (the start of a file) looks like a collection, else None.

    A JSONL file is recognised by its first line being a JSON object with a
    ``title``, ``text`` or ``html`` key, so that one broken (or cut by the
    sniff window) first record does not turn the whole collection into a
    single plain-text article.
    """
    first = next((line.strip() for line in head.lstrip("\ufeff").splitlines() if line.strip()), "")
    if first.startswith("{"):
        try:
            record = json.loads(first)
        except (ValueError, RecursionError):
            record = None
        if isinstance(record, dict):
            if {"text", "html", "title"} & record.keys():
                return "jsonl"
        elif _JSON_RECORD_KEY.search(first):
            return "jsonl"
    if "," in first and not first.startswith(("<", "---")):
        try:
            header = {cell.strip().lower() for cell in next(csv.reader([first]), [])}
        except csv.Error:
            return None
        if "title" in header and header & {"text", "html"}:
            return "csv"
    return None


def _sniff_document(text: str) -> ArticleFormat:
    """``hexo`` when the first non-blank line is exactly ``---``, ``html`` when markup shows early, else ``text``.

    A longer rule such as ``----------`` opening a plain-text file is not front matter.
    """
    stripped = text.lstrip()
    if _FRONT_MATTER_START.match(text):
        return "hexo"
    if _HTML_MARKERS.search(stripped[:4096]):
        return "html"
    return "text"


# --- documents -------------------------------------------------------------------------------


def _read_document(raw: str, source: str, digest: str, record: int | None = None) -> Article:
    kind = _sniff_document(raw)
    if kind == "hexo":
        draft = _hexo_draft(raw, source)
    elif kind == "html":
        draft = _page_draft(raw) if is_whole_page(raw) else _html_draft(raw, 0, "html")
    else:
        draft = _Draft(format="text")
        draft.builder.add_copy(raw, 0, len(raw))
    where = None if record is None else f"{source}:{record}"
    return _finish(draft, raw=raw, source=source, digest=digest, record=record, where=where)


def _hexo_draft(raw: str, source: str) -> _Draft:
    opening = raw.index("---")
    end = _FRONT_MATTER_END.search(raw, opening + 3)
    if end is None:
        raise IngestError(source, "front matter has no closing '---' line", stage="parse")
    front_start, front_end = raw.index("\n", opening) + 1 if "\n" in raw[opening:] else len(raw), end.start()
    try:
        front = yaml.load(raw[front_start:front_end], Loader=_FrontMatterLoader) or {}  # noqa: S506 (safe)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1 + raw.count(chr(10), 0, front_start)})" if mark else ""
        problem = getattr(error, "problem", None) or describe(error).splitlines()[0]
        raise IngestError(source, f"front matter is not valid YAML{where}: {problem}", stage="parse") from error
    except RecursionError as error:
        raise IngestError(source, "front matter is nested too deeply", stage="parse") from error
    except Exception as error:  # noqa: BLE001  PyYAML's constructors raise ValueError, AttributeError…
        reason = f"front matter is not valid YAML: {type(error).__name__}: {describe(error)}"
        raise IngestError(source, reason, stage="parse") from error
    if not isinstance(front, dict):
        raise IngestError(source, "front matter is not a mapping of keys to values", stage="parse")

    body_start = end.end()
    draft = _html_draft(raw[body_start:], body_start, "hexo")
    title = _title_value(front.get("title"))
    if title:
        title_builder = TextBuilder()
        title_builder.add(title, *_value_span(raw, front_start, front_end, "title", title))
        title_builder.newline(body_start, body_start)
        draft.builder = title_builder.extend(draft.builder)
    draft.title = title
    draft.date = parse_date(front.get("date"))
    draft.author = _text_value(front.get("author"))
    draft.categories = tuple(_text_value(c) or "" for c in _as_list(front.get("categories")) if c)
    front_images = [_text_value(v) for key in IMAGE_KEYS for v in _as_list(front.get(key))]
    draft.image_urls = tuple(dict.fromkeys(u for u in [*front_images, *draft.image_urls] if u))
    draft.url = _text_value(front.get("url") or front.get("link") or front.get("permalink"))
    return draft


def _html_draft(markup: str, base: int, kind: ArticleFormat) -> _Draft:
    text, offsets, images = html_to_text(markup, base=base)
    draft = _Draft(format=kind, image_urls=tuple(images))
    draft.builder.add_mapped(text, offsets)
    return draft


def _page_draft(raw: str) -> _Draft:
    """A whole web page: its article's lines under its headline, and the page's metadata."""
    page = read_page(raw)
    draft = _Draft(format="html", **page.metadata())
    draft.builder.add_mapped(page.text, page.offsets)
    return draft


def _value_span(raw: str, start: int, end: int, key: str, value: str) -> tuple[int, int]:
    """Where ``key``'s value sits in the front matter: exact when written verbatim, else its line."""
    match = re.search(rf"^{re.escape(key)}\s*:\s*(.*)$", raw[start:end], re.MULTILINE)
    if not match:
        return start, end
    line_start, line_end = start + match.start(1), start + match.end(1)
    exact = raw.find(value, line_start, line_end)
    return (exact, exact + len(value)) if exact >= 0 else (line_start, line_end)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _text_value(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = _valid_unicode(str(value)).strip()
    return text or None


def _valid_unicode(text: str) -> str:
    """``text`` with lone surrogates as U+FFFD.

    JSON and YAML escapes (``"\\ud800"``) can make them; no UTF-8 or JSON
    writer accepts them. One character for one, so offsets stay valid.
    """
    return _SURROGATE.sub("\ufffd", text)


def _title_value(value: Any) -> str | None:
    """A title as one line: the readers put it on the text's first line, which becomes ``Article.title``."""
    text = _text_value(value)
    if text is None:
        return None
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


# --- collections -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Oversized:
    """A record larger than the limit for one article, read past without being kept."""

    size: int


def _jsonl_lines(
    path: Path, encoding: str, max_bytes: int
) -> Iterator[tuple[bytes, str | UnicodeDecodeError | _Oversized]]:
    """Each line of ``path`` as bytes (for the record id) and as text, or why it is not.

    In an ASCII-compatible encoding (UTF-8, GBK, Big5…) a line break is the
    single byte 0x0A and never part of another character, so lines are split
    as bytes and a bad byte spoils only its own record; a line that is not in
    the file's encoding is decoded on its own (:func:`_line_text`). UTF-16 and
    UTF-32 are read as text (and re-encoded as UTF-8 for the id): splitting them
    at 0x0A bytes would cut characters in half. A line over ``max_bytes`` is not
    held in memory: it is read past and reported.
    """
    encoder = codecs.getincrementalencoder(encoding)()
    encoder.encode("a")  # past any byte order mark
    if encoder.encode("\n") == b"\n":
        with path.open("rb") as handle:
            for line, size in _bounded_lines(handle, max_bytes):
                if size > max_bytes:
                    yield b"", _Oversized(size)
                    continue
                try:
                    yield line.strip(), _line_text(line, encoding)
                except UnicodeDecodeError as error:
                    yield line.strip(), error
    else:
        with path.open("r", encoding=encoding, newline="") as handle:
            for text, size in _bounded_lines(handle, max_bytes // 2):
                if size > max_bytes // 2:
                    yield b"", _Oversized(size * 2)
                    continue
                yield text.strip(" \t\r\n\f\v").encode("utf-8"), text


def _bounded_lines(handle: IO[Any], limit: int) -> Iterator[tuple[Any, int]]:
    """Each line of ``handle`` with its length; a line over ``limit`` is read past in pieces (and not returned whole)."""
    while line := handle.readline(limit + 1):
        size = len(line)
        if size > limit:
            while line and line[-1:] not in ("\n", b"\n"):
                line = handle.readline(1 << 20)
                size += len(line)
        yield line, size


def _line_text(line: bytes, encoding: str) -> str:
    """One line of a collection decoded: in the file's encoding, or when not, in its own.

    Raises the file encoding's UnicodeDecodeError when no encoding fits the line.
    """
    try:
        return line.decode(encoding)
    except UnicodeDecodeError as error:
        try:
            own = detect_encoding(line, "")
        except IngestError:
            raise error from None
        if own == encoding or own not in LINE_ENCODINGS:  # a guess at a single-byte one is mojibake
            raise error from None
        try:
            return line.decode(own)
        except (UnicodeDecodeError, LookupError):
            raise error from None


def _read_jsonl(path: Path, source: str, encoding: str, max_bytes: int) -> Iterator[Article | IngestFailure]:
    try:
        for number, (data, line) in enumerate(_jsonl_lines(path, encoding, max_bytes), start=1):
            where = f"{source}:{number}"
            if isinstance(line, _Oversized):
                yield _failure(IngestError(where, _too_large(line.size, max_bytes, "one record")))
                continue
            if not data:
                continue
            try:
                try:
                    if isinstance(line, UnicodeDecodeError):
                        raise line
                    record = json.loads(line)
                except (UnicodeDecodeError, ValueError) as error:
                    reason = f"not a JSON record: {describe(error)}"
                    raise IngestError(where, reason, stage="parse") from error
                except RecursionError as error:
                    raise IngestError(where, "not a JSON record: nested too deeply", stage="parse") from error
                if not isinstance(record, dict):
                    raise IngestError(where, "not a JSON object", stage="parse")
                yield _read_record(record, where, number, "jsonl", hashlib.sha256(data).hexdigest()[:16])
            except IngestError as error:
                yield _failure(error)
    except UnicodeDecodeError as error:
        reason = f"JSONL cannot be read past this point: {describe(error)}"
        yield _failure(IngestError(source, reason, stage="parse"))


@contextlib.contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """The csv module's field limit (131,072 characters by default, process-wide) raised for a moment.

    A field over the default made the reader stop the whole file. Raised to the
    limit for one article, and set back after each record: the setting is global.
    """
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _read_csv(path: Path, source: str, encoding: str, max_bytes: int) -> Iterator[Article | IngestFailure]:
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            reader = csv.reader(handle)
            with _csv_field_limit(max_bytes):
                header = next(reader, [])
            records = 0
            while True:
                start = reader.line_num + 1  # a record may span several lines: name its first
                with _csv_field_limit(max_bytes):
                    cells = next(reader, None)
                if cells is None:
                    break
                if not cells:
                    continue  # a blank line
                records += 1
                where = f"{source}:{start}"
                size = sum(len(cell.encode("utf-8", "surrogatepass")) for cell in cells)
                if size > max_bytes:
                    yield _failure(IngestError(where, _too_large(size, max_bytes, "one record")))
                    continue
                row = dict(zip(header, cells))
                try:
                    digest = hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()[:16]
                    yield _read_record(row, where, start, "csv", digest)
                except IngestError as error:
                    yield _failure(error)
            if not records:  # say so, rather than let the file vanish from the batch
                yield _failure(IngestError(source, "CSV has a header but no records", stage="parse"))
    except (UnicodeDecodeError, csv.Error) as error:
        reason = f"CSV cannot be read past this point: {describe(error)}"
        yield _failure(IngestError(source, reason, stage="parse"))


def _read_record(record: dict[str, Any], where: str, number: int, kind: ArticleFormat, digest: str) -> Article:
    lowered = {str(k).strip().lower(): v for k, v in record.items() if k is not None}
    title = _title_value(lowered.get("title")) or ""
    body = lowered.get("html") or lowered.get("text")
    if not isinstance(body, str) or not body.strip():
        raise IngestError(where, "record has no 'text' or 'html'", stage="parse")
    body = _valid_unicode(body)
    raw = f"{title}\n{body}" if title else body
    check_text(raw, where)
    body_start = len(raw) - len(body)
    if "html" in lowered and lowered.get("html"):
        draft = _html_draft(body, body_start, kind)
        if title:
            head = TextBuilder()
            head.add_copy(raw, 0, len(title))
            head.newline(len(title), body_start)
            draft.builder = head.extend(draft.builder)
    else:
        draft = _Draft(format=kind)
        draft.builder.add_copy(raw, 0, len(raw))
    draft.title = title or None
    draft.date = parse_date(lowered.get("date"))
    draft.url = _text_value(lowered.get("url"))
    article_id = _text_value(lowered.get("id")) or digest
    return _finish(draft, raw=raw, source=where.rsplit(":", 1)[0], digest=article_id, record=number, where=where)


# --- cleaning and structure ------------------------------------------------------------------


def _finish(
    draft: _Draft, *, raw: str, source: str, digest: str, record: int | None = None, where: str | None = None
) -> Article:
    """Clean the draft, drop page furniture and build the Article; ``where`` names a record in errors."""
    first_text, first_map = draft.builder.build()
    text, clean_map, script = clean(first_text)
    offsets = clean_map.compose(first_map)
    plan = plan_lines(text)
    lines = plan.lines
    keep, kind, date, title, dateline_line = _structure(plan, draft)
    kept_text, kept_map = _select_lines(text, plan, keep)
    offsets = kept_map.compose(offsets)
    if not kept_text.strip():
        raise IngestError(
            where or source, "no article text after removing markup and page furniture", stage="clean"
        )
    paragraphs = _line_spans(kept_text)
    dateline = _dateline_span(kept_text, paragraphs, lines, keep, dateline_line)
    return Article(
        id=digest,
        source=source,
        record=record,
        format=kind,
        title=title,
        date=draft.date or date,
        url=draft.url,
        site=draft.site,
        author=draft.author,
        categories=draft.categories,
        image_urls=draft.image_urls,
        script=script,
        raw=raw,
        text=kept_text,
        paragraphs=paragraphs,
        dateline=dateline,
        offsets=offsets,
    )


def _structure(
    plan: LinePlan, draft: _Draft
) -> tuple[list[bool], ArticleFormat, datetime | None, str, int | None]:
    """Which lines to keep (furniture out), the format, a date from the text, the title, the dateline's line."""
    lines, keep = plan.lines, list(plan.keep)
    kind: ArticleFormat = "newspage" if plan.found and draft.format == "text" else draft.format
    title = draft.title
    if title is None:
        title_index = next(
            (i for i, line in enumerate(lines) if keep[i] and not _FULL_DATELINE.match(line)), None
        )
        title = lines[title_index] if title_index is not None else ""
        seen_title = title_index
    else:
        # The reader put the title (front matter, record field) on the first line, so its
        # clean form is that line: simplified and normalised like the rest of the text.
        title = lines[0] if lines else ""
        seen_title = 0
    for index, line in enumerate(lines):
        if keep[index] and index != seen_title and seen_title is not None and _same(line, title):
            keep[index] = False

    date: datetime | None = None
    dateline_line: int | None = None
    body_text = "\n".join(line for line, kept in zip(lines, keep) if kept)
    for index, line in enumerate(lines):
        if not keep[index]:
            continue
        if _FULL_DATELINE.match(line):
            date, dateline_line = parse_date(line), index
            break
        if _INLINE_DATELINE.match(line):
            date, dateline_line = month_day(line, latest_year(body_text)), index
            break
    return keep, kind, date, title, dateline_line


def _same(line: str, title: str) -> bool:
    return re.sub(r"\s", "", line) == re.sub(r"\s", "", title)


def _select_lines(text: str, plan: LinePlan, keep: list[bool]) -> tuple[str, OffsetMap]:
    """The kept lines, each made of the parts of it that are not furniture, with the map back."""
    builder = TextBuilder()
    for start, ranges, kept in zip(plan.starts, plan.ranges, keep):
        if kept:
            builder.newline(start - 1, start)
            for range_start, range_end in ranges:
                builder.add_copy(text, range_start, range_end)
    return builder.build()


def _line_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans = []
    position = 0
    for line in text.split("\n"):
        if line:
            spans.append((position, position + len(line)))
        position += len(line) + 1
    return tuple(spans)


def _dateline_span(
    text: str, paragraphs: tuple[tuple[int, int], ...], lines: list[str], keep: list[bool], line_index: int | None
) -> tuple[int, int] | None:
    if line_index is None:
        return None
    kept_index = sum(keep[:line_index])
    start, end = paragraphs[kept_index]
    line = text[start:end]
    if _FULL_DATELINE.match(line):
        return start, end
    match = _INLINE_DATELINE.match(line)
    return (start, start + match.end()) if match else None
