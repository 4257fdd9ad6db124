"""Errors the library raises, each naming the file and the reason."""

from __future__ import annotations

from pathlib import Path


class HealthNewsError(Exception):
    """Base class of every error this library raises on purpose."""


class IngestError(HealthNewsError):
    """A file (or one record of a collection) could not be read into an Article.

    The message always starts with the file so that a batch report can be read
    line by line: ``path/to/file.txt: not text (binary content)``.
    """

    def __init__(self, path: str | Path, reason: str, *, stage: str = "read") -> None:
        self.path = str(path)
        self.reason = reason
        self.stage = stage
        super().__init__(f"{self.path}: {reason}")


class ModelNotAvailableError(HealthNewsError):
    """An optional backend or its model is missing; the message says how to get it."""
