"""The suite in parallel (pytest-xdist): `-n` alone schedules by group, so tests sharing a module
fixture run on one worker; a --dist the user names is kept (tests/conftest.py)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytest.importorskip("xdist")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUPED = "tests/test_grading_visibility.py"  # five tests, one module fixture, xdist_group("grading-visibility")


def test_n_alone_keeps_a_group_on_one_worker():
    proc = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-n", "2", GROUPED],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:] + proc.stderr[-2000:]
    assert "scheduling tests via LoadGroupScheduling" in out, out[-2000:]
    workers = re.findall(r"\[(gw\d+)\] \[\s*\d+%\] PASSED tests/test_grading_visibility\.py::\S+@grading-visibility", out)
    assert len(workers) == 5 and len(set(workers)) == 1, out[-3000:]


@pytest.mark.parametrize("args,env,named", [
    (["-n", "2"], "", False), (["-n", "2", "--dist", "load"], "", True), (["-n2", "--dist=loadfile"], "", True),
    (["-n", "2", "-d"], "", True), (["-n", "2"], "--dist worksteal", True),
])
def test_a_dist_the_user_names_is_kept(args, env, named, monkeypatch):
    from types import SimpleNamespace

    from conftest import _dist_named

    monkeypatch.setenv("PYTEST_ADDOPTS", env)
    assert _dist_named(SimpleNamespace(invocation_params=SimpleNamespace(args=args))) is named
