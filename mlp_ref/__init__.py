"""mlp_ref: a hand-written NumPy reference for every formula in the five lecture documents.

Imports NumPy only; every derivative is derived by hand. The catalog (`mlp_ref.catalog`) ties
each formula, worked example and claim to its place in its document with a computed verdict.
"""
from .activations import (elu, elu_grad, leaky_relu, leaky_relu_grad, log_sigmoid, log_softmax,
                          log_softmax_vjp, relu, relu_grad, sigmoid, sigmoid_grad, softmax,
                          softmax_jacobian, softmax_vjp, swish, swish_grad, tanh, tanh_grad)
from .gradient import gradient_descent_step, numerical_gradient, numerical_jacobian
from .layers import (linear, linear_backward, linear_jacobian_W, make_mlp_op, mlp_backward, mlp_forward,
                     mlp_loss, mlp_loss_backward)
from .losses import (binary_cross_entropy, binary_cross_entropy_grad, binary_cross_entropy_with_logits,
                     binary_cross_entropy_with_logits_grad, categorical_cross_entropy,
                     categorical_cross_entropy_grad, huber, huber_grad,
                     kl_divergence, kl_divergence_grad, l2_loss, l2_loss_grad, logcosh, logcosh_grad,
                     logistic_loss, logistic_loss_grad, mae, mae_grad, mse, mse_grad,
                     softmax_cross_entropy, softmax_cross_entropy_grad, squared_error,
                     squared_error_grad, wasserstein_1d, wasserstein_1d_grad)

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
