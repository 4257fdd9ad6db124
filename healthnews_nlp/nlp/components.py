"""spaCy components: the domain entity recognizer (relations live in :mod:`.relation_component`).

Registered with ``@Language.factory`` and a typed ``default_config``, like
spaCy's own ``span_ruler``: ``nlp.add_pipe("healthnews_ner")``. The component
never changes ``doc.text``; where an entity boundary falls inside a backend
word, that word is split so the tokens keep every boundary.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from healthnews_nlp.gazetteer import load_gazetteer
from healthnews_nlp.models import Entity, Mention
from healthnews_nlp.nlp.aliases import resolve_aliases
from healthnews_nlp.nlp.backends.base import Analysis, Token
from healthnews_nlp.nlp.furniture import furniture_spans
from healthnews_nlp.nlp.lexicons import Lexicons
from healthnews_nlp.nlp.recognize import recognize
from healthnews_nlp.nlp.tokenizer import analysed_text, stored_analysis
from healthnews_nlp.nlp.view import Candidate, TextView

ENTITIES_KEY = "healthnews_nlp.entities"
# What the recognizer saw and chose, handed to the relation component of the same Doc.
# It is removed by that component, so it never travels with the Doc.
RECOGNITION_KEY = "healthnews_nlp.recognition"
LABELS = ("ORG", "PERSON", "LOC", "EVENT")


def _entities(doc: Doc) -> tuple[Entity, ...]:
    return tuple(Entity.model_validate(e) for e in doc.user_data.get(ENTITIES_KEY, ()))


def register_extensions() -> None:
    """``doc._.entities`` (resolved entities) and ``doc._.skip_spans`` (dateline, byline)."""
    if not Doc.has_extension("entities"):
        Doc.set_extension("entities", getter=_entities)
    if not Doc.has_extension("skip_spans"):
        Doc.set_extension("skip_spans", default=())


class DomainRecognizer:
    """Entities of the health-news domain on top of the backend's words and entities."""

    def __init__(self, nlp: Language, name: str, lexicon_dir: str | None = None) -> None:
        register_extensions()
        self.name = name
        self.lexicons = Lexicons.load(lexicon_dir)
        self.gazetteer = load_gazetteer()
        self.patterns: list[tuple[str, str]] = []

    def add_patterns(self, patterns: Iterable[dict[str, str]]) -> None:
        """Add exact phrases, e.g. ``{"label": "ORG", "pattern": "航天云网"}``; they win over the rules.

        Every occurrence becomes a mention with that label, even where a rule
        reads a longer name over it (patterns are known entities).
        """
        for pattern in patterns:
            label, phrase = pattern["label"], pattern["pattern"]
            if label not in LABELS:
                raise ValueError(f"label must be one of {', '.join(LABELS)}, not {label!r}")
            self.patterns.append((label, phrase))

    def __call__(self, doc: Doc) -> Doc:
        text = analysed_text(doc)
        analysis = stored_analysis(doc) or _analysis_from_tokens(doc)
        furniture = furniture_spans(text, self.lexicons.furniture)
        skip = (*doc._.skip_spans, *furniture.skip)
        view = TextView(
            text, analysis, self.lexicons, self.gazetteer, skip=skip, datelines=furniture.datelines
        )
        recognition = recognize(view, self._pattern_matches(text))
        entities = resolve_aliases(view, recognition.mentions, recognition.definitions)
        doc.user_data[RECOGNITION_KEY] = (view, list(recognition.mentions), entities)
        _split_tokens_at(doc, recognition.mentions)
        starts = doc.to_array(IDX).tolist()
        doc.ents = [
            Span(doc, *_token_bounds(starts, len(text), m.start, m.end), label=m.label)
            for m in recognition.mentions
        ]
        doc.user_data[ENTITIES_KEY] = [
            Entity(
                name=e.name,
                type=e.label,  # type: ignore[arg-type]
                aliases=e.aliases,
                mentions=tuple(Mention(start=s, end=t, text=text[s:t]) for s, t in e.spans),
            ).model_dump()
            for e in entities
        ]
        return doc

    def _pattern_matches(self, text: str) -> list[Candidate]:
        found = []
        for label, phrase in self.patterns:
            position = text.find(phrase)
            while position >= 0:
                found.append(Candidate(position, position + len(phrase), label, "pattern", 10))
                position = text.find(phrase, position + 1)
        return found

    # patterns are part of the component's state
    def to_bytes(self, **kwargs: Any) -> bytes:
        import srsly

        return srsly.msgpack_dumps(self.patterns)

    def from_bytes(self, data: bytes, **kwargs: Any) -> DomainRecognizer:
        import srsly

        self.patterns = [tuple(p) for p in srsly.msgpack_loads(data)]  # type: ignore[misc]
        return self


def _analysis_from_tokens(doc: Doc) -> Analysis:
    """A Doc not made by our tokenizer: use its tokens, without backend entities."""
    return Analysis(tokens=tuple(Token(t.idx, t.idx + len(t.text), t.tag_ or "n") for t in doc), entities=())


def _split_tokens_at(doc: Doc, mentions: Iterable[Candidate]) -> None:
    """Split the tokens that an entity boundary falls inside (few of them: look them up, don't scan)."""
    starts = doc.to_array(IDX).tolist()
    cuts: dict[int, list[int]] = {}
    for boundary in sorted({b for m in mentions for b in (m.start, m.end)}):
        index = bisect_right(starts, boundary) - 1
        if index >= 0 and starts[index] < boundary:
            cuts.setdefault(index, []).append(boundary - starts[index])
    if not cuts:
        return
    with doc.retokenize() as retokenizer:
        for index in sorted(cuts):
            token = doc[index]
            inner = [c for c in cuts[index] if c < len(token.text)]
            if inner:
                pieces = [token.text[a:b] for a, b in zip([0, *inner], [*inner, len(token.text)])]
                retokenizer.split(token, pieces, heads=[(token, i) for i in range(len(pieces))])


def _token_bounds(starts: list[int], length: int, start: int, end: int) -> tuple[int, int]:
    """Token indices of the characters ``start:end`` (tokens start at both, see _split_tokens_at)."""
    first = bisect_left(starts, start)
    last = bisect_left(starts, end) if end < length else len(starts)
    assert first < len(starts) and starts[first] == start and (last == len(starts) or starts[last] == end), (
        "tokens were split at every entity boundary"
    )
    return first, last


@Language.factory(
    "healthnews_ner",
    default_config={"lexicon_dir": None},
    requires=["token.tag"],
    assigns=["doc.ents", "doc._.entities"],
)
def make_domain_recognizer(nlp: Language, name: str, lexicon_dir: str | None) -> DomainRecognizer:
    """The domain entity recognizer; ``lexicon_dir`` holds extra lexicon files of the same names."""
    return DomainRecognizer(nlp, name, lexicon_dir)
