"""The five seed articles read to the expected metadata and clean text.

Seeds 000-002 are Hexo markdown (YAML front matter, HTML body); 003 and 004
are plain-text copies of chinanews pages in traditional Chinese with inline
pinyin annotations and page furniture. Expected texts are derived here from
the raw files independently of the library (lxml for the HTML, OpenCC and a
test-owned pinyin pattern for the conversion; see ``conftest.Reference``),
never copied from the library's output.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html
import pytest

from healthnews_nlp import Article, read_article

if TYPE_CHECKING:
    from conftest import Reference

UTC = timezone.utc
UTC8 = timezone(timedelta(hours=8))

# number -> (title, date, format, script)
EXPECTED = {
    "000": (
        "中国电信携手宁夏卫健委共同启动_打造人工智能医学大脑发布仪式_",
        datetime(2021, 10, 18, 1, 53, tzinfo=UTC),
        "hexo",
        "simplified",
    ),
    "001": (
        "数字健康创新峰会 洞见智慧健康医疗未来",
        datetime(2021, 10, 22, 3, 43, tzinfo=UTC),
        "hexo",
        "simplified",
    ),
    "002": (
        "从服务到传染病防治，腾讯牵手国研中心、深圳三院探索数字医疗新模式",
        datetime(2022, 9, 26, 6, 21, tzinfo=UTC),
        "hexo",
        "simplified",
    ),
    # dateline "12月21日" without a year: the year is the latest one written in the
    # article ("智慧医疗2020"), the documented heuristic of dates.latest_year
    "003": (
        "瞄准智慧医疗 百家医院与科技企业等搭建跨界协同平台",
        datetime(2020, 12, 21, tzinfo=UTC8),
        "newspage",
        "traditional",
    ),
    "004": (
        "共建数智医疗新高地!自治区人民医院与徐涛院士团队达成战略合作",
        datetime(2025, 7, 1, 13, 0, 14, tzinfo=UTC8),
        "newspage",
        "traditional",
    ),
}
HEXO = ["000", "001", "002"]
NEWSPAGES = ["003", "004"]

_FULLWIDTH = {
    code: code - 0xFEE0
    for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _lines(text: str) -> list[str]:
    return text.split("\n")


# --- every seed ---------------------------------------------------------------------------------


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_seed_reads_to_expected_title_date_format_and_script(
    number: str, seed_articles: dict[str, Article]
) -> None:
    title, date, kind, script = EXPECTED[number]
    article = seed_articles[number]
    assert article.title == title
    assert article.date == date
    assert article.date is not None and article.date.utcoffset() == date.utcoffset()
    assert article.format == kind
    assert article.script == script
    assert article.record is None


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_title_is_the_first_paragraph_and_paragraph_spans_are_the_lines(
    number: str, seed_articles: dict[str, Article]
) -> None:
    article = seed_articles[number]
    lines = _lines(article.text)
    assert lines[0] == article.title
    assert all(line and line == line.strip() for line in lines), "no blank or untrimmed lines"
    assert [article.text[start:end] for start, end in article.paragraphs] == lines
    assert len(article.text) == article.offsets.length


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_id_is_a_stable_hash_of_the_bytes_not_of_the_path(
    number: str, seed_path: Callable[[str], Path], seed_articles: dict[str, Article], tmp_path: Path
) -> None:
    original = seed_articles[number]
    copy = tmp_path / "renamed.md"
    shutil.copyfile(seed_path(number), copy)
    assert read_article(copy).id == original.id == read_article(seed_path(number)).id
    changed = tmp_path / "changed.txt"
    changed.write_bytes(seed_path(number).read_bytes() + "\n补充。\n".encode())
    assert read_article(changed).id != original.id
    assert original.source == str(seed_path(number))


def test_seed_ids_are_distinct(seed_articles: dict[str, Article]) -> None:
    assert len({article.id for article in seed_articles.values()}) == len(seed_articles)


# --- Hexo markdown -------------------------------------------------------------------------------


def _hexo_body(raw: str) -> str:
    """The body after the front matter's closing ``---`` line."""
    match = re.search(r"\A\s*---[ \t]*\n.*?^---[ \t]*$", raw, re.DOTALL | re.MULTILINE)
    assert match, "seed has front matter"
    return raw[match.end() :]


def _expected_hexo_lines(raw: str) -> list[str]:
    """Lines of the body as lxml sees them: each ``<p>``, split at ``<br>``, whitespace collapsed."""
    body = re.sub(r"<br\s*/?>", "\n", _hexo_body(raw), flags=re.IGNORECASE)
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    lines = []
    for paragraph in root.iter("p"):
        for line in paragraph.text_content().split("\n"):
            line = " ".join(line.split()).translate(_FULLWIDTH)
            if line:
                lines.append(line)
    return lines


@pytest.mark.parametrize("number", HEXO)
def test_hexo_text_is_the_title_then_the_html_paragraphs(
    number: str, seed_path: Callable[[str], Path], seed_articles: dict[str, Article]
) -> None:
    """Paragraphs and ``<br>`` become line breaks, markup goes, every visible line is kept in order."""
    raw = seed_path(number).read_text(encoding="utf-8")
    expected = _expected_hexo_lines(raw)
    assert len(expected) > 3
    assert _lines(seed_articles[number].text) == [EXPECTED[number][0], *expected]


def test_hexo_br_becomes_a_line_break(seed_articles: dict[str, Article], seed_path: Callable[[str], Path]) -> None:
    raw = seed_path("000").read_text(encoding="utf-8")
    before, after = re.search(r"([^<>]{6})<br>([^<>]{6})", raw).groups()  # type: ignore[union-attr]
    assert f"{before}\n{after}" in seed_articles["000"].text


@pytest.mark.parametrize("number", ["001", "002"])
def test_hexo_inline_links_keep_their_text_in_place(
    number: str, seed_path: Callable[[str], Path], seed_articles: dict[str, Article]
) -> None:
    raw = seed_path(number).read_text(encoding="utf-8")
    links = re.findall(r"([^<>]{1,8})<span[^>]*><a [^>]*>([^<]+)</a></span>([^<>]{1,8})", raw)
    assert links, "the seed has inline links"
    text = seed_articles[number].text
    for before, link_text, after in links:
        assert f"{before.strip()}{link_text}{after.strip()}" in text


@pytest.mark.parametrize("number", HEXO)
def test_hexo_image_attributes_and_urls_are_dropped_from_the_text(
    number: str, seed_path: Callable[[str], Path], seed_articles: dict[str, Article]
) -> None:
    raw = seed_path(number).read_text(encoding="utf-8")
    article = seed_articles[number]
    assert "<img" in raw
    for marker in ("http", "referrerpolicy", "src=", "alt=", "style=", "images.ofweek.com"):
        assert marker not in article.text
    assert not re.search(r"</?[a-zA-Z!]", article.text), "no markup left"
    # an image's alt/title text is not visible text: the title (also an alt text in 001) shows once
    assert _lines(article.text).count(article.title) == 1


@pytest.mark.parametrize("number", HEXO)
def test_hexo_centered_caption_paragraphs_are_kept(
    number: str, seed_path: Callable[[str], Path], seed_articles: dict[str, Article]
) -> None:
    raw = seed_path(number).read_text(encoding="utf-8")
    centered = re.findall(r"<p[^>]*text-align:\s*center[^>]*>(.*?)</p>", raw)
    captions = [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in centered]
    lines = _lines(seed_articles[number].text)
    for caption in filter(None, captions):
        assert caption in lines
    if number == "001":
        assert len([c for c in captions if c]) >= 10


@pytest.mark.parametrize("number", HEXO)
def test_hexo_front_matter_metadata(
    number: str, seed_path: Callable[[str], Path], seed_articles: dict[str, Article]
) -> None:
    raw = seed_path(number).read_text(encoding="utf-8")
    article = seed_articles[number]
    assert article.author == "高科技行业门户"
    assert article.categories == ("新媒体", "高科技行业门户", "新闻")
    front_urls = re.findall(r"^(?:headimg|thumbnail): '([^']+)'", raw, re.MULTILINE)
    body_urls = re.findall(r'<img src="([^"]+)"', raw)
    assert list(article.image_urls) == list(dict.fromkeys([*front_urls, *body_urls]))
    assert article.url is None
    assert article.dateline is None


# --- chinanews page copies (003, 004) -----------------------------------------------------------


def _raw_title_line(raw: str, title: str, reference: Reference) -> str:
    lines = [line.strip() for line in raw.splitlines()]
    matches = {line for line in lines if reference.simplified(line) == title}
    assert len(matches) == 1, matches
    return matches.pop()


def _raw_body_lines(raw: str, title: str, reference: Reference) -> list[str]:
    """The body of a page copy, by the page's layout: after the (last) title line, before ``編輯:``.

    Blank lines and the ``image`` placeholders between paragraphs are not body.
    """
    lines = [line.strip() for line in raw.splitlines()]
    raw_title = _raw_title_line(raw, title, reference)
    start = max(index for index, line in enumerate(lines) if line == raw_title) + 1
    end = next(index for index, line in enumerate(lines) if re.match(r"^【?編輯[:：]", line))
    return [line for line in lines[start:end] if line and line != "image"]


@pytest.mark.parametrize("number", NEWSPAGES)
def test_newspage_raw_really_has_annotations_and_traditional_text(
    number: str, seed_path: Callable[[str], Path], reference: Reference
) -> None:
    """Guard for the tests below: the raw seeds hold what the clean text must lose."""
    raw = seed_path(number).read_text(encoding="utf-8")
    assert len(reference.PINYIN.findall(raw)) > 20
    assert "醫(yī)療" in raw
    assert sum(1 for char in raw if reference.t2s(char) != char) > 100


@pytest.mark.parametrize("number", NEWSPAGES)
def test_newspage_clean_text_has_no_pinyin_annotation(number: str, seed_articles: dict[str, Article], reference: Reference) -> None:
    text = seed_articles[number].text
    assert reference.PINYIN.search(text) is None
    assert not re.search(r"[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]", text)


@pytest.mark.parametrize("number", NEWSPAGES)
def test_newspage_clean_text_has_no_traditional_character(
    number: str, seed_articles: dict[str, Article], reference: Reference
) -> None:
    text = seed_articles[number].text
    unconverted = sorted({char for char in _HAN.findall(text) if reference.t2s(char) != char})
    assert unconverted == []
    assert reference.t2s(text) == text
    # 著 as the aspect particle is left by OpenCC's table and fixed from t2s_fixes.tsv
    for leftover in ("标志著", "有著", "随著"):
        assert leftover not in text
    if number == "004":
        assert text.count("标志着") == 2 and "有着" in text


FURNITURE_SUBSTRINGS = (
    "首页>",
    "分享到",
    "编辑:",
    "【编辑",
    "关键词",
    "本网站所刊载",
    "未经授权",
    "刊用本网站稿件",
    "ICP",
    "公网安备",
    "Copyright",
    "chinanews.com",
    "新闻热线",
    "技术支持",
    "总机",
    "《中国新闻》",
)


@pytest.mark.parametrize("number", NEWSPAGES)
def test_newspage_furniture_is_removed(number: str, seed_articles: dict[str, Article]) -> None:
    article = seed_articles[number]
    lines = _lines(article.text)
    for furniture in FURNITURE_SUBSTRINGS:
        assert furniture not in article.text, furniture
    assert "image" not in lines
    assert "中新网" not in lines  # the site name standing alone
    assert lines.count(article.title) == 1  # the repeated title lines are gone
    assert not any(re.match(r"^\S{1,8}(>\S{1,8})+$", line) for line in lines)  # breadcrumb


def test_newspage_furniture_was_there_to_remove(seed_path: Callable[[str], Path], reference: Reference) -> None:
    """Guard: the raw pages (converted) do carry the furniture the test above looks for."""
    raw = "\n".join(
        reference.simplified(seed_path(n).read_text(encoding="utf-8")) for n in NEWSPAGES
    )
    for furniture in FURNITURE_SUBSTRINGS:
        assert furniture in raw, furniture


@pytest.mark.parametrize("number", NEWSPAGES)
def test_newspage_keeps_every_body_sentence(
    number: str, seed_path: Callable[[str], Path], seed_articles: dict[str, Article], reference: Reference
) -> None:
    raw = seed_path(number).read_text(encoding="utf-8")
    title = EXPECTED[number][0]
    body = _raw_body_lines(raw, title, reference)
    clean = reference.fold(seed_articles[number].text)
    sentences = [
        sentence
        for line in body
        for sentence in _SENTENCE_END.split(reference.simplified(line))
        if sentence.strip()
    ]
    assert len(sentences) > 8
    missing = [s for s in sentences if reference.fold(s) not in clean]
    assert missing == []
    # and nothing else: the clean text is exactly the title line followed by the body
    title_line, rest = seed_articles[number].text.split("\n", 1)
    assert title_line == title
    assert reference.fold(rest) == reference.fold(reference.simplified("\n".join(body)))


def test_newspage_003_dateline(seed_articles: dict[str, Article]) -> None:
    article = seed_articles["003"]
    assert article.dateline is not None
    start, end = article.dateline
    assert article.text[start:end] == "中新网北京12月21日电 (记者 杜燕)"
    assert article.text[end:].startswith("国内国际重点医院")


def test_newspage_004_dateline(
    seed_path: Callable[[str], Path], seed_articles: dict[str, Article], reference: Reference
) -> None:
    raw = seed_path("004").read_text(encoding="utf-8")
    raw_line = next(line.strip() for line in raw.splitlines() if re.match(r"^\d{4}-\d\d-\d\d \d\d:", line))
    article = seed_articles["004"]
    expected = reference.simplified(raw_line)
    assert expected.startswith("2025-07-01 13:00:14 来源:")
    assert _lines(article.text)[1] == expected
    assert article.dateline is not None
    assert article.text[slice(*article.dateline)] == expected


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_chinese_punctuation_is_kept(
    number: str, seed_path: Callable[[str], Path], seed_articles: dict[str, Article], reference: Reference
) -> None:
    """Every Chinese punctuation mark of the visible source text survives, none is converted."""
    punctuation = "，。、；：？！“”‘’《》（）【】—…·"
    raw = seed_path(number).read_text(encoding="utf-8")
    if number in HEXO:
        source = "\n".join([EXPECTED[number][0], *_expected_hexo_lines(raw)])
    else:
        source = "\n".join([EXPECTED[number][0], *_raw_body_lines(raw, EXPECTED[number][0], reference)])
    text = seed_articles[number].text
    for mark in punctuation:
        assert text.count(mark) == source.count(mark), mark


def test_seed_003_mojibake_is_from_the_source_not_from_us(
    seed_path: Callable[[str], Path], seed_articles: dict[str, Article]
) -> None:
    """``或?qū)<业瓤珙I域`` is already garbled in the raw page; the clean text keeps it verbatim."""
    raw = seed_path("003").read_text(encoding="utf-8")
    assert "或?qū)<业瓤珙I域" in raw
    assert "或?qū)<业瓤珙I域" in seed_articles["003"].text

