"""Document 004 (MLPs + CNNs notes): document-specific checks (the generic ones: test_catalog, test_ops)."""
from __future__ import annotations

import numpy as np
import pytest

from catalog_records import RECORDS as CATALOG  # the catalog evaluated once per session
from mlp_ref import activations as act
from mlp_ref import catalog, linear, linear_backward, relu_grad
from mlp_ref.documents import d004_mlp_cnn_notes as d004

ENTRIES = [e for e in catalog.entries() if e.source == d004.SRC]
RECORDS = CATALOG  # evaluated entry by entry, on first use


def test_relu_kink_convention():
    assert RECORDS["mlpcnn-relu-layer"]["computed"]["derivative at 0 as written"] == 1.0
    assert relu_grad(np.array([0.0]))[0] == 0.0  # the reference default, as torch and JAX


def test_matrix_picture_erratum_and_its_correction():
    entry = catalog.get("mlpcnn-fc-forward-matrix")
    rec = RECORDS[entry.id]
    mism = [f for f in rec["_findings"] if f.status == "mismatch"]
    assert len(mism) == 1 and mism[0].corrected_ok is True
    assert "w_{C_2} →]" in entry.statement and "w_{C_2}^T →]" in entry.corrected_statement
    assert "cannot be evaluated" in mism[0].detail
    assert rec["severity"] == "slip" and "superscript T" in mism[0].reason


def test_documented_row_shape_reproduced():
    rec = RECORDS["mlpcnn-fc-backward-b"]
    assert rec["documented"] == {"h^{(l-1)T}": r"1 \times n"}
    assert rec["computed"]["h^{(l-1)T}"] is True
    assert rec["computed"]["dh_i^l/dw_i shape (central differences)"] == [1, 4]


@pytest.mark.parametrize("entry_id", ["mlpcnn-module-abstract", "mlpcnn-module-concrete", "mlpcnn-fc-backward-a"])
def test_row_layout_holds_and_is_named(entry_id):
    rec = RECORDS[entry_id]
    assert rec["verdict"] == "holds" and "numerator layout" in rec["explanation"]
    assert all(v == "undefined" for v in rec["computed"]["dL/d(out) as a column, left of the Jacobian"].values())


def test_module_checks_can_fail():
    from mlp_ref.registry import Run
    r = Run({})
    d004._check_module(r, "out", "in", act.tanh, lambda a: 2 * act.tanh_grad(a), seed=40)  # a wrong derivative
    assert {f.key for f in r.findings if f.status == "mismatch"} >= {"(a)", "(b)"}


def test_column_intuition_misses_the_drawing():
    f, = RECORDS["mlpcnn-column-intuition"]["_findings"]
    assert f.status == "missing" and "drawing" in f.detail


def test_fc_functions_agree_with_the_reference_layer():
    rng = np.random.default_rng(0)
    W, h, g = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=3)
    np.testing.assert_allclose(d004.fc_forward_sum(W, h), linear(W, h), rtol=1e-13, atol=1e-14)
    ref = linear_backward(g, W, h)
    np.testing.assert_allclose(d004.fc_backward_a(g, W), ref["x"], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(d004.fc_backward_b(g, h), ref["W"], rtol=1e-13, atol=1e-14)
    assert d004.fc_backward_a(g[None, :], W).shape == (1, 5)  # a row in, a row out


@pytest.mark.parametrize("call, arg", [
    (lambda: d004.fc_forward_sum(np.ones((2, 3)), np.ones(4)), "h"),
    (lambda: d004.fc_forward_sum(np.ones(3), np.ones(3)), "W"),
    (lambda: d004.fc_forward_sum(np.ones((2, 3), dtype=int), np.ones(3)), "W"),
    (lambda: d004.fc_forward_sum(np.ones((2, 3)), np.array([1.0, np.inf, 0.0])), "h"),
    (lambda: d004.fc_forward_sum(np.ones((2, 3), np.float32), np.ones(3)), "dtype"),
    (lambda: d004.fc_backward_a(np.ones(3), np.ones((2, 3))), "dL_dh"),
    (lambda: d004.fc_backward_a(np.ones((1, 1, 2)), np.ones((2, 3))), "dL_dh"),
    (lambda: d004.fc_backward_a(np.ones(2), np.ones(2)), "W"),
    (lambda: d004.fc_backward_b(np.ones((2, 1)), np.ones(3)), "dL_dh"),
    (lambda: d004.fc_backward_b(np.ones(2), [[1.0]]), "h"),
    (lambda: d004.fc_backward_b(np.ones(2), "abc"), "h"),
    (lambda: d004.relu_backward_as_written(np.ones(3), np.ones(4)), "g"),
    (lambda: d004.relu_backward_as_written(np.ones(3), np.array([0.0, np.nan, 1.0])), "z"),
])
def test_bad_input_raises_value_error(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()
