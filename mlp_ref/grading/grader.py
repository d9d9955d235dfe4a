"""Grade one submission: run every rubric check in the sandbox and judge the replies here.

The result is a plain dict (the "result model") that `gradescope.results_json` and
`reports.feedback` render; nothing in it comes from the submission except the arrays it
returned (validated), its exception messages and its printed output (shown as text, truncated).
"""
from __future__ import annotations

import ast
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import protocol, safe_ast
from .checks import FUNCTIONS, Case, rng_for
from .compare import TOLERANCES, compare_tree
from .diagnosis import diagnose_leaf, explain_error
from .references import cite
from .rubric import Rubric
from .sandbox import Session, resolve_mode

SHOW_OPTS = dict(precision=6, threshold=40, edgeitems=3, max_line_width=96)


@dataclass
class Plan:
    """The rubric with every case built (inputs and expected values), shared by a whole batch."""

    rubric: Rubric
    cases: dict
    graded: dict  # {name: GradedFunction or styles.GradedUnit}


def make_plan(rubric: Rubric) -> Plan:
    graded = rubric.graded
    cases = {(i.function, i.check): graded[i.function].checks[i.check].build(
        rng_for(rubric.seed, i.function, i.check), rubric.conventions) for i in rubric.items}
    return Plan(rubric, cases, graded)


# --------------------------------------------------------------------------------- display
def show(v, precision: int = 6) -> str:
    if isinstance(v, np.ndarray):
        body = np.array2string(v, **dict(SHOW_OPTS, precision=precision))
        return body if v.ndim == 0 else f"{body}  (shape {v.shape}, {v.dtype})"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {show(x, precision)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(show(x, precision) for x in v) + "]"
    if isinstance(v, float):
        return repr(v)
    return repr(v)[:300]


def escape_output(raw: bytes, limit: int) -> str:
    """Printed output as inert text: decoded, control characters escaped, truncated."""
    text = raw[:limit].decode("utf-8", "replace")
    text = "".join(c if c in "\n\t" or (c.isprintable()) else f"\\x{ord(c):02x}" if ord(c) < 256
                   else f"\\u{ord(c):04x}" for c in text)
    if len(raw) > limit:
        text += f"\n[... truncated after {limit // 1024} KB]"
    return text


# ----------------------------------------------------------------------------------- calls
def _input_names(case: Case) -> list[str]:
    if case.mode == "steps":
        return []
    params = {"call": FUNCTIONS[case.func].params, "mlp_backward": FUNCTIONS["mlp_forward"].params,
              "numerical_gradient": FUNCTIONS["numerical_gradient"].params[1:]}[case.mode]
    names = []

    def walk(v, name):
        if isinstance(v, np.ndarray):
            names.append(name)
        elif isinstance(v, (list, tuple)):
            for j, x in enumerate(v):
                walk(x, f"{name}[{j}]")
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(x, k)

    for i, a in enumerate(case.args):
        walk(a, params[i] if i < len(params) else f"argument {i + 1}")
    for k, v in case.kwargs.items():
        walk(v, k)
    return names


def _request(case: Case) -> tuple[dict, list]:
    blobs = []
    req = {"func": case.func, "mode": case.mode, "args": protocol.encode_value(list(case.args), blobs),
           "kwargs": protocol.encode_value(dict(case.kwargs), blobs)}
    if case.select is not None:
        req["select"] = case.select
    if "g" in case.extra:
        req["g"] = protocol.encode_value(case.extra["g"], blobs)
    if "f" in case.extra:
        req["f"] = protocol.encode_value(list(case.extra["f"]), blobs)
    if case.mode == "steps":
        from .steps import encode_steps

        req["steps"] = encode_steps(case.extra["steps"], blobs)
    return req, blobs


def _call_timeout(case: Case, limits, t0: float) -> float:
    """call_seconds per request; a request of many steps (a network, finite differences) gets one
    call_seconds per 20 calls, never beyond what is left of the total time."""
    if case.mode != "steps":
        return limits.call_seconds
    calls = sum(1 for st in case.extra["steps"] if st["do"] in ("new", "call"))
    left = limits.total_seconds - (time.monotonic() - t0)
    return max(limits.call_seconds, min(limits.call_seconds * -(-calls // 20), left))


def _fail(case, message, **kw) -> dict:
    return {"passed": False, "case": case.label, "message": message, "problems": kw.pop("problems", []),
            "diagnoses": kw.pop("diagnoses", []), "inputs": {k: show(v) for k, v in case.show.items()}, **kw}


def digits_for(max_rel) -> int:
    """Digits that make Expected and Got differ visibly (17 for a float32-sized error)."""
    if max_rel is None or not np.isfinite(max_rel) or max_rel >= 1e-4:
        return 6
    return 17 if max_rel < 1e-9 else 10


def judge(case: Case, status: str, payload, session: Session) -> dict:
    """Turn one worker reply into a case outcome; whatever the reply holds, never raises."""
    try:
        return _judge(case, status, payload, session)
    except Exception as exc:  # a forged reply the checks above did not foresee: the item scores 0
        return _fail(case, f"{case.func}: the reply could not be read ({type(exc).__name__}); "
                           "grading went on with the next check")


def _judge(case: Case, status: str, payload, session: Session) -> dict:
    limits = session.limits
    if status == "timeout":
        return _fail(case, f"{case.func} {payload} (an infinite loop, or far too slow)")
    if status in ("crash", "protocol"):
        return _fail(case, f"{case.func}: {payload}")
    header, blobs = payload
    if header.get("status") == "error":
        err = header.get("error") if isinstance(header.get("error"), dict) else {}
        err = {k: str(err.get(k, ""))[:4000] for k in ("type", "message", "traceback")}
        stage = str(header.get("stage", case.func))[:80]
        return _fail(case, explain_error(err, stage, case.func, limits), traceback=err["traceback"])
    if header.get("status") != "ok":
        return _fail(case, f"{case.func}: the reply was not a result")
    try:
        got = protocol.decode_value(header.get("result"), blobs)
    except protocol.ProtocolError as exc:
        return _fail(case, f"{case.func}: the returned value could not be read ({exc})")
    mutated = header.get("mutated", [])
    names = _input_names(case)
    mutated = [names[i] for i in mutated if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(names)]
    # the worker reports in-place changes from inside the submission's process, which the submission
    # could silence: advisory only, never a reason for points
    advisories = [f"modified its input{'s' if len(mutated) > 1 else ''} {', '.join(mutated)} in place; the "
                  "caller still needs them (work on a copy)"] if mutated else []
    steps_mut = header.get("mutated_steps")
    if isinstance(steps_mut, list) and steps_mut:
        advisories.append("modified an input array in place in " + ", ".join(str(x)[:80] for x in steps_mut[:5])
                          + "; the previous layer (or the caller) may still need it (work on a copy)")

    expected = case.expected
    names = case.extra.get("names")
    if names is not None and isinstance(got, list) and len(got) == len(names):
        got = dict(zip(names, got))
    if case.extra.get("post") is not None:
        expected, got = case.extra["post"](got)
    tol = TOLERANCES[case.dtype]
    leaves = compare_tree(expected, got, tol)
    note = ""
    if not all(lf.ok for lf in leaves):
        for alt_note, alt in case.accept:
            alt_leaves = compare_tree(alt, got, tol)
            if all(lf.ok for lf in alt_leaves):
                leaves, note = alt_leaves, alt_note
                break
    bad = [lf for lf in leaves if not lf.ok]
    worst = max((lf.max_abs for lf in leaves if lf.max_abs is not None and np.isfinite(lf.max_abs)), default=None)
    if not bad:
        return {"passed": True, "case": case.label, "message": "passed" + (f" ({note})" if note else ""),
                "note": note, "max_abs": worst, "advisories": advisories}
    problems, diagnoses = [], []
    for lf in bad:
        problems.append((f"{lf.path}: " if lf.path else "") + lf.problem)
        diagnoses += [(f"{lf.path}: " if lf.path else "") + d for d in diagnose_leaf(lf, case, tol)]
    diagnoses = _composition_diagnoses(case, bad, got, expected) + diagnoses
    first = bad[0]
    digits = digits_for(first.max_rel)
    detail = {"expected": show(first.expected, digits), "got": show(first.got, digits), "where": first.path,
              "max_abs": first.max_abs, "max_rel": first.max_rel}
    return _fail(case, problems[0], problems=problems, diagnoses=list(dict.fromkeys(diagnoses)),
                 advisories=advisories, **detail)


def _composition_diagnoses(case: Case, bad, got, expected) -> list[str]:
    """Network checks: the layer at fault (the first differing result, in the order computed), and
    whether training on the submission's gradients lowered its loss."""
    out = []
    if case.extra.get("layers") and bad:
        first = bad[0].path.strip("[]'\"")
        layer = first.split(")", 1)[0] + ")" if first.startswith("layer ") else first
        out.append(f"the first result that differs is {first}: {layer} is at fault (its own checks say how); "
                   "every later difference may follow from it")
    if case.extra.get("training") and isinstance(got, dict):
        losses = [got.get(k) for k in expected]
        try:
            vals = [float(np.asarray(v).reshape(())) for v in losses]
            if not vals[-1] < vals[0]:
                out.append(f"the loss does not fall: {vals[0]:.4g} before and {vals[-1]:.4g} after the SGD steps "
                           "(a gradient with the wrong sign or layout, or parameters not updated)")
        except (TypeError, ValueError):
            pass
    return out


# ---------------------------------------------------------------------------------- grading
def _test_entry(item, gf, check, outcome, visibility) -> dict:
    passed = outcome is not None and outcome["passed"]
    return {
        "name": item.name, "function": item.function, "check": item.check,
        "description": check.description, "formula": gf.formula, "shapes": gf.shapes,
        "where": getattr(gf, "where", "") or cite(gf.name), "fns": list(gf.fn),
        "score": item.points if passed else 0.0, "max_score": item.points,
        "status": "passed" if passed else "failed", "visibility": visibility, "outcome": outcome,
    }


def grade_submission(path, rubric: Rubric, *, plan: Plan | None = None, mode: str = "auto", hide=(),
                     also_hide=()) -> dict:
    """Grade one submission file; never raises because of what the submission does.

    `hide`: paths the submission must not read (HideNotEnforced where that cannot be enforced);
    `also_hide`: hidden where possible, with a warning in the result where not.
    """
    t0 = time.monotonic()
    path = Path(path)
    plan = plan or make_plan(rubric)
    if path.suffix == ".ipynb":
        return _grade_notebook(path, rubric, plan, mode, hide, also_hide)
    limits = rubric.limits
    source = path.read_bytes()
    result = {"submission": path.name, "sha256": hashlib.sha256(source).hexdigest(),
              "rubric": {"name": rubric.name, "seed": rubric.seed, "path": rubric.path},
              "sandbox": resolve_mode(mode), "visibility": rubric.visibility,
              "stdout_visibility": rubric.stdout_visibility, "tests": []}
    hung: dict[str, str] = {}  # function -> the check on which it timed out
    segments = []  # (start, end, visibility) of the printed output, per call
    with Session(path, limits, mode, hide, also_hide) as session:
        load = session.ensure_worker()
        segments.append((0, session.output_size(), "visible"))
        result["load"] = _load_info(load)
        result["sandbox"] = session.mode + (f" ({', '.join(session.layers)})" if session.layers else "")
        result["sandbox_warnings"] = list(session.warnings)
        for item in rubric.items:
            gf = plan.graded[item.function]
            check = gf.checks[item.check]
            outcome = None
            advisories = []
            if load[0] != "ready":
                outcome = {"passed": False, "case": "", "message": result["load"]["message"],
                           "problems": [], "diagnoses": [], "traceback": result["load"].get("traceback", "")}
            for case in plan.cases[(item.function, item.check)]:
                if outcome is not None and not outcome["passed"]:
                    break
                if time.monotonic() - t0 > limits.total_seconds:
                    outcome = _fail(case, f"not run: the submission used up its total time of "
                                          f"{limits.total_seconds:g} s on earlier checks")
                    break
                if session.restarts > limits.max_restarts:
                    outcome = _fail(case, f"not run: the submission's process had to be restarted more than "
                                          f"{limits.max_restarts} times")
                    break
                if case.func in hung:
                    outcome = _fail(case, f"not run: {case.func} did not return within the time limit on the "
                                          f"check '{hung[case.func]}'")
                    break
                state = session.ensure_worker()
                if state[0] != "ready":
                    outcome = _fail(case, "could not restart the submission: " + _load_info(state)["message"])
                    break
                req, blobs = _request(case)
                start = session.output_size()
                status, payload = session.worker.call(req, blobs, _call_timeout(case, limits, t0))
                segments.append((start, session.output_size(), item.visibility))
                outcome = judge(case, status, payload, session)
                advisories += [a for a in outcome.get("advisories", []) if a not in advisories]
                if status == "timeout":
                    hung[case.func] = item.check
            if outcome is not None:
                outcome["advisories"] = advisories
            result["tests"].append(_test_entry(item, gf, check, outcome, item.visibility))
        raw = session.output()
        result["printed"] = escape_output(raw, limits.output_kb * 1024)
        result["printed_student"] = escape_output(_visible_output(session, segments), limits.output_kb * 1024)
        result["restarts"] = session.restarts
    add_cascades(result["tests"], source)
    result["score"] = round(sum(t["score"] for t in result["tests"]), 6)
    result["max_score"] = round(sum(t["max_score"] for t in result["tests"]), 6)
    result["execution_time"] = round(time.monotonic() - t0, 3)
    return result


def _grade_notebook(path: Path, rubric: Rubric, plan: Plan, mode, hide, also_hide) -> dict:
    """A .ipynb: its code cells graded as one file; a notebook that cannot be read scores 0 with a message."""
    import shutil
    import tempfile

    from .notebook import notebook_source

    t0 = time.monotonic()
    code, notes, err = notebook_source(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if code is None:
        outcome = {"passed": False, "case": "", "message": err, "problems": [], "diagnoses": []}
        tests = [_test_entry(i, plan.graded[i.function], plan.graded[i.function].checks[i.check], dict(outcome),
                             i.visibility) for i in rubric.items]
        return {"submission": path.name, "sha256": digest,
                "rubric": {"name": rubric.name, "seed": rubric.seed, "path": rubric.path},
                "sandbox": "not started (the notebook could not be read)", "visibility": rubric.visibility,
                "stdout_visibility": rubric.stdout_visibility, "tests": tests, "load": {"ok": False, "message": err},
                "sandbox_warnings": [], "printed": "", "printed_student": "", "restarts": 0, "notes": [],
                "score": 0.0, "max_score": round(sum(t["max_score"] for t in tests), 6),
                "execution_time": round(time.monotonic() - t0, 3)}
    tmp = Path(tempfile.mkdtemp(prefix="mlpref-nb-"))  # mode 0700: the grader's only
    try:
        src = tmp / "submission.py"
        src.write_bytes(code)
        res = grade_submission(src, rubric, plan=plan, mode=mode, hide=hide, also_hide=also_hide)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["submission"], res["sha256"] = path.name, digest
    res["notes"] = [f"graded the notebook's code cells in order ({len(notes)} IPython line(s) skipped)"] + notes[:20]
    res["execution_time"] = round(time.monotonic() - t0, 3)
    return res


def _visible_output(session: Session, segments) -> bytes:
    """What the submission printed while loading and during visible tests only (never while a
    hidden or after-due-date check ran: it could print that check's inputs)."""
    limit = session.limits.output_kb * 1024 + 1
    merged = []
    for start, end, vis in segments:
        if vis != "visible" or end <= start:
            continue
        if merged and merged[-1][1] == start:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    out = b""
    for start, end in merged:
        out += session.output_range(start, min(end, start + limit - len(out)))
        if len(out) >= limit:
            break
    return out


# ---------------------------------------------------------------------------------- cascades
def _call_graph(source: bytes) -> dict[str, set]:
    """{function: the submission's top-level functions it calls, directly or not}, from the AST only."""
    try:
        tree = safe_ast.parse(source[:1_000_000])
    except (SyntaxError, ValueError, RecursionError, MemoryError, SystemError):
        return {}  # only a diagnosis aid: without a call graph no cascade is named
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for n in tree.body:  # module-level tables of functions, e.g. ACT = {"tanh": (tanh, tanh_grad)}
        if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None:
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                if isinstance(t, ast.Name) and t.id not in defs:
                    defs[t.id] = n.value
    direct = {name: {x.id for x in ast.walk(node) if isinstance(x, ast.Name) and x.id in defs and x.id != name}
              for name, node in defs.items()}
    graph = {}
    for name in defs:
        seen, todo = set(), list(direct[name])
        while todo:
            f = todo.pop()
            if f not in seen:
                seen.add(f)
                todo += direct.get(f, ())
        graph[name] = seen
    return graph


def add_cascades(tests: list, source: bytes) -> None:
    """A failing function that calls a failing helper gets a diagnosis naming the helper (visible
    helper tests only, so a hidden test's failure is never revealed)."""
    failing = {}
    for t in tests:
        if t["status"] != "passed" and t["visibility"] == "visible":
            failing.setdefault(t["function"], []).append(t["check"])
    if not failing:
        return
    graph = _call_graph(source)
    for t in tests:
        if t["status"] == "passed" or t["outcome"] is None:
            continue
        callees = set(graph.get(t["function"], ()))
        if t["function"] == "mlp_backward":  # graded on the cache of the student's own mlp_forward
            callees |= {"mlp_forward"} | graph.get("mlp_forward", set())
        for helper in sorted(callees & set(failing)):
            if helper == t["function"]:
                continue
            checks = ", ".join(failing[helper])
            t["outcome"].setdefault("diagnoses", []).append(
                f"your {t['function']} uses your {helper}, which fails its own checks ({checks}): fix "
                f"{helper} first, this failure may follow from it")


def _load_info(load) -> dict:
    kind, info = load
    if kind == "ready":
        return {"ok": True, "message": "loaded", "functions": list(info)}
    if kind == "load_error":
        typ, msg = info.get("type", ""), info.get("message", "")
        text = f"submission.py could not be loaded: {typ}: {msg}"
        if typ == "ModuleNotFoundError" and "mlp_ref" in msg:
            text = ("submission.py could not be loaded: it imports the reference implementation (mlp_ref), "
                    "which submissions cannot use")
        elif typ == "SystemExit":
            text = f"submission.py called sys.exit({msg}) while loading"
        return {"ok": False, "message": text, "traceback": info.get("traceback", "")}
    return {"ok": False, "message": f"submission.py {info}"}
