"""The grading rubric: a TOML file mapping graded functions and their checks to points.

    name = "Backprop homework"
    seed = 324                      # inputs are drawn from this seed: a re-grade is identical
    visibility = "visible"          # default for every test (and Gradescope's top-level field)
    stdout_visibility = "hidden"

    [limits]                        # per submission; see sandbox.Limits
    call_seconds = 5.0
    memory_mb = 1024

    [conventions]
    relu_grad_at_zero = [0.0, 1.0]  # values accepted for ReLU'(0)

    [functions.sigmoid]             # table order = template order
    weight = 1.0                    # multiplies the points of every check
    visibility = "visible"          # default for this function's checks
    checks = { value = 2.0, float32 = 0.5 }
    [functions.relu_grad.checks]
    value = 2.0
    kink = { points = 1.0, visibility = "after_due_date" }

A course's own assignment adds an `[interface]` table (see interface.py): its style (functions,
forward/backward pairs with a cache, or layer classes), names, attributes and layouts; then each
[functions.NAME] table names one of its units (or `network`, the composition of its layers).

Unknown keys are errors (a typo must not silently change a grade).
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from .sandbox import Limits

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
DEFAULT_RUBRIC = Path(__file__).with_name("default_rubric.toml")


@dataclass(frozen=True)
class Item:
    """One graded check of one function: a Gradescope test."""

    function: str
    check: str
    points: float
    visibility: str

    @property
    def name(self) -> str:
        return f"{self.function}: {self.check}"


@dataclass(frozen=True)
class Rubric:
    name: str
    seed: int
    visibility: str
    stdout_visibility: str
    limits: Limits
    conventions: dict
    functions: tuple
    items: tuple
    path: str
    interface: object = None  # interface.Interface; None: the function style

    @property
    def style(self) -> str:
        return self.interface.style if self.interface is not None else "functions"

    @property
    def graded(self) -> dict:
        """{name: GradedFunction or GradedUnit}: what a [functions.NAME] table may name."""
        return graded_table(self.interface)

    @property
    def max_score(self) -> float:
        return float(sum(i.points for i in self.items))


def _fail(where: str, msg: str):
    raise ValueError(f"rubric {where}: {msg}")


def _visibility(where, v):
    if v not in VISIBILITIES:
        _fail(where, f"visibility must be one of {VISIBILITIES}, got {v!r}")
    return v


def _number(where, v, *, positive=False):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0 or (positive and v == 0):
        _fail(where, f"expected a {'positive' if positive else 'non-negative'} number, got {v!r}")
    return float(v)


def _keys(where, table, allowed):
    if not isinstance(table, dict):
        _fail(where, f"expected a table, got {type(table).__name__}")
    extra = sorted(set(table) - set(allowed))
    if extra:
        _fail(where, f"unknown key(s) {extra}; allowed: {sorted(allowed)}")


def graded_table(iface) -> dict:
    """The graded names of an interface: mlp_ref's functions, or the course's units (and 'network')."""
    if iface is None or iface.style == "functions":
        from .checks import FUNCTIONS  # the table of graded functions and their checks

        return FUNCTIONS
    from .styles import graded_units

    return graded_units(iface)


def parse_rubric(data: dict, path: str = "<rubric>") -> Rubric:
    from .interface import parse_interface

    _keys("top level", data, {"name", "seed", "visibility", "stdout_visibility", "limits", "conventions",
                              "functions", "interface"})
    iface = parse_interface(data.get("interface"))
    FUNCTIONS = graded_table(iface)
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        _fail("seed", f"expected a non-negative integer, got {seed!r}")
    vis = _visibility("visibility", data.get("visibility", "visible"))
    stdout_vis = _visibility("stdout_visibility", data.get("stdout_visibility", "hidden"))

    lim_fields = {f.name: f for f in fields(Limits)}
    lim = data.get("limits", {})
    _keys("[limits]", lim, lim_fields)
    values = {}
    for k, v in lim.items():
        num = _number(f"[limits] {k}", v, positive=k != "max_restarts")
        values[k] = int(num) if isinstance(lim_fields[k].default, int) else num
    limits = Limits(**values)

    conv = data.get("conventions", {})
    _keys("[conventions]", conv, {"relu_grad_at_zero"})
    at_zero = conv.get("relu_grad_at_zero", [0.0])
    if not isinstance(at_zero, list) or not at_zero:
        _fail("[conventions] relu_grad_at_zero", "expected a non-empty list of numbers")
    at_zero = tuple(_number_any("[conventions] relu_grad_at_zero", v) for v in at_zero)

    funcs = data.get("functions")
    if not isinstance(funcs, dict) or not funcs:
        _fail("[functions]", "expected at least one [functions.NAME] table")
    items, names = [], []
    for fname, spec in funcs.items():
        where = f"[functions.{fname}]"
        if fname not in FUNCTIONS:
            what = "graded function" if iface.style == "functions" else "unit of [interface.units] (or 'network')"
            _fail(where, f"no {what} {fname!r}; known: {sorted(FUNCTIONS)}")
        _keys(where, spec, {"weight", "visibility", "checks"})
        weight = _number(f"{where} weight", spec.get("weight", 1.0))
        fvis = _visibility(f"{where} visibility", spec.get("visibility", vis))
        checks = spec.get("checks")
        if not isinstance(checks, dict) or not checks:
            _fail(f"{where} checks", "expected a table of check = points")
        known = FUNCTIONS[fname].checks
        for cname, c in checks.items():
            cwhere = f"{where} checks.{cname}"
            if cname not in known:
                _fail(cwhere, f"no check {cname!r} for {fname}; known: {sorted(known)}")
            if isinstance(c, dict):
                _keys(cwhere, c, {"points", "visibility"})
                points = _number(f"{cwhere} points", c.get("points", 1.0))
                cvis = _visibility(f"{cwhere} visibility", c.get("visibility", fvis))
            else:
                points, cvis = _number(cwhere, c), fvis
            items.append(Item(fname, cname, round(points * weight, 6), cvis))
        names.append(fname)
    return Rubric(name=str(data.get("name", Path(path).stem)), seed=seed, visibility=vis,
                  stdout_visibility=stdout_vis, limits=limits, conventions={"relu_grad_at_zero": at_zero},
                  functions=tuple(names), items=tuple(items), path=str(path),
                  interface=iface if iface.style != "functions" else None)


def _number_any(where, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        _fail(where, f"expected a finite number, got {v!r}")
    return float(v)


def load_rubric(path=None) -> Rubric:
    """Read and validate a rubric file (the default rubric when `path` is None)."""
    p = Path(path) if path is not None else DEFAULT_RUBRIC
    try:
        with open(p, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ValueError(f"rubric: cannot read {p}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"rubric: {p} is not valid TOML: {exc}") from None
    return parse_rubric(data, str(p))
