"""The expected-verdict tables of every installed document, merged through one function.

A document package declares its own tables (`mlp_ref.packages.expectations`: the module named by
`document(..., expected=...)`, or the document module itself when it defines EXPECTED). The
built-in documents that declare none yet read theirs from tests/expected_verdicts.py. The
module-level names (EXPECTED, INPUTS, ...) are the merged tables, in catalog order; ids of
tests/expected_verdicts.py that no installed document has come last, so that the order test names them.
"""
from __future__ import annotations

import expected_verdicts as built_in
from mlp_ref import catalog, packages

TABLES = packages.EXPECTED_TABLES


def _empty(table):
    return set() if isinstance(getattr(built_in, table, {}), set) else {}


def tables() -> dict:
    """{table name: merged table} over every installed document, EXPECTED in catalog order."""
    entries = catalog.entries()
    merged = {t: _empty(t) for t in TABLES}
    used = set()
    for doc in catalog.documents():
        ids = [e.id for e in entries if e.source == doc.source]
        own = packages.expectations(doc)
        if own is None:  # still in tests/expected_verdicts.py
            own = {t: _subset(getattr(built_in, t, _empty(t)), set(ids)) for t in TABLES}
            used |= set(own["EXPECTED"])
        for t in TABLES:
            merged[t] = merged[t] | set(own[t]) if isinstance(merged[t], set) else {**merged[t], **own[t]}
    for i, v in built_in.EXPECTED.items():
        if i not in used and i not in merged["EXPECTED"]:
            merged["EXPECTED"][i] = v
    return merged


def _subset(table, ids):
    """The rows of one table that belong to the entries `ids` (keys are ids or (id, key) pairs)."""
    def mine(k):
        return (k[0] if isinstance(k, tuple) else k) in ids
    return {k for k in table if mine(k)} if isinstance(table, set) else {k: v for k, v in table.items() if mine(k)}


_T = tables()
EXPECTED, INPUTS, MISMATCHED_NUMBERS, OTHER_READINGS, CONVENTIONS, SEVERITY, SAME_FAULT = (_T[t] for t in TABLES)
