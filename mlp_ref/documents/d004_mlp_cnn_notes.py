"""004 — MLPs + CNNs lecture notes (9/03/15): module abstraction, FC layer, ReLU layer."""
from __future__ import annotations

import numpy as np

from .. import activations as act
from ..registry import Arg, Op, entry, register_op

SRC = "004_e1f35d5019c4ba9b.txt"


def relu_backward_as_written(g, h):
    """004 B-PASS: dL/dh_i^l = dL/dh_i^(l+1) x 1{h_i^l >= 0} (value 1 at h = 0)."""
    return g * act.relu_grad(h, at_zero=1.0)


RELU_AS_WRITTEN = register_op(Op(
    name="mlpcnn-relu-layer", fn="relu", forward=act.relu,
    vjp=lambda g, z: {"z": relu_backward_as_written(g, z)},
    args={"z": Arg(("N", "D"), low=-4, high=4, kinks=(0.0,))}, analytic=False,
    note="away from 0 this is the ordinary ReLU derivative; at 0 it returns 1"))


@entry(id="mlpcnn-relu-layer", source=SRC, location="③ ReLU Layer", kind="formula",
       statement=r"F-PASS h_i^{(l+1)} = max{0, h_i^l}; B-PASS dh_i^{(l+1)}/dh_i^l = +1 if h_i^l >= 0, "
                 r"0 else; dL/dh_i^l = dL/dh_i^{(l+1)} x 1{h_i^l >= 0}",
       op=RELU_AS_WRITTEN)
def _(r):
    rng = np.random.default_rng(4)
    h = rng.uniform(-3, 3, 50)
    g = rng.normal(size=50)
    eps = 1e-6
    fd = (act.relu(h + eps) - act.relu(h - eps)) / (2 * eps)
    r.close("backward away from 0", relu_backward_as_written(g, h), g * fd,
            what="B-PASS at 50 points away from the kink vs central differences", rtol=1e-6, atol=1e-8)
    at0 = float(relu_backward_as_written(np.array([1.0]), np.array([0.0]))[0])
    left = float((act.relu(np.array(0.0)) - act.relu(np.array(-eps))) / eps)
    right = float((act.relu(np.array(eps)) - act.relu(np.array(0.0))) / eps)
    r.value("derivative at 0 as written", at0)
    r.value("one-sided derivatives at 0", [left, right])
    r.claim("value at 0 is a subgradient", min(left, right) <= at0 <= max(left, right),
            f"at h = 0 the as-written derivative is {at0:g}, inside the one-sided range [{left:g}, {right:g}]")
    r.convention("kink at 0", at0 != 0.0,
                 "convention: 004 takes dReLU/dh = 1 at h = 0 (1{h >= 0}); 002 Example 11.4.3 and "
                 "torch/JAX take 0 (1{h > 0}); mlp_ref.relu_grad(z, at_zero=...) exposes both")
