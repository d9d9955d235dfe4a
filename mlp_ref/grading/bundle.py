"""A Gradescope autograder zip: setup.sh, run_autograder, the rubric and a wheel of this project.

The wheel is written here from the importable `mlp_ref`, `reports` and `oracles` packages (pure-Python;
a py3-none-any wheel; no build tool needed, and it works from a checkout or an installed copy),
so setup.sh installs the project from the zip itself. NumPy (and Jinja2 and nbformat, optional: without
them feedback.html is plain text and notebooks cannot be graded) come from wheels shipped in the zip's wheels/ folder when present
(`--bundle-wheels DIR`), else from the package index during Gradescope's image build.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import zipfile
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (source in $ROOT/source).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
VENV="$ROOT/mlp-ref-venv"
PY="${MLPREF_PYTHON:-}"  # the interpreter to use; by default the newest python3.11+ on PATH
if [ -z "$PY" ]; then
  for c in python3.13 python3.12 python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      PY="$(command -v "$c")"; break
    fi
  done
fi
if [ -z "$PY" ]; then  # Gradescope's Ubuntu images ship an older python3
  apt-get update && apt-get install -y python3.11 python3.11-venv
  PY="$(command -v python3.11)"
fi
# a venv of its own, without the system's site-packages: nothing but NumPy (and Jinja2) next to mlp_ref
"$PY" -m venv "$VENV" || {
  apt-get update && apt-get install -y "$(basename "$PY")-venv" && "$PY" -m venv "$VENV"; }
VPY="$VENV/bin/python"
WHEEL="$(ls "$SRC"/wheels/mlp_ref-*.whl | head -n1)"
# offline first (only the wheels in this zip), all at once; else one by one, then from the package index
if ! "$VPY" -m pip install -q --no-index --find-links "$SRC/wheels" "$WHEEL" jinja2 nbformat 2>/dev/null; then
  "$VPY" -m pip install -q --no-index --find-links "$SRC/wheels" "$WHEEL" \
    || "$VPY" -m pip install -q --find-links "$SRC/wheels" "$WHEEL"
  "$VPY" -m pip install -q --no-index --find-links "$SRC/wheels" jinja2 \
    || "$VPY" -m pip install -q jinja2 \
    || echo "jinja2 unavailable: feedback.html will be plain text"
  "$VPY" -m pip install -q --no-index --find-links "$SRC/wheels" nbformat \
    || "$VPY" -m pip install -q nbformat \
    || echo "nbformat unavailable: a notebook (.ipynb) submission gets a message asking for a .py file"
fi
# what the submission's uid must not read: the rubric (and its seed), the grader's code, the results.
# site-packages stays searchable (NumPy is reached by name) but not listable.
SP="$("$VPY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
chmod 700 "$SRC"
for d in "$SP"/mlp_ref "$SP"/oracles "$SP"/reports "$SP"/benchmarks "$SP"/mlp_ref-*.dist-info "$VENV/bin"; do
  if [ -e "$d" ]; then chmod -R go-rwx "$d"; fi
done
chmod 711 "$SP"
"$VPY" -m mlp_ref.cli grade --template --rubric "$SRC/rubric.toml" > /dev/null
"$VPY" -m mlp_ref.cli grade --sandbox-report --hide "$SRC" || true  # in the image build log
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission: grade $ROOT/submission/*.py (or *.ipynb) into $ROOT/results/.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VPY="$ROOT/mlp-ref-venv/bin/python"
mkdir -p "$ROOT/results"
chmod 700 "$ROOT/results" "$ROOT/submission" "$ROOT/source" 2>/dev/null
shopt -s nullglob
files=("$ROOT"/submission/*.py "$ROOT"/submission/*.ipynb)
fail() {  # results.json for a submission (or an autograder) that cannot be graded
  "$VPY" -c 'import json, sys; json.dump({"score": 0.0, "output": sys.argv[2], "tests": []}, open(sys.argv[1], "w"))' \
    "$ROOT/results/results.json" "$1"
}
if [ ${#files[@]} -ne 1 ]; then
  fail "Upload exactly one .py or .ipynb file (found ${#files[@]}); start from the template of this assignment."
  exit 0
fi
"$VPY" -m mlp_ref.cli grade "${files[0]}" --out "$ROOT/results" --rubric "$ROOT/source/rubric.toml" \
  --student-view --hide "$ROOT/source" --hide "$ROOT/results" \
  || fail "The autograder itself failed (not your submission); please tell the course staff."
exit 0
"""

README = """Gradescope autograder built by `mlp-ref grade --gradescope-bundle`.

Upload this zip as the autograder of a programming assignment (Ubuntu base image). setup.sh
creates a virtual environment of its own, installs mlp_ref from wheels/ (offline when the wheels
for NumPy are in wheels/, from the package index otherwise), makes the rubric and the grader's
code unreadable to other users, and prints `mlp-ref grade --sandbox-report`. run_autograder
grades the single .py or .ipynb file a student uploads with rubric.toml, writing results/results.json and
results/feedback.html (the student view: hidden tests left out).
"""


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _package_files(name: str) -> list[tuple[str, bytes]]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {name!r} is not importable; run from the project checkout or install it")
    root = Path(list(spec.submodule_search_locations)[0])
    files = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo") \
                and not p.name.startswith("."):
            files.append((f"{name}/{p.relative_to(root).as_posix()}", p.read_bytes()))
    return files


def build_wheel() -> tuple[str, bytes]:
    """(file name, bytes) of a py3-none-any wheel holding mlp_ref, reports and oracles, deterministic."""
    import mlp_ref

    version = mlp_ref.__version__
    dist = f"mlp_ref-{version}.dist-info"
    files = _package_files("mlp_ref") + _package_files("reports") + _package_files("oracles")
    meta = (f"Metadata-Version: 2.1\nName: mlp-ref\nVersion: {version}\nSummary: Reference-verification "
            "harness for five lecture documents on feed-forward networks and backpropagation\n"
            "Requires-Python: >=3.11\nRequires-Dist: numpy>=1.26\n").encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: mlp-ref grade --gradescope-bundle\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entry = b"[console_scripts]\nmlp-ref = mlp_ref.cli:main\n"
    files += [(f"{dist}/METADATA", meta), (f"{dist}/WHEEL", wheel), (f"{dist}/entry_points.txt", entry)]
    record = "".join(f"{n},{_record_hash(d)},{len(d)}\n" for n, d in files) + f"{dist}/RECORD,,\n"
    files.append((f"{dist}/RECORD", record.encode()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files:
            z.writestr(zipfile.ZipInfo(n, EPOCH), d, zipfile.ZIP_DEFLATED)
    return f"mlp_ref-{version}-py3-none-any.whl", buf.getvalue()


def _add(z: zipfile.ZipFile, name: str, data: bytes, executable=False):
    info = zipfile.ZipInfo(name, EPOCH)
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def build_bundle(out_zip, rubric_path, extra_wheels=None) -> dict:
    """Write the autograder zip; returns {path, files}."""
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    wheel_name, wheel = build_wheel()
    names = []
    with zipfile.ZipFile(out_zip, "w") as z:
        for name, data, exe in (("setup.sh", SETUP_SH.encode(), True), ("run_autograder", RUN_AUTOGRADER.encode(), True),
                                ("rubric.toml", Path(rubric_path).read_bytes(), False),
                                ("README.txt", README.encode(), False), (f"wheels/{wheel_name}", wheel, False)):
            _add(z, name, data, exe)
            names.append(name)
        for w in sorted(Path(extra_wheels).glob("*.whl")) if extra_wheels else ():
            _add(z, f"wheels/{w.name}", w.read_bytes())
            names.append(f"wheels/{w.name}")
    return {"path": out_zip, "files": names}
