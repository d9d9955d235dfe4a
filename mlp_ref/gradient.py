"""Numerical gradients and the gradient-descent step, as the documents state them."""
from __future__ import annotations

import numpy as np

from ._validate import as_float, check_choice, check_positive, same_dtype

METHODS = ("forward", "central")


def numerical_gradient(f, w, eps: float = 1e-6, method: str = "forward"):
    """dE/dw_ij ~ (E(w_ij + eps) - E(w_ij)) / eps + O(eps)  (001 "Numeric"); `central` is O(eps^2).

    `f` maps an array shaped like `w` to a scalar; one evaluation per coordinate (plus one).
    """
    if not callable(f):
        raise ValueError(f"f: expected a callable returning a scalar, got {type(f).__name__}")
    w = as_float("w", w)
    eps = check_positive("eps", eps)
    check_choice("method", method, METHODS)

    def value(v):
        out = np.asarray(f(v))
        if out.shape != () or not np.isfinite(out):
            raise ValueError(f"f: expected a finite scalar value, got shape {out.shape} value {out!r}")
        return float(out)

    grad = np.zeros_like(w)
    base = value(w.copy()) if method == "forward" else None
    for idx in np.ndindex(w.shape):
        up = w.copy()
        up[idx] += eps
        if method == "forward":
            grad[idx] = (value(up) - base) / eps
        else:
            down = w.copy()
            down[idx] -= eps
            grad[idx] = (value(up) - value(down)) / (2 * eps)
    return grad


def numerical_jacobian(f, x, eps: float = 1e-6, method: str = "central"):
    """J[i..., j...] = d f_i / d x_j by finite differences, shape f(x).shape + x.shape (numerator layout).

    `f` maps an array shaped like `x` to an array of one fixed shape; one or two evaluations per
    coordinate of `x`, as `numerical_gradient` (which is the case of a scalar f). J has the dtype of `x`.
    """
    if not callable(f):
        raise ValueError(f"f: expected a callable returning an array, got {type(f).__name__}")
    x = as_float("x", x)
    eps = check_positive("eps", eps)
    check_choice("method", method, METHODS)

    def value(v, shape=None):
        out = np.asarray(f(v), dtype=np.float64)
        if shape is not None and out.shape != shape:
            raise ValueError(f"f: expected outputs of one shape {shape}, got {out.shape}")
        if not np.all(np.isfinite(out)):
            raise ValueError("f: expected finite values, got NaN or infinity")
        return out

    base = value(x.copy())
    J = np.zeros(base.shape + x.shape)
    for idx in np.ndindex(x.shape):
        up = x.copy()
        up[idx] += eps
        if method == "forward":
            J[(Ellipsis,) + idx] = (value(up, base.shape) - base) / eps
        else:
            down = x.copy()
            down[idx] -= eps
            J[(Ellipsis,) + idx] = (value(up, base.shape) - value(down, base.shape)) / (2 * eps)
    return J.astype(x.dtype)


def gradient_descent_step(W, grad, lr: float):
    """W_new = W_old - lr * grad  (001 tau, 002 (11.13) eta, 003 gradient step, 004 SGD update).

    Returns a new array of W's dtype; `W` is not modified.
    """
    W = as_float("W", W)
    grad = as_float("grad", grad)
    if grad.shape != W.shape:
        raise ValueError(f"grad: expected shape {W.shape} to match W, got {grad.shape}")
    same_dtype(W=W, grad=grad)
    lr = check_positive("lr", lr)
    return (W - lr * grad).astype(W.dtype)
