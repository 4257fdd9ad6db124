"""``healthnews_nlp.distributed.extract_corpus`` on a Dask LocalCluster equals the local run.

Two in-process workers (``processes=False``), one pipeline each, the real LAC
model; the graph they give is compared with the graph of ``healthnews-nlp
graph`` on the same files: the same GraphML bytes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from run_support import FAIL_MARK, SEEDS, FaultySettings, mark

from healthnews_nlp.distributed import PLUGIN_NAME, extract_corpus
from healthnews_nlp.run import ERRORS, EXTRACTIONS, PIPELINE, run_graph


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local")
    run_graph([SEEDS], out)
    return out


def test_the_cluster_builds_the_graph_of_the_local_run(
    client: Client, local: Path, tmp_path: Path
) -> None:
    kg = extract_corpus([SEEDS], client=client)
    kg.write(tmp_path / "graph.graphml")
    assert (tmp_path / "graph.graphml").read_bytes() == (local / "graph.graphml").read_bytes()
    assert json.loads(json.dumps(kg.summary())) == json.loads(
        (local / "summary.json").read_text(encoding="utf-8")
    )
    pipelines = client.run(lambda dask_worker: id(dask_worker.plugins[PLUGIN_NAME].nlp))
    assert len(set(pipelines.values())) == 2  # one pipeline per worker


def test_the_cluster_writes_the_same_jsonl_and_resumes_from_it(
    client: Client, local: Path, tmp_path: Path
) -> None:
    first = (local / EXTRACTIONS).read_bytes().splitlines(keepends=True)
    (tmp_path / EXTRACTIONS).write_bytes(first[3] + first[0])  # two articles done already
    shutil.copy(local / PIPELINE, tmp_path)  # by the same pipeline
    kg = extract_corpus([SEEDS], client=client, output=tmp_path)
    assert (tmp_path / EXTRACTIONS).read_bytes() == (local / EXTRACTIONS).read_bytes()
    assert (tmp_path / ERRORS).read_bytes() == b""
    assert len(kg.articles) == 5
    assert extract_corpus([SEEDS], client=client, output=tmp_path) is not None  # all resumed
    assert (tmp_path / EXTRACTIONS).read_bytes() == (local / EXTRACTIONS).read_bytes()


def test_failures_on_the_cluster_are_reported(
    client: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    mark(next(SEEDS.glob("001_*.txt")), corpus / "009_fails.txt", FAIL_MARK)
    kg = extract_corpus(
        [corpus], client=client, settings=FaultySettings(batch_size=2), output=tmp_path / "out"
    )
    (error,) = [
        json.loads(line)
        for line in (tmp_path / "out" / ERRORS).read_text(encoding="utf-8").splitlines()
    ]
    assert error == {
        "file": str(corpus / "009_fails.txt"),
        "stage": "extract",
        "error_type": "ValueError",
        "message": "injected fault",
    }
    assert len(kg.articles) == 5
    assert "009_fails.txt: extract: injected fault" in caplog.text
