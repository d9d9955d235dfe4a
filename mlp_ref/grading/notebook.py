"""Notebook submissions: the code cells of a .ipynb, in order, as one Python file (read with nbformat).

In a cell that is not valid Python as it stands, IPython-only lines (magics `%...`, shell lines
`!...`, help `name?`) each become `pass` at their indentation; a cell magic `%%...` leaves its
whole cell out. The feedback notes what was skipped. A notebook that does not parse is the submission's problem: the
caller scores it 0 with the message returned here, never a grader error.
"""
from __future__ import annotations

import re

from . import safe_ast

_HELP = re.compile(r"^\s*[\w.]+\?\??\s*$")


def _skip(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(("%", "!")) or bool(_HELP.match(line)) or re.match(r"^\w+\s*=\s*[!%]", s) is not None


def _parses(src: str) -> bool:
    try:
        safe_ast.parse(src)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError, SystemError):
        return False


def notebook_source(path) -> tuple[bytes | None, list[str], str]:
    """(the code cells joined, notes on skipped lines, "") or (None, [], why the notebook cannot be read)."""
    try:
        import nbformat
    except ImportError:
        return None, [], ("this autograder cannot read Jupyter notebooks (the nbformat package is not installed "
                          "here): tell the course staff, or submit the code as a .py file")
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # JSON errors, schema errors, encoding errors: all the notebook's problem
        return None, [], (f"{path.name if hasattr(path, 'name') else path} is not a readable Jupyter notebook "
                          f"({type(exc).__name__}: {str(exc)[:300]}); save it again from Jupyter, or submit the "
                          "code as a .py file")
    out, notes = [], []
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    for n, cell in enumerate(cells, 1):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if src.lstrip().startswith("%%"):
            notes.append(f"code cell {n}: a cell magic ({src.lstrip().split()[0]}); the cell was left out")
            continue
        if _parses(src):  # plain Python: a '%' or '!' at the start of a line is inside a string
            out.append(f"# ---- code cell {n} ----\n{src}\n")
            continue
        lines = []
        for i, line in enumerate(src.splitlines(), 1):
            if _skip(line):
                indent = line[: len(line) - len(line.lstrip())]
                lines.append(f"{indent}pass  # skipped IPython line: {line.strip()[:60]}")
                notes.append(f"code cell {n}, line {i}: skipped IPython line {line.strip()[:80]!r}")
            else:
                lines.append(line)
        out.append(f"# ---- code cell {n} ----\n" + "\n".join(lines) + "\n")
    return "\n".join(out).encode("utf-8"), notes, ""
