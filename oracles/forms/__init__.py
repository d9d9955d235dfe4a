"""Oracle-side forms: each formula written with a framework's own functions, keyed by `Op.fn`.

A form module defines `torch_forms(torch, F)` and/or `jax_forms(jax, jnp)` returning {fn: callable}.
A form takes the op's args as keyword tensors (labels as integer tensors) and the op's params as
keyword Python values, and returns a tensor. `common.py` holds the forms of the reference's public
functions; every document package lists its own form module under the entry-point group
`mlp_ref.forms` (this project's five documents too, in its pyproject.toml). The loader merges
common.py first, then this project's document forms, then other packages' by (distribution, name).

A package whose forms cannot be loaded, or that defines a fn another module already defines, has
none of its forms of that kind used; `load_errors()` names the package and the reason and the
checks of its ops are skipped with "no form". Nothing here imports the reference.
"""
from __future__ import annotations

import functools
import importlib
from importlib import metadata

GROUP = "mlp_ref.forms"
HOME = "mlp-ref"

_errors: dict[str, list[dict]] = {"torch": [], "jax": []}


def _dist(ep) -> str:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else "?"


def form_modules() -> list[tuple[str, str, str]]:
    """(label, package, module name) of every form module, in merge order."""
    seen, eps = set(), []
    for ep in metadata.entry_points(group=GROUP):
        if (ep.name, ep.value) not in seen:
            seen.add((ep.name, ep.value))
            eps.append(ep)
    eps.sort(key=lambda ep: (_dist(ep) != HOME, _dist(ep), ep.value if _dist(ep) == HOME else ep.name))
    return [("common", HOME, f"{__name__}.common")] + [(ep.name, _dist(ep), ep.value) for ep in eps]


def _make(kind, module):
    maker = getattr(module, f"{kind}_forms", None)
    if maker is None:
        return {}
    if kind == "torch":
        import torch
        import torch.nn.functional as F

        got = maker(torch, F)
    else:
        import jax
        import jax.numpy as jnp

        from ..jax_oracle import enable_compilation_cache

        enable_compilation_cache()  # forms run eagerly too (plots, kink table): their programs are cached
        got = maker(jax, jnp)
    if not isinstance(got, dict) or not all(isinstance(k, str) and callable(v) for k, v in got.items()):
        raise TypeError(f"{kind}_forms must return a dict {{fn name: callable}}, got {type(got).__name__}")
    return got


@functools.lru_cache(maxsize=None)
def _merged(kind: str):
    forms, origin, conflicts = {}, {}, []
    _errors[kind] = []
    for label, package, name in form_modules():
        try:
            got = _make(kind, importlib.import_module(name))
        except ImportError as exc:
            if label == "common" or exc.name in ("torch", "jax"):
                raise  # the framework itself is missing: the oracle reports it unavailable
            _errors[kind].append(_error(package, label, name, f"importing its forms raised ImportError: {exc}"))
            continue
        except Exception as exc:  # noqa: BLE001 - one broken package must not stop the others
            _errors[kind].append(_error(package, label, name, f"building its {kind} forms raised "
                                                              f"{type(exc).__name__}: {exc}"))
            continue
        clash = sorted(fn for fn in got if fn in forms)
        if clash:
            where = ", ".join(f"{fn!r} (defined by {origin[fn]})" for fn in clash)
            conflicts.append(f"{kind} form {where} defined again in {label}; using {origin[clash[0]]}")
            if package != HOME:
                _errors[kind].append(_error(package, label, name, f"its {kind} forms conflict with another "
                                                                  f"module's: {where}; none of them is used"))
                continue
            got = {fn: f for fn, f in got.items() if fn not in forms}
        for fn, form in got.items():
            forms[fn], origin[fn] = form, label
    return forms, origin, conflicts


def _error(package, label, module, reason) -> dict:
    return {"package": package, "name": label, "target": module, "reason": reason,
            "message": f"document package {package} ({label} = {module}): {reason}"}


def torch_forms() -> dict:
    """{fn: form} written with torch / torch.nn.functional."""
    return dict(_merged("torch")[0])


def jax_forms() -> dict:
    """{fn: form} written with jax.nn / jax.numpy."""
    return dict(_merged("jax")[0])


def origins(kind: str) -> dict:
    """{fn: label} telling where each `kind` ("torch" or "jax") form comes from ("common" or the
    document's entry-point name)."""
    return dict(_merged(kind)[1])


def conflicts() -> list[str]:
    """Duplicate fn definitions across form modules (should be empty)."""
    out = []
    for kind in ("torch", "jax"):
        try:
            out += _merged(kind)[2]
        except ImportError:
            pass
    return out


def load_errors() -> list[dict]:
    """Form modules of document packages that were not used, each once: package, name, target, reason,
    message. Only the frameworks that have been loaded so far are looked at."""
    seen, out = set(), []
    for kind in ("torch", "jax"):
        for err in _errors[kind]:
            if err["message"] not in seen:
                seen.add(err["message"])
                out.append(err)
    return out


def reset() -> None:
    """Forget the merged forms (after installing a package in a running process)."""
    _merged.cache_clear()
