"""Backends by name, so configuration and the CLI can pick one with a string.

Factories import their backend lazily: choosing ``jieba`` must not load
onnxruntime, and an optional backend must not be a hard dependency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from healthnews_nlp.errors import ModelNotAvailableError

from .base import NerBackend

BackendFactory = Callable[..., NerBackend]


def _lac(**options: Any) -> NerBackend:
    from .lac import LacBackend

    if "model" in options:  # the option every backend takes for its model: LAC's is a directory
        options["model_dir"] = options.pop("model")
    return LacBackend(**options)


def _jieba(**options: Any) -> NerBackend:
    from .jieba_backend import JiebaBackend

    return JiebaBackend(**options)


def _hanlp(**options: Any) -> NerBackend:
    # the module imports only jieba and the LAC backend's sentence splitter;
    # HanlpBackend raises ModelNotAvailableError, with the install command, when
    # the ``hanlp`` extra is missing
    from .hanlp_backend import HanlpBackend

    return HanlpBackend(**options)


def _spacy(**options: Any) -> NerBackend:
    from .spacy_backend import INSTALL_HINT, SpacyBackend

    if options.get("model") is None:
        raise ModelNotAvailableError(
            "the 'spacy' NER backend needs a pipeline: load(backend='spacy', "
            "backend_options={'model': 'zh_core_web_trf'}) or --backend spacy --model PATH_OR_PACKAGE; "
            f"to get one, {INSTALL_HINT}"
        )
    return SpacyBackend(**options)


# Extension point: a new backend is a module with a class implementing
# ``NerBackend`` plus one factory here.
FACTORIES: Mapping[str, BackendFactory] = MappingProxyType(
    {
        "lac": _lac,
        "jieba": _jieba,
        "hanlp": _hanlp,
        "spacy": _spacy,
    }
)


def available_backends() -> tuple[str, ...]:
    """The names ``get_backend`` accepts."""
    return tuple(sorted(FACTORIES))


def get_backend(name: str, **options: Any) -> NerBackend:
    """A new backend instance; ``options`` go to its constructor.

    Every backend takes ``model`` (LAC: a model directory; HanLP: an identifier
    or directory for ``hanlp.load``; spaCy: a package name or path for
    ``spacy.load``) and ``labels`` (a label mapping file, see :mod:`.labels`).
    """
    try:
        factory = FACTORIES[name]
    except KeyError:
        known = ", ".join(available_backends())
        raise ValueError(f"unknown NER backend {name!r}; known backends: {known}") from None
    return factory(**options)
