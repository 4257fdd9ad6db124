"""Helpers of the corpus-runner tests: a test corpus, and a real pipeline with faults injected.

:class:`FaultySettings` is the real LAC pipeline with one component added in
front: it raises on an article that carries :data:`FAIL_MARK` and ends its
process on one that carries :data:`DIE_MARK` (as an out-of-memory kill
would). The runner's worker processes are spawned: they import this module
(the tests' ``sys.path`` goes with them) when they unpickle the settings.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from healthnews_nlp.run import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
#: 23 short news items of ../shared/corpus/general, kept with the tests (tests/data/README.md)
GENERAL = ROOT / "tests" / "data" / "corpus" / "general"
#: The longer news pages, used when ../shared is beside the repository.
SHARED_WEB = ROOT.parent / "shared" / "corpus" / "web"

FAIL_MARK = "【测试注入的故障】"
DIE_MARK = "【测试注入的进程终止】"


@Language.component("healthnews_test_faults")
def _faults(doc: Doc) -> Doc:
    if DIE_MARK in doc.text:
        os._exit(3)
    if FAIL_MARK in doc.text:
        raise ValueError("injected fault")
    return doc


@dataclass(frozen=True)
class FaultySettings(Settings):
    """The real pipeline, failing or dying on marked articles."""

    def load(self) -> Language:
        nlp = super().load()
        nlp.add_pipe("healthnews_test_faults", first=True)
        return nlp


def make_corpus(folder: Path, *, copies: int = 1, min_files: int = 0) -> Path:
    """The seeds, tests/data news items and, with ../shared, its news pages, in ``copyN/`` folders.

    ``copies`` copies, or more when needed to hold ``min_files`` files: 69
    files a copy with ../shared beside the repository, 28 without (a test that
    interrupts a run needs enough work left to interrupt).
    """
    parts = {"seeds": SEEDS, "general": GENERAL}
    if SHARED_WEB.is_dir():
        parts["web"] = SHARED_WEB
    per_copy = sum(len([p for p in source.iterdir() if p.is_file()]) for source in parts.values())
    folder.mkdir(parents=True, exist_ok=True)
    for copy in range(max(copies, math.ceil(min_files / per_copy))):
        for name, source in parts.items():
            shutil.copytree(source, folder / f"copy{copy}" / name)
    return folder


def mark(source: Path, target: Path, mark_text: str) -> Path:
    """A copy of the article ``source`` with ``mark_text`` added to its body."""
    text = source.read_text(encoding="utf-8")
    target.write_text(text.rstrip("\n") + f"\n{mark_text}\n", encoding="utf-8")
    return target


_GEXF_DAY = re.compile(rb'lastmodifieddate="[^"]*"')


def output_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of an output folder, GEXF without the day it was written (networkx puts today's date in)."""
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    if "graph.gexf" in files:
        files["graph.gexf"] = _GEXF_DAY.sub(b"", files["graph.gexf"])
    return files
