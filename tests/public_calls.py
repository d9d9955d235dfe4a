"""One valid call of every public function of mlp_ref (float64), shared by the bad-input properties
(tests/test_bad_input_properties.py) and the keyword-default checks of --impl (tests/test_impl_api.py)."""
from __future__ import annotations

import numpy as np

import mlp_ref

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
