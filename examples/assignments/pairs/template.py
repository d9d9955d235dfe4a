"""Assignment 2: affine and ReLU layers with a cache: implement the functions below with NumPy only.

Rules: use NumPy and the standard library; do not import mlp_ref (the grader blocks it). Keep the
names and signatures. Inputs are float32 or float64 arrays with the batch in rows; return
arrays of the same dtype. Do not modify your inputs in place (reported as an advisory, without points). Grade it
locally with the course's rubric:

    mlp-ref grade this_file.py --rubric rubric.toml --out feedback/ --student-view

Rubric: rubric.toml (15 points).
"""
import numpy as np

def affine_forward(x, w, b):
    """Fully connected (affine) layer (forward/backward functions).

    Formula: out = x W + b, W stored (inputs, outputs)
    Shapes: input: a batch in rows (N, D); output (N, H); backward returns the gradient for the
        previous layer (N, D); w: (D, H); bias b (H,); affine_backward returns (dx, dw, db).
    Source: 000 FAU Part 4, ¶4 (M neurons); 001 TUM L7, Example: Affine layer; 004 MLPs + CNNs,
        FC layer, Forward-Pass
    Graded: forward (1 pt), backward (2 pt), stale_cache (1 pt), float32 (0.5 pt), shapes (0.5
        pt)

    Returns (out, cache).
    """
    raise NotImplementedError


def affine_backward(dout, cache):
    """Backward of affine_forward: returns (dx, dw, db).
    """
    raise NotImplementedError


def relu_forward(x):
    """ReLU (forward/backward functions).

    Formula: ReLU(x) = max(0, x); backward: g * [x > 0]
    Shapes: input: a batch in rows (N, D); output shaped like the input; backward returns the
        gradient for the previous layer (N, D).
    Source: 001 TUM L7, Activation functions: ReLU; 002 COS 324 ch. 11, Example 11.4.3
    Graded: forward (1 pt), backward (1 pt), stale_cache (0.5 pt), float32 (0.5 pt)

    Returns (out, cache).
    """
    raise NotImplementedError


def relu_backward(dout, cache):
    """Backward of relu_forward: returns dx.
    """
    raise NotImplementedError


def softmax_loss(x, y):
    """Softmax + cross-entropy loss on logits (forward/backward functions).

    Formula: l = -log softmax(x)_y per sample (integer labels y); dl/dx = softmax(x) - onehot(y)
    Shapes: logits (N, K), integer labels (N,), 0-based; the loss is the mean over the batch.
        softmax_loss(x, y) returns (loss, dx), dx shaped like x.
    Source: 002 COS 324 ch. 11, 11.2.3 (Cross-Entropy Loss); 001 TUM L7, Example 2: Multi-class
        classification
    Graded: forward (1 pt), backward (1.5 pt), float32 (0.5 pt)
    """
    raise NotImplementedError


# Also graded: a network the grader builds from YOUR units, affine -> relu -> affine -> relu
# -> affine -> softmax_loss (gradient 2 pt, finite_differences 1 pt, training 1 pt)
