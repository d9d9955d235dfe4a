"""results.json -> one self-contained index.html (Jinja2, autoescape on). Never re-runs a check."""
from __future__ import annotations

import json
import math
import re
from collections import Counter, OrderedDict
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from markupsafe import escape

from . import errata as errata_sheet
from . import mathml, plots, prose

HERE = Path(__file__).resolve().parent
STATUSES = ("pass", "fail", "expected-fail", "unexpected-pass", "skip")
UNEXPECTED = ("fail", "unexpected-pass")
VERDICTS = ("holds", "erratum", "convention", "incomplete", "cited")
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


FINDING_STATUS = {"ok": ("✓", "holds"), "mismatch": ("✗", "does not hold"), "convention": ("≈", "convention"),
                  "missing": ("?", "not in the text"), "cited": ("§", "cited, not checked")}
SEVERITIES = ("error", "slip", "transcription")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")


def anchor_of(entry_id) -> str:
    """The entry's anchor: its id itself (what a user types after #), slugged only if it must be."""
    text = str(entry_id)
    return text if _ID.match(text) else slug(text)


def _text_html(text, code: bool = False) -> Markup:
    """Catalog prose for readers: plain words for Python/NumPy text, formulas as MathML."""
    if text in (None, ""):
        return Markup("")
    if code:
        return Markup("<code>") + mathml.render_code(str(text)) + Markup("</code>")
    return mathml.render(prose.plain_words(text))


def _value_html(v, code: bool = False) -> Markup:
    """A documented or computed value: a formula as MathML, numbers and arrays summarised."""
    if isinstance(v, str):
        if code or "\n" in v:
            return Markup("<code>") + mathml.render_code(v) + Markup("</code>")
        return mathml.render_value(prose.plain_words(v))
    return escape(fmt_value(v))


def _after_what(evidence: str, what: str) -> str:
    """The part of a finding's evidence that says what happened ("agrees ... (max abs diff 0)")."""
    evidence, what = (evidence or "").strip(), (what or "").strip()
    if what and evidence.startswith(what):
        evidence = evidence[len(what):].lstrip(":;, ")
    return evidence


def _findings(e: dict, code: bool) -> list[dict]:
    """The findings table: what is checked | as printed | computed | status, no blank cell."""
    rows = []
    for f in e.get("findings") or []:
        status = f.get("status") or "ok"
        mark, word = FINDING_STATUS.get(status, ("?", status))
        doc, comp, as_written = f.get("documented"), f.get("computed"), f.get("as_written")
        if doc not in (None, ""):
            printed = _value_html(doc, code)
        elif as_written is not None and status != "ok":
            printed = Markup('<span class="muted">as printed, the formula gives</span> ') + \
                _value_html(as_written, code)
        else:
            printed = Markup('<span class="muted">no number printed</span>')
        if comp is None:
            computed = Markup('<span class="muted">nothing to compute: {}</span>').format(
                {"missing": "the text is cut off", "cited": "the document cites it; not reproduced here"}.get(
                    status, "not computable from the text"))
        elif isinstance(comp, bool):
            computed = Markup("yes") if comp else Markup("no")
        else:
            computed = _value_html(comp, code)
        note = _after_what(prose.plain_words(f.get("evidence")), prose.plain_words(f.get("what")))
        rows.append({"key": f.get("key") or "", "what": _text_html(f.get("what") or f.get("key") or "checked"),
                     "printed": printed, "computed": computed, "note": _text_html(note) if note else Markup(""),
                     "status": status, "mark": mark, "word": word, "severity": f.get("severity"),
                     "reason": _text_html(f.get("reason")) if f.get("reason") else Markup("")})
    return rows


def _split_top(text: str) -> list[str]:
    """`text` split at "; " outside brackets (the catalog joins its findings' evidence that way)."""
    parts, depth, cur = [], 0, []
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == ";" and depth <= 0 and text[i + 1:i + 2] == " ":
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def _explanation(e: dict) -> Markup:
    """A short explanation: what the entry's own words add to its findings table (the corrected form
    and the per-finding evidence are shown elsewhere)."""
    text = prose.plain_words(e.get("explanation") or "")
    text = re.sub(r"(?:^|[.;] )Corrected: .*$", "", text, flags=re.S).strip()
    text = re.sub(r"\.? ?The same fault as \S+, counted there\.?", "", text).strip()
    shown = [prose.plain_words(f.get("evidence") or "") for f in e.get("findings") or []]
    rest = [p for p in _split_top(text) if not any(p.strip(" .") in ev or ev.strip(" .") in p for ev in shown if ev)]
    if rest:
        return _text_html("; ".join(rest))
    statuses = Counter(f.get("status") for f in e.get("findings") or [])
    n = sum(statuses.values())
    if not n:
        return _text_html(text)
    if statuses.get("mismatch"):
        return Markup(f"{statuses['mismatch']} of {n} findings do not hold as printed (marked ✗ above).")
    if statuses.get("convention"):
        return Markup(f"The document is right under its own convention ({statuses['convention']} of {n} "
                      "findings, marked ≈ above).")
    if statuses.get("missing"):
        return Markup("Part of the statement is cut off in the text; the table says what is missing.")
    return Markup(f"All {n} finding{'s' if n != 1 else ''} agree with the computation.")


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
    pages = doc_pages(data)
    for e in data.get("catalog") or []:
        rows = rows_by_id.pop(e.get("id"), [])
        view = _entry_view(e, rows, combos, used_anchors)
        view["page"] = pages.get(e.get("source"), INDEX)
        views.append(view)
    orphans = [_entry_view({"id": i, "source": "", "location": str(i), "statement": "", "kind": "",
                            "verdict": "op", "explanation": "a registered op that no catalog entry uses "
                            "directly, checked against the oracles on its own"},
                           rows, combos, used_anchors) for i, rows in rows_by_id.items()]
    for o in orphans:
        o["orphan"] = True
        o["page"] = OPS_PAGE
    by_id = {v["id"]: v for v in views}
    for v in views:
        owner = by_id.get(v["same_fault_as"]) if v["same_fault_as"] else None
        v["owner"] = {"id": owner["id"], "location": owner["location"], "href": f"{owner['page']}#{owner['anchor']}"} \
            if owner else None
    return views, orphans


def _entry_view(e: dict, rows: list[dict], combos: list[tuple], used: set) -> dict:
    anchor = anchor_of(e.get("id"))
    used.add(anchor)
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
    matrix = _matrix(forms)
    statuses = Counter(r.get("status") for r in rows)
    code = e.get("kind") == "code"
    verdict = e.get("verdict") or "unknown"
    severity = e.get("severity") or ("unrated" if verdict == "erratum" else None)
    return {
        "severity": severity, "same_fault_as": e.get("same_fault_as"),
        "findings": _findings(e, code), "explanation_html": _explanation(e),
        "id": e.get("id"), "anchor": anchor, "source": e.get("source"), "location": e.get("location"),
        "kind": e.get("kind"), "verdict": verdict,
        "statement": e.get("statement") or "",
        "statement_html": mathml.render_code(e.get("statement")) if code else mathml.render(e.get("statement")),
        "corrected_html": _text_html(e.get("corrected_statement"), code),
        "corrected_statement": e.get("corrected_statement") or "",
        "code": code, "orphan": False,
        "explanation": e.get("explanation") or "",
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


def _matrix(forms: OrderedDict) -> dict:
    """The oracle matrix, oracles (and devices) down, form and dtype across: narrow enough for a phone."""
    combos = [c for cells in forms.values() for c in cells]
    if not combos:
        return {}
    lines = list(OrderedDict.fromkeys((c[0], c[1]) for c in combos))
    dtypes = sorted({c[2] for c in combos}, key=lambda t: (DTYPE_ORDER.get(str(t), 9), str(t)))
    cols = [{"form": f.replace("_", " "), "dtype": t, "key": (f, t)} for f in forms for t in dtypes]
    rows = []
    for oracle, device in lines:
        cells = []
        for col in cols:
            f, t = col["key"]
            cells.append(forms[f].get((oracle, device, t)) or {"status": "none", "label": "not run", "err": "",
                                                                 "title": "this combination was not run",
                                                                 "anchor": None})
        rows.append({"label": combo_label((oracle, device)), "cells": cells})
    return {"cols": cols, "rows": rows, "forms": len(forms)}


def _error_plot(data: dict, combos: list[tuple]) -> dict:
    rows = _oracle_rows(data.get("results") or [])
    if not rows:
        return {"unavailable": "no oracle checks in these results"}
    columns = []
    for c in combos:
        pts = [r for r in rows if (r.get("oracle"), r.get("device"), r.get("dtype")) == c and r.get("status") != "skip"]
        rtol = [((r.get("tolerance") or {}).get("rtol")) for r in pts if isinstance(r.get("tolerance"), dict)]
        columns.append({"label": combo_label(c),
                        "points": [(r.get("max_rel_err"), r.get("status"), r.get("form") or "as_written") for r in pts],
                        "rtol": min((t for t in rtol if t), default=None),
                        "skipped": sum(1 for r in rows if (r.get("oracle"), r.get("device"), r.get("dtype")) == c
                                       and r.get("status") == "skip")})
    return plots.safe(plots.error_strips, columns)


def _plots(data: dict, entries: list[dict], combos: list[tuple], figures: dict | None = None) -> dict:
    """Every plot; `figures`: the series' figures already drawn (plots.series_figures) for this data."""
    drawn = figures if figures and {"activations", "fd", "approximation"} <= set(figures) else \
        plots.series_figures(data.get("series") or {})
    return {**drawn, "errors": _error_plot(data, combos)}


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


INDEX = "index.html"
OPS_PAGE = "ops.html"


def _shared_prefix(ids: list) -> str:
    """The hyphen-ended prefix every id of a document starts with ("ml-notes-" -> "ml-notes"), else the
    first segment of the first id."""
    first = ids[0] if ids else ""
    parts = first.split("-")
    for n in range(len(parts) - 1, 0, -1):
        head = "-".join(parts[:n]) + "-"
        if all(i.startswith(head) for i in ids) and (len(ids) > 1 or n == 1):
            return head[:-1]
    return parts[0]


def doc_pages(data: dict) -> "OrderedDict[str, str]":
    """{source file: its page}, named after the id prefix its entries share (cos324.html, ml-notes.html)."""
    out: OrderedDict = OrderedDict()
    taken = {INDEX, OPS_PAGE}
    ids: "OrderedDict[str, list]" = OrderedDict()
    for e in data.get("catalog") or []:
        ids.setdefault(e.get("source") or "", []).append(str(e.get("id", "")))
    declared = data.get("prefixes") or {}
    for src, names in ids.items():
        prefix = str(declared.get(src) or "").rstrip("-") or _shared_prefix(names)
        base = slug(prefix or src.split("_")[0] or "document").lower()
        name, n = f"{base}.html", 2
        while name in taken:
            name, n = f"{base}-{n}.html", n + 1
        taken.add(name)
        out[src] = name
    return out


def _faults(items: list[dict]) -> dict:
    """Faults by severity among `items`, each shared fault counted once (at its owner)."""
    owners = [e for e in items if e["verdict"] == "erratum" and not e.get("same_fault_as")]
    c = Counter(e["severity"] for e in owners)
    return {"total": len(owners), **{s: c.get(s, 0) for s in (*SEVERITIES, "unrated")}}


def _sheet(data: dict, entries: list[dict]) -> dict:
    """The errata sheet (reports.errata) with its statements and evidence rendered for the page."""
    records = [dict(r, **{"corrected_statement": r.get("corrected_statement") or ""})
               for r in data.get("catalog") or [] if "findings" in r]
    by_id = {e["id"]: e for e in entries}
    try:
        blocks = errata_sheet.sheet(records, data.get("sources") or {})
    except Exception as exc:  # noqa: BLE001 - the rest of the report still renders
        return {"blocks": [], "counts": {}, "unavailable": f"{type(exc).__name__}: {exc}"}
    for b in blocks:
        b["sections"] = []
        for key, heading, meaning, listed in list(errata_sheet.sections(b)):
            items = []
            for it in listed:
                view = by_id.get(it["id"], {})
                code = view.get("code", False)
                items.append({**it, "href": f"{view.get('page', INDEX)}#{view.get('anchor', anchor_of(it['id']))}",
                              "severity": it.get("severity") or "unrated",
                              "printed_html": view.get("statement_html") or _text_html(it["as_printed"], code),
                              "corrected_html": _text_html(it.get("corrected"), code),
                              "evidence_html": _text_html(it.get("evidence")),
                              "reason_html": _text_html(it.get("reason")),
                              "also": [{"location": a["location"], "id": a["id"],
                                        "href": f"{by_id.get(a['id'], {}).get('page', INDEX)}#{anchor_of(a['id'])}"}
                                       for a in it.get("also_at") or []]})
            b["sections"].append({"key": key, "heading": heading, "meaning": meaning, "items": items})
    counts = errata_sheet.counts(blocks)
    counts["unrated"] = sum(len(b.get("unrated") or []) for b in blocks)
    return {"blocks": blocks, "counts": counts, "unavailable": None}


def build_context(data: dict, figures: dict | None = None) -> dict:
    """Everything the templates show, derived from the stored results only (`figures`: the series'
    plots when they were drawn beforehand)."""
    rows = data.get("results") or []
    combos = _combos(rows)
    entries, orphans = _entries(data, combos)
    sources = data.get("sources") or {}
    pages = doc_pages(data)
    docs = []
    for src, title in list(sources.items()) + [(s, s) for s in dict.fromkeys(e["source"] for e in entries)
                                                if s not in sources]:
        items = [e for e in entries if e["source"] == src]
        if items:
            checks = [r for e in items for r in _rows_by_entry(data).get(e["id"], [])]
            docs.append({"file": src, "title": title, "page": pages.get(src, INDEX), "anchor": "doc-" + slug(src.split("_")[0]),
                         "number": src.split("_")[0], "prefix": pages.get(src, INDEX).rsplit(".", 1)[0],
                         "entries": items, "verdicts": Counter(e["verdict"] for e in items),
                         "faults": _faults(items), "checks": len(checks),
                         "unexpected": sum(1 for r in checks if r.get("status") in UNEXPECTED)})
    by_id = {e["id"]: e for e in entries}
    series = data.get("series") or {}
    env = data.get("environment") or {}
    kinks, kink_cols = _kinks(env, series)
    sheet = _sheet(data, entries)
    return {
        "data": data,
        "summary": summary(data),
        "summary_line": summary_line(data),
        "combos": [combo_label(c) for c in combos],
        "by_combo": _count([{**r, "combo": combo_label((r.get("oracle"), r.get("device"), r.get("dtype")))}
                            for r in rows], "combo"),
        "docs": docs,
        "orphans": orphans,
        "entries": entries,
        "sheet": sheet,
        "faults": _faults(entries),
        "errata": [e for e in entries if e["verdict"] == "erratum"],
        "kink_conventions": [e for e in entries if e["verdict"] == "convention" and _KINK.search(e["explanation"])],
        "conventions": [e for e in entries if e["verdict"] == "convention" and not _KINK.search(e["explanation"])],
        "incomplete": [e for e in entries if e["verdict"] == "incomplete"],
        "cited": [e for e in entries if e["verdict"] == "cited"],
        "by_id": by_id,
        "entry_pages": {e["anchor"]: e["page"] for e in entries + orphans},
        "kinks": kinks, "kink_cols": kink_cols,
        "environment": _environment(env),
        "tolerances": _tolerances(env),
        "fd_accuracy": _fd_accuracy(env),
        "plots": _plots(data, entries + orphans, combos, figures),
        "one_document": (one := (data.get("selection") or {}).get("whole") is False),  # --source
        "approximation_shown": not one or not (series.get("approximation") or {}).get("unavailable"),
        "fd_entries": [i for f in (series.get("fd") or {}).get("functions", []) for i in f.get("entries", [])
                       if i in by_id],
        "mathml": mathml.available(),
        "css": Markup((HERE / "assets" / "report.css").read_text(encoding="utf-8")),
        "fmt_num": fmt_num, "fmt_value": fmt_value, "text_html": _text_html,
        "INDEX": INDEX, "OPS_PAGE": OPS_PAGE, "severities": SEVERITIES,
        "load_errors": list(data.get("load_errors") or []),  # document packages not used
    }


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(("html", "j2", "html.j2"), default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt_num
    env.filters["value"] = fmt_value
    env.filters["tojson_safe"] = lambda v: Markup(json.dumps(v, ensure_ascii=True).replace("</", "<\\/"))
    return env


def render_pages(data: dict, figures: dict | None = None) -> "OrderedDict[str, str]":
    """{file name: HTML}: index.html (summary, errata sheet, documents, conventions, plots) and one
    page per document (plus ops.html for ops no entry uses). No external assets."""
    ctx = build_context(data, figures)
    env = environment()
    pages: OrderedDict = OrderedDict()
    pages[INDEX] = env.get_template("index.html.j2").render(**ctx, page=INDEX, title="mlp-ref verification report")
    doc_t = env.get_template("document.html.j2")
    for d in ctx["docs"]:
        pages[d["page"]] = doc_t.render(**ctx, page=d["page"], doc=d, title=f"{d['title']} — mlp-ref report")
    if ctx["orphans"]:
        pages[OPS_PAGE] = doc_t.render(**ctx, page=OPS_PAGE, title="Registered ops — mlp-ref report", doc={
            "file": "", "title": "Registered ops without a catalog entry of their own", "page": OPS_PAGE,
            "anchor": "doc-ops", "number": "ops", "prefix": "ops", "entries": ctx["orphans"],
            "verdicts": Counter(), "faults": _faults([]), "checks": sum(o["checks"] for o in ctx["orphans"]),
            "unexpected": sum(o["unexpected"] for o in ctx["orphans"])})
    return pages


def render(data: dict) -> str:
    """The index page as one HTML string (no external assets)."""
    return render_pages(data)[INDEX]


def write(data: dict, out_dir, figures: dict | None = None) -> Path:
    """Write every page of the report into out_dir; returns the path of index.html."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, html in render_pages(data, figures).items():
        (out / name).write_text(html, encoding="utf-8")
    return out / INDEX
