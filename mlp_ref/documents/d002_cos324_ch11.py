"""002 — COS 324, Chapter 11: Feedforward Neural Network and Backpropagation.

Entries in document order. The chapter's column vectors are 1-D arrays here; W^(k) is
(d_k, d_{k-1}) as in the chapter and torch.nn.Linear; networks have no biases. The chapter's
class y in {1, ..., d_out} is mlp_ref label y - 1 (recorded as a convention where it matters).
The figures are images the text lacks: the weights of Figures 11.1-11.3 are the matrices printed in
Example 11.1.3, checked against the scalar equations (11.1)-(11.3).
"""
from __future__ import annotations

import ast
import functools
import math
import re

import numpy as np

from .. import activations as act
from .. import layers, losses
from .._validate import as_float, as_labels, check_reduction, reduce_grad
from ..gradient import gradient_descent_step, numerical_gradient
from ..registry import Arg, Op, entry, register_op

SRC = "002_5743ee5785c1fd12.txt"
# -- document declaration (mlp_ref.registry.document); registered in pyproject.toml under
# [project.entry-points."mlp_ref.documents"], forms under "mlp_ref.forms"
from ..registry import document  # noqa: E402

DOCUMENT = document(SRC, title="COS 324, Chapter 11: Feedforward Neural Network and Backpropagation",
                    citation="COS 324, Chapter 11: Feedforward Neural Network and Backpropagation (lecture notes), text copy 002_5743ee5785c1fd12.txt",
                    prefix="cos324-")

# Comparisons against central differences (eps = 1e-6): O(eps^2) truncation plus O(ulp/eps)
# rounding, so they cannot meet CATALOG_RTOL; every finite-difference check uses this pair.
FD = {"rtol": 1e-6, "atol": 1e-8}
# The Delta method of 11.3.1 with a dyadic step: for integer weights and inputs every value is
# exactly representable, so these slopes are exact and use the catalog tolerance.
DELTA = 2.0 ** -10


# ------------------------------------------------------------- reading the printed text
def _bmatrix(text):
    """A printed LaTeX matrix '\\begin{bmatrix} 2 & -3 \\\\ ... \\end{bmatrix}' as a float array."""
    body = re.fullmatch(r"\s*\\begin\{bmatrix\}(.*)\\end\{bmatrix\}\s*", text, re.S)
    if not body:
        raise ValueError(f"not a bmatrix: {text!r}")
    return np.array([[float(v) for v in row.split("&")] for row in body.group(1).split("\\\\")])


_ARITH_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b}


def _arith(text, Delta=0.0):
    """Evaluate printed arithmetic such as '(-1) \\cdot 3 + (1 + \\Delta) \\cdot 1' at a value of Delta."""
    src = re.sub(r"(\d)\s*\\Delta", r"\1*D", text).replace(r"\Delta", "D").replace(r"\cdot", "*")

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id == "D":
            return float(Delta)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return -ev(node.operand) if isinstance(node.op, ast.USub) else ev(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH_OPS:
            return _ARITH_OPS[type(node.op)](ev(node.left), ev(node.right))
        raise ValueError(f"not plain arithmetic in Delta: {text!r}")

    return ev(ast.parse(src, mode="eval"))


def _affine_in_delta(text):
    """A printed 'a + b Delta' expression as (a, b); raises if it is not affine in Delta."""
    a, b = _arith(text, 0.0), _arith(text, 1.0) - _arith(text, 0.0)
    if _arith(text, 2.0) != a + 2 * b:
        raise ValueError(f"not affine in Delta: {text!r}")
    return a, b


def _coefficients(f, n):
    """The matrix of a linear map f: R^n -> R^m, column j = f(e_j) (the coefficients as printed)."""
    return np.stack([np.asarray(f(e), dtype=np.float64) for e in np.eye(n)], axis=-1)


# ------------------------------------------------------------------ the networks of 11.1
# The figures are images the text does not carry. The weights come from the matrices printed
# in Example 11.1.3; (11.1)-(11.3) and the output equation of Figure 11.1 are transcribed
# separately below, so the entries compare two transcriptions of the same network.
EX_11_1_3_W1 = r"\begin{bmatrix} 2 & -3 & 0 \\ -1 & 1 & 2 \end{bmatrix}"
EX_11_1_3_W2 = r"\begin{bmatrix} 1 & 2 \\ 2 & -2 \end{bmatrix}"
EX_11_1_3_WO = r"\begin{bmatrix} -1 & 2 \\ 2 & 1 \\ 1 & 2 \end{bmatrix}"
W1, W2, WO = _bmatrix(EX_11_1_3_W1), _bmatrix(EX_11_1_3_W2), _bmatrix(EX_11_1_3_WO)
X_111 = np.array([1.0, 1.0, 1.0])  # Examples 11.1.1-11.1.3, 11.2.2, 11.2.3
X_331 = np.array([3.0, 1.0, 2.0])  # Example 11.3.1 (Figure 11.3)


def eq_11_1_pre(x):
    """The arguments of ReLU in (11.1): (2x1 - 3x2, -x1 + x2 + 2x3)."""
    x1, x2, x3 = x
    return np.array([2 * x1 - 3 * x2, -x1 + x2 + 2 * x3])


def eq_11_1(x):
    """(11.1) coefficient by coefficient: h^(1) = (ReLU(2x1 - 3x2), ReLU(-x1 + x2 + 2x3))."""
    return act.relu(eq_11_1_pre(x))


def eq_11_2_pre(h):
    """The arguments of ReLU in (11.2): (h1 + 2h2, 2h1 - 2h2) with h = h^(1)."""
    h1, h2 = h
    return np.array([h1 + 2 * h2, 2 * h1 - 2 * h2])


def eq_11_2(h):
    """(11.2): h^(2) = (ReLU(h1 + 2h2), ReLU(2h1 - 2h2)) with h = h^(1)."""
    return act.relu(eq_11_2_pre(h))


def eq_fig_11_1_output(h):
    """Figure 11.1 output node: o = -h1 + 2h2 with h = h^(2)."""
    h1, h2 = h
    return -h1 + 2 * h2


def eq_11_3(h):
    """(11.3): o = (-h1 + 2h2, 2h1 + h2, h1 + 2h2) with h = h^(2)."""
    h1, h2 = h
    return np.array([-h1 + 2 * h2, 2 * h1 + h2, h1 + 2 * h2])


def eq_11_4(o):
    """(11.4): o-hat_i = e^{o_i} / sum_j e^{o_j}, one coordinate at a time."""
    return np.array([math.exp(oi) / sum(math.exp(oj) for oj in o) for oi in o])


WO_FIG_11_1 = _coefficients(eq_fig_11_1_output, 2)[None, :]  # (1, 2), read off o = -h_1 + 2h_2


def _network(x, Wout):
    out, cache = layers.mlp_forward(x, [W1, W2, Wout], None, "relu", "identity")
    h0, h1, h2, _ = cache["x"]
    return {"z1": cache["s"][0], "h1": h1, "z2": cache["s"][1], "h2": h2, "o": out}


def figure_11_1(x):
    """The one-output ReLU network of Figure 11.1 at x (3,) or rows (N, 3): h1, h2, o of shape (1,)."""
    return _network(x, WO_FIG_11_1)


def figure_11_2(x):
    """The three-output network of Figure 11.2, (11.9): h1, h2, o and o-hat = softmax(o)."""
    out = _network(x, WO)
    out["ohat"] = act.softmax(out["o"])
    return out


def _fig_11_2_loss(Ws, x, y):
    """Cross-entropy of a bias-free ReLU net (Figure 11.2 layout) for 0-based label y."""
    out, _ = layers.mlp_forward(x, list(Ws), None, "relu", "identity")
    return losses.softmax_cross_entropy(out, y)


def _jacobian_fd(f, x):
    """J(f(x), x) by central differences, one row per output coordinate (mlp_ref.numerical_gradient)."""
    x = np.asarray(x, dtype=np.float64)
    m = np.asarray(f(x)).size
    return np.stack([numerical_gradient(lambda v, i=i: np.asarray(f(v)).reshape(-1)[i], x, method="central")
                     for i in range(m)]).reshape(np.asarray(f(x)).shape + x.shape)


def _delta_slope(f, x, idx):
    """(f(x + Delta e_idx) - f(x)) / Delta with the dyadic Delta: the Delta method of 11.3.1."""
    up = np.array(x, dtype=np.float64)
    up[idx] += DELTA
    return (np.asarray(f(up)) - np.asarray(f(x))) / DELTA

# ------------------------------------------------------------- document-specific ops
def _ce_vjp(first):
    def vjp(g, o, y, reduction="sum"):
        o = as_float("o", o, ndim=(1, 2))
        y = as_labels("y", y, o.shape[-1], ndim=o.ndim - 1)
        e_y = np.eye(o.shape[-1], dtype=o.dtype)[y]
        if o.ndim == 1:
            return {"o": (first(o) - e_y) * np.asarray(g, dtype=o.dtype)}
        return {"o": (first(o) - e_y) * reduce_grad(g, (o.shape[0],), o.dtype, check_reduction(reduction))[:, None]}
    return vjp


_CE_ARGS = {"o": Arg(("N", "K"), low=-6, high=6), "y": Arg(("N",), kind="labels")}
CE_11_14 = register_op(Op(
    name="cos324-eq-11.14", fn="softmax_cross_entropy",
    forward=lambda o, y, **k: losses.softmax_cross_entropy(o, y, **k),
    vjp=_ce_vjp(act.softmax), args=_CE_ARGS, params={"reduction": "sum"}, analytic=False,
    note="dl/do = (o-hat - e_y)^T, e_y one-hot at the 0-based label"))
CE_11_14_REVISITED = register_op(Op(
    name="cos324-eq-11.14-revisited", fn="softmax_cross_entropy",
    forward=lambda o, y, **k: losses.softmax_cross_entropy(o, y, **k),
    vjp=_ce_vjp(lambda o: o), args=_CE_ARGS, params={"reduction": "sum"}, analytic=False,
    note="as written: dl/do = (o - e_y)^T, the logits in place of o-hat"))

LINEAR_X = register_op(Op(
    name="cos324-eq-11.15", fn="linear", forward=lambda W, x: layers.linear(W, x),
    vjp=lambda g, W, x: {"x": np.asarray(g) @ W},
    args={"W": Arg(("H", "D"), differentiable=False), "x": Arg(("N", "D"))},
    note="(11.15): dl/dh^(L-1) = dl/do W^(o), the row-vector times the weight matrix"))
LINEAR_W = register_op(Op(
    name="cos324-eq-11.17", fn="linear", forward=lambda W, x: layers.linear(W, x),
    vjp=lambda g, W, x: {"W": np.atleast_2d(g).T @ np.atleast_2d(x)},
    args={"W": Arg(("H", "D")), "x": Arg(("N", "D"), differentiable=False)},
    note="(11.17): dl/dW^(o) = (dl/do)^T (h^(L-1))^T, summed over a batch"))


def relu_layer(W, x):
    """h^(k+1) = ReLU(W^(k+1) h^(k)) for W (H, D) and x (D,) or rows (N, D)  (002 Example 11.4.5)."""
    return act.relu(layers.linear(W, x))


def _relu_mask(W, x):
    return act.relu_grad(layers.linear(W, x))  # 1(W h > 0): value 0 at 0, as (11.16)/(11.18) write it


def _preactivation_distance(W, x, **_):
    """Distance of the pre-activations x W^T (the documents' W h) from the ReLU kink at 0."""
    return float(np.min(np.abs(x @ W.T)))


def _indicator(text):
    """The printed indicator '\\mathbb{1}(... > 0)' or '(... \\geq 0)' as a function of the pre-activation z."""
    m = re.search(r"(>=|\\geq|\\ge|>)\s*0\s*\)\s*$", text)
    if not m:
        raise ValueError(f"not a printed indicator 1(... > 0): {text!r}")
    if m.group(1) == ">":
        return lambda z: (np.asarray(z) > 0).astype(np.float64)
    return lambda z: (np.asarray(z) >= 0).astype(np.float64)


RELU_LAYER_X = register_op(Op(
    name="cos324-eq-11.16", fn="cos324_relu_layer", forward=relu_layer,
    vjp=lambda g, W, x: {"x": (np.asarray(g) * _relu_mask(W, x)) @ W},
    args={"W": Arg(("H", "D"), differentiable=False), "x": Arg(("N", "D"))}, analytic=False,
    note="dl/dh^(k) = dl/dh^(k+1) diag(1(W h > 0)) W; kinks where a pre-activation W h is 0",
    kink_distance=_preactivation_distance))
RELU_LAYER_W = register_op(Op(
    name="cos324-eq-11.18", fn="cos324_relu_layer", forward=relu_layer,
    vjp=lambda g, W, x: {"W": np.atleast_2d(np.asarray(g) * _relu_mask(W, x)).T @ np.atleast_2d(x)},
    args={"W": Arg(("H", "D")), "x": Arg(("N", "D"), differentiable=False)}, analytic=False,
    note="dl/dW^(k+1) = diag(1(W h > 0)) (dl/dh^(k+1))^T (h^(k))^T; kinks where W h is 0",
    kink_distance=_preactivation_distance))
RELU_11_4_3 = register_op(Op(
    name="cos324-ex-11.4.3", fn="relu", forward=act.relu,
    vjp=lambda g, z: {"z": np.asarray(g) * act.relu_grad(z)},
    args={"z": Arg(("N", "D"), low=-4, high=4, kinks=(0.0,))}, analytic=False,
    note="J(ReLU(x), x) = diag(1(x > 0)): value 0 at the kink"))

SIGMOID_11_19_AS_WRITTEN = register_op(Op(
    name="cos324-eq-11.19", fn="sigmoid", forward=act.sigmoid,
    vjp=lambda g, z: {"z": np.asarray(g) / (1.0 + np.exp(-np.asarray(z)))},
    args={"z": Arg(("N", "D"), low=-8, high=8)},
    note="first line of (11.19) as written: sigma'(z) = 1/(1 + e^{-z}) (that is sigma, not its derivative)"))
SIGMOID_11_19 = register_op(Op(
    name="cos324-eq-11.19-corrected", fn="sigmoid", forward=act.sigmoid,
    vjp=lambda g, z: {"z": np.asarray(g) * act.sigmoid(z) * (1.0 - act.sigmoid(z))},
    args={"z": Arg(("N", "D"), low=-8, high=8)}, note="last line of (11.19): sigma(z)(1 - sigma(z))"))
TANH_11_4_7 = register_op(Op(
    name="cos324-prob-11.4.7", fn="tanh", forward=act.tanh,
    vjp=lambda g, z: {"z": np.asarray(g) * (1.0 - act.tanh(z) ** 2)},
    args={"z": Arg(("N", "D"), low=-4, high=4)}, note="f'(z) = 1 - f(z)^2 for f = tanh"))


def tanh_layer(W, x):
    """h^(k+1) = tanh(W^(k+1) h^(k)): the layer of Problem 11.4.8 with f = tanh, g(u) = 1 - u^2."""
    return act.tanh(layers.linear(W, x))


def _g_tanh(u):
    return 1.0 - u * u  # Problem 11.4.7: tanh' = g(tanh) with g(u) = 1 - u^2


def _tanh_layer_vjp(inner):
    def vjp(g, W, x):
        d = np.asarray(g) * _g_tanh(inner(W, x))
        return {"W": np.atleast_2d(d).T @ np.atleast_2d(x), "x": d @ W}
    return vjp


_TANH_LAYER_ARGS = {"W": Arg(("H", "D"), low=-1, high=1), "x": Arg(("N", "D"), low=-2, high=2)}
TANH_LAYER_AS_WRITTEN = register_op(Op(
    name="cos324-prob-11.4.8", fn="cos324_tanh_layer", forward=tanh_layer,
    vjp=_tanh_layer_vjp(lambda W, x: layers.linear(W, x)), args=_TANH_LAYER_ARGS,
    note="as written: diag(g(W h)), g applied to the pre-activation"))
TANH_LAYER = register_op(Op(
    name="cos324-prob-11.4.8-corrected", fn="cos324_tanh_layer", forward=tanh_layer,
    vjp=_tanh_layer_vjp(tanh_layer), args=_TANH_LAYER_ARGS,
    note="corrected: diag(g(f(W h))) = diag(g(h^(k+1)))"))


# --------------------------------------------- 11.4.2: the four steps, and Problem 11.4.6
def backprop_four_steps(x, y, Ws, as_written=False):
    """The chapter's four-step backpropagation for a bias-free ReLU net with cross-entropy.

    x (d_0,), y a 0-based label, Ws = [W^(1), ..., W^(o)] with W^(k) (d_k, d_{k-1}). Step 1 uses
    (o-hat - e_y)^T, or the printed (o - e_y)^T of "(11.14) revisited" when `as_written`.
    Returns {"W": [dl/dW^(1..L)], "x": dl/dh^(0)}.
    """
    if not isinstance(as_written, bool):
        raise ValueError(f"as_written: expected True or False, got {as_written!r}")
    x = as_float("x", x, ndim=1)
    o, cache = layers.mlp_forward(x, Ws, None, "relu", "identity")
    Ws, h = cache["Ws"], cache["x"]  # h[k] = h^(k); h[0] = x, h[L] = o
    y = as_labels("y", y, o.shape[0], ndim=0)
    e_y = np.eye(o.shape[0])[y]
    dl_do = (o if as_written else act.softmax(o)) - e_y  # step 1
    L = len(Ws)
    dW = [None] * L
    dl_dh = dl_do @ Ws[L - 1]  # step 2, (11.15)
    dW[L - 1] = np.outer(dl_do, h[L - 1])  # (11.17)
    for k in range(L - 2, -1, -1):  # step 3, repeated down to the input layer (Ws[k] is W^(k+1))
        D = np.diag(act.relu_grad(Ws[k] @ h[k]))
        dW[k] = D @ np.outer(dl_dh, h[k])  # (11.18)
        dl_dh = dl_dh @ D @ Ws[k]  # (11.16)
    return {"W": dW, "x": dl_dh}


class _Tally:
    def __init__(self):
        self.mul = self.add = self.other = 0


class _Num:
    """A float that tallies each multiplication and addition it takes part in (Problem 11.4.6)."""

    __slots__ = ("v", "t")

    def __init__(self, v, t):
        self.v, self.t = float(v), t

    @staticmethod
    def _val(other):
        return other.v if isinstance(other, _Num) else float(other)

    def __mul__(self, other):
        self.t.mul += 1
        return _Num(self.v * self._val(other), self.t)

    __rmul__ = __mul__

    def __add__(self, other):
        self.t.add += 1
        return _Num(self.v + self._val(other), self.t)

    __radd__ = __add__

    def __sub__(self, other):
        self.t.add += 1
        return _Num(self.v - self._val(other), self.t)


def _matvec(A, h):
    """A h row by row: acc = A_i1 h_1, then acc + A_ij h_j."""
    out = []
    for row in A:
        acc = row[0] * h[0]
        for a, hj in zip(row[1:], h[1:]):
            acc = acc + a * hj
        out.append(acc)
    return out


def _vecmat(g, A):
    """g A for a row vector g: column by column."""
    return _matvec([list(col) for col in zip(*A)], g)


def count_matvec(A, h):
    """A h computed with tallied scalars: returns (A h, {"mul": ..., "add": ...})  (Problem 11.4.6 (i))."""
    A = as_float("A", A, ndim=2)
    h = as_float("h", h, ndim=1)
    if A.shape[1] != h.shape[0] or A.shape[1] == 0:
        raise ValueError(f"h: expected {A.shape[1]} > 0 entries to match A of shape {A.shape}, got {h.shape}")
    t = _Tally()
    out = _matvec(A.tolist(), [_Num(v, t) for v in h])
    return np.array([v.v for v in out]), {"mul": t.mul, "add": t.add}


def _check_sizes(sizes):
    if (not isinstance(sizes, (list, tuple)) or len(sizes) < 2
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)):
        raise ValueError(f"sizes: expected at least two positive int layer widths (d_0, ..., d_L), got {sizes!r}")
    return tuple(sizes)


def _random_net(sizes, seed):
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(sizes[k + 1], sizes[k])) for k in range(len(sizes) - 1)]
    return rng.normal(size=sizes[0]), Ws


def _counted_forward(x, Ws, t):
    h = [[_Num(v, t) for v in x]]
    masks = []
    for k, W in enumerate(Ws):
        z = _matvec(W.tolist(), h[-1])
        if k < len(Ws) - 1:
            masks.append([1.0 if zi.v > 0 else 0.0 for zi in z])
            t.other += len(z)  # comparisons
            h.append([zi * m for zi, m in zip(z, masks[-1])])  # ReLU as diag(1(z > 0)) z
        else:
            h.append(z)
    top = max(oi.v for oi in h[-1])
    e = [_Num(math.exp(oi.v - top), t) for oi in h[-1]]  # shifted by the max: no overflow in deep nets
    Z = e[0]
    for ei in e[1:]:
        Z = Z + ei
    t.other += 2 * len(e)  # exponentials and divisions of the softmax
    ohat = [_Num(ei.v / Z.v, t) for ei in e]
    return h, masks, ohat


def count_backprop_ops(sizes, seed=0):
    """Tally the scalar operations of one backpropagation pass (11.4.2) on a random bias-free
    FC ReLU net with widths `sizes`, cross-entropy on label 0  (Problem 11.4.6 (ii)).

    Returns {"params", "forward": {"mul", "add"}, "backward": {"mul", "add"}, "other", "grad"}.
    """
    sizes = _check_sizes(sizes)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed: expected an int, got {seed!r}")
    x, Ws = _random_net(sizes, seed)
    t = _Tally()
    h, masks, ohat = _counted_forward(x, Ws, t)
    fwd = {"mul": t.mul, "add": t.add}
    t.mul = t.add = 0
    g = [oh - (1.0 if i == 0 else 0.0) for i, oh in enumerate(ohat)]  # step 1: o-hat - e_y
    grads = [None] * len(Ws)
    for k in range(len(Ws) - 1, -1, -1):
        if k < len(Ws) - 1:
            g = [gi * m for gi, m in zip(g, masks[k])]  # times diag(1(W h > 0))
        grads[k] = np.array([[(gi * hj).v for hj in h[k]] for gi in g])  # (dl/dz)^T h^T
        if k > 0:
            g = _vecmat(g, Ws[k].tolist())  # times W^(k+1): dl/dh^(k)
    params = sum(W.size for W in Ws)
    return {"params": params, "forward": fwd, "backward": {"mul": t.mul, "add": t.add},
            "other": t.other, "grad": grads}


def _tallied_matvec(A, v, t):
    """A v with its mn multiplications and m(n - 1) additions tallied (the count Problem 11.4.6 (i) tallies
    scalar by scalar)."""
    m, n = A.shape
    t.mul += m * n
    t.add += m * (n - 1)
    return A @ v


def count_naive_ops(sizes, seed=0):
    """Tally the operations of the per-weight chain rule of 11.3 (the Delta method, one forward
    sweep of the perturbation per weight) on the same net as `count_backprop_ops`  (footnote 3).

    Each sweep is carried out with NumPy products whose operations are tallied as they run.
    """
    sizes = _check_sizes(sizes)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed: expected an int, got {seed!r}")
    x, Ws = _random_net(sizes, seed)
    t = _Tally()
    h, masks, ohat = _counted_forward(x, Ws, t)
    h = [np.array([v.v for v in layer]) for layer in h]
    masks = [np.array(m) for m in masks]
    t.mul = t.add = 0
    dl_do = np.array([oh.v for oh in ohat]) - np.eye(len(ohat))[0]
    t.add += dl_do.size
    L = len(Ws)
    grads = [np.zeros_like(W) for W in Ws]
    for k in range(L):
        for i in range(Ws[k].shape[0]):
            for j in range(Ws[k].shape[1]):
                d = np.array([h[k][j] * 1.0])  # dz^(k+1)_i / dw_ij = h_j^(k); other coordinates 0
                t.mul += 1
                if k < L - 1:
                    d = d * masks[k][i]
                    t.mul += 1
                rows = [i]
                for l in range(k + 1, L):  # push the perturbation through the later layers
                    d = _tallied_matvec(Ws[l][:, rows], d, t)
                    rows = slice(None)
                    if l < L - 1:
                        d = d * masks[l]
                        t.mul += d.size
                if k == L - 1:
                    grads[k][i, j] = dl_do[i] * d[0]
                    t.mul += 1
                else:
                    grads[k][i, j] = dl_do @ d
                    t.mul += d.size
                    t.add += d.size - 1
    params = sum(W.size for W in Ws)
    return {"params": params, "ops": t.mul + t.add, "grad": grads}


def _ce_grads(x, y, Ws):
    """dl/dW^(k) from mlp_ref's own backward (mlp_loss_backward) for a bias-free ReLU net."""
    return layers.mlp_loss_backward(x, y, Ws, None, activation="relu", loss="softmax_cross_entropy")["W"]


def ops_from_matvec_counts(sizes):
    """Additions + multiplications of one pass of `count_backprop_ops`, predicted layer by layer from
    Problem 11.4.6 (i): an m x n product A h costs mn multiplications and m(n - 1) additions.

    Per layer k (m = d_k, n = d_(k-1)): forward W h; backward the outer product (mn multiplications)
    and, above the first layer, g W (mn multiplications, n(m - 1) additions); plus one multiplication
    per hidden unit for each ReLU mask, d_out - 1 additions for the softmax sum and d_out for o-hat - e_y.
    """
    sizes = _check_sizes(sizes)
    total = 0
    for k in range(1, len(sizes)):
        m, n = sizes[k], sizes[k - 1]
        total += m * n + m * (n - 1) + m * n
        if k > 1:
            total += m * n + n * (m - 1)
    hidden = sum(sizes[1:-1])
    return total + 2 * hidden + (sizes[-1] - 1) + sizes[-1]


def _tallies(sizes, naive=False):
    """(parameters, tallied additions + multiplications) of backpropagation or of the per-weight chain rule."""
    return _tallies_cached(tuple(sizes), bool(naive))


@functools.lru_cache(maxsize=None)
def _tallies_cached(sizes, naive):
    # one cache key per (sizes, naive), however the caller spells them; the entries share these tallies
    if naive:
        c = count_naive_ops(sizes)
        return c["params"], c["ops"]
    c = _backprop_counted(sizes)
    return c["params"], sum(c["forward"].values()) + sum(c["backward"].values())


@functools.lru_cache(maxsize=None)
def _backprop_counted(sizes):
    """count_backprop_ops(sizes), computed once for the entries that share it (read-only)."""
    return count_backprop_ops(tuple(sizes))


def _loglog_slope(family, naive=False):
    """d log(ops) / d log(parameters) between the two largest nets of a family."""
    (p1, c1), (p2, c2) = (_tallies(s, naive) for s in family[-2:])
    return math.log(c2 / c1) / math.log(p2 / p1)


def _label(sizes):
    """Layer widths for a message: '(8, 12, 12, 8)', or '33 layers of 8' for a long uniform net."""
    return f"{len(sizes)} layers of {sizes[0]}" if len(sizes) > 6 and len(set(sizes)) == 1 else str(sizes)


WIDTH_FAMILY = tuple(tuple(k * s for s in (2, 3, 3, 2)) for k in (1, 2, 4, 8))
DEPTH_FAMILY = tuple((8,) * n for n in (3, 5, 9, 17))
ARCHITECTURES = ((3, 2, 2, 3), (2, 3, 3, 2), (4, 8, 8, 8, 4), (10, 10, 10), (50, 20, 5), (2, 40, 40, 3),
                 (8, 8, 8, 8, 8, 8), (16, 24, 24, 16), (1, 1, 1, 1), (100, 1, 100), (1, 64, 1))


# ====================================================================== entries
@entry(id="cos324-def-11.0.1", source=SRC, location="Definition 11.0.1", kind="definition",
       statement="Fully-Connected Layer: a neural network layer in which all the nodes from one layer are fully "
                 "connected to every node of the next layer")
def _(r):
    rng = np.random.default_rng(11)
    W, x = rng.normal(size=(4, 3)), rng.normal(size=3)
    J = _jacobian_fd(lambda v: layers.linear(W, v), x)
    r.close("J(W h, h)", J, W, what="the Jacobian of mlp_ref.linear is its weight matrix W (4 x 3)", **FD)
    r.claim("every node sees every input", bool(np.all(np.abs(J) > 1e-6)),
            f"all {J.size} = d_k x d_(k-1) entries of J(W h, h) are nonzero: one connection per (node, input) pair")
    # the same test on a layer that is not fully connected (a width-2 convolution-like band)
    band = W * (np.abs(np.subtract.outer(np.arange(4), np.arange(3))) <= 1)
    Jb = _jacobian_fd(lambda v: layers.linear(band, v), x)
    missing = int(np.sum(np.abs(Jb) <= 1e-6))
    r.claim("a banded layer fails the test", missing > 0,
            f"control: a banded 4 x 3 layer (as in a convolution, Chapter 12) leaves {missing} of 12 Jacobian "
            "entries zero, so the test separates fully-connected from other layers")


@entry(id="cos324-eq-11.1", source=SRC, location="(11.1)", kind="formula",
       statement=r"h_1^{(1)} = ReLU(2x_1 - 3x_2); h_2^{(1)} = ReLU(-x_1 + x_2 + 2x_3)")
def _(r):
    rng = np.random.default_rng(1)
    xs = rng.uniform(-3, 3, size=(20, 3))
    r.close("coefficients", _coefficients(eq_11_1_pre, 3), W1,
            what="the coefficients of (11.1) vs W^(1) as printed in Example 11.1.3")
    r.close("h^(1) at 20 inputs", np.array([eq_11_1(x) for x in xs]), figure_11_1(xs)["h1"],
            what="(11.1) vs ReLU(W^(1) x) with mlp_ref.linear/relu")


@entry(id="cos324-eq-11.2", source=SRC, location="(11.2)", kind="formula",
       statement=r"h_1^{(2)} = ReLU(h_1^{(1)} + 2h_2^{(1)}); h_2^{(2)} = ReLU(2h_1^{(1)} - 2h_2^{(1)})")
def _(r):
    rng = np.random.default_rng(2)
    xs = rng.uniform(-3, 3, size=(20, 3))
    net = figure_11_1(xs)
    r.close("coefficients", _coefficients(eq_11_2_pre, 2), W2,
            what="the coefficients of (11.2) vs W^(2) as printed in Example 11.1.3")
    r.close("h^(2) at 20 inputs", np.array([eq_11_2(h) for h in net["h1"]]), net["h2"],
            what="(11.2) vs ReLU(W^(2) h^(1))")


@entry(id="cos324-eq-fig-11.1-output", source=SRC, location="11.1.1, output node of Figure 11.1",
       kind="formula", statement=r"o = -h_1^{(2)} + 2h_2^{(2)}")
def _(r):
    rng = np.random.default_rng(3)
    xs = rng.uniform(-3, 3, size=(20, 3))
    scalar = np.array([eq_fig_11_1_output(eq_11_2(eq_11_1(x))) for x in xs])
    r.close("o at 20 inputs", figure_11_1(xs)["o"][:, 0], scalar,
            what="mlp_ref.mlp_forward with W^(1), W^(2) of Example 11.1.3 and W^(o) = [-1, 2] vs (11.1), (11.2) "
                 "and the output equation")


@entry(id="cos324-ex-11.1.1", source=SRC, location="Example 11.1.1", kind="example",
       statement=r"x = (1, 1, 1) in Figure 11.1: h_1^{(1)} = ReLU(2 - 3) = 0, h_2^{(1)} = ReLU(-1 + 1 + 2) = 2, "
                 r"h_1^{(2)} = ReLU(0 + 2 \cdot 2) = 4, h_2^{(2)} = ReLU(0 - 2 \cdot 2) = 0, o = -4 + 0 = -4",
       documented={"z_1^(1)": "2 - 3", "z_2^(1)": "-1 + 1 + 2", "z_1^(2)": r"0 + 2 \cdot 2",
                   "z_2^(2)": r"0 - 2 \cdot 2", "o terms": "-4 + 0",
                   "h_1^(1)": "0", "h_2^(1)": "2", "h_1^(2)": "4", "h_2^(2)": "0", "o": "-4"})
def _(r):
    net = figure_11_1(X_111)
    for key, v in (("z_1^(1)", net["z1"][0]), ("z_2^(1)", net["z1"][1]), ("z_1^(2)", net["z2"][0]),
                   ("z_2^(2)", net["z2"][1]), ("o terms", net["o"][0])):
        r.close(key, _arith(r.documented[key]), v, what=f"the printed argument {r.documented[key]} vs the computation",
                documented=key)
    for key, v in (("h_1^(1)", net["h1"][0]), ("h_2^(1)", net["h1"][1]), ("h_1^(2)", net["h2"][0]),
                   ("h_2^(2)", net["h2"][1]), ("o", net["o"][0])):
        r.number(key, v)


@entry(id="cos324-eq-11.3", source=SRC, location="(11.3)", kind="formula",
       statement=r"o_1 = -h_1^{(2)} + 2h_2^{(2)}; o_2 = 2h_1^{(2)} + h_2^{(2)}; o_3 = h_1^{(2)} + 2h_2^{(2)}")
def _(r):
    rng = np.random.default_rng(4)
    xs = rng.uniform(-3, 3, size=(20, 3))
    net = figure_11_2(xs)
    r.close("coefficients", _coefficients(eq_11_3, 2), WO,
            what="the coefficients of (11.3) vs W^(o) as printed in Example 11.1.3")
    r.close("o at 20 inputs", np.array([eq_11_3(h) for h in net["h2"]]), net["o"],
            what="(11.3) vs W^(o) h^(2)")
    r.close("same network but the output layer", net["o"][:, 0], figure_11_1(xs)["o"][:, 0],
            what="o_1 of Figure 11.2 (first row of the printed W^(o)) vs the single output o = -h_1 + 2h_2 of "
                 "Figure 11.1 at 20 inputs")


@entry(id="cos324-eq-11.4", source=SRC, location="(11.4)", kind="formula",
       statement=r"\hat o_i = softmax(o_1, o_2, o_3)_i, i = 1, 2, 3", op=act.SOFTMAX)
def _(r):
    rng = np.random.default_rng(5)
    os_ = rng.uniform(-6, 6, size=(20, 3))
    r.close("o-hat at 20 logit vectors", np.array([eq_11_4(o) for o in os_]), act.softmax(os_),
            what="e^{o_i} / sum_j e^{o_j} coordinate by coordinate vs mlp_ref.softmax")


@entry(id="cos324-ex-11.1.2", source=SRC, location="Example 11.1.2", kind="example",
       statement=r"x = (1, 1, 1) to the network in Figure 11.1: o_1 = -4 + 0 = -4, o_2 = 2 \cdot 4 + 0 = 8, "
                 r"o_3 = 4 + 0 = 4; \hat o_1 = e^{-4}/(e^{-4} + e^8 + e^4) \simeq 0.00, "
                 r"\hat o_2 = e^8/(...) \simeq 0.98, \hat o_3 = e^4/(...) \simeq 0.02",
       documented={"network": "Figure 11.1", "o_1": "-4", "o_2": "8", "o_3": "4",
                   "ohat_1": "0.00", "ohat_2": "0.98", "ohat_3": "0.02"},
       corrected_statement="the three-output network is the one of Figure 11.2 (Figure 11.1 has the "
                           "single output o = -4); all printed values hold for Figure 11.2")
def _(r):
    figures = {"Figure 11.1": figure_11_1, "Figure 11.2": figure_11_2}
    r.close("network", lambda: figures[r.documented["network"]](X_111)["o"], eq_11_3(eq_11_2(eq_11_1(X_111))),
            what="the outputs of the network the example names vs (o_1, o_2, o_3) of the three-output equations "
                 "(11.1)-(11.3); Figure 11.1 has the single output o", documented="network",
            corrected=lambda: figure_11_2(X_111)["o"], severity="slip",
            why="a wrong figure number: the example is in the three-output subsection and every value it prints "
                "is that of Figure 11.2")
    net = figure_11_2(X_111)
    for i in range(3):
        r.number(f"o_{i + 1}", net["o"][i])
    Z = math.exp(-4) + math.exp(8) + math.exp(4)
    r.close("printed fractions", [math.exp(-4) / Z, math.exp(8) / Z, math.exp(4) / Z], net["ohat"],
            what="the printed fractions e^{o_i}/(e^{-4} + e^8 + e^4) vs mlp_ref.softmax(o)")
    for i in range(3):
        r.number(f"ohat_{i + 1}", net["ohat"][i])


@entry(id="cos324-eq-11.5", source=SRC, location="(11.5)", kind="formula",
       statement=r"h_i^{(1)} = ReLU(w_{i,1}^{(1)} x_1 + w_{i,2}^{(1)} x_2 + w_{i,3}^{(1)} x_3), i.e. "
                 r"\vec h^{(1)} = ReLU(W^{(1)} \vec x), W^{(1)} \in R^{2 \times 3} with (i, j) entry w_{ij}^{(1)}, "
                 r"the weight between h_i^{(1)} and x_j",
       documented={"shape of W^(1)": r"\mathbb{R}^{2 \times 3}"},
       reading="w_ij^(1) is the weight on the edge from x_j into h_i^(1): in (11.1) the coefficient of x_j in the "
               "argument of ReLU for h_i^(1); x is a column (footnote 1)")
def _(r):
    # W^(1) assembled by the rule of (11.5) from the scalar equations (11.1), not from a printed matrix
    w = np.array([[float(_delta_slope(eq_11_1_pre, np.zeros(3), j)[i]) for j in range(3)] for i in range(2)])
    printed = tuple(int(v) for v in re.findall(r"\d+", r.documented["shape of W^(1)"]))
    r.claim("shape of W^(1)", w.shape == printed, f"the (i, j) rule on (11.1) gives a {w.shape} matrix "
            f"(i over the {w.shape[0]} nodes, j over the {w.shape[1]} inputs); printed {printed}",
            documented="shape of W^(1)")
    rng = np.random.default_rng(6)
    xs = rng.uniform(-3, 3, size=(20, 3))
    r.close("h^(1) = ReLU(W^(1) x)", act.relu(layers.linear(w, xs)), np.array([eq_11_1(x) for x in xs]),
            what="ReLU(W^(1) x) (mlp_ref.linear) with W^(1) assembled by the (i, j) rule vs (11.1) evaluated "
                 "directly at 20 inputs: the rewriting needs (11.1)'s arguments linear with no constant term")
    r.close("Example 11.1.3's W^(1)", W1, w,
            what="the matrix W^(1) printed in Example 11.1.3 vs the one the (i, j) rule assembles from (11.1)")


@entry(id="cos324-footnote-1", source=SRC, location="11.1.3, footnote 1", kind="definition",
       statement="vectors such as x, h^(1) are column vectors (3x1, 2x1 matrices) throughout the chapter",
       documented={"x": r"3 \times 1", "h^(1)": r"2 \times 1"},
       reading="the chapter's declared layout: vectors are d x 1 columns, W^(k) is d_k x d_(k-1), and the "
               "derivative of the scalar loss in a vector is a 1 x d row (footnote 7); judged by whether every "
               "product the chapter writes is defined and gives the value of the computation in that layout")
def _(r):
    x = X_331[:, None]  # the chapter's column vectors as explicit d x 1 matrices
    h1 = act.relu(W1 @ x)
    h2 = act.relu(W2 @ h1)
    o = WO @ h2
    for key, v in (("x", x), ("h^(1)", h1)):
        printed = tuple(int(n) for n in re.findall(r"\d+", r.documented[key]))
        r.claim(key, v.shape == printed, f"{key} as the column the chapter multiplies is {v.shape}; printed "
                f"{printed}", what=f"{key} is a column of the printed size", documented=key)
    r.close("(11.9) in columns", o[:, 0], figure_11_2(X_331)["o"],
            what="W^(o) ReLU(W^(2) ReLU(W^(1) x)) with x, h^(1), h^(2) as columns vs mlp_ref.mlp_forward at "
                 "x = (3, 1, 2)")
    y = 1
    dl_do = (act.softmax(o[:, 0]) - np.eye(3)[y])[:, None].T  # (11.14): a 1 x d_out row
    dW = dl_do.T @ act.relu(W2 @ h1).T  # (11.17): (dl/do)^T (h^(2))^T, d_out x d_2
    r.close("(11.14), (11.17) in columns", dW, _ce_grads(X_331, y, [W1, W2, WO])[2],
            what="(o-hat - e_y)^T as a 1 x 3 row and (dl/do)^T (h^(2))^T with h^(2) a column vs mlp_ref's "
                 "dl/dW^(o) (3 x 2): the transposes the chapter writes are the ones the column layout needs")
    row = x.T
    try:
        W1 @ row
        rows_work = True
    except ValueError:
        rows_work = False
    r.claim("control", not rows_work, "control: read as 1 x 3 rows, W^(1) x is not even defined, so the check "
            "depends on the layout")


@entry(id="cos324-eq-11.6", source=SRC, location="(11.6)", kind="formula",
       statement=r"\vec h^{(2)} = ReLU(W^{(2)} \vec h^{(1)}), W^{(2)} \in R^{2 \times 2}")
def _(r):
    rng = np.random.default_rng(8)
    hs = rng.uniform(-3, 3, size=(10, 2))
    r.close("h^(2) from h^(1)", np.array([eq_11_2(h) for h in hs]), act.relu(layers.linear(W2, hs)),
            what="(11.2) vs ReLU(W^(2) h^(1)) at 10 points")


@entry(id="cos324-eq-11.7", source=SRC, location="(11.7)", kind="formula",
       statement=r"\vec o = W^{(o)} \vec h^{(2)}, W^{(o)} \in R^{3 \times 2}")
def _(r):
    rng = np.random.default_rng(9)
    hs = rng.uniform(-3, 3, size=(10, 2))
    r.close("o from h^(2)", np.array([eq_11_3(h) for h in hs]), layers.linear(WO, hs),
            what="(11.3) vs W^(o) h^(2) at 10 points")


@entry(id="cos324-eq-11.8", source=SRC, location="(11.8)", kind="formula",
       statement=r"\vec{\hat o} = softmax(\vec o)", op=act.SOFTMAX)
def _(r):
    rng = np.random.default_rng(10)
    o = rng.uniform(-6, 6, size=(10, 3))
    p = act.softmax(o)
    r.close("vector form", p, np.array([eq_11_4(v) for v in o]), what="softmax of the vector vs (11.4)")
    r.close("a distribution", p.sum(axis=1), np.ones(10), what="each o-hat sums to 1")


@entry(id="cos324-eq-11.9", source=SRC, location="(11.9)", kind="formula",
       statement=r"h^{(1)} = ReLU(W^{(1)} x); h^{(2)} = ReLU(W^{(2)} h^{(1)}); o = W^{(o)} h^{(2)}; "
                 r"\hat o = softmax(o)")
def _(r):
    rng = np.random.default_rng(12)
    xs = rng.uniform(-3, 3, size=(20, 3))
    scalar = np.array([eq_11_4(eq_11_3(eq_11_2(eq_11_1(x)))) for x in xs])
    r.close("o-hat at 20 inputs", figure_11_2(xs)["ohat"], scalar,
            what="the matrix equations (via mlp_ref.mlp_forward) vs the scalar equations (11.1)-(11.4)")


@entry(id="cos324-ex-11.1.3", source=SRC, location="Example 11.1.3", kind="example",
       statement=r"h^{(1)} = W^{(1)} x = ReLU([[2, -3, 0], [-1, 1, 2]] [1, 1, 1]^T) = [0, 2]^T; "
                 r"h^{(2)} = W^{(2)} h^{(1)} = ReLU([[1, 2], [2, -2]] [0, 2]^T) = [4, 0]^T; "
                 r"o = W^{(o)} h^{(2)} = [[-1, 2], [2, 1], [1, 2]] [4, 0]^T = [-4, 8, 4]^T; "
                 r"\hat o = softmax(o) = (e^{-4}/(e^{-4} + e^8 + e^4), e^8/(...), e^4/(...))",
       documented={"W^(1)": EX_11_1_3_W1, "W^(2)": EX_11_1_3_W2, "W^(o)": EX_11_1_3_WO,
                   "h_1^(1)": "0", "h_2^(1)": "2", "h_1^(2)": "4", "h_2^(2)": "0", "o_1": "-4", "o_2": "8", "o_3": "4"},
       corrected_statement="h^(1) = ReLU(W^(1) x) = ReLU([-1, 2]^T) = [0, 2]^T and h^(2) = ReLU(W^(2) h^(1)) "
                           "= ReLU([4, -4]^T) = [4, 0]^T; the middle terms W^(1) x and W^(2) h^(1) omit the ReLU")
def _(r):
    for key, f, n in (("W^(1)", eq_11_1_pre, 3), ("W^(2)", eq_11_2_pre, 2), ("W^(o)", eq_11_3, 2)):
        r.close(key, _bmatrix(r.documented[key]), _coefficients(f, n), documented=key,
                what=f"printed {key} vs the coefficients of the scalar equations (11.1)-(11.3)")
    # the values of Figure 11.2 at x = (1, 1, 1) from the scalar equations, not from the matrices printed here
    h1 = eq_11_1(X_111)
    h2 = eq_11_2(h1)
    o = eq_11_3(h2)
    slip = dict(severity="slip", why="the middle term omits the ReLU that the right-hand side applies; the "
                                     "printed result is ReLU's")
    r.close("h^(1) = W^(1) x", lambda: _bmatrix(r.documented["W^(1)"]) @ X_111, h1,
            what="the middle term W^(1) x (no ReLU) vs h^(1) from (11.1)",
            corrected=lambda: act.relu(_bmatrix(r.documented["W^(1)"]) @ X_111), **slip)
    r.close("h^(2) = W^(2) h^(1)", lambda: _bmatrix(r.documented["W^(2)"]) @ h1, h2,
            what="the middle term W^(2) h^(1) (no ReLU) vs h^(2) from (11.2)",
            corrected=lambda: act.relu(_bmatrix(r.documented["W^(2)"]) @ h1), **slip)
    for key, v in (("h_1^(1)", h1[0]), ("h_2^(1)", h1[1]), ("h_1^(2)", h2[0]), ("h_2^(2)", h2[1]), ("o_1", o[0]),
                   ("o_2", o[1]), ("o_3", o[2])):
        r.number(key, v)
    Z = math.exp(-4) + math.exp(8) + math.exp(4)
    r.close("o-hat", [math.exp(-4) / Z, math.exp(8) / Z, math.exp(4) / Z], act.softmax(o),
            what="the printed fractions e^{o_i}/(e^{-4} + e^8 + e^4) vs mlp_ref.softmax(o)")


@entry(id="cos324-eq-11.2-layer-k", source=SRC, location="11.2, h^(k) = f^(k)(W^(k) h^(k-1))",
       kind="formula",
       statement=r"\vec h^{(k)} = f^{(k)}(W^{(k)} \vec h^{(k-1)}), k = 1..L, W^{(k)} \in R^{d_k \times d_{k-1}}; "
                 r"f^{(L)} identity if d_out = 1, softmax if d_out > 1; o = W^{(L)} h^{L-1}, "
                 r"\tilde o = f^{(L)}(o)")
def _(r):
    rng = np.random.default_rng(13)
    for sizes in ((4, 5, 3, 1), (3, 6, 2, 4, 3)):
        Ws = [rng.normal(size=(sizes[k + 1], sizes[k])) for k in range(len(sizes) - 1)]
        x = rng.normal(size=sizes[0])
        h = x
        for k, W in enumerate(Ws, start=1):
            z = np.array([sum(W[i, j] * h[j] for j in range(W.shape[1])) for i in range(W.shape[0])])
            h = (z if sizes[-1] == 1 else eq_11_4(z)) if k == len(Ws) else np.maximum(z, 0)
        out, _ = layers.mlp_forward(x, Ws, None, "relu", "identity")
        ref = out if sizes[-1] == 1 else act.softmax(out)
        r.close(f"widths {sizes}", h, ref,
                what=f"the layer recursion written out with sums for widths {sizes} vs mlp_ref.mlp_forward")


@entry(id="cos324-eq-11.2.1-weight-count", source=SRC, location="11.2.1 Number of Weights", kind="formula",
       statement=r"d_{in} \cdot d_1 weights for the first hidden layer, d_1 \cdot d_2 for the second; in total "
                 r"\sum_{i=0}^{L-1} d_i \cdot d_{i+1}")
def _(r):
    rng = np.random.default_rng(14)
    for sizes in ((3, 2, 2, 3), (5, 1, 4), (2, 6, 3, 5, 1), (7, 7)):
        # mlp_ref's own network for these widths; a weight counts when nudging it moves the loss
        op = layers.make_mlp_op(sizes, activation="tanh", loss="squared_error")
        inputs = op.sample(rng, np.float64)
        base = float(op.forward(**inputs, **op.params))
        counted = 0
        for name in (n for n in inputs if n.startswith("W")):
            for idx in np.ndindex(inputs[name].shape):
                moved = dict(inputs, **{name: inputs[name].copy()})
                moved[name][idx] += 1e-3
                counted += abs(float(op.forward(**moved, **op.params)) - base) > 1e-12
        formula = sum(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1))
        r.close(f"widths {sizes}", formula, counted,
                what=f"sum_(i=0..L-1) d_i d_(i+1) vs the weights of mlp_ref.make_mlp_op{sizes} that the loss "
                     "depends on")


@entry(id="cos324-ex-11.2.1", source=SRC, location="Example 11.2.1", kind="example",
       statement=r"weights of Figure 11.2: 3 \times 2 + 2 \times 2 + 2 \times 3 = 16",
       documented={"terms": r"3 \times 2 + 2 \times 2 + 2 \times 3", "count": "16"})
def _(r):
    widths = (X_111.size, W1.shape[0], W2.shape[0], WO.shape[0])
    r.value("layer widths (d_in, d_1, d_2, d_out)", widths)
    printed = [tuple(int(v) for v in t.split(r"\times")) for t in r.documented["terms"].split("+")]
    r.close("terms", printed, [(widths[i], widths[i + 1]) for i in range(3)],
            what="the printed products are d_i x d_(i+1) of the layer widths", documented="terms")
    r.number("count", sum(W.size for W in (W1, W2, WO)))


@entry(id="cos324-claim-11.2.2", source=SRC, location="11.2.2 What If We Remove Nonlinearity?", kind="claim",
       statement=r"without ReLU: h^{(1)} = W^{(1)} x, h^{(2)} = W^{(2)} h^{(1)}, o = W^{(o)} h^{(2)}, "
                 r"\hat o = softmax(o); with W' = W^{(o)} W^{(2)} W^{(1)} \in R^{3 \times 3}, "
                 r"\hat o = softmax(W' x)",
       documented={"shape of W'": r"\mathbb{R}^{3 \times 3}"})
def _(r):
    Wp = WO @ W2 @ W1
    printed = tuple(int(v) for v in re.findall(r"\d+", r.documented["shape of W'"]))
    r.claim("shape of W'", Wp.shape == printed, f"W' = W^(o) W^(2) W^(1) has shape {Wp.shape}; printed {printed}",
            documented="shape of W'")
    r.value("W'", Wp)
    rng = np.random.default_rng(15)
    xs = rng.uniform(-3, 3, size=(20, 3))
    linear_net, _ = layers.mlp_forward(xs, [W1, W2, WO], None, "identity", "identity")
    r.close("softmax(W' x)", act.softmax(layers.linear(Wp, xs)), act.softmax(linear_net),
            what="the three-layer net without ReLU vs the one-layer softmax(W' x) at 20 inputs")
    a, b = X_111, X_331  # different ReLU patterns: z^(1) = (-1, 2) and (3, 2)
    relu_net = lambda v: figure_11_2(v)["o"]
    gap = float(np.max(np.abs(relu_net(a + b) - relu_net(a) - relu_net(b))))
    r.claim("the ReLU net is not linear", gap > 1e-6,
            f"with ReLU, o(a + b) differs from o(a) + o(b) by up to {gap:.3g}: no single W' reproduces it")


@entry(id="cos324-eq-squared-error-loss", source=SRC, location="11.2.3, (Squared Error Loss)", kind="formula",
       statement=r"\sum_{(x, y) \in D} (y - o)^2, o = W^{(o)} h^{(L-1)}", op=losses.SQUARED_ERROR)
def _(r):
    rng = np.random.default_rng(16)
    xs = rng.uniform(-3, 3, size=(8, 3))
    ys = rng.uniform(-3, 3, size=8)
    o = figure_11_1(xs)["o"][:, 0]
    r.close("loss over 8 samples", sum((y - oi) ** 2 for y, oi in zip(ys, o)), losses.squared_error(o, ys),
            what="the sum over the data set vs mlp_ref.squared_error")


@entry(id="cos324-ex-11.2.2", source=SRC, location="Example 11.2.2", kind="example",
       statement=r"x = (1, 1, 1), y = 0 in Figure 11.1: (y - o)^2 = (0 - (-4))^2 = 16",
       documented={"o": "-4", "loss": "16"})
def _(r):
    o = figure_11_1(X_111)["o"]
    r.number("o", o[0])
    r.number("loss", losses.squared_error(o, np.array([0.0])))


@entry(id="cos324-eq-4.5-revisited", source=SRC, location="11.2.3, (4.5 revisited)", kind="formula",
       statement=r"\sum_{(x, y) \in D} -\log Pr[label y on x], y \in \{-1, 1\}; the cross-entropy loss is "
                 r"its multi-class analogue",
       op=losses.LOGISTIC)
def _(r):
    rng = np.random.default_rng(17)
    w, b = rng.normal(size=3), np.array(0.3)
    x = rng.normal(size=(10, 3))
    y = np.where(rng.random(10) < 0.5, -1.0, 1.0)
    z = x @ w + b
    ce = losses.softmax_cross_entropy(np.stack([np.zeros(10), z], axis=1), ((y + 1) // 2).astype(int))
    r.close("two-class cross-entropy", ce, losses.logistic_loss(w, b, x, y),
            what="cross-entropy with logits (0, w.x + b) and label (y + 1)/2 vs the logistic loss "
                 "-sum log sigma(y (w.x + b))")


def _label_base(text):
    """The first class of a printed label set such as 'y \\in \\{1, \\dots, d_{out}\\}' (1 there)."""
    m = re.search(r"\\\{\s*(\d+)", text)
    if not m:
        raise ValueError(f"not a printed label set: {text!r}")
    return int(m.group(1))


@entry(id="cos324-eq-cross-entropy-loss", source=SRC, location="11.2.3, (Cross-Entropy Loss)", kind="formula",
       statement=r"\sum_{(x, y) \in D} -\log \hat o_y, y \in \{1, ..., d_out\}, \hat o = softmax(o)",
       op=losses.SOFTMAX_CE, documented={"label set": r"y \in \{1, \dots, d_{out}\}"},
       reading="classes numbered as the chapter prints them: o-hat_y is the y-th coordinate counted from the "
               "first class of the printed label set")
def _(r):
    base = _label_base(r.documented["label set"])
    rng = np.random.default_rng(18)
    o = rng.uniform(-4, 4, size=(12, 3))
    y_doc = np.array([base, base + 1, base + 2] * 4)  # the chapter's labels
    ohat = act.softmax(o)
    as_written = sum(-math.log(ohat[n][y_doc[n] - base]) for n in range(12))  # the y-th coordinate
    r.close("loss over 12 samples", as_written, losses.softmax_cross_entropy(o, np.tile([0, 1, 2], 4)),
            what="-sum log o-hat_y vs mlp_ref.softmax_cross_entropy on the classes first, second, third")
    # the chapter's y passed unchanged to a 0-based implementation (mlp_ref, torch, JAX)
    try:
        unchanged = losses.softmax_cross_entropy(o, y_doc)
    except ValueError as exc:
        unchanged = f"rejected ({str(exc).split(':')[0]})"
    differs = not (isinstance(unchanged, float) and np.isclose(unchanged, as_written))
    r.convention("label set", differs,
                 f"convention: the chapter numbers classes y in {{{base}..d_out}}, mlp_ref, torch and JAX take "
                 f"0-based labels, so class y is label y - {base}; passed unchanged the labels give "
                 f"{unchanged if isinstance(unchanged, str) else format(unchanged, '.4g')} instead of "
                 f"{as_written:.4g}", what="the printed label set against the frameworks' 0-based labels",
                 documented="label set")


def _neg_log_fraction(text):
    """A printed '-\\log \\frac{e^a}{e^b + e^c + ...}' evaluated: -log(e^a / sum e^b...)."""
    m = re.fullmatch(r"\s*-\\log \\frac\{(.*?)\}\{(.*)\}\s*", text)
    if not m:
        raise ValueError(f"not a printed -log fraction: {text!r}")
    exps = [[float(v) for v in re.findall(r"e\^\{?(-?\d+)\}?", part)] for part in m.groups()]
    if len(exps[0]) != 1 or not exps[1]:
        raise ValueError(f"not a printed -log e^a / sum e^b: {text!r}")
    return -math.log(math.exp(exps[0][0]) / sum(math.exp(v) for v in exps[1]))


@entry(id="cos324-ex-11.2.3", source=SRC, location="Example 11.2.3", kind="example",
       statement=r"x = (1, 1, 1), y = 2 in Figure 11.2: -\log \hat o_y = -\log e^8/(e^{-4} + e^8 + e^4) \simeq 4.02",
       documented={"y": "2", "expression": r"-\log \frac{e^8}{e^{-4} + e^8 + e^4}", "loss": "4.02"},
       corrected_statement="-log o-hat_2 = -log e^8/(e^{-4} + e^8 + e^4) = log(1 + e^{-12} + e^{-4}) ~ 0.02 "
                           "(0.0182); 4.02 is -log o-hat_3 = -log e^4/(e^{-4} + e^8 + e^4), the loss of class 3, "
                           "which is what y = 2 gives when read as a 0-based index",
       reading="y = 2 is the second class, as the chapter's label set {1, ..., d_out} and the e^8 (o_2) of the "
               "printed expression both say; '\\simeq 4.02' is judged at its two printed decimals")
def _(r):
    o = figure_11_2(X_111)["o"]
    y = int(r.documented["y"])
    r.claim("y", 1 <= y <= o.size, f"y = {y} is a class of the label set {{1, ..., d_out}}, d_out = {o.size}",
            what="the printed y is a class of the chapter's label set", documented="y")
    nll = [losses.softmax_cross_entropy(o, k) for k in range(3)]  # -log o-hat of the 1st, 2nd, 3rd class
    r.value("-log o-hat_k for the classes k = 1, 2, 3", nll)
    printed_expr = _neg_log_fraction(r.documented["expression"])
    one_based, zero_based = nll[y - 1], nll[y]
    r.close("expression", printed_expr, one_based, documented="expression",
            what="the printed -log e^8/(e^{-4} + e^8 + e^4) vs -log o-hat_y for the chapter's 1-based y = 2 "
                 "(the second class, o_2 = 8)")
    wrong = dict(severity="error", why="a reader who evaluates the printed expression gets 0.018, not 4.02: "
                                       "4.02 is the loss of the third class")
    r.number("loss (y = 2, 1-based as the chapter defines)", one_based, "loss",
             what="4.02 vs -log o-hat_2, the loss of the class y = 2 as (Cross-Entropy Loss) defines it", **wrong)
    r.number("loss (y = 2 read 0-based: the third class)", zero_based, "loss",
             what="4.02 vs -log o-hat_3, the loss y = 2 gives when read as a 0-based index (as torch does)")
    r.close("printed value vs printed expression", float(r.documented["loss"]), printed_expr, documented="loss",
            what="4.02 vs the value of the printed expression -log e^8/(e^{-4} + e^8 + e^4)",
            corrected=math.log1p(math.exp(-12) + math.exp(-4)), **wrong)


# --------------------------------------------------------------------------- 11.3
@entry(id="cos324-claim-11.3-linear", source=SRC, location="11.3 Backpropagation: An Example", kind="claim",
       statement="Backpropagation computes the gradients with respect to the network parameters such that the "
                 "number of steps for the computation is linear in the size of the neural network",
       reading="'linear in the size' as: the additions and multiplications of one forward + backward pass, tallied "
               "as they run, grow as P^a with a in [0.95, 1.05] (P the number of weights) between the two largest "
               "nets of a family growing in width (P x4) and of one growing in depth (P x2)")
def _(r):
    for name, family in (("wider", WIDTH_FAMILY), ("deeper", DEPTH_FAMILY)):
        P, ops = zip(*(_tallies(s) for s in family))
        r.value(f"{name} nets {_label(family[0])} ... {_label(family[-1])}: (parameters, additions + "
                "multiplications)", list(zip(P, ops)))
        slope = _loglog_slope(family)
        r.claim(f"linear, {name}", 0.95 <= slope <= 1.05,
                f"{name} nets, {_label(family[-2])} -> {_label(family[-1])}: the tallied forward + backward "
                f"operations grow as P^{slope:.3f} in the number of weights P")
    naive = _loglog_slope(WIDTH_FAMILY, naive=True)
    r.claim("control", not 0.95 <= naive <= 1.05,
            f"control: the per-weight chain rule of (11.10) on the same wider nets grows as P^{naive:.2f} and fails "
            "the test")


EX_11_3_1_ARGUMENTS = {  # the printed arguments of ReLU and the output sums, with w_22^(1) = 1 + Delta
    "h_1^(1) argument": r"2 \cdot 3 + (-3) \cdot 1 + 0 \cdot 2",
    "h_2^(1) argument": r"(-1) \cdot 3 + (1 + \Delta) \cdot 1 + 2 \cdot 2",
    "h_1^(2) argument": r"1 \cdot 3 + 2 \cdot (2 + \Delta)",
    "h_2^(2) argument": r"2 \cdot 3 + (-2) \cdot (2 + \Delta)",
    "o_1 sum": r"(-1) \cdot (7 + 2\Delta) + 2 \cdot (2 - 2\Delta)",
    "o_2 sum": r"2 \cdot (7 + 2\Delta) + 1 \cdot (2 - 2\Delta)",
    "o_3 sum": r"1 \cdot (7 + 2\Delta) + 2 \cdot (2 - 2\Delta)",
}


@entry(id="cos324-ex-11.3.1", source=SRC, location="Example 11.3.1", kind="example",
       statement=r"Figure 11.2 at x = (3, 1, 2), o_1 currently -3; w_{2,2}^{(1)} -> 1 + \Delta: "
                 r"h_1^{(1)} = ReLU(2 \cdot 3 + (-3) \cdot 1 + 0 \cdot 2) = 3, "
                 r"h_2^{(1)} = ReLU((-1) \cdot 3 + (1 + \Delta) \cdot 1 + 2 \cdot 2) = 2 + \Delta (rates 0 and 1); "
                 r"h_1^{(2)} = ReLU(1 \cdot 3 + 2 \cdot (2 + \Delta)) = 7 + 2\Delta, "
                 r"h_2^{(2)} = ReLU(2 \cdot 3 + (-2) \cdot (2 + \Delta)) = 2 - 2\Delta (rates 2 and -2); "
                 r"o_1 = (-1) \cdot (7 + 2\Delta) + 2 \cdot (2 - 2\Delta) = -3 - 6\Delta, "
                 r"o_2 = 2 \cdot (7 + 2\Delta) + 1 \cdot (2 - 2\Delta) = 16 + 2\Delta, "
                 r"o_3 = 1 \cdot (7 + 2\Delta) + 2 \cdot (2 - 2\Delta) = 11 - 2\Delta; rate of o_1 is -6",
       documented={"o_1 current value": "-3", **EX_11_3_1_ARGUMENTS, "h_1^(1)": "3", "h_2^(1)": r"2 + \Delta",
                   "dh_1^(1)/dw": "0", "dh_2^(1)/dw": "1", "h_1^(2)": r"7 + 2\Delta", "h_2^(2)": r"2 - 2\Delta",
                   "dh_1^(2)/dw": "2", "dh_2^(2)/dw": "-2", "o_1": r"-3 - 6\Delta", "o_2": r"16 + 2\Delta",
                   "o_3": r"11 - 2\Delta", "do_1/dw": "-6"})
def _(r):
    def layers_at(w22):
        W = W1.copy()
        W[1, 1] = w22
        z1 = layers.linear(W, X_331)
        z2 = layers.linear(W2, act.relu(z1))
        o = layers.linear(WO, act.relu(z2))
        return np.concatenate([z1, act.relu(z1), z2, act.relu(z2), o])

    w = np.array([W1[1, 1]])
    at0 = layers_at(w[0])
    slope = _delta_slope(lambda v: layers_at(v[0]), w, 0)
    r.number("o_1 current value", at0[8])
    # the printed sums: (value, rate in Delta) vs the pre-activations of the perturbed network
    for key, i in (("h_1^(1) argument", 0), ("h_2^(1) argument", 1), ("h_1^(2) argument", 4),
                   ("h_2^(2) argument", 5), ("o_1 sum", 8), ("o_2 sum", 9), ("o_3 sum", 10)):
        r.close(key, _affine_in_delta(r.documented[key]), [at0[i], slope[i]], documented=key,
                what=f"{r.documented[key]}: (value, rate) vs the network with w_22^(1) + Delta")
    for name, i in (("h_1^(1)", 2), ("h_2^(1)", 3), ("h_1^(2)", 6), ("h_2^(2)", 7), ("o_1", 8), ("o_2", 9),
                    ("o_3", 10)):
        printed = r.documented[name]
        if "Delta" in printed:
            r.close(name, _affine_in_delta(printed), [at0[i], slope[i]], documented=name,
                    what=f"{name} = {printed}: (value, rate) vs the network with w_22^(1) + Delta")
        else:
            r.number(name, at0[i])
    for key, i in (("dh_1^(1)/dw", 2), ("dh_2^(1)/dw", 3), ("dh_1^(2)/dw", 6), ("dh_2^(2)/dw", 7),
                   ("do_1/dw", 8)):
        r.number(key, slope[i])
    # the same rates by the hand-derived chain rule: e_2 x_2 through diag(1(z > 0)) and the weights
    net = figure_11_2(X_331)
    dz1 = np.array([0.0, X_331[1]])
    chain = WO @ (act.relu_grad(net["z2"]) * (W2 @ (act.relu_grad(net["z1"]) * dz1)))
    r.close("chain rule", chain, slope[8:], what="d o / d w_22^(1) by the chain rule vs the Delta method")


@entry(id="cos324-ex-11.3.2", source=SRC, location="Example 11.3.2", kind="example",
       statement=r"h_1^{(2)}: 7 -> 7 + \Delta alone: o_1 = (-1) \cdot (7 + \Delta) + 2 \cdot 2 = -3 - \Delta, "
                 r"so \partial o_1/\partial h_1^{(2)} = -1",
       documented={"h_1^(2)": "7", "o_1 sum": r"(-1) \cdot (7 + \Delta) + 2 \cdot 2", "o_1": r"-3 - \Delta",
                   "do_1/dh_1^(2)": "-1"})
def _(r):
    h2 = figure_11_2(X_331)["h2"]
    r.number("h_1^(2)", h2[0])
    o1 = lambda v: layers.linear(WO, v)[0]
    slope = float(_delta_slope(o1, h2, 0))
    r.close("o_1 sum", _affine_in_delta(r.documented["o_1 sum"]), [o1(h2), slope], documented="o_1 sum",
            what=f"{r.documented['o_1 sum']}: (value, rate) with h_1^(2) perturbed alone")
    r.close("o_1", _affine_in_delta(r.documented["o_1"]), [o1(h2), slope], documented="o_1",
            what="o_1 = -3 - Delta: (value, rate) with h_1^(2) perturbed alone")
    r.number("do_1/dh_1^(2)", slope)


def _partials_331():
    """The partial derivatives of Problems 11.3.3 / 11.3.4 at x = (3, 1, 2), by the Delta method."""
    net = figure_11_2(X_331)
    h1, h2 = net["h1"], net["h2"]
    p = {}
    p["do1/dh1(2)"] = float(_delta_slope(lambda v: layers.linear(WO, v)[0], h2, 0))
    p["do1/dh2(2)"] = float(_delta_slope(lambda v: layers.linear(WO, v)[0], h2, 1))
    p["dh1(2)/dh2(1)"], p["dh2(2)/dh2(1)"] = _delta_slope(lambda v: act.relu(layers.linear(W2, v)), h1, 1)

    def first_layer(v):
        W = W1.copy()
        W[1, 1] = v[0]
        return act.relu(layers.linear(W, X_331))

    def whole(v):
        return act.relu(layers.linear(W2, first_layer(v)))

    w = np.array([W1[1, 1]])
    p["dh2(1)/dw"] = float(_delta_slope(first_layer, w, 0)[1])
    p["dh1(2)/dw"], p["dh2(2)/dw"] = _delta_slope(whole, w, 0)
    p["do1/dw"] = float(_delta_slope(lambda v: layers.linear(WO, whole(v))[0], w, 0))
    return {k: float(v) for k, v in p.items()}


@entry(id="cos324-prob-11.3.3", source=SRC, location="Problem 11.3.3", kind="example",
       statement=r"\partial o_1/\partial w_{2,2}^{(1)} = \partial o_1/\partial h_1^{(2)} \cdot \partial h_1^{(2)}/"
                 r"\partial w_{2,2}^{(1)} + \partial o_1/\partial h_2^{(2)} \cdot \partial h_2^{(2)}/\partial w_{2,2}^{(1)}")
def _(r):
    p = _partials_331()
    r.value("partials", {k: p[k] for k in ("do1/dh1(2)", "do1/dh2(2)", "dh1(2)/dw", "dh2(2)/dw", "do1/dw")})
    rhs = p["do1/dh1(2)"] * p["dh1(2)/dw"] + p["do1/dh2(2)"] * p["dh2(2)/dw"]
    r.close("identity", rhs, p["do1/dw"],
            what=f"({p['do1/dh1(2)']:g})({p['dh1(2)/dw']:g}) + ({p['do1/dh2(2)']:g})({p['dh2(2)/dw']:g}) vs "
                 f"d o_1 / d w_22^(1) = {p['do1/dw']:g}, all rates by the Delta method")
    h2 = figure_11_2(X_331)["h2"]
    r.close("do_1/dh_2^(2)", p["do1/dh2(2)"], float(_delta_slope(lambda v: eq_11_3(v)[0], h2, 1)),
            what="d o_1 / d h_2^(2) through W^(o) of Example 11.1.3 vs through the scalar equation (11.3)")


@entry(id="cos324-prob-11.3.4", source=SRC, location="Problem 11.3.4, (11.10)", kind="example",
       statement=r"\partial o_1/\partial w_{2,2}^{(1)} = \partial o_1/\partial h_1^{(2)} \cdot \partial h_1^{(2)}/"
                 r"\partial h_2^{(1)} \cdot \partial h_2^{(1)}/\partial w_{2,2}^{(1)} + \partial o_1/\partial h_2^{(2)} "
                 r"\cdot \partial h_2^{(2)}/\partial h_2^{(1)} \cdot \partial h_2^{(1)}/\partial w_{2,2}^{(1)}  (11.10)")
def _(r):
    p = _partials_331()
    r.value("partials", {k: p[k] for k in ("dh1(2)/dh2(1)", "dh2(2)/dh2(1)", "dh2(1)/dw")})
    rhs = (p["do1/dh1(2)"] * p["dh1(2)/dh2(1)"] * p["dh2(1)/dw"]
           + p["do1/dh2(2)"] * p["dh2(2)/dh2(1)"] * p["dh2(1)/dw"])
    r.close("(11.10) at x = (3, 1, 2)", rhs, p["do1/dw"],
            what=f"({p['do1/dh1(2)']:g})({p['dh1(2)/dh2(1)']:g})({p['dh2(1)/dw']:g}) + ({p['do1/dh2(2)']:g})"
                 f"({p['dh2(2)/dh2(1)']:g})({p['dh2(1)/dw']:g}) vs d o_1 / d w_22^(1) = {p['do1/dw']:g}")


@entry(id="cos324-eq-11.10", source=SRC, location="(11.10), general weights", kind="formula",
       statement=r"(11.10): the effect of w_{2,2}^{(1)} on o_1 is the sum over the paths through h_1^{(2)} and "
                 r"h_2^{(2)} of the products of the layer-to-layer partial derivatives")
def _(r):
    rng = np.random.default_rng(19)
    done = 0
    while done < 5:
        Ws = [rng.normal(size=(2, 3)), rng.normal(size=(2, 2)), rng.normal(size=(3, 2))]
        x = rng.normal(size=3)
        out, cache = layers.mlp_forward(x, Ws, None, "relu", "identity")
        if np.min(np.abs(np.concatenate(cache["s"][:2]))) < 1e-3:
            continue  # keep the central differences away from the ReLU kinks
        z1, z2, h1 = cache["s"][0], cache["s"][1], cache["x"][1]
        do1_dh2 = Ws[2][0]  # d o_1 / d h_m^(2)
        dh2_dh21 = act.relu_grad(z2) * Ws[1][:, 1]  # d h_m^(2) / d h_2^(1)
        dh21_dw = act.relu_grad(z1)[1] * x[1]  # d h_2^(1) / d w_22^(1)
        paths = sum(do1_dh2[m] * dh2_dh21[m] * dh21_dw for m in range(2))

        def o1(v, Ws=Ws, x=x):
            W = Ws[0].copy()
            W[1, 1] = v[0]
            return layers.mlp_forward(x, [W, Ws[1], Ws[2]], None, "relu", "identity")[0][0]

        fd = numerical_gradient(o1, np.array([Ws[0][1, 1]]), method="central")[0]
        r.close(f"random net {done + 1}", paths, fd, what="the two-path sum vs central differences", **FD)
        done += 1


@entry(id="cos324-footnote-3", source=SRC, location="11.3, footnote 3", kind="claim",
       statement="the computational cost of this naive method (the chain rule of (11.10) applied to each partial "
                 "derivative separately) scales quadratically in the size of the network",
       reading="'scales quadratically' as: the tallied operations of the per-weight chain rule grow as P^a with a in "
               "[1.8, 2.2] between the two largest nets of a family growing in width (P x4), where backpropagation "
               "grows as P^a with a in [0.95, 1.05]")
def _(r):
    for s in WIDTH_FAMILY[:2]:
        n, b = count_naive_ops(s), _backprop_counted(s)
        ok = all(np.allclose(gn, gb, rtol=1e-9, atol=1e-12) for gn, gb in zip(n["grad"], b["grad"]))
        r.claim(f"same gradient {s}", ok, f"widths {s}: the per-weight sweeps give the backpropagation gradient")
    family = WIDTH_FAMILY
    r.value("(parameters, per-weight chain rule operations)", [_tallies(s, naive=True) for s in family])
    r.value("(parameters, backpropagation operations)", [_tallies(s) for s in family])
    naive, back = _loglog_slope(family, naive=True), _loglog_slope(family)
    r.claim("quadratic", 1.8 <= naive <= 2.2 and 0.95 <= back <= 1.05,
            f"widths {family[-2]} -> {family[-1]}: the tallied additions and multiplications of the per-weight "
            f"chain rule grow as P^{naive:.2f}, those of backpropagation as P^{back:.2f}")


# --------------------------------------------------------------------------- 11.4.1
def _curved_map(x):
    """A nonlinear f: R^3 -> R^2 for 11.4.1: y = (x1 x2 + sin x3, e^{x1} - x3^2)."""
    return np.array([x[0] * x[1] + math.sin(x[2]), math.exp(x[0]) - x[2] ** 2])


def _curved_map_jacobian(x):
    """J(y, x) of `_curved_map`, derived by hand: [[x2, x1, cos x3], [e^{x1}, 0, -2 x3]] (2 x 3)."""
    return np.array([[x[1], x[0], math.cos(x[2])], [math.exp(x[0]), 0.0, -2.0 * x[2]]])


@entry(id="cos324-def-jacobian", source=SRC, location="11.4.1 Jacobian Matrix", kind="definition",
       statement=r"J(\vec y, \vec x) is an m \times n matrix whose (i, j) entry is \partial y_i/\partial x_j "
                 r"(footnote 5: the i-th row contains the gradient of y_i); if each x_i is updated to x_i + \delta_i "
                 r"for an infinitesimal \delta_i, then \vec y changes to \vec y + J(\vec y, \vec x)\vec\delta")
def _(r):
    rng = np.random.default_rng(20)
    x = rng.normal(size=3)
    J = _curved_map_jacobian(x)
    r.close("J(y, x)", J, _jacobian_fd(_curved_map, x),
            what="the hand-derived 2 x 3 (m x n) Jacobian of y = (x1 x2 + sin x3, e^x1 - x3^2) vs central "
                 "differences d y_i / d x_j", **FD)
    r.close("row 2 is grad y_2", J[1], numerical_gradient(lambda v: _curved_map(v)[1], x.copy(), method="central"),
            what="row 2 of J vs the gradient of y_2 (footnote 5)", **FD)
    d = rng.normal(size=3)

    def residuals(Jm):
        return [float(np.linalg.norm(_curved_map(x + t * d) - _curved_map(x) - Jm @ (t * d)))
                for t in (1e-2, 1e-3, 1e-4)]

    res = residuals(J)
    shrink = [res[0] / res[1], res[1] / res[2]]
    r.value("|y(x + delta) - y - J delta| at |delta| = 1e-2, 1e-3, 1e-4 (times |d|)", res)
    r.claim("y changes to y + J delta", all(50 < q < 200 for q in shrink),
            f"the error of y + J delta shrinks {shrink[0]:.0f}x and {shrink[1]:.0f}x as delta shrinks 10x: "
            "quadratic in delta, so J delta is the whole first-order change")
    wrong = J.copy()
    wrong[0, 2] += 0.1
    res_w = residuals(wrong)
    shrink_w = [res_w[0] / res_w[1], res_w[1] / res_w[2]]
    r.claim("control", not all(50 < q < 200 for q in shrink_w),
            f"control: with one entry of J off by 0.1 the error shrinks only {shrink_w[0]:.0f}x and "
            f"{shrink_w[1]:.0f}x (first order), and the test fails")


@entry(id="cos324-ex-11.4.1", source=SRC, location="Example 11.4.1", kind="example",
       statement=r"\vec y = A \vec x, y_i = A_{i,1} x_1 + ... + A_{i,n} x_n, so J(\vec y, \vec x) = A",
       op=LINEAR_X)
def _(r):
    rng = np.random.default_rng(21)
    A = rng.normal(size=(3, 5))
    r.close("J(Ax, x)", _jacobian_fd(lambda v: layers.linear(A, v), rng.normal(size=5)), A,
            what="central differences of A x for a 3x5 A", **FD)


@entry(id="cos324-prob-11.4.2", source=SRC, location="Problem 11.4.2", kind="example",
       statement=r"y_1 = 2x_1 - x_2 + 3x_3, y_2 = -x_1 + 2x_3: J(\vec y, \vec x) = ?")
def _(r):
    f = lambda v: np.array([2 * v[0] - v[1] + 3 * v[2], -v[0] + 2 * v[2]])
    x = np.array([1.0, -2.0, 3.0])
    J = np.stack([_delta_slope(f, x, j) for j in range(3)], axis=1)
    r.value("J", J)
    r.close("J = A", J, np.array([[2.0, -1.0, 3.0], [-1.0, 0.0, 2.0]]),
            what="the Delta-method Jacobian vs the coefficient matrix [[2, -1, 3], [-1, 0, 2]] (Example 11.4.1)")


@entry(id="cos324-ex-11.4.3", source=SRC, location="Example 11.4.3", kind="example",
       statement=r"\vec y = ReLU(\vec x): \partial y_i/\partial x_i = 1 if x_i > 0, 0 otherwise; "
                 r"J(\vec y, \vec x) = diag(1(\vec x > 0))",
       op=RELU_11_4_3, documented={"indicator": r"\mathbb{1}(x_i > 0)"},
       reading="ReLU has no derivative at 0; the chapter's indicator fixes the value used there")
def _(r):
    ind = _indicator(r.documented["indicator"])
    x = np.array([-2.5, -0.4, 0.3, 1.7, 3.2])
    r.close("J(ReLU(x), x)", np.diag(ind(x)), _jacobian_fd(act.relu, x), documented="indicator",
            what="diag of the printed indicator vs central differences away from 0", **FD)
    at0 = float(ind(0.0))
    r.close("mlp_ref at 0", act.relu_grad(np.array([0.0])), np.array([at0]),
            what="mlp_ref.relu_grad at 0 vs the printed indicator at 0")
    other = float(0.0 >= 0)  # document 004's 1{h >= 0} at h = 0
    r.convention("indicator", at0 != other,
                 f"convention: the printed indicator takes the value {at0:g} at x = 0, as torch and JAX do; "
                 f"document 004 uses 1{{h >= 0}} (value {other:g}); mlp_ref.relu_grad(z, at_zero=...) exposes both",
                 what="the value of the printed indicator at the kink x = 0", documented="indicator")


@entry(id="cos324-def-11.4.4", source=SRC, location="Definition 11.4.4, (11.11)", kind="definition",
       statement=r"J(\vec z, \vec x) = J(\vec z, \vec y) J(\vec y, \vec x)  (11.11)")
def _(r):
    rng = np.random.default_rng(22)
    A = rng.normal(size=(4, 3))
    x = rng.normal(size=3)
    y = act.tanh(layers.linear(A, x))
    J_yx = act.tanh_grad(layers.linear(A, x))[:, None] * A  # diag(tanh'(A x)) A
    J_zy = act.softmax_jacobian(y)
    J_zx = _jacobian_fd(lambda v: act.softmax(act.tanh(layers.linear(A, v))), x)
    r.close("z = softmax(tanh(A x))", J_zy @ J_yx, J_zx,
            what="the product J(z, y) J(y, x) of hand-derived Jacobians (4 x 4 times 4 x 3) vs the l x n = 4 x 3 "
                 "Jacobian of z(x) by central differences", **FD)


@entry(id="cos324-ex-11.4.5", source=SRC, location="Example 11.4.5", kind="example",
       statement=r"\vec y = A \vec x, \vec z = ReLU(\vec y): J(\vec y, \vec x) = J(\vec z, \vec y) J(\vec y, \vec x) "
                 r"= diag(1(A \vec x > 0)) A",
       op=RELU_LAYER_X,
       corrected_statement="J(z, x) = J(z, y) J(y, x) = diag(1(A x > 0)) A; the left-hand side is J(z, x) (the "
                           "text before the display names J(z, x)), not J(y, x) = A")
def _(r):
    A, x = W1, X_111  # A x = (-1, 2): one unit off, so J(y, x) and J(z, x) differ
    rhs = act.relu_grad(layers.linear(A, x))[:, None] * A
    J_y = _jacobian_fd(lambda v: layers.linear(A, v), x)
    J_z = _jacobian_fd(lambda v: relu_layer(A, v), x)
    J_zy, J_yx = np.diag(act.relu_grad(A @ x)), A  # Example 11.4.3 and Example 11.4.1
    r.close("J(z, y) J(y, x)", J_zy @ J_yx, J_z,
            what="the middle and right-hand side diag(1(A x > 0)) A vs J(z, x) by central differences at A = W^(1), "
                 "x = (1, 1, 1)", **FD)
    r.close("left-hand side J(y, x)", J_y, rhs,
            what="J(y, x) (central differences) vs diag(1(A x > 0)) A at A = W^(1), x = (1, 1, 1)",
            corrected=J_z, severity="slip",
            why="the left-hand side names J(y, x) where the sentence before it and the chain rule give J(z, x); "
                "the result diag(1(A x > 0)) A is right")


# --------------------------------------------------------------------------- 11.4.2
@entry(id="cos324-claim-11.4.2-proportional", source=SRC,
       location="11.4.2 Backpropagation — Efficiency Using Jacobian Viewpoint", kind="claim",
       statement="the Jacobian viewpoint allows computing the gradient of the loss (with respect to network "
                 "parameters) with a number of mathematical operations (i.e., additions and multiplications) "
                 "proportional to the size of the fully connected net",
       reading="'proportional' as: the tallied operations per weight stay inside one fixed band, 2 to 7 (the bounds "
               "Problem 11.4.6 (ii) gives), over architectures of very different shapes")
def _(r):
    ratios = {_label(s): _tallies(s)[1] / _tallies(s)[0] for s in ARCHITECTURES}
    r.value("additions + multiplications per weight (forward + backward)", ratios)
    P = [_tallies(s)[0] for s in ARCHITECTURES]
    lo, hi = min(ratios.values()), max(ratios.values())
    r.claim("proportional", 2 <= lo and hi <= 7,
            f"over {len(ARCHITECTURES)} architectures (wide, deep, bottlenecked; {min(P)} to {max(P)} weights) "
            f"the tallied operations stay between {lo:.2f} and {hi:.2f} times the number of weights P, inside "
            "2P <= ops < 7P (the bounds of Problem 11.4.6 (ii))")
    naive = [_tallies(s, naive=True)[1] / _tallies(s, naive=True)[0] for s in WIDTH_FAMILY]
    r.claim("control", max(naive) > 7,
            f"control: the per-weight chain rule of 11.3 uses {naive[0]:.1f} to {naive[-1]:.1f} operations per "
            f"weight on the nets {_label(WIDTH_FAMILY[0])} to {_label(WIDTH_FAMILY[-1])} and leaves the bounds")


@entry(id="cos324-eq-11.12", source=SRC, location="(11.12)", kind="definition",
       statement=r"(\partial \ell/\partial W^{(k)})_{i,j} = \partial \ell/\partial W_{i,j}^{(k)}, a matrix with the "
                 r"same dimensions as W^{(k)} (e.g., \partial \ell/\partial W^{(1)} \in R^{2 \times 3} in Figure 11.2)",
       documented={"shape of dl/dW^(1)": r"\mathbb{R}^{2 \times 3}"})
def _(r):
    y = 1  # the chapter's class 2; at x = (3, 1, 2) every ReLU unit is active
    G = _ce_grads(X_331, y, [W1, W2, WO])
    printed = tuple(int(v) for v in re.findall(r"\d+", r.documented["shape of dl/dW^(1)"]))
    r.claim("shape of dl/dW^(1)", G[0].shape == printed == W1.shape,
            f"mlp_ref's dl/dW^(1) has shape {G[0].shape}; printed {printed}; W^(1) is {W1.shape}",
            documented="shape of dl/dW^(1)")
    for k, name in enumerate(("W^(1)", "W^(2)", "W^(o)")):
        def loss_of(Wk, k=k):
            Ws = [W1, W2, WO]
            Ws[k] = Wk
            return _fig_11_2_loss(Ws, X_331, y)
        fd = numerical_gradient(loss_of, [W1, W2, WO][k].copy(), method="central")
        r.close(f"dl/d{name}", G[k], fd,
                what=f"mlp_ref's matrix dl/d{name} vs the partials dl/dW_ij one entry at a time (x = (3, 1, 2), y = 2)",
                **FD)


@entry(id="cos324-footnote-6", source=SRC, location="11.4.2, footnote 6", kind="claim",
       statement=r"alternatively, flatten W^{(k)} into a single vector, find the Jacobian matrix "
                 r"\partial \ell/\partial W^{(k)}, and convert it back to a matrix form")
def _(r):
    y = 1
    net = figure_11_2(X_331)
    dl_dz2 = ((net["ohat"] - np.eye(3)[y]) @ WO) * act.relu_grad(net["z2"])
    dl_dz1 = (dl_dz2 @ W2) * act.relu_grad(net["z1"])  # 1 x 2
    J_z_vecW = layers.linear_jacobian_W(W1, X_331).reshape(2, 6)  # J(z^(1), vec W^(1)), row-major vec
    row = dl_dz1 @ J_z_vecW  # the 1 x 6 Jacobian of l in vec W^(1)
    G = _ce_grads(X_331, y, [W1, W2, WO])[0]
    r.close("Jacobian of vec W^(1), reshaped", row.reshape(2, 3), G,
            what="dl/dz^(1) J(z^(1), vec W^(1)) reshaped to 2 x 3 vs mlp_ref's matrix gradient (11.12)")
    flat = numerical_gradient(lambda v: _fig_11_2_loss([v.reshape(2, 3), W2, WO], X_331, y), W1.reshape(-1).copy(),
                              method="central")
    r.close("central differences in vec W^(1)", flat, row, what="the 1 x 6 Jacobian vs central differences", **FD)
    other = row.reshape(2, 3, order="F")
    r.claim("control", not np.allclose(other, G),
            f"control: flattening row by row but converting back column by column puts entries in the wrong place "
            f"(max error {np.max(np.abs(other - G)):.3g}): the conversion back must undo the flattening")


@entry(id="cos324-eq-11.13", source=SRC, location="(11.13)", kind="formula",
       statement=r"W^{(k)} \rightarrow W^{(k)} - \eta \cdot \partial \ell/\partial W^{(k)}")
def _(r):
    y, eta = 1, 1e-3
    Ws = [W1, W2, WO]
    G = _ce_grads(X_331, y, Ws)
    new = [gradient_descent_step(W, g, eta) for W, g in zip(Ws, G)]
    r.close("update", np.concatenate([n.ravel() for n in new]),
            np.concatenate([(W - eta * g).ravel() for W, g in zip(Ws, G)]),
            what="mlp_ref.gradient_descent_step vs W - eta dl/dW")
    before, after = _fig_11_2_loss(Ws, X_331, y), _fig_11_2_loss(new, X_331, y)
    r.value("loss before, after one step (x = (3, 1, 2), y = 2, eta = 1e-3)", [before, after])
    r.claim("descent", after < before, f"one step lowers the loss from {before:.6g} to {after:.6g}")


@entry(id="cos324-eq-ce-output-layer", source=SRC, location="11.4.2 step 1, Output Layer", kind="formula",
       statement=r"\ell = -\log(e^{o_y}/\sum_i e^{o_i}) = -\log e^{o_y} + \log \sum_i e^{o_i} = -o_y + \log \sum_i "
                 r"e^{o_i}, y \in \{1..d_out\}; \partial \ell/\partial o_i = -1 + \hat o_i if y = i, \hat o_i if y \ne i",
       op=CE_11_14, documented={"label set": r"y \in \{1, 2, \dots, d_{out}\}"},
       same_fault_as="cos324-eq-cross-entropy-loss",
       reading="classes numbered as the chapter prints them, from the first class of the printed label set")
def _(r):
    base = _label_base(r.documented["label set"])
    rng = np.random.default_rng(23)
    o = rng.uniform(-4, 4, size=4)
    p = act.softmax(o)
    for y_doc in (base, base + 3):
        i = y_doc - base  # the y-th coordinate
        lines = [-math.log(math.exp(o[i]) / sum(math.exp(v) for v in o)),
                 -math.log(math.exp(o[i])) + math.log(sum(math.exp(v) for v in o)),
                 -o[i] + math.log(sum(math.exp(v) for v in o))]
        fd = numerical_gradient(lambda v: losses.softmax_cross_entropy(v, i), o.copy(), method="central")
        r.close(f"three lines, y = {y_doc}", lines, [losses.softmax_cross_entropy(o, i)] * 3,
                what=f"the three expressions for l (y = {y_doc}) vs mlp_ref.softmax_cross_entropy on the y-th class")
        cases = np.array([-1 + p[k] if k == i else p[k] for k in range(4)])
        r.close(f"dl/do_i, y = {y_doc}", cases, fd, what="the case formula vs central differences", **FD)
    unchanged = losses.softmax_cross_entropy_grad(o, base)  # the chapter's first class passed unchanged
    printed = p - np.eye(4)[0]
    r.convention("label set", not np.allclose(unchanged, printed),
                 f"convention: y in {{{base}, 2, ..., d_out}} counts from {base}; mlp_ref, torch and JAX labels are "
                 f"0-based, so the chapter's y is label y - {base}; passed unchanged, y = {base} puts the -1 on o_"
                 f"{base + 1} instead of o_1", what="the printed label set against the frameworks' 0-based labels",
                 documented="label set")


@entry(id="cos324-eq-11.14", source=SRC, location="(11.14)", kind="formula",
       statement=r"\partial \ell/\partial \vec o = (\vec{\hat o} - \vec e_y)^\top \in R^{1 \times d_out}; footnote 7: "
                 r"the left side is a Jacobian in R^{1 \times d_out}, \vec{\hat o} and \vec e_y are d_out \times 1 "
                 r"columns, hence the transpose",
       op=CE_11_14)
def _(r):
    rng = np.random.default_rng(24)
    o = rng.uniform(-4, 4, size=5)
    for y in range(5):
        fd = numerical_gradient(lambda v: losses.softmax_cross_entropy(v, y), o.copy(), method="central")
        r.close(f"label {y}", CE_11_14.vjp(1.0, o, np.array(y))["o"], fd,
                what="(o-hat - e_y) vs central differences of l(o)", **FD)
    y = 2
    J = _jacobian_fd(lambda v: np.array([losses.softmax_cross_entropy(v, y)]), o)  # shape (1, 5)
    column = (act.softmax(o) - np.eye(5)[y])[:, None]  # o-hat - e_y as a d_out x 1 column
    r.close("footnote 7", column.T, J, what="(o-hat - e_y)^T, a 1 x d_out row, vs the Jacobian J(l, o) by central "
                                            "differences (without the transpose the column has shape (5, 1))", **FD)


@entry(id="cos324-eq-11.15", source=SRC, location="(11.15)", kind="formula",
       statement=r"\partial \ell/\partial \vec h^{(L-1)} = \partial \ell/\partial \vec o \, J(\vec o, \vec h^{(L-1)}) "
                 r"= \partial \ell/\partial \vec o \, W^{(o)}",
       op=LINEAR_X)
def _(r):
    rng = np.random.default_rng(25)
    W, h, y = rng.normal(size=(4, 3)), rng.normal(size=3), 2
    dl_do = act.softmax(layers.linear(W, h)) - np.eye(4)[y]
    fd = numerical_gradient(lambda v: losses.softmax_cross_entropy(layers.linear(W, v), y), h.copy(), method="central")
    r.close("dl/dh^(L-1)", LINEAR_X.vjp(dl_do, W, h)["x"], fd, what="dl/do W^(o) vs central differences", **FD)


RELU_KINK_READING = ("ReLU has no derivative where a pre-activation is 0; the printed indicator fixes the value used "
                     "there, as in Example 11.4.3")


@entry(id="cos324-eq-11.16", source=SRC, location="(11.16)", kind="formula",
       statement=r"\partial \ell/\partial \vec h^{(k)} = \partial \ell/\partial \vec h^{(k+1)} J(\vec h^{(k+1)}, "
                 r"\vec h^{(k)}) = \partial \ell/\partial \vec h^{(k+1)} diag(1(W^{(k+1)} \vec h^{(k)} > 0)) W^{(k+1)}",
       op=RELU_LAYER_X, documented={"indicator": r"\mathbb{1}(\mathbf{W}^{(k+1)} \vec{h}^{(k)} > 0)"},
       same_fault_as="cos324-ex-11.4.3", reading=RELU_KINK_READING)
def _(r):
    rng = np.random.default_rng(26)
    W, h, g = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=5)
    fd = numerical_gradient(lambda v: float(g @ relu_layer(W, v)), h.copy(), method="central")
    r.close("random layer", RELU_LAYER_X.vjp(g, W, h)["x"], fd, what="as written vs central differences", **FD)
    r.close("Jacobian form", act.relu_grad(W @ h)[:, None] * W, _jacobian_fd(lambda v: relu_layer(W, v), h),
            what="diag(1(W h > 0)) W vs J(h^(k+1), h^(k)) by central differences", **FD)
    _kink_convention(r, "(11.16)", lambda g, W, h: RELU_LAYER_X.vjp(g, W, h)["x"], "x")


def _kink_convention(r, where, vjp, wrt):
    """W h = (0, 3): the first unit sits on the kink, where the printed indicator and 004's 1{. >= 0} differ."""
    W, h, g = np.array([[1.0, -1.0], [2.0, 1.0]]), np.array([1.0, 1.0]), np.array([1.0, 1.0])
    z = W @ h

    def backward(mask):
        return (g * mask) @ W if wrt == "x" else np.outer(g * mask, h)

    printed, other = backward(_indicator(r.documented["indicator"])(z)), backward((z >= 0).astype(np.float64))
    r.close("op at the kink", vjp(g, W, h), printed,
            what=f"the op of {where} vs {where} with the printed indicator, at a unit with W h = 0")
    r.convention("indicator", not np.allclose(printed, other),
                 f"convention: {where} uses the printed indicator, ReLU'(0) = {float(_indicator(r.documented['indicator'])(0.0)):g} "
                 f"(as torch and JAX); document 004's 1{{h >= 0}} takes 1 at 0 and gives {other.tolist()} instead of "
                 f"{printed.tolist()} at a unit with W h = 0", what=f"{where} at a unit on the kink W h = 0",
                 documented="indicator")


@entry(id="cos324-eq-11.17", source=SRC, location="(11.17)", kind="formula",
       statement=r"\partial \ell/\partial w_{i,j}^{(o)} = \partial \ell/\partial o_i \cdot h_j^{(L-1)}; "
                 r"\partial \ell/\partial W^{(o)} = (\partial \ell/\partial \vec o)^\top (\vec h^{(L-1)})^\top",
       op=LINEAR_W)
def _(r):
    rng = np.random.default_rng(27)
    W, h, y = rng.normal(size=(4, 3)), rng.normal(size=3), 0
    dl_do = act.softmax(layers.linear(W, h)) - np.eye(4)[y]
    fd = numerical_gradient(lambda V: losses.softmax_cross_entropy(layers.linear(V, h), y), W.copy(), method="central")
    r.close("dl/dW^(o)", LINEAR_W.vjp(dl_do, W, h)["W"], fd, what="the op (dl/do)^T h^T vs central differences", **FD)
    r.close("entry by entry", [[dl_do[i] * h[j] for j in range(3)] for i in range(4)], fd,
            what="dl/do_i h_j^(L-1) vs central differences", **FD)
    row, col = dl_do[None, :], h[:, None]  # dl/do a 1 x d_out row, h^(L-1) a d_(L-1) x 1 column
    r.close("matrix form", lambda: row.T @ col.T, fd,
            what="(dl/do)^T (h^(L-1))^T with the chapter's row and column, a d_out x d_(L-1) matrix, vs central "
                 "differences", **FD)


@entry(id="cos324-eq-11.18", source=SRC, location="(11.18)", kind="formula",
       statement=r"\vec z^{(k)} = W^{(k)} \vec h^{(k-1)}, \vec h^{(k)} = ReLU(\vec z^{(k)}); "
                 r"\partial \ell/\partial w_{i,j}^{(k)} = \partial \ell/\partial z_i^{(k)} \cdot h_j^{(k-1)}; "
                 r"\partial \ell/\partial W^{(k)} "
                 r"= (\partial \ell/\partial \vec z^{(k)})^\top (\vec h^{(k-1)})^\top "
                 r"= (\partial \ell/\partial \vec h^{(k)} J(\vec h^{(k)}, \vec z^{(k)}))^\top (\vec h^{(k-1)})^\top "
                 r"= (J(\vec h^{(k)}, \vec z^{(k)}))^\top (\partial \ell/\partial \vec h^{(k)})^\top "
                 r"(\vec h^{(k-1)})^\top = diag(1(W^{(k)} \vec h^{(k-1)} > 0)) (\partial \ell/\partial \vec h^{(k)})^\top "
                 r"(\vec h^{(k-1)})^\top",
       op=RELU_LAYER_W, documented={"indicator": r"\mathbb{1}(\mathbf{W}^{(k)} \vec{\mathbf{h}}^{(k-1)} > 0)"},
       same_fault_as="cos324-ex-11.4.3", reading=RELU_KINK_READING)
def _(r):
    rng = np.random.default_rng(28)
    W, h, g = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=5)
    fd = numerical_gradient(lambda V: float(g @ relu_layer(V, h)), W.copy(), method="central")
    # the four lines with explicit row (1 x n) and column (n x 1) matrices, as the chapter writes them
    dl_dh, col_h = g[None, :], h[:, None]
    J = np.diag(act.relu_grad(W @ h))  # J(h^(k), z^(k))
    dl_dz = dl_dh @ J
    r.close("entry by entry", [[dl_dz[0, i] * h[j] for j in range(3)] for i in range(5)], fd,
            what="dl/dz_i h_j vs central differences", **FD)
    lines = [dl_dz.T @ col_h.T, (dl_dh @ J).T @ col_h.T, J.T @ dl_dh.T @ col_h.T,
             np.diag(act.relu_grad(W @ h)) @ dl_dh.T @ col_h.T]
    for n, line in enumerate(lines, start=1):
        r.close(f"line {n}", line, fd, what=f"line {n} of (11.18), a 5 x 3 matrix, vs central differences", **FD)
    r.close("random layer", RELU_LAYER_W.vjp(g, W, h)["W"], fd,
            what="the op for (11.18) (cos324-eq-11.18) vs central differences", **FD)
    _kink_convention(r, "(11.18)", lambda g, W, h: RELU_LAYER_W.vjp(g, W, h)["W"], "W")


def _fig_11_2_step1(x, y):
    net = figure_11_2(x)
    return net, net["ohat"] - np.eye(3)[y]


@entry(id="cos324-eq-11.14-revisited", source=SRC, location="(11.14) revisited", kind="formula",
       statement=r"\partial \ell/\partial \vec o = (\vec o - \vec e_y)^\top",
       op=CE_11_14_REVISITED, corrected=CE_11_14,
       corrected_statement="dl/do = (o-hat - e_y)^T with o-hat = softmax(o), as in (11.14)")
def _(r):
    y = 1  # the chapter's class 2
    o = figure_11_2(X_331)["o"]
    fd = numerical_gradient(lambda v: losses.softmax_cross_entropy(v, y), o.copy(), method="central")
    r.close("Figure 11.2 at x = (3, 1, 2)", CE_11_14_REVISITED.vjp(1.0, o, np.array(y))["o"], fd,
            what="(o - e_y) vs central differences of l(o) at o = (-3, 16, 11)",
            corrected=CE_11_14.vjp(1.0, o, np.array(y))["o"], severity="slip",
            why="the hat of o-hat is missing: (11.14), derived a page before, has (o-hat - e_y)^T, and o - e_y is "
                "not even a difference of probabilities", **FD)


@entry(id="cos324-eq-11.15-revisited", source=SRC, location="(11.15) revisited", kind="formula",
       statement=r"\partial \ell/\partial \vec h^{(L-1)} \in R^{1 \times d_{L-1}}: "
                 r"\partial \ell/\partial \vec h^{(L-1)} = \partial \ell/\partial \vec o \, W^{(o)}",
       op=LINEAR_X)
def _(r):
    y = 1
    net, dl_do = _fig_11_2_step1(X_331, y)
    fd = numerical_gradient(lambda v: losses.softmax_cross_entropy(layers.linear(WO, v), y), net["h2"].copy(),
                            method="central")
    r.close("Figure 11.2 at x = (3, 1, 2)", LINEAR_X.vjp(dl_do, WO, net["h2"])["x"], fd,
            what="the op dl/do W^(o) vs central differences in h^(2)", **FD)
    r.close("in R^{1 x d_(L-1)}", lambda: dl_do[None, :] @ WO, fd[None, :],
            what="the 1 x d_out row dl/do times W^(o) vs central differences as a 1 x d_(L-1) row", **FD)


@entry(id="cos324-eq-11.17-revisited", source=SRC, location="(11.17) revisited", kind="formula",
       statement=r"\partial \ell/\partial W^{(o)} = (\partial \ell/\partial \vec o)^\top (\vec h^{(L-1)})^\top "
                 r"\in R^{d_out \times d_{L-1}}",
       op=LINEAR_W)
def _(r):
    y = 1
    net, dl_do = _fig_11_2_step1(X_331, y)
    ref = _ce_grads(X_331, y, [W1, W2, WO])[2]
    r.close("Figure 11.2 at x = (3, 1, 2)", LINEAR_W.vjp(dl_do, WO, net["h2"])["W"], ref,
            what="the op (dl/do)^T h^(2)T vs mlp_ref.mlp_loss_backward")
    r.close("in R^{d_out x d_(L-1)}", lambda: dl_do[None, :].T @ net["h2"][:, None].T, ref,
            what="(dl/do)^T (h^(2))^T with dl/do a 1 x 3 row and h^(2) a 2 x 1 column vs mlp_ref's 3 x 2 dl/dW^(o)")


@entry(id="cos324-eq-11.16-revisited", source=SRC, location="(11.16) revisited", kind="formula",
       statement=r"\partial \ell/\partial \vec h^{(k)} = \partial \ell/\partial \vec h^{(k+1)} "
                 r"diag(1(W^{(k+1)} \vec h^{(k)} > 0)) W^{(k+1)} \in R^{1 \times d_k}",
       op=RELU_LAYER_X, documented={"indicator": r"\mathbb{1}(\mathbf{W}^{(k+1)} \vec{\mathbf{h}}^{(k)} > 0)"},
       same_fault_as="cos324-ex-11.4.3", reading=RELU_KINK_READING)
def _(r):
    y = 1
    net, dl_do = _fig_11_2_step1(X_331, y)
    dl_dh2 = dl_do @ WO
    got = RELU_LAYER_X.vjp(dl_dh2, W2, net["h1"])["x"]
    fd = numerical_gradient(lambda v: losses.softmax_cross_entropy(layers.linear(WO, relu_layer(W2, v)), y),
                            net["h1"].copy(), method="central")
    r.close("dl/dh^(1), Figure 11.2 at x = (3, 1, 2)", got, fd, what="the op vs central differences", **FD)
    ind = _indicator(r.documented["indicator"])
    r.close("in R^{1 x d_k}", lambda: dl_dh2[None, :] @ np.diag(ind(W2 @ net["h1"])) @ W2, fd[None, :],
            what="the 1 x d_(k+1) row times diag(1(W h > 0)) W^(k+1) vs central differences as a 1 x d_k row", **FD)
    _kink_convention(r, "(11.16) revisited", lambda g, W, h: RELU_LAYER_X.vjp(g, W, h)["x"], "x")


@entry(id="cos324-eq-11.18-revisited", source=SRC, location="(11.18) revisited", kind="formula",
       statement=r"\partial \ell/\partial W^{(k+1)} = diag(1(W^{(k+1)} \vec h^{(k)} > 0)) (\partial \ell/\partial "
                 r"\vec h^{(k+1)})^\top (\vec h^{(k)})^\top \in R^{d_{k+1} \times d_k}",
       op=RELU_LAYER_W, documented={"indicator": r"\mathbb{1}(\mathbf{W}^{(k+1)} \vec{\mathbf{h}}^{(k)} > 0)"},
       same_fault_as="cos324-ex-11.4.3", reading=RELU_KINK_READING)
def _(r):
    y = 1
    net, dl_do = _fig_11_2_step1(X_331, y)
    dl_dh2 = dl_do @ WO
    dl_dh1 = RELU_LAYER_X.vjp(dl_dh2, W2, net["h1"])["x"]
    G = _ce_grads(X_331, y, [W1, W2, WO])
    r.close("dl/dW^(2)", RELU_LAYER_W.vjp(dl_dh2, W2, net["h1"])["W"], G[1],
            what="k = 1 vs mlp_ref.mlp_loss_backward (x = (3, 1, 2), y = 2)")
    r.close("dl/dW^(1)", RELU_LAYER_W.vjp(dl_dh1, W1, X_331)["W"], G[0],
            what="k = 0 (h^(0) = x) vs mlp_ref.mlp_loss_backward")
    _kink_convention(r, "(11.18) revisited", lambda g, W, h: RELU_LAYER_W.vjp(g, W, h)["W"], "W")


@entry(id="cos324-alg-full-backprop", source=SRC, location="11.4.2, 4. Full Backpropagation Process",
       kind="algorithm",
       statement="1. dl/do = (o - e_y)^T ((11.14) revisited); 2. dl/dh^(L-1) = dl/do W^(o), dl/dW^(o) = "
                 "(dl/do)^T h^(L-1)T; 3. for each k: (11.16) revisited, (11.18) revisited; 4. repeat step 3 "
                 "down to the input layer",
       corrected_statement="step 1 must use o-hat = softmax(o): dl/do = (o-hat - e_y)^T; with that the four "
                           "steps give the exact gradient",
       same_fault_as="cos324-eq-11.14-revisited")
def _(r):
    rng = np.random.default_rng(29)
    sizes = (4, 5, 4, 3, 3)
    cases = [(X_331, 1, [W1, W2, WO], "Figure 11.2, x = (3, 1, 2), y = 2"),
             (rng.normal(size=4), 2, [rng.normal(size=(sizes[k + 1], sizes[k])) for k in range(4)],
              f"random net {sizes}")]
    flat = lambda grads: np.concatenate([g.ravel() for g in grads])
    for x, y, Ws, label in cases:
        ref = flat(_ce_grads(x, y, Ws))  # mlp_ref's layer-by-layer backward, checked against torch and JAX
        r.close(f"steps 2-4, {label}", flat(backprop_four_steps(x, y, Ws)["W"]), ref,
                what="steps 2-4 as printed, started from (11.14)'s (o-hat - e_y)^T, vs mlp_ref.mlp_loss_backward in "
                     "every weight")
        r.close(f"step 1 as printed, {label}", flat(backprop_four_steps(x, y, Ws, as_written=True)["W"]), ref,
                what="the four steps with step 1 as printed, (o - e_y)^T, vs mlp_ref.mlp_loss_backward",
                corrected=flat(backprop_four_steps(x, y, Ws)["W"]), severity="slip",
                why="the missing hat of (11.14) revisited, carried into the algorithm; steps 2-4 are right")


def _count_matvec_from_zero(A, h):
    """Additions of A h when each of the m sums starts from 0 (acc = 0; acc + A_ij h_j)."""
    t = _Tally()
    for row in A:
        acc = _Num(0.0, t)
        for a, hj in zip(row, h):
            acc = acc + a * hj
    return t.add


@entry(id="cos324-prob-11.4.6-i", source=SRC, location="Problem 11.4.6 (i)", kind="claim",
       statement=r"if A is an m \times n matrix and \vec h \in R^n then computing A \vec h requires mn "
                 "multiplications and m additions",
       corrected_statement="A h takes mn multiplications and m(n - 1) additions: each of the m entries is a sum of "
                           "n products, n - 1 two-operand additions (mn additions if each sum starts from 0); 'm "
                           "additions' is right only for n = 2. Either count is at most mn, so part (ii) stands")
def _(r):
    rng = np.random.default_rng(30)
    shapes = [(1, 1), (2, 3), (4, 2), (5, 7), (3, 10)]
    muls, adds, from_zero = [], [], []
    for m, n in shapes:
        A, h = rng.normal(size=(m, n)), rng.normal(size=n)
        y, c = count_matvec(A, h)
        r.close(f"A h for {m} x {n}", y, layers.linear(A, h), what=f"the tallied product vs mlp_ref.linear ({m} x {n})")
        muls.append(c["mul"])
        adds.append(c["add"])
        from_zero.append(_count_matvec_from_zero(A.tolist(), [_Num(v, _Tally()) for v in h]))
    r.close("multiplications", [m * n for m, n in shapes], muls,
            what=f"mn vs the tallied multiplications for (m, n) = {shapes}")
    r.value("additions when each sum starts from 0", from_zero)
    r.close("additions", [m for m, n in shapes], adds,
            what=f"the printed m = {[m for m, n in shapes]} vs the tallied two-operand additions {adds} for "
                 f"(m, n) = {shapes} (equal only where n = 2; {from_zero} if each sum starts from 0)",
            corrected=[m * (n - 1) for m, n in shapes], severity="error",
            why="the count the problem asks to show is wrong for every n other than 2: each of the m entries is a "
                "sum of n products, n - 1 additions; part (ii) is unaffected")


@entry(id="cos324-prob-11.4.6-ii", source=SRC, location="Problem 11.4.6 (ii)", kind="claim",
       statement="Using the previous part, argue that the number of arithmetic operations (additions or "
                 "multiplications) in backpropagation algorithm on an FC net with ReLU activations is proportional "
                 "to the number of parameters in the net")
def _(r):
    ok = []
    for s in ARCHITECTURES:
        c = _backprop_counted(s)
        x, Ws = _random_net(s, 0)
        ok.append(all(np.allclose(g, ref, rtol=1e-9, atol=1e-12) for g, ref in zip(c["grad"], _ce_grads(x, 0, Ws))))
    r.claim("instrumented backpropagation is exact", all(ok),
            f"the tallied four-step pass gives mlp_ref's gradient on all {len(ARCHITECTURES)} architectures")
    tallied = [_tallies(s)[1] for s in ARCHITECTURES]
    r.close("count from part (i)", tallied, [ops_from_matvec_counts(s) for s in ARCHITECTURES],
            what="the tallied additions + multiplications vs the sum over layers of part (i)'s (corrected) counts for "
                 "W h, g W and the outer product, plus one operation per mask, softmax sum and o-hat - e_y entry")
    P = [_tallies(s)[0] for s in ARCHITECTURES]
    r.value("(parameters, operations)", list(zip(P, tallied)))
    r.claim("2P <= operations < 7P", all(2 * p <= t < 7 * p for p, t in zip(P, tallied)),
            "per layer the three products cost at most 3mn + 2m(n - 1) < 5mn, and every non-input unit carries at "
            "least one weight, so 2P <= operations < 5P + 2P; the tallies of all "
            f"{len(ARCHITECTURES)} architectures ({min(P)} to {max(P)} weights) lie in that band")


@entry(id="cos324-eq-11.19", source=SRC, location="(11.19)", kind="formula",
       statement=r"\sigma(z) = 1/(1 + e^{-z}); \sigma'(z) = 1/(1 + e^{-z}) = e^{-z}/(1 + e^{-z})^2 = "
                 r"\sigma(z) \cdot (e^{-z}/(1 + e^{-z})) = \sigma(z) \cdot (1 - \sigma(z))",
       op=SIGMOID_11_19_AS_WRITTEN, corrected=SIGMOID_11_19,
       corrected_statement="sigma'(z) = d/dz [1/(1 + e^{-z})] = e^{-z}/(1 + e^{-z})^2 = sigma(z)(1 - sigma(z)); "
                           "the first line drops the d/dz")
def _(r):
    z = np.linspace(-6, 6, 25)
    r.close("sigma", 1 / (1 + np.exp(-z)), act.sigmoid(z), what="1/(1 + e^{-z}) vs mlp_ref.sigmoid")
    fd = np.array([numerical_gradient(lambda v: act.sigmoid(v)[0], np.array([t]), method="central")[0] for t in z])
    lines = [1 / (1 + np.exp(-z)), np.exp(-z) / (1 + np.exp(-z)) ** 2,
             act.sigmoid(z) * (np.exp(-z) / (1 + np.exp(-z))), act.sigmoid(z) * (1 - act.sigmoid(z))]
    r.close("line 1", lines[0], fd, what="sigma'(z) = 1/(1 + e^{-z}) vs central differences",
            corrected=lines[1], severity="slip",
            why="the first line drops the d/dz in front of 1/(1 + e^{-z}); the next lines and the result "
                "sigma(z)(1 - sigma(z)) are right", **FD)
    for i in (1, 2, 3):
        r.close(f"line {i + 1}", lines[i], fd, what=f"line {i + 1} vs central differences", **FD)


@entry(id="cos324-def-tanh", source=SRC, location="11.4.3, hyperbolic tangent", kind="definition",
       statement=r"\tanh(z) = (e^{2z} - 1)/(e^{2z} + 1)", op=act.TANH)
def _(r):
    z = np.linspace(-5, 5, 41)
    r.close("tanh", (np.exp(2 * z) - 1) / (np.exp(2 * z) + 1), act.tanh(z), what="the quotient vs mlp_ref.tanh")


@entry(id="cos324-prob-11.4.7", source=SRC, location="Problem 11.4.7", kind="formula",
       statement="f'(z) for f(z) = tanh(z), written in terms of f(z): f'(z) = 1 - f(z)^2",
       op=TANH_11_4_7)
def _(r):
    z = np.linspace(-4, 4, 33)
    quotient = 4 * np.exp(2 * z) / (np.exp(2 * z) + 1) ** 2  # d/dz of (e^{2z} - 1)/(e^{2z} + 1)
    fd = np.array([numerical_gradient(lambda v: act.tanh(v)[0], np.array([t]), method="central")[0] for t in z])
    r.close("quotient rule", quotient, fd, what="4 e^{2z}/(e^{2z} + 1)^2 vs central differences", **FD)
    r.close("in terms of f", 1 - act.tanh(z) ** 2, quotient, what="1 - f(z)^2 vs the quotient-rule derivative")


@entry(id="cos324-prob-11.4.8", source=SRC, location="Problem 11.4.8", kind="formula",
       statement=r"if f'(z) = g(f(z)): \partial \ell/\partial \vec h^{(k)} = \partial \ell/\partial \vec h^{(k+1)} "
                 r"diag(g(W^{(k+1)} \vec h^{(k)})) W^{(k+1)}; \partial \ell/\partial W^{(k+1)} = "
                 r"diag(g(W^{(k+1)} \vec h^{(k)})) (\partial \ell/\partial \vec h^{(k+1)})^\top (\vec h^{(k)})^\top",
       op=TANH_LAYER_AS_WRITTEN, corrected=TANH_LAYER,
       corrected_statement="g must be applied to f(W h) = h^(k+1): diag(g(f(W^(k+1) h^(k)))) = "
                           "diag(f'(W^(k+1) h^(k))) in both lines")
def _(r):
    rng = np.random.default_rng(31)
    W, h, G = rng.uniform(-1, 1, size=(4, 3)), rng.uniform(-2, 2, size=3), rng.normal(size=4)
    wrong = dict(severity="error", why="g applied to the pre-activation W h instead of to f(W h) = h^(k+1) gives a "
                                       "wrong gradient (for tanh, 1 - (W h)^2 in place of 1 - tanh^2(W h))")
    for name, f, g in (("tanh", act.tanh, _g_tanh), ("sigmoid", act.sigmoid, lambda u: u * (1 - u))):
        z = layers.linear(W, h)
        fd_h = numerical_gradient(lambda v: float(G @ f(layers.linear(W, v))), h.copy(), method="central")
        fd_W = numerical_gradient(lambda V: float(G @ f(layers.linear(V, h))), W.copy(), method="central")
        r.close(f"dl/dh^(k), f = {name}", (G * g(z)) @ W, fd_h, what="diag(g(W h)) as written vs central differences",
                corrected=(G * g(f(z))) @ W, **wrong, **FD)
        r.close(f"dl/dW^(k+1), f = {name}", np.outer(G * g(z), h), fd_W,
                what="diag(g(W h)) (dl/dh)^T h^T as written vs central differences",
                corrected=np.outer(G * g(f(z)), h), **wrong, **FD)


@entry(id="cos324-claim-11.4.4-nonconvex", source=SRC, location="11.4.4 Final Remark", kind="claim",
       statement="the loss function for deep neural nets is highly non-convex with respect to the parameters of the "
                 "network")
def _(r):
    # swapping the two hidden units of layer 1 leaves the loss unchanged; their midpoint does not
    y = 1
    swap = lambda Ws: [Ws[0][::-1], Ws[1][:, ::-1], Ws[2]]
    rng = np.random.default_rng(32)
    for _ in range(200):
        Ws = [rng.normal(size=(2, 3)), rng.normal(size=(2, 2)), rng.normal(size=(3, 2))]
        a, b = _fig_11_2_loss(Ws, X_331, y), _fig_11_2_loss(swap(Ws), X_331, y)
        mid = _fig_11_2_loss([(P + Q) / 2 for P, Q in zip(Ws, swap(Ws))], X_331, y)
        if mid > (a + b) / 2 + 1e-6:
            break
    r.value("losses at theta, swapped theta, midpoint", [a, b, mid])
    r.close("symmetry", a, b, what="the loss at theta vs at theta with the two units of layer 1 swapped")
    r.claim("midpoint convexity fails", mid > (a + b) / 2 + 1e-6,
            f"l(theta) = l(swapped theta) = {a:.4g} but l(midpoint) = {mid:.4g} > their average: not convex")


@entry(id="cos324-claim-11.4.4-init", source=SRC, location="11.4.4 Final Remark", kind="claim",
       statement="the gradient descent algorithm is not guaranteed to find the actual minimizer in such situation, "
                 "and the choice of the initial values of the parameters matter a lot",
       reading="'not guaranteed' is shown by one start from which gradient descent never moves although the loss "
               "is not minimal there; 'matter a lot' by the same descent (150 steps, eta = 0.04) ending at losses "
               "at least 5 times apart from two starts of the same network")
def _(r):
    rng = np.random.default_rng(33)
    X = rng.uniform(0.5, 3, size=(6, 3))  # positive inputs of the Figure 11.2 architecture
    y = np.argmax(X, axis=1)  # label: the largest coordinate
    steps, eta = 150, 0.04

    def loss(Ws):
        return float(layers.mlp_loss(X, y, Ws, None, activation="relu"))

    def grads(Ws):
        return layers.mlp_loss_backward(X, y, Ws, None, activation="relu", loss="softmax_cross_entropy")["W"]

    def descend(Ws):
        for _ in range(steps):
            Ws = [gradient_descent_step(W, g, eta) for W, g in zip(Ws, grads(Ws))]
        return loss(Ws)

    stuck = [-np.abs(W1) - 0.5, W2, WO]  # every first-layer unit off on positive inputs
    G = grads(stuck)
    r.claim("zero gradient", all(not np.any(g) for g in G),
            "with every first-layer unit off on the (positive) inputs, every gradient is exactly 0: gradient descent "
            "never moves from this start, whatever the step size or number of steps")
    r.close("stuck", loss(stuck), 6 * math.log(3),
            what="the loss at the stationary start vs 6 log 3 (o-hat uniform on 6 samples)")
    final = descend([0.3 * np.abs(W1), 0.3 * np.abs(W2), 0.3 * WO])
    r.value(f"loss after {steps} steps (eta = {eta}) from 0.3 |W^(1)|, 0.3 |W^(2)|, 0.3 W^(o)", final)
    r.claim("the start decides", 5 * final < loss(stuck),
            f"the same architecture and data: from the stationary start the loss stays at {loss(stuck):.3g}, from "
            f"a scaled copy of Figure 11.2's weights {steps} steps reach {final:.3g}, so the stationary point is "
            "not a minimizer and the start decides where descent ends")


# --------------------------------------------------------------------------- 11.5
# The listing as printed; the text jumps from the constructor's signature to self.hidden3.
LISTING_CLASS = "class Net(nn.Module):"
LISTING_SIGNATURE = ("def __init__(self, input_size=2, hidden_dim1=2, hidden_dim2=3,\n"
                     "                  hidden_dim3=2):")
LISTING_HIDDEN3 = ("self.hidden3 = nn.Linear(hidden_dim2, hidden_dim3, bias=False)\n"
                   "self.hidden3.weight = nn.Parameter(torch.tensor([[-1., 2., 1.], [3.,\n"
                   "                                                    0., 0.])))")
LISTING_FORWARD = ("self.activation = nn.ReLU()\n\n"
                   "def forward(self, x):\n"
                   "    h1 = self.hidden1(x)\n"
                   "    h1 = self.activation(h1)\n"
                   "    h2 = self.hidden2(h1)\n"
                   "    h2 = self.activation(h2)\n"
                   "    h3 = self.hidden3(h2)\n"
                   "    return h3")
FIGURE_11_7 = "A sample feedforward neural network with two hidden layers and two output nodes."
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}


def _parses(src):
    try:
        ast.parse(src)
        return True
    except SyntaxError:
        return False


def _listing_defaults():
    """The constructor's keyword defaults, read from the printed signature."""
    fn = ast.parse(LISTING_SIGNATURE.strip() + "\n    pass").body[0]
    names = [a.arg for a in fn.args.args][-len(fn.args.defaults):]
    return {n: ast.literal_eval(d) for n, d in zip(names, fn.args.defaults)}


def _forward_steps():
    """The printed forward() as a list of (assigned name, self attribute called, argument name)."""
    fn = next(n for n in ast.parse(LISTING_FORWARD).body if isinstance(n, ast.FunctionDef))
    steps = [(st.targets[0].id, st.value.func.attr, st.value.args[0].id)
             for st in fn.body if isinstance(st, ast.Assign)]
    returned = next(st.value.id for st in fn.body if isinstance(st, ast.Return))
    return steps, returned


def _figure_11_7_counts():
    """(hidden layers, output nodes) named in the caption of Figure 11.7."""
    hidden = re.search(r"(\w+) hidden layers", FIGURE_11_7).group(1)
    outputs = re.search(r"(\w+) output nodes", FIGURE_11_7).group(1)
    return _NUMBER_WORDS[hidden], _NUMBER_WORDS[outputs]


@entry(id="cos324-code-11.5-net", source=SRC, location="11.5, class Net listing", kind="code",
       statement="\n".join((LISTING_CLASS, LISTING_SIGNATURE, "[...]", LISTING_HIDDEN3, "", LISTING_FORWARD)),
       documented={"signature": LISTING_SIGNATURE, "forward": LISTING_FORWARD, "figure 11.7": FIGURE_11_7})
def _(r):
    r.claim("signature", _parses(r.documented["signature"].strip() + "\n    pass"), "the constructor's signature parses",
            documented="signature")
    dims = _listing_defaults()
    r.value("constructor defaults", dims)
    steps, returned = _forward_steps()
    r.value("forward() steps (target, self.<layer>, argument)", steps)
    chain = all(steps[k][2] == steps[k - 1][0] for k in range(1, len(steps)))
    linear = [i for i, st in enumerate(steps) if st[1].startswith("hidden")]
    activated = [steps[i][1] for i in linear if i + 1 < len(steps) and steps[i + 1][1] == "activation"]
    hidden_layers, outputs = _figure_11_7_counts()
    r.claim("forward", _parses(LISTING_FORWARD) and chain and returned == steps[-1][0]
            and [steps[i][1] for i in linear] == ["hidden1", "hidden2", "hidden3"] and steps[-1][1] == "hidden3",
            f"forward() parses and applies hidden1, hidden2, hidden3 in turn, with ReLU after {activated} only; it "
            "returns the logits of hidden3 without softmax, the o of (11.9) that cross_entropy expects",
            documented="forward")
    r.claim("figure 11.7", len(activated) == hidden_layers,
            f"{len(activated)} layers are followed by ReLU: the {hidden_layers} hidden layers of Figure 11.7",
            documented="figure 11.7")
    r.missing("constructor body", "the listing is cut off after the signature: super().__init__(), the definitions "
              f"of self.hidden1 and self.hidden2 (as nn.Linear layers with the defaults they would hold "
              f"{dims['hidden_dim1']} x {dims['input_size']} and {dims['hidden_dim2']} x {dims['hidden_dim1']} "
              "weights), whether they have biases and any values given to their weights are missing, and no "
              "'net = Net()' is shown; only the signature, hidden3 and forward() can be checked")


@entry(id="cos324-code-11.5-hidden3", source=SRC, location="11.5, class Net listing (self.hidden3)", kind="code",
       statement=LISTING_HIDDEN3,
       documented={"hidden3": LISTING_HIDDEN3},
       corrected_statement="self.hidden3.weight = nn.Parameter(torch.tensor([[-1., 2., 1.], [3., 0., 0.]])): the "
                           "printed line ends '0., 0.])))': one ']' too few, one ')' too many")
def _(r):
    dims = _listing_defaults()
    first, *weight_lines = r.documented["hidden3"].splitlines()
    text = " ".join(line.strip() for line in weight_lines)
    fixed = text.replace("0., 0.])))", "0., 0.]]))")
    r.claim("hidden3", _parses(text), f"the weight line as printed ('...{text[-22:]}') is not valid Python: of "
            "its three '[' only two are closed, and its third ')' closes nothing", corrected_ok=_parses(fixed),
            what="the printed weight line of self.hidden3 is valid Python", documented="hidden3",
            severity="transcription",
            why="the listing's layout is visibly broken in this copy (the class body and forward() at column 0, the "
                "constructor cut after its signature), so a ']' read as ')' is most likely extraction damage")
    call = ast.parse(first).body[0].value  # nn.Linear(hidden_dim2, hidden_dim3, bias=False)
    d_in, d_out = (dims[a.id] for a in call.args)
    W3 = np.array(ast.literal_eval(re.search(r"torch\.tensor\((.*)\)\)$", fixed).group(1)), dtype=np.float64)
    r.value("hidden3 weight", W3)
    r.claim("hidden3 shape", W3.shape == (d_out, d_in),
            f"nn.Linear(hidden_dim2, hidden_dim3) stores its weight as (out, in) = ({d_out}, {d_in}) with the "
            f"defaults; the printed tensor has shape {W3.shape}")
    r.claim("figure 11.7", W3.shape[0] == _figure_11_7_counts()[1],
            f"hidden3 has {W3.shape[0]} output units, the two output nodes of Figure 11.7")


@entry(id="cos324-code-11.5-forward", source=SRC, location="11.5, forward propagation listing", kind="code",
       statement="x = torch.tensor([3., 1.]); y_pred = net.forward(x); print('Predicted value:', y_pred)",
       documented={"x": "torch.tensor([3., 1.])"})
def _(r):
    x = np.array(ast.literal_eval(r.documented["x"].removeprefix("torch.tensor(").removesuffix(")")))
    dims = _listing_defaults()
    r.claim("x", x.shape == (dims["input_size"],),
            f"x has {x.size} entries, the constructor's input_size = {dims['input_size']}", documented="x")
    r.missing("y_pred", "net.forward(x) = W3 ReLU(W_2 ReLU(W_1 x)) needs the weights W_1 of hidden1 and W_2 of "
                        "hidden2, which the cut-off constructor does not show, and the printed prediction is not "
                        f"given; only that y_pred has hidden_dim3 = {dims['hidden_dim3']} entries follows")


@entry(id="cos324-code-11.5-backward", source=SRC, location="11.5, backpropagation listing", kind="code",
       statement="loss = nn.functional.cross_entropy(y_pred.unsqueeze(0), torch.LongTensor([1])); loss.backward(); "
                 "print(loss); print(net.hidden1.weight.grad)",
       documented={"target": "torch.LongTensor([1])"})
def _(r):
    label = int(re.search(r"\[(\d+)\]", r.documented["target"]).group(1))
    dims = _listing_defaults()
    r.claim("target", 0 <= label < dims["hidden_dim3"],
            f"target {label} is a valid 0-based class for hidden_dim3 = {dims['hidden_dim3']} outputs (torch's "
            f"labels are 0-based: the second output, the chapter's y = {label + 1}); y_pred.unsqueeze(0) is "
            f"1 x {dims['hidden_dim3']}, one row per target", documented="target")
    r.missing("loss and hidden1.weight.grad", "no printed values, and the weights of hidden1/hidden2 are cut off "
                                              "from the listing, so the loss and gradient cannot be reproduced")


@entry(id="cos324-code-11.5-accumulate", source=SRC, location="11.5, gradient accumulation note", kind="claim",
       statement="calling backward() multiple times will cause gradients to accumulate; it is important to "
                 "periodically clear the gradient buffer when updating the weights to prevent unintended training")
def _(r):
    # a .grad buffer as torch keeps it: zero-initialised, each backward() adds the gradient of its loss
    y, Ws = 1, [W1, W2, WO]
    buffer = [np.zeros_like(W) for W in Ws]
    for _ in range(2):
        for b, g in zip(buffer, _ce_grads(X_331, y, Ws)):
            b += g
    twice = layers.mlp_loss_backward(X_331, y, Ws, None, activation="relu", g=2.0)["W"]
    r.close("two backward passes", np.concatenate([b.ravel() for b in buffer]),
            np.concatenate([g.ravel() for g in twice]),
            what="the buffer after two passes vs mlp_ref's gradient of 2 l (upstream g = 2)")
    eta = 0.05
    cleared = _fig_11_2_loss([gradient_descent_step(W, g, eta) for W, g in zip(Ws, _ce_grads(X_331, y, Ws))], X_331, y)
    stale = _fig_11_2_loss([gradient_descent_step(W, b, eta) for W, b in zip(Ws, buffer)], X_331, y)
    r.value("loss before, after a step with a cleared buffer, after a step with the uncleared one",
            [_fig_11_2_loss(Ws, X_331, y), cleared, stale])
    r.claim("unintended training", not np.isclose(cleared, stale),
            f"a step with the uncleared buffer is a step of 2 eta: it lands at loss {stale:.4g} instead of "
            f"{cleared:.4g}")


# ------------------------------------------------------------------------------ expected verdicts
# What the computation must derive, in document order; tests/test_catalog.py checks every row.
EXPECTED = {
    "cos324-def-11.0.1": "holds",
    "cos324-eq-11.1": "holds",
    "cos324-eq-11.2": "holds",
    "cos324-eq-fig-11.1-output": "holds",
    "cos324-ex-11.1.1": "holds",
    "cos324-eq-11.3": "holds",
    "cos324-eq-11.4": "holds",
    "cos324-ex-11.1.2": "erratum",  # names Figure 11.1 for the three-output network; all values hold
    "cos324-eq-11.5": "holds",
    "cos324-footnote-1": "holds",  # column vectors: a layout the chapter declares and uses consistently
    "cos324-eq-11.6": "holds",
    "cos324-eq-11.7": "holds",
    "cos324-eq-11.8": "holds",
    "cos324-eq-11.9": "holds",
    "cos324-ex-11.1.3": "erratum",  # h^(1) = W^(1) x = ReLU(...)
    "cos324-eq-11.2-layer-k": "holds",
    "cos324-eq-11.2.1-weight-count": "holds",
    "cos324-ex-11.2.1": "holds",
    "cos324-claim-11.2.2": "holds",
    "cos324-eq-squared-error-loss": "holds",
    "cos324-ex-11.2.2": "holds",
    "cos324-eq-4.5-revisited": "holds",
    "cos324-eq-cross-entropy-loss": "convention",  # 1-based y
    "cos324-ex-11.2.3": "erratum",  # 4.02 is -log o-hat_3, the printed expression is 0.018
    "cos324-claim-11.3-linear": "holds",
    "cos324-ex-11.3.1": "holds",
    "cos324-ex-11.3.2": "holds",
    "cos324-prob-11.3.3": "holds",
    "cos324-prob-11.3.4": "holds",
    "cos324-eq-11.10": "holds",
    "cos324-footnote-3": "holds",
    "cos324-def-jacobian": "holds",
    "cos324-ex-11.4.1": "holds",
    "cos324-prob-11.4.2": "holds",
    "cos324-ex-11.4.3": "convention",  # ReLU'(0) = 0 vs 004's 1
    "cos324-def-11.4.4": "holds",
    "cos324-ex-11.4.5": "erratum",  # J(y, x) on the left for J(z, x)
    "cos324-claim-11.4.2-proportional": "holds",
    "cos324-eq-11.12": "holds",
    "cos324-footnote-6": "holds",
    "cos324-eq-11.13": "holds",
    "cos324-eq-ce-output-layer": "convention",  # 1-based y
    "cos324-eq-11.14": "holds",
    "cos324-eq-11.15": "holds",
    "cos324-eq-11.16": "convention",  # ReLU'(0), counted at cos324-ex-11.4.3
    "cos324-eq-11.17": "holds",
    "cos324-eq-11.18": "convention",
    "cos324-eq-11.14-revisited": "erratum",  # (o - e_y) for (o-hat - e_y)
    "cos324-eq-11.15-revisited": "holds",
    "cos324-eq-11.17-revisited": "holds",
    "cos324-eq-11.16-revisited": "convention",
    "cos324-eq-11.18-revisited": "convention",
    "cos324-alg-full-backprop": "erratum",  # step 1 as revisited, counted at cos324-eq-11.14-revisited
    "cos324-prob-11.4.6-i": "erratum",  # m additions for m(n - 1)
    "cos324-prob-11.4.6-ii": "holds",
    "cos324-eq-11.19": "erratum",  # sigma'(z) = 1/(1 + e^{-z})
    "cos324-def-tanh": "holds",
    "cos324-prob-11.4.7": "holds",
    "cos324-prob-11.4.8": "erratum",  # g(W h) for g(f(W h))
    "cos324-claim-11.4.4-nonconvex": "holds",
    "cos324-claim-11.4.4-init": "holds",
    "cos324-code-11.5-net": "incomplete",  # constructor cut off after the signature
    "cos324-code-11.5-hidden3": "erratum",  # unbalanced brackets in the weight line
    "cos324-code-11.5-forward": "incomplete",  # hidden1/hidden2 cut off
    "cos324-code-11.5-backward": "incomplete",
    "cos324-code-11.5-accumulate": "holds",
}
INPUTS = {
    ("cos324-ex-11.2.3", "y"),
}
MISMATCHED_NUMBERS = {
    ("cos324-ex-11.2.3", "loss"),
}
OTHER_READINGS = {
    ("cos324-ex-11.2.3", "loss"): "y = 2 read 0-based (the third class) gives the printed 4.02",
}
CONVENTIONS = {
    "cos324-eq-cross-entropy-loss": "0-based",
    "cos324-ex-11.4.3": "1{h >= 0}",
    "cos324-eq-ce-output-layer": "0-based",
    "cos324-eq-11.16": "1{h >= 0}",
    "cos324-eq-11.18": "1{h >= 0}",
    "cos324-eq-11.16-revisited": "1{h >= 0}",
    "cos324-eq-11.18-revisited": "1{h >= 0}",
}
SEVERITY = {
    "cos324-ex-11.1.2": "slip",  # Figure 11.1 named for Figure 11.2
    "cos324-ex-11.1.3": "slip",  # the middle terms W x omit the ReLU
    "cos324-ex-11.2.3": "error",  # 4.02 for 0.018
    "cos324-ex-11.4.5": "slip",  # J(y, x) on the left for J(z, x)
    "cos324-eq-11.14-revisited": "slip",  # the missing hat of o-hat
    "cos324-alg-full-backprop": "slip",  # the same missing hat
    "cos324-prob-11.4.6-i": "error",  # m additions for m(n - 1)
    "cos324-eq-11.19": "slip",  # the first line drops d/dz
    "cos324-prob-11.4.8": "error",  # g(W h) for g(f(W h))
    "cos324-code-11.5-hidden3": "transcription",  # ']' read as ')' in a listing whose layout is lost
}
SAME_FAULT = {
    "cos324-eq-ce-output-layer": "cos324-eq-cross-entropy-loss",  # the 1-based label set
    "cos324-eq-11.16": "cos324-ex-11.4.3",  # ReLU'(0) = 0
    "cos324-eq-11.18": "cos324-ex-11.4.3",
    "cos324-eq-11.16-revisited": "cos324-ex-11.4.3",
    "cos324-eq-11.18-revisited": "cos324-ex-11.4.3",
    "cos324-alg-full-backprop": "cos324-eq-11.14-revisited",  # the missing hat of step 1
}
