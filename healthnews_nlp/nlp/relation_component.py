"""spaCy component ``healthnews_relations``: fills ``doc._.relations`` (see :mod:`.relations`).

It reads the entities of ``doc.ents`` (grouped as the recognizer grouped
them) and hands the article to a registered **scorer**, which returns the
relations with their confidence: by default the rules' relations and the pair
classifier's beside them (``healthnews_nlp.relation_classifier.v1``), or the
rules' alone (``healthnews_nlp.relation_rules.v1``, confidence 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

from healthnews_nlp.gazetteer import load_gazetteer
from healthnews_nlp.models import Relation
from healthnews_nlp.nlp.aliases import resolve_aliases
from healthnews_nlp.nlp.doc_state import DocState, doc_state
from healthnews_nlp.nlp.lexicons import Lexicons
from healthnews_nlp.nlp.recognize import definitions
from healthnews_nlp.nlp.relations import RelationFinder
from healthnews_nlp.nlp.view import Candidate

RELATIONS_KEY = "healthnews_nlp.relations"

#: The relations of one article, from the finder that holds its text, mentions and entities.
RelationScorer = Callable[[RelationFinder], list[Relation]]


def _relations(doc: Doc) -> tuple[Relation, ...]:
    return tuple(Relation.model_validate(r) for r in doc.user_data.get(RELATIONS_KEY, ()))


def register_relation_extensions() -> None:
    """``doc._.relations`` and ``doc._.article_date`` (resolves 9月22日 to a year).

    ``article_date`` takes a date, a datetime or an ISO string; an ISO string
    keeps the Doc serialisable (``Doc.to_bytes``, ``nlp.pipe(n_process=N)``).
    """
    if not Doc.has_extension("relations"):
        Doc.set_extension("relations", getter=_relations)
    if not Doc.has_extension("article_date"):
        Doc.set_extension("article_date", default=None)


@registry.misc("healthnews_nlp.relation_rules.v1")
def make_relation_rules() -> RelationScorer:
    """Scorer: the relations the rules state, each with confidence 1."""
    return RelationFinder.find  # a plain function of the finder: picklable for nlp.pipe(n_process=N)


#: Texts longer than this are related by the rules alone (confidence 1): no news article is
#: (the longest of the development set and of the benchmark corpus have 12,000 characters), the
#: classifier's candidate pairs grow with a text's entities, and it never saw such text.
CLASSIFIER_MAX_CHARACTERS = 50_000


@dataclass(frozen=True)
class ClassifierBesideRules:
    """The pair classifier's relations beside the rules' (a class, so the pipeline pickles)."""

    records: Callable[[RelationFinder], list[Relation]]
    max_characters: int

    def __call__(self, finder: RelationFinder) -> list[Relation]:
        if len(finder.text) > self.max_characters:
            return finder.find()
        return self.records(finder)


@registry.misc("healthnews_nlp.relation_classifier.v1")
def make_relation_classifier(
    model: str | None = None, max_characters: int = CLASSIFIER_MAX_CHARACTERS
) -> RelationScorer:
    """Scorer: the rules' relations and the pair classifier's (``model``: a model file other than
    the shipped ``resources/models/relations.npz``), each with its calibrated confidence; a text
    over ``max_characters`` gets the rules' alone."""
    from healthnews_nlp.nlp.learned.relation_classifier import RelationClassifier

    return ClassifierBesideRules(RelationClassifier.load(model).records, max_characters)


class RelationExtractor:
    """Relations between the entities of ``doc.ents``."""

    def __init__(self, nlp: Language, name: str, lexicon_dir: str | None, scorer: RelationScorer) -> None:
        register_relation_extensions()
        self.name = name
        self.scorer = scorer
        self.lexicons = Lexicons.load(lexicon_dir)
        self.gazetteer = load_gazetteer()

    def __call__(self, doc: Doc) -> Doc:
        finder = relation_finder(doc, self.lexicons)
        # JSON-mode dumps (dates as ISO strings): user_data must stay msgpack-serialisable, so
        # that Doc.to_bytes, DocBin and nlp.pipe(n_process=N) can carry the Doc between processes.
        doc.user_data[RELATIONS_KEY] = [r.model_dump(mode="json") for r in self.scorer(finder)]
        return doc


def relation_finder(doc: Doc, lexicons: Lexicons | None = None) -> RelationFinder:
    """The relation finder of a recognised Doc: its text, mentions and entities, and its day.

    What the relation component reads; the training of the relation classifier
    and its tests read the same.
    """
    state = doc_state(doc, lexicons or Lexicons.load(), load_gazetteer())
    if not state.recognised:
        _recognised_from_ents(doc, state)
    register_relation_extensions()
    return RelationFinder(state.view, state.mentions, state.entities, _day(doc._.article_date))


def _recognised_from_ents(doc: Doc, state: DocState) -> None:
    """Mentions and entities from ``doc.ents`` set elsewhere (a Doc read back, or a user's entities)."""
    mentions = [Candidate(e.start_char, e.end_char, e.label_, "ents") for e in doc.ents]
    state.mentions = mentions
    state.entities = resolve_aliases(state.view, mentions, definitions(state.view, mentions))
    state.recognised = True


def _day(value: object) -> date | None:
    """The article's day from ``doc._.article_date``: a datetime, a date or an ISO string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@Language.factory(
    "healthnews_relations",
    default_config={"lexicon_dir": None, "scorer": {"@misc": "healthnews_nlp.relation_classifier.v1"}},
    requires=["doc.ents"],
    assigns=["doc._.relations"],
)
def make_relation_extractor(
    nlp: Language, name: str, lexicon_dir: str | None, scorer: RelationScorer
) -> RelationExtractor:
    """The relation extractor over ``doc.ents``; ``scorer`` decides which relations hold."""
    return RelationExtractor(nlp, name, lexicon_dir, scorer)
