"""Judge one returned value against the reference, in the grader process only.

Every leaf the submission returned must be a real `numpy.ndarray` (rebuilt by the protocol from
raw bytes, so no method of the submission's objects ever runs here) of a float dtype, with the
expected shape and dtype, finite where the reference is finite, and within the tolerance.

Tolerances come from the project's one table, `oracles/tolerances.py` (a student's formula is one
more implementation compared with the reference, exactly like an oracle), keyed by dtype; the
numerical-gradient checks widen it with a stated reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from oracles.tolerances import Tolerance, lookup, with_override

from .protocol import Unsupported

TOLERANCES = {
    "float64": lookup("float64"),
    "float32": lookup("float32"),
    "finite_difference": with_override(lookup("float64"), {
        "rtol": 1e-4, "atol": 1e-5,
        "reason": "a student's finite difference with eps = 1e-6 is compared with the exact gradient: it "
                  "carries an O(eps) truncation error (forward differences) plus ~1e-10 round-off, while a "
                  "wrong difference quotient is off by a factor or a sign"}),
    "finite_difference_float32": with_override(lookup("float32"), {
        "rtol": 2e-3, "atol": 2e-3,
        "reason": "a central difference in float32 with eps = 0.01 carries an O(eps^2) ~ 3e-4 truncation error "
                  "and ~5e-5 round-off (float32 ulp of E over 2 eps); a wrong quotient is off by a factor or a sign"}),
}

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


@dataclass
class Leaf:
    """The verdict on one returned array (or the whole result when the structure is wrong)."""

    path: str
    ok: bool
    problem: str = ""
    expected: object = None
    got: object = None
    max_abs: float | None = None
    max_rel: float | None = None
    diagnoses: list = field(default_factory=list)
    key: tuple = ()


def close(a: np.ndarray, b: np.ndarray, tol: Tolerance) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    if not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return False
    fin = np.isfinite(b)
    if not np.array_equal(a[~fin], b[~fin], equal_nan=True):
        return False
    return bool(np.all(np.abs(a[fin] - b[fin]) <= tol.atol + tol.rtol * np.abs(b[fin])))


def errors(got: np.ndarray, exp: np.ndarray) -> tuple[float, float]:
    g, e = np.asarray(got, dtype=np.float64), np.asarray(exp, dtype=np.float64)
    if g.shape != e.shape or not g.size:
        return float("nan"), float("nan")
    with np.errstate(all="ignore"):
        d = np.where(np.isnan(np.abs(g - e)), np.inf, np.abs(g - e))
    scale = float(np.max(np.abs(e[np.isfinite(e)]), initial=0.0))
    max_abs = float(d.max())  # relative to the quantity's scale, as oracles/tolerances.py reports it
    return max_abs, (max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else float("inf")))


def path_text(key: tuple) -> str:
    return "".join(f"[{k!r}]" for k in key)


def _kind(v) -> str:
    if isinstance(v, Unsupported):
        return v.what
    if v is None:
        return "None (is a return statement missing?)"
    return f"a Python {type(v).__name__}"


def check_leaf(exp, got, tol: Tolerance, key: tuple) -> Leaf:
    exp = np.asarray(exp)
    leaf = Leaf(path_text(key), False, expected=exp, got=got, key=key)
    shape_txt = "a scalar" if exp.ndim == 0 else f"an array of shape {exp.shape}"
    if isinstance(got, float) and exp.ndim == 0:
        got = np.asarray(got, dtype=np.float64)
        leaf.got = got
    if not isinstance(got, np.ndarray):
        leaf.problem = f"returned {_kind(got)} where {shape_txt} (a NumPy {exp.dtype} array) is expected"
        return leaf
    if got.dtype not in FLOATS:
        what = {"i": "an integer", "u": "an unsigned integer", "b": "a boolean", "c": "a complex"}.get(
            got.dtype.kind, "a")
        leaf.problem = f"returned {what} array of dtype {got.dtype}; expected dtype {exp.dtype}"
        return leaf
    problems = []
    if got.shape != exp.shape:
        problems.append(f"returned shape {got.shape}; expected {exp.shape}")
    elif exp.ndim > 0 and got.dtype != exp.dtype:
        problems.append(f"returned dtype {got.dtype}; expected {exp.dtype} (the dtype of the inputs)")
    if got.shape == exp.shape:
        leaf.max_abs, leaf.max_rel = errors(got, exp)
        bad = ~np.isfinite(got) & np.isfinite(exp)
        if bad.any():
            problems.append(f"returned NaN or infinity at {int(bad.sum())} of {bad.size} entries")
        elif not close(got, exp, tol):
            problems.append(f"values differ: max abs error {leaf.max_abs:.3g}, max rel error {leaf.max_rel:.3g} "
                            f"(tolerance rtol {tol.rtol:g}, atol {tol.atol:g})")
    leaf.ok = not problems
    leaf.problem = "; ".join(problems)
    return leaf


def compare_tree(exp, got, tol: Tolerance, key: tuple = ()) -> list[Leaf]:
    """Walk the expected structure (array, dict of ..., list of ...) and judge each leaf."""
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            return [Leaf(path_text(key), False, f"returned {_kind(got)} where a dict with keys "
                         f"{sorted(exp)} is expected", expected=exp, got=got, key=key)]
        out = []
        for k, e in exp.items():
            if k not in got:
                out.append(Leaf(path_text(key + (k,)), False, f"the returned dict has no key {k!r}",
                                expected=e, key=key + (k,)))
            else:
                out += compare_tree(e, got[k], tol, key + (k,))
        return out
    if isinstance(exp, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(exp):
            what = f"a list of length {len(got)}" if isinstance(got, (list, tuple)) else _kind(got)
            return [Leaf(path_text(key), False, f"returned {what} where a list of {len(exp)} arrays is expected",
                         expected=exp, got=got, key=key)]
        out = []
        for i, (e, g) in enumerate(zip(exp, got)):
            out += compare_tree(e, g, tol, key + (i,))
        return out
    return [check_leaf(exp, got, tol, key)]


def at(tree, key: tuple):
    """The value at `key` in a tree, or None where the structure does not have it."""
    for k in key:
        try:
            tree = tree[k]
        except (KeyError, IndexError, TypeError):
            return None
    return tree
