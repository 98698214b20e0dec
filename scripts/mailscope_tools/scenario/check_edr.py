"""The EDR half of generate-scenario --check: each export's bytes, BOM, line endings, header
and rows; every planted row where the ground truth says, with the expected values, host and
time; indicator strings only in the planted rows; and each user's identity as the data shows
it."""

from __future__ import annotations

import calendar
import hashlib
import os
import re

from ..writers.csv_export import read_csv_rows
from .common import time_tuple
from .edr_files import EDR_FORMATS, IDENTITIES
from .hosts import TPMS, flast, iso_ms

ACCOUNT_COLUMNS = ("AccountUpn", "InitiatingProcessAccountUpn", "AccountName", "InitiatingProcessAccountName",
                   "UserName", "Source Process User", "Target Process User")


def check_edr(out_dir: str, truth: dict, errors: list):
    """Append what differs to errors; returns the number of EDR rows read."""
    edr = truth["edr"]
    parsed = {}
    for fe in edr["files"] + [edr["identities_file"]]:
        parsed[fe["path"]] = check_export(out_dir, fe, errors)
    check_planted_rows(edr, parsed, errors)
    check_indicators(edr, parsed, errors)
    check_identities(truth, parsed, errors)
    return sum(len(v) for k, v in parsed.items() if k != IDENTITIES)


def check_export(out_dir, fe, errors):
    """One export against its file entry; returns its rows as {start line: {column: value}}."""
    rel = fe["path"]
    data = open(os.path.join(out_dir, rel), "rb").read()
    if len(data) != fe["bytes"] or hashlib.sha256(data).hexdigest() != fe["sha256"]:
        errors.append(f"{rel}: bytes/sha256 differ from the ground truth")
    if data.startswith(b"\xef\xbb\xbf") != bool(fe.get("utf8_bom", False)):
        errors.append(f"{rel}: BOM presence differs")
    crlf = data.count(b"\r\n")
    if fe["line_ending"] == "CRLF" and crlf != data.count(b"\n"):
        errors.append(f"{rel}: not CRLF throughout")
    if fe["line_ending"] == "LF" and crlf:
        errors.append(f"{rel}: CR found in an LF file")
    if data.count(b"\r") != crlf:
        errors.append(f"{rel}: bare CR")
    header, rows = read_csv_rows(data)
    if header != fe["header"]:
        errors.append(f"{rel}: header {header} != {fe['header']}")
    for line, rec in rows:
        if len(rec) != len(header):
            errors.append(f"{rel}:{line}: {len(rec)} fields, header has {len(header)}")
    if len(rows) != fe["rows"]:
        errors.append(f"{rel}: {len(rows)} rows, truth says {fe['rows']}")
    if "physical_lines" in fe and data.count(b"\n") != fe["physical_lines"]:
        errors.append(f"{rel}: physical lines differ")
    dicts = {line: dict(zip(header, rec)) for line, rec in rows}
    if "rows_by_event_type" in fe:
        col = EDR_FORMATS[rel]["type_col"]
        by = {}
        for d in dicts.values():
            by[d[col]] = by.get(d[col], 0) + 1
        if dict(sorted(by.items())) != fe["rows_by_event_type"]:
            errors.append(f"{rel}: rows by event type {by} != {fe['rows_by_event_type']}")
    return dicts


def check_planted_rows(edr, parsed, errors):
    """Every planted row is where the ground truth says, with the expected values."""
    refs = []
    for a in edr["attacks"]:
        for p in a.get("recipients", []) + a.get("clickers", []):
            refs += [(p["user"], x) for x in p["evidence"] + p.get("context", [])]
    refs += [(n["user"], n) for n in edr["negatives"]]
    for user, ref in refs:
        row = parsed.get(ref["file"], {}).get(ref["line"])
        if row is None:
            errors.append(f"{ref['file']}:{ref['line']}: no row starts there ({user}, {ref['step']})")
            continue
        col = EDR_FORMATS[ref["file"]]["type_col"]
        if row[col] != ref["event_type"]:
            errors.append(f"{ref['file']}:{ref['line']}: event type {row[col]} != {ref['event_type']}")
        for k, v in ref["expect"].items():
            if row.get(k) != v:
                errors.append(f"{ref['file']}:{ref['line']}: {k}={row.get(k)!r}, expected {v!r}")
        host = row.get("DeviceName") or row.get("ComputerName") or row.get("Endpoint Name")
        want = next(u for u in edr["users"] if u["email"] == user)["device_name"]
        if host != want:
            errors.append(f"{ref['file']}:{ref['line']}: host {host} != {want} ({user})")
        ts = row.get("Timestamp") or row.get("Event Time")
        ms = (int(row["@timestamp"]) if "@timestamp" in row else
              calendar.timegm(time_tuple(ts)) * 1000 + int((ts[20:-1] + "000")[:3] if "." in ts else 0))
        if iso_ms(ms * TPMS) != ref["time"]:
            errors.append(f"{ref['file']}:{ref['line']}: time {iso_ms(ms * TPMS)} != {ref['time']}")


def check_indicators(edr, parsed, errors):
    """Indicator strings occur only in the planted rows."""
    ind = edr["indicators"]
    strings = {"attachment_sha256": ind["attachment_sha256"], "attachment_name": "INV-88341",
               "phish_domain": ind["registrable_domain"], "payload_host": ind["payload_host"],
               "update_exe_sha256": ind["download_sha256"]}
    for k, s in strings.items():
        got = sorted([rel, line] for rel, rows in parsed.items() if rel != IDENTITIES
                     for line, d in rows.items() if any(s in v for v in d.values()))
        if got != sorted(edr["ioc_rows"][k]):
            errors.append(f"indicator {k}: rows {got} != truth {edr['ioc_rows'][k]}")


def check_identities(truth, parsed, errors):
    """Each user's host and account forms are really in the data, and resolve as the truth says."""
    edr = truth["edr"]
    directory = {d["email"]: d for d in parsed[IDENTITIES].values()}
    seen_users = accounts_by_host(parsed)
    mailboxes = truth["organisation"]["mailboxes"]
    counts = {}
    for u in edr["users"]:
        counts[u["resolution"]] = counts.get(u["resolution"], 0) + 1
        vals = seen_users.get(u["host"], set())
        if not resolves_as_stated(u, vals, directory, mailboxes):
            errors.append(f"identity {u['email']} ({u['resolution']}) is not what the data shows")
        forms_ok = any(f.lower() in vals or f.split("\\")[-1].lower() in vals for f in u["account_as_exported"])
        if not forms_ok:
            errors.append(f"identity {u['email']}: no row of {u['host']} carries its account")
    if dict(sorted(counts.items())) != edr["identity_resolution_counts"]:
        errors.append("identity resolution counts differ")


def accounts_by_host(parsed):
    """Short host name -> every account value its rows carry (lower case, with and without domain)."""
    seen_users = {}
    for rel, rows in parsed.items():
        if rel == IDENTITIES:
            continue
        for d in rows.values():
            host = (d.get("DeviceName") or d.get("ComputerName") or d.get("Endpoint Name") or "").split(".")[0].upper()
            for col in ACCOUNT_COLUMNS:
                v = d.get(col)
                if v:
                    seen_users.setdefault(host, set()).update({v.lower(), v.lower().split("\\")[-1]})
    return seen_users


def resolves_as_stated(u, vals, directory, mailboxes):
    sam = u["sam"]
    if u["resolution"] == "upn":
        return u["email"] in vals and u["product"] == "mde"
    if u["resolution"] == "directory":
        d = directory.get(u["email"])
        return (d is not None and d["account"] == sam and d["host"] == u["host"] and sam in vals
                and sam != u["email"].split("@")[0] and u["email"] not in vals)
    if u["resolution"] == "local_part":
        return sam == u["email"].split("@")[0] and sam in vals and u["email"] not in directory
    cands = [m["address"] for m in mailboxes if flast(m["display_name"]) == re.sub(r"\d+$", "", sam)]
    return len(cands) >= 2 and u["email"] in cands and u["email"] not in directory and sam in vals
