"""The generic checks of one document's entries against its declared expected verdicts.

Used by the pytest plugin for document packages (`mlp_ref.document_plugin`): each function raises
AssertionError with the evidence, or returns. `tables` are the expected-verdict tables a document
package declares (`mlp_ref.packages.expectations`): EXPECTED {id: verdict}, INPUTS and
MISMATCHED_NUMBERS {(id, documented key)}, OTHER_READINGS {(id, key): reading}, CONVENTIONS
{id: the convention's name}, SEVERITY {id: severity of an erratum}, SAME_FAULT {id: owner id}.
"""
from __future__ import annotations

from .registry import SEVERITIES, parse_documented, printed_decimals


def is_number(text: str) -> bool:
    """Is a documented text a plain printed number ("0.98", "−4")?"""
    try:
        printed_decimals(text)
        return True
    except ValueError:
        return False


def perturbed(text: str, how: str) -> str:
    """A documented number moved far outside its printed precision: scaled by 1.5 or sign-flipped."""
    digits, v = printed_decimals(text), parse_documented(text)
    unit = 10.0 ** -digits
    if how == "scale":
        new = v * 1.5 if abs(v * 0.5) >= 2 * unit else v + 5 * unit
    else:
        new = -v if v else -5 * unit
    return f"{new:.{digits}f}"


def check_table(entries, tables) -> None:
    """EXPECTED names exactly these entries, in document order; the other tables name known ids."""
    ids = [e.id for e in entries]
    listed = list(tables["EXPECTED"])
    missing, extra = [i for i in ids if i not in listed], [i for i in listed if i not in ids]
    assert not missing and not extra, (f"EXPECTED must list every entry: missing {missing} "
                                       f"(add 'id': 'verdict'), unknown {extra}")
    assert listed == ids, f"EXPECTED is not in document order: {listed} vs {ids}"
    documented = {(e.id, k): t for e in entries for k, t in e.documented.items()}
    for pair in set(tables["INPUTS"]) | set(tables["MISMATCHED_NUMBERS"]) | set(tables["OTHER_READINGS"]):
        assert pair in documented and is_number(documented[pair]), f"{pair} names no documented number"
    conventions = {i for i, v in tables["EXPECTED"].items() if v == "convention"}
    assert set(tables["CONVENTIONS"]) == conventions, "CONVENTIONS must name every convention entry's convention"


def check_verdict(entry, rec, tables) -> None:
    """The computed verdict (and an erratum's severity, one fault's owner) is the expected one."""
    expected = tables["EXPECTED"].get(entry.id)
    assert expected is not None, f"{entry.id}: no expected verdict; add {entry.id!r}: {rec['verdict']!r} to EXPECTED"
    assert rec["verdict"] == expected, f"{entry.id}: computed {rec['verdict']}, expected {expected}: {rec['explanation']}"
    if expected == "erratum" and entry.id in tables["SEVERITY"]:
        assert rec["severity"] == tables["SEVERITY"][entry.id], f"{entry.id}: severity {rec['severity']}"
    assert entry.same_fault_as == tables["SAME_FAULT"].get(entry.id), f"{entry.id}: same_fault_as {entry.same_fault_as}"
    for f in rec["findings"]:
        if f["status"] == "mismatch":
            assert f["severity"] in SEVERITIES and f["reason"].strip(), \
                f"{entry.id}: a mismatch states its severity and a one-line reason: {f['evidence']}"


def check_erratum(entry, rec, tables) -> None:
    """An erratum carries a corrected form, and the computation shows that it holds."""
    assert entry.corrected_statement, f"{entry.id}: an erratum carries its corrected form (corrected_statement=)"
    findings = rec["_findings"]
    assert any(f.status == "mismatch" for f in findings)
    for f in findings:
        assert f.corrected_ok is not False, f"{entry.id}: the corrected form does not hold: {f.detail}"
    mismatched = set(tables["MISMATCHED_NUMBERS"])
    assert any(f.corrected_ok for f in findings) or any((entry.id, k) in mismatched for k in entry.documented), \
        f"{entry.id}: no computation shows that the corrected form holds"


def check_convention(entry, rec, tables) -> None:
    """A convention entry names its convention in every convention finding."""
    named = tables["CONVENTIONS"][entry.id]
    for f in rec["_findings"]:
        if f.status == "convention":
            assert named in f.detail, f"{entry.id}: {named!r} is not named in {f.detail!r}"


def check_documented(entry, rec, tables) -> None:
    """Every documented value is compared with the computation; a printed number agrees unless the
    tables list it as an input or as a number the computation contradicts."""
    findings = rec["_findings"]
    inputs, mismatched = set(tables["INPUTS"]), set(tables["MISMATCHED_NUMBERS"])
    for key, text in entry.documented.items():
        hits = [f for f in findings if f.doc_key == key or f.key == key]
        assert hits, f"{entry.id}: documented {key} = {text!r} is never compared with the computation"
        if is_number(text) and (entry.id, key) not in inputs:
            statuses = {f.status for f in hits}
            want = {"mismatch"} if (entry.id, key) in mismatched else {"ok"}
            if (entry.id, key) in tables["OTHER_READINGS"]:
                want = {"mismatch", "ok"}
            assert statuses == want, f"{entry.id}: documented {key} = {text}: " + "; ".join(f.detail for f in hits)


def perturbable(entry, tables) -> list[str]:
    """The documented numbers of `entry` that are results the computation reproduces."""
    skip = set(tables["INPUTS"]) | set(tables["MISMATCHED_NUMBERS"])
    return [k for k, t in entry.documented.items() if is_number(t) and (entry.id, k) not in skip]


def check_mutation(entry, tables, how: str) -> None:
    """Every reproduced documented number, perturbed (`how`: "scale" or "sign"), turns its finding red."""
    keys = perturbable(entry, tables)
    mutated = {k: perturbed(t, how) if k in keys else t for k, t in entry.documented.items()}
    rec = entry.evaluate(documented=mutated)
    for k in keys:
        hits = [f for f in rec["_findings"] if f.doc_key == k]
        assert hits, f"{entry.id}: documented {k} is checked by no finding"
        assert all(f.status == "mismatch" for f in hits), \
            f"{entry.id}: printed {entry.documented[k]!r} perturbed to {mutated[k]!r}, yet " + \
            "; ".join(f.detail for f in hits if f.status != "mismatch")
