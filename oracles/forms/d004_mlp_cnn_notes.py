"""Oracle forms for document 004 (MLPs + CNNs notes): none needed.

Every op of 004 implements an existing function: "linear" (the FC layer: forward as the sum over j,
backward as B-PASS ⓐ/ⓑ; its input x is the notes' h^(l-1)) and "relu" (the ReLU layer), whose
forms the shared oracle modules provide.
"""


def torch_forms(torch, F):
    return {}


def jax_forms(jax, jnp):
    return {}
