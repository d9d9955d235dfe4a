"""The errata sheet of the five documents: what an author would receive, for the cases the review named."""
from __future__ import annotations

import types

import pytest

from catalog_records import public_records
from mlp_ref.registry import SOURCES
from reports import errata


@pytest.fixture(scope="module")
def sheet():
    """The records, by id, the errata sheet and its items {id: (source, severity, item)}."""
    records = public_records()
    blocks = errata.sheet(records, dict(SOURCES))
    items = {it["id"]: (block["source"], severity, it) for block in blocks
             for severity in ("error", "slip", "transcription") for it in block[severity]}
    return types.SimpleNamespace(records=records, by_id={r["id"]: r for r in records}, blocks=blocks, items=items)


@pytest.mark.parametrize("entry_id,severity", [
    ("cos324-ex-11.2.3", "error"),      # 4.02 is -log o-hat_3; the printed expression is 0.018
    ("cos324-prob-11.4.8", "error"),    # g(W h) for g(f(W h)) gives a wrong derivative
    ("cos324-eq-11.19", "slip"),        # only the first line drops the d/dz; sigma(1 - sigma) holds
    ("cos324-ex-11.1.2", "slip"),       # -4, 8, 4 and 0.98 hold; only the figure number is wrong
])
def test_named_errata_have_their_severity(entry_id, severity, sheet):
    assert sheet.by_id[entry_id]["verdict"] == "erratum"
    assert sheet.by_id[entry_id]["severity"] == severity
    assert sheet.items[entry_id][1] == severity


def test_what_holds_in_a_slip_is_visible(sheet):
    rec = sheet.by_id["cos324-eq-11.19"]
    statuses = [f["status"] for f in rec["findings"]]
    assert statuses.count("mismatch") == 1 and statuses.count("ok") >= 3
    ex = sheet.by_id["cos324-ex-11.1.2"]
    numbers = [f for f in ex["findings"] if f["documented"] in ("-4", "8", "4", "0.98")]
    assert numbers and all(f["status"] == "ok" for f in numbers)


def test_the_toy_example_cos_90_is_an_error(sheet):
    errors = [it for it in sheet.items.values() if it[2]["id"].startswith("tum7-toy")]
    assert any(sev == "error" for _, sev, _ in errors), [(i["id"], s) for _, s, i in errors]


def test_the_missing_hat_is_counted_once(sheet):
    owner, repeat = sheet.by_id["cos324-eq-11.14-revisited"], sheet.by_id["cos324-alg-full-backprop"]
    assert owner["same_fault_as"] is None and repeat["same_fault_as"] == owner["id"]
    assert "cos324-alg-full-backprop" not in sheet.items
    assert {"id": repeat["id"], "location": repeat["location"]} in sheet.items[owner["id"]][2]["also_at"]


def test_every_erratum_owner_is_on_the_sheet_once_in_document_order(sheet):
    owners = [r["id"] for r in sheet.records if r["verdict"] == "erratum" and not r["same_fault_as"]]
    assert sorted(owners) == sorted(sheet.items)
    for block in sheet.blocks:
        for severity in ("error", "slip", "transcription"):
            ids = [it["id"] for it in block[severity]]
            assert ids == [r["id"] for r in sheet.records if r["id"] in ids], "document order within a section"
        assert not block["unrated"]


def test_transcription_damage_names_its_evidence(sheet):
    damaged = [it for _, sev, it in sheet.items.values() if sev == "transcription"]
    assert damaged, "the review found extraction damage in at least one copy"
    for it in damaged:
        assert it["reason"], it["id"]


def test_errata_markdown_for_one_document(sheet):
    text = errata.to_markdown(errata.sheet(sheet.records, {s: t for s, t in SOURCES.items() if s.startswith("002")}))
    assert text.index("### Errors") < text.index("### Slips")
    assert "Example 11.2.3" in text and "4.02" in text
    assert "tum7-" not in text
