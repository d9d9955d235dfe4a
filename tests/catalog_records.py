"""The catalog evaluated once per test session, shared by the catalog and errata tests. Each entry
is evaluated on first use (not at import), so collecting the suite, on each pytest-xdist worker,
evaluates nothing and a worker evaluates only the entries its tests read."""
from __future__ import annotations

import functools
from collections.abc import Mapping

from mlp_ref import catalog

ENTRIES = catalog.entries()


class _Records(Mapping):
    """{entry id: Entry.evaluate()}: full records, with the Finding objects under "_findings"."""

    def __init__(self, entries):
        self._entries = {e.id: e for e in entries}
        self._done: dict[str, dict] = {}

    def __getitem__(self, entry_id: str) -> dict:
        if entry_id not in self._done:
            self._done[entry_id] = self._entries[entry_id].evaluate()
        return self._done[entry_id]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


RECORDS = _Records(ENTRIES)


@functools.cache
def public_records() -> list[dict]:
    """The records as `mlp-ref catalog --json` prints them, plus corrected_statement (as results.json has)."""
    out = []
    for e in ENTRIES:
        rec = {k: RECORDS[e.id][k] for k in catalog.FIELDS}
        rec["corrected_statement"] = e.corrected_statement
        out.append(rec)
    return out
