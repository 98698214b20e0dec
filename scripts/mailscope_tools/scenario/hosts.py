"""The endpoint side of the scenario: one Windows workstation per mailbox, the programs on it
(APPS: image path and command line), and EdrModel, which records host activity as one list of
product-neutral events (process, file, DNS, connection, HTTP) for each EDR product's writer to
render in its own columns (writers/mde.py, falcon.py, sentinelone.py).

Everything here draws from its own random streams (rng_for("edr/...")), so the endpoint part
never changes a byte of the Mimecast files."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

from .common import DAY, ORG_DOMAIN, ascii_fold

AD_DOMAIN = "ACME"                       # NetBIOS domain (S1 "ACME\\user", CrowdStrike bare user)
MDE_ACCOUNT_DOMAIN = "acme"              # MDE AccountDomain is lower case
HOST_DNS_SUFFIX = "corp." + ORG_DOMAIN   # MDE DeviceName = <host>.corp.acme-corp.example
DNS_SERVER = "10.20.0.10"
INTRANET_IP = "10.20.0.40"
PROTECT_HOST = "protect-us.mimecast.com"  # Mimecast URL Protect rewrite host (clicks go through it)
PRE_DAY = DAY - 3 * 86400                # 2026-10-30, the benign look-alike DNS query
TPMS = 10_000                            # 100 ns ticks per millisecond (MDE prints 0-7 digits)


OFFICE_DIR = "C:\\Program Files\\Microsoft Office\\root\\Office16"
EDGE = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"
CHROME = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"
TEAMS = "C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\ms-teams.exe"
POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
DEFENDER_PLATFORM = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0"

# name -> (image path, command line); {sam} and {doc} are filled in per use
APPS = {
    "winlogon.exe": ("C:\\Windows\\System32\\winlogon.exe", "winlogon.exe"),
    "userinit.exe": ("C:\\Windows\\System32\\userinit.exe", "C:\\Windows\\system32\\userinit.exe"),
    "explorer.exe": ("C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE"),
    "services.exe": ("C:\\Windows\\System32\\services.exe", "C:\\Windows\\system32\\services.exe"),
    "svchost.exe": ("C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule"),
    "svchost.exe#dns": ("C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s Dnscache"),
    "MsMpEng.exe": (DEFENDER_PLATFORM + "\\MsMpEng.exe", '"' + DEFENDER_PLATFORM + '\\MsMpEng.exe"'),
    "OUTLOOK.EXE": (OFFICE_DIR + "\\OUTLOOK.EXE", '"' + OFFICE_DIR + '\\OUTLOOK.EXE" '),
    "EXCEL.EXE": (OFFICE_DIR + "\\EXCEL.EXE", '"' + OFFICE_DIR + '\\EXCEL.EXE" "{doc}"'),
    "WINWORD.EXE": (OFFICE_DIR + "\\WINWORD.EXE", '"' + OFFICE_DIR + '\\WINWORD.EXE" /n "{doc}" /o ""'),
    "POWERPNT.EXE": (OFFICE_DIR + "\\POWERPNT.EXE", '"' + OFFICE_DIR + '\\POWERPNT.EXE" "{doc}"'),
    "Acrobat.exe": ("C:\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe",
                    '"C:\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe" "{doc}"'),
    "msedge.exe": (EDGE, '"' + EDGE + '" --single-argument --profile-directory=Default'),
    "chrome.exe": (CHROME, '"' + CHROME + '" '),
    "ms-teams.exe": (TEAMS, '"' + TEAMS + '" msteams:system-initiated'),
    "OneDrive.exe": ("C:\\Users\\{sam}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe",
                     '"C:\\Users\\{sam}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background'),
    "CompatTelRunner.exe": ("C:\\Windows\\System32\\CompatTelRunner.exe",
                            "C:\\Windows\\system32\\compattelrunner.exe -m:appraiser.dll -f:DoScheduledTelemetryRun -cv:{doc}"),
    "MpCmdRun.exe": (DEFENDER_PLATFORM + "\\MpCmdRun.exe",
                     '"' + DEFENDER_PLATFORM + '\\MpCmdRun.exe" SignatureUpdate -ScheduleJob -RestrictPrivileges'),
    "OfficeClickToRun.exe": ("C:\\Program Files\\Common Files\\microsoft shared\\ClickToRun\\OfficeClickToRun.exe",
                             '"C:\\Program Files\\Common Files\\microsoft shared\\ClickToRun\\OfficeClickToRun.exe" /service'),
    "SearchProtocolHost.exe": ("C:\\Windows\\System32\\SearchProtocolHost.exe",
                               '"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe5_ '
                               'Global\\UsGthrCtrlFltPipeMssGthrPipe5 1 -2147483646 "Software\\Microsoft\\Windows Search" '
                               '"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" '
                               '"C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc" "DownLevelDaemon"'),
    "rundll32.exe": ("C:\\Windows\\System32\\rundll32.exe",
                     "C:\\Windows\\system32\\rundll32.exe C:\\Windows\\System32\\shell32.dll,SHCreateLocalServerRunDll "
                     "{9aa46009-3ce0-458a-a354-715610a075e6} -Embedding"),
    "gpupdate.exe": ("C:\\Windows\\System32\\gpupdate.exe", "gpupdate.exe /target:computer"),
    "AgentExecutor.exe": ("C:\\Program Files (x86)\\Microsoft Intune Management Extension\\AgentExecutor.exe",
                          '"C:\\Program Files (x86)\\Microsoft Intune Management Extension\\AgentExecutor.exe" '
                          '-powershell "C:\\Program Files (x86)\\Microsoft Intune Management Extension\\Policies\\Scripts\\'
                          '{doc}.ps1" "C:\\Program Files (x86)\\Microsoft Intune Management Extension\\Policies\\Results\\'
                          '{doc}.output" "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" 0 1 '
                          '"C:\\Program Files (x86)\\Microsoft Intune Management Extension\\Content\\DetectionScripts" 1 0'),
    "powershell.exe": (POWERSHELL, "{doc}"),
    "cmd.exe": ("C:\\Windows\\System32\\cmd.exe", "{doc}"),
    "update.exe": ("C:\\Users\\{sam}\\Downloads\\update.exe", '"C:\\Users\\{sam}\\Downloads\\update.exe" '),
}
IMAGE_SIZE = {"explorer.exe": 5_503_176, "OUTLOOK.EXE": 44_180_872, "EXCEL.EXE": 71_224_712,
              "WINWORD.EXE": 1_634_688, "POWERPNT.EXE": 1_870_216, "msedge.exe": 4_219_480,
              "chrome.exe": 3_169_560, "ms-teams.exe": 1_245_008, "powershell.exe": 455_680,
              "update.exe": 3_384_832}

COMMON_DOMAINS = ["www.google.com", "www.bing.com", "login.microsoftonline.com", "www.office.com",
                  "acmecorp.sharepoint.com", "acmecorp-my.sharepoint.com", "www.linkedin.com",
                  "en.wikipedia.org", "github.com", "www.youtube.com", "docs.google.com",
                  "weather.com", "www.bbc.co.uk", "stackoverflow.com", "www.amazon.com",
                  "maps.google.com", "intranet." + ORG_DOMAIN]
BACKGROUND_DOMAINS = ["settings-win.data.microsoft.com", "v10.events.data.microsoft.com",
                      "wdcp.microsoft.com", "ctldl.windowsupdate.com", "officeclient.microsoft.com",
                      "time.windows.com", "go.microsoft.com", "definitionupdates.microsoft.com"]
APP_DOMAINS = {"OUTLOOK.EXE": "outlook.office365.com", "ms-teams.exe": "teams.microsoft.com",
               "OneDrive.exe": "acmecorp-my.sharepoint.com"}
DOC_NAMES = ["Q4 forecast, v3.xlsx", "Team roster.xlsx", "Weekly report {n}.docx",
             "Budget 2027, draft.xlsx", "Board pack (draft).pptx", "Meeting notes {n}.docx",
             "Customer list - \"key accounts\".xlsx", "Travel expenses October.xlsx",
             "Onboarding checklist.docx", "Sales kickoff deck.pptx", "Vendor comparison {n}.xlsx"]
DOC_APP = {"xlsx": "EXCEL.EXE", "xlsm": "EXCEL.EXE", "docx": "WINWORD.EXE", "pptx": "POWERPNT.EXE",
           "pdf": "Acrobat.exe"}


def edr_hashes(label: str) -> dict:
    """md5/sha1/sha256 of a deterministic pseudo body for an endpoint file (not written)."""
    body = ("MailScope synthetic endpoint file: " + label).encode("utf-8") * 29
    return {"md5": hashlib.md5(body).hexdigest(), "sha1": hashlib.sha1(body).hexdigest(),
            "sha256": hashlib.sha256(body).hexdigest()}


def image_hashes(p):
    """The hashes of a process's image (the phishing download's update.exe has its own)."""
    label = "image/" + (p.name if p.name != "update.exe" else "phish/update.exe")
    return edr_hashes(label)


def flast(display_name: str) -> str:
    first, last = display_name.split(" ", 1)
    f = re.sub(r"[^a-z]", "", ascii_fold(first).lower())
    l = re.sub(r"[^a-z]", "", ascii_fold(last).lower())
    return f[0] + l


def iso_ms(ticks: int) -> str:
    ms = ticks // TPMS
    return datetime.fromtimestamp(ms // 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


class EHost:
    """One workstation: its user, sAM name, EDR product and identity-resolution group."""

    def __init__(self, user, sam, number, product, resolution, ip, host_id):
        self.user = user
        self.email = user["address"]
        self.sam = sam
        self.name = f"WS-{number:04d}"
        self.fqdn = f"ws-{number:04d}.{HOST_DNS_SUFFIX}"
        self.product = product
        self.resolution = resolution
        self.ip = ip
        self.host_id = host_id
        self.procs = {}
        self.cache_dirs = []
        self.stubs = {}


class EProc:
    """A process on a host; parent is another EProc (or None for the roots)."""

    def __init__(self, host, name, path, cmd, user, parent, t, pid):
        self.host, self.name, self.path, self.cmd = host, name, path, cmd
        self.user = user          # "user" | "system" | "network" | "machine"
        self.parent, self.t, self.pid = parent, t, pid


class EdrModel:
    """Host activity as one list of events; each product renders it in its own columns."""

    def __init__(self, r):
        self.r = r
        self.events = []
        self.pids = set()

    def new_pid(self):
        while True:
            p = self.r.randrange(10**17, 10**19)
            if p not in self.pids:
                self.pids.add(p)
                return p

    def ticks(self, ms, prec=None):
        t = ms * TPMS + self.r.randrange(TPMS)
        p = prec if prec is not None else self.r.choices([7, 3, 0], [84, 9, 7])[0]
        if p == 3:
            t -= t % TPMS
        elif p == 0:
            t -= t % 10_000_000
        return t

    def stub(self, h, key, user="system", parent=None):
        if key not in h.stubs:
            name = key.split("#")[0]
            path, cmd = APPS[key]
            h.stubs[key] = EProc(h, name, path, cmd, user, parent, None, self.new_pid())
        return h.stubs[key]

    def proc(self, h, key, ms, parent, user="user", doc="", tag=None, prec=None, cmd=None, exported=True):
        """exported=False: the process ran (its children name it as their parent) but the
        export holds no row of its own start, as a hunting query filtered to what it started."""
        name = key.split("#")[0]
        path, tmpl = APPS[key]
        path = path.replace("{sam}", h.sam)
        if cmd is None:
            cmd = tmpl.replace("{sam}", h.sam).replace("{doc}", doc)
        p = EProc(h, name, path, cmd, user, parent, self.ticks(ms, prec), self.new_pid())
        if exported:
            self.events.append({"t": p.t, "kind": "proc", "host": h, "proc": p, "tag": tag})
        return p

    def file(self, h, p, ms, path, hashes, size, action="FileCreated", origin=None, sha256_shown=True,
             tag=None, prec=None):
        ev = {"t": self.ticks(ms, prec), "kind": "file", "host": h, "proc": p, "path": path,
              "hashes": hashes, "size": size, "action": action, "origin": origin,
              "sha256_shown": sha256_shown, "tag": tag}
        self.events.append(ev)
        return ev

    def dns(self, h, p, ms, domain, answer, tag=None, prec=None):
        self.events.append({"t": self.ticks(ms, prec), "kind": "dns", "host": h, "proc": p,
                            "domain": domain, "answer": answer, "tag": tag})

    def conn(self, h, p, ms, domain, ip, port=443, scheme=False, tag=None, prec=None):
        self.events.append({"t": self.ticks(ms, prec), "kind": "conn", "host": h, "proc": p,
                            "domain": domain, "ip": ip, "port": port, "scheme": scheme, "tag": tag})

    def http(self, h, p, ms, url, tag=None, prec=None):
        self.events.append({"t": self.ticks(ms, prec), "kind": "http", "host": h, "proc": p,
                            "url": url, "tag": tag})
