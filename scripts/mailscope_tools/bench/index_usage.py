"""index-usage: which statements use which index of a MailScope database, and what each index costs.

For every bundled rule and hunt (the YAML catalog: its SQL with the rule's own `params:` and a
`:since`/`:until` window over the database's data bound), and for every statement of a SQL trace
(`MAILSCOPE_SQL_TRACE=FILE mailscope …` writes each distinct statement a run, query, triage or
prune executes, with its first bound values: incident building, investigations, reports), this
asks SQLite's planner (EXPLAIN QUERY PLAN, the same libsqlite3 mailscope links) which indexes it
uses, and measures each index's pages (dbstat). With --without it also says, for each index no
statement needs (uses for more than a whole-index scan), which statements' plans change when that index is gone (dropped inside a
transaction that is rolled back: the database is not changed).

  scripts/index-usage DB [--trace FILE …] [--rules DIR] [--without] [--markdown] [--out FILE]
"""
import argparse
import glob
import json
import os
import re
import sqlite3
import sys

from ..paths import ROOT
from .store_bytes import EVENT_TABLES, quote

RULES = os.path.join(ROOT, "Sources", "MailScopeKit", "Resources", "rules")
SOURCES = os.path.join(ROOT, "Sources")
USES = re.compile(r"\bUSING (?:COVERING )?INDEX (\w+)")
# A whole-index scan without a key (SCAN t USING COVERING INDEX x, as COUNT(*) does over the
# narrowest index) reads the index only for its columns; every other use (a SEARCH by key, a scan
# that fetches rows in the index's order, any use of a partial index) needs that index.
WHOLE_SCAN = re.compile(r"^SCAN \S+(?: AS \S+)? USING COVERING INDEX (\w+)$")
TEMP = re.compile(r"^CREATE\s+(?:TEMP|TEMPORARY)\s+TABLE|^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF NOT EXISTS\s+)?temp\.", re.IGNORECASE)
COMMENTS = re.compile(r"^(?:\s*--[^\n]*\n)*\s*")
# Statements a plan says nothing useful about (schema, transactions, pragmas).
SKIP = re.compile(r"^\s*(PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|CREATE|DROP|ALTER|ANALYZE|VACUUM|ATTACH|DETACH)\b",
                  re.IGNORECASE)


def rule_statements(folder, since, until):
    """(label, sql, bindings) of every rule and hunt in folder, parameters bound to the rule's defaults."""
    import yaml
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.yml"))):
        with open(path, encoding="utf-8") as f:
            rule = yaml.safe_load(f)
        sql = rule.get("sql")
        if not sql:
            continue
        values = {"since": since, "until": until}
        values.update(rule.get("params") or {})
        names = set(re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", sql))
        bindings = {n: (json.dumps(values[n]) if isinstance(values.get(n), (list, dict)) else values.get(n)) for n in names}
        out.append((rule["id"], sql, bindings))
    return out


def source_files(sql, sources=SOURCES):
    """The Swift files under sources whose text holds the statement's most distinctive line."""
    lines = [ln.strip() for ln in sql.splitlines() if len(ln.strip()) > 12]
    if not lines:
        return []
    key = max(lines, key=len)[:60]
    found = []
    for path in sorted(glob.glob(os.path.join(sources, "**", "*.swift"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            if key in f.read():
                found.append(os.path.relpath(path, sources))
    return found


def trace_statements(paths, rules, sources=SOURCES, temp_tables=None):
    """(label, sql, None) of each distinct traced statement: the rule it runs, else the source file(s)
    holding it. The temporary tables the trace creates are added to temp_tables (to create before planning)."""
    temp_tables = [] if temp_tables is None else temp_tables
    out, seen = [], set()
    bodies = [(rid, " ".join(sql.split())) for rid, sql, _ in rules]
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                text = entry["sql"]
                if text in seen:
                    continue
                if TEMP.match(COMMENTS.sub("", text)):
                    temp_tables.append(text)
                if SKIP.match(COMMENTS.sub("", text)):
                    continue
                seen.add(text)
                flat = " ".join(text.split())
                rule = next((rid for rid, body in bodies if body.rstrip(";") in flat), None)
                first = flat[:70]
                if rule:
                    label = f"run of {rule}: {first}"
                else:
                    files = source_files(text, sources)
                    label = f"{', '.join(files) or 'unknown source'}: {first}"
                out.append((label, entry["expanded"], None))
    return unique(out)


def unique(statements):
    """The statements with labels made distinct (#2, #3 … after a label seen before)."""
    counts, out = {}, []
    for label, sql, bindings in statements:
        counts[label] = counts.get(label, 0) + 1
        out.append((label if counts[label] == 1 else f"{label} #{counts[label]}", sql, bindings))
    return out


def plan(db, sql, bindings, partial=frozenset()):
    """(indexes used, plan details, indexes used for more than a whole-index scan) of one statement."""
    rows = db.execute("EXPLAIN QUERY PLAN " + sql, bindings or {}).fetchall()
    details = [r[3] for r in rows]
    needed = {m for d in details if not WHOLE_SCAN.match(d) for m in USES.findall(d)}
    needed |= {m for d in details for m in USES.findall(d) if m in partial}
    return sorted({m for d in details for m in USES.findall(d)}), details, sorted(needed)


def index_bytes(db):
    """{index: (table, bytes, unique)} of every index that has SQL (not SQLite's automatic ones)."""
    pages = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
    return {name: (table, pages.get(name, 0), sql.upper().startswith("CREATE UNIQUE")) for name, table, sql in
            db.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")}


def analyse(path, trace_paths=(), rules_dir=RULES, without=False, sources=SOURCES):
    """The plans of the catalog's rules and the traced statements on the database at path, and
    for each index its bytes and the statements that use it (see the module's doc)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True) if not without else sqlite3.connect(path)
    db.isolation_level = None
    existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    events = sum(db.execute(f"SELECT count(*) FROM {quote(t)}").fetchone()[0] for t in EVENT_TABLES if t in existing)
    lo, hi = db.execute("SELECT MIN(ts), MAX(ts) FROM mail_message").fetchone() if "mail_message" in existing else (0, 0)
    rules = rule_statements(rules_dir, lo or 0, hi or 0) if rules_dir else []
    temp_tables = []
    statements = rules + trace_statements(trace_paths, rules, sources, temp_tables)
    for sql in temp_tables:
        try:
            db.execute(sql)
        except sqlite3.Error:
            pass                    # created twice in the trace, or needs a table it did not record
    partial = frozenset(r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"))
    plans, failed = {}, {}
    for label, sql, bindings in statements:
        try:
            plans[label] = plan(db, sql, bindings, partial)
        except sqlite3.Error as error:
            failed[label] = str(error)
    sizes = index_bytes(db)
    indexes = {}
    for name, (table, size, is_unique) in sizes.items():
        indexes[name] = {
            "table": table,
            "unique": is_unique,
            "bytes": size,
            "bytes_per_event": round(size / events, 1) if events else None,
            "statements": sorted(label for label, (used, _, _) in plans.items() if name in used),
            "needed_by": sorted(label for label, (_, _, needed) in plans.items() if name in needed),
        }
    if without:
        for name, entry in indexes.items():
            if entry["needed_by"]:
                continue
            db.execute("BEGIN")
            try:
                db.execute(f"DROP INDEX {quote(name)}")
                changed = sorted(label for label, sql, b in statements if label in plans
                                 and plan(db, sql, b, partial)[1] != plans[label][1])
            finally:
                db.execute("ROLLBACK")
            entry["plans_changed_without_it"] = changed
    db.close()
    return {
        "database": os.path.abspath(path),
        "sqlite_version": sqlite3.sqlite_version,
        "events": events,
        "statements": len(statements),
        "indexes": indexes,
        "plans": {label: {"indexes": used, "plan": details} for label, (used, details, _) in sorted(plans.items())},
        "failed": failed,
        "rules_failed": sorted(label for label in failed if label in {r[0] for r in rules}),
    }


def users(labels, needed):
    """Statement labels condensed for a table: rule ids, then Swift files, then built SQL; a user
    that only reads the whole index for its columns (COUNT(*)) marked "scan"."""
    rules, files, built = {}, {}, {}
    for label in labels:
        scan = label not in needed
        rule = re.match(r"(?:run of )?(MS-[A-Z]+-[\w-]+?)(?::| #|$)", label)
        if rule:
            group, key = rules, rule.group(1)
        elif label.startswith("unknown source: "):
            group, key = built, "built: " + label[len("unknown source: "):].split(" #")[0][:48].rstrip()
        else:
            group, key = files, ", ".join(os.path.basename(f) for f in label.split(": ")[0].split(", "))
        group[key] = group.get(key, True) and scan
    parts = []
    for group in (rules, files, built):
        parts += [k + (" (scan)" if scan else "") for k, scan in sorted(group.items())]
    return "; ".join(parts)


def markdown(result, event_tables_only=True):
    """A Markdown table: index, bytes per event, the statements that use it."""
    lines = ["| index | bytes/event | statements that use it |", "|---|---:|---|"]
    for name, e in sorted(result["indexes"].items(), key=lambda kv: -kv[1]["bytes"]):
        if event_tables_only and e["table"] not in EVENT_TABLES:
            continue
        text = users(e["statements"], set(e["needed_by"])).replace("|", "\\|") or (
            "none: a UNIQUE key (ingest's dedup), no plan" if e.get("unique") else "**none**")
        lines.append(f"| `{name}` | {e['bytes_per_event']} | {text} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--trace", action="append", default=[], help="a MAILSCOPE_SQL_TRACE file (repeatable)")
    parser.add_argument("--rules", default=RULES, help="the rule catalog folder (default: the bundled one)")
    parser.add_argument("--without", action="store_true",
                        help="for each unused index, the statements whose plan changes without it (needs write access)")
    parser.add_argument("--markdown", action="store_true", help="print the event tables' index table as Markdown")
    parser.add_argument("--out", help="write the JSON here")
    args = parser.parse_args(argv)
    if not os.path.exists(args.db):
        parser.error(f"{args.db}: no such database")
    result = analyse(args.db, args.trace, args.rules, args.without)
    text = json.dumps(result, indent=2) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    if args.markdown:
        sys.stdout.write(markdown(result))
    elif not args.out:
        sys.stdout.write(text)
    if result["failed"]:
        sys.stderr.write(f"{len(result['failed'])} statements could not be planned (see \"failed\" in the JSON)\n")
    return 1 if result["rules_failed"] else 0
