"""Document packages: discovery through entry points, contained failures, the layering, and (slow) a
fresh virtual environment with the example package and the `new-document` scaffold installed."""
from __future__ import annotations

import ast
import importlib
import json
import os
import re
import subprocess
import sys
import textwrap
import types
from importlib import metadata
from pathlib import Path

import pytest

from mlp_ref import catalog, packages, registry

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "softmax_notes"
BUILT_IN = {"fau": "000_1d7cd03ac9423737.txt", "tum7": "001_feff9ffe3b35df68.txt",
            "cos324": "002_5743ee5785c1fd12.txt", "ee559": "003_485f8fafa7a34846.txt",
            "mlpcnn": "004_e1f35d5019c4ba9b.txt"}


# ------------------------------------------------------------------------------ one registration path
def test_built_in_documents_come_from_entry_points():
    eps = {ep.name: ep.value for ep in packages.entry_points() if packages._dist_name(ep) == "mlp-ref"}
    assert set(eps) == set(BUILT_IN)
    docs = {d.name: d for d in catalog.documents()}
    for name, source in BUILT_IN.items():
        d = docs[name]
        assert (d.source, d.package, d.module) == (source, "mlp-ref", eps[name])
        assert d.title and d.citation and d.prefix.endswith("-")
        assert all(e.id.startswith(d.prefix) for e in catalog.entries() if e.source == source)
    assert list(registry.SOURCES) == sorted(registry.SOURCES)
    forms_eps = {ep.name for ep in metadata.entry_points(group=packages.FORMS_GROUP)}
    assert set(BUILT_IN) <= forms_eps


def test_no_table_in_the_machinery_lists_the_documents():
    for path in ("mlp_ref/registry.py", "mlp_ref/catalog.py", "mlp_ref/packages.py", "oracles/forms/__init__.py",
                 "oracles/conformance.py", "reports/collect.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        for source in BUILT_IN.values():
            assert source not in text, f"{path} names {source}"
        assert "d002_cos324_ch11" not in text, path


def test_source_selection_narrows_catalog_sources_and_ops():
    with catalog.only_sources([BUILT_IN["cos324"]]):
        assert list(registry.SOURCES) == [BUILT_IN["cos324"]]
        assert {e.source for e in catalog.entries()} == {BUILT_IN["cos324"]}
        assert "sigmoid" not in catalog.ops()
    assert len(registry.SOURCES) >= 5 and "sigmoid" in catalog.ops()


# ---------------------------------------------------------------------------------- containment
class FakeEntryPoint:
    """An entry point of a distribution `package` whose module lives in a test's tmp_path."""

    def __init__(self, name, value, package, group=packages.GROUP):
        self.name, self.value, self.group = name, value, group
        self.dist = types.SimpleNamespace(name=package)

    def load(self):
        return importlib.import_module(self.value)


@pytest.fixture
def installed(monkeypatch, tmp_path):
    """install(package, name, module_name, source_text): add a fake document package for one test."""
    catalog.entries()
    saved = (list(registry.ENTRIES), dict(registry.OPS), dict(registry.DOCUMENTS),
             {s: (d.package, d.name, d.ops) for s, d in registry.DOCUMENTS.items()}, list(packages._errors))
    monkeypatch.syspath_prepend(str(tmp_path))
    fakes = {packages.GROUP: [], packages.FORMS_GROUP: []}
    real = metadata.entry_points

    def entry_points(group=None, **kw):
        return list(real(group=group, **kw)) + fakes.get(group, [])

    monkeypatch.setattr(packages.metadata, "entry_points", entry_points)

    def install(package, name, module, text, group=packages.GROUP):
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(text), encoding="utf-8")
        fakes[group].append(FakeEntryPoint(name, module, package, group))
        importlib.invalidate_caches()

    yield install
    registry.ENTRIES[:] = saved[0]
    registry.OPS.clear(), registry.OPS.update(saved[1])
    registry.DOCUMENTS.clear(), registry.DOCUMENTS.update(saved[2])
    for s, (package, name, ops) in saved[3].items():
        registry.DOCUMENTS[s].package, registry.DOCUMENTS[s].name, registry.DOCUMENTS[s].ops = package, name, ops
    packages._errors[:] = saved[4]
    for group in fakes.values():
        for ep in group:
            sys.modules.pop(ep.value, None)


GOOD = '''
    from mlp_ref.registry import document, entry
    SRC = "good-notes"
    DOCUMENT = document(SRC, title="Good notes", prefix="good-")

    @entry(id="good-claim", source=SRC, location="§1", kind="claim", statement="1 + 1 = 2")
    def _claim(r):
        r.claim("sum", 1 + 1 == 2, "1 + 1 = 2")
'''


def _reload_and_errors():
    packages.load(force=True)
    return {e.package: e for e in catalog.load_errors()}


def test_a_package_that_fails_to_import_is_named_and_the_others_still_load(installed):
    n_built_in = len([e for e in catalog.entries() if e.source in BUILT_IN.values()])
    installed("broken-notes", "broken", "broken_notes_mod", '''
        from mlp_ref.registry import document, entry
        DOCUMENT = document("broken-notes", title="Broken notes")

        @entry(id="broken-first", source="broken-notes", location="§1", kind="claim", statement="x")
        def _first(r):
            r.claim("x", True, "x")

        import a_module_that_does_not_exist  # noqa: F401
    ''')
    installed("good-notes", "good", "good_notes_mod", GOOD)
    errors = _reload_and_errors()
    err = errors["broken-notes"]
    assert "ModuleNotFoundError" in err.reason and "a_module_that_does_not_exist" in err.reason
    assert "broken-notes" in str(err) and "broken_notes_mod" in str(err)
    ids = [e.id for e in catalog.entries()]
    assert "broken-first" not in ids, "a failed package's entries are rolled back"
    assert "broken-notes" not in registry.SOURCES
    assert "good-claim" in ids and catalog.get("good-claim").evaluate()["verdict"] == "holds"
    assert len([e for e in catalog.entries() if e.source in BUILT_IN.values()]) == n_built_in


def test_a_package_repeating_an_entry_id_is_rolled_back(installed):
    installed("copycat-notes", "copycat", "copycat_notes_mod", '''
        from mlp_ref.registry import Arg, Op, document, entry, register_op
        DOCUMENT = document("copycat-notes", title="Copycat notes")
        OP = register_op(Op(name="copycat-op", fn="sigmoid", forward=lambda z: z, vjp=lambda g, z: {"z": g},
                            args={"z": Arg(("N",))}))

        @entry(id="cos324-eq-11.19", source="copycat-notes", location="§1", kind="claim", statement="x")
        def _copy(r):
            r.claim("x", True, "x")
    ''')
    err = _reload_and_errors()["copycat-notes"]
    assert "duplicate entry id 'cos324-eq-11.19'" in err.reason and "mlp-ref" in err.reason
    assert "copycat-notes" not in registry.SOURCES and "copycat-op" not in registry.OPS
    assert catalog.get("cos324-eq-11.19").source == BUILT_IN["cos324"]


def test_a_package_repeating_a_source_is_rolled_back(installed):
    installed("twin-notes", "twin", "twin_notes_mod", f'''
        from mlp_ref.registry import document
        DOCUMENT = document("{BUILT_IN['cos324']}", title="Another COS 324")
    ''')
    err = _reload_and_errors()["twin-notes"]
    assert f"source '{BUILT_IN['cos324']}' is already declared by mlp-ref" in err.reason
    assert registry.SOURCES[BUILT_IN["cos324"]].startswith("COS 324")


def test_a_package_declaring_no_document_is_an_error(installed):
    installed("empty-notes", "empty", "empty_notes_mod", "X = 1\n")
    assert "declares no document" in _reload_and_errors()["empty-notes"].reason


def test_a_conflicting_form_is_named_and_not_used(installed):
    from oracles import forms

    installed("clash-notes", "clash", "clash_forms_mod", '''
        def torch_forms(torch, F):
            return {"sigmoid": lambda z: z, "clash_only": lambda z: z}
    ''', group=packages.FORMS_GROUP)
    forms.reset()
    try:
        have = forms.torch_forms()
        errors = forms.load_errors()
        assert forms.origins("torch")["sigmoid"] == "common"
        assert "clash_only" not in have, "a conflicting package's forms are not used at all"
        assert [e["package"] for e in errors] == ["clash-notes"]
        assert "'sigmoid' (defined by common)" in errors[0]["reason"] and "clash_forms_mod" in errors[0]["message"]
        assert "cos324_relu_layer" in have, "the other documents' forms still load"
    finally:
        forms.reset()


def test_the_report_lists_load_errors(installed):
    from reports import collect, render

    installed("broken-notes", "broken", "broken_notes_mod2", "raise RuntimeError('boom')\n")
    _reload_and_errors()
    errors = collect.load_errors()
    assert any(e["package"] == "broken-notes" and "RuntimeError: boom" in e["reason"] for e in errors)
    from test_report import stub_results

    data = stub_results()
    data["load_errors"] = errors
    page = render.render(data)
    assert "Document packages that could not be used" in page and "broken-notes" in page


# --------------------------------------------------------------------------------------- layering
# reference <- documents <- oracles <- report / grading <- CLI: a module imports only its own layer
# and the layers to its left.
LAYERS = (
    ("reference", ("mlp_ref/__init__.py", "mlp_ref/activations.py", "mlp_ref/layers.py", "mlp_ref/losses.py",
                   "mlp_ref/gradient.py", "mlp_ref/_validate.py", "mlp_ref/registry.py")),
    ("documents", ("mlp_ref/documents/", "mlp_ref/catalog.py", "mlp_ref/packages.py", "mlp_ref/document_checks.py")),
    ("oracles", ("oracles/",)),
    ("report / grading", ("reports/", "mlp_ref/grading/", "mlp_ref/document_plugin.py", "mlp_ref/pytest_plugin.py",
                          "benchmarks/")),
    ("CLI", ("mlp_ref/cli.py", "mlp_ref/__main__.py", "mlp_ref/catalog_cli.py", "mlp_ref/new_document.py",
             "oracles/cli.py", "reports/cli.py", "mlp_ref/grading/cli.py", "benchmarks/cli.py")),
)
# the worker runs the student's file alone; it imports nothing of the project
STANDALONE = {"mlp_ref/grading/worker.py"}


def _layer(path: str) -> int:
    best = None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if path == p or (p.endswith("/") and path.startswith(p)):
                if best is None or len(p) > best[1]:
                    best = (i, len(p))
    assert best is not None, f"{path} belongs to no layer"
    return best[0]


def _module_path(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] not in ("mlp_ref", "oracles", "reports", "benchmarks"):
        return None
    for n in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:n])
        if base.with_suffix(".py").is_file():
            return str(base.with_suffix(".py").relative_to(ROOT))
        if (base / "__init__.py").is_file():
            return str((base / "__init__.py").relative_to(ROOT))
    return None


def _imports(rel: str, source: str):
    tree = ast.parse(source)
    package = ".".join(Path(rel).with_suffix("").parts).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            yield mod
            for a in node.names:  # `from . import catalog` names a module
                yield f"{mod}.{a.name}"


def layering_violations(files: dict[str, str]) -> list[str]:
    """{path relative to the root: source} -> the imports that reach a higher layer."""
    bad = []
    for rel, source in files.items():
        if rel in STANDALONE:
            continue
        mine = _layer(rel)
        for name in _imports(rel, source):
            target = _module_path(name)
            if target and target != rel and _layer(target) > mine:
                bad.append(f"{rel} ({LAYERS[mine][0]}) imports {name} ({LAYERS[_layer(target)][0]})")
    return sorted(set(bad))


def test_each_layer_imports_only_the_layers_below():
    files = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
             for top in ("mlp_ref", "oracles", "reports", "benchmarks") for p in (ROOT / top).rglob("*.py")}
    assert len(files) > 40
    bad = layering_violations(files)
    assert not bad, "\n".join(bad)


def test_the_layering_check_can_fail():
    assert layering_violations({"mlp_ref/registry.py": "def f():\n    from . import catalog\n"}) == [
        "mlp_ref/registry.py (reference) imports mlp_ref.catalog (documents)"]
    assert layering_violations({"mlp_ref/documents/d002_cos324_ch11.py": "import oracles.forms\n"})
    assert layering_violations({"oracles/fd.py": "from reports import render\n"})
    assert not layering_violations({"reports/render.py": "from oracles import forms\n"})


BLOCK_FRAMEWORKS = '''
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "jax", "jaxlib"):
            raise ImportError(f"{name} is made unavailable by this test")
sys.meta_path.insert(0, Block())
'''


def test_the_reference_imports_numpy_only():
    modules = [".".join(Path(p).with_suffix("").parts).replace(".__init__", "") for p in LAYERS[0][1]]
    code = BLOCK_FRAMEWORKS + textwrap.dedent(f'''
        import importlib
        for m in {modules!r}:
            importlib.import_module(m)
        import mlp_ref.catalog
        mlp_ref.catalog.entries()  # the documents too load without torch and JAX
        outside = sorted({{n.split(".")[0] for n in sys.modules}} & {{"torch", "jax", "oracles", "reports", "scipy"}})
        print("OUTSIDE", outside)
    ''')
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "OUTSIDE []" in proc.stdout, proc.stdout + proc.stderr[-2000:]


# -------------------------------------------------------------------- a fresh virtual environment
def _run(cmd, cwd, env=None, timeout=600):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n" \
                                 f"{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """A venv (system site packages: NumPy, torch, JAX, pytest) with this project installed, no network."""
    where = tmp_path_factory.mktemp("venv")
    venv = where / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], where)
    py = venv / "bin" / "python"
    pip = [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    probe = subprocess.run([str(py), "-c", "import numpy, setuptools, pytest"], capture_output=True, text=True)
    if probe.returncode:
        pytest.skip("a venv with --system-site-packages does not see NumPy, setuptools and pytest from this "
                    f"interpreter ({probe.stderr.strip().splitlines()[-1]}); install them into the base Python")
    _run(pip + ["-e", str(ROOT)], where)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return types.SimpleNamespace(py=py, bin=venv / "bin", pip=pip, where=where, env=env)


@pytest.mark.slow
@pytest.mark.xdist_group("fresh-venv")
def test_example_package_in_a_fresh_venv(fresh_venv):
    v = fresh_venv
    _run(v.pip + ["-e", str(EXAMPLE)], v.where)
    out = _run([str(v.bin / "mlp-ref"), "catalog", "--source", "softmax-notes"], v.where, v.env)
    assert "softmax-notes-backprop" in out and "erratum" in out and "4 entries: 3 holds, 1 erratum" in out
    records = json.loads(_run([str(v.bin / "mlp-ref"), "catalog", "--json"], v.where, v.env))
    verdicts = {r["id"]: (r["verdict"], r["severity"]) for r in records}
    assert verdicts["softmax-notes-backprop"] == ("erratum", "error")
    assert verdicts["softmax-notes-example-1"] == ("holds", None)
    assert any(i.startswith("cos324-") for i in verdicts), "the built-in documents are still there"
    rep = v.where / "report"
    out = _run([str(v.bin / "mlp-ref"), "report", "--source", "softmax-notes", "--oracle", "fd", "--dtype",
                "float64", "--no-progress", "--out", str(rep)], v.where, v.env)
    data = json.loads((rep / "results.json").read_text())
    assert [r["id"] for r in data["catalog"]] == ["softmax-notes-ce-gradient", "softmax-notes-example-1",
                                                 "softmax-notes-two-layer", "softmax-notes-backprop"]
    status = {r["id"]: r["status"] for r in data["results"]}
    assert status["softmax-notes-backprop-fd-cpu-float64"] == "expected-fail"
    assert status["softmax-notes-backprop.corrected-fd-cpu-float64"] == "pass"
    assert data["load_errors"] == []
    assert "softmax-notes-backprop" in (rep / "index.html").read_text(encoding="utf-8")
    # the package's own repository: the plugin's generated checks and its tests
    out = _run([str(v.py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--mlp-ref-oracle", "fd"], EXAMPLE, v.env)
    assert not re.search(r"\d+ failed", out) and re.search(r"\d+ passed, \d+ xfailed", out), out[-2000:]


@pytest.mark.slow
@pytest.mark.xdist_group("fresh-venv")
def test_new_document_scaffold_installs_and_its_tests_pass(fresh_venv):
    v = fresh_venv
    out_dir = v.where / "my-notes"
    _run([str(v.bin / "mlp-ref"), "new-document", "my-notes", "--title", "My notes", "--out", str(out_dir)],
         v.where, v.env)
    _run(v.pip + ["-e", str(out_dir)], v.where)
    out = _run([str(v.bin / "mlp-ref"), "catalog", "--source", "my-notes"], v.where, v.env)
    assert "my-notes-softplus" in out and "holds" in out
    out = _run([str(v.py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA"], out_dir, v.env)
    assert "my-notes::my-notes-softplus::verdict" in out and "my-notes::my-notes-softplus::torch-cpu-float64" in out
    assert not re.search(r"\d+ failed", out) and re.search(r"\d+ passed", out), out[-2000:]
    # the generated checks can fail: a wrong derivative turns the oracle checks red
    module = out_dir / "my_notes.py"
    module.write_text(module.read_text().replace("0.5 * (1.0 + np.tanh(0.5 * z))", "0.5 * (1.0 + np.tanh(z))"))
    proc = subprocess.run([str(v.py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--mlp-ref-oracle", "fd"],
                          cwd=out_dir, capture_output=True, text=True, timeout=600, env=v.env)
    failed = set(re.findall(r"^FAILED (\S+)", proc.stdout, flags=re.M))
    assert proc.returncode == 1 and failed == {f"my-notes::my-notes-softplus::{leg}" for leg in
                                               ("verdict", "fd-cpu-float32", "fd-cpu-float64")}, proc.stdout[-2000:]
    # a package that no longer imports: one red item naming the package and the reason
    module.write_text(module.read_text() + "\nraise RuntimeError('broken on purpose')\n")
    proc = subprocess.run([str(v.py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "load",
                           "--continue-on-collection-errors"],
                          cwd=out_dir, capture_output=True, text=True, timeout=600, env=v.env)
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "my-notes::load" in proc.stdout and "mlp-ref-document-my-notes" in proc.stdout
    assert "RuntimeError: broken on purpose" in proc.stdout


def test_new_document_refuses_bad_arguments(tmp_path, capsys):
    from mlp_ref.cli import main

    assert main(["new-document", "My Notes", "--title", "x", "--out", str(tmp_path / "a")]) == 2
    assert "NAME: expected lower-case" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f").write_text("x")
    assert main(["new-document", "ok-notes", "--title", "x", "--out", str(tmp_path / "full")]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert main(["new-document", "ok-notes", "--title", " ", "--out", str(tmp_path / "b")]) == 2


def test_check_source_runs_one_documents_entries_and_ops(tmp_path, capsys):
    from mlp_ref.cli import main

    path = tmp_path / "check.json"
    rc = main(["check", "--source", "mlpcnn", "--oracle", "torch", "--dtype", "float64", "--device", "cpu",
               "--json", str(path)])
    assert rc == 0, capsys.readouterr().out[-2000:]
    ids = [r["id"] for r in json.loads(path.read_text())["results"]]
    assert ids and all(i.startswith(("mlpcnn-", "op.mlpcnn-")) for i in ids), ids
    assert main(["check", "--source", "nope-notes"]) == 2
    assert "--source: no document 'nope-notes'" in capsys.readouterr().err
    assert len(registry.SOURCES) >= 5, "the selection ends with the command"
