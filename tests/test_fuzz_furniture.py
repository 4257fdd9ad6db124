"""Fuzz and fault suite, page furniture: no rule deletes text that is not furniture.

Generated sentences of health news are put next to page furniture (ICP and
police registration numbers, copyright notices, reprint disclaimers, editor
lines, breadcrumbs, share widgets, site names): on the same line, before or
after it, or on a line of their own before or after a furniture line. Each
sentence must come out of the reader whole, and every furniture phrase that
stood beside it (``mark``) must be gone. The fixed cases are the issue's: a
one-line JSONL or CSV body ending in an ICP number.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

import pytest
from fuzz_support import NEWS_WORDS, bounded, check_article, count, fuzz
from hypothesis import assume, given
from hypothesis import strategies as st

from healthnews_nlp import Article, read_article
from healthnews_nlp.cli import main
from healthnews_nlp.ingest.furniture import holds_sentence, load_furniture

pytestmark = pytest.mark.fuzz

_names = itertools.count()

#: Furniture phrases as pages print them, each matched by a ``mark`` pattern.
MARKS = (
    "京ICP备05000000号",
    "京ICP证040655号",
    "粤ICP备2021000000号-1",
    "[京ICP备05004340号-1]",
    "京公网安备 11010202009201号",
    "备案许可证编号：浙ICP备11014451",
    "Copyright © 2019-2020 51bjhzy.com. All Rights Reserved.",
    "Copyright ©1999-2025 chinanews.com. All Rights Reserved",
    "©2024 example.com",
    "衢州市妇幼保健院版权所有！",
    "版权所有：中国新闻网",
    "本网站所刊载信息，不代表本网观点。",
    "刊用本网站稿件，务经书面授权。",
    "未经授权禁止转载、摘编、复制及建立镜像，违者将依法追究法律责任。",
    "【编辑：张三】",
    "[网上传播视听节目许可证(0106168)]",
)
#: Lines that are furniture as a whole.
FURNITURE_LINES = (
    "首页 > 新闻 > 健康",
    "首页>科技>资讯",
    "分享到：微信 微博",
    "image",
    "打印",
    "【字体：大 中 小】",
    "扫一扫 手机看新闻",
    "我要评论",
    "中新网",
    "编辑：张三",
    "关键词：医院 合作",
)
TITLE = "某医院与某公司签署合作协议"
SENTENCE_ENDS = "。！？"
#: Characters a generated sentence starts with: a sentence of Chinese news starts with a word.
HAN = "医院公司合作北京深圳签约仪式举行今年双方共建实验室中心健康数字化服务平台项目专家团队"

_first_word = st.sampled_from([w for w in NEWS_WORDS if "\u4e00" <= w[0] <= "\u9fff"])
sentence = st.builds(
    lambda first, rest, end: first + "".join(rest) + end,
    _first_word,
    st.lists(st.one_of(st.sampled_from(NEWS_WORDS), st.sampled_from(HAN), st.sampled_from("，、0123456789")),
             min_size=1, max_size=12),
    st.sampled_from(SENTENCE_ENDS),
)
PLACES = ("after, same line", "before, same line", "line before", "line after")


def _placed(text: str, furniture: str, place: str) -> list[str]:
    """The lines of ``text`` with ``furniture`` placed as ``place`` says."""
    if place == "after, same line":
        return [text + furniture]
    if place == "before, same line":
        return [furniture + " " + text]
    if place == "line before":
        return [furniture, text]
    return [text, furniture]


def _read(folder: Path, lines: list[str]) -> Article:
    path = folder / f"page-{next(_names)}.txt"
    path.write_text("\n".join([TITLE, *lines]) + "\n", encoding="utf-8")
    with bounded(what="reading a page"):
        article = read_article(path)
    check_article(article)
    return article


@fuzz(200)
@given(
    items=st.lists(
        st.tuples(sentence, st.sampled_from(MARKS + FURNITURE_LINES), st.sampled_from(PLACES)),
        min_size=1,
        max_size=5,
    )
)
def test_a_sentence_next_to_furniture_survives_and_the_marks_go(tmp_path_factory: pytest.TempPathFactory,
                                                                 items: list[tuple[str, str, str]]) -> None:
    count()
    furniture = load_furniture()
    for text, _, _ in items:
        assume(text != TITLE and not furniture.marks(text) and furniture.whole_line(text) is None)
    lines = [line for text, item, place in items for line in _placed(text, item, place)]
    article = _read(tmp_path_factory.mktemp("furniture"), lines)
    for text, item, place in items:
        assert text in article.text, (text, item, place, article.text)
        if item in MARKS:
            assert item.strip("[]【】") not in article.text, (item, article.text)
        elif "line" in place:
            assert item not in article.text.split("\n"), (item, article.text)


def test_every_example_is_furniture_and_every_mark_holds_no_sentence_around_it() -> None:
    """Guard of the test above: its examples are what the patterns take, whole."""
    count("fixed")
    furniture = load_furniture()
    for mark in MARKS:
        assert furniture.marks(mark) == [(0, len(mark))], mark
    for line in FURNITURE_LINES:
        assert not holds_sentence(line) and furniture.whole_line(line) is not None, line


ICP_BODY = "9月14日，名医主刀与北京天坛普华医院举行了合作签约仪式。京ICP备05000000号"


def test_a_one_line_jsonl_body_keeps_its_text_and_loses_its_icp_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's command: ``healthnews-nlp ingest a.jsonl -o b.jsonl --full`` kept only the title."""
    count("fixed")
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"title": "T", "text": ICP_BODY}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["ingest", str(source), "-o", str(tmp_path / "b.jsonl"), "--full"]) == 0
    capsys.readouterr()
    record = json.loads((tmp_path / "b.jsonl").read_text(encoding="utf-8"))
    assert record["text"] == "T\n9月14日，名医主刀与北京天坛普华医院举行了合作签约仪式。"


def test_a_one_line_csv_body_keeps_its_text(tmp_path: Path) -> None:
    count("fixed")
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["title", "text"], ["T", "版权所有：某网 " + ICP_BODY]])
    path = tmp_path / "a.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    article = read_article(path)
    assert article.text == "T\n9月14日，名医主刀与北京天坛普华医院举行了合作签约仪式。"
    start, end = article.offsets.source_span(2, len(article.text))
    assert article.raw[start:end] == "9月14日，名医主刀与北京天坛普华医院举行了合作签约仪式。"


def test_a_sentence_after_a_footer_is_text_and_the_footer_links_are_not(tmp_path: Path) -> None:
    """A footer line starts the page's end matter: lines without a sentence after it go, sentences stay."""
    count("fixed")
    article = _read(tmp_path, ["正文第一段。", "【编辑：张三】", "相关新闻", "某医院牵手某公司", "补充说明：双方将共建实验室。"])
    assert article.text.split("\n") == [TITLE, "正文第一段。", "补充说明：双方将共建实验室。"]
