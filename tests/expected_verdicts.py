"""Expected verdicts and documented-number roles for every catalog entry, one table for all documents.

`EXPECTED` lists every entry id in catalog order (documents in the order of registry.SOURCES, each
in document order) with the verdict its computation must derive; tests/test_catalog.py checks that it
names exactly the catalog's ids in that order. The verdicts are what the computation shows, recorded
here so that a change of verdict is a visible, reviewed change.
"""
from __future__ import annotations

EXPECTED = {
    # ---- 000 FAU Deep Learning, Feedforward Networks Part 4: Layer Abstraction
    "fau-neuron-bias-folded": "holds",
    "fau-fc-layer-matrix": "holds",
    "fau-fc-two-neurons": "holds",
    "fau-fc-dW": "holds",
    "fau-fc-dx": "convention",
    "fau-l2-loss": "holds",
    "fau-l2-dW": "holds",
    "fau-l2-dx": "holds",
    "fau-three-layer-collapse": "holds",
    "fau-three-layer-dW3": "holds",
    "fau-three-layer-dW2": "erratum",
    "fau-three-layer-dW1": "holds",
    "fau-backprop-layerwise": "holds",
    "fau-backprop-reuse": "holds",
    "fau-summary-softmax-ce": "holds",
    "fau-summary-gradient-descent": "holds",
    "fau-summary-finite-differences": "holds",
    "fau-summary-layer-abstraction": "holds",
    "fau-outlook-single-eta": "holds",
    # ---- 001 TUM Machine Learning, Lecture 7: Deep Learning I
    "tum7-logreg": "holds",
    "tum7-xor-not-separable": "holds",
    "tum7-basis-functions": "holds",
    "tum7-xor-feature-map": "holds",
    "tum7-xor-separable-after-phi": "holds",
    "tum7-xor-one-hidden-layer": "holds",
    "tum7-xor-output-bias": "erratum",  # σ1([w0 w1]·φ) has no output bias: no w classifies XOR (error)
    "tum7-ffnn-one-hidden": "holds",
    "tum7-deep-mlp": "holds",
    "tum7-act-sigmoid": "holds",
    "tum7-act-tanh": "holds",
    "tum7-act-relu": "holds",
    "tum7-act-leaky-relu": "holds",
    "tum7-act-elu": "holds",
    "tum7-act-swish": "holds",
    "tum7-softmax-not-elementwise": "holds",
    "tum7-linear-collapse": "holds",
    "tum7-nonlinear-stack": "erratum",  # σ_k with k undefined (σ_{L-1}, then σ_{L-2}) (slip)
    "tum7-universal-approximation": "holds",
    "tum7-one-hidden-any-function": "holds",  # "represent" read as the cited theorem's "approximate", previous slide
    "tum7-depth-efficiency": "holds",
    "tum7-depth-k-vs-k-minus-1": "cited",  # cited (Bengio 2010) and not checked: no family given
    "tum7-loss-table": "holds",
    "tum7-loss-bernoulli": "holds",
    "tum7-loss-categorical": "holds",
    "tum7-loss-gaussian": "erratum",  # -Σ log N(y|f,1) = ½ Σ (y - f)^2 + const, not Σ (y - f)^2 + const (error)
    "tum7-loss-mae": "holds",
    "tum7-loss-huber": "holds",
    "tum7-loss-logcosh": "holds",
    "tum7-loss-wasserstein": "holds",
    "tum7-loss-kl": "holds",
    "tum7-nonconvex": "holds",
    "tum7-gradient-descent": "holds",
    "tum7-numeric-gradient": "holds",
    "tum7-numeric-cost": "holds",
    "tum7-symbolic-cases": "holds",
    "tum7-symbolic-reuse": "holds",
    "tum7-backprop-cost": "holds",
    "tum7-toy-modules": "holds",
    "tum7-toy-chain-rule": "erratum",  # "= ∂d/∂c ∂f/∂x" for ∂d/∂c ∂c/∂x (slip)
    "tum7-backprop-recipe": "holds",
    "tum7-toy-local-derivatives": "holds",
    "tum7-toy-forward": "convention",  # sin of b in degrees (sin 90° = 1); radians give 0.924 and 2.164
    "tum7-toy-backward": "erratum",  # ∂c/∂b = cos b: a radian rule; in radians the numbers are wrong, in degrees it lacks π/180
    "tum7-multiple-inputs": "holds",
    "tum7-multiple-paths": "holds",
    "tum7-multivariate-chain-rule": "holds",
    "tum7-jacobian": "holds",
    "tum7-numerator-layout": "holds",  # declared numerator layout, used consistently
    "tum7-chain-rule-matrix": "holds",
    "tum7-regression-network": "holds",
    "tum7-chain-rule-tensor": "holds",
    "tum7-matrix-calculus-notes": "holds",  # note 2 read as the table's vector-output example [x; x^2]
    "tum7-matrix-calculus": "holds",
    "tum7-3way-tensor": "erratum",  # ∂a_i/W_jk lacks the ∂ of ∂W_jk (slip)
    "tum7-accumulate-gradient": "holds",  # "Jacobian-vector product" names the product; no number changes
    "tum7-module-abstraction": "holds",
    "tum7-affine-layer": "holds",
    "tum7-affine-scalar-derivation": "holds",
    "tum7-affine-backward-matrix": "erratum",  # x^T·(∂E/∂a) is (1×D)(1×H) (slip)
    "tum7-affine-backward-summary": "convention",  # x ∂E/∂a (D×H) vs the lecture's own H×H×D ∂a/∂W (H×D)
    # ---- 002 COS 324, Chapter 11: Feedforward Neural Network and Backpropagation
    "cos324-def-11.0.1": "holds",
    "cos324-eq-11.1": "holds",
    "cos324-eq-11.2": "holds",
    "cos324-eq-fig-11.1-output": "holds",
    "cos324-ex-11.1.1": "holds",
    "cos324-eq-11.3": "holds",
    "cos324-eq-11.4": "holds",
    "cos324-ex-11.1.2": "erratum",  # names Figure 11.1 for the three-output network; all values hold
    "cos324-eq-11.5": "holds",
    "cos324-footnote-1": "holds",  # column vectors: a layout the chapter declares and uses consistently
    "cos324-eq-11.6": "holds",
    "cos324-eq-11.7": "holds",
    "cos324-eq-11.8": "holds",
    "cos324-eq-11.9": "holds",
    "cos324-ex-11.1.3": "erratum",  # h^(1) = W^(1) x = ReLU(...)
    "cos324-eq-11.2-layer-k": "holds",
    "cos324-eq-11.2.1-weight-count": "holds",
    "cos324-ex-11.2.1": "holds",
    "cos324-claim-11.2.2": "holds",
    "cos324-eq-squared-error-loss": "holds",
    "cos324-ex-11.2.2": "holds",
    "cos324-eq-4.5-revisited": "holds",
    "cos324-eq-cross-entropy-loss": "convention",  # 1-based y
    "cos324-ex-11.2.3": "erratum",  # 4.02 is -log o-hat_3, the printed expression is 0.018
    "cos324-claim-11.3-linear": "holds",
    "cos324-ex-11.3.1": "holds",
    "cos324-ex-11.3.2": "holds",
    "cos324-prob-11.3.3": "holds",
    "cos324-prob-11.3.4": "holds",
    "cos324-eq-11.10": "holds",
    "cos324-footnote-3": "holds",
    "cos324-def-jacobian": "holds",
    "cos324-ex-11.4.1": "holds",
    "cos324-prob-11.4.2": "holds",
    "cos324-ex-11.4.3": "convention",  # ReLU'(0) = 0 vs 004's 1
    "cos324-def-11.4.4": "holds",
    "cos324-ex-11.4.5": "erratum",  # J(y, x) on the left for J(z, x)
    "cos324-claim-11.4.2-proportional": "holds",
    "cos324-eq-11.12": "holds",
    "cos324-footnote-6": "holds",
    "cos324-eq-11.13": "holds",
    "cos324-eq-ce-output-layer": "convention",  # 1-based y
    "cos324-eq-11.14": "holds",
    "cos324-eq-11.15": "holds",
    "cos324-eq-11.16": "convention",  # ReLU'(0), counted at cos324-ex-11.4.3
    "cos324-eq-11.17": "holds",
    "cos324-eq-11.18": "convention",
    "cos324-eq-11.14-revisited": "erratum",  # (o - e_y) for (o-hat - e_y)
    "cos324-eq-11.15-revisited": "holds",
    "cos324-eq-11.17-revisited": "holds",
    "cos324-eq-11.16-revisited": "convention",
    "cos324-eq-11.18-revisited": "convention",
    "cos324-alg-full-backprop": "erratum",  # step 1 as revisited, counted at cos324-eq-11.14-revisited
    "cos324-prob-11.4.6-i": "erratum",  # m additions for m(n - 1)
    "cos324-prob-11.4.6-ii": "holds",
    "cos324-eq-11.19": "erratum",  # sigma'(z) = 1/(1 + e^{-z})
    "cos324-def-tanh": "holds",
    "cos324-prob-11.4.7": "holds",
    "cos324-prob-11.4.8": "erratum",  # g(W h) for g(f(W h))
    "cos324-claim-11.4.4-nonconvex": "holds",
    "cos324-claim-11.4.4-init": "holds",
    "cos324-code-11.5-net": "incomplete",  # constructor cut off after the signature
    "cos324-code-11.5-hidden3": "erratum",  # unbalanced brackets in the weight line
    "cos324-code-11.5-forward": "incomplete",  # hidden1/hidden2 cut off
    "cos324-code-11.5-backward": "incomplete",
    "cos324-code-11.5-accumulate": "holds",
    # ---- 003 EE-559 Deep learning, 3b. Multi-Layer Perceptrons
    "ee559-mlp-recursion": "holds",
    "ee559-affine-layer": "holds",
    "ee559-affine-collapse": "erratum",
    "ee559-nonlinearity-needed": "holds",
    "ee559-tanh": "holds",
    "ee559-relu": "holds",
    "ee559-ua-sums": "holds",
    "ee559-ua-other-activations": "holds",
    "ee559-ua-sin": "holds",
    "ee559-ua-fourier": "holds",
    "ee559-ua-error-budget": "erratum",
    "ee559-ua-one-hidden-layer": "holds",
    "ee559-ua-larger-k": "holds",
    "ee559-mse": "erratum",
    "ee559-logistic-loss": "holds",
    "ee559-gradient-definition": "holds",
    "ee559-quadratic-model": "holds",
    "ee559-quadratic-argmin": "erratum",
    "ee559-gd-rule": "holds",
    "ee559-logistic-grad": "holds",
    "ee559-logistic-grad-code": "holds",
    "ee559-gd-loop": "holds",
    "ee559-gd-figures": "incomplete",
    "ee559-total-loss": "holds",
    "ee559-preactivations": "holds",
    "ee559-forward-pass": "holds",
    "ee559-chain-rule": "holds",
    "ee559-jacobian-composition": "holds",
    "ee559-bp-s-sum": "holds",
    "ee559-bp-dw": "holds",
    "ee559-bp-db": "holds",
    "ee559-bp-ds": "holds",
    "ee559-bp-output": "holds",
    "ee559-bp-dx": "holds",
    "ee559-jacobian-notation": "holds",
    "ee559-matrix-derivative-notation": "holds",
    "ee559-backward-activations": "erratum",
    "ee559-backward-ds": "holds",
    "ee559-backward-params": "holds",
    "ee559-gradient-step": "holds",
    "ee559-backward-cost": "holds",
    # ---- 004 MLPs + CNNs lecture notes (9/03/15)
    "mlpcnn-module-abstract": "holds",
    "mlpcnn-module-concrete": "holds",
    "mlpcnn-fc-forward-sum": "holds",
    "mlpcnn-fc-forward-matrix": "erratum",
    "mlpcnn-fpass-one-matmul": "holds",
    "mlpcnn-dh-dh": "holds",
    "mlpcnn-dhi-dwi": "holds",
    "mlpcnn-fc-backward-a": "holds",
    "mlpcnn-left-right-multiply": "holds",
    "mlpcnn-fc-backward-b": "holds",
    "mlpcnn-sgd-update": "holds",
    "mlpcnn-fc-dL-dW-stacked": "holds",
    "mlpcnn-column-intuition": "incomplete",
    "mlpcnn-relu-layer": "convention",
}

# documented plain numbers that are inputs of an example, not results to reproduce
INPUTS = {
    ("tum7-toy-forward", "x"),
    ("cos324-ex-11.2.3", "y"),
    ("ee559-gd-loop", "training points"),  # the size of the data set the loop runs on
}

# documented numbers the computation contradicts (each explained by its erratum)
MISMATCHED_NUMBERS = {
    ("cos324-ex-11.2.3", "loss"),
}

# mismatched numbers that another reading of the document reproduces: {(entry_id, key): the reading}
OTHER_READINGS = {
    ("cos324-ex-11.2.3", "loss"): "y = 2 read 0-based (the third class) gives the printed 4.02",
}

# the convention each convention entry names: every finding with status "convention" mentions it
CONVENTIONS = {
    "fau-fc-dx": "denominator layout",
    "tum7-toy-forward": "in degrees",
    "tum7-affine-backward-summary": "numerator layout",
    "cos324-eq-cross-entropy-loss": "0-based",
    "cos324-ex-11.4.3": "1{h >= 0}",
    "cos324-eq-ce-output-layer": "0-based",
    "cos324-eq-11.16": "1{h >= 0}",
    "cos324-eq-11.18": "1{h >= 0}",
    "cos324-eq-11.16-revisited": "1{h >= 0}",
    "cos324-eq-11.18-revisited": "1{h >= 0}",
    "mlpcnn-relu-layer": "1{h >= 0}",
}

# the severity each erratum derives from its findings (error > slip > transcription), one line per erratum
SEVERITY = {
    # ---- 000 FAU
    "fau-three-layer-dW2": "transcription",
    # ---- 001 TUM
    "tum7-xor-output-bias": "error",
    "tum7-nonlinear-stack": "slip",
    "tum7-loss-gaussian": "error",
    "tum7-toy-chain-rule": "slip",
    "tum7-toy-backward": "error",
    "tum7-3way-tensor": "slip",
    "tum7-affine-backward-matrix": "slip",
    # ---- 002 COS 324
    "cos324-ex-11.1.2": "slip",  # Figure 11.1 named for Figure 11.2
    "cos324-ex-11.1.3": "slip",  # the middle terms W x omit the ReLU
    "cos324-ex-11.2.3": "error",  # 4.02 for 0.018
    "cos324-ex-11.4.5": "slip",  # J(y, x) on the left for J(z, x)
    "cos324-eq-11.14-revisited": "slip",  # the missing hat of o-hat
    "cos324-alg-full-backprop": "slip",  # the same missing hat
    "cos324-prob-11.4.6-i": "error",  # m additions for m(n - 1)
    "cos324-eq-11.19": "slip",  # the first line drops d/dz
    "cos324-prob-11.4.8": "error",  # g(W h) for g(f(W h))
    "cos324-code-11.5-hidden3": "transcription",  # ']' read as ')' in a listing whose layout is lost
    # ---- 003 EE-559
    "ee559-affine-collapse": "slip",  # "for all l < L" where the recursion must reach L
    "ee559-ua-error-budget": "transcription",  # underbrace labels broken in extraction
    "ee559-mse": "transcription",  # norm bars read as \ell
    "ee559-quadratic-argmin": "transcription",  # eta read as n in the local model
    "ee559-backward-activations": "slip",  # stray prime in nabla_1 l'(x^(L))
    # ---- 004 MLP/CNN notes
    "mlpcnn-fc-forward-matrix": "slip",
}

# entries that repeat a fault owned by another entry of the same document: {entry_id: owner_id}
SAME_FAULT = {
    # ---- 000 FAU
    # ---- 001 TUM
    # ---- 002 COS 324
    "cos324-eq-ce-output-layer": "cos324-eq-cross-entropy-loss",  # the 1-based label set
    "cos324-eq-11.16": "cos324-ex-11.4.3",  # ReLU'(0) = 0
    "cos324-eq-11.18": "cos324-ex-11.4.3",
    "cos324-eq-11.16-revisited": "cos324-ex-11.4.3",
    "cos324-eq-11.18-revisited": "cos324-ex-11.4.3",
    "cos324-alg-full-backprop": "cos324-eq-11.14-revisited",  # the missing hat of step 1
    # ---- 003 EE-559
    # ---- 004 MLP/CNN notes
}
