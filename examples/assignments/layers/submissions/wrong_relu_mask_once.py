"""A typical mistake: ReLU computes its mask on the first forward call only, so backward uses a stale cache."""
import copy

import numpy as np


class Sgd:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def calculate_update(self, weight_tensor, gradient_tensor):
        return weight_tensor - self.learning_rate * gradient_tensor


class FullyConnected:
    def __init__(self, input_size, output_size):
        self.weights = np.random.uniform(0, 1, (input_size + 1, output_size))
        self.gradient_weights = None
        self.optimizer = None

    def forward(self, input_tensor):
        ones = np.ones((input_tensor.shape[0], 1), dtype=input_tensor.dtype)
        self.input_tensor = np.hstack([input_tensor, ones])
        return self.input_tensor @ self.weights

    def backward(self, error_tensor):
        self.gradient_weights = self.input_tensor.T @ error_tensor
        error = error_tensor @ self.weights[:-1].T
        if self.optimizer is not None:
            self.weights = self.optimizer.calculate_update(self.weights, self.gradient_weights)
        return error


class ReLU:
    mask = None

    def forward(self, input_tensor):
        if self.mask is None:
            self.mask = input_tensor > 0
        return np.maximum(input_tensor, 0)

    def backward(self, error_tensor):
        return error_tensor * self.mask


class Sigmoid:
    def forward(self, input_tensor):
        self.activation = 1 / (1 + np.exp(-input_tensor))
        return self.activation

    def backward(self, error_tensor):
        return error_tensor * self.activation * (1 - self.activation)


class TanH:
    def forward(self, input_tensor):
        self.activation = np.tanh(input_tensor)
        return self.activation

    def backward(self, error_tensor):
        return error_tensor * (1 - self.activation ** 2)


class SoftMax:
    def forward(self, input_tensor):
        e = np.exp(input_tensor - input_tensor.max(axis=1, keepdims=True))
        self.prediction = e / e.sum(axis=1, keepdims=True)
        return self.prediction

    def backward(self, error_tensor):
        p = self.prediction
        return p * (error_tensor - (error_tensor * p).sum(axis=1, keepdims=True))


class CrossEntropyLoss:
    def forward(self, prediction_tensor, label_tensor):
        self.prediction_tensor = prediction_tensor
        eps = np.finfo(prediction_tensor.dtype).eps
        return -np.sum(label_tensor * np.log(prediction_tensor + eps))

    def backward(self, label_tensor):
        eps = np.finfo(self.prediction_tensor.dtype).eps
        return -label_tensor / (self.prediction_tensor + eps)


class NeuralNetwork:
    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.layers = []
        self.loss_layer = None
        self.data_layer = None

    def append_layer(self, layer):
        if hasattr(layer, "optimizer"):
            layer.optimizer = copy.deepcopy(self.optimizer)
        self.layers.append(layer)

    def forward(self):
        input_tensor, self.label_tensor = self.data_layer.next()
        for layer in self.layers:
            input_tensor = layer.forward(input_tensor)
        return self.loss_layer.forward(input_tensor, self.label_tensor)

    def backward(self):
        error_tensor = self.loss_layer.backward(self.label_tensor)
        for layer in reversed(self.layers):
            error_tensor = layer.backward(error_tensor)
