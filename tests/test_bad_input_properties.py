"""Hypothesis-generated bad input for every public function of mlp_ref, from one table of argument
kinds (tests/hypothesis_helpers.py: KINDS, BAD): a valid call per function below, one argument
replaced by a bad value of its kind. A new public function needs only its valid call here; its
parameters get their bad values from the table (a test fails if a parameter has no kind)."""
from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from hypothesis import given, settings

import mlp_ref
from hypothesis_helpers import KINDS, bad_argument, kind_of
from public_calls import VALID
from mlp_ref.pytest_plugin import public_api

pytestmark = pytest.mark.property

FUNCTIONS = sorted(VALID)


def test_every_public_function_has_a_valid_call_and_every_parameter_a_kind():
    assert set(public_api()) <= set(VALID), sorted(set(public_api()) - set(VALID))
    for fn in FUNCTIONS:
        params = list(inspect.signature(getattr(mlp_ref, fn)).parameters)
        assert set(VALID[fn]) == set(params), f"{fn}: the valid call must give every parameter {params}"
        no_kind = [p for p in params if kind_of(fn, p) is None]
        assert not no_kind, f"{fn}: parameters without a kind in hypothesis_helpers.KINDS: {no_kind}"
    mlp_ref.mlp_loss_backward(**VALID["mlp_loss_backward"])  # the valid calls are valid
    for fn in FUNCTIONS:
        getattr(mlp_ref, fn)(**VALID[fn])


def _names(msg, params):
    return [p for p in params if re.search(rf"(?<![\w\[]){re.escape(p)}(?![\w])", msg)]


def _finite(result):
    if result is None or isinstance(result, (str, bool)):
        return True
    if isinstance(result, dict):
        return all(_finite(v) for v in result.values())
    if isinstance(result, (list, tuple)):
        return all(_finite(v) for v in result)
    return np.all(np.isfinite(np.asarray(result, dtype=np.float64)))


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_bad_argument_raises_value_error_naming_it(fn):
    params = list(VALID[fn])

    @settings(max_examples=max(40, settings.default.max_examples))
    @given(bad=bad_argument(fn, VALID[fn]))
    def check(bad):
        param, label, value, strict = bad
        try:
            result = getattr(mlp_ref, fn)(**{**VALID[fn], param: value})
        except ValueError as exc:
            named = _names(str(exc), params)
            assert named, f"{fn}({param}={label}): the message names no argument: {exc}"
            if strict:
                assert param in named, f"{fn}({param}={label}): the message does not name {param!r}: {exc}"
            return
        except Exception as exc:
            raise AssertionError(f"{fn}({param}={label}): {type(exc).__name__} instead of ValueError: {exc}") from exc
        assert not strict, f"{fn}({param}={label}): accepted, returned {result!r}"
        assert _finite(result), f"{fn}({param}={label}): accepted and returned a non-finite result {result!r}"

    check()


def test_kinds_table_has_no_unused_kind():
    used = {kind_of(fn, p) for fn in FUNCTIONS for p in VALID[fn]}
    assert set(KINDS.values()) <= used | {"labels"}
