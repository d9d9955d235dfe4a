"""Oracle: finite differences of the oracle-side forward (JAX forms in float64, else torch forms).

Methods, each with an error estimate and a step chosen from the dtype's epsilon and the
coordinate's magnitude (never a fixed constant):
  forward     (f(x + h) - f(x)) / h, the documents' formula: O(h) truncation, h = sqrt(eps) max(1, |x|);
              error ~ |D(h) - D(2h)| plus rounding eps |f| / h.
  central     (f(x + h) - f(x - h)) / 2h: O(h^2), h = eps^(1/3) max(1, |x|); error ~ |D(h) - D(2h)| / 3.
  richardson  Ridders' extrapolation of central differences over 10 shrinking steps (factor 1.4),
              keeping per entry the tableau value with the smallest error estimate.
  complex     Im f(x + i h) / h for analytic forms, h = 1e-20 max(1, |x|): no subtractive
              cancellation; refused when the form is not complex-analytic (checked against central).
The full Jacobian is vectorized: all perturbed points of a chunk of coordinates (every step of
the method, both sides) are evaluated in one compiled call that forms them itself, x + t e_k, so
that neither an n x n identity nor the chunk's points exist on the host (jax.vmap for small
chunks, jax.lax.map one point at a time for large ones; torch.func.vmap for torch forms); chunks
bound the memory and run on a few threads. Steps never straddle a declared kink: they are capped
at half the distance to it, and a coordinate too close to a kink raises KinkError. Evaluation is
always in float64 (complex128 for the complex step) on the inputs rounded to the requested dtype.
"""
from __future__ import annotations

import contextlib
import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import devices as dev
from .base import Estimate, KinkError, MissingForm, Oracle, OracleError, Problem, check_dtype, params_key

METHODS = ("forward", "central", "richardson", "complex")
EPS = float(np.finfo(np.float64).eps)
RIDDERS_LEVELS = 10
RIDDERS_SHRINK = 1.4
RIDDERS_SAFE = 2.0
VMAP_ELEMS = 1 << 18  # up to this many point elements a chunk is evaluated as one vmapped batch
_JIT_CACHE: dict = {}  # (fn, params, wrt, fixed args) -> jitted batched evaluation
_SHAPE_CACHE: dict = {}  # (fn, params, wrt, input shapes and dtypes) -> output shape of a JAX form


def natural_step(method: str) -> float:
    """Step per unit magnitude: balances truncation and rounding for the method in float64."""
    return {"forward": EPS ** 0.5, "central": EPS ** (1 / 3), "richardson": 0.1, "complex": 1e-20}[method]


class FDOracle(Oracle):
    name = "fd"

    def __init__(self, method: str = "richardson", chunk_elems: int = 1 << 23, full_limit: int = 4096,
                 threads: int | None = None, backends: tuple[str, ...] = ("jax", "torch")):
        if method not in METHODS:
            raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
        if not backends or not set(backends) <= {"jax", "torch"} or len(set(backends)) != len(backends):
            raise ValueError(f"backends: expected an order of 'jax' and 'torch', got {backends!r}")
        self.method = method
        self.backends = tuple(backends)  # whose form is differenced, first found first
        self.chunk_elems = int(chunk_elems)  # bound on the elements of one batched evaluation
        self.full_limit = int(full_limit)  # output x input elements up to which J is formed whole
        self.threads = int(threads or min(4, _cpus()))  # chunks evaluated at once

    def available(self):
        for mod in ("jax", "torch"):
            try:
                __import__(mod)
                return None
            except ImportError:
                continue
        return "finite differences evaluate JAX or torch forms; neither is importable"

    def devices(self):
        return list(dev.oracle_devices("fd"))

    @staticmethod
    def _forms_of(kind: str) -> dict:
        """The "jax" or "torch" forms ({} when that framework is not importable)."""
        try:
            from . import forms as _forms

            return getattr(_forms, f"{kind}_forms")()
        except ImportError:
            return {}

    def forms(self):
        """Every form, JAX's where both frameworks have one (imports both)."""
        return {k: (kind, f) for kind in ("torch", "jax") for k, f in self._forms_of(kind).items()}

    def _form(self, fn: str):
        """The first backend's form of `fn` (JAX's, else torch's by default): a later backend's framework
        is imported only for a function the earlier ones have no form of."""
        for kind in self.backends:
            f = self._forms_of(kind).get(fn)
            if f is not None:
                return kind, f
        return super()._form(fn)  # raises MissingForm, naming where a form goes

    def has_form(self, fn: str) -> bool:
        try:
            self._form(fn)
        except MissingForm:
            return False
        return True

    def backend(self, fn: str) -> str:
        """"jax" or "torch": whose form of `fn` is differenced."""
        return self._form(fn)[0]

    # ------------------------------------------------------------------------ evaluation
    @contextlib.contextmanager
    def _mode(self, backend, device):
        if backend == "jax":
            from .jax_oracle import jax_mode

            with jax_mode("float64", device):
                yield
        else:
            yield

    def _evaluator(self, problem: Problem, device: str):
        """(x_flat, out_shape, batch): batch(Points, B of them) -> f at each point (B, *out).

        JAX forms: the points are formed one at a time inside one jitted function (compiled once
        per fn, params, wrt and shapes; reused across chunks, steps and calls), never on the
        host. Torch forms get the chunk's points formed on the host and go through
        torch.func.vmap.
        """
        backend, form = self._form(problem.fn)
        self._check_device(device)
        x = problem.cast(np.float64)
        shapes = tuple(tuple(np.shape(x[a])) for a in problem.wrt)
        fixed_np = {k: v for k, v in x.items() if k not in problem.wrt}
        params, wrt = problem.params, problem.wrt
        x_flat = np.concatenate([np.ravel(x[a]) for a in wrt]) if wrt else np.zeros(0)

        if backend == "jax":
            import jax
            import jax.numpy as jnp

            jdev = dev.jax_device(device)
            fixed = {k: jax.device_put(jnp.asarray(v), jdev) for k, v in fixed_np.items()}
            vf = self._jitted(problem, tuple(sorted(fixed)))
            key = (problem.fn, params_key(params), wrt, shapes,
                   tuple((k, v.shape, v.dtype.str) for k, v in sorted(fixed_np.items())))
            if key not in _SHAPE_CACHE:  # the same for every dtype and method: traced once
                _SHAPE_CACHE[key] = jax.eval_shape(
                    lambda *w: form(**fixed, **dict(zip(wrt, w)), **params),
                    *[jax.ShapeDtypeStruct(np.shape(x[a]), np.float64) for a in wrt]).shape
            out_shape = _SHAPE_CACHE[key]

            def batch(points):
                rows = None if points.rows is None else jax.device_put(points.rows, jdev)
                x0, t, k = (jax.device_put(a, jdev) for a in (points.x, points.t, points.k))
                return np.asarray(vf(fixed, x0, t, k, rows, shapes=shapes, arg=points.arg))
        else:
            import torch

            tdev = torch.device(device.replace("gpu", "cuda"))
            fixed = {k: torch.as_tensor(v, device=tdev) for k, v in fixed_np.items()}

            def f(*w):
                return form(**fixed, **dict(zip(wrt, w)), **params)

            with torch.no_grad():
                out_shape = tuple(f(*[torch.as_tensor(x[a], device=tdev) for a in wrt]).shape)

            def batch(points):
                parts = [torch.as_tensor(q, device=tdev) for q in _split(points.dense(), shapes)]
                with torch.no_grad():
                    try:
                        out = torch.func.vmap(f)(*parts)
                    except Exception:  # a form vmap cannot batch: evaluate point by point
                        out = torch.stack([f(*[q[i] for q in parts]) for i in range(points.shape[0])])
                return out.detach().cpu().numpy()

        return x_flat, tuple(out_shape), batch

    def _jitted(self, problem, fixed_keys):
        import jax

        key = (problem.fn, params_key(problem.params), problem.wrt, fixed_keys)
        cache = _JIT_CACHE  # shared by all FD oracles (the forms are the same): compile once
        if key not in cache:
            form, wrt, params = self._form(problem.fn)[1], problem.wrt, dict(problem.params)

            def batched(fixed, x, t, k, rows, shapes, arg):
                parts = _split(x, shapes)
                start = sum(int(np.prod(s)) for s in shapes[:arg or 0])

                def one(tj, kj):
                    if arg is None:  # x + t e_k (rows None) or x + t rows[k]: every argument
                        ps = _split(x.at[kj].add(tj) if rows is None else x + tj * rows[kj], shapes)
                    else:  # a coordinate of argument number `arg`: only that one is copied
                        ps = list(parts)
                        ps[arg] = parts[arg].reshape(-1).at[kj - start].add(tj).reshape(shapes[arg])
                    return form(**fixed, **dict(zip(wrt, ps)), **params)

                if t.shape[0] * x.shape[0] <= VMAP_ELEMS:  # small: all points at once
                    return jax.vmap(one)(t, k)
                # large: one point at a time inside the compiled loop; memory O(n), not O(B n),
                # and each evaluation keeps the form's own unbatched (faster) matrix products
                return jax.lax.map(lambda tk: one(*tk), (t, k))

            cache[key] = jax.jit(batched, static_argnames=("shapes", "arg"))
        return cache[key]

    def _kink_distance(self, problem: Problem, x_flat, dirs):
        """For each direction (rows of `dirs`, normalized, or Coordinates), the step t to the
        nearest declared kink, the coordinate where that kink lies, and each coordinate's nearest
        kink as declared."""
        near = np.full(len(x_flat), np.inf)  # per coordinate: distance to its nearest kink
        kink_at = np.full(len(x_flat), None, dtype=object)
        start = 0
        for a in problem.wrt:
            seg = slice(start, start + int(np.size(problem.inputs[a])))
            for kink in problem.kinks.get(a, ()):
                d = np.abs(x_flat[seg] - kink)
                closer = d < near[seg]
                near[seg] = np.where(closer, d, near[seg])
                kink_at[seg][closer] = kink
            start = seg.stop
        if isinstance(dirs, Coordinates):
            return near[dirs.idx], dirs.idx, kink_at
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(dirs != 0, near[None, :] / np.abs(dirs), np.inf)
        coord = np.argmin(t, axis=1)
        return t[np.arange(len(coord)), coord], coord, kink_at

    def _steps(self, method, problem, x_flat, dirs):
        """Step per direction: natural step x magnitude, capped at half the distance to a kink."""
        mag = _support_max(dirs, np.abs(x_flat))
        h = natural_step(method) * np.maximum(mag, 1.0)
        if method == "richardson":
            h = 0.1 * np.maximum(mag, 0.1)
        reach = {"forward": 2.0, "central": 2.0, "richardson": 1.0, "complex": 0.0}[method]
        if reach and problem.kinks:
            dist, coord, kink_at = self._kink_distance(problem, x_flat, dirs)
            cap = dist / (2 * reach)
            too_close = cap < 1e-3 * h
            if np.any(too_close):
                i = int(np.nonzero(too_close)[0][0])
                c = int(coord[i])
                a, k = self._locate(problem, c)
                raise KinkError(f"{problem.fn}: {a}[{np.unravel_index(k, np.shape(problem.inputs[a]))}] = "
                                f"{x_flat[c]:.3g} lies {dist[i]:.2g} from the kink at "
                                f"{kink_at[c]}; a {method} step of {h[i]:.2g} would straddle it")
            h = np.minimum(h, cap)
        return h

    @staticmethod
    def _locate(problem, coord):
        """(arg, flat index within arg) of a coordinate of the flattened wrt vector."""
        start = 0
        for a in problem.wrt:
            n = int(np.size(problem.inputs[a]))
            if coord < start + n:
                return a, coord - start
            start += n
        raise IndexError(coord)

    def _chunks(self, m, n, out_size, evals_per_dir, groups=None):
        """[(start, end)] of at most `per` directions each, within each (start, end) of `groups`."""
        per = max(1, self.chunk_elems // max(1, (n + out_size) * evals_per_dir))
        return [(s, min(e, s + per)) for b, e in (groups or [(0, m)]) for s in range(b, e, per)], per

    @staticmethod
    def _arg_of(problem, coords):
        """Position in problem.wrt of the argument each flat coordinate belongs to."""
        starts = np.cumsum([0] + [int(np.size(problem.inputs[a])) for a in problem.wrt])[:-1]
        return np.searchsorted(starts, coords, side="right") - 1

    def directional(self, problem: Problem, dirs, device="cpu", method=None, step=None):
        """Derivatives of the form along each row of `dirs` (m, n), or along the coordinate
        directions a `Coordinates` names: (f(x), D (m, *out), err (m, *out)).

        The rows are taken in chunks; within a chunk every perturbed point (all steps, both
        sides, and x itself) is one batched call. Chunks are padded to one size so that the
        jitted evaluation compiles once. `step` (scalar or one per direction, along the
        max-norm-normalized direction) replaces the automatic step choice and its kink cap: for
        step sweeps on smooth forms; for Richardson it is the tableau's starting step.
        """
        method = method or self.method
        if method not in METHODS:
            raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
        backend = self.backend(problem.fn)
        if isinstance(dirs, Coordinates):
            unit, norms = dirs, np.ones(len(dirs))
        else:
            dirs = np.asarray(dirs, dtype=np.float64)
            norms = np.abs(dirs).max(axis=1) if dirs.size else np.zeros(dirs.shape[0])
            norms = np.where(norms > 0, norms, 1.0)
            unit = dirs / norms[:, None]
        with self._mode(backend, device):
            x_flat, out_shape, batch = self._evaluator(problem, device)
            if step is None:
                h_all = self._steps(method, problem, x_flat, unit)
            else:
                h_all = np.broadcast_to(np.asarray(step, dtype=np.float64), (len(unit),)).copy()
            # Richardson is cross-checked against a plain central difference at its own step
            h_c = self._steps("central", problem, x_flat, unit) if method == "richardson" else h_all
            evals = {"forward": 4, "central": 4, "richardson": 2 * RIDDERS_LEVELS + 4, "complex": 1}[method]
            out_size = max(1, int(np.prod(out_shape)))
            chunks, per = self._chunks(len(unit), len(x_flat), out_size, evals)
            by_arg = isinstance(unit, Coordinates) and (1 + min(per, len(unit)) * evals) * len(x_flat) > VMAP_ELEMS
            if by_arg:  # large: chunks within one argument each, so that a point copies only it
                which = self._arg_of(problem, unit.idx)
                cuts = [0, *(np.flatnonzero(np.diff(which)) + 1), len(which)]
                chunks, per = self._chunks(len(unit), len(x_flat), out_size, evals, list(zip(cuts[:-1], cuts[1:])))
            cplx = method == "complex"
            dt = np.complex128 if cplx else np.float64
            x0 = x_flat.astype(dt)

            def with_base(d, t, k):
                """f(x) and f at the points x + t_j d[k_j] (d: the chunk's directions), in one call."""
                t = np.concatenate([np.zeros(1, dt), np.asarray(t, dt)])
                arg = None
                if isinstance(d, Coordinates):  # x itself is x + 0 e_k, k the chunk's first coordinate
                    k, rows = np.concatenate([d.idx[:1] if len(d) else [0], d.idx[np.asarray(k, np.int64)]]), None
                    arg = int(self._arg_of(problem, d.idx[:1])[0]) if by_arg else None
                else:  # x itself is x + 0 d[0]
                    k, rows = np.concatenate([[0], k]), (d if len(d) else np.zeros((1, len(x0))))
                vals = batch(Points(x0, t, k.astype(np.int64), rows, arg))
                return (vals[0].real if cplx else vals[0]), vals[1:]

            def run(chunk):
                s, e = chunk
                d, h, hc = unit[s:e], h_all[s:e], h_c[s:e]
                pad = per - (e - s) if len(chunks) > 1 else 0
                if pad:  # repeat the last direction so that every chunk has one shape
                    d, h, hc = (_repeat_last(a, pad) for a in (d, h, hc))
                with self._mode(backend, device):  # JAX's x64 and device settings are per thread
                    f0, D, E = self._chunk(method, functools.partial(with_base, d), len(h), h, out_shape, hc)
                return f0, D[:e - s], E[:e - s]

            # the first chunk compiles; the others run on `threads` threads (the compiled
            # evaluation releases the GIL)
            done = [run(c) for c in chunks[:1]]
            with ThreadPoolExecutor(self.threads) as pool:
                done += list(pool.map(run, chunks[1:]))
            f0 = done[0][0] if done else with_base(unit[:0], [], [])[0]
        D = np.concatenate([r[1] for r in done]) if done else np.zeros((0,) + out_shape)
        E = np.concatenate([r[2] for r in done]) if done else np.zeros((0,) + out_shape)
        scale = norms.reshape((-1,) + (1,) * len(out_shape))
        return f0, D * scale, E * scale

    def _chunk(self, method, with_base, m, h, out_shape, h_central=None):
        nd = len(out_shape)
        hh = h.reshape((m,) + (1,) * nd)
        if method == "complex":
            f0, val = with_base(1j * h, np.arange(m))
            D = val.imag / hh
            E = 8 * EPS * (np.abs(D) + np.abs(D).max(axis=tuple(range(1, D.ndim)), keepdims=True))
            return f0, D, E
        if method in ("forward", "central"):
            # x - h and x - 2h serve the kink check of the forward method too
            f0, vals = self._eval_steps(with_base, np.stack([h, 2 * h]), (1, -1))
            kink = _kink_term(f0, vals[0], hh, vals[1], 2 * hh)
            rounding = 2 * EPS * (np.abs(f0) + np.abs(vals[0, 0])) / hh
            if method == "forward":
                D1 = (vals[0, 0] - f0) / hh
                D2 = (vals[1, 0] - f0) / (2 * hh)
                return f0, D1, np.abs(D1 - D2) + rounding + kink
            D1 = (vals[0, 0] - vals[0, 1]) / (2 * hh)
            D2 = (vals[1, 0] - vals[1, 1]) / (4 * hh)
            return f0, D1, np.abs(D1 - D2) / 3 + rounding + kink
        # richardson (Ridders): first shrink h until every point is finite (domain edges such as
        # log p at p = 0), then, while the tableau's own error estimate stays large (the step
        # is still outside the asymptotic range), retry with smaller starting steps and keep,
        # entry by entry, the estimate with the smaller error. Every call also evaluates a
        # central difference at its natural step (h_central, 2 h_central) for the kink cross-check.
        best = err = f0 = None
        h = h.copy()
        hc = h_central.reshape((m,) + (1,) * nd)
        for attempt in range(8):
            steps = np.stack([h / RIDDERS_SHRINK ** i for i in range(RIDDERS_LEVELS)] + [h_central, 2 * h_central])
            f0, allv = self._eval_steps(with_base, steps, (1, -1))
            vals, cv = allv[:RIDDERS_LEVELS], allv[RIDDERS_LEVELS:]
            bad = ~np.isfinite(vals).reshape(RIDDERS_LEVELS, 2, m, -1).all(axis=(0, 1, 3))
            if bad.any() and attempt < 5:
                h = np.where(bad, h / 10, h)
                continue
            hs = steps[:RIDDERS_LEVELS].reshape((RIDDERS_LEVELS, m) + (1,) * nd)
            b, e = self._ridders((vals[:, 0] - vals[:, 1]) / (2 * hs))
            # rounding of the smallest step, amplified by the tableau's coefficients: the
            # tableau's own estimate misses it where neighbouring entries agree by chance
            e = e + 16 * EPS * np.maximum(np.abs(vals[-1, 0]), np.abs(vals[-1, 1])) / hs[-1]
            e = e + _kink_term(f0, vals[-1], hs[-1], vals[0], hs[0])
            if best is None:
                best, err = b, e
            else:
                better = e < err
                best, err = np.where(better, b, best), np.where(better, e, err)
            rel = err / np.maximum(np.abs(best).max(axis=tuple(range(1, best.ndim)), keepdims=True), 1e-300)
            if not np.any(rel > 1e-10) or attempt >= 4:
                break
            h = h / 8
        # cross-check: Ridders' steps may straddle a kink nobody declared and still agree with
        # themselves; a central difference at a much smaller step, with its own kink term, must
        # agree within both estimates, else the disagreement joins the error estimate
        C = (cv[0, 0] - cv[0, 1]) / (2 * hc)
        C2 = (cv[1, 0] - cv[1, 1]) / (4 * hc)
        kink_c = _kink_term(f0, cv[0], hc, cv[1], 2 * hc)  # a kink within 2 h_central of x
        err_c = np.abs(C - C2) / 3 + 2 * EPS * (np.abs(f0) + np.abs(cv[0, 0])) / hc + kink_c
        gap = np.abs(best - C)
        err = np.where(gap <= 3 * (err + err_c), err, np.maximum(err, gap + err_c))
        return f0, best, np.maximum(err, kink_c)

    @staticmethod
    def _ridders(A0):
        con2 = RIDDERS_SHRINK ** 2
        prev = [A0[0]]
        best = A0[0].copy()
        err = np.full(A0[0].shape, np.inf)
        done = np.zeros(A0[0].shape, bool)
        for i in range(1, len(A0)):
            row = [A0[i]]
            fac = con2
            for j in range(1, i + 1):
                aji = (row[j - 1] * fac - prev[j - 1]) / (fac - 1)
                fac *= con2
                errt = np.maximum(np.abs(aji - row[j - 1]), np.abs(aji - prev[j - 1]))
                upd = (errt <= err) & ~done
                best = np.where(upd, aji, best)
                err = np.where(upd, errt, err)
                row.append(aji)
            done |= np.abs(row[i] - prev[i - 1]) >= RIDDERS_SAFE * err
            prev = row
        return best, err + 4 * EPS * np.abs(best)

    @staticmethod
    def _eval_steps(with_base, steps, sides):
        """f(x), and f at x + side * step * d for every step row (S, m) and side: (S, sides, m, *out)."""
        S, m = steps.shape
        t = np.concatenate([side * steps[s] for s in range(S) for side in sides])
        f0, out = with_base(t, np.tile(np.arange(m), S * len(sides)))
        return f0, out.reshape((S, len(sides), m) + out.shape[1:])

    # ------------------------------------------------------------------------ interface
    def value(self, problem, device="cpu", dtype="float64"):
        check_dtype(dtype)
        problem = _rounded(problem, dtype)
        f0, _, _ = self.directional(problem, np.zeros((0, problem.size())), device, "central")
        return Estimate(f0, method=f"{self.backend(problem.fn)} form, float64")

    def _jacobian(self, problem, device, method):
        n = problem.size()
        f0, D, E = self.directional(problem, Coordinates(n), device, method)
        if method == "complex":
            self._check_analytic(problem, device, D, E)
        out_nd = D.ndim - 1
        jac, err, start = {}, {}, 0
        for a in problem.wrt:
            shape = np.shape(problem.inputs[a])
            k = int(np.prod(shape))
            for store, src in ((jac, D), (err, E)):
                block = src[start:start + k].reshape(shape + src.shape[1:])
                store[a] = np.moveaxis(block, tuple(range(len(shape))),
                                       tuple(range(out_nd, out_nd + len(shape))))
            start += k
        return f0, jac, err

    def _method_note(self, problem, method):
        return f"{method} differences ({self.backend(problem.fn)} form, float64)"

    def jacobian(self, problem, device="cpu", dtype="float64", method=None):
        check_dtype(dtype)
        method = method or self.method
        problem = _rounded(problem, dtype)
        _, jac, err = self._jacobian(problem, device, method)
        return Estimate(jac, err, method=self._method_note(problem, method))

    @staticmethod
    def _contract_g(g, jac, err):
        g = np.asarray(g, dtype=np.float64)
        nd = g.ndim
        value = {a: np.asarray(np.tensordot(g, j, axes=nd)) for a, j in jac.items()}
        error = {a: np.asarray(np.tensordot(np.abs(g), err[a], axes=nd)) for a in jac}
        return value, error

    @staticmethod
    def _contract_u(problem, tangents, jac, err, out_shape):
        value = np.zeros(out_shape)
        error = np.zeros(out_shape)
        for a in problem.wrt:
            u = np.asarray(tangents.get(a, np.zeros(np.shape(problem.inputs[a]))), dtype=np.float64)
            k = u.ndim
            axes = (tuple(range(len(out_shape), len(out_shape) + k)), tuple(range(k)))
            value = value + np.tensordot(jac[a], u, axes=axes)
            error = error + np.tensordot(err[a], np.abs(u), axes=axes)
        return value, error

    def vjp(self, problem, g, device="cpu", dtype="float64", method=None):
        """g^T J from the full FD Jacobian (each coordinate with its own step)."""
        check_dtype(dtype)
        method = method or self.method
        problem = _rounded(problem, dtype)
        _, jac, err = self._jacobian(problem, device, method)
        value, error = self._contract_g(g, jac, err)
        return Estimate(value, error, method=self._method_note(problem, method) + ", Jacobian contracted with g")

    def _small(self, problem, device):
        """Is the full Jacobian small enough (output x input elements <= full_limit)?"""
        with self._mode(self.backend(problem.fn), device):
            _, out_shape, _ = self._evaluator(problem, device)
        return problem.size() * max(1, int(np.prod(out_shape))) <= self.full_limit

    def jvp(self, problem, tangents, device="cpu", dtype="float64", method=None, full=None):
        """J u: from the full Jacobian when it is small (`full`; default: up to full_limit),
        else one directional difference along u."""
        check_dtype(dtype)
        method = method or self.method
        problem = _rounded(problem, dtype)
        if full is None:
            full = self._small(problem, device)
        if full:
            f0, jac, err = self._jacobian(problem, device, method)
            value, error = self._contract_u(problem, tangents, jac, err, np.shape(f0))
            return Estimate(value, error, method=self._method_note(problem, method) + ", Jacobian contracted with u")
        u = np.concatenate([np.ravel(np.asarray(tangents.get(a, np.zeros(np.shape(problem.inputs[a]))),
                                                dtype=np.float64)) for a in problem.wrt])
        _, D, E = self.directional(problem, u[None, :], device, method)
        if method == "complex":
            self._check_analytic(problem, device, D, E, dirs=u[None, :])
        return Estimate(D[0], E[0], method=self._method_note(problem, method) + ", along u")

    def evaluate(self, problem, g=None, tangents=None, device="cpu", dtype="float64", full=None):
        """One full FD Jacobian gives the value, the VJP and the JVP; with full=False (default:
        when the Jacobian exceeds full_limit) only the value and a directional JVP."""
        check_dtype(dtype)
        method = self.method
        problem = _rounded(problem, dtype)
        note = self._method_note(problem, method)
        if full is None:
            full = self._small(problem, device)
        if not full:
            u = np.concatenate([np.ravel(np.asarray(tangents.get(a, np.zeros(np.shape(problem.inputs[a]))),
                                                    dtype=np.float64)) for a in problem.wrt])
            f0, D, E = self.directional(problem, u[None, :], device, method)
            return {"value": Estimate(f0, method=note), "vjp": None,
                    "jvp": Estimate(D[0], E[0], method=note + ", along u")}
        f0, jac, err = self._jacobian(problem, device, method)
        out = {"value": Estimate(f0, method=note), "vjp": None, "jvp": None}
        if g is not None:
            gv = g(np.shape(f0)) if callable(g) else g
            out["vjp"] = Estimate(*self._contract_g(gv, jac, err), method=note + ", Jacobian contracted with g")
        if tangents is not None:
            out["jvp"] = Estimate(*self._contract_u(problem, tangents, jac, err, np.shape(f0)),
                                  method=note + ", Jacobian contracted with u")
        return out

    def _check_analytic(self, problem, device, D, E, dirs=None):
        """The complex step is only valid for complex-analytic forms: cross-check with central."""
        dirs = Coordinates(problem.size()) if dirs is None else dirs
        _, C, CE = self.directional(problem, dirs, device, "central")
        scale = max(float(np.max(np.abs(C))) if C.size else 0.0, 1e-300)
        if np.any(~np.isfinite(D)) or np.any(np.abs(D - C) > 100 * CE + 1e-6 * scale):
            raise OracleError(f"complex step unavailable for {problem.fn!r}: its "
                              f"{self.backend(problem.fn)} form is not complex-analytic (it disagrees "
                              "with central differences, e.g. abs/max/where on the real part)")


def _cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Coordinates:
    """The coordinate directions e_i, i in `idx` (rows of the n x n identity), never formed."""

    def __init__(self, n: int, idx=None):
        self.n = int(n)
        self.idx = np.arange(self.n) if idx is None else np.asarray(idx, dtype=np.int64)

    @property
    def shape(self):
        return (len(self.idx), self.n)

    def __len__(self):
        return len(self.idx)

    def __getitem__(self, rows):
        return Coordinates(self.n, self.idx[rows])


class Points:
    """B points x + t_j d_(k_j), described rather than formed: d_k is row k of `rows` (m, n), or
    the coordinate direction e_k when `rows` is None (then `arg`, if given, is the position in
    wrt of the one argument all the k lie in)."""

    def __init__(self, x, t, k, rows=None, arg=None):
        self.x, self.t, self.k, self.rows, self.arg = x, t, k, rows, arg

    @property
    def shape(self):
        return (len(self.t), len(self.x))

    def dense(self):
        """The points as a (B, n) array."""
        if self.rows is not None:
            return self.x[None, :] + self.t[:, None] * self.rows[self.k]
        pts = np.repeat(self.x[None, :], len(self.t), axis=0)
        if self.x.size:
            pts[np.arange(len(self.t)), self.k] += self.t
        return pts


def _split(points, shapes):
    """(..., n) points -> one (..., *shape) block per wrt argument (NumPy or JAX arrays)."""
    out, start = [], 0
    for s in shapes:
        n = int(np.prod(s))
        out.append(points[..., start:start + n].reshape(points.shape[:-1] + tuple(s)))
        start += n
    return out


def _support_max(dirs, v):
    """Per direction, the largest of v (>= 0) over the coordinates the direction moves."""
    if isinstance(dirs, Coordinates):
        return v[dirs.idx]
    return np.where(dirs != 0, v[None, :], 0).max(axis=1, initial=0.0)


def _repeat_last(a, pad):
    """`a` with its last row repeated `pad` times (arrays or Coordinates)."""
    if isinstance(a, Coordinates):
        return Coordinates(a.n, _repeat_last(a.idx, pad))
    return np.concatenate([a, np.repeat(a[-1:], pad, 0)])


def _kink_term(f0, near, h_near, far, h_far):
    """Error term for a kink straddled by the steps, from two symmetric pairs (near, far).

    S(h) = |f(x+h) - 2 f(x) + f(x-h)| / h is h |f''| on a smooth piece, so it shrinks with h;
    across a kink it stays near the jump in slope. Where S at the smaller step has not shrunk
    (more than halfway to the smooth expectation), S itself becomes part of the error estimate:
    the estimate then covers the error, and the harness reports the point as unreliable.
    `near` and `far` are (2, m, *out) arrays: f at +h and at -h.
    """
    s_near = np.abs(near[0] - 2 * f0 + near[1]) / h_near
    s_far = np.abs(far[0] - 2 * f0 + far[1]) / h_far
    r = h_near / h_far
    noise = 64 * EPS * (np.abs(f0) + np.abs(near[0]) + np.abs(near[1])) / h_near
    straddled = (s_near > 0.5 * (1 + r) * s_far) & (s_near > noise)
    return np.where(straddled, s_near, 0.0)


def _rounded(problem: Problem, dtype: str) -> Problem:
    """The problem with float inputs rounded to `dtype` (the point the other side evaluates)."""
    if dtype == "float64":
        return problem
    inputs = {k: (np.asarray(v).astype(dtype).astype(np.float64) if np.asarray(v).dtype.kind == "f" else v)
              for k, v in problem.inputs.items()}
    return Problem(problem.fn, inputs, problem.params, problem.wrt, problem.kinks)
