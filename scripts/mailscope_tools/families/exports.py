"""The exports one family seed writes: Mimecast API 2.0 receipt and delivery events, TTP
Attachment, URL and Impersonation logs, one EDR export per product in that product's own
columns (writers/mde.py, falcon.py, sentinelone.py: SHORT_COLUMNS), identities.csv, a partner's
threat-intel feed, and what arrives the night after (night2/)."""

import csv
import io
import json
import os

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
        self.late_attachments = []   # the TTP Attachment log that arrives the night after
        self.offset = 1

    def mail(self, sender, ip, subject, recipients, ms, delivered=None, msgid=None, attachment=None, log_delivery=True):
        msgid = msgid or f"<{sha(subject + str(ms))[:16]}@{sender.split('@')[1]}>"
        agg = sha(msgid)[:22] + f"_{ms // 1000}"
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
                                         "actionTriggered": "none", "date": mimecast_date(ms + 2000), "details": "MALICIOUS_ACTIVITY" if verdict == "malicious" else "",
                                         "route": "inbound", "messageId": msgid, "subject": subject, "fileHash": digest,
                                         "definition": "Inbound - Safe file with On-Demand Sandbox"})
            if log_delivery and (delivered is None or rc in delivered):
                self.offset += 1
                self.deliveries.append({"_offset": self.offset, "_partition": 1, "accountId": "CUSA1B2C3", "aggregateId": agg,
                                        "delivered": "true", "direction": "Inbound", "messageId": msgid, "processingId": f"D{self.offset}_{ms // 1000}",
                                        "recipients": rc, "senderEnvelope": sender, "subject": subject, "subtype": "true",
                                        "timestamp": ms + 40_000, "type": "delivery"})
        return msgid

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
