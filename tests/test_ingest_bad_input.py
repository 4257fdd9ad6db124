"""Bad input: every case gives either a correct Article or an IngestError naming the file and the reason.

All inputs are generated here in ``tmp_path``: other encodings of the real
seeds, empty and binary files, a 50 MB file, broken front matter, HTML with
scripts and styles, and a directory mixing good and bad files.
"""

from __future__ import annotations

import logging
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from healthnews_nlp import Article, IngestError, IngestFailure, read_article, read_articles
from healthnews_nlp.ingest.decode import detect_encoding
from healthnews_nlp.ingest.readers import MAX_ARTICLE_BYTES

if TYPE_CHECKING:
    from conftest import Reference

# --- other encodings of the real seeds ----------------------------------------------------------


def _same_article(article: Article, original: Article) -> None:
    assert article.raw == original.raw
    assert article.text == original.text
    assert (article.title, article.date, article.format, article.script) == (
        original.title,
        original.date,
        original.format,
        original.script,
    )
    assert article.offsets == original.offsets
    assert article.id != original.id  # a hash of different bytes


@pytest.mark.parametrize(
    ("number", "encoding"),
    [
        ("000", "gbk"),
        ("002", "gbk"),
        ("003", "gbk"),  # traditional characters and tone-marked pinyin are in GBK too
        ("004", "gb18030"),
        *[(number, "utf-16") for number in ("000", "001", "002", "003", "004")],  # with a BOM
        ("003", "utf-16-le"),  # without a BOM
        ("004", "utf-16-be"),
    ],
)
def test_seed_in_another_encoding_reads_to_the_same_article(
    number: str,
    encoding: str,
    seed_path: Callable[[str], Path],
    seed_articles: dict[str, Article],
    tmp_path: Path,
) -> None:
    path = tmp_path / f"{number}.{encoding}.txt"
    path.write_bytes(seed_path(number).read_text(encoding="utf-8").encode(encoding))
    _same_article(read_article(path), seed_articles[number])


def test_big5_page_reads_to_the_same_clean_text(
    seed_path: Callable[[str], Path], seed_articles: dict[str, Article], reference: Reference, tmp_path: Path
) -> None:
    """Big5 has no tone-marked letters and no ©: encode seed 004 without its pinyin annotations
    (which cleaning removes anyway) and with the © of its footer (removed as furniture) spelled out."""
    raw = seed_path("004").read_text(encoding="utf-8")
    big5_text = reference.strip_pinyin(raw).replace("©", "(C)")
    path = tmp_path / "004.big5.txt"
    path.write_bytes(big5_text.encode("big5"))
    article = read_article(path)
    original = seed_articles["004"]
    assert article.raw == big5_text
    assert (article.title, article.date, article.script, article.text) == (
        original.title,
        original.date,
        original.script,
        original.text,
    )


@pytest.mark.parametrize(
    ("number", "encoding", "detected"),
    [("001", "gbk", {"gb18030", "gbk", "gb2312"}), ("003", "gbk", {"gb18030", "gbk"})],
)
def test_encoding_comes_from_a_real_detector(
    number: str, encoding: str, detected: set[str], seed_path: Callable[[str], Path]
) -> None:
    data = seed_path(number).read_text(encoding="utf-8").encode(encoding)
    assert detect_encoding(data, "x.txt") in detected


def test_big5_is_detected(seed_path: Callable[[str], Path], reference: Reference) -> None:
    text = reference.strip_pinyin(seed_path("004").read_text(encoding="utf-8")).replace("©", "")
    assert detect_encoding(text.encode("big5"), "x.txt") in {"big5", "cp950", "big5hkscs"}


# --- empty and binary ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [b"", b"  \n\t\r\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"], ids=["empty", "blank", "bom", "bom+blank"]
)
def test_empty_file(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        read_article(path)
    assert str(caught.value) == f"{path}: empty file"
    assert (caught.value.path, caught.value.reason, caught.value.stage) == (str(path), "empty file", "decode")


def _random_bytes(seed: int, size: int = 4096) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize(
    "data",
    [
        *[_random_bytes(seed) for seed in range(5)],
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _random_bytes(99, 2000),
        bytes(5000),
        b"\x7fELF\x02\x01\x01" + bytes(100) + _random_bytes(7, 3000),
    ],
    ids=[*(f"random{seed}" for seed in range(5)), "png", "zeros", "elf"],
)
def test_binary_file(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        read_article(path)
    assert str(caught.value).startswith(f"{path}: binary content, not text")
    assert caught.value.stage == "decode"


# --- a 50 MB file -------------------------------------------------------------------------------


def _write_50_mb(path: Path, *, sparse: bool) -> None:
    line = "大文件的一行文字，用来凑足五十兆字节。\n".encode()
    chunk = line * (2**20 // len(line))
    with path.open("wb") as handle:
        for _ in range(1 if sparse else 50 * 2**20 // len(chunk) + 1):
            handle.write(chunk)
        handle.truncate(50 * 2**20)  # sparse: a real text head, then a hole up to 50 MB


@pytest.mark.parametrize("sparse", [False, True], ids=["written", "sparse"])
def test_50_mb_file_is_refused_quickly(sparse: bool, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    _write_50_mb(path, sparse=sparse)
    assert path.stat().st_size >= 50 * 2**20
    started = time.perf_counter()
    with pytest.raises(IngestError) as caught:
        read_article(path)
    assert time.perf_counter() - started < 2.0
    assert str(caught.value).startswith(f"{path}: 50.0 MB is larger than the 10.0 MB limit")
    assert "max_bytes" in caught.value.reason


def test_size_limit_is_a_parameter(seed_path: Callable[[str], Path]) -> None:
    assert MAX_ARTICLE_BYTES == 10 * 2**20
    with pytest.raises(IngestError, match="larger than the"):
        read_article(seed_path("001"), max_bytes=4096)
    assert read_article(seed_path("001"), max_bytes=1 << 20).title


# --- broken front matter ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("title: '未闭合的引号\ndate: Mon, 18 Oct 2021 01:53:00 GMT\n", "front matter is not valid YAML (line "),
        ("title: [列表, 没有结束\n", "front matter is not valid YAML (line "),
        ("title: 标题\n\tdate: 制表符缩进\n", "front matter is not valid YAML (line "),
        ("- 一个\n- 列表\n", "front matter is not a mapping"),
    ],
    ids=["open quote", "open list", "tab", "not a mapping"],
)
def test_broken_front_matter_names_the_file_and_says_front_matter(front: str, reason: str, tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_text(f"---\n{front}---\n<p>正文。</p>\n", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_article(path)
    assert str(caught.value).startswith(f"{path}: {reason}")
    assert caught.value.stage == "parse"


def test_unclosed_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_text("---\ntitle: 标题\ndate: 2021-10-18\n<p>正文。</p>\n", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_article(path)
    assert str(caught.value) == f"{path}: front matter has no closing '---' line"


# --- HTML with scripts and styles ---------------------------------------------------------------

SCRIPTED_PAGE = """<!DOCTYPE html>
<html><head><title>页面标题</title>
<style>p { color: red } .正文 { display: none }</style>
<script type="text/javascript">var secret = "脚本里的文字"; if (a < b) { document.write("<p>写出的段落</p>"); }</script>
</head><body>
<h1>真正的标题</h1>
<SCRIPT>alert("大写标签的脚本")</SCRIPT>
<p>第一段正文。</p><!-- 注释里的文字 -->
<noscript>请启用脚本</noscript>
<p>第二段<style>.x{}</style>正文。</p>
</body></html>
"""


def test_html_script_and_style_content_is_absent(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(SCRIPTED_PAGE, encoding="utf-8")
    article = read_article(path)
    assert article.format == "html"
    assert article.text == "真正的标题\n第一段正文。\n第二段正文。"
    for hidden in ("脚本", "写出的段落", "color", "display", "注释", "请启用", "页面标题", "alert"):
        assert hidden not in article.text


def test_hexo_body_script_and_style_are_absent(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_text(
        "---\ntitle: 标题\n---\n<div><script>var x = '脚本';</script><p>正文。</p><style>p{}</style></div>\n",
        encoding="utf-8",
    )
    assert read_article(path).text == "标题\n正文。"


def test_markup_only_is_an_error_not_an_empty_article(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<html><body><script>var x = 1;</script><img src='a.png'></body></html>", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_article(path)
    assert str(caught.value) == f"{path}: no article text after removing markup and page furniture"


# --- paths --------------------------------------------------------------------------------------


def test_missing_file_and_directory_given_to_read_article(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        read_article(tmp_path / "missing.txt")
    with pytest.raises(IngestError, match="not a regular file"):
        read_article(tmp_path)


# --- a directory of mixed files -----------------------------------------------------------------


def test_directory_of_mixed_files(
    seed_path: Callable[[str], Path],
    seed_articles: dict[str, Article],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = tmp_path / "corpus"
    (root / "nested" / "deeper").mkdir(parents=True)
    (root / ".cache").mkdir()
    for number in seed_articles:
        shutil.copyfile(seed_path(number), root / f"{number}.md")
    (root / "nested" / "deeper" / "plain.txt").write_text("纯文本标题\n纯文本正文。\n", encoding="utf-8")
    (root / "nested" / "records.jsonl").write_text(
        '{"title": "记录一", "text": "正文一。"}\n{"title": 坏记录}\n{"title": "记录二", "text": "正文二。"}\n',
        encoding="utf-8",
    )
    bad = {
        root / "empty.txt": b"",
        root / "nested" / "binary.bin": _random_bytes(1),
        root / "broken.md": "---\ntitle: '未闭合\n---\n<p>正文</p>\n".encode(),
        root / "unclosed.md": "---\ntitle: 标题\n<p>正文</p>\n".encode(),
    }
    for path, data in bad.items():
        path.write_bytes(data)
    (root / ".hidden.txt").write_bytes(_random_bytes(2))  # hidden files and directories are skipped
    (root / ".cache" / "junk.bin").write_bytes(_random_bytes(3))

    results: list[Article | IngestFailure] = []
    with caplog.at_level(logging.WARNING, logger="healthnews_nlp"):
        for result in read_articles(root):
            assert not caplog.records, "the report comes at the end, not in the middle"
            results.append(result)

    articles = [r for r in results if isinstance(r, Article)]
    failures = [r for r in results if isinstance(r, IngestFailure)]
    assert sorted(a.title for a in articles) == sorted(
        [*(a.title for a in seed_articles.values()), "纯文本标题", "记录一", "记录二"]
    )
    for article in articles:
        if article.source.endswith(".md"):
            assert article.text == seed_articles[Path(article.source).stem].text
    expected_failures = {str(path) for path in bad} | {f"{root / 'nested' / 'records.jsonl'}:2"}
    assert sorted(f.source for f in failures) == sorted(expected_failures)  # one per bad file or record
    assert all(f.error_type == "IngestError" and f.message for f in failures)

    [report] = caplog.records
    assert report.levelno == logging.WARNING
    message = report.getMessage()
    assert message.startswith("5 file(s) or record(s) could not be read")
    for failure in failures:
        assert f"{failure.source}: {failure.message}" in message


def test_good_directory_logs_no_report(
    seed_path: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copyfile(seed_path("000"), tmp_path / "a.md")
    with caplog.at_level(logging.WARNING, logger="healthnews_nlp"):
        results = list(read_articles(tmp_path))
    assert len(results) == 1 and isinstance(results[0], Article)
    assert not caplog.records
