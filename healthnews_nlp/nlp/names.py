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

COMRADE = "同志"
# Words a joiner (与) does not join inside a name: a person or a place beside 与 is a party.
PARTY_TAGS = frozenset({"PER", "LOC", "nr", "ns"})
# Numbers an event name keeps at its left edge: its year (2016年, 2012年度) and its ordinal
# (首届, 第二届, 第31届): 2016年里约热内卢奥运会医疗保障工作动员大会, 第二届商洛微创胸外科高峰论坛.
EVENT_EDGE_NUMBER = re.compile(
    r"^(?:(?:19|20)\d\d(?:年度?)?|首届|第[一二三四五六七八九十百零〇\d]+[届次])$"
)


@dataclass(frozen=True)
class Walk:
    """Options of a left walk."""

    quotes: bool = False  # an event's walk: quoted stretches, spaces around them, years, ordinals
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
        if (
            token.tag not in NAME_TAGS | INNER_TAGS
            or lexicons.is_title(prefix)
            or prefix in lexicons.stop_nouns
        ):
            return head_start
        start = token.start
    index = view.token_index(start) - 1
    tentative = head_token_start = start
    while index >= 0 and head_start - view.tokens[index].start <= options.limit:
        token = view.tokens[index]
        word = text[token.start : token.end]
        if options.quotes and word.isspace() and _beside_quote(text, token.start, token.end):
            index -= 1  # 中国 “ 互联网+中医 ” 院长高峰论坛: web pages space their quotes
            continue
        if options.quotes and word and word[-1] in CLOSE_QUOTES:
            opening = _matching_quote(text, token.start, head_start - options.limit)
            if opening is None:
                break
            start = tentative = opening
            index = view.token_index(opening) - 1
            continue
        title_start = view.titles.get(token.end)
        if title_start is not None or lexicons.is_title(word):
            # a title right before the head names the ceremony (执行院长聘任仪式); one further
            # left belongs to a person (心血管外科主任肖颖彬同志先进事迹报告会)
            if not options.titles or token.end != head_token_start:
                break
            if title_start is not None:
                start = tentative = title_start
                index = view.token_index(title_start) - 1
                continue
        if word in lexicons.stop_nouns:
            break
        if options.quotes and word == COMRADE and index > 0 and view.tokens[index - 1].tag == "PER":
            index -= 1  # 肖颖彬同志先进事迹报告会: an event named after a person
            continue
        if (
            token.tag in NAME_TAGS
            or LATIN_OR_DIGIT.match(word)
            or options.keep_year and EVENT_EDGE_NUMBER.match(word)
        ):
            start = tentative = token.start
        elif (
            token.tag in INNER_TAGS
            or word in CONNECTORS
            or word in options.joiners and _joins_words(view, index)
            or NAME_NUMBER.match(word)
        ):
            tentative = token.start
        else:
            break
        index -= 1
    return _after_glued_joiner(view, start, head_start, options)


def _joins_words(view: TextView, index: int) -> bool:
    """Does the joiner at token ``index`` join the words of one name (痴呆与认知障碍学习班,
    腾讯云与智慧产业事业群)? A person or a place beside it is a party (李铁映与会议代表).
    """
    tokens = view.tokens
    if index == 0 or index + 1 >= len(tokens):
        return False
    return not any(tokens[i].tag in PARTY_TAGS for i in (index - 1, index + 1))


def _beside_quote(text: str, start: int, end: int) -> bool:
    """Is the blank ``text[start:end]`` right after a closing or right before an opening quote?"""
    after_closing = start > 0 and text[start - 1] in CLOSE_QUOTES
    return after_closing or (end < len(text) and text[end] in OPEN_QUOTES)


def _after_glued_joiner(view: TextView, start: int, head_start: int, options: Walk) -> int:
    """Cut a list joiner the tagger glued to a word (中国电子和/ORG 国家…中心 → 国家…中心).

    Glued means at a word's edge: 和 inside a word (协和医院) is part of the name.
    """
    text = view.text
    for position in range(head_start - 1, start - 1, -1):
        if text[position] in "和与及、" and text[position] not in options.joiners:
            token = view.tokens[view.token_index(position)]
            if position in (token.start, token.end - 1):
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
