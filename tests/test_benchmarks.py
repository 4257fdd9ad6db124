"""bench-ner and bench-partners: the readers, the scoring, and the commands on slices of the real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from healthnews_nlp.benchmarks import (
    DATASETS,
    Sentence,
    SpanScores,
    read_char_columns,
    read_cluener,
    read_dataset,
    read_finre,
    spans_from_tags,
)
from healthnews_nlp.cli import main

BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
needs_benchmarks = pytest.mark.skipif(not BENCHMARKS.is_dir(), reason="shared/benchmarks is not beside the repository")
TYPES = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}


def test_bio_spans() -> None:
    tags = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG", "I-ORG", "B-MISC", "I-LOC"]
    assert spans_from_tags(tags, TYPES) == {(0, 2, "PERSON"), (3, 4, "LOC"), (4, 5, "LOC"), (5, 7, "ORG"), (8, 9, "LOC")}


def test_bmes_spans() -> None:
    tags = ["B-NAME", "M-NAME", "E-NAME", "S-ORG", "O", "B-ORG", "E-ORG", "B-TITLE", "E-TITLE"]
    types = {"NAME": "PERSON", "ORG": "ORG"}
    assert spans_from_tags(tags, types) == {(0, 3, "PERSON"), (3, 4, "ORG"), (5, 7, "ORG")}


def test_char_columns_and_weibo_digits(tmp_path: Path) -> None:
    path = tmp_path / "weibo.conll"
    path.write_text("李0\tB-PER.NAM\n开1\tI-PER.NAM\n说0\tO\n\n北0\tB-GPE.NAM\n京1\tI-GPE.NAM\n", encoding="utf-8")
    sentences = read_char_columns(path, {"PER.NAM": "PERSON", "GPE.NAM": "LOC"}, strip_digit=True)
    assert sentences == [Sentence("李开说", frozenset({(0, 2, "PERSON")})), Sentence("北京", frozenset({(0, 2, "LOC")}))]
    path.write_text("李\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"weibo.conll:1: expected a character and a tag"):
        read_char_columns(path, TYPES)


def test_cluener_offsets_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "dev.json"
    record = {"text": "彭小军认为台湾", "label": {"name": {"彭小军": [[0, 2]]}, "address": {"台湾": [[5, 6]]}, "book": {"认为": [[3, 4]]}}}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    types = DATASETS["cluener2020"].types
    assert read_cluener(path, types) == [Sentence("彭小军认为台湾", frozenset({(0, 3, "PERSON"), (5, 7, "LOC")}))]
    record["label"] = {"name": {"彭小军": [[1, 3]]}}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"dev.json:1: '彭小军' is not at 1-3"):
        read_cluener(path, types)


def test_span_scores() -> None:
    scores = SpanScores()
    scores.add(gold={(0, 2, "PERSON"), (3, 5, "LOC"), (6, 8, "ORG")}, predicted={(0, 2, "PERSON"), (3, 4, "LOC"), (9, 10, "TIME")})
    result = scores.to_dict()
    assert result["PERSON"] == {"p": 1.0, "r": 1.0, "f1": 1.0, "tp": 1, "predicted": 1, "gold": 1}
    assert result["LOC"]["tp"] == 0 and result["ORG"]["r"] == 0.0
    assert result["ALL"] == {"p": 0.5, "r": 0.3333, "f1": 0.4, "tp": 1, "predicted": 2, "gold": 3}


def test_finre_lines_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "finre.txt"
    path.write_text("腾讯\t京东\t合作\t腾讯与京东合作。\n\n腾讯\t百度\tunknown\t腾讯发布财报。\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"finre.txt:3: '腾讯' or '百度' is not in the sentence"):
        read_finre(path)


@needs_benchmarks
@pytest.mark.parametrize(
    ("name", "sentences", "gold"),
    [
        ("msra_ner", 3442, {"LOC": 2886, "ORG": 1331, "PERSON": 1973}),
        ("cluener2020", 1343, None),
        ("peoples_daily_ner", 4636, {"LOC": 3658, "ORG": 2185, "PERSON": 1864}),
        # SOURCE.md counts B- tags (111 PER.NAM); two more names open with I-, read as conlleval does
        ("weibo_ner", 270, {"PERSON": 113, "ORG": 39, "LOC": 19 + 47}),
        ("resume_ner", 477, {"PERSON": 112, "ORG": 553, "LOC": 6 + 28}),
    ],
)
def test_readers_give_the_published_counts(name: str, sentences: int, gold: dict[str, int] | None) -> None:
    data = read_dataset(name, root=BENCHMARKS)
    assert len(data) == sentences  # as each folder's SOURCE.md gives them
    if gold is not None:
        counts = {label: sum(1 for s in data for span in s.gold if span[2] == label) for label in gold}
        assert counts == gold


@needs_benchmarks
def test_bench_ner_command_on_a_slice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench-ner", "msra_ner", "--root", str(BENCHMARKS), "--limit", "40", "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    gold = sum(len(s.gold) for s in read_dataset("msra_ner", root=BENCHMARKS)[:40])
    assert set(scores) == {"lac alone", "full pipeline (lac)"}
    for system in scores.values():
        assert system["ALL"]["gold"] == gold and 0 < system["ALL"]["tp"] <= system["ALL"]["predicted"]
    assert main(["bench-ner", "weibo_ner", "--root", str(BENCHMARKS), "--limit", "20", "--system", "pipeline"]) == 0
    table = capsys.readouterr().out
    assert "| weibo_ner | full pipeline (lac) | ALL |" in table and "lac alone" not in table


@needs_benchmarks
def test_bench_partners_command_on_a_slice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench-partners", "--root", str(BENCHMARKS), "--limit", "120", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    instances = read_finre(BENCHMARKS / "finre" / "test.txt")[:120]
    assert result["instances"] == 120
    assert result["合作"]["gold"] == sum(i.relation == "合作" for i in instances)
    assert result["合作"]["tp"] >= 1  # the first 合作 pairs state it: 达成合作, 加强…合作
    assert sum(result["predicted_by_gold_class"].values()) == result["合作"]["predicted"]
