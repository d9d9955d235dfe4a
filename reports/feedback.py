"""feedback.html for one graded submission, rendered from the grader's result model with Jinja2.

Autoescape is on: everything a submission can influence (its printed output, exception
messages, returned values shown as text) is inserted as escaped text, never as markup.
Jinja2 is imported only when a page is written.
"""
from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")


def view_of(result: dict, student: bool) -> dict:
    """What a page shows: every test (staff), or the visible ones only (student), and the printed output."""
    tests = result["tests"] if not student else [t for t in result["tests"] if t["visibility"] == "visible"]
    hide_total = student and any(t["visibility"] != "visible" for t in result["tests"])
    if student:
        printed = result.get("printed_student", "") if result.get("stdout_visibility") == "visible" else ""
    else:
        printed = result.get("printed", "")
    return {"tests": tests, "hide_total": hide_total, "printed": printed,
            "shown_score": sum(t["score"] for t in tests), "shown_max": sum(t["max_score"] for t in tests)}


def render_feedback(result: dict, student: bool = False) -> str:
    """The HTML page for `result` (the dict returned by mlp_ref.grading.grader.grade_submission):
    the staff view (every test, hidden ones labelled) or the student view (visible tests only, no
    total while a test is hidden, printed output only where stdout_visibility is "visible")."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    view = view_of(result, student)
    functions = {}
    # failures first: functions with a failing test before the others, failing tests first in each
    tests = sorted(view["tests"], key=lambda t: t.get("status") == "passed")
    for t in sorted(tests, key=lambda t: all(x.get("status") == "passed" for x in tests
                                             if x["function"] == t["function"])):
        functions.setdefault(t["function"], []).append(t)
    return env.get_template("feedback.html.j2").render(result=result, functions=functions, student=student, **{
        k: v for k, v in view.items() if k != "tests"})


def write_feedback(result: dict, path, student: bool = False) -> Path:
    path = Path(path)
    path.write_text(render_feedback(result, student), encoding="utf-8")
    return path
