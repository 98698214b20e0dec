"""bench: MailScope against the tools a user would otherwise reach for, on one scale data set.
A measurement, not a test: it prints a table, writes reports/bench/bench.json and bench.svg.

One run, on the data set of scripts/make-scale-data (generated first when missing):

  MailScope, each stage a separate process on one database, then the whole job on a fresh one:
    ingest    mailscope ingest DATA --db A.db
    detect    mailscope detect --db A.db          (rules, then correlation and incidents: the
                                                    detect stage prints how long each took; the
                                                    table splits them as "rules" and "correlate")
    report    mailscope report --db A.db --out R
    run       mailscope run --input DATA --identities DATA/identities.csv --db B.db --out R2

  Peers, each a separate process, loading the same files and running the same query set:
    python        Python stdlib: gzip + json + csv + sqlite3 (executemany, 50k-row batches, WAL)
    sqlite-utils  sqlite_utils.Database(...)[table].insert_all(records, alter=True)
    duckdb        CREATE TABLE ... AS SELECT * FROM read_json(glob) / read_csv(glob)

  The query set (QUERIES below) is a representative slice of what MailScope's detection and
  correlation stages do: Mimecast's verdicts per recipient, clicks on bad URLs joined to their
  message, first-seen sender domains, a malicious attachment's hash seen on the recipient's
  host, and a clicked URL's host reached from the clicker's host within the hour. The SQL is
  the same text for every peer, except the {epoch(x)} placeholder (ISO text to Unix seconds),
  which is spelt per engine. The SQLite peers first create the indexes these joins need (timed
  as part of the query stage: a user of those tools would have to).

Wall time of each child process (start-up included) and its peak RSS (ru_maxrss from wait4)
are measured by this script. Rows loaded are counted from each database; the peers keep the
duplicate events of overlapping downloads that MailScope drops, so their counts are higher.

Usage:
  scripts/bench                             # the quick set: 7 days x 5,000 mailboxes (~1.6 GB gz)
  scripts/bench --days 2 --mailboxes 500    # a small set (a couple of minutes)
  scripts/bench --data DIR                  # an existing make-scale-data folder
  scripts/bench --tools mailscope,duckdb --skip-run
  scripts/bench --tools mailscope --keep-others   # re-measure MailScope only; the peers' figures
                                            # of the last run on the same data are kept (marked)
  scripts/bench --growth 1,3,7              # `mailscope run` over the first 1, 3 and 7 days:
                                            # time, peak RSS and database size per day count
                                            # (reports/bench/growth.json and growth.svg)
  scripts/bench --days 14 --growth 1,3,7,14 --nightly 14
                                            # and, on one database, one run per day as the
                                            # nightly job does: time per night, size per day

Work files go to ${BENCH_DIR:-/tmp/mailscope-bench}/bench-work (replaced each run). Exit status:
0 when every tool ran, 1 when one failed (the table shows which and why), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from .charts import chart_svg, fmt_s, growth_svg, print_table
from .common import ROOT, log
from .peer_children import CHILDREN, QUERIES, run_child

BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/mailscope-bench"))
SCRIPT = ROOT / "scripts" / "bench"   # the peers run as `bench --child ...`


def fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".wal", ".lock"):
        p = Path(str(path) + suffix)
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def measure(cmd: list, log_base: Path, timeout: float = 6 * 3600) -> dict:
    """Run cmd to completion: wall seconds, peak RSS (MiB), CPU seconds, exit code; its output
    goes to LOG.stdout.log / LOG.stderr.log."""
    out_path, err_path = Path(f"{log_base}.stdout.log"), Path(f"{log_base}.stderr.log")
    timed_out = threading.Event()
    with open(out_path, "wb") as out_fh, open(err_path, "wb") as err_fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out_fh, stderr=err_fh)

        def on_timeout():
            timed_out.set()
            proc.kill()
        timer = threading.Timer(timeout, on_timeout)
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
    res = {"ok": code == 0 and not timed_out.is_set(), "seconds": round(wall, 2),
           "peak_rss_mb": round(ru.ru_maxrss / 1024.0, 1),
           "cpu_seconds": round(ru.ru_utime + ru.ru_stime, 1)}
    stdout = out_path.read_text("utf-8", "replace")
    for line in stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            res.update(json.loads(line[len("BENCH_RESULT "):]))
    if not res["ok"]:
        tail = err_path.read_text("utf-8", "replace")[-1500:].strip()
        why = "timed out" if timed_out.is_set() else (f"killed by signal {-code}" if code < 0 else f"exit code {code}")
        res["error"] = f"{why}; stderr tail ({err_path}):\n{tail}"
    return res


def child_cmd(kind: str, data: Path, db: Path) -> list:
    return [sys.executable, str(SCRIPT), "--child", kind, str(data), str(db)]


def count_sqlite(db: Path, tables: list) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables if t in have}
    finally:
        con.close()


def count_duckdb(db: Path) -> dict:
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    try:
        have = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in have}
    finally:
        con.close()


def db_size_mb(db: Path) -> float:
    total = 0
    for suffix in ("", "-wal", ".wal"):
        p = Path(str(db) + suffix)
        if p.exists():
            total += p.stat().st_size
    return round(total / 2**20, 1)


MS_TABLES = ["mail_message", "mail_event", "url_click", "attachment_scan", "impersonation", "edr_event"]
RULE_LINE = re.compile(r"^(MS-[A-Z0-9-]+|\S+)\s+\d+ found\s+\d+ new\s+(\d+) ms$")
DETECT_TIME = re.compile(r"time: indexes and statistics ([0-9.]+) s, rules ([0-9.]+) s, incidents ([0-9.]+) s", re.I)
INGEST_TIME = re.compile(r"^Time: ([0-9.]+) s, ([0-9.]+) MB uncompressed")


def detect_phases(text: str) -> dict:
    """Where `mailscope detect` / `run` say their time went: `Time: indexes and statistics X s,
    rules Y s, incidents Z s` (and, for `run`, the ingest summary's `Time: N s`), plus the five
    slowest rules from the `ID  N found  N new  T ms` lines."""
    out, slowest = {}, []
    for line in text.splitlines():
        line = line.strip()
        m = RULE_LINE.match(line)
        if m:
            slowest.append((int(m.group(2)), m.group(1)))
        m = DETECT_TIME.search(line)
        if m:
            out.update(indexes_s=float(m.group(1)), rules_s=float(m.group(2)), incidents_s=float(m.group(3)))
        m = INGEST_TIME.match(line)
        if m:
            out["ingest_s"] = float(m.group(1))
    slowest.sort(key=lambda t: (-t[0], t[1]))
    if slowest:
        out["slowest_rules_s"] = {rid: round(ms / 1000, 2) for ms, rid in slowest[:5]}
    return out


def log_text(base: Path) -> str:
    return "".join(Path(f"{base}.{k}.log").read_text("utf-8", "replace") for k in ("stdout", "stderr")
                   if Path(f"{base}.{k}.log").exists())


def bench_mailscope(ms: Path, data: Path, work: Path, skip_run: bool) -> dict:
    res = {}
    db = work / "mailscope.db"
    fresh(db)
    log(f"mailscope ingest {data} ...")
    res["ingest"] = measure([str(ms), "ingest", str(data), "--identities", str(data / "identities.csv"),
                             "--db", str(db)], work / "mailscope-ingest")
    log(f"  {res['ingest']['seconds']} s, {res['ingest']['peak_rss_mb']} MB")
    if res["ingest"]["ok"]:
        res["ingest"]["rows"] = count_sqlite(db, MS_TABLES)
        log("mailscope detect ...")
        res["detect"] = measure([str(ms), "detect", "--db", str(db)], work / "mailscope-detect")
        res["detect"]["phases"] = detect_phases(log_text(work / "mailscope-detect"))
        log(f"  {res['detect']['seconds']} s, {res['detect']['peak_rss_mb']} MB, phases {res['detect']['phases']}")
        log("mailscope report ...")
        rep = work / "mailscope-report"
        shutil.rmtree(rep, ignore_errors=True)
        res["report"] = measure([str(ms), "report", "--db", str(db), "--out", str(rep)], work / "mailscope-report")
        log(f"  {res['report']['seconds']} s, {res['report']['peak_rss_mb']} MB")
        res["db_mb"] = db_size_mb(db)
    if not skip_run:
        db2 = work / "mailscope-run.db"
        fresh(db2)
        out = work / "mailscope-run-report"
        shutil.rmtree(out, ignore_errors=True)
        log("mailscope run (the whole job, fresh database) ...")
        res["run"] = measure([str(ms), "run", "--input", str(data), "--identities", str(data / "identities.csv"),
                              "--db", str(db2), "--out", str(out)], work / "mailscope-run")
        res["run"]["phases"] = detect_phases(log_text(work / "mailscope-run"))
        log(f"  {res['run']['seconds']} s, {res['run']['peak_rss_mb']} MB, phases {res['run']['phases']}")
        truth = data / "ground-truth.json"
        if res["run"]["ok"] and truth.exists() and (out / "report.json").exists():
            chk = subprocess.run([sys.executable, str(ROOT / "scripts/make-scale-data"), "--check-report",
                                  str(data), str(out)], capture_output=True, text=True)
            res["run"]["ground_truth_check"] = (chk.stdout + chk.stderr).strip().splitlines()[-1:] or [""]
            res["run"]["ground_truth_ok"] = chk.returncode == 0
        fresh(db2)
    return res


def bench_peer(tool: str, data: Path, work: Path) -> dict:
    ext = ".duckdb" if tool == "duckdb" else ".db"
    db = work / f"{tool}{ext}"
    fresh(db)
    log(f"{tool}: load ...")
    res = {"load": measure(child_cmd(f"{tool}-load", data, db), work / f"{tool}-load")}
    log(f"  {res['load']['seconds']} s, {res['load']['peak_rss_mb']} MB")
    if not res["load"]["ok"]:
        return res
    tables = ["siem", "ttp_url", "ttp_attachment", "ttp_impersonation", "edr", "identities"]
    res["load"]["rows"] = count_duckdb(db) if tool == "duckdb" else count_sqlite(db, tables)
    res["db_mb_after_load"] = db_size_mb(db)
    log(f"{tool}: queries ...")
    kind = "duckdb-query" if tool == "duckdb" else "sqlite-query"
    res["query"] = measure(child_cmd(kind, data, db), work / f"{tool}-query")
    log(f"  {res['query']['seconds']} s, {res['query']['peak_rss_mb']} MB")
    res["db_mb"] = db_size_mb(db)
    fresh(db)
    return res


def ensure_python_module(name: str, pip_name: str) -> bool:
    try:
        __import__(name)
        return True
    except ImportError:
        log(f"installing {pip_name} (pip install -q {pip_name}) ...")
        subprocess.call([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", pip_name])
        try:
            __import__(name)
            return True
        except ImportError:
            return False


def ensure_data(args) -> Path:
    if args.data:
        data = Path(args.data)
        if not (data / "manifest.json").exists():
            sys.exit(f"bench: {data} is not a make-scale-data folder (no manifest.json)")
        return data
    data = BENCH_DIR / f"scale-{args.days}d-{args.mailboxes}m-seed1"
    if not (data / "manifest.json").exists():
        log(f"generating {data} (scripts/make-scale-data --days {args.days} --mailboxes {args.mailboxes}) ...")
        subprocess.run([sys.executable, str(ROOT / "scripts/make-scale-data"), "--days", str(args.days),
                        "--mailboxes", str(args.mailboxes), "--out", str(data)], check=True)
    return data


def ensure_mailscope(path: str | None) -> Path:
    ms = Path(path) if path else ROOT / ".build/release/mailscope"
    if not path:
        log("building MailScope (swift build -c release) ...")
        subprocess.run(["swift", "build", "-c", "release", "--product", "mailscope"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    if not ms.exists():
        sys.exit(f"bench: no MailScope binary at {ms}")
    return ms


def data_summary(data: Path) -> dict:
    manifest = json.loads((data / "manifest.json").read_text())
    params = manifest.get("params", {})
    gz = sum(p.stat().st_size for p in data.rglob("*.gz"))
    records = manifest.get("totals", {}).get("records")
    return {"path": str(data), "days": params.get("days"), "mailboxes": params.get("mailboxes"),
            "seed": params.get("seed"), "records": records, "gzip_mb": round(gz / 2**20, 1),
            "files": sum(1 for _ in data.rglob("*.gz"))}


def machine() -> dict:
    return {"cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "mem_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)}


def day_view(data: Path, days: list, view: Path) -> None:
    """A folder of symlinks to the given days of a make-scale-data set (what a user would pass)."""
    shutil.rmtree(view, ignore_errors=True)
    for kind in ("siem_v2", "ttp", "edr"):
        (view / kind).mkdir(parents=True)
        for day in days:
            if (data / kind / day).exists():
                (view / kind / day).symlink_to(data / kind / day)


def gzip_mb(data: Path, days: list) -> float:
    return round(sum(p.stat().st_size for kind in ("siem_v2", "ttp", "edr") for day in days
                     for p in (data / kind / day).glob("*.gz")) / 2**20, 1)


def run_growth(args, ms: Path, data: Path, work: Path, out_dir: Path) -> int:
    """Two series. Retrospective: `mailscope run` over the first N days into a fresh database,
    for each N of --growth. Nightly (--nightly D): one database, one `mailscope run` per day
    over that day's files, as the cron job does, for the first D days."""
    days_all = sorted({d.name for d in data.glob("siem_v2/*")})
    identities = str(data / "identities.csv")
    retro, nightly = [], []
    for n in [int(x) for x in args.growth.split(",") if x.strip()]:
        if n > len(days_all):
            log(f"growth: the data set has {len(days_all)} days, skipping {n}")
            continue
        view, db, out = work / f"first-{n}d", work / f"growth-{n}d.db", work / f"growth-{n}d-report"
        day_view(data, days_all[:n], view)
        fresh(db)
        shutil.rmtree(out, ignore_errors=True)
        log(f"growth: mailscope run over the first {n} day(s), fresh database ...")
        r = measure([str(ms), "run", "--input", str(view), "--identities", identities, "--db", str(db),
                     "--out", str(out)], work / f"growth-{n}d")
        rows = count_sqlite(db, MS_TABLES) if r["ok"] else {}
        point = {"days": n, "ok": r["ok"], "seconds": r["seconds"], "peak_rss_mb": r["peak_rss_mb"],
                 "db_mb": db_size_mb(db), "events": sum(rows.values()), "gzip_mb": gzip_mb(data, days_all[:n]),
                 "phases": detect_phases(log_text(work / f"growth-{n}d"))}
        if not r["ok"]:
            point["error"] = r["error"]
        log(f"  {point}")
        retro.append(point)
        fresh(db)
        shutil.rmtree(view, ignore_errors=True)
    if args.nightly:
        db = work / "nightly.db"
        fresh(db)
        for i, day in enumerate(days_all[:args.nightly]):
            view, out = work / f"night-{day}", work / "nightly-report"
            day_view(data, [day], view)
            shutil.rmtree(out, ignore_errors=True)
            log(f"nightly: day {i + 1} ({day}) ...")
            r = measure([str(ms), "run", "--input", str(view), "--identities", identities, "--db", str(db),
                         "--out", str(out)], work / f"nightly-{i + 1}")
            rows = count_sqlite(db, MS_TABLES) if r["ok"] else {}
            point = {"day": i + 1, "date": day, "ok": r["ok"], "seconds": r["seconds"], "peak_rss_mb": r["peak_rss_mb"],
                     "db_mb": db_size_mb(db), "events_total": sum(rows.values()), "gzip_mb": gzip_mb(data, [day]),
                     "phases": detect_phases(log_text(work / f"nightly-{i + 1}"))}
            if not r["ok"]:
                point["error"] = r["error"]
            log(f"  {point}")
            nightly.append(point)
            shutil.rmtree(view, ignore_errors=True)
        fresh(db)
    result = {"data": data_summary(data), "machine": machine(), "retrospective": retro, "nightly": nightly,
              "command": f"scripts/bench --growth {args.growth}" + (f" --nightly {args.nightly}" if args.nightly else "")
                         + (f" --data {data}" if args.data else "")}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "growth.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    d = result["data"]
    (out_dir / "growth.svg").write_text(growth_svg(retro, nightly, f"Growth with days of data ({d['mailboxes']:,} "
                                                                   f"mailboxes, {result['machine']['cores']} cores)"))
    print(f"\nretrospective (fresh database, first N days):\n{'days':>5} {'events':>12} {'gzip MB':>8} {'run':>10} "
          f"{'peak RSS':>9} {'DB MB':>8}")
    for p in retro:
        print(f"{p['days']:>5} {p['events']:>12,} {p['gzip_mb']:>8.0f} {fmt_s(p['seconds']):>10} "
              f"{p['peak_rss_mb']:>7.0f}MB {p['db_mb']:>8.0f}")
    if nightly:
        print(f"\nnightly (one database, one run per day):\n{'day':>5} {'events':>12} {'run':>10} {'peak RSS':>9} {'DB MB':>8}")
        for p in nightly:
            print(f"{p['day']:>5} {p['events_total']:>12,} {fmt_s(p['seconds']):>10} {p['peak_rss_mb']:>7.0f}MB {p['db_mb']:>8.0f}")
    log(f"wrote {out_dir / 'growth.json'} and growth.svg")
    return 0 if all(p["ok"] for p in retro + nightly) else 1


def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        if len(sys.argv) != 5 or sys.argv[2] not in CHILDREN:
            print("usage: bench --child KIND DATA DB", file=sys.stderr)
            return 2
        return run_child(sys.argv[2], sys.argv[3], sys.argv[4])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="an existing make-scale-data folder")
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--mailboxes", type=int, default=5000)
    ap.add_argument("--tools", default="mailscope,python,sqlite-utils,duckdb")
    ap.add_argument("--mailscope", help="a MailScope binary (default: build .build/release/mailscope)")
    ap.add_argument("--skip-run", action="store_true", help="skip the whole-job `mailscope run` measurement")
    ap.add_argument("--growth", help="comma-separated day counts: a fresh `mailscope run` over the first N days each")
    ap.add_argument("--nightly", type=int, default=0,
                    help="with --growth: also one `mailscope run` per day on one database, for the first N days")
    ap.add_argument("--keep-others", action="store_true",
                    help="keep the figures of the tools not run now from the last bench.json on the same data")
    ap.add_argument("--out", default=str(ROOT / "reports/bench"), help="where bench.json and bench.svg go")
    args = ap.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - {"mailscope", "python", "sqlite-utils", "duckdb"}
    if unknown:
        ap.error(f"unknown tool(s): {', '.join(sorted(unknown))}")
    data = ensure_data(args)
    work = BENCH_DIR / "bench-work"
    work.mkdir(parents=True, exist_ok=True)
    out_dir = Path(args.out)
    if args.growth:
        return run_growth(args, ensure_mailscope(args.mailscope), data, work, out_dir)
    if "duckdb" in tools and not ensure_python_module("duckdb", "duckdb"):
        sys.exit("bench: cannot install duckdb")
    if "sqlite-utils" in tools and not ensure_python_module("sqlite_utils", "sqlite-utils"):
        sys.exit("bench: cannot install sqlite-utils")
    ms = ensure_mailscope(args.mailscope) if "mailscope" in tools else None
    result = {"data": data_summary(data), "machine": machine(), "tools": {},
              "queries": {k: v[0] for k, v in QUERIES.items()},
              "command": "scripts/bench " + " ".join(sys.argv[1:])}
    try:
        import duckdb
        result["versions"] = {"duckdb": duckdb.__version__}
    except ImportError:
        result["versions"] = {}
    result["versions"]["sqlite"] = sqlite3.sqlite_version
    if ms:
        result["tools"]["mailscope"] = bench_mailscope(ms, data, work, args.skip_run)
    for tool in tools:
        if tool != "mailscope":
            result["tools"][tool] = bench_peer(tool, data, work)
    if args.keep_others:
        # The other tools' figures of the last run on the same data set (peers do not change
        # when MailScope does): kept, and marked with the command that measured them.
        old_path = out_dir / "bench.json"
        old = json.loads(old_path.read_text()) if old_path.exists() else {}
        if old.get("data", {}).get("records") != result["data"]["records"] or old.get("data", {}).get("path") != result["data"]["path"]:
            sys.exit(f"bench: --keep-others: {old_path} is not a run on {data}")
        for tool, figures in old.get("tools", {}).items():
            if tool not in result["tools"]:
                figures["measured_by"] = figures.get("measured_by", old.get("command"))
                result["tools"][tool] = figures
        result["tools"] = {t: result["tools"][t] for t in ("mailscope", "python", "sqlite-utils", "duckdb") if t in result["tools"]}
    print_table(result)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    (out_dir / "bench.svg").write_text(chart_svg(result))
    log(f"wrote {out_dir / 'bench.json'} and bench.svg")
    failed = [t for t, r in result["tools"].items()
              if not all(s.get("ok", True) for s in r.values() if isinstance(s, dict))]
    if failed:
        log(f"failed: {', '.join(failed)} (see the logs in {work})")
    return 1 if failed else 0
