"""Hostile submissions: whatever a submission does, grading finishes, the affected items score 0
with a clear message, the rest is graded, and results.json is the grader's alone.

One test per behaviour, on examples/submissions/hostile/*.py, with a small rubric and short limits
(sigmoid is the misbehaving function, tanh and relu are graded next to it).
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import mlp_ref
from mlp_ref.grading.grader import grade_submission
from mlp_ref.grading.outputs import write_outputs
from mlp_ref.grading.rubric import DEFAULT_RUBRIC, parse_rubric
from mlp_ref.grading.sandbox import resolve_mode

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "examples" / "submissions" / "hostile"
LIMITS = {"call_seconds": 1.0, "load_seconds": 5.0, "total_seconds": 40.0, "memory_mb": 400, "cpu_seconds": 10}
RUBRIC = parse_rubric({"name": "hostile", "seed": 7, "limits": LIMITS, "functions": {
    "sigmoid": {"checks": {"value": 1.0}}, "tanh": {"checks": {"value": 1.0}}, "relu": {"checks": {"value": 1.0}}}})
NAMESPACE = resolve_mode("auto") == "namespace"


def grade(tmp_path, name, mode="auto", rubric=RUBRIC, **subs):
    """Grade hostile/NAME.py (placeholders filled in) into tmp_path/out; return (result, results.json)."""
    text = (HOSTILE / f"{name}.py").read_text()
    for k, v in subs.items():
        text = text.replace(f"__{k}__", str(v))
    sub = tmp_path / f"{name}.py"
    sub.write_text(text)
    t0 = time.monotonic()
    res = grade_submission(sub, rubric, mode=mode, hide=(str(tmp_path / "out"),))
    assert time.monotonic() - t0 < 30
    write_outputs(res, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["score"] == res["score"] and len(data["tests"]) == len(rubric.items)
    return res, data


def outcome(res, test):
    return next(t for t in res["tests"] if t["name"] == test)


def assert_scores(res, **expected):
    """expected: function=passed(bool); failed ones must score 0."""
    for fn, ok in expected.items():
        t = outcome(res, f"{fn}: value")
        assert (t["status"] == "passed") is ok, (fn, t["outcome"])
        assert t["score"] == (t["max_score"] if ok else 0)


def message(res, fn="sigmoid") -> str:
    return outcome(res, f"{fn}: value")["outcome"]["message"]


def test_raise(tmp_path):
    res, _ = grade(tmp_path, "raise_error")
    assert_scores(res, sigmoid=False, tanh=True)
    assert message(res) == "raised RuntimeError: deliberate failure inside sigmoid"
    assert 'in sigmoid' in outcome(res, "sigmoid: value")["outcome"]["traceback"]


def test_hang_in_a_call(tmp_path):
    res, _ = grade(tmp_path, "hang")
    assert_scores(res, sigmoid=False, tanh=True)
    assert "did not return within the time limit of 1 s" in message(res)


def test_hang_while_loading(tmp_path):
    rubric = parse_rubric({"seed": 7, "limits": dict(LIMITS, load_seconds=1.5),
                           "functions": {"tanh": {"checks": {"value": 1.0}}}})
    res, data = grade(tmp_path, "hang_at_import", rubric=rubric)
    assert data["score"] == 0 and "did not finish loading within 1.5 s" in data["output"]


def test_exhaust_memory(tmp_path):
    rubric = parse_rubric({"seed": 7, "limits": dict(LIMITS, call_seconds=10.0), "functions": {
        "sigmoid": {"checks": {"value": 1.0}}, "tanh": {"checks": {"value": 1.0}}}})
    res, _ = grade(tmp_path, "exhaust_memory", rubric=rubric)  # page faults are slow on a loaded machine
    assert_scores(res, sigmoid=False, tanh=True)
    assert message(res) == "ran out of memory (limit 400 MB)"


def test_exit_in_a_call_with_os_exit_and_sys_exit(tmp_path):
    res, _ = grade(tmp_path, "exit_in_call")
    assert_scores(res, sigmoid=False, tanh=False, relu=True)  # relu runs in a restarted worker
    assert "the process ended during this call: it exited with code 0" in message(res)
    assert message(res, "tanh") == "called sys.exit(3); a graded function must return its result"


def test_exit_while_loading(tmp_path):
    res, data = grade(tmp_path, "exit_at_import")
    assert data["score"] == 0 and "exited while loading: it exited with code 42" in data["output"]
    p = subprocess.run([sys.executable, "-m", "mlp_ref.cli", "grade", str(HOSTILE / "exit_at_import.py"), "--out",
                        str(tmp_path / "cli")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    full = parse_rubric(__import__("tomllib").loads(DEFAULT_RUBRIC.read_text())).max_score
    assert p.returncode == 0 and f"0 / {full:g} points" in p.stdout  # grading worked: exit code 0


def test_printed_fake_results_are_shown_as_text_only(tmp_path):
    res, data = grade(tmp_path, "print_fake_results", rubric=parse_rubric(
        {"seed": 7, "limits": LIMITS, "stdout_visibility": "visible", "functions": {
            "sigmoid": {"checks": {"value": 1.0}}, "tanh": {"checks": {"value": 1.0}}, "relu": {"checks": {"value": 1.0}}}}))
    assert_scores(res, sigmoid=False, tanh=True)
    assert data["score"] == 1.0
    assert '"score": 1000.0' in data["output"] and "\\x1b[2J" in data["output"] and "\x1b" not in data["output"]
    page = (tmp_path / "out" / "feedback.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_written_files_never_replace_the_results(tmp_path):
    out = tmp_path / "out"
    stray = Path("/tmp/mlpref-hostile-write.json")
    stray.unlink(missing_ok=True)
    res, data = grade(tmp_path, "write_files", OUT_DIR=out)
    assert_scores(res, sigmoid=False, tanh=True)
    time.sleep(1.0)  # the child it left behind would write after 0.5 s
    after = json.loads((out / "results.json").read_text())
    assert after == data and after["score"] == 1.0
    assert not stray.exists() and "1000" not in (out / "feedback.html").read_text()


def test_monkeypatching_numpy_builtins_and_test_frameworks(tmp_path):
    res, _ = grade(tmp_path, "monkeypatch")
    assert_scores(res, sigmoid=False, tanh=True)
    assert message(res).startswith("values differ")


def test_objects_with_a_lying_eq(tmp_path):
    res, _ = grade(tmp_path, "lying_objects")
    assert_scores(res, sigmoid=False, tanh=False, relu=False)
    assert "returned submission.Liar where an array of shape (4, 3)" in message(res)
    assert "a subclass of numpy.ndarray (submission.LyingArray)" in message(res, "tanh")
    assert "returned a Python list" in message(res, "relu")


def test_nan_wrong_shape_wrong_dtype(tmp_path):
    res, _ = grade(tmp_path, "bad_values")
    assert_scores(res, sigmoid=False, tanh=False, relu=False)
    assert message(res) == "returned NaN or infinity at 12 of 12 entries"
    assert message(res, "tanh") == "returned shape (4, 1); expected (4, 3)"
    assert message(res, "relu") == "returned an integer array of dtype int64; expected dtype float64"


@pytest.mark.parametrize("mode", ["auto", "process"])
def test_mutating_inputs_is_advisory(tmp_path, monkeypatch, mode):
    """The worker sees the inputs change, but from inside the submission's process, which could
    silence it: reported as an advisory, never a reason for points (also without Landlock)."""
    if mode == "process":
        monkeypatch.setenv("MLPREF_SANDBOX_NO_LANDLOCK", "1")
    res, data = grade(tmp_path, "mutate_inputs", mode=mode)
    assert_scores(res, sigmoid=True, tanh=True)
    t = next(t for t in data["tests"] if t["name"] == "sigmoid: value")
    assert "Advisory (no points taken): modified its input z in place" in t["output"]


@pytest.mark.parametrize("mode", ["auto", "process"])
def test_importing_the_reference(tmp_path, mode):
    site = Path(mlp_ref.__file__).resolve().parents[1]
    res, _ = grade(tmp_path, "import_reference", mode=mode, PROJECT_ROOT=site)
    if mode == "process" and "landlock" not in res["sandbox"]:
        pytest.skip("without Landlock the process fallback cannot stop a bypass of the import block")
    assert_scores(res, sigmoid=False, tanh=True)
    assert "tried to import the reference implementation" in message(res) or "Permission denied" in message(res)


@pytest.mark.parametrize("mode", ["auto", "process"])
def test_reading_the_graders_files(tmp_path, mode):
    ref = Path(mlp_ref.__file__).resolve().parent / "activations.py"
    res, _ = grade(tmp_path, "read_grader_files", mode=mode, REFERENCE_FILE=ref)
    if not NAMESPACE and "landlock" not in res["sandbox"]:
        pytest.skip("needs namespaces or Landlock to hide files from the submission")
    assert_scores(res, sigmoid=False, tanh=True)
    assert "FileNotFoundError" in message(res) or "PermissionError" in message(res)


@pytest.mark.parametrize("mode", ["auto", "process"])
def test_no_network(tmp_path, mode):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    try:
        res, _ = grade(tmp_path, "network", mode=mode, PORT=server.getsockname()[1])
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    finally:
        server.close()
    assert_scores(res, sigmoid=True, tanh=True)  # sigmoid answers right only when every attempt failed


def test_forged_replies_on_the_result_channel(tmp_path):
    res, _ = grade(tmp_path, "forge_channel")
    assert_scores(res, sigmoid=False, tanh=True)
    assert "something other than the grader's worker wrote to the result channel" in message(res)
