"""The vocabulary of the steps the grader sends to the worker: references to kept values, and a
`Script` that writes construct / set-parameter / forward / backward / read-attribute steps for one
unit in its interface style (layer objects or forward/backward functions with a cache).

Steps are plain data; the submission's objects never leave the worker (`worker.run_steps`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .interface import Interface, Unit


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
    cache: dict = field(default_factory=dict)  # pairs: unit slot -> the slot of its latest forward's result

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


def grad_names(iface: Interface, unit: Unit) -> dict:
    """The names under which a unit's backward results are reported: {'x', 'weights', 'bias'} -> name."""
    if iface.style == "layers":
        names = {"x": f"{unit.backward}() return (dL/d input)"}
        if unit.has_params:
            names |= {"weights": iface.gradient_weights, "bias": iface.gradient_bias}
        return names
    return {"x": "dx", "weights": "dw", "bias": "db"}
