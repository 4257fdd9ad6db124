"""Out-of-fold extractions: every article extracted by learned models that never saw it.

``healthnews-nlp evaluate --cross-validate`` scores these. The articles are
dealt into folds by source (:func:`~healthnews_nlp.training.folds.assign_folds`);
for each fold the relation classifier is trained on the other folds (its
thresholds and confidence map chosen on their own inner folds, as ``make
train`` does on all of them) and the fold's articles are extracted with it.
The rules are not learned: they run as shipped.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from healthnews_nlp.evaluate import GoldArticle
from healthnews_nlp.ingest.readers import read_article
from healthnews_nlp.models import ArticleExtraction
from healthnews_nlp.nlp.extraction import extract
from healthnews_nlp.nlp.pipeline import load
from healthnews_nlp.nlp.relation_component import make_relation_classifier
from healthnews_nlp.training.folds import assign_folds
from healthnews_nlp.training.relations import Hyper, article_states, build_model


def out_of_fold_extractions(
    article_dir: Path, gold: Mapping[str, GoldArticle], *, k: int = 8
) -> list[ArticleExtraction]:
    """The extraction of every gold article of ``article_dir``, each by models trained without it."""
    states = article_states(article_dir, gold)
    if len(states) < k:
        raise ValueError(
            f"{article_dir}: {len(states)} article(s) with gold, too few for {k}-fold cross-validation"
        )
    folds = assign_folds([s.name for s in states], k)
    nlp = load()
    relations = nlp.get_pipe("healthnews_relations")
    found: dict[str, ArticleExtraction] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for fold in sorted(set(folds.values())):
            training = [s for s in states if folds[s.name] != fold]
            model_path = Path(scratch) / f"relations-{fold}.npz"
            build_model(training, gold, Hyper()).save(model_path)
            relations.scorer = make_relation_classifier(str(model_path))
            held_out = [read_article(article_dir / s.name) for s in states if folds[s.name] == fold]
            for article, extraction in zip(held_out, extract(held_out, nlp)):
                found[article.name] = extraction
    return [found[s.name] for s in states]
