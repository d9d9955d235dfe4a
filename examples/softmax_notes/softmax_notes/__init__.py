"""Example document package for mlp-ref: short notes on the softmax cross-entropy gradient and a
two-layer network (notes.md), with their entries (document.py), oracle forms (forms.py) and
expected verdicts (expected.py)."""
