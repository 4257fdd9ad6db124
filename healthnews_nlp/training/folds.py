"""Cross-validation folds over the development set: a model is never scored on an article it saw.

Articles are grouped by source (the seeds, the hospital-news pages, the feed
posts: told apart by their file names) and dealt round-robin into ``k`` folds
in name order within each source, so every fold holds articles of every
source and the folds are the same on every machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SOURCES = ("seeds", "web", "general")


def source_of(article: str) -> str:
    """``seeds`` (000_<hash>), ``web`` (009_<slug>) or ``general`` (00001) from the file name."""
    stem = article.rsplit("/", 1)[-1].split(".", 1)[0]
    if re.fullmatch(r"\d{5}", stem):
        return "general"
    if re.fullmatch(r"\d{3}_[0-9a-f]{16}", stem):
        return "seeds"
    return "web"


def assign_folds(articles: Iterable[str], k: int = 8) -> dict[str, int]:
    """Article name → fold number in ``range(k)``."""
    folds: dict[str, int] = {}
    for source in SOURCES:
        members = sorted(a for a in set(articles) if source_of(a) == source)
        for position, article in enumerate(members):
            folds[article] = (position + SOURCES.index(source)) % k
    return folds
