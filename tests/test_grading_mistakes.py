"""No untested promise, and a diagnosis for each common mistake.

Single-mistake variants of examples/submissions/correct.py (tests/grading_mutants.py) are graded
with the default rubric: each loses exactly the points of the checks it fails, and the feedback
names the mistake. The checks table itself is tested for coverage: every documented parameter is
passed with a non-default value by some check, every graded function has a float32 check, and
every function cites its place in the documents.
"""
from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest

import mlp_ref
from grading_mutants import MUTANTS, mutant_source
from mlp_ref.grading.batch import grade_directory
from mlp_ref.grading.checks import FUNCTIONS, build_cases
from mlp_ref.grading.references import cite
from mlp_ref.grading.rubric import load_rubric

pytestmark = pytest.mark.xdist_group("grading-mistakes")  # shares a module fixture: one worker builds it

ROOT = Path(__file__).resolve().parents[1]
RUBRIC = load_rubric()
CONV = {"relu_grad_at_zero": (0.0, 1.0)}
# parameters whose default the graded call always keeps, with the reason
KEPT_DEFAULT = {("mlp_backward", "input_grad"): "the template says mlp_backward is graded with input_grad's default"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mutants")
    correct = (ROOT / "examples" / "submissions" / "correct.py").read_text()
    for name in MUTANTS:
        (tmp / "in").mkdir(exist_ok=True)
        (tmp / "in" / f"{name}.py").write_text(mutant_source(correct, name))
    summary = grade_directory(tmp / "in", tmp / "out", RUBRIC, jobs=2, progress=lambda s: None)
    assert summary["errors"] == []
    return tmp / "out"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_each_mistake_loses_its_points_and_is_named(graded, name):
    _, failing, where, words = MUTANTS[name]
    res = json.loads((graded / name / "results.json").read_text())
    got = {t["name"] for t in res["tests"] if t["status"] != "passed"}
    assert got == failing
    points = {i.name: i.points for i in RUBRIC.items}
    assert res["score"] == pytest.approx(RUBRIC.max_score - sum(points[n] for n in failing))
    if where:
        out = next(t["output"] for t in res["tests"] if t["name"] == where)
        assert words in out, out


def test_precision_loss_shows_enough_digits_to_see_it(graded):
    res = json.loads((graded / "gd_step_in_float32" / "results.json").read_text())
    out = next(t["output"] for t in res["tests"] if t["name"] == "gradient_descent_step: value")
    expected, got = (re.search(rf"{k}:\n\s+\[\[?([^\]]+)", out).group(1).split() for k in ("Expected", "Got"))
    assert expected != got, out  # the printed values differ where the arrays do
    assert max(len(x.lstrip("-").replace(".", "")) for x in expected) >= 10


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_documented_parameter_is_passed_by_some_check(name):
    gf = FUNCTIONS[name]
    params = inspect.signature(getattr(mlp_ref, name)).parameters
    cases = [c for check in gf.checks for c in build_cases(name, check, 1, CONV)]
    passed = {}
    for c in cases:
        named = dict(zip(params, c.args)) if c.mode == "call" else {}  # positional arguments by name
        for k, v in {**named, **c.kwargs}.items():
            passed.setdefault(k, []).append(v)
    for p in params.values():
        if p.default is inspect.Parameter.empty or (name, p.name) in KEPT_DEFAULT:
            continue
        if name == "mlp_forward" and p.name == "bs":  # positional: bs=None is the no_bias check
            assert any(c.args[2] is None for c in cases) and any(c.args[2] is not None for c in cases)
            continue
        values = passed.get(p.name, [])
        assert any(not (type(v) is type(p.default) and v == p.default) for v in values), (name, p.name, values)
    if name in ("mlp_forward", "mlp_backward"):
        used = {c.kwargs[k] for c in cases for k in ("activation", "output_activation")}
        assert used == {"relu", "tanh", "sigmoid", "identity"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_has_a_float32_check_and_a_short_citation(name):
    assert "float32" in FUNCTIONS[name].checks
    text = cite(name)
    assert 0 < len(text) <= 200 and "mlp_ref" not in text and re.match(r"00[0-4] ", text), text


def test_the_default_rubric_grades_float32_everywhere_and_the_mse():
    by = {}
    for i in RUBRIC.items:
        by.setdefault(i.function, set()).add(i.check)
    assert {"mse", "mse_grad"} <= set(by)
    assert all("float32" in checks for checks in by.values()), {f for f, c in by.items() if "float32" not in c}
    for f in ("tanh", "sigmoid", "squared_error", "squared_error_grad", "mse", "mse_grad",
              "binary_cross_entropy_with_logits", "softmax_cross_entropy"):
        assert by[f] & {"large_inputs", "large_logits"}, f


@pytest.mark.parametrize("name", ["leaky_relu", "leaky_relu_grad", "elu", "elu_grad", "swish", "swish_grad",
                                  "huber", "huber_grad"])
def test_further_functions_are_gradable(tmp_path, name):
    from mlp_ref.grading.grader import grade_submission
    from mlp_ref.grading.rubric import parse_rubric

    rubric = parse_rubric({"seed": 2, "functions": {name: {"checks": {c: 1.0 for c in FUNCTIONS[name].checks}}}})
    sub = tmp_path / "s.py"
    sub.write_text(EXTRA_SOLUTION)
    res = grade_submission(sub, rubric)
    assert res["score"] == rubric.max_score, [t["outcome"]["message"] for t in res["tests"] if t["status"] != "passed"]


@pytest.mark.parametrize("name, old, new, check", [
    ("elu", "alpha * np.expm1", "np.expm1", "alpha"),
    ("huber", "np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta))", "0.5 * r * r", "delta"),
    ("leaky_relu_grad", "np.where(z < 0, slope, at_zero)", "np.where(z < 0, 0.1, at_zero)", "slope"),
])
def test_their_parameters_are_graded(tmp_path, name, old, new, check):
    from mlp_ref.grading.grader import grade_submission
    from mlp_ref.grading.rubric import parse_rubric

    rubric = parse_rubric({"seed": 2, "functions": {name: {"checks": {c: 1.0 for c in FUNCTIONS[name].checks}}}})
    sub = tmp_path / "s.py"
    assert old in EXTRA_SOLUTION
    sub.write_text(EXTRA_SOLUTION.replace(old, new))
    res = grade_submission(sub, rubric)
    failed = {t["check"]: t for t in res["tests"] if t["status"] != "passed"}
    assert check in failed, res["tests"]
    if check != "delta":  # ignoring delta changes the value at the default delta too
        assert set(failed) == {check} and f"ignores {check}" in " ".join(failed[check]["outcome"]["diagnoses"])


# a NumPy-only implementation of the further activations and Huber (a student's, not mlp_ref's)
EXTRA_SOLUTION = '''import numpy as np

def _sig(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))

def leaky_relu(z, slope=0.1):
    return np.where(z > 0, z, slope * z).astype(z.dtype)

def leaky_relu_grad(z, slope=0.1, at_zero=1.0):
    return np.where(z > 0, 1.0, np.where(z < 0, slope, at_zero)).astype(z.dtype)

def elu(z, alpha=1.0):
    return np.where(z >= 0, z, alpha * np.expm1(np.minimum(z, 0))).astype(z.dtype)

def elu_grad(z, alpha=1.0, at_zero=1.0):
    return np.where(z > 0, 1.0, np.where(z < 0, alpha * np.exp(np.minimum(z, 0)), at_zero)).astype(z.dtype)

def swish(z):
    return (z * _sig(z)).astype(z.dtype)

def swish_grad(z):
    s = _sig(z)
    return (s + z * s * (1 - s)).astype(z.dtype)

def _red(v, reduction):
    return v.sum() if reduction == "sum" else v.mean() if reduction == "mean" else v

def huber(yhat, y, delta=1.0, reduction="mean"):
    r = np.abs(yhat - y)
    per = np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta)).reshape(len(r), -1).sum(axis=1)
    return _red(per, reduction)

def huber_grad(yhat, y, delta=1.0, reduction="mean", g=1.0):
    r = yhat - y
    d = np.where(np.abs(r) <= delta, r, delta * np.sign(r))
    g = np.asarray(g, dtype=yhat.dtype)
    if reduction == "mean":
        g = g / len(r)
    elif reduction == "none":
        g = g.reshape((-1,) + (1,) * (r.ndim - 1))
    return (d * g).astype(yhat.dtype)
'''
