"""Document 002 (COS 324, Chapter 11): verdicts, documented numbers, errata and bad input."""
import numpy as np
import pytest

from mlp_ref.documents import d002_cos324_ch11 as d
from mlp_ref.registry import ENTRIES, printed_decimals

# only this document's module is imported: the entries it registered, in definition order
COS324 = [e for e in ENTRIES if e.id.startswith("cos324-")]

EXPECTED = {
    "cos324-def-11.0.1": "holds",
    "cos324-eq-11.1": "holds",
    "cos324-eq-11.2": "holds",
    "cos324-eq-fig-11.1-output": "holds",
    "cos324-ex-11.1.1": "holds",
    "cos324-eq-11.3": "holds",
    "cos324-eq-11.4": "holds",
    "cos324-ex-11.1.2": "erratum",  # names Figure 11.1 for the three-output network
    "cos324-eq-11.5": "holds",
    "cos324-footnote-1": "convention",  # column vectors vs mlp_ref's row batches
    "cos324-eq-11.6": "holds",
    "cos324-eq-11.7": "holds",
    "cos324-eq-11.8": "holds",
    "cos324-eq-11.9": "holds",
    "cos324-ex-11.1.3": "erratum",  # h^(1) = W^(1) x = ReLU(...)
    "cos324-eq-11.2-layer-k": "holds",
    "cos324-eq-11.2.1-weight-count": "holds",
    "cos324-ex-11.2.1": "holds",
    "cos324-claim-11.2.2": "holds",
    "cos324-eq-squared-error-loss": "holds",
    "cos324-ex-11.2.2": "holds",
    "cos324-eq-4.5-revisited": "holds",
    "cos324-eq-cross-entropy-loss": "convention",  # 1-based y
    "cos324-ex-11.2.3": "erratum",  # 4.02 is -log o-hat_3, the printed expression is 0.018
    "cos324-claim-11.3-linear": "holds",
    "cos324-ex-11.3.1": "holds",
    "cos324-ex-11.3.2": "holds",
    "cos324-prob-11.3.3": "holds",
    "cos324-prob-11.3.4": "holds",
    "cos324-eq-11.10": "holds",
    "cos324-footnote-3": "holds",
    "cos324-def-jacobian": "holds",
    "cos324-ex-11.4.1": "holds",
    "cos324-prob-11.4.2": "holds",
    "cos324-ex-11.4.3": "convention",  # ReLU'(0) = 0 vs 004's 1
    "cos324-def-11.4.4": "holds",
    "cos324-ex-11.4.5": "erratum",  # J(y, x) on the left for J(z, x)
    "cos324-claim-11.4.2-proportional": "holds",
    "cos324-eq-11.12": "holds",
    "cos324-footnote-6": "holds",
    "cos324-eq-11.13": "holds",
    "cos324-eq-ce-output-layer": "convention",  # 1-based y
    "cos324-eq-11.14": "holds",
    "cos324-eq-11.15": "holds",
    "cos324-eq-11.16": "convention",
    "cos324-eq-11.17": "holds",
    "cos324-eq-11.18": "convention",
    "cos324-eq-11.14-revisited": "erratum",  # (o - e_y) for (o-hat - e_y)
    "cos324-eq-11.15-revisited": "holds",
    "cos324-eq-11.17-revisited": "holds",
    "cos324-eq-11.16-revisited": "convention",
    "cos324-eq-11.18-revisited": "convention",
    "cos324-alg-full-backprop": "erratum",  # step 1 as revisited
    "cos324-prob-11.4.6-i": "erratum",  # m additions for m(n - 1)
    "cos324-prob-11.4.6-ii": "holds",
    "cos324-eq-11.19": "erratum",  # sigma'(z) = 1/(1 + e^{-z})
    "cos324-def-tanh": "holds",
    "cos324-prob-11.4.7": "holds",
    "cos324-prob-11.4.8": "erratum",  # g(W h) for g(f(W h))
    "cos324-claim-11.4.4-nonconvex": "holds",
    "cos324-claim-11.4.4-init": "holds",
    "cos324-code-11.5-net": "incomplete",  # constructor cut off after the signature
    "cos324-code-11.5-hidden3": "erratum",  # unbalanced brackets in the weight line
    "cos324-code-11.5-forward": "incomplete",  # hidden1/hidden2 cut off
    "cos324-code-11.5-backward": "incomplete",
    "cos324-code-11.5-accumulate": "holds",
}
# documented plain numbers that are inputs of an example, not results to reproduce
INPUTS = {("cos324-ex-11.2.3", "y")}
# documented numbers the computation contradicts (each explained by its erratum)
MISMATCHED_NUMBERS = {("cos324-ex-11.2.3", "loss")}


@pytest.fixture(scope="module")
def records():
    return {e.id: (e, e.evaluate()) for e in COS324}


def test_every_entry_listed_in_document_order(records):
    assert list(records) == list(EXPECTED)
    assert all(e.source == d.SRC for e, _ in records.values())


@pytest.mark.parametrize("entry_id", list(EXPECTED))
def test_verdict(records, entry_id):
    _, rec = records[entry_id]
    assert rec["verdict"] == EXPECTED[entry_id], rec["explanation"]


def _is_number(text):
    try:
        printed_decimals(text)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("entry_id", list(EXPECTED))
def test_documented_numbers_reproduced(records, entry_id):
    e, rec = records[entry_id]
    findings = rec["_findings"]
    for key, text in e.documented.items():
        if (entry_id, key) in INPUTS:
            continue
        if _is_number(text):
            hits = [f for f in findings if f.detail.startswith(f"{key}: documented {text},")]
            assert hits, f"{entry_id}: documented {key} = {text} is not checked by Run.number"
            if (entry_id, key) in MISMATCHED_NUMBERS:
                assert "mismatch" in {f.status for f in hits}
            else:
                assert all(f.status == "ok" for f in hits), [f.detail for f in hits]
        elif "Delta" in text:  # 'a + b Delta' expressions: checked as (value, rate) pairs
            hits = [f for f in findings if f.key == key]
            assert hits and all(f.status == "ok" for f in hits), f"{entry_id}: {key} = {text}"


def test_mismatched_numbers_match_the_other_index_base(records):
    findings = records["cos324-ex-11.2.3"][1]["_findings"]
    by_key = {f.key: f.status for f in findings}
    assert by_key["loss (y = 2, 1-based as the chapter defines)"] == "mismatch"
    assert by_key["loss (y = 2 read 0-based: the third class)"] == "ok"
    computed = records["cos324-ex-11.2.3"][1]["computed"]
    assert computed["loss (y = 2, 1-based as the chapter defines)"] == pytest.approx(0.018156, abs=1e-6)
    assert computed["loss (y = 2 read 0-based: the third class)"] == pytest.approx(4.018156, abs=1e-6)


@pytest.mark.parametrize("entry_id", [k for k, v in EXPECTED.items() if v == "erratum"])
def test_errata_carry_a_corrected_form_that_holds(records, entry_id):
    e, rec = records[entry_id]
    assert e.corrected_statement
    findings = rec["_findings"]
    assert any(f.corrected_ok for f in findings)
    for f in findings:
        assert f.corrected_ok is not False, f.detail
        if f.status == "mismatch" and f.corrected_ok is None:
            assert "documented" in f.detail  # a printed number, repaired by another finding's corrected form
    assert "Corrected:" in rec["explanation"]


def _ops():
    seen = {}
    for e in COS324:
        for op, role in ((e.op, "as written"), (e.corrected, "corrected")):
            if op is not None:
                seen.setdefault(op.name, (op, e, role))
    return list(seen.values())


def _vjp_vs_fd(op, seed):
    rng = np.random.default_rng(seed)
    for _ in range(50):
        inputs = op.sample(rng, np.float64)
        if "W" in inputs and op.fn.startswith("cos324_relu") and np.min(np.abs(inputs["x"] @ inputs["W"].T)) < 1e-3:
            continue  # a pre-activation next to the ReLU kink
        break
    out = np.asarray(op.forward(**inputs, **op.params))
    g = rng.normal(size=out.shape)
    grads = op.vjp(g, **inputs, **op.params)
    worst = 0.0
    for name in op.wrt:
        base = inputs[name]
        fd = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            up, down = dict(inputs), dict(inputs)
            up[name] = base.copy()
            down[name] = base.copy()
            up[name][idx] += 1e-6
            down[name][idx] -= 1e-6
            fd[idx] = (np.sum(g * op.forward(**up, **op.params)) - np.sum(g * op.forward(**down, **op.params))) / 2e-6
        worst = max(worst, float(np.max(np.abs(np.asarray(grads[name]) - fd)) / (1 + np.max(np.abs(fd)))))
    return worst


@pytest.mark.parametrize("op, e, role", _ops(), ids=lambda v: getattr(v, "name", None))
def test_ops_against_finite_differences(op, e, role):
    worst = max(_vjp_vs_fd(op, seed) for seed in range(3))
    if role == "as written" and e.corrected is not None:
        assert worst > 1e-3, f"{op.name}: the as-written erratum should disagree with the derivative"
    else:
        assert worst < 1e-6, f"{op.name}: VJP off by {worst:.3g}"


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


def records_of(entry_id):
    return next(e for e in COS324 if e.id == entry_id).evaluate()


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


def test_oracle_forms_match_the_reference_forward():
    torch = pytest.importorskip("torch")
    from oracles.forms import d002_cos324_ch11 as forms

    tf = forms.torch_forms(torch, torch.nn.functional)
    rng = np.random.default_rng(0)
    for op in (d.RELU_LAYER_X, d.TANH_LAYER):
        inputs = op.sample(rng, np.float64)
        got = tf[op.fn](**{k: torch.tensor(v) for k, v in inputs.items()}).numpy()
        np.testing.assert_allclose(got, op.forward(**inputs), rtol=1e-12, atol=1e-12)
