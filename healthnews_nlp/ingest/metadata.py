"""A web page's own word on its article: headline, publication date, canonical URL, site.

Read from the page's tags with bounded regular expressions (no tree is built), so every value
keeps its place in the raw page: a headline taken from ``<title>`` or ``og:title`` maps back to
those characters. The headline is the page's ``<h1>`` (or another text line) that its title
begins with, else the title without the site's suffix (``_新浪新闻``, ``-新华网``); the
date is the first the page states among its ``<meta>`` tags, its JSON-LD, a dateline under
the headline (``2023-05-12 14:30``, ``2019年10月31日``) and its URL (``/20160521/``).
Which tags mean what is data: ``resources/page_meta.tsv``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from healthnews_nlp.dates import parse_date
from healthnews_nlp.resources import read_lines

# Bounded patterns: an unclosed tag costs a window, never a scan of the rest of the page.
_TAG = re.compile(r"<(meta|link)\b([^<>]{0,3000})>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s=/<>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+))""")
_TITLE_OPEN = re.compile(r"<title\b[^<>]{0,500}>", re.IGNORECASE)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.IGNORECASE)
_H1_OPEN = re.compile(r"<h1\b[^<>]{0,2000}>", re.IGNORECASE)
_H1_CLOSE = re.compile(r"</h1\s*>", re.IGNORECASE)
_ELEMENT_WINDOW = 5000
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')
_SPACE = re.compile(r"\s+")
# A title's segments: the headline, then section and site names.
_SEGMENT_BREAK = re.compile(r"\s*(?:[_|｜]+|-{2,}|\s[-–—]\s|——)\s*")
_HYPHEN_BREAK = re.compile(r"\s*-\s*")
_SUFFIX_BREAK = re.compile(rf"{_SEGMENT_BREAK.pattern}|{_HYPHEN_BREAK.pattern}")
_SUFFIX_MAX = 20
_DATE_IN_LINE = re.compile(
    r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)\s*日?"
    r"(?:[\sT,，]*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)
_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)[-/_]?(0[1-9]|1[0-2])[-/_]?([0-2]\d|3[01])(?=[/_.-]|\d{0,12}(?:[/_.]|$))"
)
DATELINE_WINDOW = 20
"""Text lines after the headline searched for its dateline."""
DATELINE_LENGTH = 60
"""Longest line taken as a dateline: longer ones are body text, whose dates are not the page's."""


@dataclass(frozen=True)
class Stated:
    """A value the page states and the span of the raw page it was read from."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class PageLine:
    """One line of the page's visible text: its text and where it starts in the raw page."""

    text: str
    raw_start: int


@dataclass(frozen=True)
class PageMeta:
    """What the page's head says: titles by priority, dates, canonical URL, site, ``<h1>`` spans."""

    titles: tuple[Stated, ...] = ()
    dates: tuple[str, ...] = ()
    url: str | None = None
    site: str | None = None
    h1_spans: tuple[tuple[int, int], ...] = ()
    has_title_element: bool = False


@dataclass(frozen=True)
class Headline:
    """The headline chosen: a line of the page (``line``) or a stated title (``stated``)."""

    text: str
    line: int | None = None
    stated: Stated | None = None
    site: str | None = None


@dataclass(frozen=True)
class _Lexicon:
    title: tuple[str, ...]
    date: tuple[str, ...]
    url: tuple[str, ...]
    site: tuple[str, ...]
    sitely: tuple[str, ...]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    kinds: dict[str, list[str]] = {"title": [], "date": [], "url": [], "site": [], "sitely": []}
    for entry in read_lines("page_meta.tsv"):
        kind, _, value = entry.partition("\t")
        kinds[kind].append(value)
    kinds["sitely"] = [word.lower() for word in kinds["sitely"]]
    return _Lexicon(*(tuple(kinds[k]) for k in ("title", "date", "url", "site", "sitely")))


def fold(text: str) -> str:
    """``text`` without whitespace: how lines and titles are compared."""
    return _SPACE.sub("", text)


def prefix_length(text: str, folded: str) -> int:
    """How many characters of ``text`` hold its first ``len(folded)`` non-blank ones."""
    seen = 0
    for index, char in enumerate(text):
        if seen == len(folded):
            return index
        if not char.isspace():
            seen += 1
    return len(text)


# --- reading the tags ----------------------------------------------------------------------------


def read_meta(raw: str) -> PageMeta:
    """The titles, dates, canonical URL, site name and ``<h1>`` spans that ``raw`` states."""
    lexicon = _lexicon()
    named: dict[str, Stated] = {}
    canonical: str | None = None
    for tag in _TAG.finditer(raw):
        attributes = _attributes(tag.group(2), tag.start(2))
        if tag.group(1).lower() == "link":
            rel = attributes.get("rel")
            is_canonical = rel is not None and rel.text.lower() == "canonical"
            if canonical is None and is_canonical and "href" in attributes:
                canonical = attributes["href"].text or None
            continue
        content = attributes.get("content")
        if content is None or not content.text:
            continue
        for key in ("property", "name", "itemprop"):
            if key in attributes:
                named.setdefault(attributes[key].text.lower(), content)
    title = _title_element(raw)
    titles = [named[k] for k in lexicon.title if k in named] + ([title] if title else [])
    dates = [named[k].text for k in lexicon.date if k in named] + _JSON_LD_DATE.findall(raw)
    url = canonical or next((named[k].text for k in lexicon.url if k in named), None)
    sites = [named[k].text for k in lexicon.site if k in named and "://" not in named[k].text]
    site = sites[0] if sites else None
    h1_spans = tuple(_h1_spans(raw))
    return PageMeta(tuple(titles), tuple(dates), url, site, h1_spans, title is not None)


def _attributes(markup: str, base: int) -> dict[str, Stated]:
    """A tag's attributes (names lower-cased, the first wins), values unescaped, with spans."""
    found: dict[str, Stated] = {}
    for match in _ATTRIBUTE.finditer(markup):
        group = next(g for g in (2, 3, 4) if match.group(g) is not None)
        value = _one_line(html.unescape(match.group(group)))
        span = base + match.start(group), base + match.end(group)
        found.setdefault(match.group(1).lower(), Stated(value, *span))
    return found


def _title_element(raw: str) -> Stated | None:
    opening = _TITLE_OPEN.search(raw)
    if opening is None:
        return None
    closing = _TITLE_CLOSE.search(raw, opening.end(), opening.end() + _ELEMENT_WINDOW)
    if closing is None:
        return None
    text = _one_line(html.unescape(raw[opening.end() : closing.start()]))
    return Stated(text, opening.end(), closing.start()) if text else None


def _h1_spans(raw: str) -> list[tuple[int, int]]:
    spans = []
    for opening in _H1_OPEN.finditer(raw):
        closing = _H1_CLOSE.search(raw, opening.end(), opening.end() + _ELEMENT_WINDOW)
        if closing is not None:
            spans.append((opening.start(), closing.end()))
    return spans


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


# --- the headline --------------------------------------------------------------------------------


def choose_headline(meta: PageMeta, lines: Sequence[PageLine]) -> Headline | None:
    """The article's headline: a line the titles begin with (an ``<h1>`` first), else a title.

    Pages title themselves "headline, section, site"; the line that a title
    begins with is the headline as the page shows it, so it is preferred to
    cutting the title at a guessed separator. Failing that: ``og:title`` and
    its kind, the first ``<h1>``, the ``<title>`` without its suffix. The site
    is the one a title names after the headline.
    """
    headline = _headline(meta, lines)
    if headline is None:
        return None
    return replace(headline, site=headline.site or _title_site(meta, headline.text))


def _headline(meta: PageMeta, lines: Sequence[PageLine]) -> Headline | None:
    titles = [fold(stated.text) for stated in meta.titles]
    in_h1 = [i for i, line in enumerate(lines) if _inside(line.raw_start, meta.h1_spans)]
    for index in [*in_h1, *_title_prefixes(lines, titles)]:
        text = fold(lines[index].text)
        if len(text) >= 2 and any(title.startswith(text) for title in titles):
            return Headline(lines[index].text.strip(), line=index)
    stated_titles = list(meta.titles)
    page_title = stated_titles.pop() if meta.has_title_element else None
    for stated in stated_titles:  # og:title and the like name the article itself
        headline, site = split_title(stated.text)
        if headline:
            return Headline(headline, stated=stated, site=site)
    if in_h1:  # a <title> that no line begins is often the site's or section's own
        return Headline(lines[in_h1[0]].text.strip(), line=in_h1[0])
    if page_title is not None:
        headline, site = split_title(page_title.text)
        return Headline(headline, stated=page_title, site=site) if headline else None
    return None


def _title_site(meta: PageMeta, headline: str) -> str | None:
    """The site a title names after ``headline`` (``_财经_腾讯网``)."""
    folded = fold(headline)
    for stated in meta.titles:
        if fold(stated.text).startswith(folded):
            site = _site_of(stated.text[prefix_length(stated.text, folded) :])
            if site:
                return site
    return None


def _inside(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _title_prefixes(lines: Sequence[PageLine], titles: Sequence[str]) -> list[int]:
    """Lines (longest first) that a title begins with and that cover at least half of it."""
    found = []
    for index, line in enumerate(lines):
        text = fold(line.text)
        if text and any(t.startswith(text) and 2 * len(text) >= len(t) for t in titles):
            found.append(index)
    return sorted(found, key=lambda i: -len(fold(lines[i].text)))


def split_title(title: str) -> tuple[str, str | None]:
    """``title`` as (headline, site): trailing short segments cut off, the site among them.

    ``港特首梁振英就住宅违建事件道歉 - BBC中文网 - 两岸三地`` gives the
    headline and ``BBC中文网``. Cutting stops at a long segment, which is the
    headline's own (``棱镜|数据业大整顿：爬虫与…_财经_腾讯网``). A bare hyphen
    cuts only before a site's name (``…用药需求-新华网``): headlines use it too
    (``浙江行-衢州站``).
    """
    title = title.strip()
    cuts = [match.span() for match in _SEGMENT_BREAK.finditer(title)]
    last = cuts[-1][1] if cuts else 0
    hyphens = list(_HYPHEN_BREAK.finditer(title, last))
    if hyphens and _sitely(title[hyphens[-1].end() :]):
        cuts.append(hyphens[-1].span())
    end = len(title)
    suffix: list[str] = []
    for start, stop in reversed(cuts):
        if len(title[stop:end]) > _SUFFIX_MAX or not title[:start].strip():
            break
        suffix.insert(0, title[stop:end])
        end = start
    return title[:end].strip(), _site_of_segments([s for s in suffix if s])


def _site_of(rest: str) -> str | None:
    """The site named in what follows a title's headline (``_财经_腾讯网``, ``-新华网``)."""
    return _site_of_segments([s for s in _SUFFIX_BREAK.split(rest) if s])


def _site_of_segments(segments: Sequence[str]) -> str | None:
    """The last segment named like a site (``长江网`` of ``武汉_长江网_cjn.cn``), else the last."""
    names = [s.strip() for s in segments if s.strip()]
    sitely = [s for s in names if _sitely(s)]
    preferred = [s for s in sitely if not _is_domain(s)] or [s for s in names if not _is_domain(s)]
    candidates = preferred or sitely
    return candidates[-1] if candidates else None


def _sitely(segment: str) -> bool:
    return segment.lower().endswith(_lexicon().sitely)


def _is_domain(segment: str) -> bool:
    return bool(re.fullmatch(r"[\w-]+(\.[\w-]+)+", segment))


# --- the date, the site --------------------------------------------------------------------------


def page_date(meta: PageMeta, lines: Sequence[PageLine], after: int | None) -> datetime | None:
    """The publication date: a meta tag, else a dateline after line ``after``, else the URL."""
    for value in meta.dates:
        date = parse_date(value)
        if date is not None:
            return date
    if after is not None:
        date = _dateline(lines[after + 1 :])
        if date is not None:
            return date
    return url_date(meta.url) if meta.url else None


def _dateline(lines: Sequence[PageLine]) -> datetime | None:
    seen = 0
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        seen += 1
        if seen > DATELINE_WINDOW:
            return None
        match = _DATE_IN_LINE.search(text) if len(text) <= DATELINE_LENGTH else None
        date = parse_date(match.group()) if match else None
        if date is not None:
            return date
    return None


def url_date(url: str) -> datetime | None:
    """A date written in a URL's path: ``/2019-09-07/``, ``/20160521/``, ``/202311/17/``."""
    match = _URL_DATE.search(urlsplit(url).path)
    return parse_date("-".join(match.groups())) if match else None


def page_site(meta: PageMeta, headline: Headline | None) -> str | None:
    """The site's name: a meta tag, else the title's suffix, else the canonical URL's host."""
    if meta.site:
        return meta.site
    if headline is not None and headline.site:
        return headline.site
    return (urlsplit(meta.url).hostname or None) if meta.url else None
