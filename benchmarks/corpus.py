"""The benchmark corpus: seeds, ../shared/corpus and benchmark sentences grouped into articles.

``build_corpus(directory, copies=k)`` writes ``k`` copies of the corpus as
article files, ``copy0`` … ``copy{k-1}``. Each copy holds the seed articles,
the collected news pages of ``../shared/corpus`` and enough sentences of the
shared NER and relation benchmarks (MSRA, People's Daily, CLUENER, DuIE,
FinRE, Resume, Weibo) grouped into articles to reach ``min_bytes`` of UTF-8
text. Each copy draws its sentences in its own order and groups them into
articles differently, and marks its copies of the seed and corpus files, so
every article of every copy is distinct (a different article id): a graph
over 4 copies is the graph of 4x as many articles, not 1x with duplicates
skipped. The copies are of the same size (within one sentence).
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
SEEDS = HERE.parent / "seeds"
CORPUS = SHARED / "corpus"
BENCHMARKS = SHARED / "benchmarks"

#: Bytes of UTF-8 article text a copy must reach (the issue: at least 5 MB).
MIN_BYTES = 5_000_000


def _char_lines(path: Path) -> Iterator[str]:
    """Sentences of a one-character-per-line file (``char TAG``), blank lines between sentences."""
    chars: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                if chars:
                    yield "".join(chars)
                    chars = []
                continue
            char = line.split()[0] if line.split() else " "
            if len(char) > 1 and char[-1].isdigit() and not char[0].isdigit():
                char = char[:-1]  # weibo: 科0 (character and its position in the word)
            chars.append(char)
    if chars:
        yield "".join(chars)


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield line.rstrip("\n")


def _json_texts(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)["text"]


def benchmark_sentences() -> list[str]:
    """Every distinct sentence of the shared NER and relation benchmarks, in a fixed order."""
    sources: list[Iterator[str]] = []
    for split in ("test", "val"):
        path = BENCHMARKS / "msra_ner" / split / "sentences.txt"
        sources.append(line.replace(" ", "") for line in _lines(path))
    for name in ("example.test", "example.dev"):
        sources.append(_char_lines(BENCHMARKS / "peoples_daily_ner" / name))
    for name in ("train.json", "dev.json", "test.json"):
        sources.append(_json_texts(BENCHMARKS / "cluener2020" / name))
    sources.append(_json_texts(BENCHMARKS / "duie2.0" / "train_data_5000.json"))
    for name in ("train.txt", "valid.txt", "test.txt"):
        lines = _lines(BENCHMARKS / "finre" / name)
        sources.append(line.split("\t")[-1] for line in lines if line.count("\t") >= 3)
    for name in ("train.char.bmes", "dev.char.bmes", "test.char.bmes"):
        sources.append(_char_lines(BENCHMARKS / "resume_ner" / name))
    for name in ("weiboNER_2nd_conll.train", "weiboNER_2nd_conll.dev", "weiboNER_2nd_conll.test"):
        sources.append(_char_lines(BENCHMARKS / "weibo_ner" / name))
    seen: set[str] = set()
    sentences = []
    for source in sources:
        for sentence in source:
            sentence = " ".join(sentence.split())
            if len(sentence) >= 4 and sentence not in seen:
                seen.add(sentence)
                sentences.append(sentence)
    return sentences


def article_files() -> list[Path]:
    """The seed articles and the collected news pages (../shared/corpus)."""
    return sorted(SEEDS.glob("*.txt")) + sorted((CORPUS / "web").glob("*.txt")) + sorted(
        (CORPUS / "general").glob("*.txt")
    )


@dataclass(frozen=True)
class Corpus:
    directory: Path
    files: int
    bytes: int


_ENDS = "。！？!?…；;”」』"


def _closed(sentence: str) -> str:
    """The sentence with a full stop if it has no closing punctuation (FinRE, CLUENER fragments).

    Without it, fragments would run together into one long model span.
    """
    return sentence if sentence[-1] in _ENDS else sentence + "。"


def _group(sentences: list[str], rng: random.Random) -> Iterator[str]:
    """Articles of 10-40 sentences, paragraphs of 1-5, the first sentence's start as the title."""
    sentences = [_closed(sentence) for sentence in sentences]
    position = 0
    while position < len(sentences):
        size = rng.randint(10, 40)
        body = sentences[position : position + size]
        position += size
        paragraphs = []
        start = 0
        while start < len(body):
            step = rng.randint(1, 5)
            paragraphs.append("".join(body[start : start + step]))
            start += step
        title = body[0][:24].rstrip("，。,. ")
        yield title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def build_corpus(directory: str | Path, *, copies: int = 1, min_bytes: int = MIN_BYTES) -> Corpus:
    """Write ``copies`` copies of the benchmark corpus under ``directory`` (replacing it)."""
    target = Path(directory)
    if target.exists():
        shutil.rmtree(target)
    sentences = benchmark_sentences()
    originals = article_files()
    original_bytes = sum(p.stat().st_size for p in originals)
    total_files = total_bytes = 0
    for copy in range(copies):
        folder = target / f"copy{copy}"
        folder.mkdir(parents=True)
        for path in originals:
            data = path.read_bytes()
            if copy:
                data += f"\n\n（第{copy + 1}次转载）\n".encode()
            (folder / f"{path.parent.name}_{path.name}").write_bytes(data)
            total_bytes += len(data)
            total_files += 1
        rng = random.Random(copy)
        # take sentences until this copy reaches min_bytes, in a per-copy order
        order = sentences[:]
        rng.shuffle(order)
        chosen: list[str] = []
        size = original_bytes
        for sentence in order:
            if size >= min_bytes:
                break
            chosen.append(sentence)
            size += len(sentence.encode("utf-8"))
        if size < min_bytes:
            raise RuntimeError(f"the benchmarks hold only {size} bytes of text, fewer than {min_bytes}")
        for number, article in enumerate(_group(chosen, rng)):
            data = article.encode("utf-8")
            (folder / f"bench_{number:05d}.txt").write_bytes(data)
            total_bytes += len(data)
            total_files += 1
    return Corpus(target, total_files, total_bytes)
