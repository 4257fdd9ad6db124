"""Errors the library raises, each naming the file and the reason."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
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


class MissingExtraError(HealthNewsError, ImportError):
    """A feature needs a package of an optional extra that is not installed.

    The message names the feature, the missing module and the command that
    installs it (``pip install 'healthnews-nlp[notebook]'``), where Python
    alone would only say ``No module named 'pandas'``. It is an
    :class:`ImportError` too, so code that already catches that keeps working.
    """

    def __init__(self, feature: str, extra: str, module: str, detail: str = "") -> None:
        self.feature = feature
        self.extra = extra
        self.module = module
        problem = f"cannot be imported ({detail})" if detail else "is not installed"
        super().__init__(
            f"{feature} needs {module}, which {problem}; "
            f"install the '{extra}' extra: pip install 'healthnews-nlp[{extra}]'",
            name=module,
        )


@contextmanager
def requires_extra(extra: str, feature: str) -> Iterator[None]:
    """Imports of an optional package: a failure raises :class:`MissingExtraError` naming ``extra``.

    Every import of an optional package in this library sits in such a block
    (``tests/test_extras.py`` checks it), so a user of the base install who
    calls a notebook feature is told what to install::

        with requires_extra("notebook", "kg.top_partners()"):
            import pandas as pd
    """
    try:
        yield
    except MissingExtraError:
        raise
    except ImportError as error:
        module = (error.name or "an optional package").split(".")[0]
        # a missing module says all; any other ImportError is a broken install: say how
        detail = "" if isinstance(error, ModuleNotFoundError) else describe(error)
        raise MissingExtraError(feature, extra, module, detail) from error


class EntityNotFoundError(HealthNewsError, KeyError):
    """No entity of the graph answers to a name (``kg.ego("...")``); the message suggests others.

    A :class:`KeyError` too, as a dictionary lookup would raise, but its
    message reads as a sentence rather than a quoted key. ``suggestions``
    holds the close names (possibly none).
    """

    def __init__(
        self, name: str, suggestions: tuple[str, ...] = (), *, type: str | None = None  # noqa: A002
    ) -> None:
        self.name = name
        self.suggestions = suggestions
        kind = f" of type {type}" if type else ""
        hint = (
            f"; did you mean {', '.join(suggestions)}?"
            if suggestions
            else "; no entity has a similar name"
        )
        self.message = f"no entity{kind} named {name!r} in the graph{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def describe(error: BaseException) -> str:
    """Why ``error`` happened, in words, never empty, never ``None``, never raising.

    Error handlers build their records from this rather than from an
    exception's optional attributes: an ``OSError`` made without arguments has
    ``strerror``, ``errno`` and ``filename`` all ``None``, many exceptions print
    as an empty string, and some fail to print at all (dask's ``KilledWorker``).
    This library's own errors give their ``reason``.
    """
    own = getattr(error, "reason", None)
    if isinstance(own, str) and own.strip():
        return own
    if isinstance(error, OSError) and error.strerror:
        return str(error.strerror)
    if isinstance(error, OSError) and isinstance(error.errno, int) and error.errno:
        return os.strerror(error.errno)
    try:
        text = str(error).strip()
    except Exception:  # noqa: BLE001  printing it failed: the type says what it was
        text = ""
    return text or type(error).__name__
