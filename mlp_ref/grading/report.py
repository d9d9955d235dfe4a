"""`mlp-ref grade --sandbox-report`: which protections a submission would run under here.

Starts the sandbox once with an empty submission (no student code) and reads back the layers the
worker itself put in place, then checks which paths the sandbox uid could read.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .sandbox import HideNotEnforced, Limits, SandboxError, Session, exposed_to_others, _project_paths


def sandbox_report(mode: str = "auto", hide=()) -> dict:
    """{mode, uid, layers, protections: [(name, active, detail)], paths: [(path, status)]}."""
    with tempfile.TemporaryDirectory(prefix="mlpref-probe-") as tmp:
        sub = Path(tmp) / "empty.py"
        sub.write_text("")
        with Session(sub, Limits(), mode, also_hide=hide) as s:
            state = s.ensure_worker()
            if state[0] != "ready":
                raise SandboxError(f"the probe did not load: {state}")
            layers, uid, kernel_hides = list(s.layers), s.uid, s.files_hidden()
            mode_used = s.mode
            paths = []
            for p in [*_project_paths(), *hide]:
                p = os.path.realpath(p)
                if mode_used == "namespace":
                    how = "hidden (empty mount over it)"
                elif kernel_hides:
                    how = "hidden (Landlock)"
                elif uid is not None and not exposed_to_others(p):
                    how = "unreadable to the sandbox uid (file permissions)"
                else:
                    how = "READABLE by the submission"
                paths.append((p, how))
    landlock = next((x for x in layers if x.startswith("landlock")), "")
    prot = [
        ("own unprivileged uid and gid", "own-uid" in layers,
         f"uid {uid}, no supplementary groups" if uid is not None else "not root: runs as the invoking user"),
        ("no capabilities", "no-capabilities" in layers, "bounding, permitted, effective and ambient sets empty"),
        ("namespaces (network, mount, PID, IPC, UTS)", "namespaces" in layers,
         "" if "namespaces" in layers else "not available (needs root and a working unshare) or not requested"),
        ("Landlock file and TCP rules", bool(landlock), landlock or "the kernel refuses it"),
        ("seccomp: no sockets (the grader's channel is a pair of pipes), no io_uring",
         "seccomp-no-sockets" in layers, ""),
        ("limits: wall, CPU, memory, file size, process count, total disk", True,
         f"disk {Limits().disk_mb} MB in total by default (rubric [limits] disk_mb)"),
        ("every process of the sandbox killed after each submission", uid is not None or mode_used == "namespace",
         "by uid" if uid is not None else "by an environment marker only (not root)"),
    ]
    return {"mode": mode_used, "uid": uid, "layers": layers, "protections": prot, "paths": paths}


def print_sandbox_report(mode: str, hide) -> int:
    try:
        rep = sandbox_report(mode, hide)
    except (SandboxError, HideNotEnforced, RuntimeError) as exc:
        print(f"mlp-ref grade: {exc}")
        return 1
    print(f"sandbox level: {rep['mode']} (requested {mode}); layers reported by the worker: "
          f"{', '.join(rep['layers']) or 'none'}")
    for name, active, detail in rep["protections"]:
        print(f"  [{'x' if active else ' '}] {name}" + (f": {detail}" if detail else ""))
    print("paths kept from the submission:")
    for p, how in rep["paths"]:
        print(f"  {p}: {how}")
    return 0 if rep["uid"] is not None or os.geteuid() != 0 else 1
