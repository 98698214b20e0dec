"""generate-scenario --check: re-read a written scenario and check every file against its
ground truth (bytes, gzip header, line and record counts, events by type, the attacks'
evidence, the duplicate v2 events), and the EDR exports row by row (scenario/check_edr.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys

from ..writers.siem_v1 import parse_kv
from .check_edr import check_edr
from .truth import attack_evidence


def check(out_dir: str) -> int:
    with open(os.path.join(out_dir, "ground-truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    c = Checker(out_dir, truth)
    for fe in truth["files"]:
        c.check_file(fe)
    errors = c.errors
    for a in truth["attacks"]:
        got = attack_evidence(a, c.v2_unique, c.ttp_all["url"], c.ttp_all["attachment"], c.ttp_all["impersonation"])
        if got != a["evidence"]:
            errors.append(f"attack {a['id']}: evidence in files {got} != truth {a['evidence']}")
    if c.dups != truth["expected_duplicates"]:
        errors.append(f"v2 duplicates {c.dups} != {truth['expected_duplicates']}")
    if dict(sorted(c.v2_by_type.items())) != truth["totals"]["siem_v2_unique_events_by_type"]:
        errors.append("v2 unique events by type differ from totals")
    edr_note = ""
    if "edr" in truth:
        n = check_edr(out_dir, truth, errors)
        edr_note = f"; {len(truth['edr']['files'])} EDR files ({n} rows) + identities.csv"
    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    print(f"checked {len(truth['files'])} files{edr_note}: {len(errors)} error(s); {c.dups} duplicate v2 events")
    return 1 if errors else 0


class Checker:
    """The Mimecast files read so far: unique v2 events (a duplicate is the same processingId,
    type, subtype, time, action and messageId), TTP records by kind, and the errors found."""

    def __init__(self, out_dir, truth):
        self.out_dir, self.truth = out_dir, truth
        self.errors = []
        self.seen_keys = set()
        self.dups = 0
        self.v2_by_type = {}
        self.v2_unique = []
        self.ttp_all = {"url": [], "attachment": [], "impersonation": []}

    def check_file(self, fe):
        errors = self.errors
        raw = open(os.path.join(self.out_dir, fe["path"]), "rb").read()
        if hashlib.sha256(raw).hexdigest() != fe["sha256"]:
            errors.append(f"{fe['path']}: sha256 differs")
        if raw[:2] == b"\x1f\x8b":
            if raw[3] & 0x08 or raw[4:8] != b"\0\0\0\0":
                errors.append(f"{fe['path']}: gzip header has a file name or mtime")
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
        lines = [ln for ln in text.split("\n") if ln.strip()]
        if fe["format"].startswith("siem_v2"):
            recs, by = self.siem_v2(fe, lines)
        elif fe["format"] == "siem_v1_key_value_gzip":
            recs = [parse_kv(ln) for ln in lines]
            for rw in recs:
                if not rw.get("datetime") or not rw.get("aCode") or rw.get("acc") != self.truth["organisation"]["account_id"]:
                    errors.append(f"{fe['path']}: bad kv row {rw}")
            by = {fe["path"].rsplit("/", 1)[1].split("_2026")[0]: len(recs)}
        elif fe["format"].startswith("siem_v1_json"):
            doc = json.loads(text)
            assert doc["type"] == "MTA"
            recs = doc["data"]
            by = {fe["path"].rsplit("/", 1)[1].split("_2026")[0]: len(recs)}
        else:
            recs, by = self.ttp(fe, text)
        if len(lines) != fe["non_empty_lines"]:
            errors.append(f"{fe['path']}: {len(lines)} lines, truth says {fe['non_empty_lines']}")
        if len(recs) != fe["records"]:
            errors.append(f"{fe['path']}: {len(recs)} records, truth says {fe['records']}")
        if dict(sorted(by.items())) != fe["events_by_type"]:
            errors.append(f"{fe['path']}: by type {by} != {fe['events_by_type']}")

    def siem_v2(self, fe, lines):
        by = {}
        recs = [json.loads(ln) for ln in lines]
        for e in recs:
            by[e["type"]] = by.get(e["type"], 0) + 1
            key = (e["processingId"], e["type"], e["subtype"], e["timestamp"], e.get("action"),
                   e.get("messageId"))
            if key in self.seen_keys:
                self.dups += 1
            else:
                self.seen_keys.add(key)
                self.v2_unique.append(e)
                self.v2_by_type[e["type"]] = self.v2_by_type.get(e["type"], 0) + 1
            for k, v in e.items():
                if k not in ("_offset", "_partition", "timestamp") and isinstance(v, (int, float, bool)):
                    self.errors.append(f"{fe['path']}: non-string {k}")
        return recs, by

    def ttp(self, fe, text):
        by = {}
        doc = json.loads(text)
        assert doc["meta"]["status"] == 200 and doc["fail"] == []
        d0 = doc["data"][0]
        if "clickLogs" in d0:
            recs = d0["clickLogs"]
            self.ttp_all["url"] += recs
            for x in recs:
                by["url " + x["creationMethod"]] = by.get("url " + x["creationMethod"], 0) + 1
        elif "attachmentLogs" in d0:
            recs = d0["attachmentLogs"]
            self.ttp_all["attachment"] += recs
            for x in recs:
                by["attachment " + x["result"]] = by.get("attachment " + x["result"], 0) + 1
        else:
            recs = d0["impersonationLogs"]
            self.ttp_all["impersonation"] += recs
            if d0["resultCount"] != len(recs):
                self.errors.append(f"{fe['path']}: resultCount")
            for x in recs:
                k = "impersonation " + ("tagged_malicious" if x["taggedMalicious"] else "not_malicious")
                by[k] = by.get(k, 0) + 1
        return recs, by
