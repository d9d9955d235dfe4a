"""Grade a directory of submissions in parallel: DIR/<name>/{results.json,feedback.html} and grades.csv."""
from __future__ import annotations

import csv
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .grader import grade_submission, make_plan
from .outputs import write_outputs
from .references import references
from .sandbox import HideNotEnforced


def find_submissions(folder) -> tuple[dict, list]:
    """{name: file} for every *.py or *.ipynb in `folder` and every subfolder holding exactly one."""
    folder = Path(folder)
    found, skipped = {}, []
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix in (".py", ".ipynb"):
            found.setdefault(p.stem, p)
        elif p.is_dir() and not p.name.startswith((".", "__")):
            pys = sorted(q for q in p.iterdir() if q.is_file() and q.suffix in (".py", ".ipynb"))
            if len(pys) == 1:
                name = p.name if p.name not in found else f"{p.name}-dir"
                found[name] = pys[0]
            else:
                skipped.append(f"{p.name}/ ({len(pys)} .py/.ipynb files; a submission folder holds exactly one)")
    return found, skipped


def grade_directory(folder, out_dir, rubric, *, jobs: int = 1, mode: str = "auto", hide=(), also_hide=(),
                    student: bool = False, progress=print) -> dict:
    """Grade every submission in `folder` with `jobs` in parallel; returns a summary dict."""
    t0 = time.monotonic()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    subs, skipped = find_submissions(folder)
    plan = make_plan(rubric)
    for name in rubric.functions if not student else ():  # warm the shared caches before threads start
        references(name, tuple(plan.graded[name].fn))
    also_hide = (*also_hide, str(out.resolve()), str(Path(folder).resolve()))  # classmates' files
    rows = {}
    warnings = []

    def one(name, path):
        try:
            res = grade_submission(path, rubric, plan=plan, mode=mode, hide=hide, also_hide=also_hide)
            write_outputs(res, out / name, student=student)
            return name, res, ""
        except HideNotEnforced:
            raise
        except Exception as exc:  # the grader's own failure: recorded, the batch goes on
            return name, None, f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(one, n, p) for n, p in subs.items()]
        for fut in as_completed(futures):
            name, res, err = fut.result()
            rows[name] = (res, err)
            for w in (res or {}).get("sandbox_warnings", []):
                if w not in warnings:
                    warnings.append(w)
            if res is not None:
                progress(f"{name}: {res['score']:g} / {res['max_score']:g} in {res['execution_time']:.2f} s")
            else:
                progress(f"{name}: GRADER ERROR {err}")
    tests = [i.name for i in rubric.items]
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["submission", "file", "score", "max_score", "percent", "execution_time", "status", *tests])
        for name in sorted(rows):
            res, err = rows[name]
            if res is None:
                w.writerow([name, subs[name].name, "", rubric.max_score, "", "", f"grader error: {err}"])
                continue
            by = {t["name"]: t["score"] for t in res["tests"]}
            pct = 100 * res["score"] / res["max_score"] if res["max_score"] else 0.0
            status = "graded" if res["load"]["ok"] else "not loadable"
            w.writerow([name, subs[name].name, f"{res['score']:g}", f"{res['max_score']:g}", f"{pct:.1f}",
                        f"{res['execution_time']:.3f}", status, *(f"{by.get(t, 0):g}" for t in tests)])
    return {"graded": len(rows), "skipped": skipped, "wall": time.monotonic() - t0, "csv": out / "grades.csv",
            "errors": sorted(n for n, (r, e) in rows.items() if r is None), "warnings": warnings}
