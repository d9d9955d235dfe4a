"""Hostile: sigmoid never returns (a busy loop)."""
import numpy as np


def sigmoid(z):
    while True:
        pass


def tanh(z):
    return np.tanh(z)
