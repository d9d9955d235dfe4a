"""`mlp-ref catalog` and `mlp-ref errata`: the catalog's entries, findings and errata sheet."""
from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from .registry import SEVERITIES, VERDICTS


class UsageError(Exception):
    """A bad argument value; the command prints it and exits with 2."""


def resolve_source(value: str, sources) -> str:
    """A document named by its file name or identifier, its number ("002"), its id prefix ("cos324")
    or its package's entry-point name."""
    from . import catalog, registry

    if value in sources:
        return value
    by_prefix = {}
    for e in catalog.entries():
        by_prefix.setdefault(e.id.split("-")[0], e.source)
    hits = [s for s in sources if s.split("_")[0] == value or s.split(".")[0] == value]
    if value in by_prefix:
        hits.append(by_prefix[value])
    by_name = {d.name: d.source for d in registry.DOCUMENTS.values() if d.name and d.source in sources}
    if value in by_name:
        hits.append(by_name[value])
    if len(set(hits)) == 1:
        return hits[0]
    names = list(sources) + list(by_prefix) + [n for n in by_name if n not in by_prefix]
    near = difflib.get_close_matches(value, names, n=3, cutoff=0.3)
    raise UsageError(f"--source: no document {value!r}; expected a file name, number, id prefix or document name"
                     + (f" (did you mean {', '.join(near)}?)" if near else f" (one of {', '.join(names)})"))


def source_scope(value: str | None):
    """A context manager limiting the catalog to the document `value` names (all when None);
    raises UsageError for an unknown document. Used by `check --source` and `report --source`."""
    import contextlib

    from . import catalog
    from .registry import SOURCES

    if value is None:
        return contextlib.nullcontext()
    catalog.entries()
    return catalog.only_sources([resolve_source(value, SOURCES)])


def nearest_ids(value: str, ids, n: int = 3) -> list[str]:
    near = difflib.get_close_matches(value, ids, n=n, cutoff=0.5)
    return near or [i for i in ids if value and (value in i or i in value)][:n]


def select(source=None, verdict=None, entry_id=None):
    """The entries chosen by the filters (evaluated lazily by the caller)."""
    from . import catalog
    from .registry import SOURCES

    entries = catalog.entries()
    if entry_id is not None:
        match = [e for e in entries if e.id == entry_id]
        if not match:
            near = nearest_ids(entry_id, [e.id for e in entries])
            raise UsageError(f"no catalog entry {entry_id!r}" + (f"; did you mean {', '.join(near)}?" if near else
                                                                "; run `mlp-ref catalog` for the list"))
        return match
    if verdict is not None and verdict not in VERDICTS:
        near = difflib.get_close_matches(verdict, VERDICTS, n=1, cutoff=0.3)
        raise UsageError(f"--verdict: expected one of {', '.join(VERDICTS)}, got {verdict!r}"
                         + (f" (did you mean {near[0]}?)" if near else ""))
    if source is not None:
        src = resolve_source(source, SOURCES)
        entries = [e for e in entries if e.source == src]
    return entries


def summary_line(rec: dict) -> str:
    """What holds and what does not, in one line."""
    fs = rec["findings"]
    ok = [f for f in fs if f["status"] == "ok"]
    other = [f for f in fs if f["status"] != "ok"]
    if not other:
        return f"all {len(fs)} check{'s' if len(fs) != 1 else ''} hold"
    parts = []
    for f in other:
        tag = f["severity"] if f["status"] == "mismatch" else f["status"]
        parts.append(f"{f['key']} ({tag})")
    line = f"{len(ok)} of {len(fs)} hold; not: " + ", ".join(parts)
    if rec.get("same_fault_as"):
        line += f"; same fault as {rec['same_fault_as']}"
    return line


def fault_counts(records: list[dict]) -> dict:
    """Entries by verdict, and faults (each shared fault once) by severity and for conventions."""
    by_verdict = {v: sum(r["verdict"] == v for r in records) for v in VERDICTS}
    owners = [r for r in records if not r.get("same_fault_as")]
    errata = {s: sum(r["verdict"] == "erratum" and r["severity"] == s for r in owners) for s in SEVERITIES}
    errata["unrated"] = sum(r["verdict"] == "erratum" and r["severity"] not in SEVERITIES for r in owners)
    conventions = sum(r["verdict"] == "convention" for r in owners)
    return {"entries": len(records), "verdicts": by_verdict, "errata": errata, "conventions": conventions}


def _print_table(records: list[dict], out) -> None:
    cols = (("id", 34), ("location", 28), ("verdict", 10), ("severity", 13))
    out.write("  ".join(n.ljust(w) for n, w in cols) + "  summary\n")
    out.write("  ".join("-" * w for _, w in cols) + "  " + "-" * 40 + "\n")
    for rec in records:
        row = (rec["id"], rec["location"], rec["verdict"], rec["severity"] or "-")
        out.write("  ".join(str(v)[:w].ljust(w) for v, (_, w) in zip(row, cols)) + "  " + summary_line(rec) + "\n")
    c = fault_counts(records)
    verdicts = ", ".join(f"{n} {v}" for v, n in c["verdicts"].items() if n)
    errata = ", ".join(f"{n} {s}" for s, n in c["errata"].items() if n)
    out.write(f"\n{c['entries']} entr{'y' if c['entries'] == 1 else 'ies'}: {verdicts}\n")
    out.write(f"faults, each counted once: {sum(c['errata'].values())} errata ({errata or 'none'}), "
              f"{c['conventions']} conventions\n")


def _print_entry(rec: dict, entry, out) -> None:
    out.write(f"{rec['id']}  ({rec['source']}, {rec['location']}, {rec['kind']})\n")
    out.write(f"verdict: {rec['verdict']}" + (f", severity: {rec['severity']}" if rec["severity"] else "")
              + (f", same fault as {rec['same_fault_as']}" if rec["same_fault_as"] else "") + "\n")
    out.write(f"statement: {rec['statement']}\n")
    if entry.reading:
        out.write(f"reading: {entry.reading}\n")
    if rec["verdict"] == "erratum" and entry.corrected_statement:
        out.write(f"corrected: {entry.corrected_statement}\n")
    out.write("findings:\n")
    for f in rec["findings"]:
        mark = {"ok": "ok", "mismatch": "MISMATCH", "convention": "convention", "missing": "missing"}[f["status"]]
        out.write(f"  [{mark}] {f['key']}: {f['what']}\n")
        if f["documented"] is not None:
            out.write(f"      as printed: {f['documented']}\n")
        if f["status"] != "ok" and f.get("as_written") is not None:
            out.write(f"      as written gives: {json.dumps(f['as_written'], ensure_ascii=False)[:200]}\n")
        if f["computed"] is not None:
            out.write(f"      computed: {json.dumps(f['computed'], ensure_ascii=False)[:200]}\n")
        if f["status"] != "ok":
            out.write(f"      evidence: {f['evidence']}\n")
        if f["severity"]:
            out.write(f"      severity: {f['severity']} ({f['reason']})\n")


def cmd_catalog(args) -> int:
    from . import catalog

    try:
        chosen = select(args.source, args.verdict, args.id)
    except UsageError as exc:
        print(f"mlp-ref catalog: {exc}", file=sys.stderr)
        return 2
    records = catalog.evaluate(chosen)
    if args.verdict:
        records = [r for r in records if r["verdict"] == args.verdict]
    if args.json:
        json.dump(records[0] if args.id else records, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if args.id:
        _print_entry(records[0], chosen[0], sys.stdout)
    else:
        _print_table(records, sys.stdout)
    return 0


def add_catalog_parser(sub) -> argparse.ArgumentParser:
    c = sub.add_parser("catalog", help="list every formula, example and claim with its computed verdict",
                       description="Evaluate the catalog and list id, location, verdict, severity and what "
                                   "holds; with ID, print one entry with its findings.")
    c.add_argument("id", nargs="?", metavar="ID", help="one entry id: print it with its findings")
    c.add_argument("--source", metavar="DOC", help="only this document (file name, number, id prefix or document name)")
    c.add_argument("--verdict", metavar="VERDICT", help=f"only this verdict ({', '.join(VERDICTS)})")
    c.add_argument("--json", action="store_true", help="print the entries as a JSON list")
    c.set_defaults(func=cmd_catalog)
    return c


# ------------------------------------------------------------------------------------------ errata
def cmd_errata(args) -> int:
    from reports import errata

    from . import catalog
    from .registry import SOURCES

    catalog.entries()  # load every installed document first
    try:
        if args.from_json:
            data = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
            records = data.get("catalog") if isinstance(data, dict) else data
            sources = (data.get("sources") if isinstance(data, dict) else None) or dict(SOURCES)
            if not isinstance(records, list):
                raise UsageError(f"--from: {args.from_json} holds no catalog records")
        else:
            records, sources = None, dict(SOURCES)
        if args.source:
            src = resolve_source(args.source, sources)
            sources = {src: sources[src]}
        if records is None:
            chosen = [e for e in catalog.entries() if e.source in sources]
            records = catalog.evaluate(chosen)
            corrected = {e.id: e.corrected_statement for e in chosen}
            for r in records:
                r["corrected_statement"] = corrected[r["id"]]
    except UsageError as exc:
        print(f"mlp-ref errata: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"mlp-ref errata: --from: cannot read {args.from_json}: {exc}", file=sys.stderr)
        return 2
    blocks = errata.sheet(records, sources)
    if args.format == "md":
        text = errata.to_markdown(blocks)
    else:
        try:
            from reports import mathml
            render = (lambda t: str(mathml.render(t))) if mathml.available() else None
        except ImportError:
            render = None
        text = errata.to_html(blocks, render)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        c = errata.counts(blocks)
        print(f"wrote {args.out}: " + ", ".join(f"{n} {s}" for s, n in c.items()), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def add_errata_parser(sub) -> argparse.ArgumentParser:
    e = sub.add_parser("errata", help="the errata sheet per document: errors, slips, possible transcription damage",
                       description="Per document, in document order, what an instructor would send the author: "
                                   "location, as printed, corrected form, one line of evidence, severity. Errors "
                                   "first, then slips; possible damage in this copy of the text separately. "
                                   "Each fault is counted once.")
    e.add_argument("--source", metavar="DOC", help="only this document (file name, number, id prefix or document name)")
    e.add_argument("--format", choices=("md", "html"), default="md", help="Markdown (default) or HTML")
    e.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")
    e.add_argument("--from", dest="from_json", metavar="JSON",
                   help="build from a report's results.json or `mlp-ref catalog --json` output (nothing is run)")
    e.set_defaults(func=cmd_errata)
    return e
