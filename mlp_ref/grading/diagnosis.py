"""Name the mistake behind a wrong result, when one of the typical ones explains it exactly.

Generic checks work on any array (transposed, missing batch sum, mean vs sum, scalar vs (1,),
dtype, overflow); each case adds its own near misses (a derivative at the wrong point, an
off-by-one class index, a kink convention, ...) computed by the reference on the same inputs.
A diagnosis is only given when the alternative reproduces the submission's output within the
check's tolerance, so it is never a guess.
"""
from __future__ import annotations

import numpy as np

from .compare import FLOATS, TOLERANCES, Leaf, Tolerance, at, close

_FLOAT32_ROUNDING = TOLERANCES["float32"]  # what float32 arithmetic on the same inputs stays within


def diagnose_leaf(leaf: Leaf, case, tol: Tolerance) -> list[str]:
    got, exp = leaf.got, leaf.expected
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "biuf" or not isinstance(exp, np.ndarray):
        return []
    g = got.astype(np.float64)
    e = exp.astype(np.float64)
    out = []
    n = case.n_batch
    if g.shape != e.shape:
        if g.ndim == 2 and g.T.shape == e.shape and close(g.T, e, tol):
            out.append(f"transposed result: you returned shape {g.shape}, the transpose of the expected "
                       f"{e.shape}" + ("" if case.mode == "steps" else
                                       " (for a weight gradient: dL/dW = g^T x has W's shape (H, D))"))
        if n and g.shape == (n,) + e.shape:
            if close(g.sum(axis=0), e, tol):
                out.append(f"missing sum over the batch: you returned one value per sample (shape {g.shape}); "
                           "summing over axis 0 gives the expected result")
            elif close(g.mean(axis=0), e, tol):
                out.append(f"missing reduction over the batch: you returned one value per sample (shape "
                           f"{g.shape}); their mean over axis 0 is the expected result")
        if g.size == 1 and e.ndim == 0 and close(g.reshape(()), e, tol):
            out.append(f"returned shape {g.shape} instead of a scalar (use .item() or index [0])")
        if g.size == e.size and e.size > 1 and g.ndim != e.ndim and close(g.reshape(e.shape), e, tol):
            out.append(f"right values in the wrong shape: you returned shape {g.shape}; reshape to "
                       f"{e.shape} (the shape of the input it differentiates)")
        if e.ndim == 0 and g.ndim == 1 and n and g.shape == (n,) and not out:
            out.append("returned per-sample values where the reduced loss (a scalar) is expected")
    else:
        if got.dtype in FLOATS and got.dtype != exp.dtype and close(g, e, tol):
            out.append(f"dtype mismatch: the values are right but the dtype is {got.dtype}; keep the inputs' "
                       f"dtype {exp.dtype} (avoid dtype=float / np.float64(...) constants that upcast)")
        if n and n > 1 and np.any(e != 0):
            if close(g * n, e, tol):
                out.append(f"wrong reduction: you divide by N = {n} (a mean) where the sum over the batch "
                           "is expected")
            elif close(g / n, e, tol):
                out.append(f"wrong reduction: you sum over the batch where the mean (divided by N = {n}) "
                           "is expected")
        if (exp.dtype == np.float64 and got.dtype == np.float64 and not close(g, e, tol)
                and close(g, e, _FLOAT32_ROUNDING)):
            out.append("precision lost: your result agrees with the expected one only to about 7 significant "
                       "digits, the precision of float32; part of the arithmetic ran in float32 on float64 inputs "
                       "(a float32 constant, array or .astype(np.float32)); keep the inputs' dtype throughout")
        bad = ~np.isfinite(g) & np.isfinite(e)
        if bad.any():
            out.append(case.overflow_hint or "NaN or infinity where the result is finite: an overflow, a "
                       "log of 0 or a division by zero")
    for msg, variant, *near_tol in case.near:  # an optional third item: the tolerance row for this match
        v = at(variant, leaf.key) if leaf.key else variant
        if isinstance(v, np.ndarray) or np.isscalar(v):
            v = np.asarray(v, dtype=np.float64)
            if v.shape == g.shape and close(g, v, TOLERANCES[near_tol[0]] if near_tol else tol):
                out.append(msg)
    return list(dict.fromkeys(out))


def explain_error(err: dict, stage: str, func: str, limits) -> str:
    """A one-paragraph explanation of an exception raised inside the submission."""
    typ, msg = err.get("type", "Exception"), err.get("message", "")
    where = "" if stage in ("", func) else f" (in your {stage}, called to grade {func})"
    if typ == "NotImplementedError":
        return f"not implemented yet: {stage or func} raises NotImplementedError{where}"
    if typ == "MemoryError":
        return f"ran out of memory (limit {limits.memory_mb} MB){where}"
    if typ == "ModuleNotFoundError" and ("mlp_ref" in msg or "grader" in msg):
        return f"tried to import the reference implementation, which submissions cannot use{where}: {msg}"
    if typ == "LookupError" and "defines no function" in msg:
        return msg
    if typ == "InterfaceError":  # a class, function, method or attribute the course's interface names
        return f"{msg}{where}"
    if typ == "IndexError" and func.startswith("softmax_cross_entropy") and "too many indices" in msg:
        return (f"IndexError{where}: {msg} -- o is a single sample of shape (K,) here, with an integer label y: "
                "index it as o[y] (and softmax over its only axis)")
    if typ == "IndexError" and func.startswith("softmax_cross_entropy"):
        return (f"IndexError{where}: {msg} -- an index past the last class often means 1-based class "
                "indices (y + 1); the labels are 0-based")
    if typ == "ValueError" and "matmul" in msg and (func.startswith(("linear", "mlp_")) or stage.startswith(
            ("linear", "mlp_"))):
        return (f"ValueError{where}: {msg} -- W has shape (H, D) (outputs x inputs, as torch.nn.Linear): "
                "s = W x + b, or x W^T + b for a batch in rows; x W treats W as (D, H)")
    if typ == "ValueError" and "broadcast" in msg and func.startswith("softmax_cross_entropy"):
        return (f"ValueError{where}: {msg} -- the labels y are integer class indices of shape (N,), not one-hot "
                "rows: pick o[n, y_n] (e.g. o[np.arange(N), y]) instead of multiplying by y")
    if typ == "SystemExit":
        return f"called sys.exit({msg}){where}; a graded function must return its result"
    if typ == "RecursionError":
        return f"RecursionError{where}: {msg}"
    text = f"raised {typ}{where}: {msg}"
    return text
