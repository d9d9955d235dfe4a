"""`mlp-ref check`: run the conformance checks and print a per-oracle/device/dtype table."""
from __future__ import annotations

import difflib
import json
import sys

from .base import DTYPES

ORACLES = ("torch", "jax", "fd")


class UsageError(Exception):
    """A bad option value: one line for stderr, exit status 2."""


def _split(values):
    """--oracle torch --oracle jax, --oracle torch jax and --oracle torch,jax all mean the same."""
    if not values:
        return None
    out = [v.strip() for item in values for v in str(item).split(",") if v.strip()]
    return list(dict.fromkeys(out)) or None


def _choices(flag, given, known):
    unknown = [v for v in given or () if v not in known]
    if unknown:
        raise UsageError(f"{flag}: expected some of {', '.join(known)}, got {', '.join(unknown)}")
    return given


def add_check_parser(subparsers):
    p = subparsers.add_parser(
        "check", help="compare the reference with torch, JAX and finite differences on every entry",
        description="Run every catalog entry (and every registered op) against the oracles on each "
                    "device and dtype; exit 1 on any unexpected failure.")
    p.add_argument("--oracle", action="extend", nargs="+", metavar="NAME",
                   help=f"oracles to use: {', '.join(ORACLES)} (repeat or comma-separate; default: all)")
    p.add_argument("--device", action="extend", nargs="+", metavar="DEVICE",
                   help="devices: cpu, cuda:N (torch), gpu:N (JAX) (repeat or comma-separate; default: all found)")
    p.add_argument("--dtype", action="extend", nargs="+", metavar="DTYPE",
                   help=f"dtypes: {', '.join(DTYPES)} (repeat or comma-separate; default: both)")
    p.add_argument("--only", action="extend", nargs="+", metavar="ID",
                   help="restrict to entry ids or op.NAME (repeat or comma-separate)")
    p.add_argument("--accuracy", action="store_true",
                   help="also measure the finite-difference accuracy and each framework's derivative at the "
                        "kinks (done anyway when the whole catalog runs, skipped with --only)")
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


def _check_only(only):
    """Every --only value names an entry, a subject or an op; else the nearest ids."""
    from mlp_ref import catalog

    from . import conformance

    known = {s.id for s in conformance.subjects()} | {e.id for e in catalog.entries()} | set(catalog.ops())
    for o in only or ():
        if o not in known and "op." + o not in known:
            lower = {k.lower(): k for k in sorted(known)}
            near = [lower[k] for k in difflib.get_close_matches(o.lower(), list(lower), n=3, cutoff=0.0)]
            raise UsageError(f"--only: no entry or op {o!r}; nearest: {', '.join(near)} "
                             "(mlp-ref catalog lists every id)")


def _check_devices(devices):
    if not devices:
        return
    from . import devices as dev

    found = dev.discover()["all"]
    unknown = [d for d in devices or () if d not in found]
    if unknown:
        raise UsageError(f"--device: {', '.join(unknown)} not found here; devices found: {', '.join(found)}")


def _load(impl):
    """The implementation under test, or a one-line UsageError saying why it cannot be loaded."""
    from . import conformance

    try:
        return conformance.load_impl(impl)
    except SyntaxError as exc:
        raise UsageError(f"--impl {impl}: not valid Python (line {exc.lineno}: {exc.msg})") from None
    except ValueError as exc:
        if str(exc).startswith("impl: no such file"):
            raise UsageError(f"--impl {impl}: no such file") from None
        raise UsageError(f"--impl {impl}: importing it raised ValueError: {exc}") from None
    except ModuleNotFoundError as exc:
        raise UsageError(f"--impl {impl}: cannot import it ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - the module's own code failed at import time
        raise UsageError(f"--impl {impl}: importing it raised {type(exc).__name__}: {exc}") from None


def run(args) -> int:
    from mlp_ref.catalog_cli import UsageError as SourceError
    from mlp_ref.catalog_cli import source_scope

    try:
        oracles = _choices("--oracle", _split(args.oracle), ORACLES)
        dtypes = _choices("--dtype", _split(args.dtype), DTYPES)
        devices, only = _split(args.device), _split(args.only)
        _check_devices(devices)
        scope = source_scope(getattr(args, "source", None))
        with scope:
            _check_only(only)
        scope = source_scope(getattr(args, "source", None))  # a fresh one for the run
        impl = _load(args.impl) if args.impl else None
    except (UsageError, SourceError) as exc:
        print(f"mlp-ref check: {exc}", file=sys.stderr)
        return 2
    from reports.progress import Progress

    from . import conformance

    devices = devices or (["cpu"] if args.quick else None)
    dtypes = dtypes or (["float64"] if args.quick else None)
    whole = not only and not getattr(args, "source", None)  # the whole catalog: accuracy and kinks too
    progress = Progress()
    with scope:
        out = conformance.run_checks(oracles=oracles, devices=devices, dtypes=dtypes, impl=impl,
                                     progress=progress.phase("checks"), seed=args.seed, only=only,
                                     accuracy=args.accuracy or whole, conventions=args.accuracy or whole)
    progress.close()
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
