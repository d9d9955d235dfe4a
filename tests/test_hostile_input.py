"""Every example of issue 14 ("the reference under hostile input"): a ValueError naming the
argument, or the documented result. mlp_ref's own contract: not run under --impl."""
from __future__ import annotations

import re

import numpy as np
import pytest

import mlp_ref

YH, Y = np.array([[0.2, 0.7], [0.4, 0.9]]), np.array([[0.0, 1.0], [1.0, 0.0]])
P1, Q1 = np.array([0.2, 0.3, 0.5]), np.array([0.3, 0.3, 0.4])
O1, ONEHOT1 = np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, 0.0])
X, W = np.ones((4, 2)), np.ones((3, 2))


def _raises(arg, call):
    with pytest.raises(ValueError) as info:
        call()
    msg = str(info.value)
    assert re.search(rf"(?<![\w\[]){re.escape(arg)}(?![\w\]])", msg), f"message does not name {arg!r}: {msg}"


BAD_G = [None, np.nan, "2.0", True, 1j, np.ones(2), np.float32(1.0)]
G_CALLS = {
    "mse_grad": lambda g: mlp_ref.mse_grad(YH, Y, g=g),
    "squared_error_grad": lambda g: mlp_ref.squared_error_grad(YH, Y, g=g),
    "mlp_loss_backward": lambda g: mlp_ref.mlp_loss_backward(X, np.array([0, 1, 2, 0]), [W], None, g=g),
    "softmax_cross_entropy_grad 1-D": lambda g: mlp_ref.softmax_cross_entropy_grad(O1, 1, g=g),
    "categorical_cross_entropy_grad 1-D": lambda g: mlp_ref.categorical_cross_entropy_grad(P1, ONEHOT1, g=g),
    "kl_divergence_grad 1-D": lambda g: mlp_ref.kl_divergence_grad(P1, Q1, g=g),
    "wasserstein_1d_grad 1-D": lambda g: mlp_ref.wasserstein_1d_grad(P1, Q1, g=g),
}


@pytest.mark.parametrize("g", BAD_G, ids=repr)
@pytest.mark.parametrize("fn", list(G_CALLS))
def test_upstream_gradient_is_validated(fn, g):
    _raises("g", lambda: G_CALLS[fn](g))


@pytest.mark.parametrize("fn", list(G_CALLS))
def test_per_class_g_is_not_broadcast_on_the_one_sample_path(fn):
    _raises("g", lambda: G_CALLS[fn](np.array([1.0, 10.0, 100.0])))


ONE_SAMPLE = {
    "softmax_cross_entropy": lambda r: mlp_ref.softmax_cross_entropy(O1, 1, reduction=r),
    "softmax_cross_entropy_grad": lambda r: mlp_ref.softmax_cross_entropy_grad(O1, 1, reduction=r),
    "categorical_cross_entropy_grad": lambda r: mlp_ref.categorical_cross_entropy_grad(P1, ONEHOT1, reduction=r),
    "kl_divergence": lambda r: mlp_ref.kl_divergence(P1, Q1, reduction=r),
    "kl_divergence_grad": lambda r: mlp_ref.kl_divergence_grad(P1, Q1, reduction=r),
    "wasserstein_1d": lambda r: mlp_ref.wasserstein_1d(P1, Q1, reduction=r),
    "wasserstein_1d_grad": lambda r: mlp_ref.wasserstein_1d_grad(P1, Q1, reduction=r),
}


@pytest.mark.parametrize("fn", list(ONE_SAMPLE))
def test_reduction_is_validated_on_the_one_sample_path(fn):
    _raises("reduction", lambda: ONE_SAMPLE[fn]("bogus"))


@pytest.mark.parametrize("fn", ["softmax_cross_entropy", "kl_divergence", "wasserstein_1d"])
def test_one_sample_is_its_own_value_for_every_reduction(fn):
    values = [float(ONE_SAMPLE[fn](r)) for r in ("sum", "mean", "none")]
    assert values[0] == values[1] == values[2]
    assert np.shape(ONE_SAMPLE[fn]("none")) == ()


@pytest.mark.parametrize("name,call,arg", [
    ("bce_grad p=0", lambda: mlp_ref.binary_cross_entropy_grad(np.array([0.0, 0.5]), np.array([0.0, 1.0])), "p"),
    ("bce_grad p=1.2", lambda: mlp_ref.binary_cross_entropy_grad(np.array([1.2]), np.array([1.0])), "p"),
    ("cce_grad p=0", lambda: mlp_ref.categorical_cross_entropy_grad(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])),
     "p"),
    ("leaky_relu_grad slope=2", lambda: mlp_ref.leaky_relu_grad(np.zeros(2), slope=2), "slope"),
    ("relu_grad at_zero=nan", lambda: mlp_ref.relu_grad(np.zeros(2), at_zero=np.nan), "at_zero"),
    ("relu_grad at_zero=None", lambda: mlp_ref.relu_grad(np.zeros(2), at_zero=None), "at_zero"),
    ("relu_grad at_zero=list", lambda: mlp_ref.relu_grad(np.zeros(2), at_zero=[0.0]), "at_zero"),
    ("leaky at_zero=nan", lambda: mlp_ref.leaky_relu_grad(np.zeros(2), at_zero=np.nan), "at_zero"),
    ("leaky at_zero=None", lambda: mlp_ref.leaky_relu_grad(np.zeros(2), at_zero=None), "at_zero"),
    ("leaky at_zero=list", lambda: mlp_ref.leaky_relu_grad(np.zeros(2), at_zero=[1.0]), "at_zero"),
    ("elu at_zero=nan", lambda: mlp_ref.elu_grad(np.zeros(2), at_zero=np.nan), "at_zero"),
    ("elu at_zero=list", lambda: mlp_ref.elu_grad(np.zeros(2), at_zero=[1.0]), "at_zero"),
    ("mse empty batch", lambda: mlp_ref.mse(np.zeros((0, 2)), np.zeros((0, 2))), "yhat"),
    ("mse mean of an empty batch", lambda: mlp_ref.mse(np.zeros(0), np.zeros(0), reduction="mean"), "yhat"),
    ("huber_grad empty batch", lambda: mlp_ref.huber_grad(np.zeros((0, 2)), np.zeros((0, 2))), "yhat"),
    ("wasserstein_1d_grad 0 classes", lambda: mlp_ref.wasserstein_1d_grad(np.zeros((2, 0)), np.zeros((2, 0))), "p"),
    ("softmax 0 classes", lambda: mlp_ref.softmax(np.zeros((2, 0))), "z"),
    ("mlp_backward cache {}", lambda: mlp_ref.mlp_backward(np.ones((4, 3)), {}), "cache"),
    ("mlp_backward cache None", lambda: mlp_ref.mlp_backward(np.ones((4, 3)), None), "cache"),
    ("mlp_backward truncated cache", lambda: mlp_ref.mlp_backward(
        np.ones((4, 3)), {**mlp_ref.mlp_forward(X, [W])[1], "s": []}), "cache"),
    ("activation list", lambda: mlp_ref.mlp_forward(X, [W], activation=["relu"]), "activation"),
    ("linear_backward float32 g", lambda: mlp_ref.linear_backward(np.ones((4, 3), np.float32), W, X), "g"),
    ("gradient_descent_step mixed", lambda: mlp_ref.gradient_descent_step(W.astype(np.float32), W, 0.1), "grad"),
    ("cce unnormalised p", lambda: mlp_ref.categorical_cross_entropy(np.array([[0.9, 0.9]]), np.array([[1.0, 0.0]])),
     "p"),
    ("kl unnormalised p", lambda: mlp_ref.kl_divergence(np.array([0.9, 0.9]), np.array([0.5, 0.5])), "p"),
    ("kl unnormalised q", lambda: mlp_ref.kl_divergence(np.array([0.5, 0.5]), np.array([0.1, 0.1])), "q"),
    ("kl_grad unnormalised q", lambda: mlp_ref.kl_divergence_grad(np.array([0.5, 0.5]), np.array([0.1, 0.1])), "q"),
], ids=lambda v: v if isinstance(v, str) and " " in v else "")
def test_issue_example_raises_naming_the_argument(name, call, arg):
    _raises(arg, call)


@pytest.mark.parametrize("call,message", [
    (lambda: mlp_ref.mse(np.zeros((0, 2)), np.zeros((0, 2))), r"yhat: expected at least one sample, .* \(0, 2\)"),
    (lambda: mlp_ref.mse(np.zeros((2, 0)), np.zeros((2, 0))), r"yhat: expected at least one value per sample"),
    (lambda: mlp_ref.wasserstein_1d_grad(np.zeros((2, 0)), np.zeros((2, 0))), r"p: expected at least one class"),
    (lambda: mlp_ref.kl_divergence(np.zeros(0), np.zeros(0)), r"p: expected at least one class .* \(0,\)"),
    (lambda: mlp_ref.kl_divergence(np.zeros((0, 3)), np.zeros((0, 3))), r"p: expected at least one sample"),
    (lambda: mlp_ref.categorical_cross_entropy(np.zeros((1, 0)), np.zeros((1, 0))), r"p: expected at least one class"),
], ids=["mse-no-sample", "mse-empty-samples", "wasserstein-no-class", "kl-1d-no-class", "kl-no-sample",
        "cce-no-class"])
def test_an_empty_input_says_whether_samples_or_their_values_are_missing(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_one_meaning_of_a_1d_argument():
    """An elementwise loss's sample is a scalar: a 1-D argument is N samples (MSE = mean over them);
    a row (1, K) is one sample of K values, which sum. A distribution loss's sample is a row: a 1-D
    argument is one sample, equal to that row in a batch of one."""
    assert mlp_ref.mse(np.array([1.0, 3.0]), np.array([0.0, 0.0])) == 5.0
    assert mlp_ref.mse(np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]])) == 10.0
    assert mlp_ref.mse(np.array([[1.0], [3.0]]), np.array([[0.0], [0.0]])) == 5.0
    for one, batch in [(mlp_ref.softmax_cross_entropy(O1, 1), mlp_ref.softmax_cross_entropy(O1[None], np.array([1]))),
                       (mlp_ref.kl_divergence(P1, Q1), mlp_ref.kl_divergence(P1[None], Q1[None])),
                       (mlp_ref.wasserstein_1d(P1, Q1), mlp_ref.wasserstein_1d(P1[None], Q1[None])),
                       (mlp_ref.categorical_cross_entropy(P1, ONEHOT1),
                        mlp_ref.categorical_cross_entropy(P1[None], ONEHOT1[None]))]:
        assert np.shape(one) == () and one == batch


def test_dtypes_are_kept_never_promoted():
    x32 = np.linspace(-1, 1, 3).astype(np.float32)
    J = mlp_ref.numerical_jacobian(np.tanh, x32, eps=1e-3)
    assert J.dtype == np.float32
    assert mlp_ref.gradient_descent_step(x32, x32, 0.1).dtype == np.float32
    assert mlp_ref.linear_backward(np.ones(3, np.float32), W.astype(np.float32), x32[:2])["W"].dtype == np.float32
    # a Python number takes the dtype of the arrays (NumPy's rule for Python scalars)
    assert mlp_ref.mse_grad(YH.astype(np.float32), Y.astype(np.float32), g=2.0).dtype == np.float32


def test_probabilities_within_the_tolerance_are_accepted():
    p = P1 + np.array([1e-6, 0.0, 0.0])  # a finite-difference step off the simplex
    assert np.isfinite(mlp_ref.kl_divergence(p, Q1))
    assert mlp_ref.kl_divergence(P1, Q1) >= 0


def test_logistic_loss_grad_is_the_vjp_for_every_reduction():
    w, b, y = np.array([0.5, -1.0]), np.array(0.1), np.array([1.0, -1.0, 1.0, 1.0])
    g = np.array([1.0, 2.0, 3.0, 4.0])
    none = mlp_ref.logistic_loss_grad(w, b, X, y, reduction="none", g=g)
    assert none["w"].shape == w.shape and np.shape(none["b"]) == ()
    # sum_n g_n dl_n/dw equals the "sum" gradient when g is all ones
    ones = mlp_ref.logistic_loss_grad(w, b, X, y, reduction="none", g=np.ones(4))
    np.testing.assert_allclose(ones["w"], mlp_ref.logistic_loss_grad(w, b, X, y)["w"], rtol=1e-15)


def test_readme_states_each_loss_default_reduction():
    import inspect
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    stated = {}
    for default in ("mean", "sum"):
        block = text.split(f'- default `reduction="{default}"`:', 1)[1].split("\n- ", 1)[0].split("\n\n", 1)[0]
        for name in re.findall(r"`(\w+)`", block):
            if hasattr(mlp_ref, name):
                stated[name] = default
    actual = {n: inspect.signature(getattr(mlp_ref, n)).parameters["reduction"].default
              for n in mlp_ref.__all__ if callable(getattr(mlp_ref, n)) and not n.endswith(("_grad", "_backward"))
              and "reduction" in inspect.signature(getattr(mlp_ref, n)).parameters}
    assert stated == actual
    for n, d in actual.items():  # each gradient has its loss's default
        if hasattr(mlp_ref, n + "_grad"):
            assert inspect.signature(getattr(mlp_ref, n + "_grad")).parameters["reduction"].default == d, n
