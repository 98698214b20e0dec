"""bench-detect: times `mailscope detect` (every enabled bundled rule) over a synthetic database
of ~10 million events, and prints each rule's query plan, flagging full scans of large tables.
A measurement, not a test.

  scripts/bench-detect [--events N] [--mailscope PATH] [--keep]

The database is built with SQL straight into MailScope's schema (the schema comes from the
binary itself: it ingests one fixture file first), with realistic spreads of users, domains,
verdicts and times over 30 days. Figures go to reports/bench/detect.json."""
import argparse
import json
import os
import pathlib
import re
import resource
import sqlite3
import subprocess
import sys
import time

from .common import ROOT

SHARES = {"mail_message": 0.60, "url_click": 0.15, "attachment_scan": 0.10, "impersonation": 0.02, "mail_event": 0.13}
START = 1_790_000_000_000  # ms; events spread over 30 days
SPAN = 30 * 86_400_000
USER = "'user' || (abs(random()) % 5000) || '@acme-corp.example'"
DOM = "'d' || (abs(random()) % 20000) || '.example'"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--mailscope", default=str(ROOT / ".build/release/mailscope"))
    ap.add_argument("--edr", type=int, default=10_000_000, help="EDR events added for the correlation rules (0: none)")
    ap.add_argument("--keep", action="store_true", help="reuse the database if it exists")
    args = ap.parse_args()

    bench = pathlib.Path(os.environ.get("BENCH_DIR", "/tmp/mailscope-bench"))
    bench.mkdir(parents=True, exist_ok=True)
    db = bench / f"detect-{args.events}-edr{args.edr}-v3.db"
    if not pathlib.Path(args.mailscope).exists():
        subprocess.run(["swift", "build", "-c", "release", "--product", "mailscope"], cwd=ROOT, check=True)
    if not (args.keep and db.exists()):
        build_database(args, db)
    con = sqlite3.connect(db)
    counts = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in list(SHARES) + ["edr_event"]}
    con.execute("DELETE FROM finding"); con.commit(); con.close()
    seconds, usage, rules_ms2, incidents_ms2, second = time_detect(args, db, counts)
    plans, flags = query_plans(db, counts)
    out_dir = ROOT / "reports/bench"; out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "detect.json").write_text(json.dumps({"events": counts, "detect_seconds_first": round(seconds, 2),
        "detect_seconds_second": round(second, 2), "rules_seconds_second": round(sum(rules_ms2.values()) / 1000, 2),
        "incidents_seconds_second": round(incidents_ms2 / 1000, 2), "rule_ms_second": rules_ms2,
        "peak_rss_mb": round(usage.ru_maxrss / 1024), "plans": plans,
        "full_scans": {rid: s for rid, s in flags}}, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out_dir / 'detect.json'}")


def build_database(args, db):
    """MailScope's schema (from one ingested fixture), then N events in the shares above and,
    with --edr, one computer per mailbox and its endpoint events."""
    for suffix in ("", "-wal", "-shm"):
        pathlib.Path(str(db) + suffix).unlink(missing_ok=True)
    subprocess.run([args.mailscope, "ingest", str(ROOT / "fixtures/mimecast/ttp_url_logs.json"), "--db", str(db)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=OFF")
    t0 = time.time()
    N = args.events
    mail_tables(con, N)
    if args.edr:
        edr_table(con, args.edr)
    # Verdicts and endpoint traces as they are in real data: the few malicious URLs and files
    # belong to a few campaigns (200 bad domains, 500 bad files), and a few hosts reach them.
    con.executescript("""
        UPDATE url_click SET url_domain = 'bad' || (id % 200) || '.example', url_host = 'www.bad' || (id % 200) || '.example',
               url_resource = 'www.bad' || (id % 200) || '.example/p' WHERE scan_result = 'malicious';
        UPDATE attachment_scan SET sha256 = printf('%064x', 1000000 + id % 500) WHERE result = 'malicious';
    """)
    if args.edr:
        con.executescript("""
            UPDATE edr_event SET sha256 = NULL WHERE action IN ('dns_query', 'network_connect');
            UPDATE edr_event SET domain = 'bad' || (id % 200) || '.example', url_host = 'www.bad' || (id % 200) || '.example'
                WHERE id % 20000 = 0 AND action IN ('dns_query', 'network_connect');
            UPDATE edr_event SET sha256 = printf('%064x', 1000000 + id % 500) WHERE id % 10000 = 1 AND action IN ('file_created', 'process_start');
        """)
    con.commit()
    print(f"built {db} with {N:,} events in {time.time() - t0:.0f} s", flush=True)
    con.close()


def gen(con, table, n, cols):
    """n rows of table from a recursive sequence; cols: (column, SQL expression)."""
    names = ", ".join(["file_id", "line_no", "dedup", "ts"] + [c for c, _ in cols])
    exprs = ", ".join(["1", "x", "randomblob(16)", f"{START} + (abs(random()) % {SPAN})"] + [e for _, e in cols])
    con.execute(f"""WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < {n})
                    INSERT INTO {table} ({names}) SELECT {exprs} FROM seq""")
    con.commit()


def mail_tables(con, N):
    user, dom = USER, DOM
    gen(con, "mail_message", int(N * SHARES["mail_message"]), [
        ("source", "'siem_v2'"), ("event", "CASE abs(random()) % 3 WHEN 0 THEN 'receipt' WHEN 1 THEN 'process' ELSE 'delivery' END"),
        ("aggregate_id", "'agg' || (abs(random()) % 3000000)"), ("message_id", "'m' || (abs(random()) % 3000000) || '@x.example'"),
        ("sender", "'s' || (abs(random()) % 50000) || '@' || " + dom), ("sender_domain", dom), ("recipient", user),
        ("recipient_domain", "'acme-corp.example'"), ("subject", "'subject ' || (abs(random()) % 100000)"),
        ("direction", "CASE WHEN abs(random()) % 10 = 0 THEN 'internal' ELSE 'inbound' END"),
        ("action", "CASE WHEN abs(random()) % 20 = 0 THEN 'Hld' ELSE 'Acc' END"), ("delivered", "1"),
        ("attachment_names", "CASE WHEN abs(random()) % 5 = 0 THEN '[\"file' || (abs(random()) % 1000) || '.pdf\"]' END"),
        ("spf", "CASE WHEN abs(random()) % 50 = 0 THEN 'spf_fail' ELSE 'allow' END")])
    gen(con, "url_click", int(N * SHARES["url_click"]), [
        ("source", "'ttp_url'"), ("is_click", "abs(random()) % 2"), ("user", user), ("sender", "'s@' || " + dom),
        ("message_id", "'m' || (abs(random()) % 3000000) || '@x.example'"), ("url", "'https://' || " + dom + " || '/p'"),
        ("url_domain", dom), ("url_host", "'www.' || " + dom),
        ("url_resource", "'www.' || " + dom + " || '/p' || (abs(random()) % 100)"), ("action", "CASE abs(random()) % 3 WHEN 0 THEN 'allow' WHEN 1 THEN 'warn' ELSE 'block' END"),
        ("scan_result", "CASE WHEN abs(random()) % 100 = 0 THEN 'malicious' ELSE 'clean' END"), ("category", "'Business'"),
        ("route", "'inbound'"), ("user_awareness_action", "CASE WHEN abs(random()) % 50 = 0 THEN 'Continue' ELSE 'N/A' END")])
    gen(con, "attachment_scan", int(N * SHARES["attachment_scan"]), [
        ("source", "'ttp_attachment'"), ("recipient", user), ("sender", "'s@' || " + dom),
        ("message_id", "'m' || (abs(random()) % 3000000) || '@x.example'"), ("file_name", "'f' || (abs(random()) % 100000) || '.pdf'"),
        ("sha256", "printf('%064x', abs(random()) % 400000)"), ("result", "CASE WHEN abs(random()) % 200 = 0 THEN 'malicious' ELSE 'safe' END"),
        ("action_triggered", "'none'")])
    gen(con, "impersonation", int(N * SHARES["impersonation"]), [
        ("source", "'ttp_impersonation'"), ("recipient", user), ("sender", "'s@' || " + dom), ("sender_domain", dom),
        ("identifiers", "'[\"newly_observed_domain\"]'"), ("action", "'none'"), ("tagged_malicious", "abs(random()) % 20 = 0"),
        ("internal_user_name", "abs(random()) % 10 = 0"), ("reply_mismatch", "abs(random()) % 10 = 0")])
    gen(con, "mail_event", int(N * SHARES["mail_event"]), [
        ("source", "'siem_v2'"), ("event_type", "CASE abs(random()) % 3 WHEN 0 THEN 'journal' WHEN 1 THEN 'spam' ELSE 'av' END"),
        ("known_type", "1"), ("recipient", user), ("verdict", "CASE WHEN abs(random()) % 200 = 0 THEN 'Win.Trojan.x' END"), ("raw", "'{}'")])


def edr_table(con, n):
    """One computer per mailbox, mapped through the identity table as a directory would."""
    dom = DOM
    con.execute("""WITH RECURSIVE seq(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM seq WHERE x < 4999)
                   INSERT INTO identity (email, account, host, source, confidence, evidence)
                   SELECT 'user' || x || '@acme-corp.example', 'u' || x, 'ws-' || x, 'directory', 'exact', 'bench' FROM seq""")
    con.commit()
    host = "'ws-' || (abs(random()) % 5000)"
    gen(con, "edr_event", n, [
        ("product", "'mde'"), ("host", host),
        ("action", "CASE abs(random()) % 10 WHEN 0 THEN 'file_created' WHEN 1 THEN 'file_created' WHEN 2 THEN 'dns_query' WHEN 3 THEN 'dns_query' "
                   "WHEN 4 THEN 'network_connect' WHEN 5 THEN 'network_connect' WHEN 6 THEN 'network_connect' ELSE 'process_start' END"),
        ("file_name", "'f' || (abs(random()) % 100000) || '.pdf'"), ("sha256", "printf('%064x', abs(random()) % 400000)"),
        ("process", "CASE abs(random()) % 50 WHEN 0 THEN 'powershell.exe' WHEN 1 THEN 'cmd.exe' ELSE 'svchost.exe' END"),
        ("parent_process", "CASE abs(random()) % 20 WHEN 0 THEN 'EXCEL.EXE' WHEN 1 THEN 'OUTLOOK.EXE' ELSE 'explorer.exe' END"),
        ("command_line", "'\"C:\\Program Files\\x.exe\" f' || (abs(random()) % 100000) || '.pdf'"),
        ("url_host", "'www.' || " + dom), ("domain", dom), ("remote_ip", "'198.51.' || (abs(random()) % 256) || '.' || (abs(random()) % 256)")])


def phases(text):
    """Per-rule milliseconds and the incident build time, from `mailscope detect`'s output."""
    rules = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s+\d+ found\s+\d+ new\s+(\d+) ms$", text, re.M)}
    built = re.search(r"incidents? .*built in (\d+) ms", text)
    return rules, (int(built.group(1)) if built else 0)


def time_detect(args, db, counts):
    """The first detect (it builds the secondary indexes) and a second one with nothing new."""
    t0 = time.time()
    p = subprocess.Popen([args.mailscope, "detect", "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = time.time() - t0
    if p.returncode != 0:
        sys.exit(f"mailscope detect failed:\n{err}")
    print(out, flush=True)
    print(f"detect over {sum(counts.values()):,} events: {seconds:.1f} s in all (first run builds the secondary indexes), "
          f"peak RSS {usage.ru_maxrss / 1024:.0f} MB", flush=True)
    t1 = time.time()
    second_out = subprocess.run([args.mailscope, "detect", "--db", str(db)], check=True, stdout=subprocess.PIPE, text=True).stdout
    second = time.time() - t1
    rules_ms2, incidents_ms2 = phases(second_out)
    print(f"second run (indexes present, nothing new): {second:.1f} s in all; rules {sum(rules_ms2.values()) / 1000:.1f} s "
          f"(target: all rules under 60 s); incidents {incidents_ms2 / 1000:.1f} s", flush=True)
    return seconds, usage, rules_ms2, incidents_ms2, second


def query_plans(db, counts):
    """Each rule's query plan; a full SCAN of a large table without an index is worth knowing about."""
    import yaml
    con = sqlite3.connect(db)
    plans = {}
    flags = []
    for path in sorted((ROOT / "Sources/MailScopeKit/Resources/rules").glob("*.yml")):
        rule = yaml.safe_load(path.read_text())
        params = {k: v for k, v in (rule.get("params") or {}).items()}
        params.update({"since": -(2**62), "until": 2**62})
        sql = rule["sql"]
        used = set(re.findall(r":(\w+)", sql))
        plan = [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql, {k: params.get(k, 0) for k in used})]
        plans[rule["id"]] = plan
        scans = [line for line in plan if line.startswith("SCAN ") and any(t in line for t in counts) and "USING" not in line]
        if scans:
            flags.append((rule["id"], scans))
    print("\nrules whose plan scans a large table without an index (each reads every row once):")
    for rid, scans in flags:
        print(f"  {rid}: {'; '.join(scans)}")
    return plans, flags
