"""Gradescope's results format (results.json) and the plain-text feedback of each test.

https://gradescope-autograders.readthedocs.io/en/latest/specs/ -- top level: score,
execution_time, output, visibility, stdout_visibility, tests[] (name, score, max_score, status,
output, visibility), extra_data. Written atomically by the grader only.
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
        return "\n".join(lines)
    if o.get("case"):
        lines.append(f"Failing input: {o['case']}")
    lines.append(f"Problem: {o.get('message', '')}")
    for p in o.get("problems", [])[1:]:
        lines.append(f"Also: {p}")
    for d in o.get("diagnoses", []):
        lines.append(f"Diagnosis: {d}")
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


def summary_output(result: dict) -> str:
    lines = [f"Score: {result['score']:g} / {result['max_score']:g}",
             f"Graded by mlp-ref with rubric {result['rubric']['name']!r} (seed {result['rubric']['seed']}).",
             f"Isolation: {result['sandbox']}."]
    if not result["load"]["ok"]:
        lines.append(result["load"]["message"])
        if result["load"].get("traceback"):
            lines.append(result["load"]["traceback"])
    failed = [t["name"] for t in result["tests"] if t["status"] != "passed"]
    if failed:
        lines.append(f"{len(failed)} of {len(result['tests'])} checks failed: " + ", ".join(failed))
    if result.get("printed"):
        lines.append("Your program printed (shown as text, never read as results):\n" + result["printed"])
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
                       "max_score": result["max_score"], "restarts": result.get("restarts", 0)},
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
