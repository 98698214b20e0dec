"""Mimecast API 2.0 SIEM events (shared/formats/mimecast.md): the event shapes per type (V2),
one NDJSON line per event (keys sorted, numbers and booleans as strings, _offset/_partition
added), and the scenario's batch files (gzip NDJSON per type, a mixed batch, one overlapping
download that repeats the last events of the previous batch)."""

from __future__ import annotations

import json
import random

from ..scenario.common import ACCOUNT_ID, DUPLICATE_OVERLAP, MIXED_FROM_MS, b64id, dumps
from ..scenario.content import SPF_INFO
from ..scenario.mail import Msg
from .output import Out, count_types, gzip_bytes


def spd_value(m: Msg, r: random.Random):
    if m.direction == "Internal" or m.spd_enc == "null":
        return None
    d = {"spf": {"allow": True, "info": r.choice(SPF_INFO)},
         "dkim": {"allow": True, "info": r.choice(["ALLOW", "UNKNOWN"])},
         "dmarc": {"allow": True, "info": r.choice(["ALLOW", "NONE"])}}
    if m.direction == "Outbound":
        d = {"spf": {"allow": True, "info": "ALLOW"}}
    s = json.dumps(d, separators=(",", ":"))
    if m.spd_enc == "object":
        return d
    if m.spd_enc == "double":
        return json.dumps(s)
    return s


class V2:
    """Collects API 2.0 events (without _offset/_partition)."""

    def __init__(self, r):
        self.r = r
        self.events = []

    def pid(self, m: Msg, ts: int) -> str:
        p = b64id(self.r, 32)
        if m.agg_mode != "none" or self.r.random() < 0.5:
            p += f"_{ts // 1000}"
        return p

    def base(self, type_, m, ts, subtype, for_type=None):
        ev = {"accountId": ACCOUNT_ID, "aggregateId": m.agg(for_type or type_),
              "processingId": self.pid(m, ts), "subtype": subtype, "timestamp": ts, "type": type_}
        return ev

    def add(self, ev):
        self.events.append(ev)
        return ev

    def receipt_acc(self, m: Msg, rcpt: str, ts: int):
        tv, tc = m.tls
        ev = self.base("receipt", m, ts, "Acc")
        ev.update({"action": "Acc", "direction": m.dir_str(), "messageId": m.msgid,
                   "numberAttachments": str(len(m.atts)), "receiptErrors": None, "recipients": rcpt,
                   "rejectionCode": None, "rejectionInfo": None, "rejectionType": None,
                   "senderEnvelope": m.env, "senderHeader": m.hdr, "senderIp": m.ip,
                   "spamDetectionLevel": m.spam_level, "spamInfo": "[]",
                   "spamProcessingDetail": spd_value(m, self.r), "spamScore": str(m.spam_score),
                   "subject": m.subject, "tlsCipher": tc, "tlsVersion": tv, "virusFound": None})
        return self.add(ev)

    def receipt_rej(self, m: Msg, rcpt: str, ts: int, code, rtype, info, virus=None):
        tv, tc = m.tls
        ev = self.base("receipt", m, ts, "Rej")
        ev.update({"action": "Rej", "direction": m.dir_str(),
                   "messageId": m.msgid if virus else None,
                   "numberAttachments": str(len(m.atts)) if virus else "0", "recipients": rcpt,
                   "rejectionCode": code, "rejectionInfo": info, "rejectionType": rtype,
                   "senderEnvelope": m.env, "senderHeader": m.hdr if virus else None,
                   "senderIp": m.ip, "spamDetectionLevel": None, "spamInfo": None,
                   "spamProcessingDetail": spd_value(m, self.r), "spamScore": None,
                   "subject": m.subject if virus else None, "tlsCipher": tc, "tlsVersion": tv,
                   "virusFound": virus})
        return self.add(ev)

    def process(self, m: Msg, ts: int, action: str, hold_reason=None, msgid_override=None):
        ev = self.base("process", m, ts, action)
        total = sum(a["size"] for a in m.atts)
        ev.update({"action": action, "attachments": m.att_string(),
                   "emailSize": "0" if action == "Sdbx" else str(m.size), "holdReason": hold_reason,
                   "messageId": m.msgid if msgid_override is None else msgid_override,
                   "numberAttachments": str(len(m.atts)), "senderEnvelope": m.env,
                   "subject": m.subject, "totalSizeAttachments": str(total)})
        return self.add(ev)

    def delivery(self, m: Msg, rcpt: str, ts: int, route: str, host: str, dest_ip: str,
                 delivered=True, latency=None, tls_used=None):
        tv, tc = m.tls
        ev = self.base("delivery", m, ts, "true" if delivered else "false")
        ev.update({"Hostname": host, "delivered": "true" if delivered else "false",
                   "deliveryAttempts": "1" if delivered else str(self.r.randint(2, 4)),
                   "deliveryErrors": None if delivered else "550 5.1.1 <%s>: Recipient address rejected: User unknown" % rcpt,
                   "deliveryTime": str(latency if latency is not None else self.r.randrange(400, 9000)),
                   "destinationIp": dest_ip, "direction": m.dir_str(), "emailSize": str(m.size),
                   "messageId": m.msgid, "numberAttachments": str(len(m.atts)), "recipients": rcpt,
                   "rejectionCode": None if delivered else "550",
                   "rejectionInfo": None if delivered else "5.1.1 Recipient address rejected: User unknown",
                   "rejectionType": None if delivered else "Recipient email address is possibly incorrect",
                   "route": route, "senderEnvelope": m.env, "subject": m.subject,
                   "tlsCipher": tc, "tlsUsed": tls_used or ("Yes" if tv else "No"), "tlsVersion": tv,
                   "totalSizeAttachments": str(sum(a["size"] for a in m.atts))})
        return self.add(ev)

    def journal(self, m: Msg, rcpt: str, ts: int):
        ev = self.base("journal", m, ts, None)
        ev.update({"direction": m.dir_str(), "recipients": rcpt, "senderEnvelope": m.env})
        return self.add(ev)

    def spam(self, m: Msg, rcpt: str, ts: int, tagged=None):
        ev = self.base("spam", m, ts, None)
        ev.update({"messageId": m.msgid, "recipients": rcpt,
                   "route": "inbound" if m.case_lower else "Inbound",
                   "senderDomain": m.env.split("@")[1], "senderEnvelope": m.env,
                   "senderHeader": m.hdr, "senderIp": m.ip,
                   "subject": m.subject if self.r.random() > 0.1 else None})
        if tagged:
            ev["taggedExternal"], ev["taggedMalicious"] = tagged
        return self.add(ev)

    def av(self, m: Msg, rcpt: str, ts: int, att: dict, virus: str):
        ev = self.base("av", m, ts, None)
        ev.update({"emailSize": str(m.size), "fileExtension": att["ext"], "fileName": att["name"],
                   "md5": att["md5"], "messageId": m.msgid.strip("<>"), "recipients": rcpt,
                   "route": "Inbound", "senderDomain": m.env.split("@")[1],
                   "senderDomainInternal": "false", "senderEnvelope": m.env, "senderIp": m.ip,
                   "sha1": att["sha1"], "sha256": att["sha256"], "subject": m.subject,
                   "virusFound": virus})
        return self.add(ev)

    def iep(self, m: Msg, rcpt: str, ts: int, category: str):
        ev = self.base("internal email protect", m, ts, None)
        ev.update({"messageId": m.msgid, "monitoredDomainSource": None, "recipients": rcpt,
                   "route": "Internal", "scanResults": "Blocked URL Category",
                   "senderEnvelope": m.env, "similarDomain": None, "subject": m.subject,
                   "urlCategory": category})
        return self.add(ev)

    def impersonation(self, m: Msg, rcpt: str, ts: int, *, action, definition, hits, flags,
                      tagged_malicious, tagged_external, msgid=None):
        ev = self.base("impersonation protect", m, ts, action)
        names = ["customNameMatch", "customThreatDictionary", "internalUserName",
                 "mimecastThreatDictionary", "newDomain", "replyMismatch",
                 "similarCustomExternalDomain", "similarInternalDomain",
                 "similarMimecastExternalDomain"]
        for n in names:
            ev[n] = "true" if n in flags else "false"
        ev.update({"action": action, "itemsDetected": str(hits),
                   "messageId": m.msgid if msgid is None else msgid, "policyDefinition": definition,
                   "recipients": rcpt, "route": "Inbound", "senderEnvelope": m.env,
                   "senderIp": m.ip, "subject": m.subject,
                   "taggedExternal": "true" if tagged_external else "false",
                   "taggedMalicious": "true" if tagged_malicious else "false"})
        return self.add(ev)

    def url_protect(self, m: Msg, rcpt: str, ts: int, url: str, category: str, analysis):
        ev = self.base("url protect", m, ts, "Block")
        ev.update({"action": "Block", "analysis": analysis, "blockReason": "malicious",
                   "messageId": m.msgid, "recipients": rcpt, "route": "Inbound",
                   "senderDomain": m.env.split("@")[1], "senderEnvelope": m.env,
                   "sourceIp": m.ip, "subject": m.subject, "url": url, "urlCategory": category})
        return self.add(ev)

    def attachment_protect(self, m: Msg, ts: int, att: dict, rcpt=None, full=False):
        ev = self.base("attachment protect", m, ts, None)
        ev.update({"fileExtension": att["ext"], "fileName": att["name"], "md5": att["md5"],
                   "sha1": att["sha1"], "sha256": att["sha256"]})
        if full:
            ev.update({"fileMime": att["mime"], "messageId": m.msgid, "recipient": rcpt,
                       "route": "Inbound", "senderDomain": m.env.split("@")[1],
                       "senderEnvelope": m.env, "senderIp": m.ip, "sizeAttachment": str(att["size"]),
                       "subject": m.subject})
        return self.add(ev)


def v2_line(ev: dict, offset: int, partition: int) -> str:
    if "taggedExternal" in ev and ev["type"] == "spam":
        # the spam sample puts these two flags right after _offset/_partition
        head = {"_offset": offset, "_partition": partition,
                "taggedExternal": ev["taggedExternal"], "taggedMalicious": ev["taggedMalicious"]}
        rest = {k: ev[k] for k in sorted(ev) if k not in head}
        return dumps({**head, **rest})
    return dumps(dict(sorted({**ev, "_offset": offset, "_partition": partition}.items())))


def v2_sort_key(ev):
    return (ev["timestamp"], ev["type"], ev["processingId"])


def split_chunks(items, n):
    size = -(-len(items) // n)
    return [items[i:i + size] for i in range(0, len(items), size)]


def write_v2(out: Out, events):
    day_dir = "siem_v2/2026-11-02"
    events = sorted(events, key=v2_sort_key)
    mixed = [e for e in events if e["timestamp"] >= MIXED_FROM_MS]
    by_type = {}
    for e in events:
        if e["timestamp"] < MIXED_FROM_MS:
            by_type.setdefault(e["type"], []).append(e)
    n_files = {"receipt": 3, "delivery": 3, "process": 2}
    # the batch file plan, in download order: (file name, events)
    plan = []
    for t in sorted(by_type):
        chunks = split_chunks(by_type[t], n_files.get(t, 1))
        for i, ch in enumerate(chunks, 1):
            plan.append((f"{t.replace(' ', '_')}_{i:04d}.json.gz", ch))
    plan.append(("mixed_0001.json.gz", mixed))
    offsets = {}
    partitions = [58, 59, 60, 61]
    written_lines = {}
    dup_info = None
    for idx, (name, evs) in enumerate(plan):
        part = partitions[idx % len(partitions)]
        lines = []
        dup_lines = 0
        if name == "receipt_0002.json.gz":
            prev = written_lines["receipt_0001.json.gz"]
            if prev[0] == part:
                part = partitions[(idx + 1) % len(partitions)]
            for ev in prev[1][-DUPLICATE_OVERLAP:]:
                off = offsets.get(part, 40_000 + 9_000 * part)
                offsets[part] = off + 1
                lines.append(v2_line(ev, off, part))
                dup_lines += 1
            dup_info = {"file": f"{day_dir}/{name}", "duplicates_of": f"{day_dir}/receipt_0001.json.gz",
                        "count": dup_lines,
                        "note": "the first 40 lines repeat the last 40 events of receipt_0001 "
                                "with a different _offset/_partition"}
        for ev in evs:
            off = offsets.get(part, 40_000 + 9_000 * part)
            offsets[part] = off + 1
            lines.append(v2_line(ev, off, part))
        written_lines[name] = (part, evs)
        data = ("\n".join(lines) + "\n").encode("utf-8")
        all_evs = (written_lines["receipt_0001.json.gz"][1][-DUPLICATE_OVERLAP:] if dup_lines else []) + evs
        extra = {"duplicate_events": dup_lines, "unique_events": len(evs)}
        out.write(f"{day_dir}/{name}", gzip_bytes(data), fmt="siem_v2_ndjson_gzip", lines=len(lines),
                  records=len(lines), by_type=count_types(all_evs), extra=extra)
    return dup_info


# ---- high-volume lines (scripts/make-scale-data)
#
# Each event is kept as (timestamp, pre, tail): the line is "{" + pre + "_offset" + "_partition" +
# tail, the keys in sorted order as v2_line above writes them ("Hostname" sorts
# before "_offset"). The templates hold the high-volume shapes; every %s receives a value that is
# either a JSON literal built with jstr() (scale/common.py) or a string of [A-Za-z0-9._@<>+$-] (ids, addresses).
T_RECEIPT = ('"accountId":"' + ACCOUNT_ID + '","action":"Acc","aggregateId":"%s","direction":"%s","messageId":%s,'
             '"numberAttachments":"%d","processingId":"%s","receiptErrors":null,"recipients":"%s","rejectionCode":null,'
             '"rejectionInfo":null,"rejectionType":null,"senderEnvelope":"%s","senderHeader":"%s","senderIp":"%s",'
             '"spamDetectionLevel":"%s","spamInfo":"[]","spamProcessingDetail":%s,"spamScore":"%d","subject":%s,'
             '"subtype":"Acc","timestamp":%d,"tlsCipher":%s,"tlsVersion":%s,"type":"receipt","virusFound":null}')
T_RECEIPT_REJ = ('"accountId":"' + ACCOUNT_ID + '","action":"Rej","aggregateId":"%s","direction":"Inbound","messageId":null,'
                 '"numberAttachments":"0","processingId":"%s","receiptErrors":null,"recipients":"%s","rejectionCode":"%s",'
                 '"rejectionInfo":"%s","rejectionType":"%s","senderEnvelope":"%s","senderHeader":null,"senderIp":"%s",'
                 '"spamDetectionLevel":null,"spamInfo":null,"spamProcessingDetail":%s,"spamScore":null,"subject":null,'
                 '"subtype":"Rej","timestamp":%d,"tlsCipher":%s,"tlsVersion":%s,"type":"receipt","virusFound":null}')
T_PROCESS = ('"accountId":"' + ACCOUNT_ID + '","action":"%s","aggregateId":"%s","attachments":%s,"emailSize":"%d",'
             '"holdReason":%s,"messageId":%s,"numberAttachments":"%d","processingId":"%s","senderEnvelope":"%s",'
             '"subject":%s,"subtype":"%s","timestamp":%d,"totalSizeAttachments":"%d","type":"process"}')
T_DELIVERY_PRE = '"Hostname":"%s",'
T_DELIVERY = ('"accountId":"' + ACCOUNT_ID + '","aggregateId":"%s","delivered":"true","deliveryAttempts":"1",'
              '"deliveryErrors":null,"deliveryTime":"%d","destinationIp":"%s","direction":"%s","emailSize":"%d",'
              '"messageId":%s,"numberAttachments":"%d","processingId":"%s","recipients":"%s","rejectionCode":null,'
              '"rejectionInfo":null,"rejectionType":null,"route":"%s","senderEnvelope":"%s","subject":%s,'
              '"subtype":"true","timestamp":%d,"tlsCipher":%s,"tlsUsed":"%s","tlsVersion":%s,'
              '"totalSizeAttachments":"%d","type":"delivery"}')
T_JOURNAL = ('"accountId":"' + ACCOUNT_ID + '","aggregateId":"%s","direction":"%s","processingId":"%s","recipients":"%s",'
             '"senderEnvelope":"%s","subtype":null,"timestamp":%d,"type":"journal"}')
T_SPAM = ('"accountId":"' + ACCOUNT_ID + '","aggregateId":"%s","messageId":%s,"processingId":"%s","recipients":"%s",'
          '"route":"%s","senderDomain":"%s","senderEnvelope":"%s","senderHeader":"%s","senderIp":"%s","subject":%s,'
          '"subtype":null,"timestamp":%d,"type":"spam"}')
T_AP = ('"accountId":"' + ACCOUNT_ID + '","aggregateId":"%s","fileExtension":"%s","fileName":%s,"md5":"%s",'
        '"processingId":"%s","sha1":"%s","sha256":"%s","subtype":null,"timestamp":%d,"type":"attachment protect"}')
T_AP_FULL = ('"accountId":"' + ACCOUNT_ID + '","aggregateId":"%s","fileExtension":"%s","fileMime":"%s","fileName":%s,'
             '"md5":"%s","messageId":%s,"processingId":"%s","recipient":"%s","route":"Inbound","senderDomain":"%s",'
             '"senderEnvelope":"%s","senderIp":"%s","sha1":"%s","sha256":"%s","sizeAttachment":"%d","subject":%s,'
             '"subtype":null,"timestamp":%d,"type":"attachment protect"}')


def ev_parts(ev: dict) -> tuple:
    """(timestamp, pre, tail) of an event dict built by V2, in the key
    order of v2_line (sorted; the spam flags right after _offset/_partition)."""
    keys = sorted(ev)
    if ev["type"] == "spam" and "taggedExternal" in ev:
        head = dumps({"taggedExternal": ev["taggedExternal"], "taggedMalicious": ev["taggedMalicious"]})[1:-1] + ","
        rest = dumps({k: ev[k] for k in keys if k not in ("taggedExternal", "taggedMalicious")})[1:]
        return ev["timestamp"], "", head + rest
    pre = [k for k in keys if k < "_offset"]
    tail = dumps({k: ev[k] for k in keys if k >= "_offset"})[1:]
    return ev["timestamp"], (dumps({k: ev[k] for k in pre})[1:-1] + ",") if pre else "", tail
