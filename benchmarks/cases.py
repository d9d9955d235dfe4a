"""The benchmark cases of `mlp-ref bench`; each returns rows {name, ours_s, peer_s, ratio, target}."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from .timing import best_of, wall

ROOT = Path(__file__).resolve().parents[1]


def row(name, ours, peer, target, note="", unit="ratio"):
    """One result row; ratio = ours / peer (lower is better), `target` is the largest acceptable ratio."""
    ratio = None if ours is None or not peer else ours / peer
    met = None if ratio is None or target is None else ratio <= target
    return {"name": name, "ours_s": ours, "peer_s": peer, "ratio": ratio, "target": target,
            "met": met, "note": note}


def _mlp_params(sizes, dtype, rng):
    Ws = [(rng.standard_normal((o, i)) / np.sqrt(i)).astype(dtype) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(o, dtype) for o in sizes[1:]]
    return Ws, bs


def forward_backward(quick=False):
    """mlp_ref forward + backward vs torch (autograd) on CPU, same MLP, batch and dtype."""
    import torch

    import mlp_ref

    sizes = (784, 1024, 1024, 10)
    N = 64 if quick else 256
    rows = []
    for dtype in ("float32", "float64"):
        rng = np.random.default_rng(0)
        Ws, bs = _mlp_params(sizes, dtype, rng)
        x = rng.standard_normal((N, sizes[0])).astype(dtype)
        y = rng.integers(0, sizes[-1], N)

        def ours():
            mlp_ref.mlp_loss_backward(x, y, Ws, bs, activation="relu", loss="softmax_cross_entropy",
                                       input_grad=False)

        tW = [torch.tensor(W, requires_grad=True) for W in Ws]
        tb = [torch.tensor(b, requires_grad=True) for b in bs]
        tx, ty = torch.tensor(x), torch.tensor(y)

        def peer():
            h = tx
            for i, (W, b) in enumerate(zip(tW, tb)):
                h = torch.nn.functional.linear(h, W, b)
                if i < len(tW) - 1:
                    h = torch.relu(h)
            loss = torch.nn.functional.cross_entropy(h, ty, reduction="sum")
            torch.autograd.grad(loss, tW + tb)

        rep = 3 if quick else 7
        rows.append(row(f"forward+backward 784-1024-1024-10 batch {N} {dtype}: mlp_ref vs torch",
                        best_of(ours, rep), best_of(peer, rep), 1.3,
                        f"torch threads={torch.get_num_threads()}"))
    return rows


def commands(quick=False):
    """Wall time of `mlp-ref report`, the whole test suite, and `mlp-ref grade` on one submission."""
    rows = []
    env = dict(os.environ, PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory() as tmp:
        t, rc = wall([sys.executable, "-m", "mlp_ref.cli", "report", "--out", str(Path(tmp) / "report")],
                     cwd=ROOT, env=env)
        rows.append(row("mlp-ref report (cpu, float32+float64, all installed oracles): wall seconds",
                        t, None, None, f"exit code {rc}; target <= 60 s"))
        rows[-1].update(target_s=60.0, met=t <= 60.0 and rc in (0, 1))
        sub = ROOT / "examples" / "submissions" / "correct.py"
        if sub.exists():
            t, rc = wall([sys.executable, "-m", "mlp_ref.cli", "grade", str(sub), "--out", str(Path(tmp) / "g")],
                         cwd=ROOT, env=env)
            rows.append(row("mlp-ref grade on one submission: wall seconds", t, None, None,
                            f"exit code {rc}; target <= 10 s"))
            rows[-1].update(target_s=10.0, met=t <= 10.0 and rc == 0)
        if not quick:
            t, rc = wall([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, env=env)
            rows.append(row("whole conformance suite (python -m pytest -q): wall seconds", t, None, None,
                            f"exit code {rc}"))
    return rows
