"""Cross-article entity resolution: which graph node an article's entity is.

Each article names its entities on its own: 深圳市第三人民医院 in one, 深圳三院
in the next, 深圳第三人民医院 in a third. :class:`EntityResolver` keeps an
index of every name and alias already seen, per entity type, and decides for
an incoming entity whether it is a node the graph already has or a new one.

The rules, in order (the first that applies wins):

1. **Same full name.** The incoming name equals (after :func:`match_key`) the
   label or a former label of a node: that node.
2. **A known form that only one node uses.** For each of the incoming name
   and aliases, look up the nodes that use it as a name or an alias. When
   exactly one node does, it is a match if the form is the incoming *name*,
   or if it is that node's full name (label or former label), or if it is a
   short form both share and the two full names agree: one is an ordered
   subsequence of the other and does not merely continue it (深圳三院 for
   深圳市第三人民医院 and 深圳第三人民医院; not 中国电子 for
   中国电子信息产业集团有限公司 and 中国电子科技集团有限公司, nor 复旦 for
   复旦大学 and 复旦大学上海医学院).
3. Otherwise a **new node**.

A form used by two or more nodes is ambiguous and never merges by itself
(rule 2 skips it); only a full-name match (rule 1) can then join an entity to
one of them. Two entities of the same article are different by the
article's own account, so a node already claimed by one entity of an article
is not a candidate for another entity of that article.

Resolution depends on arrival order (the first article to use a short form
decides what it means until a second entity claims it); that is the price
of a single pass over a large corpus, and it is deterministic for a given
order.

Node ids are ``f"{type}:{slug}"`` where ``slug`` is :func:`normalize_name`
of the first name the node was created under, with characters that may not
appear in an XML name token replaced by ``_`` so that GraphML exports
validate (node ids there are ``xs:NMTOKEN``). A node's id never changes
afterwards, even when a fuller name later becomes its label: ids are what
other files, notebooks and Gephi projects refer to, and a stable id is worth
more than one that always spells the current label.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Container, Iterable
from functools import lru_cache

__all__ = [
    "EntityResolver",
    "is_fuller",
    "match_key",
    "node_id",
    "normalize_name",
]

# Quotation marks of every script the news uses (after NFKC, full-width ASCII
# quotes are already plain ASCII) and whitespace, including the ideographic space.
_STRIP = re.compile(
    "[\\s\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033"
    "\u300c\u300d\u300e\u300f\u301d\u301e\u301f\ufe41\ufe42\ufe43\ufe44"
    "\u00ab\u00bb\u2039\u203a]"
)

# Characters an XML 1.0 name token may hold that every schema validator accepts: ASCII
# letters and digits, "-", ".", "_", ":", and the CJK unified ideographs of Unicode 2.0
# (the Letter class the XML 1.0 fourth-edition tables that libxml2 checks NMTOKENs with).
_UNSAFE_ID_CHAR = re.compile("[^A-Za-z0-9\\-._:\u4e00-\u9fa5\u3007\u3021-\u3029]")


@lru_cache(maxsize=1 << 16)  # names recur: building a graph asks for the same ones again and again
def normalize_name(name: str) -> str:
    """The canonical spelling of a name: NFKC, without quotes or whitespace.

    This is the form the annotation guidelines compare names in, so that
    ``2021“医生云”大会`` and ``2021医生云大会`` or a full-width ``ＣＯＭ`` and
    ``COM`` are one name.
    """
    return _STRIP.sub("", unicodedata.normalize("NFKC", name))


@lru_cache(maxsize=1 << 16)
def match_key(name: str) -> str:
    """The form two names are compared in: :func:`normalize_name`, case-folded.

    Case-folding matters only for Latin names (``DH400工作组`` and
    ``dh400工作组``); ids keep the original case.
    """
    return normalize_name(name).casefold()


def node_id(type_: str, name: str) -> str:
    """The id a new node for ``name`` gets: ``"ORG:深圳市第三人民医院"``.

    Derived from the type and :func:`normalize_name`, with characters that are
    not valid in an XML name token replaced by ``_`` (ids are ``xs:NMTOKEN`` in
    GraphML). Two different names can give the same id; the resolver adds a
    numeric suffix then (:meth:`EntityResolver.new_id`).
    """
    slug = _UNSAFE_ID_CHAR.sub("_", normalize_name(name)) or "_"
    return f"{type_}:{slug}"


def is_fuller(candidate: str, current: str) -> bool:
    """Whether ``candidate`` should replace ``current`` as a node's label.

    The fullest name wins: the longer canonical form. On a tie the current
    label stays, so a label only changes when a name carries more.
    """
    return len(normalize_name(candidate)) > len(normalize_name(current))


def _is_subsequence(short: str, long: str) -> bool:
    """Whether the characters of ``short`` appear in ``long`` in order (深圳三院 in 深圳市第三人民医院)."""
    remaining = iter(long)
    return all(char in remaining for char in short)


# Legal-form endings that do not make a different organization: 中电数据服务 and
# 中电数据服务有限公司 are one company, 复旦大学 and 复旦大学上海医学院 are not.
_LEGAL_FORMS = frozenset({"公司", "有限公司", "有限责任公司", "股份有限公司", "集团", "集团公司", "集团有限公司"})


def _same_entity_names(a: str, b: str) -> bool:
    """Whether two canonical full names can name one entity that two articles shortened the same way.

    One must be an ordered subsequence of the other (深圳第三人民医院 and
    深圳市第三人民医院). When the shorter is a contiguous part of the longer,
    the longer may add a qualifier in front (深圳 + 国家感染性疾病临床医学研究中心)
    or a legal form at the end, but not anything else after it: a name that
    continues another names a part of it (复旦大学上海医学院, 腾讯智慧医疗),
    which the guidelines keep as its own entity.
    """
    short, long = sorted((a, b), key=len)
    if short == long:
        return True
    if not _is_subsequence(short, long):
        return False
    if short in long and not long.endswith(short):
        return long.startswith(short) and long[len(short):] in _LEGAL_FORMS
    return True


def _compatible(name: str, full_names: Iterable[str]) -> bool:
    """Whether an entity sharing only a short form with a node can be it: the names agree."""
    return any(_same_entity_names(name, other) for other in full_names)


class EntityResolver:
    """An index of the names and aliases of the graph's nodes, deciding which node an entity is.

    The resolver knows nothing of the graph itself: the graph builder
    :meth:`add` s every node's names and aliases as it creates or grows them,
    and asks :meth:`resolve` for each incoming entity. Lookups are dictionary
    hits per form, so resolving stays constant-time per entity on corpora of
    100k articles.

    Examples
    --------
    >>> resolver = EntityResolver()
    >>> resolver.add("ORG:深圳市第三人民医院", "ORG", names=["深圳市第三人民医院"], aliases=["深圳三院"])
    >>> resolver.resolve("ORG", "深圳三院", [])
    'ORG:深圳市第三人民医院'
    >>> resolver.resolve("ORG", "深圳第三人民医院", ["深圳三院"])
    'ORG:深圳市第三人民医院'
    >>> resolver.resolve("ORG", "深圳市人民医院", []) is None
    True
    """

    def __init__(self) -> None:
        # (type, key) -> node ids using that form as a name or alias, in order of first use
        self._forms: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        # (type, key) -> node ids having that form as a full name (label or former label)
        self._names: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
        # node id -> its full names, as given (for the short-form compatibility test)
        self._full_names: dict[str, list[str]] = {}

    def __contains__(self, node: object) -> bool:
        return node in self._full_names

    def add(
        self, node: str, type_: str, *, names: Iterable[str] = (), aliases: Iterable[str] = ()
    ) -> None:
        """Record full ``names`` (label, former labels) and ``aliases`` of ``node``.

        Adding a form twice is harmless; the order in which nodes first use a
        form is kept, which makes resolution deterministic.
        """
        full_names = self._full_names.setdefault(node, [])
        for name in names:
            key = match_key(name)
            if not key:
                continue
            self._append(self._names[type_, key], node)
            self._append(self._forms[type_, key], node)
            if name not in full_names:
                full_names.append(name)
        for alias in aliases:
            key = match_key(alias)
            if key:
                self._append(self._forms[type_, key], node)

    @staticmethod
    def _append(nodes: list[str], node: str) -> None:
        if node not in nodes:  # lists stay short: one entry per node using the form
            nodes.append(node)

    def resolve(
        self,
        type_: str,
        name: str,
        aliases: Iterable[str],
        *,
        exclude: Container[str] = frozenset(),
    ) -> str | None:
        """The existing node the entity ``(type_, name, aliases)`` is, or ``None`` for a new one.

        Parameters
        ----------
        type_, name, aliases
            The entity as its article gives it.
        exclude
            Nodes that may not be chosen: those other entities of the same
            article already resolved to.

        Returns
        -------
        str or None
            The node id, by the rules of this module's docstring.
        """
        name_key = match_key(name)
        for node in self._names.get((type_, name_key), ()):
            if node not in exclude:
                return node
        keys = dict.fromkeys(k for k in (name_key, *map(match_key, aliases)) if k)
        for key in keys:
            users = self._forms.get((type_, key), ())
            if len(users) != 1:  # unknown, or an ambiguous short form: never merge on it alone
                continue
            [node] = users
            if node in exclude:
                continue
            full_names = self._full_names.get(node, ())
            if (
                key == name_key
                or any(match_key(full) == key for full in full_names)
                or _compatible(name_key, [match_key(full) for full in full_names])
            ):
                return node
        return None

    def new_id(self, type_: str, name: str, taken: Container[str]) -> str:
        """A fresh id for a new node named ``name``: :func:`node_id`, with ``-2``, ``-3`` … if taken."""
        base = node_id(type_, name)
        if base not in taken and base not in self:
            return base
        number = 2
        while f"{base}-{number}" in taken or f"{base}-{number}" in self:
            number += 1
        return f"{base}-{number}"

    def full_names(self, node: str) -> Collection[str]:
        """The full names (label and former labels) recorded for ``node``."""
        return tuple(self._full_names.get(node, ()))
