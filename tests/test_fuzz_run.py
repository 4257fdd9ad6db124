"""Fuzz and fault suite, the corpus runner: every input counted, every output fault reported.

- Hostile input folders (a FIFO, a link to nothing, a link loop, a link to a
  folder above, names that are not UTF-8 and names that print the same, the
  same folder under two spellings): every input file or record ends as an
  article or an error record, each article once (inputs = articles + failures).
- A run's graph is the graph of its inputs: a second run into the same folder
  with other inputs does not merge the first one's articles; an input that
  changed is extracted again; an output folder inside an input folder is not
  read back as input; ``ingest`` cannot replace the JSONL of a run in progress.
- Output faults (a file where the folder goes, a folder where a file goes, a
  read-only folder, a file size limit, a full disk while sorting the JSONL):
  a message naming the path and the reason, exit code 2, ``errors.jsonl``
  where it can still be written; never a traceback.
- Error records are made from any exception, whatever its attributes.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from fuzz_support import count
from run_support import SEEDS

from healthnews_nlp.cli import main
from healthnews_nlp.distributed import task_error
from healthnews_nlp.errors import IngestError
from healthnews_nlp.export import ExportError
from healthnews_nlp.graph import KnowledgeGraph
from healthnews_nlp.models import read_extractions
from healthnews_nlp.run import (
    ERRORS,
    EXTRACTIONS,
    MEMOS,
    PIPELINE,
    ExtractionLog,
    Failure,
    InputFile,
    OutputError,
    RunInterrupted,
    Task,
    run_extract,
    run_graph,
    run_task,
)

pytestmark = pytest.mark.fuzz

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def errors_of(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in lines(path)]


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the seeds and a finished graph run over it (the only model load most tests need)."""
    corpus = tmp_path_factory.mktemp("corpus")
    for path in SEED_FILES:
        shutil.copy2(path, corpus / path.name)
    out = tmp_path_factory.mktemp("finished")
    run_graph([corpus], out, jobs=1)
    return corpus, out


def resumable(finished: tuple[Path, Path], target: Path) -> Path:
    """A folder holding the finished run's JSONL, memos and fingerprint: a run into it extracts nothing."""
    target.mkdir(parents=True, exist_ok=True)
    for name in (EXTRACTIONS, MEMOS, PIPELINE):
        shutil.copy2(finished[1] / name, target / name)
    return target


# --- inputs: counted, each once ----------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="FIFOs and byte file names: Linux")
def test_every_input_of_a_hostile_folder_ends_as_an_article_or_an_error_record(tmp_path: Path) -> None:
    count("fixed")
    folder = tmp_path / "in"
    folder.mkdir()
    for path in SEED_FILES[:3]:
        shutil.copy(path, folder / path.name)
    os.mkfifo(folder / "pipe.txt")
    (folder / "gone.txt").symlink_to(folder / "nowhere.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "up").symlink_to(folder)  # a link to the folder itself: its files once, not forever
    undecodable = os.fsencode(folder) + b"/\xd6\xd0.txt"  # a GBK name on a UTF-8 system
    with open(undecodable, "wb") as handle:
        handle.write(SEED_FILES[3].read_bytes())
    (folder / "\\xd6\\xd0.txt").write_bytes(SEED_FILES[4].read_bytes())  # the same name, printed
    records = [{"title": "一", "text": "北京协和医院与腾讯达成战略合作。"}, {"title": "二"}, {"title": "三", "text": "上海市第一人民医院。"}]
    (folder / "news.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                       encoding="utf-8")
    inputs = 3 + 3 + 2 + 3  # seeds; pipe, link to nothing, loop; the two names; three records
    out = tmp_path / "out"
    report = run_graph([folder, tmp_path / "in" / ".." / "in"], out, jobs=1)  # the folder twice
    articles = list(read_extractions(out / EXTRACTIONS))
    failures = errors_of(out / ERRORS)
    assert len(articles) + len(failures) == inputs, (articles, failures)
    assert len({(a.source, a.article) for a in articles}) == len(articles) == 6  # each once
    reasons = {Path(f["file"]).name: f["message"] for f in failures}
    assert reasons["pipe.txt"] == "not a regular file: a named pipe (FIFO)"
    assert reasons["gone.txt"] == "a link to nothing (its target is gone)"
    assert reasons["loop.txt"] == "a link loop"
    assert "prints the same" in reasons["\\xd6\\xd0.txt"]
    assert reasons["news.jsonl:2"] == "record has no 'text' or 'html'"
    assert len(report.failures) == len(failures)


def test_a_second_run_with_other_inputs_is_the_graph_of_those_inputs(
    finished: tuple[Path, Path], tmp_path: Path
) -> None:
    """The issue: "6 article(s) (5 from an earlier run)". An earlier run's other articles are not merged."""
    count("fixed")
    corpus, _ = finished
    out = resumable(finished, tmp_path / "out")
    two = [corpus / SEED_FILES[0].name, corpus / SEED_FILES[1].name]
    report = run_graph(two, out, jobs=1)
    assert (report.run.articles, report.run.resumed, report.run.extracted) == (2, 2, 0)
    assert [a.source for a in read_extractions(out / EXTRACTIONS)] == [str(p) for p in two]
    assert report.graph.articles == {a.article_id for a in read_extractions(out / EXTRACTIONS)}
    assert len(report.graph.articles) == 2


def test_an_input_that_changed_is_extracted_again(finished: tuple[Path, Path], tmp_path: Path) -> None:
    """Resuming reuses an extraction only while its file has the size and modification time it had."""
    count("fixed")
    corpus = tmp_path / "corpus"
    shutil.copytree(finished[0], corpus)  # copy2: the same sizes and times
    out = resumable(finished, tmp_path / "out")
    fingerprint = json.loads((out / PIPELINE).read_text(encoding="utf-8"))
    fingerprint["inputs"] = {str(corpus / k[len(str(finished[0])) + 1 :]): v for k, v in fingerprint["inputs"].items()}
    (out / PIPELINE).write_text(json.dumps(fingerprint), encoding="utf-8")
    for name in (EXTRACTIONS, MEMOS):
        (out / name).write_text(
            (out / name).read_text(encoding="utf-8").replace(str(finished[0]), str(corpus)), encoding="utf-8"
        )
    changed = corpus / SEED_FILES[2].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新华医院与复旦大学签署合作协议。\n", encoding="utf-8")
    report = run_extract([corpus], out / EXTRACTIONS, jobs=1)
    assert (report.resumed, report.extracted) == (4, 1)
    (record,) = [r for r in read_extractions(out / EXTRACTIONS) if r.source == str(changed)]
    assert "新华医院" in {e.name for e in record.entities}


def test_an_output_folder_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    """``graph inout -o inout/out`` twice: the same articles, not the first run's output files as more."""
    count("fixed")
    inout = tmp_path / "inout"
    inout.mkdir()
    for path in SEED_FILES[:2]:
        shutil.copy(path, inout / path.name)
    first = run_graph([inout], inout / "out", jobs=1)
    again = run_graph([inout], inout / "out", jobs=1)
    assert first.run.articles == again.run.articles == 2
    assert not first.failures and not again.failures
    assert again.run.resumed == 2


def test_ingest_cannot_replace_the_jsonl_of_a_run_in_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run holds its folder's lock while it writes; ``ingest -o OUT/extractions.jsonl`` is refused."""
    count("fixed")
    out = tmp_path / "out"
    with ExtractionLog(out / EXTRACTIONS) as log:
        log.append("a.txt", 0, '{"article": "a.txt"}')
        assert main(["ingest", str(SEED_FILES[0]), "-o", str(out / EXTRACTIONS)]) == 2
        assert (out / EXTRACTIONS).read_text(encoding="utf-8") == '{"article": "a.txt"}\n'
    assert "another run is writing there" in capsys.readouterr().err
    assert main(["ingest", str(SEED_FILES[0]), "-o", str(out / "articles.jsonl")]) == 0  # the run is over


# --- output faults -----------------------------------------------------------------------------


def _refused(capsys: pytest.CaptureFixture[str], command: list[str], *named: str, code: int = 4) -> str:
    """Run ``command``: exit ``code`` (4: the output cannot be written; 2: a usage error), one
    message naming ``named``, no traceback; the message."""
    assert main(command) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err and all(name in err for name in named), err
    return err


def test_output_where_a_file_or_folder_is_in_the_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    count("fixed")
    a_file = tmp_path / "page.html"
    a_file.write_text("<p>x</p>", encoding="utf-8")
    seeds = str(SEEDS)
    with pytest.raises(OutputError, match="is a file, not a folder"):
        run_graph([SEEDS], a_file)
    with pytest.raises(OutputError, match="is a file, not a folder"):
        run_graph([SEEDS], a_file / "sub")
    with pytest.raises(OutputError, match="is a folder: the extractions go in a file"):
        run_extract([SEEDS], tmp_path)
    _refused(capsys, ["graph", seeds, "-o", str(a_file)], str(a_file), code=2)
    _refused(capsys, ["graph", seeds, "-o", str(a_file / "sub")], str(a_file), code=2)
    _refused(capsys, ["extract", seeds, "-o", str(tmp_path)], str(tmp_path), code=2)
    assert a_file.read_text(encoding="utf-8") == "<p>x</p>"


def test_error_and_fingerprint_files_that_are_folders(
    finished: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    count("fixed")
    out = resumable(finished, tmp_path / "errors")
    (out / ERRORS).mkdir()
    with pytest.raises(OutputError, match=f"{ERRORS}: cannot write: Is a directory"):
        run_graph([finished[0]], out, jobs=1)
    assert (out / "graph.graphml").is_file()  # the exports were written before
    _refused(capsys, ["graph", str(finished[0]), "-o", str(out)], str(out / ERRORS), "Is a directory")
    out = resumable(finished, tmp_path / "fingerprint")
    (out / PIPELINE).unlink()
    (out / PIPELINE).mkdir()
    _refused(capsys, ["graph", str(finished[0]), "-o", str(out)], str(out / PIPELINE), "Is a directory")


def test_a_folder_that_cannot_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Read-only, as the system says it (a test run as root is not refused by a mode: the error is made)."""
    count("fixed")
    out = tmp_path / "out"
    out.mkdir()

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("healthnews_nlp.atomic.tempfile.mkstemp", refused)
    _refused(capsys, ["graph", str(SEEDS), "-o", str(out)], str(out / PIPELINE), "Permission denied")
    monkeypatch.undo()
    if os.geteuid() != 0:  # the real thing, where the mode counts
        out.chmod(0o555)
        try:
            _refused(capsys, ["graph", str(SEEDS), "-o", str(out)], str(out), "Permission denied")
        finally:
            out.chmod(0o755)


def test_a_file_size_limit_while_appending_the_jsonl(tmp_path: Path) -> None:
    """RLIMIT_FSIZE hit: the append fails with EFBIG (Python ignores SIGXFSZ); the run says so."""
    count("fixed")
    out = tmp_path / "out"
    limit = 30_000  # the seeds' JSONL is larger; errors.jsonl and the fingerprint are not

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        # without corpus memory: its memos, written before each line, would reach the limit first
        [sys.executable, "-m", "healthnews_nlp.cli", "graph", str(SEEDS), "-o", str(out), "--jobs", "1",
         "--no-memory"],
        capture_output=True, text=True, timeout=300, preexec_fn=limited, check=False,
    )
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{out / EXTRACTIONS}: cannot write: File too large" in done.stderr
    *_, last = errors_of(out / ERRORS)
    assert last == {"file": str(out / EXTRACTIONS), "stage": "run", "error_type": "OutputError",
                    "message": "cannot write: File too large"}


def test_a_full_disk_while_the_jsonl_is_put_in_order(
    finished: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Sorting the JSONL writes a second copy; no room for it: the JSONL stays whole, the run says why."""
    count("fixed")
    def full(self: ExtractionLog) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    path = tmp_path / "log" / EXTRACTIONS
    with ExtractionLog(path) as log:
        for source in ("b.txt", "a.txt"):  # out of order: finish() sorts
            log.append(source, 0, json.dumps({"source": source}))
        monkeypatch.setattr(ExtractionLog, "_rewrite", full)
        with pytest.raises(OutputError, match="cannot put the extractions in order.*No space left on device"):
            log.finish()
    assert len(lines(path)) == 2
    out = resumable(finished, tmp_path / "out")
    jsonl = (out / EXTRACTIONS).read_bytes().splitlines(keepends=True)
    (out / EXTRACTIONS).write_bytes(b"".join(reversed(jsonl)))  # put in order when the run starts
    _refused(capsys, ["graph", str(finished[0]), "-o", str(out)], str(out / EXTRACTIONS), "No space left")
    assert sorted((out / EXTRACTIONS).read_bytes().splitlines(keepends=True)) == sorted(jsonl)
    assert errors_of(out / ERRORS)[-1]["error_type"] == "OutputError"


# --- error records from any exception ----------------------------------------------------------


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("cannot print")


def test_an_error_record_is_made_from_any_exception() -> None:
    from distributed.scheduler import KilledWorker

    count("fixed")
    hostile: list[BaseException] = [
        OSError(),
        OSError(None, None),
        PermissionError(errno.EACCES, None),
        Exception(),
        ValueError(""),
        ModuleNotFoundError("No module named 'lxml'", name="lxml", path=None),
        ModuleNotFoundError(),
        _Unprintable(),
        KilledWorker("task-1", "not a worker state", 3),  # its __str__ fails
        KilledWorker("task-1", SimpleNamespace(address="tcp://127.0.0.1:1"), 3),
        ExportError("out/graph.gexf", "cannot write: disk full"),
        IngestError("a.txt", "empty file"),
        RunInterrupted(15),
        KeyboardInterrupt(),
    ]
    for error in hostile:
        failure = Failure.of("a.txt", "export", error)
        assert failure.error_type == type(error).__name__
        assert failure.message.strip(), error
        failure.model_dump_json().encode("utf-8")
    assert Failure.of("f", "extract", ExportError("x", "disk full")).message == "disk full"


def test_dask_failures_keep_their_own_type() -> None:
    """``as_completed(raise_errors=False)`` gives ``(type, exception, traceback)``: KilledWorker, not RuntimeError."""
    from distributed.scheduler import KilledWorker

    count("fixed")
    killed = KilledWorker("task-1", SimpleNamespace(address="tcp://127.0.0.1:1"), 3)
    assert task_error((KilledWorker, killed, None)) is killed
    assert Failure.of("a.txt", "extract", task_error((KilledWorker, killed, None))).error_type == "KilledWorker"
    assert isinstance(task_error("nonsense"), RuntimeError)


def test_an_export_that_fails_to_import_is_recorded_and_the_run_completes(
    finished: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ModuleNotFoundError has ``path = None``: the record names the file instead of failing the run."""
    count("fixed")
    write = KnowledgeGraph.write

    def without_lxml(self: KnowledgeGraph, target: Path, *, formats: list[str] | None = None,
                     name: str = "graph") -> list[Path]:
        if formats == ["gexf"]:
            raise ModuleNotFoundError("No module named 'lxml'", name="lxml", path=None)
        return write(self, target, formats=formats, name=name)

    monkeypatch.setattr(KnowledgeGraph, "write", without_lxml)
    out = resumable(finished, tmp_path / "out")
    report = run_graph([finished[0]], out, jobs=1)
    assert errors_of(out / ERRORS) == [{
        "file": str(out / "graph.gexf"), "stage": "export", "error_type": "ModuleNotFoundError",
        "message": "No module named 'lxml'",
    }]
    assert len(report.failures) == 1
    for name in ("graph.graphml", "graph.json", "nodes.csv", "edges.csv", "summary.json"):
        assert (out / name).is_file(), name


def test_a_reader_that_fails_without_words_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader's own bug (here an OSError with no errno, no message) fails its file, with a reason."""
    count("fixed")

    def broken(path: Path, **options: object) -> None:
        raise OSError()

    monkeypatch.setattr("healthnews_nlp.run.read_file", broken)
    task = Task((InputFile(tmp_path / "a.txt", "a.txt"),))
    (failure,) = [f for batch in run_task(task, nlp=None) for f in batch.failures]  # type: ignore[arg-type]
    assert (failure.file, failure.stage, failure.error_type, failure.message) == ("a.txt", "read", "OSError", "OSError")


# --- graphs read back ----------------------------------------------------------------------------


def _label_graph(path: Path, characters: int) -> Path:
    kg = KnowledgeGraph()
    kg.graph.add_node("x", label="医" * characters, type="ORG", aliases=set(), articles=set(), dates=set(), mentions=1)
    kg.write(path)
    return path


def _cpu_seconds_to_read(path: Path) -> float:
    """The least CPU time of three reads: the first allocates what the later ones reuse."""
    times = []
    for _ in range(3):
        started = time.process_time()
        assert KnowledgeGraph.read(path).graph.number_of_nodes() == 1
        times.append(time.process_time() - started)
    return min(times)


def test_a_gexf_with_a_huge_attribute_is_read_in_linear_time(tmp_path: Path) -> None:
    """ElementTree fed expat 64 KB at a time, and expat scanned a token across chunks anew each time:
    12/25/50/100 MB labels took 1.5/5.3/21.5/85.7 s. A label four times longer must take less than
    eight times the time (linear is four: measured 4.5; it took 16)."""
    count("fixed")
    small = _label_graph(tmp_path / "small.gexf", 3_000_000)
    large = _label_graph(tmp_path / "large.gexf", 12_000_000)
    ratio = _cpu_seconds_to_read(large) / _cpu_seconds_to_read(small)
    assert ratio < 8, f"4x the attribute took {ratio:.1f}x the time"


def test_reading_a_json_array_is_an_export_error(tmp_path: Path) -> None:
    count("fixed")
    path = tmp_path / "graph.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ExportError, match="not a graph this library wrote"):
        KnowledgeGraph.read(path)


def test_a_run_writes_nothing_outside_its_output_folder(tmp_path: Path) -> None:
    """ONNX Runtime's telemetry kept a device id in ~/.cache/Microsoft and a session file in $TMPDIR."""
    count("fixed")
    home, temporary, out = tmp_path / "home", tmp_path / "tmp", tmp_path / "out"
    home.mkdir()
    temporary.mkdir()
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(temporary)}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    env.pop("XDG_CACHE_HOME", None)
    done = subprocess.run(
        [sys.executable, "-m", "healthnews_nlp.cli", "extract", str(SEED_FILES[0]), "-o", str(out / EXTRACTIONS),
         "--jobs", "1"],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [p.relative_to(tmp_path) for p in sorted(home.rglob("*")) + sorted(temporary.rglob("*"))] == []
