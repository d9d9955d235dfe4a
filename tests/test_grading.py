"""`mlp-ref grade`: rubric, template, the example submissions' scores and diagnoses, the Gradescope
results format, feedback.html, re-grade determinism, batch mode, the bundle and the CLI."""
from __future__ import annotations

import ast
import csv
import inspect
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import mlp_ref
from mlp_ref.grading import protocol
from mlp_ref.grading.batch import grade_directory
from mlp_ref.grading.bundle import build_bundle
from mlp_ref.grading.checks import FUNCTIONS, build_cases
from mlp_ref.grading.compare import TOLERANCES, compare_tree
from mlp_ref.grading.gradescope import results_json
from mlp_ref.grading.grader import grade_submission
from mlp_ref.grading.outputs import write_outputs
from mlp_ref.grading.rubric import DEFAULT_RUBRIC, VISIBILITIES, load_rubric, parse_rubric
from mlp_ref.grading.template import render_template

pytestmark = pytest.mark.xdist_group("grading-batch")  # shares a module fixture: one worker builds it

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions"
RUBRIC = load_rubric()

# every typical mistake: the exact set of failing tests, and a diagnosis each of them must name
MLP_BACKWARD = {"mlp_backward: value", "mlp_backward: relu", "mlp_backward: output_activation",
                "mlp_backward: no_bias", "mlp_backward: float32"}
SCE = {f"softmax_cross_entropy{g}: {c}" for g in ("", "_grad")
       for c in ("value", "reductions", "single_vector", "large_logits", "float32")}
WRONG = {
    "wrong_transposed_dW": ({"linear_backward: value", "linear_backward: single_vector", "linear_backward: no_bias",
                             "linear_backward: float32"} | MLP_BACKWARD, "transposed result"),
    "wrong_missing_batch_sum": ({"linear_backward: value", "linear_backward: float32"}
                                | MLP_BACKWARD - {"mlp_backward: no_bias"}, "missing sum over the batch"),
    "wrong_mean_reduction": ({"squared_error: value", "squared_error: reductions", "squared_error: large_inputs",
                              "squared_error: float32", "mse: reductions"},
                             "wrong reduction: you divide by N = 4 (a mean) where the sum"),
    "wrong_off_by_one_class": (SCE,
                               "off-by-one class index"),
    "wrong_derivative_at_output": ({"sigmoid_grad: value", "sigmoid_grad: float32", "mlp_backward: output_activation"},
                                   "derivative evaluated at the wrong point"),
    "wrong_derivative_twice": ({"tanh_grad: value", "tanh_grad: float32", "mlp_backward: value", "mlp_backward: no_bias",
                                "mlp_backward: float32"}, "derivative evaluated at the wrong point"),
    "wrong_softmax_overflow": ({"softmax: large_logits", "log_softmax: large_logits",
                                "softmax_cross_entropy: large_logits", "softmax_cross_entropy_grad: large_logits"},
                               "softmax overflow on large logits"),
    "wrong_dtype_shape": ({"sigmoid: float32", "sigmoid_grad: float32", "binary_cross_entropy_with_logits_grad: float32",
                           "numerical_gradient: forward", "numerical_gradient: central", "numerical_gradient: eps",
                           "numerical_gradient: float32"}, None),
}
DTYPE_SHAPE_DIAGNOSES = {"sigmoid: float32": "dtype mismatch", "sigmoid_grad: float32": "dtype mismatch",
                         "binary_cross_entropy_with_logits_grad: float32": "dtype mismatch",
                         **{f"numerical_gradient: {c}": "right values in the wrong shape"
                            for c in ("forward", "central", "eps", "float32")}}


def failing_helper(failing: set, function: str) -> str:
    """The first other function among the failing tests (the helper a cascade diagnosis names)."""
    return next((n.split(":")[0] for n in sorted(failing) if n.split(":")[0] != function), "?")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Grade examples/submissions as a folder with --jobs 2 (this is also the batch-mode test)."""
    out = tmp_path_factory.mktemp("batch")
    summary = grade_directory(EXAMPLES, out, RUBRIC, jobs=2, progress=lambda s: None)
    return out, summary


def _results(batch, name) -> dict:
    return json.loads((batch[0] / name / "results.json").read_text())


# ---------------------------------------------------------------------------------- rubric
def test_default_rubric_loads_and_covers_the_required_functions():
    names = set(RUBRIC.functions)
    for required in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softmax",
                     "linear", "linear_backward", "squared_error", "squared_error_grad",
                     "softmax_cross_entropy", "softmax_cross_entropy_grad", "mlp_forward", "mlp_backward",
                     "numerical_gradient", "gradient_descent_step"):
        assert required in names
    assert RUBRIC.max_score == pytest.approx(sum(i.points for i in RUBRIC.items))
    assert {i.visibility for i in RUBRIC.items} <= set(VISIBILITIES)
    assert RUBRIC.conventions["relu_grad_at_zero"] == (0.0, 1.0)
    assert RUBRIC.path == str(DEFAULT_RUBRIC)


@pytest.mark.parametrize("data, message", [
    ({"functions": {"sigmoid": {"checks": {"value": 1}}}, "sede": 1}, "unknown key(s) ['sede']"),
    ({"functions": {"sigmoidd": {"checks": {"value": 1}}}}, "no graded function 'sigmoidd'"),
    ({"functions": {"sigmoid": {"checks": {"kink": 1}}}}, "no check 'kink' for sigmoid"),
    ({"functions": {"sigmoid": {"checks": {"value": -1}}}}, "non-negative number"),
    ({"functions": {"sigmoid": {"visibility": "secret", "checks": {"value": 1}}}}, "visibility must be one of"),
    ({"functions": {"sigmoid": {"checks": {"value": 1}}}, "limits": {"call_seconds": 0}}, "positive number"),
    ({"functions": {}}, "at least one"),
])
def test_rubric_errors_name_the_problem(data, message):
    with pytest.raises(ValueError, match="rubric") as exc:
        parse_rubric(data)
    assert message in str(exc.value)


def test_rubric_weights_and_per_check_visibility():
    r = parse_rubric({"seed": 3, "functions": {"relu_grad": {"weight": 2.0, "visibility": "hidden", "checks": {
        "value": 1.5, "kink": {"points": 1, "visibility": "after_published"}}}}})
    items = {i.check: i for i in r.items}
    assert items["value"].points == 3.0 and items["value"].visibility == "hidden"
    assert items["kink"].points == 2.0 and items["kink"].visibility == "after_published"


def test_cases_are_deterministic_in_the_seed_and_independent_of_other_checks():
    conv = RUBRIC.conventions
    a = build_cases("softmax", "value", 11, conv)[0].args[0]
    b = build_cases("softmax", "value", 11, conv)[0].args[0]
    c = build_cases("softmax", "value", 12, conv)[0].args[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_every_check_builds_cases_that_the_reference_passes():
    """The expected values are mlp_ref's, so mlp_ref itself must pass every check of every function."""
    for name, gf in FUNCTIONS.items():
        for check in gf.checks:
            for case in build_cases(name, check, 5, RUBRIC.conventions):
                if case.mode != "call":
                    continue
                got = getattr(mlp_ref, case.func)(*case.args, **case.kwargs)
                if case.select is not None:
                    got = got[case.select]
                got = {k: v for k, v in got.items()} if isinstance(got, dict) else got
                if isinstance(got, np.generic):
                    got = np.asarray(got)
                leaves = compare_tree(case.expected, got, TOLERANCES[case.dtype])
                assert all(lf.ok for lf in leaves), (name, check, [lf.problem for lf in leaves])


# -------------------------------------------------------------------------------- template
def test_template_has_the_reference_signatures_and_raises_not_implemented(tmp_path):
    text = render_template(RUBRIC)
    tree = ast.parse(text)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert list(defs) == list(RUBRIC.functions)
    ns = {}
    exec(compile(text, "template.py", "exec"), ns)
    for name in RUBRIC.functions:
        ref = inspect.signature(getattr(mlp_ref, name))
        got = inspect.signature(ns[name])
        assert list(got.parameters) == list(ref.parameters), name
        assert [p.default for p in got.parameters.values()] == [p.default for p in ref.parameters.values()]
        doc = ns[name].__doc__
        assert "Formula:" in doc and "Shapes:" in doc and "Source:" in doc, name
        body = defs[name].body
        assert isinstance(body[-1], ast.Raise) and body[-1].exc.id == "NotImplementedError"
    assert "this course accepts ReLU'(0) = 0 or 1" in ns["relu_grad"].__doc__


def test_template_grades_to_zero_with_not_implemented(tmp_path):
    sub = tmp_path / "template.py"
    sub.write_text(render_template(RUBRIC))
    res = grade_submission(sub, RUBRIC)
    assert res["score"] == 0 and res["load"]["ok"]
    assert all("not implemented yet" in t["outcome"]["message"] for t in res["tests"])


# ------------------------------------------------------------------------ example submissions
def test_correct_submission_gets_full_marks_quickly(batch):
    res = _results(batch, "correct")
    assert res["score"] == RUBRIC.max_score
    assert all(t["status"] == "passed" for t in res["tests"])
    assert res["execution_time"] < 10.0


def test_correct_example_does_not_use_the_reference():
    text = (EXAMPLES / "correct.py").read_text()
    assert "mlp_ref" not in text.split('"""', 2)[2]


@pytest.mark.parametrize("name", sorted(WRONG))
def test_typical_mistake_gets_the_expected_score_and_diagnosis(batch, name):
    res = _results(batch, name)
    failing, diagnosis = WRONG[name]
    got_failing = {t["name"] for t in res["tests"] if t["status"] == "failed"}
    assert got_failing == failing
    points = {i.name: i.points for i in RUBRIC.items}
    assert res["score"] == pytest.approx(RUBRIC.max_score - sum(points[n] for n in failing))
    for t in res["tests"]:
        if t["status"] == "failed":
            want = diagnosis or DTYPE_SHAPE_DIAGNOSES[t["name"]]
            # a function that fails because a helper of the submission does may name the helper instead
            cascade = f"uses your {failing_helper(failing, t['name'].split(':')[0])}, which fails its own checks"
            assert "Diagnosis: " in t["output"] and (want in t["output"] or cascade in t["output"]), (
                t["name"], t["output"])
            assert "Formula:" in t["output"] and "Failing input:" in t["output"]


def test_relu_kink_convention_one_is_accepted_when_the_rubric_accepts_it(batch):
    res = _results(batch, "relu_kink_one")
    assert res["score"] == RUBRIC.max_score
    kink = next(t for t in res["tests"] if t["name"] == "relu_grad: kink")
    assert "ReLU'(0) = 1, an accepted convention" in kink["output"]


def test_relu_kink_convention_is_named_when_the_rubric_rejects_it(tmp_path):
    rubric = parse_rubric({"seed": 1, "conventions": {"relu_grad_at_zero": [0.0]},
                           "functions": {"relu_grad": {"checks": {"value": 1, "kink": 1}}}})
    res = grade_submission(EXAMPLES / "relu_kink_one.py", rubric)
    by = {t["check"]: t for t in res["tests"]}
    assert by["value"]["status"] == "passed" and by["kink"]["status"] == "failed"
    assert "kink convention: your ReLU'(0) = 1, and this course accepts 0" in by["kink"]["outcome"]["diagnoses"][0]


def test_failed_test_shows_the_formula_source_input_expected_got_and_max_error(batch):
    res = _results(batch, "wrong_derivative_at_output")
    t = next(t for t in res["tests"] if t["name"] == "sigmoid_grad: value")
    out = t["output"]
    for part in ("Formula: sigma'(z) = sigma(z) (1 - sigma(z))", "Source: ", "Failing input: float64 batch z",
                 "Expected:", "Got:", "Max abs error:", "Inputs:", "z = "):
        assert part in out, part


# ----------------------------------------------------------------- results.json, feedback.html
def test_results_json_is_in_gradescope_format(batch):
    res = _results(batch, "wrong_off_by_one_class")
    assert set(res) >= {"score", "execution_time", "output", "tests", "visibility", "stdout_visibility"}
    assert res["score"] == pytest.approx(sum(t["score"] for t in res["tests"]))
    for t in res["tests"]:
        assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert t["status"] in ("passed", "failed") and t["visibility"] in VISIBILITIES
        assert 0 <= t["score"] <= t["max_score"]
    vis = {t["name"]: t["visibility"] for t in res["tests"]}
    assert vis["mlp_backward: relu"] == "after_due_date" and vis["sigmoid: value"] == "visible"


def test_feedback_html_is_rendered_with_escaping(batch, tmp_path):
    html = (batch[0] / "wrong_softmax_overflow" / "feedback.html").read_text()
    assert "softmax overflow on large logits" in html and "<!DOCTYPE html>" in html
    res = grade_submission(EXAMPLES / "correct.py", parse_rubric({"functions": {"tanh": {"checks": {"value": 1}}}}))
    res["printed"] = "<script>alert(1)</script>"
    res["tests"][0]["status"] = "failed"
    res["tests"][0]["outcome"] = {"passed": False, "message": "<b>x</b>", "case": "c", "problems": [],
                                  "diagnoses": ["<i>d</i>"]}
    page = write_outputs(res, tmp_path)["feedback"].read_text()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in page and "<i>d</i>" not in page


def test_regrade_with_the_same_seed_is_identical(tmp_path):
    def run():
        res = grade_submission(EXAMPLES / "wrong_off_by_one_class.py", RUBRIC)
        data = results_json(res)
        data.pop("execution_time")
        return data

    assert run() == run()


def test_batch_writes_grades_csv_and_a_folder_per_submission(batch):
    out, summary = batch
    rows = list(csv.DictReader(open(out / "grades.csv")))
    names = {p.stem for p in EXAMPLES.glob("*.py")}
    assert {r["submission"] for r in rows} == names and summary["errors"] == []
    for r in rows:
        assert (out / r["submission"] / "results.json").exists() and (out / r["submission"] / "feedback.html").exists()
        assert float(r["score"]) == json.loads((out / r["submission"] / "results.json").read_text())["score"]
    assert any("hostile/" in s for s in summary["skipped"])  # a folder of many .py files is not one submission


# ----------------------------------------------------------------------------- protocol
@pytest.mark.parametrize("node, blobs, message", [
    ({"t": "nd", "i": 0, "dtype": "<f8", "shape": [2, 2]}, [b"\0" * 8], "byte count"),
    ({"t": "nd", "i": 3, "dtype": "<f8", "shape": [1]}, [b"\0" * 8], "index"),
    ({"t": "nd", "i": 0, "dtype": "<f8", "shape": [-1]}, [b"\0" * 8], "shape"),
    ({"t": "pickle", "v": "x"}, [], "unknown value tag"),
    ({"t": "dict", "v": [[1, {"t": "none"}]]}, [], "malformed dict"),
])
def test_protocol_rejects_malformed_replies(node, blobs, message):
    with pytest.raises(protocol.ProtocolError, match=message):
        protocol.decode_value(node, blobs)


def test_protocol_never_builds_object_arrays():
    got = protocol.decode_value({"t": "nd", "i": 0, "dtype": "|O", "shape": [1]}, [b"\0" * 8])
    assert isinstance(got, protocol.Unsupported)
    arr = protocol.decode_value({"t": "nd", "i": 0, "dtype": "<f4", "shape": [2]}, [np.float32([1, 2]).tobytes()])
    assert type(arr) is np.ndarray and arr.dtype == np.float32 and arr.flags.writeable


def test_worker_never_imports_the_reference():
    src = (ROOT / "mlp_ref" / "grading" / "worker.py").read_text()
    tree = ast.parse(src)
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree))
    assert "mlp_ref" not in imported and imported <= set(sys.stdlib_module_names) | {"numpy"}


def test_import_mlp_ref_stays_numpy_only():
    code = ("import mlp_ref, mlp_ref.cli, sys; mlp_ref.cli.build_parser(); "
            "bad = [m for m in ('jinja2', 'mlp_ref.grading.grader', 'mlp_ref.grading.sandbox') if m in sys.modules]; "
            "sys.exit(repr(bad) if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True).returncode == 0


# ----------------------------------------------------------------------------------- CLI
def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "mlp_ref.cli", "grade", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_cli_grades_one_submission_and_prints_a_summary(tmp_path):
    p = _cli(str(EXAMPLES / "wrong_mean_reduction.py"), "--out", str(tmp_path / "o"))
    assert p.returncode == 0, p.stderr
    assert f"wrong_mean_reduction.py: {RUBRIC.max_score - 3.5:g} / {RUBRIC.max_score:g} points" in p.stdout
    assert "FAILED squared_error: value" in p.stdout and "diagnosis: wrong reduction" in p.stdout
    assert json.loads((tmp_path / "o" / "results.json").read_text())["score"] == RUBRIC.max_score - 3.5


def test_cli_template_and_usage_errors(tmp_path):
    p = _cli("--template")
    assert p.returncode == 0 and p.stdout.startswith('"""') and "def mlp_backward(g, cache" in p.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = 1\n[functions.nope]\nchecks = {value = 1}\n")
    p = _cli(str(EXAMPLES / "correct.py"), "--rubric", str(bad))
    assert p.returncode == 2 and "no graded function 'nope'" in p.stderr
    assert _cli(str(tmp_path / "missing.py")).returncode == 2


# -------------------------------------------------------------------------------- bundle
def test_gradescope_bundle_contents(tmp_path):
    """The zip's scripts are executable shell and its wheel holds what the CLI needs at start-up (the
    bundle is run as Gradescope runs it in tests/test_grading_bundle.py)."""
    info = build_bundle(tmp_path / "ag.zip", DEFAULT_RUBRIC)
    src = tmp_path / "source"
    with zipfile.ZipFile(info["path"]) as z:
        z.extractall(src)
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    for f in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(src / f)]).returncode == 0
    assert "--student-view" in (src / "run_autograder").read_text()
    wheel = next((src / "wheels").glob("mlp_ref-*-py3-none-any.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert {"mlp_ref/grading/worker.py", "mlp_ref/grading/default_rubric.toml",
                "reports/templates/feedback.html.j2", "oracles/tolerances.py"} <= names
        record = z.read(next(n for n in names if n.endswith("dist-info/RECORD"))).decode()
        assert "mlp_ref/__init__.py,sha256=" in record
        z.extractall(site)
    # the parser builds with only the wheel's packages importable: no benchmarks, no torch, no jax
    code = ("import sys; sys.modules.update(benchmarks=None, torch=None, jax=None); import mlp_ref.cli as c; "
            "p = c.build_parser(); print(p.parse_args(['grade', '--template']).command); "
            "print(c.main(['bench']))")
    numpy_site = Path(np.__file__).resolve().parents[1]
    p = subprocess.run([sys.executable, "-S", "-c", code + "; print(c.__file__)"], cwd=str(tmp_path),
                       env={"PYTHONPATH": f"{site}{os.pathsep}{numpy_site}"}, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0 and p.stdout.split() == ["grade", "2", str(site / "mlp_ref" / "cli.py")], p.stderr
    assert "mlp-ref bench: not available in this installation" in p.stderr


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_bundle_wheels_must_be_a_folder_of_wheels(tmp_path, make):
    folder = tmp_path / "wheels"
    if make == "empty":
        folder.mkdir()
    p = _cli("--gradescope-bundle", str(tmp_path / "ag.zip"), "--bundle-wheels", str(folder))
    assert p.returncode == 2 and "--bundle-wheels" in p.stderr and "pip download" in p.stderr
    assert not (tmp_path / "ag.zip").exists()


def test_a_broken_sandbox_is_a_grader_error_not_a_zero(tmp_path, monkeypatch):
    from mlp_ref.grading import sandbox

    broken = tmp_path / "worker.py"
    broken.write_text("import sys\nsys.exit(1)\n")
    monkeypatch.setattr(sandbox, "WORKER", broken)
    with pytest.raises(sandbox.SandboxError, match="the sandbox did not start"):
        grade_submission(EXAMPLES / "correct.py", parse_rubric({"functions": {"tanh": {"checks": {"value": 1}}}}))
