"""Document 001 (TUM ML Lecture 7): document-specific checks (the generic ones: test_catalog, test_ops)."""
import math

import numpy as np
import pytest

from mlp_ref import catalog
from mlp_ref.documents import d001_tum_lecture7 as d


def test_toy_example_numbers():
    """Degrees reproduce the slide's numbers, radians (the frameworks) do not; the cos b rule is an error."""
    entry = catalog.get("tum7-toy-forward")
    forward, backward = entry.evaluate(), catalog.get("tum7-toy-backward").evaluate()
    assert [f for f in forward["_findings"] if f.detail.startswith(f"x: documented {entry.documented['x']},")]
    fwd = forward["computed"]
    b = math.exp(4.499)
    assert fwd["b"] == pytest.approx(b, rel=1e-15) and abs(b - 90) < 0.01 * 90
    assert fwd["c"] == pytest.approx(math.sin(math.radians(b)), rel=1e-14)  # 0.9999992, printed 1
    assert fwd["d"] == pytest.approx(2 / math.sin(math.radians(b)), rel=1e-14)
    c_rad, d_rad = fwd["c, d with b read in radians"]
    assert c_rad == pytest.approx(math.sin(b), rel=1e-14) and abs(c_rad - 1) > 0.01  # 0.924: not the printed 1
    assert forward["verdict"] == "convention"
    bwd = backward["computed"]
    assert abs(bwd["∂c/∂b"]) < 1e-15  # (π/180) cos 90°
    assert bwd["∂d/∂c"] == pytest.approx(-2.0, rel=1e-14)
    assert abs(bwd["∂f/∂x"]) < 1e-12
    rad, fd = bwd["∂f/∂x in radians at x = -4.499, and by central differences"]
    glob = -2 / math.sin(b) ** 2 * math.cos(b) * b * -1
    assert rad == pytest.approx(glob, rel=1e-14) and round(glob, 2) == -80.39 and fd == pytest.approx(glob, rel=1e-6)
    assert 0.003 < bwd["∂f/∂x at the unrounded b = 89.93, degrees"] < 0.005
    wrong = [f for f in backward["_findings"] if f.status == "mismatch"]
    assert [f.key for f in wrong] == ["∂c/∂b as a formula"] and wrong[0].severity == "error" and wrong[0].corrected_ok
    assert backward["severity"] == "error"


def test_toy_backward_in_radians_would_be_a_mismatch():
    """The printed 0 is not matched by the radian value (the rounding rule does not hide -0.38)."""
    from mlp_ref.registry import rounded_match
    assert not rounded_match("0", math.cos(math.exp(4.499)))[0]
    assert not rounded_match("1", math.sin(math.exp(4.499)))[0]
    assert rounded_match("1", math.sin(math.radians(math.exp(4.499))))[0]


def test_index_value_reads_the_subscripts_of_the_display():
    assert d._index_value("L-1", 3) == 2 and d._index_value("L", 3) == 3 and d._index_value("0", 3) == 0
    assert d._index_value("k", 3) is None and d._index_value("L - 2", 5) == 3


@pytest.mark.parametrize("entry_id, documented, verdict", [
    ("tum7-nonlinear-stack", {"outer activation": "σ_{L-1}"}, "holds"),
    ("tum7-3way-tensor", {"shape": "(H × H × D)", "(∂a/∂W)_ijk": "∂a_i/∂W_jk"}, "holds"),
    ("tum7-3way-tensor", {"shape": "(H × D × H)", "(∂a/∂W)_ijk": "∂a_i/∂W_jk"}, "erratum"),
])
def test_slips_turn_green_when_the_text_is_corrected(entry_id, documented, verdict):
    """The slip findings read the printed text: the corrected text holds, the printed one does not."""
    assert catalog.get(entry_id).evaluate()["verdict"] == "erratum"
    assert catalog.get(entry_id).evaluate(documented=documented)["verdict"] == verdict


def test_perceptron_detects_a_cycle_on_xor_and_converges_when_separable():
    X, y = d.XOR_ENCODINGS["{0,1}^2"], d.XOR_LABELS
    *_, converged, cycled = d._perceptron(X, y, 1000)
    assert not converged and cycled
    *_, converged, cycled = d._perceptron(X, np.array([0, 0, 0, 1]), 1000)  # AND is separable
    assert converged and not cycled


def test_vectorised_helpers_equal_their_loops():
    from mlp_ref import losses
    for loss in (losses.mse, losses.mae, losses.huber, losses.logcosh):
        loop = d._CANDIDATES[np.argmin([loss(np.full(5, c), d._OUTLIER_DATA) for c in d._CANDIDATES])]
        assert d._best_constant(loss) == loop
    edges = np.linspace(-3, 3, 61)
    cdf = np.array([0.5 * (1 + math.erf((e - 0.5) / (2 * math.sqrt(2)))) for e in edges])
    np.testing.assert_allclose(d._gauss_bins(edges, 0.5, 2.0), np.diff(cdf), rtol=0, atol=1e-16)


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
    sizes = [19, 45, 121]
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
