"""The composition checks: a network the grader builds from the student's own layers (forward,
backward and gradients against the reference, naming the first layer that differs; gradients against
central differences of the student's own forward pass; SGD training), and the course's own network
class (FAU's NeuralNetwork) on its loss and training.
"""
from __future__ import annotations

import numpy as np

from .checks import Case
from .interface import Interface, Unit, op_backward, op_forward
from .steps import Ref, Script, grad_names
from .styles import N, NET, draw_labels, draw_params

LR, STEPS, FD_H = 0.1, 3, 1e-6  # SGD learning rate and steps; the central-difference step
NETWORK_CHECKS = {
    "gradient": "a network of your own layers (two hidden layers and your loss): every forward output, the loss, "
                "every backward output and weight gradient; the first layer that differs is named",
    "finite_differences": "your network's weight gradients vs central differences of your own forward pass",
    "training": f"{STEPS} SGD steps (lr = {LR}) on your gradients: the loss falls as the reference's does",
}

def _net_params(rng, dtype=np.float64):
    return [draw_params(rng, NET[i], NET[i + 1], dtype) for i in range(3)]


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


def _build_net(iface, units, params):
    """A script that constructs every unit of the network (parameters set); returns (script, slots)."""
    sc, slots, pi = Script(iface), [], 0
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
                g = grad_names(iface, u)
                names |= {r: f"{_layer_name(i, u)} {g[r]}" for r in ("weights", "bias")}
        dl = sc.backward(u, slots[i], dl, ret=names)
    return sc


def network_case(iface: Interface, rng, kind) -> Case:
    units = [iface.units[n] for n in iface.network]
    params = _net_params(rng)
    loss_u = units[-1]
    x = rng.uniform(-2, 2, (N, NET[0]))
    y = draw_labels(rng, loss_u.op, N, NET[-1], np.float64)
    sc, slots = _build_net(iface, units, params)
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
            gn = grad_names(iface, u)
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
        gn_all = {i: grad_names(iface, u) for i, u in affine}

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


def network_class_case(iface: Interface, rng, kind) -> Case:
    """The course's own network class: built from the student's layers, its loss and a data layer;
    forward() gives the loss; with the optimizer, backward() trains."""
    nc = iface.network_class
    units = [iface.units[n] for n in iface.network]
    params = _net_params(rng)
    x = rng.uniform(-2, 2, (N, NET[0]))
    y = draw_labels(rng, units[-1].op, N, NET[-1], np.float64)
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
