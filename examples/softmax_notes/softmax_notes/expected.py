"""Expected verdicts of the softmax notes, in document order (see mlp_ref.packages.expectations)."""

EXPECTED = {
    "softmax-notes-ce-gradient": "holds",
    "softmax-notes-example-1": "holds",
    "softmax-notes-two-layer": "holds",
    "softmax-notes-backprop": "erratum",  # (5) prints 1 − h where tanh' = 1 − h²
}
INPUTS: set = set()
MISMATCHED_NUMBERS: set = set()
OTHER_READINGS: dict = {}
CONVENTIONS: dict = {}
SEVERITY = {"softmax-notes-backprop": "error"}
SAME_FAULT: dict = {}
