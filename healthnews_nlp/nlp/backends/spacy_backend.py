"""Any spaCy pipeline with an ``ner`` component as an NER backend.

``get_backend("spacy", model="zh_core_web_trf")`` or a trained pipeline's
directory: the model is whatever ``spacy.load`` takes, an installed package
name or a path. spaCy is a core dependency, so the backend is always
available; the model is the user's (none is installed by default).

How a text is analysed
----------------------
* **Sentences**: the text is cut with the LAC backend's
  :func:`~.lac.sentence_spans` (at 。！？； and line breaks, long ones at clause
  boundaries), and the sentences of a whole batch go through ``nlp.pipe``;
  the model's own tokenizer and ``ner`` read each sentence (other components
  run too unless ``exclude`` names them).
* **Entities**: ``doc.ents`` as character offsets into the text, labels mapped
  by ``resources/labels_spacy.tsv`` (OntoNotes ``PERSON``, ``ORG``, ``GPE``,
  ``LOC``…, or ``PER`` of a model trained on MSRA) or the file given as
  ``labels``; whitespace at an entity's edges is dropped.
* **Tokens** (which tile the text, as the protocol requires) are jieba's words
  and POS flags, the tags the domain rules read, with each entity made one
  token tagged like a LAC entity word (see :mod:`.combine`). A Chinese spaCy
  pipeline's own tags are treebank tags (``NR``, ``VV``) or none at all.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from healthnews_nlp.errors import ModelNotAvailableError

from .base import Analysis, BackendEntity
from .combine import combine
from .jieba_backend import JiebaBackend
from .labels import LabelSource, load_label_map
from .lac import sentence_spans

#: Sentences are cut to this many characters (a transformer reads 512 subwords at most).
MAX_SENTENCE_LEN = 256

INSTALL_HINT = (
    "install a spaCy pipeline with an 'ner' component, e.g. while online: "
    "python -m spacy download zh_core_web_sm (or zh_core_web_trf; pip install of the package "
    "wheel works too), or train one with `python -m spacy train` and pass its directory "
    "(such as training/model-best)"
)


class SpacyBackend:
    """Entities from a spaCy pipeline on top of jieba's words (see the module docstring).

    ``model`` is an installed pipeline package (``zh_core_web_trf``) or the path
    of a pipeline directory; ``labels`` a label mapping file (see :mod:`.labels`);
    ``exclude`` components not to load (a parser the NER does not need);
    ``batch_size`` sentences per ``nlp.pipe`` batch. The pipeline is loaded on
    first use; a missing one raises
    :class:`~healthnews_nlp.errors.ModelNotAvailableError` saying what to install.
    """

    name = "spacy"

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        labels: LabelSource = None,
        exclude: Iterable[str] = (),
        batch_size: int = 64,
        max_sentence_len: int = MAX_SENTENCE_LEN,
    ) -> None:
        if max_sentence_len < 2 or batch_size < 1:
            raise ValueError("max_sentence_len >= 2 and batch_size >= 1")
        self.model = os.fspath(model)
        self._labels = load_label_map("spacy", labels)
        self._exclude = tuple(exclude)
        self._batch_size = batch_size
        self._max_len = max_sentence_len
        self._segmenter = JiebaBackend()
        self._lock = threading.Lock()
        self._nlp: Any = None

    @property
    def nlp(self) -> Any:
        """The loaded spaCy pipeline (loaded on first use)."""
        with self._lock:
            if self._nlp is None:
                self._nlp = self._load()
            return self._nlp

    def _load(self) -> Any:
        import spacy

        try:
            nlp = spacy.load(self.model, exclude=list(self._exclude))
        except (OSError, ImportError, ValueError) as error:  # E050 not found, E053 bad config, missing deps
            raise ModelNotAvailableError(
                f"spaCy could not load the pipeline {self.model!r} ({type(error).__name__}: {error}). "
                f"It is neither an installed pipeline package nor a pipeline directory here: {INSTALL_HINT}. "
                "Or use backend='lac' (the default)."
            ) from error
        if "ner" not in nlp.pipe_names:
            raise ModelNotAvailableError(
                f"the spaCy pipeline {self.model!r} has no 'ner' component (it has: "
                f"{', '.join(nlp.pipe_names) or 'none'}); {INSTALL_HINT}"
            )
        return nlp

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse all texts, running the pipeline over all their sentences at once."""
        nlp = self.nlp
        segmented = self._segmenter.analyze(texts)
        sentences = [(i, s, e) for i, text in enumerate(texts) for s, e in sentence_spans(text, self._max_len)]
        docs = nlp.pipe((texts[owner][start:end] for owner, start, end in sentences), batch_size=self._batch_size)
        per_text: list[list[BackendEntity]] = [[] for _ in texts]
        for (owner, start, _), doc in zip(sentences, docs):
            per_text[owner].extend(self._entities(doc, start))
        return [
            combine(analysis.tokens, entities) for analysis, entities in zip(segmented, per_text)
        ]

    def _entities(self, doc: Any, offset: int) -> list[BackendEntity]:
        """``doc.ents`` with mapped labels, shifted by ``offset``, whitespace at their edges dropped."""
        found = []
        for ent in doc.ents:
            label = self._labels.get(ent.label_)
            text = ent.text
            start = ent.start_char + len(text) - len(text.lstrip())
            end = ent.end_char - (len(text) - len(text.rstrip()))
            if label is not None and start < end:
                found.append(BackendEntity(offset + start, offset + end, label))
        return found
