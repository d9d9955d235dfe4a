"""Hostile: one attack per function; each answers correctly only when its attack failed.

sigmoid: import the reference from the grader's installation; tanh: read the rubric; relu: read a
classmate's file; relu_grad: import torch or JAX; softmax: signal the grader; log_softmax: open a
UNIX-domain socket; sigmoid_grad: replace the grader's output file through a symbolic link;
tanh_grad: leave a process behind that writes a marker after grading.
"""
import importlib
import os
import sys
import time

import numpy as np

PROJECT = "__PROJECT__"
RUBRIC = "__RUBRIC__"
CLASSMATE = "__CLASSMATE__"
SITE = "__SITE__"
GRADER_PID = int("__GRADER_PID__") if "__GRADER_PID__".isdigit() else 1
MARKER = "__MARKER__"


def _works(attack) -> bool:
    try:
        attack()
        return True
    except BaseException:
        return False


def _import_reference():
    sys.meta_path[:] = [f for f in sys.meta_path if "Block" not in type(f).__name__]
    sys.path[:0] = [PROJECT]
    importlib.import_module("mlp_ref").sigmoid(np.zeros(1))


def _read(path):
    def attack():
        with open(path, "rb") as fh:
            fh.read(1)
    return attack


def _frameworks():
    sys.meta_path[:] = [f for f in sys.meta_path if "Block" not in type(f).__name__]
    sys.path.append(SITE)
    for name in ("jax", "torch"):
        try:
            importlib.import_module(name)
            return
        except ImportError:
            continue
    raise ImportError("neither")


def _unix_socket():
    import _socket
    _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM).close()


def _replace_output():
    os.symlink("/etc/shadow", "../output-link")
    os.replace("../output-link", "../output.txt")


def _leave_a_process():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(1.5)
            with open(MARKER, "w") as fh:
                fh.write("survived")
        os._exit(0)


def _answer(attack, value):
    return np.zeros_like(value) if _works(attack) else value


def sigmoid(z):
    return _answer(_import_reference, 1 / (1 + np.exp(-z)))


def tanh(z):
    return _answer(_read(RUBRIC), np.tanh(z))


def relu(z):
    return _answer(_read(CLASSMATE), np.maximum(z, 0))


def relu_grad(z, at_zero=0.0):
    return _answer(_frameworks, np.where(z > 0, 1.0, np.where(z < 0, 0.0, at_zero)).astype(z.dtype))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return _answer(lambda: os.kill(GRADER_PID, 0), e / e.sum(axis=-1, keepdims=True))


def log_softmax(z):
    m = z.max(axis=-1, keepdims=True)
    return _answer(_unix_socket, z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))


def sigmoid_grad(z):
    s = 1 / (1 + np.exp(-z))
    return _answer(_replace_output, s * (1 - s))


def tanh_grad(z):
    _leave_a_process()
    return 1 - np.tanh(z) ** 2
