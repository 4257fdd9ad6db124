"""Running the pipeline over a corpus: in parallel, streaming, resumable, with an error report.

What ``healthnews-nlp extract`` and ``healthnews-nlp graph`` do over many files:

* **Streaming.** Workers read, clean and analyse the files a batch of
  articles at a time; each extraction is appended to ``extractions.jsonl``
  and flushed as soon as it is made. Memory holds the work in flight and an
  index of the records written (source, record number, offset), never the corpus.
* **Parallel.** ``jobs`` is the number of cores to use (0, the default: all
  of them). With one, the run is serial: one process, one thread of model
  work. With more, that many single-core worker processes, each loading the
  model once, each taking a few files at a time and reading, cleaning and
  analysing them itself; a large collection file is split between them by
  record. The parent process only writes. (A run of one task uses the cores
  in one process instead.)
* **Resumable.** A run that is killed (Ctrl-C, SIGKILL, a crash) leaves every
  finished extraction in the JSONL. The next run into the same place reads it
  back, drops a last line the kill cut short, skips the articles it holds
  and extracts the rest, provided the same pipeline made them (code,
  backend and lexicons are fingerprinted beside the JSONL) from the same
  inputs: the fingerprint file records each input's size and modification
  time, and extractions of other or changed inputs are dropped, so a run's
  graph is always the graph of the inputs it was given.
* **Deterministic.** When extraction ends, the JSONL is put in canonical
  order (source path, then record number; an atomic rewrite, only when the
  order of arrival differed), and the graph is built from that order. One
  job or several, in one go or resumed: the same input gives the same bytes.
* **Errors.** A file or article that fails is recorded with its stage and the
  rest goes on; :func:`write_errors` writes them, sorted, to ``errors.jsonl``.
  Stages: ``read``, ``decode``, ``parse``, ``clean`` (reading a file or a
  record), ``extract`` (the NLP pipeline) and ``export`` (writing the graph).
  A run that stops midway (Ctrl-C, SIGTERM, an output it cannot write: an
  :class:`OutputError`) writes them too, then a record of stage ``run``
  saying why it stopped.
* **Every input counted.** Each file under the paths is read once (two
  spellings of a folder, links), never the run's own output files; what is
  not a file that can be read (a FIFO, a broken link) is an error record:
  inputs = articles + failures.
* **No orphans.** Worker processes end with their parent however it ends.
* **Contained.** Output file names are fixed (:data:`OUTPUT_NAMES`); nothing
  read from the input (ids, URLs, sources) ever becomes a path.

The same units of work (:class:`Task`, :func:`run_task`) run on a Dask
cluster in :mod:`healthnews_nlp.distributed`.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import glob
import hashlib
import itertools
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from healthnews_nlp import analysis, export
from healthnews_nlp.atomic import atomic_open
from healthnews_nlp.corpus_memory import MemoFile, article_of, second_pass
from healthnews_nlp.errors import HealthNewsError, describe
from healthnews_nlp.graph import KnowledgeGraph, build_graph
from healthnews_nlp.ingest.readers import iter_files, read_file, source_name
from healthnews_nlp.models import Article, ArticleExtraction, IngestFailure, Record, read_extractions

if TYPE_CHECKING:  # spaCy is imported where a pipeline runs: the parent of a parallel run needs none
    from spacy.language import Language

__all__ = [
    "ERRORS",
    "EXTRACTIONS",
    "MEMOS",
    "OUTPUT_NAMES",
    "PIPELINE",
    "SUMMARY",
    "Batch",
    "ExtractionLog",
    "Failure",
    "GraphReport",
    "InputFile",
    "OutputError",
    "RunError",
    "RunInterrupted",
    "RunReport",
    "Settings",
    "Task",
    "collect",
    "export_graph",
    "folder_lock",
    "graph_of",
    "interrupting_signal",
    "plan",
    "record_number",
    "run_extract",
    "run_graph",
    "run_task",
    "run_tasks",
    "usable_cores",
    "write_errors",
]

EXTRACTIONS = "extractions.jsonl"
ERRORS = "errors.jsonl"
SUMMARY = "summary.json"
PIPELINE = "extractions.pipeline.json"
MEMOS = "extractions.memory.jsonl"
#: Every file a ``graph`` run writes into its output folder; nothing else is ever written there.
OUTPUT_NAMES = (
    EXTRACTIONS,
    PIPELINE,
    MEMOS,
    ERRORS,
    SUMMARY,
    "graph.graphml",
    "graph.gexf",
    "graph.json",
    "nodes.csv",
    "edges.csv",
)

SHARD_BYTES = 4 * 1024 * 1024
"""A file larger than this is split between the worker processes, record by record."""

TASK_BYTES = 1024 * 1024
"""Small files go together into one task up to this size (and :func:`plan`'s ``files_per_task``)."""


class RunError(HealthNewsError):
    """A run cannot start or go on: its output is in use, or the model does not load."""


class ModelLoadError(RunError):
    """The pipeline (backend, model, label mapping, lexicons) does not load, so no run can start.

    The command line tells it from other errors by its exit code (3).
    """


class OutputError(RunError):
    """The run's output cannot be written (a read-only folder, a full disk, a file where a folder
    should be…); ``path`` is what could not be written, ``reason`` why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by a signal other than Ctrl-C (SIGTERM); ``signum`` says which.

    A :class:`KeyboardInterrupt`, so that what stops a run on Ctrl-C (workers
    stopped, ``errors.jsonl`` written) stops it on SIGTERM too.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def interrupting_signal(error: KeyboardInterrupt) -> signal.Signals:
    """The signal that stopped a run: SIGTERM for :class:`RunInterrupted`, else SIGINT (Ctrl-C)."""
    return signal.Signals(getattr(error, "signum", signal.SIGINT))


class Failure(Record):
    """One line of ``errors.jsonl``: which file (or ``file:record``) failed, at which stage, and why."""

    file: str
    stage: str
    error_type: str
    message: str

    @classmethod
    def of(cls, file: str, stage: str, error: BaseException) -> Failure:
        """The failure an exception stands for, whatever the exception: its attributes may be
        missing or None, and printing it may give nothing or fail (:func:`errors.describe`)."""
        return cls(file=file, stage=stage, error_type=type(error).__name__, message=describe(error))


@dataclass(frozen=True)
class Settings:
    """How a worker builds its pipeline; picklable, as it travels to worker processes."""

    backend: str = "lac"
    backend_options: dict[str, Any] = field(default_factory=dict)
    lexicon_dir: str | None = None
    batch_size: int = 16
    #: Cores one pipeline may keep busy (``load(threads=...)``); not part of the
    #: fingerprint, as it changes how fast extractions are made, not what they are.
    threads: int | None = None
    #: Corpus memory: each extraction leaves a memo, and the pipeline has a memory
    #: component, given its names by second-pass tasks (:mod:`healthnews_nlp.corpus_memory`).
    remember: bool = False

    def load(self) -> Language:
        """The pipeline these settings describe (``healthnews_nlp.load``)."""
        from healthnews_nlp.nlp.pipeline import load

        return load(
            backend=self.backend,
            backend_options=self.backend_options,
            lexicon_dir=self.lexicon_dir,
            threads=self.threads,
            memory={} if self.remember else None,
        )

    def fingerprint(self) -> dict[str, Any]:
        """What extractions depend on: this package's code and data, the backend and its options, extra lexicons.

        Kept beside the JSONL (``*.pipeline.json``): a run resumes only from
        extractions the same pipeline made.
        """
        return {
            "healthnews_nlp": _package_digest(),
            "backend": self.backend,
            "backend_options": json.loads(
                json.dumps(self.backend_options, sort_keys=True, default=str)
            ),
            "lexicon_dir": self.lexicon_dir,
            "lexicons": _digest(Path(self.lexicon_dir), ("*",)) if self.lexicon_dir else None,
            "memory": self.remember,
        }

    def ready(self) -> Language:
        """The pipeline, its model loaded (backends load on first use), or a RunError saying why not.

        A model that cannot load stops the run once, with its reason, rather
        than failing every article.
        """
        try:
            nlp = self.load()
            nlp("北京")
        except Exception as error:  # any reason at all: say it
            raise ModelLoadError(
                f"the pipeline does not load: {type(error).__name__}: {error}"
            ) from error
        return nlp


@functools.lru_cache(maxsize=1)
def _package_digest() -> str:
    """This package's code and data files, hashed (a few milliseconds, once per process)."""
    return _digest(Path(__file__).parent, ("*.py", "resources/*"))


def _digest(folder: Path, patterns: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for path in sorted({p for pattern in patterns for p in folder.rglob(pattern) if p.is_file()}):
        digest.update(str(path.relative_to(folder)).encode("utf-8", "backslashreplace") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class InputFile:
    """A file to read; ``done`` are its record numbers already extracted (0: a file that is one article).

    ``refused`` says why a file is not read at all (its failure is recorded instead).
    """

    path: Path
    source: str
    done: frozenset[int] = frozenset()
    refused: str | None = None


@dataclass(frozen=True)
class Task:
    """One unit of work: a few small files, or every ``shards``-th result of a large one from ``shard`` on.

    Small files go together so that one backend call analyses articles of
    several files (LAC is a third faster on batches of 16 articles than one
    by one); a large collection is split so that every worker has a part.
    """

    files: tuple[InputFile, ...]
    shard: int = 0
    shards: int = 1
    #: A second-pass task of corpus memory: these articles (kept from the first pass), extracted
    #: with the names of ``memory`` (none: without); their lines replace the first pass's.
    articles: tuple[Article, ...] = ()
    memory: tuple[tuple[str, str], ...] = ()
    #: which memory ``memory`` is (None: none), recorded beside each line made
    digest: str | None = None


@dataclass(frozen=True)
class Batch:
    """Part of a task's result, sent as soon as it is made; ``last`` closes the task.

    ``extractions`` are ``(source, record, JSON line)``: the record number is
    0 for a file that is one article.
    """

    extractions: tuple[tuple[str, int, str], ...] = ()
    failures: tuple[Failure, ...] = ()
    last: bool = False
    #: records of crawls (WARC) skipped as not HTML
    skipped: int = 0
    #: memos of the extractions (corpus memory), JSON lines, when the settings ask for them
    memos: tuple[str, ...] = ()


# --- the work of one task (in a worker process, in the parent, or on a Dask worker) ------------


def run_task(
    task: Task, nlp: Language, batch_size: int = 16, *, remember: bool = False
) -> Iterator[Batch]:
    """Read the task's files and extract their articles, ``batch_size`` at a time; the last batch says so.

    ``remember``: each extraction's memo goes with it (corpus memory).
    """
    if remember:
        from healthnews_nlp.nlp.memory import remember_names

        remember_names(nlp, dict(task.memory))
    if task.articles:
        yield _extract_batch(list(task.articles), nlp, [], remember=False, last=True)
        return
    articles: list[Article] = []
    failures: list[Failure] = []
    skipped: list[str] = []
    for item in _read(task, skipped):
        if isinstance(item, Failure):
            failures.append(item)
        else:
            articles.append(item)
        if len(articles) >= batch_size:
            yield replace(_extract_batch(articles, nlp, failures, remember), skipped=len(skipped))
            articles, failures, skipped[:] = [], [], []
    yield replace(_extract_batch(articles, nlp, failures, remember, last=True), skipped=len(skipped))


def _read(task: Task, skipped: list[str]) -> Iterator[Article | Failure]:
    """The task's articles and failures; crawl records skipped as not HTML go to ``skipped``."""
    on_skip = (lambda where, _type: skipped.append(where)) if task.shard == 0 else None
    for file in task.files:
        if file.refused:
            if task.shard == 0:
                yield Failure(file=file.source, stage="read", error_type="IngestError", message=file.refused)
            continue
        try:
            for index, result in enumerate(read_file(file.path, on_skip=on_skip)):
                if index % task.shards != task.shard:
                    continue
                if isinstance(result, IngestFailure):
                    yield Failure(
                        file=result.source,
                        stage=result.stage,
                        error_type=result.error_type,
                        message=result.message,
                    )
                elif (result.record or 0) not in file.done:
                    yield result
        except Exception as error:  # noqa: BLE001  a reader's bug loses the rest of this file, not the batch
            if task.shard == 0:
                yield Failure.of(file.source, "read", error)


def _extract_batch(
    articles: list[Article],
    nlp: Language,
    failures: list[Failure],
    remember: bool,
    *,
    last: bool = False,
) -> Batch:
    made, failed = _extract_each(articles, nlp)
    memos = _memos(articles, made, nlp) if remember else ()
    lines = tuple((source, record, e.model_dump_json()) for source, record, e in made)
    return Batch(lines, (*failures, *failed), last, memos=memos)


def _memos(
    articles: list[Article], made: list[tuple[str, int, ArticleExtraction]], nlp: Language
) -> tuple[str, ...]:
    """The memo of each extraction made (corpus memory), in the same order."""
    from healthnews_nlp.corpus_memory import memo_line

    by_key = {(a.source, a.record or 0): a for a in articles}
    return tuple(memo_line(by_key[source, record], e, nlp) for source, record, e in made)


def _extract_each(
    articles: list[Article], nlp: Language
) -> tuple[list[tuple[str, int, ArticleExtraction]], list[Failure]]:
    """Extract a batch; when it fails, each article alone, so one bad article fails alone."""
    from healthnews_nlp.nlp.extraction import extract

    if not articles:
        return [], []
    try:
        extractions = list(extract(articles, nlp, batch_size=len(articles)))
    except Exception as error:  # noqa: BLE001  one article's failure must not stop the batch
        if len(articles) == 1:
            return [], [Failure.of(_where(articles[0]), "extract", error)]
        made: list[tuple[str, int, ArticleExtraction]] = []
        failed: list[Failure] = []
        for article in articles:
            one_made, one_failed = _extract_each([article], nlp)
            made += one_made
            failed += one_failed
        return made, failed
    return [(a.source, a.record or 0, e) for a, e in zip(articles, extractions)], []


def _where(article: Article) -> str:
    """How a failure names an article: its file, and its record in a collection."""
    return article.source if article.record is None else f"{article.source}:{article.record}"


# --- where tasks run ---------------------------------------------------------------------------


def run_tasks(
    tasks: Iterable[Task], nlp: Language, batch_size: int = 16, *, remember: bool = False
) -> Iterator[tuple[Task, Batch]]:
    """:func:`run_task` over many tasks, in spaCy memory zones of about ``ARTICLES_PER_ZONE`` articles.

    ``extract`` opens a zone per call when none is open, which here would be
    one batch long: the words of every batch would be made anew (their
    lexical attributes computed again), which costs more than a zone saves.
    """
    from healthnews_nlp.nlp.extraction import ARTICLES_PER_ZONE

    zone: contextlib.ExitStack | None = None
    in_zone = 0
    try:
        for task in tasks:
            if zone is None and hasattr(nlp, "memory_zone"):
                zone = contextlib.ExitStack()
                zone.enter_context(nlp.memory_zone())
            for batch in run_task(task, nlp, batch_size, remember=remember):
                in_zone += len(batch.extractions)
                yield task, batch
            if zone is not None and in_zone >= ARTICLES_PER_ZONE:
                zone.close()
                zone, in_zone = None, 0
    finally:
        if zone is not None:
            zone.close()


def _in_process(tasks: Iterator[Task], settings: Settings) -> Iterator[tuple[Task, Batch]]:
    first = next(tasks, None)
    if first is None:
        return  # nothing to do: no model to load
    nlp = settings.ready()
    tasks = itertools.chain((first,), tasks)
    yield from run_tasks(tasks, nlp, settings.batch_size, remember=settings.remember)


#: Seconds between two looks of a worker's watchdog at its parent.
PARENT_POLL = 0.5
#: ``prctl`` option: the signal a Linux process gets when its parent ends.
_PR_SET_PDEATHSIG = 1


def _worker_main(conn: Connection, settings: Settings, parent: int) -> None:
    """A worker process: load the pipeline once, then run each task the parent sends, until None."""
    # Ctrl-C reaches the whole process group: the parent decides what it means
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_parent(parent)
    try:
        try:
            nlp = settings.ready()
        except RunError as error:  # the parent raises it
            conn.send(error)
            return
        conn.send(READY)
        tasks = iter(conn.recv, None)
        for _, batch in run_tasks(tasks, nlp, settings.batch_size, remember=settings.remember):
            conn.send(batch)
    except (EOFError, OSError):  # the parent is gone (killed): nothing to send results to
        return


def _end_with_parent(parent: int) -> None:
    """End this worker process when its parent ends, however it ends (SIGKILL included).

    A worker busy on a long task notices a parent gone only when it sends the
    result: until then it would run on, orphaned, at full speed. On Linux the
    kernel kills it the moment the parent ends (``PR_SET_PDEATHSIG``); elsewhere,
    and as a fallback, a watchdog thread checks every :data:`PARENT_POLL` seconds
    whether the parent is still the one that started it.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watchdog", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)  # the parent is gone: no one to send results to


#: What a worker sends once its pipeline has loaded.
READY = "ready"


class _Worker:
    """A worker process, its end of the pipe, the task it is on and whether it has loaded."""

    def __init__(self, context: Any, settings: Settings) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main,
            args=(child, settings, os.getpid()),
            name="healthnews-nlp-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.ready = False

    def give(self, task: Task | None) -> None:
        self.task = task
        if task is not None:
            with contextlib.suppress(OSError):  # a worker already dead: its sentinel tells
                self.conn.send(task)

    def ask_to_stop(self) -> None:
        """An idle worker is told to end; one on a task (the run stopped early) is ended by ``stop``."""
        if self.task is None:
            with contextlib.suppress(OSError):
                self.conn.send(None)

    def stop(self) -> None:
        if self.task is None:
            self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.conn.close()


def _in_processes(
    tasks: Iterator[Task],
    settings: Settings,
    jobs: int,
    then: Callable[[], Iterator[Task]] | None = None,
) -> Iterator[tuple[Task, Batch]]:
    """Run the tasks in ``jobs`` worker processes, yielding batches as they arrive.

    ``then`` gives the tasks of a second round (corpus memory's second pass), asked
    for when every batch of the first has been yielded (and so taken in by the caller),
    and run by the same workers.

    Processes are spawned, not forked: the parent may hold threads (ONNX
    Runtime's, a notebook's), which a fork would copy in an unknown state.
    A worker that dies (killed, out of memory) costs the rest of its task,
    which is reported, and is replaced.
    """
    context = multiprocessing.get_context("spawn")
    workers: list[_Worker] = []
    try:
        workers = [_Worker(context, settings) for _ in range(jobs)]
        for worker in workers:
            worker.give(next(tasks, None))
        yield from _drain(workers, tasks, context, settings)
        if then is not None:
            tasks = then()
            for index, worker in enumerate(workers):
                if not worker.process.is_alive():  # died on the last task of the first round
                    worker.stop()
                    workers[index] = worker = _Worker(context, settings)
                worker.give(next(tasks, None))
            yield from _drain(workers, tasks, context, settings)
    finally:
        for worker in workers:  # all at once: a process takes a while to end
            worker.ask_to_stop()
        for worker in workers:
            worker.stop()


def _drain(
    workers: list[_Worker], tasks: Iterator[Task], context: Any, settings: Settings
) -> Iterator[tuple[Task, Batch]]:
    """The workers' batches as they come; each worker gets the next task as it ends one.

    Until no worker is busy; a worker that dies is replaced while tasks remain.
    """
    while busy := [w for w in workers if w.task is not None]:
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
        for index, worker in enumerate(workers):
            task = worker.task
            if task is None or not ({worker.conn, worker.process.sentinel} & ready):
                continue
            message = _receive(worker.conn) if worker.conn in ready else None
            if isinstance(message, BaseException):
                raise message
            if message == READY:
                worker.ready = True
                continue
            if isinstance(message, Batch):
                yield task, message
                if message.last:
                    worker.give(next(tasks, None))
                continue
            worker.process.join()
            if not worker.ready:
                raise ModelLoadError(_no_start(worker.process.exitcode))
            reason = (
                f"the worker process ended (exit code {worker.process.exitcode}) on this file or one read "
                "with it; its articles not in the JSONL are extracted again by the next run"
            )
            died = tuple(
                Failure(file=source, stage="extract", error_type="WorkerDied", message=reason)
                for source in [*(f.source for f in task.files), *(_where(a) for a in task.articles)]
            )
            worker.task = None
            yield task, Batch(failures=died, last=True)
            following = next(tasks, None)
            if following is not None:
                workers[index] = _Worker(context, settings)
                workers[index].give(following)


def _no_start(exitcode: int | None) -> str:
    """Why a run stops when a worker process ends before its pipeline has loaded."""
    return (
        f"a worker process ended before its pipeline loaded (exit code {exitcode}; its error is "
        "printed above). Workers are started with 'spawn', which imports the main script again: "
        "a script that runs in parallel needs its code under `if __name__ == \"__main__\":`. "
        "Or run in this process with jobs=1 (--jobs 1)."
    )


def _receive(conn: Connection) -> object:
    try:
        return conn.recv()
    except (EOFError, OSError):
        return None


# --- the JSONL ---------------------------------------------------------------------------------


def record_number(extraction: ArticleExtraction) -> int | None:
    """The record number an extraction's ``article`` names (0: the whole file), or None."""
    name = Path(extraction.source).name
    if extraction.article == name:
        return 0
    number = extraction.article.removeprefix(f"{name}:")
    return int(number) if number != extraction.article and number.isdigit() else None


class ExtractionLog:
    """The extractions JSONL of a run: read back on resume, appended and flushed per record, sorted at the end.

    Opening it locks its folder (a second run into the same place is refused
    rather than interleaved) and removes temporary files an earlier, killed
    run left behind (see :data:`OUTPUT_NAMES`). A line that does not read back
    as an extraction (the last one, cut by a kill) is dropped; its article is
    extracted again. With a ``pipeline`` fingerprint, the JSONL is kept only
    when the fingerprint beside it (``<name>.pipeline.json``) is the same:
    extractions of another pipeline (other code, backend or lexicons) are
    dropped and ``restarted`` is set.
    """

    def __init__(
        self, path: str | Path, *, fresh: bool = False, pipeline: dict[str, Any] | None = None
    ) -> None:
        self.path = Path(path)
        self.fresh = fresh
        self.pipeline = pipeline
        self.pipeline_path = self.path.with_name(f"{self.path.stem}.pipeline.json")
        #: the memos of corpus memory (see :mod:`healthnews_nlp.corpus_memory`), dropped with the JSONL
        self.memory_path = self.path.with_name(f"{self.path.stem}.memory.jsonl")
        self.restarted = False
        # source -> record number -> (offset, length) of its line
        self._rows: dict[str, dict[int, tuple[int, int]]] = {}
        self._size = 0
        self._last: tuple[str, int] | None = None
        self._canonical = True
        self._handle: IO[bytes] | None = None
        self._lock: int | None = None
        #: source -> [size, mtime_ns] of the inputs the JSONL was made from (None: not known)
        self._inputs: dict[str, list[int]] | None = {}
        self.resumed = 0
        self.added = 0
        self.dropped = 0

    def __enter__(self) -> ExtractionLog:
        folder = self.path.parent
        make_folder(folder)
        if self.path.is_dir():
            raise OutputError(self.path, "is a folder: the extractions go in a file (give a file name)")
        self._lock = _lock_folder(folder)
        try:
            with writing(self.path):
                own = {self.path.name, self.pipeline_path.name, self.memory_path.name}
                for name in {*OUTPUT_NAMES, *own}:
                    for stale in folder.glob(f".{glob.escape(name)}.*.tmp"):
                        stale.unlink(missing_ok=True)
                previous = self._previous_record()
                self.restarted = not self.fresh and self._made_by_another_pipeline(previous)
                if self.fresh or self.restarted:
                    self.path.unlink(missing_ok=True)
                    previous = None
                if not self.path.exists():  # memos of extractions no longer there
                    self.memory_path.unlink(missing_ok=True)
                self._inputs = previous.get("inputs") if previous is not None else {}
                self._write_record()
                self._load()
                self._handle = self.path.open("ab")
            self.resumed = sum(len(rows) for rows in self._rows.values())
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._lock is not None:
            os.close(self._lock)  # releases the flock
            self._lock = None

    def _previous_record(self) -> dict[str, Any] | None:
        """What the fingerprint file beside the JSONL says (pipeline and inputs), or None."""
        try:
            record = json.loads(self.pipeline_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def _made_by_another_pipeline(self, previous: dict[str, Any] | None) -> bool:
        if self.pipeline is None or not self.path.exists() or not self.path.stat().st_size:
            return False
        # no fingerprint, or a broken one: nothing says it is the same
        if previous is None:
            return True
        return {k: v for k, v in previous.items() if k != "inputs"} != self.pipeline

    def _write_record(self) -> None:
        """The fingerprint file: the pipeline, and the inputs (size, mtime) the JSONL was made from."""
        if self.pipeline is None:
            return
        with writing(self.pipeline_path), atomic_open(self.pipeline_path) as handle:
            record = {**self.pipeline, "inputs": self._inputs or {}}
            json.dump(record, handle, ensure_ascii=False, indent=2, sort_keys=True)

    def retain(self, inputs: dict[str, tuple[int, int]]) -> None:
        """Keep only the extractions of ``inputs`` (source → size and modification time), as they are now.

        A run's output is the output of the inputs it was given: extractions of
        files not among them (an earlier run's other inputs) are dropped, and so
        are those of a file whose size or modification time changed since they
        were made (or of a JSONL with no record of its inputs). Those files are
        extracted again.
        """
        known = self._inputs
        outdated = [
            source
            for source in self._rows
            if source not in inputs
            or (self.pipeline is not None and (known is None or known.get(source) != list(inputs[source])))
        ]
        if outdated:
            for source in outdated:
                del self._rows[source]
            assert self._handle is not None, "use the log in a with block"
            self._handle.close()
            with writing(self.path):
                self._rewrite()
                self._handle = self.path.open("ab")
        self._inputs = {source: list(stat) for source, stat in inputs.items()}
        self._write_record()
        self.resumed = sum(len(rows) for rows in self._rows.values())

    def forget(self, keys: Iterable[tuple[str, int]]) -> None:
        """Drop the extractions of ``keys`` (``(source, record)``): the run makes them again."""
        dropped = False
        for source, record in keys:
            rows = self._rows.get(source, {})
            dropped = rows.pop(record, None) is not None or dropped
            if not rows:
                self._rows.pop(source, None)
        if dropped:
            assert self._handle is not None, "use the log in a with block"
            self._handle.close()
            with writing(self.path):
                self._rewrite()
                self._handle = self.path.open("ab")
            self.resumed = sum(len(rows) for rows in self._rows.values())

    def keys(self) -> frozenset[tuple[str, int]]:
        """``(source, record)`` of every extraction the JSONL holds."""
        return frozenset((source, record) for source, rows in self._rows.items() for record in rows)

    def done(self, source: str) -> frozenset[int]:
        """Record numbers of ``source`` the JSONL holds (0: the file is one article, done)."""
        return frozenset(self._rows.get(source, ()))

    def __len__(self) -> int:
        return self.resumed + self.added

    def append(self, source: str, record: int, line: str) -> bool:
        """Write one extraction and flush it; False (nothing written) when the article is already there."""
        if record in self._rows.get(source, ()):
            return False
        assert self._handle is not None, "use the log in a with block"
        data = line.encode("utf-8") + b"\n"
        with writing(self.path):
            self._handle.write(data)
            self._handle.flush()  # a kill now loses at most this line's tail, dropped on resume
        self._remember(source, record, self._size, len(data))
        self._size += len(data)
        self.added += 1
        return True

    def replace(self, source: str, record: int, line: str) -> None:
        """Put ``line`` in place of the article's extraction: appended, the last line of a key wins.

        The earlier line stays in the file until :meth:`finish` puts it in order; a
        kill before that leaves both, and reading back keeps the last.
        """
        assert self._handle is not None, "use the log in a with block"
        data = line.encode("utf-8") + b"\n"
        with writing(self.path):
            self._handle.write(data)
            self._handle.flush()
        self._rows[source][record] = (self._size, len(data))
        self._size += len(data)
        self._canonical = False

    def finish(self) -> None:
        """Make the file durable and canonical: sorted by source and record, one line per article."""
        if self._handle is not None:
            with writing(self.path):
                os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
        if not self._canonical:
            reason = "cannot put the extractions in order (that takes as much free space again)"
            with writing(self.path, reason):
                self._rewrite()

    def _remember(self, source: str, record: int, offset: int, length: int) -> None:
        self._rows.setdefault(source, {})[record] = (offset, length)
        key = (source, record)
        if self._last is not None and key < self._last:
            self._canonical = False
        self._last = key

    def _load(self) -> None:
        if not self.path.exists():
            return
        offset = 0
        with self.path.open("rb") as handle:
            for line in handle:
                key = _key(line)
                if key is None or key[1] in self._rows.get(key[0], ()):
                    self._canonical = False  # cut short, unreadable, blank, or replaced by a later line
                    if key is None and line.strip():
                        self.dropped += 1
                if key is not None:
                    self._remember(*key, offset, len(line))
                offset += len(line)
        self._size = offset
        if not self._canonical:
            self._rewrite()

    def _rewrite(self) -> None:
        """Write the indexed lines in canonical order to a new file that replaces the old one."""
        position = 0
        with self.path.open("rb") as old, atomic_open(self.path, "wb") as new:
            for source in sorted(self._rows):
                rows = self._rows[source]
                for record in sorted(rows):
                    offset, length = rows[record]
                    old.seek(offset)
                    new.write(old.read(length))
                    rows[record] = (position, length)
                    position += length
        self._size = position
        self._last = max(((s, max(r)) for s, r in self._rows.items() if r), default=None)
        self._canonical = True


def _key(line: bytes) -> tuple[str, int] | None:
    if not line.endswith(b"\n"):
        return None  # cut short by a kill
    try:
        extraction = ArticleExtraction.model_validate_json(line)
    except ValueError:
        return None
    record = record_number(extraction)
    return None if record is None else (extraction.source, record)


@contextlib.contextmanager
def folder_lock(folder: str | Path) -> Iterator[None]:
    """Hold the lock a run holds on its output folder (a run into it meanwhile is refused).

    For other writers into a run's folder (``healthnews-nlp ingest -o``): they
    are refused while a run writes there, rather than replace its files.
    """
    make_folder(Path(folder))
    descriptor = _lock_folder(Path(folder))
    try:
        yield
    finally:
        if descriptor is not None:
            os.close(descriptor)


def make_folder(folder: Path) -> None:
    """Create the output ``folder`` (and its parents), or say in an OutputError why it cannot be."""
    blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputError(blocking, "is a file, not a folder: the output goes in a folder")
    with writing(folder, "cannot create the folder"):
        folder.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def writing(path: str | Path, what: str = "cannot write") -> Iterator[None]:
    """An OSError while writing the run's output becomes an OutputError naming ``path`` and the reason."""
    try:
        yield
    except OutputError:
        raise
    except OSError as error:
        raise OutputError(path, f"{what}: {error.strerror or describe(error)}") from error


def _lock_folder(folder: Path) -> int | None:
    """An exclusive lock on ``folder`` (flock on its descriptor), held until the descriptor closes."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover  (not POSIX: no lock)
        return None
    with writing(folder, "cannot open the folder"):
        descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise RunError(
            f"{folder}: another run is writing there; wait for it or choose another folder"
        ) from None
    return descriptor


# --- runs --------------------------------------------------------------------------------------


def plan(
    paths: str | Path | Iterable[str | Path],
    log: ExtractionLog,
    *,
    jobs: int = 1,
    files_per_task: int = 16,
) -> list[Task]:
    """The tasks for ``paths``, in canonical order; files the log holds whole are left out.

    The inputs are the files under ``paths``, each once (a file reached under
    two spellings, or through a link, is read under the spelling that sorts
    first), never the run's own output files (its folder may be inside an input
    folder). The log keeps only the extractions of these inputs as they are now
    (:meth:`ExtractionLog.retain`). Two files whose names print the same (bytes
    that are not UTF-8 shown as ``\\xNN``) cannot share the JSONL: the second
    fails, saying why. Up to ``files_per_task`` small files (together at most
    :data:`TASK_BYTES`) make one task; a file over :data:`SHARD_BYTES` is split
    into ``jobs`` tasks.
    """
    outputs = [log.path, log.pipeline_path, *(log.path.parent / name for name in OUTPUT_NAMES)]
    files: list[InputFile] = []
    inputs: dict[str, tuple[int, int]] = {}
    for source, path in sorted((source_name(p), p) for p in iter_files(paths, exclude=outputs)):
        if source in inputs:
            files.append(InputFile(path, source, refused=SAME_NAME))
            continue
        inputs[source] = _stat(path)
        files.append(InputFile(path, source))
    log.retain(inputs)
    tasks: list[Task] = []
    group: list[InputFile] = []
    group_bytes = 0
    for file in files:
        done = frozenset() if file.refused else log.done(file.source)
        if 0 in done:
            continue
        file = replace(file, done=done)
        size = max(0, inputs[file.source][0]) if not file.refused else 0
        if jobs > 1 and size > SHARD_BYTES:
            tasks.extend(Task((file,), shard, jobs) for shard in range(jobs))
            continue
        if group and (len(group) >= files_per_task or group_bytes + size > TASK_BYTES):
            tasks.append(Task(tuple(group)))
            group, group_bytes = [], 0
        group.append(file)
        group_bytes += size
    if group:
        tasks.append(Task(tuple(group)))
    return tasks


#: Why the second of two files whose names print the same is not read.
SAME_NAME = (
    "another input file's name prints the same (bytes that are not UTF-8 are shown as \\xNN): "
    "the two cannot be told apart in the output; rename one of them"
)


def _stat(path: Path) -> tuple[int, int]:
    """Size and modification time (ns) of the file at ``path``; (-1, -1) when it cannot be had."""
    try:
        status = path.stat()
    except OSError:
        return -1, -1
    return status.st_size, status.st_mtime_ns


@dataclass
class RunReport:
    """What an extraction run did: articles extracted now and found from before, what failed.

    ``dropped`` counts JSONL lines that did not read back (their articles were
    extracted again); ``restarted`` says the JSONL was made by another
    pipeline and was started over.
    """

    output: Path
    extracted: int
    resumed: int
    dropped: int
    failures: list[Failure]
    restarted: bool = False
    #: records of crawls (WARC, ARC) skipped as not HTML: images, scripts, PDFs…
    skipped: int = 0
    #: articles extracted again with corpus memory (or again without it, when their memory changed)
    remembered: int = 0

    @property
    def articles(self) -> int:
        """Articles in the JSONL now."""
        return self.extracted + self.resumed


@dataclass
class GraphReport:
    """What a graph run did: the extraction run, the graph, the files written, every failure."""

    run: RunReport
    graph: KnowledgeGraph
    summary: dict[str, Any]
    written: list[Path]
    failures: list[Failure]


def run_extract(
    paths: str | Path | Iterable[str | Path],
    output: str | Path,
    *,
    jobs: int = 0,
    settings: Settings | None = None,
    fresh: bool = False,
    progress: bool = False,
    on_failure: Callable[[Failure], None] | None = None,
    errors: str | Path | None = None,
    memory: bool = True,
) -> RunReport:
    """Extract every article under ``paths`` into the JSONL ``output``, resuming what it holds.

    Parameters
    ----------
    jobs
        Cores to use: 0 (default) all this process may run on; 1 a serial run in
        this process; N worker processes of one core each.
    settings
        The pipeline to load (backend, options, lexicons).
    fresh
        Start over: drop what ``output`` holds instead of resuming from it.
    progress
        Show a progress bar (tqdm, on stderr).
    on_failure
        Called with each failure as it happens (the CLI prints it).
    errors
        Where to write the failures (``errors.jsonl``), if anywhere.
    memory
        Corpus memory: an organization's or event's name and the short name one
        article defines for it are known in the others; the articles where such a
        name occurs are extracted again with it
        (:mod:`healthnews_nlp.corpus_memory`). Its memos are kept beside
        ``output`` (``<name>.memory.jsonl``).

    Raises
    ------
    RunError
        Another run holds the folder, or the pipeline does not load.
    OutputError
        The output cannot be written (a RunError; ``errors`` is written if it can be).
    KeyboardInterrupt
        On Ctrl-C, or SIGTERM (:class:`RunInterrupted`), after stopping the workers and
        writing ``errors``; what was extracted is in ``output``.
    """
    settings = replace(settings or Settings(), remember=memory)
    failures: list[Failure] = []
    with (
        _reported_if_stopped(errors, failures, Path(output)),
        ExtractionLog(output, fresh=fresh, pipeline=settings.fingerprint()) as log,
    ):
        run = _extract_into(
            log, paths, jobs=jobs, settings=settings, progress=progress,
            on_failure=on_failure, failures=failures,
        )
        if errors is not None:
            write_errors(errors, run.failures)
    return run


def run_graph(
    paths: str | Path | Iterable[str | Path],
    folder: str | Path,
    *,
    include_articles: bool = False,
    jobs: int = 0,
    settings: Settings | None = None,
    fresh: bool = False,
    progress: bool = False,
    on_failure: Callable[[Failure], None] | None = None,
    memory: bool = True,
) -> GraphReport:
    """The whole flow into ``folder``: extractions (resumable), the graph, every export and ``errors.jsonl``.

    Parameters are those of :func:`run_extract`; ``include_articles`` adds
    article nodes. Exports are atomic: a killed run leaves the previous
    complete files, or none. A failed export is recorded, the others written.
    The graph is the graph of ``paths``: extractions an earlier run into the
    folder made of other inputs are not part of it (:meth:`ExtractionLog.retain`).
    """
    folder = Path(folder)
    settings = replace(settings or Settings(), remember=memory)
    failures: list[Failure] = []
    with (
        _reported_if_stopped(folder / ERRORS, failures, folder / EXTRACTIONS),
        ExtractionLog(folder / EXTRACTIONS, fresh=fresh, pipeline=settings.fingerprint()) as log,
    ):
        run = _extract_into(
            log, paths, jobs=jobs, settings=settings, progress=progress,
            on_failure=on_failure, failures=failures,
        )
        kg = graph_of(log.path, include_articles=include_articles)
        written, summary, export_failures = export_graph(kg, folder)
        for failure in export_failures:
            failures.append(failure)
            if on_failure is not None:
                on_failure(failure)
        write_errors(folder / ERRORS, failures)
    memos = [log.memory_path] if log.memory_path.exists() else []
    files = [log.path, log.pipeline_path, *memos, *written, folder / ERRORS]
    return GraphReport(run, kg, summary, files, list(failures))


@contextlib.contextmanager
def _reported_if_stopped(
    errors: str | Path | None, failures: list[Failure], extractions: Path
) -> Iterator[None]:
    """A run stopped midway still writes ``errors``: the failures so far, then why it stopped.

    Stopped by Ctrl-C or SIGTERM (which, during the run, stops it as Ctrl-C does),
    or by an output it cannot write (when ``errors`` itself can still be written).
    The last record has the stage ``run``: ``Interrupted`` names the JSONL that
    keeps what was extracted; ``OutputError`` the file that could not be written.
    """
    with _sigterm_interrupts():
        try:
            yield
        except KeyboardInterrupt as stop:
            name = interrupting_signal(stop).name
            reason = (
                f"the run was stopped by {name} before it finished; what was extracted is kept "
                "in this file: run the same command again to resume"
            )
            _write_stopped(errors, failures, Failure(file=str(extractions), stage="run",
                                                    error_type="Interrupted", message=reason))
            raise
        except OutputError as error:
            _write_stopped(errors, failures, Failure(file=error.path, stage="run",
                                                    error_type="OutputError", message=error.reason))
            raise


def _write_stopped(errors: str | Path | None, failures: list[Failure], why: Failure) -> None:
    if errors is None:
        return
    with contextlib.suppress(OutputError):  # it cannot be written either: the error says why
        write_errors(errors, [*failures, why])


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """During a run, SIGTERM raises :class:`RunInterrupted`: the run stops as on Ctrl-C.

    Without it, SIGTERM ends the process at once: no message, no ``errors.jsonl``,
    and worker processes left to stop themselves. Only in the main thread (signal
    handlers live there), and only where no handler of the caller's is set.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise RunInterrupted(signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _extract_into(
    log: ExtractionLog,
    paths: str | Path | Iterable[str | Path],
    *,
    jobs: int,
    settings: Settings,
    progress: bool,
    on_failure: Callable[[Failure], None] | None,
    failures: list[Failure],
) -> RunReport:
    jobs = jobs if jobs > 0 else usable_cores()
    memos = MemoFile(log.memory_path) if settings.remember else None
    if memos is not None:  # an extraction without its memo (the file lost) is made again
        with writing(memos.path):
            recorded = memos.recorded()
        log.forget(log.keys() - recorded)
    tasks = plan(paths, log, jobs=jobs, files_per_task=settings.batch_size)
    then = functools.partial(_memory_tasks, log, memos, settings.batch_size) if memos else None
    # ``jobs`` is the number of cores: one process using them all when there is one
    # task (or one job), else that many single-core worker processes; none, no model
    # (the second pass of corpus memory runs where the first did, once it is all in)
    work: Iterator[tuple[Task, Batch]]
    if jobs == 1 or len(tasks) <= 1:
        work = _in_process(_followed_by(tasks, then), replace(settings, threads=jobs))
    else:
        work = _in_processes(iter(tasks), replace(settings, threads=1), min(jobs, len(tasks)), then)
    collected = collect(
        work,
        log,
        progress=progress,
        total=sum(len(t.files) for t in tasks if t.shard == 0),
        on_failure=on_failure,
        failures=failures,
        memos=memos,
    )
    if memos is not None:
        with writing(memos.path, "cannot put the memos in order (that takes as much free space again)"):
            memos.compact()
    log.finish()
    return RunReport(
        log.path,
        log.added,
        log.resumed,
        log.dropped,
        list(collected.failures),
        log.restarted,
        collected.skipped,
        collected.remembered,
    )


def _followed_by(tasks: list[Task], then: Callable[[], Iterator[Task]] | None) -> Iterator[Task]:
    """``tasks``, then (asked for only when they are all taken) the tasks ``then`` gives."""
    yield from tasks
    if then is not None:
        yield from then()


def _memory_tasks(log: ExtractionLog, memos: MemoFile, batch_size: int) -> Iterator[Task]:
    """Corpus memory's second pass: tasks of the articles a name of another article is in.

    Asked for when every first-pass extraction is in ``log`` (and its memo in
    ``memos``). See :mod:`healthnews_nlp.corpus_memory`.
    """
    with writing(memos.path, "cannot read"):
        memos.load(log.keys())
        memory = memos.memory()
        names = tuple(memory.names.items())
        todo = sorted(second_pass(memos, memory), key=lambda item: (item[1] is None, item[0]))
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            for digest in dict.fromkeys(d for _, d in chunk):
                articles = tuple(article_of(memos.memo(key)) for key, d in chunk if d == digest)
                yield Task((), articles=articles, memory=names if digest else (), digest=digest)


@dataclass
class Collected:
    """What :func:`collect` gathered besides the extractions: the failures, the records skipped."""

    failures: list[Failure] = field(default_factory=list)
    skipped: int = 0
    #: extractions replaced by corpus memory's second pass
    remembered: int = 0


def collect(
    work: Iterable[tuple[Task, Batch]],
    log: ExtractionLog,
    *,
    total: int,
    progress: bool = False,
    on_failure: Callable[[Failure], None] | None = None,
    failures: list[Failure] | None = None,
    memos: MemoFile | None = None,
) -> Collected:
    """Append every batch's extractions to ``log`` as they arrive; the failures (in arrival order).

    ``total`` is the number of files, for the progress bar. The failures go into
    ``failures`` as they come, when given: a run stopped midway still has them.
    Each batch's memos go to ``memos`` before its extractions to ``log``: an
    extraction the JSONL holds always has its memo.
    """
    from tqdm import tqdm

    collected = Collected(failures=[] if failures is None else failures)
    failures = collected.failures
    with tqdm(
        total=total,
        unit="file",
        desc="extracting",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    ) as bar:
        for task, batch in work:
            if memos is not None:
                with writing(memos.path):
                    for memo in batch.memos:
                        memos.append_memo(memo)
            for source, record, line in batch.extractions:
                if task.articles and memos is not None:  # corpus memory's second pass
                    log.replace(source, record, line)
                    with writing(memos.path):
                        memos.append_applied((source, record), task.digest)
                    collected.remembered += 1
                else:
                    log.append(source, record, line)
            collected.skipped += batch.skipped
            for failure in batch.failures:
                failures.append(failure)
                if on_failure is not None:
                    on_failure(failure)
            if batch.last and task.shard == 0:
                bar.update(len(task.files))
                bar.set_postfix(articles=len(log), failed=len(failures), refresh=False)
    return collected


def graph_of(extractions: str | Path, *, include_articles: bool = False) -> KnowledgeGraph:
    """The graph of a run's JSONL, read line by line, with its Louvain ``community`` node
    attribute, so Gephi can colour by community the moment the file opens."""
    kg = build_graph(read_extractions(extractions), include_articles=include_articles)
    analysis.mark_communities(kg)
    return kg


def export_graph(
    kg: KnowledgeGraph, folder: str | Path
) -> tuple[list[Path], dict[str, Any], list[Failure]]:
    """Every export and ``summary.json``, each atomic; a format that fails is recorded, the others written.

    The formats are written one after the other, in this process: writing
    them in forked processes at once was measured a few seconds faster on a
    large corpus, but each fork copies the graph's pages as it reads them (for
    Python's reference counts), which made the peak memory grow with the graph.
    """
    folder = Path(folder)
    written: list[Path] = []
    failures: list[Failure] = []
    with export.flattened_once(kg):
        for fmt in ("graphml", "gexf", "json", "csv"):
            try:
                written.extend(kg.write(folder, formats=[fmt]))
            except Exception as error:  # noqa: BLE001  one format failing must not cost the others
                failures.append(Failure.of(_failed_file(error, folder / f"graph.{fmt}"), "export", error))
    summary = kg.summary()
    try:
        with atomic_open(folder / SUMMARY) as handle:
            json.dump(summary, handle, ensure_ascii=False, indent=2)
        written.append(folder / SUMMARY)
    except OSError as error:
        failures.append(Failure.of(str(folder / SUMMARY), "export", error))
    return written, summary, failures


def _failed_file(error: BaseException, default: Path) -> str:
    """The file an export error names (an ExportError's ``path``), else ``default``.

    Not every exception has a ``path``, and some have one that is None
    (``ModuleNotFoundError``): the record names the file being written then.
    """
    path = getattr(error, "path", None)
    return path if isinstance(path, str) and path else str(default)


def write_errors(path: str | Path, failures: Iterable[Failure]) -> Path:
    """``errors.jsonl``: one failure a line, sorted; an empty file when nothing failed.

    A run stopped midway ends it with the record of why (stage ``run``), after
    the failures so far.
    """
    ordered = sorted(set(failures), key=lambda f: (f.stage == "run", f.file, f.stage, f.error_type, f.message))
    with writing(path), atomic_open(path) as handle:
        for failure in ordered:
            handle.write(failure.model_dump_json() + "\n")
    return Path(path)
