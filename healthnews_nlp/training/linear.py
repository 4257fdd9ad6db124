"""Fitting a :class:`~healthnews_nlp.nlp.learned.linear.HashedLinearModel` with scikit-learn."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from healthnews_nlp.errors import requires_extra
from healthnews_nlp.nlp.learned.linear import Calibration, FloatArray, HashedLinearModel, hashed_rows


with requires_extra("train", "training the shipped models (make train)"):
    from scipy.sparse import csr_matrix
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits


def feature_matrix(rows: Sequence[Sequence[str]], buckets: int) -> csr_matrix:
    """The hashed rows as a sparse count matrix (a feature twice in a row counts twice)."""
    indices, starts = hashed_rows(rows, buckets)
    values = np.ones(len(indices), dtype=np.float64)
    matrix = csr_matrix((values, indices, starts), shape=(len(rows), buckets))
    matrix.sum_duplicates()
    return matrix


def fit(
    rows: Sequence[Sequence[str]],
    labels: Sequence[str],
    classes: Sequence[str],
    *,
    buckets: int = 1 << 18,
    c: float = 1.0,
    class_weight: dict[str, float] | None = None,
    metadata: dict[str, object] | None = None,
) -> HashedLinearModel:
    """A multinomial logistic regression (L2, lbfgs: deterministic) over hashed features."""
    index = {name: i for i, name in enumerate(classes)}
    y = np.asarray([index[label] for label in labels])
    present = sorted(set(y.tolist()))
    weights = None if class_weight is None else {index[k]: v for k, v in class_weight.items() if index[k] in present}
    model = LogisticRegression(C=c, max_iter=2000, class_weight=weights)
    matrix = feature_matrix(rows, buckets)
    # only the buckets some example uses: the others' weights stay 0 under L2, and lbfgs over a
    # few thousand columns instead of 2^18 is the same fit, hundreds of times faster
    used = np.unique(matrix.indices)
    with threadpool_limits(limits=1):  # BLAS threads only fight each other over problems this small
        model.fit(matrix[:, used], y)
    coef = np.zeros((buckets, len(classes)), dtype=np.float32)
    bias = np.full(len(classes), -30.0, dtype=np.float32)  # a class never seen is never predicted
    if len(present) == 2:  # scikit-learn keeps one column for two classes: logit of the second
        coef[used, present[1]] = model.coef_[0] / 2
        coef[used, present[0]] = -model.coef_[0] / 2
        bias[present[1]], bias[present[0]] = model.intercept_[0] / 2, -model.intercept_[0] / 2
    else:
        for column, cls in enumerate(model.classes_):
            coef[used, cls] = model.coef_[column]
            bias[cls] = model.intercept_[column]
    return HashedLinearModel(tuple(classes), coef, bias, None, dict(metadata or {}))


def calibrate(probabilities: FloatArray, labels: Sequence[str], classes: Sequence[str]) -> Calibration:
    """Per-class isotonic maps fitted on out-of-fold probabilities (one-vs-rest)."""
    xs, ys = [], []
    truth = np.asarray(labels)
    for column, name in enumerate(classes):
        target = (truth == name).astype(np.float64)
        if target.min() == target.max():
            xs.append(())
            ys.append(())
            continue
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
        iso.fit(probabilities[:, column], target)
        xs.append(tuple(float(v) for v in iso.X_thresholds_))
        ys.append(tuple(float(v) for v in iso.y_thresholds_))
    return Calibration(tuple(xs), tuple(ys))
