"""A normal working day on one host: logon, Outlook, Teams, a browser and its visits, a
document saved, a download, and the system's own processes and DNS lookups. The planted
traces are written on top of this background (scenario/edr.py)."""

from __future__ import annotations

from .common import at, b64id
from .content import fill
from .hosts import APP_DOMAINS, BACKGROUND_DOMAINS, COMMON_DOMAINS, DOC_APP, DOC_NAMES, TPMS, edr_hashes


def host_day(M, h, r, day0, world_ips, partner_hosts, attack_host=False, short=False):
    """Record one host's day into the model M; returns the session's (logon, end) in ms."""
    day = WorkDay(M, h, r, day0, world_ips, partner_hosts, attack_host, short)
    day.logon()
    day.browse()
    if r.random() < 0.35:
        day.save_document()
    if r.random() < 0.22:
        day.download()
    if r.random() < 0.3 and not short:
        M.proc(h, "OneDrive.exe", day.L + r.randrange(5_000, 40_000), day.explorer)
    if r.random() < 0.25:
        M.proc(h, "rundll32.exe", r.randrange(day.L + 2000, day.E), day.svchost, user="user")
    day.system_activity()
    return day.L, day.E


class WorkDay:
    """The session of one host: logon time L, end E, and the processes the day runs under."""

    def __init__(self, M, h, r, day0, world_ips, partner_hosts, attack_host, short):
        self.M, self.h, self.r, self.day0 = M, h, r, day0
        self.world_ips, self.partner_hosts = world_ips, partner_hosts
        self.attack_host, self.short = attack_host, short
        self.L = at(day0, 0, 0, 0) + (r.randrange(7 * 3600 + 900, 8 * 3600 + 900) if attack_host
                                      else r.randrange(7 * 3600 + 900, 9 * 3600 + 2700)) * 1000 + r.randrange(1000)
        self.E = at(day0, 0, 0, 0) + r.randrange(16 * 3600 + 1800, 19 * 3600) * 1000
        if short:
            self.E = self.L + r.randrange(2 * 3600, 5 * 3600) * 1000

    def visit(self, p, t, dom, scheme=False):
        M, h, r = self.M, self.h, self.r
        M.dns(h, p, t, dom, self.world_ips[dom])
        M.conn(h, p, t + r.randrange(40, 400), dom, self.world_ips[dom], scheme=scheme)

    def logon(self):
        """The process tree of a logon, then Outlook, Teams and the browser."""
        M, h, r, L = self.M, self.h, self.r, self.L
        winlogon = M.stub(h, "winlogon.exe")
        userinit = M.stub(h, "userinit.exe", user="user", parent=winlogon)
        self.services = services = M.stub(h, "services.exe")
        self.svchost = svchost = M.stub(h, "svchost.exe", parent=services)
        self.dnscache = dnscache = M.stub(h, "svchost.exe#dns", user="network", parent=services)
        self.explorer = explorer = M.proc(h, "explorer.exe", L, userinit)
        h.procs = {"explorer": explorer, "svchost": svchost, "dnscache": dnscache}
        h.cache_dirs = ["".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(8)) for _ in range(4)]
        t = L + r.randrange(20_000, 360_000)
        outlook = M.proc(h, "OUTLOOK.EXE", t, explorer)
        h.procs["outlook"] = outlook
        self.visit(outlook, t + r.randrange(1500, 6000), APP_DOMAINS["OUTLOOK.EXE"])
        if not self.short and r.random() < 0.7:
            t = L + r.randrange(10_000, 600_000)
            teams = M.proc(h, "ms-teams.exe", t, explorer)
            self.visit(teams, t + r.randrange(1500, 9000), APP_DOMAINS["ms-teams.exe"])
        bname = "msedge.exe" if (self.attack_host or r.random() < 0.7) else "chrome.exe"
        t = L + r.randrange(60_000, 1_800_000 if not self.attack_host else 600_000)
        self.browser = M.proc(h, bname, t, explorer)
        h.procs["browser"] = self.browser

    def browse(self):
        M, h, r, browser = self.M, self.h, self.r, self.browser
        for _ in range(r.randint(1, 3 if self.short else 4)):
            tv = r.randrange(browser.t // TPMS + 2000, self.E)
            dom = r.choice(COMMON_DOMAINS + self.partner_hosts[:6])
            self.visit(browser, tv, dom, scheme=r.random() < 0.15)
            if h.product == "sentinelone" and r.random() < 0.3:
                M.http(h, browser, tv + r.randrange(400, 1500), f"https://{dom}/{r.choice(['', 'search?q=quarterly+report', 'en-us/', 'portal/login'])}")

    def save_document(self):
        """Open and save a document."""
        M, h, r = self.M, self.h, self.r
        tv = r.randrange(self.L + 600_000, self.E - 60_000)
        name = fill(r, r.choice(DOC_NAMES))
        folder = r.choice([f"C:\\Users\\{h.sam}\\OneDrive - Acme Corp\\Documents", f"C:\\Users\\{h.sam}\\Documents"])
        path = f"{folder}\\{name}"
        app = DOC_APP[name.rsplit(".", 1)[1]]
        p = M.proc(h, app, tv, self.explorer, doc=path)
        hs = edr_hashes(f"doc/{h.name}/{name}/v2")
        M.file(h, p, tv + r.randrange(120_000, 1_500_000), path, hs, r.randrange(18_000, 900_000),
               action="FileModified", sha256_shown=r.random() < 0.5)

    def download(self):
        """A browser download from a partner's site."""
        M, h, r, browser, world_ips = self.M, self.h, self.r, self.browser, self.world_ips
        tv = r.randrange(browser.t // TPMS + 5000, self.E - 30_000)
        ph = r.choice(self.partner_hosts)
        if r.random() < 0.3:
            name = f"{ph.split('.')[1].split('-')[0].capitalize()}Setup-{r.randint(2, 9)}.{r.randint(0, 9)}.{r.randint(0, 20)}.exe"
        else:
            name = r.choice(["brochure.pdf", f"statement-{r.randrange(1000, 9999)}.pdf", "price-list-2027.xlsx",
                             "datasheet.pdf", f"order-{r.randrange(10000, 99999)}.docx"])
        url = f"https://{ph}/downloads/{name}"
        path = f"C:\\Users\\{h.sam}\\Downloads\\{name}"
        M.dns(h, browser, tv - r.randrange(300, 900), ph, world_ips[ph])
        M.file(h, browser, tv, path, edr_hashes("download/" + url), r.randrange(40_000, 4_000_000),
               origin=(url, world_ips[ph]), sha256_shown=r.random() < 0.6)

    def system_activity(self):
        """Scheduled system processes and the DNS cache's own lookups."""
        M, h, r, E, svchost = self.M, self.h, self.r, self.E, self.svchost
        for _ in range(r.randint(1, 2)):
            kind = r.choice(["CompatTelRunner.exe", "MpCmdRun.exe", "OfficeClickToRun.exe", "SearchProtocolHost.exe",
                             "gpupdate.exe"])
            ts = r.randrange(at(self.day0, 6, 0, 0), E)
            if kind == "MpCmdRun.exe":
                M.proc(h, kind, ts, M.stub(h, "MsMpEng.exe", parent=self.services), user="system")
            elif kind == "gpupdate.exe":
                M.proc(h, kind, ts, svchost, user="machine")
            elif kind == "CompatTelRunner.exe":
                M.proc(h, kind, ts, svchost, user="system", doc=b64id(r, 12) + ".2.0.1.4")
            else:
                M.proc(h, kind, ts, self.services if kind == "OfficeClickToRun.exe" else svchost, user="system")
        for _ in range(r.randint(1, 2)):
            dom = r.choice(BACKGROUND_DOMAINS)
            M.dns(h, self.dnscache, r.randrange(at(self.day0, 6, 0, 0), E), dom, self.world_ips[dom])
