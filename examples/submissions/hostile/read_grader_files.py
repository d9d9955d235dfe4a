"""Hostile: reads the reference's source from disk and runs it (a way around the import block)."""
import numpy as np

REFERENCE_FILE = "__REFERENCE_FILE__"


def sigmoid(z):
    with open(REFERENCE_FILE) as fh:  # expected to fail: the grader's files are hidden
        src = fh.read()
    ns = {}
    exec(compile(src.replace("from ._validate import", "# ").replace("from .registry import", "# "),
                 "ref", "exec"), ns)
    return ns["sigmoid"](z)


def tanh(z):
    return np.tanh(z)
