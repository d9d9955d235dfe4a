"""Oracle forms for document 003 (EE-559 3b, Multi-Layer Perceptrons), written with torch / JAX.

fn names (as in the reference's `Op.fn`):
  ee559_mlp              sum_n ||x^(L)_n - y_n||^2 for x^(l) = sigma(W^(l) x^(l-1) + b^(l)), sigma at
                         every layer (the slides' MLP); args x, y, W1, b1, ..., WL, bL; params sizes,
                         activation ("tanh", "sigmoid" or "relu")
  ee559_quadratic_model  L0 + gL0 . (w - w0) + ||w - w0||^2 / (2 n)  (the local model of gradient
                         descent); args w, w0, gL0, L0; param n
  ee559_chain            sin(z^3 - 2 z), elementwise (an instance of (g o f)' = (g' o f) f')
  ee559_composition      f3(f2(f1(x))) row-wise on (N, 3) with
                         f1(x) = (x1 x2, sin x3, x1 + x3^2), f2(u) = (tanh(u1 + u2), u2 u3, u1 - u3^2),
                         f3(v) = (v1 v2, cos v3, v1 + v2 + v3)
Nothing here imports the reference implementation.
"""
from __future__ import annotations


def _layers(kw, sizes):
    L = len(sizes) - 1
    return [(kw[f"W{l}"], kw[f"b{l}"]) for l in range(1, L + 1)]


def torch_forms(torch, F):
    acts = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": F.relu}

    def ee559_mlp(x, y, sizes, activation, **kw):
        h = x
        for W, b in _layers(kw, sizes):
            h = acts[activation](F.linear(h, W, b))
        return ((h - y) ** 2).sum()

    def ee559_quadratic_model(w, w0, gL0, L0, n):
        d = w - w0
        return L0 + torch.dot(gL0, d) + torch.dot(d, d) / (2 * n)

    def ee559_chain(z):
        return torch.sin(z ** 3 - 2 * z)

    def ee559_composition(x):
        x1, x2, x3 = x.unbind(-1)
        u = torch.stack([x1 * x2, torch.sin(x3), x1 + x3 ** 2], dim=-1)
        u1, u2, u3 = u.unbind(-1)
        v = torch.stack([torch.tanh(u1 + u2), u2 * u3, u1 - u3 ** 2], dim=-1)
        v1, v2, v3 = v.unbind(-1)
        return torch.stack([v1 * v2, torch.cos(v3), v1 + v2 + v3], dim=-1)

    return {"ee559_mlp": ee559_mlp, "ee559_quadratic_model": ee559_quadratic_model,
            "ee559_chain": ee559_chain, "ee559_composition": ee559_composition}


def jax_forms(jax, jnp):
    acts = {"tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid, "relu": jax.nn.relu}

    def ee559_mlp(x, y, sizes, activation, **kw):
        h = x
        for W, b in _layers(kw, sizes):
            h = acts[activation](h @ W.T + b)
        return jnp.sum((h - y) ** 2)

    def ee559_quadratic_model(w, w0, gL0, L0, n):
        d = w - w0
        return L0 + jnp.dot(gL0, d) + jnp.dot(d, d) / (2 * n)

    def ee559_chain(z):
        return jnp.sin(z ** 3 - 2 * z)

    def ee559_composition(x):
        x1, x2, x3 = x[..., 0], x[..., 1], x[..., 2]
        u = jnp.stack([x1 * x2, jnp.sin(x3), x1 + x3 ** 2], axis=-1)
        u1, u2, u3 = u[..., 0], u[..., 1], u[..., 2]
        v = jnp.stack([jnp.tanh(u1 + u2), u2 * u3, u1 - u3 ** 2], axis=-1)
        v1, v2, v3 = v[..., 0], v[..., 1], v[..., 2]
        return jnp.stack([v1 * v2, jnp.cos(v3), v1 + v2 + v3], axis=-1)

    return {"ee559_mlp": ee559_mlp, "ee559_quadratic_model": ee559_quadratic_model,
            "ee559_chain": ee559_chain, "ee559_composition": ee559_composition}
