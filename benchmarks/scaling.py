"""``make bench-scaling``: time and memory of ``healthnews-nlp graph`` against the length of one record.

Each size is one JSONL record of random Chinese text (the characters of the
seed articles, drawn at their frequencies; no punctuation by default, the worst
case: the whole record is one run without a sentence end). Each record goes
through ``healthnews-nlp graph FILE -o OUT --jobs 1`` in a child process of
its own, from the file to every export written, model load included; its wall
time and peak RSS (``wait4``) are printed per size, then the fitted slope:
seconds per MB (least squares) and the exponent of a log-log fit of the time
against the size (1 is linear, 2 quadratic). The exponent is fitted to the time
past the fixed cost of a run (loading the model, writing empty exports),
measured on a 1 KB record first: with it, short runs would look sublinear.

    .venv/bin/python benchmarks/scaling.py [--sizes 0.1 0.25 0.5 1 1.5 2] [--punctuation 0.05]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent / "seeds"
MB = 1_000_000
SENTENCE_ENDS = "，。、；"


def character_pool(seeds: Path = SEEDS) -> tuple[list[str], list[int]]:
    """The Chinese characters of the seed articles and how often each occurs."""
    counts = Counter(
        char
        for path in sorted(seeds.glob("*.txt"))
        for char in path.read_text(encoding="utf-8")
        if "\u4e00" <= char <= "\u9fff"
    )
    chars = sorted(counts)
    return chars, [counts[c] for c in chars]


def random_cjk(size: int, *, seed: int = 0, punctuation: float = 0.0) -> str:
    """``size`` bytes (UTF-8) of random Chinese, a share ``punctuation`` of it commas and full stops."""
    rng = random.Random(seed)
    chars, weights = character_pool()
    length = size // 3
    text = rng.choices(chars, weights, k=length)
    for index in range(length):
        if rng.random() < punctuation:
            text[index] = rng.choice(SENTENCE_ENDS)
    return "".join(text)


@dataclass(frozen=True)
class Measure:
    megabytes: float
    #: wall time, and the CPU time of the run (user + system: what other load on the machine
    #: does not inflate)
    seconds: float
    cpu_seconds: float
    peak_mb: float
    articles: str


def run_graph(record: Path, out: Path) -> Measure:
    """One ``healthnews-nlp graph`` run over ``record``, timed, its peak RSS from ``wait4``."""
    command = [sys.executable, "-m", "healthnews_nlp.cli", "graph", str(record), "-o", str(out)]
    command += ["--jobs", "1", "--no-progress"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        printed = output.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"graph failed on {record} (exit {process.returncode}):\n{printed}")
    summary = next((line for line in printed.splitlines() if "article(s)" in line), "")
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(record.stat().st_size / MB, seconds, cpu, usage.ru_maxrss / 1024, summary)


def fit(xs: list[float], ys: list[float], fixed: float) -> tuple[float, float, float]:
    """Seconds per MB and intercept (least squares), and the exponent of the log-log fit past ``fixed``."""
    slope, intercept = _least_squares(xs, ys)
    work = [(math.log(x), math.log(y - fixed)) for x, y in zip(xs, ys) if y > fixed]
    exponent, _ = _least_squares([x for x, _ in work], [y for _, y in work])
    return slope, intercept, exponent


def _least_squares(xs: list[float], ys: list[float]) -> tuple[float, float]:
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread
    return slope, mean_y - slope * mean_x


def measure_size(work: Path, size: float, punctuation: float) -> Measure:
    """A record of ``size`` MB written under ``work`` and run through ``graph``."""
    record = work / f"record-{size}.jsonl"
    text = random_cjk(int(size * MB), seed=int(size * 1000), punctuation=punctuation)
    record.write_text(json.dumps({"title": "随机", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    return run_graph(record, work / f"out-{size}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.1, 0.25, 0.5, 1.0, 1.5, 2.0])
    parser.add_argument("--punctuation", type=float, default=0.0, help="share of commas and stops")
    args = parser.parse_args()
    measures: list[Measure] = []
    print(f"one JSONL record of random Chinese (punctuation {args.punctuation:.0%}) through "
          "`healthnews-nlp graph --jobs 1`, load included")
    print(f"{'MB':>6} {'seconds':>8} {'cpu s':>7} {'s/MB':>6} {'peak MB':>8}  output")
    with tempfile.TemporaryDirectory() as work:
        fixed = measure_size(Path(work), 0.001, args.punctuation)
        print(f"fixed cost (a 1 KB record): {fixed.seconds:.1f} s ({fixed.cpu_seconds:.1f} s CPU), "
              f"{fixed.peak_mb:.0f} MB")
        for size in args.sizes:
            measure = measure_size(Path(work), size, args.punctuation)
            measures.append(measure)
            print(f"{measure.megabytes:6.2f} {measure.seconds:8.1f} {measure.cpu_seconds:7.1f} "
                  f"{measure.seconds / measure.megabytes:6.1f} {measure.peak_mb:8.0f}  {measure.articles}",
                  flush=True)
    if len(measures) < 2:
        return
    sizes = [m.megabytes for m in measures]
    for what, times, fixed_time in (
        ("wall", [m.seconds for m in measures], fixed.seconds),
        ("CPU", [m.cpu_seconds for m in measures], fixed.cpu_seconds),
    ):
        slope, intercept, exponent = fit(sizes, times, fixed_time)
        print(f"fit ({what} time): {slope:.1f} s per MB (+ {intercept:.1f} s), "
              f"log-log exponent {exponent:.2f} (1 = linear, 2 = quadratic)")


if __name__ == "__main__":
    main()
