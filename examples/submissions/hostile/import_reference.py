"""Hostile: tries to use the reference implementation instead of writing the formula."""
import importlib
import sys

import numpy as np

try:
    import mlp_ref  # noqa: F401
    LOADED = True
except ImportError:
    LOADED = False


def sigmoid(z):
    sys.meta_path[:] = [f for f in sys.meta_path if "Block" not in type(f).__name__]
    sys.path[:0] = ["/work/main", "__PROJECT_ROOT__", "."]
    return importlib.import_module("mlp_ref").sigmoid(z)


def tanh(z):
    return np.tanh(z)
