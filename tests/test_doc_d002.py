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
