"""Field coverage of the Mimecast parsers on the real samples (../shared/samples/mimecast, and of
more/ the release and Cloud Integrated logs,
read in place) and the project's fixtures: every non-empty field of every record is in extra
(or a mail_event's raw) under its own name, or its value is in a column of the record's rows
(times, booleans, JSON and <Message-IDs> compared in their stored forms). The EDR profiles have
the stricter, per-column check in Tests/MailScopeKitTests/EDRFieldCoverageTests.swift.

  scripts/check-mimecast-coverage [--mailscope .build/debug/mailscope]

The administration exports in ../shared/samples/mimecast/more (MORE: audit, DLP, archive
search/view, Awareness Training) are checked too: one-record-per-line files by line, API reply
documents record by record (each record against the file's row that keeps most of it) and
Sentinel CSVs by row, with Sentinel's typed column names (policy_s, eventTime_t [UTC]) read as
the API's.

Known, listed exceptions (see KNOWN): the record type of API 2.0 lines is the table and event it
goes to; the threat-intel STIX export keeps each indicator's value, label, id and valid_from,
not the object's created/modified times nor the download header (the ioc table has no extra).
"""
import argparse
import collections
import csv
import fnmatch
import glob
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

from ..paths import ROOT

TIME = {"datetime", "date", "timestamp", "eventTime", "created", "modified", "valid_from",
        "createTime", "viewed", "messageDate", "TimeGenerated [UTC]", "released"}
KNOWN = {("siem_v2_*", "type"), ("threat_intel_*", "Content-Disposition"), ("threat_intel_*", "type"), ("threat_intel_*", "id"),
         ("threat_intel_*", "spec_version"), ("threat_intel_*", "pattern")}
TABLES = ["mail_message", "url_click", "attachment_scan", "impersonation", "mail_event", "ioc",
          "audit_event", "dlp_event", "archive_access", "user_risk", "message_release"]
# The administration exports of ../shared/samples/mimecast/more this check covers (by name:
# the parsers themselves recognize records by their keys).
MORE = ["audit_events_*", "dlp_logs_*", "archive_*", "sentinel_dlp_*", "sentinel_awareness_*",
        "message_release_logs_*.ndjson", "cloud_integrated_logs_*.ndjson"]


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
    return set(record) <= {"meta", "data", "fail"} and not record.get("data") and not record.get("fail")


def kept(stored):
    """What a record's rows keep: the fields of their extra/raw JSON by name, and every column
    value in its stored forms (a <Message-ID> is its message_id column when message_id_raw is
    NULL)."""
    fields, values = {}, set()
    for d in stored:
        for field in ("extra", "raw"):
            if d.get(field):
                try:
                    fields.update(json.loads(d[field]))
                except ValueError:
                    pass
        # An API 2.0 aggregateId is stored as its key and its `_<epoch seconds>` suffix.
        if d.get("aggregate_id") is not None and d.get("aggregate_id_suffix") is not None:
            values.add(f"{d['aggregate_id']}_{d['aggregate_id_suffix']}".lower())
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
            continue   # an empty API page (the end of a poll): skipped by ingest, nothing to keep
        if (number, None) not in rows and duplicates > 0:
            duplicates -= 1
            continue
        problems += lost_in_record(f"{name}:{number}", record, name, rows.get((number, None), []))
    return problems


def lost_in_record(where, record, name, stored):
    """The fields of one record that none of `stored` keeps."""
    fields, values = kept(stored)
    text = " ".join(values)
    problems = []
    for key, value in record.items():
        if value in (None, "", [], {}) or key in TIME or key in fields or known(name, key):
            continue
        f = forms(value)
        if f & values or any(x in text for x in f if len(x) > 3):
            continue
        problems.append(f"{where}: {key} = {str(value)[:70]} is in no column and not in extra")
    return problems


def document_records(doc):
    """The records of an API reply (data[], data[0].logs[], data[0].dlpLogs[]), also when
    the reply sits in a top-level array."""
    if isinstance(doc, list):
        return [r for d in doc for r in document_records(d)]
    if not isinstance(doc, dict):
        return []
    if "data" not in doc:
        return [doc]
    out = []
    for element in doc.get("data") or []:
        wrapped = [k for k in ("logs", "dlpLogs") if isinstance(element, dict) and isinstance(element.get(k), list)]
        out += [r for k in wrapped for r in element[k]] if wrapped else [element]
    return out


def lost_in_document(name, doc, rows):
    """Each record of a JSON document against the row that keeps most of it."""
    stored = [d for ds in rows.values() for d in ds]
    problems = []
    for n, record in enumerate(document_records(doc), 1):
        best = min(([lost_in_record(f"{name}#{n}", record, name, [d]) for d in stored] or
                    [lost_in_record(f"{name}#{n}", record, name, [])]), key=len)
        problems += best
    return problems


def sentinel_name(column):
    """Sentinel's typed custom-log column name as the API names the field (policy_s → policy,
    eventTime_t [UTC] → eventTime); other names as they are."""
    base = column[:-6] if column.endswith(" [UTC]") else column
    if len(base) > 2 and base[-2:] in ("_s", "_t", "_d", "_b"):
        return base[:-2]
    return column


def lost_in_csv(name, text, rows):
    """Each CSV row (line n) against the rows stored for line n."""
    reader = csv.reader(io.StringIO(text))
    header = [sentinel_name(h) for h in next(reader, [])]
    problems = []
    for number, values in enumerate(reader, 2):
        record = {k: v for k, v in zip(header, values) if k != "eventTime"}
        problems += lost_in_record(f"{name}:{number}", record, name, rows.get((number, None), []))
    return problems


def check(mailscope, path, work):
    rows, duplicates = stored_rows(mailscope, path, work)
    name = os.path.basename(path)
    text = open(path, encoding="utf-8").read()
    if name.endswith(".csv"):
        return lost_in_csv(name, text, rows)
    if name.endswith(".json"):
        return lost_in_document(name, json.loads(text), rows)
    return lost_fields(name, text.splitlines(keepends=True), rows, duplicates)


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
        files += sorted(p for pattern in MORE for p in glob.glob(os.path.join(samples, "more", pattern))
                        if not p.endswith(".gz"))
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
