"""pytest plugin (entry point `pytest11`): `python -m pytest --impl PATH` runs the conformance suite
against another implementation of mlp_ref's public functions, from any directory.

With --impl and no test paths, the suite of the checkout this package is installed from is
collected. Only tests that exercise the implementation are kept: each item's needed public names
are worked out first, the header lists the names the module lacks, and items needing them, or
applying to mlp_ref only (catalog rows, document-specific ops, bad-input contracts), are
deselected with the reason in the summary.
"""
from __future__ import annotations

import inspect
import os
import re
from collections import Counter

import pytest

SUITE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
# harness helpers, not part of the implementation under test
NOT_API = frozenset({"make_mlp_op"})


def public_api() -> list[str]:
    """The public functions another implementation provides (mlp_ref's, less harness helpers)."""
    import mlp_ref
    from mlp_ref import activations, gradient, layers, losses

    names = set()
    for mod in (activations, layers, losses, gradient):
        for name, obj in inspect.getmembers(mod, inspect.isfunction):
            if obj.__module__ == mod.__name__ and not name.startswith("_") and hasattr(mlp_ref, name):
                names.add(name)
    return sorted(names - NOT_API)


def pytest_addoption(parser):
    group = parser.getgroup("mlp-ref")
    group.addoption("--impl", default=None, metavar="PATH",
                    help="implementation under test: a .py file or module name with mlp_ref's public "
                         "functions (default: mlp_ref); without test paths, runs the installed checkout's suite")
    group.addoption("--more-examples", action="store_true", default=False,
                    help="Hypothesis profile 'more' (200 randomized examples per property)")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    ns = early_config.known_args_namespace
    if getattr(ns, "impl", None) is None or getattr(ns, "file_or_dir", None):
        return
    if not os.path.isdir(SUITE):
        raise pytest.UsageError(f"--impl: the conformance suite is not installed beside mlp_ref ({SUITE} is "
                                "missing); install mlp-ref from its source checkout (pip install -e .)")
    args.append(SUITE)


_REQUESTS_IMPL = re.compile(r"def \w+\(([^)]*)\)", re.S)


def pytest_ignore_collect(collection_path, config):
    """Under --impl, a test file none of whose functions takes `impl` is not even imported."""
    if config.getoption("--impl") is None or collection_path.suffix != ".py" \
            or not collection_path.name.startswith("test_"):
        return None
    try:
        text = collection_path.read_text(encoding="utf-8")
    except OSError:
        return None
    if any(re.search(r"\bimpl\b", params) for params in _REQUESTS_IMPL.findall(text)):
        return None
    if _requested(config, collection_path):  # reported in the summary; siblings pytest only walks past are not
        config.__dict__.setdefault("_mlp_ref_ignored", []).append(collection_path.name)
    return True


def _requested(config, path) -> bool:
    """Was `path` named on the command line, or does it lie in a folder that was?"""
    from pathlib import Path

    path = Path(path).resolve()
    for arg in config.args:
        asked = Path(config.invocation_params.dir, str(arg).split("::")[0]).resolve()
        if path == asked or asked in path.parents:
            return True
    return False


# ------------------------------------------------------------------- the implementation under test
def _load(config):
    if not hasattr(config, "_mlp_ref_impl"):
        from oracles.conformance import load_impl

        path = config.getoption("--impl")
        try:
            module = load_impl(path)
        except Exception as exc:
            raise pytest.UsageError(f"--impl {path}: cannot import it ({type(exc).__name__}: {exc})") from None
        config._mlp_ref_impl = module
        config._mlp_ref_missing = [n for n in public_api() if not callable(getattr(module, n, None))]
    return config._mlp_ref_impl


@pytest.fixture(scope="session")
def impl(request):
    """The implementation under test (module), default mlp_ref."""
    if request.config.getoption("--impl") is None:
        import mlp_ref

        return mlp_ref
    return _load(request.config)


def pytest_report_header(config):
    if config.getoption("--impl") is None:
        return None
    module = _load(config)
    api = public_api()
    missing = config._mlp_ref_missing
    line = f"mlp-ref --impl {config.getoption('--impl')}: provides {len(api) - len(missing)} of {len(api)} public functions"
    if missing:
        return [line, "  missing (their tests are deselected): " + ", ".join(missing)]
    return [line + f" ({getattr(module, '__file__', module.__name__)})"]


class _Recorder:
    """A stand-in module that records which public names an op's bind() reaches."""

    def __init__(self):
        import mlp_ref

        self._ref, self.names = mlp_ref, set()

    def __getattr__(self, name):
        self.names.add(name)
        return getattr(self._ref, name)


_OP_NAMES: dict = {}


def op_names(op) -> set | None:
    """Public names an op needs from an implementation; None for a reference-only op."""
    if op.bind is None:
        return None
    if op.name not in _OP_NAMES:
        import numpy as np

        rec = _Recorder()
        bound = op.for_impl(rec)
        inputs = op.sample(np.random.default_rng(0), np.float64)
        out = np.asarray(bound.forward(**inputs, **op.params))
        g = np.ones(out.shape)
        bound.vjp(g if g.ndim else g[()], **inputs, **op.params)
        _OP_NAMES[op.name] = rec.names
    return _OP_NAMES[op.name]


_ACCESS = re.compile(r"\b(?:impl|m)\.(\w+)")
_QUOTED = re.compile(r"[\"'](\w+)[\"']")


def _ops():
    from mlp_ref import catalog

    return catalog.ops()


def needed_names(item, api) -> tuple[set, str | None]:
    """(public names the item calls on the implementation, reason it applies to mlp_ref only or None)."""
    from mlp_ref.registry import Op

    names = set()
    func = getattr(item, "function", None)
    if func is not None and getattr(func, "mlp_ref_only", None):
        return names, func.mlp_ref_only
    params = getattr(getattr(item, "callspec", None), "params", {})
    for value in params.values():
        op = value if isinstance(value, Op) else getattr(getattr(value, "subject", None), "op", None)
        if hasattr(value, "subject") and op is None:
            return names, "catalog rows evaluate mlp_ref itself"
        if getattr(value, "device", "cpu") != "cpu":
            from oracles import devices

            if devices.skip_reason(value.oracle, value.device):
                return names, f"no {value.device} device here (GPU legs)"
        if isinstance(op, Op):
            got = op_names(op)
            if got is None:
                return names, "document-specific op (bind=None)"
            names |= got
        elif isinstance(value, str) and value in api:
            names.add(value)
            if value in _ops():
                names |= op_names(_ops()[value]) or set()
        elif callable(value) and not isinstance(value, type):
            try:
                src = inspect.getsource(value)
            except (OSError, TypeError):
                continue
            names |= set(_ACCESS.findall(src)) | set(_QUOTED.findall(src))
    if func is not None:
        try:
            names |= set(_ACCESS.findall(inspect.getsource(func)))
        except (OSError, TypeError):
            pass
    return {n for n in names if n in api}, None


def mlp_ref_only(reason):
    """Mark a test as checking mlp_ref's own contract: deselected under --impl with `reason`."""
    def mark(func):
        func.mlp_ref_only = reason
        return func
    return mark


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    if config.getoption("--impl") is None:
        return
    _load(config)
    api, missing = set(public_api()), set(config._mlp_ref_missing)
    keep, dropped, why, seen = [], [], Counter(), set()
    for item in items:
        check = getattr(getattr(item, "callspec", None), "params", {}).get("check")
        key = None
        if check is not None and getattr(check.subject, "op", None) is not None:
            key = (check.subject.op.name, check.subject.form, check.oracle, check.device, check.dtype)
        if "impl" not in getattr(item, "fixturenames", ()):
            reason = "does not call the implementation"
        elif key is not None and key in seen:
            reason = "repeats a check of the same op (a catalog entry reusing a core op)"
        else:
            names, only = needed_names(item, api)
            lacking = sorted(names & missing)
            reason = only or (f"needs {', '.join(lacking)} (missing)" if lacking else None)
        if reason is None:
            keep.append(item)
            seen.add(key)
        else:
            dropped.append(item)
            why[reason if "missing" not in reason else "needs public functions the implementation lacks"] += 1
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    config._mlp_ref_deselected = why
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker: the summary is printed by the controller
        config.workeroutput["mlp_ref_impl"] = {"missing": list(config._mlp_ref_missing), "deselected": dict(why),
                                               "ignored": list(getattr(config, "_mlp_ref_ignored", []))}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist's controller: what the first worker found (every worker collects the same)."""
    got = getattr(node, "workeroutput", {}).get("mlp_ref_impl")
    config = node.config
    if got and not hasattr(config, "_mlp_ref_deselected"):
        config._mlp_ref_missing = got["missing"]
        config._mlp_ref_deselected = Counter(got["deselected"])
        config.__dict__["_mlp_ref_ignored"] = got["ignored"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if config.getoption("--impl") is None:
        return
    tr = terminalreporter
    missing = getattr(config, "_mlp_ref_missing", [])
    if missing:
        tr.write_line(f"mlp-ref --impl: the implementation lacks {len(missing)} public function(s): "
                      + ", ".join(missing), yellow=True)
    ignored = getattr(config, "_mlp_ref_ignored", [])
    if ignored:
        tr.write_line(f"mlp-ref --impl: {len(ignored)} test files not collected (no test takes the implementation): "
                      + ", ".join(sorted(ignored)))
    for reason, n in getattr(config, "_mlp_ref_deselected", Counter()).most_common():
        tr.write_line(f"mlp-ref --impl: {n} deselected: {reason}")
