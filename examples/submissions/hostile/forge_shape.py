"""Hostile: from inside the worker, answers the grader's request with a reply frame whose shape
(2^30 x 2^30 x 16 float64) has a byte count that wraps around to 0 in int64 arithmetic, then
swallows the worker's own reply so that the worker goes on serving."""
import sys

import numpy as np


def sigmoid(z):
    serve = sys._getframe(1)
    channel = serve.f_locals["channel"]
    reply = dict(serve.f_locals["reply"], status="ok", mutated=[],
                 result={"t": "nd", "i": 0, "dtype": "<f8", "shape": [1 << 30, 1 << 30, 16]})
    channel.send(reply, [b""])
    send = channel.send

    def swallow_once(*args, **kwargs):
        channel.send = send

    channel.send = swallow_once
    return z


def tanh(z):
    return np.tanh(z)
