"""bench-ingest: ingest benchmark for MailScope (a measurement, not a gate).

One run:
  1. generates (deterministically) ~1 GiB of Mimecast API 2.0 SIEM NDJSON, gzipped into one
     file under ${BENCH_DIR:-/tmp/mailscope-bench} (reused when already generated with the
     same parameters);
  2. ingests that file, each into a fresh database, with
       a. MailScope   `mailscope ingest FILE --db DB`
       b. Python      stdlib gzip + json + sqlite3.executemany (50k-row batches, WAL)
       c. DuckDB      CREATE TABLE ev AS SELECT * FROM read_json(FILE, ...)
     timing each child process (wall clock) and taking its peak RSS from os.wait4;
  3. prints a table and the targets (MailScope >= 3x Python, >= DuckDB events/s,
     peak RSS < 150 MB) with PASS/FAIL, and writes reports/bench/ingest.json;
  4. then (unless --no-csv) the EDR CSV run: generates (deterministically, cached the same way)
     a gzipped Microsoft Defender for Endpoint advanced-hunting CSV export of --csv-rows rows
     (default 2,000,000; 200,000 with --quick; 29 columns, CRLF, RFC 4180 quoting), ingests it with
       a. MailScope   `mailscope ingest FILE.csv.gz --db DB`, counted from edr_event
       b. Python      stdlib gzip + csv.reader + sqlite3.executemany (50k-row batches, WAL)
       c. DuckDB      CREATE TABLE t AS SELECT * FROM read_csv(FILE, header=true)
     and prints a second table (rows, seconds, rows/s, MB/s, peak RSS) with no targets; the
     figures go under the report's "csv" key. A MailScope database without an edr_event table
     (a build with no EDR support yet) is shown as N/A, whatever mailscope's exit code.

Exit status: 0 when every tool ran (whether or not a target was met; an N/A MailScope CSV run
counts as run), 1 when a tool crashed, could not be built or produced no rows (in either run),
2 on a usage error.

Units: MB means MiB (2**20 bytes) everywhere: --size-mb, MB/s (uncompressed input bytes per
second) and peak RSS. events/s = input events / wall seconds of the tool's process (startup
included), the same numerator for every tool; "rows" is what the tool actually loaded (for
MailScope the sum of count(*) over mail_message, url_click, attachment_scan, impersonation,
mail_event), and a note is printed when it differs from the input events.

Usage:
  scripts/bench-ingest                 # 1024 MB of NDJSON, then 2,000,000 CSV rows
  scripts/bench-ingest --quick         # 100 MB, then 200,000 CSV rows
  scripts/bench-ingest --size-mb 300 --tools python,duckdb --repeat 3
  scripts/bench-ingest --quick --no-csv        # the NDJSON run only
  scripts/bench-ingest --csv-rows 500000       # a CSV of another size
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from .common import MB, ROOT, log
from .edr_data import generate_csv
from .ingest_children import run_child_main
from .siem_data import generate

SCRIPT = ROOT / "scripts" / "bench-ingest"   # the children run as `bench-ingest --child ...`
DEFAULT_MAILSCOPE = ROOT / ".build" / "release" / "mailscope"
MAILSCOPE_TABLES = ("mail_message", "url_click", "attachment_scan", "impersonation", "mail_event")

TARGET_VS_PYTHON = 3.0         # MailScope events/s >= 3x Python's
TARGET_VS_DUCKDB = 1.0         # MailScope events/s >= DuckDB's
TARGET_RSS_MB = 150.0          # MailScope peak RSS < 150 MB


def fresh_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".wal", ".tmp"):
        p = Path(str(path) + suffix)
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def measure(cmd: list, log_base: Path, timeout: float) -> dict:
    """Run cmd; return its wall seconds, peak RSS (ru_maxrss of the child and the descendants
    it waited for), CPU seconds, exit status and stdout. stdout/stderr go to log files."""
    out_path, err_path = Path(f"{log_base}.stdout.log"), Path(f"{log_base}.stderr.log")
    timed_out = threading.Event()
    with open(out_path, "wb") as out_fh, open(err_path, "wb") as err_fh:
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out_fh, stderr=err_fh)
        except OSError as exc:
            return {"ok": False, "error": f"cannot start {cmd[0]}: {exc}"}

        def on_timeout():
            timed_out.set()
            proc.kill()                   # this child only, by its pid
        timer = threading.Timer(timeout, on_timeout)
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
    res = {
        "ok": code == 0 and not timed_out.is_set(), "exit_code": code, "seconds": wall,
        "peak_rss_mb": ru.ru_maxrss / 1024.0,    # Linux reports KiB
        "cpu_user_s": ru.ru_utime, "cpu_sys_s": ru.ru_stime,
        "stdout": out_path.read_bytes()[-100_000:].decode("utf-8", "replace"),
    }
    if not res["ok"]:
        tail = err_path.read_bytes()[-2000:].decode("utf-8", "replace").strip()
        if timed_out.is_set():
            why = f"timed out after {timeout:.0f} s (killed)"
        else:
            why = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        res["error"] = f"{why}; stderr tail ({err_path}):\n{tail}"
    return res


def count_mailscope_rows(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                  for t in MAILSCOPE_TABLES if t in have}
    finally:
        con.close()
    return counts


def count_edr_rows(db: Path) -> int | None:
    """count(*) of edr_event, or None when the table is missing (a build with no EDR support)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='edr_event'").fetchone():
            return None
        return con.execute("SELECT count(*) FROM edr_event").fetchone()[0]
    finally:
        con.close()


def ensure_mailscope(path_arg: str | None, log_dir: Path) -> tuple[Path | None, str | None]:
    if path_arg:
        p = Path(path_arg).resolve()
        if not (p.is_file() and os.access(p, os.X_OK)):
            return None, f"--mailscope {path_arg}: not an executable file"
        return p, None
    p = DEFAULT_MAILSCOPE
    if p.is_file() and os.access(p, os.X_OK):
        return p, None
    swift = shutil.which("swift")
    if not swift:
        return None, f"{p} is missing and `swift` is not on PATH, so it cannot be built"
    log(f"{p} is missing: running `swift build -c release` in {ROOT} ...")
    t0 = time.perf_counter()
    build_log = log_dir / "swift-build.log"
    with open(build_log, "wb") as fh:
        rc = subprocess.call([swift, "build", "-c", "release", "--product", "mailscope"],
                             cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    if rc != 0:
        lines = build_log.read_text("utf-8", "replace").splitlines()
        errors = [l for l in lines if "error:" in l][:15] or lines[-15:]
        return None, ("`swift build -c release` failed (exit %d, full log: %s):\n  %s"
                      % (rc, build_log, "\n  ".join(errors)))
    log(f"built in {time.perf_counter() - t0:.0f} s")
    if not p.is_file():
        return None, f"`swift build -c release` succeeded but {p} does not exist"
    return p, None


def run_tool(tool: str, gz: Path, work: Path, mailscope: Path | None, repeat: int,
             timeout: float, section: str = "ndjson") -> dict:
    """section "ndjson" (the Mimecast run) or "csv" (the EDR run: databases, logs and child
    kinds get a -csv suffix; MailScope is counted from edr_event)."""
    runs = []
    csv_run = section == "csv"
    tag = f"{tool}-csv" if csv_run else tool
    for i in range(repeat):
        db = work / f"{tag}.{'duckdb' if tool == 'duckdb' else 'sqlite'}"
        fresh_db(db)
        if tool == "mailscope":
            cmd = [str(mailscope), "ingest", str(gz), "--db", str(db)]
        else:
            cmd = [sys.executable, str(SCRIPT), "--child", tag, str(gz), str(db)]
        log(f"[{tag}] run {i + 1}/{repeat}: {' '.join(cmd)}")
        res = measure(cmd, work / tag, timeout)
        if csv_run and tool == "mailscope" and res.get("exit_code", -1) >= 0:
            # exited by itself (not killed, not timed out): a database without edr_event means
            # this build has no EDR support yet. That is N/A, not a failure, whatever the exit code.
            try:
                n = count_edr_rows(db) if db.is_file() else None
            except sqlite3.Error as exc:
                n = exc
            if n is None:
                why = ("no edr_event table in the database" if db.is_file()
                       else "no database was created")
                res.update(ok=False, not_supported=True,
                           note=f"{why}: this MailScope build has no EDR support yet")
                if res.get("exit_code"):
                    res["note"] += f" (it exited {res['exit_code']}; see {work / tag}.stderr.log)"
                    res["detail"] = res.pop("error", None)
            elif isinstance(n, Exception):
                if res["ok"]:
                    res.update(ok=False, error=f"could not read the result: {n}")
            elif res["ok"]:
                res["tables"] = {"edr_event": n}
                res["rows"] = n
        if res["ok"]:
            try:
                if tool == "mailscope" and csv_run:
                    pass                           # counted above
                elif tool == "mailscope" and not db.is_file():
                    res.update(ok=False, error=f"exited 0 but created no database at {db}")
                elif tool == "mailscope":
                    res["tables"] = count_mailscope_rows(db)
                    res["rows"] = sum(res["tables"].values())
                    if not res["tables"]:
                        res.update(ok=False, error=f"none of the tables {', '.join(MAILSCOPE_TABLES)} exist in {db}")
                else:
                    line = [l for l in res["stdout"].splitlines() if l.startswith("BENCH_RESULT ")]
                    res.update(json.loads(line[-1].split(" ", 1)[1]))
            except (sqlite3.Error, IndexError, ValueError) as exc:
                res.update(ok=False, error=f"could not read the result: {exc}")
            if res["ok"] and not res.get("rows"):
                res.update(ok=False, error="finished but loaded no rows")
        try:
            res["db_mb"] = round(sum(p.stat().st_size for p in work.glob(db.name + "*")
                                     if p.is_file()) / MB, 1)
        except OSError:
            pass
        res.pop("stdout", None)
        if res["ok"]:
            log(f"[{tag}]   {res['rows']:,} rows in {res['seconds']:.2f} s, "
                f"peak RSS {res['peak_rss_mb']:.0f} MB, CPU {res['cpu_user_s'] + res['cpu_sys_s']:.1f} s")
        elif res.get("not_supported"):
            log(f"[{tag}]   N/A: {res['note']}")
        else:
            log(f"[{tag}]   FAILED: {res['error']}")
        runs.append(res)
        if not res["ok"]:
            break
    ok = [r for r in runs if r["ok"]]
    if len(ok) < len(runs) or not ok:
        best = dict(runs[-1])
    else:
        best = dict(sorted(ok, key=lambda r: r["seconds"])[len(ok) // 2])   # median run
    best["runs"] = [{k: v for k, v in r.items() if k in ("seconds", "peak_rss_mb", "ok")} for r in runs]
    return best


def run_csv_section(bench_dir: Path, rows: int, tools: list, work: Path, ms_resolved: tuple,
                    repeat: int, timeout: float) -> tuple[dict, list]:
    """Generates (or reuses) the Defender CSV, runs the tools on it, prints the second table.
    Returns the report's `csv` object and the tools that failed (N/A is not a failure)."""
    data = generate_csv(bench_dir, rows)
    gz = Path(data["file"])
    results: dict = {}
    for tool in tools:
        mailscope = None
        if tool == "mailscope":
            mailscope, why = ms_resolved
            if mailscope is None:
                log(f"[mailscope-csv] NOT RUN: {why}")
                results[tool] = {"ok": False, "error": why, "not_run": True}
                continue
        results[tool] = run_tool(tool, gz, work, mailscope, repeat, timeout, section="csv")

    nrows, ubytes = data["rows"], data["uncompressed_bytes"]
    for r in results.values():
        if r.get("ok"):
            r["rows_per_s"] = nrows / r["seconds"]
            r["mb_per_s"] = ubytes / MB / r["seconds"]

    def rate(t):
        r = results.get(t)
        return r["rows_per_s"] if r and r.get("ok") else None

    ms, py, dd = rate("mailscope"), rate("python"), rate("duckdb")
    ratios = {"mailscope_vs_python": ms / py if ms and py else None,
              "mailscope_vs_duckdb": ms / dd if ms and dd else None}

    print()
    print("EDR CSV (Microsoft Defender for Endpoint advanced-hunting export)")
    print(f"input: {gz}")
    print(f"       {nrows:,} rows x {data['columns']} columns, {ubytes / MB:.0f} MB CSV "
          f"({data['bytes_per_row']} B/row), {data['gz_bytes'] / MB:.0f} MB gzipped; MB = 2^20 bytes")
    print()
    hdr = f"{'tool':<10} {'rows':>11} {'seconds':>8} {'rows/s':>10} {'MB/s':>7} {'RSS MB':>7}"
    print(hdr)
    print("-" * len(hdr))
    for t in tools:
        r = results[t]
        if r.get("ok"):
            print(f"{t:<10} {r['rows']:>11,} {r['seconds']:>8.2f} {r['rows_per_s']:>10,.0f} "
                  f"{r['mb_per_s']:>7.1f} {r['peak_rss_mb']:>7.0f}")
        elif r.get("not_supported"):
            print(f"{t:<10} {'N/A':>11}  ({r['note']})")
        else:
            print(f"{t:<10} {'NOT RUN' if r.get('not_run') else 'CRASHED':>11}")
    print()
    for k, v in ratios.items():
        print(f"{k.replace('_', ' ').replace('mailscope', 'MailScope').replace('python', 'Python').replace('duckdb', 'DuckDB')} (CSV): "
              + (f"{v:.2f}x" if v is not None else "n/a"))
    for t in tools:
        r = results[t]
        if r.get("ok") and r["rows"] != nrows:
            print(f"  note: {t} loaded {r['rows']:,} rows for {nrows:,} input rows")
        if not r.get("ok") and not r.get("not_supported"):
            print(f"\n{t} (CSV) {'was not run' if r.get('not_run') else 'failed'}: {r.get('error')}")

    report = {
        "input": {k: v for k, v in data.items() if k != "reused"},
        "units": {"rows_per_s": "input rows / wall seconds of the tool's process",
                  "mb_per_s": "uncompressed CSV MiB / wall seconds"},
        "tools": results, "ratios": ratios,
    }
    failed = [t for t in tools if not results[t].get("ok") and not results[t].get("not_supported")]
    return report, failed


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        return run_child_main(sys.argv[2], sys.argv[3], sys.argv[4])
    a, size_mb, csv_rows, tools = parse_args()
    bench_dir = Path(os.environ.get("BENCH_DIR") or "/tmp/mailscope-bench")
    data = generate(bench_dir, size_mb)
    if a.generate_only:
        if a.csv:
            generate_csv(bench_dir, csv_rows)
        return 0
    gz = Path(data["file"])
    if "duckdb" in tools:
        ensure_duckdb()
    work = bench_dir / "db"
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    ms_resolved: tuple = (None, None)
    for tool in tools:
        mailscope = None
        if tool == "mailscope":
            mailscope, why = ms_resolved = ensure_mailscope(a.mailscope, work)
            if mailscope is None:
                log(f"[mailscope] NOT RUN: {why}")
                results[tool] = {"ok": False, "error": why, "not_run": True}
                continue
        results[tool] = run_tool(tool, gz, work, mailscope, a.repeat, a.timeout)
    ratios, target_out = ndjson_figures(data, results)
    print_ndjson_table(gz, data, tools, results, ratios, target_out)
    # -- EDR CSV section --------------------------------------------------------------------------
    csv_report, csv_failed = (run_csv_section(bench_dir, csv_rows, tools, work, ms_resolved, a.repeat, a.timeout)
                              if a.csv else (None, []))
    write_report(a, data, results, ratios, target_out, csv_report)
    failed = [t for t in tools if not results[t].get("ok")] + csv_failed
    return 1 if failed else 0


def parse_args():
    """(arguments, NDJSON MB, CSV rows, tools)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--size-mb", type=int, default=1024, help="uncompressed NDJSON size (default 1024)")
    ap.add_argument("--quick", action="store_true",
                    help="shorthand for --size-mb 100 (and 200,000 CSV rows unless --csv-rows is given)")
    ap.add_argument("--mailscope", metavar="PATH",
                    help="mailscope binary (default .build/release/mailscope, built if missing)")
    ap.add_argument("--tools", default="mailscope,python,duckdb",
                    help="comma-separated subset of mailscope,python,duckdb (default: all)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool; the median is reported")
    ap.add_argument("--output", default=str(ROOT / "reports" / "bench" / "ingest.json"),
                    help="JSON report path (default reports/bench/ingest.json)")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds before a tool's run is killed and counted as failed (default 1800)")
    ap.add_argument("--generate-only", action="store_true", help="only generate the input file(s)")
    ap.add_argument("--csv", action=argparse.BooleanOptionalAction, default=True,
                    help="after the NDJSON run, run the EDR CSV one (the default); --no-csv skips it")
    ap.add_argument("--csv-rows", type=int, metavar="N",
                    help="rows of generated Defender CSV (default 2,000,000; 200,000 with --quick)")
    a = ap.parse_args()
    size_mb = 100 if a.quick else a.size_mb
    csv_rows = a.csv_rows if a.csv_rows is not None else (200_000 if a.quick else 2_000_000)
    tools = [t.strip() for t in a.tools.split(",") if t.strip()]
    if size_mb < 1 or a.repeat < 1 or any(t not in ("mailscope", "python", "duckdb") for t in tools):
        ap.error("bad --size-mb, --repeat or --tools")
    if a.csv and csv_rows < 1:
        ap.error("bad --csv-rows")
    return a, size_mb, csv_rows, tools


def ensure_duckdb():
    try:
        import duckdb  # noqa: F401
    except ImportError:
        log("installing duckdb (pip install -q duckdb) ...")
        subprocess.call([sys.executable, "-m", "pip", "install", "-q",
                         "--disable-pip-version-check", "duckdb"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ndjson_figures(data, results):
    """Events/s and MB/s per tool (added to its result), the ratios, and the targets' verdicts."""
    events, ubytes = data["events"], data["uncompressed_bytes"]
    for r in results.values():
        if r.get("ok"):
            r["events_per_s"] = events / r["seconds"]
            r["mb_per_s"] = ubytes / MB / r["seconds"]

    def rate(t):
        r = results.get(t)
        return r["events_per_s"] if r and r.get("ok") else None

    ms, py, dd = rate("mailscope"), rate("python"), rate("duckdb")
    ratios = {"mailscope_vs_python": ms / py if ms and py else None,
              "mailscope_vs_duckdb": ms / dd if ms and dd else None}
    ms_rss = results["mailscope"]["peak_rss_mb"] if ms else None
    targets = [
        ("MailScope events/s >= 3x Python", ratios["mailscope_vs_python"], TARGET_VS_PYTHON, ">="),
        ("MailScope events/s >= DuckDB", ratios["mailscope_vs_duckdb"], TARGET_VS_DUCKDB, ">="),
        ("MailScope peak RSS < 150 MB", ms_rss, TARGET_RSS_MB, "<"),
    ]
    target_out = []
    for name, val, lim, op in targets:
        if val is None:
            verdict = "N/A"
        else:
            verdict = "PASS" if (val >= lim if op == ">=" else val < lim) else "FAIL"
        target_out.append({"target": name, "value": val, "limit": lim, "result": verdict})
    return ratios, target_out


def print_ndjson_table(gz, data, tools, results, ratios, target_out):
    events, ubytes = data["events"], data["uncompressed_bytes"]
    print()
    print(f"input: {gz}")
    print(f"       {events:,} events, {ubytes / MB:.0f} MB NDJSON ({data['bytes_per_line']} B/line), "
          f"{data['gz_bytes'] / MB:.0f} MB gzipped; {os.cpu_count()} cores; MB = 2^20 bytes")
    print()
    hdr = f"{'tool':<10} {'events':>11} {'rows':>11} {'seconds':>8} {'events/s':>10} {'MB/s':>7} {'RSS MB':>7} {'CPU s':>7}"
    print(hdr)
    print("-" * len(hdr))
    for t in tools:
        r = results[t]
        if r.get("ok"):
            print(f"{t:<10} {events:>11,} {r['rows']:>11,} {r['seconds']:>8.2f} {r['events_per_s']:>10,.0f} "
                  f"{r['mb_per_s']:>7.1f} {r['peak_rss_mb']:>7.0f} {r['cpu_user_s'] + r['cpu_sys_s']:>7.1f}")
        else:
            print(f"{t:<10} {events:>11,} {'NOT RUN' if r.get('not_run') else 'CRASHED':>11}")
    print()
    for k, v in ratios.items():
        print(f"{k.replace('_', ' ').replace('mailscope', 'MailScope').replace('python', 'Python').replace('duckdb', 'DuckDB')}: "
              + (f"{v:.2f}x" if v is not None else "n/a"))
    print()
    for t in target_out:
        v = t["value"]
        shown = "n/a" if v is None else (f"{v:.0f} MB" if "RSS" in t["target"] else f"{v:.2f}x")
        print(f"  {t['result']:<4}  {t['target']:<34} ({shown})")
    for t in tools:
        r = results[t]
        if r.get("ok") and r["rows"] != events:
            print(f"  note: {t} loaded {r['rows']:,} rows for {events:,} input events")
        if not r.get("ok"):
            print(f"\n{t} {'was not run' if r.get('not_run') else 'failed'}: {r.get('error')}")


def write_report(a, data, results, ratios, target_out, csv_report):
    """The JSON report (--output, default reports/bench/ingest.json)."""
    out = Path(a.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "generated_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "units": {"mb": "MiB (2^20 bytes)", "seconds": "wall clock of the child process",
                  "peak_rss_mb": "ru_maxrss from wait4"},
        "input": {k: v for k, v in data.items() if k != "reused"},
        "tools": results, "ratios": ratios, "targets": target_out,
    }
    if csv_report is not None:
        report["csv"] = csv_report
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out}")
