"""`mlp-ref` command line: catalog, check, report, grade, bench."""
from __future__ import annotations

import argparse
import json
import sys


def _cmd_catalog(args) -> int:
    from . import catalog

    records = catalog.evaluate()
    if args.json:
        json.dump(records, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    widths = (34, 26, 30, 10)
    header = ("id", "source", "location", "verdict")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for rec in records:
        row = (rec["id"], rec["source"], rec["location"], rec["verdict"])
        print("  ".join(str(v)[:w].ljust(w) for v, w in zip(row, widths)))
    counts = {}
    for rec in records:
        counts[rec["verdict"]] = counts.get(rec["verdict"], 0) + 1
    print(f"\n{len(records)} entries: " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mlp-ref", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("catalog", help="list every formula, example and claim with its computed verdict")
    c.add_argument("--json", action="store_true", help="print the entries as a JSON list")
    c.set_defaults(func=_cmd_catalog)

    # the other commands live beside the package they drive; their modules import only the
    # standard library at import time, so building the parser stays cheap
    from benchmarks.cli import add_bench_parser
    from oracles.cli import add_check_parser
    from reports.cli import add_report_parser

    from .grading.cli import add_grade_parser

    for add in (add_check_parser, add_report_parser, add_grade_parser, add_bench_parser):
        add(sub)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
