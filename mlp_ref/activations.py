"""Activation functions and their hand-derived derivatives (elementwise unless noted).

Shapes: any array for the elementwise functions; softmax and log_softmax act on the last axis,
so a single vector is (K,) and a batch in rows is (N, K).
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float, check_positive, check_real, upstream
from .registry import Arg, Op, register_op


def _z(z, name="z"):
    return as_float(name, z)


def _g(g, z):
    return upstream(g, z.shape, z.dtype)


# ------------------------------------------------------------------------------------- sigmoid
def sigmoid(z):
    """sigma(z) = 1 / (1 + e^{-z})  (001 activation slide, 002 (11.19), 003 logistic regression)."""
    z = _z(z)
    e = np.exp(-np.abs(z))  # never overflows: the exponent is <= 0
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype)


def sigmoid_grad(z):
    """sigma'(z) = sigma(z) (1 - sigma(z))  (002 (11.19))."""
    z = _z(z)
    # = e^{-|z|} / (1 + e^{-|z|})^2: no 1 - sigma(z) cancellation for large positive z
    e = np.exp(-np.abs(z))
    return (e / (1.0 + e) ** 2).astype(z.dtype)


def log_sigmoid(z):
    """log sigma(z) = -log(1 + e^{-z}), stable for large |z|."""
    z = _z(z)
    return (np.minimum(z, 0) - np.log1p(np.exp(-np.abs(z)))).astype(z.dtype)


# ---------------------------------------------------------------------------------------- tanh
def tanh(z):
    """tanh(z) = (e^{2z} - 1)/(e^{2z} + 1) = 2/(1 + e^{-2z}) - 1  (001, 002 11.4.3, 003)."""
    return np.tanh(_z(z))


def tanh_grad(z):
    """tanh'(z) = 1 - tanh(z)^2  (002 Problem 11.4.7)."""
    z = _z(z)
    # = 4 e^{-2|z|} / (1 + e^{-2|z|})^2: 1 - tanh^2 cancels to 0 long before sech^2 underflows
    e = np.exp(-2 * np.abs(z))
    return (4 * e / (1 + e) ** 2).astype(z.dtype)


# ---------------------------------------------------------------------------------------- ReLU
def relu(z):
    """ReLU(z) = max(0, z)  (001, 002 Figure 11.1, 003, 004)."""
    z = _z(z)
    return np.maximum(z, 0).astype(z.dtype)


def relu_grad(z, at_zero: float = 0.0):
    """ReLU'(z) = 1(z > 0), with the value at z = 0 chosen by `at_zero`.

    002 Example 11.4.3 uses 1(z > 0) (at_zero=0, as torch and JAX); 004 uses 1{z >= 0} (at_zero=1).
    """
    z = _z(z)
    at_zero = check_real("at_zero", at_zero)
    out = (z > 0).astype(z.dtype)
    if at_zero:
        out[z == 0] = at_zero
    return out


# ---------------------------------------------------------------------------------- leaky ReLU
def _slope(slope):
    slope = check_real("slope", slope)
    if not 0 <= slope < 1:
        raise ValueError(f"slope: expected 0 <= slope < 1 so that max(slope*z, z) is leaky ReLU, got {slope}")
    return slope


def leaky_relu(z, slope: float = 0.1):
    """Leaky ReLU max(slope z, z) with slope 0.1 on the 001 activation slide (0 < slope < 1)."""
    z = _z(z)
    slope = _slope(slope)
    return np.maximum(slope * z, z).astype(z.dtype)


def leaky_relu_grad(z, slope: float = 0.1, at_zero: float = 1.0):
    """d/dz max(slope z, z) = 1 for z > 0, slope for z < 0; `at_zero` at the kink.

    at_zero=1 (the default) is JAX's value at 0; torch returns `slope` there (at_zero=slope).
    """
    z = _z(z)
    slope = _slope(slope)
    at_zero = check_real("at_zero", at_zero)
    return np.where(z > 0, 1.0, np.where(z < 0, slope, at_zero)).astype(z.dtype)


# ----------------------------------------------------------------------------------------- ELU
def elu(z, alpha: float = 1.0):
    """ELU(z) = z for z >= 0, alpha (e^z - 1) for z < 0  (001 activation slide)."""
    z = _z(z)
    alpha = check_positive("alpha", alpha)
    return np.where(z >= 0, z, alpha * np.expm1(np.minimum(z, 0))).astype(z.dtype)


def elu_grad(z, alpha: float = 1.0, at_zero: float = 1.0):
    """ELU'(z) = 1 for z > 0, alpha e^z for z < 0, and `at_zero` at z = 0.

    at_zero=1 (the default) is the slide's z >= 0 branch; torch and JAX return alpha there
    (at_zero=alpha).
    """
    z = _z(z)
    alpha = check_positive("alpha", alpha)
    at_zero = check_real("at_zero", at_zero)
    out = np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0)))
    return np.where(z == 0, at_zero, out).astype(z.dtype)


# --------------------------------------------------------------------------------------- swish
def swish(z):
    """swish(z) = z sigma(z)  (001 activation slide)."""
    z = _z(z)
    return z * sigmoid(z)


def swish_grad(z):
    """swish'(z) = sigma(z) + z sigma(z)(1 - sigma(z))."""
    z = _z(z)
    s = sigmoid(z)
    return s + z * s * (1.0 - s)


# ------------------------------------------------------------------------------------- softmax
def _logits(z):
    z = as_float("z", z, ndim=(1, 2))
    if z.shape[-1] == 0:
        raise ValueError(f"z: expected at least one class (last axis), got shape {z.shape}")
    return z


def softmax(z):
    """softmax(z)_k = e^{z_k} / sum_j e^{z_j} over the last axis  (001 Example 2, 002 (11.4))."""
    z = _logits(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # shift by the max: exponents <= 0
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z):
    """log softmax(z)_k = z_k - log sum_j e^{z_j}, computed with the max shift."""
    z = _logits(z)
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def softmax_vjp(g, z):
    """g^T J_softmax(z) = p * (g - <g, p>) row-wise, without forming the K x K Jacobian."""
    p = softmax(z)
    g = _g(g, p)
    return p * (g - (g * p).sum(axis=-1, keepdims=True))


def softmax_jacobian(z):
    """J(softmax(z), z) = diag(p) - p p^T for a single vector z of shape (K,)."""
    p = softmax(as_float("z", z, ndim=1))
    return np.diag(p) - np.outer(p, p)


def log_softmax_vjp(g, z):
    """g^T J_log_softmax(z) = g - softmax(z) * sum(g) row-wise."""
    p = softmax(z)
    g = _g(g, p)
    return g - p * g.sum(axis=-1, keepdims=True)


# ------------------------------------------------------------------------------------------ ops
def _elementwise(name, f, df, *, low=-4.0, high=4.0, kinks=(), analytic=True, params=None, note=""):
    params = dict(params or {})

    def vjp(g, z, **p):
        z = _z(z)
        return {"z": _g(g, z) * df(z, **p)}

    def bind(m, name=name):
        df_m = getattr(m, name + "_grad")
        return getattr(m, name), lambda g, z, **p: {"z": g * df_m(z, **p)}

    return register_op(Op(name=name, fn=name, forward=f, vjp=vjp, params=params, analytic=analytic,
                          args={"z": Arg(("N", "D"), low=low, high=high, kinks=kinks)}, note=note,
                          bind=bind))


SIGMOID = _elementwise("sigmoid", sigmoid, sigmoid_grad, low=-8, high=8)
TANH = _elementwise("tanh", tanh, tanh_grad)
RELU = _elementwise("relu", relu, relu_grad, kinks=(0.0,), analytic=False)
LEAKY_RELU = _elementwise("leaky_relu", leaky_relu, leaky_relu_grad, kinks=(0.0,), analytic=False,
                          params={"slope": 0.1})
ELU = _elementwise("elu", elu, elu_grad, kinks=(0.0,), analytic=False, params={"alpha": 1.5},
                   note="alpha = 1.5 so that a wrong alpha in the derivative shows")
SWISH = _elementwise("swish", swish, swish_grad)
SOFTMAX = register_op(Op(name="softmax", fn="softmax", forward=softmax,
                         vjp=lambda g, z: {"z": softmax_vjp(g, z)},
                         args={"z": Arg(("N", "K"), low=-6, high=6)},
                         bind=lambda m: (m.softmax, lambda g, z: {"z": m.softmax_vjp(g, z)})))
LOG_SOFTMAX = register_op(Op(name="log_softmax", fn="log_softmax", forward=log_softmax,
                             vjp=lambda g, z: {"z": log_softmax_vjp(g, z)},
                             args={"z": Arg(("N", "K"), low=-6, high=6)},
                             bind=lambda m: (m.log_softmax, lambda g, z: {"z": m.log_softmax_vjp(g, z)})))
