"""Open a report in headless Chromium (Debian's /usr/bin/chromium via Playwright): check and screenshot.

Never downloads a browser: it drives the system Chromium through `executable_path`.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """The system Chromium, or None."""
    for cand in (os.environ.get("MLP_REF_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser")):
        if cand and os.path.exists(cand):
            return cand
    return None


def unavailable_reason() -> str | None:
    """Why the browser check cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"playwright (Python) is not installed: {exc}"
    if chromium_path() is None:
        return "no system Chromium (/usr/bin/chromium); install Debian's chromium package"
    return None


# Runs in the page: the facts the browser test asserts on.
_PROBE = """() => {
  const doc = document.documentElement;
  const vw = window.innerWidth;
  const clipped = [];
  for (const t of document.querySelectorAll('table')) {
    if (t.offsetParent === null) continue;  // not displayed (print-only or collapsed)
    const r = t.getBoundingClientRect();
    let box = t.parentElement, scroller = null;
    while (box && box !== document.body) {
      const ox = getComputedStyle(box).overflowX;
      if (ox === 'auto' || ox === 'scroll') { scroller = box; break; }
      box = box.parentElement;
    }
    const limit = scroller ? scroller.getBoundingClientRect().right : vw;
    const wider = t.scrollWidth > (scroller ? scroller.clientWidth + 1 : vw - r.left + 1);
    if (scroller ? scroller.getBoundingClientRect().right > vw + 1 : r.right > vw + 1) {
      clipped.push({table: t.className || t.id || 'table', right: Math.round(r.right), limit: Math.round(limit)});
    } else if (wider && !scroller) {
      clipped.push({table: t.className || t.id || 'table', right: Math.round(r.right), limit: vw});
    }
  }
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 1) {
      let box = el.parentElement, inside = false;
      while (box && box !== document.body) {
        const ox = getComputedStyle(box).overflowX;
        if ((ox === 'auto' || ox === 'scroll' || ox === 'hidden') && box.getBoundingClientRect().right <= vw + 1) { inside = true; break; }
        box = box.parentElement;
      }
      if (!inside) { wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')); if (wide.length > 10) break; }
    }
  }
  return {
    scrollWidth: doc.scrollWidth, innerWidth: vw, height: doc.scrollHeight,
    ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))
             .filter(h => !/^[a-z]+:/i.test(h)),
    entries: document.querySelectorAll('article.entry[data-entry-id]').length,
    sections: Array.from(document.querySelectorAll('main > section[id]')).map(s => s.id),
    images: Array.from(document.images).map(i => ({ok: i.complete && i.naturalWidth > 0, alt: i.alt})),
    maths: document.querySelectorAll('math').length,
    mathsWithoutAlt: Array.from(document.querySelectorAll('math')).filter(m => !m.getAttribute('alttext')).length,
    external: Array.from(document.querySelectorAll('[src], link[href]')).map(e => e.getAttribute('src') || e.getAttribute('href'))
                  .filter(u => !u.startsWith('data:') && !u.startsWith('#')),
    clipped: clipped, wide: wide,
  };
}"""

_FILTER = """(f) => {
  const b = document.querySelector('#filter button[data-filter="' + f + '"]');
  if (!b || document.getElementById('filter').hidden) return null;
  b.click();
  const all = Array.from(document.querySelectorAll('article.entry'));
  const shown = all.filter(e => e.offsetParent !== null);
  const want = all.filter(e => f === 'all' || e.dataset.verdict === f || e.dataset.severity === f);
  return {shown: shown.map(e => e.id), want: want.map(e => e.id), total: all.length,
          count: document.getElementById('filter-count').textContent};
}"""


def inspect(out_dir, *, widths=(390, 1280), screenshot: Path | None = None, filter_page: str | None = None,
            hash_probe: tuple[str, str] | None = None) -> dict:
    """Open every page of the report in `out_dir` at each width; return console errors, requests made,
    per page and width the probe's facts, the filter's behaviour on `filter_page`, and where
    `hash_probe` = (page, entry id) lands. `screenshot`: the overview at 1280 px."""
    from playwright.sync_api import sync_playwright

    out_dir = Path(out_dir)
    pages = sorted(p.name for p in out_dir.glob("*.html"))
    result = {"console": [], "page_errors": [], "requests": [], "pages": {}, "filter": {}, "hash": None}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            for width in widths:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.on("console", lambda m: result["console"].append(f"{m.type}: {m.text}")
                        if m.type in ("error", "warning") else None)
                page.on("pageerror", lambda e: result["page_errors"].append(str(e)))
                page.on("request", lambda r: result["requests"].append(r.url)
                        if not r.url.startswith(("file:", "data:")) else None)
                page.set_default_timeout(60_000)
                for name in pages:
                    page.goto((out_dir / name).resolve().as_uri(), wait_until="load")
                    page.evaluate("() => Promise.race([new Promise(r => setTimeout(r, 5000)), Promise.all("
                                  "Array.from(document.images).map(i => i.decode().catch(() => null)))])")
                    result["pages"][(name, width)] = page.evaluate(_PROBE)
                    if screenshot and name == "index.html" and width == 1280:
                        page.screenshot(path=str(screenshot), full_page=False)
                    if name == "index.html" and width == widths[-1]:
                        pdf = page.pdf(format="A4")  # the print stylesheet at work
                        result["printed_pages"] = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
                    if name == filter_page:
                        result["filter"][width] = {f: page.evaluate(_FILTER, f)
                                                   for f in ("erratum", "holds", "unrated", "error", "all")}
                if hash_probe:
                    src, ident = hash_probe
                    page.goto((out_dir / src).resolve().as_uri() + "#" + ident, wait_until="load")
                    page.wait_for_load_state("load")
                    page.wait_for_timeout(300)
                    result["hash"] = page.evaluate(
                        "(id) => {const e = document.getElementById(id); const r = e && e.getBoundingClientRect();"
                        " return {url: location.href, found: !!e, top: r ? Math.round(r.top) : null,"
                        " visible: !!e && r.top >= 0 && r.top < window.innerHeight}}", ident)
                page.close()
        finally:
            browser.close()
    return result
