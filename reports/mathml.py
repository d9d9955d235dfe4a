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
_WORD = re.compile(r"(?<![A-Za-z_\\])([A-Za-z]+|[\u0391-\u03c9\u2202\u2207])(?=[_^'])")
_ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3,
          "mroot": 2}
_COMMAND = re.compile(r"\\([A-Za-z]+)")
ACCENTS = ("hat", "widehat", "bar", "overline", "tilde", "widetilde", "vec", "dot", "ddot", "mathbf", "mathrm",
           "mathcal", "boldsymbol", "bm", "operatorname")
_ENV = re.compile(r"\\begin\{([a-zA-Z*]+)\}.*?\\end\{\1\}", re.S)
_RESIDUE = re.compile(r"\\[A-Za-z]+|[\^_]\{")
_ACCENT_ARG = re.compile(r"\s?([A-Za-z](?![A-Za-z])|[\u0391-\u03c9]|\\[A-Za-z]+)")


def available() -> bool:
    return _convert is not None


_ASCII_ACCENT = re.compile(r'(<mover accent="true">.*?</mrow>)<mo>&#x0005E;</mo>')


@functools.lru_cache(maxsize=4096)
def latex(tex: str, display: bool = False) -> Markup | None:
    """MathML for one LaTeX fragment, with its source as alttext; None when it does not parse
    (or looks unsafe)."""
    if _convert is None or not tex.strip():
        return None
    try:
        out = _convert(tex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - latex2mathml raises many kinds of errors on bad input
        return None
    if not out.startswith("<math") or _UNSAFE.search(out) or not _well_formed(out):
        return None
    # a hat drawn as the modifier circumflex sits on its letter; the ASCII caret is drawn offset
    out = _ASCII_ACCENT.sub(r"\1<mo>&#x002C6;</mo>", out)
    return Markup(out.replace("<math ", f'<math alttext="{escape(tex.strip())}" ', 1))


def math_or_plain(tex: str, display: bool = False) -> Markup:
    """MathML when the fragment converts, else readable HTML (Unicode symbols, sub/superscripts)."""
    m = latex(tex, display)
    return m if m is not None else plain(tex)


# ------------------------------------------------------------------- readable fallback, no TeX
SYMBOLS = {
    **{g: chr(c) for g, c in zip(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
        "varsigma sigma tau upsilon phi chi psi omega".split(), range(0x3b1, 0x3ca))},
    **{g: chr(c) for g, c in zip("Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi "
                                 "Omicron Pi Rho".split(), range(0x391, 0x3a2))},
    "Sigma": "Σ", "Tau": "Τ", "Upsilon": "Υ", "Phi": "Φ", "Chi": "Χ", "Psi": "Ψ", "Omega": "Ω",
    "varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "ell": "ℓ", "partial": "∂", "nabla": "∇",
    "cdot": "·", "times": "×", "circ": "∘", "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "pm": "±",
    "sum": "Σ", "prod": "Π", "int": "∫", "infty": "∞", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
    "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼", "equiv": "≡", "propto": "∝", "in": "∈",
    "notin": "∉", "subset": "⊂", "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒",
    "mapsto": "↦", "ldots": "…", "dots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱", "top": "ᵀ",
    "intercal": "ᵀ", "prime": "′", "forall": "∀", "exists": "∃", "mid": "∣", "|": "‖", "lVert": "‖",
    "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊",
    "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "quad": "\u2003", "qquad": "\u2003\u2003", "star": "⋆",
    "ast": "∗", "emptyset": "∅", "sqrt": "√", "neg": "¬", "land": "∧", "lor": "∨", "cap": "∩", "cup": "∪",
}
LETTERLIKE = {"mathbb": {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ", "1": "𝟙"},
              "mathscr": {"L": "ℒ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "M": "ℳ", "B": "ℬ", "R": "ℛ"},
              "mathcal": {"L": "ℒ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "M": "ℳ", "B": "ℬ", "R": "ℛ",
                          "N": "𝒩", "O": "𝒪", "D": "𝒟", "X": "𝒳", "Y": "𝒴"}}
COMBINING = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305", "tilde": "\u0303",
             "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308"}
_SPACES = {",": "\u2009", ";": "\u2005", ":": "\u2005", "!": "", " ": " ", "{": "{", "}": "}", "\\": "; ",
           "_": "_", "%": "%", "$": "$", "#": "#", "&": "&"}


def _arg(s: str, i: int) -> tuple[str, int]:
    """The argument starting at s[i] (a {group} or one character/command) and the index after it."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] == "{":
        end = _group_end(s, i)
        if end > 0:
            return s[i + 1:end - 1], end
        return s[i + 1:], len(s)
    if s[i] == "\\":
        m = _COMMAND.match(s, i)
        if m:
            return m.group(0), m.end()
    return s[i], i + 1


def plain(tex: str) -> Markup:
    """Readable HTML for TeX that has no MathML: Unicode symbols, <sub>/<sup>, a/b for fractions.
    The result never contains a TeX command, ^{ or _{."""
    return Markup(_plain(tex or ""))


def _plain(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            m = _COMMAND.match(s, i)
            if not m:
                nxt = s[i + 1:i + 2]
                out.append(escape(_SPACES.get(nxt, nxt)))
                i += 2
                continue
            name, i = m.group(1), m.end()
            if name in ("frac", "dfrac", "tfrac"):
                a, i = _arg(s, i)
                b, i = _arg(s, i)
                out.append(f"({_plain(a)})/({_plain(b)})" if len(a) > 1 or len(b) > 1 else f"{_plain(a)}/{_plain(b)}")
            elif name == "sqrt":
                a, i = _arg(s, i)
                out.append(f"√({_plain(a)})")
            elif name in ("begin", "end"):
                env, i = _arg(s, i)
                if env.endswith("matrix"):
                    out.append("[" if name == "begin" else "]")
            elif name in COMBINING:
                a, i = _arg(s, i)
                inner = _plain(a)
                out.append(inner + COMBINING[name] if len(a) == 1 else f"{inner}{COMBINING[name]}")
            elif name in LETTERLIKE:
                a, i = _arg(s, i)
                out.append("".join(LETTERLIKE[name].get(ch, ch) for ch in a))
            elif name in ("mathbf", "mathrm", "mathit", "text", "textrm", "textbf", "operatorname", "boldsymbol",
                          "bm", "mbox", "mathsf", "mathtt"):
                a, i = _arg(s, i)
                out.append(_plain(a))
            elif name in ("left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
                          "displaystyle", "limits", "nolimits"):
                pass
            else:
                out.append(escape(SYMBOLS.get(name, name)))
        elif c in "^_" and i + 1 < len(s):
            a, j = _arg(s, i + 1)
            tag = "sup" if c == "^" else "sub"
            out.append(f"<{tag}>{_plain(a)}</{tag}>")
            i = j
        elif c in "{}":
            i += 1
        elif c == "&":
            out.append(" ")
            i += 1
        else:
            out.append(escape(c))
            i += 1
    return "".join(str(x) for x in out)


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
        # a coefficient may precede a symbol (2h_2^{(1)}); a letter may not (softmax_i stays text)
        m_word = _WORD.match(text, i) if (i == 0 or not (text[i - 1].isalpha() or text[i - 1] in "_\\")) else None
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
        if text.startswith("\\begin{", i):
            m = _ENV.match(text, i)
            if m:
                pieces.append(("text", text[pos:i]))
                pieces.append(("tex", m.group(0)))
                pos = i = m.end()
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
_SPACING = re.compile(r"(?<!\\)\\[,;:! ]")


def _text_or_math(text: str) -> Markup:
    """Bare transcribed text: symbols with scripts as MathML, "d_out" read as d_{out}; whatever
    TeX is left (a script on a long word, a fragment that does not convert) as readable HTML."""
    out = []
    for kind, s in _bare_runs(_SPACING.sub("\u2009", text)):
        if kind == "tex":
            m = latex(_LONG_SCRIPT.sub(r"{\1}", s))
            out.append(m if m is not None else plain(s))
        elif _RESIDUE.search(s):
            out.append(plain(s))
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
            out.append(math_or_plain(tex, display))
            pos = m.end()
        tail = statement[pos:]
        out.append(_text_or_math(tail) if bare else escape(tail))
        return Markup("").join(out)
    except Exception:  # noqa: BLE001 - never let a statement break the report
        return plain(statement)


_TEXLIKE = re.compile(r"\\[A-Za-z]+|[\^_]")
_PROSE_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")
_FUNCTION_NAMES = {"ReLU", "relu", "tanh", "softmax", "sigmoid", "sign", "diag", "argmax", "argmin", "Bernoulli",
                   "max", "min", "log", "exp", "sin", "cos", "tan", "det", "sum"}
_OPERATOR_WORD = re.compile(r"(?<![\\A-Za-z])(" + "|".join(sorted(_FUNCTION_NAMES, key=len, reverse=True))
                            + r")(?![A-Za-z])")


def render_value(text) -> Markup:
    """A documented or computed value: a whole formula ("-\\log \\frac{e^8}{...}", "7 + 2\\Delta") as one
    <math>, prose with symbols in it as render() does."""
    if text is None:
        return Markup("")
    text = str(text)
    words = [w for w in _PROSE_WORD.findall(text) if w not in _FUNCTION_NAMES]
    if _TEXLIKE.search(text) and not words and "$" not in text:
        tex = _OPERATOR_WORD.sub(lambda w: OPERATORS.get(w.group(1)) or r"\operatorname{%s}" % w.group(1),
                                 _LONG_SCRIPT.sub(r"{\1}", _SPACING.sub(" ", text)))
        m = latex(tex)
        if m is not None:
            return m
    return render(text)


_QUOTED = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"")


def _code_chunk(s: str) -> Markup:
    """Code text: escaped, with any TeX in it (a command and its groups, a ^{...} or _{...}) made readable."""
    out, pos = [], 0
    for m in _RESIDUE.finditer(s):
        if m.start() < pos:
            continue
        end = m.end()
        if m.group(0).startswith("\\"):
            while end < len(s) and s[end] == "{" and _group_end(s, end) > 0:
                end = _group_end(s, end)
        else:
            end = _group_end(s, m.end() - 1)
            end = len(s) if end < 0 else end
        out += [escape(s[pos:m.start()]), plain(s[m.start():end])]
        pos = end
    out.append(escape(s[pos:]))
    return Markup("").join(out)


def render_code(text: str | None) -> Markup:
    """A code listing as escaped text; a quoted caption or comment that holds TeX is rendered as math."""
    if not text:
        return Markup("")
    out, pos = [], 0
    for m in _QUOTED.finditer(text):
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        if _RESIDUE.search(inner):
            q = m.group(0)[0]
            out += [_code_chunk(text[pos:m.start()]), escape(q), render(inner), escape(q)]
            pos = m.end()
    out.append(_code_chunk(text[pos:]))
    return Markup("").join(out)
