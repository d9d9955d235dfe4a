"""Run the catalog, the oracle checks and the plot series once; return everything as results.json data."""
from __future__ import annotations

import datetime as _dt
import importlib
import platform
import sys
import time
import traceback

SCHEMA = 1


def _catalog(progress=None, evaluated=None) -> tuple[list[dict], dict]:
    """Every catalog record plus corrected_statement; an entry that raises becomes an error record.
    `evaluated` (a dict) receives each entry's full evaluation, for the checks to reuse."""
    from mlp_ref import catalog
    from mlp_ref.registry import SOURCES

    entries = catalog.entries()
    records = []
    for i, e in enumerate(entries):
        try:
            full = e.evaluate()
            rec = {k: full[k] for k in catalog.FIELDS}  # what catalog.evaluate([e]) returns
            if evaluated is not None:
                evaluated[e.id] = full
        except Exception as exc:  # noqa: BLE001 - one broken entry must not hide the others
            rec = {"id": e.id, "source": e.source, "location": e.location, "statement": e.statement,
                   "kind": e.kind, "documented": dict(e.documented), "computed": {}, "verdict": "error",
                   "explanation": f"evaluating this entry raised {type(exc).__name__}: {exc}"}
        rec["corrected_statement"] = getattr(e, "corrected_statement", "") or ""
        rec["op"] = getattr(e.op, "name", None) if getattr(e, "op", None) else None
        rec["corrected_op"] = getattr(e.corrected, "name", None) if getattr(e, "corrected", None) else None
        records.append(rec)
        if progress:
            progress(i + 1, len(entries), e.id)
    return records, dict(SOURCES)


def _checks(oracles, devices, dtypes, seed, progress=None, records=None, whole=True) -> dict:
    """run_checks' {"environment", "results"}, or a note saying why the checks could not run.
    `whole`: the whole catalog runs, so the FD accuracy and the kink conventions are measured too."""
    try:
        conformance = importlib.import_module("oracles.conformance")
    except ImportError as exc:
        return {"environment": {}, "results": [], "checks_error": None,
                "checks_unavailable": f"oracles.conformance is not importable ({exc})"}
    try:
        out = conformance.run_checks(oracles=oracles, devices=devices, dtypes=dtypes, progress=progress,
                                     seed=seed, records=records, accuracy=whole, conventions=whole)
    except Exception as exc:  # noqa: BLE001 - reported in the page and by the exit status
        return {"environment": {}, "results": [],
                "checks_error": f"run_checks raised {type(exc).__name__}: {exc}",
                "checks_traceback": traceback.format_exc(limit=6)}
    data = {"environment": dict(out.get("environment") or {}), "results": list(out.get("results") or [])}
    try:
        data["check_summary"] = conformance.summarize(data["results"])
    except Exception:  # noqa: BLE001 - the report counts rows itself; this is only kept for reference
        pass
    return data


def load_errors() -> list[dict]:
    """Document packages (or their form modules) that could not be used: package, name, target,
    reason, message. Read after the checks, so that the oracles' form modules have been loaded."""
    from mlp_ref import catalog

    out = [e.record() for e in catalog.load_errors()]
    try:
        from oracles import forms

        out += forms.load_errors()
    except ImportError:
        pass
    return out


def _versions() -> dict:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for mod in ("mlp_ref", "numpy", "torch", "jax", "matplotlib", "jinja2", "latex2mathml"):
        m = sys.modules.get(mod)
        if m is None and mod in ("mlp_ref", "numpy", "matplotlib", "jinja2"):
            try:
                m = importlib.import_module(mod)
            except ImportError:
                m = None
        if m is not None:
            out[mod] = getattr(m, "__version__", "installed")
        elif mod == "latex2mathml":
            try:
                from importlib.metadata import version

                out[mod] = version(mod)
            except Exception:  # noqa: BLE001
                out[mod] = "not installed"
    return out


def _draw_in_background(series: dict):
    """Draw the series' figures in a helper process (matplotlib is CPU-bound; the checks keep the
    other core busy): (executor, future), or None when no process can be started."""
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from . import plots

        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return pool, pool.submit(plots.series_figures, series)
    except Exception:  # noqa: BLE001 - the figures are then drawn when the page is rendered
        return None


def _collect_drawing(drawing) -> dict:
    pool, future = drawing
    try:
        return future.result(timeout=600)
    except Exception:  # noqa: BLE001 - drawn again at render time
        return {}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _prefixes() -> dict:
    """{source: the id prefix its document declares ("cos324-")}: the report names pages after it."""
    try:
        from mlp_ref import catalog

        return {d.source: d.prefix for d in catalog.documents() if getattr(d, "prefix", None)}
    except Exception:  # noqa: BLE001 - page names then fall back to the ids' shared prefix
        return {}


def collect(oracles=None, devices=None, dtypes=None, seed: int = 0, progress=None, command: str = "",
            figures: dict | None = None, whole: bool = True) -> dict:
    """Everything the report renders. `progress` is a reports.progress.Progress (or None). A dict
    passed as `figures` receives the series' figures, drawn in a helper process while the checks run.
    `whole`: False when one document is selected (--source); the finite-difference accuracy and the
    frameworks' derivatives at the kinks describe the oracles, not a document, and are left out, as
    `mlp-ref check --source` does, and so are the activation and finite-difference plots (and the
    universal-approximation plot of 003 unless that document is selected)."""
    t0 = time.perf_counter()
    phase = (lambda name: progress.phase(name)) if progress else (lambda name: None)
    evaluated = {}
    catalog, sources = _catalog(phase("catalog"), evaluated)
    t1 = time.perf_counter()
    try:
        from oracles import series as series_mod

        series = series_mod.compute_all(phase("plots"), oracles=oracles, whole=whole,
                                        sources={r["source"] for r in catalog})
    except Exception as exc:  # noqa: BLE001
        series = {"unavailable": f"{type(exc).__name__}: {exc}"}
    t2 = time.perf_counter()
    drawable = "unavailable" not in series and any(not series[k].get("unavailable") for k in series_mod.WHOLE_ONLY)
    drawing = _draw_in_background(series) if figures is not None and drawable else None
    checks = _checks(oracles, devices, dtypes, seed, phase("checks"), evaluated, whole)
    if progress:
        progress.close()
    if drawing is not None:
        figures.update(_collect_drawing(drawing))
    t3 = time.perf_counter()
    env = dict(checks.pop("environment"))
    env.setdefault("seed", seed)
    mine = _versions()
    env.setdefault("platform", mine.pop("platform"))
    versions = env.setdefault("versions", {})
    for k, v in mine.items():
        versions.setdefault(k, v)
    if checks.get("checks_unavailable"):
        env.setdefault("unavailable", {})["oracles"] = checks["checks_unavailable"]
    return {
        "schema": SCHEMA,
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": command,
        "selection": {"oracles": oracles, "devices": devices, "dtypes": dtypes, "seed": seed, "whole": whole},
        "environment": env,
        **checks,
        "sources": sources,
        "prefixes": _prefixes(),
        "load_errors": load_errors(),
        "catalog": catalog,
        "series": series,
        "timing": {"catalog_s": round(t1 - t0, 2), "series_s": round(t2 - t1, 2),
                   "checks_s": round(t3 - t2, 2), "total_s": round(t3 - t0, 2)},
    }
