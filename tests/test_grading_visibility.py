"""Visibility as Gradescope defines it: hidden, after-due-date and after-published tests are absent
from every field a student sees now, the total is not printed while any test is hidden, and the
submission's printed output follows stdout_visibility (and never includes what it printed while a
hidden check ran). feedback.html has a student view without them; the staff view keeps them."""
from __future__ import annotations

import json

import pytest

from mlp_ref.grading.gradescope import results_json
from mlp_ref.grading.grader import grade_submission
from mlp_ref.grading.outputs import write_outputs
from mlp_ref.grading.rubric import parse_rubric
from mlp_ref.grading.sandbox import SIMULATE_NO_LANDLOCK_ENV

pytestmark = pytest.mark.xdist_group("grading-visibility")  # shares a module fixture: one worker builds it

SUBMISSION = '''
import numpy as np

def tanh(z):
    print("VISIBLE-CHECK-PRINT")
    return np.tanh(z)

def relu(z):
    print("HIDDEN-INPUT", repr(z.tolist()))
    return z  # wrong: fails the hidden check

def sigmoid(z):
    print("LATER-INPUT", repr(z.tolist()))
    return z  # wrong: fails the after-due-date check
'''


def rubric(stdout_visibility="hidden", hidden=True):
    return parse_rubric({"name": "vis", "seed": 99, "stdout_visibility": stdout_visibility, "functions": {
        "tanh": {"checks": {"value": 1.0}},
        "relu": {"visibility": "hidden" if hidden else "visible", "checks": {"value": 2.0}},
        "sigmoid": {"checks": {"value": {"points": 3.0, "visibility": "after_due_date" if hidden else "visible"}}}}})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Graded as on Gradescope: process mode, Landlock's system calls made to fail."""
    tmp = tmp_path_factory.mktemp("vis")
    sub = tmp / "student.py"
    sub.write_text(SUBMISSION)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SIMULATE_NO_LANDLOCK_ENV, "1")
        graded = {sv: grade_submission(sub, rubric(sv), mode="process") for sv in ("hidden", "visible")}
    assert "landlock" not in graded["hidden"]["sandbox"]
    return graded, tmp


def test_top_level_output_names_no_hidden_test_and_no_total(graded):
    res = graded[0]["hidden"]
    out = results_json(res)["output"]
    assert res["score"] == 1.0 and res["max_score"] == 6.0
    assert "relu" not in out and "sigmoid" not in out and "Score:" not in out and "/ 6" not in out
    assert "Visible checks: 1 / 1" in out and "seed" not in out and "99" not in out


def test_total_is_printed_when_every_test_is_visible(tmp_path):
    sub = tmp_path / "s.py"
    sub.write_text(SUBMISSION)
    out = results_json(grade_submission(sub, rubric(hidden=False)))["output"]
    assert "Score: 1 / 6" in out and "relu: value" in out


def test_printed_output_follows_stdout_visibility(graded):
    hidden, visible = (results_json(graded[0][k]) for k in ("hidden", "visible"))
    assert "VISIBLE-CHECK-PRINT" not in hidden["output"]
    assert "VISIBLE-CHECK-PRINT" in visible["output"]
    for data in (hidden, visible):  # what it printed during hidden checks never reaches the student
        assert "HIDDEN-INPUT" not in data["output"] and "LATER-INPUT" not in data["output"]
        assert "HIDDEN-INPUT" in data["extra_data"]["printed"]  # staff keep it
    tests = {t["name"]: t for t in visible["tests"]}
    assert tests["relu: value"]["visibility"] == "hidden"
    assert tests["sigmoid: value"]["visibility"] == "after_due_date"


def test_feedback_student_view_and_staff_view(graded):
    res, tmp = graded[0]["visible"], graded[1]
    student = write_outputs(res, tmp / "student", student=True)["feedback"].read_text()
    staff = write_outputs(res, tmp / "staff")["feedback"].read_text()
    assert 'id="tanh"' in student and 'id="relu"' not in student and 'id="sigmoid"' not in student
    assert "HIDDEN-INPUT" not in student and "VISIBLE-CHECK-PRINT" in student
    assert "Visible checks: 1 / 1" in student and "/ 6" not in student and "seed 99" not in student
    assert 'id="relu"' in staff and "HIDDEN-INPUT" in staff and "Staff view" in staff and "1 / 6" in staff
    json.loads((tmp / "student" / "results.json").read_text())  # results.json is the same in both views


def test_cli_student_view_prints_no_hidden_test(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    sub = tmp_path / "s.py"
    sub.write_text(SUBMISSION)
    toml = tmp_path / "r.toml"
    toml.write_text('seed = 99\nstdout_visibility = "visible"\n[functions.tanh]\nchecks = { value = 1.0 }\n'
                    '[functions.relu]\nvisibility = "hidden"\nchecks = { value = 2.0 }\n')
    root = Path(__file__).resolve().parents[1]
    args = [sys.executable, "-m", "mlp_ref.cli", "grade", str(sub), "--rubric", str(toml), "--out", str(tmp_path / "o")]
    staff = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=120).stdout
    student = subprocess.run([*args, "--student-view"], cwd=root, capture_output=True, text=True, timeout=120).stdout
    assert "FAILED relu: value" in staff and "1 / 3 points" in staff
    assert "relu" not in student and "/ 3" not in student and "visible checks 1 / 1 points" in student
