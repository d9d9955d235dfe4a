"""Grader side of the worker protocol: framed JSON headers plus raw array bytes, never pickle.

Frame: b"MLPG" + uint32 (little endian) header length + JSON header + the raw bytes of each
array, whose sizes the header lists. Replies come from the untrusted worker, so `decode_value`
checks every node: known tags only, allow-listed dtypes, sizes that match shapes, bounded depth.
"""
from __future__ import annotations

import json
import os
import select
import struct
import time

import numpy as np

MAGIC = b"MLPG"
MAX_HEADER = 1 << 20
MAX_PAYLOAD = 64 << 20
MAX_DEPTH = 10
# dtypes a reply may carry; anything else (object, void, datetime, big-endian...) is rejected
ALLOWED_DTYPES = {np.dtype(t).str: np.dtype(t) for t in (
    np.float16, np.float32, np.float64, np.longdouble, np.int8, np.int16, np.int32, np.int64,
    np.uint8, np.uint16, np.uint32, np.uint64, np.bool_, np.complex64, np.complex128)}


class ProtocolError(Exception):
    """The worker sent something that is not a well-formed reply."""


class WorkerTimeout(Exception):
    """No complete reply before the deadline."""


class WorkerGone(Exception):
    """The worker closed its end (it exited or was killed)."""


class Unsupported:
    """Stands in for a returned object that is not a plain array, number, list, tuple or dict."""

    def __init__(self, what: str):
        self.what = what

    def __repr__(self):
        return f"<{self.what}>"


# ------------------------------------------------------------------------------ encoding
def encode_value(v, blobs: list) -> dict:
    """Grader -> worker: arrays, Python numbers/strings/None, lists, tuples and str-keyed dicts."""
    if isinstance(v, np.ndarray):
        arr = np.ascontiguousarray(v)
        blobs.append(arr.tobytes())
        return {"t": "nd", "i": len(blobs) - 1, "dtype": arr.dtype.str, "shape": list(arr.shape)}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, (int, np.integer)):
        return {"t": "int", "v": int(v)}
    if isinstance(v, (float, np.floating)):
        return {"t": "float", "v": repr(float(v))}
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if v is None:
        return {"t": "none"}
    if isinstance(v, (list, tuple)):
        return {"t": "list" if isinstance(v, list) else "tuple", "v": [encode_value(x, blobs) for x in v]}
    if isinstance(v, dict):
        return {"t": "dict", "v": [[str(k), encode_value(x, blobs)] for k, x in v.items()]}
    raise TypeError(f"cannot send a {type(v).__name__} to the worker")


def decode_value(node, blobs: list, depth: int = 0):
    """Worker -> grader: rebuild a value tree, validating every node. Raises ProtocolError only."""
    try:
        return _decode(node, blobs, depth)
    except ProtocolError:
        raise
    except Exception as exc:  # anything unforeseen in a forged frame is still only a malformed reply
        raise ProtocolError(f"malformed value ({type(exc).__name__})") from None


def _decode(node, blobs: list, depth: int = 0):
    if depth > MAX_DEPTH or not isinstance(node, dict) or not isinstance(node.get("t"), str):
        raise ProtocolError("malformed value node")
    t = node["t"]
    if t == "nd":
        dt = ALLOWED_DTYPES.get(node.get("dtype"))
        shape, i = node.get("shape"), node.get("i")
        if dt is None:
            return Unsupported(f"an array of dtype {str(node.get('dtype'))[:30]!s}")
        if (not isinstance(shape, list) or len(shape) > 8
                or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 1 << 31 for s in shape)):
            raise ProtocolError("malformed array shape")
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(blobs):
            raise ProtocolError("array index out of range")
        size = dt.itemsize
        for s_ in shape:  # Python integers: a product never wraps around
            size *= s_
        if size != len(blobs[i]):
            raise ProtocolError("array byte count does not match its shape")
        arr = np.frombuffer(blobs[i], dtype=dt).reshape(shape).copy()
        return arr
    if t == "float":
        try:
            return float(str(node.get("v")))
        except ValueError:
            raise ProtocolError("malformed float") from None
    if t == "int":
        try:
            return int(str(node.get("v"))[:40])
        except ValueError:
            raise ProtocolError("malformed int") from None
    if t == "bool":
        return bool(node.get("v"))
    if t == "str":
        return str(node.get("v"))[:200]
    if t == "none":
        return None
    if t in ("list", "tuple"):
        items = node.get("v")
        if not isinstance(items, list):
            raise ProtocolError("malformed list")
        out = [_decode(x, blobs, depth + 1) for x in items]
        return out if t == "list" else tuple(out)
    if t == "dict":
        items = node.get("v")
        if not isinstance(items, list) or not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)
                                                  for p in items):
            raise ProtocolError("malformed dict")
        return {k: _decode(x, blobs, depth + 1) for k, x in items}
    if t == "unsupported":
        return Unsupported(str(node.get("type", "an unsupported object"))[:160])
    raise ProtocolError(f"unknown value tag {t[:20]!r}")


# -------------------------------------------------------------------------------- framing
def pack_frame(header: dict, blobs=()) -> bytes:
    header = dict(header, sizes=[len(b) for b in blobs])
    data = json.dumps(header).encode("utf-8")
    return MAGIC + struct.pack("<I", len(data)) + data + b"".join(blobs)


def write_all(fd: int, payload: bytes, deadline: float) -> None:
    view = memoryview(payload)
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            raise WorkerTimeout("timed out sending a request")
        _, w, _ = select.select([], [fd], [], left)
        if not w:
            continue
        try:
            n = os.write(fd, view[: 1 << 16])
        except (BrokenPipeError, OSError):
            raise WorkerGone("the worker closed its request pipe") from None
        view = view[n:]


def read_exact(fd: int, n: int, deadline: float) -> bytes:
    chunks, got = [], 0
    while got < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise WorkerTimeout("timed out waiting for a reply")
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        b = os.read(fd, min(n - got, 1 << 20))
        if not b:
            raise WorkerGone("the worker closed its reply pipe")
        chunks.append(b)
        got += len(b)
    return b"".join(chunks)


def pending(fd: int) -> bool:
    """Is there more to read right now? (After a complete reply there must not be.)"""
    r, _, _ = select.select([fd], [], [], 0)
    return bool(r)


def read_frame(fd: int, deadline: float) -> tuple[dict, list]:
    head = read_exact(fd, 8, deadline)
    if head[:4] != MAGIC:
        raise ProtocolError("reply does not start with the frame marker")
    (n,) = struct.unpack("<I", head[4:])
    if n > MAX_HEADER:
        raise ProtocolError("reply header too large")
    raw = read_exact(fd, n, deadline)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past the parser's depth
        raise ProtocolError("reply header is not JSON") from None
    if not isinstance(header, dict):
        raise ProtocolError("reply header is not a JSON object")
    sizes = header.get("sizes", [])
    if (not isinstance(sizes, list) or len(sizes) > 4096
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes)
            or sum(sizes) > MAX_PAYLOAD):
        raise ProtocolError("reply sizes are malformed or too large")
    blobs = [read_exact(fd, s, deadline) for s in sizes]
    return header, blobs
