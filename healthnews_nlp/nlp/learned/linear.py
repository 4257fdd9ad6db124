"""A multinomial logistic regression over hashed string features, run with numpy alone.

The learned components (the entity candidate classifier, the relation pair
classifier) describe each example by a handful of string features
(``"head=医院"``, ``"between=签署"``) and score it with a linear model. The
features are hashed into a fixed number of buckets with CRC-32, which is
stable across processes and Python's hash seeds, so the model is one weight
matrix and needs no vocabulary; training (``healthnews_nlp.training``, the
``train`` extra: scikit-learn) and inference hash the same way.

Probabilities are calibrated on held-out folds: a per-class isotonic map,
stored as breakpoints, turns the model's raw probability into the fraction of
examples that were right at that score (``calibrate``).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


def bucket(feature: str, buckets: int) -> int:
    """The bucket of one feature string (CRC-32 of its UTF-8 bytes, modulo ``buckets``)."""
    return zlib.crc32(feature.encode("utf-8")) % buckets


#: Buckets already computed, per number of buckets: a model sees the same few thousand feature
#: strings over and over, and a dictionary lookup costs a tenth of encoding and hashing again.
_KNOWN: dict[int, dict[str, int]] = {}
_KNOWN_LIMIT = 1 << 18


def hashed_rows(rows: Sequence[Sequence[str]], buckets: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(indices, row_starts)``: each row's feature buckets, concatenated (CSR layout)."""
    known = _KNOWN.setdefault(buckets, {})
    if len(known) > _KNOWN_LIMIT:
        known.clear()
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    indices: list[int] = []
    for number, features in enumerate(rows):
        for feature in features:
            index = known.get(feature)
            if index is None:
                index = known[feature] = bucket(feature, buckets)
            indices.append(index)
        starts[number + 1] = len(indices)
    return np.asarray(indices, dtype=np.int64), starts


@dataclass(frozen=True)
class Calibration:
    """Per-class isotonic maps: raw probability breakpoints ``x`` to calibrated ``y``."""

    x: tuple[tuple[float, ...], ...]
    y: tuple[tuple[float, ...], ...]

    def apply(self, probabilities: FloatArray) -> FloatArray:
        calibrated = np.empty_like(probabilities)
        for column, (xs, ys) in enumerate(zip(self.x, self.y)):
            calibrated[:, column] = np.interp(probabilities[:, column], xs, ys) if xs else probabilities[:, column]
        return calibrated


@dataclass(frozen=True)
class HashedLinearModel:
    """Weights ``(buckets, classes)`` and a bias; ``classes[0]`` is the "none" class by convention."""

    classes: tuple[str, ...]
    weights: FloatArray
    bias: FloatArray
    calibration: Calibration | None = None
    metadata: dict[str, object] = field(default_factory=dict)

    @property
    def buckets(self) -> int:
        return int(self.weights.shape[0])

    def raw_proba(self, rows: Sequence[Sequence[str]]) -> FloatArray:
        """Softmax probabilities before calibration, one row per example."""
        if not rows:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        indices, starts = hashed_rows(rows, self.buckets)
        # one zero row after the features keeps every row start a valid index for reduceat
        gathered = np.vstack([self.weights[indices], np.zeros((1, len(self.classes)), dtype=np.float32)])
        sums = np.add.reduceat(gathered, starts[:-1], axis=0)
        # reduceat gives an empty row the next row's first feature: a row without features scores 0
        empty = starts[:-1] == starts[1:]
        sums[empty] = 0.0
        logits = sums + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)

    def predict_proba(self, rows: Sequence[Sequence[str]]) -> FloatArray:
        """Calibrated probabilities (raw ones when the model has no calibration)."""
        raw = self.raw_proba(rows)
        return self.calibration.apply(raw) if self.calibration is not None else raw

    def save(self, path: str | Path) -> None:
        """One ``.npz`` file: weights as float32, classes, calibration and metadata as JSON."""
        header = {
            "classes": list(self.classes),
            "calibration": None
            if self.calibration is None
            else {"x": [list(x) for x in self.calibration.x], "y": [list(y) for y in self.calibration.y]},
            "metadata": self.metadata,
        }
        with Path(path).open("wb") as handle:
            np.savez_compressed(
                handle,
                weights=self.weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
                header=np.frombuffer(json.dumps(header, ensure_ascii=False, sort_keys=True).encode(), dtype=np.uint8),
            )

    @classmethod
    def load(cls, path: str | Path) -> HashedLinearModel:
        with np.load(Path(path), allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode())
            calibration = header["calibration"]
            return cls(
                classes=tuple(header["classes"]),
                weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float32),
                calibration=None
                if calibration is None
                else Calibration(
                    tuple(tuple(x) for x in calibration["x"]), tuple(tuple(y) for y in calibration["y"])
                ),
                metadata=header["metadata"],
            )
