"""Candidate spans in spaCy span groups: how candidate sources hand their proposals to the resolver.

Each source (the rules, the character tagger, a user's own component) writes
its candidates to a span group of ``doc.spans`` with, as spaCy's
``spancat`` does, per-span values in the group's ``attrs``: ``rules`` (which
rule proposed the span), ``priorities`` (how strongly the rule holds) and
``scores`` (a learned source's probability). Any span group named in the
resolver's ``candidate_keys`` is read, so a component of the user's that
writes spans with entity labels is one more source.

Candidates may start or end inside a backend word (a brand glued to the next
word), so the tokens are split at every boundary first; spaCy does not move
the span groups already on the Doc when tokens split, so they are written
again at their characters. Splitting may give a new Doc: the component
returns it, as spaCy allows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from spacy.attrs import IDX, MORPH, POS, TAG
from spacy.tokens import Doc, SpanGroup

from healthnews_nlp.nlp.doc_state import move_state
from healthnews_nlp.nlp.view import Candidate


#: Up to this many tokens to split, spaCy's retokenizer splits them in place; more, and the Doc is
#: built anew in one pass (each split moves every later token: thousands of splits in a long text
#: would take quadratic time).
RETOKENIZE_LIMIT = 32
#: Token attributes a rebuilt Doc keeps (the backend tokenizer's Docs carry words and tags only).
_COPIED = [TAG, POS, MORPH]


def align_tokens(doc: Doc, boundaries: Iterable[int]) -> Doc:
    """``doc`` with the tokens split that a boundary falls inside; span groups keep their characters.

    Returns ``doc`` itself, or a new Doc when many tokens split (see
    :data:`RETOKENIZE_LIMIT`); a component returns what it gets back.
    """
    starts = doc.to_array(IDX).tolist()
    cuts: dict[int, list[int]] = {}
    for boundary in sorted(set(boundaries)):
        index = bisect_right(starts, boundary) - 1
        if index >= 0 and starts[index] < boundary < starts[index] + len(doc[index].text):
            cuts.setdefault(index, []).append(boundary - starts[index])
    if not cuts:
        return doc
    pieces = {index: _pieces(doc[index].text, offsets) for index, offsets in cuts.items()}
    groups = {
        key: ([(s.start_char, s.end_char, s.label_) for s in group], dict(group.attrs))
        for key, group in doc.spans.items()
    }
    if len(pieces) <= RETOKENIZE_LIMIT or doc.has_annotation("DEP") or doc.has_annotation("ENT_IOB"):
        with doc.retokenize() as retokenizer:
            for index, parts in pieces.items():
                token = doc[index]
                retokenizer.split(token, parts, heads=[(token, i) for i in range(len(parts))])
        split = doc
    else:
        split = _rebuilt(doc, pieces)
        move_state(doc, split)
    for key, (spans, attrs) in groups.items():
        split.spans[key] = SpanGroup(
            split, name=key, attrs=attrs, spans=[split.char_span(s, e, label=label) for s, e, label in spans]
        )
    return split


def _pieces(word: str, offsets: list[int]) -> list[str]:
    return [word[a:b] for a, b in zip([0, *offsets], [*offsets, len(word)])]


def _rebuilt(doc: Doc, pieces: dict[int, list[str]]) -> Doc:
    """A new Doc with each token ``index`` of ``pieces`` split into those pieces, the rest as it was.

    Each piece keeps its token's tag, POS and morphology, the last one its
    whitespace, as ``Retokenizer.split`` does; ``user_data`` (extension values)
    and the context ``nlp.pipe(..., as_tuples=True)`` carries go to the new Doc.
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


def write_candidates(doc: Doc, key: str, candidates: Sequence[Candidate]) -> Doc:
    """``candidates`` as the span group ``key``, with their rules, priorities and scores (the Doc returned)."""
    doc = align_tokens(doc, (b for c in candidates for b in (c.start, c.end)))
    doc.spans[key] = SpanGroup(
        doc,
        name=key,
        spans=[doc.char_span(c.start, c.end, label=c.label) for c in candidates],
        attrs={
            "rules": [c.rule for c in candidates],
            "priorities": [c.priority for c in candidates],
            "scores": [c.score for c in candidates],
        },
    )
    return doc


def read_candidates(doc: Doc, keys: Iterable[str]) -> list[Candidate]:
    """The candidates of the span groups ``keys`` (missing groups are skipped).

    A group written by another component may lack the attributes: its spans
    are candidates of a rule named after the group, with priority 0 and score 1.
    """
    found = []
    for key in keys:
        group = doc.spans.get(key)
        if group is None:
            continue
        rules = group.attrs.get("rules") or [key] * len(group)
        priorities = group.attrs.get("priorities") or [0] * len(group)
        scores = group.attrs.get("scores") or [1.0] * len(group)
        for span, rule, priority, score in zip(group, rules, priorities, scores):
            found.append(Candidate(span.start_char, span.end_char, span.label_, str(rule), int(priority), float(score)))
    return found
