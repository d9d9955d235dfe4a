"""Write one graded submission's files: results.json (Gradescope format) and feedback.html."""
from __future__ import annotations

import html
from pathlib import Path

from .gradescope import results_json, test_output, write_json_atomic


def write_outputs(result: dict, out_dir) -> dict:
    """DIR/results.json and DIR/feedback.html; returns their paths. Written after grading ends."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.json"
    write_json_atomic(results, results_json(result))
    feedback = out / "feedback.html"
    tmp = out / ".feedback.html.tmp"
    try:
        from reports.feedback import render_feedback

        page = render_feedback(result)
    except ImportError:  # jinja2 (or the reports package) missing: a plain, escaped page
        page = _plain_page(result)
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(feedback)
    return {"results": results, "feedback": feedback}


def _plain_page(result: dict) -> str:
    body = "\n\n".join(test_output(t) for t in result["tests"])
    title = f"Feedback: {result['submission']} ({result['score']:g} / {result['max_score']:g})"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1><pre>{html.escape(body)}</pre>"
            f"<h2>Printed output</h2><pre>{html.escape(result.get('printed', ''))}</pre></body></html>\n")
