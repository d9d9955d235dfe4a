"""The errata sheet: what an instructor would send each document's author, built from catalog records.

It consumes catalog records (as `mlp-ref catalog --json` prints them, or the `catalog` list of a
report's results.json) and never runs a check. Per document, in document order: the errors, then
the slips, then, in a section of their own, the findings that are most likely damage from the text
extraction of this copy. A fault shared by several entries (`same_fault_as`) is listed once, at its
owner, with the other places it recurs.
"""
from __future__ import annotations

import html
import re

SECTIONS = (
    ("error", "Errors", "following the text as printed gives a wrong number, formula or conclusion"),
    ("slip", "Slips", "notational typos a reader corrects without changing any result"),
    ("transcription", "Possible damage in this copy of the text",
     "most likely introduced by the text extraction of this copy, not by the author"),
)
# an erratum whose findings state no severity (a document package still being written) is listed last
UNRATED = ("unrated", "Not yet rated", "no severity recorded yet")
EVIDENCE_CHARS = 240


def one_line(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"


def _corrected_from(explanation: str) -> str:
    """The corrected form as the explanation states it (catalog JSON carries no separate field)."""
    m = re.search(r"\. Corrected: (.*?)(?:\. The same fault as \S+, counted there)?$", explanation or "", re.S)
    return m.group(1) if m else ""


def _item(rec: dict, repeats: list[dict]) -> dict:
    worst = [f for f in rec.get("findings", []) if f.get("status") == "mismatch"
             and f.get("severity") == rec.get("severity")]
    first = worst[0] if worst else {}
    printed = [f["documented"] for f in worst if f.get("documented")]
    return {
        "id": rec["id"],
        "location": rec["location"],
        "severity": rec["severity"],
        "as_printed": rec["statement"],
        "as_printed_values": printed,
        "corrected": rec.get("corrected_statement") or _corrected_from(rec.get("explanation", "")),
        "evidence": one_line(first.get("evidence", rec.get("explanation", ""))),
        "reason": one_line(first.get("reason", ""), 200),
        "findings": len(worst),
        "also_at": [{"id": r["id"], "location": r["location"]} for r in repeats],
    }


def sheet(records: list[dict], sources: dict[str, str]) -> list[dict]:
    """The errata sheet: one block per document of `sources` (in that order) that has errata."""
    repeats: dict[str, list[dict]] = {}
    for rec in records:
        if rec.get("same_fault_as") and rec.get("verdict") == "erratum":
            repeats.setdefault(rec["same_fault_as"], []).append(rec)
    out = []
    for source, title in sources.items():
        owners = [r for r in records if r.get("source") == source and r.get("verdict") == "erratum"
                  and not r.get("same_fault_as")]
        if not owners:
            continue
        block = {"source": source, "title": title, "faults": len(owners)}
        for severity, _, _ in SECTIONS:
            block[severity] = [_item(r, repeats.get(r["id"], [])) for r in owners if r.get("severity") == severity]
        block["unrated"] = [_item(r, repeats.get(r["id"], [])) for r in owners
                            if r.get("severity") not in {s for s, _, _ in SECTIONS}]
        out.append(block)
    return out


def sections(block: dict):
    """(key, heading, meaning, items) for each non-empty section of a document's block, in sheet order."""
    for key, heading, meaning in SECTIONS + (UNRATED,):
        if block.get(key):
            yield key, heading, meaning, block[key]


def counts(blocks: list[dict]) -> dict[str, int]:
    """Faults by severity over the whole sheet (each fault once)."""
    return {s: sum(len(b[s]) for b in blocks) for s, _, _ in SECTIONS}


def to_markdown(blocks: list[dict]) -> str:
    """The sheet as Markdown, ready to paste into a message to an author."""
    lines = ["# Errata", ""]
    c = counts(blocks)
    lines.append(", ".join(f"{n} {s}{'s' if n != 1 and s != 'transcription' else ''}" for s, n in c.items())
                 + " (each fault counted once).")
    if not blocks:
        lines += ["", "No errata: every checked formula, example and claim holds."]
    for b in blocks:
        lines += ["", f"## {b['title']}", "", f"`{b['source']}` — {b['faults']} fault(s)."]
        for _, heading, meaning, items in sections(b):
            lines += ["", f"### {heading}", "", f"_{meaning}_", ""]
            for i, it in enumerate(items, 1):
                lines.append(f"{i}. **{it['location']}** (`{it['id']}`, {it['severity'] or 'unrated'})")
                lines.append(f"   - As printed: {it['as_printed']}")
                if it["corrected"]:
                    lines.append(f"   - Corrected: {it['corrected']}")
                lines.append(f"   - Evidence: {it['evidence']}")
                if it["reason"]:
                    lines.append(f"   - Why {it['severity']}: {it['reason']}")
                if it["also_at"]:
                    lines.append("   - The same fault also at: "
                                 + ", ".join(f"{a['location']} (`{a['id']}`)" for a in it["also_at"]))
    return "\n".join(lines) + "\n"


def to_html(blocks: list[dict], render_math=None) -> str:
    """The sheet as one self-contained HTML page; `render_math(text)` renders a statement (MathML)."""
    esc = render_math or (lambda t: html.escape(t))
    c = counts(blocks)
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
             "<meta name=viewport content='width=device-width, initial-scale=1'><title>Errata</title>",
             "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}"
             "li{margin:.6rem 0}dt{font-weight:600}dd{margin:0 0 .2rem 1rem}.sev{font-size:.8em;padding:0 .4em;"
             "border-radius:.3em;background:#eee}.error{background:#fdd}.slip{background:#ffe9b3}"
             ".transcription{background:#dde8ff}math{font-size:1.05em}"
             "@media print{body{max-width:none;font-size:11pt}li{break-inside:avoid}}</style></head><body>",
             "<h1>Errata</h1>",
             "<p>" + ", ".join(f"{n} {html.escape(s)}" for s, n in c.items()) + " (each fault counted once).</p>"]
    if not blocks:
        parts.append("<p>No errata: every checked formula, example and claim holds.</p>")
    for b in blocks:
        parts.append(f"<section><h2>{html.escape(b['title'])}</h2><p><code>{html.escape(b['source'])}</code>"
                     f" — {b['faults']} fault(s).</p>")
        for _, heading, meaning, items in sections(b):
            parts.append(f"<h3>{html.escape(heading)}</h3><p><em>{html.escape(meaning)}</em></p><ol>")
            for it in items:
                sev = html.escape(it["severity"] or "unrated")
                parts.append(f"<li id='errata-{html.escape(it['id'])}'><strong>{html.escape(it['location'])}</strong> "
                             f"<span class='sev {sev}'>{sev}</span> <code>{html.escape(it['id'])}</code><dl>"
                             f"<dt>As printed</dt><dd>{esc(it['as_printed'])}</dd>")
                if it["corrected"]:
                    parts.append(f"<dt>Corrected</dt><dd>{esc(it['corrected'])}</dd>")
                parts.append(f"<dt>Evidence</dt><dd>{html.escape(it['evidence'])}</dd>")
                if it["reason"]:
                    parts.append(f"<dt>Why {sev}</dt><dd>{html.escape(it['reason'])}</dd>")
                if it["also_at"]:
                    parts.append("<dt>The same fault also at</dt><dd>" + ", ".join(
                        f"{html.escape(a['location'])} (<code>{html.escape(a['id'])}</code>)" for a in it["also_at"])
                        + "</dd>")
                parts.append("</dl></li>")
            parts.append("</ol>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
