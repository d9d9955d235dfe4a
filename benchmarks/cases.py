"""The benchmark cases of `mlp-ref bench`; each returns rows {name, ours_s, peer_s, ratio, target}."""
from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from .timing import best_of, once, wall

ROOT = Path(__file__).resolve().parents[1]


def row(name, ours, peer, target, note="", unit="ratio"):
    """One result row; ratio = ours / peer (lower is better), `target` is the largest acceptable ratio."""
    ratio = None if ours is None or not peer else ours / peer
    met = None if ratio is None or target is None else ratio <= target
    return {"name": name, "ours_s": ours, "peer_s": peer, "ratio": ratio, "target": target,
            "met": met, "note": note}


def _mlp_params(sizes, dtype, rng):
    Ws = [(rng.standard_normal((o, i)) / np.sqrt(i)).astype(dtype) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(o, dtype) for o in sizes[1:]]
    return Ws, bs


def _mlp_problem(sizes, N, seed=0):
    """The reference's MLP op (tanh, softmax cross-entropy summed over N samples), inputs drawn
    from its own domain in float64, and the oracles' Problem for it."""
    import dataclasses

    import mlp_ref
    from oracles import Problem

    op = mlp_ref.make_mlp_op(sizes, "tanh")
    op = dataclasses.replace(op, dims={**op.dims, "N": N})
    inputs = op.sample(np.random.default_rng(seed), np.float64)
    return op, inputs, Problem(op.fn, inputs, dict(op.params), op.wrt, op.kinks)


def _torch_mlp(op, inputs):
    """The same loss written in plain torch: (f(*params), params as float64 leaf tensors)."""
    import torch

    F = torch.nn.functional
    x, y = torch.tensor(inputs["x"]), torch.tensor(inputs["y"])
    L = len(op.params["sizes"]) - 1

    def f(*p):
        h = x
        for l in range(L):
            h = F.linear(h, p[2 * l], p[2 * l + 1])
            h = h if l == L - 1 else torch.tanh(h)
        return F.cross_entropy(h, y, reduction="sum")

    return f, tuple(torch.tensor(inputs[a], requires_grad=True) for a in op.wrt)


def _jax_mlp(op, inputs):
    """The same loss written in plain JAX (float64): (f(*params), params)."""
    import jax
    import jax.numpy as jnp

    x, y = jnp.asarray(inputs["x"]), jnp.asarray(inputs["y"])
    L = len(op.params["sizes"]) - 1

    def f(*p):
        h = x
        for l in range(L):
            h = h @ p[2 * l].T + p[2 * l + 1]
            h = h if l == L - 1 else jnp.tanh(h)
        return -jnp.sum(jnp.take_along_axis(jax.nn.log_softmax(h), y[:, None], axis=1))

    return f, tuple(jnp.asarray(inputs[a]) for a in op.wrt)


def _agree(name, ref, est, scale=None):
    """Our check's verdict: the reference against an oracle estimate under the float64 table
    tolerance widened by FD_SAFETY x the oracle's error estimate (as the conformance suite does)."""
    from oracles import tolerances as tols

    tol = tols.lookup("float64")
    if scale is not None:  # a directional derivative: tolerance relative to its terms' scale
        tol = tols.Tolerance(tol.rtol, tol.atol + tol.rtol * scale, tol.reason)
    c = tols.compare(name, ref, est.value, tol, est.error)
    if not c.passed:
        raise AssertionError(f"{name}: the reference disagrees with the oracle (max abs err {c.max_abs_err:.3g})")
    return c


def full_jacobian(quick=False):
    """Full-Jacobian check of an MLP's loss (tanh, batch 8, float64): the reference gradient against
    our FD oracle's full Jacobian (central differences), vs torch.autograd.gradcheck(fast_mode=False)."""
    import torch

    import oracles

    sizes = (6, 10, 10, 4) if quick else (20, 100, 100, 10)
    op, inputs, problem = _mlp_problem(sizes, 8)
    n = problem.size()
    fd = oracles.get("fd", method="central")

    def ours(oracle=fd):
        g = op.vjp(1.0, **inputs, **op.params)
        J = oracle.jacobian(problem, method="central")
        for a in op.wrt:
            _agree(f"d/d{a}", g[a], oracles.Estimate(J.value[a], J.error[a]))

    cold = once(lambda: ours(oracles.get("fd", method="central")))  # includes the JIT compilation
    t_ours = best_of(ours, 3, warmup=0)
    f, params = _torch_mlp(op, inputs)
    ref = float(op.forward(**inputs, **op.params))
    with torch.no_grad():
        assert abs(f(*params).item() - ref) <= 1e-9 * max(1.0, abs(ref)), "torch loss != reference loss"

    def peer():
        assert torch.autograd.gradcheck(f, params, fast_mode=False)

    t_peer = best_of(peer, 3 if not quick else 2, warmup=0)
    return [row(f"full-Jacobian check, MLP {'-'.join(map(str, sizes))} tanh ({n} parameters), batch 8, "
                f"float64: reference gradient vs our FD Jacobian (central) / torch.autograd.gradcheck"
                f"(fast_mode=False)", t_ours, t_peer, 0.2,
                f"ours warm (JIT cache reused); first call with compilation {cold:.3g} s; "
                f"torch threads={torch.get_num_threads()}")]


def directional(quick=False):
    """Directional check v^T J u of a large MLP (fixed seed): the reference VJP against our FD
    directional derivative (central) or the JAX oracle's JVP, vs gradcheck(fast_mode=True) and
    jax.test_util.check_grads(order=1, modes=("rev",))."""
    import torch
    from jax.test_util import check_grads

    import oracles
    from oracles.jax_oracle import jax_mode

    sizes = (784, 256, 256, 10) if quick else (784, 1024, 1024, 10)
    N = 8
    op, inputs, problem = _mlp_problem(sizes, N)
    n = problem.size()
    rng = np.random.default_rng(1)
    u = {a: rng.standard_normal(np.shape(inputs[a])) for a in op.wrt}
    fd, jx = oracles.get("fd", method="central"), oracles.get("jax")

    def ours(oracle):
        def check():
            g = op.vjp(1.0, **inputs, **op.params)
            terms = [np.vdot(g[a], u[a]) for a in op.wrt]
            scale = float(sum(np.sum(np.abs(g[a] * u[a])) for a in op.wrt))
            est = oracle.jvp(problem, u, full=False) if oracle is fd else oracle.jvp(problem, u)
            _agree("v^T J u", float(sum(terms)), est, scale)
        return check

    rep = 3 if quick else 5
    cold = once(ours(oracles.get("fd", method="central")))
    t_fd, t_jax = best_of(ours(fd), rep), best_of(ours(jx), rep)
    f, params = _torch_mlp(op, inputs)
    t_gc = best_of(lambda: torch.autograd.gradcheck(f, params, fast_mode=True), rep)
    with jax_mode("float64", "cpu"):
        jf, jparams = _jax_mlp(op, inputs)
        # check_grads' default eps = 1e-4 multiplies a N(0, 1) tangent over all n entries (norm
        # ~ sqrt(n)): for n ~ 1e6 its central difference is off by ~1e-3 and the check fails
        t_cg = best_of(lambda: check_grads(jf, jparams, order=1, modes=("rev",), eps=CG_EPS), rep)
    name = f"directional check, MLP {'-'.join(map(str, sizes))} tanh ({n} parameters), batch {N}, float64"
    note = f"warm; our FD first call with compilation {cold:.3g} s"
    return [
        row(f"{name}: reference VJP vs our FD directional derivative (central) / gradcheck(fast_mode=True)",
            t_fd, t_gc, 1.0, note),
        row(f"{name}: reference VJP vs our FD directional derivative (central) / jax check_grads(order=1, rev)",
            t_fd, t_cg, 1.0, note + f"; check_grads eps={CG_EPS:g} (its default 1e-4 fails here)"),
        row(f"{name}: reference VJP vs the JAX oracle's JVP / jax check_grads(order=1, rev)",
            t_jax, t_cg, 1.0, f"warm; check_grads eps={CG_EPS:g}"),
    ]


CG_EPS = 1e-6  # the step given to check_grads in the directional benchmark

ACCURACY_FNS = ("tanh", "sigmoid", "swish", "log_softmax", "softmax_cross_entropy", "mlp")
PEER_STEPS = {"central": {"torch.autograd.gradcheck eps": 1e-6, "jax check_grads eps": 1e-4}}


def fd_accuracy(quick=False):
    """Error of each FD method against the autodiff (analytic) Jacobian over a sweep of steps, in
    float64, for a few smooth formulas: the optimal step, the smallest error, and the error at the
    step our oracle chooses by itself (and, for central differences, at the peers' fixed steps)."""
    import oracles
    from mlp_ref import catalog
    from oracles import Problem
    from oracles.fd import METHODS, Coordinates

    ops = catalog.ops()
    fns = ACCURACY_FNS[:3] if quick else ACCURACY_FNS
    steps = 10.0 ** np.arange(-16, -0.5, 1.0 if quick else 0.5)
    ad = oracles.get("jax")
    if ad.available():
        ad = oracles.get("torch")
    problems = []
    for fn in fns:
        op = ops[fn]
        inputs = op.sample(np.random.default_rng(0), np.float64)
        problems.append((op, Problem(op.fn, inputs, dict(op.params), op.wrt, op.kinks)))

    def flat(jac, p, out_size):
        """{arg: out + arg shape} -> (n, out_size), the layout of FDOracle.directional."""
        return np.concatenate([np.reshape(jac[a], (out_size, -1)).T for a in p.wrt])

    refs = []
    for op, p in problems:
        J = ad.jacobian(p).value
        out_size = J[p.wrt[0]].size // np.size(p.inputs[p.wrt[0]])
        refs.append((flat(J, p, out_size), out_size))

    rows = []
    fd = oracles.get("fd")  # one oracle: its compiled evaluations serve every method
    for method in METHODS:
        used = [(op, p, R, k) for (op, p), (R, k) in zip(problems, refs) if method != "complex" or op.analytic]

        def worst(step=None):
            err = 0.0
            for op, p, R, k in used:
                if step is None:
                    J = fd.jacobian(p, method=method).value
                    D = flat(J, p, k)
                else:
                    _, D, _ = fd.directional(p, Coordinates(p.size()), method=method, step=step)
                    D = D.reshape(len(D), -1)
                err = max(err, float(np.max(np.abs(D - R)) / max(np.max(np.abs(R)), 1e-300)))
            return err

        sweep = [(float(h), worst(h)) for h in steps]
        best_h, best_e = min(sweep, key=lambda he: (he[1], -he[0]))  # ties: the larger step
        auto = worst()
        peers = {f"{k} {h:g}": worst(h) for k, h in PEER_STEPS.get(method, {}).items()}
        r = row(f"FD accuracy, {method}: max rel error over {len(used)} smooth formulas, step sweep "
                f"{steps[0]:.0e}..{steps[-1]:.0e}", None, None, None,
                f"formulas: {', '.join(op.fn for op, *_ in used)}; reference: {ad.name} autodiff")
        r.update(kind="accuracy", method=method, optimal_step=best_h, min_rel_err=best_e,
                 auto_step_rule=STEP_RULES[method], auto_rel_err=auto, peer_steps=peers,
                 sweep=[[h, e] for h, e in sweep])
        rows.append(r)
    return rows


STEP_RULES = {"forward": "sqrt(eps) max(1, abs(x))", "central": "eps^(1/3) max(1, abs(x))",
              "richardson": "0.1 max(abs(x), 0.1), Ridders over 10 steps", "complex": "1e-20 max(1, abs(x))"}


def forward_backward(quick=False):
    """mlp_ref forward + backward vs torch (autograd) on CPU, same MLP, batch and dtype."""
    import torch

    import mlp_ref

    sizes = (784, 1024, 1024, 10)
    N = 64 if quick else 256
    rows = []
    for dtype in ("float32", "float64"):
        rng = np.random.default_rng(0)
        Ws, bs = _mlp_params(sizes, dtype, rng)
        x = rng.standard_normal((N, sizes[0])).astype(dtype)
        y = rng.integers(0, sizes[-1], N)

        def ours():
            mlp_ref.mlp_loss_backward(x, y, Ws, bs, activation="relu", loss="softmax_cross_entropy",
                                       input_grad=False)

        tW = [torch.tensor(W, requires_grad=True) for W in Ws]
        tb = [torch.tensor(b, requires_grad=True) for b in bs]
        tx, ty = torch.tensor(x), torch.tensor(y)

        def peer():
            h = tx
            for i, (W, b) in enumerate(zip(tW, tb)):
                h = torch.nn.functional.linear(h, W, b)
                if i < len(tW) - 1:
                    h = torch.relu(h)
            loss = torch.nn.functional.cross_entropy(h, ty, reduction="sum")
            torch.autograd.grad(loss, tW + tb)

        rep = 3 if quick else 7
        rows.append(row(f"forward+backward 784-1024-1024-10 batch {N} {dtype}: mlp_ref vs torch",
                        best_of(ours, rep), best_of(peer, rep), 1.3,
                        f"torch threads={torch.get_num_threads()}"))
    return rows


REPORT_TARGET_S = 30.0
CHECK_ONLY_TARGET_S = 5.0
CHECK_ONLY_ID = "cos324-eq-11.19"


def commands(quick=False):
    """Wall time of `mlp-ref report` (with JAX's compilation cache empty, then filled), `mlp-ref check
    --only` one entry and `pytest --impl` (`mlp-ref grade`: the grading case; the whole suite: suite)."""
    rows = []
    env = dict(os.environ, PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory() as tmp:
        env["MLP_REF_CACHE_DIR"] = str(Path(tmp) / "cache")  # starts empty: the first run is cold
        for label in ("first run, compilation cache empty", "second run, compilation cache filled"):
            t, rc = wall([sys.executable, "-m", "mlp_ref.cli", "report", "--no-progress",
                          "--out", str(Path(tmp) / "report")], cwd=ROOT, env=env)
            rows.append(row(f"mlp-ref report (cpu, float32+float64, all installed oracles), {label}: wall seconds",
                            t, None, None, f"exit code {rc}; target <= {REPORT_TARGET_S:g} s"))
            rows[-1].update(target_s=REPORT_TARGET_S, met=t <= REPORT_TARGET_S and rc in (0, 1))
        t, rc = wall([sys.executable, "-m", "mlp_ref.cli", "check", "--only", CHECK_ONLY_ID],
                     cwd=ROOT, env=env)
        rows.append(row(f"mlp-ref check --only {CHECK_ONLY_ID} (torch, JAX, FD; float32+float64): wall seconds",
                        t, None, None, f"exit code {rc}; target <= {CHECK_ONLY_TARGET_S:g} s"))
        rows[-1].update(target_s=CHECK_ONLY_TARGET_S, met=t <= CHECK_ONLY_TARGET_S and rc == 0)
        impl = ROOT / "tests" / "fixtures" / "torch_impl.py"
        if not quick and impl.exists():
            # from a directory outside the checkout, as a user runs it (the plugin finds the suite)
            t, rc = wall([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--impl", str(impl)],
                         cwd=tmp, env=env)
            rows.append(row("python -m pytest --impl tests/fixtures/torch_impl.py (from outside): wall seconds",
                            t, None, None, f"exit code {rc}; target <= 90 s"))
            rows[-1].update(target_s=90.0, met=t <= 90.0 and rc == 0)
    return rows


SUITE_TARGET_S = 150.0


def suite(quick=False):
    """Wall time of the README's test command on this machine: `python -m pytest -q -n auto` (one
    pytest-xdist worker per core) where pytest-xdist is installed, else `python -m pytest -q`. The
    whole suite also under --quick: a part of it would not say whether the target is met."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    parallel = ["-n", "auto"] if importlib.util.find_spec("xdist") else []
    t, rc = wall([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *parallel], cwd=ROOT, env=env)
    r = row(f"whole test suite (python -m pytest -q{' -n auto' if parallel else ''}, {os.cpu_count()} cpus): "
            "wall seconds", t, None, None, f"exit code {rc}; target <= {SUITE_TARGET_S:g} s")
    r.update(target_s=SUITE_TARGET_S, met=t <= SUITE_TARGET_S and rc == 0)
    return [r]


def catalog_time(quick=False):
    """Wall time of `mlp-ref catalog` (every entry evaluated, table printed), best of a few runs."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    times = []
    for _ in range(1 if quick else 3):
        t, rc = wall([sys.executable, "-m", "mlp_ref.cli", "catalog"], cwd=ROOT, env=env)
        times.append(t)
    t = min(times)
    r = row("mlp-ref catalog (every entry evaluated): wall seconds, best of "
            f"{len(times)}", t, None, None, f"exit code {rc}; target <= 3 s")
    r.update(target_s=3.0, met=t <= 3.0 and rc == 0)
    return [r]


def grading(quick=False):
    """Wall time of `mlp-ref grade` (default rubric) on one submission and on a folder of 50 with --jobs 2.

    The folder cycles through examples/submissions/*.py (a correct solution and typical mistakes), so
    the mix of passing and failing checks is a course's, not only the fast path of a correct file.
    """
    import shutil

    rows = []
    env = dict(os.environ, PYTHONHASHSEED="0")
    examples = sorted((ROOT / "examples" / "submissions").glob("*.py"))
    if not examples:
        return rows
    n = 10 if quick else 50
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        for i in range(n):
            shutil.copy(examples[i % len(examples)], folder / f"student{i:03d}.py")
        grade = [sys.executable, "-m", "mlp_ref.cli", "grade"]
        t, rc = wall([*grade, str(ROOT / "examples" / "submissions" / "correct.py"), "--out", str(Path(tmp) / "one")],
                     cwd=ROOT, env=env)
        rows.append(row("mlp-ref grade on one submission (default rubric): wall seconds", t, None, None,
                        f"exit code {rc}; target <= 10 s"))
        rows[-1].update(target_s=10.0, met=t <= 10.0 and rc == 0)
        t, rc = wall([*grade, str(folder), "--jobs", "2", "--quiet", "--out", str(Path(tmp) / "all")], cwd=ROOT, env=env)
        rows.append(row(f"mlp-ref grade on {n} submissions with --jobs 2 (default rubric): wall seconds", t, None,
                        None, f"exit code {rc}; {t / n:.2f} s per submission; target <= 60 s"))
        rows[-1].update(target_s=60.0, met=t <= 60.0 and rc == 0)
    return rows
