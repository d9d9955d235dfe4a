"""Exercise 1: fully connected layers, activations and a loss: implement the layer classes below with NumPy only.

Rules: use NumPy and the standard library; do not import mlp_ref (the grader blocks it). Keep the
names, methods and attributes. Inputs are float32 or float64 arrays with the batch in rows; return
arrays of the same dtype. Do not modify your inputs in place (reported as an advisory, without points). Grade it
locally with the course's rubric:

    mlp-ref grade this_file.py --rubric rubric.toml --out feedback/ --student-view

Rubric: rubric.toml (24.5 points).
"""
import numpy as np

class FullyConnected:
    """Fully connected (affine) layer (a layer class).

    Formula: out = x W + b, W stored (inputs, outputs) with b folded into W (the input gets a
        column of ones)
    Shapes: input: a batch in rows (N, D); output (N, H); backward returns the gradient for the
        previous layer (N, D); weights: (D + 1, H) (the bias is its last row: the input gets a
        trailing column of ones); backward stores gradient_weights (same shape).
    Source: 000 FAU Part 4, ¶4 (M neurons); 001 TUM L7, Example: Affine layer; 004 MLPs + CNNs,
        FC layer, Forward-Pass
    Graded: forward (1 pt), backward (2 pt), stale_cache (1 pt), float32 (0.5 pt), shapes (0.5
        pt)
    """

    def __init__(self, input_size, output_size):
        # weights: (input_size + 1, output_size)
        # optimizer: None, or an optimizer whose calculate_update backward applies to the weights
        raise NotImplementedError

    def forward(self, input_tensor):
        raise NotImplementedError

    def backward(self, error_tensor):
        raise NotImplementedError


class ReLU:
    """ReLU (a layer class).

    Formula: ReLU(x) = max(0, x); backward: g * [x > 0]
    Shapes: input: a batch in rows (N, D); output shaped like the input; backward returns the
        gradient for the previous layer (N, D).
    Source: 001 TUM L7, Activation functions: ReLU; 002 COS 324 ch. 11, Example 11.4.3
    Graded: forward (0.5 pt), backward (1 pt), stale_cache (0.5 pt), float32 (0.5 pt)
    """

    def __init__(self):
        pass

    def forward(self, input_tensor):
        raise NotImplementedError

    def backward(self, error_tensor):
        raise NotImplementedError


class Sigmoid:
    """Sigmoid (a layer class).

    Formula: sigma(x) = 1 / (1 + e^{-x}); backward: g * sigma(x) (1 - sigma(x))
    Shapes: input: a batch in rows (N, D); output shaped like the input; backward returns the
        gradient for the previous layer (N, D).
    Source: 001 TUM L7, Activation functions: Sigmoid; 002 COS 324 ch. 11, (11.19)
    Graded: forward (0.5 pt), backward (1 pt), stale_cache (0.5 pt), float32 (0.5 pt)
    """

    def __init__(self):
        pass

    def forward(self, input_tensor):
        raise NotImplementedError

    def backward(self, error_tensor):
        raise NotImplementedError


class TanH:
    """Tanh (a layer class).

    Formula: tanh(x); backward: g * (1 - tanh(x)^2)
    Shapes: input: a batch in rows (N, D); output shaped like the input; backward returns the
        gradient for the previous layer (N, D).
    Source: 001 TUM L7, Activation functions: tanh; 002 COS 324 ch. 11, 11.4.3 (hyperbolic
        tangent)
    Graded: forward (0.5 pt), backward (1 pt), stale_cache (0.5 pt), float32 (0.5 pt)
    """

    def __init__(self):
        pass

    def forward(self, input_tensor):
        raise NotImplementedError

    def backward(self, error_tensor):
        raise NotImplementedError


class SoftMax:
    """Softmax (a layer class).

    Formula: softmax(x)_k = e^{x_k} / sum_j e^{x_j} per row; backward: p * (g - sum_k g_k p_k)
    Shapes: input: a batch in rows (N, D); output shaped like the input; backward returns the
        gradient for the previous layer (N, D).
    Source: 002 COS 324 ch. 11, (11.4); 001 TUM L7, Activation functions (softmax is not
        elementwise)
    Graded: forward (0.5 pt), backward (1 pt), stale_cache (0.5 pt), float32 (0.5 pt)
    """

    def __init__(self):
        pass

    def forward(self, input_tensor):
        raise NotImplementedError

    def backward(self, error_tensor):
        raise NotImplementedError


class Sgd:
    """SGD optimizer (a class).

    Formula: w_new = w - learning_rate * gradient
    Shapes: Sgd(learning_rate); calculate_update(weight_tensor, gradient_tensor) returns the
        updated weights (same shape and dtype); a layer given one in its optimizer attribute
        updates its weights in backward.
    Source: 001 TUM L7, Minimizing the loss function; 002 COS 324 ch. 11, (11.13); 004 MLPs +
        CNNs, SGD update
    Graded: value (0.5 pt), float32 (0.5 pt)
    """

    def __init__(self, learning_rate):
        raise NotImplementedError

    def calculate_update(self, weight_tensor, gradient_tensor):
        raise NotImplementedError


class CrossEntropyLoss:
    """Cross-entropy loss on probabilities (a layer class).

    Formula: E = -sum_n sum_k y_nk log p_nk (probabilities p, one-hot labels); dE/dp = -y / p
    Shapes: probabilities (N, K), one-hot labels (N, K); the loss is the sum over the batch.
        forward(prediction, labels) returns the loss (a scalar); backward(labels) returns
        dE/dprediction (N, K).
    Source: 001 TUM L7, Example 2: Multi-class classification; 000 FAU Part 4
    Graded: forward (1 pt), backward (1 pt), float32 (0.5 pt)
    """

    def __init__(self):
        pass

    def forward(self, prediction_tensor, label_tensor):
        raise NotImplementedError

    def backward(self, label_tensor):
        raise NotImplementedError


class NeuralNetwork:
    """The network class chaining your layers.

    Formula: loss = L(layer_L(... layer_1(x))); backward() through every layer
    Shapes: NeuralNetwork(optimizer); append_layer(layer); loss_layer and data_layer attributes
        (data_layer.next() returns (input, labels)); forward() returns the loss; backward()
    Source: 003 EE-559 3b, Backward pass; 002 COS 324 ch. 11, 11.4.2 (Full Backpropagation
        Process)
    Graded: forward (1 pt), training (1 pt)
    """

    def __init__(self, optimizer):
        raise NotImplementedError

    def append_layer(self, layer):
        raise NotImplementedError

    def forward(self):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError


# Also graded: a network the grader builds from YOUR units, FullyConnected -> ReLU ->
# FullyConnected -> Sigmoid -> FullyConnected -> SoftMax -> CrossEntropyLoss (gradient 2
# pt, finite_differences 1 pt, training 1 pt)
