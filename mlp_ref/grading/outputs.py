"""Write one graded submission's files: results.json (Gradescope format) and feedback.html."""
from __future__ import annotations

import html
from pathlib import Path

from .gradescope import results_json, test_output, write_json_atomic


def write_outputs(result: dict, out_dir, student: bool = False) -> dict:
    """DIR/results.json and DIR/feedback.html (the student view with `student`, else the staff view);
    returns their paths. Written after grading ends."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.json"
    write_json_atomic(results, results_json(result))
    if not student:  # the staff view also lists the catalog entries behind each formula
        from .checks import FUNCTIONS
        from .references import references

        for t in result["tests"]:
            t.setdefault("references", [dict(r) for r in references(t["function"], tuple(t["fns"] if "fns" in t else FUNCTIONS[t["function"]].fn))])
    feedback = out / "feedback.html"
    tmp = out / ".feedback.html.tmp"
    try:
        from reports.feedback import render_feedback

        page = render_feedback(result, student)
    except ImportError:  # jinja2 (or the reports package) missing: a plain, escaped page
        page = _plain_page(result, student)
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(feedback)
    return {"results": results, "feedback": feedback}


def _plain_page(result: dict, student: bool) -> str:
    tests = [t for t in result["tests"] if t["visibility"] == "visible"] if student else result["tests"]
    body = "\n\n".join(test_output(t) + (f"\n[{t['visibility']}]" if t["visibility"] != "visible" else "")
                       for t in tests)
    hide_total = student and len(tests) < len(result["tests"])
    title = f"Feedback: {result['submission']}" + ("" if hide_total else f" ({result['score']:g} / {result['max_score']:g})")
    printed = (result.get("printed_student", "") if result.get("stdout_visibility") == "visible" else "") \
        if student else result.get("printed", "")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1><pre>{html.escape(body)}</pre>"
            f"<h2>Printed output</h2><pre>{html.escape(printed)}</pre></body></html>\n")
