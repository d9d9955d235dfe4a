"""`mlp-ref report`: rendering from results.json only, statement math, exit status, offline page."""
from __future__ import annotations

import copy
import html as htmllib
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from mlp_ref.cli import main as mlp_ref_main  # noqa: E402
from reports import mathml, prose, render  # noqa: E402

pytestmark = pytest.mark.xdist_group("report-pages")  # shares a module fixture: one worker builds it

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


def _f(key, what, status="ok", documented=None, computed=1.0, severity=None, evidence="", as_written=None):
    return {"key": key, "what": what, "documented": documented, "computed": computed, "status": status,
            "severity": severity, "reason": "a reader following the text gets 4.02" if severity else "",
            "evidence": evidence or f"{what}: agrees with the computation", "as_written": as_written}


def stub_results() -> dict:
    """A small results.json covering every verdict, every status and an unavailable oracle."""
    catalog = [
        {"id": "a-sigmoid", "source": SRC_A, "location": "(11.19)", "kind": "formula",
         "statement": r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$ <script>alert(1)</script>",
         "documented": {}, "computed": {"max diff": 1e-17}, "verdict": "holds",
         "explanation": "agrees", "corrected_statement": "", "severity": None, "same_fault_as": None,
         "findings": [_f("derivative", r"\sigma'(z) against \frac{d}{dz}\sigma", computed=1e-17)]},
        {"id": "a-wrong", "source": SRC_A, "location": "Example 11.4.3", "kind": "example",
         "statement": "dL/dW_{ij} = delta_i x_i and $\\frac{broken$", "documented": {"loss": "0.98"},
         "computed": {"loss": 0.975, "grad": {"shape": [10, 10], "min": -1.0, "max": 2.0}},
         "verdict": "erratum", "severity": "error", "same_fault_as": None,
         "explanation": "the index of x is wrong: operands could not be broadcast together with shapes (2,5) (2,) ",
         "corrected_statement": "dL/dW_{ij} = delta_i x_j",
         "findings": [_f("loss", "the printed value of loss", "mismatch", documented="-\\log \\frac{e^8}{e^{-4} + e^8}",
                         computed=0.975, severity="error"),
                      _f("grad", "the gradient", computed={"shape": [10, 10], "min": -1.0, "max": 2.0},
                         evidence="the gradient: {'inner': 'undefined', 'outer': [2, 3]}")]},
        {"id": "a-wrong-again", "source": SRC_A, "location": "Example 11.4.4", "kind": "example",
         "statement": "the same index again, $\\hat{o}_2$", "documented": {}, "computed": {},
         "verdict": "erratum", "severity": None, "same_fault_as": "a-wrong",
         "explanation": "the same index. The same fault as a-wrong, counted there", "corrected_statement": "",
         "findings": [_f("index", "the index", "mismatch", computed=None)]},
        {"id": "b-relu", "source": SRC_B, "location": "③ ReLU Layer", "kind": "formula",
         "statement": "h_i^{(l+1)} = max{0, h_i^l}", "documented": {}, "computed": {"at 0": 1.0},
         "verdict": "convention", "explanation": "convention: 1 at the kink", "corrected_statement": "",
         "severity": None, "same_fault_as": None,
         "findings": [_f("at 0", "ReLU'(0)", "convention", documented="1", computed=0.0)]},
        {"id": "b-cut", "source": SRC_B, "location": "p. 3", "kind": "claim", "statement": "the text stops",
         "documented": {"value": "1.5"}, "computed": {"value": None}, "verdict": "incomplete",
         "explanation": "cut off", "corrected_statement": "", "severity": None, "same_fault_as": None,
         "findings": [_f("value", "the value", "missing", documented="1.5", computed=None)]},
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
def pages(stub):
    return render.render_pages(copy.deepcopy(stub))


@pytest.fixture(scope="module")
def html(pages):
    return pages["index.html"]


@pytest.fixture(scope="module")
def doc_a(pages):
    return pages["a.html"]


class _Text(HTMLParser):
    """Text outside <math>, <style> and <script>, with the tag it sits in; <math> elements' attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.math = self.skip = 0
        self.text, self.maths, self.empty_cells, self._cell = [], [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "math":
            self.math += 1
            self.maths.append(dict(attrs))
        if tag in ("style", "script"):
            self.skip += 1
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "math":
            self.math -= 1
        if tag in ("style", "script"):
            self.skip -= 1
        if tag in ("td", "th") and self._cell is not None:
            if not "".join(self._cell).strip():
                self.empty_cells.append(tag)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self.math:
            if self._cell is not None:
                self._cell.append("math")
            return
        if not self.skip:
            self.text.append(data)


TEX = re.compile(r"\\[A-Za-z]+|\^\{|_\{")


def tex_outside_math(html: str) -> list[str]:
    p = _Text()
    p.feed(html)
    text = "\n".join(p.text)
    return [text[max(0, m.start() - 30):m.end() + 30] for m in TEX.finditer(text)]


def parsed(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    return p


# ------------------------------------------------------------------------------------- content
def test_pages_index_and_one_per_document(pages, stub):
    assert list(pages) == ["index.html", "a.html", "b.html", "ops.html"]


def test_every_entry_has_its_id_as_anchor_in_document_order(pages, stub):
    ids = []
    for name in ("a.html", "b.html"):
        found = re.findall(r'<article class="entry[^"]*" id="([^"]+)" data-entry-id="([^"]+)"', pages[name])
        assert all(a == i for a, i in found)
        ids += [i for _, i in found]
    assert ids == [e["id"] for e in stub["catalog"]]


def test_overview_sections_errata_sheet_first(html):
    order = [html.index(f'<section id="{s}">') for s in
             ("overview", "summary", "errata", "documents", "conventions", "plots", "environment")]
    assert order == sorted(order)
    assert 'id="entry-count">5<' in html
    assert "jax is not installed (stub)" in html  # unavailable oracle is named with its reason
    assert "1 fail" in html and "4 expected-fail" in html and "1 skip" in html
    assert "UNEXPECTED" in html  # the headline says the run is not clean


def test_errata_sheet_counts_a_shared_fault_once(html):
    sheet = html[html.index('<section id="errata">'):html.index('<section id="documents">')]
    assert sheet.count('<li id="errata-') == 1
    assert 'id="errata-a-wrong"' in sheet and 'href="a.html#a-wrong"' in sheet
    assert 'href="a.html#a-wrong-again"' in sheet  # "also at" the repeating entry
    assert 'badge sev-error' in sheet and "Why error" in sheet
    cards = html[html.index('<section id="documents">'):html.index('<section id="conventions">')]
    assert 'href="a.html"' in cards and "1 error" in cards  # the shared fault is not counted twice


def test_severity_badges_and_same_fault_link(doc_a):
    wrong = doc_a[doc_a.index('id="a-wrong"'):doc_a.index('id="a-wrong-again"')]
    assert 'badge sev-error' in wrong
    again = doc_a[doc_a.index('id="a-wrong-again"'):]
    assert 'badge sev-unrated' in again  # an erratum whose severity is not yet recorded
    assert 'href="a.html#a-wrong">same fault as a-wrong' in again


def test_findings_table_in_every_entry_and_no_blank_cell(pages, stub):
    for name in ("a.html", "b.html"):
        for block in pages[name].split('<article class="entry')[1:]:
            assert '<table class="findings">' in block
        assert parsed(pages[name]).empty_cells == [], name
    b = pages["b.html"]
    assert "nothing to compute: the text is cut off" in b  # a missing finding says so
    assert "≈</span> convention" in b


def test_findings_show_printed_and_computed_values(doc_a):
    assert "0.975" in doc_a
    assert "array 10×10, values in [-1, 2]" in doc_a
    assert "✗</span> does not hold" in doc_a and "✓</span> holds" in doc_a
    assert 'alttext="-\\log \\frac{e^8}{e^{-4} + e^8}"' in doc_a  # the printed formula is one <math>


def test_explanations_in_plain_words(doc_a):
    assert "the shapes 2×5 and 2 do not conform" in doc_a
    assert "could not be broadcast" not in doc_a
    assert "{'inner'" not in doc_a and "inner: undefined; outer: shape 2×3" in doc_a


def test_no_raw_tex_outside_math_and_every_math_has_alttext(pages):
    for name, page in pages.items():
        assert tex_outside_math(page) == [], name
        assert all(m.get("alttext") for m in parsed(page).maths), name


def test_failing_cell_links_to_its_evidence(doc_a):
    targets = re.findall(r'<td class="cell s-(?:fail|expected-fail|skip)"[^>]*><a href="#([^"]+)"', doc_a)
    assert targets, "non-passing cells must link to their evidence"
    for t in targets:
        assert f'id="{t}"' in doc_a
    fail = re.search(r'<td class="cell s-fail"[^>]*><a href="#([^"]+)"', doc_a).group(1)
    block = doc_a[doc_a.index(f'id="{fail}"'):]
    assert "value differs" in block[:2000]
    assert re.search(r'<details class="evidence s-fail" open>', doc_a)  # real failures are open


def test_statements_escape_html_and_render_math(doc_a):
    assert "<script>alert(1)</script>" not in doc_a
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc_a
    assert "<math" in doc_a
    assert "broken" in doc_a  # a fragment that does not parse stays readable instead of breaking the page


def test_filter_and_sticky_navigation(doc_a, html):
    assert 'id="filter" hidden' in doc_a  # shown by its script only: without scripts every entry shows
    for f in ("holds", "erratum", "error", "slip", "transcription", "unrated"):
        assert f'data-filter="{f}"' in doc_a
    assert 'data-verdict="erratum" data-severity="error"' in doc_a
    assert '<header class="bar"' in html and "position: sticky" in html
    assert "@media print" in html


def test_conventions_and_plots(html):
    conv = html[html.index('<section id="conventions">'):html.index('<section id="plots">')]
    assert 'id="kink-table"' in conv and 'href="b.html#b-relu"' in conv
    plots = html[html.index('<section id="plots">'):]
    assert plots.count('src="data:image/svg+xml;base64,') == 3  # relu, fd sigmoid, error strips
    assert "Plot unavailable: universal_approximation_demo is not available (stub)" in plots


def test_log_axes_are_labelled_in_plain_text(html):
    """Log-axis ticks read "10⁻¹⁶" as plain text (Unicode superscripts), not matplotlib mathtext."""
    import base64

    from reports import plots

    f = plots.PlainLogFormatter(10)
    assert [f(v) for v in (1e-16, 1.0, 100.0, 2e-3, 3e7)] == ["10⁻¹⁶", "10⁰", "10²", "2×10⁻³", "3×10⁷"]
    section = html[html.index('<section id="plots">'):]
    svgs = [base64.b64decode(src).decode("utf-8")
            for src in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', section)]
    log_labels = [t for svg in svgs for t in re.findall(r">(10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)</text>", svg)]
    assert "10⁻¹⁶" in log_labels and "10⁰" in log_labels  # the fd plot's and the error strips' axes
    assert not any("mathdefault" in svg for svg in svgs)


def test_pages_are_self_contained(pages):
    for page in pages.values():
        assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
        assert "<link" not in page
        scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
        assert all("fetch(" not in s and "XMLHttpRequest" not in s for s in scripts)


def test_ops_without_entry_are_listed_separately(pages):
    assert 'data-op-id="op.softmax"' in pages["ops.html"]


def test_render_survives_missing_and_malformed_parts(stub):
    data = copy.deepcopy(stub)
    data["series"] = {"activations": {"x": "nonsense"}, "fd": None}
    data["environment"] = {}
    data.pop("results")
    for e in data["catalog"]:
        e.pop("findings")
    html = render.render(data)
    assert html.count("Plot unavailable") >= 3
    assert 'id="entry-count">5<' in html


def test_summary_line_and_ok(stub):
    assert render.summary(stub)["unexpected"] == 1
    assert not render.summary(stub)["ok"]
    clean = copy.deepcopy(stub)
    clean["results"] = [r for r in clean["results"] if r["status"] != "fail"]
    line = render.summary_line(clean)
    assert line.startswith("5 entries (1 holds, 2 erratum, 1 convention, 1 incomplete)") and line.endswith("OK")


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
def test_bad_math_falls_back_to_readable_text(text):
    out = str(mathml.render(text))
    assert "href" not in out or "<math" not in out
    assert not re.findall(r"<(?!/?(?:sub|sup)>)", re.sub(r"<math.*?</math>", "", out, flags=re.S))
    assert tex_outside_math(out) == []


@pytest.mark.skipif(not mathml.available(), reason="latex2mathml is not installed")
@pytest.mark.parametrize("text, alttexts", [
    ("ReLU(h₁⁽¹⁾ + 2h_2^{(1)})", ["h_2^{(1)}"]),  # a coefficient before a symbol
    (r"\begin{bmatrix} 1 & 2 \\ 2 & -2 \end{bmatrix} x", [r"\begin{bmatrix} 1 & 2 \\ 2 & -2 \end{bmatrix}"]),
    (r"the loss \mathscr{L} and \ell", [r"\mathscr{L}", r"\ell"]),
    ("e^{o_i} / sum_j e^{o_j}", ["e^{o_i}", "\\sum_j", "e^{o_j}"]),
])
def test_bare_text_symbols_become_math_with_their_source(text, alttexts):
    out = str(mathml.render(text))
    assert [htmllib.unescape(a) for a in re.findall(r'<math alttext="([^"]*)"', out)] == alttexts
    assert tex_outside_math(out) == []


@pytest.mark.skipif(not mathml.available(), reason="latex2mathml is not installed")
def test_hat_is_an_accent_not_a_caret():
    out = str(mathml.latex(r"\hat{o}_2"))
    assert "&#x002C6;" in out and "&#x0005E;" not in out


@pytest.mark.parametrize("tex, shown", [
    (r"\frac{\partial \ell}{\partial W_{ij}}", "(∂ ℓ)/(∂ W<sub>ij</sub>)"),
    (r"\mathbb{R}^{2 \times 3}", "ℝ<sup>2 × 3</sup>"),
    (r"\hat{o}_2", "o\u0302<sub>2</sub>"),
    (r"\begin{bmatrix} 1 & 2 \end{bmatrix}", "[ 1   2 ]"),
])
def test_plain_fallback_has_no_tex(tex, shown):
    assert str(mathml.plain(tex)) == shown


@pytest.mark.parametrize("text, words", [
    ("operands could not be broadcast together with shapes (2,5) (2,) ", "the shapes 2×5 and 2 do not conform"),
    ("shapes (2,5) and (3,) not aligned: 5 (dim 1) != 3 (dim 0)", "the shapes 2×5 and 3 do not conform"),
    ("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) "
     "(size 2 is different from 5)", "the shapes do not conform for a matrix product (inner sizes 5 and 2)"),
    ("defined ({'inner': 'undefined', 'outer': [2, 3]})", "defined (inner: undefined; outer: shape 2×3)"),
    ("raised ValueError: bad", "raised bad"),
    ("value 0.32569429033298586", "value 0.3257"),
])
def test_plain_words(text, words):
    assert prose.plain_words(text).strip() == words


@pytest.fixture(scope="module")
def catalog_pages():
    """The real catalog (no oracle checks) rendered: what every statement and finding looks like."""
    from reports.collect import _catalog

    records, sources = _catalog()
    return render.render_pages({"catalog": records, "sources": sources, "results": []})


def test_real_catalog_has_no_raw_tex_and_no_blank_cell(catalog_pages):
    for name, page in catalog_pages.items():
        assert tex_outside_math(page) == [], name
        p = parsed(page)
        assert all(m.get("alttext") for m in p.maths), name
        assert p.empty_cells == [], name
        for bad in ("could not be broadcast", "gufunc", "{'", "array("):
            text = re.sub(r'<details class="evidence.*?</details>', "", page, flags=re.S)
            assert bad not in text, (name, bad)
        for block in page.split('<article class="entry')[1:]:
            assert '<table class="findings">' in block, block[:200]


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
    pages = [p.read_text() for p in out.glob("*.html")]
    assert sum(p.count("data-entry-id=") for p in pages) == len(data["catalog"])
    captured = capsys.readouterr()
    assert "checks" in captured.err  # the progress bar went to stderr


def test_a_document_report_leaves_out_what_measures_the_oracles(tmp_path, monkeypatch):
    """`report --source DOC` measures neither the finite-difference accuracy nor the frameworks'
    derivatives at the kinks (they describe the oracles, not the document), as `check --source`."""
    import oracles.conformance as conformance
    import reports.collect as collect_mod

    calls = []

    class Stop(Exception):
        pass

    def fake_collect(**kw):
        calls.append(kw["whole"])
        raise Stop

    monkeypatch.setattr(collect_mod, "collect", fake_collect)
    for argv in (["--source", "cos324"], []):
        with pytest.raises(Stop):
            mlp_ref_main(["report", "--out", str(tmp_path), "--no-progress", *argv])
    assert calls == [False, True]
    asked = []
    monkeypatch.setattr(conformance, "run_checks", lambda **kw: asked.append(
        (kw["accuracy"], kw["conventions"])) or {"environment": {}, "results": []})
    collect_mod._checks(["fd"], None, ["float64"], 0, whole=False)
    collect_mod._checks(["fd"], None, ["float64"], 0, whole=True)
    assert asked == [(False, False), (True, True)]


def test_a_document_report_draws_no_plot_of_the_reference_or_another_document(stub, monkeypatch):
    """With --source the activation, finite-difference and universal-approximation (003) series are
    neither computed nor drawn (no helper process); the kink table's series still is. The index then
    says where those plots are drawn instead of showing another document's plot."""
    import reports.collect as collect_mod
    from oracles import series

    called = []
    for name in ("activation_series", "fd_series", "approximation_series", "kink_table"):
        monkeypatch.setattr(series, name, lambda *a, _n=name, **k: called.append(_n) or
                            ([] if _n == "kink_table" else {"unavailable": "stub"}))
    one = series.compute_all(oracles=["fd"], whole=False, sources={SRC_A})
    assert called == ["kink_table"] and one["kinks"] == {"rows": []}
    assert all(one[k] == {"unavailable": series.ONE_DOCUMENT} for k in ("activations", "fd", "approximation"))
    called.clear()
    from mlp_ref.documents.d003_ee559_mlp import SRC as SRC_003

    series.compute_all(oracles=["fd"], whole=False, sources={SRC_003})  # 003 alone keeps its own plot
    assert called == ["kink_table", "approximation_series"]
    called.clear()
    series.compute_all(oracles=["fd"], whole=True)
    assert sorted(called) == ["activation_series", "approximation_series", "fd_series", "kink_table"]

    drawn = []
    monkeypatch.setattr(collect_mod, "_draw_in_background", lambda s: drawn.append(s))
    monkeypatch.setattr(collect_mod, "_checks", lambda *a, **k: {"environment": {}, "results": []})
    monkeypatch.setattr(collect_mod, "_catalog", lambda *a, **k: ([], {}))
    data = collect_mod.collect(oracles=["fd"], figures={}, whole=False)
    assert drawn == [] and data["selection"]["whole"] is False

    whole = render.render_pages(copy.deepcopy(stub))["index.html"]
    assert 'id="plot-activations"' in whole and 'id="plot-approximation"' in whole
    left_out = {k: {"unavailable": series.ONE_DOCUMENT} for k in series.WHOLE_ONLY}
    one_doc = render.render_pages(dict(copy.deepcopy(stub), selection={"whole": False},
                                       series=dict(stub["series"], **left_out)))["index.html"]
    plots = one_doc[one_doc.index('<section id="plots">'):]
    assert 'id="plot-activations"' not in plots and "Universal approximation" not in plots
    assert "drawn when the whole catalog runs" in plots and 'id="plot-errors"' in plots
    assert "belongs to 003" in plots


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


def test_series_follow_the_oracle_selection():
    """The frameworks' derivatives are drawn for the selected oracles only; the FD series needs "fd"."""
    from oracles import series

    only_jax = series.compute_all(oracles=["jax"])
    assert all(set(f["oracles"]) == {"jax"} for f in only_jax["activations"]["functions"].values())
    assert all("torch" not in r["values"] and "jax" in r["values"] for r in only_jax["kinks"]["rows"])
    assert only_jax["fd"] == {"unavailable": "the fd oracle was not selected (--oracle)"}
    torch_fd = series.compute_all(oracles=["torch", "fd"])
    assert all(set(f["oracles"]) == {"torch"} for f in torch_fd["activations"]["functions"].values())
    assert torch_fd["fd"]["functions"] and "unavailable" not in torch_fd["fd"]


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


def test_feedback_page_puts_failures_first():
    from reports.feedback import render_feedback

    def test(fn, check, status):
        return {"function": fn, "check": check, "status": status, "description": f"{fn} {check}",
                "score": 1.0 if status == "passed" else 0.0, "max_score": 1.0, "visibility": "visible",
                "formula": fn, "shapes": "any", "references": [], "outcome": {"message": "differs"}}

    result = {"submission": "s.py", "score": 2.0, "max_score": 4.0, "rubric": {"name": "r", "seed": 0},
              "sandbox": "process", "execution_time": 0.1, "sha256": "0" * 64, "load": {"ok": True},
              "printed": "", "tests": [test("relu", "value", "passed"), test("sigmoid", "value", "passed"),
                                       test("sigmoid", "grad", "failed"), test("tanh", "value", "passed")]}
    page = render_feedback(result)
    assert page.index('id="sigmoid"') < page.index('id="relu"') < page.index('id="tanh"')
    block = page[page.index('id="sigmoid"'):page.index('id="relu"')]
    assert block.index("sigmoid grad") < block.index("sigmoid value")


def test_document_pages_are_named_after_the_declared_prefix():
    from reports.render import doc_pages

    catalog = [{"id": "ml-notes-softplus", "source": "ml-notes"}, {"id": "ml-exam-a", "source": "ml-exam"},
               {"id": "ml-exam-b", "source": "ml-exam"}, {"id": "cos324-eq-1", "source": "002.txt"}]
    assert list(doc_pages({"catalog": catalog, "prefixes": {"ml-notes": "ml-notes-"}}).values()) == \
        ["ml-notes.html", "ml-exam.html", "cos324.html"]
    # without declared prefixes (an older results.json) the ids' shared prefix names the page
    assert doc_pages({"catalog": catalog})["ml-exam"] == "ml-exam.html"
