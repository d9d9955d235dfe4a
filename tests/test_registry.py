"""The verdict machinery itself: rounding rule, findings, derived verdicts."""
from __future__ import annotations

import numpy as np
import pytest

from mlp_ref.registry import Finding, Run, derive_verdict, printed_decimals, rounded_match


@pytest.mark.parametrize("doc,value,ok", [
    ("0.98", 0.98201, True), ("0.02", 0.01799, True), ("0.00", 6.1e-6, True), ("4.02", 0.0181, False),
    ("90", 89.937, True), ("16", 16.0, True), ("-4", -4.0, True), ("-2", -2.5006, False),
    # a printed integer is a value, not a rounding to units: within 1% of it, and 0 only for ~0
    ("0", -0.38, False), ("0", 0.4, False), ("0", 1e-17, True), ("0", -1e-8, False), ("1", 0.924, False),
    ("1", 0.894, False), ("2", 2.164, False), ("1", 0.995, True), ("100", 99.0, True), ("100", 98.9, False),
    # with decimals the printed precision decides
    ("0.0", -0.04, True), ("0.0", -0.06, False), ("2.2", 2.164, True), ("8.00", 8.004999, True),
    ("8.00", 8.0051, False), ("−0.38", -0.38, True),
])
def test_rounded_match(doc, value, ok):
    assert rounded_match(doc, value)[0] is ok


@pytest.mark.parametrize("doc,value,approx,ok", [
    ("80", 78.0, 0.05, True), ("80", 75.0, 0.05, False), ("0", 0.0, 0.1, True), ("2", 2.164, 0.1, True),
])
def test_rounded_match_with_a_stated_approximation(doc, value, approx, ok):
    assert rounded_match(doc, value, approx)[0] is ok


@pytest.mark.parametrize("approx", [0.0, 1.0, -0.1, 5, "5%"])
def test_rounded_match_rejects_a_bad_approximation(approx):
    with pytest.raises(ValueError, match="approx"):
        rounded_match("80", 80.0, approx)


def test_printed_decimals_rejects_non_numbers():
    assert printed_decimals("4.020") == 3
    with pytest.raises(ValueError, match="not a plain decimal"):
        printed_decimals("about 4")


def test_derive_verdict_priority():
    f = lambda s: Finding("k", s, "d")  # noqa: E731
    assert derive_verdict([f("ok")]) == "holds"
    assert derive_verdict([f("ok"), f("convention")]) == "convention"
    assert derive_verdict([f("convention"), f("mismatch")]) == "erratum"
    assert derive_verdict([f("mismatch"), f("missing")]) == "incomplete"
    assert derive_verdict([f("ok"), f("cited")]) == "cited"
    assert derive_verdict([f("cited"), f("convention")]) == "convention"
    with pytest.raises(ValueError):
        derive_verdict([])


def test_close_detects_layout_convention_and_shape_errors():
    r = Run({})
    A = np.arange(6.0).reshape(2, 3)
    assert r.close("same", A.copy(), A) == "ok"
    assert r.close("transposed", A.T, A, layout="denominator layout") == "convention"
    assert r.close("transposed, no layout allowed", A.T, A) == "mismatch"

    def shape_error():
        raise ValueError("matmul: shapes (1,3) and (1,2) not aligned")

    assert r.close("unevaluable", shape_error, A, corrected=A) == "mismatch"
    assert r.findings[-1].corrected_ok is True
    assert r.close("wrong", A + 1, A, corrected=A + 1) == "mismatch"
    assert r.findings[-1].corrected_ok is False


def test_number_records_the_computed_value():
    r = Run({"p": "0.98"})
    assert r.number("p", 0.9820137900379085)
    assert r.computed["p"] == pytest.approx(0.98201379)


def test_a_corrected_form_that_cannot_be_evaluated_is_a_failed_correction():
    def bad():
        raise ValueError("shapes (2,3) and (2,) do not conform")

    r = Run({})
    assert r.close("k", np.ones(2), np.zeros(2), corrected=bad, severity="error", why="w") == "mismatch"
    assert r.findings[-1].corrected_ok is False and "cannot be evaluated either" in r.findings[-1].detail


def test_severity_is_kept_only_on_a_mismatch_and_needs_a_reason():
    r = Run({"p": "0.98"})
    r.number("p", 0.98, severity="error", why="wrong loss")
    assert r.findings[-1].severity is None
    r.number("p", 0.5, severity="slip", why="a typo")
    assert (r.findings[-1].severity, r.findings[-1].reason) == ("slip", "a typo")
    with pytest.raises(ValueError, match="why"):
        r.number("p", 0.5, severity="slip")
    with pytest.raises(ValueError, match="severity"):
        r.number("p", 0.5, severity="fatal", why="x")
