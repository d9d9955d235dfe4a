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


# ------------------------------------------------------------------------------ bad input
# One table of argument kinds: every public parameter name has a kind (a few per function in
# KIND_OVERRIDES), each kind a list of bad values built from a valid one. `strict` bad values must
# raise a ValueError naming that very argument; the others (shapes, empties, mixed dtypes) must raise
# a ValueError naming some argument of the function, or return a finite result (their documented
# meaning: elementwise functions accept any shape and any float dtype, and so on).
def _same_shape(fill):
    return lambda v: np.full(np.shape(v), fill)


_SCALARS = [("None", lambda v: None, True), ("str", lambda v: "1.0", True), ("bool", lambda v: True, True),
            ("complex", lambda v: 1j, True)]
_STRUCTURE = [("extra axis", lambda v: np.asarray(v)[None], False),
              ("flattened", lambda v: np.asarray(v).reshape(-1), False),
              ("empty batch", lambda v: np.atleast_1d(v)[:0], False),
              ("empty last axis", lambda v: np.atleast_1d(v)[..., :0], False),
              ("float32 among float64", lambda v: np.asarray(v).astype(np.float32), False),
              ("trailing axis", lambda v: np.repeat(np.asarray(v)[..., None], 2, axis=-1), False)]
BAD = {
    "array": _SCALARS + _STRUCTURE + [
        ("NaN", _same_shape(np.nan), True), ("inf", _same_shape(-np.inf), True),
        ("int dtype", lambda v: np.asarray(v).astype(np.int64), True),
        ("float16", lambda v: np.asarray(v).astype(np.float16), True),
        ("complex dtype", lambda v: np.asarray(v).astype(np.complex128), True),
        ("object", lambda v: np.asarray(v).astype(object), True),
        ("nested str", lambda v: [["a"]], True)],
    "labels": _SCALARS + _STRUCTURE[:4] + [
        ("float labels", lambda v: np.asarray(v).astype(np.float64), True),
        ("negative", lambda v: np.asarray(v) - 10, True), ("too large", lambda v: np.asarray(v) + 10, True)],
    "upstream": _SCALARS + [
        ("NaN", lambda v: np.full(np.shape(v), np.nan) if np.ndim(v) else float("nan"), True),
        ("inf", lambda v: np.full(np.shape(v), np.inf) if np.ndim(v) else float("inf"), True),
        ("broadcastable", lambda v: np.ones(np.shape(v)[-1:]) if np.ndim(v) > 1 else np.ones(3), True),
        ("length 1", lambda v: np.ones((1,) * max(np.ndim(v), 1)), True),
        ("scalar for an array", lambda v: np.float64(1.0) if np.ndim(v) else np.ones(2), True),
        ("float32 among float64", lambda v: np.asarray(v, np.float32) if np.ndim(v) else np.float32(v), True),
        ("extra axis", lambda v: np.asarray(v)[None] if np.ndim(v) else np.ones((1, 1)), True)],
    "reduction": [("None", lambda v: None, True), ("bogus", lambda v: "bogus", True), ("upper", lambda v: "SUM", True),
                  ("list", lambda v: ["sum"], True), ("int", lambda v: 1, True), ("array", lambda v: np.array(["sum"]), True)],
    "positive": _SCALARS + [("zero", lambda v: 0.0, True), ("negative", lambda v: -1.0, True),
                            ("NaN", lambda v: float("nan"), True), ("inf", lambda v: float("inf"), True),
                            ("list", lambda v: [1.0], True)],
    "slope": _SCALARS + [("one", lambda v: 1.0, True), ("above one", lambda v: 2.0, True),
                         ("negative", lambda v: -0.1, True), ("NaN", lambda v: float("nan"), True),
                         ("list", lambda v: [0.1], True)],
    "at_zero": _SCALARS + [("NaN", lambda v: float("nan"), True), ("inf", lambda v: float("inf"), True),
                           ("list", lambda v: [0.0], True), ("array", lambda v: np.zeros(2), True)],
    "choice": [("None", lambda v: None, True), ("bogus", lambda v: "bogus", True), ("list", lambda v: [v], True),
               ("int", lambda v: 3, True)],
    "callable": [("None", lambda v: None, True), ("str", lambda v: "f", True), ("int", lambda v: 3, True)],
    "layers": [("None", lambda v: None, True), ("empty", lambda v: [], True), ("str", lambda v: "W", True),
               ("one too few", lambda v: list(v)[:-1], False),
               ("transposed", lambda v: [None if a is None else np.asarray(a).T for a in v], False),
               ("NaN", lambda v: [np.full(np.shape(a), np.nan) for a in v], True)],
    "cache": [("None", lambda v: None, True), ("empty", lambda v: {}, True), ("list", lambda v: [v], True),
              ("missing s", lambda v: {k: w for k, w in v.items() if k != "s"}, True),
              ("short s", lambda v: {**v, "s": v["s"][:-1]}, True),
              ("str activation", lambda v: {**v, "activation": ["tanh"]}, True),
              ("swapped layers", lambda v: {**v, "Ws": v["Ws"][::-1]}, True)],
    "flag": [("None", lambda v: None, True), ("str", lambda v: "yes", True), ("int", lambda v: 2, True)],
}
BAD["optional array"] = [b for b in BAD["array"] if b[0] != "None"]  # None means "no bias"
BAD["optional layers"] = [b for b in BAD["layers"] if b[0] != "None"]
KINDS = {
    **{n: "array" for n in ("z", "W", "x", "yhat", "y", "p", "q", "a", "Y", "o", "w", "grad")},
    "b": "optional array",
    "g": "upstream", "reduction": "reduction", "slope": "slope", "at_zero": "at_zero",
    **{n: "positive" for n in ("alpha", "delta", "dx", "eps", "lr")},
    **{n: "choice" for n in ("method", "activation", "output_activation", "loss")},
    "f": "callable", "Ws": "layers", "bs": "optional layers", "cache": "cache", "input_grad": "flag",
}
KIND_OVERRIDES = {("logistic_loss", "b"): "array", ("logistic_loss_grad", "b"): "array",("softmax_cross_entropy", "y"): "labels", ("softmax_cross_entropy_grad", "y"): "labels",
                  ("mlp_loss", "y"): "labels", ("mlp_loss_backward", "y"): "labels"}


def kind_of(fn: str, param: str) -> str:
    return KIND_OVERRIDES.get((fn, param), KINDS.get(param))


@st.composite
def bad_argument(draw, fn: str, valid: dict):
    """(parameter, label, bad value, strict) for one argument of `fn`'s valid call `valid`."""
    param = draw(st.sampled_from(sorted(valid)), label="parameter")
    label, make, strict = draw(st.sampled_from(BAD[kind_of(fn, param)]), label="bad value")
    return param, label, make(valid[param]), strict
