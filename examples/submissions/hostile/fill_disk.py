"""Hostile: sigmoid fills the disk with many files, each under the per-file limit."""
import time

import numpy as np


def sigmoid(z):
    for i in range(40):
        with open(f"fill-{i}.bin", "wb") as fh:
            fh.write(b"\0" * (1 << 20))
    time.sleep(3)
    return 1 / (1 + np.exp(-z))


def tanh(z):
    return np.tanh(z)
