"""Hostile: NaN, a wrong shape and a wrong dtype."""
import numpy as np


def sigmoid(z):
    return np.full_like(z, np.nan)


def tanh(z):
    return np.tanh(z)[..., :1]  # wrong shape


def relu(z):
    return (z > 0).astype(np.int64) * 1  # integer dtype
