"""The graded functions and their checks: inputs drawn from the ops' domains, expected values from mlp_ref.

Every check builds `Case`s: the call the worker makes (plain arrays and numbers only), the value
mlp_ref computes for it, the accepted alternatives (conventions the rubric allows) and the
near misses worth naming in feedback (a typical mistake computed on the same inputs).
Inputs come from `numpy.random.default_rng([seed, crc32(function), crc32(check)])`, so a
re-grade with the same rubric seed sees the same inputs, whatever other checks the rubric has.
"""
from __future__ import annotations

import functools
import inspect
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

import mlp_ref as R
from mlp_ref.registry import OPS


@dataclass
class Case:
    label: str
    func: str
    args: tuple
    kwargs: dict
    expected: Any
    dtype: str = "float64"  # the tolerance row (compare.TOLERANCES)
    mode: str = "call"  # "call", "mlp_backward" (student's forward cache), "numerical_gradient"
    select: int | None = None  # grade item [select] of a returned tuple
    extra: dict = field(default_factory=dict)  # "g" for mlp_backward, "f" arrays for numerical_gradient
    accept: list = field(default_factory=list)  # [(note, expected)] also accepted (conventions)
    near: list = field(default_factory=list)  # [(diagnosis, value)] typical mistakes on these inputs
    show: dict = field(default_factory=dict)  # inputs to print in feedback
    n_batch: int | None = None
    overflow_hint: str = ""  # named when the result is NaN/inf on large inputs


@dataclass
class Check:
    name: str
    description: str
    build: Callable


@dataclass
class GradedFunction:
    name: str
    formula: str
    shapes: str
    fn: tuple  # op fn names whose catalog entries document this function
    checks: dict
    summary: str = ""

    @property
    def params(self) -> tuple:
        return _params_of(self.name)

    def signature(self) -> str:
        sig = inspect.signature(getattr(R, self.name))
        params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
        return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


@functools.cache
def _params_of(name: str) -> tuple:
    """The parameter names of the reference function `name` (read for every call a grader makes)."""
    return tuple(inspect.signature(getattr(R, name)).parameters)


def rng_for(seed: int, function: str, check: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(function.encode()), zlib.crc32(check.encode())])


def _sample(op: str, rng, dtype=np.float64) -> dict:
    return OPS[op].sample(rng, dtype)


def _dt(dtype) -> str:
    return np.dtype(dtype).name


# ----------------------------------------------------------------------------- activations
def _activation(name, ref, dref, op, *, wrong_points=(), large=False, kink=False, large_hint="", params=()):
    """Checks for an elementwise activation (`dref` None) or its derivative; `params`: (name, values)
    of a documented parameter, each value graded on the same kind of inputs."""
    target = ref if dref is None else dref
    fname = name if dref is None else name + "_grad"

    def cases(rng, dtype, label, kw=None):
        kw = kw or {}
        z = _sample(op, rng, dtype)["z"]
        v = _sample(op, rng, dtype)["z"][0]
        out = []
        for arr, lab in ((z, f"{label} batch z {z.shape}"), (v, f"{label} vector z {v.shape}")):
            near = [(msg, f(arr)) for msg, f in wrong_points] if not kw else []
            if kw:
                near.append((f"ignores {', '.join(kw)}: your result is the one for the default value",
                             target(arr)))
            lab += "".join(f", {k}={v!r}" for k, v in kw.items())
            out.append(Case(lab, fname, (arr,), dict(kw), target(arr, **kw), _dt(dtype), near=near,
                            show={"z": arr, **kw}))
        return out

    checks = {
        "value": Check("value", f"float64 inputs from the {op} domain, a batch and a single vector",
                       lambda rng, conv: cases(rng, np.float64, "float64")),
        "float32": Check("float32", "float32 inputs: the result must be float32 too",
                         lambda rng, conv: cases(rng, np.float32, "float32")),
    }
    for pname, values in params:
        checks[pname] = Check(pname, f"{pname} = " + ", ".join(f"{v:g}" for v in values) + " passed explicitly",
                              lambda rng, conv, pname=pname, values=values:
                              [c for v in values for c in cases(rng, np.float64, "float64", {pname: v})])
    if large:
        hint = large_hint or (f"{name} overflows for |z| in the hundreds: exp of a large argument is inf; use "
                              "a form whose exponent is never positive, e.g. exp(-|z|)")

        def build_large(rng, conv):
            z = np.array([[-1000.0, -750.0, -100.0], [100.0, 750.0, 1000.0]]) + rng.uniform(-1, 1, (2, 3))
            return [Case(f"large inputs z {z.shape}", fname, (z,), {}, target(z), show={"z": z},
                         overflow_hint=hint)]
        checks["large_inputs"] = Check("large_inputs", "inputs of magnitude up to 1000 (no overflow)", build_large)
    if kink:
        def with_zeros(rng):
            z = _sample(op, rng)["z"]
            z.ravel()[rng.permutation(z.size)[: z.size // 3]] = 0.0
            return z

        def build_kink(rng, conv):
            accepted = conv["relu_grad_at_zero"]
            z = with_zeros(rng)
            exp = [R.relu_grad(z, at_zero=c) for c in accepted]
            others = [c for c in (0.0, 0.5, 1.0) if c not in accepted]
            acc_txt = " or ".join(f"{c:g}" for c in accepted)
            near = [(f"kink convention: your ReLU'(0) = {c:g}, and this course accepts {acc_txt}",
                     R.relu_grad(z, at_zero=c)) for c in others]
            return [Case(f"z {z.shape} with exact zeros", fname, (z,), {}, exp[0], near=near, show={"z": z},
                         accept=[(f"ReLU'(0) = {c:g}, an accepted convention", e) for c, e in zip(accepted[1:], exp[1:])])]

        def build_at_zero(rng, conv):
            z = with_zeros(rng)
            out = []
            for c in (0.5, 1.0, 0.0):
                near = [(f"ignores at_zero: your ReLU'(0) is {d:g} although at_zero={c:g} was passed",
                         R.relu_grad(z, at_zero=d)) for d in (0.0, 0.5, 1.0) if d != c]
                out.append(Case(f"z {z.shape} with exact zeros, at_zero={c:g}", fname, (z,), {"at_zero": c},
                                R.relu_grad(z, at_zero=c), near=near, show={"z": z, "at_zero": c}))
            return out
        checks["kink"] = Check("kink", "inputs exactly at the kink z = 0 (the rubric's accepted conventions)",
                               build_kink)
        checks["at_zero"] = Check("at_zero", "at_zero = 0.5, 1 and 0 passed explicitly, on inputs with exact zeros",
                                  build_at_zero)
    return checks


_SIGMOID_WRONG = (
    ("sigma' written as sigma: your sigmoid_grad returns sigma(z) itself; the derivative is "
     "sigma(z) (1 - sigma(z))", lambda z: R.sigmoid(z)),
    ("sign slip: your sigmoid_grad computes sigma(z) (1 + sigma(z)); the derivative is sigma(z) (1 - sigma(z))",
     lambda z: R.sigmoid(z) * (1 + R.sigmoid(z))),
    ("derivative evaluated at the wrong point: sigma'(sigma(z)) (sigmoid applied twice); "
     "evaluate sigma(z)(1 - sigma(z)) at the input z", lambda z: R.sigmoid_grad(R.sigmoid(z))),
    ("derivative evaluated at the wrong point: your sigmoid_grad computes z(1 - z), treating its input "
     "as the activation sigma(z); it receives the pre-activation z", lambda z: z * (1 - z)),
)
_TANH_WRONG = (
    ("square missing: your tanh_grad computes 1 - tanh(z); the derivative is 1 - tanh(z)^2",
     lambda z: 1 - R.tanh(z)),
    ("derivative evaluated at the wrong point: 1 - tanh(tanh(z))^2 (tanh applied twice)",
     lambda z: R.tanh_grad(R.tanh(z))),
    ("derivative evaluated at the wrong point: your tanh_grad computes 1 - z^2, treating its input as "
     "the activation tanh(z); it receives the pre-activation z", lambda z: 1 - z * z),
)


# -------------------------------------------------------------------------- softmax family
def _softmax_like(fname, ref, *, wrong_axis=True, vjp=False):
    def cases(rng, dtype, label):
        z = _sample("softmax", rng, dtype)["z"]
        v = _sample("softmax", rng, dtype)["z"][0]
        out = []
        for arr, lab in ((z, f"{label} batch z {z.shape}"), (v, f"{label} vector z {v.shape}")):
            if vjp:
                g = rng.normal(size=arr.shape).astype(dtype)
                p = R.softmax(arr)
                near = [("missing the - p <g, p> term: returned p * g (the diagonal of the Jacobian only)", p * g)]
                out.append(Case(lab, fname, (g, arr), {}, ref(g, arr), _dt(dtype), near=near,
                                show={"g": g, "z": arr}))
                continue
            near = []
            if wrong_axis and arr.ndim == 2:
                e = np.exp(arr - arr.max(axis=0, keepdims=True))
                sm0 = e / e.sum(axis=0, keepdims=True)
                near.append(("normalised over the wrong axis: over the batch (axis 0) instead of the classes "
                             "(the last axis)", sm0 if fname == "softmax" else np.log(sm0)))
            out.append(Case(lab, fname, (arr,), {}, ref(arr), _dt(dtype), near=near, show={"z": arr}))
        return out

    checks = {
        "value": Check("value", "float64 logits from the softmax domain, a batch (rows) and a vector",
                       lambda rng, conv: cases(rng, np.float64, "float64")),
        "float32": Check("float32", "float32 logits: the result must be float32 too",
                         lambda rng, conv: cases(rng, np.float32, "float32")),
    }
    if not vjp:
        def build_large(rng, conv):
            z = _large_logits(rng)
            hint = ("softmax overflow on large logits: e^z is inf for z > 709 (and 0 for z < -745), giving "
                    "inf/inf = NaN; subtract each row's maximum before exponentiating (the result is unchanged)")
            if fname == "log_softmax":
                hint += "; for the log, use z - max - log(sum(exp(z - max))) rather than log(softmax(z))"
            return [Case(f"large logits z {z.shape}", fname, (z,), {}, ref(z), show={"z": z}, overflow_hint=hint)]
        checks["large_logits"] = Check("large_logits", "logits around +-1000 and widely spread (no overflow)",
                                       build_large)
    return checks


def _large_logits(rng, n=4, k=3):
    z = rng.uniform(-5, 5, (n, k)) + np.array([[1000.0], [-1000.0], [0.0], [500.0]])[:n]
    z[2] = [-800.0, 0.0, 800.0][:k]
    return z


# --------------------------------------------------------------------------------- linear
def _linear_checks(backward: bool):
    fname = "linear_backward" if backward else "linear"

    def make(rng, dtype, label, *, vector=False, bias=True):
        s = _sample("affine", rng, dtype)
        W, x, b = s["W"], s["x"][0] if vector else s["x"], s["b"] if bias else None
        show = {"W": W, "x": x} | ({"b": b} if bias else {})
        lab = f"{label} W {W.shape}, x {x.shape}" + (", b" if bias else ", no bias")
        if not backward:
            args = (W, x, b) if bias else (W, x)
            return Case(lab, fname, args, {}, R.linear(W, x, b), _dt(dtype), show=show,
                        n_batch=None if vector else x.shape[0],
                        near=[("bias ignored: W x without + b", R.linear(W, x))] if bias else [])
        g = rng.normal(size=(W.shape[0],) if vector else (x.shape[0], W.shape[0])).astype(dtype)
        args = (g, W, x, b) if bias else (g, W, x)
        return Case(lab, fname, args, {}, R.linear_backward(g, W, x, b), _dt(dtype),
                    show={"g": g, **show}, n_batch=None if vector else x.shape[0])

    checks = {
        "value": Check("value", "a batch in rows with a bias, float64",
                       lambda rng, conv: [make(rng, np.float64, "float64")]),
        "single_vector": Check("single_vector", "a single input vector x of shape (D,)",
                               lambda rng, conv: [make(rng, np.float64, "float64", vector=True)]),
        "no_bias": Check("no_bias", "b = None (no bias term)",
                         lambda rng, conv: [make(rng, np.float64, "float64", bias=False)]),
        "float32": Check("float32", "float32 inputs: results must be float32 too",
                         lambda rng, conv: [make(rng, np.float32, "float32")]),
    }
    return checks


# --------------------------------------------------------------------------------- losses
def _loss_checks(fname, op, ref, *, grad, label_arg=None, default="sum", large=None, near=None, params=(),
                 single=False):
    """Checks for a loss (grad=False) or its gradient; `near(inputs, kw)` -> [(msg, value)];
    `params`: (name, values) of a documented parameter (Huber's delta); `single`: one sample
    given as o (K,) with an integer label y."""

    def call_case(lab, inputs, dtype, **kw):
        args = tuple(inputs.values())
        first = next(iter(inputs.values()))
        n = first.shape[0] if np.ndim(first) >= 1 and not single_case(inputs) else None
        exp = ref(*args, **kw)
        nm = near(inputs, kw) if near else []
        if grad and "g" in kw:  # the upstream gradient must scale the result
            nm.append(("ignores the upstream gradient g: your result is the one for g = 1",
                       ref(*args, **dict(kw, g=np.ones_like(kw["g"]) if np.ndim(kw["g"]) else 1.0))))
        return Case(lab, fname, args, kw, exp, _dt(dtype), show=dict(inputs, **{k: v for k, v in kw.items()}),
                    n_batch=n, near=nm)

    def single_case(inputs):
        return single and np.ndim(inputs.get("y")) == 0

    def value(rng, conv, dtype=np.float64, label="float64"):
        inputs = _sample(op, rng, dtype)
        return [call_case(f"{label} {_shapes(inputs)}, default reduction ({default})", inputs, dtype)]

    def reductions(rng, conv):
        inputs = _sample(op, rng)
        n = next(iter(inputs.values())).shape[0]
        out = []
        for red in ("sum", "mean", "none"):
            kw = {"reduction": red}
            if grad and red == "none":
                kw["g"] = rng.uniform(0.5, 2.0, n)
            elif grad and red == "sum":
                kw["g"] = 0.5
            out.append(call_case(f"{_shapes(inputs)}, reduction={red!r}" + (", upstream g" if "g" in kw else ""),
                                 inputs, np.float64, **kw))
        return out

    checks = {
        "value": Check("value", f"float64 inputs from the {op} domain, default reduction",
                       lambda rng, conv: value(rng, conv)),
        "reductions": Check("reductions", "reduction='sum', 'mean' and 'none'"
                            + (" with an upstream gradient g" if grad else ""), reductions),
        "float32": Check("float32", "float32 inputs: a float32 result (a scalar loss may be any float)",
                         lambda rng, conv: value(rng, conv, np.float32, "float32")),
    }
    for pname, values in params:
        def build_param(rng, conv, pname=pname, values=values):
            inputs = _sample(op, rng)
            out = []
            for v in values:
                c = call_case(f"{_shapes(inputs)}, {pname}={v:g}", inputs, np.float64, **{pname: v})
                c.near.append((f"ignores {pname}: your result is the one for the default {pname}", ref(*inputs.values())))
                out.append(c)
            return out
        checks[pname] = Check(pname, f"{pname} = " + ", ".join(f"{v:g}" for v in values) + " passed explicitly",
                              build_param)
    if single:
        def build_single(rng, conv):
            inputs = _sample(op, rng)
            o, y = inputs["o"][0], int(inputs["y"][0])
            return [call_case(f"one sample: o {o.shape}, y = {y} (an int)", {"o": o, "y": y}, np.float64)]
        checks["single_vector"] = Check("single_vector", "a single logit vector o of shape (K,) with an integer "
                                        "label y", build_single)
    if large:
        def build_large(rng, conv):
            inputs = large(rng)
            c = call_case(f"large {'logits' if large.logits else 'inputs'} {_shapes(inputs)}", inputs, np.float64)
            c.overflow_hint = large.hint
            c.near += [(msg, f(inputs)) for msg, f in getattr(large, "near", ())]
            return [c]
        name = "large_logits" if large.logits else "large_inputs"
        checks[name] = Check(name, large.description, build_large)
    return checks


def _shapes(inputs) -> str:
    return ", ".join(f"{k} {tuple(v.shape)}" for k, v in inputs.items())


def _bce_large(rng):
    a = np.array([-1000.0, -200.0, 200.0, 1000.0]) + rng.uniform(-1, 1, 4)
    y = np.array([1.0, 0.0, 1.0, 0.0])
    return {"a": a, "y": y}


_bce_large.hint = ("overflow on large logits: e^a is inf for a > 709, so log(1 + e^a) is inf and "
                   "log(sigmoid(a)) is log(0); use max(a, 0) + log1p(exp(-|a|)) - y a")


_bce_large.logits = True
_bce_large.description = "logits of magnitude up to 1000 (no overflow)"


def _se_large(rng):
    """yhat and y near 1e8 with O(1) differences: expanding (yhat - y)^2 cancels every digit."""
    y = 1e8 + rng.uniform(-10, 10, (4, 3))
    return {"yhat": y + rng.uniform(-2, 2, (4, 3)), "y": y}


_se_large.logits = False
_se_large.description = "yhat and y around 1e8 with differences of order 1 (no cancellation)"
_se_large.hint = ("precision lost on large inputs: yhat^2 - 2 yhat y + y^2 cancels all digits when yhat and y "
                  "are close; square the difference (yhat - y) instead")


def _huber_large(rng):
    y = rng.uniform(-1, 1, (4, 3))
    return {"yhat": y + rng.choice([-1.0, 1.0], (4, 3)) * rng.uniform(1e3, 1e6, (4, 3)), "y": y}


_huber_large.logits = False
_huber_large.description = "residuals up to 1e6, far beyond delta (the linear branch)"
_huber_large.hint = "NaN or infinity for large residuals: the linear branch delta (|r| - delta/2) is finite"


def _ce_large(rng):
    o = _large_logits(rng)
    return {"o": o, "y": np.array([0, 2, 1, 1], dtype=np.int64)}


_ce_large.logits = True
_ce_large.description = "logits of magnitude up to 1000 (no overflow)"
_ce_large.hint = ("softmax overflow on large logits: e^o is inf for o > 709; compute the log-sum-exp with "
                  "the row maximum subtracted: l = -o_y + max + log(sum(exp(o - max)))")


def _ce_near(fref):
    def near(inputs, kw):
        o, y = inputs["o"], inputs["y"]
        K = o.shape[-1]
        out = []
        for shift, how in ((-1, "y - 1"), (1, "y + 1")):
            out.append((f"off-by-one class index: your result matches class {how} (labels are 0-based: "
                        f"class y is row entry o[y], y in 0..{K - 1})", fref(o, (y + shift) % K, **kw)))
        if fref is R.softmax_cross_entropy_grad and np.ndim(y) == 1:
            if kw.get("reduction", "sum") == "sum" and "g" not in kw:
                out.append(("uses the logits o in place of softmax(o): o - onehot(y)",
                            o - np.eye(K, dtype=o.dtype)[y]))
                out.append(("labels used as one-hot rows: softmax(o) - y[:, None] subtracts the label value from "
                            "every class; y holds class indices, so subtract 1 at o[n, y_n] only",
                            R.softmax(o) - y[:, None]))
        return out
    return near


def _se_near(fref, grad):
    def near(inputs, kw):
        yhat, y = inputs["yhat"], inputs["y"]
        full = fref(yhat, y, **kw)
        if grad:
            return [("missing the factor 2 of d/dyhat (yhat - y)^2", full / 2),
                    ("sign flipped: 2 (y - yhat) instead of 2 (yhat - y)", -full)]
        return [("a factor 1/2 too many: 1/2 (yhat - y)^2 is the L2 loss, not the squared error", full / 2)]
    return near


def _bce_near(fref, grad):
    def near(inputs, kw):
        if not grad:
            return []
        return [("sign flipped: y - sigma(a) instead of sigma(a) - y (dE/da of -[y log sigma + (1-y) log(1-sigma)])",
                 -fref(inputs["a"], inputs["y"], **kw))]
    return near


# ------------------------------------------------------------------------------------- MLP
MLP_SIZES = (3, 5, 4)


def _mlp_inputs(rng, dtype):
    s = _sample("mlp", rng, dtype)
    Ws = [s["W1"], s["W2"]]
    bs = [s["b1"], s["b2"]]
    return s["x"], Ws, bs


def _mlp_forward_checks():
    def make(rng, dtype, label, activation, output="identity", bias=True, vector=False):
        x, Ws, bs = _mlp_inputs(rng, dtype)
        x = x[0] if vector else x
        bs = bs if bias else None
        exp, _ = R.mlp_forward(x, Ws, bs, activation, output)
        near = []
        if activation != output:
            near.append((f"the activation is applied to the output layer too; the last layer uses "
                         f"output_activation ({output} here)", R.mlp_forward(x, Ws, bs, activation, activation)[0]))
        if output != "identity":
            near.append(("output_activation ignored: the last layer is left linear",
                         R.mlp_forward(x, Ws, bs, activation, "identity")[0]))
        if bias:
            near.append(("biases ignored", R.mlp_forward(x, Ws, None, activation, output)[0]))
        return Case(f"{label} sizes {MLP_SIZES}, activation={activation!r}, output_activation={output!r}"
                    + ("" if bias else ", bs=None") + (f", one sample x {x.shape}" if vector else ""), "mlp_forward",
                    (x, Ws, bs), {"activation": activation, "output_activation": output}, exp, _dt(dtype),
                    select=0, near=near, show={"x": x, **{f"W{i + 1}": W for i, W in enumerate(Ws)},
                                                **{f"b{i + 1}": b for i, b in enumerate(bs or ())}},
                    n_batch=None if vector else x.shape[0])

    return {
        "value": Check("value", "a 3-5-4 network with tanh hidden units, identity output",
                       lambda rng, conv: [make(rng, np.float64, "float64", "tanh")]),
        "relu": Check("relu", "the same network with ReLU hidden units",
                      lambda rng, conv: [make(rng, np.float64, "float64", "relu")]),
        "output_activation": Check(
            "output_activation", "every documented activation: sigmoid/sigmoid, identity/tanh, relu/relu "
            "(hidden/output)", lambda rng, conv: [make(rng, np.float64, "float64", a, o) for a, o in (
                ("sigmoid", "sigmoid"), ("identity", "tanh"), ("relu", "relu"))]),
        "no_bias": Check("no_bias", "bs = None (no biases)",
                         lambda rng, conv: [make(rng, np.float64, "float64", "tanh", bias=False)]),
        "single_vector": Check("single_vector", "one sample x of shape (D_0,)",
                               lambda rng, conv: [make(rng, np.float64, "float64", "tanh", vector=True)]),
        "float32": Check("float32", "float32 inputs: a float32 output",
                         lambda rng, conv: [make(rng, np.float32, "float32", "tanh")]),
    }


def _mlp_backward_wrong_point(g, x, Ws, bs, activation):
    """The backward pass with sigma' evaluated at the layer output x^(l) instead of s^(l)."""
    from mlp_ref.layers import ACTIVATIONS

    _, cache = R.mlp_forward(x, Ws, bs, activation, "identity")
    dact = ACTIVATIONS[activation][1]
    dWs, dbs, dx = [None] * len(Ws), [None] * len(Ws), g
    for l in range(len(Ws), 0, -1):
        at = cache["x"][l]
        ds = dx * (np.ones_like(at) if l == len(Ws) else dact(at))
        gr = R.linear_backward(ds, Ws[l - 1], cache["x"][l - 1], None if bs is None else bs[l - 1])
        dWs[l - 1], dbs[l - 1], dx = gr["W"], gr.get("b"), gr["x"]
    return {"W": dWs, "b": dbs, "x": dx}


def _mlp_backward_checks():
    def make(rng, dtype, label, activation, output="identity", bias=True):
        x, Ws, bs = _mlp_inputs(rng, dtype)
        bs = bs if bias else None
        out, cache = R.mlp_forward(x, Ws, bs, activation, output)
        g = rng.normal(size=out.shape).astype(dtype)
        exp = R.mlp_backward(g, cache)
        if not bias:
            exp = {k: v for k, v in exp.items() if k != "b"}  # any 'b' (None or zeros) is accepted
        near = [("ignores the upstream gradient g: your result is the one for g = 1 everywhere",
                 R.mlp_backward(np.ones_like(g), cache))]
        if activation != "identity" and output == "identity":
            wrong = _mlp_backward_wrong_point(g, x, Ws, bs, activation)
            if not bias:
                wrong = {k: v for k, v in wrong.items() if k != "b"}
            near.append(("derivative evaluated at the wrong point: sigma' at the layer output x^(l) instead of at "
                         "the pre-activation s^(l)", wrong))
        return Case(f"{label} sizes {MLP_SIZES}, activation={activation!r}, output_activation={output!r}"
                    + ("" if bias else ", bs=None") + f", upstream g {g.shape}",
                    "mlp_backward", (x, Ws, bs), {"activation": activation, "output_activation": output},
                    exp, _dt(dtype), mode="mlp_backward", extra={"g": g}, near=near, n_batch=x.shape[0],
                    show={"g": g, "x": x, **{f"W{i + 1}": W for i, W in enumerate(Ws)},
                          **{f"b{i + 1}": b for i, b in enumerate(bs or ())}})

    return {
        "value": Check("value", "mlp_backward(g, cache) on the cache of your mlp_forward, tanh hidden units",
                       lambda rng, conv: [make(rng, np.float64, "float64", "tanh")]),
        "relu": Check("relu", "the same with ReLU hidden units",
                      lambda rng, conv: [make(rng, np.float64, "float64", "relu")]),
        "output_activation": Check("output_activation", "sigmoid hidden and output units",
                                   lambda rng, conv: [make(rng, np.float64, "float64", "sigmoid", "sigmoid")]),
        "no_bias": Check("no_bias", "a network without biases (bs = None)",
                         lambda rng, conv: [make(rng, np.float64, "float64", "tanh", bias=False)]),
        "float32": Check("float32", "float32 inputs: float32 gradients",
                         lambda rng, conv: [make(rng, np.float32, "float32", "tanh")]),
    }


# --------------------------------------------------------------------- gradient utilities
def numgrad_test_function(a, c):
    """E(w) = sum(a sin(w)) + 1/2 sum(c w^2): the function the worker hands to numerical_gradient."""
    return lambda w: np.sum(a * np.sin(w)) + 0.5 * np.sum(c * w * w)


def _numgrad_checks():
    def make(rng, method, eps=None, dtype=np.float64):
        w = rng.uniform(-2, 2, (3, 4)).astype(dtype)
        a = rng.uniform(0.5, 2, (3, 4)).astype(dtype)
        c = rng.uniform(0.5, 2, (3, 4)).astype(dtype)
        exact = a * np.cos(w) + c * w
        kw = ({} if method is None else {"method": method}) | ({} if eps is None else {"eps": eps})
        lab = f"{np.dtype(dtype).name} w {w.shape}, E(w) = sum(a sin(w)) + 1/2 sum(c w^2), " + (
            ", ".join(f"{k}={v!r}" for k, v in kw.items()) or "default method and eps")
        near = [("divides by 2 eps in a one-sided difference (or by eps in a central one)", exact / 2),
                ("sign flipped: (E(w) - E(w + eps)) / eps", -exact)]
        expected, tol = exact, "finite_difference"
        if eps is not None and dtype == np.float64:
            # a step this large leaves a truncation error the check can see: the expected value is the
            # difference quotient with this eps (the reference's), the exact gradient is what ignoring eps gives
            expected, tol = R.numerical_gradient(numgrad_test_function(a, c), w, eps=eps, method=method), "float64"
            near.append(("ignores eps: your result is the one for the default step 1e-6 (the exact gradient "
                         "up to ~1e-6)", exact, "finite_difference"))
        elif dtype == np.float32:
            tol = "finite_difference_float32"
        return Case(lab, "numerical_gradient", (w,), kw, expected.astype(dtype), tol, mode="numerical_gradient",
                    extra={"f": [a, c]}, show={"w": w, "a": a, "c": c, **kw}, near=near)

    return {
        "forward": Check("forward", "the default (forward difference) against the exact gradient",
                         lambda rng, conv: [make(rng, None)]),
        "central": Check("central", "method='central' against the exact gradient",
                         lambda rng, conv: [make(rng, "central")]),
        "eps": Check("eps", "eps = 0.01 with method 'forward' and 'central': the difference quotient with that step",
                     lambda rng, conv: [make(rng, "forward", 1e-2), make(rng, "central", 1e-2)]),
        "float32": Check("float32", "float32 w and E (method='central', eps=0.01): a float32 gradient",
                         lambda rng, conv: [make(rng, "central", 1e-2, np.float32)]),
    }


def _gd_checks():
    def make(rng, dtype, label):
        W = rng.uniform(-1, 1, (5, 3)).astype(dtype)
        grad = rng.normal(size=(5, 3)).astype(dtype)
        lr = 0.1
        return Case(f"{label} W {W.shape}, lr = {lr}", "gradient_descent_step", (W, grad, lr), {},
                    R.gradient_descent_step(W, grad, lr), _dt(dtype), show={"W": W, "grad": grad, "lr": lr},
                    near=[("moves uphill: W + lr grad instead of W - lr grad", W + lr * grad)])

    return {
        "value": Check("value", "one step with lr = 0.1", lambda rng, conv: [make(rng, np.float64, "float64")]),
        "float32": Check("float32", "float32 weights stay float32",
                         lambda rng, conv: [make(rng, np.float32, "float32")]),
    }


# ------------------------------------------------------------------------------ the table
def _gf(name, formula, shapes, fn, checks, summary=""):
    return name, GradedFunction(name, formula, shapes, fn, checks, summary)


_ELEMENTWISE = "z: any shape, float32 or float64. Returns an array of the same shape and dtype (elementwise)."
_LOSS_RED = ("reduction: 'sum' (sum over the samples, axis 0), 'mean' (divide the sum by N) or 'none' "
             "(one value per sample).")
_GRAD_RED = ("g: the upstream gradient of the reduced loss, a scalar for 'sum'/'mean' and shape (N,) for "
             "'none'. Returns an array shaped like the first argument.")

FUNCTIONS: dict[str, GradedFunction] = dict([
    _gf("sigmoid", "sigma(z) = 1 / (1 + e^{-z})", _ELEMENTWISE, ("sigmoid",),
        _activation("sigmoid", R.sigmoid, None, "sigmoid", large=True), "Logistic sigmoid."),
    _gf("sigmoid_grad", "sigma'(z) = sigma(z) (1 - sigma(z)), at the pre-activation z", _ELEMENTWISE, ("sigmoid",),
        _activation("sigmoid", R.sigmoid, R.sigmoid_grad, "sigmoid", wrong_points=_SIGMOID_WRONG),
        "Derivative of the sigmoid."),
    _gf("tanh", "tanh(z) = (e^{2z} - 1) / (e^{2z} + 1)", _ELEMENTWISE, ("tanh",),
        _activation("tanh", R.tanh, None, "tanh", large=True, large_hint=(
            "tanh overflows for large |z|: (e^{2z} - 1)/(e^{2z} + 1) is inf/inf = NaN for z > 355; use np.tanh, "
            "or 1 - 2/(e^{2z} + 1) for z >= 0 and its mirror image for z < 0")), "Hyperbolic tangent."),
    _gf("tanh_grad", "tanh'(z) = 1 - tanh(z)^2, at the pre-activation z", _ELEMENTWISE, ("tanh",),
        _activation("tanh", R.tanh, R.tanh_grad, "tanh", wrong_points=_TANH_WRONG), "Derivative of tanh."),
    _gf("relu", "ReLU(z) = max(0, z)", _ELEMENTWISE, ("relu",),
        _activation("relu", R.relu, None, "relu"), "Rectified linear unit."),
    _gf("relu_grad", "ReLU'(z) = 1 for z > 0, 0 for z < 0; at z = 0 the value `at_zero`",
        _ELEMENTWISE + " at_zero: the value returned where z == 0.", ("relu",),
        _activation("relu", R.relu, R.relu_grad, "relu", kink=True), "Derivative of ReLU."),
    _gf("softmax", "softmax(z)_k = e^{z_k} / sum_j e^{z_j}, over the last axis",
        "z: (K,) or a batch in rows (N, K). Returns the same shape; each row sums to 1. Must not overflow "
        "for large logits.", ("softmax",), _softmax_like("softmax", R.softmax), "Softmax over the last axis."),
    _gf("log_softmax", "log softmax(z)_k = z_k - log sum_j e^{z_j}, over the last axis",
        "z: (K,) or (N, K). Returns the same shape. Must stay finite for large logits.", ("log_softmax",),
        _softmax_like("log_softmax", R.log_softmax), "Log of the softmax."),
    _gf("softmax_vjp", "g^T J_softmax(z) = p * (g - sum_k g_k p_k) row-wise, with p = softmax(z)",
        "g, z: (K,) or (N, K), g shaped like z. Returns the same shape (do not form the K x K Jacobian).",
        ("softmax",), _softmax_like("softmax_vjp", R.softmax_vjp, vjp=True),
        "Vector-Jacobian product of the softmax."),
    _gf("linear", "s = W x + b (a batch in rows: s = x W^T + b)",
        "W: (H, D); x: (D,) or a batch in rows (N, D); b: (H,) or None. Returns s: (H,) or (N, H).",
        ("linear", "affine"), _linear_checks(False), "Fully connected (affine) layer, forward."),
    _gf("linear_backward",
        "given g = dL/ds: dL/dW = sum_n g_n x_n^T, dL/dx = g W, dL/db = sum_n g_n",
        "g: shaped like s, (H,) or (N, H); W: (H, D); x: (D,) or (N, D); b: (H,) or None. Returns a dict "
        "{'W': (H, D), 'x': shaped like x, 'b': (H,)} (no 'b' needed when b is None).",
        ("linear", "affine"), _linear_checks(True), "Fully connected layer, backward."),
    _gf("squared_error", "E = sum_n ||yhat_n - y_n||^2",
        "yhat, y: (N, K). " + _LOSS_RED + " Returns a scalar, or (N,) for 'none'.", ("squared_error",),
        _loss_checks("squared_error", "squared_error", R.squared_error, grad=False,
                     near=_se_near(R.squared_error, False), large=_se_large), "Squared-error loss."),
    _gf("squared_error_grad", "dE/dyhat = 2 (yhat - y), times g and the reduction's 1/N for 'mean'",
        "yhat, y: (N, K). " + _LOSS_RED + " " + _GRAD_RED, ("squared_error",),
        _loss_checks("squared_error_grad", "squared_error", R.squared_error_grad, grad=True,
                     near=_se_near(R.squared_error_grad, True), large=_se_large), "Gradient of the squared error."),
    _gf("mse", "MSE = 1/N sum_n ||yhat_n - y_n||^2 (reduction 'mean' by default)",
        "yhat, y: (N, K). " + _LOSS_RED + " Returns a scalar, or (N,) for 'none'.", ("mse",),
        _loss_checks("mse", "mse", R.mse, grad=False, default="mean", large=_se_large), "Mean squared error."),
    _gf("mse_grad", "dMSE/dyhat = 2/N (yhat - y), times g",
        "yhat, y: (N, K). " + _LOSS_RED + " " + _GRAD_RED, ("mse",),
        _loss_checks("mse_grad", "mse", R.mse_grad, grad=True, default="mean", large=_se_large),
        "Gradient of the MSE."),
    _gf("binary_cross_entropy_with_logits", "E = sum_n [log(1 + e^{a_n}) - y_n a_n] (sigmoid + BCE on logits a)",
        "a: (N,) logits; y: (N,) targets in {0, 1}, same dtype. " + _LOSS_RED
        + " Returns a scalar, or (N,) for 'none'. Must stay finite for |a| up to 1000.",
        ("binary_cross_entropy_with_logits",),
        _loss_checks("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits",
                     R.binary_cross_entropy_with_logits, grad=False, large=_bce_large),
        "Binary cross-entropy on logits."),
    _gf("binary_cross_entropy_with_logits_grad", "dE/da = sigma(a) - y, times g (and 1/N for 'mean')",
        "a, y: (N,). " + _LOSS_RED + " " + _GRAD_RED, ("binary_cross_entropy_with_logits",),
        _loss_checks("binary_cross_entropy_with_logits_grad", "binary_cross_entropy_with_logits",
                     R.binary_cross_entropy_with_logits_grad, grad=True, large=_bce_large,
                     near=_bce_near(R.binary_cross_entropy_with_logits_grad, True)),
        "Gradient of the binary cross-entropy on logits."),
    _gf("softmax_cross_entropy", "l_n = -o_{n, y_n} + log sum_k e^{o_{n, k}} = -log softmax(o_n)_{y_n}",
        "o: (N, K) logits (or one sample (K,) with an integer y); y: (N,) integer labels, 0-based (0..K-1). "
        + _LOSS_RED
        + " Returns a scalar, or (N,) for 'none'. Must stay finite for large logits.",
        ("softmax_cross_entropy",),
        _loss_checks("softmax_cross_entropy", "softmax_cross_entropy", R.softmax_cross_entropy, grad=False,
                     large=_ce_large, near=_ce_near(R.softmax_cross_entropy), single=True),
        "Softmax + cross-entropy on logits and integer labels."),
    _gf("softmax_cross_entropy_grad", "dl/do = softmax(o) - onehot(y), times g (and 1/N for 'mean')",
        "o: (N, K) (or (K,) with an integer y); y: (N,) 0-based labels. " + _LOSS_RED + " " + _GRAD_RED, ("softmax_cross_entropy",),
        _loss_checks("softmax_cross_entropy_grad", "softmax_cross_entropy", R.softmax_cross_entropy_grad,
                     grad=True, large=_ce_large, near=_ce_near(R.softmax_cross_entropy_grad), single=True),
        "Gradient of softmax + cross-entropy with respect to the logits."),
    _gf("mlp_forward",
        "x^(0) = x; s^(l) = W^(l) x^(l-1) + b^(l); x^(l) = sigma(s^(l)), the last layer using output_activation",
        "x: (N, D_0) or (D_0,); Ws: list of W^(l) of shape (D_l, D_(l-1)); bs: list of (D_l,) or None; "
        "activation / output_activation: 'relu', 'tanh', 'sigmoid' or 'identity'. Returns (x^(L), cache): "
        "the output (N, D_L) and whatever your mlp_backward needs.", ("mlp",), _mlp_forward_checks(),
        "Forward pass of a multi-layer perceptron."),
    _gf("mlp_backward",
        "given g = dl/dx^(L): dl/ds^(l) = dl/dx^(l) * sigma'(s^(l)); dl/dW^(l) = sum_n dl/ds^(l) x^(l-1)^T; "
        "dl/db^(l) = sum_n dl/ds^(l); dl/dx^(l-1) = dl/ds^(l) W^(l)",
        "g: shaped like the output; cache: what your mlp_forward returned. Returns a dict {'W': [dl/dW^(1), "
        "...], 'b': [dl/db^(1), ...], 'x': dl/dx^(0)} (sums over the batch).", ("mlp",),
        _mlp_backward_checks(), "Backward pass of the MLP (graded on the cache of your own mlp_forward)."),
    _gf("numerical_gradient",
        "dE/dw_i ~ (E(w + eps e_i) - E(w)) / eps ('forward'); (E(w + eps e_i) - E(w - eps e_i)) / (2 eps) "
        "('central')",
        "f: a function of an array shaped like w returning a scalar; w: any shape. Returns an array shaped "
        "like w.", (), _numgrad_checks(), "Finite-difference gradient."),
    _gf("leaky_relu", "LeakyReLU(z) = max(slope z, z), 0 < slope < 1", _ELEMENTWISE + " slope: the slope for z < 0.",
        ("leaky_relu",), _activation("leaky_relu", R.leaky_relu, None, "leaky_relu", params=(("slope", (0.01, 0.3)),)),
        "Leaky ReLU."),
    _gf("leaky_relu_grad", "LeakyReLU'(z) = 1 for z > 0, slope for z < 0; at z = 0 the value `at_zero`",
        _ELEMENTWISE + " slope: the slope for z < 0; at_zero: the value returned where z == 0.", ("leaky_relu",),
        _activation("leaky_relu", R.leaky_relu, R.leaky_relu_grad, "leaky_relu",
                    params=(("slope", (0.01, 0.3)), ("at_zero", (0.0, 0.5)))), "Derivative of the leaky ReLU."),
    _gf("elu", "ELU(z) = z for z >= 0, alpha (e^z - 1) for z < 0", _ELEMENTWISE + " alpha: the scale for z < 0.",
        ("elu",), _activation("elu", R.elu, None, "elu", params=(("alpha", (0.5, 2.0)),)), "Exponential linear unit."),
    _gf("elu_grad", "ELU'(z) = 1 for z > 0, alpha e^z for z < 0; at z = 0 the value `at_zero`",
        _ELEMENTWISE + " alpha: the scale for z < 0; at_zero: the value returned where z == 0.",
        ("elu",), _activation("elu", R.elu, R.elu_grad, "elu", params=(("alpha", (0.5, 2.0)), ("at_zero", (0.0, 0.5)))),
        "Derivative of the ELU."),
    _gf("swish", "swish(z) = z sigma(z)", _ELEMENTWISE, ("swish",),
        _activation("swish", R.swish, None, "swish", large=True), "Swish (SiLU)."),
    _gf("swish_grad", "swish'(z) = sigma(z) + z sigma(z) (1 - sigma(z))", _ELEMENTWISE, ("swish",),
        _activation("swish", R.swish, R.swish_grad, "swish", large=True), "Derivative of swish."),
    _gf("huber", "H = r^2 / 2 for |r| <= delta, delta (|r| - delta / 2) beyond, with r = yhat - y",
        "yhat, y: (N, K). delta > 0. " + _LOSS_RED + " Default 'mean'. Returns a scalar, or (N,) for 'none'.",
        ("huber",), _loss_checks("huber", "huber", R.huber, grad=False, default="mean", params=(("delta", (0.5, 2.0)),),
                                 large=_huber_large), "Huber loss."),
    _gf("huber_grad", "dH/dyhat = r for |r| <= delta, delta sign(r) beyond, times g (and 1/N for 'mean')",
        "yhat, y: (N, K). delta > 0. " + _LOSS_RED + " " + _GRAD_RED, ("huber",),
        _loss_checks("huber_grad", "huber", R.huber_grad, grad=True, default="mean", params=(("delta", (0.5, 2.0)),),
                     large=_huber_large), "Gradient of the Huber loss."),
    _gf("gradient_descent_step", "W_new = W - lr * grad",
        "W, grad: the same shape; lr > 0. Returns a new array (W itself is not modified).", (), _gd_checks(),
        "One gradient-descent step."),
])


def build_cases(function: str, check: str, seed: int, conventions: dict) -> list[Case]:
    """The cases of one rubric item, deterministic in (seed, function, check)."""
    return FUNCTIONS[function].checks[check].build(rng_for(seed, function, check), conventions)
