"""004 — MLPs + CNNs lecture notes (9/03/15): module abstraction, FC layer, ReLU layer.

The notes declare and keep one layout, numerator layout: Jacobians J_ij = d out_i / d in_j (so
dh^l/dh^(l-1) = W^(l)), and a gradient of L is a row that multiplies from the left
(dL/dh^(l-1) = dL/dh^l × W^(l), "Left multiply ≡ gradient", scalar × h^(l-1)T (1 × n)). A row holds
the same numbers as the gradient mlp_ref and torch/JAX give, so these entries hold under that layout
and compare rows with rows; the one convention of 004 that changes a number is ReLU'(0) = 1.
Shapes: W^(l) is (C2, C1), h^(l-1) is (C1,), h^l is (C2,).
"""
from __future__ import annotations

import numpy as np

from .. import activations as act
from .. import layers
from .._validate import as_float, same_dtype
from ..gradient import gradient_descent_step, numerical_gradient, numerical_jacobian
from ..registry import Arg, Op, entry, register_op

SRC = "004_e1f35d5019c4ba9b.txt"
# -- document declaration (mlp_ref.registry.document); registered in pyproject.toml under
# [project.entry-points."mlp_ref.documents"], forms under "mlp_ref.forms"
from ..registry import document  # noqa: E402

DOCUMENT = document(SRC, title="MLPs + CNNs lecture notes (9/03/15)",
                    citation="MLPs + CNNs lecture notes (9/03/15), text copy 004_e1f35d5019c4ba9b.txt",
                    prefix="mlpcnn-")

# Central differences: exact up to rounding (about eps_mach |L| / FD_EPS) for the polynomial
# losses here; FD_EPS_SMOOTH keeps the O(eps^2) truncation near 1e-10 for tanh and sigmoid.
FD_EPS = 1e-4
FD_EPS_SMOOTH = 1e-5
FD_TOL = {"rtol": 1e-7, "atol": 1e-9}
ROW_LAYOUT = ("numerator layout, which 004 declares and keeps: a gradient of L is a row multiplying from the "
              "left (dL/dh^l × W^(l), scalar × h^(l-1)T (1 × n)); it holds the numbers of the gradient mlp_ref "
              "and torch/JAX give as a column, so rows are compared with rows")


# ----------------------------------------------------------------------------- the reference
def _fc_args(W, h):
    W = as_float("W", W, ndim=2)
    h = as_float("h", h, ndim=1)
    if h.shape != (W.shape[1],):
        raise ValueError(f"h: expected h^(l-1) of shape ({W.shape[1]},) to match W of shape {W.shape}, got {h.shape}")
    same_dtype(W=W, h=h)
    return W, h


def fc_forward_sum(W, h):
    """h_i^l = sum_(j=1..C1) w_ij h_j^(l-1) = w_i^T h^(l-1), one sum per output  (004 ② Forward-Pass)."""
    W, h = _fc_args(W, h)
    C2, C1 = W.shape
    out = np.zeros(C2, dtype=W.dtype)
    for i in range(C2):
        for j in range(C1):
            out[i] += W[i, j] * h[j]
    return out


def fc_backward_a(dL_dh, W):
    """dL/dh^(l-1) = [dL/dh^l × W^(l)]: row (C2,) or rows (N, C2) times W -> (C1,) or (N, C1)  (004 ⓐ)."""
    W = as_float("W", W, ndim=2)
    dL_dh = as_float("dL_dh", dL_dh, ndim=(1, 2))
    if dL_dh.shape[-1] != W.shape[0]:
        raise ValueError(f"dL_dh: expected {W.shape[0]} entries (last axis) to match W of shape {W.shape}, "
                         f"got shape {dL_dh.shape}")
    same_dtype(dL_dh=dL_dh, W=W)
    return dL_dh @ W


def fc_backward_b(dL_dh, h):
    """dL/dW^(l): row i is dL/dh_i^(l) · h^(l-1)T; dL_dh (C2,), h (C1,) -> (C2, C1)  (004 ⓑ and the stacked matrix)."""
    dL_dh = as_float("dL_dh", dL_dh, ndim=1)
    h = as_float("h", h, ndim=1)
    same_dtype(dL_dh=dL_dh, h=h)
    return np.stack([dL_dh[i] * h for i in range(dL_dh.shape[0])]) if dL_dh.size else np.zeros((0, h.size), h.dtype)


def relu_backward_as_written(g, h):
    """004 B-PASS: dL/dh_i^l = dL/dh_i^(l+1) x 1{h_i^l >= 0} (value 1 at h = 0)."""
    h = as_float("z", h)
    d = (h >= 0).astype(h.dtype)  # the printed indicator 1{h >= 0}
    g = as_float("g", g)
    if g.shape != d.shape:
        raise ValueError(f"g: expected dL/dh^(l+1) of shape {d.shape} to match h, got {g.shape}")
    return g * d


# --------------------------------------------------------------------------------------- ops
def _g(g, C2, dtype):
    g = as_float("g", g, ndim=1)
    if g.shape != (C2,):
        raise ValueError(f"g: expected dL/dh^l of shape ({C2},), got {g.shape}")
    return g.astype(dtype, copy=False)


def _fc_vjp(wrt):
    def vjp(g, W, x):
        g = _g(g, W.shape[0], W.dtype)
        grads = {"W": fc_backward_b(g, x), "x": fc_backward_a(g, W)}
        return {k: grads[k] for k in wrt}
    return vjp


# fn "linear" names its inputs W and x; x stands for the notes' h^(l-1).
def _fc_forward(W, x):
    return fc_forward_sum(W, x)


_FC_ARGS = {"W": Arg(("H", "D")), "x": Arg(("D",))}
FC_LAYER = register_op(Op(
    name="mlpcnn-fc-layer", fn="linear", forward=_fc_forward, vjp=_fc_vjp(("W", "x")), args=_FC_ARGS,
    note="forward as the sum over j; backward as B-PASS ⓐ and ⓑ"))
FC_BACKWARD_A = register_op(Op(
    name="mlpcnn-fc-backward-a", fn="linear", forward=_fc_forward, vjp=_fc_vjp(("x",)),
    args={**_FC_ARGS, "W": Arg(("H", "D"), differentiable=False)}, note="B-PASS ⓐ: dL/dh^l × W"))
FC_BACKWARD_B = register_op(Op(
    name="mlpcnn-fc-backward-b", fn="linear", forward=_fc_forward, vjp=_fc_vjp(("W",)),
    args={**_FC_ARGS, "x": Arg(("D",), differentiable=False)}, note="B-PASS ⓑ: rows dL/dh_i · h^(l-1)T"))
RELU_AS_WRITTEN = register_op(Op(
    name="mlpcnn-relu-layer", fn="relu", forward=act.relu,
    vjp=lambda g, z: {"z": relu_backward_as_written(g, z)},
    args={"z": Arg(("N", "D"), low=-4, high=4, kinks=(0.0,))}, analytic=False,
    note="away from 0 this is the ordinary ReLU derivative; at 0 it returns 1"))


# ----------------------------------------------------------------------------------- helpers
def _fd(f, v, eps=FD_EPS):
    return numerical_gradient(f, v, eps=eps, method="central")


def _fd_jacobian(f, v, eps=FD_EPS):
    """J[i, j] = d f_i / d v_j by central differences (numerator layout)."""
    return numerical_jacobian(lambda u: np.ravel(f(u)), v, eps=eps)


def _layer(seed, C2=3, C1=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(C2, C1)), rng.normal(size=C1), rng.normal(size=C2)


def _order_needs_a_row(r, g, jacobians):
    """Record the shapes that make dL/d(out), written left of each Jacobian, a row (a column does not fit)."""
    shapes = {}
    for name, J in jacobians.items():
        try:
            shapes[name] = list((g[:, None] @ J).shape)
        except ValueError:
            shapes[name] = "undefined"
    r.value("dL/d(out) as a column, left of the Jacobian", shapes)


def _check_module(r, out_name, in_name, s, ds, seed):
    """Check (a) and (b) on the module out = s(W in) with w = vec(W) and L = 1/2 ||out - t||^2."""
    W, x_in, t = _layer(seed)
    m, n = W.shape

    def out(v, Wv):
        return s(Wv.reshape(m, n) @ v)

    def loss(v, Wv):
        return 0.5 * np.sum((out(v, Wv) - t) ** 2)

    w = W.ravel()
    a = W @ x_in
    J_in = ds(a)[:, None] * W  # d out / d in
    J_w = np.einsum("ij,k->ijk", np.diag(ds(a)), x_in).reshape(m, m * n)  # d out / d w, w = vec(W) row-major
    r.close(f"d{out_name}/d{in_name}", J_in, _fd_jacobian(lambda v: out(v, w), x_in, FD_EPS_SMOOTH),
            what=f"the Jacobian d{out_name}/d{in_name} of {s.__name__}(W {in_name}) (hand-derived) vs central "
                 "differences", **FD_TOL)
    r.close(f"d{out_name}/dw", J_w, _fd_jacobian(lambda v: out(x_in, v), w, FD_EPS_SMOOTH),
            what=f"the Jacobian d{out_name}/dw, w = vec(W) (hand-derived) vs central differences", **FD_TOL)
    dL_dout = (out(x_in, w) - t)[None, :]  # a row, as the notes write it
    _order_needs_a_row(r, dL_dout[0], {f"d{out_name}/d{in_name}": J_in, f"d{out_name}/dw": J_w})
    r.close("(a)", dL_dout @ J_in, _fd(lambda v: loss(v, w), x_in, FD_EPS_SMOOTH)[None, :],
            what=f"(a) the row dL/d{out_name} times d{out_name}/d{in_name} vs the central-difference gradient "
                 f"in {in_name}, as a row", **FD_TOL)
    r.close("(b)", dL_dout @ J_w, _fd(lambda v: loss(x_in, v), w, FD_EPS_SMOOTH)[None, :],
            what=f"(b) the row dL/d{out_name} times d{out_name}/dw vs the central-difference gradient in w, as a row",
            **FD_TOL)


# ------------------------------------------------------------------------------------ entries
@entry(id="mlpcnn-module-abstract", source=SRC, location="① key abstraction, Abstractly", kind="formula",
       statement=r"h^{(l)} = g(h^{(l-1)}, w); Loss L = f(h^l); (a) dL/d in = dL/d out · d out/d in; "
                 r"(b) dL/dw = dL/d out · d out/dw", reading=ROW_LAYOUT + "; the module is tanh(W in), w = vec(W)")
def _(r):
    _check_module(r, "out", "in", act.tanh, act.tanh_grad, seed=40)


@entry(id="mlpcnn-module-concrete", source=SRC, location="① key abstraction, Concretely", kind="formula",
       statement=r"(a) dL/dh^{(l-1)} = dL/dh^l × dh^l/dh^{(l-1)}; (b) dL/dw = dL/dh^l × dh^l/dw",
       reading=ROW_LAYOUT + "; the layer is sigmoid(W h^(l-1)), w = vec(W)")
def _(r):
    _check_module(r, "h^l", "h^(l-1)", act.sigmoid, act.sigmoid_grad, seed=41)


@entry(id="mlpcnn-fc-forward-sum", source=SRC, location="② FC layer, Forward-Pass", kind="formula",
       statement=r"h_i^l = \sum_{j=1}^{C_1} w_{ij} h_j^{(l-1)} = w_i^T h^{(l-1)}", op=FC_LAYER)
def _(r):
    W, h, _ = _layer(42)
    out = fc_forward_sum(W, h)
    r.close("h^l", out, np.array([W[i] @ h for i in range(W.shape[0])]),
            what="the sum over j = 1..C1 (all C1 inputs) vs the inner products w_i^T h^(l-1)")
    r.close("h^l (mlp_ref.linear)", out, layers.linear(W, h), what="mlp_ref.linear(W, h)")


@entry(id="mlpcnn-fc-forward-matrix", source=SRC, location="② FC layer, vectorized",
       kind="formula",
       statement=r"h^l = W^{(l)} h^{(l-1)} = [← w_1^T →; ← w_2^T →; ⋮; ← w_{C_2} →] [h_1^{(l-1)}; ⋮; h_{C_1}^{(l-1)}]",
       corrected_statement=r"h^l = W^{(l)} h^{(l-1)} = [← w_1^T →; ← w_2^T →; ⋮; ← w_{C_2}^T →] "
                           r"[h_1^{(l-1)}; ⋮; h_{C_1}^{(l-1)}]  (every row of W^{(l)} is a transposed w_i)")
def _(r):
    W, h, _ = _layer(43)
    C2 = W.shape[0]
    w = [W[i][:, None] for i in range(C2)]  # the column vectors w_i, with w_i^T the rows of W
    r.close("W h", W @ h, fc_forward_sum(W, h), what="h^l = W^(l) h^(l-1) vs the per-output sums")
    r.close("matrix picture", lambda: np.concatenate([wi.T for wi in w[:-1]] + [w[-1]], axis=0) @ h,
            fc_forward_sum(W, h),
            what="the stacked rows as drawn, ← w_1^T →, ← w_2^T →, ← w_{C_2} →, with w_i the column vector of the "
                 "forward pass h_i^l = w_i^T h^(l-1): the last, printed without ^T, is a C1 x 1 column (the arrows "
                 "draw a row)",
            corrected=lambda: np.concatenate([wi.T for wi in w], axis=0) @ h, severity="slip",
            why="a ᵀ missing on the last row of a matrix whose ← → arrows draw rows and whose other rows carry it; "
                "a reader restores it without changing h^l. Not transcription: this copy keeps every other "
                "superscript T (w_1^T, w_2^T, w_i^T twice, h^(l-1)T four times)")


@entry(id="mlpcnn-fpass-one-matmul", source=SRC, location="② FC layer, all of F-PASS", kind="claim",
       statement="So all of F-PASS = 1 matrix-mull")
def _(r):
    rng = np.random.default_rng(44)
    W, Hb = rng.normal(size=(3, 4)), rng.normal(size=(4, 6))  # six inputs h^(l-1) as columns
    per_output = np.array([[fc_forward_sum(W, Hb[:, n])[i] for n in range(Hb.shape[1])] for i in range(3)])
    r.close("one product", W @ Hb, per_output,
            what="all C2 sums for a batch of 6 inputs (columns) vs the single product W^(l) [h^(l-1)_1 ... h^(l-1)_6]")


@entry(id="mlpcnn-dh-dh", source=SRC, location="② FC layer, Gradients",
       kind="formula", statement=r"h^{(l)} = W^{(l)} h^{(l-1)} → dh^{(l)}/dh^{(l-1)} = W^{(l)}")
def _(r):
    W, h, _ = _layer(45)
    r.close("dh^l/dh^(l-1)", W, _fd_jacobian(lambda v: fc_forward_sum(W, v), h),
            what="W^(l) vs the central-difference Jacobian (numerator layout, J_ij = dh_i^l/dh_j^(l-1))", **FD_TOL)


@entry(id="mlpcnn-dhi-dwi", source=SRC, location="② FC layer, What about dout/dw",
       kind="formula", statement=r"h_i^l = w_i^T h^{(l-1)} → dh_i^l/dw_i = h^{(l-1)T}")
def _(r):
    W, h, _ = _layer(46)
    for i in range(W.shape[0]):
        def h_i(wi, i=i):
            return fc_forward_sum(np.vstack([wi if k == i else W[k] for k in range(W.shape[0])]), h)[i]
        r.close(f"dh_{i + 1}/dw_{i + 1}", h[None, :], _fd(h_i, W[i])[None, :],
                what=f"h^(l-1)T (a 1 x C1 row) vs the central-difference Jacobian of h_{i + 1}^l in w_{i + 1}",
                **FD_TOL)


@entry(id="mlpcnn-fc-backward-a", source=SRC, location="② FC layer, put together ⓐ",
       kind="formula",
       statement=r"dL/dh^{(l-1)} = dL/dh^l dh^l/dh^{(l-1)} = [dL/dh^l × W^{(l)}]; So B-PASS (a) ≡ 1 matrix mult",
       op=FC_BACKWARD_A, reading=ROW_LAYOUT)
def _(r):
    W, h, t = _layer(47)

    def loss(v):
        return 0.5 * np.sum((fc_forward_sum(W, v) - t) ** 2)

    dL_dh = (fc_forward_sum(W, h) - t)[None, :]  # a row
    _order_needs_a_row(r, dL_dh[0], {"W^(l)": W})
    r.close("dL/dh^(l-1)", fc_backward_a(dL_dh, W), _fd(loss, h)[None, :],
            what="[dL/dh^l × W^(l)] vs the central-difference gradient in h^(l-1), as a row", **FD_TOL)
    r.close("dL/dh^(l-1) (mlp_ref)", layers.linear_backward(dL_dh[0], W, h)["x"], fc_backward_a(dL_dh[0], W),
            what="the same numbers as mlp_ref.linear_backward (W^T times the column dL/dh^l)")
    rng = np.random.default_rng(47)
    G, Hb = rng.normal(size=(5, W.shape[0])), rng.normal(size=(5, W.shape[1]))  # five samples, one per row
    r.close("batch", fc_backward_a(G, W), _fd(lambda V: np.sum(G * layers.linear(W, V)), Hb),
            what="for 5 samples with rows dL/dh^l = g_n the one product G W^(l) vs the central-difference "
                 "gradient of L = sum_n g_n · h^l_n in the 5 inputs", **FD_TOL)


@entry(id="mlpcnn-left-right-multiply", source=SRC, location="② FC layer, put together",
       kind="claim", statement=r"Left multiply ≡ gradient; Right multiply ≡ output",
       reading="W^(l) multiplied from the left (by the row dL/dh^l) gives the gradient, from the right (by the "
               "column h^(l-1)) the output, in the notes' numerator layout")
def _(r):
    W, h, g = _layer(48)  # W is 3 x 4: the two sides cannot be confused
    r.close("right multiply", W @ h, fc_forward_sum(W, h),
            what="W^(l) multiplied on the right by h^(l-1) is the output h^l")
    r.close("left multiply", g[None, :] @ W, _fd(lambda v: g @ fc_forward_sum(W, v), h)[None, :],
            what="W^(l) multiplied on the left by the row dL/dh^l = g (L = g . h^l) vs the central-difference "
                 "gradient dL/dh^(l-1), as a row", **FD_TOL)
    try:
        swapped = list((W @ g).shape)
    except ValueError:
        swapped = "undefined"
    r.value("W^(l) times dL/dh^l on the right", swapped)


@entry(id="mlpcnn-fc-backward-b", source=SRC, location="② FC layer, put together ⓑ",
       kind="formula",
       statement=r"dL/dw_i = dL/dh_i^l dh_i^l/dw_i = dL/dh_i^l (scalar) × h^{(l-1)T} (1 \times n)",
       documented={"h^{(l-1)T}": r"1 \times n"}, reading=ROW_LAYOUT)
def _(r):
    W, h, t = _layer(49)
    C2, n = W.shape
    dL_dh = fc_forward_sum(W, h) - t
    i = 1
    r.close("scalar", dL_dh, _fd(lambda v: 0.5 * np.sum((v - t) ** 2), W @ h),
            what="dL/dh_i^l, one number for each output i, vs the central-difference gradient in h^l", **FD_TOL)
    J = _fd_jacobian(lambda wi: fc_forward_sum(np.vstack([W[:i], wi, W[i + 1:]]), h)[i:i + 1], W[i])
    m = int(r.documented["h^{(l-1)T}"].split()[0])
    r.value("dh_i^l/dw_i shape (central differences)", list(J.shape))
    r.claim("h^{(l-1)T}", J.shape == (m, n) and np.allclose(J, h[None, :], **FD_TOL),
            f"the central-difference Jacobian of h_2^l in w_2 is {J.shape[0]} x {J.shape[1]} with n = C1 = {n}, "
            f"equal to h^(l-1)T (documented: {r.documented['h^{(l-1)T}']})")

    def loss(w):  # w = [w_1; ...; w_C2], the w_i one after another
        return 0.5 * np.sum((fc_forward_sum(w.reshape(C2, n), h) - t) ** 2)

    rows = np.concatenate([dL_dh[i] * h[None, :] for i in range(C2)], axis=1)
    r.close("dL/dw_i", rows, _fd(loss, W.ravel())[None, :],
            what=f"the rows dL/dh_i^l × h^(l-1)T for i = 1..{C2}, side by side, vs the central-difference gradient "
                 "in the w_i, as a row", **FD_TOL)


@entry(id="mlpcnn-sgd-update", source=SRC, location="② FC layer, SGD update", kind="algorithm",
       statement=r"W^{(l)} = W^{(l)} - η dL/dW^{(l)}")
def _(r):
    W, h, t = _layer(50)

    def loss(Wv):
        return 0.5 * np.sum((fc_forward_sum(Wv, h) - t) ** 2)

    G = fc_backward_b(fc_forward_sum(W, h) - t, h)
    r.close("step", gradient_descent_step(W, G, 0.1), W - 0.1 * G, what="mlp_ref.gradient_descent_step vs W - η dL/dW")
    drops = {eta: (loss(W) - loss(W - eta * G)) / eta for eta in (1e-1, 1e-2, 1e-3)}
    r.value("(L(W) - L(W - η G)) / η", drops)
    r.claim("descent", all(d > 0 for d in drops.values()), "steps with η = 0.1, 0.01, 0.001 each lower the loss")
    exact = {eta: np.sum(G ** 2) - eta / 2 * np.sum((G @ h) ** 2) for eta in drops}
    r.close("decrease", list(drops.values()), list(exact.values()), **FD_TOL,
            what="(L(W) - L(W - η G)) / η = ||dL/dW||^2 - η/2 ||dL/dW h||^2, tending to ||dL/dW||^2 as η -> 0")


@entry(id="mlpcnn-fc-dL-dW-stacked", source=SRC, location="② FC layer, update (where)",
       kind="formula",
       statement=r"dL/dW^{(l)} = [← dL/dh_i^{(l)} · h^{(l-1)T} →; ⋮; ← dL/dh_i^{(l)} · h^{(l-1)T} →]",
       op=FC_BACKWARD_B,
       reading="both drawn rows carry the generic index i: row i of the matrix is dL/dh_i^(l) · h^(l-1)T, "
               "for i = 1..C2; stacking ⓑ's rows gives a matrix of W's shape")
def _(r):
    W, h, t = _layer(51)

    def loss(Wv):
        return 0.5 * np.sum((fc_forward_sum(Wv, h) - t) ** 2)

    dW = fc_backward_b(fc_forward_sum(W, h) - t, h)
    r.close("dL/dW", dW, _fd(loss, W),
            what="the rows dL/dh_i · h^(l-1)T stacked for i = 1..C2 (both drawn rows carry the generic index i) "
                 "vs central differences; the result has W's shape", **FD_TOL)
    r.close("dL/dW (mlp_ref)", dW, layers.linear_backward(fc_forward_sum(W, h) - t, W, h)["W"],
            what="mlp_ref.linear_backward: the outer product dL/dh^l h^(l-1)T")
    r.value("layout", f"the rows dL/dw_i (1 x {W.shape[1]}, ⓑ) stacked give W's shape {W.shape}: for the matrix "
                      "the notes use the layout of W, not the transposed shape a numerator layout would give")


@entry(id="mlpcnn-column-intuition", source=SRC, location="② FC layer, One more intuition",
       kind="claim", statement=r"One more intuition: col in W^{(l)} matrix")
def _(r):
    r.missing("intuition", "the notes give only the heading 'One more intuition' and the words 'col in W^(l) "
                           "matrix'; the drawing that carries the intuition is not in the text")


@entry(id="mlpcnn-relu-layer", source=SRC, location="③ ReLU Layer", kind="formula",
       statement=r"F-PASS h_i^{(l+1)} = max{0, h_i^l}; B-PASS dh_i^{(l+1)}/dh_i^l = +1 if h_i^l >= 0, "
                 r"0 else; dL/dh_i^l = dL/dh_i^{(l+1)} x 1{h_i^l >= 0}",
       op=RELU_AS_WRITTEN)
def _(r):
    rng = np.random.default_rng(4)
    h = rng.uniform(-3, 3, 50)
    g = rng.normal(size=50)
    eps = 1e-6
    fd = (act.relu(h + eps) - act.relu(h - eps)) / (2 * eps)
    r.close("backward away from 0", relu_backward_as_written(g, h), g * fd,
            what="B-PASS at 50 points away from the kink vs central differences", rtol=1e-6, atol=1e-8)
    at0 = float(relu_backward_as_written(np.array([1.0]), np.array([0.0]))[0])
    left = float((act.relu(np.array(0.0)) - act.relu(np.array(-eps))) / eps)
    right = float((act.relu(np.array(eps)) - act.relu(np.array(0.0))) / eps)
    r.value("derivative at 0 as written", at0)
    r.value("one-sided derivatives at 0", [left, right])
    r.claim("value at 0 is a subgradient", min(left, right) <= at0 <= max(left, right),
            f"at h = 0 the as-written derivative is {at0:g}, inside the one-sided range [{left:g}, {right:g}]")
    framework = float(act.relu_grad(np.array([0.0]))[0])
    r.value("derivative at 0, 1{h > 0} (mlp_ref default, torch/JAX)", framework)
    r.convention("kink at 0", at0 != framework,
                 f"convention: 004 takes dReLU/dh = {at0:g} at h = 0 (1{{h >= 0}}); 002 Example 11.4.3 and "
                 f"torch/JAX take {framework:g} (1{{h > 0}}); mlp_ref.relu_grad(z, at_zero=...) exposes both",
                 what="the value the notes give ReLU' at the kink h = 0, against the frameworks'")


# ------------------------------------------------------------------------------ expected verdicts
# What the computation must derive, in document order; tests/test_catalog.py checks every row.
EXPECTED = {
    "mlpcnn-module-abstract": "holds",
    "mlpcnn-module-concrete": "holds",
    "mlpcnn-fc-forward-sum": "holds",
    "mlpcnn-fc-forward-matrix": "erratum",
    "mlpcnn-fpass-one-matmul": "holds",
    "mlpcnn-dh-dh": "holds",
    "mlpcnn-dhi-dwi": "holds",
    "mlpcnn-fc-backward-a": "holds",
    "mlpcnn-left-right-multiply": "holds",
    "mlpcnn-fc-backward-b": "holds",
    "mlpcnn-sgd-update": "holds",
    "mlpcnn-fc-dL-dW-stacked": "holds",
    "mlpcnn-column-intuition": "incomplete",
    "mlpcnn-relu-layer": "convention",
}
INPUTS = set()
MISMATCHED_NUMBERS = set()
OTHER_READINGS = {}
CONVENTIONS = {
    "mlpcnn-relu-layer": "1{h >= 0}",
}
SEVERITY = {
    "mlpcnn-fc-forward-matrix": "slip",
}
SAME_FAULT = {}
