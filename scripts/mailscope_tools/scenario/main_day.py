"""Monday 2026-11-02, the scenario's main day: every API 2.0 SIEM event and TTP record of
Acme Corp's mail, family by family (newsletters, partner mail, internal and outbound mail,
spam, commodity malware, benign clicks), with the three planted attacks (scenario/attacks.py)
on top. All of it draws from one random stream, in the order the methods run."""

from __future__ import annotations

from ..writers.siem_v2 import V2
from ..writers.ttp import ttp_ap_record, ttp_ip_record, ttp_url_record
from .attacks import bec_impersonation, credential_phish, malicious_attachment
from .common import DAY, ORG_DOMAIN, at, file_hashes, hexs, iso_utc, rand_ms, rng_for
from .content import (INTERNAL_SUBJECTS, NEWSLETTER_SUBJECTS, OUTBOUND_SUBJECTS, PARTNER_ATTACHMENTS,
                      PARTNER_SUBJECTS, SPAM_SUBJECTS, URL_CATEGORIES, fill)
from .mail import Msg, make_att, msgid_exchange, msgid_external, msgid_mimecast
from .world import NEWSLETTER_DOMAINS, PARTNER_DOMAINS

INBOUND_ROUTE = "Acme O365 Inbound"
INBOUND_HOST = "acmecorp-example.mail.protection.outlook.com"
INBOUND_IP = "52.101.8.36"
INTERNAL_ROUTE = "Acme Internal Exchange"
OUTBOUND_ROUTE = "Acme Outbound Default"


def generate_main_day(users, world):
    """The day's v2 events, TTP records, planted attacks (with their truth), other
    detections and messages."""
    day = MainDay(users, world)
    day.newsletters()
    day.partner_mail()
    day.attachment_scans()
    day.benign_impersonation_hits()
    day.internal_mail()
    day.internal_email_protect()
    day.outbound()
    day.spam_rejections()
    day.held_spam()
    day.av_rejections()
    day.benign_clicks()
    ra = rng_for("attacks")
    malicious_attachment(day, ra)
    credential_phish(day, ra)
    bec_impersonation(day, ra)
    day.held_digests()
    return {"v2": day.v2.events, "ttp_url": day.ttp_url, "ttp_ap": day.ttp_ap, "ttp_ip": day.ttp_ip,
            "attacks": day.attacks, "other": day.other, "messages": day.messages}


class MainDay:
    """The day's state: the event builders and records, and what one family of mail leaves for
    a later one (links that may be clicked, attachments to scan, held messages to digest)."""

    def __init__(self, users, world):
        self.domains, self.junk, self.junk_ips, self.internal_ips, _ = world
        self.r = rng_for("v2")
        self.v2 = V2(rng_for("v2-ids"))
        self.ttp_url, self.ttp_ap, self.ttp_ip = [], [], []
        self.attacks = []
        self.other = []  # detections that are not part of a planted attack
        self.addrs = [u["address"] for u in users]
        self.by_addr = {u["address"]: u for u in users}
        self.finance = [u["address"] for u in users if u["department"] == "Finance"]
        self.ceo = "dana.whitfield@" + ORG_DOMAIN
        self.held_by_user = {}   # user -> number of held messages (for the 14:00 digest)
        self.messages = []
        self.newsletter_domains = [d for d in NEWSLETTER_DOMAINS]
        self.partner_domains = [d for d in PARTNER_DOMAINS]
        self.url_msgs = []   # (msg, rcpt, url) candidates for benign clicks
        self.ap_msgs = []    # (msg, delay) of partner mail with attachments, scanned safe
        self.internal_link_msgs = []

    def deliver_inbound(self, m, rcpt, ts, latency=None):
        self.v2.delivery(m, rcpt, ts, INBOUND_ROUTE, INBOUND_HOST, INBOUND_IP, latency=latency,
                         tls_used=self.r.choice(["Yes", "Yes", "true"]))

    def newsletters(self):
        """Benign inbound: newsletters, some links later clicked, some bulk-mail spam events."""
        r, v2, domains, addrs = self.r, self.v2, self.domains, self.addrs
        messages, url_msgs = self.messages, self.url_msgs
        deliver_inbound, newsletter_domains = self.deliver_inbound, self.newsletter_domains
        for i in range(300):
            d = domains[r.choice(newsletter_domains)]
            t = rand_ms(r, DAY)
            rcpts = sorted(r.sample(addrs, r.choices([1, 2, 3, 4], [50, 25, 15, 10])[0]))
            subj = fill(r, r.choice(NEWSLETTER_SUBJECTS))
            urls = [f"https://{d['link_host']}/{r.choice(['articles', 'offers', 'events', 'p'])}/{r.randrange(1000, 99999)}?utm_source=newsletter&utm_medium=email&uid={hexs(r, 4)}"
                    for _ in range(r.randint(1, 3))]
            m = Msg(r, "newsletter", t, d["envelope"], d["header"], d["ip"], subj, "Inbound", rcpts,
                    msgid=msgid_external(r, d["domain"]), urls=urls)
            m.spam_score = r.randrange(0, 14)
            messages.append(m)
            for k, rc in enumerate(rcpts):
                v2.receipt_acc(m, rc, t + k * r.randrange(5, 60))
            v2.process(m, t + r.randrange(800, 4000), "Acc",
                       msgid_override=m.msgid.strip("<>") if r.random() < 0.03 else None)
            for rc in rcpts:
                deliver_inbound(m, rc, t + r.randrange(4000, 30000))
                for u in urls:
                    url_msgs.append((m, rc, u))
            if r.random() < 0.12:  # bulk-mail detections logged in the spam thread, still delivered
                for rc in rcpts:
                    v2.spam(m, rc, t + r.randrange(300, 900),
                            tagged=(r.choice(["true", "false"]), "false") if r.random() < 0.5 else None)

    def partner_mail(self):
        """Benign inbound: partner mail (some with attachments, scanned safe)."""
        r, v2, domains, addrs = self.r, self.v2, self.domains, self.addrs
        messages, url_msgs = self.messages, self.url_msgs
        ap_msgs, deliver_inbound = self.ap_msgs, self.deliver_inbound
        partner_domains = self.partner_domains
        for i in range(260):
            dn = r.choice(partner_domains)
            d = domains[dn]
            t = rand_ms(r, DAY)
            sender = r.choice(d["people"])
            rcpts = sorted(r.sample(addrs, r.choices([1, 2, 3], [65, 25, 10])[0]))
            atts = []
            if r.random() < 0.3:
                atts = [make_att(r, r.choice(PARTNER_ATTACHMENTS), f"{dn}/{i}/{j}") for j in range(r.choice([1, 1, 2]))]
            urls = [f"https://{d['link_host']}/portal/{r.randrange(100, 999)}"] if r.random() < 0.2 else []
            m = Msg(r, "partner", t, sender, sender, d["ip"], fill(r, r.choice(PARTNER_SUBJECTS)),
                    "Inbound", rcpts, msgid=msgid_external(r, dn), atts=atts, urls=urls)
            m.spam_score = r.randrange(0, 6)
            if r.random() < 0.025:
                m.spd_enc = r.choice(["object", "double"])
            messages.append(m)
            for k, rc in enumerate(rcpts):
                v2.receipt_acc(m, rc, t + k * r.randrange(5, 60))
            extra = 0
            if atts and r.random() < 0.35:
                v2.process(m, t + r.randrange(800, 2000), "Sdbx")
                extra = r.randrange(30000, 90000)
            v2.process(m, t + extra + r.randrange(2000, 5000), "Acc")
            for rc in rcpts:
                deliver_inbound(m, rc, t + extra + r.randrange(5000, 30000))
                for u in urls:
                    url_msgs.append((m, rc, u))
            if atts:
                ap_msgs.append((m, extra))

    def attachment_scans(self):
        """Benign attachment scans: v2 attachment protect (one per processingId) + TTP AP "safe"."""
        r, v2, ttp_ap, ap_msgs = self.r, self.v2, self.ttp_ap, self.ap_msgs
        for m, extra in ap_msgs:
            for rc in m.rcpts:
                for a in m.atts:
                    ts = m.t + extra + r.randrange(1500, 4000)
                    v2.attachment_protect(m, ts, a, rcpt=rc, full=r.random() < 0.25)
                    secs = r.randrange(2, 40)
                    ttp_ap.append(ttp_ap_record(
                        sender=m.env, rcpt=rc, att=a, result="safe", action_triggered="none",
                        ms=ts, msgid=m.msgid, subject=m.subject,
                        details=f"Safe\r\nTime taken: 0 hrs, 0 min, {secs} sec"))

    def benign_impersonation_hits(self):
        """Impersonation Protect hits NOT tagged malicious (action none, delivered)."""
        r, v2, domains, addrs = self.r, self.v2, self.domains, self.addrs
        by_addr, messages, ttp_ip, other = self.by_addr, self.messages, self.ttp_ip, self.other
        deliver_inbound = self.deliver_inbound
        ip_benign = [
            ("event-horizon-conf.example", ["newly_observed_domain"], "newDomain",
             "Your invitation: Event Horizon 2027 early-bird"),
            ("saas-pricing-report.example", ["newly_observed_domain"], "newDomain",
             "The 2026 SaaS pricing report is here"),
            ("harborline-freight.example", ["internal_user_name"], "internalUserName",
             "RE: PO 44817 delivery schedule"),
            ("woodgrove-finance.example", ["targeted_threat_dictionary"], "customThreatDictionary",
             "Wire confirmation for PO 45102"),
        ]
        benign_ip_truth = []
        for k, (dn, idents, flag, subj) in enumerate(ip_benign):
            d = domains[dn]
            t = at(DAY, 9 + 2 * k, r.randrange(60), r.randrange(60), r.randrange(1000))
            if d["kind"] == "partner":
                sender = ("chris.morgan@harborline-freight.example" if dn.startswith("harborline")
                          else r.choice(d["people"]))
                hdr = sender
            else:
                sender, hdr = d["envelope"], d["header"]
            rc = r.choice([a for a in addrs if by_addr[a]["department"] in ("Sales", "Finance", "Operations")])
            m = Msg(r, "benign-impersonation-hit", t, sender, hdr, d["ip"], subj, "Inbound", [rc],
                    msgid=msgid_external(r, dn), agg_mode="with_suffix")
            messages.append(m)
            v2.receipt_acc(m, rc, t)
            v2.process(m, t + 1900, "Acc")
            deliver_inbound(m, rc, t + 6100)
            v2.impersonation(m, rc, t + 1200, action="None", definition="IP - 1 hit (Tag email)", hits=1,
                             flags={flag}, tagged_malicious=False, tagged_external=True,
                             msgid="" if k == 1 else None)
            if idents == ["internal_user_name"]:
                res = [{"impersonationDomainSource": "internal_user_name",
                        "similarDomain": f"Chris Morgan <chris.morgan@{ORG_DOMAIN}>",
                        "stringSimilarToDomain": "Chris Morgan", "checkerResult": "hit"}]
            elif idents == ["newly_observed_domain"]:
                res = [{"impersonationDomainSource": "newly_observed_domain",
                        "stringSimilarToDomain": dn, "checkerResult": "hit"}]
            else:
                res = [{"impersonationDomainSource": "targeted_threat_dictionary",
                        "stringSimilarToDomain": "wire"}]
            ttp_ip.append(ttp_ip_record(r, sender=sender, rcpt=rc, subject=subj,
                                        definition="IP - 1 hit (Tag email)", hits=1, identifiers=idents,
                                        action="none", tagged_external=True, tagged_malicious=False,
                                        ip=d["ip"], ms=t + 1200, results=res, msgid=m.msgid))
            benign_ip_truth.append({"sender": sender, "recipient": rc, "subject": subj,
                                    "identifiers": idents, "tagged_malicious": False,
                                    "message_id": m.msgid.strip("<>"), "time": iso_utc(t + 1200)})
        other.append({"kind": "benign-impersonation-hits", "note": "Impersonation Protect hits that "
                      "were not tagged malicious (action none, delivered); not attacks.",
                      "hits": benign_ip_truth})

    def internal_mail(self):
        """Internal mail (+ journal), a few links in it clicked internally."""
        r, v2, internal_ips, addrs = self.r, self.v2, self.internal_ips, self.addrs
        messages, internal_link_msgs = self.messages, self.internal_link_msgs
        for i in range(240):
            sender = r.choice(addrs)
            t = rand_ms(r, DAY)
            pool = [a for a in addrs if a != sender]
            rcpts = sorted(r.sample(pool, r.choices([1, 2, 3, 5], [55, 25, 15, 5])[0]))
            atts = []
            if r.random() < 0.15:
                atts = [make_att(r, r.choice(PARTNER_ATTACHMENTS), f"internal/{i}")]
            urls = [f"https://intranet.{ORG_DOMAIN}/sites/{r.choice(['finance', 'hr', 'it', 'projects'])}/{r.randrange(100, 999)}"] if r.random() < 0.15 else []
            m = Msg(r, "internal", t, sender, sender, r.choice(internal_ips),
                    fill(r, r.choice(INTERNAL_SUBJECTS)), "Internal", rcpts, msgid=msgid_exchange(r),
                    atts=atts, urls=urls)
            messages.append(m)
            for k, rc in enumerate(rcpts):
                v2.receipt_acc(m, rc, t + k * r.randrange(5, 40))
            v2.process(m, t + r.randrange(500, 2500), "Acc")
            for rc in rcpts:
                v2.delivery(m, rc, t + r.randrange(3000, 12000), INTERNAL_ROUTE,
                            "exch-hub01.acme-corp.example", "10.20.0.25")
                v2.journal(m, rc, t + r.randrange(1000, 4000))
                for u in urls:
                    internal_link_msgs.append((m, rc, u))

    def internal_email_protect(self):
        """A forwarded newsletter whose link is now categorised Compromised."""
        r, v2, internal_ips, addrs = self.r, self.v2, self.internal_ips, self.addrs
        messages, ttp_url, other = self.messages, self.ttp_url, self.other
        fw_sender = "bjorn.lindqvist@" + ORG_DOMAIN
        fw_rcpts = sorted(r.sample([a for a in addrs if a != fw_sender], 2))
        t = at(DAY, 11, 12, 40, 377)
        bad_link = "http://www.harvest-table-recipes.example/blog/autumn-menu-2026"
        m = Msg(r, "internal-iep", t, fw_sender, fw_sender, internal_ips[0],
                "FW: Autumn menu ideas for the team lunch", "Internal", fw_rcpts,
                msgid=msgid_exchange(r), urls=[bad_link], agg_mode="with_suffix")
        messages.append(m)
        for rc in fw_rcpts:
            v2.receipt_acc(m, rc, t)
        v2.process(m, t + 1300, "Acc")
        for rc in fw_rcpts:
            v2.iep(m, rc, t + 2100, "Compromised")
            v2.journal(m, rc, t + 2600)
            ttp_url.append(ttp_url_record(
                clicker=rc, sender=fw_sender, url=bad_link, subject=m.subject, action="warn",
                actions="None", scan="malicious", category="Compromised", sending_ip="Internal IP",
                awareness="N/A", ms=t + 2100, route="internal", method="Entry Scan", msgid=m.msgid,
                definition="Default Internal URL Protect Definition",
                tagmap={"UrlReputationScan": {"Status": ["CustomerAll", "VerdictBlock"],
                                              "Type": ["Compromised"],
                                              "UrlBlock": [f"ORIGINAL:{bad_link} (Blocked as COMPROMISED)"],
                                              "Url": [bad_link]}}))
        other.append({"kind": "internal-email-protect", "note": "Internal forward of a newsletter link "
                      "categorised Compromised; blocked by Internal Email Protect, no click. Not one of "
                      "the planted attacks.", "sender": fw_sender, "recipients": fw_rcpts, "url": bad_link,
                      "message_id": m.msgid.strip("<>"), "time": iso_utc(t + 2100)})

    def outbound(self):
        """Outbound mail to partners; a few deliveries fail."""
        r, v2, domains, internal_ips = self.r, self.v2, self.domains, self.internal_ips
        addrs, messages, partner_domains = self.addrs, self.messages, self.partner_domains
        for i in range(150):
            sender = r.choice(addrs)
            t = rand_ms(r, DAY)
            d = domains[r.choice(partner_domains)]
            rcpts = sorted(r.sample(d["people"], min(len(d["people"]), r.choice([1, 1, 2]))))
            m = Msg(r, "outbound", t, sender, sender, r.choice(internal_ips),
                    fill(r, r.choice(OUTBOUND_SUBJECTS)), "Outbound", rcpts, msgid=msgid_exchange(r))
            messages.append(m)
            for k, rc in enumerate(rcpts):
                v2.receipt_acc(m, rc, t + k * r.randrange(5, 40))
            v2.process(m, t + r.randrange(500, 2500), "Acc")
            for k, rc in enumerate(rcpts):
                ok = not (i % 50 == 7 and k == 0)
                v2.delivery(m, rc if ok else rc.replace("@", "x@"), t + r.randrange(2000, 20000),
                            OUTBOUND_ROUTE, f"mx1.{d['domain']}", d["ip"], delivered=ok)

    def spam_rejections(self):
        """Spam rejected at receipt (no process, no delivery)."""
        r, v2, junk, junk_ips = self.r, self.v2, self.junk, self.junk_ips
        addrs, messages = self.addrs, self.messages
        rej_types = [("550", "IP Found in RBL", "Rejected by header based Blocked Senders - block policy for IP address"),
                     ("550", "Manual Envelope Rejection", "Envelope blocked - User Entry"),
                     ("554", "Spam Signature Detected", "Message rejected as spam by Content Filtering")]
        for i in range(140):
            jd = r.choice(junk)
            t = rand_ms(r, DAY, [3] * 24)
            env = f"{r.choice(['info', 'sales', 'no-reply', 'win', 'offer'])}{r.randrange(1, 999)}@{jd}"
            m = Msg(r, "spam-rejected", t, env, env, r.choice(junk_ips), None, "Inbound",
                    [r.choice(addrs)], agg_mode=r.choice(["with_suffix", "none"]))
            m.spd_enc = r.choice(["string", "string", "null"])
            messages.append(m)
            code, rtype, info = r.choice(rej_types)
            v2.receipt_rej(m, m.rcpts[0], t, code, rtype, info)

    def held_spam(self):
        """Held spam (accepted, held for review, never delivered)."""
        r, v2, junk, junk_ips = self.r, self.v2, self.junk, self.junk_ips
        addrs, messages, held_by_user = self.addrs, self.messages, self.held_by_user
        for i in range(16):
            jd = r.choice(junk)
            t = rand_ms(r, DAY)
            env = f"{r.choice(['deals', 'promo', 'alerts'])}@{jd}"
            rcpts = sorted(r.sample(addrs, r.choice([1, 1, 2])))
            m = Msg(r, "spam-held", t, env, env, r.choice(junk_ips), r.choice(SPAM_SUBJECTS), "Inbound",
                    rcpts, msgid=msgid_external(r, jd))
            m.spam_score = r.randrange(28, 60)
            messages.append(m)
            for rc in rcpts:
                v2.receipt_acc(m, rc, t)
                v2.spam(m, rc, t + r.randrange(200, 800),
                        tagged=("true", r.choice(["true", "false"])) if r.random() < 0.4 else None)
                held_by_user[rc] = held_by_user.get(rc, 0) + 1
            v2.process(m, t + r.randrange(900, 3000), "Hld", hold_reason="Spm")

    def av_rejections(self):
        """Commodity malware stopped by AV at receipt."""
        r, v2, junk, junk_ips = self.r, self.v2, self.junk, self.junk_ips
        addrs, messages, other = self.addrs, self.messages, self.other
        av_truth = []
        av_specs = [("Scan_0931.zip", "zip", "application/zip", "Win.Trojan.Agent-1290087"),
                    ("DHL_Notice_7731.html", "html", "text/html", "Html.Phishing.Generic-9952"),
                    ("Payment_Advice.iso", "iso", "application/x-iso9660-image", "Win.Malware.Formbook-7004"),
                    ("Order_Details.doc", "doc", "application/msword", "Doc.Dropper.Agent-6478")]
        for k, (fname, ext, mime, virus) in enumerate(av_specs):
            jd = junk[k]
            t = at(DAY, 7 + 3 * k, r.randrange(60), r.randrange(60), r.randrange(1000))
            env = f"{r.choice(['accounts', 'shipping', 'payments'])}@{jd}"
            att = {"name": fname, "ext": ext, "mime": mime, "size": r.randrange(30_000, 400_000)}
            att.update(file_hashes(f"av/{fname}"))
            rcpts = sorted(r.sample(addrs, r.choice([1, 2])))
            m = Msg(r, "av-rejected", t, env, env, junk_ips[k], r.choice(
                ["Your parcel could not be delivered", "Payment advice", "New order details", "Scanned document"]),
                "Inbound", rcpts, msgid=msgid_external(r, jd), atts=[att], agg_mode="with_suffix")
            messages.append(m)
            for rc in rcpts:
                v2.receipt_rej(m, rc, t, "554", "Virus Signature Detected",
                               "Message rejected: a virus was found in an attachment", virus=virus)
                v2.av(m, rc, t + 300, att, virus)
            av_truth.append({"sender": env, "recipients": rcpts, "file": fname, "sha256": att["sha256"],
                             "virus": virus, "message_id": m.msgid.strip("<>"), "time": iso_utc(t)})
        other.append({"kind": "av-rejected-commodity-malware", "note": "Rejected at receipt by AV; "
                      "never delivered; not one of the planted attacks.", "messages": av_truth})

    def benign_clicks(self):
        """Benign URL clicks (clean) and a few benign entry scans."""
        r, ttp_url = self.r, self.ttp_url
        url_msgs, internal_link_msgs = self.url_msgs, self.internal_link_msgs
        r.shuffle(url_msgs)
        clicks = 0
        for m, rc, u in url_msgs:
            if clicks >= 70:
                break
            if r.random() < 0.25:
                ts = m.t + r.randrange(60_000, 4 * 3600_000)
                if ts >= (DAY + 86400) * 1000:
                    continue
                ttp_url.append(ttp_url_record(
                    clicker=rc, sender=m.hdr, url=u, subject=m.subject, action="allow", actions="Allow",
                    scan="clean", category=r.choice(URL_CATEGORIES), sending_ip=m.ip,
                    awareness=r.choice(["N/A", "N/A", "NA", "Continue"]), ms=ts, route="inbound",
                    method="User Click", msgid=m.msgid))
                clicks += 1
        for m, rc, u in url_msgs[-15:]:
            ttp_url.append(ttp_url_record(
                clicker=rc, sender=m.hdr, url=u, subject=m.subject, action="allow", actions="Allow",
                scan="clean", category=r.choice(URL_CATEGORIES), sending_ip=m.ip, awareness="N/A",
                ms=m.t + r.randrange(1000, 5000), route="inbound", method="Entry Scan", msgid=m.msgid))
        for m, rc, u in internal_link_msgs[:8]:
            ttp_url.append(ttp_url_record(
                clicker=rc, sender=m.env, url=u, subject=m.subject, action="allow", actions="Allow",
                scan="clean", category="Business", sending_ip="Internal IP", awareness="N/A",
                ms=m.t + r.randrange(120_000, 3600_000), route="internal", method="User Click",
                msgid=m.msgid, definition="Default Internal URL Protect Definition"))

    def held_digests(self):
        """14:00 held-message digests from postmaster (internal, benign)."""
        r, v2, messages, held_by_user = self.r, self.v2, self.messages, self.held_by_user
        t = at(DAY, 14, 0, 3, 112)
        for k, rc in enumerate(sorted(held_by_user)):
            tt = t + k * 517
            m = Msg(r, "held-digest", tt, "postmaster@" + ORG_DOMAIN, "postmaster@" + ORG_DOMAIN,
                    "10.108.31.17", "You have new held messages", "Internal", [rc],
                    msgid=msgid_mimecast(r, tt))
            messages.append(m)
            v2.receipt_acc(m, rc, tt)
            v2.process(m, tt + 800, "Acc")
            v2.delivery(m, rc, tt + 2400, INTERNAL_ROUTE, "exch-hub01.acme-corp.example", "10.20.0.25")
            v2.journal(m, rc, tt + 1500)
