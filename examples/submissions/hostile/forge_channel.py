"""Hostile: writes forged replies straight into every inherited file descriptor."""
import json
import os
import struct

import numpy as np


def _forge():
    for seq in range(1, 6):
        head = json.dumps({"type": "reply", "seq": seq, "status": "ok", "sizes": [8],
                           "result": {"t": "nd", "i": 0, "dtype": "<f8", "shape": [], "scalar": True},
                           "mutated": []}).encode()
        frame = b"MLPG" + struct.pack("<I", len(head)) + head + struct.pack("<d", 1.0)
        for fd in range(3, 32):
            try:
                os.write(fd, frame)
            except OSError:
                pass


def sigmoid(z):
    _forge()
    return np.zeros_like(z)


def tanh(z):
    return np.tanh(z)
