"""The ontology as data: entity and relation types, read from ``resources/*_types.tsv``.

Every part of the library that needs to know about a type asks here: the
records validate against it, the relation extractor reads which entity types
a relation joins, the graph and scoring read which relations are symmetric,
and the pictures read the colours. Adding a relation type is one line in
``resources/relation_types.tsv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from healthnews_nlp.resources import read_lines


@dataclass(frozen=True)
class RelationKind:
    """One relation type: its name, direction, the entity types it joins and its colour."""

    name: str
    symmetric: bool
    heads: frozenset[str]
    tails: frozenset[str]
    color: str
    description: str

    def joins(self, head_type: str, tail_type: str) -> bool:
        """Whether an entity of ``head_type`` can stand in this relation to one of ``tail_type``."""
        return head_type in self.heads and tail_type in self.tails


@dataclass(frozen=True)
class EntityKind:
    """One entity type: its name and colour."""

    name: str
    color: str
    description: str


@lru_cache(maxsize=1)
def relation_types() -> dict[str, RelationKind]:
    """The relation types in the order of the table."""
    types = {}
    for line in read_lines("relation_types.tsv"):
        name, symmetric, heads, tails, color, description = line.split("\t")
        types[name] = RelationKind(
            name, symmetric == "yes", frozenset(heads.split(",")), frozenset(tails.split(",")), color, description
        )
    return types


@lru_cache(maxsize=1)
def entity_types() -> dict[str, EntityKind]:
    """The entity types in the order of the table."""
    types = {}
    for line in read_lines("entity_types.tsv"):
        name, color, description = line.split("\t")
        types[name] = EntityKind(name, color, description)
    return types


@lru_cache(maxsize=1)
def symmetric_relations() -> frozenset[str]:
    """The relations that hold both ways, stored once per unordered pair (``PARTNERS_WITH``)."""
    return frozenset(name for name, kind in relation_types().items() if kind.symmetric)
