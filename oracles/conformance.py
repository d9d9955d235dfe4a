"""Conformance harness: every catalog entry (and every other registered op) x oracle x device x dtype.

A check draws inputs from the op's domain with a seed fixed by (seed, op, dtype), evaluates the
implementation under test (default mlp_ref; any module with the reference's public functions,
through `Op.for_impl`) and one oracle, and compares
  value        the forward values;
  vjp          g^T J for a random upstream gradient g (for finite differences only while the
               full Jacobian is small: FDOracle.full_limit);
  directional  v^T J u computed two ways: the reference's VJP dotted with u, the oracle's JVP
               dotted with v (v = g), with fixed random u;
under the tolerance table (oracles.tolerances), widened by the finite-difference oracle's own
error estimate. A failed check is explained entry by entry from full Jacobians where they are
small enough. An erratum's as-written op is expected to fail ("expected-fail"); one that passes
is an "unexpected-pass". Entries without an op get one "catalog" row: the entry evaluates and
every erratum's corrected form holds.

This module, oracles.cli and oracles.series (the harness, not oracle forms) are the only parts of
the package that import mlp_ref.
"""
from __future__ import annotations

import copy
import functools
import importlib
import importlib.util
import math
import os
import platform
import sys
import time
import zlib
from dataclasses import dataclass

import numpy as np

from . import devices as dev
from . import tolerances as tols
from .base import DTYPES, OracleError, Problem

ORACLES = ("torch", "jax", "fd")
EXPLAIN_LIMIT = 4096  # the same bound for the full-Jacobian explanation of a failure
EXPLAIN_ROWS = 5
FD_CLAIMS = {"forward": None, "central": 1e-9, "richardson": 1e-11, "complex": 1e-13}
SMOOTH_FNS = ("sigmoid", "tanh", "swish", "softmax", "log_softmax", "linear", "affine", "squared_error",
              "mse", "l2_loss", "binary_cross_entropy", "categorical_cross_entropy", "kl_divergence", "mlp")
STATUSES = ("pass", "fail", "expected-fail", "unexpected-pass", "skip")


# ------------------------------------------------------------------------------ implementations
def load_impl(impl=None):
    """The implementation under test: a module, a path to a .py file, a module name, or mlp_ref."""
    if impl is None:
        return importlib.import_module("mlp_ref")
    if not isinstance(impl, str):
        return impl
    if impl.endswith(".py") or os.sep in impl:
        path = os.path.abspath(impl)
        if not os.path.isfile(path):
            raise ValueError(f"impl: no such file {impl!r}")
        name = "impl_under_test_" + os.path.splitext(os.path.basename(path))[0]
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:  # a broken file is not cached as if it had loaded
            sys.modules.pop(name, None)
            raise
        module.__impl_path__ = impl
        return module
    return importlib.import_module(impl)


def impl_label(module) -> str:
    return getattr(module, "__impl_path__", None) or module.__name__


def is_reference(module) -> bool:
    return module.__name__ == "mlp_ref"


# ------------------------------------------------------------------------------------ planning
@dataclass(frozen=True)
class Subject:
    """What is checked: an entry's op as written or corrected, an entry without op, or a bare op."""

    id: str
    entry: object  # mlp_ref.registry.Entry or None
    op: object  # mlp_ref.registry.Op or None (catalog check)
    form: str  # "as_written" | "corrected"
    expected: str  # "pass" | "fail"


@dataclass(frozen=True)
class Check:
    subject: Subject
    oracle: str
    device: str
    dtype: str

    @property
    def id(self) -> str:
        return f"{self.subject.id}-{self.oracle}-{self.device}-{self.dtype}"


def subjects() -> list[Subject]:
    """Every entry (as written and corrected forms), every public-API op (bind set) and every
    other registered op no entry uses."""
    from mlp_ref import catalog

    out, used = [], set()
    for e in catalog.entries():
        if e.op is None:
            out.append(Subject(e.id, e, None, "as_written", "pass"))
            continue
        differs = e.corrected is not None and e.corrected is not e.op
        out.append(Subject(e.id, e, e.op, "as_written", "fail" if differs else "pass"))
        used.add(e.op.name)
        if differs:
            out.append(Subject(f"{e.id}.corrected", e, e.corrected, "corrected", "pass"))
            used.add(e.corrected.name)
    for name, op in catalog.ops().items():
        # ops of the public API (bind set) always get their own stable row; others only when
        # no entry carries them
        if name not in used or op.bind is not None:
            out.append(Subject(f"op.{name}", None, op, "as_written", "pass"))
    return out


def plan(oracles=None, devices=None, dtypes=None, only=None) -> list[Check]:
    """The checks to run. `devices`: None = devices found here; "legs" = the declared legs (GPU
    legs included, skipped when absent); or a list of device names."""
    oracles = tuple(oracles or ORACLES)
    dtypes = tuple(dtypes or DTYPES)
    for o in oracles:
        if o not in ORACLES:
            raise ValueError(f"oracle: expected some of {ORACLES}, got {o!r}")
    for t in dtypes:
        if t not in DTYPES:
            raise ValueError(f"dtype: expected some of {DTYPES}, got {t!r}")
    checks = []
    for s in subjects():
        if only and not any(s.id == o or (s.entry is not None and s.entry.id == o)
                            or (s.entry is None and s.id == "op." + o) for o in only):
            continue
        if s.op is None:
            checks.append(Check(s, "catalog", "cpu", "float64"))
            continue
        for o in oracles:
            for d in _devices_for(o, devices):
                for t in dtypes:
                    checks.append(Check(s, o, d, t))
    return checks


def _family(oracle, device):
    if device == "cpu":
        return True
    if device.startswith("cuda"):
        return oracle == "torch"
    if device.startswith("gpu"):
        return oracle in ("jax", "fd")
    return False


def _devices_for(oracle, devices):
    if devices is None:
        return dev.oracle_devices(oracle) or ("cpu",)
    if devices == "legs":
        return dev.legs(oracle)
    return tuple(d for d in devices if _family(oracle, d))


# ---------------------------------------------------------------------------------- running
class OraclePool:
    """One instance per oracle, created on first use, with the reason an oracle is unavailable."""

    def __init__(self, fd_method="richardson"):
        self.fd_method = fd_method
        self._made = {}
        self.unavailable = {}

    def get(self, name):
        if name not in self._made:
            import oracles

            o = oracles.get(name, **({"method": self.fd_method} if name == "fd" else {}))
            reason = o.available()
            if reason:
                self.unavailable[name] = reason
            self._made[name] = o
        return self._made[name], self.unavailable.get(name)


def _rng(seed, op_name, dtype):
    return np.random.default_rng([int(seed), zlib.crc32(op_name.encode()), DTYPES.index(dtype)])


def _summ(a) -> str:
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return f"{a.dtype} {a.shape} labels {np.unique(a).tolist()[:8]}"
    if a.size == 0:
        return f"{a.dtype} {a.shape}"
    if a.size <= 6:
        return f"{a.dtype} {a.shape} {np.array2string(a.ravel(), precision=4, separator=', ')}"
    return f"{a.dtype} {a.shape} in [{float(a.min()):.4g}, {float(a.max()):.4g}]"


def _finite(x):
    return float(x) if x is not None and math.isfinite(x) else None


def run_check(check: Check, impl=None, seed: int = 0, pool: OraclePool | None = None, record=None) -> dict:
    """Run one check and return its result row. `record`: the entry's own evaluation
    (Entry.evaluate()) where the caller already has it, for a catalog check."""
    pool = pool or OraclePool()
    module = load_impl(impl)
    s = check.subject
    row = {"id": check.id, "subject": s.id, "entry": s.entry.id if s.entry else None,
           "op": s.op.name if s.op else None, "fn": s.op.fn if s.op else None, "oracle": check.oracle,
           "device": check.device, "dtype": check.dtype, "form": s.form, "expected": s.expected,
           "status": "skip", "passed": None, "max_abs_err": None, "max_rel_err": None,
           "tolerance": None, "reason": "", "evidence": None, "checks": [], "method": "",
           "precision": _precision_note(check), "impl": impl_label(module), "seconds": 0.0}
    t0 = time.perf_counter()
    try:
        if s.op is None:
            _catalog_check(row, s, module, record)
        else:
            _op_check(row, check, module, seed, pool)
    finally:
        row["seconds"] = round(time.perf_counter() - t0, 4)
    return row


def _precision_note(check):
    if check.oracle == "torch":
        return "torch FP32 matmul/conv pinned to IEEE FP32 (no TF32)"
    if check.oracle == "jax":
        return (f"jax default_matmul_precision={dev.PINNED_JAX}, "
                f"x64={'on' if check.dtype == 'float64' else 'off'} (scoped)")
    if check.oracle == "fd":
        return "finite differences evaluated in float64 (x64 scoped) on inputs rounded to the dtype"
    return "float64"


def _catalog_check(row, s, module, record=None):
    row["tolerance"] = {"rtol": None, "atol": None, "reason": "catalog tolerances (registry.CATALOG_RTOL/ATOL)"}
    if not is_reference(module):
        row["reason"] = "catalog entries evaluate mlp_ref itself; not applicable to another implementation"
        return
    try:
        rec = record if record is not None else s.entry.evaluate()
    except Exception as exc:  # the entry's computation itself broke
        _finish(row, False, f"the entry raised {type(exc).__name__}: {exc}", s)
        return
    broken = [f for f in rec["_findings"] if f.corrected_ok is False]
    row["max_abs_err"] = row["max_rel_err"] = None
    row["verdict"] = rec["verdict"]
    if broken:
        _finish(row, False, "the corrected form does not hold: " + "; ".join(f.detail for f in broken), s)
    else:
        _finish(row, True, f"evaluates: verdict {rec['verdict']}", s)


def _finish(row, passed, reason, s, evidence=None):
    row["passed"] = bool(passed)
    if s.expected == "fail":
        row["status"] = "unexpected-pass" if passed else "expected-fail"
        if passed:
            reason = ("the as-written form of an erratum agrees with the oracle; the erratum is not "
                      "visible here. " + reason)
        else:
            reason = "erratum as written, expected to fail: " + reason
    else:
        row["status"] = "pass" if passed else "fail"
    row["reason"] = reason if row["status"] != "pass" else ""
    if row["status"] != "pass" and evidence is not None:
        row["evidence"] = evidence


def _op_check(row, check, module, seed, pool):
    s = check.subject
    op = s.op if is_reference(module) else s.op.for_impl(module)
    if op is None:
        row["reason"] = (f"op {s.op.name!r} is document-specific (bind=None): not part of the public "
                         f"functions another implementation provides")
        return
    if check.device != "cpu" and not dev.gpu_possible():  # a GPU leg here: no framework to import
        row["reason"] = dev.skip_reason(check.oracle, check.device)
        return
    oracle, unavailable = pool.get(check.oracle)
    if unavailable:
        row["reason"] = unavailable
        return
    why = dev.skip_reason(check.oracle, check.device)
    if why:
        row["reason"] = why
        return
    if not oracle.has_form(op.fn):
        row["reason"] = f"no {check.oracle} form for fn {op.fn!r} (oracles/forms/ lacks it)"
        return
    tol = tols.with_override(tols.lookup(check.dtype, check.device), getattr(s.entry, "tolerance", None))
    row["tolerance"] = tol.as_dict()
    np_dtype = np.dtype(check.dtype)
    rng = _rng(seed, op.name, check.dtype)
    inputs = op.sample(rng, np_dtype)
    problem = Problem(op.fn, inputs, dict(op.params), op.wrt, op.kinks)
    evidence = {"entry": s.entry.id if s.entry else s.id,
                "location": (f"{s.entry.source}, {s.entry.location}" if s.entry else "core op (no document entry)"),
                "op": op.name, "fn": op.fn, "form": s.form, "params": {k: repr(v) for k, v in op.params.items()},
                "inputs": {k: _summ(v) for k, v in inputs.items()}, "seed": seed,
                "reproduce": reproduce_command(check, module)}

    # the oracle side first: its value fixes the output shape that g is drawn for
    u = {a: rng.standard_normal(np.shape(inputs[a])).astype(np_dtype) for a in op.wrt}
    drawn = {}

    def draw_g(shape):
        drawn["g"] = np.asarray(rng.standard_normal(shape)).astype(np_dtype)
        return drawn["g"]

    try:
        res = oracle.evaluate(problem, draw_g, u, check.device, check.dtype)
    except Exception as exc:
        return _oracle_error(row, exc, s, evidence)
    o_val, o_vjp, o_jvp = res["value"], res["vjp"], res["jvp"]
    out_shape = np.shape(o_val.value)
    g = drawn["g"] if "g" in drawn else draw_g(out_shape)
    P = problem.size()
    M = int(np.prod(out_shape)) if out_shape else 1
    full = o_vjp is not None
    row["method"] = (o_vjp.method if o_vjp else o_jvp.method)

    comps = []
    try:
        ref_val = np.asarray(op.forward(**inputs, **op.params))
        ref_vjp = op.vjp(g if g.ndim else g[()], **inputs, **op.params)
    except Exception as exc:
        evidence["reference"] = f"raised {type(exc).__name__}: {exc}"
        return _finish(row, False, f"the implementation raised {type(exc).__name__}: {exc}", s, evidence)
    comps.append(tols.compare("value", ref_val, o_val.value, tol))
    missing = [a for a in op.wrt if a not in ref_vjp]
    if missing:
        evidence["reference"] = f"VJP keys {sorted(ref_vjp)}"
        return _finish(row, False, f"the implementation's VJP lacks d/d{missing}", s, evidence)
    if o_vjp is not None:
        for a in op.wrt:
            err = None if o_vjp.error is None else o_vjp.error[a]
            comps.append(tols.compare(f"vjp d/d{a}", ref_vjp[a], o_vjp.value[a], tol, err))
    ref_dir = float(sum(np.sum(np.asarray(ref_vjp[a], np.float64) * u[a]) for a in op.wrt))
    o_dir = float(np.sum(np.asarray(o_jvp.value, np.float64) * g))
    scale = float(sum(np.sum(np.abs(np.asarray(ref_vjp[a], np.float64) * u[a])) for a in op.wrt))
    dir_err = None if o_jvp.error is None else float(np.sum(np.abs(g) * o_jvp.error))
    comps.append(tols.compare("directional v^T J u", ref_dir, o_dir,
                              tols.Tolerance(tol.rtol, tol.atol + tol.rtol * scale, tol.reason), dir_err))
    row["checks"] = [{"name": c.name, "passed": c.passed, "max_abs_err": _finite(c.max_abs_err),
                      "max_rel_err": _finite(c.max_rel_err), "note": c.note} for c in comps]
    row["max_abs_err"] = _finite(max(c.max_abs_err for c in comps))
    row["max_rel_err"] = _finite(max(c.max_rel_err for c in comps))
    if not full:
        row["checks"].append({"name": "vjp", "passed": None, "note": f"full Jacobian not formed "
                              f"({M} outputs x {P} inputs): directional check only"})

    # finite differences must be evidence: a large own error estimate means a kink inside the step
    unreliable = _fd_unreliable(o_jvp, o_vjp, problem)
    if unreliable:
        evidence["oracle"] = unreliable
        row["status"], row["passed"] = "fail", False
        row["reason"] = "finite differences unreliable here: " + unreliable
        row["evidence"] = evidence
        return
    failed = [c for c in comps if not c.passed]
    if failed:
        c = failed[0]
        evidence["checks"] = [f"{c.name}: max abs err {c.max_abs_err:.3g}, max rel err {c.max_rel_err:.3g}"
                              + (f" ({c.note})" if c.note else "") for c in failed]
        if c.worst is not None:
            evidence["reference"] = f"{c.name} at {list(c.worst)}: {c.ref_at_worst:.10g}"
            evidence["oracle"] = (f"{c.name} at {list(c.worst)}: {c.oracle_at_worst:.10g} "
                                  f"(allowed difference {c.allowed_at_worst:.3g}; {row['method']})")
        evidence["jacobian"] = _explain(op, problem, inputs, oracle, check, out_shape)
        worst = max(failed, key=lambda c: c.max_rel_err)
        reason = (f"{', '.join(c.name for c in failed)} differ{'s' if len(failed) == 1 else ''} from the oracle "
                  f"(worst: {worst.name}, max abs err {worst.max_abs_err:.3g}, max rel err {worst.max_rel_err:.3g})"
                  + "".join(f"; {c.name}: {c.note}" for c in failed if c.note))
        return _finish(row, False, reason, s, evidence)
    return _finish(row, True, "agrees", s, evidence)


def _fd_unreliable(o_jvp, o_vjp, problem):
    for name, est in (("jvp", o_jvp), ("vjp", o_vjp)):
        if est is None or est.error is None:
            continue
        pairs = est.value.items() if isinstance(est.value, dict) else [("", est.value)]
        for a, v in pairs:
            e = est.error[a] if a else est.error
            scale = float(np.max(np.abs(v))) if np.size(v) else 0.0
            worst = float(np.max(e)) if np.size(e) else 0.0
            if not math.isfinite(worst) or worst > tols.FD_UNRELIABLE * max(scale, 1e-12):
                return (f"{name}{' d/d' + a if a else ''}: error estimate {worst:.3g} against a scale of "
                        f"{scale:.3g} (a non-smooth point of {problem.fn!r} within the step?)")
    return None


def _oracle_error(row, exc, s, evidence):
    row["status"], row["passed"] = "fail", False
    row["reason"] = f"oracle error ({row['oracle']}): {type(exc).__name__}: {exc}"
    evidence["oracle"] = row["reason"]
    row["evidence"] = evidence


def _explain(op, problem, inputs, oracle, check, out_shape):
    """Full-Jacobian fallback: the entries where the reference's and the oracle's Jacobians differ most."""
    M = int(np.prod(out_shape)) if out_shape else 1
    P = problem.size()
    if M * P > EXPLAIN_LIMIT:
        return f"full Jacobian not formed ({M} x {P} > {EXPLAIN_LIMIT})"
    try:
        oj = oracle.jacobian(problem, check.device, check.dtype).value
        dt = np.dtype(check.dtype)
        rows = {a: np.zeros(tuple(out_shape) + np.shape(inputs[a])) for a in op.wrt}
        for i in np.ndindex(*out_shape) if out_shape else [()]:
            e = np.zeros(out_shape, dt)
            e[i] = 1
            gv = op.vjp(e if e.ndim else e[()], **inputs, **op.params)
            for a in op.wrt:
                rows[a][i] = np.asarray(gv[a], np.float64)
    except Exception as exc:
        return f"full Jacobian unavailable ({type(exc).__name__}: {exc})"
    lines = []
    for a in op.wrt:
        d = np.abs(rows[a] - oj[a])
        for flat in np.argsort(d, axis=None)[::-1][:EXPLAIN_ROWS]:
            idx = np.unravel_index(flat, d.shape)
            if d[idx] == 0:
                break
            k = len(out_shape)
            out_i, in_i = [int(i) for i in idx[:k]], [int(i) for i in idx[k:]]
            lines.append((float(d[idx]), f"d out{out_i} / d {a}{in_i}: reference {rows[a][idx]:.8g}, "
                          f"oracle {oj[a][idx]:.8g}"))
    lines.sort(key=lambda t: -t[0])
    return [t[1] for t in lines[:EXPLAIN_ROWS]] or ["the full Jacobians agree entry by entry"]


def reproduce_command(check: Check, module=None) -> str:
    extra = "" if module is None or is_reference(module) else f" --impl {impl_label(module)}"
    return f'python -m pytest "tests/test_conformance.py::test_conformance[{check.id}]"{extra}'


# ------------------------------------------------------------------------------- the whole run
def run_checks(oracles=None, devices=None, dtypes=None, impl=None, progress=None, seed=0, *,
               only=None, fd_method="richardson", accuracy=True, conventions=True, records=None) -> dict:
    """Run every planned check; returns {"environment": {...}, "results": [row, ...]}.
    `records`: {entry id: Entry.evaluate() record} already computed (the report's catalog);
    catalog checks reuse them instead of evaluating the entries again. `accuracy` / `conventions`:
    also measure the finite-difference accuracy / each framework's derivative at the kinks."""
    module = load_impl(impl)
    checks = plan(oracles, devices, dtypes, only)
    pool = OraclePool(fd_method)
    results = []
    for i, c in enumerate(checks):
        rec = (records or {}).get(c.subject.entry.id) if c.subject.op is None else None
        results.append(run_check(c, module, seed, pool, record=rec))
        if progress:
            progress(i + 1, len(checks), c.id)
    env = environment(oracles, devices, dtypes, module, seed, pool, conventions=conventions)
    if accuracy and "fd" in (oracles or ORACLES) and "fd" not in env["unavailable"]:
        env["fd_accuracy"] = measure_fd_accuracy(seed)
    return {"environment": env, "results": results}


def _installed_version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def environment(oracles=None, devices=None, dtypes=None, module=None, seed=0, pool=None, conventions=True) -> dict:
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for name in ("torch", "jax", "jaxlib"):  # a framework the selected oracles did not load is not imported
        loaded = sys.modules.get(name)
        versions[name] = getattr(loaded, "__version__", None) if loaded else _installed_version(name)
    unavailable = dict(pool.unavailable) if pool else {}
    for o in oracles or ORACLES:
        if o not in unavailable:
            import oracles as _o

            reason = _o.get(o).available()
            if reason:
                unavailable[o] = reason
    env = {"versions": versions, "platform": platform.platform(), "devices": dev.discover(oracles or ORACLES),
           "precision": dev.precision_settings(), "seed": seed, "unavailable": unavailable,
           "oracles": list(oracles or ORACLES), "dtypes": list(dtypes or DTYPES),
           "devices_requested": devices if devices is None or isinstance(devices, str) else list(devices),
           "impl": impl_label(module) if module else "mlp_ref",
           "tolerances": {f"{d}{'/' + k if k else ''}": t.as_dict() for (d, k), t in tols.TABLE.items()},
           "fd_safety": tols.FD_SAFETY, "fd_unreliable": tols.FD_UNRELIABLE}
    if not conventions:
        return env
    try:
        env["conventions"] = kink_conventions(module, oracles)  # the frameworks selected
    except Exception as exc:  # recorded, not fatal: the run's rows still stand
        env["conventions"] = {"error": f"{type(exc).__name__}: {exc}"}
    return env


def summarize(results) -> dict:
    """Counts by status overall and per oracle/device/dtype, and the unexpected failures."""
    by_status = {k: 0 for k in STATUSES}
    groups = {}
    for r in results:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
        key = f"{r['oracle']}/{r['device']}/{r['dtype']}"
        g = groups.setdefault(key, {k: 0 for k in STATUSES})
        g[r["status"]] += 1
    bad = unexpected_failures(results)
    return {"total": len(results), "by_status": by_status, "by_group": groups,
            "unexpected": [r["id"] for r in bad], "ok": not bad}


def unexpected_failures(results) -> list[dict]:
    """Rows that fail the run: a failure, or an erratum that unexpectedly passes."""
    return [r for r in results if r["status"] in ("fail", "unexpected-pass")]


def has_unexpected_failures(results) -> bool:
    return bool(unexpected_failures(results))


def format_evidence(row) -> str:
    """A readable failure message: entry, location, inputs, both sides, errors, how to reproduce."""
    ev = row.get("evidence") or {}
    lines = [f"{row['id']}: {row['status']} — {row['reason']}"]
    if ev:
        lines.append(f"  entry:      {ev.get('entry')}  ({ev.get('location')})")
        lines.append(f"  op / fn:    {ev.get('op')} / {ev.get('fn')}  form {ev.get('form')}  params {ev.get('params')}")
        lines.append(f"  oracle:     {row['oracle']} on {row['device']} in {row['dtype']}  "
                     f"({row.get('method') or '-'})")
        for k, v in (ev.get("inputs") or {}).items():
            lines.append(f"  input {k}: {v}")
        for k in ("reference", "oracle"):
            if ev.get(k):
                lines.append(f"  {k + ':':11} {ev[k]}")
        for c in ev.get("checks") or []:
            lines.append(f"  check:      {c}")
        jac = ev.get("jacobian")
        if jac:
            for line in ([jac] if isinstance(jac, str) else jac):
                lines.append(f"  jacobian:   {line}")
    if row.get("max_abs_err") is not None:
        lines.append(f"  max abs err {row['max_abs_err']:.3g}, max rel err {row['max_rel_err']:.3g}; "
                     f"tolerance {row.get('tolerance')}")
    if ev.get("reproduce"):
        lines.append(f"  reproduce:  {ev['reproduce']}")
    return "\n".join(lines)


def assert_conforms(row) -> None:
    """The one assertion helper of the conformance suite.

    pass: returns; skip / expected-fail: pytest.skip / pytest.xfail with the reason (when pytest
    runs); fail / unexpected-pass: AssertionError carrying the evidence.
    """
    __tracebackhide__ = True
    status = row["status"]
    if status in ("skip", "expected-fail"):
        try:
            import pytest
        except ImportError:
            return
        (pytest.skip if status == "skip" else pytest.xfail)(row["reason"])
    if status in ("fail", "unexpected-pass"):
        raise AssertionError(format_evidence(row))


# ------------------------------------------------------------------- accuracy and conventions
def _smooth_problems(seed):
    from mlp_ref import catalog

    ops = catalog.ops(every=True)  # the shared formulas, whatever --source selects
    out = []
    for fn in SMOOTH_FNS:
        op = ops.get(fn)
        if op is None or op.fn != fn:
            continue
        inputs = op.sample(_rng(seed, "accuracy:" + fn, "float64"), np.float64)
        out.append(Problem(fn, inputs, dict(op.params), op.wrt, op.kinks))
    return out


def measure_fd_accuracy(seed=0, methods=("forward", "central", "richardson", "complex")) -> dict:
    """Max relative error (max |FD - autodiff| / max |autodiff| per Jacobian) of each FD method
    over the smooth formulas in float64, with the issue's bounds (computed once per process)."""
    return copy.deepcopy(_measure_fd_accuracy(int(seed), tuple(methods)))


@functools.lru_cache(maxsize=4)
def _measure_fd_accuracy(seed, methods):
    import oracles

    ad = oracles.get("torch")
    if ad.available():
        ad = oracles.get("jax")
    result = {"reference": f"{ad.name} autodiff, float64", "formulas": [], "methods": {}}
    problems = [p for p in _smooth_problems(seed) if ad.has_form(p.fn)]
    result["formulas"] = [p.fn for p in problems]
    jacs = {p.fn: ad.jacobian(p).value for p in problems}
    for m in methods:
        fd = oracles.get("fd", method=m)
        worst, worst_fn, n, excluded = 0.0, None, 0, {}
        for p in problems:
            try:
                J = fd.jacobian(p).value
            except OracleError as exc:
                excluded[p.fn] = str(exc)
                continue
            num = max(float(np.max(np.abs(J[a] - jacs[p.fn][a]))) for a in p.wrt)
            den = max(float(np.max(np.abs(jacs[p.fn][a]))) for a in p.wrt)
            rel = num / den if den else num
            n += 1
            if rel >= worst:
                worst, worst_fn = rel, p.fn
        claim = FD_CLAIMS[m]
        result["methods"][m] = {"max_rel_err": worst, "worst_fn": worst_fn, "formulas": n,
                                "claim": claim, "holds": None if claim is None else worst <= claim,
                                "excluded": excluded}
    return result


def accuracy_line(acc: dict) -> str:
    names = {"forward": "forward", "central": "central", "richardson": "Richardson", "complex": "complex step"}
    parts = []
    for m, r in acc["methods"].items():
        bound = "" if r["claim"] is None else f" (<= {r['claim']:.0e} {'ok' if r['holds'] else 'NOT MET'})"
        parts.append(f"{names[m]} {r['max_rel_err']:.1e}{bound}")
    return (f"FD accuracy vs {acc['reference']}, max rel err over {len(acc['formulas'])} smooth formulas: "
            + ", ".join(parts))


KINK_POINTS = (
    # label, op name, inputs, params (the op's own params are used where not given)
    ("relu'(0)", "relu", {"z": [[0.0]]}, {}),
    ("leaky_relu'(0), slope 0.1", "leaky_relu", {"z": [[0.0]]}, {"slope": 0.1}),
    ("elu'(0), alpha 1.5", "elu", {"z": [[0.0]]}, {"alpha": 1.5}),
    ("mae'(r=0)", "mae", {"yhat": [[0.0]], "y": [[0.0]]}, {"reduction": "sum"}),
    ("huber'(r=delta=1)", "huber", {"yhat": [[1.0]], "y": [[0.0]]}, {"delta": 1.0, "reduction": "sum"}),
)


def kink_conventions(impl=None, selected=None) -> dict:
    """What each framework (among the `selected` oracles; None: all), the implementation and one-sided
    differences give at each kink."""
    import oracles
    from mlp_ref import catalog

    module = load_impl(impl)
    ops = catalog.ops(every=True)  # the shared formulas, whatever --source selects
    # the one-sided differences use a selected framework's form first (no other framework imported)
    backends = tuple(sorted(("jax", "torch"), key=lambda k: selected is not None and k not in selected))
    table = {}
    for label, name, raw, params in KINK_POINTS:
        op = ops[name]
        inputs = {k: np.asarray(v, np.float64) for k, v in raw.items()}
        params = {**op.params, **params}
        arg = op.wrt[0]
        problem = Problem(op.fn, inputs, params, (arg,))
        row = {}
        for o in ("torch", "jax"):
            if selected is not None and o not in selected:
                continue
            orc = oracles.get(o)
            if orc.available() or not orc.has_form(op.fn):
                continue
            out = np.asarray(orc.value(problem).value)
            row[o] = float(np.ravel(orc.vjp(problem, np.ones_like(out)).value[arg])[0])
        impl_op = op if is_reference(module) else op.for_impl(module)
        if impl_op is not None:
            out = np.asarray(impl_op.forward(**inputs, **params))
            g = np.ones_like(out)
            row[impl_label(module)] = float(np.ravel(impl_op.vjp(g if g.ndim else g[()], **inputs, **params)[arg])[0])
        row.update(one_sided(problem, backends=backends))
        table[label] = row
    return table


def one_sided(problem: Problem, h: float = 1e-7, backends=("jax", "torch")) -> dict:
    """Left and right difference quotients of the first wrt element, on the oracle-side form in
    float64 (the first of `backends` that has one): {"left": (f(x) - f(x - h)) / h, "right": (f(x + h) - f(x)) / h}."""
    import oracles

    fd = oracles.get("fd", method="forward", backends=backends)
    arg = problem.wrt[0]
    x = np.asarray(problem.inputs[arg], np.float64)
    vals = {}
    for side, step in (("left", -h), ("right", h), ("at", 0.0)):
        xi = x.copy()
        xi.flat[0] += step
        p = Problem(problem.fn, {**problem.inputs, arg: xi}, problem.params, problem.wrt)
        vals[side] = float(np.sum(fd.value(p).value))
    return {"left": (vals["at"] - vals["left"]) / h, "right": (vals["right"] - vals["at"]) / h}
