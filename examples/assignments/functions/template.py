"""Homework 3: backpropagation by hand: implement the functions below with NumPy only.

Rules: use NumPy and the standard library; do not import mlp_ref (the grader blocks it). Keep the
names and signatures. Inputs are float32 or float64 arrays; return NumPy arrays of the same dtype
(a loss may return a NumPy or Python float). Do not modify your inputs in place (reported as an
advisory, without points). Labels are 0-based integers. Grade it locally (with mlp-ref's default
rubric and inputs; the course's own rubric may hold further checks) with

    mlp-ref grade this_file.py --out feedback/ --student-view

Rubric: rubric.toml (14.5 points).
"""
import numpy as np

def sigmoid(z):
    """Logistic sigmoid.

    Formula: sigma(z) = 1 / (1 + e^{-z})
    Shapes: z: any shape, float32 or float64. Returns an array of the same shape and dtype
        (elementwise).
    Source: 001 TUM L7, Activation functions: Sigmoid; 002 COS 324 ch. 11, (11.19)
    Graded: value (1 pt), float32 (0.5 pt), large_inputs (0.5 pt)
    """
    raise NotImplementedError


def sigmoid_grad(z):
    """Derivative of the sigmoid.

    Formula: sigma'(z) = sigma(z) (1 - sigma(z)), at the pre-activation z
    Shapes: z: any shape, float32 or float64. Returns an array of the same shape and dtype
        (elementwise).
    Source: 002 COS 324 ch. 11, (11.19) sigma'(z) = sigma(z)(1 - sigma(z)); 001 TUM L7,
        Activation functions: Sigmoid
    Graded: value (1 pt), float32 (0.5 pt)
    """
    raise NotImplementedError


def linear(W, x, b=None):
    """Fully connected (affine) layer, forward.

    Formula: s = W x + b (a batch in rows: s = x W^T + b)
    Shapes: W: (H, D); x: (D,) or a batch in rows (N, D); b: (H,) or None. Returns s: (H,) or
        (N, H).
    Source: 000 FAU Part 4, ¶4 (M neurons); 001 TUM L7, Example: Affine layer; 004 MLPs + CNNs,
        FC layer, Forward-Pass
    Graded: value (1 pt), single_vector (0.5 pt), no_bias (0.5 pt), float32 (0.5 pt)
    """
    raise NotImplementedError


def linear_backward(g, W, x, b=None):
    """Fully connected layer, backward.

    Formula: given g = dL/ds: dL/dW = sum_n g_n x_n^T, dL/dx = g W, dL/db = sum_n g_n
    Shapes: g: shaped like s, (H,) or (N, H); W: (H, D); x: (D,) or (N, D); b: (H,) or None.
        Returns a dict {'W': (H, D), 'x': shaped like x, 'b': (H,)} (no 'b' needed when b is
        None).
    Source: 000 FAU Part 4, ¶6 (layer derivatives); 001 TUM L7, Affine layer (backward); 002 COS
        324 ch. 11, (11.15), (11.17)
    Graded: value (2 pt), single_vector (0.5 pt), no_bias (0.5 pt), float32 (0.5 pt)
    """
    raise NotImplementedError


def softmax_cross_entropy(o, y, reduction='sum'):
    """Softmax + cross-entropy on logits and integer labels.

    Formula: l_n = -o_{n, y_n} + log sum_k e^{o_{n, k}} = -log softmax(o_n)_{y_n}
    Shapes: o: (N, K) logits (or one sample (K,) with an integer y); y: (N,) integer labels,
        0-based (0..K-1). reduction: 'sum' (sum over the samples, axis 0), 'mean' (divide the
        sum by N) or 'none' (one value per sample). Returns a scalar, or (N,) for 'none'. Must
        stay finite for large logits.
    Source: 002 COS 324 ch. 11, 11.2.3 (Cross-Entropy Loss); 001 TUM L7, Example 2: Multi-class
        classification
    Graded: value (1 pt), reductions (0.5 pt), large_logits (0.5 pt), float32 (0.5 pt)
    """
    raise NotImplementedError


def softmax_cross_entropy_grad(o, y, reduction='sum', g=1.0):
    """Gradient of softmax + cross-entropy with respect to the logits.

    Formula: dl/do = softmax(o) - onehot(y), times g (and 1/N for 'mean')
    Shapes: o: (N, K) (or (K,) with an integer y); y: (N,) 0-based labels. reduction: 'sum' (sum
        over the samples, axis 0), 'mean' (divide the sum by N) or 'none' (one value per
        sample). g: the upstream gradient of the reduced loss, a scalar for 'sum'/'mean' and
        shape (N,) for 'none'. Returns an array shaped like the first argument.
    Source: 002 COS 324 ch. 11, (11.14) and 11.4.2 step 1 (Output Layer); 000 FAU Part 4, ¶12
        summary
    Graded: value (1.5 pt), reductions (0.5 pt), float32 (0.5 pt)
    """
    raise NotImplementedError
