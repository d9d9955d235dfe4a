"""The catalog machinery: ops (forward + hand-derived VJP + input domain) and document entries.

An `Op` is one mathematical function with its hand-derived backward; the oracles look up their
own implementation of the same function by `Op.fn`. An `Entry` is one formula, worked example or
claim of a lecture document; its verdict is computed by running `Entry.run`, never typed in.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

VERDICTS = ("holds", "erratum", "convention", "incomplete")
KINDS = ("formula", "example", "claim", "definition", "algorithm", "code")

# Float64 comparisons inside the catalog: a formula "holds" when it agrees with the computation to
# this relative tolerance (plus the absolute floor, for values that should be exactly zero).
CATALOG_RTOL = 1e-9
CATALOG_ATOL = 1e-12
# A hand derivative against central differences computed inside an entry (float64, step ~1e-6):
# the quotient's truncation and rounding error is ~1e-10 relative, so 1e-6 sits well above it and
# far below any real mistake (a wrong factor, sign or transpose shows as an O(1) difference).
FD_TOL = {"rtol": 1e-6, "atol": 1e-8}

SOURCES = {
    "000_1d7cd03ac9423737.txt": "FAU Deep Learning, Feedforward Networks Part 4: Layer Abstraction",
    "001_feff9ffe3b35df68.txt": "TUM Machine Learning, Lecture 7: Deep Learning I",
    "002_5743ee5785c1fd12.txt": "COS 324, Chapter 11: Feedforward Neural Network and Backpropagation",
    "003_485f8fafa7a34846.txt": "EE-559 Deep learning, 3b. Multi-Layer Perceptrons",
    "004_e1f35d5019c4ba9b.txt": "MLPs + CNNs lecture notes (9/03/15)",
}


# --------------------------------------------------------------------------------------- domains
@dataclass(frozen=True)
class Arg:
    """How to draw one input of an op.

    `shape` holds ints or dimension names shared across args ("N", "D", ...); `kind` is "real",
    "labels" (int in [0, K) where K is the size named by `classes`), "onehot" (rows of a one-hot
    matrix with K columns), "binary" ({0,1} floats), "sign" ({-1,1} floats) or "simplex" (rows
    summing to one). Real values lie in [low, high]; `kinks` are points where the op is not
    differentiable, kept at least `margin` away from samples.
    """

    shape: tuple
    kind: str = "real"
    low: float = -3.0
    high: float = 3.0
    kinks: tuple = ()
    classes: str = "K"
    differentiable: bool = True


DEFAULT_DIMS = {"N": 4, "D": 3, "H": 5, "K": 3, "M": 2}


def sample_inputs(args: dict[str, Arg], rng: np.random.Generator, dtype, dims=None, margin=1e-2):
    """Draw one set of inputs for `args` in `dtype`, keeping real values `margin` away from kinks."""
    dims = {**DEFAULT_DIMS, **(dims or {})}
    out = {}
    for name, a in args.items():
        shape = tuple(dims[s] if isinstance(s, str) else s for s in a.shape)
        k = dims[a.classes] if a.classes in dims else 2
        if a.kind == "real":
            v = rng.uniform(a.low, a.high, size=shape)
            for kink in a.kinks:
                close = np.abs(v - kink) < margin
                v = np.where(close, kink + np.where(v >= kink, 1, -1) * (margin + rng.uniform(0, 0.5, shape)), v)
            out[name] = v.astype(dtype)
        elif a.kind == "labels":
            out[name] = rng.integers(0, k, size=shape).astype(np.int64)
        elif a.kind == "onehot":
            idx = rng.integers(0, k, size=shape[:-1])
            out[name] = np.eye(k, dtype=dtype)[idx]
        elif a.kind == "binary":
            out[name] = rng.integers(0, 2, size=shape).astype(dtype)
        elif a.kind == "sign":
            out[name] = (2 * rng.integers(0, 2, size=shape) - 1).astype(dtype)
        elif a.kind == "simplex":
            v = rng.uniform(0.05, 1.0, size=shape)
            out[name] = (v / v.sum(axis=-1, keepdims=True)).astype(dtype)
        else:  # pragma: no cover - guarded by tests over every op
            raise ValueError(f"unknown Arg kind {a.kind!r} for {name}")
    return out


# ------------------------------------------------------------------------------------------- ops
@dataclass(frozen=True)
class Op:
    """One function with its hand-derived VJP, as the reference implements it.

    `forward(**inputs, **params)` returns an array; `vjp(g, **inputs, **params)` returns a dict
    {arg: dL/darg} for every differentiable arg, given the upstream gradient `g` of the output.
    `fn` names the mathematical function the oracles implement independently (several ops may
    share one `fn`, e.g. an as-written and a corrected backward of the same forward).
    """

    name: str
    fn: str
    forward: Callable
    vjp: Callable
    args: dict
    params: dict = field(default_factory=dict)
    dims: dict = field(default_factory=dict)
    analytic: bool = True  # complex step applies (no max/abs/branches)
    note: str = ""
    # bind(module) -> (forward, vjp) built from another implementation's public functions of the
    # same names (pytest --impl, grading); None for document-specific as-written forms.
    bind: Callable | None = None
    # kink_distance(**inputs, **params) -> distance from the nearest kink that is not a fixed point of
    # one argument (e.g. yhat = y for MAE); sampling redraws until it exceeds the margin.
    kink_distance: Callable | None = None

    def for_impl(self, module):
        """This op with forward/vjp taken from `module` (an implementation under test), or None."""
        if self.bind is None:
            return None
        forward, vjp = self.bind(module)
        return replace(self, forward=forward, vjp=vjp)

    @property
    def wrt(self) -> tuple[str, ...]:
        return tuple(n for n, a in self.args.items() if a.differentiable and a.kind in ("real", "simplex"))

    def sample(self, rng, dtype, margin=1e-2, tries=100):
        """Inputs from the domain, at least `margin` away from every declared kink."""
        for _ in range(tries):
            inputs = sample_inputs(self.args, rng, dtype, self.dims, margin)
            if self.kink_distance is None or self.kink_distance(**inputs, **self.params) > margin:
                return inputs
        raise ValueError(f"{self.name}: no sample at least {margin} away from the kinks in {tries} tries")

    @property
    def kinks(self) -> dict[str, tuple]:
        return {n: a.kinks for n, a in self.args.items() if a.kinks}


OPS: dict[str, Op] = {}


def register_op(op: Op) -> Op:
    if op.name in OPS:
        raise ValueError(f"duplicate op name {op.name!r}")
    OPS[op.name] = op
    return op


# ------------------------------------------------------------------------------------ outcomes
@dataclass
class Finding:
    key: str
    status: str  # "ok", "mismatch", "convention", "missing"
    detail: str
    corrected_ok: bool | None = None


def printed_decimals(documented: str) -> int:
    """Number of digits after the decimal point in a documented number ("0.98" -> 2, "90" -> 0)."""
    m = re.fullmatch(r"\s*[-+−]?\d+(?:\.(\d+))?\s*", documented)
    if not m:
        raise ValueError(f"documented number {documented!r} is not a plain decimal")
    return len(m.group(1) or "")


def parse_documented(documented: str) -> float:
    return float(documented.replace("−", "-"))


def rounded_match(documented: str, value: float) -> tuple[bool, float]:
    """Does `value`, rounded to the digits the document prints, equal the documented number?"""
    digits = printed_decimals(documented)
    rounded = round(float(value), digits)  # half-to-even on the binary value, as Python rounds
    if rounded == 0:
        rounded = 0.0
    return math.isclose(rounded, parse_documented(documented), abs_tol=0.5 * 10 ** -(digits + 3)), rounded


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else repr(v)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


class Run:
    """Collects what an entry's computation shows; the verdict is derived from these findings."""

    def __init__(self, documented: dict[str, str]):
        self.documented = documented
        self.computed: dict[str, Any] = {}
        self.findings: list[Finding] = []

    def value(self, key: str, value) -> None:
        """Record a computed value without a documented counterpart."""
        self.computed[key] = _jsonable(value)

    def number(self, key: str, value, documented_key: str | None = None, *, reference=None,
               rtol=CATALOG_RTOL, atol=CATALOG_ATOL) -> bool:
        """Compare a computed number with the documented one under the rounding rule.

        `reference`, when given, is an independent computation of the same quantity (e.g. a
        difference quotient); on a mismatch the corrected value `value` must agree with it.
        """
        dkey = documented_key or key
        doc = self.documented[dkey]
        ok, rounded = rounded_match(doc, float(value))
        self.computed[key] = _jsonable(float(value))
        detail = (f"{dkey}: documented {doc}, computed {float(value):.6g}"
                  + ("" if ok else f" (rounds to {rounded:g} at the printed precision)"))
        corrected_ok = None
        if not ok and reference is not None:
            corrected_ok = bool(np.isclose(float(value), float(reference), rtol=rtol, atol=atol))
        self.findings.append(Finding(key, "ok" if ok else "mismatch", detail, corrected_ok))
        return ok

    def close(self, key: str, as_written, expected, *, what: str = "", corrected=None,
              layout: str | None = None, rtol=CATALOG_RTOL, atol=CATALOG_ATOL) -> str:
        """Compare an as-written formula's value with the computation.

        `as_written` may be an array or a zero-argument callable (a ValueError from it, e.g. a
        shape mismatch, counts as a mismatch). If `layout` names a layout convention and the
        as-written value equals the transpose of the expected one, the finding is a convention.
        `corrected` (array or callable) is the repaired form; it must agree for an erratum to be
        well-founded. Returns the finding's status.
        """
        what = what or key
        try:
            got = np.asarray(as_written() if callable(as_written) else as_written, dtype=np.float64)
        except ValueError as exc:
            got, err = None, f"as written it cannot be evaluated: {exc}"
        exp = np.asarray(expected, dtype=np.float64)
        if got is not None:
            if got.shape == exp.shape and np.allclose(got, exp, rtol=rtol, atol=atol):
                self.computed[key] = _summary(got)
                self.findings.append(Finding(key, "ok", f"{what}: agrees with the computation "
                                                   f"(max abs diff {_maxdiff(got, exp):.2g})"))
                return "ok"
            if (layout and got.ndim == 2 and got.T.shape == exp.shape
                    and np.allclose(got.T, exp, rtol=rtol, atol=atol)):
                self.computed[key] = _summary(got)
                self.findings.append(Finding(key, "convention",
                    f"{what}: as written it yields shape {got.shape}, the transpose of the "
                    f"{exp.shape} gradient the computation gives ({layout})"))
                return "convention"
            err = (f"as written it gives shape {got.shape}" if got.shape != exp.shape else
                   f"as written it differs from the computation by up to {_maxdiff(got, exp):.3g}")
            self.computed[key] = _summary(got)
        corrected_ok = None
        if corrected is not None:
            fixed = np.asarray(corrected() if callable(corrected) else corrected, dtype=np.float64)
            corrected_ok = fixed.shape == exp.shape and bool(np.allclose(fixed, exp, rtol=rtol, atol=atol))
            self.computed[key + " (corrected)"] = _summary(fixed)
            err += "; the corrected form " + ("agrees" if corrected_ok else "ALSO DISAGREES")
        self.computed[key + " (computed)"] = _summary(exp)
        self.findings.append(Finding(key, "mismatch", f"{what}: {err}", corrected_ok))
        return "mismatch"

    def claim(self, key: str, ok: bool, detail: str, corrected_ok: bool | None = None) -> bool:
        """Record a computed yes/no check of a claim."""
        self.findings.append(Finding(key, "ok" if ok else "mismatch", detail, corrected_ok))
        self.computed[key] = bool(ok)
        return bool(ok)

    def convention(self, key: str, differs: bool, detail: str) -> None:
        """Record a convention finding when the computation shows conventions really differ."""
        self.findings.append(Finding(key, "convention" if differs else "ok", detail))

    def missing(self, key: str, what: str) -> None:
        """Record that the source is cut off so that `key` cannot be reproduced."""
        self.findings.append(Finding(key, "missing", what))
        self.computed[key] = None


def _summary(a: np.ndarray):
    """Small arrays verbatim; large ones as shape and range, so catalog records stay readable."""
    if a.size <= 16:
        return _jsonable(a)
    return {"shape": list(a.shape), "min": float(a.min()), "max": float(a.max())}


def _maxdiff(a, b) -> float:
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def derive_verdict(findings: list[Finding]) -> str:
    """incomplete > erratum > convention > holds, from what the computation found."""
    statuses = {f.status for f in findings}
    if not findings:
        raise ValueError("an entry must record at least one finding")
    if "missing" in statuses:
        return "incomplete"
    if "mismatch" in statuses:
        return "erratum"
    if "convention" in statuses:
        return "convention"
    return "holds"


# --------------------------------------------------------------------------------------- entries
@dataclass
class Entry:
    """One formula, worked example or claim of a lecture document, tied to its location."""

    id: str
    source: str
    location: str
    statement: str
    kind: str
    run: Callable[[Run], None]
    documented: dict = field(default_factory=dict)
    op: Op | None = None  # the formula as written, checked against the oracles
    corrected: Op | None = None  # the corrected form, for errata
    corrected_statement: str = ""
    tolerance: dict | None = None  # {"rtol":..., "atol":..., "reason":...} override for oracle checks

    def evaluate(self) -> dict:
        """Run the entry and return its catalog record with a computed verdict."""
        r = Run(self.documented)
        self.run(r)
        verdict = derive_verdict(r.findings)
        notable = [f for f in r.findings if f.status != "ok"]
        if verdict == "holds":
            explanation = "; ".join(f.detail for f in r.findings[:4]) + (
                f"; and {len(r.findings) - 4} more checks agree" if len(r.findings) > 4 else "")
        else:
            explanation = "; ".join(f.detail for f in notable)
            if verdict == "erratum" and self.corrected_statement:
                explanation += f". Corrected: {self.corrected_statement}"
        return {
            "id": self.id,
            "source": self.source,
            "location": self.location,
            "statement": self.statement,
            "kind": self.kind,
            "documented": dict(self.documented),
            "computed": r.computed,
            "verdict": verdict,
            "explanation": explanation,
            "_findings": r.findings,
        }


ENTRIES: list[Entry] = []


def entry(*, id: str, source: str, location: str, statement: str, kind: str,
          documented: dict | None = None, op: Op | None = None, corrected: Op | None = None,
          corrected_statement: str = "", tolerance: dict | None = None):
    """Decorator: register the decorated `run(r: Run)` function as a catalog entry."""
    if source not in SOURCES:
        raise ValueError(f"source: expected one of {sorted(SOURCES)}, got {source!r}")
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    if tolerance is not None and not tolerance.get("reason"):
        raise ValueError(f"{id}: a tolerance override needs a reason")

    def deco(run):
        if any(e.id == id for e in ENTRIES):
            raise ValueError(f"duplicate entry id {id!r}")
        ENTRIES.append(Entry(id=id, source=source, location=location, statement=statement,
                             kind=kind, run=run, documented=dict(documented or {}), op=op,
                             corrected=corrected, corrected_statement=corrected_statement,
                             tolerance=tolerance))
        return run

    return deco
