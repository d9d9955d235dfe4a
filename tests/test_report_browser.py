"""The HTML report in headless Chromium: sections, entry count, no console errors, phone width.

Drives Debian's /usr/bin/chromium through Playwright's Python API (executable_path; never a
downloaded browser). Skipped, with the reason, when either is missing.

The report under test comes from real data: reports/out/results.json when it is the default
full run (`mlp-ref report`), re-rendered into a temporary folder; otherwise a fresh run of the
catalog and plot series with the checks narrowed to torch/float64 (fast). Screenshots go to the
temporary folder and reports/out/. reports/screenshot.png (the README's picture) is written from
the full default run when it is missing or MLP_REF_UPDATE_SCREENSHOT=1.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reports import browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RESULTS = ROOT / "reports" / "out" / "results.json"
DOCS_SCREENSHOT = ROOT / "reports" / "screenshot.png"

_why = browser.unavailable_reason()
if _why:
    pytest.skip(f"browser test skipped: {_why}", allow_module_level=True)


def _is_full_default(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    sel = data.get("selection") or {}
    return (isinstance(data.get("catalog"), list) and bool(data.get("results"))
            and not any(sel.get(k) for k in ("oracles", "devices", "dtypes")))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from mlp_ref.cli import main

    out = tmp_path_factory.mktemp("report")
    full = _is_full_default(DEFAULT_RESULTS)
    if full:
        rc = main(["report", "--from", str(DEFAULT_RESULTS), "--out", str(out)])
    else:
        rc = main(["report", "--out", str(out), "--oracle", "torch", "--dtype", "float64", "--no-progress"])
    assert rc in (0, 1)
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return {"dir": out, "html": out / "index.html", "data": data, "full": full}


@pytest.fixture(scope="module")
def page_facts(report):
    out = report["dir"]
    update = report["full"] and (not DOCS_SCREENSHOT.exists() or os.environ.get("MLP_REF_UPDATE_SCREENSHOT") == "1")
    facts = browser.inspect(report["html"], screenshot=out / "report-desktop.png",
                            phone_screenshot=out / "report-phone.png",
                            docs_screenshot=out / "screenshot.png")
    keep = ROOT / "reports" / "out"
    keep.mkdir(parents=True, exist_ok=True)
    for name in ("report-desktop.png", "report-phone.png"):
        shutil.copyfile(out / name, keep / name)
    if update:
        shutil.copyfile(out / "screenshot.png", DOCS_SCREENSHOT)
    return facts


def test_no_console_errors_and_no_network(page_facts):
    assert page_facts["console"] == []
    assert page_facts["page_errors"] == []
    assert page_facts["requests"] == []  # everything is inline: opens offline
    assert page_facts["desktop"]["external"] == []


def test_key_sections_and_entry_count(page_facts, report):
    d = page_facts["desktop"]
    assert d["sections"] == ["summary", "environment", "documents", "errata", "conventions", "plots"]
    assert d["entries"] == len(report["data"]["catalog"]) > 0
    assert d["brokenLinks"] == []
    assert d["images"] and all(i["ok"] for i in d["images"])
    assert d["maths"] > 0  # statements carry rendered MathML


def test_no_horizontal_overflow_at_phone_width(page_facts):
    p = page_facts["phone"]
    assert p["innerWidth"] == 375
    assert p["scrollWidth"] <= p["innerWidth"], p["wide"]
    assert p["wide"] == []


def test_screenshots_saved(page_facts, report):
    for name in ("report-desktop.png", "report-phone.png", "screenshot.png"):
        assert (report["dir"] / name).stat().st_size > 10_000
    if DOCS_SCREENSHOT.exists():
        assert DOCS_SCREENSHOT.stat().st_size < 300_000
