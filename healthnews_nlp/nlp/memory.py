"""Corpus memory: names one article establishes, proposed as candidates in the others of a run.

A short company name that only a head word or a definition makes a name in
one article (深圳X科技有限公司（下称“X科技”）) is, in the next article of the
same run, just a word no rule reads. ``healthnews_memory`` proposes every
occurrence of the names established elsewhere as candidates of the rule
``memory`` in its own span group; the recognizer reads them beside the rules'
candidates and chooses as ever: a longer or stronger rule reading wins, so a
remembered name fills gaps and overrides nothing (unlike user patterns).

What is established (:func:`healthnews_nlp.nlp.established.established_names`) is kept conservative:
organizations and events of three characters or more that the article
recognised with confidence and defined a short name for, under their full
name and that short name, never a place of the gazetteer, a title, a class
noun or a dictionary word. People and places are left to the tagger and the
gazetteer (陈明 or 长江 in one article says nothing about the same characters
in another).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc

from healthnews_nlp.nlp.candidates import write_candidates
from healthnews_nlp.nlp.established import REMEMBERED_TYPES, occurrences
from healthnews_nlp.nlp.view import Candidate

MEMORY_KEY = "healthnews_memory"
MEMORY_COMPONENT = "healthnews_memory"
#: The rule name of remembered candidates, and how strongly they hold (a backend reading's).
MEMORY_RULE = "memory"
MEMORY_PRIORITY = 1


def remember_names(nlp: Language, names: Mapping[str, str]) -> None:
    """Make ``names`` what the pipeline's memory component proposes (a pipeline without one: none)."""
    if MEMORY_COMPONENT in nlp.pipe_names:
        memory = nlp.get_pipe(MEMORY_COMPONENT)
        assert isinstance(memory, MemoryCandidates)
        memory.names = {}
        memory.remember(names)
    elif names:
        raise ValueError("the pipeline has no healthnews_memory component to remember names with")


class MemoryCandidates:
    """Every occurrence of the remembered names as a candidate, in the span group ``spans_key``."""

    def __init__(self, nlp: Language, name: str, spans_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.names: dict[str, str] = {}

    def remember(self, names: Mapping[str, str]) -> None:
        """Add ``names`` (name → ORG or EVENT) to what is proposed in every text."""
        for name, label in names.items():
            if label not in REMEMBERED_TYPES:
                raise ValueError(f"a remembered name is ORG or EVENT, not {label!r} ({name})")
            self.names[name] = label

    def __call__(self, doc: Doc) -> Doc:
        if not self.names:
            return doc
        candidates = [
            Candidate(
                position, position + len(name), self.names[name], MEMORY_RULE, MEMORY_PRIORITY
            )
            for name, position in occurrences(doc.text, self.names)
        ]
        return write_candidates(doc, self.spans_key, candidates) if candidates else doc

    # the remembered names are the component's state, saved with the pipeline
    def to_bytes(self, **kwargs: Any) -> bytes:
        data: bytes = srsly.msgpack_dumps(sorted(self.names.items()))
        return data

    def from_bytes(self, data: bytes, **kwargs: Any) -> MemoryCandidates:
        self.names = {name: label for name, label in srsly.msgpack_loads(data)}
        return self

    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(
            directory / "names.jsonl",
            [{"name": n, "label": l} for n, l in sorted(self.names.items())],
        )

    def from_disk(self, path: str | Path, **kwargs: Any) -> MemoryCandidates:
        file = Path(path) / "names.jsonl"
        self.names = (
            {r["name"]: r["label"] for r in srsly.read_jsonl(file)} if file.is_file() else {}
        )
        return self


@Language.factory(
    "healthnews_memory", default_config={"spans_key": MEMORY_KEY}, assigns=["doc.spans"]
)
def make_memory_candidates(nlp: Language, name: str, spans_key: str) -> MemoryCandidates:
    """Corpus memory as a candidate source: names established in other articles of a run."""
    return MemoryCandidates(nlp, name, spans_key)
