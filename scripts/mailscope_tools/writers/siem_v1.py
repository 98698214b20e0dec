"""Mimecast legacy SIEM (API 1.0): key=value lines (values with spaces wrapped in backslashes,
'|' between pairs) and the JSON envelope {"type": "MTA", "data": [...]} in its compact, pretty,
gzip and escaped-slash variants, as the scenario's Sunday files."""

from __future__ import annotations

import json

from ..scenario.common import PREV, dumps
from .output import Out, gzip_bytes

KV_ORDER = ["datetime", "aCode", "acc", "SpamLimit", "IP", "Dir", "MsgId", "Subject", "headerFrom",
            "Sender", "Rcpt", "SpamInfo", "Act", "TlsVer", "Cphr", "RejType", "RejCode", "RejInfo",
            "SpamProcessingDetail", "SpamScore"]
KV_KEYS = set(KV_ORDER)


def kv_value(v) -> str:
    if isinstance(v, bool):
        s = "true" if v else "false"
    elif isinstance(v, (dict, list)):
        s = json.dumps(v, separators=(",", ":"))
    else:
        s = str(v)
    if " " in s:
        s = "\\" + s + "\\"
    return s


def kv_line(row: dict) -> str:
    keys = [k for k in KV_ORDER if k in row] + sorted(k for k in row if k not in KV_ORDER)
    return "|".join(f"{k}={kv_value(row[k])}" for k in keys if row[k] is not None)


def parse_kv(line: str) -> dict:
    """Split on '|' only where it is followed by a known Key=."""
    parts = []
    cur = ""
    i = 0
    while i < len(line):
        if line[i] == "|":
            rest = line[i + 1:]
            k = rest.split("=", 1)[0]
            if "=" in rest and k in KV_KEYS:
                parts.append(cur)
                cur = ""
                i += 1
                continue
        cur += line[i]
        i += 1
    parts.append(cur)
    row = {}
    for p in parts:
        k, v = p.split("=", 1)
        if len(v) >= 2 and v.startswith("\\") and v.endswith("\\"):
            v = v[1:-1]
        row[k] = v
    return row


def write_v1(out: Out, rows):
    day_dir = "siem_v1/2026-11-01"
    noon = (PREV + 12 * 3600) * 1000
    morning = [row for t, row in rows["receipt"] if t < noon]
    afternoon = [row for t, row in rows["receipt"] if t >= noon]
    # key_value receipt file (morning) - gzip
    data = ("\n".join(kv_line(rw) for rw in morning) + "\n").encode("utf-8")
    out.write(f"{day_dir}/receipt_20261101120004512.log.gz", gzip_bytes(data),
              fmt="siem_v1_key_value_gzip", lines=len(morning), records=len(morning),
              by_type={"receipt": len(morning)},
              extra={"covers_utc": ["2026-11-01T00:00:00Z", "2026-11-01T12:00:00Z"]})

    def env(rs):
        return {"type": "MTA", "data": rs}

    # receipt (afternoon) - compact JSON
    data = (dumps(env(afternoon)) + "\n").encode("utf-8")
    out.write(f"{day_dir}/receipt_20261102000011873.json", data, fmt="siem_v1_json", lines=1,
              records=len(afternoon), by_type={"receipt": len(afternoon)},
              extra={"covers_utc": ["2026-11-01T12:00:00Z", "2026-11-02T00:00:00Z"]})
    # process - pretty-printed over many lines
    prow = [rw for _, rw in rows["process"]]
    text = json.dumps(env(prow), ensure_ascii=False, indent=2) + "\n"
    out.write(f"{day_dir}/process_20261102000013205.json", text.encode("utf-8"),
              fmt="siem_v1_json_pretty", lines=sum(1 for ln in text.splitlines() if ln.strip()),
              records=len(prow), by_type={"process": len(prow)})
    # delivery - gzip JSON
    drow = [rw for _, rw in rows["delivery"]]
    data = (dumps(env(drow)) + "\n").encode("utf-8")
    out.write(f"{day_dir}/delivery_20261102000014877.json.gz", gzip_bytes(data),
              fmt="siem_v1_json_gzip", lines=1, records=len(drow), by_type={"delivery": len(drow)})
    # jrnl - compact JSON
    jrow = [rw for _, rw in rows["jrnl"]]
    data = (dumps(env(jrow)) + "\n").encode("utf-8")
    out.write(f"{day_dir}/jrnl_20261102000016020.json", data, fmt="siem_v1_json", lines=1,
              records=len(jrow), by_type={"jrnl": len(jrow)})
    # ttp_url - compact JSON with PHP-style escaped slashes (\/), lowercase keys
    urow = [rw for _, rw in rows["ttp_url"]]
    text = dumps(env(urow)).replace("/", "\\/") + "\n"
    out.write(f"{day_dir}/ttp_url_20261102000017338.json", text.encode("utf-8"), fmt="siem_v1_json",
              lines=1, records=len(urow), by_type={"ttp_url": len(urow)})
