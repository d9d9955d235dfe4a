"""`mlp-ref new-document NAME --title "..." --out DIR`: write a ready document package.

The package holds one module with the document's declaration and one formula entry (softplus: an
op with its hand-derived backward and a documented number), its oracle forms (torch and JAX), its
expected verdicts, a test file, and a pyproject.toml registering it under the entry-point groups
`mlp_ref.documents` and `mlp_ref.forms`. `pip install -e DIR` makes it part of every `mlp-ref`
command; `python -m pytest` in DIR runs its generated checks (plugin `mlp_ref_documents`) and its own tests.
"""
from __future__ import annotations

import argparse
import keyword
import re
import sys
from pathlib import Path

NAME_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")

PYPROJECT = '''\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "mlp-ref-document-{name}"
version = "0.1.0"
description = "{title}: formulas checked by mlp-ref"
requires-python = ">=3.11"
dependencies = ["mlp-ref"]

[tool.setuptools]
py-modules = ["{module}", "{module}_forms"]

# how mlp-ref finds this document and its oracle forms
[project.entry-points."mlp_ref.documents"]
{name} = "{module}"

[project.entry-points."mlp_ref.forms"]
{name} = "{module}_forms"

[tool.pytest.ini_options]
# the plugin mlp_ref_documents (installed with mlp-ref) generates the checks of these documents
mlp_ref_documents = ["{name}"]
testpaths = ["tests"]
'''

MODULE = '''\
"""{title}: the document's formulas, worked examples and claims, each checked by computation.

Write one `@entry` per formula, example or claim, in document order. Copy the statement and every
documented number verbatim (typos included); record what the computation shows with the `Run`
methods (`r.number`, `r.close`, `r.claim`, `r.convention`, `r.missing`); the verdict is derived from
those findings. Give a differentiable formula an `Op` (forward + hand-derived VJP + input domain)
and write its oracle side in {module}_forms.py under the same `fn`.
"""
from __future__ import annotations

import numpy as np

from mlp_ref.gradient import numerical_gradient
from mlp_ref.registry import FD_TOL, Arg, Op, document, entry, register_op

SRC = "{name}"
DOCUMENT = document(SRC, title={title!r}, citation={citation!r}, prefix="{name}-",
                    expected=__name__)


def softplus(z):
    """softplus(z) = log(1 + e^z), computed as logaddexp(0, z) so large z does not overflow."""
    return np.logaddexp(0.0, np.asarray(z))


def softplus_vjp(g, z):
    """d softplus/dz = e^z / (1 + e^z) = sigma(z), derived by hand; times the upstream gradient g."""
    z = np.asarray(z)
    return {{"z": g * (0.5 * (1.0 + np.tanh(0.5 * z)))}}  # sigma(z) without overflow


SOFTPLUS = register_op(Op(name="{name}-softplus", fn="{module}_softplus", forward=softplus, vjp=softplus_vjp,
                          args={{"z": Arg(("N", "D"), low=-4.0, high=4.0)}},
                          note="softplus and its hand-derived derivative sigma(z)"))


@entry(id="{name}-softplus", source=SRC, location="eq. (1)", kind="formula",
       statement="softplus(z) = log(1 + e^z), d softplus/dz = σ(z), and softplus(0) = 0.69",
       documented={{"softplus(0)": "0.69"}}, op=SOFTPLUS,
       reading="0.69 is log 2 printed to two decimals")
def _softplus(r):
    r.number("softplus(0)", softplus(0.0), what="the printed value of softplus(0)",
             severity="error", why="a reader using the printed value gets a wrong loss")
    z = np.linspace(-3.0, 3.0, 7)
    r.close("d softplus/dz", softplus_vjp(np.ones_like(z), z)["z"],
            numerical_gradient(lambda v: float(softplus(v).sum()), z, method="central"),
            what="the hand-derived derivative against central differences", **FD_TOL,
            severity="error", why="a wrong derivative gives wrong gradients")


# ------------------------------------------------------------------------------ expected verdicts
# What the computation must derive, one line per entry in document order; a change of verdict is a
# visible, reviewed change. INPUTS: documented numbers that are inputs of an example, not results;
# MISMATCHED_NUMBERS: documented numbers the computation contradicts; OTHER_READINGS: a reading that
# reproduces such a number; CONVENTIONS: the convention each convention entry names; SEVERITY: the
# severity of each erratum; SAME_FAULT: entries repeating a fault owned by another entry.
EXPECTED = {{
    "{name}-softplus": "holds",
}}
INPUTS: set = set()
MISMATCHED_NUMBERS: set = set()
OTHER_READINGS: dict = {{}}
CONVENTIONS: dict = {{}}
SEVERITY: dict = {{}}
SAME_FAULT: dict = {{}}
'''

FORMS = '''\
"""Oracle forms of {title}: each function written with the framework's own operations.

`torch_forms(torch, F)` and `jax_forms(jax, jnp)` return {{fn: form}}; a form takes the op's args as
keyword tensors and returns a tensor. Never import mlp_ref or {module} here: the oracles must
be independent of the code they check.
"""


def torch_forms(torch, F):
    return {{"{module}_softplus": lambda z: F.softplus(z)}}


def jax_forms(jax, jnp):
    return {{"{module}_softplus": lambda z: jax.nn.softplus(z)}}
'''

TEST = '''\
"""Checks specific to {title}; the generic ones (verdicts, documented numbers, oracles) are
generated by the mlp_ref_documents plugin from the document's entries and EXPECTED."""
import math

import numpy as np

import {module} as doc
from mlp_ref import catalog


def test_the_document_is_in_the_catalog():
    with catalog.only_sources([doc.SRC]):
        assert [e.id for e in catalog.entries()] == list(doc.EXPECTED)


def test_softplus_at_zero_is_log_two():
    assert math.isclose(float(doc.softplus(0.0)), math.log(2.0))


def test_softplus_is_stable_for_large_inputs():
    assert np.isfinite(doc.softplus(np.array([-800.0, 800.0]))).all()
'''

README = '''\
# {title}

A document package for [mlp-ref](https://pypi.org/project/mlp-ref/): the formulas of this document,
each checked by computation.

```bash
pip install -e .
mlp-ref catalog --source {name}      # the entries with their computed verdicts
mlp-ref report --source {name}       # the HTML report
python -m pytest                     # the generated checks and tests/
```
'''


def module_name(name: str) -> str:
    """The Python module name for a document NAME ("my-notes" -> "my_notes")."""
    return name.replace("-", "_")


def check_name(name: str) -> str:
    """NAME must be lower-case words joined by hyphens, usable as an id prefix and a module name."""
    if not NAME_RE.fullmatch(name or "") or keyword.iskeyword(module_name(name)):
        raise ValueError(f"NAME: expected lower-case letters and digits joined by hyphens, starting with a "
                         f"letter (e.g. 'ml-notes'), got {name!r}")
    return name


def scaffold(name: str, title: str, out, citation: str = "") -> list[Path]:
    """Write the package for document `name` into `out` (which must be empty or absent); returns the
    files written. Raises ValueError for a bad name or title, FileExistsError for a non-empty `out`."""
    check_name(name)
    if not title or not title.strip():
        raise ValueError("--title: expected the document's title, got an empty string")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"--out: {out} exists and is not empty")
    module = module_name(name)
    fields = {"name": name, "module": module, "title": title.strip(), "citation": citation or title.strip()}
    files = {
        "pyproject.toml": PYPROJECT, f"{module}.py": MODULE, f"{module}_forms.py": FORMS,
        f"tests/test_{module}.py": TEST, "README.md": README,
    }
    written = []
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(**fields), encoding="utf-8")
        written.append(path)
    return written


def cmd_new_document(args) -> int:
    try:
        written = scaffold(args.name, args.title, args.out, citation=args.citation or "")
    except (ValueError, FileExistsError) as exc:
        print(f"mlp-ref new-document: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    print(f"next: pip install -e {args.out} && mlp-ref catalog --source {args.name} && (cd {args.out} && python -m pytest)",
          file=sys.stderr)
    return 0


def add_new_document_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("new-document", help="write a ready document package for your own lecture notes",
                       description="Write a ready document package into DIR: pyproject.toml registering it, "
                                   "a module with its declaration and one example entry, its oracle forms, "
                                   "its expected verdicts and a test file.")
    p.add_argument("name", metavar="NAME", help="the document's short name: id prefix, --source name, module name")
    p.add_argument("--title", required=True, help="the document's title")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write (must be empty or absent)")
    p.add_argument("--citation", help="how to cite the document (default: its title)")
    p.set_defaults(func=cmd_new_document)
    return p
