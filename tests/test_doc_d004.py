"""Document 004 (MLPs + CNNs notes): computed verdicts, the erratum's corrected form, public functions."""
from __future__ import annotations

import numpy as np
import pytest

from mlp_ref import catalog, linear, linear_backward, relu_grad
from mlp_ref.documents import d004_mlp_cnn_notes as d004

EXPECTED = {
    "mlpcnn-module-abstract": "convention",
    "mlpcnn-module-concrete": "convention",
    "mlpcnn-fc-forward-sum": "holds",
    "mlpcnn-fc-forward-matrix": "erratum",
    "mlpcnn-fpass-one-matmul": "holds",
    "mlpcnn-dh-dh": "holds",
    "mlpcnn-dhi-dwi": "holds",
    "mlpcnn-fc-backward-a": "convention",
    "mlpcnn-left-right-multiply": "holds",
    "mlpcnn-fc-backward-b": "convention",
    "mlpcnn-sgd-update": "holds",
    "mlpcnn-fc-dL-dW-stacked": "holds",
    "mlpcnn-column-intuition": "incomplete",
    "mlpcnn-relu-layer": "convention",
}
ENTRIES = [e for e in catalog.entries() if e.source == d004.SRC]
RECORDS = {e.id: e.evaluate() for e in ENTRIES}
OPS = [d004.FC_LAYER, d004.FC_BACKWARD_A, d004.FC_BACKWARD_B, d004.RELU_AS_WRITTEN]


def test_entries_in_document_order():
    assert [e.id for e in ENTRIES] == list(EXPECTED)
    assert all(e.id.startswith("mlpcnn-") for e in ENTRIES)


@pytest.mark.parametrize("entry_id", list(EXPECTED))
def test_verdict(entry_id):
    rec = RECORDS[entry_id]
    assert rec["verdict"] == EXPECTED[entry_id], rec["explanation"]


@pytest.mark.parametrize("entry_id", ["mlpcnn-module-abstract", "mlpcnn-module-concrete",
                                      "mlpcnn-fc-backward-a", "mlpcnn-fc-backward-b"])
def test_row_gradients_are_the_layout_convention(entry_id):
    findings = RECORDS[entry_id]["_findings"]
    assert {f.status for f in findings} == {"ok", "convention"}
    assert all("numerator layout" in f.detail for f in findings if f.status == "convention")


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


def test_documented_row_shape_reproduced():
    rec = RECORDS["mlpcnn-fc-backward-b"]
    assert rec["documented"] == {"h^{(l-1)T}": r"1 \times n"}
    assert rec["computed"]["h^{(l-1)T}"] is True
    assert rec["computed"]["dh_i^l/dw_i shape (central differences)"] == [1, 4]


@pytest.mark.parametrize("entry_id", ["mlpcnn-module-abstract", "mlpcnn-module-concrete", "mlpcnn-fc-backward-a"])
def test_written_order_forces_the_row(entry_id):
    rec = RECORDS[entry_id]
    assert rec["computed"]["written order"] is True
    assert all(v == "undefined" for v in rec["computed"]["dL/d(out) as a column, left of the Jacobian"].values())


def test_incomplete_entry_says_what_is_missing():
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


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_op_vjp_matches_finite_differences(op):
    rng = np.random.default_rng(1)
    inputs = op.sample(rng, np.float64)
    out = op.forward(**inputs, **op.params)
    g = rng.normal(size=np.shape(out))
    grads = op.vjp(g, **inputs, **op.params)
    assert set(grads) == set(op.wrt)
    for a in op.wrt:
        def f(v, a=a):
            return float(np.sum(g * op.forward(**{**inputs, a: v}, **op.params)))
        np.testing.assert_allclose(grads[a], d004._fd(f, inputs[a]), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_op_keeps_float32(op):
    inputs = op.sample(np.random.default_rng(2), np.float32)
    out = op.forward(**inputs, **op.params)
    assert out.dtype == np.float32
    grads = op.vjp(np.ones(out.shape, np.float32), **inputs, **op.params)
    assert all(v.dtype == np.float32 for v in grads.values())


def test_fc_ops_agree_with_torch():
    torch = pytest.importorskip("torch")
    for op in OPS[:3]:
        inputs = op.sample(np.random.default_rng(3), np.float64)
        t = {k: torch.tensor(v, requires_grad=k in op.wrt) for k, v in inputs.items()}
        out = torch.nn.functional.linear(t["x"], t["W"])
        np.testing.assert_allclose(out.detach().numpy(), op.forward(**inputs), rtol=1e-12, atol=1e-12)
        g = np.random.default_rng(4).normal(size=tuple(out.shape))
        got = torch.autograd.grad(out, [t[a] for a in op.wrt], grad_outputs=torch.tensor(g))
        ref = op.vjp(g, **inputs)
        for a, gr in zip(op.wrt, got):
            np.testing.assert_allclose(gr.numpy(), ref[a], rtol=1e-12, atol=1e-12)
