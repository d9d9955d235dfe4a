"""Hostile: sigmoid ends its own process with os._exit (no exception to catch); tanh calls sys.exit."""
import os
import sys

import numpy as np


def sigmoid(z):
    os._exit(0)


def tanh(z):
    sys.exit(3)


def relu(z):
    return np.maximum(z, 0)
