"""003 — EE-559 Deep learning, 3b. Multi-Layer Perceptrons (F. Fleuret, version of May 17, 2018).

The slides are extracted as text with every animation build repeated. One entry per distinct
formula or claim, in document order. The builds of a slide repeat one text, so where they print
the same formula differently (an index, a range, a symbol) the difference arose in extraction:
the statement quotes every variant, the computation checks the reading that the slide's other
builds and its own formulas confirm, and the explanation reports what the variants would give.
A formula printed the same way in every build is taken as the slide's, and checked as printed;
where it is wrong as printed and the damage looks like the extraction's (norm bars read as \\ell,
eta read as n, a display whose layout is broken), the erratum's severity is "transcription" and
names that evidence. LaTeX escapes lost in extraction ("abla" for \\nabla, "o" for \\to, ":" or
"·" for a subscript i) are noted in the statements; they are not counted as errors of the slides.

Shapes follow the slides: one sample x is a column vector (D,), w^(l) is (d_l, d_(l-1)) and
sigma acts at every layer, output included: x^(l) = sigma(w^(l) x^(l-1) + b^(l)). The per-sample
loss of the back-propagation checks is l(x^(L), y) = ||x^(L) - y||^2, so nabla_1 l = 2 (x^(L) - y).
"""
from __future__ import annotations

import functools
import itertools
import math
import numbers

import numpy as np

from .. import activations as act
from .. import layers, losses
from .._validate import as_float, check_positive, check_real, same_dtype
from ..gradient import gradient_descent_step, numerical_gradient
from ..registry import FD_TOL, Arg, Op, entry, register_op

SRC = "003_485f8fafa7a34846.txt"
# -- document declaration (mlp_ref.registry.document); registered in pyproject.toml under
# [project.entry-points."mlp_ref.documents"], forms under "mlp_ref.forms"
from ..registry import document  # noqa: E402

DOCUMENT = document(SRC, title="EE-559 Deep learning, 3b. Multi-Layer Perceptrons",
                    citation="F. Fleuret, EE-559 Deep learning, 3b. Multi-Layer Perceptrons (slides, version of May 17, 2018), https://fleuret.org/dlc/, text copy 003_485f8fafa7a34846.txt",
                    prefix="ee559-")

# Central differences use step FD_EPS (truncation and rounding error near 1e-10 here) and are
# compared at registry.FD_TOL; everything else at the catalog's float64 tolerance.
FD_EPS = 1e-5

SIGMAS = ("tanh", "sigmoid", "relu")


# =============================================================================== validation
def _check_int(name, value, low=0):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value!r}")
    return int(value)


def _check_sigma(activation):
    if activation not in SIGMAS:
        raise ValueError(f"activation: expected one of {SIGMAS}, got {activation!r}")
    return layers.ACTIVATIONS[activation]


def _check_sample(x, y, Ws, bs, activation):
    """One sample x (D,), target y (d_L,), weights and biases of every layer (no None biases)."""
    x = as_float("x", x, ndim=1)
    if not isinstance(bs, (list, tuple)) or any(b is None for b in bs):
        raise ValueError("bs: expected a list of bias vectors b^(1..L), one per layer (the slides' b^(l))")
    _check_sigma(activation)
    out, cache = layers.mlp_forward(x, Ws, bs, activation, activation)
    y = as_float("y", y, ndim=1)
    if y.shape != out.shape:
        raise ValueError(f"y: expected shape {out.shape} to match the output x^(L), got {y.shape}")
    same_dtype(x=x, y=y)
    return x, y, cache


# ============================================================================ the MLP of 003
def _loss(xL, y):
    """l(x^(L), y) = ||x^(L) - y||^2, the per-sample loss of the back-propagation checks."""
    return float(np.sum((xL - y) ** 2))


def _run_from(l, v, Ws, bs, activation, start="x"):
    """Continue the forward pass from x^(l) = v (start="x") or from s^(l) = v (start="s")."""
    f = layers.ACTIVATIONS[activation][0]
    h = f(v) if start == "s" else v
    for W, b in zip(Ws[l:], bs[l:]):
        h = f(W @ h + b)
    return h


def backprop_indexwise(x, y, Ws, bs, activation="tanh"):
    """The slides' scalar equations, index by index, for one sample x (D,) and l = ||x^(L) - y||^2.

    dl/dx_i^(L) = (nabla_1 l)_i; dl/ds_i^(l) = dl/dx_i^(l) sigma'(s_i^(l));
    dl/dw_ij^(l) = dl/ds_i^(l) x_j^(l-1); dl/db_i^(l) = dl/ds_i^(l);
    dl/dx_j^(l-1) = sum_i w_ij^(l) dl/ds_i^(l).
    Returns {"W": [...], "b": [...], "s": [dl/ds^(1..L)], "x": [dl/dx^(0..L)]}.
    """
    x, y, cache = _check_sample(x, y, Ws, bs, activation)
    xs, ss, Ws = cache["x"], cache["s"], cache["Ws"]
    dsigma = layers.ACTIVATIONS[activation][1]
    L = len(Ws)
    dx = [None] * (L + 1)
    ds, dW, db = [None] * L, [None] * L, [None] * L
    grad1 = 2 * (xs[L] - y)  # nabla_1 l for l = ||x^(L) - y||^2
    dx[L] = np.array([grad1[i] for i in range(grad1.size)])
    for l in range(L, 0, -1):
        W = Ws[l - 1]
        H, D = W.shape
        sp = dsigma(ss[l - 1])
        ds[l - 1] = np.array([dx[l][i] * sp[i] for i in range(H)])
        dW[l - 1] = np.array([[ds[l - 1][i] * xs[l - 1][j] for j in range(D)] for i in range(H)])
        db[l - 1] = np.array([ds[l - 1][i] for i in range(H)])
        dx[l - 1] = np.array([sum(W[i, j] * ds[l - 1][i] for i in range(H)) for j in range(D)])
    cast = lambda a: np.asarray(a, dtype=x.dtype)  # noqa: E731
    return {"W": [cast(a) for a in dW], "b": [cast(a) for a in db], "s": [cast(a) for a in ds],
            "x": [cast(a) for a in dx]}


def backprop_tensor(x, y, Ws, bs, activation="tanh"):
    """The backward-pass slide in tensor form, for one sample x (D,) and l = ||x^(L) - y||^2.

    [dl/dx^(L)] = nabla_1 l(x^(L)); if l < L, [dl/dx^(l)] = (w^(l+1))^T [dl/ds^(l+1)];
    [dl/ds^(l)] = [dl/dx^(l)] * sigma'(s^(l)); [[dl/dw^(l)]] = [dl/ds^(l)] (x^(l-1))^T;
    [dl/db^(l)] = [dl/ds^(l)].  Returns {"W", "b", "s", "x": [dl/dx^(1..L)]}.
    """
    return _backprop_tensor(x, y, Ws, bs, activation, output="gradient")


def _backprop_tensor(x, y, Ws, bs, activation, output="gradient"):
    x, y, cache = _check_sample(x, y, Ws, bs, activation)
    xs, ss, Ws = cache["x"], cache["s"], cache["Ws"]
    dsigma = layers.ACTIVATIONS[activation][1]
    L = len(Ws)
    dx, ds, dW, db = [None] * L, [None] * L, [None] * L, [None] * L
    for l in range(L, 0, -1):
        if l == L:
            # as written the slide prints nabla_1 l'(x^(L)); read elementwise it is d^2 l / dx_i^2 = 2
            dx[L - 1] = 2 * (xs[L] - y) if output == "gradient" else np.full_like(xs[L], 2.0)
        else:
            dx[l - 1] = Ws[l].T @ ds[l]
        ds[l - 1] = dx[l - 1] * dsigma(ss[l - 1])
        dW[l - 1] = np.outer(ds[l - 1], xs[l - 1])
        db[l - 1] = ds[l - 1]
    return {"W": dW, "b": db, "s": ds, "x": dx}


def _reference_backprop(x, y, Ws, bs, activation):
    """mlp_ref.mlp_forward / mlp_backward with sigma at every layer, for one sample or a batch."""
    out, cache = layers.mlp_forward(x, Ws, bs, activation, activation)
    return out, layers.mlp_backward(2 * (out - y), cache)


# ---------------------------------------------------------------------- ops (fn "ee559_mlp")
OP_SIZES = (3, 4, 3, 2)
OP_ACTIVATION = "tanh"


def _unpack(kw, sizes):
    L = len(sizes) - 1
    return [kw[f"W{l}"] for l in range(1, L + 1)], [kw[f"b{l}"] for l in range(1, L + 1)]


def _batch_loss(x, y, sizes=OP_SIZES, activation=OP_ACTIVATION, **kw):
    """sum_n ||x^(L)(x_n) - y_n||^2 with sigma at every layer (003: L = sum_n l(f(x_n; w, b), y_n))."""
    Ws, bs = _unpack(kw, sizes)
    out, _ = layers.mlp_forward(x, Ws, bs, activation, activation)
    return np.asarray(np.sum((out - y) ** 2), dtype=out.dtype)


def _per_sample_vjp(backward):
    def vjp(g, x, y, sizes=OP_SIZES, activation=OP_ACTIVATION, **kw):
        Ws, bs = _unpack(kw, sizes)
        g = np.asarray(g, dtype=np.asarray(x).dtype)
        out = {}
        for n in range(x.shape[0]):
            grads = backward(x[n], y[n], Ws, bs, activation)
            for l in range(1, len(Ws) + 1):
                out[f"W{l}"] = out.get(f"W{l}", 0) + grads["W"][l - 1]
                out[f"b{l}"] = out.get(f"b{l}", 0) + grads["b"][l - 1]
        return {k: (g * v).astype(x.dtype) for k, v in out.items()}
    return vjp


def _reference_vjp(g, x, y, sizes=OP_SIZES, activation=OP_ACTIVATION, **kw):
    Ws, bs = _unpack(kw, sizes)
    out, cache = layers.mlp_forward(x, Ws, bs, activation, activation)
    grads = layers.mlp_backward(2 * (out - y) * np.asarray(g, dtype=out.dtype), cache)
    res = {f"W{l}": grads["W"][l - 1] for l in range(1, len(Ws) + 1)}
    res.update({f"b{l}": grads["b"][l - 1] for l in range(1, len(Ws) + 1)})
    return res


def _mlp_args(sizes):
    L = len(sizes) - 1
    args = {"x": Arg(("N", "d0"), differentiable=False), "y": Arg(("N", f"d{L}"), low=-1, high=1,
                                                                  differentiable=False)}
    for l in range(1, L + 1):
        args[f"W{l}"] = Arg((f"d{l}", f"d{l-1}"), low=-1, high=1)
        args[f"b{l}"] = Arg((f"d{l}",), low=-0.5, high=0.5)
    return args


def _mlp_op(name, vjp, note):
    return register_op(Op(
        name=name, fn="ee559_mlp", forward=_batch_loss, vjp=vjp, args=_mlp_args(OP_SIZES),
        params={"sizes": OP_SIZES, "activation": OP_ACTIVATION},
        dims={"N": 3, **{f"d{i}": s for i, s in enumerate(OP_SIZES)}}, note=note))


EE559_MLP = _mlp_op("ee559-mlp", _reference_vjp,
                    "the slides' MLP (sigma at every layer) with squared error; backward = mlp_ref.mlp_backward")
BP_INDEXWISE = _mlp_op("ee559-bp-indexwise", _per_sample_vjp(backprop_indexwise),
                       "backward by the slides' scalar (index) equations, summed over samples")
BP_TENSOR = _mlp_op("ee559-bp-tensor", _per_sample_vjp(backprop_tensor),
                    "backward by the backward-pass slide's tensor forms, summed over samples")
BP_OUTPUT_AS_WRITTEN = _mlp_op(
    "ee559-bp-output-as-written",
    _per_sample_vjp(lambda *a: _backprop_tensor(*a, output="prime")),
    "the backward-pass slide's nabla_1 l'(x^(L)) read as d^2 l/dx_i^2 (= 2 for squared error)")


# ================================================================ affine activations (collapse)
def affine_collapse(Ws, bs, alpha, beta):
    """A^(L), B^(L) with f(x) = A^(L) x + B^(L) for sigma(x) = alpha x + beta 1  (003, l = 1..L).

    A^(0) = I, B^(0) = 0; A^(l) = alpha w^(l) A^(l-1); B^(l) = alpha w^(l) B^(l-1) + alpha b^(l) + beta 1.
    Ws: w^(1..L), each (d_l, d_(l-1)); bs: b^(1..L). Returns (A (d_L, d_0), B (d_L,)).
    """
    A, B = _collapse(Ws, bs, alpha, beta, last=None)
    return A[-1], B[-1]


def _collapse(Ws, bs, alpha, beta, last=None):
    """The recursion for l = 1..last (last = L when None); returns the lists A^(0..last), B^(0..last)."""
    alpha, beta = check_real("alpha", alpha), check_real("beta", beta)
    Ws, bs = _check_layers(Ws, bs)
    last = len(Ws) if last is None else last
    A, B = [np.eye(Ws[0].shape[1], dtype=Ws[0].dtype)], [np.zeros(Ws[0].shape[1], dtype=Ws[0].dtype)]
    for l in range(1, last + 1):
        w, b = Ws[l - 1], bs[l - 1]
        A.append(alpha * w @ A[-1])
        B.append(alpha * w @ B[-1] + alpha * b + beta * np.ones_like(b))
    return A, B


def _check_layers(Ws, bs):
    """w^(1..L) as 2-D arrays whose widths chain, b^(1..L) of matching sizes, one float dtype."""
    if not isinstance(Ws, (list, tuple)) or not Ws:
        raise ValueError("Ws: expected a non-empty list of weight matrices w^(1..L)")
    if not isinstance(bs, (list, tuple)) or len(bs) != len(Ws):
        raise ValueError(f"bs: expected a list of {len(Ws)} bias vectors b^(1..L), one per layer")
    Ws = [as_float(f"Ws[{i}]", W, ndim=2) for i, W in enumerate(Ws)]
    bs = [as_float(f"bs[{i}]", b, ndim=1) for i, b in enumerate(bs)]
    for i, (W, b) in enumerate(zip(Ws, bs)):
        if i and W.shape[1] != Ws[i - 1].shape[0]:
            raise ValueError(f"Ws[{i}]: expected {Ws[i - 1].shape[0]} columns to match the previous layer, "
                             f"got shape {W.shape}")
        if b.shape != (W.shape[0],):
            raise ValueError(f"bs[{i}]: expected shape ({W.shape[0]},), got {b.shape}")
    same_dtype(**{f"Ws[{i}]": W for i, W in enumerate(Ws)}, **{f"bs[{i}]": b for i, b in enumerate(bs)})
    return Ws, bs


def _affine_net(x, Ws, bs, alpha, beta):
    """x^(l) = sigma(w^(l) x^(l-1) + b^(l)) with sigma(v) = alpha v + beta 1, one column at a time."""
    h = x
    for W, b in zip(Ws, bs):
        s = W @ h + b
        h = alpha * s + beta * np.ones_like(s)
    return h


def _random_net(sizes, rng, scale=1.0):
    Ws = [rng.normal(size=(sizes[l], sizes[l - 1])) * scale / math.sqrt(sizes[l - 1]) for l in range(1, len(sizes))]
    bs = [rng.normal(size=sizes[l]) * 0.5 for l in range(1, len(sizes))]
    return Ws, bs


# ===================================================================== universal approximation
_TARGETS = {"sin": (np.sin, -math.pi, math.pi), "cos": (np.cos, -math.pi, math.pi),
            "gaussian": (lambda t: np.exp(-t ** 2), -3.0, 3.0)}


def _least_squares(H, t):
    """argmin_omega ||H omega - t||^2 by the normal equations, H^T H omega = H^T t.

    A rank-deficient H (a polynomial sigma) gets the ridge 1e-12 lambda_max(H^T H), which moves its fit
    by ~1e-12. This avoids LAPACK's SVD solver on the tall H, whose threads stall on a shared machine;
    tests/test_doc_d003.py checks the fits against np.linalg.lstsq.
    """
    # einsum stays on one thread: for Gram matrices this small, BLAS threads cost more than they save
    G = np.einsum("pi,pj->ij", H, H)
    ev = np.linalg.eigvalsh(G)
    if ev[0] <= 1e-13 * ev[-1]:
        G = G + 1e-12 * ev[-1] * np.eye(len(G))
    return np.linalg.solve(G, np.einsum("pi,p->i", H, t))


def _relu_hidden(x, K, a, c):
    """K ReLU units on [a, c]: one constant unit sigma(0 x + 1) = 1, then sigma(x - t_k), knots from a."""
    w = np.r_[0.0, np.ones(K - 1)]
    b = np.r_[1.0, -(a + (c - a) * np.arange(K - 1) / max(K - 1, 1))]
    return act.relu(np.outer(x, w) + b), w, b


def universal_approximation_demo(Ks=(1, 2, 4, 8, 16, 32, 64), target="sin"):
    """Fits x -> omega . sigma(w x + b) with K ReLU units (003 "Universal approximation") to a target.

    The hidden layer is fixed (a constant unit and units sigma(x - t_k) with uniform knots t_k);
    omega is the least-squares fit on the grid. Targets: "sin" and "cos" on [-pi, pi], "gaussian"
    e^{-x^2} on [-3, 3]. Returns {"x", "target", "fits": {K: values}, "errors": {K: max |fit - target|}}.
    """
    if target not in _TARGETS:
        raise ValueError(f"target: expected one of {sorted(_TARGETS)}, got {target!r}")
    if isinstance(Ks, (str, bytes)) or not hasattr(Ks, "__iter__"):
        raise ValueError(f"Ks: expected a sequence of hidden-layer sizes K >= 1, got {Ks!r}")
    Ks = tuple(_check_int("Ks", K, low=1) for K in Ks)
    if not Ks:
        raise ValueError("Ks: expected at least one hidden-layer size")
    x, t, fits, errors = _ua_fits(Ks, target)
    return {"x": x.tolist(), "target": t.tolist(), "fits": {K: v.tolist() for K, v in fits.items()},
            "errors": dict(errors)}


@functools.lru_cache(maxsize=None)
def _ua_fits(Ks, target):
    """The least-squares fits of universal_approximation_demo: (x, target, {K: fit}, {K: max error})."""
    f, a, c = _TARGETS[target]
    x = np.linspace(a, c, 401)
    t = f(x)
    fits, errors = {}, {}
    for K in Ks:
        Hid, _, _ = _relu_hidden(x, K, a, c)
        omega = _least_squares(Hid, t)
        fits[K] = Hid @ omega
        errors[K] = float(np.max(np.abs(fits[K] - t)))
    return x, t, fits, errors


def sin_relu_approximation(A, eps):
    """(alpha_n, a_n) with max_{|x| <= A} |sin x - sum_n alpha_n ReLU(x - a_n)| <= eps  (003 sin step).

    Piecewise-linear interpolation of sin on a uniform grid of [-A, A] (the interpolation bound
    h^2/8 picks the grid); the constant sin(-A) comes from two units with knots left of -A.
    Returns {"alpha": (N,), "a": (N,), "max_error": measured on a grid of 16 points per piece}.
    """
    A, eps = check_positive("A", A), check_positive("eps", eps)
    pieces = max(1, math.ceil(2 * A / math.sqrt(8 * eps)))
    while True:
        t = np.linspace(-A, A, pieces + 1)
        m = np.diff(np.sin(t)) / np.diff(t)
        c0 = math.sin(-A)
        a = np.r_[-A - 2.0, -A - 1.0, t[:-1]]
        alpha = np.r_[c0, -c0, m[0], np.diff(m)]
        x = np.linspace(-A, A, 16 * pieces + 1)
        err = float(np.max(np.abs(np.sin(x) - relu_sum(x, alpha, a))))
        if err <= eps:
            return {"alpha": alpha, "a": a, "max_error": err}
        pieces *= 2  # pragma: no cover - the interpolation bound already guarantees err <= eps


def relu_sum(x, alpha, a):
    """sum_n alpha_n ReLU(x - a_n) at the points x (any shape); alpha, a (N,)."""
    x = as_float("x", x)
    alpha, a = as_float("alpha", alpha, ndim=1), as_float("a", a, ndim=1)
    if alpha.shape != a.shape:
        raise ValueError(f"a: expected shape {alpha.shape} to match alpha, got {a.shape}")
    return _relu_(x[..., None] - a) @ alpha


def _relu_(v):
    """max(0, v) in place on a fresh array (the large unit grids here need no copy)."""
    return np.maximum(v, 0, out=v)


def _psi(X):
    """The continuous target on [0, 1]^2 used for the Fourier and error-budget checks."""
    return np.exp(-2 * ((X[:, 0] - 0.3) ** 2 + (X[:, 1] - 0.6) ** 2)) + 0.5 * X[:, 0] * X[:, 1]


_GRID = np.array(list(itertools.product(np.linspace(0, 1, 41), repeat=2)))
_VERTICES = np.array(list(itertools.product((0.0, 1.0), repeat=2)))


@functools.lru_cache(maxsize=None)
def _fourier_fit(F):
    """Least-squares sum_m gamma_m sin(v_m . x + c_m) with v_m in pi Z^2, |v|_inf <= pi F, c in {0, pi/2}."""
    V, C = [], []
    for k in itertools.product(range(-F, F + 1), repeat=2):
        if k < (0, 0):
            continue
        for c in ((math.pi / 2,) if k == (0, 0) else (0.0, math.pi / 2)):
            V.append(math.pi * np.array(k, dtype=float))
            C.append(c)
    V, C = np.array(V), np.array(C)
    Phi = np.sin(_GRID @ V.T + C)
    gamma = _least_squares(Phi, _psi(_GRID))
    return V, C, gamma, float(np.max(np.abs(Phi @ gamma - _psi(_GRID))))


def _fourier_within(delta):
    for F in range(0, 8):
        V, C, gamma, err = _fourier_fit(F)
        if err <= delta:
            return V, C, gamma, err
    raise ValueError(f"delta: no Fourier fit with |v| <= 7 pi reaches {delta}")  # pragma: no cover


@functools.lru_cache(maxsize=None)
def _ua_construction(xi):
    """The slides' composition for psi on [0,1]^2 with budget xi: delta = xi/2, A, eps = xi/(2 sum|gamma|)."""
    V, C, gamma, fourier_err = _fourier_within(xi / 2)
    A = float(np.max(np.abs(_VERTICES @ V.T + C)))
    eps = xi / (2 * np.sum(np.abs(gamma)))
    sa = sin_relu_approximation(A, eps)
    alpha, a = sa["alpha"], sa["a"]
    M, N = len(C), len(a)
    arg = _GRID @ V.T + C  # (P, M): v_m . x + c_m
    inner = relu_sum(arg, alpha, a)  # (P, M): sum_n alpha_n sigma(v_m . x + c_m - a_n)
    sin_err = np.abs(np.sin(arg) - inner)
    double_sum = inner @ gamma
    # one hidden layer: unit (m, n) has weights v_m, bias c_m - a_n, output weight gamma_m alpha_n
    w = np.repeat(V, N, axis=0)
    b = (C[:, None] - a[None, :]).ravel()
    omega = (gamma[:, None] * alpha[None, :]).ravel()
    net = _relu_(_GRID @ w.T + b) @ omega
    return {"M": M, "N": N, "K": M * N, "A": A, "eps": float(eps), "sum_abs_gamma": float(np.sum(np.abs(gamma))),
            "fourier_err": fourier_err, "sin_err": float(sin_err.max()),
            "weighted_sin_err": float((sin_err @ np.abs(gamma)).max()),
            "double_sum": double_sum, "net": net, "w": w, "b": b, "omega": omega,
            "total_err": float(np.max(np.abs(_psi(_GRID) - net)))}


# ===================================================================== logistic regression, GD
def _check_logistic(x, y, w, b):
    """The logistic loss's checks (mlp_ref.losses), with b allowed to be a plain number (the slides' b = 0)."""
    x = as_float("x", x, ndim=2)
    b = as_float("b", b, ndim=0).astype(x.dtype)
    w, b, x, y = losses._check_logistic(w, b, x, y)
    return x, y, w, b


def logistic_gradient(x, y, w, b):
    """The slides' `gradient(x, y, w, b)` in NumPy: u = y sigma(-(x w + b) y); v = x u; (-sum_n v, -sum u).

    x (N, D), y (N,) in {-1, 1}, w (D,), b a scalar. Returns (dL/dw (D,), dL/db scalar).
    """
    x, y, w, b = _check_logistic(x, y, w, b)
    return _gradient(x, y, w, b)


def _sigmoid(t):
    # (1 + tanh(t/2))/2 = 1/(1 + e^{-t}) without overflow for large |t|
    return 0.5 + 0.5 * np.tanh(0.5 * t)


def _gradient(x, y, w, b):
    """The body of the slides' gradient on checked arrays."""
    u = y * _sigmoid(-(x @ w + b) * y)
    v = x * u.reshape(-1, 1)  # broadcasting, as u.view(-1, 1) in the torch code
    return -v.sum(0), -u.sum()


def logistic_descent(x, y, w, b=0.0, eta=0.1, iterations=1000):
    """The slides' loop: w <- w - eta dw, b <- b - eta db with (dw, db) = gradient(x, y, w, b).

    Returns (w, b, losses) with losses[k] = L(w, b) after k iterations, k = 0..iterations.
    """
    x, y, w, b = _check_logistic(x, y, w, b)
    eta = check_positive("eta", eta)
    iterations = _check_int("iterations", iterations)
    ws, bs, L = _descent(x, y, w, b, eta, iterations)
    return ws[-1].astype(x.dtype), np.asarray(bs[-1], dtype=x.dtype), L.tolist()


def _descent(x, y, w, b, eta, iterations):
    """The loop on checked inputs: the iterates w_k (K+1, D), b_k (K+1,) and the losses L(w_k, b_k).

    theta = (w, b) and the rows a_n = y_n (x_n, 1): the slides' (dw, db) is -sum_n a_n sigma(-a_n . theta),
    so one step is theta + eta A^T sigma(-A theta).
    """
    A = y[:, None] * np.c_[x, np.ones_like(y)]
    thetas = np.empty((iterations + 1, A.shape[1]))
    theta = np.r_[w, b].astype(np.float64)
    last = iterations
    for k in range(iterations + 1):
        thetas[k] = theta
        if k == iterations:
            break
        step = eta * (A.T @ _sigmoid(-(A @ theta)))
        if not np.any(theta + step != theta):
            # a fixed point of the floating-point update: every later iterate is this one, exactly
            thetas[k + 1:], last = theta, k
            break
        theta = theta + step
    # -log sigma(m) = log(1 + e^{-m}) = logaddexp(0, -m), for the distinct iterates at once
    L = np.empty(iterations + 1)
    L[:last + 1] = np.logaddexp(0, -(A @ thetas[:last + 1].T)).sum(axis=0)
    L[last + 1:] = L[last]
    return thetas[:, :-1], thetas[:, -1], L


def _logistic_data(n=100, seed=3):
    """Two Gaussian clouds in the plane, labels in {-1, 1} (a stand-in for the slides' 100 points)."""
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    x = rng.normal(size=(n, 2)) * 0.5 + np.outer(y, [0.5, 0.5])
    return x, y, rng.normal(size=2)


# the figures' longest run: n = 10^4 iterations of the slides' loop
GD_ITERATIONS = 10_000


@functools.lru_cache(maxsize=None)
def _synthetic_descent(points, eta):
    """The slides' loop on `points` synthetic points, b = 0, GD_ITERATIONS steps: (x, y, ws, bs, losses)."""
    x, y, w = _logistic_data(points)
    return (x, y, *_descent(x, y, w, 0.0, eta, GD_ITERATIONS))


def _logistic_grad_formula(w, b, x, y, reduction="sum", g=1.0):
    """dL/db = -sum_n u_n, dL/dw_d = -sum_n v_{n,d}; u_n = y_n sigma(-y_n(w.x_n + b)), v_{n,d} = x_{n,d} u_n."""
    if reduction != "sum":
        raise ValueError(f"reduction: the slides' gradient is for the summed loss, got {reduction!r}")
    N, D = x.shape
    z = np.array([-y[n] * (w @ x[n] + b) for n in range(N)])
    u = y * act.sigmoid(z)
    v = np.array([[x[n, d] * u[n] for d in range(D)] for n in range(N)]).reshape(N, D)
    g = np.asarray(g, dtype=x.dtype)
    return {"w": (g * -v.sum(axis=0)).astype(x.dtype), "b": np.asarray(g * -u.sum(), dtype=x.dtype)}


LOGISTIC_GRAD = register_op(Op(
    name="ee559-logistic-grad", fn="logistic_loss",
    forward=lambda w, b, x, y, **k: losses.logistic_loss(w, b, x, y, **k),
    vjp=lambda g, w, b, x, y, **k: _logistic_grad_formula(w, b, x, y, g=g, **k),
    args={"w": Arg(("D",)), "b": Arg(()), "x": Arg(("N", "D"), differentiable=False),
          "y": Arg(("N",), kind="sign")},
    params={"reduction": "sum"}, analytic=False,
    note="the slides' u_n, v_{n,d} transcription of dL/db and dL/dw_d"))


# ---------------------------------------------------------------------- local quadratic model
def quadratic_model(w, w0, gL0, L0, n):
    """L~_{w0}(w) = L(w0) + nabla L(w0)^T (w - w0) + ||w - w0||^2 / (2 n), as printed (003).

    w, w0, gL0 = nabla L(w0): (D,); L0 = L(w0) a scalar; n > 0 (the slides' n, meant to be eta).
    """
    w, w0, gL0, L0, n = _check_quadratic(w, w0, gL0, L0, n)
    d = w - w0
    return np.asarray(L0 + gL0 @ d + d @ d / (2 * n), dtype=w.dtype)


def quadratic_model_grad(w, w0, gL0, L0, n):
    """nabla L~_{w0}(w) = nabla L(w0) + (w - w0) / n, as printed (003)."""
    w, w0, gL0, L0, n = _check_quadratic(w, w0, gL0, L0, n)
    return gL0 + (w - w0) / n


def _check_quadratic(w, w0, gL0, L0, n):
    w = as_float("w", w, ndim=1)
    w0 = as_float("w0", w0, ndim=1)
    gL0 = as_float("gL0", gL0, ndim=1)
    L0 = as_float("L0", L0, ndim=0)
    for name, v in (("w0", w0), ("gL0", gL0)):
        if v.shape != w.shape:
            raise ValueError(f"{name}: expected shape {w.shape} to match w, got {v.shape}")
    same_dtype(w=w, w0=w0, gL0=gL0)
    return w, w0, gL0, L0.astype(w.dtype), check_positive("n", n)


QUADRATIC = register_op(Op(
    name="ee559-quadratic-model", fn="ee559_quadratic_model",
    forward=lambda w, w0, gL0, L0, n: quadratic_model(w, w0, gL0, L0, n),
    vjp=lambda g, w, w0, gL0, L0, n: {"w": np.asarray(g, dtype=w.dtype) * quadratic_model_grad(w, w0, gL0, L0, n)},
    args={"w": Arg(("D",)), "w0": Arg(("D",), differentiable=False), "gL0": Arg(("D",), differentiable=False),
          "L0": Arg((), differentiable=False)},
    params={"n": 10.0}, note="the printed gradient nabla L(w0) + (w - w0)/n as the VJP"))


# ---------------------------------------------------------------------------- chain rule ops
def _chain_f(z):
    return z ** 3 - 2 * z


def _chain_df(z):
    return 3 * z ** 2 - 2


CHAIN = register_op(Op(
    name="ee559-chain-rule", fn="ee559_chain", forward=lambda z: np.sin(_chain_f(as_float("z", z))),
    vjp=lambda g, z: {"z": g * np.cos(_chain_f(z)) * _chain_df(z)},  # (g' o f) f' with g = sin
    args={"z": Arg(("N", "D"), low=-2, high=2)}, note="g = sin, f(z) = z^3 - 2 z"))


def _f1(x):
    return np.array([x[0] * x[1], np.sin(x[2]), x[0] + x[2] ** 2])


def _J1(x):
    return np.array([[x[1], x[0], 0.0], [0.0, 0.0, np.cos(x[2])], [1.0, 0.0, 2 * x[2]]])


def _f2(u):
    return np.array([np.tanh(u[0] + u[1]), u[1] * u[2], u[0] - u[2] ** 2])


def _J2(u):
    d = 1 - np.tanh(u[0] + u[1]) ** 2
    return np.array([[d, d, 0.0], [0.0, u[2], u[1]], [1.0, 0.0, -2 * u[2]]])


def _f3(v):
    return np.array([v[0] * v[1], np.cos(v[2]), v[0] + v[1] + v[2]])


def _J3(v):
    return np.array([[v[1], v[0], 0.0], [0.0, 0.0, -np.sin(v[2])], [1.0, 1.0, 1.0]])


def _composition_jacobians(x):
    """[J_{f1}(x), J_{f2}(f1(x)), J_{f3}(f2(f1(x)))] for one point x (3,)."""
    u = _f1(x)
    return [_J1(x), _J2(u), _J3(_f2(u))]


def _composition(x):
    x = as_float("x", x, ndim=2)
    return np.array([_f3(_f2(_f1(row))) for row in x]).reshape(x.shape).astype(x.dtype)


def _composition_vjp():
    def vjp(g, x):
        rows = []
        for gn, xn in zip(g, x):
            J1, J2, J3 = _composition_jacobians(xn)
            rows.append(gn @ (J3 @ J2 @ J1))
        return {"x": np.array(rows, dtype=x.dtype).reshape(x.shape)}
    return vjp


COMPOSITION = register_op(Op(
    name="ee559-jacobian-product", fn="ee559_composition", forward=_composition,
    vjp=_composition_vjp(), args={"x": Arg(("N", 3), low=-1.5, high=1.5)},
    note="prod_{n=1}^N J_{f_n} in the order of composition: J_{f3} J_{f2} J_{f1}"))


# ------------------------------------------------------------------------------- small ops
def _tanh_form(z):
    """x -> 2 / (1 + e^{-2x}) - 1, as printed."""
    z = as_float("z", z)
    return 2 / (1 + np.exp(-2 * z)) - 1


def _tanh_form_grad(z):
    e = np.exp(-2 * z)
    return 4 * e / (1 + e) ** 2


TANH_FORM = register_op(Op(
    name="ee559-tanh", fn="tanh", forward=_tanh_form, vjp=lambda g, z: {"z": g * _tanh_form_grad(z)},
    args={"z": Arg(("N", "D"), low=-4, high=4)}, note="2/(1 + e^{-2x}) - 1 and its hand derivative"))


def _mse_as_written(yhat, y, reduction="mean"):
    """(1/N) sum_n l(f(x_n) - y_n)^2 read with l(r) = ||r||^2: the mean of ||r_n||^4."""
    yhat, y = as_float("yhat", yhat, ndim=2), as_float("y", y, ndim=2)
    return np.mean(np.sum((yhat - y) ** 2, axis=1) ** 2)


def _mse_as_written_vjp(g, yhat, y, reduction="mean"):
    r = yhat - y
    sq = np.sum(r ** 2, axis=1, keepdims=True)
    return {"yhat": np.asarray(g, dtype=r.dtype) * 4 * sq * r / r.shape[0]}


MSE_AS_WRITTEN = register_op(Op(
    name="ee559-mse-as-written", fn="mse", forward=_mse_as_written, vjp=_mse_as_written_vjp,
    args={"yhat": Arg(("N", "K")), "y": Arg(("N", "K"), differentiable=False)},
    params={"reduction": "mean"}, note="the stray l inside the MSE read as l(r) = ||r||^2"))


# ===================================================================== cost of the two passes
class _Counter:
    """Counts scalar multiplications and additions of the operations as they run."""

    def __init__(self):
        self.mul = {"linear": 0, "elementwise": 0}
        self.add = 0

    def matvec(self, W, v):  # W v
        out = W @ v
        self.mul["linear"] += W.shape[0] * W.shape[1]
        self.add += W.shape[0] * (W.shape[1] - 1)
        return out

    def matTvec(self, W, v):  # W^T v
        out = W.T @ v
        self.mul["linear"] += W.shape[0] * W.shape[1]
        self.add += W.shape[1] * (W.shape[0] - 1)
        return out

    def outer(self, a, b):
        out = np.outer(a, b)
        self.mul["linear"] += out.size
        return out

    def times(self, a, b):
        out = a * b
        self.mul["elementwise"] += np.size(out)
        return out

    def plus(self, a, b):
        out = a + b
        self.add += np.size(out)
        return out

    @property
    def multiply_adds(self):
        return sum(self.mul.values())


@functools.lru_cache(maxsize=None)
def _counted_passes(sizes, activation="tanh", seed=0):
    """Forward and backward (the slides' recursions) of one sample through a random net, counted.

    The backward pass computes dl/dx^(l) for l = L-1, ..., 0; "dx0" is what dl/dx^(0) alone costs.
    """
    rng = np.random.default_rng(seed)
    Ws, bs = _random_net(sizes, rng)
    x, y = rng.normal(size=sizes[0]), rng.normal(size=sizes[-1])
    f, df = layers.ACTIVATIONS[activation]
    fwd, bwd = _Counter(), _Counter()
    xs, ss = [x], []
    for W, b in zip(Ws, bs):
        ss.append(fwd.plus(fwd.matvec(W, xs[-1]), b))
        xs.append(f(ss[-1]))
    r = fwd.plus(xs[-1], -y)
    loss = fwd.times(r, r).sum()
    L = len(Ws)
    dWs, dbs = [None] * L, [None] * L
    dx = bwd.times(2.0, bwd.plus(xs[-1], -y))  # nabla_1 l
    per_layer = []
    for l in range(L, 0, -1):
        before = bwd.multiply_adds
        ds = bwd.times(dx, df(ss[l - 1]))
        dWs[l - 1] = bwd.outer(ds, xs[l - 1])
        dbs[l - 1] = ds
        before_dx = bwd.multiply_adds
        dx = bwd.matTvec(Ws[l - 1], ds)
        dx0 = bwd.multiply_adds - before_dx  # the last one is dl/dx^(0)'s
        per_layer.append(bwd.multiply_adds - before)
    ref = _reference_backprop(x, y, Ws, bs, activation)[1]
    return {"forward": fwd, "backward": bwd, "dx0": dx0, "loss": float(loss), "dW": dWs, "db": dbs, "ref": ref,
            "per_layer_backward": per_layer[::-1],
            "per_layer_forward": [W.size for W in Ws]}


def count_multiply_adds(sizes, input_grad=False):
    """Multiply-adds of one forward and one backward pass of an MLP with layer widths `sizes`.

    Counted while the passes run (003's forward/backward recursions, one sample, squared error).
    input_grad=True also computes dl/dx^(0): the summary slide's l = 1..L does, the backward-pass slide's
    "if l < L" (l >= 1) does not.
    Returns {"forward": int, "backward": int, "ratio": backward / forward}.
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise ValueError(f"sizes: expected layer widths (d_0, ..., d_L), got {sizes!r}")
    sizes = tuple(_check_int("sizes", s, low=1) for s in sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes: expected at least two layer widths, got {sizes}")
    if not isinstance(input_grad, bool):
        raise ValueError(f"input_grad: expected True or False, got {input_grad!r}")
    res = _counted_passes(sizes)
    fwd, bwd = res["forward"].multiply_adds, res["backward"].multiply_adds - (0 if input_grad else res["dx0"])
    return {"forward": fwd, "backward": bwd, "ratio": bwd / fwd}


# ================================================================================== entries
def _fd_grad(f, v):
    return numerical_gradient(f, np.array(v, dtype=np.float64), eps=FD_EPS, method="central")


def _sample_net(seed=0, sizes=(3, 5, 4, 2)):
    rng = np.random.default_rng(seed)
    Ws, bs = _random_net(sizes, rng, scale=1.5)
    return rng.normal(size=sizes[0]), rng.uniform(-1, 1, size=sizes[-1]), Ws, bs


# ------------------------------------------------------------------ Combining multiple layers
@entry(id="ee559-mlp-recursion", source=SRC, location="Combining multiple layers", kind="definition",
       statement=r"x^{(0)} = x, \forall l = 1, ..., L, x^{(l)} = \sigma(w^{(l)} x^{(l-1)} + b^{(l)}), "
                 r"and f(x; w, b) = x^{(L)}. Such a model is a Multi-Layer Perceptron (MLP).",
       op=EE559_MLP)
def _(r):
    rng = np.random.default_rng(1)
    sizes = (3, 5, 4, 2)
    for activation in SIGMAS:
        Ws, bs = _random_net(sizes, rng, scale=1.5)
        X = rng.normal(size=(6, 3))
        f = layers.ACTIVATIONS[activation][0]
        cols = []
        for x in X:  # the slide's recursion, one column vector at a time
            h = x
            for W, b in zip(Ws, bs):
                h = f(W @ h + b)
            cols.append(h)
        r.close(f"sigma = {activation}", np.array(cols), layers.mlp_forward(X, Ws, bs, activation, activation)[0],
                what=f"the recursion with sigma = {activation} on 6 samples vs mlp_ref.mlp_forward "
                     "(sigma at every layer)")


@entry(id="ee559-affine-layer", source=SRC, location="Combining multiple layers (affine σ)", kind="formula",
       statement=r"if \sigma(x) = \alpha x + \beta \mathbb{I} (\alpha, \beta \in R), then \forall l = 1, ..., L, "
                 r"x^{(l)} = \alpha w^{(l)} x^{(l-1)} + \alpha b^{(l)} + \beta \mathbb{I}")
def _(r):
    rng = np.random.default_rng(2)
    Ws, bs = _random_net((3, 4, 5, 2), rng)
    alpha, beta = 0.7, -0.4
    h = rng.normal(size=3)
    got, want = [], []
    for W, b in zip(Ws, bs):
        s = W @ h + b
        got.append(alpha * W @ h + alpha * b + beta * np.ones_like(b))
        h = alpha * s + beta * np.ones_like(s)  # sigma(s)
        want.append(h)
    r.close("layer by layer", np.concatenate(got), np.concatenate(want),
            what="alpha w x^(l-1) + alpha b + beta 1 vs sigma(w x^(l-1) + b), l = 1..3, alpha = 0.7, beta = -0.4")
    r.value("notation", "the slide's \\mathbb{I} is the all-ones vector here and the identity matrix in A^(0) = I")
    u, v = rng.normal(size=4), rng.normal(size=4)
    sigma = lambda t: alpha * t + beta * np.ones_like(t)  # noqa: E731
    r.value("'linear' sigma: max |sigma(u + v) - sigma(u) - sigma(v)|",
            np.max(np.abs(sigma(u + v) - sigma(u) - sigma(v))))
    r.value("terminology", "the slide calls sigma(x) = alpha x + beta I 'linear'; it is affine (additive only when "
                           "beta = 0), as torch's nn.Linear names an affine layer")


@entry(id="ee559-affine-collapse", source=SRC, location="Combining multiple layers (affine σ)", kind="formula",
       statement=r"the whole mapping is an affine transform f(x; w, b) = A^{(L)} x + B^{(L)} where A^{(0)} = I, "
                 r"B^{(0)} = 0 and \forall l < L, A^{(l)} = \alpha w^{(l)} A^{(l-1)}, "
                 r"B^{(l)} = \alpha w^{(l)} B^{(l-1)} + \alpha b^{(l)} + \beta \mathbb{I}  (printed with I for l)",
       corrected_statement=r"the recursion must run for l = 1, ..., L (l <= L), not l < L: A^{(L)} and B^{(L)} "
                           r"are the ones f uses")
def _(r):
    rng = np.random.default_rng(3)
    alpha, beta = 1.3, 0.25
    sizes = (4, 6, 3, 5)
    Ws, bs = _random_net(sizes, rng)
    X = rng.normal(size=(5, 4))
    f_true = np.array([_affine_net(x, Ws, bs, alpha, beta) for x in X])
    L = len(Ws)

    def as_written():
        A, B = _collapse(Ws, bs, alpha, beta, last=L - 1)  # forall l < L
        if len(A) <= L:
            raise ValueError(f"A^({L}), B^({L}): the recursion is stated for l < L = {L} only, so it defines "
                             f"A^(0..{L - 1}) and B^(0..{L - 1}) and never the A^(L), B^(L) that f uses")
        return X @ A[L].T + B[L]

    def corrected():
        A, B = affine_collapse(Ws, bs, alpha, beta)
        return X @ A.T + B

    r.close("f = A^(L) x + B^(L), L = 3", as_written, f_true, corrected=corrected,
            what="A^(L) x + B^(L) from the recursion 'for all l < L' vs the network with sigma(v) = 1.3 v + 0.25",
            severity="slip", why="the quantifier's range stops one short (l < L for l <= L): the recursion itself "
            "is right, and f = A^(L) x + B^(L) on the same slide tells the reader to run it up to L")
    for L2, sz in ((1, (3, 2)), (2, (2, 5, 3)), (5, (3, 4, 4, 2, 6, 3))):
        Ws2, bs2 = _random_net(sz, rng)
        X2 = rng.normal(size=(4, sz[0]))
        A, B = affine_collapse(Ws2, bs2, -0.8, 0.5)
        r.close(f"corrected recursion, L = {L2}", X2 @ A.T + B,
                np.array([_affine_net(x, Ws2, bs2, -0.8, 0.5) for x in X2]),
                what=f"A^(L) x + B^(L) with l = 1..L vs the network, L = {L2}, alpha = -0.8, beta = 0.5")


@entry(id="ee559-nonlinearity-needed", source=SRC, location="Combining multiple layers (affine σ)", kind="claim",
       statement="Consequently, the activation function should be non-linear, or the resulting MLP is an affine "
                 "mapping with a peculiar parametrization.")
def _(r):
    rng = np.random.default_rng(4)
    Ws, bs = _random_net((3, 6, 6, 2), rng, scale=2.0)
    x1, x2 = rng.normal(size=3), rng.normal(size=3)
    lam = 0.3
    mix = lambda f: f(lam * x1 + (1 - lam) * x2) - (lam * f(x1) + (1 - lam) * f(x2))  # noqa: E731
    affine = mix(lambda x: _affine_net(x, Ws, bs, 0.9, -0.2))
    r.close("affine sigma: f(l x + (1-l) x') = l f(x) + (1-l) f(x')", affine, np.zeros(2),
            what="with sigma(v) = 0.9 v - 0.2 the MLP preserves affine combinations (lambda = 0.3)")
    gap = float(np.max(np.abs(mix(lambda x: layers.mlp_forward(x, Ws, bs, "tanh", "tanh")[0]))))
    r.value("tanh: max |f(l x + (1-l) x') - (l f(x) + (1-l) f(x'))|", gap)
    r.claim("tanh MLP is not affine", gap > 1e-3,
            f"with sigma = tanh the same combination is off by {gap:.3g}: the map is not affine",
            what="with sigma = tanh the MLP does not preserve affine combinations")


@entry(id="ee559-tanh", source=SRC, location="Combining multiple layers (activations)", kind="formula",
       statement=r"the hyperbolic tangent x \mapsto \frac{2}{1 + e^{-2x}} - 1", op=TANH_FORM)
def _(r):
    z = np.linspace(-6, 6, 241)
    r.close("2/(1+e^{-2x}) - 1 = tanh x", _tanh_form(z), np.tanh(z), what="on 241 points of [-6, 6]")
    r.close("derivative", _tanh_form_grad(z), act.tanh_grad(z),
            what="the hand derivative 4 e^{-2x}/(1 + e^{-2x})^2 vs 1 - tanh^2 x")


@entry(id="ee559-relu", source=SRC, location="Combining multiple layers (activations)", kind="definition",
       statement=r"the rectified linear unit (ReLU) x \mapsto \max(0, x)", op=act.RELU)
def _(r):
    z = np.linspace(-3, 3, 121)
    r.close("max(0, x)", act.relu(z), (z + np.abs(z)) / 2, what="mlp_ref.relu vs (x + |x|)/2 on [-3, 3]")
    eps = 1e-6
    off = np.abs(z) > 1e-3
    fd = (act.relu(z + eps) - act.relu(z - eps)) / (2 * eps)
    r.close("derivative away from 0", act.relu_grad(z)[off], fd[off], what="1(x > 0) vs central differences",
            **FD_TOL)


# ---------------------------------------------------------------------- Universal approximation
@entry(id="ee559-ua-sums", source=SRC, location="Universal approximation", kind="claim",
       statement=r"f(x) = \sigma(w_1 x + b_1) + \sigma(w_2 x + b_2) + \sigma(w_3 x + b_3) + ...  (one term added "
                 r"per build; the figures showing the approximation of a target on an interval are images)",
       reading="the builds show a target approximated better as units are added; the sums are read with the output "
               "weights that the document's own next slides write (alpha_n in the sin step, omega in x -> omega . "
               "sigma(w x + b)), since the figures are images and a sum of ReLU units with unit weights is convex. "
               "Criterion: with K = 1, 2, 4, ..., 64 ReLU units (least-squares output weights) the max error against "
               "sin on [-pi, pi] falls at every step and ends below 1e-3")
def _(r):
    demo = universal_approximation_demo()
    errs = [demo["errors"][K] for K in sorted(demo["errors"])]
    r.value("max error by K (sin on [-pi, pi], ReLU units, least-squares omega)", demo["errors"])
    r.claim("error falls as units are added", all(b < a for a, b in zip(errs, errs[1:])) and errs[-1] < 1e-3,
            "max |f - sin| over [-pi, pi] for K = 1, 2, 4, ..., 64 units: "
            + ", ".join(f"{e:.3g}" for e in errs) + " (strictly decreasing)",
            what="adding units sigma(w_k x + b_k), weighted by output weights, improves the approximation of sin")
    rng = np.random.default_rng(5)
    z = np.linspace(-2, 2, 401)
    w, b = rng.normal(size=(2, 200, 8))
    f = act.relu(z[:, None, None] * w + b).sum(axis=2)  # 200 unit-weight sums of 8 ReLU units
    r.value("unit-weight ReLU sums: smallest second difference of 200 random 8-unit sums (>= 0: convex)",
            float(np.min(np.diff(f, 2, axis=0))))


@entry(id="ee559-ua-other-activations", source=SRC, location="Universal approximation", kind="claim",
       statement="This is true for other activation functions under mild assumptions.",
       reading="a cited result (the mild assumption being, for continuous sigma, that it is not a polynomial), "
               "demonstrated for tanh and the sigmoid (error falling with K to below 1e-2) and shown to fail for "
               "the polynomial sigma(v) = v^2")
def _(r):
    x = np.linspace(-math.pi, math.pi, 401)
    t = np.sin(x)
    Ks = (2, 4, 8, 16, 32, 64)

    def fit(sigma, K, slope):
        knots = np.linspace(-math.pi, math.pi, K)
        Hid = np.c_[np.ones_like(x), sigma(slope * (x[:, None] - knots))]
        om = _least_squares(Hid, t)
        return float(np.max(np.abs(Hid @ om - t)))

    for name, sigma in (("tanh", np.tanh), ("sigmoid", act.sigmoid)):
        errs = [fit(sigma, K, K / 4) for K in Ks]
        r.value(f"{name}: max error for K = {Ks}", errs)
        r.claim(f"{name}: error falls", all(b < a for a, b in zip(errs, errs[1:])) and errs[-1] < 1e-2,
                f"{name} units sigma(K/4 (x - t_k)), uniform knots t_k, least-squares omega: max |f - sin| = "
                + ", ".join(f"{e:.2g}" for e in errs),
                what="the approximation improves with K for this sigma")
    errs = [fit(lambda v: v ** 2, K, 1.0) for K in Ks]
    r.value("sigma(v) = v^2: max error", errs)
    r.claim("a polynomial sigma stalls", max(errs) - min(errs) < 1e-9 and min(errs) > 1e-2,
            f"with the polynomial sigma(v) = v^2 every sum is a quadratic; the error stays at {min(errs):.3g} "
            "for every K (the 'mild assumptions' exclude polynomials)",
            what="a polynomial sigma is excluded: its error does not fall with K")


@entry(id="ee559-ua-sin", source=SRC, location="Universal approximation (sin)", kind="claim",
       statement=r"\forall A > 0, \epsilon > 0, \exists N, (\alpha_n, a_n) \in R \times R, n = 1, ..., N, s.t. "
                 r"\max_{x \in [-A, A]} |\sin(x) - \sum_{n=1}^N \alpha_n \sigma(x - a_n)| \le \epsilon",
       reading="'the previous result' applied to sin, with sigma = ReLU (units sigma(x - a_n) with output weights "
               "alpha_n): a construction is given for every A, eps (piecewise-linear interpolation on a grid fine "
               "enough for the bound h^2/8 <= eps) and demonstrated for three pairs (A, eps)")
def _(r):
    for A, eps in ((math.pi, 0.1), (5.0, 1e-2), (10.0, 1e-3)):
        res = sin_relu_approximation(A, eps)
        r.value(f"N for A = {A:g}, eps = {eps:g}", len(res["a"]))
        r.claim(f"A = {A:g}, eps = {eps:g}", res["max_error"] <= eps,
                f"ReLU, N = {len(res['a'])} units sigma(x - a_n): measured max error {res['max_error']:.3g} <= {eps:g}",
                what="N ReLU units reach max |sin - sum_n alpha_n sigma(x - a_n)| <= eps on [-A, A]")


@entry(id="ee559-ua-fourier", source=SRC, location="Universal approximation (Fourier)", kind="claim",
       statement=r"\forall f \in C([0,1]^D, R), \delta > 0, \exists M, (v_m, \gamma_m, c_m) \in R^D \times R "
                 r"\times R, m = 1, ..., M, s.t. \max_{x \in [0,1]^D} |\psi(x) - \sum_{m=1}^M \gamma_m "
                 r"\sin(v_m \cdot x + c_m)| \le \delta  (the quantifier names f, the bound psi)",
       reading="the quantifier's f is the psi the bound names, the 'any psi in C([0,1]^D, R)' of the preceding "
               "slide; the density of Fourier series is cited, and demonstrated here for one psi on [0,1]^2 and "
               "three deltas")
def _(r):
    for delta in (0.1, 1e-2, 1e-3):
        V, C, gamma, err = _fourier_within(delta)
        r.claim(f"delta = {delta:g}", err <= delta,
                f"psi(x) = exp(-2|x - (0.3, 0.6)|^2) + x1 x2 / 2 on [0,1]^2: M = {len(C)} sines reach "
                f"{err:.3g} <= {delta:g} on a 41 x 41 grid",
                what="M sines reach max |psi - sum_m gamma_m sin(v_m . x + c_m)| <= delta")


@entry(id="ee559-ua-error-budget", source=SRC, location="Universal approximation (Fourier)", kind="claim",
       statement=r"\forall \xi > 0, with \delta = \xi/2, A = \max_m \max_{x \in [0,1]^D} |v_m \cdot x + c_m|, "
                 r"\epsilon = \xi / (2 \sum_m |\gamma_m|): |\psi(x) - \sum_m \gamma_m (\sum_n \alpha_n "
                 r"\sigma(v_m \cdot x + c_m - a_n))| \le |\psi(x) - \sum_m \gamma_m \sin(v_m \cdot x + c_m)| "
                 r"[\le \xi/2] + \sum_m |\gamma_m| |\sin(v_m \cdot x + c_m) - \sum_n \alpha_n \sigma(...)| "
                 r"[labels as extracted: \underbrace{\sum_m|\gamma_m|}_{m=1}, and "
                 r"\le \frac{\xi}{2} \underbrace{\sum_m |\gamma_m|}_{\le \xi/2}]",
       corrected_statement=r"the sin-approximation term is \le \epsilon = \xi / (2 \sum_m |\gamma_m|), so "
                           r"\sum_m |\gamma_m| \cdot \epsilon = \xi/2 and the total is \le \xi",
       reading="the chain is checked term by term with the bounds the slide's own choices give (delta = xi/2 for "
               "the Fourier term, eps for each sin term, so xi/2 for the weighted sum and xi in total); the "
               "underbrace labels as our copy prints them are checked separately")
def _(r):
    xi = 0.1
    c = _ua_construction(xi)
    r.value("construction", {k: c[k] for k in ("M", "N", "K", "A", "eps", "sum_abs_gamma")})
    r.claim("Fourier term <= xi/2", c["fourier_err"] <= xi / 2,
            f"|psi - sum_m gamma_m sin(...)| = {c['fourier_err']:.3g} <= {xi / 2:g} on the grid",
            what="the first term of the chain is at most delta = xi/2")
    r.claim("sin term <= eps", c["sin_err"] <= c["eps"],
            f"|sin - sum_n alpha_n sigma(...)| = {c['sin_err']:.3g} <= eps = {c['eps']:.3g} for every m",
            what="each sin approximation is within eps")
    r.claim("weighted sin term <= xi/2", c["weighted_sin_err"] <= xi / 2,
            f"sum_m |gamma_m| |sin - ...| = {c['weighted_sin_err']:.3g} <= {xi / 2:g}",
            what="the second term of the chain is at most sum_m |gamma_m| eps = xi/2")
    r.claim("total <= xi", c["total_err"] <= xi, f"|psi - network| = {c['total_err']:.3g} <= xi = {xi:g}",
            what="the one-hidden-layer network is within xi of psi")
    S = c["sum_abs_gamma"]
    label = xi / 2 * S
    r.claim("labels as extracted", math.isclose(label, c["eps"], rel_tol=1e-9),
            f"read literally, the inner label bounds each sin term by (xi/2) sum|gamma| = {label:.3g}, not by the "
            f"slide's eps = xi/(2 sum|gamma|) = {c['eps']:.3g} (sum|gamma| = {S:.3g}); the weighted term would then "
            f"be bounded by sum|gamma| (xi/2) sum|gamma| = {S * label:.3g} instead of xi/2 = {xi / 2:g}",
            corrected_ok=S * c["eps"] <= xi / 2 * (1 + 1e-12),
            what="the bound of each sin term in the underbrace labels as our copy prints them vs the slide's eps",
            severity="transcription",
            why="the display's layout is visibly broken in extraction: the sum's lower limit m=1 hangs as an "
                "underbrace label, an underbrace sits inside another's label, and the denominator of "
                "eps = xi/(2 sum_m |gamma_m|), defined two lines above, is split off as a factor")


@entry(id="ee559-ua-one-hidden-layer", source=SRC, location="Universal approximation (theorem)", kind="claim",
       statement=r"[we can approximate] \psi: [0,1]^D \to R [extracted 'o'] with a mapping of the form "
                 r"x \mapsto \omega \cdot \sigma(w x + b), b \in R^K, w \in R^{K \times D}, \omega \in R^K, "
                 r"i.e. with a one hidden layer perceptron. This is the universal approximation theorem.")
def _(r):
    c = _ua_construction(0.1)
    r.close("double sum = omega . sigma(w x + b)", c["net"], c["double_sum"],
            what=f"sum_m gamma_m sum_n alpha_n sigma(v_m.x + c_m - a_n) as one hidden layer of K = M N = {c['K']} "
                 "units (w rows v_m, b = c_m - a_n, omega = gamma_m alpha_n)", rtol=1e-9, atol=1e-10)
    out, _ = layers.mlp_forward(_GRID, [c["w"], c["omega"][None, :]], [c["b"], np.zeros(1)], "relu", "identity")
    r.close("as an mlp_ref network", out[:, 0], c["net"], what="mlp_forward with one ReLU hidden layer, linear output")
    r.claim("approximates psi", c["total_err"] <= 0.1, f"max |psi - omega.sigma(wx+b)| = {c['total_err']:.3g} <= 0.1",
            what="the one-hidden-layer perceptron approximates psi to 0.1")


def _relu_error_floor(K):
    """A floor under max |sin - f| on [-pi, pi] for any f built from K ReLU units (and a constant).

    f is affine between its at most K knots, so some knot-free piece of [pi/6, 5pi/6] has length
    h >= (2pi/3)/(K+1); there -sin'' >= 1/2, and no affine function comes closer than (1/2) h^2/16.
    """
    h = (2 * math.pi / 3) / (K + 1)
    return 0.5 * h ** 2 / 16


@entry(id="ee559-ua-larger-k", source=SRC, location="Universal approximation (theorem)", kind="claim",
       statement="A better approximation requires a larger hidden layer (larger K), and this theorem says nothing "
                 "about the relation between the two.",
       reading="'requires a larger K': for a fixed target, no layer of K units gets below an error floor that falls "
               "only as K grows, and the construction of the preceding slides needs more units for a smaller xi; "
               "'says nothing about the relation' is a remark on the theorem and is not checked")
def _(r):
    demo = universal_approximation_demo()["errors"]
    floors = {K: _relu_error_floor(K) for K in demo}
    r.value("1-D demo: max error by K", demo)
    r.value("floor for any K ReLU units", floors)
    r.claim("requires larger K", all(demo[K] >= floors[K] > 0 for K in demo)
            and all(b < a for a, b in zip(demo.values(), list(demo.values())[1:])),
            "for sin on [-pi, pi] no K-unit ReLU layer gets below (1/32) ((2pi/3)/(K+1))^2 (the knot-free piece "
            "argument); the least-squares fits for K = " + ", ".join(map(str, demo)) + " reach "
            + ", ".join(f"{demo[K]:.3g}" for K in demo) + ", each above its floor ("
            + ", ".join(f"{floors[K]:.2g}" for K in demo) + ") and falling with K",
            what="a better approximation needs more units: each K has an error floor")
    Ks = []
    xis = (0.4, 0.2, 0.1)
    for xi in xis:
        c = _ua_construction(xi)
        Ks.append(c["K"])
        r.claim(f"xi = {xi:g}", c["total_err"] <= xi,
                f"on [0,1]^2 the construction for xi = {xi:g} uses K = {c['K']} units, error {c['total_err']:.3g}",
                what="the construction meets its budget xi")
    r.claim("K grows as xi shrinks", Ks[0] < Ks[1] < Ks[2], f"K = {Ks} for xi = {', '.join(map(str, xis))}",
            what="the construction needs more units for a smaller xi")


# ------------------------------------------------------------------ Training and gradient descent
@entry(id="ee559-mse", source=SRC, location="Training and gradient descent", kind="formula",
       statement=r"mean-squared error (MSE) \mathscr{L}(w, b) = \frac{1}{N} \sum_n \ell(f(x_n; w, b) - y_n)^2",
       op=MSE_AS_WRITTEN, corrected=losses.MSE,
       corrected_statement=r"\mathscr{L}(w, b) = \frac{1}{N} \sum_n \|f(x_n; w, b) - y_n\|^2 (the '\ell' stands "
                           r"for the norm bars)")
def _(r):
    rng = np.random.default_rng(6)
    yhat, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    mse = losses.mse(yhat, y)
    r.close("as written, l(r) = ||r||^2", _mse_as_written(yhat, y), mse,
            corrected=np.mean(np.sum((yhat - y) ** 2, axis=1)),
            what="(1/N) sum_n l(f - y)^2 with the per-sample squared error as l vs the mean squared error",
            severity="transcription",
            why="norm bars read as \\ell, an OCR-typical substitution: \\ell is not defined at this point of the "
                "document, and \\ell(r)^2 means nothing for a vector r, where ||f(x_n; w, b) - y_n||^2 is the MSE")


@entry(id="ee559-logistic-loss", source=SRC, location="Training and gradient descent (logistic)", kind="formula",
       statement=r"P_w(Y = 1 | X = x) = \sigma(w \cdot x + b), \sigma(x) = \frac{1}{1 + e^{-x}}, leads to the loss "
                 r"\mathscr{L}(w, b) = -\sum_n \log \sigma(y_n (w \cdot x_n + b))  (y_n \in \{-1, 1\})",
       op=losses.LOGISTIC)
def _(r):
    x, y, w = _logistic_data()
    b = np.asarray(0.3)
    z = x @ w + b
    p1 = 1 / (1 + np.exp(-z))
    nll = -np.sum(np.log(np.where(y == 1, p1, 1 - p1)))
    r.close("negative log-likelihood", losses.logistic_loss(w, b, x, y), nll,
            what="-sum_n log sigma(y_n (w.x_n + b)) vs -sum_n log P(Y = y_n | x_n) with P(Y = -1) = 1 - P(Y = 1)")
    r.close("sigma", act.sigmoid(z), p1, what="mlp_ref.sigmoid vs 1/(1 + e^{-x})")


@entry(id="ee559-gradient-definition", source=SRC, location="Training and gradient descent (gradient)",
       kind="definition",
       statement=r"\nabla f: R^D \to R^D, x \mapsto (\frac{\partial f}{\partial x_1}(x), ..., "
                 r"\frac{\partial f}{\partial x_D}(x))")
def _(r):
    x, y, w = _logistic_data()
    b = np.asarray(0.3)
    fd = _fd_grad(lambda v: losses.logistic_loss(v, b, x, y), w)
    r.close("nabla L = (dL/dw_1, dL/dw_2)", losses.logistic_loss_grad(w, b, x, y)["w"], fd,
            what="the hand gradient of the logistic loss vs its coordinate-wise central differences", **FD_TOL)


@entry(id="ee559-quadratic-model", source=SRC, location="Training and gradient descent (local model)",
       kind="formula",
       statement=r"\tilde{\mathscr{L}}_{w_0}(w) = \mathscr{L}(w_0) + \nabla\mathscr{L}(w_0)^T (w - w_0) + "
                 r"\frac{1}{2n} \|w - w_0\|^2; the chosen quadratic term does not depend on \mathscr{L}; "
                 r"\nabla\tilde{\mathscr{L}}_{w_0}(w) = \nabla\mathscr{L}(w_0) + \frac{1}{n}(w - w_0)  "
                 r"(extracted 'abla', 'ilde', 'rac')",
       op=QUADRATIC,
       reading="the model and its gradient are checked as printed, with n a positive constant of the model (the "
               "argmin that follows needs n = eta: ee559-quadratic-argmin)")
def _(r):
    x, y, w0 = _logistic_data()
    b = np.asarray(0.0)
    L = lambda v: float(losses.logistic_loss(v, b, x, y))  # noqa: E731
    gL0 = losses.logistic_loss_grad(w0, b, x, y)["w"]
    w = w0 + np.array([0.3, -0.2])
    for n in (10.0, 0.1):
        model = lambda v: float(quadratic_model(v, w0, gL0, L(w0), n))  # noqa: E731
        r.close(f"printed gradient, n = {n:g}", quadratic_model_grad(w, w0, gL0, L(w0), n), _fd_grad(model, w),
                what=f"nabla L(w0) + (w - w0)/n vs central differences of the printed model (n = {n:g})", **FD_TOL)
    # the model's curvature for two different losses vs the losses' own curvature at w0
    n = 10.0
    other = lambda v: float(np.sum((v - 1.0) ** 4) + 3 * v[0])  # noqa: E731
    model_hess, loss_hess = [], []
    for f in (L, other):
        g0 = _fd_grad(f, w0)
        model_grad = lambda v, f=f, g0=g0: quadratic_model_grad(v, w0, g0, f(w0), n)  # noqa: E731
        model_hess.append(np.array([(model_grad(w0 + FD_EPS * e) - model_grad(w0 - FD_EPS * e)) / (2 * FD_EPS)
                                    for e in np.eye(2)]))
        loss_hess.append(np.array([(_fd_grad(f, w0 + 1e-4 * e) - _fd_grad(f, w0 - 1e-4 * e)) / 2e-4
                                   for e in np.eye(2)]))
    r.close("quadratic term independent of L", np.stack(model_hess), np.stack([np.eye(2) / n] * 2),
            what="the Hessian of the model around w0 for the logistic loss and for sum (w - 1)^4 + 3 w_1: "
                 "I/n for both (n = 10)", **FD_TOL)
    gap = float(np.max(np.abs(loss_hess[0] - loss_hess[1])))
    r.value("the losses' own Hessians at w0", [h.tolist() for h in loss_hess])
    r.claim("not the second-order Taylor term", gap > 1,
            f"the two losses' own Hessians at w0 differ by up to {gap:.3g}: the model's I/n is not taken from L",
            what="the quadratic term is not the loss's own curvature")


@entry(id="ee559-quadratic-argmin", source=SRC, location="Training and gradient descent (local model)",
       kind="formula",
       statement=r"which leads to \mathrm{argmin}_w \tilde{\mathscr{L}}_{w_0}(w) = w_0 - \eta \nabla\mathscr{L}(w_0)  "
                 r"(for the model printed, in both builds, with \frac{1}{2n} \|w - w_0\|^2 and its gradient with "
                 r"\frac{1}{n}(w - w_0))",
       corrected_statement=r"with the quadratic term \frac{1}{2\eta}\|w - w_0\|^2 (n read as \eta, the step the argmin "
                           r"and the update rule use): \nabla\tilde{\mathscr{L}} = \nabla\mathscr{L}(w_0) + "
                           r"(w - w_0)/\eta and the argmin is w_0 - \eta\nabla\mathscr{L}(w_0)")
def _(r):
    x, y, w0 = _logistic_data()
    b = np.asarray(0.0)
    L0 = float(losses.logistic_loss(w0, b, x, y))
    gL0 = losses.logistic_loss_grad(w0, b, x, y)["w"]
    eta = 0.1

    def argmin(n):
        """Newton step on the model from w0 with a finite-difference Hessian: exact for a quadratic."""
        grad = lambda v: quadratic_model_grad(v, w0, gL0, L0, n)  # noqa: E731
        H = np.array([(grad(w0 + 1e-3 * e) - grad(w0 - 1e-3 * e)) / 2e-3 for e in np.eye(2)])
        return w0 - np.linalg.solve(H, grad(w0))

    printed = w0 - eta * gL0
    r.value("symbol n", "the text prints n in all three places (the model in both builds, its gradient) and eta "
                        "everywhere else on the slide; the same slides use n for iteration counts (captions "
                        "n = 10, ..., 10^4); no n is defined for the model")
    for n in (10.0, 0.01):
        found = argmin(n)
        r.close(f"printed model's minimiser, n = {n:g}", w0 - n * gL0, found,
                what=f"w0 - n grad L(w0) vs the minimiser found, n = {n:g}", **FD_TOL)
        r.claim(f"argmin, n = {n:g}, eta = 0.1", bool(np.allclose(printed, found, **FD_TOL)),
                f"the printed w0 - eta grad L(w0) = {np.round(printed, 4).tolist()} (eta = 0.1) is not the "
                f"minimiser {np.round(found, 4).tolist()} of the model printed with 1/(2n), n = {n:g}",
                corrected_ok=bool(np.allclose(printed, argmin(eta), **FD_TOL)),
                what=f"the printed argmin w0 - eta grad L(w0) vs the minimiser of the model with 1/(2n), n = {n:g}",
                severity="transcription",
                why="eta read as n, an OCR-typical substitution: n is defined nowhere for the model, and the "
                    "argmin and the update rule on the same slide both use eta")
    r.close("n = eta", argmin(eta), printed, what="with n = eta = 0.1 the minimiser is w0 - eta grad L(w0)", **FD_TOL)


@entry(id="ee559-gd-rule", source=SRC, location="Training and gradient descent (iterative rule)", kind="algorithm",
       statement=r"w_{t+1} = w_t - \eta \nabla\mathscr{L}(w_t) ('goes to the minimum of the approximation at the "
                 r"current location'; 'Which corresponds intuitively to \"following the steepest descent\"'; 'This "
                 r"finds a local minimum, and the choices of w_0 and \eta are important')")
def _(r):
    x, y, w = _logistic_data()
    b = np.asarray(0.0)
    eta = 0.1
    g = losses.logistic_loss_grad(w, b, x, y)["w"]
    L0 = float(losses.logistic_loss(w, b, x, y))
    grad = lambda v: quadratic_model_grad(v, w, g, L0, eta)  # noqa: E731
    H = np.array([(grad(w + 1e-3 * e) - grad(w - 1e-3 * e)) / 2e-3 for e in np.eye(2)])
    r.close("step = argmin of the model", gradient_descent_step(w, g, eta), w - np.linalg.solve(H, grad(w)),
            what="mlp_ref.gradient_descent_step vs the minimiser of the local model with 1/(2 eta)")
    loss_at = lambda V: np.logaddexp(0, -y[:, None] * (x @ V.T + b)).sum(axis=0)  # noqa: E731  L at each row of V
    r.close("the loss of the slopes", loss_at(w[None]), np.atleast_1d(losses.logistic_loss(w, b, x, y)),
            what="-sum_n log sigma(y_n (w.x_n + b)) for many w at once vs mlp_ref.logistic_loss")

    def steepest(angles):
        """The unit direction among `angles` along which L falls fastest (central differences), and its slope."""
        U = np.c_[np.cos(angles), np.sin(angles)]
        slopes = (loss_at(w + 1e-6 * U) - loss_at(w - 1e-6 * U)) / 2e-6
        return angles[np.argmin(slopes)], float(slopes.min())

    # every degree, then every 0.05 degree within one degree of the best
    coarse, _ = steepest(np.radians(np.arange(360.0)))
    best, slope = steepest(coarse + np.radians(np.linspace(-1, 1, 41)))
    angle = math.degrees(math.acos(np.clip(np.array([math.cos(best), math.sin(best)]) @ (-g / np.linalg.norm(g)),
                                           -1, 1)))
    gnorm = float(np.linalg.norm(g))
    r.claim("steepest descent", angle <= 0.025 + 1e-9 and abs(slope + gnorm) < 1e-3 * gnorm,
            f"of all unit directions (every degree, then every 0.05 degree around the best) the loss falls fastest "
            f"along one {angle:.3f} degrees from -grad L, at rate {-slope:.4g} = |grad L| = {gnorm:.4g}",
            what="'following the steepest descent': -grad L is the direction of fastest decrease")
    # a double well: L(w) = (w^2 - 1)^2 + 0.3 w, minima near -1.04 (global) and +0.96 (local)
    Lw = lambda v: (v ** 2 - 1) ** 2 + 0.3 * v  # noqa: E731
    dLw = lambda v: 4 * v * (v ** 2 - 1) + 0.3  # noqa: E731
    v = np.array([-2.0, 2.0])  # both starts at once
    for _ in range(2000):
        v = v - 0.01 * dLw(v)  # w_{t+1} = w_t - eta grad L(w_t)
    ends = {-2.0: float(v[0]), 2.0: float(v[1])}
    r.value("limits from w0 = -2, 2 (eta = 0.01)", ends)
    r.claim("local minimum depends on w0", ends[-2.0] < 0 < ends[2.0] and Lw(ends[2.0]) > Lw(ends[-2.0])
            and abs(dLw(ends[2.0])) < 1e-8,
            f"from w0 = 2 descent stops at the local minimum {ends[2.0]:.4f} (L = {Lw(ends[2.0]):.3f}), "
            f"from w0 = -2 at {ends[-2.0]:.4f} (L = {Lw(ends[-2.0]):.3f})",
            what="descent finds a local minimum that depends on w0")
    v = np.array([2.0])
    for _ in range(20):
        v = v - 0.3 * dLw(v)
        if not np.isfinite(v[0]) or abs(v[0]) > 1e6:
            break
    r.claim("too large eta fails", not (abs(v[0]) < 10 and abs(dLw(v[0])) < 1e-3),
            f"with eta = 0.3 from w0 = 2 the iterates leave the basin (|w| = {abs(v[0]):.3g} after <= 20 steps)",
            what="too large an eta leaves the basin")


@entry(id="ee559-logistic-grad", source=SRC, location="Training and gradient descent (logistic gradient)",
       kind="formula",
       statement=r"\frac{\partial\mathcal{L}}{\partial b} = -\sum_n \underbrace{y_n \sigma(-y_n(w \cdot x_n + b))}"
                 r"_{u_n}, \forall d, \frac{\partial\mathcal{L}}{\partial w_d} = -\sum_n \underbrace{x_{n,d} y_n "
                 r"\sigma(-y_n(w \cdot x_n + b))}_{v_{n,d}}",
       op=LOGISTIC_GRAD)
def _(r):
    x, y, w = _logistic_data()
    b = np.asarray(-0.2)
    grads = _logistic_grad_formula(w, b, x, y)
    r.close("dL/dw_d", grads["w"], _fd_grad(lambda v: losses.logistic_loss(v, b, x, y), w),
            what="-sum_n v_{n,d} vs central differences", **FD_TOL)
    r.close("dL/db", grads["b"], _fd_grad(lambda v: losses.logistic_loss(w, v, x, y), b),
            what="-sum_n u_n vs central differences", **FD_TOL)


@entry(id="ee559-logistic-grad-code", source=SRC, location="Training and gradient descent (logistic gradient)",
       kind="code",
       statement="def gradient(x, y, w, b): u = y * ( - (x.mv(w) + b) * y).apply_(sigmoid); "
                 "v = x * u.view(-1, 1) # Broadcasting; return - v.sum(0), - u.sum()")
def _(r):
    x, y, w = _logistic_data()
    b = np.asarray(0.4)
    dw, db = logistic_gradient(x, y, w, b)
    ref = losses.logistic_loss_grad(w, b, x, y)
    r.close("dw", dw, ref["w"], what="the NumPy transcription vs mlp_ref.logistic_loss_grad")
    r.close("db", db, ref["b"], what="the NumPy transcription vs mlp_ref.logistic_loss_grad")
    r.close("dw vs finite differences", dw, _fd_grad(lambda v: losses.logistic_loss(v, b, x, y), w),
            what="the code's dw vs central differences of the loss", **FD_TOL)


def _parse_power_of_ten(text):
    """'10^{-1}' or '10^2' -> float; '1e-1' and plain numbers via float()."""
    t = text.replace("{", "").replace("}", "").replace("−", "-").strip()
    if t.startswith("10^"):
        return 10.0 ** float(t[3:])
    return float(t)


@entry(id="ee559-gd-loop", source=SRC, location="Training and gradient descent (logistic gradient)", kind="code",
       statement="w = Tensor(dimension).normal_(); b = 0; eta = 1e-1; for k in range(nb_iterations): "
                 "dw, db = gradient(x, y, w, b); w = w - eta * dw; b = b - eta * db  (captions: 'With 100 training "
                 "points and \\eta = 10^{-1}')",
       documented={"eta": "1e-1", "training points": "100", "eta (caption)": "10^{-1}"},
       reading="the number of training points is an input of the run (the slides' data are images; 100 synthetic "
               "points in two Gaussian clouds stand in for them); the loop is judged by what it must do: its step "
               "is the code's gradient step, and with the documented eta the loss falls without a rise")
def _(r):
    eta = _parse_power_of_ten(r.documented["eta"])
    caption = _parse_power_of_ten(r.documented["eta (caption)"])
    r.claim("eta (caption)", caption == eta, f"the caption's eta = {caption:g} is the code's eta = {eta:g}",
            what="the captions' eta is the code's", documented="eta (caption)")
    points = int(r.documented["training points"])
    x, y, ws, bs, L = _synthetic_descent(points, eta)
    w0 = _logistic_data(points)[2]
    dw, db = logistic_gradient(x, y, w0, 0.0)
    r.close("first step", np.r_[ws[1], bs[1]], np.r_[w0 - eta * dw, 0.0 - eta * db],
            what="the loop's first iterate vs w - eta dw, b - eta db with the slides' gradient(x, y, w, b)")
    L = L[:1001]
    r.value("loss at k = 0, 10, 100, 1000", L[[0, 10, 100, 1000]])
    rises = np.diff(L) / L[1:]
    r.claim("eta", L[-1] < L[0] / 5 and float(rises.max()) <= 1e-9,
            f"with eta = {eta:g} on {points} synthetic points the loss falls from {L[0]:.4g} to {L[-1]:.4g} in 1000 "
            f"steps, and no step raises it by more than 1e-9 relative (largest {max(float(rises.max()), 0):.2g})",
            what="with the documented eta the loop descends: the loss falls fivefold and never rises",
            documented="eta")
    # the curvature of the summed loss at each iterate: sum_n sigma'(m_n) (x_n, 1)(x_n, 1)^T
    X1 = np.c_[x, np.ones(points)]
    m = y[:, None] * (X1 @ np.r_[ws[:1001].T, bs[None, :1001]])
    s = _sigmoid(m) * _sigmoid(-m)
    lam = float(np.linalg.eigvalsh(np.einsum("nk,ni,nj->kij", s, X1, X1))[:, -1].max())
    r.claim("training points", eta * lam < 2,
            f"along the first 1000 iterates the largest curvature of the loss summed over the {points} points is "
            f"{lam:.4g}, so eta x curvature = {eta * lam:.3g} < 2: each step stays inside the stability bound of "
            "gradient descent (the code sums over the points, so the usable eta shrinks as the set grows)",
            what="with this many training points the documented eta is below the step's stability bound 2/curvature",
            documented="training points")


@entry(id="ee559-gd-figures", source=SRC, location="With 100 training points and η = 10^{-1}", kind="example",
       statement=r"With 100 training points and \eta = 10^{-1}: n = 10, n = 10^2, n = 10^3, n = 10^4 (figures); LDA",
       documented={"n": "10, 10^2, 10^3, 10^4"})
def _(r):
    ns = [int(_parse_power_of_ten(t)) for t in r.documented["n"].split(",")]
    if max(ns) > GD_ITERATIONS:
        raise ValueError(f"n: the shared run has {GD_ITERATIONS} iterations, the captions ask for {max(ns)}")
    L = _synthetic_descent(100, 0.1)[4]
    r.value("loss after n iterations (100 synthetic points, eta = 0.1)", {n: float(L[n]) for n in ns})
    r.missing("n", "the slides show the training points, the decision boundary after n = 10 .. 10^4 iterations "
                   "and an LDA comparison as images; the text keeps only the captions, so there is nothing of "
                   "the document's to compare the computed losses with", documented="n")


# ------------------------------------------------------------------------------ Back-propagation
@entry(id="ee559-total-loss", source=SRC, location="Back-propagation", kind="formula",
       statement=r"\mathscr{L}(w, b) = \sum_n \ell(f(x_n; w, b), y_n) (builds print \mathscr{L}(...) and "
                 r"\mathscr{E}(...) inside the sum); we need \partial\mathcal{L}/\partial w_{i,j}^{(l)} (one build: "
                 r"w_{i,i}) and \partial\mathcal{L}/\partial b_i^{(l)}; with \ell_n = \ell(f(x_n; w, b), y_n) what "
                 r"we need is \partial\ell_n/\partial w_{i,j}^{(l)} and \partial\ell_n/\partial b_i^{(l)}",
       op=EE559_MLP)
def _(r):
    rng = np.random.default_rng(7)
    Ws, bs = _random_net((3, 5, 4, 2), rng, scale=1.5)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(-1, 1, size=(6, 2))
    kw = {**{f"W{l + 1}": W for l, W in enumerate(Ws)}, **{f"b{l + 1}": b for l, b in enumerate(bs)}}
    total = _batch_loss(X, Y, sizes=(3, 5, 4, 2), activation="tanh", **kw)
    per = [_loss(layers.mlp_forward(x, Ws, bs, "tanh", "tanh")[0], y) for x, y in zip(X, Y)]
    r.close("L = sum_n l_n", total, sum(per), what="the batch loss vs the sum of per-sample losses")
    batch = _reference_backprop(X, Y, Ws, bs, "tanh")[1]
    summed = [sum(_reference_backprop(x, y, Ws, bs, "tanh")[1]["W"][l] for x, y in zip(X, Y)) for l in range(3)]
    r.close("dL/dw = sum_n dl_n/dw", np.concatenate([g.ravel() for g in batch["W"]]),
            np.concatenate([g.ravel() for g in summed]), what="batch gradient vs the sum of per-sample gradients")
    r.value("builds", "the per-sample loss is printed as \\mathscr{L}, \\mathscr{E} and finally \\ell; one build "
                      "writes w_{i,i} for w_{i,j} in the list of needed derivatives")


@entry(id="ee559-preactivations", source=SRC, location="Back-propagation (forward pass)", kind="definition",
       statement=r"For clarity, we consider a single training sample x, and introduce s^{(1)}, \ldots, s^{(L)} as the "
                 r"summations before activation functions [first build; the two later builds of the same slide print "
                 r"s^{(1)}, \ldots, s^{(\ell)}]. x^{(0)} = x \to^{w^{(1)}, b^{(1)}} s^{(1)} \to^\sigma x^{(1)} \to ... "
                 r"\to^{w^{(L)}, b^{(L)}} s^{(L)} \to^\sigma x^{(L)} = f(x; w, b) [all three builds]")
def _(r):
    for k, sizes in enumerate(((3, 2), (3, 5, 2), (4, 3, 3, 5, 2))):
        x, y, Ws, bs = _sample_net(8, sizes)
        _, cache = layers.mlp_forward(x, Ws, bs, "tanh", "tanh")
        s = [W @ h + b for W, h, b in zip(Ws, cache["x"], bs)]  # the summation of each layer, by hand
        note = ("; the list ends at s^(L) as in the first build and in the chain printed under the sentence in "
                "all three builds. The later builds' s^(\\ell) is taken as an extraction variant (the builds "
                "repeat one slide; \\ell is the slides' loss symbol, and a list s^(1), ..., s^(\\ell) indexed by a "
                "loss value has no meaning)") if k == 0 else ""
        r.close(f"s^(1..L), L = {len(Ws)}", np.concatenate(cache["s"]), np.concatenate(s),
                what=f"mlp_forward's pre-activations s^(1), ..., s^({len(cache['s'])}) of a {len(Ws)}-layer MLP vs "
                     f"the summations w^(l) x^(l-1) + b^(l), l = 1..{len(Ws)}" + note)
        r.close(f"x^(l) = sigma(s^(l)), L = {len(Ws)}", np.concatenate(cache["x"][1:]),
                np.concatenate([np.tanh(v) for v in s]), what="each s^(l) is the input of sigma (tanh)")


@entry(id="ee559-forward-pass", source=SRC, location="Back-propagation (forward pass); Forward pass",
       kind="algorithm",
       statement=r"x^{(0)} = x \to^{w^{(1)}, b^{(1)}} s^{(1)} \to^\sigma x^{(1)} \to ... \to s^{(L)} \to^\sigma "
                 r"x^{(L)} = f(x; w, b); x^{(0)} = x, \forall l = 1, ..., L, s^{(l)} = w^{(l)} x^{(l-1)} + b^{(l)}, "
                 r"x^{(l)} = \sigma(s^{(l)})  (one build prints I for l)",
       op=EE559_MLP)
def _(r):
    x, y, Ws, bs = _sample_net(9)
    for activation in ("tanh", "sigmoid"):
        out, cache = layers.mlp_forward(x, Ws, bs, activation, activation)
        f = layers.ACTIVATIONS[activation][0]
        h, ss, hs = x, [], []
        for W, b in zip(Ws, bs):
            s = np.array([sum(W[i, j] * h[j] for j in range(W.shape[1])) + b[i] for i in range(W.shape[0])])
            h = f(s)
            ss.append(s)
            hs.append(h)
        r.close(f"s^(l), {activation}", np.concatenate(ss), np.concatenate(cache["s"]),
                what=f"s_i = sum_j w_ij x_j + b_i, layer by layer, vs mlp_forward's s ({activation})")
        r.close(f"x^(l), {activation}", np.concatenate(hs), np.concatenate(cache["x"][1:]),
                what=f"x^(l) = sigma(s^(l)) vs mlp_forward's activations ({activation})")


@entry(id="ee559-chain-rule", source=SRC, location="Back-propagation (chain rule)", kind="formula",
       statement=r"(g \circ f)' = (g' \circ f) f'", op=CHAIN)
def _(r):
    z = np.linspace(-2, 2, 9)
    hand = np.cos(_chain_f(z)) * _chain_df(z)
    eps = FD_EPS
    fd = (np.sin(_chain_f(z + eps)) - np.sin(_chain_f(z - eps))) / (2 * eps)
    r.close("g = sin, f = z^3 - 2 z", hand, fd, what="(g' o f) f' vs central differences of g o f on [-2, 2]", **FD_TOL)
    fd2 = (np.exp(np.tanh(z + eps)) - np.exp(np.tanh(z - eps))) / (2 * eps)
    r.close("g = exp, f = tanh", np.exp(np.tanh(z)) * act.tanh_grad(z), fd2, what="(exp o tanh)'", **FD_TOL)


@entry(id="ee559-jacobian-composition", source=SRC, location="Back-propagation (chain rule)", kind="formula",
       statement=r"J_{f_N \circ f_{N-1} \circ \cdots \circ f_1}(x) = \prod_{n=1}^N J_{f_n}(f_{n-1} \circ \cdots "
                 r"\circ f_1(x)); the linear approximation of a composition of mappings is the product of their "
                 r"individual linear approximations",
       op=COMPOSITION,
       reading="the product of matrices is taken in the order of composition, J_{f_N} ... J_{f_2} J_{f_1}, the outer "
               "map's Jacobian on the left, as the slide's own (g o f)' = (g' o f) f' puts it one line above; the "
               "symbol prod fixes no order for non-commuting factors, and for maps between spaces of different "
               "dimensions this is the only order in which the product is defined")
def _(r):
    x = np.array([0.4, -0.7, 1.1])
    J1, J2, J3 = _composition_jacobians(x)
    fd = np.array([(_composition((x + FD_EPS * e)[None])[0] - _composition((x - FD_EPS * e)[None])[0]) / (2 * FD_EPS)
                   for e in np.eye(3)]).T
    r.close("R^3 -> R^3 -> R^3 -> R^3", J3 @ J2 @ J1, fd,
            what="J_f3 J_f2 J_f1, each at the image of x under the maps before it, vs the finite-difference Jacobian",
            **FD_TOL)
    r.value("the product taken left to right, J_f1 J_f2 J_f3, differs by",
            float(np.max(np.abs(J1 @ J2 @ J3 - fd))))
    # maps of different dimensions: R^3 -> R^4 -> R^2 -> R^5
    g1 = lambda v: np.array([v[0] * v[1], np.sin(v[2]), v[0] + v[2], v[1] ** 2])  # noqa: E731
    G1 = lambda v: np.array([[v[1], v[0], 0], [0, 0, np.cos(v[2])], [1, 0, 1], [0, 2 * v[1], 0]])  # noqa: E731
    g2 = lambda u: np.array([u[0] * u[3] + u[1], np.tanh(u[2])])  # noqa: E731
    G2 = lambda u: np.array([[u[3], 1, 0, u[0]], [0, 0, 1 - np.tanh(u[2]) ** 2, 0]])  # noqa: E731
    g3 = lambda v: np.array([v[0], v[1], v[0] * v[1], np.exp(v[1]), v[0] ** 2])  # noqa: E731
    G3 = lambda v: np.array([[1, 0], [0, 1], [v[1], v[0]], [0, np.exp(v[1])], [2 * v[0], 0]])  # noqa: E731
    comp = lambda v: g3(g2(g1(v)))  # noqa: E731
    fd = np.array([(comp(x + FD_EPS * e) - comp(x - FD_EPS * e)) / (2 * FD_EPS) for e in np.eye(3)]).T
    Ja, Jb, Jc = G1(x), G2(g1(x)), G3(g2(g1(x)))
    r.close("R^3 -> R^4 -> R^2 -> R^5", Jc @ Jb @ Ja, fd,
            what="the 5 x 3 product J_f3 (5 x 2) J_f2 (2 x 4) J_f1 (4 x 3) vs the finite-difference Jacobian",
            **FD_TOL)
    h = 1e-4 * np.array([0.3, -0.5, 0.8])
    lin_err = float(np.max(np.abs(comp(x + h) - comp(x) - (Jc @ Jb @ Ja) @ h)))
    r.claim("linear approximation", lin_err < 1e-6,
            f"f(x + h) - f(x) - J h = {lin_err:.2g} for |h| ~ 1e-4 (second order)",
            what="the product of the linear approximations is the linear approximation of the composition")


@entry(id="ee559-bp-s-sum", source=SRC, location="Back-propagation (dl/dw)", kind="formula",
       statement=r"We have s_i^{(l)} = \sum_j w_{i,j}^{(l)} x_j^{(l-1)} + b_i^{(l)} [first and last of the six "
                 r"builds; the four builds between print s_i^{(l)} = \sum_i w_{i,j}^{(l)} x_j^{(l-1)} + b_i^{(l)}]")
def _(r):
    x, y, Ws, bs = _sample_net(10)
    _, cache = layers.mlp_forward(x, Ws, bs, "tanh", "tanh")
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        xp = cache["x"][l - 1]
        by_index = np.array([sum(W[i, j] * xp[j] for j in range(W.shape[1])) + b[i] for i in range(W.shape[0])])
        note = ("; the four middle builds' \\sum_i binds the i of s_i and b_i and leaves j free, giving a "
                f"{W.shape[0]} x {W.shape[1]} array (i, j) -> (sum_k w_kj) x_j + b_i instead of s^(1): an "
                "extraction variant of the same slide, not taken as its text") if l == 1 else ""
        r.close(f"sum over j, l = {l}", by_index, cache["s"][l - 1],
                what=f"sum_j w_ij x_j^(l-1) + b_i, index by index, vs mlp_forward's s^({l})" + note)
    W, b, xp = Ws[0], bs[0], cache["x"][0]
    variant = np.array([[sum(W[k, j] for k in range(W.shape[0])) * xp[j] + b[i] for j in range(W.shape[1])]
                        for i in range(W.shape[0])])
    r.value("the builds' sum over i, l = 1", {"shape": list(variant.shape), "s^(1) shape": list(cache["s"][0].shape)})


@entry(id="ee559-bp-dw", source=SRC, location="Back-propagation (dl/dw)", kind="formula",
       statement=r"so w_{i,j}^{(l)} influences \ell only through s_i^{(l)}, and we get \frac{\partial\ell}{\partial "
                 r"w_{i,j}^{(l)}} = \frac{\partial\ell}{\partial s_i^{(l)}} \frac{\partial s_i^{(l)}}{\partial "
                 r"w_{i,j}^{(l)}} = \frac{\partial\ell}{\partial s_i^{(l)}} x_j^{(l-1)} [last build and the summary "
                 r"slide; the four builds before print 'so w_{i,i}^{(l)} influences \ell', and one of them "
                 r"\frac{\partial\ell}{\partial w_{i,i}^{(l)}} = ... = \frac{\partial\ell}{\partial s_i^{(l)}} "
                 r"x_j^{(l-1)}]",
       op=BP_INDEXWISE)
def _(r):
    x, y, Ws, bs = _sample_net(11)
    ref = backprop_indexwise(x, y, Ws, bs)
    for l in range(len(Ws)):
        def loss_of_W(V, l=l):
            Ws2 = list(Ws)
            Ws2[l] = V
            return _loss(layers.mlp_forward(x, Ws2, bs, "tanh", "tanh")[0], y)
        note = ("; the w_{i,i} of the earlier builds is an extraction variant: in the same builds the sentence "
                "goes on with dl/dw_{i,j}, and the build printing dl/dw_{i,i} ends in x_j^(l-1), with j free") \
            if l == 0 else ""
        r.close(f"w_ij, l = {l + 1}", ref["W"][l], _fd_grad(loss_of_W, Ws[l]),
                what=f"dl/ds_i x_j^(l-1) for every i, j vs central differences, layer {l + 1}" + note, **FD_TOL)
    base = Ws[0] @ x + bs[0]
    only = True
    for i, j in itertools.product(range(Ws[0].shape[0]), range(Ws[0].shape[1])):
        V = Ws[0].copy()
        V[i, j] += 0.1
        ds = (V @ x + bs[0]) - base
        only &= bool(np.all(np.delete(ds, i) == 0) and ds[i] != 0)
    r.claim("only through s_i", only, "perturbing w_ij of layer 1 changes s_i and no other s_k",
            what="w_ij^(l) influences the loss only through s_i^(l)")


@entry(id="ee559-bp-db", source=SRC, location="Back-propagation (dl/dw)", kind="formula",
       statement=r"and similarly \frac{\partial\ell}{\partial b_i^{(l)}} = \frac{\partial\ell}{\partial s_i^{(l)}}  "
                 r"(subscript extracted as ':' or '·'; repeated on the summary slide)",
       op=BP_INDEXWISE)
def _(r):
    x, y, Ws, bs = _sample_net(12)
    ref = backprop_indexwise(x, y, Ws, bs)
    for l in range(len(Ws)):
        def loss_of_b(v, l=l):
            bs2 = list(bs)
            bs2[l] = v
            return _loss(layers.mlp_forward(x, Ws, bs2, "tanh", "tanh")[0], y)
        r.close(f"b_i, l = {l + 1}", ref["b"][l], _fd_grad(loss_of_b, bs[l]),
                what=f"dl/ds_i vs central differences in b, layer {l + 1}", **FD_TOL)


@entry(id="ee559-bp-ds", source=SRC, location="Back-propagation (dl/ds)", kind="formula",
       statement=r"x_i^{(l)} = \sigma(s_i^{(l)}), s_i^{(l)} influences \ell only through x_i^{(l)}: "
                 r"\frac{\partial\ell}{\partial s_i^{(l)}} = \frac{\partial\ell}{\partial x_i^{(l)}} "
                 r"\frac{\partial x_i^{(l)}}{\partial s_i^{(l)}} = \frac{\partial\ell}{\partial x_i^{(l)}} "
                 r"\sigma'(s_i^{(l)})  (repeated on the summary slide)",
       op=BP_INDEXWISE)
def _(r):
    for activation in ("tanh", "sigmoid"):
        x, y, Ws, bs = _sample_net(13)
        ref = backprop_indexwise(x, y, Ws, bs, activation)
        _, cache = layers.mlp_forward(x, Ws, bs, activation, activation)
        for l in range(1, len(Ws) + 1):
            fd = _fd_grad(lambda v, l=l: _loss(_run_from(l, v, Ws, bs, activation, start="s"), y), cache["s"][l - 1])
            r.close(f"s, l = {l}, {activation}", ref["s"][l - 1], fd,
                    what=f"dl/dx_i sigma'(s_i) vs central differences in s^({l}) ({activation})", **FD_TOL)


@entry(id="ee559-bp-output", source=SRC, location="Back-propagation (dl/dx)", kind="formula",
       statement=r"\frac{\partial\ell}{\partial x_i^{(L)}} = (\nabla_1 \ell)_i where \nabla_1\ell is the gradient of "
                 r"\ell with respect to its first parameter, that is the predicted value",
       op=BP_INDEXWISE)
def _(r):
    x, y, Ws, bs = _sample_net(14)
    ref = backprop_indexwise(x, y, Ws, bs)
    xL = layers.mlp_forward(x, Ws, bs, "tanh", "tanh")[0]
    r.close("dl/dx^(L)", ref["x"][-1], _fd_grad(lambda v: _loss(v, y), xL),
            what="(nabla_1 l)_i = 2 (x_i^(L) - y_i) vs central differences of l(., y)", **FD_TOL)
    o, lab = np.array([0.3, -1.2, 0.8]), np.array(2)
    r.close("cross-entropy", losses.softmax_cross_entropy_grad(o, lab),
            _fd_grad(lambda v: losses.softmax_cross_entropy(v, lab), o),
            what="nabla_1 l for softmax cross-entropy vs central differences", **FD_TOL)


@entry(id="ee559-bp-dx", source=SRC, location="Back-propagation (dl/dx)", kind="formula",
       statement=r"\forall l = 1, ..., L-1, s_h^{(l+1)} = \sum_i w_{h,i}^{l+1} x_i^{(l)} + b_h^{l+1}, "
                 r"\frac{\partial\ell}{\partial x_i^{(l)}} = \sum_h \frac{\partial\ell}{\partial s_h^{(l+1)}} "
                 r"\frac{\partial s_h^{(l+1)}}{\partial x_i^{(l)}} = \sum_h \frac{\partial\ell}{\partial s_h^{(l+1)}} "
                 r"w_{h,i}^{l+1}; summary slide: \frac{\partial\ell}{\partial x_j^{(l-1)}} = \sum_i w_{i,j}^{(l)} "
                 r"\frac{\partial\ell}{\partial s_i^{(l)}}",
       op=BP_INDEXWISE,
       reading="the superscript l+1 printed without parentheses on w and b (in every build) is the layer index "
               "(l+1) of the slide's own chain x^(l) -> s^(l+1), not a power")
def _(r):
    x, y, Ws, bs = _sample_net(15)
    ref = backprop_indexwise(x, y, Ws, bs)
    _, cache = layers.mlp_forward(x, Ws, bs, "tanh", "tanh")
    for l in range(1, len(Ws)):
        fd = _fd_grad(lambda v, l=l: _loss(_run_from(l, v, Ws, bs, "tanh"), y), cache["x"][l])
        r.close(f"x, l = {l}", ref["x"][l], fd, what=f"sum_h dl/ds_h^(l+1) w_hi vs central differences in x^({l})",
                **FD_TOL)
    r.close("x^(0) (summary, l = 1)", ref["x"][0], _fd_grad(lambda v: _loss(_run_from(0, v, Ws, bs, "tanh"), y), x),
            what="the summary form at l = 1, dl/dx_j^(0) = sum_i w_ij dl/ds_i^(1), vs central differences", **FD_TOL)


@entry(id="ee559-jacobian-notation", source=SRC, location="Back-propagation (notation)", kind="definition",
       statement=r"if \psi: R^N \to R^M, [\frac{\partial\psi}{\partial x}] = (\partial\psi_i/\partial x_j), M rows "
                 r"and N columns (the standard Jacobian); the backward pass uses [\partial\ell/\partial x^{(l)}] as a "
                 r"column, and 'a standard notation (that we do not use here) is [\partial\ell/\partial x^{(l)}] = "
                 r"\nabla_{x^{(l)}}\ell'",
       reading="declared notation, used consistently: [dpsi/dx] is the M x N Jacobian for a vector-valued psi, and "
               "for the scalar loss the bracket [dl/dx^(l)] is the gradient, a column laid out like x^(l), as the "
               "slide's remark equates it with nabla_{x^(l)} l (001's numerator layout would make it a 1 x N row; "
               "only the column makes (w^(l+1))^T [dl/ds^(l+1)] defined)")
def _(r):
    rng = np.random.default_rng(16)
    W = rng.normal(size=(2, 4))
    psi = lambda v: np.tanh(W @ v)  # noqa: E731  R^4 -> R^2
    x = rng.normal(size=4)
    hand = act.tanh_grad(W @ x)[:, None] * W
    fd = np.array([(psi(x + FD_EPS * e) - psi(x - FD_EPS * e)) / (2 * FD_EPS) for e in np.eye(4)]).T
    r.close("[dpsi/dx] is M x N", hand, fd, what="the 2 x 4 Jacobian (rows = outputs) of tanh(W x), "
                                                 "the numerator layout of 001", **FD_TOL)
    h = 1e-5 * rng.normal(size=4)
    r.claim("linear approximation", float(np.max(np.abs(psi(x + h) - psi(x) - hand @ h))) < 1e-9,
            "psi(x + h) ~ psi(x) + [dpsi/dx] h", what="the M x N matrix is the linear approximation of psi at x")
    xs, ys, Ws, bs = _sample_net(16)
    g = backprop_tensor(xs, ys, Ws, bs)
    row = _fd_grad(lambda v: _loss(_run_from(1, v, Ws, bs, "tanh"), ys),
                   layers.mlp_forward(xs, Ws, bs, "tanh", "tanh")[1]["x"][1])[None, :]
    r.close("[dl/dx^(l)] in the backward pass", g["x"][0], row[0],
            what="[dl/dx^(1)] = (w^(2))^T [dl/ds^(2)] of the backward pass vs central differences of l in x^(1): "
                 "the gradient, laid out like x^(1)", **FD_TOL)


@entry(id="ee559-matrix-derivative-notation", source=SRC, location="Back-propagation (notation)", kind="definition",
       statement=r"if \psi: R^{N \times M} \to R, [\frac{\partial\psi}{\partial w}] = (\partial\psi/\partial w_{i,j}), "
                 r"N rows and M columns (laid out like w); [[\partial\ell/\partial w^{(l)}]] in the backward pass",
       reading="declared notation, used consistently: the derivative of a scalar by an N x M matrix is laid out like "
               "the matrix (as mlp_ref's dL/dW and torch's .grad), where 001's numerator layout would give M x N; "
               "the backward pass's [[dl/dw^(l)]] = [dl/ds^(l)] (x^(l-1))^T and the update w - eta [[dl/dw]] use it")
def _(r):
    rng = np.random.default_rng(17)
    w = rng.normal(size=(3, 4))
    u, v = rng.normal(size=3), rng.normal(size=4)
    psi = lambda V: float(u @ np.tanh(V @ v))  # noqa: E731
    like_w = np.outer(u * act.tanh_grad(w @ v), v)  # (3, 4), entry (i, j) = dpsi/dw_ij
    fd = _fd_grad(psi, w)
    r.close("laid out like w", like_w, fd, what="[dpsi/dw] entry (i, j) = dpsi/dw_ij, a 3 x 4 matrix like w, vs "
                                                 "central differences", **FD_TOL)


# --------------------------------------------------------------------- Forward / backward pass
@entry(id="ee559-backward-activations", source=SRC, location="Backward pass", kind="formula",
       statement=r"[\frac{\partial\ell}{\partial x^{(l)}}] = \nabla_1 \ell'(x^{(L)}); if l < L, "
                 r"[\frac{\partial\ell}{\partial x^{(l)}}] = (w^{(l+1)})^T [\frac{\partial\ell}{\partial s^{(l+1)}}]",
       op=BP_OUTPUT_AS_WRITTEN, corrected=BP_TENSOR,
       corrected_statement=r"[\frac{\partial\ell}{\partial x^{(L)}}] = \nabla_1 \ell(x^{(L)}) (no prime; the first "
                           r"case is l = L); if l < L, [\frac{\partial\ell}{\partial x^{(l)}}] = (w^{(l+1)})^T "
                           r"[\frac{\partial\ell}{\partial s^{(l+1)}}]",
       reading="a cases display: the second line is 'if l < L', so the first line, printed for x^(l), is the case "
               "l = L (its right side is at x^(L)); the prime on l is checked as printed")
def _(r):
    x, y, Ws, bs = _sample_net(18)  # widths 3, 5, 4, 2
    g = backprop_tensor(x, y, Ws, bs)
    _, cache = layers.mlp_forward(x, Ws, bs, "tanh", "tanh")
    xL = cache["x"][-1]
    true_out = _fd_grad(lambda v: _loss(v, y), xL)
    h = 1e-4
    second = np.array([(_loss(xL + h * e, y) - 2 * _loss(xL, y) + _loss(xL - h * e, y)) / h ** 2
                       for e in np.eye(xL.size)])
    r.close("nabla_1 l'(x^(L))", second, true_out, corrected=g["x"][-1],
            what="nabla_1 l' read as d/dx_i (dl/dx_i) (computed by second differences) vs the output gradient",
            rtol=1e-5, atol=1e-6, severity="slip",
            why="a stray prime: l' is defined nowhere, and nabla_1 l, defined two slides before as the gradient of "
                "l in its first argument, is what the line uses; without the prime the result is right")
    L = len(Ws)
    for l in range(1, L):
        fd = _fd_grad(lambda v, l=l: _loss(_run_from(l, v, Ws, bs, "tanh"), y), cache["x"][l])
        r.close(f"l = {l} < L", g["x"][l - 1], fd, what=f"(w^(l+1))^T [dl/ds^(l+1)] vs central differences, l = {l}",
                **FD_TOL)


@entry(id="ee559-backward-ds", source=SRC, location="Backward pass", kind="formula",
       statement=r"[\frac{\partial\ell}{\partial s^{(l)}}] = [\frac{\partial\ell}{\partial x^{(l)}}] \odot "
                 r"\sigma'(s^{(l)})",
       op=BP_TENSOR)
def _(r):
    x, y, Ws, bs = _sample_net(19)
    for activation in ("tanh", "sigmoid"):
        g = backprop_tensor(x, y, Ws, bs, activation)
        _, ref = _reference_backprop(x, y, Ws, bs, activation)
        _, cache = layers.mlp_forward(x, Ws, bs, activation, activation)
        for l in range(1, len(Ws) + 1):
            fd = _fd_grad(lambda v, l=l: _loss(_run_from(l, v, Ws, bs, activation, start="s"), y), cache["s"][l - 1])
            r.close(f"l = {l}, {activation}", g["s"][l - 1], fd, what=f"[dl/dx] * sigma'(s) vs central differences "
                                                                     f"in s^({l}) ({activation})", **FD_TOL)
        r.close(f"vs mlp_backward, {activation}", g["b"][0], ref["b"][0],
                what="[dl/ds^(1)] vs mlp_ref.mlp_backward's bias gradient of layer 1")


@entry(id="ee559-backward-params", source=SRC, location="Backward pass", kind="formula",
       statement=r"[[\frac{\partial\ell}{\partial w^{(l)}}]] = [\frac{\partial\ell}{\partial s^{(l)}}] "
                 r"(x^{(l-1)})^T, [\frac{\partial\ell}{\partial b^{(l)}}] = [\frac{\partial\ell}{\partial s^{(l)}}]",
       op=BP_TENSOR)
def _(r):
    x, y, Ws, bs = _sample_net(20)
    g = backprop_tensor(x, y, Ws, bs)
    _, ref = _reference_backprop(x, y, Ws, bs, "tanh")
    for l in range(len(Ws)):
        r.close(f"w, l = {l + 1}", g["W"][l], ref["W"][l], what=f"[dl/ds](x^(l-1))^T vs mlp_backward, layer {l + 1}")
        r.close(f"b, l = {l + 1}", g["b"][l], ref["b"][l], what=f"[dl/db] = [dl/ds] vs mlp_backward, layer {l + 1}")
    fd = _fd_grad(lambda V: _loss(layers.mlp_forward(x, Ws[:2] + [V], bs, "tanh", "tanh")[0], y), Ws[2])
    r.close("w, l = 3 vs finite differences", g["W"][2], fd,
            what="[dl/ds^(3)] (x^(2))^T vs central differences in w^(3)", **FD_TOL)


@entry(id="ee559-gradient-step", source=SRC, location="Gradient step", kind="algorithm",
       statement=r"w^{(l)} \leftarrow w^{(l)} - \eta [[\frac{\partial\ell}{\partial w^{(l)}}]], "
                 r"b^{(l)} \leftarrow b^{(l)} - \eta [\frac{\partial\ell}{\partial b^{(l)}}]")
def _(r):
    x, y, Ws, bs = _sample_net(21)
    g = backprop_tensor(x, y, Ws, bs)
    eta = 1e-3
    Ws2 = [W - eta * dW for W, dW in zip(Ws, g["W"])]
    bs2 = [b - eta * db for b, db in zip(bs, g["b"])]
    r.close("update", np.concatenate([W.ravel() for W in Ws2]),
            np.concatenate([gradient_descent_step(W, dW, eta).ravel() for W, dW in zip(Ws, g["W"])]),
            what="the slide's update vs mlp_ref.gradient_descent_step")
    before = _loss(layers.mlp_forward(x, Ws, bs, "tanh", "tanh")[0], y)
    after = _loss(layers.mlp_forward(x, Ws2, bs2, "tanh", "tanh")[0], y)
    sq = sum(float(np.sum(a ** 2)) for a in g["W"] + g["b"])
    r.claim("loss decreases", after < before and abs((before - after) / (eta * sq) - 1) < 0.05,
            f"one step with eta = {eta:g} lowers l from {before:.6f} to {after:.6f}, "
            f"{(before - after) / (eta * sq):.3f} times the first-order prediction eta |grad|^2",
            what="one gradient step lowers the loss as its first-order term predicts")


# Representative MLPs for the cost rule: deep and equal-width, the course's MNIST shapes (784-256-10 and
# LeNet-300-100), a narrow-input classifier head and a wide-hidden one.
COST_NETS = ((100, 100, 100, 100, 100), (784, 256, 10), (784, 300, 100, 10), (64, 256, 256, 10), (10, 500, 500, 10))
# a stated factor in words, as the slide writes it
FACTORS = {"once": 1.0, "as expensive as": 1.0, "twice": 2.0, "three times": 3.0, "thrice": 3.0}


def _factor(text):
    """'twice' -> 2.0; a plain number as itself."""
    t = text.strip().lower()
    if t in FACTORS:
        return FACTORS[t]
    try:
        return float(t)
    except ValueError:
        raise ValueError(f"backward/forward: expected one of {sorted(FACTORS)} or a number, got {text!r}") from None


def _predicted_cost_ratio(sizes):
    """Backward/forward from the costly products when dl/dx^(0) is skipped: (2 sum_l |w^(l)| - |w^(1)|) / sum_l |w^(l)|.

    Returns (the ratio, the elementwise share (sum_l d_l + d_L) / sum_l |w^(l)| that the products leave out).
    """
    sizes_w = [sizes[l] * sizes[l - 1] for l in range(1, len(sizes))]
    return 2 - sizes_w[0] / sum(sizes_w), (sizes[-1] + sum(sizes[1:])) / sum(sizes_w)


@entry(id="ee559-backward-cost", source=SRC, location="Backward pass (computation)", kind="claim",
       statement=r"Regarding computation, since the costly operation for the forward pass is s^{(l)} = w^{(l)} "
                 r"x^{(l-1)} + b^{(l)} and for the backward [\partial\ell/\partial x^{(l)}] = (w^{(l+1)})^T "
                 r"[\partial\ell/\partial s^{(l+1)}] and [[\partial\ell/\partial w^{(l)}]] = [\partial\ell/\partial "
                 r"s^{(l)}] (x^{(l-1)})^T, the rule of thumb is that the backward pass is twice more expensive than "
                 r"the forward one. (Earlier: heavy computation is concentrated in linear operations.)",
       documented={"backward/forward": "twice"},
       reading="'twice more expensive' read as twice the cost (not three times). The rule of thumb follows the "
               "slide's count: per layer, one product the size of w^(l) forward and two backward, the input "
               "gradient (w^(l))^T [dl/ds^(l)] of every layer included, as the summary slide's dl/dx_j^(l-1) = "
               "sum_i w_ij^(l) dl/ds_i^(l) for l = 1..L computes it. Criterion, fixed before measuring: counted "
               "multiply-adds of one sample, backward/forward within 0.5 of the stated factor (nearer it than the "
               "next whole factors) for each of five representative MLPs: 100-100-100-100-100, 784-256-10, "
               "784-300-100-10, 64-256-256-10 and 10-500-500-10")
def _(r):
    factor = _factor(r.documented["backward/forward"])
    ratios, per_layer, share, skipped, agree = {}, {}, [], {}, True
    for sizes in COST_NETS:
        res = _counted_passes(sizes)
        agree &= bool(np.allclose(np.concatenate([a.ravel() for a in res["dW"] + res["db"]]),
                                  np.concatenate([a.ravel() for a in res["ref"]["W"] + res["ref"]["b"]]),
                                  rtol=1e-12, atol=1e-14))
        f, b = res["forward"].multiply_adds, res["backward"].multiply_adds
        ratios[sizes] = b / f
        per_layer[sizes] = [pb / pf for pb, pf in zip(res["per_layer_backward"], res["per_layer_forward"])]
        share.append(res["backward"].mul["linear"] / b)
        skipped[str(sizes)] = (b - res["dx0"]) / f
    listing = ", ".join(f"{'-'.join(map(str, k))}: {v:.3f}" for k, v in ratios.items())
    r.claim("backward/forward", all(abs(v - factor) < 0.5 for v in ratios.values()),
            f"backward/forward multiply-adds, one sample, every layer's input gradient computed: {listing} "
            f"(stated factor {factor:g}, criterion within 0.5)",
            what="the backward pass costs about the stated factor times the forward one", documented="backward/forward")
    r.claim("per layer", all(abs(p - 2) <= 1.01 / k[l] for k, v in per_layer.items() for l, p in enumerate(v)),
            "per layer, backward/forward is 2 within 1/d_(l-1) (the sigma' product adds d_l): "
            + "; ".join(f"{'-'.join(map(str, k))}: " + ", ".join(f"{p:.3f}" for p in v) for k, v in per_layer.items()),
            what="the slide's count: each layer's two backward products cost twice its forward product")
    r.claim("linear share", min(share) > 0.99,
            f"linear operations carry {min(share):.4f} or more of the backward multiply-adds",
            what="'heavy computation is concentrated in linear operations'")
    r.claim("counted passes are the real ones", agree,
            "the instrumented backward pass reproduces mlp_ref.mlp_backward's gradients for every size",
            what="the counted passes compute the gradients")
    r.value("backward/forward (every layer's input gradient)", {str(k): v for k, v in ratios.items()})
    r.value("backward/forward when dl/dx^(0) is skipped (the backward-pass slide's 'if l < L' for l >= 1; "
            "2 - |w^(1)| / sum_l |w^(l)| up to the elementwise products: near 1 where the first layer dominates)",
            skipped)


# ------------------------------------------------------------------------------ expected verdicts
# What the computation must derive, in document order; tests/test_catalog.py checks every row.
EXPECTED = {
    "ee559-mlp-recursion": "holds",
    "ee559-affine-layer": "holds",
    "ee559-affine-collapse": "erratum",
    "ee559-nonlinearity-needed": "holds",
    "ee559-tanh": "holds",
    "ee559-relu": "holds",
    "ee559-ua-sums": "holds",
    "ee559-ua-other-activations": "holds",
    "ee559-ua-sin": "holds",
    "ee559-ua-fourier": "holds",
    "ee559-ua-error-budget": "erratum",
    "ee559-ua-one-hidden-layer": "holds",
    "ee559-ua-larger-k": "holds",
    "ee559-mse": "erratum",
    "ee559-logistic-loss": "holds",
    "ee559-gradient-definition": "holds",
    "ee559-quadratic-model": "holds",
    "ee559-quadratic-argmin": "erratum",
    "ee559-gd-rule": "holds",
    "ee559-logistic-grad": "holds",
    "ee559-logistic-grad-code": "holds",
    "ee559-gd-loop": "holds",
    "ee559-gd-figures": "incomplete",
    "ee559-total-loss": "holds",
    "ee559-preactivations": "holds",
    "ee559-forward-pass": "holds",
    "ee559-chain-rule": "holds",
    "ee559-jacobian-composition": "holds",
    "ee559-bp-s-sum": "holds",
    "ee559-bp-dw": "holds",
    "ee559-bp-db": "holds",
    "ee559-bp-ds": "holds",
    "ee559-bp-output": "holds",
    "ee559-bp-dx": "holds",
    "ee559-jacobian-notation": "holds",
    "ee559-matrix-derivative-notation": "holds",
    "ee559-backward-activations": "erratum",
    "ee559-backward-ds": "holds",
    "ee559-backward-params": "holds",
    "ee559-gradient-step": "holds",
    "ee559-backward-cost": "holds",
}
INPUTS = {
    ("ee559-gd-loop", "training points"),  # the size of the data set the loop runs on
}
MISMATCHED_NUMBERS = set()
OTHER_READINGS = {}
CONVENTIONS = {}
SEVERITY = {
    "ee559-affine-collapse": "slip",  # "for all l < L" where the recursion must reach L
    "ee559-ua-error-budget": "transcription",  # underbrace labels broken in extraction
    "ee559-mse": "transcription",  # norm bars read as \ell
    "ee559-quadratic-argmin": "transcription",  # eta read as n in the local model
    "ee559-backward-activations": "slip",  # stray prime in nabla_1 l'(x^(L))
}
SAME_FAULT = {}
