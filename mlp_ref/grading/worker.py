"""Sandboxed worker of `mlp-ref grade`: loads ONE submission and calls its functions on request.

Run by the grader as `python -I -S -B worker.py CONFIG` (possibly inside `unshare`), as root when
the grader is: it opens what it needs, drops to the sandbox uid, confines itself (Landlock,
seccomp) and only then loads the submission. It never imports mlp_ref (the grader hides it and
this file blocks the import). Standard library + NumPy
only. Protocol: frames on two pipes the grader created (requests in, replies out); each frame is
b"MLPG" + uint32 header length + JSON header + raw array bytes. Arrays travel as dtype string,
shape and bytes; nothing is ever pickled. Everything the worker sends is untrusted by the grader:
it validates every array and does all comparisons itself.
"""
import ctypes
import json
import os
import struct
import sys

MAGIC = b"MLPG"
MAX_HEADER = 1 << 20
MAX_DEPTH = 8
MAX_ITEMS = 4096
BLOCKED_PACKAGES = ("mlp_ref", "oracles", "reports", "benchmarks")

MS_NOSUID, MS_NODEV, MS_BIND, MS_REC = 2, 4, 4096, 16384


# --------------------------------------------------------------------------------- set-up
def _mount(libc, source, target, fstype, flags, data):
    rc = libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                    data.encode() if data else None)
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {fstype or 'bind'} on {target}: {os.strerror(err)}")


def _makedirs_as_root(path):
    os.makedirs(path, mode=0o755, exist_ok=True)


def hide_paths(cfg):
    """Inside a fresh mount namespace: cover the grader's files with empty tmpfs mounts.

    `keep` paths (the Python installation, NumPy) that lie under a covered directory are bound
    back in at their own path, so the interpreter keeps working after the cover is in place.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    stage = cfg["stage"]
    covers = [p for p in cfg["cover"] if os.path.isdir(p)]
    keeps = [p for p in cfg["keep"] if os.path.isdir(p)]
    staged = {}
    for i, k in enumerate(keeps):  # bind every keep path to the stage while it is still visible
        if any(k == c or k.startswith(c.rstrip("/") + "/") for c in covers):
            dst = os.path.join(stage, str(i))
            os.makedirs(dst, exist_ok=True)
            _mount(libc, k, dst, None, MS_BIND | MS_REC, None)
            staged[k] = dst
    stage_cover = [c for c in covers if stage.startswith(c.rstrip("/") + "/")]
    for c in [c for c in covers if c not in stage_cover] + stage_cover:
        mode = "1777" if c in cfg["scratch"] else "755"
        _mount(libc, "tmpfs", c, "tmpfs", MS_NOSUID | MS_NODEV, f"size=16m,mode={mode}")
        for k, src in staged.items():
            if k.startswith(c.rstrip("/") + "/") and c not in stage_cover:
                _makedirs_as_root(k)
                _mount(libc, src, k, None, MS_BIND | MS_REC, None)
    for p in cfg["hide_after"]:  # e.g. an installed mlp_ref inside the kept site-packages
        if os.path.isdir(p):
            _mount(libc, "tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")


def recreate_lib(cfg):
    """(Re)create the import directory (its links come from `link_through_descriptors`) and the
    empty run directory, which a tmpfs over /tmp may have covered."""
    _makedirs_as_root(cfg["lib"])
    run = cfg["run"]
    os.makedirs(run, mode=0o700, exist_ok=True)
    if cfg.get("uid") is not None:
        os.chown(run, cfg["uid"], cfg["gid"])


def set_limits(limits):
    import resource

    mb = int(limits["memory_mb"]) << 20
    pairs = [(resource.RLIMIT_AS, mb), (resource.RLIMIT_CPU, int(limits["cpu_seconds"])),
             (resource.RLIMIT_FSIZE, int(limits["file_mb"]) << 20), (resource.RLIMIT_CORE, 0)]
    if limits.get("nproc"):
        pairs.append((resource.RLIMIT_NPROC, int(limits["nproc"])))
    for which, value in pairs:
        resource.setrlimit(which, (value, value))


def drop_privileges(uid, gid):
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def no_new_privs(libc):
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")


LL_FILE_RIGHTS = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)  # execute, write, read, truncate, ioctl
LL_READ = (1 << 0) | (1 << 2) | (1 << 3)  # execute, read file, read dir


def open_rules(list_paths, read_paths, write_paths):
    """O_PATH descriptors for the Landlock rules, opened while the worker may still reach every path."""
    rules = []
    for paths, kind in ((list_paths, "list"), (read_paths, "read"), (write_paths, "write")):
        for p in paths:
            try:
                rules.append((os.open(p, os.O_PATH | os.O_CLOEXEC), kind, os.path.isdir(p)))
            except OSError:
                continue
    return rules


def landlock(libc, rules):
    """Kernel-enforced file access: directory listings only beneath the "list" rules (the Python
    installation, whose site-packages may hold mlp_ref), read-only beneath "read", full access
    beneath "write", nothing elsewhere; no TCP and no signals outside the sandbox where the
    kernel's ABI allows. Returns the ABI version used, or 0 without Landlock."""
    abi = libc.syscall(444, None, 0, 1)  # landlock_create_ruleset(NULL, 0, VERSION)
    if abi < 1:
        return 0
    fs = (1 << 13) - 1
    if abi >= 2:
        fs |= 1 << 13  # refer
    if abi >= 3:
        fs |= 1 << 14  # truncate
    if abi >= 5:
        fs |= 1 << 15  # ioctl_dev
    attr = (ctypes.c_uint64 * 3)(fs, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)  # net: bind+connect TCP
    size = 8 if abi < 4 else 16 if abi < 6 else 24  # scoped: abstract unix sockets + signals
    rs = libc.syscall(444, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if rs < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")

    class Beneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]

    kinds = {"list": 1 << 3, "read": LL_READ, "write": fs}
    for fd, kind, isdir in rules:
        allowed = kinds[kind] & fs if isdir else kinds[kind] & fs & LL_FILE_RIGHTS
        if allowed and libc.syscall(445, rs, 1, ctypes.byref(Beneath(allowed, fd)), 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_add_rule failed")
    no_new_privs(libc)
    if libc.syscall(446, rs, 0) != 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    os.close(rs)
    return abi


SECCOMP_ARCH = {"x86_64": (0xC000003E, 41, 53), "aarch64": (0xC00000B7, 198, 199)}  # audit arch, socket, socketpair


def _install_filter(libc, prog):
    """Install a classic-BPF seccomp program given as (code, jt, jf, k) tuples."""

    class Insn(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                    ("k", ctypes.c_uint32)]

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(Insn))]

    insns = (Insn * len(prog))(*[Insn(*i) for i in prog])
    no_new_privs(libc)
    if libc.prctl(22, 2, ctypes.byref(Prog(len(prog), insns)), 0, 0) != 0:  # PR_SET_SECCOMP, FILTER
        raise OSError(ctypes.get_errno(), "seccomp filter failed")


LD, JEQ, JGE, RET = 0x20, 0x15, 0x35, 0x06
ALLOW = 0x7FFF0000


def _errno(e):
    return 0x00050000 | e  # SECCOMP_RET_ERRNO


def seccomp_no_sockets(libc):
    """No socket(), socketpair() or io_uring (the grader talks over pipes), no foreign-ABI calls."""
    import platform

    arch = SECCOMP_ARCH.get(platform.machine())
    if arch is None:
        return False
    audit, nr_socket, nr_socketpair = arch
    prog = [(LD, 0, 0, 4), (JEQ, 0, 7, audit), (LD, 0, 0, 0), (JGE, 5, 0, 0x40000000),
            (JEQ, 4, 0, nr_socket), (JEQ, 3, 0, nr_socketpair), (JEQ, 2, 0, 425), (JEQ, 1, 0, 426),
            (RET, 0, 0, ALLOW), (RET, 0, 0, _errno(13))]  # EACCES
    _install_filter(libc, prog)
    return True


def seccomp_no_landlock(libc):
    """Make the Landlock system calls fail with ENOSYS, as on a kernel without Landlock (tests)."""
    import platform

    arch = SECCOMP_ARCH.get(platform.machine())
    if arch is None:
        return
    prog = [(LD, 0, 0, 4), (JEQ, 0, 4, arch[0]), (LD, 0, 0, 0), (JGE, 0, 2, 444), (JGE, 1, 0, 447),
            (RET, 0, 0, _errno(38)), (RET, 0, 0, ALLOW)]
    _install_filter(libc, prog)


def _capabilities_empty() -> bool:
    with open("/proc/self/status", "rb") as fh:
        caps = {k.decode(): v.strip() for k, v in (ln.split(b":", 1) for ln in fh if ln.startswith(b"Cap"))}
    return all(int(caps.get(k, "1"), 16) == 0 for k in ("CapPrm", "CapEff", "CapAmb"))


def confine(cfg):
    """Limits, the sandbox's own uid (never uid 0), then Landlock and seccomp; returns the layers used."""
    layers = ["namespaces"] if cfg["mode"] == "namespace" else []
    libc = _libc()
    set_limits(cfg["limits"])
    rules = open_rules(cfg["list_paths"], cfg["read_paths"], [cfg["run"]])
    if cfg.get("uid") is not None:
        for cap in range(64):
            libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP: nothing can be regained through exec
        try:
            drop_privileges(cfg["uid"], cfg["gid"])
        except OSError as exc:  # e.g. a user namespace that maps too few uids
            raise SystemExit(f"cannot switch to uid {cfg['uid']} ({exc}); refusing to run the submission as root")
        layers.append("own-uid")
    if os.geteuid() == 0 or os.getuid() == 0:
        raise SystemExit("refusing to run a submission as uid 0")
    if _capabilities_empty():
        layers.append("no-capabilities")
    if cfg.get("simulate_no_landlock"):
        seccomp_no_landlock(libc)
    try:
        abi = landlock(libc, rules)
        if abi:
            layers.append(f"landlock-v{abi}")
    except OSError:
        pass
    for fd, _, _ in rules:
        os.close(fd)
    try:
        if seccomp_no_sockets(libc):
            layers.append("seccomp-no-sockets")
    except OSError:
        pass
    return layers


def link_through_descriptors(cfg):
    """Process mode, still privileged: the import directory gets one link per standard-library entry
    and per NumPy directory, each to /proc/self/fd/N of a descriptor opened now. The kernel checks
    no directory above a descriptor, so the sandbox uid reaches exactly these entries even where
    the Python installation lies under a directory it cannot search (e.g. /root, mode 0700), and
    nothing else of that installation (its site-packages stays out of reach)."""
    lib = cfg["lib"]
    for name, target in cfg["lib_links"].items():
        try:
            fd = os.open(target, os.O_PATH)
        except OSError:
            continue
        link = os.path.join(lib, name)
        if os.path.lexists(link):  # a restarted worker: its descriptors have other numbers
            os.unlink(link)
        os.symlink(f"/proc/self/fd/{fd}", link)
    # packages imported before now (collections, encodings, ...) look for submodules on their own
    # __path__, which names the real directory: point it at the link
    for mod in list(sys.modules.values()):
        path = getattr(mod, "__path__", None)
        if type(path) is not list:
            continue
        for i, entry in enumerate(path):
            for name, target in cfg["lib_links"].items():
                if entry == target or entry.startswith(target.rstrip("/") + "/"):
                    path[i] = os.path.join(lib, name) + entry[len(target.rstrip("/")):]
                    break


def mini_init(cfg):
    """PID 1 of the new PID namespace: run the worker as PID 2 so signals behave as usual.

    (The kernel ignores default-action signals for a namespace's init, e.g. SIGXCPU.) When this
    process exits, the kernel kills everything left in the namespace.
    """
    pid = os.fork()
    if pid == 0:
        return
    for fd in (cfg["req_fd"], cfg["rep_fd"]):
        os.close(fd)
    while True:
        try:
            done, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(70)
        if done == pid:
            if os.WIFSIGNALED(status):
                os._exit(128 + os.WTERMSIG(status))
            os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


class _BlockReference:
    """Meta-path finder that refuses the reference and the grader's own packages."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED_PACKAGES:
            raise ModuleNotFoundError(f"No module named {name!r} (the reference implementation and the "
                                      "grader cannot be imported by a submission)", name=name)
        return None


def block_network():
    """Second line of defence (the first is an empty network namespace where available)."""
    import socket

    def refuse(*args, **kwargs):
        raise PermissionError("network access is disabled while grading")

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            refuse()

    socket.socket = NoSocket
    socket.create_connection = refuse
    socket.socketpair = refuse
    socket.fromfd = refuse
    for k in list(os.environ):
        if "proxy" in k.lower():
            del os.environ[k]


# ------------------------------------------------------------------------------ protocol
class Channel:
    """Framed messages on the two pipes; every library function is captured before the submission loads."""

    def __init__(self, rfd, wfd):
        self.rfd, self.wfd = rfd, wfd
        self._dumps, self._loads = json.dumps, json.loads
        self._osread, self._oswrite = os.read, os.write
        self._pack, self._unpack = struct.pack, struct.unpack

    def _read(self, n):
        chunks, got = [], 0
        while got < n:
            b = self._osread(self.rfd, min(n - got, 1 << 20))
            if not b:
                raise EOFError("grader closed the request pipe")
            chunks.append(b)
            got += len(b)
        return b"".join(chunks)

    def recv(self):
        head = self._read(8)
        if head[:4] != MAGIC:
            raise EOFError("bad request frame")
        (n,) = self._unpack("<I", head[4:])
        header = self._loads(self._read(n).decode("utf-8"))
        blobs = [self._read(int(s)) for s in header.get("sizes", [])]
        return header, blobs

    def send(self, header, blobs=()):
        header = dict(header)
        header["sizes"] = [len(b) for b in blobs]
        data = self._dumps(header, allow_nan=True).encode("utf-8")
        if len(data) > MAX_HEADER:
            data = self._dumps({"type": header.get("type", "reply"), "seq": header.get("seq"),
                               "status": "error", "error": {"type": "OutputTooLarge",
                               "message": "the returned value is too large to send back"},
                               "sizes": []}).encode()
            blobs = ()
        payload = MAGIC + self._pack("<I", len(data)) + data + b"".join(blobs)
        view = memoryview(payload)
        while view:
            n = self._oswrite(self.wfd, view)
            view = view[n:]


def make_codec(np):
    """Encode/decode value trees with references captured before the submission is loaded."""
    ndarray, asarray, frombuffer, dtype_of = np.ndarray, np.asarray, np.frombuffer, np.dtype
    ascontig = np.ascontiguousarray
    tobytes = np.ndarray.tobytes
    scalar_types = tuple(getattr(np, n) for n in (
        "float16", "float32", "float64", "longdouble", "int8", "int16", "int32", "int64",
        "uint8", "uint16", "uint32", "uint64", "bool_", "complex64", "complex128"))
    py_types = {float: "float", int: "int", bool: "bool", str: "str"}
    _type, _len, _repr, _isinstance = type, len, repr, isinstance

    def qualname(v):
        t = _type(v)
        return (getattr(t, "__module__", "?") + "." + getattr(t, "__qualname__", "?"))[:120]

    def encode(v, blobs, depth=0, budget=None):
        budget = budget if budget is not None else [MAX_ITEMS]
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_DEPTH:
            return {"t": "unsupported", "type": "a structure too large or too deeply nested"}
        t = _type(v)
        if t is ndarray or t in scalar_types:
            arr = asarray(v) if t is not ndarray else v
            if arr.dtype.hasobject or arr.dtype.kind not in "biufc" or arr.dtype.fields is not None:
                return {"t": "unsupported", "type": f"numpy.ndarray of dtype {str(arr.dtype)[:40]}"}
            blobs.append(tobytes(ascontig(arr)))
            return {"t": "nd", "i": _len(blobs) - 1, "dtype": arr.dtype.str, "shape": list(arr.shape),
                    "scalar": t is not ndarray}
        if _isinstance(v, ndarray):
            return {"t": "unsupported", "type": f"a subclass of numpy.ndarray ({qualname(v)})"}
        if t in py_types:
            if t is float:
                return {"t": "float", "v": _repr(v)}
            if t is int:
                return {"t": "int", "v": str(v)[:40]}
            if t is str:
                return {"t": "str", "v": v[:200]}
            return {"t": "bool", "v": bool(v)}
        if v is None:
            return {"t": "none"}
        if t is list or t is tuple:
            return {"t": "list" if t is list else "tuple",
                    "v": [encode(x, blobs, depth + 1, budget) for x in v[:MAX_ITEMS]]}
        if t is dict:
            items = []
            for k, x in list(v.items())[:MAX_ITEMS]:
                if _type(k) is not str:
                    return {"t": "unsupported", "type": "a dict with non-string keys"}
                items.append([k[:100], encode(x, blobs, depth + 1, budget)])
            return {"t": "dict", "v": items}
        return {"t": "unsupported", "type": qualname(v)}

    def decode(node, blobs):
        t = node["t"]
        if t == "nd":
            arr = frombuffer(blobs[node["i"]], dtype=dtype_of(node["dtype"])).reshape(node["shape"]).copy()
            return arr
        if t == "float":
            return float(node["v"])
        if t in ("int", "str", "bool"):
            return node["v"]
        if t == "none":
            return None
        if t == "list":
            return [decode(x, blobs) for x in node["v"]]
        if t == "tuple":
            return tuple(decode(x, blobs) for x in node["v"])
        if t == "dict":
            return {k: decode(x, blobs) for k, x in node["v"]}
        raise ValueError(f"unknown node {t!r}")

    def arrays_in(v, out):
        if _type(v) is ndarray:
            out.append(v)
        elif _type(v) in (list, tuple):
            for x in v:
                arrays_in(x, out)
        elif _type(v) is dict:
            for x in v.values():
                arrays_in(x, out)
        return out

    return encode, decode, arrays_in, tobytes


# --------------------------------------------------------------------------------- calling
def describe_exception(exc, tb_module):
    """Exception type, message and the submission's frames only (the worker's are noise)."""
    frames = [f for f in tb_module.extract_tb(exc.__traceback__) if f.filename == "submission.py"]
    lines = [f'  File "submission.py", line {f.lineno}, in {f.name}\n    {(f.line or "").strip()}'
             for f in frames[-6:]]
    try:
        msg = str(exc)
    except BaseException:  # a hostile __str__
        msg = "<the exception's message could not be shown>"
    return {"type": type(exc).__name__[:80], "message": msg[:2000], "traceback": "\n".join(lines)[:4000]}


class InterfaceError(LookupError):
    """The submission lacks a class, function, method or attribute the rubric's [interface] names."""


def run_steps(namespace, steps, blobs, decode, stage_box, watch=None, snap=lambda v: v):
    """Run the grader's steps on objects that stay in this process; return the values it asked for.

    Steps (plain data): new (construct a class), call (a function or a method), set / get (an
    attribute), put (keep a value), sgd (value - lr * gradient, assigned back). Arguments are
    values or references {"ref": slot, "attr": name, "index": i} to what earlier steps kept.
    """
    slots, out = {}, []
    _getattr, _setattr, _hasattr, _callable, _type = getattr, setattr, hasattr, callable, type

    def resolve(a):
        if "v" in a:
            return decode(a["v"], blobs)
        v = slots[a["ref"]]
        if a.get("attr") is not None:
            if not _hasattr(v, a["attr"]):
                raise InterfaceError(f"{a.get('owner', a['ref'])} has no attribute {a['attr']!r} (named by the "
                                     "course's interface)")
            v = _getattr(v, a["attr"])
        if a.get("index") is not None:
            if _type(v) not in (tuple, list) or len(v) <= a["index"]:
                raise TypeError(f"{a.get('owner', a['ref'])} must return a tuple with at least "
                                f"{a['index'] + 1} items, got {_type(v).__name__}")
            v = v[a["index"]]
        return v

    for st in steps:
        stage_box[0] = st.get("label", stage_box[0])
        do = st["do"]
        if do == "new":
            cls = namespace.get(st["cls"])
            if not isinstance(cls, type):
                raise InterfaceError(f"submission.py defines no class {st['cls']!r} (named by the course's interface)")
            value = cls(*[resolve(a) for a in st.get("args", [])])
        elif do == "call":
            if st.get("obj") is not None:
                obj = slots[st["obj"]]
                fn = _getattr(obj, st["fn"], None)
                if not _callable(fn):
                    raise InterfaceError(f"{_type(obj).__name__} has no method {st['fn']!r} (named by the "
                                         "course's interface)")
            else:
                fn = namespace.get(st["fn"])
                if not _callable(fn):
                    raise InterfaceError(f"submission.py defines no function {st['fn']!r} (named by the "
                                         "course's interface)")
            args = [resolve(a) for a in st.get("args", [])]
            before = watch[0](args) if watch else None
            value = fn(*args)
            if watch and watch[0](args) != before and st.get("label") not in watch[1]:
                watch[1].append(st.get("label"))
        elif do == "set":
            value = resolve(st["value"])
            _setattr(slots[st["obj"]], st["attr"], value)
        elif do == "get":
            value = resolve({"ref": st["obj"], "attr": st["attr"], "owner": st.get("owner", st["obj"])})
        elif do == "put":
            value = resolve(st["value"])
        elif do == "data":  # a data layer for the course's network class: `method()` gives (input, labels)
            batch = tuple(resolve(a) for a in st["args"])
            value = _type("DataLayer", (), {st["method"]: lambda self, b=batch: tuple(x.copy() for x in b)})()
        elif do == "sgd":
            target = st["target"]
            param, grad = resolve(target), resolve(st["grad"])
            if getattr(param, "shape", None) != getattr(grad, "shape", None):
                raise ValueError(f"the gradient (shape {getattr(grad, 'shape', type(grad).__name__)}) does not have "
                                 f"the shape of its parameter ({getattr(param, 'shape', type(param).__name__)}): "
                                 "an SGD step cannot apply it")
            value = param - st["lr"] * grad
            if target.get("attr") is not None:
                _setattr(slots[target["ref"]], target["attr"], value)
            else:
                slots[target["ref"]] = value
        else:
            raise ValueError(f"unknown step {do!r}")
        if st.get("keep") is not None:
            slots[st["keep"]] = value
        if st.get("ret"):
            n = st.get("unpack")
            idx = st.get("index")
            if idx is not None or n is not None:
                if _type(value) not in (tuple, list) or len(value) < (n or idx + 1) or (n and len(value) != n):
                    raise TypeError(f"{stage_box[0]} must return a tuple of {st.get('returns', n or idx + 1)}, "
                                    f"got {_type(value).__name__}"
                                    + (f" of length {len(value)}" if _type(value) in (tuple, list) else ""))
            # a copy now: a later step may modify this array in place (an advisory, not this step's result)
            if n is not None:
                out.extend(snap(v) for v in value)
            else:
                out.append(snap(value if idx is None else value[idx]))
    return out


def serve(cfg, channel, source):
    import linecache
    import traceback
    import types

    import numpy as np

    encode, decode, arrays_in, tobytes = make_codec(np)
    nd_copy, ndarray = np.ndarray.copy, np.ndarray

    def snap(v):
        """Returned arrays copied when returned (lists and tuples of them too)."""
        t = type(v)
        if t is ndarray:
            return nd_copy(v)
        if t is list or t is tuple:
            return t(snap(x) for x in v)
        return v

    sin, npsum = np.sin, np.sum
    _BaseException = BaseException

    import builtins

    saved_builtins = dict(builtins.__dict__)
    bdict = builtins.__dict__

    def restore_builtins():
        """Undo any patching of builtins (isinstance, len, ...) so the worker itself keeps working."""
        for k in [k for k in bdict if k not in saved_builtins]:
            del bdict[k]
        bdict.update(saved_builtins)

    module = types.ModuleType("submission")
    module.__file__ = "submission.py"
    sys.modules["submission"] = module
    lines = source.decode("utf-8", "replace").splitlines(True)
    linecache.cache["submission.py"] = (len(source), None, lines, "submission.py")
    try:
        code = compile(source, "submission.py", "exec")
        exec(code, module.__dict__)
    except _BaseException as exc:  # SystemExit and KeyboardInterrupt included
        restore_builtins()
        channel.send({"type": "load_error", "error": describe_exception(exc, traceback)})
        return
    restore_builtins()
    names = sorted(k for k, v in list(module.__dict__.items())
                   if not k.startswith("_") and callable(v))[:500]
    channel.send({"type": "ready", "functions": names})

    while True:
        try:
            req, blobs = channel.recv()
        except EOFError:
            return
        reply = {"type": "reply", "seq": req.get("seq"), "nonce": req.get("nonce")}
        args = decode(req["args"], blobs)
        kwargs = decode(req["kwargs"], blobs)
        inputs = arrays_in([args, kwargs], [])
        before = [tobytes(a) for a in inputs]
        stage = req["func"]
        stage_box = [stage]
        try:
            mode = req.get("mode", "call")
            fn = module.__dict__.get(req["func"])
            if not callable(fn) and mode != "steps":
                raise LookupError(f"submission.py defines no function {req['func']!r}")
            if mode == "call":
                result = fn(*args, **kwargs)
            elif mode == "mlp_backward":  # backward needs the cache of the student's own forward
                fwd = module.__dict__.get("mlp_forward")
                if not callable(fwd):
                    raise LookupError("mlp_backward is graded on the cache of your mlp_forward, "
                                      "and submission.py defines no mlp_forward")
                stage = "mlp_forward"
                out = fwd(*args, **kwargs)
                if type(out) not in (tuple, list) or len(out) != 2:
                    raise TypeError("mlp_forward must return a pair (output, cache) for mlp_backward")
                stage = "mlp_backward"
                result = fn(decode(req["g"], blobs), out[1])
            elif mode == "steps":  # stateful objects of the submission, driven by plain-data steps
                changed = []
                watch = (lambda a: [tobytes(x) for x in arrays_in(a, [])], changed)
                result = run_steps(module.__dict__, req["steps"], blobs, decode, stage_box, watch, snap)
            elif mode == "numerical_gradient":
                a, c = decode(req["f"], blobs)

                def f(w):
                    """E(w) = sum(a * sin(w)) + 1/2 sum(c * w * w), the grader's test function."""
                    return npsum(a * sin(w)) + 0.5 * npsum(c * w * w)

                result = fn(f, *args, **kwargs)
            else:
                raise ValueError(f"unknown mode {mode!r}")
            sel = req.get("select")
            if sel is not None:
                if type(result) not in (tuple, list) or len(result) <= sel:
                    raise TypeError(f"{req['func']} must return a tuple whose item {sel} is the output, "
                                    f"got {type(result).__name__}")
                result = result[sel]
            restore_builtins()
            out_blobs = []
            reply["status"] = "ok"
            reply["result"] = encode(result, out_blobs)
            mutated = [i for i, (a, b) in enumerate(zip(inputs, before)) if tobytes(a) != b]
            reply["mutated"] = mutated
            if mode == "steps":
                reply["mutated_steps"] = [str(x)[:80] for x in changed][:20]
            channel.send(reply, out_blobs)
        except _BaseException as exc:
            restore_builtins()
            reply["status"] = "error"
            reply["stage"] = stage_box[0] if stage_box[0] != req["func"] else stage
            reply["error"] = describe_exception(exc, traceback)
            channel.send(reply)


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        cfg = json.load(fh)
    with open(cfg["submission"], "rb") as fh:
        source = fh.read()
    if cfg["mode"] == "namespace":
        hide_paths(cfg)
        recreate_lib(cfg)
        mini_init(cfg)
    link_through_descriptors(cfg)
    lib = cfg["lib"]
    sys.path[:] = [lib, lib + "/lib-dynload"]
    sys.path_importer_cache.clear()
    try:
        layers = confine(cfg)
    except SystemExit as exc:
        sys.stderr.write(f"mlp-ref sandbox: {exc}\n")
        os._exit(3)
    os.chdir(cfg["run"])
    sys.meta_path.insert(0, _BlockReference())
    sys.dont_write_bytecode = True
    try:  # as the sandbox uid, before any submission code: a failure here is the sandbox's
        import numpy  # noqa: F401
    except BaseException as exc:
        sys.stderr.write(f"mlp-ref sandbox: NumPy cannot be imported as uid {os.getuid()}: "
                         f"{type(exc).__name__}: {exc}\n")
        os._exit(3)
    block_network()
    channel = Channel(cfg["req_fd"], cfg["rep_fd"])
    channel.send({"type": "hello", "layers": layers})  # sent before any submission code runs
    serve(cfg, channel, source)


if __name__ == "__main__":
    main()
