"""Lexicons and gazetteers as data files, with small loaders."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources as _resources


def read_lines(name: str) -> Iterator[str]:
    """Non-empty, non-comment lines of the resource file ``name`` (UTF-8), stripped."""
    text = _resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield stripped
