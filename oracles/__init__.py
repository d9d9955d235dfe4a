"""Independent oracles for the reference's formulas: torch autograd, JAX transforms, finite differences.

`get(name)` returns an oracle implementing `oracles.base.Oracle` (value, vjp, jvp, jacobian at a
`Problem` on a device and dtype). The oracle modules never import the reference (mlp_ref);
only the harness (`oracles.conformance`, `oracles.cli`) does, to compare it with them.
"""
from __future__ import annotations

from .base import (DeviceUnavailable, Estimate, KinkError, MissingForm, Oracle, OracleError, Problem)

ORACLES = ("torch", "jax", "fd")


def get(name: str, **options) -> Oracle:
    """The oracle called `name` ("torch", "jax" or "fd"; fd takes method=...)."""
    if name == "torch":
        from .torch_oracle import TorchOracle

        return TorchOracle(**options)
    if name == "jax":
        from .jax_oracle import JaxOracle

        return JaxOracle(**options)
    if name == "fd":
        from .fd import FDOracle

        return FDOracle(**options)
    raise ValueError(f"oracle: expected one of {ORACLES}, got {name!r}")


__all__ = ["ORACLES", "get", "Oracle", "Problem", "Estimate", "OracleError", "MissingForm",
           "DeviceUnavailable", "KinkError"]
