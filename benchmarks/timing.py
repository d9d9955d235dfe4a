"""Timing helpers: best-of-k wall time, and the machine description recorded with every result."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time


def best_of(fn, repeat: int = 3, warmup: int = 1) -> float:
    """Smallest wall time of `repeat` calls after `warmup` calls (seconds)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def wall(cmd: list[str], cwd=None, env=None, timeout: float = 3600) -> tuple[float, int]:
    """Wall time and exit code of a command (output discarded)."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=timeout)
    return time.perf_counter() - t0, proc.returncode


def machine() -> dict:
    """What the numbers were measured on."""
    info = {"python": sys.version.split()[0], "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as fh:
            info["memory_gib"] = round(int(fh.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    import numpy

    info["numpy"] = numpy.__version__
    for mod in ("torch", "jax"):
        try:
            info[mod] = __import__(mod).__version__
        except ImportError:
            info[mod] = None
    return info


def once(fn) -> float:
    """Wall time of one call (seconds)."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def load() -> list[float]:
    """1, 5 and 15 minute load averages (other processes competing for the CPUs)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return []
