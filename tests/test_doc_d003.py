"""Document 003 (EE-559 3b, MLPs): document-specific checks (the generic ones: test_catalog, test_ops)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from catalog_records import RECORDS as CATALOG  # the catalog evaluated once per session
from mlp_ref import layers, losses
from mlp_ref.documents import d003_ee559_mlp as d
from mlp_ref.registry import ENTRIES

MINE = [e for e in ENTRIES if e.source == d.SRC]
RECORDS = CATALOG  # evaluated entry by entry, on first use


def findings(entry_id):
    return {f.key: f for f in RECORDS[entry_id]["_findings"]}


def test_ops_carry_the_backprop_equations():
    by_id = {e.id: e for e in MINE}
    for eid in ("ee559-bp-dw", "ee559-bp-db", "ee559-bp-ds", "ee559-bp-output", "ee559-bp-dx", "ee559-backward-ds",
                "ee559-backward-params", "ee559-mlp-recursion", "ee559-forward-pass"):
        assert by_id[eid].op is not None and by_id[eid].op.fn == "ee559_mlp"
    for eid in ("ee559-backward-activations", "ee559-mse"):
        assert by_id[eid].corrected is not None and by_id[eid].corrected.fn == by_id[eid].op.fn
    composition = by_id["ee559-jacobian-composition"]
    assert composition.op is d.COMPOSITION and composition.corrected is None


# ------------------------------------------------------------------------ documented numbers
def _entry(entry_id):
    return next(e for e in MINE if e.id == entry_id)


def _mutated(entry_id, **changes):
    e = _entry(entry_id)
    rec = e.evaluate(documented={**e.documented, **changes})
    return {f.key: f for f in rec["_findings"]}


def test_gd_loop_uses_the_training_points_as_an_input():
    f = findings("ee559-gd-loop")
    assert {k: v.status for k, v in f.items()} == {"eta (caption)": "ok", "first step": "ok", "eta": "ok",
                                                   "training points": "ok"}
    assert not any(v.detail.startswith("training points: documented") for v in f.values())  # never "checked"
    L = RECORDS["ee559-gd-loop"]["computed"]["loss at k = 0, 10, 100, 1000"]
    assert L[0] > L[1] > L[2] > L[3]
    # ten times the points with the same summed-loss step: eta is past the stability bound
    assert _mutated("ee559-gd-loop", **{"training points": "1000"})["training points"].status == "mismatch"
    assert _mutated("ee559-gd-loop", **{"eta (caption)": "10^{-2}"})["eta (caption)"].status == "mismatch"
    # a step ten times larger: the loss rises on the way
    assert _mutated("ee559-gd-loop", eta="1", **{"eta (caption)": "10^{0}"})["eta"].status == "mismatch"


def test_descent_stops_only_at_an_exact_fixed_point():
    x, y, w = d._logistic_data()
    ws, bs, L = d._descent(x, y, w, 0.0, 0.1, 2500)
    assert np.all(ws[-1] == ws[2000])  # the run reached its fixed point before 2000 steps
    v, b = w.copy(), 0.0
    for k in range(2500):  # the slides' loop, step by step, with the slides' gradient
        dw, db = d.logistic_gradient(x, y, v, b)
        v, b = v - 0.1 * dw, b - 0.1 * db
        if k + 1 in (10, 1000, 2500):
            assert np.allclose(ws[k + 1], v, rtol=1e-12, atol=1e-12) and np.isclose(bs[k + 1], b, rtol=1e-12)
            assert L[k + 1] == pytest.approx(float(losses.logistic_loss(v, np.asarray(b), x, y)), rel=1e-12)


def test_backward_cost_decided_by_the_measured_ratio():
    rec = RECORDS["ee559-backward-cost"]
    f = findings("ee559-backward-cost")
    assert all(v.status == "ok" for v in f.values())
    ratios = rec["computed"]["backward/forward (every layer's input gradient)"]
    assert set(ratios) == {str(k) for k in d.COST_NETS} and all(abs(v - 2) < 0.02 for v in ratios.values())
    # skipping dl/dx^(0) (the backward-pass slide's l >= 1) leaves a first-layer-heavy net near 1
    skipped = next(v for k, v in rec["computed"].items() if k.startswith("backward/forward when"))
    assert skipped["(784, 256, 10)"] < 1.1 and skipped["(10, 500, 500, 10)"] > 1.9
    for word in ("three times", "once", "4"):
        assert _mutated("ee559-backward-cost", **{"backward/forward": word})["backward/forward"].status == "mismatch"
    with pytest.raises(ValueError, match="backward/forward"):
        d._factor("a lot")


@pytest.mark.parametrize("sizes", d.COST_NETS + ((2, 3, 1), (50, 5)))
def test_backward_cost_prediction(sizes):
    counted = d.count_multiply_adds(sizes)["ratio"]
    predicted, elementwise = d._predicted_cost_ratio(sizes)
    assert abs(counted - predicted) <= elementwise
    assert 1 <= predicted <= 2


def test_count_multiply_adds_by_hand():
    # (2, 3, 1): forward 3*2 + 1*3 + 1 (loss); backward 1 (2 r) + [1 + 3 + 3] (layer 2) + [3 + 6] (layer 1)
    assert d.count_multiply_adds((2, 3, 1)) == {"forward": 10, "backward": 17, "ratio": 1.7}
    assert d.count_multiply_adds((2, 3, 1), input_grad=True)["backward"] == 23


@pytest.mark.parametrize("K", [1, 8, 64])
def test_normal_equation_fits_agree_with_lstsq(K):
    x = np.linspace(-math.pi, math.pi, 401)
    knots = np.linspace(-math.pi, math.pi, K)
    for H in (d._relu_hidden(x, K, -math.pi, math.pi)[0], np.c_[np.ones_like(x), np.tanh(K / 4 * (x[:, None] - knots))],
              np.c_[np.ones_like(x), (x[:, None] - knots) ** 2]):  # the last one rank-deficient for K >= 3
        fit, ref = H @ d._least_squares(H, np.sin(x)), H @ np.linalg.lstsq(H, np.sin(x), rcond=None)[0]
        assert np.max(np.abs(fit - ref)) < 1e-9


def test_fourier_fits_agree_with_lstsq():
    for F in range(5):
        V, C, gamma, err = d._fourier_fit(F)
        Phi = np.sin(d._GRID @ V.T + C)
        ref = np.linalg.lstsq(Phi, d._psi(d._GRID), rcond=None)[0]
        assert np.max(np.abs(Phi @ gamma - Phi @ ref)) < 1e-8


def test_jacobian_product_order():
    f = findings("ee559-jacobian-composition")
    assert {v.status for v in f.values()} == {"ok"}
    # the left-to-right order is recorded as a value, and it is far off
    assert RECORDS["ee559-jacobian-composition"]["computed"]["the product taken left to right, J_f1 J_f2 J_f3, "
                                                             "differs by"] > 0.1


def test_argmin_decided_by_computation():
    f = findings("ee559-quadratic-argmin")
    assert f["argmin, n = 10, eta = 0.1"].status == "mismatch"
    assert f["argmin, n = 10, eta = 0.1"].corrected_ok is True
    assert f["argmin, n = 0.01, eta = 0.1"].status == "mismatch"
    assert f["printed model's minimiser, n = 10"].status == "ok" and f["n = eta"].status == "ok"


def test_build_variants_are_reported_not_counted():
    for eid, variant in (("ee559-preactivations", "s^{(\\ell)}"), ("ee559-bp-s-sum", "\\sum_i"),
                         ("ee559-bp-dw", "w_{i,i}")):
        entry = next(e for e in MINE if e.id == eid)
        assert variant in entry.statement, eid
        assert "extraction variant" in RECORDS[eid]["explanation"], eid
    assert RECORDS["ee559-bp-s-sum"]["computed"]["the builds' sum over i, l = 1"]["shape"] == [5, 3]


def test_larger_k_floor():
    errors = d.universal_approximation_demo()["errors"]
    for K, err in errors.items():
        assert err >= d._relu_error_floor(K) > 0
    # the floor is a true bound: a fine piecewise-linear interpolant with K knots stays above it
    for K in (3, 10, 40):
        knots = np.linspace(-math.pi, math.pi, K)
        x = np.linspace(-math.pi, math.pi, 20001)
        assert np.max(np.abs(np.interp(x, knots, np.sin(knots)) - np.sin(x))) >= d._relu_error_floor(K)


# --------------------------------------------------------------------- universal approximation
def test_universal_approximation_demo_default():
    res = d.universal_approximation_demo()
    assert set(res) == {"x", "target", "fits", "errors"}
    assert list(res["fits"]) == [1, 2, 4, 8, 16, 32, 64]
    x, t = np.array(res["x"]), np.array(res["target"])
    assert np.allclose(t, np.sin(x))
    errs = []
    for K, fit in res["fits"].items():
        fit = np.array(fit)
        assert fit.shape == x.shape
        assert res["errors"][K] == pytest.approx(np.max(np.abs(fit - t)), rel=1e-12)
        errs.append(res["errors"][K])
    assert all(b < a for a, b in zip(errs, errs[1:]))
    assert errs[-1] < 1e-3


@pytest.mark.parametrize("target", ["cos", "gaussian"])
def test_universal_approximation_demo_other_targets(target):
    errs = list(d.universal_approximation_demo((1, 4, 16, 64), target=target)["errors"].values())
    assert all(b <= a for a, b in zip(errs, errs[1:])) and errs[-1] < 5e-3


@pytest.mark.parametrize("A,eps", [(1.0, 0.05), (math.pi, 1e-3), (7.5, 1e-2)])
def test_sin_relu_approximation(A, eps):
    res = d.sin_relu_approximation(A, eps)
    x = np.linspace(-A, A, 20001)
    approx = (res["alpha"] * np.maximum(x[:, None] - res["a"], 0)).sum(axis=1)
    assert np.max(np.abs(np.sin(x) - approx)) <= eps


def test_error_budget_numbers():
    c = d._ua_construction(0.1)
    assert c["fourier_err"] <= 0.05 and c["weighted_sin_err"] <= 0.05 and c["total_err"] <= 0.1
    assert not math.isclose(c["sum_abs_gamma"], 1)  # the labels as extracted then differ from eps
    assert c["K"] == c["M"] * c["N"]


# -------------------------------------------------------------------------- public functions
def _net(rng, sizes):
    Ws = [rng.normal(size=(sizes[i], sizes[i - 1])) for i in range(1, len(sizes))]
    bs = [rng.normal(size=sizes[i]) for i in range(1, len(sizes))]
    return Ws, bs


@pytest.mark.parametrize("sizes", [(3, 2), (4, 6, 3, 5), (2, 2, 2, 2, 2, 1)])
def test_affine_collapse_matches_network(sizes):
    rng = np.random.default_rng(sum(sizes))
    Ws, bs = _net(rng, sizes)
    alpha, beta = rng.uniform(-1.5, 1.5), rng.normal()
    A, B = d.affine_collapse(Ws, bs, alpha, beta)
    for x in rng.normal(size=(5, sizes[0])):
        h = x
        for W, b in zip(Ws, bs):
            h = alpha * (W @ h + b) + beta
        assert np.allclose(A @ x + B, h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_backprop_forms_match_mlp_backward(activation):
    rng = np.random.default_rng(5)
    Ws, bs = _net(rng, (3, 5, 4, 2))
    x, y = rng.normal(size=3), rng.normal(size=2)
    out, cache = layers.mlp_forward(x, Ws, bs, activation, activation)
    ref = layers.mlp_backward(2 * (out - y), cache)
    for got in (d.backprop_indexwise(x, y, Ws, bs, activation), d.backprop_tensor(x, y, Ws, bs, activation)):
        for a, b in zip(got["W"] + got["b"], ref["W"] + ref["b"]):
            assert np.allclose(a, b, rtol=1e-12, atol=1e-14)
    assert np.allclose(d.backprop_indexwise(x, y, Ws, bs, activation)["x"][0], ref["x"], rtol=1e-12, atol=1e-14)


def test_logistic_gradient_and_descent():
    x, y, w = d._logistic_data()
    dw, db = d.logistic_gradient(x, y, w, 0.0)
    ref = losses.logistic_loss_grad(w, np.asarray(0.0), x, y)
    assert np.allclose(dw, ref["w"]) and np.isclose(db, ref["b"])
    _, _, L = d.logistic_descent(x, y, w, 0, eta=0.1, iterations=50)
    assert len(L) == 51 and L[-1] < L[0]
    x32, y32, w32 = x.astype(np.float32), y.astype(np.float32), w.astype(np.float32)
    assert d.logistic_gradient(x32, y32, w32, 0.0)[0].dtype == np.float32


def test_quadratic_model_and_gradient():
    rng = np.random.default_rng(8)
    w, w0, g = rng.normal(size=(3, 4))
    for n in (0.1, 10.0):
        grad = d.quadratic_model_grad(w, w0, g, 1.5, n)
        h = 1e-6
        fd = [(d.quadratic_model(w + h * e, w0, g, 1.5, n) - d.quadratic_model(w - h * e, w0, g, 1.5, n)) / (2 * h)
              for e in np.eye(4)]
        assert np.allclose(grad, fd, rtol=1e-6, atol=1e-8)
    # with n = eta the minimiser is w0 - eta grad: the model's gradient vanishes there
    assert np.allclose(d.quadratic_model_grad(w0 - 0.1 * g, w0, g, 0.0, 0.1), 0, atol=1e-12)


# ------------------------------------------------------------------------------- bad input
def test_bad_inputs():
    rng = np.random.default_rng(0)
    Ws, bs = _net(rng, (3, 4, 2))
    x, y = rng.normal(size=3), rng.normal(size=2)
    cases = [
        (lambda: d.universal_approximation_demo(Ks=()), "Ks"),
        (lambda: d.universal_approximation_demo(Ks=(0, 2)), "Ks"),
        (lambda: d.universal_approximation_demo(Ks=(1.5,)), "Ks"),
        (lambda: d.universal_approximation_demo(Ks="12"), "Ks"),
        (lambda: d.universal_approximation_demo(Ks=(True,)), "Ks"),
        (lambda: d.universal_approximation_demo(target="tan"), "target"),
        (lambda: d.affine_collapse(Ws, bs, float("nan"), 0.0), "alpha"),
        (lambda: d.affine_collapse(Ws, bs[:1], 1.0, 0.0), "bs"),
        (lambda: d.affine_collapse([Ws[0], Ws[0]], bs, 1.0, 0.0), "Ws\\[1\\]"),
        (lambda: d.affine_collapse(Ws, [bs[0], bs[0]], 1.0, 0.0), "bs\\[1\\]"),
        (lambda: d.sin_relu_approximation(0.0, 0.1), "A"),
        (lambda: d.sin_relu_approximation(1.0, float("inf")), "eps"),
        (lambda: d.relu_sum(np.zeros(3), np.ones(2), np.ones(3)), "a"),
        (lambda: d.logistic_gradient(np.ones((4, 2)), np.array([1.0, 0.0, 1.0, -1.0]), np.ones(2), 0.0), "y"),
        (lambda: d.logistic_gradient(np.ones((4, 3)), np.ones(4), np.ones(2), 0.0), "x"),
        (lambda: d.logistic_gradient(np.ones((4, 2), dtype=int), np.ones(4), np.ones(2), 0.0), "x"),
        (lambda: d.logistic_gradient(np.ones((4, 2)), np.ones(4), np.ones(2), np.ones(2)), "b"),
        (lambda: d.logistic_descent(np.ones((4, 2)), np.ones(4), np.ones(2), 0.0, eta=0.0), "eta"),
        (lambda: d.logistic_descent(np.ones((4, 2)), np.ones(4), np.ones(2), 0.0, iterations=-1), "iterations"),
        (lambda: d.logistic_descent(np.ones((4, 2)), np.ones(4), np.ones(2), 0.0, iterations=2.5), "iterations"),
        (lambda: d.quadratic_model(np.ones(3), np.ones(2), np.ones(3), 0.0, 1.0), "w0"),
        (lambda: d.quadratic_model(np.ones(3), np.ones(3), np.ones(3), 0.0, 0.0), "n"),
        (lambda: d.quadratic_model_grad(np.ones(3), np.ones(3), np.ones(3), np.ones(2), 1.0), "L0"),
        (lambda: d.quadratic_model_grad(np.ones(3), np.ones(3), np.full(3, np.nan), 0.0, 1.0), "gL0"),
        (lambda: d.backprop_indexwise(x, np.ones(3), Ws, bs), "y"),
        (lambda: d.backprop_indexwise(x, y, Ws, bs, activation="softplus"), "activation"),
        (lambda: d.backprop_tensor(x, y, Ws, [bs[0], None]), "bs"),
        (lambda: d.backprop_tensor(np.ones((2, 3)), y, Ws, bs), "x"),
        (lambda: d.backprop_tensor(x, y.astype(np.float32), Ws, bs), "dtype"),
        (lambda: d.count_multiply_adds((3,)), "sizes"),
        (lambda: d.count_multiply_adds((3, 0)), "sizes"),
        (lambda: d.count_multiply_adds(5), "sizes"),
        (lambda: d.count_multiply_adds((3, 2), input_grad="yes"), "input_grad"),
    ]
    for call, name in cases:
        with pytest.raises(ValueError, match=name):
            call()
