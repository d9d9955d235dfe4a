"""Checks for the `pairs` and `layers` interface styles, one unit at a time (forward, backward,
stale cache, float32, shapes; losses; the optimizer), and the table of graded units.

Every check is a list of plain-data steps (`steps.Script`) run in the worker; what comes back is
compared here with the reference, computed in the reference's layout and converted to the course's
(`interface.Interface.pack`). Inputs come from the rubric's seed as for the function style.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import mlp_ref as R

from .checks import Case, Check
from .interface import Interface, Unit, op_backward, op_forward
from .references import CITES
from .steps import Script, grad_names

D, H, N = 3, 5, 4  # a unit check's input size, output size and batch (D != H: a transpose shows)
NET = (3, 5, 4, 3)  # the composition's sizes: two hidden layers


# ------------------------------------------------------------------------------ inputs
def _x(rng, op, n, d, dtype):
    if op == "relu":  # away from the kink, so both conventions for ReLU'(0) agree
        x = rng.uniform(0.1, 2.0, (n, d)) * rng.choice([-1.0, 1.0], (n, d))
    else:
        x = rng.uniform(-2.0, 2.0, (n, d))
    return x.astype(dtype)


def draw_labels(rng, op, n, k, dtype):
    y = rng.integers(0, k, n)
    return y if op == "softmax_cross_entropy" else np.eye(k, dtype=dtype)[y]


def _loss_input(rng, op, n, k, dtype):
    z = rng.normal(size=(n, k)).astype(dtype)
    return R.softmax(z) if op == "cross_entropy" else z


def draw_params(rng, d, h, dtype):
    return rng.uniform(-1, 1, (h, d)).astype(dtype), rng.uniform(-0.5, 0.5, h).astype(dtype)


# ------------------------------------------------------------------------ expectations
def _course_grads(iface: Interface, unit: Unit, grads: dict, names: dict) -> dict:
    out = {names["x"]: grads["x"]}
    if unit.has_params:
        packed = iface.pack(grads["W"], grads["b"])
        out |= {names[r]: v for r, v in packed.items()}
    return out


def _near_backward(iface, unit, x, g, params, names, ref_grads) -> list:
    """Typical mistakes of a backward pass, on these inputs, in the course's layout."""
    near = []
    if unit.has_params:
        wrong = iface.pack_wrong_side(ref_grads["W"], ref_grads["b"])
        if wrong is not None:
            near.append((f"bias folded on the wrong side: the bias entries of your {names['weights']} are in the first "
                         f"{'row' if iface.bias == 'last_row' else 'column'}; this course keeps them in the last (the "
                         "input gets a trailing column of ones)", {names["weights"]: wrong}))
        Mg = iface.pack(ref_grads["W"], ref_grads["b"])["weights"]
        if Mg.shape[0] != Mg.shape[1]:
            near.append(("transposed weight gradient: your gradient is laid out as the other convention's W "
                         f"({'(outputs, inputs)' if iface.weight_layout == 'in_out' else '(inputs, outputs)'})",
                         {names["weights"]: Mg.T}))
    else:
        op = unit.op
        if op == "relu":
            near.append(("ReLU backward masked with the upstream gradient (g > 0) instead of the forward input "
                         "(x > 0)", {names["x"]: g * (g > 0)}))
        if op in ("sigmoid", "tanh"):
            f, df = getattr(R, op), getattr(R, op + "_grad")
            near.append((f"derivative evaluated at the wrong point: {op}'({op}(x)), the derivative applied to the "
                         "layer's output; use the cached input, or the output y in the formula for y'",
                         {names["x"]: g * df(f(x))}))
            near.append((f"derivative evaluated at the wrong point: the cached forward input x is used as if it were "
                         f"the output {op}(x)", {names["x"]: g * (x * (1 - x) if op == "sigmoid" else 1 - x * x)}))
        near.append(("ignores the upstream gradient: your result is the local derivative alone (error_tensor / "
                     "dout not multiplied in)", {names["x"]: op_backward(op, np.ones_like(g), x)["x"]}))
    return near


# ------------------------------------------------------------------------------ optimizer
def _optimizer_case(iface, unit, rng, dtype=np.float64) -> Case:
    """The course's optimizer class: constructed with a learning rate, one calculate_update."""
    lr = 0.05
    w = iface.pack(*draw_params(rng, D, H, dtype))["weights"]
    g = rng.normal(size=w.shape).astype(dtype)
    sc = Script(iface)
    s = sc.construct(unit, lr=lr)
    sc.add({"do": "call", "obj": s, "fn": unit.forward, "args": [w, g], "ret": True,
            "label": f"{unit.name}.{unit.forward}"}, ["updated weights"])
    dt = np.dtype(dtype).name
    return Case(f"{dt} weights {w.shape}, gradient {g.shape}, learning_rate = {lr}", unit.name, (), {},
                {"updated weights": R.gradient_descent_step(w, g, lr)}, dt, mode="steps",
                near=[("moves uphill: weights + learning_rate * gradient instead of minus", {"updated weights": w + lr * g}),
                      ("ignores the learning rate (a step of 1)", {"updated weights": w - g})],
                extra={"steps": sc.steps, "names": sc.names}, show={"weights": w, "gradient": g, "learning_rate": lr})


# ----------------------------------------------------------------------------- unit checks
def _unit_case(iface, unit, rng, kind, dtype=np.float64, n=N, with_output=False) -> Case:
    """forward, backward, stale_cache or float32/shapes (a backward that also compares the forward
    output, `with_output`) of one non-loss unit."""
    d, h = (D, H) if unit.has_params else (D, D)
    params = draw_params(rng, d, h, dtype) if unit.has_params else None
    x = _x(rng, unit.op, n, d, dtype)
    sc = Script(iface)
    s = sc.construct(unit, *(params or (None, None)))
    dt = np.dtype(dtype).name
    if kind == "forward":
        sc.forward(unit, s, x, ret="output")
        exp = {"output": op_forward(unit.op, x, params)}
        near = []
        if unit.has_params and iface.bias != "separate":
            C = iface.pack(*params)["weights"]
            wrong = x @ C[1:] + C[0] if iface.bias == "last_row" else x @ C[:, 1:].T + C[:, 0]
            near.append(("bias folded on the wrong side: your layer reads the bias from the first "
                         f"{'row' if iface.bias == 'last_row' else 'column'} of {iface.weights} (a column of ones "
                         "put before the input); this course keeps it last", {"output": wrong}))
        label = f"{dt} x {x.shape}" + (f", W {params[0].shape} in the reference's layout" if params else "")
        return Case(label, unit.name, (), {}, exp, dt, mode="steps", n_batch=n, near=near,
                    extra={"steps": sc.steps, "names": sc.names}, show=_show(iface, x=x, params=params))
    g = rng.normal(size=(n, h)).astype(dtype)
    names = grad_names(iface, unit)
    first = sc.forward(unit, s, x, ret="forward output" if with_output else None)
    cache_of = None
    if kind == "stale_cache":
        x2 = _x(rng, unit.op, n, d, dtype)
        if iface.style == "pairs":  # backward with the FIRST call's cache: it must still describe x
            cache_of = first.slot
            sc.forward(unit, s, x2)
            x_used, x_other = x, x2
        else:  # a second forward: backward must use the latest input
            sc.forward(unit, s, x2)
            x_used, x_other = x2, x
    else:
        x_used = x
    sc.backward(unit, s, g, ret=names, cache_of=cache_of)
    ref = op_backward(unit.op, g, x_used, params)
    exp = ({"forward output": op_forward(unit.op, x, params)} if with_output else {}) | _course_grads(
        iface, unit, ref, names)
    near = _near_backward(iface, unit, x_used, g, params, names, ref)
    if kind == "stale_cache":
        stale = _course_grads(iface, unit, op_backward(unit.op, g, x_other, params), names)
        msg = ("stale cache: backward used the input of the earlier forward call; forward must store the input "
               "of the current call" if iface.style == "layers" else
               "the cache of the first call was overwritten by the second call (state shared between calls, e.g. "
               "a global or an array reused in place): each forward must return its own cache")
        near.insert(0, (msg, stale))
    label = f"{dt} x {x.shape}, upstream gradient {g.shape}" + (
        ", two forward calls before backward" if kind == "stale_cache" else "")
    return Case(label, unit.name, (), {}, exp, dt, mode="steps", n_batch=n, near=near,
                extra={"steps": sc.steps, "names": sc.names}, show=_show(iface, x=x, g=g, params=params))


def _loss_case(iface, unit, rng, kind, dtype=np.float64, n=N, k=3) -> Case:
    z = _loss_input(rng, unit.op, n, k, dtype)
    y = draw_labels(rng, unit.op, n, k, dtype)
    sc = Script(iface)
    s = sc.construct(unit)
    names = {"loss": "loss", "grad": grad_names(iface, unit)["x"] if iface.style == "layers" else "dx"}
    want_grad = kind != "forward"
    sc.loss(unit, s, z, y, "loss", names["grad"] if want_grad else None, grad=want_grad)
    exp = {"loss": np.asarray(op_forward(unit.op, z, labels=y, reduction=unit.reduction), dtype=dtype)}
    if want_grad:
        exp[names["grad"]] = op_backward(unit.op, None, z, labels=y, reduction=unit.reduction)["x"]
    near = []
    if unit.op == "softmax_cross_entropy":
        for shift, how in ((-1, "y - 1"), (1, "y + 1")):
            near.append((f"off-by-one class index: your result matches class {how} (labels are 0-based)",
                         {"loss": op_forward(unit.op, z, labels=(y + shift) % k, reduction=unit.reduction)}))
    what = "probabilities" if unit.op == "cross_entropy" else "logits"
    lab = f"{np.dtype(dtype).name} {what} {z.shape}, labels " + ("one-hot" if y.ndim == 2 else "as integers") + (
        f", {unit.reduction} over the batch")
    return Case(lab, unit.name, (), {}, exp, np.dtype(dtype).name, mode="steps", n_batch=n, near=near,
                extra={"steps": sc.steps, "names": sc.names}, show={"input": z, "labels": y})


def _show(iface, x=None, g=None, params=None) -> dict:
    out = {}
    if x is not None:
        out["x"] = x
    if params is not None:
        out |= {f"{r} (course layout)": v for r, v in iface.pack(*params).items()}
    if g is not None:
        out["upstream gradient"] = g
    return out


# ---------------------------------------------------------------------- the graded units
@dataclass
class GradedUnit:
    """What the grader and the template need of a graded name: formula, shapes, source, checks."""

    name: str
    formula: str
    shapes: str
    fn: tuple
    checks: dict
    summary: str = ""
    where: str = ""


OP_TEXT = {
    "affine": ("s = W x + b for each sample (a batch in rows)", ("linear", "affine"), "linear"),
    "relu": ("ReLU(x) = max(0, x); backward: g * [x > 0]", ("relu",), "relu"),
    "sigmoid": ("sigma(x) = 1 / (1 + e^{-x}); backward: g * sigma(x) (1 - sigma(x))", ("sigmoid",), "sigmoid"),
    "tanh": ("tanh(x); backward: g * (1 - tanh(x)^2)", ("tanh",), "tanh"),
    "softmax": ("softmax(x)_k = e^{x_k} / sum_j e^{x_j} per row; backward: p * (g - sum_k g_k p_k)", ("softmax",),
                "softmax"),
    "softmax_cross_entropy": ("l = -log softmax(x)_y per sample (integer labels y); dl/dx = softmax(x) - onehot(y)",
                              ("softmax_cross_entropy",), "softmax_cross_entropy"),
    "cross_entropy": ("E = -sum_n sum_k y_nk log p_nk (probabilities p, one-hot labels); dE/dp = -y / p",
                      ("categorical_cross_entropy",), "softmax_cross_entropy"),
    "sgd": ("w_new = w - learning_rate * gradient", (), "gradient_descent_step"),
}
OPTIMIZER_CHECKS = {
    "value": "one update of float64 weights with learning_rate 0.05",
    "float32": "float32 weights and gradient: float32 updated weights",
}

OP_NAMES = {"affine": "fully connected (affine) layer", "relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh",
            "softmax": "softmax", "softmax_cross_entropy": "softmax + cross-entropy loss on logits",
            "cross_entropy": "cross-entropy loss on probabilities", "sgd": "SGD optimizer"}

UNIT_CHECKS = {
    "forward": "forward on a float64 batch",
    "backward": "backward after forward: the gradient for the previous layer and every parameter gradient",
    "stale_cache": "backward after two forward calls with different inputs (the cache must belong to the right call)",
    "float32": "forward and backward on float32 inputs: float32 results",
    "shapes": "forward and backward on a batch of one sample (1, D) and on a batch of 7",
}
LOSS_CHECKS = {
    "forward": "the loss on a float64 batch",
    "backward": "the loss and its gradient",
    "float32": "float32 inputs: a float32 gradient",
}


def _shapes_text(iface: Interface, unit: Unit) -> str:
    if unit.is_optimizer:
        return (f"{unit.name}({', '.join(unit.init)}); {unit.forward}(weight_tensor, gradient_tensor) returns the "
                "updated weights (same shape and dtype)"
                + (f"; a layer given one in its {iface.optimizer} attribute updates its weights in backward"
                   if iface.optimizer else "") + ".")
    if unit.is_loss:
        lab = "one-hot labels (N, K)" if unit.op == "cross_entropy" else "integer labels (N,), 0-based"
        what = "probabilities (N, K)" if unit.op == "cross_entropy" else "logits (N, K)"
        ret = ("forward(prediction, labels) returns the loss (a scalar); backward(labels) returns dE/dprediction "
               "(N, K)" if iface.style == "layers" else f"{unit.forward}(x, y) returns (loss, dx), dx shaped like x")
        return f"{what}, {lab}; the loss is the {unit.reduction} over the batch. {ret}."
    out = "(N, H)" if unit.has_params else "shaped like the input"
    txt = f"input: a batch in rows (N, D); output {out}; backward returns the gradient for the previous layer (N, D)"
    if unit.has_params:
        w = iface.weight_shape_text()
        bias = {"separate": f"; bias {iface.bias_attr if iface.style == 'layers' else 'b'} (H,)",
                "last_row": " (the bias is its last row: the input gets a trailing column of ones)",
                "last_column": " (the bias is its last column: the input gets a trailing column of ones)"}[iface.bias]
        if iface.style == "layers":
            txt += f"; {iface.weights}: {w}{bias}; backward stores {iface.gradient_weights} (same shape)"
            if iface.bias == "separate":
                txt += f" and {iface.gradient_bias}"
        else:
            txt += f"; w: {w}{bias}; {unit.backward} returns " + ("(dx, dw, db)" if iface.bias == "separate" else
                                                                  "(dx, dw)")
    return txt + "."


def graded_units(iface: Interface) -> dict:
    """{name: GradedUnit} for every unit of the interface, and 'network' when a composition is possible."""
    from .compose import NETWORK_CHECKS, STEPS, network_case, network_class_case
    out = {}
    for u in iface.units.values():
        formula, fns, cite = OP_TEXT[u.op]
        table = LOSS_CHECKS if u.is_loss else OPTIMIZER_CHECKS if u.is_optimizer else UNIT_CHECKS
        checks = {c: Check(c, desc, _builder(iface, u, c)) for c, desc in table.items()}
        if u.op == "affine":
            formula = ("out = x W + b, W stored (inputs, outputs)" if iface.weight_layout == "in_out" else
                       "out = x W^T + b, W stored (outputs, inputs)") + (
                " with b folded into W (the input gets a column of ones)" if iface.bias != "separate" else "")
        out[u.name] = GradedUnit(u.name, formula, _shapes_text(iface, u), fns, checks,
                                 f"{OP_NAMES[u.op]} ({'a class' if u.is_optimizer else 'a layer class' if iface.style == 'layers' else 'forward/backward functions'})",
                                 CITES.get(cite, "") if u.op != "cross_entropy" else
                                 "001 TUM L7, Example 2: Multi-class classification; 000 FAU Part 4")
    if iface.network:
        checks = {c: Check(c, desc, lambda rng, conv, c=c: [network_case(iface, rng, c)])
                  for c, desc in NETWORK_CHECKS.items()}
        out["network"] = GradedUnit("network", "x^(l) = layer_l(x^(l-1)); backward in reverse order (the chain rule)",
                                    " -> ".join(iface.network), ("mlp",), checks, "composition of your layers",
                                    CITES["mlp_backward"])
    nc = iface.network_class
    if nc is not None:
        table = {"forward": f"{nc.name}: your layers appended, your loss and a data layer set; forward() gives the "
                            "reference's loss"}
        if nc.init:
            table["training"] = (f"{nc.name} built with your optimizer: forward() then backward() {STEPS} times; the "
                                 "losses follow the reference's SGD")
        checks = {c: Check(c, desc, lambda rng, conv, c=c: [network_class_case(iface, rng, c)])
                  for c, desc in table.items()}
        out[nc.name] = GradedUnit(nc.name, "loss = L(layer_L(... layer_1(x))); backward() through every layer",
                                  f"{nc.name}({', '.join(nc.init)}); {nc.append}(layer); {nc.loss} and {nc.data} "
                                  f"attributes ({nc.data}.{nc.data_method}() returns (input, labels)); {nc.forward}() "
                                  f"returns the loss; {nc.backward}()", ("mlp",), checks,
                                  "the network class chaining your layers", CITES["mlp_backward"])
    return out


def _builder(iface, unit, check):
    def build(rng, conv):
        if unit.is_optimizer:
            return [_optimizer_case(iface, unit, rng, np.float32 if check == "float32" else np.float64)]
        if unit.is_loss:
            dtype = np.float32 if check == "float32" else np.float64
            return [_loss_case(iface, unit, rng, check, dtype)]
        if check == "float32":
            return [_unit_case(iface, unit, rng, "backward", np.float32, with_output=True)]
        if check == "shapes":
            return [_unit_case(iface, unit, rng, "backward", n=1, with_output=True),
                    _unit_case(iface, unit, rng, "backward", n=7, with_output=True)]
        return [_unit_case(iface, unit, rng, check)]
    return build
