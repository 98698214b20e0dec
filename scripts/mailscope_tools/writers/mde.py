"""Microsoft Defender for Endpoint advanced-hunting CSV (shared/formats/edr.md a): the columns,
the Timestamp form (0-7 fraction digits), and one row per event of the scenario's EdrModel
(process, file, DNS inspection, connection; HTTP rows are not an MDE event)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ..scenario.common import ORG_DOMAIN
from ..scenario.hosts import DNS_SERVER, IMAGE_SIZE, MDE_ACCOUNT_DOMAIN, image_hashes
from ..timefmt import iso

MDE_COLUMNS = ["Timestamp", "DeviceId", "DeviceName", "ActionType", "FileName", "FolderPath", "SHA1",
               "SHA256", "MD5", "FileSize", "AccountDomain", "AccountName", "AccountUpn",
               "ProcessCommandLine", "ProcessId", "RemoteUrl", "RemoteIP", "RemotePort", "LocalIP",
               "InitiatingProcessFileName", "InitiatingProcessFolderPath",
               "InitiatingProcessCommandLine", "InitiatingProcessId", "InitiatingProcessAccountDomain",
               "InitiatingProcessAccountName", "InitiatingProcessAccountUpn",
               "InitiatingProcessParentFileName", "FileOriginUrl", "FileOriginIP",
               "AdditionalFields", "ReportId"]


def mde_time(ticks: int) -> str:
    s, frac = divmod(ticks, 10_000_000)
    f = f"{frac:07d}".rstrip("0")
    return datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + ("." + f if f else "") + "Z"


def _mde_account(p):
    h = p.host
    if p.user == "user":
        return MDE_ACCOUNT_DOMAIN, h.sam, h.email
    if p.user == "machine":
        return MDE_ACCOUNT_DOMAIN, h.name.lower() + "$", ""
    if p.user == "network":
        return "nt authority", "network service", ""
    return "nt authority", "system", ""


def mde_dns_fields(domain, answer):
    return json.dumps({"direction": "Out", "query": domain, "query_type": "A", "rcode_name": "NOERROR",
                       "answers": [answer]}, separators=(",", ":"))


def render_mde(ev, rid):
    h = ev["host"]
    row = dict.fromkeys(MDE_COLUMNS, "")
    row.update({"Timestamp": mde_time(ev["t"]), "DeviceId": h.host_id, "DeviceName": h.fqdn, "ReportId": str(rid)})
    p = ev["proc"]

    def initiating(q):
        if q is None:
            return
        d, n, upn = _mde_account(q)
        path = q.path.lower() if q.user in ("system", "network") else q.path
        row.update({"InitiatingProcessFileName": q.name, "InitiatingProcessFolderPath": path,
                    "InitiatingProcessCommandLine": q.cmd, "InitiatingProcessId": str(q.pid % 100_000),
                    "InitiatingProcessAccountDomain": d,
                    "InitiatingProcessAccountName": n, "InitiatingProcessAccountUpn": upn,
                    "InitiatingProcessParentFileName": q.parent.name if q.parent else ""})

    k = ev["kind"]
    if k == "proc":
        hs = image_hashes(p)
        d, n, upn = _mde_account(p)
        row.update({"ActionType": "ProcessCreated", "FileName": p.name, "FolderPath": p.path,
                    "SHA1": hs["sha1"], "SHA256": hs["sha256"], "MD5": hs["md5"],
                    "FileSize": str(IMAGE_SIZE.get(p.name, 250_000 + int(hs["md5"][:4], 16) * 7)),
                    "AccountDomain": d, "AccountName": n, "AccountUpn": upn, "ProcessCommandLine": p.cmd,
                    "ProcessId": str(p.pid % 100_000)})
        initiating(p.parent)
    elif k == "file":
        hs = ev["hashes"]
        row.update({"ActionType": ev["action"], "FileName": ev["path"].rsplit("\\", 1)[1], "FolderPath": ev["path"],
                    "SHA1": hs["sha1"], "SHA256": hs["sha256"] if ev["sha256_shown"] else "", "MD5": hs["md5"],
                    "FileSize": str(ev["size"])})
        if ev["origin"]:
            row["FileOriginUrl"], row["FileOriginIP"] = ev["origin"]
        initiating(p)
    elif k == "dns":
        row.update({"ActionType": "DnsConnectionInspected", "RemoteIP": DNS_SERVER, "RemotePort": "53",
                    "LocalIP": h.ip,
                    "AdditionalFields": mde_dns_fields(ev["domain"], ev["answer"])})
    elif k == "conn":
        row.update({"ActionType": "ConnectionSuccess",
                    "RemoteUrl": ("https://" + ev["domain"]) if ev["scheme"] else ev["domain"],
                    "RemoteIP": ev["ip"], "RemotePort": str(ev["port"]), "LocalIP": h.ip})
        initiating(p)
    else:
        return []
    return [row]


# ---- row templates of the high-volume writer (scripts/make-scale-data): the columns of one
# event kind as a %-template, so a row is one string formatting
#
# InitiatingProcessFileName .. InitiatingProcessParentFileName, found by name (the scenario's
# MDE columns grew ProcessId and InitiatingProcessId)
INIT_COLS = MDE_COLUMNS[MDE_COLUMNS.index("InitiatingProcessFileName"):MDE_COLUMNS.index("InitiatingProcessParentFileName") + 1]
GROUPS = {"HOST": ["DeviceId", "DeviceName"], "IMG": ["FileName", "FolderPath", "SHA1", "SHA256", "MD5", "FileSize"],
          "ACCT": ["AccountDomain", "AccountName", "AccountUpn"], "INIT": INIT_COLS, "ORIGIN": ["FileOriginUrl", "FileOriginIP"]}
assert INIT_COLS == ["InitiatingProcessFileName", "InitiatingProcessFolderPath", "InitiatingProcessCommandLine", "InitiatingProcessId",
                     "InitiatingProcessAccountDomain", "InitiatingProcessAccountName", "InitiatingProcessAccountUpn",
                     "InitiatingProcessParentFileName"], INIT_COLS


def mde_template(fixed: dict, slots: list) -> str:
    """A %-template of one MDE row: `slots` (columns or GROUPS, in column order) take %s, `fixed`
    columns a literal, the rest stay empty."""
    member = {c: g for g, cols in GROUPS.items() if g in slots for c in cols}
    parts = []
    for c in MDE_COLUMNS:
        g = member.get(c)
        if g:
            if GROUPS[g][0] == c:
                parts.append("%s")
            continue
        parts.append("%s" if c in slots else fixed.get(c, ""))
    return ",".join(parts)


T_CONN = mde_template({"ActionType": "ConnectionSuccess"},
                      ["HOST", "RemoteUrl", "RemoteIP", "RemotePort", "LocalIP", "INIT", "ReportId"])
T_DNS = mde_template({"ActionType": "DnsConnectionInspected", "RemoteIP": DNS_SERVER, "RemotePort": "53"},
                     ["HOST", "LocalIP", "AdditionalFields", "ReportId"])
T_PROC = mde_template({"ActionType": "ProcessCreated"},
                      ["HOST", "IMG", "ACCT", "ProcessCommandLine", "INIT", "ReportId"])
T_FILE = mde_template({}, ["HOST", "ActionType", "IMG", "INIT", "ORIGIN", "ReportId"])
# The templates leave Timestamp (the first column) empty: rows are kept as (ticks, ",...") and the
# time is written in front of each when the sorted rows go to the file.


# ---- the narrow export of the scenario families (scripts/scenario-families): a hunting query
# projected to the columns below. p is a family person (email, sam, host, host_id); a process
# is (name, command line, pid).

SHORT_COLUMNS = ["Timestamp", "DeviceId", "DeviceName", "ActionType", "FileName", "FolderPath", "SHA256", "AccountUpn",
                 "ProcessCommandLine", "ProcessId", "RemoteUrl", "RemoteIP", "RemotePort", "InitiatingProcessFileName",
                 "InitiatingProcessCommandLine", "InitiatingProcessId", "InitiatingProcessAccountName",
                 "InitiatingProcessAccountUpn", "FileOriginUrl"]


def short_file_rows(p, ms, proc, path, digest, origin=None):
    name = path.rsplit("\\", 1)[1]
    return [{"Timestamp": iso(ms), "DeviceId": p["host_id"], "DeviceName": p["host"].lower() + "." + ORG_DOMAIN,
             "ActionType": "FileCreated", "FileName": name, "FolderPath": path, "SHA256": digest,
             "InitiatingProcessFileName": proc[0], "InitiatingProcessCommandLine": proc[1], "InitiatingProcessId": proc[2],
             "InitiatingProcessAccountName": p["sam"], "InitiatingProcessAccountUpn": p["email"], "FileOriginUrl": origin or ""}]


def short_process_rows(p, ms, parent, child, image_path, digest=""):
    return [{"Timestamp": iso(ms), "DeviceId": p["host_id"], "DeviceName": p["host"].lower() + "." + ORG_DOMAIN,
             "ActionType": "ProcessCreated", "FileName": child[0], "FolderPath": image_path, "SHA256": digest,
             "AccountUpn": p["email"], "ProcessCommandLine": child[1], "ProcessId": child[2],
             "InitiatingProcessFileName": parent[0], "InitiatingProcessCommandLine": parent[1], "InitiatingProcessId": parent[2],
             "InitiatingProcessAccountName": p["sam"], "InitiatingProcessAccountUpn": p["email"]}]


def short_connect_rows(p, ms, proc, host, ip, dns_first=True):
    """MDE's connection row names the host (RemoteUrl); DNS inspection rows are not in this export."""
    return [{"Timestamp": iso(ms), "DeviceId": p["host_id"], "DeviceName": p["host"].lower() + "." + ORG_DOMAIN,
             "ActionType": "ConnectionSuccess", "RemoteUrl": "https://" + host, "RemoteIP": ip, "RemotePort": "443",
             "InitiatingProcessFileName": proc[0], "InitiatingProcessCommandLine": proc[1], "InitiatingProcessId": proc[2],
             "InitiatingProcessAccountName": p["sam"], "InitiatingProcessAccountUpn": p["email"]}]
