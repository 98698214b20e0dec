"""The day's stopped threats in the scale set, each its own incident: Impersonation Protect
hits, commodity malware rejected by AV, phishing whose clicks Mimecast blocked, malicious
attachments held, and the odd Internal Email Protect block of a forwarded link."""

from __future__ import annotations

import json

from ..scenario.common import ascii_fold, b64id, file_hashes, iso_utc
from ..scenario.mail import Msg, msgid_exchange, msgid_external
from ..writers.siem_v2 import V2
from ..writers.ttp import ttp_ip_record, ttp_url_record
from .common import INBOUND_HOST, INBOUND_IP, INBOUND_ROUTE, RELAY_IPS

# background content
PHISH_SUBJECTS = ["Your password expires today", "Document shared with you", "Payment failed: update your details",
                  "Voicemail message received", "Please review and sign", "Unusual sign-in activity",
                  "Your parcel is on hold", "Mailbox quota exceeded"]
AV_SPECS = [("Scan_{n}.zip", "zip", "Win.Trojan.Agent-{v}"), ("DHL_Notice_{n}.html", "html", "Html.Phishing.Generic-{v}"),
            ("Payment_Advice_{n}.iso", "iso", "Win.Malware.Formbook-{v}"), ("Order_Details_{n}.doc", "doc", "Doc.Dropper.Agent-{v}"),
            ("Invoice_{n}.img", "img", "Win.Downloader.Guloader-{v}")]
AV_SUBJECTS = ["Your parcel could not be delivered", "Payment advice", "New order details", "Scanned document",
               "Invoice attached", "Shipping documents"]
HELD_SPECS = [("Remittance_{n}.html", "html", "text/html"), ("Statement_{n}.zip", "zip", "application/zip"),
              ("Purchase_Order_{n}.iso", "iso", "application/x-iso9660-image"),
              ("Invoice_{n}.xlsm", "xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12")]
HELD_SUBJECTS = ["Remittance advice {n}", "Statement of account {n}", "Purchase order {n}", "Outstanding invoice {n}"]


class StoppedThreats:
    """MailDay's waves (a mixin: it uses the day's stream, buckets and records)."""

    def impersonation_hits(self, n: int):
        """Impersonation Protect hits on inbound mail: mostly newly observed domains, tagged
        external and delivered (action none, not malicious); a third tagged malicious and held."""
        W, r = self.W, self.r
        for k in range(n):
            t = self.start()
            v2 = V2(r)
            d = W.fresh_domain(r, "-hub")
            rc = W.users[int(r.random() * len(W.users))].email
            held = r.random() < 0.33
            if held:
                name = r.choice(W.internal_names)
                env = f"{ascii_fold(name).lower().replace(' ', '.')}@{d}"
                subj = r.choice(["Quick favour", "Are you at your desk?", "Payment request", "Updated bank details"])
                flags, idents, hits = {"internalUserName", "newDomain"}, ["internal_user_name", "newly_observed_domain"], 2
            else:
                env = f"{r.choice(['hello', 'news', 'team', 'events'])}@{d}"
                subj = r.choice(["Welcome to our community", "Your free trial", "Introducing our new platform",
                                 "Invitation: industry roundtable"])
                flags, idents, hits = {"newDomain"}, ["newly_observed_domain"], 1
            ip = W._ips[int(r.random() * 2000)]
            m = Msg(r, "impersonation-hit", t, env, env, ip, subj, "Inbound", [rc], msgid=msgid_external(r, d),
                      agg_mode="with_suffix")
            v2.receipt_acc(m, rc, t)
            definition = f"IP - {hits} hit{'s' if hits > 1 else ''} ({'Hold' if held else 'Tag'} email)"
            v2.impersonation(m, rc, t + 1200, action="Hold" if held else "None", definition=definition, hits=hits,
                             flags=flags, tagged_malicious=held, tagged_external=True)
            if held:
                v2.process(m, t + 1900, "Hld", hold_reason="Oth")
            else:
                v2.process(m, t + 1900, "Acc")
                v2.delivery(m, rc, t + 6100, INBOUND_ROUTE, INBOUND_HOST, INBOUND_IP)
            for ev in v2.events:
                self.put_ev(ev)
            res = [{"impersonationDomainSource": "newly_observed_domain", "stringSimilarToDomain": d, "checkerResult": "hit"}]
            if held:
                res.insert(0, {"impersonationDomainSource": "internal_user_name", "stringSimilarToDomain": name,
                               "checkerResult": "hit"})
            self.ttp_ip.append(ttp_ip_record(r, sender=env, rcpt=rc, subject=subj, definition=definition, hits=hits,
                                               identifiers=idents, action="hold" if held else "none",
                                               tagged_external=True, tagged_malicious=held, ip=ip, ms=t + 1200,
                                               results=res, msgid=m.msgid))

    def iep_forward(self):
        W, r = self.W, self.r
        sender = W.users[int(r.random() * len(W.users))]
        rcpts = sorted({W.users[int(r.random() * len(W.users))].email for _ in range(2)} - {sender.email})
        if not rcpts:
            return
        t = self.start()
        self.wave_no += 1
        site = f"www.{r.choice(W.words)}-{r.choice(W.words)}-blog{self.day_index}{self.wave_no}.example"
        link = f"http://{site}/posts/{r.randrange(1000, 9999)}"
        m = Msg(r, "internal-iep", t, sender.email, sender.email, RELAY_IPS[0], "FW: worth a read", "Internal",
                  rcpts, msgid=msgid_exchange(r), urls=[link], agg_mode="with_suffix")
        v2 = V2(r)
        for rc in rcpts:
            v2.receipt_acc(m, rc, t)
        v2.process(m, t + 1300, "Acc")
        for rc in rcpts:
            v2.iep(m, rc, t + 2100, "Compromised")
            v2.journal(m, rc, t + 2600)
            self.ttp_url.append(("rec", t + 2100, ttp_url_record(
                clicker=rc, sender=sender.email, url=link, subject=m.subject, action="warn", actions="None",
                scan="malicious", category="Compromised", sending_ip="Internal IP", awareness="N/A", ms=t + 2100,
                route="internal", method="Entry Scan", msgid=m.msgid, definition="Default Internal URL Protect Definition",
                tagmap={"UrlReputationScan": {"Status": ["CustomerAll", "VerdictBlock"], "Type": ["Compromised"],
                                              "UrlBlock": [f"ORIGINAL:{link} (Blocked as COMPROMISED)"], "Url": [link]}})))
        for ev in v2.events:
            self.put_ev(ev)
        reg = site.split(".", 1)[1]
        self.background.append({"kind": "internal-email-protect", "sender": sender.email, "recipients": rcpts,
                                "subject": m.subject, "message_ids": [m.msgid.strip("<>")], "indicator": reg,
                                "time": iso_utc(t), "expected_incident": {"key": "domain:" + reg, "severity": "high"}})

    def waves(self):
        """Each day's stopped threats: commodity malware rejected by AV, phishing whose clicks
        Mimecast blocked, malicious attachments held. Each is its own incident."""
        m = self.cfg["mailboxes"]
        f = self.factor
        for _ in range(max(1, round(m / 1500 * f))):
            self.av_wave()
        for _ in range(max(1, round(m / 2500 * f))):
            self.blocked_phish_wave()
        for _ in range(max(1, round(m / 2500 * f))):
            self.held_attachment_wave()

    def wave_recipients(self, lo, hi):
        r, W = self.r, self.W
        n = min(len(W.users) - 1, r.randint(lo, max(lo, hi)))
        return sorted(W.users[i].email for i in r.sample(range(len(W.users)), n))

    def av_wave(self):
        W, r = self.W, self.r
        d = W.fresh_domain(r, "-docs")
        env = f"{r.choice(['accounts', 'shipping', 'payments', 'scanner'])}@{d}"
        fname_t, ext, virus_t = r.choice(AV_SPECS)
        fname = fname_t.format(n=r.randrange(1000, 9999))
        virus = virus_t.format(v=r.randrange(1000, 9_999_999))
        att = {"name": fname, "ext": ext, "mime": "application/octet-stream", "size": r.randrange(30_000, 400_000)}
        att.update(file_hashes(f"scale/av/{self.day_index}/{fname}/{virus}"))
        subj = r.choice(AV_SUBJECTS)
        ip = W._ips[int(r.random() * 2000)]
        rcpts = self.wave_recipients(3, min(60, len(W.users) // 25))
        t0 = self.start()
        msgids = []
        for k, rc in enumerate(rcpts):   # a bulk mailer: one message per recipient
            t = t0 + k * r.randrange(2000, 20_000)
            m = Msg(r, "av-rejected", t, env, env, ip, subj, "Inbound", [rc], msgid=msgid_external(r, d), atts=[att],
                      agg_mode="with_suffix")
            v2 = V2(r)
            v2.receipt_rej(m, rc, t, "554", "Virus Signature Detected",
                           "Message rejected: a virus was found in an attachment", virus=virus)
            v2.av(m, rc, t + 300, att, virus)
            for ev in v2.events:
                self.put_ev(ev)
            msgids.append(m.msgid.strip("<>"))
        self.background.append({"kind": "av-rejected-malware-wave", "sender": env, "subject": subj, "recipients": rcpts,
                                "file": fname, "sha256": att["sha256"], "virus": virus, "message_ids": sorted(msgids),
                                "time": iso_utc(t0), "delivered": 0,
                                "expected_incident": {"key": "message:" + min(msgids), "severity": "low"}})

    def blocked_phish_wave(self):
        W, r = self.W, self.r
        d = W.fresh_domain(r, "-secure")
        env = f"{r.choice(['security', 'it-helpdesk', 'docs', 'voicemail', 'billing'])}@{d}"
        self.wave_no += 1   # the day and wave number make the domain (the incident's key) unique
        host = (f"{r.choice(['login', 'secure', 'auth', 'account'])}.{r.choice(W.words)}-{r.choice(W.words)}"
                f"-verify{self.day_index}{self.wave_no}.example")
        reg = host.split(".", 1)[1]
        path = f"/{r.choice(['signin', 'auth', 'verify', 'doc'])}/{r.choice(['index.php', 'login.html', 'view'])}"
        subj = r.choice(PHISH_SUBJECTS)
        ip = W._ips[int(r.random() * 2000)]
        rcpts = self.wave_recipients(4, min(40, len(W.users) // 20))
        t0 = self.start()
        msgs = {}
        for k, rc in enumerate(rcpts):
            t = t0 + k * r.randrange(3000, 30_000)
            url = f"https://{host}{path}?id={b64id(r, 9)}"
            m = Msg(r, "phish-blocked", t, env, env, ip, subj, "Inbound", [rc], msgid=msgid_external(r, d),
                      urls=[url], agg_mode="with_suffix")
            v2 = V2(r)
            v2.receipt_acc(m, rc, t)
            v2.process(m, t + 1100, "Acc")
            v2.delivery(m, rc, t + 4700, INBOUND_ROUTE, INBOUND_HOST, INBOUND_IP)
            for ev in v2.events:
                self.put_ev(ev)
            msgs[rc] = (m, url, t)
        clickers = sorted(r.sample(rcpts, min(len(rcpts), r.randint(1, 3))))
        for rc in clickers:
            m, url, t = msgs[rc]
            ts = t + r.randrange(120_000, 3 * 3_600_000)
            ts = min(ts, self.day_ms + 86_300_000)
            v2 = V2(r)
            analysis = (json.dumps({"CredentialTheftEvidence": ["Login form", "Brand impersonation"],
                                    "CredentialTheftTags": ["brand:Microsoft"]}, separators=(",", ":"))
                        if r.random() < 0.6 else "null")
            v2.url_protect(m, rc, ts + 180, url, "Phishing & Fraud", analysis)
            for ev in v2.events:
                self.put_ev(ev)
            self.ttp_url.append(("rec", ts, ttp_url_record(
                clicker=rc, sender=env, url=url, subject=subj, action="block", actions="Block", scan="malicious",
                category="Phishing & Fraud", sending_ip=ip, awareness="N/A", ms=ts, route="inbound", method="User Click",
                msgid=m.msgid, tagmap={"UrlReputationScan": {"Status": ["CustomerAll", "VerdictBlock"], "Type": ["Phishing"],
                                                             "UrlBlock": [f"ORIGINAL:{url} (Blocked as PHISHING)"],
                                                             "Url": [url]}})))
            self.clicks.append((W.by_email[rc].idx, ts, None, True))   # the browser only reaches URL Protect
        self.background.append({"kind": "phishing-clicks-blocked", "sender": env, "subject": subj, "recipients": rcpts,
                                "clickers": clickers, "url_host": host, "indicator": reg,
                                "message_ids": sorted(m.msgid.strip("<>") for m, _, _ in msgs.values()),
                                "time": iso_utc(t0), "delivered": len(rcpts),
                                "expected_incident": {"key": "domain:" + reg,
                                                      "severity": "high" if len(rcpts) >= 10 else "medium"}})

    def held_attachment_wave(self):
        W, r = self.W, self.r
        d = W.fresh_domain(r, "-files")
        env = f"{r.choice(['ar', 'invoices', 'orders', 'finance'])}@{d}"
        fname_t, ext, mime = r.choice(HELD_SPECS)
        n = r.randrange(1000, 99999)
        fname = fname_t.format(n=n)
        att = {"name": fname, "ext": ext, "mime": mime, "size": r.randrange(20_000, 300_000)}
        self.wave_no += 1
        att.update(file_hashes(f"scale/held/{self.day_index}/{self.wave_no}/{fname}"))
        subj = r.choice(HELD_SUBJECTS).format(n=n)
        ip = W._ips[int(r.random() * 2000)]
        rcpts = self.wave_recipients(3, min(15, len(W.users) // 30))
        t0 = self.start()
        m = Msg(r, "held-attachment", t0, env, env, ip, subj, "Inbound", rcpts, msgid=msgid_external(r, d),
                  atts=[att], agg_mode="with_suffix")
        v2 = V2(r)
        for k, rc in enumerate(rcpts):
            v2.receipt_acc(m, rc, t0 + k * 31)
        v2.process(m, t0 + 2900, "Sdbx")
        scan = t0 + r.randrange(60_000, 120_000)
        for k, rc in enumerate(rcpts):
            v2.attachment_protect(m, scan + k * 13, att, rcpt=rc, full=(k % 2 == 0))
            self.ttp_ap.append((scan + k * 13, rc, env, fname, mime, att["sha256"], m.msgid, subj, "malicious", "hold",
                                "MALICIOUS_ACTIVITY: Drops and runs an executable\r\nTime taken: 0 hrs, 1 min, 12 sec"))
        v2.process(m, scan + 4000, "Hld", hold_reason="Oth")
        for ev in v2.events:
            self.put_ev(ev)
        self.background.append({"kind": "malicious-attachment-held", "sender": env, "subject": subj, "recipients": rcpts,
                                "file": fname, "sha256": att["sha256"], "message_ids": [m.msgid.strip("<>")],
                                "time": iso_utc(t0), "delivered": 0,
                                "expected_incident": {"key": "hash:" + att["sha256"], "severity": "medium"}})
