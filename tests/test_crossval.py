"""``evaluate --cross-validate``: every article extracted by learned models that never saw it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from healthnews_nlp.cli import main
from healthnews_nlp.evaluate import load_gold, load_predictions, score

SHARED = Path(__file__).parents[1].parent / "shared"
GOLD_DIR = SHARED / "gold"
SEEDS = Path(__file__).parents[1] / "seeds"


@pytest.fixture()
def train_extra() -> None:
    pytest.importorskip("sklearn")
    if not GOLD_DIR.is_dir():
        pytest.skip(f"the seeds' gold is not under {GOLD_DIR}")


def test_no_article_is_extracted_by_a_model_trained_on_it(
    train_extra: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from healthnews_nlp.training import crossval

    trained_on: list[set[str]] = []
    extracted: list[set[str]] = []
    build_model, extract = crossval.build_model, crossval.extract

    def recording_build(states: Any, *args: Any, **kwargs: Any) -> Any:
        trained_on.append({s.name for s in states})
        return build_model(states, *args, **kwargs)

    def recording_extract(articles: Any, nlp: Any) -> Any:
        extracted.append({Path(a.source).name for a in articles})
        return extract(articles, nlp)

    monkeypatch.setattr(crossval, "build_model", recording_build)
    monkeypatch.setattr(crossval, "extract", recording_extract)
    gold = load_gold(GOLD_DIR)
    extractions = crossval.out_of_fold_extractions(SEEDS, gold, k=2)
    assert len(trained_on) == len(extracted) == 2
    assert all(not (model & held_out) for model, held_out in zip(trained_on, extracted))
    assert set().union(*extracted) == set(gold) == {Path(e.source).name for e in extractions}
    with pytest.raises(ValueError, match="too few"):
        crossval.out_of_fold_extractions(SEEDS, gold, k=8)


def test_the_command_scores_what_it_wrote(
    train_extra: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from healthnews_nlp.training import crossval

    folds = crossval.out_of_fold_extractions.__kwdefaults__
    monkeypatch.setitem(folds, "k", 2)  # five seeds: two folds
    output = tmp_path / "oof.jsonl"
    code = main(["evaluate", "--gold", str(GOLD_DIR), "--cross-validate", "--articles", str(SEEDS),
                 "-o", str(output), "--json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == score(load_gold(GOLD_DIR), load_predictions(output)).to_dict()
    assert printed["entities"]["ALL"]["f"] > 0.8


@pytest.mark.parametrize(
    "arguments",
    [
        ["--gold", "GOLD"],  # neither predictions nor --cross-validate
        ["--gold", "GOLD", "--cross-validate"],  # no --articles
        ["--gold", "GOLD", "--cross-validate", "--articles", "SEEDS", "SEEDS"],  # one folder only
    ],
)
def test_usage_errors(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    if not GOLD_DIR.is_dir():
        pytest.skip(f"the seeds' gold is not under {GOLD_DIR}")
    argv = [str(GOLD_DIR) if a == "GOLD" else str(SEEDS) if a == "SEEDS" else a for a in arguments]
    assert main(["evaluate", *argv]) == 2
    assert "evaluate" in capsys.readouterr().err
