"""Hypothesis property tests over shapes and values (strategies in tests/hypothesis_helpers.py).

The default profile "ci" is derandomized with 10 examples per property; `--more-examples`
(or `--hypothesis-profile more`) runs 200 randomized ones.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hypothesis_helpers import MARGIN, bounded, dtypes, op_inputs
from oracles import tolerances
from oracles.base import Problem
from oracles.conformance import is_reference

pytestmark = pytest.mark.property


def _public_ops():
    from mlp_ref import catalog

    return [op for op in catalog.ops().values() if op.bind is not None]


PUBLIC_OPS = _public_ops()


def kink_distance(op, inputs):
    """Distance to the non-smooth points that depend on several args (Op.kink_distance)."""
    return np.inf if op.kink_distance is None else op.kink_distance(**inputs, **op.params)


def _under_test(op, impl):
    return op if is_reference(impl) else op.for_impl(impl)


@pytest.mark.parametrize("op", PUBLIC_OPS, ids=[op.name for op in PUBLIC_OPS])
@given(data=st.data())
def test_value_and_vjp_match_torch(op, data, impl, oracle_pool):
    """For drawn shapes and values: the implementation's forward and VJP equal torch autograd's."""
    subject = _under_test(op, impl)
    if subject is None:
        pytest.skip("document-specific op")
    oracle, reason = oracle_pool.get("torch")
    if reason or not oracle.has_form(op.fn):
        pytest.skip(reason or f"no torch form for {op.fn}")
    dtype = data.draw(dtypes, label="dtype")
    inputs = data.draw(op_inputs(op, dtype), label="inputs")
    assume(kink_distance(op, inputs) > MARGIN)
    problem = Problem(op.fn, inputs, dict(op.params), op.wrt, op.kinks)
    name = np.dtype(dtype).name
    drawn = {}

    def draw_g(shape):
        drawn["g"] = np.random.default_rng(0).standard_normal(shape).astype(dtype)
        return drawn["g"]

    res = oracle.evaluate(problem, draw_g, None, dtype=name)
    g = drawn["g"]
    tol = tolerances.lookup(name)
    got_value = subject.forward(**inputs, **op.params)
    got_vjp = subject.vjp(g if g.ndim else g[()], **inputs, **op.params)
    c = tolerances.compare("value", got_value, res["value"].value, tol)
    assert c.passed, c
    for a in op.wrt:
        c = tolerances.compare(f"vjp d/d{a}", got_vjp[a], res["vjp"].value[a], tol)
        assert c.passed, c


@pytest.mark.parametrize("op", PUBLIC_OPS, ids=[op.name for op in PUBLIC_OPS])
@given(data=st.data(), scale=st.floats(-3, 3).filter(lambda s: abs(s) > 0.1))
def test_vjp_is_linear_in_g(op, data, scale, impl):
    subject = _under_test(op, impl)
    if subject is None:
        pytest.skip("document-specific op")
    inputs = data.draw(op_inputs(op, np.float64), label="inputs")
    out = np.asarray(subject.forward(**inputs, **op.params))
    g = np.random.default_rng(1).standard_normal(out.shape)
    base = subject.vjp(g if g.ndim else g[()], **inputs, **op.params)
    scaled = subject.vjp(scale * g if g.ndim else scale * g[()], **inputs, **op.params)
    for a in op.wrt:
        np.testing.assert_allclose(scaled[a], scale * np.asarray(base[a]), rtol=1e-12, atol=1e-12)


@given(z=st.integers(1, 4).flatmap(lambda n: bounded((n, 3), -50, 50)), c=st.floats(-100, 100), dtype=dtypes)
def test_softmax_is_a_distribution_and_shift_invariant(z, c, dtype, impl):
    z = z.astype(dtype)
    p = impl.softmax(z)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=tol)
    np.testing.assert_allclose(impl.softmax((z + c).astype(dtype)), p, rtol=100 * tol, atol=tol)
    # log(p) itself is only accurate to ~eps absolutely where p is near 1, and not at all where
    # p underflows: compare where p is a normal number
    normal = p > 1e3 * np.finfo(dtype).tiny
    np.testing.assert_allclose(impl.log_softmax(z)[normal], np.log(p[normal]), rtol=100 * tol,
                               atol=8 * np.finfo(dtype).eps)


@given(z=bounded((5,), -30, 30))
def test_sigmoid_symmetry_and_tanh_relation(z, impl):
    np.testing.assert_allclose(impl.sigmoid(-z), 1 - impl.sigmoid(z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(impl.tanh(z), 2 * impl.sigmoid(2 * z) - 1, rtol=1e-12, atol=1e-12)
    # s (1 - s) loses relative accuracy where s -> 1 (1 - s cancels), but never more than ~eps absolutely
    np.testing.assert_allclose(impl.sigmoid_grad(z), impl.sigmoid(z) * impl.sigmoid(-z), rtol=1e-12,
                               atol=4 * np.finfo(float).eps)


@given(o=st.integers(1, 4).flatmap(lambda n: bounded((n, 4), -20, 20)), data=st.data())
def test_softmax_cross_entropy_is_minus_log_softmax_at_the_label(o, data, impl):
    y = data.draw(st.lists(st.integers(0, 3), min_size=o.shape[0], max_size=o.shape[0]).map(np.array))
    want = -impl.log_softmax(o)[np.arange(len(y)), y].sum()
    np.testing.assert_allclose(impl.softmax_cross_entropy(o, y), want, rtol=1e-12, atol=1e-12)


@given(x=bounded((3,), -2, 2))
def test_numerical_jacobian_of_an_affine_map_is_its_matrix(x, impl):
    W, b = np.arange(6.0).reshape(2, 3) - 2.5, np.array([0.5, -1.0])
    for method in ("forward", "central"):
        J = impl.numerical_jacobian(lambda v: impl.linear(W, v, b), x, eps=1e-6, method=method)
        np.testing.assert_allclose(J, W, rtol=1e-6, atol=1e-6)
    J = impl.numerical_jacobian(impl.tanh, x)  # elementwise: diagonal, shape f(x).shape + x.shape
    np.testing.assert_allclose(J, np.diag(impl.tanh_grad(x)), rtol=1e-6, atol=1e-9)


@given(z=bounded((2, 3), -2, 2))
def test_numerical_gradient_agrees_with_the_hand_derivative(z, impl):
    f = lambda v: float(np.sum(impl.tanh(v)))  # noqa: E731
    num = impl.numerical_gradient(f, z, eps=1e-6, method="central")
    np.testing.assert_allclose(num, impl.tanh_grad(z), rtol=1e-6, atol=1e-8)
