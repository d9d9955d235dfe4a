"""Course grading for mlp_ref: `mlp-ref grade` scores student implementations of the formulas.

Modules, one job each: rubric (the TOML rubric), checks (graded functions, their checks and
cases), template (the student template), worker (the sandboxed process that runs a submission),
sandbox (starting, limiting and restarting it), report (`--sandbox-report`: which protections
hold here), protocol (arrays over pipes, never pickle), compare (validation and tolerances),
diagnosis (naming typical mistakes), references (the document and location of each formula), grader (one submission), batch (a folder, in
parallel), gradescope and outputs (results.json, feedback.html via reports/feedback.py),
bundle (a Gradescope autograder zip), cli.

Nothing here is imported by `import mlp_ref`; the command line loads it on demand.
"""
