"""Mimecast TTP logs (API 1.0 envelope): URL click, Attachment Protect and Impersonation
Protect records, and the scenario's pages of them (newest first, gzip)."""

from __future__ import annotations

import random

from ..scenario.common import b64id, dumps, ttp_date
from .output import Out, gzip_bytes


def ttp_url_record(*, clicker, sender, url, subject, action, actions, scan, category, sending_ip,
                   awareness, ms, route, method, msgid, definition="Inbound URL 'Aggressive'",
                   parts=("Body",), tagmap=None):
    rec = {"userEmailAddress": clicker, "fromUserEmailAddress": sender, "url": url,
           "ttpDefinition": definition, "subject": subject, "action": action,
           "adminOverride": "N/A", "userOverride": "None", "scanResult": scan,
           "category": category, "sendingIp": sending_ip, "userAwarenessAction": awareness,
           "date": ttp_date(ms), "actions": actions, "route": route, "creationMethod": method,
           "emailPartsDescription": list(parts), "messageId": msgid}
    if tagmap is not None:
        rec["tagMap"] = tagmap
    return rec


def ttp_ap_record(*, sender, rcpt, att, result, action_triggered, ms, msgid, subject, details,
                  route="inbound", definition="Inbound - Safe file with On-Demand Sandbox"):
    return {"senderAddress": sender, "recipientAddress": rcpt, "fileName": att["name"],
            "fileType": att["mime"], "result": result, "actionTriggered": action_triggered,
            "date": ttp_date(ms), "details": details, "route": route, "messageId": msgid,
            "subject": subject, "fileHash": att["sha256"], "definition": definition}


def ttp_ip_record(r, *, sender, rcpt, subject, definition, hits, identifiers, action,
                  tagged_external, tagged_malicious, ip, ms, results, msgid):
    return {"id": "MTOKEN:" + b64id(r, 66), "senderAddress": sender, "recipientAddress": rcpt,
            "subject": subject, "definition": definition, "hits": hits,
            "identifiers": list(identifiers), "action": action, "taggedExternal": tagged_external,
            "taggedMalicious": tagged_malicious, "senderIpAddress": ip, "eventTime": ttp_date(ms),
            "impersonationResults": results, "messageId": msgid}


def write_ttp(out: Out, main, r: random.Random):
    day_dir = "ttp/2026-11-02"
    # TTP logs list newest first
    urls = sorted(main["ttp_url"], key=lambda x: (x["date"], x["userEmailAddress"], x["url"]), reverse=True)
    page_size = 100
    pages = [urls[i:i + page_size] for i in range(0, len(urls), page_size)]
    tokens = [b64id(r, 40) for _ in pages]
    for i, pg in enumerate(pages):
        pag = {"pageSize": page_size}
        if i + 1 < len(pages):
            pag["next"] = tokens[i + 1]
        if i > 0:
            pag["previous"] = tokens[i - 1]
        doc = {"meta": {"status": 200, "pagination": pag}, "data": [{"clickLogs": pg}], "fail": []}
        text = dumps(doc)
        if i == 0:
            text = text.replace("/", "\\/")   # PHP-style escaped slashes, as some exports have
        by = {}
        for rec in pg:
            k = "url " + rec["creationMethod"]
            by[k] = by.get(k, 0) + 1
        out.write(f"{day_dir}/ttp_url_logs_page{i + 1:02d}.json.gz", gzip_bytes((text + "\n").encode("utf-8")),
                  fmt="ttp_url_logs_gzip", lines=1, records=len(pg), by_type=by)
    aps = sorted(main["ttp_ap"], key=lambda x: (x["date"], x["recipientAddress"], x["fileName"]), reverse=True)
    doc = {"meta": {"status": 200, "pagination": {"pageSize": 500}}, "data": [{"attachmentLogs": aps}],
           "fail": []}
    by = {}
    for rec in aps:
        k = "attachment " + rec["result"]
        by[k] = by.get(k, 0) + 1
    out.write(f"{day_dir}/ttp_attachment_logs_page01.json.gz",
              gzip_bytes((dumps(doc) + "\n").encode("utf-8")), fmt="ttp_attachment_logs_gzip", lines=1,
              records=len(aps), by_type=by)
    ips = sorted(main["ttp_ip"], key=lambda x: (x["eventTime"], x["recipientAddress"]), reverse=True)
    doc = {"meta": {"status": 200, "pagination": {"pageSize": 100}},
           "data": [{"impersonationLogs": ips, "resultCount": len(ips)}], "fail": []}
    by = {}
    for rec in ips:
        k = "impersonation " + ("tagged_malicious" if rec["taggedMalicious"] else "not_malicious")
        by[k] = by.get(k, 0) + 1
    out.write(f"{day_dir}/ttp_impersonation_logs_page01.json.gz",
              gzip_bytes((dumps(doc) + "\n").encode("utf-8")), fmt="ttp_impersonation_logs_gzip",
              lines=1, records=len(ips), by_type=by)
