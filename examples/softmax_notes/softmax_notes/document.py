"""The softmax notes (notes.md): entries in document order, each checked by computation.

Shapes follow torch.nn.Linear: W₁ is (H, D), W₂ is (K, H); a batch is rows x (N, D) with 0-based
labels y (N,), and the losses are summed over the batch, as the notes say.
"""
from __future__ import annotations

import numpy as np

from mlp_ref import activations, losses
from mlp_ref.gradient import numerical_gradient
from mlp_ref.registry import FD_TOL, Arg, Op, document, entry, register_op

SRC = "softmax-notes"
DOCUMENT = document(SRC, title="Softmax cross-entropy and a two-layer network (example notes)",
                    citation="mlp-ref example document package, examples/softmax_notes/softmax_notes/notes.md",
                    prefix="softmax-notes-", expected="softmax_notes.expected")

SEED = 13  # the inputs of the finite-difference comparisons


# ----------------------------------------------------------------------------------- formulas
def ce_vjp(g, o, y):
    """(2): ∂L/∂z = p − e_y per sample, times the upstream gradient g of the summed loss."""
    p = activations.softmax(o)
    return {"o": g * (p - np.eye(o.shape[-1], dtype=o.dtype)[y])}


def two_layer_loss(W1, b1, W2, b2, x, y):
    """(3): L = Σₙ −log softmax(W₂ tanh(W₁xₙ + b₁) + b₂)_{yₙ}."""
    h = np.tanh(x @ W1.T + b1)
    return losses.softmax_cross_entropy(h @ W2.T + b2, y)


def two_layer_vjp(tanh_grad):
    """(4)–(6) with the hidden layer's derivative `tanh_grad(h)`: 1 − h as printed, 1 − h² corrected."""
    def vjp(g, W1, b1, W2, b2, x, y):
        h = np.tanh(x @ W1.T + b1)
        delta = g * (activations.softmax(h @ W2.T + b2) - np.eye(W2.shape[0], dtype=x.dtype)[y])  # (2)
        delta_h = (delta @ W2) * tanh_grad(h)  # (5)
        return {"W2": delta.T @ h, "b2": delta.sum(0), "W1": delta_h.T @ x, "b1": delta_h.sum(0),
                "x": delta_h @ W1}
    return vjp


CE = register_op(Op(name="softmax-notes-ce", fn="softmax_cross_entropy",
                    forward=lambda o, y: losses.softmax_cross_entropy(o, y), vjp=ce_vjp,
                    args={"o": Arg(("N", "K")), "y": Arg(("N",), kind="labels")},
                    note="(1) summed over the batch, with the gradient (2)"))
_NET_ARGS = {"W1": Arg(("H", "D")), "b1": Arg(("H",)), "W2": Arg(("K", "H")), "b2": Arg(("K",)),
             "x": Arg(("N", "D")), "y": Arg(("N",), kind="labels")}
NET_AS_PRINTED = register_op(Op(name="softmax-notes-two-layer-as-printed", fn="softmax_notes_two_layer",
                                forward=two_layer_loss, vjp=two_layer_vjp(lambda h: 1.0 - h), args=_NET_ARGS,
                                note="(4)-(6) with (5) as printed: (W₂ᵀδ) ⊙ (1 − h)"))
NET = register_op(Op(name="softmax-notes-two-layer", fn="softmax_notes_two_layer", forward=two_layer_loss,
                     vjp=two_layer_vjp(lambda h: 1.0 - h * h), args=_NET_ARGS,
                     note="(4)-(6) with tanh' = 1 − h² in (5)"))


def _inputs(op):
    return op.sample(np.random.default_rng(SEED), np.float64)


def _fd(f, v):
    return numerical_gradient(f, v, eps=1e-6, method="central")


# -------------------------------------------------------------------------------------- entries
@entry(id="softmax-notes-ce-gradient", source=SRC, location="§1, (1)–(2)", kind="formula",
       statement="L(z, y) = −log p_y with p = softmax(z); ∂L/∂z = p − e_y", op=CE)
def _ce_gradient(r):
    v = _inputs(CE)
    o, y = v["o"], v["y"]
    r.close("∂L/∂z (2)", ce_vjp(1.0, o, y)["o"], _fd(lambda u: float(losses.softmax_cross_entropy(u, y)), o),
            what="p − e_y against central differences of the summed loss (1)", **FD_TOL,
            severity="error", why="a wrong logit gradient gives wrong updates everywhere downstream")


@entry(id="softmax-notes-example-1", source=SRC, location="§1, Example 1", kind="example",
       statement="For z = (2, 1, 0) and y = 0, p = (0.665, 0.245, 0.090) and L = 0.41.",
       documented={"p_0": "0.665", "p_1": "0.245", "p_2": "0.090", "L": "0.41"})
def _example_1(r):
    z = np.array([2.0, 1.0, 0.0])
    p = activations.softmax(z)
    for k in range(3):
        r.number(f"p_{k}", p[k], what=f"the printed p_{k}", severity="error",
                 why="a reader checking the example against the printed value is misled")
    r.number("L", losses.softmax_cross_entropy(z[None], np.array([0])), what="the printed loss",
             severity="error", why="a reader checking the example against the printed value is misled")


@entry(id="softmax-notes-two-layer", source=SRC, location="§2, (3)", kind="definition",
       statement="h = tanh(W₁x + b₁), z = W₂h + b₂, and the loss L(z, y) of (1)")
def _two_layer(r):
    v = _inputs(NET)
    h = np.tanh(v["x"] @ v["W1"].T + v["b1"])
    z = h @ v["W2"].T + v["b2"]
    by_row = sum(-np.log(activations.softmax(z[n])[v["y"][n]]) for n in range(len(z)))
    r.close("L (3)", lambda: two_layer_loss(**v), np.asarray(by_row),
            what="the batched loss against the per-sample formula summed", severity="error",
            why="the network's loss is the quantity every gradient differentiates")


@entry(id="softmax-notes-backprop", source=SRC, location="§2, (4)–(6)", kind="formula",
       statement="∂L/∂W₂ = δ hᵀ, ∂L/∂b₂ = δ, δ_h = (W₂ᵀ δ) ⊙ (1 − h), ∂L/∂W₁ = δ_h xᵀ, ∂L/∂b₁ = δ_h",
       op=NET_AS_PRINTED, corrected=NET,
       corrected_statement="δ_h = (W₂ᵀ δ) ⊙ (1 − h²), since tanh′(a) = 1 − tanh²(a)")
def _backprop(r):
    v = _inputs(NET)
    printed, fixed = NET_AS_PRINTED.vjp(1.0, **v), NET.vjp(1.0, **v)
    for name, where in (("W2", "(4)"), ("b2", "(4)"), ("W1", "(6) with (5)"), ("b1", "(6) with (5)")):
        def loss(u, name=name):
            return float(two_layer_loss(**{**v, name: u}))
        r.close(f"∂L/∂{name} {where}", printed[name], _fd(loss, v[name]), corrected=fixed[name],
                what=f"∂L/∂{name} as printed against central differences", **FD_TOL,
                severity="error", why="(5) uses 1 − h for tanh′; a reader following it trains with wrong "
                                      "gradients for the first layer")
