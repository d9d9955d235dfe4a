"""Plot data for the HTML report, computed once so that rendering only reads results.json.

Harness code, not an oracle form: it calls the reference (mlp_ref) for the hand-derived
derivatives and torch / JAX (each optional) for the frameworks' own derivatives, and returns
plain JSON-ready dicts. Every series that cannot be computed says why instead of raising.
"""
from __future__ import annotations

import importlib
import math

import numpy as np

# Activation name -> parameters as the catalog's ops use them (registry: slope 0.1, alpha 1.5).
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "swish")
ACTIVATION_PARAMS = {"leaky_relu": {"slope": 0.1}, "elu": {"alpha": 1.5}}
KINKED = ("relu", "leaky_relu", "elu")
FD_FUNCTIONS = (("sigmoid", 0.7), ("tanh", 0.7), ("swish", -0.4))
FD_STEPS = tuple(10.0 ** (-k / 2) for k in range(2, 33))  # 1e-1 ... 1e-16, half decades
FD_METHODS = {"forward": 1, "central": 2, "richardson": 4, "complex_step": 2}  # expected slopes


def _float_list(a, digits=12) -> list:
    """Floats rounded to `digits` significant digits (keeps results.json small); non-finite as None."""
    out = []
    for v in np.asarray(a, dtype=np.float64).ravel():
        out.append(float(f"{v:.{digits}g}") if math.isfinite(v) else None)
    return out


def _x64(jax):
    """float64 inside a `with` block only (jax.enable_x64), so no global JAX state leaks out."""
    ctx = getattr(jax, "enable_x64", None)
    if ctx is None:  # older JAX
        from jax.experimental import enable_x64 as ctx
    return ctx(True)


def _torch():
    try:
        import torch
        import torch.nn.functional as F
    except Exception as exc:  # noqa: BLE001 - any import failure means "not installed here"
        return None, None, f"torch not importable: {type(exc).__name__}: {exc}"
    return torch, F, None


def _jax():
    try:
        import jax
        import jax.numpy as jnp

        from .jax_oracle import enable_compilation_cache
    except Exception as exc:  # noqa: BLE001
        return None, None, f"jax not importable: {type(exc).__name__}: {exc}"
    enable_compilation_cache()
    return jax, jnp, None


def _torch_activation(name, torch, F, p):
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": lambda x: F.leaky_relu(x, p.get("slope", 0.1)),
        "elu": lambda x: F.elu(x, p.get("alpha", 1.0)),
        "swish": F.silu,
    }[name]


def _jax_activation(name, jax, jnp, p):
    return {
        "sigmoid": jax.nn.sigmoid,
        "tanh": jnp.tanh,
        "relu": jax.nn.relu,
        "leaky_relu": lambda x: jax.nn.leaky_relu(x, p.get("slope", 0.1)),
        "elu": lambda x: jax.nn.elu(x, p.get("alpha", 1.0)),
        "swish": jax.nn.silu,
    }[name]


def torch_derivative(name, x, params=None):
    """d/dx of torch's own activation at the points x (float64), by autograd."""
    torch, F, why = _torch()
    if torch is None:
        raise RuntimeError(why)
    t = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    _torch_activation(name, torch, F, params or {})(t).sum().backward()
    return t.grad.detach().numpy().copy()


def jax_derivative(name, x, params=None):
    """d/dx of JAX's own activation at the points x (float64), by jax.vmap(jax.grad(.))."""
    jax, jnp, why = _jax()
    if jax is None:
        raise RuntimeError(why)
    f = _jax_activation(name, jax, jnp, params or {})
    with _x64(jax):
        return np.asarray(jax.vmap(jax.grad(f))(jnp.asarray(np.asarray(x, dtype=np.float64))))


ORACLE_DERIVATIVES = {"torch": torch_derivative, "jax": jax_derivative}


def _selected(oracles=None) -> dict:
    """ORACLE_DERIVATIVES narrowed to the selected oracles (None: all): a framework not selected is
    not imported."""
    return {o: f for o, f in ORACLE_DERIVATIVES.items() if oracles is None or o in oracles}


def _hand(name):
    import mlp_ref

    return getattr(mlp_ref, name), getattr(mlp_ref, name + "_grad")


def activation_series(points: int = 161, low: float = -4.0, high: float = 4.0, oracles=None) -> dict:
    """Each activation, its hand derivative (mlp_ref) and the selected oracles' derivatives on one grid."""
    x = np.linspace(low, high, points)
    x[np.argmin(np.abs(x))] = 0.0  # the kink itself is on the grid
    out = {"x": _float_list(x), "functions": {}, "unavailable": {}}
    for name in ACTIVATIONS:
        p = ACTIVATION_PARAMS.get(name, {})
        f, df = _hand(name)
        rec = {"params": p, "f": _float_list(f(x, **p)), "hand": _float_list(df(x, **p)), "oracles": {}}
        for oracle, deriv in _selected(oracles).items():
            try:
                rec["oracles"][oracle] = _float_list(deriv(name, x, p))
            except Exception as exc:  # noqa: BLE001 - an oracle missing here is reported, not fatal
                out["unavailable"][oracle] = f"{type(exc).__name__}: {exc}"
        out["functions"][name] = rec
    return out


def kink_table(h: float = 1e-7, oracles=None) -> list[dict]:
    """The derivative each implementation (the selected oracles') returns exactly at the kink z = 0,
    with the one-sided limits."""
    rows = []
    for name in KINKED:
        p = ACTIVATION_PARAMS.get(name, {})
        f, df = _hand(name)
        z0 = np.array([0.0])
        left = float((f(z0, **p) - f(z0 - h, **p))[0] / h)
        right = float((f(z0 + h, **p) - f(z0, **p))[0] / h)
        values = {"mlp_ref": float(df(z0, **p)[0])}
        if name in ("relu", "leaky_relu"):
            for at_zero in (0.0, 1.0):
                values[f"mlp_ref (at_zero={at_zero:g})"] = float(df(z0, at_zero=at_zero, **p)[0])
        for oracle, deriv in _selected(oracles).items():
            try:
                values[oracle] = float(deriv(name, z0, p)[0])
            except Exception as exc:  # noqa: BLE001
                values[oracle] = None
                values.setdefault("_unavailable", {})[oracle] = f"{type(exc).__name__}: {exc}"
        rows.append({"function": name, "params": p, "left": float(f"{left:.6g}"), "right": float(f"{right:.6g}"),
                     "values": {k: v for k, v in values.items() if not k.startswith("_")},
                     "unavailable": values.get("_unavailable", {})})
    return rows


def _fd_backend():
    """Elementwise forwards that accept complex arrays (for the complex step), from JAX or torch."""
    jax, jnp, why_jax = _jax()
    if jax is not None:
        def sig(z):
            return 1 / (1 + jnp.exp(-z))

        forms = {"sigmoid": sig, "tanh": jnp.tanh, "swish": lambda z: z * sig(z)}

        def run(name, z):
            with _x64(jax):
                return np.asarray(forms[name](jnp.asarray(z)))

        return "jax (float64 / complex128)", run, None
    torch, _, why_torch = _torch()
    if torch is not None:
        def sig_t(z):
            return 1 / (1 + torch.exp(-z))

        forms_t = {"sigmoid": sig_t, "tanh": torch.tanh, "swish": lambda z: z * sig_t(z)}
        return ("torch (float64 / complex128)",
                lambda name, z: forms_t[name](torch.from_numpy(np.asarray(z))).numpy(), None)
    return None, None, f"neither JAX ({why_jax}) nor torch ({why_torch}) is available"


def fd_series(functions=FD_FUNCTIONS, steps=FD_STEPS) -> dict:
    """|finite difference - hand derivative| against the step h, for four difference schemes."""
    backend, f, why = _fd_backend()
    if backend is None:
        return {"unavailable": why}
    entries = _entries_by_fn()
    h = np.asarray(steps, dtype=np.float64)
    out = {"backend": backend, "steps": list(steps), "expected_slopes": dict(FD_METHODS), "functions": []}
    for name, x0 in functions:
        exact = float(_hand(name)[1](np.array([x0]))[0])

        def fr(x):
            return f(name, np.asarray(x, dtype=np.float64)).real

        def central(step):
            return (fr(x0 + step) - fr(x0 - step)) / (2 * step)

        est = {"forward": (fr(x0 + h) - fr(np.full_like(h, x0))) / h,
               "central": central(h),
               "richardson": (4 * central(h / 2) - central(h)) / 3,
               "complex_step": f(name, x0 + 1j * h).imag / h}
        errs = {m: _float_list(np.abs(v - exact), 6) for m, v in est.items()}
        out["functions"].append({"function": name, "x0": x0, "exact": exact, "errors": errs,
                                 "entries": entries.get(name, [])})
    return out


def _entries_by_fn() -> dict:
    """Catalog entry ids whose op computes each function (so plots can link to them)."""
    try:
        from mlp_ref import catalog

        found: dict[str, list] = {}
        for e in catalog.entries():
            for op in (e.op, e.corrected):
                if op is not None and e.id not in found.setdefault(op.fn, []):
                    found[op.fn].append(e.id)
        return found
    except Exception:  # noqa: BLE001 - links are a nicety
        return {}


APPROXIMATION_MODULE = "mlp_ref.documents.d003_ee559_mlp"


def approximation_series(Ks=(1, 2, 4, 8, 16, 32, 64), target="sin") -> dict:
    """The universal-approximation demonstration of 003 (d003_ee559_mlp), if that module has it."""
    try:
        mod = importlib.import_module(APPROXIMATION_MODULE)
        demo = getattr(mod, "universal_approximation_demo")
    except Exception as exc:  # noqa: BLE001
        return {"unavailable": f"{APPROXIMATION_MODULE}.universal_approximation_demo is not "
                               f"available ({type(exc).__name__}: {exc})"}
    try:
        res = demo(Ks=tuple(Ks), target=target)
        fits = {str(k): _float_list(v, 8) for k, v in res["fits"].items()}
        errors = {str(k): float(v) for k, v in res["errors"].items()}
        return {"target_name": target, "x": _float_list(res["x"], 8), "target": _float_list(res["target"], 8),
                "fits": fits, "errors": errors}
    except Exception as exc:  # noqa: BLE001
        return {"unavailable": f"universal_approximation_demo failed: {type(exc).__name__}: {exc}"}


def _guard(fn):
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - one broken series must not break the report
        return {"unavailable": f"{type(exc).__name__}: {exc}"}


WHOLE_ONLY = ("activations", "fd", "approximation")
ONE_DOCUMENT = "drawn when the whole catalog runs (not with --source): it describes the reference and " \
               "the oracles, or another document, not the one selected"


def _approximation_source() -> str | None:
    """The source file of the document whose universal-approximation demonstration is plotted."""
    try:
        return importlib.import_module(APPROXIMATION_MODULE).SRC
    except Exception:  # noqa: BLE001 - no such document installed: nothing to plot for it
        return None


def compute_all(progress=None, oracles=None, whole=True, sources=()) -> dict:
    """Every plot series of the report; `progress(done, total, label)` is called after each.
    `oracles` (None: all): the frameworks' derivatives are drawn for the selected ones only, and the
    finite-difference series only when "fd" is selected. `whole`: False for the documents `sources`
    alone (--source): the activation and finite-difference series are left out, and the
    universal-approximation series unless its document (003) is among `sources`."""
    fd = fd_series if oracles is None or "fd" in oracles else \
        (lambda: {"unavailable": "the fd oracle was not selected (--oracle)"})
    jobs = (("activations", lambda: activation_series(oracles=oracles)),
            ("kinks", lambda: {"rows": kink_table(oracles=oracles)}),
            ("fd", fd), ("approximation", approximation_series))
    if not whole:
        left_out = set(WHOLE_ONLY) - ({"approximation"} if _approximation_source() in set(sources) else set())
        jobs = tuple((key, (lambda: {"unavailable": ONE_DOCUMENT}) if key in left_out else fn) for key, fn in jobs)
    out = {}
    for i, (key, fn) in enumerate(jobs):
        out[key] = _guard(fn)
        if progress:
            progress(i + 1, len(jobs), f"series: {key}")
    return out
