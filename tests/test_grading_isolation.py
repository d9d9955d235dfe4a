"""Isolation without namespaces and without Landlock: the process sandbox as on Gradescope.

Every test here runs `--sandbox process` with the Landlock system calls made to fail by a seccomp
filter in the worker (MLPREF_SANDBOX_NO_LANDLOCK=1), so what holds comes from the submission's
own uid, file permissions, seccomp and the grader's clean-up, whatever this kernel offers.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from mlp_ref.grading import protocol
from mlp_ref.grading.grader import grade_submission
from mlp_ref.grading.outputs import write_outputs
from mlp_ref.grading.rubric import parse_rubric
from mlp_ref.grading.sandbox import SIMULATE_NO_LANDLOCK_ENV, HideNotEnforced, exposed_to_others

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "examples" / "submissions" / "hostile"
LIMITS = {"call_seconds": 5.0, "load_seconds": 10.0, "total_seconds": 60.0, "memory_mb": 600, "cpu_seconds": 20}
SNOOPED = ("sigmoid", "tanh", "relu", "relu_grad", "softmax", "log_softmax", "sigmoid_grad", "tanh_grad")
root_only = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                               reason="a uid of its own for the submission needs root")


def _rubric(functions, **limits):
    return parse_rubric({"name": "isolation", "seed": 3, "limits": dict(LIMITS, **limits),
                         "functions": {f: {"checks": {"value": 1.0}} for f in functions}})


@pytest.fixture
def no_landlock(monkeypatch):
    monkeypatch.setenv(SIMULATE_NO_LANDLOCK_ENV, "1")


def _fill(name, tmp_path, **subs) -> Path:
    text = (HOSTILE / f"{name}.py").read_text()
    for k, v in subs.items():
        text = text.replace(f"__{k}__", str(v))
    path = tmp_path / "incoming" / f"{name}.py"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_text(text)
    return path


def _site_packages_with_frameworks() -> str:
    import numpy

    return str(Path(numpy.__file__).resolve().parents[1])


@root_only
def test_each_attack_fails_under_its_own_uid_without_landlock(tmp_path, no_landlock):
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "rubric.toml").write_text('seed = 4242  # the secret of the hidden inputs\n')
    classmates = tmp_path / "classmates"
    classmates.mkdir(mode=0o700)
    (classmates / "alice.py").write_text("def sigmoid(z): ...\n")
    marker = Path(f"/dev/shm/mlpref-snoop-{secrets.token_hex(6)}")
    sub = _fill("snoop", tmp_path, PROJECT=ROOT, RUBRIC=private / "rubric.toml", CLASSMATE=classmates / "alice.py",
                SITE=_site_packages_with_frameworks(), GRADER_PID=os.getpid(), MARKER=marker)
    res = grade_submission(sub, _rubric(SNOOPED), mode="process", hide=(str(private), str(classmates)))
    layers = res["sandbox"]
    assert layers.startswith("process") and "own-uid" in layers and "no-capabilities" in layers
    assert "landlock" not in layers and "seccomp-no-sockets" in layers
    by = {t["function"]: t for t in res["tests"]}
    for fn in SNOOPED[1:]:  # every attack but the first fails, so the answer is right
        assert by[fn]["status"] == "passed", (fn, by[fn]["outcome"])
    # a world-readable checkout (the usual clone) is one the grader cannot hide: it says so loudly; in
    # a private clone (e.g. under `mktemp -d`) file permissions hide it and there is nothing to say.
    # The Gradescope bundle makes its installed copy unreadable (tests/test_grading_bundle.py)
    warned = any(str(ROOT) in w and "readable by uid" in w for w in res["sandbox_warnings"])
    assert warned == exposed_to_others(str(ROOT)), res["sandbox_warnings"]
    time.sleep(2.0)  # the process tanh_grad left behind would write its marker after 1.5 s
    assert not marker.exists(), "a process of the submission survived the clean-up"


@root_only
def test_a_hide_path_the_submission_could_read_is_an_error(tmp_path, no_landlock):
    public = Path(tempfile.mkdtemp(prefix="mlpref-public-"))  # in /tmp, searchable by everyone
    try:
        public.chmod(0o755)
        sub = _fill("raise_error", tmp_path)
        with pytest.raises(HideNotEnforced, match="cannot be enforced here"):
            grade_submission(sub, _rubric(["tanh"]), mode="process", hide=(str(public),))
        public.chmod(0o700)  # unreadable to others: enforced by the permissions
        res = grade_submission(sub, _rubric(["tanh"]), mode="process", hide=(str(public),))
        assert res["tests"][0]["status"] == "passed"
    finally:
        shutil.rmtree(public)


@root_only
def test_total_disk_use_is_limited_not_only_each_file(tmp_path, no_landlock):
    sub = _fill("fill_disk", tmp_path)
    res = grade_submission(sub, _rubric(["sigmoid", "tanh"], disk_mb=4), mode="process")
    by = {t["function"]: t for t in res["tests"]}
    assert by["sigmoid"]["status"] == "failed" and by["tanh"]["status"] == "passed"
    assert "total disk limit of 4 MB" in by["sigmoid"]["outcome"]["message"]


@pytest.mark.parametrize("mode", ["process", "auto"])
def test_a_reply_whose_shape_wraps_around_scores_zero_and_grading_goes_on(tmp_path, no_landlock, mode):
    sub = _fill("forge_shape", tmp_path)
    res = grade_submission(sub, _rubric(["sigmoid", "tanh"]), mode=mode)
    files = write_outputs(res, tmp_path / "out")
    data = json.loads(files["results"].read_text())
    by = {t["name"]: t for t in data["tests"]}
    assert by["sigmoid: value"]["score"] == 0 and "could not be read" in by["sigmoid: value"]["output"]
    assert by["tanh: value"]["status"] == "passed"


@pytest.mark.parametrize("shape, blob", [
    ([1 << 30, 1 << 30, 16], b""),          # 2^64 elements: 0 in int64
    ([1 << 31 - 1, 1 << 31 - 1, 4, 2], b"\0" * 8),
])
def test_decoder_sizes_use_python_integers(shape, blob):
    with pytest.raises(protocol.ProtocolError, match="byte count"):
        protocol.decode_value({"t": "nd", "i": 0, "dtype": "<f8", "shape": shape}, [blob])


@pytest.mark.parametrize("node", [
    {"t": "nd", "i": 0, "dtype": "<f8", "shape": [2, "x"]},
    {"t": "list", "v": [{"t": "dict", "v": [["a", None]]}]},
    {"t": "float", "v": "1e999999x"},
    {"t": "nd", "i": 0, "dtype": ["<f8"], "shape": [1]},
])
def test_decoder_raises_only_protocol_errors(node):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_value(node, [b"\0" * 8])


@root_only
def test_sandbox_report_says_which_protections_hold(tmp_path):
    import subprocess
    import sys

    env = dict(os.environ, **{SIMULATE_NO_LANDLOCK_ENV: "1"})
    p = subprocess.run([sys.executable, "-m", "mlp_ref.cli", "grade", "--sandbox-report", "--sandbox", "process"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    out = p.stdout
    assert p.returncode == 0, out + p.stderr
    assert "[x] own unprivileged uid and gid" in out and "[x] no capabilities" in out
    assert "[ ] Landlock" in out and "[ ] namespaces" in out and "[x] seccomp: no sockets" in out
    root = os.path.realpath(ROOT)
    if exposed_to_others(root):  # a world-readable checkout, said plainly
        assert f"{root}: READABLE by the submission" in out, out
    else:  # a private clone (e.g. under `mktemp -d`): hidden by its permissions
        assert f"{root}: unreadable to the sandbox uid (file permissions)" in out, out


def test_the_standard_library_view_is_read_once_and_handed_out_as_copies():
    """The sandbox's view of the standard library (read and link paths) is what a fresh scan gives,
    computed once per grading process; what a caller does with it does not change the next one."""
    import sysconfig

    from mlp_ref.grading import sandbox

    scan = []
    for key in ("stdlib", "platstdlib"):
        d = sysconfig.get_paths()[key]
        scan += sorted((e.name, os.path.realpath(e.path)) for e in os.scandir(d) if e.name not in sandbox.SITE_DIRS)
    assert sandbox._stdlib_entries() == list(dict.fromkeys(path for _, path in scan))
    assert sandbox._stdlib_links() == {name: path for name, path in reversed(scan)}  # the first of a name wins
    assert "site-packages" not in sandbox._stdlib_links() and len(sandbox._stdlib_entries()) > 100
    entries, links = sandbox._stdlib_entries(), sandbox._stdlib_links()
    entries.append("/"), links.update(anything="/")
    assert "/" not in sandbox._stdlib_entries() and "anything" not in sandbox._stdlib_links()
