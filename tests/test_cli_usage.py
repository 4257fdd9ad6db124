"""The command line as a tool: help for everything, ``--version``, checked arguments, exit codes.

Each mistake a user can make gets one line on stderr naming what is wrong and
an exit code from the table of ``healthnews-nlp --help``: 2 for a usage error,
3 for a model that does not load; never a traceback, never all-zero scores.
The commands run in process through ``cli.main``, with the real LAC model.
"""

from __future__ import annotations

import argparse
import json
import shutil
from importlib import metadata
from pathlib import Path

import pytest

import healthnews_nlp as hn
from healthnews_nlp.cli import DESCRIPTION, EXIT_CODES, build_parser, main
from healthnews_nlp.run import PIPELINE

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ONE_SEED = SEEDS / "002_e6ba134a9c8dccee.txt"
COMMANDS = ("ingest", "extract", "evaluate", "graph", "eval-table", "bench-ner", "bench-partners")


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """``main(argv)``: the exit code (argparse's own exits included), stdout and stderr."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


# --- help and version --------------------------------------------------------------------------


def test_the_top_level_help_describes_the_tool_and_its_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "Entities, partnerships and a knowledge graph from Chinese health-industry news" in out
    assert "thin commands over the library" not in out  # not the module's docstring
    for command in COMMANDS:
        assert command in out
    assert "exit codes:" in out and "130" in out
    for line in EXIT_CODES.splitlines()[1:]:
        assert line.strip() in out
    assert DESCRIPTION.splitlines()[0] in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_and_option_has_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = subparsers()[command]
    assert parser.description and len(parser.description) > 40
    for action in parser._actions:
        assert action.help and action.help != argparse.SUPPRESS, (
            f"{command} {action.option_strings or action.dest}"
        )
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "exit codes:" in out
    if any("-o" in a.option_strings for a in parser._actions):
        assert "-o" in out and "(default: out" in out


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert (
        out.strip()
        == f"healthnews-nlp {hn.__version__}"
        == f"healthnews-nlp {metadata.version('healthnews-nlp')}"
    )


# --- arguments checked before anything runs ----------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["graph", SEEDS, "--jobs", "-1"],
            "argument -j/--jobs: '-1': give 0 (every core) or a number of cores",
        ),
        (["extract", SEEDS, "-j", "two"], "argument -j/--jobs: 'two'"),
        (
            ["bench-ner", "msra_ner", "--limit", "0"],
            "argument --limit: '0': give a number of 1 or more",
        ),
        (
            ["graph", SEEDS, "--labels", "/nonexistent/labels.tsv"],
            "argument --labels: no such file: /nonexistent",
        ),
        (
            ["graph", SEEDS, "--lexicon-dir", "/nonexistent"],
            "argument --lexicon-dir: no such folder: /nonexistent",
        ),
        (
            ["evaluate", "--gold", "/nonexistent", ONE_SEED],
            "argument --gold: no such folder: /nonexistent",
        ),
        (
            ["evaluate", "--gold", SEEDS, "/nonexistent.jsonl"],
            "argument PREDICTIONS: no such file: /nonexistent.jsonl",
        ),
        (["graph"], "the following arguments are required: PATH"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_arguments_are_usage_errors(
    argv: list[str | Path],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing may be written in the repository
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # refused before any output


def test_a_label_file_that_does_not_read_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = tmp_path / "labels.tsv"
    labels.write_text("PER\tPEOPLE\n", encoding="utf-8")
    code, _, err = run(
        capsys, "extract", ONE_SEED, "-o", tmp_path / "out" / "x.jsonl", "--labels", labels
    )
    assert code == 2
    assert f"argument --labels: {labels}:1: expected BACKEND_LABEL<TAB>TARGET" in err


# --- the options that reach the pipeline -------------------------------------------------------


def test_labels_from_the_command_line_reach_the_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--labels FILE`` used to die in spaCy's config (a Path is not JSON serialisable)."""
    labels = tmp_path / "labels.tsv"
    labels.write_text("PER\tPERSON\nORG\tORG\nLOC\tLOC\nTIME\tTIME\n", encoding="utf-8")
    output = tmp_path / "out" / "x.jsonl"
    code, out, err = run(capsys, "extract", ONE_SEED, "-o", output, "--labels", labels, "-j", "1")
    assert code == 0, err
    assert "1 article(s) extracted" in out
    fingerprint = json.loads((output.parent / "x.pipeline.json").read_text(encoding="utf-8"))
    assert fingerprint["backend_options"] == {"labels": str(labels)}


def test_load_takes_paths_for_labels_and_lexicons(tmp_path: Path) -> None:
    """A ``pathlib.Path`` in ``backend_options`` or as ``lexicon_dir`` (spaCy's config wants str)"""
    people_only = tmp_path / "people.tsv"
    people_only.write_text("PER\tPERSON\n", encoding="utf-8")
    lexicons = tmp_path / "lexicons"
    lexicons.mkdir()
    (lexicons / "titles.txt").write_text("首席健康官\n", encoding="utf-8")
    nlp = hn.load(backend_options={"labels": people_only}, lexicon_dir=lexicons)
    text = "国务院总理李鹏今天在北京会见了美国客人。"
    (analysis,) = nlp.tokenizer.backend.analyze([text])  # type: ignore[attr-defined]
    assert [(text[e.start : e.end], e.label) for e in analysis.entities] == [("李鹏", "PERSON")]
    assert "首席健康官" in nlp.get_pipe("healthnews_ner").lexicons.titles
    with pytest.raises(ValueError, match="nowhere: no such folder of lexicons"):
        hn.load(lexicon_dir=tmp_path / "nowhere")


def test_lexicon_dir_reaches_the_pipeline_of_extract_and_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lexicons = tmp_path / "lexicons"
    lexicons.mkdir()
    (lexicons / "titles.txt").write_text("首席健康官\n", encoding="utf-8")
    code, _, err = run(
        capsys, "graph", ONE_SEED, "-o", tmp_path / "out", "--lexicon-dir", lexicons, "-j", "1"
    )
    assert code == 0, err
    fingerprint = json.loads((tmp_path / "out" / PIPELINE).read_text(encoding="utf-8"))
    assert fingerprint["lexicon_dir"] == str(lexicons) and fingerprint["lexicons"]


@pytest.fixture
def benchmark_files(tmp_path: Path) -> dict[str, Path]:
    """A two-sentence MSRA file and a one-instance FinRE file, in their own formats."""
    msra = tmp_path / "msra.txt"
    msra.write_text(
        "".join(
            f"{c}\t{t}\n" for c, t in zip("张三在北京", ["B-PER", "I-PER", "O", "B-LOC", "I-LOC"])
        )
        + "\n"
        + "".join(f"{c}\t{t}\n" for c, t in zip("腾讯好", ["B-ORG", "I-ORG", "O"])),
        encoding="utf-8",
    )
    finre = tmp_path / "finre.txt"
    finre.write_text("腾讯\t华为\t合作\t腾讯与华为达成战略合作。\n", encoding="utf-8")
    lexicons = tmp_path / "lexicons"
    lexicons.mkdir()
    (lexicons / "titles.txt").write_text("首席健康官\n", encoding="utf-8")
    return {"msra": msra, "finre": finre, "lexicons": lexicons}


def test_the_benchmarks_take_their_data_and_the_pipeline_options(
    benchmark_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    lexicons = benchmark_files["lexicons"]
    code, out, err = run(
        capsys,
        "bench-ner",
        "msra_ner",
        "--data",
        benchmark_files["msra"],
        "--lexicon-dir",
        lexicons,
        "--json",
    )
    assert code == 0, err
    assert set(json.loads(out)) == {"lac alone", "full pipeline (lac)"}
    code, out, err = run(
        capsys,
        "bench-partners",
        "--data",
        benchmark_files["finre"],
        "--lexicon-dir",
        lexicons,
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["instances"] == 1


# --- mistakes that used to end in a traceback or in zero scores --------------------------------


def test_benchmarks_without_their_data_say_where_they_looked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ../shared/benchmarks from here
    for argv in (["bench-ner", "msra_ner"], ["bench-partners"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "Traceback" not in err
        assert (
            "../shared/benchmarks/" in err
            and "pass the file with --data, or their folder with --root" in err
        )


def test_benchmark_data_in_the_wrong_format_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "finre.txt"
    broken.write_text("only two\tfields\n", encoding="utf-8")
    code, _, err = run(capsys, "bench-partners", "--data", broken)
    assert code == 2 and f"{broken}:1: expected head, tail, relation and sentence" in err


def test_evaluate_on_a_file_that_is_not_predictions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_text(
        json.dumps({"article": "a.txt", "entities": [], "relations": []}), encoding="utf-8"
    )
    code, out, err = run(capsys, "evaluate", "--gold", gold, ONE_SEED)
    assert code == 2 and f"{ONE_SEED}:2: not a prediction: not a line of JSON" in err and not out
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(capsys, "evaluate", "--gold", empty, ONE_SEED)
    assert code == 2 and "no gold files (*.json) in this folder" in err and not out
    other = tmp_path / "other.jsonl"
    other.write_text(
        json.dumps({"article": "b.txt", "entities": [], "relations": []}) + "\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "evaluate", "--gold", gold, other)
    assert code == 2 and "none of its 1 article(s) has a gold file" in err and "P=0.000" not in out


def test_eval_table_outside_the_repository_names_the_missing_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "eval-table")
    assert code == 2 and not out  # no table of zeros
    assert "argument --gold: no such folder: ../shared/gold (relative to the current folder" in err
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_text(
        json.dumps({"article": "a.txt", "entities": [], "relations": []}), encoding="utf-8"
    )
    (tmp_path / "seeds").mkdir()
    code, out, err = run(capsys, "eval-table", "--gold", gold)
    assert code == 2 and "seeds: no article could be read from it (--seeds)" in err and not out


@pytest.mark.parametrize(
    ("command", "output", "message"),
    [
        ("graph", "page.html", "-o {out}: this is a file; the command writes a folder of files"),
        ("extract", "page.html", "-o {out}: this is an input file; it would be overwritten"),
        ("ingest", "page.html", "-o {out}: this is an input file; it would be overwritten"),
        ("extract", "folder", "-o {out}: this is a folder; the command writes one file"),
        ("extract", "page.html/x.jsonl", "-o {out}: {page} is a file, not a folder"),
        ("graph", "page.html/out", "-o {out}: {page} is a file, not a folder"),
        (
            "graph",
            "corpus/out",
            "-o {out}: this is inside the input folder {corpus}; the next run would read",
        ),
        ("extract", "corpus/x.jsonl", "-o {out}: this is inside the input folder {corpus}"),
    ],
)
def test_an_output_that_would_overwrite_or_feed_an_input_is_refused(
    command: str, output: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    shutil.copy(ONE_SEED, page)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ONE_SEED, corpus / ONE_SEED.name)
    (tmp_path / "folder").mkdir()
    inputs = [corpus] if output.startswith("corpus") else [page]
    out = tmp_path / output
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    code, _, err = run(capsys, command, *inputs, "-o", out)
    assert code == 2 and message.format(out=out, corpus=corpus, page=page) in err
    assert "Traceback" not in err
    assert {
        p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
    } == before  # nothing written


def test_a_model_that_does_not_load_exits_3_in_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-model"
    msra = tmp_path / "msra.txt"
    msra.write_text("张\tB-PER\n三\tI-PER\n", encoding="utf-8")
    for argv in (
        ["extract", ONE_SEED, "-o", tmp_path / "x.jsonl", "-j", "1"],
        ["graph", ONE_SEED, "-o", tmp_path / "out", "-j", "1"],
        ["bench-ner", "msra_ner", "--data", msra],
    ):
        code, _, err = run(capsys, *argv, "--model", missing)
        assert code == 3, (argv, err)
        assert "LAC model files missing in" in err and "Traceback" not in err
