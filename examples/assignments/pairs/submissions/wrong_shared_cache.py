"""A typical mistake: relu_forward keeps its input in a module-level dict reused as every call's cache."""
import numpy as np


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


_CACHE = {}


def relu_forward(x):
    _CACHE['x'] = x
    return np.maximum(x, 0), _CACHE


def relu_backward(dout, cache):
    return dout * (cache['x'] > 0)


def softmax_loss(x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = x.shape[0]
    loss = -log_p[np.arange(n), y].mean()
    dx = np.exp(log_p)
    dx[np.arange(n), y] -= 1
    return loss, dx / n
