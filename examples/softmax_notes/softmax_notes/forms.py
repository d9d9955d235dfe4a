"""Oracle forms of the softmax notes: the two-layer network's loss (3) with each framework's own
operations. The softmax cross-entropy of (1) is the shared form `softmax_cross_entropy`.
Never imports mlp_ref or softmax_notes.document: the oracles are independent of what they check.
"""


def torch_forms(torch, F):
    def softmax_notes_two_layer(W1, b1, W2, b2, x, y):
        z = F.linear(torch.tanh(F.linear(x, W1, b1)), W2, b2)
        return F.cross_entropy(z, y.long(), reduction="sum")

    return {"softmax_notes_two_layer": softmax_notes_two_layer}


def jax_forms(jax, jnp):
    def softmax_notes_two_layer(W1, b1, W2, b2, x, y):
        z = jnp.tanh(x @ W1.T + b1) @ W2.T + b2
        logp = jax.nn.log_softmax(z, axis=-1)
        return -jnp.sum(jnp.take_along_axis(logp, y[:, None], axis=-1))

    return {"softmax_notes_two_layer": softmax_notes_two_layer}
