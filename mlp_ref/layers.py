"""Linear / affine layers and the multi-layer perceptron, forward and hand-derived backward.

Shapes follow torch.nn.Linear: W is (H, D); x is a single column vector given as (D,) or a batch
in rows (N, D); the output is (H,) or (N, H). In the documents' column notation s = W x + b.
"""
from __future__ import annotations

import numpy as np

from . import activations as act
from ._validate import as_float, non_empty, same_dtype, upstream
from .registry import Arg, Op, register_op


def _check_linear(W, x, b=None):
    W = as_float("W", W, ndim=2)
    x = as_float("x", x, ndim=(1, 2))
    if x.shape[-1] != W.shape[1]:
        raise ValueError(f"x: expected {W.shape[1]} features (last axis) to match W of shape {W.shape}, "
                         f"got shape {x.shape}")
    arrays = {"W": W, "x": x}
    if b is not None:
        b = as_float("b", b, ndim=1)
        if b.shape != (W.shape[0],):
            raise ValueError(f"b: expected shape ({W.shape[0]},) to match W of shape {W.shape}, got {b.shape}")
        arrays["b"] = b
    same_dtype(**arrays)
    return W, x, b


def linear(W, x, b=None):
    """s = W x + b  (000 fully connected layer, 001 affine layer, 003 s^(l), 004 FC forward)."""
    W, x, b = _check_linear(W, x, b)
    return _affine(W, x, b)


def _affine(W, x, b):
    s = x @ W.T
    return s if b is None else s + b


def linear_backward(g, W, x, b=None):
    """Backward of s = W x + b given g = dL/ds (shape of s).

    dL/dW = g^T x  (sum of outer products over the batch; 000 "loss vector times x^T", 002 (11.17)),
    dL/dx = g W    (000 "W^T times the loss vector", 004 B-PASS (a)),
    dL/db = sum of g over the batch.
    """
    W, x, b = _check_linear(W, x, b)
    g = upstream(g, (W.shape[0],) if x.ndim == 1 else (x.shape[0], W.shape[0]), W.dtype)
    return _affine_backward(g, W, x, b is not None)


def _affine_backward(g, W, x, has_b, input_grad=True):
    g2, x2 = np.atleast_2d(g), np.atleast_2d(x)
    grads = {"W": g2.T @ x2, "x": g @ W if input_grad else None}
    if has_b:
        grads["b"] = g2.sum(axis=0)
    return grads


def linear_jacobian_W(W, x):
    """The 3-way tensor da/dW of a = W x, shape (H, H, D): (da/dW)_{ijk} = delta_ij x_k  (001)."""
    W, x, _ = _check_linear(W, x)
    if x.ndim != 1:
        raise ValueError(f"x: expected a single vector (D,) for the 3-way tensor, got shape {x.shape}")
    H = W.shape[0]
    return np.einsum("ij,k->ijk", np.eye(H, dtype=W.dtype), x)


# ------------------------------------------------------------------------------------------ MLP
ACTIVATIONS = {
    "identity": (lambda s: s, lambda s: np.ones_like(s)),
    "relu": (act.relu, act.relu_grad),
    "tanh": (act.tanh, act.tanh_grad),
    "sigmoid": (act.sigmoid, act.sigmoid_grad),
    "swish": (act.swish, act.swish_grad),
    "elu": (act.elu, act.elu_grad),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_grad),
}


def _activation(name, arg="activation"):
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"{arg}: expected one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def _check_mlp(x, Ws, bs):
    if not isinstance(Ws, (list, tuple)) or not Ws:
        raise ValueError("Ws: expected a non-empty list of weight matrices W^(1..L)")
    if bs is not None and (not isinstance(bs, (list, tuple)) or len(bs) != len(Ws)):
        raise ValueError(f"bs: expected None or a list of {len(Ws)} bias vectors, one per layer")
    x = as_float("x", x, ndim=(1, 2))
    Ws = [as_float(f"Ws[{i}]", W, ndim=2) for i, W in enumerate(Ws)]
    width = x.shape[-1]
    for i, W in enumerate(Ws):
        if W.shape[1] != width:
            raise ValueError(f"Ws[{i}]: expected {width} columns to match the previous layer, got shape {W.shape}")
        width = W.shape[0]
    if bs is not None:
        bs = [None if b is None else as_float(f"bs[{i}]", b, ndim=1) for i, b in enumerate(bs)]
        for i, (W, b) in enumerate(zip(Ws, bs)):
            if b is not None and b.shape != (W.shape[0],):
                raise ValueError(f"bs[{i}]: expected shape ({W.shape[0]},), got {b.shape}")
    else:
        bs = [None] * len(Ws)
    same_dtype(x=x, **{f"Ws[{i}]": W for i, W in enumerate(Ws)},
               **{f"bs[{i}]": b for i, b in enumerate(bs) if b is not None})
    return x, Ws, bs


def mlp_forward(x, Ws, bs=None, activation="relu", output_activation="identity"):
    """x^(0) = x; s^(l) = W^(l) x^(l-1) + b^(l); x^(l) = sigma(s^(l))  (003 forward pass, 002 (11.9)).

    The hidden layers use `activation`, the last layer `output_activation` (003 applies sigma to
    every layer: pass the same name twice). Returns (x^(L), cache) with cache = {"x": [...], "s": [...]}.
    """
    x, Ws, bs = _check_mlp(x, Ws, bs)
    hidden, out = _activation(activation), _activation(output_activation, "output_activation")
    xs, ss = [x], []
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        s = _affine(W, xs[-1], b)
        f = out[0] if l == len(Ws) else hidden[0]
        ss.append(s)
        xs.append(f(s))
    cache = {"x": xs, "s": ss, "Ws": Ws, "bs": bs, "activation": activation,
             "output_activation": output_activation}
    return xs[-1], cache


CACHE_KEYS = ("x", "s", "Ws", "bs", "activation", "output_activation")


def _check_cache(cache):
    """The cache of mlp_forward, checked for its keys and the consistency of its lists."""
    if not isinstance(cache, dict) or any(k not in cache for k in CACHE_KEYS):
        raise ValueError(f"cache: expected the dict returned by mlp_forward with keys {CACHE_KEYS}, "
                         f"got {type(cache).__name__}" + (f" with keys {sorted(cache)}" if isinstance(cache, dict) else ""))
    Ws, bs, xs, ss = cache["Ws"], cache["bs"], cache["x"], cache["s"]
    if not all(isinstance(v, (list, tuple)) for v in (Ws, bs, xs, ss)):
        raise ValueError("cache: expected lists under 'Ws', 'bs', 'x' and 's' (the cache of mlp_forward)")
    L = len(Ws)
    if L == 0 or len(bs) != L or len(ss) != L or len(xs) != L + 1:
        raise ValueError(f"cache: expected {L} weights, biases and pre-activations and {L + 1} layer outputs, "
                         f"got {len(bs)}, {len(ss)} and {len(xs)}")
    for l, (W, b, s, xin, xout) in enumerate(zip(Ws, bs, ss, xs[:-1], xs[1:])):
        ok = (isinstance(W, np.ndarray) and W.ndim == 2 and isinstance(s, np.ndarray) and isinstance(xin, np.ndarray)
              and isinstance(xout, np.ndarray) and xin.shape[-1:] == W.shape[1:] and s.shape == xout.shape
              and s.shape[-1:] == W.shape[:1] and (b is None or isinstance(b, np.ndarray) and b.shape == W.shape[:1]))
        if not ok:
            raise ValueError(f"cache: layer {l + 1} has inconsistent shapes (not the cache of mlp_forward)")
    return Ws, bs, xs, ss


def mlp_backward(g, cache, input_grad=True):
    """Backward pass of 003: dl/ds^(l) = dl/dx^(l) * sigma'(s^(l)); dl/dx^(l-1) = W^(l)T dl/ds^(l);
    dl/dW^(l) = dl/ds^(l) x^(l-1)T; dl/db^(l) = dl/ds^(l).  `g` = dl/dx^(L).

    Returns {"W": [dl/dW^(1..L)], "b": [dl/db^(1..L)], "x": dl/dx^(0)} (sums over a batch);
    with input_grad=False the last product dl/dx^(0) is skipped and "x" is None.
    """
    Ws, bs, xs, ss = _check_cache(cache)
    hidden = _activation(cache["activation"], "cache['activation']")
    out = _activation(cache["output_activation"], "cache['output_activation']")
    g = upstream(g, xs[-1].shape, xs[-1].dtype)
    if not isinstance(input_grad, bool):
        raise ValueError(f"input_grad: expected True or False, got {input_grad!r}")
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    dx = g
    for l in range(len(Ws), 0, -1):
        dact = out[1] if l == len(Ws) else hidden[1]
        ds = dx * dact(ss[l - 1])
        grads = _affine_backward(ds, Ws[l - 1], xs[l - 1], bs[l - 1] is not None, input_grad or l > 1)
        dWs[l - 1], dbs[l - 1], dx = grads["W"], grads.get("b"), grads["x"]
    return {"W": dWs, "b": dbs, "x": dx}


# ------------------------------------------------------------------------------------------ ops
def _linear_vjp(g, W, x, b=None):
    return linear_backward(g, W, x, b)


LINEAR = register_op(Op(
    name="linear", fn="linear", forward=lambda W, x: linear(W, x), vjp=lambda g, W, x: _linear_vjp(g, W, x),
    args={"W": Arg(("H", "D")), "x": Arg(("N", "D"))},
    bind=lambda m: (lambda W, x: m.linear(W, x), lambda g, W, x: m.linear_backward(g, W, x))))
AFFINE = register_op(Op(
    name="affine", fn="affine", forward=linear, vjp=_linear_vjp,
    args={"W": Arg(("H", "D")), "x": Arg(("N", "D")), "b": Arg(("H",))},
    bind=lambda m: (m.linear, m.linear_backward)))


def mlp_loss(x, y, Ws, bs, activation="tanh", loss="softmax_cross_entropy", reduction="sum"):
    """Loss of an MLP with hidden `activation` and identity output, on 0-based labels or targets `y`."""
    from . import losses

    if not isinstance(loss, str) or loss not in MLP_LOSSES:
        raise ValueError(f"loss: expected one of {sorted(MLP_LOSSES)}, got {loss!r}")
    x = non_empty("x", as_float("x", x, ndim=(1, 2)))
    out, _ = mlp_forward(x, Ws, bs, activation, "identity")
    return getattr(losses, loss)(out, y, reduction=reduction)


def mlp_loss_backward(x, y, Ws, bs, activation="tanh", loss="softmax_cross_entropy", reduction="sum", g=1.0,
                      input_grad=True):
    """Gradients of `mlp_loss`: {"W": [...], "b": [...], "x": ...} via the 003 backward pass."""
    from . import losses

    if not isinstance(loss, str) or loss not in MLP_LOSSES:
        raise ValueError(f"loss: expected one of {sorted(MLP_LOSSES)}, got {loss!r}")
    x = non_empty("x", as_float("x", x, ndim=(1, 2)))
    out, cache = mlp_forward(x, Ws, bs, activation, "identity")
    dout = getattr(losses, loss + "_grad")(out, y, reduction=reduction, g=g)
    return mlp_backward(dout, cache, input_grad)


MLP_LOSSES = ("softmax_cross_entropy", "squared_error", "mse")


def make_mlp_op(sizes, activation="tanh", loss="softmax_cross_entropy", name=None, register=False):
    """An Op for the loss of an MLP with layer widths `sizes` = (d_0, ..., d_L); args x, y, W1, b1, ..."""
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes: expected at least two positive layer widths, got {sizes}")
    L = len(sizes) - 1
    dims = {"N": 4, **{f"d{i}": s for i, s in enumerate(sizes)}}
    args = {"x": Arg(("N", "d0"), differentiable=False)}
    if loss == "softmax_cross_entropy":
        args["y"] = Arg(("N",), kind="labels", classes=f"d{L}")
    else:
        args["y"] = Arg(("N", f"d{L}"), differentiable=False)
    for l in range(1, L + 1):
        args[f"W{l}"] = Arg((f"d{l}", f"d{l-1}"), low=-1, high=1)
        args[f"b{l}"] = Arg((f"d{l}",), low=-0.5, high=0.5)

    def unpack(kw):
        return [kw[f"W{l}"] for l in range(1, L + 1)], [kw[f"b{l}"] for l in range(1, L + 1)]

    def build(m):
        def forward(x, y, sizes=sizes, activation=activation, loss=loss, **kw):
            Ws, bs = unpack(kw)
            return m.mlp_loss(x, y, Ws, bs, activation=activation, loss=loss)

        def vjp(g, x, y, sizes=sizes, activation=activation, loss=loss, **kw):
            Ws, bs = unpack(kw)
            grads = m.mlp_loss_backward(x, y, Ws, bs, activation=activation, loss=loss, g=g)
            out = {f"W{l}": grads["W"][l - 1] for l in range(1, L + 1)}
            out.update({f"b{l}": grads["b"][l - 1] for l in range(1, L + 1)})
            return out

        return forward, vjp

    import sys

    forward, vjp = build(sys.modules["mlp_ref"])
    op = Op(name=name or f"mlp-{'-'.join(map(str, sizes))}-{activation}", fn="mlp", forward=forward, vjp=vjp,
            args=args, params={"sizes": sizes, "activation": activation, "loss": loss}, dims=dims,
            analytic=activation in ("tanh", "sigmoid", "swish"), bind=build)
    return register_op(op) if register else op


MLP = make_mlp_op((3, 5, 4), activation="tanh", name="mlp", register=True)
