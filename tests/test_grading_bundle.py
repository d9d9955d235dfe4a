"""The Gradescope bundle tested as Gradescope runs it: the zip built by `mlp-ref grade
--gradescope-bundle`, a clean virtual environment made by setup.sh from the system interpreter
(not the development one), /autograder/{source,submission,results} laid out under a temporary
root (AUTOGRADER_ROOT), and run_autograder run once per submission.

NumPy, Jinja2 and nbformat come as wheels inside the zip (`--bundle-wheels`), fetched with the
system interpreter's pip (its cache or the configured index) into the cache folder
(`MLP_REF_CACHE_DIR`, else ~/.cache/mlp-ref) and reused for a week, so setup.sh installs offline.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mlp_ref.grading.bundle import build_bundle
from mlp_ref.grading.rubric import DEFAULT_RUBRIC, load_rubric
from mlp_ref.grading.sandbox import SIMULATE_NO_LANDLOCK_ENV

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions"
RUBRIC = load_rubric()
SYSTEM_PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gradescope-bundle")]


WHEELS_MAX_AGE_S = 7 * 24 * 3600  # then fetched again: Jinja2 and nbformat follow their releases


def _download(dest: Path) -> None:
    got = subprocess.run([str(SYSTEM_PYTHON), "-m", "pip", "download", "-q", "--only-binary=:all:", "-d", str(dest),
                          f"numpy=={np.__version__}", "jinja2", "nbformat"],  # with their dependencies
                         capture_output=True, text=True, timeout=300)
    if got.returncode != 0:
        pytest.skip(f"cannot fetch the NumPy, Jinja2 and nbformat wheels for the bundle: {got.stderr[-500:]}")


def _bundle_wheels(tmp: Path) -> Path:
    """The wheels to ship in the zip, for the system interpreter: from the cache folder when a complete
    set younger than a week is there, else downloaded (into the cache where it is writable)."""
    from oracles.jax_oracle import cache_base

    tag = f"cp{sys.version_info.major}{sys.version_info.minor}-numpy{np.__version__}"
    cached = cache_base() / "bundle-wheels" / tag
    done = cached / "COMPLETE"
    if done.exists() and time.time() - done.stat().st_mtime < WHEELS_MAX_AGE_S:
        return cached
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = Path(tempfile.mkdtemp(prefix=f"{tag}.", dir=cached.parent))
    except OSError:  # no writable cache folder: this session only
        _download(tmp / "wheels")
        return tmp / "wheels"
    try:
        _download(part)
        (part / "COMPLETE").write_text("")
        shutil.rmtree(cached, ignore_errors=True)
        try:
            os.replace(part, cached)  # whole or not at all: a run stopped half-way leaves no partial set
        except OSError:  # a run beside this one put its set there first
            if not done.exists():
                raise
    finally:
        shutil.rmtree(part, ignore_errors=True)
    return cached


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """(root, env): setup.sh has run under root/ with the system interpreter."""
    if not SYSTEM_PYTHON.exists():
        pytest.skip(f"no system interpreter at {SYSTEM_PYTHON}")
    tmp = tmp_path_factory.mktemp("bundle")
    info = build_bundle(tmp / "autograder.zip", DEFAULT_RUBRIC, _bundle_wheels(tmp))
    root = tmp / "autograder"
    with zipfile.ZipFile(info["path"]) as z:
        z.extractall(root / "source")
    for f in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / f, 0o755)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")  # where Gradescope puts it
    (root / "submission").mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "AUTOGRADER_ROOT": str(root),
           "MLPREF_PYTHON": str(SYSTEM_PYTHON), "LANG": "C.UTF-8"}
    p = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, cwd=str(root), capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    venv_python = root / "mlp-ref-venv" / "bin" / "python"
    assert not (root / "mlp-ref-venv" / "pyvenv.cfg").read_text().count("include-system-site-packages = true")
    return root, env, venv_python, p.stdout


def run(autograder, submission: Path, **extra_env) -> dict:
    root, env, _, _ = autograder
    for f in (root / "submission").iterdir():
        f.unlink()
    shutil.copy(submission, root / "submission" / submission.name)
    shutil.rmtree(root / "results", ignore_errors=True)
    p = subprocess.run([str(root / "run_autograder")], env=dict(env, **extra_env), cwd="/", capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_the_venv_holds_the_wheel_only(autograder):
    _, _, python, setup_log = autograder
    code = "import mlp_ref, numpy, sys; print(mlp_ref.__file__); import torch"
    p = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, cwd="/")
    assert "site-packages/mlp_ref" in p.stdout and "No module named 'torch'" in p.stderr
    assert "own unprivileged uid" in setup_log  # setup.sh prints the sandbox report


def test_correct_example_scores_full_marks(autograder):
    res = run(autograder, EXAMPLES / "correct.py")
    assert res["score"] == RUBRIC.max_score and len(res["tests"]) == len(RUBRIC.items)
    assert all(t["status"] == "passed" for t in res["tests"]), [t["name"] for t in res["tests"] if t["status"] != "passed"]


def test_wrong_example_loses_exactly_its_points(autograder):
    res = run(autograder, EXAMPLES / "wrong_mean_reduction.py")
    points = {i.name: i.points for i in RUBRIC.items}
    failed = {t["name"] for t in res["tests"] if t["status"] == "failed"}
    assert failed == {"squared_error: value", "squared_error: reductions", "squared_error: large_inputs",
                      "squared_error: float32", "mse: reductions"}  # as graded by tests/test_grading.py
    assert res["score"] == pytest.approx(RUBRIC.max_score - sum(points[n] for n in failed))


def test_feedback_is_the_student_view(autograder):
    root = autograder[0]
    run(autograder, EXAMPLES / "wrong_derivative_twice.py")
    page = (root / "results" / "feedback.html").read_text()
    hidden = [i for i in RUBRIC.items if i.visibility != "visible"]
    assert hidden and "Staff view" not in page and "Visible checks:" in page
    for item in hidden:  # mlp_backward: relu (after_due_date) is not on the page
        assert item.check == "relu" and "the same with ReLU hidden units" not in page


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="the bundle's isolation needs root")
def test_attacks_fail_in_process_mode_without_landlock(autograder):
    """As on Gradescope: no namespaces (process mode) and no Landlock (its calls fail)."""
    root, _, python, _ = autograder
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    text = (EXAMPLES / "hostile" / "snoop.py").read_text()
    for k, v in {"PROJECT": site, "RUBRIC": root / "source" / "rubric.toml", "SITE": site,
                 "CLASSMATE": root / "source" / "setup.sh", "GRADER_PID": 1, "MARKER": "/dev/shm/x"}.items():
        text = text.replace(f"__{k}__", str(v))
    sub = root.parent / "snoop.py"
    sub.write_text(text)
    res = run(autograder, sub, MLPREF_GRADE_SANDBOX="process", **{SIMULATE_NO_LANDLOCK_ENV: "1"})
    assert "process (own-uid, no-capabilities, seccomp-no-sockets)" in res["output"]
    by = {t["name"]: t for t in res["tests"]}
    for fn in ("sigmoid", "tanh", "relu", "softmax", "log_softmax", "sigmoid_grad"):
        assert by[f"{fn}: value"]["status"] == "passed", by[f"{fn}: value"]["output"]
    assert res["extra_data"]["sandbox_warnings"] == []


@pytest.mark.parametrize("style,correct,wrong,lost", [
    ("layers", "correct.py", "wrong_sigmoid_derivative_point.py", {"Sigmoid: backward", "network: gradient"}),
    ("pairs", "correct.py", "wrong_loss_sum.py", {"softmax_loss: forward", "softmax_loss: backward"}),
    ("functions", "correct.ipynb", "wrong_labels_one_hot.ipynb", {"softmax_cross_entropy_grad: value"}),
])
def test_every_interface_style_and_notebooks_grade_in_the_bundle(autograder, style, correct, wrong, lost):
    """The same bundle with a course's rubric (layer classes, pairs with a cache, functions submitted as
    notebooks) put in its place."""
    root = autograder[0]
    folder = ROOT / "examples" / "assignments" / style
    rubric = load_rubric(folder / "rubric.toml")
    original = (root / "source" / "rubric.toml").read_bytes()
    try:
        shutil.copy(folder / "rubric.toml", root / "source" / "rubric.toml")
        res = run(autograder, folder / "submissions" / correct)
        assert res["score"] == rubric.max_score, res["output"]
        res = run(autograder, folder / "submissions" / wrong)
        failed = {t["name"] for t in res["tests"] if t["status"] == "failed"}
        assert lost <= failed and res["score"] < rubric.max_score
    finally:
        (root / "source" / "rubric.toml").write_bytes(original)
