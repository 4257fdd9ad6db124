"""The optional backends on real models: HanLP and spaCy NER trained here, offline (``make test-backends``).

Each model learns MSRA's PER/ORG/LOC from most of ``msra_ner/val`` in a
couple of minutes (see :mod:`backend_training`) and is then loaded the way a
user loads theirs: ``hanlp.load(path)`` behind ``backend="hanlp"``,
``spacy.load(path)`` behind ``backend="spacy"``. The tests check what those
models predict on sentences they never saw, and that the domain layer, aliases
and relations work on top of them as they do on LAC.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backend_training import MSRA_VAL, msra_val, train_hanlp, train_spacy

from healthnews_nlp.benchmarks import backend_spans, score_spans
from healthnews_nlp.cli import main
from healthnews_nlp.nlp.backends.registry import get_backend
from healthnews_nlp.nlp.pipeline import load

pytestmark = [
    pytest.mark.backends,
    pytest.mark.skipif(not MSRA_VAL.is_dir(), reason="shared/benchmarks is not beside the repository"),
]

NEWS = "9月22日下午，深圳市第三人民医院与北京大学第一医院在北京正式签署战略合作协议。"


@pytest.fixture(scope="module")
def hanlp_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_hanlp(tmp_path_factory.mktemp("hanlp"))


@pytest.fixture(scope="module")
def spacy_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_spacy(tmp_path_factory.mktemp("spacy"))


@pytest.fixture(params=["hanlp", "spacy"])
def trained(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """(backend name, model directory) for each optional backend."""
    return request.param, request.getfixturevalue(f"{request.param}_model")


def test_trained_model_finds_entities_in_held_sentences(trained: tuple[str, Path]) -> None:
    name, model = trained
    backend = get_backend(name, model=str(model))
    _, _, held = msra_val()
    texts = [s.text for s in held]
    analyses = backend.analyze(texts)
    for text, analysis in zip(texts, analyses):
        assert "".join(text[t.start : t.end] for t in analysis.tokens) == text
        assert all(text[e.start : e.end].strip() == text[e.start : e.end] for e in analysis.entities)
    scores = score_spans(held, backend_spans(backend, texts))
    print(name, {label: round(c.f1, 3) for label, c in scores.labels.items()}, round(scores.total.f1, 3))
    assert scores.total.f1 >= 0.35  # a tiny model from 2,500 sentences: about 0.5 here
    assert all(counts.tp >= 10 for counts in scores.labels.values())  # every type is learnt


def test_trained_model_labels_are_mapped_by_the_label_file(trained: tuple[str, Path], tmp_path: Path) -> None:
    name, model = trained
    _, _, held = msra_val()
    texts = [s.text for s in held[:100]]
    default = [e for a in get_backend(name, model=str(model)).analyze(texts) for e in a.entities]
    assert {e.label for e in default} == {"PERSON", "ORG", "LOC"}  # MSRA's PER is PERSON by labels_*.tsv
    only_people = tmp_path / "labels.tsv"
    only_people.write_text("# people only\nPER\tPERSON\n", encoding="utf-8")
    mapped = [e for a in get_backend(name, model=str(model), labels=only_people).analyze(texts) for e in a.entities]
    assert mapped == [e for e in default if e.label == "PERSON"]


def test_domain_layer_and_relations_on_a_trained_backend(trained: tuple[str, Path]) -> None:
    name, model = trained
    nlp = load(backend=name, backend_options={"model": str(model)})
    assert nlp.tokenizer.backend.name == name
    doc = nlp(NEWS)
    ents = {(e.text, e.label_) for e in doc.ents}
    assert {("深圳市第三人民医院", "ORG"), ("北京大学第一医院", "ORG"), ("北京", "LOC")} <= ents
    partners = {frozenset((r.head, r.tail)) for r in doc._.relations if r.type == "PARTNERS_WITH"}
    assert frozenset(("深圳市第三人民医院", "北京大学第一医院")) in partners


def test_bench_ner_command_on_a_trained_backend(
    trained: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    name, model = trained  # the command's plumbing; quality on held sentences is checked above
    code = main(["bench-ner", "msra_ner", "--data", str(MSRA_VAL), "--limit", "60",
                 "--backend", name, "--model", str(model), "--json"])
    assert code == 0
    scores = json.loads(capsys.readouterr().out)
    assert set(scores) == {f"{name} alone", f"full pipeline ({name})"}
    for system in scores.values():
        assert system["ALL"]["gold"] > 100 and system["ALL"]["tp"] > 0
