"""Typical mistake: Not a bug under the default rubric: ReLU'(0) = 1 (the convention of 004), accepted when the rubric lists 1.

Otherwise the same as correct.py (NumPy only, no mlp_ref).
"""
import numpy as np


def _scale(g, n, reduction, dtype):
    """Upstream gradient per sample: g for 'sum', g/n for 'mean', g itself (N,) for 'none'."""
    g = np.asarray(g, dtype=dtype)
    if reduction == "sum":
        return g
    if reduction == "mean":
        return g / n
    if reduction == "none":
        return g
    raise ValueError(f"reduction must be 'sum', 'mean' or 'none', got {reduction!r}")


def _reduce(per_sample, reduction):
    if reduction == "sum":
        return per_sample.sum()
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "none":
        return per_sample
    raise ValueError(f"reduction must be 'sum', 'mean' or 'none', got {reduction!r}")


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    return 1 - np.tanh(z) ** 2


def relu(z):
    return np.maximum(z, 0).astype(z.dtype)


def relu_grad(z, at_zero=1.0):
    return np.where(z > 0, 1.0, np.where(z < 0, 0.0, at_zero)).astype(z.dtype)  # 1 at the kink by default


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_vjp(g, z):
    p = softmax(z)
    return p * (g - (g * p).sum(axis=-1, keepdims=True))


def linear(W, x, b=None):
    s = x @ W.T
    return s if b is None else s + b


def linear_backward(g, W, x, b=None):
    G, X = np.atleast_2d(g), np.atleast_2d(x)
    grads = {"W": G.T @ X, "x": g @ W}
    if b is not None:
        grads["b"] = G.sum(axis=0)
    return grads


def _per_sample(v):
    return v.reshape(v.shape[0], -1).sum(axis=1) if v.ndim > 1 else v


def squared_error(yhat, y, reduction="sum"):
    return _reduce(_per_sample((yhat - y) ** 2), reduction)


def squared_error_grad(yhat, y, reduction="sum", g=1.0):
    s = _scale(g, yhat.shape[0], reduction, yhat.dtype)
    if reduction == "none" and yhat.ndim > 1:
        s = s.reshape(s.shape + (1,) * (yhat.ndim - 1))
    return 2 * (yhat - y) * s


def mse(yhat, y, reduction="mean"):
    return squared_error(yhat, y, reduction)


def mse_grad(yhat, y, reduction="mean", g=1.0):
    return squared_error_grad(yhat, y, reduction, g)


def binary_cross_entropy_with_logits(a, y, reduction="sum"):
    softplus = np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))
    return _reduce(softplus - y * a, reduction)


def binary_cross_entropy_with_logits_grad(a, y, reduction="sum", g=1.0):
    return (sigmoid(a) - y) * _scale(g, a.shape[0], reduction, a.dtype)


def softmax_cross_entropy(o, y, reduction="sum"):
    logp = log_softmax(o)
    if o.ndim == 1:
        return -logp[y]
    return _reduce(-logp[np.arange(o.shape[0]), y], reduction)


def softmax_cross_entropy_grad(o, y, reduction="sum", g=1.0):
    onehot = np.zeros_like(o)
    if o.ndim == 1:
        onehot[y] = 1
        return (softmax(o) - onehot) * np.asarray(g, dtype=o.dtype)
    onehot[np.arange(o.shape[0]), y] = 1
    s = _scale(g, o.shape[0], reduction, o.dtype)
    if reduction == "none":
        s = s[:, None]
    return (softmax(o) - onehot) * s


_ACT = {
    "identity": (lambda s: s, lambda s: np.ones_like(s)),
    "relu": (relu, relu_grad),
    "tanh": (tanh, tanh_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
}


def mlp_forward(x, Ws, bs=None, activation="relu", output_activation="identity"):
    bs = bs if bs is not None else [None] * len(Ws)
    xs, ss = [x], []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        s = linear(W, xs[-1], b)
        f = _ACT[output_activation if l == len(Ws) - 1 else activation][0]
        ss.append(s)
        xs.append(f(s))
    return xs[-1], {"x": xs, "s": ss, "Ws": Ws, "bs": bs, "act": activation, "out": output_activation}


def mlp_backward(g, cache, input_grad=True):
    Ws, bs, xs, ss = cache["Ws"], cache["bs"], cache["x"], cache["s"]
    L = len(Ws)
    dW, db = [None] * L, [None] * L
    dx = g
    for l in reversed(range(L)):
        dact = _ACT[cache["out"] if l == L - 1 else cache["act"]][1]
        ds = dx * dact(ss[l])
        grads = linear_backward(ds, Ws[l], xs[l], bs[l])
        dW[l], db[l], dx = grads["W"], grads.get("b"), grads["x"]
    return {"W": dW, "b": db, "x": dx if input_grad else None}


def numerical_gradient(f, w, eps=1e-6, method="forward"):
    grad = np.zeros_like(w)
    base = float(f(w)) if method == "forward" else None
    for idx in np.ndindex(w.shape):
        up = w.copy()
        up[idx] += eps
        if method == "forward":
            grad[idx] = (float(f(up)) - base) / eps
        else:
            down = w.copy()
            down[idx] -= eps
            grad[idx] = (float(f(up)) - float(f(down))) / (2 * eps)
    return grad


def gradient_descent_step(W, grad, lr):
    return W - lr * grad
