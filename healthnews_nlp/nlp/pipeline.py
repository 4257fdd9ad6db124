"""``load()``: the spaCy pipeline for Chinese health news."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import spacy
from spacy.language import Language
from spacy.util import registry

from healthnews_nlp.ingest.readers import MAX_ARTICLE_BYTES
from healthnews_nlp.nlp import components, relation_component  # noqa: F401  (registers the factories)
from healthnews_nlp.nlp.memory import MemoryCandidates
from healthnews_nlp.nlp.tokenizer import BackendTokenizer


@registry.tokenizers("healthnews_nlp.backend_tokenizer.v1")
def create_backend_tokenizer(
    backend: str = "lac", options: dict[str, Any] | None = None, threads: int | None = None
) -> Any:
    """spaCy config hook: ``[nlp.tokenizer] @tokenizers = "healthnews_nlp.backend_tokenizer.v1"``."""

    def make(nlp: Language) -> BackendTokenizer:
        return BackendTokenizer(nlp.vocab, backend, options, threads=threads)

    return make


def _config_value(value: Any) -> Any:
    """``value`` as a spaCy config holds it: paths become strings, in dicts, lists and tuples too.

    A spaCy config must serialise to JSON, and a user naturally passes a
    ``pathlib.Path`` for a model, a label file or a lexicon folder.
    """
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, dict):
        return {key: _config_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_config_value(item) for item in value]
    return value


def load(
    *,
    backend: str = "lac",
    backend_options: dict[str, Any] | None = None,
    lexicon_dir: str | os.PathLike[str] | None = None,
    relations: bool = True,
    threads: int | None = None,
    memory: Mapping[str, str] | None = None,
) -> Language:
    """A ``spacy.Language`` for Chinese that finds ORG, PERSON, LOC and EVENT (and relations).

    Parameters
    ----------
    backend
        NER backend giving words and general entities: ``"lac"`` (default),
        ``"jieba"``, ``"hanlp"`` (the ``hanlp`` extra) or ``"spacy"``.
    backend_options
        Keyword arguments for the backend: ``model`` (a HanLP identifier or model
        directory, a spaCy package name or pipeline path, LAC's model directory),
        ``labels`` (a file mapping the backend's labels to PERSON/ORG/LOC/TIME;
        default ``resources/labels_<backend>.tsv``), and the backend's own.
        Paths may be ``str`` or :class:`pathlib.Path`.
    lexicon_dir
        A directory of extra lexicon files, read after the packaged ones
        (a ``ValueError`` when it is not a directory).
    relations
        Add the relation extractor (fills ``doc._.relations``).
    threads
        Cores the pipeline may keep busy: LAC encoder runs in flight, and with
        more than one the backend analyses the next batch while the rules work
        on this one. ``None`` (default): every core this process may use. The
        corpus runner gives each of its worker processes one.
    memory
        Names known from other articles (name → ``"ORG"`` or ``"EVENT"``): every
        occurrence is a candidate (``healthnews_memory``), chosen as the rules'
        are (a longer or stronger reading wins). The corpus runner gives the
        names its articles establish (corpus memory); ``None``: no such component.
    """
    if lexicon_dir is not None and not os.path.isdir(lexicon_dir):
        raise ValueError(f"{os.fspath(lexicon_dir)}: no such folder of lexicons (lexicon_dir)")
    config = {
        "nlp": {
            "tokenizer": {
                "@tokenizers": "healthnews_nlp.backend_tokenizer.v1",
                "backend": backend,
                "options": _config_value(dict(backend_options or {})),
                "threads": threads,
            }
        }
    }
    nlp = spacy.blank("zh", config=config)
    # spaCy refuses texts over 1,000,000 characters, a guard for its parser's memory; this
    # pipeline has no parser, and every article the readers accept must go through.
    nlp.max_length = max(nlp.max_length, MAX_ARTICLE_BYTES)
    lexicons = _config_value(lexicon_dir)
    nlp.add_pipe("healthnews_rules", config={"lexicon_dir": lexicons})
    if memory is not None:
        remembered = nlp.add_pipe("healthnews_memory")
        assert isinstance(remembered, MemoryCandidates)
        remembered.remember(memory)
    nlp.add_pipe("healthnews_ner", config={"lexicon_dir": lexicons})
    if relations:
        nlp.add_pipe("healthnews_relations", config={"lexicon_dir": lexicons})
    return nlp
