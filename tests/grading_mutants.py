"""Single-mistake variants of examples/submissions/correct.py: (replacements, failing tests, the
test whose feedback must name the mistake, the words it must contain). Used by
tests/test_grading_mistakes.py and by the grading benchmark."""
from __future__ import annotations

MUTANTS = {
    "relu_grad_ignores_at_zero": (
        [("np.where(z < 0, 0.0, at_zero)", "0.0")],
        {"relu_grad: at_zero"}, "relu_grad: at_zero", "ignores at_zero"),
    "numgrad_ignores_method": (
        [('if method == "forward" else None', ""), ('        if method == "forward":\n            grad[idx]',
                                                    '        if True:\n            grad[idx]')],
        # with the default eps a forward difference is as close to the exact gradient as a central one:
        # only the eps check (eps = 0.01) tells them apart
        {"numerical_gradient: eps", "numerical_gradient: float32"}, None, None),
    "numgrad_ignores_eps": (
        [("    grad = np.zeros_like(w)\n", "    eps = 1e-6\n    grad = np.zeros_like(w)\n")],
        {"numerical_gradient: eps", "numerical_gradient: float32"}, "numerical_gradient: eps", "ignores eps"),
    "mlp_forward_without_bs_none": (
        [("    bs = bs if bs is not None else [None] * len(Ws)\n", "")],
        {"mlp_forward: no_bias", "mlp_backward: no_bias"}, "mlp_forward: no_bias", "raised TypeError"),
    "mlp_forward_ignores_output_activation": (
        [("_ACT[output_activation if l == len(Ws) - 1 else activation]", '_ACT["identity" if l == len(Ws) - 1 else activation]')],
        {"mlp_forward: output_activation"}, "mlp_forward: output_activation",
        "output_activation ignored"),
    "softmax_ce_no_single_vector": (
        [("    if o.ndim == 1:\n        return -logp[y]\n", "")],
        {"softmax_cross_entropy: single_vector"}, "softmax_cross_entropy: single_vector", "a single sample of shape (K,)"),
    "tanh_by_exponentials": (
        [("def tanh(z):\n    return np.tanh(z)", "def tanh(z):\n    e = np.exp(2 * z)\n    return (e - 1) / (e + 1)")],
        {"tanh: large_inputs"}, "tanh: large_inputs", "(e^{2z} - 1)/(e^{2z} + 1) is inf/inf"),
    "gd_step_in_float32": (
        [("    return W - lr * grad",
          "    return (W.astype(np.float32) - np.float32(lr) * grad.astype(np.float32)).astype(W.dtype)")],
        {"gradient_descent_step: value"}, "gradient_descent_step: value", "the precision of float32"),
    "sigmoid_grad_is_sigmoid": (
        [("    s = sigmoid(z)\n    return s * (1 - s)", "    return sigmoid(z)")],
        {"sigmoid_grad: value", "sigmoid_grad: float32", "mlp_backward: output_activation"},
        "sigmoid_grad: value", "sigma' written as sigma"),
    "sigmoid_grad_plus": (
        [("    s = sigmoid(z)\n    return s * (1 - s)", "    s = sigmoid(z)\n    return s * (1 + s)")],
        {"sigmoid_grad: value", "sigmoid_grad: float32", "mlp_backward: output_activation"},
        "mlp_backward: output_activation", "uses your sigmoid_grad, which fails its own checks"),
    "tanh_grad_without_square": (
        [("    return 1 - np.tanh(z) ** 2", "    return 1 - np.tanh(z)")],
        {"tanh_grad: value", "tanh_grad: float32", "mlp_backward: value", "mlp_backward: no_bias",
         "mlp_backward: float32"}, "tanh_grad: value", "square missing"),
    "bce_grad_sign": (
        [("    return (sigmoid(a) - y) * _scale", "    return (y - sigmoid(a)) * _scale")],
        {"binary_cross_entropy_with_logits_grad: value", "binary_cross_entropy_with_logits_grad: reductions",
         "binary_cross_entropy_with_logits_grad: large_logits", "binary_cross_entropy_with_logits_grad: float32"},
        "binary_cross_entropy_with_logits_grad: value", "sign flipped: y - sigma(a)"),
    "labels_as_one_hot": (
        [("    onehot[np.arange(o.shape[0]), y] = 1\n", "    onehot = onehot + y[:, None]\n")],
        {"softmax_cross_entropy_grad: value", "softmax_cross_entropy_grad: reductions",
         "softmax_cross_entropy_grad: large_logits", "softmax_cross_entropy_grad: float32"},
        "softmax_cross_entropy_grad: value", "labels used as one-hot rows"),
    "weights_as_d_by_h": (
        [("    s = x @ W.T\n", "    s = x @ W\n")],
        {"linear: value", "linear: single_vector", "linear: no_bias", "linear: float32", "mlp_forward: value",
         "mlp_forward: relu", "mlp_forward: output_activation", "mlp_forward: no_bias", "mlp_forward: single_vector",
         "mlp_forward: float32", "mlp_backward: value", "mlp_backward: relu", "mlp_backward: output_activation",
         "mlp_backward: no_bias", "mlp_backward: float32"}, "linear: value", "x W treats W as (D, H)"),
    "ignores_upstream_gradient": (
        [("    return 2 * (yhat - y) * s\n", "    return 2 * (yhat - y) * (1 / yhat.shape[0] if reduction == 'mean' else 1)\n")],
        {"squared_error_grad: reductions", "mse_grad: reductions"}, "squared_error_grad: reductions",
        "ignores the upstream gradient g"),
}


def mutant_source(correct: str, name: str) -> str:
    text = correct
    for old, new in MUTANTS[name][0]:
        assert old in text, (name, old)
        text = text.replace(old, new)
    return text
