"""The expected-verdict tables of every installed document, merged through one function.

Each document declares its own tables (EXPECTED, INPUTS, MISMATCHED_NUMBERS, OTHER_READINGS,
CONVENTIONS, SEVERITY, SAME_FAULT) next to its entries, in its module or in the module named by
`document(..., expected=...)`; `mlp_ref.packages.expectations` reads them. The module-level names
here are the merged tables, EXPECTED in catalog order.
"""
from __future__ import annotations

from mlp_ref import catalog, packages

TABLES = packages.EXPECTED_TABLES
SET_TABLES = ("INPUTS", "MISMATCHED_NUMBERS")


def tables() -> dict:
    """{table name: merged table} over every installed document, EXPECTED in catalog order."""
    merged = {t: set() if t in SET_TABLES else {} for t in TABLES}
    for doc in catalog.documents():
        own = packages.expectations(doc)
        if own is None:
            raise LookupError(f"document {doc.source}: declares no expected-verdict tables (EXPECTED, ...)")
        for t in TABLES:
            merged[t] = merged[t] | set(own[t]) if t in SET_TABLES else {**merged[t], **own[t]}
    return merged


_T = tables()
EXPECTED, INPUTS, MISMATCHED_NUMBERS, OTHER_READINGS, CONVENTIONS, SEVERITY, SAME_FAULT = (_T[t] for t in TABLES)
