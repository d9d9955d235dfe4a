"""`mlp-ref check`: run the conformance checks and print a per-oracle/device/dtype table."""
from __future__ import annotations

import json
import sys

from .base import DTYPES

ORACLES = ("torch", "jax", "fd")


def add_check_parser(subparsers):
    p = subparsers.add_parser(
        "check", help="compare the reference with torch, JAX and finite differences on every entry",
        description="Run every catalog entry (and every registered op) against the oracles on each "
                    "device and dtype; exit 1 on any unexpected failure.")
    p.add_argument("--oracle", action="append", choices=ORACLES,
                   help="oracle to use (repeatable; default: all)")
    p.add_argument("--device", action="append", metavar="DEVICE",
                   help="device: cpu, cuda:N (torch), gpu:N (JAX) (repeatable; default: all found)")
    p.add_argument("--dtype", action="append", choices=DTYPES, help="dtype (repeatable; default: both)")
    p.add_argument("--only", action="append", metavar="ID",
                   help="restrict to an entry id or op.NAME (repeatable)")
    p.add_argument("--source", metavar="DOC",
                   help="only this document's entries and ops (file name, number, id prefix or document name)")
    p.add_argument("--impl", metavar="PATH", help="implementation under test (default: mlp_ref)")
    p.add_argument("--json", metavar="FILE", help="write {environment, results} as JSON")
    p.add_argument("--seed", type=int, default=0, help="seed for the inputs (default 0)")
    p.add_argument("--quick", action="store_true",
                   help="cpu and float64 only unless --device/--dtype say otherwise")
    p.add_argument("--verbose", "-v", action="store_true", help="print the evidence of every non-passing row")
    p.set_defaults(func=run)
    return p


def _progress(done, total, label):
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{done}/{total} {label[:60]:60}")
        if done == total:
            sys.stderr.write("\r" + " " * 80 + "\r")
        sys.stderr.flush()


def run(args) -> int:
    from . import conformance

    devices = args.device or (["cpu"] if args.quick else None)
    dtypes = args.dtype or (["float64"] if args.quick else None)
    from mlp_ref.catalog_cli import UsageError, source_scope

    try:
        scope = source_scope(getattr(args, "source", None))
    except UsageError as exc:
        print(f"mlp-ref check: {exc}", file=sys.stderr)
        return 2
    with scope:
        out = conformance.run_checks(oracles=args.oracle, devices=devices, dtypes=dtypes, impl=args.impl,
                                     progress=_progress, seed=args.seed, only=args.only)
    env, rows = out["environment"], out["results"]
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1, allow_nan=False)
    print_report(env, rows, verbose=args.verbose)
    return 1 if conformance.has_unexpected_failures(rows) else 0


def print_report(env, rows, verbose=False):
    from . import conformance

    summary = conformance.summarize(rows)
    v = env["versions"]
    print(f"mlp-ref check: impl {env['impl']}; python {v['python']}, numpy {v['numpy']}, "
          f"torch {v.get('torch')}, jax {v.get('jax')}; seed {env['seed']}")
    print(f"devices found: {', '.join(env['devices']['all'])}; float32 matmuls pinned to FP32 "
          f"(torch: no TF32; jax default_matmul_precision 'highest'); "
          f"JAX x64 scoped to float64 calls")
    for name, reason in env.get("unavailable", {}).items():
        print(f"oracle {name} unavailable: {reason}")
    cols = ("pass", "expected-fail", "fail", "unexpected-pass", "skip")
    head = f"{'oracle':8} {'device':8} {'dtype':8} " + " ".join(f"{c:>15}" for c in cols)
    print()
    print(head)
    print("-" * len(head))
    for key, counts in sorted(summary["by_group"].items()):
        o, d, t = key.split("/")
        print(f"{o:8} {d:8} {t:8} " + " ".join(f"{counts.get(c, 0):>15}" for c in cols))
    print("-" * len(head))
    print(f"{'total':26} " + " ".join(f"{summary['by_status'].get(c, 0):>15}" for c in cols))
    skipped = {}
    for r in rows:
        if r["status"] == "skip":
            skipped.setdefault(r["reason"], 0)
            skipped[r["reason"]] += 1
    for reason, n in sorted(skipped.items(), key=lambda t: -t[1])[:6]:
        print(f"  skipped {n}: {reason}")
    if "fd_accuracy" in env:
        print()
        print(conformance.accuracy_line(env["fd_accuracy"]))
    conv = env.get("conventions") or {}
    if conv and "error" not in conv:
        print()
        print("derivative at each kink (torch, jax, implementation; one-sided differences left/right):")
        for label, vals in conv.items():
            print("  " + label + ": " + ", ".join(f"{k} {val:.6g}" for k, val in vals.items()))
    bad = conformance.unexpected_failures(rows)
    shown = bad + ([r for r in rows if r["status"] == "expected-fail"] if verbose else [])
    if shown:
        print()
    for r in shown:
        print(conformance.format_evidence(r))
        print()
    print(f"{summary['total']} checks: {summary['by_status']['pass']} passed, "
          f"{summary['by_status']['expected-fail']} expected failures (errata as written), "
          f"{len(bad)} unexpected, {summary['by_status']['skip']} skipped")
