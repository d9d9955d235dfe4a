"""Open a report in headless Chromium (Debian's /usr/bin/chromium via Playwright): check and screenshot.

Never downloads a browser: it drives the system Chromium through `executable_path`.
"""
from __future__ import annotations

import os
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
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && el.closest('.scroll, .statement, .kv pre, .pair > div, .corrected') === null) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + String(el.className).split(' ').join('.') : ''));
      if (wide.length > 10) break;
    }
  }
  return {
    scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth,
    entries: document.querySelectorAll('article.entry[data-entry-id]').length,
    sections: Array.from(document.querySelectorAll('main > section[id]')).map(s => s.id),
    images: Array.from(document.images).map(i => ({ok: i.complete && i.naturalWidth > 0, alt: i.alt})),
    maths: document.querySelectorAll('math').length,
    brokenLinks: Array.from(document.querySelectorAll('a[href^="#"]')).map(a => a.getAttribute('href').slice(1))
                  .filter(id => id && !document.getElementById(id)),
    external: Array.from(document.querySelectorAll('[src], link[href]')).map(e => e.getAttribute('src') || e.getAttribute('href'))
                  .filter(u => !u.startsWith('data:') && !u.startsWith('#')),
    wide: wide,
  };
}"""


def inspect(html: Path, *, screenshot: Path | None = None, phone_screenshot: Path | None = None,
            docs_screenshot: Path | None = None, desktop_width: int = 1280, phone_width: int = 375) -> dict:
    """Load `html` at desktop and phone widths; return console errors, failed requests and probe facts."""
    from playwright.sync_api import sync_playwright

    url = Path(html).resolve().as_uri()
    result = {"console": [], "page_errors": [], "requests": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            for label, width, shot in (("desktop", desktop_width, screenshot), ("phone", phone_width, phone_screenshot)):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.on("console", lambda m: result["console"].append(f"{m.type}: {m.text}")
                        if m.type in ("error", "warning") else None)
                page.on("pageerror", lambda e: result["page_errors"].append(str(e)))
                page.on("request", lambda r: result["requests"].append(r.url)
                        if not r.url.startswith(("file:", "data:")) else None)
                page.set_default_timeout(60_000)
                page.goto(url, wait_until="load")
                page.evaluate("() => Promise.race([new Promise(r => setTimeout(r, 5000)), Promise.all("
                              "Array.from(document.images).map(i => i.decode().catch(() => null)))])")
                result[label] = page.evaluate(_PROBE)
                if shot:
                    page.screenshot(path=str(shot), full_page=False)
                if label == "desktop" and docs_screenshot:
                    page.set_viewport_size({"width": 1200, "height": 860})
                    page.screenshot(path=str(docs_screenshot), full_page=False)
                page.close()
        finally:
            browser.close()
    return result
