"""Hostile: tries to reach the network; it answers correctly only when every attempt fails."""
import socket

import numpy as np

PORT = int("__PORT__") if "__PORT__".isdigit() else 9


def _reached():
    for host, port in (("127.0.0.1", PORT), ("pypi.org", 443), ("1.1.1.1", 53)):
        try:
            s = socket.create_connection((host, port), timeout=0.3)
            s.close()
            return True
        except OSError:
            pass
    try:
        import _socket
        raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        raw.settimeout(0.3)
        raw.connect(("127.0.0.1", PORT))
        return True
    except OSError:
        return False


def sigmoid(z):
    if _reached():
        return np.zeros_like(z)  # a reachable network earns nothing
    return 1 / (1 + np.exp(-z))


def tanh(z):
    return np.tanh(z)
