"""Document 000 (FAU, Layer Abstraction): document-specific checks (the generic ones: test_catalog, test_ops)."""
from __future__ import annotations

import numpy as np
import pytest

from catalog_records import RECORDS as CATALOG  # the catalog evaluated once per session
from mlp_ref import catalog
from mlp_ref.documents import d000_fau_layers as d000

ENTRIES = [e for e in catalog.entries() if e.source == d000.SRC]
RECORDS = CATALOG  # evaluated entry by entry, on first use


@pytest.mark.parametrize("entry_id, key, count_key, value", [
    ("fau-three-layer-dW3", "factors", "factor count", 2),
    ("fau-three-layer-dW2", "factors", "factor count", 3),
    ("fau-three-layer-dW1", "factors", "factor count", 4),
    ("fau-three-layer-dW1", "pre-computed parts", "pre-computed count", 2),
])
def test_documented_counts_reproduced(entry_id, key, count_key, value):
    rec = RECORDS[entry_id]
    assert d000.WORDS[rec["documented"][key].lower()] == value
    assert rec["computed"][count_key] == value
    assert rec["computed"][key] is True


def test_two_neuron_example_counts_the_partials():
    entry = catalog.get("fau-fc-two-neurons")
    rec = RECORDS[entry.id]
    assert rec["documented"] == {"inputs": "Three", "neurons": "two", "partial derivatives": "two"}
    assert rec["computed"]["partials the layer's backward supplies"] == ["W", "x"]
    wrong = entry.evaluate(documented={**entry.documented, "partial derivatives": "three"})
    assert wrong["verdict"] == "erratum"  # the count is computed, not read off the text


def test_garbled_phrases_are_quoted_and_read():
    assert "Wxy" in RECORDS["fau-l2-loss"]["statement"]
    assert "W WWxy" in RECORDS["fau-three-layer-dW3"]["statement"]
    assert "\"Wxy\" is W x - y" in RECORDS["fau-l2-loss"]["explanation"]
    assert "(WWx), as we’ve seen on the previous slide" in RECORDS["fau-three-layer-dW3"]["statement"]
    assert "it’s gonna be W and we have to multiply it from the left-hand side" in \
        RECORDS["fau-three-layer-dW2"]["statement"]
    assert "is Wx, is going to be W" in RECORDS["fau-three-layer-dW1"]["statement"]


@pytest.mark.parametrize("entry_id, l", [("fau-three-layer-dW2", 2), ("fau-three-layer-dW1", 1)])
def test_spoken_w_is_the_jacobian_left_multiplied_by_the_error_row(entry_id, l):
    rec = RECORDS[entry_id]
    by_key = {f.key: f for f in rec["_findings"]}
    assert by_key["df̂3/df̂2 = W"].status == "ok"  # W3 is the Jacobian of f̂3 = W3 f̂2
    assert by_key[f"dL/df̂{l}"].status == "ok"  # (f̂3 - y)^T W3 [W2] is dL/df̂_l as a row
    assert "numerator layout" in rec["explanation"] and "¶6's layout" in rec["explanation"]
    x, y, Ws = d000._three_layer(5)  # the spoken W multiplying the error column from the left is undefined
    with pytest.raises(ValueError):
        Ws[2] @ (Ws[2] @ Ws[1] @ Ws[0] @ x - y)


def test_wwx_for_layer_2_is_a_transcription_erratum():
    entry = catalog.get("fau-three-layer-dW2")
    rec = RECORDS[entry.id]
    assert rec["verdict"] == "erratum" and rec["severity"] == "transcription"
    mism = {f.key: f for f in rec["_findings"] if f.status == "mismatch"}
    assert set(mism) == {"(WWx)", "(WWx), square W2"}
    assert "gives shape (5, 5)" in mism["(WWx)"].detail  # (W2W1x)^T has 5 entries, W2 has 4 columns
    assert all(f.corrected_ok is True for f in mism.values())
    assert "Wxy" in mism["(WWx)"].reason and "(W₁x)ᵀ" in entry.corrected_statement
    assert RECORDS["fau-three-layer-dW1"]["verdict"] == "holds"


def test_single_eta_outlook_counts():
    steps = RECORDS["fau-outlook-single-eta"]["computed"]["steps to max|w| < 1e-6"]
    assert steps["eta_i = 1/lambda_i"] == 1
    # closed form for the best single step 2/101: both coordinates contract by 99/101 per step
    assert steps["best single eta"] == int(np.ceil(np.log(1e-6) / np.log(99 / 101)))
    assert steps["eta = 0.021, 0.025"] == [0, 0]


def test_reuse_counts_match_a_closed_form():
    dims = (3, 4, 5, 2)
    sizes = [dims[k] * dims[k - 1] for k in range(1, len(dims))]  # |W_l|
    L = len(sizes)
    forward = sum(sizes)
    reuse = forward + sum(sizes[1:]) + forward  # forward, deltas through W_L^T..W_2^T, outer products
    recompute = sum(sum(sizes[: l - 1]) + forward + sum(sizes[l:]) + sizes[l - 1] for l in range(1, L + 1))
    counts = RECORDS["fau-backprop-reuse"]["computed"]["3 layers (3,4,5,2): multiplications"]
    assert counts == {"reuse": reuse, "recompute": recompute} == {"reuse": 114, "recompute": 252}


def test_lecture_gradients_match_finite_differences_and_each_other():
    x, y, Ws = d000._three_layer(123, dims=(2, 3, 4, 3))
    grads, _ = d000.linear_chain_l2_gradients(x, y, Ws)
    for l in (1, 2, 3):
        np.testing.assert_allclose(d000.lecture_gradient(l, x, y, Ws), grads[l - 1], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(grads[l - 1], d000._fd_chain(l, x, y, Ws), rtol=1e-7, atol=1e-9)


def test_a_wrong_gradient_would_be_caught():
    x, y, Ws = d000._three_layer(5)
    wrong = Ws[2] @ Ws[1] @ Ws[0] @ x - y  # dL/dW2 with W3 in place of W3^T needs a square W3
    assert Ws[2].shape[0] != Ws[2].shape[1]
    with pytest.raises(ValueError):
        Ws[2] @ wrong


def test_neuron_bias_folded_batch():
    w, X = np.array([1.0, -2.0, 0.5]), np.array([[1.0, 1.0], [0.0, 2.0]])
    np.testing.assert_allclose(d000.neuron_bias_folded(w, X), [-0.5, -3.5])


@pytest.mark.parametrize("call, arg", [
    (lambda: d000.neuron_bias_folded(np.ones(3), np.ones(3)), "w"),
    (lambda: d000.neuron_bias_folded(np.ones(4, dtype=int), np.ones(3)), "w"),
    (lambda: d000.neuron_bias_folded(np.ones(4), np.array([1.0, np.nan, 0.0])), "x"),
    (lambda: d000.neuron_bias_folded(np.ones(4, dtype=np.float32), np.ones(3)), "dtype"),
    (lambda: d000.linear_chain_l2(np.ones(3), np.ones(2), []), "Ws"),
    (lambda: d000.linear_chain_l2(np.ones(3), np.ones(2), [np.ones((4, 3)), np.ones((2, 3))]), r"Ws\[1\]"),
    (lambda: d000.linear_chain_l2(np.ones(3), np.ones(3), [np.ones((2, 3))]), "y"),
    (lambda: d000.linear_chain_l2(np.ones((1, 3)), np.ones(2), [np.ones((2, 3))]), "x"),
    (lambda: d000.lecture_gradient(0, np.ones(3), np.ones(2), [np.ones((2, 3))]), "l"),
    (lambda: d000.lecture_gradient(2, np.ones(3), np.ones(2), [np.ones((2, 3))]), "l"),
    (lambda: d000.lecture_gradient(True, np.ones(3), np.ones(2), [np.ones((2, 3))]), "l"),
    (lambda: d000.lecture_gradient_factors(1.0, np.ones(3), np.ones(2), [np.ones((2, 3))]), "l"),
    (lambda: d000.linear_chain_l2_gradients(np.ones(3), np.ones(2), [np.ones((2, 3))], reuse="yes"), "reuse"),
    (lambda: d000.linear_chain_l2_gradients(np.ones(3), np.ones(2), (np.ones((2, 4)),)), r"Ws\[0\]"),
])
def test_bad_input_raises_value_error(call, arg):
    with pytest.raises(ValueError, match=arg):
        call()


WORD_RESULTS = [(e.id, k) for e in ENTRIES for k in e.documented
                if any(f.doc_key == k for f in RECORDS[e.id]["_findings"])]


def test_word_results_are_listed():
    assert set(WORD_RESULTS) == {("fau-fc-two-neurons", "partial derivatives"), ("fau-three-layer-dW3", "factors"),
                                 ("fau-three-layer-dW2", "factors"), ("fau-three-layer-dW1", "factors"),
                                 ("fau-three-layer-dW1", "pre-computed parts")}


@pytest.mark.parametrize("entry_id, key", WORD_RESULTS)
def test_a_perturbed_documented_count_turns_its_finding_red(entry_id, key):
    entry = catalog.get(entry_id)
    word = entry.documented[key].lower()
    other = next(w for w, v in d000.WORDS.items() if v == d000.WORDS[word] % 4 + 1)
    rec = entry.evaluate(documented={**entry.documented, key: other})
    hits = [f for f in rec["_findings"] if f.doc_key == key]
    assert hits and all(f.status == "mismatch" for f in hits), [f.detail for f in hits]
