"""Bad input to the public functions of activations, layers, losses and gradient: a ValueError that
names the argument (never a silent broadcast, cast or NaN). This is mlp_ref's own contract: the
tests call mlp_ref, not the `impl` fixture, so `--impl` leaves them out (another implementation is
checked for its mathematics, keyword defaults and reductions, not for its error messages)."""
from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

import mlp_ref

Z = np.array([[0.5, -1.0], [2.0, 0.0]])
W = np.ones((3, 2))
X = np.ones((4, 2))
G3 = np.ones((4, 3))
YH = np.array([[0.2, 0.7], [0.4, 0.9]])
Y = np.array([[0.0, 1.0], [1.0, 0.0]])
O = np.array([[1.0, 2.0, 0.5], [0.1, 0.2, 0.3]])
LAB = np.array([0, 2])
P = np.array([[0.2, 0.3, 0.5]])
ONES = np.ones(3)


def _tanh_sum(v):
    return float(np.tanh(v).sum())


# (function, call(m) -> None, argument the message must name)
CASES = [
    # activations
    ("sigmoid", lambda m: m.sigmoid("1.0"), "z"),
    ("sigmoid", lambda m: m.sigmoid(np.array([1, 2])), "z"),
    ("sigmoid_grad", lambda m: m.sigmoid_grad(np.array([np.nan])), "z"),
    ("log_sigmoid", lambda m: m.log_sigmoid(np.array([np.inf])), "z"),
    ("tanh", lambda m: m.tanh(None), "z"),
    ("tanh_grad", lambda m: m.tanh_grad(np.array([1 + 1j])), "z"),
    ("relu", lambda m: m.relu(np.array([True])), "z"),
    ("relu_grad", lambda m: m.relu_grad(Z, at_zero=np.nan), "at_zero"),
    ("leaky_relu", lambda m: m.leaky_relu(Z, slope=1.5), "slope"),
    ("leaky_relu_grad", lambda m: m.leaky_relu_grad(Z, slope="0.1"), "slope"),
    ("elu", lambda m: m.elu(Z, alpha=-1.0), "alpha"),
    ("elu_grad", lambda m: m.elu_grad(Z, alpha=0), "alpha"),
    ("swish", lambda m: m.swish([[1, "a"]]), "z"),
    ("swish_grad", lambda m: m.swish_grad(np.array(["x"])), "z"),
    ("softmax", lambda m: m.softmax(np.zeros((2, 2, 2))), "z"),
    ("log_softmax", lambda m: m.log_softmax(np.float64(1.0)), "z"),
    ("softmax_vjp", lambda m: m.softmax_vjp(np.ones(3), Z), "g"),
    ("softmax_jacobian", lambda m: m.softmax_jacobian(Z), "z"),
    ("log_softmax_vjp", lambda m: m.log_softmax_vjp(np.ones((2, 3)), Z), "g"),
    # layers
    ("linear", lambda m: m.linear(np.ones(3), X), "W"),
    ("linear", lambda m: m.linear(W, np.ones((4, 3))), "x"),
    ("linear", lambda m: m.linear(W, X, np.ones(2)), "b"),
    ("linear", lambda m: m.linear(W, X.astype(np.float32)), "x"),
    ("linear_backward", lambda m: m.linear_backward(np.ones((4, 2)), W, X), "g"),
    ("linear_jacobian_W", lambda m: m.linear_jacobian_W(W, X), "x"),
    ("mlp_forward", lambda m: m.mlp_forward(X, []), "Ws"),
    ("mlp_forward", lambda m: m.mlp_forward(X, [W, W]), "Ws[1]"),
    ("mlp_forward", lambda m: m.mlp_forward(X, [W], bs=[np.ones(2)]), "bs[0]"),
    ("mlp_forward", lambda m: m.mlp_forward(X, [W], activation="softsign"), "activation"),
    ("mlp_forward", lambda m: m.mlp_forward(X, [W], output_activation="max"), "output_activation"),
    ("mlp_backward", lambda m: m.mlp_backward(np.ones((4, 2)), m.mlp_forward(X, [W])[1]), "g"),
    ("mlp_loss", lambda m: m.mlp_loss(X, np.zeros(4, int), [W], [np.zeros(3)], loss="hinge"), "loss"),
    ("mlp_loss", lambda m: m.mlp_loss(X, np.array([0, 1, 2, 3]), [W], [np.zeros(3)]), "y"),
    ("mlp_loss_backward", lambda m: m.mlp_loss_backward(X, np.zeros(4, int), [W], None, loss="hinge"), "loss"),
    ("make_mlp_op", lambda m: m.make_mlp_op((3,)), "sizes"),
    # losses
    ("squared_error", lambda m: m.squared_error(YH, Y[:1]), "y"),
    ("squared_error", lambda m: m.squared_error(YH, Y, reduction="avg"), "reduction"),
    ("squared_error_grad", lambda m: m.squared_error_grad(YH, Y.astype(np.float32)), "y"),
    ("mse", lambda m: m.mse(YH, np.ones((2, 3))), "y"),
    ("mse_grad", lambda m: m.mse_grad(np.array([[np.nan, 0.0]]), Y[:1]), "yhat"),
    ("l2_loss", lambda m: m.l2_loss("a", Y), "yhat"),
    ("l2_loss_grad", lambda m: m.l2_loss_grad(YH, Y, reduction="max"), "reduction"),
    ("mae", lambda m: m.mae(YH, Y.ravel()), "y"),
    ("mae_grad", lambda m: m.mae_grad(YH, Y, g=np.ones(2)), "g"),
    ("huber", lambda m: m.huber(YH, Y, delta=0.0), "delta"),
    ("huber_grad", lambda m: m.huber_grad(YH, Y, delta=-1.0), "delta"),
    ("logcosh", lambda m: m.logcosh(YH, Y[:, :1]), "y"),
    ("logcosh_grad", lambda m: m.logcosh_grad(YH, Y, reduction=None), "reduction"),
    ("binary_cross_entropy", lambda m: m.binary_cross_entropy(np.array([0.0, 0.5]), np.array([0.0, 1.0])), "p"),
    ("binary_cross_entropy", lambda m: m.binary_cross_entropy(np.array([0.3, 0.5]), np.array([0.0, 2.0])), "y"),
    ("binary_cross_entropy_grad", lambda m: m.binary_cross_entropy_grad(np.array([0.3]), np.array([0.0, 1.0])), "y"),
    ("binary_cross_entropy_with_logits",
     lambda m: m.binary_cross_entropy_with_logits(np.array([3.0]), np.array([0.5])), "y"),
    ("binary_cross_entropy_with_logits_grad",
     lambda m: m.binary_cross_entropy_with_logits_grad(np.array([np.inf]), np.array([1.0])), "a"),
    ("categorical_cross_entropy", lambda m: m.categorical_cross_entropy(P, np.array([[1.0, 1.0, 0.0]])), "Y"),
    ("categorical_cross_entropy", lambda m: m.categorical_cross_entropy(np.array([[0.0, 0.5, 0.5]]),
                                                                        np.array([[0.0, 1.0, 0.0]])), "p"),
    ("categorical_cross_entropy_grad", lambda m: m.categorical_cross_entropy_grad(P, np.array([[0.5, 0.5, 0.0]])), "Y"),
    ("softmax_cross_entropy", lambda m: m.softmax_cross_entropy(O, np.array([0, 3])), "y"),
    ("softmax_cross_entropy", lambda m: m.softmax_cross_entropy(O, np.array([0.0, 1.0])), "y"),
    ("softmax_cross_entropy", lambda m: m.softmax_cross_entropy(O, np.array([0])), "y"),
    ("softmax_cross_entropy_grad", lambda m: m.softmax_cross_entropy_grad(O, np.array([-1, 0])), "y"),
    ("softmax_cross_entropy_grad", lambda m: m.softmax_cross_entropy_grad(np.ones((2, 2, 2)), LAB), "o"),
    ("logistic_loss", lambda m: m.logistic_loss(np.ones(2), np.float64(0.0), X, np.array([1.0, 0.0, 1.0, 1.0])), "y"),
    ("logistic_loss", lambda m: m.logistic_loss(np.ones(3), np.float64(0.0), X, np.ones(4)), "x"),
    ("logistic_loss_grad", lambda m: m.logistic_loss_grad(np.ones(2), np.ones(1), X, np.ones(4)), "b"),
    ("kl_divergence", lambda m: m.kl_divergence(np.array([[-0.1, 1.1]]), np.array([[0.5, 0.5]])), "p"),
    ("kl_divergence_grad", lambda m: m.kl_divergence_grad(np.array([[0.5, 0.5]]), np.array([[0.0, 1.0]])), "q"),
    ("wasserstein_1d", lambda m: m.wasserstein_1d(P, P, dx=0.0), "dx"),
    ("wasserstein_1d", lambda m: m.wasserstein_1d(np.float64(0.5), np.float64(0.5)), "p"),
    ("wasserstein_1d_grad", lambda m: m.wasserstein_1d_grad(P, P[:, :2]), "q"),
    ("wasserstein_1d_grad", lambda m: m.wasserstein_1d_grad(np.float64(0.5), np.float64(0.5)), "p"),
    # gradient
    ("numerical_gradient", lambda m: m.numerical_gradient("f", ONES), "f"),
    ("numerical_gradient", lambda m: m.numerical_gradient(_tanh_sum, ONES, eps=0.0), "eps"),
    ("numerical_gradient", lambda m: m.numerical_gradient(_tanh_sum, ONES, method="backward"), "method"),
    ("numerical_gradient", lambda m: m.numerical_gradient(lambda v: np.tanh(v), ONES), "f"),
    ("numerical_gradient", lambda m: m.numerical_gradient(_tanh_sum, np.array([1, 2])), "w"),
    ("numerical_jacobian", lambda m: m.numerical_jacobian(None, ONES), "f"),
    ("numerical_jacobian", lambda m: m.numerical_jacobian(np.tanh, ONES, eps=-1e-6), "eps"),
    ("numerical_jacobian", lambda m: m.numerical_jacobian(np.tanh, ONES, method="complex"), "method"),
    ("numerical_jacobian", lambda m: m.numerical_jacobian(lambda v: np.full(v.shape, np.inf), ONES), "f"),
    ("numerical_jacobian", lambda m: m.numerical_jacobian(lambda v: v[v > 1.0], ONES * 1.0), "f"),
    ("numerical_jacobian", lambda m: m.numerical_jacobian(np.tanh, [[1.0, np.nan]]), "x"),
    ("gradient_descent_step", lambda m: m.gradient_descent_step(W, np.ones((2, 3)), 0.1), "grad"),
    ("gradient_descent_step", lambda m: m.gradient_descent_step(W, W, lr=-0.1), "lr"),
    ("gradient_descent_step", lambda m: m.gradient_descent_step(W.astype(int), W, 0.1), "W"),
]


def _values(c):
    return c.values if hasattr(c, "values") else c


@pytest.mark.parametrize("fn,call,arg", CASES, ids=[f"{_values(c)[0]}-{_values(c)[2]}-{i}" for i, c in enumerate(CASES)])
def test_bad_input_raises_value_error_naming_the_argument(fn, call, arg):
    with pytest.raises(ValueError) as info:
        call(mlp_ref)
    msg = str(info.value)
    assert re.search(rf"(?<![\w\[]){re.escape(arg)}(?![\w\]])", msg), f"{fn}: message does not name {arg!r}: {msg}"


def test_no_silent_broadcast_between_prediction_and_target():
    """(2, 2) against (2, 1) would broadcast in NumPy; the reference refuses instead."""
    with pytest.raises(ValueError, match="y"):
        mlp_ref.squared_error(YH, Y[:, :1])


def _public_functions():
    import mlp_ref
    from mlp_ref import activations, gradient, layers, losses

    out = set()
    for mod in (activations, layers, losses, gradient):
        for name, obj in inspect.getmembers(mod, inspect.isfunction):
            if obj.__module__ == mod.__name__ and not name.startswith("_") and hasattr(mlp_ref, name):
                out.add(name)
    return out


def test_every_public_function_has_a_bad_input_case():
    missing = _public_functions() - {_values(c)[0] for c in CASES}
    assert not missing, f"public functions without a bad-input case: {sorted(missing)}"
