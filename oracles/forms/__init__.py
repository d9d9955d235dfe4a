"""Oracle-side forms: each formula written with a framework's own functions, keyed by `Op.fn`.

Every module in this package (common.py for the shared functions, one module per document for
document-specific ones) defines `torch_forms(torch, F)` and/or `jax_forms(jax, jnp)` returning
{fn: callable}. A form takes the op's args as keyword tensors (labels as integer tensors) and the
op's params as keyword Python values, and returns a tensor. The loader merges all modules,
common.py first, then the others in name order; the first definition of a fn wins and any
later duplicate is recorded in `conflicts()`. Nothing here imports the reference.
"""
from __future__ import annotations

import functools
import importlib
import pkgutil


def _modules():
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    names = (["common"] if "common" in names else []) + [n for n in names if n != "common"]
    return [(n, importlib.import_module(f"{__name__}.{n}")) for n in names]


@functools.lru_cache(maxsize=None)
def _merged(kind: str):
    forms, origin, conflicts = {}, {}, []
    for name, module in _modules():
        maker = getattr(module, f"{kind}_forms", None)
        if maker is None:
            continue
        if kind == "torch":
            import torch
            import torch.nn.functional as F

            got = maker(torch, F)
        else:
            import jax
            import jax.numpy as jnp

            got = maker(jax, jnp)
        for fn, form in got.items():
            if fn in forms:
                conflicts.append(f"{kind} form {fn!r} defined in {origin[fn]} and {name}; using {origin[fn]}")
                continue
            forms[fn], origin[fn] = form, name
    return forms, origin, conflicts


def torch_forms() -> dict:
    """{fn: form} written with torch / torch.nn.functional."""
    return dict(_merged("torch")[0])


def jax_forms() -> dict:
    """{fn: form} written with jax.nn / jax.numpy."""
    return dict(_merged("jax")[0])


def origins(kind: str) -> dict:
    """{fn: module name} telling where each `kind` ("torch" or "jax") form comes from."""
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
