"""`mlp-ref report`: rendering from results.json only, statement math, exit status, offline page."""
from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from mlp_ref.cli import main as mlp_ref_main  # noqa: E402
from reports import mathml, render  # noqa: E402

SRC_A = "002_5743ee5785c1fd12.txt"
SRC_B = "004_e1f35d5019c4ba9b.txt"
TOL = {"rtol": 1e-9, "atol": 1e-12, "reason": "double precision"}


def _row(entry, oracle, dtype, status, form="as_written", err=1e-15, evidence=None, reason=""):
    expected = "fail" if status in ("expected-fail", "unexpected-pass") else "pass"
    return {"id": f"{entry}{'.corrected' if form == 'corrected' else ''}-{oracle}-cpu-{dtype}",
            "subject": entry, "entry": entry, "oracle": oracle, "device": "cpu", "dtype": dtype,
            "form": form, "expected": expected, "status": status, "passed": status == "pass",
            "max_abs_err": err, "max_rel_err": err, "tolerance": TOL, "reason": reason,
            "evidence": evidence}


def stub_results() -> dict:
    """A small results.json covering every verdict, every status and an unavailable oracle."""
    catalog = [
        {"id": "a-sigmoid", "source": SRC_A, "location": "(11.19)", "kind": "formula",
         "statement": r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$ <script>alert(1)</script>",
         "documented": {}, "computed": {"max diff": 1e-17}, "verdict": "holds",
         "explanation": "agrees", "corrected_statement": ""},
        {"id": "a-wrong", "source": SRC_A, "location": "Example 11.4.3", "kind": "example",
         "statement": "dL/dW_{ij} = delta_i x_i and $\\frac{broken$", "documented": {"loss": "0.98"},
         "computed": {"loss": 0.975, "grad": {"shape": [10, 10], "min": -1.0, "max": 2.0}},
         "verdict": "erratum", "explanation": "the index of x is wrong",
         "corrected_statement": "dL/dW_{ij} = delta_i x_j"},
        {"id": "b-relu", "source": SRC_B, "location": "③ ReLU Layer", "kind": "formula",
         "statement": "h_i^{(l+1)} = max{0, h_i^l}", "documented": {}, "computed": {"at 0": 1.0},
         "verdict": "convention", "explanation": "convention: 1 at the kink", "corrected_statement": ""},
        {"id": "b-cut", "source": SRC_B, "location": "p. 3", "kind": "claim", "statement": "the text stops",
         "documented": {"value": "1.5"}, "computed": {"value": None}, "verdict": "incomplete",
         "explanation": "cut off", "corrected_statement": ""},
    ]
    ev = {"entry": "a-wrong", "inputs": {"x": "float64 (3,) [1, 2, 3]"}, "checks": ["value: max abs err 0.5"],
          "reproduce": "python -m pytest ..."}
    results = []
    for oracle in ("torch", "fd"):
        for dtype in ("float32", "float64"):
            results.append(_row("a-sigmoid", oracle, dtype, "pass", err=3e-8 if dtype == "float32" else 2e-16))
            results.append(_row("a-wrong", oracle, dtype, "expected-fail", err=0.5, evidence=ev,
                                reason="erratum as written, expected to fail"))
            results.append(_row("a-wrong", oracle, dtype, "pass", form="corrected"))
            results.append(_row("b-relu", oracle, dtype, "pass"))
    results[0] = _row("a-sigmoid", "torch", "float32", "fail", err=0.3, evidence={"oracle": "value 0.2"},
                      reason="value differs")
    results.append(_row("b-relu", "fd", "float64", "skip", reason="kink"))
    results[-1]["id"] += "-skip"
    results.append({**_row("b-cut", "catalog", "float64", "pass", err=None), "max_rel_err": None})
    results.append({**_row("op.softmax", "torch", "float64", "pass"), "entry": None, "subject": "op.softmax"})
    x = [-1.0, 0.0, 1.0]
    series = {
        "activations": {"x": x, "unavailable": {}, "functions": {
            "relu": {"params": {}, "f": [0.0, 0.0, 1.0], "hand": [0.0, 0.0, 1.0],
                     "oracles": {"torch": [0.0, 0.0, 1.0]}}}},
        "kinks": {"rows": [{"function": "relu", "params": {}, "left": 0.0, "right": 1.0,
                            "values": {"mlp_ref": 0.0, "torch": 0.0}}]},
        "fd": {"backend": "stub", "steps": [1e-1, 1e-2, 1e-3], "expected_slopes": {"forward": 1, "central": 2},
               "functions": [{"function": "sigmoid", "x0": 0.5, "exact": 0.235,
                              "errors": {"forward": [1e-2, 1e-3, 1e-4], "central": [1e-3, 1e-5, 0.0]},
                              "entries": ["a-sigmoid"]}]},
        "approximation": {"unavailable": "universal_approximation_demo is not available (stub)"},
    }
    return {"schema": 1, "generated": "2024-01-01 00:00:00 UTC", "command": "mlp-ref report",
            "environment": {"versions": {"python": "3.11", "numpy": "2.0"}, "seed": 0,
                            "devices": {"torch": ["cpu"], "all": ["cpu"]},
                            "unavailable": {"jax": "jax is not installed (stub)"}},
            "results": results, "sources": {SRC_A: "COS 324, Chapter 11", SRC_B: "MLPs + CNNs notes"},
            "catalog": catalog, "series": series}


@pytest.fixture(scope="module")
def stub():
    return stub_results()


@pytest.fixture(scope="module")
def html(stub):
    return render.render(copy.deepcopy(stub))


# ------------------------------------------------------------------------------------- content
def test_every_entry_has_an_anchor_in_document_order(html, stub):
    ids = re.findall(r'<article class="entry[^"]*" id="([^"]+)" data-entry-id="([^"]+)"', html)
    assert [i for _, i in ids] == [e["id"] for e in stub["catalog"]]
    assert all(a == "e-" + render.slug(i) for a, i in ids)
    # documents in SOURCES order, each with its entries
    assert html.index('id="doc-002"') < html.index('id="e-a-sigmoid"') < html.index('id="doc-004"')


def test_key_sections_and_summary(html):
    for section in ("summary", "environment", "documents", "errata", "conventions", "plots"):
        assert f'<section id="{section}">' in html
    assert 'id="entry-count">4<' in html
    assert "jax is not installed (stub)" in html  # unavailable oracle is named with its reason
    assert "1 fail" in html and "4 expected-fail" in html and "1 skip" in html
    assert "UNEXPECTED" in html  # the headline says the run is not clean


def test_failing_cell_links_to_its_evidence(html):
    targets = re.findall(r'<td class="cell s-(?:fail|expected-fail|skip)"[^>]*><a href="#([^"]+)"', html)
    assert targets, "non-passing cells must link to their evidence"
    for t in targets:
        assert f'id="{t}"' in html
    fail = re.search(r'<td class="cell s-fail"[^>]*><a href="#([^"]+)"', html).group(1)
    block = html[html.index(f'id="{fail}"'):]
    assert "value differs" in block[:2000]
    assert re.search(r'<details class="evidence s-fail" open>', html)  # real failures are open


def test_statements_escape_html_and_render_math(html):
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<math" in html
    # a fragment that does not parse stays visible as text instead of breaking the page
    assert "frac{broken" in html


def test_errata_show_as_written_and_corrected_with_evidence(html):
    errata = html[html.index('<section id="errata">'):html.index('<section id="conventions">')]
    assert "as written" in errata and "corrected" in errata
    assert 'href="#e-a-wrong"' in errata
    assert re.search(r'href="#ev-a-wrong-torch-cpu-float32"', errata)
    assert 'id="ev-a-wrong-torch-cpu-float32"' in html


def test_documented_and_computed_numbers(html):
    assert '<td class="doc">0.98</td>' in html
    assert "0.975" in html
    assert "array 10×10, values in [-1, 2]" in html
    assert "not computable" in html  # a None computed value (incomplete entry)


def test_conventions_and_plots(html):
    conv = html[html.index('<section id="conventions">'):html.index('<section id="plots">')]
    assert 'id="kink-table"' in conv and 'href="#e-b-relu"' in conv
    plots = html[html.index('<section id="plots">'):]
    assert plots.count('src="data:image/svg+xml;base64,') == 3  # relu, fd sigmoid, heat map
    assert "Plot unavailable: universal_approximation_demo is not available (stub)" in plots


def test_page_is_self_contained(html):
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert "<script" not in html.replace("&lt;script", "")
    assert "<link" not in html


def test_ops_without_entry_are_listed_separately(html):
    assert 'data-op-id="op.softmax"' in html


def test_render_survives_missing_and_malformed_parts(stub):
    data = copy.deepcopy(stub)
    data["series"] = {"activations": {"x": "nonsense"}, "fd": None}
    data["environment"] = {}
    data.pop("results")
    html = render.render(data)
    assert html.count("Plot unavailable") >= 3
    assert 'id="entry-count">4<' in html


def test_summary_line_and_ok(stub):
    assert render.summary(stub)["unexpected"] == 1
    assert not render.summary(stub)["ok"]
    clean = copy.deepcopy(stub)
    clean["results"] = [r for r in clean["results"] if r["status"] != "fail"]
    line = render.summary_line(clean)
    assert line.startswith("4 entries (1 holds, 1 erratum, 1 convention, 1 incomplete)") and line.endswith("OK")


# ------------------------------------------------------------------------------------------ math
@pytest.mark.skipif(not mathml.available(), reason="latex2mathml is not installed")
@pytest.mark.parametrize("text, n_math", [
    ("$x^2$", 1),
    ("h_i^{(l+1)} = max{0, h_i^l}", 2),
    (r"\frac{\partial L}{\partial W_{ij}} = delta_i x_j", 3),
    ("(W^{l+1})^T delta^{l+1}", 3),
    ("softmax_cross_entropy(o, y) and it's plain", 0),
    ("$$\\sum_i x_i$$", 1),
])
def test_math_segments(text, n_math):
    assert str(mathml.render(text)).count("<math") == n_math


@pytest.mark.parametrize("text", ["$\\frac{a$", "$\\frac{a}$", "x_ {", "$$", "\\", "{}^", "a_{b", "$\\href{x}{y}$"])
def test_bad_math_falls_back_to_escaped_text(text):
    out = str(mathml.render(text))
    assert "href" not in out or "<math" not in out
    assert "<" not in re.sub(r"<math.*?</math>", "", out, flags=re.S)


# ------------------------------------------------------------------------------------------- CLI
def _write(tmp_path, data, name="results.json"):
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def test_from_rerenders_without_running_checks(tmp_path, stub, monkeypatch, capsys):
    import oracles.conformance as conformance

    def boom(*a, **k):
        raise AssertionError("--from must not run checks")

    monkeypatch.setattr(conformance, "run_checks", boom)
    src = _write(tmp_path, stub)
    out = tmp_path / "out"
    rc = mlp_ref_main(["report", "--from", str(src), "--out", str(out)])
    assert rc == 1  # the stub has an unexpected failure
    assert (out / "index.html").exists() and json.loads((out / "results.json").read_text()) == stub
    text = capsys.readouterr().out
    assert f"report: {(out / 'index.html').resolve()}" in text
    assert "1 UNEXPECTED" in text.splitlines()[-1]


def test_exit_zero_when_only_expected_outcomes(tmp_path, stub):
    clean = copy.deepcopy(stub)
    clean["results"] = [r for r in clean["results"] if r["status"] != "fail"]
    assert mlp_ref_main(["report", "--from", str(_write(tmp_path, clean)), "--out", str(tmp_path / "o")]) == 0


def test_from_rejects_a_file_that_is_not_results(tmp_path, capsys):
    bad = _write(tmp_path, {"results": []})
    assert mlp_ref_main(["report", "--from", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "not a report results.json" in capsys.readouterr().err


def test_unknown_oracle_is_rejected(tmp_path, capsys):
    assert mlp_ref_main(["report", "--oracle", "tensorflow", "--out", str(tmp_path)]) == 2
    assert "--oracle" in capsys.readouterr().err


def test_full_pipeline_with_stubbed_checks(tmp_path, stub, monkeypatch, capsys):
    """Catalog and plot series for real, the (slow) oracle run replaced by stub rows."""
    import oracles.conformance as conformance

    seen = {}

    def fake_run_checks(oracles=None, devices=None, dtypes=None, impl=None, progress=None, seed=0, **kw):
        seen.update(oracles=oracles, dtypes=dtypes, seed=seed)
        for i in range(3):
            progress(i + 1, 3, "stub")
        return {"environment": {"versions": {"python": "3"}, "unavailable": {"jax": "stub"}},
                "results": [r for r in stub["results"] if r["status"] == "pass"][:3]}

    monkeypatch.setattr(conformance, "run_checks", fake_run_checks)
    out = tmp_path / "out"
    rc = mlp_ref_main(["report", "--out", str(out), "--oracle", "torch,fd", "--dtype", "float64", "--seed", "3"])
    assert rc == 0
    assert seen == {"oracles": ["torch", "fd"], "dtypes": ["float64"], "seed": 3}
    data = json.loads((out / "results.json").read_text())
    from mlp_ref import catalog

    assert [e["id"] for e in data["catalog"]] == [e.id for e in catalog.entries()]
    assert {"corrected_statement", "verdict", "explanation"} <= set(data["catalog"][0])
    assert data["command"] == "mlp-ref report --out {} --oracle torch,fd --dtype float64 --seed 3".format(out)
    assert set(data["series"]) == {"activations", "kinks", "fd", "approximation"}
    assert data["environment"]["unavailable"] == {"jax": "stub"}
    html = (out / "index.html").read_text()
    assert html.count("data-entry-id=") == len(data["catalog"])
    captured = capsys.readouterr()
    assert "checks" in captured.err  # the progress bar went to stderr


def test_series_without_frameworks(monkeypatch):
    """With neither torch nor JAX importable the series still hold the hand derivatives."""
    from oracles import series

    def missing(name):
        def f(*a, **k):
            raise RuntimeError(f"{name} not importable (test)")
        return f

    monkeypatch.setattr(series, "ORACLE_DERIVATIVES", {"torch": missing("torch"), "jax": missing("jax")})
    monkeypatch.setattr(series, "_jax", lambda: (None, None, "jax missing (test)"))
    monkeypatch.setattr(series, "_torch", lambda: (None, None, "torch missing (test)"))
    act = series.activation_series(points=9)
    assert set(act["unavailable"]) == {"torch", "jax"}
    assert all(len(f["hand"]) == 9 and f["oracles"] == {} for f in act["functions"].values())
    assert "neither JAX" in series.fd_series()["unavailable"]
    rows = series.kink_table()
    assert {r["function"] for r in rows} == {"relu", "leaky_relu", "elu"}
    assert all(r["values"]["torch"] is None for r in rows)


def test_activation_series_compare_with_frameworks():
    """The oracles' derivatives agree with the hand derivative away from the kink (computed)."""
    import numpy as np

    from oracles import series

    act = series.activation_series(points=33)
    x = np.array(act["x"])
    assert 0.0 in act["x"]
    for name, f in act["functions"].items():
        for oracle, d in f["oracles"].items():
            d, hand = np.array(d, dtype=float), np.array(f["hand"], dtype=float)
            away = np.abs(x) > 1e-9
            np.testing.assert_allclose(d[away], hand[away], rtol=1e-9, atol=1e-12, err_msg=f"{name} {oracle}")


def test_fd_series_slopes():
    """Truncation errors shrink with the expected order (measured on the stored series)."""
    import numpy as np

    from oracles import series

    fd = series.fd_series(functions=(("tanh", 0.7),))
    if "unavailable" in fd:
        pytest.skip(fd["unavailable"])
    h = np.array(fd["steps"])
    errs = fd["functions"][0]["errors"]
    big = (h <= 1e-1) & (h >= 1e-3)
    for method, p in (("forward", 1), ("central", 2), ("complex_step", 2)):
        e = np.array(errs[method])[big]
        slope = np.polyfit(np.log10(h[big]), np.log10(e), 1)[0]
        assert abs(slope - p) < 0.3, (method, slope)
    assert min(errs["complex_step"]) < 1e-15 < min(errs["central"])


def test_cli_module_has_no_side_effect_imports():
    """Importing reports.cli (done by every `mlp-ref` command) must stay cheap: no matplotlib, torch, jax."""
    code = ("import sys, reports.cli; bad = [m for m in ('matplotlib', 'torch', 'jax') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    import subprocess

    res = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
