"""Generic catalog tests: every entry evaluates to a well-founded, computed verdict."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlp_ref import catalog
from mlp_ref.registry import KINDS, SOURCES, VERDICTS

ENTRIES = catalog.entries()
RECORDS = {e.id: e.evaluate() for e in ENTRIES}


def test_catalog_covers_every_document():
    assert {e.source for e in ENTRIES} == set(SOURCES)


def test_entries_are_grouped_in_document_order():
    order = [list(SOURCES).index(e.source) for e in ENTRIES]
    assert order == sorted(order)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_entry_is_well_formed(entry):
    rec = RECORDS[entry.id]
    assert rec["verdict"] in VERDICTS
    assert entry.kind in KINDS
    assert entry.location.strip() and entry.statement.strip()
    if rec["verdict"] != "holds":
        assert rec["explanation"].strip(), "a verdict other than holds needs an explanation"
    findings = rec["_findings"]
    for key, doc in entry.documented.items():
        assert any(f.key == key or f.detail.startswith(f"{key}:") for f in findings), \
            f"documented value {key}={doc!r} is never compared with the computation"
    if rec["verdict"] == "erratum":
        assert entry.corrected_statement, "an erratum carries its corrected form"
        mism = [f for f in findings if f.status == "mismatch"]
        assert all(f.corrected_ok is not False for f in mism), "the corrected form must hold"
    if entry.corrected is not None:
        assert entry.corrected.fn == entry.op.fn, "as-written and corrected ops compute the same function"


def test_erratum_corrections_are_checked_somewhere():
    errata = [e for e in ENTRIES if RECORDS[e.id]["verdict"] == "erratum"]
    assert errata, "the documents contain errata; the catalog should find some"
    for e in errata:
        mism = [f for f in RECORDS[e.id]["_findings"] if f.status == "mismatch"]
        assert any(f.corrected_ok for f in mism) or e.corrected is not None, (
            f"{e.id}: no computation shows that the corrected form holds")


def test_ids_are_unique_and_readable():
    ids = [e.id for e in ENTRIES]
    assert len(ids) == len(set(ids))
    assert all(i == i.strip() and " " not in i for i in ids)


def test_evaluation_is_deterministic():
    first = catalog.evaluate(ENTRIES)
    second = catalog.evaluate(ENTRIES)
    assert json.dumps(first, sort_keys=True, default=str) == json.dumps(second, sort_keys=True, default=str)


def test_cli_catalog_json_has_exactly_the_fields():
    out = subprocess.run([sys.executable, "-m", "mlp_ref.cli", "catalog", "--json"],
                         capture_output=True, text=True, check=True).stdout
    records = json.loads(out)
    assert [r["id"] for r in records] == [e.id for e in ENTRIES]
    for r in records:
        assert tuple(r) == catalog.FIELDS
        assert r["verdict"] == RECORDS[r["id"]]["verdict"]


def test_cli_catalog_table_lists_every_entry():
    out = subprocess.run([sys.executable, "-m", "mlp_ref.cli", "catalog"],
                         capture_output=True, text=True, check=True).stdout
    for e in ENTRIES:
        assert e.id[:34] in out
    assert f"{len(ENTRIES)} entries" in out


def test_mlp_ref_imports_only_numpy():
    code = ("import sys, mlp_ref, mlp_ref.catalog; mlp_ref.catalog.entries();"
            "bad=[m for m in sys.modules if m.split('.')[0] in ('torch','jax','jaxlib','scipy','jinja2','matplotlib')];"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
