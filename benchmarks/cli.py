"""`mlp-ref bench`: run the benchmarks, print ours vs peer, write JSON and RESULTS.md."""
from __future__ import annotations

import json
import sys

from . import cases
from .timing import machine

CASES = {
    "jacobian": "full_jacobian",
    "directional": "directional",
    "forward-backward": "forward_backward",
    "accuracy": "fd_accuracy",
    "commands": "commands",
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
    lines = ["| benchmark | ours (s) | peer (s) | ratio | target | met | note |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        target = (f"<= {r['target']:g}" if r.get("target") is not None else
                  f"<= {r['target_s']:g} s" if r.get("target_s") is not None else "-")
        met = {True: "yes", False: "no", None: "-"}[r.get("met")]
        lines.append(f"| {r['name']} | {_fmt(r['ours_s'])} | {_fmt(r['peer_s'])} | {_fmt(r['ratio'])} | "
                     f"{target} | {met} | {r.get('note', '')} |")
    return "\n".join(lines)


def run(args) -> int:
    selected = args.only or list(CASES)
    rows = []
    for name in selected:
        fn = getattr(cases, CASES[name], None)
        if fn is None:
            print(f"bench {name}: not available in this build", file=sys.stderr)
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.extend(fn(quick=args.quick))
    result = {"machine": machine(), "benchmarks": rows}
    print(table(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            m = result["machine"]
            fh.write("# Benchmark results\n\nMeasured by `mlp-ref bench"
                     + (" --quick" if args.quick else "") + "` on: "
                     + ", ".join(f"{k} {v}" for k, v in m.items()) + ".\n\n"
                     + "Ratios are ours / peer in the same run (lower is better).\n\n" + table(rows) + "\n")
    return 0
