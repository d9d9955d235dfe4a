"""Generic op tests, generated over every registered op (mlp_ref.catalog.ops()).

- the hand-derived VJP agrees with NumPy central differences at the op's sampled inputs; an erratum's
  as-written op (an entry's `op` where the entry has a `corrected` op and the verdict erratum) must
  instead differ from its corrected op;
- forward and VJP keep float32;
- the op's `fn` has a torch and a JAX form whose float64 forward (and autodiff VJP) agrees with the op.
"""
from __future__ import annotations

import numpy as np
import pytest

from catalog_records import RECORDS as CATALOG  # the catalog evaluated once per session
from mlp_ref import catalog

OPS = catalog.ops()
ENTRIES = catalog.entries()
# as-written erratum ops: {op name: the entry that carries it as written}
AS_WRITTEN = {e.op.name: e for e in ENTRIES
              if e.op is not None and e.corrected is not None and CATALOG[e.id]["verdict"] == "erratum"}
SEEDS = (0, 1, 2, 3)  # the sample points the former per-document tests drew

# Central differences with step 1e-5 on sum(g * forward): truncation (~h^2) and rounding (~eps |L| / h)
# stay below the tolerance for every op (at most ~0.1 of it; ~0.45 for kl_divergence, whose log has
# large third derivatives near the simplex edge). The tolerance is the strictest the per-document
# tests used, so any wrong factor, sign or transpose fails by orders of magnitude.
FD_STEP = 1e-5
FD_TOL = {"rtol": 1e-7, "atol": 1e-9}
# an as-written erratum differs from the correct derivative (or function) by more than this
DIFFERS = 1e-3
# float64 forms against the op: both compute the same expression, so only rounding separates them
FORM_TOL = {"rtol": 1e-12, "atol": 1e-12}

# as-written ops whose *function* is wrong (not only their derivative), as their entry states:
# {entry id: reason}. Their VJP is the exact derivative of the wrong function, so it must agree with
# central differences, while the forward differs from the corrected op's and from the oracle forms.
WRONG_FORWARD = {
    "tum7-loss-gaussian": "the loss as written is Σ(y - f)^2 + const, twice the data term of -Σ log N(y | f, 1)",
    "ee559-mse": "the stray ℓ inside the MSE makes the loss as written the mean of ||r_n||^4",
}
WRONG_FORWARD_OPS = {name for name, e in AS_WRITTEN.items() if e.id in WRONG_FORWARD}


def _forward(op, inputs):
    return np.asarray(op.forward(**inputs, **op.params))


def _central_differences(op, inputs, g, name):
    """d sum(g * forward) / d inputs[name], one coordinate at a time."""
    base = inputs[name]
    fd = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        up, down = base.copy(), base.copy()
        up[idx] += FD_STEP
        down[idx] -= FD_STEP
        diff = _forward(op, {**inputs, name: up}) - _forward(op, {**inputs, name: down})
        fd[idx] = np.sum(g * diff) / (2 * FD_STEP)
    return fd


def _case(op, seed):
    """Sampled float64 inputs, an upstream gradient and the op's VJP at them."""
    rng = np.random.default_rng(seed)
    inputs = op.sample(rng, np.float64)
    g = rng.normal(size=_forward(op, inputs).shape)
    grads = op.vjp(g, **inputs, **op.params)
    assert op.wrt and set(grads) == set(op.wrt)
    return inputs, g, grads


def test_as_written_ops_are_found_and_used_only_as_written():
    assert AS_WRITTEN, "the documents contain errata with a corrected op; none found"
    assert set(WRONG_FORWARD) <= {e.id for e in AS_WRITTEN.values()}, "WRONG_FORWARD names no as-written op"
    for e in ENTRIES:
        if e.corrected is not None:
            assert e.corrected.name not in AS_WRITTEN, f"{e.id}: corrects with an as-written erratum op"
        if e.op is not None and e.op.name in AS_WRITTEN:
            assert AS_WRITTEN[e.op.name] is e, f"{e.id} uses {e.op.name}, the erratum of another entry"


@pytest.mark.parametrize("op", [OPS[n] for n in OPS if n not in AS_WRITTEN or n in WRONG_FORWARD_OPS],
                         ids=lambda op: op.name)
def test_vjp_matches_central_differences(op):
    for seed in SEEDS:
        inputs, g, grads = _case(op, seed)
        for name in op.wrt:
            np.testing.assert_allclose(grads[name], _central_differences(op, inputs, g, name), **FD_TOL,
                                       err_msg=f"{op.name}: d/d{name}, seed {seed}")


@pytest.mark.parametrize("op", [OPS[n] for n in AS_WRITTEN], ids=lambda op: op.name)
def test_as_written_erratum_differs_from_its_correction(op):
    corrected = AS_WRITTEN[op.name].corrected
    assert corrected.wrt == op.wrt
    for seed in SEEDS:
        inputs, g, grads = _case(op, seed)
        want = corrected.vjp(g, **inputs, **corrected.params)
        assert any(not np.allclose(grads[n], want[n]) for n in op.wrt), f"seed {seed}: VJP equals the corrected one"
        out, fixed = _forward(op, inputs), _forward(corrected, inputs)
        if op.name in WRONG_FORWARD_OPS:  # the function is wrong: its VJP is checked against its own forward
            assert np.max(np.abs(out - fixed)) > DIFFERS, f"seed {seed}: the as-written function is the corrected one"
            continue
        np.testing.assert_allclose(out, fixed, **FORM_TOL,
                                   err_msg=f"seed {seed}: the forward differs, but WRONG_FORWARD does not say so")
        worst = 0.0
        for n in op.wrt:
            fd = _central_differences(op, inputs, g, n)
            worst = max(worst, float(np.max(np.abs(np.asarray(grads[n]) - fd)) / (1 + np.max(np.abs(fd)))))
        assert worst > DIFFERS, f"seed {seed}: the as-written VJP agrees with central differences"


@pytest.mark.parametrize("op", [OPS[n] for n in OPS], ids=list(OPS))
def test_op_keeps_float32(op):
    inputs = op.sample(np.random.default_rng(0), np.float32)
    out = _forward(op, inputs)
    assert out.dtype == np.float32
    ones = np.ones(out.shape, np.float32)
    for g in ([ones] if out.ndim else [ones, ones[()]]):  # a scalar output also takes a NumPy scalar
        grads = op.vjp(g, **inputs, **op.params)
        assert {n: np.asarray(v).dtype for n, v in grads.items()} == {n: np.float32 for n in op.wrt}


def _torch_case(op, inputs, g):
    torch = pytest.importorskip("torch")
    from oracles.forms import torch_forms

    forms = torch_forms()
    assert op.fn in forms, f"no torch form for {op.fn}"
    t = {k: torch.tensor(v, requires_grad=k in op.wrt) for k, v in inputs.items()}
    out = forms[op.fn](**t, **op.params)
    grads = torch.autograd.grad(out, [t[a] for a in op.wrt], grad_outputs=torch.tensor(g))
    return out.detach().numpy(), {a: gr.numpy() for a, gr in zip(op.wrt, grads)}


def _jax_case(op, inputs, g):
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    from oracles.forms import jax_forms

    forms = jax_forms()
    assert op.fn in forms, f"no jax form for {op.fn}"
    with jax.enable_x64(True):  # float64 only inside this block: no global state leaks
        jin = {k: jnp.asarray(v) for k, v in inputs.items()}

        def f(*w):
            return forms[op.fn](**{**jin, **dict(zip(op.wrt, w))}, **op.params)

        out, pullback = jax.vjp(jax.jit(f), *[jin[a] for a in op.wrt])  # traced whole, not op by op
        grads = pullback(jnp.asarray(g))
        return np.asarray(out), {a: np.asarray(gr) for a, gr in zip(op.wrt, grads)}


@pytest.mark.parametrize("framework", ["torch", "jax"])
@pytest.mark.parametrize("op", OPS.values(), ids=lambda op: op.name)
def test_oracle_form_agrees_with_the_op(op, framework):
    rng = np.random.default_rng(3)
    inputs = op.sample(rng, np.float64)
    ref = _forward(op, inputs)
    g = rng.normal(size=ref.shape)
    out, grads = (_torch_case if framework == "torch" else _jax_case)(op, inputs, g)
    assert out.shape == ref.shape
    if op.name in WRONG_FORWARD_OPS:
        assert not np.allclose(out, ref, rtol=DIFFERS, atol=DIFFERS), "the as-written function matches the form"
        return
    np.testing.assert_allclose(out, ref, **FORM_TOL)
    if op.name in AS_WRITTEN:  # a wrong derivative: test_as_written_erratum_differs_from_its_correction checks it
        return
    ours = op.vjp(g, **inputs, **op.params)
    for a in op.wrt:
        np.testing.assert_allclose(grads[a], ours[a], **FORM_TOL, err_msg=f"{op.name}: d/d{a}")
