"""bench-ingest's children: each loads the input file into a fresh database in its own process
(`bench-ingest --child KIND FILE DB`), so the parent can time it and take its peak RSS, and
prints its counts as one BENCH_RESULT line."""

from __future__ import annotations

import csv
import gzip
import json
import sqlite3
import time

PY_COLUMNS = [
    ("ts", "INTEGER"), ("type", "TEXT"), ("subtype", "TEXT"), ("aggregate_id", "TEXT"),
    ("processing_id", "TEXT"), ("message_id", "TEXT"), ("sender", "TEXT"),
    ("sender_header", "TEXT"), ("sender_ip", "TEXT"), ("recipient", "TEXT"), ("subject", "TEXT"),
    ("action", "TEXT"), ("direction", "TEXT"), ("route", "TEXT"), ("email_size", "INTEGER"),
    ("attachment_count", "INTEGER"), ("spam_score", "INTEGER"), ("delivered", "INTEGER"),
    ("file_name", "TEXT"), ("sha256", "TEXT"), ("url", "TEXT"), ("raw", "TEXT"),
]


def child_python(path: str, db: str) -> dict:
    def to_int(v):
        if v is None or v == "":
            return None
        try:
            return int(v)
        except (TypeError, ValueError):
            return None

    def to_bool(v):
        if v is None:
            return None
        s = str(v).lower()
        return 1 if s in ("true", "yes", "1") else 0 if s in ("false", "no", "0") else None

    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE event (%s)" % ", ".join(f"{n} {t}" for n, t in PY_COLUMNS))
    sql = "INSERT INTO event VALUES (%s)" % ", ".join("?" * len(PY_COLUMNS))
    loads = json.loads
    batch: list = []
    n = bad = 0

    def flush():
        con.execute("BEGIN")
        con.executemany(sql, batch)
        con.execute("COMMIT")
        batch.clear()

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line == "\n":
                continue
            try:
                e = loads(line)
            except ValueError:
                bad += 1
                continue
            g = e.get
            batch.append((
                to_int(g("timestamp")), g("type") or g("eventType"), g("subtype", g("subType")),
                g("aggregateId"), g("processingId"), g("messageId"), g("senderEnvelope"),
                g("senderHeader"), g("senderIp"), g("recipients") or g("recipient"), g("subject"),
                g("action"), g("direction"), g("route"), to_int(g("emailSize")),
                to_int(g("numberAttachments")), to_int(g("spamScore")), to_bool(g("delivered")),
                g("fileName"), g("sha256"), g("url"), line.rstrip("\n"),
            ))
            if len(batch) >= 50_000:
                n += len(batch)
                flush()
    if batch:
        n += len(batch)
        flush()
    rows = con.execute("SELECT count(*) FROM event").fetchone()[0]
    con.close()
    return {"rows": rows, "inserted": n, "bad_lines": bad}


def child_duckdb(path: str, db: str) -> dict:
    import duckdb  # imported in the child only
    con = duckdb.connect(db)
    lit = path.replace("'", "''")
    con.execute(f"CREATE TABLE ev AS SELECT * FROM read_json('{lit}', "
                f"format='newline_delimited', union_by_name=true)")
    rows = con.execute("SELECT count(*) FROM ev").fetchone()[0]
    cols = len(con.execute("DESCRIBE ev").fetchall())
    con.close()
    return {"rows": rows, "columns": cols, "duckdb_version": duckdb.__version__}


def child_python_csv(path: str, db: str) -> dict:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    batch: list = []
    n = bad = 0

    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        ncols = len(header)
        con.execute("CREATE TABLE edr_event (%s)"
                    % ", ".join('"%s" TEXT' % h.replace('"', '""') for h in header))
        sql = "INSERT INTO edr_event VALUES (%s)" % ", ".join("?" * ncols)

        def flush():
            con.execute("BEGIN")
            con.executemany(sql, batch)
            con.execute("COMMIT")
            batch.clear()

        for row in rows:
            if len(row) != ncols:
                bad += 1
                continue
            batch.append(row)
            if len(batch) >= 50_000:
                n += len(batch)
                flush()
        if batch:
            n += len(batch)
            flush()
    count = con.execute("SELECT count(*) FROM edr_event").fetchone()[0]
    con.close()
    return {"rows": count, "inserted": n, "bad_rows": bad, "columns": ncols}


def child_duckdb_csv(path: str, db: str) -> dict:
    import duckdb  # imported in the child only
    con = duckdb.connect(db)
    lit = path.replace("'", "''")
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{lit}', header=true)")
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    cols = len(con.execute("DESCRIBE t").fetchall())
    con.close()
    return {"rows": rows, "columns": cols, "duckdb_version": duckdb.__version__}


CHILDREN = {"python": child_python, "duckdb": child_duckdb,
            "python-csv": child_python_csv, "duckdb-csv": child_duckdb_csv}


def run_child_main(kind: str, path: str, db: str) -> int:
    t0 = time.perf_counter()
    res = CHILDREN[kind](path, db)
    res["inner_seconds"] = round(time.perf_counter() - t0, 3)
    print("BENCH_RESULT " + json.dumps(res), flush=True)
    return 0
