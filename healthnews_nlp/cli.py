"""Command line: thin commands over the library (``healthnews-nlp --help``).

Every command's own mistakes end in one line on stderr and an exit code
(:data:`EXIT_CODES`, printed by ``--help`` and given in the README), never in
a traceback: 2 for what the user can fix in the command (argparse's own
convention), 3 for a model or backend that does not load, 1 when some input
failed while the rest went through.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthnews_nlp import __version__
from healthnews_nlp.atomic import atomic_open
from healthnews_nlp.errors import HealthNewsError, ModelNotAvailableError, describe, requires_extra
from healthnews_nlp.ingest.readers import read_articles
from healthnews_nlp.models import Article, ArticleExtraction

if TYPE_CHECKING:  # pragma: no cover
    from healthnews_nlp.run import RunReport

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_OUTPUT = 4
EXIT_INTERRUPTED = 130

DESCRIPTION = """\
Entities, partnerships and a knowledge graph from Chinese health-industry news.

Reads articles (plain-text or HTML pages, JSONL or CSV collections; simplified or
traditional Chinese), finds the organizations, people, places and events in them and
the relations between them (partnerships, who works for whom, who organizes or takes
part in what), and writes a knowledge graph for Gephi (GraphML, GEXF), JSON and CSV.
Everything runs offline. Start with:  healthnews-nlp graph ARTICLES... -o out/
"""

EXIT_CODES = """\
exit codes:
  0    everything went through
  1    some input failed (a file or article that could not be read or analysed,
       or an export that could not be written): each is reported on stderr and
       listed in errors.jsonl; the rest was written
  2    usage error: a bad option or argument, a file or folder the command needs
       that does not exist or is not what it should be (gold folder, predictions,
       benchmark data, label file, lexicon folder), an output path that is an
       input or inside an input folder, an output folder in use by another run
  3    the model or backend did not load (the message says what to install or
       where to put the model)
  4    the output could not be written (a read-only folder, a full disk, a file
       size limit, a folder where an output file goes): one line naming the path
       and the reason; errors.jsonl keeps what failed, where it can be written
  130  interrupted (Ctrl-C), 143 stopped (SIGTERM): what failed so far is in errors.jsonl;
       extract and graph resume when run again
"""


class UsageError(HealthNewsError):
    """The command cannot run as given; the user can fix it in the command line (exit 2)."""


def _ingest(args: argparse.Namespace) -> int:
    from healthnews_nlp.run import folder_lock, writing

    _check_output(args.paths, args.output, folder=False)
    # the output folder's lock: a run writing there meanwhile keeps its files (a RunError: exit 2)
    with folder_lock(args.output.parent), writing(args.output):
        return _write_articles(args)


def _write_articles(args: argparse.Namespace) -> int:
    failed = 0
    count = 0
    with atomic_open(args.output) as out:
        for result in read_articles(args.paths):
            if isinstance(result, Article):
                count += 1
                line = result.model_dump_json() if args.full else json.dumps(result.summary(), ensure_ascii=False)
                out.write(line + "\n")
                print(f"{result.source}: {result.format}, {result.date or 'no date'}, {result.title}")
            else:
                failed += 1
                print(f"error: {result.source}: {result.message}", file=sys.stderr)
    print(f"{count} article(s) written to {args.output}; {failed} failed")
    return 1 if failed else 0


def _write_extractions(extractions: Iterable[ArticleExtraction], output: Path) -> int:
    count = 0
    with atomic_open(output) as out:
        for extraction in extractions:
            out.write(extraction.model_dump_json() + "\n")
            count += 1
    return count


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of ``run.run_extract``/``run_graph`` from the shared command-line options."""
    from tqdm import tqdm

    from healthnews_nlp.run import Failure, Settings

    def report(failure: Failure) -> None:
        tqdm.write(f"error: {failure.file}: {failure.message}", file=sys.stderr)  # above a progress bar

    progress = sys.stderr.isatty() if args.progress is None else args.progress
    return {
        "jobs": args.jobs,
        "settings": Settings(
            backend=args.backend,
            backend_options=_backend_options(args),
            lexicon_dir=_lexicon_dir(args),
        ),
        "fresh": args.fresh,
        "memory": args.memory,
        "progress": progress,
        "on_failure": report,
    }


def _note_restart(run: RunReport) -> None:
    if run.restarted:
        print(
            f"note: {run.output} was made by another pipeline (code, backend or lexicons changed): "
            "extracted everything again",
            file=sys.stderr,
        )


def _failed(count: int, errors: Path, run: RunReport) -> str:
    skipped = f"; {run.skipped} crawl record(s) skipped, not HTML" if run.skipped else ""
    remembered = f"; {run.remembered} made again with corpus memory" if run.remembered else ""
    return f"{count} failed" + (f", listed in {errors}" if count else "") + skipped + remembered


def _interrupted(output: Path, errors: Path, stop: KeyboardInterrupt) -> int:
    """Ctrl-C or SIGTERM: say so; exit 128 + the signal's number (130 for SIGINT, 143 for SIGTERM)."""
    from healthnews_nlp.run import interrupting_signal

    signal = interrupting_signal(stop)
    print(
        f"interrupted ({signal.name}): what was extracted is in {output}, what failed so far in "
        f"{errors}; run the same command again to resume",
        file=sys.stderr,
    )
    return 128 + signal.value


def _extract(args: argparse.Namespace) -> int:
    from healthnews_nlp.run import ERRORS, run_extract

    _check_output(args.paths, args.output, folder=False)
    errors = args.output.parent / ERRORS
    try:
        report = run_extract(args.paths, args.output, errors=errors, **_run_options(args))
    except KeyboardInterrupt as stop:
        return _interrupted(args.output, errors, stop)
    _note_restart(report)
    resumed = f" ({report.resumed} from an earlier run)" if report.resumed else ""
    outcome = _failed(len(report.failures), errors, report)
    print(f"{report.articles} article(s) extracted to {args.output}{resumed}; {outcome}")
    return 1 if report.failures else 0


def _evaluate(args: argparse.Namespace) -> int:
    from healthnews_nlp.evaluate import load_gold, load_predictions, score

    gold = load_gold(args.gold)
    if args.cross_validate:
        args.predictions = _cross_validated_predictions(args, gold)
    elif args.predictions is None:
        raise UsageError("evaluate: give the PREDICTIONS to score, or --cross-validate")
    predictions = load_predictions(args.predictions)
    if not gold.keys() & predictions.keys():
        raise UsageError(
            f"{args.predictions}: none of its {len(predictions)} article(s) has a gold file in "
            f"{args.gold}: nothing to score (are these the predictions for that gold?)"
        )
    scores = score(gold, predictions)
    output: dict[str, Any] = scores.to_dict()
    text = scores.format_table()
    if args.per_article or args.errors:
        from healthnews_nlp.evaluate_errors import article_reports, format_reports

        reports = article_reports(gold, args.predictions, _article_texts(args.articles))
        output["articles"] = [report.to_dict() for report in reports]
        text = format_reports(reports, errors=args.errors) + "\n" + text
    if args.calibration:
        from healthnews_nlp.evaluate_errors import format_calibration, relation_calibration

        output["calibration"] = relation_calibration(gold, args.predictions)
        text += "\n" + format_calibration(output["calibration"])
    print(json.dumps(output, ensure_ascii=False) if args.json else text)
    return 0


def _cross_validated_predictions(args: argparse.Namespace, gold: dict[str, Any]) -> Path:
    """Extract the gold articles by models that never saw them; the JSONL written (``-o``)."""
    if args.predictions is not None:
        raise UsageError("evaluate --cross-validate makes its own predictions: give no PREDICTIONS")
    if not args.articles or len(args.articles) != 1 or not args.articles[0].is_dir():
        raise UsageError("evaluate --cross-validate needs --articles DIR: the folder of the gold's articles")
    with requires_extra("train", "evaluate --cross-validate"):
        from healthnews_nlp.training.crossval import out_of_fold_extractions

    try:
        extractions = out_of_fold_extractions(args.articles[0], gold)
    except ValueError as error:
        raise UsageError(str(error)) from error
    output: Path = args.output or Path("out") / "cross-validated.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    _write_extractions(extractions, output)
    print(f"cross-validated predictions written to {output}", file=sys.stderr)
    return output


def _article_texts(paths: list[Path] | None) -> dict[str, str]:
    """The clean text of every article read from ``paths``, keyed as scoring keys them."""
    from healthnews_nlp.ingest.readers import read_articles
    from healthnews_nlp.models import Article

    texts = {}
    for article in read_articles(*(paths or [])):
        if isinstance(article, Article):
            texts[article.name] = article.text
    return texts


def _eval_table(args: argparse.Namespace) -> int:
    """Entity (and relation) scores on the gold set for the backends alone and the full pipeline."""
    import tempfile

    from healthnews_nlp.baselines import backend_extractions
    from healthnews_nlp.evaluate import load_gold, load_predictions, score
    from healthnews_nlp.nlp.extraction import extract

    gold = load_gold(args.gold)
    articles = [a for a in read_articles(args.seeds) if isinstance(a, Article)]
    if not articles:
        raise UsageError(f"{args.seeds}: no article could be read from it (--seeds)")
    systems = {
        "LAC alone": backend_extractions(articles, "lac"),
        "jieba alone": backend_extractions(articles, "jieba"),
        "full pipeline (lac)": extract(articles),
    }
    rows = ["| system | part | type | P | R | F1 |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as scratch:
        for system, extractions in systems.items():
            path = Path(scratch) / "pred.jsonl"
            _write_extractions(extractions, path)
            result = score(gold, load_predictions(path)).to_dict()
            for part in ("entities", "relations"):
                if part == "relations" and system != "full pipeline (lac)":
                    continue
                for label, s in result[part].items():
                    rows.append(f"| {system} | {part} | {label} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} |")
    print("\n".join(rows))
    return 0


def _graph(args: argparse.Namespace) -> int:
    """The whole flow: files → articles → extractions (JSONL, as made) → graph → exports, errors.jsonl."""
    from healthnews_nlp.run import ERRORS, EXTRACTIONS, run_graph

    out: Path = args.output
    _check_output(args.paths, out, folder=True)
    try:
        report = run_graph(args.paths, out, include_articles=args.include_articles, **_run_options(args))
    except KeyboardInterrupt as stop:
        return _interrupted(out / EXTRACTIONS, out / ERRORS, stop)
    summary = report.summary
    run = report.run
    _note_restart(run)
    resumed = f" ({run.resumed} from an earlier run)" if run.resumed else ""
    print(
        f"{run.articles} article(s){resumed} -> {summary['nodes']} nodes, {summary['edges']} edges; "
        f"{_failed(len(report.failures), out / ERRORS, run)}"
    )
    print("nodes by type: " + ", ".join(f"{k} {v}" for k, v in summary["node_types"].items()))
    print("relations: " + ", ".join(f"{k} {v}" for k, v in summary["relations"].items()))
    if summary["top_partners"]:
        print("top partners: " + ", ".join(f"{p['label']} ({p['partners']})" for p in summary["top_partners"][:5]))
    print("written: " + ", ".join(str(p) for p in report.written))
    return 1 if report.failures else 0


def _bench_ner(args: argparse.Namespace) -> int:
    """Span-level P/R/F1 per label on a public NER set, backend alone and full pipeline."""
    from healthnews_nlp.benchmarks import DATASETS, bench_ner, ner_table, read_dataset

    sentences = _benchmark_data(lambda: read_dataset(args.dataset, args.data, args.root))[
        : args.limit
    ]
    systems = ("backend", "pipeline") if args.system == "both" else (args.system,)
    results = bench_ner(
        sentences,
        backend=args.backend,
        backend_options=_backend_options(args),
        systems=systems,
        lexicon_dir=_lexicon_dir(args),
    )
    if args.json:
        print(json.dumps({name: s.to_dict() for name, s in results.items()}, ensure_ascii=False))
    else:
        print(f"{args.dataset} {DATASETS[args.dataset].split}: {len(sentences)} sentences scored")
        print(ner_table(args.dataset, results))
    return 0


def _bench_partners(args: argparse.Namespace) -> int:
    """PARTNERS_WITH between FinRE's given entities against its gold class 合作."""
    from healthnews_nlp.benchmarks import FINRE_DEFAULT_PATH, bench_partners, partners_table, read_finre

    path: Path = args.data or args.root / FINRE_DEFAULT_PATH
    instances = _benchmark_data(lambda: read_finre(path))[: args.limit]
    result = bench_partners(
        instances,
        backend=args.backend,
        backend_options=_backend_options(args),
        lexicon_dir=_lexicon_dir(args),
    )
    print(json.dumps(result.to_dict(), ensure_ascii=False) if args.json else partners_table(result, f"FinRE {path.stem}"))
    return 0


def _benchmark_data(read: Callable[[], list[Any]]) -> list[Any]:
    """A benchmark's data, or a usage error saying where it was looked for and how to give it."""
    try:
        return read()
    except (OSError, ValueError) as error:
        filename = getattr(error, "filename", None)  # an OSError's, when it has one
        reason = describe(error) if filename is None else f"{filename}: {describe(error)}"
        raise UsageError(
            f"{reason}. The benchmark data sets are not part of the package: pass the file with "
            "--data, or their folder with --root (default ../shared/benchmarks, relative to the "
            "current folder)"
        ) from error


def _check_output(paths: Sequence[Path], output: Path, *, folder: bool) -> None:
    """Refuse an output that would overwrite an input or be read as one by the next run."""
    if folder and output.exists() and not output.is_dir():
        raise UsageError(
            f"-o {output}: this is a file; the command writes a folder of files (give a folder)"
        )
    if not folder and output.is_dir():
        raise UsageError(
            f"-o {output}: this is a folder; the command writes one file (give a file name)"
        )
    blocking = next((p for p in output.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise UsageError(f"-o {output}: {blocking} is a file, not a folder")
    target = output.resolve()
    for path in paths:
        source = path.resolve()
        if path.is_file() and target == source:
            raise UsageError(f"-o {output}: this is an input file; it would be overwritten")
        if path.is_dir() and (target == source or source in target.parents):
            raise UsageError(
                f"-o {output}: this is inside the input folder {path}; the next run would read "
                "its own output as articles (write elsewhere)"
            )


def _backend_options(args: argparse.Namespace) -> dict[str, object]:
    options: dict[str, object] = {}
    if args.model is not None:
        options["model"] = args.model
    if args.labels is not None:
        options["labels"] = args.labels
    return options


def _lexicon_dir(args: argparse.Namespace) -> str | None:
    return None if args.lexicon_dir is None else str(args.lexicon_dir)


# --- argument types: a bad value is argparse's usage error (exit 2), naming the option ----------


def _cores(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give 0 (every core) or a number of cores (1, 2, ...)"
        )
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of 1 or more")
    return value


def _existing(kind: str) -> Callable[[str], Path]:
    """An argument type: a path that exists and is a ``kind`` (``file``, ``folder`` or ``path``)."""
    checks = {"file": os.path.isfile, "folder": os.path.isdir, "path": os.path.exists}

    def existing(text: str) -> Path:
        if not checks[kind](text):
            where = (
                "" if os.path.isabs(text) else f" (relative to the current folder, {os.getcwd()})"
            )
            raise argparse.ArgumentTypeError(f"no such {kind}: {text}{where}")
        return Path(text)

    existing.__name__ = kind  # argparse names the type in some messages
    return existing


def _label_file(text: str) -> Path:
    """An existing label mapping file that reads (``BACKEND_LABEL<TAB>TARGET`` lines)."""
    from healthnews_nlp.nlp.backends.labels import read_label_file

    path = _existing("file")(text)
    try:
        read_label_file(path)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return path


# --- the parser -----------------------------------------------------------------------------------


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs as written: paragraphs and the exit code table keep their lines."""


def _command(
    commands: Any,
    name: str,
    summary: str,
    description: str,
    handler: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    command: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=f"{summary[0].upper()}{summary[1:]}.\n\n{textwrap.fill(description, 80)}",
        epilog=EXIT_CODES,
        formatter_class=_Formatter,
    )
    command.set_defaults(handler=handler)
    return command


def _add_inputs(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="article files (text, HTML, JSONL, CSV) or folders of them, read recursively",
    )


def _add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    """The pipeline's options (``extract``, ``graph``, ``bench-ner``, ``bench-partners``)."""
    parser.add_argument(
        "--backend",
        default="lac",
        choices=("lac", "jieba", "hanlp", "spacy"),
        help="NER backend giving words and general entities: lac (Baidu LAC, offline), jieba, "
        "hanlp (the hanlp extra) or spacy (a spaCy pipeline given by --model)",
    )
    parser.add_argument(
        "--model",
        metavar="MODEL",
        help="the backend's model: a HanLP identifier or directory, a spaCy package or path, "
        "LAC's model directory (default: the backend's own)",
    )
    parser.add_argument(
        "--labels",
        type=_label_file,
        metavar="FILE",
        help="label mapping file, BACKEND_LABEL<TAB>TARGET lines "
        "(default: resources/labels_<backend>.tsv)",
    )
    parser.add_argument(
        "--lexicon-dir",
        type=_existing("folder"),
        metavar="DIR",
        help="folder of extra lexicon files named as those of healthnews_nlp/resources "
        "(org_heads.tsv, titles.txt, ...), read after the packaged ones",
    )


def _add_run_options(command: argparse.ArgumentParser) -> None:
    """Options of the commands that run the pipeline over a corpus (``extract``, ``graph``)."""
    _add_backend_arguments(command)
    command.add_argument(
        "-j",
        "--jobs",
        type=_cores,
        default=0,
        metavar="N",
        help="cores to use: N worker processes of one core each; 0 (the default): every core; "
        "1: serially, in this process",
    )
    command.add_argument(
        "--fresh",
        action="store_true",
        help="start over instead of resuming from the extractions already written",
    )
    command.add_argument(
        "--no-memory",
        dest="memory",
        action="store_false",
        help="no corpus memory: an organization's name and the short name one article defines "
        "for it (X（下称“Y”）) are not looked for in the others (by default they are; the "
        "articles where they occur are extracted again with them)",
    )
    command.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )


def _add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    from healthnews_nlp.benchmarks import DEFAULT_ROOT

    parser.add_argument(
        "--root",
        type=Path,
        default=DEFAULT_ROOT,
        metavar="DIR",
        help="folder of the benchmark data sets "
        "(default: %(default)s, relative to the current folder)",
    )
    parser.add_argument(
        "--limit", type=_count, metavar="N", help="score only the first N sentences or instances"
    )
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    _add_backend_arguments(parser)


def build_parser() -> argparse.ArgumentParser:
    """The ``healthnews-nlp`` parser: one sub-command per job, each with its own ``--help``."""
    parser = argparse.ArgumentParser(
        prog="healthnews-nlp",
        description=DESCRIPTION,
        epilog=EXIT_CODES,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_ingest(commands)
    _add_extract(commands)
    _add_evaluate(commands)
    _add_graph(commands)
    _add_eval_table(commands)
    _add_bench_ner(commands)
    _add_bench_partners(commands)
    return parser


def _add_ingest(commands: Any) -> None:
    ingest = _command(
        commands,
        "ingest",
        "read articles into clean simplified text (JSONL)",
        "Each file (or record of a JSONL/CSV collection) becomes one line: its title, date and "
        "clean simplified text (or the whole Article record with --full). Nothing is analysed.",
        _ingest,
    )
    _add_inputs(ingest)
    ingest.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("out/articles.jsonl"),
        metavar="FILE",
        help="the JSONL to write (default: %(default)s)",
    )
    ingest.add_argument("--full", action="store_true", help="write whole Article records, not summaries")


def _add_extract(commands: Any) -> None:
    extract = _command(
        commands,
        "extract",
        "entities and relations per article (gold-format JSONL)",
        "One line per article, as it is made: its entities (name, type, aliases) and relations "
        "(with evidence and date). errors.jsonl is written beside the output. A run stopped midway "
        "resumes when the same command is run again.",
        _extract,
    )
    _add_inputs(extract)
    extract.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("out/extractions.jsonl"),
        metavar="FILE",
        help="the JSONL to write; errors.jsonl goes beside it (default: %(default)s)",
    )
    _add_run_options(extract)


def _add_evaluate(commands: Any) -> None:
    evaluate = _command(
        commands,
        "evaluate",
        "score predictions against a gold directory",
        "Precision, recall and F1 of entities and relations per type, by the rules of the "
        "annotation guidelines (the same numbers as shared/tools/score.py).",
        _evaluate,
    )
    evaluate.add_argument(
        "predictions",
        type=_existing("file"),
        nargs="?",
        metavar="PREDICTIONS",
        help="JSONL written by `extract` (none with --cross-validate)",
    )
    evaluate.add_argument(
        "--gold",
        type=_existing("folder"),
        required=True,
        metavar="DIR",
        help="folder of gold JSON files",
    )
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluate.add_argument("--per-article", action="store_true", help="also score each article alone")
    evaluate.add_argument(
        "--errors", action="store_true", help="also list each article's missed (-) and spurious (+) items"
    )
    evaluate.add_argument(
        "--articles",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="the articles scored (files or folders): the error listing quotes their sentences",
    )
    evaluate.add_argument(
        "--calibration",
        action="store_true",
        help="also tell how often the relations of each confidence bin (<0.5, 0.5-0.8, >=0.8) are right",
    )
    evaluate.add_argument(
        "--cross-validate",
        action="store_true",
        help="extract the articles of --articles DIR with the learned models retrained in 8 folds, "
        "each fold by models that never saw it, and score that (needs the train extra)",
    )
    evaluate.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="where --cross-validate writes its predictions (default: out/cross-validated.jsonl)",
    )


def _add_graph(commands: Any) -> None:
    graph = _command(
        commands,
        "graph",
        "the whole flow: extract and build the knowledge graph",
        "Reads the articles, extracts entities and relations (extractions.jsonl, resumable), "
        "builds the graph and writes graph.graphml, graph.gexf (Gephi), graph.json, nodes.csv, "
        "edges.csv, "
        "summary.json and errors.jsonl into the output folder.",
        _graph,
    )
    _add_inputs(graph)
    graph.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("out"),
        metavar="DIR",
        help="output folder, created if needed, not inside an input folder (default: %(default)s)",
    )
    _add_run_options(graph)
    graph.add_argument("--include-articles", action="store_true", help="add article nodes with MENTIONS edges")


def _add_eval_table(commands: Any) -> None:
    table = _command(
        commands,
        "eval-table",
        "README table: backends alone vs the full pipeline",
        "Scores LAC alone, jieba alone and the full pipeline on the gold articles (make eval). "
        "The defaults are paths of the repository: run it from the repository's folder, with "
        "../shared beside it, or give --gold and --seeds.",
        _eval_table,
    )
    table.add_argument(
        "--gold",
        type=_existing("folder"),
        default="../shared/gold",
        metavar="DIR",
        help="folder of gold JSON files (default: %(default)s)",
    )
    table.add_argument(
        "--seeds",
        type=_existing("path"),
        default="seeds",
        metavar="PATH",
        help="the articles the gold annotates (default: %(default)s)",
    )


def _add_bench_ner(commands: Any) -> None:
    from healthnews_nlp.benchmarks import DATASETS

    bench = _command(
        commands,
        "bench-ner",
        "span-level P/R/F1 on a public NER test set",
        "Exact character spans per label, for the backend alone and for the full pipeline. "
        "The data sets are not part of the package: see ../shared/benchmarks (each folder's "
        "SOURCE.md).",
        _bench_ner,
    )
    bench.add_argument("dataset", choices=tuple(DATASETS), help="the data set")
    bench.add_argument(
        "--data",
        type=_existing("path"),
        metavar="FILE",
        help="the test file (default: its place under --root)",
    )
    bench.add_argument(
        "--system",
        choices=("both", "backend", "pipeline"),
        default="both",
        help="score the backend alone, the full pipeline, or both (default: %(default)s)",
    )
    _add_bench_arguments(bench)


def _add_bench_partners(commands: Any) -> None:
    partners = _command(
        commands,
        "bench-partners",
        "PARTNERS_WITH on FinRE test against its class 合作",
        "For each FinRE instance, does the pipeline find PARTNERS_WITH between its two given "
        "entities?",
        _bench_partners,
    )
    partners.add_argument(
        "--data",
        type=_existing("file"),
        metavar="FILE",
        help="FinRE file (default: finre/test.txt under --root)",
    )
    _add_bench_arguments(partners)


def _exit_code(error: BaseException) -> int | None:
    """The exit code of an error the commands expect (its message is the whole report), or None."""
    from healthnews_nlp.evaluate import EvaluationInputError
    from healthnews_nlp.run import ModelLoadError, OutputError, RunError

    if isinstance(error, (ModelLoadError, ModelNotAvailableError)):
        return EXIT_MODEL
    if isinstance(error, OutputError):
        return EXIT_OUTPUT
    if isinstance(error, (UsageError, EvaluationInputError, RunError)):
        return EXIT_USAGE  # RunError: an output folder in use by another run
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``healthnews-nlp`` script; returns the exit code (:data:`EXIT_CODES`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print(f"{parser.prog} {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except HealthNewsError as error:
        code = _exit_code(error)
        if code is None:
            raise
        print(f"{parser.prog} {args.command}: error: {error}", file=sys.stderr)
        return code


if __name__ == "__main__":
    raise SystemExit(main())
