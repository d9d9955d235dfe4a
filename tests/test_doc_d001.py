"""Document 001 (TUM ML Lecture 7: Deep Learning I): verdicts, documented numbers, errata and bad input."""
import math

import numpy as np
import pytest

from mlp_ref import catalog
from mlp_ref.documents import d001_tum_lecture7 as d
from mlp_ref.registry import printed_decimals

EXPECTED = {
    "tum7-logreg": "holds",
    "tum7-xor-not-separable": "holds",
    "tum7-basis-functions": "holds",
    "tum7-xor-feature-map": "holds",
    "tum7-xor-separable-after-phi": "holds",
    "tum7-xor-one-hidden-layer": "holds",
    "tum7-xor-output-bias": "erratum",  # σ1([w0 w1]·φ) has no output bias: no w classifies XOR
    "tum7-ffnn-one-hidden": "holds",
    "tum7-deep-mlp": "holds",
    "tum7-act-sigmoid": "holds",
    "tum7-act-tanh": "holds",
    "tum7-act-relu": "holds",
    "tum7-act-leaky-relu": "holds",
    "tum7-act-elu": "holds",
    "tum7-act-swish": "holds",
    "tum7-softmax-not-elementwise": "holds",
    "tum7-linear-collapse": "holds",
    "tum7-nonlinear-stack": "erratum",  # σ_k with k undefined (σ_{L-1}, then σ_{L-2})
    "tum7-universal-approximation": "holds",
    "tum7-one-hidden-any-function": "erratum",  # "represent any function": only continuous ones, approximately
    "tum7-depth-efficiency": "holds",
    "tum7-depth-k-vs-k-minus-1": "incomplete",  # cited without the function family; tent maps separate k from 1
    "tum7-loss-table": "holds",
    "tum7-loss-bernoulli": "holds",
    "tum7-loss-categorical": "holds",
    "tum7-loss-gaussian": "erratum",  # -Σ log N(y|f,1) = ½ Σ (y - f)^2 + const, not Σ (y - f)^2 + const
    "tum7-loss-mae": "holds",
    "tum7-loss-huber": "holds",
    "tum7-loss-logcosh": "holds",
    "tum7-loss-wasserstein": "holds",
    "tum7-loss-kl": "holds",
    "tum7-nonconvex": "holds",
    "tum7-gradient-descent": "holds",
    "tum7-numeric-gradient": "holds",
    "tum7-numeric-cost": "holds",
    "tum7-symbolic-cases": "holds",
    "tum7-symbolic-reuse": "holds",
    "tum7-backprop-cost": "holds",
    "tum7-toy-modules": "holds",
    "tum7-toy-chain-rule": "erratum",  # "= ∂d/∂c ∂f/∂x" for ∂d/∂c ∂c/∂x
    "tum7-backprop-recipe": "holds",
    "tum7-toy-local-derivatives": "holds",
    "tum7-toy-forward": "convention",  # sin of b in degrees (sin 90° = 1); radians round to the same 1 and 2
    "tum7-toy-backward": "erratum",  # ∂f/∂x = -80.39 in radians, not 0
    "tum7-multiple-inputs": "holds",
    "tum7-multiple-paths": "holds",
    "tum7-multivariate-chain-rule": "holds",
    "tum7-jacobian": "holds",
    "tum7-numerator-layout": "convention",
    "tum7-chain-rule-matrix": "holds",
    "tum7-regression-network": "holds",
    "tum7-chain-rule-tensor": "holds",
    "tum7-matrix-calculus-notes": "incomplete",  # note 2 pairs x^2 with [x; x^2]: no derivative to check
    "tum7-matrix-calculus": "holds",
    "tum7-3way-tensor": "erratum",  # ∂a_i/W_jk lacks the ∂ of ∂W_jk
    "tum7-accumulate-gradient": "convention",  # "Jacobian-vector product" for a vector-Jacobian product
    "tum7-module-abstraction": "holds",
    "tum7-affine-layer": "holds",
    "tum7-affine-scalar-derivation": "holds",
    "tum7-affine-backward-matrix": "erratum",  # x^T·(∂E/∂a) is (1×D)(1×H)
    "tum7-affine-backward-summary": "convention",  # numerator layout: transposes of the gradients
}
# documented plain numbers that are inputs of an example, not results to reproduce
INPUTS = {("tum7-toy-forward", "x")}
# documented numbers the computation contradicts (each explained by its erratum)
MISMATCHED_NUMBERS = {("tum7-toy-backward", "∂f/∂x")}


@pytest.fixture(scope="module")
def records():
    entries = [e for e in catalog.entries() if e.id.startswith("tum7-")]
    return {e.id: (e, e.evaluate()) for e in entries}


def test_every_entry_listed_in_document_order(records):
    assert list(records) == list(EXPECTED)
    assert all(e.source == d.SRC for e, _ in records.values())


@pytest.mark.parametrize("entry_id", list(EXPECTED))
def test_verdict(records, entry_id):
    _, rec = records[entry_id]
    assert rec["verdict"] == EXPECTED[entry_id], rec["explanation"]


def _is_number(text):
    try:
        printed_decimals(text)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("entry_id", list(EXPECTED))
def test_documented_values_are_checked(records, entry_id):
    e, rec = records[entry_id]
    findings = rec["_findings"]
    for key, text in e.documented.items():
        if _is_number(text):
            hits = [f for f in findings if f.detail.startswith(f"{key}: documented {text},")]
            assert hits, f"{entry_id}: documented {key} = {text} is not checked by Run.number"
            if (entry_id, key) in INPUTS:
                continue
            if (entry_id, key) in MISMATCHED_NUMBERS:
                assert {f.status for f in hits} == {"mismatch"}
            else:
                assert all(f.status == "ok" for f in hits), [f.detail for f in hits]
        else:  # a documented expression or shape: checked by a finding of the same key
            assert [f for f in findings if f.key == key], f"{entry_id}: {key} = {text} is never checked"


def test_toy_example_numbers(records):
    fwd = records["tum7-toy-forward"][1]["computed"]
    b = math.exp(4.499)
    assert fwd["b"] == pytest.approx(b, rel=1e-15) and round(b) == 90
    assert fwd["c"] == pytest.approx(math.sin(b), rel=1e-14)  # radians: 0.9242, printed as 1
    assert fwd["d"] == pytest.approx(2 / math.sin(b), rel=1e-14)
    c_deg, d_deg = fwd["c, d with b read in degrees"]
    assert c_deg == pytest.approx(math.sin(math.radians(b)), rel=1e-14) and round(c_deg, 5) == 1.0
    bwd = records["tum7-toy-backward"][1]["computed"]
    assert bwd["∂c/∂b"] == pytest.approx(math.cos(b), rel=1e-14)  # -0.38, printed as 0
    assert bwd["∂d/∂c"] == pytest.approx(-2 / math.sin(b) ** 2, rel=1e-14)
    glob = -2 / math.sin(b) ** 2 * math.cos(b) * b * -1
    assert bwd["∂f/∂x"] == pytest.approx(glob, rel=1e-14) and round(glob, 2) == -80.39
    assert bwd["∂f/∂x by central differences"] == pytest.approx(glob, rel=1e-6)
    assert abs(bwd["∂f/∂x with b in degrees"]) < 0.005  # the degree reading rounds to the slide's 0


def test_gaussian_nll_against_the_density():
    f, y = np.array([0.3, -1.2, 2.0]), np.array([1.0, 0.5, -0.7])
    dens = np.exp(-0.5 * (y - f) ** 2) / math.sqrt(2 * math.pi)
    assert d.gaussian_nll(f, y) == pytest.approx(-np.sum(np.log(dens)), rel=1e-14)
    assert d.gaussian_nll(f, y, reduction="mean") == pytest.approx(-np.mean(np.log(dens)), rel=1e-14)
    np.testing.assert_allclose(d.gaussian_nll_grad(f, y), f - y)
    np.testing.assert_allclose(d.gaussian_nll_grad(f, y, reduction="mean", g=3.0), (f - y))
    # the as-written form: twice the data term, same constant
    assert d.GAUSSIAN_NLL_AS_WRITTEN.forward(f, y) - d.gaussian_nll(f, y) == pytest.approx(
        0.5 * np.sum((y - f) ** 2), rel=1e-12)


def test_linear_separability():
    X, y = d.XOR_ENCODINGS["{0,1}^2"], d.XOR_LABELS
    assert d.linear_separability(X, y)["accuracy"] == 0.75
    AND = np.array([0, 0, 0, 1])
    res = d.linear_separability(X, AND)
    assert res["separable"] and res["margin"] > 0
    assert np.all((X @ res["w"] + res["b"] > 0) == (AND == 1))
    P = d.xor_feature_map(X)
    assert d.linear_separability(P, y)["separable"]
    assert not d.linear_separability(P, y, through_origin=True)["separable"]
    # a set separable only with an offset
    assert not d.linear_separability(np.array([[1.0, 1.0], [2.0, 2.0]]), [1, 0], through_origin=True)["separable"]
    assert d.linear_separability(np.array([[1.0, 1.0], [2.0, 2.0]]), [1, 0])["separable"]


def test_feature_map_and_network():
    x = np.array([0.3, -0.4])
    s = x.sum()
    np.testing.assert_allclose(d.xor_feature_map(x), [1 / (1 + math.exp(-(5 + s))), 1 / (1 + math.exp(-(5 - s)))])
    w1 = np.array([0.5, -2.0])
    assert d.ffnn_one_hidden(x, d.A_XOR, w1) == pytest.approx(1 / (1 + math.exp(-(d.xor_feature_map(x) @ w1))))


def test_affine_backward_numerator_is_the_transpose():
    rng = np.random.default_rng(0)
    W, x, g = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(1, 4))
    got = d.affine_backward_numerator(g, W, x)
    assert got["W"].shape == (3, 4) and got["x"].shape == (1, 3) and got["b"].shape == (1, 4)
    import mlp_ref

    ref = mlp_ref.linear_backward(g[0], W, x, np.zeros(4))
    np.testing.assert_allclose(got["W"].T, ref["W"])
    np.testing.assert_allclose(got["x"][0], ref["x"])
    np.testing.assert_allclose(got["b"][0], ref["b"])


def test_regression_backward_against_finite_differences():
    rng = np.random.default_rng(1)
    args = dict(x=rng.normal(size=3), y=np.array([0.2]), W=rng.normal(size=(4, 3)), b=rng.normal(size=4),
                V=rng.normal(size=(1, 4)), c=rng.normal(size=1))
    grads = d.regression_backward(d.regression_forward(**args)[1])
    for name in ("W", "b", "V", "c", "x"):
        fd = np.zeros_like(args[name])
        for idx in np.ndindex(fd.shape):
            up, down = {**args, name: args[name].copy()}, {**args, name: args[name].copy()}
            up[name][idx] += 1e-6
            down[name][idx] -= 1e-6
            fd[idx] = (d.regression_forward(**up)[0] - d.regression_forward(**down)[0]) / 2e-6
        np.testing.assert_allclose(grads[name], fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("entry_id", [k for k, v in EXPECTED.items() if v == "incomplete"])
def test_incomplete_entries_say_what_is_missing(records, entry_id):
    _, rec = records[entry_id]
    missing = [f for f in rec["_findings"] if f.status == "missing"]
    assert missing and all(len(f.detail) > 80 for f in missing)
    assert all(f.detail in rec["explanation"] for f in missing)


def test_counted_arithmetic_counts_every_scalar_operation():
    d._Flop.ops = d._Flop.exps = 0
    W, x = d._counting(np.ones((4, 3))), d._counting(np.arange(3.0))
    out = W @ x + 1.0  # 4 x 3 multiplies, 4 x 2 additions, 4 bias additions
    assert d._Flop.ops == 12 + 8 + 4
    np.testing.assert_allclose(d._values(out), [4.0] * 4)
    d._Flop.ops = 0
    h = 1 / (1 + np.exp(-d._counting(np.zeros(5))))  # negate, exp, add, divide per entry
    assert d._Flop.ops == 4 * 5 and d._Flop.exps == 5
    np.testing.assert_allclose(d._values(h), 0.5)


def test_cost_findings_can_fail():
    """The cost claims compare measured counts: an O(|W|^2) 'backprop' would be caught by the slope check."""
    sizes = [19, 45, 121, 369]
    assert abs(d._slope(sizes, [s * s for s in sizes]) - 1) > 0.5
    assert abs(d._slope(sizes, [2 * s + 7 for s in sizes]) - 1) < 0.1


def test_accumulate_gradient_terminology_matches_the_frameworks():
    """torch.func.vjp gives the slide's ∂E/∂y ∂y/∂x (row times Jacobian); torch.func.jvp gives J v."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    W, x, u, v = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=3), rng.normal(size=5)
    f = lambda t: torch.tanh(torch.as_tensor(W) @ t)  # noqa: E731
    J = (1 - np.tanh(W @ x) ** 2)[:, None] * W
    _, vjp_fn = torch.func.vjp(f, torch.as_tensor(x))
    np.testing.assert_allclose(vjp_fn(torch.as_tensor(u))[0].numpy(), u @ J, rtol=1e-12)
    _, jvp = torch.func.jvp(f, (torch.as_tensor(x),), (torch.as_tensor(v),))
    np.testing.assert_allclose(jvp.numpy(), J @ v, rtol=1e-12)


@pytest.mark.parametrize("entry_id", [k for k, v in EXPECTED.items() if v == "erratum"])
def test_errata_carry_a_corrected_form_that_holds(records, entry_id):
    e, rec = records[entry_id]
    assert e.corrected_statement
    findings = rec["_findings"]
    assert any(f.corrected_ok for f in findings)
    for f in findings:
        assert f.corrected_ok is not False, f.detail
        if f.status == "mismatch":
            assert f.corrected_ok is True, f.detail
    assert "Corrected:" in rec["explanation"]


def _ops():
    seen = {}
    for e in catalog.entries():
        if e.id.startswith("tum7-"):
            for op, role in ((e.op, "as written"), (e.corrected, "corrected")):
                if op is not None and op.name.startswith("tum7-"):
                    seen.setdefault(op.name, (op, e, role))
    return list(seen.values())


def _vjp_vs_fd(op, seed):
    rng = np.random.default_rng(seed)
    inputs = op.sample(rng, np.float64)
    out = np.asarray(op.forward(**inputs, **op.params))
    g = rng.normal(size=out.shape)
    grads = op.vjp(g, **inputs, **op.params)
    worst = 0.0
    for name in op.wrt:
        base = inputs[name]
        fd = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            up, down = dict(inputs), dict(inputs)
            up[name], down[name] = base.copy(), base.copy()
            up[name][idx] += 1e-6
            down[name][idx] -= 1e-6
            fd[idx] = (np.sum(g * op.forward(**up, **op.params)) - np.sum(g * op.forward(**down, **op.params))) / 2e-6
        worst = max(worst, float(np.max(np.abs(np.asarray(grads[name]) - fd)) / (1 + np.max(np.abs(fd)))))
    return worst


def _against_corrected(op, corrected, seed):
    """Largest difference of value or VJP between an as-written op and its corrected op."""
    rng = np.random.default_rng(seed)
    inputs = op.sample(rng, np.float64)
    out = np.asarray(op.forward(**inputs, **op.params))
    g = rng.normal(size=out.shape)
    diff = float(np.max(np.abs(out - corrected.forward(**inputs, **corrected.params))))
    a, b = op.vjp(g, **inputs, **op.params), corrected.vjp(g, **inputs, **corrected.params)
    return max([diff] + [float(np.max(np.abs(a[n] - b[n]))) for n in op.wrt])


@pytest.mark.parametrize("op, e, role", _ops(), ids=lambda v: getattr(v, "name", None))
def test_ops_against_finite_differences(op, e, role):
    worst = max(_vjp_vs_fd(op, seed) for seed in range(3))
    if role == "as written" and e.corrected is not None:
        # wrong either in its derivative (toy chain rule) or in the function itself (Gaussian NLL)
        assert worst > 1e-3 or min(_against_corrected(op, e.corrected, s) for s in range(3)) > 1e-3, (
            f"{op.name}: the as-written erratum should disagree with its corrected form")
    else:
        assert worst < 1e-6, f"{op.name}: VJP off by {worst:.3g}"


_W, _x = np.ones((4, 3)), np.ones(3)
_REG = dict(x=np.ones(3), y=np.array([0.5]), W=np.ones((4, 3)), b=np.ones(4), V=np.ones((1, 4)), c=np.ones(1))


@pytest.mark.parametrize("call, arg", [
    (lambda: d.xor_feature_map(np.ones(3)), "x"),
    (lambda: d.xor_feature_map(np.ones((2, 2), dtype=int)), "x"),
    (lambda: d.xor_feature_map(np.array([np.nan, 1.0])), "x"),
    (lambda: d.xor_feature_map_vjp(np.ones(3), np.ones(2)), "g"),
    (lambda: d.linear_separability(np.ones((4, 3)), [0, 1, 1, 0]), "X"),
    (lambda: d.linear_separability(np.ones((4, 2)), [0, 1, 2, 0]), "y"),
    (lambda: d.linear_separability(np.ones((4, 2)), [0, 1, 1]), "y"),
    (lambda: d.linear_separability(np.ones((4, 2)), [0, 1, 1, 0], through_origin="no"), "through_origin"),
    (lambda: d.ffnn_one_hidden(np.ones((5, 2)), np.ones((2, 2)), np.ones(2)), "W0"),
    (lambda: d.ffnn_one_hidden(np.ones((5, 2)), np.ones((2, 3)), np.ones(3)), "w1"),
    (lambda: d.ffnn_one_hidden(np.ones((5, 2)), np.ones((2, 3), dtype=np.float32), np.ones(2)), ""),
    (lambda: d.gaussian_nll(np.ones(3), np.ones(4)), "y"),
    (lambda: d.gaussian_nll(np.ones(3), np.ones(3), reduction="max"), "reduction"),
    (lambda: d.gaussian_nll(np.ones((2, 3)), np.ones((2, 3))), "f"),
    (lambda: d.gaussian_nll_grad(np.ones(3), np.ones(3), g=np.ones(3)), "g"),
    (lambda: d.toy_forward(np.array([-800.0])), "x"),
    (lambda: d.toy_forward(np.array([-100.0], dtype=np.float32)), "x"),
    (lambda: d.toy_forward(np.array([800.0])), "x"),  # exp(-800) underflows to 0 and sin 0 = 0
    (lambda: d.toy_forward(np.array([0.5]), angle="grad"), "angle"),
    (lambda: d.toy_forward("x"), "x"),
    (lambda: d.toy_local_derivatives({"a": 1.0}), "cache"),
    (lambda: d.toy_f(np.array([1, 2])), "x"),
    (lambda: d.regression_forward(**{**_REG, "x": np.ones(2)}), "x"),
    (lambda: d.regression_forward(**{**_REG, "b": np.ones(3)}), "b"),
    (lambda: d.regression_forward(**{**_REG, "V": np.ones(4)}), "V"),
    (lambda: d.regression_forward(**{**_REG, "c": np.ones(2)}), "c"),
    (lambda: d.regression_forward(**{**_REG, "y": np.array(0.5)}), "y"),
    (lambda: d.regression_forward(**{**_REG, "W": np.full((4, 3), np.inf)}), "W"),
    (lambda: d.regression_backward({"E": 1.0}), "cache"),
    (lambda: d.basis_model(np.ones((4, 3)), np.ones(2)), "w"),
    (lambda: d.basis_model(np.ones(3), np.ones(3)), "phi"),
    (lambda: d.basis_model(np.ones((4, 3)), np.ones(3, dtype=np.float32)), ""),
    (lambda: d.basis_model_vjp(np.ones(3), np.ones((4, 3)), np.ones(3)), "g"),
    (lambda: d.affine_backward_numerator(np.ones(4), _W, _x), "dE_da"),
    (lambda: d.affine_backward_numerator(np.ones((1, 3)), _W, _x), "dE_da"),
    (lambda: d.affine_backward_numerator(np.ones((1, 4)), _W, np.ones(4)), "x"),
])
def test_bad_input_raises_value_error(call, arg):
    with pytest.raises(ValueError, match=f"^{arg}" if arg else None):
        call()
