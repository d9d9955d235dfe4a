"""Gradescope's results format (results.json) and the plain-text feedback of each test.

https://gradescope-autograders.readthedocs.io/en/latest/specs/ -- top level: score,
execution_time, output, visibility, stdout_visibility, tests[] (name, score, max_score, status,
output, visibility), extra_data (staff only). Written atomically by the grader only. The top-level
output is what every student sees: it names visible tests only and omits the total while any
test is hidden, as Gradescope hides the total then.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def test_output(t: dict) -> str:
    """What a student reads for one test: the formula, where it comes from, and what went wrong."""
    o = t["outcome"] or {}
    lines = [("PASSED" if t["status"] == "passed" else "FAILED") + f": {t['name']} -- {t['description']}",
             f"Formula: {t['formula']}", f"Shapes: {t['shapes']}", f"Source: {t['where']}"]
    if t["status"] == "passed":
        if o.get("note"):
            lines.append(f"Note: {o['note']}")
        for a in o.get("advisories", []):
            lines.append(f"Advisory (no points taken): {a}")
        return "\n".join(lines)
    if o.get("case"):
        lines.append(f"Failing input: {o['case']}")
    lines.append(f"Problem: {o.get('message', '')}")
    for p in o.get("problems", [])[1:]:
        lines.append(f"Also: {p}")
    for d in o.get("diagnoses", []):
        lines.append(f"Diagnosis: {d}")
    for a in o.get("advisories", []):
        lines.append(f"Advisory (no points taken): {a}")
    if "expected" in o:
        where = f" {o['where']}" if o.get("where") else ""
        lines.append(f"Expected{where}:\n{_indent(o['expected'])}")
        lines.append(f"Got{where}:\n{_indent(o['got'])}")
        if o.get("max_abs") is not None:
            lines.append(f"Max abs error: {o['max_abs']:.3g}; max rel error: {o['max_rel']:.3g}")
    if o.get("inputs"):
        lines.append("Inputs:\n" + "\n".join(_indent(f"{k} = {v}") for k, v in o["inputs"].items()))
    if o.get("traceback"):
        lines.append("Traceback (your code):\n" + o["traceback"])
    return "\n".join(lines)


def _indent(s: str) -> str:
    return "\n".join("    " + ln for ln in str(s).splitlines())


def student_tests(result: dict) -> list:
    """The tests a student may see now: visibility 'visible' only (hidden, after_due_date and
    after_published tests are shown by Gradescope itself, from their own entries, when it is time)."""
    return [t for t in result["tests"] if t["visibility"] == "visible"]


def total_hidden(result: dict) -> bool:
    """Gradescope hides the total score while any test is not visible; the text must not print it."""
    return any(t["visibility"] != "visible" for t in result["tests"])


def summary_output(result: dict) -> str:
    """The top-level output, shown to the student: visible tests only, no total while a test is
    hidden, no seed, and the submission's printed output only where stdout_visibility allows it."""
    shown = student_tests(result)
    lines = []
    if total_hidden(result):
        lines.append(f"Visible checks: {sum(t['score'] for t in shown):g} / {sum(t['max_score'] for t in shown):g} "
                     "(further checks are graded and shown later; the total appears with them)")
    else:
        lines.append(f"Score: {result['score']:g} / {result['max_score']:g}")
    lines += [f"Graded by mlp-ref with rubric {result['rubric']['name']!r}.", f"Isolation: {result['sandbox']}."]
    lines += [f"Note: {n}" for n in result.get("notes", [])]
    if not result["load"]["ok"]:
        lines.append(result["load"]["message"])
        if result["load"].get("traceback"):
            lines.append(result["load"]["traceback"])
    failed = [t["name"] for t in shown if t["status"] != "passed"]
    if failed:
        lines.append(f"{len(failed)} of {len(shown)} visible checks failed: " + ", ".join(failed))
    printed = result.get("printed_student", result.get("printed", ""))
    if result["stdout_visibility"] == "visible" and printed:
        lines.append("Your program printed (while loading and during the visible checks; shown as text, never "
                     "read as results):\n" + printed)
    return "\n".join(lines)


def results_json(result: dict) -> dict:
    return {
        "score": result["score"],
        "execution_time": result["execution_time"],
        "output": summary_output(result),
        "output_format": "text",
        "visibility": result["visibility"],
        "stdout_visibility": result["stdout_visibility"],
        "tests": [{"name": t["name"], "score": t["score"], "max_score": t["max_score"], "status": t["status"],
                   "output": test_output(t), "output_format": "text", "visibility": t["visibility"]}
                  for t in result["tests"]],
        "extra_data": {"submission_sha256": result["sha256"], "rubric": result["rubric"]["name"],
                       "seed": result["rubric"]["seed"], "sandbox": result["sandbox"],
                       "sandbox_warnings": result.get("sandbox_warnings", []),
                       "max_score": result["max_score"], "restarts": result.get("restarts", 0),
                       "printed": result.get("printed", "")},
    }


def write_json_atomic(path: Path, data) -> None:
    """Write via a temporary file and rename, so a reader never sees a partial (or foreign) file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False, allow_nan=False, default=_jsonable)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _jsonable(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)
