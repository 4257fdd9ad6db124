"""Command line: thin commands over the library (``healthnews-nlp --help``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from healthnews_nlp.atomic import atomic_open
from healthnews_nlp.ingest.readers import read_articles
from healthnews_nlp.models import Article, ArticleExtraction

if TYPE_CHECKING:  # pragma: no cover
    from healthnews_nlp.run import RunReport


def _ingest(args: argparse.Namespace) -> int:
    from healthnews_nlp.run import RunError, folder_lock, writing

    try:  # the output folder's lock: a run writing there meanwhile keeps its files
        with folder_lock(args.output.parent), writing(args.output):
            return _write_articles(args)
    except RunError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


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
        "settings": Settings(backend=args.backend, backend_options=_backend_options(args)),
        "fresh": args.fresh,
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
    return f"{count} failed" + (f", listed in {errors}" if count else "") + skipped


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
    from healthnews_nlp.run import ERRORS, RunError, run_extract

    errors = args.output.parent / ERRORS
    try:
        report = run_extract(args.paths, args.output, errors=errors, **_run_options(args))
    except KeyboardInterrupt as stop:
        return _interrupted(args.output, errors, stop)
    except RunError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _note_restart(report)
    resumed = f" ({report.resumed} from an earlier run)" if report.resumed else ""
    outcome = _failed(len(report.failures), errors, report)
    print(f"{report.articles} article(s) extracted to {args.output}{resumed}; {outcome}")
    return 1 if report.failures else 0


def _evaluate(args: argparse.Namespace) -> int:
    from healthnews_nlp.evaluate import load_gold, load_predictions, score

    gold = load_gold(args.gold)
    scores = score(gold, load_predictions(args.predictions))
    output: dict[str, Any] = scores.to_dict()
    text = scores.format_table()
    if args.per_article or args.errors:
        from healthnews_nlp.evaluate_errors import article_reports, format_reports

        reports = article_reports(gold, args.predictions, _article_texts(args.articles))
        output["articles"] = [report.to_dict() for report in reports]
        text = format_reports(reports, errors=args.errors) + "\n" + text
    print(json.dumps(output, ensure_ascii=False) if args.json else text)
    return 0


def _article_texts(paths: list[Path] | None) -> dict[str, str]:
    """The clean text of every article read from ``paths``, keyed as scoring keys them."""
    from healthnews_nlp.ingest.readers import read_articles
    from healthnews_nlp.models import Article

    texts = {}
    for article in read_articles(*(paths or [])):
        if isinstance(article, Article):
            key = Path(article.source).name if article.record is None else f"{Path(article.source).name}:{article.record}"
            texts[key] = article.text
    return texts


def _eval_table(args: argparse.Namespace) -> int:
    """Entity (and relation) scores on the gold set for the backends alone and the full pipeline."""
    import tempfile

    from healthnews_nlp.baselines import backend_extractions
    from healthnews_nlp.evaluate import load_gold, load_predictions, score
    from healthnews_nlp.extract import extract

    gold = load_gold(args.gold)
    articles = [a for a in read_articles(args.seeds) if isinstance(a, Article)]
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
    from healthnews_nlp.run import ERRORS, EXTRACTIONS, RunError, run_graph

    out: Path = args.output
    try:
        report = run_graph(args.paths, out, include_articles=args.include_articles, **_run_options(args))
    except KeyboardInterrupt as stop:
        return _interrupted(out / EXTRACTIONS, out / ERRORS, stop)
    except RunError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
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


def _add_run_options(command: argparse.ArgumentParser) -> None:
    """Options of the commands that run the pipeline over a corpus (``extract``, ``graph``)."""
    _add_backend_arguments(command)
    command.add_argument(
        "-j", "--jobs", type=int, default=0,
        help="cores to use: worker processes of one core each (default 0: every core; 1: serial)",
    )
    command.add_argument(
        "--fresh", action="store_true", help="start over instead of resuming from the extractions already written"
    )
    command.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )


def _bench_ner(args: argparse.Namespace) -> int:
    """Span-level P/R/F1 per label on a public NER set, backend alone and full pipeline."""
    from healthnews_nlp.benchmarks import DATASETS, bench_ner, ner_table, read_dataset

    sentences = read_dataset(args.dataset, args.data, args.root)[: args.limit]
    systems = ("backend", "pipeline") if args.system == "both" else (args.system,)
    results = bench_ner(sentences, backend=args.backend, backend_options=_backend_options(args), systems=systems)
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
    instances = read_finre(path)[: args.limit]
    result = bench_partners(instances, backend=args.backend, backend_options=_backend_options(args))
    print(json.dumps(result.to_dict(), ensure_ascii=False) if args.json else partners_table(result, f"FinRE {path.stem}"))
    return 0


def _add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend", default="lac", choices=("lac", "jieba", "hanlp", "spacy"),
        help="NER backend: lac (default), jieba, hanlp (extra) or spacy",
    )
    parser.add_argument(
        "--model", help="the backend's model: a HanLP identifier or directory, a spaCy package or path, "
        "LAC's model directory",
    )
    parser.add_argument("--labels", type=Path, help="label mapping file (default resources/labels_<backend>.tsv)")


def _backend_options(args: argparse.Namespace) -> dict[str, object]:
    options: dict[str, object] = {}
    if args.model is not None:
        options["model"] = args.model
    if args.labels is not None:
        options["labels"] = args.labels
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="healthnews-nlp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="read articles into clean simplified text (JSONL)")
    ingest.add_argument("paths", nargs="+", type=Path, help="files or directories")
    ingest.add_argument("-o", "--output", type=Path, default=Path("out/articles.jsonl"))
    ingest.add_argument("--full", action="store_true", help="write whole Article records, not summaries")
    ingest.set_defaults(handler=_ingest)

    extract = commands.add_parser("extract", help="entities and relations per article (gold-format JSONL)")
    extract.add_argument("paths", nargs="+", type=Path, help="files or directories")
    extract.add_argument("-o", "--output", type=Path, default=Path("out/extractions.jsonl"))
    _add_run_options(extract)
    extract.set_defaults(handler=_extract)

    evaluate = commands.add_parser("evaluate", help="score predictions against a gold directory")
    evaluate.add_argument("predictions", type=Path, help="JSONL written by `extract`")
    evaluate.add_argument("--gold", type=Path, required=True, help="directory of gold JSON files")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluate.add_argument("--per-article", action="store_true", help="also score each article alone")
    evaluate.add_argument(
        "--errors", action="store_true", help="also list each article's missed (-) and spurious (+) items"
    )
    evaluate.add_argument(
        "--articles", type=Path, nargs="+", metavar="PATH",
        help="the articles scored (files or folders): the error listing quotes their sentences",
    )
    evaluate.set_defaults(handler=_evaluate)

    graph = commands.add_parser("graph", help="the whole flow: extract and build the knowledge graph")
    graph.add_argument("paths", nargs="+", type=Path, help="files or directories")
    graph.add_argument("-o", "--output", type=Path, default=Path("out"), help="output folder")
    _add_run_options(graph)
    graph.add_argument("--include-articles", action="store_true", help="add article nodes with MENTIONS edges")
    graph.set_defaults(handler=_graph)

    table = commands.add_parser("eval-table", help="README table: backends alone vs the full pipeline")
    table.add_argument("--gold", type=Path, default=Path("../shared/gold"))
    table.add_argument("--seeds", type=Path, default=Path("seeds"))
    table.set_defaults(handler=_eval_table)

    from healthnews_nlp.benchmarks import DATASETS

    bench = commands.add_parser("bench-ner", help="span-level P/R/F1 on a public NER test set")
    bench.add_argument("dataset", choices=tuple(DATASETS), help="data set (see ../shared/benchmarks)")
    bench.add_argument("--data", type=Path, help="the test file (default: its place under --root)")
    bench.add_argument("--system", choices=("both", "backend", "pipeline"), default="both")
    _add_bench_arguments(bench)
    bench.set_defaults(handler=_bench_ner)

    partners = commands.add_parser("bench-partners", help="PARTNERS_WITH on FinRE test against its class 合作")
    partners.add_argument("--data", type=Path, help="FinRE file (default: finre/test.txt under --root)")
    _add_bench_arguments(partners)
    partners.set_defaults(handler=_bench_partners)
    return parser


def _add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    from healthnews_nlp.benchmarks import DEFAULT_ROOT

    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="benchmarks folder (default %(default)s)")
    parser.add_argument("--limit", type=int, help="score only the first N sentences or instances")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    _add_backend_arguments(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``healthnews-nlp`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
