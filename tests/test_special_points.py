"""Special points: every kink checked explicitly, large |z|, and the stability claims.

Kinks (z = 0 for ReLU, leaky ReLU, ELU; r = 0 for MAE; |r| = delta for Huber): the hand
derivative at the kink must be a subgradient (between the one-sided difference quotients of the
oracle-side form), and just off the kink it must equal the one-sided quotient on that side.
What torch and JAX return at each kink is recorded (record_property "conventions") and checked
against the catalog's convention entries. Large |z|: sigmoid, softmax and the cross-entropies
against torch, JAX and one-sided differences. Stability: mlp_ref's softmax, log_softmax,
sigmoid, binary and categorical (softmax) cross-entropy are finite and correct for logits up to
+-1e4 in float64 and +-80 in float32.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import mlp_ref
import oracles
from oracles import conformance, tolerances
from oracles.base import Problem
from oracles.conformance import is_reference

H = 1e-7  # one-sided step; the hand derivative is probed at +-DELTA off the kink
DELTA = 1e-9


def _grad(impl, name, **kw):
    return float(np.ravel(getattr(impl, name)(**kw))[0])


# label, oracle fn, params, arg, point (inputs), hand derivative (impl, inputs) -> float
KINKS = [
    ("relu z=0", "relu", {}, "z", {"z": 0.0}, lambda m, z: _grad(m, "relu_grad", z=z)),
    ("leaky_relu z=0", "leaky_relu", {"slope": 0.1}, "z", {"z": 0.0},
     lambda m, z: _grad(m, "leaky_relu_grad", z=z, slope=0.1)),
    ("elu z=0", "elu", {"alpha": 1.5}, "z", {"z": 0.0}, lambda m, z: _grad(m, "elu_grad", z=z, alpha=1.5)),
    ("mae r=0", "mae", {"reduction": "sum"}, "yhat", {"yhat": 0.3, "y": 0.3},
     lambda m, yhat, y: _grad(m, "mae_grad", yhat=yhat, y=y, reduction="sum")),
    ("huber r=+delta", "huber", {"delta": 1.0, "reduction": "sum"}, "yhat", {"yhat": 1.25, "y": 0.25},
     lambda m, yhat, y: _grad(m, "huber_grad", yhat=yhat, y=y, delta=1.0, reduction="sum")),
    ("huber r=-delta", "huber", {"delta": 1.0, "reduction": "sum"}, "yhat", {"yhat": -0.75, "y": 0.25},
     lambda m, yhat, y: _grad(m, "huber_grad", yhat=yhat, y=y, delta=1.0, reduction="sum")),
]


def _arrays(point, arg=None, shift=0.0):
    return {k: np.array([[v + (shift if k == arg else 0.0)]]) for k, v in point.items()}


@pytest.mark.parametrize("label,fn,params,arg,point,hand", KINKS, ids=[k[0] for k in KINKS])
def test_kink_hand_derivative_against_one_sided_differences(label, fn, params, arg, point, hand, impl):
    sides = conformance.one_sided(Problem(fn, _arrays(point), params, (arg,)), h=H)
    left, right = sides["left"], sides["right"]
    at = hand(impl, **_arrays(point))
    lo, hi = min(left, right), max(left, right)
    assert lo - 1e-6 <= at <= hi + 1e-6, f"{label}: hand derivative {at} is not in [{left}, {right}]"
    below = hand(impl, **_arrays(point, arg, -DELTA))
    above = hand(impl, **_arrays(point, arg, DELTA))
    assert below == pytest.approx(left, abs=1e-5), f"{label}: left limit {below} vs left difference {left}"
    assert above == pytest.approx(right, abs=1e-5), f"{label}: right limit {above} vs right difference {right}"


def test_kink_conventions_per_framework_are_recorded(impl, record_property):
    table = conformance.kink_conventions(impl)
    record_property("conventions", table)
    relu = table["relu'(0)"]
    # mlp_ref.relu_grad documents at_zero=0 "as torch and JAX": check all three
    assert relu["torch"] == relu["jax"] == 0.0
    if is_reference(impl):
        assert relu["mlp_ref"] == 0.0
    for label, row in table.items():
        lo, hi = min(row["left"], row["right"]), max(row["left"], row["right"])
        for who in ("torch", "jax"):
            assert lo - 1e-6 <= row[who] <= hi + 1e-6, f"{label}: {who} returns {row[who]}, not a subgradient"


# derivative at z = 0 of each activation with a kink: what torch and JAX return (recorded and
# checked here), and the at_zero that gives it in mlp_ref
FRAMEWORK_KINKS = [
    ("relu", {}, {"torch": 0.0, "jax": 0.0}),
    ("leaky_relu", {"slope": 0.1}, {"torch": 0.1, "jax": 1.0}),
    ("elu", {"alpha": 1.5}, {"torch": 1.5, "jax": 1.5}),
]


def _framework_derivative_at_zero(framework, fn, params):
    if framework == "torch":
        torch = pytest.importorskip("torch")
        import torch.nn.functional as F

        f = {"relu": torch.relu, "leaky_relu": lambda z: F.leaky_relu(z, params.get("slope", 0.01)),
             "elu": lambda z: F.elu(z, params.get("alpha", 1.0))}[fn]
        z = torch.zeros((), dtype=torch.float64, requires_grad=True)
        return float(torch.autograd.grad(f(z), z)[0])
    jax = pytest.importorskip("jax")
    f = {"relu": jax.nn.relu, "leaky_relu": lambda z: jax.nn.leaky_relu(z, params.get("slope", 0.01)),
         "elu": lambda z: jax.nn.elu(z, params.get("alpha", 1.0))}[fn]
    return float(jax.grad(f)(0.0))


@pytest.mark.parametrize("fn,params,expected", FRAMEWORK_KINKS, ids=[k[0] for k in FRAMEWORK_KINKS])
def test_framework_values_at_the_kink_and_the_at_zero_switch(fn, params, expected, record_property):
    """The special-points table: torch's and JAX's derivative at 0, each reproduced by at_zero."""
    row = {"mlp_ref default": float(getattr(mlp_ref, fn + "_grad")(np.zeros(1), **params)[0])}
    for framework, value in expected.items():
        got = _framework_derivative_at_zero(framework, fn, params)
        row[framework] = got
        assert got == value, f"{fn}'(0): {framework} returns {got}, the table says {value}"
        switched = float(getattr(mlp_ref, fn + "_grad")(np.zeros(1), **params, at_zero=got)[0])
        assert switched == got, f"{fn}_grad(0, at_zero={got}) gives {switched}"
    record_property(f"kink:{fn}'(0)", row)


def test_mae_docstring_states_what_torch_and_jax_return_at_zero():
    torch, jax = pytest.importorskip("torch"), pytest.importorskip("jax")
    z = torch.zeros((), dtype=torch.float64, requires_grad=True)
    values = {"torch": float(torch.autograd.grad(torch.abs(z), z)[0]), "JAX": float(jax.grad(jax.numpy.abs)(0.0))}
    doc = mlp_ref.mae_grad.__doc__
    for who, value in values.items():
        m = re.search(rf"{who}(?:'s value| returns) (-?\d)", doc)
        assert m, f"mae_grad's docstring does not say what {who} returns at r = 0: {doc!r}"
        assert float(m.group(1)) == value, f"mae_grad's docstring says {who} gives {m.group(1)}, {who} gives {value}"
    assert float(mlp_ref.mae_grad(np.array([0.3]), np.array([0.3]), reduction="sum")[0]) == values["torch"]


def _convention_entries_with_kinks():
    from mlp_ref import catalog

    out = []
    for e in catalog.entries():
        op = e.op
        if op is None or not op.kinks or len(op.wrt) == 0:
            continue
        out.append(pytest.param(e, id=e.id))
    return out


@pytest.mark.parametrize("entry", _convention_entries_with_kinks())
def test_catalog_kink_entries_against_frameworks(entry, record_property):
    """Entries whose op has a kink: the as-written derivative at the kink is a subgradient, what
    torch and JAX return there is recorded beside it, and what the entry's explanation says the
    frameworks do there ("torch/JAX take 0", "as torch and JAX do") is checked against them."""
    op = entry.op
    arg = next(a for a in op.wrt if a in op.kinks)
    inputs = op.sample(np.random.default_rng(3), np.float64)
    x = inputs[arg].copy()
    x.flat[0] = op.kinks[arg][0]
    inputs[arg] = x
    out = np.asarray(op.forward(**inputs, **op.params))
    g = np.ones_like(out)
    as_written = float(np.ravel(op.vjp(g if g.ndim else g[()], **inputs, **op.params)[arg])[0])
    problem = Problem(op.fn, inputs, dict(op.params), (arg,))
    row = {"as_written": as_written}
    for name in ("torch", "jax"):
        o = oracles.get(name)
        if not o.available() and o.has_form(op.fn):
            row[name] = float(np.ravel(o.vjp(problem, g).value[arg])[0])
    row.update(conformance.one_sided(problem, h=H))
    record_property(f"kink:{entry.id}", row)
    lo, hi = min(row["left"], row["right"]), max(row["left"], row["right"])
    assert lo - 1e-6 <= as_written <= hi + 1e-6, f"{entry.id}: {row}"
    # what the entry says torch and JAX do at the kink must be what they do
    text = entry.evaluate()["explanation"]
    for m in re.finditer(r"torch(?:/| and )JAX take[s]? (-?\d+(?:\.\d+)?)", text):
        for k in ("torch", "jax"):
            if k in row:
                assert row[k] == pytest.approx(float(m.group(1))), f"{entry.id}: {text!r} but {k} gives {row[k]}"
    if re.search(r"as torch and JAX do", text):
        for k in ("torch", "jax"):
            if k in row:
                assert row[k] == pytest.approx(as_written), f"{entry.id}: {text!r} but {k} gives {row[k]}"


# ------------------------------------------------------------------------------- large |z|
LARGE = {"float64": (30.0, 700.0, 1e4), "float32": (20.0, 80.0)}
SIGMOID_GRAD_SCALE = 0.25  # max of sigma'(z), at z = 0


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sigmoid_derivative_at_large_z(dtype, impl, oracle_pool):
    zs = np.array([[s * v for v in LARGE[dtype] for s in (-1.0, 1.0)]], dtype=dtype)
    hand = impl.sigmoid_grad(zs)
    assert np.all(np.isfinite(hand)) and np.all(hand >= 0)
    problem = Problem("sigmoid", {"z": zs}, {}, ("z",))
    tol = tolerances.lookup(dtype)
    for name in ("torch", "jax"):
        o, reason = oracle_pool.get(name)
        if reason:
            continue
        auto = o.vjp(problem, np.ones_like(zs), dtype=dtype).value["z"]
        # the frameworks compute s (1 - s), exact only to an absolute ~eps once 1 - s cancels (z >> 0)
        c = tolerances.compare(f"sigmoid' vs {name}", hand, auto,
                               tolerances.Tolerance(tol.rtol, 4 * np.finfo(dtype).eps, tol.reason))
        assert c.passed, c
    # one-sided (forward) differences in float64 with their own error estimate
    fd = oracles.get("fd", method="forward").jvp(Problem("sigmoid", {"z": zs.astype(np.float64)}, {}, ("z",)),
                                                 {"z": np.ones_like(zs, dtype=np.float64)}, full=True)
    assert np.all(np.abs(hand - fd.value) <= tolerances.FD_SAFETY * fd.error + tol.atol), (hand, fd.value, fd.error)
    # mlp_ref: where sigma'(z) is representable it is relatively accurate on both sides. Another
    # implementation is held to the function's scale (max sigma' = 1/4): the textbook s (1 - s),
    # what torch and JAX compute, is exact only to ~eps absolutely once 1 - s cancels (z >> 0)
    e = np.exp(-np.abs(zs.astype(np.float64)))
    atol = 1e-300 if is_reference(impl) else 4 * np.finfo(dtype).eps * SIGMOID_GRAD_SCALE
    np.testing.assert_allclose(hand, e / (1 + e) ** 2, rtol=100 * np.finfo(dtype).eps, atol=atol)


def _stability_cases(dtype):
    L = 1e4 if dtype == "float64" else 80.0
    z = np.array([[L, -L, 0.0], [L / 2, L, -L]], dtype=dtype)
    return [
        ("sigmoid", {"z": z}),
        ("softmax", {"z": z}),
        ("log_softmax", {"z": z}),
        ("binary_cross_entropy_with_logits", {"a": np.array([L, -L, L, -L, 0.5], dtype=dtype),
                                              "y": np.array([1, 0, 0, 1, 1], dtype=dtype)}),
        ("softmax_cross_entropy", {"o": np.array([[L, -L, 0.0], [0.0, L, -L], [L, L, -L]], dtype=dtype),
                                   "y": np.array([1, 1, 2])}),
    ]


STABILITY = [pytest.param(dtype, name, inputs, id=f"{name}-{dtype}")
             for dtype in ("float64", "float32") for name, inputs in _stability_cases(dtype)]


@pytest.mark.parametrize("dtype,name,inputs", STABILITY)
def test_stability_claims_against_torch_and_jax(dtype, name, inputs, impl, oracle_pool):
    """Finite and correct for logits up to +-1e4 (float64) / +-80 (float32): value and VJP against
    torch and JAX, and the VJP against one-sided differences."""
    from mlp_ref import catalog

    op = catalog.ops()[name]
    subject = op if is_reference(impl) else op.for_impl(impl)
    value = np.asarray(subject.forward(**inputs, **op.params))
    g = np.random.default_rng(5).standard_normal(value.shape).astype(dtype)
    grads = subject.vjp(g if g.ndim else g[()], **inputs, **op.params)
    assert np.all(np.isfinite(value)), value
    assert all(np.all(np.isfinite(v)) for v in grads.values()), grads
    problem = Problem(op.fn, inputs, dict(op.params), op.wrt)
    tol = tolerances.lookup(dtype)
    compared = 0
    for oname in ("torch", "jax"):
        o, reason = oracle_pool.get(oname)
        if reason:
            continue
        res = o.evaluate(problem, g, None, dtype=dtype)
        c = tolerances.compare(f"{name} value vs {oname}", value, res["value"].value, tol)
        assert c.passed, c
        for a in op.wrt:
            c = tolerances.compare(f"{name} d/d{a} vs {oname}", grads[a], res["vjp"].value[a], tol)
            assert c.passed, c
        compared += 1
    assert compared, "neither torch nor JAX available"
    # one-sided (forward) differences of the oracle-side form, with their own error estimate
    fd = oracles.get("fd", method="forward").vjp(problem, g)
    for a in op.wrt:
        c = tolerances.compare(f"{name} d/d{a} vs one-sided differences", grads[a], fd.value[a], tol, fd.error[a])
        assert c.passed, c
