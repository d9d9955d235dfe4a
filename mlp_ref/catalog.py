"""The catalog: every registered entry of the five documents, in document order, evaluated."""
from __future__ import annotations

import importlib

from .registry import ENTRIES, OPS, SOURCES, Entry

DOCUMENT_MODULES = (
    "mlp_ref.documents.d000_fau_layers",
    "mlp_ref.documents.d001_tum_lecture7",
    "mlp_ref.documents.d002_cos324_ch11",
    "mlp_ref.documents.d003_ee559_mlp",
    "mlp_ref.documents.d004_mlp_cnn_notes",
)
FIELDS = ("id", "source", "location", "statement", "kind", "documented", "computed", "verdict",
          "explanation", "findings", "severity", "same_fault_as")


def entries() -> list[Entry]:
    """All entries, grouped by document in the order of SOURCES, each in document order."""
    for module in DOCUMENT_MODULES:
        importlib.import_module(module)
    order = {s: i for i, s in enumerate(SOURCES)}
    return sorted(ENTRIES, key=lambda e: order[e.source])  # stable: keeps definition order


def get(entry_id: str) -> Entry:
    for e in entries():
        if e.id == entry_id:
            return e
    raise KeyError(f"no catalog entry {entry_id!r}")


def evaluate(selected=None) -> list[dict]:
    """Run every entry (or `selected`) and return catalog records with exactly FIELDS."""
    return [{k: rec[k] for k in FIELDS} for rec in (e.evaluate() for e in (selected or entries()))]


def ops() -> dict:
    entries()
    return dict(OPS)
