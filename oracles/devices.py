"""Devices discovered at run time, and matmul precision pinned to true FP32 while oracles run.

Naming: "cpu" for both frameworks, "cuda:N" for torch's CUDA devices, "gpu:N" for JAX's GPUs.
The GPU legs of the suite are declared whether or not a GPU is present; `skip_reason` says why
one cannot run here. On Linux, a machine with none of the device files through which a GPU reaches
a process (NVIDIA's driver, AMD's ROCm, WSL2's GPU) has only the CPU, and discovery says so without
importing torch or JAX (which costs seconds); elsewhere the frameworks are asked.
"""
from __future__ import annotations

import contextlib
import functools
import glob
import importlib.util
import sys

# NVIDIA's driver (/dev/nvidia0, /dev/nvidiactl, ...), AMD ROCm's compute driver, WSL2's paravirtual GPU.
GPU_DEVICE_FILES = ("/dev/nvidia*", "/dev/kfd", "/dev/dxg")

# GPU legs that exist in every run of the suite (skipped with a reason when absent).
DECLARED_LEGS = {"torch": ("cpu", "cuda:0"), "jax": ("cpu", "gpu:0"), "fd": ("cpu", "gpu:0")}
PINNED_TORCH = "highest"  # legacy torch API; newer torch: fp32_precision = "ieee"
PINNED_JAX = "highest"  # jax.default_matmul_precision


@functools.lru_cache(maxsize=None)
def gpu_possible() -> bool:
    """False only where no GPU can be reached: Linux without any of GPU_DEVICE_FILES."""
    if not sys.platform.startswith("linux"):
        return True
    return any(glob.glob(pattern) for pattern in GPU_DEVICE_FILES)


def _cpu_only(framework: str) -> tuple[str, ...] | None:
    """("cpu",) or () without importing `framework` when no GPU is possible here; None: ask it."""
    if gpu_possible() or framework in sys.modules:
        return None
    try:
        return ("cpu",) if importlib.util.find_spec(framework) is not None else ()
    except (ImportError, ValueError):
        return ()


@functools.lru_cache(maxsize=None)
def torch_devices() -> tuple[str, ...]:
    known = _cpu_only("torch")
    if known is not None:
        return known
    try:
        import torch
    except ImportError:
        return ()
    cuda = [f"cuda:{i}" for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
    return ("cpu", *cuda)


@functools.lru_cache(maxsize=None)
def jax_devices() -> tuple[str, ...]:
    known = _cpu_only("jax")
    if known is not None:
        return known
    try:
        import jax
    except ImportError:
        return ()
    gpus = []
    try:
        gpus = [d for d in jax.devices() if d.platform in ("gpu", "cuda", "rocm")]
    except RuntimeError:
        pass
    return ("cpu", *(f"gpu:{i}" for i in range(len(gpus))))


def oracle_devices(oracle: str) -> tuple[str, ...]:
    """Devices an oracle can use here (fd evaluates through JAX, else torch)."""
    if oracle == "torch":
        return torch_devices()
    if oracle == "jax":
        return jax_devices()
    if oracle == "fd":
        return jax_devices() or torch_devices()
    return ("cpu",)


def discover(oracles=("torch", "jax", "fd")) -> dict:
    """{"torch": [...], "jax": [...], "fd": [...], "all": [...]} for this process, for the given
    oracles only (a framework no oracle of them uses is not imported)."""
    found = {o: list(oracle_devices(o)) for o in ("torch", "jax", "fd") if o in oracles}
    found["all"] = sorted({d for v in found.values() for d in v}, key=lambda d: (d != "cpu", d))
    return found


def legs(oracle: str) -> tuple[str, ...]:
    """Declared legs plus any further device found (e.g. cuda:1)."""
    extra = tuple(d for d in oracle_devices(oracle) if d not in DECLARED_LEGS.get(oracle, ()))
    return DECLARED_LEGS.get(oracle, ("cpu",)) + extra


def skip_reason(oracle: str, device: str) -> str | None:
    """None if `oracle` can run on `device` here, else why not."""
    if device in oracle_devices(oracle):
        return None
    if device.startswith(("cuda", "gpu")) and not gpu_possible():
        kind = "CUDA device" if device.startswith("cuda") else "GPU"
        return (f"no {kind} {device}: no GPU on this machine (none of {', '.join(GPU_DEVICE_FILES)} "
                "exists)")
    if device.startswith("cuda"):
        return f"no CUDA device {device} found by torch (torch.cuda.is_available() is False or too few devices)"
    if device.startswith("gpu"):
        return f"no GPU {device} found by JAX (jax.devices() lists no gpu/cuda platform device)"
    return f"{oracle} does not run on device {device!r} (available: {list(oracle_devices(oracle))})"


def torch_device(name: str):
    import torch

    return torch.device("cpu" if name == "cpu" else name)


def jax_device(name: str):
    import jax

    if name == "cpu":
        return jax.devices("cpu")[0]
    idx = int(name.split(":")[1])
    gpus = [d for d in jax.devices() if d.platform in ("gpu", "cuda", "rocm")]
    return gpus[idx]


def _torch_new_api(torch) -> bool:
    """torch >= 2.9 sets FP32 precision per backend (fp32_precision = "ieee" / "tf32"); mixing it
    with the legacy allow_tf32 flags makes torch raise, so only one of the two is used."""
    return hasattr(torch.backends.cuda.matmul, "fp32_precision")


@contextlib.contextmanager
def torch_fp32_pinned():
    """True FP32 matmuls and convolutions in torch (no TF32) for the duration; restores the
    previous settings."""
    import torch

    if _torch_new_api(torch):
        prev = (torch.backends.cuda.matmul.fp32_precision, torch.backends.cudnn.conv.fp32_precision)
        torch.backends.cuda.matmul.fp32_precision = "ieee"
        torch.backends.cudnn.conv.fp32_precision = "ieee"
        try:
            yield
        finally:
            torch.backends.cuda.matmul.fp32_precision, torch.backends.cudnn.conv.fp32_precision = prev
        return
    prev = (torch.get_float32_matmul_precision(), torch.backends.cuda.matmul.allow_tf32,
            torch.backends.cudnn.allow_tf32)
    torch.set_float32_matmul_precision(PINNED_TORCH)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(prev[0])
        torch.backends.cuda.matmul.allow_tf32 = prev[1]
        torch.backends.cudnn.allow_tf32 = prev[2]


def torch_precision_now() -> dict:
    """torch's FP32 matmul / conv precision settings as they stand."""
    import torch

    if _torch_new_api(torch):
        return {"cuda.matmul.fp32_precision": torch.backends.cuda.matmul.fp32_precision,
                "cudnn.conv.fp32_precision": torch.backends.cudnn.conv.fp32_precision}
    return {"float32_matmul_precision": torch.get_float32_matmul_precision(),
            "cuda.matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32,
            "cudnn.allow_tf32": torch.backends.cudnn.allow_tf32}


def precision_settings() -> dict:
    """What the oracles use when they compare (pinned), and the process defaults found, for the
    frameworks this process has loaded (those of the oracles that ran; nothing is imported here)."""
    out = {}
    if "torch" in sys.modules:
        default = torch_precision_now()
        with torch_fp32_pinned():
            pinned = torch_precision_now()
        out["torch"] = {**pinned, "pinned": "true FP32 (no TF32) inside every torch oracle call",
                        "process_default": default}
    if "jax" in sys.modules:
        jax = sys.modules["jax"]
        out["jax"] = {"default_matmul_precision": PINNED_JAX,
                      "x64": "enabled only inside float64 oracle calls (jax.enable_x64 context)",
                      "process_default": {"default_matmul_precision": jax.config.jax_default_matmul_precision,
                                          "x64": bool(jax.config.jax_enable_x64)}}
    return out
