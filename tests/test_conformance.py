"""Conformance suite generated from the catalog: every entry x oracle x device x dtype.

Ids read `entry-oracle-device-dtype` (`entry.corrected-...` for an erratum's corrected form,
`op.NAME-...` for a registered op no entry uses). Every outcome goes through the one assertion
helper `oracles.conformance.assert_conforms`, whose message carries the evidence. GPU legs are
always generated and skip with the reason when no GPU is found.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from oracles import conformance, devices

CHECKS = conformance.plan(devices="legs")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BROKEN = os.path.join("tests", "fixtures", "broken_sigmoid.py")


def _param(check):
    # in parallel runs (pytest-xdist) one worker takes every check of a formula: its programs are
    # traced and compiled once
    group = f"fn-{check.subject.op.fn}" if check.subject.op is not None else "catalog-rows"
    marks = [pytest.mark.conformance, pytest.mark.xdist_group(group)]
    if check.device != "cpu":
        marks.append(pytest.mark.gpu)
    return pytest.param(check, id=check.id, marks=marks)


@pytest.mark.parametrize("check", [_param(c) for c in CHECKS])
def test_conformance(check, impl, oracle_pool):
    conformance.assert_conforms(conformance.run_check(check, impl, seed=0, pool=oracle_pool))


# ------------------------------------------------------------------ the harness's own behaviour
def _sigmoid_subject(expected, wrong_vjp):
    """A subject built on the core sigmoid op, optionally with a deliberately wrong VJP."""
    from mlp_ref import catalog

    op = catalog.ops()["sigmoid"]
    if wrong_vjp:
        op = replace(op, name="sigmoid-wrong-vjp", vjp=lambda g, z: {"z": g * op.forward(z)})
    return conformance.Subject(f"test.{op.name}", None, op, "as_written", expected)


@pytest.mark.parametrize("oracle", ["torch", "fd"])
def test_erratum_failing_as_written_is_expected(oracle, oracle_pool):
    check = conformance.Check(_sigmoid_subject("fail", wrong_vjp=True), oracle, "cpu", "float64")
    row = conformance.run_check(check, pool=oracle_pool)
    assert row["status"] == "expected-fail", row["reason"]
    assert row["passed"] is False
    assert not conformance.has_unexpected_failures([row])
    assert "expected to fail" in row["reason"]
    with pytest.raises(pytest.xfail.Exception):
        conformance.assert_conforms(row)


def test_erratum_that_passes_is_unexpected(oracle_pool):
    check = conformance.Check(_sigmoid_subject("fail", wrong_vjp=False), "torch", "cpu", "float64")
    row = conformance.run_check(check, pool=oracle_pool)
    assert row["status"] == "unexpected-pass"
    assert conformance.has_unexpected_failures([row])
    with pytest.raises(AssertionError, match="unexpected-pass"):
        conformance.assert_conforms(row)


def test_failure_message_carries_the_evidence(oracle_pool):
    check = conformance.Check(_sigmoid_subject("pass", wrong_vjp=True), "jax", "cpu", "float64")
    row = conformance.run_check(check, pool=oracle_pool)
    assert row["status"] == "fail" and row["passed"] is False
    assert row["max_abs_err"] > 1e-3 and row["max_rel_err"] > 1e-3
    with pytest.raises(AssertionError) as info:
        conformance.assert_conforms(row)
    msg = str(info.value)
    for part in ("test.sigmoid-wrong-vjp-jax-cpu-float64", "entry:", "input z:", "reference:", "oracle:",
                 "max abs err", "max rel err", "jacobian:", "reproduce:", "vjp d/dz"):
        assert part in msg, f"{part!r} missing from:\n{msg}"


def test_catalog_erratum_rows_are_expected_failures(oracle_pool):
    subjects = [s for s in conformance.subjects() if s.expected == "fail"]
    if not subjects:
        pytest.skip("no erratum with a corrected op in the catalog yet")
    s = subjects[0]
    rows = [conformance.run_check(conformance.Check(s, "torch", "cpu", "float64"), pool=oracle_pool),
            conformance.run_check(conformance.Check(conformance.Subject(
                s.id + ".corrected", s.entry, s.entry.corrected, "corrected", "pass"), "torch", "cpu", "float64"),
                pool=oracle_pool)]
    assert [r["status"] for r in rows] == ["expected-fail", "pass"], [r["reason"] for r in rows]
    assert not conformance.has_unexpected_failures(rows)


def test_run_checks_api_and_json(tmp_path):
    progress = []
    out = conformance.run_checks(oracles=["torch", "fd"], devices=["cpu", "cuda:0"], dtypes=["float64"],
                                 progress=lambda done, total, label: progress.append((done, total, label)),
                                 only=["op.sigmoid", "op.softmax"], accuracy=False)
    env, rows = out["environment"], out["results"]
    for key in ("versions", "devices", "precision", "seed", "unavailable"):
        assert key in env
    assert set(env["versions"]) >= {"python", "numpy", "torch", "jax"}
    torch_pinned = {k: v for k, v in env["precision"]["torch"].items() if k not in ("pinned", "process_default")}
    assert set(torch_pinned.values()) <= {"ieee", "highest", False}
    assert env["precision"]["jax"]["default_matmul_precision"] == "highest"
    ids = {r["id"] for r in rows}
    assert {"op.sigmoid-torch-cpu-float64", "op.sigmoid-fd-cpu-float64", "op.sigmoid-torch-cuda:0-float64"} <= ids
    assert progress[-1][:2] == (len(rows), len(rows))
    for r in rows:
        for key in ("id", "oracle", "device", "dtype", "max_abs_err", "max_rel_err", "tolerance", "passed",
                    "form", "expected", "status", "reason", "evidence"):
            assert key in r
    cuda = next(r for r in rows if r["device"] == "cuda:0")
    if "cuda:0" not in devices.torch_devices():
        assert cuda["status"] == "skip" and "CUDA" in cuda["reason"]
    summary = conformance.summarize(rows)
    assert summary["total"] == len(rows) and summary["ok"]
    assert summary["by_group"]["torch/cpu/float64"]["pass"] == 2
    text = json.dumps(out, allow_nan=False)  # strict JSON: no NaN or Infinity
    (tmp_path / "out.json").write_text(text)


def test_check_cli_writes_json_and_prints_accuracy(tmp_path, capsys):
    from mlp_ref.cli import main

    path = tmp_path / "check.json"
    rc = main(["check", "--oracle", "torch", "--oracle", "fd", "--dtype", "float64", "--only", "op.tanh", "--accuracy",
               "--json", str(path)])
    out = capsys.readouterr().out
    assert rc == 0, out
    data = json.loads(path.read_text())
    assert set(data) == {"environment", "results"}
    assert "fd_accuracy" in data["environment"]
    assert "torch" in out and "FD accuracy" in out and "Richardson" in out


def test_broken_implementation_fails_with_a_readable_message():
    """`pytest --impl` against a module whose sigmoid_grad is wrong: the reproduce line fails."""
    node = "tests/test_conformance.py::test_conformance[op.sigmoid-torch-cpu-float64]"
    proc = subprocess.run([sys.executable, "-m", "pytest", node, "--impl", BROKEN, "-q", "-p", "no:cacheprovider",
                           "-p", "no:randomly"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    for part in ("op.sigmoid-torch-cpu-float64", "differ from the oracle", "vjp d/dz", "max abs err", "reproduce:",
                 f"--impl {BROKEN}", "1 failed"):
        assert part in out, f"{part!r} missing from:\n{out[-3000:]}"


def test_document_specific_ops_skip_for_other_implementations(oracle_pool):
    from mlp_ref import catalog

    doc_ops = [op for op in catalog.ops().values() if op.bind is None]
    if not doc_ops:
        pytest.skip("no document-specific op registered yet")
    s = conformance.Subject(f"op.{doc_ops[0].name}", None, doc_ops[0], "as_written", "pass")
    row = conformance.run_check(conformance.Check(s, "torch", "cpu", "float64"), impl=BROKEN, pool=oracle_pool)
    assert row["status"] == "skip" and "bind=None" in row["reason"]


def test_ids_are_unique_and_readable():
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert all(i.endswith(("-float32", "-float64")) for i in ids)
    assert {c.device for c in CHECKS} >= {"cpu", "cuda:0", "gpu:0"}
    assert np.all([c.oracle in ("torch", "jax", "fd", "catalog") for c in CHECKS])
