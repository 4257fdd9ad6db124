"""Readers per format (sniffed from the content, not the file name), collections, cleaning, dates."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from healthnews_nlp import Article, IngestError, IngestFailure, read_article, read_articles
from healthnews_nlp.dates import latest_year, month_day, parse_date
from healthnews_nlp.ingest.clean import clean, detect_script

if TYPE_CHECKING:
    from conftest import Reference

UTC = timezone.utc
UTC8 = timezone(timedelta(hours=8))


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --- sniffing by content -------------------------------------------------------------------------

JSONL_TEXT = (
    json.dumps({"title": "第一篇", "text": "正文一。"}, ensure_ascii=False)
    + "\n"
    + json.dumps({"title": "第二篇", "text": "正文二。"}, ensure_ascii=False)
    + "\n"
)
CSV_TEXT = "title,text,date\n第一篇,正文一。,2021-10-14\n第二篇,正文二。,2021-10-15\n"
HTML_TEXT = "<!DOCTYPE html><html><body><h1>网页标题</h1><p>网页正文。</p></body></html>"
PLAIN_TEXT = "纯文本标题\n纯文本正文。\n"


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (JSONL_TEXT, "notes.txt", ["jsonl", "jsonl"]),
        (CSV_TEXT, "articles.json", ["csv", "csv"]),
        (HTML_TEXT, "page.md", ["html"]),
        (PLAIN_TEXT, "page.html", ["text"]),
        (PLAIN_TEXT, "data.csv", ["text"]),
    ],
    ids=["jsonl-as-txt", "csv-as-json", "html-as-md", "text-as-html", "text-as-csv"],
)
def test_format_is_sniffed_from_content_not_extension(
    content: str, name: str, expected: list[str], tmp_path: Path
) -> None:
    results = list(read_articles(_write(tmp_path / name, content)))
    assert all(isinstance(result, Article) for result in results)
    assert [result.format for result in results] == expected  # type: ignore[union-attr]


@pytest.mark.parametrize(("number", "name"), [("000", "data.csv"), ("003", "page.html"), ("004", "x.jsonl")])
def test_seed_under_a_misleading_name_reads_the_same(
    number: str, name: str, seed_path: Callable[[str], Path], seed_articles: dict[str, Article], tmp_path: Path
) -> None:
    copy = tmp_path / name
    shutil.copyfile(seed_path(number), copy)
    article = read_article(copy)
    original = seed_articles[number]
    assert (article.format, article.title, article.date, article.text) == (
        original.format,
        original.title,
        original.date,
        original.text,
    )


def test_a_long_dash_rule_is_not_front_matter(tmp_path: Path) -> None:
    """Only a first line of exactly ``---`` opens Hexo front matter (was: any ``---`` prefix)."""
    article = read_article(_write(tmp_path / "rule.txt", "----------\n标题\n正文第一段。\n"))
    assert article.format == "text"
    assert "正文第一段。" in article.text


# --- Hexo markdown -------------------------------------------------------------------------------

HEXO = """---
title: 测试 & 标题
date: Mon, 18 Oct 2021 01:53:00 GMT
categories: 新闻
author: 张三
cover: http://img.example/cover.png
permalink: https://example.com/a
---
<div><p>第一段&amp;文字&nbsp;有空格，<a href="http://x.example/" title="链接标题">链接文字</a>在句中。</p>
<p style="text-align: center"><img src="http://img.example/b.png" alt="替代文字" title="图片标题"></p>
<p style="text-align: center">图片说明</p><p>第二段<br/>第三行</p><p>
</p><script>var hidden = "脚本";</script><style>p { color: red }</style></div>
"""


def test_hexo_front_matter_and_body(tmp_path: Path) -> None:
    article = read_article(_write(tmp_path / "post.md", HEXO))
    assert article.format == "hexo"
    assert article.title == "测试 & 标题"
    assert article.date == datetime(2021, 10, 18, 1, 53, tzinfo=UTC)
    assert article.categories == ("新闻",)
    assert article.author == "张三"
    assert article.url == "https://example.com/a"
    assert article.image_urls == ("http://img.example/cover.png", "http://img.example/b.png")
    assert article.text.split("\n") == [
        "测试 & 标题",
        "第一段&文字 有空格，链接文字在句中。",
        "图片说明",
        "第二段",
        "第三行",
    ]
    for hidden in ("替代文字", "图片标题", "链接标题", "脚本", "color", "http"):
        assert hidden not in article.text


@pytest.mark.parametrize(
    ("date_line", "expected"),
    [
        ("date: Mon, 18 Oct 2021 01:53:00 GMT", datetime(2021, 10, 18, 1, 53, tzinfo=UTC)),
        ("date: 2021-10-18 09:53:00", datetime(2021, 10, 18, 9, 53, tzinfo=UTC8)),  # YAML datetime, no zone
        ("date: 2021-10-18T01:53:00Z", datetime(2021, 10, 18, 1, 53, tzinfo=UTC)),
        ("date: 2021-10-18", datetime(2021, 10, 18, tzinfo=UTC8)),  # YAML date
        ("date: '2021年10月18日'", datetime(2021, 10, 18, tzinfo=UTC8)),
        ("date: 不是日期", None),
        ("comments: false", None),
    ],
)
def test_hexo_dates_are_timezone_aware(date_line: str, expected: datetime | None, tmp_path: Path) -> None:
    article = read_article(_write(tmp_path / "post.md", f"---\ntitle: 标题\n{date_line}\n---\n<p>正文。</p>\n"))
    assert article.date == expected
    if expected is not None:
        assert article.date is not None and article.date.utcoffset() == expected.utcoffset()


def test_hexo_title_is_cleaned_like_the_text(tmp_path: Path) -> None:
    """A traditional title is the simplified first line, not the raw value (was: left traditional)."""
    post = "---\ntitle: 騰訊與醫(yī)院  合作\n---\n<p>醫療機構與騰訊合作，標志著新階段。</p>\n"
    article = read_article(_write(tmp_path / "post.md", post))
    assert article.script == "traditional"
    assert article.title == "腾讯与医院 合作"
    assert article.text.split("\n")[0] == article.title
    assert article.source_span(0, len(article.title)) == "騰訊與醫(yī)院  合作"


def test_hexo_multi_line_title_is_one_line(tmp_path: Path) -> None:
    article = read_article(_write(tmp_path / "post.md", "---\ntitle: |\n  第一行\n  第二行\n---\n<p>正文。</p>\n"))
    assert article.title == "第一行 第二行"
    assert article.text == "第一行 第二行\n正文。"


def test_hexo_markdown_body_without_html(tmp_path: Path) -> None:
    article = read_article(_write(tmp_path / "post.md", '---\ntitle: "带\\"引号\\"的标题"\n---\n第一段。\n\n第二段。\n'))
    assert article.title == '带"引号"的标题'
    assert article.text == '带"引号"的标题\n第一段。\n第二段。'


# --- HTML ---------------------------------------------------------------------------------------


def test_html_page_without_closing_head_keeps_its_body(tmp_path: Path) -> None:
    """HTML may omit ``</head>``; the body must not be skipped with it (was: whole text lost)."""
    page = '<html><head><meta charset="utf-8"><title>页面标题</title>\n<body><h1>标题</h1><p>正文。</p></body></html>'
    article = read_article(_write(tmp_path / "page.html", page))
    assert article.format == "html"
    assert article.text == "标题\n正文。"


# --- plain text and page copies -----------------------------------------------------------------


def test_plain_text_title_and_date_line(tmp_path: Path) -> None:
    text = "一篇纯文本文章的标题\n2021-10-14 09:30 来源:某报\n正文第一段。\n\n正文第二段。\n"
    article = read_article(_write(tmp_path / "a.txt", text))
    assert article.format == "text"
    assert article.title == "一篇纯文本文章的标题"
    assert article.date == datetime(2021, 10, 14, 9, 30, tzinfo=UTC8)
    assert article.text == "一篇纯文本文章的标题\n2021-10-14 09:30 来源:某报\n正文第一段。\n正文第二段。"
    assert article.dateline is not None and article.text[slice(*article.dateline)].startswith("2021-10-14")


def test_plain_text_without_date(tmp_path: Path) -> None:
    article = read_article(_write(tmp_path / "a.txt", "标题\n正文。"))
    assert (article.format, article.title, article.date, article.text) == ("text", "标题", None, "标题\n正文。")


NEWS_PAGE = """首页 > 新闻 > 健康
分享到：微信 微博

某医院与某公司签署合作协议
分享到：
某医院与某公司签署合作协议
中新网上海3月5日电（记者 李四）某医院与某公司5日签署合作协议，2024年建成实验室。
image
双方将共建实验室。
【编辑：张三】
关键词：医院 合作
本网站所刊载信息，不代表本网观点。
[京ICP备00000000号]
"""


def test_news_page_furniture_is_removed_and_the_dateline_completed(tmp_path: Path) -> None:
    article = read_article(_write(tmp_path / "page.txt", NEWS_PAGE))
    assert article.format == "newspage"
    assert article.title == "某医院与某公司签署合作协议"
    assert article.text.split("\n") == [
        "某医院与某公司签署合作协议",
        "中新网上海3月5日电（记者 李四）某医院与某公司5日签署合作协议，2024年建成实验室。",
        "双方将共建实验室。",
    ]
    # 3月5日 with the year the article writes (2024): the documented dates.latest_year heuristic
    assert article.date == datetime(2024, 3, 5, tzinfo=UTC8)
    assert article.dateline is not None
    assert article.text[slice(*article.dateline)] == "中新网上海3月5日电（记者 李四）"


# --- collections --------------------------------------------------------------------------------

RECORDS: list[dict[str, Any]] = [
    {"id": "a1", "title": "第一篇", "text": "正文一。\n第二行。", "date": "2021-10-18", "url": "http://x.example/1"},
    {"title": "第二篇", "html": "<p>段落&amp;一</p><p>段落二<br>换行</p>", "date": "Mon, 18 Oct 2021 01:53:00 GMT"},
    {"title": "第三篇繁體", "text": "醫(yī)療機構與騰訊合作，標志著新階段。"},
]


def _jsonl(records: list[Any]) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def _check_good_records(results: list[Article | IngestFailure], expected_records: list[int]) -> None:
    articles = [r for r in results if isinstance(r, Article)]
    assert [a.title for a in articles] == ["第一篇", "第二篇", "第三篇繁体"]
    assert [a.record for a in articles] == expected_records
    first, second, third = articles
    assert first.id == "a1" and first.url == "http://x.example/1"
    assert first.date == datetime(2021, 10, 18, tzinfo=UTC8)
    assert first.text == "第一篇\n正文一。\n第二行。"
    assert second.date == datetime(2021, 10, 18, 1, 53, tzinfo=UTC)
    assert second.text == "第二篇\n段落&一\n段落二\n换行"
    assert third.script == "traditional"
    assert third.text == "第三篇繁体\n医疗机构与腾讯合作，标志着新阶段。"
    assert len({a.id for a in articles}) == 3


def test_jsonl_bad_records_in_the_middle_do_not_stop_the_others(tmp_path: Path) -> None:
    lines = [RECORDS[0], '{"title": "坏记录", "text": ', RECORDS[1], {"title": "没有正文"}, "[1, 2]", "", RECORDS[2]]
    path = _write(tmp_path / "collection.jsonl", _jsonl(lines))
    results = list(read_articles(path))
    failures = [r for r in results if isinstance(r, IngestFailure)]
    assert [f.source for f in failures] == [f"{path}:2", f"{path}:4", f"{path}:5"]
    assert "not a JSON record" in failures[0].message
    assert "no 'text' or 'html'" in failures[1].message
    assert "not a JSON object" in failures[2].message
    _check_good_records(results, [1, 3, 7])
    assert all(r.format == "jsonl" and r.source == str(path) for r in results if isinstance(r, Article))


def test_jsonl_with_a_broken_first_record_is_still_a_collection(tmp_path: Path) -> None:
    """Sniffing must not turn the whole file into one text article when record 1 is bad."""
    path = _write(tmp_path / "c.jsonl", _jsonl(['{"title": "坏', *RECORDS]))
    results = list(read_articles(path))
    assert isinstance(results[0], IngestFailure) and results[0].source == f"{path}:1"
    _check_good_records(results, [2, 3, 4])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "gbk", "utf-8-sig"])
def test_jsonl_in_other_encodings(encoding: str, tmp_path: Path) -> None:
    """UTF-16 lines cannot be split at 0x0A bytes (上 is U+4E0A); was: every record broken."""
    records = [*RECORDS, {"title": "上海", "text": "上海的医院。"}]
    path = _write(tmp_path / "c.jsonl", _jsonl(records), encoding)
    results = list(read_articles(path))
    assert all(isinstance(r, Article) for r in results)
    assert [r.title for r in results] == ["第一篇", "第二篇", "第三篇繁体", "上海"]  # type: ignore[union-attr]


def test_jsonl_undecodable_line_spoils_only_its_own_record(tmp_path: Path) -> None:
    """A damaged line past the sniffed head (64 KB) of a UTF-8 collection fails alone."""
    filler = [{"title": f"填充{i}", "text": "填充记录的正文，" * 5} for i in range(600)]
    head = _jsonl(filler).encode()
    assert len(head) > 1 << 16
    path = tmp_path / "c.jsonl"
    path.write_bytes(head + b'{"title": "\xff\xfe", "text": "x"}\n' + _jsonl(RECORDS).encode())
    results = list(read_articles(path))
    failures = [r for r in results if isinstance(r, IngestFailure)]
    assert [f.source for f in failures] == [f"{path}:601"]
    assert "not a JSON record" in failures[0].message
    assert len(results) == 600 + 1 + 3
    _check_good_records(results[601:], [602, 603, 604])


def _csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["id", "title", "text", "html", "date", "url"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def test_csv_bad_record_in_the_middle_and_records_named_by_their_first_line(tmp_path: Path) -> None:
    rows = [RECORDS[0], {"title": "坏记录", "text": ""}, RECORDS[1], RECORDS[2]]
    path = _write(tmp_path / "c.csv", _csv(rows))
    results = list(read_articles(path))
    failures = [r for r in results if isinstance(r, IngestFailure)]
    # record 1 spans lines 2-3 (a line break inside its text); the bad record starts on line 4
    assert [f.source for f in failures] == [f"{path}:4"]
    assert "no 'text' or 'html'" in failures[0].message
    _check_good_records(results, [2, 5, 6])
    assert all(r.format == "csv" for r in results if isinstance(r, Article))


def test_csv_in_utf16(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.csv", _csv(RECORDS), "utf-16")
    _check_good_records(list(read_articles(path)), [2, 4, 5])


def test_record_offsets_point_into_the_record_raw_text(tmp_path: Path, reference: Reference) -> None:
    path = _write(tmp_path / "c.jsonl", _jsonl(RECORDS))
    third = [r for r in read_articles(path) if isinstance(r, Article)][2]
    assert third.raw == "第三篇繁體\n醫(yī)療機構與騰訊合作，標志著新階段。"
    start = third.text.index("医疗")
    assert third.source_span(start, start + 2) == "醫(yī)療"
    for start, end in third.paragraphs:
        raw = third.source_span(start, end)
        assert reference.comparable(raw) == reference.fold(third.text[start:end])


def test_read_article_refuses_a_collection(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.jsonl", _jsonl(RECORDS))
    with pytest.raises(IngestError, match="holds 3 articles; use read_articles"):
        read_article(path)


def test_record_without_text_after_markup_names_the_record(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.jsonl", _jsonl([{"html": "<img src='x.png'>"}, RECORDS[0]]))
    failure, article = list(read_articles(path))
    assert isinstance(failure, IngestFailure) and failure.source == f"{path}:1"
    assert isinstance(article, Article) and article.title == "第一篇"


# --- cleaning -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("醫(yī)療", "医疗"),
        ("輝瑞(Pfizer)與醫(yī)院", "辉瑞(Pfizer)与医院"),
        ("中國（guó）人", "中国人"),
        ("中國(zhōng guó)人", "中国人"),
        ("機構(AI)與(2020)年", "机构(AI)与(2020)年"),
        ("國(guo)家", "国(guo)家"),  # no tone mark: not an annotation
    ],
)
def test_inline_pinyin_annotations_are_stripped(raw: str, expected: str) -> None:
    assert clean(raw)[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("標志著新階段", "标志着新阶段"),
        ("有著悠久歷史", "有着悠久历史"),
        ("隨著發展", "随着发展"),
        ("著名醫院與顯著成果", "著名医院与显著成果"),  # 著 (zhù) is kept in its compounds
        ("土著與著作", "土著与著作"),
    ],
)
def test_traditional_is_converted_with_the_zhe_fixes(raw: str, expected: str) -> None:
    text, _, script = clean(raw)
    assert script == "traditional"
    assert text == expected


def test_simplified_text_is_not_converted() -> None:
    text = "这是简体：著名的标志著，乾隆年间。"  # 乾 is also simplified (乾隆)
    assert detect_script(text) == "simplified"
    assert clean(text) [0] == text


def test_whitespace_is_normalised_and_chinese_punctuation_kept() -> None:
    punctuation = "，。！？“”‘’；：、《》（）【】…—·"
    raw = f"  全角ＡＢＣ１２３ａｂ{punctuation}\u3000\u3000中文  空格\t制表\u00a0\n\n\n\u200b零宽\r\n行  \n"
    text, offsets, _ = clean(raw)
    assert text == f"全角ABC123ab{punctuation} 中文 空格 制表\n零宽\n行"
    assert offsets.length == len(text)


def test_script_detection(seed_articles: dict[str, Article], reference: Reference) -> None:
    assert detect_script("醫療機構與騰訊合作") == "traditional"
    assert detect_script("医疗机构与腾讯合作") == "simplified"
    assert detect_script("Pfizer AI 2021") == "simplified"
    raw_003 = seed_articles["003"].raw
    assert detect_script(reference.strip_pinyin(raw_003)) == "traditional"


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Mon, 18 Oct 2021 01:53:00 GMT", datetime(2021, 10, 18, 1, 53, tzinfo=UTC)),
        ("Fri, 22 Oct 2021 11:43:00 +0800", datetime(2021, 10, 22, 11, 43, tzinfo=UTC8)),
        ("2025-07-01 13:00:14", datetime(2025, 7, 1, 13, 0, 14, tzinfo=UTC8)),
        ("2025-07-01T05:00:14Z", datetime(2025, 7, 1, 5, 0, 14, tzinfo=UTC)),
        ("2021年10月14日", datetime(2021, 10, 14, tzinfo=UTC8)),
        ("2021年10月14日 09:30", datetime(2021, 10, 14, 9, 30, tzinfo=UTC8)),
        ("2025-07-01 13:00:14 来源:新疆人民医院订阅号", datetime(2025, 7, 1, 13, 0, 14, tzinfo=UTC8)),
        (datetime(2021, 1, 2, 3, 4), datetime(2021, 1, 2, 3, 4, tzinfo=UTC8)),
        ("2021-02-30", None),
        ("not a date", None),
        ("", None),
        (None, None),
        (20211014, None),
    ],
)
def test_parse_date(value: object, expected: datetime | None) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None
        assert parsed.utcoffset() == expected.utcoffset()  # type: ignore[union-attr]


def test_month_day_dateline_takes_the_latest_year_written() -> None:
    text = "中新网北京12月21日电 智慧医疗2020年度论坛，回顾2019年。"
    assert latest_year(text) == 2020
    assert latest_year("预计2099年建成，2021年启动", not_after=2030) == 2021
    assert latest_year("没有年份") is None
    assert month_day("12月21日电", 2020) == datetime(2020, 12, 21, tzinfo=UTC8)
    assert month_day("2月30日电", 2020) is None
    assert month_day("12月21日电", None) is None
