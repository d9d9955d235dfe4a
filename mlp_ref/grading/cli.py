"""`mlp-ref grade`: template, one submission, a folder of submissions, or a Gradescope bundle.

Imports only the standard library at parser-build time; the grader loads when the command runs.
Exit code 0 whenever grading itself worked, whatever the submission did; 2 for bad arguments or
a bad rubric; 1 if the grader itself failed.
"""
from __future__ import annotations

import os
import sys


def add_grade_parser(subparsers) -> None:
    g = subparsers.add_parser(
        "grade", help="grade student submissions against the reference (Gradescope results format)",
        description="Grade a student's .py file or Jupyter notebook (or a folder of them) in a sandbox: writes results.json "
                    "(Gradescope format) and feedback.html. --template prints the student template; "
                    "--gradescope-bundle builds a Gradescope autograder zip.")
    g.add_argument("submission", nargs="?", help="a submission .py or .ipynb file, or a folder of submissions")
    g.add_argument("--out", default="grading-out", help="output folder (default: grading-out)")
    g.add_argument("--rubric", help="rubric TOML file (default: the rubric shipped with mlp_ref)")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel (folder mode)")
    g.add_argument("--template", action="store_true", help="print the student template for the rubric (functions, "
                   "forward/backward pairs or layer classes, as its [interface] says)")
    g.add_argument("--gradescope-bundle", metavar="OUT.zip", help="write a Gradescope autograder zip")
    g.add_argument("--bundle-wheels", metavar="DIR", help="extra wheels (NumPy, Jinja2 for Gradescope's "
                   "Python) to ship in the bundle so that setup.sh needs no network")
    g.add_argument("--sandbox", choices=("auto", "namespace", "process"),
                   default=os.environ.get("MLPREF_GRADE_SANDBOX", "auto"),
                   help="isolation level (default auto: namespaces where available; the environment variable "
                        "MLPREF_GRADE_SANDBOX sets the default)")
    g.add_argument("--hide", action="append", default=[], metavar="PATH",
                   help="a further path the submission must not read (repeatable); an error where neither "
                        "namespaces, Landlock nor file permissions can keep it from the submission's uid")
    g.add_argument("--sandbox-report", action="store_true",
                   help="start the sandbox once with an empty submission and print which protections are "
                        "active here (exit 0 when the submission would run under its own uid)")
    g.add_argument("--student-view", action="store_true",
                   help="feedback.html as a student sees it: visible tests only, no total while a test is "
                        "hidden (the default view lists hidden tests too, for staff)")
    g.add_argument("--quiet", action="store_true", help="print only the score line")
    g.set_defaults(func=run_grade)


def _print_summary(res, files, quiet, student=False):
    """The command's own output; with --student-view (the bundle, whose stdout a rubric may show to
    students) only what a student may see: visible tests, no total while a test is hidden."""
    from .gradescope import student_tests, total_hidden

    tests = student_tests(res) if student else res["tests"]
    if student and total_hidden(res):
        score = (f"visible checks {sum(t['score'] for t in tests):g} / {sum(t['max_score'] for t in tests):g} "
                 "points (the total is hidden while tests are)")
    else:
        pct = 100 * res["score"] / res["max_score"] if res["max_score"] else 0.0
        score = f"{res['score']:g} / {res['max_score']:g} points ({pct:.1f}%)"
    print(f"{res['submission']}: {score} in {res['execution_time']:.2f} s [isolation: {res['sandbox']}]")
    if quiet:
        return
    if not res["load"]["ok"]:
        print(f"  {res['load']['message']}")
    for t in tests:
        if t["status"] != "passed":
            o = t["outcome"] or {}
            line = f"  FAILED {t['name']} (0 / {t['max_score']:g}): {o.get('message', '')}"
            print(line[:240])
            for d in o.get("diagnoses", [])[:2]:
                print(f"         diagnosis: {d[:220]}")
    print(f"wrote {files['results']} and {files['feedback']}")


def run_grade(args) -> int:
    from pathlib import Path

    from .rubric import load_rubric

    try:
        rubric = load_rubric(args.rubric)
    except ValueError as exc:
        print(f"mlp-ref grade: {exc}", file=sys.stderr)
        return 2
    if args.template:
        from .template import render_template

        sys.stdout.write(render_template(rubric))
        return 0
    if args.sandbox_report:
        from .report import print_sandbox_report

        return print_sandbox_report(args.sandbox, [*args.hide])
    if args.gradescope_bundle:
        from pathlib import Path

        from .bundle import build_bundle

        if args.bundle_wheels is not None:
            folder = Path(args.bundle_wheels)
            if not folder.is_dir() or not any(folder.glob("*.whl")):
                print(f"mlp-ref grade: --bundle-wheels: {args.bundle_wheels} is not a folder of .whl files; fill it "
                      "first, e.g. pip download numpy jinja2 markupsafe nbformat --only-binary=:all: -d "
                      f"{args.bundle_wheels}", file=sys.stderr)
                return 2
        info = build_bundle(args.gradescope_bundle, rubric.path, args.bundle_wheels)
        print(f"wrote {info['path']} ({', '.join(info['files'])})")
        return 0
    if not args.submission:
        print("mlp-ref grade: give a SUBMISSION file or folder, --template or --gradescope-bundle OUT.zip",
              file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("mlp-ref grade: --jobs must be at least 1", file=sys.stderr)
        return 2
    target = Path(args.submission)
    if not target.exists():
        print(f"mlp-ref grade: no such file or folder: {target}", file=sys.stderr)
        return 2
    out = Path(args.out)
    also = (str(out.resolve()),)
    from .sandbox import HideNotEnforced

    try:
        if target.is_dir():
            from .batch import grade_directory

            summary = grade_directory(target, out, rubric, jobs=args.jobs, mode=args.sandbox, hide=args.hide,
                                      also_hide=also, student=args.student_view,
                                      progress=(lambda s: None) if args.quiet else print)
            for s in summary["skipped"]:
                print(f"skipped {s}")
            for w in summary["warnings"]:
                print(f"mlp-ref grade: WARNING: {w}", file=sys.stderr)
            print(f"graded {summary['graded']} submissions in {summary['wall']:.1f} s with --jobs {args.jobs}; "
                  f"wrote {summary['csv']}")
            return 1 if summary["errors"] else 0
        from .grader import grade_submission
        from .outputs import write_outputs

        res = grade_submission(target, rubric, mode=args.sandbox, hide=args.hide,
                               also_hide=(*also, str(target.resolve().parent)))
        for w in res.get("sandbox_warnings", []):
            print(f"mlp-ref grade: WARNING: {w}", file=sys.stderr)
        files = write_outputs(res, out, student=args.student_view)
        _print_summary(res, files, args.quiet, args.student_view)
        return 0
    except HideNotEnforced as exc:
        print(f"mlp-ref grade: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        from .sandbox import SandboxError

        print(f"mlp-ref grade: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, SandboxError) else 2  # a broken sandbox vs. --sandbox namespace unavailable
