"""Where a graded formula comes from: a short citation of its place in the documents, and the catalog
entries that reference its op."""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=None)
def _catalog_index() -> tuple:
    """(fn, document title, location, entry id, statement) for every entry with an op; () if unavailable."""
    try:
        from mlp_ref import catalog
        from mlp_ref.registry import SOURCES

        rows = []
        for e in catalog.entries():
            for op in (e.op, e.corrected):
                if op is not None:
                    title = f"{e.source[:3]} {SOURCES.get(e.source, e.source)}"
                    rows.append((op.fn, title, e.location, e.id, e.statement))
        return tuple(dict.fromkeys(rows))
    except Exception:  # a document module being edited must not stop grading
        return ()


# Where each graded formula is in the documents, short enough to read at a glance (the catalog
# entries behind them are listed by `references`). 000 FAU Part 4, 001 TUM Lecture 7, 002 COS 324
# Chapter 11, 003 EE-559 3b, 004 MLPs + CNNs notes.
CITES = {
    "sigmoid": "001 TUM L7, Activation functions: Sigmoid; 002 COS 324 ch. 11, (11.19)",
    "sigmoid_grad": "002 COS 324 ch. 11, (11.19) sigma'(z) = sigma(z)(1 - sigma(z)); 001 TUM L7, Activation functions: Sigmoid",
    "tanh": "001 TUM L7, Activation functions: tanh; 002 COS 324 ch. 11, 11.4.3 (hyperbolic tangent)",
    "tanh_grad": "002 COS 324 ch. 11, 11.4.3 (hyperbolic tangent), differentiated; 001 TUM L7, Activation functions: tanh",
    "relu": "001 TUM L7, Activation functions: ReLU; 002 COS 324 ch. 11, Example 11.4.3",
    "relu_grad": "002 COS 324 ch. 11, Example 11.4.3 (ReLU'(0) = 0); 004 MLPs + CNNs, ReLU layer B-PASS (ReLU'(0) = 1)",
    "softmax": "002 COS 324 ch. 11, (11.4); 001 TUM L7, Activation functions (softmax is not elementwise)",
    "log_softmax": "002 COS 324 ch. 11, 11.2.3 Cross-Entropy Loss (l = -log softmax(o)_y, the log of (11.4))",
    "softmax_vjp": "001 TUM L7, Accumulating the gradient; 002 COS 324 ch. 11, (11.8)",
    "linear": "000 FAU Part 4, ¶4 (M neurons); 001 TUM L7, Example: Affine layer; 004 MLPs + CNNs, FC layer, Forward-Pass",
    "linear_backward": "000 FAU Part 4, ¶6 (layer derivatives); 001 TUM L7, Affine layer (backward); 002 COS 324 ch. 11, (11.15), (11.17)",
    "squared_error": "002 COS 324 ch. 11, 11.2.3 (Squared Error Loss)",
    "squared_error_grad": "002 COS 324 ch. 11, 11.2.3 (Squared Error Loss), differentiated",
    "mse": "003 EE-559 3b, Training and gradient descent (mean-squared error)",
    "mse_grad": "003 EE-559 3b, Training and gradient descent (mean-squared error), differentiated",
    "binary_cross_entropy_with_logits": "001 TUM L7, Example 1: Binary classification (Bernoulli likelihood)",
    "binary_cross_entropy_with_logits_grad": "001 TUM L7, Example 1: Binary classification, differentiated in the logit",
    "softmax_cross_entropy": "002 COS 324 ch. 11, 11.2.3 (Cross-Entropy Loss); 001 TUM L7, Example 2: Multi-class classification",
    "softmax_cross_entropy_grad": "002 COS 324 ch. 11, (11.14) and 11.4.2 step 1 (Output Layer); 000 FAU Part 4, ¶12 summary",
    "mlp_forward": "003 EE-559 3b, Forward pass; 002 COS 324 ch. 11, (11.9)",
    "mlp_backward": "003 EE-559 3b, Backward pass; 002 COS 324 ch. 11, 11.4.2 (Full Backpropagation Process)",
    "numerical_gradient": "001 TUM L7, How can we compute the gradient? 2) Numeric",
    "gradient_descent_step": "001 TUM L7, Minimizing the loss function; 002 COS 324 ch. 11, (11.13); 004 MLPs + CNNs, SGD update",
    "leaky_relu": "001 TUM L7, Activation functions: Leaky ReLU",
    "leaky_relu_grad": "001 TUM L7, Activation functions: Leaky ReLU, differentiated",
    "elu": "001 TUM L7, Activation functions: ELU",
    "elu_grad": "001 TUM L7, Activation functions: ELU, differentiated",
    "swish": "001 TUM L7, Activation functions: Swish",
    "swish_grad": "001 TUM L7, Activation functions: Swish, differentiated",
    "huber": "001 TUM L7, Choosing the loss (Huber)",
    "huber_grad": "001 TUM L7, Choosing the loss (Huber), differentiated",
}


@functools.lru_cache(maxsize=None)
def references(name: str, fns: tuple) -> tuple:
    """Dicts {document, location, entry, statement}: the catalog entries of the graded formula's op."""
    return tuple({"document": title, "location": loc, "entry": eid, "statement": st}
                 for fn, title, loc, eid, st in _catalog_index() if fn in fns)


def cite(name: str) -> str:
    """The graded function's place in the documents, at most about 200 characters."""
    return CITES[name]


def reference_text(refs) -> str:
    return "; ".join(f"{r['document']}, {r['location']}" + (f" [{r['entry']}]" if r["entry"] else "")
                     for r in refs) or "(no document reference)"
