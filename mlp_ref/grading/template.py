"""The student template: every graded function with mlp_ref's name and signature, a docstring
giving its formula, shapes and document source, and a body that raises NotImplementedError."""
from __future__ import annotations

import textwrap

from .checks import FUNCTIONS
from .references import cite
from .rubric import Rubric

HEADER = '''"""{title}: implement the functions below with NumPy only.

Rules: use NumPy and the standard library; do not import mlp_ref (the grader blocks it). Keep the
names and signatures. Inputs are float32 or float64 arrays; return NumPy arrays of the same dtype
(a loss may return a NumPy or Python float). Do not modify your inputs in place (reported as an
advisory, without points). Labels are 0-based integers. Grade it locally (with mlp-ref's default
rubric and inputs; the course's own rubric may hold further checks) with

    mlp-ref grade this_file.py --out feedback/ --student-view

Rubric: {rubric} ({points:g} points).
"""
import numpy as np

'''


def _wrap(label: str, text: str) -> list[str]:
    return textwrap.wrap(f"{label}: {text}", width=92, subsequent_indent="    ")


STYLE_HEADER = '''"""{title}: implement the {what} below with NumPy only.

Rules: use NumPy and the standard library; do not import mlp_ref (the grader blocks it). Keep the
names{sig}. Inputs are float32 or float64 arrays with the batch in rows; return
arrays of the same dtype. Do not modify your inputs in place (reported as an advisory, without points). Grade it
locally with the course's rubric:

    mlp-ref grade this_file.py --rubric {rubric} --out feedback/ --student-view

Rubric: {rubric} ({points:g} points).
"""
import numpy as np

'''

LAYER_ARGS = {"forward": "input_tensor", "backward": "error_tensor"}
LOSS_ARGS = {"forward": "prediction_tensor, label_tensor", "backward": "label_tensor"}


def _doc(lines: list[str], indent: str) -> str:
    body = "\n".join((indent + ln).rstrip() for ln in lines).replace("\\", "\\\\").replace('"""', "'''")
    return f'{indent}"""{body.lstrip()}\n{indent}"""\n'


def _unit_doc(rubric, gu) -> list[str]:
    items = [i for i in rubric.items if i.function == gu.name]
    doc = [gu.summary[:1].upper() + gu.summary[1:] + ".", ""] + _wrap("Formula", gu.formula) + _wrap("Shapes", gu.shapes)
    doc += _wrap("Source", gu.where)
    if items:
        doc += _wrap("Graded", ", ".join(f"{i.check} ({i.points:g} pt)" for i in items))
    return doc


def render_style_template(rubric: Rubric) -> str:
    """Classes (layers) or forward/backward functions (pairs) with the course's names."""
    iface = rubric.interface
    graded = rubric.graded
    layers = iface.style == "layers"
    parts = [STYLE_HEADER.format(title=rubric.name, what="layer classes" if layers else "functions",
                                 sig=", methods and attributes" if layers else " and signatures",
                                 rubric=rubric.path.rsplit("/", 1)[-1], points=rubric.max_score)]
    for u in iface.units.values():
        doc = _unit_doc(rubric, graded[u.name])
        if layers:
            init = ", ".join(["self", *u.init])
            args = LOSS_ARGS if u.is_loss else LAYER_ARGS
            if u.is_optimizer:
                parts.append(f"class {u.name}:\n" + _doc(doc, "    ") + f"\n    def __init__({init}):\n"
                             "        raise NotImplementedError\n\n"
                             f"    def {u.forward}(self, weight_tensor, gradient_tensor):\n"
                             "        raise NotImplementedError\n\n\n")
                continue
            body = [f"class {u.name}:\n", _doc(doc, "    "), f"\n    def __init__({init}):\n"]
            if u.has_params:
                roles = ", ".join(iface.attr(r) for r in (("weights", "bias") if iface.bias == "separate" else ("weights",)))
                body.append(f"        # {roles}: {iface.weight_shape_text('input_size', 'output_size')}"
                            + (" and (output_size,)" if iface.bias == "separate" else "") + "\n")
                if iface.optimizer:
                    body.append(f"        # {iface.optimizer}: None, or an optimizer whose {iface.optimizer_unit().forward}"
                                " backward applies to the weights\n")
            body.append("        raise NotImplementedError\n" if u.has_params or u.init else "        pass\n")
            for m in ("forward", "backward"):
                body.append(f"\n    def {getattr(u, m)}(self, {args[m]}):\n        raise NotImplementedError\n")
            parts.append("".join(body) + "\n\n")
            continue
        if u.is_loss:
            parts.append(f"def {u.forward}(x, y):\n" + _doc(doc, "    ") + "    raise NotImplementedError\n\n\n")
            continue
        fargs = "x, w, b" if u.has_params and iface.bias == "separate" else "x, w" if u.has_params else "x"
        parts.append(f"def {u.forward}({fargs}):\n" + _doc(doc + ["", "Returns (out, cache)."], "    ")
                     + "    raise NotImplementedError\n\n\n")
        ret = ("(dx, dw, db)" if iface.bias == "separate" else "(dx, dw)") if u.has_params else "dx"
        parts.append(f"def {u.backward}(dout, cache):\n" + _doc([f"Backward of {u.forward}: returns {ret}."], "    ")
                     + "    raise NotImplementedError\n\n\n")
    nc = iface.network_class
    if nc is not None:
        doc = _unit_doc(rubric, graded[nc.name])
        init = ", ".join(["self", *nc.init])
        parts.append(f"class {nc.name}:\n" + _doc(doc, "    ") + f"\n    def __init__({init}):\n"
                     "        raise NotImplementedError\n\n"
                     f"    def {nc.append}(self, layer):\n        raise NotImplementedError\n\n"
                     f"    def {nc.forward}(self):\n        raise NotImplementedError\n\n"
                     f"    def {nc.backward}(self):\n        raise NotImplementedError\n\n\n")
    if "network" in graded and any(i.function == "network" for i in rubric.items):
        net = graded["network"]
        pts = ", ".join(f"{i.check} {i.points:g} pt" for i in rubric.items if i.function == "network")
        text = _wrap("Also graded", f"a network the grader builds from YOUR units, {net.shapes} ({pts})")
        parts.append("".join("# " + ln.strip() + "\n" for ln in text))
    return "".join(parts).rstrip() + "\n"


def render_template(rubric: Rubric) -> str:
    if rubric.interface is not None:
        return render_style_template(rubric)
    parts = [HEADER.format(title=rubric.name, rubric=rubric.path.rsplit("/", 1)[-1], points=rubric.max_score)]
    for name in rubric.functions:
        gf = FUNCTIONS[name]
        items = [i for i in rubric.items if i.function == name]
        doc = [gf.summary, ""] + _wrap("Formula", gf.formula) + _wrap("Shapes", gf.shapes)
        if name == "relu_grad":
            acc = " or ".join(f"{c:g}" for c in rubric.conventions["relu_grad_at_zero"])
            doc += _wrap("Kink", f"this course accepts ReLU'(0) = {acc} for the default at_zero")
        if name == "mlp_backward":
            doc += _wrap("Note", "graded as mlp_backward(g, cache) with the cache returned by YOUR mlp_forward"
                         + (" (input_grad keeps its default; with input_grad=False 'x' may be None)"
                            if "input_grad" in gf.params else ""))
        doc += _wrap("Source", cite(name))
        doc += _wrap("Graded", ", ".join(f"{i.check} ({i.points:g} pt)" for i in items))
        body = "\n".join(("    " + ln).rstrip() for ln in doc).replace("\\", "\\\\").replace('"""', "'''")
        parts.append(f"def {name}{gf.signature()}:\n    \"\"\"{body.lstrip()}\n    \"\"\"\n"
                     f"    raise NotImplementedError\n\n\n")
    return "".join(parts).rstrip() + "\n"
