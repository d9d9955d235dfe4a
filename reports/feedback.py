"""feedback.html for one graded submission, rendered from the grader's result model with Jinja2.

Autoescape is on: everything a submission can influence (its printed output, exception
messages, returned values shown as text) is inserted as escaped text, never as markup.
Jinja2 is imported only when a page is written.
"""
from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")


def render_feedback(result: dict) -> str:
    """The HTML page for `result` (the dict returned by mlp_ref.grading.grader.grade_submission)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    functions = {}
    # failures first: functions with a failing test before the others, failing tests first in each
    tests = sorted(result["tests"], key=lambda t: t.get("status") == "passed")
    for t in sorted(tests, key=lambda t: all(x.get("status") == "passed" for x in result["tests"]
                                             if x["function"] == t["function"])):
        functions.setdefault(t["function"], []).append(t)
    return env.get_template("feedback.html.j2").render(result=result, functions=functions)


def write_feedback(result: dict, path) -> Path:
    path = Path(path)
    path.write_text(render_feedback(result), encoding="utf-8")
    return path
