"""Accuracy of mlp_ref where a textbook formula cancels, against 50-digit mpmath references:
log cosh for small |r| (float32 and float64), tanh' at large |z|, and the binary cross-entropy on
logits in both tails (value and gradient). mlp_ref's own claims: not run under --impl."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest

import mlp_ref

mpmath.mp.dps = 50


def _ref(f, xs):
    return np.array([float(f(mpmath.mpf(float(x)))) for x in np.ravel(xs)]).reshape(np.shape(xs))


def _assert_rel(got, want, rtol, what):
    got = np.asarray(got, dtype=np.float64)
    rel = np.abs(got - want) / np.where(want == 0, 1.0, np.abs(want))
    i = int(np.argmax(rel))
    assert rel.flat[i] <= rtol, (f"{what}: relative error {rel.flat[i]:.3g} > {rtol:.3g} at input #{i}: "
                                 f"got {got.flat[i]!r}, 50-digit reference {want.flat[i]!r}")


R = np.array([1e-8, 1e-6, 1e-4, 1e-3, 0.01, 0.3, 0.99, 1.0, 1.01, 3.0, 20.0, 300.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logcosh_is_accurate_for_small_and_large_r(dtype):
    r = R.astype(dtype)
    got = mlp_ref.logcosh(r, np.zeros_like(r), reduction="none")
    assert got.dtype == dtype
    want = _ref(lambda v: mpmath.log(mpmath.cosh(v)), r.astype(np.float64))
    _assert_rel(got, want, 8 * np.finfo(dtype).eps, f"logcosh {np.dtype(dtype).name}")
    assert float(mlp_ref.logcosh(np.float32(1e-4), np.float32(0.0))) == pytest.approx(5e-9, rel=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logcosh_is_never_negative(dtype):
    # |r| + log1p(e^{-2|r|}) - log 2 alone rounds to -6e-8 at some |r| < 3e-3 in float32
    r = np.concatenate([R, -R, np.linspace(-2, 2, 401), np.linspace(-3e-3, 3e-3, 6001)]).astype(dtype)[:, None]
    assert np.all(mlp_ref.logcosh(r, np.zeros_like(r), reduction="none") >= 0)
    for reduction in ("sum", "mean"):
        assert mlp_ref.logcosh(r, np.zeros_like(r), reduction=reduction) >= 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_grad_does_not_cancel_at_large_z(dtype):
    z = np.array([0.0, 0.5, 3.0, 9.0, 15.0, 30.0, 200.0]).astype(dtype)
    z = np.concatenate([z, -z])
    want = _ref(lambda v: 1 / mpmath.cosh(v) ** 2, z.astype(np.float64))
    tiny = np.finfo(dtype).tiny
    got = mlp_ref.tanh_grad(z)
    assert got.dtype == dtype
    normal = want > 1e3 * tiny  # where sech^2 is a normal number of the dtype
    _assert_rel(got[normal], want[normal], 16 * np.finfo(dtype).eps, f"tanh' {np.dtype(dtype).name}")
    assert np.all(np.abs(got[~normal] - want[~normal]) <= 1e3 * tiny)
    # the textbook 1 - tanh^2 is 0 from |z| ~ 19 (float64) on: the form used here is not
    assert float(mlp_ref.tanh_grad(np.array(30.0))) == pytest.approx(float(want[5]), rel=1e-14)


A = np.array([-700.0, -80.0, -40.0, -10.0, -1.0, 0.0, 1.0, 10.0, 40.0, 80.0, 700.0])


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_with_logits_is_accurate_in_both_tails(y):
    a = A.copy()
    ys = np.full_like(a, y)
    got = mlp_ref.binary_cross_entropy_with_logits(a, ys, reduction="none")
    # log(1 + e^a) - y a = log(1 + e^{-a}) for y = 1
    want = _ref((lambda v: mpmath.log1p(mpmath.exp(v))) if y == 0 else (lambda v: mpmath.log1p(mpmath.exp(-v))), a)
    _assert_rel(got, want, 4 * np.finfo(float).eps, f"BCE with logits, y = {y:g}")
    grad = mlp_ref.binary_cross_entropy_with_logits_grad(a, ys, reduction="none", g=np.ones_like(a))
    want_grad = _ref(lambda v: 1 / (1 + mpmath.exp(-v)) - y, a)
    _assert_rel(grad, want_grad, 4 * np.finfo(float).eps, f"d BCE/da, y = {y:g}")


def test_bce_with_logits_mirror_cases_agree():
    """a = 40, y = 1 and a = -40, y = 0 are the same loss, 4.25e-18."""
    one = mlp_ref.binary_cross_entropy_with_logits(np.array([40.0]), np.array([1.0]))
    mirror = mlp_ref.binary_cross_entropy_with_logits(np.array([-40.0]), np.array([0.0]))
    assert one == mirror == pytest.approx(4.248354255291589e-18, rel=1e-15)
