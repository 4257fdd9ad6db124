"""spaCy component ``healthnews_relations``: fills ``doc._.relations`` (see :mod:`.relations`)."""

from __future__ import annotations

from datetime import date, datetime

from spacy.language import Language
from spacy.tokens import Doc

from healthnews_nlp.models import Relation
from healthnews_nlp.nlp.components import RECOGNITION_KEY
from healthnews_nlp.nlp.relations import RelationFinder

RELATIONS_KEY = "healthnews_nlp.relations"


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


class RelationExtractor:
    """Relations between the entities ``healthnews_ner`` found."""

    def __init__(self, nlp: Language, name: str) -> None:
        register_relation_extensions()
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        state = doc.user_data.pop(RECOGNITION_KEY, None)
        if state is None:
            raise ValueError("healthnews_relations needs healthnews_ner before it in the pipeline")
        view, mentions, entities = state
        finder = RelationFinder(view, mentions, entities, _day(doc._.article_date))
        # JSON-mode dumps (dates as ISO strings): user_data must stay msgpack-serialisable, so
        # that Doc.to_bytes, DocBin and nlp.pipe(n_process=N) can carry the Doc between processes.
        doc.user_data[RELATIONS_KEY] = [r.model_dump(mode="json") for r in finder.find()]
        return doc


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


@Language.factory("healthnews_relations", default_config={}, requires=["doc.ents"], assigns=["doc._.relations"])
def make_relation_extractor(nlp: Language, name: str) -> RelationExtractor:
    """The relation extractor; it reads what ``healthnews_ner`` recognised in the same Doc."""
    return RelationExtractor(nlp, name)
