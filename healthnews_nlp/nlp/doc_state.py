"""What one component leaves for the next on the same Doc: the indexed text and the resolved entities.

The components of the pipeline read the same :class:`TextView` (the text,
the backend's words, and lookups such as titles that take time to build),
and the relation extractor reads the entities the recognizer grouped. They
are kept here per Doc, weakly: they go with the Doc, never travel with it
(``Doc.to_bytes`` carries ``doc.ents``, ``doc.spans`` and ``doc._.entities``;
a component that finds no state rebuilds it from those).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from spacy.tokens import Doc

from healthnews_nlp.gazetteer import Gazetteer
from healthnews_nlp.nlp.aliases import ResolvedEntity
from healthnews_nlp.nlp.backends.base import Analysis, Token
from healthnews_nlp.nlp.furniture import furniture_spans
from healthnews_nlp.nlp.lexicons import Lexicons
from healthnews_nlp.nlp.tokenizer import analysed_text, stored_analysis
from healthnews_nlp.nlp.view import Candidate, TextView


@dataclass
class DocState:
    """The view of one Doc and, once recognised, its mentions and entities."""

    view: TextView
    mentions: list[Candidate] = field(default_factory=list)
    entities: list[ResolvedEntity] = field(default_factory=list)
    recognised: bool = False


_STATES: WeakKeyDictionary[Doc, DocState] = WeakKeyDictionary()


def doc_state(doc: Doc, lexicons: Lexicons, gazetteer: Gazetteer) -> DocState:
    """The state of ``doc``, made on first use with these lexicons (again if others are asked for)."""
    state = _STATES.get(doc)
    if state is None or state.view.lexicons is not lexicons:
        text = analysed_text(doc)
        analysis = stored_analysis(doc) or _analysis_from_tokens(doc)
        furniture = furniture_spans(text, lexicons.furniture)
        skip = (*doc._.skip_spans, *furniture.skip)
        view = TextView(text, analysis, lexicons, gazetteer, skip=skip, datelines=furniture.datelines)
        state = _STATES[doc] = DocState(view)
    return state


def move_state(old: Doc, new: Doc) -> None:
    """The state of ``old`` now belongs to ``new`` (a Doc rebuilt with split tokens)."""
    state = _STATES.pop(old, None)
    if state is not None:
        _STATES[new] = state


def _analysis_from_tokens(doc: Doc) -> Analysis:
    """A Doc not made by our tokenizer: use its tokens, without backend entities."""
    return Analysis(tokens=tuple(Token(t.idx, t.idx + len(t.text), t.tag_ or "n") for t in doc), entities=())
