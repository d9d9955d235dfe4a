"""Suite-wide options and fixtures.

The options --impl and --more-examples, and the `impl` fixture, come from the installed pytest
plugin `mlp_ref.pytest_plugin` (entry point pytest11), so that they work from any directory:
--impl PATH        run the suite against another implementation of mlp_ref's public functions
                   (a .py file or a module name; default mlp_ref).
--more-examples    load the Hypothesis profile "more" (200 examples, randomized) instead of the
                   derandomized "ci" profile; `--hypothesis-profile NAME` picks any profile.
Markers: conformance (generated entry x oracle x device x dtype checks), gpu (GPU legs),
property (Hypothesis), oracle (checks of the oracles themselves).

In parallel (pytest-xdist, `python -m pytest -n auto`): tests that share an expensive module fixture
(a fresh virtual environment, the Gradescope bundle, a rendered report) carry an `xdist_group` mark;
unless --dist is given, the run is scheduled by group (`--dist loadgroup`) so that each such fixture
is built once, and each worker starts with the slowest groups so that the workers finish together.
The loadgroup scheduler drops finished work units from its tally (`lean_loadgroup`). Each worker
computes on one thread (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS are 1 unless set):
n workers that each start a BLAS and a torch thread per core oversubscribe the cores, and on this
suite's small arrays the extra threads only cost CPU (about 12% even in a serial run).
"""
from __future__ import annotations

import functools
import os
import re
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # `oracles` lives beside mlp_ref at the repository root
    sys.path.insert(0, ROOT)

settings.register_profile("ci", max_examples=10, derandomize=True, deadline=None, database=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("more", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    for line in ("conformance: generated entry x oracle x device x dtype checks",
                 "gpu: a GPU leg (skipped with the reason when no GPU is found)",
                 "property: Hypothesis property tests",
                 "oracle: checks of the oracles themselves"):
        config.addinivalue_line("markers", line)
    # emitted by torch's own lazy imports (torch.func), not by this project
    config.addinivalue_line("filterwarnings", "ignore:`torch.jit.script` is deprecated:DeprecationWarning")
    if config.getoption("--more-examples", default=False):  # the option comes with the installed plugin
        settings.load_profile("more")
    config.addinivalue_line("markers", "xdist_group(name): run with the other tests of this group on one "
                                       "pytest-xdist worker (their module fixture is built once)")
    if getattr(config.option, "dist", "no") == "load" and not _dist_named(config):
        config.option.dist = "loadgroup"  # what -n alone means here: groups stay on one worker
        config.option.loadscopereorder = False  # in collection order, which puts the slowest first
    if getattr(config, "workerinput", {}).get("mlp_ref_loadgroup"):
        config.option.loadgroup = True  # a worker parses the command line again, without the line above
    one_thread_per_worker(config, os.environ)


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_thread_per_worker(config, environ) -> None:
    """The pytest-xdist controller, before it starts the workers (which inherit its environment):
    one BLAS/OpenMP thread per worker, unless the variable is already set."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    for name in THREAD_VARIABLES:
        environ.setdefault(name, "1")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist, before a worker starts: tell it that the run is scheduled by group."""
    node.workerinput["mlp_ref_loadgroup"] = node.config.getvalue("dist") == "loadgroup"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadgroup with finished work units dropped (see lean_loadgroup); other --dist: xdist's."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return lean_loadgroup()(config, log)


@functools.cache
def lean_loadgroup():
    """pytest-xdist's LoadGroupScheduling, except that a work unit whose tests have all finished is
    dropped from its worker's tally. xdist recounts every unit a worker was ever given after each
    test; here each ungrouped test is a unit of its own (about 3,000), which made that recount cost
    the controller, and so the run, seconds. Pending work is counted exactly as before."""
    from xdist.scheduler import LoadGroupScheduling

    class LeanLoadGroupScheduling(LoadGroupScheduling):
        def mark_test_complete(self, node, item_index, duration=0):
            nodeid = self.registered_collections[node][item_index]
            scope = self._split_scope(nodeid)
            unit = self.assigned_work[node][scope]
            unit[nodeid] = True
            if all(unit.values()):
                del self.assigned_work[node][scope]
            self._reschedule(node)

    return LeanLoadGroupScheduling


def _dist_named(config) -> bool:
    """Whether --dist (or -d) was given on the command line or in PYTEST_ADDOPTS."""
    args = [*config.invocation_params.args, *os.environ.get("PYTEST_ADDOPTS", "").split()]
    return any(str(a) in ("-d", "--dist") or str(a).startswith("--dist=") for a in args)


def _slowest_first(item) -> int:
    """0: slow or browser tests (virtual environments, Chromium, pytest subprocesses); 1: other grouped
    tests; 2: the rest."""
    if item.get_closest_marker("slow") or item.get_closest_marker("browser"):
        return 0
    return 1 if item.get_closest_marker("xdist_group") else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: every worker sorts the same way
        items.sort(key=_slowest_first)


@pytest.fixture(scope="session")
def oracle_pool():
    """One instance per oracle for the whole session (their compiled programs are cached)."""
    from oracles.conformance import OraclePool

    return OraclePool()


def _skip_reason(report) -> str:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if re.search(r"\b(CUDA|GPU|gpu:\d|cuda:\d)\b", reason):
        return "no CUDA/GPU device found (GPU legs)"
    return reason


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Why tests skipped, one line per reason: e.g. "744 skipped: no CUDA/GPU device found (GPU legs)"."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section("why tests skipped", sep="-")
    for reason, n in Counter(_skip_reason(r) for r in skipped).most_common():
        terminalreporter.write_line(f"{n} skipped: {reason}")
