"""Generic catalog tests: every entry evaluates to a well-founded, computed verdict.

One test per kind of check, generated over every catalog entry; the expected verdicts and the roles
of documented numbers are declared by each document next to its entries (tests/expectations.py merges them). Document-specific checks stay in
tests/test_doc_d00*.py.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from catalog_records import ENTRIES, RECORDS  # the catalog evaluated once per session
from expectations import (CONVENTIONS, EXPECTED, INPUTS, MISMATCHED_NUMBERS, OTHER_READINGS, SAME_FAULT,
                               SEVERITY)
from mlp_ref import catalog
from mlp_ref.document_checks import check_mutation, is_number, perturbable, perturbed  # shared with the plugin
from mlp_ref.registry import KINDS, SEVERITIES, SOURCES, STATUSES, VERDICTS

IDS = [e.id for e in ENTRIES]


def _expected(verdict):
    return [e for e in ENTRIES if EXPECTED.get(e.id) == verdict]


def test_catalog_covers_every_document():
    assert {e.source for e in ENTRIES} == set(SOURCES)


def test_entries_are_grouped_in_document_order():
    order = [list(SOURCES).index(e.source) for e in ENTRIES]
    assert order == sorted(order)


def test_expected_table_lists_the_catalog_in_order():
    assert list(EXPECTED) == IDS


def test_each_document_has_its_own_id_prefix():
    prefixes = {s: {e.id.split("-")[0] for e in ENTRIES if e.source == s} for s in SOURCES}
    assert all(len(p) == 1 for p in prefixes.values()), prefixes
    assert len(set.union(*prefixes.values())) == len(SOURCES), prefixes


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_verdict(entry):
    rec = RECORDS[entry.id]
    assert rec["verdict"] == EXPECTED.get(entry.id), rec["explanation"]


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_entry_is_well_formed(entry):
    rec = RECORDS[entry.id]
    assert rec["verdict"] in VERDICTS
    assert entry.kind in KINDS
    assert entry.location.strip() and entry.statement.strip()
    if rec["verdict"] != "holds":
        assert rec["explanation"].strip(), "a verdict other than holds needs an explanation"
    if entry.corrected is not None:
        assert entry.corrected.fn == entry.op.fn, "as-written and corrected ops compute the same function"


def test_number_tables_name_documented_numbers():
    documented = {(e.id, k): t for e in ENTRIES for k, t in e.documented.items()}
    for pair in INPUTS | MISMATCHED_NUMBERS | set(OTHER_READINGS):
        assert pair in documented and is_number(documented[pair]), pair
    assert not INPUTS & MISMATCHED_NUMBERS
    assert set(OTHER_READINGS) <= MISMATCHED_NUMBERS
    assert set(CONVENTIONS) == {i for i, v in EXPECTED.items() if v == "convention"}


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_documented_values_are_checked(entry):
    findings = RECORDS[entry.id]["_findings"]
    for key, text in entry.documented.items():
        assert any(f.key == key or f.doc_key == key or f.detail.startswith(f"{key}:") for f in findings), \
            f"documented value {key}={text!r} is never compared with the computation"
        pair = (entry.id, key)
        if is_number(text):
            hits = [f for f in findings if f.detail.startswith(f"{key}: documented {text},")]
            statuses = {f.status for f in hits}
            if pair in INPUTS:  # an input need not be reproduced; where it is, it agrees
                assert statuses <= {"ok"}, [f.detail for f in hits]
                continue
            assert hits, f"documented {key} = {text} is not checked by Run.number"
            if pair in MISMATCHED_NUMBERS:
                assert statuses == ({"mismatch", "ok"} if pair in OTHER_READINGS else {"mismatch"}), \
                    [f.detail for f in hits]
            else:
                assert statuses == {"ok"}, [f.detail for f in hits]
        else:  # a documented expression or shape: checked by a finding of the same key
            hits = [f for f in findings if f.key == key or f.doc_key == key]
            assert hits, f"{key} = {text} is never checked"
            if EXPECTED.get(entry.id) == "holds":
                assert {f.status for f in hits} == {"ok"}, [f.detail for f in hits]


@pytest.mark.parametrize("entry", _expected("erratum"), ids=lambda e: e.id)
def test_errata_carry_a_corrected_form_that_holds(entry):
    rec = RECORDS[entry.id]
    assert entry.corrected_statement, "an erratum carries its corrected form"
    assert "Corrected:" in rec["explanation"]
    findings = rec["_findings"]
    assert any(f.status == "mismatch" for f in findings)
    assert any(f.corrected_ok for f in findings), "no computation shows that the corrected form holds"
    for f in findings:
        assert f.corrected_ok is not False, f.detail
        if f.status == "mismatch" and f.corrected_ok is None:
            # a mismatch without a checked correction: only a printed number the computation contradicts
            # (listed in MISMATCHED_NUMBERS), repaired by another finding's corrected form
            assert any((entry.id, k) in MISMATCHED_NUMBERS and f.detail.startswith(f"{k}: documented ")
                       for k in entry.documented), f.detail


@pytest.mark.parametrize("entry", _expected("incomplete"), ids=lambda e: e.id)
def test_incomplete_entries_say_what_is_missing(entry):
    rec = RECORDS[entry.id]
    missing = [f for f in rec["_findings"] if f.status == "missing"]
    assert missing and all(len(f.detail) > 80 for f in missing)
    assert all(f.detail in rec["explanation"] for f in missing)


@pytest.mark.parametrize("entry", _expected("cited"), ids=lambda e: e.id)
def test_cited_entries_say_plainly_what_is_not_checked(entry):
    findings = RECORDS[entry.id]["_findings"]
    cited = [f for f in findings if f.status == "cited"]
    assert cited and {f.status for f in findings} <= {"ok", "cited"}
    assert all("cited and not checked" in f.detail for f in cited)


@pytest.mark.parametrize("entry", _expected("convention"), ids=lambda e: e.id)
def test_conventions_name_the_convention(entry):
    findings = RECORDS[entry.id]["_findings"]
    assert {f.status for f in findings} == {"ok", "convention"}
    named = CONVENTIONS[entry.id]
    assert all(named in f.detail for f in findings if f.status == "convention"), named
    assert named in RECORDS[entry.id]["explanation"]


# ------------------------------------------------------------------ findings, severity, one fault once
@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_findings_are_records(entry):
    rec = RECORDS[entry.id]
    assert rec["findings"], "an entry records at least one finding"
    for f in rec["findings"]:
        assert set(f) >= {"key", "what", "documented", "computed", "status", "severity"}, f
        assert f["status"] in STATUSES and f["what"].strip()
        assert f["documented"] is None or f["documented"] in entry.documented.values()
        json.dumps(f)  # JSON-ready
        if f["status"] == "mismatch":
            assert f["severity"] in SEVERITIES and f["reason"].strip(), \
                f"a mismatch states its severity and a one-line reason: {f['evidence']}"
        else:
            assert f["severity"] is None


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_severity_is_the_worst_finding(entry):
    rec = RECORDS[entry.id]
    if rec["verdict"] != "erratum":
        assert rec["severity"] is None
        return
    worst = min((f["severity"] for f in rec["findings"] if f["status"] == "mismatch"), key=SEVERITIES.index)
    assert rec["severity"] == worst


def test_severity_and_same_fault_tables_match_the_catalog():
    assert {i: r["severity"] for i, r in RECORDS.items() if r["verdict"] == "erratum"} == SEVERITY
    assert {e.id: e.same_fault_as for e in ENTRIES if e.same_fault_as} == SAME_FAULT


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.same_fault_as], ids=lambda e: e.id)
def test_a_shared_fault_points_to_its_owner(entry):
    owner = RECORDS[entry.same_fault_as]
    assert owner["same_fault_as"] is None and owner["verdict"] != "holds", owner["id"]
    rec = RECORDS[entry.id]
    assert rec["verdict"] in ("erratum", "convention", "holds")
    assert rec["same_fault_as"] == (entry.same_fault_as if rec["verdict"] != "holds" else None)


TABLES = {"INPUTS": INPUTS, "MISMATCHED_NUMBERS": MISMATCHED_NUMBERS}
MUTABLE = [e for e in ENTRIES if perturbable(e, TABLES)]


@pytest.mark.parametrize("how", ["scale", "sign"])
@pytest.mark.parametrize("entry", MUTABLE, ids=lambda e: e.id)
def test_a_perturbed_documented_number_turns_its_finding_red(entry, how):
    check_mutation(entry, TABLES, how)  # the same check the document-package plugin runs


def test_perturbation_moves_every_kind_of_number():
    assert perturbed("0.00", "scale") == "0.05" and perturbed("0.00", "sign") == "-0.05"
    assert perturbed("0.01", "scale") == "0.06" and perturbed("-4", "sign") == "4"
    assert perturbed("90", "scale") == "135" and perturbed("0.98", "scale") == "1.47"


def test_close_refuses_to_compare_a_value_with_itself():
    from mlp_ref.registry import Run
    a = np.arange(3.0)
    with pytest.raises(ValueError, match="could not fail"):
        Run({}).close("self", a, a)
    with pytest.raises(ValueError, match="could not fail"):
        Run({}).close("view", a[:], a)


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
