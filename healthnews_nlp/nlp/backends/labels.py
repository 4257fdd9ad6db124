"""Each backend's entity labels and the labels the pipeline reads, from a mapping file.

A backend names its entity types in its own way (LAC ``PER``, jieba ``nr``,
HanLP ``PERSON``/``NR``, a spaCy pipeline ``PERSON``/``GPE``…). The file
``resources/labels_<backend>.tsv`` maps them to the four labels the domain
layer reads: ``PERSON``, ``ORG``, ``LOC`` and ``TIME``; a type it does not
list is not an entity. A user edits that file, or passes another with the
backend's ``labels`` option (``load(backend="spacy", backend_options={"labels": "my.tsv"})``,
``--labels my.tsv`` on the command line).

Format: ``BACKEND_LABEL<TAB>TARGET`` per line, ``#`` starts a comment. Backend
labels are matched without regard to case (HanLP writes ``nr`` and ``NR``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType

#: The labels a mapping may give: what the domain layer reads from a backend.
TARGETS = ("PERSON", "ORG", "LOC", "TIME")
#: The tag a backend entity's token gets when a backend makes one token of it
#: (HanLP, spaCy): the tag LAC gives such words, which the domain rules know.
TOKEN_TAGS: Mapping[str, str] = MappingProxyType({"PERSON": "PER", "ORG": "ORG", "LOC": "LOC", "TIME": "TIME"})

LabelSource = str | os.PathLike[str] | Mapping[str, str] | None


class LabelMap:
    """A backend's label mapping: ``label_map.get("GPE") == "LOC"``, None for a type that is not an entity."""

    def __init__(self, mapping: Mapping[str, str], source: str) -> None:
        for label, target in mapping.items():
            if target not in TARGETS:
                raise ValueError(f"{source}: {label!r} maps to {target!r}; targets are {', '.join(TARGETS)}")
        self._table = {label.upper(): target for label, target in mapping.items()}
        self.source = source

    def get(self, label: str) -> str | None:
        """The pipeline label for a backend label, or None."""
        return self._table.get(label.upper())

    def items(self) -> list[tuple[str, str]]:
        return sorted(self._table.items())

    def __repr__(self) -> str:
        return f"LabelMap({self.source})"


def default_labels_path(backend: str) -> Path:
    """The packaged mapping file of a backend (``resources/labels_<backend>.tsv``)."""
    return Path(str(resources.files("healthnews_nlp.resources").joinpath(f"labels_{backend}.tsv")))


def read_label_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """``BACKEND_LABEL<TAB>TARGET`` lines of a mapping file; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read the label mapping ({error})") from error
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) != 2 or fields[1].strip() not in TARGETS:
            raise ValueError(
                f"{path}:{number}: expected BACKEND_LABEL<TAB>TARGET with TARGET one of "
                f"{', '.join(TARGETS)}, got {line!r}"
            )
        mapping[fields[0].strip()] = fields[1].strip()
    return mapping


def load_label_map(backend: str, source: LabelSource = None) -> LabelMap:
    """The mapping for ``backend``: its packaged file, or ``source`` (a file path or a mapping)."""
    if source is None:
        path = default_labels_path(backend)
        return LabelMap(read_label_file(path), str(path))
    if isinstance(source, Mapping):
        return LabelMap(source, f"labels given for {backend}")
    return LabelMap(read_label_file(source), str(source))
