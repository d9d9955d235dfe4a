"""Hostile: sigmoid raises an exception."""
import numpy as np


def sigmoid(z):
    raise RuntimeError("deliberate failure inside sigmoid")


def tanh(z):
    return np.tanh(z)
