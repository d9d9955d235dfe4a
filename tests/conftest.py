"""Suite-wide options and fixtures.

--impl PATH        run the suite against another implementation of mlp_ref's public functions
                   (a .py file or a module name; default mlp_ref).
--more-examples    load the Hypothesis profile "more" (200 examples, randomized) instead of the
                   derandomized "ci" profile; `--hypothesis-profile NAME` picks any profile.
Markers: conformance (generated entry x oracle x device x dtype checks), gpu (GPU legs),
property (Hypothesis), oracle (checks of the oracles themselves).
"""
from __future__ import annotations

import os
import sys

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


def pytest_addoption(parser):
    group = parser.getgroup("mlp-ref")
    group.addoption("--impl", default=None, metavar="PATH",
                    help="implementation under test: a .py file or module name with mlp_ref's public "
                         "functions (default: mlp_ref)")
    group.addoption("--more-examples", action="store_true", default=False,
                    help="Hypothesis profile 'more' (200 randomized examples per property)")


def pytest_configure(config):
    for line in ("conformance: generated entry x oracle x device x dtype checks",
                 "gpu: a GPU leg (skipped with the reason when no GPU is found)",
                 "property: Hypothesis property tests",
                 "oracle: checks of the oracles themselves"):
        config.addinivalue_line("markers", line)
    # emitted by torch's own lazy imports (torch.func), not by this project
    config.addinivalue_line("filterwarnings", "ignore:`torch.jit.script` is deprecated:DeprecationWarning")
    if config.getoption("--more-examples"):
        settings.load_profile("more")


@pytest.fixture(scope="session")
def impl(request):
    """The implementation under test (module), default mlp_ref."""
    from oracles.conformance import load_impl

    return load_impl(request.config.getoption("--impl"))


@pytest.fixture(scope="session")
def oracle_pool():
    """One instance per oracle for the whole session (their compiled programs are cached)."""
    from oracles.conformance import OraclePool

    return OraclePool()
