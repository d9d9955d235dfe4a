"""The catalog machinery: ops (forward + hand-derived VJP + input domain) and document entries.

An `Op` is one mathematical function with its hand-derived backward; the oracles look up their
own implementation of the same function by `Op.fn`. An `Entry` is one formula, worked example or
claim of a lecture document; its verdict is computed by running `Entry.run`, never typed in.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from collections.abc import Mapping
from typing import Any, Callable

import numpy as np

VERDICTS = ("holds", "erratum", "convention", "incomplete", "cited")
KINDS = ("formula", "example", "claim", "definition", "algorithm", "code")

# Float64 comparisons inside the catalog: a formula "holds" when it agrees with the computation to
# this relative tolerance (plus the absolute floor, for values that should be exactly zero).
CATALOG_RTOL = 1e-9
CATALOG_ATOL = 1e-12
# A hand derivative against central differences computed inside an entry (float64, step ~1e-6):
# the quotient's truncation and rounding error is ~1e-10 relative, so 1e-6 sits well above it and
# far below any real mistake (a wrong factor, sign or transpose shows as an O(1) difference).
FD_TOL = {"rtol": 1e-6, "atol": 1e-8}


# ------------------------------------------------------------------------------------- documents
@dataclass
class Document:
    """One lecture document checked by the catalog, declared by its document package.

    `source` identifies the document (a file name or a short identifier; catalog records carry it),
    `title` and `citation` say what it is, `prefix` is the start of every entry id ("cos324-"),
    `expected` names the module holding its expected verdicts (the tables `EXPECTED`, `INPUTS`,
    `MISMATCHED_NUMBERS`, `OTHER_READINGS`, `CONVENTIONS`, `SEVERITY`, `SAME_FAULT`; None: the
    declaring module, which then defines them at its bottom). `module` is
    the declaring module and `package` the distribution that installed it (filled in by discovery).
    Its oracle forms are found through the entry-point group `mlp_ref.forms` under the same name
    (see `oracles.forms`), so that the reference never names oracle code.
    """

    source: str
    title: str
    citation: str = ""
    prefix: str = ""
    expected: str | None = None
    module: str = ""
    package: str = ""
    name: str = ""  # the entry-point name it was found under
    ops: tuple = ()  # names of the ops its package registered (filled in by discovery)


DOCUMENTS: dict[str, Document] = {}


def document(source: str, *, title: str, citation: str = "", prefix: str = "", expected: str | None = None,
             module: str = "") -> Document:
    """Declare a document; call it at the top of a document module, before its `@entry`s.

    `expected` is a module name (see `Document`); it defaults to the declaring module itself when
    that defines `EXPECTED`. Raises ValueError when the source is
    already declared (by another package) or an argument is empty.
    """
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"source: expected a non-empty file name or identifier, got {source!r}")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title: expected a non-empty title for {source!r}, got {title!r}")
    if source in DOCUMENTS:
        other = DOCUMENTS[source]
        raise ValueError(f"source {source!r} is already declared by {other.package or other.module or 'another module'}")
    if not module:
        import inspect

        frame = inspect.currentframe().f_back
        module = frame.f_globals.get("__name__", "") if frame is not None else ""
    doc = Document(source=source, title=title.strip(), citation=citation, prefix=prefix, expected=expected,
                   module=module)
    DOCUMENTS[source] = doc
    return doc


class _Sources(Mapping):
    """{source: title} of every declared document, in catalog order (sorted by source)."""

    def _order(self):
        return [s for s in sorted(DOCUMENTS) if SELECTED is None or s in SELECTED]

    def __getitem__(self, key):
        return DOCUMENTS[key].title

    def __iter__(self):
        return iter(self._order())

    def __len__(self):
        return len(self._order())

    def __repr__(self):
        return f"SOURCES({dict(self)!r})"


# A read-only view of the declared documents; discovery (mlp_ref.packages.load) fills it, and
# `catalog.only_sources` narrows it (and the catalog) to the documents a command selects.
SOURCES = _Sources()
SELECTED: frozenset | None = None


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
        """The args the VJP differentiates: real (or simplex) args marked differentiable."""
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
        """{arg: its declared kinks} for the args that have any."""
        return {n: a.kinks for n, a in self.args.items() if a.kinks}


OPS: dict[str, Op] = {}


def register_op(op: Op) -> Op:
    """Add `op` to the ops every oracle checks; its name must be unused."""
    if op.name in OPS:
        raise ValueError(f"duplicate op name {op.name!r}")
    OPS[op.name] = op
    return op


# ------------------------------------------------------------------------------------ outcomes
STATUSES = ("ok", "mismatch", "convention", "missing", "cited")
# The severity of a mismatch, worst first; an erratum entry takes the worst of its findings.
SEVERITIES = ("error", "slip", "transcription")
SEVERITY_MEANING = {
    "error": "following the document as printed gives a wrong number, formula or conclusion",
    "slip": "a notational typo that a reader corrects without changing any result",
    "transcription": "most likely damage from the text extraction of this copy, not the author's",
}


@dataclass
class Finding:
    """One computed check of an entry: what it checks, the document's text, the computed value."""

    key: str
    status: str  # one of STATUSES ("cited": a result the document cites and this entry does not reproduce)
    detail: str  # the evidence, one sentence
    corrected_ok: bool | None = None  # for a mismatch: does the corrected form hold?
    what: str = ""  # what is checked, one short sentence
    documented: str | None = None  # the document's text for this finding, verbatim
    doc_key: str | None = None  # the key of `documented` in the entry's documented dict
    computed: Any = None  # the computation's value (JSON-ready)
    as_written: Any = None  # the value of the formula as printed, where it differs (JSON-ready)
    severity: str | None = None  # for a mismatch: one of SEVERITIES
    reason: str = ""  # one line: why this severity

    def record(self) -> dict:
        """The JSON form of this finding."""
        return {"key": self.key, "what": self.what or self.key, "documented": self.documented,
                "computed": self.computed, "status": self.status, "severity": self.severity,
                "reason": self.reason, "evidence": self.detail, "as_written": self.as_written}


def _severity(severity, why, status):
    """The severity kept on a finding: only a mismatch has one, and it must say why."""
    if severity is not None:
        if severity not in SEVERITIES:
            raise ValueError(f"severity: expected one of {SEVERITIES}, got {severity!r}")
        if not why or not why.strip():
            raise ValueError("why: a severity needs a one-line reason")
    if status != "mismatch":
        return None, ""
    return severity, (why or "").strip()


def worst_severity(severities) -> str | None:
    """The worst of `severities` (error > slip > transcription), None when there is none."""
    present = [s for s in severities if s is not None]
    return min(present, key=SEVERITIES.index) if present else None


def printed_decimals(documented: str) -> int:
    """Number of digits after the decimal point in a documented number ("0.98" -> 2, "90" -> 0)."""
    m = re.fullmatch(r"\s*[-+−]?\d+(?:\.(\d+))?\s*", documented)
    if not m:
        raise ValueError(f"documented number {documented!r} is not a plain decimal")
    return len(m.group(1) or "")


def parse_documented(documented: str) -> float:
    """A documented number as a float (the typographic minus − read as -)."""
    return float(documented.replace("−", "-"))


# A printed integer (no decimal point) is read as a value, not as a rounding to units: it matches a
# computed value within 1% of it (so "90" matches 89.93 but "1" does not match 0.924), and a
# printed 0 matches only a value within INTEGER_ZERO_ATOL of zero (float round-off).
INTEGER_RTOL = 0.01
INTEGER_ZERO_ATOL = 1e-9


def rounded_match(documented: str, value: float, approx: float | None = None) -> tuple[bool, float]:
    """Does `value` match the documented number at the precision the document prints?

    With decimals ("0.98"), `value` rounded to that many decimals must equal it. A printed integer
    must be within INTEGER_RTOL of `value` (INTEGER_ZERO_ATOL for 0). `approx`, for a number the
    document marks as approximate ("≈", "about"), replaces both with a relative tolerance that the
    entry states before measuring. Returns (match, value rounded at the printed precision).
    """
    digits = printed_decimals(documented)
    doc = parse_documented(documented)
    value = float(value)
    rounded = round(value, digits)  # half-to-even on the binary value, as Python rounds
    if rounded == 0:
        rounded = 0.0
    if approx is not None:
        if not (isinstance(approx, float) and 0 < approx < 1):
            raise ValueError(f"approx: expected a relative tolerance in (0, 1), got {approx!r}")
        return abs(value - doc) <= approx * abs(doc) if doc else abs(value) <= INTEGER_ZERO_ATOL, rounded
    if digits == 0:
        tol = INTEGER_RTOL * abs(doc) if doc else INTEGER_ZERO_ATOL
        return abs(value - doc) <= tol, rounded
    return math.isclose(rounded, doc, abs_tol=0.5 * 10 ** -(digits + 3)), rounded


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
    """Collects what an entry's computation shows; the verdict is derived from these findings.

    Every recording method takes `severity` and `why`: how serious a mismatch of this finding is
    (one of SEVERITIES, with a one-line reason). They are kept only when the finding is a mismatch,
    so an entry states them before it measures.
    """

    def __init__(self, documented: dict[str, str]):
        self.documented = documented
        self.computed: dict[str, Any] = {}
        self.findings: list[Finding] = []

    def _doc(self, documented_key):
        if documented_key is None:
            return None
        if documented_key not in self.documented:
            raise KeyError(f"documented: the entry documents no {documented_key!r}")
        return self.documented[documented_key]

    def _add(self, key, status, detail, corrected_ok=None, *, what="", documented_key=None, computed=None,
             as_written=None, severity=None, why=""):
        severity, why = _severity(severity, why, status)
        self.findings.append(Finding(key, status, detail, corrected_ok, what=what or key,
                                     documented=self._doc(documented_key), doc_key=documented_key,
                                     computed=computed, as_written=as_written, severity=severity, reason=why))

    def value(self, key: str, value) -> None:
        """Record a computed value without a documented counterpart."""
        self.computed[key] = _jsonable(value)

    def number(self, key: str, value, documented_key: str | None = None, *, reference=None,
               rtol=CATALOG_RTOL, atol=CATALOG_ATOL, approx: float | None = None, what: str = "",
               severity: str | None = None, why: str = "") -> bool:
        """Compare a computed number with the documented one at the printed precision.

        `reference`, when given, is an independent computation of the same quantity (e.g. a
        difference quotient); on a mismatch the corrected value `value` must agree with it.
        `approx` is the relative criterion for a number the document marks as approximate.
        """
        dkey = documented_key or key
        doc = self._doc(dkey)
        ok, rounded = rounded_match(doc, float(value), approx)
        self.computed[key] = _jsonable(float(value))
        rule = f" (criterion: within {approx:.0%})" if approx is not None else ""
        detail = (f"{dkey}: documented {doc}, computed {float(value):.6g}{rule}"
                  + ("" if ok else f" (rounds to {rounded:g} at the printed precision)"))
        corrected_ok = None
        if not ok and reference is not None:
            corrected_ok = bool(np.isclose(float(value), float(reference), rtol=rtol, atol=atol))
        self._add(key, "ok" if ok else "mismatch", detail, corrected_ok, what=what or f"the printed value of {dkey}",
                  documented_key=dkey, computed=_jsonable(float(value)), severity=severity, why=why)
        return ok

    def close(self, key: str, as_written, expected, *, what: str = "", corrected=None,
              layout: str | None = None, rtol=CATALOG_RTOL, atol=CATALOG_ATOL,
              documented: str | None = None, severity: str | None = None, why: str = "") -> str:
        """Compare an as-written formula's value with the computation.

        `as_written` may be an array or a zero-argument callable (a ValueError from it, e.g. a
        shape mismatch, counts as a mismatch). If `layout` names a layout convention and the
        as-written value equals the transpose of the expected one, the finding is a convention.
        `corrected` (array or callable) is the repaired form; it must agree for an erratum to be
        well-founded. `documented` names the documented key this finding checks. Returns the
        finding's status.
        """
        what = what or key
        if _same_view(as_written, expected):
            raise ValueError(f"{key}: as_written and expected are the same array; the check could not fail")
        kw = dict(what=what, documented_key=documented, severity=severity, why=why)
        try:
            got = np.asarray(as_written() if callable(as_written) else as_written, dtype=np.float64)
        except ValueError as exc:
            got, err = None, f"as written it cannot be evaluated: {exc}"
        exp = np.asarray(expected, dtype=np.float64)
        kw["computed"] = _summary(exp)
        if got is not None:
            kw["as_written"] = _summary(got)
            if got.shape == exp.shape and np.allclose(got, exp, rtol=rtol, atol=atol):
                self.computed[key] = _summary(got)
                self._add(key, "ok", f"{what}: agrees with the computation (max abs diff {_maxdiff(got, exp):.2g})",
                          **kw)
                return "ok"
            if (layout and got.ndim == 2 and got.T.shape == exp.shape
                    and np.allclose(got.T, exp, rtol=rtol, atol=atol)):
                self.computed[key] = _summary(got)
                self._add(key, "convention",
                          f"{what}: as written it yields shape {got.shape}, the transpose of the "
                          f"{exp.shape} result the computation gives ({layout})", **kw)
                return "convention"
            err = (f"as written it gives shape {got.shape}" if got.shape != exp.shape else
                   f"as written it differs from the computation by up to {_maxdiff(got, exp):.3g}")
            self.computed[key] = _summary(got)
        corrected_ok = None
        if corrected is not None:
            try:
                fixed = np.asarray(corrected() if callable(corrected) else corrected, dtype=np.float64)
            except ValueError as exc:
                fixed, corrected_ok = None, False
                err += f"; the corrected form cannot be evaluated either: {exc}"
            if fixed is not None:
                corrected_ok = fixed.shape == exp.shape and bool(np.allclose(fixed, exp, rtol=rtol, atol=atol))
                self.computed[key + " (corrected)"] = _summary(fixed)
                err += "; the corrected form " + ("agrees" if corrected_ok else "ALSO DISAGREES")
        self.computed[key + " (computed)"] = _summary(exp)
        self._add(key, "mismatch", f"{what}: {err}", corrected_ok, **kw)
        return "mismatch"

    def claim(self, key: str, ok: bool, detail: str, corrected_ok: bool | None = None, *, what: str = "",
              documented: str | None = None, severity: str | None = None, why: str = "") -> bool:
        """Record a computed yes/no check of a claim."""
        self._add(key, "ok" if ok else "mismatch", detail, corrected_ok, what=what, documented_key=documented,
                  computed=bool(ok), severity=severity, why=why)
        self.computed[key] = bool(ok)
        return bool(ok)

    def convention(self, key: str, differs: bool, detail: str, *, what: str = "",
                   documented: str | None = None) -> None:
        """Record a convention finding when the computation shows conventions really differ."""
        self._add(key, "convention" if differs else "ok", detail, what=what, documented_key=documented,
                  computed=bool(differs))

    def cited(self, key: str, what: str, *, documented: str | None = None) -> None:
        """Record a result the document cites (a theorem, a reference) that no computation here reproduces.

        Not a check and never a fault: the entry says plainly that this part is cited and not checked.
        """
        self._add(key, "cited", what, what=f"{key} (cited, not checked)", documented_key=documented)
        self.computed[key] = None

    def missing(self, key: str, what: str, *, documented: str | None = None) -> None:
        """Record that the source is cut off so that `key` cannot be reproduced."""
        self._add(key, "missing", what, what=f"{key} (not reproducible from the text)", documented_key=documented)
        self.computed[key] = None


def _same_view(a, b) -> bool:
    """Are `a` and `b` the same array (the same memory, shape and strides), so equal by construction?"""
    return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
            and a.strides == b.strides and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def _summary(a: np.ndarray):
    """Small arrays verbatim; large ones as shape and range, so catalog records stay readable."""
    if a.size <= 16:
        return _jsonable(a)
    return {"shape": list(a.shape), "min": float(a.min()), "max": float(a.max())}


def _maxdiff(a, b) -> float:
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def derive_verdict(findings: list[Finding]) -> str:
    """incomplete > erratum > convention > cited > holds, from what the computation found."""
    statuses = {f.status for f in findings}
    if not findings:
        raise ValueError("an entry must record at least one finding")
    if "missing" in statuses:
        return "incomplete"
    if "mismatch" in statuses:
        return "erratum"
    if "convention" in statuses:
        return "convention"
    if "cited" in statuses:
        return "cited"
    return "holds"


# --------------------------------------------------------------------------------------- entries
@dataclass
class Entry:
    """One formula, worked example or claim of a lecture document, tied to its location.

    `reading` states how the entry reads the statement (the document's own layout, index base,
    a transcript's spoken context, the criterion for "≈" or "rule of thumb"), written before the
    measurement. `same_fault_as` names the entry of the same document that owns a fault this entry
    repeats (the same slip, the same kink or index convention): the fault is counted once, there.
    """

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
    reading: str = ""
    same_fault_as: str | None = None

    def evaluate(self, documented: dict | None = None) -> dict:
        """Run the entry and return its catalog record with a computed verdict.

        `documented` replaces the entry's documented values (the mutation tests perturb them).
        """
        r = Run(dict(self.documented if documented is None else documented))
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
        if self.reading:
            explanation = f"Reading: {self.reading}. {explanation}"
        if self.same_fault_as and verdict != "holds":
            explanation += f". The same fault as {self.same_fault_as}, counted there"
        severity = worst_severity(f.severity for f in notable) if verdict == "erratum" else None
        return {
            "id": self.id,
            "source": self.source,
            "location": self.location,
            "statement": self.statement,
            "kind": self.kind,
            "documented": dict(r.documented),
            "computed": r.computed,
            "verdict": verdict,
            "explanation": explanation,
            "findings": [f.record() for f in r.findings],
            "severity": severity,
            "same_fault_as": self.same_fault_as if verdict != "holds" else None,
            "_findings": r.findings,
        }


ENTRIES: list[Entry] = []


def entry(*, id: str, source: str, location: str, statement: str, kind: str,
          documented: dict | None = None, op: Op | None = None, corrected: Op | None = None,
          corrected_statement: str = "", tolerance: dict | None = None, reading: str = "",
          same_fault_as: str | None = None):
    """Decorator: register the decorated `run(r: Run)` function as a catalog entry.

    `reading` and `same_fault_as` are described on `Entry`; `same_fault_as` must name an entry of
    the same source registered earlier.
    """
    if source not in DOCUMENTS:
        raise ValueError(f"source: {source!r} is not declared; call mlp_ref.registry.document({source!r}, "
                         f"title=...) before its entries (declared: {sorted(DOCUMENTS)})")
    prefix = DOCUMENTS[source].prefix
    if prefix and not id.startswith(prefix):
        raise ValueError(f"id: entries of {source!r} start with {prefix!r}, got {id!r}")
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    if tolerance is not None and not tolerance.get("reason"):
        raise ValueError(f"{id}: a tolerance override needs a reason")
    if same_fault_as is not None:
        owner = next((e for e in ENTRIES if e.id == same_fault_as), None)
        if owner is None or owner.source != source:
            raise ValueError(f"{id}: same_fault_as must name an earlier entry of {source}, got {same_fault_as!r}")
        if owner.same_fault_as is not None:
            raise ValueError(f"{id}: same_fault_as must name the owner {owner.same_fault_as!r}, "
                             f"not {same_fault_as!r}, which points to it")

    def deco(run):
        clash = next((e for e in ENTRIES if e.id == id), None)
        if clash is not None:
            owner = DOCUMENTS.get(clash.source)
            raise ValueError(f"duplicate entry id {id!r}: already registered by {clash.source!r}"
                             + (f" (package {owner.package})" if owner is not None and owner.package else ""))
        ENTRIES.append(Entry(id=id, source=source, location=location, statement=statement,
                             kind=kind, run=run, documented=dict(documented or {}), op=op,
                             corrected=corrected, corrected_statement=corrected_statement,
                             tolerance=tolerance, reading=reading, same_fault_as=same_fault_as))
        return run

    return deco
