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


def render_template(rubric: Rubric) -> str:
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
