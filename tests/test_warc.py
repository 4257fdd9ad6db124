"""Crawls in: a WARC of the fixture pages gives the pages' articles; damaged records fail alone.

The crawls are written here with warcio from the saved pages of ``tests/data/pages``: a
``warcinfo`` record, a request before each response, and an image response now and then
(skipped and counted).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from healthnews_nlp import Article, read_article
from healthnews_nlp.cli import main
from healthnews_nlp.ingest.readers import read_articles
from healthnews_nlp.ingest.warc import is_warc
from healthnews_nlp.models import IngestFailure

PAGES = sorted((Path(__file__).parent / "data" / "pages").glob("*.html"))
CAPTURED = "2024-03-01T08:00:00Z"
IMAGE_EVERY = 10


def _url(page: Path) -> str:
    return f"https://crawl.example/{page.stem}"


def _write_crawl(path: Path, pages: list[Path], *, gzip: bool = True) -> int:
    """A crawl of ``pages``; returns how many image responses it holds."""
    images = 0
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for index, page in enumerate(pages):
            request = StatusAndHeaders(f"GET /{page.stem} HTTP/1.1", [], is_http_request=True)
            _write(writer, _url(page), "request", b"", request)
            _write(
                writer, _url(page), "response", page.read_bytes(), _ok("text/html; charset=utf-8")
            )
            if index % IMAGE_EVERY == 0:
                _write(
                    writer, _url(page) + ".png", "response", b"\x89PNG\r\n\x1a\n", _ok("image/png")
                )
                images += 1
    return images


def _ok(content_type: str) -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")


def _write(writer: WARCWriter, url: str, kind: str, body: bytes, http: StatusAndHeaders) -> None:
    """One record; its length given, so that warcio needs no temporary file."""
    headers = {"WARC-Date": CAPTURED}
    record = writer.create_warc_record(
        url,
        kind,
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict=headers,
    )
    writer.write_record(record)


def _read(path: Path) -> tuple[list[Article], list[IngestFailure], list[tuple[str, str]]]:
    skipped: list[tuple[str, str]] = []
    results = list(read_articles(path, on_skip=lambda where, kind: skipped.append((where, kind))))
    articles = [r for r in results if isinstance(r, Article)]
    failures = [r for r in results if isinstance(r, IngestFailure)]
    return articles, failures, skipped


SAME = (
    "id",
    "format",
    "title",
    "date",
    "site",
    "script",
    "raw",
    "text",
    "paragraphs",
    "dateline",
    "offsets",
)


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_a_crawl_of_the_pages_gives_the_same_articles_as_the_pages(
    gzip: bool, tmp_path: Path
) -> None:
    crawl = tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc")
    images = _write_crawl(crawl, PAGES, gzip=gzip)
    articles, failures, skipped = _read(crawl)
    assert failures == []
    assert len(articles) == len(PAGES) and len(skipped) == images
    assert all(kind == "image/png" for _, kind in skipped)
    for page, article in zip(PAGES, articles, strict=True):
        alone = read_article(page)
        assert {f: getattr(article, f) for f in SAME} == {f: getattr(alone, f) for f in SAME}
        assert article.url == (
            alone.url or _url(page)
        )  # the page's canonical URL, else the crawl's
        assert article.source == str(crawl) and article.record is not None
    numbers = [a.record for a in articles] + [int(where.rsplit(":", 1)[1]) for where, _ in skipped]
    assert len(set(numbers)) == len(numbers)


def test_the_capture_date_stands_in_for_a_page_without_one(tmp_path: Path) -> None:
    page = tmp_path / "undated.html"
    page.write_text(
        "<html><head><title>通知</title></head><body><p>北京协和医院明日停诊。</p></body></html>",
        "utf-8",
    )
    crawl = tmp_path / "crawl.warc.gz"
    _write_crawl(crawl, [page])
    (article,), _, _ = _read(crawl)
    assert read_article(page).date is None
    assert article.date is not None and article.date.isoformat() == "2024-03-01T08:00:00+00:00"
    assert article.url == _url(page)


def _record_starts(data: bytes, marker: bytes) -> list[int]:
    starts = []
    found = data.find(marker)
    while found >= 0:
        starts.append(found)
        found = data.find(marker, found + 1)
    return starts


def _response_of(plain_crawl: bytes, page: Path) -> int:
    """Where the response record of ``page`` starts in an uncompressed crawl."""
    starts = _record_starts(plain_crawl, b"WARC/1.")
    target = f"WARC-Target-URI: {_url(page)}\r\n".encode()
    for start, end in zip(starts, [*starts[1:], len(plain_crawl)], strict=True):
        record = plain_crawl[start:end]
        if b"WARC-Type: response" in record and target in record:
            return start
    raise AssertionError(f"no response of {page} in the crawl")


def test_a_damaged_gzip_record_fails_alone_and_the_rest_is_read(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    _write_crawl(crawl, PAGES[:6])
    data = bytearray(crawl.read_bytes())
    members = [
        s for s in _record_starts(bytes(data), b"\x1f\x8b\x08") if is_warc(bytes(data[s : s + 512]))
    ]
    damaged = members[7]  # warcinfo, then request/response pairs (and an image after the first)
    data[damaged + 300 : damaged + 340] = b"\xff" * 40
    crawl.write_bytes(bytes(data))
    articles, failures, _ = _read(crawl)
    assert len(failures) == 1 and len(articles) == 5
    (failure,) = failures
    assert failure.source.startswith(f"{crawl}:") and "damaged record" in failure.message
    assert {a.title for a in articles} < {read_article(p).title for p in PAGES[:6]}


def test_a_record_with_broken_headers_fails_alone_in_a_plain_warc(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc"
    _write_crawl(crawl, PAGES[:6], gzip=False)
    data = crawl.read_bytes()
    start = _response_of(data, PAGES[2])
    crawl.write_bytes(data[:start] + b"NOT A WARC HEADER\r\n" + data[start + 9 :])
    articles, failures, _ = _read(crawl)
    assert len(articles) == 5
    (failure,) = failures
    assert failure.stage == "parse" and "damaged record at byte" in failure.message


def test_a_cut_crawl_reports_its_last_record(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    _write_crawl(crawl, PAGES[:3])
    data = crawl.read_bytes()
    crawl.write_bytes(data[: len(data) - 2000])  # a download that stopped
    articles, failures, _ = _read(crawl)
    assert len(articles) == 2 and len(failures) == 1


def test_a_gzipped_file_that_is_no_crawl_is_not_taken_for_one() -> None:
    import gzip

    assert is_warc(gzip.compress(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n"))
    assert is_warc(b"filedesc://crawl.arc 0.0.0.0 20240301000000 text/plain 76\n")
    assert not is_warc(gzip.compress(b"title,text\n"))
    assert not is_warc(b"\x1f\x8b not gzip at all")


def test_graph_reads_a_crawl_and_reports_skipped_and_damaged_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``healthnews-nlp graph crawl.warc.gz``: the summary counts the skipped records, and
    errors.jsonl names the damaged one."""
    crawl = tmp_path / "crawl.warc"
    images = _write_crawl(crawl, PAGES[:3], gzip=False)
    data = crawl.read_bytes()
    start = _response_of(data, PAGES[2])
    crawl.write_bytes(data[:start] + b"BROKEN\r\n" + data[start + 9 :])
    out = tmp_path / "out"
    code = main(["graph", str(crawl), "-o", str(out), "--jobs", "1"])
    printed = capsys.readouterr().out
    assert code == 1  # a record failed
    assert f"{images} crawl record(s) skipped, not HTML" in printed
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text("utf-8").splitlines()]
    assert len(errors) == 1 and errors[0]["file"].startswith(f"{crawl}:")
    extractions = [
        json.loads(line) for line in (out / "extractions.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(extractions) == 2 and all(e["url"] for e in extractions)


def test_an_arc_file_is_read_like_a_warc(tmp_path: Path) -> None:
    """The older ARC format: a ``filedesc://`` header, then a line and an HTTP response a record."""
    page = PAGES[0].read_bytes()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page)
    png = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"
    version = b"1 0 tests\nURL IP-address Archive-date Content-type Archive-length\n\n"
    arc = b"filedesc://crawl.arc 0.0.0.0 20240301000000 text/plain %d\n" % len(version) + version
    url = _url(PAGES[0]).encode()
    arc += b"\n%s 127.0.0.1 20240301080000 text/html %d\n" % (url, len(http + page))
    arc += http + page
    arc += b"\n%s.png 127.0.0.1 20240301080000 image/png %d\n" % (url, len(png))
    arc += png + b"\n"
    crawl = tmp_path / "crawl.arc"
    crawl.write_bytes(arc)
    articles, failures, skipped = _read(crawl)
    assert failures == [] and [kind for _, kind in skipped] == ["image/png"]
    (article,) = articles
    alone = read_article(PAGES[0])
    assert (article.title, article.text) == (alone.title, alone.text)
