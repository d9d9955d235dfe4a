"""Checks for the `pairs` and `layers` interface styles: every check is a list of plain-data steps.

The submission's objects (layer instances, caches) live in the worker; the grader sends steps
(construct, set a parameter, forward, backward, read an attribute, an SGD update) and compares
what comes back with the reference, computed here in the reference's layout and converted to the
course's (`interface.Interface.pack`). Inputs come from the rubric's seed as for the function style.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import mlp_ref as R

from .checks import Case, Check
from .interface import Interface, Unit, op_backward, op_forward
from .references import CITES

D, H, N = 3, 5, 4  # a unit check's input size, output size and batch (D != H: a transpose shows)
NET = (3, 5, 4, 3)  # the composition's sizes: two hidden layers
LR, STEPS, FD_H = 0.1, 3, 1e-6


@dataclass
class Ref:
    """A value kept by an earlier step, in the worker: slot, then an attribute, then an item."""

    slot: str
    attr: str | None = None
    index: int | None = None
    owner: str | None = None


def encode_steps(steps: list, blobs: list) -> list:
    """Steps with Python values -> steps with protocol nodes (the worker decodes them)."""
    from . import protocol

    def arg(a):
        if isinstance(a, Ref):
            return {"ref": a.slot, "attr": a.attr, "index": a.index, "owner": a.owner or a.slot}
        return {"v": protocol.encode_value(a, blobs)}

    out = []
    for st in steps:
        st = dict(st)
        if "args" in st:
            st["args"] = [arg(a) for a in st["args"]]
        for k in ("value", "target", "grad"):
            if k in st:
                st[k] = arg(st[k])
        out.append(st)
    return out


@dataclass
class Script:
    """Steps being written, and the names of the values they return (in order)."""

    iface: Interface
    steps: list = field(default_factory=list)
    names: list = field(default_factory=list)
    n: int = 0

    def slot(self, base: str) -> str:
        self.n += 1
        return f"{base}#{self.n}"

    def add(self, step: dict, names=()):
        self.steps.append(step)
        self.names += list(names)

    # ------------------------------------------------------------------ one unit
    def construct(self, unit: Unit, W=None, b=None, lr=None) -> str:
        """A unit instance (layers) or its parameters (pairs); returns its slot."""
        s = self.slot(unit.name)
        if self.iface.style == "layers":
            sizes = {"input_size": W.shape[1] if W is not None else 0, "output_size": W.shape[0] if W is not None else 0,
                     "learning_rate": lr}
            self.add({"do": "new", "cls": unit.name, "args": [sizes[a] for a in unit.init], "keep": s,
                      "label": f"{unit.name}({', '.join(unit.init)})"})
        if unit.has_params:
            self.set_params(unit, s, W, b)
        return s

    def set_params(self, unit: Unit, s: str, W, b):
        for role, value in self.iface.pack(W, b).items():
            if self.iface.style == "layers":
                attr = self.iface.attr(role)
                self.add({"do": "set", "obj": s, "attr": attr, "value": value, "label": f"{unit.name}.{attr} = ..."})
            else:
                self.add({"do": "put", "value": value, "keep": f"{s}.{role}"})

    def param_refs(self, s: str) -> list:
        return [Ref(f"{s}.{role}") for role in ("weights", "bias") if role in self._roles()]

    def _roles(self):
        return ("weights", "bias") if self.iface.bias == "separate" else ("weights",)

    def forward(self, unit: Unit, s: str, x, ret: str | None = None) -> Ref:
        """Forward of a non-loss unit on x (a value or a Ref); returns a Ref to its output."""
        k = self.slot("out")
        if self.iface.style == "layers":
            self.add({"do": "call", "obj": s, "fn": unit.forward, "args": [x], "keep": k, "ret": bool(ret),
                      "label": f"{unit.name}.{unit.forward}"}, [ret] if ret else [])
            return Ref(k)
        args = [x] + (self.param_refs(s) if unit.has_params else [])
        self.add({"do": "call", "fn": unit.forward, "args": args, "keep": k, "ret": bool(ret), "index": 0,
                  "returns": "(out, cache)", "label": unit.forward}, [ret] if ret else [])
        self.cache = getattr(self, "cache", {})
        self.cache[s] = k
        return Ref(k, index=0, owner=unit.forward)

    def backward(self, unit: Unit, s: str, g, ret: dict | None = None, cache_of: str | None = None) -> Ref:
        """Backward of a non-loss unit; `ret`: names for dx and (affine) each parameter gradient."""
        k = self.slot("grad")
        if self.iface.style == "layers":
            self.add({"do": "call", "obj": s, "fn": unit.backward, "args": [g], "keep": k, "ret": bool(ret),
                      "label": f"{unit.name}.{unit.backward}"}, [ret["x"]] if ret else [])
            if ret and unit.has_params:
                for role in self._roles():
                    attr = self.iface.grad_attr(role)
                    self.add({"do": "get", "obj": s, "attr": attr, "ret": True, "owner": unit.name,
                              "label": f"{unit.name}.{attr}"}, [ret[role]])
            return Ref(k)
        fcache = Ref(cache_of or self.cache[s], index=1, owner=unit.forward)
        if unit.has_params:
            n = 1 + len(self._roles())
            rets = "(dx, dw, db)" if n == 3 else "(dx, dw)"
            self.add({"do": "call", "fn": unit.backward, "args": [g, fcache], "keep": k, "ret": bool(ret),
                      "unpack": n if ret else None, "returns": rets, "label": unit.backward},
                     [ret["x"]] + [ret[r] for r in self._roles()] if ret else [])
            return Ref(k, index=0, owner=unit.backward)
        self.add({"do": "call", "fn": unit.backward, "args": [g, fcache], "keep": k, "ret": bool(ret),
                  "label": unit.backward}, [ret["x"]] if ret else [])
        return Ref(k)

    def loss(self, unit: Unit, s: str, pred, labels, ret_loss: str | None, ret_grad: str | None,
             grad: bool = True) -> Ref | None:
        """The loss (and its gradient): layers forward(pred, labels) then backward(labels); pairs one call.
        Returns a Ref to the gradient (None for a layer loss without `grad`)."""
        k = self.slot("loss")
        if self.iface.style == "layers":
            self.add({"do": "call", "obj": s, "fn": unit.forward, "args": [pred, labels], "keep": k,
                      "ret": bool(ret_loss), "label": f"{unit.name}.{unit.forward}"}, [ret_loss] if ret_loss else [])
            if not grad and ret_grad is None:
                return None
            kg = self.slot("dloss")
            self.add({"do": "call", "obj": s, "fn": unit.backward, "args": [labels], "keep": kg, "ret": bool(ret_grad),
                      "label": f"{unit.name}.{unit.backward}"}, [ret_grad] if ret_grad else [])
            return Ref(kg)
        self.add({"do": "call", "fn": unit.forward, "args": [pred, labels], "keep": k, "ret": bool(ret_loss),
                  "index": 0, "returns": "(loss, dx)", "label": unit.forward}, [ret_loss] if ret_loss else [])
        if ret_grad is not None:
            self.add({"do": "put", "value": Ref(k, index=1, owner=unit.forward), "ret": True,
                      "label": unit.forward}, [ret_grad])
        return Ref(k, index=1, owner=unit.forward)


# ------------------------------------------------------------------------------ inputs
def _x(rng, op, n, d, dtype):
    if op == "relu":  # away from the kink, so both conventions for ReLU'(0) agree
        x = rng.uniform(0.1, 2.0, (n, d)) * rng.choice([-1.0, 1.0], (n, d))
    else:
        x = rng.uniform(-2.0, 2.0, (n, d))
    return x.astype(dtype)


def _labels(rng, op, n, k, dtype):
    y = rng.integers(0, k, n)
    return y if op == "softmax_cross_entropy" else np.eye(k, dtype=dtype)[y]


def _loss_input(rng, op, n, k, dtype):
    z = rng.normal(size=(n, k)).astype(dtype)
    return R.softmax(z) if op == "cross_entropy" else z


def _params(rng, d, h, dtype):
    return rng.uniform(-1, 1, (h, d)).astype(dtype), rng.uniform(-0.5, 0.5, h).astype(dtype)


# ------------------------------------------------------------------------ expectations
def _grad_names(iface: Interface, unit: Unit) -> dict:
    if iface.style == "layers":
        names = {"x": f"{unit.backward}() return (dL/d input)"}
        if unit.has_params:
            names |= {"weights": iface.gradient_weights, "bias": iface.gradient_bias}
        return names
    return {"x": "dx", "weights": "dw", "bias": "db"}


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
    w = iface.pack(*_params(rng, D, H, dtype))["weights"]
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
    params = _params(rng, d, h, dtype) if unit.has_params else None
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
    names = _grad_names(iface, unit)
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
    y = _labels(rng, unit.op, n, k, dtype)
    sc = Script(iface)
    s = sc.construct(unit)
    names = {"loss": "loss", "grad": _grad_names(iface, unit)["x"] if iface.style == "layers" else "dx"}
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


# ------------------------------------------------------------------------- composition
def _net_params(rng, dtype=np.float64):
    return [_params(rng, NET[i], NET[i + 1], dtype) for i in range(3)]


def _reference_net(iface, units, params, x, y):
    """Forward outputs, loss, loss gradient, every backward output and parameter gradient (canonical)."""
    loss_u = units[-1]
    acts, pi = [x], 0
    layer_params = []
    for u in units[:-1]:
        p = params[pi] if u.has_params else None
        pi += u.has_params
        layer_params.append(p)
        acts.append(op_forward(u.op, acts[-1], p))
    loss = op_forward(loss_u.op, acts[-1], labels=y, reduction=loss_u.reduction)
    g = op_backward(loss_u.op, None, acts[-1], labels=y, reduction=loss_u.reduction)["x"]
    back = [None] * (len(units) - 1)
    dl = g
    for i in range(len(units) - 2, -1, -1):
        back[i] = op_backward(units[i].op, dl, acts[i], layer_params[i])
        dl = back[i]["x"]
    return acts, float(loss), g, back


def _net_script(iface, units, params, x, y, *, ret=True, slots=None):
    """Build (or reuse `slots`), run forward, loss and backward; returns (script, slots)."""
    sc = Script(iface)
    if slots is None:
        slots, pi = [], 0
        for u in units[:-1]:
            slots.append(sc.construct(u, *(params[pi] if u.has_params else (None, None))))
            pi += u.has_params
        slots.append(sc.construct(units[-1]))
    return sc, slots


def _layer_name(i, u):
    return f"layer {i + 1} ({u.name})"


def _run_net(sc, iface, units, slots, x, y, ret: bool):
    h = x
    for i, u in enumerate(units[:-1]):
        h = sc.forward(u, slots[i], h, ret=f"{_layer_name(i, u)} forward output" if ret else None)
    last = _layer_name(len(units) - 1, units[-1])
    dl = sc.loss(units[-1], slots[-1], h, y, f"{last} loss", f"{last} gradient")
    for i in range(len(units) - 2, -1, -1):
        u = units[i]
        names = None
        if ret:
            names = {"x": f"{_layer_name(i, u)} backward (gradient for the previous layer)"}
            if u.has_params:
                g = _grad_names(iface, u)
                names |= {r: f"{_layer_name(i, u)} {g[r]}" for r in ("weights", "bias")}
        dl = sc.backward(u, slots[i], dl, ret=names)
    return sc


def _network_case(iface: Interface, rng, kind) -> Case:
    units = [iface.units[n] for n in iface.network]
    params = _net_params(rng)
    loss_u = units[-1]
    x = rng.uniform(-2, 2, (N, NET[0]))
    y = _labels(rng, loss_u.op, N, NET[-1], np.float64)
    sc, slots = _net_script(iface, units, params, x, y)
    chain = " -> ".join(u.name for u in units)
    show = {"x": x, "labels": y}
    if kind == "gradient":
        _run_net(sc, iface, units, slots, x, y, ret=True)
        acts, loss, g, back = _reference_net(iface, units, params, x, y)
        exp = {}
        for i, u in enumerate(units[:-1]):
            exp[f"{_layer_name(i, u)} forward output"] = acts[i + 1]
        exp[f"{_layer_name(len(units) - 1, loss_u)} loss"] = np.asarray(loss)
        exp[f"{_layer_name(len(units) - 1, loss_u)} gradient"] = g
        for i in range(len(units) - 2, -1, -1):
            u = units[i]
            gn = _grad_names(iface, u)
            exp[f"{_layer_name(i, u)} backward (gradient for the previous layer)"] = back[i]["x"]
            if u.has_params:
                exp |= {f"{_layer_name(i, u)} {gn[r]}": v for r, v in iface.pack(back[i]["W"], back[i]["b"]).items()}
        # the order above is the order of computation: the first differing entry names the layer at fault
        return Case(f"network {chain}, sizes {NET}, batch {N}", "network", (), {}, exp, "float64", mode="steps",
                    extra={"steps": sc.steps, "names": sc.names, "layers": True}, show=show)
    if kind == "finite_differences":
        _run_net(sc, iface, units, slots, x, y, ret=True)
        n_ret = len(sc.names)
        affine = [(i, u) for i, u in enumerate(units[:-1]) if u.has_params]
        probes, shapes = [], {}
        pi = 0
        for i, u in affine:
            W, b = params[pi]
            pi += 1
            packed = iface.pack(W, b)
            for role, arr in packed.items():
                shapes[(i, role)] = arr.shape
                for idx in np.ndindex(arr.shape):
                    for sign in (1, -1):
                        moved = dict(packed)
                        moved[role] = arr.copy()
                        moved[role][idx] += sign * FD_H
                        sc.set_params(u, slots[i], *iface.unpack(moved))
                        h = x
                        for j, v in enumerate(units[:-1]):
                            h = sc.forward(v, slots[j], h)
                        sc.loss(units[-1], slots[-1], h, y, f"probe {len(probes)}", None, grad=False)
                        probes.append((i, u, role, idx, sign))
                    sc.set_params(u, slots[i], W, b)
        gn_all = {i: _grad_names(iface, u) for i, u in affine}

        def post(got):
            """The student's own backward gradients vs central differences of the student's own loss."""
            if not isinstance(got, dict):
                return None, got
            exp, mine = {}, {}
            for i, u in affine:
                for role in (("weights", "bias") if iface.bias == "separate" else ("weights",)):
                    key = f"{_layer_name(i, u)} {gn_all[i][role]}"
                    mine[key] = got.get(key)
                    exp[key] = np.full(shapes[(i, role)], np.nan)
            losses = [got.get(f"probe {j}") for j in range(len(probes))]
            for j in range(0, len(probes), 2):
                i, u, role, idx, _ = probes[j]
                key = f"{_layer_name(i, u)} {gn_all[i][role]}"
                lp, lm = losses[j], losses[j + 1]
                try:
                    val = (float(np.asarray(lp).reshape(())) - float(np.asarray(lm).reshape(()))) / (2 * FD_H)
                except (TypeError, ValueError):
                    val = np.nan
                exp[key][idx] = val
            return exp, mine

        return Case(f"network {chain}: your backward pass vs central differences (h = {FD_H:g}) of your own "
                    "forward pass and loss, every weight", "network", (), {}, None, "finite_difference", mode="steps",
                    extra={"steps": sc.steps, "names": sc.names, "post": post, "keep_first": n_ret}, show=show)
    # training: STEPS SGD steps with the student's gradients, applied by the course's optimizer objects
    # (given to each affine layer) or else by the grader's step
    opt = iface.optimizer_unit()
    if opt is not None:
        for i, u in enumerate(units[:-1]):
            if u.has_params:
                o = sc.construct(opt, lr=LR)
                sc.add({"do": "set", "obj": slots[i], "attr": iface.optimizer, "value": Ref(o),
                        "label": f"{u.name}.{iface.optimizer} = {opt.name}({LR})"})
    ref_losses = _reference_losses(iface, units, params, x, y)
    for t in range(STEPS):
        h = x
        for j, v in enumerate(units[:-1]):
            h = sc.forward(v, slots[j], h)
        dl = sc.loss(units[-1], slots[-1], h, y, f"loss after {t} steps", None)
        for i in range(len(units) - 2, -1, -1):
            dl = sc.backward(units[i], slots[i], dl)
            if units[i].has_params and opt is None:
                _sgd(sc, iface, units[i], slots[i], dl)
    h = x
    for j, v in enumerate(units[:-1]):
        h = sc.forward(v, slots[j], h)
    sc.loss(units[-1], slots[-1], h, y, f"loss after {STEPS} steps", None, grad=False)
    exp = {f"loss after {t} steps": np.asarray(v) for t, v in enumerate(ref_losses)}
    how = f"your {opt.name}({LR}) in every {iface.optimizer}" if opt is not None else f"lr = {LR}"
    return Case(f"network {chain}: {STEPS} SGD steps with {how} on your gradients (the reference's loss "
                f"falls from {ref_losses[0]:.4g} to {ref_losses[-1]:.4g})", "network", (), {}, exp, "float64",
                mode="steps", extra={"steps": sc.steps, "names": sc.names, "training": True}, show=show)


def _reference_losses(iface, units, params, x, y) -> list:
    """The reference network's loss before and after each of STEPS SGD steps (lr = LR)."""
    ref_params, losses = [tuple(p) for p in params], []
    for t in range(STEPS + 1):
        acts, loss, g, back = _reference_net(iface, units, ref_params, x, y)
        losses.append(loss)
        gi = [b for u, b in zip(units[:-1], back) if u.has_params]
        ref_params = [(W - LR * bk["W"], b - LR * bk["b"]) for (W, b), bk in zip(ref_params, gi)]
    return losses


def _network_class_case(iface: Interface, rng, kind) -> Case:
    """The course's own network class: built from the student's layers, its loss and a data layer;
    forward() gives the loss; with the optimizer, backward() trains."""
    nc = iface.network_class
    units = [iface.units[n] for n in iface.network]
    params = _net_params(rng)
    x = rng.uniform(-2, 2, (N, NET[0]))
    y = _labels(rng, units[-1].op, N, NET[-1], np.float64)
    sc = Script(iface)
    args = [Ref(sc.construct(iface.optimizer_unit(), lr=LR))] if nc.init else []
    net = sc.slot(nc.name)
    sc.add({"do": "new", "cls": nc.name, "args": args, "keep": net, "label": f"{nc.name}({', '.join(nc.init)})"})
    pi = 0
    for u in units[:-1]:
        s = sc.construct(u, *(params[pi] if u.has_params else (None, None)))
        pi += u.has_params
        sc.add({"do": "call", "obj": net, "fn": nc.append, "args": [Ref(s)], "label": f"{nc.name}.{nc.append}"})
    sc.add({"do": "set", "obj": net, "attr": nc.loss, "value": Ref(sc.construct(units[-1])),
            "label": f"{nc.name}.{nc.loss} = ..."})
    data = sc.slot("data")
    sc.add({"do": "data", "method": nc.data_method, "args": [x, y], "keep": data})
    sc.add({"do": "set", "obj": net, "attr": nc.data, "value": Ref(data), "label": f"{nc.name}.{nc.data} = ..."})
    losses = _reference_losses(iface, units, params, x, y)[: 1 if kind == "forward" else STEPS + 1]
    for t in range(len(losses)):
        if t:
            sc.add({"do": "call", "obj": net, "fn": nc.backward, "args": [], "label": f"{nc.name}.{nc.backward}"})
        sc.add({"do": "call", "obj": net, "fn": nc.forward, "args": [], "ret": True,
                "label": f"{nc.name}.{nc.forward}"}, [f"loss after {t} steps"])
    exp = {f"loss after {t} steps": np.asarray(v) for t, v in enumerate(losses)}
    chain = " -> ".join(u.name for u in units)
    what = ("forward() once" if kind == "forward" else
            f"forward() and backward() {STEPS} times with {iface.optimizer_unit().name}({LR})")
    return Case(f"{nc.name} of {chain}, sizes {NET}, batch {N}: {what}", nc.name, (), {}, exp, "float64",
                mode="steps", extra={"steps": sc.steps, "names": sc.names, "training": kind == "training"},
                show={"x": x, "labels": y})


def _sgd(sc: Script, iface: Interface, unit: Unit, s: str, grad_ref: Ref):
    roles = ("weights", "bias") if iface.bias == "separate" else ("weights",)
    for j, role in enumerate(roles):
        if iface.style == "layers":
            target = Ref(s, attr=iface.attr(role), owner=unit.name)
            grad = Ref(s, attr=iface.grad_attr(role), owner=unit.name)
        else:
            target = Ref(f"{s}.{role}")
            grad = Ref(grad_ref.slot, index=1 + j, owner=unit.backward)
        sc.add({"do": "sgd", "target": target, "grad": grad, "lr": LR, "label": f"SGD step on {unit.name}"})


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
NETWORK_CHECKS = {
    "gradient": "a network of your own layers (two hidden layers and your loss): every forward output, the loss, "
                "every backward output and weight gradient; the first layer that differs is named",
    "finite_differences": "your network's weight gradients vs central differences of your own forward pass",
    "training": f"{STEPS} SGD steps (lr = {LR}) on your gradients: the loss falls as the reference's does",
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
        checks = {c: Check(c, desc, lambda rng, conv, c=c: [_network_case(iface, rng, c)])
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
        checks = {c: Check(c, desc, lambda rng, conv, c=c: [_network_class_case(iface, rng, c)])
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
