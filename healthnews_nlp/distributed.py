"""Extraction over a Dask cluster, reduced into the same KnowledgeGraph as a local run.

.. code-block:: python

    from dask.distributed import Client, LocalCluster
    from healthnews_nlp.distributed import extract_corpus

    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        kg = extract_corpus(["corpus/"], client=client)

Needs the ``dask`` extra (``pip install 'healthnews-nlp[dask]'``), and the
package installed on every worker. The work is cut into the tasks of a local
run (:func:`healthnews_nlp.run.plan`: a few small files each, large
collections split by record); a worker plugin loads the pipeline once per
worker, and every task on that worker uses it. Results come back as they are
made and go through the same JSONL log as a local run, which is put in
canonical order before the graph is built: the graph equals the one
``healthnews-nlp graph`` builds from the same files.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from healthnews_nlp.errors import requires_extra
from healthnews_nlp.graph import KnowledgeGraph
from healthnews_nlp.run import (
    ERRORS,
    EXTRACTIONS,
    Batch,
    ExtractionLog,
    Failure,
    Settings,
    Task,
    collect,
    graph_of,
    plan,
    run_task,
    write_errors,
)

with requires_extra("dask", "healthnews_nlp.distributed (extraction on a Dask cluster)"):
    from distributed import Client, WorkerPlugin, as_completed, get_worker

__all__ = ["PLUGIN_NAME", "PipelinePlugin", "extract_corpus"]

logger = logging.getLogger("healthnews_nlp")

PLUGIN_NAME = "healthnews-nlp-pipeline"


class PipelinePlugin(WorkerPlugin):
    """Loads the pipeline once on each worker, when the plugin is registered or the worker starts."""

    name = PLUGIN_NAME

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.nlp: Any = None

    def setup(self, worker: Any) -> None:
        self.nlp = self.settings.ready()


def _run_on_worker(task: Task) -> Batch:
    """One task on a Dask worker, with the worker's pipeline; the whole result as one batch."""
    plugin = get_worker().plugins[PLUGIN_NAME]
    assert isinstance(plugin, PipelinePlugin)
    batches = list(run_task(task, plugin.nlp, plugin.settings.batch_size))
    return Batch(
        extractions=tuple(row for batch in batches for row in batch.extractions),
        failures=tuple(failure for batch in batches for failure in batch.failures),
        last=True,
        skipped=sum(batch.skipped for batch in batches),
    )


def extract_corpus(
    paths: str | Path | Iterable[str | Path],
    client: Client,
    *,
    settings: Settings | None = None,
    include_articles: bool = False,
    output: str | Path | None = None,
    fresh: bool = False,
) -> KnowledgeGraph:
    """Extract every article under ``paths`` on the cluster of ``client`` and build the graph.

    Parameters
    ----------
    paths
        Files or folders, read by the workers (they must see the same paths).
    client
        A ``dask.distributed.Client``.
    settings
        The pipeline every worker loads (backend, options, lexicons).
    include_articles
        Add article nodes, as ``build_graph`` does.
    output
        A folder to keep ``extractions.jsonl`` and ``errors.jsonl`` in; a run
        into a folder that holds extractions resumes from them. By default a
        temporary folder, removed at the end.
    fresh
        Start over instead of resuming from ``output``.

    Returns
    -------
    KnowledgeGraph
        Equal to the graph of a local run over the same files. Files or
        articles that failed are logged (logger ``healthnews_nlp``) and, with
        ``output``, written to ``errors.jsonl``.
    """
    settings = settings or Settings()
    client.register_plugin(PipelinePlugin(settings), name=PLUGIN_NAME)
    with contextlib.ExitStack() as stack:
        folder = (
            Path(output)
            if output is not None
            else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        )
        log = stack.enter_context(
            ExtractionLog(folder / EXTRACTIONS, fresh=fresh, pipeline=settings.fingerprint())
        )
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        tasks = plan(paths, log, jobs=workers, files_per_task=settings.batch_size)
        total = sum(len(t.files) for t in tasks if t.shard == 0)
        collected = collect(_results(client, tasks), log, total=total)
        failures = collected.failures
        log.finish()
        if output is not None:
            write_errors(folder / ERRORS, failures)
        if failures:
            report = "\n".join(f"  {f.file}: {f.stage}: {f.message}" for f in failures)
            logger.warning("%d file(s) or article(s) failed:\n%s", len(failures), report)
        if collected.skipped:
            logger.info("%d crawl record(s) skipped, not HTML", collected.skipped)
        return graph_of(log.path, include_articles=include_articles)


def _results(client: Client, tasks: list[Task]) -> Iterator[tuple[Task, Batch]]:
    """Each task's batch as it completes; a task that raised (a lost worker) fails its files."""
    futures = client.map(_run_on_worker, tasks, pure=False)
    task_of = dict(zip(futures, tasks))
    for future, result in as_completed(futures, with_results=True, raise_errors=False):  # type: ignore[no-untyped-call]
        task = task_of.pop(future)
        future.release()
        if isinstance(result, Batch):
            yield task, result
        else:
            error = task_error(result)
            yield (
                task,
                Batch(
                    failures=tuple(Failure.of(f.source, "extract", error) for f in task.files),
                    last=True,
                ),
            )


def task_error(result: object) -> BaseException:
    """The exception of a task that failed, from what ``as_completed(raise_errors=False)`` gives.

    That is ``(type, exception, traceback)``: the exception is recorded with its own
    type (``KilledWorker`` when the workers running the task kept dying), not as a
    RuntimeError wrapping the tuple.
    """
    if isinstance(result, BaseException):
        return result
    if isinstance(result, tuple) and len(result) == 3 and isinstance(result[1], BaseException):
        return result[1]
    return RuntimeError(f"the task ended without a result: {result!r}")
