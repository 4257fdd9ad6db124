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
again at their characters.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from spacy.attrs import IDX
from spacy.tokens import Doc, SpanGroup

from healthnews_nlp.nlp.view import Candidate


def align_tokens(doc: Doc, boundaries: Iterable[int]) -> None:
    """Split the tokens that a boundary falls inside, keeping every span group on its characters."""
    starts = doc.to_array(IDX).tolist()
    cuts: dict[int, list[int]] = {}
    for boundary in sorted(set(boundaries)):
        index = bisect_right(starts, boundary) - 1
        if index >= 0 and starts[index] < boundary < starts[index] + len(doc[index].text):
            cuts.setdefault(index, []).append(boundary - starts[index])
    if not cuts:
        return
    groups = {
        key: ([(s.start_char, s.end_char, s.label_) for s in group], dict(group.attrs))
        for key, group in doc.spans.items()
    }
    with doc.retokenize() as retokenizer:
        for index, offsets in cuts.items():
            token = doc[index]
            pieces = [token.text[a:b] for a, b in zip([0, *offsets], [*offsets, len(token.text)])]
            retokenizer.split(token, pieces, heads=[(token, i) for i in range(len(pieces))])
    for key, (spans, attrs) in groups.items():
        doc.spans[key] = SpanGroup(
            doc, name=key, attrs=attrs, spans=[doc.char_span(s, e, label=label) for s, e, label in spans]
        )


def write_candidates(doc: Doc, key: str, candidates: Sequence[Candidate]) -> None:
    """``candidates`` as the span group ``key``, with their rules, priorities and scores."""
    align_tokens(doc, (b for c in candidates for b in (c.start, c.end)))
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
