"""A spaCy tokenizer whose tokens are the NER backend's words.

The backend runs once per text, here, and its analysis (words with tags and
entities) is kept on the Doc for the components after it. ``pipe`` analyses
many texts per backend call, which is what makes batched LAC fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.tokens import Doc
from spacy.util import minibatch
from spacy.vocab import Vocab

from healthnews_nlp.nlp.backends.base import Analysis, BackendEntity, NerBackend, Token
from healthnews_nlp.nlp.backends.registry import get_backend

ANALYSIS_KEY = "healthnews_nlp.analysis"


def store_analysis(doc: Doc, analysis: Analysis) -> None:
    """Keep the analysis in ``doc.user_data`` as plain tuples (serialisable across processes)."""
    doc.user_data[ANALYSIS_KEY] = (
        [(t.start, t.end, t.tag) for t in analysis.tokens],
        [(e.start, e.end, e.label) for e in analysis.entities],
    )


def stored_analysis(doc: Doc) -> Analysis | None:
    """The backend analysis the tokenizer stored, or None for a Doc made elsewhere."""
    stored = doc.user_data.get(ANALYSIS_KEY)
    if stored is None:
        return None
    tokens, entities = stored
    return Analysis(
        tokens=tuple(Token(*t) for t in tokens),
        entities=tuple(BackendEntity(*e) for e in entities),
    )


class BackendTokenizer:
    """Tokenize with an NER backend (LAC by default); the Doc's words are the backend's words."""

    def __init__(self, vocab: Vocab, backend: str = "lac", options: dict[str, Any] | None = None) -> None:
        self.vocab = vocab
        self.backend_name = backend
        self.options = dict(options or {})
        self._backend: NerBackend | None = None

    @property
    def backend(self) -> NerBackend:
        """The backend, created on first use (loading a model is not free)."""
        if self._backend is None:
            self._backend = get_backend(self.backend_name, **self.options)
        return self._backend

    def __call__(self, text: str) -> Doc:
        return self._make_doc(text, self.backend.analyze([text])[0])

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
        """Docs for ``texts``, analysing ``batch_size`` texts per backend call."""
        for batch in minibatch(texts, size=batch_size):
            for text, analysis in zip(batch, self.backend.analyze(batch)):
                yield self._make_doc(text, analysis)

    def _make_doc(self, text: str, analysis: Analysis) -> Doc:
        words = [text[t.start : t.end] for t in analysis.tokens]
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words), tags=[t.tag for t in analysis.tokens])
        store_analysis(doc, analysis)
        return doc

    def __reduce__(self) -> tuple[Any, ...]:
        # a model session does not pickle; a worker process loads its own backend
        return (self.__class__, (self.vocab, self.backend_name, self.options))

    # spaCy saves and loads tokenizers with the pipeline; the backend is named in the config.
    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> BackendTokenizer:
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Any, **kwargs: Any) -> BackendTokenizer:
        return self
