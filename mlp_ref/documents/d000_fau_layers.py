"""000 — FAU Deep Learning, Feedforward Networks Part 4: Layer Abstraction (a lecture transcript).

The transcript speaks its formulas, and its symbol strings lose subscripts, minus signs, ᵀ and
parentheses ("Wxy", "W WWxy", "(WWx)"); its preface says it was made largely automatically. Each
statement quotes the formula-bearing phrases verbatim and each entry states its reading:
  * a symbol string without operators is read as the only formula its words allow ("the inner
    part of the L2 norm" for "W WWxy" is W3 W2 W1 x - y); a vector named without orientation
    ("times x", "(WWx), as we’ve seen on the previous slide") is the row x^T of ¶6 when the
    words say the product is a matrix or multiplies from the right;
  * the lecture writes gradients as columns and a layer's input derivative as W^T applied from
    the left (¶6, denominator layout: a convention, owned by fau-fc-dx); a spoken "it’s gonna be
    W ... multiply it from the left-hand side" (¶10) is true of the Jacobian W (numerator layout)
    left-multiplied by the error row, and equally of ¶6's W^T with the "transpose" unspoken:
    under either reading the product is right, and the entry holds, naming the reading.
Paragraphs are counted from "These are the lecture notes" (¶1) to "What happens next time" (¶13).

Shapes: x is one column vector (D,), W is (H, D), the bias-folded weight vector is (D+1,); the
three-layer network is f̂3(x) = W3 W2 W1 x with W_l of shape (d_l, d_(l-1)).
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import layers, losses
from .._validate import as_float, same_dtype
from ..activations import softmax, tanh, tanh_grad
from ..gradient import gradient_descent_step, numerical_gradient, numerical_jacobian
from ..registry import FD_TOL, Arg, Op, entry, register_op

SRC = "000_1d7cd03ac9423737.txt"
# -- document declaration (mlp_ref.registry.document); registered in pyproject.toml under
# [project.entry-points."mlp_ref.documents"], forms under "mlp_ref.forms"
from ..registry import document  # noqa: E402

DOCUMENT = document(SRC, title="FAU Deep Learning, Feedforward Networks Part 4: Layer Abstraction",
                    citation="Lecture Notes in Deep Learning: Feedforward Networks – Part 4, Layer Abstraction (transcript of FAU's lecture video), text copy 000_1d7cd03ac9423737.txt",
                    prefix="fau-")

# Steps for central differences: for the losses here, polynomials of degree <= 2 in each checked
# argument, the error is rounding alone, about eps_mach * |L| / FD_EPS; elsewhere FD_EPS_SMOOTH
# keeps the O(eps^2) truncation error near 1e-10; both well inside registry.FD_TOL.
FD_EPS = 1e-4
FD_EPS_SMOOTH = 1e-5

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}


# ----------------------------------------------------------------------------- the reference
def neuron_bias_folded(w, x):
    """ŷ = w^T [x; 1]: the bias is the last element of w (000 ¶3); w (D+1,), x (D,) or rows (N, D)."""
    w = as_float("w", w, ndim=1)
    x = as_float("x", x, ndim=(1, 2))
    if w.shape[0] != x.shape[-1] + 1:
        raise ValueError(f"w: expected {x.shape[-1] + 1} weights (one per feature of x plus the bias), "
                         f"got shape {w.shape}")
    same_dtype(w=w, x=x)
    return _extend(x) @ w


def _extend(x):
    return np.concatenate([x, np.ones(x.shape[:-1] + (1,), dtype=x.dtype)], axis=-1)


def _check_chain(x, y, Ws):
    if not isinstance(Ws, (list, tuple)) or not Ws:
        raise ValueError("Ws: expected a non-empty list of weight matrices [W1, ..., WL]")
    x = as_float("x", x, ndim=1)
    Ws = [as_float(f"Ws[{i}]", W, ndim=2) for i, W in enumerate(Ws)]
    width = x.shape[0]
    for i, W in enumerate(Ws):
        if W.shape[1] != width:
            raise ValueError(f"Ws[{i}]: expected {width} columns to match the previous layer, got shape {W.shape}")
        width = W.shape[0]
    y = as_float("y", y, ndim=1)
    if y.shape != (width,):
        raise ValueError(f"y: expected shape ({width},) to match the network output, got {y.shape}")
    same_dtype(x=x, y=y, **{f"Ws[{i}]": W for i, W in enumerate(Ws)})
    return x, y, Ws


def _check_layer_index(l, L):
    if isinstance(l, bool) or not isinstance(l, numbers.Integral) or not 1 <= l <= L:
        raise ValueError(f"l: expected a layer index 1..{L} (1-based, as W1, W2, W3), got {l!r}")
    return int(l)


def linear_chain_l2(x, y, Ws):
    """L = 1/2 ||W_L ... W_1 x - y||^2  (000 ¶7 with one layer, ¶8 with three); x (D,), y (d_L,)."""
    x, y, Ws = _check_chain(x, y, Ws)
    f = x
    for W in Ws:
        f = W @ f
    return 0.5 * np.sum((f - y) ** 2)


def lecture_gradient_factors(l, x, y, Ws):
    """The factors of dL/dW_l in the lecture's chain-rule order with the side each multiplies from.

    dL/dW_l = dL/df̂_L · df̂_L/df̂_(L-1) ··· df̂_(l+1)/df̂_l · df̂_l/dW_l
            = (f̂_L - y) [start], W_L^T [left], ..., W_(l+1)^T [left], f̂_(l-1)^T [right]  (000 ¶9-¶10).
    Returns a list of (side, array); the start is a column (d_L, 1), the last factor a row.
    """
    x, y, Ws = _check_chain(x, y, Ws)
    l = _check_layer_index(l, len(Ws))
    f = [x]
    for W in Ws:
        f.append(W @ f[-1])
    factors = [("start", (f[-1] - y)[:, None])]
    factors += [("left", Ws[k - 1].T) for k in range(len(Ws), l, -1)]
    factors.append(("right", f[l - 1][None, :]))
    return factors


def lecture_gradient(l, x, y, Ws):
    """dL/dW_l of the linear chain, applying `lecture_gradient_factors` each from its side; (d_l, d_(l-1))."""
    factors = lecture_gradient_factors(l, x, y, Ws)
    M = factors[0][1]
    for side, A in factors[1:]:
        M = A @ M if side == "left" else M @ A
    return M


class _Count:
    """Matrix-vector and outer products that count their scalar multiplications."""

    def __init__(self):
        self.mults = 0

    def matvec(self, A, v):
        self.mults += A.size
        return A @ v

    def outer(self, u, v):
        self.mults += u.size * v.size
        return np.outer(u, v)


def linear_chain_l2_gradients(x, y, Ws, reuse=True):
    """([dL/dW_1, ..., dL/dW_L], scalar multiplications spent) for L = 1/2 ||W_L ... W_1 x - y||^2.

    reuse=True is backpropagation (000 ¶11): one forward pass keeps every f̂_l and the error vector
    delta_(l-1) = W_l^T delta_l is passed down once. reuse=False evaluates each dL/dW_l from scratch
    as its own product of factors, recomputing the forward pass and the transposed chain.
    """
    x, y, Ws = _check_chain(x, y, Ws)
    if not isinstance(reuse, bool):
        raise ValueError(f"reuse: expected True or False, got {reuse!r}")
    c, L = _Count(), len(Ws)
    if reuse:
        f = [x]
        for W in Ws:
            f.append(c.matvec(W, f[-1]))
        delta, grads = f[-1] - y, [None] * L
        for l in range(L, 0, -1):
            grads[l - 1] = c.outer(delta, f[l - 1])
            if l > 1:
                delta = c.matvec(Ws[l - 1].T, delta)
        return grads, c.mults
    grads = []
    for l in range(1, L + 1):
        f_prev = x
        for W in Ws[: l - 1]:
            f_prev = c.matvec(W, f_prev)
        out = x
        for W in Ws:
            out = c.matvec(W, out)
        delta = out - y
        for W in reversed(Ws[l:]):
            delta = c.matvec(W.T, delta)
        grads.append(c.outer(delta, f_prev))
    return grads, c.mults


# --------------------------------------------------------------------------------------- ops
def _upstream(g, shape, dtype):
    g = as_float("g", g)
    if g.shape != tuple(shape):
        raise ValueError(f"g: expected the upstream gradient to have the output's shape {tuple(shape)}, got {g.shape}")
    return g.astype(dtype, copy=False)


def _neuron_vjp(g, w, x):
    g = _upstream(g, np.shape(neuron_bias_folded(w, x)), x.dtype)
    x1 = _extend(x)
    if x.ndim == 1:
        return {"w": g * x1, "x": g * w[:-1]}
    return {"w": g @ x1, "x": np.outer(g, w[:-1])}


NEURON = register_op(Op(
    name="fau-neuron-bias-folded", fn="linear_bias_folded", forward=neuron_bias_folded, vjp=_neuron_vjp,
    args={"w": Arg(("D1",)), "x": Arg(("N", "D"))}, dims={"D": 3, "D1": 4},
    note="w has one more element than x has features: the folded bias"))


def _fc_dW(g, W, x):
    g = _upstream(g, np.shape(layers.linear(W, x)), W.dtype)
    return {"W": np.outer(g, x)}  # the loss vector times x^T


def _fc_dx(g, W, x):
    g = _upstream(g, np.shape(layers.linear(W, x)), W.dtype)
    return {"x": W.T @ g}  # W^T times the loss vector


FC_DW = register_op(Op(
    name="fau-fc-dW", fn="linear", forward=lambda W, x: layers.linear(W, x), vjp=_fc_dW,
    args={"W": Arg(("H", "D")), "x": Arg(("D",), differentiable=False)},
    note="000 ¶6: dL/dW = (loss vector) x^T"))
FC_DX = register_op(Op(
    name="fau-fc-dx", fn="linear", forward=lambda W, x: layers.linear(W, x), vjp=_fc_dx,
    args={"W": Arg(("H", "D"), differentiable=False), "x": Arg(("D",))},
    note="000 ¶6: dL/dx = W^T (loss vector)"))


def _l2_linear(W, x, y):
    return linear_chain_l2(x, y, [W])


def _l2_vjp(wrt):
    def vjp(g, W, x, y):
        x, y, (W,) = _check_chain(x, y, [W])
        g = _upstream(g, (), W.dtype)
        r = W @ x - y  # dL/dŷ = W x - y
        grads = {"W": g * np.outer(r, x), "x": g * (W.T @ r)}
        return {k: grads[k] for k in wrt}
    return vjp


_L2_ARGS = {"W": Arg(("H", "D")), "x": Arg(("D",)), "y": Arg(("H",), differentiable=False)}
L2_DW = register_op(Op(
    name="fau-l2-dW", fn="l2_linear", forward=_l2_linear, vjp=_l2_vjp(("W",)),
    args={**_L2_ARGS, "x": Arg(("D",), differentiable=False)}, note="000 ¶7: dL/dW = (W x - y) x^T"))
L2_DX = register_op(Op(
    name="fau-l2-dx", fn="l2_linear", forward=_l2_linear, vjp=_l2_vjp(("x",)),
    args={**_L2_ARGS, "W": Arg(("H", "D"), differentiable=False)}, note="000 ¶7: dL/dx = W^T (W x - y)"))


def _linear3_l2(x, y, W1, W2, W3):
    return linear_chain_l2(x, y, [W1, W2, W3])


def _dW2_as_printed(x, y, Ws):
    """dL/dW2 with ¶10's "You remain with (WWx)" as printed: (f̂2)^T = (W2 W1 x)^T in place of (W1 x)^T."""
    x, y, Ws = _check_chain(x, y, Ws)
    W1, W2, W3 = Ws
    f2 = W2 @ W1 @ x
    return np.outer(W3.T @ (W3 @ f2 - y), f2)


# "(WWx)" as printed fits W2's shape only when W2 is square (d1 = d2).
SQUARE_DIMS = (4, 3, 3, 3)


def _linear3_op(l, as_printed=False):
    gradient = (lambda l_, x, y, Ws: _dW2_as_printed(x, y, Ws)) if as_printed else lecture_gradient

    def vjp(g, x, y, W1, W2, W3):
        g = _upstream(g, (), x.dtype)
        return {f"W{l}": g * gradient(l, x, y, [W1, W2, W3])}

    args = {"x": Arg(("d0",), differentiable=False), "y": Arg(("d3",), differentiable=False)}
    args.update({f"W{k}": Arg((f"d{k}", f"d{k-1}"), low=-1, high=1, differentiable=k == l) for k in (1, 2, 3)})
    dims = SQUARE_DIMS if as_printed else (3, 4, 5, 2)
    return register_op(Op(
        name=f"fau-linear3-dW{l}" + ("-as-printed" if as_printed else ""), fn="linear3_l2", forward=_linear3_l2,
        vjp=vjp, args=args, dims={f"d{k}": d for k, d in enumerate(dims)},
        note=("000 ¶10: dL/dW2 with \"(WWx)\" as printed, (W2 W1 x)^T for (W1 x)^T (square W2)" if as_printed
              else f"000 ¶9-¶10: dL/dW{l} as the lecture's product of factors")))


LIN3_DW3, LIN3_DW2, LIN3_DW1 = _linear3_op(3), _linear3_op(2), _linear3_op(1)
LIN3_DW2_AS_PRINTED = _linear3_op(2, as_printed=True)


# ----------------------------------------------------------------------------------- helpers
def _fd(f, v, eps=FD_EPS):
    """Central-difference gradient of the scalar f at v."""
    return numerical_gradient(f, v, eps=eps, method="central")


def _fd_jacobian(f, v):
    """J[i, ...] = d f_i / d v by central differences (numerator layout: one row per output)."""
    return numerical_jacobian(lambda u: np.ravel(f(u)), v, eps=FD_EPS)


def _three_layer(seed=0, dims=(3, 4, 5, 2)):
    rng = np.random.default_rng(seed)
    Ws = [rng.uniform(-1, 1, (dims[k], dims[k - 1])) for k in range(1, len(dims))]
    return rng.normal(size=dims[0]), rng.normal(size=dims[-1]), Ws


def _fd_chain(l, x, y, Ws):
    """Central-difference dL/dW_l of the linear chain."""
    def loss(Wl):
        return linear_chain_l2(x, y, [Wl if k == l - 1 else W for k, W in enumerate(Ws)])
    return _fd(loss, Ws[l - 1])


def _mlp_ref_grads(x, y, Ws):
    """dL/dW_l from mlp_ref's backward pass of an identity-activation network, no biases."""
    out, cache = layers.mlp_forward(x, Ws, None, "identity", "identity")
    return layers.mlp_backward(losses.l2_loss_grad(out, y), cache)["W"]


# ------------------------------------------------------------------------------------ entries
@entry(id="fau-neuron-bias-folded", source=SRC, location="¶3, single neuron", kind="formula",
       statement="ŷ = w^T x, the inner product of the weights with the input; the bias is folded in by "
                 "expanding x by one additional element (a constant 1): ŷ = w^T [x; 1] = w_(1..n) · x + b",
       op=NEURON)
def _(r):
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=3), rng.normal(size=4)
    r.close("ŷ", neuron_bias_folded(w, x), w[:3] @ x + w[3],
            what="w^T [x; 1] vs w_(1..n) · x + b with b = w_(n+1)")
    r.close("ŷ vs affine layer", neuron_bias_folded(w, x), layers.linear(w[None, :3], x, w[3:])[0],
            what="same value as mlp_ref.linear(W, x, b) with W the row w_(1..n)^T")
    r.close("dŷ/dw", np.append(x, 1.0), _fd(lambda v: neuron_bias_folded(v, x), w),
            what="dŷ/dw = [x; 1] (the bias weight sees the constant 1) vs central differences", **FD_TOL)


@entry(id="fau-fc-layer-matrix", source=SRC, location="¶4, M neurons", kind="formula",
       statement="ŷ_m = w_m^T x for m = 1..M; in vector notation ŷ = W x with the w_m^T as the rows of W: "
                 "a fully connected layer is a matrix multiplication and can represent arbitrary connections",
       op=layers.LINEAR)
def _(r):
    rng = np.random.default_rng(1)
    M, n = 4, 3
    W, x = rng.normal(size=(M, n)), rng.normal(size=n)
    neurons = np.array([neuron_bias_folded(np.append(W[m], 0.0), x) for m in range(M)])
    r.close("ŷ", layers.linear(W, x), neurons,
            what="mlp_ref.linear(W, x) vs the M single neurons of ¶3 (w_m^T [x; 1] with bias 0) stacked")
    edges = {(0, 0), (0, 2), (1, 1), (2, 0), (2, 1), (2, 2), (3, 2)}  # a sparse topology
    by_node = np.array([sum(W[m, j] * x[j] for j in range(n) if (m, j) in edges) for m in range(M)])
    mask = np.array([[(m, j) in edges for j in range(n)] for m in range(M)], dtype=float)
    r.close("sparse topology", layers.linear(W * mask, x), by_node,
            what="a sparsely connected layer computed node by node equals the matrix product with zeros for "
                 "absent edges")


@entry(id="fau-fc-two-neurons", source=SRC, location="¶5, two-neuron layer", kind="example",
       statement="\"Three elements for the input and then weights for every neuron. Let’s say you have two neurons, "
                 "then we get these weight vectors. We multiply the two with x.\" \"If you want to compute the "
                 "gradients, then we need exactly two partial derivatives\": with respect to the weights (the "
                 "update) and with respect to x (\"to pass it on to the next module\")",
       documented={"inputs": "Three", "neurons": "two", "partial derivatives": "two"},
       reading="the three inputs and two neurons set up the example; \"exactly two partial derivatives\" is "
               "checked: the layer's backward supplies dL/dW and dL/dx, and these two suffice for every gradient "
               "of a network in which the layer sits after another module")
def _(r):
    n, M = WORDS[r.documented["inputs"].lower()], WORDS[r.documented["neurons"].lower()]
    rng = np.random.default_rng(2)
    W, V, z, y = rng.normal(size=(M, n)), rng.normal(size=(n, 4)), rng.normal(size=4), rng.normal(size=M)
    x = tanh(V @ z)  # the previous module produces x

    def loss(W_, V_):
        return 0.5 * np.sum((W_ @ tanh(V_ @ z) - y) ** 2)

    r.close("neurons", layers.linear(W, x), [neuron_bias_folded(np.append(W[m], 0.0), x) for m in range(M)],
            what=f"the layer of {M} neurons on {n} inputs: mlp_ref.linear vs the {M} weight vectors each "
                 "multiplied with x (¶3's neuron, bias 0)")
    back = layers.linear_backward(W @ x - y, W, x)
    r.close("dL/dW", back["W"], _fd(lambda W_: loss(W_, V), W),
            what=f"the update dL/dW of the {M}x{n} layer (mlp_ref.linear_backward) vs central differences", **FD_TOL)
    r.close("inputs", back["x"], _fd(lambda v: 0.5 * np.sum((W @ v - y) ** 2), x),
            what=f"dL/dx for the {n} inputs (mlp_ref.linear_backward) vs central differences", **FD_TOL)
    dV = np.outer(back["x"] * tanh_grad(V @ z), z)  # the previous module uses only dL/dx
    r.close("dL/dV from dL/dx alone", dV, _fd(lambda V_: loss(W, V_), V, FD_EPS_SMOOTH),
            what="the previous module's gradient built from the passed-on dL/dx alone vs central differences",
            **FD_TOL)
    needed = sorted(back)
    r.value("partials the layer's backward supplies", needed)
    r.claim("partial derivatives", len(needed) == WORDS[r.documented["partial derivatives"]],
            f"the bias-free layer's backward (mlp_ref.linear_backward) supplies {len(needed)} partials, {needed}, "
            f"and with them every gradient of the two-module network agrees with central differences "
            f"(documented: {r.documented['partial derivatives']})", documented="partial derivatives",
            what="the number of partial derivatives a module needs")


@entry(id="fau-fc-dW", source=SRC, location="¶6, layer derivatives", kind="formula",
       statement="\"The derivative of y hat with respect to W is going to be simply xᵀ. So, if we have the loss that "
                 "comes into our module, the update to our weights is gonna be this loss vector multiplied with xᵀ. "
                 "[...] you have an outer product. One is a column vector and the other one is a row vector [...] "
                 "The above partial derivative with respect to W will always result in a matrix.\"",
       op=FC_DW,
       reading="\"dŷ/dW = xᵀ\" is the lecture's backward rule for the weights, which its next sentence states: the "
               "incoming loss vector (a column) times xᵀ (a row), the dot notation of ¶9 marking the side; the full "
               "derivative dŷ/dW is a 3-way tensor δ_ij x_k whose contraction with any loss vector is that outer "
               "product, so no number a reader computes differs from the frameworks'")
def _(r):
    rng = np.random.default_rng(3)
    H, D = 2, 3
    W, x, g = rng.normal(size=(H, D)), rng.normal(size=D), rng.normal(size=H)
    dW = np.outer(g, x)
    r.close("dL/dW", dW, _fd(lambda W_: g @ (W_ @ x), W),
            what="(loss vector) x^T, a matrix of W's shape, vs central differences of L = g · (W x)", **FD_TOL)
    T = _fd_jacobian(lambda W_: W_ @ x, W)
    r.close("dŷ/dW tensor", layers.linear_jacobian_W(W, x), T,
            what="the full dŷ/dW, a 3-way tensor (H, H, D) = delta_ij x_k: mlp_ref.linear_jacobian_W vs central "
                 "differences", **FD_TOL)
    G = rng.normal(size=(4, H))
    r.close("tensor contracted", np.einsum("ni,ijk->njk", G, T), np.stack([np.outer(gn, x) for gn in G]),
            what="for 4 loss vectors g, contracting the tensor with g gives g x^T: the tensor acts as 'times x^T'",
            **FD_TOL)


@entry(id="fau-fc-dx", source=SRC, location="¶6, layer derivatives", kind="formula",
       statement="\"the partial with respect to x is going to be Wᵀ. Now, you have Wᵀ multiplied again by some loss "
                 "vector. This loss vector times a matrix is going to be a vector again. This is the vector that "
                 "you will pass on in the backpropagation process\"",
       op=FC_DX,
       reading="000 writes the layer's input derivative as the matrix that multiplies the loss vector (a column) "
               "from the left, dŷ/dx = Wᵀ (denominator layout); 004 and torch/JAX jacobian write the Jacobian "
               "J_ij = dŷ_i/dx_j, which is W: the printed matrix is transposed, the passed-on vector is the same")
def _(r):
    rng = np.random.default_rng(4)
    H, D = 2, 3
    W, x, g = rng.normal(size=(H, D)), rng.normal(size=D), rng.normal(size=H)
    r.close("dŷ/dx", W.T, _fd_jacobian(lambda v: W @ v, x),
            layout="000 writes dŷ/dx = W^T (denominator layout, so that W^T times the loss vector has x's "
                   "column shape); the Jacobian J_ij = dŷ_i/dx_j (numerator layout: 004, torch/JAX jacobian) is W",
            **FD_TOL)
    r.close("dL/dx", W.T @ g, _fd(lambda v: g @ (W @ v), x),
            what="W^T (loss vector), a vector of x's shape, vs central differences", **FD_TOL)


@entry(id="fau-l2-loss", source=SRC, location="¶7, simple example (L2 loss)", kind="formula",
       statement="L2 loss of the network W x: \"take the output of the network subtract and the desired output and "
                 "compute the L2 norm\", \"element-wise square the different vector values and sum all of them up\", "
                 "omit the square root, \"take it to the power of two\"; the derivative's \"factor of two\" is "
                 "\"canceled out by this factor 1 over 2 in the beginning\"; \"We now compute the partial derivative "
                 "of L with respect to y hat. This will give us then Wxy\"  [i.e. L = 1/2 ||W x - y||_2^2]",
       op=losses.L2_LOSS,
       reading="\"Wxy\" is W x - y: a string without operators, and the derivative of L with respect to ŷ is its "
               "only reading (the transcript drops minus signs)")
def _(r):
    rng = np.random.default_rng(5)
    W, x, y = rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=2)
    yhat = W @ x
    L = linear_chain_l2(x, y, [W])
    r.close("L", L, 0.5 * sum((yhat[i] - y[i]) ** 2 for i in range(2)),
            what="mlp_ref's 1/2 ||W x - y||_2^2 vs 1/2 (element-wise squares summed)")
    r.close("L (mlp_ref.l2_loss)", losses.l2_loss(yhat, y), 0.5 * np.linalg.norm(yhat - y) ** 2,
            what="mlp_ref.l2_loss(W x, y) vs 1/2 (the L2 norm squared)")
    d_norm2 = _fd(lambda v: np.sum((v - y) ** 2), yhat)
    r.close("d||ŷ - y||^2/dŷ", 2 * (yhat - y), d_norm2, what="without the 1/2 a factor 2 shows up", **FD_TOL)
    r.close("dL/dŷ", yhat - y, _fd(lambda v: 0.5 * np.sum((v - y) ** 2), yhat),
            what="dL/dŷ = W x - y (\"Wxy\") vs central differences", **FD_TOL)


def _products_of_vectors(u, v):
    """Which of u*v (elementwise), u @ v (inner) and the outer product u v^T are defined, and their shapes."""
    out = {}
    for name, f in (("elementwise", lambda: u * v), ("inner", lambda: u @ v), ("outer", lambda: np.outer(u, v))):
        try:
            out[name] = list(np.shape(f()))
        except ValueError:
            out[name] = "undefined"
    return out


@entry(id="fau-l2-dW", source=SRC, location="¶7, simple example (L2 loss)", kind="formula",
       statement="\"The derivative of the loss function with respect to the input was Wxy times x. This will give "
                 "us an update for the matrix weight.\"  (¶6: \"the update to our weights is gonna be this loss "
                 "vector multiplied with xᵀ\")",
       op=L2_DW,
       reading="\"Wxy\" is W x - y, the loss function's derivative with respect to its input ŷ; \"times x\" names "
               "no product, and the words say the result is the update of the matrix weight: ¶6's outer product, "
               "the loss vector times xᵀ")
def _(r):
    rng = np.random.default_rng(6)
    W, x, y = rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=2)
    dW = np.outer(W @ x - y, x)
    r.close("dL/dW", dW, _fd(lambda W_: linear_chain_l2(x, y, [W_]), W),
            what="(W x - y) x^T vs central differences", **FD_TOL)
    r.value("products of the 2-vector Wx - y and the 3-vector x", _products_of_vectors(W @ x - y, x))
    r.close("dL/dW (mlp_ref)", layers.linear_backward(W @ x - y, W, x)["W"], dW, what="mlp_ref.linear_backward")


@entry(id="fau-l2-dx", source=SRC, location="¶7, simple example (L2 loss)", kind="formula",
       statement="\"the partial derivative of the loss with respect to x. So, this is going to be – as we’ve seen "
                 "on the previous slide – Wᵀ times the vector that comes from the loss function: Wxy\"",
       op=L2_DX, reading="\"Wxy\" is W x - y, as in fau-l2-loss")
def _(r):
    rng = np.random.default_rng(7)
    W, x, y = rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=2)
    dx = W.T @ (W @ x - y)
    r.close("dL/dx", dx, _fd(lambda v: linear_chain_l2(v, y, [W]), x),
            what="W^T (W x - y) vs central differences", **FD_TOL)
    r.close("dL/dx (mlp_ref)", layers.linear_backward(W @ x - y, W, x)["x"], dx, what="mlp_ref.linear_backward")


@entry(id="fau-three-layer-collapse", source=SRC, location="¶8, multi-layer example", kind="claim",
       statement="three nested linear functions with the L2 loss, L = 1/2 ||W3 W2 W1 x - y||_2^2; \"by multiplying "
                 "W₁, W₂, and W₃ with each other, they would simply collapse into a single matrix\"")
def _(r):
    x, y, Ws = _three_layer(8)
    W1, W2, W3 = Ws
    W = W3 @ W2 @ W1
    r.close("f̂3(x)", W3 @ (W2 @ (W1 @ x)), W @ x, what="nested W3(W2(W1 x)) vs the collapsed W x")
    out, _ = layers.mlp_forward(x, Ws, None, "identity", "identity")
    r.close("f̂3(x) (mlp_ref)", out, W @ x, what="mlp_ref.mlp_forward with identity activations")
    r.close("L", linear_chain_l2(x, y, Ws), linear_chain_l2(x, y, [W]), what="the L2 loss of both")
    r.value("W shape", list(W.shape))
    r.close("one matrix for every input", np.stack([W3 @ (W2 @ (W1 @ v)) for v in np.eye(3)], axis=1), W,
            what=f"the network's responses to the 3 unit inputs form the single {W.shape[0]}x{W.shape[1]} matrix "
                 "W3 W2 W1")


@entry(id="fau-three-layer-dW3", source=SRC, location="¶9, derivative for layer 3", kind="formula",
       statement="dL/dW₃ by \"the chain rule\": the partial derivative of the loss function with respect to f₃(x) "
                 "hat times that of f₃(x) hat with respect to W₃; \"The partial derivative of the loss function "
                 "again is simply the inner part of the L2 norm. So is this W WWxy. The partial derivative of the "
                 "net is gonna be (WWx), as we’ve seen on the previous slide.\" \"you have to compute this product "
                 "from the right-hand side\"; the update \"is simply computed from those two expressions\"",
       documented={"factors": "two"}, op=LIN3_DW3,
       reading="\"W WWxy\", \"the inner part of the L2 norm\", is W3W2W1x - y (subscripts and minus sign are not in "
               "the transcript); \"(WWx), as we've seen on the previous slide\" is ¶6's xᵀ with the layer input "
               "W2W1x for x, a row that multiplies \"from the right-hand side\" (the words do not orient the "
               "vector; only the row fits that side: see the recorded products)")
def _(r):
    x, y, Ws = _three_layer(9)
    W1, W2, W3 = Ws
    delta, f2 = W3 @ W2 @ W1 @ x - y, W2 @ W1 @ x
    dW3 = lecture_gradient(3, x, y, Ws)
    r.close("dL/dW3", dW3, _fd_chain(3, x, y, Ws),
            what="(W3W2W1x - y)(W2W1x)^T, the two expressions multiplied, vs central differences", **FD_TOL)
    r.close("dL/dW3 (mlp_ref)", _mlp_ref_grads(x, y, Ws)[2], dW3, what="mlp_ref.mlp_backward")
    n = len(lecture_gradient_factors(3, x, y, Ws))
    r.value("factor count", n)
    r.claim("factors", n == WORDS[r.documented["factors"]], f"the product has {n} factors (documented: "
            f"{r.documented['factors']})", documented="factors", what="the number of factors of dL/dW3")
    sides = {}
    for name, f in (("(WWx) as a column, from the right", lambda: delta[:, None] @ f2[:, None]),
                    ("(WWx)^T, from the left", lambda: f2[None, :] @ delta[:, None])):
        try:
            sides[name] = list(f().shape)
        except ValueError:
            sides[name] = "undefined"
    r.value("other orientations and sides", sides)
    rng = np.random.default_rng(9)
    A, B = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    r.claim("AB != BA", not np.allclose(A @ B, B @ A), "two random 3x3 matrices: A B differs from B A",
            what="\"it makes a difference whether you multiply them from the left or from the right\"")


SPOKEN_W = ("the spoken \"W\" of ∂f̂k/∂f̂(k-1) is W_k, the Jacobian of f̂k = W_k f̂(k-1) (numerator layout), and "
            "\"multiply it from the left-hand side\" is the error, as a row, multiplying it from the left: "
            "(f̂3 - y)ᵀ W3 is ∂L/∂f̂2 as a row. The same sentence with ¶6's layout (a column error, Wᵀ from the "
            "left, the \"transpose\" unspoken as the ᵀ of ¶9's \"(WWx)\") gives W3ᵀ(f̂3 - y), the same entries; "
            "either reading makes the product right")


def _spoken_w(r, l, x, y, Ws):
    """¶10's spoken W: each W_k is the Jacobian, left-multiplied by the error row it gives dL/df̂_l."""
    f = [x]
    for W in Ws:
        f.append(W @ f[-1])
    for k in range(3, l, -1):
        r.close(f"df̂{k}/df̂{k - 1} = W", Ws[k - 1], _fd_jacobian(lambda v, k=k: Ws[k - 1] @ v, f[k - 1]),
                what=f"the spoken \"W\" is W{k}, the Jacobian of f̂{k} = W{k} f̂{k - 1} (numerator layout, "
                     f"J_ij = ∂f̂{k}_i/∂f̂{k - 1}_j; central differences)", **FD_TOL)
    row = (f[3] - y)[None, :]
    for k in range(3, l, -1):
        row = row @ Ws[k - 1]  # the error row multiplies the spoken W from the left

    def loss_from(v):
        for W in Ws[l:]:
            v = W @ v
        return 0.5 * np.sum((v - y) ** 2)

    names = " ".join(f"W{k}" for k in range(3, l, -1))
    r.close(f"dL/df̂{l}", row, _fd(loss_from, f[l])[None, :],
            what=f"(f̂3 - y)ᵀ {names}, the error row multiplying the spoken W from the left, vs the central-difference "
                 f"gradient in f̂{l} (as a row)", **FD_TOL)
    grad = lecture_gradient(l, x, y, Ws)
    r.close(f"dL/dW{l}", grad, _fd_chain(l, x, y, Ws),
            what=f"dL/dW{l}, the product of the spoken terms, vs central differences", **FD_TOL)
    r.close(f"dL/dW{l} (mlp_ref)", _mlp_ref_grads(x, y, Ws)[l - 1], grad, what="mlp_ref.mlp_backward")


@entry(id="fau-three-layer-dW2", source=SRC, location="¶10, derivative for layer 2", kind="formula",
       statement="dL/dW₂, \"apply the chain rule twice\": the partial derivative of the loss function with respect "
                 "to f₃(x) hat, of f₃(x) hat with respect to f₂(x) hat and of f₂(x) hat with respect to W₂; \"The Loss "
                 "term is the same as we used before\"; \"if we compute the partial derivative of f₃(x) hat with "
                 "respect to f₂(x) hat – remember f₂(x) = WWx – it’s gonna be W and we have to multiply it from the "
                 "left-hand side\"; \"compute the partial derivative of f₂(x) hat with respect to W₂. You remain "
                 "with (WWx). So, the final matrix derivative is going to be the product of the three terms.\"",
       documented={"factors": "three"}, op=LIN3_DW2_AS_PRINTED, corrected=LIN3_DW2,
       reading=SPOKEN_W + "; \"(WWx)\" for ∂f̂2/∂W2 is taken as printed, W2W1x (two W), the string ¶9 uses for f̂2",
       corrected_statement="You remain with (W₁x)ᵀ: dL/dW₂ = W₃ᵀ(W₃W₂W₁x - y)(W₁x)ᵀ, the layer input of f̂₂ = W₂(W₁x) "
                           "transposed (¶6's xᵀ with W₁x for x), not (W₂W₁x)ᵀ")
def _(r):
    x, y, Ws = _three_layer(10)  # W2 is 5 x 4
    _spoken_w(r, 2, x, y, Ws)
    n = len(lecture_gradient_factors(2, x, y, Ws))
    r.value("factor count", n)
    r.claim("factors", n == WORDS[r.documented["factors"]],
            f"the product has {n} factors (documented: {r.documented['factors']})", documented="factors",
            what="the number of factors of dL/dW2")
    why = ("the transcript is machine-made (its preface) and its symbol strings lose subscripts, minus signs and ᵀ "
           "throughout (\"Wxy\", \"W WWxy\"); here it repeats ¶9's \"(WWx)\" for f̂2, one sentence after "
           "\"f₂(x) = WWx\", where the words (\"partial derivative of f₂(x) hat with respect to W₂\") ask for "
           "f̂2's input W₁x")
    r.close("(WWx)", lambda: _dW2_as_printed(x, y, Ws), _fd_chain(2, x, y, Ws),
            corrected=lambda: lecture_gradient(2, x, y, Ws), severity="transcription", why=why,
            what="dL/dW2 with \"You remain with (WWx)\" as printed, W3ᵀ(f̂3 - y)(W2W1x)ᵀ, vs central differences "
                 "on the (3, 4, 5, 2) network (W2 is 5x4)", **FD_TOL)
    xs, ys, Ss = _three_layer(10, dims=SQUARE_DIMS)
    r.close("(WWx), square W2", _dW2_as_printed(xs, ys, Ss), _fd_chain(2, xs, ys, Ss),
            corrected=lecture_gradient(2, xs, ys, Ss), severity="transcription", why=why,
            what=f"the same with square W2 (layers {SQUARE_DIMS}), where the printed form is computable", **FD_TOL)


@entry(id="fau-three-layer-dW1", source=SRC, location="¶10, derivative for layer 1", kind="formula",
       statement="dL/dW₁, \"apply the chain rule again. We see already two parts that we pre-computed\"; \"the "
                 "partial derivative of f₂(x) hat with respect to f₁(x) hat and a partial derivative of f₁(x) hat "
                 "with respect to W₁\"; \"The partial derivative of f₂(x) hat with respect to f₁(x) hat is Wx, is "
                 "going to be W. Then, we still have to compute the partial derivative of f₁(x) with respect to "
                 "W₁. This is going to be xᵀ. So, we end up with the product of four terms\"",
       documented={"factors": "four", "pre-computed parts": "two"}, op=LIN3_DW1,
       reading=SPOKEN_W + "; \"is Wx, is going to be W\" is the speaker restarting the sentence: ∂f̂2/∂f̂1 = W2")
def _(r):
    x, y, Ws = _three_layer(11)
    _spoken_w(r, 1, x, y, Ws)
    f1, f2 = lecture_gradient_factors(1, x, y, Ws), lecture_gradient_factors(2, x, y, Ws)
    r.value("factor count", len(f1))
    r.claim("factors", len(f1) == WORDS[r.documented["factors"]],
            f"the product has {len(f1)} factors (documented: {r.documented['factors']})", documented="factors",
            what="the number of factors of dL/dW1")
    shared = 0
    for (s1, a1), (s2, a2) in zip(f1, f2):
        if s1 != s2 or a1.shape != a2.shape or not np.array_equal(a1, a2):
            break
        shared += 1
    r.value("pre-computed count", shared)
    r.claim("pre-computed parts", shared == WORDS[r.documented["pre-computed parts"]],
            f"its first {shared} factors (the error vector and the factor for f̂3 -> f̂2) are those of dL/dW2 "
            f"(documented: {r.documented['pre-computed parts']})", documented="pre-computed parts",
            what="the number of factors dL/dW1 shares with dL/dW2")
    r.close("x^T", f1[-1][1], _fd(lambda w: float(w @ x), Ws[0][0])[None, :],
            what="\"This is going to be xᵀ\": the last factor vs the central-difference derivative of (f̂1)_1 "
                 "with respect to the first row of W1, a row", **FD_TOL)


@entry(id="fau-backprop-layerwise", source=SRC, location="¶11, backpropagation", kind="algorithm",
       statement="forward pass through the network, evaluate the loss; last layer: dL/df̂_L · df̂_L/dW_L; "
                 "second last: dL/df̂_L · df̂_L/df̂_(L-1) · df̂_(L-1)/dW_(L-1); and so on down to the first layer")
def _(r):
    x, y, Ws = _three_layer(12, dims=(3, 4, 2, 5, 3, 2))
    L = len(Ws)

    def flat(grads):
        return np.concatenate([G.ravel() for G in grads])

    lecture = flat(lecture_gradient(l, x, y, Ws) for l in range(L, 0, -1))
    r.close("dL/dW5..dL/dW1", lecture, flat(_fd_chain(l, x, y, Ws) for l in range(L, 0, -1)),
            what=f"the lecture's products for all {L} layers of a linear chain, last layer first, vs central "
                 "differences", **FD_TOL)
    r.close("dL/dW5..dL/dW1 (mlp_ref)", lecture, flat(_mlp_ref_grads(x, y, Ws)[::-1]), what="mlp_ref.mlp_backward")


@entry(id="fau-backprop-reuse", source=SRC, location="¶11, backpropagation", kind="claim",
       statement="many of the partial derivatives can be pre-computed and reused, which makes backpropagation "
                 "efficient")
def _(r):
    for label, dims in (("3 layers (3,4,5,2)", (3, 4, 5, 2)), ("10 layers of width 8", (8,) * 11)):
        x, y, Ws = _three_layer(13, dims=dims)
        reused, n_reuse = linear_chain_l2_gradients(x, y, Ws, reuse=True)
        fresh, n_fresh = linear_chain_l2_gradients(x, y, Ws, reuse=False)
        r.close(f"{label}: gradients", np.concatenate([G.ravel() for G in reused]),
                np.concatenate([G.ravel() for G in fresh]), what=f"{label}: all dL/dW_l with reuse vs from scratch")
        r.value(f"{label}: multiplications", {"reuse": n_reuse, "recompute": n_fresh})
        r.claim(f"{label}: cheaper", n_reuse < n_fresh,
                f"{label}: {n_reuse} scalar multiplications with reuse vs {n_fresh} recomputing each gradient")


@entry(id="fau-summary-softmax-ce", source=SRC, location="¶12, summary", kind="claim",
       statement="the softmax activation combined with the cross-entropy loss lets us work naturally with "
                 "multi-class problems",
       op=losses.SOFTMAX_CE)
def _(r):
    rng = np.random.default_rng(14)
    o, y = rng.normal(size=5), 3
    grad = softmax(o) - np.eye(5)[y]
    fd = _fd(lambda v: losses.softmax_cross_entropy(v, y), o, FD_EPS_SMOOTH)
    r.close("dl/do", grad, fd, what="the combined gradient softmax(o) - e_y over 5 classes vs central differences",
            **FD_TOL)
    r.close("sum", grad.sum(), 0.0, what="the gradient sums to zero over the classes")


@entry(id="fau-summary-gradient-descent", source=SRC, location="¶12, summary", kind="claim",
       statement="gradient descent is the default choice for training the network and reaches local minima",
       reading="\"reaches local minima\" is checked on the ¶8 network: from a small start, steps with one fixed η "
               "never raise the loss and end at a point whose gradient vanishes")
def _(r):
    x, y, Ws = _three_layer(15)
    Ws = [0.5 * W for W in Ws]
    eta, steps, losses_seen = 0.05, 120, [linear_chain_l2(x, y, Ws)]
    for _ in range(steps):
        grads, _ = linear_chain_l2_gradients(x, y, Ws)
        Ws = [gradient_descent_step(W, G, eta) for W, G in zip(Ws, grads)]
        losses_seen.append(linear_chain_l2(x, y, Ws))
    gnorm = float(np.sqrt(sum(np.sum(G ** 2) for G in linear_chain_l2_gradients(x, y, Ws)[0])))
    r.value("loss start/end", [losses_seen[0], losses_seen[-1]])
    r.value("gradient norm at the end", gnorm)
    rounding = 1e-15 * losses_seen[0]
    r.claim("monotone", bool(np.all(np.diff(losses_seen) <= rounding)),
            f"{steps} steps with eta = {eta} on the ¶8 network never increase the loss (beyond rounding, "
            f"{rounding:.1g})", what="gradient descent never raises the loss")
    r.claim("minimum", gnorm < 1e-8 and losses_seen[-1] < 1e-12,
            f"the iterates reach a minimiser: loss {losses_seen[-1]:.2g}, gradient norm {gnorm:.2g}",
            what="the iterates end where the gradient vanishes")


@entry(id="fau-summary-finite-differences", source=SRC, location="¶12, summary", kind="claim",
       statement="gradients can be computed numerically by finite differences, which is very useful for "
                 "checking implementations; backpropagation computes the gradients very efficiently")
def _(r):
    x, y, Ws = _three_layer(16)
    fd = _fd_chain(2, x, y, Ws)
    right = lecture_gradient(2, x, y, Ws)
    W3, W2, W1 = Ws[2], Ws[1], Ws[0]
    bugs = {"the 1/2 dropped (factor 2)": 2 * right,
            "residual y - f̂3 (sign)": -right,
            "y left out of the residual": np.outer(W3.T @ (W3 @ W2 @ W1 @ x), W1 @ x)}
    r.close("correct", right, fd, what="the lecture's dL/dW2 vs central differences", **FD_TOL)
    caught = {k: not np.allclose(v, fd, **FD_TOL) for k, v in bugs.items()}
    r.claim("bugs caught", all(caught.values()),
            "finite differences reject " + ", ".join(f"'{k}'" for k, v in caught.items() if v))
    P = sum(W.size for W in Ws)
    _, n_bp = linear_chain_l2_gradients(x, y, Ws)
    n_forward = sum(W.size for W in Ws)
    r.value("multiplications", {"backprop": n_bp, "central differences": 2 * P * n_forward})
    r.claim("backprop cheaper", n_bp < 2 * P * n_forward,
            f"backprop: {n_bp} scalar multiplications; central differences: 2 x {P} parameters x "
            f"{n_forward} per forward pass = {2 * P * n_forward}")


@entry(id="fau-summary-layer-abstraction", source=SRC, location="¶12, summary", kind="claim",
       statement="fully connected layers can be abstracted as complete layers with layer-wise derivatives; "
                 "computing everything on the node level is not required")
def _(r):
    x, y, Ws = _three_layer(17, dims=(3, 4, 2))
    W1, W2 = Ws
    h = W1 @ x
    delta = W2 @ h - y
    node = np.zeros_like(W1)
    for j in range(W1.shape[0]):  # dL/dw1_jk summed over the paths through output node i
        for k in range(W1.shape[1]):
            node[j, k] = sum(delta[i] * W2[i, j] * x[k] for i in range(W2.shape[0]))
    r.close("dL/dW1", lecture_gradient(1, x, y, Ws), node,
            what="the layer-wise W2^T (W2W1x - y) x^T vs node-by-node scalar chain rule")
    r.close("dL/dW1 (finite differences)", node, _fd_chain(1, x, y, Ws), what="node level vs central differences",
            **FD_TOL)


@entry(id="fau-outlook-single-eta", source=SRC, location="¶13, outlook", kind="claim",
       statement="\"The very simple optimization that we talked about right now with a single η is probably not the "
                 "right way to go. So, there are much better optimization programs. They can be adapted to the needs "
                 "of every single parameter.\"",
       reading="\"probably not the right way\" is checked on the simplest case where parameters need different "
               "steps, L = (100 w1^2 + w2^2)/2: every single η is compared, by the steps to bring w from (1, 1) "
               "below 1e-6, with one step size per parameter")
def _(r):
    lam = np.array([100.0, 1.0])  # L(w) = 1/2 (100 w1^2 + w2^2): curvatures 100 and 1
    etas = np.r_[np.linspace(0.001, 0.0199, 64), 2 / 101, 0.021, 0.025]  # 2/101 is the best single step
    k = np.arange(1, 2001)

    def steps(eta):
        """First k <= 2000 with max|w_k| < 1e-6, else 0; w_k = (1 - eta lam)^k w_0 is k steps w <- w - eta lam w."""
        worst = np.max(np.abs(1 - eta * lam), axis=-1)  # w_0 = (1, 1): the slower coordinate decides
        with np.errstate(divide="ignore"):  # worst = 0 (eta = 1/lam) reaches 0 in one step: log is -inf
            below = k[None, :] * np.log(worst)[:, None] < np.log(1e-6)
        return np.where(below.any(axis=1), np.argmax(below, axis=1) + 1, 0)

    single = steps(etas[:, None])
    per_param = int(steps((1 / lam)[None, :])[0])
    best = int(np.argmin(np.where(single > 0, single, np.iinfo(int).max)))
    k_single = int(single[best])
    w = np.ones(2)
    reached = []
    for _ in range(k_single):  # the closed form against the steps w <- w - eta grad L themselves
        w = w - etas[best] * (lam * w)
        reached.append(bool(np.max(np.abs(w)) < 1e-6))
    r.value("steps to max|w| < 1e-6", {"best single eta": k_single, "eta_i = 1/lambda_i": per_param,
                                       "eta = 0.021, 0.025": single[-2:].tolist()})
    r.claim("iterated", reached[-1] and not any(reached[:-1]),
            f"iterating w <- w - η ∇L with η = {etas[best]:.4g}, max|w| first drops below 1e-6 at step {k_single}, "
            "as the closed form (1 - ηλ)^k says",
            what="the closed-form step counts agree with iterated gradient descent")
    r.claim("single eta", single[-1] == 0 and single[-2] == 0 and k_single > 100 * per_param,
            f"on L = (100 w1^2 + w2^2)/2 one η must stay below 2/100 (0.021 and 0.025 diverge); the best one "
            f"(2/101) needs {k_single} steps to bring w from (1, 1) below 1e-6, per-parameter steps "
            f"η_i = 1/λ_i need {per_param}", what="a single η is far slower than one step per parameter")


# ------------------------------------------------------------------------------ expected verdicts
# What the computation must derive, in document order; tests/test_catalog.py checks every row.
EXPECTED = {
    "fau-neuron-bias-folded": "holds",
    "fau-fc-layer-matrix": "holds",
    "fau-fc-two-neurons": "holds",
    "fau-fc-dW": "holds",
    "fau-fc-dx": "convention",
    "fau-l2-loss": "holds",
    "fau-l2-dW": "holds",
    "fau-l2-dx": "holds",
    "fau-three-layer-collapse": "holds",
    "fau-three-layer-dW3": "holds",
    "fau-three-layer-dW2": "erratum",
    "fau-three-layer-dW1": "holds",
    "fau-backprop-layerwise": "holds",
    "fau-backprop-reuse": "holds",
    "fau-summary-softmax-ce": "holds",
    "fau-summary-gradient-descent": "holds",
    "fau-summary-finite-differences": "holds",
    "fau-summary-layer-abstraction": "holds",
    "fau-outlook-single-eta": "holds",
}
INPUTS = set()
MISMATCHED_NUMBERS = set()
OTHER_READINGS = {}
CONVENTIONS = {
    "fau-fc-dx": "denominator layout",
}
SEVERITY = {
    "fau-three-layer-dW2": "transcription",
}
SAME_FAULT = {}
