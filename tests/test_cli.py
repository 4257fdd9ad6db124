"""The ``extract`` and ``evaluate`` commands on the real seeds, with the real LAC model.

``extract`` runs once per module (in process, through ``cli.main``); its output
is checked against the gold format, scored with ``evaluate`` and compared with
the independent reference scorer ``shared/tools/score.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from healthnews_nlp.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
GOLD_DIR = SHARED / "gold"
SCORE_PY = SHARED / "tools" / "score.py"
needs_shared = pytest.mark.skipif(
    not (GOLD_DIR.is_dir() and SCORE_PY.is_file()), reason="shared/ is not beside the repository"
)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """``healthnews-nlp extract seeds -o out.jsonl``: the output file and the exit code."""
    output = tmp_path_factory.mktemp("extract") / "out.jsonl"
    code = main(["extract", str(SEEDS), "-o", str(output)])
    return output, code


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_extract_writes_one_gold_format_line_per_article(extracted: tuple[Path, int]) -> None:
    output, code = extracted
    assert code == 0
    records = read_jsonl(output)
    assert [r["article"] for r in records] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for record in records:
        assert {"article", "entities", "relations"} <= set(record)
        entities = record["entities"]
        assert isinstance(entities, list) and entities
        for entity in entities:
            assert {"name", "type", "aliases"} <= set(entity)
            assert entity["type"] in {"ORG", "PERSON", "LOC", "EVENT"}
            assert isinstance(entity["name"], str) and entity["name"]
            assert isinstance(entity["aliases"], list)
        assert isinstance(record["relations"], list)
    by_article = {r["article"]: r for r in records}
    seed_002 = next(name for name in by_article if name.startswith("002_"))
    center = next(
        e for e in by_article[seed_002]["entities"] if e["name"] == "深圳国家感染性疾病临床医学研究中心"  # type: ignore[index]
    )
    assert center["type"] == "ORG" and "国研中心" in center["aliases"]


def test_extract_reports_progress(extracted: tuple[Path, int], capsys: pytest.CaptureFixture[str]) -> None:
    output, _ = extracted
    code = main(["extract", str(SEEDS / "002_e6ba134a9c8dccee.txt"), "-o", str(output.with_name("one.jsonl"))])
    assert code == 0
    assert "1 article(s) extracted" in capsys.readouterr().out
    assert len(read_jsonl(output.with_name("one.jsonl"))) == 1


@needs_shared
def test_evaluate_json_equals_the_reference_scorer(
    extracted: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    output, _ = extracted
    assert main(["evaluate", "--gold", str(GOLD_DIR), str(output), "--json"]) == 0
    ours = json.loads(capsys.readouterr().out)
    reference = subprocess.run(
        [sys.executable, str(SCORE_PY), str(GOLD_DIR), str(output), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ours == json.loads(reference.stdout)
    entities = ours["entities"]
    assert set(entities) == {"ORG", "PERSON", "LOC", "EVENT", "ALL"}
    assert entities["ALL"]["f"] >= 0.85


@needs_shared
def test_evaluate_table_equals_the_reference_scorer(extracted: tuple[Path, int]) -> None:
    """The plain report too, and through the module's command line in a new process."""
    output, _ = extracted
    ours = subprocess.run(
        [sys.executable, "-m", "healthnews_nlp.cli", "evaluate", "--gold", str(GOLD_DIR), str(output)],
        capture_output=True,
        text=True,
        check=True,
    )
    reference = subprocess.run(
        [sys.executable, str(SCORE_PY), str(GOLD_DIR), str(output)], capture_output=True, text=True, check=True
    )
    assert ours.stdout == reference.stdout
    assert "entity_F1=" in ours.stdout and "  ORG              P=" in ours.stdout


def test_bad_file_in_a_batch_is_reported_and_the_others_extracted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("002_e6ba134a9c8dccee.txt", "004_e89723648aba67ca.txt"):
        shutil.copy(SEEDS / name, batch / name)
    (batch / "003_broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe binary" * 50)
    output = tmp_path / "out.jsonl"
    code = main(["extract", str(batch), "-o", str(output)])
    captured = capsys.readouterr()
    assert code == 1
    assert "003_broken.txt" in captured.err and "error" in captured.err
    assert "2 article(s) extracted" in captured.out and "1 failed" in captured.out
    records = read_jsonl(output)
    assert [r["article"] for r in records] == ["002_e6ba134a9c8dccee.txt", "004_e89723648aba67ca.txt"]
    assert all(r["entities"] for r in records)


def test_missing_path_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out.jsonl"
    code = main(["extract", str(SEEDS / "002_e6ba134a9c8dccee.txt"), str(tmp_path / "nope.txt"), "-o", str(output)])
    assert code == 1
    assert "nope.txt" in capsys.readouterr().err
    assert len(read_jsonl(output)) == 1
