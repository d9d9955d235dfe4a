"""Oracle forms for the functions document 000 (FAU, Layer Abstraction) adds; never imports mlp_ref.

linear_bias_folded(w, x): ŷ = w^T [x; 1], w (D+1,), x (D,) or rows (N, D).
l2_linear(W, x, y): L = 1/2 ||W x - y||^2, x (D,), y (H,).
linear3_l2(x, y, W1, W2, W3): L = 1/2 ||W3 W2 W1 x - y||^2.
"""


def torch_forms(torch, F):
    def linear_bias_folded(w, x):
        return F.linear(F.pad(x, (0, 1), value=1.0), w.unsqueeze(0)).squeeze(-1)

    def l2_linear(W, x, y):
        return 0.5 * F.mse_loss(F.linear(x, W), y, reduction="sum")

    def linear3_l2(x, y, W1, W2, W3):
        return 0.5 * F.mse_loss(F.linear(F.linear(F.linear(x, W1), W2), W3), y, reduction="sum")

    return {"linear_bias_folded": linear_bias_folded, "l2_linear": l2_linear, "linear3_l2": linear3_l2}


def jax_forms(jax, jnp):
    def linear_bias_folded(w, x):
        return jnp.concatenate([x, jnp.ones(x.shape[:-1] + (1,), dtype=x.dtype)], axis=-1) @ w

    def l2_linear(W, x, y):
        return 0.5 * jnp.sum(jnp.square(jnp.matmul(W, x) - y))

    def linear3_l2(x, y, W1, W2, W3):
        return 0.5 * jnp.sum(jnp.square(jnp.linalg.multi_dot([W3, W2, W1, x[:, None]])[:, 0] - y))

    return {"linear_bias_folded": linear_bias_folded, "l2_linear": l2_linear, "linear3_l2": linear3_l2}
