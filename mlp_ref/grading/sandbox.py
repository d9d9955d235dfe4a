"""Run one submission in its own process: limits, isolation, restart after a crash or a timeout.

Every level, as root, runs the submission under a uid and gid of its own (never uid 0), with no
capabilities, no supplementary groups and `no_new_privs`; the worker opens descriptors to the
standard library and NumPy before it drops root and imports through /proc/self/fd links, so an
interpreter under a directory that uid cannot search (e.g. /root, mode 0700) still works.

* ``namespace`` (root and a working ``unshare``): the worker also starts in new network, mount,
  PID, IPC and UTS namespaces. The network namespace is empty. Before loading the submission the
  worker covers /tmp, /root, /home, the project checkout (or the installed mlp_ref), the output
  directory and any hidden path with empty tmpfs mounts. Leaving the namespace kills every
  process in it.
* ``process`` (no namespaces, e.g. Gradescope): a plain child process. What the submission's uid
  may read is decided by file permissions (and Landlock where the kernel has it): a path given
  with ``--hide`` that it could still read is an error (`HideNotEnforced`); the grader's own code
  and output folder get a warning instead. Every process of the uid is killed after each worker
  and at the end, its files in the scratch folders are removed, and a monitor kills it when its
  files exceed the total disk limit.

Both levels add Landlock file and TCP rules where the kernel allows and a seccomp filter that
refuses every socket (the grader's channel is a pair of pipes) and io_uring. Limits are set by
the worker itself before it loads the submission (``preexec_fn`` is unsafe in the threads that
``--jobs`` uses): address space, CPU seconds, file size, no core dumps and a process count. Wall
time is enforced here with a deadline on every reply. Setting MLPREF_SANDBOX_NO_LANDLOCK=1 makes
the Landlock system calls fail inside the worker, as on a kernel without them (tests).
"""
from __future__ import annotations

import functools
import itertools
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import protocol

WORKER = Path(__file__).with_name("worker.py")
# read-only for the submission under Landlock, besides the standard library and NumPy: the
# directories of shared libraries an extension module may load, and two harmless devices
_MULTIARCH = sysconfig.get_config_var("MULTIARCH")
SYSTEM_READ = ((f"/usr/lib/{_MULTIARCH}", f"/lib/{_MULTIARCH}") if _MULTIARCH else ("/usr/lib", "/lib")) + (
    "/usr/lib64", "/lib64", "/etc/ld.so.cache", "/dev/null", "/dev/urandom")
SITE_DIRS = ("site-packages", "dist-packages")
MODES = ("auto", "namespace", "process")
UNSHARE = ("--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--ipc", "--uts")
SIGNAL_NOTES = {
    signal.SIGKILL: "was killed (SIGKILL): usually the memory limit or the grader stopping it",
    signal.SIGXCPU: "used up its CPU time limit (SIGXCPU)",
    signal.SIGXFSZ: "exceeded the file size limit (SIGXFSZ): it printed or wrote too much",
    signal.SIGSEGV: "crashed with a segmentation fault (SIGSEGV)",
    signal.SIGABRT: "aborted (SIGABRT)",
    signal.SIGBUS: "crashed with a bus error (SIGBUS)",
    signal.SIGTERM: "was terminated (SIGTERM)",
}

_probe_lock = threading.Lock()
_probe_result: dict[str, bool] = {}
_uids = itertools.count()
_uid_lock = threading.Lock()


class SandboxError(RuntimeError):
    """The sandbox itself failed (before any submission code ran): a grader error, not a score."""


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 2.0
    load_seconds: float = 10.0
    total_seconds: float = 60.0
    memory_mb: int = 1024
    cpu_seconds: int = 60
    file_mb: int = 16
    output_kb: int = 8
    max_restarts: int = 20
    disk_mb: int = 64


# ------------------------------------------------------------------------------- the level
def _namespace_works() -> bool:
    with _probe_lock:
        if "namespace" not in _probe_result:
            ok = False
            if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare"):
                code = ("import ctypes;l=ctypes.CDLL(None,use_errno=True);"
                        "import sys;sys.exit(l.mount(b'tmpfs',b'/tmp',b'tmpfs',6,b'size=1m'))")
                try:
                    ok = subprocess.run(["unshare", *UNSHARE, sys.executable, "-I", "-S", "-c", code],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, timeout=20).returncode == 0
                except (OSError, subprocess.SubprocessError):
                    ok = False
            _probe_result["namespace"] = ok
        return _probe_result["namespace"]


def resolve_mode(requested: str = "auto") -> str:
    """The isolation level to use: `namespace` where it works, else `process`."""
    if requested not in MODES:
        raise ValueError(f"sandbox: expected one of {MODES}, got {requested!r}")
    if requested == "process":
        return "process"
    if _namespace_works():
        return "namespace"
    if requested == "namespace":
        raise RuntimeError("sandbox 'namespace' is not available here (needs root and a working "
                           "`unshare`); use --sandbox process or auto")
    return "process"


# ------------------------------------------------------------------------------- paths
def _real(p) -> str:
    return os.path.realpath(str(p))


def _under(p: str, root: str) -> bool:
    return p == root or p.startswith(root.rstrip("/") + "/")


def _numpy_dirs() -> dict[str, str]:
    import numpy

    pkg = _real(Path(numpy.__file__).parent)
    links = {"numpy": pkg}
    libs = Path(pkg).parent / "numpy.libs"
    if libs.is_dir():
        links["numpy.libs"] = _real(libs)
    return links


def _project_paths() -> list[str]:
    """The reference and the grader's code: the checkout root, or the installed packages."""
    pkg = Path(__file__).resolve().parent.parent  # .../mlp_ref
    root = pkg.parent
    if (root / "pyproject.toml").exists():
        return [_real(root)]
    return [_real(root / n) for n in ("mlp_ref", "reports", "oracles", "benchmarks") if (root / n).is_dir()]


def _stdlib_entries() -> list[str]:
    """Every entry of the standard library directories except site-packages (which may hold mlp_ref)."""
    return list(dict.fromkeys(path for _, path in _stdlib_scan()))


@functools.cache
def _stdlib_scan() -> tuple[tuple[str, str], ...]:
    """(name, real path) of each standard-library entry except site-packages, first of a name first.
    Read once per grading process: resolving every entry's links took ~60 ms per submission."""
    out, seen = [], set()
    for key in ("stdlib", "platstdlib"):
        d = sysconfig.get_paths().get(key)
        if d and os.path.isdir(d):
            for e in sorted(os.scandir(d), key=lambda e: e.name):
                if e.name not in SITE_DIRS:
                    path = _real(e.path)
                    if (e.name, path) not in seen:
                        seen.add((e.name, path))
                        out.append((e.name, path))
    return tuple(out)


def _next_uid() -> int:
    with _uid_lock:
        n = next(_uids)
    return 200000 + (os.getpid() % 4096) * 4096 + n % 4096


def _strays(uid: int | None, token: str) -> list[int]:
    """Processes a submission left behind: by its own uid, or (without one) by the environment marker."""
    marker = f"MLPREF_SANDBOX={token}".encode()
    found = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            pid = int(d.name)
            if pid == os.getpid():
                continue
            if uid is not None:
                status = (d / "status").read_text()
                line = next((ln for ln in status.splitlines() if ln.startswith("Uid:")), "")
                hit = str(uid) in line.split()[1:5]
            else:
                hit = marker in (d / "environ").read_bytes()
            if hit:
                found.append(pid)
        except (OSError, ValueError, StopIteration):
            continue
    return found


def _kill_strays(uid: int | None, token: str) -> int:
    """SIGKILL every process of the sandbox, again until none is left (a fork in flight is caught
    by the next round); returns how many were killed."""
    killed = 0
    for _ in range(20):
        pids = _strays(uid, token)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        time.sleep(0.01)
    return killed


def _owned_entries(uid: int, dirs) -> list[str]:
    """Top-level entries of `dirs` owned by `uid` (what it wrote to /tmp, /var/tmp, /dev/shm)."""
    out = []
    for d in dirs:
        try:
            with os.scandir(d) as it:
                for e in it:
                    try:
                        if e.stat(follow_symlinks=False).st_uid == uid:
                            out.append(e.path)
                    except OSError:
                        continue
        except OSError:
            continue
    return out


def _tree_bytes(path: str) -> int:
    """Disk use beneath `path`, never following a symbolic link."""
    total = 0
    try:
        st = os.lstat(path)
    except OSError:
        return 0
    total += st.st_blocks * 512
    if stat.S_ISDIR(st.st_mode):
        try:
            with os.scandir(path) as it:
                for e in it:
                    total += _tree_bytes(e.path)
        except OSError:
            pass
    return total


def _remove(path: str) -> None:
    """Delete a file or tree without following symbolic links."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def exposed_to_others(path: str) -> bool:
    """Can a uid that is neither the owner nor in the group read `path` (or files inside it)?"""
    p = Path(os.path.abspath(path))
    for anc in reversed(p.parents):
        try:
            if not os.stat(anc).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    try:
        mode = os.stat(p).st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IROTH | stat.S_IXOTH)) if stat.S_ISDIR(mode) else bool(mode & stat.S_IROTH)


class HideNotEnforced(RuntimeError):
    """A path given with --hide would be readable by the submission (no namespaces, no Landlock)."""


# ------------------------------------------------------------------------------- the worker
class Worker:
    """One sandboxed process serving calls for one submission; restarted by `Session` as needed."""

    def __init__(self, session: "Session"):
        self.s = session
        self.proc: subprocess.Popen | None = None
        self.req_w = self.rep_r = None
        self.seq = 0

    def start(self) -> tuple[str, object]:
        s = self.s
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        cfg = dict(s.base_cfg, req_fd=req_r, rep_fd=rep_w)
        cfg_path = s.dir / "config.json"
        cfg_path.write_text(json.dumps(cfg))
        os.chmod(cfg_path, 0o600)
        cmd = [sys.executable, "-I", "-S", "-B", "-u", str(WORKER), str(cfg_path)]
        if s.mode == "namespace":
            cmd = ["unshare", *UNSHARE, *cmd]
        out = open(s.output_path, "ab")
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                         pass_fds=(req_r, rep_w), env=s.env, cwd=str(s.dir),
                                         start_new_session=True, close_fds=True)
        finally:
            out.close()
            os.close(req_r)
            os.close(rep_w)
        self.req_w, self.rep_r = req_w, rep_r
        deadline = time.monotonic() + s.limits.load_seconds
        try:  # the greeting comes before any submission code runs: failing here is the grader's problem
            hello, _ = protocol.read_frame(self.rep_r, deadline)
            if hello.get("type") != "hello" or not isinstance(hello.get("layers"), list):
                raise protocol.ProtocolError("no greeting")
        except (protocol.WorkerTimeout, protocol.WorkerGone, protocol.ProtocolError) as exc:
            self.stop()
            tail = s.output()[-2000:].decode("utf-8", "replace")
            raise SandboxError(f"the sandbox did not start ({exc}); worker output:\n{tail}") from None
        s.layers = [str(x)[:40] for x in hello["layers"]][:10]
        try:
            header, _ = protocol.read_frame(self.rep_r, deadline)
        except protocol.WorkerTimeout:
            self.stop()
            return "timeout", f"did not finish loading within {s.limits.load_seconds:g} s"
        except protocol.WorkerGone:
            return "crash", "exited while loading: " + self.exit_note()
        except protocol.ProtocolError as exc:
            self.stop()
            return "crash", f"sent a malformed message while loading ({exc})"
        if header.get("type") == "ready" and isinstance(header.get("functions"), list):
            return "ready", [str(f)[:80] for f in header["functions"]][:500]
        if header.get("type") == "load_error":
            self.stop()
            return "load_error", _error_dict(header.get("error"))
        self.stop()
        return "crash", "sent an unexpected message while loading"

    def call(self, request: dict, blobs: list, timeout: float) -> tuple[str, object]:
        """Returns ("ok", header, blobs) | ("timeout"|"crash"|"protocol", message)."""
        self.seq += 1
        nonce = secrets.token_hex(8)
        deadline = time.monotonic() + timeout
        try:
            protocol.write_all(self.req_w, protocol.pack_frame(dict(request, seq=self.seq, nonce=nonce), blobs),
                               deadline)
            header, rblobs = protocol.read_frame(self.rep_r, deadline)
        except protocol.WorkerTimeout:
            self.stop()
            return "timeout", f"did not return within the time limit of {timeout:g} s"
        except protocol.WorkerGone:
            return "crash", "the process ended during this call: " + self.exit_note()
        except protocol.ProtocolError as exc:
            self.stop()
            return "protocol", f"the reply was not a well-formed result ({exc})"
        if (header.get("type") != "reply" or header.get("seq") != self.seq or header.get("nonce") != nonce
                or protocol.pending(self.rep_r)):
            self.stop()
            return "protocol", ("the reply did not answer this call: something other than the grader's worker "
                                "wrote to the result channel")
        return "ok", (header, rblobs)

    def exit_note(self) -> str:
        rc = self._wait(2.0)
        self.stop()
        if self.s.kill_reason:
            return self.s.kill_reason
        if rc is None:
            return "it stopped answering"
        sig = -rc if rc < 0 else (rc - 128 if self.s.mode == "namespace" and rc > 128 else None)
        if sig:
            try:
                name = signal.Signals(sig)
            except ValueError:
                name = None
            note = SIGNAL_NOTES.get(name, f"was killed by signal {sig}")
            if name == signal.SIGXCPU:
                note += f" of {self.s.limits.cpu_seconds} s"
            return note
        return f"it exited with code {rc} (os._exit?)"

    def _wait(self, timeout):
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.kill()
            except OSError:
                pass
            self._wait(5.0)
        if self.s.mode != "namespace" or self.s.uid is not None:
            _kill_strays(self.s.uid, self.s.token)
        for fd in (self.req_w, self.rep_r):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.req_w = self.rep_r = None
        self.proc = None


def _error_dict(err) -> dict:
    err = err if isinstance(err, dict) else {}
    return {k: str(err.get(k, ""))[:4000] for k in ("type", "message", "traceback")}


SIMULATE_NO_LANDLOCK_ENV = "MLPREF_SANDBOX_NO_LANDLOCK"  # "1": Landlock calls fail in the worker (tests)


class Session:
    """Everything needed to (re)start workers for one submission; a context manager.

    `hide`: paths that must stay unreadable to the submission (an error when that cannot be
    enforced); `also_hide`: paths hidden where possible, with a warning where not.
    """

    def __init__(self, submission: Path, limits: Limits, mode: str = "auto", hide=(), also_hide=()):
        self.limits = limits
        self.mode = resolve_mode(mode)
        self.token = secrets.token_hex(8)
        self.dir = Path(tempfile.mkdtemp(prefix="mlpref-grade-"))
        self.output_path = self.dir / "output.txt"
        self.output_path.touch(mode=0o600)
        shutil.copyfile(submission, self.dir / "submission.py")
        os.chmod(self.dir / "submission.py", 0o600)
        lib, run, stage = self.dir / "lib", self.dir / "run", self.dir / "stage"
        links = _numpy_dirs()
        keep = _dedupe([_real(sys.base_prefix), _real(sys.prefix), _real(sys.exec_prefix), *links.values()])
        root = os.geteuid() == 0 if hasattr(os, "geteuid") else False
        # as root the submission always gets a uid of its own, never uid 0; where the interpreter is
        # not searchable by that uid, the worker reaches it through descriptors it opens first
        self.uid = _next_uid() if root else None
        self.worker: Worker | None = None
        if self.mode == "process":
            lib.mkdir()
            run.mkdir(mode=0o700)
            if self.uid is not None:
                os.chown(run, self.uid, self.uid)
        lib_links = {**_stdlib_links(), **links}  # the worker links them through descriptors
        if self.uid is not None:
            os.chmod(self.dir, 0o711)  # traversable by the sandbox uid; its files stay 0600
        self.required = _dedupe([_real(p) for p in hide])
        self.best_effort = _dedupe([_real(p) for p in (*_project_paths(), *also_hide) if _real(p) not in self.required])
        hide_paths = [*self.required, *self.best_effort]
        scratch = ["/tmp", "/var/tmp", "/dev/shm"]
        self.scratch = scratch
        covers, hide_after = [], []
        stage_dir = _real(self.dir)
        for p in [*scratch, "/root", "/home", *hide_paths]:
            if p == "/":
                continue
            if any(_under(p, k) and p != k for k in keep):
                hide_after.append(p)  # inside a kept tree: cover it after the keeps are bound back
            elif any(_under(k, p) for k in keep) and (_under(stage_dir, p) or p in keep):
                continue  # covering it would lose the interpreter (keeps cannot be re-bound there)
            else:
                covers.append(p)
        covers = [c for c in covers if not any(_under(c, o) and c != o for o in covers)]
        self.base_cfg = {
            "mode": self.mode, "submission": str(self.dir / "submission.py"), "lib": str(lib),
            "lib_links": lib_links, "run": str(run), "stage": str(stage), "uid": self.uid, "gid": self.uid,
            "cover": covers, "scratch": scratch, "keep": keep, "hide_after": hide_after,
            "list_paths": keep, "read_paths": [*_stdlib_entries(), *links.values(), str(lib), *SYSTEM_READ],
            "simulate_no_landlock": os.environ.get(SIMULATE_NO_LANDLOCK_ENV) == "1",
            "limits": {"memory_mb": limits.memory_mb, "cpu_seconds": limits.cpu_seconds,
                       "file_mb": limits.file_mb, "nproc": 64 if self.uid is not None else 0},
        }
        self.env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": str(run),
                    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                    "NUMEXPR_NUM_THREADS": "1", "MLPREF_SANDBOX": self.token}
        self.restarts = 0
        self.load: tuple[str, object] | None = None
        self.layers: list[str] = []
        self.warnings: list[str] = []
        self.kill_reason = ""
        self._closed = threading.Event()
        self._monitor: threading.Thread | None = None

    # ------------------------------------------------------------------ what is protected
    def files_hidden(self) -> bool:
        """Are paths hidden by the kernel (mount namespace or Landlock), not only by permissions?"""
        return self.mode == "namespace" or any(x.startswith("landlock") for x in self.layers)

    def check_hidden(self) -> None:
        """After the first greeting: raise for a --hide path the submission could read; warn for others."""
        if self.files_hidden():
            return
        who = f"uid {self.uid}" if self.uid is not None else "the submission (it runs as you: not root)"
        for p in self.required:
            if self.uid is None or exposed_to_others(p):
                raise HideNotEnforced(
                    f"--hide {p}: cannot be enforced here (no mount namespace, no Landlock) and {who} can read "
                    f"it; make it unreadable to others (chmod -R go-rwx), or grade where namespaces or "
                    f"Landlock work")
        for p in self.best_effort:
            if self.uid is None or exposed_to_others(p):
                self.warnings.append(f"{p} is readable by {who}: no mount namespace or Landlock hides it "
                                     "(make it unreadable to others: chmod go-rwx)")

    def _watch_disk(self) -> None:
        """Total disk use of the submission (its run folder, its files in the scratch folders)."""
        limit = self.limits.disk_mb << 20
        run = self.base_cfg["run"]
        while not self._closed.wait(0.25):
            used = _tree_bytes(run)
            if self.uid is not None:
                used += sum(_tree_bytes(p) for p in _owned_entries(self.uid, self.scratch))
            if used > limit:
                self.kill_reason = f"wrote more than its total disk limit of {self.limits.disk_mb} MB"
                if self.worker is not None and self.worker.proc is not None:
                    try:
                        os.killpg(self.worker.proc.pid, signal.SIGKILL)
                    except OSError:
                        pass
                if self.uid is not None:
                    _kill_strays(self.uid, self.token)
                self._clean_files()

    def _clean_files(self) -> None:
        run = self.base_cfg["run"]
        if os.path.isdir(run) and not os.path.islink(run):
            for e in os.scandir(run):
                _remove(e.path)
        if self.uid is not None:
            for p in _owned_entries(self.uid, self.scratch):
                _remove(p)

    def ensure_worker(self) -> tuple[str, object]:
        """A running worker, starting (or restarting) one; returns the load outcome."""
        if self.worker is not None and self.worker.alive():
            return "ready", self.load[1]
        if self.worker is not None:
            self.worker.stop()
            self.restarts += 1
        first = self.worker is None
        self.worker = Worker(self)
        if self._monitor is None and self.mode == "process":
            self._monitor = threading.Thread(target=self._watch_disk, daemon=True)
            self._monitor.start()
        outcome = self.worker.start()
        if first:
            try:
                self.check_hidden()
            except HideNotEnforced:
                self.worker.stop()
                raise
        if self.load is None or outcome[0] == "ready":
            self.load = outcome
        return outcome

    def output(self) -> bytes:
        """The start of what the submission printed (one byte past the shown limit, to mark truncation)."""
        try:
            fd = os.open(self.output_path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return b""
        with os.fdopen(fd, "rb") as fh:
            return fh.read(self.limits.output_kb * 1024 + 1)

    def output_range(self, start: int, end: int) -> bytes:
        """Bytes [start, end) of the printed output (never through a symbolic link)."""
        try:
            fd = os.open(self.output_path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return b""
        with os.fdopen(fd, "rb") as fh:
            fh.seek(start)
            return fh.read(max(0, end - start))

    def output_size(self) -> int:
        try:
            return os.lstat(self.output_path).st_size
        except OSError:
            return 0

    def close(self) -> None:
        self._closed.set()
        if self.worker is not None:
            self.worker.stop()
        if self.uid is not None:
            _kill_strays(self.uid, self.token)
        if self._monitor is not None:
            self._monitor.join(2.0)
        self._clean_files()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _stdlib_links() -> dict[str, str]:
    """{name: real path} of every standard-library entry except site-packages (which may hold mlp_ref)."""
    out = {}
    for name, path in _stdlib_scan():
        out.setdefault(name, path)
    return out


def _dedupe(paths) -> list[str]:
    out = []
    for p in paths:
        if p not in out:
            out.append(p)
    return out
