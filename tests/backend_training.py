"""Train the small NER models the optional-backend tests run: HanLP and spaCy, on MSRA.

Both learn from the first sentences of ``../shared/benchmarks/msra_ner/val``
(3,000 sentences lemonhu split from the MSRA training set) and are checked on
its last :data:`HELD` sentences, which neither saw. Training is local and
offline: randomly initialised embeddings, nothing downloaded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from healthnews_nlp.benchmarks import Sentence, read_dataset

BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
MSRA_VAL = BENCHMARKS / "msra_ner" / "val"
SPACY_CONFIG = Path(__file__).parent / "data" / "spacy_ner_zh.cfg"
#: Sentences held out of training, at the end of msra_ner/val.
HELD = 300
#: Of the rest, the last DEV pick the best epoch or step; the others are trained on.
DEV = 200


def msra_val() -> tuple[list[Sentence], list[Sentence], list[Sentence]]:
    """(train, dev, held) slices of msra_ner/val."""
    sentences = read_dataset("msra_ner", MSRA_VAL)
    rest, held = sentences[:-HELD], sentences[-HELD:]
    return rest[:-DEV], rest[-DEV:], held


def bio_tags(sentence: Sentence) -> list[str]:
    """MSRA's own BIO tags of a sentence (PER, ORG, LOC) from its gold spans."""
    short = {"PERSON": "PER", "ORG": "ORG", "LOC": "LOC"}
    tags = ["O"] * len(sentence.text)
    for start, end, label in sentence.gold:
        tags[start] = f"B-{short[label]}"
        for index in range(start + 1, end):
            tags[index] = f"I-{short[label]}"
    return tags


def write_tsv(sentences: list[Sentence], path: Path) -> Path:
    """HanLP's tagging TSV: ``char<TAB>tag`` lines, a blank line after each sentence."""
    with open(path, "w", encoding="utf-8") as out:
        for sentence in sentences:
            for char, tag in zip(sentence.text, bio_tags(sentence)):
                out.write(f"{char}\t{tag}\n")
            out.write("\n")
    return path


def train_hanlp(directory: Path, epochs: int = 6) -> Path:
    """A character BiLSTM tagger (HanLP's ``RNNNamedEntityRecognizer``), saved in ``directory/model``.

    ``crf=False``: in HanLP 2.1.5 ``RNNTaggingModel`` passes its CRF's
    constraints (None) as the CRF's ``batch_first`` argument, so a CRF model
    decodes time steps as sentences and never learns a span; the softmax
    output learns. ``hanlp.load`` of the saved directory reads it back.
    """
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    train, dev, _ = msra_val()
    save_dir = directory / "model"
    RNNNamedEntityRecognizer().fit(
        str(write_tsv(train, directory / "train.tsv")),
        str(write_tsv(dev, directory / "dev.tsv")),
        str(save_dir),
        epochs=epochs,
        embed=100,
        rnn_hidden=128,
        batch_size=32,
        lr=0.005,
        crf=False,
        tagging_scheme="BIO",
        seed=1,
        verbose=False,
    )
    return save_dir


def write_docbin(sentences: list[Sentence], path: Path) -> Path:
    """spaCy's training format: blank ``zh`` docs (one token per character) with gold entities."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("zh")
    short = {"PERSON": "PER", "ORG": "ORG", "LOC": "LOC"}
    docs = DocBin()
    for sentence in sentences:
        doc = nlp.make_doc(sentence.text)
        doc.ents = [doc.char_span(s, e, label=short[label]) for s, e, label in sorted(sentence.gold)]
        docs.add(doc)
    docs.to_disk(path)
    return path


def train_spacy(directory: Path) -> Path:
    """A tok2vec + ner pipeline trained by ``spacy train`` from :data:`SPACY_CONFIG`; its best model."""
    train, dev, _ = msra_val()
    command = [
        sys.executable, "-m", "spacy", "train", str(SPACY_CONFIG),
        "--output", str(directory / "training"),
        "--paths.train", str(write_docbin(train, directory / "train.spacy")),
        "--paths.dev", str(write_docbin(dev, directory / "dev.spacy")),
    ]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
    return directory / "training" / "model-best"
