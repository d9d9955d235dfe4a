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


# ------------------------------------------------------------------ moving the built-ins' tables
def built_in_blocks() -> dict:
    """{document module path: the block of its expected-verdict tables}, cut line by line from
    tests/expected_verdicts.py (comments on a row are kept), to be appended at the bottom of each
    built-in document module; the module then declares its own tables like any document package."""
    import ast
    import re
    from pathlib import Path

    path = Path(built_in.__file__)
    lines = path.read_text(encoding="utf-8").splitlines()
    owner = {e.id: e.source for e in catalog.entries()}
    docs = {d.source: d for d in catalog.documents() if d.package == "mlp-ref"}
    rows = {s: {t: [] for t in TABLES} for s in docs}
    for node in ast.parse("\n".join(lines)).body:
        target = node.targets[0].id if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) \
            else None
        if target not in TABLES:
            continue
        current = None
        for line in lines[node.lineno:node.end_lineno - 1]:
            m = re.search(r'"([^"]+)"', line)
            if m and m.group(1) in owner:
                current = owner[m.group(1)]
            elif not line.strip() or line.strip().startswith("#"):
                continue  # a document's heading comment
            if current in rows:  # a row, or the continuation of the row above
                rows[current][target].append(line)
    blocks = {}
    for source, tables_ in rows.items():
        out = ["", "", "# " + "-" * 78 + " expected verdicts",
               "# What the computation must derive, in document order (moved from tests/expected_verdicts.py)."]
        for t in TABLES:
            empty = "set()" if isinstance(getattr(built_in, t), set) else "{}"
            if tables_[t]:
                out += [f"{t} = {{"] + tables_[t] + ["}"]
            else:
                out.append(f"{t} = {empty}")
        module = docs[source].module
        blocks[str(Path(*module.split(".")).with_suffix(".py"))] = "\n".join(out) + "\n"
    return blocks


def move_built_in(root=None) -> list:
    """Append each built-in document's tables to its module (run once, from the repository root);
    afterwards delete tests/expected_verdicts.py and the fallback in `tables()`."""
    from pathlib import Path

    root = Path(root or Path(__file__).resolve().parents[1])
    done = []
    for rel, block in built_in_blocks().items():
        path = root / rel
        text = path.read_text(encoding="utf-8")
        if "\nEXPECTED = {" in text:
            raise ValueError(f"{rel} already defines EXPECTED")
        path.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")
        done.append(rel)
    return done
