"""Finding where a name starts: walking left from a head word over the words a name is made of.

Chinese organization and event names are head-final: 深圳市第三人民医院 is a
place and an ordinal before the head 人民医院. The walk takes words the
backend tagged as nouns, proper nouns or entities, quoted stretches, and a few
connectors (·, 暨), and stops at verbs, prepositions, punctuation, titles and
the like. Everything it may cross is a parameter, so organizations, events and
places share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from healthnews_nlp.nlp.view import (
    CLOSE_QUOTES,
    CONNECTORS,
    INNER_TAGS,
    LATIN_OR_DIGIT,
    NAME_NUMBER,
    NAME_TAGS,
    OPEN_QUOTES,
    TextView,
)

# Nouns that end a name on their left: roles and generic collectives (领导, 嘉宾, 单位).
STOP_NOUNS = frozenset(
    "领导 嘉宾 单位 机构 企业 部门 各方 双方 三方 记者 通讯员 成员 会上 现场 期间 方面 领域 今年 去年 目前".split()
)
YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True)
class Walk:
    """Options of a left walk."""

    quotes: bool = False
    joiners: frozenset[str] = frozenset()
    keep_year: bool = False
    titles: bool = False
    limit: int = 30


def walk_left(view: TextView, head_start: int, options: Walk = Walk()) -> int:
    """Start of the name whose head begins at ``head_start`` (``head_start`` itself if none)."""
    text, lexicons = view.text, view.lexicons
    index = view.token_index(head_start)
    start = head_start
    token = view.tokens[index]
    if token.start < head_start:
        prefix = text[token.start : head_start]
        if token.tag not in NAME_TAGS | INNER_TAGS or lexicons.is_title(prefix) or prefix in STOP_NOUNS:
            return head_start
        start = token.start
    index = view.token_index(start) - 1
    tentative = start
    while index >= 0 and head_start - view.tokens[index].start <= options.limit:
        token = view.tokens[index]
        word = text[token.start : token.end]
        if options.quotes and word and word[-1] in CLOSE_QUOTES:
            opening = _matching_quote(text, token.start, head_start - options.limit)
            if opening is None:
                break
            start = tentative = opening
            index = view.token_index(opening) - 1
            continue
        title_start = view.titles.get(token.end)
        if title_start is not None or lexicons.is_title(word):
            if not options.titles:
                break
            if title_start is not None:
                start = tentative = title_start
                index = view.token_index(title_start) - 1
                continue
        if word in STOP_NOUNS:
            break
        if token.tag in NAME_TAGS or LATIN_OR_DIGIT.match(word):
            start = tentative = token.start
        elif token.tag in INNER_TAGS or word in CONNECTORS or word in options.joiners or NAME_NUMBER.match(word):
            tentative = token.start
            if options.keep_year and YEAR.match(word):
                start = token.start
        else:
            break
        index -= 1
    return _after_glued_joiner(text, start, head_start, options)


def _after_glued_joiner(text: str, start: int, head_start: int, options: Walk) -> int:
    """Cut a list joiner the tagger glued into a word (中国电子和/ORG 国家…中心 → 国家…中心)."""
    for position in range(head_start - 1, start - 1, -1):
        if text[position] in "和与及、" and text[position] not in options.joiners:
            return position + 1
    return start


def _matching_quote(text: str, close_at: int, floor: int) -> int | None:
    """Position of the opening quotation mark that the mark at ``close_at`` closes."""
    for position in range(close_at - 1, max(floor, 0) - 1, -1):
        char = text[position]
        if char in OPEN_QUOTES:
            return position
        if char in "。！？；\n，,":
            return None
    return None
