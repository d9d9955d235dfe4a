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
    assert "scheduling tests via LeanLoadGroupScheduling" in out, out[-2000:]
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


def test_the_scheduler_drops_finished_units_and_counts_pending_work_as_xdist_does():
    """A unit whose tests have all finished leaves its worker's tally; the pending counts that decide
    when a worker gets more work and when the run is over are those of xdist's own scheduler."""
    from types import SimpleNamespace

    from xdist.scheduler import LoadGroupScheduling

    from conftest import lean_loadgroup

    ids = [f"t.py::test_{i}" for i in range(6)] + ["t.py::test_g0@g", "t.py::test_g1@g"]

    class Node:  # what the scheduler uses of xdist's WorkerController
        def __init__(self):
            self.shutting_down, self.sent = False, []

        def send_runtest_some(self, indices):
            self.sent.extend(indices)

        def shutdown(self):
            self.shutting_down = True

    def run(cls):
        config = SimpleNamespace(getvalue=lambda name: {"tx": ["popen"]}.get(name),
                                 option=SimpleNamespace(loadscopereorder=False))
        sched = cls(config)
        node = Node()
        sched.add_node(node)
        sched.add_node_collection(node, ids)
        sched.schedule()
        seen = []
        while len(seen) < len(node.sent):
            sched.mark_test_complete(node, node.sent[len(seen)])
            seen.append((sched._pending_of(sched.assigned_work[node]), len(node.sent), sched.has_pending,
                         sched.tests_finished))
        return seen, sched.assigned_work[node], sorted(node.sent)

    lean, xdist = run(lean_loadgroup()), run(LoadGroupScheduling)
    assert lean[0] == xdist[0]  # the same pending counts, assignments and end of the run
    assert lean[2] == xdist[2] == list(range(len(ids)))  # every test sent once
    assert lean[1] == {} and len(xdist[1]) == 7  # xdist keeps all 7 finished units; the lean one none


@pytest.mark.parametrize("option,worker,environ,expected", [
    ({"numprocesses": 2}, False, {}, {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}),
    ({"numprocesses": 2}, False, {"OMP_NUM_THREADS": "4"},
     {"OMP_NUM_THREADS": "4", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}),  # the user's choice stays
    ({"numprocesses": 0}, False, {}, {}),  # -n 0: a serial run, threads as they were
    ({}, False, {}, {}),  # no pytest-xdist
    ({"numprocesses": 2}, True, {}, {}),  # a worker: its environment came from the controller
])
def test_workers_compute_on_one_thread_unless_the_user_said_otherwise(option, worker, environ, expected):
    from types import SimpleNamespace

    from conftest import one_thread_per_worker

    config = SimpleNamespace(option=SimpleNamespace(**option))
    if worker:
        config.workerinput = {}
    one_thread_per_worker(config, environ)
    assert environ == expected


def test_this_worker_computes_on_one_thread():
    """In the suite's own parallel run the variables reached this worker before torch started (1, or
    what the user set)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        pytest.skip("not a pytest-xdist worker (run with -n)")
    from conftest import THREAD_VARIABLES

    torch = pytest.importorskip("torch")
    assert all(name in os.environ for name in THREAD_VARIABLES)
    assert torch.get_num_threads() == int(os.environ["OMP_NUM_THREADS"])
