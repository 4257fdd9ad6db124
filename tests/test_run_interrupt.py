"""A ``healthnews-nlp graph`` run killed in the middle, then run again: no partial export, nothing twice.

The command runs in a child process (the console entry point through
``python -m healthnews_nlp.cli``) on the test corpus (``make_corpus``, at
least 60 files with or without ../shared), with the real LAC model, and is sent SIGINT or SIGKILL once its
JSONL holds some lines. The folder must then hold that JSONL (and the
fingerprint of the pipeline that made it) only: no export, no temporary file. Run again, the command resumes from it, and every
file it writes equals the files of an uninterrupted run, byte for byte. Each
run has its own hash seed, so the equality also shows the output does not
depend on Python's string hashing.
"""

from __future__ import annotations

import contextlib
import json
import gc
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fuzz_support import random_cjk
from run_support import make_corpus, output_bytes

from healthnews_nlp.run import ERRORS, EXTRACTIONS, MEMOS, OUTPUT_NAMES, PIPELINE


def graph_command(corpus: Path, out: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "healthnews_nlp.cli",
        "graph",
        str(corpus),
        "-o",
        str(out),
        *options,
    ]


def run(command: list[str], hash_seed: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=600, check=False
    )


def interrupted_record(out: Path, name: str) -> bool:
    """errors.jsonl ends with the record of the interruption, naming the JSONL that keeps the work."""
    *_, last = (json.loads(line) for line in (out / ERRORS).read_text(encoding="utf-8").splitlines())
    assert last["file"] == str(out / EXTRACTIONS), last
    assert (last["stage"], last["error_type"]) == ("run", "Interrupted"), last
    return f"stopped by {name}" in last["message"]


def count_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus"), min_files=60)


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files of an uninterrupted run."""
    out = tmp_path_factory.mktemp("reference")
    done = run(graph_command(corpus, out), hash_seed=1)
    assert done.returncode == 0, done.stderr
    return output_bytes(out)


def interrupt(
    command: list[str], out: Path, sent: signal.Signals, *, after_lines: int
) -> tuple[int, str]:
    """Start the command, send ``sent`` once the JSONL has ``after_lines`` lines; its exit code and stderr."""
    env = {**os.environ, "PYTHONHASHSEED": "2"}
    # ``with``: the stderr pipe is closed even when an assertion below fails (else a
    # ResourceWarning, an error under -W error, fails whichever test runs next)
    with subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        try:
            deadline = time.monotonic() + 300
            while count_lines(out / EXTRACTIONS) < after_lines:
                assert process.poll() is None, "the run ended before it could be interrupted"
                assert time.monotonic() < deadline, "no extractions written"
                time.sleep(0.01)
            process.send_signal(sent)
            _, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return process.returncode, err


@pytest.mark.parametrize(
    ("sent", "jobs"),
    [(signal.SIGKILL, "2"), (signal.SIGINT, "1"), (signal.SIGINT, "2")],
    ids=["sigkill-jobs2", "sigint-jobs1", "sigint-jobs2"],
)
def test_an_interrupted_run_resumes_to_the_same_files(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path, sent: signal.Signals, jobs: str
) -> None:
    total = reference[EXTRACTIONS].count(b"\n")
    command = graph_command(corpus, tmp_path, "--jobs", jobs)
    code, err = interrupt(command, tmp_path, sent, after_lines=20)
    if sent == signal.SIGKILL:
        assert code == -signal.SIGKILL
        left = [EXTRACTIONS, MEMOS, PIPELINE]
    else:
        assert (
            code == 130 and "interrupted (SIGINT)" in err and "run the same command again to resume" in err
        )
        assert "Traceback" not in err
        left = [ERRORS, EXTRACTIONS, MEMOS, PIPELINE]
        assert interrupted_record(tmp_path, "SIGINT")
    assert sorted(p.name for p in tmp_path.iterdir()) == left  # no export, no temporary file
    written = count_lines(tmp_path / EXTRACTIONS)
    assert 20 <= written < total

    again = run(command, hash_seed=3)
    assert again.returncode == 0, again.stderr
    resumed = int(re.search(r"\((\d+) from an earlier run\)", again.stdout)[1])  # type: ignore[index]
    assert written - 1 <= resumed <= written  # a line cut by SIGKILL is extracted again
    assert output_bytes(tmp_path) == reference  # each article once, the same graph
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUT_NAMES)


def test_exports_of_a_finished_run_survive_a_rerun_killed_midway(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path
) -> None:
    """Killed while extracting, a rerun with more input leaves the earlier complete exports as they were."""
    first = run(graph_command(corpus / "copy0" / "seeds", tmp_path), hash_seed=4)
    assert first.returncode == 0, first.stderr
    before = output_bytes(tmp_path)
    code, _ = interrupt(
        graph_command(corpus, tmp_path, "--jobs", "2"), tmp_path, signal.SIGKILL, after_lines=5 + 16
    )
    assert code == -signal.SIGKILL
    after = output_bytes(tmp_path)
    # the JSONL, its memos and the record of what made it (pipeline and inputs) changed: the
    # exports did not
    assert {k: v for k, v in after.items() if k not in (EXTRACTIONS, MEMOS, PIPELINE)} == {
        k: v for k, v in before.items() if k not in (EXTRACTIONS, MEMOS, PIPELINE)
    }
    assert run(graph_command(corpus, tmp_path), hash_seed=5).returncode == 0
    assert output_bytes(tmp_path) == reference


# --- no process of a run outlives it -----------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (state, ppid, …)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def workers_of(pid: int) -> list[int]:
    """The worker processes (spawned by multiprocessing) whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            spawned = b"spawn_main" in (entry / "cmdline").read_bytes()
            if spawned and int(_stat_fields(int(entry.name))[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def running(pid: int) -> bool:
    try:
        return _stat_fields(pid)[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.fixture(scope="module")
def long_tasks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two articles of 1 MB of random Chinese: a worker takes about 15 s of CPU on each."""
    folder = tmp_path_factory.mktemp("long")
    for seed in (1, 2):
        (folder / f"long{seed}.txt").write_text(f"长文{seed}\n" + random_cjk(1_000_000, seed=seed), encoding="utf-8")
    return folder


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
@pytest.mark.parametrize("sent", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_no_worker_outlives_its_run(long_tasks: Path, tmp_path: Path, sent: signal.Signals) -> None:
    """The parent killed (or terminated) while both workers are deep in a long task: within 5 s
    no worker is left. SIGTERM ends the run as Ctrl-C does: a message, errors.jsonl, exit 143.

    stderr goes to a file: a worker left running would hold a pipe open, and reading it would wait.
    """
    out, log = tmp_path / "out", tmp_path / "stderr.txt"
    with log.open("w") as stderr:
        process = subprocess.Popen(graph_command(long_tasks, out, "--jobs", "2"), stdout=subprocess.DEVNULL,
                                   stderr=stderr)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 300
        while not (len(workers) == 2 and all(cpu_seconds(w) > 3 for w in workers)):  # loaded (1.6 s), at work
            assert process.poll() is None, "the run ended before it could be stopped"
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
            workers = workers_of(process.pid)
        process.send_signal(sent)
        sent_at = time.monotonic()
        process.wait(timeout=60)
        while any(map(running, workers)) and time.monotonic() < sent_at + 5:
            time.sleep(0.05)
        assert not any(map(running, workers)), f"workers left {time.monotonic() - sent_at:.1f} s after {sent.name}"
    finally:
        for pid in [process.pid, *workers]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        process.wait()
    if sent == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
        return
    err = log.read_text(encoding="utf-8")
    assert process.returncode == 143, err
    assert "interrupted (SIGTERM)" in err and "Traceback" not in err
    assert interrupted_record(out, "SIGTERM")
def test_the_interrupt_helper_closes_its_pipe_when_the_run_ends_too_soon(tmp_path: Path) -> None:
    """An open stderr pipe made a ResourceWarning (an error here) fail whichever test came next."""
    with pytest.raises(AssertionError, match="the run ended before it could be interrupted"):
        interrupt([sys.executable, "-c", "pass"], tmp_path, signal.SIGINT, after_lines=1)
    gc.collect()  # an unclosed pipe would warn now, in this test
