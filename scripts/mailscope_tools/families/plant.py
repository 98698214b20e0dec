"""Randomized scenario families: the conclusions must hold on data the catalog was not tuned on.

Each seed writes a small company's exports (Mimecast API 2.0 receipt/delivery, TTP Attachment
and URL logs, one EDR export per product in that product's own columns, an identities file)
with one planted case per family, on an EDR product, delays and names drawn from the seed, and
benign look-alikes beside them. ground-truth.json says what an experienced analyst concludes
for each case: who received it, who interacted, which hosts, the furthest stage per person,
the severity (or a ceiling for look-alikes), what the title may not say and which actions
must be there. `scripts/score-families` runs MailScope on each seed and scores it.

  scripts/scenario-families --seeds 1,2,3,4,5 --out /tmp/families

Families (README "Scenario families"):
  attachment-c2      attachment opened, the macro's script host calls the sender's own domain
  archive-script     a script from the delivered zip run from Explorer, then calling back
  click-download-run a clicked link, a download from that host seconds to a day later, run (MDE)
  click-reach        a clicked link, the host reaches the site (CrowdStrike, SentinelOne)
  credential-phish   a click through to a page Mimecast categorised as phishing
  policy-warning     a user continued past a category warning on a URL scanned clean (benign)
  namesake-file      a clean attachment with the campaign file's name, other hash, opened (benign)
  no-delivery-logs   a malicious attachment in a data set without delivery logs
  late-verdict       the Attachment Protect verdict arrives a night after the file was opened
  bec                an executive's name from outside with a reply-to mismatch, delivered
  ti-only            a link Mimecast scanned clean but a threat-intel feed lists, clicked
  internal-compromise a colleague's account sends a phishing link inside the company
  admin-release-exec an administrator releases a held malicious attachment; it is opened and runs
  allow-list-campaign an allow entry for a sender or site, then its campaign clicked (beside a
                     partner permitted the same way, benign)
  console-brute-force failed console logons from one address, a success, then a permitted sender
                     (beside a person mistyping twice, benign)
"""
import argparse
import os
import random

from ..timefmt import mimecast_date
from .company import DAY0, ORG, PRODUCTS, Company, delay, sha
from .exports import Exports

EXCEL = "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE"
POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"


class Seed:
    """One seed's random stream, company, exports, cases and clock (t: the running time of
    the day's cases, each a little after the one before)."""

    def __init__(self, seed):
        self.seed = seed
        self.r = r = random.Random(seed)
        self.co = Company(r)
        self.ex = Exports(r)
        self.cases = []
        self.t = DAY0 + 8 * 3600_000 + r.randrange(3600_000)

    def later(self):
        """The next case's time: ten minutes to an hour after the last one."""
        self.t += self.r.randrange(600_000, 3600_000)
        return self.t


def office(p):
    return ("OUTLOOK.EXE", '"OUTLOOK.EXE"', str(p["pid"]))


def outlook_cache(p, folder, name):
    return f"C:\\Users\\{p['sam']}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\{folder}\\{name}"


def open_macro_workbook(ex, p, opened, cache, excel_pid, ps_pid, excel_after, ps_after):
    """Excel opens the workbook Outlook wrote to `cache` `excel_after` ms after `opened`, and
    its macro starts a hidden PowerShell `ps_after` ms after `opened`. Returns the PowerShell
    process (name, command line, pid)."""
    excel = ("EXCEL.EXE", f'"EXCEL.EXE" "{cache}"', str(p["pid"] + excel_pid))
    ex.start(p, opened + excel_after, office(p), excel, EXCEL)
    ps = ("powershell.exe", "powershell.exe -NoP -W Hidden -enc SQBFAFgA", str(p["pid"] + ps_pid))
    ex.start(p, opened + ps_after, excel, ps, POWERSHELL)
    return ps


def attachment_c2(s):
    """Opened, the macro's script host calls the sender's own domain; once per product."""
    r, co, ex, seed = s.r, s.co, s.ex, s.seed
    for product in PRODUCTS:
        sender_domain = f"{r.choice(['billing', 'invoice', 'pay'])}-{r.choice(['hub', 'desk', 'portal'])}{r.randrange(10, 99)}.example"
        sender, ip = f"accounts@{sender_domain}", f"198.51.100.{r.randrange(2, 250)}"
        name = f"INV-{r.randrange(10000, 99999)}.xlsm"
        digest = sha(name + str(seed) + product)
        victim = co.take(product)
        others = [co.take() for _ in range(r.randrange(1, 3))]
        subject = f"Invoice {name[:-5]} overdue"
        t = s.later()
        ex.mail(sender, ip, subject, [victim["email"]] + [o["email"] for o in others], t, attachment=(name, digest, "malicious"))
        opened = t + 60_000 + delay(r) // 10
        cache = outlook_cache(victim, f"Q{r.randrange(1000, 9999)}", name)
        ex.write_file(victim, opened, office(victim), cache, digest)
        ps = open_macro_workbook(ex, victim, opened, cache, 11, 23, 3000, 9000)
        ex.connect(victim, opened + 9000 + delay(r), ps, f"cdn.{sender_domain}", f"192.0.2.{r.randrange(2, 250)}")
        s.cases.append({"family": "attachment-c2", "product": product, "key": "hash:" + digest, "indicator": digest,
                        "recipients": sorted([victim["email"]] + [o["email"] for o in others]),
                        "interacted": [victim["email"]], "hosts": [victim["host"].lower()],
                        "stages": {victim["email"]: "command-and-control", **{o["email"]: "delivery" for o in others}},
                        "severity": "critical", "actions": ["Isolate and investigate the host", "Purge the"]})


def archive_script(s):
    """A script inside the delivered zip run from Explorer, then calling back; once per product."""
    r, co, ex, seed = s.r, s.co, s.ex, s.seed
    for product in PRODUCTS:
        sender_domain = f"{r.choice(['scan', 'fax', 'docs'])}-{r.choice(['relay', 'center', 'mail'])}{r.randrange(10, 99)}.example"
        sender, ip = f"noreply@{sender_domain}", f"198.51.100.{r.randrange(2, 250)}"
        stem = f"{r.choice(['Invoice', 'Scan', 'Statement'])}-{r.randrange(1000, 9999)}"
        name = stem + ".zip"
        digest = sha(name + str(seed) + product)
        victim = co.take(product)
        t = s.later()
        ex.mail(sender, ip, f"Document {stem}", [victim["email"]], t, attachment=(name, digest, "malicious"))
        ran = t + 120_000 + delay(r) // 10
        explorer = ("explorer.exe", "C:\\WINDOWS\\Explorer.EXE", str(victim["pid"] - 7))
        script = ("wscript.exe", f'"C:\\Windows\\System32\\WScript.exe" "C:\\Users\\{victim["sam"]}\\AppData\\Local\\Temp\\Temp1_{name}\\{stem}.js"',
                  str(victim["pid"] + 31))
        ex.start(victim, ran, explorer, script, "C:\\Windows\\System32\\wscript.exe")
        ex.connect(victim, ran + delay(r), script, f"api.{sender_domain}", f"192.0.2.{r.randrange(2, 250)}")
        s.cases.append({"family": "archive-script", "product": product, "key": "hash:" + digest, "indicator": digest,
                        "recipients": [victim["email"]], "interacted": [victim["email"]], "hosts": [victim["host"].lower()],
                        "stages": {victim["email"]: "command-and-control"}, "severity": "critical",
                        "actions": ["Isolate and investigate the host"]})


def click_download_or_reach(s):
    """A clicked link; on MDE (downloads carry their origin URL) a download from that host run
    later (click-download-run), elsewhere the host reaching the site (click-reach)."""
    r, co, ex, seed = s.r, s.co, s.ex, s.seed
    for product in PRODUCTS:
        phish = f"{r.choice(['secure', 'login', 'docs'])}-{r.choice(['share', 'drive', 'files'])}{r.randrange(10, 99)}.example"
        sender = f"noreply@{phish}"
        victim = co.take(product)
        subject = r.choice(["Shared document", "Your file is ready", "Review requested"])
        t = s.later()
        msgid = ex.mail(sender, f"203.0.113.{r.randrange(2, 250)}", subject, [victim["email"]], t)
        click = t + 120_000
        host = "files." + phish
        ex.click(victim["email"], sender, f"https://{host}/d/{r.randrange(1000, 9999)}", subject, msgid, click,
                 scan="malicious", category="Malicious")
        browser = ("msedge.exe", '"msedge.exe"', str(victim["pid"] + 5))
        if product == "mde":
            later = click + delay(r)
            path = f"C:\\Users\\{victim['sam']}\\Downloads\\viewer-{r.randrange(100, 999)}.exe"
            digest = sha(path + str(seed))
            ex.write_file(victim, later, browser, path, digest, origin=f"https://{host}/d/viewer.exe")
            run = ("viewer.exe", path, str(victim["pid"] + 40))
            ex.start(victim, later + r.randrange(5, 600) * 1000, ("explorer.exe", "C:\\WINDOWS\\Explorer.EXE", "1200"),
                     (path.rsplit("\\", 1)[1], path, run[2]), path, digest)
            s.cases.append({"family": "click-download-run", "product": product, "key": "domain:" + phish, "indicator": phish,
                            "recipients": [victim["email"]], "interacted": [victim["email"]], "hosts": [victim["host"].lower()],
                            "stages": {victim["email"]: "execution"}, "severity": "critical",
                            "actions": ["Isolate and investigate the host"]})
        else:
            ex.connect(victim, click + r.randrange(2, 300) * 1000, browser, host, f"192.0.2.{r.randrange(2, 250)}")
            s.cases.append({"family": "click-reach", "product": product, "key": "domain:" + phish, "indicator": phish,
                            "recipients": [victim["email"]], "interacted": [victim["email"]], "hosts": [victim["host"].lower()],
                            "stages": {victim["email"]: "interaction"}, "severity": "high", "actions": ["Purge the"]})


def credential_phish(s):
    """A click through to a page Mimecast called phishing."""
    r, co, ex = s.r, s.co, s.ex
    phish = f"micros0ft-{r.choice(['login', 'sso', 'auth'])}{r.randrange(10, 99)}.example"
    sender = f"it-support@{phish}"
    victim = co.take()
    t = s.later()
    msgid = ex.mail(sender, f"203.0.113.{r.randrange(2, 250)}", "Password expiry notice", [victim["email"]], t)
    ex.click(victim["email"], sender, f"https://sso.{phish}/owa/auth.php", "Password expiry notice", msgid, t + 90_000,
             action="warn", scan="malicious", category="Phishing & Fraud", aware="Continue")
    s.cases.append({"family": "credential-phish", "product": None, "key": "domain:" + phish, "indicator": phish,
                    "recipients": [victim["email"]], "interacted": [victim["email"]], "hosts": [],
                    "stages": {victim["email"]: "interaction"}, "severity": "critical",
                    "actions": ["Reset the passwords and revoke the sessions of " + victim["email"]]})


def policy_warning(s):
    """Benign: a user continued past a category warning on a URL scanned clean."""
    r, co, ex = s.r, s.co, s.ex
    site = f"{r.choice(['lucky', 'spin', 'jackpot'])}-{r.choice(['casino', 'bet', 'slots'])}{r.randrange(10, 99)}.example"
    sender = f"offers@{site}"
    victim = co.take()
    t = s.later()
    msgid = ex.mail(sender, f"203.0.113.{r.randrange(2, 250)}", "Your weekend bonus", [victim["email"]], t)
    ex.click(victim["email"], sender, f"https://www.{site}/promo", "Your weekend bonus", msgid, t + 60_000,
             action="warn", scan="clean", category=r.choice(["Gambling", "Social Media", "Personal Storage"]), aware="Continue")
    s.cases.append({"family": "policy-warning", "product": None, "key": "domain:" + site, "indicator": site,
                    "recipients": [victim["email"]], "interacted": [victim["email"]], "hosts": [],
                    "stages": {victim["email"]: "interaction"}, "severity_at_most": "low", "title_not": "malicious",
                    "actions": ["Ask the customer the 1 DUET question"]})


def namesake_file(s):
    """Benign: a clean attachment named like the first campaign's file, opened."""
    r, co, ex, seed = s.r, s.co, s.ex, s.seed
    first = s.cases[0]
    victim = co.take()
    name = next(a["fileName"] for a in ex.attachments if a["fileHash"] == first["indicator"])
    digest = sha("clean" + name + str(seed))
    t = s.later()
    ex.mail(f"finance@{ORG}", "10.0.0.5", "Re: " + name, [victim["email"]], t, attachment=(name, digest, "safe"))
    cache = outlook_cache(victim, f"Z{r.randrange(1000, 9999)}", name)
    ex.write_file(victim, t + 300_000, office(victim), cache, digest)
    s.cases.append({"family": "namesake-file", "product": victim["product"], "benign": True, "indicator": digest,
                    "user": victim["email"], "host": victim["host"].lower()})


def no_delivery_logs(s):
    """A malicious attachment whose delivery the data does not hold (its day has no delivery
    log at all: the next day)."""
    r, co, ex, seed = s.r, s.co, s.ex, s.seed
    sender_domain = f"remit-{r.randrange(100, 999)}.example"
    name = f"REMIT-{r.randrange(1000, 9999)}.xlsm"
    digest = sha(name + str(seed))
    people = [co.take(), co.take()]
    t2 = DAY0 + 86_400_000 + 10 * 3600_000 + r.randrange(3600_000)
    ex.mail(f"ar@{sender_domain}", f"198.51.100.{r.randrange(2, 250)}", f"Remittance {name[:-5]}", [p["email"] for p in people], t2,
            attachment=(name, digest, "malicious"), log_delivery=False)
    s.cases.append({"family": "no-delivery-logs", "product": None, "key": "hash:" + digest, "indicator": digest,
                    "recipients": sorted(p["email"] for p in people), "interacted": [], "hosts": [],
                    "stages": {p["email"]: "targeted" for p in people}, "severity_at_least": "medium",
                    "reason": "delivery unknown for 2 of 2 recipients",
                    "actions": ["Find out whether"], "actions_not": ["No mailbox holds it"]})


def late_verdict(s):
    """The Attachment Protect log for the day arrives a night later, after the endpoint had
    written the file and Excel had started PowerShell (two nightly runs)."""
    r, co, ex, seed = s.r, s.co, s.ex, s.seed
    product = r.choice(PRODUCTS)
    sender_domain = f"{r.choice(['orders', 'billing', 'po'])}-{r.choice(['cloud', 'desk'])}{r.randrange(100, 999)}.example"
    sender, ip = f"orders@{sender_domain}", f"198.51.100.{r.randrange(2, 250)}"
    name = f"PO-{r.randrange(10000, 99999)}.xlsm"
    digest = sha(name + str(seed) + "late")
    victim = co.take(product)
    t = s.later()
    held_back = len(ex.attachments)
    ex.mail(sender, ip, f"Purchase order {name[:-5]}", [victim["email"]], t, attachment=(name, digest, "malicious"))
    ex.late_attachments = ex.attachments[held_back:]
    del ex.attachments[held_back:]
    opened = t + 90_000
    cache = outlook_cache(victim, f"L{r.randrange(1000, 9999)}", name)
    ex.write_file(victim, opened, office(victim), cache, digest)
    open_macro_workbook(ex, victim, opened, cache, 13, 29, 4000, 8000)
    s.cases.append({"family": "late-verdict", "product": product, "key": "hash:" + digest, "indicator": digest,
                    "recipients": [victim["email"]], "interacted": [victim["email"]], "hosts": [victim["host"].lower()],
                    "stages": {victim["email"]: "execution"}, "severity": "critical",
                    "actions": ["Isolate and investigate the host"]})


def bec(s):
    """An executive's name from a free-mail look-alike, with a reply-to mismatch, delivered."""
    r, co, ex = s.r, s.co, s.ex
    ceo = co.people[0]
    fake = f"{ceo['email'].split('@')[0]}.office@{r.choice(['mailbox-secure', 'exec-mail', 'securemail'])}{r.randrange(10, 99)}.example"
    target = co.take()
    t = s.later()
    subject = r.choice(["Urgent wire transfer request", "Confidential payment today", "Vendor bank details update"])
    msgid = ex.mail(fake, f"203.0.113.{r.randrange(2, 250)}", subject, [target["email"]], t)
    ex.impersonations.append({"id": f"MTOKEN:{sha(msgid)[:8]}", "senderAddress": fake, "recipientAddress": target["email"], "subject": subject,
                              "definition": "IP - 2 hits (Tag email)", "hits": 2, "identifiers": ["internal_user_name", "reply_address_mismatch"],
                              "action": "none", "taggedExternal": True, "taggedMalicious": True, "senderIpAddress": "203.0.113.99",
                              "eventTime": mimecast_date(t + 1000), "messageId": msgid})
    s.cases.append({"family": "bec", "product": None, "key": "message:" + msgid, "indicator": fake, "by": "sender",
                    "recipients": [target["email"]], "interacted": [], "hosts": [],
                    "stages": {target["email"]: "delivery"}, "severity": "high", "title_prefix": "Impersonation:",
                    "actions": ["Warn " + target["email"] + ": confirm any payment or bank-detail request by phone"]})


def ti_only(s):
    """A link Mimecast scanned clean, on a partner's threat-intel feed, clicked."""
    r, co, ex = s.r, s.co, s.ex
    listed = f"{r.choice(['cdn', 'static', 'assets'])}-{r.choice(['sync', 'update', 'portal'])}{r.randrange(100, 999)}.example"
    sender = f"news@{listed}"
    victim = co.take()
    t = s.later()
    msgid = ex.mail(sender, f"203.0.113.{r.randrange(2, 250)}", "Monthly update", [victim["email"]], t)
    ex.click(victim["email"], sender, f"https://go.{listed}/m/{r.randrange(1000, 9999)}", "Monthly update", msgid, t + 300_000,
             action="allow", scan="clean", category="Business")
    ex.feed.append(listed)
    s.cases.append({"family": "ti-only", "product": None, "key": "domain:" + listed, "indicator": listed,
                    "recipients": [victim["email"]], "interacted": [victim["email"]], "hosts": [],
                    "stages": {victim["email"]: "interaction"}, "severity_at_least": "high",
                    "reason": "threat-intel match:", "actions": ["Block " + listed]})


def internal_compromise(s):
    """A colleague's account sends a phishing link inside the company."""
    r, co, ex = s.r, s.co, s.ex
    insider, reader = co.take(), co.take()
    bad = f"{r.choice(['hr', 'payroll', 'benefits'])}-{r.choice(['portal', 'update', 'review'])}{r.randrange(100, 999)}.example"
    t = s.later()
    msgid = ex.mail(insider["email"], "10.0.0.7", "Updated payroll form", [reader["email"]], t)
    ex.click(reader["email"], insider["email"], f"https://{bad}/form", "Updated payroll form", msgid, t + 200_000,
             action="block", scan="malicious", category="Phishing & Fraud")
    ex.clicks[-1]["route"] = "internal"
    s.cases.append({"family": "internal-compromise", "product": None, "key": "domain:" + bad, "indicator": bad,
                    "recipients": [reader["email"]], "interacted": [reader["email"]], "hosts": [],
                    "stages": {reader["email"]: "interaction"}, "severity_at_least": "high",
                    "actions": ["Check " + insider["email"] + " for a compromised account"]})


ADMINS = ["it.admin", "helpdesk", "mail.admin", "servicedesk"]


def admin_release_exec(s):
    """Attachment Protect held a campaign; an administrator released one copy (seconds to a
    day later), and the file was opened and ran on that recipient's host. The other copies stay
    held."""
    r, co, ex, seed = s.r, s.co, s.ex, s.seed
    product = r.choice(PRODUCTS)
    sender_domain = f"{r.choice(['remit', 'statement', 'ledger'])}-{r.choice(['center', 'notice', 'desk'])}{r.randrange(100, 999)}.example"
    sender, ip = f"accounts@{sender_domain}", f"198.51.100.{r.randrange(2, 250)}"
    name = f"Statement-{r.randrange(10000, 99999)}.xlsm"
    digest = sha(name + str(seed) + "released")
    victim = co.take(product)
    others = [co.take() for _ in range(r.randrange(1, 3))]
    subject = f"Statement {name[:-5]} attached"
    t = s.later()
    msgid = ex.mail(sender, ip, subject, [victim["email"]] + [o["email"] for o in others], t, attachment=(name, digest, "malicious"),
                    held="Attachment Protection")
    admin = f"{r.choice(ADMINS)}@{ORG}"
    released = t + delay(r)
    ex.release(admin, sender, victim["email"], subject, released, "Attachment Protection", "malware", operator_as_object=r.random() < 0.5)
    # Some delivery logs show the released copy, some do not; none on the next day, whose
    # delivery log no-delivery-logs leaves out of the data.
    if r.random() < 0.5 and released + 15_000 < DAY0 + 86_400_000:
        ex.deliver(msgid, sender, subject, victim["email"], t, released + 15_000)
    opened = released + 60_000 + delay(r) // 10
    cache = outlook_cache(victim, f"R{r.randrange(1000, 9999)}", name)
    ex.write_file(victim, opened, office(victim), cache, digest)
    open_macro_workbook(ex, victim, opened, cache, 17, 37, 3000, 7000)
    s.cases.append({"family": "admin-release-exec", "product": product, "key": "hash:" + digest, "indicator": digest,
                    "recipients": sorted([victim["email"]] + [o["email"] for o in others]),
                    "interacted": [victim["email"]], "hosts": [victim["host"].lower()],
                    "stages": {victim["email"]: "execution", **{o["email"]: "targeted" for o in others}},
                    "delivery": {victim["email"]: "delivered", **{o["email"]: "stopped" for o in others}},
                    "severity": "critical", "admin": [{"account": admin, "action": "released"}],
                    "actions": ["Isolate and investigate the host", f"Ask {admin} why they released the held copy"]})


def allow_list_campaign(s):
    """An administrator permits a sender or a site (an hour to three days before); the
    campaign from it arrives, one recipient clicks through to the page Mimecast judged
    malicious. Beside it, a benign look-alike: a partner permitted the same way, whose ordinary
    mail follows."""
    r, co, ex = s.r, s.co, s.ex
    phish = f"{r.choice(['vendor', 'supplier', 'portal'])}-{r.choice(['docs', 'billing', 'share'])}{r.randrange(100, 999)}.example"
    sender = f"billing@{phish}"
    admin, ip = f"{r.choice(ADMINS)}@{ORG}", f"198.51.100.{r.randrange(2, 250)}"
    victim = co.take()
    others = [co.take() for _ in range(r.randrange(1, 3))]
    t = s.later()
    entry = t - r.choice([r.randrange(3600, 6 * 3600), r.randrange(6 * 3600, 86_400), r.randrange(86_400, 3 * 86_400)]) * 1000
    host = "files." + phish
    if r.random() < 0.5:
        ex.audit(admin, "Permitted Sender Created", "policy_logs", entry, f"Permitted Sender Created: Sender: *@{phish}, Recipient: *@{ORG}", ip)
    else:
        ex.audit(admin, "White URL Created", "policy_logs", entry, f"White URL Created: URL: https://{host}/, Action: permit", ip)
    subject = r.choice(["Updated bank details", "Invoice portal access", "New supplier onboarding"])
    msgid = ex.mail(sender, f"203.0.113.{r.randrange(2, 250)}", subject, [victim["email"]] + [o["email"] for o in others], t)
    ex.click(victim["email"], sender, f"https://{host}/view/{r.randrange(1000, 9999)}", subject, msgid, t + delay(r) // 4,
             action="allow", scan="malicious", category="Malicious")
    s.cases.append({"family": "allow-list-campaign", "product": None, "key": "domain:" + phish, "indicator": phish,
                    "recipients": sorted([victim["email"]] + [o["email"] for o in others]), "interacted": [victim["email"]], "hosts": [],
                    "stages": {victim["email"]: "interaction", **{o["email"]: "delivery" for o in others}},
                    "severity": "high", "admin": [{"account": admin, "action": "allow-entry"}],
                    "actions": [f"Remove the allow entry {admin} made"]})
    # The look-alike: a partner permitted, its newsletter delivered and read.
    partner = f"partner-{r.choice(['logistics', 'audit', 'legal'])}{r.randrange(100, 999)}.example"
    reader = co.take()
    t2 = s.later()
    ex.audit(admin, "Permitted Sender Created", "policy_logs", t2 - 7200_000, f"Permitted Sender Created: Sender: *@{partner}, Recipient: *@{ORG}", ip)
    ex.mail(f"news@{partner}", f"203.0.113.{r.randrange(2, 250)}", "Quarterly partner update", [reader["email"]], t2)
    s.cases.append({"family": "allow-list-partner", "product": None, "benign": True, "indicator": partner,
                    "user": reader["email"], "host": reader["host"].lower()})


def console_brute_force(s):
    """Failed console logons from one address (password spraying over one to three accounts,
    more than Sentinel's three in 30 minutes), then a success from it; the session then
    permits a sender. Beside it, a benign look-alike: a person mistyping twice, then in."""
    r, co, ex = s.r, s.co, s.ex
    attacker = f"{r.choice([45, 91, 185])}.{r.randrange(1, 250)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    accounts = r.sample([f"{a}@{ORG}" for a in ADMINS], r.randrange(1, 4))
    target = accounts[0]
    t = s.later()
    failures = r.randrange(4, 13)
    spread = r.randrange(2, 25) * 60_000
    for i in range(failures):
        who = accounts[i % len(accounts)]
        ex.audit(who, "Logon Authentication Failed", "authentication_logs", t + i * spread // failures,
                 f"Failed authentication for {who}", attacker, tail=", Reason: Invalid password")
    signed_in = t + spread + r.randrange(5, 300) * 1000
    ex.audit(target, "User Logged On", "authentication_logs", signed_in, f"Successful authentication for {target}", attacker, tail=", Method: Cloud")
    planted = f"*@{r.choice(['invoice', 'secure', 'docs'])}-{r.choice(['relay', 'notice'])}{r.randrange(100, 999)}.example"
    ex.audit(target, "Permitted Sender Created", "policy_logs", signed_in + r.randrange(60, 3 * 3600) * 1000,
             f"Permitted Sender Created: Sender: {planted}, Recipient: *@{ORG}", attacker)
    s.cases.append({"family": "console-brute-force", "product": None, "key": "ip:" + attacker, "indicator": attacker, "by": "admin",
                    "recipients": [], "interacted": [], "hosts": [], "stages": {}, "severity": "critical",
                    "admin": [{"account": target, "action": "signed-in", "source_ip": attacker},
                              {"account": target, "action": "change", "source_ip": attacker}],
                    "actions": [f"Reset the password of {target}"]})
    # The look-alike: someone mistypes their password twice from the office, then signs in.
    person = co.take()
    office_ip = f"10.20.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    t2 = s.later()
    for i in range(2):
        ex.audit(person["email"], "Logon Authentication Failed", "authentication_logs", t2 + i * 20_000,
                 f"Failed authentication for {person['email']}", office_ip, tail=", Reason: Invalid password")
    ex.audit(person["email"], "User Logged On", "authentication_logs", t2 + 60_000, f"Successful authentication for {person['email']}",
             office_ip, tail=", Method: Cloud")
    s.cases.append({"family": "console-typo", "product": None, "benign": True, "indicator": office_ip,
                    "user": person["email"], "host": person["host"].lower()})


# The families in the order a seed plants them (each draws from the seed's one stream, so the
# order is part of the data).
FAMILIES = [attachment_c2, archive_script, click_download_or_reach, credential_phish, policy_warning, namesake_file,
            no_delivery_logs, late_verdict, bec, ti_only, internal_compromise,
            admin_release_exec, allow_list_campaign, console_brute_force]


def plant(seed, out):
    """Write seed's folder to out; returns its ground truth."""
    s = Seed(seed)
    for family in FAMILIES:
        family(s)
    truth = {"seed": seed, "cases": s.cases}
    s.ex.write(out, s.co.people, truth)
    return truth


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1,2,3,4,5", help="comma-separated seeds (default 1,2,3,4,5)")
    ap.add_argument("--out", required=True, help="folder; each seed writes OUT/seed-N")
    a = ap.parse_args()
    for seed in [int(s) for s in a.seeds.split(",") if s]:
        truth = plant(seed, os.path.join(a.out, f"seed-{seed}"))
        print(f"seed {seed}: {len(truth['cases'])} cases → {os.path.join(a.out, f'seed-{seed}')}")
