"""001 — TUM Machine Learning, Lecture 7: Deep Learning I (winter term 2022/23): entries in document order.

Document-specific code: the XOR data and feature map with an exact test of linear separability in the
plane, the basis-function model (1), the one-hidden-layer network with weights w_ijk, the deep MLP
σ_2(W_2 σ_1(W_1 σ_0(W_0 x))), the Gaussian negative log-likelihood, the toy example f(x) = 2/sin(exp(-x))
as modules with local derivatives, the regression network a = Wx + b, h = σ(a), ŷ = Vh + c, E = (ŷ - y)^2,
the affine layer's backward in the lecture's numerator layout, and forward/backward modules that also run on
counted scalars (_Flop) so that the cost claims (O(|W|), O(|W|^2), "visited only twice") are measured.
Shapes as everywhere in mlp_ref: W is (H, D), a single vector is (D,).
"""
from __future__ import annotations

import functools
import itertools
import math
import operator
import re

import numpy as np

from .. import activations as act
from .. import layers, losses
from .._validate import as_float, check_reduction, reduce, reduce_grad, same_dtype, same_shape
from ..gradient import gradient_descent_step, numerical_gradient, numerical_jacobian
from ..registry import FD_TOL, Arg, Op, entry, register_op

SRC = "001_feff9ffe3b35df68.txt"
# -- document declaration (mlp_ref.registry.document); registered in pyproject.toml under
# [project.entry-points."mlp_ref.documents"], forms under "mlp_ref.forms"
from ..registry import document  # noqa: E402

DOCUMENT = document(SRC, title="TUM Machine Learning, Lecture 7: Deep Learning I",
                    citation="S. Günnemann, Machine Learning, Lecture 7: Deep Learning I, Technische Universität München, winter term 2022/2023 (slides), text copy 001_feff9ffe3b35df68.txt",
                    prefix="tum7-")

# Wherever a difference quotient is the value compared against (step 1e-6), registry.FD_TOL applies.
FD = FD_TOL


def _fd(f, x, eps=1e-6):
    """Central-difference derivative of f at x, shaped f(x).shape + x.shape (numerator layout)."""
    return numerical_jacobian(f, np.asarray(x, dtype=np.float64), eps=eps)


def _fd_elementwise(f, z, eps=1e-6):
    """Central differences of an elementwise function at every entry of z at once."""
    return (f(z + eps) - f(z - eps)) / (2 * eps)


def _slope(xs, ys) -> float:
    """Least-squares slope of log(ys) against log(xs)."""
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


# ============================================================================ XOR and separability
XOR_ENCODINGS = {
    "{0,1}^2": np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
    "{-1,1}^2": np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]]),
}
XOR_LABELS = np.array([0, 1, 1, 0])  # y = 1 where the two coordinates differ

# The weights of the slide's feature map: φ(x) = σ0(A_XOR [1, x1, x2]^T).
A_XOR = np.array([[5.0, 1.0, 1.0], [5.0, -1.0, -1.0]])


def _with_one(x):
    return np.concatenate([np.ones(x.shape[:-1] + (1,), dtype=x.dtype), x], axis=-1)


def _check_points(x, name="x", width=2):
    x = as_float(name, x, ndim=(1, 2))
    if x.shape[-1] != width:
        raise ValueError(f"{name}: expected {width} coordinates on the last axis, got shape {x.shape}")
    return x


def xor_feature_map(x):
    """φ(x) = (σ(5 + x1 + x2), σ(5 - x1 - x2)) = σ0(A [1, x1, x2]^T)  (001 XOR example); x (2,) or (N, 2)."""
    x = _check_points(x)
    return act.sigmoid(layers.linear(A_XOR.astype(x.dtype), _with_one(x)))


def xor_feature_map_vjp(g, x):
    """g^T dφ/dx for φ above: back through σ0 and the affine map, dropping the constant input 1."""
    x = _check_points(x)
    x1 = _with_one(x)
    A = A_XOR.astype(x.dtype)
    a = layers.linear(A, x1)
    g = as_float("g", g)
    if g.shape != a.shape:
        raise ValueError(f"g: expected the shape of φ(x) {a.shape}, got {g.shape}")
    return layers.linear_backward(g * act.sigmoid_grad(a), A, x1)["x"][..., 1:]


def _check_binary_labels(y, n):
    y = np.asarray(y)
    if y.dtype.kind not in "iuf" or y.shape != (n,) or not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y: expected {n} labels in {{0, 1}}, got {y!r}")
    return y.astype(np.int64)


def linear_separability(X, y, through_origin: bool = False) -> dict:
    """Best line w·x + b = 0 (|w| = 1) for points X (N, 2) with labels y in {0, 1}, found exactly.

    Along a direction u the order of the projections X u changes only where u is perpendicular to
    the difference of two points (to a point itself when b = 0 is forced), so one direction inside
    each arc between consecutive such angles covers every labelling a line can produce.
    Returns {"accuracy", "separable", "w", "b", "margin"}; margin = min_n (2y_n - 1)(w·x_n + b).
    """
    X = as_float("X", X, ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X: expected points in the plane, shape (N, 2), got {X.shape}")
    if not isinstance(through_origin, bool):
        raise ValueError(f"through_origin: expected True or False, got {through_origin!r}")
    y = _check_binary_labels(y, X.shape[0])
    V = X if through_origin else (X[:, None, :] - X[None, :, :]).reshape(-1, 2)
    V = V[np.hypot(V[:, 0], V[:, 1]) > 0]
    crit = np.arctan2(V[:, 1], V[:, 0]) + np.pi / 2
    crit = np.sort(np.mod(np.concatenate([crit, crit + np.pi]), 2 * np.pi))
    if crit.size == 0:
        angles = np.array([0.0, np.pi])
    else:
        angles = (crit + np.append(crit[1:], crit[0] + 2 * np.pi)) / 2
    s = 2.0 * y - 1.0
    best = None
    for theta in angles:
        u = np.array([math.cos(theta), math.sin(theta)])
        t = X @ u
        if through_origin:
            thresholds = [0.0]
        else:
            v = np.unique(t)
            thresholds = np.concatenate([[v[0] - 1.0], (v[:-1] + v[1:]) / 2, [v[-1] + 1.0]])
        for thr in thresholds:
            acc = float(np.mean((t > thr) == (y == 1)))
            margin = float(np.min(s * (t - thr)))
            if best is None or (acc, margin) > (best["accuracy"], best["margin"]):
                best = {"accuracy": acc, "w": u, "b": -float(thr), "margin": margin}
    best["separable"] = best["accuracy"] == 1.0
    return best


def _perceptron(X, y, epochs):
    """Rosenblatt's perceptron with a constant feature; returns (w, b, converged, cycled).

    `cycled` is True when the weights at the start of an epoch repeat an earlier epoch's: the updates are
    deterministic, so from then on they cycle and the perceptron never converges.
    """
    Z = _with_one(np.asarray(X, dtype=np.float64))
    s = 2.0 * np.asarray(y) - 1.0
    v = np.zeros(Z.shape[1])
    seen = set()
    for _ in range(epochs):
        key = v.tobytes()
        if key in seen:
            return v[1:], v[0], False, True
        seen.add(key)
        errors = 0
        for z, t in zip(Z, s):
            if t * (v @ z) <= 0:
                v += t * z
                errors += 1
        if errors == 0:
            return v[1:], v[0], True, False
    return v[1:], v[0], False, False


# ===================================================================== the one-hidden-layer network
def _check_ffnn(x, W0, w1):
    W0 = as_float("W0", W0, ndim=2)
    x = as_float("x", x, ndim=(1, 2))
    if W0.shape[1] != x.shape[-1] + 1:
        raise ValueError(f"W0: expected {x.shape[-1] + 1} columns (bias column w_0j0 plus one per input), "
                         f"got shape {W0.shape}")
    w1 = as_float("w1", w1, ndim=1)
    if w1.shape != (W0.shape[0],):
        raise ValueError(f"w1: expected shape ({W0.shape[0]},), one weight per hidden unit, got {w1.shape}")
    same_dtype(x=x, W0=W0, w1=w1)
    return x, W0, w1


def _ffnn_logit(x, W0, w1):
    x1 = _with_one(x)
    a = layers.linear(W0, x1)
    h = act.sigmoid(a)
    return h @ w1, {"x1": x1, "a": a, "h": h}


def ffnn_one_hidden(x, W0, w1):
    """f(x, W) = σ1([w_100 w_110] · σ0(W0 [1, x]^T)) with (W0)_kj = w_0jk  (001); x (D,) or (N, D), W0 (H, D+1)."""
    x, W0, w1 = _check_ffnn(x, W0, w1)
    return act.sigmoid(_ffnn_logit(x, W0, w1)[0])


def _ffnn_bce(x, y, W0, w1):
    x, W0, w1 = _check_ffnn(x, W0, w1)
    z, _ = _ffnn_logit(x, W0, w1)
    return losses.binary_cross_entropy_with_logits(z, y)


def _ffnn_bce_vjp(g, x, y, W0, w1):
    x, W0, w1 = _check_ffnn(x, W0, w1)
    z, c = _ffnn_logit(x, W0, w1)
    dz = losses.binary_cross_entropy_with_logits_grad(z, y, g=g)
    da = np.multiply.outer(dz, w1) * act.sigmoid_grad(c["a"])
    return {"W0": layers.linear_backward(da, W0, c["x1"])["W"], "w1": dz @ c["h"]}


FFNN_BCE = register_op(Op(
    name="tum7-ffnn-bce", fn="tum7_ffnn_bce", forward=_ffnn_bce, vjp=_ffnn_bce_vjp,
    args={"x": Arg(("N", 2), differentiable=False), "y": Arg(("N",), kind="binary"),
          "W0": Arg(("H", 3)), "w1": Arg(("H",))},
    analytic=False,
    note="E = -Σ_n (y_n log f(x_n) + (1 - y_n) log(1 - f(x_n))), f = σ(w1 · σ(W0 [1, x])); no output bias"))


XOR_PHI = register_op(Op(
    name="tum7-xor-features", fn="tum7_xor_features", forward=xor_feature_map,
    vjp=lambda g, x: {"x": xor_feature_map_vjp(g, x)}, args={"x": Arg(("N", 2))},
    note="φ(x) = (σ(5 + x1 + x2), σ(5 - x1 - x2)), output (N, 2)"))


# ===================================================== basis-function model (1) and the deep MLP
def _check_basis(phi, w):
    phi = as_float("phi", phi, ndim=2)
    w = as_float("w", w, ndim=1)
    if w.shape != (phi.shape[1],):
        raise ValueError(f"w: expected shape ({phi.shape[1]},), one weight per basis function φ_j, got {w.shape}")
    same_dtype(phi=phi, w=w)
    return phi, w


def basis_model(phi, w):
    """f(x, w) = σ(w^T φ(x)) for rows φ(x_n) of phi (N, M) with φ_0 ≡ 1 in column 0  (001 (1)); returns (N,)."""
    phi, w = _check_basis(phi, w)
    return act.sigmoid(phi @ w)


def basis_model_vjp(g, phi, w):
    """g^T ∂f/∂(w, φ): ∂f_n/∂w = σ'(w^T φ_n) φ_n, ∂f_n/∂φ_n = σ'(w^T φ_n) w."""
    phi, w = _check_basis(phi, w)
    g = as_float("g", g, ndim=1)
    if g.shape != (phi.shape[0],):
        raise ValueError(f"g: expected shape ({phi.shape[0]},) of f, got {g.shape}")
    ga = g * act.sigmoid_grad(phi @ w)
    return {"w": ga @ phi, "phi": np.multiply.outer(ga, w)}


BASIS_MODEL = register_op(Op(
    name="tum7-basis-model", fn="tum7_basis_model", forward=basis_model, vjp=basis_model_vjp,
    args={"phi": Arg(("N", "M")), "w": Arg(("M",))}, note="f = σ(φ w) for φ (N, M), w (M,); output (N,)"))


def _deep_mlp_forward(x, W0, W1, W2):
    return layers.mlp_forward(x, [W0, W1, W2], activation="tanh", output_activation="sigmoid")


def _deep_mlp_vjp(g, x, W0, W1, W2):
    grads = layers.mlp_backward(g, _deep_mlp_forward(x, W0, W1, W2)[1])
    return {"x": grads["x"], "W0": grads["W"][0], "W1": grads["W"][1], "W2": grads["W"][2]}


DEEP_MLP = register_op(Op(
    name="tum7-deep-mlp", fn="tum7_deep_mlp", forward=lambda x, W0, W1, W2: _deep_mlp_forward(x, W0, W1, W2)[0],
    vjp=_deep_mlp_vjp, args={"x": Arg(("N", "D")), "W0": Arg(("H", "D"), low=-1, high=1),
                             "W1": Arg(("K", "H"), low=-1, high=1), "W2": Arg(("M", "K"), low=-1, high=1)},
    note="f = σ_2(W_2 σ_1(W_1 σ_0(W_0 x))) with σ_0 = σ_1 = tanh, σ_2 = sigmoid, no biases; x (N, D), output (N, M)"))


# ============================================================================= Gaussian likelihood
LOG_2PI = math.log(2 * math.pi)


def _check_regression_pair(f, y):
    f = as_float("f", f, ndim=(0, 1))
    y = as_float("y", y, ndim=(0, 1))
    same_shape("f", f, "y", y)
    same_dtype(f=f, y=y)
    return f, y


def gaussian_nll(f, y, reduction="sum"):
    """E = -Σ_n log N(y_n | f_n, 1) = Σ_n [(y_n - f_n)^2 / 2 + log(2π) / 2]  (001 Example 3, corrected)."""
    f, y = _check_regression_pair(f, y)
    return reduce(0.5 * (y - f) ** 2 + 0.5 * LOG_2PI, check_reduction(reduction))


def gaussian_nll_grad(f, y, reduction="sum", g=1.0):
    """dE/df_n = f_n - y_n, times the upstream gradient and the reduction's scale."""
    f, y = _check_regression_pair(f, y)
    if f.ndim == 0:
        return (f - y) * np.asarray(g, dtype=f.dtype)
    return (f - y) * reduce_grad(g, f.shape, f.dtype, check_reduction(reduction))


def _gaussian_nll_as_written(f, y):
    """001 Example 3 as written: Σ_n (y_n - f_n)^2 + const, with const = (N/2) log 2π."""
    f, y = _check_regression_pair(f, y)
    return np.sum((y - f) ** 2) + 0.5 * f.size * LOG_2PI


_NLL_ARGS = {"f": Arg(("N",)), "y": Arg(("N",), differentiable=False)}
GAUSSIAN_NLL_AS_WRITTEN = register_op(Op(
    name="tum7-gaussian-nll-as-written", fn="gaussian_nll", forward=_gaussian_nll_as_written,
    vjp=lambda g, f, y: {"f": 2 * (as_float("f", f) - as_float("y", y)) * g}, args=_NLL_ARGS,
    note="as written: Σ (y - f)^2 + const; the constant is taken as (N/2) log 2π so only the factor differs"))
GAUSSIAN_NLL = register_op(Op(
    name="tum7-gaussian-nll", fn="gaussian_nll", forward=lambda f, y: gaussian_nll(f, y),
    vjp=lambda g, f, y: {"f": gaussian_nll_grad(f, y, g=g)}, args=_NLL_ARGS,
    note="-Σ log N(y | f, 1) = ½ Σ (y - f)^2 + (N/2) log 2π"))


# ====================================================================================== toy example
ANGLES = ("radians", "degrees")


def toy_forward(x, angle: str = "radians") -> dict:
    """Modules of f(x) = 2/sin(exp(-x)): a = -x, b = exp(a), c = sin b, d = 2/c  (001 toy example).

    `angle="degrees"` reads sin b with b in degrees (the reading behind the slide's numbers).
    Returns the cache {"x", "a", "b", "c", "d", "angle"}.
    """
    x = as_float("x", x)
    if angle not in ANGLES:
        raise ValueError(f"angle: expected one of {ANGLES}, got {angle!r}")
    a = -x
    with np.errstate(over="ignore"):
        b = np.exp(a)
    if not np.all(np.isfinite(b)):
        bound = -math.log(np.finfo(x.dtype).max)
        raise ValueError(f"x: exp(-x) overflows {x.dtype} for the given x; expected x > {bound:.1f}")
    unit = 1.0 if angle == "radians" else math.pi / 180
    c = np.sin(unit * b)
    if np.any(c == 0):
        raise ValueError("x: f(x) = 2/sin(exp(-x)) is undefined where sin(exp(-x)) = 0")
    return {"x": x, "a": a, "b": b, "c": c, "d": 2 / c, "angle": angle}


def toy_local_derivatives(cache: dict) -> dict:
    """∂a/∂x = -1, ∂b/∂a = exp(a), ∂c/∂b = cos b (times π/180 in degrees), ∂d/∂c = -2/c^2  (001)."""
    if not isinstance(cache, dict) or not {"a", "b", "c", "angle"} <= set(cache):
        raise ValueError("cache: expected the dict returned by toy_forward(x)")
    unit = 1.0 if cache["angle"] == "radians" else math.pi / 180
    a, b, c = cache["a"], cache["b"], cache["c"]
    return {"∂a/∂x": -np.ones_like(a), "∂b/∂a": np.exp(a), "∂c/∂b": unit * np.cos(unit * b),
            "∂d/∂c": -2 / c ** 2}


def toy_f(x):
    """f(x) = 2 / sin(exp(-x))  (001 toy example), elementwise, x in radians."""
    return toy_forward(x)["d"]


def toy_f_grad(x):
    """∂f/∂x = ∂d/∂c ∂c/∂b ∂b/∂a ∂a/∂x, the product of the local derivatives."""
    loc = toy_local_derivatives(toy_forward(x))
    return loc["∂d/∂c"] * loc["∂c/∂b"] * loc["∂b/∂a"] * loc["∂a/∂x"]


def _toy_g(g, x):
    x = as_float("x", x)
    g = as_float("g", g)
    if g.shape != x.shape:
        raise ValueError(f"g: expected the shape of x {x.shape}, got {g.shape}")
    return g


def _toy_chain_as_written(x):
    """The slide's last equality ∂f/∂x = ∂d/∂c ∂f/∂x, evaluated as written."""
    loc = toy_local_derivatives(toy_forward(x))
    return loc["∂d/∂c"] * toy_f_grad(x)


_TOY_ARGS = {"x": Arg(("N",), low=-1.0, high=3.0)}  # exp(-x) in (0.05, 2.7): sin stays away from 0
TOY_F = register_op(Op(
    name="tum7-toy-f", fn="toy_f", forward=toy_f, vjp=lambda g, x: {"x": _toy_g(g, x) * toy_f_grad(x)},
    args=_TOY_ARGS, note="f(x) = 2 / sin(exp(-x)), backward = product of the four local derivatives"))
TOY_CHAIN_AS_WRITTEN = register_op(Op(
    name="tum7-toy-chain-as-written", fn="toy_f", forward=toy_f,
    vjp=lambda g, x: {"x": _toy_g(g, x) * _toy_chain_as_written(x)}, args=_TOY_ARGS,
    note="backward as the slide's last equality writes it: ∂d/∂c ∂f/∂x"))


# ============================================================================ regression network
def _check_regression(x, y, W, b, V, c):
    W = as_float("W", W, ndim=2)
    H, D = W.shape
    x = as_float("x", x, ndim=1)
    if x.shape != (D,):
        raise ValueError(f"x: expected shape ({D},) to match W of shape {W.shape}, got {x.shape}")
    b = as_float("b", b, ndim=1)
    if b.shape != (H,):
        raise ValueError(f"b: expected shape ({H},), got {b.shape}")
    V = as_float("V", V, ndim=2)
    if V.shape != (1, H):
        raise ValueError(f"V: expected shape (1, {H}) (ŷ is a scalar), got {V.shape}")
    c = as_float("c", c, ndim=1)
    if c.shape != (1,):
        raise ValueError(f"c: expected shape (1,), got {c.shape}")
    y = as_float("y", y, ndim=1)
    if y.shape != (1,):
        raise ValueError(f"y: expected shape (1,) (a real target), got {y.shape}")
    same_dtype(x=x, y=y, W=W, b=b, V=V, c=c)
    return x, y, W, b, V, c


def regression_forward(x, y, W, b, V, c):
    """a = W x + b, h = σ(a), ŷ = V h + c, E = (ŷ - y)^2  (001); x (D,), W (H, D), b (H,), V (1, H), c, y (1,).

    Returns (E, cache).
    """
    x, y, W, b, V, c = _check_regression(x, y, W, b, V, c)
    a = layers.linear(W, x, b)
    h = act.sigmoid(a)
    yhat = layers.linear(V, h, c)
    E = losses.squared_error(yhat, y)
    return E, {"x": x, "y": y, "W": W, "b": b, "V": V, "c": c, "a": a, "h": h, "yhat": yhat}


def regression_backward(cache: dict, g=1.0) -> dict:
    """dE/dŷ = 2(ŷ - y); back through ŷ = V h + c, h = σ(a), a = W x + b; returns {"W","b","V","c","x"}."""
    if not isinstance(cache, dict) or "yhat" not in cache:
        raise ValueError("cache: expected the cache returned by regression_forward")
    dyhat = losses.squared_error_grad(cache["yhat"], cache["y"], g=g)
    top = layers.linear_backward(dyhat, cache["V"], cache["h"], cache["c"])
    da = top["x"] * act.sigmoid_grad(cache["a"])
    bottom = layers.linear_backward(da, cache["W"], cache["x"], cache["b"])
    return {"W": bottom["W"], "b": bottom["b"], "V": top["W"], "c": top["b"], "x": bottom["x"]}


def _regression_vjp(g, x, y, W, b, V, c):
    return regression_backward(regression_forward(x, y, W, b, V, c)[1], g=g)


REGRESSION_NET = register_op(Op(
    name="tum7-regression-net", fn="tum7_regression_net",
    forward=lambda x, y, W, b, V, c: regression_forward(x, y, W, b, V, c)[0], vjp=_regression_vjp,
    args={"x": Arg(("D",)), "y": Arg((1,), differentiable=False), "W": Arg(("H", "D"), low=-1, high=1),
          "b": Arg(("H",), low=-1, high=1), "V": Arg((1, "H"), low=-1, high=1), "c": Arg((1,))},
    note="E = (V σ(W x + b) + c - y)^2 for one sample, a scalar"))


# ============================================================== affine layer, numerator layout
def affine_backward_numerator(dE_da, W, x) -> dict:
    """The summary slide's backward in numerator layout: ∂E/∂W = x ∂E/∂a (D×H), ∂E/∂x = ∂E/∂a W (1×D),
    ∂E/∂b = ∂E/∂a (1×H), for the row ∂E/∂a (1, H), W (H, D), x (D,) taken as a D×1 column  (001).

    Each is the transpose of the gradient that `mlp_ref.linear_backward` returns.
    """
    W = as_float("W", W, ndim=2)
    H, D = W.shape
    x = as_float("x", x, ndim=1)
    if x.shape != (D,):
        raise ValueError(f"x: expected shape ({D},) to match W of shape {W.shape}, got {x.shape}")
    dE_da = as_float("dE_da", dE_da, ndim=2)
    if dE_da.shape != (1, H):
        raise ValueError(f"dE_da: expected the 1×H row ∂E/∂a of shape (1, {H}) (numerator layout), "
                         f"got {dE_da.shape}")
    same_dtype(dE_da=dE_da, W=W, x=x)
    return {"W": x[:, None] @ dE_da, "x": dE_da @ W, "b": dE_da.copy()}


# ============================================================= counted arithmetic (the cost claims)
def _counted_op(f, reflected=False):
    def method(self, other):
        other = other.v if isinstance(other, _Flop) else other
        _Flop.ops += 1
        return _Flop(f(other, self.v) if reflected else f(self.v, other))
    return method


class _Flop:
    """A float that tallies every arithmetic operation done with it (class-wide `ops`, and `exps`).

    NumPy object arrays of _Flop run `W @ x`, `np.exp`, `np.multiply.outer` element by element
    through these methods, so the tallies count the scalar operations the code really performs.
    """

    __slots__ = ("v",)
    ops = 0
    exps = 0

    def __init__(self, v):
        self.v = v

    __add__, __radd__ = _counted_op(operator.add), _counted_op(operator.add, True)
    __sub__, __rsub__ = _counted_op(operator.sub), _counted_op(operator.sub, True)
    __mul__, __rmul__ = _counted_op(operator.mul), _counted_op(operator.mul, True)
    __truediv__, __rtruediv__ = _counted_op(operator.truediv), _counted_op(operator.truediv, True)

    def __neg__(self):
        _Flop.ops += 1
        return _Flop(-self.v)

    def exp(self):
        _Flop.ops += 1
        _Flop.exps += 1
        return _Flop(math.exp(self.v))


_TO_FLOP = np.frompyfunc(lambda v: _Flop(float(v)), 1, 1)


def _counting(a):
    """An object array of _Flop holding the values of the float array `a`."""
    return np.asarray(_TO_FLOP(np.asarray(a, dtype=np.float64)), dtype=object)


def _values(a):
    """The floats inside a _Flop (object) array or scalar."""
    return np.vectorize(lambda e: e.v if isinstance(e, _Flop) else e, otypes=[np.float64])(a)


# ================================================================ module abstraction (forward/backward)
# Written with array operators only, so the same modules run on floats and on counted _Flop arrays.
class _Module:
    def __init__(self):
        self.visits = 0


class _Affine(_Module):
    """a = W x + b; backward(∂E/∂a): ∂E/∂W = ∂E/∂a x^T, ∂E/∂b = ∂E/∂a, returns ∂E/∂x = ∂E/∂a W."""

    def __init__(self, W, b):
        super().__init__()
        self.W, self.b = W, b

    def forward(self, x):
        self.visits += 1
        self.x = x
        return self.W @ x + self.b

    def backward(self, g):
        self.visits += 1
        self.dW, self.db = np.multiply.outer(g, self.x), g
        return g @ self.W


class _Sigmoid(_Module):
    """h = 1 / (1 + e^{-a}); backward(∂E/∂h) = ∂E/∂h h (1 - h) from the cached h."""

    def forward(self, a):
        self.visits += 1
        self.h = 1 / (1 + np.exp(-a))
        return self.h

    def backward(self, g):
        self.visits += 1
        return g * (self.h * (1 - self.h))


class _SquaredError(_Module):
    """E = Σ (ŷ - y)^2; backward(∂E/∂E = 1) = 2 (ŷ - y)."""

    def __init__(self, y):
        super().__init__()
        self.y = y

    def forward(self, yhat):
        self.visits += 1
        self.r = yhat - self.y
        return (self.r * self.r).sum()

    def backward(self, g=1.0):
        self.visits += 1
        return (2 * g) * self.r


def _run_modules(mods, x):
    for m in mods:
        x = m.forward(x)
    return x


def _backprop_modules(mods):
    g = 1.0
    for m in reversed(mods):
        g = m.backward(g)
    return g


def _mlp_modules(sizes, rng, y):
    """Affine and Sigmoid modules for layer widths `sizes` (sigmoid on hidden layers), then squared error."""
    mods = []
    for l, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(_Affine(rng.normal(size=(d_out, d_in)) / math.sqrt(d_in), rng.normal(size=d_out) * 0.1))
        if l < len(sizes) - 2:
            mods.append(_Sigmoid())
    mods.append(_SquaredError(y))
    return mods


def _affines(mods):
    return [m for m in mods if isinstance(m, _Affine)]


def _get_params(mods):
    """|W| parameters of the affine modules as one flat float vector θ."""
    return np.concatenate([np.concatenate([_values(m.W).ravel(), _values(m.b)]) for m in _affines(mods)])


def _set_params(mods, theta, counted):
    """Load θ into the affine modules, as _Flop arrays when `counted`."""
    i = 0
    for m in _affines(mods):
        W, b = theta[i:i + m.W.size].reshape(m.W.shape), theta[i + m.W.size:i + m.W.size + m.b.size]
        i += m.W.size + m.b.size
        m.W, m.b = (_counting(W), _counting(b)) if counted else (W, b)


# ================================================================== small constructions for claims
def _big_o_power(text: str) -> int:
    """The power p of a printed O(n^p) or O(n) ("O(|W|^2)" -> 2, "O(ε)" -> 1)."""
    m = re.fullmatch(r"\s*O\((.+?)(?:\^(\d+))?\)\s*", text)
    if not m:
        raise ValueError(f"text: expected an O(...) bound, got {text!r}")
    return int(m.group(2) or 1)


def _shape_of(text: str, sizes: dict) -> tuple:
    """A printed shape such as "m × n" or "(H × H × D)" with its symbols replaced by `sizes` (-1 if unknown)."""
    return tuple(sizes.get(t.strip(), -1) for t in text.strip("() ").split("×"))


def _index_value(sub: str, L: int):
    """The value of a subscript such as "0", "L", "L-1" for a given L; None when it uses an undefined symbol."""
    text = sub.replace(" ", "").replace("−", "-")
    if text.isdigit():
        return int(text)
    if text == "L":
        return L
    if text.startswith("L-") and text[2:].isdigit():
        return L - int(text[2:])
    return None


def _staircase_net(g, H, lo=-1.0, hi=1.0):
    """A one-hidden-layer sigmoid network with a linear output that follows g in H steep steps."""
    t = np.linspace(lo, hi, H + 1)
    steep = 40.0 * H / (hi - lo)
    W1 = np.full((H, 1), steep)
    b1 = -steep * (t[:-1] + t[1:]) / 2
    W2 = np.diff(g(t))[None, :]
    b2 = np.array([g(t[:1])[0]])
    return [W1, W2], [b1, b2]


def _step(x):
    return (x >= 0).astype(np.float64)


def _smooth_target(x):
    return np.sin(3 * x) + np.abs(x)


def _sawtooth_net(k):
    """k hidden layers of 2 ReLUs computing the k-fold tent map T(x) = 2 relu(x) - 4 relu(x - 1/2) on [0, 1]."""
    first, inner = np.array([[1.0], [1.0]]), np.array([[2.0, -4.0], [2.0, -4.0]])
    Ws = [first] + [inner] * (k - 1) + [np.array([[2.0, -4.0]])]
    bs = [np.array([0.0, -0.5])] * k + [np.array([0.0])]
    return Ws, bs


_OUTLIER_DATA = np.array([1.0, 2.0, 3.0, 4.0, 100.0])  # four inliers and one outlier
_CANDIDATES = np.arange(0, 2501) / 25.0  # constant predictions 0, 0.04, ..., 100


@functools.lru_cache(maxsize=None)
def _best_constant(loss):
    """The constant prediction c on the grid that minimises loss(c, data) for the outlier data."""
    C = np.repeat(_CANDIDATES[:, None], _OUTLIER_DATA.size, axis=1)  # one row of 5 equal predictions per c
    Y = np.broadcast_to(_OUTLIER_DATA, C.shape)
    per_row = loss(C, Y, reduction="none").reshape(len(C), -1)  # MSE reduces each row's vector, MAE does not
    return float(_CANDIDATES[np.argmin(per_row.sum(axis=1))])


def _dloss_dc(grad, c):
    """d/dc of a loss of the constant prediction c for the outlier data (its gradient summed over the 5 predictions)."""
    return float(np.sum(grad(np.full(5, c), _OUTLIER_DATA)))


def _optimum(grad):
    """The constant c where d/dc vanishes, by bisection on [0, 100] (the losses here are convex in c)."""
    lo, hi = 0.0, 100.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _dloss_dc(grad, mid) < 0 else (lo, mid)
    return (lo + hi) / 2


_ERF = np.frompyfunc(math.erf, 1, 1)


def _gauss_bins(edges, mean, sd):
    """Exact probability of each bin of N(mean, sd^2) on the given edges."""
    cdf = 0.5 * (1 + _ERF((edges - mean) / (sd * math.sqrt(2))).astype(np.float64))
    return np.diff(cdf)


def _linear_pieces(x, f):
    """Number of linear pieces of a piecewise-linear f sampled on a grid containing its breakpoints."""
    slopes = np.diff(f) / np.diff(x)
    return int(np.sum(np.abs(np.diff(slopes)) > 1e-6)) + 1


# =============================================================================================
# Entries, in the order of the lecture.
# =============================================================================================
@entry(id="tum7-logreg", source=SRC, location="Another look at Logistic Regression", kind="formula",
       statement=r"y | x ~ Bernoulli(σ(w^T x)), w^T x := w_0 + w_1 x_1 + ... + w_D x_D; graph with the "
                 r"bias node 1 = x_0: a_0 = Σ_{j=0}^D x_j w_j, p(y = 1 | x) = σ(a_0) = f(x, w)",
       op=losses.LOGISTIC)
def _(r):
    rng = np.random.default_rng(1)
    D, N = 3, 6
    w = rng.normal(size=D + 1)
    X = rng.normal(size=(N, D))
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    wx = w[0] + X @ w[1:]
    X0 = _with_one(X)
    a0 = np.array([sum(X0[n, j] * w[j] for j in range(D + 1)) for n in range(N)])
    r.close("a_0", a0, wx, what="a_0 = Σ_{j=0}^D x_j w_j with x_0 = 1 equals w_0 + w_1 x_1 + ... + w_D x_D")
    p = act.sigmoid(a0)
    r.close("p(y=1|x)", p, 1 / (1 + np.exp(-wx)), what="p(y = 1 | x) = σ(a_0)")
    nll = -np.sum(np.log(p ** y * (1 - p) ** (1 - y)))
    r.close("-log Bernoulli", losses.logistic_loss(w[1:], w[0], X, 2 * y - 1), nll,
            what="-Σ log Bernoulli(y_n | σ(w^T x_n)) equals mlp_ref.logistic_loss with labels 2y - 1 in {-1, 1}")


@entry(id="tum7-xor-not-separable", source=SRC, location="The XOR dataset", kind="claim",
       statement="The XOR dataset is not linearly separable → Logistic Regression will fail since it learns a "
                 "linear decision boundary")
def _(r):
    for name, X in XOR_ENCODINGS.items():
        y = XOR_LABELS
        res = linear_separability(X, y)
        r.value(f"best line, {name}", {"accuracy": res["accuracy"], "w": res["w"], "b": res["b"]})
        r.claim(f"not separable, {name}", not res["separable"],
                f"XOR on {name}: over every direction and threshold the best line classifies "
                f"{round(4 * res['accuracy'])} of 4 points")
        same = np.array_equal(X[y == 1].mean(axis=0), X[y == 0].mean(axis=0))
        r.claim(f"certificate, {name}", same,
                f"{name}: the midpoint of the two positives equals the midpoint of the two negatives, so any "
                "affine g(x) = w·x + b takes one value there that would have to be > 0 and < 0 (no line exists)")
        _, _, converged, cycled = _perceptron(X, y, 1000)
        r.claim(f"perceptron, {name}", not converged and cycled,
                f"{name}: the perceptron's weights return to an earlier epoch's, so its updates cycle and never converge")
        # Logistic regression with a bias: its BCE is convex in (w0, w), so a zero gradient is the optimum.
        Z = _with_one(X)
        grad = Z.T @ losses.binary_cross_entropy_with_logits_grad(np.zeros(4), y.astype(np.float64))
        r.claim(f"logistic regression optimum, {name}", bool(np.all(grad == 0)),
                f"{name}: the BCE gradient of logistic regression vanishes at w = 0 (convex loss: the global "
                "minimum), where p(y = 1 | x) = 1/2 for every point, i.e. no point is classified")


@entry(id="tum7-basis-functions", source=SRC, location="How to handle non-linearity? Basis functions (1)",
       kind="formula",
       statement=r"f(x, w) = σ(w_0 + Σ_{j=1}^{M-1} w_j φ_j(x)) = σ(w^T φ(x))   (1), with φ_0 ≡ 1 for the bias "
                 r"w_0; linear in w",
       op=BASIS_MODEL)
def _(r):
    rng = np.random.default_rng(3)
    M, N = 5, 7
    x = rng.uniform(-2, 2, size=N)
    phi = np.stack([np.ones(N)] + [np.sin(j * x) + x ** j for j in range(1, M)], axis=1)  # φ_0 ≡ 1
    w, v = rng.normal(size=M), rng.normal(size=M)
    explicit = 1 / (1 + np.exp(-(w[0] + sum(w[j] * phi[:, j] for j in range(1, M)))))
    r.close("(1)", basis_model(phi, w), explicit, what="σ(w^T φ(x)) with φ_0 ≡ 1 equals σ(w_0 + Σ_{j=1}^{M-1} w_j φ_j(x))")
    alpha, beta = 0.7, -1.3
    r.close("linear in w", phi @ (alpha * w + beta * v), alpha * (phi @ w) + beta * (phi @ v),
            what="the pre-activation w^T φ(x) is linear in w (superposition for αw + βv)")


@entry(id="tum7-xor-feature-map", source=SRC, location="Example: Handling XOR dataset by custom basis functions",
       kind="definition",
       statement=r"φ: R^3 -> R^2, φ(x) = φ(1, x_1, x_2) = (σ(5 + x_1 + x_2), σ(5 - x_1 - x_2))",
       op=XOR_PHI)
def _(r):
    rng = np.random.default_rng(4)
    x = np.concatenate([XOR_ENCODINGS["{0,1}^2"], XOR_ENCODINGS["{-1,1}^2"], rng.uniform(-3, 3, (6, 2))])
    s = x[:, 0] + x[:, 1]
    direct = np.stack([1 / (1 + np.exp(-(5 + s))), 1 / (1 + np.exp(-(5 - s)))], axis=1)
    r.close("φ", xor_feature_map(x), direct, what="xor_feature_map = (σ(5 + x1 + x2), σ(5 - x1 - x2))")
    for name, X in XOR_ENCODINGS.items():
        r.value(f"φ(XOR {name})", xor_feature_map(X))
    swapped = xor_feature_map(np.stack([s, np.zeros_like(s)], axis=1))
    r.claim("depends on x1 + x2 only", bool(np.allclose(swapped, xor_feature_map(x), rtol=1e-12, atol=0)),
            "φ(x1, x2) = φ(x1 + x2, 0): both features depend on x1 + x2 only, so the two XOR points of one "
            "class with the same coordinate sum map to one point")


@entry(id="tum7-xor-separable-after-phi", source=SRC,
       location="Example: Handling XOR dataset by custom basis functions", kind="claim",
       statement="Apply a (nonlinear) transformation φ that maps samples to a space where they are linearly "
                 "separable (transformed R^2 space, hyperplane)")
def _(r):
    for name, X in XOR_ENCODINGS.items():
        P = xor_feature_map(X)
        res = linear_separability(P, XOR_LABELS)
        r.value(f"separating line in φ-space, {name}", {"w": res["w"], "b": res["b"], "margin": res["margin"]})
        r.claim(f"separable, {name}", res["separable"],
                f"XOR on {name}: after φ a line w·φ + b = 0 separates the classes (margin {res['margin']:.2g}; "
                f"the images lie within {np.max(np.ptp(P, axis=0)):.2g} of each other, so the margin is small)")
        # Cross-check with the perceptron after standardising the features (an affine change of
        # coordinates, which preserves separability and speeds up convergence).
        Ps = (P - P.mean(axis=0)) / P.std(axis=0)
        _, _, converged, _ = _perceptron(Ps, XOR_LABELS, 20000)
        r.claim(f"perceptron, {name}", converged, f"{name}: the perceptron converges on the standardised φ-images")


@entry(id="tum7-xor-one-hidden-layer", source=SRC,
       location="Example: Handling XOR dataset by custom basis functions (overall function)", kind="formula",
       statement=r"f(x, w) = σ(w^T φ(x)) = σ_1([w_0 w_1] · σ_0([[5, 1, 1], [5, -1, -1]] [1, x_1, x_2]^T)); "
                 r"w* = argmin_w Σ_{n=1}^N -(y_n log f(x_n, w) + (1 - y_n) log(1 - f(x_n, w)))",
       op=FFNN_BCE)
def _(r):
    rng = np.random.default_rng(6)
    x = rng.uniform(-2, 2, (8, 2))
    w = rng.normal(size=2)
    f_phi = act.sigmoid(xor_feature_map(x) @ w)
    r.close("σ(w^T φ(x))", ffnn_one_hidden(x, A_XOR, w), f_phi,
            what="σ_1([w_0 w_1] · σ_0(A [1, x1, x2])) equals σ(w^T φ(x))")
    y = (rng.uniform(size=8) > 0.5).astype(np.float64)
    objective = np.sum(-(y * np.log(f_phi) + (1 - y) * np.log(1 - f_phi)))
    r.close("w* objective", _ffnn_bce(x, y, A_XOR, w), objective,
            what="the BCE sum equals the loss of the network on its logits")


@entry(id="tum7-xor-output-bias", source=SRC,
       location="Example: Handling XOR dataset by custom basis functions (overall function)", kind="claim",
       statement=r"f(x, w) = σ(w^T φ(x)) = σ_1([w_0 w_1] · σ_0([[5, 1, 1], [5, -1, -1]] [1, x_1, x_2]^T)), "
                 r"w found by minimizing binary cross-entropy",
       corrected_statement=r"the model needs an output bias, as in (1) with φ_0 ≡ 1: "
                           r"f(x, w) = σ_1(w_0 + [w_1 w_2] · σ_0([[5, 1, 1], [5, -1, -1]] [1, x_1, x_2]^T)); "
                           r"with it some w classifies all four XOR points")
def _(r):
    for name, X in XOR_ENCODINGS.items():
        P = xor_feature_map(X)
        homog = linear_separability(P, XOR_LABELS, through_origin=True)
        affine = linear_separability(P, XOR_LABELS)
        r.value(f"best accuracy without bias, {name}", homog["accuracy"])
        # The positive image is a positive combination of the two negative images: no w puts it on the
        # other side of a line through the origin.
        coef = np.linalg.solve(P[XOR_LABELS == 0][[0, -1]].T, P[XOR_LABELS == 1][0])
        r.value(f"positive image as a combination of the negative images, {name}", coef)
        r.claim(f"as written, {name}", homog["separable"],
                f"XOR on {name}: with f = σ([w_0 w_1] · φ(x)) and no bias, every w misclassifies a point (best "
                f"{round(4 * homog['accuracy'])} of 4): the positive image φ = {coef[0]:.3g} φ(neg1) + "
                f"{coef[1]:.3g} φ(neg2) lies in the cone of the negatives",
                corrected_ok=affine["separable"], what="some w makes f = σ([w_0 w_1] · φ(x)) classify all four XOR points",
                severity="error", why="as printed the model has no output bias, so no w classifies XOR: a reader who "
                                      "trains it gets at most 3 of 4 points right")


@entry(id="tum7-ffnn-one-hidden", source=SRC, location="How to find the basis functions?", kind="formula",
       statement=r"f(x, W) = σ_1([w_100 w_110] · σ_0([[w_000, w_010, w_020], [w_001, w_011, w_021]] [1, x_1, x_2]^T)), "
                 r"w_ijk: i = layer, j = input node, k = output node; W* = argmin_W Σ_n -(y_n log f + (1 - y_n) "
                 r"log(1 - f)); a FFNN with 1 hidden layer; previously only w_100, w_110 were learned",
       op=FFNN_BCE)
def _(r):
    rng = np.random.default_rng(7)
    w = {(i, j, k): rng.normal() for i, j, k in itertools.product((0,), range(3), range(2))}
    w.update({(1, j, 0): rng.normal() for j in range(2)})
    W0 = np.array([[w[0, j, k] for j in range(3)] for k in range(2)])
    w1 = np.array([w[1, 0, 0], w[1, 1, 0]])
    x = rng.uniform(-2, 2, (5, 2))
    explicit = []
    for xn in x:
        inp = (1.0, xn[0], xn[1])
        h = [1 / (1 + math.exp(-sum(w[0, j, k] * inp[j] for j in range(3)))) for k in range(2)]
        explicit.append(1 / (1 + math.exp(-sum(w[1, j, 0] * h[j] for j in range(2)))))
    r.close("w_ijk", ffnn_one_hidden(x, W0, w1), np.array(explicit),
            what="row k, column j of the matrix is w_0jk: a_k = Σ_j w_0jk x_j (x_0 = 1), f = σ(Σ_j w_1j0 h_j)")
    r.close("XOR special case", ffnn_one_hidden(x, A_XOR, w1), act.sigmoid(xor_feature_map(x) @ w1),
            what="w_000 = w_001 = 5, w_010 = w_020 = 1, w_011 = w_021 = -1 give the XOR slide's fixed φ")
    mlp_out, _ = layers.mlp_forward(x, [W0[:, 1:], w1[None, :]], [W0[:, 0], np.zeros(1)],
                                    activation="sigmoid", output_activation="sigmoid")
    r.close("as an MLP", ffnn_one_hidden(x, W0, w1), mlp_out[:, 0],
            what="mlp_ref.mlp_forward with two weight layers, i.e. one hidden layer of 2 units (bias = column j = 0), "
                 "and no output bias")


@entry(id="tum7-deep-mlp", source=SRC, location="Making the model more complicated", kind="formula",
       statement=r"f(x, W) = σ_2(W_2 σ_1(W_1 σ_0(W_0 x))), W = {W_0, W_1, W_2}: a Multi-layered Perceptron "
                 r"(fully-connected feed-forward network)",
       op=DEEP_MLP)
def _(r):
    rng = np.random.default_rng(8)
    W0, W1, W2 = rng.normal(size=(4, 3)), rng.normal(size=(5, 4)), rng.normal(size=(2, 5))
    x = rng.normal(size=(6, 3))
    nested = act.sigmoid(layers.linear(W2, act.tanh(layers.linear(W1, act.tanh(layers.linear(W0, x))))))
    r.close("MLP", layers.mlp_forward(x, [W0, W1, W2], activation="tanh", output_activation="sigmoid")[0], nested,
            what="σ_2(W_2 σ_1(W_1 σ_0(W_0 x))) with σ_0 = σ_1 = tanh, σ_2 = sigmoid equals mlp_ref.mlp_forward")
    by_hand = 1 / (1 + np.exp(-(np.tanh(np.maximum(x @ W0.T, 0) @ W1.T) @ W2.T)))
    r.close("mixed activations", act.sigmoid(layers.linear(W2, act.tanh(layers.linear(W1, act.relu(
        layers.linear(W0, x)))))), by_hand, what="with σ_0 = ReLU, σ_1 = tanh, σ_2 = sigmoid, against NumPy by hand")


_Z = np.arange(-600, 601) / 100.0  # [-6, 6] in steps of 0.01, containing 0 exactly
_AWAY = np.abs(_Z) > 1e-3


@entry(id="tum7-act-sigmoid", source=SRC, location="Activation functions: Sigmoid", kind="definition",
       statement=r"σ(x) = 1 / (1 + e^{-x})", op=act.SIGMOID)
def _(r):
    r.close("σ", act.sigmoid(_Z), 1 / (1 + np.exp(-_Z)), what="mlp_ref.sigmoid equals 1/(1 + e^{-x}) on [-6, 6]")
    r.close("σ'", act.sigmoid_grad(_Z), _fd_elementwise(lambda z: 1 / (1 + np.exp(-z)), _Z),
            what="σ'(x) = σ(x)(1 - σ(x)) against central differences", **FD)


@entry(id="tum7-act-tanh", source=SRC, location="Activation functions: tanh", kind="definition",
       statement=r"tanh(x)", op=act.TANH)
def _(r):
    r.close("tanh", act.tanh(_Z), (np.exp(_Z) - np.exp(-_Z)) / (np.exp(_Z) + np.exp(-_Z)),
            what="tanh(x) = (e^x - e^{-x})/(e^x + e^{-x})")
    r.close("tanh = 2σ(2x) - 1", act.tanh(_Z), 2 * act.sigmoid(2 * _Z) - 1, what="tanh(x) = 2σ(2x) - 1")
    r.close("tanh'", act.tanh_grad(_Z), _fd_elementwise(np.tanh, _Z), what="tanh' = 1 - tanh^2", **FD)


@entry(id="tum7-act-relu", source=SRC, location="Activation functions: ReLU", kind="definition",
       statement=r"max(0, x)", op=act.RELU)
def _(r):
    r.close("ReLU", act.relu(_Z), np.maximum(0, _Z), what="mlp_ref.relu equals max(0, x)")
    r.close("ReLU'", act.relu_grad(_Z[_AWAY]), _fd_elementwise(lambda z: np.maximum(0, z), _Z[_AWAY]),
            what="derivative 1(x > 0) away from the kink at 0", **FD)


@entry(id="tum7-act-leaky-relu", source=SRC, location="Activation functions: Leaky ReLU", kind="definition",
       statement=r"max(0.1x, x)", op=act.LEAKY_RELU)
def _(r):
    r.close("leaky ReLU", act.leaky_relu(_Z, 0.1), np.maximum(0.1 * _Z, _Z),
            what="mlp_ref.leaky_relu(x, slope=0.1) equals max(0.1x, x)")
    r.close("branches", np.maximum(0.1 * _Z, _Z), np.where(_Z >= 0, _Z, 0.1 * _Z),
            what="max(0.1x, x) is x for x >= 0 and 0.1x for x < 0")
    r.close("leaky ReLU'", act.leaky_relu_grad(_Z[_AWAY], 0.1),
            _fd_elementwise(lambda z: np.maximum(0.1 * z, z), _Z[_AWAY]),
            what="derivative 1 for x > 0, 0.1 for x < 0", **FD)


@entry(id="tum7-act-elu", source=SRC, location="Activation functions: ELU", kind="definition",
       statement=r"ELU(x) = x for x >= 0, α(e^x - 1) for x < 0", op=act.ELU)
def _(r):
    for alpha in (0.5, 1.0, 1.5):
        r.close(f"ELU α={alpha}", act.elu(_Z, alpha), np.where(_Z >= 0, _Z, alpha * (np.exp(_Z) - 1)),
                what=f"mlp_ref.elu(x, alpha={alpha}) equals the two branches")
        r.close(f"ELU' α={alpha}", act.elu_grad(_Z[_AWAY], alpha),
                _fd_elementwise(lambda z, a=alpha: np.where(z >= 0, z, a * (np.exp(z) - 1)), _Z[_AWAY]),
                what=f"ELU'(x) = 1 (x > 0), α e^x (x < 0) for α = {alpha}", **FD)
    h, zero = 1e-7, np.zeros(1)
    left = {a: float((act.elu(zero, a) - act.elu(-h + zero, a))[0] / h) for a in (0.5, 1.0, 1.5)}
    right = {a: float((act.elu(h + zero, a) - act.elu(zero, a))[0] / h) for a in (0.5, 1.0, 1.5)}
    r.value("one-sided difference quotients at 0 (step 1e-7), left and right, for α = 0.5, 1, 1.5",
            [[left[a], right[a]] for a in left])
    r.value("mlp_ref.elu_grad(0, α) (the slide's x >= 0 branch)", [float(act.elu_grad(zero, a)[0]) for a in left])
    r.claim("kink at 0", all(abs(left[a] - a) < 1e-6 and abs(right[a] - 1) < 1e-6 for a in left)
            and all(abs(act.elu(-h + zero, a)[0]) < 2 * a * h for a in left),
            "ELU is continuous at 0 (α(e^0 - 1) = 0) and its slope jumps from α on the left to 1 on the right: "
            "differentiable at 0 only for α = 1")


@entry(id="tum7-act-swish", source=SRC, location="Activation functions: Swish", kind="definition",
       statement=r"x · σ(x)", op=act.SWISH)
def _(r):
    r.close("swish", act.swish(_Z), _Z / (1 + np.exp(-_Z)), what="mlp_ref.swish equals x σ(x)")
    r.close("swish'", act.swish_grad(_Z), _fd_elementwise(lambda z: z / (1 + np.exp(-z)), _Z),
            what="swish'(x) = σ(x) + x σ(x)(1 - σ(x))", **FD)


@entry(id="tum7-softmax-not-elementwise", source=SRC, location="Activation functions", kind="claim",
       statement="Most activation functions are applied element-wise when given a multi-dimensional input. Softmax "
                 "activation is a notable exception! (it is not element-wise)",
       op=act.SOFTMAX)
def _(r):
    z = np.array([0.3, -1.2, 2.0, 0.5])
    offdiag = ~np.eye(4, dtype=bool)
    elementwise = {"sigmoid": act.sigmoid, "tanh": act.tanh, "relu": act.relu,
                   "leaky_relu": act.leaky_relu, "elu": act.elu, "swish": act.swish}
    worst = max(float(np.max(np.abs(_fd(f, z)[offdiag]))) for f in elementwise.values())
    r.claim("elementwise", worst == 0.0,
            f"the Jacobians of the six slide activations at a 4-vector are diagonal (largest off-diagonal "
            f"entry {worst:g})")
    J = act.softmax_jacobian(z)
    r.close("softmax Jacobian", J, _fd(act.softmax, z), what="J = diag(p) - p p^T against central differences", **FD)
    r.value("softmax Jacobian off-diagonal range", [float(J[offdiag].min()), float(J[offdiag].max())])
    r.claim("not elementwise", bool(np.all(J[offdiag] < 0)),
            f"every off-diagonal entry -p_i p_j of the softmax Jacobian is non-zero (largest magnitude "
            f"{float(np.max(np.abs(J[offdiag]))):.3g}): changing one input changes every output")


@entry(id="tum7-linear-collapse", source=SRC, location="Why use nonlinear activation functions?", kind="formula",
       statement=r"f(x, W) = W_L(W_{L-1}(...(W_0 x)...)) = (W_L W_{L-1} ... W_1 W_0) x = W' x: a linear "
                 r"transformation", op=layers.LINEAR)
def _(r):
    rng = np.random.default_rng(10)
    shapes = [(4, 3), (6, 4), (2, 6), (5, 2)]  # W_0 ... W_3 (L = 3)
    Ws = [rng.normal(size=s) for s in shapes]
    x = rng.normal(size=(7, 3))
    nested = x
    for W in Ws:
        nested = layers.linear(W, nested)
    W_prime = Ws[3] @ Ws[2] @ Ws[1] @ Ws[0]
    r.close("W'", layers.linear(W_prime, x), nested, what="W_L(...(W_0 x)) = (W_L ... W_0) x with W' of shape "
            f"{W_prime.shape}")
    r.close("as an MLP", layers.mlp_forward(x, Ws, activation="identity")[0], nested,
            what="an MLP with identity activations computes the same W' x")


@entry(id="tum7-nonlinear-stack", source=SRC, location="Why use nonlinear activation functions?", kind="formula",
       statement=r"f(x, W) = W_L σ_k(W_{L-1} σ_{L-1}(... σ_0(W_0 x) ...)); for non-linear functions we can not "
                 r"(in general) simplify it",
       documented={"outer activation": "σ_k"},
       corrected_statement=r"f(x, W) = W_L σ_{L-1}(W_{L-1} σ_{L-2}(... σ_0(W_0 x) ...)): σ_i is applied to "
                           r"W_i(...), as σ_0(W_0 x) shows")
def _(r):
    rng = np.random.default_rng(11)
    Ws = [rng.normal(size=s) for s in [(4, 3), (6, 4), (2, 6), (5, 2)]]  # W_0 ... W_L, L = 3
    L = len(Ws) - 1
    x = rng.normal(size=(200, 3))

    def corrected():  # W_L σ_{L-1}(W_{L-1} ... σ_0(W_0 x)) with σ_i = tanh after W_i, i = 0 .. L-1
        h = x
        for W in Ws[:-1]:
            h = np.tanh(h @ W.T)
        return h @ Ws[-1].T

    sub = r.documented["outer activation"].removeprefix("σ_").strip("{}")
    outer = _index_value(sub, L)
    mlp = layers.mlp_forward(x, Ws, activation="tanh", output_activation="identity")[0]
    r.claim("outer activation", outer == L - 1,
            f"the outer activation σ_{sub} around W_{{L-1}}(...): "
            + ("its index is not defined on the slide" if outer is None else f"index {outer}")
            + f"; σ_0(W_0 x) puts σ_i after W_i, so it is σ_{{L-1}} (L = {L}) and the one inside it σ_{{L-2}}",
            corrected_ok=bool(np.allclose(corrected(), mlp, rtol=1e-12, atol=1e-12)),
            documented="outer activation", what="the index of the activation applied to W_{L-1}(...)",
            severity="slip", why="an undefined index (k) where σ_0(W_0 x) implies σ_{L-1}; the claim that the stack "
                                 "cannot be simplified is unaffected")
    resid = {}
    for name, act_name in (("linear", "identity"), ("tanh", "tanh")):
        out = layers.mlp_forward(x, Ws, activation=act_name)[0]
        fit = np.linalg.lstsq(x, out, rcond=None)[0]
        resid[name] = float(np.linalg.norm(x @ fit - out) / np.linalg.norm(out))
    r.value("relative residual of the best single matrix W'", resid)
    r.claim("no simplification", resid["tanh"] > 1e-2 and resid["linear"] < 1e-12,
            f"on 200 inputs the best single linear map W' reproduces the linear stack (relative residual "
            f"{resid['linear']:.1g}) but not the tanh stack (relative residual {resid['tanh']:.2g})")


_UA_GRID = np.linspace(-1, 1, 2001)  # spacing 1e-3, far below the step width 2/H of the widest net


@functools.lru_cache(maxsize=None)
def _staircase_sup_error(target, H: int) -> float:
    """Sup error on [-1, 1] of the H-unit sigmoid staircase network for `target` (a module-level function)."""
    Ws, bs = _staircase_net(target, H)
    out = layers.mlp_forward(_UA_GRID[:, None], Ws, bs, activation="sigmoid", output_activation="identity")[0]
    return float(np.max(np.abs(out[:, 0] - target(_UA_GRID))))


_UA_WIDTHS = (10, 30, 100, 300)


@entry(id="tum7-universal-approximation", source=SRC, location="Neural networks are universal approximators",
       kind="claim",
       statement="An MLP with a linear output layer and one hidden layer can approximate any continuous function "
                 "defined over a closed and bounded subset of R^D, under mild assumptions on the activation function "
                 "('squashing' activation functions; e.g. sigmoid) and given the number of hidden units is large "
                 "enough. Also in the discrete case: a neural network can approximate any function from a discrete "
                 "space to another.",
       reading="a cited theorem (Cybenko 1989, Hornik 1991); demonstrated on a continuous, non-smooth target on [-1, 1] "
               "(sup error falling with the width, below 0.05 at 300 units) and on every Boolean function of 2 and 3 "
               "inputs (exact after thresholding at 1/2)")
def _(r):
    errors = {H: _staircase_sup_error(_smooth_target, H) for H in _UA_WIDTHS}
    r.value("sup error for sin(3x) + |x| on [-1, 1] by hidden width", errors)
    e = list(errors.values())
    r.claim("continuous", all(a > b for a, b in zip(e, e[1:])) and e[-1] < 0.05,
            f"one sigmoid hidden layer + linear output approximates sin(3x) + |x| on [-1, 1]: sup error "
            f"{e[0]:.3g} with 10 units down to {e[-1]:.3g} with 300")
    wrong = 0
    for n in (2, 3):
        points = np.array(list(itertools.product((0.0, 1.0), repeat=n)))
        W1 = 20 * (2 * points - 1)
        b1 = -20 * (points.sum(axis=1) - 0.5)
        tables = np.array(list(itertools.product((0.0, 1.0), repeat=2 ** n)))  # one output unit per function
        out = layers.mlp_forward(points, [W1, 20 * tables], [b1, np.full(len(tables), -10.0)], activation="sigmoid",
                                 output_activation="sigmoid")[0]
        wrong += int(np.sum(np.any((out > 0.5) != tables.T.astype(bool), axis=0)))
    r.claim("discrete", wrong == 0,
            "all 16 Boolean functions of 2 inputs and all 256 of 3 inputs are computed exactly (after "
            "thresholding at 1/2) by one sigmoid hidden layer with a unit per input point")


@entry(id="tum7-one-hidden-any-function", source=SRC, location="Multiple hidden layers", kind="claim",
       statement="According to the universal approximation theorem, a feed-forward network with 1 hidden layer can "
                 "represent any function.",
       reading="'represent any function' as the paraphrase of the theorem the sentence cites, on the previous slide: "
               "approximate any continuous function on a closed and bounded set arbitrarily well, with enough hidden "
               "units (criterion: the sup error falls with the width and is below 0.05 at 300 units); taken literally "
               "(exactly, any function) it would fail for a step, which is recorded")
def _(r):
    errors = {H: _staircase_sup_error(_smooth_target, H) for H in _UA_WIDTHS}
    e = list(errors.values())
    r.claim("any continuous function", all(a > b for a, b in zip(e, e[1:])) and e[-1] < 0.05,
            f"the staircase network approximates the continuous sin(3x) + |x| on [-1, 1] to sup error {e[-1]:.3g} "
            f"with 300 units, falling from {e[0]:.3g} with 10", what="one hidden layer approximates a continuous function "
            "arbitrarily well as the width grows")
    step = {H: _staircase_sup_error(_step, H) for H in (31, 101)}  # odd H: the jump lies between two nodes
    r.value("literal reading: sup error for the step 1[x >= 0] with 31 and 101 units (a continuous network stays "
            "at least 1/2 away near 0)", step)


@entry(id="tum7-depth-efficiency", source=SRC, location="Multiple hidden layers (theoretical reason)", kind="claim",
       statement="Theoretical reason: For some families of functions, if we use a few layers we would need a large "
                 "number of hidden units (and therefore parameters). But we can get the same representation power by "
                 "adding more layers, fewer hidden units, and fewer parameters.")
def _(r):
    x = np.linspace(0, 1, 2 ** 10 + 1)  # dyadic grid: every breakpoint j / 2^k (k <= 8) lies on it, 4 points per piece
    pieces, deep_out = {}, {}
    for k in range(1, 9):
        Ws, bs = _sawtooth_net(k)
        deep_out[k] = layers.mlp_forward(x[:, None], Ws, bs, activation="relu", output_activation="identity")[0][:, 0]
        pieces[k] = _linear_pieces(x, deep_out[k])
    r.value("linear pieces of the k-fold tent map (2 ReLUs per layer, k layers)", pieces)
    r.claim("deep: 2^k pieces", all(pieces[k] == 2 ** k for k in pieces),
            "k hidden layers of 2 ReLUs (2k units) compute a sawtooth with 2^k linear pieces on [0, 1]")
    rng = np.random.default_rng(13)
    shallow_pieces = {}
    for m in (3, 10, 30):
        W1 = np.ones((m, 1))
        b1 = -rng.choice(np.arange(1, 2 ** 10), m, replace=False) / 2 ** 10
        out = layers.mlp_forward(x[:, None], [W1, rng.normal(size=(1, m))], [b1, np.zeros(1)],
                                 activation="relu", output_activation="identity")[0][:, 0]
        shallow_pieces[m] = _linear_pieces(x, out)
    r.value("linear pieces of random one-hidden-layer ReLU networks with m = 3, 10, 30 units", shallow_pieces)
    r.claim("shallow: at most m + 1 pieces", all(p <= m + 1 for m, p in shallow_pieces.items()),
            "one hidden layer of m ReLUs gives at most m + 1 linear pieces on a line (one breakpoint per unit; "
            f"sampled: {shallow_pieces}), so the 8-fold sawtooth needs at least {2 ** 8 - 1} hidden units in one layer")
    k = 8
    t = np.arange(2 ** k) / 2 ** k  # relu(x - 0) = x on [0, 1] gives the first slope
    W2 = np.concatenate([[2.0 ** k], 2.0 ** (k + 1) * (-1.0) ** np.arange(1, 2 ** k)])[None, :]
    shallow = layers.mlp_forward(x[:, None], [np.ones((2 ** k, 1)), W2], [-t, np.zeros(1)], activation="relu",
                                 output_activation="identity")[0][:, 0]
    r.close("one hidden layer, 2^8 units", shallow, deep_out[k],
            what="one hidden layer of 2^8 = 256 ReLUs relu(x - j/256) reproduces the 8-layer sawtooth on [0, 1]",
            rtol=1e-9, atol=1e-9)
    deep_params = sum(W.size + b.size for W, b in zip(*_sawtooth_net(k)))
    shallow_params = 3 * (2 ** k - 1) + 1
    r.value("parameters: 8 layers of 2 units; one layer of the minimum 255 units", [deep_params, shallow_params])
    r.claim("fewer units and parameters", 2 * k < 2 ** k - 1 and deep_params < shallow_params,
            f"8 hidden layers use {2 * k} units and {deep_params} parameters; one hidden layer needs at least "
            f"{2 ** k - 1} units and {shallow_params} parameters for the same function")


@entry(id="tum7-depth-k-vs-k-minus-1", source=SRC, location="Multiple hidden layers", kind="claim",
       statement="Functions that can be compactly represented with k layers may require exponentially many hidden "
                 "units when using only k - 1 layers.",
       reading="a cited result (the slide credits Bengio 2010), read as an existence statement about some family of "
               "functions; no such family is given, so it is cited and not checked")
def _(r):
    k = np.arange(2, 9)
    # A ReLU network on a line with L hidden layers of m units has at most (m + 1)^L linear pieces (each layer
    # adds at most one breakpoint per unit and piece), so the 2^k pieces of the k-fold tent map need only
    # m >= 2^(k/(k-1)) - 1 units per layer in k - 1 layers.
    width = np.ceil(2.0 ** (k / (k - 1)) - 1)
    r.value("k = 2 ... 8: the piece-count bound's least width per layer for the k-fold tent map in k - 1 layers",
            dict(zip(k.tolist(), width.tolist())))
    r.cited("function family",
            "cited and not checked: the slide quotes the depth hierarchy from Bengio's 2010 lecture (for circuits, "
            "Håstad 1986) without the family of functions or the bound, and no family at hand reproduces it: the "
            "tent maps of the previous entry separate k layers from one layer, not from k - 1 layers, where the "
            f"piece count asks for only {int(width.max())} units per layer (k = 2 ... 8); the claim is not judged "
            "by that family")


@entry(id="tum7-loss-table", source=SRC, location="Loss function (table)", kind="claim",
       statement="Prediction target | p(y|x) | Final layer | Loss function: Binary | Bernoulli | Sigmoid | Binary "
                 "cross entropy; Discrete | Categorical | Softmax | Cross entropy; Continuous | Gaussian | "
                 "Identity | Squared error",
       documented={"Binary": "Bernoulli | Sigmoid | Binary cross entropy",
                   "Discrete": "Categorical | Softmax | Cross entropy",
                   "Continuous": "Gaussian | Identity | Squared error"})
def _(r):
    rng = np.random.default_rng(14)
    binary, discrete, continuous, ratios, grad_ratios = [], [], [], [], []
    for _ in range(5):
        a = rng.normal(scale=3, size=8)  # final-layer inputs (logits)
        y = (rng.uniform(size=8) > 0.5).astype(np.float64)
        p = act.sigmoid(a)
        binary.append((losses.binary_cross_entropy_with_logits(a, y), -np.sum(np.log(p ** y * (1 - p) ** (1 - y)))))
        A = rng.normal(scale=3, size=(6, 4))
        labels = rng.integers(0, 4, size=6)
        Y = np.eye(4)[labels]
        f = act.softmax(A)
        discrete.append((losses.softmax_cross_entropy(A, labels), -np.sum(np.log(np.prod(f ** Y, axis=1)))))
        t = rng.normal(size=8)  # targets; the identity final layer gives the mean f = a
        nll = -np.sum(np.log(np.exp(-0.5 * (t - a) ** 2) / math.sqrt(2 * math.pi)))
        continuous.append(nll)
        ratios.append((nll - 4 * LOG_2PI) / losses.squared_error(a, t))
        grad_ratios.append(_fd(lambda v, t=t: -np.sum(np.log(np.exp(-0.5 * (t - v) ** 2) / math.sqrt(2 * math.pi))), a)
                           / losses.squared_error_grad(a, t))
    binary, discrete = np.array(binary), np.array(discrete)
    r.close("Binary", binary[:, 0], binary[:, 1], documented="Binary",
            what="Binary: on 5 draws of 8 logits a, the binary cross entropy of sigmoid(a) equals -Σ log Bernoulli(y | "
                 "sigmoid(a)) with the pmf p^y (1 - p)^(1 - y)", rtol=1e-12)
    r.close("Discrete", discrete[:, 0], discrete[:, 1], documented="Discrete",
            what="Discrete: on 5 draws of 6 × 4 logits, the cross entropy of softmax(a) equals -Σ log Categorical(y | "
                 "softmax(a)) with the pmf Π_k f_k^(y_k)", rtol=1e-12)
    r.value("Continuous: (-Σ log N(y | a, 1) - (N/2) log 2π) / squared error, 5 draws", ratios)
    r.value("Continuous: ∂(-Σ log N)/∂a (central differences) / ∂(squared error)/∂a, range",
            [float(np.min(grad_ratios)), float(np.max(grad_ratios))])
    r.claim("Continuous", np.allclose(ratios, 0.5, rtol=1e-12) and np.allclose(grad_ratios, 0.5, rtol=1e-5),
            documented="Continuous", what="Continuous: Gaussian likelihood, identity output, squared error", detail=
            "Continuous: with the identity final layer, -Σ log N(y | a, 1) = ½ squared error + (N/2) log 2π on 5 draws, "
            "and its gradient is ½ the squared error's: the squared error up to the factor ½ and a constant, so it "
            "has the same minimiser")
    z = np.array([-30.0, -5.0, 0.0, 5.0, 30.0])
    p, P = act.sigmoid(z), act.softmax(np.stack([z, -z, 2 * z]).T)
    r.claim("final layers", bool(np.all((p > 0) & (p < 1)) and np.all(P > 0) and np.allclose(P.sum(axis=1), 1)),
            "Sigmoid maps logits in [-30, 30] into (0, 1), a valid Bernoulli parameter; Softmax maps them to positive "
            "rows summing to 1, a valid Categorical parameter; Identity leaves a real Gaussian mean")


@entry(id="tum7-loss-bernoulli", source=SRC, location="Example 1: Binary classification", kind="formula",
       statement=r"f(x, W) = 1/(1 + exp(-a)) (a: logits); p(y | x) = Bernoulli(y | f(x, W)); E(W) = -Σ_n log "
                 r"p(y_n | x_n) = -Σ_n (y_n log f(x_n, W) + (1 - y_n) log(1 - f(x_n, W)))",
       op=losses.BCE_WITH_LOGITS)
def _(r):
    rng = np.random.default_rng(15)
    a = rng.normal(scale=2, size=8)
    y = (rng.uniform(size=8) > 0.5).astype(np.float64)
    f = 1 / (1 + np.exp(-a))
    nll = -np.sum(np.log(f ** y * (1 - f) ** (1 - y)))
    r.close("E", -np.sum(y * np.log(f) + (1 - y) * np.log(1 - f)), nll,
            what="-Σ log Bernoulli(y_n | f_n) = -Σ (y_n log f_n + (1 - y_n) log(1 - f_n))")
    r.close("BCE", losses.binary_cross_entropy(f, y), nll, what="mlp_ref.binary_cross_entropy(f, y)")
    r.close("BCE on logits", losses.binary_cross_entropy_with_logits(a, y), nll,
            what="mlp_ref.binary_cross_entropy_with_logits(a, y)")
    r.close("logits", np.log(f / (1 - f)), a, what="a = log(f / (1 - f)) is the logit of f")


@entry(id="tum7-loss-categorical", source=SRC, location="Example 2: Multi-class classification", kind="formula",
       statement=r"y_n in {0, 1}^K (one-hot); f_k(x, W) = exp(a_k) / Σ_{j=1}^K exp(a_j); p(y | x) = "
                 r"Categorical(y | f(x, W)); E(W) = -Σ_n log p(y_n | x_n) = -Σ_n Σ_k y_nk log f_k(x_n, W)",
       op=losses.SOFTMAX_CE)
def _(r):
    rng = np.random.default_rng(16)
    A = rng.normal(scale=2, size=(6, 4))
    labels = np.array([0, 3, 1, 2, 2, 0])
    Y = np.eye(4)[labels]
    f = np.exp(A) / np.exp(A).sum(axis=1, keepdims=True)
    nll = -np.sum(np.log(np.prod(f ** Y, axis=1)))
    r.close("E", -np.sum(Y * np.log(f)), nll, what="-Σ log Categorical(y_n | f_n) = -Σ_n Σ_k y_nk log f_nk")
    r.close("softmax", act.softmax(A), f, what="mlp_ref.softmax equals exp(a_k) / Σ_j exp(a_j)")
    r.close("CE", losses.categorical_cross_entropy(f, Y), nll, what="mlp_ref.categorical_cross_entropy(f, Y)")
    r.close("CE on logits", losses.softmax_cross_entropy(A, labels), nll,
            what="mlp_ref.softmax_cross_entropy(a, labels) with the one-hot rows as 0-based labels")


@entry(id="tum7-loss-gaussian", source=SRC, location="Example 3: Single-output regression", kind="formula",
       statement=r"f(x, W) = a; p(y | x) = N(y | f(x, W), 1); E(W) = -Σ_n log p(y_n | x_n) = "
                 r"Σ_n (y_n - f(x_n, W))^2 + const. (squared error, a.k.a. Gaussian cross-entropy)",
       op=GAUSSIAN_NLL_AS_WRITTEN, corrected=GAUSSIAN_NLL,
       corrected_statement=r"E(W) = -Σ_n log N(y_n | f(x_n, W), 1) = ½ Σ_n (y_n - f(x_n, W))^2 + (N/2) log 2π: "
                           r"the squared error up to the factor ½ (same minimiser, gradient halved)")
def _(r):
    rng = np.random.default_rng(17)
    y = rng.normal(size=5)
    preds = [rng.normal(size=5) for _ in range(4)]
    nll = np.array([-np.sum(np.log(np.exp(-0.5 * (y - f) ** 2) / math.sqrt(2 * math.pi))) for f in preds])
    se = np.array([np.sum((y - f) ** 2) for f in preds])
    const = nll[0] - se[0]  # the one constant that could make the first prediction agree
    r.value("NLL minus squared error, per prediction", nll - se)
    r.close("Σ(y - f)^2 + const", se + const, nll, corrected=0.5 * se + 2.5 * LOG_2PI,
            what="-Σ log N(y | f, 1) against Σ(y - f)^2 + const for 4 predictions (const fitted to the first)",
            severity="error", why="the negative log-likelihood is ½ Σ (y - f)^2 + const: E as printed is twice it "
                                  "(same minimiser, but a reader gets twice the loss)")
    f = preds[1]
    r.close("gradient", 2 * (f - y), _fd(lambda v: gaussian_nll(v, y), f), corrected=gaussian_nll_grad(f, y),
            what="∂E/∂f: as written 2(f - y), the likelihood gives f - y", **FD,
            severity="error", why="differentiating E as printed gives twice the gradient of the likelihood")
    r.close("gaussian_nll", gaussian_nll(f, y), nll[1], what="gaussian_nll(f, y) = -Σ log N(y | f, 1)")


@entry(id="tum7-loss-mae", source=SRC, location="Choosing the loss", kind="claim",
       statement="Mean absolute error (MAE): Useful if we have outliers, but gradient is independent of the distance "
                 "from the optimum (advanced optimizers handle this surprisingly well, though).",
       op=losses.MAE)
def _(r):
    dist = np.array([0.01, 1.0, 100.0])
    yhat = np.concatenate([dist, -dist])  # both sides of the optimum y = 0
    mae_g = np.array([float(losses.mae_grad(np.array([v]), np.zeros(1))[0]) for v in yhat])
    mse_g = np.array([float(losses.mse_grad(np.array([v]), np.zeros(1))[0]) for v in yhat])
    r.close("∂MAE/∂ŷ", mae_g, _fd_elementwise(np.abs, yhat), what="mlp_ref.mae_grad against central differences of "
            "|ŷ - y| at distances 0.01, 1, 100 on both sides", **FD)
    r.value("∂MAE/∂ŷ at ŷ - y = 0.01, 1, 100, -0.01, -1, -100", mae_g)
    r.value("∂MSE/∂ŷ at the same points", mse_g)
    r.claim("independent of the distance", bool(np.all(np.abs(mae_g) == 1.0)) and np.ptp(np.abs(mse_g)) > 100,
            f"|∂MAE/∂ŷ| = 1 at distances 0.01, 1 and 100 on either side (only its sign tells the side), while "
            f"|∂MSE/∂ŷ| = 2|ŷ - y| runs from {np.abs(mse_g).min():g} to {np.abs(mse_g).max():g}")
    best_mse, best_mae = _best_constant(losses.mse), _best_constant(losses.mae)
    r.value("best constant prediction for 1, 2, 3, 4, 100 (MSE, MAE)", [best_mse, best_mae])
    r.claim("outliers", best_mae == 3.0 and best_mse == 22.0,
            f"for 1, 2, 3, 4 and the outlier 100 the MAE-optimal constant is the median {best_mae:g}, the "
            f"MSE-optimal one the mean {best_mse:g}")


@entry(id="tum7-loss-huber", source=SRC, location="Choosing the loss", kind="claim",
       statement="Huber loss, LogCosh: MSE at close distances, MAE far away. Combine benefits of MSE and MAE.",
       op=losses.HUBER)
def _(r):
    zero, ones = np.zeros_like, np.ones_like
    near_got, near_exp, far_got, far_exp = [], [], [], []
    for delta in (0.5, 1.0, 2.0):
        near = np.linspace(-delta, delta, 100)  # even count: 0 is not among them
        far = np.concatenate([np.linspace(-50 * delta, -1.01 * delta, 50), np.linspace(1.01 * delta, 50 * delta, 50)])

        def huber(v, delta=delta):
            return losses.huber(v, zero(v), delta, reduction="none")

        near_got += [huber(near), losses.huber_grad(near, zero(near), delta, reduction="none", g=ones(near))]
        near_exp += [0.5 * losses.mse(near, zero(near), reduction="none"),
                     0.5 * losses.mse_grad(near, zero(near), reduction="none", g=ones(near))]
        far_got += [huber(far) - delta * losses.mae(far, zero(far), reduction="none"), _fd_elementwise(huber, far)]
        far_exp += [np.full(far.shape, -delta ** 2 / 2),
                    delta * losses.mae_grad(far, zero(far), reduction="none", g=ones(far))]
    r.close("near", np.concatenate(near_got), np.concatenate(near_exp),
            what="for |ŷ - y| <= δ (δ = 0.5, 1, 2) Huber and its gradient equal ½ MSE and ½ MSE's gradient")
    r.close("far", np.concatenate(far_got), np.concatenate(far_exp),
            what="for |ŷ - y| > δ (δ = 0.5, 1, 2) Huber equals δ MAE - δ²/2, and its central differences δ times "
                 "MAE's gradient", **FD)
    best, d = _optimum(losses.huber_grad), np.array([1e-1, 1e-2, 1e-3])
    slopes = np.array([_dloss_dc(losses.huber_grad, best + di) for di in d])
    mae_slopes = np.array([_dloss_dc(losses.mae_grad, best + di) for di in d])
    r.value("δ = 1: optimal constant for 1, 2, 3, 4, 100 (Huber, MSE)", [best, _best_constant(losses.mse)])
    r.value("δ = 1: dLoss/dc at distance 0.1, 0.01, 0.001 from the Huber optimum (Huber, MAE)", [slopes, mae_slopes])
    r.claim("benefits", 1 <= best <= 4 and np.allclose(slopes / d, slopes[0] / d[0], rtol=1e-6)
            and np.all(mae_slopes == mae_slopes[0]),
            f"δ = 1 on 1, 2, 3, 4, 100: the Huber-optimal constant {best:.6g} stays among the inliers like MAE's (MSE: "
            f"{_best_constant(losses.mse):g}), and at distance d from it the gradient is {slopes[0] / d[0]:.3g} d, "
            f"vanishing like MSE's, where MAE's stays at {mae_slopes[0]:.3g}")


@entry(id="tum7-loss-logcosh", source=SRC, location="Choosing the loss", kind="claim",
       statement="Huber loss, LogCosh: MSE at close distances, MAE far away. Combine benefits of MSE and MAE.",
       op=losses.LOGCOSH)
def _(r):
    near = np.array([1e-1, 1e-2, 1e-3])
    far = np.array([5.0, 10.0, 20.0])
    zero = np.zeros_like

    def logcosh(v):
        return losses.logcosh(v, zero(v), reduction="none")

    near_dev = np.abs(logcosh(near) / (0.5 * losses.mse(near, zero(near), reduction="none")) - 1)
    far_dev = np.abs(logcosh(far) - (losses.mae(far, zero(far), reduction="none") - math.log(2)))
    g_far = losses.logcosh_grad(far, zero(far), reduction="none", g=np.ones(3))
    r.value("|LogCosh / (½ MSE) - 1| at r = 0.1, 0.01, 0.001", near_dev)
    r.value("|LogCosh - (MAE - log 2)| at r = 5, 10, 20", far_dev)
    r.value("1 - ∂LogCosh/∂ŷ (MAE's gradient is 1) at r = 5, 10, 20", 1 - g_far)
    r.claim("near", bool(np.all(np.diff(near_dev) < 0) and near_dev[-1] < 1e-6),
            f"LogCosh / (½ MSE) -> 1 as r -> 0 (relative deviation {near_dev[0]:.1g}, {near_dev[1]:.1g}, "
            f"{near_dev[2]:.1g} at r = 0.1, 0.01, 0.001): half the MSE at close distances")
    r.claim("far", bool(np.all(np.diff(far_dev) < 0) and far_dev[1] < 1e-8 and np.all(np.diff(1 - g_far) < 0)
                        and 1 - g_far[1] < 1e-8),
            f"LogCosh - (MAE - log 2) -> 0 as |r| grows ({far_dev[0]:.1g}, {far_dev[1]:.1g}, {far_dev[2]:.1g} at "
            f"r = 5, 10, 20) and its gradient tanh(r) -> 1 = MAE's (1 - tanh r = {1 - g_far[0]:.1g}, "
            f"{1 - g_far[1]:.1g}): MAE shifted by log 2 far away")
    best, d = _optimum(losses.logcosh_grad), np.array([1e-1, 1e-2, 1e-3])
    slopes = np.array([_dloss_dc(losses.logcosh_grad, best + di) for di in d])
    mae_slopes = np.array([_dloss_dc(losses.mae_grad, best + di) for di in d])
    r.value("optimal constant for 1, 2, 3, 4, 100 (LogCosh, MSE)", [best, _best_constant(losses.mse)])
    r.value("dLoss/dc at distance 0.1, 0.01, 0.001 from the LogCosh optimum (LogCosh, MAE)", [slopes, mae_slopes])
    r.claim("benefits", 1 <= best <= 4 and np.allclose(slopes[1:] / d[1:], slopes[-1] / d[-1], rtol=2e-2)
            and np.all(mae_slopes == mae_slopes[0]),
            f"on 1, 2, 3, 4, 100 the LogCosh-optimal constant {best:.6g} stays among the inliers like MAE's (MSE: "
            f"{_best_constant(losses.mse):g}), and at distance d from it the gradient is about {slopes[-1] / d[-1]:.3g} d "
            f"({slopes[0] / d[0]:.3g} d at d = 0.1), vanishing like MSE's, where MAE's stays at {mae_slopes[0]:.3g}")
    grid = np.linspace(-20, 20, 401)
    r.close("log cosh", logcosh(grid), np.log(np.cosh(grid)), what="mlp_ref.logcosh equals log(cosh(r)) on [-20, 20]",
            rtol=1e-12, atol=1e-15)
    r.close("tanh", losses.logcosh_grad(grid, zero(grid), reduction="none", g=np.ones_like(grid)),
            _fd_elementwise(logcosh, grid), what="its gradient tanh(r) against central differences", **FD)


@entry(id="tum7-loss-wasserstein", source=SRC, location="Choosing the loss", kind="claim",
       statement="Wasserstein (earth mover's) distance, KL-divergence: For continuous distributions",
       op=losses.WASSERSTEIN)
def _(r):
    dx = 1e-3
    edges = np.arange(-15, 15 + dx / 2, dx)
    p = _gauss_bins(edges, 0, 1)
    # Riemann sum with step 1e-3 of |F - G|, which has a kink where the CDFs cross: error O(dx^2).
    tol = {"rtol": 1e-6, "atol": 0}
    r.close("shift", losses.wasserstein_1d(p, _gauss_bins(edges, 1, 1), dx), 1.0,
            what="W1(N(0,1), N(1,1)) = 1 (a shift by 1)", **tol)
    r.close("scale", losses.wasserstein_1d(p, _gauss_bins(edges, 0, 2), dx), math.sqrt(2 / math.pi),
            what="W1(N(0,1), N(0,4)) = (2 - 1) E|Z| = sqrt(2/π)", **tol)


@entry(id="tum7-loss-kl", source=SRC, location="Choosing the loss", kind="claim",
       statement="Wasserstein (earth mover's) distance, KL-divergence: For continuous distributions", op=losses.KL)
def _(r):
    dx = 1e-3
    x = np.arange(-15, 15 + dx / 2, dx)
    pdf = lambda t, m, s: np.exp(-0.5 * ((t - m) / s) ** 2) / (s * math.sqrt(2 * math.pi))  # noqa: E731
    closed = math.log(1.5) + (1 + 1) / (2 * 1.5 ** 2) - 0.5
    r.close("KL(N(0,1) || N(1,1.5^2))", losses.kl_divergence(pdf(x, 0, 1) * dx, pdf(x, 1, 1.5) * dx), closed,
            what="kl_divergence on densities sampled with step 1e-3 against log(σ2/σ1) + (σ1^2 + Δμ^2)/(2σ2^2) - ½")


@entry(id="tum7-nonconvex", source=SRC, location="Minimizing the loss function", kind="claim",
       statement="In practice E(W) is often non-convex ⟹ optimization is tricky: a local minimum is not necessarily "
                 "a global minimum; potentially there exist several local minima, many of which can be equivalent")
def _(r):
    rng = np.random.default_rng(19)
    D, H, N = 2, 3, 20
    W, b, V, c = rng.normal(size=(H, D)), rng.normal(size=H), rng.normal(size=(1, H)), rng.normal(size=1)
    X = rng.normal(size=(N, D))
    Y = [regression_forward(x, np.zeros(1), W, b, V, c)[1]["yhat"] for x in X]  # targets from the teacher

    def E(W, b, V, c):
        return float(sum(regression_forward(x, y, W, b, V, c)[0] for x, y in zip(X, Y)))

    perm = [1, 2, 0]
    E_star, E_perm = E(W, b, V, c), E(W[perm], b[perm], V[:, perm], c)
    E_mid = E((W + W[perm]) / 2, (b + b[perm]) / 2, (V + V[:, perm]) / 2, c)
    r.value("E at the teacher, at its hidden-unit permutation, at their midpoint", [E_star, E_perm, E_mid])
    r.claim("equivalent minima", E_star == 0 and E_perm < 1e-20 and not np.allclose(W, W[perm]),
            "permuting the hidden units gives a different W with the same loss 0: equivalent (global) minima")
    r.claim("non-convex", E_mid > 0.5 * (E_star + E_perm) + 1e-6,
            f"at the midpoint of the two minima E = {E_mid:.3g} > 0 = the average of their losses, which a "
            "convex E cannot do")
    # One sigmoid neuron without bias, E(w) = Σ_n (σ(w x_n) - y_n)^2 on two points: a local, non-global minimum.
    # E1 and dE1 take an array of weights w at once (one row of predictions per weight).
    x1, y1 = np.array([0.5, 4.0]), np.array([0.8, 0.0])

    def E1(w):
        yhat = act.sigmoid(np.multiply.outer(w, x1))
        return np.sum((yhat - y1) ** 2, axis=-1)

    def dE1(w):
        z = np.multiply.outer(w, x1)
        yhat = act.sigmoid(z)
        Y = np.broadcast_to(y1, yhat.shape)
        return np.sum(losses.squared_error_grad(yhat, Y) * act.sigmoid_grad(z) * x1, axis=-1)

    grid = np.linspace(-10, 10, 2001)
    slope = dE1(grid)
    r.close("dE/dw", slope, _fd_elementwise(E1, grid),
            what="the single neuron's dE/dw against central differences on [-10, 10]", **FD)
    minima = []
    for lo, hi in zip(grid[:-1][(slope[:-1] < 0) & (slope[1:] > 0)], grid[1:][(slope[:-1] < 0) & (slope[1:] > 0)]):
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if dE1(mid) < 0 else (lo, mid)
        minima.append((lo + hi) / 2)
    values = [float(E1(w)) for w in minima]
    curvature = [float(dE1(w + 1e-4) - dE1(w - 1e-4)) / 2e-4 for w in minima]
    r.value("single neuron: minima w, E(w), d²E/dw²", [minima, values, curvature])
    r.claim("local is not global", len(minima) == 2 and min(curvature) > 0 and max(values) - min(values) > 0.5,
            f"E(w) = (σ(0.5 w) - 0.8)^2 + σ(4 w)^2 has strict local minima at w = {minima[0]:.4g} (E = {values[0]:.3g}) "
            f"and w = {minima[-1]:.4g} (E = {values[-1]:.3g}): gradient descent started right of the maximum between "
            "them stops at a minimum that is not global")


@entry(id="tum7-gradient-descent", source=SRC, location="Minimizing the loss function", kind="algorithm",
       statement=r"W^(new) = W^(old) - τ ∇_W E(W^(old))")
def _(r):
    rng = np.random.default_rng(20)
    x, y = rng.normal(size=3), np.array([0.7])
    W, b, V, c = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(1, 4)), np.zeros(1)
    E0, cache = regression_forward(x, y, W, b, V, c)
    grad = regression_backward(cache)["W"]
    r.close("step", gradient_descent_step(W, grad, 0.1), W - 0.1 * grad,
            what="mlp_ref.gradient_descent_step(W, ∇E, τ) = W - τ ∇E")
    ratios = []
    for tau in (1e-2, 1e-3, 1e-4):
        E1 = regression_forward(x, y, gradient_descent_step(W, grad, tau), b, V, c)[0]
        ratios.append(float((E0 - E1) / (tau * np.sum(grad ** 2))))
    r.value("(E_old - E_new) / (τ |∇E|^2) for τ = 1e-2, 1e-3, 1e-4", ratios)
    r.claim("descent", all(q > 0 for q in ratios) and abs(ratios[-1] - 1) < 1e-3,
            f"a small step lowers E by τ|∇E|^2 to first order (ratio {ratios[-1]:.6f} at τ = 1e-4)")
    losses_seen = []
    Wt = W
    for _ in range(40):
        Et, cache = regression_forward(x, y, Wt, b, V, c)
        losses_seen.append(float(Et))
        Wt = gradient_descent_step(Wt, regression_backward(cache)["W"], 0.5)
    monotone = all(e0 >= e1 for e0, e1 in zip(losses_seen, losses_seen[1:]))
    r.claim("converges", monotone and losses_seen[-1] < 1e-6 * losses_seen[0],
            f"40 steps with τ = 0.5 lower E monotonically from {losses_seen[0]:.3g} to {losses_seen[-1]:.2g}")


@entry(id="tum7-numeric-gradient", source=SRC, location="How can we compute the gradient? 2) Numeric",
       kind="formula",
       statement=r"∂E_n/∂w_ij = (E_n(w_ij + ε) - E_n(w_ij)) / ε + O(ε)",
       documented={"error": "O(ε)"})
def _(r):
    rng = np.random.default_rng(21)
    x, y = rng.normal(size=3), np.array([0.4])
    W, b, V, c = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(1, 4)), rng.normal(size=1)
    exact = regression_backward(regression_forward(x, y, W, b, V, c)[1])["W"]
    eps = np.array([1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4])
    err = np.array([np.max(np.abs(numerical_gradient(lambda w: regression_forward(x, y, w, b, V, c)[0], W, e)
                                  - exact)) for e in eps])
    slope = _slope(eps, err)
    r.value("max error of the forward difference for ε = 1e-1 ... 1e-4", err)
    r.value("log-log slope of the error against ε", slope)
    power = _big_o_power(r.documented["error"])
    r.claim("error", abs(slope - power) < 0.1, f"the error falls like ε^{slope:.3f}: O(ε^{power}) is printed",
            documented="error", what="the log-log slope of the forward difference's error against ε is the printed power")


@entry(id="tum7-numeric-cost", source=SRC, location="How can we compute the gradient? 2) Numeric", kind="claim",
       statement="Each evaluation of the above equation roughly requires O(|W|) operations, where |W| is the "
                 "dimensionality of weight space. The evaluation has to be done for each parameter independently. "
                 "Therefore computing ∇_W E requires O(|W|^2) operations!",
       documented={"per evaluation": "O(|W|)", "gradient": "O(|W|^2)"})
def _(r):
    rng = np.random.default_rng(22)
    sizes, per_eval, total, calls, neuron_evals = [], [], [], [], []
    for h in (2, 4, 8):  # |W| = 19, 45, 121
        x, y = _counting(rng.normal(size=4)), rng.normal(size=1)
        mods = _mlp_modules((4, h, h, 1), rng, y)
        theta = _get_params(mods)
        n_calls = [0]

        def E(t, mods=mods, x=x, n_calls=n_calls):
            n_calls[0] += 1
            _set_params(mods, t, counted=True)
            return float(_values(_run_modules(mods, x)))

        _Flop.ops = 0
        E(theta)
        per_eval.append(_Flop.ops)
        _Flop.ops, _Flop.exps, n_calls[0] = 0, 0, 0
        numerical_gradient(E, theta, 1e-6)
        sizes.append(theta.size)
        total.append(_Flop.ops)
        calls.append(n_calls[0])
        neuron_evals.append(_Flop.exps / (2 * h))
    r.value("|W| (MLP 4-h-h-1, sigmoid, h = 2, 4, 8)", sizes)
    r.value("counted scalar operations of one evaluation of E", per_eval)
    r.value("counted scalar operations of the whole forward-difference gradient", total)
    r.claim("evaluations", calls == [s + 1 for s in sizes],
            f"the forward difference evaluates E {calls} times for |W| = {sizes}: |W| + 1, one per parameter plus E(W)")
    r.claim("neurons", neuron_evals == calls,
            f"each hidden neuron's activation is evaluated {[int(v) for v in neuron_evals]} times: once per evaluation")
    ratio = [p / s for p, s in zip(per_eval, sizes)]
    slope = _slope(sizes, per_eval)
    power = _big_o_power(r.documented["per evaluation"])
    r.claim("per evaluation", abs(slope - power) < 0.1 and max(ratio) < 3,
            f"one evaluation of E costs {per_eval} counted scalar operations, {min(ratio):.2f} to {max(ratio):.2f} "
            f"times |W|; log-log slope {slope:.3f} against |W| (printed power {power})", documented="per evaluation",
            what="the counted cost of one evaluation of E grows like the printed power of |W|")
    slope = _slope(sizes, total)
    power = _big_o_power(r.documented["gradient"])
    r.claim("gradient", abs(slope - power) < 0.1,
            f"the whole gradient costs {total[0]} to {total[-1]} operations, growing like |W|^{slope:.3f} (printed "
            f"power {power})", documented="gradient",
            what="the counted cost of the forward-difference gradient grows like the printed power of |W|")


@entry(id="tum7-symbolic-cases", source=SRC, location="How can we compute the gradient? 3) Symbolic differentiation",
       kind="claim",
       statement="3) Symbolic differentiation: ... “Writing down” the general expression for the gradient of every "
                 "parameter is very expensive: potentially exponentially many different cases (e.g. when having "
                 "multiple layers with ReLUs)")
def _(r):
    x = ((np.arange(2 ** 10) + 0.5) / 2 ** 10)[:, None]  # cell midpoints: no pre-activation is exactly 0
    counts = {}
    for k in range(1, 9):
        Ws, bs = _sawtooth_net(k)
        _, cache = layers.mlp_forward(x, Ws, bs, activation="relu", output_activation="identity")
        patterns = np.concatenate([(s > 0) for s in cache["s"][:-1]], axis=1)
        counts[k] = len({p.tobytes() for p in patterns})
    r.value("distinct ReLU on/off patterns over [0, 1] with k layers of 2 units", counts)
    r.claim("exponentially many cases", all(counts[k] == 2 ** k for k in counts),
            "each on/off pattern of the ReLUs gives a different symbolic gradient expression; with k layers of 2 "
            f"ReLUs the inputs in [0, 1] realise 2^k patterns ({counts[8]} for k = 8)")


@entry(id="tum7-symbolic-reuse", source=SRC,
       location="How can we compute the gradient? 3) Symbolic differentiation", kind="claim",
       statement="many terms reappear in the gradient computation for different parameters (since the function f is "
                 "hierarchically constructed); these terms could be re-used to make computation faster; however "
                 "symbolic differentiation does not exploit this insight")
def _(r):
    rng = np.random.default_rng(37)
    depths, separate, reused = [5, 10, 20, 40], [], []
    for L in depths:
        w, x = rng.uniform(0.5, 1.5, size=L), 0.3
        h = [_Flop(x)]
        for wl in _counting(w):  # forward once: h_l = tanh(w_l h_(l-1)) = 1 - 2 / (e^(2 w_l h_(l-1)) + 1)
            h.append(1 - 2 / ((2 * (wl * h[-1])).exp() + 1))
        wc = _counting(w)
        local = [None] + [1 - h[l] * h[l] for l in range(1, L + 1)]  # tanh' at layer l, shared by both
        _Flop.ops = 0
        each = []  # one symbolic expression per parameter: ∂h_L/∂w_l = Π_(m>l) (w_m tanh'_m) · tanh'_l h_(l-1)
        for l in range(1, L + 1):
            term = local[l] * h[l - 1]
            for m in range(l + 1, L + 1):
                term = term * (wc[m - 1] * local[m])
            each.append(term)
        separate.append(_Flop.ops)
        _Flop.ops = 0
        back, delta = [None] * L, _Flop(1.0)  # backpropagation: the downstream product δ_l is computed once
        for l in range(L, 0, -1):
            delta = delta * local[l]
            back[l - 1] = delta * h[l - 1]
            delta = delta * wc[l - 1]
        reused.append(_Flop.ops)
        if L == 10:
            def E(v):
                out = x
                for vl in v:
                    out = np.tanh(vl * out)
                return out

            r.close("same gradient", _values(np.array(each, dtype=object)), _fd(E, w),
                    what="L = 10: the separate expressions against central differences", **FD)
            r.close("re-used", _values(np.array(back, dtype=object)), _fd(E, w),
                    what="L = 10: backpropagation's re-used products against central differences", **FD)
    r.value("depth L", depths)
    r.value("counted operations, one expression per parameter / re-using the products", [separate, reused])
    s_sep, s_re = _slope(depths, separate), _slope(depths, reused)
    r.claim("terms reappear", abs(s_sep - 2) < 0.15 and abs(s_re - 1) < 0.1,
            f"for E = h_L, h_l = tanh(w_l h_(l-1)) the product Π_(m>l) w_m tanh'_m reappears in ∂E/∂w_1 ... ∂E/∂w_l: "
            f"evaluating each parameter's expression separately costs {separate} operations for L = {depths} "
            f"(growing like L^{s_sep:.2f}), re-using them {reused} (L^{s_re:.2f}), with the same values")


@entry(id="tum7-backprop-cost", source=SRC, location="How can we compute the gradient? 4) Automatic differentiation",
       kind="claim",
       statement="Automatic differentiation: e.g. backpropagation for neural networks. Evaluate ∇_W E(W) at the "
                 "current point W. Evaluation in O(|W|) (every “neuron” is visited only twice)",
       documented={"evaluation": "O(|W|)", "visits": "only twice"})
def _(r):
    rng = np.random.default_rng(23)
    sizes, ops, forward_ops, visits, exps, neurons = [], [], [], [], [], []
    for h in (2, 4, 8, 16, 32):
        x, y = rng.normal(size=4), rng.normal(size=1)
        mods = _mlp_modules((4, h, h, 1), rng, y)
        theta = _get_params(mods)
        _set_params(mods, theta, counted=True)
        _Flop.ops = _Flop.exps = 0
        _run_modules(mods, _counting(x))
        forward_ops.append(_Flop.ops)
        _backprop_modules(mods)
        sizes.append(theta.size)
        ops.append(_Flop.ops)
        exps.append(_Flop.exps)
        neurons.append(2 * h)
        visits.append(sorted({m.visits for m in mods}))
        if h == 2:  # the counted backward computes the gradient: against central differences
            grad = np.concatenate([np.concatenate([_values(m.dW).ravel(), _values(m.db)]) for m in _affines(mods)])

            def E(t, mods=mods, x=x):
                _set_params(mods, t, counted=False)
                return _run_modules(mods, x)

            r.close("gradient", grad, numerical_gradient(E, theta, 1e-6, method="central"),
                    what="the counted backpropagation's ∇_W E (h = 2) against central differences", **FD)
    slope = _slope(sizes, ops)
    ratio = [o / s for o, s in zip(ops, sizes)]
    r.value("|W| (MLP 4-h-h-1, sigmoid, h = 2 ... 32)", sizes)
    r.value("counted scalar operations of forward + backward", ops)
    r.value("the forward-difference gradient's |W| + 1 forward passes, counted operations",
            [(s + 1) * f for s, f in zip(sizes, forward_ops)])
    power = _big_o_power(r.documented["evaluation"])
    r.claim("evaluation", abs(slope - power) < 0.1 and max(ratio) < 10, documented="evaluation",
            what="the counted cost of forward + backward grows like the printed power of |W|", detail=
            f"forward + backward cost {ops[0]} to {ops[-1]} counted operations ({min(ratio):.2f} to {max(ratio):.2f} "
            f"times |W|), growing like |W|^{slope:.3f}: O(|W|); the numeric gradient needs |W| + 1 forward passes, "
            f"{(sizes[-1] + 1) * forward_ops[-1]} operations at |W| = {sizes[-1]}")
    times = {"once": 1, "twice": 2, "three times": 3}[r.documented["visits"].removeprefix("only ")]
    r.claim("visits", all(v == [times] for v in visits) and exps == neurons, documented="visits",
            what="every module is called the printed number of times", detail=
            f"every module is called exactly twice, once forward and once backward, and each hidden neuron's "
            f"activation e^(-a) is evaluated once ({exps} exponentials for {neurons} hidden neurons): the backward "
            "pass reuses the cached h instead of recomputing it; a forward-difference gradient evaluates every "
            "neuron |W| + 1 times")


@entry(id="tum7-toy-modules", source=SRC, location="Backpropagation: Toy example", kind="definition",
       statement=r"f(x) = 2 / sin(exp(-x)) = d(c(b(a(x)))), modules a(x) = -x, b(a) = exp(a), c(b) = sin b, "
                 r"d(c) = 2/c", op=TOY_F)
def _(r):
    x = np.linspace(-1, 3, 41)
    cache = toy_forward(x)
    r.close("composition", cache["d"], 2 / np.sin(np.exp(-x)), what="d(c(b(a(x)))) equals 2 / sin(exp(-x))")


@entry(id="tum7-toy-chain-rule", source=SRC, location="Backpropagation: Toy example (chain rule)", kind="formula",
       statement=r"∂f/∂x = ∂d/∂c ∂c/∂b ∂b/∂a ∂a/∂x = ∂d/∂c ∂f/∂x; ∂f/∂x is the global derivative, the factors "
                 r"the local derivatives",
       op=TOY_CHAIN_AS_WRITTEN, corrected=TOY_F,
       corrected_statement=r"∂f/∂x = ∂d/∂c ∂c/∂b ∂b/∂a ∂a/∂x = ∂d/∂c ∂c/∂x (the second factor is ∂c/∂x, "
                           r"not ∂f/∂x)")
def _(r):
    x = np.linspace(-1, 3, 21)
    reference = np.array([_fd(toy_f, xi) for xi in x])
    r.close("product of local derivatives", toy_f_grad(x), reference,
            what="∂d/∂c ∂c/∂b ∂b/∂a ∂a/∂x against central differences", **FD)
    loc = toy_local_derivatives(toy_forward(x))
    dc_dx = np.array([_fd(lambda v: toy_forward(v)["c"], xi) for xi in x])
    r.close("= ∂d/∂c ∂f/∂x", _toy_chain_as_written(x), reference, corrected=loc["∂d/∂c"] * dc_dx,
            what="the last equality, ∂d/∂c ∂f/∂x", **FD, severity="slip",
            why="∂f/∂x written for ∂c/∂x in the last factor; the product of the four local derivatives before it, "
                "which the example then uses, is right")


@entry(id="tum7-backprop-recipe", source=SRC, location="Backpropagation in a nutshell", kind="algorithm",
       statement="modules; symbolic local derivatives; forward pass for x caching the intermediate values; local "
                 "derivatives at x; global derivative = product of the local derivatives", op=TOY_F)
def _(r):
    modules = [(lambda v: -v, lambda v: -np.ones_like(v)), (np.exp, np.exp), (np.sin, np.cos),
               (lambda v: 2 / v, lambda v: -2 / v ** 2)]
    x = np.linspace(-1, 3, 41)
    inputs, v = [], x
    for fwd, _ in modules:  # forward pass, caching each module's input
        inputs.append(v)
        v = fwd(v)
    glob = np.ones_like(x)
    for (_, local), cached in zip(modules, inputs):
        glob = glob * local(cached)
    r.close("f", v, toy_f(x), what="the forward pass through the four modules gives f(x)")
    r.close("global derivative", glob, np.array([_fd(toy_f, xi) for xi in x]),
            what="the product of the local derivatives at the cached values against central differences", **FD)


@entry(id="tum7-toy-local-derivatives", source=SRC, location="Work out the local derivatives", kind="formula",
       statement=r"a(x) = -x: ∂a/∂x = -1; b(a) = exp(a): ∂b/∂a = exp(a); c(b) = sin b: ∂c/∂b = cos b; "
                 r"d(c) = 2/c: ∂d/∂c = -2/c^2",
       documented={"∂a/∂x": "-1", "∂b/∂a": "exp(a)", "∂c/∂b": "cos b", "∂d/∂c": "-2/c^2"}, op=TOY_F)
def _(r):
    x = np.linspace(-1, 3, 21)
    cache = toy_forward(x)
    loc = toy_local_derivatives(cache)
    r.number("∂a/∂x", loc["∂a/∂x"][0])
    pairs = {"∂b/∂a": (np.exp, cache["a"]), "∂c/∂b": (np.sin, cache["b"]), "∂d/∂c": (lambda c: 2 / c, cache["c"])}
    r.close("∂a/∂x for all x", loc["∂a/∂x"], _fd_elementwise(lambda v: -v, x), what="∂a/∂x = -1 at 21 points", **FD)
    for key, (module, at) in pairs.items():
        r.close(key, loc[key], _fd_elementwise(module, at), documented=key,
                what=f"{key} = {r.documented[key]} at 21 points", **FD)


_X_TOY = -4.499
# The forward pass prints b = exp(4.499) = 90 and c = sin b = 1; the backward pass reuses these cached values.
_B_CACHED = 90.0
_DEGREES = ("sin and cos take b in degrees, the only unit in which sin b = 1 for b = exp(4.499) = 89.93 "
            "(sin 89.93 = 0.924 in radians); numbers printed as integers are compared by the 1% rule")


@entry(id="tum7-toy-forward", source=SRC, location="Forward pass", kind="example",
       statement=r"at x = -4.499: a = -x = 4.499, b = exp(a) = 90, c = sin b = 1, d = 2/c = 2",
       documented={"x": "-4.499", "a": "4.499", "b": "90", "c": "1", "d": "2"}, reading=_DEGREES)
def _(r):
    deg = toy_forward(np.array(_X_TOY), angle="degrees")
    rad = toy_forward(np.array(_X_TOY))
    r.number("x", deg["x"])
    for key in ("a", "b", "c", "d"):
        r.number(key, deg[key], what=f"the printed {key} with sin in degrees")
    r.value("c, d with b read in radians", [rad["c"], rad["d"]])
    r.convention("angle unit", abs(float(rad["c"]) - float(deg["c"])) > 1e-2,
                 f"angle unit: the slide's c = sin b = 1 is sin 90°, b in degrees (c = {float(deg['c']):.7f}, "
                 f"d = {float(deg['d']):.7f} at b = {float(deg['b']):.4f}); NumPy, torch and JAX read b in radians: "
                 f"c = sin({float(rad['b']):.4f}) = {float(rad['c']):.4f} and d = {float(rad['d']):.4f}, not the "
                 "printed 1 and 2; mlp_ref's toy_forward(x, angle=...) gives both",
                 what="the angle unit of sin b, against the frameworks' radians")


@entry(id="tum7-toy-backward", source=SRC, location="Backward pass", kind="example",
       statement=r"∂a/∂x = -1; ∂c/∂b = cos b = cos 90 = 0; ∂b/∂a = exp(a) = exp(4.499) = 90; ∂d/∂c = -2/c^2 = "
                 r"-2/1^2 = -2; ∂f/∂x = ∂d/∂c ∂c/∂b ∂b/∂a ∂a/∂x = -2 · 0 · 90 · -1 = 0",
       documented={"∂a/∂x": "-1", "∂c/∂b": "0", "∂b/∂a": "90", "∂d/∂c": "-2", "∂f/∂x": "0",
                   "∂c/∂b as a formula": "cos b"},
       reading=_DEGREES + "; the local derivatives are evaluated at the forward pass's cached, printed b = 90 and "
               "c = sin 90° = 1, as the slide does (cos 90)",
       corrected_statement=r"with b in degrees (as in the forward pass) the local derivative of c = sin b is "
                           r"∂c/∂b = (π/180) cos b; at b = 90 it is still 0, so ∂f/∂x = 0 holds. In radians "
                           r"(frameworks) ∂c/∂b = cos 89.93 = -0.382 and ∂f/∂x = -80.39")
def _(r):
    x90 = -math.log(_B_CACHED)  # the input whose b is exactly the cached 90
    cache = toy_forward(np.array(x90), angle="degrees")
    loc = toy_local_derivatives(cache)  # ∂c/∂b = (π/180) cos b in degrees
    loc["∂b/∂a"] = np.exp(-np.array(_X_TOY))  # the slide evaluates exp(4.499), at the unrounded a
    for key in ("∂a/∂x", "∂c/∂b", "∂b/∂a", "∂d/∂c"):
        r.number(key, loc[key], what=f"the printed {key} at the cached values, degrees")
    glob = float(np.prod([float(v) for v in loc.values()]))
    reference = float(_fd(lambda v: toy_forward(v, angle="degrees")["d"], np.array(x90)))
    r.number("∂f/∂x", glob, reference=reference, what="the printed global derivative, the product of the four", **FD)
    r.value("∂f/∂x by central differences of f with sin in degrees, at b = 90", reference)
    b = np.linspace(10.0, 170.0, 17)  # degrees, away from 90 where both forms vanish
    sin_deg = lambda v: np.sin(np.radians(v))  # noqa: E731
    r.close("∂c/∂b as a formula", np.cos(np.radians(b)), _fd_elementwise(sin_deg, b),
            corrected=math.pi / 180 * np.cos(np.radians(b)), documented="∂c/∂b as a formula",
            what="∂c/∂b = cos b with b in degrees, against central differences of sin b° at b = 10° ... 170°", **FD,
            severity="error", why="cos b is the derivative of sin b only in radians, where the printed numbers are "
                                  "wrong (cos 89.93 = -0.38, ∂f/∂x = -80.39); in the degrees the forward pass needs, "
                                  "the formula lacks π/180: either way a reader gets a wrong formula or number")
    exact = toy_local_derivatives(toy_forward(np.array(_X_TOY), angle="degrees"))
    r.value("∂f/∂x at the unrounded b = 89.93, degrees", float(np.prod([float(v) for v in exact.values()])))
    rad = float(toy_f_grad(np.array(_X_TOY)))
    r.value("∂f/∂x in radians at x = -4.499, and by central differences", [rad, float(_fd(toy_f, np.array(_X_TOY)))])
    r.convention("angle unit", abs(rad) > 1.0,
                 f"angle unit: the printed 0 holds in degrees; NumPy, torch and JAX take b in radians, where "
                 f"∂c/∂b = cos 89.93 = {float(np.cos(np.exp(4.499))):.3f} and ∂f/∂x = {rad:.2f}",
                 what="the global derivative in the frameworks' radians")


@entry(id="tum7-multiple-inputs", source=SRC, location="Multiple inputs", kind="formula",
       statement=r"c(a(x), b(y)): ∂c/∂x = ∂c/∂a ∂a/∂x, ∂c/∂y = ∂c/∂b ∂b/∂y")
def _(r):
    a, da = (lambda x: x ** 2), (lambda x: 2 * x)
    b, db = np.sin, np.cos
    c = lambda A, B: A * np.exp(B)  # noqa: E731
    x, y = np.linspace(-2, 2, 9), np.linspace(-1, 3, 9)
    r.close("∂c/∂x", np.exp(b(y)) * da(x), _fd_elementwise(lambda v: c(a(v), b(y)), x),
            what="∂c/∂a ∂a/∂x for c = a e^b, a = x^2, b = sin y", **FD)
    r.close("∂c/∂y", a(x) * np.exp(b(y)) * db(y), _fd_elementwise(lambda v: c(a(x), b(v)), y),
            what="∂c/∂b ∂b/∂y", **FD)


@entry(id="tum7-multiple-paths", source=SRC, location="Multiple paths", kind="formula",
       statement=r"c(a(x), b(x)): ∂c/∂x = ∂c/∂a ∂a/∂x + ∂c/∂b ∂b/∂x")
def _(r):
    x = np.linspace(-2, 2, 9)
    A, B = x ** 2, np.sin(x)
    paths = (B, 2 * x), (A, np.cos(x))  # (∂c/∂a, ∂a/∂x), (∂c/∂b, ∂b/∂x) for c = a b
    reference = _fd_elementwise(lambda v: v ** 2 * np.sin(v), x)
    r.close("sum over paths", sum(p * q for p, q in paths), reference,
            what="∂c/∂a ∂a/∂x + ∂c/∂b ∂b/∂x for c = a b, a = x^2, b = sin x", **FD)
    r.value("error of one path alone", float(np.max(np.abs(paths[0][0] * paths[0][1] - reference))))


@entry(id="tum7-multivariate-chain-rule", source=SRC, location="Multivariate chain rule", kind="formula",
       statement=r"∂c/∂x = Σ_{i=1}^m ∂c/∂a_i ∂a_i/∂x")
def _(r):
    m = 6
    i = np.arange(1, m + 1)
    x0 = 0.37
    a = np.sin(i * x0)
    dc_da = act.softmax(a)  # c = log Σ_i exp(a_i)
    total = float(np.sum(dc_da * i * np.cos(i * x0)))
    reference = float(_fd(lambda v: np.log(np.sum(np.exp(np.sin(i * v)))), np.array(x0)))
    r.close("sum over m paths", total, reference,
            what=f"Σ_i ∂c/∂a_i ∂a_i/∂x for c = log Σ exp(a_i), a_i = sin(i x), m = {m}", **FD)


@entry(id="tum7-jacobian", source=SRC, location="Jacobian and the gradient", kind="definition",
       statement=r"f: R^n -> R^m, a = f(x): ∂a/∂x = [∂a_i/∂x_j] in R^{m×n}; c = g(a): ∇_a c = (∂c/∂a)^T in R^m, "
                 r"∂c/∂a in R^{1×m}; ∇_a c has the same shape as a",
       documented={"∂a/∂x": "m × n", "∂c/∂a": "1 × m"})
def _(r):
    rng = np.random.default_rng(24)
    m, n = 3, 4
    W = rng.normal(size=(m, n))
    x = rng.normal(size=n)
    J_fd = _fd(lambda v: np.tanh(W @ v), x)
    r.close("[∂a_i/∂x_j]", (1 - np.tanh(W @ x) ** 2)[:, None] * W, J_fd,
            what="[∂a_i/∂x_j] for a = tanh(W x) against central differences", **FD)
    r.close("∂a/∂x", np.array(_shape_of(r.documented["∂a/∂x"], {"m": m, "n": n}), dtype=float),
            np.array(J_fd.shape, dtype=float), documented="∂a/∂x",
            what=f"the printed shape of ∂a/∂x at m = {m}, n = {n} against the central-difference Jacobian's")
    a = np.tanh(W @ x)
    dc_da = _fd(lambda v: np.sum(v ** 3) + np.log(np.sum(np.exp(v))), a)[None, :]
    r.close("[∂c/∂a_i]", 3 * a[None, :] ** 2 + act.softmax(a)[None, :], dc_da,
            what="∂c/∂a for c = Σ a_i^3 + log Σ exp(a_i), a row, against central differences", **FD)
    r.close("∂c/∂a", np.array(_shape_of(r.documented["∂c/∂a"], {"m": m, "1": 1}), dtype=float),
            np.array(dc_da.shape, dtype=float), documented="∂c/∂a",
            what=f"the printed shape of ∂c/∂a at m = {m} against the numerator-layout row's")
    r.close("∇_a c", dc_da.T, (3 * a ** 2 + act.softmax(a))[:, None],
            what="∇_a c = (∂c/∂a)^T is the m × 1 column of a (as a column vector) holding ∂c/∂a_i", **FD)


@entry(id="tum7-numerator-layout", source=SRC, location="Jacobian and the gradient (footnote)", kind="definition",
       statement="We are using the so-called numerator notation. Some other resources use a different "
                 "(denominator) notation — be careful when using other books or slides.",
       reading="the lecture declares numerator layout: ∂a/∂x is m × n with [∂a/∂x]_ij = ∂a_i/∂x_j (torch.func.jacrev's "
               "layout), the derivative of a scalar is a 1 × n row, its gradient the transposed column; checked on "
               "the lecture's own uses")
def _(r):
    rng = np.random.default_rng(25)
    W = rng.normal(size=(3, 4))
    x = rng.normal(size=4)
    r.close("∂(Wx)/∂x", _fd(lambda v: W @ v, x), W, what="numerator layout: ∂(W x)/∂x = W, m × n = 3 × 4", **FD)
    a = np.tanh(W @ x)
    dc_da = (2 * a)[None, :]  # c = Σ a_i^2: a 1 × m row in numerator layout
    J = (1 - a ** 2)[:, None] * W
    r.close("∂c/∂x = ∂c/∂a ∂a/∂x", dc_da @ J, _fd(lambda v: np.sum(np.tanh(W @ v) ** 2), x)[None, :],
            what="numerator layout composes left to right: the 1 × m row ∂c/∂a times the m × n ∂a/∂x is the 1 × n row "
                 "∂c/∂x", **FD)


@entry(id="tum7-chain-rule-matrix", source=SRC, location="Chain rule in matrix form", kind="formula",
       statement=r"∂c/∂x_j = Σ_{i=1}^m ∂c/∂a_i ∂a_i/∂x_j; ∂c/∂x = ∂c/∂a ∂a/∂x with [∂a/∂x]_ij = ∂a_i/∂x_j; "
                 r"equivalently ∇_x c = (∂a/∂x)^T ∇_a c")
def _(r):
    rng = np.random.default_rng(26)
    W = rng.normal(size=(3, 4))
    x = rng.normal(size=4)
    a = np.tanh(W @ x)
    J = (1 - a ** 2)[:, None] * W
    dc_da = (2 * a)[None, :]  # c = Σ a_i^2
    reference = _fd(lambda v: np.sum(np.tanh(W @ v) ** 2), x)
    r.close("sum form", np.array([sum(dc_da[0, i] * J[i, j] for i in range(3)) for j in range(4)]), reference,
            what="Σ_i ∂c/∂a_i ∂a_i/∂x_j", **FD)
    r.close("matrix form", (dc_da @ J)[0], reference, what="∂c/∂a ∂a/∂x (1×m times m×n)", **FD)
    r.close("gradient form", J.T @ dc_da[0], reference, what="(∂a/∂x)^T ∇_a c", **FD)


@entry(id="tum7-regression-network", source=SRC, location="Computational graph of a neural network", kind="formula",
       statement=r"x in R^D, y in R: a = W x + b, h = σ(a), ŷ = V h + c, E = (ŷ - y)^2; to optimize W with "
                 r"gradient descent we need ∂E/∂W", op=REGRESSION_NET)
def _(r):
    rng = np.random.default_rng(27)
    D, H = 3, 4
    x, y = rng.normal(size=D), np.array([0.5])
    W, b, V, c = rng.normal(size=(H, D)), rng.normal(size=H), rng.normal(size=(1, H)), rng.normal(size=1)
    E, cache = regression_forward(x, y, W, b, V, c)
    yhat = V @ (1 / (1 + np.exp(-(W @ x + b)))) + c
    r.close("E", E, (yhat[0] - y[0]) ** 2, what="E = (V σ(W x + b) + c - y)^2")
    grads = regression_backward(cache)
    for name, value in (("W", W), ("b", b), ("V", V), ("c", c), ("x", x)):
        args = {"x": x, "y": y, "W": W, "b": b, "V": V, "c": c}

        def E_of(v, name=name, args=args):
            return regression_forward(**{**args, name: v})[0]

        r.close(f"∂E/∂{name}", grads[name], _fd(E_of, value), what=f"∂E/∂{name} by backpropagation", **FD)


@entry(id="tum7-chain-rule-tensor", source=SRC, location="Computational graph of a neural network", kind="formula",
       statement=r"Does chain rule even make sense in this scenario? ∂E/∂W = ∂E/∂ŷ ∂ŷ/∂h ∂h/∂a ∂a/∂W; a -> vector, "
                 r"W -> matrix", op=REGRESSION_NET)
def _(r):
    rng = np.random.default_rng(28)
    D, H = 3, 4
    x, y = rng.normal(size=D), np.array([-0.2])
    W, b, V, c = rng.normal(size=(H, D)), rng.normal(size=H), rng.normal(size=(1, H)), rng.normal(size=1)
    _, cache = regression_forward(x, y, W, b, V, c)
    hand = {"∂E/∂ŷ": 2 * (cache["yhat"] - y)[None, :],  # 1 × 1
            "∂ŷ/∂h": V,  # 1 × H
            "∂h/∂a": np.diag(act.sigmoid_grad(cache["a"])),  # H × H
            "∂a/∂W": layers.linear_jacobian_W(W, x)}  # H × H × D
    fd = {"∂E/∂ŷ": _fd(lambda v: losses.squared_error(v, y), cache["yhat"])[None, :],
          "∂ŷ/∂h": _fd(lambda v: layers.linear(V, v, c), cache["h"]),
          "∂h/∂a": _fd(act.sigmoid, cache["a"]),
          "∂a/∂W": _fd(lambda v: layers.linear(v, x, b), W)}

    def chain(f):  # (1×1)(1×H)(H×H) row, contracted with the first index of the H×H×D tensor
        return np.einsum("i,ijk->jk", (f["∂E/∂ŷ"] @ f["∂ŷ/∂h"] @ f["∂h/∂a"])[0], f["∂a/∂W"])

    reference = _fd(lambda v: regression_forward(x, y, v, b, V, c)[0], W)
    r.close("product of the four factors", chain(hand), reference,
            what="(1×1)(1×H)(H×H) times the H×H×D tensor ∂a/∂W, summed over its first index, gives the H×D "
                 "[∂E/∂W_jk] of central differences of E(W)", **FD)
    r.close("product of the differenced factors", chain(fd), reference,
            what="the same product of the four factors each taken by central differences", **FD)
    for key in hand:
        r.close(key, hand[key], fd[key], what=f"{key} of shape {hand[key].shape} against central differences", **FD)


@entry(id="tum7-matrix-calculus-notes", source=SRC, location="Matrix calculus (handwritten notes)", kind="example",
       statement=r"Handwritten notes: 1. f(x) = x^2  2. f(x) = 2 · x;  1. f(x) = x^2  2. f(x) = [x; x^2];  "
                 r"1. f(x) = sin(x)  2. f(x) = cos(x)",
       documented={"note 1, line 2": "f(x) = 2 · x", "note 2, line 2": "f(x) = [x; x^2]",
                   "note 3, line 2": "f(x) = cos(x)"},
       reading="the handwritten notes illustrate the table beside them: notes 1 and 3 pair a scalar function with its "
               "(scalar) derivative, the note writing f for f'; note 2 turns the scalar output x^2 into the vector "
               "output [x; x^2], an example of the table's vector-output, scalar-input cell, whose derivative is a "
               "vector")
def _(r):
    x = np.linspace(-2, 2, 9)
    r.close("note 1, line 2", 2 * x, _fd_elementwise(lambda v: v ** 2, x), documented="note 1, line 2",
            what="line 2 read as the derivative of line 1 (the note writes f for f'): d/dx x^2 = 2 · x", **FD)
    r.close("note 3, line 2", np.cos(x), _fd_elementwise(np.sin, x), documented="note 3, line 2",
            what="d/dx sin(x) = cos(x)", **FD)
    J = np.stack([_fd(lambda v: np.array([v, v ** 2]), np.array(xi)) for xi in x])
    r.close("note 2, line 2", J, np.stack([np.ones_like(x), 2 * x], axis=1), documented="note 2, line 2",
            what="note 2 as the vector-valued f(x) = [x; x^2] of a scalar: its derivative is the vector [1; 2x] at 9 "
                 "points (the table's vector output, scalar input cell)", **FD)


_TABLE = {"scalar": 0, "vector": 1, "matrix": 2, "3-way tensor": 3, "4-way tensor": 4}


@entry(id="tum7-matrix-calculus", source=SRC, location="Matrix calculus", kind="claim",
       statement="What is the derivative of a vector a in R^H w.r.t. a matrix W in R^{H×D}? Input is a ... scalar | "
                 "vector | matrix; Output is a... scalar: scalar | vector | matrix; vector: vector | matrix | 3-way "
                 "tensor; matrix: matrix | 3-way tensor | 4-way tensor",
       documented={"scalar/scalar": "scalar", "scalar/vector": "vector", "scalar/matrix": "matrix",
                   "vector/scalar": "vector", "vector/vector": "matrix", "vector/matrix": "3-way tensor",
                   "matrix/scalar": "matrix", "matrix/vector": "3-way tensor", "matrix/matrix": "4-way tensor"})
def _(r):
    rng = np.random.default_rng(29)
    inputs = {"scalar": np.array(0.4), "vector": rng.normal(size=3), "matrix": rng.normal(size=(2, 3))}
    outputs = {"scalar": lambda v: np.sum(np.sin(v)), "vector": lambda v: np.array([np.sum(v), np.sum(v ** 2)]),
               "matrix": lambda v: np.outer([1.0, 2.0, 3.0], [np.sum(v), np.prod(np.cos(v))])}
    for out_name, f in outputs.items():
        for in_name, v in inputs.items():
            J = _fd(f, v)
            kind = {k for k, nd in _TABLE.items() if nd == J.ndim}.pop()
            key = f"{out_name}/{in_name}"
            r.claim(key, kind == r.documented[key], documented=key, what=f"the table's cell {key}", detail=
                    f"{key}: the derivative of a {out_name} output by a {in_name} input has shape {J.shape}, "
                    f"a {kind}")


@entry(id="tum7-3way-tensor", source=SRC, location="Matrix calculus", kind="definition",
       statement=r"That means, ∂a/∂W is a 3-way tensor of shape (H × H × D) where (∂a/∂W)_ijk = ∂a_i / W_jk",
       documented={"shape": "(H × H × D)", "(∂a/∂W)_ijk": "∂a_i/W_jk"},
       corrected_statement=r"(∂a/∂W)_ijk = ∂a_i/∂W_jk (= δ_ij x_k for a = W x + b)")
def _(r):
    rng = np.random.default_rng(30)
    H, D = 4, 3
    W, x, b = rng.normal(size=(H, D)), rng.normal(size=D), rng.normal(size=H)
    reference = _fd(lambda v: layers.linear(v, x, b), W)  # [i, j, k] = ∂a_i/∂W_jk
    sizes = {"H": H, "D": D}
    printed = tuple(sizes.get(t.strip(), -1) for t in r.documented["shape"].strip("()").split("×"))
    r.close("shape", np.array(printed, dtype=float), np.array(reference.shape, dtype=float), documented="shape",
            what=f"the printed shape {r.documented['shape']} at H = {H}, D = {D} against the shape of the central-difference ∂a/∂W")
    r.close("linear_jacobian_W", layers.linear_jacobian_W(W, x), reference,
            what="mlp_ref.linear_jacobian_W: [i, j, k] = ∂a_i/∂W_jk = δ_ij x_k", **FD)
    # The printed entry is a partial derivative only if its denominator carries a ∂.
    numerator, _, denominator = r.documented["(∂a/∂W)_ijk"].partition("/")
    is_partial = numerator.strip().startswith("∂") and denominator.strip().startswith("∂")
    r.claim("(∂a/∂W)_ijk", is_partial,
            f"the printed entry {r.documented['(∂a/∂W)_ijk']} "
            + ("is the partial derivative ∂a_i/∂W_jk" if is_partial else "has no ∂ before W_jk, so it is not the "
               "partial derivative ∂a_i/∂W_jk that the shape (H × H × D) and the next slides use"),
            corrected_ok=bool(np.allclose(np.einsum("ij,k->ijk", np.eye(H), x), reference, **FD)),
            documented="(∂a/∂W)_ijk", what="the printed entry is the partial derivative ∂a_i/∂W_jk",
            severity="slip", why="a missing ∂ in the denominator; the shape and every later use read it as ∂a_i/∂W_jk")


@entry(id="tum7-accumulate-gradient", source=SRC, location="Accumulating the gradient", kind="claim",
       statement="The local derivatives (i.e. Jacobians) such as ∂a/∂W are large multidimensional tensors. "
                 "Materializing (computing) them is expensive and unnecessary. ... Assume that we know ∂E/∂y and want "
                 "to compute ∂E/∂x. Most of the time, the Jacobian-vector product ∂E/∂x = ∂E/∂y ∂y/∂x can be computed "
                 "efficiently without materializing the Jacobian ∂y/∂x!",
       reading="'Jacobian-vector product' names the product of the Jacobian with the vector ∂E/∂y, which in the "
               "lecture's numerator layout multiplies from the left; autodiff frameworks call it a vector-Jacobian "
               "product (torch.func.vjp, jax.vjp) and keep 'Jacobian-vector product' for J v. A name: it changes no "
               "number, and the product the slide writes is the one checked",
       op=act.SOFTMAX)
def _(r):
    rng = np.random.default_rng(31)
    H, D = 50, 40
    W, x = rng.normal(size=(H, D)), rng.normal(size=D)
    g = rng.normal(size=H)
    T = layers.linear_jacobian_W(W, x)
    r.close("affine", np.einsum("i,ijk->jk", g, T), layers.linear_backward(g, W, x)["W"],
            what=f"∂E/∂a ∂a/∂W through the materialized {T.size}-entry tensor equals the outer product ∂E/∂a x^T "
                 f"with {H * D} entries, which never forms it")
    r.value("entries of ∂a/∂W versus ∂E/∂W for H = 50, D = 40", [T.size, H * D])
    z, gz = rng.normal(size=6), rng.normal(size=6)
    r.close("softmax", gz @ act.softmax_jacobian(z), act.softmax_vjp(gz, z),
            what="∂E/∂y J_softmax equals p * (∂E/∂y - <∂E/∂y, p>) without the K × K Jacobian")
    # Which product is it? y = tanh(W2 x) with a 3 × 5 Jacobian, so the two products cannot be confused.
    W2, x2, u, v = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=3), rng.normal(size=5)
    J = _fd(lambda t: np.tanh(W2 @ t), x2)
    vjp = layers.linear_backward(u * act.tanh_grad(W2 @ x2), W2, x2)["x"]
    r.close("∂E/∂y ∂y/∂x", u @ J, vjp,
            what="for y = tanh(W x) with a 3 × 5 Jacobian the slide's product (1 × 3 row ∂E/∂y times J) is the "
                 "reverse-mode vector-Jacobian product, computed by mlp_ref without J", **FD)
    jvp = (np.tanh(W2 @ (x2 + 1e-6 * v)) - np.tanh(W2 @ (x2 - 1e-6 * v))) / 2e-6
    r.close("J v", J @ v, jvp, what="the Jacobian-vector product J v takes a 5-vector v in input space "
            "(a directional derivative, forward mode)", **FD)


@entry(id="tum7-module-abstraction", source=SRC, location="Accumulating the gradient: Implementation",
       kind="algorithm",
       statement="Each module in the computational graph defines two functions: forward(x): given input x, compute "
                 "output y; backward(∂E/∂y): given the incoming global derivative ∂E/∂y compute the product "
                 "∂E/∂x = ∂E/∂y ∂y/∂x. Then, ∂E/∂x is passed as input to the parent node in the computational graph",
       op=REGRESSION_NET)
def _(r):
    rng = np.random.default_rng(32)
    D, H = 3, 4
    x, y = rng.normal(size=D), np.array([0.5])
    W, b, V, c = rng.normal(size=(H, D)), rng.normal(size=H), rng.normal(size=(1, H)), rng.normal(size=1)
    mods = [_Affine(W, b), _Sigmoid(), _Affine(V, c), _SquaredError(y)]
    E = _run_modules(mods, x)
    dx = _backprop_modules(mods)
    E_ref, cache = regression_forward(x, y, W, b, V, c)
    grads = regression_backward(cache)
    r.close("forward", E, E_ref, what="forward through Affine, Sigmoid, Affine, SquaredError gives E as "
            "mlp_ref's regression_forward")
    for key, got, name in (("∂E/∂W", mods[0].dW, "W"), ("∂E/∂b", mods[0].db, "b"), ("∂E/∂V", mods[2].dW, "V"),
                           ("∂E/∂c", mods[2].db, "c")):
        r.close(key, got, grads[name], what=f"{key} left in its module by the backward chain, against "
                "mlp_ref's regression_backward")
    r.close("∂E/∂x", dx, _fd(lambda v: regression_forward(v, y, W, b, V, c)[0], x),
            what="∂E/∂x passed out of the first module against central differences", **FD)


@entry(id="tum7-affine-layer", source=SRC, location="Example: Affine layer", kind="formula",
       statement=r"a = W x + b with x in R^D, W in R^{H×D}, b in R^H, a in R^H; forward(W, x, b): W x + b; "
                 r"backward(∂E/∂a): ∂E/∂a ∂a/∂W, ∂E/∂a ∂a/∂x, ∂E/∂a ∂a/∂b", op=layers.AFFINE)
def _(r):
    rng = np.random.default_rng(33)
    H, D = 4, 3
    W, x, b = rng.normal(size=(H, D)), rng.normal(size=D), rng.normal(size=H)
    a = layers.linear(W, x, b)
    r.close("forward", a, W @ x + b, what=f"forward gives W x + b of shape {a.shape} = (H,)")
    g = rng.normal(size=H)  # ∂E/∂a
    grads = layers.linear_backward(g, W, x, b)
    f = lambda W_, x_, b_: layers.linear(W_, x_, b_)  # noqa: E731
    r.close("∂E/∂a ∂a/∂W", np.einsum("i,ijk->jk", g, _fd(lambda v: f(v, x, b), W)), grads["W"],
            what="with the materialized 3-way ∂a/∂W", **FD)
    r.close("∂E/∂a ∂a/∂x", g @ _fd(lambda v: f(W, v, b), x), grads["x"], what="with ∂a/∂x = W", **FD)
    r.close("∂E/∂a ∂a/∂b", g @ _fd(lambda v: f(W, x, v), b), grads["b"], what="with ∂a/∂b = I", **FD)


@entry(id="tum7-affine-scalar-derivation", source=SRC, location="Step 1: work out the scalar derivative",
       kind="formula",
       statement=r"First, let's find ∂E/∂W_kl for some k, l: ∂E/∂a ∂a/∂W_kl = Σ_i ∂E/∂a_i ∂a_i/∂W_kl = Σ_i ∂E/∂a_i "
                 r"∂(W x + b)_i/∂W_kl = Σ_i ∂E/∂a_i ∂(W_i: x)/∂W_kl = Σ_i ∂E/∂a_i ∂(Σ_j W_ij x_j)/∂W_kl = Σ_i ∂E/∂a_i "
                 r"∂(Σ_j W_ij x_j)/∂W_kl = Σ_i Σ_j ∂E/∂a_i ∂W_ij x_j/∂W_kl = ∂E/∂a_k x_l  (the fifth expression "
                 r"repeats the fourth)", op=layers.AFFINE)
def _(r):
    rng = np.random.default_rng(34)
    H, D = 4, 3
    W, x, b = rng.normal(size=(H, D)), rng.normal(size=D), rng.normal(size=H)
    E = lambda a: np.sum(np.tanh(a) ** 2)  # noqa: E731
    g = _fd(E, layers.linear(W, x, b))  # ∂E/∂a
    reference = _fd(lambda v: E(layers.linear(v, x, b)), W)  # ∂E/∂W_kl
    lines = {
        "Σ_i ∂E/∂a_i ∂a_i/∂W_kl": np.einsum("i,ikl->kl", g, _fd(lambda v: layers.linear(v, x, b), W)),
        "Σ_i ∂E/∂a_i ∂(W_i: x)/∂W_kl": np.einsum("i,ikl->kl", g, _fd(lambda v: v @ x, W)),
        "Σ_i Σ_j ∂E/∂a_i ∂(W_ij x_j)/∂W_kl": np.array([[sum(g[i] * x[j] * (i == k and j == l)
                                                              for i in range(H) for j in range(D))
                                                          for l in range(D)] for k in range(H)]),
        "∂E/∂a_k x_l": np.array([[g[k] * x[l] for l in range(D)] for k in range(H)]),
    }
    for key, value in lines.items():
        r.close(key, value, reference, what=key, **FD)


@entry(id="tum7-affine-backward-matrix", source=SRC, location="Step 2: backward pass in matrix form", kind="formula",
       statement=r"∂E/∂W_kl = ∂E/∂a_k x_l for all k, l: [∂E/∂a_1 ... ∂E/∂a_H]^T × [x_1 ... x_D] = "
                 r"[∂E/∂W_kl] (H × D); more compactly ∂E/∂W = (∂E/∂a)^T x^T or x^T · (∂E/∂a)",
       documented={"∂E/∂W_kl": "∂E/∂a_k x_l", "first form": "(∂E/∂a)^T x^T", "second form": "x^T·(∂E/∂a)"},
       corrected_statement=r"∂E/∂W = (∂E/∂a)^T x^T (H × D); the alternative is its transpose x · (∂E/∂a) (D × H, "
                           r"the numerator-layout ∂E/∂W), or x^T · (∂E/∂a) only if x is a 1 × D row")
def _(r):
    rng = np.random.default_rng(35)
    H, D = 4, 3
    W, xv, b = rng.normal(size=(H, D)), rng.normal(size=D), rng.normal(size=H)
    E = lambda a: np.sum(np.sin(a))  # noqa: E731
    dE_da = _fd(E, layers.linear(W, xv, b))[None, :]  # numerator layout: 1 × H
    x = xv[:, None]  # D × 1 column
    reference = _fd(lambda v: E(layers.linear(v, xv, b)), W)  # [∂E/∂W_kl], H × D
    r.close("∂E/∂W_kl", np.array([[dE_da[0, k] * xv[l] for l in range(D)] for k in range(H)]), reference,
            documented="∂E/∂W_kl", what="∂E/∂a_k x_l for every k, l", **FD)
    r.close("first form", dE_da.T @ x.T, reference, documented="first form", what="(∂E/∂a)^T x^T", **FD)
    r.close("second form", lambda: x.T @ dE_da, reference, corrected=lambda: (x @ dE_da).T,
            documented="second form", what="x^T · (∂E/∂a) with x a D × 1 column and ∂E/∂a a 1 × H row", **FD,
            severity="slip", why="a stray ᵀ: x^T · (∂E/∂a) is (1 × D)(1 × H) and cannot be formed; the first form "
                                 "(∂E/∂a)^T x^T on the same line gives the result")


@entry(id="tum7-affine-backward-summary", source=SRC, location="Example: Affine layer (backward)", kind="formula",
       statement=r"∂E/∂W = ∂E/∂a ∂a/∂W = x ∂E/∂a; ∂E/∂x = ∂E/∂a ∂a/∂x = ∂E/∂a W; ∂E/∂b = ∂E/∂a ∂a/∂b = ∂E/∂a",
       documented={"∂E/∂W": "x ∂E/∂a", "∂E/∂x": "∂E/∂a W", "∂E/∂b": "∂E/∂a"}, op=layers.AFFINE,
       reading="numerator layout, as the lecture declares: ∂E/∂a is a 1 × H row, ∂E/∂x and ∂E/∂b are rows and ∂E/∂W is "
               "D × H, the transpose of the gradient ∇_W E (H × D) that torch returns")
def _(r):
    rng = np.random.default_rng(36)
    H, D = 4, 3
    W, x, b = rng.normal(size=(H, D)), rng.normal(size=D), rng.normal(size=H)
    E = lambda a: np.sum(np.sin(a) * np.arange(1, H + 1))  # noqa: E731
    dE_da = _fd(E, layers.linear(W, x, b))[None, :]  # 1 × H row, the lecture's numerator layout
    written = affine_backward_numerator(dE_da, W, x)
    grads = layers.linear_backward(dE_da[0], W, x, b)
    reference = {"W": _fd(lambda v: E(layers.linear(v, x, b)), W),
                 "x": _fd(lambda v: E(layers.linear(W, v, b)), x)[:, None],
                 "b": _fd(lambda v: E(layers.linear(W, x, v)), b)[:, None]}
    layout = "numerator layout: the derivative of the scalar E is laid out as the transpose of the parameter"
    numerator = {"W": reference["W"].T, "x": reference["x"].T, "b": reference["b"].T}  # D × H, 1 × D, 1 × H
    for name in ("W", "x", "b"):
        r.close(f"∂E/∂{name}", written[name], numerator[name], documented=f"∂E/∂{name}",
                what=f"∂E/∂{name} = {r.documented['∂E/∂' + name]} against the numerator-layout derivative of E "
                     f"({numerator[name].shape[0]} × {numerator[name].shape[1]}, the transpose of ∇_{name} E)", **FD)
        r.close(f"∇_{name} E", grads[name].reshape(reference[name].shape), reference[name],
                what=f"mlp_ref.linear_backward returns ∇_{name} E in the parameter's shape", **FD)
    for name, jac in (("x", _fd(lambda v: layers.linear(W, v, b), x)), ("b", _fd(lambda v: layers.linear(W, x, v), b))):
        r.close(f"∂E/∂a ∂a/∂{name}", written[name], dE_da @ jac,
                what=f"{r.documented['∂E/∂' + name]} equals the row ∂E/∂a times the materialized ∂a/∂{name} "
                     f"({'W' if name == 'x' else 'the identity'}), both 1 × {jac.shape[1]}", **FD)
    contracted = np.einsum("i,ijk->jk", dE_da[0], _fd(lambda v: layers.linear(v, x, b), W))
    r.close("∂E/∂a ∂a/∂W = x ∂E/∂a", written["W"], contracted, layout=layout + "; with the lecture's own (H × H × D) "
            "∂a/∂W (Matrix calculus) the product ∂E/∂a ∂a/∂W is H × D, as in Step 2, while x ∂E/∂a is D × H",
            what="x ∂E/∂a against ∂E/∂a ∂a/∂W contracted with the (H × H × D) tensor (∂a/∂W)_ijk = ∂a_i/∂W_jk", **FD)


# ------------------------------------------------------------------------------ expected verdicts
# What the computation must derive, in document order; tests/test_catalog.py checks every row.
EXPECTED = {
    "tum7-logreg": "holds",
    "tum7-xor-not-separable": "holds",
    "tum7-basis-functions": "holds",
    "tum7-xor-feature-map": "holds",
    "tum7-xor-separable-after-phi": "holds",
    "tum7-xor-one-hidden-layer": "holds",
    "tum7-xor-output-bias": "erratum",  # σ1([w0 w1]·φ) has no output bias: no w classifies XOR (error)
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
    "tum7-nonlinear-stack": "erratum",  # σ_k with k undefined (σ_{L-1}, then σ_{L-2}) (slip)
    "tum7-universal-approximation": "holds",
    "tum7-one-hidden-any-function": "holds",  # "represent" read as the cited theorem's "approximate", previous slide
    "tum7-depth-efficiency": "holds",
    "tum7-depth-k-vs-k-minus-1": "cited",  # cited (Bengio 2010) and not checked: no family given
    "tum7-loss-table": "holds",
    "tum7-loss-bernoulli": "holds",
    "tum7-loss-categorical": "holds",
    "tum7-loss-gaussian": "erratum",  # -Σ log N(y|f,1) = ½ Σ (y - f)^2 + const, not Σ (y - f)^2 + const (error)
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
    "tum7-toy-chain-rule": "erratum",  # "= ∂d/∂c ∂f/∂x" for ∂d/∂c ∂c/∂x (slip)
    "tum7-backprop-recipe": "holds",
    "tum7-toy-local-derivatives": "holds",
    "tum7-toy-forward": "convention",  # sin of b in degrees (sin 90° = 1); radians give 0.924 and 2.164
    "tum7-toy-backward": "erratum",  # ∂c/∂b = cos b: a radian rule; in radians the numbers are wrong, in degrees it lacks π/180
    "tum7-multiple-inputs": "holds",
    "tum7-multiple-paths": "holds",
    "tum7-multivariate-chain-rule": "holds",
    "tum7-jacobian": "holds",
    "tum7-numerator-layout": "holds",  # declared numerator layout, used consistently
    "tum7-chain-rule-matrix": "holds",
    "tum7-regression-network": "holds",
    "tum7-chain-rule-tensor": "holds",
    "tum7-matrix-calculus-notes": "holds",  # note 2 read as the table's vector-output example [x; x^2]
    "tum7-matrix-calculus": "holds",
    "tum7-3way-tensor": "erratum",  # ∂a_i/W_jk lacks the ∂ of ∂W_jk (slip)
    "tum7-accumulate-gradient": "holds",  # "Jacobian-vector product" names the product; no number changes
    "tum7-module-abstraction": "holds",
    "tum7-affine-layer": "holds",
    "tum7-affine-scalar-derivation": "holds",
    "tum7-affine-backward-matrix": "erratum",  # x^T·(∂E/∂a) is (1×D)(1×H) (slip)
    "tum7-affine-backward-summary": "convention",  # x ∂E/∂a (D×H) vs the lecture's own H×H×D ∂a/∂W (H×D)
}
INPUTS = {
    ("tum7-toy-forward", "x"),
}
MISMATCHED_NUMBERS = set()
OTHER_READINGS = {}
CONVENTIONS = {
    "tum7-toy-forward": "in degrees",
    "tum7-affine-backward-summary": "numerator layout",
}
SEVERITY = {
    "tum7-xor-output-bias": "error",
    "tum7-nonlinear-stack": "slip",
    "tum7-loss-gaussian": "error",
    "tum7-toy-chain-rule": "slip",
    "tum7-toy-backward": "error",
    "tum7-3way-tensor": "slip",
    "tum7-affine-backward-matrix": "slip",
}
SAME_FAULT = {}
