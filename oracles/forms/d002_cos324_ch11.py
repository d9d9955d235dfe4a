"""Oracle forms for the functions document 002 (COS 324, Chapter 11) adds to the catalog.

cos324_relu_layer: h^(k+1) = ReLU(W h^(k))   (Example 11.4.5, (11.16), (11.18))
cos324_tanh_layer: h^(k+1) = tanh(W h^(k))   (Problem 11.4.8 with f = tanh)
W is (H, D) as torch.nn.Linear; x is (D,) or rows (N, D). Never imports mlp_ref.
"""


def torch_forms(torch, F):
    def cos324_relu_layer(W, x):
        return F.relu(F.linear(x, W))

    def cos324_tanh_layer(W, x):
        return torch.tanh(F.linear(x, W))

    return {"cos324_relu_layer": cos324_relu_layer, "cos324_tanh_layer": cos324_tanh_layer}


def jax_forms(jax, jnp):
    def cos324_relu_layer(W, x):
        return jax.nn.relu(x @ W.T)

    def cos324_tanh_layer(W, x):
        return jnp.tanh(x @ W.T)

    return {"cos324_relu_layer": cos324_relu_layer, "cos324_tanh_layer": cos324_tanh_layer}
