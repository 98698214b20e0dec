"""One day of Defender for Endpoint rows for every host of the scale set (scale/day.py writes
them as advanced-hunting CSV parts): a working session per user, background activity, the
rows the day's mail explains (a clicked link reached, an attachment opened) and the planted
campaigns' traces. Rows are kept as (ticks, ",..."), formatted from writers/mde.py's
templates; the Timestamp is written in front when the sorted rows go to the file."""

from __future__ import annotations

from datetime import datetime, timezone

from ..scenario.content import fill
from ..scenario.hosts import (APP_DOMAINS, APPS, BACKGROUND_DOMAINS, DOC_APP, DOC_NAMES, MDE_ACCOUNT_DOMAIN,
                              PROTECT_HOST)
from ..writers.mde import T_CONN, T_DNS, T_FILE, T_PROC, mde_dns_fields, mde_time
from .common import HMS, PROTECT_IP, WEEKEND_EDR, csvq, day_name, rng
from .mail_day import MailDay
from .world import INTERNAL_SERVERS, MS_HOSTS, World

# The templates leave Timestamp (the first column) empty: rows are kept as (ticks, ",...") and the
# time is written in front of each when the sorted rows go to the file.
PARENT = {"explorer.exe": "userinit.exe", "userinit.exe": "winlogon.exe", "svchost.exe": "services.exe",
          "svchost.exe#dns": "services.exe", "MsMpEng.exe": "services.exe", "OfficeClickToRun.exe": "services.exe",
          "OUTLOOK.EXE": "explorer.exe", "msedge.exe": "explorer.exe", "chrome.exe": "explorer.exe",
          "ms-teams.exe": "explorer.exe", "OneDrive.exe": "explorer.exe", "EXCEL.EXE": "explorer.exe",
          "WINWORD.EXE": "explorer.exe", "POWERPNT.EXE": "explorer.exe", "Acrobat.exe": "explorer.exe",
          "powershell.exe": "explorer.exe", "cmd.exe": "explorer.exe", "update.exe": "explorer.exe"}
SYSTEM_PROCS = ["CompatTelRunner.exe", "MpCmdRun.exe", "OfficeClickToRun.exe", "SearchProtocolHost.exe", "gpupdate.exe",
                "svchost.exe", "rundll32.exe"]
RENDERER = ('"" --type=renderer --string-annotations --lang=en-GB --device-scale-factor=1 --num-raster-threads=2 '
            '--enable-main-frame-before-activation --renderer-client-id=%d --time-ticks-at-unix-epoch=-%d '
            '--launch-time-ticks=%d --mojo-platform-channel-handle=%d /prefetch:1"')   # CSV-quoted, after '"""' + exe


class HostSession:
    """One host's day: its rows so far, its ReportId counter, the session (logon L to end E)
    and the InitiatingProcess fragments of the programs its rows name."""
    __slots__ = ("u", "present", "hp", "lip", "rid", "L", "E", "span", "out", "f_explorer", "f_svchost", "f_defender",
                 "browser", "f_browser", "f_outlook", "f_teams", "f_onedrive", "img_browser", "renderer", "user_acct")

    def __init__(self, day, u, present):
        rnd = day.r.random
        self.u, self.present = u, present
        self.hp = f"{u.device_id},{u.fqdn}"
        self.lip = u.ip
        rid = 1000 + int(rnd() * 90_000)
        self.rid = day.rid.get(u.idx, rid)   # after the planted rows' ReportIds: unique per device
        day_ms = day.day0 * 1000
        L = day_ms + int((7.25 + rnd() * 2.2) * 3_600_000)
        E = day_ms + int((16.5 + rnd() * 2.4) * 3_600_000)
        if not present:   # a scheduled wake-up: an hour of system work only
            L, E = day_ms + 6 * 3_600_000, day_ms + 7 * 3_600_000
        self.L, self.E, self.span = L, E, E - L
        fr = day.init_frag
        self.f_explorer = fr(u, "explorer.exe")
        self.f_svchost = fr(u, "svchost.exe", "system")
        self.f_defender = fr(u, "MsMpEng.exe", "system")
        self.browser = browser = "msedge.exe" if (u.idx % 10) < 7 else "chrome.exe"
        self.f_browser = fr(u, browser)
        self.f_outlook = fr(u, "OUTLOOK.EXE")
        self.f_teams = fr(u, "ms-teams.exe")
        self.f_onedrive = fr(u, "OneDrive.exe")
        self.img_browser = day.img(u, browser)
        self.renderer = '"""' + APPS[browser][0] + RENDERER
        self.user_acct = f"{MDE_ACCOUNT_DOMAIN},{u.sam},{u.email}"
        self.out = []


class EdrDay:
    """One day of Defender for Endpoint rows for every host: a working session per user (logon,
    Outlook, Teams, a browser), background activity, the rows the day's mail explains (a clicked
    link reached, an attachment opened) and the planted campaigns' traces."""

    def __init__(self, W: World, cfg: dict, day_index: int, day0: int, mail: MailDay):
        self.W, self.cfg, self.day_index, self.day0, self.mail = W, cfg, day_index, day0, mail
        self.r = rng(cfg["seed"], cfg["mailboxes"], "edr", day_name(day0))
        self.date_t = day_name(day0) + "T"
        self.tick0 = day0 * 10_000_000
        self.rows = []       # (ticks, row)
        self.tagged = []     # (ticks, row, tag dict)
        self.rid = {}
        self.frags = {}
        self.dns_cache = {}
        self.imgs = {}
        self.weekend = datetime.fromtimestamp(day0, timezone.utc).weekday() >= 5

    # -- fragments ----------------------------------------------------------------------------
    def host_part(self, u):
        return f"{u.device_id},{u.fqdn}"

    def acct(self, u, kind):
        if kind == "user":
            return f"{MDE_ACCOUNT_DOMAIN},{u.sam},{u.email}"
        if kind == "network":
            return "nt authority,network service,"
        if kind == "machine":
            return f"{MDE_ACCOUNT_DOMAIN},{u.host.lower()}$,"
        return "nt authority,system,"

    def init_frag(self, u, key, kind="user", parent=None, doc="", cmd=None):
        """The seven InitiatingProcess* columns for the process `key` (an APPS key) on u's host."""
        ck = (u.idx, key, kind, parent, doc, cmd)
        f = self.frags.get(ck)
        if f is None:
            name = key.split("#")[0]
            path, tmpl = APPS[key]
            path = path.replace("{sam}", u.sam)
            if cmd is None:
                cmd = tmpl.replace("{sam}", u.sam).replace("{doc}", doc)
            if kind in ("system", "network"):
                path = path.lower()
            # InitiatingProcessId is left empty: the scale set does not model process ids.
            f = ",".join([csvq(name), csvq(path), csvq(cmd), "", self.acct(u, kind), csvq(parent or PARENT.get(key, "explorer.exe"))])
            if len(self.frags) > 200_000:
                self.frags.clear()
            self.frags[ck] = f
        return f

    def img(self, u, key):
        """FileName .. FileSize of the image of APPS[key] on u's host."""
        ck = (u.idx, key)
        f = self.imgs.get(ck)
        if f is None:
            name = key.split("#")[0]
            sha1, sha256, md5, size = self.W.image_hashes[name]
            f = self.imgs[ck] = f"{csvq(name)},{csvq(APPS[key][0].replace('{sam}', u.sam))},{sha1},{sha256},{md5},{size}"
        return f

    def dns_fields(self, domain, ip):
        f = self.dns_cache.get(domain)
        if f is None:
            f = self.dns_cache[domain] = csvq(mde_dns_fields(domain, ip))
        return f

    def ts(self, ticks):
        s, frac = divmod(ticks - self.tick0, 10_000_000)
        if 0 <= s < 86_400:
            return f"{self.date_t}{HMS[s]}.{frac:07d}Z"
        return mde_time(ticks)   # another day: the row is dropped below

    def next_rid(self, u):
        v = self.rid.get(u.idx)
        if v is None:
            v = 1000 + int(self.r.random() * 90_000)
        v += 1 + int(self.r.random() * 40)
        self.rid[u.idx] = v
        return v

    # -- planted rows (tagged: their file and line go to the ground truth) ----------------------------
    def _add(self, u, ms, row_fn, tag):
        ticks = ms * 10_000 + int(self.r.random() * 10_000)
        row = row_fn()
        if tag:
            info = {"step": tag, "host": u.host, "time": self.ts(ticks)}
            self.tagged.append((ticks, row, info))
            return info
        self.rows.append((ticks, row))
        return None

    def t_dns(self, u, ms, domain, ip, tag=None):
        return self._add(u, ms, lambda: T_DNS % (self.host_part(u), u.ip, self.dns_fields(domain, ip),
                                                    self.next_rid(u)), tag)

    def t_conn(self, u, ms, init, url, ip, port, tag=None):
        if init in APPS:
            init = self.init_frag(u, init)
        return self._add(u, ms, lambda: T_CONN % (self.host_part(u), url, ip, port, u.ip, init, self.next_rid(u)), tag)

    def t_file(self, u, ms, action, path, hashes, init, origin=None, tag=None):
        if init in APPS:
            init = self.init_frag(u, init)
        sha1, sha256, md5, size = hashes
        img = f"{csvq(path.rsplit(chr(92), 1)[1])},{csvq(path)},{sha1},{sha256},{md5},{size}"
        org = f"{origin[0]},{origin[1]}" if origin else ","
        return self._add(u, ms, lambda: T_FILE % (self.host_part(u), action, img, init, org, self.next_rid(u)), tag)

    def t_proc(self, u, ms, key, parent, doc="", cmd=None, tag=None):
        """A ProcessCreated row for APPS[key]; `parent` is an APPS key or a ready init fragment."""
        init = self.init_frag(u, parent, parent=PARENT.get(parent)) if parent in APPS else parent
        path, tmpl = APPS[key]
        if cmd is None:
            cmd = tmpl.replace("{sam}", u.sam).replace("{doc}", doc)
        img = self.img(u, key)
        return self._add(u, ms, lambda: T_PROC % (self.host_part(u), img, self.acct(u, "user"), csvq(cmd), init,
                                                     self.next_rid(u)), tag)

    # -- the background ---------------------------------------------------------------------------
    def generate(self, campaign_users: set):
        """Every host's rows of the day: a session (or, for an absent user, an hour of system
        work), the rows the day's mail explains, and background activity up to the host's budget."""
        mean = self.cfg["edr_events_per_host"] * (WEEKEND_EDR if self.weekend else 1.0)
        rows = self.rows
        by_user_clicks, by_user_opens = {}, {}
        for c in self.mail.clicks:
            by_user_clicks.setdefault(c[0], []).append(c)
        for o in self.mail.opens:
            by_user_opens.setdefault(o[0], []).append(o)
        lo, hi = self.tick0, self.tick0 + 86_400 * 10_000_000 - 1
        for u in self.W.users:
            clicks, opens = by_user_clicks.get(u.idx, ()), by_user_opens.get(u.idx, ())
            for k, row in self.host_rows(u, mean, u.idx in campaign_users or bool(clicks) or bool(opens), clicks, opens):
                if lo <= k <= hi:
                    rows.append((k, row))

    def host_rows(self, u, mean, involved, clicks, opens):
        """One host's (ticks, row) list; involved: the user has mail-explained or planted rows,
        so is at work whatever the day."""
        rnd = self.r.random
        n = int(mean * (0.5 + rnd()))
        present = (rnd() < 0.12) if self.weekend else (rnd() < 0.96)
        if involved:
            present = True
        s = HostSession(self, u, present)
        if not present:   # a scheduled wake-up: an hour of system work only
            n //= 5
        if present:
            self.logon_rows(s)
        self.click_rows(s, clicks)
        self.open_rows(s, opens)
        self.background_rows(s, n - len(s.out))
        self.rid[u.idx] = s.rid
        return s.out

    def tick(self, ms):
        return ms * 10_000 + int(self.r.random() * 10_000)

    def logon_rows(self, s):
        """Explorer, Outlook, Teams, the browser and OneDrive started; Outlook and Teams connect."""
        rnd, tick, u, out = self.r.random, self.tick, s.u, s.out
        t = s.L
        for key, init, dt in (("explorer.exe", self.init_frag(u, "userinit.exe", "user", parent="winlogon.exe"), 0),
                              ("OUTLOOK.EXE", s.f_explorer, 40_000), ("ms-teams.exe", s.f_explorer, 55_000),
                              (s.browser, s.f_explorer, 300_000), ("OneDrive.exe", s.f_explorer, 20_000)):
            t += dt + int(rnd() * 30_000)
            s.rid += 1
            k = tick(t)
            out.append((k, T_PROC % (s.hp, self.img(u, key), s.user_acct,
                                     csvq(APPS[key][1].replace("{sam}", u.sam).replace("{doc}", "")), init, s.rid)))
        for key, f in (("OUTLOOK.EXE", s.f_outlook), ("ms-teams.exe", s.f_teams)):
            d = APP_DOMAINS[key]
            k = tick(s.L + 120_000 + int(rnd() * 60_000))
            s.rid += 1
            out.append((k, T_DNS % (s.hp, s.lip, self.dns_fields(d, self.W.web_ip[d]), s.rid)))
            k += 2_000_000
            s.rid += 1
            out.append((k, T_CONN % (s.hp, d, self.W.web_ip[d], "443", s.lip, f, s.rid)))

    def click_rows(self, s, clicks):
        """A clicked link: the URL Protect lookup, then (unless blocked) DNS and a connection."""
        rnd, tick, out, hp, lip, web_ip = self.r.random, self.tick, s.out, s.hp, s.lip, self.W.web_ip
        for (_i, cms, host, via) in clicks:
            k = tick(cms + 900)
            s.rid += 1
            out.append((k, T_DNS % (hp, lip, self.dns_fields(PROTECT_HOST, PROTECT_IP), s.rid)))
            if host:
                ip = web_ip[host]
                k = tick(cms + 1400 + int(rnd() * 800))
                s.rid += 1
                out.append((k, T_DNS % (hp, lip, self.dns_fields(host, ip), s.rid)))
                k += 1_500_000 + int(rnd() * 3_000_000)
                s.rid += 1
                out.append((k, T_CONN % (hp, host if rnd() < 0.8 else "https://" + host, ip, "443", lip,
                                         s.f_browser, s.rid)))

    def open_rows(self, s, opens):
        """An attachment written to the Outlook cache and opened in its application."""
        rnd, gb, tick, u, out = self.r.random, self.r.getrandbits, self.tick, s.u, s.out
        day_ms = self.day0 * 1000
        for (_i, dms, name, ext, md5, sha1, sha256, size) in opens:
            t = dms + 15 * 60_000 + int(rnd() * 3 * 3_600_000)
            if t > day_ms + 86_000_000:
                continue
            path = (f"C:\\Users\\{u.sam}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\"
                    f"{gb(40):010X}"[:8] + f"\\{name}")
            k = tick(t)
            s.rid += 1
            out.append((k, T_FILE % (s.hp, "FileCreated", f"{csvq(name)},{csvq(path)},{sha1},{sha256},{md5},{size}",
                                     s.f_outlook, ",", s.rid)))
            app = DOC_APP.get(ext)
            if app:
                k += 9_000_000 + int(rnd() * 30_000_000)
                s.rid += 1
                out.append((k, T_PROC % (s.hp, self.img(u, app), s.user_acct,
                                         csvq(APPS[app][1].replace("{doc}", path)), s.f_outlook, s.rid)))

    def background_rows(self, s, left):
        """Background activity until the budget is spent: the user's own (present users only)
        or the system's."""
        rnd = self.r.random
        present = s.present
        while left > 0:
            x = rnd()
            if present and x < 0.63:
                left -= self.user_activity(s, x)
            else:
                left -= self.system_activity(s, x)

    def user_activity(self, s, x):
        """One piece of the user's activity; returns the rows it added."""
        r, W = self.r, self.W
        rnd, gb, tick = r.random, r.getrandbits, self.tick
        u, out, hp, lip, L, span, web_ip = s.u, s.out, s.hp, s.lip, s.L, s.span, W.web_ip
        if x < 0.30:                      # browsing: DNS + connection
            d = W.browse[int(rnd() * len(W.browse))]
            k = tick(L + int(rnd() * span))
            s.rid += 1
            out.append((k, T_DNS % (hp, lip, self.dns_fields(d, web_ip[d]), s.rid)))
            k += 400_000 + int(rnd() * 3_000_000)
            s.rid += 1
            out.append((k, T_CONN % (hp, d if rnd() < 0.85 else "https://" + d, web_ip[d],
                                     "443" if rnd() < 0.95 else "80", lip, s.f_browser, s.rid)))
            return 2
        if x < 0.45:                      # Office apps keeping in touch with Microsoft 365
            d = MS_HOSTS[int(rnd() * len(MS_HOSTS))]
            f = (s.f_outlook, s.f_teams, s.f_onedrive)[int(rnd() * 3)]
            k = tick(L + int(rnd() * span))
            s.rid += 1
            out.append((k, T_CONN % (hp, d, web_ip[d], "443", lip, f, s.rid)))
            return 1
        if x < 0.55:                      # browser renderer processes
            k = tick(L + int(rnd() * span))
            s.rid += 1
            cmd = s.renderer % (5 + int(rnd() * 400), 10**15 + gb(40), 10**8 + gb(30), 1000 + int(rnd() * 9000))
            out.append((k, T_PROC % (hp, s.img_browser, s.user_acct, cmd, s.f_browser, s.rid)))
            return 1
        if x < 0.60:                      # a document opened and saved
            name = fill(r, DOC_NAMES[int(rnd() * len(DOC_NAMES))])
            folder = (f"C:\\Users\\{u.sam}\\OneDrive - Acme Corp\\Documents" if rnd() < 0.6
                      else f"C:\\Users\\{u.sam}\\Documents")
            path = f"{folder}\\{name}"
            app = DOC_APP[name.rsplit(".", 1)[1]]
            k = tick(L + int(rnd() * span))
            s.rid += 1
            out.append((k, T_PROC % (hp, self.img(u, app), s.user_acct,
                                     csvq(APPS[app][1].replace("{doc}", path)), s.f_explorer, s.rid)))
            k += 600_000_000 + int(rnd() * 9_000_000_000)
            md5, sha1, sha256 = "%032x" % gb(128), "%040x" % gb(160), "%064x" % gb(256)
            s.rid += 1
            out.append((k, T_FILE % (hp, "FileModified",
                                     f"{csvq(name)},{csvq(path)},{sha1},{sha256 if rnd() < 0.5 else ''},{md5},"
                                     f"{18_000 + int(rnd() * 900_000)}",
                                     self.init_frag(u, app, doc=path), ",", s.rid)))
            return 2
        # a download from a partner portal
        p = W.partners[int(rnd() * min(60, len(W.partners)))]
        host = p["link_host"]
        name = (f"statement-{1000 + int(rnd() * 9000)}.pdf", "brochure.pdf", "price-list-2027.xlsx",
                f"order-{10000 + int(rnd() * 90000)}.docx", "datasheet.pdf")[int(rnd() * 5)]
        path = f"C:\\Users\\{u.sam}\\Downloads\\{name}"
        md5, sha1, sha256 = "%032x" % gb(128), "%040x" % gb(160), "%064x" % gb(256)
        k = tick(L + int(rnd() * span))
        s.rid += 1
        out.append((k, T_FILE % (hp, "FileCreated",
                                 f"{name},{path},{sha1},{sha256 if rnd() < 0.6 else ''},{md5},"
                                 f"{40_000 + int(rnd() * 4_000_000)}",
                                 s.f_browser, f"https://{host}/downloads/{name},{web_ip[host]}", s.rid)))
        return 1

    def system_activity(self, s, x):
        """One piece of the system's own activity (also on an absent user's host); returns the
        rows it added."""
        rnd, gb, tick = self.r.random, self.r.getrandbits, self.tick
        u, out, hp, lip, web_ip = s.u, s.out, s.hp, s.lip, self.W.web_ip
        L, span = s.L - 1_800_000, s.span + 3_600_000     # the session, half an hour either side
        if x < 0.75:                      # services and Defender talking to Microsoft, internal servers
            k = tick(L + int(rnd() * span))
            s.rid += 1
            if rnd() < 0.4:
                srv, ip, port = INTERNAL_SERVERS[int(rnd() * len(INTERNAL_SERVERS))]
                out.append((k, T_CONN % (hp, "", ip, port, lip, s.f_svchost, s.rid)))
            else:
                d = BACKGROUND_DOMAINS[int(rnd() * len(BACKGROUND_DOMAINS))]
                out.append((k, T_CONN % (hp, d, web_ip[d], "443", lip,
                                         s.f_defender if rnd() < 0.3 else s.f_svchost, s.rid)))
        elif x < 0.87:                    # DNS of background services
            d = BACKGROUND_DOMAINS[int(rnd() * len(BACKGROUND_DOMAINS))] if rnd() < 0.7 else MS_HOSTS[int(rnd() * len(MS_HOSTS))]
            k = tick(L + int(rnd() * span))
            s.rid += 1
            out.append((k, T_DNS % (hp, lip, self.dns_fields(d, web_ip[d]), s.rid)))
        elif x < 0.94:                    # system processes
            key = SYSTEM_PROCS[int(rnd() * len(SYSTEM_PROCS))]
            k = tick(L + int(rnd() * span))
            s.rid += 1
            kind = "machine" if key == "gpupdate.exe" else "system"
            cmd = APPS[key][1].replace("{sam}", u.sam).replace("{doc}", f"{gb(48):012x}.2.0.1.4")
            parent = s.f_defender if key == "MpCmdRun.exe" else s.f_svchost
            out.append((k, T_PROC % (hp, self.img(u, key), self.acct(u, kind), csvq(cmd), parent, s.rid)))
        else:                             # temporary, prefetch and Defender files
            k = tick(L + int(rnd() * span))
            q = rnd()
            if q < 0.4:
                name, folder, f = f"{gb(128):032X}.tmp", "C:\\Windows\\Temp", s.f_svchost
            elif q < 0.7:
                name = ("CHROME.EXE", "OUTLOOK.EXE", "SVCHOST.EXE", "MSEDGE.EXE", "EXCEL.EXE")[int(rnd() * 5)]
                name, folder, f = f"{name}-{gb(32):08X}.pf", "C:\\Windows\\Prefetch", s.f_svchost
            else:
                name = f"mpcache-{gb(64):016X}.bin"
                folder, f = "C:\\ProgramData\\Microsoft\\Windows Defender\\Scans", s.f_defender
            md5, sha1, sha256 = "%032x" % gb(128), "%040x" % gb(160), "%064x" % gb(256)
            s.rid += 1
            out.append((k, T_FILE % (hp, "FileCreated",
                                     f"{name},{folder}\\{name},{sha1},{sha256 if rnd() < 0.65 else ''},{md5},"
                                     f"{200 + int(rnd() * 3_000_000)}", f, ",", s.rid)))
        return 1
