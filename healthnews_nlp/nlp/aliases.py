"""Aliases within one article: which mentions name the same entity, and under which name.

Mentions are grouped when the text defines one as the other's short form
(（下称“国研中心”）), when they are the same name up to quotes and spaces, or
when a general naming convention says so:

- the same place and head under other spellings (宁夏卫健委 = 宁夏回族自治区卫生
  健康委; 深圳三院 = 深圳市第三人民医院), using the gazetteer's short forms and
  the head abbreviations in ``resources/abbreviations.tsv``;
- a company's name without its legal form (中国电信 = 中国电信集团有限公司);
- a shorter name that ends one, and only one, longer name of the same type
  (自治区人民医院 = 新疆维吾尔自治区人民医院; 数字健康创新峰会 = “数聚智慧 创健未来”
  数字健康创新峰会).

The entity's name is its fullest form; the others become its aliases.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from healthnews_nlp.nlp.lexicons import Lexicons, has_infix
from healthnews_nlp.nlp.names import COMRADE
from healthnews_nlp.nlp.rules import brand_of, quote_stripped
from healthnews_nlp.nlp.view import HAN, Candidate, TextView

_QUOTES_AND_SPACES = re.compile(r"[\s\"'“”‘’「」『』《》]")
# Dashes between a campaign's name and the stage of it an article reports (…活动—忻州行).
STAGE_DASHES = "—–-－"


def normalized(name: str) -> str:
    """A name with quotes and spaces removed: the form mentions are compared in."""
    return _QUOTES_AND_SPACES.sub("", name)


@dataclass
class ResolvedEntity:
    """An entity of one article: label, name, aliases and mention spans."""

    label: str
    surfaces: Counter[str] = field(default_factory=Counter)
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The fullest form; for places the form the article uses most (成都 over 成都市, 深圳 over 深圳地区)."""
        if self.label == "LOC":
            return max(self.surfaces, key=lambda s: (self.surfaces[s], -len(s), s))
        return max(self.surfaces, key=lambda s: (bool(HAN.search(s)), len(normalized(s)), len(s), self.surfaces[s], s))

    @property
    def aliases(self) -> tuple[str, ...]:
        name = normalized(self.name)
        seen = {name}
        result = []
        for surface in sorted(self.surfaces, key=lambda s: (-self.surfaces[s], s)):
            if normalized(surface) not in seen:
                seen.add(normalized(surface))
                result.append(surface)
        return tuple(result)


class _Groups:
    """Union-find over mention groups."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def resolve_aliases(
    view: TextView, mentions: Iterable[Candidate], definitions: Iterable[tuple[Candidate, Candidate]]
) -> list[ResolvedEntity]:
    """Group ``mentions`` into entities of the article."""
    mentions = list(mentions)
    surface = [quote_stripped(view.text[m.start : m.end]) for m in mentions]
    groups = _Groups(len(mentions))
    first_of: dict[tuple[str, str], int] = {}
    for index, mention in enumerate(mentions):
        key = (mention.label, normalized(surface[index]))
        groups.union(index, first_of.setdefault(key, index))
    for alias, target in definitions:
        a = first_of.get((alias.label, normalized(quote_stripped(view.text[alias.start : alias.end]))))
        t = first_of.get((target.label, normalized(quote_stripped(view.text[target.start : target.end]))))
        if a is not None and t is not None:
            groups.union(a, t)
    names = {key: index for key, index in first_of.items()}
    _merge_by_convention(view, names, groups)

    entities: dict[int, ResolvedEntity] = {}
    for index, mention in enumerate(mentions):
        entity = entities.setdefault(groups.find(index), ResolvedEntity(mention.label))
        entity.surfaces[surface[index]] += 1
        entity.spans.append((mention.start, mention.end))
    return sorted(_place_abbreviations_resolved(view, list(entities.values())), key=lambda e: min(e.spans))


def _place_abbreviations_resolved(view: TextView, entities: list[ResolvedEntity]) -> list[ResolvedEntity]:
    """One-character places (深, 莞) join the place of the article they stand for, or are dropped.

    As mentions they stay in ``doc.ents``; as entities of the article they need the full
    name somewhere in it (深、港、澳及珠、莞、惠 names 深圳 and 东莞 only when the article does).
    """
    places = [e for e in entities if e.label == "LOC" and any(len(s) > 1 for s in e.surfaces)]
    kept = []
    for entity in entities:
        if entity.label != "LOC" or any(len(s) > 1 for s in entity.surfaces):
            kept.append(entity)
            continue
        char = next(iter(entity.surfaces))
        expansions = view.lexicons.place_abbreviations.get(char, ())
        target = next((p for p in places for x in expansions if _names_place(view, p, x)), None)
        if target is not None:
            target.surfaces.update(entity.surfaces)
            target.spans.extend(entity.spans)
    return kept


def _names_place(view: TextView, entity: ResolvedEntity, place: str) -> bool:
    """Does ``entity`` name ``place`` (深圳 for 深圳市, 中国 for 中华人民共和国)?"""
    wanted = view.gazetteer.lookup(place)
    for surface in entity.surfaces:
        found = view.gazetteer.lookup(surface)
        if surface == place or (found is not None and wanted is not None and found.name == wanted.name):
            return True
    return False


def _merge_by_convention(view: TextView, names: dict[tuple[str, str], int], groups: _Groups) -> None:
    by_label: dict[str, list[str]] = {}
    for label, name in names:
        by_label.setdefault(label, []).append(name)
    for label, label_names in by_label.items():
        canonical: dict[str, int] = {}
        for name in label_names:
            key = canonical_key(view, label, name)
            index = names[(label, name)]
            if key in canonical:
                groups.union(index, canonical[key])
            else:
                canonical[key] = index
        def root(name: str, label: str = label) -> int:
            return groups.find(names[(label, name)])

        others = _NameIndex(label_names)
        # longest first: the long forms of a name are grouped before it looks for one
        for name in sorted(label_names, key=lambda n: (-len(n), n)):
            longer = _longer_form(view.lexicons, label, name, others, root)
            if longer is None and label == "ORG":
                longer = _abbreviated_from(view, name, others, root)
            if longer is not None:
                groups.union(names[(label, name)], names[(label, longer)])


def _abbreviated_from(
    view: TextView, name: str, names: _NameIndex, root: Callable[[str], int]
) -> str | None:
    """The one longer name ``name`` abbreviates by keeping some of its characters, in order.

    北大第三医院 = 北京大学第三医院, 衢州市妇保院 = 衢州市妇幼保健院: the short form keeps the
    first and the last character and drops characters in two places or more (a name that
    is only a start and an end of another, 北京医院 of 北京大学第三医院, is another name).
    """
    if len(name) < 4 or name in view.gazetteer:
        return None
    heads = view.lexicons.org_heads
    longer = [n for n in names.starting_with(name[0]) if len(n) > len(name) and _abbreviates(name, n, heads)]
    return longer[0] if longer and len({root(n) for n in longer}) == 1 else None


def _abbreviates(short: str, long: str, heads: Collection[str]) -> bool:
    """``short`` keeps ``long``'s first and last characters and drops two stretches or more,
    none of them a level of the organization (总政宣传部 is not 总后政治部宣传部: 治部 is one)."""
    if short[0] != long[0] or short[-1] != long[-1]:
        return False
    positions = []
    start = 0
    for char in short:
        start = long.find(char, start)
        if start < 0:
            return False
        positions.append(start)
        start += 1
    dropped = [long[a + 1 : b] for a, b in zip(positions, positions[1:]) if b != a + 1]
    return len(dropped) >= 2 and not any(has_infix(part, heads) for part in dropped)


def canonical_key(view: TextView, label: str, name: str) -> str:
    """One spelling for a place-and-head name: places as their short form, heads unabbreviated."""
    lexicons, gazetteer = view.lexicons, view.gazetteer
    if label == "EVENT":  # 第一届X = X; 肖颖彬同志先进事迹报告会 = 肖颖彬先进事迹报告会
        return lexicons.event_ordinals.sub("", name).replace(COMRADE, "")
    if label == "LOC":
        core = name[: -len("地区")] if name.endswith("地区") and len(name) > 3 else name
        place = gazetteer.lookup(core)
        return place.qualified_name if place else core
    prefix = view.place_prefix(name)
    rest = name[prefix:]
    place = gazetteer.lookup(name[:prefix]) if prefix else None
    head = (place.short or place.name) if place else name[:prefix]
    found = lexicons.abbreviated_ending(rest)
    if found is not None:
        variant, short = found
        return head + rest[: -len(variant)] + short
    return head + rest


def _longer_form(
    lexicons: Lexicons, label: str, name: str, names: _NameIndex, root: Callable[[str], int]
) -> str | None:
    """The one longer name of the article that ``name`` is a short form of, if exactly one
    (longer names already grouped as one entity count once: 协和医院 of 中国医学科学院北京协和医院
    and 北京协和医院)."""
    if label == "PERSON":  # 罗森沃塞尔 of 杰西卡·罗森沃塞尔: a foreign family name alone
        dotted = [*names.ending_with("·" + name, limit=2), *names.ending_with("•" + name, limit=2)]
        return dotted[0] if len(dotted) == 1 else None
    if len(name) < 2:
        return None
    if label in {"ORG", "EVENT", "LOC"} and len(name) >= 4:
        suffix_of = names.ending_with(name, limit=SUFFIX_LIMIT)
        if suffix_of and len({root(n) for n in suffix_of}) == 1:
            return suffix_of[0]
    if label == "EVENT" and len(name) >= 4:
        # a campaign and its stage (健步行走慈善活动 — 健步行走慈善活动—忻州行)
        staged = [n for n in names.starting_with(name) if n[len(name)] in STAGE_DASHES]
        if len(staged) == 1:
            return staged[0]
    if label == "ORG":
        prefix_of = [n for n in names.starting_with(name) if brand_of(name, n)]
        if prefix_of:
            return min(prefix_of, key=len)
    if label == "LOC":
        for short, longs in lexicons.abbreviations.items():
            if name == short:
                matches = [n for n in names if any(n.endswith(long) for long in longs)]
                if len(matches) == 1:
                    return matches[0]
    return None


#: Longer names looked at for one short form (a short name inside thousands of a long text).
SUFFIX_LIMIT = 16


class _NameIndex:
    """The distinct names of one label, in order, with the longer names that start or end with a name.

    Sorted lists (of the names, and of the names reversed) answer by bisection what
    comparing every name with every other answered in time quadratic in the names of an
    article (thousands in a long text).
    """

    def __init__(self, names: list[str]) -> None:
        self._names = names
        self._order = {name: rank for rank, name in enumerate(names)}
        self._sorted = sorted(names)
        self._reversed = sorted(name[::-1] for name in names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def starting_with(self, prefix: str) -> list[str]:
        """The other names that start with ``prefix``, in the names' order."""
        found = _with_prefix(self._sorted, prefix)
        return sorted((n for n in found if n != prefix), key=self._order.__getitem__)

    def ending_with(self, suffix: str, *, limit: int) -> list[str]:
        """Up to ``limit`` other names that end with ``suffix``."""
        found = (n[::-1] for n in _with_prefix(self._reversed, suffix[::-1]))
        return list(islice((n for n in found if n != suffix), limit))


def _with_prefix(ordered: list[str], prefix: str) -> Iterator[str]:
    """The strings of the sorted list ``ordered`` that start with ``prefix``."""
    for index in range(bisect_left(ordered, prefix), len(ordered)):
        if not ordered[index].startswith(prefix):
            return
        yield ordered[index]
