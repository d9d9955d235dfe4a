"""Hostile: sigmoid overwrites its input in place (and returns the right values)."""
import numpy as np


def sigmoid(z):
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)
    return z


def tanh(z):
    return np.tanh(z)
