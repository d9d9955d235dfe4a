"""results.json -> one self-contained index.html (Jinja2, autoescape on). Never re-runs a check."""
from __future__ import annotations

import json
import math
import re
from collections import Counter, OrderedDict
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from . import mathml, plots

HERE = Path(__file__).resolve().parent
STATUSES = ("pass", "fail", "expected-fail", "unexpected-pass", "skip")
UNEXPECTED = ("fail", "unexpected-pass")
VERDICTS = ("holds", "erratum", "convention", "incomplete")
STATUS_LABEL = {"pass": "✓", "fail": "✗ fail", "expected-fail": "xfail", "unexpected-pass": "XPASS",
                "skip": "skip"}
CATALOG_ORACLE = "catalog"
_KINK = re.compile(r"kink|at [zhxr] ?= ?0|'\(0\)|at 0\b|1\{[^}]*>=? ?0\}|1\([^)]*> ?0\)", re.I)
DTYPE_ORDER = {"float16": 0, "bfloat16": 1, "float32": 2, "float64": 3}


def slug(text) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-") or "x"


def fmt_num(v, digits: int = 3) -> str:
    """Short form of an error or a number: 2.1e-07, 0.5, —."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, str):
        return v
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(f):
        return "nan"
    if f == 0:
        return "0"
    if abs(f) < 1e-3 or abs(f) >= 1e5:
        return f"{f:.{max(0, digits - 1)}e}"
    return f"{f:.{digits}g}"


def fmt_value(v, limit: int = 240) -> str:
    """A computed value as readable text (arrays summarised, long lists cut)."""
    if v is None:
        return "— (not computable from the document)"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        return fmt_num(v, 6)
    if isinstance(v, dict) and {"shape", "min", "max"} <= set(v):
        shape = "×".join(str(s) for s in v["shape"])
        return f"array {shape}, values in [{fmt_num(v['min'], 4)}, {fmt_num(v['max'], 4)}]"
    if isinstance(v, dict):
        text = ", ".join(f"{k}: {fmt_value(x, limit)}" for k, x in v.items())
    elif isinstance(v, (list, tuple)):
        if v and all(isinstance(x, (list, tuple)) for x in v):
            text = "[" + "; ".join(" ".join(fmt_num(y, 4) if not isinstance(y, (list, dict)) else "…" for y in x)
                                   for x in v) + "]"
        else:
            text = "[" + ", ".join(fmt_value(x, limit) if isinstance(x, (list, dict)) else fmt_num(x, 4)
                                   for x in v) + "]"
    else:
        text = str(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _combo_key(c):
    oracle, device, dtype = c
    return (device != "cpu", str(device), DTYPE_ORDER.get(str(dtype), 9), str(dtype))


def entry_key(row: dict):
    """The catalog entry a check row belongs to (run_checks: "entry"; bare ops: "subject")."""
    return row.get("entry") or row.get("subject") or row.get("id")


def _oracle_rows(rows) -> list[dict]:
    """Rows of real oracles (the "catalog" pseudo-oracle re-evaluates entries that have no op)."""
    return [r for r in rows if r.get("oracle") != CATALOG_ORACLE]


def _combos(rows) -> list[tuple]:
    """Oracle columns (oracle, device, dtype): oracles in order of appearance, then device, dtype."""
    order = OrderedDict()
    for r in _oracle_rows(rows):
        order.setdefault(r.get("oracle"), set()).add((r.get("oracle"), r.get("device"), r.get("dtype")))
    return [c for o in order for c in sorted(order[o], key=_combo_key)]


def combo_label(c) -> str:
    return " · ".join(str(x) for x in c if x not in (None, ""))


def _count(rows, key) -> list[dict]:
    """Per value of `key`: counts of each status, in first-seen order."""
    groups: OrderedDict = OrderedDict()
    for r in rows:
        groups.setdefault(str(r.get(key)), Counter())[r.get("status", "?")] += 1
    return [{"name": k, "total": sum(c.values()), **{s: c.get(s, 0) for s in STATUSES}}
            for k, c in groups.items()]


def summary(data: dict) -> dict:
    """Counts the report and the CLI's last line use, computed from the stored rows only."""
    catalog = data.get("catalog") or []
    rows = data.get("results") or []
    verdicts = Counter(e.get("verdict") for e in catalog)
    statuses = Counter(r.get("status") for r in rows)
    unexpected = sum(statuses.get(s, 0) for s in UNEXPECTED)
    errors = [e["id"] for e in catalog if e.get("verdict") not in VERDICTS]
    return {
        "entries": len(catalog),
        "verdicts": {v: verdicts.get(v, 0) for v in VERDICTS if verdicts.get(v)},
        "catalog_errors": errors,
        "checks": len(rows),
        "statuses": {s: statuses.get(s, 0) for s in STATUSES},
        "unexpected": unexpected,
        "by_oracle": _count(rows, "oracle"),
        "by_device": _count(rows, "device"),
        "by_dtype": _count(rows, "dtype"),
        "unavailable": dict((data.get("environment") or {}).get("unavailable") or {}),
        "checks_error": data.get("checks_error"),
        "ok": unexpected == 0 and not errors and not data.get("checks_error"),
    }


def summary_line(data: dict) -> str:
    s = summary(data)
    verdicts = ", ".join(f"{n} {v}" for v, n in s["verdicts"].items())
    statuses = ", ".join(f"{n} {k}" for k, n in s["statuses"].items() if n)
    line = f"{s['entries']} entries ({verdicts}); {s['checks']} checks ({statuses or 'none run'})"
    if s["unavailable"]:
        line += "; unavailable: " + ", ".join(sorted(s["unavailable"]))
    if s["checks_error"]:
        line += f"; checks not run: {s['checks_error']}"
    if s["catalog_errors"]:
        line += f"; {len(s['catalog_errors'])} catalog entries failed to evaluate"
    return line + (" — OK" if s["ok"] else f" — {s['unexpected']} UNEXPECTED")


def _numbers(entry: dict) -> list[dict]:
    """Documented (verbatim) against computed, documented keys first."""
    documented = entry.get("documented") or {}
    computed = entry.get("computed") or {}
    out = []
    for k, doc in documented.items():
        out.append({"key": k, "documented": doc, "computed": fmt_value(computed[k]) if k in computed else ""})
    for k, v in computed.items():
        if k not in documented:
            out.append({"key": k, "documented": "", "computed": fmt_value(v)})
    return out


EVIDENCE_SHOWN_ELSEWHERE = ("entry", "location", "form")


def _evidence_items(evidence) -> list[dict]:
    """Evidence as key/value items; lists and dicts become preformatted lines."""
    if not isinstance(evidence, dict):
        return [{"key": "evidence", "value": fmt_value(evidence, 2000), "pre": False}]
    items = []
    for k, v in evidence.items():
        if k in EVIDENCE_SHOWN_ELSEWHERE or v in (None, "", [], {}):
            continue
        if isinstance(v, list) and all(isinstance(x, (str, int, float)) for x in v):
            items.append({"key": k, "value": "\n".join(str(x) for x in v)[:4000], "pre": True})
        elif isinstance(v, dict) and all(isinstance(x, (str, int, float, bool)) for x in v.values()):
            items.append({"key": k, "value": "\n".join(f"{a}: {x}" for a, x in v.items())[:4000], "pre": True})
        elif isinstance(v, (dict, list)):
            items.append({"key": k, "value": json.dumps(v, indent=1, default=str)[:4000], "pre": True})
        else:
            items.append({"key": k, "value": v if isinstance(v, str) else fmt_value(v, 2000), "pre": False})
    return items


def _cell(row: dict, anchor: str | None) -> dict:
    status = row.get("status", "?")
    title = (f"{status}: max abs err {fmt_num(row.get('max_abs_err'))}, max rel err "
             f"{fmt_num(row.get('max_rel_err'))}, tolerance {_tol(row.get('tolerance'))}")
    if row.get("reason"):
        title += f" — {row['reason']}"
    err = row.get("max_rel_err")
    return {"status": status, "label": STATUS_LABEL.get(status, status),
            "err": "" if status == "skip" or err is None else fmt_num(err, 2),
            "title": title, "anchor": anchor}


def _rows_by_entry(data: dict) -> OrderedDict:
    out: OrderedDict = OrderedDict()
    for r in data.get("results") or []:
        out.setdefault(entry_key(r), []).append(r)
    return out


def _entries(data: dict, combos: list[tuple]):
    rows_by_id = _rows_by_entry(data)
    used_anchors: set = set()
    views = []
    for e in data.get("catalog") or []:
        rows = rows_by_id.pop(e.get("id"), [])
        views.append(_entry_view(e, rows, combos, used_anchors))
    orphans = [_entry_view({"id": i, "source": "", "location": str(i), "statement": "", "kind": "",
                            "verdict": "op", "explanation": "a registered op that no catalog entry uses "
                            "directly, checked against the oracles on its own"},
                           rows, combos, used_anchors) for i, rows in rows_by_id.items()]
    for o in orphans:
        o["orphan"] = True
    return views, orphans


def _entry_view(e: dict, rows: list[dict], combos: list[tuple], used: set) -> dict:
    anchor = "e-" + slug(e.get("id"))
    forms = OrderedDict()
    evidence = []
    catalog_rows = [r for r in rows if r.get("oracle") == CATALOG_ORACLE]
    for r in rows:
        form = r.get("form") or "as_written"
        combo = (r.get("oracle"), r.get("device"), r.get("dtype"))
        a = None
        if r.get("status") != "pass" and (r.get("evidence") or r.get("reason")):
            a = base = "ev-" + slug(r.get("id") or f"{e.get('id')}-{form}-{combo_label(combo)}")
            n = 2
            while a in used:
                a, n = f"{base}-{n}", n + 1
            used.add(a)
            evidence.append({"anchor": a, "form": form, "combo": combo_label(combo),
                             "status": r.get("status"), "reason": r.get("reason") or "",
                             "max_abs_err": fmt_num(r.get("max_abs_err")),
                             "max_rel_err": fmt_num(r.get("max_rel_err")),
                             "tolerance": _tol(r.get("tolerance")),
                             "method": r.get("method") or "",
                             "items": _evidence_items(r.get("evidence") or {})})
        if r.get("oracle") != CATALOG_ORACLE:
            forms.setdefault(form, {})[combo] = _cell(r, a)
    matrix = [{"form": f.replace("_", " "), "cells": [cells.get(c) for c in combos]} for f, cells in forms.items()]
    statuses = Counter(r.get("status") for r in rows)
    code = e.get("kind") == "code"
    return {
        "id": e.get("id"), "anchor": anchor, "source": e.get("source"), "location": e.get("location"),
        "kind": e.get("kind"), "verdict": e.get("verdict") or "unknown",
        "statement": e.get("statement") or "",
        "statement_html": mathml.render(e.get("statement"), bare=not code),
        "corrected_html": mathml.render(e.get("corrected_statement"), bare=not code),
        "corrected_statement": e.get("corrected_statement") or "",
        "code": code, "orphan": False,
        "numbers": _numbers(e), "explanation": e.get("explanation") or "",
        "matrix": matrix, "evidence": evidence,
        "catalog_check": [{"status": r.get("status"), "label": STATUS_LABEL.get(r.get("status"), r.get("status")),
                           "reason": r.get("reason") or ""} for r in catalog_rows],
        "unexpected": sum(statuses.get(s, 0) for s in UNEXPECTED),
        "checks": len(rows),
    }


def _tol(tol) -> str:
    if isinstance(tol, dict):
        parts = [f"{k} {fmt_num(tol[k])}" for k in ("rtol", "atol") if tol.get(k) is not None]
        return ", ".join(parts) or "—"
    return "—" if tol is None else fmt_value(tol)


def _heatmap(entries: list[dict], data: dict, combos: list[tuple]) -> dict:
    rows_by_id = _rows_by_entry({"results": _oracle_rows(data.get("results") or [])})
    labels, values, marks = [], [], []
    mark_for = {"fail": "✗", "unexpected-pass": "!", "expected-fail": "×", "skip": "–"}
    for e in entries:
        by_form: OrderedDict = OrderedDict()
        for r in rows_by_id.get(e["id"], []):
            by_form.setdefault(r.get("form") or "as_written", {})[(r.get("oracle"), r.get("device"), r.get("dtype"))] = r
        for form, cells in by_form.items():
            labels.append(e["id"] + (" (corrected)" if form == "corrected" else ""))
            values.append([cells[c].get("max_rel_err") if c in cells and cells[c].get("status") != "skip" else None
                           for c in combos])
            marks.append([mark_for.get(cells[c].get("status"), "") if c in cells else "" for c in combos])
    if not labels:
        return {"unavailable": "no oracle checks in these results"}
    return plots.safe(plots.heatmap, labels, [combo_label(c) for c in combos], values, marks)


def _plots(data: dict, entries: list[dict], combos: list[tuple]) -> dict:
    series = data.get("series") or {}
    missing = {"unavailable": "not computed for these results"}
    return {
        "activations": plots.safe(plots.activation_plots, series.get("activations") or missing),
        "fd": plots.safe(plots.fd_plots, series.get("fd") or missing),
        "approximation": plots.safe(plots.approximation_plots, series.get("approximation") or missing),
        "heatmap": _heatmap(entries, data, combos),
    }


ENV_SHOWN_ELSEWHERE = ("unavailable", "conventions", "fd_accuracy", "tolerances")


def _environment(env: dict) -> list[dict]:
    """Environment facts: flat dicts inline ("torch: 2.13 · jax: 0.10"), deeper ones preformatted."""
    out = []
    for k, v in env.items():
        if k in ENV_SHOWN_ELSEWHERE:
            continue
        if isinstance(v, dict) and all(not isinstance(x, (dict, list)) for x in v.values()):
            out.append({"key": k, "value": " · ".join(f"{a} {x}" for a, x in v.items()) or "—", "pre": False})
        elif isinstance(v, dict) and all(isinstance(x, list) for x in v.values()):
            out.append({"key": k, "value": " · ".join(f"{a}: {', '.join(map(str, x))}" for a, x in v.items()),
                        "pre": False})
        elif isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v):
            out.append({"key": k, "value": ", ".join(map(str, v)) or "—", "pre": False})
        elif isinstance(v, (dict, list)):
            out.append({"key": k, "value": json.dumps(v, indent=1, default=str), "pre": True})
        else:
            out.append({"key": k, "value": "—" if v is None else str(v), "pre": False})
    return out


def _tolerances(env: dict) -> list[dict]:
    tol = env.get("tolerances")
    if not isinstance(tol, dict):
        return []
    return [{"name": k, "rtol": fmt_num(v.get("rtol")), "atol": fmt_num(v.get("atol")), "reason": v.get("reason", "")}
            for k, v in tol.items() if isinstance(v, dict)]


def _kinks(env: dict, series: dict) -> tuple[list[dict], list[str]]:
    """Derivative at the kink per implementation: the check run's table, else the series' own."""
    conv = env.get("conventions")
    rows = []
    if isinstance(conv, dict) and conv:
        for name, vals in conv.items():
            if isinstance(vals, dict):
                rows.append({"function": name, "params": {}, "left": vals.get("left"), "right": vals.get("right"),
                             "values": {k: v for k, v in vals.items() if k not in ("left", "right")}})
    else:
        rows = (series.get("kinks") or {}).get("rows") or []
    cols = list(OrderedDict.fromkeys(k for r in rows for k in r.get("values", {})))
    return rows, cols


def _fd_accuracy(env: dict) -> dict | None:
    acc = env.get("fd_accuracy")
    if not isinstance(acc, dict) or not isinstance(acc.get("methods"), dict):
        return None
    return {"reference": acc.get("reference", ""), "formulas": acc.get("formulas") or [],
            "methods": [{"name": m, "max_rel_err": fmt_num(v.get("max_rel_err")), "worst": v.get("worst_fn") or "",
                         "claim": fmt_num(v.get("claim")) if v.get("claim") is not None else "—",
                         "holds": {True: "yes", False: "NO", None: "—"}.get(v.get("holds"), str(v.get("holds")))}
                        for m, v in acc["methods"].items() if isinstance(v, dict)]}


def build_context(data: dict) -> dict:
    """Everything the template shows, derived from the stored results only."""
    rows = data.get("results") or []
    combos = _combos(rows)
    entries, orphans = _entries(data, combos)
    sources = data.get("sources") or {}
    docs = []
    for src, title in list(sources.items()) + [(s, s) for s in dict.fromkeys(e["source"] for e in entries)
                                                if s not in sources]:
        items = [e for e in entries if e["source"] == src]
        if items:
            docs.append({"file": src, "title": title, "anchor": "doc-" + slug(src.split("_")[0]),
                         "entries": items, "verdicts": Counter(e["verdict"] for e in items)})
    by_id = {e["id"]: e for e in entries}
    series = data.get("series") or {}
    env = data.get("environment") or {}
    kinks, kink_cols = _kinks(env, series)
    return {
        "data": data,
        "summary": summary(data),
        "summary_line": summary_line(data),
        "combos": [combo_label(c) for c in combos],
        "docs": docs,
        "orphans": orphans,
        "entries": entries,
        "errata": [e for e in entries if e["verdict"] == "erratum"],
        "kink_conventions": [e for e in entries if e["verdict"] == "convention" and _KINK.search(e["explanation"])],
        "conventions": [e for e in entries if e["verdict"] == "convention" and not _KINK.search(e["explanation"])],
        "incomplete": [e for e in entries if e["verdict"] == "incomplete"],
        "by_id": by_id,
        "kinks": kinks, "kink_cols": kink_cols,
        "environment": _environment(env),
        "tolerances": _tolerances(env),
        "fd_accuracy": _fd_accuracy(env),
        "plots": _plots(data, entries + orphans, combos),
        "fd_entries": [i for f in (series.get("fd") or {}).get("functions", []) for i in f.get("entries", [])
                       if i in by_id],
        "mathml": mathml.available(),
        "css": Markup((HERE / "assets" / "report.css").read_text(encoding="utf-8")),
        "fmt_num": fmt_num, "fmt_value": fmt_value,
    }


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(("html", "j2", "html.j2"), default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt_num
    env.filters["value"] = fmt_value
    return env


def render(data: dict) -> str:
    """The report as one HTML string (no external assets)."""
    context = build_context(data)
    context.setdefault("load_errors", list(data.get("load_errors") or []))  # document packages not used
    return environment().get_template("report.html.j2").render(**context)


def write(data: dict, out_dir) -> Path:
    """Write out_dir/index.html from `data`; returns its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "index.html"
    path.write_text(render(data), encoding="utf-8")
    return path
