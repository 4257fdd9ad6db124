"""Corpus memory over a run: names established in one article, known in the others.

A run extracts every article once (the first pass). Each extraction leaves a
*memo* beside the JSONL (``<name>.memory.jsonl``): the names the article
establishes (:func:`healthnews_nlp.nlp.memory.established_names`), where its
mentions are, and the article itself without its raw source, so a second
pass never reads or parses an input again. When every article is extracted:

1. the memory is the union of every memo's names, read in canonical order
   (a name two articles give different types is left out);
2. an article is extracted again, with the memory as a candidate source, when
   a name established by *another* article occurs in its text outside every
   mention it already has; every other article keeps its first extraction.

The memory depends on the memos only, which depend on the inputs only: the
same graph for any number of jobs, and after a resume. A resume reads the
memos of the articles it keeps; an *applied* line after a memo records which
memory (its digest) the JSONL's line of that article was made with, so a run
that stopped during the second pass redoes only what it had not written, and
an article whose memory changed (inputs added or removed) is made again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthnews_nlp.atomic import atomic_open
from healthnews_nlp.models import Article, ArticleExtraction

if TYPE_CHECKING:
    from spacy.language import Language

Key = tuple[str, int]


def memo_line(article: Article, extraction: ArticleExtraction, nlp: Language) -> str:
    """The memo of one first-pass extraction (a JSON line), made where the article was extracted."""
    from healthnews_nlp.nlp.components import EntityRecognizer
    from healthnews_nlp.nlp.established import established_names

    recognizer = nlp.get_pipe("healthnews_ner")
    assert isinstance(recognizer, EntityRecognizer)
    lexicons, gazetteer = recognizer.lexicons, recognizer.gazetteer
    names = established_names(extraction.entities, article.text, lexicons, gazetteer)
    spans = sorted({(m.start, m.end, e.type) for e in extraction.entities for m in e.mentions})
    return json.dumps(
        {
            "source": article.source,
            "record": article.record or 0,
            "names": names,
            "spans": spans,
            "article": article.model_copy(update={"raw": ""}).model_dump(mode="json"),
        },
        ensure_ascii=False,
    )


@dataclass
class _Entry:
    """What the memo file says of one article: where its memo is, its names, the memory applied."""

    offset: int
    length: int
    names: dict[str, str]
    applied: str | None = None


@dataclass
class Memory:
    """The names of a corpus: name → type, and for each name the one article that alone gives it."""

    names: dict[str, str] = field(default_factory=dict)
    only_in: dict[str, Key | None] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """Identifies the memory: an article made with it need not be made again."""
        text = json.dumps(sorted(self.names.items()), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def from_others(self, name: str, key: Key) -> bool:
        """Does an article other than ``key`` establish ``name``?"""
        return name in self.names and self.only_in[name] != key


def _applied_line(key: Key, digest: str | None) -> str:
    return json.dumps({"source": key[0], "record": key[1], "applied": digest}, ensure_ascii=False)


class MemoFile:
    """The memos of a run (``<name>.memory.jsonl``): appended as articles are extracted, read at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[Key, _Entry] = {}
        self._stale = False
        #: the lines read and appended since: (article, 0 for a memo, 1 for an applied line)
        self._order: list[tuple[Key, int]] = []

    def append_memo(self, line: str) -> None:
        self._append(line)

    def append_applied(self, key: Key, digest: str | None) -> None:
        """Record that the JSONL's line of ``key`` was made with the memory ``digest`` (None: without)."""
        self._append(_applied_line(key, digest))
        self._entries[key].applied = digest
        self._order.append((key, 1))

    def _append(self, line: str) -> None:
        with self.path.open("ab") as handle:
            handle.write(line.encode("utf-8") + b"\n")
            handle.flush()

    def load(self, keys: frozenset[Key] | None) -> None:
        """Read the memos of ``keys`` (the articles the JSONL holds; None: all of them).

        The last memo of an article wins.
        """
        self._entries = {}
        self._stale = False
        self._order = []
        if not self.path.exists():
            return
        offset = 0
        with self.path.open("rb") as handle:
            for line in handle:
                self._read(line, offset, keys)
                offset += len(line)

    def _read(self, line: bytes, offset: int, keys: frozenset[Key] | None) -> None:
        try:
            record: dict[str, Any] = json.loads(line) if line.endswith(b"\n") else {}
            key = (str(record["source"]), int(record["record"]))
        except (ValueError, KeyError, TypeError):
            self._stale = True  # cut short by a kill, or not a memo
            return
        if keys is not None and key not in keys:
            self._stale = True
        elif "applied" in record:
            if key in self._entries:
                self._entries[key].applied = record["applied"]
                self._order.append((key, 1))
        else:
            self._order.append((key, 0))
            self._stale = self._stale or key in self._entries
            self._entries[key] = _Entry(offset, len(line), dict(record["names"]))

    def recorded(self) -> frozenset[Key]:
        """The articles the file holds a memo of; a last line a kill cut short is cut off first
        (the next memo would be appended to it)."""
        self._cut_partial_line()
        self.load(None)
        return frozenset(self._entries)

    def _cut_partial_line(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb+") as handle:
            end = handle.seek(0, 2)
            position = end
            while position > 0:
                start = max(0, position - 65536)
                handle.seek(start)
                chunk = handle.read(position - start)
                newline = chunk.rfind(b"\n")
                if newline >= 0:
                    position = start + newline + 1
                    break
                position = start
            if position != end:
                handle.truncate(position)

    def memory(self) -> Memory:
        """The names every memo establishes, in canonical order; a name of two types is left out."""
        memory = Memory()
        types: dict[str, set[str]] = {}
        for key in sorted(self._entries):
            for name, label in self._entries[key].names.items():
                types.setdefault(name, set()).add(label)
                memory.only_in[name] = key if name not in memory.only_in else None
        memory.names = {
            name: labels.pop() for name, labels in sorted(types.items()) if len(labels) == 1
        }
        return memory

    def articles(self) -> list[Key]:
        return sorted(self._entries)

    def applied(self, key: Key) -> str | None:
        return self._entries[key].applied

    def memo(self, key: Key) -> dict[str, Any]:
        """The memo of ``key`` as written (read from the file, so the corpus is never all in memory)."""
        entry = self._entries[key]
        with self.path.open("rb") as handle:
            handle.seek(entry.offset)
            record: dict[str, Any] = json.loads(handle.read(entry.length))
        return record

    def compact(self) -> None:
        """Rewrite the file in canonical order with only the live memos (each followed by what
        was applied, the last of them), unless it is so already: one job or several, the same bytes."""
        canonical = [
            (key, kind)
            for key in sorted(self._entries)
            for kind in ((0, 1) if self._entries[key].applied is not None else (0,))
        ]
        if not self.path.exists() or not self._stale and self._order == canonical:
            return
        with self.path.open("rb") as old, atomic_open(self.path, "wb") as new:
            position = 0
            for key in sorted(self._entries):
                entry = self._entries[key]
                old.seek(entry.offset)
                new.write(old.read(entry.length))
                entry.offset, position = position, position + entry.length
                if entry.applied is not None:
                    data = _applied_line(key, entry.applied).encode("utf-8") + b"\n"
                    new.write(data)
                    position += len(data)
        self._stale = False
        self._order = canonical


def needs_memory(memo: dict[str, Any], memory: Memory) -> bool:
    """Does a name another article establishes occur in this article where it may change a mention?

    Not where a mention already covers it (a longer one, which the remembered name
    cannot win over, or one of the same span and type), nor inside a longer word. The
    cheap conditions are asked first: the parent process of a run loads the dictionary
    only when one occurrence passes them.
    """
    from healthnews_nlp.nlp.established import inside_longer_word
    from healthnews_nlp.nlp.recognize import name_positions

    key = (str(memo["source"]), int(memo["record"]))
    text: str = memo["article"]["text"]
    spans = [(int(s), int(e), str(label)) for s, e, label in memo["spans"]]
    for name, start in name_positions(text, memory.names):
        end = start + len(name)
        if (
            memory.from_others(name, key)
            and not any(
                s <= start and end <= e and (e - s > end - start or label == memory.names[name])
                for s, e, label in spans
            )
            and not inside_longer_word(text, start, end)
        ):
            return True
    return False


def article_of(memo: dict[str, Any]) -> Article:
    """The article a memo keeps (its raw source left out: extraction maps offsets, never reads it)."""
    return Article.model_validate({**memo["article"], "raw": ""})


def second_pass(memos: MemoFile, memory: Memory) -> Iterator[tuple[Key, str | None]]:
    """Each article whose JSONL line must be made again, with the memory digest to make it with.

    None: the article needs no memory now, but its line was made with one (the
    memory changed since); it is made again without.
    """
    if not memory.names:  # nothing remembered: nothing to look for, nothing to import
        for key in memos.articles():
            if memos.applied(key) is not None:
                yield key, None
        return
    digest = memory.digest
    for key in memos.articles():
        target = digest if needs_memory(memos.memo(key), memory) else None
        if memos.applied(key) != target:
            yield key, target
