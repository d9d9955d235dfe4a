"""Transcribed statements -> HTML with MathML, on the server side (no JavaScript, no network).

`$...$` and `$$...$$` segments are LaTeX; in the bare text around them, short symbols with
sub/superscripts (h_i^{(l+1)}, W_{ij}, delta^l) and LaTeX commands (\\partial, \\frac{a}{b}) are
picked out and converted too. Anything that fails to convert stays as escaped text: a rendering
failure never breaks the report.
"""
from __future__ import annotations

import functools
import re
from xml.etree import ElementTree

from markupsafe import Markup, escape

try:  # optional: without it every statement is shown as escaped text
    from latex2mathml.converter import convert as _convert
except ImportError:  # pragma: no cover - exercised when the report extra is not installed
    _convert = None

GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
         "pi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi "
         "Psi Omega").split()
OPERATORS = {"max": r"\max", "min": r"\min", "log": r"\log", "exp": r"\exp", "sum": r"\sum",
             "prod": r"\prod", "lim": r"\lim"}
_UNSAFE = re.compile(r"<\s*(script|style|iframe|object|embed|a\b)|\bon\w+\s*=|href|javascript:", re.I)
_DOLLARS = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.S)
_WORD = re.compile(r"(?<![A-Za-z0-9_\\])([A-Za-z]+|[\u0391-\u03c9\u2202\u2207])(?=[_^'])")
_ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3,
          "mroot": 2}
_COMMAND = re.compile(r"\\([A-Za-z]+)")
ACCENTS = ("hat", "widehat", "bar", "overline", "tilde", "widetilde", "vec", "dot", "ddot", "mathbf", "mathrm",
           "mathcal", "boldsymbol", "bm", "operatorname")
_ACCENT_ARG = re.compile(r"\s?([A-Za-z](?![A-Za-z])|[\u0391-\u03c9]|\\[A-Za-z]+)")


def available() -> bool:
    return _convert is not None


@functools.lru_cache(maxsize=4096)
def latex(tex: str, display: bool = False) -> Markup | None:
    """MathML for one LaTeX fragment, or None when it does not parse (or looks unsafe)."""
    if _convert is None or not tex.strip():
        return None
    try:
        out = _convert(tex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - latex2mathml raises many kinds of errors on bad input
        return None
    if not out.startswith("<math") or _UNSAFE.search(out) or not _well_formed(out):
        return None
    return Markup(out)


def _well_formed(mathml: str) -> bool:
    """Reject conversions that parsed but dropped arguments (e.g. a \\frac with one group)."""
    try:
        root = ElementTree.fromstring(mathml)
    except ElementTree.ParseError:
        return False
    for el in root.iter():
        n = _ARITY.get(el.tag.rsplit("}", 1)[-1])
        if n is not None and len(el) != n:
            return False
    return True


def _group_end(s: str, i: int) -> int:
    """Index after the balanced {...} group starting at s[i] == '{', or -1."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{" and (j == 0 or s[j - 1] != "\\"):
            depth += 1
        elif s[j] == "}" and s[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def _scripts_end(s: str, i: int) -> int:
    """Index after a run of _x / ^{...} / ' scripts starting at i (i itself if there is none)."""
    while i < len(s):
        if s[i] == "'":
            i += 1
            continue
        if s[i] not in "_^" or i + 1 >= len(s):
            break
        j = i + 1
        if s[j] == "{":
            end = _group_end(s, j)
            if end < 0:
                break
            i = end
        elif s[j] == "\\":
            m = _COMMAND.match(s, j)
            if not m:
                break
            i = m.end()
        elif s[j].isalnum():
            m = re.compile(r"[A-Za-z0-9]+").match(s, j)
            i = m.end()
        elif s[j] in "+-*":
            i = j + 1
        else:
            break
    return i


def _tex_word(word: str) -> str | None:
    """A bare word that may carry scripts, as LaTeX: symbols, Greek names, operator names."""
    if word in GREEK:
        return "\\" + word
    if len(word) == 1 and not word.isascii():  # Σ, σ, ∂ typed as Unicode
        return word
    if word in OPERATORS:
        return OPERATORS[word]
    if len(word) <= 2:
        return word
    return None


def _bare_runs(text: str):
    """Split bare text into ("text", s) and ("tex", s) pieces."""
    pieces, pos, i = [], 0, 0
    while i < len(text):
        m_word = _WORD.match(text, i) if (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_\\")) else None
        if m_word and _tex_word(m_word.group(1)) is not None:
            if text[m_word.end()] == "'" and m_word.group(1) not in GREEK and m_word.group(1).isascii():
                end = m_word.end()  # a prime only after a Greek name: "it's" stays text
            else:
                end = _scripts_end(text, m_word.end())
            if end > m_word.end():
                pieces.append(("text", text[pos:i]))
                pieces.append(("tex", _tex_word(m_word.group(1)) + text[m_word.end():end]))
                pos = i = end
                continue
        if text[i] in ")]|" and i + 1 < len(text) and text[i + 1] in "_^":
            end = _scripts_end(text, i + 1)
            if end > i + 1:  # (W^{l+1})^T: the script binds to the bracket
                pieces.append(("text", text[pos:i + 1]))
                pieces.append(("tex", "{}" + text[i + 1:end]))
                pos = i = end
                continue
        if text[i] == "\\":
            m = _COMMAND.match(text, i)
            if m:
                end = m.end()
                arg = _ACCENT_ARG.match(text, end) if m.group(1) in ACCENTS else None
                if arg and not text.startswith("{", end):  # "\hat o_1": the accent takes one symbol
                    end = arg.end()
                while end < len(text) and text[end] == "{":  # \frac{a}{b}, \sqrt{x}
                    g = _group_end(text, end)
                    if g < 0:
                        break
                    end = g
                end = _scripts_end(text, end)
                pieces.append(("text", text[pos:i]))
                pieces.append(("tex", text[i:end]))
                pos = i = end
                continue
        i += 1
    pieces.append(("text", text[pos:]))
    return [p for p in pieces if p[1]]


_LONG_SCRIPT = re.compile(r"(?<=[_^])([A-Za-z0-9]{2,})")
_SPACING = re.compile(r"\\[,;:! ]")


def _text_or_math(text: str) -> Markup:
    """Bare transcribed text: symbols with scripts as MathML, "d_out" read as d_{out}."""
    out = []
    for kind, s in _bare_runs(_SPACING.sub("\u2009", text)):
        if kind == "tex":
            m = latex(_LONG_SCRIPT.sub(r"{\1}", s))
            out.append(m if m is not None else escape(s))
        else:
            out.append(escape(s))
    return Markup("").join(out)


def render(statement: str | None, *, bare: bool = True) -> Markup:
    """HTML for a transcribed statement: `$...$` segments and (if `bare`) bare symbols as MathML."""
    if not statement:
        return Markup("")
    try:
        out, pos = [], 0
        for m in _DOLLARS.finditer(statement):
            out.append(_text_or_math(statement[pos:m.start()]) if bare else escape(statement[pos:m.start()]))
            tex, display = (m.group(1), True) if m.group(1) is not None else (m.group(2), False)
            math = latex(tex, display)
            out.append(math if math is not None else escape(m.group(0)))
            pos = m.end()
        tail = statement[pos:]
        out.append(_text_or_math(tail) if bare else escape(tail))
        return Markup("").join(out)
    except Exception:  # noqa: BLE001 - never let a statement break the report
        return Markup(escape(statement))
