"""The rubric's [interface]: how a course's own assignment names and lays out the reference's operations.

Three styles:

* ``functions`` (the default): the template's functions with mlp_ref's names and signatures.
* ``pairs``: forward/backward functions with a cache, e.g. ``affine_forward(x, w, b) -> (out, cache)``,
  ``affine_backward(dout, cache) -> (dx, dw, db)``, ``softmax_loss(x, y) -> (loss, dx)``.
* ``layers``: classes with state, e.g. ``FullyConnected(input_size, output_size)`` with ``weights``,
  ``forward(input_tensor)``, ``backward(error_tensor)`` storing ``gradient_weights``.

    [interface]
    style = "layers"
    weight_layout = "in_out"        # W stored (inputs, outputs): out = x W; "out_in": (outputs, inputs)
    bias = "last_row"               # "separate", "last_row" (in_out), "last_column" (out_in)
    weights = "weights"             # attribute names (layers)
    gradient_weights = "gradient_weights"
    [interface.units.FullyConnected]
    op = "affine"
    [interface.units.ReLU]
    op = "relu"
    [interface.units.CrossEntropyLoss]
    op = "cross_entropy"            # on probabilities with one-hot labels

The grader keeps every parameter in the reference's layout (W of shape (H, D), b of shape (H,), a
batch in rows) and converts to and from the course's layout here, so every expected value still
comes from mlp_ref.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import mlp_ref as R

STYLES = ("functions", "pairs", "layers")
LAYOUTS = ("out_in", "in_out")
BIASES = ("separate", "last_row", "last_column")
ACTIVATIONS = ("relu", "sigmoid", "tanh", "softmax")
LOSSES = ("softmax_cross_entropy", "cross_entropy")
OPTIMIZERS = ("sgd",)
UNIT_OPS = ("affine",) + ACTIVATIONS + LOSSES + OPTIMIZERS
REDUCTIONS = ("sum", "mean")


@dataclass(frozen=True)
class Unit:
    """One graded unit of a course: a layer class, a forward/backward pair or a loss."""

    name: str
    op: str
    forward: str  # method name (layers) or function name (pairs; the loss function itself)
    backward: str
    init: tuple = ()  # constructor arguments (layers): input_size, output_size, learning_rate
    reduction: str = "sum"  # losses: over the batch

    @property
    def is_loss(self) -> bool:
        return self.op in LOSSES

    @property
    def has_params(self) -> bool:
        return self.op == "affine"

    @property
    def is_optimizer(self) -> bool:
        return self.op in OPTIMIZERS


@dataclass(frozen=True)
class NetworkClass:
    """The course's class chaining the layers (FAU's NeuralNetwork): how to build and run it."""

    name: str = "NeuralNetwork"
    init: tuple = ("optimizer",)  # constructor arguments: "optimizer" (an instance of the sgd unit)
    append: str = "append_layer"  # method that adds one layer
    loss: str = "loss_layer"  # attribute that takes the loss object
    data: str = "data_layer"  # attribute that takes an object whose `next()` returns (input, labels)
    data_method: str = "next"
    forward: str = "forward"  # forward() -> the loss
    backward: str = "backward"  # backward(): gradients (and the optimizer's updates) in every layer


@dataclass(frozen=True)
class Interface:
    style: str = "functions"
    weight_layout: str = "out_in"
    bias: str = "separate"
    weights: str = "weights"
    bias_attr: str = "bias"
    gradient_weights: str = "gradient_weights"
    gradient_bias: str = "gradient_bias"
    units: dict = field(default_factory=dict)
    network: tuple = ()  # unit names of the composition, the last one a loss
    optimizer: str | None = None  # layers: the attribute that takes an optimizer object (FAU's `optimizer`)
    network_class: NetworkClass | None = None  # layers: the course's own network class

    # ------------------------------------------------------------------ layout conversion
    def pack(self, W, b) -> dict:
        """The reference's W (H, D) and b (H,) in the course's layout: {role: array}, role
        'weights' and (bias separate) 'bias'."""
        M = W if self.weight_layout == "out_in" else W.T
        if self.bias == "separate":
            return {"weights": M, "bias": b}
        if self.bias == "last_row":
            return {"weights": np.vstack([M, b[None, :]])}
        return {"weights": np.hstack([M, b[:, None]])}

    def pack_wrong_side(self, W, b):
        """The folded weights with the bias on the other side (first row/column): a typical mistake."""
        M = W if self.weight_layout == "out_in" else W.T
        if self.bias == "last_row":
            return np.vstack([b[None, :], M])
        if self.bias == "last_column":
            return np.hstack([b[:, None], M])
        return None

    def unpack(self, packed: dict):
        """Inverse of `pack`: (W, b) in the reference's layout."""
        Wc = packed["weights"]
        if self.bias == "separate":
            M, b = Wc, packed["bias"]
        elif self.bias == "last_row":
            M, b = Wc[:-1], Wc[-1]
        else:
            M, b = Wc[:, :-1], Wc[:, -1]
        return (M if self.weight_layout == "out_in" else M.T), b

    def attr(self, role: str) -> str:
        return {"weights": self.weights, "bias": self.bias_attr}[role]

    def grad_attr(self, role: str) -> str:
        return {"weights": self.gradient_weights, "bias": self.gradient_bias}[role]

    def weight_shape_text(self, d="D", h="H") -> str:
        rows, cols = (h, d) if self.weight_layout == "out_in" else (d, h)
        if self.bias == "last_row":
            rows = f"{rows} + 1"
        elif self.bias == "last_column":
            cols = f"{cols} + 1"
        return f"({rows}, {cols})"

    def loss_unit(self) -> Unit | None:
        return next((u for u in self.units.values() if u.is_loss), None)

    def optimizer_unit(self) -> Unit | None:
        """The optimizer class the layers are given (layers style with `optimizer` set), else None."""
        if self.style != "layers" or not self.optimizer:
            return None
        return next((u for u in self.units.values() if u.is_optimizer), None)


FUNCTIONS_STYLE = Interface()


# ---------------------------------------------------------------------- the reference ops
def op_forward(op: str, x, params=None, *, labels=None, reduction="sum"):
    """The reference's forward value of `op` (canonical layout)."""
    if op == "affine":
        W, b = params
        return R.linear(W, x, b)
    if op == "softmax_cross_entropy":
        return R.softmax_cross_entropy(x, labels, reduction=reduction)
    if op == "cross_entropy":
        return R.categorical_cross_entropy(x, labels, reduction=reduction)
    return getattr(R, op)(x)


def op_backward(op: str, g, x, params=None, *, labels=None, reduction="sum") -> dict:
    """{'x': dL/dx, 'W': ..., 'b': ...} of `op` at x with upstream g (g unused for losses)."""
    if op == "affine":
        W, b = params
        return R.linear_backward(g, W, x, b)
    if op == "softmax_cross_entropy":
        return {"x": R.softmax_cross_entropy_grad(x, labels, reduction=reduction)}
    if op == "cross_entropy":
        return {"x": R.categorical_cross_entropy_grad(x, labels, reduction=reduction)}
    if op == "softmax":
        return {"x": R.softmax_vjp(g, x)}
    return {"x": g * getattr(R, op + "_grad")(x)}


# ------------------------------------------------------------------------------- parsing
def _fail(where: str, msg: str):
    raise ValueError(f"rubric {where}: {msg}")


def _choice(where, v, options):
    if v not in options:
        _fail(where, f"expected one of {options}, got {v!r}")
    return v


def _name(where, v):
    if not isinstance(v, str) or not v.isidentifier():
        _fail(where, f"expected a Python identifier, got {v!r}")
    return v


DEFAULT_NAMES = {  # pairs: forward/backward function names per op
    "pairs": {op: (f"{op}_forward", f"{op}_backward") for op in ("affine",) + ACTIVATIONS}
    | {"softmax_cross_entropy": ("softmax_loss", "softmax_loss"), "cross_entropy": ("cross_entropy_loss",) * 2},
}


def parse_interface(spec) -> Interface:
    """Validate the rubric's [interface] table; a malformed one raises ValueError naming the key."""
    if spec is None:
        return FUNCTIONS_STYLE
    top = {"style", "weight_layout", "bias", "weights", "bias_attr", "gradient_weights", "gradient_bias",
           "forward", "backward", "units", "network", "optimizer", "network_class"}
    if not isinstance(spec, dict):
        _fail("[interface]", f"expected a table, got {type(spec).__name__}")
    extra = sorted(set(spec) - top)
    if extra:
        _fail("[interface]", f"unknown key(s) {extra}; allowed: {sorted(top)}")
    style = _choice("[interface] style", spec.get("style", "functions"), STYLES)
    if style == "functions":
        if set(spec) - {"style"}:
            _fail("[interface]", "style 'functions' takes no other keys (it grades mlp_ref's own signatures)")
        return FUNCTIONS_STYLE
    layout = _choice("[interface] weight_layout", spec.get("weight_layout", "in_out" if style == "pairs" else "out_in"),
                     LAYOUTS)
    bias = _choice("[interface] bias", spec.get("bias", "separate"), BIASES)
    if bias == "last_row" and layout != "in_out":
        _fail("[interface] bias", "'last_row' folds the bias into W stored as (inputs, outputs): it needs "
              "weight_layout = 'in_out' (use 'last_column' with 'out_in')")
    if bias == "last_column" and layout != "out_in":
        _fail("[interface] bias", "'last_column' folds the bias into W stored as (outputs, inputs): it needs "
              "weight_layout = 'out_in' (use 'last_row' with 'in_out')")
    names = {k: _name(f"[interface] {k}", spec[k]) for k in ("weights", "bias_attr", "gradient_weights",
                                                              "gradient_bias") if k in spec}
    fwd = _name("[interface] forward", spec.get("forward", "forward"))
    bwd = _name("[interface] backward", spec.get("backward", "backward"))
    units_spec = spec.get("units")
    if not isinstance(units_spec, dict) or not units_spec:
        _fail("[interface] units", "expected at least one [interface.units.NAME] table (NAME: the class or "
              "the graded name)")
    units = {}
    for uname, u in units_spec.items():
        where = f"[interface.units.{uname}]"
        _name(where, uname)
        if not isinstance(u, dict):
            _fail(where, "expected a table")
        allowed = {"op", "forward", "backward", "init", "reduction"} | ({"function"} if style == "pairs" else set())
        extra = sorted(set(u) - allowed)
        if extra:
            _fail(where, f"unknown key(s) {extra}; allowed: {sorted(allowed)}")
        if "op" not in u:
            _fail(f"{where} op", f"missing; one of {UNIT_OPS}")
        op = _choice(f"{where} op", u["op"], UNIT_OPS)
        if op in OPTIMIZERS:
            if style != "layers":
                _fail(f"{where} op", "an optimizer unit is a class: it needs style = 'layers'")
            f = b = _name(f"{where} forward", u.get("forward", "calculate_update"))
        elif style == "pairs":
            dfwd, dbwd = DEFAULT_NAMES["pairs"][op]
            if op in LOSSES:
                dfwd = dbwd = u.get("function", dfwd)
            f = _name(f"{where} forward", u.get("forward", dfwd))
            b = _name(f"{where} backward", u.get("backward", dbwd if op not in LOSSES else f))
        else:
            f = _name(f"{where} forward", u.get("forward", fwd))
            b = _name(f"{where} backward", u.get("backward", bwd))
        default_init = {"affine": ["input_size", "output_size"], "sgd": ["learning_rate"]}.get(op, [])
        init = u.get("init", default_init if style == "layers" else [])
        if not isinstance(init, list) or not all(a in ("input_size", "output_size", "learning_rate") for a in init):
            _fail(f"{where} init", "expected a list of 'input_size', 'output_size' or 'learning_rate' (the "
                  "constructor's arguments)")
        if style == "pairs" and init:
            _fail(f"{where} init", "functions have no constructor (init is for style = 'layers')")
        red = _choice(f"{where} reduction", u.get("reduction", "mean" if style == "pairs" else "sum"), REDUCTIONS)
        units[uname] = Unit(uname, op, f, b, tuple(init), red)
    optimizer = spec.get("optimizer")
    if optimizer is not None:
        _name("[interface] optimizer", optimizer)
        if style != "layers" or not any(u.is_optimizer for u in units.values()):
            _fail("[interface] optimizer", "names the layers' optimizer attribute: it needs style = 'layers' and a "
                  "unit with op = 'sgd'")
    losses = [u for u in units.values() if u.is_loss]
    if len(losses) > 1:
        _fail("[interface] units", f"at most one loss unit, got {[u.name for u in losses]}")
    network = spec.get("network")
    if network is not None:
        if not isinstance(network, list) or not network or not all(isinstance(n, str) for n in network):
            _fail("[interface] network", "expected a list of unit names, the last one the loss")
        for n in network:
            if n not in units:
                _fail("[interface] network", f"{n!r} is not a unit of [interface.units]; known: {sorted(units)}")
        if not units[network[-1]].is_loss or any(units[n].is_loss for n in network[:-1]):
            _fail("[interface] network", "the last unit (and only the last) must be the loss")
        if sum(units[n].op == "affine" for n in network) < 3:
            _fail("[interface] network", "the composition check needs three affine layers (two hidden layers)")
        network = tuple(network)
    else:
        network = default_network(units)
    ncls = _network_class(spec.get("network_class"), style, units, network)
    return Interface(style, layout, bias, units=units, network=network, optimizer=optimizer, network_class=ncls,
                     **names)


def _network_class(spec, style, units, network):
    if spec is None:
        return None
    where = "[interface.network_class]"
    if not isinstance(spec, dict):
        _fail(where, "expected a table")
    keys = {"name", "init", "append", "loss", "data", "data_method", "forward", "backward"}
    extra = sorted(set(spec) - keys)
    if extra:
        _fail(where, f"unknown key(s) {extra}; allowed: {sorted(keys)}")
    if style != "layers" or not network:
        _fail(where, "needs style = 'layers' and units that form a network (or [interface] network)")
    vals = {k: _name(f"{where} {k}", spec[k]) for k in keys - {"init"} if k in spec}
    init = spec.get("init", ["optimizer"])
    if not isinstance(init, list) or not all(a == "optimizer" for a in init):
        _fail(f"{where} init", "expected [] or ['optimizer'] (the constructor's arguments)")
    if init and not any(u.is_optimizer for u in units.values()):
        _fail(f"{where} init", "'optimizer' needs a unit with op = 'sgd'")
    return NetworkClass(init=tuple(init), **vals)


def default_network(units: dict) -> tuple:
    """Affine, activation, affine, activation, affine, (softmax for a loss on probabilities,) loss;
    () when the units cannot form one."""
    aff = next((u.name for u in units.values() if u.op == "affine"), None)
    acts = [u.name for u in units.values() if u.op in ("relu", "tanh", "sigmoid")]
    loss = next((u for u in units.values() if u.is_loss), None)
    soft = next((u.name for u in units.values() if u.op == "softmax"), None)
    if not (aff and acts and loss) or (loss.op == "cross_entropy" and not soft):
        return ()
    a1, a2 = acts[0], acts[1] if len(acts) > 1 else acts[0]
    return (aff, a1, aff, a2, aff) + ((soft,) if loss.op == "cross_entropy" else ()) + (loss.name,)
