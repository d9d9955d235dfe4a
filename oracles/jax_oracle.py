"""Oracle: jax.vjp / jax.jvp / jax.jacfwd over jax.nn and jax.numpy.

float64 needs JAX's x64 mode: it is switched on only inside each float64 call with the
`jax.enable_x64` context manager, so no global state leaks into other tests. Matmul precision is
pinned to "highest" (true FP32 rather than TF32 on recent GPUs) inside every call.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np

from . import devices as dev
from .base import Estimate, Oracle, Problem, check_dtype, params_key


_CACHE_STATE: dict = {}


def cache_base() -> Path:
    """The project's cache folder: MLP_REF_CACHE_DIR, else mlp-ref under $XDG_CACHE_HOME or ~/.cache."""
    return Path(os.environ.get("MLP_REF_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "mlp-ref"))


def cache_dir() -> Path | None:
    """Where compiled oracle programs persist between runs (None: switched off with MLP_REF_JAX_CACHE=0)."""
    if os.environ.get("MLP_REF_JAX_CACHE", "1").lower() in ("0", "off", "no", "false"):
        return None
    return cache_base() / "jax"


def enable_compilation_cache() -> str | None:
    """JAX's persistent compilation cache in the user's cache folder, once per process.

    The oracles compile a few hundred tiny programs; reloading them from disk is far cheaper than
    compiling them again. A cache folder the user has configured for JAX is left alone."""
    if "dir" in _CACHE_STATE:
        return _CACHE_STATE["dir"]
    import jax

    where = None
    if jax.config.jax_compilation_cache_dir:
        where = jax.config.jax_compilation_cache_dir
    elif (path := cache_dir()) is not None:
        try:
            path.mkdir(parents=True, exist_ok=True)
            jax.config.update("jax_compilation_cache_dir", str(path))
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
            where = str(path)
        except (OSError, AttributeError):  # read-only home or an older jax: compile as before
            where = None
    _CACHE_STATE["dir"] = where
    return where


@contextlib.contextmanager
def jax_mode(dtype: str, device: str = "cpu"):
    """x64 on for float64 only, matmul precision pinned, default device set; all restored after."""
    import jax

    enable_compilation_cache()
    with jax.enable_x64(dtype == "float64"), jax.default_matmul_precision(dev.PINNED_JAX), \
            jax.default_device(dev.jax_device(device)):
        yield


class JaxOracle(Oracle):
    name = "jax"

    def available(self):
        try:
            import jax  # noqa: F401
        except ImportError as exc:
            return f"jax is not importable ({exc})"
        return None

    def devices(self):
        return list(dev.jax_devices())

    def forms(self):
        from .forms import jax_forms

        return jax_forms()

    def _setup(self, problem: Problem, device: str, dtype: str):
        """Call inside jax_mode: (f of the wrt args, primal arrays) on the device."""
        import jax
        import jax.numpy as jnp

        form = self._form(problem.fn)
        jdev = dev.jax_device(device)
        ints = jnp.int64 if dtype == "float64" else jnp.int32
        arrays = {k: jax.device_put(jnp.asarray(v, dtype=getattr(jnp, dtype) if v.dtype.kind == "f" else ints), jdev)
                  for k, v in problem.cast(dtype).items()}
        fixed = {k: v for k, v in arrays.items() if k not in problem.wrt}

        def f(*w):
            return form(**fixed, **dict(zip(problem.wrt, w)), **problem.params)

        return f, tuple(arrays[a] for a in problem.wrt), fixed

    def value(self, problem, device="cpu", dtype="float64"):
        self._check_device(device)
        dtype = check_dtype(dtype)
        with jax_mode(dtype, device):
            f, primals, _ = self._setup(problem, device, dtype)
            return Estimate(np.asarray(f(*primals)), method="jax")

    def vjp(self, problem, g, device="cpu", dtype="float64"):
        import jax
        import jax.numpy as jnp

        self._check_device(device)
        dtype = check_dtype(dtype)
        with jax_mode(dtype, device):
            f, primals, _ = self._setup(problem, device, dtype)
            out, pullback = jax.vjp(f, *primals)
            grads = pullback(jnp.asarray(np.asarray(g), dtype=out.dtype).reshape(out.shape))
            return Estimate({a: np.asarray(gr) for a, gr in zip(problem.wrt, grads)}, method="jax.vjp")

    def jvp(self, problem, tangents, device="cpu", dtype="float64"):
        import jax
        import jax.numpy as jnp

        self._check_device(device)
        dtype = check_dtype(dtype)
        with jax_mode(dtype, device):
            f, primals, _ = self._setup(problem, device, dtype)
            tans = tuple(jnp.asarray(np.asarray(tangents.get(a, np.zeros(p.shape))), dtype=p.dtype).reshape(p.shape)
                         for a, p in zip(problem.wrt, primals))
            _, out = jax.jvp(f, primals, tans)
            return Estimate(np.asarray(out), method="jax.jvp")

    def evaluate(self, problem, g=None, tangents=None, device="cpu", dtype="float64", full=None):
        """Value, VJP and JVP from one jitted program (compiled once per fn, params and shapes)."""
        import jax
        import jax.numpy as jnp

        self._check_device(device)
        dtype = check_dtype(dtype)
        with jax_mode(dtype, device):
            _, primals, fixed = self._setup(problem, device, dtype)
            jitted, plain = self._fused(problem, tuple(sorted(fixed)))
            try:
                out_shape = jax.eval_shape(lambda *w: plain(w, fixed, None, None)[0], *primals).shape
            except Exception:  # a form jit cannot trace (Python control flow on values): eager
                return Oracle.evaluate(self, problem, g, tangents, device, dtype, full)
            gv = g(out_shape) if callable(g) else g
            gj = None if gv is None else jnp.asarray(np.asarray(gv), dtype=getattr(jnp, dtype)).reshape(out_shape)
            tans = None if tangents is None else tuple(
                jnp.asarray(np.asarray(tangents.get(a, np.zeros(p.shape))), dtype=p.dtype).reshape(p.shape)
                for a, p in zip(problem.wrt, primals))
            try:
                out, grads, jv = jitted(primals, fixed, gj, tans)
            except Exception:
                return Oracle.evaluate(self, problem, gv, tangents, device, dtype, full)
            return {"value": Estimate(np.asarray(out), method="jax (jit)"),
                    "vjp": None if grads is None else Estimate(
                        {a: np.asarray(v) for a, v in zip(problem.wrt, grads)}, method="jax.vjp (jit)"),
                    "jvp": None if jv is None else Estimate(np.asarray(jv), method="jax.jvp (jit)")}

    def _fused(self, problem, fixed_keys):
        import jax

        key = (problem.fn, params_key(problem.params), problem.wrt, fixed_keys)
        cache = self.__dict__.setdefault("_jit_cache", {})
        if key not in cache:
            form, wrt, params = self._form(problem.fn), problem.wrt, dict(problem.params)

            def fused(prims, fixed, g, tans):
                def f(*w):
                    return form(**fixed, **dict(zip(wrt, w)), **params)

                if g is None and tans is None:
                    return f(*prims), None, None
                out, pullback = jax.vjp(f, *prims)
                grads = None if g is None else pullback(g)
                jv = None if tans is None else jax.jvp(f, prims, tans)[1]
                return out, grads, jv

            cache[key] = (jax.jit(fused), fused)
        return cache[key]

    def jacobian(self, problem, device="cpu", dtype="float64"):
        """Full Jacobian by jax.jacfwd, jitted (one compile per fn, params and shapes)."""
        import jax

        self._check_device(device)
        dtype = check_dtype(dtype)
        with jax_mode(dtype, device):
            f, primals, fixed = self._setup(problem, device, dtype)
            try:
                jac = self._jacfwd(problem, tuple(sorted(fixed)))(primals, fixed)
            except Exception:  # a form jit cannot trace (Python control flow on values): eager
                jac = jax.jacfwd(f, argnums=tuple(range(len(primals))))(*primals)
            return Estimate({a: np.asarray(j) for a, j in zip(problem.wrt, jac)}, method="jax.jacfwd")

    def _jacfwd(self, problem, fixed_keys):
        import jax

        key = (problem.fn, params_key(problem.params), problem.wrt, fixed_keys)
        cache = self.__dict__.setdefault("_jac_cache", {})
        if key not in cache:
            form, wrt, params = self._form(problem.fn), problem.wrt, dict(problem.params)

            def jac(prims, fixed):
                def f(*w):
                    return form(**fixed, **dict(zip(wrt, w)), **params)

                return jax.jacfwd(f, argnums=tuple(range(len(prims))))(*prims)

            cache[key] = jax.jit(jac)
        return cache[key]
