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

from spacy.attrs import IDX, MORPH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.tokens import Token as SpacyToken

from healthnews_nlp.gazetteer import load_gazetteer
from healthnews_nlp.models import Entity, Mention
from healthnews_nlp.nlp.aliases import resolve_aliases
from healthnews_nlp.nlp.backends.base import Analysis, Token
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
        view = TextView(text, analysis, self.lexicons, self.gazetteer, skip=tuple(doc._.skip_spans))
        recognition = recognize(view, self._pattern_matches(text))
        entities = resolve_aliases(view, recognition.mentions, recognition.definitions)
        doc = _split_tokens_at(doc, recognition.mentions)
        doc.user_data[RECOGNITION_KEY] = (view, list(recognition.mentions), entities)
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


def _split_tokens_at(doc: Doc, mentions: Iterable[Candidate]) -> Doc:
    """The Doc with the tokens split that an entity boundary falls inside (few: look them up, don't scan).

    spaCy's retokenizer moves every later token for each split, which made a long text with
    thousands of splits quadratic. A Doc of only words and tags (what the backend tokenizer
    makes) is built anew with the pieces instead, in one pass; any other Doc (a parse, lemmas,
    span groups) is retokenized in place.
    """
    starts = doc.to_array(IDX).tolist()
    cuts: dict[int, list[int]] = {}
    for boundary in sorted({b for m in mentions for b in (m.start, m.end)}):
        index = bisect_right(starts, boundary) - 1
        if index >= 0 and starts[index] < boundary:
            cuts.setdefault(index, []).append(boundary - starts[index])
    if not cuts:
        return doc
    pieces = {index: _pieces(doc[index].text, inner) for index, inner in cuts.items()}
    if _only_words_and_tags(doc):
        return _rebuilt(doc, pieces)
    with doc.retokenize() as retokenizer:
        for index in sorted(pieces):
            token = doc[index]
            if len(pieces[index]) > 1:
                heads: list[SpacyToken | tuple[SpacyToken, int]] = [(token, i) for i in range(len(pieces[index]))]
                retokenizer.split(token, pieces[index], heads=heads)
    return doc


def _pieces(word: str, cuts: list[int]) -> list[str]:
    inner = [c for c in cuts if c < len(word)]
    return [word[a:b] for a, b in zip([0, *inner], [*inner, len(word)])]


#: What a Doc may carry for :func:`_rebuilt` to copy it whole: words, spaces, tags, POS, morphology.
_COPIED = [TAG, POS, MORPH]


def _only_words_and_tags(doc: Doc) -> bool:
    annotated = ("DEP", "HEAD", "LEMMA", "SENT_START", "ENT_IOB")
    return not (doc.spans or doc.cats or doc.has_vector or any(doc.has_annotation(a) for a in annotated))


def _rebuilt(doc: Doc, pieces: dict[int, list[str]]) -> Doc:
    """A new Doc with each token ``index`` of ``pieces`` split into those pieces; the rest as it was.

    Each piece keeps its token's tag, POS and morphology, the last one its whitespace,
    as ``Retokenizer.split`` does; ``user_data`` (extension values) and the context
    ``nlp.pipe(..., as_tuples=True)`` carries go to the new Doc.
    """
    words: list[str] = []
    spaces: list[bool] = []
    origin: list[int] = []
    for index, token in enumerate(doc):
        parts = pieces.get(index, [token.text])
        words.extend(parts)
        spaces.extend([False] * (len(parts) - 1) + [bool(token.whitespace_)])
        origin.extend([index] * len(parts))
    rebuilt = Doc(doc.vocab, words=words, spaces=spaces, user_data=doc.user_data)
    rebuilt.from_array(_COPIED, doc.to_array(_COPIED)[origin])  # type: ignore[arg-type]
    rebuilt._context = doc._context  # what nlp.pipe(as_tuples=True) pairs with the Doc
    return rebuilt


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
