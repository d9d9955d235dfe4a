"""Oracle forms for the functions document 001 (TUM ML Lecture 7: Deep Learning I) adds to the catalog.

tum7_basis_model:    f = σ(φ w) for basis rows φ (N, M), w (M,)                        (1)
tum7_xor_features:   φ(x) = (σ(5 + x1 + x2), σ(5 - x1 - x2)) for x (N, 2)            (XOR example)
tum7_ffnn_bce:       -Σ_n BCE(y_n, σ(w1 · σ(W0 [1, x_n]))), W0 (H, 3), no output bias  (1 hidden layer)
tum7_deep_mlp:       σ(W2 tanh(W1 tanh(W0 x))) for rows x (N, D), no biases               (deep MLP)
gaussian_nll:        -Σ_n log N(y_n | f_n, 1)                                          (Example 3)
toy_f:               f(x) = 2 / sin(exp(-x)), elementwise                              (toy example)
tum7_regression_net: E = (V σ(W x + b) + c - y)^2 for one sample, a scalar            (regression network)
W is (H, D) as torch.nn.Linear. Never imports mlp_ref.
"""


def torch_forms(torch, F):
    def with_one(x):
        return torch.cat([torch.ones_like(x[..., :1]), x], dim=-1)

    def tum7_basis_model(phi, w):
        return torch.sigmoid(phi @ w)

    def tum7_deep_mlp(x, W0, W1, W2):
        return torch.sigmoid(F.linear(torch.tanh(F.linear(torch.tanh(F.linear(x, W0)), W1)), W2))

    def tum7_xor_features(x):
        A = torch.tensor([[5.0, 1.0, 1.0], [5.0, -1.0, -1.0]], dtype=x.dtype, device=x.device)
        return torch.sigmoid(F.linear(with_one(x), A))

    def tum7_ffnn_bce(x, y, W0, w1):
        z = F.linear(torch.sigmoid(F.linear(with_one(x), W0)), w1[None, :])[..., 0]
        return F.binary_cross_entropy_with_logits(z, y, reduction="sum")

    def gaussian_nll(f, y):
        return -torch.distributions.Normal(f, torch.ones_like(f)).log_prob(y).sum()

    def toy_f(x):
        return 2 / torch.sin(torch.exp(-x))

    def tum7_regression_net(x, y, W, b, V, c):
        yhat = F.linear(torch.sigmoid(F.linear(x, W, b)), V, c)
        return F.mse_loss(yhat, y, reduction="sum")

    return {"tum7_basis_model": tum7_basis_model, "tum7_deep_mlp": tum7_deep_mlp,
            "tum7_xor_features": tum7_xor_features, "tum7_ffnn_bce": tum7_ffnn_bce,
            "gaussian_nll": gaussian_nll, "toy_f": toy_f, "tum7_regression_net": tum7_regression_net}


def jax_forms(jax, jnp):
    def with_one(x):
        return jnp.concatenate([jnp.ones_like(x[..., :1]), x], axis=-1)

    def tum7_basis_model(phi, w):
        return jax.nn.sigmoid(phi @ w)

    def tum7_deep_mlp(x, W0, W1, W2):
        return jax.nn.sigmoid(jnp.tanh(jnp.tanh(x @ W0.T) @ W1.T) @ W2.T)

    def tum7_xor_features(x):
        A = jnp.array([[5.0, 1.0, 1.0], [5.0, -1.0, -1.0]], dtype=x.dtype)
        return jax.nn.sigmoid(with_one(x) @ A.T)

    def tum7_ffnn_bce(x, y, W0, w1):
        z = jax.nn.sigmoid(with_one(x) @ W0.T) @ w1
        return jnp.sum(-y * jax.nn.log_sigmoid(z) - (1 - y) * jax.nn.log_sigmoid(-z))

    def gaussian_nll(f, y):
        return -jnp.sum(jax.scipy.stats.norm.logpdf(y, loc=f, scale=1.0))

    def toy_f(x):
        return 2 / jnp.sin(jnp.exp(-x))

    def tum7_regression_net(x, y, W, b, V, c):
        yhat = V @ jax.nn.sigmoid(W @ x + b) + c
        return jnp.sum((yhat - y) ** 2)

    return {"tum7_basis_model": tum7_basis_model, "tum7_deep_mlp": tum7_deep_mlp,
            "tum7_xor_features": tum7_xor_features, "tum7_ffnn_bce": tum7_ffnn_bce,
            "gaussian_nll": gaussian_nll, "toy_f": toy_f, "tum7_regression_net": tum7_regression_net}

