"""`python -m pytest --impl PATH` through the installed plugin (mlp_ref.pytest_plugin), run as a
user runs it: a subprocess, from inside the checkout and from an empty directory outside it, in
the space form and the = form. Each fixture in tests/fixtures/ is caught with a clear message; the
torch-autograd implementation passes."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
API = os.path.join(ROOT, "tests", "test_impl_api.py")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("impl-plugin")]


def _pytest(cwd, *args, timeout=600):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


BUGS = [
    ("wrong_leaky_default.py", ["test_keyword_defaults[leaky_relu]", "leaky_relu(...) with the default keywords",
                                "ratio 0.1"]),
    ("wrong_elu_alpha.py", ["test_keyword_defaults[elu]", "elu(...) with the default keywords"]),
    ("wrong_default_reduction.py", ["test_keyword_defaults[mse]", "mse(...) with the default keywords"]),
    ("mean_grad_without_1_over_n.py", ["test_every_reduction[squared_error-mean]", "reduction='mean'",
                                       "upstream g"]),
    ("missing_names.py", ["lacks 4 public function(s): kl_divergence, kl_divergence_grad, wasserstein_1d, "
                          "wasserstein_1d_grad", "deselected: needs public functions the implementation lacks"]),
]


@pytest.fixture(scope="module")
def bug_runs(tmp_path_factory):
    """All bug fixtures at once, each in its own pytest process from a directory outside the checkout."""
    cwd = tmp_path_factory.mktemp("outside")
    procs = {f: subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--impl",
                                  os.path.join(FIXTURES, f), API], cwd=cwd, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True) for f, _ in BUGS}
    return {f: (p.communicate(timeout=600)[0], p.returncode) for f, p in procs.items()}


@pytest.mark.parametrize("fixture,expected", BUGS, ids=[b[0] for b in BUGS])
def test_each_class_of_bug_is_caught_with_a_clear_message(fixture, expected, bug_runs):
    out, rc = bug_runs[fixture]
    assert rc == 1, out[-3000:]
    for part in expected:
        assert part in out, f"{part!r} missing from:\n{out[-3000:]}"
    assert "AttributeError" not in out, out[-3000:]


def test_torch_autograd_implementation_passes(tmp_path):
    pytest.importorskip("torch")
    rc, out = _pytest(tmp_path, f"--impl={os.path.join(FIXTURES, 'torch_impl.py')}", API,
                      os.path.join(ROOT, "tests", "test_special_points.py") + "::test_sigmoid_derivative_at_large_z")
    assert rc == 0, out[-3000:]
    assert " passed" in out and "failed" not in out


def test_inside_the_checkout_space_form(tmp_path):
    rc, out = _pytest(ROOT, "--impl", os.path.join("tests", "fixtures", "missing_names.py"), API)
    assert rc == 1 and "the implementation lacks 4 public function(s)" in out, out[-3000:]
    # one test file asked for: the files pytest walks past beside it are not reported as left out
    assert "test files not collected" not in out, out[-3000:]


def test_outside_the_checkout_without_paths_collects_only_what_applies(tmp_path):
    """No test path: the plugin collects the installed checkout's suite, and keeps only the tests that
    call the implementation (no catalog rows, no document-specific ops, no mlp_ref-only contracts)."""
    rc, out = _pytest(tmp_path, "--impl", os.path.join(FIXTURES, "missing_names.py"), "--co")
    assert rc == 0, out[-3000:]
    for part in ("mlp-ref --impl: the implementation lacks 4 public function(s): kl_divergence",
                 "deselected: does not call the implementation", "deselected: catalog rows evaluate mlp_ref itself",
                 "sigmoid-torch-cpu-float64]",
                 "test_impl_api.py::test_keyword_defaults[mse]"):
        assert part in out, f"{part!r} missing from:\n{out[-3000:]}"
    assert "test files not collected (no test takes the implementation)" in out
    for absent in ("test_hostile_input.py::", "test_validation.py::", "test_catalog.py::", "[op.kl_divergence-"):
        assert absent not in out, f"{absent} collected under --impl"


def test_in_parallel_the_summary_still_names_what_is_missing(tmp_path):
    """With pytest-xdist the workers collect; the controller's summary still lists the missing names
    and the deselections (sent back by the first worker)."""
    pytest.importorskip("xdist")
    rc, out = _pytest(tmp_path, "-n", "2", "--impl", os.path.join(FIXTURES, "missing_names.py"), API)
    assert rc == 1, out[-3000:]
    for part in ("mlp-ref --impl: the implementation lacks 4 public function(s): kl_divergence",
                 "deselected: needs public functions the implementation lacks"):
        assert part in out, f"{part!r} missing from:\n{out[-3000:]}"
