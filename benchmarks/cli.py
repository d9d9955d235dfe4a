"""`mlp-ref bench`: run the benchmarks, print ours vs peer, write JSON and RESULTS.md."""
from __future__ import annotations

import json
import sys

from . import cases
from .timing import load, machine

CASES = {
    "jacobian": "full_jacobian",
    "directional": "directional",
    "forward-backward": "forward_backward",
    "accuracy": "fd_accuracy",
    "commands": "commands",
    "catalog": "catalog_time",
    "grading": "grading",
    "suite": "suite",
}


def add_bench_parser(sub):
    p = sub.add_parser("bench", help="benchmarks: our time vs a peer's, measured in the same run")
    p.add_argument("--json", metavar="FILE", help="write {machine, benchmarks} to FILE")
    p.add_argument("--markdown", metavar="FILE", help="write a Markdown table (e.g. benchmarks/RESULTS.md)")
    p.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    p.add_argument("--only", choices=sorted(CASES), action="append", help="run only these cases")
    p.set_defaults(func=run)


def _fmt(v, spec=".3g"):
    return "-" if v is None else format(v, spec)


def table(rows) -> str:
    """The timing rows: ours, the peer's, ratio and target."""
    lines = ["| benchmark | ours (s) | peer (s) | ratio | target | met | note |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("kind") == "accuracy":
            continue
        target = (f"<= {r['target']:g}" if r.get("target") is not None else
                  f"<= {r['target_s']:g} s" if r.get("target_s") is not None else "-")
        met = {True: "yes", False: "no", None: "-"}[r.get("met")]
        lines.append(f"| {r['name']} | {_fmt(r['ours_s'])} | {_fmt(r['peer_s'])} | {_fmt(r['ratio'])} | "
                     f"{target} | {met} | {r.get('note', '')} |")
    return "\n".join(lines)


def accuracy_table(rows) -> str:
    """The FD accuracy rows: optimal step, smallest error, and the error at our own step rule."""
    acc = [r for r in rows if r.get("kind") == "accuracy"]
    if not acc:
        return ""
    lines = ["| method | optimal step | min max-rel-error | our step rule | error at our step | "
             "error at the peers' steps |", "|---|---|---|---|---|---|"]
    for r in acc:
        peers = "; ".join(f"{k}: {v:.1e}" for k, v in r["peer_steps"].items()) or "-"
        lines.append(f"| {r['method']} | {r['optimal_step']:.0e} | {r['min_rel_err']:.1e} | "
                     f"{r['auto_step_rule']} | {r['auto_rel_err']:.1e} | {peers} |")
    return "\n".join(lines) + (
        "\n\nError: max |FD - autodiff| / max |autodiff| over the whole Jacobian, worst over the formulas "
        f"({acc[0]['note']}; the complex step only on complex-analytic ones). Steps are absolute, along "
        "coordinate directions, at inputs of order 1; the sweep itself is in the JSON (`sweep`).")


def run(args) -> int:
    selected = args.only or list(CASES)
    rows = []
    load_start = load()
    for name in selected:
        fn = getattr(cases, CASES[name], None)
        if fn is None:
            print(f"bench {name}: not available in this build", file=sys.stderr)
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        got = fn(quick=args.quick)
        if args.quick:  # reduced sizes: the ratio targets are for the full run
            for r in got:
                if r.get("target") is not None:
                    r["met"] = None
                    r["note"] = (r.get("note", "") + "; --quick: reduced sizes, target not assessed").lstrip("; ")
        rows.extend(got)
    m = {**machine(), "loadavg_start": load_start, "loadavg_end": load()}
    result = {"machine": m, "benchmarks": rows}
    acc = accuracy_table(rows)
    print("\n\n".join(t for t in (table(rows) if any(r.get("kind") != "accuracy" for r in rows) else "", acc) if t))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)
    if args.markdown:
        kept = _kept_notes(args.markdown)
        with open(args.markdown, "w") as fh:
            fh.write("# Benchmark results\n\nMeasured by `mlp-ref bench"
                     + (" --quick" if args.quick else "") + "` on: "
                     + ", ".join(f"{k} {v}" for k, v in m.items()) + ".\n\n"
                     + "Ratios are ours / peer in the same run (lower is better).\n\n" + table(rows) + "\n"
                     + (f"\n## Finite-difference accuracy (float64)\n\n{acc}\n" if acc else "")
                     + "\n" + NOTES_MARK + "\n" + kept)
    return 0


NOTES_MARK = "<!-- hand-written notes below this line are kept when the file is regenerated -->"


def _kept_notes(path) -> str:
    """The hand-written part of an existing results file (after NOTES_MARK), or ""."""
    try:
        with open(path) as fh:
            text = fh.read()
    except OSError:
        return ""
    return text.split(NOTES_MARK, 1)[1].lstrip("\n") if NOTES_MARK in text else ""
