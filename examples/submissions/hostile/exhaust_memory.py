"""Hostile: sigmoid allocates memory until none is left."""
import numpy as np


def sigmoid(z):
    hoard = []
    while True:
        hoard.append(np.ones(10_000_000))


def tanh(z):
    return np.tanh(z)
