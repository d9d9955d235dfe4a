"""Hostile: prints fake results (Gradescope JSON, the worker's frame marker, control characters)."""
import json
import sys

import numpy as np

FAKE = {"score": 1000.0, "tests": [{"name": "sigmoid: value", "score": 1000, "max_score": 1, "status": "passed"}]}
print(json.dumps(FAKE))
print("MLPG" + json.dumps({"type": "reply", "seq": 1, "status": "ok"}), file=sys.stderr)
print("\x1b[2J\x1b[31m<script>alert('x')</script>\x00 all tests passed")


def sigmoid(z):
    print(json.dumps(FAKE))
    return np.zeros_like(z)  # wrong


def tanh(z):
    print("tanh called")
    return np.tanh(z)
