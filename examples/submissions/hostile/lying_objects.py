"""Hostile: returns objects whose __eq__ (and friends) always say "equal"."""
import numpy as np


class Liar:
    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)

    def __float__(self):
        return 0.0

    __hash__ = object.__hash__


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)


def sigmoid(z):
    return Liar()


def tanh(z):
    return np.zeros_like(z).view(LyingArray)  # an ndarray subclass with wrong values


def relu(z):
    return [float(v) for v in np.maximum(z, 0).ravel()]  # a list that compares equal to nothing useful
