"""Error handlers tested like the happy path: fed exceptions with missing or None attributes.

Every place that turns an exception into an error record or message (the
readers' ``IngestFailure``, the runner's ``Failure``, ``ExportError``,
``EvaluationInputError``, the command line's usage errors, ``MissingExtraError``)
gets errors made the way third-party code makes them: an ``OSError()`` with
``errno``, ``strerror`` and ``filename`` all ``None``, an exception that prints
as an empty string, a ``yaml.YAMLError`` without a problem or a mark, an
``ImportError`` without a module name. The handler must neither crash nor write
an empty reason. (``export_graph``'s handler in ``run.py`` is tested on the
branch that fixes it, issue 14.)
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

import healthnews_nlp.export
import healthnews_nlp.ingest.readers
import healthnews_nlp.run
from healthnews_nlp import Article, IngestFailure, MissingExtraError, build_graph, read_articles
from healthnews_nlp.cli import UsageError, _benchmark_data
from healthnews_nlp.errors import describe, requires_extra
from healthnews_nlp.evaluate import EvaluationInputError, load_predictions
from healthnews_nlp.export import ExportError, read_graph, write_graphml
from healthnews_nlp.run import Failure, InputFile, Task, run_task

SEED = Path(__file__).resolve().parents[1] / "seeds" / "002_e6ba134a9c8dccee.txt"


class Silent(Exception):
    """An exception that prints as nothing."""

    def __str__(self) -> str:
        return ""


def bare_os_error() -> OSError:
    error = OSError()
    assert (error.errno, error.strerror, error.filename) == (None, None, None)
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (bare_os_error(), "OSError"),
        (OSError(13, "Permission denied", "x.txt"), "Permission denied"),
        (Silent(), "Silent"),
        (ValueError("  "), "ValueError"),
        (KeyError("k"), "'k'"),
        (yaml.YAMLError(), "YAMLError"),
    ],
)
def test_describe_is_never_empty(error: BaseException, expected: str) -> None:
    assert describe(error) == expected


def raising(error: BaseException):  # type: ignore[no-untyped-def]
    def fail(*args: object, **kwargs: object) -> object:
        raise error

    return fail


def test_a_reader_that_meets_a_bare_os_error_reports_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(Path, "read_bytes", raising(bare_os_error()))
    [failure] = list(read_articles(article))
    assert isinstance(failure, IngestFailure)
    assert failure.source == str(article) and failure.message == "cannot read: OSError"


@pytest.mark.parametrize(
    "error",
    [yaml.YAMLError(), yaml.MarkedYAMLError(problem=None, problem_mark=None), Silent()],
    ids=["YAMLError()", "MarkedYAMLError(None)", "silent"],
)
def test_front_matter_errors_without_a_problem_or_a_mark(
    error: Exception, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.md"
    page.write_text("---\ntitle: 标题\n---\n正文。\n", encoding="utf-8")
    monkeypatch.setattr(healthnews_nlp.ingest.readers.yaml, "load", raising(error))
    [failure] = list(read_articles(page))
    assert isinstance(failure, IngestFailure) and failure.stage == "parse"
    assert failure.message.startswith("front matter is not valid YAML") and failure.message.rstrip(
        ": "
    )
    assert type(error).__name__ in failure.message


def test_the_runner_records_silent_errors_of_a_reader_and_of_the_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    task = Task((InputFile(article, str(article)),))
    monkeypatch.setattr(healthnews_nlp.run, "read_file", raising(Silent()))
    [batch] = list(run_task(task, nlp=None))  # type: ignore[arg-type]
    assert batch.failures == (
        Failure(file=str(article), stage="read", error_type="Silent", message="Silent"),
    )
    monkeypatch.undo()
    extract_module = importlib.import_module("healthnews_nlp.nlp.extraction")
    monkeypatch.setattr(extract_module, "extract", raising(bare_os_error()))
    [batch] = list(run_task(task, nlp=None))  # type: ignore[arg-type]
    assert batch.failures == (
        Failure(file=str(article), stage="extract", error_type="OSError", message="OSError"),
    )


def test_an_export_that_meets_a_bare_os_error_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(healthnews_nlp.export, "atomic_open", raising(bare_os_error()))
    target = tmp_path / "g.graphml"
    with pytest.raises(ExportError) as raised:
        write_graphml(build_graph([]), target)
    assert str(raised.value) == f"{target}: cannot write: OSError" and raised.value.errno is None
    monkeypatch.setattr(Path, "read_bytes", raising(bare_os_error()))
    with pytest.raises(ExportError, match=r"g\.graphml: cannot read: OSError$"):
        read_graph(target)


def test_evaluation_input_that_meets_a_bare_os_error_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "open", raising(bare_os_error()))
    with pytest.raises(
        EvaluationInputError, match=r"p\.jsonl: cannot read the predictions: OSError$"
    ):
        load_predictions(tmp_path / "p.jsonl")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (bare_os_error(), "OSError. The benchmark data sets"),
        (
            FileNotFoundError(2, None, "data/test.txt"),
            "data/test.txt: No such file or directory. The",
        ),
        (Silent(), None),
        (ValueError(""), "ValueError. The benchmark data sets"),
    ],
)
def test_benchmark_data_errors_without_their_details(
    error: Exception, expected: str | None
) -> None:
    if expected is None:  # not an error about the data: it is not turned into a usage error
        with pytest.raises(Silent):
            _benchmark_data(raising(error))
        return
    with pytest.raises(UsageError) as raised:
        _benchmark_data(raising(error))
    assert str(raised.value).startswith(expected)


def test_an_import_error_without_a_module_name_still_names_the_extra() -> None:
    with pytest.raises(MissingExtraError) as raised, requires_extra("notebook", "a plot"):
        raise ImportError()
    message = str(raised.value)
    assert message.startswith(
        "a plot needs an optional package, which cannot be imported (ImportError)"
    )
    assert message.endswith("pip install 'healthnews-nlp[notebook]'")


def test_a_reader_error_of_a_record_without_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    collection = tmp_path / "c.jsonl"
    collection.write_text('{"title": "t", "text": "正文。"}\n', encoding="utf-8")
    monkeypatch.setattr(healthnews_nlp.ingest.readers.json, "loads", raising(ValueError()))
    [failure] = list(read_articles(collection))
    assert isinstance(failure, IngestFailure)
    assert (failure.source, failure.message) == (f"{collection}:1", "not a JSON record: ValueError")
    monkeypatch.undo()
    assert all(isinstance(a, Article) for a in read_articles(collection))
