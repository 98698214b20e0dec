"""Field coverage of the Mimecast parsers on the real samples (../shared/samples/mimecast, and of
more/ the release and Cloud Integrated logs,
read in place) and the project's fixtures: every non-empty field of every record is in extra
(or a mail_event's raw) under its own name, or its value is in a column of the record's rows
(times, booleans, JSON and <Message-IDs> compared in their stored forms). The EDR profiles have
the stricter, per-column check in Tests/MailScopeKitTests/EDRFieldCoverageTests.swift.

  scripts/check-mimecast-coverage [--mailscope .build/debug/mailscope]

Known, listed exceptions (see KNOWN): the record type of API 2.0 lines is the table and event it
goes to; the threat-intel STIX export keeps each indicator's value, label, id and valid_from,
not the object's created/modified times nor the download header (the ioc table has no extra).
"""
import argparse
import collections
import fnmatch
import glob
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

from ..paths import ROOT

TIME = {"datetime", "date", "timestamp", "eventTime", "created", "modified", "valid_from", "released"}
KNOWN = {("siem_v2_*", "type"), ("threat_intel_*", "Content-Disposition"), ("threat_intel_*", "type"), ("threat_intel_*", "id"),
         ("threat_intel_*", "spec_version"), ("threat_intel_*", "pattern")}
TABLES = ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event", "ioc", "message_release"]
# The families of ../shared/samples/mimecast/more this check covers (issue 22): held-message
# release logs and Cloud Integrated.
MORE = ["message_release_logs_*.ndjson", "cloud_integrated_logs_*.ndjson"]


def forms(v):
    """The stored forms a record's value may take in a column."""
    if isinstance(v, bool) or (isinstance(v, str) and v.lower() in ("true", "false")):
        t = v if isinstance(v, bool) else v.lower() == "true"
        return {"1", "true"} if t else {"0", "false"}
    if isinstance(v, (dict, list)):
        return {json.dumps(v, sort_keys=True)} | ({str(x).lower() for x in v} if isinstance(v, list) else set())
    s = str(v).strip().lower()
    # A list written as text ("a.xlsm", "b.pdf") is stored as a JSON array: compare the items.
    items = "".join(ch for ch in s if ch not in '"[] ')
    return {s, s.strip("<>"), items}


def known(name, key):
    return any(fnmatch.fnmatch(name, pattern) and key == k for pattern, k in KNOWN)


def stored_rows(mailscope, path, work):
    """Ingest path into a fresh database; its rows by (line, record) as column dicts, and how
    many records were stored once already (duplicates have no rows of their own)."""
    db = os.path.join(work, os.path.basename(path) + ".db")
    subprocess.run([mailscope, "ingest", path, "--db", db], capture_output=True, check=False)
    c = sqlite3.connect(db)
    rows = collections.defaultdict(list)
    for t in TABLES:
        cols = [r[1] for r in c.execute(f"PRAGMA table_info({t})")]
        if not cols:
            continue
        for r in c.execute(f"SELECT * FROM {t}"):
            d = dict(zip(cols, r))
            rows[(d["line_no"], d.get("record_no"))].append(d)
    duplicates = sum(r[0] or 0 for r in c.execute("SELECT duplicates FROM input_file"))
    return rows, duplicates


def empty_page(record):
    """An API page with no records ({"meta":…,"data":[],"fail":[]}): nothing to keep."""
    return set(record) <= {"meta", "data", "fail"} and "meta" in record and record.get("data") == [] and not record.get("fail")


def kept(stored):
    """What a record's rows keep: the fields of their extra/raw JSON by name, and every column
    value in its stored forms."""
    fields, values = {}, set()
    for d in stored:
        for field in ("extra", "raw"):
            if d.get(field):
                try:
                    fields.update(json.loads(d[field]))
                except ValueError:
                    pass
        for k, v in d.items():
            if v is None or k in ("extra", "raw"):
                continue
            s = str(v).lower()
            values |= {s, s.strip("<>"), "".join(ch for ch in s if ch not in '"[] ')}
            try:
                values.add(json.dumps(json.loads(v), sort_keys=True))
            except (ValueError, TypeError):
                pass
    return fields, values


def lost_fields(name, lines, rows, duplicates=0):
    """The fields of the JSON lines that no row keeps: "name:line: key = value ..." each. Up to
    `duplicates` lines without rows are records the database already held (the ingest counted
    them as duplicates): their fields are kept by the first copy."""
    problems = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if empty_page(record):
            continue
        if (number, None) not in rows and duplicates > 0:
            duplicates -= 1
            continue
        fields, values = kept(rows.get((number, None), []))
        text = " ".join(values)
        for key, value in record.items():
            if value in (None, "", [], {}) or key in TIME or key in fields or known(name, key):
                continue
            f = forms(value)
            if f & values or any(x in text for x in f if len(x) > 3):
                continue
            problems.append(f"{name}:{number}: {key} = {str(value)[:70]} is in no column and not in extra")
    return problems


def check(mailscope, path, work):
    rows, duplicates = stored_rows(mailscope, path, work)
    return lost_fields(os.path.basename(path), open(path, encoding="utf-8"), rows, duplicates)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mailscope", default=".build/debug/mailscope")
    a = ap.parse_args()
    root = ROOT
    samples = os.path.join(os.path.dirname(root), "shared", "samples", "mimecast")
    files = sorted(glob.glob(os.path.join(root, "fixtures", "mimecast", "*.ndjson")))
    files += sorted(glob.glob(os.path.join(root, "fixtures", "mimecast", "*", "*.ndjson")))
    if os.path.isdir(samples):
        files += sorted(glob.glob(os.path.join(samples, "*.ndjson")))
        for pattern in MORE:
            files += sorted(glob.glob(os.path.join(samples, "more", pattern)))
    else:
        print("check-mimecast-coverage: ../shared/samples/mimecast is absent; checking the fixtures only")
    problems = []
    with tempfile.TemporaryDirectory() as work:
        for path in files:
            problems += check(a.mailscope, path, work)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"check-mimecast-coverage: {len(files)} files, {len(problems)} fields lost")
    sys.exit(1 if problems else 0)
