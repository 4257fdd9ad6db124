"""spaCy components of entity recognition: candidate sources, and the recognizer that resolves them.

Built at spaCy's seams, as its own ``span_ruler`` and ``spancat`` are:

- ``healthnews_rules`` writes the domain rules' candidates to the span group
  ``doc.spans["healthnews_rules"]`` (with each span's rule and priority);
- other sources write their own groups (corpus memory: ``healthnews_memory``,
  names established in other articles of a run; any component of the
  user's, a trained ``spancat`` for one);
- ``healthnews_ner`` reads the groups named in its ``candidate_keys``, has a
  registered **scorer** give every candidate a probability per type (today
  the rules' own labels; a learned scorer registers the same way), and a registered
  **resolver** choose the mentions: it sets ``doc.ents`` and
  ``doc._.entities`` (entities with their aliases and a confidence).

User patterns (``add_patterns``) are known entities and win every overlap;
they are saved with the pipeline (``nlp.to_disk``). No component changes
``doc.text``; where a boundary falls inside a backend word, that word is split.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

from healthnews_nlp.gazetteer import load_gazetteer
from healthnews_nlp.models import Entity, Mention
from healthnews_nlp.nlp.aliases import resolve_aliases
from healthnews_nlp.nlp.candidates import align_tokens, read_candidates, write_candidates
from healthnews_nlp.nlp.doc_state import doc_state
from healthnews_nlp.nlp.lexicons import Lexicons
from healthnews_nlp.nlp.memory import MEMORY_KEY
from healthnews_nlp.nlp.recognize import Probabilities, Recognition, propose, resolve, rule_probabilities
from healthnews_nlp.nlp.view import Candidate, TextView

ENTITIES_KEY = "healthnews_nlp.entities"
RULES_KEY = "healthnews_rules"
LABELS = ("ORG", "PERSON", "LOC", "EVENT")

#: Gives each candidate a probability per type (rows of ``recognize.CLASSES``).
EntityScorer = Callable[[TextView, Sequence[Candidate]], Probabilities]
#: Chooses the mentions among scored candidates.
EntityResolver = Callable[[TextView, Sequence[Candidate], Probabilities], Recognition]


def _entities(doc: Doc) -> tuple[Entity, ...]:
    return tuple(Entity.model_validate(e) for e in doc.user_data.get(ENTITIES_KEY, ()))


def register_extensions() -> None:
    """``doc._.entities`` (resolved entities) and ``doc._.skip_spans`` (dateline, byline)."""
    if not Doc.has_extension("entities"):
        Doc.set_extension("entities", getter=_entities)
    if not Doc.has_extension("skip_spans"):
        Doc.set_extension("skip_spans", default=())


# --- registered functions: scorers and resolvers ------------------------------------------------


# Module-level functions and small classes, not closures: the pipeline's components are pickled
# when nlp.pipe(n_process=N) sends them to worker processes.


def _rule_labels(view: TextView, candidates: Sequence[Candidate]) -> Probabilities:
    return rule_probabilities(candidates)


@registry.misc("healthnews_nlp.rule_labels.v1")
def make_rule_labels() -> EntityScorer:
    """Scorer: every candidate keeps the label its rule gave it, with probability 1."""
    return _rule_labels


@dataclass(frozen=True)
class _Resolver:
    threshold: float

    def __call__(self, view: TextView, candidates: Sequence[Candidate], probabilities: Probabilities) -> Recognition:
        return resolve(view, candidates, probabilities, threshold=self.threshold)


@registry.misc("healthnews_nlp.entity_resolver.v1")
def make_entity_resolver(threshold: float = 0.5) -> EntityResolver:
    """Resolver: most likely types, candidates under ``threshold`` dropped, overlaps resolved."""
    return _Resolver(threshold)


# --- components ---------------------------------------------------------------------------------


class RuleCandidates:
    """The domain rules' candidate spans (organizations, events, places, people) as a span group."""

    def __init__(self, nlp: Language, name: str, lexicon_dir: str | None, spans_key: str) -> None:
        register_extensions()
        self.name = name
        self.spans_key = spans_key
        self.lexicons = Lexicons.load(lexicon_dir)
        self.gazetteer = load_gazetteer()

    def __call__(self, doc: Doc) -> Doc:
        view = doc_state(doc, self.lexicons, self.gazetteer).view
        return write_candidates(doc, self.spans_key, propose(view))


class EntityRecognizer:
    """Sets ``doc.ents`` and ``doc._.entities`` from the candidates of every source."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        lexicon_dir: str | None,
        candidate_keys: Sequence[str],
        scorer: EntityScorer,
        resolver: EntityResolver,
    ) -> None:
        register_extensions()
        self.name = name
        self.candidate_keys = tuple(candidate_keys)
        self.scorer = scorer
        self.resolver = resolver
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
        state = doc_state(doc, self.lexicons, self.gazetteer)
        view = state.view
        candidates = [*read_candidates(doc, self.candidate_keys), *self._pattern_matches(view.text)]
        recognition = self.resolver(view, candidates, self.scorer(view, candidates))
        entities = resolve_aliases(view, recognition.mentions, recognition.definitions)
        state.mentions, state.entities, state.recognised = list(recognition.mentions), entities, True
        doc = align_tokens(doc, (b for m in recognition.mentions for b in (m.start, m.end)))
        doc.ents = [doc.char_span(m.start, m.end, label=m.label) for m in recognition.mentions]
        score = {(m.start, m.end): m.score for m in recognition.mentions}
        doc.user_data[ENTITIES_KEY] = [
            Entity(
                name=e.name,
                type=e.label,
                aliases=e.aliases,
                mentions=tuple(Mention(start=s, end=t, text=view.text[s:t]) for s, t in e.spans),
                confidence=round(max(score.get(span, 1.0) for span in e.spans), 4),
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

    # the user's patterns are the component's state, saved with the pipeline
    def to_bytes(self, **kwargs: Any) -> bytes:
        return srsly.msgpack_dumps(self.patterns)

    def from_bytes(self, data: bytes, **kwargs: Any) -> EntityRecognizer:
        self.patterns = [(label, phrase) for label, phrase in srsly.msgpack_loads(data)]
        return self

    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(directory / "patterns.jsonl", [{"label": l, "pattern": p} for l, p in self.patterns])

    def from_disk(self, path: str | Path, **kwargs: Any) -> EntityRecognizer:
        file = Path(path) / "patterns.jsonl"
        self.patterns = [(p["label"], p["pattern"]) for p in srsly.read_jsonl(file)] if file.is_file() else []
        return self


@Language.factory(
    "healthnews_rules",
    default_config={"lexicon_dir": None, "spans_key": RULES_KEY},
    requires=["token.tag"],
    assigns=["doc.spans"],
)
def make_rule_candidates(nlp: Language, name: str, lexicon_dir: str | None, spans_key: str) -> RuleCandidates:
    """The domain rules as a candidate source; ``lexicon_dir`` holds extra lexicon files."""
    return RuleCandidates(nlp, name, lexicon_dir, spans_key)


@Language.factory(
    "healthnews_ner",
    default_config={
        "lexicon_dir": None,
        "candidate_keys": [RULES_KEY, MEMORY_KEY],
        "scorer": {"@misc": "healthnews_nlp.rule_labels.v1"},
        "resolver": {"@misc": "healthnews_nlp.entity_resolver.v1", "threshold": 0.5},
    },
    requires=["doc.spans"],
    assigns=["doc.ents", "doc._.entities"],
)
def make_entity_recognizer(
    nlp: Language,
    name: str,
    lexicon_dir: str | None,
    candidate_keys: list[str],
    scorer: EntityScorer,
    resolver: EntityResolver,
) -> EntityRecognizer:
    """The entity recognizer: candidates of ``candidate_keys`` scored by ``scorer``, chosen by ``resolver``."""
    return EntityRecognizer(nlp, name, lexicon_dir, candidate_keys, scorer, resolver)
