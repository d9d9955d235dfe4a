"""Loss functions and their hand-derived gradients.

One rule for the shapes of every loss: each loss has a *sample shape* -- a scalar for the
elementwise losses (squared error, MSE, L2, MAE, Huber, log-cosh, both binary cross-entropies),
a vector over the K classes or bins for the distribution losses (categorical and softmax
cross-entropy, KL, Wasserstein) -- and an argument is either one sample (exactly the sample shape)
or a batch with the samples along axis 0. So a 1-D argument is N scalar samples for an elementwise
loss and one distribution for a distribution loss; an elementwise loss's (N, K) batch sums each
sample's K values. A loss sums its per-sample values over the batch (the documents' sum over n)
unless `reduction` says "mean" (divide by the number of samples N) or "none" (per-sample values);
a single sample gives its own value for every reduction. Empty batches are rejected. Class labels
are 0-based integers (a document's class y in {1..K} is label y - 1). Each *_grad takes the
upstream gradient `g` of the loss's output: a scalar for "sum"/"mean", shape (N,) for "none".
"""
from __future__ import annotations

import math

import numpy as np

from . import activations as act
from ._validate import (as_float, as_labels, check_positive, check_reduction, check_simplex, non_empty, reduce,
                        reduce_grad, same_dtype, same_shape)
from .registry import Arg, Op, register_op


def _pair(yhat, y, yhat_name="yhat", y_name="y", ndim=(0, 1, 2), classes=False):
    yhat = non_empty(yhat_name, as_float(yhat_name, yhat, ndim=ndim), classes=classes)
    y = as_float(y_name, y, ndim=ndim)
    same_shape(yhat_name, yhat, y_name, y)
    same_dtype(**{yhat_name: yhat, y_name: y})
    return yhat, y


def _rows(per, reduction):
    """Reduce per-sample values of a distribution loss; a single sample (a 0-d `per`) is its own value."""
    return reduce(per, check_reduction(reduction))


def _row_scale(g, per_shape, dtype, reduction):
    """dL/d(per-sample values) as a column to scale (N, K) rows, or a scalar for a single sample."""
    scale = reduce_grad(g, per_shape, dtype, reduction)
    return scale[:, None] if len(per_shape) else scale


def _per_sample(values):
    return values.reshape(values.shape[0], -1).sum(axis=1) if values.ndim > 1 else values


def _finish(values, reduction):
    return reduce(_per_sample(values), check_reduction(reduction))


def _upstream(g, values, reduction):
    """dL/d(elementwise values) for an upstream gradient g of the reduced loss."""
    gp = reduce_grad(g, _per_sample(values).shape, values.dtype, check_reduction(reduction))
    return np.broadcast_to(gp.reshape(gp.shape + (1,) * (values.ndim - gp.ndim)), values.shape)


# ------------------------------------------------------------------------- regression losses
def squared_error(yhat, y, reduction="sum"):
    """E = sum_n (y_n - yhat_n)^2  (001 Example 3, 002 Squared Error Loss, 001 E = (yhat - y)^2)."""
    yhat, y = _pair(yhat, y)
    return _finish((yhat - y) ** 2, reduction)


def squared_error_grad(yhat, y, reduction="sum", g=1.0):
    """dE/dyhat = 2 (yhat - y), times the upstream gradient and the reduction's scale."""
    yhat, y = _pair(yhat, y)
    return 2 * (yhat - y) * _upstream(g, yhat - y, reduction)


def mse(yhat, y, reduction="mean"):
    """MSE = 1/N sum_n ||yhat_n - y_n||^2  (003 "mean-squared error", 001 loss list)."""
    return squared_error(yhat, y, reduction)


def mse_grad(yhat, y, reduction="mean", g=1.0):
    return squared_error_grad(yhat, y, reduction, g)


def l2_loss(yhat, y, reduction="sum"):
    """L = 1/2 ||yhat - y||^2  (000 L2-loss example; the 1/2 cancels the 2 of the derivative)."""
    yhat, y = _pair(yhat, y)
    return _finish(0.5 * (yhat - y) ** 2, reduction)


def l2_loss_grad(yhat, y, reduction="sum", g=1.0):
    """dL/dyhat = yhat - y  (000 "W x - y")."""
    yhat, y = _pair(yhat, y)
    return (yhat - y) * _upstream(g, yhat - y, reduction)


def mae(yhat, y, reduction="mean"):
    """MAE = 1/N sum_n |yhat_n - y_n|  (001 loss list)."""
    yhat, y = _pair(yhat, y)
    return _finish(np.abs(yhat - y), reduction)


def mae_grad(yhat, y, reduction="mean", g=1.0):
    """d|r|/dr = sign(r); at r = 0 the value 0, torch's value 0 (JAX returns 1 there)."""
    yhat, y = _pair(yhat, y)
    return np.sign(yhat - y) * _upstream(g, yhat - y, reduction)


def huber(yhat, y, delta=1.0, reduction="mean"):
    """Huber: r^2/2 for |r| <= delta, delta (|r| - delta/2) beyond  (001 loss list)."""
    yhat, y = _pair(yhat, y)
    delta = check_positive("delta", delta)
    r = np.abs(yhat - y)
    return _finish(np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta)), reduction)


def huber_grad(yhat, y, delta=1.0, reduction="mean", g=1.0):
    """dHuber/dyhat = r for |r| <= delta, delta sign(r) beyond (continuous at the boundary)."""
    yhat, y = _pair(yhat, y)
    delta = check_positive("delta", delta)
    r = yhat - y
    return np.clip(r, -delta, delta) * _upstream(g, r, reduction)


def logcosh(yhat, y, reduction="mean"):
    """LogCosh = sum log cosh(yhat - y)  (001 loss list)."""
    yhat, y = _pair(yhat, y)
    return _finish(_log_cosh(yhat - y), reduction)


def _log_cosh(r):
    r = np.abs(r)
    # |r| < 1: log cosh r = log1p(2 sinh^2(r/2)), accurate to eps relatively as r -> 0;
    # |r| >= 1: |r| + log1p(e^{-2|r|}) - log 2, which never overflows. Both are >= 0.
    small = np.log1p(2 * np.sinh(np.minimum(r, 1) / 2) ** 2)
    large = r + np.log1p(np.exp(-2 * r)) - math.log(2.0)  # a Python float keeps float32
    return np.where(r < 1, small, large).astype(r.dtype)


def logcosh_grad(yhat, y, reduction="mean", g=1.0):
    """d log cosh(r)/dr = tanh(r)."""
    yhat, y = _pair(yhat, y)
    return np.tanh(yhat - y) * _upstream(g, yhat - y, reduction)


# --------------------------------------------------------------------- classification losses
def _check_binary_targets(y):
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y: expected binary targets in {0, 1}")


def _check_open_unit(p):
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("p: expected probabilities strictly inside (0, 1); pass logits to "
                         "binary_cross_entropy_with_logits for saturated outputs")


def binary_cross_entropy(p, y, reduction="sum"):
    """E = -sum_n (y_n log p_n + (1 - y_n) log(1 - p_n)) for probabilities p  (001 Example 1)."""
    p, y = _pair(p, y, "p", "y")
    _check_binary_targets(y)
    _check_open_unit(p)
    return _finish(-(y * np.log(p) + (1 - y) * np.log1p(-p)), reduction)


def binary_cross_entropy_grad(p, y, reduction="sum", g=1.0):
    """dE/dp = (p - y) / (p (1 - p))."""
    p, y = _pair(p, y, "p", "y")
    _check_binary_targets(y)
    _check_open_unit(p)
    return (p - y) / (p * (1 - p)) * _upstream(g, p, reduction)


def binary_cross_entropy_with_logits(a, y, reduction="sum"):
    """Sigmoid + BCE on logits a: log(1 + e^a) - y a, stable for |a| up to 1e4  (001 Example 1)."""
    a, y = _pair(a, y, "a", "y")
    _check_binary_targets(y)
    # (max(a, 0) - y a) is exactly 0 in the tail the label agrees with, so log1p(e^{-|a|}) survives
    # there (a = 40, y = 1 gives 4.25e-18, not 40 - 40 = 0): accurate in both tails
    return _finish((np.maximum(a, 0) - y * a) + np.log1p(np.exp(-np.abs(a))), reduction)


def binary_cross_entropy_with_logits_grad(a, y, reduction="sum", g=1.0):
    """dE/da = sigma(a) - y."""
    a, y = _pair(a, y, "a", "y")
    _check_binary_targets(y)
    # sigma(a) - 1 = -sigma(-a): no cancellation where y = 1 and a >> 0
    return np.where(y == 1, -act.sigmoid(-a), act.sigmoid(a)) * _upstream(g, a, reduction)


def _check_onehot(Y):
    if Y.ndim == 0 or not np.all((Y == 0) | (Y == 1)) or not np.all(Y.sum(axis=-1) == 1):
        raise ValueError("Y: expected one-hot rows (one 1 per row, zeros elsewhere)")


def _check_categorical(p, Y):
    p, Y = _pair(p, Y, "p", "Y", ndim=(1, 2), classes=True)
    _check_onehot(Y)
    if np.any(p <= 0):
        raise ValueError("p: expected strictly positive probabilities; pass logits to softmax_cross_entropy")
    check_simplex("p", p)
    return p, Y


def categorical_cross_entropy(p, Y, reduction="sum"):
    """E = -sum_n sum_k y_nk log f_k(x_n) for probability rows p and one-hot Y  (001 Example 2)."""
    p, Y = _check_categorical(p, Y)
    return _rows(-(Y * np.log(p)).sum(axis=-1), reduction)


def categorical_cross_entropy_grad(p, Y, reduction="sum", g=1.0):
    """dE/dp = -Y / p (times the upstream gradient and the reduction's scale)."""
    p, Y = _check_categorical(p, Y)
    return -Y / p * _row_scale(g, p.shape[:-1], p.dtype, reduction)


def _logits_labels(o, y):
    o = non_empty("o", as_float("o", o, ndim=(1, 2)), "at least one sample and one class")
    y = as_labels("y", y, o.shape[-1], ndim=o.ndim - 1)
    if o.ndim == 2 and y.shape != (o.shape[0],):
        raise ValueError(f"y: expected {o.shape[0]} labels, one per row of o, got shape {y.shape}")
    return o, y


def softmax_cross_entropy(o, y, reduction="sum"):
    """l = -o_y + log sum_i e^{o_i} = -log softmax(o)_y  (002 Cross-Entropy Loss, 11.4.2 step 1).

    `o` holds logits (K,) or (N, K); `y` 0-based labels (scalar or (N,)).
    """
    o, y = _logits_labels(o, y)
    logp = act.log_softmax(o)
    per = -np.take_along_axis(np.atleast_2d(logp), np.atleast_1d(y)[:, None], axis=1)[:, 0]
    return _rows(per if o.ndim == 2 else per[0], reduction)


def softmax_cross_entropy_grad(o, y, reduction="sum", g=1.0):
    """dl/do = softmax(o) - e_y  (002 (11.14))."""
    o, y = _logits_labels(o, y)
    grad = act.softmax(o) - np.eye(o.shape[-1], dtype=o.dtype)[y]
    return grad * _row_scale(g, o.shape[:-1], o.dtype, reduction)


def logistic_loss(w, b, x, y, reduction="sum"):
    """L(w, b) = -sum_n log sigma(y_n (w . x_n + b)) for y_n in {-1, 1}  (003 logistic regression)."""
    w, b, x, y = _check_logistic(w, b, x, y)
    return reduce(-act.log_sigmoid(y * (x @ w + b)), check_reduction(reduction))


def logistic_loss_grad(w, b, x, y, reduction="sum", g=1.0):
    """003: dL/db = -sum_n y_n sigma(-y_n(w.x_n + b)) (u_n); dL/dw_d = -sum_n x_nd y_n sigma(...) (v_nd)."""
    w, b, x, y = _check_logistic(w, b, x, y)
    scale = reduce_grad(g, (x.shape[0],), x.dtype, check_reduction(reduction))
    u = y * act.sigmoid(-y * (x @ w + b)) * scale
    return {"w": -(x * u[:, None]).sum(axis=0), "b": -u.sum()}  # shaped like w and b for every reduction


def _check_logistic(w, b, x, y):
    w = as_float("w", w, ndim=1)
    b = as_float("b", b, ndim=0)
    x = non_empty("x", as_float("x", x, ndim=2))
    y = as_float("y", y, ndim=1)
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"x: expected {w.shape[0]} columns to match w, got shape {x.shape}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"y: expected {x.shape[0]} labels, got shape {y.shape}")
    if not np.all(np.abs(y) == 1):
        raise ValueError("y: expected labels in {-1, 1}")
    same_dtype(w=w, b=b, x=x, y=y)
    return w, b, x, y


# ---------------------------------------------------------------- distribution distances
def _distributions(p, q):
    p, q = _pair(p, q, "p", "q", ndim=(1, 2), classes=True)
    check_simplex("p", p)
    check_simplex("q", q, strict=True)
    return p, q


def kl_divergence(p, q, reduction="sum"):
    """KL(p || q) = sum_k p_k log(p_k / q_k), with 0 log 0 = 0  (001 loss list)."""
    p, q = _distributions(p, q)
    terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1)) - np.log(q)), 0.0)
    return _rows(terms.sum(axis=-1), reduction)


def kl_divergence_grad(p, q, reduction="sum", g=1.0):
    """dKL/dp = log(p/q) + 1 (-inf where p_k = 0, the one-sided derivative), dKL/dq = -p/q."""
    p, q = _distributions(p, q)
    scale = _row_scale(g, p.shape[:-1], p.dtype, reduction)
    with np.errstate(divide="ignore"):
        dp = np.log(p) - np.log(q) + 1
    return {"p": dp * scale, "q": -p / q * scale}


def _histograms(p, q, dx):
    p, q = _pair(p, q, "p", "q", ndim=(1, 2), classes=True)
    return p, q, check_positive("dx", dx)


def wasserstein_1d(p, q, dx=1.0, reduction="sum"):
    """W1(p, q) = sum_{k<K} |P_k - Q_k| dx for histograms on one uniform grid (P, Q the CDFs)  (001).

    The last CDF difference P_K - Q_K is the difference of total masses, zero for two
    distributions; it is left out so that the distance stays smooth off the simplex.
    """
    p, q, dx = _histograms(p, q, dx)
    per = np.abs(np.cumsum(p - q, axis=-1)[..., :-1]).sum(axis=-1) * dx
    return _rows(per, reduction)


def wasserstein_1d_grad(p, q, dx=1.0, reduction="sum", g=1.0):
    """dW1/dp_j = dx sum_{j <= k < K} sign(P_k - Q_k); dW1/dq = -dW1/dp."""
    p, q, dx = _histograms(p, q, dx)
    sgn = np.sign(np.cumsum(p - q, axis=-1))
    sgn[..., -1] = 0.0
    dp = np.flip(np.cumsum(np.flip(sgn, -1), axis=-1), -1) * dx
    scale = _row_scale(g, p.shape[:-1], p.dtype, reduction)
    return {"p": dp * scale, "q": -dp * scale}


# ------------------------------------------------------------------------------------------ ops
def _pair_op(name, f, df, *, yhat_arg=Arg(("N", "K")), y_arg=Arg(("N", "K")), params=None,
             analytic=True, note="", kink_distance=None):
    yname, tname = "yhat", "y"
    return register_op(Op(
        name=name, fn=name, forward=lambda yhat, y, **p: f(yhat, y, **p),
        vjp=lambda g, yhat, y, **p: {"yhat": df(yhat, y, g=g, **p)},
        args={yname: yhat_arg, tname: y_arg}, params=dict(params or {}), analytic=analytic, note=note,
        kink_distance=kink_distance,
        bind=lambda m: (getattr(m, name),
                        lambda g, yhat, y, **p: {"yhat": getattr(m, name + "_grad")(yhat, y, g=g, **p)})))


_target = Arg(("N", "K"), differentiable=False)
SQUARED_ERROR = _pair_op("squared_error", squared_error, squared_error_grad, y_arg=_target,
                         params={"reduction": "sum"})
MSE = _pair_op("mse", mse, mse_grad, y_arg=_target, params={"reduction": "mean"})
L2_LOSS = _pair_op("l2_loss", l2_loss, l2_loss_grad, y_arg=_target, params={"reduction": "sum"})
MAE = _pair_op("mae", mae, mae_grad, y_arg=Arg(("N", "K"), low=-1, high=1, differentiable=False),
               yhat_arg=Arg(("N", "K"), low=-1, high=1), params={"reduction": "mean"}, analytic=False,
               note="kink where yhat = y; samples are kept apart by the margin on the difference")
HUBER = _pair_op("huber", huber, huber_grad, y_arg=Arg(("N", "K"), low=0, high=0, differentiable=False),
                 yhat_arg=Arg(("N", "K"), low=-3, high=3, kinks=(-1.0, 1.0)),
                 params={"delta": 1.0, "reduction": "mean"}, analytic=False,
                 kink_distance=lambda yhat, y, delta=1.0, **_: float(np.min(np.abs(np.abs(yhat - y) - delta))),
                 note="y = 0 so that the Huber boundary |yhat - y| = delta sits at yhat = +-1")
LOGCOSH = _pair_op("logcosh", logcosh, logcosh_grad, y_arg=_target, params={"reduction": "mean"},
                   analytic=False)
BCE_WITH_LOGITS = register_op(Op(
    name="binary_cross_entropy_with_logits", fn="binary_cross_entropy_with_logits",
    forward=lambda a, y, **p: binary_cross_entropy_with_logits(a, y, **p),
    vjp=lambda g, a, y, **p: {"a": binary_cross_entropy_with_logits_grad(a, y, g=g, **p)},
    args={"a": Arg(("N",), low=-8, high=8), "y": Arg(("N",), kind="binary")},
    params={"reduction": "sum"}, analytic=False,
    bind=lambda m: (m.binary_cross_entropy_with_logits,
                    lambda g, a, y, **p: {"a": m.binary_cross_entropy_with_logits_grad(a, y, g=g, **p)})))
BCE = register_op(Op(
    name="binary_cross_entropy", fn="binary_cross_entropy",
    forward=lambda p, y, **k: binary_cross_entropy(p, y, **k),
    vjp=lambda g, p, y, **k: {"p": binary_cross_entropy_grad(p, y, g=g, **k)},
    args={"p": Arg(("N",), low=0.05, high=0.95), "y": Arg(("N",), kind="binary")},
    params={"reduction": "sum"},
    bind=lambda m: (m.binary_cross_entropy,
                    lambda g, p, y, **k: {"p": m.binary_cross_entropy_grad(p, y, g=g, **k)})))
CATEGORICAL_CE = register_op(Op(
    name="categorical_cross_entropy", fn="categorical_cross_entropy",
    forward=lambda p, Y, **k: categorical_cross_entropy(p, Y, **k),
    vjp=lambda g, p, Y, **k: {"p": categorical_cross_entropy_grad(p, Y, g=g, **k)},
    args={"p": Arg(("N", "K"), kind="simplex"), "Y": Arg(("N", "K"), kind="onehot")},
    params={"reduction": "sum"},
    bind=lambda m: (m.categorical_cross_entropy,
                    lambda g, p, Y, **k: {"p": m.categorical_cross_entropy_grad(p, Y, g=g, **k)})))
SOFTMAX_CE = register_op(Op(
    name="softmax_cross_entropy", fn="softmax_cross_entropy",
    forward=lambda o, y, **k: softmax_cross_entropy(o, y, **k),
    vjp=lambda g, o, y, **k: {"o": softmax_cross_entropy_grad(o, y, g=g, **k)},
    args={"o": Arg(("N", "K"), low=-6, high=6), "y": Arg(("N",), kind="labels")},
    params={"reduction": "sum"}, analytic=False,
    bind=lambda m: (m.softmax_cross_entropy,
                    lambda g, o, y, **k: {"o": m.softmax_cross_entropy_grad(o, y, g=g, **k)})))
LOGISTIC = register_op(Op(
    name="logistic_loss", fn="logistic_loss",
    forward=lambda w, b, x, y, **k: logistic_loss(w, b, x, y, **k),
    vjp=lambda g, w, b, x, y, **k: logistic_loss_grad(w, b, x, y, g=g, **k),
    args={"w": Arg(("D",)), "b": Arg(()), "x": Arg(("N", "D"), differentiable=False),
          "y": Arg(("N",), kind="sign")},
    params={"reduction": "sum"}, analytic=False,
    bind=lambda m: (m.logistic_loss, lambda g, w, b, x, y, **k: m.logistic_loss_grad(w, b, x, y, g=g, **k))))
KL = register_op(Op(
    name="kl_divergence", fn="kl_divergence",
    forward=lambda p, q, **k: kl_divergence(p, q, **k),
    vjp=lambda g, p, q, **k: kl_divergence_grad(p, q, g=g, **k),
    args={"p": Arg(("N", "K"), kind="simplex"), "q": Arg(("N", "K"), kind="simplex")},
    params={"reduction": "sum"},
    bind=lambda m: (m.kl_divergence, lambda g, p, q, **k: m.kl_divergence_grad(p, q, g=g, **k))))
WASSERSTEIN = register_op(Op(
    name="wasserstein_1d", fn="wasserstein_1d",
    forward=lambda p, q, **k: wasserstein_1d(p, q, **k),
    vjp=lambda g, p, q, **k: wasserstein_1d_grad(p, q, g=g, **k),
    args={"p": Arg(("N", "K"), kind="simplex"), "q": Arg(("N", "K"), kind="simplex")},
    params={"dx": 0.5, "reduction": "sum"}, analytic=False,
    kink_distance=lambda p, q, **_: float(np.min(np.abs(np.cumsum(p - q, axis=-1)[..., :-1]))),
    note="kinks where the two CDFs cross; samples are drawn at least the margin away",
    bind=lambda m: (m.wasserstein_1d, lambda g, p, q, **k: m.wasserstein_1d_grad(p, q, g=g, **k))))
