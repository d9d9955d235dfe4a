"""`mlp-ref bench`: a smoke run of the cheap cases with --quick, the JSON schema and the Markdown
file; and the FD oracle's full Jacobian forming nothing of size n x n on the host."""
from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest

from benchmarks import cases
from benchmarks.cli import CASES, NOTES_MARK
from mlp_ref.cli import main

pytestmark = pytest.mark.xdist_group("bench")  # shares a module fixture: one worker builds it


def test_every_case_is_implemented():
    for name, fn in CASES.items():
        assert callable(getattr(cases, fn, None)), f"bench case {name!r}: cases.{fn} is missing"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    md = tmp / "RESULTS.md"
    md.write_text(f"old table\n{NOTES_MARK}\nhand-written analysis\n")
    rc = main(["bench", "--quick", "--only", "forward-backward", "--only", "jacobian", "--only", "accuracy",
               "--json", str(tmp / "bench.json"), "--markdown", str(md)])
    return rc, json.loads((tmp / "bench.json").read_text()), md.read_text()


def test_json_schema(quick_run):
    rc, result, _ = quick_run
    assert rc == 0
    assert set(result) == {"machine", "benchmarks"}
    m = result["machine"]
    assert m["cpus"] >= 1 and m["python"] and len(m["loadavg_start"]) == 3
    timing = [r for r in result["benchmarks"] if r.get("kind") != "accuracy"]
    assert len(timing) == 3  # forward+backward in float32 and float64, the full-Jacobian check
    for r in result["benchmarks"]:
        assert {"name", "ours_s", "peer_s", "ratio", "target"} <= set(r)
    for r in timing:
        assert r["ours_s"] > 0 and r["peer_s"] > 0 and r["target"] > 0
        assert r["ratio"] == pytest.approx(r["ours_s"] / r["peer_s"])
        assert r["met"] is None  # --quick: reduced sizes, the targets are not assessed


def test_accuracy_rows(quick_run):
    _, result, _ = quick_run
    acc = {r["method"]: r for r in result["benchmarks"] if r.get("kind") == "accuracy"}
    assert set(acc) == {"forward", "central", "richardson", "complex"}
    for r in acc.values():
        errs = [e for _, e in r["sweep"]]
        assert r["min_rel_err"] == min(errs) and r["optimal_step"] in [h for h, _ in r["sweep"]]
        assert r["auto_rel_err"] < 1e-6  # the oracle's own step is usable
    # the orders of the methods show: complex step < Richardson < central < forward at their best
    best = {m: acc[m]["min_rel_err"] for m in acc}
    assert best["complex"] < 1e-14 and best["richardson"] < best["central"] < best["forward"]
    assert acc["central"]["peer_steps"]  # error at gradcheck's and check_grads' fixed steps


def test_markdown_keeps_hand_written_notes(quick_run):
    _, _, text = quick_run
    assert "| benchmark | ours (s) | peer (s) | ratio | target | met | note |" in text
    assert "## Finite-difference accuracy" in text and "loadavg_start" in text
    assert "old table" not in text and text.rstrip().endswith("hand-written analysis")


def test_fd_jacobian_forms_no_n_by_n_array():
    """The full Jacobian of a ~2k-parameter MLP allocates far less than one n x n float64 array
    (an identity of directions or a matrix of perturbed points) on the host."""
    import oracles

    op, inputs, problem = cases._mlp_problem((10, 40, 40, 5), 4)
    n = problem.size()
    fd = oracles.get("fd", method="central")
    fd.jacobian(problem)  # compile outside the measurement
    tracemalloc.start()
    try:
        J = fd.jacobian(problem).value
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < n * n * 8 / 20, f"peak host allocation {peak / 2**20:.1f} MiB for n = {n}"
    g = op.vjp(1.0, **inputs, **op.params)
    for a in op.wrt:
        np.testing.assert_allclose(J[a], g[a], rtol=1e-6, atol=1e-8)
