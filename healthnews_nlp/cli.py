"""Command line: thin commands over the library (``healthnews-nlp --help``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from healthnews_nlp.atomic import atomic_open
from healthnews_nlp.ingest.readers import read_articles
from healthnews_nlp.models import Article


def _ingest(args: argparse.Namespace) -> int:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="healthnews-nlp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="read articles into clean simplified text (JSONL)")
    ingest.add_argument("paths", nargs="+", type=Path, help="files or directories")
    ingest.add_argument("-o", "--output", type=Path, default=Path("out/articles.jsonl"))
    ingest.add_argument("--full", action="store_true", help="write whole Article records, not summaries")
    ingest.set_defaults(handler=_ingest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``healthnews-nlp`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
