"""Oracle: torch.autograd over torch's own functions (torch.nn.functional, torch.special, ...)."""
from __future__ import annotations

import numpy as np

from . import devices as dev
from .base import Estimate, Oracle, Problem, check_dtype


ROW_BY_ROW_MAX = 256  # outputs up to this size get their Jacobian one backward pass per element


class TorchOracle(Oracle):
    name = "torch"

    def available(self):
        try:
            import torch  # noqa: F401
        except ImportError as exc:
            return f"torch is not importable ({exc})"
        return None

    def devices(self):
        return list(dev.torch_devices())

    def forms(self):
        from .forms import torch_forms

        return torch_forms()

    # ------------------------------------------------------------------------------ plumbing
    def _setup(self, problem: Problem, device: str, dtype: str, requires_grad=True):
        import torch

        self._check_device(device)
        dtype = check_dtype(dtype)
        tdev = dev.torch_device(device)
        tdt = getattr(torch, dtype)
        inputs = {}
        for k, v in problem.cast(dtype).items():
            t = torch.as_tensor(v, device=tdev)
            t = t.to(tdt) if t.is_floating_point() else t
            if requires_grad and k in problem.wrt:
                t.requires_grad_(True)
            inputs[k] = t
        return self._form(problem.fn), inputs, tdev, tdt

    @staticmethod
    def _np(t):
        return t.detach().cpu().numpy()

    def _partial(self, form, inputs, problem):
        wrt = problem.wrt
        fixed = {k: v for k, v in inputs.items() if k not in wrt}

        def f(*w):
            return form(**fixed, **dict(zip(wrt, w)), **problem.params)

        return f, tuple(inputs[a] for a in wrt)

    # ------------------------------------------------------------------------------ interface
    def value(self, problem, device="cpu", dtype="float64"):
        import torch

        with dev.torch_fp32_pinned(), torch.no_grad():
            form, inputs, _, _ = self._setup(problem, device, dtype, requires_grad=False)
            return Estimate(self._np(form(**inputs, **problem.params)), method="torch")

    def vjp(self, problem, g, device="cpu", dtype="float64"):
        import torch

        with dev.torch_fp32_pinned():
            form, inputs, tdev, tdt = self._setup(problem, device, dtype)
            out = form(**inputs, **problem.params)
            gt = torch.as_tensor(np.asarray(g), device=tdev).to(tdt).reshape(out.shape)
            prim = [inputs[a] for a in problem.wrt]
            # the gradient of sum(out * g) is exactly J^T g (the product's backward multiplies by 1);
            # grad_outputs= would make torch import sympy on its first use (about 0.4 s per process)
            grads = torch.autograd.grad((out * gt).sum(), prim, allow_unused=True)
            return Estimate({a: (np.zeros(tuple(p.shape), dtype) if gr is None else self._np(gr))
                             for a, gr, p in zip(problem.wrt, grads, prim)}, method="torch.autograd.grad")

    def jvp(self, problem, tangents, device="cpu", dtype="float64"):
        import torch

        with dev.torch_fp32_pinned():
            form, inputs, tdev, tdt = self._setup(problem, device, dtype, requires_grad=False)
            f, primals = self._partial(form, inputs, problem)
            tans = tuple(torch.as_tensor(np.asarray(tangents.get(a, np.zeros(p.shape))), device=tdev).to(tdt)
                         .reshape(p.shape) for a, p in zip(problem.wrt, primals))
            try:
                _, out = torch.func.jvp(f, primals, tans)
                method = "torch.func.jvp"
            except Exception:  # a form functorch cannot trace: the double-VJP trick instead
                prim = [p.detach().requires_grad_(True) for p in primals]
                y = f(*prim)
                v = torch.zeros_like(y, requires_grad=True)
                gs = torch.autograd.grad(y, prim, grad_outputs=v, create_graph=True, allow_unused=True)
                pairs = [(gr, t) for gr, t in zip(gs, tans) if gr is not None]
                out = torch.autograd.grad([gr for gr, _ in pairs], v, grad_outputs=[t for _, t in pairs])[0]
                method = "torch.autograd (double vjp)"
            return Estimate(self._np(out), method=method)

    def jacobian(self, problem, device="cpu", dtype="float64"):
        import torch

        with dev.torch_fp32_pinned():
            form, inputs, _, _ = self._setup(problem, device, dtype, requires_grad=False)
            f, primals = self._partial(form, inputs, problem)
            # one backward pass per output element for small outputs: the vectorized form passes
            # grad_outputs=, which makes torch import sympy on its first use (about 0.5 s per process)
            with torch.no_grad():
                rows = f(*primals).numel() <= ROW_BY_ROW_MAX
            try:
                jac = torch.autograd.functional.jacobian(f, primals, vectorize=not rows)
            except Exception:
                if rows:  # already the row-by-row form: nothing else to try
                    raise
                jac = torch.autograd.functional.jacobian(f, primals, vectorize=False)
            return Estimate({a: self._np(j) for a, j in zip(problem.wrt, jac)},
                            method="torch.autograd.functional.jacobian")
