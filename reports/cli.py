"""`mlp-ref report`: run everything once, write results.json and a self-contained index.html."""
from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import time
from pathlib import Path

DEFAULT_OUT = "reports/out"


def _split(values):
    """--oracle torch --oracle jax, --oracle torch jax and --oracle torch,jax all mean the same."""
    if not values:
        return None
    out = [v.strip() for item in values for v in str(item).split(",") if v.strip()]
    return list(dict.fromkeys(out)) or None


def add_report_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "report", help="run the catalog and the oracle checks; write an HTML report and results.json",
        description="Run the catalog and the oracle checks once and write OUT/results.json and a "
                    "self-contained OUT/index.html (no network assets). With --from, re-render an "
                    "existing results.json without running anything. Exit status 1 when a check "
                    "fails or passes unexpectedly, or an entry cannot be evaluated.")
    p.add_argument("--out", metavar="DIR", default=DEFAULT_OUT,
                   help=f"output folder (default {DEFAULT_OUT}/, git-ignored)")
    p.add_argument("--oracle", action="extend", nargs="+", metavar="NAME",
                   help="only these oracles (repeat or comma-separate; default: every installed one)")
    p.add_argument("--device", action="extend", nargs="+", metavar="DEV",
                   help="only these devices: cpu, cuda:N (torch), gpu:N (JAX) (default: every device found)")
    p.add_argument("--dtype", action="extend", nargs="+", metavar="DTYPE",
                   help="only these dtypes (default: float32 and float64)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampled inputs (default 0)")
    p.add_argument("--from", dest="from_json", metavar="RESULTS_JSON",
                   help="re-render this results.json (no checks are run)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--source", metavar="DOC",
                   help="only this document (file name, number, id prefix or document name)")
    p.set_defaults(func=run)
    return p


def _finite(v):
    """Strict JSON: NaN and infinities become the strings "nan", "inf", "-inf"."""
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


def _write_json(data: dict, path: Path) -> None:
    tmp = path.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(_finite(data), fh, ensure_ascii=False, separators=(",", ":"), default=_default,
                  allow_nan=False)
    tmp.replace(path)


def _default(o):
    """Numbers and arrays from NumPy or a framework that slipped into a row: as plain JSON."""
    for attr in ("tolist", "item"):
        if hasattr(o, attr):
            try:
                return getattr(o, attr)()
            except Exception:  # noqa: BLE001
                pass
    return repr(o)


def _invalid(oracles, dtypes) -> str | None:
    """A message when --oracle/--dtype names something the checks do not know (None if fine)."""
    try:
        from oracles.base import DTYPES
        from oracles.conformance import ORACLES
    except ImportError:  # the checks will say themselves that they cannot run
        return None
    for flag, given, known in (("--oracle", oracles, ORACLES), ("--dtype", dtypes, DTYPES)):
        unknown = [v for v in given or () if v not in known]
        if unknown:
            return f"{flag}: expected some of {', '.join(known)}, got {', '.join(unknown)}"
    return None


def _command(args) -> str:
    """The command line that reproduces this run, rebuilt from the parsed options."""
    words = ["mlp-ref", "report"]
    if args.out != DEFAULT_OUT:
        words += ["--out", args.out]
    for flag, values in (("--oracle", args.oracle), ("--device", args.device), ("--dtype", args.dtype)):
        if _split(values):
            words += [flag, ",".join(_split(values))]
    if args.seed:
        words += ["--seed", str(args.seed)]
    return " ".join(shlex.quote(w) for w in words)


def run(args) -> int:
    try:
        from . import render
    except ImportError as exc:
        print(f"mlp-ref report needs jinja2 and matplotlib ({exc}); install them with "
              "pip install -e '.[report]'", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"
    if args.from_json:
        src = Path(args.from_json)
        try:
            data = json.loads(src.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"mlp-ref report: --from {src}: cannot read a results.json ({exc})", file=sys.stderr)
            return 2
        if not isinstance(data, dict) or "catalog" not in data:
            print(f"mlp-ref report: --from {src}: not a report results.json (no 'catalog')", file=sys.stderr)
            return 2
        if src.resolve() != results_path.resolve():
            _write_json(data, results_path)
    else:
        from .collect import collect
        from .progress import Progress

        bad = _invalid(_split(args.oracle), _split(args.dtype))
        if bad:
            print(f"mlp-ref report: {bad}", file=sys.stderr)
            return 2

        from mlp_ref.catalog_cli import UsageError, source_scope

        try:
            scope = source_scope(getattr(args, "source", None))
        except UsageError as exc:
            print(f"mlp-ref report: {exc}", file=sys.stderr)
            return 2
        progress = Progress(enabled=not args.no_progress)
        command = _command(args)
        figures = {}
        with scope:
            data = collect(oracles=_split(args.oracle), devices=_split(args.device), dtypes=_split(args.dtype),
                           seed=args.seed, progress=progress, command=command, figures=figures,
                           whole=not getattr(args, "source", None))
        _write_json(data, results_path)
    path = render.write(data, out, figures=None if args.from_json else figures)
    wall = time.perf_counter() - t0
    print(f"report: {path.resolve()}")
    print(f"results: {results_path.resolve()}")
    print(f"{render.summary_line(data)} [{wall:.1f} s]")
    for err in data.get("load_errors") or []:  # a document package left out fails the run
        print(f"not checked: {err['message']}", file=sys.stderr)
    return 0 if render.summary(data)["ok"] and not data.get("load_errors") else 1


def main(argv=None) -> int:
    """Stand-alone entry point: python -m reports.cli [options]."""
    parser = argparse.ArgumentParser(prog="mlp-ref")
    add_report_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
