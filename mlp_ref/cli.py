"""`mlp-ref` command line: catalog, errata, check, report, grade, bench, new-document."""
from __future__ import annotations

import argparse
import sys

from .new_document import add_new_document_parser  # standard library only


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mlp-ref", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    from .catalog_cli import add_catalog_parser, add_errata_parser

    add_catalog_parser(sub)
    add_errata_parser(sub)
    add_new_document_parser(sub)

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
