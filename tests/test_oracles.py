"""The oracles themselves: against known analytic derivatives, against each other, FD accuracy,
kink handling, scoped JAX x64 and pinned matmul precision, device discovery."""
from __future__ import annotations

import ast
import os

import numpy as np
import pytest

import oracles
from oracles import conformance, devices, fd, forms, tolerances
from oracles.base import KinkError, Problem

pytestmark = pytest.mark.oracle
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RNG = np.random.default_rng(1234)


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# (fn, inputs, params, wrt, vjp(g, **inputs) written out by hand in NumPy) — independent of mlp_ref
Z = RNG.uniform(-3, 3, (4, 3))
W, X, B = RNG.uniform(-1, 1, (5, 3)), RNG.uniform(-1, 1, (4, 3)), RNG.uniform(-1, 1, 5)
YH, Y = RNG.uniform(-2, 2, (4, 3)), RNG.uniform(-2, 2, (4, 3))
P = _softmax(RNG.normal(size=(4, 3)))
Q = _softmax(RNG.normal(size=(4, 3)))
LAB = np.array([0, 2, 1, 2])
A, YB = RNG.uniform(-4, 4, 4), np.array([0.0, 1.0, 1.0, 0.0])
ANALYTIC = [
    ("sigmoid", {"z": Z}, {}, ("z",), lambda g, z: {"z": g * _sig(z) * (1 - _sig(z))}),
    ("tanh", {"z": Z}, {}, ("z",), lambda g, z: {"z": g * (1 - np.tanh(z) ** 2)}),
    ("swish", {"z": Z}, {}, ("z",), lambda g, z: {"z": g * (_sig(z) + z * _sig(z) * (1 - _sig(z)))}),
    ("softmax", {"z": Z}, {}, ("z",),
     lambda g, z: {"z": _softmax(z) * (g - (g * _softmax(z)).sum(-1, keepdims=True))}),
    ("log_softmax", {"z": Z}, {}, ("z",), lambda g, z: {"z": g - _softmax(z) * g.sum(-1, keepdims=True)}),
    ("linear", {"W": W, "x": X}, {}, ("W", "x"), lambda g, W, x: {"W": g.T @ x, "x": g @ W}),
    ("affine", {"W": W, "x": X, "b": B}, {}, ("W", "x", "b"),
     lambda g, W, x, b: {"W": g.T @ x, "x": g @ W, "b": g.sum(0)}),
    ("squared_error", {"yhat": YH, "y": Y}, {"reduction": "sum"}, ("yhat",),
     lambda g, yhat, y: {"yhat": 2 * g * (yhat - y)}),
    ("mse", {"yhat": YH, "y": Y}, {"reduction": "mean"}, ("yhat",),
     lambda g, yhat, y: {"yhat": 2 * g * (yhat - y) / 4}),  # mean over the N = 4 samples
    ("l2_loss", {"yhat": YH, "y": Y}, {"reduction": "sum"}, ("yhat",), lambda g, yhat, y: {"yhat": g * (yhat - y)}),
    ("huber", {"yhat": YH, "y": Y}, {"delta": 1.0, "reduction": "mean"}, ("yhat",),
     lambda g, yhat, y: {"yhat": g * np.clip(yhat - y, -1, 1) / 4}),
    ("softmax_cross_entropy", {"o": Z, "y": LAB}, {"reduction": "sum"}, ("o",),
     lambda g, o, y: {"o": g * (_softmax(o) - np.eye(3)[y])}),
    ("binary_cross_entropy_with_logits", {"a": A, "y": YB}, {"reduction": "sum"}, ("a",),
     lambda g, a, y: {"a": g * (_sig(a) - y)}),
    ("kl_divergence", {"p": P, "q": Q}, {"reduction": "sum"}, ("p", "q"),
     lambda g, p, q: {"p": g * (np.log(p / q) + 1), "q": -g * p / q}),
]


@pytest.mark.parametrize("name", ["torch", "jax", "fd"])
@pytest.mark.parametrize("case", ANALYTIC, ids=[c[0] for c in ANALYTIC])
def test_oracle_matches_known_derivative(case, name, oracle_pool):
    fn, inputs, params, wrt, vjp = case
    oracle, reason = oracle_pool.get(name)
    if reason:
        pytest.skip(reason)
    problem = Problem(fn, inputs, params, wrt)
    g = RNG.standard_normal(np.shape(oracle.value(problem).value))
    u = {a: RNG.standard_normal(np.shape(inputs[a])) for a in wrt}
    res = oracle.evaluate(problem, g, u)
    want = vjp(g, **inputs)
    tol = tolerances.lookup("float64")
    for a in wrt:
        err = None if res["vjp"].error is None else res["vjp"].error[a]
        c = tolerances.compare(f"{fn} d/d{a}", want[a], res["vjp"].value[a], tol, err)
        assert c.passed, c
    # the JVP through the identity <J u, g> = <g^T J, u>
    lhs = float(np.sum(res["jvp"].value * g))
    rhs = float(sum(np.sum(want[a] * u[a]) for a in wrt))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-10)


@pytest.mark.parametrize("name", ["torch", "jax", "fd"])
def test_full_jacobian_matches_known_one(name, oracle_pool):
    oracle, reason = oracle_pool.get(name)
    if reason:
        pytest.skip(reason)
    problem = Problem("softmax", {"z": Z[:2]}, {}, ("z",))
    J = oracle.jacobian(problem).value["z"]
    p = _softmax(Z[:2])
    want = np.zeros((2, 3, 2, 3))
    for n in range(2):
        want[n, :, n, :] = np.diag(p[n]) - np.outer(p[n], p[n])
    np.testing.assert_allclose(J, want, rtol=1e-9, atol=1e-12)


def test_torch_jacobian_row_by_row_up_to_a_size_then_vectorized(monkeypatch):
    """Outputs up to ROW_BY_ROW_MAX elements: one backward pass each (no grad_outputs=, so torch does not
    import sympy); larger ones: the vectorized form. Both give softmax's known Jacobian (300 outputs)."""
    torch = pytest.importorskip("torch")
    from oracles import torch_oracle

    z = np.random.default_rng(3).standard_normal((30, 10))
    p = _softmax(z)
    want = np.zeros((30, 10, 30, 10))
    for n in range(30):
        want[n, :, n, :] = np.diag(p[n]) - np.outer(p[n], p[n])
    real, used = torch.autograd.functional.jacobian, []
    monkeypatch.setattr(torch.autograd.functional, "jacobian",
                        lambda *a, vectorize, **k: used.append(vectorize) or real(*a, vectorize=vectorize, **k))
    for limit in (300, 299):
        monkeypatch.setattr(torch_oracle, "ROW_BY_ROW_MAX", limit)
        J = oracles.get("torch").jacobian(Problem("softmax", {"z": z}, {}, ("z",))).value["z"]
        np.testing.assert_allclose(J, want, rtol=1e-9, atol=1e-12)
    assert used == [False, True]


def _catalog_problems():
    """One problem per distinct fn of the registered ops, drawn from the op's own domain."""
    from mlp_ref import catalog

    seen, out = set(), []
    for op in catalog.ops().values():
        if op.fn in seen:
            continue
        seen.add(op.fn)
        rng = np.random.default_rng(7)
        out.append(pytest.param(op, Problem(op.fn, op.sample(rng, np.float64), dict(op.params), op.wrt, op.kinks),
                                id=op.fn))
    return out


@pytest.mark.parametrize("op,problem", _catalog_problems())
def test_oracles_agree_with_each_other(op, problem, oracle_pool):
    """torch vs JAX vs finite differences on every fn of the catalog (value, VJP and JVP, float64)."""
    rng = np.random.default_rng(11)
    u = {a: rng.standard_normal(np.shape(problem.inputs[a])) for a in problem.wrt}
    results = {}
    for name in ("torch", "jax", "fd"):
        oracle, reason = oracle_pool.get(name)
        if reason or not oracle.has_form(problem.fn):
            continue
        g = np.random.default_rng(12).standard_normal
        results[name] = oracle.evaluate(problem, lambda shape: g(shape), u)
    if len(results) < 2:
        pytest.skip(f"fewer than two oracles have a form for {problem.fn!r}")
    tol = tolerances.lookup("float64")
    names = list(results)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            ra, rb = results[a], results[b]
            err = rb["jvp"].error if rb["jvp"].error is not None else ra["jvp"].error
            assert tolerances.compare("value", ra["value"].value, rb["value"].value, tol).passed, (a, b)
            c = tolerances.compare("jvp", ra["jvp"].value, rb["jvp"].value, tol, err)
            assert c.passed, (a, b, c)
            if ra["vjp"] is not None and rb["vjp"] is not None:
                for arg in problem.wrt:
                    e = rb["vjp"].error[arg] if rb["vjp"].error is not None else (
                        None if ra["vjp"].error is None else ra["vjp"].error[arg])
                    c = tolerances.compare(f"vjp d/d{arg}", ra["vjp"].value[arg], rb["vjp"].value[arg], tol, e)
                    assert c.passed, (a, b, c)


# ------------------------------------------------------------------------- finite differences
def test_fd_accuracy_claims():
    """central <= 1e-9, Richardson <= 1e-11, complex step <= 1e-13 relative to autograd (float64)."""
    acc = conformance.measure_fd_accuracy()
    m = acc["methods"]
    assert len(acc["formulas"]) >= 10
    assert m["central"]["max_rel_err"] <= 1e-9, m["central"]
    assert m["richardson"]["max_rel_err"] <= 1e-11, m["richardson"]
    assert m["complex"]["max_rel_err"] <= 1e-13, m["complex"]
    assert m["complex"]["formulas"] >= 8, m["complex"]["excluded"]
    assert m["forward"]["max_rel_err"] <= 1e-5  # O(sqrt(eps)): the documents' formula
    assert m["forward"]["max_rel_err"] > m["central"]["max_rel_err"] > m["richardson"]["max_rel_err"]


@pytest.mark.parametrize("method", fd.METHODS)
def test_fd_error_estimate_covers_the_actual_error(method):
    problem = Problem("tanh", {"z": Z}, {}, ("z",))
    est = oracles.get("fd", method=method).jacobian(problem)
    J = np.einsum("ij,ik,jl->ijkl", 1 - np.tanh(Z) ** 2, np.eye(4), np.eye(3))
    actual = np.abs(est.value["z"] - J)
    assert np.all(actual <= tolerances.FD_SAFETY * est.error["z"] + 1e-15)


def test_fd_steps_are_chosen_not_fixed():
    o = oracles.get("fd", method="central")
    x = np.array([0.5, 1e3])
    h = o._steps("central", Problem("tanh", {"z": x}, {}, ("z",)), x, np.eye(2))
    assert h[1] / h[0] == pytest.approx(1e3)  # scaled with |x|
    assert h[0] == pytest.approx(np.finfo(float).eps ** (1 / 3))


@pytest.mark.parametrize("method", ["forward", "central", "richardson"])
def test_fd_refuses_to_straddle_a_declared_kink(method):
    problem = Problem("relu", {"z": np.array([[1e-12, 2.0]])}, {}, ("z",), kinks={"z": (0.0,)})
    with pytest.raises(KinkError, match="kink"):
        oracles.get("fd", method=method).jacobian(problem)


def test_fd_caps_the_step_near_a_declared_kink():
    problem = Problem("relu", {"z": np.array([[1e-3, -2e-3]])}, {}, ("z",), kinks={"z": (0.0,)})
    est = oracles.get("fd", method="richardson").jacobian(problem)
    np.testing.assert_allclose(np.einsum("ijij->ij", est.value["z"]), [[1.0, 0.0]], atol=1e-12)


@pytest.mark.parametrize("method", ["central", "richardson"])
def test_fd_undeclared_kink_is_never_silent(method):
    """A kink inside the step that nobody declared shows up as a large error estimate, which the
    harness turns into an 'unreliable' failure instead of a silent pass or fail."""
    problem = Problem("relu", {"z": np.array([[1e-7]])}, {}, ("z",))
    est = oracles.get("fd", method=method).jacobian(problem)
    d, e = float(est.value["z"].ravel()[0]), float(est.error["z"].ravel()[0])
    assert abs(d - 1.0) <= tolerances.FD_SAFETY * e  # the estimate covers the actual error
    assert e > tolerances.FD_UNRELIABLE
    assert conformance._fd_unreliable(est, None, problem)


def test_complex_step_refuses_non_analytic_forms():
    problem = Problem("binary_cross_entropy_with_logits", {"a": A, "y": YB}, {"reduction": "sum"}, ("a",))
    with pytest.raises(oracles.OracleError, match="complex-analytic"):
        oracles.get("fd", method="complex").jacobian(problem)


def test_fd_jacobian_is_vectorized_and_chunked(monkeypatch):
    """All perturbations of a chunk go through one batched call; a small chunk bound splits them."""
    o = oracles.get("fd", method="central", chunk_elems=200)
    calls = []
    real = o._evaluator

    def spy(problem, device):
        x, shape, batch = real(problem, device)

        def counted(points):
            calls.append(points.shape[0])
            return batch(points)

        return x, shape, counted

    monkeypatch.setattr(o, "_evaluator", spy)
    problem = Problem("tanh", {"z": Z}, {}, ("z",))
    J = o.jacobian(problem).value["z"]
    assert len(calls) > 1 and len(set(calls)) == 1  # several chunks, all padded to one shape
    want = np.einsum("ij,ik,jl->ijkl", 1 - np.tanh(Z) ** 2, np.eye(4), np.eye(3))
    np.testing.assert_allclose(J, want, rtol=1e-8, atol=1e-10)
    calls.clear()
    oracles.get("fd", method="central")  # default bound: one call for the whole Jacobian
    o.chunk_elems = 1 << 21
    o.jacobian(problem)
    assert len(calls) == 1 and calls[0] == 1 + 4 * Z.size


def test_fd_directional_for_large_parameter_counts():
    o = oracles.get("fd", full_limit=10)
    problem = Problem("tanh", {"z": Z}, {}, ("z",))
    u = {"z": RNG.standard_normal(Z.shape)}
    res = o.evaluate(problem, lambda s: np.ones(s), u)
    assert res["vjp"] is None
    np.testing.assert_allclose(res["jvp"].value, (1 - np.tanh(Z) ** 2) * u["z"], rtol=1e-9)


# ---------------------------------------------------------------------- state and devices
def test_jax_x64_does_not_leak():
    import jax
    import jax.numpy as jnp

    before = bool(jax.config.jax_enable_x64)
    out = oracles.get("jax").value(Problem("tanh", {"z": Z}, {}, ("z",)), dtype="float64").value
    assert out.dtype == np.float64
    assert bool(jax.config.jax_enable_x64) == before
    assert jnp.zeros(1).dtype == (jnp.float64 if before else jnp.float32)
    out32 = oracles.get("jax").value(Problem("tanh", {"z": Z}, {}, ("z",)), dtype="float32").value
    assert out32.dtype == np.float32


def test_torch_precision_is_pinned_and_restored():
    before = devices.torch_precision_now()
    with devices.torch_fp32_pinned():
        inside = devices.torch_precision_now()
    assert set(inside.values()) <= {"ieee", "highest", False}  # true FP32, no TF32
    oracles.get("torch").vjp(Problem("linear", {"W": W, "x": X}, {}, ("W", "x")), np.ones((4, 5)), dtype="float32")
    assert devices.torch_precision_now() == before


def test_device_discovery_and_gpu_leg_reasons():
    found = devices.discover()
    assert "cpu" in found["all"] and "cpu" in found["torch"] and "cpu" in found["jax"]
    assert "cuda:0" in devices.legs("torch") and "gpu:0" in devices.legs("jax")
    if "cuda:0" not in found["torch"]:
        assert "CUDA" in devices.skip_reason("torch", "cuda:0")
    if "gpu:0" not in found["jax"]:
        assert "GPU" in devices.skip_reason("jax", "gpu:0")
    assert devices.skip_reason("torch", "cpu") is None


DISCOVERY = """
import sys, tempfile
from oracles import devices
def fresh(files, platform="linux"):
    devices.GPU_DEVICE_FILES, sys.platform = files, platform
    for f in (devices.gpu_possible, devices.torch_devices, devices.jax_devices):
        f.cache_clear()
fresh(("/nonexistent-gpu-file*",))
print("none", devices.gpu_possible(), devices.discover(), devices.legs("torch"), devices.legs("jax"))
print("reason", devices.skip_reason("torch", "cuda:0"), "|", devices.skip_reason("fd", "gpu:0"))
print("imported", sorted(m for m in ("torch", "jax") if m in sys.modules))
fresh(("/nonexistent-gpu-file*",), "darwin")
print("elsewhere", devices.gpu_possible())
with tempfile.NamedTemporaryFile(prefix="nvidia") as f:
    fresh((f.name[:-2] + "*",))
    print("node", devices.gpu_possible(), "cpu" in devices.torch_devices(), "torch" in sys.modules)
"""


def test_without_a_gpu_device_file_discovery_imports_no_framework():
    """Linux with none of /dev/nvidia*, /dev/kfd, /dev/dxg: the CPU only, said without importing torch
    or JAX; with such a file (or on another system) the framework is asked."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", DISCOVERY], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    assert lines["none"] == ("False {'torch': ['cpu'], 'jax': ['cpu'], 'fd': ['cpu'], 'all': ['cpu']} "
                             "('cpu', 'cuda:0') ('cpu', 'gpu:0')")
    assert lines["reason"] == ("no CUDA device cuda:0: no GPU on this machine (none of /nonexistent-gpu-file* "
                               "exists) | no GPU gpu:0: no GPU on this machine (none of /nonexistent-gpu-file* "
                               "exists)")
    assert lines["imported"] == "[]"
    assert lines["elsewhere"] == "True"
    assert lines["node"] == "True True True"  # a device file: torch itself is asked


CACHE_PROBE = """
import sys
import jax
import jax.numpy as jnp
if sys.argv[1] == "forms":
    from oracles.forms import jax_forms
    jax_forms()["sigmoid"](jnp.linspace(-1.0, 1.0, 7)).block_until_ready()
elif sys.argv[1] == "series":
    from oracles import series
    series.jax_derivative("tanh", [0.0, 0.5])
print("DIR", jax.config.jax_compilation_cache_dir)
"""


@pytest.mark.parametrize("use,switch,cached", [("forms", "1", True), ("series", "1", True), ("forms", "0", False),
                                               ("nothing", "1", False)])
def test_jax_work_of_the_oracles_uses_the_persistent_cache(tmp_path, use, switch, cached):
    """Any JAX the oracles run (the forms, also run eagerly by the plots and the kink table) goes
    through JAX's persistent compilation cache under MLP_REF_CACHE_DIR; MLP_REF_JAX_CACHE=0 turns it
    off, and importing JAX alone configures nothing."""
    import subprocess
    import sys

    env = dict(os.environ, MLP_REF_CACHE_DIR=str(tmp_path), MLP_REF_JAX_CACHE=switch)
    proc = subprocess.run([sys.executable, "-c", CACHE_PROBE, use], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    where = tmp_path / "jax"
    assert proc.stdout.split()[-1] == (str(where) if cached else "None"), proc.stdout
    assert (where.is_dir() and any(where.iterdir())) is cached  # compiled programs were written there


def test_fd_differences_the_form_of_the_first_backend():
    assert oracles.get("fd").backend("sigmoid") == "jax"
    assert oracles.get("fd", backends=("torch", "jax")).backend("sigmoid") == "torch"
    for bad in ((), ("tf",), ("jax", "jax")):
        with pytest.raises(ValueError, match="backends: expected an order of 'jax' and 'torch'"):
            oracles.get("fd", backends=bad)


def test_a_gpu_leg_without_a_gpu_skips_before_any_oracle_is_made(monkeypatch):
    class NoPool:
        def get(self, name):
            raise AssertionError(f"the {name} oracle was made for a GPU leg on a machine without a GPU")

    monkeypatch.setattr(devices, "gpu_possible", lambda: False)
    legs = [c for c in conformance.plan(["torch", "jax"], "legs", ["float32"]) if c.device != "cpu"]
    assert {c.device for c in legs} == {"cuda:0", "gpu:0"}
    for check in legs[:3] + legs[-3:]:
        row = conformance.run_check(check, pool=NoPool())
        assert row["status"] == "skip" and "no GPU on this machine" in row["reason"], row


@pytest.mark.gpu
@pytest.mark.parametrize("name,device", [("torch", "cuda:0"), ("jax", "gpu:0")])
def test_gpu_float32_agrees_with_cpu_float64(name, device, oracle_pool):
    why = devices.skip_reason(name, device)
    if why:
        pytest.skip(why)
    oracle, _ = oracle_pool.get(name)
    problem = Problem("affine", {"W": W, "x": X, "b": B}, {}, ("W", "x", "b"))
    g = np.ones((4, 5))
    gpu = oracle.vjp(problem, g, device=device, dtype="float32").value
    cpu = oracle.vjp(problem, g, device="cpu", dtype="float64").value
    tol = tolerances.lookup("float32", device)
    for a in problem.wrt:
        assert tolerances.compare(a, gpu[a], cpu[a], tol).passed


# --------------------------------------------------------------------------- structure
ORACLE_MODULES = ("__init__.py", "base.py", "devices.py", "tolerances.py", "torch_oracle.py", "jax_oracle.py",
                  "fd.py")


def test_oracle_modules_never_import_mlp_ref():
    """The oracles and their forms are independent of the reference; only the harness
    (conformance, cli, report helpers) imports it to compare."""
    paths = [os.path.join(ROOT, "oracles", f) for f in ORACLE_MODULES]
    forms_dir = os.path.join(ROOT, "oracles", "forms")
    paths += [os.path.join(forms_dir, f) for f in os.listdir(forms_dir) if f.endswith(".py")]
    for path in paths:
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "mlp_ref" for n in names), f"{path} imports mlp_ref"


def test_form_modules_merge_without_conflicts():
    assert forms.conflicts() == []
    assert forms.origins("torch")["sigmoid"] == "common"


def test_every_registered_fn_has_both_forms():
    from mlp_ref import catalog

    fns = {op.fn for op in catalog.ops().values()}
    missing = sorted(f"{kind}:{fn}" for kind, have in (("torch", forms.torch_forms()), ("jax", forms.jax_forms()))
                     for fn in fns if fn not in have)
    assert not missing, f"ops whose fn has no oracle form (their checks are skipped): {missing}"
