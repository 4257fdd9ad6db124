"""Domain rules: candidate entity spans for organizations, events, places and people.

Each function is a generator over a :class:`TextView` that proposes
:class:`Candidate` spans; :mod:`.recognize` chooses among them. The rules are
general patterns of Chinese news writing, driven by the lexicons in
``healthnews_nlp/resources`` — never lists of answers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import chain
from functools import lru_cache
from typing import cast

from healthnews_nlp.nlp.lexicons import common_words, dictionary_tags, has_infix, longest_suffix, ordinary_word
from healthnews_nlp.gazetteer import refused_short_forms
from healthnews_nlp.nlp.backends.base import BackendEntity
from healthnews_nlp.nlp.names import Walk, walk_left
from healthnews_nlp.nlp.view import (
    CLOSE_QUOTES,
    HAN,
    LATIN_OR_DIGIT,
    NAME_TAGS,
    OPEN_QUOTES,
    PLACE_REFERENCES,
    Candidate,
    Spans,
    TextView,
    has_anchor,
    positions_after,
)

NATIONAL = ("国家", "中央", "中国", "全国")
CLASSIFIERS = ("一家", "一所", "首家", "一个", "多家", "这家", "该", "这", "那", "其", "各")
# Verbs of cooperation that LAC sometimes glues to the next name (联合国投集团 = 联合 + 国投集团).
LEADING_CUES = ("联合", "携手", "牵手", "联手", "与", "和", "由", "同")
TRAILING_JOINERS = "和与及、等"
DOUBLE_CLOSE_QUOTES = "”\"」』"  # not ’: single quotes mark words inside a quotation (‘牵手’)
# The rest of a Latin name the tagger cut at its ampersand (AT&T, P&G).
LATIN_AMPERSAND = re.compile(r"&[A-Za-z][A-Za-z0-9]*")
# Auxiliaries the tagger glues to the end of a name that already ends with its head
# (沐瞳科技会保持 = 沐瞳科技 + 会).
TRAILING_MODALS = "会将已要在"
DEPARTMENT_SUFFIXES = ("司", "处", "办", "科", "室", "组")
DOMAIN_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{1,10}[.．](?:com|COM|cn|CN|net|NET|org|ORG)(?![A-Za-z])")
LIST_ORG_CLASS = re.compile(r"等(?:\d+|多|数十|上百|几)?(?:家|个)?(?:单位|机构|企业|部门|组织|公司|高校|院校|医院|部委)")
ORGANIZER_VERBS = re.compile(r"(联合主办|共同主办|联合举办|共同举办|主办|联合承办|承办|协办|指导)")
# Hosting together: the hosts partner as well as organize (Settled cases: organizers); a role
# list's 联合承办 does not make partners.
JOINT_HOSTING = frozenset({"联合主办", "共同主办", "联合举办", "共同举办"})
# Statements of cooperation whose parties are listed before them (A与B达成合作, A和B的合作).
PARTNER_CUES = re.compile(r"(?:正式|共同|将|已|进一步)?(?:达成|签订|签署|加强|开展|展开|深化)?(?:战略)?合作(?!伙伴们)|联手|携手")
ABBREVIATION = re.compile(
    r"[（(]\s*(?:以下|下文)?(?:简称|下称|称)[:：]?\s*[“\"「]?([^”\"」）)，,。]{2,20}?)[”\"」]?\s*[）)]"
)
# What follows a company's brand in its full name: trade words and a legal form
# (沐瞳 + 科技, 中国电信 + 集团有限公司, 蔚来 + 汽车).
COMPANY_REMAINDER = re.compile(
    r"^(?:信息产业|信息技术|信息|科技|技术|数据服务|数据|服务|网络|医疗|健康|控股|实业|发展|投资|产业|电子|通信"
    r"|新能源|能源|医药|药业|制药|生物|传媒|文化|软件|汽车)*"
    r"(?:集团)?(?:股份)?(?:有限责任公司|有限公司|公司|集团)$"
)
# A trade word alone after a brand names the same company (沐瞳科技 = 沐瞳, 蔚来汽车 = 蔚来);
# not 健康 or 医疗, which often name a subsidiary (阿里健康 is not 阿里巴巴).
BRAND_REMAINDER = re.compile(
    r"^(?:科技|技术|汽车|控股|实业)(?:集团)?(?:股份)?(?:有限责任公司|有限公司|公司)?$"
)


def brand_of(word: str, organization: str) -> bool:
    """Is ``word`` the brand of ``organization`` (中国电信 of 中国电信集团有限公司, 沐瞳 of
    沐瞳科技)?"""
    if len(organization) <= len(word) or not organization.startswith(word):
        return False
    rest = organization[len(word) :]
    return bool(COMPANY_REMAINDER.match(rest) or BRAND_REMAINDER.match(rest))


ENGLISH_ALIAS = re.compile(r"[（(]\s*([A-Za-z][A-Za-z0-9 .&\-]{5,80})\s*[）)]")
# An acronym in brackets after a name: 发那科（FANUC）, 美国联邦通信委员会（FCC）.
ACRONYM_ALIAS = re.compile(r"[（(]\s*([A-Z][A-Z0-9&\-]{1,4})\s*[）)]")


def _heads_by_end(heads: Iterable[str]) -> dict[str, tuple[str, ...]]:
    by_last: dict[str, list[str]] = {}
    for head in heads:
        by_last.setdefault(head[-1], []).append(head)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in by_last.items()}


@lru_cache(maxsize=16)
def _cached_heads(heads: frozenset[str]) -> dict[str, tuple[str, ...]]:
    return _heads_by_end(heads)


def head_matches(view: TextView, heads: frozenset[str]) -> list[tuple[int, int, str]]:
    """Every head word that ends where a token ends (longest head first), remembered per view:
    several rules ask for the same heads."""
    key = ("heads", heads)
    if key not in view.memo:
        view.memo[key] = list(_head_matches(view, heads))
    return cast(list[tuple[int, int, str]], view.memo[key])


def _head_matches(view: TextView, heads: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    by_last = _cached_heads(heads)
    text = view.text
    for token in view.tokens:
        end = token.end
        for head in by_last.get(text[end - 1], ()):
            if text.startswith(head, end - len(head)):
                yield end - len(head), end, head
                break


def _ends_with_non_head(view: TextView, end: int) -> bool:
    """Does the text before ``end`` end with a word that only looks like a head (数据中心)?"""
    non_heads = view.lexicons.org_non_heads
    return longest_suffix(view.text[max(0, end - 8) : end], non_heads) is not None


def _only_descriptors(view: TextView, start: int, end: int) -> bool:
    descriptors = view.lexicons.org_descriptors
    words = [
        view.text[max(t.start, start) : min(t.end, end)]
        for t in view.tokens[view.token_index(start) : view.token_index(max(start, end - 1)) + 1]
    ]
    return all(word in descriptors or not HAN.search(word) and not word.isalnum() for word in words if word)


def _acronym_follows(view: TextView, head_end: int) -> bool:
    """Is the name followed by its acronym in brackets (世界胃肠组织（WGO）)? Then it is a name."""
    if head_end < 0:
        return False
    bracket = view.text[head_end : head_end + 84]
    return ACRONYM_ALIAS.match(bracket) is not None or ENGLISH_ALIAS.match(bracket) is not None


def _ordinary_words(view: TextView, start: int, end: int) -> bool:
    """Is ``start:end`` short and made of ordinary words only (研发, 儿童摄影; not 真格/nz)?"""
    if end - start > 4:
        return False
    tokens = view.tokens[view.token_index(start) : view.token_index(end - 1) + 1]
    return all(
        t.tag not in PROPER_TAGS and _common_noun(view.text[max(t.start, start) : min(t.end, end)])
        for t in tokens
    )


# Tags of proper nouns: a word the tagger reads as a name (真格/nz) is no ordinary word.
PROPER_TAGS = frozenset({"nz", "nw", "nr", "ns", "nt", "PER", "LOC", "ORG"})


def _common_noun(word: str) -> bool:
    """A word the dictionary knows, and not as a name of a person, place or organization."""
    entry = dictionary_tags().get(word)
    return entry is not None and entry[1][:2] not in {"nr", "ns", "nt", "nz"} and entry[1] != "j"


def _described(view: TextView, start: int) -> bool:
    """Preceded by 的 or a classifier: a description (一家国家临床医学研究中心), not a name."""
    before = view.text[max(0, start - 2) : start]
    return before.endswith("的") or before.endswith(CLASSIFIERS)


def _strip_cues(view: TextView, start: int, end: int) -> int:
    """Start of a name without a cooperation verb the tagger glued to it (联合国投集团 → 国投集团).

    A one-character cue that begins a word with the next character is part of the name
    (和睦家医院, 同仁医院, 和平医院).
    """
    word = view.text[start:end]
    for cue in LEADING_CUES:
        if word.startswith(cue) and len(word) - len(cue) >= 3 and view.tokens[view.token_index(start)].end > start + len(cue):
            if len(cue) == 1 and word[:2] in dictionary_tags():
                return start
            return start + len(cue)
    return start


def _has_place(view: TextView, start: int, end: int) -> bool:
    segment = view.text[start:end]
    if segment in PLACE_REFERENCES or any(segment.startswith(p) for p in PLACE_REFERENCES if len(p) > 1):
        return True
    for offset in range(len(segment) - 1):
        if view.place_prefix(segment[offset:]):
            return True
    return any(
        t.tag == "LOC" for t in view.tokens[view.token_index(start) : view.token_index(max(start, end - 1)) + 1]
    )


# --- organizations ---------------------------------------------------------------------------


def org_candidates(view: TextView) -> Iterator[Candidate]:
    """ORGs from heads (…医院, …有限公司, …卫健委), LAC's ORG spans, domain names and lists.

    A name that ends with a venue's head (…酒店, …会议中心) is a place: it is proposed as one.
    """
    for candidate in chain(
        _orgs_by_head(view),
        _orgs_from_backend(view),
        _orgs_by_domain_name(view),
        _orgs_from_lists(view),
        _orgs_before_titles(view),
    ):
        yield _as_venue(view, candidate)


def _as_venue(view: TextView, candidate: Candidate) -> Candidate:
    """The candidate as a place when it names a venue (北京国际会议中心)."""
    name = view.text[candidate.start : candidate.end]
    if longest_suffix(name, view.lexicons.venue_heads) is None:
        return candidate
    end = _venue_end(view, candidate.start, candidate.end)
    return Candidate(candidate.start, end, "LOC", candidate.rule, candidate.priority)


def _venue_end(view: TextView, start: int, end: int) -> int:
    """End of the outermost venue in ``start:end``: a hall inside a hotel is the hotel."""
    heads = view.lexicons.venue_heads
    for inner in range(start + 2, end):
        if longest_suffix(view.text[start:inner], heads, shortest=2):
            return inner
    return end


#: A partnership's legal form in brackets is part of its registered name
#: (上海高毅资产管理合伙企业（有限合伙）).
PARTNERSHIP_FORM = re.compile(r"[（(](?:有限合伙|普通合伙|特殊普通合伙)[）)]")


def _orgs_by_head(view: TextView) -> Iterator[Candidate]:
    lexicons, text = view.lexicons, view.text
    for head_start, head_end, head in head_matches(view, frozenset(lexicons.org_heads)):
        kind = lexicons.org_heads[head]
        if _ends_with_non_head(view, head_end):
            continue
        if kind == "person":
            candidate = _team(view, head_start, head_end)
            if candidate:
                yield candidate
            continue
        joiners = frozenset({"与", "和"}) if kind in {"unit", "subunit"} else frozenset()
        if len(head) == 1 and kind != "subunit" and not _single_character_head(view, head_start):
            continue
        if _title_over(view, head_start, head_end):
            continue  # 党委 in 党委书记 belongs to the title
        # a quotation right before the head is the name (“爱 • 永纯”基金)
        # (not a trade word's: “八五”科技攻关 is no company)
        quoted = kind != "company" and any(
            c in DOUBLE_CLOSE_QUOTES for c in text[max(0, head_start - 4) : head_start]
        )
        start = walk_left(view, head_start, Walk(joiners=joiners, quotes=quoted))
        if quoted:
            start = _quotation_start(view, start, head_start)
        start = _strip_cues(view, start, head_end)
        if kind == "subunit":
            if _subunit_of_organization(view, start, head_start):
                yield Candidate(start, head_end, "ORG", "org-subunit", 2)
        elif kind == "brand":
            if _brand_name(view, start, head_start, head_end):
                yield Candidate(start, head_end, "ORG", "org-head", 2)
        elif _acceptable_org(view, start, head_start, kind, head_end=head_end) and (
            kind != "company" or _trade_word_ends_name(view, head_end)
        ):
            legal_form = PARTNERSHIP_FORM.match(text, head_end)
            yield Candidate(start, legal_form.end() if legal_form else head_end, "ORG", "org-head", 2)


def _trade_word_ends_name(view: TextView, head_end: int) -> bool:
    """Is a trade word at ``head_end`` the end of a name, not a modifier of the next noun?

    杭州诺辉健康旗下, 中国医药导报副社长, 贝恩资本、; not 中国资本市场, 健康产业 (a noun
    follows that is neither a title nor one of the words that stand after a name: 旗下, 股东).
    """
    if head_end >= len(view.text):
        return True
    token = view.tokens[view.token_index(head_end)]
    word = view.text[token.start : token.end]
    if token.start != head_end or token.tag not in NOUN_TAGS:
        return True
    return word in view.lexicons.stop_nouns or head_end in view.title_starts


def _brand_name(view: TextView, start: int, head_start: int, head_end: int) -> bool:
    """A brand before a trade word (贝恩资本, 杭州诺辉健康): see ``brand`` in org_heads.tsv."""
    head_token = view.tokens[view.token_index(head_start)]
    if head_token.start != head_start or start == head_start or _described(view, start):
        return False
    if not _trade_word_ends_name(view, head_end):
        return False
    brand = view.tokens[view.token_index(head_start - 1)]
    return _brand_word(view, view.text[brand.start : head_start], brand.tag)


def _brand_word(view: TextView, word: str, tag: str) -> bool:
    """A brand right before the trade word: a name word, Latin letters, or a word unknown to
    the dictionary that is no place (诺辉, 贝恩; not 事业 in 中国医疗卫生事业健康发展)."""
    if tag in {"PER", "ORG", "nz", "nw", "eng"} or LATIN_OR_DIGIT.match(word):
        return True
    unknown = word not in dictionary_tags() and not view.place_prefix(word)
    return HAN.match(word) is not None and unknown


NOUN_TAGS = frozenset({"n", "vn", "nz", "an", "nw"})


def _quotation_start(view: TextView, start: int, head_start: int) -> int:
    """A quoted name starts at its quotation, unless an organization or place owns it.

    “自由行走/Walking Freely”公益基金; but 北京大学“未名”基金 keeps its university.
    """
    text = view.text
    opening = next((p for p in range(start, head_start) if text[p] in OPEN_QUOTES), None)
    if opening is None or opening == start:
        return start
    owners = view.tokens[view.token_index(start) : view.token_index(opening - 1) + 1]
    return start if any(t.tag in {"ORG", "LOC"} for t in owners) else opening


def _subunit_of_organization(view: TextView, start: int, head_start: int) -> bool:
    """Does ``start:head_start`` start with an organization and go on with the unit's own name?

    中华医学会神经病学分会 + 痴呆与认知障碍 + 学组, 北医三院 + 骨 + 科; not 医院学科 (no name of
    the unit between the organization and the head) nor 内科 alone (no organization).
    """
    first = view.tokens[view.token_index(start)]
    if first.start != start or first.end >= head_start:
        return False
    parent = view.text[start : first.end]
    heads = view.lexicons.org_heads
    parent_head = longest_suffix(parent, heads, shortest=2)
    parent_is_named = parent_head is not None and heads[parent_head] != "subunit"
    is_organization = first.tag == "ORG" or parent_is_named
    return is_organization and len(parent) >= 3


def _single_character_head(view: TextView, head_start: int) -> bool:
    """部, 局 end names only in words of three or more characters (组织部), not 布局, 南部, 干部."""
    token = view.tokens[view.token_index(head_start)]
    return token.tag == "ORG" or token.end - token.start >= 3 or token.start == head_start


def _title_over(view: TextView, head_start: int, head_end: int) -> bool:
    """A title starts with the head and runs past it (党委书记 over 党委; not 委员 in 委员会)."""
    text = view.text
    longer = range(head_end - head_start + 1, 8)
    return any(view.lexicons.is_title(text[head_start : head_start + n]) for n in longer)


def _acceptable_org(
    view: TextView,
    start: int,
    head_start: int,
    kind: str,
    *,
    tagged: bool = False,
    head_end: int = -1,
) -> bool:
    """Is ``start:head_start`` a name for a head of ``kind``? ``tagged``: the backend called it ORG;
    ``head_end``: where the head ends (an acronym in brackets after it anchors the name)."""
    modifier = view.text[start:head_start]
    if not modifier:
        return False
    if kind == "place":
        return _has_place(view, start, head_start)
    anchored = has_anchor(view, start, head_start) or _acronym_follows(view, head_end)
    if kind == "anchored":
        return tagged or anchored or modifier.startswith(NATIONAL)
    if kind == "company":
        token = view.tokens[view.token_index(start)]
        whole_name = token.start == start and token.tag in {"ORG", "LOC", "nz", "PER"} and token.end > head_start
        return (anchored or whole_name or tagged) and not _described(view, start)
    if _described(view, start) and (_has_place(view, start, head_start) and view.place_prefix(modifier) == len(modifier)):
        return False  # 一家中国公司: a company from a place, not a name
    if len(modifier) < 2 and not anchored:
        return False
    if _only_descriptors(view, start, head_start):
        return False
    if not anchored and not tagged and _ordinary_words(view, start, head_start):
        return False  # 研发中心, 康复中心, 孕妇学校: a kind of unit, no name
    if not anchored and any(word in modifier for word in view.lexicons.org_type_words):
        return False  # 研究型医院, 三甲医院: a kind of organization, not a name
    return anchored or not _described(view, start)


def _team(view: TextView, head_start: int, head_end: int) -> Candidate | None:
    """A team named after its leader: <name><title>团队 (徐涛院士团队)."""
    for title_length in range(5, 1, -1):
        title_start = head_start - title_length
        if title_start > 0 and view.lexicons.is_title(view.text[title_start:head_start]):
            for name_length in (3, 2):
                name = view.text[title_start - name_length : title_start]
                if len(name) == name_length and _looks_like_name(view, name):
                    return Candidate(title_start - name_length, head_end, "ORG", "org-team", 2)
    return None


def _orgs_before_titles(view: TextView) -> Iterator[Candidate]:
    """The name before a title and a person is their organization (腾讯智慧医疗总经理张国栋)."""
    text, lexicons = view.text, view.lexicons
    for title_end, title_start in view.titles.items():
        if not _name_after(view, title_end, set()):
            continue
        start = walk_left(view, title_start, Walk())
        first = view.tokens[view.token_index(start)]
        if (
            start < title_start
            and first.tag == "ORG"
            and first.start == start
            and first.end < title_start
            and not text[:title_start].endswith(DEPARTMENT_SUFFIXES)
            # 天健软件集团 + 技术总监: an organization with its head is whole, the rest is the
            # title's
            and not longest_suffix(text[first.start : first.end], lexicons.org_heads, shortest=2)
            and _unit_words(view, first.end, title_start)
        ):
            yield Candidate(start, title_start, "ORG", "org-before-title", 0)


def _unit_words(view: TextView, start: int, end: int) -> bool:
    """Are the words of ``start:end`` the name of a unit (智慧医疗), not places, dates or people?"""
    tokens = view.tokens[view.token_index(start) : view.token_index(end - 1) + 1]
    return all(t.tag in UNIT_TAGS for t in tokens)


# Tags of the words that name a unit after its organization (腾讯 + 智慧医疗).
UNIT_TAGS = frozenset({"n", "nz", "nw", "vn", "an", "j", "eng", "x", "ORG"})


def department_before_person(
    view: TextView, candidate: Candidate, people: frozenset[int]
) -> Candidate:
    """An organization and its department before a title (or a hospital's unit before a person),
    cut before the department.

    北京市卫健委信息中心主任, 北京协和医院神经内科李延峰教授: the guidelines keep a department
    named only beside a person's title in the title, so the organizations are 北京市卫健委 and
    北京协和医院. ``people`` are the starts of the person mentions. A name the article also
    uses with no title or person after it (a department that acts: 神经内科举办) stays whole,
    and so does a name whose own head is longer than the department's (…有限公司, …研究中心,
    …事业部: a company, an institute, a business unit).
    """
    text, lexicons = view.text, view.lexicons
    if candidate.label != "ORG" or candidate.rule == "pattern":
        return candidate
    if candidate.end not in view.title_starts and candidate.end not in people:
        return candidate
    word = text[candidate.start : candidate.end]
    department = longest_suffix(word, lexicons.department_heads)
    own_head = longest_suffix(word, lexicons.org_heads)
    if department is None or (own_head is not None and len(own_head) > len(department)):
        return candidate
    # before a person only a hospital's unit (骨科, 病区): 中山大学肿瘤防治中心范卫君 keeps its
    # centre
    followers = view.title_starts
    if lexicons.org_heads.get(department) == "subunit":
        followers = followers | people
    if candidate.end not in followers:
        return candidate
    if any(end not in followers for end in positions_after(text, word)):
        return candidate
    for cut in range(len(word) - 2, 2, -1):  # the department has a name of its own (科技委, not 委)
        parent_head = longest_suffix(word[:cut], lexicons.org_heads, shortest=2)
        if parent_head is not None and lexicons.org_heads[parent_head] != "subunit":
            return replace(candidate, end=candidate.start + cut)
    return candidate


def _orgs_from_backend(view: TextView) -> Iterator[Candidate]:
    """The backend's ORG spans, trimmed, unless something shows they are not a name."""
    lexicons, text = view.lexicons, view.text
    product_parts: dict[str, bool] = {}  # per word: a word recurs, its occurrences are all looked at
    for entity in view.analysis.entities:
        if entity.label != "ORG":
            continue
        start = _strip_cues(view, entity.start, entity.end)
        end = entity.end
        rest = LATIN_AMPERSAND.match(text, end)
        if rest and text[end - 1].isascii() and text[end - 1].isalpha():
            end = rest.end()  # the tagger's AT, then &T
        while end - start > 2 and text[end - 1] in TRAILING_JOINERS:
            end -= 1
        if _trailing_modal(view, start, end):
            end -= 1  # 沐瞳科技会保持独立运营: 会 is "will", not part of the name
        word = text[start:end]
        if len(word) < 2 or word in view.gazetteer or word in lexicons.org_descriptors:
            continue
        head_end = _head_before_department(view, start, end)
        if head_end:
            head = next(h for h in lexicons.org_heads_by_length if text.startswith(h, head_end - len(h)))
            kind = lexicons.org_heads[head]
            if _ends_with_non_head(view, head_end):
                continue
            head_start = head_end - len(head)
            if kind != "person" and _acceptable_org(
                view, start, head_start, kind, tagged=True, head_end=head_end
            ):
                yield Candidate(start, head_end, "ORG", "org-backend" if head_end == end else "org-department", 2)
            continue
        if longest_suffix(word, lexicons.place_heads) or longest_suffix(word, lexicons.product_heads):
            continue
        if word not in product_parts:
            product_parts[word] = _part_of_product(view, word, end)
        if ordinary_word(word) or product_parts[word] or _strip_cues(view, start, end) > start:
            continue
        if longest_suffix(word, lexicons.org_non_heads) or word.endswith("族"):
            continue  # 满族, 壮族: an ethnic group is not an organization
        yield Candidate(start, end, "ORG", "org-backend", 1)


def _trailing_modal(view: TextView, start: int, end: int) -> bool:
    """Does the name end with an auxiliary (会, 将) before a verb, after a complete name?"""
    text = view.text
    if text[end - 1] not in TRAILING_MODALS or end >= len(text):
        return False
    after = view.tokens[view.token_index(end)]
    complete = longest_suffix(text[start : end - 1], view.lexicons.org_heads, shortest=2)
    return complete is not None and after.start == end and after.tag in {"v", "vd", "d", "ad"}



def _part_of_product(view: TextView, word: str, end: int) -> bool:
    """Always followed by a product word in this text (天翼医疗 in 天翼医疗云): part of a product name.

    ``end`` is where one occurrence of ``word`` ends: when no product word follows it, the
    answer is known without searching the text (which made a long text quadratic).
    """
    heads, text = view.lexicons.product_heads, view.text
    if not any(text.startswith(h, end) for h in heads):
        return False
    position = text.find(word)
    while position >= 0:  # stops at the first occurrence that is not followed by one
        if not any(text.startswith(h, position + len(word)) for h in heads):
            return False
        position = text.find(word, position + 1)
    return True


def _head_before_department(view: TextView, start: int, end: int) -> int:
    """End of the organization inside ``start:end`` when the rest is a department (…委规划发展与信息化司)."""
    text = view.text[start:end]
    heads = view.lexicons.org_heads
    if longest_suffix(text, heads):
        return end
    if text.endswith(DEPARTMENT_SUFFIXES):
        for cut in range(len(text) - 1, 1, -1):
            if longest_suffix(text[:cut], heads, shortest=2):
                return start + cut
    return 0


def _followed_by_title(view: TextView, end: int) -> bool:
    for length in range(6, 1, -1):
        if view.lexicons.is_title(view.text[end : end + length]):
            return True
    return False


def _orgs_by_domain_name(view: TextView) -> Iterator[Candidate]:
    """Internet companies named by their domain (大专家．COM)."""
    for match in DOMAIN_NAME.finditer(view.text):
        start = match.start()
        while start < match.end() and view.tokens[view.token_index(start)].tag in {"p", "c", "v", "u", "w"}:
            start = view.tokens[view.token_index(start)].end
        if HAN.search(view.text[start : match.end()]):
            yield Candidate(start, match.end(), "ORG", "org-domain", 2)


def _orgs_from_lists(view: TextView) -> Iterator[Candidate]:
    """Items of lists that the text says are organizations (A、B、C等单位; 由A、B主办)."""
    text = view.text
    ends = [(m.start(), m.end()) for m in LIST_ORG_CLASS.finditer(text)]
    ends += [(m.start(), m.end()) for m in ORGANIZER_VERBS.finditer(text)]
    ends += [(m.start(), m.end()) for m in PARTNER_CUES.finditer(text)]
    for list_end, _ in ends:
        items = [(_strip_cues(view, s, e), e) for s, e in list_items(view, list_end)]
        items = [(s, e) for s, e in items if 2 <= e - s <= 30 and _plausible_list_org(view, s, e)]
        anchored = [_org_like(view, s, e) for s, e in items]
        for (start, end), is_anchored in zip(items, anchored):
            # an item needs its own anchor, or company in the list: 航天云网 beside 宁夏卫健委
            if is_anchored or sum(anchored) >= 1 and len(items) >= 2:
                yield Candidate(start, end, "ORG", "org-list", 1)


def _org_like(view: TextView, start: int, end: int) -> bool:
    word = view.text[start:end]
    tags = {t.tag for t in view.tokens[view.token_index(start) : view.token_index(end - 1) + 1]}
    heads = view.lexicons.naming_heads
    return "ORG" in tags or bool(DOMAIN_NAME.search(word)) or has_infix(word, heads, shortest=2)


def list_items(view: TextView, list_end: int) -> list[tuple[int, int]]:
    """Items of the 、/与/和-joined list that ends at ``list_end`` (parentheticals skipped), in order."""
    text = view.text
    items: list[tuple[int, int]] = []
    while list_end > 0 and text[list_end - 1] in "等的将已":
        list_end -= 1  # A、B等联合承办; A和B的合作
    position = end = list_end
    while position > 0:
        char = text[position - 1]
        if char in "）)":
            window = max(0, position - 31)  # a parenthetical further back ends the list anyway
            opening = max(text.rfind("（", window, position), text.rfind("(", window, position))
            if opening < 0 or position - opening > 30:
                break
            if end == position:
                end = opening
            position = opening
            continue
        if char in "、及" or text.endswith(("与", "和", "同"), 0, position) and _is_joiner(view, position - 1):
            if end > position:
                items.append((position, end))
            position -= 1
            end = position
            continue
        if char in "，,。；;：:！？!?\n“”\"" or _is_clause_boundary(view, position - 1):
            break
        position -= 1
    if end > position:
        items.append((position, end))
    return [(s, e) for s, e in reversed(items) if e > s]


def _is_joiner(view: TextView, position: int) -> bool:
    """和, 与, 同 as a conjunction (the tagger may glue a space to it: Vimeo 和 Wikimedia)."""
    token = view.tokens[view.token_index(position)]
    word = view.text[token.start : token.end]
    return len(word) == 1 and token.tag in {"p", "c"} or len(word.strip()) == 1 and token.tag == "w"


def _is_clause_boundary(view: TextView, position: int) -> bool:
    """A single-character preposition such as 由 or 在 opens the list; a verb ends it."""
    token = view.tokens[view.token_index(position)]
    return token.start == position and token.tag in {"p", "v", "vd", "d", "ad", "r", "u"} and token.end - token.start <= 2


def list_siblings(view: TextView, chosen: Iterable[Candidate]) -> Iterator[Candidate]:
    """Items of a 、-list beside an organization the text names: organizations too.

    贝恩资本、愉悦资本等; Mozilla、ADT、Dropbox 和 Wikimedia; 和睦家医院、Remebot微创机器人、优蓝
    机器人: brand and short company names have no head word, and a list is made of one kind
    of thing. An item must look like a name (no verb, no title, not a place, not an ordinary
    word) and not be a person or a place that other evidence chose.
    """
    text = view.text
    chosen = list(chosen)
    orgs = [c for c in chosen if c.label == "ORG" and _confident_org(view, c.start, c.end)]
    org_names = {text[c.start : c.end] for c in orgs}
    others = Spans(
        (c.start, c.end) for c in chosen if c.label != "ORG" and c.rule not in WEAK_READINGS
    )
    list_ends = {_list_end(view, c.end) for c in orgs if _listed(view, c.start, c.end)}
    for list_end in sorted(list_ends):
        items = [
            _without_spaces(text, _strip_cues(view, s, e), e) for s, e in list_items(view, list_end)
        ]
        if len(items) < 2 or "、" not in text[items[0][0] : items[-1][1]]:
            continue
        if not any(text[s:e] in org_names for s, e in items):
            continue
        for start, end in items:
            if text[start:end] in org_names or others.touches(start, end):
                continue
            if _holds_mention(chosen, start, end) or not _plausible_sibling(view, start, end):
                continue  # 双流区政府领导: an organization and more, not another one
            yield Candidate(start, end, "ORG", "org-sibling", 0)


def _confident_org(view: TextView, start: int, end: int) -> bool:
    """An organization the list can vouch for: anchored or the tagger's (not 康复中心)."""
    tokens = view.tokens[view.token_index(start) : view.token_index(end - 1) + 1]
    return any(t.tag == "ORG" for t in tokens) or has_anchor(view, start, end)


def _holds_mention(chosen: list[Candidate], start: int, end: int) -> bool:
    """Is a chosen mention strictly inside ``start:end``?"""
    return any(
        start <= c.start and c.end <= end and (c.start, c.end) != (start, end) for c in chosen
    )


# Readings of the tagger alone, which a list of organizations outweighs (贝恩/PER in 贝恩资本).
WEAK_READINGS = frozenset({"person-backend-weak", "person-backend", "loc-backend", "repeat"})
LIST_SEPARATORS = "、和及与"


def _listed(view: TextView, start: int, end: int) -> bool:
    """Is ``start:end`` an item of a 、-list (a separator right after or right before it)?"""
    text = view.text
    after = text[end : end + 2].lstrip()
    before = text[max(0, start - 2) : start].rstrip()
    separator_after = bool(after) and after[0] in LIST_SEPARATORS
    return separator_after or bool(before) and before[-1] in LIST_SEPARATORS


def _list_end(view: TextView, end: int) -> int:
    """End of the list whose item ends at ``end``: the items after it are walked over."""
    text = view.text
    while True:
        position = end
        while position < len(text) and text[position] == " ":
            position += 1
        if position >= len(text) or not (
            text[position] == "、" or text[position] in "和及与" and _is_joiner(view, position)
        ):
            return end
        item_end = _item_end(view, position + 1)
        if item_end <= position + 1:
            return end
        end = item_end


def _item_end(view: TextView, start: int) -> int:
    """End of the list item that starts at ``start`` (at the next separator or clause word)."""
    text = view.text
    position = start
    while position < len(text) and text[position] == " ":
        position += 1
    while position < len(text):
        char = text[position]
        if char in ITEM_ENDS or char in "和及与" and _is_joiner(view, position):
            break
        token = view.tokens[view.token_index(position)]
        if token.start == position and token.tag in ITEM_END_TAGS and position > start:
            break
        position += 1
    return len(text[:position].rstrip())


ITEM_END_TAGS = frozenset({"v", "vd", "p", "d", "ad", "u", "c"})
ITEM_ENDS = "、，,。；;：:！？!?\n“”\"（）()等的"


def _without_spaces(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _plausible_sibling(view: TextView, start: int, end: int) -> bool:
    """Could ``start:end``, an item of a list of organizations, be one's name?"""
    text, lexicons = view.text, view.lexicons
    word = text[start:end]
    if not 2 <= len(word) <= 20 or word in view.gazetteer or view.place_prefix(word) == len(word):
        return False
    if word in common_words() or word in lexicons.org_descriptors or word in lexicons.stop_nouns:
        return False
    if word in lexicons.org_heads or longest_suffix(word, lexicons.org_non_heads):
        return False  # 中医医院 alone is a kind of hospital; 健康山东项目 is a project
    if _only_descriptors(view, start, end) or has_infix(word, lexicons.titles, shortest=2):
        return False
    tokens = view.tokens[view.token_index(start) : view.token_index(end - 1) + 1]
    for token in tokens:
        part = text[token.start : token.end]
        if token.tag in SIBLING_STOP_TAGS and not LATIN_OR_DIGIT.match(part):
            return False
        if part in lexicons.stop_nouns or part in lexicons.honorifics:
            return False  # 有关同志, 相关领导
    return True


# Words that do not stand in a name of a list: verbs, function words, numbers, times.
SIBLING_STOP_TAGS = frozenset({"v", "vd", "p", "c", "u", "d", "r", "m", "q", "TIME", "w", "f"})


def _plausible_list_org(view: TextView, start: int, end: int) -> bool:
    word = view.text[start:end]
    lexicons = view.lexicons
    if word in view.gazetteer or word in lexicons.stop_nouns or word in lexicons.org_heads:
        return False  # [医院]与社会资本合作: a head alone names no organization
    head = longest_suffix(word, lexicons.org_heads, shortest=2)
    if _only_descriptors(view, start, end - len(head) if head and head != word else end):
        return False  # 知名三甲医院, 地方医疗机构: descriptions before a head
    tags = {t.tag for t in view.tokens[view.token_index(start) : view.token_index(end - 1) + 1]}
    if tags & {"v", "PER", "TIME", "m", "r"}:
        return False
    return bool(tags & NAME_TAGS)


# --- events ----------------------------------------------------------------------------------


def event_candidates(view: TextView) -> Iterator[Candidate]:
    """Named events: a head (大会, 峰会, 签约仪式 …) after an anchored name, or a quoted event name."""
    lexicons, text = view.lexicons, view.text
    for head_start, head_end, head in head_matches(view, lexicons.event_heads):
        start = walk_left(view, head_start, EVENT_WALK)
        inner = _inner_event(view, start, head_start) if head in lexicons.ceremony_heads else None
        if inner:
            yield inner
        elif (
            start < head_start
            and _anchored_event(view, start, head_start)
            and not _body(view, start, head_end)
        ):
            start = _conjoined_start(view, start, head_start)
            year = YEAR_AFTER.match(text, head_end)
            yield Candidate(start, year.end() if year else head_end, "EVENT", "event-head", 3)
    for match in PARTY_CONGRESS.finditer(text):
        yield Candidate(match.start(), match.end(), "EVENT", "event-congress", 3)
    for match in re.finditer(r"[“「『]([^”」』\n]{3,40})[”」』]", text):
        name = match.group(1)
        if any(name.endswith(h) for h in lexicons.event_heads) and not re.search(r"[，。；！？]", name):
            yield Candidate(match.start(1), match.end(1), "EVENT", "event-quoted", 3)
    yield from _campaigns(view)


# The walk of an event name: over quotes, titles (客座教授聘任仪式), years and ordinals, and 与
# (痴呆与认知障碍学习班).
EVENT_WALK = Walk(quotes=True, keep_year=True, titles=True, joiners=frozenset({"与"}))
# A year written after the head belongs to the name (华为开发者大会2021), a date does not
# (大会2021年).
YEAR_AFTER = re.compile(r"(?:19|20)\d\d(?![\d年月日.．\-/])")
# A quoted name called a campaign: “青春健康浙江行--衢州站”活动, “X”的大型公益活动, or a quoted
# name that ends with 活动 itself (“关爱乳房，关爱女性——免费乳腺B超筛查公益活动”).
CAMPAIGN = re.compile(
    r"[“「『]\s*([^”」』\n。！？；“「『]{2,40}?)\s*[”」』]"
    r"(?=(?:的)?(?:大型|系列|主题)?(?:公益|慈善|宣传|主题|志愿服务|义诊)?活动)"
)
QUOTED_CAMPAIGN = re.compile(
    r"[“「『]\s*([^”」』\n。！？；“「『]{2,40}?(?:公益|慈善|宣传|主题|志愿服务|义诊)?活动)\s*[”」』]"
)
# A campaign named after the period it fills (“学术年”活动, “乳腺癌防治月”活动) is a season of
# activities, not one event.
CAMPAIGN_PERIOD = re.compile(r"[年月周]$")
# What a campaign is called when it has no name of its own (“慈善活动”, “公益活动”).
CAMPAIGN_WORD = re.compile(r"^(?:大型|系列|主题)?(?:公益|慈善|宣传|主题|志愿服务|义诊)?活动$")


def _body(view: TextView, start: int, end: int) -> bool:
    """A standing body, not one of its meetings: 全国人民代表大会 (no ordinal or year dates it)."""
    name = view.text[start:end]
    if longest_suffix(name, view.lexicons.event_bodies) is None:
        return False
    return not (view.lexicons.event_ordinals.search(name) or re.search(r"(?:19|20)\d\d", name))


def _anchored_event(view: TextView, start: int, head_start: int) -> bool:
    """An anchor, or a name of its own after a national scope or an ordinal.

    全国微创食管癌根治术培训班, 第十四届全国冬季运动会: the scope or the ordinal says the
    words after it name one event (第三届大会 or 第三届学术会议 does not).
    """
    if has_anchor(view, start, head_start):
        return True
    modifier = view.text[start:head_start]
    ordinal = view.lexicons.event_ordinals.match(modifier)
    rest = modifier[ordinal.end() :] if ordinal else modifier
    if ordinal and len(rest) >= 2 and rest not in common_words():
        return True  # 第一届学术会议: one ordinary word after the ordinal names nothing
    return any(rest.startswith(n) and len(rest) > len(n) + 1 for n in NATIONAL)


def _conjoined_start(view: TextView, start: int, head_start: int) -> int:
    """An event joined to the one before it by 暨 starts where that one starts.

    客座教授聘任仪式暨第二届商洛微创胸外科高峰论坛 is one event: the walk from 论坛
    stops inside 聘任仪式 (聘任 is a verb), so the first event is walked on its own.
    """
    text = view.text
    join = text.find("暨", start, head_start)
    if join < 0:
        return start
    first_head = longest_suffix(text[max(0, join - 8) : join], view.lexicons.event_heads)
    if first_head is None:
        return start
    return min(start, walk_left(view, join - len(first_head), EVENT_WALK))


def _campaigns(view: TextView) -> Iterator[Candidate]:
    """Quoted campaign names: the quotation before 活动, or a quoted name ending with 活动."""
    for pattern in (CAMPAIGN, QUOTED_CAMPAIGN):
        for match in pattern.finditer(view.text):
            name = match.group(1)
            generic = CAMPAIGN_WORD.match(name) or CAMPAIGN_PERIOD.search(name)
            if HAN.search(name) and not generic:
                yield Candidate(match.start(1), match.end(1), "EVENT", "event-campaign", 3)


# Congresses named by their ordinal (十五大, 中共十九大, 党的十大): an event of political news.
PARTY_CONGRESS = re.compile(r"(?:中共)?十[一二三四五六七八九]大(?![小型会家学众量批件类项])|(?<=党的)十大|(?<=中共)十大")


def _inner_event(view: TextView, start: int, head_start: int) -> Candidate | None:
    """The named event a ceremony belongs to (首届“千帆杯”医疗AI大赛 in …大赛启动仪式)."""
    for head_start_inner, head_end_inner, _ in head_matches(view, view.lexicons.event_heads):
        if head_end_inner == head_start or (head_end_inner < head_start and not view.text[head_end_inner:head_start].strip("启动开幕闭幕颁奖发布签约")):
            if head_end_inner <= start:
                continue
            inner_walk = Walk(quotes=True, keep_year=True, joiners=EVENT_WALK.joiners)
            inner_start = walk_left(view, head_start_inner, inner_walk)
            if inner_start < head_start_inner and has_anchor(view, inner_start, head_start_inner):
                return Candidate(inner_start, head_end_inner, "EVENT", "event-inner", 3)
    return None


# --- places ----------------------------------------------------------------------------------


def place_candidates(view: TextView) -> Iterator[Candidate]:
    """LOCs from the gazetteer, LAC's LOC spans that check out, and named zones (…开发区, …地区)."""
    yield from _places_by_abbreviation(view)
    yield from _places_from_gazetteer(view)
    yield from _places_from_backend(view)
    yield from _places_by_head(view)
    yield from _venues(view)


def _venues(view: TextView) -> Iterator[Candidate]:
    """Venues: a venue head after an anchored name (宣武医院教学楼3层西厅, 北京临空假日酒店).

    A hall inside a hotel is the hotel (北京临空假日酒店宴会厅 → 北京临空假日酒店).
    """
    text, heads = view.text, view.lexicons.venue_heads
    for head_start, head_end, _ in head_matches(view, heads):
        start = walk_left(view, head_start, Walk())
        if start == head_start or not _anchored_venue(view, start, head_start):
            continue
        yield Candidate(start, _venue_end(view, start, head_end), "LOC", "loc-venue", 2)


def _anchored_venue(view: TextView, start: int, head_start: int) -> bool:
    """An anchor before the head, or the tagger's name over the whole (北京临空假日酒店/ORG)."""
    token = view.tokens[view.token_index(start)]
    whole = token.start == start and token.end > head_start and token.tag in {"ORG", "LOC", "nz"}
    return whole or has_anchor(view, start, head_start)


ABBREVIATION_CONTEXT = re.compile(r"(?<=[访来赴驻抵离返旅留在])(?P<one>.)(?=[，。、；\s]|[^\u4e00-\u9fff]|投资|期间|大使|使馆|企业|外资|工作|访问)|(?P<side>.)(?=方[^面法式向案便针])")


def _places_by_abbreviation(view: TextView) -> Iterator[Candidate]:
    """One-character place abbreviations: 中美 → 中, 美; 深、港、澳; 访华; 中方."""
    abbreviations, text = view.lexicons.place_abbreviations, view.text
    for token in view.tokens:
        word = text[token.start : token.end]
        if 2 <= len(word) <= 4 and all(c in abbreviations for c in word) and word not in view.gazetteer:
            if token.tag in {"LOC", "ORG", "n", "j", "nz"}:
                for offset in range(len(word)):
                    yield Candidate(token.start + offset, token.start + offset + 1, "LOC", "loc-abbreviation", 1)
    for match in re.finditer(r"(?:^|(?<=[^\u4e00-\u9fff]))([\u4e00-\u9fff])(?:[、及和]([\u4e00-\u9fff])){2,}(?=[^\u4e00-\u9fff]|等)", text):
        chars = re.findall(r"[\u4e00-\u9fff]", match.group())
        if all(c in abbreviations for c in chars if c not in "及和"):
            for position in range(match.start(), match.end()):
                if text[position] in abbreviations:
                    yield Candidate(position, position + 1, "LOC", "loc-abbreviation", 1)
    for match in ABBREVIATION_CONTEXT.finditer(text):
        group = "one" if match.group("one") else "side"
        char = match.group(group)
        if char in abbreviations and char in "中华美日俄德英法加韩朝港澳台":
            position = match.start(group)
            yield Candidate(position, position + 1, "LOC", "loc-abbreviation", 1)


def is_slogan(view: TextView, start: int) -> bool:
    """A place inside a slogan or strategy name (健康中国, 数字中国, 幸福蓉城)."""
    before = view.text[max(0, start - 2) : start]
    return longest_suffix(before, view.lexicons.slogan_prefixes) is not None


def _places_from_gazetteer(view: TextView) -> Iterator[Candidate]:
    tokens, text, gazetteer = view.tokens, view.text, view.gazetteer
    for index in range(len(tokens)):
        first = tokens[index].start
        if not gazetteer.may_start(text[first : first + 2]):
            continue  # no place name of two or more characters starts here
        for width in (3, 2, 1):
            if index + width > len(tokens):
                continue
            start, end = tokens[index].start, tokens[index + width - 1].end
            word = text[start:end]
            if end - start < 2 or word not in view.gazetteer or is_slogan(view, start):
                continue
            place = view.gazetteer.lookup(word)
            full_name = place is not None and word in {place.name, place.qualified_name}
            if (width == 1 and tokens[index].tag in {"LOC", "n", "nz", "ORG", "ns"}) or full_name:
                yield Candidate(start, end, "LOC", "loc-gazetteer", 1)
                break


def _places_from_backend(view: TextView) -> Iterator[Candidate]:
    text = view.text
    for entity in view.analysis.entities:
        if entity.label not in {"LOC", "ORG"}:
            continue
        word = text[entity.start : entity.end]
        if is_slogan(view, entity.start):
            continue
        if word not in view.gazetteer and all(c in view.lexicons.place_abbreviations for c in word):
            continue  # 中美: two places, one character each (_places_by_abbreviation)
        prefix = view.place_prefix(word)
        if prefix and prefix < len(word) and word[prefix:] in view.gazetteer:
            # 新疆莎车: two places, the region and the county
            yield Candidate(entity.start, entity.start + prefix, "LOC", "loc-backend", 1)
            yield Candidate(entity.start + prefix, entity.end, "LOC", "loc-backend", 1)
        elif prefix == len(word) or prefix and word[prefix:] in common_words():
            # 北京合作, 北京南部: the tagger ran on into an ordinary word
            yield Candidate(entity.start, entity.start + prefix, "LOC", "loc-backend", 1)
        elif (
            entity.label == "LOC"
            and not re.search(r"[及与、]", word)
            and word not in common_words()
            and word not in refused_short_forms()
            and word not in view.lexicons.slogan_prefixes
        ):
            end = _without_place_suffix(view, entity.start, entity.end)
            yield Candidate(entity.start, end, "LOC", "loc-backend", 0)


def _places_by_head(view: TextView) -> Iterator[Candidate]:
    """Zones named by a place and a head (北京经济技术开发区, 珠三角地区).

    A description before the head (大凉山贫困地区) leaves the place before it, not a zone.
    """
    for head_start, head_end, _ in head_matches(view, view.lexicons.place_heads):
        start = walk_left(view, head_start, Walk())
        if start == head_start or not _has_place(view, start, head_start):
            continue
        if _only_descriptors(view, start, head_start):
            continue
        described = _described_place_end(view, start, head_start)
        if described is None:
            yield Candidate(start, head_end, "LOC", "loc-head", 1)
        elif described - start >= 2 and _has_place(view, start, described):
            if view.text[start:described] not in view.lexicons.place_suffixes:  # not 西部
                yield Candidate(start, described, "LOC", "loc-head", 1)


def _described_place_end(view: TextView, start: int, head_start: int) -> int | None:
    """Where a description of the place (贫困, 落后) starts in ``start:head_start``, if one does."""
    text, modifiers = view.text, view.lexicons.place_modifiers
    for position in range(start, head_start):
        if any(text.startswith(modifier, position) for modifier in modifiers):
            return position
    return None


def _without_place_suffix(view: TextView, start: int, end: int) -> int:
    """End of a place before a side or part of it (塔里木盆地西缘 → 塔里木盆地)."""
    suffix = longest_suffix(view.text[start:end], view.lexicons.place_suffixes, keep=2)
    return end - len(suffix) if suffix else end


# --- people ----------------------------------------------------------------------------------


def _looks_like_name(view: TextView, name: str) -> bool:
    """Two to four Han characters starting with a family name, or a foreign name with ·."""
    if "·" in name and 3 <= len(name) <= 20:
        return True
    if not 2 <= len(name) <= 4 or not all(HAN.match(c) for c in name):
        return False
    if has_infix(name, view.lexicons.long_name_heads, shortest=2):
        return False
    surname = view.lexicons.surname_length(name)
    return bool(surname) and len(name) - surname in (1, 2)


def person_candidates(view: TextView) -> Iterator[Candidate]:
    """People: after a title, before an honorific, in lists of names, and LAC's PER that check out."""
    titles = [(start, end) for end, start in view.titles.items()]
    title_starts = {s for s, _ in titles}
    title_ends = {e for _, e in titles}
    for start, end in titles:
        name = _name_after(view, end, title_starts)
        if name:
            yield Candidate(*name, "PERSON", "person-title", 2)
        name_start = _name_before(view, start, title_ends)
        if name_start is not None:
            yield Candidate(name_start, start, "PERSON", "person-honorific", 1)
    yield from _people_from_backend(view, title_starts, title_ends)
    yield from _people_in_lists(view)
    yield from _latin_people(view, title_starts, title_ends)
    yield from _dotted_people(view)


# The spaced middle dot of a foreign name (杰西卡 · 罗森沃塞尔).
SPACED_DOT = re.compile(r"^[ \t]*[·•][ \t]*$")


def _dotted_people(view: TextView) -> Iterator[Candidate]:
    """A foreign name the tagger cut at its spaced dot into two people: one person."""
    people = [e for e in view.analysis.entities if e.label == "PERSON"]
    for first, second in zip(people, people[1:]):
        if SPACED_DOT.match(view.text[first.end : second.start]):
            yield Candidate(first.start, second.end, "PERSON", "person-dotted", 2)


# A name in Latin letters: a first name, initials, a last name (William E.Reichman, Norman Relkin).
LATIN_NAME = re.compile(
    r"(?<![A-Za-z.])[A-Z][a-z]+(?:[ .·]+(?:[A-Z]\.\s*)*[A-Z][a-z]+){1,3}(?![A-Za-z])"
)


def _latin_people(
    view: TextView, title_starts: set[int], title_ends: set[int]
) -> Iterator[Candidate]:
    """People named in Latin letters beside a title (Norman Relkin教授), or the tagger's PER."""
    text = view.text
    for match in LATIN_NAME.finditer(text):
        start, end = match.span()
        after = len(text) - len(text[end:].lstrip(" "))
        before = len(text[:start].rstrip(" "))
        tokens = view.tokens[view.token_index(start) : view.token_index(end - 1) + 1]
        if after in title_starts or before in title_ends or any(t.tag == "PER" for t in tokens):
            yield Candidate(start, end, "PERSON", "person-latin", 1)


def _name_after(
    view: TextView, title_end: int, title_starts: set[int]
) -> tuple[int, int] | None:
    """The span of the name right after a title (spaces between them skipped), if one is."""
    text = view.text
    position = title_end
    while position < len(text) and text[position] == " ":
        position += 1
    if position >= len(text):
        return None
    token = view.tokens[view.token_index(position)]
    if token.start == position and token.tag == "PER":
        tagged = _looks_like_name(view, text[token.start : token.end])
        return (position, token.end) if tagged else None
    for length in (3, 2, 4):
        end = position + length
        name = text[position:end]
        if not _looks_like_name(view, name):
            continue
        if _set_apart(view, title_end, position, end):
            return position, end  # 执行总编 高新军: a name set apart in a column needs no tag
        if end in title_starts or end == len(text) or not HAN.match(text[end]) or _name_boundary(view, end):
            if (end in view.ends or end in title_starts) and _name_tokens(view, position, end):
                return position, end
    return None


def _set_apart(view: TextView, title_end: int, start: int, end: int) -> bool:
    """A name set apart by blanks after its title, alone to the end of its line (a programme)."""
    text = view.text
    rest = text[end:].split("\n", 1)[0]
    return start > title_end and not rest.strip() and text[start:end] not in common_words()


def _name_tokens(view: TextView, start: int, end: int) -> bool:
    """The words of a name candidate are not verbs, prepositions or particles (医生云就是 is no name)."""
    tokens = view.tokens[view.token_index(start) : view.token_index(end - 1) + 1]
    if len(tokens) == 1 and tokens[0].tag not in {"PER", "nz", "nr"}:
        return False  # one ordinary word (宣言, 代表) is not a name the tagger missed
    return not any(t.tag in {"v", "p", "c", "u", "w", "r", "q", "m"} and t.end - t.start > 1 for t in tokens)


def _name_boundary(view: TextView, position: int) -> bool:
    token = view.tokens[view.token_index(position)]
    word = view.text[token.start : token.end]
    if token.start != position:
        return False
    return token.tag in {"p", "c", "v", "u", "w", "d", "vd", "f"} or any(
        word.startswith(f) for f in view.lexicons.person_followers
    )


def _name_before(view: TextView, title_start: int, title_ends: set[int]) -> int | None:
    text = view.text
    for length in (3, 2):
        start = title_start - length
        if start < 0 or not _looks_like_name(view, text[start:title_start]):
            continue
        first = view.tokens[view.token_index(start)]
        if first.tag == "PER" and first.start == start or (
            (start in title_ends or start == 0 or not HAN.match(text[start - 1]))
            and all(t.end - t.start == 1 or t.tag == "PER" for t in view.tokens[view.token_index(start) : view.token_index(title_start - 1) + 1])
        ):
            return start
    return None


def _people_from_backend(view: TextView, title_starts: set[int], title_ends: set[int]) -> Iterator[Candidate]:
    """The backend's PER spans that look like names; the strongly supported ones rank higher."""
    text = view.text
    counts = Counter(text[e.start : e.end] for e in view.analysis.entities if e.label == "PERSON")
    for entity in view.analysis.entities:
        if entity.label != "PERSON":
            continue
        name = text[entity.start : entity.end]
        title = longest_suffix(name, view.lexicons.titles, keep=2)
        if title:  # 乔石委员长, 邓先生: the tagger took the title into the name
            entity = BackendEntity(entity.start, entity.end - len(title), entity.label)
            name = name[: -len(title)]
        if len(name) == 1:
            if _followed_by_title(view, entity.end):  # 江主席: a surname standing for the name
                yield Candidate(entity.start, entity.end, "PERSON", "person-backend", 1)
            continue
        if has_infix(name, view.lexicons.org_heads, shortest=2):
            continue
        if len(name) == 2 and _inside_longer_word(view, entity.start, entity.end):
            continue  # 陆海 of 陆海空天: the tagger cut a word, not a name
        if not _looks_like_name(view, name):
            if all(HAN.match(c) for c in name) and name not in common_words() and not _looks_like_title(view, name):
                yield Candidate(entity.start, entity.end, "PERSON", "person-backend-weak", 0)  # 克林顿
            continue
        if longest_suffix(name, view.lexicons.titles, keep=1) is not None:
            continue  # 杨博士: a surname and a title refer to a person, they do not name one
        supported = (
            entity.start in title_ends
            or entity.end in title_starts
            or counts[name] >= 2
            or _name_boundary(view, entity.end)
            and any(text.startswith(f, entity.end) for f in view.lexicons.person_followers)
            or text[entity.end : entity.end + 1] == "、"
            or text[entity.start - 1 : entity.start] == "、"
        )
        if supported:
            yield Candidate(entity.start, entity.end, "PERSON", "person-backend", 1)
        elif name not in common_words():
            yield Candidate(entity.start, entity.end, "PERSON", "person-backend-weak", 0)


def malformed(name: str) -> bool:
    """Digits only (a stock code: 福安药业(300194)) or a bracket left open (治疗（): no name."""
    if name.isdigit():
        return True
    if not BRACKETS.search(name):
        return False
    return any(name.count(open_) != name.count(close) for open_, close in BRACKET_PAIRS)


BRACKET_PAIRS = (("（", "）"), ("(", ")"), ("《", "》"), ("【", "】"))
BRACKETS = re.compile("[（）()《》【】]")


def unnamed_person(view: TextView, candidate: Candidate) -> bool:
    """A surname and an honorific (周女士, 邓博士) or an anonymised name (陈某某): no name.

    The guidelines' Settled cases: people named only by surname and honorific, and
    anonymised people, are not entities.
    """
    name = view.text[candidate.start : candidate.end]
    surname = view.lexicons.surname_length(name)
    return bool(surname) and name[surname:] in view.lexicons.honorifics


def inside_document_title(view: TextView, candidate: Candidate) -> bool:
    """Inside the title of a document (荆门 in 《…荆门-武汉…中标公告》).

    The guidelines: names inside a document title are not entities.
    """
    return any(
        start <= candidate.start and candidate.end <= end for start, end in view.document_titles
    )


def _inside_longer_word(view: TextView, start: int, end: int) -> bool:
    """The span and the next character or two make a dictionary word."""
    words = dictionary_tags()
    return any(view.text[start : end + extra] in words for extra in (1, 2) if end + extra <= len(view.text))


def _looks_like_title(view: TextView, name: str) -> bool:
    return longest_suffix(name, view.lexicons.titles) is not None


def _people_in_lists(view: TextView) -> Iterator[Candidate]:
    """钟南山、樊代明、曾溢滔等多位院士: every item of a list of names is a person."""
    text = view.text
    known: set[str] | None = None  # the backend's people, found once (lists are many in a long text)
    for match in re.finditer(r"(?:[\u4e00-\u9fff]{2,4}、){1,12}[\u4e00-\u9fff]{2,4}(?=等|[，,。])", text):
        items = match.group().split("、")
        first = match.start()
        # the first item may be glued to a preceding word: keep only its last 2-4 characters
        if known is None:
            known = {text[e.start : e.end] for e in view.analysis.entities if e.label == "PERSON"}
        if not any(item in known for item in items):
            continue
        position = first
        for item in items:
            if _looks_like_name(view, item) and item not in view.gazetteer:
                yield Candidate(position, position + len(item), "PERSON", "person-list", 1)
            position += len(item) + 1


# --- aliases defined in the text ---------------------------------------------------------------


def abbreviation_definitions(view: TextView) -> Iterator[tuple[int, int, int]]:
    """``(definition_start, alias_start, alias_end)`` for （下称“国研中心”）-style definitions."""
    yield from short_name_definitions(view.text)
    for pattern in (ENGLISH_ALIAS, ACRONYM_ALIAS):
        for match in pattern.finditer(view.text):
            yield match.start(), match.start(1), match.end(1)


def short_name_definitions(text: str) -> Iterator[tuple[int, int, int]]:
    """The （下称“国研中心”）/（以下简称X）definitions of :func:`abbreviation_definitions` (not the
    English names or acronyms in brackets), read in a bare text (corpus memory reads extractions)."""
    for match in ABBREVIATION.finditer(text):
        yield match.start(), match.start(1), match.end(1)


# Blanks that web pages put around quotation marks and dots inside a name
# (中国 “ 互联网+中医 ” 论坛, 杰西卡 · 罗森沃塞尔).
SPACED_QUOTE = re.compile(r"\s*([“”「」『』·•])\s*")


def quote_stripped(text: str) -> str:
    """``text`` without surrounding quotation marks and spaces (inner quotes stay, unspaced)."""
    stripped = text.strip()
    while len(stripped) > 1 and stripped[0] in OPEN_QUOTES and stripped[-1] in CLOSE_QUOTES:
        stripped = stripped[1:-1].strip()
    return SPACED_QUOTE.sub(r"\1", stripped) if HAN.search(stripped) else stripped
