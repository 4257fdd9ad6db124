"""Fuzz and fault suite, ingest level: every input ends in an Article or an IngestError.

Generated inputs (hypothesis, derandomized: the same cases on every run) are
written to files and read with ``read_articles`` and ``read_article``; the
text functions (``clean``, ``html_to_text``, the dates) get generated text
directly. A fixed corpus of nasty files, generated here, covers what random
generation rarely hits: 10,000 nested elements, a 1 MB line, a GBK file
whose 64 KB detection window ends inside a character, names that are not
UTF-8, and the like. Every case is bounded in time (``bounded``); results
must pass ``check_article`` / ``check_failure`` (clean text, offsets inside
the raw text, JSON that round-trips and encodes as UTF-8).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import (
    STAGES,
    any_document,
    bounded,
    check_article,
    check_failure,
    check_offsets,
    check_results,
    count,
    csv_document,
    damaged,
    front_matter_document,
    fuzz,
    html_document,
    html_fragment,
    json_value,
    jsonl_document,
    nasty_line,
    nasty_text,
    nested,
    text_document,
)
from hypothesis import given
from hypothesis import strategies as st

from healthnews_nlp import Article, IngestError, IngestFailure, read_article, read_articles
from healthnews_nlp.dates import latest_year, month_day, parse_date
from healthnews_nlp.ingest.clean import clean, detect_script, normalize_whitespace, strip_pinyin, to_simplified
from healthnews_nlp.ingest.html import html_to_text

pytestmark = pytest.mark.fuzz

_names = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-ingest")


@pytest.fixture(autouse=True, scope="module")
def _quiet_reports() -> Iterator[None]:
    """read_articles logs a report of every failure; thousands of them would only fill the log."""
    logger = logging.getLogger("healthnews_nlp")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def read_bytes(folder: Path, data: bytes, suffix: str = ".txt") -> list[Article | IngestFailure]:
    """Write ``data`` to a fresh file, read it both ways, check both agree; the file is removed."""
    path = folder / f"case-{next(_names)}{suffix}"
    path.write_bytes(data)
    try:
        with bounded(what=f"reading {len(data)} bytes"):
            results = list(read_articles(path))
            try:
                single: Article | None = read_article(path)
            except IngestError as error:
                single = None
                assert error.stage in STAGES and error.reason
                str(error).encode("utf-8")
        check_results(results)
        articles = [r for r in results if isinstance(r, Article)]
        if len(results) == 1 and articles:
            assert single == articles[0]
        else:
            assert single is None
        return results
    finally:
        path.unlink()


def _encoded(text: str) -> bytes:
    return text.encode("utf-8")


# --- generated inputs ------------------------------------------------------------------------


@fuzz(250)
@given(data=st.binary(max_size=4096))
def test_random_bytes(folder: Path, data: bytes) -> None:
    count()
    read_bytes(folder, data)


@fuzz(300)
@given(data=damaged(any_document), suffix=st.sampled_from([".txt", ".html", ".md", ".jsonl", ".csv", ""]))
def test_any_document_in_any_encoding_damaged_or_not(folder: Path, data: bytes, suffix: str) -> None:
    """Other encodings, truncated anywhere, bytes spliced in or flipped, two encodings in one file."""
    count()
    read_bytes(folder, data, suffix)


@fuzz(200)
@given(document=text_document)
def test_plain_text_articles(folder: Path, document: str) -> None:
    count()
    results = read_bytes(folder, _encoded(document))
    if document.strip(" \t\r\n\u3000\u00a0\u200b\ufeff") and not any(isinstance(r, Article) for r in results):
        [failure] = results
        assert failure.stage in ("decode", "clean")


@fuzz(250)
@given(document=html_document)
def test_html_pages(folder: Path, document: str) -> None:
    count()
    read_bytes(folder, _encoded(document), ".html")


@fuzz(250)
@given(markup=html_fragment, base=st.integers(0, 50))
def test_html_to_text_maps_every_character_into_the_markup(markup: str, base: int) -> None:
    """The visible text is copied from the markup: a character maps to itself, or to the tag or
    entity it stands for (a line break for a block tag, ``中`` for ``&#20013;``)."""
    count()
    source = " " * base + markup
    with bounded():
        text, offsets, images = html_to_text(markup, base=base)
    check_offsets(offsets, len(text), len(source))
    assert all(isinstance(url, str) and url for url in images)
    for start, end, src_start, src_end in offsets.segments:
        if end - start == src_end - src_start:
            for i in range(end - start):
                char, raw = text[start + i], source[src_start + i]
                assert char == raw or char == "\n" or raw in "<&", (char, raw, markup)


_hidden = st.sampled_from(["script", "style", "SCRIPT", "noscript", "template", "title", "svg"])


@fuzz(100)
@given(
    parts=st.lists(
        st.one_of(nasty_line.map(lambda t: ("text", t.replace("<", "").replace("&", ""))), _hidden.map(lambda t: ("hidden", t))),
        max_size=8,
    )
)
def test_script_and_style_content_never_shows(parts: list[tuple[str, str]]) -> None:
    count()
    markup = "".join(
        f"<p>{value}</p>" if kind == "text" else f"<{value}>隐藏内容 if (a < b) {{ '<p>' }}</{value}>" for kind, value in parts
    )
    with bounded():
        text, _, _ = html_to_text(markup)
    assert "隐藏内容" not in text


@fuzz(30)
@given(
    tag=st.sampled_from(["div", "span", "p", "b", "table", "li", "script", "svg", "x"]),
    depth=st.integers(1000, 10_000),
    close=st.booleans(),
)
def test_deep_nesting_takes_linear_time(folder: Path, tag: str, depth: int, close: bool) -> None:
    count()
    started = time.perf_counter()
    read_bytes(folder, _encoded(f"<html><body>{nested(tag, depth, '深层正文。', close=close)}</body></html>"), ".html")
    assert time.perf_counter() - started < 5.0


@fuzz(300)
@given(document=front_matter_document)
def test_hexo_front_matter(folder: Path, document: str) -> None:
    """Hostile YAML (python tags, aliases, bad dates, huge integers, unclosed quotes…), sometimes no end."""
    count()
    read_bytes(folder, _encoded(document), ".md")


@fuzz(200)
@given(document=jsonl_document, encoding=st.sampled_from(["utf-8", "utf-16", "gbk"]))
def test_jsonl_collections(folder: Path, document: str, encoding: str) -> None:
    """Records of every JSON type and broken lines: a bad record spoils only itself."""
    count()
    results = read_bytes(folder, document.encode(encoding, errors="replace"), ".jsonl")
    for result in results:
        source = result.source
        if isinstance(result, IngestFailure) and ":" in source.rsplit("/", 1)[-1]:
            assert source.rsplit(":", 1)[1].isdigit()  # a record is named by its line


@fuzz(150)
@given(document=csv_document, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_csv_collections(folder: Path, document: str, encoding: str) -> None:
    count()
    read_bytes(folder, document.encode(encoding, errors="replace"), ".csv")


@fuzz(300)
@given(text=nasty_text)
def test_text_functions(text: str) -> None:
    """clean and its steps keep a valid map and a clean result for any text; dates never raise."""
    count()
    with bounded():
        for step in (strip_pinyin, to_simplified, normalize_whitespace):
            result, offsets = step(text)
            check_offsets(offsets, len(result), len(text))
        cleaned, offsets, script = clean(text)
        check_offsets(offsets, len(cleaned), len(text))
        assert script in ("simplified", "traditional") and detect_script(text) in ("simplified", "traditional")
        assert "\r" not in cleaned and "\n\n" not in cleaned and "\u200b" not in cleaned
        for position in range(len(cleaned)):
            start, end = offsets.source_span(position, position + 1)
            assert 0 <= start <= end <= len(text)
        for value in (text, text.strip()):
            date = parse_date(value)
            assert date is None or date.tzinfo is not None
        year = latest_year(text)
        month_day(text, year)


@fuzz(100)
@given(value=json_value)
def test_parse_date_takes_any_value(value: Any) -> None:
    count()
    date = parse_date(value)
    assert date is None or date.tzinfo is not None


@fuzz(40)
@given(documents=st.lists(st.tuples(damaged(any_document), st.sampled_from(["a.txt", "b.html", "c.md", "d.jsonl", "e.csv"])), min_size=1, max_size=8))
def test_a_folder_of_generated_files(folder: Path, documents: list[tuple[bytes, str]]) -> None:
    """A batch goes on past every bad file: each file gives at least one result, in sorted order."""
    count()
    root = folder / f"batch-{next(_names)}"
    (root / "sub").mkdir(parents=True)
    paths = []
    for index, (data, name) in enumerate(documents):
        path = root / ("sub" if index % 2 else "") / f"{index:02d}-{name}"
        path.write_bytes(data)
        paths.append(path)
    with bounded():
        results = list(read_articles(root))
    check_results(results)
    sources = {r.source.rsplit(":", 1)[0] if r.source not in map(str, paths) else r.source for r in results}
    assert {str(p) for p in paths} <= sources | {r.source for r in results}
    for path in paths:
        path.unlink()


# --- a fixed corpus of nasty files -----------------------------------------------------------


def _gbk_window_cut() -> bytes:
    """A GBK file over 64 KB whose detection window ends inside a character (read as mojibake once)."""
    line = "医院与公司签署战略合作协议，共同推进医疗健康事业发展。\n"
    return ("a标题\n" + line * 3000).encode("gbk")


def _utf16_cut() -> bytes:
    return "标题\n正文内容很多。".encode("utf-16")[:-1]


NASTY: dict[str, tuple[bytes, str, str, Callable[[Any], None] | None]] = {}
"""name → (bytes, file suffix, "article" | "error" | "either", extra check)."""


def nasty(name: str, data: bytes, expect: str, suffix: str = ".txt", check: Callable[[Any], None] | None = None) -> None:
    NASTY[name] = (data, suffix, expect, check)


def _text_is(expected: str) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert result.text == expected, result.text[:200]

    return check


def _text_has(*parts: str) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        for part in parts:
            assert part in result.text, (part, result.text[:200])

    return check


def _message_has(part: str) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert part in result.message, result.message

    return check


nasty("random bytes", random.Random(1).randbytes(65536), "error")
nasty("random bytes after a text head", "标题\n正文。\n".encode() + random.Random(2).randbytes(5000), "either")
nasty("truncated UTF-8", "标题\n正文内容".encode()[:-1], "article", check=_text_is("标题\n正文内"))
nasty("truncated UTF-8 in the middle", "标题\n正文".encode() + "内容".encode()[:2] + "其余正文。".encode(), "either")
nasty("truncated UTF-16", _utf16_cut(), "either")
nasty(
    "mixed encodings",
    "第一段是UTF-8。\n".encode() + "第二段是GBK。\n".encode("gbk") + "第三段是Big5。".encode("big5"),
    "either",
)
nasty("GBK over 64 KB cut inside a character", _gbk_window_cut(), "article", check=_text_has("a标题\n医院与公司"))
nasty("HTML with unclosed tags", "<html><body><p>正文<b>粗<i>斜<div>块<table><tr><td>格".encode(), "article", ".html",
      _text_has("正文粗斜"))
nasty(
    "nested scripts",
    "<html><body><script><script>var a='脚本';</script>外层</script><p>正文。</p></body></html>".encode(),
    "article",
    ".html",
    lambda a: "脚本" not in a.text,
)
nasty("unclosed script", "<html><body><p>正文。</p><script>var x = '未闭合".encode(), "article", ".html", _text_is("正文。"))
nasty("10,000 nested elements", f"<html><body>{nested('div', 10_000, '正文。')}</body></html>".encode(), "article", ".html",
      _text_is("正文。"))
nasty("10,000 unclosed nested elements", ("<div><span>" * 10_000 + "正文。").encode(), "article", ".html", _text_is("正文。"))
nasty("10,000 nested elements with text", ("<body>" + "<span>字" * 10_000 + "</span>" * 10_000).encode(), "article", ".html",
      _text_is("字" * 10_000))
nasty("10,000 nested scripts", f"<html><body>{nested('script', 10_000, '正文。')}</body></html>".encode(), "either", ".html")
nasty("front matter without an end", "---\ntitle: 标题\ndate: 2021-10-18\n<p>正文。</p>\n".encode(), "error", ".md",
      _message_has("no closing '---'"))
nasty("front matter only", b"---\n", "error", ".md")
nasty("empty front matter", b"---\n---\n", "error", ".md")
nasty("1 MB single line without punctuation", ("字" * (2**20 // 3)).encode(), "article",
      check=lambda a: len(a.text) == 2**20 // 3)
nasty("1 MB single ASCII line", b"a" * 2**20, "article", check=lambda a: len(a.text) == 2**20)
nasty("only Chinese punctuation", "，。！？、；：“”《》【】（）……——".encode() * 50, "article")
nasty("only ASCII punctuation", b"!?.,;:'\"()[]{}<>-_/\\|@#$%^&*+=~`" * 50, "article")
nasty("only ASCII", b"Hospital signs a partnership agreement with Tencent.\nIn Beijing.", "article")
nasty(
    "emoji and CJK extensions",
    "😀🏥💊 医院 \U00020000\U0002a6a5\U0002a700\U0002b740\U0002b820\U0002ceb0\U00030000\U00031350 合作\n正文😀。".encode(),
    "article",
    check=_text_has("\U00020000\U0002a6a5", "\U00031350", "😀🏥💊"),
)
nasty("zero-width characters inside names", "合作\n深圳市第三人民医院与腾\u200b讯\u200d达成合作，北京\u2060协和医院出席。".encode(),
      "article", check=_text_has("腾讯达成", "北京协和医院"))
nasty("full-width and half-width forms", "新闻\nＤＨ４００工作组与DH400工作组。".encode(), "article",
      check=_text_has("DH400工作组与DH400工作组"))
nasty("lone surrogates in JSON", b'{"title": "t\\udc80", "text": "\\ud800 abc"}\n', "article", ".jsonl",
      _text_is("t\ufffd\n\ufffd abc"))
nasty("JSON nested 100,000 deep", b'{"title": "t", "text": "x", "n": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "error",
      ".jsonl", _message_has("nested too deeply"))
nasty("YAML nested 100,000 deep", b"---\ntitle: " + b"[" * 100_000 + b"]" * 100_000 + b"\n---\n<p>x</p>\n", "error", ".md",
      _message_has("nested too deeply"))
nasty("YAML integer of 5,000 digits", b"---\ntitle: " + b"9" * 5000 + b"\n---\n<p>x</p>\n", "error", ".md")
nasty("YAML impossible date", "---\ntitle: 标题\ndate: 2021-02-30\n---\n<p>正文。</p>\n".encode(), "article", ".md",
      lambda a: a.date is None and a.title == "标题")
nasty("YAML bad explicit tags", b"---\ntitle: !!timestamp xyz\nx: !!float y\n---\n<p>x</p>\n", "error", ".md")
nasty("YAML code point out of range", b'---\ntitle: "\\U00110000"\n---\n<p>x</p>\n', "error", ".md")
nasty("carriage returns only", "标题\r正文一。\r正文二。".encode(), "article", check=_text_is("标题\n正文一。\n正文二。"))
nasty("control characters", b"\x1b[31m\x01\x02" * 100, "error")
nasty("BOM only", b"\xef\xbb\xbf", "error")
nasty("CSV field over the csv module's limit", b'title,text\n"t","' + b"x" * 200_000 + b'"\n', "article", ".csv",
      _text_is("t\n" + "x" * 200_000))
nasty("unterminated HTML comment of 5 MB", b"<html><body><p>\xe6\xad\xa3\xe6\x96\x87\xe3\x80\x82</p><!--" + b"x" * (5 << 20),
      "article", ".html", _text_is("正文。"))


@pytest.mark.parametrize("name", list(NASTY))
def test_nasty_file(name: str, tmp_path: Path) -> None:
    count("fixed")
    data, suffix, expect, check = NASTY[name]
    results = read_bytes(tmp_path, data, suffix)
    outcome = {type(r) for r in results}
    if expect == "article":
        assert outcome == {Article}, results
    elif expect == "error":
        assert IngestFailure in outcome, results
    if check is not None:
        for result in results:
            if (expect == "article") == isinstance(result, Article):
                check(result)


def _records(results: list[Article | IngestFailure]) -> list[tuple[str, str]]:
    return [
        (r.title, r.text.split("\n")[-1]) if isinstance(r, Article) else (r.source, r.message) for r in results
    ]


def test_a_csv_field_over_128_kb_loses_no_later_record(tmp_path: Path) -> None:
    """The csv module's default field limit (131,072) stopped the file at the first longer field."""
    count("fixed")
    path = tmp_path / "big.csv"
    path.write_text(f'title,text\n一,"{"长" * 200_000}。"\n二,正文二。\n三,正文三。\n', encoding="utf-8")
    results = list(read_articles(path))
    check_results(results)
    assert [r.title for r in results if isinstance(r, Article)] == ["一", "二", "三"]
    import csv

    assert csv.field_size_limit() == 131_072  # the process-wide setting is left as it was


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_record_over_the_size_limit_is_an_error_record_and_the_rest_is_read(suffix: str, tmp_path: Path) -> None:
    """Records have the limit files have (``max_bytes``, 10 MB by default): one over it fails alone."""
    count("fixed")
    records = [("一", "正文一。"), ("二", "长" * 60_000 + "。"), ("三", "正文三。")]
    path = tmp_path / f"records{suffix}"
    if suffix == ".jsonl":
        lines = [json.dumps({"title": t, "text": x}, ensure_ascii=False) for t, x in records]
    else:
        lines = ["title,text", *(f"{t},{x}" for t, x in records)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with bounded(what="a record over the limit"):
        results = list(read_articles(path, max_bytes=100_000))
    check_results(results)
    articles = [r for r in results if isinstance(r, Article)]
    failures = [r for r in results if isinstance(r, IngestFailure)]
    assert [a.title for a in articles] == ["一", "三"]
    [failure] = failures
    assert failure.source == f"{path}:{2 if suffix == '.jsonl' else 3}"
    assert "larger than the 0.1 MB limit for one record" in failure.message


def test_a_jsonl_whose_first_line_is_gbk_is_read_line_by_line(tmp_path: Path) -> None:
    """No one encoding fits a file of a GBK line and UTF-8 lines: each line is decoded on its own."""
    count("fixed")
    first = json.dumps({"title": "第一条", "text": "深圳市第三人民医院与腾讯达成战略合作。"}, ensure_ascii=False)
    rest = [json.dumps({"title": f"第{n}条", "text": "北京协和医院。"}, ensure_ascii=False) for n in "二三"]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(first.encode("gbk") + b"\n" + "\n".join(rest).encode("utf-8") + b"\n")
    results = list(read_articles(path))
    check_results(results)
    assert _records(results) == [
        ("第一条", "深圳市第三人民医院与腾讯达成战略合作。"),
        ("第二条", "北京协和医院。"),
        ("第三条", "北京协和医院。"),
    ]


@pytest.mark.skipif(os.name != "posix", reason="file names are bytes on POSIX only")
def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A GBK file name on a UTF-8 system: the Article's source shows the bytes; it can be written."""
    count("fixed")
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, "中文".encode("gbk") + b".txt"), "wb") as handle:
        handle.write("标题\n正文。".encode())
    with open(os.path.join(folder, "坏".encode("gbk") + b".bin"), "wb") as handle:
        handle.write(random.Random(3).randbytes(300))
    articles, failures = check_results(list(read_articles(tmp_path)))
    assert [a.source for a in articles] == [str(tmp_path / "\\xd6\\xd0\\xce\\xc4.txt")]
    assert [f.source for f in failures] == [str(tmp_path / "\\xbb\\xb5.bin")]


_LINE = "医院与公司签署战略合作协议，共同推进医疗健康事业发展"
_TRADITIONAL_LINE = "醫院與公司簽署戰略合作協議，共同推進醫療健康事業發展"


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030", "big5", "utf-16", "utf-16-le", "utf-32"])
def test_a_file_cut_inside_its_last_character_loses_only_that_character(encoding: str, tmp_path: Path) -> None:
    count("fixed")
    line = _TRADITIONAL_LINE if encoding == "big5" else _LINE
    text = f"標題\n{line}。{line}"
    data = text.encode(encoding)
    width = {"utf-8": 3, "utf-32": 4}.get(encoding, 2)
    for cut in range(1, width):
        path = tmp_path / f"{encoding}-{cut}.txt"
        path.write_bytes(data[:-cut])
        article = read_article(path)
        check_article(article)
        assert article.raw == text[:-1], (cut, article.raw)
