"""Static plots for the report: matplotlib (Agg, no pyplot, no windows) -> SVG data URIs.

Every function takes the JSON-ready series stored in results.json and returns a list of
{"title", "alt", "src"} figures; a series that is missing or malformed yields an "unavailable"
note instead of an exception.
"""
from __future__ import annotations

import base64
import io
import math
import re

import matplotlib

matplotlib.use("Agg")  # before anything can pick an interactive backend
from matplotlib.figure import Figure  # noqa: E402 - after choosing the backend
from matplotlib.ticker import LogFormatterSciNotation  # noqa: E402

STYLE = {"svg.fonttype": "none", "font.size": 9, "axes.titlesize": 10, "axes.grid": True,
         "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
         "svg.hashsalt": "mlp-ref", "font.family": ["DejaVu Sans", "sans-serif"]}
COLORS = {"hand": "#1b1b1b", "function": "#9aa0a6", "torch": "#e8710a", "jax": "#1a73e8",
          "forward": "#d93025", "central": "#1a73e8", "richardson": "#188038", "complex_step": "#9334e6"}
MARKERS = {"torch": "o", "jax": "x"}


def _svg(fig: Figure) -> str:
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None})  # constrained layout already fits it
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_MATHTEXT_LABEL = re.compile(r"\$\\mathdefault\{(-?)(?:([0-9.]+)\\times)?([0-9.]+)(?:\^\{(-?[0-9]+)\})?\}\$")


class PlainLogFormatter(LogFormatterSciNotation):
    """Log-axis tick labels as plain text with Unicode superscripts ("10⁻⁸", "2×10³"), the
    same look as matplotlib's mathtext labels without parsing each one (most of a figure's cost)."""

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        m = _MATHTEXT_LABEL.fullmatch(label)
        if not m:
            return label  # "" or a form not foreseen: matplotlib's own mathtext
        sign, coeff, base, exp = m.groups()
        text = (f"{coeff}×" if coeff else "") + base + (exp.translate(_SUPERSCRIPT) if exp else "")
        return ("−" if sign else "") + text


def _plain_log_labels(ax) -> None:
    """Plain-text tick labels on the axes' log-scaled axes (see PlainLogFormatter)."""
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            axis.set_major_formatter(PlainLogFormatter(10))
            axis.set_minor_formatter(PlainLogFormatter(10, labelOnlyBase=False))


def _figure(w: float, h: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(w, h), layout="constrained")


def _vals(seq):
    return [math.nan if v is None else float(v) for v in seq]


def activation_plots(series: dict) -> list[dict]:
    """One small figure per activation: f, the hand derivative and each oracle's derivative."""
    x = _vals(series["x"])
    out = []
    for name, rec in series["functions"].items():
        with matplotlib.rc_context(STYLE):
            fig = _figure(3.4, 2.5)
            ax = fig.add_subplot()
            ax.plot(x, _vals(rec["f"]), color=COLORS["function"], lw=1.2, ls="--", label=f"{name}(z)")
            ax.plot(x, _vals(rec["hand"]), color=COLORS["hand"], lw=1.6, label="hand derivative (mlp_ref)")
            step = max(1, len(x) // 20)
            zero = min(range(len(x)), key=lambda i: abs(x[i]))
            for oracle, d in rec.get("oracles", {}).items():
                d = _vals(d)
                idx = sorted(set(range(0, len(x), step)) | {zero})
                ax.plot([x[i] for i in idx], [d[i] for i in idx], ls="none", marker=MARKERS.get(oracle, "s"),
                        ms=4.5, mfc="none", color=COLORS.get(oracle, "#555"), label=f"{oracle} autograd")
            ax.set_xlabel("z")
            params = ", ".join(f"{k}={v:g}" for k, v in rec.get("params", {}).items())
            ax.set_title(f"{name}({params})" if params else name)
            ax.legend(fontsize=7, loc="best", frameon=False)
            out.append({"title": name, "src": _svg(fig),
                        "alt": f"{name} and its derivative: hand-derived (line) and "
                               f"{', '.join(rec.get('oracles', {})) or 'no oracle'} autograd (markers)"})
    return out


def fd_plots(series: dict) -> list[dict]:
    """Log-log error of four difference schemes against the step h, with expected-slope guides."""
    steps = [float(h) for h in series["steps"]]
    slopes = series.get("expected_slopes", {})
    out = []
    for rec in series["functions"]:
        with matplotlib.rc_context(STYLE):
            fig = _figure(3.6, 3.3)
            ax = fig.add_subplot()
            for method, errs in rec["errors"].items():
                e = [max(v, 1e-17) if v is not None else math.nan for v in errs]
                ax.loglog(steps, e, marker=".", ms=3, lw=1.2, color=COLORS.get(method),
                          label=f"{method.replace('_', ' ')} (slope {slopes.get(method, '?')})")
                p = slopes.get(method)
                if p:  # guide h^p, parallel to the truncation regime and 30x above it
                    h0 = min(steps, key=lambda h: abs(math.log10(h) + 2))
                    e0 = 30 * e[steps.index(h0)]
                    if e0 > 0 and math.isfinite(e0):
                        h_min = max(h0 * (1e-13 / e0) ** (1 / p), 1e-9)
                        hs = [h for h in steps if h_min <= h <= 1e-1]
                        ax.loglog(hs, [e0 * (h / h0) ** p for h in hs], ls=(0, (1, 2)), lw=1, color=COLORS.get(method),
                                  alpha=0.8)
            ax.set_ylim(1e-17, 1)
            _plain_log_labels(ax)
            ax.set_xlabel("step h")
            ax.set_ylabel("|estimate - hand derivative|")
            ax.set_title(f"{rec['function']}'(x) at x = {rec['x0']:g}")
            fig.legend(loc="outside lower center", ncol=2, fontsize=6.5, frameon=False)
            out.append({"title": rec["function"], "src": _svg(fig), "entries": rec.get("entries", []),
                        "alt": f"finite-difference error against step size for {rec['function']} on log-log axes"})
    return out


def approximation_plots(series: dict) -> list[dict]:
    """The universal-approximation demonstration: the fits for each K and the error against K."""
    x = _vals(series["x"])
    Ks = sorted(series["fits"], key=lambda k: float(k))
    with matplotlib.rc_context(STYLE):
        fig = _figure(3.8, 2.8)
        ax = fig.add_subplot()
        ax.plot(x, _vals(series["target"]), color=COLORS["hand"], lw=2.2, label="target")
        cmap = matplotlib.colormaps["viridis"]
        for i, k in enumerate(Ks):
            ax.plot(x, _vals(series["fits"][k]), lw=1, color=cmap(i / max(1, len(Ks) - 1)), label=f"K = {k}")
        ax.set_title(f"fits of {series.get('target_name', 'the target')} with K hidden units")
        ax.set_xlabel("x")
        ax.legend(fontsize=6.5, ncol=2, frameon=False)
        fits = {"title": "fits", "src": _svg(fig), "alt": "target function and the network fits for each K"}
        fig = _figure(3.2, 2.8)
        ax = fig.add_subplot()
        errs = [float(series["errors"][k]) for k in Ks]
        ax.loglog([float(k) for k in Ks], errs, marker="o", color=COLORS["central"])
        ax.set_xlabel("hidden units K")
        ax.set_ylabel("approximation error")
        ax.set_title("error against K")
        _plain_log_labels(ax)
        err = {"title": "error", "src": _svg(fig), "alt": "approximation error against the number of hidden units"}
    return [fits, err]


def error_strips(columns: list[dict]) -> dict:
    """One strip per oracle column: each check's max relative error (log scale), the tolerance as a
    dash; errata as written as crosses, unexpected results in red."""
    import numpy as np

    style = {"pass": ("o", "#1a7f37", "agrees"), "expected-fail": ("x", "#7d4e00", "erratum as written (expected to fail)"),
             "fail": ("o", "#cf222e", "fails unexpectedly"), "unexpected-pass": ("D", "#8250df", "erratum agrees (unexpected)")}
    with matplotlib.rc_context(STYLE):
        fig = _figure(max(4.2, 1.0 + 1.05 * len(columns)), 3.6)
        ax = fig.add_subplot()
        rng = np.random.default_rng(0)
        seen = set()
        for j, col in enumerate(columns):
            for status, (marker, color, label) in style.items():
                ys = [max(float(v), 1e-18) for v, st, _ in col["points"] if st == status and v is not None]
                if not ys:
                    continue
                xs = j + rng.uniform(-0.28, 0.28, len(ys))
                ax.scatter(xs, ys, s=9 if status == "pass" else 16, marker=marker, color=color, alpha=0.55 if status == "pass" else 0.9,
                           linewidths=0.8, label=None if status in seen else label)
                seen.add(status)
            if col.get("rtol"):
                ax.plot([j - 0.4, j + 0.4], [col["rtol"]] * 2, color="#1f2328", lw=1.6,
                        label=None if "tol" in seen else "tolerance (rtol)")
                seen.add("tol")
        ax.set_yscale("log")
        top = max([1e2] + [3 * float(v) for c in columns for v, _, _ in c["points"] if v is not None])
        ax.set_ylim(1e-18, top)
        _plain_log_labels(ax)
        ax.set_xticks(range(len(columns)), [c["label"].replace(" · ", "\n") for c in columns], fontsize=8)
        ax.set_xlim(-0.6, len(columns) - 0.4)
        ax.set_ylabel("max relative error (0 drawn at 1e-18)")
        ax.grid(True, axis="y", alpha=0.3)
        ax.grid(False, axis="x")
        fig.legend(loc="outside lower center", ncol=3, fontsize=7.5, frameon=False)
        n = sum(len(c["points"]) for c in columns)
        return {"title": "errors per oracle column", "src": _svg(fig),
                "alt": f"max relative error of {n} oracle checks in {len(columns)} oracle, device and dtype columns, "
                       "log scale, with each column's tolerance"}


def safe(fn, *args) -> dict:
    """{"figures": [...]} or {"unavailable": reason}: a plotting failure never breaks the report."""
    try:
        if args and isinstance(args[0], dict) and args[0].get("unavailable"):
            return {"unavailable": str(args[0]["unavailable"])}
        res = fn(*args)
        return {"figures": res if isinstance(res, list) else [res]}
    except Exception as exc:  # noqa: BLE001
        return {"unavailable": f"the plot could not be drawn ({type(exc).__name__}: {exc})"}


def series_figures(series: dict) -> dict:
    """The figures drawn from the plot series alone (not from the check rows): activations, finite
    differences, universal approximation. Runs in a helper process while the checks run."""
    series = series or {}
    missing = {"unavailable": "not computed for these results"}
    return {"activations": safe(activation_plots, series.get("activations") or missing),
            "fd": safe(fd_plots, series.get("fd") or missing),
            "approximation": safe(approximation_plots, series.get("approximation") or missing)}
