"""`mlp-ref catalog` and `mlp-ref errata`: filters, one entry, the errata sheet, exit status 2 on bad input."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlp_ref import catalog
from reports import errata

ENTRIES = catalog.entries()


def cli(*args):
    return subprocess.run([sys.executable, "-m", "mlp_ref.cli", *args], capture_output=True, text=True)


# ------------------------------------------------------------------------------- the errata sheet
def _rec(id, location, severity, *, source="a.txt", same=None, verdict="erratum", corrected="c"):
    findings = [{"key": "k", "what": "w", "documented": "4.02", "computed": 0.02, "status": "mismatch",
                 "severity": severity, "reason": f"why {severity}", "evidence": f"evidence of {id}"},
                {"key": "ok", "what": "w", "documented": None, "computed": 1, "status": "ok", "severity": None,
                 "reason": "", "evidence": "agrees"}]
    return {"id": id, "source": source, "location": location, "statement": f"statement {id}",
            "verdict": verdict, "severity": severity if verdict == "erratum" else None, "same_fault_as": same,
            "findings": findings, "explanation": f"x. Corrected: {corrected}"}


RECORDS = [
    _rec("a-1", "(1)", "slip"), _rec("a-2", "(2)", "error"), _rec("a-3", "(3)", "transcription"),
    _rec("a-4", "(4)", "error", same="a-2"), _rec("a-5", "(5)", None, verdict="holds"),
    _rec("b-1", "(1)", "slip", source="b.txt"),
]
SOURCES = {"a.txt": "Doc A", "b.txt": "Doc B", "c.txt": "Doc C"}


def test_sheet_orders_errors_slips_transcription_and_counts_each_fault_once():
    a, b = errata.sheet(RECORDS, SOURCES)  # Doc C has no errata: no block
    assert (a["title"], b["title"]) == ("Doc A", "Doc B")
    assert [i["id"] for i in a["error"]] == ["a-2"] and [i["id"] for i in a["slip"]] == ["a-1"]
    assert [i["id"] for i in a["transcription"]] == ["a-3"]
    assert a["error"][0]["also_at"] == [{"id": "a-4", "location": "(4)"}]
    assert a["faults"] == 3 and errata.counts([a, b]) == {"error": 1, "slip": 2, "transcription": 1}
    assert a["error"][0]["corrected"] == "c" and a["error"][0]["evidence"] == "evidence of a-2"


def test_markdown_puts_errors_first_and_transcription_apart():
    md = errata.to_markdown(errata.sheet(RECORDS, SOURCES))
    assert md.index("### Errors") < md.index("### Slips") < md.index("### Possible damage in this copy")
    assert md.index("## Doc A") < md.index("## Doc B")
    assert "The same fault also at: (4) (`a-4`)" in md
    assert "statement a-5" not in md  # holds: not an erratum


def test_html_sheet_is_self_contained():
    page = errata.to_html(errata.sheet(RECORDS, SOURCES))
    assert page.startswith("<!doctype html>") and "<script" not in page and "http" not in page
    assert page.index("Errors") < page.index("Slips") and "id='errata-a-2'" in page


def test_one_line_cuts_at_a_word():
    assert errata.one_line("a  b\n c") == "a b c"
    cut = errata.one_line("word " * 100, 30)
    assert len(cut) <= 32 and cut.endswith("…")


def test_an_empty_sheet_says_so():
    assert "No errata" in errata.to_markdown([])


# ---------------------------------------------------------------------------------------- the CLI
def test_catalog_table_has_severity_summary_and_fault_counts():
    out = cli("catalog", "--source", "fau")
    assert out.returncode == 0, out.stderr
    assert "severity" in out.stdout and "summary" in out.stdout
    ids = [e.id for e in ENTRIES if e.source.startswith("000")]
    assert all(i[:34] in out.stdout for i in ids)
    assert not any(e.id in out.stdout for e in ENTRIES if not e.source.startswith("000"))
    assert f"{len(ids)} entries" in out.stdout and "faults, each counted once" in out.stdout


def test_catalog_verdict_filter():
    out = cli("catalog", "--source", "002", "--verdict", "erratum", "--json")
    recs = json.loads(out.stdout)
    assert recs and {r["verdict"] for r in recs} == {"erratum"} and {r["source"][:3] for r in recs} == {"002"}


def test_catalog_one_entry_with_findings():
    out = cli("catalog", "cos324-eq-11.19")
    assert out.returncode == 0, out.stderr
    assert "findings:" in out.stdout and "line 1" in out.stdout and "MISMATCH" in out.stdout
    rec = json.loads(cli("catalog", "cos324-eq-11.19", "--json").stdout)
    assert rec["id"] == "cos324-eq-11.19" and rec["findings"]


@pytest.mark.parametrize("args,message", [
    (("catalog", "cos324-eq-11.91"), "did you mean cos324-eq-11.9"),
    (("catalog", "--verdict", "erratm"), "did you mean erratum"),
    (("catalog", "--source", "cos"), "did you mean cos324"),
    (("errata", "--source", "nope.txt"), "--source: no document"),
    (("errata", "--from", "/no/such/results.json"), "cannot read"),
])
def test_bad_ids_and_filters_exit_2_with_a_suggestion(args, message):
    out = cli(*args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_errata_command_writes_markdown_and_html(tmp_path):
    md = cli("errata", "--source", "cos324")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# Errata") and "COS 324" in md.stdout and "FAU" not in md.stdout
    out = tmp_path / "errata.html"
    html = cli("errata", "--format", "html", "--out", str(out))
    assert html.returncode == 0, html.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "wrote" in html.stderr


def test_errata_from_catalog_json_needs_no_checks(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(cli("catalog", "--source", "002", "--json").stdout, encoding="utf-8")
    out = cli("errata", "--from", str(path), "--source", "002")
    assert out.returncode == 0, out.stderr
    assert "Example 11.2.3" in out.stdout and "Corrected:" in out.stdout
