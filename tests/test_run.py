"""The corpus runner (``healthnews_nlp.run``): parallel, streaming, resumable, with an error report.

Everything here runs the real LAC pipeline. Runs with ``jobs=2`` spawn two
worker processes, as ``healthnews-nlp graph --jobs 2`` does. Killing a run
from outside (SIGINT, SIGKILL) is in ``test_run_interrupt.py``.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import spacy.language
from run_support import DIE_MARK, FAIL_MARK, SEEDS, FaultySettings, make_corpus, mark, output_bytes
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from healthnews_nlp import load, read_article, read_extractions
from healthnews_nlp.cli import main
from healthnews_nlp.models import ArticleExtraction
from healthnews_nlp.run import (
    ERRORS,
    EXTRACTIONS,
    MEMOS,
    OUTPUT_NAMES,
    PIPELINE,
    ExtractionLog,
    ModelLoadError,
    RunError,
    Settings,
    plan,
    record_number,
    run_extract,
    run_graph,
)

SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and news items (69 files with ../shared beside the repository, 28 without)."""
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def one_job(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("jobs1")
    run_graph([corpus], out, jobs=1)
    return out


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# --- spaCy's own multiprocessing ---------------------------------------------------------------


def doc_result(doc: Doc) -> tuple[object, ...]:
    return (
        doc.text,
        [(t.text, t.tag_) for t in doc],
        [(e.start_char, e.end_char, e.label_) for e in doc.ents],
        doc._.entities,
        doc._.relations,
    )


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load()


def test_nlp_pipe_with_two_processes_equals_one(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spawned processes, as on macOS and Windows: the pipeline is pickled to them, Docs come back as bytes."""
    monkeypatch.setattr(spacy.language, "mp", multiprocessing.get_context("spawn"))
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    one = [doc_result(doc) for doc in nlp.pipe(texts)]
    two = [doc_result(doc) for doc in nlp.pipe(texts, n_process=2, batch_size=2)]
    assert two == one
    assert sum(len(result[4]) for result in one) > 20  # type: ignore[arg-type]  # relations came too


def test_docs_serialise_with_their_entities_and_relations(nlp: Language) -> None:
    """Doc.to_bytes/DocBin carry the user data: dates inside relations are stored as ISO strings."""
    doc = nlp.make_doc(read_article(SEEDS / SEED_NAMES[2]).text)
    doc._.article_date = "2022-09-23T10:00:00+08:00"  # what extract() sets: a string, serialisable
    doc = nlp(doc)
    assert doc._.relations and any(r.date for r in doc._.relations)
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert doc_result(restored) == doc_result(doc)
    bin_ = DocBin(store_user_data=True, docs=[doc])
    (again,) = DocBin().from_bytes(bin_.to_bytes()).get_docs(nlp.vocab)
    assert doc_result(again) == doc_result(doc)


# --- determinism -------------------------------------------------------------------------------


def test_two_jobs_write_byte_identical_files(corpus: Path, one_job: Path, tmp_path: Path) -> None:
    report = run_graph([corpus], tmp_path, jobs=2)
    assert report.run.extracted == len(lines(one_job / EXTRACTIONS)) and not report.failures
    assert output_bytes(tmp_path) == output_bytes(one_job)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUT_NAMES)  # and nothing else


def test_the_jsonl_is_in_canonical_order_one_line_per_article(corpus: Path, one_job: Path) -> None:
    records = list(read_extractions(one_job / EXTRACTIONS))
    keys = [(r.source, record_number(r)) for r in records]
    assert keys == sorted(set(keys))  # type: ignore[type-var]
    assert len(records) == sum(1 for p in corpus.rglob("*") if p.is_file())


def test_argument_order_does_not_change_the_output(
    corpus: Path, one_job: Path, tmp_path: Path
) -> None:
    parts = sorted(p for p in (corpus / "copy0").iterdir())
    run_graph(list(reversed(parts)), tmp_path, jobs=1)
    assert output_bytes(tmp_path) == output_bytes(one_job)


# --- resuming ----------------------------------------------------------------------------------


def test_a_cut_last_line_is_dropped_and_its_article_extracted_again(
    one_job: Path, corpus: Path, tmp_path: Path
) -> None:
    complete = (one_job / EXTRACTIONS).read_bytes()
    kept = complete.splitlines(keepends=True)[:7]
    cut = kept[-1][: len(kept[-1]) // 2]
    (tmp_path / EXTRACTIONS).write_bytes(b"".join(kept[:-1]) + cut)
    shutil.copy(one_job / PIPELINE, tmp_path)  # made by the same pipeline
    shutil.copy(one_job / MEMOS, tmp_path)  # with the memos of corpus memory
    report = run_graph([corpus], tmp_path, jobs=1)
    assert (report.run.resumed, report.run.dropped) == (6, 1)
    assert report.run.extracted == len(complete.splitlines()) - 6
    assert output_bytes(tmp_path) == output_bytes(one_job)


def test_a_rerun_of_a_finished_run_extracts_nothing_and_rewrites_the_same_files(
    one_job: Path, corpus: Path, tmp_path: Path
) -> None:
    shutil.copytree(one_job, tmp_path, dirs_exist_ok=True)
    stale = tmp_path / ".graph.graphml.x1y2z3.tmp"  # left by a run killed while exporting
    stale.write_bytes(b"<graphml")
    report = run_graph([corpus], tmp_path, jobs=2)
    assert report.run.extracted == 0 and report.run.resumed == len(lines(one_job / EXTRACTIONS))
    assert output_bytes(tmp_path) == output_bytes(one_job)  # the stale temporary file is gone too


def test_lines_out_of_order_repeated_or_broken_are_put_right(
    one_job: Path, corpus: Path, tmp_path: Path
) -> None:
    records = (one_job / EXTRACTIONS).read_bytes().splitlines(keepends=True)
    shuffled = [*reversed(records[10:20]), records[12], b"\n", b"{not json}\n", records[3]]
    (tmp_path / EXTRACTIONS).write_bytes(b"".join(shuffled))
    shutil.copy(one_job / PIPELINE, tmp_path)
    shutil.copy(one_job / MEMOS, tmp_path)
    report = run_graph([corpus], tmp_path, jobs=1)
    assert report.run.resumed == 11 and report.run.dropped == 1
    assert output_bytes(tmp_path) == output_bytes(one_job)


def test_fresh_starts_over(one_job: Path, corpus: Path, tmp_path: Path) -> None:
    shutil.copytree(one_job, tmp_path, dirs_exist_ok=True)
    report = run_extract([SEEDS], tmp_path / EXTRACTIONS, fresh=True)
    assert report.resumed == 0 and report.extracted == 5
    assert [r.article for r in read_extractions(tmp_path / EXTRACTIONS)] == SEED_NAMES


def test_extractions_of_another_pipeline_are_not_resumed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lexicons = tmp_path / "lexicons"
    lexicons.mkdir()
    (lexicons / "titles.txt").write_text("首席健康官\n", encoding="utf-8")
    output = tmp_path / "out" / EXTRACTIONS
    first = run_extract([SEEDS], output, settings=Settings(lexicon_dir=str(lexicons)))
    assert first.extracted == 5 and not first.restarted
    again = run_extract([SEEDS], output, settings=Settings(lexicon_dir=str(lexicons)))
    assert again.resumed == 5 and again.extracted == 0
    (lexicons / "titles.txt").write_text("首席健康官\n首席数据官\n", encoding="utf-8")
    changed = run_extract([SEEDS], output, settings=Settings(lexicon_dir=str(lexicons)))
    assert changed.restarted and changed.resumed == 0 and changed.extracted == 5
    (tmp_path / "out" / PIPELINE).unlink()  # nothing says which pipeline made them
    assert main(["extract", str(SEEDS), "-o", str(output)]) == 0
    assert f"note: {output} was made by another pipeline" in capsys.readouterr().err
    assert len(lines(output)) == 5


def test_a_second_run_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    with (
        ExtractionLog(tmp_path / EXTRACTIONS),
        pytest.raises(RunError, match="another run is writing there"),
    ):
        run_extract([SEEDS], tmp_path / EXTRACTIONS)


def test_the_log_keeps_one_line_per_article_and_sorts_at_the_end(tmp_path: Path) -> None:
    def line(source: str, article: str) -> str:
        return ArticleExtraction(
            article=article, article_id=article, source=source, title="t"
        ).model_dump_json()

    path = tmp_path / EXTRACTIONS
    with ExtractionLog(path) as log:
        assert log.append("/c/b.jsonl", 2, line("/c/b.jsonl", "b.jsonl:2"))
        assert log.append("/c/a:1.txt", 0, line("/c/a:1.txt", "a:1.txt"))
        assert not log.append("/c/b.jsonl", 2, line("/c/b.jsonl", "b.jsonl:2"))
        assert log.append("/c/b.jsonl", 10, line("/c/b.jsonl", "b.jsonl:10"))
        log.finish()
    records = list(read_extractions(path))
    assert [(r.source, record_number(r)) for r in records] == [
        ("/c/a:1.txt", 0),
        ("/c/b.jsonl", 2),
        ("/c/b.jsonl", 10),
    ]
    with ExtractionLog(path) as log:
        assert log.done("/c/b.jsonl") == {2, 10} and log.done("/c/a:1.txt") == {0} and len(log) == 3


# --- errors ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def faulty_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("faulty")
    for name in SEED_NAMES:
        shutil.copy(SEEDS / name, folder / name)
    mark(SEEDS / SEED_NAMES[1], folder / "010_fails.txt", FAIL_MARK)
    (folder / "011_binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe binary" * 50)
    return folder


def test_an_article_that_fails_is_recorded_and_the_rest_goes_on(
    faulty_corpus: Path, tmp_path: Path
) -> None:
    for jobs in (1, 2):
        report = run_graph(
            [faulty_corpus], tmp_path / str(jobs), jobs=jobs, settings=FaultySettings(batch_size=4)
        )
        assert len(report.failures) == 2
    errors = [json.loads(line) for line in lines(tmp_path / "1" / ERRORS)]
    assert errors == [
        {
            "file": str(faulty_corpus / "010_fails.txt"),
            "stage": "extract",
            "error_type": "ValueError",
            "message": "injected fault",
        },
        {
            "file": str(faulty_corpus / "011_binary.txt"),
            "stage": "decode",
            "error_type": "IngestError",
            "message": "binary content, not text (no character encoding fits)",
        },
    ]
    # the batch went on, and two processes wrote the same
    assert [r.article for r in read_extractions(tmp_path / "1" / EXTRACTIONS)] == SEED_NAMES
    assert output_bytes(tmp_path / "2") == output_bytes(tmp_path / "1")


def test_a_worker_that_dies_costs_its_task_only_and_the_rerun_completes(
    tmp_path: Path, one_job: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    mark(SEEDS / SEED_NAMES[0], corpus / "005_dies.txt", DIE_MARK)
    out = tmp_path / "out"
    report = run_extract([corpus], out / EXTRACTIONS, jobs=2, settings=FaultySettings(batch_size=2))
    # three tasks of two files; the last one, with the dying file, is lost, and only it
    assert {(f.file, f.error_type) for f in report.failures} == {
        (str(corpus / SEED_NAMES[4]), "WorkerDied"),
        (str(corpus / "005_dies.txt"), "WorkerDied"),
    }
    assert report.extracted == 4
    # the real pipeline: the marked file goes through
    rerun = run_extract([corpus], out / EXTRACTIONS, jobs=2)
    assert not rerun.failures and rerun.resumed == report.extracted and rerun.articles == 6
    keys = [(r.source, record_number(r)) for r in read_extractions(out / EXTRACTIONS)]
    assert keys == sorted({(str(p), 0) for p in corpus.iterdir()})


def test_a_script_without_a_main_guard_is_told_so_rather_than_failing_every_file(tmp_path: Path) -> None:
    """Spawned workers import the script again; without the guard they die before loading."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from healthnews_nlp.run import Settings, run_extract\n"
        f"run_extract([{str(SEEDS)!r}], {str(tmp_path / 'out' / EXTRACTIONS)!r}, jobs=2, settings=Settings(batch_size=2))\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "healthnews_nlp.run.ModelLoadError: a worker process ended before its pipeline loaded"
    )
    assert 'if __name__ == "__main__":' in last
    assert not (tmp_path / "out" / ERRORS).exists() or not lines(tmp_path / "out" / ERRORS)


def test_the_graph_command_reports_failures_in_one_line_and_exits_1(
    faulty_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", str(faulty_corpus), "-o", str(tmp_path), "--jobs", "2"]) == 1
    out, err = capsys.readouterr()
    assert "6 article(s) -> " in out and f"; 1 failed, listed in {tmp_path / ERRORS}" in out
    assert "011_binary.txt: binary content, not text" in err
    assert len(lines(tmp_path / ERRORS)) == 1


def test_a_clean_run_writes_an_empty_error_file_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ERRORS).write_text("old\n", encoding="utf-8")
    assert main(["extract", str(SEEDS), "-o", str(tmp_path / "x.jsonl")]) == 0
    assert (tmp_path / ERRORS).read_bytes() == b""
    assert "5 article(s) extracted" in capsys.readouterr().out
    assert main(["extract", str(SEEDS), "-o", str(tmp_path / "x.jsonl")]) == 0
    assert "5 article(s) extracted to" in capsys.readouterr().out  # resumed: nothing to do


def test_a_failed_export_is_recorded_and_the_other_formats_written(tmp_path: Path) -> None:
    (tmp_path / "graph.gexf").mkdir()  # a folder where the GEXF file goes: it cannot be replaced
    report = run_graph([SEEDS], tmp_path)
    (failure,) = report.failures
    assert failure.stage == "export" and failure.file == str(tmp_path / "graph.gexf")
    assert all(
        (tmp_path / name).is_file()
        for name in ("graph.graphml", "graph.json", "nodes.csv", "summary.json")
    )
    assert json.loads(lines(tmp_path / ERRORS)[0])["stage"] == "export"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_model_that_does_not_load_stops_the_run_with_its_reason(
    tmp_path: Path, jobs: int
) -> None:
    settings = Settings(backend_options={"model_dir": str(tmp_path / "no-model")})
    with pytest.raises(
        ModelLoadError,
        match="the pipeline does not load: ModelNotAvailableError: LAC model files missing",
    ):
        run_extract([SEEDS], tmp_path / "x.jsonl", jobs=jobs, settings=settings)
    command = [
        "graph",
        str(SEEDS),
        "-o",
        str(tmp_path / "out"),
        "--model",
        str(tmp_path / "no-model"),
    ]
    assert main([*command, "-j", str(jobs)]) == 3  # the model's exit code, not a usage error's (2)


# --- untrusted input cannot choose where files go ----------------------------------------------


def test_record_fields_never_become_output_paths(tmp_path: Path) -> None:
    hostile = ["../../escape", "/tmp/abs", "..", "../" * 8 + "etc/x", "a/../../b", "\x00", "CON"]
    records = [
        {
            "id": value,
            "url": value,
            "source": value,
            "article": value,
            "title": f"标题{i}",
            "text": "深圳市第三人民医院与腾讯达成战略合作。",
        }
        for i, value in enumerate(hostile)
    ]
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "collection.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    out = tmp_path / "deep" / "out"
    before = {p for p in tmp_path.rglob("*")}
    run_graph([inputs], out)
    created = {p for p in tmp_path.rglob("*")} - before
    assert created == {tmp_path / "deep", out, *(out / name for name in OUTPUT_NAMES)}
    assert len(lines(out / EXTRACTIONS)) == len(hostile)


def test_the_progress_bar_goes_to_stderr_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", str(SEEDS), "-o", str(tmp_path / "a.jsonl"), "--progress"]) == 0
    out, err = capsys.readouterr()
    assert "extracting" in err and "5/5" in err and "extracting" not in out
    # stderr is no terminal here: no bar by default
    assert main(["extract", str(SEEDS), "-o", str(tmp_path / "b.jsonl")]) == 0
    assert "extracting" not in capsys.readouterr().err


# --- a large collection is split between the workers --------------------------------------------


def test_a_large_collection_is_split_by_record_and_resumed_by_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [read_article(p).text for p in sorted(SEEDS.glob("*.txt"))]
    collection = tmp_path / "in" / "news.jsonl"
    collection.parent.mkdir()
    records = [{"id": f"n{i}", "title": f"第{i}篇", "text": texts[i % 5]} for i in range(12)]
    collection.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    monkeypatch.setattr("healthnews_nlp.run.SHARD_BYTES", 1000)
    with ExtractionLog(tmp_path / "plan" / EXTRACTIONS) as log:
        assert [(t.shard, t.shards) for t in plan([collection], log, jobs=2)] == [(0, 2), (1, 2)]

    one = run_extract([collection], tmp_path / "one" / EXTRACTIONS, jobs=1)
    two = run_extract([collection], tmp_path / "two" / EXTRACTIONS, jobs=2)
    assert one.extracted == two.extracted == 12
    expected = (tmp_path / "one" / EXTRACTIONS).read_bytes()
    assert (tmp_path / "two" / EXTRACTIONS).read_bytes() == expected
    assert [r.article for r in read_extractions(tmp_path / "two" / EXTRACTIONS)] == [
        f"news.jsonl:{i}" for i in range(1, 13)
    ]

    kept = b"".join(expected.splitlines(keepends=True)[3:8])  # records 4 to 8 done
    (tmp_path / "two" / EXTRACTIONS).write_bytes(kept)
    again = run_extract([collection], tmp_path / "two" / EXTRACTIONS, jobs=2)
    assert (again.resumed, again.extracted) == (5, 7)
    assert (tmp_path / "two" / EXTRACTIONS).read_bytes() == expected
