"""Hypothesis-generated bad input for every public function of mlp_ref, from one table of argument
kinds (tests/hypothesis_helpers.py: KINDS, BAD): a valid call per function below, one argument
replaced by a bad value of its kind. A new public function needs only its valid call here; its
parameters get their bad values from the table (a test fails if a parameter has no kind)."""
from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from hypothesis import given, settings

import mlp_ref
from hypothesis_helpers import KINDS, bad_argument, kind_of
from mlp_ref.pytest_plugin import public_api

pytestmark = pytest.mark.property

Z = np.array([[0.5, -1.0], [2.0, 0.3]])
W, W2 = np.linspace(-1, 1, 6).reshape(3, 2), np.linspace(-1, 1, 6).reshape(2, 3)
X = np.linspace(-1, 1, 8).reshape(4, 2)
YH, YT = np.array([[0.2, 0.7], [0.4, 0.9]]), np.array([[0.0, 1.0], [1.0, 0.5]])
P = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
Q = np.array([[0.3, 0.3, 0.4], [0.1, 0.1, 0.8]])
ONEHOT = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
LAB = np.array([0, 2])
MLP = {"x": X, "Ws": [W, W2], "bs": [np.zeros(3), np.zeros(2)]}


def _tanh_sum(v):
    return float(np.sum(np.tanh(v)))


def _valid():
    cache = mlp_ref.mlp_forward(**MLP, activation="tanh")[1]
    regression = {"yhat": YH, "y": YT, "reduction": "sum"}
    out = {
        **{n: {"z": Z} for n in ("sigmoid", "sigmoid_grad", "log_sigmoid", "tanh", "tanh_grad", "relu", "swish",
                                 "swish_grad", "softmax", "log_softmax")},
        "relu_grad": {"z": Z, "at_zero": 0.0},
        "leaky_relu": {"z": Z, "slope": 0.1}, "leaky_relu_grad": {"z": Z, "slope": 0.1, "at_zero": 1.0},
        "elu": {"z": Z, "alpha": 1.5}, "elu_grad": {"z": Z, "alpha": 1.5, "at_zero": 1.0},
        "softmax_jacobian": {"z": Z[0]},
        "softmax_vjp": {"g": np.ones_like(Z), "z": Z}, "log_softmax_vjp": {"g": np.ones_like(Z), "z": Z},
        "linear": {"W": W, "x": X, "b": np.zeros(3)},
        "linear_backward": {"g": np.ones((4, 3)), "W": W, "x": X, "b": np.zeros(3)},
        "linear_jacobian_W": {"W": W, "x": X[0]},
        "mlp_forward": {**MLP, "activation": "tanh", "output_activation": "identity"},
        "mlp_backward": {"g": np.ones((4, 2)), "cache": cache, "input_grad": True},
        "mlp_loss": {**MLP, "y": np.array([0, 1, 1, 0]), "activation": "tanh", "loss": "softmax_cross_entropy",
                     "reduction": "sum"},
        "mlp_loss_backward": {**MLP, "y": np.array([0, 1, 1, 0]), "activation": "tanh",
                              "loss": "softmax_cross_entropy", "reduction": "sum", "g": 1.0, "input_grad": True},
        "binary_cross_entropy": {"p": np.array([0.2, 0.9]), "y": np.array([0.0, 1.0]), "reduction": "sum"},
        "binary_cross_entropy_with_logits": {"a": np.array([-2.0, 3.0]), "y": np.array([0.0, 1.0]),
                                             "reduction": "sum"},
        "categorical_cross_entropy": {"p": P, "Y": ONEHOT, "reduction": "sum"},
        "softmax_cross_entropy": {"o": P, "y": LAB, "reduction": "sum"},
        "logistic_loss": {"w": np.array([0.5, -1.0]), "b": np.array(0.1), "x": X,
                          "y": np.array([1.0, -1.0, 1.0, 1.0]), "reduction": "sum"},
        "kl_divergence": {"p": P, "q": Q, "reduction": "sum"},
        "wasserstein_1d": {"p": P, "q": Q, "dx": 0.5, "reduction": "sum"},
        "numerical_gradient": {"f": _tanh_sum, "w": X[0], "eps": 1e-6, "method": "central"},
        "numerical_jacobian": {"f": np.tanh, "x": X[0], "eps": 1e-6, "method": "central"},
        "gradient_descent_step": {"W": W, "grad": W, "lr": 0.1},
        **{n: dict(regression) for n in ("squared_error", "mse", "l2_loss", "mae", "logcosh")},
        "huber": {**regression, "delta": 1.0},
    }
    for name in [n for n in out if hasattr(mlp_ref, n + "_grad") and n + "_grad" not in out]:
        out[name + "_grad"] = {**out[name], "g": 1.0}
    return out


VALID = _valid()
FUNCTIONS = sorted(VALID)


def test_every_public_function_has_a_valid_call_and_every_parameter_a_kind():
    assert set(public_api()) <= set(VALID), sorted(set(public_api()) - set(VALID))
    for fn in FUNCTIONS:
        params = list(inspect.signature(getattr(mlp_ref, fn)).parameters)
        assert set(VALID[fn]) == set(params), f"{fn}: the valid call must give every parameter {params}"
        no_kind = [p for p in params if kind_of(fn, p) is None]
        assert not no_kind, f"{fn}: parameters without a kind in hypothesis_helpers.KINDS: {no_kind}"
    mlp_ref.mlp_loss_backward(**VALID["mlp_loss_backward"])  # the valid calls are valid
    for fn in FUNCTIONS:
        getattr(mlp_ref, fn)(**VALID[fn])


def _names(msg, params):
    return [p for p in params if re.search(rf"(?<![\w\[]){re.escape(p)}(?![\w])", msg)]


def _finite(result):
    if result is None or isinstance(result, (str, bool)):
        return True
    if isinstance(result, dict):
        return all(_finite(v) for v in result.values())
    if isinstance(result, (list, tuple)):
        return all(_finite(v) for v in result)
    return np.all(np.isfinite(np.asarray(result, dtype=np.float64)))


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_bad_argument_raises_value_error_naming_it(fn):
    params = list(VALID[fn])

    @settings(max_examples=max(40, settings.default.max_examples))
    @given(bad=bad_argument(fn, VALID[fn]))
    def check(bad):
        param, label, value, strict = bad
        try:
            result = getattr(mlp_ref, fn)(**{**VALID[fn], param: value})
        except ValueError as exc:
            named = _names(str(exc), params)
            assert named, f"{fn}({param}={label}): the message names no argument: {exc}"
            if strict:
                assert param in named, f"{fn}({param}={label}): the message does not name {param!r}: {exc}"
            return
        except Exception as exc:
            raise AssertionError(f"{fn}({param}={label}): {type(exc).__name__} instead of ValueError: {exc}") from exc
        assert not strict, f"{fn}({param}={label}): accepted, returned {result!r}"
        assert _finite(result), f"{fn}({param}={label}): accepted and returned a non-finite result {result!r}"

    check()


def test_kinds_table_has_no_unused_kind():
    used = {kind_of(fn, p) for fn in FUNCTIONS for p in VALID[fn]}
    assert set(KINDS.values()) <= used | {"labels"}
