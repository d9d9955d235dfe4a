"""A typical mistake: sigma'(z) written as sigma(z) (1 + sigma(z))."""
import numpy as np


def sigmoid(z):
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 + s)


def linear(W, x, b=None):
    s = x @ W.T
    return s if b is None else s + b


def linear_backward(g, W, x, b=None):
    if x.ndim == 1:
        grads = {"W": np.outer(g, x), "x": g @ W}
        if b is not None:
            grads["b"] = g.copy()
        return grads
    grads = {"W": g.T @ x, "x": g @ W}
    if b is not None:
        grads["b"] = g.sum(axis=0)
    return grads


def _reduce(values, reduction):
    if reduction == "sum":
        return values.sum()
    if reduction == "mean":
        return values.mean()
    return values


def softmax_cross_entropy(o, y, reduction="sum"):
    single = o.ndim == 1
    o2 = o[None, :] if single else o
    y2 = np.atleast_1d(y)
    m = o2.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(o2 - m).sum(axis=1))
    per = lse - o2[np.arange(o2.shape[0]), y2]
    if single:
        return per[0]
    return _reduce(per, reduction)


def softmax_cross_entropy_grad(o, y, reduction="sum", g=1.0):
    single = o.ndim == 1
    o2 = o[None, :] if single else o
    y2 = np.atleast_1d(y)
    e = np.exp(o2 - o2.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(o2.shape[0]), y2] -= 1
    if single:
        return (p[0] * g).astype(o.dtype)
    n = o2.shape[0]
    scale = np.asarray(g, dtype=o.dtype)
    if reduction == "mean":
        scale = scale / n
    if np.ndim(scale) == 1:
        scale = scale[:, None]
    return (p * scale).astype(o.dtype)
