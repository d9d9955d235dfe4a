"""Document packages: every installed document, found through the entry-point group `mlp_ref.documents`.

A document package is an importable module (or package) that declares its document with
`mlp_ref.registry.document(...)` and its entries with `@entry`; its distribution lists it under
`[project.entry-points."mlp_ref.documents"]` (name = the document's short name, value = the module)
and its oracle forms under `[project.entry-points."mlp_ref.forms"]` (same name). This project's
five documents are registered the same way from its own pyproject.toml.

Loading is contained: a package that fails to import, declares a source or entry id that another
package already has, or declares nothing is rolled back (its entries and ops removed) and recorded
in `load_errors()`; every other document still loads.
"""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from importlib import metadata

from . import registry

GROUP = "mlp_ref.documents"
FORMS_GROUP = "mlp_ref.forms"
HOME = "mlp-ref"  # this project's distribution: its documents load first
EXPECTED_TABLES = ("EXPECTED", "INPUTS", "MISMATCHED_NUMBERS", "OTHER_READINGS", "CONVENTIONS", "SEVERITY",
                   "SAME_FAULT")


@dataclass(frozen=True)
class LoadError:
    """A document package that could not be used: which one, and why."""

    package: str  # the distribution's name
    name: str  # the entry-point name
    target: str  # the entry point's value (module)
    reason: str

    def __str__(self) -> str:
        return f"document package {self.package} ({self.name} = {self.target}): {self.reason}"

    def record(self) -> dict:
        """The JSON form (results.json's `load_errors`)."""
        return {"package": self.package, "name": self.name, "target": self.target, "reason": self.reason,
                "message": str(self)}


_loaded = False
_errors: list[LoadError] = []


def _dist_name(ep) -> str:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else "?"


def entry_points(group: str = GROUP) -> list:
    """The group's entry points, each once: this project's first, then by (distribution, name)."""
    seen, out = set(), []
    for ep in metadata.entry_points(group=group):
        key = (ep.name, ep.value)
        if key not in seen:  # a checkout's stale egg-info can list an editable install twice
            seen.add(key)
            out.append(ep)
    return sorted(out, key=lambda ep: (_dist_name(ep) != HOME, _dist_name(ep), ep.value if
                                       _dist_name(ep) == HOME else ep.name))


def _rollback(n_entries: int, ops: set, docs: set, modules: set, target: str) -> None:
    del registry.ENTRIES[n_entries:]
    for name in set(registry.OPS) - ops:
        del registry.OPS[name]
    for source in set(registry.DOCUMENTS) - docs:
        del registry.DOCUMENTS[source]
    for name in set(sys.modules) - modules:  # a later load retries the package from scratch
        if name == target or name.startswith(target + "."):
            sys.modules.pop(name, None)


def load_one(ep) -> LoadError | None:
    """Load one document package's entry point; on failure roll it back and return the error."""
    package = _dist_name(ep)
    n_entries, ops, docs, modules = len(registry.ENTRIES), set(registry.OPS), set(registry.DOCUMENTS), set(sys.modules)
    taken = {d.name: d for d in registry.DOCUMENTS.values() if d.name}
    if ep.name in taken and taken[ep.name].module != ep.value:
        return LoadError(package, ep.name, ep.value, f"the name {ep.name!r} is already used by "
                                                     f"{taken[ep.name].package} ({taken[ep.name].module})")
    try:
        ep.load()
    except Exception as exc:  # noqa: BLE001 - one broken package must not stop the others
        _rollback(n_entries, ops, docs, modules, ep.value)
        return LoadError(package, ep.name, ep.value, f"{type(exc).__name__}: {exc}")
    new = [registry.DOCUMENTS[s] for s in registry.DOCUMENTS if s not in docs]
    new = new or [d for d in registry.DOCUMENTS.values() if d.module == ep.value and not d.name]
    if not new:
        _rollback(n_entries, ops, docs, modules, ep.value)
        return LoadError(package, ep.name, ep.value, "declares no document (call mlp_ref.registry.document(...) "
                                                     "before its entries)")
    added = tuple(n for n in registry.OPS if n not in ops)
    for d in new:
        d.package, d.name, d.ops = package, ep.name, added
    return None


def load(force: bool = False) -> None:
    """Import every installed document package once (again with `force`, e.g. after pip install)."""
    global _loaded
    if _loaded and not force:
        return
    _loaded = True
    if force:
        importlib.invalidate_caches()
        _errors.clear()
    found = entry_points(GROUP)
    if not found:
        print(f"mlp-ref: no document package is registered under the entry-point group {GROUP}; "
              "is mlp-ref installed (pip install -e .)?", file=sys.stderr)
    for ep in found:
        if any(d.module == ep.value and d.name for d in registry.DOCUMENTS.values()):
            continue
        err = load_one(ep)
        if err is not None:
            _errors.append(err)
            print(f"mlp-ref: {err}; its entries are left out", file=sys.stderr)


def load_errors() -> list[LoadError]:
    """The document packages that failed to load, with the reason (empty when all loaded)."""
    load()
    return list(_errors)


def documents() -> list[registry.Document]:
    """Every loaded document in catalog order (under `catalog.only_sources`, the selected ones)."""
    load()
    return [registry.DOCUMENTS[s] for s in registry.SOURCES]


def find(name: str) -> registry.Document:
    """The document named by its entry-point name, source or id prefix; KeyError otherwise."""
    load()
    for d in registry.DOCUMENTS.values():
        if name in (d.name, d.source) or (d.prefix and name == d.prefix.rstrip("-")):
            return d
    raise KeyError(f"no document {name!r}; installed: {', '.join(d.name or d.source for d in registry.DOCUMENTS.values())}")


def expectations(doc: registry.Document) -> dict | None:
    """The expected-verdict tables the document's package declares ({table: value}), or None.

    They come from the module named by `document(..., expected=...)`, else from the document's own
    module when it defines `EXPECTED`. Missing tables are empty.
    """
    name = doc.expected or doc.module
    module = importlib.import_module(name) if name else None
    if module is None or not hasattr(module, "EXPECTED"):
        if doc.expected:
            raise ValueError(f"{doc.expected}: the expected-verdicts module of {doc.source!r} defines no EXPECTED")
        return None
    empty = {"EXPECTED": {}, "INPUTS": set(), "MISMATCHED_NUMBERS": set(), "OTHER_READINGS": {},
             "CONVENTIONS": {}, "SEVERITY": {}, "SAME_FAULT": {}}
    return {t: getattr(module, t, empty[t]) for t in EXPECTED_TABLES}
