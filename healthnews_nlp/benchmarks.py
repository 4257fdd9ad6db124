"""Scores on public data nobody here wrote: span-level NER and FinRE cooperation.

``bench-ner`` reads a public NER test set, maps its types to the library's
(PERSON, ORG, LOC; the rest is left out of the score), and scores exact
character spans per label, for a backend alone and for the full pipeline (the
backend plus the domain layer). ``bench-partners`` asks, for each FinRE
instance (two given entities in a sentence), whether the pipeline finds
PARTNERS_WITH between them, against FinRE's gold class 合作.

Each reader returns :class:`Sentence` records; scoring is plain set
arithmetic over ``(start, end, label)`` spans, so a figure can be checked by
hand on a few sentences.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # the data set tables are read by the command line's parser: no spaCy for them
    from spacy.language import Language

    from healthnews_nlp.nlp.backends.base import NerBackend
    from healthnews_nlp.nlp.components import DomainRecognizer
    from healthnews_nlp.nlp.tokenizer import BackendTokenizer

#: The labels scored: the general types every data set has. EVENT and TIME are not scored.
SCORED_LABELS = ("PERSON", "ORG", "LOC")
#: Where ``make`` and the CLI look for the data sets: ``../shared/benchmarks`` of the checkout.
DEFAULT_ROOT = Path("../shared/benchmarks")

Span = tuple[int, int, str]


@dataclass(frozen=True)
class Sentence:
    """One test sentence with its gold spans (end exclusive, labels already mapped)."""

    text: str
    gold: frozenset[Span]


@dataclass(frozen=True)
class Dataset:
    """A public NER set: where its test split is, how to read it and how its types map."""

    name: str
    default_path: str  # relative to the benchmarks root
    reader: Callable[[Path, Mapping[str, str]], list[Sentence]]
    types: Mapping[str, str]  # the set's type -> PERSON/ORG/LOC; types not listed are not scored
    split: str


# --- readers -------------------------------------------------------------------------------------


def spans_from_tags(tags: Sequence[str], types: Mapping[str, str]) -> set[Span]:
    """Entity spans of a BIO or BMES tag sequence, mapped by ``types`` (others dropped).

    ``B-``/``S-`` start an entity, ``I-``/``M-``/``E-`` continue one of the same
    type (and start one after ``O`` or another type, as conlleval reads them),
    ``S-`` and ``E-`` close it.
    """
    spans: set[Span] = set()
    start, kind = -1, ""

    def close(end: int) -> None:
        if start >= 0 and kind in types:
            spans.add((start, end, types[kind]))

    for index, tag in enumerate(tags):
        prefix, _, tag_type = tag.partition("-")
        if prefix in {"B", "S"} or (prefix in {"I", "M", "E"} and (start < 0 or tag_type != kind)):
            close(index)
            start, kind = index, tag_type
        elif prefix not in {"I", "M", "E"}:  # O
            close(index)
            start, kind = -1, ""
            continue
        if prefix in {"S", "E"}:
            close(index + 1)
            start, kind = -1, ""
    close(len(tags))
    return spans


def read_char_columns(path: Path, types: Mapping[str, str], *, strip_digit: bool = False) -> list[Sentence]:
    """``char<whitespace>TAG`` lines, a blank line after each sentence (MSRA, People's Daily, Resume, Weibo).

    Weibo's character column carries a word-position digit (``科0``); ``strip_digit``
    drops it. Weibo also has emoji stored as two U+FFFD: a column of several
    characters is one token, and spans are measured in characters.
    """
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if chars:
            offsets = [0]
            for token in chars:
                offsets.append(offsets[-1] + len(token))
            spans = {(offsets[a], offsets[b], label) for a, b, label in spans_from_tags(tags, types)}
            sentences.append(Sentence("".join(chars), frozenset(spans)))
            chars.clear()
            tags.clear()

    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                flush()
                continue
            fields = line.split()
            if len(fields) != 2:
                raise ValueError(f"{path}:{number}: expected a character and a tag, got {line!r}")
            char = fields[0][:-1] if strip_digit and fields[0][-1:].isdigit() and len(fields[0]) > 1 else fields[0]
            chars.append(char)
            tags.append(fields[1])
    flush()
    return sentences


def read_msra(path: Path, types: Mapping[str, str]) -> list[Sentence]:
    """MSRA: ``msra_test_bio.txt`` (char TAB tag), or a directory with sentences.txt and tags.txt
    (one sentence a line, space-separated characters and tags: ``msra_ner/val``, ``msra_ner/test``)."""
    if not path.is_dir():
        return read_char_columns(path, types)
    texts = (path / "sentences.txt").read_text(encoding="utf-8").splitlines()
    tag_lines = (path / "tags.txt").read_text(encoding="utf-8").splitlines()
    if len(texts) != len(tag_lines):
        raise ValueError(f"{path}: {len(texts)} sentences but {len(tag_lines)} tag lines")
    sentences = []
    for number, (chars, tags) in enumerate(zip(texts, tag_lines), 1):
        char_list, tag_list = chars.split(" "), tags.split(" ")
        if len(char_list) != len(tag_list):
            raise ValueError(f"{path}: sentence {number} has {len(char_list)} characters and {len(tag_list)} tags")
        sentences.append(Sentence("".join(char_list), frozenset(spans_from_tags(tag_list, types))))
    return sentences


def read_cluener(path: Path, types: Mapping[str, str]) -> list[Sentence]:
    """CLUENER2020 JSON lines: ``{"text", "label": {type: {surface: [[start, end_inclusive], ...]}}}``."""
    sentences = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            text: str = record["text"]
            gold: set[Span] = set()
            for kind, surfaces in record.get("label", {}).items():
                for surface, positions in surfaces.items():
                    for start, last in positions:
                        if text[start : last + 1] != surface:
                            raise ValueError(f"{path}:{number}: {surface!r} is not at {start}-{last}")
                        if kind in types:
                            gold.add((start, last + 1, types[kind]))
            sentences.append(Sentence(text, frozenset(gold)))
    return sentences


def _weibo(path: Path, types: Mapping[str, str]) -> list[Sentence]:
    return read_char_columns(path, types, strip_digit=True)


_PER_ORG_LOC = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}

#: The data sets of ``../shared/benchmarks`` (see each folder's SOURCE.md) and how their types map.
DATASETS: Mapping[str, Dataset] = {
    "msra_ner": Dataset("msra_ner", "msra_ner/msra_test_bio.txt", read_msra, _PER_ORG_LOC, "test (3,442 sentences)"),
    "cluener2020": Dataset(
        "cluener2020",
        "cluener2020/dev.json",
        read_cluener,
        # name -> PERSON; company, government, organization -> ORG; address -> LOC.
        # Not scored: book, game, movie, position, scene (no such type in the library).
        {"name": "PERSON", "company": "ORG", "government": "ORG", "organization": "ORG", "address": "LOC"},
        "dev (1,343 sentences; test labels are hidden)",
    ),
    "peoples_daily_ner": Dataset(
        "peoples_daily_ner", "peoples_daily_ner/example.test", read_char_columns, _PER_ORG_LOC, "test (4,636 sentences)"
    ),
    "weibo_ner": Dataset(
        "weibo_ner",
        "weibo_ner/weiboNER_2nd_conll.test",
        _weibo,
        # named mentions only; nominal mentions (PER.NOM: 记者, 妈妈) are not names.
        {"PER.NAM": "PERSON", "ORG.NAM": "ORG", "LOC.NAM": "LOC", "GPE.NAM": "LOC"},
        "test (270 posts)",
    ),
    "resume_ner": Dataset(
        "resume_ner",
        "resume_ner/test.char.bmes",
        read_char_columns,
        # CONT is a country (中国国籍), a place in the library's guidelines; not scored:
        # TITLE, EDU, PRO, RACE.
        {"NAME": "PERSON", "ORG": "ORG", "LOC": "LOC", "CONT": "LOC"},
        "test (477 sentences)",
    ),
}


def read_dataset(name: str, path: Path | None = None, root: Path = DEFAULT_ROOT) -> list[Sentence]:
    """The test sentences of a data set, from ``path`` or its default place under ``root``."""
    try:
        dataset = DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}") from None
    path = path if path is not None else root / dataset.default_path
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or directory (data set {name})")
    return dataset.reader(path, dataset.types)


# --- scoring -------------------------------------------------------------------------------------


@dataclass
class Counts:
    """True positives, predicted and gold counts of one label."""

    tp: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "p": round(self.precision, 4), "r": round(self.recall, 4), "f1": round(self.f1, 4),
            "tp": self.tp, "predicted": self.predicted, "gold": self.gold,
        }


@dataclass
class SpanScores:
    """Span-level counts per label and over all labels (micro)."""

    labels: dict[str, Counts] = field(default_factory=lambda: {label: Counts() for label in SCORED_LABELS})

    def add(self, gold: Iterable[Span], predicted: Iterable[Span]) -> None:
        gold_set = {s for s in gold if s[2] in self.labels}
        predicted_set = {s for s in predicted if s[2] in self.labels}
        for span in gold_set:
            self.labels[span[2]].gold += 1
        for span in predicted_set:
            self.labels[span[2]].predicted += 1
            if span in gold_set:
                self.labels[span[2]].tp += 1

    @property
    def total(self) -> Counts:
        return Counts(
            sum(c.tp for c in self.labels.values()),
            sum(c.predicted for c in self.labels.values()),
            sum(c.gold for c in self.labels.values()),
        )

    def to_dict(self) -> dict[str, dict[str, float | int]]:
        return {**{label: c.to_dict() for label, c in self.labels.items()}, "ALL": self.total.to_dict()}


# --- the systems ---------------------------------------------------------------------------------


def backend_spans(backend: NerBackend, texts: Sequence[str], batch_size: int = 256) -> Iterator[set[Span]]:
    """The backend's own entities (labels mapped by its label file), per text."""
    for begin in range(0, len(texts), batch_size):
        for analysis in backend.analyze(texts[begin : begin + batch_size]):
            yield {(e.start, e.end, e.label) for e in analysis.entities}


def pipeline_spans(nlp: Language, texts: Sequence[str], batch_size: int = 256) -> Iterator[set[Span]]:
    """The full pipeline's entity mentions (``doc.ents``), per text."""
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield {(e.start_char, e.end_char, e.label_) for e in doc.ents}


def score_spans(sentences: Sequence[Sentence], predictions: Iterable[set[Span]]) -> SpanScores:
    scores = SpanScores()
    for sentence, predicted in zip(sentences, predictions, strict=True):
        scores.add(sentence.gold, predicted)
    return scores


def bench_ner(
    sentences: Sequence[Sentence],
    *,
    backend: str = "lac",
    backend_options: Mapping[str, Any] | None = None,
    systems: Sequence[str] = ("backend", "pipeline"),
    lexicon_dir: str | None = None,
) -> dict[str, SpanScores]:
    """Scores of the backend alone and/or the full pipeline on ``sentences``.

    ``lexicon_dir`` holds extra lexicons of the pipeline (``load(lexicon_dir=...)``).
    """
    from healthnews_nlp.nlp.backends.registry import get_backend
    from healthnews_nlp.nlp.pipeline import load

    texts = [s.text for s in sentences]
    options = dict(backend_options or {})
    results: dict[str, SpanScores] = {}
    for system in systems:
        if system == "backend":  # the stock backend, as a user gets it from get_backend
            stock = get_backend(backend, **options)
            results[f"{backend} alone"] = score_spans(sentences, backend_spans(stock, texts))
        elif system == "pipeline":
            nlp = load(
                backend=backend, backend_options=options, relations=False, lexicon_dir=lexicon_dir
            )
            results[f"full pipeline ({backend})"] = score_spans(sentences, pipeline_spans(nlp, texts))
        else:
            raise ValueError(f"unknown system {system!r}: backend or pipeline")
    return results


def ner_table(dataset: str, results: Mapping[str, SpanScores]) -> str:
    """A markdown table: one row per system and label."""
    rows = [
        "| data | system | label | P | R | F1 | gold |",
        "|---|---|---|---|---|---|---|",
    ]
    for system, scores in results.items():
        for label, counts in [*scores.labels.items(), ("ALL", scores.total)]:
            rows.append(
                f"| {dataset} | {system} | {label} | {counts.precision:.3f} | {counts.recall:.3f} "
                f"| {counts.f1:.3f} | {counts.gold} |"
            )
    return "\n".join(rows)


# --- FinRE: PARTNERS_WITH against 合作 -------------------------------------------------------------

#: FinRE's class that PARTNERS_WITH is scored against.
COOPERATION = "合作"
FINRE_DEFAULT_PATH = "finre/test.txt"


@dataclass(frozen=True)
class RelationInstance:
    """One FinRE line: two given entities of a sentence and the gold relation class."""

    head: str
    tail: str
    relation: str
    sentence: str


def read_finre(path: Path) -> list[RelationInstance]:
    """``head<TAB>tail<TAB>relation<TAB>sentence`` lines (blank lines between them are skipped)."""
    instances = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != 4:
                raise ValueError(f"{path}:{number}: expected head, tail, relation and sentence, got {line!r}")
            head, tail, relation, sentence = fields
            if head not in sentence or tail not in sentence:
                raise ValueError(f"{path}:{number}: {head!r} or {tail!r} is not in the sentence")
            instances.append(RelationInstance(head, tail, relation, sentence))
    return instances


@dataclass
class PartnerResult:
    """Counts for the 合作 class, and every instance's prediction (for error analysis)."""

    counts: Counts = field(default_factory=Counts)
    predictions: list[tuple[RelationInstance, bool]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        by_class: dict[str, int] = defaultdict(int)
        for instance, predicted in self.predictions:
            if predicted:
                by_class[instance.relation] += 1
        return {"合作": self.counts.to_dict(), "instances": len(self.predictions),
                "predicted_by_gold_class": dict(sorted(by_class.items(), key=lambda kv: -kv[1]))}


def entity_label(backend_labels: set[Span], start: int, end: int) -> str:
    """The pattern label of a given entity: PERSON where the backend tags that very span a person, else ORG.

    FinRE's entities are companies, stocks and people; the data set does not say which.
    """
    return "PERSON" if (start, end, "PERSON") in backend_labels else "ORG"


def bench_partners(
    instances: Sequence[RelationInstance],
    *,
    backend: str = "lac",
    backend_options: Mapping[str, Any] | None = None,
    lexicon_dir: str | None = None,
) -> PartnerResult:
    """For each instance, does the pipeline find PARTNERS_WITH between its two entities?

    The benchmark gives the entities, so the pipeline is told about them: every
    head and tail of a sentence becomes a known-entity pattern of the domain
    recognizer (``add_patterns``) while that sentence is read, labelled PERSON
    where the backend tags that span a person and ORG otherwise. The relation
    rules then run as on any article. A pair is predicted when a PARTNERS_WITH
    relation joins the two resolved entities (in either direction). ``lexicon_dir``
    holds extra lexicons of the pipeline (``load(lexicon_dir=...)``).
    """
    from healthnews_nlp.nlp.pipeline import load

    nlp = load(
        backend=backend, backend_options=dict(backend_options or {}), lexicon_dir=lexicon_dir
    )
    recognizer = cast("DomainRecognizer", nlp.get_pipe("healthnews_ner"))
    analyzer = cast("BackendTokenizer", nlp.tokenizer).backend
    by_sentence: dict[str, list[RelationInstance]] = defaultdict(list)
    for instance in instances:
        by_sentence[instance.sentence].append(instance)
    result = PartnerResult()
    base_patterns = list(recognizer.patterns)
    try:
        for sentence, group in by_sentence.items():
            found = _spans_of(analyzer.analyze([sentence])[0].entities)
            surfaces = {name for instance in group for name in (instance.head, instance.tail)}
            recognizer.patterns = base_patterns + [
                (entity_label(found, sentence.index(name), sentence.index(name) + len(name)), name)
                for name in sorted(surfaces, key=len, reverse=True)
            ]
            doc = nlp(sentence)
            pairs = _partner_pairs(doc)
            names = _entity_names(doc)
            for instance in group:
                head, tail = names.get(instance.head), names.get(instance.tail)
                predicted = head is not None and tail is not None and frozenset((head, tail)) in pairs
                gold = instance.relation == COOPERATION
                result.counts.gold += gold
                result.counts.predicted += predicted
                result.counts.tp += gold and predicted
                result.predictions.append((instance, predicted))
    finally:
        recognizer.patterns = base_patterns
    return result


def _spans_of(entities: Iterable[Any]) -> set[Span]:
    return {(e.start, e.end, e.label) for e in entities}


def _partner_pairs(doc: Any) -> set[frozenset[str]]:
    return {frozenset((r.head, r.tail)) for r in doc._.relations if r.type == "PARTNERS_WITH"}


def _entity_names(doc: Any) -> dict[str, str]:
    """Each surface of the doc's resolved entities → the entity's name (relations use names)."""
    names: dict[str, str] = {}
    for entity in doc._.entities:
        for surface in (entity.name, *entity.aliases, *(m.text for m in entity.mentions)):
            names.setdefault(surface, entity.name)
    return names


def partners_table(result: PartnerResult, dataset: str = "FinRE test") -> str:
    c = result.counts
    return "\n".join([
        "| data | class | instances | gold | predicted | correct | P | R | F1 |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {dataset} | {COOPERATION} → PARTNERS_WITH | {len(result.predictions)} | {c.gold} | {c.predicted} "
        f"| {c.tp} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |",
    ])
