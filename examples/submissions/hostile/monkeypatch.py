"""Hostile: patches NumPy, builtins and would-be test frameworks so that any comparison passes."""
import builtins
import sys
import types

import numpy as np

np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = lambda *a, **k: None
np.ndarray_orig = np.ndarray
builtins.isinstance = lambda obj, cls: True
fake_pytest = types.ModuleType("pytest")
fake_pytest.approx = lambda *a, **k: True
sys.modules["pytest"] = fake_pytest
sys.modules["unittest"] = fake_pytest


def sigmoid(z):
    return np.zeros_like(z)  # wrong: only the patched comparisons would call it right


def tanh(z):
    return np.tanh(z)
