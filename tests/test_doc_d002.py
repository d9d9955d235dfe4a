"""Document 002 (COS 324, Chapter 11): document-specific checks (the generic ones: test_catalog, test_ops)."""
import numpy as np
import pytest

from mlp_ref.documents import d002_cos324_ch11 as d
from mlp_ref.registry import ENTRIES

# only this document's module is imported: the entries it registered, in definition order
COS324 = [e for e in ENTRIES if e.id.startswith("cos324-")]


def records_of(entry_id):
    return next(e for e in COS324 if e.id == entry_id).evaluate()


def test_mismatched_numbers_match_the_other_index_base():
    rec = records_of("cos324-ex-11.2.3")
    by_key = {f.key: f.status for f in rec["_findings"]}
    assert by_key["loss (y = 2, 1-based as the chapter defines)"] == "mismatch"
    assert by_key["loss (y = 2 read 0-based: the third class)"] == "ok"
    computed = rec["computed"]
    assert computed["loss (y = 2, 1-based as the chapter defines)"] == pytest.approx(0.018156, abs=1e-6)
    assert computed["loss (y = 2 read 0-based: the third class)"] == pytest.approx(4.018156, abs=1e-6)


def test_kink_convention_against_004():
    W, h, g = np.array([[1.0, -1.0], [2.0, 1.0]]), np.array([1.0, 1.0]), np.array([1.0, 1.0])
    assert d.RELU_LAYER_X.vjp(g, W, h)["x"].tolist() == [2.0, 1.0]  # the unit with W h = 0 contributes 0


def test_fixed_networks():
    assert d.figure_11_1(d.X_111)["o"].tolist() == [-4.0]
    assert d.figure_11_2(d.X_331)["o"].tolist() == [-3.0, 16.0, 11.0]
    assert d.figure_11_2(np.ones((2, 3)))["ohat"].shape == (2, 3)


def test_count_matvec_and_backprop_counts():
    y, c = d.count_matvec(np.ones((4, 5)), np.arange(5.0))
    assert y.tolist() == [10.0] * 4 and c == {"mul": 20, "add": 16}
    c = d.count_backprop_ops((3, 2, 2, 3))
    # forward: 16 products and 9 sums in the three matvecs, 4 ReLU masks, 2 sums in the softmax
    assert c["params"] == 16 and c["forward"] == {"mul": 20, "add": 11}
    n = d.count_naive_ops((3, 2, 2, 3))
    for a, b in zip(n["grad"], c["grad"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("sizes", [(3, 2, 2, 3), (1, 1), (5, 1, 7), (2, 9, 4, 4, 3), (8,) * 7])
def test_operation_count_follows_problem_11_4_6_i(sizes):
    c = d.count_backprop_ops(sizes)
    assert sum(c["forward"].values()) + sum(c["backward"].values()) == d.ops_from_matvec_counts(sizes)
    assert 2 * c["params"] <= d.ops_from_matvec_counts(sizes) < 7 * c["params"]


def test_problem_11_4_6_i_additions():
    # m(n - 1) two-operand additions; the printed m agrees only when n = 2
    for m, n in [(3, 1), (3, 2), (3, 3), (2, 8)]:
        _, c = d.count_matvec(np.ones((m, n)), np.ones(n))
        assert c == {"mul": m * n, "add": m * (n - 1)}
        assert (c["add"] == m) == (n == 2)
    computed = records_of("cos324-prob-11.4.6-i")["computed"]
    assert computed["additions when each sum starts from 0"] == [1, 6, 8, 35, 30]  # mn: not m either


@pytest.mark.parametrize("entry_id, key", [
    ("cos324-def-11.0.1", "a banded layer fails the test"),
    ("cos324-def-jacobian", "control"),
    ("cos324-claim-11.3-linear", "control"),
    ("cos324-claim-11.4.2-proportional", "control"),
    ("cos324-footnote-6", "control"),
])
def test_controls_show_the_checks_can_fail(entry_id, key):
    # each control applies the entry's criterion to a wrong input and records that it fails there
    by_key = {f.key: f for f in records_of(entry_id)["_findings"]}
    assert by_key[key].status == "ok", by_key[key].detail


def test_printed_arithmetic():
    assert d._arith(r"0 - 2 \cdot 2") == -4.0
    assert d._affine_in_delta(r"(-1) \cdot 3 + (1 + \Delta) \cdot 1 + 2 \cdot 2") == (2.0, 1.0)
    assert d._affine_in_delta(r"-3 - 6\Delta") == (-3.0, -6.0)
    for bad in (r"\Delta \cdot \Delta", "2 ** 3", "__import__('os')", "x + 1"):
        with pytest.raises(ValueError):
            d._affine_in_delta(bad)


def test_backprop_four_steps_corrected_matches_mlp_ref():
    g = d.backprop_four_steps(d.X_331, 1, [d.W1, d.W2, d.WO])
    ref = d._ce_grads(d.X_331, 1, [d.W1, d.W2, d.WO])
    for a, b in zip(g["W"], ref):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda: d.figure_11_1(np.ones(4)),
    lambda: d.figure_11_1(np.ones(3, dtype=int)),
    lambda: d.figure_11_2(np.array([1.0, np.nan, 1.0])),
    lambda: d.figure_11_2("abc"),
    lambda: d.relu_layer(np.ones((2, 3)), np.ones(2)),
    lambda: d.tanh_layer(np.ones(3), np.ones(3)),
    lambda: d.count_matvec(np.ones(3), np.ones(3)),
    lambda: d.count_matvec(np.ones((2, 3)), np.ones(2)),
    lambda: d.count_matvec(np.ones((2, 3)), np.array([1.0, np.inf, 0.0])),
    lambda: d.count_backprop_ops((3,)),
    lambda: d.count_backprop_ops((3, 0, 2)),
    lambda: d.count_backprop_ops((3, 2.5)),
    lambda: d.count_backprop_ops("32"),
    lambda: d.count_backprop_ops((3, 2), seed=1.5),
    lambda: d.count_naive_ops((3, -1)),
    lambda: d.count_naive_ops((3, 2), seed=True),
    lambda: d.ops_from_matvec_counts((4,)),
    lambda: d.ops_from_matvec_counts([2, "3"]),
    lambda: d.backprop_four_steps(d.X_111, 3, [d.W1, d.W2, d.WO]),
    lambda: d.backprop_four_steps(d.X_111, 1.0, [d.W1, d.W2, d.WO]),
    lambda: d.backprop_four_steps(d.X_111, 1, [d.W1, d.W1]),
    lambda: d.backprop_four_steps(np.ones((2, 3)), 1, [d.W1, d.W2, d.WO]),
    lambda: d.backprop_four_steps(d.X_111, 1, [d.W1, d.W2, d.WO], as_written="yes"),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_bad_input_messages_name_the_argument():
    with pytest.raises(ValueError, match="^sizes:"):
        d.count_backprop_ops((3,))
    with pytest.raises(ValueError, match="^h:"):
        d.count_matvec(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match="^y:"):
        d.backprop_four_steps(d.X_111, 3, [d.W1, d.W2, d.WO])


# ------------------------------------------------------- torch cross-checks of the 11.5 listing
def test_torch_listing_facts():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    layer = nn.Linear(3, 2, bias=False)  # nn.Linear(hidden_dim2, hidden_dim3)
    assert tuple(layer.weight.shape) == (2, 3)
    layer.weight = nn.Parameter(torch.tensor([[-1.0, 2.0, 1.0], [3.0, 0.0, 0.0]]))
    # gradient accumulation: two backward() calls leave twice the gradient in .grad
    h = torch.tensor([1.0, 2.0, 0.5])
    loss = nn.functional.cross_entropy(layer(h).unsqueeze(0), torch.LongTensor([1]))
    loss.backward(retain_graph=True)
    once = layer.weight.grad.clone()
    loss.backward()
    assert torch.allclose(layer.weight.grad, 2 * once)
    # Example 11.2.3: torch's 0-based target 2 gives the printed 4.02
    o = torch.tensor([[-4.0, 8.0, 4.0]], dtype=torch.float64)
    assert round(float(nn.functional.cross_entropy(o, torch.LongTensor([2]))), 2) == 4.02
    assert round(float(nn.functional.cross_entropy(o, torch.LongTensor([1]))), 2) == 0.02


def test_torch_hidden3_listing():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    printed = d.LISTING_HIDDEN3.splitlines()
    with pytest.raises(SyntaxError):
        compile("\n".join(printed), "<listing>", "exec")
    dims = d._listing_defaults()
    ns = {"nn": nn, "torch": torch, "self": type("Net", (), {})(), **dims}
    corrected = printed[0] + "\n" + " ".join(line.strip() for line in printed[1:]).replace("0., 0.])))", "0., 0.]]))")
    exec(corrected, ns)
    layer = ns["self"].hidden3
    assert tuple(layer.weight.shape) == (dims["hidden_dim3"], dims["hidden_dim2"]) == (2, 3)
    assert layer(torch.ones(dims["hidden_dim2"])).shape == (2,)  # y_pred of Figure 11.7: two outputs


# ------------------------------------------------------- review of issue 9: findings that can fail
def _finding(entry_id, key, documented=None):
    entry = next(e for e in COS324 if e.id == entry_id)
    doc = None if documented is None else {**entry.documented, **documented}
    rec = entry.evaluate(documented=doc)
    return next(f for f in rec["_findings"] if f.key == key)


def test_naive_counts_are_those_of_the_scalar_tally():
    # the per-weight chain rule tallied scalar by scalar (the earlier implementation) gave these counts
    for sizes, ops in (((2, 3, 3, 2), 203), ((4, 6, 6, 4), 2080), ((8, 12, 12, 8), 25400), ((3, 2, 2, 3), 175),
                       ((1, 1), 3), ((5, 1, 7), 131), ((2, 9, 4, 4, 3), 2707), ((8,) * 7, 90056)):
        assert d.count_naive_ops(sizes)["ops"] == ops, sizes


def test_tally_cache_is_shared_however_called():
    assert d._tallies((3, 2, 2, 3), naive=True) is d._tallies([3, 2, 2, 3], True)


@pytest.mark.parametrize("entry_id, key, text, status", [
    # the figure the example names: Figure 11.2 would be right
    ("cos324-ex-11.1.2", "network", "Figure 11.2", "ok"),
    # the label set and the indicator are read from the text: other printed choices flip the finding
    ("cos324-eq-cross-entropy-loss", "label set", r"y \in \{0, \dots, d_{out} - 1\}", "ok"),
    ("cos324-eq-ce-output-layer", "label set", r"y \in \{0, 1, \dots, d_{out} - 1\}", "ok"),
    ("cos324-ex-11.4.3", "indicator", r"\mathbb{1}(x_i \geq 0)", "ok"),
    ("cos324-eq-11.16", "indicator", r"\mathbb{1}(\mathbf{W}^{(k+1)} \vec{h}^{(k)} \geq 0)", "ok"),
    ("cos324-eq-11.18-revisited", "indicator", r"\mathbb{1}(\mathbf{W}^{(k+1)} \vec{\mathbf{h}}^{(k)} >= 0)", "ok"),
    # printed shapes
    ("cos324-eq-11.5", "shape of W^(1)", r"\mathbb{R}^{3 \times 2}", "mismatch"),
    ("cos324-claim-11.2.2", "shape of W'", r"\mathbb{R}^{3 \times 2}", "mismatch"),
    ("cos324-footnote-1", "x", r"1 \times 3", "mismatch"),
    # the printed expression of Example 11.2.3 with the third class in the numerator
    ("cos324-ex-11.2.3", "expression", r"-\log \frac{e^4}{e^{-4} + e^8 + e^4}", "mismatch"),
    ("cos324-ex-11.1.3", "W^(1)", r"\begin{bmatrix} 2 & 3 & 0 \\ -1 & 1 & 2 \end{bmatrix}", "mismatch"),
    ("cos324-code-11.5-hidden3", "hidden3", d.LISTING_HIDDEN3.replace("0., 0.])))", "0., 0.]]))"), "ok"),
])
def test_documented_text_decides_the_finding(entry_id, key, text, status):
    assert _finding(entry_id, key).status != status  # as printed, the other way
    assert _finding(entry_id, key, {key: text}).status == status


def test_shared_faults_keep_their_own_evidence():
    # counted once, at the owner, but each entry still shows its own computation
    for entry_id in ("cos324-eq-11.16", "cos324-eq-11.18", "cos324-eq-11.16-revisited", "cos324-eq-11.18-revisited"):
        rec = records_of(entry_id)
        assert rec["same_fault_as"] == "cos324-ex-11.4.3" and rec["verdict"] == "convention"
        assert {f.key: f.status for f in rec["_findings"]}["op at the kink"] == "ok"
    rec = records_of("cos324-alg-full-backprop")
    statuses = {f.key.split(",")[0]: f.status for f in rec["_findings"]}
    assert statuses == {"steps 2-4": "ok", "step 1 as printed": "mismatch"}
    assert rec["severity"] == "slip" and rec["same_fault_as"] == "cos324-eq-11.14-revisited"


def test_holding_parts_of_errata_are_visible():
    statuses = {f.key: f.status for f in records_of("cos324-eq-11.19")["_findings"]}
    assert statuses == {"sigma": "ok", "line 1": "mismatch", "line 2": "ok", "line 3": "ok", "line 4": "ok"}
    statuses = {f.key: f.status for f in records_of("cos324-ex-11.1.2")["_findings"]}
    assert statuses.pop("network") == "mismatch" and set(statuses.values()) == {"ok"}
