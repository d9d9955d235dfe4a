"""The assignments courses already give: examples/assignments/{functions,pairs,layers} graded as their
rubrics map them (correct: full marks; each typical mistake: exactly the expected items lost, with
the expected diagnosis), in the default sandbox and in the process sandbox without Landlock; a
rubric naming what a submission lacks; malformed [interface] tables; notebooks; templates."""
from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest

from mlp_ref.grading.grader import grade_submission, make_plan
from mlp_ref.grading.interface import parse_interface
from mlp_ref.grading.rubric import load_rubric, parse_rubric
from mlp_ref.grading.sandbox import SIMULATE_NO_LANDLOCK_ENV
from mlp_ref.grading.template import render_template

ROOT = Path(__file__).resolve().parents[1]
ASSIGN = ROOT / "examples" / "assignments"
STYLES = ("functions", "pairs", "layers")
RUBRICS = {s: load_rubric(ASSIGN / s / "rubric.toml") for s in STYLES}
PLANS = {s: make_plan(r) for s, r in RUBRICS.items()}


def _all(unit, *checks):
    return {f"{unit}: {c}" for c in checks}


NET = _all("network", "gradient", "finite_differences", "training")
# (style, submission): ({failing test: a diagnosis it must carry, or "" for none required})
EXPECTED = {
    ("functions", "correct.ipynb"): {},
    ("functions", "wrong_sigmoid_grad_sign.py"): {
        "sigmoid_grad: value": "sign slip", "sigmoid_grad: float32": "sign slip"},
    ("functions", "wrong_transposed_dW.py"): {
        t: "transposed result" for t in _all("linear_backward", "value", "no_bias", "float32")},
    ("functions", "wrong_labels_one_hot.ipynb"): {
        "softmax_cross_entropy_grad: value": "labels used as one-hot rows",
        "softmax_cross_entropy_grad: reductions": "", "softmax_cross_entropy_grad: float32": "labels used as one-hot"},
    ("pairs", "correct.py"): {},
    ("pairs", "wrong_transposed_dw.py"): {
        **{t: "transposed weight gradient" for t in _all("affine", "backward", "stale_cache", "float32", "shapes")},
        "network: gradient": "transposed result", "network: finite_differences": "transposed result",
        "network: training": "does not have the shape of its parameter"},
    ("pairs", "wrong_shared_cache.py"): {
        "relu: stale_cache": "the cache of the first call was overwritten",
        **{t: "relu_backward" for t in NET}},
    ("pairs", "wrong_loss_sum.py"): {
        **{t: "wrong reduction: you sum over the batch" for t in _all("softmax_loss", "forward", "backward", "float32")},
        "network: gradient": "layer 6 (softmax_loss) is at fault", "network: training": ""},
    ("layers", "correct.py"): {},
    ("layers", "wrong_bias_first_row.py"): {
        "FullyConnected: forward": "bias folded on the wrong side",
        **{t: "bias folded on the wrong side" for t in _all("FullyConnected", "backward", "stale_cache", "float32",
                                                             "shapes")},
        "network: gradient": "layer 1 (FullyConnected) is at fault", "network: training": "",
        "NeuralNetwork: forward": "", "NeuralNetwork: training": ""},
    ("layers", "wrong_relu_mask_once.py"): {"ReLU: stale_cache": "stale cache: backward used the input of the earlier",
                                            "NeuralNetwork: training": "loss after 2 steps"},
    ("layers", "wrong_sigmoid_derivative_point.py"): {
        **{t: "derivative evaluated at the wrong point" for t in _all("Sigmoid", "backward", "stale_cache", "float32")},
        "network: gradient": "layer 4 (Sigmoid) is at fault", "network: finite_differences": "",
        "network: training": "", "NeuralNetwork: training": ""},
}


def _texts(t) -> str:
    o = t["outcome"] or {}
    return " ".join([o.get("message", "")] + o.get("diagnoses", []) + o.get("problems", []))


def _check(res, style, name):
    want = EXPECTED[(style, name)]
    failing = {t["name"] for t in res["tests"] if t["status"] != "passed"}
    assert failing == set(want), (f"{style}/{name}: failing {sorted(failing)}, expected {sorted(want)}\n"
                                  + "\n".join(f"{t['name']}: {_texts(t)[:300]}" for t in res["tests"]
                                              if t["name"] in failing ^ set(want)))
    for test, diag in want.items():
        t = next(t for t in res["tests"] if t["name"] == test)
        assert diag in _texts(t), f"{style}/{name} {test}: no {diag!r} in {_texts(t)[:600]}"
    if not want:
        assert res["score"] == res["max_score"] > 0


@pytest.fixture(params=["auto", "process"])
def sandbox(request, monkeypatch):
    if request.param == "process":  # as on Gradescope: no namespaces, Landlock's calls made to fail
        monkeypatch.setenv(SIMULATE_NO_LANDLOCK_ENV, "1")
    return request.param


@pytest.mark.parametrize("style,name", sorted(EXPECTED), ids=[f"{s}-{n}" for s, n in sorted(EXPECTED)])
def test_example_assignment_grades_as_expected(style, name, sandbox):
    res = grade_submission(ASSIGN / style / "submissions" / name, RUBRICS[style], plan=PLANS[style], mode=sandbox)
    if sandbox == "process":
        assert res["sandbox"].startswith("process") and "own-uid" in res["sandbox"]
    _check(res, style, name)


def test_every_example_submission_is_listed():
    found = {(s, p.name) for s in STYLES for p in (ASSIGN / s / "submissions").iterdir()}
    assert found == set(EXPECTED)
    for s in STYLES:  # three typical mistakes and a correct solution per style, one style as notebooks
        assert sum(n.startswith("wrong_") for st, n in EXPECTED if st == s) == 3
    assert any(n.endswith(".ipynb") for _, n in EXPECTED)


@pytest.mark.parametrize("style", STYLES)
def test_correct_solutions_do_not_use_mlp_ref(style):
    for p in (ASSIGN / style / "submissions").iterdir():
        assert "mlp_ref" not in p.read_text(), p


@pytest.mark.parametrize("style", STYLES)
def test_committed_template_is_the_generated_one(style):
    text = render_template(RUBRICS[style])
    assert (ASSIGN / style / "template.py").read_text() == text
    tree = ast.parse(text)
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    iface = RUBRICS[style].interface
    if iface is None:
        assert defined == set(RUBRICS[style].functions)
    elif iface.style == "layers":
        assert defined == set(iface.units) | {iface.network_class.name}
    else:
        assert defined == {n for u in iface.units.values() for n in (u.forward, u.backward)}


@pytest.mark.parametrize("style", ["pairs", "layers"])
def test_the_template_itself_scores_zero_with_not_implemented(style, tmp_path):
    sub = tmp_path / "template.py"
    sub.write_text(render_template(RUBRICS[style]))
    res = grade_submission(sub, RUBRICS[style], plan=PLANS[style])
    assert res["score"] == 0 and res["load"]["ok"]
    assert all("NotImplementedError" in _texts(t) or "not implemented" in _texts(t) for t in res["tests"])


# ------------------------------------------------------------------ what a submission lacks
def test_a_missing_class_method_or_attribute_fails_only_its_items(tmp_path):
    src = (ASSIGN / "layers" / "submissions" / "correct.py").read_text()
    src = src.replace("class TanH:", "class Tanh:")  # a class the interface names is missing
    src = src.replace("    def backward(self, error_tensor):\n        p = self.prediction",
                      "    def backprop(self, error_tensor):\n        p = self.prediction")  # a method
    src = src.replace("self.gradient_weights = self.input_tensor.T @ error_tensor",
                      "self.grad_w = self.input_tensor.T @ error_tensor")  # an attribute
    src = src.replace("        self.gradient_weights = None\n", "")
    sub = tmp_path / "renamed.py"
    sub.write_text(src)
    res = grade_submission(sub, RUBRICS["layers"], plan=PLANS["layers"])
    failing = {t["name"]: _texts(t) for t in res["tests"] if t["status"] != "passed"}
    assert set(failing) == (_all("TanH", "forward", "backward", "stale_cache", "float32")
                            | _all("SoftMax", "backward", "stale_cache", "float32")
                            | _all("FullyConnected", "backward", "stale_cache", "float32", "shapes") | NET
                            | {"NeuralNetwork: training"})
    assert "defines no class 'TanH'" in failing["TanH: forward"]
    assert "SoftMax has no method 'backward'" in failing["SoftMax: backward"]
    assert "has no attribute 'gradient_weights'" in failing["FullyConnected: backward"]
    assert "named by the course's interface" in failing["FullyConnected: backward"]


# ------------------------------------------------------------------------ malformed rubrics
BAD_INTERFACES = [
    ({"style": "classes"}, "[interface] style"),
    ({"style": "layers", "units": {"FC": {"op": "affine"}}, "bias": "last_row", "weight_layout": "out_in"},
     "[interface] bias"),
    ({"style": "layers", "units": {"FC": {"op": "conv"}}}, "[interface.units.FC] op"),
    ({"style": "layers", "units": {"FC": {}}}, "[interface.units.FC] op"),
    ({"style": "layers", "units": {"FC": {"op": "affine", "weight": "w"}}}, "[interface.units.FC]"),
    ({"style": "layers"}, "[interface] units"),
    ({"style": "layers", "units": {"FC": {"op": "affine"}}, "gradient_weights": "grad-w"}, "[interface] gradient_weights"),
    ({"style": "pairs", "units": {"affine": {"op": "affine", "init": ["input_size"]}}}, "[interface.units.affine] init"),
    ({"style": "layers", "units": {"FC": {"op": "affine"}, "L": {"op": "cross_entropy"}}, "network": ["FC", "X"]},
     "[interface] network"),
    ({"style": "layers", "units": {"FC": {"op": "affine"}}, "colour": 1}, "[interface]"),
    ({"style": "layers", "units": {"FC": {"op": "affine"}}, "optimizer": "optimizer"}, "[interface] optimizer"),
    ({"style": "pairs", "units": {"Sgd": {"op": "sgd"}}}, "[interface.units.Sgd] op"),
    ({"style": "layers", "units": {"FC": {"op": "affine"}}, "network_class": {"name": "Net"}},
     "[interface.network_class]"),
    ({"style": "layers", "units": {"FC": {"op": "affine"}, "R": {"op": "relu"}, "L": {"op": "softmax_cross_entropy"}},
      "network_class": {"append": "add layer"}}, "[interface.network_class] append"),
]


@pytest.mark.parametrize("spec,key", BAD_INTERFACES, ids=[k for _, k in BAD_INTERFACES])
def test_malformed_interface_names_the_key(spec, key):
    with pytest.raises(ValueError) as exc:
        parse_interface(spec)
    assert str(exc.value).startswith(f"rubric {key}"), str(exc.value)


def test_rubric_naming_an_unknown_unit_exits_2(tmp_path, capsys):
    from mlp_ref.cli import main

    text = (ASSIGN / "layers" / "rubric.toml").read_text().replace("[functions.TanH]", "[functions.Tanh]")
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    assert main(["grade", "--template", "--rubric", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "[functions.Tanh]" in err and "unit of [interface.units]" in err
    with pytest.raises(ValueError, match=r"\[functions.affine\] checks.kink"):
        parse_rubric({"interface": {"style": "pairs", "units": {"affine": {"op": "affine"}}},
                      "functions": {"affine": {"checks": {"kink": 1.0}}}})


# ----------------------------------------------------------------------------- notebooks
def test_a_notebook_that_does_not_parse_scores_zero_with_a_message(tmp_path):
    for i, text in enumerate(["{not json", json.dumps({"cells": "nope", "nbformat": 4})]):
        nb = tmp_path / f"broken{i}.ipynb"
        nb.write_text(text)
        res = grade_submission(nb, RUBRICS["functions"], plan=PLANS["functions"])
        assert res["score"] == 0 and not res["load"]["ok"]
        assert "is not a readable Jupyter notebook" in res["load"]["message"]
        assert all(t["status"] == "failed" for t in res["tests"])


def test_notebook_magics_and_shell_lines_are_skipped_with_a_note():
    res = grade_submission(ASSIGN / "functions" / "submissions" / "correct.ipynb", RUBRICS["functions"],
                           plan=PLANS["functions"])
    notes = "\n".join(res["notes"])
    assert "'%matplotlib inline'" in notes and "'!pip install numpy'" in notes and "'sigmoid?'" in notes
    from mlp_ref.grading.gradescope import results_json

    assert "skipped IPython line" in results_json(res)["output"]


def test_notebook_source_keeps_cells_in_order(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from mlp_ref.grading.notebook import notebook_source

    nb = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("a = 1"), new_code_cell("%%timeit\nb = 2"),
                                       new_code_cell("if a:\n    !ls\n    a = 3"),
                                       new_code_cell('doc = """\n%d percent\n!done"""')]), str(nb))
    code, notes, err = notebook_source(nb)
    assert err == ""
    ns = {}
    exec(code, ns)
    assert ns["a"] == 3 and "b" not in ns and ns["doc"] == "\n%d percent\n!done"
    assert any("cell magic" in n for n in notes) and any("'!ls'" in n for n in notes) and len(notes) == 2


# ------------------------------------------------------------- hostile layers, same protections
LAYERS_CORRECT = (ASSIGN / "layers" / "submissions" / "correct.py").read_text()
HOSTILE = {
    "hang": ("class ReLU:\n    def forward(self, input_tensor):\n        while True:\n            pass\n"
             "    def backward(self, error_tensor):\n        return error_tensor\n",
             "ReLU", "did not return within the time limit"),
    "subclass": ("class _Arr(np.ndarray):\n    pass\n\n\nclass ReLU:\n    def forward(self, input_tensor):\n"
                 "        return np.maximum(input_tensor, 0).view(_Arr)\n"
                 "    def backward(self, error_tensor):\n        return error_tensor\n",
                 "ReLU", "a subclass of numpy.ndarray"),
    "import_reference": ("class ReLU:\n    def forward(self, input_tensor):\n        import mlp_ref\n"
                         "        return mlp_ref.relu(input_tensor)\n"
                         "    def backward(self, error_tensor):\n        return error_tensor\n",
                         "ReLU", "reference implementation"),
    "exit_in_attribute": ("class ReLU:\n    @property\n    def forward(self):\n        import os\n        os._exit(0)\n"
                          "    def backward(self, error_tensor):\n        return error_tensor\n",
                          "ReLU", "ended during this call"),
    "forge_channel": ("import json, os, struct\n\n\nclass ReLU:\n    def forward(self, input_tensor):\n"
                      "        head = json.dumps({'type': 'reply', 'seq': 1, 'status': 'ok', 'sizes': [], 'result': "
                      "{'t': 'list', 'v': []}}).encode()\n"
                      "        for fd in range(3, 32):\n            try:\n"
                      "                os.write(fd, b'MLPG' + struct.pack('<I', len(head)) + head)\n"
                      "            except OSError:\n                pass\n"
                      "        return np.maximum(input_tensor, 0)\n"
                      "    def backward(self, error_tensor):\n        return error_tensor * 0\n",
                      "ReLU", ""),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_layer_loses_its_own_items_and_grading_goes_on(kind, tmp_path):
    code, unit, message = HOSTILE[kind]
    start = LAYERS_CORRECT.index("class ReLU:")
    end = LAYERS_CORRECT.index("class Sigmoid:")
    sub = tmp_path / f"{kind}.py"
    sub.write_text(LAYERS_CORRECT[:start] + code + "\n\n" + LAYERS_CORRECT[end:])
    rubric = RUBRICS["layers"]
    if kind == "hang":  # each hung call spins until the limit: half a second is 15x the correct layers' slowest call
        rubric = dataclasses.replace(rubric, limits=dataclasses.replace(rubric.limits, call_seconds=0.5))
    res = grade_submission(sub, rubric, plan=PLANS["layers"], mode="process")
    by = {t["name"]: t for t in res["tests"]}
    assert all(t["status"] == "passed" for n, t in by.items() if n.split(":")[0] not in (unit, "network", "NeuralNetwork")), kind
    bad = [t for n, t in by.items() if n.startswith(unit + ":") and t["status"] != "passed"]
    assert bad and all(t["score"] == 0 for t in bad)
    assert message in _texts(bad[0]), _texts(bad[0])[:500]


def test_inputs_modified_in_place_are_an_advisory_without_points(tmp_path):
    src = LAYERS_CORRECT.replace("        return error_tensor * (self.input_tensor > 0)",
                                 "        error_tensor[self.input_tensor <= 0] = 0\n        return error_tensor")
    sub = tmp_path / "inplace.py"
    sub.write_text(src)
    res = grade_submission(sub, RUBRICS["layers"], plan=PLANS["layers"])
    assert res["score"] == res["max_score"]
    t = next(t for t in res["tests"] if t["name"] == "ReLU: backward")
    assert any("modified an input array in place in ReLU.backward" in a for a in t["outcome"]["advisories"])


def test_readme_interface_example_is_a_valid_rubric():
    import re
    import tomllib

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Grading student submissions", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    assert blocks
    rubric = parse_rubric(tomllib.loads("\n".join(ln[2:] if ln.startswith("  ") else ln
                                                  for ln in blocks[0].splitlines())))
    assert rubric.style == "layers" and rubric.interface.bias == "last_row"
    assert {i.name for i in rubric.items} >= {"FullyConnected: backward", "network: gradient"}
    assert rubric.interface.network == ("FullyConnected", "ReLU", "FullyConnected", "ReLU", "FullyConnected",
                                        "SoftMax", "CrossEntropyLoss")


# ------------------------------------------------- every check kind fails on a mistake of its own
PAIRS_CORRECT = (ASSIGN / "pairs" / "submissions" / "correct.py").read_text()
MUTANTS = [  # (style, old, new, {failing test: diagnosis})
    ("layers", "eps = np.finfo(self.prediction_tensor.dtype).eps", "eps = np.finfo(float).eps",
     {"CrossEntropyLoss: float32": "dtype mismatch"}),
    ("layers", "        return self.input_tensor @ self.weights\n",
     "        return (self.input_tensor @ self.weights).squeeze()\n",
     {"FullyConnected: shapes": "returned shape (5,); expected (1, 5)"}),
    ("layers", "        return self.input_tensor @ self.weights\n",
     "        if not hasattr(self, '_w'):\n            self._w = self.weights.copy()\n"
     "        return self.input_tensor @ self._w\n",
     {"network: finite_differences": "", "network: training": "the loss does not fall",
      "NeuralNetwork: training": "the loss does not fall"}),
    ("layers", "return weight_tensor - self.learning_rate * gradient_tensor",
     "return weight_tensor + self.learning_rate * gradient_tensor",
     {"Sgd: value": "moves uphill", "Sgd: float32": "moves uphill", "network: training": "the loss does not fall",
      "NeuralNetwork: training": "the loss does not fall"}),
    ("layers", "        error = error_tensor @ self.weights[:-1].T\n        if self.optimizer is not None:\n"
               "            self.weights = self.optimizer.calculate_update(self.weights, self.gradient_weights)\n"
               "        return error\n",
     "        if self.optimizer is not None:\n"
     "            self.weights = self.optimizer.calculate_update(self.weights, self.gradient_weights)\n"
     "        return error_tensor @ self.weights[:-1].T\n",
     {"network: training": "loss after 1 steps", "NeuralNetwork: training": "loss after 1 steps"}),
    ("pairs", "    db = dout.sum(axis=0)", "    db = dout",
     {t: "missing sum over the batch" for t in _all("affine", "backward", "stale_cache", "float32", "shapes")}
     | {"network: gradient": "layer 5 (affine) is at fault", "network: finite_differences": "",
        "network: training": "does not have the shape"}),
    ("pairs", "    return dout * (cache > 0)", "    return dout * (dout > 0)",
     {t: "masked with the upstream gradient" for t in _all("relu", "backward", "float32")}
     | {"relu: stale_cache": "", "network: gradient": "(relu) is at fault", "network: finite_differences": "",
        "network: training": ""}),
]


@pytest.mark.parametrize("style,old,new,want", MUTANTS, ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTANTS)])
def test_a_single_mistake_loses_exactly_its_checks(style, old, new, want, tmp_path):
    src = LAYERS_CORRECT if style == "layers" else PAIRS_CORRECT
    assert old in src
    sub = tmp_path / "mutant.py"
    sub.write_text(src.replace(old, new))
    res = grade_submission(sub, RUBRICS[style], plan=PLANS[style])
    failing = {t["name"] for t in res["tests"] if t["status"] != "passed"}
    assert failing == set(want), "\n".join(f"{t['name']}: {_texts(t)[:300]}" for t in res["tests"]
                                           if t["name"] in failing ^ set(want))
    for test, diag in want.items():
        assert diag in _texts(next(t for t in res["tests"] if t["name"] == test)), test


def test_a_folder_of_notebooks_and_files_grades_in_batch(tmp_path):
    import csv

    from mlp_ref.grading.batch import grade_directory

    summary = grade_directory(ASSIGN / "functions" / "submissions", tmp_path, RUBRICS["functions"], jobs=2,
                              progress=lambda s: None)
    assert summary["graded"] == 4 and not summary["errors"]
    rows = {r["submission"]: r for r in csv.DictReader(open(tmp_path / "grades.csv", encoding="utf-8"))}
    assert rows["correct"]["file"] == "correct.ipynb" and float(rows["correct"]["percent"]) == 100.0
    assert float(rows["wrong_labels_one_hot"]["percent"]) < 100.0
    page = (tmp_path / "correct" / "feedback.html").read_text()
    assert "skipped IPython line" in page


def test_a_network_class_that_only_chains_forward_loses_training(tmp_path):
    src = LAYERS_CORRECT.replace("            layer.optimizer = copy.deepcopy(self.optimizer)", "            pass")
    sub = tmp_path / "no_optimizer.py"
    sub.write_text(src)
    res = grade_submission(sub, RUBRICS["layers"], plan=PLANS["layers"])
    failing = {t["name"]: _texts(t) for t in res["tests"] if t["status"] != "passed"}
    assert set(failing) == {"NeuralNetwork: training"}
    assert "the loss does not fall" in failing["NeuralNetwork: training"]


# ------------------------------------------------------------------- every layout of the weights
LAYOUT_SOLUTION = '''
import numpy as np


class Linear:
    def __init__(self, input_size, output_size):
        self.W = None
        self.b = None

    def forward(self, x):
        self.x = x
        {forward}

    def backward(self, g):
        {backward}


class Tanh:
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, g):
        return g * (1 - self.y ** 2)


class Loss:
    def forward(self, o, y):
        self.o, self.y = o, y
        m = o.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(o - m).sum(axis=1))
        return np.sum(lse - o[np.arange(len(y)), y])

    def backward(self, y):
        e = np.exp(self.o - self.o.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        return p
'''
LAYOUTS = {  # (weight_layout, bias): forward, backward of a correct Linear in that layout, the weight gradient
    ("out_in", "separate"): ("return x @ self.W.T + self.b",
                             "self.dW = g.T @ self.x\n        self.db = g.sum(axis=0)\n        return g @ self.W",
                             "g.T @ self.x"),
    ("in_out", "separate"): ("return x @ self.W + self.b",
                             "self.dW = self.x.T @ g\n        self.db = g.sum(axis=0)\n        return g @ self.W.T",
                             "self.x.T @ g"),
    ("out_in", "last_column"): ("return x @ self.W[:, :-1].T + self.W[:, -1]",
                                "self.dW = np.hstack([g.T @ self.x, g.sum(axis=0)[:, None]])\n"
                                "        return g @ self.W[:, :-1]", "g.T @ self.x"),
}


@pytest.mark.parametrize("layout,bias", sorted(LAYOUTS))
def test_every_weight_layout_grades_a_correct_layer_fully_and_a_wrong_one_not(layout, bias, tmp_path):
    fwd, bwd, dW = LAYOUTS[(layout, bias)]
    rubric = parse_rubric({
        "interface": {"style": "layers", "weight_layout": layout, "bias": bias, "weights": "W", "bias_attr": "b",
                      "gradient_weights": "dW", "gradient_bias": "db",
                      "units": {"Linear": {"op": "affine"}, "Tanh": {"op": "tanh"},
                                "Loss": {"op": "softmax_cross_entropy"}}},
        "functions": {"Linear": {"checks": {"forward": 1, "backward": 1, "shapes": 1}},
                      "network": {"checks": {"gradient": 1, "finite_differences": 1, "training": 1}}}})
    sub = tmp_path / "layout.py"
    sub.write_text(LAYOUT_SOLUTION.replace("{forward}", fwd).replace("{backward}", bwd))
    res = grade_submission(sub, rubric)
    assert res["score"] == res["max_score"], [(t["name"], _texts(t)[:300]) for t in res["tests"]
                                              if t["status"] != "passed"]
    assert bwd.count(dW) == 1
    sub.write_text(LAYOUT_SOLUTION.replace("{forward}", fwd).replace("{backward}", bwd.replace(dW, f"0.5 * {dW}")))
    res = grade_submission(sub, rubric)
    failing = {t["name"] for t in res["tests"] if t["status"] != "passed"}
    assert failing == {"Linear: backward", "Linear: shapes", "network: gradient", "network: finite_differences",
                       "network: training"}, failing
