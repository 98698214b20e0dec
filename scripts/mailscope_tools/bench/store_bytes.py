"""store-bytes: where a MailScope database's bytes go, measured, not estimated.

Prints JSON: the file size, the rows of each event table, the pages of every table and index
(SQLite's dbstat virtual table: whole b-tree pages, so their unused space counts; free-list
pages only in the file size, as after an UPDATE that shrank rows), bytes per row of
each table with and without its indexes, bytes per event of the whole file, and for the tables
named with --columns the bytes of each column's values as SQLite stores them (text and blobs by
their length, integers by their record size, 0 to 8 bytes).

  scripts/store-bytes DB [--columns mail_message,edr_event] [--out FILE]
"""
import argparse
import json
import os
import sqlite3
import sys

# The tables that hold one row per loaded record (Schema.swift's event tables).
EVENT_TABLES = ("mail_message", "mail_event", "url_click", "attachment_scan", "impersonation",
                "edr_event", "directory_entry", "audit_event", "dlp_event", "archive_access",
                "user_risk", "message_release")

# The size of one value in SQLite's record format (https://sqlite.org/fileformat.html#record_format),
# without its serial-type byte in the header.
VALUE_BYTES = """CASE typeof({c})
  WHEN 'null' THEN 0
  WHEN 'integer' THEN CASE WHEN {c} IN (0, 1) THEN 0
    WHEN {c} BETWEEN -128 AND 127 THEN 1 WHEN {c} BETWEEN -32768 AND 32767 THEN 2
    WHEN {c} BETWEEN -8388608 AND 8388607 THEN 3 WHEN {c} BETWEEN -2147483648 AND 2147483647 THEN 4
    WHEN {c} BETWEEN -140737488355328 AND 140737488355327 THEN 6 ELSE 8 END
  WHEN 'real' THEN 8
  ELSE length(CAST({c} AS BLOB)) END"""


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def measure(path, column_tables=()):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    rows = {t: db.execute(f"SELECT count(*) FROM {quote(t)}").fetchone()[0]
            for t in EVENT_TABLES if t in existing}
    events = sum(rows.values())
    owner = dict(db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
    pages = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))
    file_bytes = os.path.getsize(path)
    tables = {}
    for table, count in sorted(rows.items()):
        indexes = {name: pages.get(name, 0) for name, tbl in sorted(owner.items())
                   if tbl == table and name != table}
        own = pages.get(table, 0)
        with_indexes = own + sum(indexes.values())
        tables[table] = {
            "rows": count,
            "table_bytes": own,
            "index_bytes": sum(indexes.values()),
            "bytes_per_row": round(own / count, 1) if count else None,
            "bytes_per_row_with_indexes": round(with_indexes / count, 1) if count else None,
            "indexes": {name: {"bytes": b, "bytes_per_row": round(b / count, 1) if count else None}
                        for name, b in sorted(indexes.items(), key=lambda kv: -kv[1])},
        }
    columns = {}
    for table in column_tables:
        if table not in existing:
            continue
        names = [r[1] for r in db.execute(f"PRAGMA table_info({quote(table)})")]
        sums = ", ".join(f"SUM({VALUE_BYTES.format(c=quote(n))})" for n in names)
        values = db.execute(f"SELECT {sums} FROM {quote(table)}").fetchone()
        count = rows.get(table) or 0
        columns[table] = {n: {"bytes": v or 0, "bytes_per_row": round((v or 0) / count, 1) if count else None}
                          for n, v in zip(names, values)}
    return {
        "file_bytes": file_bytes,
        "page_bytes": sum(pages.values()),
        "events": events,
        "bytes_per_event": round(file_bytes / events, 1) if events else None,
        "tables": tables,
        "column_value_bytes": columns,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--columns", default="mail_message,edr_event",
                        help="tables whose per-column value bytes to sum (comma-separated)")
    parser.add_argument("--out", help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)
    if not os.path.exists(args.db):
        parser.error(f"{args.db}: no such database")
    result = measure(args.db, [t for t in args.columns.split(",") if t])
    text = json.dumps(result, indent=2) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)

