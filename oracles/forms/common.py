"""Forms of the shared functions (activations, layers, losses, MLP) in torch and in JAX.

Conventions match the reference: the first axis is the sample axis; a loss's per-sample value
sums over any further axes; "sum" adds the per-sample values, "mean" divides by the number of
samples N (not by the number of elements); softmax and log_softmax act on the last axis; class
labels are 0-based; W is (H, D) so s = x W^T + b.
"""
from __future__ import annotations

import math

LOG2 = math.log(2.0)


def _reducer(per_sample_sum):
    """reduce(values, reduction): the reference's per-sample sum, then sum / mean over axis 0."""

    def per_sample(v):
        return per_sample_sum(v) if v.ndim > 1 else v

    def reduce(per, reduction):
        if reduction not in ("sum", "mean", "none"):
            raise ValueError(f"reduction: expected 'sum', 'mean' or 'none', got {reduction!r}")
        if reduction == "none" or per.ndim == 0:
            return per
        return per.sum(0) if reduction == "sum" else per.mean(0)

    return per_sample, reduce


def torch_forms(torch, F):
    per_sample, reduce = _reducer(lambda v: v.reshape(v.shape[0], -1).sum(1))

    def finish(values, reduction):
        return reduce(per_sample(values), reduction)

    def rows(per, reduction, batched):
        return reduce(per, reduction) if batched else per

    def squared_error(yhat, y, reduction="sum"):
        return finish(F.mse_loss(yhat, y, reduction="none"), reduction)

    def mse(yhat, y, reduction="mean"):
        return finish(F.mse_loss(yhat, y, reduction="none"), reduction)

    def l2_loss(yhat, y, reduction="sum"):
        return finish(0.5 * F.mse_loss(yhat, y, reduction="none"), reduction)

    def mae(yhat, y, reduction="mean"):
        return finish(F.l1_loss(yhat, y, reduction="none"), reduction)

    def huber(yhat, y, delta=1.0, reduction="mean"):
        return finish(F.huber_loss(yhat, y, reduction="none", delta=delta), reduction)

    def logcosh(yhat, y, reduction="mean"):
        r = yhat - y
        return finish(r + F.softplus(-2 * r) - LOG2, reduction)

    def binary_cross_entropy(p, y, reduction="sum"):
        return finish(F.binary_cross_entropy(p, y, reduction="none"), reduction)

    def binary_cross_entropy_with_logits(a, y, reduction="sum"):
        return finish(F.binary_cross_entropy_with_logits(a, y, reduction="none"), reduction)

    def categorical_cross_entropy(p, Y, reduction="sum"):
        return reduce(-(Y * torch.log(p)).sum(-1), reduction)

    def softmax_cross_entropy(o, y, reduction="sum"):
        per = F.cross_entropy(o, y.long(), reduction="none")  # unbatched (K,) with scalar y works too
        return rows(per, reduction, o.ndim == 2)

    def logistic_loss(w, b, x, y, reduction="sum"):
        return reduce(-F.logsigmoid(y * (x @ w + b)), reduction)

    def kl_divergence(p, q, reduction="sum"):
        per = F.kl_div(torch.log(q), p, reduction="none").sum(-1)  # p log(p/q), 0 where p = 0
        return rows(per, reduction, p.ndim == 2)

    def wasserstein_1d(p, q, dx=1.0, reduction="sum"):
        per = torch.cumsum(p - q, -1)[..., :-1].abs().sum(-1) * dx
        return rows(per, reduction, p.ndim == 2)

    activations = {
        "identity": lambda s: s, "relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
        "swish": F.silu, "elu": lambda s: F.elu(s, alpha=1.0),
        "leaky_relu": lambda s: F.leaky_relu(s, negative_slope=0.1),
    }
    losses = {"softmax_cross_entropy": softmax_cross_entropy, "squared_error": squared_error, "mse": mse}

    def mlp(x, y, sizes, activation="tanh", loss="softmax_cross_entropy", reduction="sum", **Wb):
        h = x
        L = len(sizes) - 1
        for l in range(1, L + 1):
            s = F.linear(h, Wb[f"W{l}"], Wb.get(f"b{l}"))
            h = s if l == L else activations[activation](s)
        return losses[loss](h, y, reduction=reduction)

    return {
        "sigmoid": lambda z: torch.sigmoid(z),
        "tanh": lambda z: torch.tanh(z),
        "relu": lambda z: F.relu(z),
        "leaky_relu": lambda z, slope=0.1: F.leaky_relu(z, negative_slope=slope),
        "elu": lambda z, alpha=1.0: F.elu(z, alpha=alpha),
        "swish": lambda z: F.silu(z),
        "softmax": lambda z: torch.softmax(z, dim=-1),
        "log_softmax": lambda z: F.log_softmax(z, dim=-1),
        "linear": lambda W, x: F.linear(x, W),
        "affine": lambda W, x, b: F.linear(x, W, b),
        "squared_error": squared_error,
        "mse": mse,
        "l2_loss": l2_loss,
        "mae": mae,
        "huber": huber,
        "logcosh": logcosh,
        "binary_cross_entropy": binary_cross_entropy,
        "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
        "categorical_cross_entropy": categorical_cross_entropy,
        "softmax_cross_entropy": softmax_cross_entropy,
        "logistic_loss": logistic_loss,
        "kl_divergence": kl_divergence,
        "wasserstein_1d": wasserstein_1d,
        "mlp": mlp,
    }


def jax_forms(jax, jnp):
    """JAX forms; where jax.nn allows it they also accept complex inputs (for the complex step)."""
    per_sample, reduce = _reducer(lambda v: v.reshape(v.shape[0], -1).sum(1))
    xlogy = jax.scipy.special.xlogy

    def finish(values, reduction):
        return reduce(per_sample(values), reduction)

    def rows(per, reduction, batched):
        return reduce(per, reduction) if batched else per

    def squared_error(yhat, y, reduction="sum"):
        return finish((yhat - y) ** 2, reduction)

    def mse(yhat, y, reduction="mean"):
        return finish((yhat - y) ** 2, reduction)

    def l2_loss(yhat, y, reduction="sum"):
        return finish(0.5 * (yhat - y) ** 2, reduction)

    def mae(yhat, y, reduction="mean"):
        return finish(jnp.abs(yhat - y), reduction)

    def huber(yhat, y, delta=1.0, reduction="mean"):
        r = jnp.abs(yhat - y)
        return finish(jnp.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta)), reduction)

    def logcosh(yhat, y, reduction="mean"):
        r = yhat - y
        return finish(r + jax.nn.softplus(-2 * r) - LOG2, reduction)

    def binary_cross_entropy(p, y, reduction="sum"):
        return finish(-(y * jnp.log(p) + (1 - y) * jnp.log1p(-p)), reduction)

    def binary_cross_entropy_with_logits(a, y, reduction="sum"):
        return finish(-(y * jax.nn.log_sigmoid(a) + (1 - y) * jax.nn.log_sigmoid(-a)), reduction)

    def categorical_cross_entropy(p, Y, reduction="sum"):
        return reduce(-(Y * jnp.log(p)).sum(-1), reduction)

    def softmax_cross_entropy(o, y, reduction="sum"):
        logp = jax.nn.log_softmax(o, axis=-1)
        per = -jnp.take_along_axis(logp, jnp.expand_dims(y, -1), axis=-1)[..., 0]
        return rows(per, reduction, o.ndim == 2)

    def logistic_loss(w, b, x, y, reduction="sum"):
        return reduce(-jax.nn.log_sigmoid(y * (x @ w + b)), reduction)

    def kl_divergence(p, q, reduction="sum"):
        per = (xlogy(p, p) - xlogy(p, q)).sum(-1)
        return rows(per, reduction, p.ndim == 2)

    def wasserstein_1d(p, q, dx=1.0, reduction="sum"):
        per = jnp.abs(jnp.cumsum(p - q, -1)[..., :-1]).sum(-1) * dx
        return rows(per, reduction, p.ndim == 2)

    activations = {
        "identity": lambda s: s, "relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid,
        "swish": jax.nn.silu, "elu": lambda s: jax.nn.elu(s, alpha=1.0),
        "leaky_relu": lambda s: jax.nn.leaky_relu(s, negative_slope=0.1),
    }
    losses = {"softmax_cross_entropy": softmax_cross_entropy, "squared_error": squared_error, "mse": mse}

    def mlp(x, y, sizes, activation="tanh", loss="softmax_cross_entropy", reduction="sum", **Wb):
        h = x
        L = len(sizes) - 1
        for l in range(1, L + 1):
            s = h @ Wb[f"W{l}"].T
            if Wb.get(f"b{l}") is not None:
                s = s + Wb[f"b{l}"]
            h = s if l == L else activations[activation](s)
        return losses[loss](h, y, reduction=reduction)

    return {
        "sigmoid": lambda z: jax.nn.sigmoid(z),
        "tanh": lambda z: jnp.tanh(z),
        "relu": lambda z: jax.nn.relu(z),
        "leaky_relu": lambda z, slope=0.1: jax.nn.leaky_relu(z, negative_slope=slope),
        "elu": lambda z, alpha=1.0: jax.nn.elu(z, alpha=alpha),
        "swish": lambda z: jax.nn.silu(z),
        "softmax": lambda z: jax.nn.softmax(z, axis=-1),
        "log_softmax": lambda z: jax.nn.log_softmax(z, axis=-1),
        "linear": lambda W, x: x @ W.T,
        "affine": lambda W, x, b: x @ W.T + b,
        "squared_error": squared_error,
        "mse": mse,
        "l2_loss": l2_loss,
        "mae": mae,
        "huber": huber,
        "logcosh": logcosh,
        "binary_cross_entropy": binary_cross_entropy,
        "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
        "categorical_cross_entropy": categorical_cross_entropy,
        "softmax_cross_entropy": softmax_cross_entropy,
        "logistic_loss": logistic_loss,
        "kl_divergence": kl_divergence,
        "wasserstein_1d": wasserstein_1d,
        "mlp": mlp,
    }
