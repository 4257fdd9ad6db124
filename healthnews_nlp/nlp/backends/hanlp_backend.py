"""HanLP 2.x as an optional NER backend (the ``hanlp`` extra).

Install it with ``pip install 'healthnews-nlp[hanlp]'``; HanLP runs on PyTorch,
so on a machine without a GPU install PyTorch's CPU build first (see
:data:`INSTALL_HINT`). Then ``load(backend="hanlp")`` or
``get_backend("hanlp", model=...)``.

How a text is analysed
----------------------
* **Sentences**: HanLP's native API takes sentences, so the text is cut with
  the LAC backend's :func:`~.lac.sentence_spans` (at 。！？； and line breaks,
  long ones at clause boundaries, at most ``max_sentence_len`` characters).
* **Words fed to the NER model**: a single-task NER component (such as
  ``MSRA_NER_ELECTRA_SMALL_ZH``) reads tokenized sentences. By default the
  words are jieba's; with ``tokenizer_model`` they are that HanLP tokenizer's.
  A multi-task model (``CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH``
  and the like) reads the raw sentences and returns its own words, and its
  NER output is taken from ``ner_task`` (``"ner/msra"`` by default, or
  ``"ner/ontonotes"``, ``"ner/pku"``).
* **Entities**: HanLP gives ``(entity, label, first_word, end_word)`` per
  entity, word indices with an exclusive end; they become character offsets
  through the words' positions in the text, and labels are mapped by
  ``resources/labels_hanlp.tsv`` (or the file given as ``labels``).
* **Characters instead of words**: a model trained on characters (an RNN
  tagger trained on MSRA's character BIO data, say) reads each sentence as a
  list of characters. ``char_level=None`` (the default) tells from the model:
  HanLP saves ``token_delimiter: ""`` in the config of a tagger whose
  vocabulary is single characters.
* **Tokens** (which tile the text, as the protocol requires) are jieba's words
  with their POS flags, the tags the domain rules read, except that every
  HanLP entity becomes one token tagged like a LAC entity word (``PER``,
  ``ORG``, ``LOC``, ``TIME``), so the rules take HanLP's entities as the
  anchors they take LAC's for.

Everything but loading and calling the HanLP components is plain Python over
their documented outputs and is tested without HanLP installed.
"""

from __future__ import annotations

import importlib
import os
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

from healthnews_nlp.errors import ModelNotAvailableError

from .base import Analysis, BackendEntity, Token
from .combine import combine
from .jieba_backend import JiebaBackend
from .labels import LabelMap, LabelSource, load_label_map
from .lac import sentence_spans

#: A small Chinese MSRA NER model (ELECTRA small), HanLP's identifier.
DEFAULT_MODEL = "MSRA_NER_ELECTRA_SMALL_ZH"
#: The NER task read from a multi-task model's output unless ``ner_task`` says otherwise.
DEFAULT_NER_TASK = "ner/msra"
#: Sentences are cut to this many characters (HanLP's transformers read at most 512 subwords).
MAX_SENTENCE_LEN = 256

INSTALL_HINT = (
    "pip install 'healthnews-nlp[hanlp]' (HanLP runs on PyTorch: on a machine without a GPU "
    "install its CPU build first, e.g. pip install torch==2.13.0 "
    "--index-url https://download.pytorch.org/whl/cpu)"
)

_DEFAULT_HANLP_URL = "https://file.hankcs.com/hanlp/"
_MULTITASK_CLASS = "MultiTaskLearning"


def map_label(label: str, labels: LabelMap | None = None) -> str | None:
    """The backend label for a HanLP NER label (MSRA, OntoNotes or PKU tag set), or None.

    ``labels`` defaults to the packaged ``resources/labels_hanlp.tsv``.
    """
    return (labels or _default_labels()).get(label)


@lru_cache(maxsize=1)
def _default_labels() -> LabelMap:
    return load_label_map("hanlp")


def hanlp_home() -> Path:
    """Where HanLP keeps its models: ``$HANLP_HOME``, else ``~/.hanlp`` (``%APPDATA%\\hanlp`` on Windows)."""
    configured = os.environ.get("HANLP_HOME")
    if configured:
        return Path(configured).expanduser()
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "hanlp"
    return Path.home() / ".hanlp"


def model_directory(url: str, home: Path, hanlp_url: str = _DEFAULT_HANLP_URL) -> Path:
    """The directory HanLP unpacks the model at ``url`` into (as ``hanlp.utils.io_util.get_resource``).

    Official models go to ``home`` plus their path under HanLP's URL
    (``ner/msra_ner_electra_small_20210807_154832``), others to
    ``home/thirdparty/<host>/<path>``; an archive's extension is dropped.
    """
    url = url.split("#", 1)[0]
    parsed = urlparse(url)
    parts = [p for p in parsed.path.split("/") if p]
    prefix = [p for p in urlparse(hanlp_url).path.split("/") if p]
    if url.startswith(hanlp_url) and parts[: len(prefix)] == prefix:
        target = home.joinpath(*parts[len(prefix) :])
    else:
        target = home.joinpath("thirdparty", parsed.netloc, *parts)
    for extension in (".tar.gz", ".zip", ".tgz", ".gz", ".bz2", ".xz"):
        if target.name.endswith(extension):
            return target.with_name(target.name[: -len(extension)])
    return target


def _import_hanlp() -> ModuleType:
    try:
        import hanlp
    except (ImportError, OSError) as error:  # OSError: a broken torch install
        raise ModelNotAvailableError(
            f"the 'hanlp' NER backend needs HanLP, which cannot be imported ({error}). "
            f"Install it with: {INSTALL_HINT}. Or use backend='lac' (the default) or 'jieba'."
        ) from error
    return hanlp


def _looks_like_path(model: str) -> bool:
    return "/" in model or os.sep in model or model.startswith(("~", "."))


def _hanlp_url() -> str:
    """HanLP's model server prefix (``hanlp_common.constant.HANLP_URL``), for the download path."""
    for module in ("hanlp_common.constant", "hanlp.common.constant"):
        try:
            value = getattr(importlib.import_module(module), "HANLP_URL", None)
        except Exception:  # an optional detail of the message: any import problem means "unknown"
            continue
        if isinstance(value, str):
            return value
    return _DEFAULT_HANLP_URL


def _not_loadable_message(hanlp: ModuleType, model: str, role: str, error: BaseException) -> str:
    """Which model failed, why, and how to get it: HanLP's identifier, HANLP_HOME, a local directory."""
    home = hanlp_home()
    option = "tokenizer_model" if role == "tokenizer" else "model"
    lines = [f"HanLP could not load the {role} model {model!r} ({type(error).__name__}: {error})."]
    pretrained = getattr(getattr(hanlp, "pretrained", None), "ALL", None) or {}
    url = pretrained.get(model) if isinstance(pretrained, Mapping) else None
    if url is None and model.startswith(("http:", "https:")):
        url = model
    if url is not None:
        target = model_directory(url, home, _hanlp_url())
        lines.append(
            f"HanLP downloads it on first use into its HANLP_HOME directory, here {home} "
            f"(set the HANLP_HOME environment variable to change it; the default is ~/.hanlp), "
            f"as {target}. Download it once while online: "
            f"python -c \"import hanlp; hanlp.load('{model}')\"; "
            f"or fetch {url} elsewhere and unpack it into {target.parent}. "
            "Transformer-based models also need their encoder in the Hugging Face cache (HF_HOME)."
        )
    elif _looks_like_path(model) or Path(model).exists():
        lines.append(f"{model} is not a HanLP model directory (one holding the component's config.json).")
    else:
        lines.append(
            f"{model!r} is neither a HanLP identifier (see hanlp.pretrained, e.g. {DEFAULT_MODEL}) "
            "nor a local model directory."
        )
    lines.append(
        f"Or pass the directory of a downloaded model: "
        f"load(backend='hanlp', backend_options={{'{option}': '/path/to/model_dir'}})."
    )
    return " ".join(lines)


def is_multitask(component: Any) -> bool:
    """A HanLP multi-task model (it tokenizes raw sentences and runs several tasks)."""
    return any(cls.__name__ == _MULTITASK_CLASS for cls in type(component).__mro__)


def align_words(text: str, start: int, end: int, words: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of ``words`` in ``text[start:end]``, in order, skipping whitespace between them.

    A word matches the text exactly or after NFKC normalisation of both (a
    tokenizer may return 'Ａ' as 'A'); a blank word gets an empty span, so the
    spans keep HanLP's word indices. Raises ValueError when the words are not
    the sentence's.
    """
    spans: list[tuple[int, int]] = []
    position = start
    for word in words:
        word = word.strip()
        while position < end and text[position].isspace():
            position += 1
        if not word:
            spans.append((position, position))
            continue
        stop = position + len(word)
        piece = text[position:stop]
        if stop > end or (piece != word and _nfkc(piece) != _nfkc(word)):
            raise ValueError(f"HanLP's word {word!r} does not match the text at {position}: {piece!r}")
        spans.append((position, stop))
        position = stop
    return spans


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def entity_spans(
    words: Sequence[tuple[int, int]], found: Iterable[Sequence[Any]], labels: LabelMap | None = None
) -> list[BackendEntity]:
    """HanLP's ``(entity, label, first_word, end_word)`` tuples as character-offset entities.

    Word indices are HanLP's (end exclusive); unknown labels and empty or
    out-of-range spans are dropped, and so is an entity overlapping an earlier one.
    """
    entities: list[BackendEntity] = []
    taken_until = -1
    for item in sorted(found, key=lambda quad: (int(quad[2]), -int(quad[3]))):
        label = map_label(str(item[1]), labels)
        first, stop = int(item[2]), int(item[3])
        if label is None or not 0 <= first < stop <= len(words):
            continue
        start, end = words[first][0], words[stop - 1][1]
        if start < taken_until or end <= start:
            continue
        entities.append(BackendEntity(start, end, label))
        taken_until = end
    return entities


class HanlpBackend:
    """Entities from a HanLP NER model on top of jieba's words (see the module docstring).

    ``model`` is a HanLP identifier (``hanlp.pretrained``: ``MSRA_NER_ELECTRA_SMALL_ZH``,
    ``CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH``…), a URL or a local
    model directory (what ``hanlp.load`` takes); ``tokenizer_model`` likewise names
    a HanLP tokenizer for a single-task NER model (default: jieba's words);
    ``ner_task`` the NER output of a multi-task model; ``devices`` goes to
    ``hanlp.load`` (e.g. -1 for CPU); ``labels`` is a label mapping file (see
    :mod:`.labels`); ``char_level`` feeds characters, not words, to a single-task
    model (None: as the model's config says).

    HanLP must be importable when the backend is created (else
    :class:`~healthnews_nlp.errors.ModelNotAvailableError` says how to install
    it); the models are loaded on first use, and one that cannot be loaded
    offline raises ModelNotAvailableError naming what to download and where.
    """

    name = "hanlp"

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        tokenizer_model: str | None = None,
        *,
        ner_task: str = DEFAULT_NER_TASK,
        devices: Any = None,
        max_sentence_len: int = MAX_SENTENCE_LEN,
        labels: LabelSource = None,
        char_level: bool | None = None,
    ) -> None:
        if max_sentence_len < 2:
            raise ValueError("max_sentence_len must be at least 2")
        self._labels = load_label_map("hanlp", labels)
        self._char_level = char_level
        self._hanlp = _import_hanlp()
        self.model = str(model)
        self.tokenizer_model = str(tokenizer_model) if tokenizer_model is not None else None
        self.ner_task = ner_task
        self._devices = devices
        self._max_len = max_sentence_len
        self._segmenter = JiebaBackend()
        self._lock = threading.Lock()
        self._components: tuple[Any, Any] | None = None

    def _load_component(self, identifier: str, role: str) -> Any:
        options = {} if self._devices is None else {"devices": self._devices}
        try:
            return self._hanlp.load(identifier, **options)
        except Exception as error:  # download, unpacking or deserialisation failures alike
            raise ModelNotAvailableError(_not_loadable_message(self._hanlp, identifier, role, error)) from error

    @property
    def components(self) -> tuple[Any, Any]:
        """The loaded (NER model, tokenizer or None), loaded on first use."""
        with self._lock:
            if self._components is None:
                ner = self._load_component(self.model, "NER")
                tokenizer = None
                if self.tokenizer_model is not None and not is_multitask(ner):
                    tokenizer = self._load_component(self.tokenizer_model, "tokenizer")
                self._components = (ner, tokenizer)
            return self._components

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse all texts, running HanLP over all their sentences at once."""
        ner, tokenizer = self.components
        segmented = self._segmenter.analyze(texts)
        sentences = [(i, s, e) for i, text in enumerate(texts) for s, e in sentence_spans(text, self._max_len)]
        outputs = self._run(ner, tokenizer, texts, segmented, sentences) if sentences else []
        per_text: list[list[BackendEntity]] = [[] for _ in texts]
        for (owner, start, end), (words, found) in zip(sentences, outputs):
            spans = align_words(texts[owner], start, end, words)
            per_text[owner].extend(entity_spans(spans, found, self._labels))
        return [
            combine(analysis.tokens, entities) for analysis, entities in zip(segmented, per_text)
        ]

    def _run(
        self,
        ner: Any,
        tokenizer: Any,
        texts: Sequence[str],
        segmented: Sequence[Analysis],
        sentences: Sequence[tuple[int, int, int]],
    ) -> list[tuple[Sequence[str], Sequence[Sequence[Any]]]]:
        """(words, entity tuples) per sentence, from one batched call of each HanLP component."""
        raw = [texts[owner][start:end] for owner, start, end in sentences]
        if is_multitask(ner):
            document = ner(raw, tasks=self.ner_task)
            words_key = next(key for key in document if str(key).startswith("tok"))
            ner_key = self.ner_task if self.ner_task in document else next(
                key for key in document if str(key).startswith("ner")
            )
            return list(zip(document[words_key], document[ner_key]))
        if tokenizer is not None:
            words = [list(sentence) for sentence in tokenizer(raw)]
        elif self._reads_characters(ner):
            words = [[char for char in sentence if not char.isspace()] for sentence in raw]
        else:
            words = [_words_in(texts[owner], segmented[owner].tokens, start, end) for owner, start, end in sentences]
        return list(zip(words, ner(words)))

    def _reads_characters(self, ner: Any) -> bool:
        if self._char_level is not None:
            return self._char_level
        config = getattr(ner, "config", None)
        return isinstance(config, Mapping) and config.get("token_delimiter") == ""


def _words_in(text: str, tokens: Sequence[Token], start: int, end: int) -> list[str]:
    """The non-whitespace words of ``tokens`` within ``text[start:end]`` (cut at its edges)."""
    words = []
    for token in tokens:
        if token.end <= start:
            continue
        if token.start >= end:
            break
        word = text[max(token.start, start) : min(token.end, end)]
        if word.strip():
            words.append(word)
    return words
