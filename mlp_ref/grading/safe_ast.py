"""`ast.parse` for the grader's threads: CPython 3.11's AST constructor keeps a recursion counter
that is not thread-safe (batch grading with --jobs parses in threads and raised "AST constructor
recursion depth mismatch"), so every parse in the grader goes through one lock."""
from __future__ import annotations

import ast
import threading

_LOCK = threading.Lock()


def parse(source):
    """`ast.parse(source)` under the grader's lock."""
    with _LOCK:
        return ast.parse(source)
