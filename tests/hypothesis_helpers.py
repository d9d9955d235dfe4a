"""Hypothesis strategies for the property tests: shapes and bounded values drawn from an op's domain.

Every strategy keeps magnitudes bounded (the op's Arg low/high) and keeps real values more than
`margin` away from the op's declared kinks, so that a finite-difference step (at most ~1e-5
here) never straddles one.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_DIM = 4
MARGIN = 1e-3  # > every FD step the properties use


def dims_for(op):
    """Sizes for the op's named dimensions: drawn in 1..MAX_DIM (classes >= 2), fixed where the op fixes them."""
    names = set()
    for a in op.args.values():
        names.update(s for s in a.shape if isinstance(s, str))
        if a.kind in ("labels", "onehot", "simplex"):
            names.add(a.classes)
    fixed = dict(op.dims)
    strategies = {}
    for n in sorted(names):
        if n in fixed and n != "N":
            strategies[n] = st.just(fixed[n])
        else:
            strategies[n] = st.integers(2 if n in ("K", "M") else 1, MAX_DIM)
    return st.fixed_dictionaries(strategies)


def away_from_kinks(v, kinks, margin=MARGIN):
    """Move values within `margin` of a kink to kink +- margin (same side; +margin when on it)."""
    v = np.array(v, dtype=np.float64)
    for k in kinks:
        close = np.abs(v - k) < margin
        v = np.where(close, k + np.where(v >= k, 1.0, -1.0) * margin, v)
    return v


def bounded(shape, low, high, kinks=(), margin=MARGIN):
    """Finite floats in [low, high] of `shape`, kept `margin` away from `kinks`."""
    elements = st.floats(float(low), float(high), allow_nan=False, allow_infinity=False)
    return hnp.arrays(np.float64, shape, elements=elements).map(lambda v: away_from_kinks(v, kinks, margin))


def arg_values(arg, shape, k):
    """A strategy for one argument of kind real / labels / onehot / binary / sign / simplex."""
    if arg.kind == "real":
        return bounded(shape, arg.low, arg.high, arg.kinks)
    if arg.kind == "labels":
        return hnp.arrays(np.int64, shape, elements=st.integers(0, k - 1))
    if arg.kind == "onehot":
        return hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, k - 1)).map(
            lambda idx: np.eye(shape[-1])[idx])
    if arg.kind == "binary":
        return hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]))
    if arg.kind == "sign":
        return hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    if arg.kind == "simplex":
        return hnp.arrays(np.float64, shape, elements=st.floats(0.05, 1.0)).map(
            lambda v: v / v.sum(axis=-1, keepdims=True))
    raise ValueError(f"unknown Arg kind {arg.kind!r}")


@st.composite
def op_inputs(draw, op, dtype=np.float64):
    """Inputs for `op` ({arg: array}) with drawn shapes, cast to `dtype` (labels stay int64)."""
    dims = draw(dims_for(op))
    out = {}
    for name, a in op.args.items():
        shape = tuple(dims[s] if isinstance(s, str) else s for s in a.shape)
        v = draw(arg_values(a, shape, dims.get(a.classes, 2)))
        out[name] = v if v.dtype.kind in "iu" else v.astype(dtype)
    return out


dtypes = st.sampled_from([np.float32, np.float64])
