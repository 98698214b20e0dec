"""make-scale-data --verify and --check-report: re-read a written set (every line parses, every
CSV row has its columns, counts and SHA-256 match the manifest), and compare its expected
incidents with a MailScope report.json."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import sys
import time


def verify(out: str) -> int:
    """Re-read a data set: every NDJSON line and TTP page parses as JSON, every CSV row has the
    header's column count, and the record counts equal the manifest's."""
    man = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    errors = 0
    seen = {"siem_v2": 0, "ttp": 0, "edr": 0}
    t0 = time.perf_counter()
    for f in man["files"]:
        path = os.path.join(out, f["path"])
        data = open(path, "rb").read()
        if hashlib.sha256(data).hexdigest() != f["sha256"]:
            print(f"{f['path']}: SHA-256 differs from the manifest", file=sys.stderr)
            errors += 1
        if f["kind"] == "identities":
            continue
        text = gzip.decompress(data).decode("utf-8")
        if f["kind"] == "siem_v2":
            lines = text.split("\n")
            if lines[-1] != "":
                errors += 1
            for no, line in enumerate(lines[:-1], 1):
                try:
                    ev = json.loads(line)
                except ValueError as e:
                    print(f"{f['path']}:{no}: {e}", file=sys.stderr)
                    errors += 1
                    continue
                if not isinstance(ev.get("timestamp"), int) or "type" not in ev:
                    print(f"{f['path']}:{no}: no timestamp or type", file=sys.stderr)
                    errors += 1
            n = len(lines) - 1
        elif f["kind"] == "ttp":
            doc = json.loads(text)
            n = sum(len(v) for d in doc["data"] for k, v in d.items() if isinstance(v, list))
        else:
            rdr = csv.reader(io.StringIO(text, newline=""))
            header = next(rdr)
            n = 0
            for rec in rdr:
                n += 1
                if len(rec) != len(header):
                    print(f"{f['path']}: row {n}: {len(rec)} columns, header has {len(header)}", file=sys.stderr)
                    errors += 1
        if n != f["records"]:
            print(f"{f['path']}: {n} records, manifest says {f['records']}", file=sys.stderr)
            errors += 1
        seen[f["kind"]] += n
    print(f"verified {len(man['files'])} files in {time.perf_counter() - t0:.1f} s: {seen['siem_v2']:,} SIEM lines, "
          f"{seen['ttp']:,} TTP records, {seen['edr']:,} EDR rows; {errors} error(s)", file=sys.stderr)
    return 1 if errors else 0


def check_report(out: str, report_dir: str) -> int:
    """Compare the expected incidents of the ground truth with a MailScope report.json."""
    truth = json.load(open(os.path.join(out, "ground-truth.json"), encoding="utf-8"))
    path = report_dir if report_dir.endswith(".json") else os.path.join(report_dir, "report.json")
    rep = json.load(open(path, encoding="utf-8"))
    got = {i["key"]: i for i in rep["incidents"]}
    problems = 0
    for e in truth["expected_incidents"]:
        i = got.get(e["key"])
        label = f"{e['source']:<28} {e['key'][:70]}"
        if i is None:
            print(f"MISSING  {label}")
            problems += 1
            continue
        notes = []
        if i["severity"] != e["severity"]:
            notes.append(f"severity {i['severity']} (expected {e['severity']})")
        people = {p["user"]: p for p in i.get("people", [])}
        if "stages" in e:
            if i.get("stage") != e["stage"]:
                notes.append(f"stage {i.get('stage')} (expected {e['stage']})")
            miss = sorted(set(e["recipients"]) - set(people))
            if miss:
                notes.append(f"{len(miss)} recipients missing")
            wrong = sorted(u for u, s in e["stages"].items() if u in people and people[u]["stage"] != s)
            if wrong:
                notes.append("stage differs for " + ", ".join(f"{u} ({people[u]['stage']} vs {e['stages'][u]})" for u in wrong[:4])
                             + (" …" if len(wrong) > 4 else ""))
            hosts = {h["host"]: h["stage"] for h in i.get("host_details", [])}
            if hosts != e["hosts"]:
                notes.append(f"hosts {hosts} (expected {e['hosts']})")
        else:
            miss = sorted(set(e["recipients"]) - set(people))
            if miss:
                notes.append(f"{len(miss)} recipients missing")
        print(("OK       " if not notes else "DIFFERS  ") + label + ("" if not notes else ": " + "; ".join(notes)))
        problems += 1 if notes else 0
    extra = sorted(set(got) - {e["key"] for e in truth["expected_incidents"]})
    for k in extra:
        i = got[k]
        print(f"EXTRA    {'':<28} {k[:70]} ({i['severity']}, {len(i.get('people', []))} people): {i.get('title', '')[:80]}")
    print(f"{len(truth['expected_incidents'])} expected incidents, {len(got)} in the report: "
          f"{problems} missing or different, {len(extra)} not in the ground truth")
    return 1 if problems or extra else 0
