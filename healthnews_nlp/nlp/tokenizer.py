"""A spaCy tokenizer whose tokens are the NER backend's words.

The backend runs once per text, here, and its analysis (words with tags and
entities) is kept on the Doc for the components after it. ``pipe`` analyses
many texts per backend call, which is what makes batched LAC fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from itertools import starmap
from typing import Any

from spacy.tokens import Doc
from spacy.util import minibatch
from spacy.vocab import Vocab

from healthnews_nlp.nlp.backends.base import Analysis, BackendEntity, NerBackend, Token
from healthnews_nlp.nlp.backends.registry import get_backend

ANALYSIS_KEY = "healthnews_nlp.analysis"


def store_analysis(doc: Doc, text: str, analysis: Analysis) -> None:
    """Keep the text and its analysis in ``doc.user_data`` (tuples: serialisable across processes).

    The text is kept too because ``doc.text`` joins every token anew.
    """
    doc.user_data[ANALYSIS_KEY] = (text, analysis.tokens, analysis.entities)


def stored_analysis(doc: Doc) -> Analysis | None:
    """The backend analysis the tokenizer stored, or None for a Doc made elsewhere."""
    stored = doc.user_data.get(ANALYSIS_KEY)
    if stored is None:
        return None
    _, tokens, entities = stored
    return Analysis(tokens=_as_tuples(Token, tokens), entities=_as_tuples(BackendEntity, entities))


def _as_tuples(kind: type[Any], items: Sequence[Any]) -> tuple[Any, ...]:
    """``items`` as ``kind`` named tuples: as stored, or rebuilt from plain arrays (a Doc read back from bytes)."""
    if isinstance(items, tuple) and all(isinstance(item, kind) for item in items[:1]):
        return items
    return tuple(starmap(kind, items))


def analysed_text(doc: Doc) -> str:
    """``doc.text``, without joining the tokens again when the tokenizer kept it."""
    stored = doc.user_data.get(ANALYSIS_KEY)
    return stored[0] if stored is not None else doc.text


@lru_cache(maxsize=1)
def jieba_user_words() -> tuple[tuple[str, str], ...]:
    """jieba's user dictionary from the domain data: place names (``ns``) and titles (``n``).

    Places are the gazetteer's full names and the short forms of countries,
    regions, provinces and prefecture-level cities (宁夏, 银川); county short
    forms are left out, as a dictionary word would glue them onto neighbours
    (专属云和混合云 → 云和). Titles (院长, 总经理) keep names apart from the
    words before them. Organization heads alone and surnames would only cut
    names apart, so they stay out.
    """
    from healthnews_nlp.gazetteer import load_gazetteer
    from healthnews_nlp.nlp.lexicons import Lexicons

    places = load_gazetteer().places()
    words = {place.name: "ns" for place in places}
    words.update((p.short, "ns") for p in places if p.short and p.level != "district")
    words.update((title, "n") for title in Lexicons.load().titles)
    return tuple(sorted(words.items()))


class BackendTokenizer:
    """Tokenize with an NER backend (LAC by default); the Doc's words are the backend's words.

    The backend object is created here, so an unknown or uninstalled backend
    fails when the pipeline is loaded; backends load their models on first use.
    The ``jieba`` backend gets :func:`jieba_user_words` unless the options set
    ``user_words`` themselves. ``threads`` caps the cores kept busy (see
    :func:`healthnews_nlp.load`): LAC's encoder runs in flight, and whether
    ``pipe`` analyses one batch ahead in a second thread.
    """

    def __init__(
        self,
        vocab: Vocab,
        backend: str = "lac",
        options: dict[str, Any] | None = None,
        *,
        threads: int | None = None,
    ) -> None:
        self.vocab = vocab
        self.backend_name = backend
        self.options = dict(options or {})
        self.threads = threads
        backend_options = dict(self.options)
        if backend == "jieba" and "user_words" not in backend_options:
            backend_options["user_words"] = jieba_user_words()
        if backend == "lac" and threads is not None:
            backend_options.setdefault("workers", threads)
        self._backend: NerBackend = get_backend(backend, **backend_options)

    @property
    def backend(self) -> NerBackend:
        """The backend (it loads its model on first use)."""
        return self._backend

    def __call__(self, text: str) -> Doc:
        return self._make_doc(text, self.backend.analyze([text])[0])

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
        """Docs for ``texts``, analysing ``batch_size`` texts per backend call.

        The backend analyses the next batch in a background thread while the
        caller works on the Docs of this one: LAC's encoder runs without the
        GIL, so on a second core it overlaps the domain rules and relations
        that follow in the pipeline. ``texts`` is read in the calling thread,
        one batch ahead. With ``threads=1`` everything runs in the calling
        thread, on one core.
        """
        if self.threads == 1:
            for batch in minibatch(texts, size=batch_size):
                yield from map(self._make_doc, batch, self.backend.analyze(batch))
            return
        with ThreadPoolExecutor(1, thread_name_prefix="backend") as ahead:
            pending: tuple[list[str], Future[list[Analysis]]] | None = None
            for batch in minibatch(texts, size=batch_size):
                submitted = (batch, ahead.submit(self.backend.analyze, batch))
                if pending is not None:
                    yield from self._make_docs(*pending)
                pending = submitted
            if pending is not None:
                yield from self._make_docs(*pending)

    def _make_docs(self, texts: list[str], analyses: Future[list[Analysis]]) -> Iterator[Doc]:
        for text, analysis in zip(texts, analyses.result(), strict=True):
            yield self._make_doc(text, analysis)

    def _make_doc(self, text: str, analysis: Analysis) -> Doc:
        words = [text[t.start : t.end] for t in analysis.tokens]
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words), tags=[t.tag for t in analysis.tokens])
        store_analysis(doc, text, analysis)
        return doc

    def __reduce__(self) -> tuple[Any, ...]:
        # a model session does not pickle; a worker process loads its own backend
        return (_restore, (self.vocab, self.backend_name, self.options, self.threads))

    # spaCy saves and loads tokenizers with the pipeline; the backend is named in the config.
    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> BackendTokenizer:
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Any, **kwargs: Any) -> BackendTokenizer:
        return self


def _restore(vocab: Vocab, backend: str, options: dict[str, Any], threads: int | None) -> BackendTokenizer:
    """Unpickling: a new tokenizer, which creates its own backend."""
    return BackendTokenizer(vocab, backend, options, threads=threads)
