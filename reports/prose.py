"""Catalog text for readers: Python reprs and NumPy error messages rewritten in plain words."""
from __future__ import annotations

import ast
import re

_SHAPE = r"\((\d+(?:,\s*\d+)*)?,?\)"
_BROADCAST = re.compile(r"operands could not be broadcast together with (?:remapped )?shapes "
                        r"((?:\(\d*(?:,\s*\d+)*,?\)\s*)+)")
_ALIGNED = re.compile(r"shapes " + _SHAPE + r" and " + _SHAPE + r" not aligned:(?: \d+ \(dim \d+\) != \d+ \(dim \d+\))?")
_GUFUNC = re.compile(r"matmul: Input operand \d+ has a mismatch in its core dimension \d+, with gufunc "
                     r"signature \S+ \(size (\d+) is different from (\d+)\)")
_EXC = re.compile(r"\b(?:ValueError|TypeError|IndexError|LinAlgError|AssertionError|RuntimeError|"
                  r"ZeroDivisionError|FloatingPointError)\s*:\s*")
_DICT = re.compile(r"\{'[^{}]*\}")
_LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{6,}(?:e[-+]?\d+)?")


def _shape(text: str) -> str:
    dims = [d for d in re.findall(r"\d+", text)]
    return "×".join(dims) if dims else "a scalar"


def _dict_words(m: re.Match) -> str:
    try:
        value = ast.literal_eval(m.group(0))
    except (ValueError, SyntaxError):
        return m.group(0)
    if not isinstance(value, dict):
        return m.group(0)
    parts = []
    for k, v in value.items():
        if isinstance(v, (list, tuple)) and all(isinstance(x, int) for x in v):
            v = "shape " + "×".join(str(x) for x in v)
        parts.append(f"{k}: {v}")
    return "; ".join(parts) or "nothing"


def _short_float(m: re.Match) -> str:
    return f"{float(m.group(0)):.4g}"


def plain_words(text) -> str:
    """`text` with NumPy shape errors said in words ("the shapes 2×5 and 2 do not conform"), dict
    reprs as "key: value" lists, exception class names dropped and long floats cut to 4 digits."""
    if text is None:
        return ""
    s = str(text)
    s = _BROADCAST.sub(lambda m: "the shapes " + " and ".join(
        _shape(x) for x in re.findall(r"\([^)]*\)", m.group(1))) + " do not conform", s)
    s = _ALIGNED.sub(lambda m: f"the shapes {_shape(m.group(1) or '')} and {_shape(m.group(2) or '')} "
                     "do not conform", s)
    s = _GUFUNC.sub(lambda m: f"the shapes do not conform for a matrix product (inner sizes {m.group(2)} "
                    f"and {m.group(1)})", s)
    s = _EXC.sub("", s)
    s = _DICT.sub(_dict_words, s)
    s = _LONG_FLOAT.sub(_short_float, s)
    return s
