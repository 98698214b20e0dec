"""The exports one family seed writes: Mimecast API 2.0 receipt and delivery events, TTP
Attachment, URL and Impersonation logs, one EDR export per product in that product's own
columns (writers/mde.py, falcon.py, sentinelone.py: SHORT_COLUMNS), identities.csv, a partner's
threat-intel feed, and what arrives the night after (night2/)."""

import csv
import io
import json
import os
import time

from ..timefmt import mimecast_date
from ..writers import falcon, mde, sentinelone
from .company import PRODUCTS, sha

WRITERS = {"mde": mde, "crowdstrike": falcon, "sentinelone": sentinelone}
EDR_FILES = (("mde", "mde_advanced_hunting.csv", "\r\n"), ("crowdstrike", "crowdstrike_events.csv", "\n"),
             ("sentinelone", "sentinelone_dv.csv", "\n"))


class Exports:
    """The records of one seed, in the order the cases planted them."""

    def __init__(self, r):
        self.r = r
        self.receipts, self.deliveries, self.attachments, self.clicks = [], [], [], []
        self.edr = {p: [] for p in PRODUCTS}
        self.impersonations, self.feed = [], []
        self.audits, self.releases = [], []   # the audit log and the held-message release log
        self.late_attachments = []   # the TTP Attachment log that arrives the night after
        self.offset = 1

    def mail(self, sender, ip, subject, recipients, ms, delivered=None, msgid=None, attachment=None, log_delivery=True, held=None):
        """held: the hold reason when Mimecast held the message (a process row says Hld, the
        attachment scan says hold, and no copy is delivered until someone releases it)."""
        msgid = msgid or f"<{sha(subject + str(ms))[:16]}@{sender.split('@')[1]}>"
        agg = sha(msgid)[:22] + f"_{ms // 1000}"
        if held:
            delivered = set()
            self.offset += 1
            self.receipts.append({"_offset": self.offset, "_partition": 1, "accountId": "CUSA1B2C3", "action": "Hld", "aggregateId": agg,
                                  "holdReason": held, "messageId": msgid, "processingId": f"P{self.offset}_{ms // 1000}",
                                  "senderEnvelope": sender, "subject": subject, "subtype": "Hld", "timestamp": ms + 3000, "type": "process"})
        for rc in recipients:
            self.offset += 1
            self.receipts.append({"_offset": self.offset, "_partition": 1, "accountId": "CUSA1B2C3", "action": "Acc", "aggregateId": agg,
                                  "direction": "Inbound", "messageId": msgid, "numberAttachments": "1" if attachment else "0",
                                  "processingId": f"R{self.offset}_{ms // 1000}", "recipients": rc, "senderEnvelope": sender,
                                  "senderHeader": sender, "senderIp": ip, "spamScore": "0", "subject": subject, "subtype": "Acc",
                                  "timestamp": ms, "type": "receipt"})
            if attachment:
                name, digest, verdict = attachment
                self.attachments.append({"senderAddress": sender, "recipientAddress": rc, "fileName": name,
                                         "fileType": "application/vnd.ms-excel.sheet.macroEnabled.12", "result": verdict,
                                         "actionTriggered": "hold" if held else "none", "date": mimecast_date(ms + 2000), "details": "MALICIOUS_ACTIVITY" if verdict == "malicious" else "",
                                         "route": "inbound", "messageId": msgid, "subject": subject, "fileHash": digest,
                                         "definition": "Inbound - Safe file with On-Demand Sandbox"})
            if log_delivery and (delivered is None or rc in delivered):
                self.deliver(msgid, sender, subject, rc, ms, ms + 40_000)
        return msgid

    def deliver(self, msgid, sender, subject, recipient, received, ms):
        """A delivery row at `ms` for one copy of the message received at `received` (whose
        time the aggregateId and processing id carry, as on its receipt rows)."""
        self.offset += 1
        self.deliveries.append({"_offset": self.offset, "_partition": 1, "accountId": "CUSA1B2C3", "aggregateId": sha(msgid)[:22] + f"_{received // 1000}",
                                "delivered": "true", "direction": "Inbound", "messageId": msgid, "processingId": f"D{self.offset}_{received // 1000}",
                                "recipients": recipient, "senderEnvelope": sender, "subject": subject, "subtype": "true",
                                "timestamp": ms, "type": "delivery"})

    def release(self, operator, sender, recipient, subject, ms, held_reason, verdict, operator_as_object=False):
        """A held-message release log record (mimecast-more.md §3): no Message-ID; the operator
        as a string or an object; the verdict under spamProcessingDetail.verdict."""
        self.releases.append({"id": "eNo" + sha(recipient + subject + str(ms))[:40], "status": "released", "heldReason": held_reason,
                              "messageInfo": "Spam Policy", "released": mimecast_date(ms),
                              "operator": {"emailAddress": operator} if operator_as_object else operator,
                              "fromEnv": {"emailAddress": sender}, "fromHdr": {"displayableName": "Accounts", "emailAddress": sender},
                              "to": [{"emailAddress": recipient}], "subject": subject, "attachments": True, "route": "inbound", "size": 48_211,
                              "policy": "Default Attachment Protection Definition", "spamScore": 0, "detectionLevel": "moderate",
                              "spamProcessingDetail": {"spf": {"allow": True, "info": "allow"}, "dkim": {"allow": True, "info": "unknown"},
                                                       "dmarc": {"allow": True, "info": "none"},
                                                       "verdict": {"decision": verdict, "description": "", "risk": "high",
                                                                   "categories": [{"name": verdict, "risk": "high", "subcategories": []}]}}})

    def audit(self, user, audit_type, category, ms, info, ip, application="Administration Console", tail=""):
        """An audit log record (mimecast-more.md §1): eventTime UTC, the local time inside
        eventInfo (written in CET here, one hour ahead, as a console in Europe would), and the
        keys after Application (`tail`: ", Method: …", ", Reason: …") where the grammar puts them."""
        local = time.strftime("%Y-%m-%d, Time: %H:%M:%S", time.gmtime(ms // 1000 + 3600))
        self.audits.append({"id": "eNq" + sha(user + audit_type + str(ms) + info)[:48], "auditType": audit_type, "user": user,
                            "eventTime": mimecast_date(ms), "category": category,
                            "eventInfo": f"{info}, Date: {local} CET, IP: {ip}, Application: {application}{tail}"})

    def click(self, user, sender, url, subject, msgid, ms, action="allow", scan="malicious", category="Phishing & Fraud", aware="N/A"):
        self.clicks.append({"userEmailAddress": user, "fromUserEmailAddress": sender, "url": url, "ttpDefinition": "Default Inbound URL Protect Definition",
                            "subject": subject, "action": action, "adminOverride": "N/A", "userOverride": "None", "scanResult": scan,
                            "category": category, "sendingIp": "203.0.113.80", "userAwarenessAction": aware, "date": mimecast_date(ms),
                            "actions": "Allow" if action != "block" else "Block", "route": "inbound", "creationMethod": "User Click",
                            "emailPartsDescription": ["Body"], "messageId": msgid})

    # --- endpoint events, each product in its own columns -------------------------------------

    def write_file(self, p, ms, proc, path, digest, origin=None):
        """proc: (name, command line, pid) of the process that wrote the file."""
        self.edr[p["product"]] += WRITERS[p["product"]].short_file_rows(p, ms, proc, path, digest, origin)

    def start(self, p, ms, parent, child, image_path, digest=""):
        """parent, child: (name, command line, pid)."""
        self.edr[p["product"]] += WRITERS[p["product"]].short_process_rows(p, ms, parent, child, image_path, digest)

    def connect(self, p, ms, proc, host, ip, dns_first=True):
        self.edr[p["product"]] += WRITERS[p["product"]].short_connect_rows(p, ms, proc, host, ip, dns_first)

    # --- files ---------------------------------------------------------------------------------

    def write(self, out, people, truth):
        os.makedirs(out, exist_ok=True)
        ndjson(os.path.join(out, "receipt_0001.json"), self.receipts)
        ndjson(os.path.join(out, "delivery_0001.json"), self.deliveries)
        ndjson(os.path.join(out, "ttp_attachment_0001.json"), self.attachments)
        ndjson(os.path.join(out, "ttp_url_0001.json"), self.clicks)
        ndjson(os.path.join(out, "ttp_impersonation_0001.json"), self.impersonations)
        ndjson(os.path.join(out, "audit_0001.json"), sorted(self.audits, key=lambda a: a["eventTime"]))
        ndjson(os.path.join(out, "release_0001.json"), self.releases)
        with open(os.path.join(out, "ti-feed.txt"), "w") as f:
            f.write("# a partner's domain list\n" + "".join(d + "\n" for d in self.feed))
        # What arrives the night after: the scorer loads it in a second run on the same database.
        os.makedirs(os.path.join(out, "night2"), exist_ok=True)
        ndjson(os.path.join(out, "night2", "ttp_attachment_0002.json"), self.late_attachments)
        for product, name, newline in EDR_FILES:
            columns = WRITERS[product].SHORT_COLUMNS
            rows = sorted(self.edr[product], key=lambda x: x.get("Timestamp") or x.get("timestamp") or x.get("Event Time"))
            buf = io.StringIO(newline="")
            w = csv.DictWriter(buf, fieldnames=columns, lineterminator=newline, extrasaction="raise")
            w.writeheader()
            for row in rows:
                w.writerow({c: row.get(c, "") for c in columns})
            with open(os.path.join(out, name), "w", newline="") as f:
                f.write(buf.getvalue())
        with open(os.path.join(out, "identities.csv"), "w") as f:
            f.write("email,upn,account,host\n")
            for p in people:
                f.write(f"{p['email']},{p['email']},{p['sam']},{p['host']}\n")
        with open(os.path.join(out, "ground-truth.json"), "w") as f:
            json.dump(truth, f, indent=2, sort_keys=True)
            f.write("\n")


def ndjson(path, rows):
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")) + "\n")
