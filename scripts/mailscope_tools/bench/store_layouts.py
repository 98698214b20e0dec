"""store-experiment: other store layouts for issue 20, measured on a copy of a real database.

Issue 20 asks for "values stored once" (interned dimensions behind views that keep today's table
and column names) and a nightly cost flat with history (event tables partitioned by time behind
UNION ALL views, or staging merged in key order). Before the store is rebuilt either way, this
measures each layout on a copy of a MailScope database: it rewrites the event tables, keeps
their indexes, runs ANALYZE and VACUUM, and compares with the original:

- bytes per event of the whole file;
- every bundled rule and hunt, run on both databases with its own parameters and a window over
  the data: time (best of --repeat runs, the original measured before and after the layouts),
  whether the result rows are identical, and errors;
- the rules whose time grows the most.

Layouts:
- `interned-all`: every repeating TEXT column of the event tables in one `dim_text` table of
  distinct values, integer keys in `<table>_row`, a view `<table>` with each column read back
  through a LEFT JOIN, the indexes rebuilt on the keys;
- `interned-mixed`: columns that rules filter or join on through a LEFT JOIN, the other
  repeating columns through a scalar subquery (no join: SQLite evaluates it only where the
  column is read); message and aggregate ids stay in the row;
- `interned-display`: only columns no index holds and rules do not join on, by scalar subquery;
- `partitioned`: each event table cut at its median time into `<table>_p1` and `<table>_p2`,
  each with the table's indexes, and a view `<table>` over `… UNION ALL …` (two partitions
  stand for the months of a longer history).

The original database is only read.

  scripts/store-experiment DB [--layouts interned-all,interned-mixed,interned-display,partitioned]
                           [--work DIR] [--repeat 2] [--out FILE]
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import sys
import time

from .index_usage import RULES, rule_statements
from .store_bytes import quote

# The event tables the experiment rewrites (the ones that hold 99 % of the rows).
TABLES = ("mail_message", "edr_event", "attachment_scan", "mail_event", "url_click")

# Columns never interned: keys, numbers, per-row values (processing id, extra, raw), and the
# closed enumerations that partial indexes and rules test by value (a partial index's WHERE
# names the text, so an interned one could not be matched by the planner).
ROW_VALUES = frozenset({
    "id", "file_id", "line_no", "record_no", "dedup", "ts", "event", "direction", "action", "delivered",
    "hold_reason", "scan_result", "result", "is_click", "known_type", "attachment_count", "attachments_bytes",
    "size_bytes", "spam_score", "spam_detection_level", "delivery_attempts", "delivery_time_ms", "file_size",
    "remote_port", "aggregate_id_suffix", "processing_id", "extra", "raw", "event_type", "process_id",
    "parent_process_id", "subtype", "spf", "dkim", "dmarc"})

# Columns that rules and fixed SQL filter or join on (see scripts/index-usage), read back
# through a join so that the planner can start from the dimension's value index.
JOINED = frozenset({
    "sender", "sender_domain", "recipient", "recipient_domain", "user", "user_domain", "url_domain", "url_host",
    "host", "domain", "remote_ip", "sha256", "file_name", "user_email", "account", "sender_ip", "process",
    "parent_process", "source", "account_id", "product"})

# Per-message identifiers: about three rows each, so interning saves little.
MESSAGE_KEYS = frozenset({"message_id", "aggregate_id", "message_id_raw", "url_resource"})

VARIANTS = ("interned-all", "interned-mixed", "interned-display", "partitioned")


def interned_columns(columns, variant):
    """{column: 'join' | 'subquery'} of the TEXT columns the variant interns."""
    out = {}
    for name, kind in columns:
        if name in ROW_VALUES or kind.upper() != "TEXT":
            continue
        if variant == "interned-all":
            out[name] = "join"
        elif name in MESSAGE_KEYS:
            continue
        elif name in JOINED:
            if variant == "interned-mixed":
                out[name] = "join"
        else:
            out[name] = "subquery"
    return out


def view_sql(table, columns, interned):
    """The CREATE VIEW that reads the compact table back under the table's own name and columns."""
    select, joins = [], []
    for name, _ in columns:
        how = interned.get(name)
        if how == "join":
            select.append(f"d_{name}.value AS {quote(name)}")
            joins.append(f"LEFT JOIN dim_text d_{name} ON d_{name}.id = r.{quote(name + '_k')}")
        elif how == "subquery":
            select.append(f"(SELECT value FROM dim_text WHERE id = r.{quote(name + '_k')}) AS {quote(name)}")
        else:
            select.append(f"r.{quote(name)}")
    return f"CREATE VIEW {quote(table)} AS SELECT {', '.join(select)} FROM {quote(table + '_row')} r {' '.join(joins)}"


def index_sql(sql, table, interned):
    """An index of the table rebuilt on the compact table, interned columns by their key."""
    head, _, rest = re.sub(r"\bON\s+" + table + r"\s*\(", f"ON {table}_row(", sql, count=1).partition("(")
    inner, _, tail = rest.rpartition(")")
    for name in interned:
        if re.search(r"\b" + name + r"\b", inner):
            inner = re.sub(r"\b" + name + r"\b", name + "_k", inner).replace(" COLLATE NOCASE", "")
    return head + "(" + inner + ")" + tail


def rewrite(source, target, change):
    """Copies source to target, runs change(db, tables) in one transaction over the experiment's
    event tables the copy has, then ANALYZE and VACUUM; returns what change returned."""
    shutil.copyfile(source, target)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    tables = [t for t in TABLES if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)).fetchone()]
    db.execute("BEGIN")
    result = change(db, tables)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.execute("VACUUM")
    db.close()
    return result


def indexes_of(db, table):
    """(name, sql) of the table's own indexes (not SQLite's automatic ones)."""
    return db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                      (table,)).fetchall()


def build(source, target, variant):
    """Writes the variant's database at target from a copy of source; returns {table: interned}
    of the event tables the database has."""
    def change(db, tables):
        db.execute("CREATE TABLE dim_text (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE)")
        layout = {}
        for table in tables:
            columns = db.execute("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", (table,)).fetchall()
            layout[table] = (columns, interned_columns(columns, variant))
            for name in layout[table][1]:
                db.execute(f"INSERT OR IGNORE INTO dim_text(value) SELECT {quote(name)} FROM {quote(table)} "
                           f"WHERE {quote(name)} IS NOT NULL ORDER BY 1")
        for table in tables:
            columns, interned = layout[table]
            indexes = indexes_of(db, table)
            definitions = [("id INTEGER PRIMARY KEY" if name == "id" else
                            f"{quote(name + '_k')} INTEGER" if name in interned else f"{quote(name)} {kind}")
                           for name, kind in columns]
            db.execute(f"CREATE TABLE {quote(table + '_row')} ({', '.join(definitions)})")
            values = ", ".join(f"(SELECT id FROM dim_text WHERE value = t.{quote(name)})" if name in interned else f"t.{quote(name)}"
                               for name, _ in columns)
            db.execute(f"INSERT INTO {quote(table + '_row')} SELECT {values} FROM {quote(table)} t ORDER BY t.id")
            for name, _ in indexes:
                db.execute(f"DROP INDEX {quote(name)}")
            db.execute(f"DROP TABLE {quote(table)}")
            db.execute(view_sql(table, columns, interned))
            for _, sql in indexes:
                db.execute(index_sql(sql, table, interned))
        return {table: layout[table][1] for table in tables}
    return rewrite(source, target, change)


def build_partitioned(source, target):
    """Writes the partitioned layout at target from a copy of source; returns {table: cut time}."""
    def change(db, tables):
        cuts = {}
        for table in tables:
            count = db.execute(f"SELECT COUNT(*) FROM {quote(table)}").fetchone()[0]
            row = db.execute(f"SELECT ts FROM {quote(table)} ORDER BY ts LIMIT 1 OFFSET ?", (count // 2,)).fetchone()
            cut = cuts[table] = row[0] if row else 0
            create = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
            indexes = indexes_of(db, table)
            for part, condition in (("p1", "ts < ? OR ts IS NULL"), ("p2", "ts >= ?")):
                name = f"{table}_{part}"
                db.execute(re.sub(r"^CREATE TABLE\s+\"?" + table + r"\"?", f"CREATE TABLE {quote(name)}", create, count=1))
                db.execute(f"INSERT INTO {quote(name)} SELECT * FROM {quote(table)} WHERE {condition} ORDER BY id", (cut,))
            for index, _ in indexes:
                db.execute(f"DROP INDEX {quote(index)}")
            db.execute(f"DROP TABLE {quote(table)}")
            db.execute(f"CREATE VIEW {quote(table)} AS SELECT * FROM {quote(table + '_p1')} UNION ALL SELECT * FROM {quote(table + '_p2')}")
            for index, sql in indexes:
                for part in ("p1", "p2"):
                    db.execute(re.sub(r"\b" + index + r"\b\s+ON\s+" + table + r"\s*\(", f"{index}_{part} ON {table}_{part}(", sql, count=1))
        return cuts
    return rewrite(source, target, change)


def events(db):
    """Rows of the experiment's event tables (tables or views) the database has."""
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    return sum(db.execute(f"SELECT COUNT(*) FROM {quote(t)}").fetchone()[0] for t in TABLES if t in names)


def run_rules(path, statements, repeat):
    """{rule: (seconds, sorted result rows or an error)} of each statement on the database at path."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out = {}
    for rule, sql, bindings in statements:
        best, rows = None, None
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                rows = sorted(map(repr, db.execute(sql, bindings).fetchall()))
            except sqlite3.Error as error:
                rows = f"error: {error}"
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        out[rule] = (best, rows)
    db.close()
    return out


def compare(original, variant):
    """Per-rule figures of a variant against the original run."""
    rules, total = {}, [0.0, 0.0]
    for rule, (seconds, rows) in original.items():
        v_seconds, v_rows = variant[rule]
        total[0] += seconds
        total[1] += v_seconds
        rules[rule] = {"seconds": round(seconds, 4), "variant_seconds": round(v_seconds, 4),
                       "same_rows": rows == v_rows, "error": v_rows if isinstance(v_rows, str) else None}
    slowest = sorted(rules, key=lambda r: rules[r]["variant_seconds"] - rules[r]["seconds"], reverse=True)[:8]
    return {"rules_seconds": round(total[0], 3), "variant_rules_seconds": round(total[1], 3),
            "rules_with_other_rows": sorted(r for r in rules if not rules[r]["same_rows"]),
            "rules_failing": sorted(r for r in rules if rules[r]["error"]),
            "most_slowed": [{"rule": r, **rules[r]} for r in slowest], "rules": rules}


def experiment(path, variants=VARIANTS, work=None, repeat=2, rules_dir=RULES):
    """The figures of every variant against the database at path (see the module's doc)."""
    work = work or os.path.dirname(os.path.abspath(path))
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    count = events(source)
    lo, hi = source.execute("SELECT MIN(ts), MAX(ts) + 1 FROM mail_message").fetchone()
    source.close()
    statements = rule_statements(rules_dir, (lo or 0) - 40 * 86_400_000, hi or 1)
    copy = os.path.join(work, "layout-original.db")
    shutil.copyfile(path, copy)
    vacuum = sqlite3.connect(copy, isolation_level=None)
    vacuum.execute("VACUUM")
    vacuum.close()
    original = run_rules(copy, statements, repeat)
    result = {"database": os.path.abspath(path), "events": count, "sqlite": sqlite3.sqlite_version,
              "original": {"bytes": os.path.getsize(copy), "bytes_per_event": round(os.path.getsize(copy) / max(count, 1), 1)},
              "variants": {}}
    for variant in variants:
        target = os.path.join(work, f"layout-{variant}.db")
        start = time.perf_counter()
        if variant == "partitioned":
            layout = {"cut_ts": build_partitioned(path, target)}
        else:
            interned = build(path, target, variant)
            layout = {"interned": {t: dict(sorted(c.items())) for t, c in interned.items()}}
        built = time.perf_counter() - start
        db = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        pages = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
        if variant != "partitioned":
            layout["dimension_values"] = db.execute("SELECT COUNT(*) FROM dim_text").fetchone()[0]
            layout["dimension_bytes"] = pages.get("dim_text", 0) + pages.get("sqlite_autoindex_dim_text_1", 0)
        db.close()
        size = os.path.getsize(target)
        figures = {"bytes": size, "bytes_per_event": round(size / max(count, 1), 1), "build_seconds": round(built, 1), **layout}
        result["variants"][variant] = (figures, run_rules(target, statements, repeat))
        os.remove(target)
    # The original's rules again, after the variants: the best of both runs counts, so that a
    # cold page cache on the first run is not charged to the original.
    again = run_rules(copy, statements, repeat)
    os.remove(copy)
    original = {rule: (min(seconds, again[rule][0]), rows) for rule, (seconds, rows) in original.items()}
    for variant, (figures, runs) in result["variants"].items():
        figures.update(compare(original, runs))
        result["variants"][variant] = figures
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(prog="store-experiment", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database")
    parser.add_argument("--layouts", default=",".join(VARIANTS), help="comma-separated: " + ", ".join(VARIANTS))
    parser.add_argument("--work", help="folder for the copies (default: the database's folder)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each rule; the best time counts")
    parser.add_argument("--out", help="write the JSON here instead of standard output")
    args = parser.parse_args(argv)
    variants = [v for v in args.layouts.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown layout {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    if not os.path.exists(args.database):
        parser.error(f"{args.database}: no such database")
    result = experiment(args.database, variants, args.work, max(1, args.repeat))
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0
