"""The one tolerance table for oracle comparisons, keyed by dtype (and device where needed).

A comparison of a reference array `a` with an oracle array `b` passes where, elementwise,
|a - b| <= atol + rtol |b| + FD_SAFETY * err, with `err` the oracle's own error estimate (zero
for autodiff oracles). Reported errors: max_abs_err = max |a - b|; max_rel_err = max |a - b| /
max |b| (relative to the quantity's scale, so that entries near zero do not blow it up).
Every override carries its reason.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


TABLE = {
    ("float64", None): Tolerance(
        1e-9, 1e-12,
        "double precision: hand-derived and autodiff derivatives differ by rounding (~1e-15 relative "
        "per operation); 1e-9 leaves room for sums of a few hundred terms and still catches any "
        "wrong factor, sign or index"),
    ("float32", None): Tolerance(
        1e-4, 1e-5,
        "single precision: eps = 1.2e-7, and the reference and the oracle round in different orders "
        "(exp/log/sum), so agreement is to ~1e-6 relative; 1e-4 / 1e-5 allow for cancellation in "
        "softmax - onehot and sums over samples"),
    ("float32", "gpu"): Tolerance(
        2e-4, 2e-5,
        "GPU transcendental functions (exp, log, tanh) differ from the CPU's by a few ulp; matmul "
        "precision is pinned to true FP32, so no TF32 allowance is needed"),
}

# An FD oracle's error estimate is itself an estimate: allow this multiple of it.
FD_SAFETY = 10.0
# An FD estimate whose error estimate exceeds this fraction of the quantity's scale is not
# evidence either way (e.g. a kink inside the step): the check is failed as unreliable. FD always
# evaluates in float64, where Richardson's estimates are ~1e-13 of the scale on smooth pieces.
FD_UNRELIABLE = 1e-6


def lookup(dtype: str, device: str = "cpu") -> Tolerance:
    """The table's tolerance for `dtype` on `device` ("cuda:0" and "gpu:0" count as "gpu")."""
    kind = "gpu" if device.startswith(("cuda", "gpu")) else None
    return TABLE.get((dtype, kind)) or TABLE[(dtype, None)]


def with_override(base: Tolerance, override: dict | None) -> Tolerance:
    """Widen `base` by an entry's tolerance override {"rtol", "atol", "reason"} (never narrows)."""
    if not override:
        return base
    if not override.get("reason"):
        raise ValueError("tolerance override: a reason is required")
    return Tolerance(max(base.rtol, float(override.get("rtol", 0.0))),
                     max(base.atol, float(override.get("atol", 0.0))),
                     f"entry override: {override['reason']} (table: {base.reason})")


@dataclass
class Comparison:
    """Outcome of comparing one reference quantity with one oracle quantity."""

    name: str
    passed: bool
    max_abs_err: float
    max_rel_err: float
    worst: tuple | None = None  # index of the worst element
    ref_at_worst: float | None = None
    oracle_at_worst: float | None = None
    allowed_at_worst: float | None = None
    note: str = ""


def compare(name: str, ref, oracle, tol: Tolerance, err=None) -> Comparison:
    """Compare `ref` with `oracle` under `tol`, widened by FD_SAFETY x the oracle's error `err`."""
    a = np.asarray(ref, dtype=np.float64)
    b = np.asarray(oracle, dtype=np.float64)
    if a.shape != b.shape:
        return Comparison(name, False, float("inf"), float("inf"),
                          note=f"shape mismatch: reference {a.shape}, oracle {b.shape}")
    if a.size == 0:
        return Comparison(name, True, 0.0, 0.0)
    if not np.all(np.isfinite(a)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        return Comparison(name, False, float("inf"), float("inf"), bad, float(a[bad]), float(b[bad]),
                          note="the reference is not finite")
    e = np.zeros_like(b) if err is None else np.broadcast_to(np.asarray(err, dtype=np.float64), b.shape)
    diff = np.abs(a - b)
    allowed = tol.atol + tol.rtol * np.abs(b) + FD_SAFETY * e
    excess = diff - allowed
    worst = np.unravel_index(int(np.argmax(excess)), a.shape)
    scale = float(np.max(np.abs(b)))
    max_abs = float(np.max(diff))
    return Comparison(name, bool(np.all(excess <= 0)), max_abs, max_abs / scale if scale > 0 else (
        0.0 if max_abs == 0 else float("inf")), tuple(int(i) for i in worst), float(a[worst]),
        float(b[worst]), float(allowed[worst]))
