"""Input validation shared by every public function: clear ValueErrors that name the argument."""
from __future__ import annotations

import math
import numbers

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_float(name: str, value, *, ndim=None, finite: bool = True) -> np.ndarray:
    """Return `value` as a float32/float64 array, or raise ValueError naming `name`.

    Python scalars and lists become float64; NumPy arrays must already be float32 or float64
    (an int, bool, complex or object array is rejected rather than silently cast).
    `ndim` is an int or a tuple of allowed ranks.
    """
    if isinstance(value, np.ndarray) or np.isscalar(value) and isinstance(value, np.generic):
        arr = np.asarray(value)
        if arr.dtype not in FLOAT_DTYPES:
            raise ValueError(f"{name}: expected a float32 or float64 array, got dtype {arr.dtype}")
    elif isinstance(value, bool) or value is None:
        raise ValueError(f"{name}: expected a real number or float array, got {type(value).__name__}")
    elif isinstance(value, numbers.Real) or isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name}: expected a real number or a nested list of reals ({exc})") from None
    else:
        raise ValueError(f"{name}: expected a float32 or float64 array, got {type(value).__name__}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name}: expected an array with {want} dimension(s), got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: expected finite values, got NaN or infinity")
    return arr


def as_labels(name: str, value, num_classes: int, *, ndim=(0, 1)) -> np.ndarray:
    """Return integer class labels in [0, num_classes) as int64, or raise ValueError naming `name`."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            raise ValueError(f"{name}: expected integer class labels, got dtype {arr.dtype} "
                             "(cast with .astype(int) if the values are labels)")
        raise ValueError(f"{name}: expected integer class labels, got dtype {arr.dtype}")
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in allowed:
        raise ValueError(f"{name}: expected labels with {' or '.join(map(str, allowed))} dimension(s), "
                         f"got shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(f"{name}: labels must lie in [0, {num_classes}) (0-based class index), "
                         f"got values in [{arr.min()}, {arr.max()}]")
    return arr.astype(np.int64)


def same_dtype(**arrays: np.ndarray) -> np.dtype:
    """Check that all named float arrays share one dtype; return it."""
    dtypes = {name: a.dtype for name, a in arrays.items()}
    if len(set(dtypes.values())) > 1:
        listing = ", ".join(f"{n}={d}" for n, d in dtypes.items())
        raise ValueError(f"expected one float dtype for all arrays, got {listing}")
    return next(iter(dtypes.values()))


def same_shape(a_name: str, a: np.ndarray, b_name: str, b: np.ndarray) -> None:
    """Raise ValueError unless `a` and `b` have the same shape (no silent broadcasting)."""
    if a.shape != b.shape:
        raise ValueError(f"{b_name}: expected shape {a.shape} to match {a_name}, got {b.shape}")


def check_positive(name: str, value) -> float:
    """Return a finite real `value` > 0, or raise ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a finite real number > 0, got {value!r}")
    return float(value)


def check_real(name: str, value) -> float:
    """Return a finite real scalar, or raise ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name}: expected a finite real number, got {value!r}")
    return float(value)


REDUCTIONS = ("sum", "mean", "none")


def check_reduction(reduction) -> str:
    """Validate a loss reduction name."""
    return check_choice("reduction", reduction, REDUCTIONS)


def reduce(values: np.ndarray, reduction: str):
    """Apply a validated reduction over the sample axis (axis 0) or return per-sample values."""
    if reduction == "none":
        return values
    if reduction == "sum":
        return values.sum(axis=0) if values.ndim else values
    return values.mean(axis=0) if values.ndim else values


def reduce_grad(g, shape, dtype, reduction: str) -> np.ndarray:
    """Cotangent of `reduce`: broadcast the upstream gradient back to per-sample values."""
    reduction = check_reduction(reduction)
    if reduction == "none":
        return upstream(g, shape, dtype)
    g = upstream(g, (), dtype)
    n = shape[0] if len(shape) else 1
    scale = g if reduction == "sum" else g / n
    return np.broadcast_to(scale, shape).astype(dtype)


def check_choice(name: str, value, choices) -> str:
    """Return `value` if it is one of the string `choices`, or raise ValueError naming `name`."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name}: expected one of {tuple(choices)}, got {value!r}")
    return value


def non_empty(name: str, arr: np.ndarray, what: str | None = None, *, classes: bool = False) -> np.ndarray:
    """Raise ValueError naming `name` if `arr` has no elements, saying what is missing: samples, or the
    values of each sample (`classes`: a sample is a row of class probabilities, a 1-D array one sample)."""
    if arr.size == 0:
        if what is None:
            if classes:
                what = "at least one class (last axis)" if arr.shape[-1] == 0 else "at least one sample"
            else:
                what = ("at least one sample" if arr.ndim < 2 or arr.shape[0] == 0
                        else "at least one value per sample (a dimension after the first is 0)")
        raise ValueError(f"{name}: expected {what}, got an empty array of shape {arr.shape}")
    return arr


SIMPLEX_ATOL = 1e-4  # rows of probabilities may sum to 1 +- this (rounding, a finite-difference step)


def check_simplex(name: str, p: np.ndarray, *, strict: bool = False) -> np.ndarray:
    """Raise ValueError naming `name` unless every row of `p` is a probability vector (sums to 1)."""
    bad = np.any(p <= 0) if strict else np.any(p < 0)
    if bad:
        raise ValueError(f"{name}: expected probabilities {'> 0' if strict else '>= 0'}, got min {p.min()!r}")
    sums = p.sum(axis=-1)
    if np.any(np.abs(sums - 1) > SIMPLEX_ATOL):
        raise ValueError(f"{name}: expected each row to sum to 1 (within {SIMPLEX_ATOL:g}), got sums in "
                         f"[{sums.min():.6g}, {sums.max():.6g}]")
    return p


def upstream(g, shape, dtype) -> np.ndarray:
    """The upstream gradient `g` of an output of `shape`/`dtype`, or a ValueError naming `g`.

    A Python real number is accepted for a scalar output and takes the output's dtype (NumPy's rule
    for Python scalars); a NumPy array or scalar must have the output's shape and dtype exactly:
    nothing is broadcast and nothing is cast.
    """
    shape = tuple(shape)
    if isinstance(g, numbers.Real) and not isinstance(g, (bool, np.generic)):
        if not math.isfinite(g):
            raise ValueError(f"g: expected a finite upstream gradient, got {g!r}")
        if shape != ():
            raise ValueError(f"g: expected an array of the output's shape {shape} (nothing is broadcast), "
                             f"got the scalar {g!r}")
        return np.asarray(g, dtype=dtype)
    arr = as_float("g", g)
    if arr.dtype != np.dtype(dtype):
        raise ValueError(f"g: expected dtype {np.dtype(dtype)} to match the output, got {arr.dtype} "
                         "(cast explicitly; dtypes are never promoted)")
    if arr.shape != shape:
        raise ValueError(f"g: expected the output's shape {shape} (nothing is broadcast), got {arr.shape}")
    return arr
