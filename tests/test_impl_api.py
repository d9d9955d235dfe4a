"""The implementation under test (`--impl`, default mlp_ref) against mlp_ref itself: every public
function present, every keyword default and every `reduction` of each public op, forward and
gradient (a wrong default slope, alpha or reduction, or a gradient that forgets the 1/N of
"mean", fails here with the function, the keyword and both values)."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import mlp_ref
from mlp_ref import catalog
from mlp_ref.pytest_plugin import public_api
from public_calls import MLP, VALID

PUBLIC_OPS = [op for op in catalog.ops().values() if op.bind is not None]
REDUCED = [op for op in PUBLIC_OPS if "reduction" in op.params]
RTOL = 1e-9  # float64 on both sides: only rounding separates two correct implementations
ATOL = 1e-12  # times the scale of the expected values (at least 1)


def _close(what, got, want):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    err = np.abs(got - want)
    bad = err > RTOL * np.abs(want) + ATOL * scale
    if np.any(bad):
        i = tuple(int(k) for k in np.unravel_index(np.argmax(np.where(bad, err, -1)), err.shape))
        ratio = f"{float(got[i] / want[i]):.6g}" if want[i] else "-"
        raise AssertionError(f"{what}: got {float(got[i])!r}, expected {float(want[i])!r} at index {i} "
                             f"(ratio {ratio}); max abs error {float(err.max()):.3g}")


def _defaults(fn, impl) -> str:
    """The keyword defaults of `fn` that differ between the implementation and mlp_ref, named."""
    def of(f):
        try:
            return {p.name: p.default for p in inspect.signature(f).parameters.values()
                    if p.default is not inspect.Parameter.empty}
        except (TypeError, ValueError):
            return {}
    mine, theirs = of(getattr(mlp_ref, fn)), of(getattr(impl, fn, None))
    differ = [f"{k}={theirs[k]!r} (mlp_ref: {v!r})" for k, v in mine.items()
              if k in theirs and not (type(theirs[k]) is type(v) and theirs[k] == v)]
    return f" [default keywords that differ: {', '.join(differ)}]" if differ else ""


def _pair(op, impl, params, seed=0):
    """(expected, got) for forward and VJP of `op` with `params`, mlp_ref vs the implementation."""
    rng = np.random.default_rng(seed)
    inputs = op.sample(rng, np.float64)
    ref, sub = op.for_impl(mlp_ref), op.for_impl(impl)
    want = np.asarray(ref.forward(**inputs, **params))
    got = sub.forward(**inputs, **params)
    g = rng.uniform(0.5, 2.0, want.shape)
    g = g if g.ndim else float(g)
    return inputs, (want, got), (ref.vjp(g, **inputs, **params), sub.vjp(g, **inputs, **params))


def test_implementation_provides_every_public_function(impl):
    missing = [n for n in public_api() if not callable(getattr(impl, n, None))]
    assert not missing, f"the implementation lacks {len(missing)} public function(s): {', '.join(missing)}"


@pytest.mark.parametrize("op", PUBLIC_OPS, ids=[op.name for op in PUBLIC_OPS])
def test_keyword_defaults(op, impl):
    """Called without keywords, forward and gradient equal mlp_ref's with its defaults."""
    _, (want, got), (gwant, ggot) = _pair(op, impl, {})
    named = "".join(dict.fromkeys(_defaults(n, impl) for n in (op.fn, f"{op.fn}_grad") if hasattr(mlp_ref, n)))
    _close(f"{op.fn}(...) with the default keywords{named}", got, want)
    for a in op.wrt:
        _close(f"gradient of {op.fn} d/d{a} with the default keywords{named}", ggot[a], gwant[a])


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
@pytest.mark.parametrize("op", REDUCED, ids=[op.name for op in REDUCED])
def test_every_reduction(op, reduction, impl):
    """Each reduction, with a non-unit upstream gradient g: catches a missing 1/N of "mean"."""
    params = {**op.params, "reduction": reduction}
    _, (want, got), (gwant, ggot) = _pair(op, impl, params, seed=1)
    _close(f"{op.fn}(..., reduction={reduction!r})", got, want)
    for a in op.wrt:
        _close(f"{op.fn} gradient d/d{a}, reduction={reduction!r}, upstream g", ggot[a], gwant[a])


KINK_DEFAULTS = [("relu_grad", {}, ()), ("leaky_relu_grad", {"slope": 0.1}, (0.1, 1.0)),
                 ("elu_grad", {"alpha": 1.5}, (1.5, 1.0)), ("relu_grad", {}, (0.0, 1.0))]


@pytest.mark.parametrize("fn,params,at_zero", KINK_DEFAULTS, ids=[f"{k[0]}-{len(k[2])}" for k in KINK_DEFAULTS])
def test_kink_convention_default_and_switch(fn, params, at_zero, impl):
    """The derivative at the kink z = 0: the default, and each framework's value through at_zero."""
    z = np.array([[0.0, -0.5, 0.5]])
    _close(f"{fn}(z) with the default at_zero", getattr(impl, fn)(z, **params),
           getattr(mlp_ref, fn)(z, **params))
    for c in at_zero:
        _close(f"{fn}(z, at_zero={c})", getattr(impl, fn)(z, **params, at_zero=c),
               getattr(mlp_ref, fn)(z, **params, at_zero=c))


def _required(fn):
    import inspect

    params = inspect.signature(getattr(mlp_ref, fn)).parameters
    return {k: v for k, v in VALID[fn].items() if params[k].default is inspect.Parameter.empty}


def _leaves(what, got, want):
    """Compare two results leaf by leaf (dicts by key, lists by position, arrays by value)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(want) <= set(got), f"{what}: keys {sorted(got)}, expected {sorted(want)}"
        for k in want:
            _leaves(f"{what}[{k!r}]", got[k], want[k])
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), f"{what}: {len(got)} items, expected {len(want)}"
        for i, (a, b) in enumerate(zip(got, want)):
            _leaves(f"{what}[{i}]", a, b)
    elif want is None:
        assert got is None, f"{what}: expected None, got {got!r}"
    else:
        _close(what, got, want)


DEFAULTED = sorted(fn for fn in VALID if fn in public_api() and set(_required(fn)) != set(VALID[fn]))


@pytest.mark.parametrize("fn", DEFAULTED)
def test_every_keyword_default_of_every_public_function(fn, impl):
    """Each public function called with its required arguments only: the implementation's defaults
    (at_zero, g, input_grad, eps, method, activation, loss, ...) give mlp_ref's result."""
    args = _required(fn)
    if fn == "mlp_backward":  # each implementation reads its own cache
        want = mlp_ref.mlp_backward(args["g"], mlp_ref.mlp_forward(**MLP)[1])
        got = impl.mlp_backward(args["g"], impl.mlp_forward(**MLP)[1])
    else:
        want, got = getattr(mlp_ref, fn)(**args), getattr(impl, fn)(**args)
    if fn == "mlp_forward":  # (output, cache): the cache is the implementation's own
        want, got = want[0], got[0]
    _leaves(f"{fn}({', '.join(args)}) with the default keywords{_defaults(fn, impl)}", got, want)
