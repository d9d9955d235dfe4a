"""The catalog evaluated once per test session, shared by the catalog and errata tests."""
from __future__ import annotations

from mlp_ref import catalog

ENTRIES = catalog.entries()
RECORDS = {e.id: e.evaluate() for e in ENTRIES}  # full records, with the Finding objects under "_findings"


def public_records() -> list[dict]:
    """The records as `mlp-ref catalog --json` prints them, plus corrected_statement (as results.json has)."""
    out = []
    for e in ENTRIES:
        rec = {k: RECORDS[e.id][k] for k in catalog.FIELDS}
        rec["corrected_statement"] = e.corrected_statement
        out.append(rec)
    return out
