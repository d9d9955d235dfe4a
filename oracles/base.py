"""The one oracle interface: value, VJP, JVP and full Jacobian of a named formula at given inputs.

A `Problem` names the mathematical function (`fn`, as in `Op.fn`), holds the inputs as NumPy
arrays (real arguments float, class labels int64) and the parameters as Python values, and says
which arguments to differentiate (`wrt`). Every oracle answers with an `Estimate`: the value
and, for approximate oracles (finite differences), an absolute error estimate of the same
structure. Oracles never import the reference implementation.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DTYPES = ("float32", "float64")


class OracleError(Exception):
    """An oracle cannot answer (missing form, absent device, unusable inputs)."""


class MissingForm(OracleError):
    """The oracle has no implementation of the requested `fn`."""


class DeviceUnavailable(OracleError):
    """The requested device is not present in this process."""


class KinkError(OracleError):
    """A finite-difference step would straddle a declared kink."""


@dataclass(frozen=True)
class Problem:
    """One evaluation point: `fn` at `inputs` with `params`, differentiated w.r.t. `wrt`.

    `kinks` maps an argument to the points where `fn` is not differentiable in that argument;
    finite differences keep their steps inside the smooth piece (and refuse otherwise).
    """

    fn: str
    inputs: dict
    params: dict = field(default_factory=dict)
    wrt: tuple = ()
    kinks: dict = field(default_factory=dict)

    def __post_init__(self):
        missing = [a for a in self.wrt if a not in self.inputs]
        if missing:
            raise ValueError(f"wrt: {missing} are not among the inputs {sorted(self.inputs)}")

    def cast(self, dtype) -> dict:
        """Inputs with every float array in `dtype`; integer arrays (labels) stay int64."""
        dt = np.dtype(dtype)
        out = {}
        for k, v in self.inputs.items():
            a = np.asarray(v)
            out[k] = a.astype(dt) if a.dtype.kind in "fc" else a.astype(np.int64)
        return out

    def size(self) -> int:
        """Number of real coordinates that are differentiated."""
        return int(sum(np.asarray(self.inputs[a]).size for a in self.wrt))


@dataclass
class Estimate:
    """An oracle's answer: `value` (array, or {arg: array}) and an absolute `error` estimate of the
    same structure (None where the oracle is exact up to rounding: autodiff)."""

    value: object
    error: object = None
    method: str = ""
    note: str = ""


class Oracle:
    """Interface shared by the torch, JAX and finite-difference oracles.

    Devices are strings: "cpu", "cuda:0" (torch), "gpu:0" (JAX). dtypes: "float32", "float64".
    """

    name = "oracle"

    def available(self) -> str | None:
        """None if usable here, else the reason it is not (e.g. the framework is not installed)."""
        return None

    def devices(self) -> list[str]:
        """Devices this oracle can run on in this process."""
        return ["cpu"]

    def forms(self) -> dict:
        """{fn: callable} implemented by this oracle."""
        raise NotImplementedError

    def has_form(self, fn: str) -> bool:
        return fn in self.forms()

    def value(self, problem: Problem, device: str = "cpu", dtype: str = "float64") -> Estimate:
        raise NotImplementedError

    def vjp(self, problem: Problem, g, device: str = "cpu", dtype: str = "float64") -> Estimate:
        """g^T J for the upstream gradient `g` (output's shape): {arg: array shaped like arg}."""
        raise NotImplementedError

    def jvp(self, problem: Problem, tangents: dict, device: str = "cpu", dtype: str = "float64") -> Estimate:
        """J u for tangents {arg: array shaped like arg} (args not given count as zero)."""
        raise NotImplementedError

    def jacobian(self, problem: Problem, device: str = "cpu", dtype: str = "float64") -> Estimate:
        """Full Jacobian {arg: array of shape output.shape + arg.shape}."""
        raise NotImplementedError

    def evaluate(self, problem: Problem, g=None, tangents=None, device: str = "cpu",
                 dtype: str = "float64", full: bool | None = None) -> dict:
        """Value, VJP and JVP in one call (oracles may fuse them): {"value", "vjp", "jvp"}.

        `g` is an array or a callable(output_shape) -> array (so that it can be drawn once the
        output's shape is known). `full=False` lets an oracle skip the VJP where it would need a
        full Jacobian (finite differences), leaving only the directional JVP; None lets the oracle
        decide (autodiff: always full).
        """
        value = self.value(problem, device, dtype)
        out = {"value": value, "vjp": None, "jvp": None}
        if g is not None and full is not False:
            gv = g(np.shape(value.value)) if callable(g) else g
            out["vjp"] = self.vjp(problem, gv, device, dtype)
        if tangents is not None:
            out["jvp"] = self.jvp(problem, tangents, device, dtype)
        return out

    # helpers shared by the implementations
    def _form(self, fn: str):
        forms = self.forms()
        if fn not in forms:
            raise MissingForm(f"no {self.name} form for fn {fn!r} (add one to the form module its document lists "
                              f"under the entry-point group mlp_ref.forms)")
        return forms[fn]

    def _check_device(self, device: str) -> None:
        if device not in self.devices():
            raise DeviceUnavailable(f"{self.name}: device {device!r} not found (available: {self.devices()})")


def params_key(params: dict) -> tuple:
    """A hashable, collision-free key for a params dict (arrays by shape, dtype and bytes)."""
    def one(v):
        if isinstance(v, np.ndarray):
            return ("ndarray", v.shape, v.dtype.str, v.tobytes())
        if isinstance(v, dict):
            return ("dict", params_key(v))
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, tuple(one(x) for x in v))
        return (type(v).__name__, repr(v))
    return tuple((k, one(v)) for k, v in sorted(params.items()))


def check_dtype(dtype) -> str:
    name = np.dtype(dtype).name
    if name not in DTYPES:
        raise ValueError(f"dtype: expected one of {DTYPES}, got {dtype!r}")
    return name
