"""bench's peers, each in its own process (`bench --child KIND DATA DB`): the stdlib, sqlite-utils
and DuckDB ways of loading a make-scale-data folder, and the query set that stands for MailScope's
detection and correlation stages, spelt per engine."""

from __future__ import annotations

import csv
import gzip
import json
import re
import sqlite3
import time
from pathlib import Path

BATCH = 50_000


def data_files(data: Path) -> dict:
    """The export files of a make-scale-data folder, by kind, in a stable order."""
    return {
        "siem": sorted(data.glob("siem_v2/*/*.json.gz")),
        "ttp_url": sorted(data.glob("ttp/*/ttp_url_logs_*.json.gz")),
        "ttp_attachment": sorted(data.glob("ttp/*/ttp_attachment_logs_*.json.gz")),
        "ttp_impersonation": sorted(data.glob("ttp/*/ttp_impersonation_logs_*.json.gz")),
        "edr": sorted(data.glob("edr/*/*.csv.gz")),
    }


TTP_KEYS = {"ttp_url": "clickLogs", "ttp_attachment": "attachmentLogs",
            "ttp_impersonation": "impersonationLogs"}
# The SIEM columns the Python stdlib peer keeps as columns (the query set reads these); every
# event is also kept whole as its JSON line in `raw`, so nothing is lost.
SIEM_COLUMNS = ["type", "timestamp", "aggregateId", "messageId", "senderEnvelope", "recipients",
                "subject", "action", "url", "sha256", "fileName", "virusFound", "senderIp",
                "taggedMalicious"]
TTP_COLUMNS = {
    "ttp_url": ["userEmailAddress", "fromUserEmailAddress", "url", "scanResult", "action",
                "category", "creationMethod", "date", "messageId", "subject"],
    "ttp_attachment": ["senderAddress", "recipientAddress", "fileName", "fileType", "result",
                       "actionTriggered", "date", "messageId", "subject", "fileHash"],
    "ttp_impersonation": ["senderAddress", "recipientAddress", "subject", "action", "taggedMalicious",
                          "eventTime", "messageId", "definition", "hits"],
}


def ttp_records(path: Path, key: str):
    with gzip.open(path, "rb") as fh:
        doc = json.load(fh)
    for page in doc.get("data") or []:
        yield from page.get(key) or []


def sqlite_connect(db: str) -> sqlite3.Connection:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    return con


def load_identities_sqlite(con: sqlite3.Connection, data: Path) -> None:
    with open(data / "identities.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    cols = rows[0]
    con.execute(f"CREATE TABLE identities ({', '.join(cols)})")
    con.executemany(f"INSERT INTO identities VALUES ({', '.join('?' * len(cols))})", rows[1:])


def child_python_load(data: Path, db: str) -> dict:
    """The stdlib way: parse, pick the columns, executemany in batches inside transactions."""
    files = data_files(data)
    con = sqlite_connect(db)

    def insert(table: str, cols: list, rows) -> None:
        sql = f"INSERT INTO {table} VALUES ({', '.join('?' * len(cols))})"
        batch = []
        con.execute("BEGIN")
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                con.executemany(sql, batch)
                batch.clear()
        con.executemany(sql, batch)
        con.execute("COMMIT")

    con.execute(f"CREATE TABLE siem ({', '.join(SIEM_COLUMNS)}, raw)")

    def siem_rows():
        for path in files["siem"]:
            with gzip.open(path, "rb") as fh:
                for line in fh:
                    if not line.strip():
                        continue
                    rec = json.loads(line)
                    yield tuple(rec.get(c) for c in SIEM_COLUMNS) + (line.decode("utf-8"),)
    insert("siem", SIEM_COLUMNS + ["raw"], siem_rows())

    for table, cols in TTP_COLUMNS.items():
        con.execute(f"CREATE TABLE {table} ({', '.join(cols)}, raw)")

        def ttp_rows(table=table, cols=cols):
            for path in files[table]:
                for rec in ttp_records(path, TTP_KEYS[table]):
                    yield tuple(v if not isinstance(v, (list, dict)) else json.dumps(v)
                                for v in (rec.get(c) for c in cols)) + (json.dumps(rec),)
        insert(table, cols + ["raw"], ttp_rows())

    first = files["edr"][0]
    with gzip.open(first, "rt", newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    con.execute(f"CREATE TABLE edr ({', '.join(header)})")
    header_seen = header

    def edr_rows_all():
        for path in files["edr"]:
            with gzip.open(path, "rt", newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh)
                if next(reader) != header_seen:
                    raise SystemExit(f"{path}: another CSV header")
                yield from reader
    insert("edr", header_seen, edr_rows_all())
    load_identities_sqlite(con, data)
    con.close()
    return {}


def child_sqlite_utils_load(data: Path, db: str) -> dict:
    """The sqlite-utils way: dicts in, columns made from the keys (alter=True)."""
    import sqlite_utils  # imported in the child only
    files = data_files(data)
    sdb = sqlite_utils.Database(db)
    sdb.execute("PRAGMA journal_mode=WAL")

    def siem_records():
        for path in files["siem"]:
            with gzip.open(path, "rb") as fh:
                for line in fh:
                    if line.strip():
                        yield json.loads(line)
    sdb["siem"].insert_all(siem_records(), alter=True, batch_size=BATCH)
    for table, key in TTP_KEYS.items():
        recs = (r for path in files[table] for r in ttp_records(path, key))
        sdb[table].insert_all(recs, alter=True, batch_size=BATCH)

    def edr_records():
        for path in files["edr"]:
            with gzip.open(path, "rt", newline="", encoding="utf-8") as fh:
                yield from csv.DictReader(fh)
    sdb["edr"].insert_all(edr_records(), alter=True, batch_size=BATCH)
    with open(data / "identities.csv", newline="", encoding="utf-8") as fh:
        sdb["identities"].insert_all(csv.DictReader(fh))
    sdb.close()
    return {"sqlite_utils_version": sqlite_utils.__version__ if hasattr(sqlite_utils, "__version__") else None}


def duck_lit(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def child_duckdb_load(data: Path, db: str) -> dict:
    """The DuckDB way: one CREATE TABLE AS over each glob of files."""
    import duckdb  # imported in the child only
    con = duckdb.connect(db)
    con.execute("SET TimeZone='UTC'")
    con.execute(f"CREATE TABLE siem AS SELECT * FROM read_json({duck_lit(data / 'siem_v2/*/*.json.gz')}, "
                "format='newline_delimited', union_by_name=true)")
    for table, key in TTP_KEYS.items():
        glob = data / f"ttp/*/{table}_logs_*.json.gz"
        if not list(data.glob(f"ttp/*/{table}_logs_*.json.gz")):
            continue
        con.execute(f"CREATE TABLE {table} AS SELECT unnest(r, recursive := true) FROM ("
                    f"SELECT unnest(p.{key}) AS r FROM ("
                    f"SELECT unnest(data) AS p FROM read_json({duck_lit(glob)}, format='auto', "
                    "union_by_name=true, maximum_object_size=268435456)))")
    con.execute(f"CREATE TABLE edr AS SELECT * FROM read_csv({duck_lit(data / 'edr/*/*.csv.gz')}, "
                "header=true, union_by_name=true)")
    con.execute(f"CREATE TABLE identities AS SELECT * FROM read_csv({duck_lit(data / 'identities.csv')}, "
                "header=true, all_varchar=true)")
    con.close()
    return {"duckdb_version": duckdb.__version__}


HOST = "lower(substr(e.DeviceName, 1, instr(e.DeviceName || '.', '.') - 1))"
URL_HOST = ("substr(c.url, instr(c.url, '://') + 3, "
            "instr(substr(c.url, instr(c.url, '://') + 3) || '/', '/') - 1)")
# name -> (what it stands for in MailScope, SQL). The same text for every engine but {epoch(x)}.
QUERIES = {
    "mimecast-verdicts": ("detection: Mimecast's own verdicts per recipient (MS-AV, MS-URL, MS-IMP rules)", """
        SELECT recipients, type, count(*) AS n FROM siem
        WHERE type IN ('av', 'url protect') OR (type = 'impersonation protect' AND taggedMalicious = 'true')
        GROUP BY recipients, type ORDER BY n DESC, recipients, type"""),
    "clicked-bad-url": ("detection: a user clicked a URL judged malicious or blocked, with its message", """
        SELECT c.userEmailAddress, c.url, c.date, c.action, r.senderEnvelope, r.senderIp
        FROM ttp_url c LEFT JOIN siem r
          ON r.messageId = c.messageId AND r.type = 'receipt' AND r.recipients = c.userEmailAddress
        WHERE c.creationMethod = 'User Click' AND (c.scanResult = 'malicious' OR c.action = 'block')
        ORDER BY c.date, c.userEmailAddress, c.url"""),
    "first-seen-sender-domain": ("detection: sender domains first seen in the last day and how many they wrote to", """
        SELECT d, first_ts, recipients FROM (
          SELECT lower(substr(senderEnvelope, instr(senderEnvelope, '@') + 1)) AS d,
                 min(timestamp) AS first_ts, count(DISTINCT recipients) AS recipients
          FROM siem WHERE type = 'receipt' GROUP BY 1) AS f
        WHERE first_ts >= (SELECT max(timestamp) FROM siem WHERE type = 'receipt') - 86400000
        ORDER BY recipients DESC, d"""),
    "attachment-on-endpoint": ("correlation: a malicious attachment's SHA-256 on the recipient's host within 7 days", f"""
        SELECT a.recipientAddress, a.fileName, a.fileHash, e.DeviceName, e.ActionType, e.Timestamp
        FROM ttp_attachment a
        JOIN identities i ON lower(i.email) = lower(a.recipientAddress)
        JOIN edr e ON e.SHA256 = a.fileHash AND {HOST} = lower(i.host)
        WHERE a.result = 'malicious'
          AND {{epoch(e.Timestamp)}} BETWEEN {{epoch(a.date)}} AND {{epoch(a.date)}} + 7 * 86400
        ORDER BY e.Timestamp, e.DeviceName, a.fileHash"""),
    "click-to-connection": ("correlation: the clicker's host reaching the clicked URL's host within the hour", f"""
        SELECT c.userEmailAddress, c.url, e.DeviceName, e.ActionType, e.RemoteUrl, e.Timestamp
        FROM ttp_url c
        JOIN identities i ON lower(i.email) = lower(c.userEmailAddress)
        JOIN edr e ON {HOST} = lower(i.host)
        WHERE c.creationMethod = 'User Click'
          AND e.RemoteUrl LIKE '%' || {URL_HOST} || '%'
          AND {{epoch(e.Timestamp)}} BETWEEN {{epoch(c.date)}} AND {{epoch(c.date)}} + 3600
        ORDER BY e.Timestamp, e.DeviceName, c.url"""),
}
EPOCH = {
    "sqlite": "CAST(strftime('%s', substr({x}, 1, 19)) AS INTEGER)",
    "duckdb": "epoch(CAST(substr(CAST({x} AS VARCHAR), 1, 19) AS TIMESTAMP))",
}
SQLITE_INDEXES = [
    "CREATE INDEX siem_message ON siem(messageId)",
    "CREATE INDEX siem_type ON siem(type)",
    "CREATE INDEX edr_sha256 ON edr(SHA256)",
    f"CREATE INDEX edr_host ON edr({HOST.replace('e.', '')})",
    "CREATE INDEX identities_email ON identities(lower(email))",
]


def spell(sql: str, engine: str) -> str:
    return re.sub(r"\{epoch\(([^)]*)\)\}", lambda m: EPOCH[engine].format(x=m.group(1)), sql)


def run_queries(execute, engine: str) -> dict:
    out = {}
    for name, (_, sql) in QUERIES.items():
        t0 = time.perf_counter()
        rows = execute(spell(sql, engine))
        out[name] = {"seconds": round(time.perf_counter() - t0, 3), "rows": len(rows)}
    return out


def child_sqlite_query(data: Path, db: str) -> dict:
    con = sqlite_connect(db)
    t0 = time.perf_counter()
    for stmt in SQLITE_INDEXES:
        con.execute(stmt)
    con.execute("ANALYZE")
    res = {"index_seconds": round(time.perf_counter() - t0, 3)}
    res["queries"] = run_queries(lambda sql: con.execute(sql).fetchall(), "sqlite")
    return res


def child_duckdb_query(data: Path, db: str) -> dict:
    import duckdb  # imported in the child only
    con = duckdb.connect(db, read_only=True)
    con.execute("SET TimeZone='UTC'")
    return {"queries": run_queries(lambda sql: con.execute(sql).fetchall(), "duckdb")}


CHILDREN = {"python-load": child_python_load, "sqlite-utils-load": child_sqlite_utils_load,
            "duckdb-load": child_duckdb_load, "sqlite-query": child_sqlite_query,
            "duckdb-query": child_duckdb_query}


def run_child(kind: str, data: str, db: str) -> int:
    res = CHILDREN[kind](Path(data), db)
    print("BENCH_RESULT " + json.dumps(res), flush=True)
    return 0
