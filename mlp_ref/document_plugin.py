"""pytest plugin (entry point `pytest11: mlp_ref_documents`): a document package's generated checks.

In a document package's own repository, name the document in its pytest configuration

    [tool.pytest.ini_options]
    mlp_ref_documents = ["my-notes"]

(or pass `--mlp-ref-document my-notes`) and `pytest` runs, for every entry of that installed
document: its verdict against the package's expected verdicts, the corrected form of an erratum,
every documented number (and a perturbed copy of it, which must turn red), and the conformance
checks of its ops against torch, JAX and finite differences on the CPU (an erratum's as-written op
is an expected failure). Ids read `DOC::ENTRY::check`. The plugin does nothing when no document is
named, so it is inert in every other project.
"""
from __future__ import annotations

import pytest

INI = "mlp_ref_documents"
OPTION = "--mlp-ref-document"


def pytest_configure(config):
    if config.getini(INI) or config.getoption(OPTION):
        # emitted by torch's own lazy imports (torch.func) in the oracle checks, not by the document
        config.addinivalue_line("filterwarnings", "ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def pytest_addoption(parser):
    group = parser.getgroup("mlp-ref documents")
    group.addoption(OPTION, action="append", default=[], metavar="NAME",
                    help="run the generated checks of this installed document package (repeatable)")
    group.addoption("--mlp-ref-oracle", action="append", default=[], metavar="ORACLE",
                    help="oracles for the document checks (default: torch, jax, fd)")
    parser.addini(INI, type="linelist", default=[],
                  help="installed documents whose generated checks pytest runs (entry-point names)")


def selected(config) -> list[str]:
    """The document names this run checks: --mlp-ref-document, else the ini setting when the run
    collects the project's root (a plain `pytest` in the package's folder)."""
    names = list(config.getoption(OPTION) or [])
    if names:
        return names
    ini = list(config.getini(INI) or [])
    if not ini:
        return []
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return ini
    root = config.rootpath.resolve()
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == root:
            return ini
    return []


class DocumentCheck(pytest.Item):
    """One generated check of a document entry; `call()` raises AssertionError with the evidence."""

    def __init__(self, *, call, location, **kw):
        super().__init__(**kw)
        self._call, self._location = call, location

    def runtest(self):
        self._call()

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, AssertionError):
            return f"{self.name}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::{self.name} ({self._location})"


class DocumentSuite(pytest.Collector):
    """The generated checks of one installed document."""

    def __init__(self, *, doc, oracles, **kw):
        super().__init__(**kw)
        self.doc, self.oracles = doc, oracles

    def collect(self):
        from . import catalog, packages
        from . import document_checks as dc

        with catalog.only_sources([self.doc.source]):
            entries = catalog.entries()
        tables = packages.expectations(self.doc)
        records = {}

        def record(e):
            if e.id not in records:
                records[e.id] = e.evaluate()
            return records[e.id]

        def item(name, call, location):
            return DocumentCheck.from_parent(self, name=name, call=call, location=location)

        if tables is None:
            yield item("expected-verdicts", lambda: pytest.skip(f"{self.doc.source}: the package declares no "
                                                                 "expected verdicts (EXPECTED)"), "package")
            return
        yield item("expected-verdicts", lambda: dc.check_table(entries, tables), "EXPECTED")
        for e in entries:
            loc = e.location
            yield item(f"{e.id}::verdict", lambda e=e: dc.check_verdict(e, record(e), tables), loc)
            yield item(f"{e.id}::documented", lambda e=e: dc.check_documented(e, record(e), tables), loc)
            verdict = tables["EXPECTED"].get(e.id)
            if verdict == "erratum":
                yield item(f"{e.id}::corrected", lambda e=e: dc.check_erratum(e, record(e), tables), loc)
            if verdict == "convention" and e.id in tables["CONVENTIONS"]:
                yield item(f"{e.id}::convention", lambda e=e: dc.check_convention(e, record(e), tables), loc)
            if dc.perturbable(e, tables):
                for how in ("scale", "sign"):
                    yield item(f"{e.id}::perturbed-{how}", lambda e=e, how=how: dc.check_mutation(e, tables, how), loc)
        yield from self._conformance(item)

    def _conformance(self, item):
        try:
            from oracles import conformance
        except ImportError as exc:  # the oracles are part of mlp-ref; only a broken install lands here
            yield item("conformance", lambda: pytest.skip(f"oracles are not importable: {exc}"), "oracles")
            return
        from . import catalog

        with catalog.only_sources([self.doc.source]):
            checks = conformance.plan(oracles=self.oracles or None, devices=["cpu"])
        pool = _pool(self.config)
        for c in checks:
            if c.oracle == "catalog":
                continue  # covered by the verdict and corrected-form checks above
            loc = getattr(c.subject.entry, "location", "") or c.subject.id
            yield item(f"{c.subject.id}::{c.oracle}-{c.device}-{c.dtype}",
                       lambda c=c: conformance.assert_conforms(conformance.run_check(c, seed=0, pool=pool)), loc)


def _pool(config):
    if not hasattr(config, "_mlp_ref_oracle_pool"):
        from oracles.conformance import OraclePool

        config._mlp_ref_oracle_pool = OraclePool()
    return config._mlp_ref_oracle_pool


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Append the checks of the selected documents (before -k / -m deselect items)."""
    names = selected(config)
    if not names:
        return
    from . import packages

    oracles = list(config.getoption("--mlp-ref-oracle") or [])
    failed = {err.name: err for err in packages.load_errors()}
    for name in names:
        if name in failed:  # the selected package itself did not load: one red item with the reason
            items.append(DocumentCheck.from_parent(session, name=f"{name}::load", nodeid=f"{name}::load",
                                                   location=failed[name].package,
                                                   call=lambda err=failed[name]: _fail(str(err))))
            continue
        try:
            doc = packages.find(name)
        except KeyError as exc:
            raise pytest.UsageError(f"{INI} / {OPTION}: {exc.args[0]}") from None
        label = doc.name or doc.source
        suite = DocumentSuite.from_parent(session, name=label, nodeid=label, doc=doc, oracles=oracles)
        items.extend(suite.collect())


def pytest_report_header(config):
    """Other installed document packages that failed to load (they do not fail this run)."""
    if not selected(config):
        return None
    from . import packages

    return [f"mlp-ref: {err}" for err in packages.load_errors() if err.name not in selected(config)] or None


def _fail(message):
    raise AssertionError(message)
