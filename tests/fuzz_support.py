"""Shared pieces of the fuzz and fault suite (``test_fuzz_*.py``, ``test_untrusted_input.py``).

- :data:`FUZZ`: the hypothesis settings every generated test starts from:
  derandomized (the same cases on every machine and every run), no example
  database, no wall-clock deadline (a loaded CI machine must not turn
  slowness into failures; hangs are bounded by :func:`bounded` instead).
- :func:`bounded`: a per-case time limit. A case that runs longer fails
  with :class:`CaseTimeout` instead of hanging the suite; the conftest adds a
  per-test limit that ends the process if even that does not fire (a loop
  inside C code).
- :func:`count`: every test body counts the cases it runs; the conftest
  prints the totals at the end of the session (the README's numbers).
- Strategies for nasty input: text from the characters that break things
  (emoji, CJK extension B–G, zero-width and bidi controls, full-width forms,
  pinyin tone letters, traditional characters, every kind of line break and
  space) mixed with the words of health news; HTML with unclosed and stray
  tags, scripts inside scripts, entities of every kind and DOCTYPEs; Hexo
  front matter with hostile YAML; JSONL and CSV collections with records of
  every JSON type; and byte-level damage (other encodings, truncation,
  mixed encodings, random bytes spliced in).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from healthnews_nlp import Article, IngestError, IngestFailure
from healthnews_nlp.ingest.offsets import OffsetMap

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)

#: ``FUZZ_EXPLORE=20 pytest tests/test_fuzz*.py`` runs 20 times the cases, with a random seed:
#: a deeper search than the fixed set ``make test`` runs, for when the library changes.
EXPLORE = int(os.environ.get("FUZZ_EXPLORE", "0") or 0)


def fuzz(max_examples: int) -> settings:
    """The suite's settings with ``max_examples`` cases (the count the README adds up)."""
    if EXPLORE:
        return settings(FUZZ, max_examples=max_examples * EXPLORE, derandomize=False)
    return settings(FUZZ, max_examples=max_examples)


#: Seconds one generated case may take before it counts as a hang.
CASE_LIMIT = 15.0

#: Cases run so far, by kind ("generated" are hypothesis examples, "fixed" the nasty corpus).
CASES: Counter[str] = Counter()


def count(kind: str = "generated") -> None:
    CASES[kind] += 1


class CaseTimeout(Exception):
    """A case ran longer than its limit: a hang, as far as the suite is concerned."""


@contextlib.contextmanager
def bounded(seconds: float = CASE_LIMIT, what: str = "case") -> Iterator[None]:
    """Fail with :class:`CaseTimeout` when the block runs longer than ``seconds`` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise CaseTimeout(f"{what} ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def random_cjk(size: int, *, seed: int = 0) -> str:
    """``size`` bytes of random Chinese without punctuation: ``benchmarks/scaling.py``'s records."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        from scaling import random_cjk as generate
    finally:
        sys.path.pop(0)
    return str(generate(size, seed=seed))


# --------------------------------------------------------------------------------------------
# Checks every result must pass
# --------------------------------------------------------------------------------------------

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_FULLWIDTH_ALNUM = {chr(c) for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for c in range(*r)}
STAGES = {"read", "decode", "parse", "clean"}


def check_offsets(offsets: OffsetMap, text_length: int, source_length: int) -> None:
    assert offsets.length == text_length
    for _start, _end, src_start, src_end in offsets.segments:
        assert 0 <= src_start <= src_end <= source_length


def check_article(article: Article) -> None:
    """What every Article guarantees, whatever the input was."""
    text = article.text
    assert text.strip(), "an Article always has text"
    check_offsets(article.offsets, len(text), len(article.raw))
    # clean text: no zero-width characters, full-width letters or digits, CRs, blank lines or edge spaces
    assert not set(text) & set(_ZERO_WIDTH)
    assert not set(text) & _FULLWIDTH_ALNUM
    assert "\r" not in text and "\n\n" not in text
    assert not text.startswith("\n") and not text.endswith("\n")
    for line in text.split("\n"):
        assert line == line.strip(" "), repr(line)
    assert article.paragraphs and all(0 <= s < e <= len(text) for s, e in article.paragraphs)
    assert all("\n" not in text[s:e] for s, e in article.paragraphs)
    assert "\n" not in article.title
    if article.dateline:
        start, end = article.dateline
        assert 0 <= start < end <= len(text)
    assert isinstance(article.source_span(0, len(text)), str)
    step = max(1, len(text) // 64)
    for position in range(0, len(text), step):
        start, end = article.offsets.source_span(position, position + 1)
        assert 0 <= start <= end <= len(article.raw)
    assert article.date is None or article.date.tzinfo is not None
    # every record can be written (UTF-8, JSON) and read back unchanged
    data = article.model_dump_json()
    data.encode("utf-8")
    assert Article.model_validate_json(data) == article
    json.dumps(article.summary(), ensure_ascii=False).encode("utf-8")


def check_failure(failure: IngestFailure) -> None:
    assert failure.source and failure.message
    assert failure.stage in STAGES
    assert failure.error_type == "IngestError"
    failure.model_dump_json().encode("utf-8")  # an error report can always be written


def check_results(results: list[Article | IngestFailure]) -> tuple[list[Article], list[IngestFailure]]:
    articles = [r for r in results if isinstance(r, Article)]
    failures = [r for r in results if isinstance(r, IngestFailure)]
    assert len(articles) + len(failures) == len(results), [type(r) for r in results]
    assert results, "every input gives at least one Article or IngestFailure"
    for article in articles:
        check_article(article)
    for failure in failures:
        check_failure(failure)
    return articles, failures


def check_ingest_error(error: IngestError, path: Path) -> None:
    assert error.stage in STAGES
    assert error.reason
    str(error).encode("utf-8")


# --------------------------------------------------------------------------------------------
# Characters and text
# --------------------------------------------------------------------------------------------

#: Characters that have broken text pipelines somewhere.
NASTY_CHARS = (
    # emoji: plain, ZWJ sequences, flags, keycaps, skin tones, variation selectors
    "😀", "🏥", "💊", "🩺", "👨\u200d⚕️", "🇨🇳", "1️⃣", "👍🏽", "\ufe0f", "\ufe0e",
    # CJK extension A, B, C, D, E, F, G, H; compatibility ideographs; radicals; ideographic variation selector
    "\u3400", "\u4db5", "\U00020000", "\U0002a6a5", "\U0002a700", "\U0002b740", "\U0002b820",
    "\U0002ceb0", "\U00030000", "\U00031350", "\uf900", "\u2f00", "\u2e80", "\U000e0100",
    # zero-width, soft hyphen, BOM, bidi controls
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\u2069", "\u200e",
    # full-width and half-width forms
    "Ａ", "Ｚ", "ａ", "０", "９", "ｱ", "ﾞ", "￥", "！", "＆", "＜", "＞", "＃",
    # Chinese and ASCII punctuation, brackets of every kind
    "，", "。", "、", "；", "：", "？", "“", "”", "‘", "’", "《", "》", "【", "】", "（", "）", "…", "—", "·",
    "(", ")", "[", "]", "{", "}", "<", ">", "&", ";", "#", "'", '"', "\\", "/", "-", "|", ",", ".", ":",
    # pinyin tone letters, traditional characters, combining marks
    "ā", "é", "ǐ", "ò", "ǖ", "ń", "醫", "療", "國", "際", "衛", "著", "e\u0301", "\u0301",
    # spaces and line breaks of every kind
    " ", "\u3000", "\u00a0", "\t", "\r", "\n", "\r\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85",
    # replacement, private use, noncharacters, astral symbols, a control character now and then
    "\ufffd", "\ue000", "\U000f0000", "\uffff", "\U0001d11e", "\x1b", "\x00", "\x7f",
)

#: Words of health news, so that the pipeline's rules get something to chew on.
NEWS_WORDS = (
    "医院", "北京协和医院", "深圳市第三人民医院", "腾讯", "阿里健康", "国家卫生健康委员会", "卫健委",
    "公司", "有限公司", "集团", "研究中心", "工作组", "DH400工作组", "协会", "大学", "委员会",
    "北京", "上海市", "深圳", "宁夏回族自治区", "银川", "中国", "广东省", "浦东新区",
    "张三", "李四", "王明", "院长", "主任", "总经理", "书记", "副院长", "教授", "记者",
    "与", "和", "及", "等", "在", "于", "的", "了", "是", "将", "由",
    "签署", "战略合作协议", "达成", "合作", "主办", "承办", "出席", "参加", "举行", "召开",
    "大会", "论坛", "峰会", "会议", "第一届", "2021年", "10月14日", "9月22日下午",
    "中新网北京12月21日电", "(记者 杜燕)", "（下称“国研中心”）", "医疗", "健康", "数字化",
)

nasty_char = st.sampled_from(NASTY_CHARS)
any_char = st.characters(codec="utf-8")  # any code point but surrogates
news_word = st.sampled_from(NEWS_WORDS)

#: A piece of text: mostly news words and nasty characters, sometimes anything at all.
nasty_text = st.lists(
    st.one_of(news_word, nasty_char, any_char, st.text(max_size=8)), max_size=40
).map("".join)

#: A line without line breaks.
nasty_line = nasty_text.map(lambda t: "".join(c for c in t if c not in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"))


def _lines(parts: list[str]) -> str:
    return "\n".join(parts)


#: A plain-text article: a title line, perhaps a date line, paragraphs.
text_document = st.builds(
    lambda title, date, body: _lines([title, *date, *body]),
    nasty_line,
    st.lists(st.sampled_from(["2021-10-14 09:30", "2021年10月14日", "2021年2月30日", "9999-99-99", "10月14日电"]), max_size=1),
    st.lists(nasty_text, max_size=6),
)

# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

TAGS = (
    "p", "div", "span", "a", "b", "i", "br", "hr", "img", "h1", "li", "ul", "table", "tr", "td",
    "html", "head", "body", "article", "section", "center", "pre",
    "script", "SCRIPT", "style", "noscript", "template", "title", "svg", "math", "iframe", "object",
    "textarea", "xmp", "plaintext", "select", "x-custom", "a:b", "", "1", "p/", "中文",
)
ENTITIES = (
    "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&copy;", "&copy", "&amp", "&lt", "&#20013;", "&#x4e2d;",
    "&#X4E2D;", "&#0;", "&#x0;", "&#x110000;", "&#xD800;", "&#xDFFF;", "&#99999999999999999999;", "&#;",
    "&#x;", "&#65", "&#x41", "&bogus;", "&lol;", "&xxe;", "&", "&;", "&&", "&#", "&#x", "&#128512;",
    "&NotANamedEntityAtAllButVeryLong;", "&ensp;", "&zwj;", "&shy;",
)
ODD_MARKUP = (
    "<", ">", "</", "<>", "</>", "< p>", "<p", "<p <p>", "</p >", "</ p>", "<!---->", "<!-- 注释 -->",
    "<!--", "-->", "<!-->", "<![CDATA[x]]>", "<![CDATA[", "<!x>", "<?pi?>", "<?xml version='1.0'?>",
    "<!DOCTYPE html>", '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>',
    '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "<br/>", "<br />", "<img src=x>",
    "<p/>", "</br>", "<script>", "</script>", "<style>", "</style>", "<svg/>", "</svg>", "</html>",
    "<a href='javascript:alert(1)'>", "<a href=\"", "<a title='", "<p class=\"x>", "<td>", "</td>",
    "<script><script>嵌套</script>外层</script>", "<script>document.write('<p>写</p>')</script>",
)

_attribute = st.builds(
    lambda name, value, quote: f" {name}={quote}{value}{quote}" if value is not None else f" {name}",
    st.sampled_from(["src", "href", "class", "id", "title", "alt", "onload", "style", "data-x", "SRC", "x"]),
    st.one_of(st.none(), nasty_line.map(lambda t: t[:20]), st.sampled_from(["a.png", "", "'", '"', ">", "<p>"])),
    st.sampled_from(['"', "'", ""]),
)

html_leaf = st.one_of(
    nasty_text,
    st.sampled_from(ENTITIES),
    st.sampled_from(ODD_MARKUP),
    news_word,
)


def _element(tag: str, attributes: list[str], children: list[str], closing: str) -> str:
    start = f"<{tag}{''.join(attributes)}>"
    inner = "".join(children)
    if closing == "self":
        return f"<{tag}{''.join(attributes)}/>" + inner
    if closing == "missing":
        return start + inner
    if closing == "other":
        return start + inner + "</span>"
    if closing == "upper":
        return start + inner + f"</{tag.upper()}>"
    return start + inner + f"</{tag}>"


html_fragment = st.recursive(
    html_leaf,
    lambda children: st.builds(
        _element,
        st.sampled_from(TAGS),
        st.lists(_attribute, max_size=3),
        st.lists(children, max_size=5),
        st.sampled_from(["proper", "proper", "proper", "missing", "self", "other", "upper"]),
    ),
    max_leaves=25,
).map(lambda x: x if isinstance(x, str) else "".join(x))

#: A page: a fragment, sometimes wrapped in html/body and a doctype.
html_document = st.builds(
    lambda prefix, wrap, body: f"{prefix}<html><head><title>页</title></head><body>{body}</body></html>" if wrap else f"{prefix}<div>{body}</div>",
    st.sampled_from(["", "<!DOCTYPE html>\n", "<?xml version='1.0' encoding='utf-8'?>\n", "\ufeff", "  \n"]),
    st.booleans(),
    html_fragment,
)


def nested(tag: str, depth: int, text: str, *, close: bool = True) -> str:
    return f"<{tag}>" * depth + text + (f"</{tag}>" * depth if close else "")


# --------------------------------------------------------------------------------------------
# Hexo front matter
# --------------------------------------------------------------------------------------------

YAML_VALUES = (
    "标题", "'未闭合的引号", '"未闭合', "[列表, 没有结束", "{a: 1}", "[a, b]", "[]", "{}", "~", "null", "", "|",
    ">", "&anchor 值", "*anchor", "*undefined", "!!python/object/apply:os.system ['echo pwned']",
    "!!python/name:os.system", "!!python/object/new:os.system [x]", "!!binary aGVsbG8=", "!!binary ***",
    "!!set {a, b}", "!!timestamp xyz", "!!float x", "!!int 0xZZ", "!!str 5", "!!omap [a: 1]", "!!bool maybe",
    "2021-10-14", "2021-02-30", "2021-13-01", "2021-02-28 25:00:00", "9999-12-31T23:59:59-14:00",
    "Mon, 18 Oct 2021 01:53:00 GMT", "Mon, 18 Oct 99999 01:53:00 GMT", "0001-01-01", "1e400", "-.inf", ".nan",
    "9" * 5000, '"\\ud800"', '"\\U00110000"', '"\\x00"', '"\\uDFFF\\uD800"', "'It''s'", "\t制表符",
    "- a\n  - b", "\n  - 一\n  - 二", "@", "`", "%", "? x", ": y", "# 注释", "---", "...",
)
_yaml_key = st.sampled_from(
    ["title", "date", "categories", "tags", "author", "url", "link", "permalink", "headimg", "images",
     "cover", "TITLE", "标题", "? [a]", "<<", "1", "~", "title title"]
)
_yaml_line = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", _yaml_key, st.one_of(st.sampled_from(YAML_VALUES), nasty_line)),
    st.sampled_from(["a: &a [x, x, x]", "b: &b [*a, *a, *a]", "categories: *b", "title: *a", "<<: *a",
                     "&x y: 1", "%YAML 1.1", "--- !!map", "\t", "  indented: 1", "- item"]),
    nasty_line,
)
front_matter_document = st.builds(
    lambda lead, lines, end, body: f"{lead}---\n" + "\n".join(lines) + "\n" + end + body,
    st.sampled_from(["", "\n", "  \n", "\ufeff"]),
    st.lists(_yaml_line, max_size=8),
    st.sampled_from(["---\n", "---\n", "--- \n", "----\n", "...\n", "", "---"]),
    st.one_of(html_fragment, nasty_text),
)

# --------------------------------------------------------------------------------------------
# JSONL and CSV collections
# --------------------------------------------------------------------------------------------

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    nasty_text, st.sampled_from(["", " ", "2021-10-14", "Mon, 18 Oct 2021 01:53:00 GMT", "../../etc/x", "/abs"]),
)
json_value = st.recursive(
    json_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)
_record_key = st.sampled_from(["title", "text", "html", "date", "url", "id", "Title", " TEXT ", "body", ""])
json_record = st.dictionaries(_record_key, json_value, max_size=6)


def _json_line(record: dict[str, Any], ascii_only: bool) -> str:
    return json.dumps(record, ensure_ascii=ascii_only, allow_nan=True)


JSON_GARBAGE = (
    "{", "}", "[1, 2]", '"just a string"', "null", '{"title": 坏记录}', '{"title": "t", "text": "x"',
    '{"title": "t", "text": "\\ud800 lone surrogate"}', '{"title": "t", "text": "\\udc80"}',
    '{"title": "t", "text": "x", "n": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"title": "t", "text": "x", "n": ' + "9" * 5000 + "}", '{"title": NaN, "text": Infinity}',
    '{"title": "t", "text": "x"} trailing', "\x00", "\ufeff{}",
)
jsonl_document = st.builds(
    lambda first, records, garbage, garbage_first: "\n".join(
        [first, *garbage, *records] if garbage_first else [first, *records, *garbage]
    ),
    st.sampled_from(['{"title": "第一条", "text": "正文。"}', '{"title": 1, "html": "<p>x</p>"}', '{"text": "x"']),
    st.lists(st.builds(_json_line, json_record, st.booleans()), max_size=6),
    st.lists(st.sampled_from(JSON_GARBAGE), max_size=3),
    st.booleans(),
)

_csv_header = st.sampled_from(
    [["title", "text"], ["title", "html", "date", "id"], ["Title", "Text", "url"], ["title", "text", "text"]]
)
_csv_cell = st.one_of(nasty_text, st.sampled_from(['"', '""', ",", "\n", "\r\n", "\x00", "a\rb", "", "2021-02-30", "../x"]))


def _csv_document(header: list[str], rows: list[list[str]], raw_tail: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue() + "".join(raw_tail)


csv_document = st.builds(
    _csv_document,
    _csv_header,
    st.lists(st.lists(_csv_cell, max_size=5), max_size=5),
    st.lists(st.sampled_from(['"unterminated,x\n', "a,b,c,d,e,f\n", "\n\n", "x" * 200_000 + "\n"]), max_size=1),
)

# --------------------------------------------------------------------------------------------
# Bytes: encodings and damage
# --------------------------------------------------------------------------------------------

ENCODINGS = ("utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "gbk", "gb18030", "big5")


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def _damage(data: bytes, kind: str, position: float, extra: bytes, other: str, tail: str) -> bytes:
    cut = math.floor(position * len(data))
    if kind == "truncate":
        return data[:cut]
    if kind == "splice":
        return data[:cut] + extra + data[cut:]
    if kind == "mixed":  # a second part in another encoding, as a bad concatenation makes
        return data + _encode(tail, other)
    if kind == "flip" and data:
        index = min(cut, len(data) - 1)
        return data[:index] + bytes([data[index] ^ 0xFF]) + data[index + 1 :]
    return data


def damaged(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """``text`` in some encoding, often damaged: cut anywhere, bytes spliced in or flipped, encodings mixed."""
    return st.builds(
        lambda t, encoding, kind, position, extra, other, tail: _damage(
            _encode(t, encoding), kind, position, extra, other, tail
        ),
        text,
        st.sampled_from(ENCODINGS),
        st.sampled_from(["none", "none", "truncate", "splice", "mixed", "flip"]),
        st.floats(0, 1),
        st.binary(min_size=1, max_size=16),
        st.sampled_from(ENCODINGS),
        st.sampled_from(["繁體中文的內容。", "简体中文的内容。", "😀 emoji", "ASCII only."]),
    )


any_document = st.one_of(text_document, html_document, front_matter_document, jsonl_document, csv_document)
