"""Sunday 2026-11-01 in the legacy SIEM (API 1.0) logs: benign traffic only (every established
sender domain mails at least once, so the main day's attackers are first seen on Monday),
receipt, process, delivery and journal rows with local datetime offsets, and a few URL
Protect blocks of a dangerous download link."""

from __future__ import annotations

from .common import ACCOUNT_ID, PREV, at, b64id, iso_utc, offset_date, rand_ms, rng_for, uuid_like
from .content import INTERNAL_SUBJECTS, NEWSLETTER_SUBJECTS, OUTBOUND_SUBJECTS, PARTNER_ATTACHMENTS, PARTNER_SUBJECTS, TLS, fill
from .mail import make_att, msgid_exchange, msgid_external
from .world import BENIGN_NEW_ON_DAY, NEWSLETTER_DOMAINS, PARTNER_DOMAINS

V1_OFFSETS = [(0, 50), (60, 25), (-240, 12), (-300, 8), (330, 5)]
SUNDAY_HOURS = [1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 1]


def generate_legacy_day(users, world):
    """The day's rows per log type (each a time-sorted list of (ms, row)) and the URL blocks'
    entry for the ground truth's other detections."""
    day = LegacyDay(users, world)
    for t, kind, dn in day.plan():
        day.message(t, kind, dn)
    other = day.url_protect_blocks()
    for k in day.rows:
        day.rows[k].sort(key=lambda x: x[0])
    return day.rows, other


class LegacyDay:
    """The day's random stream, the rows written so far, and the sender pools of Sunday."""

    def __init__(self, users, world):
        self.domains, self.junk, self.junk_ips, self.internal_ips, _ = world
        self.r = rng_for("v1")
        self.addrs = [u["address"] for u in users]
        self.offs = [o for o, _ in V1_OFFSETS]
        self.ow = [w for _, w in V1_OFFSETS]
        self.rows = {"receipt": [], "process": [], "delivery": [], "jrnl": [], "ttp_url": []}
        self.nl = [d for d in NEWSLETTER_DOMAINS if d not in BENIGN_NEW_ON_DAY]
        self.pd = [d for d in PARTNER_DOMAINS if d not in BENIGN_NEW_ON_DAY]

    def acode(self):
        r = self.r
        return uuid_like(r) if r.random() < 0.2 else b64id(r, 16)

    def dt(self, ms):
        return offset_date(ms, self.r.choices(self.offs, self.ow)[0])

    def spd(self):
        r = self.r
        return {"spf": {"info": r.choice(["SPF_PASS", "ALLOW"]), "allow": True},
                "dkim": {"info": r.choice(["DKIM_PASS", "DKIM_UNKNOWN"]), "allow": True}}

    def plan(self):
        """(time, kind, domain) of every message, in time order."""
        r, nl, pd = self.r, self.nl, self.pd
        specs = []
        # every benign domain seen on 2026-11-01 sends at least once
        for d in nl + pd:
            specs.append(("newsletter" if d in NEWSLETTER_DOMAINS else "partner", d))
        for _ in range(40):
            specs.append(("newsletter", r.choice(nl)))
        for _ in range(30):
            specs.append(("partner", r.choice(pd)))
        specs += [("internal", None)] * 55 + [("outbound", None)] * 25 + [("rejected", None)] * 20
        msgs = []
        for kind, dn in specs:
            t = rand_ms(r, PREV, SUNDAY_HOURS)
            t = max(t, (PREV + 300) * 1000)
            msgs.append((t, kind, dn))
        msgs.sort(key=lambda x: (x[0], x[1], x[2] or ""))
        return msgs

    def message(self, t, kind, dn):
        r = self.r
        ac = self.acode()
        tv, tc = r.choice(TLS)
        if kind == "rejected":
            self.rejected(t, ac, tv, tc)
            return
        m = self.headers(kind, dn, ac)
        if m["dirn"] == "Internal":
            tv, tc = None, None
        m["size"] = r.randrange(3000, 80000) + sum(a["size"] for a in m["atts"])
        score = r.randrange(0, 10) if m["dirn"] == "Inbound" else 0
        self.receipts(t, m, ac, tv, tc, score)
        self.process(t, m, ac)
        self.deliveries(t, m, ac, tv, tc)

    def headers(self, kind, dn, ac):
        """Sender, header from, IP, recipients, subject, direction, Message-ID, attachments."""
        r, domains, addrs = self.r, self.domains, self.addrs
        atts = []
        if kind == "newsletter":
            d = domains[dn]
            sender, hdr, ip = d["envelope"], d["header"], d["ip"]
            rcpts = sorted(r.sample(addrs, r.choice([1, 1, 2])))
            subj, dirn, msgid = fill(r, r.choice(NEWSLETTER_SUBJECTS)), "Inbound", msgid_external(r, dn)
        elif kind == "partner":
            d = domains[dn]
            sender = hdr = r.choice(d["people"])
            ip = d["ip"]
            rcpts = sorted(r.sample(addrs, r.choice([1, 1, 2])))
            subj, dirn, msgid = fill(r, r.choice(PARTNER_SUBJECTS)), "Inbound", msgid_external(r, dn)
            if r.random() < 0.3:
                atts = [make_att(r, r.choice(PARTNER_ATTACHMENTS), f"v1/{ac}")]
        elif kind == "internal":
            sender = hdr = r.choice(addrs)
            ip = r.choice(self.internal_ips)
            rcpts = sorted(r.sample([a for a in addrs if a != sender], r.choice([1, 2, 3])))
            subj, dirn, msgid = fill(r, r.choice(INTERNAL_SUBJECTS)), "Internal", msgid_exchange(r)
        else:  # outbound
            sender = hdr = r.choice(addrs)
            ip = r.choice(self.internal_ips)
            d = domains[r.choice(self.pd)]
            rcpts = [r.choice(d["people"])]
            subj, dirn, msgid = fill(r, r.choice(OUTBOUND_SUBJECTS)), "Outbound", msgid_exchange(r)
        return {"sender": sender, "hdr": hdr, "ip": ip, "rcpts": rcpts, "subj": subj, "dirn": dirn,
                "msgid": msgid, "atts": atts}

    def rejected(self, t, ac, tv, tc):
        """Spam rejected at receipt: one receipt row, nothing else."""
        r = self.r
        jd = r.choice(self.junk)
        sender = f"promo{r.randrange(1, 999)}@{jd}"
        ip = r.choice(self.junk_ips)
        row = {"acc": ACCOUNT_ID, "datetime": self.dt(t), "aCode": ac, "Act": "Rej", "Dir": "Inbound",
               "IP": ip, "Sender": sender, "Rcpt": r.choice(self.addrs),
               "RejType": "IP Found in RBL", "RejCode": "550",
               "RejInfo": "Rejected by header based Blocked Senders - block policy for IP address",
               "TlsVer": tv, "Cphr": tc}
        self.rows["receipt"].append((t, row))

    def receipts(self, t, m, ac, tv, tc, score):
        for k, rc in enumerate(m["rcpts"]):
            row = {"acc": ACCOUNT_ID, "datetime": self.dt(t + k * 20), "aCode": ac, "Act": "Acc",
                   "Dir": m["dirn"], "IP": m["ip"], "MsgId": m["msgid"], "Subject": m["subj"], "headerFrom": m["hdr"],
                   "Sender": m["sender"], "Rcpt": rc, "SpamInfo": "[]", "SpamLimit": 28,
                   "SpamScore": score}
            if m["dirn"] != "Internal":
                row["SpamProcessingDetail"] = self.spd()
            if tv:
                row["TlsVer"], row["Cphr"] = tv, tc
            self.rows["receipt"].append((t + k * 20, row))

    def process(self, t, m, ac):
        r, atts, msgid = self.r, m["atts"], m["msgid"]
        tp = t + r.randrange(800, 3000)
        prow = {"acc": ACCOUNT_ID, "Sender": m["sender"], "datetime": self.dt(tp), "AttSize": sum(a["size"] for a in atts),
                "Act": "Acc", "aCode": ac, "AttCnt": len(atts),
                "AttNames": ", ".join(f'"{a["name"]}"' for a in atts) if atts else r.choice(["", None]),
                "MsgSize": m["size"], "MsgId": msgid if r.random() > 0.05 else msgid.strip("<>"),
                "Subject": m["subj"]}
        if m["dirn"] == "Inbound":
            prow.update({"IPInternalName": "false", "IPNewDomain": "false",
                         "IPReplyMismatch": "false", "IPSimilarDomain": "false",
                         "IPThreadDict": "false"})
        self.rows["process"].append((tp, prow))

    def deliveries(self, t, m, ac, tv, tc):
        """One delivery row per recipient; internal mail is journaled too."""
        r, atts, msgid, dirn = self.r, m["atts"], m["msgid"], m["dirn"]
        for rc in m["rcpts"]:
            lat = r.randrange(400, 12000)
            td = t + lat + r.randrange(0, 800)
            if dirn == "Inbound":
                route, dip = "Acme O365 Inbound", "52.101.8.36"
            elif dirn == "Internal":
                route, dip = "Acme Internal Exchange", "10.20.0.25"
            else:
                route, dip = "Acme Outbound Default", self.domains[rc.split("@")[1]]["ip"]
            drow = {"acc": ACCOUNT_ID, "Delivered": True, "IP": dip, "AttCnt": len(atts),
                    "Dir": dirn,
                    "ReceiptAck": f"250 2.6.0 {msgid} [InternalId={r.randrange(10**10, 10**11)}] Queued mail for delivery",
                    "MsgId": msgid, "Subject": m["subj"], "Latency": lat, "Sender": m["sender"],
                    "datetime": self.dt(td), "Rcpt": rc, "AttSize": sum(a["size"] for a in atts),
                    "Attempt": 1, "TlsVer": tv, "Cphr": tc, "Snt": m["size"] + r.randrange(100, 900),
                    "aCode": ac, "UseTls": "Yes" if tv else "No", "Route": route}
            self.rows["delivery"].append((td, drow))
            if dirn == "Internal":
                tj = t + r.randrange(500, 3000)
                self.rows["jrnl"].append((tj, {"acc": ACCOUNT_ID, "Sender": m["sender"], "datetime": self.dt(tj),
                                               "Rcpt": rc, "RcptActType": "Jnl", "aCode": ac,
                                               "Dir": "Internal",
                                               "RcptHdrType": r.choice(["To", "To", "Cc", "Unknown"])}))

    def url_protect_blocks(self):
        """URL Protect blocks on 2026-11-01: routine blocks of a dangerous download link in a
        newsletter (blocked, not part of any attack)."""
        r = self.r
        d = self.domains["codecraft-updates.example"]
        bad = f"https://downloads.{d['domain']}/tools/free-pdf-converter-setup.exe"
        block_truth = []
        for k in range(3):
            t = at(PREV, 10 + 2 * k, r.randrange(60), r.randrange(60))
            rc = r.choice(self.addrs)
            self.rows["ttp_url"].append((t, {"acc": ACCOUNT_ID, "reason": "malicious",
                                             "subject": "New on the blog: free tools for developers",
                                             "msgid": msgid_external(r, d["domain"]) if k else None,
                                             "url": bad, "datetime": self.dt(t), "route": "inbound",
                                             "sourceIp": d["ip"], "sender": d["envelope"], "recipient": rc,
                                             "action": "Block", "urlCategory": "Dangerous file extension",
                                             "credentialTheft": None, "senderDomain": d["domain"]}))
            block_truth.append({"recipient": rc, "time": iso_utc(t), "url": bad})
        return {"kind": "v1-url-protect-blocks", "day": "2026-11-01",
                "note": "Legacy ttp_url rows: a dangerous-file link in a newsletter, blocked. "
                        "Benign day; not an attack.", "blocks": block_truth}
