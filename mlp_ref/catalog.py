"""The catalog: every entry of every installed document package, in document order, evaluated.

Documents are found through the entry-point group `mlp_ref.documents` (see `mlp_ref.packages`);
this project's five documents are registered that way too. `load_errors()` lists the packages that
could not be loaded and why.
"""
from __future__ import annotations

import contextlib

from . import packages, registry
from .registry import ENTRIES, OPS, SOURCES, Entry

FIELDS = ("id", "source", "location", "statement", "kind", "documented", "computed", "verdict",
          "explanation", "findings", "severity", "same_fault_as")


def entries() -> list[Entry]:
    """All entries, grouped by document in the order of SOURCES, each in document order."""
    packages.load()
    order = {s: i for i, s in enumerate(SOURCES)}
    chosen = [e for e in ENTRIES if e.source in order]
    return sorted(chosen, key=lambda e: order[e.source])  # stable: keeps definition order


def get(entry_id: str) -> Entry:
    """The entry with this id; KeyError if no installed document has it."""
    for e in entries():
        if e.id == entry_id:
            return e
    raise KeyError(f"no catalog entry {entry_id!r}")


def evaluate(selected=None) -> list[dict]:
    """Run every entry (or `selected`) and return catalog records with exactly FIELDS."""
    return [{k: rec[k] for k in FIELDS} for rec in (e.evaluate() for e in (selected or entries()))]


def ops(every: bool = False) -> dict:
    """{name: Op} of every registered op (the reference's and every document's); under
    `only_sources`, the ops of the selected documents only, unless `every`."""
    chosen = entries()
    if registry.SELECTED is None or every:
        return dict(OPS)
    mine = {op.name for e in chosen for op in (e.op, e.corrected) if op is not None}
    mine |= {n for d in packages.documents() for n in d.ops}
    return {n: op for n, op in OPS.items() if n in mine}


@contextlib.contextmanager
def only_sources(sources):
    """Within the block, the catalog, SOURCES and ops() hold only these documents (sources)."""
    previous = registry.SELECTED
    registry.SELECTED = frozenset(sources) if sources is not None else None
    try:
        yield
    finally:
        registry.SELECTED = previous


def documents() -> list:
    """Every installed document (`registry.Document`), in catalog order."""
    return packages.documents()


def load_errors() -> list:
    """The document packages that failed to load (`packages.LoadError`: package, name, target, reason)."""
    return packages.load_errors()
