"""`mlp-ref check` fails loudly on bad options and reports progress; `mlp-ref --version`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlp_ref import __version__
from mlp_ref.cli import main

ENTRY = "cos324-eq-11.19"


@pytest.fixture
def fake_run(monkeypatch):
    """run_checks replaced by a recorder: these tests are about the command line, not the checks."""
    import oracles.conformance as conformance

    seen = {}

    def run_checks(oracles=None, devices=None, dtypes=None, impl=None, progress=None, seed=0, **kw):
        seen.update(oracles=oracles, devices=devices, dtypes=dtypes, impl=impl, **kw)
        for i in range(4):
            progress(i + 1, 4, "stub")
        env = {"versions": {"python": "3", "numpy": "2"}, "seed": seed, "impl": "mlp_ref",
               "devices": {"all": ["cpu"]}, "unavailable": {}}
        return {"environment": env, "results": []}

    monkeypatch.setattr(conformance, "run_checks", run_checks)
    return seen


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"mlp-ref {__version__}"


@pytest.mark.parametrize("given, nearest", [("NO-SUCH-ID", None), ("cos324-eq-11.199", "cos324-eq-11.19"),
                                            ("COS324-EQ-11.19x", "cos324-eq-11.19")])
def test_unknown_only_names_the_nearest_ids(capsys, fake_run, given, nearest):
    assert main(["check", "--only", given]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no entry or op {given!r}; nearest: " in err
    if nearest:
        assert nearest in err.split("nearest: ")[1]
    assert fake_run == {}  # nothing ran


def test_unknown_device_names_the_devices_found(capsys, fake_run):
    from oracles import devices

    assert main(["check", "--device", "cpu,tpu:3"]) == 2
    err = capsys.readouterr().err
    assert "--device: tpu:3 not found here; devices found: " + ", ".join(devices.discover()["all"]) in err
    assert fake_run == {}


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("def sigmoid(z:\n", "not valid Python (line 1"),
    ("import numpy_that_does_not_exist\n", "cannot import it (No module named 'numpy_that_does_not_exist')"),
    ("raise RuntimeError('boom')\n", "importing it raised RuntimeError: boom"),
])
def test_missing_or_broken_impl_is_one_line(tmp_path, capsys, fake_run, content, message):
    path = tmp_path / "student.py"
    if content is not None:
        path.write_text(content)
    assert main(["check", "--impl", str(path), "--quick"]) == 2
    err = capsys.readouterr().err
    assert err == f"mlp-ref check: --impl {path}: {message}" + err.split(message, 1)[1]
    assert err.count("\n") == 1 and "Traceback" not in err
    assert fake_run == {}


def test_comma_separated_lists_as_report_takes_them(capsys, fake_run):
    assert main(["check", "--oracle", "torch,fd", "--oracle", "jax", "--dtype", "float64,float32",
                 "--device", "cpu", "--only", f"{ENTRY},op.sigmoid"]) == 0
    assert fake_run["oracles"] == ["torch", "fd", "jax"]
    assert fake_run["dtypes"] == ["float64", "float32"]
    assert fake_run["devices"] == ["cpu"]
    assert fake_run["only"] == [ENTRY, "op.sigmoid"]
    # one entry: no accuracy sweep and no kink table unless asked for
    assert fake_run["accuracy"] is False and fake_run["conventions"] is False


@pytest.mark.parametrize("flag, value", [("--oracle", "tensorflow"), ("--dtype", "float16")])
def test_unknown_oracle_or_dtype(capsys, fake_run, flag, value):
    assert main(["check", flag, value]) == 2
    assert f"{flag}: expected some of" in capsys.readouterr().err


def test_whole_catalog_measures_accuracy_and_quick_prints_progress_off_a_terminal(capsys, fake_run):
    assert main(["check", "--quick"]) == 0
    assert fake_run["accuracy"] is True and fake_run["devices"] == ["cpu"] and fake_run["dtypes"] == ["float64"]
    assert "checks: 4/4 in " in capsys.readouterr().err  # one line per phase in a log


def test_accuracy_on_request(capsys, fake_run):
    assert main(["check", "--only", ENTRY, "--accuracy"]) == 0
    assert fake_run["accuracy"] is True


def test_one_entry_really_runs(capsys):
    """Without the recorder: one catalog-only entry runs end to end and exits 0."""
    assert main(["check", "--only", "cos324-ex-11.2.3", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "1 checks: 1 passed" in out and "FD accuracy" not in out


ERRATUM = "cos324-eq-11.19"


@pytest.mark.parametrize("oracle,other", [("jax", "torch"), ("torch", "jax")])
def test_one_oracle_imports_only_its_framework(tmp_path, oracle, other):
    """`--oracle jax`: torch is never imported (not for the device list, the precision settings, the
    versions or the kink-convention table, whose one-sided differences use JAX's form), and the
    environment says what the run used; the same with the two frameworks swapped. Neither imports
    sympy (torch does, lazily, when `autograd.grad` gets `grad_outputs`: about 0.4 s per process), not
    even for the full Jacobian that explains an erratum (cos324-eq-11.19 expected-fails as written)."""
    out = tmp_path / "check.json"
    code = ("import sys; from mlp_ref.cli import main; "
            f"rc = main(['check', '--only', 'op.relu', '{ERRATUM}', '--oracle', {oracle!r}, '--accuracy', "
            f"'--json', {str(out)!r}]); "
            f"print('RESULT', rc, {other!r} in sys.modules, {oracle!r} in sys.modules, 'sympy' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "RESULT 0 False True False" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(out.read_text())
    explained = [r for r in data["results"] if r["id"].startswith(ERRATUM) and r["status"] == "expected-fail"]
    assert explained and all("jacobian" in r["evidence"] for r in explained), data["results"]
    env = data["environment"]
    assert set(env["devices"]) == {oracle, "all"} and set(env["precision"]) == {oracle}
    assert all(other not in row and oracle in row for row in env["conventions"].values()), env["conventions"]
    assert env["versions"][other]  # the installed version, read without importing it
